// RUN: metis-opt %s -metis-spectralize | FileCheck %s --check-prefix=METIS
// RUN: metis-opt %s -metis-spectralize=preset=nvfp4 | FileCheck %s --check-prefix=NVFP4
// RUN: metis-opt %s -metis-spectralize=preset=nvidia-recipe | FileCheck %s --check-prefix=NV
// RUN: metis-opt %s -metis-spectralize="preset=nvidia-recipe skip-last-layers=0 hadamard=off" | FileCheck %s --check-prefix=NV-ALL
// RUN: metis-opt %s -metis-spectralize=preset=none | FileCheck %s --check-prefix=NONE
// RUN: metis-opt %s -metis-spectralize="skip-first-layers=1 gradient-rounding=rne rank=8" | FileCheck %s --check-prefix=FIRST
// RUN: metis-opt %s -metis-spectralize=min-size=48 | FileCheck %s --check-prefix=NONE

// Two linear layers, forward and backward in one function (the forms of
// the generator, python/metis/llama_graph.py): y1 = x·W0ᵀ, y = y1·W1ᵀ;
// g1 = g·W1, dW1 = gᵀ·y1, dx = g1·W0, dW0 = g1ᵀ·x.

// metis: W and G split at rank 16, SR on gradients, RNE elsewhere.
// METIS-LABEL: func.func @two_linears
//       METIS: metis.spectral_matmul %[[X:.*]], %[[W0:.*]] seed %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, role = activation>, rhs_policy = #metis.operand<format = <nvfp4>, role = weight, split = <rank = 16>>} : tensor<32x64xf32>, tensor<32x64xf32> -> tensor<32x32xf32>
//       METIS: metis.spectral_matmul %{{.*}}, %{{.*}} seed %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, role = activation>, rhs_policy = #metis.operand<format = <nvfp4>, role = weight, split = <rank = 16>>} : tensor<32x32xf32>, tensor<48x32xf32> -> tensor<32x48xf32>
//       METIS: metis.spectral_matmul %{{.*}}, %{{.*}} seed %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, rounding = stochastic, role = gradient, split = <rank = 16>>, rhs_policy = #metis.operand<format = <nvfp4>, role = weight, split = <rank = 16>>} : tensor<32x48xf32>, tensor<32x48xf32> -> tensor<32x32xf32>
//       METIS: metis.spectral_matmul %{{.*}}, %{{.*}} seed %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, rounding = stochastic, role = gradient, split = <rank = 16>>, rhs_policy = #metis.operand<format = <nvfp4>, role = activation>} : tensor<48x32xf32>, tensor<32x32xf32> -> tensor<48x32xf32>
//       METIS: metis.spectral_matmul %{{.*}}, %{{.*}} seed %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, rounding = stochastic, role = gradient, split = <rank = 16>>, rhs_policy = #metis.operand<format = <nvfp4>, role = weight, split = <rank = 16>>} : tensor<32x32xf32>, tensor<64x32xf32> -> tensor<32x64xf32>
//       METIS: metis.spectral_matmul %{{.*}}, %{{.*}} seed %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, rounding = stochastic, role = gradient, split = <rank = 16>>, rhs_policy = #metis.operand<format = <nvfp4>, role = activation>} : tensor<32x32xf32>, tensor<64x32xf32> -> tensor<32x64xf32>
//   METIS-NOT: linalg.matmul

// nvfp4: the same roles and rounding, no split; RNE-only GEMMs need no seed.
// NVFP4-LABEL: func.func @two_linears
//       NVFP4: metis.spectral_matmul %{{.*}}, %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, role = activation>, rhs_policy = #metis.operand<format = <nvfp4>, role = weight>}
//       NVFP4: metis.spectral_matmul %{{.*}}, %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, role = activation>, rhs_policy = #metis.operand<format = <nvfp4>, role = weight>}
//       NVFP4: metis.spectral_matmul %{{.*}}, %{{.*}} seed %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, rounding = stochastic, role = gradient>, rhs_policy = #metis.operand<format = <nvfp4>, role = weight>}
//   NVFP4-NOT: split

// nvidia-recipe: layer 1 (the last ceil(0.15·2) = 1 layer) stays as is;
// layer 0's weight uses 16x16 tiles; its Wgrad operands get the 16-point
// random Hadamard transform along K (the tokens), a contraction tagged
// metis.policy = "none" so later runs leave it alone.
// NV-LABEL: func.func @two_linears
//       NV: metis.spectral_matmul %{{.*}}, %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, role = activation>, rhs_policy = #metis.operand<format = <nvfp4, 16x16>, role = weight>} : tensor<32x64xf32>, tensor<32x64xf32> -> tensor<32x32xf32>
//       NV: linalg.matmul
//       NV: linalg.matmul
//       NV: linalg.matmul
//       NV: metis.spectral_matmul %{{.*}}, %{{.*}} seed %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, rounding = stochastic, role = gradient>, rhs_policy = #metis.operand<format = <nvfp4, 16x16>, role = weight>} : tensor<32x32xf32>, tensor<64x32xf32> -> tensor<32x64xf32>
//       NV: %[[H:.*]] = arith.constant dense<"0x0000803E0000803E{{.*}}"> : tensor<16x16xf32>
//       NV: %[[GB:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [32, 2, 16] : tensor<32x32xf32> into tensor<32x2x16xf32>
//       NV: %[[GH:.*]] = linalg.generic {{.*}} ins(%[[GB]], %[[H]] : tensor<32x2x16xf32>, tensor<16x16xf32>) {{.*}}{metis.policy = "none"}
//       NV: %[[G:.*]] = tensor.collapse_shape %[[GH]] {{\[\[}}0], [1, 2]] : tensor<32x2x16xf32> into tensor<32x32xf32>
//       NV: linalg.generic {{.*}}{metis.policy = "none"}
//       NV: %[[X:.*]] = tensor.collapse_shape
//       NV: metis.spectral_matmul %[[G]], %[[X]] seed %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, rounding = stochastic, role = gradient>, rhs_policy = #metis.operand<format = <nvfp4>, role = activation>} : tensor<32x32xf32>, tensor<64x32xf32> -> tensor<32x64xf32>
//   NV-NOT: metis.spectral_matmul

// NV-ALL-LABEL: func.func @two_linears
//  NV-ALL-COUNT-6: metis.spectral_matmul
//   NV-ALL-NOT: linalg.generic

// NONE-LABEL: func.func @two_linears
//   NONE-NOT: metis.spectral_matmul
//  NONE-COUNT-6: linalg.matmul

// FIRST-LABEL: func.func @two_linears
//       FIRST: linalg.matmul
//       FIRST: metis.spectral_matmul %{{.*}}, %{{.*}} seed %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, role = activation>, rhs_policy = #metis.operand<format = <nvfp4>, role = weight, split = <rank = 8>>}
//       FIRST: metis.spectral_matmul %{{.*}}, %{{.*}} seed %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, role = gradient, split = <rank = 8>>, rhs_policy = #metis.operand<format = <nvfp4>, role = weight, split = <rank = 8>>}
//       FIRST: metis.spectral_matmul %{{.*}}, %{{.*}} seed %{{.*}} {lhs_policy = #metis.operand<format = <nvfp4>, role = gradient, split = <rank = 8>>, rhs_policy = #metis.operand<format = <nvfp4>, role = activation>}
//       FIRST: linalg.matmul
//       FIRST: linalg.matmul
//   FIRST-NOT: metis.spectral_matmul
func.func @two_linears(
    %x: tensor<32x64xf32> {metis.role = #metis.role<activation>},
    %w0: tensor<32x64xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64},
    %w1: tensor<48x32xf32> {metis.role = #metis.role<weight>, metis.layer = 1 : i64},
    %g: tensor<32x48xf32> {metis.role = #metis.role<gradient>})
    -> (tensor<32x48xf32>, tensor<32x64xf32>, tensor<32x64xf32>, tensor<48x32xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  // Forward.
  %e0 = tensor.empty() : tensor<64x32xf32>
  %w0t = linalg.transpose ins(%w0 : tensor<32x64xf32>) outs(%e0 : tensor<64x32xf32>) permutation = [1, 0]
  %e1 = tensor.empty() : tensor<32x32xf32>
  %z1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %y1 = linalg.matmul ins(%x, %w0t : tensor<32x64xf32>, tensor<64x32xf32>) outs(%z1 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %e2 = tensor.empty() : tensor<32x48xf32>
  %w1t = linalg.transpose ins(%w1 : tensor<48x32xf32>) outs(%e2 : tensor<32x48xf32>) permutation = [1, 0]
  %e3 = tensor.empty() : tensor<32x48xf32>
  %z3 = linalg.fill ins(%cst : f32) outs(%e3 : tensor<32x48xf32>) -> tensor<32x48xf32>
  %y = linalg.matmul ins(%y1, %w1t : tensor<32x32xf32>, tensor<32x48xf32>) outs(%z3 : tensor<32x48xf32>) -> tensor<32x48xf32>
  // Backward of layer 1.
  %z4 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %g1 = linalg.matmul ins(%g, %w1 : tensor<32x48xf32>, tensor<48x32xf32>) outs(%z4 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %e5 = tensor.empty() : tensor<48x32xf32>
  %gt = linalg.transpose ins(%g : tensor<32x48xf32>) outs(%e5 : tensor<48x32xf32>) permutation = [1, 0]
  %z5 = linalg.fill ins(%cst : f32) outs(%e5 : tensor<48x32xf32>) -> tensor<48x32xf32>
  %dw1 = linalg.matmul ins(%gt, %y1 : tensor<48x32xf32>, tensor<32x32xf32>) outs(%z5 : tensor<48x32xf32>) -> tensor<48x32xf32>
  // Backward of layer 0.
  %e6 = tensor.empty() : tensor<32x64xf32>
  %z6 = linalg.fill ins(%cst : f32) outs(%e6 : tensor<32x64xf32>) -> tensor<32x64xf32>
  %dx = linalg.matmul ins(%g1, %w0 : tensor<32x32xf32>, tensor<32x64xf32>) outs(%z6 : tensor<32x64xf32>) -> tensor<32x64xf32>
  %e7 = tensor.empty() : tensor<32x32xf32>
  %g1t = linalg.transpose ins(%g1 : tensor<32x32xf32>) outs(%e7 : tensor<32x32xf32>) permutation = [1, 0]
  %z7 = linalg.fill ins(%cst : f32) outs(%e6 : tensor<32x64xf32>) -> tensor<32x64xf32>
  %dw0 = linalg.matmul ins(%g1t, %x : tensor<32x32xf32>, tensor<32x64xf32>) outs(%z7 : tensor<32x64xf32>) -> tensor<32x64xf32>
  return %y, %dx, %dw0, %dw1 : tensor<32x48xf32>, tensor<32x64xf32>, tensor<32x64xf32>, tensor<48x32xf32>
}
