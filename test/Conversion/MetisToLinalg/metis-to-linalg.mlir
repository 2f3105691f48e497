// RUN: metis-opt %s -convert-metis-to-linalg -split-input-file | FileCheck %s

// NVFP4 along axis 1: the axis is split into (blocks, 16); block amax
// (reduction over the 16), tensor amax, TransformerEngine's g = 2688 / amax,
// per-block E4M3 scale + encode factor, then the elementwise E2M1 rounding.

// CHECK-DAG: #[[$ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$DROP:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$ALL:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @nvfp4
//  CHECK-SAME: (%[[X:.*]]: tensor<4x32xf32>)
//       CHECK: %[[XE:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0], [1, 2]] output_shape [4, 2, 16]
//       CHECK: %[[AMAX:.*]] = linalg.generic {indexing_maps = [#[[$ID3]], #[[$DROP]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[XE]] : tensor<4x2x16xf32>)
//       CHECK:   math.absf
//       CHECK:   arith.maximumf
//       CHECK: %[[TAMAX:.*]] = linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]} ins(%[[AMAX]] : tensor<4x2xf32>) outs({{.*}} : tensor<f32>)
//       CHECK: %[[T:.*]] = tensor.extract %[[TAMAX]][]
//       CHECK: %[[G0:.*]] = arith.divf %{{.*}}, %[[T]] : f32
//       CHECK: %[[G1:.*]] = arith.minimumf %[[G0]]
//       CHECK: %[[G:.*]] = arith.select %{{.*}}, %{{.*}}, %[[G1]] : f32
//       CHECK: %[[TS:.*]] = arith.divf %{{.*}}, %[[G]] : f32
//       CHECK: %[[BLOCK:.*]]:2 = linalg.generic {{.*}} ins(%[[AMAX]] : tensor<4x2xf32>) outs(%{{.*}}, %{{.*}} : tensor<4x2xf8E4M3FN>, tensor<4x2xf32>)
//       CHECK:   arith.mulf %{{.*}}, %[[G]] : f32
//       CHECK:   arith.bitcast %{{.*}} : i8 to f8E4M3FN
//       CHECK:   linalg.yield
//       CHECK: %[[VALS:.*]] = linalg.generic {indexing_maps = [#[[$ID3]], #[[$DROP]], #[[$ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[XE]], %[[BLOCK]]#1 : tensor<4x2x16xf32>, tensor<4x2xf32>) outs(%{{.*}} : tensor<4x2x16xf4E2M1FN>)
//       CHECK:   arith.mulf
//       CHECK:   arith.bitcast %{{.*}} : i4 to f4E2M1FN
//       CHECK: %[[V:.*]] = tensor.collapse_shape %[[VALS]] {{\[\[}}0], [1, 2]] : tensor<4x2x16xf4E2M1FN> into tensor<4x32xf4E2M1FN>
//       CHECK: %[[TST:.*]] = tensor.from_elements %[[TS]] : tensor<f32>
//       CHECK: return %[[V]], %[[BLOCK]]#0, %[[TST]]
func.func @nvfp4(%x: tensor<4x32xf32>) -> (tensor<4x32xf4E2M1FN>, tensor<4x2xf8E4M3FN>, tensor<f32>) {
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<4x32xf32> -> tensor<4x32xf4E2M1FN>, tensor<4x2xf8E4M3FN>, tensor<f32>
  return %v, %s, %t : tensor<4x32xf4E2M1FN>, tensor<4x2xf8E4M3FN>, tensor<f32>
}

// -----

// MXFP4 on a bf16 input: no tensor amax, the scale is a power of two and the
// elements are divided by it; the tensor scale is the constant 1.

// CHECK-LABEL: func.func @mxfp4_bf16
//       CHECK: tensor.expand_shape %{{.*}} output_shape [4, 2, 32] : tensor<4x64xbf16>
//   CHECK-NOT: iterator_types = ["reduction", "reduction"]
//       CHECK: linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<4x2xf8E8M0FNU>, tensor<4x2xf32>)
//       CHECK:   arith.maxsi
//       CHECK:   arith.bitcast %{{.*}} : i8 to f8E8M0FNU
//       CHECK: linalg.generic
//       CHECK:   arith.extf %{{.*}} : bf16 to f32
//       CHECK:   arith.divf
//       CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
//       CHECK: return %{{.*}}, %{{.*}}, %[[ONE]]
func.func @mxfp4_bf16(%x: tensor<4x64xbf16>) -> (tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU>, tensor<f32>) {
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<mxfp4>}
      : tensor<4x64xbf16> -> tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU>, tensor<f32>
  return %v, %s, %t : tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU>, tensor<f32>
}

// -----

// The reference format: f32 scale amax / 6 + 1e-9, stored as is.

// CHECK-LABEL: func.func @fp4e2m1b
//       CHECK: %[[S:.*]]:2 = linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<2x1xf32>, tensor<2x1xf32>)
//       CHECK:   %[[D:.*]] = arith.divf
//       CHECK:   %[[F:.*]] = arith.addf %[[D]], %{{.*}} : f32
//       CHECK:   linalg.yield %[[F]], %[[F]] : f32, f32
func.func @fp4e2m1b(%x: tensor<2x16xf32>) -> tensor<2x1xf32> {
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<fp4e2m1b>}
      : tensor<2x16xf32> -> tensor<2x16xf4E2M1FN>, tensor<2x1xf32>, tensor<f32>
  return %s : tensor<2x1xf32>
}

// -----

// 16x16 tiles blocked along axis 0: the block amax [2, 16] is split along
// the other axis into (1, 16), reduced over the 16 rows of the tile and
// broadcast back, so the rows of a tile share one scale.

// CHECK-LABEL: func.func @tiles
//       CHECK: %[[AMAX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}} : tensor<2x16x16xf32>)
//       CHECK: %[[SPLIT:.*]] = tensor.expand_shape %[[AMAX]] {{\[\[}}0], [1, 2]] output_shape [2, 1, 16]
//       CHECK: %[[TILE:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[SPLIT]] : tensor<2x1x16xf32>)
//       CHECK: %[[BCAST:.*]] = linalg.generic {{.*}} ins(%[[TILE]] : tensor<2x1xf32>) outs(%{{.*}} : tensor<2x1x16xf32>)
//       CHECK: %[[SRC:.*]] = tensor.collapse_shape %[[BCAST]]
//       CHECK: linalg.generic {{.*}} ins(%[[SRC]] : tensor<2x16xf32>) outs(%{{.*}}, %{{.*}} : tensor<2x16xf8E4M3FN>, tensor<2x16xf32>)
func.func @tiles(%w: tensor<32x16xf32>) -> tensor<2x16xf8E4M3FN> {
  %v, %s, %t = metis.quantize %w {axis = 0 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<32x16xf32> -> tensor<32x16xf4E2M1FN>, tensor<2x16xf8E4M3FN>, tensor<f32>
  return %s : tensor<2x16xf8E4M3FN>
}

// -----

// Stochastic rounding: each element's linear index (from linalg.index and the
// row-major strides) and the seed key Philox4x32-10 (ten rounds of two
// 32x32->64 multiplies).

// CHECK-LABEL: func.func @stochastic
//  CHECK-SAME: (%{{.*}}: tensor<32xf32>, %[[SEED:.*]]: i64)
//       CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x16xf4E2M1FN>)
//   CHECK-DAG:   linalg.index 0
//   CHECK-DAG:   linalg.index 1
//       CHECK:   arith.index_castui %{{.*}} : index to i64
//       CHECK:   arith.trunci %[[SEED]] : i64 to i32
// CHECK-COUNT-20: arith.mului_extended
//       CHECK:   arith.uitofp
//       CHECK:   arith.cmpf olt
func.func @stochastic(%x: tensor<32xf32>, %seed: i64) -> tensor<32xf4E2M1FN> {
  %v, %s, %t = metis.quantize %x seed %seed {axis = 0 : i64, format = #metis.format<nvfp4>, rounding = #metis.rounding<stochastic>}
      : tensor<32xf32> -> tensor<32xf4E2M1FN>, tensor<2xf8E4M3FN>, tensor<f32>
  return %v : tensor<32xf4E2M1FN>
}

// -----

// Dequantize with a dynamic dimension and a bf16 result.

// CHECK-LABEL: func.func @dequantize
//  CHECK-SAME: (%[[V:.*]]: tensor<?x32xf4E2M1FN>, %[[S:.*]]: tensor<?x2xf8E4M3FN>, %[[T:.*]]: tensor<f32>)
//       CHECK: %[[VE:.*]] = tensor.expand_shape %[[V]] {{\[\[}}0], [1, 2]] output_shape [%{{.*}}, 2, 16]
//       CHECK: %[[TS:.*]] = tensor.extract %[[T]][]
//       CHECK: %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[VE]], %[[S]] : tensor<?x2x16xf4E2M1FN>, tensor<?x2xf8E4M3FN>) outs(%{{.*}} : tensor<?x2x16xbf16>)
//       CHECK:   %[[SC:.*]] = arith.mulf %{{.*}}, %[[TS]] : f32
//       CHECK:   %[[R:.*]] = arith.mulf %{{.*}}, %[[SC]] : f32
//       CHECK:   arith.truncf %[[R]] : f32 to bf16
//       CHECK: tensor.collapse_shape %[[OUT]] {{\[\[}}0], [1, 2]] : tensor<?x2x16xbf16> into tensor<?x32xbf16>
func.func @dequantize(%v: tensor<?x32xf4E2M1FN>, %s: tensor<?x2xf8E4M3FN>, %t: tensor<f32>) -> tensor<?x32xbf16> {
  %y = metis.dequantize %v, %s, %t {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<?x32xf4E2M1FN>, tensor<?x2xf8E4M3FN>, tensor<f32> -> tensor<?x32xbf16>
  return %y : tensor<?x32xbf16>
}

// -----

// Batched scaled matmul: one contraction over (bt, m, n, kb, ki) decoding
// codes and scales in its body, tagged for the CPU GEMM kernel, then the
// tensor-scale epilogue.

// CHECK-DAG: #[[$A:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
// CHECK-DAG: #[[$AS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3)>
// CHECK-DAG: #[[$B:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d3, d4)>
// CHECK-DAG: #[[$BS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d3)>
// CHECK-DAG: #[[$C:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @scaled_matmul
//       CHECK: %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[$A]], #[[$AS]], #[[$B]], #[[$BS]], #[[$C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
//  CHECK-SAME:   ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x8x1x32xf4E2M1FN>, tensor<2x8x1xf8E8M0FNU>, tensor<2x4x1x32xf4E2M1FN>, tensor<2x4x1xf8E8M0FNU>)
//  CHECK-SAME:   attrs =  {metis.scaled_contraction = #metis.format<mxfp4>}
//       CHECK:   arith.mulf
//       CHECK:   arith.addf
//       CHECK: %[[TA:.*]] = tensor.extract %{{.*}}[] : tensor<f32>
//       CHECK: %[[TB:.*]] = tensor.extract %{{.*}}[] : tensor<f32>
//       CHECK: %[[TP:.*]] = arith.mulf %[[TA]], %[[TB]] : f32
// The f32 epilogue scales the accumulator in place; its tag (not
// metis.elementwise) lets metis-cpu-gemm apply it as the GEMM writes C.
//       CHECK: linalg.generic {{.*}} outs(%[[ACC]] : tensor<2x8x4xf32>) attrs = {metis.tensor_scale_epilogue}
//       CHECK:   arith.mulf %{{.*}}, %[[TP]] : f32
func.func @scaled_matmul(%a: tensor<2x8x32xf4E2M1FN>, %as: tensor<2x8x1xf8E8M0FNU>, %at: tensor<f32>,
                         %b: tensor<2x4x32xf4E2M1FN>, %bs: tensor<2x4x1xf8E8M0FNU>, %bt: tensor<f32>) -> tensor<2x8x4xf32> {
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<mxfp4>}
      : tensor<2x8x32xf4E2M1FN>, tensor<2x8x1xf8E8M0FNU>, tensor<f32>,
        tensor<2x4x32xf4E2M1FN>, tensor<2x4x1xf8E8M0FNU>, tensor<f32> -> tensor<2x8x4xf32>
  return %c : tensor<2x8x4xf32>
}
