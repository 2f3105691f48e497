// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_100a" --verify-diagnostics -o /dev/null

func.func @f(%a: tensor<128x128xf4E2M1FN>, %as: tensor<128x8xf8E4M3FN>, %t: tensor<f32>) -> tensor<128x128xf32> {
  // expected-error @below {{cannot be lowered for the GPU: the tcgen05 kernel (sm_100a) is not implemented; use mma=bf16-emulation on this chip}}
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32>,
      tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}
