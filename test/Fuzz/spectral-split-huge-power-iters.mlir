// RUN: metis-opt %s --split-input-file --convert-metis-to-linalg | FileCheck %s

// Found by reading the lowering while fuzzing the split parameters: with a
// Gaussian sketch the subspace loop ran power_iters + 1 times, computed as
// `q + 1` in int64, which overflowed for q = 2^63 - 1 (undefined behaviour;
// in practice a negative count and no iteration at all). The loop now runs
// over [-1, q - 1), and the last iteration is peeled.

// CHECK-LABEL: func.func @huge_power_iters
//       CHECK:   scf.for %{{.*}} = %c-1 to %c9223372036854775806 step %c1 
func.func @huge_power_iters(%x: tensor<64x48xf32>, %seed: i64) -> tensor<64x48xf32> {
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 4 : i64, oversample = 9223372036854775807 : i64, power_iters = 9223372036854775807 : i64}
      : tensor<64x48xf32> -> tensor<64x4xf32>, tensor<4xf32>, tensor<4x48xf32>, tensor<64x48xf32>
  return %r : tensor<64x48xf32>
}

// -----

// Row sampling starts from sampled rows and runs exactly q iterations: q − 1
// in the loop, the last peeled.
// CHECK-LABEL: func.func @row_sampling
//       CHECK:   scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c2 step
func.func @row_sampling(%x: tensor<64x48xf32>, %seed: i64) -> tensor<64x48xf32> {
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 4 : i64, power_iters = 3 : i64, sketch = #metis.sketch<row_sampling>}
      : tensor<64x48xf32> -> tensor<64x4xf32>, tensor<4xf32>, tensor<4x48xf32>, tensor<64x48xf32>
  return %r : tensor<64x48xf32>
}
