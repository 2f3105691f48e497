// RUN: metis-opt %s -canonicalize -split-input-file | FileCheck %s

// Folding of metis.quantize of constants (rne only) and of metis.dequantize
// of constants, and the cases that must not fold. Every expected constant
// below is computed by hand from the format definitions on metis.quantize
// (f32 arithmetic):
//   E2M1     round to nearest, ties to even, onto ±{0, 0.5, 1, 1.5, 2, 3, 4, 6},
//            saturating at ±6 and keeping the sign (so -0.25 -> -0.0);
//   nvfp4    g = 2688 / amax, tensor_scale = 1 / g,
//            d = E4M3(min(amax_b / 6 * g, 448)), value = E2M1(x / (d * ts));
//   mxfp4    d = 2^clamp(floor(log2 amax_b) - 2, -127, 127), value = E2M1(x / d);
//   fp4e2m1b d = amax_b / 6 + 1e-9, value = E2M1(x / d).

// nvfp4, two 1x16 blocks; the tensor amax is 6, so g = 448 and the tensor
// scale is f32(1/448) = 0.00223214296.
//  * Row 0 (amax 6): d = E4M3(448) = 448, d * ts rounds to 1.0, so each value
//    is E2M1(x): the ties 1.25 -> 1, 2.5 -> 2, 5 -> 4, 0.75 -> 1, 1.75 -> 2,
//    3.5 -> 4, 0.25 -> 0 go to the even neighbour, and -0.3 -> -0.5.
//  * Row 1 (amax 1): 1/6 * 448 = 74.67 rounds to the E4M3 value 72 (step 8 in
//    [64, 128)); e = 1 / (72 / 448) = 6.222, so 1 -> 6.22 -> 6 (saturated),
//    0.5 -> 3.11 -> 3, 0.25 -> 1.56 -> 1.5, -0.75 -> -4.67 -> -4,
//    0.1 -> 0.62 -> 0.5, -1 -> -6, 0.125 -> 0.78 -> 1.

// CHECK-LABEL: func.func @fold_nvfp4
// CHECK-DAG: %[[V:.*]] = arith.constant dense<{{\[\[}}6.000000e+00, 1.000000e+00, 2.000000e+00, 4.000000e+00, -5.000000e-01, 1.000000e+00, 2.000000e+00, 4.000000e+00, 0.000000e+00, -6.000000e+00, 0.000000e+00, -1.000000e+00, 4.000000e+00, 3.000000e+00, 5.000000e-01, -2.000000e+00], [6.000000e+00, 3.000000e+00, 1.500000e+00, -4.000000e+00, 5.000000e-01, -6.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 1.000000e+00]]> : tensor<2x16xf4E2M1FN>
// CHECK-DAG: %[[BS:.*]] = arith.constant dense<{{\[\[}}4.480000e+02], [7.200000e+01]]> : tensor<2x1xf8E4M3FN>
// CHECK-DAG: %[[TS:.*]] = arith.constant dense<0.00223214296> : tensor<f32>
// CHECK-NOT: metis.quantize
// CHECK: return %[[V]], %[[BS]], %[[TS]]
func.func @fold_nvfp4() -> (tensor<2x16xf4E2M1FN>, tensor<2x1xf8E4M3FN>, tensor<f32>) {
  %x = arith.constant dense<[
    [6.0, 1.25, 2.5, 5.0, -0.3, 0.75, 1.75, 3.5, 0.25, -6.0, 0.0, -1.0, 4.0, 3.0, 0.5, -2.0],
    [1.0, 0.5, 0.25, -0.75, 0.1, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.125]]> : tensor<2x16xf32>
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<2x16xf32> -> tensor<2x16xf4E2M1FN>, tensor<2x1xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<2x16xf4E2M1FN>, tensor<2x1xf8E4M3FN>, tensor<f32>
}

// -----

// A bf16 constant is converted to f32 exactly (-0.3 becomes -0.30078125,
// still -0.5 after rounding): same block as row 0 above.

// CHECK-LABEL: func.func @fold_nvfp4_bf16
// CHECK-DAG: %[[V:.*]] = arith.constant dense<[6.000000e+00, 1.000000e+00, 2.000000e+00, 4.000000e+00, -5.000000e-01, 1.000000e+00, 2.000000e+00, 4.000000e+00, 0.000000e+00, -6.000000e+00, 0.000000e+00, -1.000000e+00, 4.000000e+00, 3.000000e+00, 5.000000e-01, -2.000000e+00]> : tensor<16xf4E2M1FN>
// CHECK-DAG: %[[BS:.*]] = arith.constant dense<4.480000e+02> : tensor<1xf8E4M3FN>
// CHECK-DAG: %[[TS:.*]] = arith.constant dense<0.00223214296> : tensor<f32>
// CHECK-NOT: metis.quantize
// CHECK: return %[[V]], %[[BS]], %[[TS]]
func.func @fold_nvfp4_bf16() -> (tensor<16xf4E2M1FN>, tensor<1xf8E4M3FN>, tensor<f32>) {
  %x = arith.constant dense<[6.0, 1.25, 2.5, 5.0, -0.3, 0.75, 1.75, 3.5, 0.25, -6.0, 0.0, -1.0, 4.0, 3.0, 0.5, -2.0]> : tensor<16xbf16>
  %v, %bs, %ts = metis.quantize %x {axis = 0 : i64, format = #metis.format<nvfp4>}
      : tensor<16xbf16> -> tensor<16xf4E2M1FN>, tensor<1xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<16xf4E2M1FN>, tensor<1xf8E4M3FN>, tensor<f32>
}

// -----

// An all-zero nvfp4 tensor: g = min(2688 / 0, FLT_MAX) = FLT_MAX, so the
// tensor scale is f32(1 / FLT_MAX) = 2^-128, a subnormal that must be kept;
// the block scale is 0 and no NaN appears.

// CHECK-LABEL: func.func @fold_nvfp4_zero
// CHECK-DAG: %[[V:.*]] = arith.constant dense<0.000000e+00> : tensor<16xf4E2M1FN>
// CHECK-DAG: %[[BS:.*]] = arith.constant dense<0.000000e+00> : tensor<1xf8E4M3FN>
// CHECK-DAG: %[[TS:.*]] = arith.constant dense<2.93873588E-39> : tensor<f32>
// CHECK-NOT: metis.quantize
// CHECK: return %[[V]], %[[BS]], %[[TS]]
func.func @fold_nvfp4_zero() -> (tensor<16xf4E2M1FN>, tensor<1xf8E4M3FN>, tensor<f32>) {
  %x = arith.constant dense<0.0> : tensor<16xf32>
  %v, %bs, %ts = metis.quantize %x {axis = 0 : i64, format = #metis.format<nvfp4>}
      : tensor<16xf32> -> tensor<16xf4E2M1FN>, tensor<1xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<16xf4E2M1FN>, tensor<1xf8E4M3FN>, tensor<f32>
}

// -----

// mxfp4, three 1x32 blocks; the tensor scale is exactly 1.
//  * Row 0 (amax 3): d = 2^(1 - 2) = 0.5, value = E2M1(2x): 3 -> 6,
//    -2.75 -> -5.5 -> -6, 1.25 -> 2.5 -> 2, 0.625 -> 1.25 -> 1, 0.3 -> 0.5,
//    0.875 -> 1.75 -> 2, 1.75 -> 3.5 -> 4, 2.5 -> 5 -> 4, 0.125 -> 0.25 -> 0,
//    -0.375 -> -0.75 -> -1, -0.125 -> -0.25 -> -0.
//  * Row 1 (amax 7): d = 2^(2 - 2) = 1; 7 and 6.5 saturate to 6, 5 -> 4 (tie),
//    4.5 -> 4, -3.25 -> -3, 0.2 -> 0.
//  * Row 2 (amax 0.75): d = 2^(-1 - 2) = 0.125: 0.75 -> 6, -0.1875 -> -1.5,
//    0.0625 -> 0.5.

// CHECK-LABEL: func.func @fold_mxfp4
// CHECK-DAG: %[[V:.*]] = arith.constant dense<{{\[\[}}6.000000e+00, -6.000000e+00, 2.000000e+00, 1.000000e+00, 5.000000e-01, 2.000000e+00, 4.000000e+00, 4.000000e+00, 0.000000e+00, -1.000000e+00, -0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [6.000000e+00, 6.000000e+00, 4.000000e+00, 4.000000e+00, -3.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [6.000000e+00, -1.500000e+00, 5.000000e-01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<3x32xf4E2M1FN>
// CHECK-DAG: %[[BS:.*]] = arith.constant dense<{{\[\[}}5.000000e-01], [1.000000e+00], [1.250000e-01]]> : tensor<3x1xf8E8M0FNU>
// CHECK-DAG: %[[TS:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NOT: metis.quantize
// CHECK: return %[[V]], %[[BS]], %[[TS]]
func.func @fold_mxfp4() -> (tensor<3x32xf4E2M1FN>, tensor<3x1xf8E8M0FNU>, tensor<f32>) {
  %x = arith.constant dense<[
    [3.0, -2.75, 1.25, 0.625, 0.3, 0.875, 1.75, 2.5, 0.125, -0.375, -0.125, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [7.0, 6.5, 5.0, 4.5, -3.25, 0.2, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.75, -0.1875, 0.0625, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<3x32xf32>
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<mxfp4>}
      : tensor<3x32xf32> -> tensor<3x32xf4E2M1FN>, tensor<3x1xf8E8M0FNU>, tensor<f32>
  return %v, %bs, %ts : tensor<3x32xf4E2M1FN>, tensor<3x1xf8E8M0FNU>, tensor<f32>
}

// -----

// fp4e2m1b, two 1x16 blocks of a rank-1 tensor; the tensor scale is 1.
//  * Block 0 (amax 6): d = 1 + 1e-9 = 1.0 in f32, so value = E2M1(x) (same
//    ties as above; -0.25 -> -0).
//  * Block 1 (amax 6e-9): here the 1e-9 matters: d = 1e-9 + 1e-9 = f32(2e-9),
//    and 6e-9 -> 3, 3e-9 -> 1.5, 1e-9 -> 0.5, -6e-9 -> -3, 4e-9 -> 2,
//    2.2e-9 -> 1.1 -> 1.

// CHECK-LABEL: func.func @fold_fp4e2m1b
// CHECK-DAG: %[[V:.*]] = arith.constant dense<[6.000000e+00, 1.000000e+00, 2.000000e+00, 4.000000e+00, -5.000000e-01, -0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 3.000000e+00, 1.500000e+00, 5.000000e-01, -3.000000e+00, 2.000000e+00, 1.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<32xf4E2M1FN>
// CHECK-DAG: %[[BS:.*]] = arith.constant dense<[1.000000e+00, 2.000000e-09]> : tensor<2xf32>
// CHECK-DAG: %[[TS:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NOT: metis.quantize
// CHECK: return %[[V]], %[[BS]], %[[TS]]
func.func @fold_fp4e2m1b() -> (tensor<32xf4E2M1FN>, tensor<2xf32>, tensor<f32>) {
  %x = arith.constant dense<[6.0, 1.25, 2.5, 5.0, -0.3, -0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                             6.0e-09, 3.0e-09, 1.0e-09, -6.0e-09, 4.0e-09, 2.2e-09, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]> : tensor<32xf32>
  %v, %bs, %ts = metis.quantize %x {axis = 0 : i64, format = #metis.format<fp4e2m1b>}
      : tensor<32xf32> -> tensor<32xf4E2M1FN>, tensor<2xf32>, tensor<f32>
  return %v, %bs, %ts : tensor<32xf4E2M1FN>, tensor<2xf32>, tensor<f32>
}

// -----

// nvfp4 with 16x16 tiles on a 16x32 input, blocked along axis 1: two tiles,
// columns 0-15 (amax 6, scale 448, e = 1) and columns 16-31 (amax 1, scale
// 72, e = 6.222). Every row repeats its tiles' scales, even rows whose own
// 1x16 block has a smaller amax (row 1, columns 16-31: 0.25 alone would give
// the scale E4M3(0.25 / 6 * 448) = 18). Nonzero inputs -> values:
//   (0, 0) 6 -> 6, (2, 1) 1.25 -> 1 (tile 0);
//   (0, 16) 0.5 -> 3.11 -> 3, (1, 16) 0.25 -> 1.56 -> 1.5,
//   (3, 17) -0.5 -> -3, (15, 31) 1 -> 6 (tile 1).
// The 512 values are printed as hex, one byte per element holding the E2M1
// code (sign 0x8; 1 = 0.5, 2 = 1, 3 = 1.5, 5 = 3, 7 = 6).

// CHECK-LABEL: func.func @fold_nvfp4_tiles_axis1
// CHECK-DAG: %[[V:.*]] = arith.constant dense<"0x07000000000000000000000000000000050000000000000000000000000000000000000000000000000000000000000003000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000D0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007"> : tensor<16x32xf4E2M1FN>
// CHECK-DAG: %[[BS:.*]] = arith.constant dense<{{\[\[}}4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01], [4.480000e+02, 7.200000e+01]]> : tensor<16x2xf8E4M3FN>
// CHECK-DAG: %[[TS:.*]] = arith.constant dense<0.00223214296> : tensor<f32>
// CHECK-NOT: metis.quantize
// CHECK: return %[[V]], %[[BS]], %[[TS]]
func.func @fold_nvfp4_tiles_axis1() -> (tensor<16x32xf4E2M1FN>, tensor<16x2xf8E4M3FN>, tensor<f32>) {
  %x = arith.constant dense<[[6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 1.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]]> : tensor<16x32xf32>
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<16x32xf32> -> tensor<16x32xf4E2M1FN>, tensor<16x2xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<16x32xf4E2M1FN>, tensor<16x2xf8E4M3FN>, tensor<f32>
}

// -----

// The transpose of the input above, blocked along axis 0: a weight and its
// transpose quantize identically with 16x16 tiles (values transposed, scales
// in the per-row layout of axis 0: row 0 all 448, row 1 all 72).

// CHECK-LABEL: func.func @fold_nvfp4_tiles_axis0
// CHECK-DAG: %[[V:.*]] = arith.constant dense<"0x07000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000050300000000000000000000000000000000000D0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007"> : tensor<32x16xf4E2M1FN>
// CHECK-DAG: %[[BS:.*]] = arith.constant dense<{{\[\[}}4.480000e+02, 4.480000e+02, 4.480000e+02, 4.480000e+02, 4.480000e+02, 4.480000e+02, 4.480000e+02, 4.480000e+02, 4.480000e+02, 4.480000e+02, 4.480000e+02, 4.480000e+02, 4.480000e+02, 4.480000e+02, 4.480000e+02, 4.480000e+02], [7.200000e+01, 7.200000e+01, 7.200000e+01, 7.200000e+01, 7.200000e+01, 7.200000e+01, 7.200000e+01, 7.200000e+01, 7.200000e+01, 7.200000e+01, 7.200000e+01, 7.200000e+01, 7.200000e+01, 7.200000e+01, 7.200000e+01, 7.200000e+01]]> : tensor<2x16xf8E4M3FN>
// CHECK-DAG: %[[TS:.*]] = arith.constant dense<0.00223214296> : tensor<f32>
// CHECK-NOT: metis.quantize
// CHECK: return %[[V]], %[[BS]], %[[TS]]
func.func @fold_nvfp4_tiles_axis0() -> (tensor<32x16xf4E2M1FN>, tensor<2x16xf8E4M3FN>, tensor<f32>) {
  %x = arith.constant dense<[[6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 1.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.5, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]]> : tensor<32x16xf32>
  %v, %bs, %ts = metis.quantize %x {axis = 0 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<32x16xf32> -> tensor<32x16xf4E2M1FN>, tensor<2x16xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<32x16xf4E2M1FN>, tensor<2x16xf8E4M3FN>, tensor<f32>
}

// -----

// Stochastic rounding is not folded, even of a constant: its random bits
// belong to the lowering.

// CHECK-LABEL: func.func @no_fold_stochastic
// CHECK-SAME: (%[[SEED:.*]]: i64)
// CHECK: %[[X:.*]] = arith.constant dense<{{.*}}> : tensor<16xf32>
// CHECK: %[[V:.*]], %[[BS:.*]], %[[TS:.*]] = metis.quantize %[[X]] seed %[[SEED]] {axis = 0 : i64, format = #metis.format<nvfp4>, rounding = #metis.rounding<stochastic>}
// CHECK: return %[[V]], %[[BS]], %[[TS]]
func.func @no_fold_stochastic(%seed: i64) -> (tensor<16xf4E2M1FN>, tensor<1xf8E4M3FN>, tensor<f32>) {
  %x = arith.constant dense<[6.0, 1.25, 2.5, 5.0, -0.3, 0.75, 1.75, 3.5, 0.25, -6.0, 0.0, -1.0, 4.0, 3.0, 0.5, -2.0]> : tensor<16xf32>
  %v, %bs, %ts = metis.quantize %x seed %seed {axis = 0 : i64, format = #metis.format<nvfp4>,
                                               rounding = #metis.rounding<stochastic>}
      : tensor<16xf32> -> tensor<16xf4E2M1FN>, tensor<1xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<16xf4E2M1FN>, tensor<1xf8E4M3FN>, tensor<f32>
}

// -----

// CHECK-LABEL: func.func @no_fold_non_constant
// CHECK-SAME: (%[[X:.*]]: tensor<4x32xf32>)
// CHECK-NOT: arith.constant
// CHECK: %[[V:.*]], %[[BS:.*]], %[[TS:.*]] = metis.quantize %[[X]] {axis = 1 : i64, format = #metis.format<mxfp4>}
// CHECK: return %[[V]], %[[BS]], %[[TS]]
func.func @no_fold_non_constant(%x: tensor<4x32xf32>) -> (tensor<4x32xf4E2M1FN>, tensor<4x1xf8E8M0FNU>, tensor<f32>) {
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<mxfp4>}
      : tensor<4x32xf32> -> tensor<4x32xf4E2M1FN>, tensor<4x1xf8E8M0FNU>, tensor<f32>
  return %v, %bs, %ts : tensor<4x32xf4E2M1FN>, tensor<4x1xf8E8M0FNU>, tensor<f32>
}

// -----

// A constant input with dynamically shaped results is not folded (a folded
// constant needs a static type).

// CHECK-LABEL: func.func @no_fold_dynamic_result
// CHECK: %[[X:.*]] = arith.constant dense<1.000000e+00> : tensor<2x16xf32>
// CHECK: %[[V:.*]], %[[BS:.*]], %{{.*}} = metis.quantize %[[X]] {axis = 1 : i64, format = #metis.format<fp4e2m1b>} : tensor<2x16xf32> -> tensor<?x16xf4E2M1FN>, tensor<?x1xf32>, tensor<f32>
// CHECK: return %[[V]], %[[BS]]
func.func @no_fold_dynamic_result() -> (tensor<?x16xf4E2M1FN>, tensor<?x1xf32>) {
  %x = arith.constant dense<1.0> : tensor<2x16xf32>
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<fp4e2m1b>}
      : tensor<2x16xf32> -> tensor<?x16xf4E2M1FN>, tensor<?x1xf32>, tensor<f32>
  return %v, %bs : tensor<?x16xf4E2M1FN>, tensor<?x1xf32>
}

// -----

// dequantize(quantize(x)) is not x: it is the quantization error the dialect
// exists to model, so the pair must survive canonicalization.

// CHECK-LABEL: func.func @no_fold_dequantize_quantize
// CHECK-SAME: (%[[X:.*]]: tensor<64x64xf32>)
// CHECK: %[[V:.*]], %[[BS:.*]], %[[TS:.*]] = metis.quantize %[[X]] {axis = 1 : i64, format = #metis.format<nvfp4>}
// CHECK: %[[Y:.*]] = metis.dequantize %[[V]], %[[BS]], %[[TS]] {axis = 1 : i64, format = #metis.format<nvfp4>}
// CHECK: return %[[Y]] : tensor<64x64xf32>
func.func @no_fold_dequantize_quantize(%x: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32>
  %y = metis.dequantize %v, %bs, %ts {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32> -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// -----

// With a constant input both ops fold, and the result is the quantized
// tensor, not x: value * f32(block_scale * tensor_scale). Row 0 decodes with
// f32(448 * ts) = 1.0 (so 1.25 comes back as 1, -0.3 as -0.5, ...); row 1
// with f32(72 * ts) = 0.160714298 (6 -> 0.96428579, 3 -> 0.482142895, ...).

// CHECK-LABEL: func.func @fold_dequantize_quantize_constant
// CHECK-NOT: metis.
// CHECK: %[[Y:.*]] = arith.constant dense<{{\[\[}}6.000000e+00, 1.000000e+00, 2.000000e+00, 4.000000e+00, -5.000000e-01, 1.000000e+00, 2.000000e+00, 4.000000e+00, 0.000000e+00, -6.000000e+00, 0.000000e+00, -1.000000e+00, 4.000000e+00, 3.000000e+00, 5.000000e-01, -2.000000e+00], [0.96428579, 0.482142895, 0.241071448, -0.642857194, 0.0803571492, -0.96428579, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.160714298]]> : tensor<2x16xf32>
// CHECK-NOT: metis.
// CHECK: return %[[Y]] : tensor<2x16xf32>
func.func @fold_dequantize_quantize_constant() -> tensor<2x16xf32> {
  %x = arith.constant dense<[
    [6.0, 1.25, 2.5, 5.0, -0.3, 0.75, 1.75, 3.5, 0.25, -6.0, 0.0, -1.0, 4.0, 3.0, 0.5, -2.0],
    [1.0, 0.5, 0.25, -0.75, 0.1, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.125]]> : tensor<2x16xf32>
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<2x16xf32> -> tensor<2x16xf4E2M1FN>, tensor<2x1xf8E4M3FN>, tensor<f32>
  %y = metis.dequantize %v, %bs, %ts {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<2x16xf4E2M1FN>, tensor<2x1xf8E4M3FN>, tensor<f32> -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}
