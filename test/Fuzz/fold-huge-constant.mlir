// RUN: metis-opt %s --split-input-file --canonicalize | FileCheck %s

// Found by the structured fuzzer: folding quantize/dequantize of a splat
// constant of a huge shape materialized every element and aborted ("LLVM
// ERROR: SmallVector unable to grow"). Constants of more than 2^20 elements
// are now left to the lowering.

// CHECK-LABEL: func.func @quantize_huge_splat
//       CHECK:   metis.quantize
func.func @quantize_huge_splat() -> tensor<1048576x1048576xf4E2M1FN> {
  %x = arith.constant dense<1.5> : tensor<1048576x1048576xf32>
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<1048576x1048576xf32> -> tensor<1048576x1048576xf4E2M1FN>, tensor<1048576x65536xf8E4M3FN>, tensor<f32>
  return %v : tensor<1048576x1048576xf4E2M1FN>
}

// -----

// An element count that overflows int64 must not wrap around to a small one.
// CHECK-LABEL: func.func @quantize_overflowing_shape
//       CHECK:   metis.quantize
func.func @quantize_overflowing_shape() -> tensor<4294967296x4294967296x16xf4E2M1FN> {
  %x = arith.constant dense<1.5> : tensor<4294967296x4294967296x16xf32>
  %v, %s, %t = metis.quantize %x {axis = 2 : i64, format = #metis.format<fp4e2m1b>} : tensor<4294967296x4294967296x16xf32> -> tensor<4294967296x4294967296x16xf4E2M1FN>, tensor<4294967296x4294967296x1xf32>, tensor<f32>
  return %v : tensor<4294967296x4294967296x16xf4E2M1FN>
}

// -----

// CHECK-LABEL: func.func @dequantize_huge_splat
//       CHECK:   metis.dequantize
func.func @dequantize_huge_splat() -> tensor<1048576x1048576xf32> {
  %v = arith.constant dense<1.0> : tensor<1048576x1048576xf4E2M1FN>
  %s = arith.constant dense<2.0> : tensor<1048576x65536xf8E4M3FN>
  %t = arith.constant dense<1.0> : tensor<f32>
  %y = metis.dequantize %v, %s, %t {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<1048576x1048576xf4E2M1FN>, tensor<1048576x65536xf8E4M3FN>, tensor<f32> -> tensor<1048576x1048576xf32>
  return %y : tensor<1048576x1048576xf32>
}

// -----

// Small constants still fold.
// CHECK-LABEL: func.func @small_still_folds
//   CHECK-NOT:   metis.dequantize
func.func @small_still_folds() -> tensor<2x16xf32> {
  %v = arith.constant dense<1.0> : tensor<2x16xf4E2M1FN>
  %s = arith.constant dense<2.0> : tensor<2x1xf8E4M3FN>
  %t = arith.constant dense<1.0> : tensor<f32>
  %y = metis.dequantize %v, %s, %t {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<2x16xf4E2M1FN>, tensor<2x1xf8E4M3FN>, tensor<f32> -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}
