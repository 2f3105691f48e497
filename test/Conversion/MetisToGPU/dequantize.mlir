// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_90a" --split-input-file | FileCheck %s
// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_90a" --canonicalize --split-input-file | FileCheck %s --check-prefix=FUSED

// metis.dequantize of a GPU quantization reads the quantize kernel's packed
// outputs (no host unpacking once canonicalized); one thread per code word
// computes e2m1 · (decode(scale) · tensor_scale) in f32, as the CPU path
// does, then rounds to bf16.

// CHECK-LABEL: func.func @roundtrip
// CHECK: gpu.launch_func  @metis_gpu_kernels::@metis_quantize_nvfp4_rne_64x128_f32
// CHECK: gpu.launch_func  @metis_gpu_kernels::@metis_dequantize_nvfp4_64x128_bf16 blocks in (%c4, %c1{{.*}}, %c1{{.*}}) threads in (%c256
// CHECK-SAME: args(%{{.*}} : memref<64x16xi32>, %{{.*}} : memref<64x2xi32>, %{{.*}} : memref<1xf32>, %{{.*}} : memref<64x128xbf16>)
// CHECK-LABEL: gpu.func @metis_dequantize_nvfp4_64x128_bf16
// CHECK-SAME: known_grid_size = array<i32: 4, 1, 1>
// CHECK: %[[T:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<1xf32>
// CHECK: scf.if
// Word w of row r: block w / 2 (two words per 16-block), byte (w / 2) % 4
// of scale word (w / 2) / 4.
// CHECK: %[[WORD:.*]] = memref.load %{{.*}}[%{{.*}}, %{{.*}}] : memref<64x16xi32>
// CHECK: %[[BLK:.*]] = arith.divui %{{.*}}, %c2{{.*}} : index
// CHECK: %[[SW:.*]] = memref.load %{{.*}}[%{{.*}}, %{{.*}}] : memref<64x2xi32>
// CHECK: %[[SB:.*]] = arith.trunci %{{.*}} : i32 to i8
// CHECK: %[[SCALE:.*]] = arith.mulf %{{.*}}, %[[T]] : f32
// CHECK-COUNT-8: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<64x128xbf16>
// FUSED-LABEL: func.func @roundtrip
// FUSED-NOT: linalg.generic
// FUSED: gpu.launch_func  @metis_gpu_kernels::@metis_quantize_nvfp4_rne_64x128_f32
// FUSED-SAME: args(%{{.*}} : memref<64x128xf32>, %{{.*}} : memref<1xi32>, %[[CODES:.*]] : memref<64x16xi32>, %[[SCALES:.*]] : memref<64x2xi32>, %[[TS:.*]] : memref<1xf32>, %{{.*}} : i64)
// FUSED: gpu.launch_func  @metis_gpu_kernels::@metis_dequantize_nvfp4_64x128_bf16
// FUSED-SAME: args(%[[CODES]] : memref<64x16xi32>, %[[SCALES]] : memref<64x2xi32>, %[[TS]] : memref<1xf32>, %{{.*}} : memref<64x128xbf16>)
// FUSED-NOT: linalg.generic
// FUSED: return
func.func @roundtrip(%x: tensor<64x128xf32>) -> tensor<64x128xbf16> {
  %v, %s, %t = metis.quantize %x {format = #metis.format<nvfp4>, axis = 1 : i64}
    : tensor<64x128xf32> -> tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>
  %y = metis.dequantize %v, %s, %t {format = #metis.format<nvfp4>, axis = 1 : i64}
    : tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32> -> tensor<64x128xbf16>
  return %y : tensor<64x128xbf16>
}

// -----

// Operands from elsewhere are packed on the host (codes 8 per word, scale
// bytes 4 per word, the 0-d tensor scale as a 1-element buffer); MXFP4:
// 4 words per 32-block.

// CHECK-LABEL: func.func @host_operands
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: tensor.expand_shape %{{.*}} [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK: gpu.launch_func  @metis_gpu_kernels::@metis_dequantize_mxfp4_32x256_f32
// CHECK-LABEL: gpu.func @metis_dequantize_mxfp4_32x256_f32
// CHECK: arith.divui %{{.*}}, %c4{{.*}} : index
// CHECK-NOT: arith.truncf
// CHECK: gpu.return
func.func @host_operands(%v: tensor<32x256xf4E2M1FN>, %s: tensor<32x8xf8E8M0FNU>, %t: tensor<f32>) -> tensor<32x256xf32> {
  %y = metis.dequantize %v, %s, %t {format = #metis.format<mxfp4>, axis = 1 : i64}
    : tensor<32x256xf4E2M1FN>, tensor<32x8xf8E8M0FNU>, tensor<f32> -> tensor<32x256xf32>
  return %y : tensor<32x256xf32>
}

// -----

// Dequantizations the kernel does not cover stay for the host: along
// another axis, 16x16 tiles, fp4e2m1b (f32 scales).

// CHECK-LABEL: func.func @host
// CHECK-COUNT-3: metis.dequantize
// CHECK-NOT: gpu.launch_func
func.func @host(%v: tensor<128x256xf4E2M1FN>, %s0: tensor<8x256xf8E4M3FN>, %s1: tensor<128x16xf8E4M3FN>,
                %s2: tensor<128x16xf32>, %t: tensor<f32>) -> (tensor<128x256xf32>, tensor<128x256xf32>, tensor<128x256xf32>) {
  %a = metis.dequantize %v, %s0, %t {format = #metis.format<nvfp4>, axis = 0 : i64}
    : tensor<128x256xf4E2M1FN>, tensor<8x256xf8E4M3FN>, tensor<f32> -> tensor<128x256xf32>
  %b = metis.dequantize %v, %s1, %t {format = #metis.format<nvfp4, 16x16>, axis = 1 : i64}
    : tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32> -> tensor<128x256xf32>
  %c = metis.dequantize %v, %s2, %t {format = #metis.format<fp4e2m1b>, axis = 1 : i64}
    : tensor<128x256xf4E2M1FN>, tensor<128x16xf32>, tensor<f32> -> tensor<128x256xf32>
  return %a, %b, %c : tensor<128x256xf32>, tensor<128x256xf32>, tensor<128x256xf32>
}
