// RUN: metis-opt %s -metis-cpu-pipeline | FileCheck %s

// One flag takes metis + linalg on tensors to the LLVM dialect: nothing of
// metis, linalg, tensor, memref, arith or scf is left.

// CHECK-LABEL: llvm.func @quantize_matmul
//   CHECK-NOT: metis.
//   CHECK-NOT: linalg.
//   CHECK-NOT: tensor.
//   CHECK-NOT: memref.
//   CHECK-NOT: arith.
//   CHECK-NOT: scf.
//       CHECK: llvm.return
func.func @quantize_matmul(%a: tensor<8x32xf32>, %b: tensor<16x32xf32>, %seed: i64) -> tensor<8x16xbf16> {
  %av, %as, %at = metis.quantize %a {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<8x32xf32> -> tensor<8x32xf4E2M1FN>, tensor<8x2xf8E4M3FN>, tensor<f32>
  %bv, %bs, %bt = metis.quantize %b seed %seed {axis = 1 : i64, format = #metis.format<nvfp4, 16x16>, rounding = #metis.rounding<stochastic>}
      : tensor<16x32xf32> -> tensor<16x32xf4E2M1FN>, tensor<16x2xf8E4M3FN>, tensor<f32>
  %c = metis.scaled_matmul %av, %as, %at, %bv, %bs, %bt {format = #metis.format<nvfp4>}
      : tensor<8x32xf4E2M1FN>, tensor<8x2xf8E4M3FN>, tensor<f32>,
        tensor<16x32xf4E2M1FN>, tensor<16x2xf8E4M3FN>, tensor<f32> -> tensor<8x16xbf16>
  return %c : tensor<8x16xbf16>
}

// The isa option: the FP4 GEMM kernel runs with the chosen preset, or not
// at all with isa=none; an unknown isa is reported, not ignored.
// RUN: metis-opt %s -metis-cpu-pipeline=isa=avx2 --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=AVX2
// RUN: metis-opt %s -metis-cpu-pipeline=isa=none --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not metis-opt %s -metis-cpu-pipeline=isa=bogus -o /dev/null 2>&1 | FileCheck %s --check-prefix=BOGUS
// AVX2: eliminate-empty-tensors
// AVX2: one-shot-bufferize
// AVX2: metis-cpu-gemm{{.*}} isa=avx2 {{.*}}threads=1
// AVX2: convert-linalg-to-loops
// AVX2-NOT: openmp
// NONE-NOT: metis-cpu-gemm
// BOGUS: unknown isa 'bogus'

// threads=N: the GEMM's scf.parallel loops become an OpenMP team of N
// threads; the rest of the pipeline is the same, and nothing but the LLVM
// and OpenMP dialects is left.
// RUN: metis-opt %s -metis-cpu-pipeline="isa=avx2 threads=2" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=THREADS
// RUN: metis-opt %s -metis-cpu-pipeline="isa=avx2 threads=2" | FileCheck %s --check-prefix=OMP
// RUN: metis-opt %s -metis-cpu-pipeline="isa=avx2 gemm-f32=false" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOF32
// THREADS: metis-cpu-gemm{{.*}} threads=2
// THREADS-NEXT: convert-scf-to-openmp{{.*}}num-threads=2
// THREADS-NEXT: canonicalize
// THREADS: convert-openmp-to-llvm
// THREADS-NEXT: reconcile-unrealized-casts
// OMP-LABEL: llvm.func @quantize_matmul
//   OMP-NOT: linalg.
//   OMP-NOT: memref.
//   OMP-NOT: scf.
//       OMP: omp.parallel num_threads(%{{.*}} : i32)
//       OMP: omp.wsloop
//       OMP: llvm.return
// NOF32: metis-cpu-gemm{{{.*}}f32=false
