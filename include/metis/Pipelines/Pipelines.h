//===- Pipelines.h - metis pass pipelines -----------------------*- C++ -*-===//

#ifndef METIS_PIPELINES_PIPELINES_H
#define METIS_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir {
class OpPassManager;
namespace metis {

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  Option<std::string> isa{
      *this, "isa",
      llvm::cl::desc("Vector ISA of the FP4 GEMM kernel (metis-cpu-gemm): "
                     "auto (the host CPU: avx512 if it has AVX-512F, else "
                     "avx2 if it has AVX2+FMA, else none), avx512, avx2, or "
                     "none (plain loops; correct on any CPU, slow)"),
      llvm::cl::init("auto")};
  Option<int64_t> threads{
      *this, "threads",
      llvm::cl::desc("Threads of the GEMM kernel (metis-cpu-gemm threads=): "
                     "more than 1 runs its B packing and ic blocks on an "
                     "OpenMP team of this size (convert-scf-to-openmp; the "
                     "shared library must then link libomp). Results are "
                     "bit-identical for every thread count"),
      llvm::cl::init(1)};
  Option<bool> gemmF32{
      *this, "gemm-f32",
      llvm::cl::desc("Also run the f32 contractions (linalg.matmul, the "
                     "spectral split's products) through the GEMM kernel "
                     "(bit-identical to the plain loops); false keeps loops"),
      llvm::cl::init(true)};
  Option<bool> gemmEpilogue{
      *this, "gemm-epilogue",
      llvm::cl::desc("Apply the tensor-scale multiply and the rank-k updates "
                     "that follow an FP4 GEMM as it writes C (metis-cpu-gemm "
                     "epilogue=; same bits); false runs them as passes of "
                     "their own"),
      llvm::cl::init(true)};
  Option<bool> gemmSkinny{
      *this, "gemm-skinny",
      llvm::cl::desc("Run the strict f32 contractions with a side of at most "
                     "64 rows (the spectral split's X·Q and Qᵀ·X) on the "
                     "skinny kernel, which reads the long operand once in "
                     "place (metis-cpu-gemm skinny=; same bits); false "
                     "packs it like any GEMM"),
      llvm::cl::init(true)};
};

struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("Target SM: sm_90a (bf16 emulation), sm_120a/sm_121a "
                     "(mma.block_scale), sm_100a/sm_101a (tcgen05)"),
      llvm::cl::init("sm_90a")};
  Option<std::string> mma{
      *this, "mma",
      llvm::cl::desc("GEMM instruction: auto, bf16-emulation, block-scale or "
                     "tcgen05 (see convert-metis-to-gpu)"),
      llvm::cl::init("auto")};
  Option<unsigned> ptx{*this, "ptx",
                       llvm::cl::desc("PTX ISA version (88 = 8.8)"),
                       llvm::cl::init(88)};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("gpu.binary contents: isa (PTX text), bin (cubin by "
                     "ptxas) or fatbin"),
      llvm::cl::init("isa")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit root for ptxas/fatbinary (default: PATH, "
                     "then CUDA_ROOT/CUDA_HOME/CUDA_PATH)"),
      llvm::cl::init("")};
};

/// The passes of `metis-gpu-pipeline` as a textual pipeline.
std::string getGPUPipeline(const GPUPipelineOptions &options);

/// Adds `metis-gpu-pipeline` to `pm` (anchored on builtin.module).
/// Fails, with the reason on `errorStream`, if an option breaks the pipeline.
LogicalResult buildGPUPipeline(OpPassManager &pm,
                               const GPUPipelineOptions &options,
                               llvm::raw_ostream &errorStream);

/// Options of `metis-train-cpu`: those of metis-spectralize (see its pass
/// documentation) and the CPU pipeline's `isa`.
struct TrainCPUPipelineOptions
    : public PassPipelineOptions<TrainCPUPipelineOptions> {
  Option<std::string> preset{
      *this, "preset",
      llvm::cl::desc("metis-spectralize preset: metis, nvfp4, nvidia-recipe "
                     "or none (no rewrite: the unquantized graph)"),
      llvm::cl::init("metis")};
  Option<int64_t> rank{*this, "rank", llvm::cl::desc("Split rank"),
                       llvm::cl::init(16)};
  Option<std::string> gradientRounding{
      *this, "gradient-rounding",
      llvm::cl::desc("Rounding of gradients: stochastic (default) or rne"),
      llvm::cl::init("")};
  Option<std::string> hadamard{
      *this, "hadamard",
      llvm::cl::desc("Random Hadamard on Wgrad operands: auto, on or off"),
      llvm::cl::init("auto")};
  Option<int64_t> skipFirstLayers{*this, "skip-first-layers",
                                  llvm::cl::desc("Unquantized first layers"),
                                  llvm::cl::init(0)};
  Option<int64_t> skipLastLayers{
      *this, "skip-last-layers",
      llvm::cl::desc("Unquantized last layers (-1: the preset's choice)"),
      llvm::cl::init(-1)};
  Option<int64_t> minSize{*this, "min-size",
                          llvm::cl::desc("Minimum min(M, N, K) to quantize"),
                          llvm::cl::init(0)};
  Option<bool> includeAttention{*this, "include-attention",
                                llvm::cl::desc("Quantize attention too"),
                                llvm::cl::init(false)};
  Option<bool> includeLmHead{*this, "include-lm-head",
                             llvm::cl::desc("Quantize the lm head too"),
                             llvm::cl::init(false)};
  Option<int64_t> seed{*this, "seed",
                       llvm::cl::desc("Base of the per-contraction seeds"),
                       llvm::cl::init(0)};
  Option<std::string> isa{*this, "isa",
                          llvm::cl::desc("See metis-cpu-pipeline"),
                          llvm::cl::init("auto")};
};

/// Adds `metis-train-cpu` to `pm`: metis-spectralize (annotations
/// stripped), metis-expand-spectral, metis-cpu-pipeline.
/// Fails, with the reason on `errorStream`, for a bad CPU pipeline option.
LogicalResult buildTrainCPUPipeline(OpPassManager &pm,
                                    const TrainCPUPipelineOptions &options,
                                    llvm::raw_ostream &errorStream);

/// Registers `metis-train-cpu`.
void registerTrainPipelines();

/// The ISA `auto` resolves to on this host: "avx512", "avx2" or "none".
std::string detectHostISA();

/// The passes of `metis-cpu-pipeline` as a textual pipeline (relative to a
/// builtin.module), for an `isa` that is not `auto`.
std::string getCPUPipeline(llvm::StringRef isa, int64_t threads = 1,
                           bool gemmF32 = true, bool gemmEpilogue = true,
                           bool gemmSkinny = true);

/// Adds `metis-cpu-pipeline` to `pm` (anchored on builtin.module); fails
/// with a message on `errorStream` for an unknown `isa`.
LogicalResult buildCPUPipeline(OpPassManager &pm,
                               const CPUPipelineOptions &options,
                               llvm::raw_ostream &errorStream);

/// Registers `metis-cpu-pipeline` and `metis-gpu-pipeline`.
void registerPipelines();

} // namespace metis
} // namespace mlir

#endif // METIS_PIPELINES_PIPELINES_H
