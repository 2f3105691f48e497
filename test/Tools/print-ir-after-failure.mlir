// --mlir-print-ir-after-failure prints the IR as the failing pass left it:
// here metis-cpu-pipeline fails in its first pass, convert-metis-to-linalg
// (a dynamic spectral_split has no lowering), and the dump shows the op it
// rejected; no later pass runs.

// RUN: not metis-opt %s --metis-cpu-pipeline=isa=none --mlir-print-ir-after-failure \
// RUN:   -o /dev/null 2>&1 | FileCheck %s

// CHECK: error: 'metis.spectral_split' op lowering to linalg needs static M and N
// CHECK: // -----// IR Dump After ConvertMetisToLinalg Failed (convert-metis-to-linalg) //----- //
// CHECK: func.func @dynamic_split
// CHECK: metis.spectral_split
// CHECK-NOT: IR Dump After

func.func @dynamic_split(%x: tensor<?x64xf32>, %seed: i64) -> tensor<?x64xf32> {
  %u, %s, %vt, %r = metis.spectral_split %x seed %seed {rank = 4 : i64}
      : tensor<?x64xf32> -> tensor<?x4xf32>, tensor<4xf32>, tensor<4x64xf32>, tensor<?x64xf32>
  return %r : tensor<?x64xf32>
}
