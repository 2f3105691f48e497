// RUN: metis-opt %s --split-input-file --verify-diagnostics --metis-cpu-gemm="isa=avx2 mc=12 kc=32" | FileCheck %s
// RUN: metis-opt %s --split-input-file --verify-diagnostics --metis-cpu-gemm | FileCheck %s --check-prefix=AVX512
// RUN: not metis-opt %s --split-input-file --metis-cpu-gemm=isa=sse 2>&1 | FileCheck %s --check-prefix=BADISA
// RUN: not metis-opt %s --split-input-file --metis-cpu-gemm="nr=20 vector-width=8" 2>&1 | FileCheck %s --check-prefix=BADTILE

// BADISA: error: metis-cpu-gemm: unknown isa 'sse' (expected avx512 or avx2)
// BADTILE: error: metis-cpu-gemm: tile sizes must be positive and nr a multiple of vector-width

// M = 20, N = 40 are not multiples of the 6x16 tile (AVX2 preset); mc = 12,
// kc = 32 give several ic and pc blocks. The zero fill of C is folded into
// the first K block.

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>

// CHECK-LABEL: func.func @gemm
//   CHECK-NOT:   linalg.
//   CHECK-NOT:   memref.expand_shape
//   CHECK-DAG:   %[[AP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x256xf32>
//   CHECK-DAG:   %[[BP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x512xf32>
//   CHECK-DAG:   %[[TILE:.*]] = memref.alloc() {alignment = 64 : i64} : memref<6x16xf32>
//       CHECK:   scf.for %{{.*}} = %{{.*}} to %c40 step %c48 {
//       CHECK:     scf.for %[[PC:.*]] = %{{.*}} to %c64 step %c32 {
// B packing, full panels: the 16 codes of each row and scale block in one
// load, a 16x16 byte transpose, decode, contiguous stores.
//       CHECK:       scf.if
//       CHECK:         llvm.load %{{.*}} {alignment = 1 : i64} : !llvm.ptr -> vector<16xi8>
// CHECK-COUNT-64:      vector.shuffle {{.*}} : vector<16xi8>, vector<16xi8>
//       CHECK:         arith.mulf {{.*}} : vector<16xf32>
//       CHECK:         vector.store %{{.*}}, %[[BP]][{{.*}}] : memref<3x512xf32>, vector<16xf32>
// Edge panels: rows clamped to the last one, one code at a time.
//       CHECK:       } else {
//       CHECK:         arith.minsi %{{.*}}, %c39
//       CHECK:         memref.load %arg2[%{{.*}}, %{{.*}}] : memref<40x64xf4E2M1FN>
//       CHECK:         vector.store %{{.*}}, %[[BP]][{{.*}}] : memref<3x512xf32>, vector<16xf32>
// A packing: 6 lanes padded to 8 for the transpose.
//       CHECK:       scf.for %{{.*}} = %{{.*}} to %c20 step %c12 {
//       CHECK:           vector.store %{{.*}}, %[[AP]][{{.*}}] : memref<2x256xf32>, vector<16xf32>
//       CHECK:           vector.store %{{.*}}, %[[AP]][{{.*}}] : memref<2x256xf32>, vector<6xf32>
// The 6x16 micro-kernel: 12 accumulators, k unrolled by 4.
//       CHECK:         scf.for %[[JP:.*]] = %{{.*}} to %{{.*}} step %c1 {
//       CHECK:           scf.for %[[IP:.*]] = %{{.*}} to %{{.*}} step %c1 {
//       CHECK:             memref.prefetch %arg4[{{.*}}], read, locality<2>, data
//       CHECK:             scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c4 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
//       CHECK:               vector.load %[[BP]][%[[JP]], {{.*}}] : memref<3x512xf32>, vector<8xf32>
//       CHECK:               memref.load %[[AP]][%[[IP]], {{.*}}] : memref<2x256xf32>
//       CHECK:               vector.broadcast %{{.*}} : f32 to vector<8xf32>
// CHECK-COUNT-48:            vector.fma %{{.*}} : vector<8xf32>
//       CHECK:               scf.yield
//       CHECK:             memref.prefetch %arg4[{{.*}}], write, locality<3>, data
//       CHECK:             scf.for
// First K block: C = fill + tile, else C += tile; edge tiles go through the
// scratch tile and scalar loops over the valid part.
//       CHECK:             arith.cmpi eq, %[[PC]], %c0
//       CHECK:             scf.if %{{.*}} {
//       CHECK:               scf.if %{{.*}} {
//       CHECK:                 vector.broadcast %{{.*}} : f32 to vector<8xf32>
//       CHECK:                 vector.store %{{.*}}, %arg4[{{.*}}] : memref<20x40xf32>, vector<8xf32>
//       CHECK:               } else {
//       CHECK:                 vector.store %{{.*}}, %[[TILE]]
//       CHECK:                 scf.for
//       CHECK:                   scf.for
//       CHECK:                     memref.store %{{.*}}, %arg4[{{.*}}] : memref<20x40xf32>
//       CHECK:             } else {
//       CHECK:               scf.if %{{.*}} {
//       CHECK:                 vector.load %arg4[{{.*}}] : memref<20x40xf32>, vector<8xf32>
//       CHECK:                 vector.store %{{.*}}, %arg4[{{.*}}] : memref<20x40xf32>, vector<8xf32>
//       CHECK:   memref.dealloc %[[AP]]
//       CHECK:   memref.dealloc %[[BP]]
//       CHECK:   memref.dealloc %[[TILE]]

// The AVX-512 preset: an 8x32 tile of 16 vector<16xf32> accumulators.
// AVX512-LABEL: func.func @gemm
//       AVX512:   scf.for {{.*}} iter_args
// AVX512-COUNT-64: vector.fma %{{.*}} : vector<16xf32>
func.func @gemm(%a: memref<20x64xf4E2M1FN>, %as: memref<20x4xf8E4M3FN>,
                %b: memref<40x64xf4E2M1FN>, %bs: memref<40x4xf8E4M3FN>,
                %c: memref<20x40xf32>) {
  %ae = memref.expand_shape %a [[0], [1, 2]] output_shape [20, 4, 16] : memref<20x64xf4E2M1FN> into memref<20x4x16xf4E2M1FN>
  %be = memref.expand_shape %b [[0], [1, 2]] output_shape [40, 4, 16] : memref<40x64xf4E2M1FN> into memref<40x4x16xf4E2M1FN>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<20x40xf32>)
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%ae, %as, %be, %bs : memref<20x4x16xf4E2M1FN>, memref<20x4xf8E4M3FN>, memref<40x4x16xf4E2M1FN>, memref<40x4xf8E4M3FN>)
      outs(%c : memref<20x40xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// -----

// Batched mxfp4 (block 32, E8M0 scales): a batch loop around the same nest.

#a = affine_map<(bt, m, n, kb, ki) -> (bt, m, kb, ki)>
#as = affine_map<(bt, m, n, kb, ki) -> (bt, m, kb)>
#b = affine_map<(bt, m, n, kb, ki) -> (bt, n, kb, ki)>
#bs = affine_map<(bt, m, n, kb, ki) -> (bt, n, kb)>
#c = affine_map<(bt, m, n, kb, ki) -> (bt, m, n)>

// CHECK-LABEL: func.func @batched
//   CHECK-NOT:   linalg.generic
//       CHECK:   scf.for %[[BT:.*]] = %{{.*}} to %c3 step %c1 {
//       CHECK:     llvm.load %{{.*}} : !llvm.ptr -> vector<32xi8>
//       CHECK:     arith.shli {{.*}} : vector<8xi32>
//       CHECK:     vector.load %arg4[%[[BT]], {{.*}}] : memref<3x8x16xf32>, vector<8xf32>
func.func @batched(%a: memref<3x8x2x32xf4E2M1FN>, %as: memref<3x8x2xf8E8M0FNU>,
                   %b: memref<3x16x2x32xf4E2M1FN>, %bs: memref<3x16x2xf8E8M0FNU>,
                   %c: memref<3x8x16xf32>) {
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<3x8x2x32xf4E2M1FN>, memref<3x8x2xf8E8M0FNU>, memref<3x16x2x32xf4E2M1FN>, memref<3x16x2xf8E8M0FNU>)
      outs(%c : memref<3x8x16xf32>) attrs = {metis.scaled_contraction = #metis.format<mxfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E8M0FNU, %y: f4E2M1FN, %ys: f8E8M0FNU, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// -----

// Dynamic strides (bufferized function arguments): checked against the
// row-major ones at run time; the fast version reinterprets the operands
// with static strides, the other one runs the same nest with scalar C
// accesses.

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>
#s = strided<[?, ?], offset: ?>

// CHECK-LABEL: func.func @strided
//       CHECK:   %{{.*}}, %{{.*}}, %{{.*}}:2, %[[ST:.*]]:2 = memref.extract_strided_metadata %arg0
//       CHECK:   arith.cmpi eq, %[[ST]]#1, %c1
//       CHECK:   arith.cmpi eq, %[[ST]]#0, %c64
//       CHECK:   scf.if %{{.*}} {
//       CHECK:     memref.reinterpret_cast %arg0 to offset: [%{{.*}}], sizes: [8, 64], strides: [64, 1] : memref<8x64xf4E2M1FN, strided<[?, ?], offset: ?>> to memref<8x64xf4E2M1FN, strided<[64, 1], offset: ?>>
//       CHECK:     memref.reinterpret_cast %arg4 to offset: [%{{.*}}], sizes: [8, 16], strides: [%{{.*}}, 1]
//       CHECK:     llvm.load
//       CHECK:     vector.load %{{.*}} : memref<8x16xf32, strided<[?, 1], offset: ?>>, vector<8xf32>
//       CHECK:   } else {
//   CHECK-NOT:     llvm.load
//   CHECK-NOT:     vector.load %arg4
//       CHECK:     memref.load %arg0[{{.*}}] : memref<8x64xf4E2M1FN, strided<[?, ?], offset: ?>>
//       CHECK:     memref.load %arg4[{{.*}}] : memref<8x16xf32, strided<[?, ?], offset: ?>>
//       CHECK:   return
func.func @strided(%a: memref<8x64xf4E2M1FN, #s>, %as: memref<8x4xf32, #s>,
                   %b: memref<16x64xf4E2M1FN, #s>, %bs: memref<16x4xf32, #s>,
                   %c: memref<8x16xf32, #s>) {
  %ae = memref.expand_shape %a [[0], [1, 2]] output_shape [8, 4, 16] : memref<8x64xf4E2M1FN, #s> into memref<8x4x16xf4E2M1FN, strided<[?, ?, ?], offset: ?>>
  %be = memref.expand_shape %b [[0], [1, 2]] output_shape [16, 4, 16] : memref<16x64xf4E2M1FN, #s> into memref<16x4x16xf4E2M1FN, strided<[?, ?, ?], offset: ?>>
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%ae, %as, %be, %bs : memref<8x4x16xf4E2M1FN, strided<[?, ?, ?], offset: ?>>, memref<8x4xf32, #s>, memref<16x4x16xf4E2M1FN, strided<[?, ?, ?], offset: ?>>, memref<16x4xf32, #s>)
      outs(%c : memref<8x16xf32, #s>) attrs = {metis.scaled_contraction = #metis.format<fp4e2m1b>} {
  ^bb0(%x: f4E2M1FN, %xs: f32, %y: f4E2M1FN, %ys: f32, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// -----

// Generics without the tag are not touched.

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>

// CHECK-LABEL: func.func @untagged
//       CHECK:   linalg.generic
//   CHECK-NOT:   vector.fma
func.func @untagged(%a: memref<8x4x16xf4E2M1FN>, %as: memref<8x4xf8E4M3FN>,
                    %b: memref<16x4x16xf4E2M1FN>, %bs: memref<16x4xf8E4M3FN>,
                    %c: memref<8x16xf32>) {
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<8x4x16xf4E2M1FN>, memref<8x4xf8E4M3FN>, memref<16x4x16xf4E2M1FN>, memref<16x4xf8E4M3FN>)
      outs(%c : memref<8x16xf32>) {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// -----

// Tagged generics the kernel cannot take stay as they are, with a remark.

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>

// CHECK-LABEL: func.func @dynamic
//       CHECK:   linalg.generic
//  CHECK-SAME:     metis.scaled_contraction
//   CHECK-NOT:   vector.fma
func.func @dynamic(%a: memref<?x4x16xf4E2M1FN>, %as: memref<?x4xf8E4M3FN>,
                   %b: memref<16x4x16xf4E2M1FN>, %bs: memref<16x4xf8E4M3FN>,
                   %c: memref<?x16xf32>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: dynamic shapes}}
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<?x4x16xf4E2M1FN>, memref<?x4xf8E4M3FN>, memref<16x4x16xf4E2M1FN>, memref<16x4xf8E4M3FN>)
      outs(%c : memref<?x16xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// CHECK-LABEL: func.func @tensors
//       CHECK:   linalg.generic
func.func @tensors(%a: tensor<8x4x16xf4E2M1FN>, %as: tensor<8x4xf8E4M3FN>,
                   %b: tensor<16x4x16xf4E2M1FN>, %bs: tensor<16x4xf8E4M3FN>,
                   %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: not on memrefs}}
  %r = linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : tensor<8x4x16xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<16x4x16xf4E2M1FN>, tensor<16x4xf8E4M3FN>)
      outs(%c : tensor<8x16xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  } -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// CHECK-LABEL: func.func @mismatch
//       CHECK:   linalg.generic
func.func @mismatch(%a: memref<8x4x16xf4E2M1FN>, %as: memref<8x4xf8E4M3FN>,
                    %b: memref<16x4x16xf4E2M1FN>, %bs: memref<16x4xf8E4M3FN>,
                    %c: memref<8x16xf32>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: unexpected element types}}
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<8x4x16xf4E2M1FN>, memref<8x4xf8E4M3FN>, memref<16x4x16xf4E2M1FN>, memref<16x4xf8E4M3FN>)
      outs(%c : memref<8x16xf32>) attrs = {metis.scaled_contraction = #metis.format<mxfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// CHECK-LABEL: func.func @maps
//       CHECK:   linalg.generic
func.func @maps(%a: memref<8x4x16xf4E2M1FN>, %as: memref<8x4xf8E4M3FN>,
                %b: memref<16x4x16xf4E2M1FN>, %bs: memref<16x4xf8E4M3FN>,
                %c: memref<16x8xf32>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: unexpected indexing maps}}
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, affine_map<(m, n, kb, ki) -> (n, m)>],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<8x4x16xf4E2M1FN>, memref<8x4xf8E4M3FN>, memref<16x4x16xf4E2M1FN>, memref<16x4xf8E4M3FN>)
      outs(%c : memref<16x8xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// CHECK-LABEL: func.func @not_a_format
//       CHECK:   linalg.generic
func.func @not_a_format(%a: memref<8x4x16xf4E2M1FN>, %as: memref<8x4xf8E4M3FN>,
                        %b: memref<16x4x16xf4E2M1FN>, %bs: memref<16x4xf8E4M3FN>,
                        %c: memref<8x16xf32>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: the tag is not a #metis.format}}
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<8x4x16xf4E2M1FN>, memref<8x4xf8E4M3FN>, memref<16x4x16xf4E2M1FN>, memref<16x4xf8E4M3FN>)
      outs(%c : memref<8x16xf32>) attrs = {metis.scaled_contraction = 1 : i32} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}
