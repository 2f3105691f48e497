//===- QuantizeKernel.h - FP4 quantization kernels --------------*- C++ -*-===//
//
// Builders of the `gpu.func` kernels of `metis.quantize` and
// `metis.dequantize` on an R x K tensor along K (docs/GPU.md): an amax
// kernel (NVFP4's tensor amax, one atomic max per warp) and a quantize
// kernel with one thread per block that computes
// the block scale and the E2M1 codes with the same emitters, in the same
// operation order, as convert-metis-to-linalg, so the bits match the CPU
// path (stochastic rounding included: Philox4x32-10 keyed by seed and the
// element's row-major index). Outputs are in the GEMM kernels' layout,
// which is also the dequantize kernel's input.
//
//===----------------------------------------------------------------------===//

#ifndef METIS_CONVERSION_METISTOGPU_QUANTIZEKERNEL_H
#define METIS_CONVERSION_METISTOGPU_QUANTIZEKERNEL_H

#include "metis/Dialect/Metis/IR/MetisDialect.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

#include <string>

namespace mlir::metis {

struct QuantizeKernelSpec {
  FormatKind format; // nvfp4 or mxfp4
  int64_t blockSize;
  bool stochastic;
  int64_t rows, cols; // R x K, quantized along K
  Type inputElementType;

  static constexpr int64_t kThreads = 256;
  /// Elements per thread of the amax kernel.
  static constexpr int64_t kAmaxChunk = 16;

  std::string checkShape() const;
  std::string quantizeKernelName() const;
  std::string amaxKernelName() const;
  /// One thread per 4 blocks (one scale word).
  int64_t numScaleWords() const { return rows * cols / (4 * blockSize); }
  int64_t quantizeGridSize() const;
  int64_t amaxGridSize() const;
};

/// The amax kernel: (x: R x K, amax: memref<1xi32>) atomically maxes the
/// bits of max |x| into `amax` (which the caller zeroes).
gpu::GPUFuncOp getOrBuildAmaxKernel(gpu::GPUModuleOp module,
                                   const QuantizeKernelSpec &spec);

/// The quantize kernel: (x: R x K, amax: memref<1xi32>, codes: R x K/8 i32,
/// scale words: R x K/(4B) i32, tensor_scale: memref<1xf32>, seed: i64),
/// the outputs in the GEMM kernels' operand layout. `amax` is
/// read for nvfp4 only; `seed` for stochastic rounding only.
gpu::GPUFuncOp getOrBuildQuantizeKernel(gpu::GPUModuleOp module,
                                        const QuantizeKernelSpec &spec);

/// A static R x K `metis.dequantize` along K (nvfp4 or mxfp4 1-D blocks),
/// from the GEMM kernels' operand layout.
struct DequantizeKernelSpec {
  FormatKind format;
  int64_t blockSize;
  int64_t rows, cols;
  Type resultElementType; // f32, bf16 or f16

  /// The quantize kernels' block size (the same kernel builder).
  static constexpr int64_t kThreads = QuantizeKernelSpec::kThreads;

  std::string checkShape() const;
  std::string kernelName() const;
  /// One thread per code word (8 elements).
  int64_t gridSize() const;
};

/// The dequantize kernel: (codes: R x K/8 i32, scale words: R x K/(4B)
/// i32, tensor_scale: memref<1xf32>, out: R x K) computes every element as
/// convert-metis-to-linalg does, `e2m1 · (block_scale · tensor_scale)` in
/// f32, then rounds to the result type.
gpu::GPUFuncOp getOrBuildDequantizeKernel(gpu::GPUModuleOp module,
                                          const DequantizeKernelSpec &spec);

} // namespace mlir::metis

#endif // METIS_CONVERSION_METISTOGPU_QUANTIZEKERNEL_H
