//===- FP4NumericsTest.cpp - Host FP4 numerics against the format tables --===//
//
// The expected values are the format definitions (OCP MX, NVIDIA E4M3/E2M1
// tables, METIS.md §1.1), written out by hand — not computed by the code
// under test.
//
//===----------------------------------------------------------------------===//

#include "metis/Dialect/Metis/Utils/FP4Numerics.h"

#include "gtest/gtest.h"

#include <cfloat>
#include <cmath>

using namespace mlir::metis::numerics;

namespace {

TEST(E2M1, GridValuesRoundTrip) {
  const float grid[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  for (int c = 0; c < 8; ++c) {
    EXPECT_EQ(decodeE2M1(c), grid[c]);
    EXPECT_EQ(decodeE2M1(c | 8), -grid[c]);
    EXPECT_EQ(roundToE2M1(grid[c]), c);
    EXPECT_EQ(roundToE2M1(-grid[c]), c | 8);
  }
}

TEST(E2M1, TiesToEven) {
  // METIS.md §1.1: 0.25→0, 0.75→1, 1.25→1, 1.75→2, 2.5→2, 3.5→4, 5→4.
  EXPECT_EQ(decodeE2M1(roundToE2M1(0.25f)), 0.0f);
  EXPECT_EQ(decodeE2M1(roundToE2M1(0.75f)), 1.0f);
  EXPECT_EQ(decodeE2M1(roundToE2M1(1.25f)), 1.0f);
  EXPECT_EQ(decodeE2M1(roundToE2M1(1.75f)), 2.0f);
  EXPECT_EQ(decodeE2M1(roundToE2M1(2.5f)), 2.0f);
  EXPECT_EQ(decodeE2M1(roundToE2M1(3.5f)), 4.0f);
  EXPECT_EQ(decodeE2M1(roundToE2M1(5.0f)), 4.0f);
  EXPECT_EQ(decodeE2M1(roundToE2M1(-5.0f)), -4.0f);
  EXPECT_EQ(decodeE2M1(roundToE2M1(5.0001f)), 6.0f);
}

TEST(E2M1, SignAndSaturation) {
  // Upstream's arith-expand loses the sign on (-0.5, -0.25); we must not.
  EXPECT_EQ(roundToE2M1(-0.3f), 9); // -0.5
  EXPECT_EQ(roundToE2M1(-0.25f), 8); // -0
  EXPECT_EQ(roundToE2M1(-0.0f), 8);
  EXPECT_EQ(roundToE2M1(7.0f), 7);
  EXPECT_EQ(roundToE2M1(-100.0f), 15);
  EXPECT_EQ(roundToE2M1(INFINITY), 7);
  EXPECT_EQ(roundToE2M1(-INFINITY), 15);
  EXPECT_EQ(roundToE2M1(NAN), 0);
}

TEST(E4M3, Boundaries) {
  EXPECT_EQ(roundToE4M3(448.0f), 0x7E);
  EXPECT_EQ(decodeE4M3(0x7E), 448.0f);
  EXPECT_EQ(decodeE4M3(0x08), 0.015625f);   // min normal 2^-6
  EXPECT_EQ(decodeE4M3(0x01), 0.001953125f); // min subnormal 2^-9
  EXPECT_TRUE(std::isnan(decodeE4M3(0x7F)));
  EXPECT_EQ(roundToE4M3(0.0f), 0x00);
  // Halfway between 2^-9 and 0 rounds to even (0); just above rounds up.
  EXPECT_EQ(roundToE4M3(0.0009765625f), 0x00);
  EXPECT_EQ(roundToE4M3(0.00098f), 0x01);
  // 1.0625 is halfway between 1.0 (0x38) and 1.125 (0x39): even is 0x38.
  EXPECT_EQ(roundToE4M3(1.0625f), 0x38);
  EXPECT_EQ(roundToE4M3(1.1875f), 0x3A); // halfway 1.125/1.25 -> 1.25 (even)
  EXPECT_EQ(roundToE4M3(NAN), 0x7F);
}

TEST(E8M0, Encoding) {
  EXPECT_EQ(encodeE8M0(0), 127);
  EXPECT_EQ(decodeE8M0(127), 1.0f);
  EXPECT_EQ(decodeE8M0(0), std::ldexp(1.0f, -127));
  EXPECT_EQ(decodeE8M0(254), std::ldexp(1.0f, 127));
  EXPECT_TRUE(std::isnan(decodeE8M0(255)));
}

TEST(Quantize, NVFP4KnownBlock) {
  // amax = 6 -> g = 448, tensor scale 1/448. Block amax 6 -> d = 448,
  // e = 1/(448/448) = 1: values are their own E2M1 roundings.
  std::vector<float> x = {6, 1.25, -2.5, 0.3, 5, 0, 0, 0,
                          0, 0,    0,    0,   0, 0, 0, 0};
  Quantized q = quantizeRNE(x, {16}, 0, Kind::NVFP4, 1, 16);
  EXPECT_EQ(q.tensorScale, 1.0f / 448.0f);
  EXPECT_EQ(q.scaleValues[0], 448.0f);
  EXPECT_EQ(decodeE2M1(q.codes[0]), 6.0f);
  EXPECT_EQ(decodeE2M1(q.codes[1]), 1.0f);
  EXPECT_EQ(decodeE2M1(q.codes[2]), -2.0f);
  EXPECT_EQ(decodeE2M1(q.codes[3]), 0.5f);
  EXPECT_EQ(decodeE2M1(q.codes[4]), 4.0f);
}

TEST(Quantize, NVFP4ZeroTensorHasNoNaN) {
  std::vector<float> x(32, 0.0f);
  Quantized q = quantizeRNE(x, {2, 16}, 1, Kind::NVFP4, 1, 16);
  EXPECT_EQ(q.tensorScale, 1.0f / FLT_MAX);
  for (float s : q.scaleValues)
    EXPECT_EQ(s, 0.0f);
  for (uint8_t c : q.codes)
    EXPECT_EQ(c, 0);
}

TEST(Quantize, NVFP4NaNPoisonsTensorScale) {
  std::vector<float> x(16, 1.0f);
  x[3] = NAN;
  Quantized q = quantizeRNE(x, {16}, 0, Kind::NVFP4, 1, 16);
  EXPECT_TRUE(std::isnan(q.tensorScale));
  EXPECT_EQ(q.scaleBits[0], 0x7F);
}

TEST(Quantize, MXFP4Scales) {
  // Block 0 amax 6 -> 2^(2-2) = 1; block 1 amax 0 -> 2^-127; OCP MX.
  std::vector<float> x(64, 0.0f);
  x[0] = 6.0f;
  x[1] = 2.5f;
  Quantized q = quantizeRNE(x, {64}, 0, Kind::MXFP4, 1, 32);
  EXPECT_EQ(q.scaleBits[0], 127);
  EXPECT_EQ(q.scaleBits[1], 0);
  EXPECT_EQ(decodeE2M1(q.codes[1]), 2.0f);
  EXPECT_EQ(q.tensorScale, 1.0f);
}

TEST(Quantize, MXFP4InfSaturatesNaNPoisonsBlock) {
  std::vector<float> x(64, 1.0f);
  x[0] = INFINITY;
  x[40] = NAN;
  Quantized q = quantizeRNE(x, {64}, 0, Kind::MXFP4, 1, 32);
  EXPECT_EQ(q.scaleBits[0], 254); // 2^127
  EXPECT_EQ(q.codes[0], 7);       // +6
  EXPECT_EQ(q.codes[1], 0);       // 1 / 2^127 underflows to 0
  EXPECT_EQ(q.scaleBits[1], 255);
}

TEST(Quantize, TilesShareTheirScale) {
  // 16x16 tile over a 16x32 tensor along axis 1: rows share the tile amax.
  std::vector<float> x(16 * 32, 0.5f);
  x[5 * 32 + 3] = 6.0f; // in tile (rows 0-15, cols 0-15)
  Quantized q = quantizeRNE(x, {16, 32}, 1, Kind::NVFP4, 16, 16);
  for (int r = 0; r < 16; ++r) {
    EXPECT_EQ(q.scaleValues[r * 2 + 0], 448.0f);
    // Second tile: amax 0.5 -> 0.5/6*448 = 37.33 -> E4M3 (step 4 in
    // [32, 64)) rounds to 36.
    EXPECT_EQ(q.scaleValues[r * 2 + 1], 36.0f);
  }
}

} // namespace
