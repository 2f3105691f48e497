//===- CPUGemmVectorOps.cpp - matvec / vecmat of metis-cpu-gemm -----------===//
//
// linalg.matvec and linalg.vecmat in f32 (the spectral split's Gram–Schmidt)
// without one dependent add chain per output, in the loops' own order, and
// the register transpose the GEMM's packing shares.
//
//===----------------------------------------------------------------------===//

#include "CPUGemmUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::metis;

void mlir::metis::transposeByInterleave(OpBuilder &b, Location loc,
                                        SmallVectorImpl<Value> &vecs) {
  int64_t rows = vecs.size();
  int64_t w = cast<VectorType>(vecs[0].getType()).getNumElements();
  SmallVector<int64_t> lo, hi;
  for (int64_t t = 0; t < w / 2; ++t) {
    lo.append({t, w + t});
    hi.append({w / 2 + t, w + w / 2 + t});
  }
  for (int64_t r = rows; r > 1; r /= 2) {
    SmallVector<Value> next;
    for (int64_t i = 0; i < rows / 2; ++i) {
      next.push_back(
          vector::ShuffleOp::create(b, loc, vecs[i], vecs[i + rows / 2], lo));
      next.push_back(
          vector::ShuffleOp::create(b, loc, vecs[i], vecs[i + rows / 2], hi));
    }
    vecs.assign(next.begin(), next.end());
  }
}

static bool isUnitStrideF32(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  if (!type || !type.getElementType().isF32() || !type.isStrided())
    return false;
  SmallVector<int64_t> strides = type.getStridesAndOffset().first;
  return !strides.empty() && strides.back() == 1;
}

/// linalg.vecmat `o[n] += Σ_i w[i]·A[i, n]` on f32 memrefs as a generic with
/// the reduction loop outermost: each output still sums in ascending i
/// (same bits), but the inner loop runs along A's rows over independent
/// outputs, not one dependent add chain, and LLVM vectorizes it.
void mlir::metis::interchangeVecmat(linalg::VecmatOp op) {
  if (!op.hasPureBufferSemantics() ||
      !llvm::all_of(op->getOperands(), isUnitStrideF32))
    return;
  IRRewriter rewriter(op.getContext());
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::GenericOp> generic =
      linalg::generalizeNamedOp(rewriter, op);
  if (succeeded(generic)) // (n, i) -> (i, n)
    (void)linalg::interchangeGenericOp(rewriter, *generic, {1, 0});
}

/// linalg.matvec `c[i] += Σ_k A[i, k]·v[k]` on f32 memrefs with unit inner
/// strides, 8 rows at a time: 8x8 blocks of A transposed in registers, so
/// that 8 outputs advance together in one vector, each still summing
/// mulf-then-addf in ascending k (same bits as the loops, which are bound
/// by the latency of one add chain per output). Rows past the last
/// multiple of 8 keep the plain loop.
void mlir::metis::vectorizeMatvec(linalg::MatvecOp op) {
  if (!op.hasPureBufferSemantics() ||
      !llvm::all_of(op->getOperands(), isUnitStrideF32))
    return;
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value a = op.getDpsInputOperand(0)->get(),
        v = op.getDpsInputOperand(1)->get(), c = op.getDpsInitOperand(0)->get();
  constexpr int64_t w = 8;
  auto vt = VectorType::get({w}, b.getF32Type());
  auto cst = [&](int64_t x) -> Value {
    return arith::ConstantIndexOp::create(b, loc, x);
  };
  Value c0 = cst(0), c1 = cst(1), cw = cst(w);
  auto floorW = [&](Value x) {
    return arith::MulIOp::create(b, loc,
                                 arith::DivUIOp::create(b, loc, x, cw), cw);
  };
  Value rows = memref::DimOp::create(b, loc, a, 0);
  Value cols = memref::DimOp::create(b, loc, a, 1);
  Value rowsFull = floorW(rows), colsFull = floorW(cols);
  auto forLoop = [&](Value lb, Value ub, Value step, ValueRange init,
                     function_ref<SmallVector<Value>(Value, ValueRange)> fn) {
    auto forOp = scf::ForOp::create(b, loc, lb, ub, step, init);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forOp.getBody());
    SmallVector<Value> yields = fn(forOp.getInductionVar(),
                                   forOp.getRegionIterArgs());
    if (forOp.getBody()->mightHaveTerminator())
      forOp.getBody()->getTerminator()->erase();
    b.setInsertionPointToEnd(forOp.getBody());
    scf::YieldOp::create(b, loc, yields);
    return forOp;
  };
  auto fma = [&](Value acc, Value x, Value y) -> Value {
    return arith::AddFOp::create(b, loc, acc,
                                 arith::MulFOp::create(b, loc, x, y));
  };
  forLoop(c0, rowsFull, cw, {}, [&](Value i0, ValueRange) {
    SmallVector<Value> rowIdx;
    for (int64_t r = 0; r < w; ++r)
      rowIdx.push_back(arith::AddIOp::create(b, loc, i0, cst(r)));
    Value init = vector::LoadOp::create(b, loc, vt, c, ValueRange{i0});
    auto blocks = forLoop(
        c0, colsFull, cw, {init}, [&](Value k0, ValueRange acc) {
          SmallVector<Value> vecs;
          for (Value row : rowIdx)
            vecs.push_back(
                vector::LoadOp::create(b, loc, vt, a, ValueRange{row, k0}));
          transposeByInterleave(b, loc, vecs); // vecs[t]: column k0 + t
          Value vv = vector::LoadOp::create(b, loc, vt, v, ValueRange{k0});
          Value sum = acc[0];
          for (int64_t t = 0; t < w; ++t)
            sum = fma(sum, vecs[t],
                      vector::BroadcastOp::create(
                          b, loc, vt, vector::ExtractOp::create(b, loc, vv, t)));
          return SmallVector<Value>{sum};
        });
    auto rest = forLoop(
        colsFull, cols, c1, blocks.getResults(), [&](Value k, ValueRange acc) {
          SmallVector<Value> elems;
          for (Value row : rowIdx)
            elems.push_back(
                memref::LoadOp::create(b, loc, a, ValueRange{row, k}));
          Value col = vector::FromElementsOp::create(b, loc, vt, elems);
          Value vk = memref::LoadOp::create(b, loc, v, ValueRange{k});
          return SmallVector<Value>{
              fma(acc[0], col, vector::BroadcastOp::create(b, loc, vt, vk))};
        });
    vector::StoreOp::create(b, loc, rest.getResult(0), c, ValueRange{i0});
    return SmallVector<Value>{};
  });
  forLoop(rowsFull, rows, c1, {}, [&](Value i, ValueRange) {
    Value init = memref::LoadOp::create(b, loc, c, ValueRange{i});
    auto sum = forLoop(c0, cols, c1, {init}, [&](Value k, ValueRange acc) {
      return SmallVector<Value>{
          fma(acc[0], memref::LoadOp::create(b, loc, a, ValueRange{i, k}),
              memref::LoadOp::create(b, loc, v, ValueRange{k}))};
    });
    memref::StoreOp::create(b, loc, sum.getResult(0), c, ValueRange{i});
    return SmallVector<Value>{};
  });
  op->erase();
}
