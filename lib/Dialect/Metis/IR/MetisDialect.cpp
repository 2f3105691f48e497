//===- MetisDialect.cpp - metis dialect -----------------------------------===//

#include "metis/Dialect/Metis/IR/MetisDialect.h"
#include "metis/Dialect/Metis/IR/MetisOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::metis;

#include "metis/Dialect/Metis/IR/MetisOpsDialect.cpp.inc"

void MetisDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "metis/Dialect/Metis/IR/MetisOps.cpp.inc"
      >();
  registerAttributes();
}

Operation *MetisDialect::materializeConstant(OpBuilder &builder,
                                             Attribute value, Type type,
                                             Location loc) {
  // Folders only produce dense elements attributes (quantize of a constant).
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, typed);
}
