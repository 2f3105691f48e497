"""Fixtures shared by the Python tests."""

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    """A compile cache of the module's own (so the compile path is what is
    tested), unless METIS_TEST_CACHE_DIR names one to reuse."""
    d = os.environ.get("METIS_TEST_CACHE_DIR") or str(
        tmp_path_factory.mktemp("metis-cache"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("METIS_CACHE_DIR", d)
        yield Path(d)
