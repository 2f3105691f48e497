// RUN: metis-opt %s -metis-spectralize=preset=nvfp4 -split-input-file | FileCheck %s
// RUN: metis-opt %s -metis-spectralize -split-input-file | FileCheck %s --check-prefix=METIS
// RUN: metis-opt %s -metis-spectralize=include-attention=true -split-input-file | FileCheck %s --check-prefix=ATT

// Each input form torch-mlir's linalg backend emits for the GEMMs of a
// linear layer, rewritten into metis.spectral_matmul with both operands in
// [rows, K] layout. Weights are 2-D arguments in torch's [out, in] layout.

// Fprop, aten.t + aten.mm: the transpose of W folds away (W is already
// [N, K]); the activation [B, S, H] is collapsed to [B·S, H].
// CHECK-LABEL: func.func @fprop_transpose
//  CHECK-SAME: (%[[X:.*]]: tensor<2x16x64xf32>, %[[W:.*]]: tensor<32x64xf32>)
//       CHECK: %[[X2:.*]] = tensor.collapse_shape %[[X]]
//   CHECK-NOT: linalg.transpose
//       CHECK: %[[Y:.*]] = metis.spectral_matmul %[[X2]], %[[W]] {lhs_policy = #metis.operand<format = <nvfp4>, role = activation>, rhs_policy = #metis.operand<format = <nvfp4>, role = weight>} : tensor<32x64xf32>, tensor<32x64xf32> -> tensor<32x32xf32>
//   CHECK-NOT: linalg.matmul
//   CHECK-NOT: linalg.fill
//       CHECK: return %[[Y]]
// The metis preset splits the weight at rank 16 (a seed is needed).
// METIS-LABEL: func.func @fprop_transpose
//       METIS: %[[S:.*]] = arith.constant {{-?[0-9]+}} : i64
//       METIS: metis.spectral_matmul %{{.*}}, %{{.*}} seed %[[S]] {lhs_policy = #metis.operand<format = <nvfp4>, role = activation>, rhs_policy = #metis.operand<format = <nvfp4>, role = weight, split = <rank = 16>>}
func.func @fprop_transpose(%x: tensor<2x16x64xf32>, %w: tensor<32x64xf32>) -> tensor<32x32xf32> {
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x16x64xf32> into tensor<32x64xf32>
  %e = tensor.empty() : tensor<64x32xf32>
  %wt = linalg.transpose ins(%w : tensor<32x64xf32>) outs(%e : tensor<64x32xf32>) permutation = [1, 0]
  %cst = arith.constant 0.000000e+00 : f32
  %e2 = tensor.empty() : tensor<32x32xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e2 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %y = linalg.matmul ins(%x2, %wt : tensor<32x64xf32>, tensor<64x32xf32>) outs(%z : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %y : tensor<32x32xf32>
}

// -----

// Fprop as a matmul-transpose-b linalg.generic: operands already [M, K],
// [N, K].
// CHECK-LABEL: func.func @fprop_generic
//  CHECK-SAME: (%[[X:.*]]: tensor<32x64xf32> {{.*}}, %[[W:.*]]: tensor<48x64xf32> {{.*}})
//   CHECK-NOT: linalg.transpose
//       CHECK: metis.spectral_matmul %[[X]], %[[W]] {{.*}}role = activation{{.*}}role = weight{{.*}} -> tensor<32x48xf32>
//   CHECK-NOT: linalg.generic
func.func @fprop_generic(%x: tensor<32x64xf32> {metis.role = #metis.role<activation>}, %w: tensor<48x64xf32> {metis.role = #metis.role<weight>}) -> tensor<32x48xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<32x48xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<32x48xf32>) -> tensor<32x48xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<32x64xf32>, tensor<48x64xf32>) outs(%z : tensor<32x48xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<32x48xf32>
  return %y : tensor<32x48xf32>
}

// -----

// Dgrad dX = G·W: W [out, in] reduces over `out`, so it enters transposed
// ([in, out] = [N, K]); G is a gradient (stochastic rounding, seeded).
// CHECK-LABEL: func.func @dgrad
//  CHECK-SAME: (%[[G:.*]]: tensor<32x48xf32> {{.*}}, %[[W:.*]]: tensor<48x64xf32> {{.*}})
//       CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<48x64xf32>) outs(%{{.*}} : tensor<64x48xf32>) permutation = [1, 0]
//       CHECK: %[[S:.*]] = arith.constant {{-?[0-9]+}} : i64
//       CHECK: metis.spectral_matmul %[[G]], %[[WT]] seed %[[S]] {lhs_policy = #metis.operand<format = <nvfp4>, rounding = stochastic, role = gradient>, rhs_policy = #metis.operand<format = <nvfp4>, role = weight>} : tensor<32x48xf32>, tensor<64x48xf32> -> tensor<32x64xf32>
func.func @dgrad(%g: tensor<32x48xf32> {metis.role = #metis.role<gradient>}, %w: tensor<48x64xf32> {metis.role = #metis.role<weight>}) -> tensor<32x64xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<32x64xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<32x64xf32>) -> tensor<32x64xf32>
  %y = linalg.matmul ins(%g, %w : tensor<32x48xf32>, tensor<48x64xf32>) outs(%z : tensor<32x64xf32>) -> tensor<32x64xf32>
  return %y : tensor<32x64xf32>
}

// -----

// Fprop + Dgrad + Wgrad of one linear in one function (transpose forms):
// dW = Gᵀ·X reduces over the 32 tokens; its gradient operand is the
// Dgrad's, which ties it to W. Both operands enter as [·, tokens].
// CHECK-LABEL: func.func @wgrad_transpose
//  CHECK-SAME: (%[[X:.*]]: tensor<32x64xf32> {metis.role = #metis.role<activation>}, %[[W:.*]]: tensor<48x64xf32> {{.*}}, %[[G:.*]]: tensor<32x48xf32> {{.*}})
//       CHECK: metis.spectral_matmul %[[X]], %[[W]] {{.*}}role = activation{{.*}}role = weight{{.*}} -> tensor<32x48xf32>
//       CHECK: metis.spectral_matmul %[[G]], %{{.*}} seed {{.*}}role = gradient{{.*}}role = weight{{.*}} -> tensor<32x64xf32>
//       CHECK: %[[GT:.*]] = linalg.transpose ins(%[[G]] : tensor<32x48xf32>) {{.*}} permutation = [1, 0]
//       CHECK: %[[XT:.*]] = linalg.transpose ins(%[[X]] : tensor<32x64xf32>) {{.*}} permutation = [1, 0]
//       CHECK: metis.spectral_matmul %[[GT]], %[[XT]] seed {{.*}}role = gradient{{.*}}role = activation{{.*}} : tensor<48x32xf32>, tensor<64x32xf32> -> tensor<48x64xf32>
func.func @wgrad_transpose(%x: tensor<32x64xf32> {metis.role = #metis.role<activation>}, %w: tensor<48x64xf32> {metis.role = #metis.role<weight>}, %g: tensor<32x48xf32> {metis.role = #metis.role<gradient>}) -> (tensor<32x48xf32>, tensor<32x64xf32>, tensor<48x64xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %e0 = tensor.empty() : tensor<64x48xf32>
  %wt = linalg.transpose ins(%w : tensor<48x64xf32>) outs(%e0 : tensor<64x48xf32>) permutation = [1, 0]
  %e1 = tensor.empty() : tensor<32x48xf32>
  %z1 = linalg.fill ins(%cst : f32) outs(%e1 : tensor<32x48xf32>) -> tensor<32x48xf32>
  %y = linalg.matmul ins(%x, %wt : tensor<32x64xf32>, tensor<64x48xf32>) outs(%z1 : tensor<32x48xf32>) -> tensor<32x48xf32>
  %e2 = tensor.empty() : tensor<32x64xf32>
  %z2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<32x64xf32>) -> tensor<32x64xf32>
  %dx = linalg.matmul ins(%g, %w : tensor<32x48xf32>, tensor<48x64xf32>) outs(%z2 : tensor<32x64xf32>) -> tensor<32x64xf32>
  %e3 = tensor.empty() : tensor<48x32xf32>
  %gt = linalg.transpose ins(%g : tensor<32x48xf32>) outs(%e3 : tensor<48x32xf32>) permutation = [1, 0]
  %e4 = tensor.empty() : tensor<48x64xf32>
  %z4 = linalg.fill ins(%cst : f32) outs(%e4 : tensor<48x64xf32>) -> tensor<48x64xf32>
  %dw = linalg.matmul ins(%gt, %x : tensor<48x32xf32>, tensor<32x64xf32>) outs(%z4 : tensor<48x64xf32>) -> tensor<48x64xf32>
  return %y, %dx, %dw : tensor<32x48xf32>, tensor<32x64xf32>, tensor<48x64xf32>
}

// -----

// Wgrad as a matmul-transpose-a linalg.generic, its gradient operand the
// Dgrad's; no annotations (every 2-D argument is then a weight, the 3-D
// ones are data, and the gradient is found through the Dgrad).
// CHECK-LABEL: func.func @wgrad_generic
//       CHECK: metis.spectral_matmul {{.*}}role = gradient{{.*}}role = weight{{.*}} -> tensor<32x64xf32>
//       CHECK: metis.spectral_matmul {{.*}}role = gradient{{.*}}role = activation{{.*}} : tensor<48x32xf32>, tensor<64x32xf32> -> tensor<48x64xf32>
func.func @wgrad_generic(%x: tensor<2x16x64xf32>, %w: tensor<48x64xf32>, %g3: tensor<2x16x48xf32>) -> (tensor<32x64xf32>, tensor<48x64xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x16x64xf32> into tensor<32x64xf32>
  %g = tensor.collapse_shape %g3 [[0, 1], [2]] : tensor<2x16x48xf32> into tensor<32x48xf32>
  %e2 = tensor.empty() : tensor<32x64xf32>
  %z2 = linalg.fill ins(%cst : f32) outs(%e2 : tensor<32x64xf32>) -> tensor<32x64xf32>
  %dx = linalg.matmul ins(%g, %w : tensor<32x48xf32>, tensor<48x64xf32>) outs(%z2 : tensor<32x64xf32>) -> tensor<32x64xf32>
  %e4 = tensor.empty() : tensor<48x64xf32>
  %z4 = linalg.fill ins(%cst : f32) outs(%e4 : tensor<48x64xf32>) -> tensor<48x64xf32>
  %dw = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g, %x2 : tensor<32x48xf32>, tensor<32x64xf32>) outs(%z4 : tensor<48x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<48x64xf32>
  return %dx, %dw : tensor<32x64xf32>, tensor<48x64xf32>
}

// -----

// bf16 weights and activations (bf16 result); a weight reached through an
// element-wise truncf of the f32 master copy.
// CHECK-LABEL: func.func @fprop_bf16
//       CHECK: %[[WB:.*]] = linalg.generic
//       CHECK: metis.spectral_matmul %{{.*}}, %[[WB]] {{.*}}role = weight{{.*}} : tensor<32x64xbf16>, tensor<16x64xbf16> -> tensor<32x16xbf16>
func.func @fprop_bf16(%x: tensor<32x64xbf16> {metis.role = #metis.role<activation>}, %w: tensor<16x64xf32> {metis.role = #metis.role<weight>}) -> tensor<32x16xbf16> {
  %e = tensor.empty() : tensor<16x64xbf16>
  %wb = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%w : tensor<16x64xf32>) outs(%e : tensor<16x64xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<16x64xbf16>
  %et = tensor.empty() : tensor<64x16xbf16>
  %wt = linalg.transpose ins(%wb : tensor<16x64xbf16>) outs(%et : tensor<64x16xbf16>) permutation = [1, 0]
  %cst = arith.constant 0.000000e+00 : bf16
  %e2 = tensor.empty() : tensor<32x16xbf16>
  %z = linalg.fill ins(%cst : bf16) outs(%e2 : tensor<32x16xbf16>) -> tensor<32x16xbf16>
  %y = linalg.matmul ins(%x, %wt : tensor<32x64xbf16>, tensor<64x16xbf16>) outs(%z : tensor<32x16xbf16>) -> tensor<32x16xbf16>
  return %y : tensor<32x16xbf16>
}

// -----

// Attention (batched, no weight): unchanged by default, rewritten with
// include-attention (batched operands are never split; K^T's transpose
// folds away).
// CHECK-LABEL: func.func @attention
//       CHECK: linalg.batch_matmul
//   CHECK-NOT: metis.spectral_matmul
// ATT-LABEL: func.func @attention
//  ATT-SAME: (%[[Q:.*]]: tensor<8x16x32xf32>, %[[K:.*]]: tensor<8x16x32xf32>)
//       ATT: metis.spectral_matmul %[[Q]], %[[K]] {lhs_policy = #metis.operand<format = <nvfp4>, role = activation>, rhs_policy = #metis.operand<format = <nvfp4>, role = activation>} : tensor<8x16x32xf32>, tensor<8x16x32xf32> -> tensor<8x16x16xf32>
func.func @attention(%q: tensor<8x16x32xf32>, %k: tensor<8x16x32xf32>) -> tensor<8x16x16xf32> {
  %e = tensor.empty() : tensor<8x32x16xf32>
  %kt = linalg.transpose ins(%k : tensor<8x16x32xf32>) outs(%e : tensor<8x32x16xf32>) permutation = [0, 2, 1]
  %cst = arith.constant 0.000000e+00 : f32
  %e2 = tensor.empty() : tensor<8x16x16xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e2 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x16x32xf32>, tensor<8x32x16xf32>) outs(%z : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  return %s : tensor<8x16x16xf32>
}

// -----

// ...and rewritten (batched, never split) with an explicit dictionary
// metis.policy on the op, which applies whatever the class.
// CHECK-LABEL: func.func @attention_forced
//  CHECK-SAME: (%[[Q:.*]]: tensor<8x16x32xf32>, %[[K:.*]]: tensor<8x16x32xf32>)
//       CHECK: metis.spectral_matmul %[[Q]], %[[K]] {lhs_policy = #metis.operand<format = <nvfp4>>, rhs_policy = #metis.operand<format = <nvfp4>>} : tensor<8x16x32xf32>, tensor<8x16x32xf32> -> tensor<8x16x16xf32>
func.func @attention_forced(%q: tensor<8x16x32xf32>, %k: tensor<8x16x32xf32>) -> tensor<8x16x16xf32> {
  %e = tensor.empty() : tensor<8x32x16xf32>
  %kt = linalg.transpose ins(%k : tensor<8x16x32xf32>) outs(%e : tensor<8x32x16xf32>) permutation = [0, 2, 1]
  %cst = arith.constant 0.000000e+00 : f32
  %e2 = tensor.empty() : tensor<8x16x16xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e2 : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  %s = linalg.batch_matmul {metis.policy = {lhs = #metis.operand<format = #metis.format<nvfp4>>, rhs = #metis.operand<format = #metis.format<nvfp4>>}} ins(%q, %kt : tensor<8x16x32xf32>, tensor<8x32x16xf32>) outs(%z : tensor<8x16x16xf32>) -> tensor<8x16x16xf32>
  return %s : tensor<8x16x16xf32>
}

// -----

// A contraction whose output map is transposed (C[n, m]): the result is
// transposed back.
// CHECK-LABEL: func.func @transposed_output
//  CHECK-SAME: (%[[X:.*]]: tensor<32x64xf32> {{.*}}, %[[W:.*]]: tensor<16x64xf32> {{.*}})
//       CHECK: %[[Y:.*]] = metis.spectral_matmul %[[X]], %[[W]] {{.*}} -> tensor<32x16xf32>
//       CHECK: %[[T:.*]] = linalg.transpose ins(%[[Y]] : tensor<32x16xf32>) {{.*}} permutation = [1, 0]
//       CHECK: return %[[T]]
func.func @transposed_output(%x: tensor<32x64xf32> {metis.role = #metis.role<activation>}, %w: tensor<16x64xf32> {metis.role = #metis.role<weight>}) -> tensor<16x32xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d1, d0)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<32x64xf32>, tensor<16x64xf32>) outs(%z : tensor<16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}

// -----

// Memref arguments (destination-passing style): weights traced through
// bufferization.to_tensor.
// CHECK-LABEL: func.func @memref_abi
//       CHECK: metis.spectral_matmul {{.*}}role = activation{{.*}}role = weight
func.func @memref_abi(%xm: memref<32x64xf32> {metis.role = #metis.role<activation>}, %wm: memref<16x64xf32> {metis.role = #metis.role<weight>}, %ym: memref<32x16xf32> {metis.role = #metis.role<activation>}) {
  %x = bufferization.to_tensor %xm restrict : memref<32x64xf32> to tensor<32x64xf32>
  %w = bufferization.to_tensor %wm restrict : memref<16x64xf32> to tensor<16x64xf32>
  %e = tensor.empty() : tensor<64x16xf32>
  %wt = linalg.transpose ins(%w : tensor<16x64xf32>) outs(%e : tensor<64x16xf32>) permutation = [1, 0]
  %cst = arith.constant 0.000000e+00 : f32
  %e2 = tensor.empty() : tensor<32x16xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e2 : tensor<32x16xf32>) -> tensor<32x16xf32>
  %y = linalg.matmul ins(%x, %wt : tensor<32x64xf32>, tensor<64x16xf32>) outs(%z : tensor<32x16xf32>) -> tensor<32x16xf32>
  bufferization.materialize_in_destination %y in restrict writable %ym : (tensor<32x16xf32>, memref<32x16xf32>) -> ()
  return
}

// -----

// A training step's seed argument (metis.seed): every seeded op XORs its
// own constant into it.
// CHECK-LABEL: func.func @seed_argument
//  CHECK-SAME: %[[SEED:[^:]*]]: i64 {metis.seed})
//       CHECK: %[[C:.*]] = arith.constant {{-?[0-9]+}} : i64
//       CHECK: %[[S:.*]] = arith.xori %[[SEED]], %[[C]] : i64
//       CHECK: metis.spectral_matmul %{{.*}}, %{{.*}} seed %[[S]]
func.func @seed_argument(%g: tensor<32x48xf32> {metis.role = #metis.role<gradient>}, %w: tensor<48x64xf32> {metis.role = #metis.role<weight>}, %seed: i64 {metis.seed}) -> tensor<32x64xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<32x64xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<32x64xf32>) -> tensor<32x64xf32>
  %y = linalg.matmul ins(%g, %w : tensor<32x48xf32>, tensor<48x64xf32>) outs(%z : tensor<32x64xf32>) -> tensor<32x64xf32>
  return %y : tensor<32x64xf32>
}
