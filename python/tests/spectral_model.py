"""numpy model of metis-expand-spectral (docs/Passes.md), shared by
test_expand_spectral.py and test_spectral_matmul.py.

Given the operands and, for a split operand, its factors (U, S, Vᵀ, R), the
model quantizes exactly as the expansion says with the oracle
(``metis.reference``) and forms ``Â @ B̂.T`` in float64 from the dequantized
pieces: per operand ``X̂ = c·deq(Q(R or R')) + Ũ·diag(S')·Ṽt`` (or
``deq(Q(X))`` unsplit). It shares no code with the compiler or with
``metis.api``.
"""

import numpy as np

from metis import reference as ref

F32 = np.float32
SEED_STEP = 0x9E3779B97F4A7C15
#: Tag of every random use (Passes.td): seed ^ (tag * SEED_STEP mod 2^64).
TAGS = {"lhs_split": 1, "rhs_split": 2, "lhs_main": 3, "rhs_main": 4,
        "lhs_u": 5, "lhs_vt": 6, "rhs_u": 7, "rhs_vt": 8}


def derived_seed(seed, tag, tags=None):
    t = (tags or TAGS)[tag]
    return (int(seed) ^ (t * SEED_STEP)) & 0xFFFFFFFFFFFFFFFF


def bf16_round(x):
    """float32 -> nearest-even bfloat16, returned as float32 (finite x)."""
    b = np.ascontiguousarray(x, F32).view(np.uint32).astype(np.uint64)
    r = ((b + 0x7FFF + ((b >> 16) & 1)) >> 16) << 16
    return r.astype(np.uint32).view(F32)


def fake_quant(x, fmt, axis, rounding, seed, tag, block=None, tags=None):
    stochastic = rounding == "stochastic"
    q = ref.quantize(x, fmt, axis=axis, block=block, rounding=rounding,
                     seed=derived_seed(seed, tag, tags) if stochastic else 0)
    return ref.dequantize(q)


def gains(s, gain):
    """(S', c) of a spectral gain."""
    s = np.asarray(s, np.float64)
    if gain == "none":
        return s, 1.0
    if gain == "reference":
        return s * np.where(np.arange(len(s)) < 5, 1.0, 0.5), 2.0
    if s[0] == 0:
        return np.zeros_like(s), 2.0
    return 2 * s / (1 + s / s[0]), 2.0


def operand(x, fmt, rounding, split, seed, side, factors=None, block=None,
            tags=None):
    """X̂ (float64) of one operand. ``split``: None or a dict with
    factors / residual / gain; ``factors``: (U, S, Vt, R) float32."""
    if not split:
        return fake_quant(x, fmt, -1, rounding, seed, f"{side}_main", block,
                          tags).astype(np.float64)
    u, s, vt, r = factors
    if split["factors"] == "fp4":
        vq = fake_quant(vt, fmt, 1, rounding, seed, f"{side}_vt", None, tags)
        uq = fake_quant(u, fmt, 0, rounding, seed, f"{side}_u", None, tags)
    elif split["factors"] == "bf16":
        vq, uq = bf16_round(vt), bf16_round(u)
    else:
        vq, uq = vt, u
    if split["residual"] == "compensated" and split["factors"] != "f32":
        r = (x.astype(F32) - (uq * s[None, :]) @ vq).astype(F32)
    main = fake_quant(r, fmt, 1, rounding, seed, f"{side}_main", block, tags)
    sg, c = gains(s, split["gain"])
    return c * main.astype(np.float64) + (uq.astype(np.float64) * sg) @ \
        vq.astype(np.float64)


def power_law(rows, cols, rng, alpha=1.0, scale=10.0):
    """rows x cols float32 with singular values scale * i^-alpha and random
    singular vectors."""
    q1, _ = np.linalg.qr(rng.standard_normal((rows, rows)))
    q2, _ = np.linalg.qr(rng.standard_normal((cols, cols)))
    n = min(rows, cols)
    sv = scale * np.arange(1, n + 1, dtype=np.float64) ** -alpha
    return ((q1[:, :n] * sv) @ q2[:, :n].T).astype(F32)


def exact_split(x, rank):
    """A truncated SVD of x: float32 (U, S, Vt, R)."""
    u, s, vt = np.linalg.svd(x.astype(np.float64), full_matrices=False)
    u, s, vt = u[:, :rank], s[:rank], vt[:rank]
    r = x.astype(np.float64) - (u * s) @ vt
    return u.astype(F32), s.astype(F32), vt.astype(F32), r.astype(F32)
