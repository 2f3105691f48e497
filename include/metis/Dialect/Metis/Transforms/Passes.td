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

def MetisFuseResidual : Pass<"metis-fuse-residual"> {
  let summary = "Fuse the spectral split's elementwise residual into the "
                "quantization generics that read it (on tensors)";
  let description = [{
    convert-metis-to-linalg lowers the residual R = X − U·diag(S)·Vt of a
    `metis.spectral_split` of rank k ≤ 32 as one elementwise generic tagged
    `metis.residual` (each element x, then k fused multiply-adds in
    ascending order: the bits of the contraction it replaces). When R only
    feeds the generics of a quantization along its rows (the
    `tensor.expand_shape` into blocks and the block-amax and code generics
    of `metis.quantize`, as `metis-expand-spectral` produces them), this
    pass moves the block reshape onto the residual's operands and fuses a
    copy of the residual into each of those generics (upstream
    `linalg::fuseElementwiseOps`, which keep their tags): R is recomputed in
    registers by each pass over it and never stored. At 4096² that saves
    writing and reading 64 MiB and the page faults of a fresh buffer for k
    FMAs per element and pass; the results are bit-identical.

    The rows of Vt that R reads are sliced from a zero-padded copy (a
    `tensor.generate`) when their pitch is an even number of 64-byte lines:
    every vector of R reads one line of each of the k rows, and at a
    power-of-two pitch (N a multiple of 1024) those lines all map to one L1
    set (k = 16 against 12 ways), so each read went to L2.

    A residual with other users, another reshape or a generic that cannot
    take it is left as it is (then vectorized on its own).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def MetisCPUVectorize : Pass<"metis-cpu-vectorize"> {
  let summary = "Tile and vectorize the elementwise generics of metis's FP4 "
                "quantize/dequantize lowering (on tensors)";
  let description = [{
    convert-metis-to-linalg tags the generics of `metis.quantize` and
    `metis.dequantize` (block amax, scale computation, element rounding,
    stochastic-rounding random bits, decode) with the unit attribute
    `metis.elementwise`. This pass tiles each tagged generic on tensors to
    1 x .. x 1 x `vector-width` (the innermost loop; its whole extent when
    that is smaller than the width or not a multiple of it, up to 64) and
    vectorizes the tile with upstream `linalg::vectorize`. A generic whose
    body holds 4 or more `math.fma` (a residual that metis-fuse-residual
    fused in, each element a chain of k dependent FMAs) is tiled 4 rows at
    a time when its first loop is parallel and a multiple of 4: each row's
    vector is computed by its own copy of the body, and the four copies
    are interleaved op by op (list-scheduled along the SSA edges; the body
    is on tensors, without memory effects). The four chains then issue
    side by side, and an operand that does not depend on the row (Vt's
    rows) is read once for all four. Otherwise the innermost loop of more
    than one iteration is unrolled by 4, its copies interleaved the same
    way when at least two unrolled iterations remain.

    The result is bit-identical to the scalar loops: the bodies are
    elementwise IEEE/integer arithmetic (the same ops, one per lane), and
    the only reductions in tagged generics combine with `arith.maximumf`,
    which is exact in any order. A tagged generic with another combiner,
    dynamic shapes or a body upstream cannot vectorize is left unchanged
    (with a remark); it is still correct, only scalar.

    The vectors of `f4E2M1FN` this creates must be stored as one byte per
    code, which LLVM's `<N x i4>` does not do: run
    `metis-lower-f4-vector-access` after bufferization and
    `convert-vector-to-scf` (`metis-cpu-pipeline` does).
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "Lanes of the innermost loop per vector (f32 lanes: 16 for "
           "AVX-512, 8 for AVX2)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def MetisLowerF4VectorAccess : Pass<"metis-lower-f4-vector-access"> {
  let summary = "Rewrite vector loads/stores of f4E2M1FN memrefs as byte "
                "accesses (one code per byte)";
  let description = [{
    A `memref<..xf4E2M1FN>` holds one code per byte (LLVM's `i4` has a
    1-byte alloc size), but LLVM stores a `<N x i4>` vector bit-packed,
    N/2 bytes: lowered as is, a vector load or store of codes would read
    or write the wrong bytes. This pass rewrites every 1-D
    `vector.transfer_read`/`transfer_write` (in bounds, unmasked, along the
    unit-stride innermost dim) and `vector.load`/`vector.store` of f4E2M1FN
    on memrefs into an `llvm.load`/`llvm.store` of `vector<N x i8>` at the
    element's byte address plus `arith.trunci`/`arith.extui` and a bitcast.

    Any other vector access of f4E2M1FN memory is an error: silently wrong
    bytes are not an option. Run it after `convert-vector-to-scf` (which
    leaves 1-D transfers) and before `expand-strided-metadata`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect",
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
    When neither `mr` nor `nr` is given and N ≤ nr − vector-width (e.g. the
    rank-16 products of a spectral split), the tile takes N rounded up to
    whole vectors and as many more rows as keep the accumulator count
    (avx512: 16×16 instead of 8×32), so no column is padding.

    The result equals the generic's up to f32 accumulation order. It is the
    same on every run and for every `threads` count: each C element is
    accumulated by one thread in one fixed order (K blocks of `kc`, k
    ascending within each).

    **f32 contractions** (`f32`, on by default): f32 `linalg.matmul`,
    generics tagged `metis.spectral_gemm` (the spectral split's products)
    and generics whose body is one `math.fma(a, b, c)`
    (metis-expand-spectral's low-rank products) that are 2-D `C[m, n] += A·B` with A indexed (m, k) or (k, m), B (k, n)
    or (n, k) and static shapes go through the same nest without decode.
    Panels are packed with one vector load per k when their rows are the
    unit-stride dim, with 8x8 register transposes when k is, with scalars
    otherwise. They run in *strict* order: the accumulators are loaded from
    C and every k step is a `mulf` then an `addf` (no FMA), so the result
    is bit-identical to the generic's plain loops, whatever the tiling of
    the op before (tests tile the split and compare bits). A generic
    whose body is `math.fma(a, b, c)` runs the same
    strict nest with one `vector.fma` per k step: bit-identical to its
    loops too, at FMA speed. A `memref.copy` into a fresh C right before
    (what bufferization makes of a contraction into a read-only tensor,
    e.g. the split's residual X − U·S·Vt) is folded away: the first K
    block loads its accumulators from the copy's source. Also, f32
    `linalg.matvec` on unit-stride memrefs is computed 8 rows at a time
    (8x8 blocks transposed in registers, same per-element order), and
    `linalg.vecmat` becomes a generic with its reduction loop outermost
    (same order; the inner loop has no carried dependence): the
    Gram–Schmidt of the split otherwise runs one add chain at a time.

    **Threads** (`threads` > 1): when N has at least 4 `nr`-wide B panels
    per thread, the jc loop becomes an `scf.parallel` (each jc block
    allocates its own B and A panel buffers and scratch tile; one parallel
    region per call, no barrier per K block), with `nc` evened out so that
    the number of jc blocks is a multiple of `threads`. For narrower N (the
    spectral split's X·V, say) the B packing and the ic loop of each K
    block become `scf.parallel` instead (each ic block has its own A panel
    buffer and scratch tile, the B panels are shared and read-only), with
    `mc` evened out likewise. Lower them with `convert-scf-to-openmp`
    (`metis-cpu-pipeline{threads=N}` does) and link libomp.

    `isa` picks a preset of tile and block sizes; non-zero options override
    it. The register tile is unrolled, so it is bounded: mr ≤ 64,
    vector-width ≤ 64, nr ≤ 1024 and mr · nr / vector-width ≤ 256
    accumulators; mc, nc, kc ≤ 2^30. Larger values are an error. `avx512`: 8x32 tile, vector<16xf32>, mc/nc/kc = 128/512/512.
    `avx2`: 6x16 tile, vector<8xf32>, mc/nc/kc = 144/1024/256.

    **Epilogue** (`epilogue`, on by default): what directly follows an FP4
    contraction and only updates its C is applied to each C tile in
    registers as the last K block writes it, instead of in further passes
    over C: scaled_matmul's tensor-scale multiply (the in-place generic
    tagged `metis.tensor_scale_epilogue`), then f32 rank-k updates
    `C += A·B` (with `f32`; k ≤ 64, any of the f32 contractions below, A
    and B not aliasing C: metis-expand-spectral's low-rank terms), each j
    by j as its own loops add (one FMA per j for an fma body). Only memory-effect-free ops may lie in between;
    the GEMM then takes the place of the last op it absorbs. The result is
    bit-identical to the separate ops (tests compare bits with
    `epilogue=false`).

    **Low-rank product inside the main GEMM** (with `epilogue`): when a
    rank-k update's A is the result P = Â·Ṽtᵀ of another FP4 contraction
    with the same A (codes and scales; its N at most nr; its own fill and
    tensor-scale epilogue allowed), as metis-expand-spectral emits for a
    split rhs, P is computed inside the main nest: in its first jc block,
    from the main A panels as they are packed (tiles of P over one or,
    when every ic block has an even number of them, two panels, against
    P's own B panel), so Â is not packed once more for it. Every P element
    keeps its own order (K blocks of the same kc, k ascending): the bits
    are those of P's own nest. Only when nothing between the two reads or
    writes P or writes P's inputs (a write to a function argument counts
    unless all of P's inputs are fresh buffers), and not with threads over
    jc blocks (the other blocks would read P before it is complete).

    **Skinny f32 contractions** (`skinny`, on by default): a strict f32
    contraction with one side s ≤ 64 (the split's X·Q and Qᵀ·X, s = k + p)
    and the other t ≥ 4 vectors, whose long operand has a unit stride along
    t or along k, skips the BLIS nest: the long operand is read once, in
    place (no packing). With t unit-stride, one vector of t per k step
    against all s rows of the narrow one, whose C rows accumulate in an
    L1/L2 scratch; with k unit-stride, a few rows of t at a time, their s
    values of C as vectors in registers over all k, one broadcast of the
    long operand per row and k step against the narrow one's k-th row
    (packed k-major, padded to whole vectors). The k steps of each C
    element keep their ascending order: same bits.
    Two skinny products of one split iteration, Y = X·V (X read along k)
    and then Gᵀ = Yᵀ·X over the same X (read along its rows), run as one
    pass over X: per tile of 16 (AVX2: 8) rows of X, its rows of Y, then,
    from L2, its k steps of Gᵀ in register tiles of 6 rows x 4 vectors,
    with Y read in place as the second's narrow operand and Gᵀ accumulated
    in a copy with padded rows. Only with one thread, static row-major
    operands, fresh Y and Gᵀ, and nothing in between that touches Y or
    writes X or V. Same bits as the two nests.

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
           "K block (FP4: rounded down to a multiple of the scale block)">,
    Option<"f32", "f32", "bool", /*default=*/"true",
           "Also rewrite the f32 contractions: linalg.matmul, generics "
           "tagged metis.spectral_gemm and fma-body generics">,
    Option<"epilogue", "epilogue", "bool", /*default=*/"true",
           "Fold the tensor-scale epilogue and the rank-k updates of C that "
           "follow an FP4 contraction into its last write of C">,
    Option<"skinny", "skinny", "bool", /*default=*/"true",
           "Strict f32 contractions with one side of at most 64 rows (the "
           "spectral split's X·Q and Qᵀ·X) read the long operand once, in "
           "place, against all narrow rows at a time; same bits">,
    Option<"threads", "threads", "int64_t", /*default=*/"1",
           "More than 1: the jc loop (wide N) or the B packing and ic loop "
           "(narrow N) become scf.parallel (lower with "
           "convert-scf-to-openmp), their blocks evened out over this many "
           "threads; results do not change">,
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
      split's `rank` k, `oversample`, `power_iters` and `sketch`; the op's
      `lhs_warm_start`/`rhs_warm_start` of X, when given, becomes the
      split's `warm_start`, and the split's `subspace` result replaces the
      op's `lhs_subspace`/`rhs_subspace`. X then
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
        or bf16-rounded; METIS.md §0.6), one f32 contraction accumulating
        `(−Ũ·diag(S))·Ṽt` into X. With f32 factors `R′ = R`
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
    `Ṽt`), otherwise an f32 contraction of the f32 operands (an FP4 one is
    dequantized once). An *f32 contraction* here is a `linalg.generic` over
    loops (m, n, k) whose body is one `math.fma(a, b, acc)` per k step, k
    ascending (not a `linalg.matmul`'s multiply then add: the rank-k updates
    run in the main GEMM's epilogue, where an FMA costs half). With `a` the lhs
    and `b` the rhs, `C` is the sum, in f32, of

    * main: `c_a·c_b · (Â · B̂ᵀ)` (Â, B̂ being R̂ for a split side);
    * rhs split: `(Â · Ṽt_bᵀ) · (c_a · Ũ_b · diag(S′_b))ᵀ`: an `M×k`
      product along K, as it comes out of its scaled_matmul, then an f32
      contraction over k (transposed B) with `Ũ_b`'s columns scaled by
      `S′_b` and `c_a` (`linalg.generic`);
    * lhs split: `(c_b · Ũ_a · diag(S′_a)) · (Ṽt_a · B̂ᵀ)`: a `k×N` product,
      then the scaled `Ũ_a ·` (an f32 contraction). The gains and
      coefficients scale the small factor `Ũ` (`rows×k`) and not the
      product, which metis-cpu-gemm can then compute inside the main GEMM
      from its packed operand;
    * both split: also the core `(Ũ_a · (diag(S′_a) · (Ṽt_a · Ṽt_bᵀ) ·
      diag(S′_b))) · Ũ_bᵀ` through the `k_a×k_b` product.

    The last contraction of each low-rank term accumulates into the running
    sum (the `outs` of its contraction), which starts as the main term
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
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def MetisSpectralize : Pass<"metis-spectralize"> {
  let summary = "Rewrite the matmuls of a linalg-on-tensors training graph "
                "into metis.spectral_matmul by role (W4A4G4 Metis form)";
  let description = [{
    Finds every contraction (any `linalg` op that implements the contraction
    interface: `linalg.matmul`, `linalg.batch_matmul`, `linalg.generic`
    with permuted maps, ...) in each function, classifies it, and rewrites
    the ones the policy selects into `metis.spectral_matmul` (`C = Â·B̂ᵀ`,
    both operands quantized along the GEMM's own reduction axis K,
    METIS.md §0.2). Operands are put into the `[M, K]` / `[N, K]` layout
    with `linalg.transpose` (a transpose that feeds the contraction is
    folded, e.g. `Wᵀ` of torch's `aten.t` becomes W itself), the result is
    transposed back if the contraction's output map asks for it. The full
    rules and measured numbers are in docs/Spectralize.md.

    **Rewritable contractions.** Tensor semantics, static shapes, at most
    one batch and exactly one M, N, K loop, operands indexed by permutations
    of their loops, f32 or bf16 operands of one element type, an f32/bf16
    result and a zero `linalg.fill` init. Any other contraction is left
    unchanged with a warning saying why (dynamic shapes, mixed element
    types, broadcast operands, several M/N/K loops, ...).

    **Roles and classes** (dataflow rules):
    * *Weights* are function arguments marked `metis.role =
      #metis.role<weight>`; in a function where no argument has a
      `metis.role`, every 2-D argument is taken as a weight. Operands are traced to
      arguments through `linalg.transpose`, `tensor.collapse_shape` /
      `expand_shape`, `tensor.cast`, element-wise cast `linalg.generic`s
      and `bufferization.to_tensor`.
    * A 2-D contraction with one weight operand W (torch layout `[out,
      in]`) is W's **Fprop** when it reduces over W's dim 1 and its
      **Dgrad** when it reduces over dim 0; the other operand is an
      activation (Fprop) or a gradient (Dgrad).
    * *Gradients*: arguments marked `gradient`, the non-weight operands of
      Dgrads, and every value computed from them.
    * A 2-D contraction of one gradient and one activation is the **Wgrad**
      of W when its gradient operand is that of W's Dgrad (or its
      activation that of W's Fprop) and its result has W's shape or its
      transpose.
    * A batched contraction without weights is **attention**; everything
      else is **other** and is never rewritten by a preset.
    * *Layers*: `metis.layer = i : i64` on a weight argument, else the
      weight's ordinal among the weights in argument order. The **lm head**
      is the argument marked `metis.lm_head`, else the last weight argument
      when it has no `metis.layer` and its dim 0 (the vocabulary) is larger
      than every other weight's.

    **Presets** (`preset`; NVFP4 1x16 blocks, RNE on weights and
    activations, `gradient-rounding` — stochastic by default — on
    gradients, for all):
    * `metis` (default): weights and gradients split at `rank` (16), FP4
      factors, 4 oversampling columns, 2 power iterations, Gaussian sketch,
      exact residual.
    * `nvfp4`: no split (the plain NVFP4 baseline).
    * `nvidia-recipe` (METIS.md §5.2): weights in 16x16 tiles; the random
      Hadamard transform (16x16, TransformerEngine's sign vector, scaled by
      1/4) on both Wgrad operands along K (`hadamard=auto`); the last
      `ceil(0.15 · layers)` layers unquantized (when `skip-last-layers` is
      -1).
    * `none`: classify only (with `remarks`), rewrite nothing.

    Every preset keeps attention (`include-attention`) and the lm head
    (`include-lm-head`) unquantized and skips `skip-first-layers` /
    `skip-last-layers` layers and contractions with `min(M, N, K) <
    min-size`. K must be a multiple of 16; a split is dropped (and said so
    in the remark) for batched operands, when `rank >= min(rows, K)` or when
    the operand's rows are not a multiple of 16 (the FP4 factor U is blocked
    along them); 16x16 weight tiles fall back to 1x16 when the rows do not
    tile.

    **Overrides.** A `metis.policy` string attribute on a function or a
    contraction selects a preset for it (`"none"` leaves an op alone); a
    dictionary `metis.policy = {lhs = #metis.operand<...>, rhs =
    #metis.operand<...>}` on a contraction rewrites it with exactly those
    policies, whatever its class.

    **Seeds.** An op that needs one (stochastic rounding or a split) gets
    `s XOR c_i`, with `s` the function's i64 argument marked `metis.seed`
    (when there is one) or 0, and `c_i` a constant derived (splitmix64) from
    the pass's `seed` and the contraction's index i in the function.

    **Remarks.** With `remarks=true` every contraction gets a remark with
    its class, layer, M×N×K, operand roles and the decision (the policies
    used, or why it was left unchanged). `strip-annotations` removes the
    `metis.role` / `metis.layer` / `metis.lm_head` / `metis.seed` /
    `metis.policy` attributes afterwards (`metis-train-cpu` does, so that
    the LLVM translation does not see them). Running the pass twice changes
    nothing the second time.
  }];
  let options = [
    Option<"preset", "preset", "std::string", /*default=*/"\"metis\"",
           "Policy preset: metis, nvfp4, nvidia-recipe or none">,
    Option<"rank", "rank", "int64_t", /*default=*/"16",
           "Rank of the weight and gradient splits (metis preset)">,
    Option<"gradientRounding", "gradient-rounding", "std::string",
           /*default=*/"\"\"",
           "Rounding of gradient operands: stochastic (default) or rne">,
    Option<"hadamard", "hadamard", "std::string", /*default=*/"\"auto\"",
           "Random Hadamard transform on the Wgrad operands: auto (with "
           "nvidia-recipe), on or off">,
    Option<"skipFirstLayers", "skip-first-layers", "int64_t",
           /*default=*/"0", "Leave the first N layers unquantized">,
    Option<"skipLastLayers", "skip-last-layers", "int64_t",
           /*default=*/"-1",
           "Leave the last N layers unquantized (-1: the preset's choice)">,
    Option<"minSize", "min-size", "int64_t", /*default=*/"0",
           "Leave contractions with min(M, N, K) below this unquantized">,
    Option<"includeAttention", "include-attention", "bool",
           /*default=*/"false", "Quantize attention contractions too">,
    Option<"includeLmHead", "include-lm-head", "bool", /*default=*/"false",
           "Quantize the lm head's GEMMs too">,
    Option<"seed", "seed", "int64_t", /*default=*/"0",
           "Base of the per-contraction seed constants">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Emit a remark with each contraction's class and decision">,
    Option<"stripAnnotations", "strip-annotations", "bool",
           /*default=*/"false",
           "Remove the metis.* role/layer/policy annotations afterwards">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::metis::MetisDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // METIS_DIALECT_METIS_TRANSFORMS_PASSES_TD
