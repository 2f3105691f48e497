//===- Pipelines.h - metis pass pipelines -----------------------*- C++ -*-===//

#ifndef METIS_PIPELINES_PIPELINES_H
#define METIS_PIPELINES_PIPELINES_H

#include "llvm/ADT/StringRef.h"

namespace mlir {
class OpPassManager;
namespace metis {

/// The passes of `metis-cpu-pipeline` as a textual pipeline (relative to a
/// builtin.module): metis + linalg on tensors to the LLVM dialect.
llvm::StringRef getCPUPipeline();

/// Adds `metis-cpu-pipeline` to `pm` (anchored on builtin.module).
void buildCPUPipeline(OpPassManager &pm);

/// Registers `metis-cpu-pipeline`.
void registerPipelines();

} // namespace metis
} // namespace mlir

#endif // METIS_PIPELINES_PIPELINES_H
