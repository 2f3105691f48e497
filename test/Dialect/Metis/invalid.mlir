// RUN: metis-opt %s -split-input-file -verify-diagnostics

// Verifier and parser errors of the metis dialect: one section per message
// (or per branch that produces a different message) of MetisOps.cpp and
// MetisAttrs.cpp, plus a few ODS type constraints.

//===----------------------------------------------------------------------===//
// #metis.format
//===----------------------------------------------------------------------===//

// expected-error@+1 {{unknown format 'foo' (expected nvfp4, mxfp4 or fp4e2m1b)}}
func.func @format_unknown() attributes {metis.f = #metis.format<foo>} {
  return
}

// -----

// The block shape is RxB: a bare block size is not accepted.
// expected-error@+1 {{expected a block shape RxB with two extents}}
func.func @format_one_extent() attributes {metis.f = #metis.format<nvfp4, 16>} {
  return
}

// -----

// expected-error@+1 {{expected a block shape RxB with two extents}}
func.func @format_three_extents() attributes {metis.f = #metis.format<nvfp4, 1x16x16>} {
  return
}

// -----

// NVFP4 hardware scales 16-element blocks; 16x16 tiles make a weight and its
// transpose quantize identically.
// expected-error@+1 {{block shape 1x32 is not supported by nvfp4 (supported: 1x16, 16x16)}}
func.func @format_nvfp4_block() attributes {metis.f = #metis.format<nvfp4, 1x32>} {
  return
}

// -----

// expected-error@+1 {{block shape 32x16 is not supported by nvfp4 (supported: 1x16, 16x16)}}
func.func @format_nvfp4_tile() attributes {metis.f = #metis.format<nvfp4, 32x16>} {
  return
}

// -----

// OCP MX fixes the block size at 32.
// expected-error@+1 {{block shape 1x16 is not supported by mxfp4 (supported: 1x32)}}
func.func @format_mxfp4_block() attributes {metis.f = #metis.format<mxfp4, 1x16>} {
  return
}

// -----

// expected-error@+1 {{block shape 16x32 is not supported by mxfp4 (supported: 1x32)}}
func.func @format_mxfp4_tile() attributes {metis.f = #metis.format<mxfp4, 16x32>} {
  return
}

// -----

// The reference code's format only has 1x16 blocks.
// expected-error@+1 {{block shape 16x16 is not supported by fp4e2m1b (supported: 1x16)}}
func.func @format_fp4e2m1b_tile() attributes {metis.f = #metis.format<fp4e2m1b, 16x16>} {
  return
}

// -----

//===----------------------------------------------------------------------===//
// #metis.split
//===----------------------------------------------------------------------===//

// expected-error@+1 {{split rank must be at least 1, got 0}}
func.func @split_rank_zero() attributes {metis.s = #metis.split<rank = 0>} {
  return
}

// -----

// expected-error@+1 {{oversample must be non-negative, got -1}}
func.func @split_negative_oversample() attributes {metis.s = #metis.split<rank = 4, oversample = -1>} {
  return
}

// -----

// expected-error@+1 {{power_iters must be non-negative, got -2}}
func.func @split_negative_power_iters() attributes {metis.s = #metis.split<rank = 4, power_iters = -2>} {
  return
}

// -----

//===----------------------------------------------------------------------===//
// metis.quantize
//===----------------------------------------------------------------------===//

func.func @quantize_axis_too_large(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op axis 2 is out of range for the 2-D input}}
  %v, %bs, %ts = metis.quantize %x {axis = 2 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32>
  return
}

// -----

// Axes are not counted from the back.
func.func @quantize_axis_negative(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op axis -1 is out of range for the 2-D input}}
  %v, %bs, %ts = metis.quantize %x {axis = -1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32>
  return
}

// -----

// There is no implicit padding of the last block.
func.func @quantize_not_multiple(%x: tensor<64x40xf32>) {
  // expected-error@+1 {{'metis.quantize' op size 40 of the blocked axis 1 of the input is not a multiple of the block size 16 (pad it explicitly)}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x40xf32> -> tensor<64x40xf4E2M1FN>, tensor<64x2xf8E4M3FN>, tensor<f32>
  return
}

// -----

func.func @quantize_mxfp4_not_multiple(%x: tensor<48x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op size 48 of the blocked axis 0 of the input is not a multiple of the block size 32 (pad it explicitly)}}
  %v, %bs, %ts = metis.quantize %x {axis = 0 : i64, format = #metis.format<mxfp4>}
      : tensor<48x64xf32> -> tensor<48x64xf4E2M1FN>, tensor<1x64xf8E8M0FNU>, tensor<f32>
  return
}

// -----

// A tile spans two axes, so it needs exactly two.
func.func @quantize_tiles_rank3(%x: tensor<2x16x16xf32>) {
  // expected-error@+1 {{'metis.quantize' op 16x16 tiles need a 2-D input, got rank 3}}
  %v, %bs, %ts = metis.quantize %x {axis = 2 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<2x16x16xf32> -> tensor<2x16x16xf4E2M1FN>, tensor<2x16x1xf8E4M3FN>, tensor<f32>
  return
}

// -----

func.func @quantize_tiles_rank1(%x: tensor<64xf32>) {
  // expected-error@+1 {{'metis.quantize' op 16x16 tiles need a 2-D input, got rank 1}}
  %v, %bs, %ts = metis.quantize %x {axis = 0 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<64xf32> -> tensor<64xf4E2M1FN>, tensor<4xf8E4M3FN>, tensor<f32>
  return
}

// -----

// Tiles also divide the other dimension (here dimension 0, axis = 1).
func.func @quantize_tiles_other_dim0(%x: tensor<24x32xf32>) {
  // expected-error@+1 {{'metis.quantize' op size 24 of dimension 0 of the input is not a multiple of the tile height 16}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<24x32xf32> -> tensor<24x32xf4E2M1FN>, tensor<24x2xf8E4M3FN>, tensor<f32>
  return
}

// -----

func.func @quantize_tiles_other_dim1(%x: tensor<32x8xf32>) {
  // expected-error@+1 {{'metis.quantize' op size 8 of dimension 1 of the input is not a multiple of the tile height 16}}
  %v, %bs, %ts = metis.quantize %x {axis = 0 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<32x8xf32> -> tensor<32x8xf4E2M1FN>, tensor<2x8xf8E4M3FN>, tensor<f32>
  return
}

// -----

func.func @quantize_values_shape(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op values must have the input's shape [64, 64], got [64, 32]}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x32xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32>
  return
}

// -----

// Each format has one block-scale element type (E4M3 for NVFP4).
func.func @quantize_nvfp4_scale_type(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op the block scales must have element type 'f8E4M3FN' for #metis.format<nvfp4>, got 'f32'}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<64x4xf32>, tensor<f32>
  return
}

// -----

// MXFP4 scales are powers of two (E8M0).
func.func @quantize_mxfp4_scale_type(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op the block scales must have element type 'f8E8M0FNU' for #metis.format<mxfp4>, got 'f8E4M3FN'}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<mxfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<64x2xf8E4M3FN>, tensor<f32>
  return
}

// -----

func.func @quantize_fp4e2m1b_scale_type(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op the block scales must have element type 'f32' for #metis.format<fp4e2m1b>, got 'f8E8M0FNU'}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<fp4e2m1b>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<64x4xf8E8M0FNU>, tensor<f32>
  return
}

// -----

func.func @quantize_scale_shape(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op the block scales must have shape [64, 4] (dimension 1 divided by the block size 16), got [4, 64]}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<4x64xf8E4M3FN>, tensor<f32>
  return
}

// -----

// 16x16 tiles keep the per-row layout: one scale per row and 16 columns, not
// one per tile.
func.func @quantize_tiles_scale_shape(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op the block scales must have shape [64, 4] (dimension 1 divided by the block size 16), got [4, 4]}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<4x4xf8E4M3FN>, tensor<f32>
  return
}

// -----

func.func @quantize_scale_rank(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op the block scales must have shape [64, 4] (dimension 1 divided by the block size 16), got [256]}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<256xf8E4M3FN>, tensor<f32>
  return
}

// -----

func.func @quantize_stochastic_no_seed(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op stochastic rounding needs a seed operand}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>,
                                    rounding = #metis.rounding<stochastic>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32>
  return
}

// -----

// A seed with RNE would be silently ignored; it is rejected instead.
func.func @quantize_rne_seed(%x: tensor<64x64xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.quantize' op a seed is only meaningful with stochastic rounding}}
  %v, %bs, %ts = metis.quantize %x seed %seed {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32>
  return
}

// -----

// ODS constraints of metis.quantize.

func.func @quantize_values_not_fp4(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op result #0 must be ranked tensor of f4E2M1FN type values}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf8E4M3FN>, tensor<64x4xf8E4M3FN>, tensor<f32>
  return
}

// -----

func.func @quantize_tensor_scale_not_0d(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op result #2 must be 0D tensor of 32-bit float values}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<1xf32>
  return
}

// -----

func.func @quantize_tensor_scale_not_f32(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op result #2 must be 0D tensor of 32-bit float values}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<bf16>
  return
}

// -----

func.func @quantize_scale_elt_not_allowed(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op result #1 must be ranked tensor of f8E4M3FN type or f8E8M0FNU type or 32-bit float values}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<64x4xf16>, tensor<f32>
  return
}

// -----

func.func @quantize_input_f8(%x: tensor<64x64xf8E4M3FN>) {
  // expected-error@+1 {{'metis.quantize' op operand #0 must be ranked tensor of 32-bit float or bfloat16 type or 16-bit float values, but got 'tensor<64x64xf8E4M3FN>'}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf8E4M3FN> -> tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32>
  return
}

// -----

// A 0-d tensor has no axis to block.
func.func @quantize_input_0d(%x: tensor<f32>) {
  // expected-error@+1 {{'metis.quantize' op axis 0 is out of range for the 0-D input}}
  %v, %bs, %ts = metis.quantize %x {axis = 0 : i64, format = #metis.format<nvfp4>}
      : tensor<f32> -> tensor<f4E2M1FN>, tensor<f8E4M3FN>, tensor<f32>
  return
}

// -----

func.func @quantize_axis_not_i64(%x: tensor<64x64xf32>) {
  // expected-error@+1 {{'metis.quantize' op attribute 'axis' failed to satisfy constraint: 64-bit signless integer attribute}}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i32, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// metis.dequantize
//===----------------------------------------------------------------------===//

func.func @dequantize_axis(%v: tensor<64x64xf4E2M1FN>, %bs: tensor<64x4xf8E4M3FN>, %ts: tensor<f32>) {
  // expected-error@+1 {{'metis.dequantize' op axis 3 is out of range for the 2-D values}}
  %y = metis.dequantize %v, %bs, %ts {axis = 3 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32> -> tensor<64x64xf32>
  return
}

// -----

func.func @dequantize_not_multiple(%v: tensor<64x48xf4E2M1FN>, %bs: tensor<64x1xf8E8M0FNU>, %ts: tensor<f32>) {
  // expected-error@+1 {{'metis.dequantize' op size 48 of the blocked axis 1 of the values is not a multiple of the block size 32 (pad it explicitly)}}
  %y = metis.dequantize %v, %bs, %ts {axis = 1 : i64, format = #metis.format<mxfp4>}
      : tensor<64x48xf4E2M1FN>, tensor<64x1xf8E8M0FNU>, tensor<f32> -> tensor<64x48xf32>
  return
}

// -----

func.func @dequantize_tiles_rank(%v: tensor<2x16x16xf4E2M1FN>, %bs: tensor<2x16x1xf8E4M3FN>, %ts: tensor<f32>) {
  // expected-error@+1 {{'metis.dequantize' op 16x16 tiles need a 2-D values, got rank 3}}
  %y = metis.dequantize %v, %bs, %ts {axis = 2 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<2x16x16xf4E2M1FN>, tensor<2x16x1xf8E4M3FN>, tensor<f32> -> tensor<2x16x16xf32>
  return
}

// -----

func.func @dequantize_tiles_other_dim(%v: tensor<8x32xf4E2M1FN>, %bs: tensor<8x2xf8E4M3FN>, %ts: tensor<f32>) {
  // expected-error@+1 {{'metis.dequantize' op size 8 of dimension 0 of the values is not a multiple of the tile height 16}}
  %y = metis.dequantize %v, %bs, %ts {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<8x32xf4E2M1FN>, tensor<8x2xf8E4M3FN>, tensor<f32> -> tensor<8x32xf32>
  return
}

// -----

func.func @dequantize_scale_type(%v: tensor<64x64xf4E2M1FN>, %bs: tensor<64x4xf8E4M3FN>, %ts: tensor<f32>) {
  // expected-error@+1 {{'metis.dequantize' op the block scales must have element type 'f32' for #metis.format<fp4e2m1b>, got 'f8E4M3FN'}}
  %y = metis.dequantize %v, %bs, %ts {axis = 1 : i64, format = #metis.format<fp4e2m1b>}
      : tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32> -> tensor<64x64xf32>
  return
}

// -----

func.func @dequantize_scale_shape(%v: tensor<64x64xf4E2M1FN>, %bs: tensor<64x4xf8E4M3FN>, %ts: tensor<f32>) {
  // expected-error@+1 {{'metis.dequantize' op the block scales must have shape [4, 64] (dimension 0 divided by the block size 16), got [64, 4]}}
  %y = metis.dequantize %v, %bs, %ts {axis = 0 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32> -> tensor<64x64xf32>
  return
}

// -----

func.func @dequantize_result_shape(%v: tensor<64x64xf4E2M1FN>, %bs: tensor<64x4xf8E4M3FN>, %ts: tensor<f32>) {
  // expected-error@+1 {{'metis.dequantize' op result must have the shape of the values [64, 64], got [64, 65]}}
  %y = metis.dequantize %v, %bs, %ts {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32> -> tensor<64x65xf32>
  return
}

// -----

func.func @dequantize_result_type(%v: tensor<64x64xf4E2M1FN>, %bs: tensor<64x4xf8E4M3FN>, %ts: tensor<f32>) {
  // expected-error@+1 {{'metis.dequantize' op result #0 must be ranked tensor of 32-bit float or bfloat16 type or 16-bit float values, but got 'tensor<64x64xf64>'}}
  %y = metis.dequantize %v, %bs, %ts {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32> -> tensor<64x64xf64>
  return
}

// -----

//===----------------------------------------------------------------------===//
// metis.scaled_matmul
//===----------------------------------------------------------------------===//

func.func @scaled_matmul_rank_mismatch(%a: tensor<2x64x128xf4E2M1FN>, %as: tensor<2x64x8xf8E4M3FN>, %at: tensor<f32>,
                                       %b: tensor<32x128xf4E2M1FN>, %bs: tensor<32x8xf8E4M3FN>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op operands must both be 2-D (M x K, N x K) or both 3-D with a leading batch dimension, got ranks 3 and 2}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<2x64x128xf4E2M1FN>, tensor<2x64x8xf8E4M3FN>, tensor<f32>,
        tensor<32x128xf4E2M1FN>, tensor<32x8xf8E4M3FN>, tensor<f32> -> tensor<2x64x32xf32>
  return
}

// -----

func.func @scaled_matmul_rank1(%a: tensor<128xf4E2M1FN>, %as: tensor<8xf8E4M3FN>, %at: tensor<f32>,
                               %b: tensor<128xf4E2M1FN>, %bs: tensor<8xf8E4M3FN>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op operands must both be 2-D (M x K, N x K) or both 3-D with a leading batch dimension, got ranks 1 and 1}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<128xf4E2M1FN>, tensor<8xf8E4M3FN>, tensor<f32>,
        tensor<128xf4E2M1FN>, tensor<8xf8E4M3FN>, tensor<f32> -> tensor<f32>
  return
}

// -----

// Both operands are quantized along K (the "row.col" form): B is N x K.
func.func @scaled_matmul_k_mismatch(%a: tensor<64x128xf4E2M1FN>, %as: tensor<64x8xf8E4M3FN>, %at: tensor<f32>,
                                    %b: tensor<128x32xf4E2M1FN>, %bs: tensor<128x2xf8E4M3FN>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op reduction sizes differ: lhs [64, 128] and rhs [128, 32] must agree in their last dimension (K)}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>,
        tensor<128x32xf4E2M1FN>, tensor<128x2xf8E4M3FN>, tensor<f32> -> tensor<64x128xf32>
  return
}

// -----

func.func @scaled_matmul_batch_mismatch(%a: tensor<2x64x128xf4E2M1FN>, %as: tensor<2x64x8xf8E4M3FN>, %at: tensor<f32>,
                                        %b: tensor<3x32x128xf4E2M1FN>, %bs: tensor<3x32x8xf8E4M3FN>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op batch sizes differ: 2 vs 3}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<2x64x128xf4E2M1FN>, tensor<2x64x8xf8E4M3FN>, tensor<f32>,
        tensor<3x32x128xf4E2M1FN>, tensor<3x32x8xf8E4M3FN>, tensor<f32> -> tensor<2x64x32xf32>
  return
}

// -----

// The result is M x N (C = A·Bᵀ), not M x K.
func.func @scaled_matmul_result_shape(%a: tensor<64x128xf4E2M1FN>, %as: tensor<64x8xf8E4M3FN>, %at: tensor<f32>,
                                      %b: tensor<32x128xf4E2M1FN>, %bs: tensor<32x8xf8E4M3FN>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op result must have shape [64, 32], got [64, 128]}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>,
        tensor<32x128xf4E2M1FN>, tensor<32x8xf8E4M3FN>, tensor<f32> -> tensor<64x128xf32>
  return
}

// -----

// With a dynamic batch on lhs, the expected batch comes from rhs.
func.func @scaled_matmul_result_batch(%a: tensor<?x64x128xf4E2M1FN>, %as: tensor<?x64x8xf8E4M3FN>, %at: tensor<f32>,
                                      %b: tensor<4x32x128xf4E2M1FN>, %bs: tensor<4x32x8xf8E4M3FN>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op result must have shape [4, 64, 32], got [2, 64, 32]}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<?x64x128xf4E2M1FN>, tensor<?x64x8xf8E4M3FN>, tensor<f32>,
        tensor<4x32x128xf4E2M1FN>, tensor<4x32x8xf8E4M3FN>, tensor<f32> -> tensor<2x64x32xf32>
  return
}

// -----

// Operands quantized with 16x16 tiles have the per-row scale layout, so the
// matmul only needs (and only accepts) the 1-D block format.
func.func @scaled_matmul_tiled(%a: tensor<64x128xf4E2M1FN>, %as: tensor<64x8xf8E4M3FN>, %at: tensor<f32>,
                               %b: tensor<32x128xf4E2M1FN>, %bs: tensor<32x8xf8E4M3FN>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op expects a 1-D block format: operands quantized with #metis.format<nvfp4, 16x16> use the per-row scale layout; pass the format without the tile shape}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4, 16x16>}
      : tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>,
        tensor<32x128xf4E2M1FN>, tensor<32x8xf8E4M3FN>, tensor<f32> -> tensor<64x32xf32>
  return
}

// -----

func.func @scaled_matmul_lhs_not_multiple(%a: tensor<64x48xf4E2M1FN>, %as: tensor<64x1xf8E8M0FNU>, %at: tensor<f32>,
                                          %b: tensor<32x48xf4E2M1FN>, %bs: tensor<32x1xf8E8M0FNU>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op size 48 of the blocked axis 1 of the lhs is not a multiple of the block size 32 (pad it explicitly)}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<mxfp4>}
      : tensor<64x48xf4E2M1FN>, tensor<64x1xf8E8M0FNU>, tensor<f32>,
        tensor<32x48xf4E2M1FN>, tensor<32x1xf8E8M0FNU>, tensor<f32> -> tensor<64x32xf32>
  return
}

// -----

// K is dynamic on lhs, so only the static K of rhs is checked.
func.func @scaled_matmul_rhs_not_multiple(%a: tensor<64x?xf4E2M1FN>, %as: tensor<64x?xf8E8M0FNU>, %at: tensor<f32>,
                                          %b: tensor<32x48xf4E2M1FN>, %bs: tensor<32x1xf8E8M0FNU>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op size 48 of the blocked axis 1 of the rhs is not a multiple of the block size 32 (pad it explicitly)}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<mxfp4>}
      : tensor<64x?xf4E2M1FN>, tensor<64x?xf8E8M0FNU>, tensor<f32>,
        tensor<32x48xf4E2M1FN>, tensor<32x1xf8E8M0FNU>, tensor<f32> -> tensor<64x32xf32>
  return
}

// -----

func.func @scaled_matmul_lhs_scale_type(%a: tensor<64x128xf4E2M1FN>, %as: tensor<64x4xf8E4M3FN>, %at: tensor<f32>,
                                        %b: tensor<32x128xf4E2M1FN>, %bs: tensor<32x4xf8E8M0FNU>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op lhs block scales must have element type 'f8E8M0FNU' for #metis.format<mxfp4>, got 'f8E4M3FN'}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<mxfp4>}
      : tensor<64x128xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32>,
        tensor<32x128xf4E2M1FN>, tensor<32x4xf8E8M0FNU>, tensor<f32> -> tensor<64x32xf32>
  return
}

// -----

// The tensor-core instructions take one scale kind for both operands, so an
// NVFP4 lhs cannot meet an MXFP4 (E8M0-scaled) rhs.
func.func @scaled_matmul_rhs_scale_type(%a: tensor<64x128xf4E2M1FN>, %as: tensor<64x8xf8E4M3FN>, %at: tensor<f32>,
                                        %b: tensor<32x128xf4E2M1FN>, %bs: tensor<32x8xf8E8M0FNU>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op rhs block scales must have element type 'f8E4M3FN' for #metis.format<nvfp4>, got 'f8E8M0FNU'}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>,
        tensor<32x128xf4E2M1FN>, tensor<32x8xf8E8M0FNU>, tensor<f32> -> tensor<64x32xf32>
  return
}

// -----

func.func @scaled_matmul_lhs_scale_shape(%a: tensor<64x128xf4E2M1FN>, %as: tensor<64x4xf8E4M3FN>, %at: tensor<f32>,
                                         %b: tensor<32x128xf4E2M1FN>, %bs: tensor<32x8xf8E4M3FN>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op lhs block scales must have shape [64, 8] (dimension 1 divided by the block size 16), got [64, 4]}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<64x128xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32>,
        tensor<32x128xf4E2M1FN>, tensor<32x8xf8E4M3FN>, tensor<f32> -> tensor<64x32xf32>
  return
}

// -----

func.func @scaled_matmul_rhs_scale_shape(%a: tensor<2x64x128xf4E2M1FN>, %as: tensor<2x64x8xf32>, %at: tensor<f32>,
                                         %b: tensor<2x32x128xf4E2M1FN>, %bs: tensor<32x8xf32>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op rhs block scales must have shape [2, 32, 8] (dimension 2 divided by the block size 16), got [32, 8]}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<fp4e2m1b>}
      : tensor<2x64x128xf4E2M1FN>, tensor<2x64x8xf32>, tensor<f32>,
        tensor<2x32x128xf4E2M1FN>, tensor<32x8xf32>, tensor<f32> -> tensor<2x64x32xf32>
  return
}

// -----

// ODS constraints of metis.scaled_matmul.

func.func @scaled_matmul_result_f16(%a: tensor<64x128xf4E2M1FN>, %as: tensor<64x8xf8E4M3FN>, %at: tensor<f32>,
                                    %b: tensor<32x128xf4E2M1FN>, %bs: tensor<32x8xf8E4M3FN>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op result #0 must be ranked tensor of 32-bit float or bfloat16 type values}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>,
        tensor<32x128xf4E2M1FN>, tensor<32x8xf8E4M3FN>, tensor<f32> -> tensor<64x32xf16>
  return
}

// -----

func.func @scaled_matmul_lhs_not_fp4(%a: tensor<64x128xf8E4M3FN>, %as: tensor<64x8xf8E4M3FN>, %at: tensor<f32>,
                                     %b: tensor<32x128xf4E2M1FN>, %bs: tensor<32x8xf8E4M3FN>, %bt: tensor<f32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op operand #0 must be ranked tensor of f4E2M1FN type values}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<64x128xf8E4M3FN>, tensor<64x8xf8E4M3FN>, tensor<f32>,
        tensor<32x128xf4E2M1FN>, tensor<32x8xf8E4M3FN>, tensor<f32> -> tensor<64x32xf32>
  return
}

// -----

func.func @scaled_matmul_tensor_scale_not_0d(%a: tensor<64x128xf4E2M1FN>, %as: tensor<64x8xf8E4M3FN>, %at: tensor<f32>,
                                             %b: tensor<32x128xf4E2M1FN>, %bs: tensor<32x8xf8E4M3FN>, %bt: tensor<32xf32>) {
  // expected-error@+1 {{'metis.scaled_matmul' op operand #5 must be 0D tensor of 32-bit float values}}
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>,
        tensor<32x128xf4E2M1FN>, tensor<32x8xf8E4M3FN>, tensor<32xf32> -> tensor<64x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// metis.spectral_split
//===----------------------------------------------------------------------===//

func.func @spectral_split_rank3(%x: tensor<2x64x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_split' op expects a 2-D input, got rank 3}}
  %0:4 = metis.spectral_split %x seed %seed {rank = 8 : i64}
      : tensor<2x64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<2x64x128xf32>
  return
}

// -----

func.func @spectral_split_rank_zero(%x: tensor<64x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_split' op rank must be at least 1, got 0}}
  %0:4 = metis.spectral_split %x seed %seed {rank = 0 : i64}
      : tensor<64x128xf32> -> tensor<64x0xf32>, tensor<0xf32>, tensor<0x128xf32>, tensor<64x128xf32>
  return
}

// -----

func.func @spectral_split_negative_oversample(%x: tensor<64x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_split' op oversample must be non-negative, got -4}}
  %0:4 = metis.spectral_split %x seed %seed {oversample = -4 : i64, rank = 8 : i64}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  return
}

// -----

func.func @spectral_split_negative_power_iters(%x: tensor<64x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_split' op power_iters must be non-negative, got -1}}
  %0:4 = metis.spectral_split %x seed %seed {power_iters = -1 : i64, rank = 8 : i64}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  return
}

// -----

// A full-rank "split" would leave no residual and is not low-rank.
func.func @spectral_split_rank_too_large(%x: tensor<64x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_split' op rank 64 must be smaller than min(M, N) = 64 for a 64x128 input}}
  %0:4 = metis.spectral_split %x seed %seed {rank = 64 : i64}
      : tensor<64x128xf32> -> tensor<64x64xf32>, tensor<64xf32>, tensor<64x128xf32>, tensor<64x128xf32>
  return
}

// -----

func.func @spectral_split_u_shape(%x: tensor<64x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_split' op u must have shape [64, 8], got [8, 64]}}
  %0:4 = metis.spectral_split %x seed %seed {rank = 8 : i64}
      : tensor<64x128xf32> -> tensor<8x64xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  return
}

// -----

func.func @spectral_split_s_shape(%x: tensor<64x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_split' op s must have shape [8], got [8, 8]}}
  %0:4 = metis.spectral_split %x seed %seed {rank = 8 : i64}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8x8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  return
}

// -----

func.func @spectral_split_vt_shape(%x: tensor<64x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_split' op vt must have shape [8, 128], got [128, 8]}}
  %0:4 = metis.spectral_split %x seed %seed {rank = 8 : i64}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<128x8xf32>, tensor<64x128xf32>
  return
}

// -----

func.func @spectral_split_residual_shape(%x: tensor<64x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_split' op residual must have shape [64, 128], got [64, 8]}}
  %0:4 = metis.spectral_split %x seed %seed {rank = 8 : i64}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x8xf32>
  return
}

// -----

// The subspace result threads the warm start into the next step: one without
// the other is a dropped or invented subspace.
func.func @spectral_split_warm_start_without_subspace(%x: tensor<64x128xf32>, %seed: i64, %w: tensor<128x12xf32>) {
  // expected-error@+1 {{'metis.spectral_split' op a warm_start operand and a subspace result go together (got a warm_start without a subspace result)}}
  %0:4 = metis.spectral_split %x seed %seed warm_start %w : tensor<128x12xf32> {rank = 8 : i64}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  return
}

// -----

func.func @spectral_split_subspace_without_warm_start(%x: tensor<64x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_split' op a warm_start operand and a subspace result go together (got a subspace result without warm_start)}}
  %0:5 = metis.spectral_split %x seed %seed {rank = 8 : i64}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>, tensor<128x12xf32>
  return
}

// -----

// The warm start is N x l with l = min(rank + oversample, min(M, N)) = 12.
func.func @spectral_split_warm_start_shape(%x: tensor<64x128xf32>, %seed: i64, %w: tensor<128x8xf32>) {
  // expected-error@+1 {{'metis.spectral_split' op warm_start must have shape [128, 12], got [128, 8]}}
  %0:5 = metis.spectral_split %x seed %seed warm_start %w : tensor<128x8xf32> {rank = 8 : i64}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>, tensor<128x8xf32>
  return
}

// -----

// l is capped by min(M, N): rank 8 + oversample 60 on a 64x128 input gives 64.
func.func @spectral_split_warm_start_shape_capped(%x: tensor<64x128xf32>, %seed: i64, %w: tensor<128x68xf32>) {
  // expected-error@+1 {{'metis.spectral_split' op warm_start must have shape [128, 64], got [128, 68]}}
  %0:5 = metis.spectral_split %x seed %seed warm_start %w : tensor<128x68xf32> {oversample = 60 : i64, rank = 8 : i64}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>, tensor<128x68xf32>
  return
}

// -----

func.func @spectral_split_subspace_type(%x: tensor<64x128xf32>, %seed: i64, %w: tensor<128x?xf32>) {
  // expected-error@+1 {{'metis.spectral_split' op subspace result must have the type of warm_start, got 'tensor<128x12xf32>'}}
  %0:5 = metis.spectral_split %x seed %seed warm_start %w : tensor<128x?xf32> {rank = 8 : i64}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>, tensor<128x12xf32>
  return
}

// -----

// ODS constraints of metis.spectral_split: the decomposition is computed in
// f32, so the input is f32 or bf16 and every result is f32.

func.func @spectral_split_f16_input(%x: tensor<64x128xf16>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_split' op operand #0 must be ranked tensor of 32-bit float or bfloat16 type values}}
  %0:4 = metis.spectral_split %x seed %seed {rank = 8 : i64}
      : tensor<64x128xf16> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  return
}

// -----

func.func @spectral_split_bf16_result(%x: tensor<64x128xbf16>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_split' op result #0 must be ranked tensor of 32-bit float values}}
  %0:4 = metis.spectral_split %x seed %seed {rank = 8 : i64}
      : tensor<64x128xbf16> -> tensor<64x8xbf16>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  return
}

// -----

// The seed is an i64 (generic form: the custom form fixes its type).
func.func @spectral_split_i32_seed(%x: tensor<64x128xf32>, %seed: i32) {
  // expected-error@+1 {{'metis.spectral_split' op operand #1 must be 64-bit signless integer, but got 'i32'}}
  %0:4 = "metis.spectral_split"(%x, %seed) <{rank = 8 : i64}>
      : (tensor<64x128xf32>, i32) -> (tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// metis.spectral_matmul
//===----------------------------------------------------------------------===//

func.func @spectral_matmul_rank_mismatch(%x: tensor<4x64x128xf32>, %w: tensor<32x128xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op operands must both be 2-D (M x K, N x K) or both 3-D with a leading batch dimension, got ranks 3 and 2}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<4x64x128xf32>, tensor<32x128xf32> -> tensor<4x64x32xf32>
  return
}

// -----

func.func @spectral_matmul_rank4(%x: tensor<2x4x64x128xf32>, %w: tensor<2x4x32x128xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op operands must both be 2-D (M x K, N x K) or both 3-D with a leading batch dimension, got ranks 4 and 4}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<2x4x64x128xf32>, tensor<2x4x32x128xf32> -> tensor<2x4x64x32xf32>
  return
}

// -----

func.func @spectral_matmul_k_mismatch(%x: tensor<64x128xf32>, %w: tensor<32x64xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op reduction sizes differ: lhs [64, 128] and rhs [32, 64] must agree in their last dimension (K)}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<64x128xf32>, tensor<32x64xf32> -> tensor<64x32xf32>
  return
}

// -----

func.func @spectral_matmul_batch_mismatch(%x: tensor<4x64x128xf32>, %w: tensor<8x32x128xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op batch sizes differ: 4 vs 8}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<4x64x128xf32>, tensor<8x32x128xf32> -> tensor<4x64x32xf32>
  return
}

// -----

func.func @spectral_matmul_result_shape(%x: tensor<4x64x128xf32>, %w: tensor<4x32x128xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op result must have shape [4, 64, 32], got [64, 32]}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<4x64x128xf32>, tensor<4x32x128xf32> -> tensor<64x32xf32>
  return
}

// -----

// The FP4 tensor-core instruction takes one scale kind for both operands.
func.func @spectral_matmul_format_kind(%x: tensor<64x128xf32>, %w: tensor<32x128xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op operands must share one format kind and block size along K (the tensor-core instruction takes one scale kind), got #metis.format<nvfp4> and #metis.format<mxfp4>}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<mxfp4>>}
      : tensor<64x128xf32>, tensor<32x128xf32> -> tensor<64x32xf32>
  return
}

// -----

func.func @spectral_matmul_lhs_not_multiple(%x: tensor<64x40xf32>, %w: tensor<32x40xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op size 40 of the blocked axis 1 of the lhs is not a multiple of the block size 16 (pad it explicitly)}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<fp4e2m1b>>,
      rhs_policy = #metis.operand<format = #metis.format<fp4e2m1b>>}
      : tensor<64x40xf32>, tensor<32x40xf32> -> tensor<64x32xf32>
  return
}

// -----

func.func @spectral_matmul_rhs_not_multiple(%x: tensor<64x?xf32>, %w: tensor<32x40xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op size 40 of the blocked axis 1 of the rhs is not a multiple of the block size 16 (pad it explicitly)}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<fp4e2m1b>>,
      rhs_policy = #metis.operand<format = #metis.format<fp4e2m1b>>}
      : tensor<64x?xf32>, tensor<32x40xf32> -> tensor<64x32xf32>
  return
}

// -----

// 16x16 tiles on a batched operand.
func.func @spectral_matmul_tiles_rank3(%x: tensor<4x64x128xf32>, %w: tensor<4x32x128xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op 16x16 tiles need a 2-D rhs, got rank 3}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4, 16x16>>}
      : tensor<4x64x128xf32>, tensor<4x32x128xf32> -> tensor<4x64x32xf32>
  return
}

// -----

func.func @spectral_matmul_tiles_other_dim(%x: tensor<64x128xf32>, %w: tensor<40x128xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op size 40 of dimension 0 of the rhs is not a multiple of the tile height 16}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4, 16x16>>}
      : tensor<64x128xf32>, tensor<40x128xf32> -> tensor<64x40xf32>
  return
}

// -----

// The randomized SVD of a batch of matrices is not modelled.
func.func @spectral_matmul_split_rank3(%x: tensor<4x64x128xf32>, %w: tensor<4x32x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_matmul' op a spectral split applies to 2-D operands only; lhs has rank 3}}
  %y = metis.spectral_matmul %x, %w seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<4x64x128xf32>, tensor<4x32x128xf32> -> tensor<4x64x32xf32>
  return
}

// -----

func.func @spectral_matmul_split_rank3_rhs(%x: tensor<4x64x128xf32>, %w: tensor<4x32x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_matmul' op a spectral split applies to 2-D operands only; rhs has rank 3}}
  %y = metis.spectral_matmul %x, %w seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 4>>}
      : tensor<4x64x128xf32>, tensor<4x32x128xf32> -> tensor<4x64x32xf32>
  return
}

// -----

func.func @spectral_matmul_lhs_split_rank(%x: tensor<64x128xf32>, %w: tensor<32x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_matmul' op lhs split rank 64 must be smaller than min(64, 128) = 64}}
  %y = metis.spectral_matmul %x, %w seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 64>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<64x128xf32>, tensor<32x128xf32> -> tensor<64x32xf32>
  return
}

// -----

func.func @spectral_matmul_rhs_split_rank(%x: tensor<64x128xf32>, %w: tensor<32x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_matmul' op rhs split rank 40 must be smaller than min(32, 128) = 32}}
  %y = metis.spectral_matmul %x, %w seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 40>>}
      : tensor<64x128xf32>, tensor<32x128xf32> -> tensor<64x32xf32>
  return
}

// -----

// The randomized SVD needs random bits.
func.func @spectral_matmul_split_no_seed(%x: tensor<64x128xf32>, %w: tensor<32x128xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op needs a seed operand: an operand uses stochastic rounding or a spectral split}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 4>>}
      : tensor<64x128xf32>, tensor<32x128xf32> -> tensor<64x32xf32>
  return
}

// -----

func.func @spectral_matmul_stochastic_no_seed(%x: tensor<64x128xf32>, %w: tensor<32x128xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op needs a seed operand: an operand uses stochastic rounding or a spectral split}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, rounding = stochastic>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<64x128xf32>, tensor<32x128xf32> -> tensor<64x32xf32>
  return
}

// -----

func.func @spectral_matmul_superfluous_seed(%x: tensor<64x128xf32>, %w: tensor<32x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_matmul' op a seed is only meaningful with stochastic rounding or a spectral split}}
  %y = metis.spectral_matmul %x, %w seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, rounding = rne>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<64x128xf32>, tensor<32x128xf32> -> tensor<64x32xf32>
  return
}

// -----

// ODS constraints of metis.spectral_matmul.

func.func @spectral_matmul_f16_operand(%x: tensor<64x128xf16>, %w: tensor<32x128xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op operand #0 must be ranked tensor of 32-bit float or bfloat16 type values}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<64x128xf16>, tensor<32x128xf32> -> tensor<64x32xf32>
  return
}

// -----

func.func @spectral_matmul_missing_policy(%x: tensor<64x128xf32>, %w: tensor<32x128xf32>) {
  // expected-error@+1 {{'metis.spectral_matmul' op requires attribute 'rhs_policy'}}
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<64x128xf32>, tensor<32x128xf32> -> tensor<64x32xf32>
  return
}

// -----

// Warm starts of metis.spectral_matmul.

func.func @spectral_matmul_warm_without_split(%x: tensor<64x128xf32>, %w: tensor<32x128xf32>, %v: tensor<128x20xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_matmul' op rhs_warm_start needs a spectral split of rhs (its policy has no split)}}
  %y, %s = metis.spectral_matmul %x, %w seed %seed rhs_warm_start %v : tensor<128x20xf32> {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, rounding = stochastic>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<64x128xf32>, tensor<32x128xf32> -> tensor<64x32xf32> rhs_subspace tensor<128x20xf32>
  return
}

// -----

func.func @spectral_matmul_warm_without_subspace(%x: tensor<64x128xf32>, %w: tensor<32x128xf32>, %v: tensor<128x20xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_matmul' op lhs_warm_start and lhs_subspace go together (got a warm start without a subspace result)}}
  %y = metis.spectral_matmul %x, %w seed %seed lhs_warm_start %v : tensor<128x20xf32> {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 16>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<64x128xf32>, tensor<32x128xf32> -> tensor<64x32xf32>
  return
}

// -----

func.func @spectral_matmul_subspace_without_warm(%x: tensor<64x128xf32>, %w: tensor<32x128xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_matmul' op lhs_warm_start and lhs_subspace go together (got a subspace result without a warm start)}}
  %y, %s = metis.spectral_matmul %x, %w seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 16>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<64x128xf32>, tensor<32x128xf32> -> tensor<64x32xf32> lhs_subspace tensor<128x20xf32>
  return
}

// -----

func.func @spectral_matmul_warm_bad_shape(%x: tensor<64x128xf32>, %w: tensor<32x128xf32>, %v: tensor<64x20xf32>, %seed: i64) {
  // The rhs split (32 x 128, rank 16 + 4) starts from a 128 x 20 subspace.
  // expected-error@+1 {{'metis.spectral_matmul' op rhs_warm_start must have shape [128, 20] (K x min(rank + oversample, min(rows, K))), got [64, 20]}}
  %y, %s = metis.spectral_matmul %x, %w seed %seed rhs_warm_start %v : tensor<64x20xf32> {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 16>>}
      : tensor<64x128xf32>, tensor<32x128xf32> -> tensor<64x32xf32> rhs_subspace tensor<64x20xf32>
  return
}

// -----

func.func @spectral_matmul_warm_clamped_width(%x: tensor<64x128xf32>, %w: tensor<24x128xf32>, %v: tensor<128x20xf32>, %seed: i64) {
  // l = min(16 + 4, min(24, 128)) = 20 fits; with oversample 12 it is 24.
  // expected-error@+1 {{'metis.spectral_matmul' op rhs_warm_start must have shape [128, 24] (K x min(rank + oversample, min(rows, K))), got [128, 20]}}
  %y, %s = metis.spectral_matmul %x, %w seed %seed rhs_warm_start %v : tensor<128x20xf32> {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 16, oversample = 12>>}
      : tensor<64x128xf32>, tensor<24x128xf32> -> tensor<64x24xf32> rhs_subspace tensor<128x20xf32>
  return
}

// -----

func.func @spectral_matmul_subspace_type(%x: tensor<64x128xf32>, %w: tensor<32x128xf32>, %v: tensor<128x20xf32>, %seed: i64) {
  // expected-error@+1 {{'metis.spectral_matmul' op rhs_subspace must have the type of rhs_warm_start, got 'tensor<128x?xf32>'}}
  %y, %s = metis.spectral_matmul %x, %w seed %seed rhs_warm_start %v : tensor<128x20xf32> {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 16>>}
      : tensor<64x128xf32>, tensor<32x128xf32> -> tensor<64x32xf32> rhs_subspace tensor<128x?xf32>
  return
}
