// RUN: metis-opt %s --verify-diagnostics --metis-cpu-gemm="nr=20 vector-width=8"

// nr must be a multiple of the vector width.
// expected-error@unknown {{metis-cpu-gemm: tile sizes must be positive and nr a multiple of vector-width}}
module {
  func.func @f() {
    return
  }
}
