// RUN: metis-opt %s --split-input-file --metis-cpu-gemm="isa=avx2 skinny=false kc=32" | FileCheck %s
// RUN: metis-opt %s --split-input-file --metis-cpu-gemm="isa=avx2 skinny=false kc=32 epilogue=false" | FileCheck %s --check-prefix=OFF
// RUN: metis-opt %s --split-input-file --metis-cpu-gemm="isa=avx2 skinny=false kc=32 f32=false" | FileCheck %s --check-prefix=NOF32

// The epilogue of an FP4 GEMM: scaled_matmul's tensor-scale multiply and the
// rank-k updates of C that follow it (metis-expand-spectral's low-rank
// terms) are applied to each C tile as the last K block writes it; the ops
// themselves go away. Bits: python/tests/test_cpu_gemm_epilogue.py.
// (skinny=false: the updates not taken are small enough for the skinny
// kernel, which cpu-gemm-skinny.mlir tests; here they show the BLIS nest.)

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
#mk = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>

// CHECK-LABEL: func.func @scale_and_updates
//       CHECK:   linalg.fill {{.*}} outs(%{{.*}} : memref<4x40xf32>)
//   CHECK-NOT:   linalg.
// The updates' B, transposed once to rows of N (B1 is N x k, B2 is k x N).
//       CHECK:   %[[BT1:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8x40xf32>
//       CHECK:   memref.load %[[B1:.*]][%{{.*}}, %{{.*}}] : memref<40x8xf32>
//       CHECK:   memref.store %{{.*}}, %[[BT1]]
//       CHECK:   %[[BT2:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4x40xf32>
//       CHECK:   memref.load %[[B2:.*]][%{{.*}}, %{{.*}}] : memref<4x40xf32>
//       CHECK:   memref.store %{{.*}}, %[[BT2]]
//       CHECK:   scf.for %{{.*}} = %{{.*}} to %c64 step %c32 {
// The last K block (pc + kc = K) applies the epilogue to the full tile's
// 12 sums: times the scale, then the updates j by j (mulf, addf: the
// matmul's own steps).
//       CHECK:     %[[LAST:.*]] = arith.cmpi eq, %{{.*}}, %c64 : index
//       CHECK:     scf.if %[[LAST]] -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
//       CHECK:       %[[SV:.*]] = vector.broadcast %arg4 : f32 to vector<8xf32>
// CHECK-COUNT-12:    arith.mulf %{{.*}}, %[[SV]] : vector<8xf32>
//       CHECK:       scf.for %[[J:.*]] = %c0 to %c8 step %c1 iter_args(
//       CHECK:         vector.load %[[BT1]][%[[J]], %{{.*}}] : memref<8x40xf32>, vector<8xf32>
//       CHECK:         memref.load %[[A1:.*]][%{{.*}}, %[[J]]] : memref<20x8xf32>
//       CHECK:         %[[P:.*]] = arith.mulf %{{.*}} : vector<8xf32>
//       CHECK:         arith.addf %{{.*}}, %[[P]] : vector<8xf32>
//       CHECK:       scf.for %[[J2:.*]] = %c0 to %c4 step %c1 iter_args(
//       CHECK:         vector.load %[[BT2]][%[[J2]], %{{.*}}] : memref<4x40xf32>, vector<8xf32>
//       CHECK:         memref.load %{{.*}}[%{{.*}}, %[[J2]]] : memref<20x4xf32>
//       CHECK:     } else {
//       CHECK:       scf.yield
//       CHECK:     vector.store %{{.*}}, %arg5[{{.*}}] : memref<20x40xf32>, vector<8xf32>
// Edge tiles: the same, one element at a time, after the scratch tile is
// added to C.
//       CHECK:     scf.if %[[LAST]] {
//       CHECK:       memref.load %arg5
//       CHECK:       arith.mulf %{{.*}}, %arg4 : f32
//       CHECK:       scf.for %{{.*}} = %c0 to %c8 step %c1 iter_args(
//       CHECK:       scf.for %{{.*}} = %c0 to %c4 step %c1 iter_args(
//       CHECK:       memref.store %{{.*}}, %arg5
//       CHECK:   memref.dealloc %[[BT1]]
//       CHECK:   memref.dealloc %[[BT2]]

// epilogue=false: the three ops are rewritten (or left) on their own.
// OFF-LABEL: func.func @scale_and_updates
//       OFF:   linalg.generic {{.*}} outs(%arg5 : memref<20x40xf32>) attrs =  {metis.tensor_scale_epilogue}
//   OFF-NOT:   vector.broadcast %arg4

// f32=false: the f32 updates stay linalg.matmuls; the scale is still taken.
// NOF32-LABEL: func.func @scale_and_updates
//   NOF32-NOT:   metis.tensor_scale_epilogue
//       NOF32:   vector.broadcast %arg4 : f32 to vector<8xf32>
//       NOF32:   linalg.matmul
//       NOF32:   linalg.matmul
func.func @scale_and_updates(%a: memref<20x4x16xf4E2M1FN>, %as: memref<20x4xf8E4M3FN>,
                             %b: memref<40x4x16xf4E2M1FN>, %bs: memref<40x4xf8E4M3FN>,
                             %s: f32, %c: memref<20x40xf32>) {
  %t = memref.alloc() : memref<20x8xf32>
  %u = memref.alloc() : memref<40x8xf32>
  %ua = memref.alloc() : memref<20x4xf32>
  %tb = memref.alloc() : memref<4x40xf32>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%t : memref<20x8xf32>)
  linalg.fill ins(%zero : f32) outs(%u : memref<40x8xf32>)
  linalg.fill ins(%zero : f32) outs(%ua : memref<20x4xf32>)
  linalg.fill ins(%zero : f32) outs(%tb : memref<4x40xf32>)
  linalg.fill ins(%zero : f32) outs(%c : memref<20x40xf32>)
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<20x4x16xf4E2M1FN>, memref<20x4xf8E4M3FN>, memref<40x4x16xf4E2M1FN>, memref<40x4xf8E4M3FN>)
      outs(%c : memref<20x40xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%c : memref<20x40xf32>) attrs = {metis.tensor_scale_epilogue} {
  ^bb0(%o: f32):
    %m = arith.mulf %o, %s : f32
    linalg.yield %m : f32
  }
  linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%t, %u : memref<20x8xf32>, memref<40x8xf32>) outs(%c : memref<20x40xf32>)
  linalg.matmul ins(%ua, %tb : memref<20x4xf32>, memref<4x40xf32>) outs(%c : memref<20x40xf32>)
  memref.dealloc %t : memref<20x8xf32>
  memref.dealloc %u : memref<40x8xf32>
  memref.dealloc %ua : memref<20x4xf32>
  memref.dealloc %tb : memref<4x40xf32>
  return
}

// -----

// What the epilogue does not take.

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>
#mk = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>

// A store between the GEMM and the update: not moved past it.
// (The epilogue's test, pc + kc = K = 64, is absent.)
// CHECK-LABEL: func.func @store_between
//   CHECK-NOT:   arith.cmpi eq, %{{.*}}, %c64 : index
//       CHECK:   memref.store %{{.*}}, %arg4[%c0, %c0]
// The update, as a strict f32 GEMM of its own (C loaded, k by k).
//       CHECK:   vector.load %arg4
//   CHECK-NOT:   arith.cmpi eq, %{{.*}}, %c64 : index
//       CHECK:   return
func.func @store_between(%a: memref<16x4x16xf4E2M1FN>, %as: memref<16x4xf8E4M3FN>,
                         %b: memref<32x4x16xf4E2M1FN>, %bs: memref<32x4xf8E4M3FN>,
                         %c: memref<16x32xf32>) {
  %t = memref.alloc() : memref<16x8xf32>
  %u = memref.alloc() : memref<32x8xf32>
  %one = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<16x4x16xf4E2M1FN>, memref<16x4xf8E4M3FN>, memref<32x4x16xf4E2M1FN>, memref<32x4xf8E4M3FN>)
      outs(%c : memref<16x32xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  memref.store %one, %c[%c0, %c0] : memref<16x32xf32>
  linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%t, %u : memref<16x8xf32>, memref<32x8xf32>) outs(%c : memref<16x32xf32>)
  memref.dealloc %t : memref<16x8xf32>
  memref.dealloc %u : memref<32x8xf32>
  return
}

// C and the update's operands are all function arguments, which may alias:
// the update runs on its own.
// CHECK-LABEL: func.func @may_alias
//   CHECK-NOT:   arith.cmpi eq, %{{.*}}, %c64 : index
//       CHECK:   return
func.func @may_alias(%a: memref<16x4x16xf4E2M1FN>, %as: memref<16x4xf8E4M3FN>,
                     %b: memref<32x4x16xf4E2M1FN>, %bs: memref<32x4xf8E4M3FN>,
                     %c: memref<16x32xf32>, %t: memref<16x8xf32>, %u: memref<32x8xf32>) {
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<16x4x16xf4E2M1FN>, memref<16x4xf8E4M3FN>, memref<32x4x16xf4E2M1FN>, memref<32x4xf8E4M3FN>)
      outs(%c : memref<16x32xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%t, %u : memref<16x8xf32>, memref<32x8xf32>) outs(%c : memref<16x32xf32>)
  return
}

// A rank above 64 is a GEMM of its own.
// CHECK-LABEL: func.func @rank_too_large
//   CHECK-NOT:   arith.cmpi eq, %{{.*}}, %c64 : index
//       CHECK:   return
func.func @rank_too_large(%a: memref<16x4x16xf4E2M1FN>, %as: memref<16x4xf8E4M3FN>,
                          %b: memref<32x4x16xf4E2M1FN>, %bs: memref<32x4xf8E4M3FN>,
                          %c: memref<16x32xf32>) {
  %t = memref.alloc() : memref<16x65xf32>
  %u = memref.alloc() : memref<32x65xf32>
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<16x4x16xf4E2M1FN>, memref<16x4xf8E4M3FN>, memref<32x4x16xf4E2M1FN>, memref<32x4xf8E4M3FN>)
      outs(%c : memref<16x32xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%t, %u : memref<16x65xf32>, memref<32x65xf32>) outs(%c : memref<16x32xf32>)
  memref.dealloc %t : memref<16x65xf32>
  memref.dealloc %u : memref<32x65xf32>
  return
}

// An update whose A is a view of C itself.
// CHECK-LABEL: func.func @reads_c
//   CHECK-NOT:   arith.cmpi eq, %{{.*}}, %c64 : index
//       CHECK:   return
func.func @reads_c(%a: memref<16x4x16xf4E2M1FN>, %as: memref<16x4xf8E4M3FN>,
                   %b: memref<32x4x16xf4E2M1FN>, %bs: memref<32x4xf8E4M3FN>) {
  %c = memref.alloc() : memref<16x32xf32>
  %u = memref.alloc() : memref<32x8xf32>
  %t = memref.subview %c[0, 0] [16, 8] [1, 1] : memref<16x32xf32> to memref<16x8xf32, strided<[32, 1]>>
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<16x4x16xf4E2M1FN>, memref<16x4xf8E4M3FN>, memref<32x4x16xf4E2M1FN>, memref<32x4xf8E4M3FN>)
      outs(%c : memref<16x32xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%t, %u : memref<16x8xf32, strided<[32, 1]>>, memref<32x8xf32>) outs(%c : memref<16x32xf32>)
  memref.dealloc %c : memref<16x32xf32>
  memref.dealloc %u : memref<32x8xf32>
  return
}
