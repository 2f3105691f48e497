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
};

/// The ISA `auto` resolves to on this host: "avx512", "avx2" or "none".
std::string detectHostISA();

/// The passes of `metis-cpu-pipeline` as a textual pipeline (relative to a
/// builtin.module), for an `isa` that is not `auto`.
std::string getCPUPipeline(llvm::StringRef isa);

/// Adds `metis-cpu-pipeline` to `pm` (anchored on builtin.module); fails
/// with a message on `errorStream` for an unknown `isa`.
LogicalResult buildCPUPipeline(OpPassManager &pm,
                               const CPUPipelineOptions &options,
                               llvm::raw_ostream &errorStream);

/// Registers `metis-cpu-pipeline`.
void registerPipelines();

} // namespace metis
} // namespace mlir

#endif // METIS_PIPELINES_PIPELINES_H
