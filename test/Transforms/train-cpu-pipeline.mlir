// RUN: metis-opt %s "--metis-train-cpu=isa=none" | FileCheck %s
// RUN: metis-opt %s "--metis-train-cpu=isa=none" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPELINE

// metis-train-cpu: spectralize (annotations stripped), expand, then the CPU
// pipeline down to the LLVM dialect.
// PIPELINE: metis-spectralize{{.*}}preset=metis{{.*}}strip-annotations=true
// PIPELINE-NEXT: metis-expand-spectral
// PIPELINE-NEXT: convert-metis-to-linalg
//      PIPELINE: reconcile-unrealized-casts

// CHECK-LABEL: llvm.func @linear
//   CHECK-NOT: metis.
//       CHECK: llvm.return
func.func @linear(%x: tensor<32x64xf32> {metis.role = #metis.role<activation>},
                  %w: tensor<32x64xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64})
    -> tensor<32x32xf32> {
  %e = tensor.empty() : tensor<64x32xf32>
  %wt = linalg.transpose ins(%w : tensor<32x64xf32>) outs(%e : tensor<64x32xf32>) permutation = [1, 0]
  %cst = arith.constant 0.000000e+00 : f32
  %e2 = tensor.empty() : tensor<32x32xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e2 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %y = linalg.matmul ins(%x, %wt : tensor<32x64xf32>, tensor<64x32xf32>) outs(%z : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %y : tensor<32x32xf32>
}
