//===- CPUVectorize.cpp - vectorized FP4 quantize/dequantize on CPU -------===//
//
// metis-cpu-vectorize: tiles the `metis.elementwise` generics of
// convert-metis-to-linalg to one vector of the innermost loop and vectorizes
// them with upstream linalg::vectorize (clang vectorizes none of these
// loops itself: the block amax and scale loops and the i4 code stores
// defeat its loop vectorizer, see docs/CPU.md).
//
// metis-lower-f4-vector-access: the byte-per-code memory form of f4E2M1FN
// for the vector loads and stores that creates.
//
//===----------------------------------------------------------------------===//

#include "metis/Conversion/MetisToLinalg/Tags.h"
#include "metis/Dialect/Metis/Transforms/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::metis {
#define GEN_PASS_DEF_METISCPUVECTORIZE
#define GEN_PASS_DEF_METISLOWERF4VECTORACCESS
#include "metis/Dialect/Metis/Transforms/Passes.h.inc"
} // namespace mlir::metis

using namespace mlir;
using namespace mlir::metis;

namespace {

/// Largest innermost extent vectorized whole when it is not a multiple of
/// the vector width (an MXFP4 block of 32 at width 16 is a multiple).
constexpr int64_t kMaxWholeExtent = 64;

/// Why `op` cannot be vectorized exactly, or "" when it can.
std::string whyNotVectorizable(linalg::GenericOp op, int64_t width,
                               int64_t &innerTile) {
  if (!op.hasPureTensorSemantics())
    return "not on tensors";
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.empty())
    return "no loops";
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return "dynamic loop bounds";
  // Reordering a reduction is exact only for max/min.
  for (OpOperand &init : op.getDpsInitsMutable()) {
    if (op.getNumReductionLoops() == 0 ||
        !op.payloadUsesValueFromOperand(&init))
      continue;
    SmallVector<Operation *> combiners;
    if (!matchReduction(op.getRegionOutputArgs(),
                        init.getOperandNumber() - op.getNumDpsInputs(),
                        combiners) ||
        combiners.size() != 1 ||
        !isa<arith::MaximumFOp, arith::MinimumFOp>(combiners[0]))
      return "a reduction that is not arith.maximumf/minimumf";
  }
  int64_t inner = ranges.back();
  innerTile = inner % width == 0 ? width : inner;
  if (innerTile > kMaxWholeExtent)
    return "an innermost extent that is not a multiple of the vector width";
  return "";
}

/// A body with at least this many `math.fma` (a fused residual's k terms,
/// each depending on the one before) is computed kChainUnroll vectors at a
/// time (rows, else unrolled iterations of its innermost loop).
constexpr int64_t kMinChain = 4, kChainUnroll = 4;

bool isFmaChain(linalg::GenericOp op) {
  int64_t fmas = 0;
  op.getBody()->walk([&](math::FmaOp) { ++fmas; });
  return fmas >= kMinChain;
}

/// Reorders the ops of `block` (its terminator stays last): the unrolled
/// copies op by op, round robin (copy 0's next op, copy 1's next op, ...),
/// and every other op as early as it can go, each op placed once every
/// value it uses is. The copies' FMA chains then issue side by side rather
/// than one after the other, and their loads of a shared operand are
/// adjacent (the same value after CSE). Legal because the block works on
/// tensors and has no memory effects: only SSA edges order it. `copies[i]`
/// holds copy i's top-level ops in program order.
void interleaveCopies(Block &block, ArrayRef<SmallVector<Operation *>> copies) {
  if (!llvm::all_of(block.without_terminator(),
                    [](Operation &op) { return isMemoryEffectFree(&op); }))
    return;
  llvm::SmallPtrSet<Operation *, 32> inCopy;
  for (ArrayRef<Operation *> copy : copies)
    inCopy.insert(copy.begin(), copy.end());
  SmallVector<Operation *> others;
  for (Operation &op : block.without_terminator())
    if (!inCopy.contains(&op))
      others.push_back(&op);
  llvm::SmallPtrSet<Operation *, 32> placed;
  auto ready = [&](Operation *op) {
    WalkResult r = op->walk([&](Operation *nested) {
      for (Value v : nested->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (!def)
          continue; // a block argument: the iv, or a nested region's own
        Operation *top = block.findAncestorOpInBlock(*def);
        if (top && top != op && !placed.contains(top))
          return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    return !r.wasInterrupted();
  };
  // List scheduling, computed first and applied only when complete: the
  // other ops (slices, ivs) in program order as soon as ready, else the
  // ready copy op earliest in its copy, lowest copy first on ties; an op
  // waiting for an earlier copy's result (the destination tensor threaded
  // through the copies) lets the others pass.
  // (position in its copy, op) of each copy op not placed yet.
  SmallVector<SmallVector<std::pair<size_t, Operation *>>> pending;
  for (ArrayRef<Operation *> copy : copies)
    pending.emplace_back(llvm::map_range(llvm::enumerate(copy), [](auto e) {
      return std::make_pair(e.index(), e.value());
    }));
  SmallVector<Operation *> order;
  auto place = [&](Operation *op) {
    order.push_back(op);
    placed.insert(op);
  };
  while (true) {
    auto other = llvm::find_if(others, ready);
    if (other != others.end()) {
      place(*other);
      others.erase(other);
      continue;
    }
    std::optional<std::pair<size_t, size_t>> best; // (copy, index)
    for (auto [c, ops] : llvm::enumerate(pending)) {
      for (auto [i, entry] : llvm::enumerate(ops)) {
        if (best && entry.first >= pending[best->first][best->second].first)
          break;
        if (ready(entry.second)) {
          best = {c, i};
          break;
        }
      }
    }
    if (!best)
      break;
    auto [c, i] = *best;
    place(pending[c][i].second);
    pending[c].erase(pending[c].begin() + i);
  }
  // Unreachable for SSA in one block; keep the order as it was if it is.
  if (!others.empty() ||
      llvm::any_of(pending, [](auto &ops) { return !ops.empty(); }))
    return;
  Operation *terminator = block.getTerminator();
  for (Operation *op : order)
    op->moveBefore(terminator);
}

/// Inlines the single-iteration loops at the end of `loops` (the vector's
/// own), then unrolls the innermost loop of more than one iteration by
/// kChainUnroll and interleaves the copies (each vector of a fused residual
/// is a chain of k dependent FMAs, 4-cycle latency each). For a fused
/// residual's row tile that loop is the tile's kChainUnroll rows: it is
/// unrolled away and the copies, which share Vt's loads, interleave in the
/// enclosing block. For the fallback (rows that are not a multiple of
/// kChainUnroll) it is the innermost loop, whose copies interleave in the
/// unrolled loop when at least two iterations of it remain and otherwise
/// stay in copy order. The row tiles are what made the fused residual cost
/// about as much as quantizing X itself (docs/SpectralFidelity.md).
void unrollAndInterleave(RewriterBase &rewriter,
                         ArrayRef<LoopLikeOpInterface> loops, bool rowTile) {
  for (LoopLikeOpInterface loop : llvm::reverse(loops)) {
    auto forOp = dyn_cast<scf::ForOp>(loop.getOperation());
    std::optional<APInt> trips =
        forOp ? forOp.getStaticTripCount() : std::nullopt;
    if (!trips)
      continue;
    // Inlined first, so that the copies' vector ops are siblings.
    if (trips->ule(1)) {
      (void)forOp.promoteIfSingleIteration(rewriter);
      continue;
    }
    SmallVector<SmallVector<Operation *>> copies(kChainUnroll);
    Block *parent = forOp->getBlock();
    // Failure leaves the loop as it was: slower, not wrong.
    if (failed(loopUnrollByFactor(forOp, kChainUnroll,
                                  [&](unsigned i, Operation *op, OpBuilder) {
                                    copies[i].push_back(op);
                                  })) ||
        copies[0].empty())
      return;
    // Unrolled away when fewer than two unrolled iterations remained: the
    // copies now lie in `parent`.
    Block *block = copies[0].front()->getBlock();
    if (block != parent || rowTile)
      interleaveCopies(*block, copies);
    return;
  }
}

/// Every op the pass does not vectorize is still correct, only scalar: it
/// says so, once per op.
void leftScalar(Operation *op, StringRef why) {
  op->emitRemark() << "metis-cpu-vectorize: left scalar: " << why;
}

/// 1 x .. x 1 x width -> width, vectorized. The unit loops are dropped
/// first, so that every vector is 1-D (convert-arith-to-llvm lowers some
/// ops, e.g. arith.mului_extended of the random bits, only on 1-D vectors).
void vectorizeTile(RewriterBase &rewriter, linalg::GenericOp generic) {
  rewriter.setInsertionPoint(generic);
  linalg::ControlDropUnitDims control;
  control.rankReductionStrategy =
      linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
  FailureOr<linalg::DropUnitDimsResult> dropped =
      linalg::dropUnitDims(rewriter, generic, control);
  if (succeeded(dropped)) {
    rewriter.replaceOp(generic, dropped->replacements);
    generic = cast<linalg::GenericOp>(dropped->resultOp.getOperation());
  }
  rewriter.setInsertionPoint(generic);
  FailureOr<linalg::VectorizationResult> vec =
      linalg::vectorize(rewriter, generic);
  // The precondition held for the same body, so this is not expected; the
  // tile's scalar loops stay, still exact.
  if (failed(vec)) {
    leftScalar(generic, "upstream vectorization of a tile failed");
    return;
  }
  rewriter.replaceOp(generic, vec->replacements);
}

/// `multi_reduction <maximumf>` of `math.absf` values over a whole 1-D
/// vector -> an unsigned integer max of their bits, then `maximumf` with the
/// accumulator. x86 has no NaN-propagating float max, so LLVM expands
/// `vector.reduce.fmaximum` lane by lane with NaN checks (a third of an
/// NVFP4 quantize); `vpmaxud` needs none. Exact: with the sign bit clear,
/// the bits of +0 < subnormals < normals < +inf < NaNs order as unsigned
/// integers, so the integer max is the float max, and a NaN when any lane
/// is NaN (its payload may differ; no result depends on it).
struct AbsMaxAsIntegerMax : OpRewritePattern<vector::MultiDimReductionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::MultiDimReductionOp op,
                                PatternRewriter &rewriter) const override {
    VectorType type = op.getSourceVectorType();
    if (op.getKind() != vector::CombiningKind::MAXIMUMF ||
        type.getRank() != 1 || !type.getElementType().isF32() ||
        !op.getSource().getDefiningOp<math::AbsFOp>() ||
        isa<VectorType>(op.getDest().getType()))
      return failure();
    Location loc = op.getLoc();
    auto i32 = rewriter.getI32Type();
    Value bits = vector::BitCastOp::create(
        rewriter, loc, VectorType::get(type.getShape(), i32), op.getSource());
    Value max = vector::ReductionOp::create(rewriter, loc,
                                            vector::CombiningKind::MAXUI, bits);
    Value maxF =
        arith::BitcastOp::create(rewriter, loc, rewriter.getF32Type(), max);
    rewriter.replaceOpWithNewOp<arith::MaximumFOp>(op, op.getAcc(), maxF);
    return success();
  }
};

struct CPUVectorizePass : metis::impl::MetisCPUVectorizeBase<CPUVectorizePass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *ctx) override {
    if (vectorWidth < 1 || vectorWidth > 64)
      return emitError(UnknownLoc::get(ctx))
             << "metis-cpu-vectorize: vector-width must be in [1, 64], got "
             << vectorWidth.getValue();
    return success();
  }

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> todo;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (op->hasAttr(kElementwiseAttrName))
        todo.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : todo) {
      int64_t innerTile = 0;
      std::string why = whyNotVectorizable(op, vectorWidth, innerTile);
      if (why.empty()) {
        // The body decides (the shapes are static): check before tiling so
        // that a refusal leaves the op whole.
        if (failed(linalg::vectorizeOpPrecondition(op)))
          why = "upstream linalg::vectorize refuses its body";
      }
      if (!why.empty()) {
        leftScalar(op, why);
        continue;
      }
      // A fused residual (a chain of k dependent FMAs per element) takes
      // kChainUnroll rows per tile: the rows' elements are computed side by
      // side, each vector of Vt's rows loaded once for all of them.
      bool chained = isFmaChain(op);
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      bool rowTiles =
          chained && ranges.size() >= 2 && ranges[0] % kChainUnroll == 0 &&
          op.getIteratorTypesArray()[0] == utils::IteratorType::parallel;
      auto tileSizes = [&](int64_t rows) {
        SmallVector<OpFoldResult> tiles(op.getNumLoops(),
                                        rewriter.getIndexAttr(1));
        tiles.front() = rewriter.getIndexAttr(rows);
        tiles.back() = rewriter.getIndexAttr(innerTile);
        return tiles;
      };
      scf::SCFTilingOptions options;
      options.setTileSizes(tileSizes(rowTiles ? kChainUnroll : 1));
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled)) {
        leftScalar(op, "upstream tiling failed");
        continue;
      }
      rewriter.replaceOp(op, tiled->replacements);
      for (Operation *tile : tiled->tiledOps) {
        if (!rowTiles) {
          vectorizeTile(rewriter, cast<linalg::GenericOp>(tile));
          continue;
        }
        // kChainUnroll x 1 x .. x width -> one row per tile, unrolled.
        scf::SCFTilingOptions rowOptions;
        rowOptions.setTileSizes(tileSizes(1));
        rewriter.setInsertionPoint(tile);
        FailureOr<scf::SCFTilingResult> rows = scf::tileUsingSCF(
            rewriter, cast<TilingInterface>(tile), rowOptions);
        if (failed(rows)) {
          leftScalar(tile, "upstream tiling failed");
          continue;
        }
        rewriter.replaceOp(tile, rows->replacements);
        for (Operation *row : rows->tiledOps)
          vectorizeTile(rewriter, cast<linalg::GenericOp>(row));
        unrollAndInterleave(rewriter, rows->loops, /*rowTile=*/true);
      }
      if (chained && !rowTiles)
        unrollAndInterleave(rewriter, tiled->loops, /*rowTile=*/false);
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<AbsMaxAsIntegerMax>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

//===----------------------------------------------------------------------===//
// metis-lower-f4-vector-access
//===----------------------------------------------------------------------===//

bool isF4(Type t) { return isa<Float4E2M1FNType>(t); }

/// The `!llvm.ptr` to the byte of element `indices` of `memref` (one byte
/// per f4 code), or failure when its innermost stride is not 1.
FailureOr<Value> elementPointer(OpBuilder &b, Location loc,
                                TypedValue<MemRefType> memref,
                                ValueRange indices) {
  auto [strides, offset] = memref.getType().getStridesAndOffset();
  if (strides.empty() || strides.back() != 1)
    return failure();
  auto md = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  Value linear = md.getOffset();
  for (auto [i, index] : llvm::enumerate(indices))
    linear = arith::AddIOp::create(
        b, loc, linear,
        arith::MulIOp::create(b, loc, index, md.getStrides()[i]));
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  Value addr = arith::IndexCastOp::create(
      b, loc, b.getI64Type(), arith::AddIOp::create(b, loc, base, linear));
  return LLVM::IntToPtrOp::create(
             b, loc, LLVM::LLVMPointerType::get(b.getContext()), addr)
      .getResult();
}

VectorType withElement(VectorType v, Type element) {
  return VectorType::get(v.getShape(), element);
}

/// Loads `type` (vector<N x f4E2M1FN>) as N bytes.
Value loadCodes(OpBuilder &b, Location loc, Value ptr, VectorType type) {
  Value bytes = LLVM::LoadOp::create(b, loc, withElement(type, b.getI8Type()),
                                     ptr, /*alignment=*/1);
  Value nibbles = arith::TruncIOp::create(
      b, loc, withElement(type, b.getIntegerType(4)), bytes);
  return arith::BitcastOp::create(b, loc, type, nibbles);
}

/// Stores `codes` (vector<N x f4E2M1FN>) as N bytes.
void storeCodes(OpBuilder &b, Location loc, Value ptr, Value codes) {
  auto type = cast<VectorType>(codes.getType());
  Value nibbles = arith::BitcastOp::create(
      b, loc, withElement(type, b.getIntegerType(4)), codes);
  Value bytes =
      arith::ExtUIOp::create(b, loc, withElement(type, b.getI8Type()), nibbles);
  LLVM::StoreOp::create(b, loc, bytes, ptr, /*alignment=*/1);
}

/// Why a transfer on f4 memory cannot become a byte access, or "".
std::string whyNotByteTransfer(VectorTransferOpInterface op) {
  if (op.getVectorType().getRank() != 1)
    return "it is not 1-D (run convert-vector-to-scf first)";
  if (op.getMask())
    return "it is masked";
  if (!op.isDimInBounds(0))
    return "it may be out of bounds";
  AffineMap map = op.getPermutationMap();
  if (!map.isMinorIdentity() || map.getNumResults() != 1)
    return "it is not along the innermost dim";
  return "";
}

/// The memory side of a vector load or store.
struct Access {
  Operation *op;
  Value base;
  ValueRange indices;
  VectorType vectorType;
  bool isRead;
};

std::optional<Access> getAccess(Operation *op) {
  if (auto r = dyn_cast<vector::TransferReadOp>(op))
    return Access{op, r.getBase(), r.getIndices(), r.getVectorType(), true};
  if (auto w = dyn_cast<vector::TransferWriteOp>(op))
    return Access{op, w.getBase(), w.getIndices(), w.getVectorType(), false};
  if (auto l = dyn_cast<vector::LoadOp>(op))
    return Access{op, l.getBase(), l.getIndices(), l.getVectorType(), true};
  if (auto s = dyn_cast<vector::StoreOp>(op))
    return Access{op, s.getBase(), s.getIndices(), s.getVectorType(), false};
  return std::nullopt;
}

struct LowerF4VectorAccessPass
    : metis::impl::MetisLowerF4VectorAccessBase<LowerF4VectorAccessPass> {
  void runOnOperation() override {
    SmallVector<Access> todo;
    getOperation()->walk([&](Operation *op) {
      std::optional<Access> access = getAccess(op);
      if (access && isF4(getElementTypeOrSelf(access->base.getType())))
        todo.push_back(*access);
    });
    OpBuilder b(&getContext());
    for (Access &access : todo) {
      Operation *op = access.op;
      b.setInsertionPoint(op);
      Location loc = op->getLoc();
      std::string why;
      if (auto t = dyn_cast<VectorTransferOpInterface>(op))
        why = whyNotByteTransfer(t);
      else if (access.vectorType.getRank() != 1)
        why = "it is not 1-D";
      auto memref = dyn_cast<TypedValue<MemRefType>>(access.base);
      if (why.empty() && !memref)
        why = "it is not on a memref (bufferize first)";
      FailureOr<Value> ptr = failure();
      if (why.empty()) {
        ptr = elementPointer(b, loc, memref, access.indices);
        if (failed(ptr))
          why = "its memref's innermost stride is not 1";
      }
      if (!why.empty()) {
        op->emitError() << "metis-lower-f4-vector-access: cannot access "
                           "f4E2M1FN memory (one code per byte) as a "
                           "vector: "
                        << why;
        return signalPassFailure();
      }
      if (access.isRead)
        op->getResult(0).replaceAllUsesWith(
            loadCodes(b, loc, *ptr, access.vectorType));
      else
        storeCodes(b, loc, *ptr, op->getOperand(0));
      op->erase();
    }
  }
};

} // namespace
