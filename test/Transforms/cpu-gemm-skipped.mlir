// RUN: metis-opt %s --split-input-file --verify-diagnostics --metis-cpu-gemm | FileCheck %s

// Tagged generics that are not the contraction convert-metis-to-linalg
// produces are left unchanged with a remark that says why (the other
// reasons are in cpu-gemm.mlir).

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>

// CHECK-LABEL: func.func @three_inputs
//       CHECK:   linalg.generic
func.func @three_inputs(%a: memref<8x4x16xf4E2M1FN>, %as: memref<8x4xf8E4M3FN>,
                        %b: memref<16x4x16xf4E2M1FN>, %c: memref<8x16xf32>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: expected 4 inputs and 1 output}}
  linalg.generic {indexing_maps = [#a, #as, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b : memref<8x4x16xf4E2M1FN>, memref<8x4xf8E4M3FN>, memref<16x4x16xf4E2M1FN>)
      outs(%c : memref<8x16xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// -----

// CHECK-LABEL: func.func @three_loops
//       CHECK:   linalg.generic
func.func @three_loops(%a: memref<8x64xf4E2M1FN>, %as: memref<8xf8E4M3FN>,
                       %b: memref<16x64xf4E2M1FN>, %bs: memref<16xf8E4M3FN>,
                       %c: memref<8x16xf32>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: expected 4 or 5 loops}}
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                   affine_map<(m, n, k) -> (m)>,
                                   affine_map<(m, n, k) -> (n, k)>,
                                   affine_map<(m, n, k) -> (n)>,
                                   affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %as, %b, %bs : memref<8x64xf4E2M1FN>, memref<8xf8E4M3FN>, memref<16x64xf4E2M1FN>, memref<16xf8E4M3FN>)
      outs(%c : memref<8x16xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// -----

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>

// CHECK-LABEL: func.func @iterators
//       CHECK:   linalg.generic
func.func @iterators(%a: memref<8x4x16xf4E2M1FN>, %as: memref<8x4xf8E4M3FN>,
                     %b: memref<16x4x16xf4E2M1FN>, %bs: memref<16x4xf8E4M3FN>,
                     %c: memref<8x16xf32>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: unexpected iterator types}}
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %as, %b, %bs : memref<8x4x16xf4E2M1FN>, memref<8x4xf8E4M3FN>, memref<16x4x16xf4E2M1FN>, memref<16x4xf8E4M3FN>)
      outs(%c : memref<8x16xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// -----

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>
#halved = affine_map<(d0, d1) -> (d0 floordiv 2, d1)>

// CHECK-LABEL: func.func @non_strided
//       CHECK:   linalg.generic
func.func @non_strided(%a: memref<8x4x16xf4E2M1FN>, %as: memref<8x4xf8E4M3FN, #halved>,
                       %b: memref<16x4x16xf4E2M1FN>, %bs: memref<16x4xf8E4M3FN>,
                       %c: memref<8x16xf32>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: non-strided layout}}
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<8x4x16xf4E2M1FN>, memref<8x4xf8E4M3FN, #halved>, memref<16x4x16xf4E2M1FN>, memref<16x4xf8E4M3FN>)
      outs(%c : memref<8x16xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// -----

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>

// Blocks of 32 codes under an nvfp4 (block 16) tag.
// CHECK-LABEL: func.func @block_size
//       CHECK:   linalg.generic
func.func @block_size(%a: memref<8x2x32xf4E2M1FN>, %as: memref<8x2xf8E4M3FN>,
                      %b: memref<16x2x32xf4E2M1FN>, %bs: memref<16x2xf8E4M3FN>,
                      %c: memref<8x16xf32>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: block size differs from the format's}}
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<8x2x32xf4E2M1FN>, memref<8x2xf8E4M3FN>, memref<16x2x32xf4E2M1FN>, memref<16x2xf8E4M3FN>)
      outs(%c : memref<8x16xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}

// -----

#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>

// M = 0: nothing to compute; the generic (a no-op) stays.
// CHECK-LABEL: func.func @empty
//       CHECK:   linalg.generic
func.func @empty(%a: memref<0x4x16xf4E2M1FN>, %as: memref<0x4xf8E4M3FN>,
                 %b: memref<16x4x16xf4E2M1FN>, %bs: memref<16x4xf8E4M3FN>,
                 %c: memref<0x16xf32>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: empty shapes}}
  linalg.generic {indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %as, %b, %bs : memref<0x4x16xf4E2M1FN>, memref<0x4xf8E4M3FN>, memref<16x4x16xf4E2M1FN>, memref<16x4xf8E4M3FN>)
      outs(%c : memref<0x16xf32>) attrs = {metis.scaled_contraction = #metis.format<nvfp4>} {
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32
  }
  return
}
