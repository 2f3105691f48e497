// RUN: metis-opt %s --split-input-file --metis-cpu-gemm=isa=avx512 --canonicalize | FileCheck %s
// RUN: metis-opt %s --split-input-file --metis-cpu-gemm="isa=avx512 threads=2" --canonicalize | FileCheck %s --check-prefix=PAR

// One subspace iteration of the spectral split (emitIteration): Y = X·V,
// then Gᵀ = Yᵀ·X over the same X. metis-cpu-gemm runs the two skinny
// products as one pass over X (isGramPair, emitSkinnyGramPair): per tile of
// 16 rows of X, its rows of Y (rowTile: the rows' accumulators in
// registers over all of X's k), then its 16 k steps of Gᵀ over all of Gᵀ's
// columns (blockTiles: 6 rows x 4 vectors of Gᵀ per register tile, those
// rows of X again, now from L2), with Y read in place as the second's
// k-major narrow operand and Gᵀ accumulated in a copy whose rows are
// padded (not a power of two apart). Not with threads, and not when
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
// V k-major, padded to a whole vector; Y needs no copy.
//       CHECK: %[[VP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<96x16xf32>
//   CHECK-NOT: memref<200x12xf32>
//       CHECK: %[[GS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<12x112xf32>
//       CHECK: memref.load %[[G]]
//       CHECK: memref.store %{{.*}}, %[[GS]]
// Twelve full tiles of 16 rows, then the 8-row tail.
//       CHECK: scf.for %[[T0:.*]] = %c0 to %c192 step %c16 {
// Its rows of Y: 16 rows x 1 vector of accumulators over X's k.
//       CHECK:   %{{.*}}:16 = scf.for %[[K0:.*]] = %c0 to %c96 step %c16 iter_args(
//       CHECK:     vector.load %[[VP]][%[[K0]], %c0]
//       CHECK:     memref.load %[[X]][%[[T0]], %[[K0]]]
//       CHECK:     vector.fma
//       CHECK:   memref.store %{{.*}}, %[[Y]][%[[T0]], %c0]
// Its 16 k steps of Gᵀ: 6 rows of Gᵀ x 4 vectors, then x 2 vectors.
//       CHECK:   scf.for %[[I0:.*]] = %c0 to %c12 step %c6 {
//       CHECK:     vector.load %[[GS]][%[[I0]], %c48]
//       CHECK:     vector.load %[[X]][%[[T0]], %c48]
//       CHECK:     memref.load %[[Y]][%[[T0]], %[[I0]]]
//       CHECK:     vector.fma
//       CHECK:     vector.store %{{.*}}, %[[GS]][%[[I0]], %c0]
//       CHECK:   scf.for %{{.*}} = %c0 to %c12 step %c6 {
//       CHECK:     vector.load %[[GS]][%{{.*}}, %c80]
// The tail: 8 rows and 8 k steps.
//       CHECK: memref.store %{{.*}}, %[[Y]]
//       CHECK: scf.for %{{.*}} = %c0 to %c12 step %c6 {
//       CHECK:   memref.load %[[Y]][%c199, %{{.*}}]
// Gᵀ back from its copy.
//       CHECK: memref.load %[[GS]]
//       CHECK: memref.store %{{.*}}, %[[G]]
//       CHECK: memref.dealloc %[[GS]]
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

// N = 100 is not a multiple of 16: Gᵀ's copy has 112 + 16 columns; the
// last 4 columns go through the edge tile, which gathers X's elements.
// CHECK-LABEL: func.func @pair_edge
//       CHECK: %[[G:.*]] = memref.alloc() : memref<12x100xf32>
//       CHECK: %[[GS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<12x128xf32>
//       CHECK: memref.load %[[G]]
//       CHECK: memref.store %{{.*}}, %[[GS]]
//       CHECK: scf.for %{{.*}} = %c0 to %c192 step %c16 {
//       CHECK:   %[[EDGE:.*]] = memref.subview %[[GS]][0, 96] [12, 32] [1, 1]
//       CHECK:   vector.from_elements
//       CHECK:   vector.store %{{.*}}, %[[EDGE]]
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
