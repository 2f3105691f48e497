"""Tests of the numpy FP4 oracle (metis.reference) against hand-written tables.

Run: cd /work/main && PYTHONPATH=python /usr/bin/python3 -m pytest -q python/tests
"""

import itertools
import zlib

import numpy as np
import pytest

from metis import reference as ref

F32 = np.float32
FLT_MAX = F32(np.finfo(np.float32).max)


def f32(*vals):
    return np.array(vals, dtype=np.float32)


def bits32(x):
    return np.asarray(x, dtype=np.float32).view(np.uint32)


# ---------------------------------------------------------------------------
# E2M1
# ---------------------------------------------------------------------------

GRID = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]


@pytest.mark.parametrize("idx,val", list(enumerate(GRID)))
def test_e2m1_grid_points(idx, val):
    assert ref.e2m1_round(f32(val))[0] == idx
    assert ref.e2m1_round(f32(-val))[0] == 8 | idx  # -0.0 -> code 8
    assert ref.e2m1_decode(np.uint8(idx)) == F32(val)
    assert ref.e2m1_decode(np.uint8(8 | idx)) == F32(-val)


@pytest.mark.parametrize("x,code", [
    (0.25, 0), (0.75, 2), (1.25, 2), (1.75, 4), (2.5, 4), (3.5, 6), (5.0, 6),
])
def test_e2m1_ties_to_even(x, code):
    assert ref.e2m1_round(f32(x))[0] == code
    assert ref.e2m1_round(f32(-x))[0] == 8 | code


@pytest.mark.parametrize("x,code", [
    # just off every tie, both sides
    (0.2499, 0), (0.2501, 1), (0.7499, 1), (0.7501, 2), (1.2499, 2),
    (1.2501, 3), (1.7499, 3), (1.7501, 4), (2.4999, 4), (2.5001, 5),
    (3.4999, 5), (3.5001, 6), (4.9999, 6), (5.0001, 7),
    # in-between values
    (0.3, 1), (0.6, 1), (1.1, 2), (1.4, 3), (2.2, 4), (2.9, 5), (4.4, 6),
    (5.9, 7),
])
def test_e2m1_rounding_table(x, code):
    assert ref.e2m1_round(f32(x))[0] == code
    assert ref.e2m1_round(f32(-x))[0] == 8 | code


def test_e2m1_saturation_sign_nan():
    x = f32(6.0, 6.5, 7.0, 100.0, 3e38, np.inf, -6.5, -1e30, -np.inf)
    assert ref.e2m1_round(x).tolist() == [7, 7, 7, 7, 7, 7, 15, 15, 15]
    x = f32(-0.0, 0.0, -0.25, -0.3, -1e-45, 1e-45, np.nan, -np.nan)
    assert ref.e2m1_round(x).tolist() == [8, 0, 8, 9, 8, 0, 0, 0]
    assert np.signbit(ref.e2m1_decode(np.uint8(8)))
    assert ref.e2m1_round(f32(-0.25)).dtype == np.uint8


def test_e2m1_decode_all_codes_roundtrip():
    codes = np.arange(16, dtype=np.uint8)
    vals = ref.e2m1_decode(codes)
    assert vals.dtype == np.float32
    assert vals.tolist() == GRID + [-v for v in GRID]
    assert ref.e2m1_round(vals).tolist() == list(range(16))
    with pytest.raises(ValueError):
        ref.e2m1_decode(np.uint8(16))


def test_e2m1_midpoints_exhaustive():
    # Every midpoint between neighbouring grid values goes to the even code,
    # and the next float32 either side goes to the nearer one.
    for i in range(7):
        lo, hi = F32(GRID[i]), F32(GRID[i + 1])
        mid = (lo + hi) / F32(2)
        even = i if i % 2 == 0 else i + 1
        assert ref.e2m1_round(f32(mid))[0] == even, (lo, hi)
        below = np.nextafter(mid, F32(0))
        above = np.nextafter(mid, F32(np.inf))
        assert ref.e2m1_round(f32(below))[0] == i
        assert ref.e2m1_round(f32(above))[0] == i + 1


# ---------------------------------------------------------------------------
# E4M3FN
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("x,bits", [
    (448.0, 0x7E), (-448.0, 0xFE), (416.0, 0x7D), (464.0, 0x7E), (500.0, 0x7E),
    (1e30, 0x7E), (np.inf, 0x7E), (-np.inf, 0xFE),
    (1.0, 0x38), (-1.0, 0xB8), (1.0625, 0x38), (1.125, 0x39), (1.1875, 0x3A),
    (np.nextafter(F32(1.0625), F32(2)), 0x39), (1.9375, 0x40), (2.0, 0x40),
    (2.0 ** -6, 0x08), (2.0 ** -9, 0x01), (2.0 ** -10, 0x00),
    (1.5 * 2.0 ** -10, 0x01), (3 * 2.0 ** -10, 0x02), (5 * 2.0 ** -10, 0x02),
    (7 * 2.0 ** -9, 0x07), (7.5 * 2.0 ** -9, 0x08),
    (np.nextafter(F32(2.0 ** -10), F32(1)), 0x01), (1e-40, 0x00),
    (0.0, 0x00), (-0.0, 0x80), (np.nan, 0x7F), (-np.nan, 0x7F),
    (0.1, 0x1D), (0.3, 0x2A), (6.0, 0x4C), (240.0, 0x77), (256.0, 0x78),
])
def test_e4m3_round_table(x, bits):
    assert ref.e4m3_round(f32(x))[0] == bits


@pytest.mark.parametrize("bits,x", [
    (0x7E, 448.0), (0x38, 1.0), (0x3A, 1.25), (0x08, 2.0 ** -6),
    (0x01, 2.0 ** -9), (0x07, 7 * 2.0 ** -9), (0x00, 0.0), (0x80, -0.0),
    (0xFE, -448.0), (0x40, 2.0), (0x77, 240.0), (0x78, 256.0),
])
def test_e4m3_decode_table(bits, x):
    d = ref.e4m3_decode(np.uint8(bits))
    assert d.dtype == np.float32
    assert bits32(d) == bits32(F32(x))


def test_e4m3_nan_and_no_saturate():
    assert np.isnan(ref.e4m3_decode(np.uint8(0x7F)))
    assert np.isnan(ref.e4m3_decode(np.uint8(0xFF)))
    # OCP non-saturating mode: overflow becomes NaN; 464 still ties to 448.
    assert ref.e4m3_round(f32(464.0), saturate=False)[0] == 0x7E
    assert ref.e4m3_round(f32(465.0), saturate=False)[0] == 0x7F
    assert ref.e4m3_round(f32(-np.inf), saturate=False)[0] == 0x7F


def test_e4m3_exhaustive_roundtrip():
    codes = np.array([c for c in range(256) if c not in (0x7F, 0xFF)],
                     dtype=np.uint8)
    vals = ref.e4m3_decode(codes)
    assert not np.any(np.isnan(vals))
    assert ref.e4m3_round(vals).tolist() == codes.tolist()
    # monotone, distinct magnitudes 0 .. 448
    pos = vals[:127]
    assert np.all(np.diff(pos.astype(np.float64)) > 0)
    assert pos[0] == 0 and pos[-1] == 448


def test_e4m3_midpoints_exhaustive():
    codes = np.arange(0x7F, dtype=np.uint8)  # 0 .. 448
    vals = ref.e4m3_decode(codes)
    for c in range(0x7E):
        lo, hi = vals[c], vals[c + 1]
        mid = (lo + hi) / F32(2)  # exact in float32
        even = c if c % 2 == 0 else c + 1
        assert ref.e4m3_round(f32(mid))[0] == even, hex(c)
        assert ref.e4m3_round(f32(np.nextafter(mid, F32(0))))[0] == c
        assert ref.e4m3_round(f32(np.nextafter(mid, F32(np.inf))))[0] == c + 1
        assert ref.e4m3_round(f32(-mid))[0] == 0x80 | even


# ---------------------------------------------------------------------------
# E8M0
# ---------------------------------------------------------------------------


def test_e8m0():
    assert ref.e8m0_decode(np.uint8(127)) == F32(1.0)
    assert ref.e8m0_decode(np.uint8(128)) == F32(2.0)
    assert ref.e8m0_decode(np.uint8(126)) == F32(0.5)
    assert bits32(ref.e8m0_decode(np.uint8(0))) == 0x00400000  # 2^-127
    assert bits32(ref.e8m0_decode(np.uint8(254))) == 0x7F000000  # 2^127
    assert np.isnan(ref.e8m0_decode(np.uint8(255)))
    e = np.arange(-127, 128)
    b = ref.e8m0_encode(e)
    assert b.dtype == np.uint8 and b.tolist() == list(range(255))
    assert np.all(ref.e8m0_decode(b) == np.ldexp(np.float64(1), e))
    with pytest.raises(ValueError):
        ref.e8m0_encode(128)
    with pytest.raises(ValueError):
        ref.e8m0_encode(-128)


# ---------------------------------------------------------------------------
# Known small blocks
# ---------------------------------------------------------------------------


def test_nvfp4_block_amax6():
    x = f32(*(GRID + [-v for v in GRID]))  # 16 elements, amax 6
    q = ref.quantize(x, "nvfp4")
    assert q.tensor_scale.dtype == np.float32
    assert bits32(q.tensor_scale) == bits32(F32(1) / F32(448))
    assert q.scale_bits.tolist() == [0x7E]
    assert q.block_scales.tolist() == [448.0]
    assert q.values.tolist() == x.tolist()
    assert q.codes.tolist() == list(range(16))
    deq = ref.dequantize(q)
    assert deq.dtype == np.float32
    exp = x * (F32(448) * (F32(1) / F32(448)))
    assert bits32(deq).tolist() == bits32(exp).tolist()


def test_nvfp4_all_zero():
    x = np.zeros((4, 32), dtype=np.float32)
    q = ref.quantize(x, "nvfp4", axis=1)
    assert q.codes.shape == (4, 32) and not q.codes.any()
    assert q.block_scales.shape == (4, 2) and not q.block_scales.any()
    assert q.scale_bits.tolist() == [[0, 0]] * 4
    assert bits32(q.tensor_scale) == bits32(F32(1) / FLT_MAX)
    assert 0 < q.tensor_scale < np.finfo(np.float32).tiny  # subnormal
    deq = ref.dequantize(q)
    assert not np.isnan(deq).any() and not deq.any()


def test_nvfp4_power_of_two_scales_exact_ties():
    # Global amax 2688 -> g = 1, tensor_scale = 1; a block with amax 6 then
    # gets scale 1 and its elements are rounded unscaled.
    ties = f32(0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0, 6.0,
               -0.25, -0.75, -1.25, -1.75, -2.5, -3.5, -5.0, -0.0)
    x = np.concatenate([ties, np.full(16, 2688, np.float32)])
    q = ref.quantize(x, "nvfp4")
    assert q.tensor_scale == 1
    assert q.scale_bits.tolist() == [0x38, 0x7E]
    assert q.codes[:16].tolist() == [0, 2, 2, 4, 4, 6, 6, 7,
                                     8, 10, 10, 12, 12, 14, 14, 8]
    assert q.codes[16:].tolist() == [7] * 16
    # E4M3 ties of the block scale itself: 6*1.0625 -> 1.0, 6*1.1875 -> 1.25
    for amax_b, bits in [(6.375, 0x38), (7.125, 0x3A), (6 * 2.0 ** -10, 0x00),
                         (6 * 2.0 ** -9, 0x01)]:
        x = np.concatenate([f32(amax_b), np.zeros(15, np.float32),
                            np.full(16, 2688, np.float32)])
        assert ref.quantize(x, "nvfp4").scale_bits[0] == bits, amax_b


def test_nvfp4_nan_and_inf():
    x = np.linspace(-3, 3, 32, dtype=np.float32)
    x[5] = np.nan
    q = ref.quantize(x, "nvfp4")
    assert np.isnan(q.tensor_scale)
    assert q.scale_bits.tolist() == [0x7F, 0x7F]
    assert not q.codes.any()
    assert np.isnan(ref.dequantize(q)).all()
    x = np.linspace(-3, 3, 32, dtype=np.float32)
    x[3], x[20] = np.inf, -np.inf
    q = ref.quantize(x, "nvfp4")
    assert q.tensor_scale == 1
    assert q.scale_bits.tolist() == [0x7E, 0x7E]
    assert q.codes[3] == 7 and q.codes[20] == 15


def test_mxfp4_blocks():
    x = np.zeros(32, np.float32)
    x[0] = 6.0
    q = ref.quantize(x, "mxfp4")
    assert q.scale_bits.tolist() == [127] and q.block_scales.tolist() == [1.0]
    assert q.tensor_scale == 1 and q.codes[0] == 7
    for amax_b, byte in [(4.0, 127), (7.99, 127), (8.0, 128), (3.99, 126),
                         (0.0, 0), (1e-40, 0), (3e38, 127 + 125), (np.inf, 254)]:
        x = np.zeros(32, np.float32)
        x[7] = amax_b
        q = ref.quantize(x, "mxfp4")
        assert q.scale_bits[0] == byte, amax_b
    assert q.codes[7] == 7 and not np.delete(q.codes, 7).any()  # Inf -> 6
    x = np.ones(64, np.float32)
    x[40] = np.nan
    q = ref.quantize(x, "mxfp4")
    assert q.scale_bits.tolist() == [125, 255]
    deq = ref.dequantize(q)
    assert not np.isnan(deq[:32]).any() and np.isnan(deq[32:]).all()


def test_fp4e2m1b_blocks():
    q = ref.quantize(np.zeros(16, np.float32), "fp4e2m1b")
    assert q.scale_bits is None and q.tensor_scale == 1
    assert bits32(q.block_scales).tolist() == [bits32(F32(1e-9))]
    assert not q.codes.any()
    x = f32(0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0, 6.0,
            -0.25, -0.75, -1.25, -1.75, -2.5, -3.5, -5.0, -6.0)
    q = ref.quantize(x, "fp4e2m1b")
    assert q.block_scales.tolist() == [1.0]  # 6/6 + 1e-9 == 1 in float32
    assert q.codes.tolist() == [0, 2, 2, 4, 4, 6, 6, 7,
                                8, 10, 10, 12, 12, 14, 14, 15]


def test_tiles_share_scale():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((32, 48)).astype(np.float32)
    x[3, 17] = 50.0  # dominates tile (rows 0..15, cols 16..31)
    q = ref.quantize(x, "nvfp4", axis=1, block=(16, 16))
    assert q.block_scales.shape == (32, 3)
    assert len(set(q.scale_bits[:16, 1].tolist())) == 1
    p = ref.quantize(x, "nvfp4", axis=1)
    assert q.scale_bits[3, 1] == p.scale_bits[3, 1]
    assert q.scale_bits[0, 1] != p.scale_bits[0, 1]
    # axis 0: tiles are 16 rows along axis 0 x 16 columns
    qt = ref.quantize(x.T.copy(), "nvfp4", axis=0, block=(16, 16))
    assert qt.block_scales.shape == (3, 32)
    assert qt.scale_bits.tolist() == q.scale_bits.T.tolist()
    assert qt.codes.tolist() == q.codes.T.tolist()


# ---------------------------------------------------------------------------
# Block bookkeeping against a scalar (loop) restatement of the definition
# ---------------------------------------------------------------------------


def _scalar_quantize(x, fmt, axis, tiles=False):
    """Element-by-element restatement with np.float32 scalars (slow)."""
    B = 32 if fmt == "mxfp4" else 16
    ax = axis % x.ndim
    bshape = list(x.shape)
    bshape[ax] //= B
    scales = np.zeros(bshape, np.float32)
    sbits = np.zeros(bshape, np.uint8)
    codes = np.zeros(x.shape, np.uint8)
    amax = F32(0)
    for v in x.flat:
        a = F32(abs(v))
        if np.isnan(a):
            amax = a
            break
        if a > amax:
            amax = a
    with np.errstate(all="ignore"):
        g = F32(2688) / amax
        g = FLT_MAX if g > FLT_MAX else g
        g = F32(1) if g == 0 else g
        ts = F32(1) / g
        for bidx in itertools.product(*[range(s) for s in bshape]):
            # elements of this block (or of its 16x16 tile for the amax)
            def elems(tile):
                for k in range(B):
                    idx = list(bidx)
                    idx[ax] = bidx[ax] * B + k
                    if tile:
                        o = 1 - ax
                        base = (bidx[o] // 16) * 16
                        for r in range(16):
                            idx[o] = base + r
                            yield tuple(idx)
                    else:
                        yield tuple(idx)
            ab = F32(0)
            for i in elems(tiles):
                a = F32(abs(x[i]))
                if np.isnan(a) or np.isnan(ab):
                    ab = F32(np.nan)
                elif a > ab:
                    ab = a
            if fmt == "nvfp4":
                ds = ab / F32(6) * g
                ds = F32(448) if ds > 448 else ds
                b = ref.e4m3_round(f32(ds))[0]
                d = ref.e4m3_decode(b)
                e = F32(1) / (d * ts)
                e = FLT_MAX if e > FLT_MAX else e
            elif fmt == "mxfp4":
                if np.isnan(ab):
                    b = 255
                elif ab == 0:
                    b = 0
                elif np.isinf(ab):
                    b = 254
                else:
                    b = min(max(int(np.floor(np.log2(np.float64(ab)))) - 2,
                                -127), 127) + 127
                d = ref.e8m0_decode(np.uint8(b))
            else:
                d = ab / F32(6) + F32(1e-9)
                b = 0
            scales[bidx] = d
            sbits[bidx] = b
            for i in elems(False):
                if fmt == "nvfp4":
                    v = x[i] * e
                elif fmt == "mxfp4":
                    v = x[i] / d
                else:
                    v = x[i] / d
                if fmt != "fp4e2m1b":
                    v = F32(6) if v > 6 else (F32(-6) if v < -6 else v)
                codes[i] = ref.e2m1_round(f32(v))[0]
    return codes, scales, sbits, (ts if fmt == "nvfp4" else F32(1))


_SHAPES = [
    ((16,), 0), ((32,), -1), ((4, 32), 1), ((32, 4), 0), ((32, 16), 1),
    ((2, 3, 32), 2), ((2, 32, 3), 1), ((32, 2, 3), 0), ((2, 2, 2, 32), 3),
    ((2, 32, 1, 2), 1),
]


@pytest.mark.parametrize("shape,axis,fmt", [
    (shape, axis, fmt) for shape, axis in _SHAPES
    for fmt in ("nvfp4", "mxfp4", "fp4e2m1b")
    # Only shapes whose axis divides into the format's blocks.
    if shape[axis] % (32 if fmt == "mxfp4" else 16) == 0
])
def test_vectorized_matches_scalar_restatement(shape, axis, fmt):
    rng = np.random.default_rng(zlib.crc32(repr((shape, axis, fmt)).encode()))
    x = (rng.standard_normal(shape) *
         np.exp2(rng.integers(-8, 8, shape))).astype(np.float32)
    x.flat[0] = 0.0
    q = ref.quantize(x, fmt, axis=axis)
    codes, scales, sbits, ts = _scalar_quantize(x, fmt, axis)
    assert q.codes.tolist() == codes.tolist()
    assert bits32(q.block_scales).tolist() == bits32(scales).tolist()
    if fmt != "fp4e2m1b":
        assert q.scale_bits.tolist() == sbits.tolist()
    assert bits32(q.tensor_scale) == bits32(ts)
    assert q.values.shape == x.shape and q.values.dtype == np.float32
    assert ref.dequantize(q).shape == x.shape


@pytest.mark.parametrize("axis", [0, 1])
def test_vectorized_tiles_match_scalar_restatement(axis):
    rng = np.random.default_rng(7 + axis)
    x = (rng.standard_normal((32, 48)) *
         np.exp2(rng.integers(-6, 6, (32, 48)))).astype(np.float32)
    q = ref.quantize(x, "nvfp4", axis=axis, block=(16, 16))
    codes, scales, sbits, ts = _scalar_quantize(x, "nvfp4", axis, tiles=True)
    assert q.codes.tolist() == codes.tolist()
    assert q.scale_bits.tolist() == sbits.tolist()
    assert bits32(q.tensor_scale) == bits32(ts)


def test_dequantize_order():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 32)).astype(np.float32)
    for fmt in ["nvfp4", "mxfp4", "fp4e2m1b"]:
        q = ref.quantize(x, fmt, axis=1)
        B = q.block
        s = np.repeat(q.block_scales * q.tensor_scale, B, axis=1)
        assert bits32(ref.dequantize(q)).tolist() == bits32(q.values * s).tolist()


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs,msg", [
    (dict(x=np.zeros((4, 24), np.float32), axis=1), "multiple"),
    (dict(x=np.zeros((4, 16), np.float32), format="mxfp4", axis=1), "multiple"),
    (dict(x=np.zeros(16, np.float32), format="nvfp8"), "unknown format"),
    (dict(x=np.zeros((2, 16, 16), np.float32), block=(16, 16)), "2-D"),
    (dict(x=np.zeros((8, 16), np.float32), axis=1, block=(16, 16)), "multiple"),
    (dict(x=np.zeros((16, 16), np.float32), format="mxfp4", block=(16, 16)),
     "only defined for nvfp4"),
    (dict(x=np.zeros(32, np.float32), format="nvfp4", block=32), "block size"),
    (dict(x=np.zeros(32, np.float32), axis=1), "out of range"),
    (dict(x=np.float32(1.0)), "rank"),
    (dict(x=np.zeros((0, 16), np.float32)), "empty"),
    (dict(x=np.zeros(16, np.complex64)), "real"),
])
def test_bad_input(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        ref.quantize(**kwargs)
