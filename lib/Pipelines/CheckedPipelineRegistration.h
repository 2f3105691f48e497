//===- CheckedPipelineRegistration.h - pipelines whose build can fail -----===//
//
// PassPipelineRegistration<Options> takes a builder that cannot fail, so a
// bad option value that breaks the pass pipeline text would have to abort.
// metis's builders return LogicalResult with the reason on a stream; this
// registers such a builder so that the reason becomes a pipeline error.
//
//===----------------------------------------------------------------------===//

#ifndef METIS_LIB_PIPELINES_CHECKEDPIPELINEREGISTRATION_H
#define METIS_LIB_PIPELINES_CHECKEDPIPELINEREGISTRATION_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::metis {

/// `build(pm, options, errorStream)` adds the pipeline to `pm` or fails with
/// the reason written to `errorStream`.
template <typename Options>
using CheckedPipelineBuilder = LogicalResult (*)(OpPassManager &,
                                                 const Options &,
                                                 llvm::raw_ostream &);

template <typename Options>
void registerCheckedPipeline(llvm::StringRef name, llvm::StringRef description,
                             CheckedPipelineBuilder<Options> build) {
  registerPassPipeline(
      name, description,
      [build](OpPassManager &pm, llvm::StringRef optionsStr,
              llvm::function_ref<LogicalResult(const llvm::Twine &)>
                  errorHandler) {
        Options options;
        if (failed(options.parseFromString(optionsStr)))
          return failure();
        std::string error;
        llvm::raw_string_ostream os(error);
        if (failed(build(pm, options, os)))
          return errorHandler(error);
        return success();
      },
      [](llvm::function_ref<void(const mlir::detail::PassOptions &)>
             optHandler) { optHandler(Options()); });
}

} // namespace mlir::metis

#endif // METIS_LIB_PIPELINES_CHECKEDPIPELINEREGISTRATION_H
