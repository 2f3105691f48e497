//===- CPUPipeline.cpp - metis-cpu-pipeline -------------------------------===//
//
// One flag from metis + linalg on tensors to the LLVM dialect. The pipeline
// is kept as text so that it can be printed, copied and run pass by pass.
//
//===----------------------------------------------------------------------===//

#include "metis/Pipelines/Pipelines.h"
#include "CheckedPipelineRegistration.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

std::string mlir::metis::detectHostISA() {
  auto features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f"))
    return "avx512";
  if (features.lookup("avx2") && features.lookup("fma"))
    return "avx2";
  return "none";
}

std::string mlir::metis::getCPUPipeline(llvm::StringRef isa, int64_t threads,
                                        bool gemmF32, bool gemmEpilogue,
                                        bool gemmSkinny) {
  // - eliminate-empty-tensors: a result that ends in a
  //   materialize_in_destination into an argument (the API's C) is computed
  //   in that argument instead of a fresh buffer copied into it at the end
  //   (a 64 MiB alloc, its page faults and a copy at 4096²);
  // - identity layouts at function boundaries so callers (ctypes) pass plain
  //   row-major descriptors;
  // - convert-bufferization-to-memref: the deallocation pipeline inserts
  //   bufferization.clone for buffers yielded from loops;
  // - metis-cpu-gemm after bufferization: it rewrites the tagged FP4
  //   contraction and the f32 ones on memrefs (isa=none keeps the plain
  //   loops);
  // - threads > 1: its scf.parallel loops become an OpenMP team
  //   (convert-scf-to-openmp; convert-openmp-to-llvm at the end). The
  //   memref.alloca_scope it wraps each body in is single-block, so it must
  //   be inlined (canonicalize: the bodies hold no allocas) before
  //   convert-scf-to-cf;
  // - convert-vector-to-scf{full-unroll}: no dynamic allocas in loops
  //   (CPU_CODEGEN.md pitfall 3);
  // - expand-strided-metadata before lower-affine: it creates affine.apply
  //   for dynamic shapes;
  // - arith-expand{include-bf16}: f32 -> bf16 truncation as integer RNE, so
  //   no compiler-rt helper is needed at run time.
  std::string gemm;
  bool omp = isa != "none" && threads > 1;
  if (isa != "none") {
    gemm = ("metis-cpu-gemm{isa=" + isa).str();
    if (threads != 1)
      gemm += " threads=" + std::to_string(threads);
    if (!gemmF32)
      gemm += " f32=false";
    if (!gemmEpilogue)
      gemm += " epilogue=false";
    if (!gemmSkinny)
      gemm += " skinny=false";
    gemm += "},";
    if (omp)
      gemm += "convert-scf-to-openmp{num-threads=" + std::to_string(threads) +
              "},canonicalize,";
  }
  // metis-fuse-residual (not for isa=none either): the split's residual
  // recomputed inside the quantize generics that read it, never stored;
  // metis-cpu-vectorize (not for isa=none, the plain-loops reference):
  // the quantize/dequantize generics as vectors of the ISA's f32 width;
  // metis-lower-f4-vector-access then stores their f4 codes one per byte.
  std::string vectorize;
  if (isa != "none")
    vectorize = "metis-fuse-residual,metis-cpu-vectorize{vector-width=" +
                std::string(isa == "avx512" ? "16" : "8") +
                "},func.func(lower-vector-multi-reduction{lowering-strategy="
                "inner-reduction}),";
  return "convert-metis-to-linalg,canonicalize," + vectorize +
         "eliminate-empty-tensors,"
         "one-shot-bufferize{bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map},"
         "buffer-deallocation-pipeline,convert-bufferization-to-memref," +
         gemm +
         "convert-linalg-to-loops,"
         "convert-vector-to-scf{full-unroll=true},"
         "metis-lower-f4-vector-access,"
         "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
         "arith-expand{include-bf16=true},"
         "finalize-memref-to-llvm,"
         "convert-vector-to-llvm,convert-math-to-llvm,convert-arith-to-llvm,"
         "convert-cf-to-llvm,convert-func-to-llvm,convert-ub-to-llvm," +
         (omp ? std::string("convert-openmp-to-llvm,") : std::string()) +
         "reconcile-unrealized-casts";
}

/// Whether `isa` names a known kernel preset (or `auto`).
static bool isKnownISA(llvm::StringRef isa) {
  return isa == "auto" || isa == "avx512" || isa == "avx2" || isa == "none";
}

LogicalResult mlir::metis::buildCPUPipeline(OpPassManager &pm,
                                            const CPUPipelineOptions &options,
                                            llvm::raw_ostream &errorStream) {
  // The isa is user text spliced into the pipeline text: check it first, so
  // that a value like `a}` is an unknown isa and not a malformed pipeline.
  if (!isKnownISA(options.isa)) {
    errorStream << "metis-cpu-pipeline: unknown isa '" << options.isa
                << "' (expected auto, avx512, avx2 or none)";
    return failure();
  }
  std::string isa = options.isa;
  if (isa == "auto")
    isa = detectHostISA();
  return parsePassPipeline(getCPUPipeline(isa, options.threads, options.gemmF32,
                                          options.gemmEpilogue,
                                          options.gemmSkinny),
                           pm, errorStream);
}

void mlir::metis::registerPipelines() {
  registerCheckedPipeline<CPUPipelineOptions>(
      "metis-cpu-pipeline",
      "Lower metis and linalg on tensors to the LLVM dialect for the CPU "
      "(convert-metis-to-linalg, bufferization, the FP4 GEMM kernel, loops, "
      "LLVM)",
      buildCPUPipeline);
  registerCheckedPipeline<GPUPipelineOptions>(
      "metis-gpu-pipeline",
      "Lower metis.scaled_matmul to NVIDIA GPU kernels and a gpu.binary "
      "(convert-metis-to-gpu, the host remainder through "
      "convert-metis-to-linalg, bufferization, NVVM, gpu-module-to-binary)",
      buildGPUPipeline);
}
