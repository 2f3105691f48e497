//===- Tcgen05Descriptors.h - tcgen05 MMA descriptor encodings --*- C++ -*-===//
//
// The two descriptor words of a dense block-scaled FP4 `tcgen05.mma` (PTX ISA,
// "Tensor Core 5th Generation": "Instruction descriptor" and "Shared memory
// descriptor"). Pure functions, so the unit tests can check them against the
// PTX tables without a GPU.
//
//===----------------------------------------------------------------------===//

#ifndef METIS_CONVERSION_METISTOGPU_TCGEN05DESCRIPTORS_H
#define METIS_CONVERSION_METISTOGPU_TCGEN05DESCRIPTORS_H

#include <cstdint>

namespace mlir::metis {

/// The 32-bit instruction descriptor of a dense block-scaled E2M1 x E2M1
/// MMA with A and B K-major: kind::mxf4nvf4 with UE4M3 scales (NVFP4) or
/// kind::mxf4 with UE8M0 scales (`ue8m0Scales`, MXFP4), an `m` x `n` tile,
/// reading scale bytes from `scaleFactorId` on (0, or 2 for the second
/// K=64 half of a 4-scale MXFP4 word).
constexpr uint32_t getTcgen05InstrDescriptor(bool ue8m0Scales, uint32_t m,
                                             uint32_t n,
                                             uint32_t scaleFactorId) {
  return scaleFactorId << 4 |          // B scale-factor id (bits 4-5)
         1u << 7 |                     // A type: E2M1 (code 1 for mxf4*)
         1u << 10 |                    // B type: E2M1
                                       // 13-16: no negation, K-major
         (n >> 3) << 17 |              // N >> 3 (bits 17-22)
         uint32_t(ue8m0Scales) << 23 | // scale type: 0 UE4M3, 1 UE8M0
         (m >> 7) << 27 |              // M >> 7 (bits 27-28)
         scaleFactorId << 29;          // A scale-factor id (bits 29-30)
                                       // bit 31 = 0: dense, K = 64
}

/// The 64-bit shared-memory descriptor of a K-major operand without
/// swizzling at shared byte address `address`: `leadingBytes` between the
/// core matrices (8 rows x 16 bytes) adjacent in K, `strideBytes` between
/// 8-row groups. The three are multiples of 16 below 2^18 and are stored
/// divided by 16; bits 46-48 hold the fixed 0b001; base offset, LBO mode
/// and swizzle mode stay 0.
constexpr uint64_t getTcgen05SmemDescriptor(uint32_t address,
                                            uint32_t leadingBytes,
                                            uint32_t strideBytes) {
  return uint64_t((address >> 4) & 0x3FFF) |
         uint64_t((leadingBytes >> 4) & 0x3FFF) << 16 |
         uint64_t((strideBytes >> 4) & 0x3FFF) << 32 | uint64_t(1) << 46;
}

} // namespace mlir::metis

#endif // METIS_CONVERSION_METISTOGPU_TCGEN05DESCRIPTORS_H
