"""metis-cpu-gemm's skinny kernel (CPUSkinnyGemm.cpp): strict f32
contractions with one side of at most 64 rows (the spectral split's X·Q and
Qᵀ·X) read the long operand in place, one vector of its long dim per k
step. Checked bit for bit against the sequential float32 oracles of
test_cpu_gemm_f32 (a rounded multiply and add, or one fma, per k step, k
ascending) for: the narrow side as A or B, all four operand layouts (the
long operand unit-stride along its rows: vector loads; along k: register
transposes), edge tiles, a k tail, s = 1 32 and 64, both presets, 2 threads,
and a C initialised from a copy (the residual's form)."""

import ctypes
import subprocess
from pathlib import Path

import numpy as np
import pytest

from metis import compiler, runtime
from testutil import requires_metis_opt, same_bits
from test_cpu_gemm_f32 import module, sequential_fma_oracle, sequential_oracle

pytestmark = requires_metis_opt

LIBOMP = Path("/usr/lib/llvm-22/lib/libomp.so")

LAYOUTS = [("mk", "kn"), ("mk", "nk"), ("km", "kn"), ("km", "nk")]

# M, N, K, isa: the narrow side A (M ≤ 64) or B (N ≤ 64); 16-lane tiles
# with an edge (70, 100, 135) and without (64); K a multiple of the
# 16 (8) k steps of a block or with a tail; s = 1, 32 and 64.
CASES = [(20, 100, 64, "avx512"), (100, 20, 67, "avx512"),
         (1, 70, 72, "avx512"), (135, 32, 83, "avx512"),
         (64, 80, 64, "avx512"), (20, 64, 64, "avx512"),
         (13, 45, 37, "avx2"), (50, 7, 100, "avx2")]


def run(text, pipeline, *args):
    runtime.load(text, (pipeline,)).call("mm", *args)


def operands(m, n, k, a_layout, b_layout, seed):
    rng = np.random.default_rng(seed)
    ash = (m, k) if a_layout == "mk" else (k, m)
    bsh = (k, n) if b_layout == "kn" else (n, k)
    a = rng.standard_normal(ash).astype(np.float32)
    b = rng.standard_normal(bsh).astype(np.float32)
    c0 = rng.standard_normal((m, n)).astype(np.float32)
    return (a, b, c0, a if a_layout == "mk" else a.T,
            b if b_layout == "kn" else b.T)


def skinny_ir(text, isa="avx512"):
    return compiler.opt(text, [
        "--one-shot-bufferize=bufferize-function-boundaries",
        f"--metis-cpu-gemm=isa={isa}"])


@pytest.mark.parametrize("kind", ["generic", "fma"])
@pytest.mark.parametrize("a_layout,b_layout", LAYOUTS)
@pytest.mark.parametrize("m,n,k,isa", CASES)
def test_skinny_bit_exact(m, n, k, isa, a_layout, b_layout, kind):
    text, _, _ = module(m, n, k, a_layout, b_layout, kind)
    a, b, c0, am, bm = operands(m, n, k, a_layout, b_layout, m * n + k)
    oracle = sequential_fma_oracle if kind == "fma" else sequential_oracle
    want = oracle(am, bm, c0)
    c = c0.copy()
    run(text, f"--metis-cpu-pipeline=isa={isa}", a, b, c)
    assert same_bits(c, want)


@pytest.mark.parametrize("a_layout,b_layout", LAYOUTS)
def test_skinny_is_taken(a_layout, b_layout):
    """The modules above run the skinny kernel (no packed panels: its only
    buffers are the narrow operand, k-major, and the C scratch; for a long
    operand with unit-stride k, rowTile's narrow operand is padded to whole
    vectors and there is no scratch), and `skinny=false` gives the BLIS
    nest back."""
    text, _, _ = module(20, 100, 64, a_layout, b_layout, "fma")
    # The long operand is B (100 x 64, "nk": k unit-stride) or its transpose.
    width = 32 if b_layout == "nk" else 20
    packed = f"memref.alloc() {{alignment = 64 : i64}} : memref<64x{width}xf32>"
    out = skinny_ir(text)
    assert packed in out and "memref.prefetch" in out
    assert "linalg." not in out
    blis = compiler.opt(text, [
        "--one-shot-bufferize=bufferize-function-boundaries",
        "--metis-cpu-gemm=isa=avx512 skinny=false"])
    assert packed not in blis and "memref.prefetch" not in blis


@pytest.mark.parametrize("m,n,k", [(65, 100, 64), (100, 65, 64),
                                   (20, 63, 64), (20, 100, 63)])
def test_skinny_not_taken(m, n, k):
    """Both sides wider than 64, the long side or K under 4 vectors: the
    BLIS nest (and still the oracle's bits)."""
    text, _, _ = module(m, n, k, "mk", "nk", "fma")
    assert "memref.prefetch" not in skinny_ir(text)
    a, b, c0, am, bm = operands(m, n, k, "mk", "nk", 3)
    c = c0.copy()
    run(text, "--metis-cpu-pipeline=isa=avx512", a, b, c)
    assert same_bits(c, sequential_fma_oracle(am, bm, c0))


def copy_module(m, n, k):
    """C = C0 + A·B into a fresh buffer: bufferization copies the read-only
    C0 first, and metis-cpu-gemm folds that copy (the split's residual)."""
    text, ash, bsh = module(m, n, k, "mk", "kn", "fma")
    c_t, c_m = f"tensor<{m}x{n}xf32>", f"memref<{m}x{n}xf32>"
    text = text.replace(
        f"%cm: {c_m})", f"%cm: {c_m}, %c0m: {c_m})").replace(
        f"%c = bufferization.to_tensor %cm restrict : {c_m} to {c_t}",
        f"%c = bufferization.to_tensor %c0m restrict : {c_m} to {c_t}")
    return text


@pytest.mark.parametrize("m,n,k", [(100, 20, 80), (20, 100, 80)])
def test_skinny_copy_fold(m, n, k):
    text = copy_module(m, n, k)
    a, b, c0, am, bm = operands(m, n, k, "mk", "kn", 5)
    c = np.full((m, n), np.nan, np.float32)
    run(text, "--metis-cpu-pipeline=isa=avx512", a, b, c, c0)
    assert same_bits(c, sequential_fma_oracle(am, bm, c0))


@pytest.mark.skipif(not LIBOMP.exists(), reason="libomp-22-dev not installed")
@pytest.mark.parametrize("a_layout,b_layout", [("mk", "kn"), ("km", "nk")])
@pytest.mark.parametrize("m,n,k", [(20, 300, 72), (300, 20, 72)])
def test_skinny_threads(m, n, k, a_layout, b_layout):
    """threads > 1: the chunks of the long side are an scf.parallel (one
    per thread for a unit-stride long side, one per tile otherwise)."""
    ctypes.CDLL(str(LIBOMP), mode=ctypes.RTLD_GLOBAL)
    text, _, _ = module(m, n, k, a_layout, b_layout, "fma")
    a, b, c0, am, bm = operands(m, n, k, a_layout, b_layout, 9)
    want = sequential_fma_oracle(am, bm, c0)
    for threads in (2, 3):
        c = c0.copy()
        run(text, f"--metis-cpu-pipeline=isa=avx512 threads={threads}", a, b, c)
        assert same_bits(c, want), threads


def gram_pair_module(m, n, l):
    """−Gᵀ for Gᵀ = Yᵀ·X with Y = X·V (one subspace iteration of the
    spectral split, SpectralSplitToLinalg's emitIteration), the fma-body
    contractions it emits; Y and Gᵀ are internal (fresh buffers, as in the
    split: the negation keeps Gᵀ out of the result argument)."""
    t = lambda r, c: f"tensor<{r}x{c}xf32>"
    mr = lambda r, c: f"memref<{r}x{c}xf32>"
    body = ("  ^bb0(%p: f32, %q: f32, %r: f32):\n"
            "    %f = math.fma %p, %q, %r : f32\n"
            "    linalg.yield %f : f32\n")
    return (
        f"func.func @mm(%xm: {mr(m, n)}, %vm: {mr(n, l)}, %gm: {mr(l, n)}) "
        "attributes {llvm.emit_c_interface} {\n"
        "  %zero = arith.constant 0.0 : f32\n"
        f"  %x = bufferization.to_tensor %xm restrict : {mr(m, n)} to {t(m, n)}\n"
        f"  %v = bufferization.to_tensor %vm restrict : {mr(n, l)} to {t(n, l)}\n"
        f"  %ye = tensor.empty() : {t(m, l)}\n"
        f"  %y0 = linalg.fill ins(%zero : f32) outs(%ye : {t(m, l)}) -> {t(m, l)}\n"
        "  %y = linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b)>, "
        "affine_map<(a, b, c) -> (b, c)>, affine_map<(a, b, c) -> (a, c)>], "
        "iterator_types = [\"parallel\", \"reduction\", \"parallel\"]} "
        f"ins(%x, %v : {t(m, n)}, {t(n, l)}) outs(%y0 : {t(m, l)}) "
        "attrs = {metis.spectral_gemm} {\n" + body + f"  }} -> {t(m, l)}\n"
        f"  %ge = tensor.empty() : {t(l, n)}\n"
        f"  %g0 = linalg.fill ins(%zero : f32) outs(%ge : {t(l, n)}) -> {t(l, n)}\n"
        "  %g = linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b)>, "
        "affine_map<(a, b, c) -> (a, c)>, affine_map<(a, b, c) -> (b, c)>], "
        "iterator_types = [\"reduction\", \"parallel\", \"parallel\"]} "
        f"ins(%y, %x : {t(m, l)}, {t(m, n)}) outs(%g0 : {t(l, n)}) "
        "attrs = {metis.spectral_gemm} {\n" + body + f"  }} -> {t(l, n)}\n"
        f"  %he = tensor.empty() : {t(l, n)}\n"
        "  %h = linalg.generic {indexing_maps = [affine_map<(a, b) -> (a, b)>, "
        "affine_map<(a, b) -> (a, b)>], iterator_types = [\"parallel\", "
        f"\"parallel\"]}} ins(%g : {t(l, n)}) outs(%he : {t(l, n)}) {{\n"
        "  ^bb0(%p: f32, %q: f32):\n"
        "    %f = arith.negf %p : f32\n"
        "    linalg.yield %f : f32\n"
        f"  }} -> {t(l, n)}\n"
        f"  bufferization.materialize_in_destination %h in restrict writable "
        f"%gm : ({t(l, n)}, {mr(l, n)}) -> ()\n"
        "  return\n}\n")


@pytest.mark.parametrize("m,n,l,isa", [(200, 96, 12, "avx512"),
                                       (135, 100, 20, "avx512"),
                                       (256, 64, 64, "avx512"),
                                       (45, 40, 13, "avx2")])
def test_gram_pair_one_pass(m, n, l, isa):
    """Y = X·V and Gᵀ = Yᵀ·X run as one pass over X (emitSkinnyGramPair:
    Y read in place as the second product's narrow operand, so no
    k-major copy of it; docs/CPU.md), with the bits of the two sequential
    oracles one after the other: full and tail tiles of rows (M mod the
    lanes), edge columns (N mod the lanes), l up to 64, both presets; and
    with threads (not fused) the same bits."""
    text = gram_pair_module(m, n, l)

    def after_gemm(options):
        proc = subprocess.run(
            [str(compiler.tool("metis-opt")), f"--metis-cpu-pipeline={options}",
             "--mlir-print-ir-after=metis-cpu-gemm", "-o", "/dev/null"],
            input=text, capture_output=True, text=True, check=True)
        return proc.stderr

    # Y's own buffer, and no k-major copy of it (which the two nests make).
    y_alloc = f"memref.alloc() {{alignment = 64 : i64}} : memref<{m}x{l}xf32>"
    assert after_gemm(f"isa={isa}").count(y_alloc) == 1
    assert after_gemm(f"isa={isa} threads=2").count(y_alloc) == 2
    rng = np.random.default_rng(m + n + l)
    x = rng.standard_normal((m, n)).astype(np.float32)
    v = rng.standard_normal((n, l)).astype(np.float32)
    y = sequential_fma_oracle(x, v, np.zeros((m, l), np.float32))
    want = -sequential_fma_oracle(np.ascontiguousarray(y.T), x,
                                  np.zeros((l, n), np.float32))
    g = np.full((l, n), np.nan, np.float32)
    run(text, f"--metis-cpu-pipeline=isa={isa}", x, v, g)
    assert same_bits(g, want)
    if LIBOMP.exists():
        ctypes.CDLL(str(LIBOMP), mode=ctypes.RTLD_GLOBAL)
        g2 = np.full((l, n), np.nan, np.float32)
        run(text, f"--metis-cpu-pipeline=isa={isa} threads=2", x, v, g2)
        assert same_bits(g2, want)
