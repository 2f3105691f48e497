//===- metis-plugin.cpp - metis as an mlir-opt plugin ---------------------===//
//
//   mlir-opt --load-dialect-plugin=libMetisPlugin.so   (parse metis ops)
//   mlir-opt --load-pass-plugin=libMetisPlugin.so      (run metis passes)
//
//===----------------------------------------------------------------------===//

#include "metis/InitAllMetis.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

using namespace mlir;

extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Metis", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            metis::registerAllDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "MetisPasses", LLVM_VERSION_STRING,
          []() { metis::registerAllPasses(); }};
}
