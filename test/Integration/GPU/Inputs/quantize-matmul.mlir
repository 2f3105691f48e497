// Shared input: an activation quantized with RNE and a gradient with
// stochastic rounding on the GPU, multiplied by the GPU GEMM.
func.func @quantize_matmul(%x: tensor<128x512xf32>, %g: tensor<256x512xf32>, %seed: i64) -> tensor<128x256xf32> {
  %xv, %xs, %xt = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
    : tensor<128x512xf32> -> tensor<128x512xf4E2M1FN>, tensor<128x32xf8E4M3FN>, tensor<f32>
  %gv, %gs, %gt = metis.quantize %g seed %seed {axis = 1 : i64, format = #metis.format<nvfp4>, rounding = #metis.rounding<stochastic>}
    : tensor<256x512xf32> -> tensor<256x512xf4E2M1FN>, tensor<256x32xf8E4M3FN>, tensor<f32>
  %c = metis.scaled_matmul %xv, %xs, %xt, %gv, %gs, %gt {format = #metis.format<nvfp4>}
    : tensor<128x512xf4E2M1FN>, tensor<128x32xf8E4M3FN>, tensor<f32>,
      tensor<256x512xf4E2M1FN>, tensor<256x32xf8E4M3FN>, tensor<f32> -> tensor<128x256xf32>
  return %c : tensor<128x256xf32>
}

func.func @mx(%x: tensor<128x256xbf16>) -> (tensor<128x256xf4E2M1FN>, tensor<128x8xf8E8M0FNU>) {
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<mxfp4>}
    : tensor<128x256xbf16> -> tensor<128x256xf4E2M1FN>, tensor<128x8xf8E8M0FNU>, tensor<f32>
  return %v, %s : tensor<128x256xf4E2M1FN>, tensor<128x8xf8E8M0FNU>
}
