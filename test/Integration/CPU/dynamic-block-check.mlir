// A dynamic blocked axis is checked at run time: a multiple of the block
// size quantizes normally, any other size aborts (cf.assert) instead of
// computing with a wrong block structure.
//
// RUN: metis-opt %s --metis-cpu-pipeline > %t.mlir
// RUN: mlir-runner %t.mlir -e main_ok -entry-point-result=void \
// RUN:   -shared-libs=%llvm_lib_dir/libmlir_c_runner_utils.so,%llvm_lib_dir/libmlir_runner_utils.so | FileCheck %s
// RUN: not --crash mlir-runner %t.mlir -e main_bad -entry-point-result=void \
// RUN:   -shared-libs=%llvm_lib_dir/libmlir_c_runner_utils.so,%llvm_lib_dir/libmlir_runner_utils.so

// A block of equal elements maps each to ±6 exactly, so it round-trips to
// the input up to the E4M3 scale rounding (here exact to 6 digits).
// CHECK: sizes = [2, 32]
// CHECK-COUNT-2: 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3

func.func private @printMemrefF32(tensor<*xf32>)

func.func @fake_quant(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %v, %bs, %ts = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<?x?xf32> -> tensor<?x?xf4E2M1FN>, tensor<?x?xf8E4M3FN>, tensor<f32>
  %y = metis.dequantize %v, %bs, %ts {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<?x?xf4E2M1FN>, tensor<?x?xf8E4M3FN>, tensor<f32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

func.func @main_ok() {
  %c = arith.constant dense<1.3> : tensor<2x32xf32>
  %d = tensor.cast %c : tensor<2x32xf32> to tensor<?x?xf32>
  %y = call @fake_quant(%d) : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %u = tensor.cast %y : tensor<?x?xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

func.func @main_bad() {
  %c = arith.constant dense<1.3> : tensor<2x20xf32>
  %d = tensor.cast %c : tensor<2x20xf32> to tensor<?x?xf32>
  %y = call @fake_quant(%d) : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return
}
