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

def MetisCPUScaledGemm : Pass<"metis-cpu-gemm"> {
  let summary = "Rewrite tagged FP4 scaled contractions on memrefs into a "
                "BLIS-style CPU GEMM with the FP4 decode fused into packing";
  let description = [{
    Rewrites every memref `linalg.generic` carrying the
    `metis.scaled_contraction = #metis.format<...>` attribute (the blocked
    contraction `C[.., m, n] += Σ_{kb,ki} deq(A)[.., m, kb, ki] ·
    deq(B)[.., n, kb, ki]` that convert-metis-to-linalg produces, after
    bufferization) into a BLIS-style loop nest: jc (N) → pc (K) → ic (M)
    blocks; B and A packed into contiguous panels of decoded f32 values
    (E2M1 code · block scale, decoded with vector arithmetic while packing:
    the decode costs O(MK·N/nc + NK)); an `mr`×`nr` register tile of
    `vector.fma` on `vector<vector-width x f32>` accumulators. Panels are
    padded past the M/N edges; edge tiles run the same kernel and write back
    only their valid part. A `linalg.fill` of C right before is folded into
    the first K block; expand_shape views of the codes are read through.

    The result equals the generic's up to f32 accumulation order. It is the
    same on every run, and would stay so with the jc or ic loop split over
    threads (each C element is accumulated in one fixed order).

    `isa` picks a preset of tile and block sizes; non-zero options override
    it. The register tile is unrolled, so it is bounded: mr ≤ 64,
    vector-width ≤ 64, nr ≤ 1024 and mr · nr / vector-width ≤ 256
    accumulators; mc, nc, kc ≤ 2^30. Larger values are an error. `avx512`: 8x32 tile, vector<16xf32>, mc/nc/kc = 128/512/512.
    `avx2`: 6x16 tile, vector<8xf32>, mc/nc/kc = 144/1024/256.

    Dynamic strides are compared with the row-major ones at run time: the
    fast version then uses them statically (one vector load per row and
    scale block of codes, vector access to C); otherwise the same nest runs
    on the dynamic strides with scalar code loads (and scalar C accesses if
    C's innermost stride is not 1). Tagged generics with dynamic shapes or
    an unexpected form are left unchanged with a remark.
  }];
  let options = [
    Option<"isa", "isa", "std::string", /*default=*/"\"avx512\"",
           "Preset of tile/block sizes: avx512 or avx2">,
    Option<"mr", "mr", "int64_t", /*default=*/"0", "Register tile rows">,
    Option<"nr", "nr", "int64_t", /*default=*/"0",
           "Register tile columns (a multiple of vector-width)">,
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"0",
           "f32 lanes per accumulator vector">,
    Option<"mc", "mc", "int64_t", /*default=*/"0", "M block (rows of A per pack)">,
    Option<"nc", "nc", "int64_t", /*default=*/"0", "N block (rows of B per pack)">,
    Option<"kc", "kc", "int64_t", /*default=*/"0",
           "K block (rounded down to a multiple of the scale block)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def MetisExpandSpectral : Pass<"metis-expand-spectral"> {
  let summary = "Expand metis.spectral_matmul into spectral_split, FP4 "
                "quantize/scaled_matmul and small low-rank GEMMs";
  let description = [{
    Rewrites every `metis.spectral_matmul %a, %b seed %s {lhs_policy,
    rhs_policy}` (`C = Â·B̂ᵀ`, a `M×K`, b `N×K`, an optional leading batch
    dimension when neither operand is split) into `metis.spectral_split`,
    `metis.quantize`, `metis.dequantize`, `metis.scaled_matmul` and small
    linalg ops. The low-rank branch of a split operand is computed as real
    small GEMMs (about `k·(K + N)/(K·N)` of the main GEMM per split side),
    never by rebuilding the dense operand (METIS.md §0.7).

    **Operands.** Let `F` be an operand's format, `r` its rounding and `F₁`
    `F` with 1-D blocks (`#metis.format<nvfp4>` for 16×16 tiles; the scale
    layout is the same).

    * Unsplit X: `X̂ = quantize(X, axis = last (K), F, r)`.
    * Split X (2-D, `rows×K`): `(U, S, Vt, R) = spectral_split(X)` with the
      split's `rank` k, `oversample`, `power_iters` and `sketch`. X then
      enters the product as `X̂ = c·R̂ + Ũ·diag(S′)·Ṽt` with:
      * `factors = fp4`: `Ṽt = quantize(Vt, axis 1 (K), F₁, r)`, used as an
        FP4 operand of scaled matmuls along K; `Ũ = dequantize(quantize(U,
        axis 0 (rows), F₁, r))` in f32 (U is blocked along its rows, as the
        reference quantizes Uᵀ along its long dimension). `rows` must be a
        multiple of the block size: when a static size is not, the pass
        reports an error on the op and fails (dynamic sizes are checked at
        run time by the quantize lowering). `Vt`'s K is divisible by the
        op's verifier.
      * `factors = bf16`: `Ũ`, `Ṽt` are U, Vt rounded to bf16 and extended
        back (`arith.truncf` + `arith.extf` in a `linalg.generic`); the
        low-rank GEMMs run in f32.
      * `factors = f32`: `Ũ = U`, `Ṽt = Vt`.
      * `residual = exact`: R from the split (against the unquantized
        factors, the reference). `residual = compensated`: `R′ = X −
        Ũ·diag(S)·Ṽt` against the factors as they are used (dequantized FP4
        or bf16-rounded; METIS.md §0.6), one f32 `linalg.matmul`
        accumulating `(−Ũ·diag(S))·Ṽt` into X. With f32 factors `R′ = R`
        and R is used.
      * `R̂ = quantize(R or R′, axis 1 (K), F, r)` replaces X̂ in the main
        GEMM (F's own block shape, 16×16 tiles included).
      * `gain = none`: `S′ = S`, `c = 1`. `gain = reference` (the effective
        gains of the reference code's `ysche`, METIS.md §3): `S′ᵢ = Sᵢ` for
        i < 5, `0.5·Sᵢ` for i ≥ 5, and `c = 2`. (The reference quantizes
        `X − U·diag(S″)·Vᵀ` with its modified `S″`; before quantization
        both are the same matrix, metis quantizes the true residual.)
        `gain = smooth`: `S′ᵢ = 2Sᵢ / (1 + Sᵢ/S₀)` with S₀ the largest
        singular value (`S′ = 0` when `S₀ = 0`), and `c = 2`, the limit of
        the rule for σ ≪ σ₁. This is metis's reading of a formula reported
        as the paper's rule by a third party and not verified against the
        paper.
      S itself is never quantized; the gains apply to the low-rank branch,
      `c` to the residual term.

    **Products.** A product `P·Qᵀ` along K is one `metis.scaled_matmul`
    (f32 result, format `F₁`) when both P and Q are FP4 (X̂, R̂ or an fp4
    `Ṽt`), otherwise an f32 `linalg.matmul` with transposed-B indexing maps
    of the f32 operands (an FP4 one is dequantized once). With `a` the lhs
    and `b` the rhs, `C` is the sum, in f32, of

    * main: `c_a·c_b · (Â · B̂ᵀ)` (Â, B̂ being R̂ for a split side);
    * rhs split: `c_a · ((Â · Ṽt_bᵀ) · diag(S′_b)) · Ũ_bᵀ`: an `M×k` product
      along K, its columns scaled by `S′_b` (`linalg.generic`), then an f32
      contraction over k (`linalg.matmul`, transposed B);
    * lhs split: `c_b · Ũ_a · (diag(S′_a) · (Ṽt_a · B̂ᵀ))`: a `k×N` product,
      rows scaled, then `Ũ_a ·` (`linalg.matmul`);
    * both split: also the core `(Ũ_a · (diag(S′_a) · (Ṽt_a · Ṽt_bᵀ) ·
      diag(S′_b))) · Ũ_bᵀ` through the `k_a×k_b` product.

    The last contraction of each low-rank term accumulates into the running
    sum (the `outs` of its `linalg.matmul`), which starts as the main term
    (times `c_a·c_b` in a `linalg.generic` when that is not 1). A bf16
    result is the f32 sum rounded once at the end (`arith.truncf`). With no
    split on either side the expansion is two quantizes and one
    `metis.scaled_matmul` with the op's result type (batched allowed).
    Dynamic sizes are supported (`tensor.dim`).

    **Seeds.** The op has one i64 seed; every random use gets its own
    `seed XOR (tag · 0x9E3779B97F4A7C15 mod 2^64)` (`arith.xori` with a
    constant), with tags 1: lhs `spectral_split`, 2: rhs `spectral_split`,
    3: lhs quantize (X̂ or R̂), 4: rhs quantize, 5: lhs U quantize, 6: lhs
    Vt quantize, 7: rhs U quantize, 8: rhs Vt quantize. The multiplier is
    odd, so distinct tags give distinct seeds; tag 1's constant is the
    Python API's `SEED_B_XOR`. Quantizes with `rne` get no seed.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // METIS_DIALECT_METIS_TRANSFORMS_PASSES_TD
