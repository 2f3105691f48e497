//===- Passes.h - metis conversion passes -----------------------*- C++ -*-===//

#ifndef METIS_CONVERSION_PASSES_H
#define METIS_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

#include "metis/Conversion/MetisToLinalg/SpectralSplit.h"

namespace mlir {
class RewritePatternSet;
namespace metis {

#define GEN_PASS_DECL
#include "metis/Conversion/Passes.h.inc"

/// Patterns lowering metis.quantize/dequantize/scaled_matmul/spectral_split
/// to linalg (`gramCancellation`: the pass option gram-cancellation).
void populateMetisToLinalgPatterns(
    RewritePatternSet &patterns,
    float gramCancellation = spectral::kGramCancellation);

#define GEN_PASS_REGISTRATION
#include "metis/Conversion/Passes.h.inc"

} // namespace metis
} // namespace mlir

#endif // METIS_CONVERSION_PASSES_H
