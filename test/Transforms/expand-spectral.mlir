// RUN: metis-opt %s -metis-expand-spectral -split-input-file | FileCheck %s
// The expansion verifies, also once scaled_matmul is decomposed.
// RUN: metis-opt %s -metis-expand-spectral -metis-decompose-scaled-matmul -canonicalize -split-input-file | FileCheck %s --check-prefix=LOWER

// Seeds: seed XOR (tag * 0x9E3779B97F4A7C15 mod 2^64), as i64:
//   1 lhs split  -7046029254386353131    2 rhs split   4354685564936845354
//   3 lhs main   -2691343689449507777    4 rhs main    8709371129873690708
//   5 lhs U       1663341875487337577    6 lhs Vt     -5382687378899015554
//   7 rhs U       6018027440424182931    8 rhs Vt     -1028001813962170200

// LOWER-LABEL: func.func @no_split
//   LOWER-NOT: metis.spectral
//   LOWER-NOT: metis.scaled_matmul
//       LOWER: linalg.generic
// LOWER-LABEL: func.func @rhs_split_fp4
//   LOWER-NOT: metis.spectral_matmul
//   LOWER-NOT: metis.scaled_matmul
//       LOWER: metis.spectral_split
//       LOWER: return

// No split: quantize both along K (the weight with its 16x16 tiles, from
// bf16) and one scaled_matmul with the 1-D format; no seed is needed.

// CHECK-LABEL: func.func @no_split
//  CHECK-SAME: (%[[A:.*]]: tensor<8x64xf32>, %[[B:.*]]: tensor<16x64xbf16>)
//   CHECK-NOT: arith.xori
//       CHECK: %[[AV:.*]], %[[AS:.*]], %[[AT:.*]] = metis.quantize %[[A]] {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<8x64xf32> -> tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<f32>
//       CHECK: %[[BV:.*]], %[[BS:.*]], %[[BT:.*]] = metis.quantize %[[B]] {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>} : tensor<16x64xbf16> -> tensor<16x64xf4E2M1FN>, tensor<16x4xf8E4M3FN>, tensor<f32>
//       CHECK: %[[C:.*]] = metis.scaled_matmul %[[AV]], %[[AS]], %[[AT]], %[[BV]], %[[BS]], %[[BT]] {format = #metis.format<nvfp4>} {{.*}} -> tensor<8x16xf32>
//   CHECK-NOT: linalg
//       CHECK: return %[[C]]
func.func @no_split(%a: tensor<8x64xf32>, %b: tensor<16x64xbf16>) -> tensor<8x16xf32> {
  %c = metis.spectral_matmul %a, %b {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = activation>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4, 16x16>, role = weight>}
      : tensor<8x64xf32>, tensor<16x64xbf16> -> tensor<8x16xf32>
  return %c : tensor<8x16xf32>
}

// -----

// rhs split, fp4 factors, exact residual:
//   C = Â·R̂ᵀ + (Â·V̂tᵀ)·(Û·diag(S))ᵀ (the gains scale the small factor Û)
// V̂t is FP4 along K (a scaled_matmul operand), Û = deq(Q(U)) along the rows.

// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$NK:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @rhs_split_fp4
//  CHECK-SAME: (%[[A:.*]]: tensor<32x64xf32>, %[[B:.*]]: tensor<48x64xf32>, %[[SEED:.*]]: i64)
//   CHECK-DAG: %[[T2:.*]] = arith.constant 4354685564936845354 : i64
//       CHECK: %[[AV:.*]], %[[AS:.*]], %[[AT:.*]] = metis.quantize %[[A]] {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<32x64xf32>
//       CHECK: %[[SSEED:.*]] = arith.xori %[[SEED]], %[[T2]] : i64
//       CHECK: %[[U:.*]], %[[S:.*]], %[[VT:.*]], %[[R:.*]] = metis.spectral_split %[[B]] seed %[[SSEED]] {rank = 8 : i64} : tensor<48x64xf32> -> tensor<48x8xf32>, tensor<8xf32>, tensor<8x64xf32>, tensor<48x64xf32>
//       CHECK: %[[VV:.*]], %[[VS:.*]], %[[VTS:.*]] = metis.quantize %[[VT]] {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<8x64xf32> -> tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<f32>
//       CHECK: %[[UV:.*]], %[[US:.*]], %[[UTS:.*]] = metis.quantize %[[U]] {axis = 0 : i64, format = #metis.format<nvfp4>} : tensor<48x8xf32> -> tensor<48x8xf4E2M1FN>, tensor<3x8xf8E4M3FN>, tensor<f32>
//       CHECK: %[[UQ:.*]] = metis.dequantize %[[UV]], %[[US]], %[[UTS]] {axis = 0 : i64, format = #metis.format<nvfp4>} {{.*}} -> tensor<48x8xf32>
//       CHECK: %[[RV:.*]], %[[RS:.*]], %[[RT:.*]] = metis.quantize %[[R]] {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<48x64xf32>
//       CHECK: %[[P:.*]] = metis.scaled_matmul %[[AV]], %[[AS]], %[[AT]], %[[VV]], %[[VS]], %[[VTS]] {format = #metis.format<nvfp4>} {{.*}} -> tensor<32x8xf32>
//       CHECK: %[[US:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$COL]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[UQ]], %[[S]] : tensor<48x8xf32>, tensor<8xf32>)
//       CHECK:   arith.mulf
//   CHECK-NOT:   arith.mulf
//       CHECK:   linalg.yield
// The main term last, right before the update that adds to it.
//       CHECK: %[[MAIN:.*]] = metis.scaled_matmul %[[AV]], %[[AS]], %[[AT]], %[[RV]], %[[RS]], %[[RT]] {format = #metis.format<nvfp4>} {{.*}} -> tensor<32x48xf32>
//  CHECK-NEXT: %[[C:.*]] = linalg.generic {indexing_maps = [#[[$MK]], #[[$NK]], #[[$MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[P]], %[[US]] : tensor<32x8xf32>, tensor<48x8xf32>) outs(%[[MAIN]] : tensor<32x48xf32>)
// One fused multiply-add per k step.
//  CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %[[ACC:.*]]: f32):
//  CHECK-NEXT:   %[[F:.*]] = math.fma %[[X]], %[[Y]], %[[ACC]] : f32
//  CHECK-NEXT:   linalg.yield %[[F]] : f32
//  CHECK-NEXT: } -> tensor<32x48xf32>
//   CHECK-NOT: linalg
//       CHECK: return %[[C]]
func.func @rhs_split_fp4(%a: tensor<32x64xf32>, %b: tensor<48x64xf32>, %seed: i64) -> tensor<32x48xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = activation>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = weight,
                                  split = #metis.split<rank = 8>>}
      : tensor<32x64xf32>, tensor<48x64xf32> -> tensor<32x48xf32>
  return %c : tensor<32x48xf32>
}

// -----

// lhs split (split parameters passed through):
//   C = R̂·B̂ᵀ + (Û·diag(S))·(V̂t·B̂ᵀ)

// CHECK-DAG: #[[$MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$KN:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @lhs_split
//  CHECK-SAME: (%[[A:.*]]: tensor<32x64xf32>, %[[B:.*]]: tensor<16x64xf32>, %[[SEED:.*]]: i64)
//   CHECK-DAG: %[[T1:.*]] = arith.constant -7046029254386353131 : i64
//       CHECK: %[[SSEED:.*]] = arith.xori %[[SEED]], %[[T1]] : i64
//       CHECK: %[[U:.*]], %[[S:.*]], %[[VT:.*]], %[[R:.*]] = metis.spectral_split %[[A]] seed %[[SSEED]] {oversample = 2 : i64, power_iters = 1 : i64, rank = 4 : i64, sketch = #metis.sketch<rademacher>}
//       CHECK: %[[VV:.*]], %[[VS:.*]], %[[VTS:.*]] = metis.quantize %[[VT]] {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<4x64xf32>
//       CHECK: %[[UV:.*]], %[[US:.*]], %[[UTS:.*]] = metis.quantize %[[U]] {axis = 0 : i64, format = #metis.format<nvfp4>} : tensor<32x4xf32>
//       CHECK: %[[UQ:.*]] = metis.dequantize %[[UV]], %[[US]], %[[UTS]] {axis = 0 : i64
//       CHECK: %[[RV:.*]], %[[RS:.*]], %[[RT:.*]] = metis.quantize %[[R]] {axis = 1 : i64
//       CHECK: %[[BV:.*]], %[[BS:.*]], %[[BT:.*]] = metis.quantize %[[B]] {axis = 1 : i64
//       CHECK: %[[P:.*]] = metis.scaled_matmul %[[VV]], %[[VS]], %[[VTS]], %[[BV]], %[[BS]], %[[BT]] {{.*}} -> tensor<4x16xf32>
//       CHECK: %[[US:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$COL]], #[[$ID2]]], {{.*}} ins(%[[UQ]], %[[S]] : tensor<32x4xf32>, tensor<4xf32>)
//       CHECK: %[[MAIN:.*]] = metis.scaled_matmul %[[RV]], %[[RS]], %[[RT]], %[[BV]], %[[BS]], %[[BT]] {{.*}} -> tensor<32x16xf32>
//  CHECK-NEXT: %[[C:.*]] = linalg.generic {indexing_maps = [#[[$MK]], #[[$KN]], #[[$MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[US]], %[[P]] : tensor<32x4xf32>, tensor<4x16xf32>) outs(%[[MAIN]] : tensor<32x16xf32>)
//       CHECK: return %[[C]]
func.func @lhs_split(%a: tensor<32x64xf32>, %b: tensor<16x64xf32>, %seed: i64) -> tensor<32x16xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = gradient,
                                  split = #metis.split<rank = 4, oversample = 2, power_iters = 1, sketch = rademacher>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<32x64xf32>, tensor<16x64xf32> -> tensor<32x16xf32>
  return %c : tensor<32x16xf32>
}

// -----

// Both split: main + rhs low rank + lhs low rank + the k_a x k_b core
//   (Û_a·(diag(S_a)·(V̂t_a·V̂t_bᵀ)·diag(S_b)))·Û_bᵀ, all accumulated into one
// f32 sum.

// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[$COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$KN:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$NK:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @both_split
//   CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
//       CHECK: %[[UA:.*]], %[[SA:.*]], %[[VTA:.*]], %[[RA:.*]] = metis.spectral_split %{{.*}} {rank = 4 : i64} : tensor<32x64xf32>
//       CHECK: %[[VAV:.*]], %[[VAS:.*]], %[[VAT:.*]] = metis.quantize %[[VTA]]
//       CHECK: %[[UAQ:.*]] = metis.dequantize
//       CHECK: %[[RAV:.*]], %[[RAS:.*]], %[[RAT:.*]] = metis.quantize %[[RA]]
//       CHECK: %[[UB:.*]], %[[SB:.*]], %[[VTB:.*]], %[[RB:.*]] = metis.spectral_split %{{.*}} {rank = 8 : i64} : tensor<48x64xf32>
//       CHECK: %[[VBV:.*]], %[[VBS:.*]], %[[VBT:.*]] = metis.quantize %[[VTB]]
//       CHECK: %[[UBQ:.*]] = metis.dequantize
//       CHECK: %[[RBV:.*]], %[[RBS:.*]], %[[RBT:.*]] = metis.quantize %[[RB]]
//       CHECK: %[[P1:.*]] = metis.scaled_matmul %[[RAV]], %[[RAS]], %[[RAT]], %[[VBV]], %[[VBS]], %[[VBT]] {{.*}} -> tensor<32x8xf32>
//       CHECK: %[[UBS:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$COL]], #[[$ID2]]], {{.*}} ins(%[[UBQ]], %[[SB]] :
//       CHECK: %[[P2:.*]] = metis.scaled_matmul %[[VAV]], %[[VAS]], %[[VAT]], %[[RBV]], %[[RBS]], %[[RBT]] {{.*}} -> tensor<4x48xf32>
//       CHECK: %[[UAS:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$COL]], #[[$ID2]]], {{.*}} ins(%[[UAQ]], %[[SA]] :
//       CHECK: %[[CORE:.*]] = metis.scaled_matmul %[[VAV]], %[[VAS]], %[[VAT]], %[[VBV]], %[[VBS]], %[[VBT]] {{.*}} -> tensor<4x8xf32>
//       CHECK: %[[CORES:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ROW]], #[[$COL]], #[[$ID2]]], {{.*}} ins(%[[CORE]], %[[SA]], %[[SB]] : tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>)
//       CHECK: %[[E:.*]] = tensor.empty() : tensor<32x8xf32>
//       CHECK: %[[Z:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] :
//       CHECK: %[[LEFT:.*]] = linalg.generic {indexing_maps = [#[[$MK]], #[[$KN]], #[[$MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[UAQ]], %[[CORES]] : tensor<32x4xf32>, tensor<4x8xf32>) outs(%[[Z]] :
// The main term, then the three updates in a row.
//       CHECK: %[[MAIN:.*]] = metis.scaled_matmul %[[RAV]], %[[RAS]], %[[RAT]], %[[RBV]], %[[RBS]], %[[RBT]] {{.*}} -> tensor<32x48xf32>
//  CHECK-NEXT: %[[ACC1:.*]] = linalg.generic {indexing_maps = [#[[$MK]], #[[$NK]], #[[$MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[P1]], %[[UBS]] : tensor<32x8xf32>, tensor<48x8xf32>) outs(%[[MAIN]] :
//       CHECK: math.fma
//       CHECK: %[[ACC2:.*]] = linalg.generic {indexing_maps = [#[[$MK]], #[[$KN]], #[[$MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[UAS]], %[[P2]] : tensor<32x4xf32>, tensor<4x48xf32>) outs(%[[ACC1]] :
//       CHECK: math.fma
//       CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#[[$MK]], #[[$NK]], #[[$MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[LEFT]], %[[UBQ]] : tensor<32x8xf32>, tensor<48x8xf32>) outs(%[[ACC2]] :
//       CHECK: return %[[C]]
func.func @both_split(%a: tensor<32x64xf32>, %b: tensor<48x64xf32>, %seed: i64) -> tensor<32x48xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 8>>}
      : tensor<32x64xf32>, tensor<48x64xf32> -> tensor<32x48xf32>
  return %c : tensor<32x48xf32>
}

// -----

// bf16 factors: U and Vt rounded to bf16 and back, the low-rank product an
// f32 matmul of deq(Â) with Vtᵀ. The operand is 48 x 64 in mxfp4: 48 is not
// a multiple of 32, which only matters for fp4 factors (U is not quantized
// here). The 16x16-tiled residual of a weight is quantized with its tiles.

// CHECK-DAG: #[[$MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$NK:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @bf16_factors
//       CHECK: %[[AV:.*]], %[[AS:.*]], %[[AT:.*]] = metis.quantize %{{.*}} {axis = 1 : i64, format = #metis.format<mxfp4>}
//       CHECK: %[[U:.*]], %[[S:.*]], %[[VT:.*]], %[[R:.*]] = metis.spectral_split
//       CHECK: %[[UB:.*]] = linalg.generic {{.*}} ins(%[[U]] : tensor<48x8xf32>)
//       CHECK:   %[[T:.*]] = arith.truncf %{{.*}} : f32 to bf16
//       CHECK:   %[[X:.*]] = arith.extf %[[T]] : bf16 to f32
//       CHECK:   linalg.yield %[[X]] : f32
//       CHECK: %[[VB:.*]] = linalg.generic {{.*}} ins(%[[VT]] : tensor<8x64xf32>)
//       CHECK:   arith.truncf
//       CHECK:   arith.extf
//   CHECK-NOT: metis.quantize %[[U]]
//       CHECK: %[[RV:.*]], %[[RS:.*]], %[[RT:.*]] = metis.quantize %[[R]] {axis = 1 : i64, format = #metis.format<mxfp4>}
//       CHECK: %[[AD:.*]] = metis.dequantize %[[AV]], %[[AS]], %[[AT]] {axis = 1 : i64, format = #metis.format<mxfp4>} {{.*}} -> tensor<8x64xf32>
//       CHECK: %[[Z:.*]] = linalg.fill
//       CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[$MK]], #[[$NK]], #[[$MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[AD]], %[[VB]] : tensor<8x64xf32>, tensor<8x64xf32>) outs(%[[Z]] : tensor<8x8xf32>)
//       CHECK: %[[US:.*]] = linalg.generic {{.*}} ins(%[[UB]], %[[S]] :
//       CHECK: %[[MAIN:.*]] = metis.scaled_matmul %[[AV]], %[[AS]], %[[AT]], %[[RV]], %[[RS]], %[[RT]] {format = #metis.format<mxfp4>}
//  CHECK-NEXT: %[[C:.*]] = linalg.generic {indexing_maps = [#[[$MK]], #[[$NK]], #[[$MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[P]], %[[US]] : tensor<8x8xf32>, tensor<48x8xf32>) outs(%[[MAIN]] :
//       CHECK: return %[[C]]
func.func @bf16_factors(%a: tensor<8x64xf32>, %b: tensor<48x64xf32>, %seed: i64) -> tensor<8x48xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<mxfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<mxfp4>, split = #metis.split<rank = 8, factors = bf16>>}
      : tensor<8x64xf32>, tensor<48x64xf32> -> tensor<8x48xf32>
  return %c : tensor<8x48xf32>
}

// CHECK-LABEL: func.func @tiled_weight
//       CHECK: %[[U:.*]], %[[S:.*]], %[[VT:.*]], %[[R:.*]] = metis.spectral_split
//       CHECK: metis.quantize %[[VT]] {axis = 1 : i64, format = #metis.format<nvfp4>}
//       CHECK: metis.quantize %[[U]] {axis = 0 : i64, format = #metis.format<nvfp4>}
//       CHECK: metis.quantize %[[R]] {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>}
//   CHECK-NOT: 16x16
//       CHECK: return
func.func @tiled_weight(%a: tensor<8x64xf32>, %w: tensor<32x64xf32>, %seed: i64) -> tensor<8x32xf32> {
  %c = metis.spectral_matmul %a, %w seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4, 16x16>, split = #metis.split<rank = 8>>}
      : tensor<8x64xf32>, tensor<32x64xf32> -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// -----

// f32 factors: U and Vt as computed; a compensated residual equals R then,
// so R is quantized directly.

// CHECK-LABEL: func.func @f32_factors
//       CHECK: %[[AV:.*]], %[[AS:.*]], %[[AT:.*]] = metis.quantize
//       CHECK: %[[U:.*]], %[[S:.*]], %[[VT:.*]], %[[R:.*]] = metis.spectral_split
//   CHECK-NOT: linalg
//       CHECK: %[[RV:.*]], %[[RS:.*]], %[[RT:.*]] = metis.quantize %[[R]]
//       CHECK: %[[AD:.*]] = metis.dequantize %[[AV]], %[[AS]], %[[AT]]
//       CHECK: %[[P:.*]] = linalg.generic {indexing_maps = {{.*}} ins(%[[AD]], %[[VT]] : tensor<8x64xf32>, tensor<8x64xf32>)
//       CHECK: %[[US:.*]] = linalg.generic {{.*}} ins(%[[U]], %[[S]] :
//       CHECK: %[[MAIN:.*]] = metis.scaled_matmul
//  CHECK-NEXT: %[[C:.*]] = linalg.generic {indexing_maps = {{.*}} ins(%[[P]], %[[US]] : tensor<8x8xf32>, tensor<32x8xf32>) outs(%[[MAIN]] :
//       CHECK: return %[[C]]
func.func @f32_factors(%a: tensor<8x64xf32>, %b: tensor<32x64xf32>, %seed: i64) -> tensor<8x32xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 8, factors = f32, residual = compensated>>}
      : tensor<8x64xf32>, tensor<32x64xf32> -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// -----

// Compensated residual with fp4 factors: R' = X - Û·diag(S)·V̂t from the
// dequantized factors (one matmul accumulating (-Û·diag(S))·V̂t into X, here
// extended from bf16), then quantized in place of R.

// CHECK-DAG: #[[$MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$KN:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @compensated
//  CHECK-SAME: (%[[A:.*]]: tensor<8x64xf32>, %[[B:.*]]: tensor<32x64xbf16>, %[[SEED:.*]]: i64)
//   CHECK-DAG: %[[NEG1:.*]] = arith.constant -1.000000e+00 : f32
//       CHECK: %[[U:.*]], %[[S:.*]], %[[VT:.*]], %[[R:.*]] = metis.spectral_split %[[B]]
//       CHECK: %[[VV:.*]], %[[VS:.*]], %[[VTS:.*]] = metis.quantize %[[VT]] {axis = 1 : i64
//       CHECK: %[[UV:.*]], %[[US:.*]], %[[UTS:.*]] = metis.quantize %[[U]] {axis = 0 : i64
//       CHECK: %[[UQ:.*]] = metis.dequantize %[[UV]], %[[US]], %[[UTS]] {axis = 0 : i64
//       CHECK: %[[UNS:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$COL]], #[[$ID2]]], {{.*}} ins(%[[UQ]], %[[S]] : tensor<32x8xf32>, tensor<8xf32>)
//       CHECK:   %[[M:.*]] = arith.mulf
//       CHECK:   arith.mulf %[[M]], %[[NEG1]] : f32
//       CHECK: %[[VQ:.*]] = metis.dequantize %[[VV]], %[[VS]], %[[VTS]] {axis = 1 : i64, {{.*}} -> tensor<8x64xf32>
//       CHECK: %[[XF:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<32x64xbf16>) outs(%{{.*}} : tensor<32x64xf32>)
//       CHECK:   arith.extf %{{.*}} : bf16 to f32
//       CHECK: %[[RC:.*]] = linalg.generic {indexing_maps = [#[[$MK]], #[[$KN]], #[[$MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[UNS]], %[[VQ]] : tensor<32x8xf32>, tensor<8x64xf32>) outs(%[[XF]] : tensor<32x64xf32>)
//   CHECK-NOT: metis.quantize %[[R]]
//       CHECK: %[[RV:.*]], %[[RS:.*]], %[[RT:.*]] = metis.quantize %[[RC]] {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<32x64xf32>
//       CHECK: metis.scaled_matmul %{{.*}}, %{{.*}}, %{{.*}}, %[[VV]], %[[VS]], %[[VTS]]
//       CHECK: metis.scaled_matmul %{{.*}}, %{{.*}}, %{{.*}}, %[[RV]], %[[RS]], %[[RT]]
//       CHECK: return
func.func @compensated(%a: tensor<8x64xf32>, %b: tensor<32x64xbf16>, %seed: i64) -> tensor<8x32xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 8, residual = compensated>>}
      : tensor<8x64xf32>, tensor<32x64xbf16> -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// -----

// Compensated residual with bf16 factors: against the bf16-rounded factors.

// CHECK-DAG: #[[$MK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$KN:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[$MN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @compensated_bf16
//       CHECK: %[[U:.*]], %[[S:.*]], %[[VT:.*]], %[[R:.*]] = metis.spectral_split
//       CHECK: %[[UB:.*]] = linalg.generic {{.*}} ins(%[[U]] :
//       CHECK: %[[VB:.*]] = linalg.generic {{.*}} ins(%[[VT]] :
//       CHECK: %[[UNS:.*]] = linalg.generic {{.*}} ins(%[[UB]], %[[S]] :
//       CHECK: %[[RC:.*]] = linalg.generic {indexing_maps = [#[[$MK]], #[[$KN]], #[[$MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[UNS]], %[[VB]] : tensor<32x8xf32>, tensor<8x64xf32>) outs(%{{.*}} : tensor<32x64xf32>)
//       CHECK: metis.quantize %[[RC]] {axis = 1 : i64
//       CHECK: return
func.func @compensated_bf16(%a: tensor<8x64xf32>, %b: tensor<32x64xf32>, %seed: i64) -> tensor<8x32xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 8, factors = bf16, residual = compensated>>}
      : tensor<8x64xf32>, tensor<32x64xf32> -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// -----

// gain = reference: S' = S * [1, 1, 1, 1, 1, 0.5, 0.5, 0.5], the residual
// term times 2 (the main GEMM scaled by 2).

// CHECK-DAG: #[[$ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @gain_reference
//   CHECK-DAG: %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
//   CHECK-DAG: %[[G:.*]] = arith.constant dense<[1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00, 5.000000e-01, 5.000000e-01, 5.000000e-01]> : tensor<8xf32>
//       CHECK: %[[U:.*]], %[[S:.*]], %[[VT:.*]], %[[R:.*]] = metis.spectral_split
//       CHECK: %[[SG:.*]] = linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]} ins(%[[S]], %[[G]] : tensor<8xf32>, tensor<8xf32>)
//       CHECK:   arith.mulf
//       CHECK: %[[P:.*]] = metis.scaled_matmul {{.*}} -> tensor<8x8xf32>
//       CHECK: %[[US:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[SG]] : tensor<32x8xf32>, tensor<8xf32>)
//       CHECK: %[[MAIN:.*]] = metis.scaled_matmul {{.*}} -> tensor<8x32xf32>
//       CHECK: %[[MAIN2:.*]] = linalg.generic {{.*}} ins(%[[MAIN]] : tensor<8x32xf32>)
//       CHECK:   arith.mulf %{{.*}}, %[[TWO]] : f32
//       CHECK: %[[C:.*]] = linalg.generic {{.*}} ins(%[[P]], %[[US]] : {{.*}} outs(%[[MAIN2]] :
//       CHECK: return %[[C]]
func.func @gain_reference(%a: tensor<8x64xf32>, %b: tensor<32x64xf32>, %seed: i64) -> tensor<8x32xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 8, gain = reference>>}
      : tensor<8x64xf32>, tensor<32x64xf32> -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// With k <= 5 the reference gains leave S alone; the residual is still x2.

// CHECK-LABEL: func.func @gain_reference_small_rank
//   CHECK-NOT: dense<
//       CHECK: %[[U:.*]], %[[S:.*]], %[[VT:.*]], %[[R:.*]] = metis.spectral_split
//       CHECK: %[[P:.*]] = metis.scaled_matmul {{.*}} -> tensor<8x4xf32>
//       CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[S]] : tensor<32x4xf32>, tensor<4xf32>)
//       CHECK: %[[MAIN:.*]] = metis.scaled_matmul {{.*}} -> tensor<8x32xf32>
//       CHECK: linalg.generic {{.*}} ins(%[[MAIN]] : tensor<8x32xf32>)
//       CHECK: return
func.func @gain_reference_small_rank(%a: tensor<8x64xf32>, %b: tensor<32x64xf32>, %seed: i64) -> tensor<8x32xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 4, gain = reference>>}
      : tensor<8x64xf32>, tensor<32x64xf32> -> tensor<8x32xf32>
  return %c : tensor<8x32xf32>
}

// -----

// gain = smooth: S'_i = 2 S_i / (1 + S_i / S_0), 0 when S_0 = 0; residual x2.
// With both operands under a gain the main term is x4 and each one-sided
// low-rank term carries the other side's residual factor 2.

// CHECK-DAG: #[[$ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @gain_smooth
//   CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
//   CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
//   CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
//   CHECK-DAG: %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
//   CHECK-DAG: %[[FOUR:.*]] = arith.constant 4.000000e+00 : f32
//       CHECK: %[[UA:.*]], %[[SA:.*]], %[[VTA:.*]], %[[RA:.*]] = metis.spectral_split
//       CHECK: %[[S0:.*]] = tensor.extract %[[SA]][%[[C0]]] : tensor<4xf32>
//       CHECK: %[[ISZ:.*]] = arith.cmpf oeq, %[[S0]], %[[ZERO]] : f32
//       CHECK: %[[SGA:.*]] = linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]} ins(%[[SA]] : tensor<4xf32>)
//       CHECK: ^bb0(%[[SI:.*]]: f32, %{{.*}}: f32):
//       CHECK:   %[[Q:.*]] = arith.divf %[[SI]], %[[S0]] : f32
//       CHECK:   %[[D:.*]] = arith.addf %[[Q]], %[[ONE]] : f32
//       CHECK:   %[[N:.*]] = arith.mulf %[[SI]], %[[TWO]] : f32
//       CHECK:   %[[G:.*]] = arith.divf %[[N]], %[[D]] : f32
//       CHECK:   %[[SEL:.*]] = arith.select %[[ISZ]], %[[ZERO]], %[[G]] : f32
//       CHECK:   linalg.yield %[[SEL]] : f32
//       CHECK: %[[UB:.*]], %[[SB:.*]], %[[VTB:.*]], %[[RB:.*]] = metis.spectral_split
//       CHECK: %[[SGB:.*]] = linalg.generic {{.*}} ins(%[[SB]] : tensor<8xf32>)
//       CHECK: %[[P1:.*]] = metis.scaled_matmul {{.*}} -> tensor<32x8xf32>
//       CHECK: %[[UBS:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[SGB]] : tensor<48x8xf32>, tensor<8xf32>)
//       CHECK:   %[[M1:.*]] = arith.mulf
//       CHECK:   arith.mulf %[[M1]], %[[TWO]] : f32
//       CHECK: %[[P2:.*]] = metis.scaled_matmul {{.*}} -> tensor<4x48xf32>
//       CHECK: %[[UAS:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[SGA]] : tensor<32x4xf32>, tensor<4xf32>)
//       CHECK:   %[[M2:.*]] = arith.mulf
//       CHECK:   arith.mulf %[[M2]], %[[TWO]] : f32
//       CHECK: %[[CORE:.*]] = metis.scaled_matmul {{.*}} -> tensor<4x8xf32>
//       CHECK: linalg.generic {{.*}} ins(%[[CORE]], %[[SGA]], %[[SGB]] :
//   CHECK-NOT:   %[[TWO]]
//       CHECK:   linalg.yield
//       CHECK: %[[LEFT:.*]] = linalg.generic
//       CHECK:   math.fma
//       CHECK: %[[MAIN:.*]] = metis.scaled_matmul
//       CHECK: %[[MAIN4:.*]] = linalg.generic {{.*}} ins(%[[MAIN]] : tensor<32x48xf32>)
//       CHECK:   arith.mulf %{{.*}}, %[[FOUR]] : f32
//       CHECK: %[[ACC1:.*]] = linalg.generic {{.*}} ins(%[[P1]], %[[UBS]] : {{.*}} outs(%[[MAIN4]] :
//       CHECK: %[[ACC2:.*]] = linalg.generic {{.*}} ins(%[[UAS]], %[[P2]] : {{.*}} outs(%[[ACC1]] :
//       CHECK: %[[C:.*]] = linalg.generic {{.*}} ins(%[[LEFT]], {{.*}} outs(%[[ACC2]] :
//       CHECK: return %[[C]]
func.func @gain_smooth(%a: tensor<32x64xf32>, %b: tensor<48x64xf32>, %seed: i64) -> tensor<32x48xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 4, gain = smooth>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 8, gain = smooth>>}
      : tensor<32x64xf32>, tensor<48x64xf32> -> tensor<32x48xf32>
  return %c : tensor<32x48xf32>
}

// -----

// Stochastic rounding on both split operands: every random use has its own
// derived seed (tags 1..8), and each quantize gets the seed of its tag.

// CHECK-LABEL: func.func @stochastic
//  CHECK-SAME: (%[[A:.*]]: tensor<32x64xf32>, %[[B:.*]]: tensor<32x64xf32>, %[[SEED:.*]]: i64)
//   CHECK-DAG: %[[T1:.*]] = arith.constant -7046029254386353131 : i64
//   CHECK-DAG: %[[T2:.*]] = arith.constant 4354685564936845354 : i64
//   CHECK-DAG: %[[T3:.*]] = arith.constant -2691343689449507777 : i64
//   CHECK-DAG: %[[T4:.*]] = arith.constant 8709371129873690708 : i64
//   CHECK-DAG: %[[T5:.*]] = arith.constant 1663341875487337577 : i64
//   CHECK-DAG: %[[T6:.*]] = arith.constant -5382687378899015554 : i64
//   CHECK-DAG: %[[T7:.*]] = arith.constant 6018027440424182931 : i64
//   CHECK-DAG: %[[T8:.*]] = arith.constant -1028001813962170200 : i64
//       CHECK: %[[S1:.*]] = arith.xori %[[SEED]], %[[T1]] : i64
//       CHECK: %[[UA:.*]], %{{.*}}, %[[VTA:.*]], %[[RA:.*]] = metis.spectral_split %[[A]] seed %[[S1]]
//       CHECK: %[[S6:.*]] = arith.xori %[[SEED]], %[[T6]] : i64
//       CHECK: metis.quantize %[[VTA]] seed %[[S6]] {axis = 1 : i64, format = #metis.format<nvfp4>, rounding = #metis.rounding<stochastic>}
//       CHECK: %[[S5:.*]] = arith.xori %[[SEED]], %[[T5]] : i64
//       CHECK: metis.quantize %[[UA]] seed %[[S5]] {axis = 0 : i64, format = #metis.format<nvfp4>, rounding = #metis.rounding<stochastic>}
//       CHECK: %[[S3:.*]] = arith.xori %[[SEED]], %[[T3]] : i64
//       CHECK: metis.quantize %[[RA]] seed %[[S3]] {axis = 1 : i64, format = #metis.format<nvfp4>, rounding = #metis.rounding<stochastic>}
//       CHECK: %[[S2:.*]] = arith.xori %[[SEED]], %[[T2]] : i64
//       CHECK: %[[UB:.*]], %{{.*}}, %[[VTB:.*]], %[[RB:.*]] = metis.spectral_split %[[B]] seed %[[S2]]
//       CHECK: %[[S8:.*]] = arith.xori %[[SEED]], %[[T8]] : i64
//       CHECK: metis.quantize %[[VTB]] seed %[[S8]]
//       CHECK: %[[S7:.*]] = arith.xori %[[SEED]], %[[T7]] : i64
//       CHECK: metis.quantize %[[UB]] seed %[[S7]]
//       CHECK: %[[S4:.*]] = arith.xori %[[SEED]], %[[T4]] : i64
//       CHECK: metis.quantize %[[RB]] seed %[[S4]]
//   CHECK-NOT: arith.xori
//       CHECK: return
func.func @stochastic(%a: tensor<32x64xf32>, %b: tensor<32x64xf32>, %seed: i64) -> tensor<32x32xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, rounding = stochastic, split = #metis.split<rank = 4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, rounding = stochastic, split = #metis.split<rank = 4>>}
      : tensor<32x64xf32>, tensor<32x64xf32> -> tensor<32x32xf32>
  return %c : tensor<32x32xf32>
}

// -----

// Stochastic rounding without a split; rne operands get no seed.

// CHECK-LABEL: func.func @stochastic_lhs_only
//  CHECK-SAME: (%[[A:.*]]: tensor<8x64xf32>, %[[B:.*]]: tensor<16x64xf32>, %[[SEED:.*]]: i64)
//   CHECK-DAG: %[[T3:.*]] = arith.constant -2691343689449507777 : i64
//       CHECK: %[[S3:.*]] = arith.xori %[[SEED]], %[[T3]] : i64
//       CHECK: metis.quantize %[[A]] seed %[[S3]] {axis = 1 : i64, format = #metis.format<nvfp4>, rounding = #metis.rounding<stochastic>}
//       CHECK: metis.quantize %[[B]] {axis = 1 : i64, format = #metis.format<nvfp4>} :
//   CHECK-NOT: arith.xori
//       CHECK: metis.scaled_matmul
func.func @stochastic_lhs_only(%a: tensor<8x64xf32>, %b: tensor<16x64xf32>, %seed: i64) -> tensor<8x16xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, rounding = stochastic>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>>}
      : tensor<8x64xf32>, tensor<16x64xf32> -> tensor<8x16xf32>
  return %c : tensor<8x16xf32>
}

// -----

// Batched, no split (MXFP4, rhs stochastic, bf16 result): one batched
// scaled_matmul producing bf16 directly.

// CHECK-LABEL: func.func @batched
//  CHECK-SAME: (%[[A:.*]]: tensor<2x8x64xf32>, %[[B:.*]]: tensor<2x16x64xf32>, %[[SEED:.*]]: i64)
//   CHECK-DAG: %[[T4:.*]] = arith.constant 8709371129873690708 : i64
//       CHECK: %[[AV:.*]], %[[AS:.*]], %[[AT:.*]] = metis.quantize %[[A]] {axis = 2 : i64, format = #metis.format<mxfp4>} : tensor<2x8x64xf32> -> tensor<2x8x64xf4E2M1FN>, tensor<2x8x2xf8E8M0FNU>, tensor<f32>
//       CHECK: %[[S4:.*]] = arith.xori %[[SEED]], %[[T4]] : i64
//       CHECK: %[[BV:.*]], %[[BS:.*]], %[[BT:.*]] = metis.quantize %[[B]] seed %[[S4]] {axis = 2 : i64, format = #metis.format<mxfp4>, rounding = #metis.rounding<stochastic>} : tensor<2x16x64xf32>
//       CHECK: %[[C:.*]] = metis.scaled_matmul %[[AV]], %[[AS]], %[[AT]], %[[BV]], %[[BS]], %[[BT]] {format = #metis.format<mxfp4>} {{.*}} -> tensor<2x8x16xbf16>
//       CHECK: return %[[C]]
func.func @batched(%a: tensor<2x8x64xf32>, %b: tensor<2x16x64xf32>, %seed: i64) -> tensor<2x8x16xbf16> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<mxfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<mxfp4>, rounding = stochastic>}
      : tensor<2x8x64xf32>, tensor<2x16x64xf32> -> tensor<2x8x16xbf16>
  return %c : tensor<2x8x16xbf16>
}

// -----

// bf16 result with a split: the sum is formed in f32 and rounded once.

// CHECK-LABEL: func.func @bf16_result
//       CHECK: %[[MAIN:.*]] = metis.scaled_matmul {{.*}} -> tensor<32x48xf32>
//       CHECK: %[[ACC:.*]] = linalg.generic {{.*}} outs(%[[MAIN]] : tensor<32x48xf32>) {
//       CHECK:   math.fma
//       CHECK: } -> tensor<32x48xf32>
//       CHECK: %[[E:.*]] = tensor.empty() : tensor<32x48xbf16>
//       CHECK: %[[C:.*]] = linalg.generic {{.*}} ins(%[[ACC]] : tensor<32x48xf32>) outs(%[[E]] : tensor<32x48xbf16>)
//       CHECK:   arith.truncf %{{.*}} : f32 to bf16
//       CHECK: return %[[C]] : tensor<32x48xbf16>
func.func @bf16_result(%a: tensor<32x64xbf16>, %b: tensor<48x64xf32>, %seed: i64) -> tensor<32x48xbf16> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 8>>}
      : tensor<32x64xbf16>, tensor<48x64xf32> -> tensor<32x48xbf16>
  return %c : tensor<32x48xbf16>
}

// -----

// Dynamic sizes: accumulators take their extents from tensor.dim.

// CHECK-LABEL: func.func @dynamic
//       CHECK: %[[AV:.*]], %[[AS:.*]], %[[AT:.*]] = metis.quantize %{{.*}} : tensor<?x64xf32> -> tensor<?x64xf4E2M1FN>, tensor<?x4xf8E4M3FN>, tensor<f32>
//       CHECK: %[[U:.*]], %[[S:.*]], %[[VT:.*]], %[[R:.*]] = metis.spectral_split {{.*}} : tensor<?x64xf32> -> tensor<?x8xf32>, tensor<8xf32>, tensor<8x64xf32>, tensor<?x64xf32>
//       CHECK: %[[AD:.*]] = metis.dequantize %[[AV]], %[[AS]], %[[AT]] {{.*}} -> tensor<?x64xf32>
//       CHECK: %[[M:.*]] = tensor.dim %[[AD]], %{{.*}} : tensor<?x64xf32>
//       CHECK: tensor.empty(%[[M]]) : tensor<?x8xf32>
//       CHECK: %[[MAIN:.*]] = metis.scaled_matmul {{.*}} -> tensor<?x?xf32>
//       CHECK: %[[C:.*]] = linalg.generic {{.*}} outs(%[[MAIN]] : tensor<?x?xf32>) {
//       CHECK:   math.fma
//       CHECK: } -> tensor<?x?xf32>
//       CHECK: return %[[C]]
func.func @dynamic(%a: tensor<?x64xf32>, %b: tensor<?x64xf32>, %seed: i64) -> tensor<?x?xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 8, factors = bf16>>}
      : tensor<?x64xf32>, tensor<?x64xf32> -> tensor<?x?xf32>
  return %c : tensor<?x?xf32>
}

// -----

// Warm starts go to the operand's spectral_split, whose subspace result
// replaces the op's (lhs and rhs, each to its own split).

// CHECK-LABEL: func.func @warm_start
//  CHECK-SAME: (%[[A:.*]]: tensor<64x128xf32>, %[[B:.*]]: tensor<96x128xf32>, %[[WA:.*]]: tensor<128x20xf32>, %[[WB:.*]]: tensor<128x12xf32>, %{{.*}}: i64)
//       CHECK: %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[SA:.*]] = metis.spectral_split %[[A]] seed %{{.*}} warm_start %[[WA]] : tensor<128x20xf32> {rank = 16 : i64} : tensor<64x128xf32> -> tensor<64x16xf32>, tensor<16xf32>, tensor<16x128xf32>, tensor<64x128xf32>, tensor<128x20xf32>
//       CHECK: %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[SB:.*]] = metis.spectral_split %[[B]] seed %{{.*}} warm_start %[[WB]] : tensor<128x12xf32> {power_iters = 0 : i64, rank = 8 : i64} : tensor<96x128xf32> -> tensor<96x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<96x128xf32>, tensor<128x12xf32>
//       CHECK: return %{{.*}}, %[[SA]], %[[SB]] : tensor<64x96xf32>, tensor<128x20xf32>, tensor<128x12xf32>
// LOWER-LABEL: func.func @warm_start
//       LOWER: metis.spectral_split {{.*}} warm_start
func.func @warm_start(%a: tensor<64x128xf32>, %b: tensor<96x128xf32>, %wa: tensor<128x20xf32>,
                      %wb: tensor<128x12xf32>, %seed: i64)
    -> (tensor<64x96xf32>, tensor<128x20xf32>, tensor<128x12xf32>) {
  %c, %sa, %sb = metis.spectral_matmul %a, %b seed %seed
      lhs_warm_start %wa : tensor<128x20xf32> rhs_warm_start %wb : tensor<128x12xf32> {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = gradient, split = #metis.split<rank = 16>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = weight, split = #metis.split<rank = 8, power_iters = 0>>}
      : tensor<64x128xf32>, tensor<96x128xf32> -> tensor<64x96xf32> lhs_subspace tensor<128x20xf32> rhs_subspace tensor<128x12xf32>
  return %c, %sa, %sb : tensor<64x96xf32>, tensor<128x20xf32>, tensor<128x12xf32>
}

// -----

// An unsplit matmul with a warm-started rhs: the subspace is still returned.

// CHECK-LABEL: func.func @warm_start_rhs_only
//       CHECK: %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[SB:.*]] = metis.spectral_split %{{.*}} warm_start
//       CHECK: return %{{.*}}, %[[SB]] : tensor<64x96xf32>, tensor<128x12xf32>
func.func @warm_start_rhs_only(%a: tensor<64x128xf32>, %b: tensor<96x128xf32>,
                               %wb: tensor<128x12xf32>, %seed: i64) -> (tensor<64x96xf32>, tensor<128x12xf32>) {
  %c, %sb = metis.spectral_matmul %a, %b seed %seed rhs_warm_start %wb : tensor<128x12xf32> {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = weight, split = #metis.split<rank = 8, power_iters = 0>>}
      : tensor<64x128xf32>, tensor<96x128xf32> -> tensor<64x96xf32> rhs_subspace tensor<128x12xf32>
  return %c, %sb : tensor<64x96xf32>, tensor<128x12xf32>
}
