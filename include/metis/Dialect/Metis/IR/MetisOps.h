//===- MetisOps.h - metis operations ----------------------------*- C++ -*-===//

#ifndef METIS_DIALECT_METIS_IR_METISOPS_H
#define METIS_DIALECT_METIS_IR_METISOPS_H

#include "metis/Dialect/Metis/IR/MetisDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "metis/Dialect/Metis/IR/MetisOps.h.inc"

#endif // METIS_DIALECT_METIS_IR_METISOPS_H
