#!/usr/bin/env python3
"""Warm-started vs cold spectral splits along a training trajectory.

A warm start (metis.nn ``Policy(warm_start=True)``) only helps across steps,
so the demo's one-batch per-GEMM error cannot show it. This script trains
the demo's tiny LLaMA (examples/train_tiny_llama.py) in FP32, records the
operands (X, W, G) of every linear layer at each of ``--steps`` consecutive
training steps, and then replays that trajectory through the Fprop, Dgrad
and Wgrad GEMMs of each variant, in step order, per layer — the warm
variants threading their subspaces from one step to the next exactly as
``metis.nn.Linear`` does. It reports, per variant:

* the mean relative Frobenius error of each GEMM against the float64
  product (steps after the first, where a warm start has a history), and
  its ratio to plain NVFP4's;
* the head-subspace error of the split of W (as Fprop splits it) and of G
  (as Dgrad splits it) at the last step: the sine of the largest principal
  angle between the split's top ``rank`` right vectors and the exact ones
  (what the power iterations are for; cold variants: a fresh split of the
  same matrix);
* the time of the three GEMMs of one layer per step (compiled kernels,
  median over the replay), as a ratio to the cold split with 2 power
  iterations, in the same run.

Usage:
  /usr/bin/python3 benchmarks/warm_start.py [--steps 12] [--warmup 60]
      [--json build/warm_start.json]
"""
import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "examples"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import openblas_env  # noqa: E402

VARIANTS = {
    "nvfp4": dict(policy="nvfp4"),
    "metis q=0 cold": dict(policy="metis", power_iters=0),
    "metis q=1 cold": dict(policy="metis", power_iters=1),
    "metis q=2 cold": dict(policy="metis", power_iters=2),
    "metis q=1 warm": dict(policy="metis", power_iters=1, warm_start=True),
}


def record_trajectory(tl, data, cfg, warmup, steps, seed):
    """FP32 training: ``warmup`` steps, then ``steps`` steps recording
    (name, X, W, G) of every linear layer; returns {name: [(X, W, G)]}."""
    import torch
    import torch.nn.functional as F
    import metis.nn as mnn
    model = tl.make_model(data, cfg, seed)
    mnn.convert(model, policy="fp32")
    layers = [(n, m) for n, m in model.named_modules()
              if isinstance(m, mnn.Linear)]
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"],
                            betas=(0.9, 0.95), weight_decay=0.1)
    gen = torch.Generator().manual_seed(seed)
    traj = {n: [] for n, _ in layers}
    for step in range(warmup + steps):
        for g in opt.param_groups:
            g["lr"] = tl.lr_at(step, warmup + steps, cfg["lr"], 10)
        for _, m in layers:
            m.capture = [] if step >= warmup else None
        x, y = data.batch("train", cfg["batch"], cfg["ctx"], gen)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step >= warmup:
            for n, m in layers:
                traj[n].append(m.capture[0])
    return traj


def head_error(w, v, rank):
    """‖(I − Q Qᵀ) V_true‖₂: V_true the top-``rank`` right singular vectors
    of W, Q an orthonormal basis of the split's right vectors ``v`` (K ×
    rank; a returned subspace's first ``rank`` columns, sorted by singular
    value, are those)."""
    import numpy as np
    v_true = np.linalg.svd(w.astype(np.float64))[2][:rank].T
    q = np.linalg.qr(v[:, :rank].astype(np.float64))[0]
    return float(np.linalg.norm(v_true - q @ (q.T @ v_true), 2))


def replay(traj, policy, rank):
    """Per-step GEMM errors, head errors (W, G) and times of one variant."""
    import numpy as np
    import metis.nn as mnn
    errs = {g: [] for g in mnn.GEMMS}
    times, head = [], {"W": [], "G": []}
    for li, (name, steps) in enumerate(sorted(traj.items())):
        subspaces = {}
        for t, (x, w, g) in enumerate(steps):
            ops = {"fprop": (x, w), "dgrad": (g, np.ascontiguousarray(w.T)),
                   "wgrad": (np.ascontiguousarray(g.T),
                             np.ascontiguousarray(x.T))}
            t0 = time.perf_counter()
            # As metis.nn.Linear threads them (plain gemm when cold).
            out = {gname: mnn.gemm_with_warm_starts(
                       a, b, policy, gname,
                       mnn.derive_seed(policy.seed, li, t, 0, gname),
                       subspaces)
                   for gname, (a, b) in ops.items()}
            times.append(time.perf_counter() - t0)
            if t == 0:
                continue  # no history yet for a warm start
            for gname, (a, b) in ops.items():
                exact = a.astype(np.float64) @ b.astype(np.float64).T
                errs[gname].append(float(np.linalg.norm(out[gname] - exact)
                                         / np.linalg.norm(exact)))
        if not policy.splits:
            continue
        # W as Fprop splits it (rhs), G as Dgrad splits it (lhs), last step.
        x_last, w_last, g_last = steps[-1]
        for key, (gname, side), mat in (("W", ("fprop", "b"), w_last),
                                        ("G", ("dgrad", "a"), g_last)):
            if policy.warm_start:
                v = subspaces[(gname, side)]
            else:  # a cold split of the same operand (another seed)
                from metis import api
                v = api.spectral_split(mat, rank, policy.oversample,
                                       policy.power_iters, policy.sketch,
                                       seed=li)[2].T
            head[key].append(head_error(mat, v, rank))
    return errs, times, head


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--warmup", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    import numpy as np
    import torch
    import metis.nn as mnn
    import train_tiny_llama as tl
    torch.set_num_threads(1)
    cfg = dict(tl.QUICK, layers=args.layers, dim=args.dim, ffn=args.dim)
    train_text, val_text = tl.load_corpus()
    data = tl.CharData(train_text, val_text)
    t0 = time.time()
    traj = record_trajectory(tl, data, cfg, args.warmup, args.steps,
                             args.seed)
    print(f"trajectory: {len(traj)} layers x {args.steps} steps after "
          f"{args.warmup} FP32 steps ({time.time() - t0:.0f} s); "
          f"BLAS {openblas_env.describe()}", file=sys.stderr)

    results = {}
    for label, spec in VARIANTS.items():
        spec = dict(spec)
        policy = mnn.resolve_policy(spec.pop("policy"), **spec)
        replay(traj, policy, policy.rank)  # compile outside the timing
        errs, times, head = replay(traj, policy, policy.rank)
        results[label] = {
            "gemm_rel_error": {g: float(np.mean(v)) for g, v in errs.items()},
            "ms_per_layer_step": float(np.median(times) * 1e3),
            "head_subspace_error": {k: float(np.mean(v)) if v else None
                                    for k, v in head.items()},
        }
    base = results["nvfp4"]["gemm_rel_error"]
    ref_ms = results["metis q=2 cold"]["ms_per_layer_step"]
    print(f"\n{'variant':18s} {'fprop':>16s} {'dgrad':>16s} {'wgrad':>16s} "
          f"{'ms/layer-step':>14s} {'head err W G':>13s}")
    for label, r in results.items():
        e = r["gemm_rel_error"]
        cells = " ".join(f"{e[g]:.4f} ({e[g] / base[g]:.2f}x)"
                         for g in mnn.GEMMS)
        r["time_ratio_to_q2_cold"] = r["ms_per_layer_step"] / ref_ms
        head = " ".join("" if v is None else f"{v:.3f}"
                        for v in r["head_subspace_error"].values())
        print(f"{label:18s} {cells} {r['ms_per_layer_step']:7.1f} "
              f"({r['time_ratio_to_q2_cold']:.2f}x) {head:>13s}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(
            {"config": dict(cfg, warmup=args.warmup, steps=args.steps,
                            seed=args.seed),
             "blas": openblas_env.describe(), "variants": results},
            indent=1))


if __name__ == "__main__":
    openblas_env.reexec("1")
    main()
