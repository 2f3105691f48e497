//===- InitAllMetis.cpp - Register metis dialects and passes --------------===//

#include "metis/InitAllMetis.h"
#include "metis/Conversion/Passes.h"
#include "metis/Dialect/Metis/IR/MetisDialect.h"
#include "metis/Dialect/Metis/Transforms/Passes.h"
#include "metis/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::metis::registerAllDialects(DialectRegistry &registry) {
  registry.insert<MetisDialect>();
}

void mlir::metis::registerAllPasses() {
  registerMetisPasses();
  registerMetisConversionPasses();
  registerPipelines();
  registerTrainPipelines();
}
