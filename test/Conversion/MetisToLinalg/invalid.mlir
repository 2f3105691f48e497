// RUN: metis-opt %s -convert-metis-to-linalg -split-input-file -verify-diagnostics

// The spectral ops are expanded before this lowering; one left over is a
// pipeline error at the op, not a crash or a silent pass-through.
func.func @split_left(%x: tensor<64x32xf32>, %seed: i64) -> tensor<64x32xf32> {
  // expected-error@+1 {{'metis.spectral_split' op has no lowering to linalg yet; it must be expanded before convert-metis-to-linalg}}
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 4 : i64}
      : tensor<64x32xf32> -> tensor<64x4xf32>, tensor<4xf32>, tensor<4x32xf32>, tensor<64x32xf32>
  return %r : tensor<64x32xf32>
}

// -----

func.func @spectral_matmul_left(%a: tensor<8x32xf32>, %b: tensor<4x32xf32>) -> tensor<8x4xf32> {
  // expected-error@+1 {{'metis.spectral_matmul' op has no lowering to linalg yet; it must be expanded before convert-metis-to-linalg}}
  %c = metis.spectral_matmul %a, %b {lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
                                     rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<8x32xf32>, tensor<4x32xf32> -> tensor<8x4xf32>
  return %c : tensor<8x4xf32>
}
