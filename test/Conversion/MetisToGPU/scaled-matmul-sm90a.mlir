// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_90a" --split-input-file | FileCheck %s

// NVFP4 on sm_90a: packed operands, cp.async pipeline, bf16 mma.sync.

// CHECK: module attributes {gpu.container_module}
// CHECK-LABEL: func.func @nvfp4
// Host: codes packed 8 per i32 word (low nibble first), scales 4 per word.
// CHECK:         %[[AX:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [256, 32, 8] : tensor<256x256xf4E2M1FN> into tensor<256x32x8xf4E2M1FN>
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[AX]] : tensor<256x32x8xf4E2M1FN>)
// CHECK:           arith.bitcast %{{.*}} : f4E2M1FN to i4
// CHECK:           arith.shli
// CHECK:           arith.ori
// CHECK:         bufferization.to_buffer %{{.*}} : tensor<256x32xi32> to memref<256x32xi32>
// CHECK:         tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [256, 4, 4] : tensor<256x16xf8E4M3FN> into tensor<256x4x4xf8E4M3FN>
// CHECK:         bufferization.to_buffer %{{.*}} : tensor<256x4xi32> to memref<256x4xi32>
// CHECK:         tensor.expand_shape %{{.*}} [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK:         %[[C:.*]] = memref.alloc() : memref<256x128xf32>
// Grid: N/128 x M/128 blocks of 256 threads.
// CHECK-NEXT:    %[[GX:.*]] = arith.constant 1 : index
// CHECK-NEXT:    %[[GY:.*]] = arith.constant 2 : index
// CHECK-NEXT:    %[[GZ:.*]] = arith.constant 1 : index
// CHECK-NEXT:    %[[TX:.*]] = arith.constant 256 : index
// CHECK:         gpu.launch_func  @metis_gpu_kernels::@metis_smm_bf16emu_nvfp4_256x128x256_f32 blocks in (%[[GX]], %[[GY]], %[[GZ]]) threads in (%[[TX]],
// CHECK-SAME:      args(%{{.*}} : memref<256x32xi32>, %{{.*}} : memref<256x4xi32>, %{{.*}} : memref<1xf32>, %{{.*}} : memref<128x32xi32>, %{{.*}} : memref<128x4xi32>, %{{.*}} : memref<1xf32>, %[[C]] : memref<256x128xf32>)
// CHECK:         bufferization.to_tensor %[[C]] restrict writable : memref<256x128xf32> to tensor<256x128xf32>

// CHECK: gpu.module @metis_gpu_kernels
// CHECK:   gpu.func @metis_smm_bf16emu_nvfp4_256x128x256_f32(
// 3 stages of 128 rows x (8 + 4 padding) words, and one scale word per row.
// CHECK-SAME: workgroup(%[[SA:.*]] : memref<3x128x12xi32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[SB:.*]] : memref<3x128x12xi32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[SSA:.*]] : memref<3x128x1xi32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[SSB:.*]] : memref<3x128x1xi32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-SAME: kernel
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK-SAME: known_grid_size = array<i32: 1, 2, 1>
// Prologue: two K tiles in flight (16-byte copies bypass L1).
// CHECK:     nvgpu.device_async_copy %{{.*}}, %[[SA]][{{.*}}], 4 {bypassL1}
// CHECK:     nvgpu.device_async_copy %{{.*}}, %[[SB]][{{.*}}], 4 {bypassL1}
// CHECK:     nvgpu.device_async_copy %{{.*}}, %[[SSA]][{{.*}}], 1
// CHECK:     nvgpu.device_async_create_group
// CHECK:     nvgpu.device_async_copy
// CHECK:     nvgpu.device_async_create_group
// K loop over 4 tiles: wait for the oldest group, refill, compute.
// CHECK:     scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}, {{.*}}) -> (!nvgpu.device.async.token, f32,
// CHECK:       nvgpu.device_async_wait %{{.*}} {numGroups = 1 : i32}
// CHECK:       gpu.barrier
// CHECK:       scf.if
// CHECK:         nvgpu.device_async_create_group
// CHECK:       } else {
// CHECK:         nvgpu.device_async_create_group
// Four k16 steps per tile; decoded bf16 pairs feed the MMA.
// CHECK:       scf.for
// CHECK:         arith.mulf
// CHECK:         arith.andi %{{.*}}, %{{.*}} : i32
// CHECK-COUNT-16: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// Epilogue: tensor scales multiply the accumulators.
// CHECK:     %[[TS:.*]] = arith.mulf
// CHECK-COUNT-64: memref.store
// CHECK:     gpu.return
func.func @nvfp4(%a: tensor<256x256xf4E2M1FN>, %as: tensor<256x16xf8E4M3FN>, %at: tensor<f32>,
                 %b: tensor<128x256xf4E2M1FN>, %bs: tensor<128x16xf8E4M3FN>, %bt: tensor<f32>) -> tensor<256x128xf32> {
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
    : tensor<256x256xf4E2M1FN>, tensor<256x16xf8E4M3FN>, tensor<f32>,
      tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32> -> tensor<256x128xf32>
  return %c : tensor<256x128xf32>
}

// -----

// MXFP4 with a bf16 result: K tiles of 128 (4 blocks of 32), 2 stages,
// scale byte s/2 for k16 step s, bf16 rounding of the scaled result.

// CHECK-LABEL: func.func @mxfp4_bf16
// CHECK:         gpu.launch_func  @metis_gpu_kernels::@metis_smm_bf16emu_mxfp4_128x128x256_bf16
// CHECK: gpu.func @metis_smm_bf16emu_mxfp4_128x128x256_bf16(%{{.*}}: memref<128x32xi32>, %{{.*}}: memref<128x2xi32>, %{{.*}}: memref<1xf32>, %{{.*}}: memref<128x32xi32>, %{{.*}}: memref<128x2xi32>, %{{.*}}: memref<1xf32>, %{{.*}}: memref<128x128xbf16>)
// CHECK-SAME: workgroup(%{{.*}} : memref<2x128x20xi32, #gpu.address_space<workgroup>>
// CHECK:       nvgpu.device_async_wait %{{.*}} {numGroups = 0 : i32}
// CHECK:       scf.for %{{.*}} = %c0{{.*}} to %c8{{.*}} step
// E8M0 decode: 0 -> 2^-127 (subnormal), 0xFF -> NaN.
// CHECK:         arith.constant 4194304 : i32
// CHECK:         nvvm.mma.sync
// CHECK:     arith.truncf %{{.*}} : f32 to bf16
// CHECK:     memref.store %{{.*}} : memref<128x128xbf16>
func.func @mxfp4_bf16(%a: tensor<128x256xf4E2M1FN>, %as: tensor<128x8xf8E8M0FNU>, %at: tensor<f32>,
                      %b: tensor<128x256xf4E2M1FN>, %bs: tensor<128x8xf8E8M0FNU>, %bt: tensor<f32>) -> tensor<128x128xbf16> {
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<mxfp4>}
    : tensor<128x256xf4E2M1FN>, tensor<128x8xf8E8M0FNU>, tensor<f32>,
      tensor<128x256xf4E2M1FN>, tensor<128x8xf8E8M0FNU>, tensor<f32> -> tensor<128x128xbf16>
  return %c : tensor<128x128xbf16>
}

// -----

// Two matmuls of one shape share one kernel.

// CHECK-LABEL: func.func @shared_kernel
// CHECK: gpu.launch_func  @metis_gpu_kernels::@metis_smm_bf16emu_nvfp4_128x128x64_f32
// CHECK: gpu.launch_func  @metis_gpu_kernels::@metis_smm_bf16emu_nvfp4_128x128x64_f32
// CHECK: gpu.module @metis_gpu_kernels
// CHECK-COUNT-1: gpu.func
// CHECK-NOT: gpu.func
func.func @shared_kernel(%a: tensor<128x64xf4E2M1FN>, %as: tensor<128x4xf8E4M3FN>, %t: tensor<f32>) -> (tensor<128x128xf32>, tensor<128x128xf32>) {
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<128x64xf4E2M1FN>, tensor<128x4xf8E4M3FN>, tensor<f32>,
      tensor<128x64xf4E2M1FN>, tensor<128x4xf8E4M3FN>, tensor<f32> -> tensor<128x128xf32>
  %d = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<128x64xf4E2M1FN>, tensor<128x4xf8E4M3FN>, tensor<f32>,
      tensor<128x64xf4E2M1FN>, tensor<128x4xf8E4M3FN>, tensor<f32> -> tensor<128x128xf32>
  return %c, %d : tensor<128x128xf32>, tensor<128x128xf32>
}
