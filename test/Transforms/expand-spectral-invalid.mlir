// RUN: metis-opt %s -metis-expand-spectral -split-input-file -verify-diagnostics

// With fp4 factors, U (rows x k) is quantized along its rows (axis 0, as the
// reference quantizes Uᵀ along its long dimension), so the rows of a split
// operand must be a multiple of the block size. Here the rhs has 48 rows and
// MXFP4 blocks are 32 long (K = 64 is fine, so the op itself verifies); the
// pass reports the op and fails instead of producing an invalid quantize.

func.func @mxfp4_fp4_factors_rows(%a: tensor<8x64xf32>, %b: tensor<48x64xf32>, %seed: i64) -> tensor<8x48xf32> {
  // expected-error @+1 {{'metis.spectral_matmul' op cannot expand the rhs split with fp4 factors: U (48x16) is quantized along its rows (axis 0), and 48 is not a multiple of the mxfp4 block size 32; use factors = bf16 or f32, or pad the operand}}
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<mxfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<mxfp4>, split = #metis.split<rank = 16>>}
      : tensor<8x64xf32>, tensor<48x64xf32> -> tensor<8x48xf32>
  return %c : tensor<8x48xf32>
}

// -----

// The same on the lhs with NVFP4 (24 rows, blocks of 16).

func.func @nvfp4_fp4_factors_lhs_rows(%a: tensor<24x64xf32>, %b: tensor<16x64xf32>, %seed: i64) -> tensor<24x16xf32> {
  // expected-error @+1 {{cannot expand the lhs split with fp4 factors: U (24x8) is quantized along its rows (axis 0), and 24 is not a multiple of the nvfp4 block size 16}}
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 8, factors = fp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<24x64xf32>, tensor<16x64xf32> -> tensor<24x16xf32>
  return %c : tensor<24x16xf32>
}
