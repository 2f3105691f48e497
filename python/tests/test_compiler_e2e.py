"""The compiled path end to end: folded quantization + the reference
decomposition of metis.scaled_matmul, lowered by upstream MLIR and run with
mlir-runner, against the numpy oracle; and diagnostics surfacing in Python."""

import re

import numpy as np
import pytest

from metis import compiler, reference
from testutil import requires_metis_opt

pytestmark = requires_metis_opt

LOWER = ["--convert-elementwise-to-linalg",
         "--one-shot-bufferize=bufferize-function-boundaries",
         "--buffer-deallocation-pipeline", "--convert-linalg-to-loops",
         "--convert-scf-to-cf", "--expand-strided-metadata", "--lower-affine",
         "--finalize-memref-to-llvm", "--convert-arith-to-llvm",
         "--convert-cf-to-llvm", "--convert-func-to-llvm",
         "--reconcile-unrealized-casts"]

SCALE = {"nvfp4": ("f8E4M3FN", 16), "mxfp4": ("f8E8M0FNU", 32),
         "fp4e2m1b": ("f32", 16)}


def _hex(a):
    return f'dense<"0x{np.ascontiguousarray(a, np.float32).tobytes().hex()}">'


@pytest.mark.parametrize("fmt", sorted(SCALE))
@pytest.mark.parametrize("result", ["f32", "bf16"])
def test_scaled_matmul_matches_oracle(fmt, result):
    m, n, k = 8, 4, 64
    rng = np.random.default_rng(hash((fmt, result)) % 2**32)
    a = (rng.standard_normal((m, k)) * 3).astype(np.float32)
    b = rng.standard_normal((n, k)).astype(np.float32)
    st, blk = SCALE[fmt]
    qa = f"tensor<{m}x{k}xf4E2M1FN>, tensor<{m}x{k // blk}x{st}>, tensor<f32>"
    qb = f"tensor<{n}x{k}xf4E2M1FN>, tensor<{n}x{k // blk}x{st}>, tensor<f32>"
    f = f"#metis.format<{fmt}>"
    # The bf16 result is widened again for printing.
    widen = (f"%z = arith.extf %y : tensor<{m}x{n}xbf16> to tensor<{m}x{n}xf32>"
             if result == "bf16" else "")
    out = "%z" if result == "bf16" else "%y"
    src = f"""
func.func private @printMemrefF32(tensor<*xf32>)
func.func @main() {{
  %a = arith.constant {_hex(a)} : tensor<{m}x{k}xf32>
  %b = arith.constant {_hex(b)} : tensor<{n}x{k}xf32>
  %av, %as, %at = metis.quantize %a {{axis = 1 : i64, format = {f}}} : tensor<{m}x{k}xf32> -> {qa}
  %bv, %bs, %bt = metis.quantize %b {{axis = 1 : i64, format = {f}}} : tensor<{n}x{k}xf32> -> {qb}
  %y = metis.scaled_matmul %av, %as, %at, %bv, %bs, %bt {{format = {f}}} : {qa}, {qb} -> tensor<{m}x{n}x{result}>
  {widen}
  %u = tensor.cast {out} : tensor<{m}x{n}xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}}"""
    lowered = compiler.opt(src, ["--canonicalize", "--metis-decompose-scaled-matmul",
                                 "--canonicalize", *LOWER])
    assert "metis." not in lowered
    printed = compiler.run_mlir(lowered)
    data = printed[printed.index("data =") + 6:]
    y = np.array([[float(v) for v in r.split(",")]
                  for r in re.findall(r"\[([^\[\]]*)\]", data)])
    oracle = (reference.dequantize(reference.quantize(a, format=fmt, axis=1)).astype(np.float64)
              @ reference.dequantize(reference.quantize(b, format=fmt, axis=1)).astype(np.float64).T)
    # f32 accumulation (and 6 printed digits); bf16 adds 2^-9 relative.
    rtol = 2e-5 if result == "f32" else 2 ** -8
    assert y.shape == (m, n)
    np.testing.assert_allclose(y, oracle, rtol=rtol, atol=rtol * np.abs(oracle).max())


def test_diagnostics_surface_as_compile_error():
    bad = """func.func @f(%x: tensor<4x30xf32>) {
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<4x30xf32> -> tensor<4x30xf4E2M1FN>, tensor<4x1xf8E4M3FN>, tensor<f32>
  return
}"""
    with pytest.raises(compiler.CompileError) as info:
        compiler.opt(bad, [])
    assert "is not a multiple of the block size 16" in info.value.diagnostics
    assert "<stdin>:2:16" in info.value.diagnostics


def test_unknown_tool_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="run scripts/setup.sh"):
        compiler.tool("no-such-tool")
