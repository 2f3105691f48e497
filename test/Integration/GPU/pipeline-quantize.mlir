// REQUIRES: ptxas
// RUN: metis-opt %S/Inputs/quantize-matmul.mlir --metis-gpu-pipeline="chip=sm_90a format=isa" -o %t90.mlir
// RUN: %python %S/Inputs/extract_binary.py %t90.mlir %t90.ptx
// RUN: FileCheck %s < %t90.ptx
// RUN: %ptxas -arch=sm_90a %t90.ptx -o %t90.cubin
// RUN: metis-opt %S/Inputs/quantize-matmul.mlir --metis-gpu-pipeline="chip=sm_120a format=isa" -o %t120.mlir
// RUN: %python %S/Inputs/extract_binary.py %t120.mlir %t120.ptx
// RUN: FileCheck %s --check-prefix=SM120 < %t120.ptx
// RUN: %ptxas -arch=sm_120a %t120.ptx -o %t120.cubin

// The quantization kernels are plain IEEE f32 arithmetic (no FP4 convert
// instructions, so they exist on every chip): no flush-to-zero (NVFP4's
// tensor scale of an all-zero tensor is subnormal), correctly rounded
// division, NaN-propagating max.

// CHECK-NOT: .ftz
// CHECK-LABEL: .visible .entry metis_amax_128x512_f32(
// CHECK-DAG: max.NaN.f32
// CHECK-DAG: shfl.sync.bfly.b32
// CHECK-DAG: atom.global.max.u32
// CHECK-LABEL: .visible .entry metis_quantize_nvfp4_rne_128x512_f32(
// CHECK-DAG: div.rn.f32
// CHECK-DAG: st.global.b32
// CHECK-LABEL: .visible .entry metis_amax_256x512_f32(
// CHECK-LABEL: .visible .entry metis_quantize_nvfp4_sr_256x512_f32(
// Philox's multiplier 0xD2511F53 (mul.hi/lo).
// CHECK-DAG: -766435501
// CHECK-LABEL: .visible .entry metis_quantize_mxfp4_rne_128x256_bf16(
// CHECK-DAG: cvt.f32.bf16
// CHECK-NOT: .ftz

// SM120: .target sm_120a
// SM120-DAG: .visible .entry metis_quantize_nvfp4_sr_256x512_f32(
// SM120-DAG: .visible .entry metis_smm_mmabs_nvfp4_128x256x512_f32(
