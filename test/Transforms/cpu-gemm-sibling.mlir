// RUN: metis-opt %s --split-input-file --metis-cpu-gemm="isa=avx512 kc=32" | FileCheck %s
// RUN: metis-opt %s --split-input-file --metis-cpu-gemm="isa=avx512 kc=32 epilogue=false" | FileCheck %s --check-prefix=OFF

// metis-expand-spectral's low-rank product P = Â·Ṽtᵀ shares Â with the main
// FP4 contraction, and a rank-k update of the main one's C reads P: P is
// then computed inside the main nest, from its packed A panels, in its first
// jc block (8 x 16 tiles on the main's 8-row panels, P's own B panel of kc
// x 16 lanes), instead of a nest of its own that packs Â once more. On its
// own (epilogue=false) P's nest has the narrow 16 x 16 tile. M = 24 is
// three panels; with an even number of panels in every ic block, P's
// tiles take two panels at a time (@pairs).

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#mk = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>

// CHECK-LABEL: func.func @sibling
//   CHECK-NOT:   memref<16x16xf32>
//       CHECK:   %[[P:.*]] = memref.alloc() : memref<24x8xf32>
//       CHECK:   %[[SBP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x512xf32>
//  CHECK-NEXT:   %[[SSCR:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8x16xf32>
//       CHECK:   scf.for %[[JC:.*]] = %c0 to %c32 step %c32 {
//       CHECK:     %[[FIRST:.*]] = arith.cmpi eq, %[[JC]], %c0 : index
//       CHECK:     scf.for %[[PC:.*]] = %c0 to %c64 step %c32 {
// In the first jc block, Ṽt's panel for this K block ...
//       CHECK:       scf.if %[[FIRST]] {
//       CHECK:         vector.store %{{.*}}, %[[SBP]]
// ... then, once the A panels are packed, P's tiles from them, with P's
// tensor scale at the last K block: P is final before the main tiles'
// epilogues read it.
//       CHECK:       scf.if %[[FIRST]] {
//       CHECK:         vector.load %[[SBP]]
//       CHECK:         vector.fma
//       CHECK:         arith.mulf %{{.*}}, %arg7
//       CHECK:         vector.store %{{.*}}, %[[P]]
// The main tiles and their epilogue: tensor scale, then the update.
//       CHECK:       vector.fma
//       CHECK:       arith.mulf %{{.*}}, %arg8
//       CHECK:       math.fma
//   CHECK-NOT:   linalg.generic
//       CHECK:   memref.dealloc %[[SBP]]
//  CHECK-NEXT:   memref.dealloc %[[SSCR]]
//       CHECK:   return

// OFF-LABEL: func.func @sibling
//       OFF:   memref<16x16xf32>
//   OFF-NOT:   memref<8x16xf32>
//       OFF:   return
func.func @sibling(%a0: memref<24x4x16xf4E2M1FN>, %as0: memref<24x4xf8E4M3FN>,
                   %vt0: memref<8x4x16xf4E2M1FN>, %vts0: memref<8x4xf8E4M3FN>,
                   %b: memref<32x4x16xf4E2M1FN>, %bs: memref<32x4xf8E4M3FN>,
                   %u: memref<32x8xf32>, %sp: f32, %sc: f32, %c: memref<24x32xf32>) {
  // P's inputs are fresh buffers (as quantize results are), so the
  // writes to the argument C in between cannot touch them.
  %a = memref.alloc() : memref<24x4x16xf4E2M1FN>
  %as = memref.alloc() : memref<24x4xf8E4M3FN>
  %vt = memref.alloc() : memref<8x4x16xf4E2M1FN>
  %vts = memref.alloc() : memref<8x4xf8E4M3FN>
  memref.copy %a0, %a : memref<24x4x16xf4E2M1FN> to memref<24x4x16xf4E2M1FN>
  memref.copy %as0, %as : memref<24x4xf8E4M3FN> to memref<24x4xf8E4M3FN>
  memref.copy %vt0, %vt : memref<8x4x16xf4E2M1FN> to memref<8x4x16xf4E2M1FN>
  memref.copy %vts0, %vts : memref<8x4xf8E4M3FN> to memref<8x4xf8E4M3FN>
  %p = memref.alloc() : memref<24x8xf32>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%p : memref<24x8xf32>)
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %vt, %vts : memref<24x4x16xf4E2M1FN>, memref<24x4xf8E4M3FN>, memref<8x4x16xf4E2M1FN>, memref<8x4xf8E4M3FN>)
      outs(%p : memref<24x8xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%p : memref<24x8xf32>) attrs = {metis.tensor_scale_epilogue} {
  ^bb0(%o: f32):
    %m = arith.mulf %o, %sp : f32
    linalg.yield %m : f32
  }
  %us = memref.alloc() : memref<32x8xf32>
  memref.copy %u, %us : memref<32x8xf32> to memref<32x8xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<24x32xf32>)
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<24x4x16xf4E2M1FN>, memref<24x4xf8E4M3FN>, memref<32x4x16xf4E2M1FN>, memref<32x4xf8E4M3FN>)
      outs(%c : memref<24x32xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%c : memref<24x32xf32>) attrs = {metis.tensor_scale_epilogue} {
  ^bb0(%o: f32):
    %m = arith.mulf %o, %sc : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%p, %us : memref<24x8xf32>, memref<32x8xf32>) outs(%c : memref<24x32xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %f = math.fma %x, %y, %z : f32
    linalg.yield %f : f32
  }
  memref.dealloc %p : memref<24x8xf32>
  memref.dealloc %us : memref<32x8xf32>
  return
}

// -----

// P read between its product and the main one: P keeps its own nest
// (the read must see it).
#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#mk = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>

// CHECK-LABEL: func.func @p_read_between
//       CHECK:   memref<16x16xf32>
//   CHECK-NOT:   memref<8x16xf32>
//       CHECK:   return
func.func @p_read_between(%a0: memref<24x4x16xf4E2M1FN>, %as0: memref<24x4xf8E4M3FN>,
                   %vt0: memref<8x4x16xf4E2M1FN>, %vts0: memref<8x4xf8E4M3FN>,
                   %b: memref<32x4x16xf4E2M1FN>, %bs: memref<32x4xf8E4M3FN>,
                   %u: memref<32x8xf32>, %sp: f32, %sc: f32, %c: memref<24x32xf32>) {
  // P's inputs are fresh buffers (as quantize results are), so the
  // writes to the argument C in between cannot touch them.
  %a = memref.alloc() : memref<24x4x16xf4E2M1FN>
  %as = memref.alloc() : memref<24x4xf8E4M3FN>
  %vt = memref.alloc() : memref<8x4x16xf4E2M1FN>
  %vts = memref.alloc() : memref<8x4xf8E4M3FN>
  memref.copy %a0, %a : memref<24x4x16xf4E2M1FN> to memref<24x4x16xf4E2M1FN>
  memref.copy %as0, %as : memref<24x4xf8E4M3FN> to memref<24x4xf8E4M3FN>
  memref.copy %vt0, %vt : memref<8x4x16xf4E2M1FN> to memref<8x4x16xf4E2M1FN>
  memref.copy %vts0, %vts : memref<8x4xf8E4M3FN> to memref<8x4xf8E4M3FN>
  %p = memref.alloc() : memref<24x8xf32>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%p : memref<24x8xf32>)
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %vt, %vts : memref<24x4x16xf4E2M1FN>, memref<24x4xf8E4M3FN>, memref<8x4x16xf4E2M1FN>, memref<8x4xf8E4M3FN>)
      outs(%p : memref<24x8xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%p : memref<24x8xf32>) attrs = {metis.tensor_scale_epilogue} {
  ^bb0(%o: f32):
    %m = arith.mulf %o, %sp : f32
    linalg.yield %m : f32
  }
  %q = memref.alloc() : memref<24x8xf32>
  memref.copy %p, %q : memref<24x8xf32> to memref<24x8xf32>
  memref.dealloc %q : memref<24x8xf32>
  %us = memref.alloc() : memref<32x8xf32>
  memref.copy %u, %us : memref<32x8xf32> to memref<32x8xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<24x32xf32>)
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<24x4x16xf4E2M1FN>, memref<24x4xf8E4M3FN>, memref<32x4x16xf4E2M1FN>, memref<32x4xf8E4M3FN>)
      outs(%c : memref<24x32xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%c : memref<24x32xf32>) attrs = {metis.tensor_scale_epilogue} {
  ^bb0(%o: f32):
    %m = arith.mulf %o, %sc : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%p, %us : memref<24x8xf32>, memref<32x8xf32>) outs(%c : memref<24x32xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %f = math.fma %x, %y, %z : f32
    linalg.yield %f : f32
  }
  memref.dealloc %p : memref<24x8xf32>
  memref.dealloc %us : memref<32x8xf32>
  return
}

// -----

// An input of P written between its product and the main one: P keeps
// its own nest (it must read the old values).
#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#mk = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>

// CHECK-LABEL: func.func @input_written_between
//       CHECK:   memref<16x16xf32>
//   CHECK-NOT:   memref<8x16xf32>
//       CHECK:   return
func.func @input_written_between(%a0: memref<24x4x16xf4E2M1FN>, %as0: memref<24x4xf8E4M3FN>,
                   %vt0: memref<8x4x16xf4E2M1FN>, %vts0: memref<8x4xf8E4M3FN>,
                   %b: memref<32x4x16xf4E2M1FN>, %bs: memref<32x4xf8E4M3FN>,
                   %u: memref<32x8xf32>, %sp: f32, %sc: f32, %c: memref<24x32xf32>) {
  // P's inputs are fresh buffers (as quantize results are), so the
  // writes to the argument C in between cannot touch them.
  %a = memref.alloc() : memref<24x4x16xf4E2M1FN>
  %as = memref.alloc() : memref<24x4xf8E4M3FN>
  %vt = memref.alloc() : memref<8x4x16xf4E2M1FN>
  %vts = memref.alloc() : memref<8x4xf8E4M3FN>
  memref.copy %a0, %a : memref<24x4x16xf4E2M1FN> to memref<24x4x16xf4E2M1FN>
  memref.copy %as0, %as : memref<24x4xf8E4M3FN> to memref<24x4xf8E4M3FN>
  memref.copy %vt0, %vt : memref<8x4x16xf4E2M1FN> to memref<8x4x16xf4E2M1FN>
  memref.copy %vts0, %vts : memref<8x4xf8E4M3FN> to memref<8x4xf8E4M3FN>
  %p = memref.alloc() : memref<24x8xf32>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%p : memref<24x8xf32>)
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %vt, %vts : memref<24x4x16xf4E2M1FN>, memref<24x4xf8E4M3FN>, memref<8x4x16xf4E2M1FN>, memref<8x4xf8E4M3FN>)
      outs(%p : memref<24x8xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%p : memref<24x8xf32>) attrs = {metis.tensor_scale_epilogue} {
  ^bb0(%o: f32):
    %m = arith.mulf %o, %sp : f32
    linalg.yield %m : f32
  }
  memref.copy %vt0, %vt : memref<8x4x16xf4E2M1FN> to memref<8x4x16xf4E2M1FN>
  %us = memref.alloc() : memref<32x8xf32>
  memref.copy %u, %us : memref<32x8xf32> to memref<32x8xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<24x32xf32>)
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<24x4x16xf4E2M1FN>, memref<24x4xf8E4M3FN>, memref<32x4x16xf4E2M1FN>, memref<32x4xf8E4M3FN>)
      outs(%c : memref<24x32xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%c : memref<24x32xf32>) attrs = {metis.tensor_scale_epilogue} {
  ^bb0(%o: f32):
    %m = arith.mulf %o, %sc : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%p, %us : memref<24x8xf32>, memref<32x8xf32>) outs(%c : memref<24x32xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %f = math.fma %x, %y, %z : f32
    linalg.yield %f : f32
  }
  memref.dealloc %p : memref<24x8xf32>
  memref.dealloc %us : memref<32x8xf32>
  return
}

// -----

// M = 32, four panels: P's tiles are 16 x 16, rows 8..15 from the next
// panel.

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#mk = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>

// CHECK-LABEL: func.func @pairs
//       CHECK:   %[[AP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4x256xf32>
//       CHECK:   %[[SSCR:.*]] = memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
//       CHECK:   scf.for %[[JC:.*]] = %c0 to %c32 step %c32 {
//       CHECK:     %[[FIRST:.*]] = arith.cmpi eq, %[[JC]], %c0 : index
//       CHECK:       scf.if %[[FIRST]] {
//       CHECK:       scf.if %[[FIRST]] {
//       CHECK:       scf.for %[[IP:.*]] = %c0{{.*}} to %{{.*}} step %c2{{.*}} {
//       CHECK:         %[[NEXT:.*]] = arith.addi %[[IP]], %c1{{.*}} : index
//       CHECK:         memref.load %[[AP]][%[[NEXT]], %{{.*}}] : memref<4x256xf32>
//       CHECK:   memref.dealloc %[[SSCR]]
func.func @pairs(%a0: memref<32x4x16xf4E2M1FN>, %as0: memref<32x4xf8E4M3FN>,
                   %vt0: memref<8x4x16xf4E2M1FN>, %vts0: memref<8x4xf8E4M3FN>,
                   %b: memref<32x4x16xf4E2M1FN>, %bs: memref<32x4xf8E4M3FN>,
                   %u: memref<32x8xf32>, %sp: f32, %sc: f32, %c: memref<32x32xf32>) {
  // P's inputs are fresh buffers (as quantize results are), so the
  // writes to the argument C in between cannot touch them.
  %a = memref.alloc() : memref<32x4x16xf4E2M1FN>
  %as = memref.alloc() : memref<32x4xf8E4M3FN>
  %vt = memref.alloc() : memref<8x4x16xf4E2M1FN>
  %vts = memref.alloc() : memref<8x4xf8E4M3FN>
  memref.copy %a0, %a : memref<32x4x16xf4E2M1FN> to memref<32x4x16xf4E2M1FN>
  memref.copy %as0, %as : memref<32x4xf8E4M3FN> to memref<32x4xf8E4M3FN>
  memref.copy %vt0, %vt : memref<8x4x16xf4E2M1FN> to memref<8x4x16xf4E2M1FN>
  memref.copy %vts0, %vts : memref<8x4xf8E4M3FN> to memref<8x4xf8E4M3FN>
  %p = memref.alloc() : memref<32x8xf32>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%p : memref<32x8xf32>)
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %vt, %vts : memref<32x4x16xf4E2M1FN>, memref<32x4xf8E4M3FN>, memref<8x4x16xf4E2M1FN>, memref<8x4xf8E4M3FN>)
      outs(%p : memref<32x8xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%p : memref<32x8xf32>) attrs = {metis.tensor_scale_epilogue} {
  ^bb0(%o: f32):
    %m = arith.mulf %o, %sp : f32
    linalg.yield %m : f32
  }
  %us = memref.alloc() : memref<32x8xf32>
  memref.copy %u, %us : memref<32x8xf32> to memref<32x8xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<32x32xf32>)
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<32x4x16xf4E2M1FN>, memref<32x4xf8E4M3FN>, memref<32x4x16xf4E2M1FN>, memref<32x4xf8E4M3FN>)
      outs(%c : memref<32x32xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%c : memref<32x32xf32>) attrs = {metis.tensor_scale_epilogue} {
  ^bb0(%o: f32):
    %m = arith.mulf %o, %sc : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%p, %us : memref<32x8xf32>, memref<32x8xf32>) outs(%c : memref<32x32xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %f = math.fma %x, %y, %z : f32
    linalg.yield %f : f32
  }
  memref.dealloc %p : memref<32x8xf32>
  memref.dealloc %us : memref<32x8xf32>
  return
}
