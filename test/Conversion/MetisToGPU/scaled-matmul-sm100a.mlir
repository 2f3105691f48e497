// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_100a" --split-input-file | FileCheck %s

// NVFP4 on sm_100a: one warpgroup per 128x128 tile, 4 cp.async stages of a
// 64-K tile, one tcgen05 block16 MMA per tile into a 256-column TMEM
// allocation, committed to the stage's mbarrier.

// CHECK-LABEL: func.func @nvfp4
// CHECK: gpu.launch_func  @metis_gpu_kernels::@metis_smm_tcgen05_nvfp4_256x128x128_f32 blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%[[T:.*]], %{{.*}}, %{{.*}})
// CHECK-LABEL: gpu.func @metis_smm_tcgen05_nvfp4_256x128x128_f32
// Per stage: A and B tiles of 128 rows x 32 bytes, a 512-byte scale block
// each, one mbarrier; then the TMEM address slot.
// CHECK-SAME: workgroup(%[[SA:.*]] : memref<4x1024xi32, #gpu.address_space<workgroup>> {llvm.align = 128 : i64}, %[[SB:.*]] : memref<4x1024xi32, #gpu.address_space<workgroup>> {llvm.align = 128 : i64}, %[[SSA:.*]] : memref<4x128xi32, #gpu.address_space<workgroup>> {llvm.align = 128 : i64}, %[[SSB:.*]] : memref<4x128xi32, #gpu.address_space<workgroup>> {llvm.align = 128 : i64}, %[[BAR:.*]] : memref<4xi64, #gpu.address_space<workgroup>> {llvm.align = 8 : i64}, %[[SLOT:.*]] : memref<1xi32, #gpu.address_space<workgroup>> {llvm.align = 8 : i64})
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>, known_grid_size = array<i32: 1, 2, 1>, nvvm.maxntid = array<i32: 128, 1, 1>
// Warp 0 allocates 256 TMEM columns, thread 0 sets up one mbarrier per stage.
// CHECK: scf.if
// CHECK: nvvm.tcgen05.alloc %{{.*}}, %c256_i32 : !llvm.ptr<3>, i32
// CHECK-NEXT: nvvm.tcgen05.relinquish_alloc_permit
// CHECK-COUNT-4: nvvm.mbarrier.init %{{.*}}, %c1_i32{{.*}} : !llvm.ptr<3>, i32
// CHECK-NEXT: nvvm.fence.mbarrier.init
// CHECK: nvvm.tcgen05.fence <before>
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: nvvm.tcgen05.fence <after>
// CHECK: %[[TMEM:.*]] = memref.load %[[SLOT]]
// Thread t copies chunk c = t % 2 of row r = t / 2 to core matrix
// (r / 8, c), row r % 8: word 32 (2 (r / 8) + c) + 4 (r % 8).
// CHECK: %[[ROW:.*]] = arith.divui %thread_id_x, %c2{{.*}} : index
// CHECK: %[[CHUNK:.*]] = arith.remui %thread_id_x, %c2{{.*}} : index
// CHECK: %[[G:.*]] = arith.divui %[[ROW]], %c8{{.*}} : index
// CHECK: %[[G2:.*]] = arith.muli %[[G]], %c2{{.*}} : index
// CHECK: %[[CM:.*]] = arith.addi %[[G2]], %[[CHUNK]] : index
// CHECK: %[[CMW:.*]] = arith.muli %[[CM]], %c32{{.*}} : index
// CHECK: %[[R8:.*]] = arith.remui %[[ROW]], %c8{{.*}} : index
// CHECK: %[[R8W:.*]] = arith.muli %[[R8]], %c4{{.*}} : index
// CHECK: %[[DST:.*]] = arith.addi %[[CMW]], %[[R8W]] : index
// CHECK: nvgpu.device_async_copy %{{.*}}[%{{.*}}, %{{.*}}], %[[SA]][%{{.*}}, %[[DST]]], 4 {bypassL1}
// CHECK: nvgpu.device_async_copy %{{.*}}[%{{.*}}, %{{.*}}], %[[SB]][%{{.*}}, %[[DST]]], 4 {bypassL1}
// Scale word of row t: word 4 (t % 32) + t / 32 of the stage's block.
// CHECK: %[[L:.*]] = arith.remui %thread_id_x, %c32{{.*}} : index
// CHECK: %[[L4:.*]] = arith.muli %[[L]], %c4{{.*}} : index
// CHECK: %[[W:.*]] = arith.divui %thread_id_x, %c32{{.*}} : index
// CHECK: %[[SDST:.*]] = arith.addi %[[L4]], %[[W]] : index
// CHECK: nvgpu.device_async_copy %{{.*}}, %[[SSA]][%{{.*}}, %[[SDST]]], 1 :
// CHECK: nvgpu.device_async_copy %{{.*}}, %[[SSB]][%{{.*}}, %[[SDST]]], 1 :
// The prologue fills 2 stages, the loop refills a stage once its MMAs of
// 2 tiles ago completed.
// CHECK: scf.for
// CHECK: nvvm.mbarrier.try_wait.parity
// CHECK: nvgpu.device_async_wait %{{.*}} {numGroups = 2 : i32}
// CHECK-NEXT: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK-NEXT: gpu.barrier
// CHECK: scf.if
// CHECK: nvvm.tcgen05.fence <after>
// The scale descriptors: SBO = 128 bytes (8 << 32), LBO = 0, bit 46.
// CHECK: %[[SFDESC:.*]] = arith.constant 70403103916032 : i64
// CHECK: nvvm.tcgen05.cp %{{.*}}, %{{.*}} {multicast = #nvvm.tcgen05_cp_multicast<warpx4>, shape = #nvvm.tcgen05_cp_shape<shape_32x128b>}
// CHECK: nvvm.tcgen05.cp %{{.*}}, %{{.*}} {multicast = #nvvm.tcgen05_cp_multicast<warpx4>, shape = #nvvm.tcgen05_cp_shape<shape_32x128b>}
// Operand descriptors: LBO = 128 (8 << 16), SBO = 256 (16 << 32), bit 46;
// idesc 0x08200480.
// CHECK: arith.constant 70437464178688 : i64
// CHECK: %[[IDESC:.*]] = arith.constant 136316032 : i32
// CHECK: nvvm.tcgen05.mma.block_scale %{{.*}}, %{{.*}}, %{{.*}}, %[[IDESC]], %{{.*}}, %{{.*}}, %{{.*}} {blockScale = #nvvm.tcgen05_mma_block_scale<block16>, ctaGroup = #nvvm.cta_group<cta_1>, kind = #nvvm.block_scale_kind<mxf4nvf4>} : (!llvm.ptr<6>, i64, i64, i32, i1, !llvm.ptr<6>, !llvm.ptr<6>)
// CHECK-NOT: nvvm.tcgen05.mma.block_scale
// CHECK: nvvm.tcgen05.commit %{{.*}} : !llvm.ptr<3>
// Epilogue: wait for the last tile, 4 loads of 32 columns per warp.
// CHECK: nvvm.mbarrier.try_wait.parity
// CHECK: nvvm.tcgen05.fence <after>
// CHECK-COUNT-4: nvvm.tcgen05.ld %{{.*}} {shape = #nvvm.tcgen05_ldst_shape<shape_32x32b>} : vector<32xi32>
// CHECK: nvvm.tcgen05.wait <load>
// CHECK-COUNT-128: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<256x128xf32>
// CHECK: nvvm.tcgen05.fence <before>
// CHECK-NEXT: gpu.barrier
// CHECK: nvvm.tcgen05.dealloc %{{.*}}, %c256_i32{{.*}} : !llvm.ptr<6>, i32
// CHECK: gpu.return
func.func @nvfp4(%a: tensor<256x128xf4E2M1FN>, %as: tensor<256x8xf8E4M3FN>, %at: tensor<f32>,
                 %b: tensor<128x128xf4E2M1FN>, %bs: tensor<128x8xf8E4M3FN>, %bt: tensor<f32>) -> tensor<256x128xf32> {
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
    : tensor<256x128xf4E2M1FN>, tensor<256x8xf8E4M3FN>, tensor<f32>,
      tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32> -> tensor<256x128xf32>
  return %c : tensor<256x128xf32>
}

// -----

// MXFP4: a 128-K tile per stage (2 stages, 34 KB shared), two block32 MMAs
// per tile on the same scale columns: bytes 0-1 (scale-factor id 0,
// idesc 0x08A00480) then bytes 2-3 (id 2, 0x48A004A0); the second always
// accumulates.

// CHECK-LABEL: gpu.func @metis_smm_tcgen05_mxfp4_128x128x256_bf16
// CHECK-SAME: workgroup(%{{.*}} : memref<2x2048xi32, #gpu.address_space<workgroup>> {llvm.align = 128 : i64}
// CHECK: scf.for
// CHECK: nvgpu.device_async_wait %{{.*}} {numGroups = 1 : i32}
// Operand descriptors: LBO = 128, SBO = 512 (32 << 32).
// CHECK: arith.constant 70506183655424 : i64
// CHECK: %[[ID0:.*]] = arith.constant 144704640 : i32
// CHECK: nvvm.tcgen05.mma.block_scale %{{.*}}, %{{.*}}, %{{.*}}, %[[ID0]], %{{.*}}, %{{.*}}, %{{.*}} {blockScale = #nvvm.tcgen05_mma_block_scale<block32>, ctaGroup = #nvvm.cta_group<cta_1>, kind = #nvvm.block_scale_kind<mxf4>}
// CHECK: %[[ID2:.*]] = arith.constant 1218446496 : i32
// CHECK: %[[TRUE:.*]] = arith.constant true
// CHECK: nvvm.tcgen05.mma.block_scale %{{.*}}, %{{.*}}, %{{.*}}, %[[ID2]], %[[TRUE]], %{{.*}}, %{{.*}} {blockScale = #nvvm.tcgen05_mma_block_scale<block32>, ctaGroup = #nvvm.cta_group<cta_1>, kind = #nvvm.block_scale_kind<mxf4>}
// CHECK-NOT: nvvm.tcgen05.mma.block_scale
// CHECK: nvvm.tcgen05.commit
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @mxfp4(%a: tensor<128x256xf4E2M1FN>, %as: tensor<128x8xf8E8M0FNU>, %at: tensor<f32>,
                 %b: tensor<128x256xf4E2M1FN>, %bs: tensor<128x8xf8E8M0FNU>, %bt: tensor<f32>) -> tensor<128x128xbf16> {
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<mxfp4>}
    : tensor<128x256xf4E2M1FN>, tensor<128x8xf8E8M0FNU>, tensor<f32>,
      tensor<128x256xf4E2M1FN>, tensor<128x8xf8E8M0FNU>, tensor<f32> -> tensor<128x128xbf16>
  return %c : tensor<128x128xbf16>
}

// -----

// mma=bf16-emulation stays available on sm_100a.

// CHECK-LABEL: func.func @explicit
// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_100a mma=bf16-emulation" --split-input-file | FileCheck %s --check-prefix=EMU
// EMU: gpu.func @metis_smm_bf16emu_nvfp4_128x128x128_f32
// EMU: nvvm.mma.sync
// EMU-NOT: nvvm.tcgen05
func.func @explicit(%a: tensor<128x128xf4E2M1FN>, %as: tensor<128x8xf8E4M3FN>, %t: tensor<f32>) -> tensor<128x128xf32> {
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32>,
      tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}
