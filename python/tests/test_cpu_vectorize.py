"""metis-cpu-vectorize: the vectorized quantize/dequantize (vector width 16
with isa=avx512, 8 with isa=avx2) give the same bits as the plain loops
(isa=none) and as the numpy oracle, on every format, axis, block shape and
rounding, with NaN, ±Inf, zero blocks, subnormals and a huge range mixed
in."""

import numpy as np
import pytest

from metis import api, reference, runtime
from testutil import requires_metis_opt

pytestmark = requires_metis_opt

PIPELINES = {"auto": ("--metis-cpu-pipeline",),
             "avx2": ("--metis-cpu-pipeline=isa=avx2",),
             "loops": ("--metis-cpu-pipeline=isa=none",)}

CASES = [  # shape, format, axis, block
    ((8, 64), "nvfp4", 1, None),
    ((64, 48), "nvfp4", 0, None),
    ((32, 32), "nvfp4", 1, (16, 16)),
    ((2, 3, 64), "nvfp4", 2, None),
    ((4, 96), "mxfp4", 1, None),
    ((64, 8), "mxfp4", 0, None),
    ((6, 32), "fp4e2m1b", 1, None),
    ((3, 16), "nvfp4", 1, None),      # one block per row: extent 1 < width
]


def specials(shape, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) *
         np.exp2(rng.integers(-20, 20, shape))).astype(np.float32)
    flat = x.reshape(-1)
    flat[:16] = 0.0                                   # an all-zero block
    flat[16:20] = [np.nan, np.inf, -np.inf, -0.0]
    flat[20:24] = np.float32(1e-42)                   # subnormals
    flat[24] = np.float32(3e38)
    return x


def same_bits(a, b):
    """Bitwise equal, except that any NaN equals any NaN (payloads are not
    specified)."""
    a, b = (np.asarray(v, np.float32) for v in (a, b))
    nan = np.isnan(a)
    return np.array_equal(nan, np.isnan(b)) and np.array_equal(
        a[~nan].view(np.uint32), b[~nan].view(np.uint32))


def prepared(x, fmt, axis, block, rounding="rne"):
    """The API's canonical (format, axis, block, rounding)."""
    _, fmt, axis, block, rounding, _ = api._prepare(x, fmt, axis, block,
                                                    rounding, 0)
    return fmt, axis, block, rounding


def run_quantize(lib, x, fmt, axis, block, seed):
    codes = np.zeros(x.shape, np.uint8)
    sdtype = np.float32 if fmt == "fp4e2m1b" else np.uint8
    scales = np.zeros(api._scale_shape(x.shape, axis, block), sdtype)
    ts = np.zeros((), np.float32)
    lib.call("quantize", x, codes, scales, ts, seed)
    return codes & 0xF, scales.view(np.uint8), ts.view(np.uint32)


@pytest.mark.parametrize("shape,fmt,axis,block", CASES)
@pytest.mark.parametrize("rounding", ["rne", "stochastic"])
@pytest.mark.parametrize("special", [False, True])
def test_quantize_vector_equals_loops_and_oracle(shape, fmt, axis, block,
                                                 rounding, special):
    seed = 12345
    x = specials(shape, 7) if special else \
        np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    fmt, axis, cblock, rounding = prepared(x, fmt, axis, block, rounding)
    text = api._quantize_module(x.shape, fmt, axis, cblock, rounding)
    got = {name: run_quantize(runtime.load(text, p), x, fmt, axis, cblock,
                              seed)
           for name, p in PIPELINES.items()}
    for name in ("auto", "avx2"):
        for a, b in zip(got[name], got["loops"]):
            assert np.array_equal(a, b), name
    want = reference.quantize(x, fmt, axis=axis, block=block,
                              rounding=rounding, seed=seed)
    assert np.array_equal(got["auto"][0], want.codes)
    if want.scale_bits is not None:
        assert np.array_equal(got["auto"][1], want.scale_bits)


@pytest.mark.parametrize("shape,fmt,axis,block", CASES)
def test_dequantize_vector_equals_loops_and_oracle(shape, fmt, axis, block):
    x = specials(shape, 11)
    q = reference.quantize(x, fmt, axis=axis, block=block)
    fmt, axis, cblock, _ = prepared(x, fmt, axis, block)
    text = api._dequantize_module(x.shape, fmt, axis, cblock)
    scales = q.scale_bits if q.scale_bits is not None else q.block_scales
    outs = {}
    for name, p in PIPELINES.items():
        y = np.zeros(x.shape, np.float32)
        runtime.load(text, p).call("dequantize", q.codes, scales,
                                   np.array(q.tensor_scale, np.float32), y)
        outs[name] = y
    assert same_bits(outs["auto"], outs["loops"])
    assert same_bits(outs["avx2"], outs["loops"])
    assert same_bits(outs["auto"], reference.dequantize(q))


BF16_MODULE = """
func.func @q(%xm: memref<8x64xbf16>, %vm: memref<8x64xf4E2M1FN>,
             %sm: memref<8x2xf8E8M0FNU>, %ym: memref<8x64xbf16>)
    attributes {llvm.emit_c_interface} {
  %x = bufferization.to_tensor %xm restrict : memref<8x64xbf16> to tensor<8x64xbf16>
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<mxfp4>}
      : tensor<8x64xbf16> -> tensor<8x64xf4E2M1FN>, tensor<8x2xf8E8M0FNU>, tensor<f32>
  %y = metis.dequantize %v, %s, %t {axis = 1 : i64, format = #metis.format<mxfp4>}
      : tensor<8x64xf4E2M1FN>, tensor<8x2xf8E8M0FNU>, tensor<f32> -> tensor<8x64xbf16>
  bufferization.materialize_in_destination %v in restrict writable %vm
      : (tensor<8x64xf4E2M1FN>, memref<8x64xf4E2M1FN>) -> ()
  bufferization.materialize_in_destination %s in restrict writable %sm
      : (tensor<8x2xf8E8M0FNU>, memref<8x2xf8E8M0FNU>) -> ()
  bufferization.materialize_in_destination %y in restrict writable %ym
      : (tensor<8x64xbf16>, memref<8x64xbf16>) -> ()
  return
}
"""


def to_bf16_bits(f):
    """float32 -> bfloat16 bits, round to nearest even (finite inputs)."""
    u = np.asarray(f, np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def test_bf16_input_and_output():
    """A bf16 input (extf in the vector body) and a bf16 dequantize (truncf
    of vectors): same bits as the loops and as the oracle on f32."""
    rng = np.random.default_rng(0)
    x = to_bf16_bits(rng.standard_normal((8, 64)))
    x[0, :4] = [0x7FC0, 0x7F80, 0xFF80, 0x8000]    # NaN, ±Inf, -0 in row 0
    outs = {}
    for name in ("auto", "loops"):
        v = np.zeros((8, 64), np.uint8)
        s = np.zeros((8, 2), np.uint8)
        y = np.zeros((8, 64), np.uint16)
        runtime.load(BF16_MODULE, PIPELINES[name]).call("q", x, v, s, y)
        outs[name] = (v & 0xF, s, y)
    for a, b in zip(outs["auto"], outs["loops"]):
        assert np.array_equal(a, b)
    xf = (x.astype(np.uint32) << 16).view(np.float32)
    q = reference.quantize(xf[1:], "mxfp4", axis=1)
    assert np.array_equal(outs["auto"][0][1:], q.codes)
    assert np.array_equal(outs["auto"][1][1:], q.scale_bits)
    assert np.array_equal(outs["auto"][2][1:],
                          to_bf16_bits(reference.dequantize(q)))
