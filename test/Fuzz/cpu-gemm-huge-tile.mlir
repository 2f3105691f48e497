// RUN: metis-opt %s --verify-diagnostics --metis-cpu-gemm="isa=avx2 mr=100000"
// RUN: metis-opt %s --verify-diagnostics --metis-cpu-gemm="isa=avx2 mc=9223372036854775807"

// Found by probing the pass options: the register tile is fully unrolled,
// and mr = 100000 made metis-cpu-gemm run for hours (a hang); a huge mc
// overflowed the block arithmetic. Both are now bounded with an error.

// expected-error@unknown {{metis-cpu-gemm: tile sizes too large (at most mr = 64, vector-width = 64, nr = 1024, mr * nr / vector-width = 256 accumulators, mc, nc, kc = 2^30)}}
module {
  func.func @f() {
    return
  }
}
