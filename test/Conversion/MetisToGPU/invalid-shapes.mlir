// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_90a" --split-input-file --verify-diagnostics

func.func @fp4e2m1b(%a: tensor<128x128xf4E2M1FN>, %as: tensor<128x8xf32>, %t: tensor<f32>) -> tensor<128x128xf32> {
  // expected-error @below {{cannot be lowered for the GPU: format fp4e2m1b (f32 block scales) has no GPU kernel; use nvfp4 or mxfp4}}
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<fp4e2m1b>}
    : tensor<128x128xf4E2M1FN>, tensor<128x8xf32>, tensor<f32>,
      tensor<128x128xf4E2M1FN>, tensor<128x8xf32>, tensor<f32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}

// -----

func.func @batched(%a: tensor<2x128x128xf4E2M1FN>, %as: tensor<2x128x8xf8E4M3FN>, %t: tensor<f32>) -> tensor<2x128x128xf32> {
  // expected-error @below {{cannot be lowered for the GPU: batched operands are not supported (unbatch into 2-D matmuls)}}
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<2x128x128xf4E2M1FN>, tensor<2x128x8xf8E4M3FN>, tensor<f32>,
      tensor<2x128x128xf4E2M1FN>, tensor<2x128x8xf8E4M3FN>, tensor<f32> -> tensor<2x128x128xf32>
  return %c : tensor<2x128x128xf32>
}

// -----

func.func @dynamic(%a: tensor<?x128xf4E2M1FN>, %as: tensor<?x8xf8E4M3FN>, %t: tensor<f32>) -> tensor<?x?xf32> {
  // expected-error @below {{cannot be lowered for the GPU: dynamic shapes are not supported (the kernels are specialized per shape)}}
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<?x128xf4E2M1FN>, tensor<?x8xf8E4M3FN>, tensor<f32>,
      tensor<?x128xf4E2M1FN>, tensor<?x8xf8E4M3FN>, tensor<f32> -> tensor<?x?xf32>
  return %c : tensor<?x?xf32>
}

// -----

func.func @m_not_tiled(%a: tensor<64x128xf4E2M1FN>, %as: tensor<64x8xf8E4M3FN>, %t: tensor<f32>) -> tensor<64x64xf32> {
  // expected-error @below {{cannot be lowered for the GPU: the GPU kernel needs M and N multiples of 128 and K a non-zero multiple of 64 (4 blocks of 16); got M=64, N=64, K=128 (pad with zeros)}}
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>,
      tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32> -> tensor<64x64xf32>
  return %c : tensor<64x64xf32>
}

// -----

func.func @k_not_tiled(%a: tensor<128x64xf4E2M1FN>, %as: tensor<128x2xf8E8M0FNU>, %t: tensor<f32>) -> tensor<128x128xf32> {
  // expected-error @below {{K a non-zero multiple of 128 (4 blocks of 32); got M=128, N=128, K=64}}
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<mxfp4>}
    : tensor<128x64xf4E2M1FN>, tensor<128x2xf8E8M0FNU>, tensor<f32>,
      tensor<128x64xf4E2M1FN>, tensor<128x2xf8E8M0FNU>, tensor<f32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}

// -----

func.func @quantize_k(%x: tensor<128x32xf32>) -> tensor<128x32xf4E2M1FN> {
  // expected-error @below {{cannot be lowered for the GPU: the GPU quantize kernel needs K a multiple of 64 (4 blocks of 16, one scale word); got K=32}}
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
    : tensor<128x32xf32> -> tensor<128x32xf4E2M1FN>, tensor<128x2xf8E4M3FN>, tensor<f32>
  return %v : tensor<128x32xf4E2M1FN>
}
