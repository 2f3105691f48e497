// RUN: metis-opt %s | metis-opt | FileCheck %s
// RUN: metis-opt %s --mlir-print-op-generic | metis-opt | FileCheck %s

// Round trip of every metis op and attribute in custom form, through the
// custom and the generic printer. Default-valued attributes and parameters
// (rounding = rne, oversample = 4, power_iters = 2, sketch = gaussian, the
// default block shape of a format, ...) are elided when printing.

//===----------------------------------------------------------------------===//
// metis.quantize
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @quantize_nvfp4
// CHECK-SAME: (%[[X:.*]]: tensor<128x256xf32>)
func.func @quantize_nvfp4(%x: tensor<128x256xf32>)
    -> (tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32>) {
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}} = metis.quantize %[[X]] {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<128x256xf32> -> tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32>
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<128x256xf32> -> tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32>
}

// An explicit default block shape and an explicit `rne` are elided.
// CHECK-LABEL: func.func @quantize_nvfp4_explicit_defaults
// CHECK-SAME: (%[[X:.*]]: tensor<64x32xf32>)
func.func @quantize_nvfp4_explicit_defaults(%x: tensor<64x32xf32>)
    -> (tensor<64x32xf4E2M1FN>, tensor<64x2xf8E4M3FN>, tensor<f32>) {
  // CHECK: metis.quantize %[[X]] {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<64x32xf32> -> tensor<64x32xf4E2M1FN>, tensor<64x2xf8E4M3FN>, tensor<f32>
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4, 1x16>,
                                    rounding = #metis.rounding<rne>}
      : tensor<64x32xf32> -> tensor<64x32xf4E2M1FN>, tensor<64x2xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<64x32xf4E2M1FN>, tensor<64x2xf8E4M3FN>, tensor<f32>
}

// CHECK-LABEL: func.func @quantize_mxfp4
// CHECK-SAME: (%[[X:.*]]: tensor<128x256xf32>)
func.func @quantize_mxfp4(%x: tensor<128x256xf32>)
    -> (tensor<128x256xf4E2M1FN>, tensor<128x8xf8E8M0FNU>, tensor<f32>) {
  // CHECK: metis.quantize %[[X]] {axis = 1 : i64, format = #metis.format<mxfp4>} : tensor<128x256xf32> -> tensor<128x256xf4E2M1FN>, tensor<128x8xf8E8M0FNU>, tensor<f32>
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<mxfp4, 1x32>}
      : tensor<128x256xf32> -> tensor<128x256xf4E2M1FN>, tensor<128x8xf8E8M0FNU>, tensor<f32>
  return %v, %bs, %ts : tensor<128x256xf4E2M1FN>, tensor<128x8xf8E8M0FNU>, tensor<f32>
}

// CHECK-LABEL: func.func @quantize_fp4e2m1b
// CHECK-SAME: (%[[X:.*]]: tensor<128x256xf32>)
func.func @quantize_fp4e2m1b(%x: tensor<128x256xf32>)
    -> (tensor<128x256xf4E2M1FN>, tensor<128x16xf32>, tensor<f32>) {
  // CHECK: metis.quantize %[[X]] {axis = 1 : i64, format = #metis.format<fp4e2m1b>} : tensor<128x256xf32> -> tensor<128x256xf4E2M1FN>, tensor<128x16xf32>, tensor<f32>
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<fp4e2m1b>}
      : tensor<128x256xf32> -> tensor<128x256xf4E2M1FN>, tensor<128x16xf32>, tensor<f32>
  return %v, %bs, %ts : tensor<128x256xf4E2M1FN>, tensor<128x16xf32>, tensor<f32>
}

// 16x16 tiles keep the per-row scale layout: axis 1 divides dim 1 by 16.
// CHECK-LABEL: func.func @quantize_nvfp4_tiles_axis1
// CHECK-SAME: (%[[X:.*]]: tensor<64x128xf32>)
func.func @quantize_nvfp4_tiles_axis1(%x: tensor<64x128xf32>)
    -> (tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>) {
  // CHECK: metis.quantize %[[X]] {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>} : tensor<64x128xf32> -> tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<64x128xf32> -> tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>
}

// CHECK-LABEL: func.func @quantize_nvfp4_tiles_axis0
// CHECK-SAME: (%[[X:.*]]: tensor<64x128xf32>)
func.func @quantize_nvfp4_tiles_axis0(%x: tensor<64x128xf32>)
    -> (tensor<64x128xf4E2M1FN>, tensor<4x128xf8E4M3FN>, tensor<f32>) {
  // CHECK: metis.quantize %[[X]] {axis = 0 : i64, format = #metis.format<nvfp4, 16x16>} : tensor<64x128xf32> -> tensor<64x128xf4E2M1FN>, tensor<4x128xf8E4M3FN>, tensor<f32>
  %v, %bs, %ts = metis.quantize %x {axis = 0 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<64x128xf32> -> tensor<64x128xf4E2M1FN>, tensor<4x128xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<64x128xf4E2M1FN>, tensor<4x128xf8E4M3FN>, tensor<f32>
}

// CHECK-LABEL: func.func @quantize_bf16
// CHECK-SAME: (%[[X:.*]]: tensor<32x64xbf16>)
func.func @quantize_bf16(%x: tensor<32x64xbf16>)
    -> (tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>) {
  // CHECK: metis.quantize %[[X]] {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<32x64xbf16> -> tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<32x64xbf16> -> tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>
}

// CHECK-LABEL: func.func @quantize_f16
// CHECK-SAME: (%[[X:.*]]: tensor<32x64xf16>)
func.func @quantize_f16(%x: tensor<32x64xf16>)
    -> (tensor<32x64xf4E2M1FN>, tensor<1x64xf8E8M0FNU>, tensor<f32>) {
  // CHECK: metis.quantize %[[X]] {axis = 0 : i64, format = #metis.format<mxfp4>} : tensor<32x64xf16> -> tensor<32x64xf4E2M1FN>, tensor<1x64xf8E8M0FNU>, tensor<f32>
  %v, %bs, %ts = metis.quantize %x {axis = 0 : i64, format = #metis.format<mxfp4>}
      : tensor<32x64xf16> -> tensor<32x64xf4E2M1FN>, tensor<1x64xf8E8M0FNU>, tensor<f32>
  return %v, %bs, %ts : tensor<32x64xf4E2M1FN>, tensor<1x64xf8E8M0FNU>, tensor<f32>
}

// CHECK-LABEL: func.func @quantize_rank1
// CHECK-SAME: (%[[X:.*]]: tensor<48xf32>)
func.func @quantize_rank1(%x: tensor<48xf32>)
    -> (tensor<48xf4E2M1FN>, tensor<3xf32>, tensor<f32>) {
  // CHECK: metis.quantize %[[X]] {axis = 0 : i64, format = #metis.format<fp4e2m1b>} : tensor<48xf32> -> tensor<48xf4E2M1FN>, tensor<3xf32>, tensor<f32>
  %v, %bs, %ts = metis.quantize %x {axis = 0 : i64, format = #metis.format<fp4e2m1b>}
      : tensor<48xf32> -> tensor<48xf4E2M1FN>, tensor<3xf32>, tensor<f32>
  return %v, %bs, %ts : tensor<48xf4E2M1FN>, tensor<3xf32>, tensor<f32>
}

// Rank 3, blocked along the middle axis.
// CHECK-LABEL: func.func @quantize_rank3
// CHECK-SAME: (%[[X:.*]]: tensor<2x64x8xf32>)
func.func @quantize_rank3(%x: tensor<2x64x8xf32>)
    -> (tensor<2x64x8xf4E2M1FN>, tensor<2x4x8xf8E4M3FN>, tensor<f32>) {
  // CHECK: metis.quantize %[[X]] {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<2x64x8xf32> -> tensor<2x64x8xf4E2M1FN>, tensor<2x4x8xf8E4M3FN>, tensor<f32>
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<2x64x8xf32> -> tensor<2x64x8xf4E2M1FN>, tensor<2x4x8xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<2x64x8xf4E2M1FN>, tensor<2x4x8xf8E4M3FN>, tensor<f32>
}

// CHECK-LABEL: func.func @quantize_stochastic
// CHECK-SAME: (%[[X:.*]]: tensor<256x64xf32>, %[[SEED:.*]]: i64)
func.func @quantize_stochastic(%x: tensor<256x64xf32>, %seed: i64)
    -> (tensor<256x64xf4E2M1FN>, tensor<16x64xf8E4M3FN>, tensor<f32>) {
  // CHECK: metis.quantize %[[X]] seed %[[SEED]] {axis = 0 : i64, format = #metis.format<nvfp4>, rounding = #metis.rounding<stochastic>} : tensor<256x64xf32> -> tensor<256x64xf4E2M1FN>, tensor<16x64xf8E4M3FN>, tensor<f32>
  %v, %bs, %ts = metis.quantize %x seed %seed {axis = 0 : i64, format = #metis.format<nvfp4>,
                                               rounding = #metis.rounding<stochastic>}
      : tensor<256x64xf32> -> tensor<256x64xf4E2M1FN>, tensor<16x64xf8E4M3FN>, tensor<f32>
  return %v, %bs, %ts : tensor<256x64xf4E2M1FN>, tensor<16x64xf8E4M3FN>, tensor<f32>
}

// Dynamic sizes, on the other axis and on the blocked axis; divisibility of
// dynamic sizes is a runtime precondition, not checked by the verifier.
// CHECK-LABEL: func.func @quantize_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x256xf32>, %[[Y:.*]]: tensor<4x?xbf16>)
func.func @quantize_dynamic(%x: tensor<?x256xf32>, %y: tensor<4x?xbf16>)
    -> (tensor<?x8xf8E8M0FNU>, tensor<4x?xf8E4M3FN>) {
  // CHECK: metis.quantize %[[X]] {axis = 1 : i64, format = #metis.format<mxfp4>} : tensor<?x256xf32> -> tensor<?x256xf4E2M1FN>, tensor<?x8xf8E8M0FNU>, tensor<f32>
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<mxfp4>}
      : tensor<?x256xf32> -> tensor<?x256xf4E2M1FN>, tensor<?x8xf8E8M0FNU>, tensor<f32>
  // CHECK: metis.quantize %[[Y]] {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<4x?xbf16> -> tensor<4x?xf4E2M1FN>, tensor<4x?xf8E4M3FN>, tensor<f32>
  %v2, %bs2, %ts2 = metis.quantize %y {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<4x?xbf16> -> tensor<4x?xf4E2M1FN>, tensor<4x?xf8E4M3FN>, tensor<f32>
  return %bs, %bs2 : tensor<?x8xf8E8M0FNU>, tensor<4x?xf8E4M3FN>
}

//===----------------------------------------------------------------------===//
// metis.dequantize
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @dequantize_f32
// CHECK-SAME: (%[[V:.*]]: tensor<128x256xf4E2M1FN>, %[[BS:.*]]: tensor<128x16xf8E4M3FN>, %[[TS:.*]]: tensor<f32>)
func.func @dequantize_f32(%v: tensor<128x256xf4E2M1FN>, %bs: tensor<128x16xf8E4M3FN>,
                          %ts: tensor<f32>) -> tensor<128x256xf32> {
  // CHECK: metis.dequantize %[[V]], %[[BS]], %[[TS]] {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32> -> tensor<128x256xf32>
  %y = metis.dequantize %v, %bs, %ts {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32> -> tensor<128x256xf32>
  return %y : tensor<128x256xf32>
}

// CHECK-LABEL: func.func @dequantize_bf16
// CHECK-SAME: (%[[V:.*]]: tensor<64x32xf4E2M1FN>, %[[BS:.*]]: tensor<2x32xf8E8M0FNU>, %[[TS:.*]]: tensor<f32>)
func.func @dequantize_bf16(%v: tensor<64x32xf4E2M1FN>, %bs: tensor<2x32xf8E8M0FNU>,
                           %ts: tensor<f32>) -> tensor<64x32xbf16> {
  // CHECK: metis.dequantize %[[V]], %[[BS]], %[[TS]] {axis = 0 : i64, format = #metis.format<mxfp4>} : tensor<64x32xf4E2M1FN>, tensor<2x32xf8E8M0FNU>, tensor<f32> -> tensor<64x32xbf16>
  %y = metis.dequantize %v, %bs, %ts {axis = 0 : i64, format = #metis.format<mxfp4>}
      : tensor<64x32xf4E2M1FN>, tensor<2x32xf8E8M0FNU>, tensor<f32> -> tensor<64x32xbf16>
  return %y : tensor<64x32xbf16>
}

// A quantize/dequantize pair with 16x16 tiles and f32 block scales.
// CHECK-LABEL: func.func @quantize_dequantize
// CHECK-SAME: (%[[X:.*]]: tensor<32x32xf32>)
func.func @quantize_dequantize(%x: tensor<32x32xf32>) -> tensor<32x32xf16> {
  // CHECK: %[[V:.*]], %[[BS:.*]], %[[TS:.*]] = metis.quantize %[[X]] {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>}
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<32x32xf32> -> tensor<32x32xf4E2M1FN>, tensor<32x2xf8E4M3FN>, tensor<f32>
  // CHECK: metis.dequantize %[[V]], %[[BS]], %[[TS]] {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>} : tensor<32x32xf4E2M1FN>, tensor<32x2xf8E4M3FN>, tensor<f32> -> tensor<32x32xf16>
  %y = metis.dequantize %v, %bs, %ts {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>}
      : tensor<32x32xf4E2M1FN>, tensor<32x2xf8E4M3FN>, tensor<f32> -> tensor<32x32xf16>
  return %y : tensor<32x32xf16>
}

//===----------------------------------------------------------------------===//
// metis.scaled_matmul
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @scaled_matmul_nvfp4
// CHECK-SAME: (%[[A:.*]]: tensor<64x128xf4E2M1FN>, %[[AS:.*]]: tensor<64x8xf8E4M3FN>, %[[AT:.*]]: tensor<f32>, %[[B:.*]]: tensor<32x128xf4E2M1FN>, %[[BS:.*]]: tensor<32x8xf8E4M3FN>, %[[BT:.*]]: tensor<f32>)
func.func @scaled_matmul_nvfp4(%a: tensor<64x128xf4E2M1FN>, %as: tensor<64x8xf8E4M3FN>, %at: tensor<f32>,
                               %b: tensor<32x128xf4E2M1FN>, %bs: tensor<32x8xf8E4M3FN>, %bt: tensor<f32>)
    -> tensor<64x32xf32> {
  // CHECK: metis.scaled_matmul %[[A]], %[[AS]], %[[AT]], %[[B]], %[[BS]], %[[BT]] {format = #metis.format<nvfp4>} : tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>, tensor<32x128xf4E2M1FN>, tensor<32x8xf8E4M3FN>, tensor<f32> -> tensor<64x32xf32>
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>,
        tensor<32x128xf4E2M1FN>, tensor<32x8xf8E4M3FN>, tensor<f32> -> tensor<64x32xf32>
  return %c : tensor<64x32xf32>
}

// CHECK-LABEL: func.func @scaled_matmul_mxfp4_bf16
// CHECK-SAME: (%[[A:.*]]: tensor<64x128xf4E2M1FN>, %[[AS:.*]]: tensor<64x4xf8E8M0FNU>, %[[AT:.*]]: tensor<f32>, %[[B:.*]]: tensor<32x128xf4E2M1FN>, %[[BS:.*]]: tensor<32x4xf8E8M0FNU>, %[[BT:.*]]: tensor<f32>)
func.func @scaled_matmul_mxfp4_bf16(%a: tensor<64x128xf4E2M1FN>, %as: tensor<64x4xf8E8M0FNU>, %at: tensor<f32>,
                                    %b: tensor<32x128xf4E2M1FN>, %bs: tensor<32x4xf8E8M0FNU>, %bt: tensor<f32>)
    -> tensor<64x32xbf16> {
  // CHECK: metis.scaled_matmul %[[A]], %[[AS]], %[[AT]], %[[B]], %[[BS]], %[[BT]] {format = #metis.format<mxfp4>} : tensor<64x128xf4E2M1FN>, tensor<64x4xf8E8M0FNU>, tensor<f32>, tensor<32x128xf4E2M1FN>, tensor<32x4xf8E8M0FNU>, tensor<f32> -> tensor<64x32xbf16>
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<mxfp4>}
      : tensor<64x128xf4E2M1FN>, tensor<64x4xf8E8M0FNU>, tensor<f32>,
        tensor<32x128xf4E2M1FN>, tensor<32x4xf8E8M0FNU>, tensor<f32> -> tensor<64x32xbf16>
  return %c : tensor<64x32xbf16>
}

// CHECK-LABEL: func.func @scaled_matmul_batched
// CHECK-SAME: (%[[A:.*]]: tensor<2x64x128xf4E2M1FN>, %[[AS:.*]]: tensor<2x64x8xf32>, %[[AT:.*]]: tensor<f32>, %[[B:.*]]: tensor<2x32x128xf4E2M1FN>, %[[BS:.*]]: tensor<2x32x8xf32>, %[[BT:.*]]: tensor<f32>)
func.func @scaled_matmul_batched(%a: tensor<2x64x128xf4E2M1FN>, %as: tensor<2x64x8xf32>, %at: tensor<f32>,
                                 %b: tensor<2x32x128xf4E2M1FN>, %bs: tensor<2x32x8xf32>, %bt: tensor<f32>)
    -> tensor<2x64x32xf32> {
  // CHECK: metis.scaled_matmul %[[A]], %[[AS]], %[[AT]], %[[B]], %[[BS]], %[[BT]] {format = #metis.format<fp4e2m1b>} : tensor<2x64x128xf4E2M1FN>, tensor<2x64x8xf32>, tensor<f32>, tensor<2x32x128xf4E2M1FN>, tensor<2x32x8xf32>, tensor<f32> -> tensor<2x64x32xf32>
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<fp4e2m1b>}
      : tensor<2x64x128xf4E2M1FN>, tensor<2x64x8xf32>, tensor<f32>,
        tensor<2x32x128xf4E2M1FN>, tensor<2x32x8xf32>, tensor<f32> -> tensor<2x64x32xf32>
  return %c : tensor<2x64x32xf32>
}

// CHECK-LABEL: func.func @scaled_matmul_dynamic_m
// CHECK-SAME: (%[[A:.*]]: tensor<?x128xf4E2M1FN>, %[[AS:.*]]: tensor<?x8xf8E4M3FN>, %[[AT:.*]]: tensor<f32>, %[[B:.*]]: tensor<32x128xf4E2M1FN>, %[[BS:.*]]: tensor<32x8xf8E4M3FN>, %[[BT:.*]]: tensor<f32>)
func.func @scaled_matmul_dynamic_m(%a: tensor<?x128xf4E2M1FN>, %as: tensor<?x8xf8E4M3FN>, %at: tensor<f32>,
                                   %b: tensor<32x128xf4E2M1FN>, %bs: tensor<32x8xf8E4M3FN>, %bt: tensor<f32>)
    -> tensor<?x32xf32> {
  // CHECK: metis.scaled_matmul %[[A]], %[[AS]], %[[AT]], %[[B]], %[[BS]], %[[BT]] {format = #metis.format<nvfp4>} : tensor<?x128xf4E2M1FN>, tensor<?x8xf8E4M3FN>, tensor<f32>, tensor<32x128xf4E2M1FN>, tensor<32x8xf8E4M3FN>, tensor<f32> -> tensor<?x32xf32>
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<?x128xf4E2M1FN>, tensor<?x8xf8E4M3FN>, tensor<f32>,
        tensor<32x128xf4E2M1FN>, tensor<32x8xf8E4M3FN>, tensor<f32> -> tensor<?x32xf32>
  return %c : tensor<?x32xf32>
}

//===----------------------------------------------------------------------===//
// metis.spectral_split
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @spectral_split_defaults
// CHECK-SAME: (%[[X:.*]]: tensor<1024x4096xf32>, %[[SEED:.*]]: i64)
func.func @spectral_split_defaults(%x: tensor<1024x4096xf32>, %seed: i64)
    -> (tensor<1024x16xf32>, tensor<16xf32>, tensor<16x4096xf32>, tensor<1024x4096xf32>) {
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} = metis.spectral_split %[[X]] seed %[[SEED]] {rank = 16 : i64} : tensor<1024x4096xf32> -> tensor<1024x16xf32>, tensor<16xf32>, tensor<16x4096xf32>, tensor<1024x4096xf32>
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed
      {oversample = 4 : i64, power_iters = 2 : i64, rank = 16 : i64,
       sketch = #metis.sketch<gaussian>}
      : tensor<1024x4096xf32> -> tensor<1024x16xf32>, tensor<16xf32>,
        tensor<16x4096xf32>, tensor<1024x4096xf32>
  return %u, %s, %vt, %r : tensor<1024x16xf32>, tensor<16xf32>, tensor<16x4096xf32>, tensor<1024x4096xf32>
}

// CHECK-LABEL: func.func @spectral_split_sketches
// CHECK-SAME: (%[[X:.*]]: tensor<64x128xf32>, %[[SEED:.*]]: i64)
func.func @spectral_split_sketches(%x: tensor<64x128xf32>, %seed: i64) {
  // CHECK: metis.spectral_split %[[X]] seed %[[SEED]] {rank = 8 : i64} : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  %0:4 = metis.spectral_split %x seed %seed {rank = 8 : i64, sketch = #metis.sketch<gaussian>}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  // CHECK: metis.spectral_split %[[X]] seed %[[SEED]] {rank = 8 : i64, sketch = #metis.sketch<rademacher>} : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  %1:4 = metis.spectral_split %x seed %seed {rank = 8 : i64, sketch = #metis.sketch<rademacher>}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  // CHECK: metis.spectral_split %[[X]] seed %[[SEED]] {rank = 8 : i64, sketch = #metis.sketch<sparse_sign>} : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  %2:4 = metis.spectral_split %x seed %seed {rank = 8 : i64, sketch = #metis.sketch<sparse_sign>}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  // CHECK: metis.spectral_split %[[X]] seed %[[SEED]] {rank = 8 : i64, sketch = #metis.sketch<row_sampling>} : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  %3:4 = metis.spectral_split %x seed %seed {rank = 8 : i64, sketch = #metis.sketch<row_sampling>}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>
  return
}

// CHECK-LABEL: func.func @spectral_split_params
// CHECK-SAME: (%[[X:.*]]: tensor<64x128xf32>, %[[SEED:.*]]: i64)
func.func @spectral_split_params(%x: tensor<64x128xf32>, %seed: i64) {
  // CHECK: metis.spectral_split %[[X]] seed %[[SEED]] {oversample = 0 : i64, power_iters = 0 : i64, rank = 1 : i64} : tensor<64x128xf32> -> tensor<64x1xf32>, tensor<1xf32>, tensor<1x128xf32>, tensor<64x128xf32>
  %0:4 = metis.spectral_split %x seed %seed {oversample = 0 : i64, power_iters = 0 : i64, rank = 1 : i64}
      : tensor<64x128xf32> -> tensor<64x1xf32>, tensor<1xf32>, tensor<1x128xf32>, tensor<64x128xf32>
  // CHECK: metis.spectral_split %[[X]] seed %[[SEED]] {oversample = 10 : i64, power_iters = 5 : i64, rank = 63 : i64, sketch = #metis.sketch<rademacher>} : tensor<64x128xf32> -> tensor<64x63xf32>, tensor<63xf32>, tensor<63x128xf32>, tensor<64x128xf32>
  %1:4 = metis.spectral_split %x seed %seed
      {oversample = 10 : i64, power_iters = 5 : i64, rank = 63 : i64, sketch = #metis.sketch<rademacher>}
      : tensor<64x128xf32> -> tensor<64x63xf32>, tensor<63xf32>, tensor<63x128xf32>, tensor<64x128xf32>
  return
}

// The warm start is N x l with l = min(rank + oversample, min(M, N)) = 12;
// the subspace result has the same type.
// Oversampling beyond min(M, N) clamps the sketch width l to min(M, N); a
// huge value must not overflow k + p (regression test).
// CHECK-LABEL: func.func @spectral_split_warm_start_clamped
// CHECK: metis.spectral_split {{.*}} {oversample = 9223372036854775807 : i64, rank = 8 : i64} : {{.*}}, tensor<128x64xf32>
func.func @spectral_split_warm_start_clamped(%x: tensor<64x128xf32>, %seed: i64, %w: tensor<128x64xf32>) -> tensor<128x64xf32> {
  %u, %s, %vt, %r, %sub = metis.spectral_split %x seed %seed warm_start %w : tensor<128x64xf32>
      {oversample = 9223372036854775807 : i64, rank = 8 : i64}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>, tensor<128x64xf32>
  return %sub : tensor<128x64xf32>
}

// CHECK-LABEL: func.func @spectral_split_warm_start
// CHECK-SAME: (%[[X:.*]]: tensor<64x128xf32>, %[[SEED:.*]]: i64, %[[W:.*]]: tensor<128x12xf32>)
func.func @spectral_split_warm_start(%x: tensor<64x128xf32>, %seed: i64, %w: tensor<128x12xf32>)
    -> tensor<128x12xf32> {
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[SUB:.*]] = metis.spectral_split %[[X]] seed %[[SEED]] warm_start %[[W]] : tensor<128x12xf32> {rank = 8 : i64} : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>, tensor<64x128xf32>, tensor<128x12xf32>
  %u, %s, %vt, %r, %sub = metis.spectral_split %x seed %seed warm_start %w : tensor<128x12xf32>
      {rank = 8 : i64}
      : tensor<64x128xf32> -> tensor<64x8xf32>, tensor<8xf32>, tensor<8x128xf32>,
        tensor<64x128xf32>, tensor<128x12xf32>
  // CHECK: return %[[SUB]]
  return %sub : tensor<128x12xf32>
}

// A bf16 input; the factors and the residual are always f32. The dynamic
// case checks nothing about rank against min(M, N).
// CHECK-LABEL: func.func @spectral_split_bf16
// CHECK-SAME: (%[[X:.*]]: tensor<64x128xbf16>, %[[Y:.*]]: tensor<?x128xbf16>, %[[SEED:.*]]: i64)
func.func @spectral_split_bf16(%x: tensor<64x128xbf16>, %y: tensor<?x128xbf16>, %seed: i64) {
  // CHECK: metis.spectral_split %[[X]] seed %[[SEED]] {power_iters = 1 : i64, rank = 4 : i64} : tensor<64x128xbf16> -> tensor<64x4xf32>, tensor<4xf32>, tensor<4x128xf32>, tensor<64x128xf32>
  %0:4 = metis.spectral_split %x seed %seed {power_iters = 1 : i64, rank = 4 : i64}
      : tensor<64x128xbf16> -> tensor<64x4xf32>, tensor<4xf32>, tensor<4x128xf32>, tensor<64x128xf32>
  // CHECK: metis.spectral_split %[[Y]] seed %[[SEED]] {rank = 4 : i64} : tensor<?x128xbf16> -> tensor<?x4xf32>, tensor<4xf32>, tensor<4x128xf32>, tensor<?x128xf32>
  %1:4 = metis.spectral_split %y seed %seed {rank = 4 : i64}
      : tensor<?x128xbf16> -> tensor<?x4xf32>, tensor<4xf32>, tensor<4x128xf32>, tensor<?x128xf32>
  return
}

//===----------------------------------------------------------------------===//
// metis.spectral_matmul
//===----------------------------------------------------------------------===//

// No stochastic rounding and no split: no seed.
// CHECK-LABEL: func.func @spectral_matmul_no_seed
// CHECK-SAME: (%[[X:.*]]: tensor<512x1024xf32>, %[[W:.*]]: tensor<4096x1024xf32>)
func.func @spectral_matmul_no_seed(%x: tensor<512x1024xf32>, %w: tensor<4096x1024xf32>)
    -> tensor<512x4096xf32> {
  // CHECK: metis.spectral_matmul %[[X]], %[[W]] {lhs_policy = #metis.operand<format = <nvfp4>>, rhs_policy = #metis.operand<format = <nvfp4, 16x16>>} : tensor<512x1024xf32>, tensor<4096x1024xf32> -> tensor<512x4096xf32>
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, rounding = rne>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4, 16x16>>}
      : tensor<512x1024xf32>, tensor<4096x1024xf32> -> tensor<512x4096xf32>
  return %y : tensor<512x4096xf32>
}

// CHECK-LABEL: func.func @spectral_matmul_split
// CHECK-SAME: (%[[X:.*]]: tensor<512x1024xf32>, %[[W:.*]]: tensor<4096x1024xf32>, %[[SEED:.*]]: i64)
func.func @spectral_matmul_split(%x: tensor<512x1024xf32>, %w: tensor<4096x1024xf32>, %seed: i64)
    -> tensor<512x4096xbf16> {
  // CHECK: metis.spectral_matmul %[[X]], %[[W]] seed %[[SEED]] {lhs_policy = #metis.operand<format = <nvfp4>, role = activation>, rhs_policy = #metis.operand<format = <nvfp4, 16x16>, role = weight, split = <rank = 16>>} : tensor<512x1024xf32>, tensor<4096x1024xf32> -> tensor<512x4096xbf16>
  %y = metis.spectral_matmul %x, %w seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = activation>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4, 16x16>, role = weight,
                                  split = #metis.split<rank = 16>>}
      : tensor<512x1024xf32>, tensor<4096x1024xf32> -> tensor<512x4096xbf16>
  return %y : tensor<512x4096xbf16>
}

// Every #metis.split parameter with a non-default value, on both operands.
// CHECK-LABEL: func.func @spectral_matmul_split_params
// CHECK-SAME: (%[[G:.*]]: tensor<256x512xbf16>, %[[X:.*]]: tensor<128x512xbf16>, %[[SEED:.*]]: i64)
func.func @spectral_matmul_split_params(%g: tensor<256x512xbf16>, %x: tensor<128x512xbf16>, %seed: i64)
    -> tensor<256x128xf32> {
  // CHECK: metis.spectral_matmul %[[G]], %[[X]] seed %[[SEED]] {lhs_policy = #metis.operand<format = <mxfp4>, rounding = stochastic, role = gradient, split = <rank = 8, oversample = 0, power_iters = 0, sketch = sparse_sign, factors = bf16, residual = compensated, gain = reference>>, rhs_policy = #metis.operand<format = <mxfp4>, role = activation, split = <rank = 32, oversample = 16, power_iters = 4, sketch = row_sampling, factors = f32, residual = compensated, gain = smooth>>} : tensor<256x512xbf16>, tensor<128x512xbf16> -> tensor<256x128xf32>
  %y = metis.spectral_matmul %g, %x seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<mxfp4>, rounding = stochastic,
                                  role = gradient,
                                  split = #metis.split<rank = 8, oversample = 0, power_iters = 0,
                                                       sketch = sparse_sign, factors = bf16,
                                                       residual = compensated, gain = reference>>,
      rhs_policy = #metis.operand<format = #metis.format<mxfp4>, role = activation,
                                  split = #metis.split<rank = 32, oversample = 16, power_iters = 4,
                                                       sketch = row_sampling, factors = f32,
                                                       residual = compensated, gain = smooth>>}
      : tensor<256x512xbf16>, tensor<128x512xbf16> -> tensor<256x128xf32>
  return %y : tensor<256x128xf32>
}

// Stochastic rounding alone (no split) also takes a seed; the rademacher
// sketch, like every default-valued split parameter, prints only when set.
// CHECK-LABEL: func.func @spectral_matmul_stochastic
// CHECK-SAME: (%[[X:.*]]: tensor<64x64xf32>, %[[W:.*]]: tensor<32x64xf32>, %[[SEED:.*]]: i64)
func.func @spectral_matmul_stochastic(%x: tensor<64x64xf32>, %w: tensor<32x64xf32>, %seed: i64)
    -> tensor<64x32xf32> {
  // CHECK: metis.spectral_matmul %[[X]], %[[W]] seed %[[SEED]] {lhs_policy = #metis.operand<format = <fp4e2m1b>, rounding = stochastic>, rhs_policy = #metis.operand<format = <fp4e2m1b>, role = weight, split = <rank = 4, sketch = rademacher>>} : tensor<64x64xf32>, tensor<32x64xf32> -> tensor<64x32xf32>
  %y = metis.spectral_matmul %x, %w seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<fp4e2m1b>, rounding = stochastic>,
      rhs_policy = #metis.operand<format = #metis.format<fp4e2m1b>, role = weight,
                                  split = #metis.split<rank = 4, oversample = 4, sketch = rademacher>>}
      : tensor<64x64xf32>, tensor<32x64xf32> -> tensor<64x32xf32>
  return %y : tensor<64x32xf32>
}

// 3-D batched operands (no split, which applies to 2-D operands only).
// CHECK-LABEL: func.func @spectral_matmul_batched
// CHECK-SAME: (%[[X:.*]]: tensor<4x64x128xf32>, %[[W:.*]]: tensor<4x32x128xbf16>)
func.func @spectral_matmul_batched(%x: tensor<4x64x128xf32>, %w: tensor<4x32x128xbf16>)
    -> tensor<4x64x32xbf16> {
  // CHECK: metis.spectral_matmul %[[X]], %[[W]] {lhs_policy = #metis.operand<format = <nvfp4>, role = activation>, rhs_policy = #metis.operand<format = <nvfp4>, role = activation>} : tensor<4x64x128xf32>, tensor<4x32x128xbf16> -> tensor<4x64x32xbf16>
  %y = metis.spectral_matmul %x, %w {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = activation>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = activation>}
      : tensor<4x64x128xf32>, tensor<4x32x128xbf16> -> tensor<4x64x32xbf16>
  return %y : tensor<4x64x32xbf16>
}

// Warm starts: a K x l starting subspace per split operand, and the next
// subspace as an extra result (both operands, then the rhs alone).
// CHECK-LABEL: func.func @spectral_matmul_warm_start
// CHECK-SAME: (%[[G:.*]]: tensor<64x128xf32>, %[[W:.*]]: tensor<96x128xf32>, %[[WA:.*]]: tensor<128x20xf32>, %[[WB:.*]]: tensor<128x12xf32>, %[[SEED:.*]]: i64)
func.func @spectral_matmul_warm_start(%g: tensor<64x128xf32>, %w: tensor<96x128xf32>,
    %wa: tensor<128x20xf32>, %wb: tensor<128x12xf32>, %seed: i64)
    -> (tensor<64x96xf32>, tensor<128x20xf32>, tensor<128x12xf32>) {
  // CHECK: %{{.*}}, %{{.*}}, %{{.*}} = metis.spectral_matmul %[[G]], %[[W]] seed %[[SEED]] lhs_warm_start %[[WA]] : tensor<128x20xf32> rhs_warm_start %[[WB]] : tensor<128x12xf32> {{{.*}}} : tensor<64x128xf32>, tensor<96x128xf32> -> tensor<64x96xf32> lhs_subspace tensor<128x20xf32> rhs_subspace tensor<128x12xf32>
  %c, %sa, %sb = metis.spectral_matmul %g, %w seed %seed
      lhs_warm_start %wa : tensor<128x20xf32> rhs_warm_start %wb : tensor<128x12xf32> {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = gradient,
                                  split = #metis.split<rank = 16>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = weight,
                                  split = #metis.split<rank = 8, power_iters = 0>>}
      : tensor<64x128xf32>, tensor<96x128xf32> -> tensor<64x96xf32>
        lhs_subspace tensor<128x20xf32> rhs_subspace tensor<128x12xf32>
  return %c, %sa, %sb : tensor<64x96xf32>, tensor<128x20xf32>, tensor<128x12xf32>
}

// CHECK-LABEL: func.func @spectral_matmul_warm_start_rhs
// CHECK: metis.spectral_matmul %{{.*}}, %{{.*}} seed %{{.*}} rhs_warm_start %{{.*}} : tensor<128x12xf32> {{{.*}}} : tensor<64x128xf32>, tensor<96x128xf32> -> tensor<64x96xf32> rhs_subspace tensor<128x12xf32>
func.func @spectral_matmul_warm_start_rhs(%g: tensor<64x128xf32>, %w: tensor<96x128xf32>,
    %wb: tensor<128x12xf32>, %seed: i64) -> (tensor<64x96xf32>, tensor<128x12xf32>) {
  %c, %sb = metis.spectral_matmul %g, %w seed %seed rhs_warm_start %wb : tensor<128x12xf32> {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = gradient>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, role = weight,
                                  split = #metis.split<rank = 8, power_iters = 0>>}
      : tensor<64x128xf32>, tensor<96x128xf32> -> tensor<64x96xf32> rhs_subspace tensor<128x12xf32>
  return %c, %sb : tensor<64x96xf32>, tensor<128x12xf32>
}

//===----------------------------------------------------------------------===//
// Standalone attributes (as discardable attributes on a function)
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @enum_attrs
// CHECK-SAME: metis.gradient = #metis.role<gradient>
// CHECK-SAME: metis.rne = #metis.rounding<rne>
// CHECK-SAME: metis.sketch = #metis.sketch<sparse_sign>
// CHECK-SAME: metis.stochastic = #metis.rounding<stochastic>
// CHECK-SAME: metis.weight = #metis.role<weight>
func.func @enum_attrs() attributes {
    metis.gradient = #metis.role<gradient>,
    metis.rne = #metis.rounding<rne>,
    metis.sketch = #metis.sketch<sparse_sign>,
    metis.stochastic = #metis.rounding<stochastic>,
    metis.weight = #metis.role<weight>} {
  return
}

// Default block shapes are elided; the 16x16 tiles are not.
// CHECK-LABEL: func.func @format_attrs
// CHECK-SAME: metis.f0 = #metis.format<nvfp4>
// CHECK-SAME: metis.f1 = #metis.format<nvfp4>
// CHECK-SAME: metis.f2 = #metis.format<nvfp4, 16x16>
// CHECK-SAME: metis.f3 = #metis.format<mxfp4>
// CHECK-SAME: metis.f4 = #metis.format<mxfp4>
// CHECK-SAME: metis.f5 = #metis.format<fp4e2m1b>
// CHECK-SAME: metis.f6 = #metis.format<fp4e2m1b>
func.func @format_attrs() attributes {
    metis.f0 = #metis.format<nvfp4>,
    metis.f1 = #metis.format<nvfp4, 1x16>,
    metis.f2 = #metis.format<nvfp4, 16x16>,
    metis.f3 = #metis.format<mxfp4>,
    metis.f4 = #metis.format<mxfp4, 1x32>,
    metis.f5 = #metis.format<fp4e2m1b>,
    metis.f6 = #metis.format<fp4e2m1b, 1x16>} {
  return
}

// CHECK-LABEL: func.func @split_operand_attrs
// CHECK-SAME: metis.op0 = #metis.operand<format = <mxfp4>>
// CHECK-SAME: metis.op1 = #metis.operand<format = <nvfp4, 16x16>, rounding = stochastic, role = gradient, split = <rank = 2, gain = smooth>>
// CHECK-SAME: metis.s0 = #metis.split<rank = 16>
// CHECK-SAME: metis.s1 = #metis.split<rank = 3, oversample = 0, power_iters = 7, sketch = row_sampling, factors = bf16, residual = compensated, gain = reference>
func.func @split_operand_attrs() attributes {
    metis.op0 = #metis.operand<format = #metis.format<mxfp4>>,
    metis.op1 = #metis.operand<format = #metis.format<nvfp4, 16x16>, rounding = stochastic,
                               role = gradient, split = #metis.split<rank = 2, gain = smooth>>,
    metis.s0 = #metis.split<rank = 16, oversample = 4, power_iters = 2, sketch = gaussian,
                            factors = fp4, residual = exact, gain = none>,
    metis.s1 = #metis.split<rank = 3, oversample = 0, power_iters = 7, sketch = row_sampling,
                            factors = bf16, residual = compensated, gain = reference>} {
  return
}
