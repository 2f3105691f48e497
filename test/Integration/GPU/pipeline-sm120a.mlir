// REQUIRES: ptxas
// RUN: metis-opt %S/Inputs/scaled-matmuls.mlir --metis-gpu-pipeline="chip=sm_120a format=isa" -o %t.mlir
// RUN: %python %S/Inputs/extract_binary.py %t.mlir %t.ptx
// RUN: FileCheck %s < %t.ptx
// RUN: %ptxas -arch=sm_120a %t.ptx -o %t.cubin
// PTX 8.7 is the oldest that has mma.block_scale.
// RUN: metis-opt %S/Inputs/scaled-matmuls.mlir --metis-gpu-pipeline="chip=sm_120a ptx=87 format=isa" -o %t87.mlir
// RUN: %python %S/Inputs/extract_binary.py %t87.mlir %t87.ptx
// RUN: FileCheck %s --check-prefix=PTX87 < %t87.ptx
// RUN: %ptxas -arch=sm_120a %t87.ptx -o %t87.cubin

// sm_120a: warp-level FP4 MMA with block scales straight from the packed
// operands; NVFP4 = mxf4nvf4 x4 ue4m3, MXFP4 = mxf4 x2 ue8m0.

// CHECK: .version 8.8
// CHECK: .target sm_120a
// CHECK-LABEL: .visible .entry metis_smm_mmabs_nvfp4_256x128x512_f32(
// (Block order in PTX is not program order: -DAG.)
// CHECK-DAG: .maxntid 256, 1, 1
// CHECK-DAG: cp.async.cg.shared.global
// CHECK-DAG: cp.async.wait_group 1;
// CHECK-DAG: mma.sync.aligned.m16n8k64.row.col.kind::mxf4nvf4.block_scale.scale_vec::4X.f32.e2m1.e2m1.f32.ue4m3
// CHECK-LABEL: .visible .entry metis_smm_mmabs_mxfp4_128x256x512_bf16(
// CHECK-DAG: cp.async.wait_group 0;
// CHECK-DAG: mma.sync.aligned.m16n8k64.row.col.kind::mxf4.block_scale.scale_vec::2X.f32.e2m1.e2m1.f32.ue8m0
// CHECK-DAG: cvt.rn.bf16.f32

// PTX87: .version 8.7
// PTX87: mma.sync.aligned.m16n8k64.row.col.kind::mxf4nvf4.block_scale.scale_vec::4X
