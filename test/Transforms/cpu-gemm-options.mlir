// Bad options are reported once by metis-cpu-gemm's initialize(), at an
// unknown location: no "see current operation" dump of the payload.
//
// RUN: not metis-opt %s --metis-cpu-gemm=isa=bogus 2>&1 | FileCheck %s --check-prefix=ISA --implicit-check-not=note: --implicit-check-not=func.func
// RUN: not metis-opt %s --metis-cpu-pipeline=isa=bogus 2>&1 | FileCheck %s --check-prefix=PIPE --implicit-check-not=note: --implicit-check-not=func.func
// RUN: not metis-opt %s --metis-cpu-gemm="isa=avx2 nr=12" 2>&1 | FileCheck %s --check-prefix=TILE --implicit-check-not=note: --implicit-check-not=func.func
// RUN: not metis-opt %s --metis-cpu-gemm="mc=-1" 2>&1 | FileCheck %s --check-prefix=TILE --implicit-check-not=note: --implicit-check-not=func.func

// ISA: <unknown>:0: error: metis-cpu-gemm: unknown isa 'bogus' (expected avx512 or avx2)
// PIPE: <unknown>:0: error: metis-cpu-pipeline: unknown isa 'bogus' (expected auto, avx512, avx2 or none)
// TILE: <unknown>:0: error: metis-cpu-gemm: tile sizes must be positive and nr a multiple of vector-width

func.func @f(%a: memref<8x8xf32>, %b: memref<8x8xf32>, %c: memref<8x8xf32>) {
  linalg.matmul ins(%a, %b : memref<8x8xf32>, memref<8x8xf32>) outs(%c : memref<8x8xf32>)
  return
}
