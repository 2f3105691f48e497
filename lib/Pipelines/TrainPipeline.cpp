//===- TrainPipeline.cpp - metis-train-cpu --------------------------------===//
//
// A linalg-on-tensors training graph to the LLVM dialect in Metis form:
// metis-spectralize (role-based rewrite of the training GEMMs), then
// metis-expand-spectral, then metis-cpu-pipeline.
//
//===----------------------------------------------------------------------===//

#include "metis/Dialect/Metis/Transforms/Passes.h"
#include "metis/Pipelines/Pipelines.h"
#include "CheckedPipelineRegistration.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

LogicalResult mlir::metis::buildTrainCPUPipeline(
    OpPassManager &pm, const TrainCPUPipelineOptions &options,
    llvm::raw_ostream &errorStream) {
  MetisSpectralizeOptions spectralize;
  spectralize.preset = options.preset;
  spectralize.rank = options.rank;
  spectralize.gradientRounding = options.gradientRounding;
  spectralize.hadamard = options.hadamard;
  spectralize.skipFirstLayers = options.skipFirstLayers;
  spectralize.skipLastLayers = options.skipLastLayers;
  spectralize.minSize = options.minSize;
  spectralize.includeAttention = options.includeAttention;
  spectralize.includeLmHead = options.includeLmHead;
  spectralize.seed = options.seed;
  // The LLVM translation does not know the metis.* annotations.
  spectralize.stripAnnotations = true;
  pm.addPass(createMetisSpectralize(spectralize));
  pm.addPass(createMetisExpandSpectral());
  CPUPipelineOptions cpu;
  cpu.isa = options.isa;
  return buildCPUPipeline(pm, cpu, errorStream);
}

void mlir::metis::registerTrainPipelines() {
  registerCheckedPipeline<TrainCPUPipelineOptions>(
      "metis-train-cpu",
      "Compile a linalg-on-tensors training graph for the CPU in Metis form "
      "(metis-spectralize, metis-expand-spectral, metis-cpu-pipeline)",
      buildTrainCPUPipeline);
}
