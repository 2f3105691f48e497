"""Independent numpy model of ``metis.spectral_split`` (docs/SpectralSplit.md).

Written from the definition, sharing no code with the lowering: the random
test matrices (Philox4x32-10 via :func:`metis.reference.philox4x32`), the
row sample, CGS2 with its rank-deficiency rule, the power iterations, the
one-sided Jacobi SVD of the small ``l×l`` factor and the descending sort.

The compiled op accumulates every dot product sequentially in f32; this model
uses numpy's (BLAS) products in ``dtype`` (float64 by default), so the two
agree to rounding, not bit for bit: the model is the reference for *what* is
computed (which Ω, which rows, which iteration), and float64 makes its own
rounding negligible in the comparisons.

    omega = sketch_matrix(n, l, "gaussian", seed)      # N×l, float32
    rows  = sampled_rows(m, l, seed)                   # l distinct row indices
    u, s, vt, r[, subspace] = spectral_split(x, rank, oversample=4,
        power_iters=2, sketch="gaussian", seed=0, warm_start=None)
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from .reference import philox4x32

__all__ = ["SKETCHES", "RANK_TOL", "JACOBI_TOL", "JACOBI_MAX_SWEEPS",
           "SKETCH_STREAM", "ROWS_STREAM", "sketch_width", "sketch_matrix",
           "sampled_rows", "orth", "gram_cancellation", "jacobi_svd",
           "spectral_split"]

SKETCHES = ("gaussian", "rademacher", "sparse_sign", "row_sampling")
#: A column whose norm after CGS2 is <= RANK_TOL × its norm before is zeroed.
RANK_TOL = 2.0 ** -20
#: One-sided Jacobi rotates columns p, q iff |a_p·a_q| > JACOBI_TOL·‖a_p‖‖a_q‖.
JACOBI_TOL = 2.0 ** -23
JACOBI_MAX_SWEEPS = 30
#: Philox counter word 2 of the sketch entries and of the row sample (the
#: stochastic rounding of metis.quantize uses 0).
SKETCH_STREAM = 1
ROWS_STREAM = 2
_M32 = 0xFFFFFFFF


def sketch_width(m: int, n: int, rank: int, oversample: int) -> int:
    """l = min(rank + oversample, min(m, n))."""
    return min(rank + oversample, min(m, n))


def _philox(counter_lo, stream: int, seed: int):
    """Philox4x32-10 words (..., 4) of counters (index lo, index hi, stream,
    0) under key (seed lo, seed hi)."""
    idx = np.asarray(counter_lo, dtype=np.uint64)
    s = int(seed) & 0xFFFFFFFFFFFFFFFF
    ctr = np.stack([idx & _M32, idx >> np.uint64(32),
                    np.full(idx.shape, stream, dtype=np.uint64),
                    np.zeros(idx.shape, dtype=np.uint64)], axis=-1)
    return philox4x32(ctr, np.array([s & _M32, s >> 32], dtype=np.uint64))


def sketch_matrix(n: int, l: int, kind: str, seed: int) -> np.ndarray:
    """The test matrix Ω (N×l, float32) of a gaussian, rademacher or
    sparse_sign sketch: entry (i, j) from the Philox words of counter
    (i·l + j, 0, SKETCH_STREAM, 0)."""
    idx = np.arange(n * l, dtype=np.uint64).reshape(n, l)
    w = _philox(idx, SKETCH_STREAM, seed)
    r0, r1 = w[..., 0], w[..., 1]
    if kind == "gaussian":
        scale = np.float32(2.0 ** -24)
        u1 = ((r0 >> 8).astype(np.float32) + np.float32(0.5)) * scale
        u2 = ((r1 >> 8).astype(np.float32) + np.float32(0.5)) * scale
        rad = np.sqrt(np.float32(-2.0) * np.log(u1))
        return (rad * np.cos(np.float32(2 * np.pi) * u2)).astype(np.float32)
    sign = np.where((r0 if kind == "rademacher" else r1) >> 31, -1.0, 1.0)
    if kind == "rademacher":
        return sign.astype(np.float32)
    if kind == "sparse_sign":
        nnz = min(8, l)
        keep = (r0 >> 8).astype(np.uint64) * np.uint64(l) < np.uint64(nnz << 24)
        return np.where(keep, sign, 0.0).astype(np.float32)
    raise ValueError(f"sketch_matrix: no test matrix for sketch {kind!r}")


def sampled_rows(m: int, l: int, seed: int) -> np.ndarray:
    """The l distinct rows of a row_sampling sketch: the first l entries of a
    partial Fisher–Yates shuffle of 0..m-1; step t swaps entries t and
    t + (w mod (m - t)), w = word1·2^32 + word0 of Philox counter
    (t, 0, ROWS_STREAM, 0)."""
    perm = np.arange(m, dtype=np.int64)
    w = _philox(np.arange(l, dtype=np.uint64), ROWS_STREAM, seed)
    for t in range(l):
        r = (int(w[t, 1]) << 32) | int(w[t, 0])
        j = t + r % (m - t)
        perm[t], perm[j] = perm[j], perm[t]
    return perm[:l].copy()


def orth(y: np.ndarray, tol: float = RANK_TOL, coefficients: bool = False):
    """Classical Gram–Schmidt twice, column by column; a column whose norm
    after the two projections is <= tol × its norm before (or 0) becomes 0;
    a NaN norm keeps the (NaN) column. With ``coefficients``, also T with
    Q = Y·T: the same steps applied to the unit vectors (zero where Q is)."""
    y = np.array(y)
    l = y.shape[1]
    q = np.zeros_like(y)
    t = np.zeros((l, l), y.dtype)
    for j in range(l):
        v, tj = y[:, j].copy(), np.eye(l, dtype=y.dtype)[:, j]
        n0 = np.sqrt(np.dot(v, v))
        for _ in range(2):
            c = q[:, :j].T @ v
            v, tj = v - q[:, :j] @ c, tj - t[:, :j] @ c
        n1 = np.sqrt(np.dot(v, v))
        if n1 <= tol * n0 or n1 == 0:
            continue
        q[:, j], t[:, j] = v / n1, tj / n1
    return (q, t) if coefficients else q


def gram_cancellation(x, v, tol: float = RANK_TOL, dtype=np.float64) -> float:
    """The cancellation that decides an iteration's Z (docs/SpectralSplit.md,
    step 2): max over columns j of Σ_s ‖G_s‖·|T[s][j]| / ‖Z₁_j‖ for
    Y = X·V, G = Xᵀ·Y, Q = orth(Y) = Y·T and Z₁ = G·T, computed in
    ``dtype`` (0 for a zero column of T). The compiled op takes the one
    pass when its f32 value is at most 128. Near the bound, and for a
    rank-deficient X (whose trailing columns of Y are f32 rounding noise,
    kept or zeroed by the 2^-20 test depending on that noise), only
    ``dtype=np.float32`` is indicative."""
    x = np.asarray(x, dtype=np.float32).astype(dtype)
    y = x @ np.asarray(v, dtype=np.float32).astype(dtype)
    _, t = orth(y, tol, coefficients=True)
    g = x.T @ y
    z = g @ t
    bound = np.linalg.norm(g, axis=0) @ np.abs(t)
    zn = np.linalg.norm(z, axis=0)
    live = bound > 0
    if not live.any():
        return 0.0
    with np.errstate(divide="ignore"):
        return float(np.max(bound[live] / zn[live]))


def jacobi_svd(r: np.ndarray, tol: float = JACOBI_TOL,
               max_sweeps: int = JACOBI_MAX_SWEEPS):
    """One-sided (Hestenes) Jacobi SVD of the square r: cyclic sweeps over
    pairs p < q, rotating columns p, q of A (= r·W) when |γ| > tol·√α·√β,
    until a sweep rotates nothing or after max_sweeps. Returns (ur, sigma, w,
    sweeps) unsorted: r = ur·diag(sigma)·wᵀ, columns of ur zero where
    sigma = 0."""
    a = np.array(r)
    l = a.shape[1]
    w = np.eye(l, dtype=a.dtype)
    sweeps = 0
    rotated = True
    while rotated and sweeps < max_sweeps:
        rotated = False
        for p in range(l - 1):
            for q in range(p + 1, l):
                alpha = np.dot(a[:, p], a[:, p])
                beta = np.dot(a[:, q], a[:, q])
                gamma = np.dot(a[:, p], a[:, q])
                if not abs(gamma) > tol * np.sqrt(alpha) * np.sqrt(beta):
                    continue
                rotated = True
                zeta = (beta - alpha) / (2 * gamma)
                t = np.copysign(1.0, zeta) / (abs(zeta) + np.sqrt(1 + zeta * zeta))
                c = 1 / np.sqrt(1 + t * t)
                s = c * t
                ap, aq = a[:, p].copy(), a[:, q].copy()
                a[:, p], a[:, q] = c * ap - s * aq, s * ap + c * aq
                wp, wq = w[:, p].copy(), w[:, q].copy()
                w[:, p], w[:, q] = c * wp - s * wq, s * wp + c * wq
        sweeps += 1
    sigma = np.sqrt(np.sum(a * a, axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        ur = np.where(sigma == 0, 0, a / sigma)
    return ur, sigma, w, sweeps


def _descending(sigma: np.ndarray) -> np.ndarray:
    """Stable descending order; NaN sorts as +Inf."""
    key = np.where(np.isnan(sigma), np.inf, sigma)
    return np.argsort(-key, kind="stable")


def spectral_split(x, rank: int, oversample: int = 4, power_iters: int = 2,
                   sketch: str = "gaussian", seed: int = 0,
                   warm_start: Optional[np.ndarray] = None,
                   dtype=np.float64, return_info: bool = False):
    """(u, s, vt, r) — and the l-column subspace V·W when warm_start is
    given — of ``metis.spectral_split``, computed in ``dtype``."""
    x = np.asarray(x, dtype=np.float32).astype(dtype)
    m, n = x.shape
    l = sketch_width(m, n, rank, oversample)
    if warm_start is not None:
        v = orth(np.asarray(warm_start, dtype=np.float32).astype(dtype))
        iters = power_iters
    elif sketch == "row_sampling":
        v = orth(x[sampled_rows(m, l, seed)].T)
        iters = power_iters
    else:
        v = sketch_matrix(n, l, sketch, seed).astype(dtype)  # not orthonormal
        iters = power_iters + 1
    for _ in range(iters - 1):
        q = orth(x @ v)
        v = orth(x.T @ q)
    if iters > 0:
        # The last iteration's Q and Z = Xᵀ·Q: Rb = Qᵀ·X·V = Zᵀ·V.
        qb = orth(x @ v)
        z = x.T @ qb
        v = orth(z)
        rb = z.T @ v
    else:
        b = x @ v
        qb = orth(b)
        rb = qb.T @ b
    ur, sigma, w, sweeps = jacobi_svd(rb)
    order = _descending(sigma)
    u = qb @ ur[:, order[:rank]]
    s = sigma[order[:rank]]
    vw = v @ w[:, order]
    vt = vw[:, :rank].T.copy()
    vt[s == 0] = 0  # a zero singular value's right vector is zeroed
    r = x - (u * s) @ vt
    out = (u, s, vt, r) + ((vw,) if warm_start is not None else ())
    if return_info:
        return out, {"sweeps": sweeps, "l": l, "v": v}
    return out
