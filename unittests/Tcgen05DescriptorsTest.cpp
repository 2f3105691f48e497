//===- Tcgen05DescriptorsTest.cpp - tcgen05 descriptors vs the PTX tables -===//
//
// Expected words are assembled by hand from the PTX ISA tables
// ("Instruction descriptor format for .kind::mxf4 and .kind::mxf4nvf4",
// "Shared memory descriptor layout") and agree with CUTLASS's
// UMMA::InstrDescriptorBlockScaled / UMMA::SmemDescriptor for the same
// inputs — not computed by the code under test.
//
//===----------------------------------------------------------------------===//

#include "metis/Conversion/MetisToGPU/Tcgen05Descriptors.h"

#include "gtest/gtest.h"

using namespace mlir::metis;

namespace {

TEST(Tcgen05InstrDescriptor, Nvfp4) {
  // atype = btype = E2M1 (1) at bits 7 and 10, N>>3 = 16 at bit 17, UE4M3
  // (bit 23 clear), M>>7 = 1 at bit 27.
  EXPECT_EQ(getTcgen05InstrDescriptor(false, 128, 128, 0), 0x08200480u);
  EXPECT_EQ(getTcgen05InstrDescriptor(false, 128, 64, 0), 0x08100480u);
  EXPECT_EQ(getTcgen05InstrDescriptor(false, 256, 256, 0), 0x10400480u);
}

TEST(Tcgen05InstrDescriptor, Mxfp4) {
  // UE8M0 scales: bit 23.
  EXPECT_EQ(getTcgen05InstrDescriptor(true, 128, 128, 0), 0x08A00480u);
  EXPECT_EQ(getTcgen05InstrDescriptor(true, 128, 64, 0), 0x08900480u);
}

TEST(Tcgen05InstrDescriptor, ScaleFactorIds) {
  // Scale-factor id 2 (bytes 2-3 of each TMEM scale word): B's at bits 4-5,
  // A's at bits 29-30; nothing else moves.
  EXPECT_EQ(getTcgen05InstrDescriptor(true, 128, 128, 2), 0x48A004A0u);
  EXPECT_EQ(getTcgen05InstrDescriptor(true, 128, 128, 2) ^
                getTcgen05InstrDescriptor(true, 128, 128, 0),
            (2u << 29) | (2u << 4));
}

TEST(Tcgen05SmemDescriptor, KMajorNoSwizzle) {
  // Start 0x400 >> 4 = 0x40 (bits 0-13), LBO 128 >> 4 = 8 (bits 16-29),
  // SBO 256 >> 4 = 16 (bits 32-45), fixed 0b001 at bits 46-48.
  EXPECT_EQ(getTcgen05SmemDescriptor(0x400, 128, 256), 0x0000401000080040ull);
  // The scale block of tcgen05.cp 32x128b: 4 core matrices stacked in M
  // (SBO = 128 bytes), no K neighbour (LBO = 0).
  EXPECT_EQ(getTcgen05SmemDescriptor(0x2000, 0, 128), 0x0000400800000200ull);
}

TEST(Tcgen05SmemDescriptor, FieldLimits) {
  // The largest shared address (228 KB on sm_100) still fits 14 bits once
  // divided by 16; the low 4 bits of an aligned address are dropped.
  EXPECT_EQ(getTcgen05SmemDescriptor(0x38FF0, 0, 0) & 0x3FFF, 0x38FFu);
  EXPECT_EQ(getTcgen05SmemDescriptor(0, 0, 0), uint64_t(1) << 46);
  // Base offset (49-51), LBO mode (52) and swizzle (61-63) stay 0.
  uint64_t desc = getTcgen05SmemDescriptor(0x3FFF0, 0x3FFF0, 0x3FFF0);
  EXPECT_EQ(desc & ((7ull << 49) | (1ull << 52) | (7ull << 61)), 0u);
}

} // namespace
