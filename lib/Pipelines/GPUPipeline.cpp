//===- GPUPipeline.cpp - metis-gpu-pipeline -------------------------------===//
//
// From metis on tensors to a module whose kernels are a `gpu.binary` (PTX,
// cubin or fatbin). The host function keeps its `gpu.launch_func` on
// memrefs: Debian ships no CUDA runtime wrappers, so host code is run
// through the ahead-of-time launcher instead (docs/GPU.md).
//
//===----------------------------------------------------------------------===//

#include "metis/Pipelines/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

std::string mlir::metis::getGPUPipeline(const GPUPipelineOptions &options) {
  // - convert-metis-to-gpu first: it checks chip/instruction/PTX before any
  //   NVVM op exists; quantize/dequantize then go to the host via linalg;
  // - bare-pointer kernel ABI: every kernel memref is static and
  //   identity-laid-out, and the AOT launcher passes plain device pointers;
  // - convert-nvgpu-to-nvvm before convert-gpu-to-nvvm: cp.async ops take
  //   memref descriptors that the latter then lowers;
  // - convert-nvvm-to-llvm: NVVM ops defined by inline PTX (the tcgen05
  //   kernel's mbarrier.try_wait.parity) have no LLVM IR translation.
  std::string toolkit =
      options.toolkit.empty() ? "" : " toolkit=" + options.toolkit;
  return llvm::formatv(
      "convert-metis-to-gpu{{chip={0} mma={1} ptx={2}},"
      "convert-metis-to-linalg,canonicalize,"
      "one-shot-bufferize{{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map},"
      "nvvm-attach-target{{chip={0} features=+ptx{2} O=3},"
      "gpu.module(convert-nvgpu-to-nvvm,convert-scf-to-cf,"
      "convert-gpu-to-nvvm{{use-bare-ptr-memref-call-conv=true},"
      "convert-nvvm-to-llvm,canonicalize,reconcile-unrealized-casts),"
      "gpu-module-to-binary{{format={3}{4}}",
      options.chip.getValue(), options.mma.getValue(),
      options.ptx.getValue(), options.format.getValue(), toolkit);
}

LogicalResult mlir::metis::buildGPUPipeline(OpPassManager &pm,
                                            const GPUPipelineOptions &options,
                                            llvm::raw_ostream &errorStream) {
  // Option values are spliced into the pipeline text: a value that breaks
  // it (e.g. a `}` in chip) is reported, not an abort.
  return parsePassPipeline(getGPUPipeline(options), pm, errorStream);
}
