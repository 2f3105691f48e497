//===- ScaledMatmulKernel.h - Tiled FP4 GEMM kernels ------------*- C++ -*-===//
//
// Builders of the `gpu.func` kernels of `metis.scaled_matmul` (docs/GPU.md).
// Every kernel computes a 128x128 tile of C = deq(A) deq(B)^T per block,
// streams K through a multi-stage cp.async pipeline of packed E2M1 words and
// scale words in shared memory, and applies the product of the tensor
// scales at the end. The warp-level kernels (bf16 emulation, mma.block_scale)
// use 256 threads, 64x32 per warp; the tcgen05 kernel one warpgroup issuing
// asynchronous 128x128x64 MMAs into tensor memory.
//
//===----------------------------------------------------------------------===//

#ifndef METIS_CONVERSION_METISTOGPU_SCALEDMATMULKERNEL_H
#define METIS_CONVERSION_METISTOGPU_SCALEDMATMULKERNEL_H

#include "metis/Conversion/MetisToGPU/GPUTargets.h"
#include "metis/Dialect/Metis/IR/MetisDialect.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

#include <string>

namespace mlir::metis {

/// A static-shape scaled matmul kernel: C (M x N) from A (M x K), B (N x K).
struct ScaledMatmulKernelSpec {
  GemmInstruction instruction;
  FormatKind format; // nvfp4 or mxfp4
  int64_t blockSize; // 16 (nvfp4) or 32 (mxfp4)
  int64_t m, n, k;
  Type resultElementType; // f32 or bf16

  static constexpr int64_t kTileM = 128;
  static constexpr int64_t kTileN = 128;
  /// Threads per block: 8 warps for the warp-level MMA kernels, one
  /// warpgroup for tcgen05 (its accumulator's 128 TMEM lanes are read by
  /// 4 warps, 32 lanes each).
  int64_t threads() const {
    return instruction == GemmInstruction::Tcgen05 ? 128 : 256;
  }
  /// K per pipeline stage: four scale blocks, so each row's scales of one
  /// stage are one 32-bit word.
  int64_t tileK() const { return 4 * blockSize; }
  /// Shared-memory stages (each stage holds one K tile of A and B, at most
  /// 48 KB static shared memory in all).
  int64_t stages() const {
    if (instruction == GemmInstruction::Tcgen05)
      return blockSize == 16 ? 4 : 2;
    return blockSize == 16 ? 3 : 2;
  }

  /// Why this shape has no kernel, or an empty string.
  std::string checkShape() const;
  /// A name unique to the spec, e.g. `metis_smm_bf16emu_nvfp4_256x128x512_f32`.
  std::string kernelName() const;

  /// The kernel's argument types, in order: A words (M x K/8 i32), A scale
  /// words (M x K/tileK i32), A tensor scale (1 x f32), the same three for B,
  /// and C (M x N).
  SmallVector<Type> argumentTypes(MLIRContext *ctx) const;
};

/// Returns the kernel of `spec` in `module`, building it on first use.
gpu::GPUFuncOp getOrBuildScaledMatmulKernel(gpu::GPUModuleOp module,
                                            const ScaledMatmulKernelSpec &spec);

/// The empty `gpu.func` of `spec` at the end of `module` (kernel ABI
/// arguments, block/grid sizes, `.maxntid`) with the workgroup buffers
/// `smem`, buffer i aligned to `alignments[i]` bytes; `b` is left at the
/// start of its body. Shared by the kernel builders.
gpu::GPUFuncOp createScaledMatmulKernelFunc(OpBuilder &b,
                                            gpu::GPUModuleOp module,
                                            const ScaledMatmulKernelSpec &spec,
                                            ArrayRef<Type> smem,
                                            ArrayRef<int64_t> alignments);

/// Builds the sm_100a kernel (tcgen05.mma block-scaled, accumulator in
/// tensor memory) named `spec.kernelName()` at the end of `module`.
gpu::GPUFuncOp
buildTcgen05ScaledMatmulKernel(gpu::GPUModuleOp module,
                               const ScaledMatmulKernelSpec &spec);

} // namespace mlir::metis

#endif // METIS_CONVERSION_METISTOGPU_SCALEDMATMULKERNEL_H
