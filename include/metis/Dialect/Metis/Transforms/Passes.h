//===- Passes.h - metis dialect passes --------------------------*- C++ -*-===//

#ifndef METIS_DIALECT_METIS_TRANSFORMS_PASSES_H
#define METIS_DIALECT_METIS_TRANSFORMS_PASSES_H

#include "metis/Dialect/Metis/IR/MetisDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace metis {

#define GEN_PASS_DECL
#include "metis/Dialect/Metis/Transforms/Passes.h.inc"

/// Patterns of metis-decompose-scaled-matmul.
void populateDecomposeScaledMatmulPatterns(RewritePatternSet &patterns);

/// Patterns of metis-expand-spectral. An op the expansion cannot handle (see
/// the pass description) is left unchanged (a match failure).
void populateExpandSpectralPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "metis/Dialect/Metis/Transforms/Passes.h.inc"

} // namespace metis
} // namespace mlir

#endif // METIS_DIALECT_METIS_TRANSFORMS_PASSES_H
