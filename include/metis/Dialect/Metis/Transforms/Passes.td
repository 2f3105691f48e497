//===- Passes.td - metis dialect passes --------------------*- tablegen -*-===//

#ifndef METIS_DIALECT_METIS_TRANSFORMS_PASSES_TD
#define METIS_DIALECT_METIS_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MetisDecomposeScaledMatmul : Pass<"metis-decompose-scaled-matmul"> {
  let summary = "Rewrite metis.scaled_matmul as dequantize + an f32 linalg "
                "contraction (the reference semantics)";
  let description = [{
    Replaces every `metis.scaled_matmul` by two `metis.dequantize` ops (to
    f32) and a `linalg.generic` contraction `C[.., m, n] += A[.., m, k] ·
    B[.., n, k]` on a zero-filled f32 init, followed by an `arith.truncf` to
    bf16 when the result is bf16. This is the definition of the op written
    in upstream ops: use it to check a fast lowering, or to run metis on a
    backend that has no FP4 matmul. It does not change the other metis ops.

    The result equals the fused op's within f32 accumulation-order
    tolerance: dequantization applies the tensor scale per element, while a
    fused kernel may apply it once to the accumulated sum.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // METIS_DIALECT_METIS_TRANSFORMS_PASSES_TD
