//===- SpectralizeAnalysis.h - training-graph contraction roles -*- C++ -*-===//
//
// Finds the contractions of a function and classifies them (Fprop / Dgrad /
// Wgrad of a linear layer, attention, other) and their operands' roles
// (weight / activation / gradient) by the dataflow rules documented in
// Passes.td (metis-spectralize) and docs/Spectralize.md.
//
//===----------------------------------------------------------------------===//

#ifndef METIS_LIB_DIALECT_METIS_TRANSFORMS_SPECTRALIZEANALYSIS_H
#define METIS_LIB_DIALECT_METIS_TRANSFORMS_SPECTRALIZEANALYSIS_H

#include "metis/Dialect/Metis/IR/MetisDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/DenseSet.h"

#include <optional>
#include <string>

namespace mlir::metis::spectralize {

/// Argument and op attributes read by metis-spectralize.
constexpr llvm::StringLiteral kRoleAttr = "metis.role";
constexpr llvm::StringLiteral kLayerAttr = "metis.layer";
constexpr llvm::StringLiteral kLmHeadAttr = "metis.lm_head";
constexpr llvm::StringLiteral kSeedAttr = "metis.seed";
constexpr llvm::StringLiteral kPolicyAttr = "metis.policy";

enum class GemmKind { Fprop, Dgrad, Wgrad, Attention, Other };
llvm::StringRef stringifyGemmKind(GemmKind kind);

/// The structure of a contraction `C[b, m, n] = Σ_k A[.., m, .., k] ·
/// B[.., n, .., k]` with at most one batch and exactly one M, N and K loop.
struct ContractionShape {
  std::optional<unsigned> batch;
  unsigned m = 0, n = 0, k = 0;
  int64_t batchSize = 1, mSize = 0, nSize = 0, kSize = 0;
};

/// A linear layer's weight argument, as the rules identify it.
struct LinearInfo {
  BlockArgument weight;
  int64_t layer = -1; // -1: the lm head
  bool lmHead = false;
};

struct Classified {
  linalg::LinalgOp op;
  ContractionShape shape;
  GemmKind kind = GemmKind::Other;
  std::optional<Role> lhsRole, rhsRole;
  std::optional<LinearInfo> linear; // Fprop/Dgrad/Wgrad of a known linear
  std::string note;                 // why `Other`, or extra detail
};

/// Matches `op` as a rewritable contraction; on failure `why` says why not.
/// Rewritable means: tensor semantics, static shapes, at most one batch and
/// exactly one M, N and K loop, every operand indexed by a permutation of
/// its loops, f32/bf16 operands of one type, an f32/bf16 result, and a
/// zero-filled init. `isGemm` (optional) is set to false for contractions
/// that have no M or no N dimension (dot products, reductions).
std::optional<ContractionShape>
matchContraction(linalg::LinalgOp op, std::string &why, bool *isGemm = nullptr);

/// The role and layer analysis of one function.
class FunctionAnalysis {
public:
  explicit FunctionAnalysis(FunctionOpInterface func);

  /// Classifies the matched contraction `op`.
  Classified classify(linalg::LinalgOp op, const ContractionShape &shape);

  /// Number of decoder layers (linears are grouped by `metis.layer`, or each
  /// unannotated weight counts as one layer).
  int64_t numLayers() const { return layers; }

private:
  std::optional<LinearInfo> linearOf(BlockArgument arg) const;
  bool isWeightArg(BlockArgument arg) const;
  bool isGradient(Value v) const;

  FunctionOpInterface func;
  llvm::DenseMap<BlockArgument, LinearInfo> linears;
  llvm::DenseSet<Value> gradients;
  // Roots of the gradient / activation operands of Dgrad / Fprop
  // contractions, mapped to the weight (null when ambiguous).
  llvm::DenseMap<Value, BlockArgument> dgradGradRoot, fpropActRoot;
  int64_t layers = 0;
  bool anyRoleAnnotation = false;
};

/// Follows `v` up through ops that only move or convert data (transpose,
/// collapse/expand_shape, tensor.cast, element-wise casts,
/// bufferization.to_tensor of an argument). `dims[i]` is the dimension of
/// the root that dimension i of `v` comes from, or empty after a reshape.
struct Source {
  Value root;
  std::optional<SmallVector<int64_t>> dims;
};
Source traceSource(Value v);

} // namespace mlir::metis::spectralize

#endif // METIS_LIB_DIALECT_METIS_TRANSFORMS_SPECTRALIZEANALYSIS_H
