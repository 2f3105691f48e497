// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_89" --verify-diagnostics -o /dev/null

func.func @f(%v: tensor<128x64xf4E2M1FN>, %s: tensor<128x4xf8E4M3FN>, %t: tensor<f32>) -> tensor<128x64xf32> {
  // expected-error @below {{cannot be lowered for the GPU: unsupported chip 'sm_89' (expected sm_90a or a newer architecture-specific target)}}
  %y = metis.dequantize %v, %s, %t {format = #metis.format<nvfp4>, axis = 1 : i64}
    : tensor<128x64xf4E2M1FN>, tensor<128x4xf8E4M3FN>, tensor<f32> -> tensor<128x64xf32>
  return %y : tensor<128x64xf32>
}
