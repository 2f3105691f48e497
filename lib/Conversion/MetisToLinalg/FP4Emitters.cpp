//===- FP4Emitters.cpp - IR for metis's FP4 numerics ----------------------===//
//
// Bit manipulation on the IEEE single encoding: for non-negative floats the
// bit pattern is monotonic in the value, so rounding thresholds are integer
// compares. All functions are shape-generic (scalar or vector).
//
//===----------------------------------------------------------------------===//

#include "metis/Conversion/MetisToLinalg/FP4Emitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::metis;

Type mlir::metis::getSameShapeType(Type like, Type elementType) {
  if (auto vec = dyn_cast<VectorType>(like))
    return VectorType::get(vec.getShape(), elementType);
  return elementType;
}

namespace {
/// Shape-generic arith helpers on i32/f32 values shaped like `like`.
struct Emitter {
  OpBuilder &b;
  Location loc;
  Type i32, f32, i1;

  Emitter(OpBuilder &b, Location loc, Type like)
      : b(b), loc(loc), i32(getSameShapeType(like, b.getI32Type())),
        f32(getSameShapeType(like, b.getF32Type())),
        i1(getSameShapeType(like, b.getI1Type())) {}

  Value i(int64_t v) { return createScalarOrSplatConstant(b, loc, i32, v); }
  Value f(float v) {
    return createScalarOrSplatConstant(b, loc, f32, APFloat(v));
  }
  Value andI(Value x, int64_t m) { return arith::AndIOp::create(b, loc, x, i(m)); }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value shl(Value x, int64_t s) { return arith::ShLIOp::create(b, loc, x, i(s)); }
  Value shr(Value x, int64_t s) { return arith::ShRUIOp::create(b, loc, x, i(s)); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, int64_t c) {
    return arith::CmpIOp::create(b, loc, p, x, i(c));
  }
  Value sel(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value zext(Value c) { return arith::ExtUIOp::create(b, loc, i32, c); }
  Value toF(Value bits) { return arith::BitcastOp::create(b, loc, f32, bits); }
  Value toI(Value x) { return arith::BitcastOp::create(b, loc, i32, x); }
  Value toI8(Value x) {
    return arith::TruncIOp::create(
        b, loc, getSameShapeType(x.getType(), b.getI8Type()), x);
  }

  /// Any float/integer code of up to 32 bits, zero-extended to i32.
  Value codeToI32(Value code) {
    Type elt = getElementTypeOrSelf(code.getType());
    unsigned width = elt.getIntOrFloatBitWidth();
    if (isa<FloatType>(elt))
      code = arith::BitcastOp::create(
          b, loc, getSameShapeType(code.getType(), b.getIntegerType(width)),
          code);
    if (width < 32)
      code = arith::ExtUIOp::create(b, loc, i32, code);
    return code;
  }
};
} // namespace

Value mlir::metis::emitDecodeE2M1(OpBuilder &b, Location loc, Value code) {
  Emitter e(b, loc, code.getType());
  Value c = e.andI(e.codeToI32(code), 0xF);
  Value mag = e.andI(c, 7);
  Value sign = e.shl(e.andI(c, 8), 28);
  // mag >= 2: 2^(mag/2 - 1)·(1 + (mag&1)/2) has bits (mag + 252) << 22.
  Value normal = e.shl(e.add(mag, e.i(252)), 22);
  Value small = e.sel(e.cmp(arith::CmpIPredicate::eq, mag, 1),
                      e.i(0x3F000000), e.i(0));
  Value bits =
      e.sel(e.cmp(arith::CmpIPredicate::uge, mag, 2), normal, small);
  return e.toF(e.orI(bits, sign));
}

Value mlir::metis::emitDecodeE4M3(OpBuilder &b, Location loc, Value bits) {
  Emitter e(b, loc, bits.getType());
  Value x = e.andI(e.codeToI32(bits), 0xFF);
  Value sign = e.shl(e.andI(x, 0x80), 24);
  Value exp = e.andI(e.shr(x, 3), 0xF);
  Value man = e.andI(x, 7);
  // Normal: rebias the exponent from 7 to 127 and widen the mantissa.
  Value normal = e.orI(e.orI(sign, e.shl(e.add(exp, e.i(120)), 23)),
                       e.shl(man, 20));
  // Subnormal: man · 2^-9 (exact in f32).
  Value subValue = arith::MulFOp::create(
      b, loc, arith::UIToFPOp::create(b, loc, e.f32, man), e.f(0x1p-9f));
  Value subnormal = e.orI(e.toI(subValue), sign);
  Value value =
      e.sel(e.cmp(arith::CmpIPredicate::eq, exp, 0), subnormal, normal);
  Value isNaN = e.cmp(arith::CmpIPredicate::eq, e.andI(x, 0x7F), 0x7F);
  return e.toF(e.sel(isNaN, e.i(0x7FC00000), value));
}

Value mlir::metis::emitDecodeE8M0(OpBuilder &b, Location loc, Value bits) {
  Emitter e(b, loc, bits.getType());
  Value x = e.andI(e.codeToI32(bits), 0xFF);
  Value value = e.shl(x, 23);
  // 2^-127 is an f32 subnormal; 0xFF is NaN.
  value = e.sel(e.cmp(arith::CmpIPredicate::eq, x, 0), e.i(0x00400000), value);
  value = e.sel(e.cmp(arith::CmpIPredicate::eq, x, 0xFF), e.i(0x7FC00000),
                value);
  return e.toF(value);
}

Value mlir::metis::emitDecodeScale(OpBuilder &b, Location loc, Value scale,
                                   FormatKind kind) {
  switch (kind) {
  case FormatKind::nvfp4:
    return emitDecodeE4M3(b, loc, scale);
  case FormatKind::mxfp4:
    return emitDecodeE8M0(b, loc, scale);
  case FormatKind::fp4e2m1b:
    return scale;
  }
  llvm_unreachable("unknown FormatKind");
}

/// Magnitude bits and sign of an f32, with NaN detection.
static std::tuple<Value, Value, Value> splitFloat(Emitter &e, Value x) {
  Value bits = e.toI(x);
  Value mag = e.andI(bits, 0x7FFFFFFF);
  Value sign = e.shr(bits, 31);
  Value isNaN = e.cmp(arith::CmpIPredicate::ugt, mag, 0x7F800000);
  return {mag, sign, isNaN};
}

Value mlir::metis::emitRoundE2M1(OpBuilder &b, Location loc, Value x) {
  Emitter e(b, loc, x.getType());
  auto [mag, sign, isNaN] = splitFloat(e, x);
  // The code of |x| counts the midpoints below it. At a midpoint the even
  // code wins: ties go up (>=) where the upper neighbour's code is even.
  using P = arith::CmpIPredicate;
  const std::pair<P, int64_t> midpoints[] = {
      {P::ugt, 0x3E800000}, // 0.25 -> 0
      {P::uge, 0x3F400000}, // 0.75 -> 1.0
      {P::ugt, 0x3FA00000}, // 1.25 -> 1.0
      {P::uge, 0x3FE00000}, // 1.75 -> 2.0
      {P::ugt, 0x40200000}, // 2.5  -> 2.0
      {P::uge, 0x40600000}, // 3.5  -> 4.0
      {P::ugt, 0x40A00000}, // 5.0  -> 4.0; above saturates to 6
  };
  Value idx = e.i(0);
  for (auto [pred, threshold] : midpoints)
    idx = e.add(idx, e.zext(e.cmp(pred, mag, threshold)));
  Value code = e.orI(idx, e.shl(sign, 3));
  return e.toI8(e.sel(isNaN, e.i(0), code));
}

Value mlir::metis::emitStochasticRoundE2M1(OpBuilder &b, Location loc,
                                           Value x, Value random) {
  Emitter e(b, loc, x.getType());
  auto [mag, sign, isNaN] = splitFloat(e, x);
  // Index of the largest grid point <= |x| (7 for |x| >= 6).
  const int64_t grid[] = {0x3F000000, 0x3F800000, 0x3FC00000, 0x40000000,
                          0x40400000, 0x40800000, 0x40C00000};
  Value lowIdx = e.i(0);
  for (int64_t g : grid)
    lowIdx = e.add(lowIdx, e.zext(e.cmp(arith::CmpIPredicate::uge, mag, g)));
  Value lo = emitDecodeE2M1(b, loc, lowIdx);
  Value hi = emitDecodeE2M1(b, loc, e.add(lowIdx, e.i(1)));
  // (|x| - lo) is exact (Sterbenz) and so is the division by a power of two.
  Value absX = e.toF(mag);
  Value frac = arith::DivFOp::create(
      b, loc, arith::SubFOp::create(b, loc, absX, lo),
      arith::SubFOp::create(b, loc, hi, lo));
  Value u = arith::MulFOp::create(
      b, loc, arith::UIToFPOp::create(b, loc, e.f32, e.shr(random, 8)),
      e.f(0x1p-24f));
  Value up = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, u, frac);
  Value idx = e.sel(e.cmp(arith::CmpIPredicate::eq, lowIdx, 7), lowIdx,
                    e.add(lowIdx, e.zext(up)));
  Value code = e.orI(idx, e.shl(sign, 3));
  return e.toI8(e.sel(isNaN, e.i(0), code));
}

Value mlir::metis::emitRoundE4M3(OpBuilder &b, Location loc, Value x) {
  Emitter e(b, loc, x.getType());
  auto [mag, sign, isNaN] = splitFloat(e, x);
  // Normal range (>= 2^-6): round the 23-bit mantissa to 3 bits, ties to
  // even, then rebias the exponent from 127 to 7.
  Value lsb = e.andI(e.shr(mag, 20), 1);
  Value rounded = e.shr(e.add(e.add(mag, e.i(0x7FFFF)), lsb), 20);
  Value normal = e.sub(rounded, e.i(120 << 3));
  // Subnormal range: |x|·2^9 rounded to an integer m in [0, 8] (m = 8 is the
  // smallest normal, whose code is also 8). Adding 2^23 rounds to nearest
  // even in the default FP environment; the values are tiny, so exact.
  Value scaled = arith::MulFOp::create(b, loc, e.toF(mag), e.f(512.0f));
  Value magic = e.f(8388608.0f);
  Value roundedSub = arith::SubFOp::create(
      b, loc, arith::AddFOp::create(b, loc, scaled, magic), magic);
  Value subnormal = arith::FPToUIOp::create(b, loc, e.i32, roundedSub);
  Value code = e.sel(e.cmp(arith::CmpIPredicate::uge, mag, 0x3C800000),
                     normal, subnormal);
  code = e.orI(code, e.shl(sign, 7));
  return e.toI8(e.sel(isNaN, e.i(0x7F), code));
}

Value mlir::metis::emitMXScaleBits(OpBuilder &b, Location loc, Value amax) {
  Emitter e(b, loc, amax.getType());
  auto [mag, sign, isNaN] = splitFloat(e, amax);
  (void)sign;
  // floor(log2 amax) - 2 + 127 = biased exponent - 2, clamped at 0 (zero and
  // f32 subnormals give 2^-127); +Inf gives 2^127.
  Value exp = e.shr(mag, 23);
  Value byte = arith::MaxSIOp::create(b, loc, e.sub(exp, e.i(2)), e.i(0));
  byte = e.sel(e.cmp(arith::CmpIPredicate::eq, mag, 0x7F800000), e.i(254),
               byte);
  return e.toI8(e.sel(isNaN, e.i(0xFF), byte));
}

Value mlir::metis::emitCodeToF4(OpBuilder &b, Location loc, Value code) {
  Type shape = code.getType();
  Value i4 = arith::TruncIOp::create(
      b, loc, getSameShapeType(shape, b.getIntegerType(4)), code);
  return arith::BitcastOp::create(
      b, loc, getSameShapeType(shape, b.getType<Float4E2M1FNType>()), i4);
}

Value mlir::metis::emitBitsToF8(OpBuilder &b, Location loc, Value bits,
                                Type floatType) {
  return arith::BitcastOp::create(
      b, loc, getSameShapeType(bits.getType(), floatType), bits);
}

std::array<Value, 4> mlir::metis::emitPhilox4x32(OpBuilder &b, Location loc,
                                                 std::array<Value, 4> ctr,
                                                 std::array<Value, 2> key) {
  Emitter e(b, loc, ctr[0].getType());
  Value m0 = e.i(0xD2511F53), m1 = e.i(0xCD9E8D57);
  Value w0 = e.i(0x9E3779B9), w1 = e.i(0xBB67AE85);
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] = e.add(key[0], w0);
      key[1] = e.add(key[1], w1);
    }
    auto p0 = arith::MulUIExtendedOp::create(b, loc, m0, ctr[0]);
    auto p1 = arith::MulUIExtendedOp::create(b, loc, m1, ctr[2]);
    Value xor1 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, p1.getHigh(), ctr[1]), key[0]);
    Value xor3 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, p0.getHigh(), ctr[3]), key[1]);
    ctr = {xor1, p1.getLow(), xor3, p0.getLow()};
  }
  return ctr;
}

Value mlir::metis::emitElementRandom(OpBuilder &b, Location loc, Value seed,
                                     Value index) {
  Type i64 = getSameShapeType(index.getType(), b.getI64Type());
  Type i32 = getSameShapeType(index.getType(), b.getI32Type());
  auto lo = [&](Value v) { return arith::TruncIOp::create(b, loc, i32, v); };
  auto hi = [&](Value v) {
    return lo(arith::ShRUIOp::create(
        b, loc, v, createScalarOrSplatConstant(b, loc, i64, 32)));
  };
  if (seed.getType() != i64) // a scalar seed for a vector of indices
    seed = vector::BroadcastOp::create(b, loc, i64, seed);
  Value zero = createScalarOrSplatConstant(b, loc, i32, 0);
  return emitPhilox4x32(b, loc, {lo(index), hi(index), zero, zero},
                        {lo(seed), hi(seed)})[0];
}
