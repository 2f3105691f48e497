// RUN: metis-opt %s -metis-spectralize -split-input-file -verify-diagnostics | FileCheck %s

// Contractions the pass cannot rewrite safely stay unchanged, with a
// warning that says why.

// Dynamic shapes: the K blocking and split ranks are static decisions.
// CHECK-LABEL: func.func @dynamic
//       CHECK: linalg.matmul
//   CHECK-NOT: metis.spectral_matmul
func.func @dynamic(%x: tensor<?x64xf32> {metis.role = #metis.role<activation>}, %w: tensor<64x32xf32> {metis.role = #metis.role<weight>}) -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x64xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty(%m) : tensor<?x32xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  // expected-warning @+1 {{metis-spectralize: contraction left unchanged: dynamic shape}}
  %y = linalg.matmul ins(%x, %w : tensor<?x64xf32>, tensor<64x32xf32>) outs(%z : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

// Mixed element types (bf16 activation, f32 weight).
// CHECK-LABEL: func.func @mixed_types
//       CHECK: linalg.matmul
//   CHECK-NOT: metis.spectral_matmul
func.func @mixed_types(%x: tensor<32x64xbf16> {metis.role = #metis.role<activation>}, %w: tensor<64x32xf32> {metis.role = #metis.role<weight>}) -> tensor<32x32xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<32x32xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
  // expected-warning @+1 {{contraction left unchanged: mixed or unsupported element types (bf16 x f32 -> f32; f32 or bf16 operands of one type are handled)}}
  %y = linalg.matmul ins(%x, %w : tensor<32x64xbf16>, tensor<64x32xf32>) outs(%z : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %y : tensor<32x32xf32>
}

// -----

// Accumulation into a non-zero tensor (C += A·B) is not a plain GEMM.
// CHECK-LABEL: func.func @accumulate
//       CHECK: linalg.matmul
//   CHECK-NOT: metis.spectral_matmul
func.func @accumulate(%x: tensor<32x64xf32> {metis.role = #metis.role<activation>}, %w: tensor<64x32xf32> {metis.role = #metis.role<weight>}, %c: tensor<32x32xf32> {metis.role = #metis.role<activation>}) -> tensor<32x32xf32> {
  // expected-warning @+1 {{contraction left unchanged: accumulates into an init that is not a zero linalg.fill}}
  %y = linalg.matmul ins(%x, %w : tensor<32x64xf32>, tensor<64x32xf32>) outs(%c : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %y : tensor<32x32xf32>
}

// -----

// A weight broadcast over a batch dimension (3-D activation times a 2-D
// weight in one generic): two M dimensions.
// CHECK-LABEL: func.func @two_m_dims
//       CHECK: linalg.generic
//   CHECK-NOT: metis.spectral_matmul
func.func @two_m_dims(%x: tensor<2x16x64xf32> {metis.role = #metis.role<activation>}, %w: tensor<32x64xf32> {metis.role = #metis.role<weight>}) -> tensor<2x16x32xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<2x16x32xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  // expected-warning @+1 {{only contractions with at most one batch and exactly one M, N and K dimension are rewritten (this one has 0 batch, 2 M, 1 N and 1 K dimensions)}}
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x16x64xf32>, tensor<32x64xf32>) outs(%z : tensor<2x16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// -----

// An unknown preset in a metis.policy attribute is an error.
func.func @bad_policy(%x: tensor<32x64xf32> {metis.role = #metis.role<activation>}, %w: tensor<64x32xf32> {metis.role = #metis.role<weight>}) -> tensor<32x32xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<32x32xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
  // expected-error @+1 {{metis-spectralize: unknown metis.policy preset 'nvfp8'}}
  %y = linalg.matmul {metis.policy = "nvfp8"} ins(%x, %w : tensor<32x64xf32>, tensor<64x32xf32>) outs(%z : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %y : tensor<32x32xf32>
}

// -----

// A dictionary policy needs both operands' policies.
func.func @incomplete_policy(%x: tensor<32x64xf32> {metis.role = #metis.role<activation>}, %w: tensor<64x32xf32> {metis.role = #metis.role<weight>}) -> tensor<32x32xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<32x32xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
  // expected-error @+1 {{a dictionary metis.policy needs `lhs` and `rhs` #metis.operand entries}}
  %y = linalg.matmul {metis.policy = {lhs = #metis.operand<format = #metis.format<nvfp4>>}} ins(%x, %w : tensor<32x64xf32>, tensor<64x32xf32>) outs(%z : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %y : tensor<32x32xf32>
}

// -----

// An unknown function-level preset is an error too.
// expected-error @+1 {{metis-spectralize: unknown metis.policy preset 'w4a4'}}
func.func @bad_function_policy(%x: tensor<32x64xf32>) -> tensor<32x64xf32> attributes {metis.policy = "w4a4"} {
  return %x : tensor<32x64xf32>
}
