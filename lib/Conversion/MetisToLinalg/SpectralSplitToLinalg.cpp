//===- SpectralSplitToLinalg.cpp - metis.spectral_split to linalg ---------===//
//
// Randomized SVD (Halko, Martinsson, Tropp 2011) on tensors, exactly as
// docs/SpectralSplit.md defines it:
//
//   V0 = Ω (sketch) | orth(X[rows]ᵀ) (row_sampling) | orth(V0) (warm start)
//   t times (t = q + 1 from Ω, q otherwise):
//     Y = X·V;  G = Xᵀ·Y (the same pass over X);  Q = orth(Y) = Y·T
//     Z = G·T, or Xᵀ·Q (a second pass) if G·T cancels too much
//     V = orth(Z)
//   t ≥ 1: Qb = Q and Rb = Zᵀ·V (= Qᵀ·X·V) of the last iteration;
//   t = 0: B = X·V;  Qb = orth(B);  Rb = Qbᵀ·B
//   Rb = Ur·Σ·Wᵀ (one-sided Jacobi)
//   U = Qb·Ur[:, :k],  S = Σ[:k],  Vt = (V·W)[:, :k]ᵀ,  R = X − U·diag(S)·Vt
//
// Bases are stored transposed (`l×A`, one vector per contiguous row), which
// is what the row-wise Gram–Schmidt wants. The large products read X
// row-major: X·V is the contraction X (M×N) · V (N×l) in loop order m, n, j
// (V transposed from its rows first), Xᵀ·Y is computed as Yᵀ·X in loop
// order m, j, n, and Xᵀ·Q as Qᵀ·X in loop order j, m, n: loops whose
// innermost one has no carried dependence; each output element sums its
// terms in ascending reduction index, as the textbook loop would.
//
//===----------------------------------------------------------------------===//

#include "metis/Conversion/MetisToLinalg/SpectralSplit.h"

#include "metis/Conversion/MetisToLinalg/FP4Emitters.h"
#include "metis/Conversion/MetisToLinalg/Tags.h"
#include "metis/Dialect/Metis/IR/MetisOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace mlir::metis;
using namespace mlir::metis::spectral;

namespace {

/// Scalar and tensor helpers around an OpBuilder.
struct E {
  OpBuilder &b;
  Location loc;

  Type f32() { return b.getF32Type(); }
  Type i32() { return b.getI32Type(); }
  Type i64() { return b.getI64Type(); }
  Value f(float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value u32(uint32_t v) {
    return arith::ConstantOp::create(b, loc,
                                     b.getIntegerAttr(i32(), (int64_t)v));
  }
  Value s64(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(i64(), v));
  }
  Value i1(bool v) {
    return arith::ConstantOp::create(b, loc, b.getBoolAttr(v));
  }

  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value neg(Value x) { return arith::NegFOp::create(b, loc, x); }
  Value sqrt(Value x) { return math::SqrtOp::create(b, loc, x); }
  Value abs(Value x) { return math::AbsFOp::create(b, loc, x); }
  Value cmpf(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value cmpi(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value addi(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value subi(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value muli(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ori(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value shrui(Value x, Value y) { return arith::ShRUIOp::create(b, loc, x, y); }
  Value toI64(Value index) {
    return arith::IndexCastUIOp::create(b, loc, i64(), index);
  }
  Value toIndex(Value i) {
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), i);
  }
  Value lo32(Value v64) { return arith::TruncIOp::create(b, loc, i32(), v64); }
  Value hi32(Value v64) { return lo32(shrui(v64, s64(32))); }
  Value zext64(Value v32) { return arith::ExtUIOp::create(b, loc, i64(), v32); }

  RankedTensorType tensorType(ArrayRef<int64_t> shape, Type elt = {}) {
    return RankedTensorType::get(shape, elt ? elt : f32());
  }
  Value empty(ArrayRef<int64_t> shape, Type elt = {}) {
    return tensor::EmptyOp::create(b, loc, shape, elt ? elt : f32());
  }
  Value zeros(ArrayRef<int64_t> shape) {
    return linalg::FillOp::create(b, loc, f(0.0f), empty(shape)).getResult(0);
  }
  Value extract(Value t, ValueRange indices) {
    return tensor::ExtractOp::create(b, loc, t, indices);
  }
  Value insert(Value v, Value t, ValueRange indices) {
    return tensor::InsertOp::create(b, loc, v, t, indices);
  }

  /// A loop `for iv in [lb, ub)` carrying `inits`; `body` returns the next
  /// values.
  scf::ForOp
  loop(Value lb, Value ub, ValueRange inits,
       function_ref<SmallVector<Value>(E &, Value, ValueRange)> body) {
    return scf::ForOp::create(
        b, loc, lb, ub, idx(1), inits,
        [&](OpBuilder &nb, Location nloc, Value iv, ValueRange args) {
          E e{nb, nloc};
          scf::YieldOp::create(nb, nloc, body(e, iv, args));
        });
  }

  /// All-parallel linalg.generic producing one tensor of `shape` from
  /// nothing but its loop indices (and values captured from above).
  Value tabulate(ArrayRef<int64_t> shape, Type elt,
                 function_ref<Value(E &, ValueRange)> body) {
    unsigned rank = shape.size();
    Value init = empty(shape, elt);
    SmallVector<utils::IteratorType> its(rank, utils::IteratorType::parallel);
    return linalg::GenericOp::create(
               b, loc, TypeRange{init.getType()}, ValueRange{},
               ValueRange{init},
               ArrayRef<AffineMap>{
                   AffineMap::getMultiDimIdentityMap(rank, b.getContext())},
               its,
               [&](OpBuilder &nb, Location nloc, ValueRange) {
                 E e{nb, nloc};
                 SmallVector<Value> ivs;
                 for (unsigned d = 0; d < rank; ++d)
                   ivs.push_back(linalg::IndexOp::create(nb, nloc, d));
                 linalg::YieldOp::create(nb, nloc, body(e, ivs));
               })
        .getResult(0);
  }

  /// Elementwise linalg.generic over tensors of one shape.
  Value map(ValueRange ins, function_ref<Value(E &, ValueRange)> body) {
    auto type = cast<RankedTensorType>(ins.front().getType());
    unsigned rank = type.getRank();
    Value init = tensor::EmptyOp::create(
        b, loc, tensor::getMixedSizes(b, loc, ins.front()), f32());
    SmallVector<AffineMap> maps(
        ins.size() + 1,
        AffineMap::getMultiDimIdentityMap(rank, b.getContext()));
    SmallVector<utils::IteratorType> its(rank, utils::IteratorType::parallel);
    return linalg::GenericOp::create(
               b, loc, TypeRange{init.getType()}, ins, ValueRange{init}, maps,
               its,
               [&](OpBuilder &nb, Location nloc, ValueRange args) {
                 E e{nb, nloc};
                 linalg::YieldOp::create(nb, nloc, body(e, args.drop_back()));
               })
        .getResult(0);
  }

  /// sqrt(v·v) of a 1-D tensor (sequential f32 sum).
  Value norm(Value v) {
    Value init =
        linalg::FillOp::create(b, loc, f(0.0f), empty({})).getResult(0);
    Value dot = linalg::DotOp::create(b, loc, TypeRange{init.getType()},
                                      ValueRange{v, v}, ValueRange{init})
                    .getResult(0);
    return sqrt(extract(dot, {}));
  }

  /// The four Philox4x32-10 words of counter (index lo, index hi, stream, 0)
  /// under key (seed lo, seed hi); `index` and `seed` are i64.
  std::array<Value, 4> philox(Value index, uint32_t stream, Value seed) {
    return emitPhilox4x32(b, loc,
                          {lo32(index), hi32(index), u32(stream), u32(0)},
                          {lo32(seed), hi32(seed)});
  }
};

int64_t dim(Value v, unsigned d) {
  return cast<RankedTensorType>(v.getType()).getDimSize(d);
}

/// A tagged linalg.generic contraction `out[..] += lhs[..]·rhs[..]` over
/// three loops, nested in the order of the maps' dimensions.
Value emitContraction(OpBuilder &b, Location loc, Value lhs, Value rhs,
                      Value init, ArrayRef<unsigned> lhsDims,
                      ArrayRef<unsigned> rhsDims, ArrayRef<unsigned> outDims,
                      unsigned reductionDim) {
  MLIRContext *ctx = b.getContext();
  auto map = [&](ArrayRef<unsigned> dims) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d : dims)
      exprs.push_back(getAffineDimExpr(d, ctx));
    return AffineMap::get(3, 0, exprs, ctx);
  };
  SmallVector<utils::IteratorType> its(3, utils::IteratorType::parallel);
  its[reductionDim] = utils::IteratorType::reduction;
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{lhs, rhs}, ValueRange{init},
      ArrayRef<AffineMap>{map(lhsDims), map(rhsDims), map(outDims)}, its,
      // One fused multiply-add per step: metis-cpu-gemm runs it at FMA
      // speed and still bit-identical to these loops (a separate multiply
      // and add share the FMA ports on Intel: half the speed).
      [](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(
            nb, nloc,
            math::FmaOp::create(nb, nloc, args[0], args[1], args[2])
                .getResult());
      });
  op->setAttr(kSpectralGemmAttrName, b.getUnitAttr());
  return op.getResult(0);
}

} // namespace

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

int64_t spectral::sketchWidth(int64_t m, int64_t n, int64_t rank,
                              int64_t oversample) {
  int64_t minMN = std::min(m, n);
  return oversample >= minMN - rank ? minMN : rank + oversample;
}

Value spectral::emitMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                           Value init) {
  if (!init)
    init = E{b, loc}.zeros({dim(lhs, 0), dim(rhs, 1)});
  // Loops (i, k, j): the innermost loop runs along contiguous rows of B and
  // C; every C[i][j] still sums over k in ascending order.
  return emitContraction(b, loc, lhs, rhs, init, {0, 1}, {1, 2}, {0, 2}, 1);
}

Value spectral::emitMatmulTransposeB(OpBuilder &b, Location loc, Value lhs,
                                     Value rhs) {
  Value init = E{b, loc}.zeros({dim(lhs, 0), dim(rhs, 0)});
  // Loops (i, j, k): dot products of contiguous rows.
  return emitContraction(b, loc, lhs, rhs, init, {0, 2}, {1, 2}, {0, 1}, 2);
}

Value spectral::emitMatmulTransposeA(OpBuilder &b, Location loc, Value lhs,
                                     Value rhs) {
  Value init = E{b, loc}.zeros({dim(lhs, 1), dim(rhs, 1)});
  // Loops (k, i, j): rank-1 updates along contiguous rows of B and C.
  return emitContraction(b, loc, lhs, rhs, init, {0, 1}, {0, 2}, {1, 2}, 0);
}

Value spectral::emitResidual(OpBuilder &b, Location loc, Value x, Value negUS,
                             Value vt) {
  int64_t m = dim(x, 0), n = dim(x, 1), k = dim(vt, 0);
  if (k > kMaxElementwiseResidualRank)
    return emitMatmul(b, loc, negUS, vt, /*init=*/x);
  MLIRContext *ctx = b.getContext();
  E e{b, loc};
  // r = x, then r = fma(−(U·S)[i, j], Vt[j, c], r) for j ascending: the
  // contraction's operations in its order (same bits), as one elementwise op
  // whose operands are X, the columns of −U·S and the rows of Vt.
  SmallVector<Value> ins{x};
  SmallVector<AffineMap> maps{AffineMap::getMultiDimIdentityMap(2, ctx)};
  // Row or column j of `t` as a 1-D tensor.
  auto slice = [&](Value t, int64_t row, int64_t col, int64_t rows,
                   int64_t cols) {
    auto type = RankedTensorType::get({rows * cols}, e.f32());
    return tensor::ExtractSliceOp::create(
        b, loc, type, t, ValueRange{}, ValueRange{}, ValueRange{},
        b.getDenseI64ArrayAttr({row, col}),
        b.getDenseI64ArrayAttr({rows, cols}), b.getDenseI64ArrayAttr({1, 1}));
  };
  for (int64_t j = 0; j < k; ++j) {
    ins.push_back(slice(negUS, 0, j, m, 1));
    maps.push_back(AffineMap::get(2, 0, {b.getAffineDimExpr(0)}, ctx));
  }
  for (int64_t j = 0; j < k; ++j) {
    ins.push_back(slice(vt, j, 0, 1, n));
    maps.push_back(AffineMap::get(2, 0, {b.getAffineDimExpr(1)}, ctx));
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(2, ctx));
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{e.tensorType({m, n})}, ins, ValueRange{e.empty({m, n})},
      maps, {utils::IteratorType::parallel, utils::IteratorType::parallel},
      [k](OpBuilder &nb, Location nloc, ValueRange args) {
        Value r = args[0];
        for (int64_t j = 0; j < k; ++j)
          r = math::FmaOp::create(nb, nloc, args[1 + j], args[1 + k + j], r);
        linalg::YieldOp::create(nb, nloc, r);
      });
  op->setAttr(kElementwiseAttrName, b.getUnitAttr());
  op->setAttr(kResidualAttrName, b.getUnitAttr());
  return op.getResult(0);
}

Value spectral::emitTranspose(OpBuilder &b, Location loc, Value t) {
  Value init = E{b, loc}.empty({dim(t, 1), dim(t, 0)});
  return linalg::TransposeOp::create(b, loc, t, init, ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

Value spectral::emitTimesBasis(OpBuilder &b, Location loc, Value x,
                               Value basisRows) {
  return emitTranspose(b, loc,
                       emitMatmul(b, loc, x, emitTranspose(b, loc, basisRows)));
}

Value spectral::emitSketchTranspose(OpBuilder &b, Location loc, Sketch kind,
                                    int64_t n, int64_t l, Value seed) {
  assert(kind != Sketch::row_sampling && "row_sampling has no test matrix");
  E top{b, loc};
  Value lIdx = top.idx(l);
  // Ωᵀ[j][i] = Ω[i][j]: the random words of Ω's linear index i·l + j.
  return top.tabulate({l, n}, top.f32(), [&](E &e, ValueRange ivs) -> Value {
    Value linear = e.toI64(e.addi(e.muli(ivs[1], lIdx), ivs[0]));
    auto w = e.philox(linear, kSketchStream, seed);
    Value zero32 = e.u32(0);
    auto negative = [&](Value word) { // the top bit
      return e.cmpi(arith::CmpIPredicate::slt, word, zero32);
    };
    switch (kind) {
    case Sketch::gaussian: {
      // Box–Muller on u = ((r >> 8) + 0.5)·2^-24 ∈ (0, 1): log never sees 0.
      auto uniform = [&](Value word) {
        Value top24 = arith::UIToFPOp::create(e.b, e.loc, e.f32(),
                                              e.shrui(word, e.u32(8)));
        return e.mul(e.add(top24, e.f(0.5f)), e.f(0x1p-24f));
      };
      Value radius = e.sqrt(
          e.mul(e.f(-2.0f), math::LogOp::create(e.b, e.loc, uniform(w[0]))));
      Value angle = e.mul(e.f(6.28318530717958647692f), uniform(w[1]));
      return e.mul(radius, math::CosOp::create(e.b, e.loc, angle));
    }
    case Sketch::rademacher:
      return e.select(negative(w[0]), e.f(-1.0f), e.f(1.0f));
    case Sketch::sparse_sign: {
      // Non-zero with probability s/l, s = min(8, l): (r0 >> 8)·l < s·2^24.
      int64_t s = std::min<int64_t>(8, l);
      Value draw = e.muli(e.zext64(e.shrui(w[0], e.u32(8))), e.s64(l));
      Value keep = e.cmpi(arith::CmpIPredicate::ult, draw, e.s64(s << 24));
      Value sign = e.select(negative(w[1]), e.f(-1.0f), e.f(1.0f));
      return e.select(keep, sign, e.f(0.0f));
    }
    case Sketch::row_sampling:
      break;
    }
    llvm_unreachable("no test matrix for row_sampling");
  });
}

Value spectral::emitSampledRows(OpBuilder &b, Location loc, Value x, int64_t l,
                                Value seed) {
  E top{b, loc};
  int64_t m = dim(x, 0), n = dim(x, 1);
  Type index = b.getIndexType();
  Value iota =
      top.tabulate({m}, index, [](E &, ValueRange ivs) { return ivs[0]; });
  // Partial Fisher–Yates: step t swaps perm[t] and perm[t + w mod (m − t)],
  // w the 64-bit (word1:word0) Philox draw of counter (t, 0, stream 2, 0).
  Value perm =
      top.loop(top.idx(0), top.idx(l), {iota},
               [&](E &e, Value t, ValueRange args) -> SmallVector<Value> {
                 Value t64 = e.toI64(t);
                 auto w = e.philox(t64, kRowSampleStream, seed);
                 Value draw = e.ori(arith::ShLIOp::create(
                                        e.b, e.loc, e.zext64(w[1]), e.s64(32)),
                                    e.zext64(w[0]));
                 Value span = e.subi(e.s64(m), t64);
                 Value j = e.toIndex(e.addi(
                     t64, arith::RemUIOp::create(e.b, e.loc, draw, span)));
                 Value pt = e.extract(args[0], {t});
                 Value pj = e.extract(args[0], {j});
                 Value p = e.insert(pj, args[0], {t});
                 return {e.insert(pt, p, {j})};
               })
          .getResult(0);
  return top.tabulate({l, n}, top.f32(), [&](E &e, ValueRange ivs) {
    return e.extract(x, {e.extract(perm, {ivs[0]}), ivs[1]});
  });
}

Value spectral::emitOrthonormalizeRows(OpBuilder &b, Location loc, Value rows,
                                       Value *coefficients) {
  E top{b, loc};
  int64_t l = dim(rows, 0), a = dim(rows, 1);
  SmallVector<Value> inits = {top.zeros({l, a})};
  if (coefficients)
    inits.push_back(top.zeros({l, l}));
  scf::ForOp loop =
      top.loop(
          top.idx(0), top.idx(l), inits,
          [&](E &e, Value j, ValueRange args) -> SmallVector<Value> {
            Value basis = args[0];
            OpFoldResult zero = e.b.getIndexAttr(0), one = e.b.getIndexAttr(1);
            OpFoldResult aSize = e.b.getIndexAttr(a);
            OpFoldResult lSize = e.b.getIndexAttr(l);
            auto vecType = e.tensorType({a});
            Value v = tensor::ExtractSliceOp::create(e.b, e.loc, vecType, rows,
                                                     {OpFoldResult(j), zero},
                                                     {one, aSize}, {one, one});
            Value before = e.norm(v);
            // The j vectors accepted so far (rows 0..j−1 of the basis).
            Value done = tensor::ExtractSliceOp::create(
                e.b, e.loc, e.tensorType({ShapedType::kDynamic, a}), basis,
                {zero, zero}, {OpFoldResult(j), aSize}, {one, one});
            // With coefficients: t = e_j, updated like v, so that
            // v = Σ_s t[s]·rows[s] throughout.
            Value t, doneT;
            if (coefficients) {
              t = e.tabulate({l}, e.f32(), [&](E &s, ValueRange ivs) {
                return s.select(s.cmpi(arith::CmpIPredicate::eq, ivs[0], j),
                                s.f(1.0f), s.f(0.0f));
              });
              doneT = tensor::ExtractSliceOp::create(
                  e.b, e.loc, e.tensorType({ShapedType::kDynamic, l}), args[1],
                  {zero, zero}, {OpFoldResult(j), lSize}, {one, one});
            }
            for (int pass = 0; pass < 2; ++pass) {
              // c = basis_{<j}·v;  v = v + Σ_i (−c_i)·basis_i (in order).
              Value cEmpty = tensor::EmptyOp::create(
                  e.b, e.loc, ArrayRef<OpFoldResult>{OpFoldResult(j)}, e.f32());
              Value cInit =
                  linalg::FillOp::create(e.b, e.loc, e.f(0.0f), cEmpty)
                      .getResult(0);
              Value c = linalg::MatvecOp::create(
                            e.b, e.loc, TypeRange{cInit.getType()},
                            ValueRange{done, v}, ValueRange{cInit})
                            .getResult(0);
              Value negC =
                  e.map({c}, [](E &s, ValueRange x) { return s.neg(x[0]); });
              v = linalg::VecmatOp::create(e.b, e.loc, TypeRange{vecType},
                                           ValueRange{negC, done},
                                           ValueRange{v})
                      .getResult(0);
              if (coefficients)
                t = linalg::VecmatOp::create(e.b, e.loc, TypeRange{t.getType()},
                                             ValueRange{negC, doneT},
                                             ValueRange{t})
                        .getResult(0);
            }
            Value after = e.norm(v);
            // Rank deficiency: after ≤ tol·before (ordered: a NaN norm keeps
            // the NaN vector), which includes after = before = 0.
            Value deficient = e.cmpf(arith::CmpFPredicate::OLE, after,
                                     e.mul(e.f(kRankTolerance), before));
            auto normalize = [&](Value vec) {
              return e.map({vec}, [&](E &s, ValueRange x) {
                return s.select(deficient, s.f(0.0f), s.div(x[0], after));
              });
            };
            SmallVector<Value> next = {tensor::InsertSliceOp::create(
                e.b, e.loc, normalize(v), basis, {OpFoldResult(j), zero},
                {one, aSize}, {one, one})};
            if (coefficients)
              next.push_back(tensor::InsertSliceOp::create(
                  e.b, e.loc, normalize(t), args[1], {OpFoldResult(j), zero},
                  {one, lSize}, {one, one}));
            return next;
          });
  if (coefficients)
    *coefficients = loop.getResult(1);
  return loop.getResult(0);
}

std::pair<Value, Value> spectral::emitIteration(OpBuilder &b, Location loc,
                                                Value x, Value vT,
                                                float gramCancellation) {
  E e{b, loc};
  int64_t l = dim(vT, 0);
  // One pass over X: Y = X·V, then Gᵀ = Yᵀ·X (metis-cpu-gemm runs the two
  // as one pass when they meet, 16 rows of X at a time).
  Value y = emitMatmul(b, loc, x, emitTranspose(b, loc, vT));
  Value gT = emitMatmulTransposeA(b, loc, y, x);
  Value tRows;
  Value qT = emitOrthonormalizeRows(b, loc, emitTranspose(b, loc, y), &tRows);
  Value zOne = emitMatmul(b, loc, tRows, gT);
  // Row norms of an l×A tensor (sequential f32 sums).
  auto rowNorms = [&](Value t) {
    MLIRContext *ctx = b.getContext();
    AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
    Value sq =
        linalg::GenericOp::create(
            b, loc, TypeRange{e.tensorType({l})}, ValueRange{t},
            ValueRange{e.zeros({l})},
            ArrayRef<AffineMap>{AffineMap::get(2, 0, {d0, d1}, ctx),
                                AffineMap::get(2, 0, {d0}, ctx)},
            ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                          utils::IteratorType::reduction},
            [](OpBuilder &nb, Location nloc, ValueRange args) {
              E s{nb, nloc};
              linalg::YieldOp::create(nb, nloc,
                                      s.add(args[1], s.mul(args[0], args[0])));
            })
            .getResult(0);
    return e.map({sq}, [](E &s, ValueRange v) { return s.sqrt(v[0]); });
  };
  Value gNorms = rowNorms(gT), zNorms = rowNorms(zOne);
  // Accurate iff no row of Zᵀ = T·Gᵀ cancels by more than
  // gramCancellation: Σ_s ‖g_s‖·|T[j][s]| ≤ gramCancellation·‖z_j‖ for
  // every j (false for NaN).
  Value accurate =
      e.loop(e.idx(0), e.idx(l), {e.i1(true)},
             [&](E &s, Value j, ValueRange ok) -> SmallVector<Value> {
               auto bound = s.loop(
                   s.idx(0), s.idx(l), {s.f(0.0f)},
                   [&](E &s, Value i, ValueRange acc) -> SmallVector<Value> {
                     return {
                         s.add(acc[0], s.mul(s.extract(gNorms, {i}),
                                             s.abs(s.extract(tRows, {j, i}))))};
                   });
               Value fits =
                   s.cmpf(arith::CmpFPredicate::OLE, bound.getResult(0),
                          s.mul(s.f(gramCancellation), s.extract(zNorms, {j})));
               return {s.andi(ok[0], fits)};
             })
          .getResult(0);
  // The second pass overwrites zOne's tensor, so that both branches yield
  // one buffer (an scf.if yielding two allocations bufferizes to a dynamic
  // layout, whose copies call into the MLIR runner library).
  auto zT = scf::IfOp::create(
      b, loc, accurate,
      [&](OpBuilder &nb, Location nloc) {
        scf::YieldOp::create(nb, nloc, zOne);
      },
      [&](OpBuilder &nb, Location nloc) {
        E s{nb, nloc};
        Value init =
            linalg::FillOp::create(nb, nloc, s.f(0.0f), zOne).getResult(0);
        scf::YieldOp::create(nb, nloc, emitMatmul(nb, nloc, qT, x, init));
      });
  return {qT, zT.getResult(0)};
}

SmallSVD spectral::emitSmallSVD(OpBuilder &b, Location loc, Value rT,
                                int64_t maxSweeps) {
  E top{b, loc};
  int64_t l = dim(rT, 0);
  Type index = b.getIndexType();
  Value w0 = top.tabulate({l, l}, top.f32(), [](E &e, ValueRange ivs) {
    return e.select(e.cmpi(arith::CmpIPredicate::eq, ivs[0], ivs[1]), e.f(1.0f),
                    e.f(0.0f));
  });

  // Sweeps of one-sided Jacobi on the rows of aT (= columns of A = R·W),
  // applying the same rotations to the rows of wT (= columns of W), while
  // the previous sweep rotated something and fewer than maxSweeps ran.
  Type i1 = b.getI1Type();
  SmallVector<Type> carried = {rT.getType(), w0.getType(), index, i1};
  auto sweeps = scf::WhileOp::create(
      b, loc, carried, ValueRange{rT, w0, top.idx(0), top.i1(true)},
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        E e{nb, nloc};
        Value more =
            e.cmpi(arith::CmpIPredicate::ult, args[2], e.idx(maxSweeps));
        scf::ConditionOp::create(nb, nloc, e.andi(more, args[3]), args);
      },
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        E e{nb, nloc};
        auto outer = e.loop(
            e.idx(0), e.idx(l), {args[0], args[1], e.i1(false)},
            [&](E &e, Value p, ValueRange pArgs) -> SmallVector<Value> {
              auto inner = e.loop(
                  e.addi(p, e.idx(1)), e.idx(l), pArgs,
                  [&](E &e, Value q, ValueRange qArgs) -> SmallVector<Value> {
                    Value aT = qArgs[0], wT = qArgs[1];
                    Value z = e.f(0.0f);
                    auto dots =
                        e.loop(e.idx(0), e.idx(l), {z, z, z},
                               [&](E &e, Value i,
                                   ValueRange acc) -> SmallVector<Value> {
                                 Value ap = e.extract(aT, {p, i});
                                 Value aq = e.extract(aT, {q, i});
                                 return {e.add(acc[0], e.mul(ap, ap)),
                                         e.add(acc[1], e.mul(aq, aq)),
                                         e.add(acc[2], e.mul(ap, aq))};
                               });
                    Value alpha = dots.getResult(0), beta = dots.getResult(1),
                          gamma = dots.getResult(2);
                    // Ordered >: a NaN never rotates, so NaN input ends the
                    // sweeps.
                    Value rotate = e.cmpf(
                        arith::CmpFPredicate::OGT, e.abs(gamma),
                        e.mul(e.mul(e.f(kJacobiTolerance), e.sqrt(alpha)),
                              e.sqrt(beta)));
                    auto ifOp = scf::IfOp::create(
                        e.b, e.loc, TypeRange{aT.getType(), wT.getType()},
                        rotate, /*withElseRegion=*/true);
                    {
                      OpBuilder::InsertionGuard guard(e.b);
                      e.b.setInsertionPointToStart(ifOp.thenBlock());
                      // ζ = (β − α)/(2γ), t = sign(ζ)/(|ζ| + √(1 + ζ²)),
                      // c = 1/√(1 + t²), s = c·t.
                      Value zeta =
                          e.div(e.sub(beta, alpha), e.mul(e.f(2.0f), gamma));
                      Value t = e.div(
                          math::CopySignOp::create(e.b, e.loc, e.f(1.0f), zeta),
                          e.add(e.abs(zeta),
                                e.sqrt(e.add(e.f(1.0f), e.mul(zeta, zeta)))));
                      Value c = e.div(e.f(1.0f),
                                      e.sqrt(e.add(e.f(1.0f), e.mul(t, t))));
                      Value s = e.mul(c, t);
                      auto rot = e.loop(
                          e.idx(0), e.idx(l), {aT, wT},
                          [&](E &e, Value i,
                              ValueRange mats) -> SmallVector<Value> {
                            SmallVector<Value> out;
                            for (Value mat : mats) {
                              Value xp = e.extract(mat, {p, i});
                              Value xq = e.extract(mat, {q, i});
                              Value np = e.sub(e.mul(c, xp), e.mul(s, xq));
                              Value nq = e.add(e.mul(s, xp), e.mul(c, xq));
                              mat = e.insert(np, mat, {p, i});
                              out.push_back(e.insert(nq, mat, {q, i}));
                            }
                            return out;
                          });
                      scf::YieldOp::create(e.b, e.loc, rot.getResults());
                      e.b.setInsertionPointToStart(ifOp.elseBlock());
                      scf::YieldOp::create(e.b, e.loc, ValueRange{aT, wT});
                    }
                    return {ifOp.getResult(0), ifOp.getResult(1),
                            e.ori(qArgs[2], rotate)};
                  });
              return SmallVector<Value>(inner.getResults());
            });
        scf::YieldOp::create(nb, nloc,
                             ValueRange{outer.getResult(0), outer.getResult(1),
                                        e.addi(args[2], e.idx(1)),
                                        outer.getResult(2)});
      });
  Value aT = sweeps.getResult(0), wT = sweeps.getResult(1);

  // σ_j = ‖row j of aT‖.
  Value sigma =
      top.loop(top.idx(0), top.idx(l), {top.empty({l})},
               [&](E &e, Value j, ValueRange args) -> SmallVector<Value> {
                 auto sum = e.loop(
                     e.idx(0), e.idx(l), {e.f(0.0f)},
                     [&](E &e, Value i, ValueRange acc) -> SmallVector<Value> {
                       Value a = e.extract(aT, {j, i});
                       return {e.add(acc[0], e.mul(a, a))};
                     });
                 return {e.insert(e.sqrt(sum.getResult(0)), args[0], {j})};
               })
          .getResult(0);

  // Descending stable order (NaN as +Inf): position of j = #{i before j},
  // i before j iff key_i > key_j or (key_i = key_j and i < j).
  Value order =
      top.loop(top.idx(0), top.idx(l), {top.empty({l}, index)},
               [&](E &e, Value j, ValueRange args) -> SmallVector<Value> {
                 auto key = [&](E &e, Value i) {
                   Value s = e.extract(sigma, {i});
                   return e.select(e.cmpf(arith::CmpFPredicate::UNO, s, s),
                                   e.f(std::numeric_limits<float>::infinity()),
                                   s);
                 };
                 Value kj = key(e, j);
                 auto count = e.loop(
                     e.idx(0), e.idx(l), {e.idx(0)},
                     [&](E &e, Value i, ValueRange acc) -> SmallVector<Value> {
                       Value ki = key(e, i);
                       Value before = e.ori(
                           e.cmpf(arith::CmpFPredicate::OGT, ki, kj),
                           e.andi(e.cmpf(arith::CmpFPredicate::OEQ, ki, kj),
                                  e.cmpi(arith::CmpIPredicate::ult, i, j)));
                       return {
                           e.select(before, e.addi(acc[0], e.idx(1)), acc[0])};
                     });
                 return {e.insert(j, args[0], {count.getResult(0)})};
               })
          .getResult(0);

  SmallSVD svd;
  svd.sigma = top.tabulate({l}, top.f32(), [&](E &e, ValueRange ivs) {
    return e.extract(sigma, {e.extract(order, {ivs[0]})});
  });
  // left[i][r] = aT[order r][i] / σ (0 where σ = 0).
  svd.left = top.tabulate({l, l}, top.f32(), [&](E &e, ValueRange ivs) {
    Value src = e.extract(order, {ivs[1]});
    Value s = e.extract(sigma, {src});
    Value a = e.extract(aT, {src, ivs[0]});
    return e.select(e.cmpf(arith::CmpFPredicate::OEQ, s, e.f(0.0f)), e.f(0.0f),
                    e.div(a, s));
  });
  svd.rightRows = top.tabulate({l, l}, top.f32(), [&](E &e, ValueRange ivs) {
    return e.extract(wT, {e.extract(order, {ivs[0]}), ivs[1]});
  });
  return svd;
}

//===----------------------------------------------------------------------===//
// The pattern
//===----------------------------------------------------------------------===//

namespace {

struct SpectralSplitLowering : OpConversionPattern<SpectralSplitOp> {
  SpectralSplitLowering(MLIRContext *ctx, float gramCancellation)
      : OpConversionPattern(ctx), gramCancellation(gramCancellation) {}

  LogicalResult
  matchAndRewrite(SpectralSplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    if (!inType.hasStaticShape())
      return op.emitOpError()
             << "lowering to linalg needs static M and N (dynamic shapes are "
                "not supported yet), got "
             << inType;
    E e{rewriter, loc};
    MLIRContext *ctx = rewriter.getContext();
    int64_t m = inType.getDimSize(0), n = inType.getDimSize(1);
    int64_t k = op.getRank();
    int64_t l = sketchWidth(m, n, k, op.getOversample());
    int64_t q = op.getPowerIters();
    Value seed = adaptor.getSeed();

    // X in f32 (bf16 is extended exactly).
    Value x = adaptor.getInput();
    if (!inType.getElementType().isF32())
      x = e.map({x}, [](E &s, ValueRange v) {
        return arith::ExtFOp::create(s.b, s.loc, s.f32(), v[0]).getResult();
      });

    // Starting subspace, as rows (l×N), and the iterations: [first, q), so
    // that q + 1 iterations never overflow for a huge power_iters.
    Value vT;
    int64_t first = 0;
    Value warm = adaptor.getWarmStart();
    if (warm) {
      warm = castTo(rewriter, loc, warm, e.tensorType({n, l}));
      vT = emitOrthonormalizeRows(rewriter, loc,
                                  emitTranspose(rewriter, loc, warm));
    } else if (op.getSketch() == Sketch::row_sampling) {
      vT = emitOrthonormalizeRows(rewriter, loc,
                                  emitSampledRows(rewriter, loc, x, l, seed));
    } else {
      // Ω itself is not orthonormalized: the first iteration starts with
      // Q = orth(X·Ω).
      vT = emitSketchTranspose(rewriter, loc, op.getSketch(), n, l, seed);
      first = -1;
    }

    // Subspace iterations: Q = orth(X·V); V = orth(Xᵀ·Q), with Xᵀ·Q from
    // the same pass over X as X·V where that is accurate
    // (emitIteration). The last one is peeled: its Q and Z = Xᵀ·Q give
    // the projection without another pass over X.
    struct Iteration {
      Value qT, zT, nextVT; // Qᵀ, Zᵀ = Qᵀ·X, orth(Z)ᵀ
    };
    auto iterate = [&](OpBuilder &b, Location loc, Value vT) {
      auto [qT, zT] = emitIteration(b, loc, x, vT, gramCancellation);
      return Iteration{qT, zT, emitOrthonormalizeRows(b, loc, zT)};
    };
    if (q - 1 > first)
      vT = e.loop(e.idx(first), e.idx(q - 1), {vT},
                  [&](E &s, Value, ValueRange args) -> SmallVector<Value> {
                    Value next = iterate(s.b, s.loc, args[0]).nextVT;
                    // Written back into the carried tensor, so that the loop
                    // bufferizes in place (yield equivalent to the iter_arg).
                    return {linalg::CopyOp::create(s.b, s.loc, next, args[0])
                                .getResult(0)};
                  })
               .getResult(0);

    // The projection onto the last Q (HMT's B = Qᵀ·X, never formed):
    // Rb = Qᵀ·X·V = Zᵀ·V (l×l, computed transposed: Vᵀ·Z) and Qb = Q, so
    // that X ≈ Qb·Rb·Vᵀ. With no iteration (t = 0): B = X·V, Qb = orth(B),
    // Rb = Qbᵀ·B (computed transposed: Bᵀ·Qb), so that X ≈ B·Vᵀ.
    Value qbT, rbT;
    if (q > first) {
      Iteration last = iterate(rewriter, loc, vT);
      vT = last.nextVT;
      qbT = last.qT;
      rbT = emitMatmulTransposeB(rewriter, loc, vT, last.zT);
    } else {
      Value bT = emitTimesBasis(rewriter, loc, x, vT);
      qbT = emitOrthonormalizeRows(rewriter, loc, bT);
      rbT = emitMatmulTransposeB(rewriter, loc, bT, qbT);
    }
    SmallSVD svd = emitSmallSVD(rewriter, loc, rbT);

    auto slice = [&](Value t, ArrayRef<int64_t> sizes) -> Value {
      auto type = e.tensorType(sizes);
      if (type == t.getType())
        return t;
      SmallVector<OpFoldResult> offsets(sizes.size(), rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> strides(sizes.size(), rewriter.getIndexAttr(1));
      return tensor::ExtractSliceOp::create(
          rewriter, loc, type, t, offsets,
          getAsIndexOpFoldResult(rewriter.getContext(), sizes), strides);
    };
    Value s = slice(svd.sigma, {k});
    // U = Qb·Ur[:, :k]; (V·W)ᵀ = Wᵀ·Vᵀ over the rows needed.
    Value u = emitMatmulTransposeA(rewriter, loc, qbT, slice(svd.left, {l, k}));
    int64_t vRows = warm ? l : k;
    Value vwT = emitMatmul(rewriter, loc, slice(svd.rightRows, {vRows, l}), vT);
    // A right vector whose singular value is exactly 0 carries nothing: its
    // Vt row is zeroed, like its U column (e.g. an all-zero X with a warm
    // start). The subspace result keeps all of V·W, so that a warm-start
    // thread does not lose directions.
    Value vt =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{e.tensorType({k, n})},
            ValueRange{slice(vwT, {k, n}), s}, ValueRange{e.empty({k, n})},
            ArrayRef<AffineMap>{
                AffineMap::getMultiDimIdentityMap(2, ctx),
                AffineMap::get(2, 0, {rewriter.getAffineDimExpr(0)}, ctx),
                AffineMap::getMultiDimIdentityMap(2, ctx)},
            {utils::IteratorType::parallel, utils::IteratorType::parallel},
            [](OpBuilder &nb, Location nloc, ValueRange args) {
              E t{nb, nloc};
              Value zero = t.f(0.0f);
              linalg::YieldOp::create(
                  nb, nloc,
                  t.select(t.cmpf(arith::CmpFPredicate::OEQ, args[1], zero),
                           zero, args[0]));
            })
            .getResult(0);

    // R = X − U·diag(S)·Vt: a matmul accumulating −(U·diag(S))·Vt into X.
    Value negUS =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{e.tensorType({m, k})}, ValueRange{u, s},
            ValueRange{e.empty({m, k})},
            ArrayRef<AffineMap>{
                AffineMap::getMultiDimIdentityMap(2, ctx),
                AffineMap::get(2, 0, {rewriter.getAffineDimExpr(1)}, ctx),
                AffineMap::getMultiDimIdentityMap(2, ctx)},
            {utils::IteratorType::parallel, utils::IteratorType::parallel},
            [](OpBuilder &nb, Location nloc, ValueRange args) {
              E t{nb, nloc};
              linalg::YieldOp::create(nb, nloc, t.neg(t.mul(args[0], args[1])));
            })
            .getResult(0);
    Value residual = emitResidual(rewriter, loc, x, negUS, vt);

    SmallVector<Value> results = {
        castTo(rewriter, loc, u, op.getU().getType()),
        castTo(rewriter, loc, s, op.getS().getType()),
        castTo(rewriter, loc, vt, op.getVt().getType()),
        castTo(rewriter, loc, residual, op.getResidual().getType())};
    if (warm) {
      Value subspace = emitTranspose(rewriter, loc, vwT);
      results.push_back(
          castTo(rewriter, loc, subspace, op.getSubspace().getType()));
    }
    rewriter.replaceOp(op, results);
    return success();
  }

  static Value castTo(OpBuilder &b, Location loc, Value v, Type type) {
    return v.getType() == type ? v : tensor::CastOp::create(b, loc, type, v);
  }

  float gramCancellation;
};

} // namespace

void mlir::metis::populateSpectralSplitToLinalgPatterns(
    RewritePatternSet &patterns, float gramCancellation) {
  patterns.add<SpectralSplitLowering>(patterns.getContext(), gramCancellation);
}
