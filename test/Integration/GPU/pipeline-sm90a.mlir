// REQUIRES: ptxas
// RUN: metis-opt %S/Inputs/scaled-matmuls.mlir --metis-gpu-pipeline="chip=sm_90a format=isa" -o %t.mlir
// RUN: FileCheck %s --check-prefix=HOST < %t.mlir
// RUN: %python %S/Inputs/extract_binary.py %t.mlir %t.ptx
// RUN: FileCheck %s < %t.ptx
// RUN: %ptxas -arch=sm_90a %t.ptx -o %t.cubin

// sm_90a (H100) has no FP4 tensor cores: E2M1 x scale decoded to bf16,
// bf16 mma.sync with f32 accumulation, fed by a cp.async pipeline of the
// packed 4-bit data.

// HOST: func.func @nvfp4
// HOST:   gpu.launch_func  @metis_gpu_kernels::@metis_smm_bf16emu_nvfp4_256x128x512_f32
// HOST: func.func @mxfp4
// HOST:   gpu.launch_func  @metis_gpu_kernels::@metis_smm_bf16emu_mxfp4_128x256x512_bf16
// HOST: gpu.binary @metis_gpu_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx88">, {{.*}}assembly = "

// CHECK: .version 8.8
// CHECK: .target sm_90a

// CHECK-LABEL: .visible .entry metis_smm_bf16emu_nvfp4_256x128x512_f32(
// (Block order in PTX is not program order: -DAG.)
// CHECK-DAG: .maxntid 256, 1, 1
// 3 stages x 128 rows x 12 words (8 data + 4 padding), 16-byte aligned
// (cp.async.cg writes 16 bytes).
// CHECK-DAG: .shared .align 16 .b8 __wg_metis_smm_bf16emu_nvfp4_256x128x512_f32_0[18432];
// CHECK-DAG: .shared .align 16 .b8 __wg_metis_smm_bf16emu_nvfp4_256x128x512_f32_1[18432];
// Packed codes in 16-byte chunks (L2 only), scale words in 4 bytes.
// CHECK-DAG: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;
// CHECK-DAG: cp.async.ca.shared.global [{{.*}}], [{{.*}}], 4;
// CHECK-DAG: cp.async.commit_group;
// CHECK-DAG: cp.async.wait_group 1;
// CHECK-DAG: bar.sync 0;
// CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-DAG: st.global.b32

// CHECK-LABEL: .visible .entry metis_smm_bf16emu_mxfp4_128x256x512_bf16(
// CHECK-DAG: cp.async.wait_group 0;
// CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-DAG: cvt.rn.bf16.f32
// CHECK-DAG: st.global.b16
