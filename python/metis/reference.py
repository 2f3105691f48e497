"""Independent numpy oracle of metis's block-scaled FP4 formats.

This module re-implements, from the written definition of ``metis.quantize``
(and ``metis.dequantize``) only, the numerics of the three FP4 formats of the
``metis`` dialect:

* ``nvfp4``    -- E2M1 values, one E4M3FN block scale per 16 elements along the
  axis (optionally per 16x16 tile on 2-D inputs), one float32 tensor scale
  (TransformerEngine's reference quantizer, in its operation order);
* ``mxfp4``    -- E2M1 values, one E8M0 block scale per 32 elements (OCP MX);
* ``fp4e2m1b`` -- E2M1 values, one float32 block scale per 16 elements.

It deliberately shares no code with the compiler (``lib/``): it is the test
oracle the constant folder and the lowerings are checked against, bit for
bit.  Every arithmetic step is done in float32 (numpy float32 arrays and
``np.float32`` scalars only -- a Python ``float`` next to an ``np.float32``
scalar would silently promote to float64), in the order of the definition.
The narrow-format roundings (E2M1, E4M3FN, E8M0) are done explicitly on the
exponent and mantissa, not through any library cast.

Public API::

    q = quantize(x, format="nvfp4", axis=-1, block=None,
                 rounding="rne", seed=0)       # rounding: "rne" | "stochastic"
    y = dequantize(q)
    e2m1_round_stochastic(v, r) -> codes (uint8)
    philox4x32(ctr, key) -> 4 uint32 words     element_random(seed, index)
    e2m1_round(x) -> codes (uint8)     e2m1_decode(codes) -> float32
    e4m3_round(x) -> bits  (uint8)     e4m3_decode(bits)  -> float32
    e8m0_encode(exponent) -> bits      e8m0_decode(bits)  -> float32
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple, Union

import numpy as np

__all__ = [
    "FORMATS",
    "FLT_MAX",
    "E2M1_GRID",
    "E4M3_MAX",
    "Quantized",
    "quantize",
    "dequantize",
    "e2m1_round",
    "e2m1_decode",
    "e2m1_round_stochastic",
    "philox4x32",
    "element_random",
    "ROUNDINGS",
    "e4m3_round",
    "e4m3_decode",
    "e8m0_encode",
    "e8m0_decode",
]

_F32 = np.float32

#: Largest finite float32.
FLT_MAX = _F32(np.finfo(np.float32).max)

#: Non-negative E2M1 grid; the low 3 bits of a code index into it.
E2M1_GRID = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0], dtype=np.float32)

#: Largest finite E4M3FN value and its byte.
E4M3_MAX = _F32(448.0)
E4M3_MAX_BITS = 0x7E
E4M3_NAN_BITS = 0x7F
E8M0_NAN_BITS = 0xFF

#: Format name -> (default block size along the axis, scale element type).
FORMATS = {
    "nvfp4": (16, "f8E4M3FN"),
    "mxfp4": (32, "f8E8M0FNU"),
    "fp4e2m1b": (16, "f32"),
}

_TWO_POW_M6 = _F32(2.0 ** -6)  # smallest normal E4M3FN

#: Rounding modes of the final E2M1 step of ``metis.quantize``.
ROUNDINGS = ("rne", "stochastic")


def _as_f32(x) -> np.ndarray:
    """``x`` as a float32 ndarray (no copy when it already is one)."""
    return np.asarray(x, dtype=np.float32)


# ---------------------------------------------------------------------------
# E2M1
# ---------------------------------------------------------------------------


def e2m1_round(x) -> np.ndarray:
    """Round float32 values to E2M1 codes (uint8, ``sign << 3 | index``).

    Round to nearest, ties to even on the 1-bit mantissa (0.25->0, 0.75->1,
    1.25->1, 1.75->2, 2.5->2, 3.5->4, 5->4), saturating at +-6 (Inf included),
    sign kept (-0.25 -> -0, code 8).  NaN -> code 0 (+0).
    """
    x = _as_f32(x)
    nan = np.isnan(x)
    a = np.where(nan, _F32(0), np.abs(x)).astype(np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        # [0, 2): step 0.5 -> index = rint(2a)  (0 .. 4; 4 is the code of 2.0)
        q_lo = np.rint(a * _F32(2))
        # [2, 4): step 1   -> index = rint(a) + 2  (4 .. 6)
        q_mid = np.rint(a) + _F32(2)
        # [4, inf]: step 2 -> index = min(rint(a/2), 3) + 4  (6 .. 7)
        q_hi = np.minimum(np.rint(a * _F32(0.5)), _F32(3)) + _F32(4)
    idx = np.where(a < _F32(2), q_lo, np.where(a < _F32(4), q_mid, q_hi))
    codes = idx.astype(np.uint8)
    neg = np.signbit(x) & ~nan
    codes = np.where(neg, codes | np.uint8(8), codes).astype(np.uint8)
    return codes


def e2m1_decode(codes) -> np.ndarray:
    """Decode E2M1 codes (low 4 bits) to float32 (code 8 -> -0.0)."""
    c = np.asarray(codes).astype(np.uint8)
    if np.any(c > 15):
        raise ValueError("e2m1_decode: E2M1 codes are 4-bit values (0..15)")
    mag = E2M1_GRID[c & 7]
    return np.where((c & 8) != 0, -mag, mag).astype(np.float32)


# ---------------------------------------------------------------------------
# Philox4x32-10 (Salmon, Moraes, Dror, Shaw, SC'11; Random123 reference)
# ---------------------------------------------------------------------------

_PHILOX_M0 = np.uint64(0xD2511F53)
_PHILOX_M1 = np.uint64(0xCD9E8D57)
_PHILOX_W0 = np.uint64(0x9E3779B9)
_PHILOX_W1 = np.uint64(0xBB67AE85)
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)


def _mulhilo32(m: np.uint64, c: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """(hi, lo) 32-bit halves of the 64-bit product ``m * c`` (c < 2^32)."""
    p = m * c                                   # < 2^64: exact in uint64
    return p >> _SHIFT32, p & _MASK32


def philox4x32(ctr, key, rounds: int = 10) -> np.ndarray:
    """Philox4x32-``rounds`` of counters ``ctr`` (..., 4) under keys ``key``
    (..., 2), both of 32-bit words (broadcast against each other).

    One round: ``(hi0, lo0) = mulhilo32(M0, c0)``, ``(hi1, lo1) =
    mulhilo32(M1, c2)``, ``c = [hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0]``; the
    key is bumped by the Weyl constants (mod 2^32) before every round but the
    first.  Returns the 4 output words, uint32, shape (..., 4).
    """
    c = np.asarray(ctr, dtype=np.uint64)
    k = np.asarray(key, dtype=np.uint64)
    if c.shape[-1:] != (4,) or k.shape[-1:] != (2,):
        raise ValueError("philox4x32: counter is (..., 4) words, key (..., 2)")
    if np.any(c > _MASK32) or np.any(k > _MASK32):
        raise ValueError("philox4x32: counter and key words are 32-bit")
    c0, c1, c2, c3 = (c[..., i] for i in range(4))
    k0, k1 = k[..., 0], k[..., 1]
    for r in range(rounds):
        if r > 0:
            k0 = (k0 + _PHILOX_W0) & _MASK32
            k1 = (k1 + _PHILOX_W1) & _MASK32
        hi0, lo0 = _mulhilo32(_PHILOX_M0, c0)
        hi1, lo1 = _mulhilo32(_PHILOX_M1, c2)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return np.stack(np.broadcast_arrays(c0, c1, c2, c3), axis=-1).astype(np.uint32)


def element_random(seed, index) -> np.ndarray:
    """Random word (uint32) of the elements at linear ``index`` (int64, >= 0)
    of a stochastic ``metis.quantize`` with i64 ``seed``: the first output
    word of Philox4x32-10 with counter ``(index mod 2^32, index >> 32, 0, 0)``
    and key ``(seed mod 2^32, seed >> 32)``, the seed read as unsigned 64-bit.
    """
    s = int(seed) & 0xFFFFFFFFFFFFFFFF
    idx = np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise ValueError("element_random: index must be an integer array")
    if np.any(idx < 0):
        raise ValueError("element_random: index must be non-negative")
    idx = idx.astype(np.uint64)
    zero = np.zeros(idx.shape, dtype=np.uint64)
    ctr = np.stack([idx & _MASK32, idx >> _SHIFT32, zero, zero], axis=-1)
    key = np.array([s & 0xFFFFFFFF, s >> 32], dtype=np.uint64)
    return philox4x32(ctr, key)[..., 0]


def e2m1_round_stochastic(v, r) -> np.ndarray:
    """Stochastically round float32 values ``v`` to E2M1 codes with the
    random words ``r`` (uint32, broadcast against ``v``).

    With ``a = |v|``, ``lo`` the largest grid magnitude <= a and ``hi`` the
    next: ``a >= 6`` (Inf included) -> magnitude 6 (index 7); else ``frac =
    (a - lo) / (hi - lo)`` (exact in float32), ``u = float32(r >> 8) * 2^-24``
    and the magnitude is ``hi`` iff ``u < frac``, else ``lo``.  The sign is
    kept (a negative value rounding to 0 gives -0, code 8); NaN -> code 0.
    """
    v = _as_f32(v)
    r = np.asarray(r, dtype=np.uint32)
    nan = np.isnan(v)
    a = np.where(nan, _F32(0), np.abs(v)).astype(np.float32)
    # index of lo: number of grid points <= a, minus one (0 .. 7)
    lo_idx = (np.searchsorted(E2M1_GRID, a, side="right") - 1).astype(np.int64)
    sat = a >= _F32(6)
    lo_idx = np.where(sat, 7, lo_idx)
    hi_idx = np.minimum(lo_idx + 1, 7)
    lo = E2M1_GRID[lo_idx]
    hi = E2M1_GRID[hi_idx]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        step = np.where(sat, _F32(1), hi - lo).astype(np.float32)
        frac = ((a - lo) / step).astype(np.float32)
    u = (r >> np.uint32(8)).astype(np.float32) * _F32(2.0 ** -24)
    up = (u < frac) & ~sat
    idx = np.where(up, hi_idx, lo_idx)
    codes = idx.astype(np.uint8)
    neg = np.signbit(v) & ~nan
    codes = np.where(neg, codes | np.uint8(8), codes).astype(np.uint8)
    return np.broadcast_to(codes, np.broadcast(v, r).shape).astype(np.uint8)


# ---------------------------------------------------------------------------
# E4M3FN (bias 7, 3 mantissa bits, no Inf, NaN = S.1111.111, max 448)
# ---------------------------------------------------------------------------


def e4m3_round(x, saturate: bool = True) -> np.ndarray:
    """Round float32 values to E4M3FN bytes (round to nearest, ties to even).

    Normals ``2^(E-7) * (1 + M/8)`` (E = 1..15), subnormals ``M * 2^-9``;
    the sign is kept (-0 -> 0x80).  NaN -> 0x7F.  Magnitudes that round above
    448 (and +-Inf) saturate to +-448 when ``saturate`` (the metis op never
    gets there: it clamps to 448 first), else become NaN (0x7F).
    """
    x = _as_f32(x)
    nan = np.isnan(x)
    a = np.abs(x)
    inf = np.isinf(a)
    a = np.where(nan | inf, _F32(0), a).astype(np.float32)

    # Subnormal range (a < 2^-6): count of 2^-9 steps; a * 512 is exact.
    # A result of 8 is the byte 0x08 = smallest normal 2^-6, as required.
    a_sub = np.where(a < _TWO_POW_M6, a, _F32(0)).astype(np.float32)
    q_sub = np.rint(a_sub * _F32(512)).astype(np.int64)

    # Normal range: a = m * 2^e with m in [0.5, 1), i.e. 2m in [1, 2) and the
    # unbiased exponent is e - 1.  m * 16 (exact) in [8, 16) -> rint -> r in
    # [8, 16]; byte = (e - 1 + 7) * 8 + (r - 8) = (e + 5) * 8 + r.  r == 16
    # carries into the exponent field by itself.
    m, e = np.frexp(a)
    r = np.rint(m * _F32(16)).astype(np.int64)
    q_norm = (e.astype(np.int64) + 5) * 8 + r

    mag = np.where(a < _TWO_POW_M6, q_sub, q_norm)
    too_big = (mag > E4M3_MAX_BITS) | inf
    if saturate:
        mag = np.where(too_big, E4M3_MAX_BITS, mag)
    else:
        mag = np.where(too_big, E4M3_NAN_BITS, mag)
    neg = np.signbit(x) & ~nan
    if not saturate:
        neg = neg & ~too_big
    bits = np.where(neg, mag | 0x80, mag)
    bits = np.where(nan, E4M3_NAN_BITS, bits)
    return bits.astype(np.uint8)


def e4m3_decode(bits) -> np.ndarray:
    """Decode E4M3FN bytes to float32 (0x7F / 0xFF -> NaN)."""
    b = np.asarray(bits).astype(np.int64)
    if np.any((b < 0) | (b > 255)):
        raise ValueError("e4m3_decode: E4M3FN values are bytes (0..255)")
    mag_bits = b & 0x7F
    E = mag_bits >> 3
    M = mag_bits & 7
    # All E4M3 values are exact in float32 (and float64); build them exactly.
    sub = np.ldexp(M.astype(np.float32), -9)
    norm = np.ldexp((M + 8).astype(np.float32), (E - 10).astype(np.int32))
    mag = np.where(E == 0, sub, norm).astype(np.float32)
    val = np.where((b & 0x80) != 0, -mag, mag).astype(np.float32)
    return np.where(mag_bits == 0x7F, _F32(np.nan), val).astype(np.float32)


# ---------------------------------------------------------------------------
# E8M0 (byte e + 127 encodes 2^e, e in [-127, 127]; 0xFF = NaN)
# ---------------------------------------------------------------------------


def e8m0_encode(exponent) -> np.ndarray:
    """Byte of ``2^exponent`` (exponent must lie in [-127, 127])."""
    e = np.asarray(exponent).astype(np.int64)
    if np.any((e < -127) | (e > 127)):
        raise ValueError("e8m0_encode: exponent must lie in [-127, 127]")
    return (e + 127).astype(np.uint8)


def e8m0_decode(bits) -> np.ndarray:
    """Decode E8M0 bytes to float32 (0xFF -> NaN; 0x00 -> 2^-127, subnormal)."""
    b = np.asarray(bits).astype(np.int64)
    if np.any((b < 0) | (b > 255)):
        raise ValueError("e8m0_decode: E8M0 values are bytes (0..255)")
    e = np.where(b == E8M0_NAN_BITS, 0, b - 127).astype(np.int32)
    val = np.ldexp(np.ones(b.shape, dtype=np.float32), e)
    return np.where(b == E8M0_NAN_BITS, _F32(np.nan), val).astype(np.float32)


# ---------------------------------------------------------------------------
# Quantize / dequantize
# ---------------------------------------------------------------------------


@dataclass
class Quantized:
    """Result of :func:`quantize`.

    ``codes``        uint8 E2M1 codes, shape of the input.
    ``values``       float32 E2M1 grid values of ``codes`` (signs kept).
    ``block_scales`` float32 decoded block scales, shape of the input with
                     dim ``axis`` divided by the block size (per-row layout,
                     also for 16x16 tiles).
    ``scale_bits``   uint8 E4M3FN (nvfp4) / E8M0 (mxfp4) bytes of the block
                     scales, ``None`` for fp4e2m1b (float32 scales).
    ``tensor_scale`` np.float32 decode tensor scale (1 unless nvfp4).
    """

    codes: np.ndarray
    values: np.ndarray
    block_scales: np.ndarray
    scale_bits: Optional[np.ndarray]
    tensor_scale: np.float32
    format: str
    axis: int
    block: int
    tiles: bool = False


def _check_block(fmt: str, block) -> Tuple[int, bool]:
    default, _ = FORMATS[fmt]
    if block is None:
        return default, False
    if isinstance(block, (tuple, list)):
        if len(block) == 2 and tuple(int(b) for b in block) == (16, 16):
            if fmt != "nvfp4":
                raise ValueError(
                    f"16x16 tiles are only defined for nvfp4, not {fmt!r}")
            return 16, True
        raise ValueError(
            f"block={tuple(block)!r}: the only 2-D block is (16, 16) (nvfp4)")
    try:
        b = int(block)
    except (TypeError, ValueError):
        raise ValueError(f"block must be an int or (16, 16), got {block!r}")
    if b != block or b != default:
        raise ValueError(
            f"format {fmt!r} has block size {default} along the axis, "
            f"got block={block!r}")
    return b, False


def _normalize_input(x) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiu" or arr.dtype == np.bool_:
        raise ValueError(
            f"quantize: input must be a real numeric array, got dtype {arr.dtype}")
    arr = arr.astype(np.float32)  # float32/float16 inputs convert exactly
    if arr.ndim < 1:
        raise ValueError("quantize: input must have rank >= 1 (got a 0-d array)")
    if arr.size == 0:
        raise ValueError(f"quantize: input of shape {arr.shape} is empty")
    return arr


def _normalize_axis(axis, ndim: int) -> int:
    try:
        ax = int(axis)
    except (TypeError, ValueError):
        raise ValueError(f"axis must be an integer, got {axis!r}")
    if ax != axis or not -ndim <= ax < ndim:
        raise ValueError(f"axis {axis!r} is out of range for rank {ndim}")
    return ax % ndim


def _block_amax(xt: np.ndarray, B: int, tiles: bool) -> np.ndarray:
    """NaN-propagating max|x| per block; ``xt`` has the axis last.

    Returns shape ``xt.shape[:-1] + (n // B,)``.
    """
    n = xt.shape[-1]
    a = np.abs(xt)
    if not tiles:
        return np.max(a.reshape(xt.shape[:-1] + (n // B, B)), axis=-1)
    rows = xt.shape[0]
    t = np.max(a.reshape(rows // 16, 16, n // B, B), axis=(1, 3))
    return np.repeat(t, 16, axis=0)  # every row of a tile gets the tile's amax


def quantize(x, format: str = "nvfp4", axis: int = -1,
             block: Union[None, int, Tuple[int, int]] = None,
             rounding: str = "rne", seed: int = 0) -> Quantized:
    """Quantize ``x`` to ``format`` along ``axis`` (float32 throughout).

    ``block`` is the block size along the axis (16 for nvfp4 and fp4e2m1b,
    32 for mxfp4; ``None`` picks it) or ``(16, 16)`` for nvfp4 16x16 tiles
    (2-D inputs only).  ``rounding`` is the final E2M1 rounding: ``"rne"``
    (round to nearest even) or ``"stochastic"`` (:func:`e2m1_round_stochastic`
    of the clamped scaled value with the random word
    :func:`element_random` ``(seed, i)`` of the element's row-major linear
    index ``i`` in ``x``; ``seed`` is the op's i64 seed).  Scales are the same
    in both modes.  Raises ``ValueError`` for an unknown format or rounding, a
    bad block, a non-divisible axis, or tiles on a non-2-D input.
    """
    if format not in FORMATS:
        raise ValueError(
            f"unknown format {format!r}; expected one of {sorted(FORMATS)}")
    if rounding not in ROUNDINGS:
        raise ValueError(
            f"unknown rounding {rounding!r}; expected one of {list(ROUNDINGS)}")
    try:
        seed_i = int(seed)
    except (TypeError, ValueError):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if seed_i != seed or not -(1 << 63) <= seed_i < (1 << 64):
        raise ValueError(f"seed {seed!r} is not a 64-bit integer")
    B, tiles = _check_block(format, block)
    x = _normalize_input(x)
    ax = _normalize_axis(axis, x.ndim)
    n = x.shape[ax]
    if n % B != 0:
        raise ValueError(
            f"size {n} of axis {ax} (shape {x.shape}) is not a multiple of "
            f"the {format} block size {B}")
    if tiles:
        if x.ndim != 2:
            raise ValueError(
                f"16x16 tiles need a 2-D input, got rank {x.ndim} (shape {x.shape})")
        other = x.shape[1 - ax]
        if other % 16 != 0:
            raise ValueError(
                f"16x16 tiles: size {other} of the non-quantized axis "
                f"{1 - ax} (shape {x.shape}) is not a multiple of 16")

    xt = np.moveaxis(x, ax, -1)

    if rounding == "stochastic":
        lin = np.arange(x.size, dtype=np.int64).reshape(x.shape)
        rnd = np.moveaxis(element_random(seed_i, lin), ax, -1)

        def _round(v):
            return e2m1_round_stochastic(v, rnd)
    else:
        _round = e2m1_round

    with np.errstate(divide="ignore", over="ignore", under="ignore",
                     invalid="ignore"):
        amax_b = _block_amax(xt, B, tiles)           # (..., n // B)

        if format == "nvfp4":
            amax = np.max(np.abs(xt))                # whole tensor, NaN-propagating
            g = _F32(2688) / _F32(amax)
            g = np.minimum(g, FLT_MAX)               # NaN stays NaN
            if g == _F32(0):
                g = _F32(1)
            ts = _F32(_F32(1) / g)
            ds = amax_b / _F32(6)
            ds = ds * g
            ds = np.minimum(ds, FLT_MAX)
            ds = np.minimum(np.maximum(ds, -E4M3_MAX), E4M3_MAX)  # NaN stays NaN
            bits = e4m3_round(ds)
            d = e4m3_decode(bits)
            enc = _F32(1) / (d * ts)
            enc = np.minimum(enc, FLT_MAX)
            v = xt * np.repeat(enc, B, axis=-1)
            v = np.minimum(np.maximum(v, _F32(-6)), _F32(6))
            codes = _round(v)
            tensor_scale = ts
        elif format == "mxfp4":
            nan = np.isnan(amax_b)
            m, e = np.frexp(amax_b)                  # amax = m 2^e, m in [0.5, 1)
            ex = e.astype(np.int64) - 1 - 2          # floor(log2 amax) - 2
            ex = np.where(amax_b == _F32(0), -127, ex)
            ex = np.where(np.isposinf(amax_b), 127, ex)
            ex = np.where(nan, 0, np.clip(ex, -127, 127))
            bits = np.where(nan, E8M0_NAN_BITS, ex + 127).astype(np.uint8)
            d = e8m0_decode(bits)
            v = xt / np.repeat(d, B, axis=-1)
            v = np.minimum(np.maximum(v, _F32(-6)), _F32(6))
            codes = _round(v)
            tensor_scale = _F32(1)
        else:  # fp4e2m1b
            d = amax_b / _F32(6) + _F32(1e-9)
            d = d.astype(np.float32)
            bits = None
            v = xt / np.repeat(d, B, axis=-1)
            # e2m1_round saturates by itself; the clamp is the definition's
            # and makes no difference to either rounding.
            v = np.minimum(np.maximum(v, _F32(-6)), _F32(6))
            codes = _round(v)
            tensor_scale = _F32(1)

    codes = np.moveaxis(codes, -1, ax).astype(np.uint8)
    d = np.ascontiguousarray(np.moveaxis(d.astype(np.float32), -1, ax))
    if bits is not None:
        bits = np.ascontiguousarray(np.moveaxis(bits.astype(np.uint8), -1, ax))
    codes = np.ascontiguousarray(codes)
    return Quantized(codes=codes, values=e2m1_decode(codes), block_scales=d,
                     scale_bits=bits, tensor_scale=_F32(tensor_scale),
                     format=format, axis=ax, block=B, tiles=tiles)


def dequantize(q: Quantized) -> np.ndarray:
    """``value * (block_scale * tensor_scale)`` in float32, in that order."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        s = q.block_scales.astype(np.float32) * _F32(q.tensor_scale)
        s = np.repeat(s, q.block, axis=q.axis)
        return (q.values.astype(np.float32) * s).astype(np.float32)
