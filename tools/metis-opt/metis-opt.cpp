//===- metis-opt.cpp - The metis optimizer driver -------------------------===//
//
// mlir-opt with every upstream dialect, pass and extension plus metis's.
//
//===----------------------------------------------------------------------===//

#include "metis/InitAllMetis.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::metis::registerAllPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates gpu.module contents to LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::metis::registerAllDialects(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "metis optimizer driver\n", registry));
}
