"""Helpers shared by the Python tests that run compiled code."""

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
