// RUN: metis-opt %s --metis-cpu-gemm | FileCheck %s
// RUN: metis-opt %s --metis-cpu-gemm="mr=8 nr=32" | FileCheck %s --check-prefix=GIVEN

// A narrow N (16 <= nr - vector-width = 16 with the avx512 preset's 8x32
// tile, e.g. the rank-16 product of a spectral split): the tile becomes
// 16 x 16, the same 16 accumulators on twice the rows, no padded columns.
// With mr or nr given the tile is kept as given.

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>

// CHECK-LABEL: func.func @narrow
//   CHECK-DAG:   memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
// One K step: 16 rows broadcast against one vector of B.
//       CHECK:   scf.for
// CHECK-COUNT-16: vector.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<16xf32>
// GIVEN-LABEL: func.func @narrow
//   GIVEN-DAG:   memref.alloc() {alignment = 64 : i64} : memref<8x32xf32>
func.func @narrow(%a: memref<64x4x16xf4E2M1FN>, %as: memref<64x4xf8E4M3FN>,
                  %b: memref<16x4x16xf4E2M1FN>, %bs: memref<16x4xf8E4M3FN>,
                  %c: memref<64x16xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<64x16xf32>)
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<64x4x16xf4E2M1FN>, memref<64x4xf8E4M3FN>, memref<16x4x16xf4E2M1FN>, memref<16x4xf8E4M3FN>)
      outs(%c : memref<64x16xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    %xf = arith.extf %x : f4E2M1FN to f32
    %xsf = arith.extf %xs : f8E4M3FN to f32
    %yf = arith.extf %y : f4E2M1FN to f32
    %ysf = arith.extf %ys : f8E4M3FN to f32
    %p0 = arith.mulf %xf, %xsf : f32
    %p1 = arith.mulf %yf, %ysf : f32
    %p = arith.mulf %p0, %p1 : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
