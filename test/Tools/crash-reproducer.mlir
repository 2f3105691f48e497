// metis-opt is MlirOptMain, so the pass-manager debugging flags work with
// metis passes and pipelines (PRACTICES.md §2.3). A failing pass writes a
// reproducer: the IR before the pipeline (or before the failing pass, with
// the local reproducer) and the pipeline, which --run-reproducer replays.

// RUN: not metis-opt %s --pass-pipeline='builtin.module(canonicalize,metis-expand-spectral)' \
// RUN:   --mlir-pass-pipeline-crash-reproducer=%t.repro 2>&1 | FileCheck %s --check-prefix=ERR
// RUN: FileCheck %s --check-prefix=REPRO < %t.repro
// RUN: not metis-opt %t.repro --run-reproducer 2>&1 | FileCheck %s --check-prefix=REPLAY

// RUN: not metis-opt %s --pass-pipeline='builtin.module(canonicalize,metis-expand-spectral)' \
// RUN:   --mlir-disable-threading --mlir-pass-pipeline-local-reproducer \
// RUN:   --mlir-pass-pipeline-crash-reproducer=%t.local.repro 2>&1 | FileCheck %s --check-prefix=ERR
// RUN: FileCheck %s --check-prefix=LOCAL < %t.local.repro

// ERR: error: 'metis.spectral_matmul' op cannot expand the rhs split with fp4 factors
// ERR: note: Pipeline failed while executing {{\[?}}`MetisExpandSpectral` on 'builtin.module' operation{{\]?}}: reproducer generated at

// REPRO: func.func @fp4_factors
// REPRO: metis.spectral_matmul
// REPRO: mlir_reproducer
// REPRO: pipeline: "builtin.module(canonicalize{{.*}}metis-expand-spectral)"
// REPRO: verify_each: true

// REPLAY: error: 'metis.spectral_matmul' op cannot expand the rhs split with fp4 factors

// LOCAL: mlir_reproducer
// LOCAL: pipeline: "builtin.module(metis-expand-spectral)"

func.func @fp4_factors(%a: tensor<8x64xf32>, %b: tensor<48x64xf32>, %seed: i64) -> tensor<8x48xf32> {
  %c = metis.spectral_matmul %a, %b seed %seed {
      lhs_policy = #metis.operand<format = #metis.format<mxfp4>>,
      rhs_policy = #metis.operand<format = #metis.format<mxfp4>, split = #metis.split<rank = 16>>}
      : tensor<8x64xf32>, tensor<48x64xf32> -> tensor<8x48xf32>
  return %c : tensor<8x48xf32>
}
