//===- Pipelines.h - metis pass pipelines -----------------------*- C++ -*-===//

#ifndef METIS_PIPELINES_PIPELINES_H
#define METIS_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"
#include "llvm/ADT/StringRef.h"

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
};

/// The ISA `auto` resolves to on this host: "avx512", "avx2" or "none".
std::string detectHostISA();

/// The passes of `metis-cpu-pipeline` as a textual pipeline (relative to a
/// builtin.module), for an `isa` that is not `auto`.
std::string getCPUPipeline(llvm::StringRef isa, int64_t threads = 1,
                           bool gemmF32 = true);

/// Adds `metis-cpu-pipeline` to `pm` (anchored on builtin.module).
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers `metis-cpu-pipeline`.
void registerPipelines();

} // namespace metis
} // namespace mlir

#endif // METIS_PIPELINES_PIPELINES_H
