// Stock mlir-opt (not metis-opt) loads metis as a plugin.
// RUN: %plugin_env mlir-opt %s --load-dialect-plugin=%metis_libs/libMetisPlugin%shlibext | FileCheck %s --check-prefix=DIALECT
// RUN: %plugin_env mlir-opt %s --load-dialect-plugin=%metis_libs/libMetisPlugin%shlibext --load-pass-plugin=%metis_libs/libMetisPlugin%shlibext \
// RUN:   --pass-pipeline='builtin.module(metis-decompose-scaled-matmul,canonicalize)' | FileCheck %s --check-prefix=PASS
// Without the dialect plugin the input does not parse.
// RUN: not mlir-opt %s 2>&1 | FileCheck %s --check-prefix=NOPLUGIN

// DIALECT-LABEL: func.func @mm
//       DIALECT: metis.scaled_matmul {{.*}} {format = #metis.format<nvfp4>}

// PASS-LABEL: func.func @mm
//   PASS-NOT: metis.scaled_matmul
//       PASS: metis.dequantize
//       PASS: metis.dequantize
//       PASS: linalg.generic

// NOPLUGIN: Dialect `metis' not found for custom op 'metis.scaled_matmul'
func.func @mm(%a: tensor<4x32xf4E2M1FN>, %as: tensor<4x2xf8E4M3FN>, %at: tensor<f32>,
              %b: tensor<8x32xf4E2M1FN>, %bs: tensor<8x2xf8E4M3FN>, %bt: tensor<f32>) -> tensor<4x8xf32> {
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<4x32xf4E2M1FN>, tensor<4x2xf8E4M3FN>, tensor<f32>,
        tensor<8x32xf4E2M1FN>, tensor<8x2xf8E4M3FN>, tensor<f32> -> tensor<4x8xf32>
  return %c : tensor<4x8xf32>
}
