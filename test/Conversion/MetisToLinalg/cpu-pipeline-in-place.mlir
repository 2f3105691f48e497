// The API's modules write C through bufferization.materialize_in_destination.
// metis-cpu-pipeline runs eliminate-empty-tensors before bufferizing, so the
// GEMM writes the argument itself: no temporary C and no copy into %cm (at
// 4096² that was a 64 MiB buffer, its page faults and a 64 MiB copy).
// RUN: metis-opt %s --metis-cpu-pipeline=isa=avx512 --mlir-print-ir-after=convert-bufferization-to-memref -o /dev/null 2>&1 | FileCheck %s

// CHECK-LABEL: func.func @scaled_matmul(
// CHECK-SAME:    %[[A:.*]]: memref<32x64xf32>, %[[B:.*]]: memref<16x64xf32>, %[[C:.*]]: memref<32x16xf32>
// CHECK-NOT:     memref.alloc() {{.*}} : memref<32x16xf32>
// CHECK:         linalg.fill {{.*}} outs(%[[C]] : memref<32x16xf32>)
// CHECK:         linalg.generic {{.*}} outs(%[[C]] : memref<32x16xf32>)
// CHECK-SAME:      metis.scaled_contraction
// CHECK-NOT:     memref.copy {{.*}} to memref<32x16xf32>
// CHECK:         return
func.func @scaled_matmul(%am: memref<32x64xf32>, %bm: memref<16x64xf32>, %cm: memref<32x16xf32>) {
  %a = bufferization.to_tensor %am restrict : memref<32x64xf32> to tensor<32x64xf32>
  %b = bufferization.to_tensor %bm restrict : memref<16x64xf32> to tensor<16x64xf32>
  %av, %as, %at = metis.quantize %a {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<32x64xf32> -> tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>
  %bv, %bs, %bt = metis.quantize %b {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<16x64xf32> -> tensor<16x64xf4E2M1FN>, tensor<16x4xf8E4M3FN>, tensor<f32>
  %c = metis.scaled_matmul %av, %as, %at, %bv, %bs, %bt {format = #metis.format<nvfp4>} : tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>, tensor<16x64xf4E2M1FN>, tensor<16x4xf8E4M3FN>, tensor<f32> -> tensor<32x16xf32>
  bufferization.materialize_in_destination %c in restrict writable %cm : (tensor<32x16xf32>, memref<32x16xf32>) -> ()
  return
}
