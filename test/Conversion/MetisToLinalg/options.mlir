// convert-metis-to-linalg's gram-cancellation: the bound on the one-pass
// Zᵀ = T·Gᵀ of a subspace iteration (docs/SpectralSplit.md, step 2). A bad
// value is reported once, at an unknown location.
//
// RUN: metis-opt %s --convert-metis-to-linalg=gram-cancellation=4 | FileCheck %s
// RUN: not metis-opt %s --convert-metis-to-linalg=gram-cancellation=-1 2>&1 | FileCheck %s --check-prefix=NEG --implicit-check-not=func.func
// RUN: not metis-opt %s --convert-metis-to-linalg=gram-cancellation=nan 2>&1 | FileCheck %s --check-prefix=NAN --implicit-check-not=func.func

// NEG: <unknown>:0: error: convert-metis-to-linalg: gram-cancellation must be >= 0, got -1.000000e+00
// NAN: <unknown>:0: error: convert-metis-to-linalg: gram-cancellation must be >= 0, got nan

// One warm iteration: the bound 4 in the test of every row, then the branch.
// CHECK-LABEL: func.func @warm
//       CHECK: scf.for {{.*}} -> (i1)
//       CHECK:   %[[BOUND:.*]] = arith.constant 4.000000e+00 : f32
//       CHECK:   %[[LIMIT:.*]] = arith.mulf %[[BOUND]], %{{.*}} : f32
//       CHECK:   arith.cmpf ole, %{{.*}}, %[[LIMIT]] : f32
//       CHECK: scf.if
func.func @warm(%x: tensor<64x32xf32>, %v0: tensor<32x6xf32>, %seed: i64)
    -> (tensor<64x4xf32>, tensor<4xf32>, tensor<4x32xf32>, tensor<64x32xf32>, tensor<32x6xf32>) {
  %u, %s, %vt, %r, %next = metis.spectral_split %x seed %seed warm_start %v0 : tensor<32x6xf32>
      {rank = 4 : i64, oversample = 2 : i64, power_iters = 1 : i64}
      : tensor<64x32xf32> -> tensor<64x4xf32>, tensor<4xf32>, tensor<4x32xf32>, tensor<64x32xf32>, tensor<32x6xf32>
  return %u, %s, %vt, %r, %next : tensor<64x4xf32>, tensor<4xf32>, tensor<4x32xf32>, tensor<64x32xf32>, tensor<32x6xf32>
}
