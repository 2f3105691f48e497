// An option value that breaks metis-gpu-pipeline's pass pipeline text is a
// pipeline error, not an abort.
// RUN: not metis-opt %s '--metis-gpu-pipeline=chip=a}' 2>&1 | FileCheck %s

// CHECK: error: MLIR Textual PassPipeline Parser
// CHECK-NOT: Stack dump
func.func @f() {
  return
}
