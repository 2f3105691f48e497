//===- EmitterBase.h - Shorthands of the GPU kernel emitters ----*- C++ -*-===//
//
// Integer arithmetic on index or i32 values and small control flow, shared
// by the kernel emitters of lib/Conversion/MetisToGPU (private to it).
//
//===----------------------------------------------------------------------===//

#ifndef LIB_CONVERSION_METISTOGPU_EMITTERBASE_H
#define LIB_CONVERSION_METISTOGPU_EMITTERBASE_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace mlir::metis {

struct EmitterBase {
  EmitterBase(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value i32(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  }
  /// The constant `v` of `x`'s type (index or i32).
  Value like(Value x, int64_t v) {
    return x.getType().isIndex() ? idx(v) : i32(v);
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value add(Value x, int64_t y) { return y ? add(x, like(x, y)) : x; }
  Value mul(Value x, int64_t y) {
    return arith::MulIOp::create(b, loc, x, like(x, y));
  }
  Value div(Value x, int64_t y) {
    return arith::DivUIOp::create(b, loc, x, like(x, y));
  }
  Value rem(Value x, int64_t y) {
    return arith::RemUIOp::create(b, loc, x, like(x, y));
  }
  Value cmp(arith::CmpIPredicate pred, Value x, int64_t y) {
    return arith::CmpIOp::create(b, loc, pred, x, like(x, y));
  }
  Value load(Value mem, ValueRange indices) {
    return memref::LoadOp::create(b, loc, mem, indices);
  }
  /// Emits `body` under `if (cond)`.
  void ifThen(Value cond, function_ref<void()> body) {
    auto ifOp = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    body();
  }

  OpBuilder &b;
  Location loc;
};

} // namespace mlir::metis

#endif // LIB_CONVERSION_METISTOGPU_EMITTERBASE_H
