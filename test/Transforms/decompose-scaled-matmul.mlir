// RUN: metis-opt %s -metis-decompose-scaled-matmul -split-input-file | FileCheck %s

// The reference rewrite: two dequantizes to f32 and a contraction over the
// shared last dimension K, C[m, n] = sum_k A[m, k] * B[n, k].

// CHECK-DAG: #[[$A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @nvfp4_2d
//  CHECK-SAME: (%[[A:.*]]: tensor<4x32xf4E2M1FN>, %[[AS:.*]]: tensor<4x2xf8E4M3FN>, %[[AT:.*]]: tensor<f32>, %[[B:.*]]: tensor<8x32xf4E2M1FN>, %[[BS:.*]]: tensor<8x2xf8E4M3FN>, %[[BT:.*]]: tensor<f32>)
//   CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
//       CHECK: %[[DA:.*]] = metis.dequantize %[[A]], %[[AS]], %[[AT]] {axis = 1 : i64, format = #metis.format<nvfp4>} {{.*}} -> tensor<4x32xf32>
//       CHECK: %[[DB:.*]] = metis.dequantize %[[B]], %[[BS]], %[[BT]] {axis = 1 : i64, format = #metis.format<nvfp4>} {{.*}} -> tensor<8x32xf32>
//       CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<4x8xf32>
//       CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<4x8xf32>)
//       CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#[[$A]], #[[$B]], #[[$C]]], iterator_types = ["parallel", "parallel", "reduction"]}
//  CHECK-SAME:   ins(%[[DA]], %[[DB]] : tensor<4x32xf32>, tensor<8x32xf32>) outs(%[[INIT]] : tensor<4x8xf32>)
//       CHECK:   ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %[[ACC:.*]]: f32):
//       CHECK:     %[[P:.*]] = arith.mulf %[[X]], %[[Y]] : f32
//       CHECK:     %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
//       CHECK:     linalg.yield %[[S]] : f32
//       CHECK: return %[[C]] : tensor<4x8xf32>
func.func @nvfp4_2d(%a: tensor<4x32xf4E2M1FN>, %as: tensor<4x2xf8E4M3FN>, %at: tensor<f32>,
                    %b: tensor<8x32xf4E2M1FN>, %bs: tensor<8x2xf8E4M3FN>, %bt: tensor<f32>) -> tensor<4x8xf32> {
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<4x32xf4E2M1FN>, tensor<4x2xf8E4M3FN>, tensor<f32>,
        tensor<8x32xf4E2M1FN>, tensor<8x2xf8E4M3FN>, tensor<f32> -> tensor<4x8xf32>
  return %c : tensor<4x8xf32>
}

// -----

// Batched MXFP4 with a bf16 result and a dynamic M: the accumulator takes M
// from the lhs, the f32 result is truncated to bf16 elementwise.

// CHECK-DAG: #[[$A3:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[$B3:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[$C3:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @mxfp4_batched_bf16
//       CHECK: %[[DA:.*]] = metis.dequantize {{.*}} {axis = 2 : i64, format = #metis.format<mxfp4>} {{.*}} -> tensor<2x?x64xf32>
//       CHECK: %[[DB:.*]] = metis.dequantize {{.*}} {axis = 2 : i64, format = #metis.format<mxfp4>} {{.*}} -> tensor<2x16x64xf32>
//       CHECK: %[[M:.*]] = tensor.dim %[[DA]], %{{.*}} : tensor<2x?x64xf32>
//       CHECK: tensor.empty(%[[M]]) : tensor<2x?x16xf32>
//       CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#[[$A3]], #[[$B3]], #[[$C3]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
//       CHECK: %[[OUT:.*]] = tensor.empty(%[[M]]) : tensor<2x?x16xbf16>
//       CHECK: %[[T:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[C]] : tensor<2x?x16xf32>) outs(%[[OUT]] : tensor<2x?x16xbf16>)
//       CHECK:   arith.truncf %{{.*}} : f32 to bf16
//       CHECK: return %[[T]] : tensor<2x?x16xbf16>
func.func @mxfp4_batched_bf16(%a: tensor<2x?x64xf4E2M1FN>, %as: tensor<2x?x2xf8E8M0FNU>, %at: tensor<f32>,
                              %b: tensor<2x16x64xf4E2M1FN>, %bs: tensor<2x16x2xf8E8M0FNU>, %bt: tensor<f32>) -> tensor<2x?x16xbf16> {
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<mxfp4>}
      : tensor<2x?x64xf4E2M1FN>, tensor<2x?x2xf8E8M0FNU>, tensor<f32>,
        tensor<2x16x64xf4E2M1FN>, tensor<2x16x2xf8E8M0FNU>, tensor<f32> -> tensor<2x?x16xbf16>
  return %c : tensor<2x?x16xbf16>
}

// -----

// Other metis ops are left alone.

// CHECK-LABEL: func.func @untouched
//       CHECK: metis.quantize
//   CHECK-NOT: linalg.generic
func.func @untouched(%x: tensor<4x32xf32>) -> tensor<4x32xf4E2M1FN> {
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<4x32xf32> -> tensor<4x32xf4E2M1FN>, tensor<4x2xf8E4M3FN>, tensor<f32>
  return %v : tensor<4x32xf4E2M1FN>
}
