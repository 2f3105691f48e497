// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_89" --verify-diagnostics -o /dev/null

func.func @f(%x: tensor<128x64xf32>) -> tensor<128x64xf4E2M1FN> {
  // expected-error @below {{cannot be lowered for the GPU: unsupported chip 'sm_89' (expected sm_90a or a newer architecture-specific target)}}
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
    : tensor<128x64xf32> -> tensor<128x64xf4E2M1FN>, tensor<128x4xf8E4M3FN>, tensor<f32>
  return %v : tensor<128x64xf4E2M1FN>
}
