"""metis-cpu-gemm on f32 contractions (linalg.matmul and generics tagged
metis.spectral_gemm, the spectral split's products) through
metis-cpu-pipeline: bit-identical to the sequential float32 oracle
C = fl(C + fl(A[:, k]·B[k, :])) for k ascending (numpy, one rounded
multiply and one rounded add per step), for every operand layout, edge
tiles, several K blocks and both presets."""

import numpy as np
import pytest

from metis import compiler, runtime
from testutil import requires_metis_opt

pytestmark = requires_metis_opt


def module(m, n, k, a_layout, b_layout, kind):
    ash = (m, k) if a_layout == "mk" else (k, m)
    bsh = (k, n) if b_layout == "kn" else (n, k)
    t = lambda s: "tensor<%dx%dxf32>" % s
    mr = lambda s: "memref<%dx%dxf32>" % s
    maps = (f"[affine_map<(m, n, k) -> ({', '.join(a_layout)})>, "
            f"affine_map<(m, n, k) -> ({', '.join(b_layout)})>, "
            "affine_map<(m, n, k) -> (m, n)>]")
    ins = f"ins(%a, %b : {t(ash)}, {t(bsh)}) outs(%c : {t((m, n))})"
    if kind == "generic":
        op = (f"linalg.generic {{indexing_maps = {maps}, iterator_types = "
              f"[\"parallel\", \"parallel\", \"reduction\"]}} {ins} "
              "attrs = {metis.spectral_gemm} {\n"
              "  ^bb0(%x: f32, %y: f32, %z: f32):\n"
              "    %p = arith.mulf %x, %y : f32\n"
              "    %s = arith.addf %z, %p : f32\n"
              "    linalg.yield %s : f32\n"
              f"  }} -> {t((m, n))}")
    elif kind == "fma":  # the spectral split's products
        op = (f"linalg.generic {{indexing_maps = {maps}, iterator_types = "
              f"[\"parallel\", \"parallel\", \"reduction\"]}} {ins} "
              "attrs = {metis.spectral_gemm} {\n"
              "  ^bb0(%x: f32, %y: f32, %z: f32):\n"
              "    %s = math.fma %x, %y, %z : f32\n"
              "    linalg.yield %s : f32\n"
              f"  }} -> {t((m, n))}")
    else:
        op = f"linalg.matmul indexing_maps = {maps} {ins} -> {t((m, n))}"
    text = (
        f"func.func @mm(%am: {mr(ash)}, %bm: {mr(bsh)}, %cm: {mr((m, n))}) "
        "attributes {llvm.emit_c_interface} {\n"
        f"  %a = bufferization.to_tensor %am restrict : {mr(ash)} to {t(ash)}\n"
        f"  %b = bufferization.to_tensor %bm restrict : {mr(bsh)} to {t(bsh)}\n"
        f"  %c = bufferization.to_tensor %cm restrict : {mr((m, n))} to {t((m, n))}\n"
        f"  %r = {op}\n"
        f"  bufferization.materialize_in_destination %r in restrict writable "
        f"%cm : ({t((m, n))}, {mr((m, n))}) -> ()\n"
        "  return\n}\n")
    return text, ash, bsh


def sequential_oracle(a, b, c):
    out = c.copy()
    for k in range(a.shape[1]):
        out = out + np.multiply.outer(a[:, k], b[k, :])
    return out


def fma_f32(a, b, c):
    """fl32(a·b + c) with one rounding, elementwise, in numpy: the product
    of two floats is exact in float64; TwoSum gives the float64 sum and its
    exact error; rounding that sum to odd (the neighbour with an odd last
    bit when inexact) and then to float32 rounds correctly, as float64 has
    more than 24 + 2 bits."""
    p = a.astype(np.float64) * b.astype(np.float64)
    c = c.astype(np.float64)
    s = p + c
    bp = s - c
    err = (p - bp) + (c - (s - bp))
    even = (s.view(np.uint64) & 1) == 0
    nudge = (err != 0) & even
    s = np.where(nudge, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)
    return s.astype(np.float32)


def sequential_fma_oracle(a, b, c):
    out = c.copy()
    for k in range(a.shape[1]):
        out = fma_f32(a[:, k][:, None], b[k, :][None, :], out)
    return out


def test_fma_oracle_rounds_once():
    # a·b + c = 1 + 2^-24 + 2^-70: just above a float32 tie. One rounding
    # gives 1 + 2^-23; rounding to float64 first (to the tie 1 + 2^-24)
    # and then to float32 (ties to even) would give 1.
    a = np.array([-2.0**-12 * (1 + 2.0**-23)], np.float32)
    b = np.array([2.0**-12 * (1 - 2.0**-23)], np.float32)
    c = np.array([1 + 2.0**-23], np.float32)
    naive = (a.astype(np.float64) * b + c).astype(np.float32)[0]
    assert naive == np.float32(1.0)
    assert fma_f32(a, b, c)[0] == np.float32(1 + 2.0**-23)
    # 1 - 2^-24 + 2^-70 is just above a float32: rounds down to it.
    assert fma_f32(a, b, np.array([1.0], np.float32))[0] == \
        np.float32(1 - 2.0**-24)


CASES = [  # M, N, K, isa
    (37, 45, 29, "avx2"), (6, 16, 8, "avx2"), (100, 40, 300, "avx2"),
    (1, 1, 1, "avx2"), (64, 33, 257, "avx512"), (150, 20, 520, "avx2")]


@pytest.mark.parametrize("kind", ["generic", "matmul"])
@pytest.mark.parametrize("a_layout,b_layout",
                         [("mk", "kn"), ("mk", "nk"), ("km", "kn"), ("km", "nk")])
@pytest.mark.parametrize("m,n,k,isa", CASES)
def test_f32_gemm_bit_exact(m, n, k, isa, a_layout, b_layout, kind):
    text, ash, bsh = module(m, n, k, a_layout, b_layout, kind)
    rng = np.random.default_rng(m * 1000 + n * 10 + k)
    a = rng.standard_normal(ash).astype(np.float32)
    b = rng.standard_normal(bsh).astype(np.float32)
    c0 = rng.standard_normal((m, n)).astype(np.float32)
    want = sequential_oracle(a if a_layout == "mk" else a.T,
                             b if b_layout == "kn" else b.T, c0)
    c = c0.copy()
    runtime.load(text, (f"--metis-cpu-pipeline=isa={isa}",)).call("mm", a, b, c)
    assert np.array_equal(c.view(np.uint32), want.view(np.uint32))


@pytest.mark.parametrize("a_layout,b_layout", [("mk", "kn"), ("km", "nk")])
@pytest.mark.parametrize("m,n,k,isa", CASES)
def test_f32_fma_gemm_bit_exact(m, n, k, isa, a_layout, b_layout):
    """math.fma bodies (the split's products) run as one FMA per k step,
    k ascending: bit-identical to the sequential correctly rounded fma."""
    text, ash, bsh = module(m, n, k, a_layout, b_layout, "fma")
    rng = np.random.default_rng(m * 1000 + n * 10 + k + 1)
    a = rng.standard_normal(ash).astype(np.float32)
    b = rng.standard_normal(bsh).astype(np.float32)
    c0 = rng.standard_normal((m, n)).astype(np.float32)
    want = sequential_fma_oracle(a if a_layout == "mk" else a.T,
                                 b if b_layout == "kn" else b.T, c0)
    for pipeline in (f"--metis-cpu-pipeline=isa={isa}",
                     "--metis-cpu-pipeline=isa=none"):
        c = c0.copy()
        runtime.load(text, (pipeline,)).call("mm", a, b, c)
        assert np.array_equal(c.view(np.uint32), want.view(np.uint32)), pipeline


@pytest.mark.parametrize("kind", ["generic", "matmul", "fma"])
def test_f32_gemm_is_rewritten(kind):
    """The modules above do run the kernel, not the plain loops."""
    text, _, _ = module(37, 45, 29, "mk", "nk", kind)
    out = compiler.opt(text, ["--one-shot-bufferize=bufferize-function-boundaries",
                              "--metis-cpu-gemm=isa=avx2"])
    assert "linalg." not in out and "vector<8xf32>" in out


def vector_module(kind, rows, k):
    """linalg.matvec c[i] += Σ_k a[i, k]·v[k] or linalg.vecmat
    o[n] += Σ_i w[i]·a[i, n], rows dynamic as in the Gram–Schmidt."""
    a_t, a_m = f"tensor<?x{k}xf32>", f"memref<?x{k}xf32>"
    if kind == "matvec":
        x_t, x_m, o_t, o_m = (f"tensor<{k}xf32>", f"memref<{k}xf32>",
                              "tensor<?xf32>", "memref<?xf32>")
        ins = f"ins(%a, %x : {a_t}, {x_t})"
    else:
        x_t, x_m, o_t, o_m = ("tensor<?xf32>", "memref<?xf32>",
                              f"tensor<{k}xf32>", f"memref<{k}xf32>")
        ins = f"ins(%x, %a : {x_t}, {a_t})"
    return (
        f"func.func @mv(%am: {a_m}, %xm: {x_m}, %om: {o_m}) "
        "attributes {llvm.emit_c_interface} {\n"
        f"  %a = bufferization.to_tensor %am restrict : {a_m} to {a_t}\n"
        f"  %x = bufferization.to_tensor %xm restrict : {x_m} to {x_t}\n"
        f"  %o = bufferization.to_tensor %om restrict : {o_m} to {o_t}\n"
        f"  %r = linalg.{kind} {ins} outs(%o : {o_t}) -> {o_t}\n"
        f"  bufferization.materialize_in_destination %r in restrict writable "
        f"%om : ({o_t}, {o_m}) -> ()\n"
        "  return\n}\n")


@pytest.mark.parametrize("kind", ["matvec", "vecmat"])
@pytest.mark.parametrize("rows,k", [(20, 1024), (8, 8), (3, 5), (17, 13),
                                    (68, 100)])
def test_matvec_vecmat_bit_exact(kind, rows, k):
    """metis-cpu-gemm's matvec (8x8 register transposes) and vecmat
    (reduction loop outermost) keep the sequential order of the loops."""
    rng = np.random.default_rng(rows * 100 + k)
    a = rng.standard_normal((rows, k)).astype(np.float32)
    x = rng.standard_normal(k if kind == "matvec" else rows).astype(np.float32)
    o0 = rng.standard_normal(rows if kind == "matvec" else k).astype(np.float32)
    want = o0.copy()
    for j in range(k if kind == "matvec" else rows):
        want = want + (a[:, j] * x[j] if kind == "matvec" else x[j] * a[j, :])
    o = o0.copy()
    text = vector_module(kind, rows, k)
    runtime.load(text, ("--metis-cpu-pipeline=isa=avx2",)).call("mv", a, x, o)
    assert np.array_equal(o.view(np.uint32), want.view(np.uint32))
    out = compiler.opt(text, ["--one-shot-bufferize=bufferize-function-boundaries",
                              "--metis-cpu-gemm=isa=avx2"])
    assert f"linalg.{kind}" not in out
    if kind == "matvec":
        assert "vector.shuffle" in out
