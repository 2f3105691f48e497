"""Numerical edge cases on the compiled CPU path: each gives the result that
docs/Dialect.md (metis.quantize, metis.spectral_split) and docs/Numerics.md
promise, or a clear exception; nothing turns into NaN where a number is
promised, and NaN is never silently dropped where it is promised.

NaN, ±Inf, all-zero tensors and blocks, subnormals, huge dynamic range,
rank ≥ min(M, N), rank-deficient matrices, K not divisible by the block,
empty tensors. The compiled results are also compared bit for bit with the
numpy oracle (metis.reference), which is written from the same text.
"""

import numpy as np
import pytest

import metis
from metis import reference as ref
from testutil import compiled_module

pytestmark = compiled_module

F32 = np.float32
FLT_MAX = np.finfo(F32).max
FORMATS = ("nvfp4", "mxfp4", "fp4e2m1b")
E4M3_448, E4M3_NAN = 0x7E, 0x7F
E8M0_NAN = 0xFF


def _bits(a):
    return np.asarray(a, F32).view(np.uint32)


def _same(a, b):
    """Bitwise equal float32 arrays, any NaN equal to any NaN."""
    a, b = np.asarray(a, F32), np.asarray(b, F32)
    return bool(np.all((_bits(a) == _bits(b)) | (np.isnan(a) & np.isnan(b))))


def _quantize_checked(x, fmt):
    """metis.quantize, checked bit for bit against the oracle."""
    q = metis.quantize(x, format=fmt)
    r = ref.quantize(x, format=fmt)
    assert np.array_equal(q.codes, r.codes)
    assert _same(q.block_scales, r.block_scales)
    assert _same(q.tensor_scale, r.tensor_scale)
    return q


def _block_mask(q, rows, blocks):
    """Elementwise mask of the given (row, block) pairs along the last axis."""
    m = np.zeros(q.codes.shape, bool)
    for r, b in zip(rows, blocks):
        m[r, b * q.block_size:(b + 1) * q.block_size] = True
    return m


def _data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(F32)


# ---------------------------------------------------------------------------
# Quantization
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_nan(fmt):
    x = _data((2, 64))
    x[0, 3] = np.nan
    q = _quantize_checked(x, fmt)
    y = metis.dequantize(q)
    assert q.codes[0, 3] == 0  # E2M1 has no NaN: the code of a NaN is +0
    if fmt == "nvfp4":
        # NaN anywhere: NaN tensor scale, every block scale E4M3 NaN.
        assert np.isnan(q.tensor_scale)
        assert (q.scale_bits == E4M3_NAN).all()
        assert np.isnan(y).all()
    else:
        # Only the NaN's block has a NaN scale and dequantizes to NaN.
        bad = _block_mask(q, [0], [0])
        assert np.isnan(q.block_scales[0, 0])
        assert np.isfinite(np.delete(q.block_scales.ravel(), 0)).all()
        if fmt == "mxfp4":
            assert q.scale_bits[0, 0] == E8M0_NAN
        assert np.isnan(y[bad]).all() and np.isfinite(y[~bad]).all()


@pytest.mark.parametrize("fmt", FORMATS)
def test_inf(fmt):
    x = _data((2, 64), 1)
    x[0, 3], x[1, 40] = np.inf, -np.inf
    q = _quantize_checked(x, fmt)
    y = metis.dequantize(q)
    blocks = [0, 40 // q.block_size]
    bad = _block_mask(q, [0, 1], blocks)
    if fmt == "fp4e2m1b":
        # The reference format does not handle Inf: scale +Inf, codes ±0, so
        # the block dequantizes to NaN (documented), the others are finite.
        assert np.isposinf(q.block_scales[0, 0])
        assert np.isposinf(q.block_scales[1, blocks[1]])
        assert q.codes[0, 3] & 7 == 0 and q.codes[1, 40] & 7 == 0
        assert np.isnan(y[bad]).all() and np.isfinite(y[~bad]).all()
        return
    # nvfp4 / mxfp4 saturate: ±Inf becomes ±6 at the largest block scale.
    assert q.codes[0, 3] == 7 and q.codes[1, 40] == 15
    if fmt == "nvfp4":
        assert q.tensor_scale == 1.0  # g = 2688/Inf = 0 -> 1
        assert q.scale_bits[0, 0] == E4M3_448
        assert q.scale_bits[1, blocks[1]] == E4M3_448
        assert y[0, 3] == 6 * 448 and y[1, 40] == -6 * 448
        assert np.isfinite(y).all()
    else:
        # 6 · 2^127 overflows f32: the Inf elements decode to ±Inf again,
        # every other element (at most 2 · 2^127) stays finite.
        assert q.block_scales[0, 0] == 2.0 ** 127
        assert y[0, 3] == np.inf and y[1, 40] == -np.inf
        inf = np.zeros(y.shape, bool)
        inf[0, 3] = inf[1, 40] = True
        assert np.isfinite(y[~inf]).all()


@pytest.mark.parametrize("fmt", FORMATS)
def test_all_zero_tensor(fmt):
    x = np.zeros((2, 64), F32)
    q = _quantize_checked(x, fmt)
    y = metis.dequantize(q)
    assert (q.codes == 0).all()
    scale = {"nvfp4": 0.0, "mxfp4": 2.0 ** -127, "fp4e2m1b": F32(1e-9)}[fmt]
    assert (q.block_scales == F32(scale)).all()
    if fmt == "nvfp4":
        # 1/FLT_MAX: a subnormal the generated code must not flush.
        assert q.tensor_scale == F32(1) / FLT_MAX and q.tensor_scale > 0
    else:
        assert q.tensor_scale == 1.0
    assert not np.isnan(y).any() and (y == 0).all()
    assert np.array_equal(metis.fake_quant(x, format=fmt), y)


@pytest.mark.parametrize("fmt", FORMATS)
def test_all_zero_block(fmt):
    x = _data((2, 64), 2)
    x[1, :32] = 0
    q = _quantize_checked(x, fmt)
    y = metis.dequantize(q)
    zero = _block_mask(q, [1] * (32 // q.block_size),
                       range(32 // q.block_size))
    assert (y[zero] == 0).all() and not np.isnan(y).any()
    assert np.count_nonzero(y[~zero]) > 0.5 * np.count_nonzero(~zero)


@pytest.mark.parametrize("fmt", FORMATS)
def test_subnormal_inputs_are_not_flushed(fmt):
    # Subnormal f32 inputs (< 2^-126) are ordinary values: the compiled code
    # matches the oracle bit for bit (numpy does not flush subnormals), and
    # nvfp4 / mxfp4 keep every block's largest element non-zero. Precision
    # at this end of f32 is what the recipes give (docs/Numerics.md):
    # nvfp4's decode scale is itself subnormal, and fp4e2m1b's scale
    # amax/6 + 1e-9 rounds such tiny blocks to zero.
    x = (np.linspace(0.1, 1.0, 64, dtype=F32) * F32(8e-39)).reshape(2, 32)
    x[:, ::3] *= -1
    q = _quantize_checked(x, fmt)
    y = metis.dequantize(q)
    assert np.isfinite(y).all()
    big = np.abs(x).argmax(axis=1)
    if fmt == "fp4e2m1b":
        assert (y == 0).all()
    else:
        assert (y[np.arange(2), big] != 0).all()
        assert (np.sign(y[np.arange(2), big]) == np.sign(x[np.arange(2), big])).all()
        assert (np.abs(y) <= 2 * np.abs(x).max()).all()


@pytest.mark.parametrize("fmt", FORMATS)
def test_huge_dynamic_range(fmt):
    x = _data((2, 64), 3)
    x[0, :32] *= F32(1e30)     # blocks of magnitude 1e30 ...
    x[1, 32:] *= F32(1e-30)    # ... and 1e-30 in one tensor
    q = _quantize_checked(x, fmt)
    y = metis.dequantize(q)
    assert np.isfinite(y).all()
    big = np.abs(x[0, :32]).argmax()
    assert abs(y[0, big] - x[0, big]) <= 0.25 * abs(x[0, big])
    if fmt == "nvfp4":
        # amax_b/6·g underflows E4M3: scale 0, the blocks decode to zeros.
        assert (q.block_scales[1, 2:] == 0).all() and (y[1, 32:] == 0).all()
    elif fmt == "fp4e2m1b":
        # The scale's + 1e-9 dwarfs amax/6 of the 1e-30 blocks: zeros.
        assert (y[1, 32:] == 0).all()
    else:
        # Per-block power-of-two scales: the small blocks keep precision.
        small = np.abs(x[1, 32:]).argmax() + 32
        assert abs(y[1, small] - x[1, small]) <= 0.25 * abs(x[1, small])


# ---------------------------------------------------------------------------
# Matmuls
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_scaled_matmul_specials(fmt):
    a, b = _data((8, 64), 4), _data((16, 64), 5)
    zero = metis.scaled_matmul(np.zeros_like(a), b, format=fmt)
    assert (zero == 0).all()
    a[2, 5] = np.nan
    c = metis.scaled_matmul(a, b, format=fmt)
    if fmt == "nvfp4":
        assert np.isnan(c).all()       # the whole of Q(a) is NaN
    else:
        assert np.isnan(c[2]).all()    # row 2 of a has a NaN block
        assert np.isfinite(np.delete(c, 2, axis=0)).all()
    a[2, 5] = 1.0
    b[3, 7] = np.inf
    c = metis.scaled_matmul(a, b, format=fmt)
    if fmt == "nvfp4":
        assert np.isfinite(c).all()    # ±Inf saturates to 6 · 448
    else:
        # mxfp4: the Inf decodes to Inf (6 · 2^127 overflows f32), fp4e2m1b:
        # its block to NaN; either way only column 3 of C is not finite.
        assert not np.isfinite(c[:, 3]).any()
        assert np.isfinite(np.delete(c, 3, axis=1)).all()


def test_spectral_matmul_zero_and_rank_deficient():
    b = np.zeros((32, 64), F32)
    a = _data((16, 64), 6)
    c = metis.spectral_matmul(a, b, split="b", rank=4, seed=1)
    assert (c == 0).all()
    # b of rank 2 < split rank 4: zero trailing singular values, no NaN.
    rng = np.random.default_rng(7)
    b = (rng.standard_normal((32, 2)) @ rng.standard_normal((2, 64))).astype(F32)
    for factors in ("fp4", "bf16", "f32"):
        c = metis.spectral_matmul(a, b, split="b", rank=4, seed=1,
                                  factor_format=factors)
        exact = a @ b.T
        assert np.isfinite(c).all()
        err = np.linalg.norm(c - exact) / np.linalg.norm(exact)
        assert err < 0.25, (factors, err)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_spectral_matmul_non_finite_split_operand(bad):
    # A NaN or Inf in a split operand makes the split NaN (documented for
    # metis.spectral_split) and the call still terminates.
    a, b = _data((16, 64), 8), _data((32, 64), 9)
    b[4, 4] = bad
    c = metis.spectral_matmul(a, b, split="b", rank=4, seed=1)
    assert np.isnan(c).all()


# ---------------------------------------------------------------------------
# Inputs without a defined result: clear exceptions before compiling
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("call, match", [
    (lambda: metis.quantize(np.ones((4, 30), F32)), "multiple"),
    (lambda: metis.scaled_matmul(np.ones((4, 40), F32), np.ones((4, 40), F32)),
     "multiple"),
    (lambda: metis.quantize(np.ones((0, 16), F32)), "empty"),
    (lambda: metis.scaled_matmul(np.ones((0, 16), F32), np.ones((4, 16), F32)),
     "empty"),
    (lambda: metis.spectral_split(np.ones((0, 8), F32), rank=1), "empty"),
    (lambda: metis.spectral_matmul(np.ones((4, 16), F32),
                                   np.ones((0, 16), F32)), "empty"),
    (lambda: metis.spectral_split(np.ones((8, 8), F32), rank=8), "rank"),
    (lambda: metis.spectral_split(np.ones((4, 64), F32), rank=9), "rank"),
    (lambda: metis.spectral_matmul(np.ones((4, 64), F32),
                                   np.ones((16, 64), F32), rank=16), "rank"),
])
def test_undefined_inputs_raise(no_compile, call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.fixture
def no_compile(monkeypatch):
    """Fails the test if anything reaches the compiler."""
    def refuse(*args, **kwargs):
        raise AssertionError("compiled although the input is invalid")
    monkeypatch.setattr(metis.runtime, "load", refuse)
