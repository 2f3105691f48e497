//===- Passes.td - metis conversion passes -----------------*- tablegen -*-===//

#ifndef METIS_CONVERSION_PASSES_TD
#define METIS_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertMetisToLinalg : Pass<"convert-metis-to-linalg"> {
  let summary = "Lower metis.quantize, metis.dequantize, metis.scaled_matmul "
                "and metis.spectral_split to linalg/scf/arith on tensors";
  let description = [{
    Lowers the FP4 ops to `linalg.generic`s on tensors whose bodies hold the
    exact integer arithmetic of the formats (E2M1 round-to-nearest-even with
    saturation and sign, E4M3 RNE, OCP E8M0 scales, Philox4x32-10 random bits
    for stochastic rounding keyed by seed and linear element index), so that
    upstream bufferization and LLVM lowering apply unchanged.

    * `metis.quantize`: block amax, (16×16 tile amax), tensor amax and
      scales, then one elementwise generic producing the E2M1 codes; the
      blocked axis is split with `tensor.expand_shape` so every indexing map
      is a projected permutation.
    * `metis.dequantize`: one elementwise generic.
    * `metis.scaled_matmul`: a contraction generic over (batch,) m, n, kb, ki
      that decodes codes and block scales in its body, tagged
      `metis.scaled_contraction = #metis.format<…>` for the CPU GEMM
      kernel, followed by an elementwise generic applying the product of the
      tensor scales (and the bf16 rounding).

    Dynamic extents of a blocked axis (or of the rows of 16×16 tiles) are
    checked at run time with `cf.assert`: a size that is not a multiple of
    the block aborts with a message instead of computing garbage.

    * `metis.spectral_split` (static M and N only; a dynamic extent is an
      error at the op): the randomized SVD of docs/SpectralSplit.md — a
      Philox sketch generic (or a Philox row sample), the products with an
      M or N extent as `linalg.generic` contractions tagged
      `metis.spectral_gemm`, scf loops for the Gram–Schmidt
      orthonormalizations and the power iterations, an `scf.while` of
      one-sided Jacobi sweeps on the small `l×l` factor, and the residual
      as a contraction accumulating into X.

    `metis.spectral_matmul` has no lowering here (metis-expand-spectral
    rewrites it); a module that still holds one is rejected with a
    diagnostic.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // METIS_CONVERSION_PASSES_TD
