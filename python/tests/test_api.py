"""The Python core API (metis.quantize / dequantize / fake_quant /
scaled_matmul), executed by compiled MLIR, against the numpy oracle
(metis.reference), plus input validation and the compile cache of
metis.runtime.

Compiled modules are shared between cases (one module per shape, axis,
format, block and rounding), and all of them are built up front in parallel
by the ``warm`` fixture, so the file runs in well under a minute.
The libraries go to a fresh temporary cache directory (the compile path is
what is tested), unless METIS_TEST_CACHE_DIR names one to reuse.

Run: cd /work/main && PYTHONPATH=python /usr/bin/python3 -m pytest -q python/tests
"""

import concurrent.futures
import multiprocessing
import os

import numpy as np
import pytest

import metis
from metis import api, compiler, formats, runtime
from metis import reference as ref
from testutil import compiled_module

F32 = np.float32
FLT_MAX = F32(np.finfo(np.float32).max)
BLOCK = {"nvfp4": 16, "mxfp4": 32, "fp4e2m1b": 16}
GRID = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 6], dtype=np.float32)
TIES = np.array([0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0], dtype=np.float32)
ORACLE_SR = "stochastic" in getattr(ref, "ROUNDINGS", ())

pytestmark = compiled_module


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def _blocks(x, axis, B):
    xt = np.moveaxis(x, axis, -1).copy()
    return xt.reshape(-1, B), xt.shape


def _unblocks(bl, tshape, axis):
    return np.ascontiguousarray(np.moveaxis(bl.reshape(tshape), -1, axis))


def make_data(kind, shape, axis, B, seed):
    """Deterministic test inputs (float32) of one distribution ``kind``."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if kind == "normal":
        return (rng.standard_normal(shape) * np.exp2(rng.integers(-6, 7))).astype(F32)
    if kind == "dynamic":  # magnitudes 1e-30 .. 1e30, random signs
        mag = 10.0 ** rng.uniform(-30, 30, shape)
        return (mag * rng.choice([-1.0, 1.0], shape)).astype(F32)
    if kind == "wide_blocks":  # per-block magnitudes 2^-60 .. 2^60
        bl, ts = _blocks(rng.standard_normal(shape).astype(F32), axis, B)
        bl *= np.exp2(rng.integers(-60, 61, (bl.shape[0], 1))).astype(F32)
        return _unblocks(bl, ts, axis)
    if kind == "specials":
        bl, ts = _blocks(rng.standard_normal(shape).astype(F32), axis, B)
        for i in range(bl.shape[0]):
            k = i % 7
            if k == 0:    # zero block, +-0
                bl[i] = np.where(rng.random(B) < 0.5, F32(-0.0), F32(0.0))
            elif k == 1:  # E2M1 ties once the scale is 1
                bl[i] = rng.choice(TIES, B) * rng.choice([-1, 1], B)
                bl[i, rng.integers(B)] = 6.0
            elif k == 2:  # global amax 2688: g = 1 for nvfp4
                bl[i] = rng.uniform(-2688, 2688, B)
                bl[i, rng.integers(B)] = 2688.0
            elif k == 3:  # float32 subnormals and -0
                bl[i] = (rng.integers(-2**23, 2**23, B).astype(F32)
                         * F32(2.0 ** -149))
                bl[i, 0] = -0.0
            elif k == 4:  # E4M3 ties of the block scale (when g = 1)
                bl[i] = rng.uniform(-1, 1, B)
                bl[i, rng.integers(B)] = rng.choice([6.375, 7.125, -6.375])
            elif k == 5:  # block scale in the E4M3 subnormal range
                bl[i] = rng.uniform(-1, 1, B) * F32(6 * 2.0 ** -9)
                bl[i, 1] = rng.choice([6 * 2.0 ** -10, 6 * 3 * 2.0 ** -10])
            else:         # grid points and ties times a power of two
                bl[i] = (rng.choice(np.r_[GRID, TIES], B) * rng.choice([-1, 1], B)
                         * np.exp2(rng.integers(-3, 3)))
        return _unblocks(bl, ts, axis)
    if kind == "inf":
        x = rng.standard_normal(shape).astype(F32)
        x.reshape(-1)[rng.integers(n)] = np.inf
        x.reshape(-1)[rng.integers(n)] = -np.inf
        return x
    if kind == "nan":
        x = rng.standard_normal(shape).astype(F32)
        x.reshape(-1)[rng.integers(n)] = np.nan
        x.reshape(-1)[rng.integers(n)] = -np.inf
        x.reshape(-1)[rng.integers(n)] = -F32(np.nan)
        return x
    if kind == "bits":  # random float32 bit patterns: NaN payloads, Inf, subnormals
        return rng.integers(0, 2**32, shape, dtype=np.uint64).astype(np.uint32).view(F32)
    if kind == "zeros":
        return np.zeros(shape, F32)
    if kind == "negzeros":
        return np.full(shape, -0.0, F32)
    if kind == "huge":  # near FLT_MAX
        x = rng.uniform(-3.4e38, 3.4e38, shape).astype(F32)
        x.reshape(-1)[0] = FLT_MAX
        return x
    if kind == "subnormal":  # the whole tensor subnormal: g overflows
        return (rng.integers(-50, 50, shape) * 2.0 ** -149).astype(F32)
    if kind == "all_inf":
        return np.full(shape, np.inf, F32) * rng.choice([-1, 1], shape).astype(F32)
    raise AssertionError(kind)


KINDS = ["normal", "dynamic", "wide_blocks", "specials", "inf", "nan", "bits"]
EXTRA_KINDS = ["zeros", "negzeros", "huge", "subnormal", "all_inf"]

# (shape, axis, format, block): one compiled quantize module each.
CONFIGS = [
    ((64,), 0, "nvfp4", None),
    ((64,), 0, "mxfp4", None),
    ((48,), 0, "fp4e2m1b", 16),
    ((8, 64), 1, "nvfp4", None),
    ((8, 64), 1, "mxfp4", 32),
    ((8, 64), 1, "fp4e2m1b", None),
    ((32, 6), 0, "nvfp4", 16),
    ((64, 3), -2, "mxfp4", None),
    ((32, 48), 0, "nvfp4", (16, 16)),
    ((32, 48), 1, "nvfp4", (16, 16)),
    ((2, 3, 32), -1, "mxfp4", None),
    ((2, 32, 5), 1, "nvfp4", None),
    ((16, 2, 3), 0, "fp4e2m1b", None),
    ((32, 2, 1, 3), 0, "nvfp4", None),
    ((2, 32, 2, 3), 1, "mxfp4", None),
    ((2, 2, 32, 3), 2, "fp4e2m1b", None),
    ((2, 3, 2, 16), 3, "nvfp4", None),
]


def _cfg_id(c):
    shape, axis, fmt, block = c
    b = "" if block is None else ("_t16x16" if isinstance(block, tuple) else f"_b{block}")
    return f"{fmt}{b}_{'x'.join(map(str, shape))}_ax{axis}"


def _cases():
    cases = []
    for ci, cfg in enumerate(CONFIGS):
        shape, axis, fmt, block = cfg
        kinds = KINDS + (EXTRA_KINDS if shape == (8, 64) else [])
        for kind in kinds:
            cases.append(pytest.param(cfg, kind, 1000 * ci + len(cases),
                                      id=f"{_cfg_id(cfg)}-{kind}"))
    return cases


CASES = _cases()

# Configurations whose dequantize / fake_quant modules are also checked.
DEQ_CONFIGS = [CONFIGS[i] for i in (3, 4, 5, 9, 11)]
FQ_CONFIGS = [CONFIGS[i] for i in (3, 4, 5, 8)]

SR_SHAPE = (2048, 64)  # many elements: statistics of the stochastic rounding
SR_CONFIGS = [(SR_SHAPE, 1, f, None) for f in ("nvfp4", "mxfp4", "fp4e2m1b")] + [
    ((32, 48), 0, "nvfp4", (16, 16)),
    ((32, 3, 4), 0, "mxfp4", None),
    ((16, 64), 1, "nvfp4", None),
]

MM_SHAPES = [((8, 64), (16, 64))]


# ---------------------------------------------------------------------------
# Compile everything up front, in parallel (compilation is subprocess-bound).
# ---------------------------------------------------------------------------


def _warm_calls():
    calls = []
    for shape, axis, fmt, block in CONFIGS:
        calls.append((api.quantize, (np.ones(shape, F32),),
                      dict(format=fmt, axis=axis, block=block)))
    for shape, axis, fmt, block in SR_CONFIGS:
        calls.append((api.quantize, (np.ones(shape, F32),),
                      dict(format=fmt, axis=axis, block=block,
                           rounding="stochastic", seed=1)))
    for shape, axis, fmt, block in DEQ_CONFIGS:
        q = api.QuantizedTensor(
            values=None, block_scales=np.ones(api._scale_shape(
                shape, axis % len(shape), api._check_block(fmt, block)), F32),
            tensor_scale=1.0, codes=np.zeros(shape, np.uint8),
            scale_bits=np.full(api._scale_shape(
                shape, axis % len(shape), api._check_block(fmt, block)),
                0x38, np.uint8) if fmt != "fp4e2m1b" else None,
            format=fmt, axis=axis, block=api._check_block(fmt, block))
        calls.append((api.dequantize, (q,), {}))
    for shape, axis, fmt, block in FQ_CONFIGS:
        calls.append((api.fake_quant, (np.ones(shape, F32),),
                      dict(format=fmt, axis=axis, block=block)))
    calls.append((api.fake_quant, (np.ones(SR_SHAPE, F32),),
                  dict(format="nvfp4", rounding="stochastic", seed=1)))
    for fmt in api.FORMATS:
        calls.append((api.scaled_matmul, (np.ones((8, 64), F32),
                                          np.ones((16, 64), F32)),
                      dict(format=fmt)))
    calls.append((api.scaled_matmul, (np.ones((2, 8, 64), F32),
                                      np.ones((2, 4, 64), F32)), {}))
    calls.append((api.scaled_matmul, (np.ones((8, 64), F32),
                                      np.ones((16, 64), F32)),
                  dict(rounding_a="stochastic", rounding_b="stochastic", seed=1)))
    return calls


@pytest.fixture(scope="module")
def warm(cache_dir):
    calls = _warm_calls()
    with concurrent.futures.ThreadPoolExecutor(max(2, os.cpu_count() or 2)) as ex:
        for f in [ex.submit(fn, *a, **kw) for fn, a, kw in calls]:
            f.result()


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _bits(x):
    return np.asarray(x, dtype=np.float32).view(np.uint32)


def _same_f32(a, b):
    """Bitwise equal float32 arrays, any NaN equal to any NaN."""
    a = np.asarray(a, np.float32)
    b = np.asarray(b, np.float32)
    return (_bits(a) == _bits(b)) | (np.isnan(a) & np.isnan(b))


def _report(what, mask, x, got, want, fmt=hex):
    bad = np.argwhere(~np.asarray(mask))[:5]
    lines = [f"{what}: {int((~np.asarray(mask)).sum())} of {np.size(mask)} differ"]
    for i in bad:
        t = tuple(int(k) for k in i)
        xs = f" x={x[t]!r}" if x is not None and x.shape == np.shape(mask) else ""
        lines.append(f"  at {t}: compiled {fmt(got[t])} oracle {fmt(want[t])}{xs}")
    return "\n".join(lines)


def _f32hex(v):
    return f"{float(v)!r}({int(np.float32(v).view(np.uint32)):#010x})"


def assert_matches_oracle(q, r, x):
    assert q.codes.shape == r.codes.shape and q.codes.dtype == np.uint8
    ok = q.codes == r.codes
    assert ok.all(), _report("E2M1 codes", ok, x, q.codes, r.codes)
    assert (_bits(q.values) == _bits(r.values)).all()  # signs of zeros too
    assert q.block_scales.shape == r.block_scales.shape
    if r.scale_bits is None:
        assert q.scale_bits is None
    else:
        ok = q.scale_bits == r.scale_bits
        assert ok.all(), _report("scale bytes", ok, None, q.scale_bits, r.scale_bits)
    ok = _same_f32(q.block_scales, r.block_scales)
    assert ok.all(), _report("block scales", ok, None, q.block_scales,
                             r.block_scales, _f32hex)
    assert isinstance(q.tensor_scale, float)
    assert _same_f32(np.float32(q.tensor_scale), r.tensor_scale), \
        f"tensor scale: compiled {_f32hex(q.tensor_scale)} oracle {_f32hex(r.tensor_scale)}"


# ---------------------------------------------------------------------------
# RNE quantize / dequantize / fake_quant against the oracle, bit for bit
# ---------------------------------------------------------------------------


def test_enough_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize("cfg,kind,seed", CASES)
def test_quantize_matches_oracle(warm, cfg, kind, seed):
    shape, axis, fmt, block = cfg
    B = 16 if isinstance(block, tuple) else BLOCK[fmt]
    x = make_data(kind, shape, axis % len(shape), B, seed)
    q = metis.quantize(x, format=fmt, axis=axis, block=block)
    r = ref.quantize(x, format=fmt, axis=axis, block=block)
    assert q.format == fmt and q.axis == axis % len(shape) and q.rounding == "rne"
    assert_matches_oracle(q, r, x)


@pytest.mark.parametrize("cfg", DEQ_CONFIGS, ids=_cfg_id)
@pytest.mark.parametrize("kind", KINDS + ["zeros", "huge", "all_inf"])
def test_dequantize_matches_oracle(warm, cfg, kind):
    shape, axis, fmt, block = cfg
    x = make_data(kind, shape, axis % len(shape), BLOCK[fmt], 7)
    y = metis.dequantize(metis.quantize(x, format=fmt, axis=axis, block=block))
    want = ref.dequantize(ref.quantize(x, format=fmt, axis=axis, block=block))
    assert y.dtype == np.float32 and y.shape == x.shape
    ok = _same_f32(y, want)
    assert ok.all(), _report("dequantized", ok, x, y, want, _f32hex)


@pytest.mark.parametrize("cfg", FQ_CONFIGS, ids=_cfg_id)
@pytest.mark.parametrize("kind", KINDS + ["zeros", "subnormal"])
def test_fake_quant_matches_oracle(warm, cfg, kind):
    shape, axis, fmt, block = cfg
    x = make_data(kind, shape, axis % len(shape), BLOCK[fmt], 11)
    y = metis.fake_quant(x, format=fmt, axis=axis, block=block)
    want = ref.dequantize(ref.quantize(x, format=fmt, axis=axis, block=block))
    assert y.dtype == np.float32 and y.shape == x.shape
    ok = _same_f32(y, want)
    assert ok.all(), _report("fake_quant", ok, x, y, want, _f32hex)


def test_float16_and_torch_inputs(warm):
    torch = pytest.importorskip("torch")
    x = make_data("normal", (8, 64), 1, 16, 3)
    x16 = x.astype(np.float16)
    assert_matches_oracle(metis.quantize(x16), ref.quantize(x16.astype(F32)), None)
    t = torch.from_numpy(x.copy()).requires_grad_()
    assert_matches_oracle(metis.quantize(t), ref.quantize(x), None)
    tb = torch.from_numpy(x).to(torch.bfloat16)
    xb = tb.float().numpy()
    assert_matches_oracle(metis.quantize(tb, format="mxfp4"),
                          ref.quantize(xb, format="mxfp4"), None)
    np.testing.assert_array_equal(
        metis.fake_quant(torch.from_numpy(x.astype(np.float16))),
        ref.dequantize(ref.quantize(x.astype(np.float16).astype(F32))))
    # Non-contiguous views are copied, not misread.
    xt = np.ascontiguousarray(make_data("normal", (64, 8), 0, 16, 4)).T
    assert_matches_oracle(metis.quantize(xt), ref.quantize(np.ascontiguousarray(xt)), None)


def test_result_fields(warm):
    x = make_data("normal", (8, 64), 1, 16, 5)
    q = metis.quantize(x, format="nvfp4", axis=-1)
    assert q.values.dtype == np.float32 and q.values.shape == (8, 64)
    assert q.block_scales.dtype == np.float32 and q.block_scales.shape == (8, 4)
    assert q.scale_bits.dtype == np.uint8 and q.scale_bits.shape == (8, 4)
    assert q.codes.max() <= 15 and q.block == 16 and q.axis == 1
    assert set(np.abs(q.values).ravel()) <= set(GRID.tolist())
    q = metis.quantize(x, format="fp4e2m1b")
    assert q.scale_bits is None and q.tensor_scale == 1.0
    q = metis.quantize(make_data("normal", (32, 48), 0, 16, 6), block=(16, 16), axis=0)
    assert q.block == (16, 16) and q.block_scales.shape == (2, 48)
    # The 16 columns of a tile share one scale (per-row layout of the tiles).
    s = q.scale_bits.reshape(2, 3, 16)
    assert (s == s[:, :, :1]).all()


def test_formats_tables():
    assert formats.E2M1[8] == 0 and np.signbit(formats.E2M1[8])
    np.testing.assert_array_equal(np.abs(formats.E2M1[:8]), GRID)
    assert formats.E4M3FN[0x7E] == 448 and np.isnan(formats.E4M3FN[0x7F])
    assert np.isnan(formats.E4M3FN[0xFF]) and formats.E4M3FN[0x01] == 2.0 ** -9
    assert formats.E4M3FN[0x08] == 2.0 ** -6 and formats.E4M3FN[0xB8] == -1.0
    assert formats.E8M0[127] == 1 and formats.E8M0[0] == F32(2.0 ** -127)
    assert formats.E8M0[254] == F32(2.0 ** 127) and np.isnan(formats.E8M0[255])
    b = np.arange(256, dtype=np.uint8)
    assert _same_f32(formats.decode_e4m3(b), ref.e4m3_decode(b)).all()
    assert _same_f32(formats.decode_e8m0(b), ref.e8m0_decode(b)).all()


# ---------------------------------------------------------------------------
# scaled_matmul
# ---------------------------------------------------------------------------


def _mm_oracle(qa_deq, qb_deq):
    A = qa_deq.astype(np.float64)
    B = qb_deq.astype(np.float64)
    want = A @ np.swapaxes(B, -1, -2)
    mag = np.abs(A) @ np.swapaxes(np.abs(B), -1, -2)
    return want, mag


def _assert_mm_close(c, want, mag, K):
    # f32 accumulation of K exact products plus a few roundings (tensor
    # scales, the oracle's per-element decode): (K + 8) u, u = 2^-24, x2.
    tol = (K + 8) * 2.0 ** -23 * mag + 1e-35
    err = np.abs(c.astype(np.float64) - want)
    assert np.all(np.isfinite(c))
    assert np.all(err <= tol), f"max err/tol {np.max(err / tol):.3g}"


@pytest.mark.parametrize("fmt", api.FORMATS)
@pytest.mark.parametrize("kind", ["normal", "wide_blocks", "specials"])
def test_scaled_matmul_matches_oracle(warm, fmt, kind):
    a = make_data(kind, (8, 64), 1, BLOCK[fmt], 21)
    b = make_data("normal", (16, 64), 1, BLOCK[fmt], 22) * F32(3)
    c = metis.scaled_matmul(a, b, format=fmt)
    assert c.shape == (8, 16) and c.dtype == np.float32
    want, mag = _mm_oracle(ref.dequantize(ref.quantize(a, format=fmt)),
                           ref.dequantize(ref.quantize(b, format=fmt)))
    _assert_mm_close(c, want, mag, 64)


def test_scaled_matmul_batched(warm):
    a = make_data("normal", (2, 8, 64), 2, 16, 23)
    b = make_data("normal", (2, 4, 64), 2, 16, 24)
    c = metis.scaled_matmul(a, b)
    assert c.shape == (2, 8, 4)
    want, mag = _mm_oracle(ref.dequantize(ref.quantize(a)),
                           ref.dequantize(ref.quantize(b)))
    _assert_mm_close(c, want, mag, 64)


def test_scaled_matmul_stochastic_seeds(warm):
    a = make_data("normal", (8, 64), 1, 16, 25)
    b = make_data("normal", (16, 64), 1, 16, 26)
    s = 12345
    assert api.rhs_seed(s) == (s ^ 0x9E3779B97F4A7C15) & (2**63 - 1)
    assert api.rhs_seed(0) == 0x1E3779B97F4A7C15
    c = metis.scaled_matmul(a, b, rounding_a="stochastic",
                            rounding_b="stochastic", seed=s)
    qa = metis.quantize(a, rounding="stochastic", seed=s)
    qb = metis.quantize(b, rounding="stochastic", seed=api.rhs_seed(s))
    want, mag = _mm_oracle(metis.dequantize(qa), metis.dequantize(qb))
    _assert_mm_close(c, want, mag, 64)
    c2 = metis.scaled_matmul(a, b, rounding_a="stochastic",
                             rounding_b="stochastic", seed=s + 1)
    assert not np.array_equal(c, c2)
    assert np.array_equal(c, metis.scaled_matmul(
        a, b, rounding_a="stochastic", rounding_b="stochastic", seed=s))


# ---------------------------------------------------------------------------
# Stochastic rounding
# ---------------------------------------------------------------------------


def _scaled(x, r, fmt):
    """x·enc (float32, clamped as the op does) from the oracle's RNE scales."""
    d = np.repeat(r.block_scales, BLOCK[fmt], axis=r.axis)
    with np.errstate(all="ignore"):
        if fmt == "nvfp4":
            enc = np.minimum(F32(1) / (d * r.tensor_scale), FLT_MAX)
            return np.clip(x * enc, F32(-6), F32(6))
        if fmt == "mxfp4":
            return np.clip(x / d, F32(-6), F32(6))
        return x / d


def _sr_data(seed):
    return make_data("normal", SR_SHAPE, 1, 32, seed)


@pytest.mark.parametrize("fmt", api.FORMATS)
def test_stochastic_deterministic_and_seeded(warm, fmt):
    x = _sr_data(31)
    q1 = metis.quantize(x, format=fmt, rounding="stochastic", seed=7)
    q2 = metis.quantize(x, format=fmt, rounding="stochastic", seed=7)
    assert q1.rounding == "stochastic" and q1.seed == 7
    assert np.array_equal(q1.codes, q2.codes)
    for other in (8, 7 + 2**32, 2**63 - 1):  # the seed's high word matters too
        q3 = metis.quantize(x, format=fmt, rounding="stochastic", seed=other)
        frac_same = np.mean(q3.codes == q1.codes)
        assert frac_same < 0.9, (other, frac_same)
        assert np.array_equal(q3.scale_bits, q1.scale_bits) if q1.scale_bits is not None else True


@pytest.mark.parametrize("fmt", api.FORMATS)
def test_stochastic_picks_a_neighbour(warm, fmt):
    x = _sr_data(32)
    x.reshape(-1)[::97] = np.inf
    x.reshape(-1)[5::101] = 0.0
    r = ref.quantize(x, format=fmt)
    q_rne = metis.quantize(x, format=fmt)
    q = metis.quantize(x, format=fmt, rounding="stochastic", seed=99)
    # Scales do not depend on the rounding.
    assert_same = _same_f32(q.block_scales, q_rne.block_scales)
    assert assert_same.all()
    assert _same_f32(np.float32(q.tensor_scale), np.float32(q_rne.tensor_scale))
    v = _scaled(x, r, fmt)
    fin = np.isfinite(v)
    a = np.abs(v[fin])
    lo_i = np.searchsorted(GRID, a, side="right") - 1
    hi_i = np.minimum(np.searchsorted(GRID, a, side="left"), 7)
    idx = (q.codes[fin] & 7).astype(np.int64)
    ok = (idx == lo_i) | (idx == hi_i)
    assert ok.all(), _report("stochastic value not a neighbour", ok, None,
                             idx, lo_i, int)
    # Sign kept (also for values that round to zero).
    assert np.array_equal(q.codes[fin] >> 3, np.signbit(v[fin]).astype(np.uint8))
    # Within one grid step of the RNE result, with the same sign.
    d = np.abs((q.codes & 7).astype(int) - (q_rne.codes & 7).astype(int))
    assert d.max() <= 1 and np.array_equal(q.codes >> 3, q_rne.codes >> 3)
    # Grid points (after scaling) are kept exactly: the scale-1 fp4e2m1b /
    # mxfp4 blocks of 6 and grid values.
    on_grid = np.isin(a, GRID)
    assert np.array_equal(idx[on_grid], lo_i[on_grid])
    assert np.mean(d) > 0.1  # it does round stochastically


CONSTS = np.array([0.3, -0.3, 1.1, 2.6, -3.3, 4.7, 5.9, 0.1, 1.74, -0.74],
                  dtype=np.float32)


@pytest.mark.parametrize("fmt", api.FORMATS)
def test_stochastic_unbiased(warm, fmt):
    """Every block has amax 6, so the scaled value v of a constant c is the
    same in every block; the mean of n independent roundings of v lies
    within 6 sigma of v, sigma^2 = (v - a)(b - v) / n."""
    x = np.empty(SR_SHAPE, F32)
    cols = np.arange(SR_SHAPE[1])
    which = cols % len(CONSTS)
    x[:] = CONSTS[which]
    x[:, cols % 16 == 0] = 6.0
    q = metis.quantize(x, format=fmt, rounding="stochastic", seed=2024)
    r = ref.quantize(x, format=fmt)
    v = _scaled(x, r, fmt).astype(np.float64)
    vals = q.values.astype(np.float64)
    for j, c in enumerate(CONSTS):
        sel = (which == j) & (cols % 16 != 0)
        vv = np.unique(v[:, sel])
        assert vv.size == 1
        vv = vv[0]
        got = vals[:, sel]
        n = got.size
        lo = np.sign(vv) * GRID[np.searchsorted(GRID, abs(vv), side="right") - 1]
        hi = np.sign(vv) * GRID[np.searchsorted(GRID, abs(vv), side="left")]
        assert set(np.unique(got)) <= {lo, hi}
        sigma = np.sqrt(abs((vv - lo) * (hi - vv)) / n)
        assert abs(got.mean() - vv) <= 6 * sigma + 1e-12, (fmt, c, got.mean(), vv, sigma)


def test_stochastic_fake_quant_consistent(warm):
    x = _sr_data(33)
    q = metis.quantize(x, rounding="stochastic", seed=5)
    y = metis.fake_quant(x, rounding="stochastic", seed=5)
    assert _same_f32(y, metis.dequantize(q)).all()
    assert not np.array_equal(y, metis.fake_quant(x, rounding="stochastic", seed=6))


@pytest.mark.skipif(not ORACLE_SR, reason="the oracle has no stochastic rounding")
@pytest.mark.parametrize("cfg", SR_CONFIGS, ids=_cfg_id)
@pytest.mark.parametrize("seed", [0, 3, 2**63 - 1])
def test_stochastic_matches_oracle(warm, cfg, seed):
    shape, axis, fmt, block = cfg
    B = 16 if isinstance(block, tuple) else BLOCK[fmt]
    x = make_data("specials" if seed == 3 else "normal", shape, axis, B, 40 + seed % 7)
    q = metis.quantize(x, format=fmt, axis=axis, block=block,
                       rounding="stochastic", seed=seed)
    r = ref.quantize(x, format=fmt, axis=axis, block=block,
                     rounding="stochastic", seed=seed)
    assert_matches_oracle(q, r, x)


# ---------------------------------------------------------------------------
# Validation (raised before anything is compiled)
# ---------------------------------------------------------------------------


X = np.ones((4, 32), F32)

BAD_QUANTIZE = [
    ((X.astype(np.float64),), {}, TypeError, "cast explicitly"),
    ((X.astype(np.int32),), {}, TypeError, "float32 or float16"),
    ((X.tolist(),), {}, TypeError, "numpy array or a torch tensor"),
    ((3.0,), {}, TypeError, "numpy array"),
    ((np.float32(3),), {}, TypeError, "numpy array"),
    ((np.array(3.0, F32),), {}, ValueError, "rank-0"),
    ((np.ones((0, 16), F32),), {}, ValueError, "empty"),
    ((X,), dict(axis=2), ValueError, "out of range"),
    ((X,), dict(axis=-3), ValueError, "out of range"),
    ((X,), dict(axis=1.0), TypeError, "axis"),
    ((X,), dict(axis=True), TypeError, "axis"),
    ((X,), dict(axis=0), ValueError, "not a multiple of the nvfp4 block size 16"),
    ((np.ones((4, 48), F32),), dict(format="mxfp4"), ValueError, "block size 32"),
    ((X,), dict(format="nvfp8"), ValueError, "unknown format"),
    ((X,), dict(format=None), ValueError, "unknown format"),
    ((X,), dict(rounding="nearest"), ValueError, "unknown rounding"),
    ((X,), dict(block=32), ValueError, r"supported: 16, \(16, 16\)"),
    ((X,), dict(format="mxfp4", block=16), ValueError, "supported: 32"),
    ((X,), dict(format="fp4e2m1b", block=(16, 16)), ValueError, "supported: 16"),
    ((X,), dict(block=(16, 32)), ValueError, "does not support"),
    ((X,), dict(block="16"), ValueError, "does not support"),
    ((np.ones((2, 16, 16), F32),), dict(block=(16, 16)), ValueError, "2-D"),
    ((np.ones((24, 32), F32),), dict(block=(16, 16)), ValueError,
     "16x16 tiles: size 24 of axis 0"),
    ((X,), dict(seed=-1), ValueError, r"\[0, 2\*\*63\)"),
    ((X,), dict(seed=2**63), ValueError, r"\[0, 2\*\*63\)"),
    ((X,), dict(seed=1.5), TypeError, "seed"),
    ((X,), dict(seed="1"), TypeError, "seed"),
    ((X,), dict(seed=None, rounding="stochastic"), TypeError, "seed"),
]


@pytest.fixture
def no_compile(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("compiled before validating")
    monkeypatch.setattr(runtime, "load", refuse)


@pytest.mark.parametrize("fn", ["quantize", "fake_quant"])
@pytest.mark.parametrize("args,kwargs,exc,match", BAD_QUANTIZE)
def test_quantize_validation(no_compile, fn, args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        getattr(metis, fn)(*args, **kwargs)


def test_torch_validation(no_compile):
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="cast explicitly"):
        metis.quantize(torch.ones(4, 32, dtype=torch.float64))
    with pytest.raises(TypeError, match="int64"):
        metis.quantize(torch.ones(4, 32, dtype=torch.int64))


A, B = np.ones((8, 64), F32), np.ones((16, 64), F32)
BAD_MATMUL = [
    ((A, np.ones((16, 32), F32)), {}, ValueError, "K mismatch"),
    ((A, B.T.copy()), {}, ValueError, "K mismatch"),
    ((A[0], B[0]), {}, ValueError, "2-D"),
    ((A, B[None]), {}, ValueError, "2-D"),
    ((A[None], np.ones((2, 16, 64), F32)), {}, ValueError, "batch mismatch"),
    ((np.ones((8, 48), F32), np.ones((16, 48), F32)), dict(format="mxfp4"),
     ValueError, "block size 32"),
    ((A.astype(np.float64), B), {}, TypeError, "a: float64"),
    ((A, B.astype(np.float64)), {}, TypeError, "b: float64"),
    ((A, B), dict(format="int4"), ValueError, "unknown format"),
    ((A, B), dict(rounding_a="up"), ValueError, "rounding_a"),
    ((A, B), dict(rounding_b="up"), ValueError, "rounding_b"),
    ((A, B), dict(seed=-5), ValueError, "seed"),
]


@pytest.mark.parametrize("args,kwargs,exc,match", BAD_MATMUL)
def test_scaled_matmul_validation(no_compile, args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        metis.scaled_matmul(*args, **kwargs)


def test_dequantize_validation(no_compile):
    with pytest.raises(TypeError, match="QuantizedTensor"):
        metis.dequantize(np.ones((4, 16), np.uint8))
    q = api.QuantizedTensor(values=None, block_scales=np.ones((4, 2), F32),
                            tensor_scale=1.0, codes=np.zeros((4, 32), np.uint8),
                            scale_bits=np.ones((4, 3), np.uint8), format="nvfp4",
                            axis=1, block=16)
    with pytest.raises(ValueError, match="block scales of shape"):
        metis.dequantize(q)
    q.scale_bits = None
    with pytest.raises(ValueError, match="scale_bits"):
        metis.dequantize(q)
    q.scale_bits = np.ones((4, 2), np.uint8)
    q.codes = np.full((4, 32), 16, np.uint8)
    with pytest.raises(ValueError, match="0..15"):
        metis.dequantize(q)
    q.codes = np.zeros((4, 32), np.uint8)
    q.block = 32
    with pytest.raises(ValueError, match="does not support"):
        metis.dequantize(q)


# ---------------------------------------------------------------------------
# Compile errors and the cache
# ---------------------------------------------------------------------------


def test_compile_error_surfaces(monkeypatch, cache_dir):
    bad = ("func.func @quantize(%x: memref<4x30xf32>) attributes "
           "{llvm.emit_c_interface} {\n  %y = metis.nonsense %x\n  return\n}\n")
    monkeypatch.setattr(api, "_quantize_module", lambda *a: bad)
    with pytest.raises(metis.CompileError) as info:
        metis.quantize(np.ones((4, 32), F32))
    assert "metis-opt" in str(info.value) and "error" in info.value.diagnostics
    with pytest.raises(compiler.CompileError, match="mlir-translate|metis-opt"):
        runtime.load("func.func @f() { return }", pipeline=("--no-such-flag",))
    assert not list(cache_dir.glob(".tmp-*")) and not list(cache_dir.glob(".build-*"))


def _uniq_module(n):
    return api._quantize_module((n, 16), "fp4e2m1b", 1, 16, "rne")


def _run_uniq(lib, n, seed=0):
    x = make_data("normal", (n, 16), 1, 16, seed)
    codes = np.zeros((n, 16), np.uint8)
    scales = np.zeros((n, 1), F32)
    ts = np.zeros((), F32)
    lib.call("quantize", x, codes, scales, ts, 0)
    r = ref.quantize(x, format="fp4e2m1b")
    return bool(np.array_equal(codes & 0xF, r.codes)
                and _same_f32(scales, r.block_scales).all() and ts == 1)


def test_cache_second_call_does_not_recompile(tmp_path, monkeypatch):
    monkeypatch.setenv("METIS_CACHE_DIR", str(tmp_path))
    text = _uniq_module(3)
    before = runtime.stats["compiled"]
    lib = runtime.load(text)
    assert runtime.stats["compiled"] == before + 1
    assert runtime.load(text) is lib
    x = np.ones((3, 16), F32)
    metis.quantize(x, format="fp4e2m1b")
    metis.quantize(x, format="fp4e2m1b")
    assert runtime.stats["compiled"] == before + 1
    # A fresh process state (memory cache cleared) finds it on disk.
    runtime.clear_memory_cache()
    hits = runtime.stats["disk_hit"]
    assert _run_uniq(runtime.load(text), 3)
    assert runtime.stats["compiled"] == before + 1
    assert runtime.stats["disk_hit"] == hits + 1
    files = list(tmp_path.iterdir())
    assert [p.name for p in files] == [runtime.cache_key(text) + ".so"]


def _child_compile(text, n, barrier, queue):
    try:
        runtime.clear_memory_cache()
        runtime.stats.clear()
        barrier.wait(timeout=60)
        lib = runtime.load(text)
        queue.put((_run_uniq(lib, n), dict(runtime.stats)))
    except BaseException as e:  # report, do not hang the parent
        queue.put((False, repr(e)))


def _in_processes(text, n, count):
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(count), ctx.Queue()
    procs = [ctx.Process(target=_child_compile, args=(text, n, barrier, queue))
             for _ in range(count)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return results


def test_cache_concurrent_processes(tmp_path, monkeypatch):
    monkeypatch.setenv("METIS_CACHE_DIR", str(tmp_path))
    text = _uniq_module(5)
    results = _in_processes(text, 5, 3)
    assert all(ok for ok, _ in results), results
    assert sum(s.get("compiled", 0) for _, s in results) >= 1
    assert [p.name for p in tmp_path.iterdir()] == [runtime.cache_key(text) + ".so"]
    assert runtime._verified(tmp_path / (runtime.cache_key(text) + ".so"))


def _replace_file(path, data):
    """Corrupts a cache file the way a crash or a bad disk would, through a
    new inode (never rewriting in place a file some process has mapped)."""
    tmp = path.with_name("corrupt.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def test_cache_corrupt_file_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("METIS_CACHE_DIR", str(tmp_path))
    text = _uniq_module(6)
    path = tmp_path / (runtime.cache_key(text) + ".so")
    # Built by another process, so that this one has never loaded it.
    (ok, _), = _in_processes(text, 6, 1)
    assert ok and runtime._verified(path)
    good = path.read_bytes()
    # 1. truncated file (a torn write): fails the check, rebuilt, loads.
    _replace_file(path, good[: len(good) // 2])
    c0, k0 = runtime.stats["compiled"], runtime.stats["corrupt"]
    assert _run_uniq(runtime.load(text), 6)
    assert runtime.stats["corrupt"] == k0 + 1
    assert runtime.stats["compiled"] == c0 + 1
    assert runtime._verified(path)
    # 2. one flipped byte (would still dlopen): caught by the checksum.
    runtime.clear_memory_cache()
    flipped = bytearray(path.read_bytes())
    flipped[len(flipped) // 3] ^= 0x40
    _replace_file(path, bytes(flipped))
    assert not runtime._verified(path)
    assert _run_uniq(runtime.load(text), 6)
    assert runtime.stats["corrupt"] == k0 + 2
    assert runtime.stats["compiled"] == c0 + 2
    assert runtime._verified(path)
    # 3. garbage in another process: that process rebuilds it too.
    _replace_file(path, b"\x7fELF garbage")
    (ok, st), = _in_processes(text, 6, 1)
    assert ok and st.get("corrupt") == 1 and st.get("compiled") == 1
    assert runtime._verified(path)
