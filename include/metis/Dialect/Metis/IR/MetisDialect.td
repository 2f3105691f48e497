//===- MetisDialect.td - The metis dialect -----------------*- tablegen -*-===//
//
// The metis dialect: FP4 block-scaled quantization and the spectral
// (low-rank + residual) decomposition of training matmuls.
//
//===----------------------------------------------------------------------===//

#ifndef METIS_DIALECT_METIS_IR_METISDIALECT_TD
#define METIS_DIALECT_METIS_IR_METISDIALECT_TD

include "mlir/IR/OpBase.td"

def Metis_Dialect : Dialect {
  let name = "metis";
  let cppNamespace = "::mlir::metis";
  let summary = "Spectral FP4 training: block-scaled FP4 and low-rank splits";
  let description = [{
    The `metis` dialect expresses the numerics of Metis (arXiv 2509.00404):
    training matmuls whose operands are quantized to 4-bit E2M1 values with
    block scales, after an optional spectral split of each operand into a
    dominant low-rank part `U·diag(S)·Vᵀ` (found by randomized SVD) and a
    residual.

    All ops have value (tensor) semantics on builtin ranked tensors and use
    builtin element types: `f4E2M1FN` for the quantized values, `f8E4M3FN`
    (NVFP4) / `f8E8M0FNU` (MXFP4) / `f32` (the reference code's `fp4e2m1b`)
    for the block scales, `f32` for the tensor scale. Upstream bufferization
    and lowering therefore apply unchanged once metis ops are converted.

    The layering the ops are designed for (each arrow is one pass; see the
    README for which passes exist today):

    ```
    linalg.matmul & co.  --metis-spectralize-->  metis.spectral_matmul
    metis.spectral_matmul  --metis-expand-spectral-->  metis.spectral_split,
        metis.quantize, metis.scaled_matmul (+ small linalg ops)
    metis.*  --convert-metis-to-linalg / convert-metis-to-gpu-->  CPU / NVPTX
    ```

    The exact numerics of every format (rounding, scale computation, zero
    blocks, NaN and Inf) are given on the ops below; docs/Rationale.md says
    why the ops look the way they do.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class Metis_Op<string mnemonic, list<Trait> traits = []>
    : Op<Metis_Dialect, mnemonic, traits>;

#endif // METIS_DIALECT_METIS_IR_METISDIALECT_TD
