//===- FP4Numerics.h - Scalar reference of metis's FP4 formats --*- C++ -*-===//
//
// A host (C++) implementation of the quantization recipes documented on
// `metis.quantize`, used to fold quantizations of constants. It is checked
// bit for bit against the independent numpy oracle (python/metis/reference.py)
// by python/tests/test_fold_oracle.py and by unittests/FP4NumericsTest.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef METIS_DIALECT_METIS_UTILS_FP4NUMERICS_H
#define METIS_DIALECT_METIS_UTILS_FP4NUMERICS_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace mlir::metis::numerics {

/// The formats of `#metis.format` (mirrors FormatKind without depending on IR).
enum class Kind { NVFP4, MXFP4, FP4E2M1B };

/// Rounds `v` to the nearest E2M1 value, ties to even, saturating at ±6 and
/// keeping the sign. Returns the 4-bit code (bit 3 = sign). NaN gives +0.
uint8_t roundToE2M1(float v);
/// Value of a 4-bit E2M1 code.
float decodeE2M1(uint8_t code);

/// Rounds a value in [-448, 448] to E4M3FN, ties to even. NaN gives 0x7F.
uint8_t roundToE4M3(float v);
/// Value of an E4M3FN byte (0x7F/0xFF are NaN).
float decodeE4M3(uint8_t bits);

/// E8M0 byte of 2^exponent for exponent in [-127, 127]; 0xFF is NaN.
uint8_t encodeE8M0(int exponent);
float decodeE8M0(uint8_t bits);

/// Result of quantizing a tensor; scales use the per-row layout of
/// `metis.quantize` (the blocked axis divided by the block size).
struct Quantized {
  std::vector<uint8_t> codes;      ///< one E2M1 code per element
  std::vector<uint8_t> scaleBits;  ///< E4M3/E8M0 bytes (NVFP4/MXFP4)
  std::vector<float> scaleValues;  ///< decoded block scales (all formats)
  float tensorScale = 1.0f;        ///< decode tensor scale (1.0 unless NVFP4)
};

/// Quantizes `x` (row-major, `shape`) along `axis` with round-to-nearest-even,
/// blocks of `blockSize` along the axis and `tileRows` across it (1 or 16;
/// 16 requires a 2-D shape). Shapes must be divisible (checked by callers).
Quantized quantizeRNE(llvm::ArrayRef<float> x, llvm::ArrayRef<int64_t> shape,
                      int64_t axis, Kind kind, int64_t tileRows,
                      int64_t blockSize);

} // namespace mlir::metis::numerics

#endif // METIS_DIALECT_METIS_UTILS_FP4NUMERICS_H
