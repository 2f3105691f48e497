//===- MetisAttrs.td - metis attributes and enums ----------*- tablegen -*-===//

#ifndef METIS_DIALECT_METIS_IR_METISATTRS_TD
#define METIS_DIALECT_METIS_IR_METISATTRS_TD

include "metis/Dialect/Metis/IR/MetisDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Metis_FormatKind : I32EnumAttr<"FormatKind", "FP4 block-scaled format", [
    I32EnumAttrCase<"nvfp4", 0>,
    I32EnumAttrCase<"mxfp4", 1>,
    I32EnumAttrCase<"fp4e2m1b", 2>]> {
  let cppNamespace = "::mlir::metis";
  let genSpecializedAttr = 0;
}

def Metis_Rounding : I32EnumAttr<"Rounding", "rounding onto the E2M1 grid", [
    I32EnumAttrCase<"rne", 0>,
    I32EnumAttrCase<"stochastic", 1>]> {
  let cppNamespace = "::mlir::metis";
  let genSpecializedAttr = 0;
}
def Metis_RoundingAttr : EnumAttr<Metis_Dialect, Metis_Rounding, "rounding"> {
  let assemblyFormat = "`<` $value `>`";
  let summary = "Rounding mode: `rne` (round to nearest, ties to even) or "
                "`stochastic` (unbiased, counter-based random bits; needs a seed)";
}

def Metis_Role : I32EnumAttr<"Role", "role of a matmul operand in training", [
    I32EnumAttrCase<"weight", 0>,
    I32EnumAttrCase<"activation", 1>,
    I32EnumAttrCase<"gradient", 2>]> {
  let cppNamespace = "::mlir::metis";
  let genSpecializedAttr = 0;
}
def Metis_RoleAttr : EnumAttr<Metis_Dialect, Metis_Role, "role"> {
  let assemblyFormat = "`<` $value `>`";
  let summary = "Role of a tensor in a training step: weight, activation or "
                "gradient (used by the quantization policy)";
}

def Metis_Sketch : I32EnumAttr<"Sketch", "random sketch of the randomized SVD", [
    I32EnumAttrCase<"gaussian", 0>,
    I32EnumAttrCase<"rademacher", 1>,
    I32EnumAttrCase<"sparse_sign", 2>,
    I32EnumAttrCase<"row_sampling", 3>]> {
  let cppNamespace = "::mlir::metis";
  let genSpecializedAttr = 0;
}
def Metis_SketchAttr : EnumAttr<Metis_Dialect, Metis_Sketch, "sketch"> {
  let assemblyFormat = "`<` $value `>`";
  let summary = "Test matrix of the randomized range finder";
  let description = [{
    * `gaussian`: i.i.d. N(0, 1) entries (Halko–Martinsson–Tropp; the
      reference code's `torch.svd_lowrank`).
    * `rademacher`: i.i.d. ±1 entries.
    * `sparse_sign`: a few ±1 entries per row (sparse embedding).
    * `row_sampling`: a random subset of rows (tokens) of the operand, the
      paper's "sparse random sampling".
  }];
}

def Metis_FactorPrecision : I32EnumAttr<"FactorPrecision",
    "precision of the low-rank factors U and Vᵀ", [
    I32EnumAttrCase<"fp4", 0>,
    I32EnumAttrCase<"bf16", 1>,
    I32EnumAttrCase<"f32", 2>]> {
  let cppNamespace = "::mlir::metis";
  let genSpecializedAttr = 0;
}

def Metis_ResidualMode : I32EnumAttr<"ResidualMode",
    "what the residual of a spectral split is taken against", [
    I32EnumAttrCase<"exact", 0>,
    I32EnumAttrCase<"compensated", 1>]> {
  let cppNamespace = "::mlir::metis";
  let genSpecializedAttr = 0;
}

def Metis_SpectralGain : I32EnumAttr<"SpectralGain",
    "adaptive spectral gain applied to the singular values", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"reference", 1>,
    I32EnumAttrCase<"smooth", 2>]> {
  let cppNamespace = "::mlir::metis";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

class Metis_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Metis_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Metis_FormatAttr : Metis_Attr<"Format", "format"> {
  let summary = "An FP4 block-scaled format and its block shape";
  let description = [{
    `#metis.format<kind>` or `#metis.format<kind, RxB>`.

    Every format stores E2M1 values (`f4E2M1FN`: ±{0, 0.5, 1, 1.5, 2, 3, 4,
    6}) with one *block scale* per block of `B` consecutive elements along the
    blocked axis. `R` is the block's extent across the other axis of a 2-D
    tensor: `R = 1` gives 1-D blocks, `R = 16` gives 16×16 tiles (a weight
    and its transpose then quantize identically, METIS.md §0.2).

    | kind       | block scale  | tensor scale | block shapes      |
    |------------|--------------|--------------|-------------------|
    | `nvfp4`    | `f8E4M3FN`   | `f32`        | `1x16` (default), `16x16` |
    | `mxfp4`    | `f8E8M0FNU`  | none (1.0)   | `1x32` (default)  |
    | `fp4e2m1b` | `f32`        | none (1.0)   | `1x16` (default)  |

    * `nvfp4`: NVIDIA's NVFP4, exactly TransformerEngine's reference
      quantizer (see `metis.quantize`).
    * `mxfp4`: OCP Microscaling MXFP4, power-of-two scales.
    * `fp4e2m1b`: the Metis reference code's format (FP32 block scale
      `amax/6 + 1e-9`, no tensor scale); offered so that the reference
      training runs can be reproduced. It is not a hardware format.

    The default block shape is omitted when printing.
  }];
  let parameters = (ins
    EnumParameter<Metis_FormatKind>:$kind,
    "int64_t":$tileRows,
    "int64_t":$blockSize
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "FormatKind":$kind), [{
      return $_get($_ctxt, kind, 1, getDefaultBlockSize(kind));
    }]>
  ];
  let extraClassDeclaration = [{
    /// Block size along the blocked axis for the default 1-D block shape.
    static int64_t getDefaultBlockSize(FormatKind kind);
    /// Element type of the block scales of this format.
    ::mlir::Type getScaleElementType() const;
    /// Whether the format has a (non-trivial) FP32 tensor scale.
    bool hasTensorScale() const { return getKind() == FormatKind::nvfp4; }
    /// Whether blocks are 2-D tiles (amax taken over R rows).
    bool isTiled() const { return getTileRows() != 1; }
  }];
}

def Metis_SplitAttr : Metis_Attr<"Split", "split"> {
  let summary = "Policy of the spectral split of one matmul operand";
  let description = [{
    `#metis.split<rank = k, ...>`: split the operand X into
    `U·diag(S)·Vᵀ + R` by randomized SVD before quantizing (see
    `metis.spectral_split`). Parameters (defaults in brackets):

    * `rank` (required, ≥ 1): k, the number of singular triplets kept.
    * `oversample` [4]: p ≥ 0, extra sketch columns.
    * `power_iters` [2]: q ≥ 0, subspace iterations.
    * `sketch` [`gaussian`]: the test matrix, see `#metis.sketch`.
    * `factors` [`fp4`]: precision of U and Vᵀ in the low-rank GEMMs: `fp4`
      (the operand's format, as the reference), `bf16` or `f32`. S is always
      kept in f32.
    * `residual` [`exact`]: `exact` takes R = X − U·diag(S)·Vᵀ from the
      unquantized factors (the reference); `compensated` takes R against the
      *quantized* factors so that R's quantization absorbs their error
      (METIS.md §0.6).
    * `gain` [`none`]: adaptive spectral gain on S: `none`, `reference`
      (the reference code's `ysche`: ×1 on directions 0–4, ×0.5 on 5..k−1, ×2
      on the residual) or `smooth` (σ′ = 2σ/(1 + σ/σ₁); reported as the
      paper's rule, not verified against the paper).
  }];
  let parameters = (ins
    "int64_t":$rank,
    DefaultValuedParameter<"int64_t", "4">:$oversample,
    DefaultValuedParameter<"int64_t", "2">:$power_iters,
    DefaultValuedParameter<"::mlir::metis::Sketch",
                           "::mlir::metis::Sketch::gaussian">:$sketch,
    DefaultValuedParameter<"::mlir::metis::FactorPrecision",
                           "::mlir::metis::FactorPrecision::fp4">:$factors,
    DefaultValuedParameter<"::mlir::metis::ResidualMode",
                           "::mlir::metis::ResidualMode::exact">:$residual,
    DefaultValuedParameter<"::mlir::metis::SpectralGain",
                           "::mlir::metis::SpectralGain::none">:$gain
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Metis_OperandPolicyAttr : Metis_Attr<"OperandPolicy", "operand"> {
  let summary = "How one operand of a `metis.spectral_matmul` is quantized";
  let description = [{
    `#metis.operand<format = #metis.format<...>, rounding = rne|stochastic,
    role = weight|activation|gradient, split = #metis.split<...>>`.

    `rounding` defaults to `rne`; `role` is informational (it records what
    the policy decided and is printed in reports); without `split` the
    operand is quantized directly.
  }];
  let parameters = (ins
    "::mlir::metis::FormatAttr":$format,
    DefaultValuedParameter<"::mlir::metis::Rounding",
                           "::mlir::metis::Rounding::rne">:$rounding,
    OptionalParameter<"std::optional<::mlir::metis::Role>">:$role,
    OptionalParameter<"::mlir::metis::SplitAttr">:$split
  );
  let assemblyFormat = "`<` struct(params) `>`";
}

#endif // METIS_DIALECT_METIS_IR_METISATTRS_TD
