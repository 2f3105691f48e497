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


@pytest.mark.parametrize("kind", ["generic", "matmul"])
def test_f32_gemm_is_rewritten(kind):
    """The modules above do run the kernel, not the plain loops."""
    text, _, _ = module(37, 45, 29, "mk", "nk", kind)
    out = compiler.opt(text, ["--one-shot-bufferize=bufferize-function-boundaries",
                              "--metis-cpu-gemm=isa=avx2"])
    assert "linalg." not in out and "vector<8xf32>" in out
