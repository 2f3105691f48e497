"""metis-fuse-residual: the spectral split's residual recomputed inside the
quantize generics that read it gives the bits of the stored residual
(metis-cpu-pipeline without that pass), for each split side, NVFP4 and
MXFP4 blocks, a warm start and a rank at the limit (32); the stored
residual itself equals the old contraction (test_spectral_split.py checks
the split against its numpy model)."""

import subprocess

import numpy as np
import pytest

from metis import api, compiler, runtime
from testutil import requires_metis_opt, same_bits, spiked

pytestmark = requires_metis_opt




def unfused_pipeline(isa):
    """metis-expand-spectral, then metis-cpu-pipeline's passes without
    metis-fuse-residual, as one textual pipeline."""
    proc = subprocess.run(
        [str(compiler.tool("metis-opt")), f"--metis-cpu-pipeline=isa={isa}",
         "--dump-pass-pipeline", "-o", "/dev/null"],
        input="module {}", capture_output=True, text=True, check=True)
    text = proc.stderr[proc.stderr.index("builtin.module("):]
    flat = " ".join(text.split())
    assert "metis-fuse-residual," in flat
    flat = flat.replace("metis-fuse-residual,", "").replace(
        "builtin.module(", "builtin.module(metis-expand-spectral,", 1)
    return "--pass-pipeline=" + flat


@pytest.mark.parametrize("split,fmt,rank,warm", [
    ("b", "nvfp4", 16, False), ("a", "nvfp4", 8, False),
    ("both", "mxfp4", 8, False), ("b", "nvfp4", 32, False),
    ("b", "nvfp4", 16, True)])
def test_fused_residual_bits(split, fmt, rank, warm):
    m, n, k = 64, 96, 512
    l = api._sketch_width(n, k, rank, 4)
    ws = ("", api._ty("memref", (k, l), "f32")) if warm else ("", "")
    text = api._spectral_matmul_module(
        (m, k), (n, k), split, rank, 4, 1, "gaussian", fmt, "fp4", "exact",
        "none", "rne", "rne", ws)
    rng = np.random.default_rng(rank)
    a, b = spiked(rng, m, k, 4), spiked(rng, n, k, 8)
    w = rng.standard_normal((k, l)).astype(np.float32)
    out = []
    for pipe in (("--metis-expand-spectral", "--metis-cpu-pipeline=isa=avx512"),
                 (unfused_pipeline("avx512"),)):
        c = np.full((m, n), np.nan, np.float32)
        extra = [w, np.empty((k, l), np.float32)] if warm else []
        runtime.load(text, pipe).call("spectral_matmul", a, b, c, *extra, 9)
        out.append(c)
    assert np.isfinite(out[0]).all()
    assert same_bits(out[0], out[1])
