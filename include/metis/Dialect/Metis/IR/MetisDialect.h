//===- MetisDialect.h - metis dialect and attributes ------------*- C++ -*-===//

#ifndef METIS_DIALECT_METIS_IR_METISDIALECT_H
#define METIS_DIALECT_METIS_IR_METISDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"

#include <optional>

#include "metis/Dialect/Metis/IR/MetisOpsDialect.h.inc"

#include "metis/Dialect/Metis/IR/MetisEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "metis/Dialect/Metis/IR/MetisAttrs.h.inc"

#endif // METIS_DIALECT_METIS_IR_METISDIALECT_H
