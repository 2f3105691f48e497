// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_120a" --split-input-file | FileCheck %s

// NVFP4 on sm_120a: one m16n8k64 mxf4nvf4 MMA per 64 K with four ue4m3
// scales (the row's scale word, byte-id 0); operands are the packed words.

// CHECK-LABEL: func.func @nvfp4
// CHECK: gpu.launch_func  @metis_gpu_kernels::@metis_smm_mmabs_nvfp4_128x256x128_f32
// CHECK: gpu.func @metis_smm_mmabs_nvfp4_128x256x128_f32
// CHECK-SAME: known_grid_size = array<i32: 2, 1, 1>
// CHECK:   scf.for
// CHECK:     nvgpu.device_async_wait %{{.*}} {numGroups = 1 : i32}
// A scale lanes: row l/4 + 8 (l % 2) of each 16-row tile.
// CHECK:     %[[LANE2:.*]] = arith.remui %{{.*}}, %c2{{.*}} : index
// CHECK:     %[[ZERO:.*]] = arith.constant 0 : i16
// CHECK-COUNT-16: nvvm.mma.block_scale A[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] B[%{{.*}}, %{{.*}}] C[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] scaleA[%{{.*}}, %[[ZERO]], %[[ZERO]]] scaleB[%{{.*}}, %[[ZERO]], %[[ZERO]]] {blockScaleFormat = #nvvm.block_scale_format<ue4m3>, kind = #nvvm.block_scale_kind<mxf4nvf4>, multiplicandAPtxType = #nvvm.mma_type<e2m1>, multiplicandBPtxType = #nvvm.mma_type<e2m1>, scaleVecSize = #nvvm.scale_vec_size<x4>, shape = #nvvm.shape<m = 16, n = 8, k = 64>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NOT: nvvm.mma.block_scale
// CHECK: gpu.return
func.func @nvfp4(%a: tensor<128x128xf4E2M1FN>, %as: tensor<128x8xf8E4M3FN>, %at: tensor<f32>,
                 %b: tensor<256x128xf4E2M1FN>, %bs: tensor<256x8xf8E4M3FN>, %bt: tensor<f32>) -> tensor<128x256xf32> {
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
    : tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32>,
      tensor<256x128xf4E2M1FN>, tensor<256x8xf8E4M3FN>, tensor<f32> -> tensor<128x256xf32>
  return %c : tensor<128x256xf32>
}

// -----

// MXFP4 on sm_120a: two m16n8k64 mxf4 MMAs per 128-K tile, two ue8m0 scales
// each: bytes 0-1 (byte-id 0), then bytes 2-3 (byte-id 2) of the word.

// CHECK-LABEL: func.func @mxfp4
// CHECK: gpu.func @metis_smm_mmabs_mxfp4_128x128x256_f32
// CHECK:   %[[B0:.*]] = arith.constant 0 : i16
// CHECK-COUNT-16: nvvm.mma.block_scale {{.*}} scaleA[%{{.*}}, %[[B0]], %{{.*}}] scaleB[%{{.*}}, %[[B0]], %{{.*}}] {blockScaleFormat = #nvvm.block_scale_format<ue8m0>, kind = #nvvm.block_scale_kind<mxf4>, multiplicandAPtxType = #nvvm.mma_type<e2m1>, multiplicandBPtxType = #nvvm.mma_type<e2m1>, scaleVecSize = #nvvm.scale_vec_size<x2>, shape = #nvvm.shape<m = 16, n = 8, k = 64>}
// CHECK:   %[[B2:.*]] = arith.constant 2 : i16
// CHECK-COUNT-16: nvvm.mma.block_scale {{.*}} scaleA[%{{.*}}, %[[B2]], %{{.*}}] scaleB[%{{.*}}, %[[B2]], %{{.*}}] {blockScaleFormat = #nvvm.block_scale_format<ue8m0>, kind = #nvvm.block_scale_kind<mxf4>
// CHECK-NOT: nvvm.mma.block_scale
func.func @mxfp4(%a: tensor<128x256xf4E2M1FN>, %as: tensor<128x8xf8E8M0FNU>, %at: tensor<f32>,
                 %b: tensor<128x256xf4E2M1FN>, %bs: tensor<128x8xf8E8M0FNU>, %bt: tensor<f32>) -> tensor<128x128xf32> {
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<mxfp4>}
    : tensor<128x256xf4E2M1FN>, tensor<128x8xf8E8M0FNU>, tensor<f32>,
      tensor<128x256xf4E2M1FN>, tensor<128x8xf8E8M0FNU>, tensor<f32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}

// -----

// mma=bf16-emulation is also valid on sm_120a (an explicit request).

// CHECK-LABEL: func.func @explicit
// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_120a mma=bf16-emulation" --split-input-file | FileCheck %s --check-prefix=EMU
// EMU: gpu.func @metis_smm_bf16emu_nvfp4_128x128x128_f32
// EMU: nvvm.mma.sync
// EMU-NOT: nvvm.mma.block_scale
func.func @explicit(%a: tensor<128x128xf4E2M1FN>, %as: tensor<128x8xf8E4M3FN>, %t: tensor<f32>) -> tensor<128x128xf32> {
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32>,
      tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}
