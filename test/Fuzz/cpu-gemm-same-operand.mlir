// RUN: metis-opt %s --metis-cpu-pipeline="isa=avx512" | FileCheck %s
// RUN: metis-opt %s --metis-cpu-pipeline="isa=avx2" | FileCheck %s

// Found by the ASan fuzz smoke (cpu-pipeline-avx512 and end-to-end, on a
// seed from the GPU tests): with the same codes as A and B (a·aᵀ), both
// operands are read through the same expand_shape view, which
// metis-cpu-gemm collected twice and erased twice (heap-use-after-free).
// The views are now a set.

// CHECK: llvm.func @f
func.func @f(%a: tensor<128x128xf4E2M1FN>, %as: tensor<128x8xf8E4M3FN>, %t: tensor<f32>) -> tensor<128x128xf32> {
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32>,
      tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}
