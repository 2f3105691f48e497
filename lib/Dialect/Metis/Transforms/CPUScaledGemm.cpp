//===- CPUScaledGemm.cpp - BLIS-style CPU GEMM for FP4 contractions -------===//
//
// Rewrites the memref linalg.generic tagged `metis.scaled_contraction` into
// the Goto/BLIS loop nest (shared docs/CPU_CODEGEN.md):
//
//   for bt                       batch, if any
//    for jc in N step NC         independent C columns: thread-splittable
//     for pc in K step KC        sequential: accumulates into C
//      pack B[jc.., pc..] -> Bp[NC/NR][KC][NRp]  decoded f32 (code · scale)
//      for ic in M step MC       independent C rows: thread-splittable, Bp
//                                shared read-only, one Ap per thread
//       pack A[ic.., pc..] -> Ap[MC/MR][KC][MRp]
//       for jr, ir: MR x NR micro-kernel, C tile in MR·NR/VW vector registers
//
// Decoding while packing costs O(MK·ceil(N/NC) + NK) against O(MNK) FMAs. An f4
// vector is bit-packed in LLVM while memory holds one code per byte, so with
// static strides codes are loaded as byte vectors through an !llvm.ptr (one
// load per row and scale block), transposed by interleaving (panel rows are
// padded to a power of two, NRp/MRp), decoded and stored contiguously.
// Otherwise (dynamic strides, edge panels) one scalar load per code.
//
// Panel rows past the M/N edge are copies of the last row (clamped indices):
// their lanes compute values that are never written back, so the hot loop
// needs no masks. Edge tiles go through a scratch tile instead of C.
//
// Each C element is accumulated in the same order (pc blocks, then k) for
// any jc/ic split, so results are reproducible, also once threaded.
//
// Epilogue: scaled_matmul's tensor-scale multiply of C and the rank-k
// updates of C that follow the contraction (metis-expand-spectral's
// low-rank terms) are applied to each C tile in registers as the last K
// block writes it, in their own order: the bits of the separate ops, with
// C written once instead of once per op.
//
//===----------------------------------------------------------------------===//

#include "CPUGemmUtils.h"

#include "metis/Conversion/MetisToLinalg/FP4Emitters.h"
#include "metis/Conversion/MetisToLinalg/Tags.h"
#include "metis/Dialect/Metis/IR/MetisDialect.h"
#include "metis/Dialect/Metis/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/SetVector.h"

#include <functional>
#include <memory>
#include <optional>

namespace mlir::metis {
#define GEN_PASS_DEF_METISCPUSCALEDGEMM
#include "metis/Dialect/Metis/Transforms/Passes.h.inc"
} // namespace mlir::metis

using namespace mlir;
using namespace mlir::metis;

namespace {

struct TileConfig {
  int64_t mr, nr, vw, mc, nc, kc;
  /// > 1: the B packing and the ic loop are scf.parallel.
  int64_t threads = 1;
  /// Strict f32 contractions with a narrow side use the skinny kernel.
  bool skinny = true;
};

/// A rank-k update `C[m, n] += Σ_j A·B` (f32, k ascending, as its loops)
/// applied in the epilogue of the contraction it follows.
struct RankUpdate {
  Value a, b;
  /// The memref dims of A's m and j, and of B's n and j.
  unsigned aRowDim = 0, aKDim = 1, bRowDim = 0, bKDim = 1;
  int64_t k = 0;
  /// One fused multiply-add per step (a `math.fma` body).
  bool fused = false;
};

/// The tagged contraction, read off the generic's operands.
struct Contraction {
  /// FP4 codes + block scales, or plain f32 operands (no decode).
  bool fp4 = true;
  FormatKind kind = FormatKind::nvfp4;
  bool batched = false;
  int64_t batch = 1, m = 0, n = 0, k = 0, kb = 0, bs = 1;
  Value a, aScales, b, bScales, c;
  /// Codes are [.., rows, K] (the expand_shape's source) instead of
  /// [.., rows, KB, BS]: read through the view so that it can go away.
  bool aCollapsed = false, bCollapsed = false;
  /// f32: the memref dims of A's m and k, and of B's n and k.
  unsigned aRowDim = 0, aKDim = 1, bRowDim = 0, bKDim = 1;
  /// Accumulate into C itself, k ascending, with a separate multiply and
  /// add: bit-identical to the generic's loops whatever the tiling.
  bool strict = false;
  /// Strict, and each k step is one fused multiply-add (the generic's body
  /// is `math.fma`): still bit-identical to its loops, at FMA speed.
  bool fused = false;
  /// The value a linalg.fill of C right before set it to (the fill is
  /// folded into the first K block), or null.
  Value fill;
  /// FP4 only, applied as the last K block writes C: C · epilogueScale (if
  /// set), then each update in order.
  Value epilogueScale;
  SmallVector<RankUpdate, 1> updates;
  /// Strict only: the first K block starts from this copy source instead of
  /// C (the memref.copy into C right before is folded away).
  Value cInit;
  /// FP4 only: a narrow FP4 contraction with the same A (codes and scales),
  /// computed inside this one's nest from its packed A panels (see
  /// isSibling); its fill and tensor-scale epilogue are folded as usual.
  std::shared_ptr<Contraction> sibling;
  bool hasEpilogue() const { return epilogueScale || !updates.empty(); }
};

/// Checks that `op` is the contraction its tag promises (see
/// convert-metis-to-linalg); `why` says what does not match.
FailureOr<Contraction> matchContraction(linalg::GenericOp op, FormatAttr fmt,
                                        std::string &why) {
  auto fail = [&](const Twine &reason) {
    why = reason.str();
    return failure();
  };
  if (!op.hasPureBufferSemantics())
    return fail("not on memrefs");
  if (op.getNumDpsInputs() != 4 || op.getNumDpsInits() != 1)
    return fail("expected 4 inputs and 1 output");
  unsigned nLoops = op.getNumLoops();
  if (nLoops != 4 && nLoops != 5)
    return fail("expected 4 or 5 loops");
  bool batched = nLoops == 5;

  MLIRContext *ctx = op.getContext();
  auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  unsigned o = batched ? 1 : 0;
  AffineExpr m = dim(o), n = dim(o + 1), kb = dim(o + 2), ki = dim(o + 3);
  auto map = [&](ArrayRef<AffineExpr> exprs) {
    SmallVector<AffineExpr> all;
    if (batched)
      all.push_back(dim(0));
    all.append(exprs.begin(), exprs.end());
    return AffineMap::get(nLoops, 0, all, ctx);
  };
  SmallVector<AffineMap> expected = {map({m, kb, ki}), map({m, kb}),
                                     map({n, kb, ki}), map({n, kb}),
                                     map({m, n})};
  if (op.getIndexingMapsArray() != expected)
    return fail("unexpected indexing maps");
  auto iters = op.getIteratorTypesArray();
  for (unsigned i = 0; i < nLoops; ++i)
    if (iters[i] != (i + 2 < nLoops ? utils::IteratorType::parallel
                                    : utils::IteratorType::reduction))
      return fail("unexpected iterator types");

  SmallVector<MemRefType> types;
  for (Value v : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(v.getType());
    if (!type || !type.hasStaticShape())
      return fail("dynamic shapes");
    if (!type.isStrided())
      return fail("non-strided layout");
    types.push_back(type);
  }
  Type f4 = Float4E2M1FNType::get(ctx);
  Type scale = fmt.getScaleElementType();
  if (types[0].getElementType() != f4 || types[2].getElementType() != f4 ||
      types[1].getElementType() != scale ||
      types[3].getElementType() != scale || !types[4].getElementType().isF32())
    return fail("unexpected element types");

  Contraction ct;
  ct.kind = fmt.getKind();
  ct.batched = batched;
  ArrayRef<int64_t> aShape = types[0].getShape(), bShape = types[2].getShape();
  ct.batch = batched ? aShape[0] : 1;
  ct.m = aShape[o];
  ct.kb = aShape[o + 1];
  ct.bs = aShape[o + 2];
  ct.n = bShape[o];
  ct.k = ct.kb * ct.bs;
  if (ct.bs != fmt.getBlockSize())
    return fail("block size differs from the format's");
  if (ct.m == 0 || ct.n == 0 || ct.kb == 0 || ct.batch == 0)
    return fail("empty shapes");
  ct.a = op->getOperand(0);
  ct.aScales = op->getOperand(1);
  ct.b = op->getOperand(2);
  ct.bScales = op->getOperand(3);
  ct.c = op->getOperand(4);
  return ct;
}

/// Whether the body of `op` is `yield math.fma(in0, in1, out)` (the inputs
/// in either order): one fused multiply-add per k step.
bool isFmaBody(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  if (!body || body->getNumArguments() != 3 ||
      !llvm::hasSingleElement(body->without_terminator()))
    return false;
  auto fma = dyn_cast<math::FmaOp>(*body->begin());
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!fma || !yield || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != fma.getResult())
    return false;
  Value in0 = body->getArgument(0), in1 = body->getArgument(1);
  return fma.getC() == body->getArgument(2) &&
         ((fma.getA() == in0 && fma.getB() == in1) ||
          (fma.getA() == in1 && fma.getB() == in0));
}

/// The ops the f32 path looks at: linalg.matmul, generics tagged
/// metis.spectral_gemm, and generics whose body is one `math.fma`
/// (metis-expand-spectral's low-rank products). Untagged ones are only
/// taken when matchF32Contraction accepts them.
bool isF32ContractionCandidate(linalg::LinalgOp op) {
  if (isa<linalg::MatmulOp>(op.getOperation()))
    return true;
  return isa<linalg::GenericOp>(op.getOperation()) &&
         (op->hasAttr(kSpectralGemmAttrName) || isFmaBody(op));
}

/// Checks that `op` is a 2-D f32 contraction `C[m, n] += A[.]·B[.]` on
/// memrefs with A indexed by (m, k) or (k, m), B by (k, n) or (n, k) and C
/// by (m, n): the products metis.spectral_gemm tags and linalg.matmul.
FailureOr<Contraction> matchF32Contraction(linalg::LinalgOp op,
                                           std::string &why) {
  auto fail = [&](const Twine &reason) {
    why = reason.str();
    return failure();
  };
  if (!op.hasPureBufferSemantics())
    return fail("not on memrefs");
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 3)
    return fail("expected 2 inputs, 1 output and 3 loops");
  // A multiply-add body (isaContractionOpInterface) on f32 only: no casts.
  for (Value v : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(v.getType());
    if (!type || !type.getElementType().isF32())
      return fail("not f32 memrefs");
    if (!type.hasStaticShape())
      return fail("dynamic shapes");
    if (!type.isStrided())
      return fail("non-strided layout");
  }
  bool fused = isFmaBody(op);
  if (!fused && !linalg::isaContractionOpInterface(op))
    return fail("not a multiply-add contraction");
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || !dims->batch.empty() || dims->m.size() != 1 ||
      dims->n.size() != 1 || dims->k.size() != 1)
    return fail("not a single m, n, k contraction");
  unsigned m = dims->m[0], n = dims->n[0], k = dims->k[0];
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // The result positions of loop dims `x` and `y` in `map`, if those are
  // its only results.
  auto positions = [](AffineMap map, unsigned x,
                      unsigned y) -> std::optional<std::pair<unsigned, unsigned>> {
    if (map.getNumResults() != 2 || !map.isProjectedPermutation())
      return std::nullopt;
    std::optional<unsigned> px = map.getResultPosition(
                                getAffineDimExpr(x, map.getContext())),
                            py = map.getResultPosition(
                                getAffineDimExpr(y, map.getContext()));
    if (!px || !py)
      return std::nullopt;
    return std::pair{*px, *py};
  };
  auto pa = positions(maps[0], m, k), pb = positions(maps[1], n, k),
       pc = positions(maps[2], m, n);
  if (!pa || !pb || !pc || pc->first != 0)
    return fail("unexpected indexing maps");

  Contraction ct;
  ct.fp4 = false;
  ct.strict = true;
  ct.fused = fused;
  ct.a = op.getDpsInputOperand(0)->get();
  ct.b = op.getDpsInputOperand(1)->get();
  ct.c = op.getDpsInitOperand(0)->get();
  std::tie(ct.aRowDim, ct.aKDim) = *pa;
  std::tie(ct.bRowDim, ct.bKDim) = *pb;
  auto shape = [](Value v) { return cast<MemRefType>(v.getType()).getShape(); };
  ct.m = shape(ct.a)[ct.aRowDim];
  ct.k = shape(ct.a)[ct.aKDim];
  ct.n = shape(ct.b)[ct.bRowDim];
  ct.kb = ct.k;
  if (ct.m == 0 || ct.n == 0 || ct.k == 0)
    return fail("empty shapes");
  return ct;
}

/// Whether the nest of `ct` threads over whole jc blocks (at least 4 B
/// panels per thread), else over the ic blocks of each K block.
bool isJcParallel(const Contraction &ct, const TileConfig &cfg) {
  int64_t nPanels = (ct.n + cfg.nr - 1) / cfg.nr;
  return cfg.threads > 1 && nPanels >= 4 * cfg.threads;
}

/// The strict f32 contraction as a skinny one (CPUSkinnyGemm.cpp): one
/// side of at most kMaxSkinnyRows, the other and K at least 4 vectors
/// (smaller products, e.g. the split's 4096 x 16 x 20, gain nothing for
/// the code), and the long operand unit-stride along its rows or k. Only
/// for vector widths whose direct kernel fits the register file (vw
/// vectors of the long operand, plus vw/2 accumulators).
std::optional<SkinnyGemm> skinnyGemm(const Contraction &ct,
                                     const TileConfig &cfg) {
  constexpr int64_t kMaxSkinnyRows = 64;
  if (!cfg.skinny || ct.fp4 || !ct.strict || (cfg.vw != 16 && cfg.vw != 8))
    return std::nullopt;
  int64_t longMin = 4 * cfg.vw;
  bool pIsA = ct.m <= kMaxSkinnyRows && ct.n >= longMin && ct.m <= ct.n;
  bool pIsB = !pIsA && ct.n <= kMaxSkinnyRows && ct.m >= longMin;
  if ((!pIsA && !pIsB) || ct.k < longMin)
    return std::nullopt;
  SkinnyGemm g;
  g.p = pIsA ? ct.a : ct.b;
  g.pRowDim = pIsA ? ct.aRowDim : ct.bRowDim;
  g.pKDim = pIsA ? ct.aKDim : ct.bKDim;
  g.l = pIsA ? ct.b : ct.a;
  g.lRowDim = pIsA ? ct.bRowDim : ct.aRowDim;
  g.lKDim = pIsA ? ct.bKDim : ct.aKDim;
  if (!isSkinnyLayout(g.l, g.lRowDim, g.lKDim))
    return std::nullopt;
  g.c = ct.c;
  g.cTransposed = pIsB;
  g.cInit = ct.cInit;
  g.s = pIsA ? ct.m : ct.n;
  g.t = pIsA ? ct.n : ct.m;
  g.k = ct.k;
  g.fused = ct.fused;
  g.lanes = cfg.vw;
  g.threads = cfg.threads;
  return g;
}

/// Emits the loop nest for one contraction at the builder's position.
class GemmBuilder {
public:
  /// Without `vectorC`, C is only accessed with scalar loads and stores.
  GemmBuilder(OpBuilder &b, Location loc, const Contraction &ct,
              const TileConfig &cfg, bool vectorC)
      : b(b), loc(loc), ct(ct), cfg(cfg), vectorC(vectorC) {
    // Constants go before this first op, hence before all the others.
    Operation *first = arith::ConstantIndexOp::create(b, loc, 0);
    constants[0] = first->getResult(0);
    constantsAt =
        OpBuilder::InsertPoint(first->getBlock(), first->getIterator());
    auto roundUp = [](int64_t x, int64_t m) { return (x + m - 1) / m * m; };
    mc = std::min(roundUp(cfg.mc, cfg.mr), roundUp(ct.m, cfg.mr));
    nc = std::min(roundUp(cfg.nc, cfg.nr), roundUp(ct.n, cfg.nr));
    // Threaded: with at least 4 B panels per thread, each thread takes whole
    // jc blocks (its own B and A panels, one fork per call, no barrier per
    // K block); otherwise (narrow N, e.g. the split's X·V) the ic blocks of
    // each K block are shared out. Either way the jc or ic blocks are
    // evened out to a multiple of the thread count.
    jcParallel = isJcParallel(ct, cfg);
    if (jcParallel) {
      int64_t blocks = roundUp((ct.n + nc - 1) / nc, cfg.threads);
      nc = roundUp((ct.n + blocks - 1) / blocks, cfg.nr);
    } else if (cfg.threads > 1) {
      int64_t blocks = roundUp((ct.m + mc - 1) / mc, cfg.threads);
      mc = roundUp((ct.m + blocks - 1) / blocks, cfg.mr);
    }
    // FP4: kc is a multiple of bs; unroll k by 4 when that divides it. f32:
    // any kc, the k loop has a remainder loop.
    kc = ct.fp4 ? std::min(std::max(cfg.kc / ct.bs, int64_t(1)) * ct.bs, ct.k)
                : std::min(cfg.kc, ct.k);
    ku = !ct.fp4 || ct.bs % 4 == 0 ? 4 : 1;
    // Panel rows hold a power of two of lanes for the byte transpose.
    mrPad = llvm::PowerOf2Ceil(cfg.mr);
    aPanelRows = cfg.mr;
    nrPad = llvm::PowerOf2Ceil(cfg.nr);
  }

  /// Emits C += A·Bᵀ (C = fill + A·Bᵀ with a folded fill).
  void build() {
    if (std::optional<SkinnyGemm> g = skinny()) {
      emitSkinnyGemm(b, loc, *g);
      return;
    }
    Value c = ct.c;
    // Ap[panel][k * mrPad + lane], Bp[panel][k * nrPad + lane]. Threaded,
    // each parallel iteration (jc or ic block) allocates its own Ap and
    // scratch tile, and its own Bp over jc blocks.
    if (!jcParallel)
      bp = allocBp();
    if (cfg.threads <= 1) {
      ap = allocAp();
      scratch = allocScratch();
    }
    if (ct.fp4) {
      aView = codesView(ct.a, ct.aCollapsed);
      bView = codesView(ct.b, ct.bCollapsed);
    }
    // The sibling: its own B panel (one, N ≤ nr) and scratch tile, our A
    // panels; the same mr and kc, so the same panel layout.
    std::optional<GemmBuilder> sib;
    if (ct.sibling) {
      TileConfig sibCfg = cfg;
      sibCfg.nr = llvm::divideCeil(ct.sibling->n, cfg.vw) * cfg.vw;
      sibCfg.nc = sibCfg.nr;
      sibCfg.threads = 1;
      // Two of our panels per sibling tile (as many accumulators as our
      // tile for a 16-wide one, enough to hide the FMA latency) when every
      // ic block has an even number of panels; else one.
      bool pairs = mc % (2 * cfg.mr) == 0 && ct.m % mc % (2 * cfg.mr) == 0;
      sibCfg.mr = pairs ? 2 * cfg.mr : cfg.mr;
      sib.emplace(b, loc, *ct.sibling, sibCfg, /*vectorC=*/true);
      sib->mrPad = mrPad;
      sib->aPanelRows = cfg.mr;
      assert(sib->kc == kc && "panel layouts differ");
      sib->bp = sib->allocBp();
      if (cfg.threads <= 1)
        sib->scratch = sib->allocScratch();
      sib->bView = sib->codesView(ct.sibling->b, ct.sibling->bCollapsed);
      sibling = &*sib;
    }
    packUpdates();
    if (ct.batched)
      loop(idx(0), idx(ct.batch), 1, [&](Value v) {
        bt = v;
        buildBlocks(c);
      });
    else
      buildBlocks(c);
    if (cfg.threads <= 1)
      memref::DeallocOp::create(b, loc, ap);
    if (!jcParallel)
      memref::DeallocOp::create(b, loc, bp);
    if (cfg.threads <= 1)
      memref::DeallocOp::create(b, loc, scratch);
    for (Value bt : updateBt)
      memref::DeallocOp::create(b, loc, bt);
    if (sib) {
      memref::DeallocOp::create(b, loc, sib->bp);
      if (cfg.threads <= 1)
        memref::DeallocOp::create(b, loc, sib->scratch);
    }
  }

private:
  VectorType accType() { return VectorType::get({cfg.vw}, b.getF32Type()); }

  std::optional<SkinnyGemm> skinny() const { return skinnyGemm(ct, cfg); }

  /// Index constants, all created where the builder started.
  Value idx(int64_t v) {
    Value &c = constants[v];
    if (!c) {
      OpBuilder::InsertionGuard guard(b);
      b.restoreInsertionPoint(constantsAt);
      c = arith::ConstantIndexOp::create(b, loc, v);
    }
    return c;
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value ceilDiv(Value x, int64_t y) {
    return arith::CeilDivUIOp::create(b, loc, x, idx(y));
  }
  Value ule(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, x, y);
  }
  /// Operand indices, with the batch index in front when batched.
  SmallVector<Value> at(ArrayRef<Value> ivs) {
    SmallVector<Value> all;
    if (ct.batched)
      all.push_back(bt);
    all.append(ivs.begin(), ivs.end());
    return all;
  }

  Value allocF32(ArrayRef<int64_t> shape) {
    return memref::AllocOp::create(b, loc,
                                   MemRefType::get(shape, b.getF32Type()),
                                   b.getI64IntegerAttr(64));
  }
  Value allocAp() { return allocF32({mc / cfg.mr, kc * mrPad}); }
  Value allocBp() { return allocF32({nc / cfg.nr, kc * nrPad}); }
  Value allocScratch() { return allocF32({cfg.mr, cfg.nr}); }

  /// Like loop(), but an scf.parallel when `parallel`: its iterations must
  /// be independent.
  void maybeParallelLoop(bool parallel, Value lb, Value ub, int64_t step,
                         function_ref<void(Value)> fn) {
    if (!parallel)
      return loop(lb, ub, step, fn);
    auto par = scf::ParallelOp::create(b, loc, ValueRange{lb}, ValueRange{ub},
                                       ValueRange{idx(step)});
    inBlock(par.getBody(), [&] { fn(par.getInductionVars()[0]); });
  }

  /// scf.for lb..ub step `step`, body built by `fn` at the builder.
  void loop(Value lb, Value ub, int64_t step, function_ref<void(Value)> fn) {
    auto forOp = scf::ForOp::create(b, loc, lb, ub, idx(step));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forOp.getBody()->getTerminator());
    fn(forOp.getInductionVar());
  }
  /// Runs `fn` before the terminator of `block` (or at its end if none).
  void inBlock(Block *block, function_ref<void()> fn) {
    OpBuilder::InsertionGuard guard(b);
    if (block->mightHaveTerminator())
      b.setInsertionPoint(block->getTerminator());
    else
      b.setInsertionPointToEnd(block);
    fn();
  }

  /// Packs rows row0.. of A (or B) over [pc, pc + kcCur) into Ap (or Bp)
  /// panel `panel`.
  void pack(bool isA, Value row0, Value pc, Value kcCur, Value panel) {
    int64_t lanes = isA ? cfg.mr : cfg.nr, lanesPad = isA ? mrPad : nrPad;
    int64_t rows = isA ? ct.m : ct.n;
    Value buf = isA ? ap : bp;
    if (ct.fp4)
      packPanel(isA ? ct.a : ct.b, isA ? ct.aCollapsed : ct.bCollapsed,
                isA ? aView : bView, isA ? ct.aScales : ct.bScales, lanes,
                lanesPad, rows, row0, pc, kcCur, buf, panel);
    else
      packPanelF32(isA ? ct.a : ct.b, isA ? ct.aRowDim : ct.bRowDim,
                   isA ? ct.aKDim : ct.bKDim, lanes, lanesPad, rows, row0, pc,
                   kcCur, buf, panel);
  }

  void buildBlocks(Value c) {
    int64_t k = ct.k;
    maybeParallelLoop(jcParallel, idx(0), idx(ct.n), nc, [&](Value jc) {
      if (jcParallel) {
        ap = allocAp();
        bp = allocBp();
        scratch = allocScratch();
      }
      Value ncCur = min(idx(nc), sub(idx(ct.n), jc));
      // The sibling runs in the first jc block only (never jc-parallel),
      // its K blocks in step with ours: by the last K block of each ic
      // block its rows are final before our tiles' epilogues read them.
      Value firstJc =
          sibling ? arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, jc,
                                          idx(0))
                        .getResult()
                  : Value();
      auto inFirstJc = [&](function_ref<void()> fn) {
        auto ifFirst = scf::IfOp::create(b, loc, firstJc, /*withElse=*/false);
        inBlock(ifFirst.thenBlock(), fn);
      };
      loop(idx(0), idx(k), kc, [&](Value pc) {
        Value kcCur = min(idx(kc), sub(idx(k), pc));
        // ic-parallel: Bp panels are packed in parallel, then each ic block
        // (its own Ap, C rows) is one iteration. Every C tile is still
        // computed by one thread in the same k order.
        bool icParallel = cfg.threads > 1 && !jcParallel;
        maybeParallelLoop(
            icParallel, idx(0), ceilDiv(ncCur, cfg.nr), 1, [&](Value jp) {
              pack(/*isA=*/false, add(jc, mul(jp, idx(cfg.nr))), pc, kcCur, jp);
            });
        if (sibling)
          inFirstJc([&] {
            sibling->pack(/*isA=*/false, sibling->idx(0), pc, kcCur,
                          sibling->idx(0));
          });
        maybeParallelLoop(icParallel, idx(0), idx(ct.m), mc, [&](Value ic) {
          if (icParallel) {
            ap = allocAp();
            scratch = allocScratch();
            if (sibling)
              sibling->scratch = sibling->allocScratch();
          }
          Value mcCur = min(idx(mc), sub(idx(ct.m), ic));
          Value mPanels = ceilDiv(mcCur, cfg.mr);
          loop(idx(0), mPanels, 1, [&](Value ip) {
            pack(/*isA=*/true, add(ic, mul(ip, idx(cfg.mr))), pc, kcCur, ip);
          });
          if (sibling) {
            sibling->ap = ap;
            inFirstJc([&] {
              loop(idx(0), mPanels, sibling->cfg.mr / cfg.mr, [&](Value ip) {
                sibling->microKernel(ct.sibling->c, ip, sibling->idx(0),
                                     add(ic, mul(ip, idx(cfg.mr))),
                                     sibling->idx(0), pc, kcCur);
              });
            });
          }
          // jr outer: the kc x NR panel of Bp stays in L1 across ir.
          loop(idx(0), ceilDiv(ncCur, cfg.nr), 1, [&](Value jp) {
            loop(idx(0), mPanels, 1, [&](Value ip) {
              microKernel(c, ip, jp, add(ic, mul(ip, idx(cfg.mr))),
                          add(jc, mul(jp, idx(cfg.nr))), pc, kcCur);
            });
          });
          if (icParallel) {
            for (Value buf : {ap, scratch})
              memref::DeallocOp::create(b, loc, buf);
            if (sibling)
              memref::DeallocOp::create(b, loc, sibling->scratch);
          }
        });
      });
      if (jcParallel)
        for (Value buf : {ap, bp, scratch})
          memref::DeallocOp::create(b, loc, buf);
    });
  }

  /// Codes contiguous along K at static strides, as bytes: one vector load
  /// per row and scale block instead of one scalar load per code.
  struct CodesView {
    Value ptr; // !llvm.ptr to element [0, .., 0]
    int64_t batchStride = 0, rowStride = 0, kbStride = 0;
  };

  std::optional<CodesView> codesView(Value codes, bool collapsed) {
    auto type = cast<MemRefType>(codes.getType());
    auto [strides, offset] = type.getStridesAndOffset();
    int64_t o = ct.batched ? 1 : 0;
    // [.., rows, K] or [.., rows, KB, BS], contiguous along K.
    bool contiguous = collapsed
                          ? strides[o + 1] == 1
                          : strides[o + 2] == 1 && strides[o + 1] == ct.bs;
    if (!contiguous)
      return std::nullopt;
    CodesView view;
    view.kbStride = ct.bs;
    view.rowStride = strides[o];
    view.batchStride = ct.batched ? strides[0] : 0;
    if (ShapedType::isDynamic(view.rowStride) ||
        ShapedType::isDynamic(view.batchStride))
      return std::nullopt;
    // A code is one byte in memory (f4E2M1FN lowers to i4, stored as i8).
    auto md = memref::ExtractStridedMetadataOp::create(b, loc, codes);
    Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, codes);
    Value addr = arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                            add(base, md.getOffset()));
    view.ptr = LLVM::IntToPtrOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext()), addr);
    return view;
  }

  /// Emits `body(clamp, rowIdx)` twice under `if row0 + lanes <= rows`:
  /// with the rows row0.. row0+lanes-1 of a full panel (clamp = false), and
  /// in the else branch with those rows clamped to the last one (an edge
  /// panel, clamp = true).
  void forFullAndEdgePanel(
      Value row0, int64_t lanes, int64_t rows,
      llvm::function_ref<void(bool, ArrayRef<Value>)> body) {
    auto full = scf::IfOp::create(b, loc, ule(add(row0, idx(lanes)), idx(rows)),
                                  /*withElse=*/true);
    for (bool clamp : {false, true})
      inBlock(clamp ? full.elseBlock() : full.thenBlock(), [&] {
        SmallVector<Value> rowIdx;
        for (int64_t l = 0; l < lanes; ++l) {
          Value row = add(row0, idx(l));
          rowIdx.push_back(clamp ? min(row, idx(rows - 1)) : row);
        }
        body(clamp, rowIdx);
      });
  }

  /// Decodes rows row0.. row0+lanes-1 (clamped to the last row) of `codes`
  /// and `scales` over k in [pc, pc+kcCur) into
  /// buf[panel, (k - pc) * lanesPad + lane].
  void packPanel(Value codes, bool collapsed, std::optional<CodesView> view,
                 Value scales, int64_t lanes, int64_t lanesPad, int64_t rows,
                 Value row0, Value pc, Value kcCur, Value buf, Value panel) {
    forFullAndEdgePanel(row0, lanes, rows, [&](bool clamp,
                                               ArrayRef<Value> rowIdx) {
        if (!clamp && view)
          packRowsVector(*view, scales, rowIdx, lanesPad, pc, kcCur, buf,
                         panel);
        else
          packRows(codes, collapsed, scales, rowIdx, lanesPad, pc, kcCur, buf,
                   panel);
      });
  }

  /// The decoded block scales of `rowIdx` at block kb, zero-padded to
  /// `lanesPad` lanes.
  Value decodedScales(Value scales, ArrayRef<Value> rowIdx, int64_t lanesPad,
                      Value kb) {
    SmallVector<Value> s;
    for (Value row : rowIdx) {
      Value v = memref::LoadOp::create(b, loc, scales, at({row, kb}));
      if (!v.getType().isF32()) // f8 bits as i8 for the decoder
        v = arith::BitcastOp::create(b, loc, b.getI8Type(), v);
      s.push_back(v);
    }
    Type t = s[0].getType();
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(t));
    s.resize(lanesPad, zero);
    return emitDecodeScale(b, loc,
                           vector::FromElementsOp::create(
                               b, loc, VectorType::get({lanesPad}, t), s),
                           ct.kind);
  }

  /// Full panel, codes as bytes: per scale block, one bs-byte vector per row
  /// (zeros for padding lanes); log2(lanesPad) interleave stages transpose
  /// the lanesPad x bs block into k-major order, which is then decoded and
  /// stored in bs-wide chunks.
  void packRowsVector(const CodesView &view, Value scales,
                      ArrayRef<Value> rowIdx, int64_t lanesPad, Value pc,
                      Value kcCur, Value buf, Value panel) {
    int64_t bs = ct.bs;
    Type i8 = b.getI8Type(), i64 = b.getI64Type();
    auto bytes = VectorType::get({bs}, i8);
    auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
    Value bsIdx = idx(bs);
    loop(arith::DivUIOp::create(b, loc, pc, bsIdx),
         arith::DivUIOp::create(b, loc, add(pc, kcCur), bsIdx), 1,
         [&](Value kb) {
           Value scale = decodedScales(scales, rowIdx, lanesPad, kb);
           Value start = add(mul(rowIdx[0], idx(view.rowStride)),
                             mul(kb, idx(view.kbStride)));
           if (ct.batched)
             start = add(start, mul(bt, idx(view.batchStride)));
           Value first = LLVM::GEPOp::create(
               b, loc, ptrType, i8, view.ptr,
               ValueRange{arith::IndexCastOp::create(b, loc, i64, start)});
           SmallVector<Value> vecs;
           Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(bytes));
           for (int64_t l = 0; l < lanesPad; ++l) {
             if (l >= int64_t(rowIdx.size())) {
               vecs.push_back(zero);
               continue;
             }
             Value p = LLVM::GEPOp::create(
                 b, loc, ptrType, i8, first,
                 ArrayRef<LLVM::GEPArg>{l * view.rowStride});
             vecs.push_back(LLVM::LoadOp::create(b, loc, bytes, p, 1));
           }
           transposeByInterleave(vecs);
           Value kOff = mul(sub(mul(kb, bsIdx), pc), idx(lanesPad));
           for (int64_t j = 0; j < lanesPad; ++j) {
             SmallVector<int64_t> lanesOf;
             for (int64_t t = 0; t < bs; ++t)
               lanesOf.push_back((j * bs + t) % lanesPad);
             Value chunkScale =
                 vector::ShuffleOp::create(b, loc, scale, scale, lanesOf);
             Value value = arith::MulFOp::create(
                 b, loc, emitDecodeE2M1(b, loc, vecs[j]), chunkScale);
             vector::StoreOp::create(b, loc, value, buf,
                                     {panel, add(kOff, idx(j * bs))});
           }
         });
  }

  void transposeByInterleave(SmallVectorImpl<Value> &vecs) {
    metis::transposeByInterleave(b, loc, vecs);
  }

  /// f32 rows row0.. row0+lanes-1 (clamped to the last row) of `x`, whose
  /// dims `rowDim`, `kDim` are the row and k, over [pc, pc+kcCur), into
  /// buf[panel, (k - pc) * lanesPad + lane]. Full panels use vectors: one
  /// load per k when the rows are the unit-stride dim, 8x8 interleave
  /// transposes (then scalars for the k remainder) when k is; otherwise
  /// one scalar load per element.
  void packPanelF32(Value x, unsigned rowDim, unsigned kDim, int64_t lanes,
                    int64_t lanesPad, int64_t rows, Value row0, Value pc,
                    Value kcCur, Value buf, Value panel) {
    Type f32 = b.getF32Type();
    auto at2 = [&](Value row, Value k) {
      SmallVector<Value> ivs(2);
      ivs[rowDim] = row;
      ivs[kDim] = k;
      return ivs;
    };
    forFullAndEdgePanel(row0, lanes, rows, [&](bool clamp,
                                               ArrayRef<Value> rowIdx) {
        if (!clamp && isUnitInnermost(x, rowDim)) {
          auto vt = VectorType::get({lanes}, f32);
          loop(idx(0), kcCur, 1, [&](Value kk) {
            Value v =
                vector::LoadOp::create(b, loc, vt, x, at2(row0, add(pc, kk)));
            vector::StoreOp::create(b, loc, v, buf,
                                    {panel, mul(kk, idx(lanesPad))});
          });
          return;
        }
        Value kVec = idx(0);
        if (!clamp && isUnitInnermost(x, kDim)) {
          constexpr int64_t w = 8;
          auto vt = VectorType::get({w}, f32);
          kVec = mul(arith::DivUIOp::create(b, loc, kcCur, idx(w)), idx(w));
          loop(idx(0), kVec, w, [&](Value kk) {
            Value zero =
                arith::ConstantOp::create(b, loc, b.getZeroAttr(vt));
            SmallVector<Value> vecs;
            for (int64_t l = 0; l < lanesPad; ++l)
              vecs.push_back(l < lanes ? vector::LoadOp::create(
                                             b, loc, vt, x,
                                             at2(rowIdx[l], add(pc, kk)))
                                       : zero);
            transposeByInterleave(vecs);
            Value kOff = mul(kk, idx(lanesPad));
            for (int64_t j = 0; j < lanesPad; ++j)
              vector::StoreOp::create(b, loc, vecs[j], buf,
                                      {panel, add(kOff, idx(j * w))});
          });
        }
        loop(kVec, kcCur, 1, [&](Value kk) {
          SmallVector<Value> elems;
          for (Value row : rowIdx)
            elems.push_back(
                memref::LoadOp::create(b, loc, x, at2(row, add(pc, kk))));
          Value v = vector::FromElementsOp::create(
              b, loc, VectorType::get({lanes}, f32), elems);
          vector::StoreOp::create(b, loc, v, buf,
                                  {panel, mul(kk, idx(lanesPad))});
        });
      });
  }

  /// Any strides (and edge panels): one scalar load per code, lanes across
  /// rows, so that each decoded vector is one contiguous store.
  void packRows(Value codes, bool collapsed, Value scales,
                ArrayRef<Value> rowIdx, int64_t lanesPad, Value pc, Value kcCur,
                Value buf, Value panel) {
    int64_t lanes = rowIdx.size();
    Value bs = idx(ct.bs);
    Type i8 = b.getI8Type();
    loop(arith::DivUIOp::create(b, loc, pc, bs),
         arith::DivUIOp::create(b, loc, add(pc, kcCur), bs), 1, [&](Value kb) {
           Value scale = decodedScales(scales, rowIdx, lanes, kb);
           Value kStart = mul(kb, bs);
           Value kOff = sub(kStart, pc);
           loop(idx(0), bs, 1, [&](Value ki) {
             SmallVector<Value> elems;
             SmallVector<Value> tail = {kb, ki};
             if (collapsed)
               tail = {add(kStart, ki)};
             for (Value row : rowIdx) {
               SmallVector<Value> ivs = {row};
               ivs.append(tail);
               Value v = memref::LoadOp::create(b, loc, codes, at(ivs));
               v = arith::BitcastOp::create(b, loc, b.getIntegerType(4), v);
               elems.push_back(arith::ExtUIOp::create(b, loc, i8, v));
             }
             Value code = vector::FromElementsOp::create(
                 b, loc, VectorType::get({lanes}, i8), elems);
             Value value = arith::MulFOp::create(
                 b, loc, emitDecodeE2M1(b, loc, code), scale);
             vector::StoreOp::create(
                 b, loc, value, buf,
                 {panel, mul(add(kOff, ki), idx(lanesPad))});
           });
         });
  }

  /// Bt[j, n] = B[n, j] of each update (B[j, n] if so indexed): rows of N
  /// for the epilogue's vector loads, read-only, shared by all threads.
  void packUpdates() {
    for (const RankUpdate &u : ct.updates) {
      Value bt = allocF32({u.k, ct.n});
      loop(idx(0), idx(u.k), 1, [&](Value j) {
        loop(idx(0), idx(ct.n), 1, [&](Value n) {
          SmallVector<Value> ivs(2);
          ivs[u.bRowDim] = n;
          ivs[u.bKDim] = j;
          memref::StoreOp::create(b, loc,
                                  memref::LoadOp::create(b, loc, u.b, ivs), bt,
                                  ValueRange{j, n});
        });
      });
      updateBt.push_back(bt);
    }
  }

  /// A[row, j] of update `u`.
  Value loadUpdateA(const RankUpdate &u, Value row, Value j) {
    SmallVector<Value> ivs(2);
    ivs[u.aRowDim] = row;
    ivs[u.aKDim] = j;
    return memref::LoadOp::create(b, loc, u.a, ivs);
  }

  /// sum + a·b as the update's loops compute it (scalars or vectors).
  Value updateStep(const RankUpdate &u, Value sum, Value a, Value bv) {
    if (u.fused)
      return math::FmaOp::create(b, loc, a, bv, sum);
    return arith::AddFOp::create(b, loc, sum,
                                 arith::MulFOp::create(b, loc, a, bv));
  }

  /// `values` through the epilogue: each times `scale` (the tensor scale in
  /// their type, or null), then each update's j loop, whose body
  /// `addTerm(u, its Bt, j, acc)` adds the j-th term to every value.
  SmallVector<Value>
  applyEpilogue(SmallVector<Value> values, Value scale,
                function_ref<void(const RankUpdate &, Value, Value,
                                  MutableArrayRef<Value>)>
                    addTerm) {
    if (scale)
      for (Value &v : values)
        v = arith::MulFOp::create(b, loc, v, scale);
    for (auto [u, uB] : llvm::zip_equal(ct.updates, updateBt)) {
      auto forOp =
          scf::ForOp::create(b, loc, idx(0), idx(u.k), idx(1), values,
                             [&, &u = u, uB = uB](OpBuilder &nb, Location,
                                                  Value j, ValueRange iter) {
                               OpBuilder::InsertionGuard guard(b);
                               b.setInsertionPointToEnd(nb.getInsertionBlock());
                               SmallVector<Value> acc(iter.begin(), iter.end());
                               addTerm(u, uB, j, acc);
                               scf::YieldOp::create(b, loc, acc);
                             });
      values.assign(forOp.getResults().begin(), forOp.getResults().end());
    }
    return values;
  }

  /// The epilogue on the sums of the full tile at (row, col).
  SmallVector<Value> epilogueVector(ValueRange sums, Value row, Value col) {
    int64_t nv = cfg.nr / cfg.vw;
    VectorType vt = accType();
    Value scale =
        ct.epilogueScale
            ? vector::BroadcastOp::create(b, loc, vt, ct.epilogueScale)
                  .getResult()
            : Value();
    return applyEpilogue(
        SmallVector<Value>(sums), scale,
        [&](const RankUpdate &u, Value uB, Value j,
            MutableArrayRef<Value> acc) {
          SmallVector<Value> bv;
          for (int64_t v = 0; v < nv; ++v)
            bv.push_back(vector::LoadOp::create(
                b, loc, vt, uB, ValueRange{j, add(col, idx(v * cfg.vw))}));
          for (int64_t i = 0; i < cfg.mr; ++i) {
            Value av = vector::BroadcastOp::create(
                b, loc, vt, loadUpdateA(u, add(row, idx(i)), j));
            for (int64_t v = 0; v < nv; ++v)
              acc[i * nv + v] = updateStep(u, acc[i * nv + v], av, bv[v]);
          }
        });
  }

  /// The epilogue on C[row + i, col + j] over the valid rows x cols, one
  /// element at a time (edge tiles).
  void epilogueScalar(Value c, Value row, Value col, Value rows, Value cols) {
    loop(idx(0), rows, 1, [&](Value i) {
      loop(idx(0), cols, 1, [&](Value jc) {
        SmallVector<Value> cIdx = at({add(row, i), add(col, jc)});
        Value v = applyEpilogue(
            {memref::LoadOp::create(b, loc, c, cIdx)}, ct.epilogueScale,
            [&](const RankUpdate &u, Value uB, Value j,
                MutableArrayRef<Value> acc) {
              Value bj = memref::LoadOp::create(b, loc, uB,
                                                ValueRange{j, add(col, jc)});
              acc[0] =
                  updateStep(u, acc[0], loadUpdateA(u, add(row, i), j), bj);
            })[0];
        memref::StoreOp::create(b, loc, v, c, cIdx);
      });
    });
  }

  /// C[row + i, col + j] = init + scratch[i, j] over the valid rows x cols,
  /// where init is C's value or, in the first K block, the folded fill.
  void addScratchToC(Value c, Value row, Value col, Value rows, Value cols,
                     bool fromFill) {
    loop(idx(0), rows, 1, [&](Value i) {
      loop(idx(0), cols, 1, [&](Value j) {
        SmallVector<Value> cIdx = at({add(row, i), add(col, j)});
        Value init =
            fromFill ? ct.fill : memref::LoadOp::create(b, loc, c, cIdx);
        Value sum = arith::AddFOp::create(
            b, loc, init,
            memref::LoadOp::create(b, loc, scratch, ValueRange{i, j}));
        memref::StoreOp::create(b, loc, sum, c, cIdx);
      });
    });
  }

  /// The k loop [lb, ub) of the micro-kernel on accumulators `init`.
  /// With `unroll` k steps per iteration; strict and not fused: a separate
  /// multiply and add, as in the generic, instead of an FMA.
  ValueRange kLoop(Value ip, Value jp, Value lb, Value ub, ValueRange init,
                   int64_t unroll = 0) {
    if (!unroll)
      unroll = ku;
    int64_t nv = cfg.nr / cfg.vw;
    VectorType vt = accType();
    auto forOp = scf::ForOp::create(
        b, loc, lb, ub, idx(unroll), init,
        [&](OpBuilder &nb, Location, Value p, ValueRange iter) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToEnd(nb.getInsertionBlock());
          SmallVector<Value> acc(iter.begin(), iter.end());
          for (int64_t u = 0; u < unroll; ++u) {
            Value k = u ? add(p, idx(u)) : p;
            SmallVector<Value> bv;
            for (int64_t j = 0; j < nv; ++j)
              bv.push_back(vector::LoadOp::create(
                  b, loc, vt, bp,
                  {jp, add(mul(k, idx(nrPad)), idx(j * cfg.vw))}));
            for (int64_t i = 0; i < cfg.mr; ++i) {
              // Row i of the tile: in panel ip + i / aPanelRows.
              Value panel = i < aPanelRows ? ip : add(ip, idx(i / aPanelRows));
              Value a = memref::LoadOp::create(
                  b, loc, ap,
                  ValueRange{panel,
                             add(mul(k, idx(mrPad)), idx(i % aPanelRows))});
              Value av = vector::BroadcastOp::create(b, loc, vt, a);
              for (int64_t j = 0; j < nv; ++j) {
                Value &sum = acc[i * nv + j];
                if (ct.strict && !ct.fused)
                  sum = arith::AddFOp::create(
                      b, loc, sum, arith::MulFOp::create(b, loc, av, bv[j]));
                else
                  sum = vector::FMAOp::create(b, loc, av, bv[j], sum);
              }
            }
          }
          scf::YieldOp::create(b, loc, acc);
        });
    return forOp.getResults();
  }

  /// C[row.., col..] += Ap[ip] · Bp[jp] over kcCur, on an MR x NR tile.
  /// The accumulators start at zero and C is added once at the end, so the
  /// k loop does not wait for C. C is prefetched into L2 at the start and
  /// into L1 before the last 64 k steps: earlier, the Ap/Bp stream would
  /// evict it again from L1 (C rows a power of two apart share one L1 set).
  void microKernel(Value c, Value ip, Value jp, Value row, Value col, Value pc,
                   Value kcCur) {
    if (ct.strict)
      return strictMicroKernel(c, ip, jp, row, col, pc, kcCur);
    int64_t nv = cfg.nr / cfg.vw;
    VectorType vt = accType();
    Value zero =
        arith::ConstantOp::create(b, loc, DenseElementsAttr::get(vt, 0.0f));
    SmallVector<Value> init(cfg.mr * nv, zero);
    Value full =
        arith::AndIOp::create(b, loc, ule(add(row, idx(cfg.mr)), idx(ct.m)),
                              ule(add(col, idx(cfg.nr)), idx(ct.n)));
    if (!vectorC)
      full = arith::ConstantIntOp::create(b, loc, 0, 1);
    // Full tiles only (edge tiles are rare): the addresses need no clamps.
    auto prefetchC = [&](bool toL1) {
      if (!vectorC)
        return;
      auto ifFull = scf::IfOp::create(b, loc, full, /*withElse=*/false);
      inBlock(ifFull.thenBlock(), [&] {
        for (int64_t i = 0; i < cfg.mr; ++i)
          for (int64_t j = 0; j < cfg.nr; j += 16) // one per 64-byte line
            memref::PrefetchOp::create(
                b, loc, c, at({add(row, idx(i)), add(col, idx(j))}),
                /*isWrite=*/toL1, /*localityHint=*/toL1 ? 3 : 2,
                /*isDataCache=*/true);
      });
    };
    // Into L2 now (C may come from memory), into L1 for the last 64 k steps
    // (~400 cycles; kcCur and the tail are multiples of ku).
    prefetchC(false);
    // The epilogue runs where the last K block writes C.
    Value isLast = ct.hasEpilogue()
                       ? arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                               add(pc, kcCur), idx(ct.k))
                             .getResult()
                       : Value();
    Value tail = arith::MaxSIOp::create(b, loc, sub(kcCur, idx(64)), idx(0));
    ValueRange acc = kLoop(ip, jp, idx(0), tail, init);
    prefetchC(true);
    acc = kLoop(ip, jp, tail, kcCur, acc);

    auto writeBack = [&](bool fromFill) {
      auto done = scf::IfOp::create(b, loc, full, /*withElse=*/true);
      inBlock(done.thenBlock(), [&] {
        if (!vectorC)
          return;
        Value fill = fromFill ? vector::BroadcastOp::create(b, loc, vt, ct.fill)
                              : Value();
        // All loads before all stores: C rows 4 KiB apart would otherwise
        // alias the previous row's store in the low address bits, and the
        // load would wait on it.
        SmallVector<SmallVector<Value>> cIdx;
        SmallVector<Value> sums;
        for (int64_t i = 0; i < cfg.mr; ++i)
          for (int64_t j = 0; j < nv; ++j) {
            cIdx.push_back(at({add(row, idx(i)), add(col, idx(j * cfg.vw))}));
            Value old =
                fromFill ? fill
                         : vector::LoadOp::create(b, loc, vt, c, cIdx.back());
            sums.push_back(arith::AddFOp::create(b, loc, old, acc[i * nv + j]));
          }
        if (isLast) {
          auto ifLast = scf::IfOp::create(b, loc, ValueRange(sums).getTypes(),
                                          isLast, /*withElse=*/true);
          inBlock(ifLast.thenBlock(), [&] {
            scf::YieldOp::create(b, loc, epilogueVector(sums, row, col));
          });
          inBlock(ifLast.elseBlock(),
                  [&] { scf::YieldOp::create(b, loc, sums); });
          sums.assign(ifLast.getResults().begin(), ifLast.getResults().end());
        }
        for (auto [sum, index] : llvm::zip(sums, cIdx))
          vector::StoreOp::create(b, loc, sum, c, index);
      });
      inBlock(done.elseBlock(), [&] {
        for (int64_t i = 0; i < cfg.mr; ++i)
          for (int64_t j = 0; j < nv; ++j)
            vector::StoreOp::create(b, loc, acc[i * nv + j], scratch,
                                    {idx(i), idx(j * cfg.vw)});
        Value rows = min(idx(cfg.mr), sub(idx(ct.m), row));
        Value cols = min(idx(cfg.nr), sub(idx(ct.n), col));
        addScratchToC(c, row, col, rows, cols, fromFill);
        if (isLast) {
          auto ifLast = scf::IfOp::create(b, loc, isLast, /*withElse=*/false);
          inBlock(ifLast.thenBlock(),
                  [&] { epilogueScalar(c, row, col, rows, cols); });
        }
      });
    };
    if (!ct.fill)
      return writeBack(false);
    Value first =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, pc, idx(0));
    auto ifFirst = scf::IfOp::create(b, loc, first, /*withElse=*/true);
    inBlock(ifFirst.thenBlock(), [&] { writeBack(true); });
    inBlock(ifFirst.elseBlock(), [&] { writeBack(false); });
  }

  /// C[row.., col..] += Ap[ip] · Bp[jp] over kcCur with the accumulators
  /// loaded from C (through the scratch tile at the edges) and stored back:
  /// every C element is updated k by k in ascending order, whatever the
  /// blocking, as the generic's loops do.
  void strictMicroKernel(Value c, Value ip, Value jp, Value row, Value col,
                         Value pc, Value kcCur) {
    int64_t nv = cfg.nr / cfg.vw;
    VectorType vt = accType();
    Value full =
        vectorC ? arith::AndIOp::create(
                      b, loc, ule(add(row, idx(cfg.mr)), idx(ct.m)),
                      ule(add(col, idx(cfg.nr)), idx(ct.n)))
                : arith::ConstantIntOp::create(b, loc, 0, 1).getResult();
    Value rows = min(idx(cfg.mr), sub(idx(ct.m), row));
    Value cols = min(idx(cfg.nr), sub(idx(ct.n), col));
    auto tileIdx = [&](int64_t i, int64_t j) {
      return at({add(row, idx(i)), add(col, idx(j * cfg.vw))});
    };
    SmallVector<Type> accTypes(cfg.mr * nv, vt);
    // The accumulators from `src` (C, or the folded copy's source in the
    // first K block).
    auto loadFrom = [&](Value src) {
      auto load = scf::IfOp::create(b, loc, accTypes, full, /*withElse=*/true);
      inBlock(load.thenBlock(), [&] {
        SmallVector<Value> acc;
        for (int64_t i = 0; i < cfg.mr; ++i)
          for (int64_t j = 0; j < nv; ++j)
            acc.push_back(
                vector::LoadOp::create(b, loc, vt, src, tileIdx(i, j)));
        scf::YieldOp::create(b, loc, acc);
      });
      inBlock(load.elseBlock(), [&] {
        Value zero =
            arith::ConstantOp::create(b, loc, DenseElementsAttr::get(vt, 0.0f));
        for (int64_t i = 0; i < cfg.mr; ++i)
          for (int64_t j = 0; j < nv; ++j)
            vector::StoreOp::create(b, loc, zero, scratch,
                                    {idx(i), idx(j * cfg.vw)});
        loop(idx(0), rows, 1, [&](Value i) {
          loop(idx(0), cols, 1, [&](Value j) {
            Value v = memref::LoadOp::create(b, loc, src,
                                             at({add(row, i), add(col, j)}));
            memref::StoreOp::create(b, loc, v, scratch, ValueRange{i, j});
          });
        });
        SmallVector<Value> acc;
        for (int64_t i = 0; i < cfg.mr; ++i)
          for (int64_t j = 0; j < nv; ++j)
            acc.push_back(vector::LoadOp::create(b, loc, vt, scratch,
                                                 {idx(i), idx(j * cfg.vw)}));
        scf::YieldOp::create(b, loc, acc);
      });
      return SmallVector<Value>(load.getResults());
    };
    SmallVector<Value> init;
    if (ct.cInit) {
      Value first =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, pc, idx(0));
      auto pick = scf::IfOp::create(b, loc, accTypes, first, /*withElse=*/true);
      inBlock(pick.thenBlock(),
              [&] { scf::YieldOp::create(b, loc, loadFrom(ct.cInit)); });
      inBlock(pick.elseBlock(),
              [&] { scf::YieldOp::create(b, loc, loadFrom(c)); });
      init.assign(pick.getResults().begin(), pick.getResults().end());
    } else {
      init = loadFrom(c);
    }
    Value kMain = mul(arith::DivUIOp::create(b, loc, kcCur, idx(ku)), idx(ku));
    ValueRange acc = kLoop(ip, jp, idx(0), kMain, init);
    acc = kLoop(ip, jp, kMain, kcCur, acc, /*unroll=*/1);
    auto store = scf::IfOp::create(b, loc, full, /*withElse=*/true);
    inBlock(store.thenBlock(), [&] {
      for (int64_t i = 0; i < cfg.mr; ++i)
        for (int64_t j = 0; j < nv; ++j)
          vector::StoreOp::create(b, loc, acc[i * nv + j], c, tileIdx(i, j));
    });
    inBlock(store.elseBlock(), [&] {
      for (int64_t i = 0; i < cfg.mr; ++i)
        for (int64_t j = 0; j < nv; ++j)
          vector::StoreOp::create(b, loc, acc[i * nv + j], scratch,
                                  {idx(i), idx(j * cfg.vw)});
      loop(idx(0), rows, 1, [&](Value i) {
        loop(idx(0), cols, 1, [&](Value j) {
          Value v = memref::LoadOp::create(b, loc, scratch, ValueRange{i, j});
          memref::StoreOp::create(b, loc, v, c,
                                  at({add(row, i), add(col, j)}));
        });
      });
    });
  }

  OpBuilder &b;
  Location loc;
  const Contraction &ct;
  TileConfig cfg;
  bool vectorC;
  OpBuilder::InsertPoint constantsAt;
  DenseMap<int64_t, Value> constants;
  int64_t mc, nc, kc, ku, mrPad, nrPad;
  /// Rows per Ap panel: cfg.mr, except for a sibling, whose tile may span
  /// two of the main builder's panels.
  int64_t aPanelRows;
  /// Threaded over whole jc blocks (else over the ic blocks of each K
  /// block).
  bool jcParallel = false;
  std::optional<CodesView> aView, bView;
  Value bt, ap, bp, scratch;
  /// Per update: its B as Bt[j, n].
  SmallVector<Value> updateBt;
  /// The builder of ct.sibling (owned by build()), or null.
  GemmBuilder *sibling = nullptr;
};

/// The nearest op before `op` in its block that has memory effects, or
/// null.
Operation *prevWithMemoryEffects(Operation *op) {
  Operation *prev = op->getPrevNode();
  while (prev && isMemoryEffectFree(prev))
    prev = prev->getPrevNode();
  return prev;
}

/// The linalg.fill that sets C right before `op` (only ops without memory
/// effects in between), or null.
linalg::FillOp findFill(linalg::LinalgOp op, Value c) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(prevWithMemoryEffects(op));
  if (!fill || !fill.hasPureBufferSemantics() || fill.getOutputs()[0] != c ||
      !fill.getInputs()[0].getType().isF32())
    return {};
  return fill;
}

/// The root buffer of a memref, through views.
Value memrefRoot(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

bool isAllocation(Value v) {
  return v.getDefiningOp<memref::AllocOp>() ||
         v.getDefiningOp<memref::AllocaOp>();
}

/// The scale s when `op` is scaled_matmul's tensor-scale epilogue of `c`:
/// the tagged generic `c[..] = c[..] · s`, in place, s defined outside it.
Value matchScaleEpilogue(Operation *op, Value c) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || !generic->hasAttr(kTensorScaleEpilogueAttrName) ||
      !generic.hasPureBufferSemantics() || generic.getNumDpsInputs() != 0 ||
      generic.getNumDpsInits() != 1 ||
      generic.getDpsInitOperand(0)->get() != c ||
      !generic.getIndexingMapsArray().front().isIdentity() ||
      generic.getNumReductionLoops() != 0)
    return {};
  Block *body = generic.getBlock();
  if (!llvm::hasSingleElement(body->without_terminator()))
    return {};
  auto mul = dyn_cast<arith::MulFOp>(body->front());
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!mul || mul.getFastmath() != arith::FastMathFlags::none || !yield ||
      yield.getNumOperands() != 1 || yield.getOperand(0) != mul.getResult())
    return {};
  Value out = body->getArgument(0);
  Value s = mul.getLhs() == out   ? mul.getRhs()
            : mul.getRhs() == out ? mul.getLhs()
                                  : Value();
  if (!s || !s.getType().isF32() ||
      generic.getRegion().isAncestor(s.getParentRegion()))
    return {};
  return s;
}

/// Largest rank k of an update folded into an epilogue (its j loop is not
/// unrolled; beyond this the update is a GEMM in its own right).
constexpr int64_t kMaxUpdateRank = 64;

/// `op` as a rank-k update of the 2-D FP4 contraction `ct`'s C: an f32
/// contraction into C itself, A and B not aliasing C.
std::optional<RankUpdate> matchRankUpdate(Operation *op,
                                          const Contraction &ct) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (ct.batched || !linalgOp || !isF32ContractionCandidate(linalgOp))
    return std::nullopt;
  std::string why;
  FailureOr<Contraction> u = matchF32Contraction(linalgOp, why);
  if (failed(u) || u->c != ct.c || u->m != ct.m || u->n != ct.n ||
      u->k > kMaxUpdateRank)
    return std::nullopt;
  // A function argument C may alias any other argument; a fresh buffer
  // aliases nothing else.
  Value root = memrefRoot(ct.c);
  for (Value x : {u->a, u->b}) {
    Value r = memrefRoot(x);
    if (r == root || (!isAllocation(root) && !isAllocation(r)))
      return std::nullopt;
  }
  return RankUpdate{u->a,       u->b,     u->aRowDim, u->aKDim,
                    u->bRowDim, u->bKDim, u->k,       u->fused};
}

/// The ops after the FP4 contraction `op` that its epilogue takes over,
/// recorded in `ct`: its tensor-scale epilogue, then (`withUpdates`, i.e.
/// f32 contractions are rewritten at all) rank-k updates of C,
/// with nothing but memory-effect-free ops in between. The GEMM then runs
/// in place of the last of them (past those ops, which cannot observe it).
SmallVector<Operation *> findEpilogue(linalg::LinalgOp op, Contraction &ct,
                                      bool withUpdates) {
  SmallVector<Operation *> taken;
  for (Operation *next = op->getNextNode(); next; next = next->getNextNode()) {
    if (isMemoryEffectFree(next))
      continue;
    if (!ct.epilogueScale && ct.updates.empty()) {
      if (Value s = matchScaleEpilogue(next, ct.c)) {
        ct.epilogueScale = s;
        taken.push_back(next);
        continue;
      }
    }
    std::optional<RankUpdate> update =
        withUpdates ? matchRankUpdate(next, ct) : std::nullopt;
    if (!update)
      break;
    ct.updates.push_back(*update);
    taken.push_back(next);
  }
  return taken;
}

/// The memref.copy into the strict contraction `op`'s C right before it
/// (only memory-effect-free ops in between), when the GEMM can read the
/// source instead: C a fresh buffer, the source a row-major one of its own.
memref::CopyOp findInitCopy(linalg::LinalgOp op, const Contraction &ct) {
  auto copy = dyn_cast_or_null<memref::CopyOp>(prevWithMemoryEffects(op));
  if (!copy || copy.getTarget() != ct.c)
    return {};
  Value root = memrefRoot(ct.c);
  auto srcType = dyn_cast<MemRefType>(copy.getSource().getType());
  if (!isAllocation(root) || memrefRoot(copy.getSource()) == root || !srcType ||
      !srcType.getLayout().isIdentity() ||
      srcType.getShape() != cast<MemRefType>(ct.c.getType()).getShape())
    return {};
  return copy;
}

/// Whether what `first` (up to its last op `last`) computes into `out`
/// from `inputs` may be computed at `to` instead, later in the same block:
/// `out` is a fresh buffer, and nothing in between touches it or writes an
/// input (memory effects checked recursively; a write to an argument may
/// alias any other argument, but not a fresh buffer).
bool canMoveDown(Operation *last, Operation *to, Value out,
                 ArrayRef<Value> inputs) {
  Value outRoot = memrefRoot(out);
  if (!isAllocation(outRoot))
    return false;
  llvm::SmallDenseSet<Value> inputRoots;
  bool inputsAllocated = true;
  for (Value v : inputs) {
    if (!v)
      continue;
    inputRoots.insert(memrefRoot(v));
    inputsAllocated &= isAllocation(memrefRoot(v));
  }
  for (Operation *x = last->getNextNode(); x != to; x = x->getNextNode()) {
    if (isMemoryEffectFree(x))
      continue;
    std::optional<SmallVector<MemoryEffects::EffectInstance>> effects =
        getEffectsRecursively(x);
    if (!effects)
      return false;
    for (const MemoryEffects::EffectInstance &e : *effects) {
      Value v = e.getValue();
      if (!v)
        return false;
      Value root = memrefRoot(v);
      if (root == outRoot)
        return false;
      if (isa<MemoryEffects::Write, MemoryEffects::Free>(e.getEffect()) &&
          (inputRoots.contains(root) ||
           (!isAllocation(root) && !inputsAllocated)))
        return false;
    }
  }
  return true;
}

/// Whether `first` and `second` are the two products of one subspace
/// iteration of the spectral split, Y = X·V and Gᵀ = Yᵀ·X
/// (SpectralSplitToLinalg's emitIteration), that emitSkinnyGramPair runs as
/// one pass over X: both skinny (`g1`, `g2`), the first reading X along k
/// (one tile of rows at a time) into a fresh Y, the second reading the same
/// X along its rows against Y (k = those rows) into a fresh Gᵀ; static
/// row-major operands, one thread, no folded copy, in one block with
/// nothing in between that touches Y or writes X or V.
bool isGramPair(linalg::LinalgOp first, const SkinnyGemm &g1,
                linalg::LinalgOp second, const SkinnyGemm &g2,
                const Contraction &ct1, const Contraction &ct2) {
  if (g1.threads > 1 || g2.threads > 1 || isUnitInnermost(g1.l, g1.lRowDim) ||
      !g1.cTransposed || !isUnitInnermost(g2.l, g2.lRowDim) || g2.cTransposed ||
      g1.l != g2.l || g2.p != g1.c || g2.pKDim != 0 || g1.s != g2.s ||
      g1.t != g2.k || g1.k != g2.t || g1.lanes != g2.lanes ||
      first->getBlock() != second->getBlock() ||
      !first->isBeforeInBlock(second) || findInitCopy(first, ct1) ||
      findInitCopy(second, ct2))
    return false;
  for (Value v : {g1.p, g1.l, g1.c, g2.c}) {
    auto type = cast<MemRefType>(v.getType());
    if (!type.hasStaticShape() || !type.getLayout().isIdentity())
      return false;
  }
  return isAllocation(memrefRoot(g2.c)) &&
         canMoveDown(first, second, g1.c, {g1.p, g1.l});
}

/// Whether the FP4 contraction `sib` (op `sibOp`, then its epilogue ops
/// `sibEpilogue`) can be computed inside the nest of the FP4 contraction
/// `main` (op `mainOp`, register tile `tile`): the low-rank product
/// P = Â·Ṽtᵀ of metis-expand-spectral, whose result one of main's rank-k
/// updates reads. It shares main's A (the same codes and scales), so it
/// runs on main's packed A panels, in the first jc block, instead of
/// packing A once more. Its own fill and tensor scale are applied as
/// usual, and each P element is accumulated in the same order as on its
/// own (K blocks of the same kc, k ascending), so the bits do not change.
/// Moving it down to main is legal when nothing in between touches P or
/// writes its inputs.
bool isSibling(Operation *sibOp, const Contraction &sib,
               ArrayRef<Operation *> sibEpilogue, Operation *mainOp,
               const Contraction &main, const TileConfig &tile) {
  if (!sib.fp4 || sib.batched || main.batched || !sib.updates.empty() ||
      sib.kind != main.kind || sib.bs != main.bs || sib.k != main.k ||
      sib.m != main.m || sib.n > tile.nr || sib.a != main.a ||
      sib.aScales != main.aScales || sibOp->getBlock() != mainOp->getBlock() ||
      !sibOp->isBeforeInBlock(mainOp))
    return false;
  if (!llvm::any_of(main.updates,
                    [&](const RankUpdate &u) { return u.a == sib.c; }))
    return false;
  // Static row-major operands of its own (no stride checks for them).
  for (Value v : {sib.b, sib.bScales, sib.c})
    if (!cast<MemRefType>(v.getType()).getLayout().isIdentity())
      return false;
  Operation *last = sibEpilogue.empty() ? sibOp : sibEpilogue.back();
  return canMoveDown(last, mainOp, sib.c,
                     {sib.a, sib.aScales, sib.b, sib.bScales});
}

/// Replaces `op` by the GEMM. Dynamic strides are checked at run time
/// against the row-major ones (C: only its last stride, against 1); the fast
/// version then knows them statically, so that packing addresses fold into
/// constant offsets and C is accessed with vectors. Other layouts run the
/// same loop nest on the dynamic strides, with scalar C accesses.
void rewrite(linalg::LinalgOp op, Contraction ct, const TileConfig &cfg,
             ArrayRef<Operation *> epilogueOps,
             ArrayRef<Operation *> siblingOps) {
  // After the epilogue's ops, which the GEMM replaces too.
  OpBuilder b(epilogueOps.empty() ? op.getOperation() : epilogueOps.back());
  Location loc = op.getLoc();
  // Read codes through their expand_shape (whose dynamic strides would also
  // leave affine.apply behind expand-strided-metadata).
  // A set: A and B may be the same codes through the same view (a·aᵀ).
  llvm::SetVector<Operation *> views;
  SmallVector<std::pair<Value *, bool *>> codeOperands{{&ct.a, &ct.aCollapsed},
                                                       {&ct.b, &ct.bCollapsed}};
  if (ct.sibling) {
    // Its own copy: the fill and the collapsed view are this rewrite's.
    ct.sibling = std::make_shared<Contraction>(*ct.sibling);
    codeOperands.push_back({&ct.sibling->b, &ct.sibling->bCollapsed});
  }
  for (auto [codes, collapsed] : codeOperands) {
    if (!ct.fp4)
      break;
    auto expand = codes->getDefiningOp<memref::ExpandShapeOp>();
    if (expand && expand.getReassociationIndices().back().size() == 2 &&
        expand.getSrcType().getRank() + 1 == expand.getResultType().getRank()) {
      *codes = expand.getSrc();
      *collapsed = true;
      views.insert(expand);
    }
  }
  // A strict contraction adds to C's values as they are, or to those of
  // the copy into C right before.
  linalg::FillOp fill = ct.strict ? linalg::FillOp() : findFill(op, ct.c);
  if (fill)
    ct.fill = fill.getInputs()[0];
  memref::CopyOp initCopy = ct.strict ? findInitCopy(op, ct) : nullptr;
  if (initCopy)
    ct.cInit = initCopy.getSource();
  linalg::FillOp siblingFill;
  if (ct.sibling) {
    ct.sibling->a = ct.a;
    ct.sibling->aCollapsed = ct.aCollapsed;
    siblingFill =
        findFill(cast<linalg::LinalgOp>(siblingOps.front()), ct.sibling->c);
    if (siblingFill)
      ct.sibling->fill = siblingFill.getInputs()[0];
  }

  Value Contraction::*fields[] = {&Contraction::a, &Contraction::aScales,
                                  &Contraction::b, &Contraction::bScales,
                                  &Contraction::c};
  SmallVector<Value> checks;
  // reinterpret_cast, not memref.cast: loads fold the latter away, and with
  // it the static strides.
  SmallVector<std::pair<Value Contraction::*, std::function<Value()>>> casts;
  bool vectorC = true;
  for (auto field : fields) {
    if (!(ct.*field))
      continue;
    bool isC = field == &Contraction::c;
    auto type = cast<MemRefType>((ct.*field).getType());
    int64_t rank = type.getRank();
    auto [strides, offset] = type.getStridesAndOffset();
    SmallVector<int64_t> want(strides), dims;
    int64_t contiguous = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      // Size-1 dims' strides are never used, except C's last one, which
      // vector.load needs to be 1.
      bool last = d == rank - 1;
      bool used = isC ? last : type.getDimSize(d) != 1;
      if (used && ShapedType::isDynamic(strides[d])) {
        want[d] = contiguous;
        dims.push_back(d);
      }
      contiguous *= type.getDimSize(d);
    }
    if (isC && !ShapedType::isDynamic(strides.back()) && strides.back() != 1)
      vectorC = false;
    if (dims.empty())
      continue;
    auto md = memref::ExtractStridedMetadataOp::create(b, loc, ct.*field);
    for (int64_t d : dims)
      checks.push_back(arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq, md.getStrides()[d],
          arith::ConstantIndexOp::create(b, loc, want[d])));
    auto layout = StridedLayoutAttr::get(b.getContext(), offset, want);
    auto castType = MemRefType::get(type.getShape(), type.getElementType(),
                                    layout, type.getMemorySpace());
    SmallVector<OpFoldResult> sizes, newStrides;
    for (int64_t d = 0; d < rank; ++d) {
      sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
      newStrides.push_back(ShapedType::isDynamic(want[d])
                               ? OpFoldResult(md.getStrides()[d])
                               : b.getIndexAttr(want[d]));
    }
    OpFoldResult newOffset = ShapedType::isDynamic(offset)
                                 ? OpFoldResult(md.getOffset())
                                 : b.getIndexAttr(offset);
    Value source = ct.*field;
    casts.push_back({field, [=, &b]() -> Value {
                       return memref::ReinterpretCastOp::create(
                           b, loc, castType, source, newOffset, sizes,
                           newStrides);
                     }});
  }

  if (checks.empty()) {
    GemmBuilder(b, loc, ct, cfg, vectorC).build();
  } else {
    Value ok = checks.front();
    for (Value check : ArrayRef(checks).drop_front())
      ok = arith::AndIOp::create(b, loc, ok, check);
    auto ifOp = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/true);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    Contraction fast = ct;
    for (auto &[field, makeCast] : casts)
      fast.*field = makeCast();
    GemmBuilder(b, loc, fast, cfg, vectorC).build();
    b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
    bool cIsChecked =
        llvm::any_of(casts, [](auto &c) { return c.first == &Contraction::c; });
    GemmBuilder(b, loc, ct, cfg, vectorC && !cIsChecked).build();
  }
  op->erase();
  for (Operation *taken : llvm::reverse(epilogueOps))
    taken->erase();
  if (fill)
    fill.erase();
  if (initCopy)
    initCopy.erase();
  for (Operation *sibOp : llvm::reverse(siblingOps))
    sibOp->erase();
  if (siblingFill)
    siblingFill.erase();
  for (Operation *view : views)
    if (view->use_empty())
      view->erase();
}

struct CPUScaledGemmPass
    : metis::impl::MetisCPUScaledGemmBase<CPUScaledGemmPass> {
  using Base::Base;

  /// Options are checked once, with a diagnostic that names the pass and
  /// not the payload.
  LogicalResult initialize(MLIRContext *ctx) override {
    auto bad = [&](const Twine &msg) {
      return emitError(UnknownLoc::get(ctx)) << "metis-cpu-gemm: " << msg;
    };
    if (isa == "avx512")
      cfg = {8, 32, 16, 128, 512, 512}; // CPU_CODEGEN.md, v4r
    else if (isa == "avx2")
      cfg = {6, 16, 8, 144, 1024, 256}; // C block of nc columns stays in L3
    else
      return bad("unknown isa '" + isa + "' (expected avx512 or avx2)");
    for (auto [field, value] : {std::pair{&cfg.mr, mr.getValue()},
                                {&cfg.nr, nr.getValue()},
                                {&cfg.vw, vectorWidth.getValue()},
                                {&cfg.mc, mc.getValue()},
                                {&cfg.nc, nc.getValue()},
                                {&cfg.kc, kc.getValue()}})
      if (value != 0)
        *field = value;
    if (cfg.mr <= 0 || cfg.vw <= 0 || cfg.nr <= 0 || cfg.nr % cfg.vw != 0 ||
        cfg.mc <= 0 || cfg.nc <= 0 || cfg.kc <= 0)
      return bad("tile sizes must be positive and nr a multiple of "
                 "vector-width");
    // The register tile is fully unrolled (mr · nr/vector-width
    // accumulators per k step): bound it so that a large option is an error
    // and not a pass that runs for hours; bound the cache blocks so that
    // their arithmetic cannot overflow.
    constexpr int64_t kMaxAccumulators = 256, kMaxBlock = int64_t(1) << 30;
    if (cfg.mr > 64 || cfg.vw > 64 || cfg.nr > 1024 ||
        cfg.mr * (cfg.nr / cfg.vw) > kMaxAccumulators || cfg.mc > kMaxBlock ||
        cfg.nc > kMaxBlock || cfg.kc > kMaxBlock)
      return bad("tile sizes too large (at most mr = 64, vector-width = 64, "
                 "nr = 1024, mr * nr / vector-width = " +
                 Twine(kMaxAccumulators) + " accumulators, mc, nc, kc = 2^30)");
    if (threads < 1)
      return bad("threads must be at least 1");
    cfg.threads = threads;
    cfg.skinny = skinny;
    return success();
  }

  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, Contraction>> todo;
    getOperation()->walk([&](linalg::LinalgOp op) {
      std::string why;
      FailureOr<Contraction> ct = failure();
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (generic && op->hasAttr(kScaledContractionAttrName)) {
        why = "the tag is not a #metis.format";
        if (auto fmt =
                op->getAttrOfType<FormatAttr>(kScaledContractionAttrName))
          ct = matchContraction(generic, fmt, why);
      } else if (f32 && isF32ContractionCandidate(op)) {
        ct = matchF32Contraction(op, why);
        // Untagged ones are only taken when they fit.
        if (failed(ct) && !op->hasAttr(kSpectralGemmAttrName))
          return;
      } else {
        return;
      }
      if (failed(ct)) {
        op.emitRemark() << "metis-cpu-gemm: left unchanged: " << why;
        return;
      }
      todo.push_back({op, *ct});
    });
    // An FP4 GEMM takes over the ops of its epilogue, which are then not
    // rewritten on their own.
    SmallVector<SmallVector<Operation *>> epilogues(todo.size());
    DenseSet<Operation *> taken;
    if (epilogue)
      for (auto [entry, ops] : llvm::zip_equal(todo, epilogues))
        if (entry.second.fp4) {
          ops = findEpilogue(entry.first, entry.second, /*withUpdates=*/f32);
          taken.insert(ops.begin(), ops.end());
        }
    // A narrow FP4 contraction feeding a rank-k update of another, sharing
    // its A, runs inside the other's nest (isSibling). Not with threads
    // over jc blocks: the other blocks would read P before it is done.
    SmallVector<SmallVector<Operation *>> siblingOps(todo.size());
    if (epilogue)
      for (auto [i, entry] : llvm::enumerate(todo)) {
        auto &[op, ct] = entry;
        TileConfig tile = tileFor(ct);
        if (!ct.fp4 || ct.updates.empty() || taken.contains(op) ||
            isJcParallel(ct, tile))
          continue;
        for (auto [j, other] : llvm::enumerate(todo)) {
          if (j == i || taken.contains(other.first) ||
              !isSibling(other.first, other.second, epilogues[j], op, ct, tile))
            continue;
          ct.sibling = std::make_shared<Contraction>(other.second);
          siblingOps[i].push_back(other.first);
          llvm::append_range(siblingOps[i], epilogues[j]);
          taken.insert(other.first);
          break;
        }
      }
    // The two products of a split iteration over the same X run as one
    // pass over it (isGramPair).
    for (auto [i, first] : llvm::enumerate(todo)) {
      std::optional<SkinnyGemm> g1 = skinnyGemm(first.second, cfg);
      if (!g1 || taken.contains(first.first))
        continue;
      for (auto [j, second] : llvm::enumerate(todo)) {
        if (j == i || taken.contains(second.first))
          continue;
        std::optional<SkinnyGemm> g2 = skinnyGemm(second.second, cfg);
        if (!g2 || !isGramPair(first.first, *g1, second.first, *g2,
                               first.second, second.second))
          continue;
        OpBuilder b(second.first);
        emitSkinnyGramPair(b, second.first.getLoc(), *g1, *g2);
        taken.insert(first.first);
        taken.insert(second.first);
        first.first->erase();
        second.first->erase();
        break;
      }
    }
    for (auto [entry, ops, sibOps] :
         llvm::zip_equal(todo, epilogues, siblingOps))
      if (!taken.contains(entry.first.getOperation()))
        rewrite(entry.first, entry.second, tileFor(entry.second), ops, sibOps);
    if (f32) {
      SmallVector<Operation *> vecOps;
      getOperation()->walk([&](Operation *op) {
        if (llvm::isa<linalg::MatvecOp, linalg::VecmatOp>(op))
          vecOps.push_back(op);
      });
      for (Operation *op : vecOps) {
        if (auto mv = dyn_cast<linalg::MatvecOp>(op))
          vectorizeMatvec(mv);
        else
          interchangeVecmat(cast<linalg::VecmatOp>(op));
      }
    }
  }

  /// The register tile for `ct`: the preset's, except for a narrow N (at
  /// most nr - vector-width, e.g. the rank-16 products of a spectral
  /// split) when neither mr nor nr was given: there an nr-wide tile would
  /// be half padding, so it takes N rounded up to whole vectors and spends
  /// the same number of accumulators on more rows (each C element still
  /// accumulates in the same order, so the bits do not change).
  TileConfig tileFor(const Contraction &ct) const {
    TileConfig t = cfg;
    if (mr != 0 || nr != 0 || ct.n <= 0 || ct.n > cfg.nr - cfg.vw)
      return t;
    int64_t accumulators = cfg.mr * (cfg.nr / cfg.vw);
    t.nr = llvm::divideCeil(ct.n, cfg.vw) * cfg.vw;
    t.mr = accumulators / (t.nr / cfg.vw);
    // mc stays a multiple of mr.
    t.mc = std::max<int64_t>(t.mr, cfg.mc / t.mr * t.mr);
    return t;
  }

  TileConfig cfg;
};

} // namespace
