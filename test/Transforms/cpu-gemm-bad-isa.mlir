// RUN: metis-opt %s --verify-diagnostics --metis-cpu-gemm=isa=sse

// An unknown isa is an error at the op the pass runs on.
// expected-error@unknown {{metis-cpu-gemm: unknown isa 'sse' (expected avx512 or avx2)}}
module {
  func.func @f() {
    return
  }
}
