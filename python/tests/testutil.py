"""Helpers shared by the Python tests that run compiled code."""

import numpy as np
import pytest

from metis import compiler

#: Skips a test (module) when the build has no metis-opt.
requires_metis_opt = pytest.mark.skipif(
    not (compiler.build_dir() / "bin" / "metis-opt").exists(),
    reason="metis-opt is not built (run scripts/setup.sh)")

#: Applied to a module whose compiled libraries go to its own cache.
compiled_module = [requires_metis_opt, pytest.mark.usefixtures("cache_dir")]


def as_i64(v):
    """An unsigned 64-bit seed as the signed i64 a compiled entry takes."""
    return v - (1 << 64) if v >= (1 << 63) else v


def spiked(rng, rows, cols, weight):
    """float32 Gaussian rows x cols plus a rank-1 spike of `weight`: a
    dominant direction for a spectral split to take."""
    return (rng.standard_normal((rows, cols))
            + weight * np.outer(rng.standard_normal(rows),
                                rng.standard_normal(cols))).astype(np.float32)


def same_bits(x, y):
    """Whether two float32 arrays are equal bit for bit (NaNs included)."""
    return np.array_equal(x.view(np.uint32), y.view(np.uint32))
