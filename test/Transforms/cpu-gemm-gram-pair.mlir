// RUN: metis-opt %s --split-input-file --metis-cpu-gemm=isa=avx512 --canonicalize | FileCheck %s
// RUN: metis-opt %s --split-input-file --metis-cpu-gemm="isa=avx512 threads=2" --canonicalize | FileCheck %s --check-prefix=PAR

// One subspace iteration of the spectral split (emitIteration): Y = X·V,
// then Gᵀ = Yᵀ·X over the same X. metis-cpu-gemm runs the two skinny
// products as one pass over X (isGramPair, emitSkinnyGramPair): per tile of
// 16 rows of X, its rows of Y (X read along k, 16 rows transposed in
// registers), then its 16 k steps of Gᵀ over all of Gᵀ's columns (those
// rows again, now from L2), with Y read in place as the second's k-major
// narrow operand and Gᵀ as its scratch. Not with threads, and not when
// something in between reads Y or writes X.

#m_k = affine_map<(m, j, n) -> (m, n)>
#k_j = affine_map<(m, n, j) -> (n, j)>
#mk = affine_map<(m, n, j) -> (m, n)>
#mj = affine_map<(m, n, j) -> (m, j)>
#yj = affine_map<(m, j, n) -> (m, j)>
#jn = affine_map<(m, j, n) -> (j, n)>

// CHECK-LABEL: func.func @pair
//  CHECK-SAME: (%[[X:.*]]: memref<200x96xf32>, %[[V:.*]]: memref<96x12xf32>)
//       CHECK: %[[Y:.*]] = memref.alloc() : memref<200x12xf32>
//       CHECK: %[[G:.*]] = memref.alloc() : memref<12x96xf32>
// V k-major; Y needs no copy.
//       CHECK: %[[VP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<96x12xf32>
//   CHECK-NOT: memref<200x12xf32>
//       CHECK: %[[CS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<12x16xf32>
// Twelve full tiles of 16 rows, then the 8-row tail.
//       CHECK: scf.for %[[T0:.*]] = %c0 to %c192 step %c16 {
// Its rows of Y: 16 rows of X over k, transposed in registers.
//       CHECK:   scf.for %[[K0:.*]] = %c0 to %c96 step %c16 {
//       CHECK:     vector.load %[[X]]
//       CHECK:     vector.shuffle
//       CHECK:     memref.load %[[VP]]
//       CHECK:     vector.fma
//       CHECK:   memref.store %{{.*}}, %[[Y]]
// Its 16 k steps of Gᵀ: rows T0.. of X along n, against Y's rows T0.. .
//       CHECK:   scf.for %[[N0:.*]] = %c0 to %c96 step %c16 {
//       CHECK:     vector.load %[[X]][%{{.*}}, %[[N0]]]
//       CHECK:     vector.load %[[G]]
//       CHECK:     memref.load %[[Y]]
//       CHECK:     vector.fma
//       CHECK:     vector.store %{{.*}}, %[[G]]
//       CHECK: }
// The tail: 8 rows (clamped lanes) and 8 k steps.
//       CHECK: memref.store %{{.*}}, %[[Y]]
//       CHECK: memref.load %[[Y]]
//       CHECK: vector.store %{{.*}}, %[[G]]
//   CHECK-NOT: linalg.generic
//       CHECK: return %[[G]]

// PAR-LABEL: func.func @pair
// Two nests: Y's rows of Gᵀ's k are copied k-major.
//       PAR: memref.alloc() {alignment = 64 : i64} : memref<200x12xf32>
func.func @pair(%x: memref<200x96xf32>, %v: memref<96x12xf32>) -> memref<12x96xf32> {
  %cst = arith.constant 0.0 : f32
  %y = memref.alloc() : memref<200x12xf32>
  linalg.fill ins(%cst : f32) outs(%y : memref<200x12xf32>)
  linalg.generic {indexing_maps = [#mk, #k_j, #mj], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %v : memref<200x96xf32>, memref<96x12xf32>) outs(%y : memref<200x12xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %f = math.fma %a, %b, %c : f32
    linalg.yield %f : f32
  }
  %g = memref.alloc() : memref<12x96xf32>
  linalg.fill ins(%cst : f32) outs(%g : memref<12x96xf32>)
  linalg.generic {indexing_maps = [#yj, #m_k, #jn], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%y, %x : memref<200x12xf32>, memref<200x96xf32>) outs(%g : memref<12x96xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %f = math.fma %a, %b, %c : f32
    linalg.yield %f : f32
  }
  memref.dealloc %y : memref<200x12xf32>
  return %g : memref<12x96xf32>
}

// -----

#mk = affine_map<(m, n, j) -> (m, n)>
#k_j = affine_map<(m, n, j) -> (n, j)>
#mj = affine_map<(m, n, j) -> (m, j)>
#m_k = affine_map<(m, j, n) -> (m, n)>
#yj = affine_map<(m, j, n) -> (m, j)>
#jn = affine_map<(m, j, n) -> (j, n)>

// Y read in between (it would see Y before the product): two nests, the
// second with Y copied k-major.
// CHECK-LABEL: func.func @y_read_between
//       CHECK: memref.load
//       CHECK: memref.alloc() {alignment = 64 : i64} : memref<200x12xf32>
func.func @y_read_between(%x: memref<200x96xf32>, %v: memref<96x12xf32>, %out: memref<f32>) -> memref<12x96xf32> {
  %cst = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %y = memref.alloc() : memref<200x12xf32>
  linalg.fill ins(%cst : f32) outs(%y : memref<200x12xf32>)
  linalg.generic {indexing_maps = [#mk, #k_j, #mj], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %v : memref<200x96xf32>, memref<96x12xf32>) outs(%y : memref<200x12xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %f = math.fma %a, %b, %c : f32
    linalg.yield %f : f32
  }
  %e = memref.load %y[%c0, %c0] : memref<200x12xf32>
  memref.store %e, %out[] : memref<f32>
  %g = memref.alloc() : memref<12x96xf32>
  linalg.fill ins(%cst : f32) outs(%g : memref<12x96xf32>)
  linalg.generic {indexing_maps = [#yj, #m_k, #jn], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%y, %x : memref<200x12xf32>, memref<200x96xf32>) outs(%g : memref<12x96xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %f = math.fma %a, %b, %c : f32
    linalg.yield %f : f32
  }
  memref.dealloc %y : memref<200x12xf32>
  return %g : memref<12x96xf32>
}

// -----

#mk = affine_map<(m, n, j) -> (m, n)>
#k_j = affine_map<(m, n, j) -> (n, j)>
#mj = affine_map<(m, n, j) -> (m, j)>
#m_k = affine_map<(m, j, n) -> (m, n)>
#yj = affine_map<(m, j, n) -> (m, j)>
#jn = affine_map<(m, j, n) -> (j, n)>

// X written in between: the first product must read X before.
// CHECK-LABEL: func.func @x_written_between
//       CHECK: memref.store %{{.*}}, %{{.*}}[%c0, %c0] : memref<200x96xf32>
//       CHECK: memref.alloc() {alignment = 64 : i64} : memref<200x12xf32>
func.func @x_written_between(%x: memref<200x96xf32>, %v: memref<96x12xf32>) -> memref<12x96xf32> {
  %cst = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %y = memref.alloc() : memref<200x12xf32>
  linalg.fill ins(%cst : f32) outs(%y : memref<200x12xf32>)
  linalg.generic {indexing_maps = [#mk, #k_j, #mj], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %v : memref<200x96xf32>, memref<96x12xf32>) outs(%y : memref<200x12xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %f = math.fma %a, %b, %c : f32
    linalg.yield %f : f32
  }
  memref.store %cst, %x[%c0, %c0] : memref<200x96xf32>
  %g = memref.alloc() : memref<12x96xf32>
  linalg.fill ins(%cst : f32) outs(%g : memref<12x96xf32>)
  linalg.generic {indexing_maps = [#yj, #m_k, #jn], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%y, %x : memref<200x12xf32>, memref<200x96xf32>) outs(%g : memref<12x96xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %f = math.fma %a, %b, %c : f32
    linalg.yield %f : f32
  }
  memref.dealloc %y : memref<200x12xf32>
  return %g : memref<12x96xf32>
}

// -----

#mk = affine_map<(m, n, j) -> (m, n)>
#k_j = affine_map<(m, n, j) -> (n, j)>
#mj = affine_map<(m, n, j) -> (m, j)>
#m_k = affine_map<(m, j, n) -> (m, n)>
#yj = affine_map<(m, j, n) -> (m, j)>
#jn = affine_map<(m, j, n) -> (j, n)>

// N = 100 is not a multiple of 16: the edge tile's vectors go to a scratch
// of 112 columns, copied from Gᵀ before the pass and back after it.
// CHECK-LABEL: func.func @pair_edge
//       CHECK: %[[G:.*]] = memref.alloc() : memref<12x100xf32>
//       CHECK: %[[GS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<12x112xf32>
//       CHECK: memref.load %[[G]]
//       CHECK: memref.store %{{.*}}, %[[GS]]
//       CHECK: scf.for %{{.*}} = %c0 to %c192 step %c16 {
//       CHECK:   vector.store %{{.*}}, %[[GS]]
//       CHECK: memref.load %[[GS]]
//       CHECK: memref.store %{{.*}}, %[[G]]
//       CHECK: memref.dealloc %[[GS]]
func.func @pair_edge(%x: memref<200x100xf32>, %v: memref<100x12xf32>) -> memref<12x100xf32> {
  %cst = arith.constant 0.0 : f32
  %y = memref.alloc() : memref<200x12xf32>
  linalg.fill ins(%cst : f32) outs(%y : memref<200x12xf32>)
  linalg.generic {indexing_maps = [#mk, #k_j, #mj], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %v : memref<200x100xf32>, memref<100x12xf32>) outs(%y : memref<200x12xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %f = math.fma %a, %b, %c : f32
    linalg.yield %f : f32
  }
  %g = memref.alloc() : memref<12x100xf32>
  linalg.fill ins(%cst : f32) outs(%g : memref<12x100xf32>)
  linalg.generic {indexing_maps = [#yj, #m_k, #jn], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%y, %x : memref<200x12xf32>, memref<200x100xf32>) outs(%g : memref<12x100xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %f = math.fma %a, %b, %c : f32
    linalg.yield %f : f32
  }
  memref.dealloc %y : memref<200x12xf32>
  return %g : memref<12x100xf32>
}
