//===- InitAllMetis.h - Register metis dialects and passes ------*- C++ -*-===//
//
// One place that knows every metis dialect and pass, used by metis-opt, the
// mlir-opt plugin and the C API library.
//
//===----------------------------------------------------------------------===//

#ifndef METIS_INITALLMETIS_H
#define METIS_INITALLMETIS_H

namespace mlir {
class DialectRegistry;
namespace metis {

/// Adds the metis dialect (and the dialects its ops create) to `registry`.
void registerAllDialects(DialectRegistry &registry);

/// Registers every metis pass and pipeline with the global pass registry.
void registerAllPasses();

} // namespace metis
} // namespace mlir

#endif // METIS_INITALLMETIS_H
