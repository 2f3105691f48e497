// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_100a ptx=87" --verify-diagnostics -o /dev/null

// tcgen05.mma's .block16/.block32 need PTX 8.8; below it LLVM aborts with
// "Cannot select", so metis refuses first.
func.func @f(%a: tensor<128x128xf4E2M1FN>, %as: tensor<128x8xf8E4M3FN>, %t: tensor<f32>) -> tensor<128x128xf32> {
  // expected-error @below {{cannot be lowered for the GPU: PTX ISA 8.7 is too old for tcgen05 on sm_100a: it needs 8.8 or newer}}
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32>,
      tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}
