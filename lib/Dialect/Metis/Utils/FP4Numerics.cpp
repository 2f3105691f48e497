//===- FP4Numerics.cpp - Scalar reference of metis's FP4 formats ----------===//
//
// The recipes follow the ODS description of `metis.quantize` operation by
// operation, in f32, so that the folded constants equal what the compiled
// code computes. Rounding to E2M1/E4M3 uses llvm::APFloat (round to nearest,
// ties to even) on inputs already clamped into range.
//
//===----------------------------------------------------------------------===//

#include "metis/Dialect/Metis/Utils/FP4Numerics.h"

#include "llvm/ADT/APFloat.h"

#include <cassert>
#include <cfloat>
#include <cmath>

using namespace mlir::metis::numerics;
using llvm::APFloat;

namespace {
/// min/max/clamp that propagate NaN (as torch.min/torch.clamp do).
float nanMin(float a, float b) { return std::isnan(a) ? a : (b < a ? b : a); }
float nanMax(float a, float b) { return std::isnan(a) ? a : (b > a ? b : a); }
float nanClamp(float v, float lo, float hi) {
  return nanMin(nanMax(v, lo), hi);
}
/// max(|a|, |b|) where a NaN on either side wins.
float absMaxAcc(float acc, float v) {
  if (std::isnan(acc) || std::isnan(v))
    return NAN;
  return std::fabs(v) > acc ? std::fabs(v) : acc;
}

uint8_t roundTo(const llvm::fltSemantics &sem, float v) {
  APFloat f(v);
  bool losesInfo = false;
  f.convert(sem, APFloat::rmNearestTiesToEven, &losesInfo);
  return static_cast<uint8_t>(f.bitcastToAPInt().getZExtValue());
}
float decode(const llvm::fltSemantics &sem, unsigned bits, uint8_t code) {
  APFloat f(sem, llvm::APInt(bits, code));
  bool losesInfo = false;
  f.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &losesInfo);
  return f.convertToFloat();
}
} // namespace

uint8_t mlir::metis::numerics::roundToE2M1(float v) {
  if (std::isnan(v))
    return 0;
  // Saturate first: E2M1 has no infinity, and APFloat's overflow behaviour
  // for finite-only formats is not what the format definition asks for.
  v = nanClamp(v, -6.0f, 6.0f);
  return roundTo(APFloat::Float4E2M1FN(), v) & 0xF;
}

float mlir::metis::numerics::decodeE2M1(uint8_t code) {
  return decode(APFloat::Float4E2M1FN(), 4, code & 0xF);
}

uint8_t mlir::metis::numerics::roundToE4M3(float v) {
  if (std::isnan(v))
    return 0x7F;
  assert(v >= -448.0f && v <= 448.0f && "callers clamp to the E4M3 range");
  return roundTo(APFloat::Float8E4M3FN(), v);
}

float mlir::metis::numerics::decodeE4M3(uint8_t bits) {
  return decode(APFloat::Float8E4M3FN(), 8, bits);
}

uint8_t mlir::metis::numerics::encodeE8M0(int exponent) {
  assert(exponent >= -127 && exponent <= 127 && "E8M0 exponent out of range");
  return static_cast<uint8_t>(exponent + 127);
}

float mlir::metis::numerics::decodeE8M0(uint8_t bits) {
  if (bits == 0xFF)
    return NAN;
  return std::ldexp(1.0f, static_cast<int>(bits) - 127);
}

Quantized mlir::metis::numerics::quantizeRNE(llvm::ArrayRef<float> x,
                                             llvm::ArrayRef<int64_t> shape,
                                             int64_t axis, Kind kind,
                                             int64_t tileRows,
                                             int64_t blockSize) {
  // View the tensor as [outer, A, inner] with A the blocked axis.
  int64_t outer = 1, inner = 1, extent = shape[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1, e = shape.size(); d < e; ++d)
    inner *= shape[d];
  int64_t nBlocks = extent / blockSize;
  int64_t nScales = outer * nBlocks * inner;
  auto elemIndex = [&](int64_t o, int64_t a, int64_t i) {
    return (o * extent + a) * inner + i;
  };
  auto scaleIndex = [&](int64_t o, int64_t j, int64_t i) {
    return (o * nBlocks + j) * inner + i;
  };

  // Block amax (1-D blocks), NaN-propagating.
  std::vector<float> blockAmax(nScales, 0.0f);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < nBlocks; ++j)
      for (int64_t i = 0; i < inner; ++i) {
        float m = 0.0f;
        for (int64_t a = j * blockSize; a < (j + 1) * blockSize; ++a)
          m = absMaxAcc(m, x[elemIndex(o, a, i)]);
        blockAmax[scaleIndex(o, j, i)] = m;
      }
  // 2-D tiles: the amax of a tile is shared by its rows (the other axis of a
  // 2-D tensor is `outer` when axis == 1 and `inner` when axis == 0).
  if (tileRows > 1) {
    assert(shape.size() == 2 && "tiles need a 2-D tensor");
    std::vector<float> tiled(blockAmax);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < nBlocks; ++j)
        for (int64_t i = 0; i < inner; ++i) {
          int64_t o0 = axis == 1 ? o / tileRows * tileRows : o;
          int64_t i0 = axis == 0 ? i / tileRows * tileRows : i;
          int64_t oEnd = axis == 1 ? o0 + tileRows : o0 + 1;
          int64_t iEnd = axis == 0 ? i0 + tileRows : i0 + 1;
          float m = 0.0f;
          for (int64_t oo = o0; oo < oEnd; ++oo)
            for (int64_t ii = i0; ii < iEnd; ++ii)
              m = absMaxAcc(m, blockAmax[scaleIndex(oo, j, ii)]);
          tiled[scaleIndex(o, j, i)] = m;
        }
    blockAmax = std::move(tiled);
  }

  Quantized q;
  q.codes.resize(x.size());
  q.scaleValues.resize(nScales);
  if (kind != Kind::FP4E2M1B)
    q.scaleBits.resize(nScales);

  // Per-block encode scale (what x is multiplied or divided by).
  std::vector<float> encode(nScales);
  bool divide = false;
  switch (kind) {
  case Kind::NVFP4: {
    float amax = 0.0f;
    for (float v : x)
      amax = absMaxAcc(amax, v);
    float g = 2688.0f / amax;
    g = nanMin(g, FLT_MAX);
    if (g == 0.0f)
      g = 1.0f;
    float ts = 1.0f / g;
    q.tensorScale = ts;
    for (int64_t s = 0; s < nScales; ++s) {
      float ds = blockAmax[s] / 6.0f;
      ds = ds * g;
      ds = nanMin(ds, FLT_MAX);
      ds = nanClamp(ds, -448.0f, 448.0f);
      uint8_t bits = roundToE4M3(ds);
      float d = decodeE4M3(bits);
      float denom = d * ts;
      float e = 1.0f / denom;
      e = nanMin(e, FLT_MAX);
      q.scaleBits[s] = bits;
      q.scaleValues[s] = d;
      encode[s] = e;
    }
    break;
  }
  case Kind::MXFP4: {
    divide = true;
    for (int64_t s = 0; s < nScales; ++s) {
      float m = blockAmax[s];
      if (std::isnan(m)) {
        q.scaleBits[s] = 0xFF;
        q.scaleValues[s] = NAN;
        encode[s] = NAN;
        continue;
      }
      int e;
      if (m == 0.0f)
        e = -127;
      else if (std::isinf(m))
        e = 127;
      else
        e = std::ilogb(m) - 2;
      e = e < -127 ? -127 : (e > 127 ? 127 : e);
      q.scaleBits[s] = encodeE8M0(e);
      q.scaleValues[s] = decodeE8M0(q.scaleBits[s]);
      encode[s] = q.scaleValues[s];
    }
    break;
  }
  case Kind::FP4E2M1B: {
    divide = true;
    for (int64_t s = 0; s < nScales; ++s) {
      float d = blockAmax[s] / 6.0f;
      d = d + 1e-9f;
      q.scaleValues[s] = d;
      encode[s] = d;
    }
    break;
  }
  }

  for (int64_t o = 0; o < outer; ++o)
    for (int64_t a = 0; a < extent; ++a)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t idx = elemIndex(o, a, i);
        float e = encode[scaleIndex(o, a / blockSize, i)];
        float v = divide ? x[idx] / e : x[idx] * e;
        q.codes[idx] = roundToE2M1(nanClamp(v, -6.0f, 6.0f));
      }
  return q;
}
