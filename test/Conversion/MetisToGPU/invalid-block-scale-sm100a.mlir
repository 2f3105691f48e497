// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_100a mma=block-scale" --verify-diagnostics -o /dev/null
// LLVM itself would abort with "Cannot select" for this combination.

func.func @f(%a: tensor<128x128xf4E2M1FN>, %as: tensor<128x8xf8E4M3FN>, %t: tensor<f32>) -> tensor<128x128xf32> {
  // expected-error @below {{cannot be lowered for the GPU: mma.block_scale (warp-level FP4 MMA) exists only on sm_120a and sm_121a, not on sm_100a}}
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32>,
      tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}
