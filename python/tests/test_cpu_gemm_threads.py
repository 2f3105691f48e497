"""metis-cpu-pipeline{threads=N}: the GEMM kernel on an OpenMP team gives
the same bits for every thread count, and those bits are right (f32:
the sequential float32 oracle; nvfp4: the public API, itself checked
against the numpy oracle in test_api.py, and float64 numpy of the oracle's
dequantization). The modules call libomp, loaded here with RTLD_GLOBAL."""

import ctypes
from pathlib import Path

import numpy as np
import pytest

from metis import api, reference, runtime
from testutil import requires_metis_opt
from test_cpu_gemm_f32 import module, sequential_oracle

LIBOMP = Path("/usr/lib/llvm-22/lib/libomp.so")
pytestmark = [requires_metis_opt,
              pytest.mark.skipif(not LIBOMP.exists(),
                                 reason="libomp-22-dev not installed")]


@pytest.fixture(scope="module", autouse=True)
def libomp():
    ctypes.CDLL(str(LIBOMP), mode=ctypes.RTLD_GLOBAL)


def pipeline(threads):
    # isa=auto, as the API: the FP4 bits depend on the preset's kc.
    return (f"--metis-cpu-pipeline=threads={threads}",)


# Narrow N (< 4 B panels of 32 per thread): the threads share the ic
# blocks of each K block; wide N (400, 544): each takes whole jc blocks,
# evened out (partial last block and panel included).
@pytest.mark.parametrize("m,n,k", [(37, 45, 29), (300, 70, 600), (5, 3, 2),
                                   (37, 400, 29)])
def test_f32_threads_bit_exact(m, n, k):
    text, ash, bsh = module(m, n, k, "mk", "nk", "matmul")
    rng = np.random.default_rng(m + n + k)
    a = rng.standard_normal(ash).astype(np.float32)
    b = rng.standard_normal(bsh).astype(np.float32)
    c0 = rng.standard_normal((m, n)).astype(np.float32)
    want = sequential_oracle(a, b.T, c0)
    for threads in (2, 3):
        c = c0.copy()
        runtime.load(text, pipeline(threads)).call("mm", a, b, c)
        assert np.array_equal(c.view(np.uint32), want.view(np.uint32)), threads


@pytest.mark.parametrize("m,n,k", [(70, 50, 64), (300, 40, 512),
                                   (70, 544, 64)])
def test_nvfp4_threads_same_bits(m, n, k):
    rng = np.random.default_rng(k)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((n, k)).astype(np.float32)
    text = api._scaled_matmul_module(a.shape, b.shape, "nvfp4", "rne", "rne")
    one = api.scaled_matmul(a, b)          # threads=1, the API's pipeline
    qa, qb = (reference.quantize(x, "nvfp4", axis=1) for x in (a, b))
    da, db = (reference.dequantize(q).astype(np.float64) for q in (qa, qb))
    bound = np.abs(da) @ np.abs(db).T
    assert np.max(np.abs(one - da @ db.T) / np.maximum(bound, 1e-30)) < 1e-6
    for threads in (2, 3):
        c = np.empty((m, n), np.float32)
        runtime.load(text, pipeline(threads)).call(
            "scaled_matmul", a, b, c, 0, api.rhs_seed(0))
        assert np.array_equal(c.view(np.uint32), one.view(np.uint32)), threads
