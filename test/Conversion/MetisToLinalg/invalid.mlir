// RUN: metis-opt %s -convert-metis-to-linalg -split-input-file -verify-diagnostics

// metis.spectral_split is lowered only for static M and N: a dynamic extent
// is an error at the op (the pattern reports it; the conversion then fails).
func.func @split_dynamic(%x: tensor<?x32xf32>, %seed: i64) -> tensor<?x32xf32> {
  // expected-error@+2 {{'metis.spectral_split' op lowering to linalg needs static M and N (dynamic shapes are not supported yet), got 'tensor<?x32xf32>'}}
  // expected-error@+1 {{failed to legalize operation 'metis.spectral_split' that was explicitly marked illegal}}
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 4 : i64}
      : tensor<?x32xf32> -> tensor<?x4xf32>, tensor<4xf32>, tensor<4x32xf32>, tensor<?x32xf32>
  return %r : tensor<?x32xf32>
}

// -----

// metis.spectral_matmul is expanded before this lowering; one left over is a
// pipeline error at the op, not a crash or a silent pass-through.
func.func @spectral_matmul_left(%a: tensor<8x32xf32>, %b: tensor<4x32xf32>) -> tensor<8x4xf32> {
  // expected-error@+1 {{'metis.spectral_matmul' op has no lowering to linalg yet; it must be expanded before convert-metis-to-linalg}}
  %c = metis.spectral_matmul %a, %b {lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
                                     rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<8x32xf32>, tensor<4x32xf32> -> tensor<8x4xf32>
  return %c : tensor<8x4xf32>
}

// -----

// A dynamic N is rejected the same way (here with a bf16 input).
func.func @split_dynamic_n(%x: tensor<64x?xbf16>, %seed: i64) -> tensor<64x?xf32> {
  // expected-error@+2 {{needs static M and N}}
  // expected-error@+1 {{failed to legalize operation 'metis.spectral_split'}}
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 4 : i64, sketch = #metis.sketch<row_sampling>}
      : tensor<64x?xbf16> -> tensor<64x4xf32>, tensor<4xf32>, tensor<4x?xf32>, tensor<64x?xf32>
  return %r : tensor<64x?xf32>
}
