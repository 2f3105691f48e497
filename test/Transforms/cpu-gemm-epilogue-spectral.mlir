// A spectral_matmul through metis-expand-spectral and metis-cpu-pipeline:
// each FP4 GEMM takes its tensor-scale epilogue, and the main one also the
// rank-k update of the split (the low-rank products come first, the main
// term last, right before its update). No f32 pass over C is left of them.
// RUN: metis-opt %s --metis-expand-spectral --metis-cpu-pipeline=isa=avx512 --mlir-print-ir-after=metis-cpu-gemm -o /dev/null 2>&1 | FileCheck %s
// RUN: metis-opt %s --metis-expand-spectral --metis-cpu-pipeline="isa=avx512 gemm-epilogue=false" --mlir-print-ir-after=metis-cpu-gemm -o /dev/null 2>&1 | FileCheck %s --check-prefix=OFF

// CHECK-LABEL: func.func @rhs_split
//   CHECK-NOT:   linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
//   CHECK-NOT:   metis.tensor_scale_epilogue
// The update's U (48 x 8) as rows of N for the main GEMM's epilogue.
//       CHECK:   %[[UT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8x48xf32>
// The low-rank product Â·Ṽtᵀ (32 x 8) has no nest of its own: the main
// GEMM computes it in its first jc block (test/Transforms/cpu-gemm-sibling.mlir).
//       CHECK:   memref.store %{{.*}}, %[[UT]]
//       CHECK:   scf.for %[[JC:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
//  CHECK-NEXT:     arith.subi %{{.*}}, %[[JC]]
//       CHECK:     arith.cmpi eq, %[[JC]], %{{.*}} : index
// Full tiles: tensor scale, then the rank-8 update j by j, one FMA per
// term (metis-expand-spectral writes the update with an fma body).
//       CHECK:   scf.if %{{.*}} -> (vector<16xf32>,
//       CHECK:     vector.broadcast %{{.*}} : f32 to vector<16xf32>
//       CHECK:     arith.mulf
//       CHECK:     scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(
//       CHECK:       vector.load %[[UT]][{{.*}}] : memref<8x48xf32>, vector<16xf32>
//   CHECK-NOT:       arith.addf
//       CHECK:       math.fma %{{.*}} : vector<16xf32>
// Edge tiles (N = 48 is 32 + 16): the same per element.
//       CHECK:     memref.load %[[UT]][{{.*}}] : memref<8x48xf32>
//   CHECK-NOT:   linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
//       CHECK:   memref.dealloc %[[UT]]
//       CHECK:   return

// OFF-LABEL: func.func @rhs_split
//       OFF:   linalg.generic {{.*}} attrs =  {metis.tensor_scale_epilogue}
//       OFF:   linalg.generic {{.*}} attrs =  {metis.tensor_scale_epilogue}
func.func @rhs_split(%a: tensor<32x64xf32>, %b: tensor<48x64xf32>, %seed: i64) -> tensor<32x48xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<nvfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<nvfp4>, split = #metis.split<rank = 8>>}
      : tensor<32x64xf32>, tensor<48x64xf32> -> tensor<32x48xf32>
  return %c : tensor<32x48xf32>
}
