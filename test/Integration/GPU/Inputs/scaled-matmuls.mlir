// Shared input of the metis-gpu-pipeline tests: an NVFP4 matmul with an f32
// result and an MXFP4 matmul with a bf16 result (two kernels, one binary).
func.func @nvfp4(%a: tensor<256x512xf4E2M1FN>, %as: tensor<256x32xf8E4M3FN>, %at: tensor<f32>,
                 %b: tensor<128x512xf4E2M1FN>, %bs: tensor<128x32xf8E4M3FN>, %bt: tensor<f32>) -> tensor<256x128xf32> {
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
    : tensor<256x512xf4E2M1FN>, tensor<256x32xf8E4M3FN>, tensor<f32>,
      tensor<128x512xf4E2M1FN>, tensor<128x32xf8E4M3FN>, tensor<f32> -> tensor<256x128xf32>
  return %c : tensor<256x128xf32>
}

func.func @mxfp4(%a: tensor<128x512xf4E2M1FN>, %as: tensor<128x16xf8E8M0FNU>, %at: tensor<f32>,
                 %b: tensor<256x512xf4E2M1FN>, %bs: tensor<256x16xf8E8M0FNU>, %bt: tensor<f32>) -> tensor<128x256xbf16> {
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<mxfp4>}
    : tensor<128x512xf4E2M1FN>, tensor<128x16xf8E8M0FNU>, tensor<f32>,
      tensor<256x512xf4E2M1FN>, tensor<256x16xf8E8M0FNU>, tensor<f32> -> tensor<128x256xbf16>
  return %c : tensor<128x256xbf16>
}
