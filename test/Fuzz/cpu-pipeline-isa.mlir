// Found by probing the pipeline options: an isa with a `}` was spliced into
// the pipeline text, which then failed to parse and aborted metis-opt
// ("LLVM ERROR: metis-cpu-pipeline is malformed"). Unknown isas are now an
// error of the pipeline option.
// RUN: not metis-opt %s --metis-cpu-pipeline='isa=a}' 2>&1 | FileCheck %s
// RUN: not metis-opt %s --metis-cpu-pipeline='isa="a b"' 2>&1 | FileCheck %s --check-prefix=SPACE
// RUN: not metis-opt %s --metis-cpu-pipeline=isa=sse 2>&1 | FileCheck %s --check-prefix=SSE

// CHECK: error: metis-cpu-pipeline: unknown isa 'a}' (expected auto, avx512, avx2 or none)
// CHECK-NOT: LLVM ERROR
// SPACE: error: metis-cpu-pipeline: unknown isa 'a b'
// SSE: error: metis-cpu-pipeline: unknown isa 'sse'

func.func @f() {
  return
}
