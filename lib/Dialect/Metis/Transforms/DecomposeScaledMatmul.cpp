//===- DecomposeScaledMatmul.cpp - scaled_matmul as dequantize + linalg ---===//

#include "metis/Dialect/Metis/IR/MetisOps.h"
#include "metis/Dialect/Metis/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::metis {
#define GEN_PASS_DEF_METISDECOMPOSESCALEDMATMUL
#include "metis/Dialect/Metis/Transforms/Passes.h.inc"
} // namespace mlir::metis

using namespace mlir;
using namespace mlir::metis;

namespace {

/// metis.scaled_matmul -> 2 x metis.dequantize + linalg.generic (+ truncf).
struct DecomposeScaledMatmul : OpRewritePattern<ScaledMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScaledMatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto lhsType = op.getLhs().getType();
    auto rhsType = op.getRhs().getType();
    auto resultType = op.getResult().getType();
    int64_t rank = lhsType.getRank();
    Type f32 = rewriter.getF32Type();
    IntegerAttr axis = rewriter.getI64IntegerAttr(rank - 1);

    auto dequantize = [&](Value values, Value scales, Value tensorScale,
                          RankedTensorType type) -> Value {
      auto resType = RankedTensorType::get(type.getShape(), f32);
      return DequantizeOp::create(rewriter, loc, resType, values, scales,
                                  tensorScale, op.getFormat(), axis);
    };
    Value a = dequantize(op.getLhs(), op.getLhsScales(),
                         op.getLhsTensorScale(), lhsType);
    Value b = dequantize(op.getRhs(), op.getRhsScales(),
                         op.getRhsTensorScale(), rhsType);

    // Zero-filled f32 accumulator [.., M, N]; dynamic extents come from A/B.
    SmallVector<OpFoldResult> sizes;
    if (rank == 3)
      sizes.push_back(tensor::getMixedSize(rewriter, loc, a, 0));
    sizes.push_back(tensor::getMixedSize(rewriter, loc, a, rank - 2));
    sizes.push_back(tensor::getMixedSize(rewriter, loc, b, rank - 2));
    Value empty = tensor::EmptyOp::create(rewriter, loc, sizes, f32);
    Value zero = arith::ConstantOp::create(rewriter, loc, f32,
                                           rewriter.getF32FloatAttr(0.0f));
    Value init =
        linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);

    // Loops (b,) m, n, k: A[.., m, k] * B[.., n, k] -> C[.., m, n].
    MLIRContext *ctx = rewriter.getContext();
    unsigned nLoops = rank + 1;
    AffineExpr m = getAffineDimExpr(nLoops - 3, ctx);
    AffineExpr n = getAffineDimExpr(nLoops - 2, ctx);
    AffineExpr k = getAffineDimExpr(nLoops - 1, ctx);
    SmallVector<AffineExpr> aExprs, bExprs, cExprs;
    if (rank == 3) {
      AffineExpr batch = getAffineDimExpr(0, ctx);
      aExprs.push_back(batch);
      bExprs.push_back(batch);
      cExprs.push_back(batch);
    }
    aExprs.append({m, k});
    bExprs.append({n, k});
    cExprs.append({m, n});
    SmallVector<AffineMap> maps = {AffineMap::get(nLoops, 0, aExprs, ctx),
                                   AffineMap::get(nLoops, 0, bExprs, ctx),
                                   AffineMap::get(nLoops, 0, cExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(nLoops - 1,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    auto contraction = linalg::GenericOp::create(
        rewriter, loc, init.getType(), ValueRange{a, b}, ValueRange{init},
        maps, iterators,
        [](OpBuilder &builder, Location loc, ValueRange args) {
          Value prod = arith::MulFOp::create(builder, loc, args[0], args[1]);
          Value sum = arith::AddFOp::create(builder, loc, args[2], prod);
          linalg::YieldOp::create(builder, loc, sum);
        });
    Value result = contraction.getResult(0);

    if (resultType.getElementType() != f32) {
      Value out = tensor::EmptyOp::create(rewriter, loc, sizes,
                                          resultType.getElementType());
      auto identity = rewriter.getMultiDimIdentityMap(rank);
      result = linalg::GenericOp::create(
                   rewriter, loc, out.getType(), ValueRange{result},
                   ValueRange{out}, SmallVector<AffineMap>{identity, identity},
                   SmallVector<utils::IteratorType>(
                       rank, utils::IteratorType::parallel),
                   [&](OpBuilder &builder, Location loc, ValueRange args) {
                     Value t = arith::TruncFOp::create(
                         builder, loc, resultType.getElementType(), args[0]);
                     linalg::YieldOp::create(builder, loc, t);
                   })
                   .getResult(0);
    }
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct MetisDecomposeScaledMatmulPass
    : metis::impl::MetisDecomposeScaledMatmulBase<MetisDecomposeScaledMatmulPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDecomposeScaledMatmulPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::metis::populateDecomposeScaledMatmulPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DecomposeScaledMatmul>(patterns.getContext());
}
