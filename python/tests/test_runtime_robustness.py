"""metis.runtime and metis.compiler on bad arguments: clear exceptions,
never a crash or a confusing tool error."""

import numpy as np
import pytest

from metis import compiler, runtime
from testutil import compiled_module

pytestmark = compiled_module

MODULE = """func.func @noop(%x: memref<4xf32>) attributes {llvm.emit_c_interface} {
  return
}
"""


@pytest.mark.parametrize("module, pipeline, match", [
    (b"func.func @f() { return }", runtime.DEFAULT_PIPELINE, r"\(str\), got bytes"),
    (None, runtime.DEFAULT_PIPELINE, r"\(str\), got NoneType"),
    (MODULE, "--metis-cpu-pipeline", "sequence of metis-opt arguments"),
    (MODULE, ("--metis-cpu-pipeline", 3), "must be str, got 3"),
])
def test_load_rejects_bad_arguments(module, pipeline, match):
    with pytest.raises(TypeError, match=match):
        runtime.load(module, pipeline)


def test_compile_error_carries_diagnostics():
    bad = "func.func @f(%x: tensor<4x30xf32>) {\n  return\n}\nmetis.nonsense\n"
    with pytest.raises(compiler.CompileError) as info:
        runtime.load(bad)
    assert "metis-opt failed" in str(info.value)
    assert "error:" in info.value.diagnostics and "4:" in info.value.diagnostics


def test_call_checks_names_and_argument_types():
    lib = runtime.load(MODULE)
    x = np.zeros(4, np.float32)
    lib.call("noop", x)
    with pytest.raises(AttributeError, match="no function 'missing'"):
        lib.call("missing", x)
    with pytest.raises(TypeError, match="unsupported argument type"):
        lib.call("noop", 1.5)
    with pytest.raises(ValueError, match="C-contiguous"):
        lib.call("noop", np.zeros(8, np.float32)[::2])
