// RUN: metis-opt %s -convert-metis-to-linalg -split-input-file | FileCheck %s
// RUN: metis-opt %s -split-input-file -metis-cpu-pipeline | FileCheck %s --check-prefix=LLVM

// metis.spectral_split (docs/SpectralSplit.md): 64×32, k = 4, p = 2 → l = 6,
// two power iterations. The Gaussian sketch Ωᵀ (l×N) is one generic whose
// body runs Philox4x32-10 (10 rounds, 2 multiplies each) on (seed, i·l + j)
// and Box–Muller; then q + 1 = 3 subspace iterations, each Y = X·V and
// Gᵀ = Yᵀ·X (tagged contractions streaming X, one pass on the CPU), CGS2 on
// the rows of Yᵀ with its coefficients T, Zᵀ = T·Gᵀ unless a row cancels
// by more than 128 (then Zᵀ = Qᵀ·X), CGS2: two in a loop, the last peeled,
// whose Q and Z give Rbᵀ = Vᵀ·Z without another pass over X; then the
// Jacobi sweeps, the sort and the products giving U, Vt and
// R = X − U·diag(S)·Vt.

// CHECK-LABEL: func.func @gaussian
//  CHECK-SAME: (%[[X:.*]]: tensor<64x32xf32>, %[[SEED:.*]]: i64)
//       CHECK: %[[OMEGA:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<6x32xf32>)
//       CHECK:   linalg.index 0
//       CHECK:   linalg.index 1
//       CHECK:   arith.shrui %[[SEED]]
// CHECK-COUNT-20: arith.mului_extended
//       CHECK:   math.log
//       CHECK:   math.sqrt
//       CHECK:   math.cos
//       CHECK:   linalg.yield
//
//       CHECK: %[[V:.*]] = scf.for %{{.*}} = %c-1 to %c1 step %{{.*}} iter_args(%[[VI:.*]] = %[[OMEGA]]) -> (tensor<6x32xf32>)
//       CHECK:   %[[VIT:.*]] = linalg.transpose ins(%[[VI]] : tensor<6x32xf32>) outs(%{{.*}} : tensor<32x6xf32>) permutation = [1, 0]
//       CHECK:   %[[XV:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[X]], %[[VIT]] : tensor<64x32xf32>, tensor<32x6xf32>) outs(%{{.*}} : tensor<64x6xf32>) attrs =  {metis.spectral_gemm}
// One fused multiply-add per k step (metis-cpu-gemm's strict fused mode).
//       CHECK:     %[[FMA:.*]] = math.fma %{{.*}}, %{{.*}}, %{{.*}} : f32
//  CHECK-NEXT:     linalg.yield %[[FMA]] : f32
// Gᵀ = Yᵀ·X, in the same pass over X on the CPU (metis-cpu-gemm).
//       CHECK:   %[[GT:.*]] = linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "parallel"]} ins(%[[XV]], %[[X]] : tensor<64x6xf32>, tensor<64x32xf32>) outs(%{{.*}} : tensor<6x32xf32>) attrs =  {metis.spectral_gemm}
//       CHECK:   %[[XVT:.*]] = linalg.transpose ins(%[[XV]] : tensor<64x6xf32>)
// CGS2, one row at a time: the norm, two passes of (c = Q_{<j}·v, v −= Q_{<j}ᵀ·c,
// and the same on t = e_j), the norm again, and the 2^-20 rank-deficiency test.
//       CHECK:   %[[Q:.*]]:2 = scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[QB:.*]] = %{{.*}}, %[[TB:.*]] = %{{.*}}) -> (tensor<6x64xf32>, tensor<6x6xf32>)
//       CHECK:     %[[ROW:.*]] = tensor.extract_slice %[[XVT]][%[[J]], 0] [1, 64] [1, 1] : tensor<6x64xf32> to tensor<64xf32>
//       CHECK:     linalg.dot ins(%[[ROW]], %[[ROW]]
//       CHECK:     %[[DONE:.*]] = tensor.extract_slice %[[QB]][0, 0] [%[[J]], 64] [1, 1] : tensor<6x64xf32> to tensor<?x64xf32>
//       CHECK:     %[[E:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<6xf32>)
//       CHECK:     %[[DONET:.*]] = tensor.extract_slice %[[TB]][0, 0] [%[[J]], 6] [1, 1] : tensor<6x6xf32> to tensor<?x6xf32>
//       CHECK:     linalg.matvec ins(%[[DONE]], %[[ROW]]
//       CHECK:     %[[P1:.*]] = linalg.vecmat ins(%[[C1:.*]], %[[DONE]] : tensor<?xf32>, tensor<?x64xf32>) outs(%[[ROW]] : tensor<64xf32>)
//       CHECK:     %[[T1:.*]] = linalg.vecmat ins(%[[C1]], %[[DONET]] : tensor<?xf32>, tensor<?x6xf32>) outs(%[[E]] : tensor<6xf32>)
//       CHECK:     linalg.matvec ins(%[[DONE]], %[[P1]]
//       CHECK:     %[[P2:.*]] = linalg.vecmat ins(%[[C2:.*]], %[[DONE]] : tensor<?xf32>, tensor<?x64xf32>) outs(%[[P1]] : tensor<64xf32>)
//       CHECK:     %[[T2:.*]] = linalg.vecmat ins(%[[C2]], %[[DONET]] : tensor<?xf32>, tensor<?x6xf32>) outs(%[[T1]] : tensor<6xf32>)
//       CHECK:     linalg.dot ins(%[[P2]], %[[P2]]
//       CHECK:     %[[TOL:.*]] = arith.constant 9.53674316E-7 : f32
//       CHECK:     %[[THR:.*]] = arith.mulf %[[TOL]], %{{.*}} : f32
//       CHECK:     %[[DEF:.*]] = arith.cmpf ole, %{{.*}}, %[[THR]] : f32
//       CHECK:     %[[UNIT:.*]] = linalg.generic {{.*}} ins(%[[P2]] : tensor<64xf32>)
//       CHECK:       arith.divf
//       CHECK:       arith.select %[[DEF]]
//       CHECK:     tensor.insert_slice %[[UNIT]] into %[[QB]][%[[J]], 0] [1, 64] [1, 1]
//       CHECK:     %[[TUNIT:.*]] = linalg.generic {{.*}} ins(%[[T2]] : tensor<6xf32>)
//       CHECK:       arith.select %[[DEF]]
//       CHECK:     tensor.insert_slice %[[TUNIT]] into %[[TB]][%[[J]], 0] [1, 6] [1, 1]
// Zᵀ = T·Gᵀ; the row norms of Gᵀ and Zᵀ; accurate iff every row j has
// Σ_s ‖g_s‖·|T[j][s]| ≤ 128·‖z_j‖; else Zᵀ = Qᵀ·X, a second pass, into
// the same tensor.
//       CHECK:   %[[ZONE:.*]] = linalg.generic {{.*}} ins(%[[Q]]#1, %[[GT]] : tensor<6x6xf32>, tensor<6x32xf32>) outs(%{{.*}} : tensor<6x32xf32>) attrs =  {metis.spectral_gemm}
//       CHECK:   linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[GT]] : tensor<6x32xf32>)
//       CHECK:   linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[ZONE]] : tensor<6x32xf32>)
//       CHECK:   %[[OK:.*]] = scf.for {{.*}} -> (i1)
//       CHECK:     scf.for {{.*}} -> (f32)
//       CHECK:       math.absf
//       CHECK:     arith.constant 1.280000e+02 : f32
//       CHECK:     arith.cmpf ole
//       CHECK:     arith.andi
//       CHECK:   %[[ZT:.*]] = scf.if %[[OK]] -> (tensor<6x32xf32>)
//       CHECK:     scf.yield %[[ZONE]]
//       CHECK:   } else {
//       CHECK:     %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[ZONE]] : tensor<6x32xf32>)
//       CHECK:     %[[ZTWO:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[Q]]#0, %[[X]] : tensor<6x64xf32>, tensor<64x32xf32>) outs(%[[ZERO]] : tensor<6x32xf32>) attrs =  {metis.spectral_gemm}
//       CHECK:     scf.yield %[[ZTWO]]
//       CHECK:   scf.for {{.*}} -> (tensor<6x32xf32>)
//       CHECK:     linalg.dot ins
//       CHECK:     linalg.matvec
//       CHECK:   %[[NEXT:.*]] = linalg.copy ins(%{{.*}} : tensor<6x32xf32>) outs(%[[VI]] : tensor<6x32xf32>)
//       CHECK:   scf.yield %[[NEXT]]
//
// The last iteration: Q = orth(X·V), Zᵀ = Qᵀ·X, V = orth(Zᵀ), and
// Rbᵀ = Vᵀ·Z (= (Qᵀ·X·V)ᵀ, dot-product loops over N) with Qb = Q.
//       CHECK: %[[VT0:.*]] = linalg.transpose ins(%[[V]] : tensor<6x32xf32>)
//       CHECK: linalg.generic {{.*}} ins(%[[X]], %[[VT0]] : tensor<64x32xf32>, tensor<32x6xf32>) outs(%{{.*}} : tensor<64x6xf32>) attrs =  {metis.spectral_gemm}
//       CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[X]] : tensor<64x6xf32>, tensor<64x32xf32>) outs(%{{.*}} : tensor<6x32xf32>) attrs =  {metis.spectral_gemm}
//       CHECK: %[[QBT:.*]]:2 = scf.for {{.*}} -> (tensor<6x64xf32>, tensor<6x6xf32>)
//       CHECK: %[[ZT:.*]] = scf.if %{{.*}} -> (tensor<6x32xf32>)
//       CHECK:   linalg.generic {{.*}} ins(%[[QBT]]#0, %[[X]] : tensor<6x64xf32>, tensor<64x32xf32>) outs(%{{.*}} : tensor<6x32xf32>) attrs =  {metis.spectral_gemm}
//       CHECK: %[[VL:.*]] = scf.for {{.*}} -> (tensor<6x32xf32>)
//       CHECK: %[[RBT:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[VL]], %[[ZT]] : tensor<6x32xf32>, tensor<6x32xf32>) outs(%{{.*}} : tensor<6x6xf32>) attrs =  {metis.spectral_gemm}
// No third pass over X before the residual.
//   CHECK-NOT: ins(%[[X]], %{{.*}} : tensor<64x32xf32>, tensor<32x6xf32>)
//
// One-sided Jacobi: at most 30 sweeps while the previous sweep rotated;
// pairs p < q; rotate iff |γ| > 2^-23·√α·√β.
//       CHECK: %[[W0:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<6x6xf32>)
//       CHECK:   arith.cmpi eq
//       CHECK: %[[SW:.*]]:4 = scf.while (%{{.*}} = %[[RBT]], %{{.*}} = %[[W0]], %{{.*}} = %{{.*}}, %{{.*}} = %{{true.*}}) : (tensor<6x6xf32>, tensor<6x6xf32>, index, i1)
//       CHECK:   arith.constant 30 : index
//       CHECK:   scf.condition
//       CHECK:   scf.for
//       CHECK:     scf.for
//       CHECK:       scf.for {{.*}} -> (f32, f32, f32)
//       CHECK:       arith.constant 1.1920929E-7 : f32
//       CHECK:       %[[ROT:.*]] = arith.cmpf ogt
//       CHECK:       scf.if %[[ROT]] -> (tensor<6x6xf32>, tensor<6x6xf32>)
//       CHECK:         math.copysign
//       CHECK:         scf.for
//       CHECK-COUNT-4:   tensor.insert
//       CHECK:       arith.ori %{{.*}}, %[[ROT]] : i1
//
// σ, the stable descending order (NaN as +Inf), gathers of S, Ur and W.
//       CHECK: %[[SIGMA:.*]] = scf.for {{.*}} -> (tensor<6xf32>)
//       CHECK:   math.sqrt
//       CHECK: %[[ORDER:.*]] = scf.for {{.*}} -> (tensor<6xindex>)
//       CHECK:   arith.cmpf uno
//       CHECK:   arith.cmpf ogt
//       CHECK:   arith.cmpf oeq
//       CHECK: %[[S6:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<6xf32>)
//       CHECK: %[[UR:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<6x6xf32>)
//       CHECK:   arith.divf
//       CHECK: %[[WS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<6x6xf32>)
//       CHECK: %[[S:.*]] = tensor.extract_slice %[[S6]][0] [4] [1] : tensor<6xf32> to tensor<4xf32>
//       CHECK: %[[URK:.*]] = tensor.extract_slice %[[UR]][0, 0] [6, 4] [1, 1]
//       CHECK: %[[U:.*]] = linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "parallel"]} ins(%[[QBT]]#0, %[[URK]] : tensor<6x64xf32>, tensor<6x4xf32>) outs(%{{.*}} : tensor<64x4xf32>) attrs =  {metis.spectral_gemm}
//       CHECK: %[[WSK:.*]] = tensor.extract_slice %[[WS]][0, 0] [4, 6] [1, 1]
//       CHECK: %[[VW:.*]] = linalg.generic {{.*}} ins(%[[WSK]], %[[VL]] : tensor<4x6xf32>, tensor<6x32xf32>) outs(%{{.*}} : tensor<4x32xf32>) attrs =  {metis.spectral_gemm}
// Vt rows whose singular value is exactly 0 are zeroed.
//       CHECK: %[[VT:.*]] = linalg.generic {{.*}} ins(%[[VW]], %[[S]] : tensor<4x32xf32>, tensor<4xf32>)
//       CHECK:   arith.cmpf oeq
//       CHECK:   arith.select
//       CHECK: %[[NUS:.*]] = linalg.generic {{.*}} ins(%[[U]], %[[S]] : tensor<64x4xf32>, tensor<4xf32>)
//       CHECK:   arith.mulf
//       CHECK:   arith.negf
// R = X − U·S·Vt elementwise: x, then fma(−(U·S)[i, j], Vt[j, c], ·) for
// j = 0..3 (the contraction's operations in its order), its operands the
// columns of −U·S and the rows of Vt.
//       CHECK: %[[C0:.*]] = tensor.extract_slice %[[NUS]][0, 0] [64, 1] [1, 1] : tensor<64x4xf32> to tensor<64xf32>
//       CHECK: %[[C3:.*]] = tensor.extract_slice %[[NUS]][0, 3] [64, 1] [1, 1] : tensor<64x4xf32> to tensor<64xf32>
//       CHECK: %[[R0:.*]] = tensor.extract_slice %[[VT]][0, 0] [1, 32] [1, 1] : tensor<4x32xf32> to tensor<32xf32>
//       CHECK: %[[R3:.*]] = tensor.extract_slice %[[VT]][3, 0] [1, 32] [1, 1] : tensor<4x32xf32> to tensor<32xf32>
//       CHECK: %[[R:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[C0]], {{.*}}, %[[C3]], %[[R0]], {{.*}}, %[[R3]] : tensor<64x32xf32>, {{.*}}) outs(%{{.*}} : tensor<64x32xf32>) attrs =  {metis.elementwise, metis.residual}
//       CHECK: ^bb0(%[[XI:.*]]: f32, %[[A0:.*]]: f32, %[[A1:.*]]: f32, %[[A2:.*]]: f32, %[[A3:.*]]: f32, %[[B0:.*]]: f32, %[[B1:.*]]: f32, %[[B2:.*]]: f32, %[[B3:.*]]: f32, %{{.*}}: f32):
//       CHECK:   %[[F0:.*]] = math.fma %[[A0]], %[[B0]], %[[XI]] : f32
//       CHECK:   %[[F1:.*]] = math.fma %[[A1]], %[[B1]], %[[F0]] : f32
//       CHECK:   %[[F2:.*]] = math.fma %[[A2]], %[[B2]], %[[F1]] : f32
//       CHECK:   %[[F3:.*]] = math.fma %[[A3]], %[[B3]], %[[F2]] : f32
//       CHECK:   linalg.yield %[[F3]] : f32
//       CHECK: return %[[U]], %[[S]], %[[VT]], %[[R]]

// LLVM-LABEL: llvm.func @gaussian
//   LLVM-NOT: metis.
//   LLVM-NOT: linalg.
//   LLVM-NOT: tensor.
//   LLVM-NOT: scf.
//       LLVM: llvm.return
func.func @gaussian(%x: tensor<64x32xf32>, %seed: i64) -> (tensor<64x4xf32>, tensor<4xf32>, tensor<4x32xf32>, tensor<64x32xf32>) {
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 4 : i64, oversample = 2 : i64, power_iters = 2 : i64}
      : tensor<64x32xf32> -> tensor<64x4xf32>, tensor<4xf32>, tensor<4x32xf32>, tensor<64x32xf32>
  return %u, %s, %vt, %r : tensor<64x4xf32>, tensor<4xf32>, tensor<4x32xf32>, tensor<64x32xf32>
}

// -----

// Rademacher on a bf16 input: X is extended to f32 first; an entry is −1
// when the top bit of Philox word 0 is set. l = min(8 + 30, 24) = 24 = N.

// CHECK-LABEL: func.func @rademacher_bf16
//       CHECK: %[[XF:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<40x24xbf16>) outs(%{{.*}} : tensor<40x24xf32>)
//       CHECK:   arith.extf %{{.*}} : bf16 to f32
//       CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<24x24xf32>)
//   CHECK-NOT:   math.log
//       CHECK:   %[[NEG:.*]] = arith.cmpi slt, %{{.*}}, %{{.*}} : i32
//       CHECK:   arith.select %[[NEG]], %{{.*}}, %{{.*}} : f32
// q = 0: one iteration (peeled, no loop) reading the extended X twice.
//   CHECK-NOT: scf.for {{.*}} -> (tensor<24x24xf32>)
//       CHECK: linalg.generic {{.*}} ins(%[[XF]], %{{.*}} : tensor<40x24xf32>, tensor<24x24xf32>)
//       CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[XF]] : tensor<24x40xf32>, tensor<40x24xf32>)
//       CHECK: linalg.generic {{.*}} ins(%[[XF]], {{.*}} attrs =  {metis.elementwise, metis.residual}
func.func @rademacher_bf16(%x: tensor<40x24xbf16>, %seed: i64) -> (tensor<40x8xf32>, tensor<8xf32>, tensor<8x24xf32>, tensor<40x24xf32>) {
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 8 : i64, oversample = 30 : i64, power_iters = 0 : i64, sketch = #metis.sketch<rademacher>}
      : tensor<40x24xbf16> -> tensor<40x8xf32>, tensor<8xf32>, tensor<8x24xf32>, tensor<40x24xf32>
  return %u, %s, %vt, %r : tensor<40x8xf32>, tensor<8xf32>, tensor<8x24xf32>, tensor<40x24xf32>
}

// -----

// Sparse sign, l = 12: an entry is non-zero iff (word0 >> 8)·l < min(8, l)·2^24
// (8·2^24 = 134217728), with the sign from word 1.

// CHECK-LABEL: func.func @sparse_sign
//       CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<12x40xf32>)
//       CHECK:   %[[L:.*]] = arith.constant 12 : i64
//       CHECK:   %[[D:.*]] = arith.muli %{{.*}}, %[[L]] : i64
//       CHECK:   %[[T:.*]] = arith.constant 134217728 : i64
//       CHECK:   %[[KEEP:.*]] = arith.cmpi ult, %[[D]], %[[T]] : i64
//       CHECK:   arith.cmpi slt
//       CHECK:   %[[SIGN:.*]] = arith.select
//       CHECK:   arith.select %[[KEEP]], %[[SIGN]], %{{.*}} : f32
func.func @sparse_sign(%x: tensor<48x40xf32>, %seed: i64) -> (tensor<48x8xf32>, tensor<8xf32>, tensor<8x40xf32>, tensor<48x40xf32>) {
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 8 : i64, sketch = #metis.sketch<sparse_sign>}
      : tensor<48x40xf32> -> tensor<48x8xf32>, tensor<8xf32>, tensor<8x40xf32>, tensor<48x40xf32>
  return %u, %s, %vt, %r : tensor<48x8xf32>, tensor<8xf32>, tensor<8x40xf32>, tensor<48x40xf32>
}

// -----

// Row sampling: a partial Fisher–Yates shuffle of 0..M−1 (l = 12 steps, each
// swapping perm[t] and perm[t + w mod (M − t)]), the sampled rows gathered
// from X, orthonormalized, then q = 2 iterations (no extra one): one in the
// loop, the last peeled.

// CHECK-LABEL: func.func @row_sampling
//  CHECK-SAME: (%[[X:.*]]: tensor<48x40xf32>, %[[SEED:.*]]: i64)
//       CHECK: %[[IOTA:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<48xindex>)
//       CHECK: %[[PERM:.*]] = scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[P:.*]] = %[[IOTA]]) -> (tensor<48xindex>)
//       CHECK:   arith.remui
//       CHECK:   %[[A:.*]] = tensor.extract %[[P]][%[[T]]]
//       CHECK:   %[[B:.*]] = tensor.extract %[[P]][%[[J:.*]]]
//       CHECK:   %[[P1:.*]] = tensor.insert %[[B]] into %[[P]][%[[T]]]
//       CHECK:   tensor.insert %[[A]] into %[[P1]][%[[J]]]
//       CHECK: %[[ROWS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<12x40xf32>)
//       CHECK:   %[[R:.*]] = tensor.extract %[[PERM]]
//       CHECK:   tensor.extract %[[X]][%[[R]], %{{.*}}]
//       CHECK: %[[V0:.*]] = scf.for {{.*}} -> (tensor<12x40xf32>)
//       CHECK:   tensor.extract_slice %[[ROWS]]
//       CHECK: scf.for %{{.*}} = %c0{{(_[0-9]+)?}} to %c1{{(_[0-9]+)?}} step %{{.*}} iter_args(%{{.*}} = %[[V0]]) -> (tensor<12x40xf32>)
//   CHECK-NOT: math.log
//       CHECK: return
func.func @row_sampling(%x: tensor<48x40xf32>, %seed: i64) -> (tensor<48x8xf32>, tensor<8xf32>, tensor<8x40xf32>, tensor<48x40xf32>) {
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 8 : i64, sketch = #metis.sketch<row_sampling>}
      : tensor<48x40xf32> -> tensor<48x8xf32>, tensor<8xf32>, tensor<8x40xf32>, tensor<48x40xf32>
  return %u, %s, %vt, %r : tensor<48x8xf32>, tensor<8xf32>, tensor<8x40xf32>, tensor<48x40xf32>
}

// -----

// Warm start with q = 0: V = orth(V0) (no sketch, no iteration), so the
// projection is B = X·V, Qb = orth(B), Rbᵀ = Bᵀ·Qb (dot products over M);
// the fifth result is V·W over all l = 6 columns, and Vt the first k of
// them, transposed (a dynamic warm_start/subspace type gets tensor.casts).

// CHECK-LABEL: func.func @warm_start
//  CHECK-SAME: (%[[X:.*]]: tensor<32x24xf32>, %[[SEED:.*]]: i64, %[[W:.*]]: tensor<?x6xf32>)
//   CHECK-NOT: arith.mului_extended
//       CHECK: %[[WS:.*]] = tensor.cast %[[W]] : tensor<?x6xf32> to tensor<24x6xf32>
//       CHECK: %[[WT:.*]] = linalg.transpose ins(%[[WS]] : tensor<24x6xf32>) outs(%{{.*}} : tensor<6x24xf32>)
//       CHECK: %[[V:.*]] = scf.for {{.*}} -> (tensor<6x24xf32>)
//       CHECK:   tensor.extract_slice %[[WT]]
//   CHECK-NOT: arith.mului_extended
//       CHECK: %[[VT0:.*]] = linalg.transpose ins(%[[V]] : tensor<6x24xf32>)
//       CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[VT0]] : tensor<32x24xf32>, tensor<24x6xf32>) outs(%{{.*}} : tensor<32x6xf32>) attrs =  {metis.spectral_gemm}
//       CHECK: %[[BT:.*]] = linalg.transpose ins(%[[B]] : tensor<32x6xf32>)
//       CHECK: %[[QBT:.*]] = scf.for {{.*}} -> (tensor<6x32xf32>)
//       CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[BT]], %[[QBT]] : tensor<6x32xf32>, tensor<6x32xf32>) outs(%{{.*}} : tensor<6x6xf32>) attrs =  {metis.spectral_gemm}
//       CHECK: scf.while
//       CHECK: %[[VW:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[V]] : tensor<6x6xf32>, tensor<6x24xf32>) outs(%{{.*}} : tensor<6x24xf32>) attrs =  {metis.spectral_gemm}
//       CHECK: %[[VWK:.*]] = tensor.extract_slice %[[VW]][0, 0] [4, 24] [1, 1] : tensor<6x24xf32> to tensor<4x24xf32>
//       CHECK: %[[VT:.*]] = linalg.generic {{.*}} ins(%[[VWK]], %{{.*}} : tensor<4x24xf32>, tensor<4xf32>)
//       CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[X]], {{.*}} attrs =  {metis.elementwise, metis.residual}
//       CHECK: %[[SUB:.*]] = linalg.transpose ins(%[[VW]] : tensor<6x24xf32>) outs(%{{.*}} : tensor<24x6xf32>)
//       CHECK: %[[SUBC:.*]] = tensor.cast %[[SUB]] : tensor<24x6xf32> to tensor<?x6xf32>
//       CHECK: return %{{.*}}, %{{.*}}, %[[VT]], %[[R]], %[[SUBC]]
func.func @warm_start(%x: tensor<32x24xf32>, %seed: i64, %w: tensor<?x6xf32>) -> (tensor<32x4xf32>, tensor<4xf32>, tensor<4x24xf32>, tensor<32x24xf32>, tensor<?x6xf32>) {
  %u, %s, %vt, %r, %sub = metis.spectral_split %x seed %seed warm_start %w : tensor<?x6xf32> {rank = 4 : i64, oversample = 2 : i64, power_iters = 0 : i64}
      : tensor<32x24xf32> -> tensor<32x4xf32>, tensor<4xf32>, tensor<4x24xf32>, tensor<32x24xf32>, tensor<?x6xf32>
  return %u, %s, %vt, %r, %sub : tensor<32x4xf32>, tensor<4xf32>, tensor<4x24xf32>, tensor<32x24xf32>, tensor<?x6xf32>
}
