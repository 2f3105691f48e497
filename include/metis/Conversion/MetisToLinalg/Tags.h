//===- Tags.h - attributes convert-metis-to-linalg leaves for CPU passes -===//
//
// Discardable unit/format attributes on the linalg.generics of the lowering,
// by which the CPU passes (metis-cpu-gemm, metis-cpu-vectorize) find them.
//
//===----------------------------------------------------------------------===//

#ifndef METIS_CONVERSION_METISTOLINALG_TAGS_H
#define METIS_CONVERSION_METISTOLINALG_TAGS_H

#include "llvm/ADT/StringRef.h"

namespace mlir::metis {

/// `= #metis.format<..>` on the blocked FP4 contraction of scaled_matmul.
constexpr llvm::StringLiteral kScaledContractionAttrName =
    "metis.scaled_contraction";
/// Unit attribute on every large f32 product of the spectral split.
constexpr llvm::StringLiteral kSpectralGemmAttrName = "metis.spectral_gemm";
/// Unit attribute on the spectral split's elementwise residual
/// R = X − U·diag(S)·Vt (also tagged metis.elementwise), which
/// metis-fuse-residual fuses into the generics of a quantization of R.
constexpr llvm::StringLiteral kResidualAttrName = "metis.residual";
/// Unit attribute on the quantize/dequantize generics: elementwise bodies,
/// reductions (if any) by arith.maximumf only.
constexpr llvm::StringLiteral kElementwiseAttrName = "metis.elementwise";

/// Unit attribute on scaled_matmul's f32 epilogue `C[..] = C[..] · s` (s
/// the product of the tensor scales), in place on the contraction's result:
/// metis-cpu-gemm folds it into the GEMM's last write of C (and
/// metis-cpu-vectorize leaves it alone); anything else lowers it as loops.
constexpr llvm::StringLiteral kTensorScaleEpilogueAttrName =
    "metis.tensor_scale_epilogue";

} // namespace mlir::metis

#endif // METIS_CONVERSION_METISTOLINALG_TAGS_H
