// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_90a" --split-input-file --verify-diagnostics -o /dev/null

func.func @k_not_four_blocks(%v: tensor<128x48xf4E2M1FN>, %s: tensor<128x3xf8E4M3FN>, %t: tensor<f32>) -> tensor<128x48xf32> {
  // expected-error @below {{cannot be lowered for the GPU: the GPU dequantize kernel needs K a multiple of 64 (4 blocks of 16, one scale word); got K=48}}
  %y = metis.dequantize %v, %s, %t {format = #metis.format<nvfp4>, axis = 1 : i64}
    : tensor<128x48xf4E2M1FN>, tensor<128x3xf8E4M3FN>, tensor<f32> -> tensor<128x48xf32>
  return %y : tensor<128x48xf32>
}
