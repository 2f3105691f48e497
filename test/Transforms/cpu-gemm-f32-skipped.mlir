// RUN: metis-opt %s --split-input-file --verify-diagnostics --metis-cpu-gemm | FileCheck %s

// Generics tagged metis.spectral_gemm that are not a plain 2-D f32
// multiply-add contraction stay unchanged, with a remark that says why.

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// CHECK-LABEL: func.func @one_input
//       CHECK:   linalg.generic
func.func @one_input(%a: memref<8x8xf32>, %c: memref<8x8xf32>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: expected 2 inputs, 1 output and 3 loops}}
  linalg.generic {indexing_maps = [#a, #c],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a : memref<8x8xf32>) outs(%c : memref<8x8xf32>) attrs = {metis.spectral_gemm} {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// CHECK-LABEL: func.func @f64
//       CHECK:   linalg.generic
func.func @f64(%a: memref<8x8xf64>, %b: memref<8x8xf64>, %c: memref<8x8xf64>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: not f32 memrefs}}
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x8xf64>, memref<8x8xf64>) outs(%c : memref<8x8xf64>) attrs = {metis.spectral_gemm} {
  ^bb0(%x: f64, %y: f64, %acc: f64):
    %p = arith.mulf %x, %y : f64
    %s = arith.addf %acc, %p : f64
    linalg.yield %s : f64
  }
  return
}

// -----

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// CHECK-LABEL: func.func @max_plus
//       CHECK:   linalg.generic
func.func @max_plus(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: not a multiply-add contraction}}
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>) attrs = {metis.spectral_gemm} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.addf %x, %y : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#a = affine_map<(i, j, k) -> (i, j, k)>
#b = affine_map<(i, j, k) -> (i, j, k)>
#c = affine_map<(i, j, k) -> (i, j)>

// CHECK-LABEL: func.func @no_n_dim
//       CHECK:   linalg.generic
func.func @no_n_dim(%a: memref<8x8x8xf32>, %b: memref<8x8x8xf32>, %c: memref<8x8xf32>) {
  // expected-remark @below {{metis-cpu-gemm: left unchanged: not a single m, n, k contraction}}
  linalg.generic {indexing_maps = [#a, #b, #c],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x8x8xf32>, memref<8x8x8xf32>) outs(%c : memref<8x8xf32>) attrs = {metis.spectral_gemm} {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Untagged, an fma-body generic that does not fit (dynamic shapes) is left
// as it is, without a remark (as an untagged linalg.matmul).

// CHECK-LABEL: func.func @untagged_dynamic
//       CHECK:   linalg.generic
func.func @untagged_dynamic(%a: memref<?x8xf32>, %b: memref<8x8xf32>, %c: memref<?x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x8xf32>, memref<8x8xf32>) outs(%c : memref<?x8xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %s = math.fma %x, %y, %z : f32
    linalg.yield %s : f32
  }
  return
}
