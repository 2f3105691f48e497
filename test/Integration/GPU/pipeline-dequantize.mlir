// REQUIRES: ptxas
// RUN: metis-opt %s --metis-gpu-pipeline="chip=sm_90a format=isa" -o %t90.mlir
// RUN: %python %S/Inputs/extract_binary.py %t90.mlir %t90.ptx
// RUN: FileCheck %s < %t90.ptx
// RUN: %ptxas -arch=sm_90a %t90.ptx -o %t90.cubin
// RUN: metis-opt %s --metis-gpu-pipeline="chip=sm_100a format=isa" -o %t100.mlir
// RUN: %python %S/Inputs/extract_binary.py %t100.mlir %t100.ptx
// RUN: %ptxas -arch=sm_100a %t100.ptx -o %t100.cubin

// GPU quantize -> dequantize (the packed buffers in between) and a
// dequantize of host operands: plain integer/f32 decoding (no FP4 convert
// instruction, so every chip from sm_90a), no flush-to-zero (E4M3/E8M0
// scales times a small tensor scale can be subnormal).

// CHECK-NOT: .ftz
// CHECK-LABEL: .visible .entry metis_dequantize_nvfp4_128x256_bf16(
// CHECK-DAG: .maxntid 256, 1, 1
// CHECK-DAG: cvt.rn.bf16.f32
// CHECK-LABEL: .visible .entry metis_dequantize_mxfp4_64x512_f32(
// CHECK-DAG: st.global.b32
// CHECK-NOT: .ftz

func.func @roundtrip(%x: tensor<128x256xf32>) -> tensor<128x256xbf16> {
  %v, %s, %t = metis.quantize %x {format = #metis.format<nvfp4>, axis = 1 : i64}
    : tensor<128x256xf32> -> tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32>
  %y = metis.dequantize %v, %s, %t {format = #metis.format<nvfp4>, axis = 1 : i64}
    : tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32> -> tensor<128x256xbf16>
  return %y : tensor<128x256xbf16>
}

func.func @host(%v: tensor<64x512xf4E2M1FN>, %s: tensor<64x16xf8E8M0FNU>, %t: tensor<f32>) -> tensor<64x512xf32> {
  %y = metis.dequantize %v, %s, %t {format = #metis.format<mxfp4>, axis = 1 : i64}
    : tensor<64x512xf4E2M1FN>, tensor<64x16xf8E8M0FNU>, tensor<f32> -> tensor<64x512xf32>
  return %y : tensor<64x512xf32>
}
