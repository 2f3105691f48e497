#!/usr/bin/env python3
"""Accuracy of the compiled metis.spectral_split against a float64 SVD
(the "Measured" table of docs/SpectralSplit.md).

X = A·diag(σ)·Bᵀ with Haar-random A, B (1024×1024 by default), k = 16,
p = 4, Gaussian sketch, q = 0, 1, 2. Per spectrum and q: max and median
|ΔS|/S over the k values, the captured energy ΣS²/Σσ²_{≤k}, the largest
σ_i − S_i as a fraction of the HMT bound (Cor. 10.10), the right top-k
subspace error sin Θ (gapped spectrum only), and the algebra
(orthonormality, ‖U·diag(S)·Vt + R − X‖_F/‖X‖_F). The last two columns
are the split as defined before 2026-12-06 (one more pass over X, X·V·Vᵀ),
modelled in float64 with the same Ω.

    /usr/bin/python3 benchmarks/spectral_split_accuracy.py [--n 1024]
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import metis  # noqa: E402
from metis import spectral_reference as ref  # noqa: E402

K, P = 16, 4


def haar(n, rng):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def halko_bound(sigma, k, p, q):
    t = 2 * q + 1
    a = ((1 + np.sqrt(k / (p - 1))) * sigma[k] ** t
         + np.e * np.sqrt(k + p) / p * np.sqrt(np.sum(sigma[k:] ** (2 * t))))
    return a ** (1 / t)


def previous_definition(x, q, seed=0):
    """S of the split as defined before 2026-12-06 (fifth session), in
    float64 with the same Ω: q + 1 iterations, then B = X·V (one more pass
    over X) and the singular values of B."""
    x = x.astype(np.float64)
    l = K + P
    v = ref.sketch_matrix(x.shape[1], l, "gaussian", seed).astype(np.float64)
    for _ in range(q + 1):
        v = ref.orth(x.T @ ref.orth(x @ v))
    return np.linalg.svd(x @ v, compute_uv=False)[:K]


def spectra(n):
    i = np.arange(1, n + 1, dtype=float)
    return {
        "σ_i = i^−0.5": i ** -0.5,
        "σ_i = i^−1": i ** -1.0,
        "σ_i = i^−2": i ** -2.0,
        "16 spikes in [10, 20], tail 0.25·i^−0.5":
            np.where(i <= K, 20.0 - 10.0 * (i - 1) / (K - 1), 0.25 * i ** -0.5),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    n = args.n
    rng = np.random.default_rng(args.seed)
    a, b = haar(n, rng), haar(n, rng)
    print("| spectrum | q | max \\|ΔS\\|/S | median | energy | (σ−S)/bound "
          "| sin Θ (top-k right) | before: max \\|ΔS\\|/S | before: energy |")
    print("|---|---|---|---|---|---|---|---|---|")
    worst_orth = worst_rec = 0.0
    for name, sig in spectra(n).items():
        x = ((a * sig) @ b.T).astype(np.float32)
        sigma = np.linalg.svd(x.astype(np.float64), compute_uv=False)
        _, _, vt_true = np.linalg.svd(x.astype(np.float64), full_matrices=False)
        for q in (0, 1, 2):
            u, s, vt, r = metis.spectral_split(x, K, oversample=P,
                                               power_iters=q, seed=0)
            s64 = s.astype(float)
            rel = np.abs(s64 / sigma[:K] - 1)
            energy = np.sum(s64 ** 2) / np.sum(sigma[:K] ** 2)
            frac = (sigma[:K] - s64).max() / halko_bound(sigma, K, P, q)
            # sin Θ between the true and found top-k right subspaces:
            # ‖Vtrueᵀ − (Vtrueᵀ·V)·Vᵀ‖₂ (accurate for small angles).
            v = vt.astype(float)
            sin = np.linalg.norm(vt_true[:K] - (vt_true[:K] @ v.T) @ v, 2)
            # The definition before 2026-12-06 (fifth session), one more
            # pass: X ≈ X·V·Vᵀ with V after the last iteration (float64).
            s_old = previous_definition(x, q)
            rel_old = np.abs(s_old / sigma[:K] - 1)
            energy_old = np.sum(s_old ** 2) / np.sum(sigma[:K] ** 2)
            gapped = "spikes" in name
            print(f"| {name} | {q} | {rel.max():.1e} | {np.median(rel):.1e} "
                  f"| {energy:.6f} | {max(frac, 0):.3f} | "
                  f"{f'{sin:.1e}' if gapped else 'n/a'} | {rel_old.max():.1e} "
                  f"| {energy_old:.6f} |")
            eye = np.eye(K)
            worst_orth = max(worst_orth,
                             np.abs(u.T.astype(float) @ u - eye).max(),
                             np.abs(vt.astype(float) @ vt.T - eye).max())
            rec = (u.astype(float) * s64) @ vt + r - x
            worst_rec = max(worst_rec, np.linalg.norm(rec) / np.linalg.norm(x))
    print(f"\nmax ‖UᵀU − I‖, ‖VtVtᵀ − I‖: {worst_orth:.1e}; "
          f"max ‖U·S·Vt + R − X‖_F/‖X‖_F: {worst_rec:.1e}")


if __name__ == "__main__":
    main()
