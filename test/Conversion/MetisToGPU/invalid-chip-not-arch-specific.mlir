// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_90" --verify-diagnostics -o /dev/null

func.func @f(%a: tensor<128x128xf4E2M1FN>, %as: tensor<128x8xf8E4M3FN>, %t: tensor<f32>) -> tensor<128x128xf32> {
  // expected-error @below {{unsupported chip 'sm_90': expected an architecture-specific target such as sm_90a, sm_100a or sm_120a}}
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32>,
      tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}
