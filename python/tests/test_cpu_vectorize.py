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
