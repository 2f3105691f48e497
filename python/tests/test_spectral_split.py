"""metis.spectral_split (the compiled op, docs/SpectralSplit.md) against
numpy/scipy and against the numpy model of its definition
(metis.spectral_reference).

What is checked:
* the algebra: U·diag(S)·Vt + R == X to f32 rounding, orthonormal U and Vᵀ,
  S non-negative and non-increasing;
* the accuracy the randomized SVD promises: S within the Halko–Martinsson–
  Tropp (2011, Cor. 10.10) bound of the true singular values, the residual's
  spectral norm within σ_{k+1} + that bound, and power iterations that pay
  off (captured energy on a slowly decaying spectrum, subspace error on a
  gapped one) — which fail if the iterations or the orthonormalization are
  wrong;
* the definition: for every sketch kind (and warm start) the compiled result
  equals the float64 model run with the same Ω / rows to ~1e-5, while
  another seed is far away;
* determinism, degenerate inputs (zero, rank deficient, NaN, Inf), k close
  to min(M, N), M < N and M > N, and input validation.

Modules are shared between tests (one per shape and option set, 10 in all)
and built up front, two at a time, by the ``warm`` fixture. The libraries go
to a fresh temporary cache directory unless METIS_TEST_CACHE_DIR names one.

Run: cd /work/main && PYTHONPATH=python /usr/bin/python3 -m pytest -q \\
         python/tests/test_spectral_split.py
"""

import concurrent.futures

import numpy as np
import pytest
import scipy.linalg

import metis
from metis import api, runtime
from metis import spectral_reference as model
from testutil import compiled_module, same_bits

F32 = np.float32

pytestmark = compiled_module


# ---------------------------------------------------------------------------
# Configurations (each one compiled module)
# ---------------------------------------------------------------------------

M, N, K, P = 256, 192, 16, 4          # M > N; l = 20
CONFIGS = {
    "q0": dict(shape=(M, N), rank=K, oversample=P, power_iters=0),
    "q2": dict(shape=(M, N), rank=K, oversample=P, power_iters=2),
    "rademacher": dict(shape=(M, N), rank=K, oversample=P, power_iters=0,
                       sketch="rademacher"),
    "sparse_sign": dict(shape=(M, N), rank=K, oversample=P, power_iters=0,
                        sketch="sparse_sign"),
    "row_sampling": dict(shape=(M, N), rank=K, oversample=P, power_iters=0,
                         sketch="row_sampling"),
    "warm": dict(shape=(M, N), rank=K, oversample=P, power_iters=0,
                 warm=True),
    "warm_q1": dict(shape=(M, N), rank=K, oversample=P, power_iters=1,
                    warm=True),
    "small": dict(shape=(64, 48), rank=8, oversample=4, power_iters=2),
    "wide": dict(shape=(96, 160), rank=8, oversample=4, power_iters=2),
    # k = min(M, N) − 1 and l = min(M, N): the "randomized" SVD is exact.
    "full": dict(shape=(40, 32), rank=31, oversample=4, power_iters=1),
}


def _module(c):
    return api._spectral_split_module(
        c["shape"], c["rank"], c["oversample"], c["power_iters"],
        c.get("sketch", "gaussian"), c.get("warm", False))


@pytest.fixture(scope="module", autouse=True)
def warm(cache_dir):
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        for f in [ex.submit(runtime.load, _module(c))
                  for c in CONFIGS.values()]:
            f.result()


def split(x, config, seed=0, warm_start=None):
    c = CONFIGS[config]
    assert x.shape == c["shape"]
    return metis.spectral_split(
        x, c["rank"], oversample=c["oversample"],
        power_iters=c["power_iters"], sketch=c.get("sketch", "gaussian"),
        seed=seed, warm_start=warm_start)


def run_model(x, config, seed=0, warm_start=None):
    c = CONFIGS[config]
    return model.spectral_split(
        x, c["rank"], oversample=c["oversample"],
        power_iters=c["power_iters"], sketch=c.get("sketch", "gaussian"),
        seed=seed, warm_start=warm_start)


# ---------------------------------------------------------------------------
# Data: X = A·diag(σ)·Bᵀ with Haar-random A, B
# ---------------------------------------------------------------------------

def _haar(rng, n, r):
    q, rr = np.linalg.qr(rng.standard_normal((n, r)))
    return q * np.sign(np.diag(rr))


def with_spectrum(sigma, shape, seed):
    """(x float32, left vectors, σ, right vectors) of exact rank len(σ) in
    float64; x is its float32 rounding."""
    rng = np.random.default_rng(seed)
    m, n = shape
    a, b = _haar(rng, m, len(sigma)), _haar(rng, n, len(sigma))
    return ((a * sigma) @ b.T).astype(F32), a, np.asarray(sigma, float), b


def power_law(alpha, shape=(M, N), seed=1):
    i = np.arange(1, min(shape) + 1, dtype=float)
    return with_spectrum(i ** -alpha, shape, seed)


def gapped(shape=(M, N), k=K, seed=2):
    """k spikes in [10, 20] over a slowly decaying tail i^-0.5: a gap of 40
    at k, but a heavy tail that a single pass does not suppress."""
    i = np.arange(1, min(shape) + 1, dtype=float)
    sigma = np.where(i <= k, 20.0 - 10.0 * (i - 1) / (k - 1), 0.25 * i ** -0.5)
    return with_spectrum(sigma, shape, seed)


def true_svd(x):
    return np.linalg.svd(x.astype(np.float64), full_matrices=False)


def halko_bound(sigma, k, p, q):
    """E‖X − Q·Qᵀ·X‖₂ ≤ [(1 + √(k/(p−1)))·σ_{k+1}^{2q+1} + e·√(k+p)/p ·
    (Σ_{j>k} σ_j^{2(2q+1)})^{1/2}]^{1/(2q+1)} (Halko et al. Cor. 10.10),
    Q = orth((X·Xᵀ)^q·X·Ω): the split's last Q (docs/SpectralSplit.md)."""
    t = 2 * q + 1
    a = ((1 + np.sqrt(k / (p - 1))) * sigma[k] ** t
         + np.e * np.sqrt(k + p) / p * np.sqrt(np.sum(sigma[k:] ** (2 * t))))
    return a ** (1 / t)


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------

def check_algebra(x, u, s, vt, r, rank):
    m, n = x.shape
    assert u.shape == (m, rank) and s.shape == (rank,)
    assert vt.shape == (rank, n) and r.shape == (m, n)
    for a in (u, s, vt, r):
        assert a.dtype == F32 and np.isfinite(a).all()
    # Reconstruction to f32 rounding.
    low = (u.astype(float) * s) @ vt.astype(float)
    err = np.linalg.norm(low + r - x) / np.linalg.norm(x)
    assert err < 2e-6, err
    # S non-negative, non-increasing.
    assert (s >= 0).all() and (np.diff(s) <= 0).all(), s
    # Orthonormal U columns and Vt rows where S > 0.
    live = s > 0
    for f in (u[:, live].astype(float), vt[live].T.astype(float)):
        dev = np.abs(f.T @ f - np.eye(f.shape[1])).max()
        assert dev <= 1e-5, dev


def sin_theta(v_true, vt):
    """‖sin Θ‖₂ between span(v_true) (orthonormal columns) and span(vtᵀ)."""
    proj = v_true - vt.T.astype(float) @ (vt.astype(float) @ v_true)
    return np.linalg.norm(proj, 2)


def low_rank(u, s, vt):
    return (u.astype(float) * s) @ vt.astype(float)


def rel_diff(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


# ---------------------------------------------------------------------------
# Algebra and accuracy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("config", ["q0", "q2"])
@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_algebra_power_law(config, alpha):
    x, *_ = power_law(alpha)
    check_algebra(x, *split(x, config), K)


def test_algebra_gapped_and_gaussian_noise():
    x, *_ = gapped()
    check_algebra(x, *split(x, "q2"), K)
    noise = np.random.default_rng(3).standard_normal((M, N)).astype(F32)
    check_algebra(noise, *split(noise, "q2"), K)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_singular_values_within_halko_bound(alpha):
    """q = 2: true σ_i − S_i ≤ the HMT bound on ‖X − QQᵀX‖₂ (Weyl), S_i ≤
    σ_i (interlacing), ‖R‖₂ ≤ σ_{k+1} + the bound."""
    x, _, _, _ = power_law(alpha)
    sigma = true_svd(x)[1]
    u, s, vt, r = split(x, "q2")
    bound = halko_bound(sigma, K, P, 2)
    assert (sigma[:K] - s).max() <= bound
    assert (s <= sigma[:K] * (1 + 1e-5)).all()
    assert np.linalg.norm(r.astype(float), 2) <= sigma[K] + bound
    # σ_i = i^-2: the leading half is resolved to near f32 precision (the
    # last ones are limited by σ_{l+1}/σ_k, as the bound says).
    if alpha == 2.0:
        assert np.abs(s[:K // 2] / sigma[:K // 2] - 1).max() < 1e-5


def test_power_iterations_capture_more_energy():
    """Slowly decaying spectrum (α = 0.5): q = 2 captures strictly more of
    the top-k energy than q = 0 (without iterations, or with a broken
    orthonormalization between them, this fails)."""
    x, *_ = power_law(0.5)
    sigma = true_svd(x)[1]
    top = np.sum(sigma[:K] ** 2)
    e0 = np.sum(split(x, "q0")[1].astype(float) ** 2) / top
    e2 = np.sum(split(x, "q2")[1].astype(float) ** 2) / top
    assert e2 > 0.98 and e2 > e0 + 0.05, (e0, e2)
    assert e2 <= 1 + 1e-5


def test_power_iterations_find_gapped_subspace():
    """Gap of 40 at k, heavy tail: after q = 2 the right and left top-k
    subspaces are found to ~1e-4; a single pass is ≥ 10× worse."""
    x, a, _, b = gapped()
    u2, s2, vt2, _ = split(x, "q2")
    u0, s0, vt0, _ = split(x, "q0")
    err2 = sin_theta(b[:, :K], vt2)
    err0 = sin_theta(b[:, :K], vt0)
    assert err2 < 1e-4, err2
    assert err0 > 10 * err2, (err0, err2)
    assert sin_theta(a[:, :K], u2.T) < 1e-4
    assert np.abs(s2 / true_svd(x)[1][:K] - 1).max() < 1e-5


# ---------------------------------------------------------------------------
# The definition: the compiled op = the model with the same Ω / rows
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("config", ["q0", "q2", "rademacher", "sparse_sign",
                                    "row_sampling"])
def test_matches_model_of_definition(config):
    x, *_ = power_law(1.0)
    seed = 12345
    u, s, vt, r = split(x, config, seed=seed)
    mu, ms, mvt, mr = run_model(x, config, seed=seed)
    assert np.abs(s - ms).max() <= 1e-5 * ms[0]
    assert rel_diff(low_rank(u, s, vt), low_rank(mu, ms, mvt)) < 1e-4
    assert rel_diff(r.astype(float), mr) < 1e-3
    # The comparison can tell sketches apart: another seed is far away.
    if CONFIGS[config]["power_iters"] == 0:
        ou, os_, ovt, _ = run_model(x, config, seed=seed + 1)
        assert rel_diff(low_rank(u, s, vt), low_rank(ou, os_, ovt)) > 1e-2


def test_model_sketches():
    """The model's test matrices have the documented statistics."""
    n, l = 4096, 20
    g = model.sketch_matrix(n, l, "gaussian", 7)
    assert abs(g.mean()) < 0.02 and abs(g.std() - 1) < 0.02
    r = model.sketch_matrix(n, l, "rademacher", 7)
    assert set(np.unique(r)) == {-1.0, 1.0} and abs(r.mean()) < 0.02
    sp = model.sketch_matrix(n, l, "sparse_sign", 7)
    assert set(np.unique(sp)) == {-1.0, 0.0, 1.0}
    assert abs(np.mean(sp != 0) - 8 / l) < 0.01
    assert (model.sketch_matrix(64, 4, "sparse_sign", 7) != 0).all()
    rows = model.sampled_rows(1000, 50, 7)
    assert len(set(rows.tolist())) == 50 and rows.min() >= 0 and rows.max() < 1000
    assert sorted(model.sampled_rows(20, 20, 7).tolist()) == list(range(20))


# ---------------------------------------------------------------------------
# Sketch kinds
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("config", ["q0", "rademacher", "sparse_sign",
                                    "row_sampling"])
def test_every_sketch_resolves_fast_decay(config):
    """σ_i = i^-2, q = 0: every sketch captures the leading directions.
    With q = 0 each is one range finder (HMT Alg. 4.1: X·Ω, or X's own rows
    for row_sampling) and one projection; its Ritz values underestimate σ_i
    by about (σ_{l+1}/σ_i)² times a modest random factor, (441/16)⁻² =
    1.3e-3 at i = 4 (measured 0.4–1.4e-3 over the four sketches)."""
    x, *_ = power_law(2.0)
    sigma = true_svd(x)[1]
    u, s, vt, r = split(x, config)
    check_algebra(x, u, s, vt, r, K)
    assert np.abs(s[:4] / sigma[:4] - 1).max() < 5e-3, s[:4] / sigma[:4]
    assert np.sum(s.astype(float) ** 2) / np.sum(sigma[:K] ** 2) > 0.999


def test_row_sampling_on_low_rank_rows():
    """Rank 12 plus 1e-6 noise: any 20 rows span the row space, so sampled
    rows alone (q = 0) recover it; the residual is the noise."""
    rng = np.random.default_rng(4)
    sig = np.geomspace(10, 1, 12)
    x, a, _, b = with_spectrum(sig, (M, N), 4)
    noise = 1e-6 * rng.standard_normal((M, N))
    x = (x + noise).astype(F32)
    u, s, vt, r = split(x, "row_sampling")
    check_algebra(x, u, s, vt, r, K)
    assert np.abs(s[:12] / sig - 1).max() < 1e-5
    assert sin_theta(b, vt[:12]) < 1e-4
    assert sin_theta(a, u[:, :12].T) < 1e-4
    assert np.linalg.norm(r) < 2 * np.linalg.norm(noise)


# ---------------------------------------------------------------------------
# Warm start
# ---------------------------------------------------------------------------

def test_warm_start_from_exact_subspace():
    """V0 = the exact top-l right singular vectors, q = 0: S equals the
    true top-k singular values and the returned subspace is V0 (columns up
    to sign)."""
    x, *_ = power_law(1.0)
    _, sigma, wt = true_svd(x)
    l = K + P
    v0 = np.ascontiguousarray(wt[:l].T, dtype=F32)
    u, s, vt, r, sub = split(x, "warm", warm_start=v0)
    check_algebra(x, u, s, vt, r, K)
    assert np.abs(s / sigma[:K] - 1).max() < 1e-5
    assert sub.shape == (N, l) and sub.dtype == F32
    assert np.abs(np.abs(np.sum(sub * v0, axis=0)) - 1).max() < 1e-5
    assert np.array_equal(sub[:, :K].T, vt)


def test_warm_start_threads_like_power_iteration():
    """Feeding the subspace back with q = 1 per call continues the subspace
    iteration: on σ_i = i^-0.5 the captured energy rises call after call
    and passes that of one cold call with q = 2. With q = 0 the subspace
    result spans warm_start: nothing is refined."""
    x, *_ = power_law(0.5)
    sigma = true_svd(x)[1]
    top = np.sum(sigma[:K] ** 2)
    v = model.sketch_matrix(N, K + P, "gaussian", 5)
    energies = []
    for _ in range(4):
        u, s, vt, r, v = split(x, "warm_q1", warm_start=v)
        check_algebra(x, u, s, vt, r, K)
        energies.append(np.sum(s.astype(float) ** 2) / top)
    assert all(b > a for a, b in zip(energies, energies[1:])), energies
    q2 = np.sum(split(x, "q2")[1].astype(float) ** 2) / top
    assert energies[-1] > q2, (energies, q2)
    assert energies[-1] - energies[0] > 0.02, energies

    v0 = model.sketch_matrix(N, K + P, "gaussian", 5)
    *_, sub = split(x, "warm", warm_start=v0)
    q0, _ = np.linalg.qr(v0.astype(float))
    assert sin_theta(q0, sub.T) < 1e-5


def test_warm_start_matches_model_and_zero_columns():
    x, *_ = power_law(1.0)
    v0 = np.random.default_rng(6).standard_normal((N, K + P)).astype(F32)
    v0[:, 3] = 0  # rank deficient start: that direction stays zero
    u, s, vt, r, sub = split(x, "warm", warm_start=v0)
    mu, ms, mvt, mr, msub = run_model(x, "warm", warm_start=v0)
    check_algebra(x, u, s, vt, r, K)
    assert np.abs(s - ms).max() <= 1e-5 * ms[0]
    assert rel_diff(low_rank(u, s, vt), low_rank(mu, ms, mvt)) < 1e-4
    assert np.all(sub[:, -1] == 0) and np.all(msub[:, -1] == 0)
    assert np.abs(np.abs(np.sum(sub[:, :K] * msub[:, :K], axis=0)) - 1).max() < 1e-3


def _split_with_bound(x, config, bound, warm_start=None):
    """split() compiled with convert-metis-to-linalg{gram-cancellation}:
    0 always takes the second pass over X, 1e30 never does."""
    c = CONFIGS[config]
    lib = runtime.load(_module(c), (
        f"--convert-metis-to-linalg=gram-cancellation={bound}",
        "--metis-cpu-pipeline"))
    m, n = c["shape"]
    k = c["rank"]
    out = [np.empty((m, k), F32), np.empty((k,), F32), np.empty((k, n), F32),
           np.empty((m, n), F32)]
    if warm_start is None:
        lib.call("spectral_split", x, *out, 0)
        return out
    sub = np.empty_like(warm_start)
    lib.call("spectral_split", x, *out, warm_start, sub, 0)
    return out + [sub]


def _same_bits(a, b):
    return all(same_bits(p, q) for p, q in zip(a, b))


def test_one_pass_iteration_and_its_guard():
    """docs/SpectralSplit.md step 2: Z = (Xᵀ·Y)·T from the pass computing
    Y = X·V when no column cancels by more than 128, else Xᵀ·Q by a second
    pass. A warm start from the previous call's subspace (a training step)
    takes the one pass: the default build gives the bits of the one-pass
    build, which differ from the two-pass build's by rounding only. A
    rank-3 X takes the second pass: there T amplifies the rounding of Xᵀ·Y
    by ~10^6, and the one-pass build's trailing singular values (zero in
    exact arithmetic) come out ~100 times those of the two passes."""
    x, *_ = power_law(1.0)
    *_, v = split(x, "warm_q1",
                  warm_start=model.sketch_matrix(N, K + P, "gaussian", 5))
    default = split(x, "warm_q1", warm_start=v)
    one = _split_with_bound(x, "warm_q1", "1e30", warm_start=v)
    two = _split_with_bound(x, "warm_q1", "0", warm_start=v)
    assert model.gram_cancellation(x, model.orth(v.astype(float))) < 8
    assert _same_bits(default, one)
    # The two builds differ in value (by rounding only, below).
    assert not all(np.array_equal(p, q, equal_nan=True)
                   for p, q in zip(one, two))
    assert np.abs(one[1] - two[1]).max() <= 1e-5 * two[1][0]
    mu, ms, mvt, mr, _ = run_model(x, "warm_q1", warm_start=v)
    assert np.abs(one[1] - ms).max() <= 1e-5 * ms[0]
    assert rel_diff(low_rank(*one[:3]), low_rank(mu, ms, mvt)) < 1e-4

    # Cold (Ω, then one power iteration) on rank 3 < l.
    x3, _, sig, _ = with_spectrum([3.0, 2.0, 1.0], (M, N), 8)
    default = split(x3, "q2")
    two = _split_with_bound(x3, "q2", "0")
    one = _split_with_bound(x3, "q2", "1e30")
    omega = model.sketch_matrix(N, K + P, "gaussian", 0)
    assert model.gram_cancellation(x3, omega, dtype=F32) > 1e4
    assert _same_bits(default, two)
    assert default[1][3:].max() <= 1e-7 * sig[0], default[1]
    assert one[1][3:].max() > 1e-6 * sig[0], one[1]


# ---------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------

def test_same_seed_same_bits_other_seed_other_result():
    x, *_ = power_law(1.0)
    a = split(x, "q2", seed=42)
    b = split(x.copy(), "q2", seed=42)
    for p, q in zip(a, b):
        assert p.view(np.uint32).tobytes() == q.view(np.uint32).tobytes()
    c = split(x, "q2", seed=43)
    assert not np.array_equal(a[0], c[0])
    # ... yet the same split up to the sketch's randomness (σ_16 ≈ σ_17).
    assert rel_diff(low_rank(*c[:3]), low_rank(*a[:3])) < 0.1
    z, *_ = power_law(0.5)
    assert not np.array_equal(split(z, "q0", seed=0)[0],
                              split(z, "q0", seed=1 << 40)[0])


def test_float16_input_is_exact_f32():
    x, *_ = power_law(1.0)
    h = (x * 64).astype(np.float16)
    a = split(h, "q2", seed=3)
    b = split(h.astype(F32), "q2", seed=3)
    for p, q in zip(a, b):
        assert np.array_equal(p, q)


# ---------------------------------------------------------------------------
# Degenerate inputs and shapes
# ---------------------------------------------------------------------------

def test_all_zero():
    x = np.zeros((64, 48), F32)
    u, s, vt, r = split(x, "small")
    for a in (u, s, vt, r):
        assert np.isfinite(a).all() and not np.any(a)
    # With a warm start V = orth(V0) is not zero, but S = 0 zeroes U and
    # Vt; the subspace keeps orth(V0) (here one direction: all columns of
    # V0 are equal, the others are rank deficient and zero).
    xs = np.zeros((M, N), F32)
    us, ss, vts, rs, sub = split(xs, "warm",
                                 warm_start=np.ones((N, K + P), F32))
    for a in (us, ss, vts, rs):
        assert np.isfinite(a).all() and not np.any(a)
    assert np.allclose(sub[:, 0], 1 / np.sqrt(N), rtol=1e-6)
    assert not np.any(sub[:, 1:])


def test_rank_deficient():
    """Rank 3 with k = 8: S[3:] ≈ 0 (zero, or roundoff-level when the
    trailing directions pass the 2^-20 test), reconstruction still exact,
    no NaN; zero S go with zero U columns and Vt rows."""
    x, a, sig, b = with_spectrum([3.0, 2.0, 1.0], (64, 48), 7)
    u, s, vt, r = split(x, "small")
    assert np.abs(s[:3] / sig - 1).max() < 1e-5
    assert (s[3:] <= 1e-5 * s[0]).all(), s
    low = low_rank(u, s, vt)
    assert np.linalg.norm(low + r - x) / np.linalg.norm(x) < 2e-6
    assert np.linalg.norm(r) < 1e-5 * np.linalg.norm(x)
    for f in (u, s, vt, r):
        assert np.isfinite(f).all()
    assert sin_theta(b, vt[:3]) < 1e-5
    zero = s == 0
    assert not np.any(u[:, zero]) and not np.any(vt[zero])
    # Exactly representable rank-1 input: the trailing directions are zero.
    e = np.zeros((64, 48), F32)
    e[:, 0] = 1.0
    u1, s1, vt1, r1 = split(e, "small")
    assert s1[0] == pytest.approx(8.0, rel=1e-6) and not np.any(s1[1:])
    assert not np.any(u1[:, 1:]) and not np.any(vt1[1:])
    assert np.abs(r1).max() <= 1e-6


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_gives_nan(bad):
    x, *_ = power_law(1.0, shape=(64, 48))
    x[5, 7] = bad
    u, s, vt, r = split(x, "small")
    for a in (u, s, vt, r):
        assert np.isnan(a).all()


def test_rank_close_to_min_dim_is_exact():
    """40×32, k = 31, l = 32 = N: the split is an exact SVD."""
    x, *_ = power_law(1.0, shape=(40, 32), seed=8)
    u, s, vt, r = split(x, "full")
    check_algebra(x, u, s, vt, r, 31)
    _, sigma, wt = true_svd(x)
    assert np.abs(s / sigma[:31] - 1).max() < 1e-5
    assert np.linalg.norm(r, 2) == pytest.approx(sigma[31], rel=1e-3)


@pytest.mark.parametrize("spectrum", ["gapped", "power_law"])
def test_wide_matrix_matches_scipy(spectrum):
    """M < N (96×160), against scipy's SVD and the model."""
    if spectrum == "gapped":
        x, *_ = gapped(shape=(96, 160), k=8, seed=9)
    else:
        x, *_ = power_law(1.5, shape=(96, 160), seed=9)
    u, s, vt, r = split(x, "wide")
    check_algebra(x, u, s, vt, r, 8)
    su, ss, svt = scipy.linalg.svd(x.astype(np.float64), full_matrices=False)
    assert np.abs(s[:4] / ss[:4] - 1).max() < 1e-4
    if spectrum == "gapped":
        assert np.abs(s / ss[:8] - 1).max() < 1e-5
        assert sin_theta(svt[:8].T, vt) < 1e-4
        assert sin_theta(su[:, :8], u.T) < 1e-4
    mu, ms, mvt, _ = run_model(x, "wide")
    assert rel_diff(low_rank(u, s, vt), low_rank(mu, ms, mvt)) < 1e-4


# ---------------------------------------------------------------------------
# Validation (before anything is compiled)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(rank=0), ValueError, "rank must be >= 1"),
    (dict(rank=48), ValueError, "smaller than min"),
    (dict(rank=True), TypeError, "rank must be an int"),
    (dict(rank=2.0), TypeError, "rank must be an int"),
    (dict(rank=4, oversample=-1), ValueError, "oversample must be >= 0"),
    (dict(rank=4, power_iters=-1), ValueError, "power_iters must be >= 0"),
    (dict(rank=4, sketch="fourier"), ValueError, "unknown sketch"),
    (dict(rank=4, seed=-1), ValueError, "seed"),
    (dict(rank=4, seed=1.5), TypeError, "seed"),
    (dict(rank=4, warm_start=np.zeros((48, 7), F32)), ValueError,
     r"warm_start must have shape \(N, l\) = \(48, 8\)"),
    (dict(rank=4, warm_start=np.zeros((48, 8))), TypeError, "float64"),
])
def test_validation(kwargs, exc, match):
    before = dict(runtime.stats)
    with pytest.raises(exc, match=match):
        metis.spectral_split(np.zeros((64, 48), F32), **kwargs)
    assert dict(runtime.stats) == before


@pytest.mark.parametrize("x, exc", [
    (np.zeros(48, F32), ValueError),
    (np.zeros((2, 64, 48), F32), ValueError),
    (np.zeros((64, 48)), TypeError),
    (np.zeros((64, 48), np.int32), TypeError),
    ([[1.0, 2.0], [3.0, 4.0]], TypeError),
])
def test_validation_input(x, exc):
    with pytest.raises(exc):
        metis.spectral_split(x, 1)


def test_exported():
    assert metis.spectral_split is api.spectral_split
    assert "spectral_split" in metis.__all__
    assert api.SKETCHES == model.SKETCHES
