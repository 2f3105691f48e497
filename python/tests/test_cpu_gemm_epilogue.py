"""metis-cpu-gemm's epilogue: the tensor-scale multiply of scaled_matmul and
the rank-k updates of metis-expand-spectral's low-rank terms, applied to
each C tile as the FP4 GEMM writes it, give the bits of the same ops run as
passes of their own (metis-cpu-pipeline{gemm-epilogue=false}), for edge
tiles, several K blocks, both presets, batches, each split side, bf16
factors, a gain (whose scaling between the GEMM and its update stops the
fusion after the tensor scale), warm starts and threads. The unfused ops are
themselves checked against numpy oracles (test_cpu_gemm.py,
test_cpu_gemm_f32.py, test_spectral_matmul.py); which ops the GEMM takes
is checked by test/Transforms/cpu-gemm-epilogue*.mlir."""

import ctypes
from pathlib import Path

import numpy as np
import pytest

from metis import api, runtime
from testutil import requires_metis_opt, same_bits, spiked

pytestmark = requires_metis_opt

LIBOMP = Path("/usr/lib/llvm-22/lib/libomp.so")


def pipelines(isa, threads=1):
    fused = f"--metis-cpu-pipeline=isa={isa} threads={threads}"
    return fused, f"--metis-cpu-pipeline=isa={isa} gemm-epilogue=false"


@pytest.mark.parametrize("isa", ["avx2", "avx512"])
@pytest.mark.parametrize("a_shape,b_shape,fmt", [
    ((40, 1056), (80, 1056), "nvfp4"),     # edge tiles, 3 K blocks (avx2)
    ((3, 20, 64), (3, 24, 64), "mxfp4"),   # batched: the tensor scale only
    ((8, 32), (32, 32), "nvfp4")])
def test_scaled_matmul_tensor_scale(isa, a_shape, b_shape, fmt):
    text = api._scaled_matmul_module(a_shape, b_shape, fmt, "rne", "rne")
    rng = np.random.default_rng(len(a_shape) + a_shape[-1])
    a = (rng.standard_normal(a_shape) * 3).astype(np.float32)
    b = (rng.standard_normal(b_shape) / 7).astype(np.float32)
    c_shape = a_shape[:-1] + (b_shape[-2],)
    out = []
    for p in pipelines(isa):
        c = np.full(c_shape, np.nan, np.float32)
        runtime.load(text, (p,)).call("scaled_matmul", a, b, c, 0, 0)
        out.append(c)
    assert same_bits(*out)


SPLITS = [  # split, factors, residual, gain, rank
    ("b", "fp4", "exact", "none", 16),
    ("a", "fp4", "compensated", "none", 8),
    ("both", "fp4", "exact", "none", 16),
    ("b", "bf16", "exact", "none", 8),
    ("b", "fp4", "exact", "reference", 16)]


def fused_matches_unfused(text, isa, m, n, k, seed):
    """spectral_matmul of spiked operands through both pipelines: finite,
    and the same bits."""
    rng = np.random.default_rng(seed)
    a, b = spiked(rng, m, k, 5), spiked(rng, n, k, 9)
    out = []
    for p in pipelines(isa):
        c = np.full((m, n), np.nan, np.float32)
        runtime.load(text, ("--metis-expand-spectral", p)).call(
            "spectral_matmul", a, b, c, 5)
        out.append(c)
    assert np.isfinite(out[0]).all()
    assert same_bits(*out)


@pytest.mark.parametrize("isa", ["avx2", "avx512"])
@pytest.mark.parametrize("split,factors,residual,gain,rank", SPLITS)
def test_spectral_matmul_updates(isa, split, factors, residual, gain, rank):
    m, n, k = 48, 80, 1056
    text = api._spectral_matmul_module(
        (m, k), (n, k), split, rank, 4, 1, "gaussian", "nvfp4", factors,
        residual, gain, "rne", "rne")
    fused_matches_unfused(text, isa, m, n, k, seed=rank)


@pytest.mark.parametrize("m,rank", [(45, 16), (13, 8), (160, 16)])
def test_low_rank_product_in_main_gemm(m, rank):
    """The split's Â·Ṽtᵀ computed inside the main GEMM (from its packed A
    panels, test/Transforms/cpu-gemm-sibling.mlir) with rows that are not
    a multiple of its 8-row tiles, several K blocks, a rank below the
    vector width, and (M = 160) 16-row tiles over two ic blocks: the bits
    of its own nest."""
    n, k = 48, 1056
    text = api._spectral_matmul_module(
        (m, k), (n, k), "b", rank, 4, 1, "gaussian", "nvfp4", "fp4", "exact",
        "none", "rne", "rne")
    fused_matches_unfused(text, "avx512", m, n, k, seed=m)


def test_warm_start_and_threads():
    """Warm-started split of b; the fused GEMM on 2 threads against the
    unfused one on 1."""
    if not LIBOMP.exists():
        pytest.skip("libomp-22-dev not installed")
    ctypes.CDLL(str(LIBOMP), mode=ctypes.RTLD_GLOBAL)
    m, n, k = 72, 96, 512
    l = api._sketch_width(n, k, 16, 4)
    warm = ("", api._ty("memref", (k, l), "f32"))
    text = api._spectral_matmul_module(
        (m, k), (n, k), "b", 16, 4, 1, "gaussian", "nvfp4", "fp4", "exact",
        "none", "rne", "rne", warm)
    rng = np.random.default_rng(3)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((n, k)).astype(np.float32)
    w = rng.standard_normal((k, l)).astype(np.float32)
    out = []
    for p in pipelines("avx512", threads=2):
        c = np.full((m, n), np.nan, np.float32)
        sub = np.empty((k, l), np.float32)
        runtime.load(text, ("--metis-expand-spectral", p)).call(
            "spectral_matmul", a, b, c, w, sub, 11)
        out += [c, sub]
    assert same_bits(out[0], out[2]) and same_bits(out[1], out[3])
