//===- FuseResidual.cpp - the split's residual fused into its quantization ===//
//
// metis-fuse-residual: R = X − U·diag(S)·Vt, an elementwise generic tagged
// metis.residual, recomputed inside each quantize generic that reads it
// (through the blocking tensor.expand_shape) instead of being stored. The
// elementwise fusion is upstream's; what is here is the reshape of the
// residual onto the blocks (its operands are X, columns and rows, so the
// expansion is direct) and a private copy of the residual per consumer, so
// that upstream does not keep R as an extra result of the first fusion.
//
//===----------------------------------------------------------------------===//

#include "metis/Conversion/MetisToLinalg/Tags.h"
#include "metis/Dialect/Metis/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::metis {
#define GEN_PASS_DEF_METISFUSERESIDUAL
#include "metis/Dialect/Metis/Transforms/Passes.h.inc"
} // namespace mlir::metis

using namespace mlir;
using namespace mlir::metis;

namespace {

/// The residual on the blocked shape of `expand` (reassociation [[0], [1,
/// 2]] of its M×N result): X expanded alike, the rows of Vt (indexed by
/// the column) expanded to blocks, the columns of −U·S (indexed by the row)
/// as they are; the same body and tags. Null if `residual` has another
/// form.
linalg::GenericOp expandResidual(RewriterBase &rewriter,
                                 linalg::GenericOp residual,
                                 tensor::ExpandShapeOp expand) {
  auto resultType = expand.getResultType();
  SmallVector<ReassociationIndices> reassociation =
      expand.getReassociationIndices();
  if (residual.getNumDpsInits() != 1 || residual.getNumLoops() != 2 ||
      !resultType.hasStaticShape() || resultType.getRank() != 3 ||
      reassociation.size() != 2 || reassociation[0].size() != 1 ||
      reassociation[1].size() != 2)
    return {};
  MLIRContext *ctx = rewriter.getContext();
  Location loc = residual.getLoc();
  AffineExpr d0 = rewriter.getAffineDimExpr(0),
             d1 = rewriter.getAffineDimExpr(1),
             d2 = rewriter.getAffineDimExpr(2);
  int64_t blocks = resultType.getDimSize(1), block = resultType.getDimSize(2);
  AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap row = AffineMap::get(2, 0, {d0}, ctx);
  AffineMap col = AffineMap::get(2, 0, {d1}, ctx);

  rewriter.setInsertionPoint(expand);
  SmallVector<Value> ins;
  SmallVector<AffineMap> maps;
  for (OpOperand *input : residual.getDpsInputOperands()) {
    AffineMap map = residual.getMatchingIndexingMap(input);
    Value v = input->get();
    auto type = cast<RankedTensorType>(v.getType());
    if (map == id2) {
      ins.push_back(tensor::ExpandShapeOp::create(
          rewriter, loc, resultType.clone(type.getElementType()), v,
          reassociation));
      maps.push_back(AffineMap::getMultiDimIdentityMap(3, ctx));
    } else if (map == row) {
      ins.push_back(v);
      maps.push_back(AffineMap::get(3, 0, {d0}, ctx));
    } else if (map == col) {
      auto blocked =
          RankedTensorType::get({blocks, block}, type.getElementType());
      ins.push_back(tensor::ExpandShapeOp::create(
          rewriter, loc, blocked, v, ArrayRef<ReassociationIndices>{{0, 1}}));
      maps.push_back(AffineMap::get(3, 0, {d1, d2}, ctx));
    } else {
      return {};
    }
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(3, ctx));
  Value init = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                       resultType.getElementType());
  auto expanded = linalg::GenericOp::create(
      rewriter, loc, TypeRange{resultType}, ins, ValueRange{init}, maps,
      SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel));
  IRMapping mapping;
  residual.getRegion().cloneInto(&expanded.getRegion(), mapping);
  expanded->setDiscardableAttrs(residual->getDiscardableAttrDictionary());
  return expanded;
}

/// Rows that the residual reads through extract_slices [j, 0] [1, N] of one
/// 2-D tensor (Vt) are re-sliced from a zero-padded copy whose row pitch is
/// an odd number of 64-byte lines. Every vector of R reads one line of each of
/// the k rows: at a pitch of a power of two (N a multiple of 1024) they all
/// fall in one L1 set, k = 16 lines against 12 ways, and miss to L2 each time.
void padRowOperands(RewriterBase &rewriter, linalg::GenericOp residual) {
  AffineMap col = AffineMap::get(2, 0, {rewriter.getAffineDimExpr(1)},
                                 rewriter.getContext());
  SmallVector<std::pair<OpOperand *, int64_t>> rows;
  Value source;
  for (OpOperand *input : residual.getDpsInputOperands()) {
    if (residual.getMatchingIndexingMap(input) != col)
      continue;
    auto slice = input->get().getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice || (source && slice.getSource() != source) ||
        slice.getSourceType().getRank() != 2 ||
        !slice.getSourceType().hasStaticShape() || !slice.hasUnitStride() ||
        ShapedType::isDynamicShape(slice.getStaticOffsets()) ||
        slice.getStaticOffsets()[1] != 0 ||
        slice.getStaticSizes() !=
            ArrayRef<int64_t>{1, slice.getSourceType().getDimSize(1)})
      return;
    source = slice.getSource();
    rows.push_back({input, slice.getStaticOffsets()[0]});
  }
  if (rows.size() < 2)
    return;
  auto type = cast<RankedTensorType>(source.getType());
  int64_t n = type.getDimSize(1);
  int64_t bytes = n * type.getElementTypeBitWidth() / 8, line = 64;
  if (bytes % line != 0 || (bytes / line) % 2 != 0)
    return;
  int64_t pad = line * 8 / type.getElementTypeBitWidth();
  Location loc = residual.getLoc();
  rewriter.setInsertionPoint(residual);
  auto paddedType = RankedTensorType::get({type.getDimSize(0), n + pad},
                                          type.getElementType());
  // tensor.generate, not tensor.pad: a pad bufferizes to a strided
  // memref.copy, which lowers to a call into the MLIR runner library.
  // k·(N + pad) scalar copies, against k FMAs per element of the M×N R.
  auto generate = tensor::GenerateOp::create(
      rewriter, loc, paddedType, ValueRange{},
      [&](OpBuilder &b, Location l, ValueRange ivs) {
        Value last = arith::ConstantIndexOp::create(b, l, n - 1);
        Value inside = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ule,
                                             ivs[1], last);
        Value clamped = arith::MinUIOp::create(b, l, ivs[1], last);
        Value v = tensor::ExtractOp::create(b, l, source,
                                            ValueRange{ivs[0], clamped});
        Value zero = arith::ConstantOp::create(
            b, l, b.getZeroAttr(type.getElementType()));
        tensor::YieldOp::create(
            b, l, arith::SelectOp::create(b, l, inside, v, zero).getResult());
      });
  Value padded = generate.getResult();
  for (auto [input, row] : rows) {
    Value slice = tensor::ExtractSliceOp::create(
        rewriter, loc, cast<RankedTensorType>(input->get().getType()), padded,
        ValueRange{}, ValueRange{}, ValueRange{},
        rewriter.getDenseI64ArrayAttr({row, 0}),
        rewriter.getDenseI64ArrayAttr({1, n}),
        rewriter.getDenseI64ArrayAttr({1, 1}));
    OpOperand *operand = input;
    rewriter.modifyOpInPlace(residual, [&] { operand->set(slice); });
  }
}

/// Fuses a private copy of `producer` into every tagged generic that reads
/// it; returns whether all of its uses went.
bool fuseIntoConsumers(RewriterBase &rewriter, linalg::GenericOp producer) {
  SmallVector<OpOperand *> uses;
  for (OpOperand &use : producer->getResult(0).getUses())
    uses.push_back(&use);
  for (OpOperand *use : uses) {
    auto consumer = dyn_cast<linalg::GenericOp>(use->getOwner());
    if (!consumer || !consumer->hasAttr(kElementwiseAttrName) ||
        !consumer.isDpsInput(use) || !linalg::areElementwiseOpsFusable(use))
      continue;
    // A private copy: fused into a consumer that shares the producer,
    // upstream would keep R as an extra result for the other consumers.
    rewriter.setInsertionPoint(producer);
    Operation *copy = rewriter.clone(*producer);
    rewriter.modifyOpInPlace(consumer, [&] { use->set(copy->getResult(0)); });
    // Upstream builds the fused op at the insertion point.
    rewriter.setInsertionPoint(consumer);
    FailureOr<linalg::ElementwiseOpFusionResult> fused =
        linalg::fuseElementwiseOps(rewriter, use);
    if (failed(fused)) {
      rewriter.modifyOpInPlace(consumer,
                               [&] { use->set(producer->getResult(0)); });
      rewriter.eraseOp(copy);
      continue;
    }
    fused->fusedOp->setDiscardableAttrs(
        consumer->getDiscardableAttrDictionary());
    for (auto [old, replacement] : fused->replacements)
      rewriter.replaceAllUsesExcept(old, replacement, fused->fusedOp);
    if (consumer->use_empty())
      rewriter.eraseOp(consumer);
    if (copy->use_empty())
      rewriter.eraseOp(copy);
  }
  return producer->use_empty();
}

struct FuseResidualPass : metis::impl::MetisFuseResidualBase<FuseResidualPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> residuals;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (op->hasAttr(kResidualAttrName) && op.hasPureTensorSemantics())
        residuals.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp residual : residuals) {
      Value r = residual->getResult(0);
      // Every user must be the blocking reshape of a quantization.
      if (!llvm::all_of(r.getUsers(), llvm::IsaPred<tensor::ExpandShapeOp>))
        continue;
      SmallVector<tensor::ExpandShapeOp> expands;
      for (Operation *user : r.getUsers())
        expands.push_back(cast<tensor::ExpandShapeOp>(user));
      padRowOperands(rewriter, residual);
      for (tensor::ExpandShapeOp expand : expands) {
        linalg::GenericOp blocked = expandResidual(rewriter, residual, expand);
        if (!blocked)
          continue;
        rewriter.replaceOp(expand, blocked->getResults());
        if (fuseIntoConsumers(rewriter, blocked))
          rewriter.eraseOp(blocked);
      }
      if (residual->use_empty())
        rewriter.eraseOp(residual);
    }
  }
};

} // namespace
