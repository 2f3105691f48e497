// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_90a" --split-input-file | FileCheck %s
// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_90a" --canonicalize --split-input-file | FileCheck %s --check-prefix=FUSED

// NVFP4 RNE: the amax kernel (atomic max into a zeroed word), then the
// quantize kernel (one thread per scale word = 4 blocks); the op's results
// are unpacked from the packed outputs.

// CHECK-LABEL: func.func @nvfp4_rne
// CHECK:         %[[X:.*]] = bufferization.to_buffer %{{.*}} : tensor<128x256xf32> to memref<128x256xf32>
// CHECK:         %[[AMAX:.*]] = memref.alloc() : memref<1xi32>
// CHECK:         memref.store %{{.*}}, %[[AMAX]][%{{.*}}] : memref<1xi32>
// CHECK:         %[[CODES:.*]] = memref.alloc() : memref<128x32xi32>
// CHECK:         %[[SCALES:.*]] = memref.alloc() : memref<128x4xi32>
// CHECK:         %[[TS:.*]] = memref.alloc() : memref<1xf32>
// CHECK:         %[[SEED:.*]] = arith.constant 0 : i64
// CHECK:         gpu.launch_func  @metis_gpu_kernels::@metis_amax_128x256_f32 blocks in ({{.*}}) threads in ({{.*}}) args(%[[X]] : memref<128x256xf32>, %[[AMAX]] : memref<1xi32>)
// CHECK:         gpu.launch_func  @metis_gpu_kernels::@metis_quantize_nvfp4_rne_128x256_f32 {{.*}} args(%[[X]] : memref<128x256xf32>, %[[AMAX]] : memref<1xi32>, %[[CODES]] : memref<128x32xi32>, %[[SCALES]] : memref<128x4xi32>, %[[TS]] : memref<1xf32>, %[[SEED]] : i64)
// Unpacked results: nibble i of each code word, byte i of each scale word.
// CHECK:         linalg.generic
// CHECK:           arith.trunci %{{.*}} : i32 to i4
// CHECK:           arith.bitcast %{{.*}} : i4 to f4E2M1FN
// CHECK:         tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<128x32x8xf4E2M1FN> into tensor<128x256xf4E2M1FN>
// CHECK:         linalg.generic
// CHECK:           arith.trunci %{{.*}} : i32 to i8
// CHECK:           arith.bitcast %{{.*}} : i8 to f8E4M3FN
// CHECK:         tensor.collapse_shape %{{.*}} : tensor<1xf32> into tensor<f32>

// CHECK: gpu.module @metis_gpu_kernels
// CHECK-LABEL: gpu.func @metis_amax_128x256_f32(
// CHECK-SAME:      known_grid_size = array<i32: 8, 1, 1>
// 16 elements per thread, |x| max (NaN-propagating), warp xor-shuffle max
// of the bits, one atomic per warp.
// CHECK-COUNT-16: arith.maximumf
// CHECK:          arith.bitcast %{{.*}} : f32 to i32
// CHECK:          gpu.shuffle  xor %{{.*}}, %{{.*}}, %{{.*}} : i32
// CHECK:          arith.maxui
// CHECK:          memref.atomic_rmw maxu %{{.*}}, %{{.*}}[%{{.*}}] : (i32, memref<1xi32>) -> i32
// CHECK-LABEL: gpu.func @metis_quantize_nvfp4_rne_128x256_f32(
// CHECK-SAME:      %{{.*}}: memref<128x256xf32>, %{{.*}}: memref<1xi32>, %{{.*}}: memref<128x32xi32>, %{{.*}}: memref<128x4xi32>, %{{.*}}: memref<1xf32>, %{{.*}}: i64)
// CHECK-SAME:      known_grid_size = array<i32: 2, 1, 1>
// TransformerEngine's encode scale g = min(2688 / amax, FLT_MAX).
// CHECK:          arith.constant 2.688000e+03 : f32
// CHECK:          arith.divf
// CHECK:          scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (i32)
// CHECK:            arith.constant 4.480000e+02 : f32
// CHECK-COUNT-2:    memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<128x32xi32>
// CHECK:            scf.yield
// CHECK:          memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<128x4xi32>
func.func @nvfp4_rne(%x: tensor<128x256xf32>) -> (tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32>) {
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
    : tensor<128x256xf32> -> tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32>
  return %v, %s, %t : tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32>
}

// -----

// MXFP4 with stochastic rounding of a bf16 input: no tensor amax, the seed
// is a kernel argument, Philox random bits per element.

// CHECK-LABEL: func.func @mxfp4_sr
// CHECK-SAME:      %[[SEED:[a-z0-9]+]]: i64
// CHECK-NOT:     metis_amax
// CHECK:         gpu.launch_func  @metis_gpu_kernels::@metis_quantize_mxfp4_sr_64x256_bf16 {{.*}} %[[SEED]] : i64)
// CHECK:       gpu.func @metis_quantize_mxfp4_sr_64x256_bf16(
// CHECK:         arith.extf %{{.*}} : bf16 to f32
// Philox4x32-10 multiplier.
// CHECK:         arith.constant -766435501 : i32
func.func @mxfp4_sr(%x: tensor<64x256xbf16>, %seed: i64) -> (tensor<64x256xf4E2M1FN>, tensor<64x8xf8E8M0FNU>, tensor<f32>) {
  %v, %s, %t = metis.quantize %x seed %seed {axis = 1 : i64, format = #metis.format<mxfp4>, rounding = #metis.rounding<stochastic>}
    : tensor<64x256xbf16> -> tensor<64x256xf4E2M1FN>, tensor<64x8xf8E8M0FNU>, tensor<f32>
  return %v, %s, %t : tensor<64x256xf4E2M1FN>, tensor<64x8xf8E8M0FNU>, tensor<f32>
}

// -----

// A GEMM on GPU-quantized operands takes the packed buffers directly; the
// unpacking of the op results is then dead.

// FUSED-LABEL: func.func @fused
// FUSED:         %[[AC:.*]] = memref.alloc() : memref<128x32xi32>
// FUSED:         %[[AS:.*]] = memref.alloc() : memref<128x4xi32>
// FUSED:         %[[AT:.*]] = memref.alloc() : memref<1xf32>
// FUSED:         gpu.launch_func  @metis_gpu_kernels::@metis_quantize_nvfp4_rne_128x256_f32
// FUSED:         gpu.launch_func  @metis_gpu_kernels::@metis_smm_bf16emu_nvfp4_128x128x256_f32 {{.*}} args(%[[AC]] : memref<128x32xi32>, %[[AS]] : memref<128x4xi32>, %[[AT]] : memref<1xf32>, %[[AC]] : memref<128x32xi32>, %[[AS]] : memref<128x4xi32>, %[[AT]] : memref<1xf32>,
// FUSED-NOT:     linalg.generic
// FUSED:         return
func.func @fused(%x: tensor<128x256xf32>) -> tensor<128x128xf32> {
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
    : tensor<128x256xf32> -> tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32>
  %c = metis.scaled_matmul %v, %s, %t, %v, %s, %t {format = #metis.format<nvfp4>}
    : tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32>,
      tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}

// -----

// Quantizations the GPU kernel does not cover stay for the host
// (convert-metis-to-linalg in metis-gpu-pipeline): another axis, 16x16
// tiles, fp4e2m1b.

// CHECK-LABEL: func.func @host
// CHECK-COUNT-3: metis.quantize
// CHECK-NOT:     gpu.launch_func
func.func @host(%x: tensor<128x256xf32>) -> (tensor<128x256xf4E2M1FN>, tensor<128x256xf4E2M1FN>, tensor<128x256xf4E2M1FN>) {
  %v0, %s0, %t0 = metis.quantize %x {axis = 0 : i64, format = #metis.format<nvfp4>}
    : tensor<128x256xf32> -> tensor<128x256xf4E2M1FN>, tensor<8x256xf8E4M3FN>, tensor<f32>
  %v1, %s1, %t1 = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>}
    : tensor<128x256xf32> -> tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32>
  %v2, %s2, %t2 = metis.quantize %x {axis = 1 : i64, format = #metis.format<fp4e2m1b>}
    : tensor<128x256xf32> -> tensor<128x256xf4E2M1FN>, tensor<128x16xf32>, tensor<f32>
  return %v0, %v1, %v2 : tensor<128x256xf4E2M1FN>, tensor<128x256xf4E2M1FN>, tensor<128x256xf4E2M1FN>
}
