// RUN: metis-opt %s --split-input-file --convert-metis-to-linalg --canonicalize --metis-fuse-residual | FileCheck %s

// The residual of a rank-4 split, quantized along its rows: R is never
// built. Both quantize generics that read it (block amax, codes) recompute
// it from X, the columns of −U·S and the rows of Vt on the 16-blocks.

// CHECK-LABEL: func.func @quantized_residual
//   CHECK-NOT:   metis.residual
// The rows of Vt (64 floats: 4 lines, an even pitch) are sliced from a
// copy padded to 80 (5 lines): k rows then fall in k different L1 sets.
//       CHECK:   %[[P:.*]] = tensor.generate
//       CHECK:     arith.select
//       CHECK:   } : tensor<4x80xf32>
//       CHECK:   tensor.extract_slice %[[P]][3, 0] [1, 64] [1, 1] : tensor<4x80xf32> to tensor<64xf32>
// Block amax: the 4 FMAs, then |r| into the max.
//       CHECK:   linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}} : tensor<32x4x16xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) outs(%{{.*}} : tensor<32x4xf32>) attrs =  {metis.elementwise}
// CHECK-COUNT-4:   math.fma
//       CHECK:     math.absf
//       CHECK:     arith.maximumf
// Codes: the same FMAs again.
//       CHECK:   linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.*}} : tensor<32x4x16xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<32x4xf32>) outs(%{{.*}} : tensor<32x4x16xf4E2M1FN>) attrs =  {metis.elementwise}
// CHECK-COUNT-4:   math.fma
//   CHECK-NOT:   metis.residual
//       CHECK:   return
func.func @quantized_residual(%x: tensor<32x64xf32>, %seed: i64) -> (tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>) {
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 4 : i64, oversample = 2 : i64, power_iters = 0 : i64}
      : tensor<32x64xf32> -> tensor<32x4xf32>, tensor<4xf32>, tensor<4x64xf32>, tensor<32x64xf32>
  %v, %bs, %ts = metis.quantize %r {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<32x64xf32> -> tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>
}

// -----

// R is also returned: it stays one elementwise op, stored once, and the
// quantization reads it.
// CHECK-LABEL: func.func @returned_residual
//       CHECK:   %[[R:.*]] = linalg.generic {{.*}} attrs =  {metis.elementwise, metis.residual}
//       CHECK:   tensor.expand_shape %[[R]]
//       CHECK:   return {{.*}}, %[[R]]
func.func @returned_residual(%x: tensor<32x64xf32>, %seed: i64) -> (tensor<32x64xf4E2M1FN>, tensor<32x64xf32>) {
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 4 : i64, oversample = 2 : i64, power_iters = 0 : i64}
      : tensor<32x64xf32> -> tensor<32x4xf32>, tensor<4xf32>, tensor<4x64xf32>, tensor<32x64xf32>
  %v, %bs, %ts = metis.quantize %r {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<32x64xf32> -> tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>
  return %v, %r : tensor<32x64xf4E2M1FN>, tensor<32x64xf32>
}

// -----

// Rank 40 > 32: the residual is a contraction, nothing to fuse.
// CHECK-LABEL: func.func @large_rank
//   CHECK-NOT:   metis.residual
//       CHECK:   outs(%{{.*}} : tensor<64x64xf32>) attrs =  {metis.spectral_gemm}
func.func @large_rank(%x: tensor<64x64xf32>, %seed: i64) -> tensor<64x64xf4E2M1FN> {
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 40 : i64, oversample = 2 : i64, power_iters = 0 : i64}
      : tensor<64x64xf32> -> tensor<64x40xf32>, tensor<40xf32>, tensor<40x64xf32>, tensor<64x64xf32>
  %v, %bs, %ts = metis.quantize %r {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<64x64xf32> -> tensor<64x64xf4E2M1FN>, tensor<64x4xf8E4M3FN>, tensor<f32>
  return %v : tensor<64x64xf4E2M1FN>
}

// -----

// Rows of 48 floats (3 lines, an odd pitch) are read as they are.
// CHECK-LABEL: func.func @odd_pitch
//   CHECK-NOT:   tensor.generate
//       CHECK:   math.fma
func.func @odd_pitch(%x: tensor<32x48xf32>, %seed: i64) -> (tensor<32x48xf4E2M1FN>, tensor<32x3xf8E4M3FN>, tensor<f32>) {
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 4 : i64, oversample = 2 : i64, power_iters = 0 : i64}
      : tensor<32x48xf32> -> tensor<32x4xf32>, tensor<4xf32>, tensor<4x48xf32>, tensor<32x48xf32>
  %v, %bs, %ts = metis.quantize %r {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<32x48xf32> -> tensor<32x48xf4E2M1FN>, tensor<32x3xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<32x48xf4E2M1FN>, tensor<32x3xf8E4M3FN>, tensor<f32>
}
