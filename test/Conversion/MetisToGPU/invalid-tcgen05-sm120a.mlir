// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_120a mma=tcgen05" --verify-diagnostics -o /dev/null

func.func @f(%a: tensor<128x128xf4E2M1FN>, %as: tensor<128x8xf8E4M3FN>, %t: tensor<f32>) -> tensor<128x128xf32> {
  // expected-error @below {{cannot be lowered for the GPU: tcgen05 block-scaled MMA (TMEM FP4) is available only on sm_100a in MLIR 22 (tcgen05.alloc needs sm_100a/101a, tcgen05.mma.block_scale sm_100a/110a), not on sm_120a}}
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32>,
      tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}
