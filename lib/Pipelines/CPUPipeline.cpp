//===- CPUPipeline.cpp - metis-cpu-pipeline -------------------------------===//
//
// One flag from metis + linalg on tensors to the LLVM dialect. The pipeline
// is kept as text so that it can be printed, copied and run pass by pass.
//
//===----------------------------------------------------------------------===//

#include "metis/Pipelines/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

llvm::StringRef mlir::metis::getCPUPipeline() {
  // - identity layouts at function boundaries so callers (ctypes) pass plain
  //   row-major descriptors;
  // - arith-expand{include-bf16}: f32 -> bf16 truncation as integer RNE, so
  //   no compiler-rt helper is needed at run time;
  // - convert-vector-to-scf{full-unroll}: no dynamic allocas in loops
  //   (CPU_CODEGEN.md pitfall 3);
  // - expand-strided-metadata before lower-affine: it creates affine.apply
  //   for dynamic shapes.
  return "convert-metis-to-linalg,canonicalize,"
         "one-shot-bufferize{bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map},"
         "buffer-deallocation-pipeline,"
         "convert-linalg-to-loops,"
         "convert-vector-to-scf{full-unroll=true},"
         "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
         "arith-expand{include-bf16=true},"
         "finalize-memref-to-llvm,"
         "convert-vector-to-llvm,convert-math-to-llvm,convert-arith-to-llvm,"
         "convert-cf-to-llvm,convert-func-to-llvm,convert-ub-to-llvm,"
         "reconcile-unrealized-casts";
}

void mlir::metis::buildCPUPipeline(OpPassManager &pm) {
  std::string error;
  llvm::raw_string_ostream os(error);
  if (failed(parsePassPipeline(getCPUPipeline(), pm, os)))
    llvm::report_fatal_error(llvm::Twine("metis-cpu-pipeline is malformed: ") +
                             error);
}

void mlir::metis::registerPipelines() {
  PassPipelineRegistration<>(
      "metis-cpu-pipeline",
      "Lower metis and linalg on tensors to the LLVM dialect for the CPU "
      "(convert-metis-to-linalg, bufferization, loops, LLVM)",
      [](OpPassManager &pm) { buildCPUPipeline(pm); });
}
