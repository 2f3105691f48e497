//===- FP4Emitters.h - IR for metis's FP4 numerics --------------*- C++ -*-===//
//
// Builders that emit the bit-exact encode/decode arithmetic of metis's
// formats (see `metis.quantize`) as arith ops. Every function works on a
// scalar or on a vector (elementwise), so the same code serves linalg bodies
// and vectorized kernels.
//
// Why not upstream: `arith-expand{include-f4e2m1}` truncf rounds ties away
// from zero and loses the sign on (-0.5, -0.25), and there is no E4M3 truncf
// lowering outside `convert-arith-to-apfloat` (TOOLCHAIN.md §2). The
// integer versions here are checked against the numpy oracle and against
// `convert-arith-to-apfloat` (test/Integration/CPU).
//
//===----------------------------------------------------------------------===//

#ifndef METIS_CONVERSION_METISTOLINALG_FP4EMITTERS_H
#define METIS_CONVERSION_METISTOLINALG_FP4EMITTERS_H

#include "metis/Dialect/Metis/IR/MetisDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <array>

namespace mlir::metis {

/// `like`'s shape (scalar or vector) with element type `elementType`.
Type getSameShapeType(Type like, Type elementType);

/// f4E2M1FN (or an integer holding the code in its low 4 bits) -> f32.
Value emitDecodeE2M1(OpBuilder &b, Location loc, Value code);
/// f8E4M3FN (or i8) -> f32; 0x7F/0xFF decode to NaN.
Value emitDecodeE4M3(OpBuilder &b, Location loc, Value bits);
/// f8E8M0FNU (or i8) -> f32 = 2^(bits - 127); 0xFF decodes to NaN.
Value emitDecodeE8M0(OpBuilder &b, Location loc, Value bits);
/// Decodes a block scale of `kind` to f32 (f32 scales pass through).
Value emitDecodeScale(OpBuilder &b, Location loc, Value scale,
                      FormatKind kind);

/// f32 -> E2M1 code (i8, 0..15), round to nearest even, saturating at ±6,
/// sign kept; NaN -> +0.
Value emitRoundE2M1(OpBuilder &b, Location loc, Value x);
/// f32 -> E2M1 code (i8) with stochastic rounding: between neighbouring grid
/// points lo <= |x| < hi it rounds up iff u < (|x| - lo) / (hi - lo), with
/// u = (random >> 8) · 2^-24 uniform in [0, 1). NaN -> +0, |x| >= 6 -> ±6.
Value emitStochasticRoundE2M1(OpBuilder &b, Location loc, Value x,
                              Value random);
/// f32 in [-448, 448] (or NaN) -> E4M3FN bits (i8), round to nearest even.
Value emitRoundE4M3(OpBuilder &b, Location loc, Value x);
/// Block amax (f32, >= 0 or NaN) -> E8M0 bits (i8) of the OCP MX scale
/// 2^clamp(floor(log2 amax) - 2, -127, 127); NaN -> 0xFF.
Value emitMXScaleBits(OpBuilder &b, Location loc, Value amax);

/// i8 code -> f4E2M1FN value (same shape).
Value emitCodeToF4(OpBuilder &b, Location loc, Value code);
/// i8 bits -> f8 value of `floatType` (same shape).
Value emitBitsToF8(OpBuilder &b, Location loc, Value bits, Type floatType);

/// Philox4x32-10 (Salmon et al., SC'11) of the 128-bit counter `ctr` under
/// the 64-bit key `key`; all values i32 of the same shape.
std::array<Value, 4> emitPhilox4x32(OpBuilder &b, Location loc,
                                    std::array<Value, 4> ctr,
                                    std::array<Value, 2> key);

/// The random word of element `index` (i64) under `seed` (i64): the first
/// output of Philox4x32-10 with counter (index, 0) and key seed.
Value emitElementRandom(OpBuilder &b, Location loc, Value seed, Value index);

} // namespace mlir::metis

#endif // METIS_CONVERSION_METISTOLINALG_FP4EMITTERS_H
