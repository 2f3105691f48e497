//===- SpectralizeAnalysis.cpp - training-graph contraction roles ---------===//
//
// The classification rules of metis-spectralize (Passes.td and
// docs/Spectralize.md):
//   * weights are function arguments (`metis.role = #metis.role<weight>`, or,
//     in a function without any `metis.role`, every 2-D argument), reached
//     through data-movement ops only;
//   * a contraction with one weight operand is the Fprop of that linear when
//     it reduces over the weight's dim 1 (`in`, torch's [out, in] layout) and
//     its Dgrad when it reduces over dim 0 (`out`);
//   * gradients are the arguments marked `gradient`, the non-weight operands
//     of Dgrads, and everything computed from them;
//   * a 2-D contraction of one gradient and one activation is the Wgrad of a
//     linear when its gradient operand is that of the linear's Dgrad (or its
//     activation that of the linear's Fprop) and its result has the weight's
//     shape; batched contractions without weights are attention.
//
//===----------------------------------------------------------------------===//

#include "SpectralizeAnalysis.h"

#include "metis/Dialect/Metis/IR/MetisOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::metis;
using namespace mlir::metis::spectralize;

StringRef spectralize::stringifyGemmKind(GemmKind kind) {
  switch (kind) {
  case GemmKind::Fprop:
    return "fprop";
  case GemmKind::Dgrad:
    return "dgrad";
  case GemmKind::Wgrad:
    return "wgrad";
  case GemmKind::Attention:
    return "attention";
  case GemmKind::Other:
    return "other";
  }
  llvm_unreachable("unknown GemmKind");
}

/// An element-wise one-input generic that only converts (or copies) its
/// input: identity maps, all-parallel, body `yield` of a cast of the input.
static bool isCastGeneric(linalg::GenericOp g) {
  if (g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
      g.getNumParallelLoops() != g.getNumLoops() ||
      !llvm::all_of(g.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return false;
  Block &body = g.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Value y = yield.getOperand(0);
  if (y == body.getArgument(0))
    return true;
  Operation *def = y.getDefiningOp();
  return def && isa<arith::ExtFOp, arith::TruncFOp>(def) &&
         def->getOperand(0) == body.getArgument(0) &&
         body.getOperations().size() == 2;
}

Source spectralize::traceSource(Value v) {
  auto shaped = dyn_cast<ShapedType>(v.getType());
  SmallVector<int64_t> dims;
  if (shaped)
    dims = llvm::to_vector(llvm::seq<int64_t>(0, shaped.getRank()));
  bool known = static_cast<bool>(shaped);
  while (Operation *def = v.getDefiningOp()) {
    if (auto t = dyn_cast<linalg::TransposeOp>(def)) {
      // Result dim j is input dim perm[j].
      for (int64_t &d : dims)
        d = t.getPermutation()[d];
      v = t.getInput();
    } else if (auto c = dyn_cast<tensor::CastOp>(def)) {
      v = c.getSource();
    } else if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(def)) {
      known = false;
      v = def->getOperand(0);
    } else if (auto t = dyn_cast<bufferization::ToTensorOp>(def)) {
      v = t.getBuffer();
    } else if (auto g = dyn_cast<linalg::GenericOp>(def);
               g && isCastGeneric(g)) {
      v = g.getDpsInputOperand(0)->get();
    } else {
      break;
    }
  }
  Source s{v, std::nullopt};
  if (known)
    s.dims = std::move(dims);
  return s;
}

//===----------------------------------------------------------------------===//
// Structural match
//===----------------------------------------------------------------------===//

static bool isZeroFill(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
}

std::optional<ContractionShape>
spectralize::matchContraction(linalg::LinalgOp op, std::string &why,
                              bool *isGemm) {
  llvm::raw_string_ostream os(why);
  if (isGemm)
    *isGemm = true;
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op)) {
    os << "not a two-operand contraction on tensors";
    return std::nullopt;
  }
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (succeeded(dims) && (dims->m.empty() || dims->n.empty())) {
    // A row-wise dot product or reduction (e.g. softmax's backward), not a
    // matmul.
    if (isGemm)
      *isGemm = false;
    os << "not a matmul (no M or no N dimension)";
    return std::nullopt;
  }
  if (failed(dims) || dims->batch.size() > 1 || dims->m.size() != 1 ||
      dims->n.size() != 1 || dims->k.size() != 1) {
    os << "only contractions with at most one batch and exactly one M, N "
          "and K dimension are rewritten";
    if (succeeded(dims))
      os << " (this one has " << dims->batch.size() << " batch, "
         << dims->m.size() << " M, " << dims->n.size() << " N and "
         << dims->k.size() << " K dimensions)";
    return std::nullopt;
  }
  ContractionShape s;
  if (!dims->batch.empty())
    s.batch = dims->batch[0];
  s.m = dims->m[0];
  s.n = dims->n[0];
  s.k = dims->k[0];
  unsigned rank = s.batch ? 3 : 2;
  for (AffineMap map : op.getIndexingMapsArray())
    if (map.getNumResults() != rank || !map.isProjectedPermutation()) {
      os << "an operand is broadcast or indexed by a non-permutation map";
      return std::nullopt;
    }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic)) {
    os << "dynamic shape (the FP4 blocking along K and the split ranks are "
          "checked at compile time)";
    return std::nullopt;
  }
  s.batchSize = s.batch ? ranges[*s.batch] : 1;
  s.mSize = ranges[s.m];
  s.nSize = ranges[s.n];
  s.kSize = ranges[s.k];
  Type lhs = getElementTypeOrSelf(op.getDpsInputOperand(0)->get().getType());
  Type rhs = getElementTypeOrSelf(op.getDpsInputOperand(1)->get().getType());
  Type out = getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType());
  auto supported = [](Type t) { return t.isF32() || t.isBF16(); };
  if (lhs != rhs || !supported(lhs) || !supported(out)) {
    os << "mixed or unsupported element types (" << lhs << " x " << rhs
       << " -> " << out << "; f32 or bf16 operands of one type are handled)";
    return std::nullopt;
  }
  if (!isZeroFill(op.getDpsInitOperand(0)->get())) {
    os << "accumulates into an init that is not a zero linalg.fill";
    return std::nullopt;
  }
  return s;
}

//===----------------------------------------------------------------------===//
// Function analysis
//===----------------------------------------------------------------------===//

static BlockArgument argOf(FunctionOpInterface func, Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || func.isExternal() ||
      arg.getOwner() != &func.getFunctionBody().front())
    return {};
  return arg;
}

static std::optional<Role> explicitRole(FunctionOpInterface func,
                                        BlockArgument arg) {
  if (auto r = func.getArgAttrOfType<RoleAttr>(arg.getArgNumber(), kRoleAttr))
    return r.getValue();
  return std::nullopt;
}

bool FunctionAnalysis::isWeightArg(BlockArgument arg) const {
  if (std::optional<Role> r = explicitRole(func, arg))
    return *r == Role::weight;
  // Once roles are annotated, weights must be marked.
  if (anyRoleAnnotation)
    return false;
  auto t = dyn_cast<ShapedType>(arg.getType());
  return t && t.hasRank() && t.getRank() == 2;
}

std::optional<LinearInfo> FunctionAnalysis::linearOf(BlockArgument arg) const {
  if (!arg)
    return std::nullopt;
  auto it = linears.find(arg);
  if (it == linears.end())
    return std::nullopt;
  return it->second;
}

bool FunctionAnalysis::isGradient(Value v) const {
  return gradients.contains(v);
}

/// Position of loop `dim` among the results of `map`.
static int64_t positionOf(AffineMap map, unsigned dim) {
  for (auto [i, e] : llvm::enumerate(map.getResults()))
    if (map.getDimPosition(i) == dim)
      return i;
  return -1;
}

/// Records `key -> weight`, or a null weight when `key` already maps to a
/// different one (ambiguous).
static void recordUnique(llvm::DenseMap<Value, BlockArgument> &map, Value key,
                         BlockArgument weight) {
  auto [it, inserted] = map.try_emplace(key, weight);
  if (!inserted && it->second != weight)
    it->second = BlockArgument();
}

FunctionAnalysis::FunctionAnalysis(FunctionOpInterface func) : func(func) {
  if (func.isExternal())
    return;
  // Linear weights, in argument order; the lm head is the argument marked
  // `metis.lm_head`, else the last weight (when there are several).
  for (BlockArgument arg : func.getArguments())
    anyRoleAnnotation |= explicitRole(func, arg).has_value();
  SmallVector<BlockArgument> weights;
  bool anyHeadMark = false;
  for (BlockArgument arg : func.getArguments()) {
    auto t = dyn_cast<ShapedType>(arg.getType());
    if (!t || !t.hasRank() || t.getRank() != 2 || !isWeightArg(arg))
      continue;
    weights.push_back(arg);
    anyHeadMark |=
        static_cast<bool>(func.getArgAttr(arg.getArgNumber(), kLmHeadAttr));
  }
  // Unmarked: the last weight is the head when it has no `metis.layer` and
  // its `out` (the vocabulary) is larger than every other weight's.
  auto outDim = [](BlockArgument a) {
    return cast<ShapedType>(a.getType()).getDimSize(0);
  };
  bool lastIsHead =
      weights.size() > 1 &&
      !func.getArgAttr(weights.back().getArgNumber(), kLayerAttr) &&
      llvm::all_of(ArrayRef(weights).drop_back(), [&](BlockArgument a) {
        return outDim(a) < outDim(weights.back());
      });
  int64_t ordinal = 0;
  for (auto [i, arg] : llvm::enumerate(weights)) {
    LinearInfo info;
    info.weight = arg;
    info.lmHead = anyHeadMark ? static_cast<bool>(func.getArgAttr(
                                    arg.getArgNumber(), kLmHeadAttr))
                              : lastIsHead && i + 1 == weights.size();
    if (!info.lmHead) {
      auto layer =
          func.getArgAttrOfType<IntegerAttr>(arg.getArgNumber(), kLayerAttr);
      info.layer = layer ? layer.getInt() : ordinal;
      ++ordinal;
      layers = std::max(layers, info.layer + 1);
    }
    linears[arg] = info;
  }

  // Fprop / Dgrad by structure, which seeds the gradients.
  SmallVector<Value> seeds;
  for (BlockArgument arg : func.getArguments())
    if (explicitRole(func, arg) == Role::gradient)
      seeds.push_back(arg);
  auto recordLinearUse = [&](BlockArgument weight, Value other,
                             bool reducesOut) {
    Value root = traceSource(other).root;
    if (reducesOut) {
      seeds.push_back(root);
      recordUnique(dgradGradRoot, root, weight);
    } else {
      recordUnique(fpropActRoot, root, weight);
    }
  };
  func.getFunctionBody().walk([&](Operation *op) {
    if (auto sm = dyn_cast<SpectralMatmulOp>(op)) {
      // Already rewritten: the policies record the roles; both operands
      // reduce along their last dimension.
      for (auto [self, other, policy, otherPolicy] :
           {std::make_tuple(sm.getLhs(), sm.getRhs(), sm.getLhsPolicy(),
                            sm.getRhsPolicy()),
            std::make_tuple(sm.getRhs(), sm.getLhs(), sm.getRhsPolicy(),
                            sm.getLhsPolicy())}) {
        if (policy.getRole() == Role::gradient)
          seeds.push_back(traceSource(self).root);
        if (policy.getRole() != Role::weight)
          continue;
        Source src = traceSource(self);
        BlockArgument w = argOf(func, src.root);
        if (!w || !linears.count(w) || !src.dims || src.dims->size() != 2)
          continue;
        recordLinearUse(w, other, (*src.dims)[1] == 0);
      }
      return;
    }
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!linalgOp)
      return;
    std::string why;
    std::optional<ContractionShape> shape = matchContraction(linalgOp, why);
    if (!shape || shape->batch)
      return;
    for (unsigned i = 0; i < 2; ++i) {
      Value self = linalgOp.getDpsInputOperand(i)->get();
      Value other = linalgOp.getDpsInputOperand(1 - i)->get();
      Source src = traceSource(self);
      BlockArgument w = argOf(func, src.root);
      if (!w || !linears.count(w) || !src.dims)
        continue;
      if (w == argOf(func, traceSource(other).root))
        continue;
      int64_t kPos = positionOf(linalgOp.getIndexingMapsArray()[i], shape->k);
      recordLinearUse(w, other, (*src.dims)[kPos] == 0);
    }
  });

  // Everything computed from a gradient is a gradient.
  while (!seeds.empty()) {
    Value v = seeds.pop_back_val();
    if (!gradients.insert(v).second)
      continue;
    for (Operation *user : v.getUsers())
      for (Operation *op = user; op && op != func.getOperation();
           op = op->getParentOp())
        for (Value r : op->getResults())
          if (!gradients.contains(r))
            seeds.push_back(r);
  }
}

Classified FunctionAnalysis::classify(linalg::LinalgOp op,
                                      const ContractionShape &shape) {
  Classified c;
  c.op = op;
  c.shape = shape;
  Value operands[2] = {op.getDpsInputOperand(0)->get(),
                       op.getDpsInputOperand(1)->get()};
  Source src[2] = {traceSource(operands[0]), traceSource(operands[1])};
  std::optional<LinearInfo> lin[2] = {linearOf(argOf(func, src[0].root)),
                                      linearOf(argOf(func, src[1].root))};
  auto dataRole = [&](unsigned i) {
    return isGradient(src[i].root) ? Role::gradient : Role::activation;
  };
  auto setRoles = [&](Role l, Role r) {
    c.lhsRole = l;
    c.rhsRole = r;
  };

  if (lin[0] && lin[1]) {
    c.note = "both operands are weights";
    return c;
  }
  if (lin[0] || lin[1]) {
    unsigned w = lin[0] ? 0 : 1;
    if (shape.batch) {
      c.note = "a batched contraction with a weight operand";
      return c;
    }
    if (!src[w].dims) {
      c.note = "the weight reaches the contraction through a reshape";
      return c;
    }
    int64_t kPos = positionOf(op.getIndexingMapsArray()[w], shape.k);
    bool dgrad = (*src[w].dims)[kPos] == 0;
    c.kind = dgrad ? GemmKind::Dgrad : GemmKind::Fprop;
    c.linear = lin[w];
    Role other = dgrad ? Role::gradient : Role::activation;
    if (w == 0)
      setRoles(Role::weight, other);
    else
      setRoles(other, Role::weight);
    return c;
  }
  setRoles(dataRole(0), dataRole(1));
  if (shape.batch) {
    c.kind = GemmKind::Attention;
    return c;
  }
  if ((*c.lhsRole == Role::gradient) == (*c.rhsRole == Role::gradient)) {
    c.note = *c.lhsRole == Role::gradient ? "two gradient operands"
                                          : "no weight and no gradient operand";
    return c;
  }
  unsigned g = *c.lhsRole == Role::gradient ? 0 : 1;
  BlockArgument weight;
  if (auto it = dgradGradRoot.find(src[g].root); it != dgradGradRoot.end())
    weight = it->second;
  if (!weight)
    if (auto it = fpropActRoot.find(src[1 - g].root); it != fpropActRoot.end())
      weight = it->second;
  if (!weight) {
    c.note = "a gradient x activation product that no Dgrad or Fprop ties "
             "to a linear layer";
    return c;
  }
  ArrayRef<int64_t> ws = cast<ShapedType>(weight.getType()).getShape();
  auto outShape =
      cast<ShapedType>(op.getDpsInitOperand(0)->get().getType()).getShape();
  if (!(outShape == ws || (outShape[0] == ws[1] && outShape[1] == ws[0]))) {
    c.note = "a gradient x activation product whose shape is not its "
             "linear's weight shape";
    return c;
  }
  c.kind = GemmKind::Wgrad;
  c.linear = linearOf(weight);
  return c;
}
