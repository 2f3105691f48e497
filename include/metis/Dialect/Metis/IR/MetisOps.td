//===- MetisOps.td - metis operations ----------------------*- tablegen -*-===//

#ifndef METIS_DIALECT_METIS_IR_METISOPS_TD
#define METIS_DIALECT_METIS_IR_METISOPS_TD

include "metis/Dialect/Metis/IR/MetisDialect.td"
include "metis/Dialect/Metis/IR/MetisAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Rank >= 1 is checked by the verifiers (a 0-D tensor has no axis to block),
// so that the diagnostic can say so.
def Metis_HighPrecisionTensor : RankedTensorOf<[F32, BF16, F16]>;
def Metis_FP4Tensor : RankedTensorOf<[F4E2M1FN]>;
def Metis_ScaleTensor : RankedTensorOf<[F8E4M3FN, F8E8M0FNU, F32]>;
def Metis_TensorScale : 0DTensorOf<[F32]>;
def Metis_MatrixOperand : RankedTensorOf<[F32, BF16]>;
def Metis_MatmulResult : RankedTensorOf<[F32, BF16]>;

//===----------------------------------------------------------------------===//
// QuantizeOp
//===----------------------------------------------------------------------===//

def Metis_QuantizeOp : Metis_Op<"quantize", [Pure]> {
  let summary = "Block-scaled FP4 quantization of a tensor along one axis";
  let description = [{
    Quantizes `input` to E2M1 values with one block scale per block of the
    format's block size along `axis` (the GEMM reduction axis of the consumer,
    METIS.md §0.2), plus a tensor scale.

    ```mlir
    %v, %bs, %ts = metis.quantize %x {axis = 1 : i64,
        format = #metis.format<nvfp4>}
        : tensor<128x256xf32> -> tensor<128x256xf4E2M1FN>,
          tensor<128x16xf8E4M3FN>, tensor<f32>
    %v2, %bs2, %ts2 = metis.quantize %g seed %s {axis = 0 : i64,
        format = #metis.format<nvfp4>, rounding = #metis.rounding<stochastic>}
        : tensor<256x64xf32> -> tensor<256x64xf4E2M1FN>,
          tensor<16x64xf8E4M3FN>, tensor<f32>
    ```

    **Result types and scale layout.** `values` has the shape of `input` and
    element type `f4E2M1FN`. `block_scales` has the shape of `input` with
    dimension `axis` divided by the block size B (16 or 32); entry `[..., j,
    ...]` (j at position `axis`) is the scale of elements `j·B .. j·B+B−1`
    along `axis`. Its element type is the format's scale type (`f8E4M3FN` for
    `nvfp4`, `f8E8M0FNU` for `mxfp4`, `f32` for `fp4e2m1b`). For 16×16 tiles
    (`#metis.format<nvfp4, 16x16>`, 2-D inputs only) the layout is the same
    per-row layout: the 16 rows of a tile hold the same scale, so every
    consumer sees one layout. `tensor_scale` is a 0-d `f32` tensor: the
    decode tensor scale of `nvfp4`, exactly `1.0` for the other formats.

    **Divisibility.** The size of `axis` must be a multiple of B, and for
    16×16 tiles the other dimension a multiple of 16. There is no implicit
    padding: pad explicitly (with zeros, which do not change any scale).
    Static shapes are checked by the verifier; dynamic sizes are a runtime
    precondition of the lowering.

    **Numerics** (all in f32; `x` is `input` converted to f32 exactly):

    * `nvfp4` (TransformerEngine's reference quantizer, in its operation
      order): `amax = max|x|` over the tensor; `g = min(2688 / amax, FLT_MAX)`,
      `g = 1` if `g == 0`; `tensor_scale = 1 / g`. Per block:
      `d = e4m3(clamp(min(amax_b / 6 · g, FLT_MAX), ≤ 448))` with E4M3 RNE;
      `e = min(1 / (d · tensor_scale), FLT_MAX)`;
      `value = E2M1(clamp(x · e, −6, 6))`.
    * `mxfp4` (OCP MX): `d = 2^clamp(floor(log2 amax_b) − 2, −127, 127)`;
      `value = E2M1(clamp(x / d, −6, 6))`.
    * `fp4e2m1b`: `d = amax_b / 6 + 1e-9` (f32); `value = E2M1(x / d)`.

    `E2M1` is round-to-nearest-even onto ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}
    (ties 0.25→0, 0.75→1, 1.25→1, 1.75→2, 2.5→2, 3.5→4, 5→4), keeping the
    sign (−0 stays −0). With `rounding = stochastic` a value between two
    neighbouring grid points a < v < b becomes b with probability
    (v − a)/(b − a) (unbiased); the random bits come from a counter-based
    generator keyed by (`seed`, linear element index), so the result does
    not depend on tiling, loop order or thread count. `seed` is required
    with `stochastic` and rejected with `rne`.

    **Zero, NaN and Inf.** An all-zero block gives zero values and a block
    scale of 0 (`nvfp4`), 2^−127 (`mxfp4`, the smallest E8M0) or 1e-9
    (`fp4e2m1b`); no NaN is produced. An all-zero `nvfp4` tensor has
    `tensor_scale = 1 / FLT_MAX` (a subnormal; the lowering must not flush
    subnormals). A NaN anywhere in the tensor makes `nvfp4`'s
    `tensor_scale` NaN (so the whole dequantized tensor is NaN); for `mxfp4`
    and `fp4e2m1b` a NaN makes its block's scale NaN (so that block
    dequantizes to NaN). E2M1 has no NaN: the value code of a NaN element is
    +0. ±Inf saturates: with `nvfp4` the block scale clamps to 448 and the
    element to ±6, with `mxfp4` the scale exponent clamps to 127 and the
    element to ±6 (finite elements of that block or tensor then lose their
    precision, as in the reference quantizers). `fp4e2m1b` follows the
    reference code, which does not handle Inf: a block holding ±Inf gets
    scale +Inf and value codes ±0, so the whole block dequantizes to NaN.

    No folding to the identity exists for `dequantize(quantize(x))`: it is
    *not* `x` (that is the point of the op). `quantize` of a constant with
    `rne` rounding and at most 2^20 elements folds to constants (computed by
    the same recipe); larger constants are left to the lowering.
  }];
  let arguments = (ins
    Metis_HighPrecisionTensor:$input,
    Optional<I64>:$seed,
    Metis_FormatAttr:$format,
    I64Attr:$axis,
    DefaultValuedAttr<Metis_RoundingAttr, "::mlir::metis::Rounding::rne">:$rounding
  );
  let results = (outs
    Metis_FP4Tensor:$values,
    Metis_ScaleTensor:$block_scales,
    Metis_TensorScale:$tensor_scale
  );
  let assemblyFormat = [{
    $input (`seed` $seed^)? attr-dict `:` type($input) `->` type($values) `,`
    type($block_scales) `,` type($tensor_scale)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// DequantizeOp
//===----------------------------------------------------------------------===//

def Metis_DequantizeOp : Metis_Op<"dequantize", [Pure]> {
  let summary = "Decode block-scaled FP4 values to a high-precision tensor";
  let description = [{
    The inverse map of `metis.quantize` (with the same `format` and `axis`):
    `result = value · (block_scale · tensor_scale)`, in f32 with the product
    in that order, then converted (RNE) to the result element type (`f32`,
    `bf16` or `f16`). The operand types and shapes must be exactly those
    `metis.quantize` produces.

    ```mlir
    %y = metis.dequantize %v, %bs, %ts {axis = 1 : i64,
        format = #metis.format<nvfp4>}
        : tensor<128x256xf4E2M1FN>, tensor<128x16xf8E4M3FN>, tensor<f32>
        -> tensor<128x256xf32>
    ```

    NaN scales decode to NaN; zero scales decode to (signed) zero.
    A dequantize of constants with at most 2^20 elements folds to a
    constant.
  }];
  let arguments = (ins
    Metis_FP4Tensor:$values,
    Metis_ScaleTensor:$block_scales,
    Metis_TensorScale:$tensor_scale,
    Metis_FormatAttr:$format,
    I64Attr:$axis
  );
  let results = (outs Metis_HighPrecisionTensor:$result);
  let assemblyFormat = [{
    $values `,` $block_scales `,` $tensor_scale attr-dict `:` type($values) `,`
    type($block_scales) `,` type($tensor_scale) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// ScaledMatmulOp
//===----------------------------------------------------------------------===//

def Metis_ScaledMatmulOp : Metis_Op<"scaled_matmul", [Pure]> {
  let summary = "Block-scaled FP4 matmul C = deq(A) · deq(B)ᵀ";
  let description = [{
    `C[m, n] = Σ_k deq(A)[m, k] · deq(B)[n, k]` with A `M×K` and B `N×K`,
    both quantized along K (the "row.col" form of the tensor cores), where
    `deq` is `metis.dequantize`. An optional leading batch dimension is
    allowed on A, B and C alike (`[Bt, M, K]`, `[Bt, N, K]` → `[Bt, M, N]`).

    ```mlir
    %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt
        {format = #metis.format<nvfp4>}
        : tensor<64x128xf4E2M1FN>, tensor<64x8xf8E4M3FN>, tensor<f32>,
          tensor<32x128xf4E2M1FN>, tensor<32x8xf8E4M3FN>, tensor<f32>
        -> tensor<64x32xf32>
    ```

    Products are exact in f32 (an E2M1·E4M3 product fits in 8 significant
    bits) and are accumulated in f32, in an order the lowering chooses; the
    two tensor scales multiply the accumulated sum. The result is `f32`, or
    `bf16` (f32 result rounded to nearest even).

    `format` must be a 1-D block format: the op consumes the per-row scale
    layout that every format (16×16 tiles included) produces. A and B share
    one format, because the FP4 tensor-core instructions take one scale kind
    for both operands.
  }];
  let arguments = (ins
    Metis_FP4Tensor:$lhs,
    Metis_ScaleTensor:$lhs_scales,
    Metis_TensorScale:$lhs_tensor_scale,
    Metis_FP4Tensor:$rhs,
    Metis_ScaleTensor:$rhs_scales,
    Metis_TensorScale:$rhs_tensor_scale,
    Metis_FormatAttr:$format
  );
  let results = (outs Metis_MatmulResult:$result);
  let assemblyFormat = [{
    $lhs `,` $lhs_scales `,` $lhs_tensor_scale `,` $rhs `,` $rhs_scales `,`
    $rhs_tensor_scale attr-dict `:` type($lhs) `,` type($lhs_scales) `,`
    type($lhs_tensor_scale) `,` type($rhs) `,` type($rhs_scales) `,`
    type($rhs_tensor_scale) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// SpectralSplitOp
//===----------------------------------------------------------------------===//

def Metis_SpectralSplitOp : Metis_Op<"spectral_split",
    [Pure]> {
  let summary = "Randomized SVD of a matrix: dominant part and residual";
  let description = [{
    Splits an `M×N` matrix X into a rank-k part and a residual,
    `X = U·diag(S)·Vᵀ + R`, with U `M×k` (orthonormal columns), S `k`
    (non-negative, non-increasing), Vᵀ `k×N` and R `M×N`, by the randomized
    range finder of Halko, Martinsson and Tropp (2011): a test matrix Ω
    (`sketch`) of width l = min(k + `oversample`, min(M, N)), `power_iters`
    subspace iterations with re-orthonormalization, and an SVD of the small
    projected matrix, truncated to k. R is computed from the unquantized
    factors, so `U·diag(S)·Vᵀ + R` reconstructs X up to f32 rounding.

    ```mlir
    %u, %s, %vt, %r = metis.spectral_split %w seed %seed
        {rank = 16 : i64, oversample = 4 : i64, power_iters = 2 : i64,
         sketch = #metis.sketch<gaussian>}
        : tensor<1024x4096xf32> -> tensor<1024x16xf32>, tensor<16xf32>,
          tensor<16x4096xf32>, tensor<1024x4096xf32>
    ```

    `seed` (an i64 value, runtime or constant) keys a counter-based
    generator; the same input and seed give the same bits. The optional
    `warm_start` operand (`N×l`) replaces the random test matrix by the
    subspace of a previous step (e.g. the previous training step's), and
    then the op has a fifth result, the `N×l` subspace to thread into the
    next step.

    Constraints: `1 ≤ rank < min(M, N)`, `oversample ≥ 0`,
    `power_iters ≥ 0`. The input is `f32` or `bf16`; all results are `f32`
    (the decomposition is always computed in f32).

    The exact algorithm, which every lowering follows, is in
    docs/SpectralSplit.md; in short: the sketch gives a starting right
    subspace (Ω-based sketches run q + 1 subspace iterations, row sampling
    and warm starts q), orthonormalization is Gram–Schmidt twice with
    dependent columns set to zero, and the small SVD is a one-sided Jacobi
    of at most 30 sweeps. Consequences: U's columns and Vt's rows are
    orthonormal where S > 0 and zero where S = 0; an all-zero input gives
    S = 0, U = 0, Vt = 0, R = 0 and no NaN; a rank-r input (r < k) gives
    zero trailing singular values; a NaN or Inf in X gives NaN results (and
    terminates). The same input and seed give the same bits.
  }];
  let arguments = (ins
    Metis_MatrixOperand:$input,
    I64:$seed,
    Optional<RankedTensorOf<[F32]>>:$warm_start,
    I64Attr:$rank,
    DefaultValuedAttr<I64Attr, "4">:$oversample,
    DefaultValuedAttr<I64Attr, "2">:$power_iters,
    DefaultValuedAttr<Metis_SketchAttr, "::mlir::metis::Sketch::gaussian">:$sketch
  );
  let results = (outs
    RankedTensorOf<[F32]>:$u,
    RankedTensorOf<[F32]>:$s,
    RankedTensorOf<[F32]>:$vt,
    RankedTensorOf<[F32]>:$residual,
    Optional<RankedTensorOf<[F32]>>:$subspace
  );
  let assemblyFormat = [{
    $input `seed` $seed (`warm_start` $warm_start^ `:` type($warm_start))?
    attr-dict `:` type($input) `->` type($u) `,` type($s) `,` type($vt) `,`
    type($residual) (`,` type($subspace)^)?
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// SpectralMatmulOp
//===----------------------------------------------------------------------===//

def Metis_SpectralMatmulOp : Metis_Op<"spectral_matmul",
    [Pure, AttrSizedOperandSegments, AttrSizedResultSegments]> {
  let summary = "One training matmul in Metis form: C = Q(A) · Q(B)ᵀ";
  let description = [{
    The composite op one training matmul becomes: `C[m, n] = Σ_k Â[m, k] ·
    B̂[n, k]` with A `M×K`, B `N×K` (optionally with one leading batch
    dimension on both and on C), where each operand X̂ is X quantized as its
    `#metis.operand` policy says — directly, or after a spectral split
    `X = U·diag(S)·Vᵀ + R` in which U, Vᵀ and R are quantized and the
    low-rank branch is computed as small GEMMs. It exists so that policy,
    fusion and cost decisions see the whole matmul; `metis-expand-spectral`
    rewrites it into `metis.spectral_split`, `metis.quantize` and
    `metis.scaled_matmul`.

    ```mlir
    %y = metis.spectral_matmul %x, %w seed %seed {
        lhs_policy = #metis.operand<format = #metis.format<nvfp4>,
                                    role = activation>,
        rhs_policy = #metis.operand<format = #metis.format<nvfp4, 16x16>,
                                    role = weight,
                                    split = #metis.split<rank = 16>>}
        : tensor<512x1024xf32>, tensor<4096x1024xf32> -> tensor<512x4096xf32>
    ```

    Both operands are quantized along K. `seed` is required when an operand
    uses stochastic rounding or a split, and rejected otherwise. Both
    operands must use the same format kind and block size along K (the
    tensor-core instruction takes one scale kind). Splits apply to 2-D
    operands only, with `rank < min(rows, K)`.

    **Warm start.** A split operand X (`rows×K`) may take a starting
    subspace, `lhs_warm_start` / `rhs_warm_start` (`K×l`, l = min(rank +
    oversample, min(rows, K))), instead of its random sketch — typically the
    subspace the same GEMM returned at the previous training step — and the
    op then also returns the new `K×l` subspace (`lhs_subspace` /
    `rhs_subspace`) to thread into the next step; see
    `metis.spectral_split`'s `warm_start`. A warm start runs `power_iters`
    subspace iterations from the given subspace (a random sketch runs
    `power_iters + 1`), so `power_iters = 0` with a warm start costs one
    product with X less than a cold split with `power_iters = 0`.

    ```mlir
    %y, %v = metis.spectral_matmul %g, %w seed %seed
        rhs_warm_start %v0 : tensor<1024x20xf32> {...}
        : tensor<512x1024xf32>, tensor<4096x1024xf32> -> tensor<512x4096xf32>
          rhs_subspace tensor<1024x20xf32>
    ```
  }];
  let arguments = (ins
    Metis_MatrixOperand:$lhs,
    Metis_MatrixOperand:$rhs,
    Optional<I64>:$seed,
    Optional<RankedTensorOf<[F32]>>:$lhs_warm_start,
    Optional<RankedTensorOf<[F32]>>:$rhs_warm_start,
    Metis_OperandPolicyAttr:$lhs_policy,
    Metis_OperandPolicyAttr:$rhs_policy
  );
  let results = (outs
    Metis_MatmulResult:$result,
    Optional<RankedTensorOf<[F32]>>:$lhs_subspace,
    Optional<RankedTensorOf<[F32]>>:$rhs_subspace
  );
  let assemblyFormat = [{
    $lhs `,` $rhs (`seed` $seed^)?
    (`lhs_warm_start` $lhs_warm_start^ `:` type($lhs_warm_start))?
    (`rhs_warm_start` $rhs_warm_start^ `:` type($rhs_warm_start))?
    attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
    (`lhs_subspace` type($lhs_subspace)^)?
    (`rhs_subspace` type($rhs_subspace)^)?
  }];
  let hasVerifier = 1;
}

#endif // METIS_DIALECT_METIS_IR_METISOPS_TD
