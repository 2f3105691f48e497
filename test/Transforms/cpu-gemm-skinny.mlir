// RUN: metis-opt %s --split-input-file --metis-cpu-gemm=isa=avx512 --canonicalize | FileCheck %s
// RUN: metis-opt %s --split-input-file --metis-cpu-gemm="isa=avx512 threads=2" --canonicalize | FileCheck %s --check-prefix=PAR
// RUN: metis-opt %s --split-input-file --metis-cpu-gemm="isa=avx512 skinny=false" | FileCheck %s --check-prefix=OFF

// Strict f32 contractions with one side of at most 64 rows (the spectral
// split's Qᵀ·X and X·Q, l = 20) read the long operand in place, one
// 16-lane vector of its long dim per k step, against all narrow rows: no
// packed panels, the narrow operand k-major (Pp), C's rows in a scratch.

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// Qᵀ·X: the long operand's rows are unit-stride ("direct"): k blocks of 16
// outside the 16-column tiles of a whole row, 16 row vectors per tile,
// each prefetched 8 lines (128 floats) ahead; K = 72 = 4 blocks + 8.
// CHECK-LABEL: func.func @direct
//   CHECK-NOT:   linalg.generic
//       CHECK:   %[[PP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<72x20xf32>
//       CHECK:       memref.load %arg0[%{{.*}}, %{{.*}}] : memref<20x72xf32>
//       CHECK:       memref.store %{{.*}}, %[[PP]]
//       CHECK:   %[[CS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<20x112xf32>
//       CHECK:       memref.load %arg2
//       CHECK:       memref.store %{{.*}}, %[[CS]]
//       CHECK:   scf.for %[[K0:.*]] = %c0 to %c64 step %c16 {
//       CHECK:     scf.for %[[T:.*]] = %c0 to %c96 step %c16 {
//       CHECK:       %[[AHEAD:.*]] = arith.addi %[[T]], %c128
//       CHECK:       %[[CL:.*]] = arith.minsi %[[AHEAD]], %c99
//       CHECK:       memref.prefetch %arg1[%[[K0]], %[[CL]]], read, locality<3>, data
// CHECK-COUNT-16:    vector.load %arg1[%{{.*}}, %[[T]]] : memref<72x100xf32>, vector<16xf32>
// 8 accumulators at a time: a loop over rows 0..15, then rows 16..19.
//       CHECK:       scf.for %[[I0:.*]] = %c0 to %c16 step %c8 {
//       CHECK:         vector.load %[[CS]][%[[I0]], %[[T]]]
//       CHECK:         memref.load %[[PP]][%[[K0]], %[[I0]]]
//       CHECK:         vector.broadcast
//       CHECK:         vector.fma
//       CHECK:       vector.load %[[CS]][%c16, %[[T]]]
// The edge tile (columns 96..99; the lanes past 99 read column 99):
// scalar loads.
//       CHECK:     memref.load %arg1[%{{.*}}, %c99]
//       CHECK:     vector.from_elements
// The k tail (8 steps): scalar loads.
//       CHECK:   scf.for %{{.*}} = %c0 to %c96 step %c16 {
//       CHECK:     vector.from_elements
//       CHECK:   memref.load %[[CS]]
//       CHECK:   memref.store %{{.*}}, %arg2
//       CHECK:   memref.dealloc %[[CS]]
//       CHECK:   memref.dealloc %[[PP]]

// threads=2: one chunk of 64 columns per thread, each with its own Cs.
// PAR-LABEL: func.func @direct
//       PAR:   scf.parallel (%{{.*}}) = (%c0) to (%c100) step (%c64) {
//       PAR:     %[[CS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<20x64xf32>
//       PAR:     memref.dealloc %[[CS]]

// OFF-LABEL: func.func @direct
//   OFF-NOT:   memref.prefetch
//       OFF:   memref.alloc() {alignment = 64 : i64} : memref<4x2304xf32>
func.func @direct(%q: memref<20x72xf32>, %x: memref<72x100xf32>, %c: memref<20x100xf32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%q, %x : memref<20x72xf32>, memref<72x100xf32>) outs(%c : memref<20x100xf32>) attrs = {metis.spectral_gemm} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = math.fma %a, %b, %o : f32
    linalg.yield %r : f32
  }
  return
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// X·Q: the narrow side is B, so C is read and written transposed; the long
// operand's k is unit-stride: tiles of 8 rows, each row's 20 values of C
// as two vectors in registers over all k (rowTile). Per k step, Pp's row
// (k-major, padded with zeros to 32) as two vectors and one broadcast of
// X(t, k) per row, then mulf and addf as the generic's body; no register
// transpose. The last 4 rows (100 = 12·8 + 4) are a tile of their own.
// CHECK-LABEL: func.func @transposed
//       CHECK:   %[[PP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<64x32xf32>
//       CHECK:       memref.store %{{.*}}, %[[PP]]
//       CHECK:     scf.for %{{.*}} = %c20 to %c32 step %c1 {
//       CHECK:       memref.store %cst, %[[PP]]
//       CHECK:   scf.for %[[T:.*]] = %c0 to %c96 step %c8 {
//       CHECK:     memref.load %arg2[%[[T]], %c19] : memref<100x20xf32>
//       CHECK:     %{{.*}}:16 = scf.for %[[K0:.*]] = %c0 to %c64 step %c16 iter_args(
//       CHECK:       memref.prefetch %arg0[%[[T]], %{{.*}}]
//       CHECK:       %[[P0:.*]] = vector.load %[[PP]][%[[K0]], %c0] : memref<64x32xf32>, vector<16xf32>
//       CHECK:       %[[P1:.*]] = vector.load %[[PP]][%[[K0]], %c16] : memref<64x32xf32>, vector<16xf32>
//       CHECK:       %[[X:.*]] = memref.load %arg0[%[[T]], %[[K0]]] : memref<100x64xf32>
//       CHECK:       %[[XB:.*]] = vector.broadcast %[[X]] : f32 to vector<16xf32>
//       CHECK:       %[[M:.*]] = arith.mulf %[[P0]], %[[XB]] : vector<16xf32>
//  CHECK-NEXT:       arith.addf %{{.*}}, %[[M]] : vector<16xf32>
//   CHECK-NOT:       vector.shuffle
//       CHECK:       scf.yield
//       CHECK:     memref.store %{{.*}}, %arg2[%[[T]], %c0] : memref<100x20xf32>
//       CHECK:   memref.prefetch %arg0[%c96, %{{.*}}]
//       CHECK:   memref.store %{{.*}}, %arg2[%c99, %c19] : memref<100x20xf32>
// Threads: the tiles of 8 rows are an scf.parallel.
// PAR-LABEL: func.func @transposed
//       PAR:   scf.parallel (%{{.*}}) = (%c0) to (%c96) step (%c8) {
func.func @transposed(%x: memref<100x64xf32>, %q: memref<64x20xf32>, %c: memref<100x20xf32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %q : memref<100x64xf32>, memref<64x20xf32>) outs(%c : memref<100x20xf32>) attrs = {metis.spectral_gemm} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Not skinny: both sides over 64 rows (65 x 100), or the long side under
// 4 vectors (20 x 63): the packed BLIS nest.
// CHECK-LABEL: func.func @wide
//   CHECK-NOT:   memref.prefetch
//       CHECK:   memref.alloc() {alignment = 64 : i64} : memref<4x2048xf32>
// CHECK-LABEL: func.func @short
//   CHECK-NOT:   memref.prefetch
//       CHECK:   memref.alloc() {alignment = 64 : i64} : memref<2x2048xf32>
// A long operand whose unit stride is not its innermost dim (a column-major
// view): vector loads would run along the wrong dim, so the BLIS nest.
// CHECK-LABEL: func.func @column_major
//   CHECK-NOT:   memref.prefetch
//       CHECK:   return
func.func @wide(%a: memref<65x64xf32>, %b: memref<100x64xf32>, %c: memref<65x100xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %b : memref<65x64xf32>, memref<100x64xf32>) outs(%c : memref<65x100xf32>)
  return
}
func.func @short(%a: memref<20x64xf32>, %b: memref<63x64xf32>, %c: memref<20x63xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%a, %b : memref<20x64xf32>, memref<63x64xf32>) outs(%c : memref<20x63xf32>)
  return
}
func.func @column_major(%q: memref<20x72xf32>, %x: memref<72x100xf32, strided<[1, 72]>>, %c: memref<20x100xf32>) {
  linalg.matmul ins(%q, %x : memref<20x72xf32>, memref<72x100xf32, strided<[1, 72]>>) outs(%c : memref<20x100xf32>)
  return
}
