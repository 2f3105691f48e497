// RUN: metis-opt %s --split-input-file --verify-diagnostics --metis-cpu-gemm="isa=avx2 skinny=false mc=12 kc=16" | FileCheck %s
// RUN: metis-opt %s --split-input-file --metis-cpu-gemm="isa=avx2 skinny=false f32=false" | FileCheck %s --check-prefix=OFF
// RUN: metis-opt %s --split-input-file --metis-cpu-gemm="isa=avx2 skinny=false threads=2" 2>/dev/null | FileCheck %s --check-prefix=PAR

// f32 contractions (linalg.matmul, generics tagged metis.spectral_gemm) go
// through the same blocked nest as the FP4 GEMM, without decode, in strict
// order: the accumulators start from C and every k adds mulf then addf.
// (skinny=false: these shapes have a side of at most 32 rows, which the
// skinny kernel would take; it has its own test, cpu-gemm-skinny.mlir.)

// OFF-LABEL: func.func @matmul
//       OFF:   linalg.matmul

// threads=2: Bp is shared, packed by a parallel loop over its panels; each
// ic block (an iteration of the second parallel loop) has its own Ap and
// scratch tile. M = 20 in 2 blocks of 12 + 8 rows (mc evened out, a
// multiple of mr = 6).
// PAR-LABEL: func.func @matmul
//       PAR:   %[[BP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x592xf32>
//       PAR:   scf.for
//       PAR:     scf.for
//       PAR:       scf.parallel
//       PAR:         vector.store %{{.*}}, %[[BP]]
//       PAR:       scf.parallel (%{{.*}}) = (%c0) to (%c20) step (%c12) {
//       PAR:         memref.alloc() {alignment = 64 : i64} : memref<2x296xf32>
//       PAR:         memref.alloc() {alignment = 64 : i64} : memref<6x16xf32>
//       PAR:         memref.dealloc
//       PAR:         memref.dealloc
//       PAR:   memref.dealloc %[[BP]]

// CHECK-LABEL: func.func @matvec
//   CHECK-NOT:   linalg.matvec
// 8 rows at a time, 8x8 blocks transposed in registers, mulf then addf.
//       CHECK:   scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8 {
//       CHECK:     scf.for {{.*}} step %c8 iter_args(
// CHECK-COUNT-8:     vector.load %arg0[{{.*}}] : memref<?x64xf32>, vector<8xf32>
// CHECK-COUNT-24:    vector.shuffle
//       CHECK:       arith.mulf {{.*}} : vector<8xf32>
//  CHECK-NEXT:       arith.addf {{.*}} : vector<8xf32>
// The other rows: the plain loop.
//       CHECK:   scf.for
//       CHECK:     scf.for {{.*}} iter_args(
//       CHECK:       arith.mulf {{.*}} : f32
// vecmat: a generic with the reduction loop (over the rows) outermost.
//       CHECK:   linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]} ins(%arg3, %arg0 : memref<?xf32>, memref<?x64xf32>) outs(%arg4 : memref<64xf32>)
func.func @matvec(%a: memref<?x64xf32>, %v: memref<64xf32>, %c: memref<?xf32>, %w: memref<?xf32>, %o: memref<64xf32>) {
  linalg.matvec ins(%a, %v : memref<?x64xf32>, memref<64xf32>) outs(%c : memref<?xf32>)
  linalg.vecmat ins(%w, %a : memref<?xf32>, memref<?x64xf32>) outs(%o : memref<64xf32>)
  return
}

// CHECK-LABEL: func.func @matmul
//   CHECK-NOT:   linalg.
//   CHECK-DAG:   %[[AP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x128xf32>
//   CHECK-DAG:   %[[BP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x256xf32>
//       CHECK:   scf.for %{{.*}} = %{{.*}} to %c40 step %c48 {
//       CHECK:     scf.for %{{.*}} = %{{.*}} to %c37 step %c16 {
// B (k, n): one row of the panel per k.
//       CHECK:         vector.load %arg1[%{{.*}}, %{{.*}}] : memref<37x40xf32>, vector<16xf32>
//       CHECK:         vector.store %{{.*}}, %[[BP]][{{.*}}] : memref<3x256xf32>, vector<16xf32>
// Edge panel: clamped rows, scalar loads.
//       CHECK:       } else {
//       CHECK:         arith.minsi %{{.*}}, %c39
//       CHECK:         memref.load %arg1
// A (m, k): 8-wide loads of 6 rows (+2 zero rows), an 8x8 interleave
// transpose, then the k remainder in scalars.
//       CHECK:       scf.for %{{.*}} = %{{.*}} to %c20 step %c12 {
// CHECK-COUNT-6:       vector.load %arg0[%{{.*}}, %{{.*}}] : memref<20x37xf32>, vector<8xf32>
// CHECK-COUNT-24:      vector.shuffle
// CHECK-COUNT-8:       vector.store %{{.*}}, %[[AP]][{{.*}}] : memref<2x128xf32>, vector<8xf32>
//       CHECK:         memref.load %arg0
//       CHECK:         vector.from_elements {{.*}} : vector<6xf32>
// Micro-kernel: 12 accumulators loaded from C (full tile) ...
//       CHECK:         scf.if %{{.*}} -> (vector<8xf32>
// CHECK-COUNT-12:        vector.load %arg2[%{{.*}}, %{{.*}}] : memref<20x40xf32>, vector<8xf32>
//       CHECK:         } else {
//       CHECK:           memref.load %arg2
//       CHECK:           memref.store %{{.*}}, %[[TILE:.*]][
// ... k by 4, then the remainder, mulf + addf (no FMA) ...
//       CHECK:         scf.for {{.*}} step %c4 iter_args(
//   CHECK-NOT:           vector.fma
//       CHECK:           arith.mulf {{.*}} : vector<8xf32>
//  CHECK-NEXT:           arith.addf {{.*}} : vector<8xf32>
//       CHECK:         scf.for {{.*}} step %c1 iter_args(
// ... and stored back to C.
//       CHECK:         scf.if
// CHECK-COUNT-12:        vector.store %{{.*}}, %arg2[%{{.*}}, %{{.*}}] : memref<20x40xf32>, vector<8xf32>
func.func @matmul(%a: memref<20x37xf32>, %b: memref<37x40xf32>, %c: memref<20x40xf32>) {
  linalg.matmul ins(%a, %b : memref<20x37xf32>, memref<37x40xf32>) outs(%c : memref<20x40xf32>)
  return
}

// -----

// Tagged generic with A (k, m) and B (n, k): A's panel rows are the unit
// stride dim (one vector per k), B's k is (interleave transpose).

// CHECK-LABEL: func.func @transposed
//   CHECK-NOT:   linalg.
//       CHECK:   vector.load %arg1[%{{.*}}, %{{.*}}] : memref<40x24xf32>, vector<8xf32>
//       CHECK:   vector.shuffle
//       CHECK:   vector.load %arg0[%{{.*}}, %{{.*}}] : memref<24x18xf32>, vector<6xf32>
//       CHECK:   arith.mulf
//   CHECK-NOT:   linalg.
//       CHECK:   return
func.func @transposed(%a: memref<24x18xf32>, %b: memref<40x24xf32>, %c: memref<18x40xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<24x18xf32>, memref<40x24xf32>) outs(%c : memref<18x40xf32>) attrs = {metis.spectral_gemm} {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Only tagged generics are taken; a tagged one that does not fit is left
// with a remark. Untagged matmuls that do not fit are left silently.

// CHECK-LABEL: func.func @left
//       CHECK:   linalg.generic
//       CHECK:   linalg.generic
//       CHECK:   linalg.matmul
func.func @left(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>,
                %d: memref<?x8xf32>, %e: memref<8x8xf64>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  }
  // expected-remark @+1 {{metis-cpu-gemm: left unchanged: dynamic shapes}}
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%d, %b : memref<?x8xf32>, memref<8x8xf32>) outs(%d : memref<?x8xf32>) attrs = {metis.spectral_gemm} {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  }
  linalg.matmul ins(%e, %e : memref<8x8xf64>, memref<8x8xf64>) outs(%e : memref<8x8xf64>)
  return
}

// -----

// threads=2 with N wide enough (>= 4 B panels per thread, here 140 / 16 ->
// 9 panels): each thread takes whole jc blocks, with its own Bp, Ap and
// scratch tile; one parallel loop, no barrier per K block. N = 140 in 2 jc
// blocks of 80 + 60 columns (nc evened out, a multiple of nr = 16).
// PAR-LABEL: func.func @wide
//       PAR:   scf.parallel (%{{.*}}) = (%c0) to (%c140) step (%c80) {
//   PAR-DAG:     memref.alloc() {alignment = 64 : i64} : memref<{{.*}}xf32>
//   PAR-DAG:     %[[BP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<5x{{[0-9]+}}xf32>
//       PAR:     scf.for
//   PAR-NOT:       scf.parallel
//       PAR:       vector.store %{{.*}}, %[[BP]]
//       PAR:     memref.dealloc
//       PAR:     memref.dealloc
//       PAR:   scf.reduce
func.func @wide(%a: memref<20x37xf32>, %b: memref<37x140xf32>, %c: memref<20x140xf32>) {
  linalg.matmul ins(%a, %b : memref<20x37xf32>, memref<37x140xf32>) outs(%c : memref<20x140xf32>)
  return
}

// -----

// A math.fma body (the spectral split's products): the same strict nest,
// accumulators loaded from C, but one vector.fma per k step instead of a
// mulf and an addf; still bit-identical to the generic's loops, whose
// math.fma is one rounding too.
// CHECK-LABEL: func.func @fused
//   CHECK-NOT:   linalg.generic
//       CHECK:   vector.load %arg2
//       CHECK:   vector.fma {{.*}} : vector<8xf32>
//   CHECK-NOT:   arith.mulf {{.*}} : vector<8xf32>
//       CHECK:   return
func.func @fused(%a: memref<20x37xf32>, %b: memref<37x40xf32>, %c: memref<20x40xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<20x37xf32>, memref<37x40xf32>) outs(%c : memref<20x40xf32>) attrs = {metis.spectral_gemm} {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %s = math.fma %x, %y, %z : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Untagged, a math.fma body is taken as well (metis-expand-spectral's
// low-rank products), here with B indexed (n, k).
// CHECK-LABEL: func.func @fused_untagged
//   CHECK-NOT:   linalg.generic
//       CHECK:   vector.fma {{.*}} : vector<8xf32>
//       CHECK:   return
func.func @fused_untagged(%a: memref<20x37xf32>, %b: memref<40x37xf32>, %c: memref<20x40xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<20x37xf32>, memref<40x37xf32>) outs(%c : memref<20x40xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %s = math.fma %x, %y, %z : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// An fma that is not a·b + C (here a·a + C) is no contraction: left with a
// remark.
// CHECK-LABEL: func.func @not_fused
//       CHECK:   linalg.generic
func.func @not_fused(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) {
  // expected-remark @+1 {{metis-cpu-gemm: left unchanged: not a multiply-add contraction}}
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>) attrs = {metis.spectral_gemm} {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %s = math.fma %x, %x, %z : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// C = copy of X, then C += A·B (the split's residual R = X − U·S·Vt, X
// read-only): the copy is folded away and the first K block (kc = 16 < K =
// 37: two blocks) loads its accumulators from X, the later ones from C.
// CHECK-LABEL: func.func @copy_init
//   CHECK-NOT:   memref.copy
//       CHECK:   %[[C:.*]] = memref.alloc() : memref<20x40xf32>
//   CHECK-NOT:   memref.copy
//       CHECK:   %[[FIRST:.*]] = arith.cmpi eq, %{{.*}}, %c0 : index
//       CHECK:   scf.if %[[FIRST]] -> (vector<8xf32>,
//       CHECK:     vector.load %arg0[
//       CHECK:   } else {
//       CHECK:     vector.load %[[C]][
//       CHECK:   vector.fma
//       CHECK:   vector.store %{{.*}}, %[[C]][
//   CHECK-NOT:   memref.copy
//       CHECK:   return %[[C]]
func.func @copy_init(%x: memref<20x40xf32>, %a: memref<20x37xf32>, %b: memref<37x40xf32>) -> memref<20x40xf32> {
  %c = memref.alloc() : memref<20x40xf32>
  memref.copy %x, %c : memref<20x40xf32> to memref<20x40xf32>
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<20x37xf32>, memref<37x40xf32>) outs(%c : memref<20x40xf32>) attrs = {metis.spectral_gemm} {
  ^bb0(%p: f32, %q: f32, %r: f32):
    %s = math.fma %p, %q, %r : f32
    linalg.yield %s : f32
  }
  return %c : memref<20x40xf32>
}

// Not folded: C is a function argument (X may overlap it), or C is read
// between the copy and the contraction.
// CHECK-LABEL: func.func @copy_kept
//       CHECK:   memref.copy %arg0, %arg3
//       CHECK:   memref.copy %arg0, %[[C2:.*]] :
//       CHECK:   memref.load %[[C2]]
//       CHECK:   return
func.func @copy_kept(%x: memref<20x40xf32>, %a: memref<20x37xf32>, %b: memref<37x40xf32>, %c: memref<20x40xf32>) -> f32 {
  memref.copy %x, %c : memref<20x40xf32> to memref<20x40xf32>
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<20x37xf32>, memref<37x40xf32>) outs(%c : memref<20x40xf32>) attrs = {metis.spectral_gemm} {
  ^bb0(%p: f32, %q: f32, %r: f32):
    %s = math.fma %p, %q, %r : f32
    linalg.yield %s : f32
  }
  %c2 = memref.alloc() : memref<20x40xf32>
  %i = arith.constant 0 : index
  memref.copy %x, %c2 : memref<20x40xf32> to memref<20x40xf32>
  %v = memref.load %c2[%i, %i] : memref<20x40xf32>
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<20x37xf32>, memref<37x40xf32>) outs(%c2 : memref<20x40xf32>) attrs = {metis.spectral_gemm} {
  ^bb0(%p: f32, %q: f32, %r: f32):
    %s = math.fma %p, %q, %r : f32
    linalg.yield %s : f32
  }
  memref.dealloc %c2 : memref<20x40xf32>
  return %v : f32
}
