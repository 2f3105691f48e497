//===- Spectralize.cpp - training-graph matmuls into Metis form -----------===//
//
// metis-spectralize: classifies every contraction of a linalg-on-tensors
// training graph (SpectralizeAnalysis) and rewrites the ones its policy
// selects into metis.spectral_matmul, with per-role format, rounding and
// split, quantized along each GEMM's own reduction axis (METIS.md §0.2).
// Presets, options and rules are documented in Passes.td and
// docs/Spectralize.md.
//
//===----------------------------------------------------------------------===//

#include "SpectralizeAnalysis.h"

#include "metis/Dialect/Metis/IR/MetisDialect.h"
#include "metis/Dialect/Metis/IR/MetisOps.h"
#include "metis/Dialect/Metis/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace mlir::metis {
#define GEN_PASS_DEF_METISSPECTRALIZE
#include "metis/Dialect/Metis/Transforms/Passes.h.inc"
} // namespace mlir::metis

using namespace mlir;
using namespace mlir::metis;
using namespace mlir::metis::spectralize;

namespace {

//===----------------------------------------------------------------------===//
// Policy
//===----------------------------------------------------------------------===//

/// The resolved policy of one function (a preset plus the pass options).
struct Config {
  std::string preset; // metis | nvfp4 | nvidia-recipe | none
  int64_t rank = 16;
  bool splitWeights = false, splitGradients = false;
  bool tiledWeights = false, hadamard = false;
  Rounding gradientRounding = Rounding::stochastic;
  int64_t skipFirst = 0, skipLast = 0, minSize = 0;
  bool includeAttention = false, includeLmHead = false;
};

bool isPreset(StringRef name) {
  return llvm::is_contained({"metis", "nvfp4", "nvidia-recipe", "none"}, name);
}

/// Outcome of the policy for one contraction.
struct Decision {
  bool rewrite = false;
  std::string reason; // why not rewritten
  OperandPolicyAttr lhs, rhs;
  bool hadamard = false;
  std::string notes; // adjustments (dropped splits, 1-D fallback)
};

constexpr int64_t kBlock = 16; // NVFP4 block along K

/// The operand policy of `role` for an operand of `rows` x K rows (rows = 0
/// when batched), or null when the role is not quantized.
OperandPolicyAttr operandPolicy(MLIRContext *ctx, const Config &cfg, Role role,
                                const ContractionShape &s, int64_t rows,
                                StringRef side, std::string &notes) {
  llvm::raw_string_ostream os(notes);
  FormatAttr format = FormatAttr::get(ctx, FormatKind::nvfp4);
  if (role == Role::weight && cfg.tiledWeights) {
    if (!s.batch && rows % kBlock == 0)
      format = FormatAttr::get(ctx, FormatKind::nvfp4, kBlock, kBlock);
    else
      os << "; " << side << ": 1x16 blocks (" << rows
         << " rows do not tile by 16)";
  }
  Rounding rounding =
      role == Role::gradient ? cfg.gradientRounding : Rounding::rne;
  SplitAttr split;
  bool wantSplit = (role == Role::weight && cfg.splitWeights) ||
                   (role == Role::gradient && cfg.splitGradients);
  if (wantSplit) {
    if (s.batch)
      os << "; " << side << ": no split (batched)";
    else if (cfg.rank >= std::min(rows, s.kSize))
      os << "; " << side << ": no split (rank " << cfg.rank << " >= min("
         << rows << ", " << s.kSize << "))";
    else if (rows % kBlock != 0)
      os << "; " << side << ": no split (" << rows
         << " rows are not a multiple of 16, needed by the FP4 factor U)";
    else
      split = SplitAttr::get(ctx, cfg.rank, /*oversample=*/4,
                             /*power_iters=*/2, Sketch::gaussian,
                             FactorPrecision::fp4, ResidualMode::exact,
                             SpectralGain::none);
  }
  return OperandPolicyAttr::get(ctx, format, rounding, role, split);
}

Decision decide(MLIRContext *ctx, const Config &cfg, const Classified &c,
                int64_t numLayers) {
  Decision d;
  llvm::raw_string_ostream why(d.reason);
  const ContractionShape &s = c.shape;
  if (cfg.preset == "none") {
    why << "preset none";
    return d;
  }
  switch (c.kind) {
  case GemmKind::Other:
    why << c.note;
    return d;
  case GemmKind::Attention:
    if (!cfg.includeAttention) {
      why << "attention stays in high precision (include-attention=false)";
      return d;
    }
    break;
  default:
    if (!c.linear)
      break;
    if (c.linear->lmHead) {
      if (!cfg.includeLmHead) {
        why << "the lm head stays in high precision (include-lm-head=false)";
        return d;
      }
      break;
    }
    if (c.linear->layer < cfg.skipFirst) {
      why << "layer " << c.linear->layer << " is among the first "
          << cfg.skipFirst << " (skip-first-layers)";
      return d;
    }
    if (c.linear->layer >= numLayers - cfg.skipLast) {
      why << "layer " << c.linear->layer << " is among the last "
          << cfg.skipLast << " of " << numLayers << " (skip-last-layers)";
      return d;
    }
  }
  if (std::min({s.mSize, s.nSize, s.kSize}) < cfg.minSize) {
    why << "min(M, N, K) < min-size " << cfg.minSize;
    return d;
  }
  if (s.kSize % kBlock != 0) {
    why << "K = " << s.kSize << " is not a multiple of the block size "
        << kBlock;
    return d;
  }
  d.rewrite = true;
  d.lhs = operandPolicy(ctx, cfg, *c.lhsRole, s, s.batch ? 0 : s.mSize, "lhs",
                        d.notes);
  d.rhs = operandPolicy(ctx, cfg, *c.rhsRole, s, s.batch ? 0 : s.nSize, "rhs",
                        d.notes);
  d.hadamard = cfg.hadamard && c.kind == GemmKind::Wgrad;
  return d;
}

void printPolicy(llvm::raw_ostream &os, OperandPolicyAttr p) {
  os << (p.getFormat().isTiled() ? "nvfp4 16x16" : "nvfp4") << " "
     << stringifyRounding(p.getRounding());
  if (p.getSplit())
    os << " split rank " << p.getSplit().getRank();
}

//===----------------------------------------------------------------------===//
// Rewrite
//===----------------------------------------------------------------------===//

int64_t positionOf(AffineMap map, unsigned dim) {
  for (unsigned i = 0; i < map.getNumResults(); ++i)
    if (map.getDimPosition(i) == dim)
      return i;
  llvm_unreachable("loop dimension not in map");
}

Value transpose(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> perm) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(t.getDimSize(p));
  Value init = tensor::EmptyOp::create(b, loc, shape, t.getElementType());
  return linalg::TransposeOp::create(b, loc, v, init, perm)->getResult(0);
}

/// `operand` (indexed by `map`) with its dimensions in the loop order
/// `order`; a transpose feeding it is folded into the one needed.
Value inLoopOrder(OpBuilder &b, Location loc, Value operand, AffineMap map,
                  ArrayRef<unsigned> order) {
  SmallVector<int64_t> perm;
  for (unsigned d : order)
    perm.push_back(positionOf(map, d));
  auto isIdentity = [](ArrayRef<int64_t> p) {
    return llvm::equal(p, llvm::seq<int64_t>(0, p.size()));
  };
  if (isIdentity(perm))
    return operand;
  if (auto t = operand.getDefiningOp<linalg::TransposeOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(t.getPermutation()[p]);
    if (isIdentity(composed))
      return t.getInput();
    return transpose(b, loc, t.getInput(), composed);
  }
  return transpose(b, loc, operand, perm);
}

/// TransformerEngine's sign vector of the 16-point random Hadamard
/// transform (METIS.md §5.2).
constexpr int kRhtSigns[16] = {1,  1,  1,  -1, 1,  -1, -1, -1,
                               -1, -1, -1, 1,  -1, 1,  -1, -1};

/// `v` [R, K] times the block-diagonal orthogonal matrix diag(T, T, ...)
/// with T = diag(signs)·H16/4 along K (K % 16 == 0). Both Wgrad operands get
/// the same T, so it cancels in the product (T·Tᵀ = I).
Value hadamard(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  Type elt = t.getElementType();
  int64_t rows = t.getDimSize(0), k = t.getDimSize(1);
  SmallVector<Attribute> entries;
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) {
      double h = (llvm::popcount(static_cast<unsigned>(i & j)) % 2) ? -1 : 1;
      entries.push_back(FloatAttr::get(elt, kRhtSigns[i] * h / 4.0));
    }
  auto matType = RankedTensorType::get({16, 16}, elt);
  Value mat = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(matType, entries));
  auto blockedType = RankedTensorType::get({rows, k / 16, 16}, elt);
  SmallVector<ReassociationIndices> groups = {{0}, {1, 2}};
  Value blocked = tensor::ExpandShapeOp::create(b, loc, blockedType, v, groups);
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
  Value init = tensor::EmptyOp::create(b, loc, blockedType.getShape(), elt);
  Value fill = linalg::FillOp::create(b, loc, zero, init).getResult(0);
  MLIRContext *ctx = b.getContext();
  AffineExpr d0, d1, d2, d3;
  bindDims(ctx, d0, d1, d2, d3);
  SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {d0, d1, d3}, ctx),
                                 AffineMap::get(4, 0, {d3, d2}, ctx),
                                 AffineMap::get(4, 0, {d0, d1, d2}, ctx)};
  SmallVector<utils::IteratorType> iters(3, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  auto g = linalg::GenericOp::create(
      b, loc, blockedType, ValueRange{blocked, mat}, ValueRange{fill}, maps,
      iters, [](OpBuilder &nb, Location nl, ValueRange args) {
        Value m = arith::MulFOp::create(nb, nl, args[0], args[1]);
        Value s = arith::AddFOp::create(nb, nl, args[2], m);
        linalg::YieldOp::create(nb, nl, s);
      });
  // The transform is not a training GEMM: later runs leave it alone.
  g->setAttr(kPolicyAttr, b.getStringAttr("none"));
  return tensor::CollapseShapeOp::create(b, loc, t, g.getResult(0), groups);
}

/// splitmix64 finalizer: decorrelates the per-contraction seeds.
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// The i64 seed of the `index`-th contraction of `func`: an argument marked
/// `metis.seed` XOR a per-contraction constant, or a constant derived from
/// the pass's `seed` option.
Value seedFor(OpBuilder &b, Location loc, FunctionOpInterface func,
              uint64_t base, int64_t index) {
  int64_t mask = static_cast<int64_t>(
      mix(base ^ mix(static_cast<uint64_t>(index))) & 0x7FFFFFFFFFFFFFFFULL);
  for (BlockArgument arg : func.getArguments())
    if (arg.getType().isInteger(64) &&
        func.getArgAttr(arg.getArgNumber(), kSeedAttr)) {
      Value c = arith::ConstantIntOp::create(b, loc, mask, 64);
      return arith::XOrIOp::create(b, loc, arg, c);
    }
  return arith::ConstantIntOp::create(b, loc, mask, 64);
}

/// Replaces the contraction `c` by a metis.spectral_matmul with the given
/// policies. Returns the new op.
SpectralMatmulOp rewrite(OpBuilder &b, FunctionOpInterface func,
                         const Classified &c, OperandPolicyAttr lhsPolicy,
                         OperandPolicyAttr rhsPolicy, bool rht,
                         uint64_t baseSeed, int64_t index) {
  linalg::LinalgOp op = c.op;
  const ContractionShape &s = c.shape;
  Location loc = op.getLoc();
  b.setInsertionPoint(op);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<unsigned> lhsOrder, rhsOrder, outOrder;
  if (s.batch) {
    lhsOrder.push_back(*s.batch);
    rhsOrder.push_back(*s.batch);
    outOrder.push_back(*s.batch);
  }
  lhsOrder.append({s.m, s.k});
  rhsOrder.append({s.n, s.k});
  outOrder.append({s.m, s.n});
  Value lhs =
      inLoopOrder(b, loc, op.getDpsInputOperand(0)->get(), maps[0], lhsOrder);
  Value rhs =
      inLoopOrder(b, loc, op.getDpsInputOperand(1)->get(), maps[1], rhsOrder);
  if (rht) {
    lhs = hadamard(b, loc, lhs);
    rhs = hadamard(b, loc, rhs);
  }
  bool needsSeed = lhsPolicy.getSplit() || rhsPolicy.getSplit() ||
                   lhsPolicy.getRounding() == Rounding::stochastic ||
                   rhsPolicy.getRounding() == Rounding::stochastic;
  Value seed = needsSeed ? seedFor(b, loc, func, baseSeed, index) : Value();
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  SmallVector<int64_t> shape;
  if (s.batch)
    shape.push_back(s.batchSize);
  shape.append({s.mSize, s.nSize});
  auto resultType = RankedTensorType::get(shape, outType.getElementType());
  auto sm = SpectralMatmulOp::create(
      b, loc, resultType, /*lhs_subspace=*/Type(), /*rhs_subspace=*/Type(), lhs,
      rhs, seed, /*lhs_warm_start=*/Value(), /*rhs_warm_start=*/Value(),
      lhsPolicy, rhsPolicy);
  // Back to the contraction's output layout.
  AffineMap outMap = maps[2];
  SmallVector<int64_t> perm;
  for (unsigned j = 0; j < outMap.getNumResults(); ++j)
    perm.push_back(llvm::find(outOrder, outMap.getDimPosition(j)) -
                   outOrder.begin());
  Value result = sm.getResult();
  if (!llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    result = transpose(b, loc, result, perm);
  op->getResult(0).replaceAllUsesWith(result);
  return sm;
}

/// Erases `op` and then every producer left without uses that has no side
/// effects (the zero fill, its tensor.empty, folded transposes).
void eraseWithDeadProducers(Operation *op) {
  SmallVector<Operation *> worklist = {op};
  while (!worklist.empty()) {
    Operation *o = worklist.pop_back_val();
    if (!o->use_empty())
      continue;
    SmallVector<Operation *> producers;
    for (Value v : o->getOperands())
      if (Operation *p = v.getDefiningOp())
        producers.push_back(p);
    o->erase();
    for (Operation *p : producers)
      if (p->use_empty() && isMemoryEffectFree(p) && p->getNumRegions() == 0)
        worklist.push_back(p);
      else if (p->use_empty() && isa<linalg::LinalgOp>(p) &&
               cast<linalg::LinalgOp>(p).hasPureTensorSemantics())
        worklist.push_back(p);
  }
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

struct MetisSpectralizePass
    : metis::impl::MetisSpectralizeBase<MetisSpectralizePass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *ctx) override {
    if (!isPreset(preset))
      return emitError(UnknownLoc::get(ctx))
             << "metis-spectralize: unknown preset '" << preset
             << "' (expected metis, nvfp4, nvidia-recipe or none)";
    if (!llvm::is_contained({"", "rne", "stochastic"}, gradientRounding))
      return emitError(UnknownLoc::get(ctx))
             << "metis-spectralize: gradient-rounding must be rne or "
                "stochastic, got '"
             << gradientRounding << "'";
    if (!llvm::is_contained({"auto", "on", "off"}, hadamard))
      return emitError(UnknownLoc::get(ctx))
             << "metis-spectralize: hadamard must be auto, on or off, got '"
             << hadamard << "'";
    if (rank < 1)
      return emitError(UnknownLoc::get(ctx))
             << "metis-spectralize: rank must be >= 1";
    return success();
  }

  Config configFor(StringRef presetName, int64_t numLayers) const {
    Config cfg;
    cfg.preset = presetName.str();
    cfg.rank = rank;
    cfg.splitWeights = cfg.splitGradients = presetName == "metis";
    cfg.tiledWeights = presetName == "nvidia-recipe";
    cfg.hadamard = hadamard == "on" ||
                   (hadamard == "auto" && presetName == "nvidia-recipe");
    cfg.gradientRounding =
        gradientRounding == "rne" ? Rounding::rne : Rounding::stochastic;
    cfg.skipFirst = skipFirstLayers;
    // NVIDIA keeps ~15% of the linear layers, the last ones, in BF16.
    cfg.skipLast = skipLastLayers >= 0 ? skipLastLayers
                   : presetName == "nvidia-recipe"
                       ? static_cast<int64_t>(std::ceil(0.15 * numLayers))
                       : 0;
    cfg.minSize = minSize;
    cfg.includeAttention = includeAttention;
    cfg.includeLmHead = includeLmHead;
    return cfg;
  }

  void runOnFunction(FunctionOpInterface func) {
    if (func.isExternal())
      return;
    MLIRContext *ctx = &getContext();
    FunctionAnalysis analysis(func);
    StringRef funcPreset = preset;
    if (auto p = func->getAttrOfType<StringAttr>(kPolicyAttr)) {
      if (!isPreset(p.getValue())) {
        func->emitError() << "metis-spectralize: unknown " << kPolicyAttr
                          << " preset '" << p.getValue() << "'";
        return signalPassFailure();
      }
      funcPreset = p.getValue();
    }

    // Classify everything first: rewriting changes the graph the rules read.
    // `c` is empty for ops that are only reported (`remark`).
    struct Item {
      Operation *op;
      std::optional<Classified> c;
      Decision d;
      std::string remark;
    };
    std::vector<Item> items;
    WalkResult walk = func.getFunctionBody().walk([&](linalg::LinalgOp op) {
      Attribute policy = op->getAttr(kPolicyAttr);
      auto policyName = dyn_cast_or_null<StringAttr>(policy);
      if (policyName && policyName.getValue() == "none") {
        if (linalg::isaContractionOpInterface(op))
          items.push_back(
              {op,
               std::nullopt,
               {},
               "left unchanged (" + kPolicyAttr.str() + " = \"none\")"});
        return WalkResult::advance();
      }
      if (!linalg::isaContractionOpInterface(op))
        return WalkResult::advance();
      std::string why;
      bool isGemm = true;
      std::optional<ContractionShape> shape =
          matchContraction(op, why, &isGemm);
      if (!shape && !isGemm) {
        items.push_back({op, std::nullopt, {}, "left unchanged: " + why});
        return WalkResult::advance();
      }
      if (!shape) {
        op->emitWarning() << "metis-spectralize: contraction left unchanged: "
                          << why;
        return WalkResult::advance();
      }
      Item item{op, analysis.classify(op, *shape), {}, {}};
      if (auto dict = dyn_cast_or_null<DictionaryAttr>(policy)) {
        auto l = dict.getAs<OperandPolicyAttr>("lhs");
        auto r = dict.getAs<OperandPolicyAttr>("rhs");
        if (!l || !r) {
          op->emitError() << "metis-spectralize: a dictionary " << kPolicyAttr
                          << " needs `lhs` and `rhs` #metis.operand entries";
          return WalkResult::interrupt();
        }
        item.d.rewrite = true;
        item.d.lhs = l;
        item.d.rhs = r;
        item.d.notes = "; policy from the op's " + kPolicyAttr.str();
      } else {
        StringRef name = funcPreset;
        if (policyName) {
          if (!isPreset(policyName.getValue())) {
            op->emitError() << "metis-spectralize: unknown " << kPolicyAttr
                            << " preset '" << policyName.getValue() << "'";
            return WalkResult::interrupt();
          }
          name = policyName.getValue();
        }
        item.d = decide(ctx, configFor(name, analysis.numLayers()), *item.c,
                        analysis.numLayers());
      }
      items.push_back(std::move(item));
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    OpBuilder b(ctx);
    for (auto [index, item] : llvm::enumerate(items)) {
      if (!item.c) {
        if (remarks)
          item.op->emitRemark() << "metis-spectralize: " << item.remark;
        continue;
      }
      const Classified &c = *item.c;
      const Decision &d = item.d;
      if (remarks) {
        InFlightDiagnostic diag = c.op->emitRemark();
        diag << "metis-spectralize: " << stringifyGemmKind(c.kind);
        if (c.linear)
          c.linear->lmHead ? diag << " (lm head)"
                           : diag << " (layer " << c.linear->layer << ")";
        diag << " " << c.shape.mSize << "x" << c.shape.nSize << "x"
             << c.shape.kSize;
        if (c.shape.batch)
          diag << " batch " << c.shape.batchSize;
        if (c.lhsRole)
          diag << ", lhs " << stringifyRole(*c.lhsRole) << ", rhs "
               << stringifyRole(*c.rhsRole);
        if (d.rewrite) {
          std::string text;
          llvm::raw_string_ostream os(text);
          os << ": rewritten (lhs ";
          printPolicy(os, d.lhs);
          os << "; rhs ";
          printPolicy(os, d.rhs);
          if (d.hadamard)
            os << "; random Hadamard on both";
          os << d.notes << ")";
          diag << text;
        } else {
          diag << ": left unchanged (" << d.reason << ")";
        }
      }
      if (!d.rewrite)
        continue;
      SpectralMatmulOp sm = rewrite(b, func, c, d.lhs, d.rhs, d.hadamard,
                                    static_cast<uint64_t>(seed), index);
      if (failed(sm.verify()))
        return signalPassFailure();
      eraseWithDeadProducers(c.op);
    }
  }

  void runOnOperation() override {
    SmallVector<FunctionOpInterface> funcs;
    if (auto f = dyn_cast<FunctionOpInterface>(getOperation()))
      funcs.push_back(f);
    else
      getOperation()->walk([&](FunctionOpInterface f) { funcs.push_back(f); });
    for (FunctionOpInterface f : funcs)
      runOnFunction(f);
    if (!stripAnnotations)
      return;
    for (FunctionOpInterface f : funcs) {
      for (unsigned i = 0; i < f.getNumArguments(); ++i)
        for (StringRef name : {kRoleAttr, kLayerAttr, kLmHeadAttr, kSeedAttr})
          f.removeArgAttr(i, name);
      f->removeAttr(kPolicyAttr);
      f->walk([](Operation *op) { op->removeAttr(kPolicyAttr); });
    }
  }
};

} // namespace
