//===- Passes.td - metis conversion passes -----------------*- tablegen -*-===//

#ifndef METIS_CONVERSION_PASSES_TD
#define METIS_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertMetisToLinalg : Pass<"convert-metis-to-linalg"> {
  let summary = "Lower metis.quantize, metis.dequantize, metis.scaled_matmul "
                "and metis.spectral_split to linalg/scf/arith on tensors";
  let description = [{
    Lowers the FP4 ops to `linalg.generic`s on tensors whose bodies hold the
    exact integer arithmetic of the formats (E2M1 round-to-nearest-even with
    saturation and sign, E4M3 RNE, OCP E8M0 scales, Philox4x32-10 random bits
    for stochastic rounding keyed by seed and linear element index), so that
    upstream bufferization and LLVM lowering apply unchanged.

    * `metis.quantize`: block amax, (16×16 tile amax), tensor amax and
      scales, then one elementwise generic producing the E2M1 codes; the
      blocked axis is split with `tensor.expand_shape` so every indexing map
      is a projected permutation.
    * `metis.dequantize`: one elementwise generic.
    * `metis.scaled_matmul`: a contraction generic over (batch,) m, n, kb, ki
      that decodes codes and block scales in its body, tagged
      `metis.scaled_contraction = #metis.format<…>` for the CPU GEMM
      kernel, followed by an elementwise generic applying the product of the
      tensor scales (and the bf16 rounding).

    Dynamic extents of a blocked axis (or of the rows of 16×16 tiles) are
    checked at run time with `cf.assert`: a size that is not a multiple of
    the block aborts with a message instead of computing garbage.

    * `metis.spectral_split` (static M and N only; a dynamic extent is an
      error at the op): the randomized SVD of docs/SpectralSplit.md — a
      Philox sketch generic (or a Philox row sample), the products with an
      M or N extent as `linalg.generic` contractions tagged
      `metis.spectral_gemm`, scf loops for the Gram–Schmidt
      orthonormalizations and the power iterations, an `scf.while` of
      one-sided Jacobi sweeps on the small `l×l` factor, and the residual
      as a contraction accumulating into X.

    Each subspace iteration of the split computes Y = X·V and Gᵀ = Yᵀ·X
    (one pass over X on the CPU), then Zᵀ = T·Gᵀ from the Gram–Schmidt
    coefficients T of Q = orth(Y), unless a row of that sum cancels by more
    than `gram-cancellation`; then Zᵀ = Qᵀ·X by a second pass
    (docs/SpectralSplit.md, step 2). 0 always takes the second pass.

    `metis.spectral_matmul` has no lowering here (metis-expand-spectral
    rewrites it); a module that still holds one is rejected with a
    diagnostic.
  }];
  let options = [
    Option<"gramCancellation", "gram-cancellation", "double",
           /*default=*/"128.0",
           "Largest cancellation Σ_s ‖g_s‖·|T[j][s]| / ‖z_j‖ accepted for "
           "the one-pass Zᵀ = T·Gᵀ of a subspace iteration (≥ 0; 0: always "
           "the second pass over X)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvertMetisToGPU : Pass<"convert-metis-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Lower metis.scaled_matmul and metis.quantize on tensors to "
                "NVIDIA GPU kernels and their launches";
  let description = [{
    Replaces every `metis.scaled_matmul` (2-D, static shapes, `nvfp4` or
    `mxfp4`) by a `gpu.launch_func` of a kernel built for `chip` in the
    `gpu.module @metis_gpu_kernels` (one kernel per shape, format,
    instruction and result type), and marks the module
    `gpu.container_module`. The host side packs the E2M1 codes to 32-bit
    words (8 codes, low nibble first) and the block scales to one word per
    row and K tile of 4 blocks (`linalg.generic` on tensors), then passes
    the buffers (`bufferization.to_buffer`) and a fresh result buffer.

    Kernels (docs/GPU.md): 128×128 output tiles per block, K streamed
    through a 2–4 stage `cp.async` pipeline of packed operands and scales
    in shared memory, f32 accumulation, tensor scales applied in the
    epilogue. The inner product uses `mma`:
    * `bf16-emulation` (sm_90a and newer): E2M1 × block scale decoded
      exactly to bf16 in registers, `mma.sync.m16n8k16` bf16.
    * `block-scale` (sm_120a/sm_121a): `mma.sync.m16n8k64 … block_scale`,
      `kind::mxf4nvf4` with 4 `ue4m3` scales (nvfp4) or `kind::mxf4` with 2
      `ue8m0` scales (mxfp4).
    * `tcgen05` (sm_100a/sm_101a): one warpgroup per tile issues
      asynchronous `tcgen05.mma.cta_group::1 … block_scale` 128×128×64 MMAs
      (`kind::mxf4nvf4` `block16` for nvfp4, `kind::mxf4` `block32` for
      mxfp4) from shared-memory descriptors into a tensor-memory
      accumulator; the scales reach tensor memory by `tcgen05.cp`, each
      stage's MMAs are committed to an mbarrier, and `tcgen05.ld` reads
      the result. Assembled by ptxas; never run (no B200 here).
    * `auto`: `block-scale` on sm_120a/121a, `tcgen05` on sm_100a/101a,
      `bf16-emulation` otherwise.

    Every request is checked before any NVVM op is built (LLVM aborts on
    several of these instead of diagnosing): an unknown chip, an instruction
    the chip lacks, a PTX ISA version (`ptx`) too old for it, a format
    without a GPU instruction (`fp4e2m1b`), a batched or dynamic shape, or
    sizes that are not multiples of the tile are errors at the op.

    `metis.quantize` of a static 2-D tensor along its last axis with
    `nvfp4` or `mxfp4` 1-D blocks (K a multiple of 4 blocks) becomes an amax
    kernel (`nvfp4`: |x| maximum by warp shuffles and one atomic per warp)
    and a quantize kernel (one thread per 4 blocks) that compute scales and
    codes with convert-metis-to-linalg's emitters in its operation order,
    stochastic rounding included (Philox4x32-10 keyed by seed and linear
    index), writing the GEMM kernels' packed layout; a
    `metis.scaled_matmul` of such operands uses the packed buffers directly.
    `metis.dequantize` of the same kind becomes a kernel with one thread per
    8 codes (`e2m1 · (block_scale · tensor_scale)` in f32, as on the CPU,
    then the result type), reading a GPU quantization's packed buffers
    directly and host-packed operands otherwise. Other quantizations and
    dequantizations (another axis, 16×16 tiles, `fp4e2m1b`) are left for
    `convert-metis-to-linalg` (host).
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90a\"",
           "Target SM: sm_90a, sm_100a, sm_120a, ...">,
    Option<"mma", "mma", "std::string", /*default=*/"\"auto\"",
           "Inner-product instruction: auto, bf16-emulation, block-scale "
           "or tcgen05">,
    Option<"ptx", "ptx", "unsigned", /*default=*/"88",
           "PTX ISA version the binary will use (88 = 8.8)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // METIS_CONVERSION_PASSES_TD
