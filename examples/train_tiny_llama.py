#!/usr/bin/env python3
"""Train a tiny LLaMA-style decoder in FP32, NVFP4, NVIDIA's recipe and Metis.

A character-level language model (RMSNorm, RoPE, SwiGLU, causal attention) on
the text of Debian's ``fortunes`` package (/usr/share/games/fortunes; every
10th fortune is held out for validation). Every preset trains the same model
from the same initialization on the same batches (per seed); the linear
layers of the blocks run through ``metis.nn.Linear`` (compiled Fprop, Dgrad
and Wgrad), the embedding, the norms, attention and the output head stay
FP32 (as Metis and NVIDIA do).

It measures two things:

1. **Per-GEMM error** on tensors captured from the trained FP32 model
   (X, W and G of every block linear at one step): the relative Frobenius
   error of the Fprop, Dgrad and Wgrad GEMMs of each preset against the
   exact product, and its ratio to plain NVFP4 -- including the reference
   Metis split beside the error-compensated one. Fast and decisive.
2. **Training**: train/validation loss curves per preset and seed, the final
   validation loss (mean over seeds) and its gap to FP32, tokens/s.

Writes under ``--out`` (default ``build/demo/tiny_llama``): ``loss_curves.png``,
``val_gap.png``, ``curves.csv``, ``results.json`` and prints a table.

    PYTHONPATH=python /usr/bin/python3 examples/train_tiny_llama.py --quick
    PYTHONPATH=python /usr/bin/python3 examples/train_tiny_llama.py --full

``--quick`` (the README demo: about 3 CPU-minutes with a warm compile cache,
plus about 1 CPU-minute of compilation on a first run; see docs/Training.md)
trains a smaller model for a few steps: it shows the pipeline, it does not
separate the presets. ``--full`` is the documented measurement
(3 seeds; hours on 2 cores). Every option can be overridden (``--help``).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import metis.nn as mnn  # noqa: E402
import openblas_env  # noqa: E402  (the OpenBLAS baseline, as the benchmarks)

FORTUNES = Path("/usr/share/games/fortunes")
TRAIN_PRESETS = ("fp32", "nvfp4", "nvidia-recipe", "metis")

QUICK = dict(layers=2, dim=128, heads=4, ffn=128, ctx=64, batch=8, steps=30,
             lr=3e-3, seeds=[0], eval_every=10, eval_batches=2)
FULL = dict(layers=4, dim=256, heads=4, ffn=256, ctx=128, batch=8, steps=500,
            lr=3e-3, seeds=[0, 1, 2], eval_every=50, eval_batches=8)


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def load_corpus(root: Path = FORTUNES, val_every: int = 10):
    """(train text, validation text): the fortune files (sorted), split into
    fortunes at the ``%`` lines; every ``val_every``-th fortune is held out."""
    if not root.is_dir():
        sys.exit(f"{root} not found: install the Debian packages 'fortunes' "
                 f"and 'fortunes-min' (scripts/setup.sh does)")
    entries = []
    for path in sorted(root.iterdir()):
        if path.suffix in (".dat", ".u8") or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        entries += [e.strip("\n") + "\n" for e in text.split("\n%\n")
                    if e.strip()]
    if not entries:
        sys.exit(f"no fortunes found under {root}")
    train = "".join(e for i, e in enumerate(entries) if i % val_every)
    val = "".join(e for i, e in enumerate(entries) if i % val_every == 0)
    return train, val


class CharData:
    """Character-level token streams and random (seeded) batches."""

    def __init__(self, train: str, val: str):
        chars = sorted(set(train) | set(val))
        self.vocab = len(chars)
        self.index = {c: i for i, c in enumerate(chars)}
        enc = lambda s: torch.tensor([self.index[c] for c in s],  # noqa: E731
                                     dtype=torch.long)
        self.train, self.val = enc(train), enc(val)

    def batch(self, split: str, batch: int, ctx: int, gen: torch.Generator):
        data = self.train if split == "train" else self.val
        starts = torch.randint(len(data) - ctx - 1, (batch,), generator=gen)
        x = torch.stack([data[s:s + ctx] for s in starts])
        y = torch.stack([data[s + 1:s + ctx + 1] for s in starts])
        return x, y


# ---------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------


class RMSNorm(torch.nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = torch.nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) \
            * self.weight


def rope_tables(ctx: int, head_dim: int, base: float = 10000.0):
    inv = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float32)
                   / head_dim)
    ang = torch.arange(ctx, dtype=torch.float32)[:, None] * inv[None, :]
    return torch.cos(ang), torch.sin(ang)


def apply_rope(x, cos, sin):
    """Rotary embedding on (B, H, T, Dh), pairs (even, odd)."""
    t = x.shape[-2]
    x1, x2 = x[..., 0::2], x[..., 1::2]
    c, s = cos[:t], sin[:t]
    return torch.stack((x1 * c - x2 * s, x1 * s + x2 * c), dim=-1).flatten(-2)


class Attention(torch.nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.wq = torch.nn.Linear(dim, dim, bias=False)
        self.wk = torch.nn.Linear(dim, dim, bias=False)
        self.wv = torch.nn.Linear(dim, dim, bias=False)
        self.wo = torch.nn.Linear(dim, dim, bias=False)

    def forward(self, x, cos, sin):
        b, t, d = x.shape
        h = self.heads
        q, k, v = (w(x).view(b, t, h, d // h).transpose(1, 2)
                   for w in (self.wq, self.wk, self.wv))
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d // h)
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        return self.wo((att @ v).transpose(1, 2).reshape(b, t, d))


class SwiGLU(torch.nn.Module):
    def __init__(self, dim: int, ffn: int):
        super().__init__()
        self.w1 = torch.nn.Linear(dim, ffn, bias=False)
        self.w3 = torch.nn.Linear(dim, ffn, bias=False)
        self.w2 = torch.nn.Linear(ffn, dim, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(torch.nn.Module):
    def __init__(self, dim, heads, ffn):
        super().__init__()
        self.norm1, self.norm2 = RMSNorm(dim), RMSNorm(dim)
        self.attn = Attention(dim, heads)
        self.mlp = SwiGLU(dim, ffn)

    def forward(self, x, cos, sin):
        x = x + self.attn(self.norm1(x), cos, sin)
        return x + self.mlp(self.norm2(x))


class TinyLlama(torch.nn.Module):
    def __init__(self, vocab, layers, dim, heads, ffn, ctx):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, dim)
        self.blocks = torch.nn.ModuleList(
            [Block(dim, heads, ffn) for _ in range(layers)])
        self.norm = RMSNorm(dim)
        self.lm_head = torch.nn.Linear(dim, vocab, bias=False)
        cos, sin = rope_tables(ctx, dim // heads)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith(
                    ("wo.weight", "w2.weight")) else 0.02
                torch.nn.init.normal_(p, std=std)

    def forward(self, idx):
        x = self.embed(idx)
        for blk in self.blocks:
            x = blk(x, self.cos, self.sin)
        return self.lm_head(self.norm(x))


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on stderr: steps, loss, tokens/s, ETA."""

    def __init__(self, label: str, total: int, width: int = 24):
        self.label, self.total, self.width = label, total, width
        self.t0 = time.time()
        self.tty = sys.stderr.isatty()
        self.last_print = 0.0

    def update(self, step: int, loss: float, tokens: int):
        now = time.time()
        if not self.tty and now - self.last_print < 10 and step < self.total:
            return
        self.last_print = now
        el = now - self.t0
        frac = step / self.total
        bar = "#" * int(frac * self.width)
        eta = el / frac - el if frac > 0 else 0.0
        line = (f"{self.label:>24} [{bar:<{self.width}}] {step:4d}/{self.total}"
                f" loss {loss:6.3f} {tokens / max(el, 1e-9):7.0f} tok/s "
                f"ETA {int(eta) // 60:02d}:{int(eta) % 60:02d}")
        print(("\r" if self.tty else "") + line,
              end="" if self.tty and step < self.total else "\n",
              file=sys.stderr, flush=True)


def lr_at(step, total, lr, warmup):
    if step < warmup:
        return lr * (step + 1) / warmup
    p = (step - warmup) / max(1, total - warmup)
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p)))


@torch.no_grad()
def evaluate(model, data, cfg, seed):
    model.eval()
    gen = torch.Generator().manual_seed(10_000 + seed)
    losses = []
    for _ in range(cfg["eval_batches"]):
        x, y = data.batch("val", cfg["batch"], cfg["ctx"], gen)
        logits = model(x)
        losses.append(F.cross_entropy(logits.flatten(0, 1), y.flatten()).item())
    model.train()
    return float(np.mean(losses))


def make_model(data, cfg, seed):
    torch.manual_seed(seed)
    return TinyLlama(data.vocab, cfg["layers"], cfg["dim"], cfg["heads"],
                     cfg["ffn"], cfg["ctx"])


def preset_policy(name: str, cfg):
    """Policy of a training preset (``metis:key=value,...`` overrides)."""
    base, _, opts = name.partition(":")
    over = {}
    for kv in filter(None, opts.split(",")):
        k, _, v = kv.partition("=")
        over[k] = (int(v) if v.lstrip("-").isdigit() else
                   {"true": True, "false": False}.get(v, v))
    return mnn.resolve_policy(base, **over)


def train_one(name, init_state, data, cfg, seed, capture=False):
    """Trains one preset from ``init_state``; returns its record."""
    model = make_model(data, cfg, seed)
    model.load_state_dict(init_state)
    policy = preset_policy(name, cfg)
    mnn.convert(model, policy=dataclass_replace(policy, seed=seed))
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"],
                            betas=(0.9, 0.95), weight_decay=0.1)
    gen = torch.Generator().manual_seed(seed)
    steps = cfg["steps"]
    tokens_per_step = cfg["batch"] * cfg["ctx"]
    prog = Progress(f"{name} seed {seed}", steps)
    rec = {"step": [], "train_loss": [], "val_step": [], "val_loss": []}
    train_time, smooth = 0.0, None
    for step in range(steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, cfg["lr"], cfg["warmup"])
        x, y = data.batch("train", cfg["batch"], cfg["ctx"], gen)
        t0 = time.time()
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        reg = mnn.dual_range_penalty(model, lam=cfg["reg_lambda"])
        opt.zero_grad(set_to_none=True)
        (loss + reg).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        train_time += time.time() - t0
        lv = loss.item()
        if not math.isfinite(lv):
            print(f"\n{name} seed {seed}: loss is {lv} at step {step}",
                  file=sys.stderr)
            rec.setdefault("diverged_at", step)
            break
        smooth = lv if smooth is None else 0.9 * smooth + 0.1 * lv
        rec["step"].append(step)
        rec["train_loss"].append(lv)
        if (step + 1) % cfg["eval_every"] == 0 or step + 1 == steps:
            rec["val_step"].append(step + 1)
            rec["val_loss"].append(evaluate(model, data, cfg, seed))
        prog.update(step + 1, smooth, (step + 1) * tokens_per_step)
    rec["train_seconds"] = train_time
    rec["tokens_per_s"] = len(rec["step"]) * tokens_per_step / max(train_time,
                                                                     1e-9)
    rec["final_val_loss"] = rec["val_loss"][-1] if rec["val_loss"] else None
    rec["fp32_layers"] = [n for n, m in model.named_modules()
                          if type(m) is torch.nn.Linear]
    if capture:
        rec["captured"] = capture_gemm_operands(model, data, cfg, seed)
    return rec


def run_task(task, data, cfg, capture):
    """One (preset, seed) training run from the seed's initialization."""
    name, seed = task
    init = make_model(data, cfg, seed).state_dict()
    return train_one(name, init, data, cfg, seed, capture=capture)


def save_run(out: Path, task, rec):
    """Writes one finished run to ``out/runs/`` (a long run that is stopped
    keeps its finished runs)."""
    d = out / "runs"
    d.mkdir(parents=True, exist_ok=True)
    keep = {k: v for k, v in rec.items() if k != "captured"}
    name = task[0].replace(":", "_").replace(",", "_").replace("=", "-")
    (d / f"{name}__seed{task[1]}.json").write_text(json.dumps(keep))


def dataclass_replace(policy, **kw):
    import dataclasses
    return dataclasses.replace(policy, **kw)


def capture_gemm_operands(model, data, cfg, seed):
    """(name, X, W, G) of every metis Linear for one training batch."""
    layers = [(n, m) for n, m in model.named_modules()
              if isinstance(m, mnn.Linear)]
    for _, m in layers:
        m.capture = []
    gen = torch.Generator().manual_seed(20_000 + seed)
    x, y = data.batch("train", cfg["batch"], cfg["ctx"], gen)
    F.cross_entropy(model(x).flatten(0, 1), y.flatten()).backward()
    out = []
    for n, m in layers:
        xx, w, g = m.capture[0]
        out.append((n, xx, w, g))
        m.capture = None
    model.zero_grad(set_to_none=True)
    return out


def warm_compile(presets, extra, cfg, threads):
    """Compiles every module the training presets (and the per-GEMM error
    variants of the same shapes) need, in parallel (first run only: later
    runs load them from the disk cache)."""
    m = cfg["batch"] * cfg["ctx"]
    d, f = cfg["dim"], cfg["ffn"]
    rng = np.random.default_rng(0)
    jobs = []
    for p in list(presets) + [v for v in extra if v not in presets]:
        policy = preset_policy(p, cfg)
        if not policy.quantize:
            continue
        for i, o in {(d, d), (d, f), (f, d)}:
            x = rng.standard_normal((m, i)).astype(np.float32)
            w = rng.standard_normal((o, i)).astype(np.float32)
            g = rng.standard_normal((m, o)).astype(np.float32)
            jobs.append((x, w, g, policy))
    with concurrent.futures.ThreadPoolExecutor(threads) as ex:
        list(ex.map(lambda j: mnn.gemm_rel_errors(*j), jobs))


# ---------------------------------------------------------------------------
# Per-GEMM error
# ---------------------------------------------------------------------------

#: Per-GEMM error variants: label -> policy (preset + overrides).
ERROR_VARIANTS = {
    "nvfp4": "nvfp4",
    "nvidia-recipe": "nvidia-recipe",
    "metis": "metis",
    "metis-reference": "metis-reference",
}
#: The Metis knob sweep of --full (per-GEMM error).
SWEEP_VARIANTS = {
    "metis bf16 factors": "metis:factor_format=bf16",
    "metis rank 8": "metis:rank=8",
    "metis rank 32": "metis:rank=32",
    "metis no power iter.": "metis:power_iters=0",
    "metis G only": "metis:split_weight=false",
    "metis W only": "metis:split_grad=false",
    "metis + A split": "metis:split_act=true",
    "metis gain smooth": "metis:gain=smooth",
}


def gemm_errors(captured, variants, cfg, threads):
    """{variant: {gemm: mean rel. error over the captured layers}}."""
    policies = {k: preset_policy(v, cfg) for k, v in variants.items()}
    # Compile each variant's modules in parallel (one layer per shape).
    shapes = {}
    for n, x, w, g in captured:
        shapes.setdefault((x.shape, w.shape), (x, w, g))
    jobs = [(x, w, g, p) for p in policies.values()
            for x, w, g in shapes.values()]
    with concurrent.futures.ThreadPoolExecutor(threads) as ex:
        list(ex.map(lambda j: mnn.gemm_rel_errors(*j), jobs))
    errs = {k: {g: [] for g in mnn.GEMMS} for k in policies}
    for i, (n, x, w, g) in enumerate(captured):
        for label, e in mnn.gemm_rel_errors(x, w, g, policies,
                                            seed=i).items():
            for k in mnn.GEMMS:
                errs[label][k].append(e[k])
    return {label: {k: float(np.mean(v)) for k, v in e.items()}
            for label, e in errs.items()}


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def write_outputs(out: Path, cfg, runs, errors, presets, wall):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    seeds = cfg["seeds"]
    base = errors.get("nvfp4")
    results = {"config": {k: v for k, v in cfg.items()}, "presets": {},
               "gemm_rel_error": errors, "wall_seconds": wall,
               "torch_threads": torch.get_num_threads(), "blas": openblas_env.describe()}
    fp32_final = [runs[("fp32", s)]["final_val_loss"] for s in seeds] \
        if "fp32" in presets else None
    for p in presets:
        finals = [runs[(p, s)]["final_val_loss"] for s in seeds]
        entry = {
            "final_val_loss": float(np.mean(finals)),
            "per_seed": finals,
            "std": float(np.std(finals, ddof=1)) if len(finals) > 1 else None,
            "tokens_per_s": float(np.mean([runs[(p, s)]["tokens_per_s"]
                                           for s in seeds])),
            "fp32_layers": runs[(p, seeds[0])]["fp32_layers"],
        }
        if fp32_final:
            gaps = [a - b for a, b in zip(finals, fp32_final)]
            entry["gap_to_fp32"] = float(np.mean(gaps))
            entry["gap_per_seed"] = gaps
        label = p.partition(":")[0] if p.partition(":")[0] in errors else p
        if label in errors:
            entry["gemm_rel_error"] = errors[label]
            if base:
                entry["gemm_ratio_to_nvfp4"] = {
                    k: errors[label][k] / base[k] for k in mnn.GEMMS}
        elif p == "fp32":
            entry["gemm_rel_error"] = {k: 0.0 for k in mnn.GEMMS}
        results["presets"][p] = entry
    for label in errors:
        if label not in results["presets"]:
            results.setdefault("gemm_only", {})[label] = {
                "gemm_rel_error": errors[label],
                "gemm_ratio_to_nvfp4": {k: errors[label][k] / base[k]
                                        for k in mnn.GEMMS} if base else None}
    (out / "results.json").write_text(json.dumps(results, indent=2))

    with open(out / "curves.csv", "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["preset", "seed", "step", "train_loss", "val_loss"])
        for (p, s), r in runs.items():
            val = dict(zip(r["val_step"], r["val_loss"]))
            for st, tl in zip(r["step"], r["train_loss"]):
                wr.writerow([p, s, st + 1, f"{tl:.5f}",
                             f"{val[st + 1]:.5f}" if st + 1 in val else ""])

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for i, p in enumerate(presets):
        col = f"C{i}"
        tl = np.mean([runs[(p, s)]["train_loss"] for s in seeds], axis=0)
        k = max(1, len(tl) // 50)
        sm = np.convolve(tl, np.ones(k) / k, mode="valid")
        axes[0].plot(np.arange(len(sm)) + k, sm, col, label=p)
        vs = runs[(p, seeds[0])]["val_step"]
        vl = np.array([runs[(p, s)]["val_loss"] for s in seeds])
        axes[1].plot(vs, vl.mean(0), col + "-o", ms=3, label=p)
        if len(seeds) > 1:
            axes[1].fill_between(vs, vl.min(0), vl.max(0), color=col,
                                 alpha=0.15)
    axes[0].set_title(f"train loss (mean of {len(seeds)} seed(s), smoothed)")
    axes[1].set_title("validation loss (mean; band: min-max over seeds)")
    for ax in axes:
        ax.set_xlabel("step")
        ax.set_ylabel("loss (nats/char)")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(out / "loss_curves.png", dpi=90)
    plt.close(fig)

    if fp32_final:
        q = [p for p in presets if p != "fp32"]
        fig, ax = plt.subplots(figsize=(6, 3.6))
        gaps = [results["presets"][p]["gap_per_seed"] for p in q]
        ax.bar(range(len(q)), [np.mean(g) for g in gaps],
               yerr=[np.std(g, ddof=1) if len(g) > 1 else 0 for g in gaps],
               color=[f"C{presets.index(p)}" for p in q], capsize=4)
        for i, g in enumerate(gaps):
            ax.plot([i] * len(g), g, "k.", ms=5)
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xticks(range(len(q)), q)
        ax.set_ylabel("final val loss - FP32")
        ax.set_title(f"gap to FP32 ({len(seeds)} seed(s); dots: per seed)")
        fig.tight_layout()
        fig.savefig(out / "val_gap.png", dpi=90)
        plt.close(fig)
    return results


def print_table(results, errors):
    print("\nPer-GEMM relative error on captured tensors (ratio to NVFP4):")
    base = errors.get("nvfp4")
    print(f"  {'variant':24} {'Fprop':>16} {'Dgrad':>16} {'Wgrad':>16}")
    for label, e in errors.items():
        cells = [f"{e[k]:.4f} ({e[k] / base[k]:.2f}x)" if base else
                 f"{e[k]:.4f}" for k in mnn.GEMMS]
        print(f"  {label:24} " + " ".join(f"{c:>16}" for c in cells))
    print("\nTraining (final validation loss, mean over seeds):")
    print(f"  {'preset':16} {'val loss':>9} {'± std':>7} {'gap to FP32':>12}"
          f" {'per-seed gaps':>22} {'tokens/s':>9}")
    for p, r in results["presets"].items():
        std = f"{r['std']:.4f}" if r.get("std") is not None else "-"
        gap = f"{r['gap_to_fp32']:+.4f}" if "gap_to_fp32" in r else "-"
        ps = " ".join(f"{g:+.3f}" for g in r.get("gap_per_seed", []))
        print(f"  {p:16} {r['final_val_loss']:9.4f} {std:>7} {gap:>12} "
              f"{ps:>22} {r['tokens_per_s']:9.0f}")


# ---------------------------------------------------------------------------


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true",
                      help="the README demo: small model, few steps (default)")
    size.add_argument("--full", action="store_true",
                      help="4 layers x 256, 3 seeds, 500 steps + Metis sweep")
    ap.add_argument("--out", type=Path, default=Path("build/demo/tiny_llama"))
    ap.add_argument("--presets", default=",".join(TRAIN_PRESETS),
                    help="comma-separated training presets (must include "
                         "fp32); a preset may carry metis.nn.Policy "
                         "overrides joined by '+', e.g. "
                         "'metis:rank=32+factor_format=bf16'")
    for k in ("layers", "dim", "heads", "ffn", "ctx", "batch", "steps",
              "eval_every", "eval_batches", "warmup"):
        ap.add_argument(f"--{k.replace('_', '-')}", type=int)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--seeds", type=str, help="e.g. 0,1,2")
    ap.add_argument("--reg-lambda", type=float, default=0.0,
                    help="dual-range regularizer weight (METIS.md §4; off)")
    ap.add_argument("--sweep", action="store_true",
                    help="per-GEMM error of the Metis knob sweep (--full "
                         "turns it on)")
    ap.add_argument("--gemm-variants", default=",".join(ERROR_VARIANTS),
                    help="presets of the per-GEMM error table")
    ap.add_argument("--jobs", type=int, default=1,
                    help="(preset, seed) runs in parallel processes (one "
                         "torch thread each)")
    ap.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1),
                    help="torch threads and parallel compilations")
    ap.add_argument("--blas", choices=("openblas", "system"),
                    default="openblas",
                    help="FP32 torch on OpenBLAS (extracted, its best "
                         "kernels; the default) or on the system BLAS "
                         "(Debian: the reference BLAS)")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = dict(FULL if args.full else QUICK)
    for k in ("layers", "dim", "heads", "ffn", "ctx", "batch", "steps",
              "eval_every", "eval_batches", "warmup", "lr"):
        v = getattr(args, k)
        if v is not None:
            cfg[k] = v
    if args.seeds:
        cfg["seeds"] = [int(s) for s in args.seeds.split(",")]
    cfg.setdefault("warmup", max(1, cfg["steps"] // 10))
    cfg["reg_lambda"] = args.reg_lambda
    presets = [p.replace("+", ",") for p in args.presets.split(",") if p]
    if "fp32" not in presets:
        sys.exit("--presets must include fp32 (the reference of the gaps)")
    unknown = set(args.gemm_variants.split(",")) - set(ERROR_VARIANTS)
    if unknown:
        sys.exit(f"--gemm-variants: unknown {sorted(unknown)}; expected "
                 f"some of {list(ERROR_VARIANTS)}")
    sweep = args.sweep or args.full
    torch.set_num_threads(args.threads)

    t_start = time.time()
    train_text, val_text = load_corpus()
    data = CharData(train_text, val_text)
    print(f"corpus: {len(data.train):,} train / {len(data.val):,} val chars, "
          f"vocab {data.vocab}; model {cfg['layers']}x{cfg['dim']} "
          f"(heads {cfg['heads']}, ffn {cfg['ffn']}, ctx {cfg['ctx']}), "
          f"batch {cfg['batch']}, {cfg['steps']} steps, lr {cfg['lr']}, "
          f"seeds {cfg['seeds']}; torch threads {torch.get_num_threads()}, "
          f"BLAS {openblas_env.describe()}")

    t0 = time.time()
    warm_compile(presets, [ERROR_VARIANTS[k] for k in
                           args.gemm_variants.split(",")], cfg, args.threads)
    print(f"compiled kernels: {time.time() - t0:.0f} s", file=sys.stderr)
    tasks = [(p, seed) for seed in cfg["seeds"] for p in presets]
    first = ("fp32", cfg["seeds"][0])
    runs = {}
    if args.jobs > 1:  # (preset, seed) runs in parallel processes
        import multiprocessing
        with concurrent.futures.ProcessPoolExecutor(
                args.jobs, mp_context=multiprocessing.get_context("spawn"),
                initializer=torch.set_num_threads, initargs=(1,)) as ex:
            futs = {t: ex.submit(run_task, t, data, cfg, t == first)
                    for t in tasks}
            for t, f in futs.items():
                runs[t] = f.result()
                save_run(args.out, t, runs[t])
    else:
        for t in tasks:
            runs[t] = run_task(t, data, cfg, t == first)
            save_run(args.out, t, runs[t])
    captured = runs[first].pop("captured")
    t_err = time.time()
    variants = {k: v for k, v in ERROR_VARIANTS.items()
                if k in args.gemm_variants.split(",")}
    if sweep:
        variants.update(SWEEP_VARIANTS)
    errors = gemm_errors(captured, variants, cfg, args.threads)
    print(f"per-GEMM errors: {time.time() - t_err:.0f} s", file=sys.stderr)
    wall = time.time() - t_start
    results = write_outputs(args.out, cfg, runs, errors, presets, wall)
    print_table(results, errors)
    print(f"\nwrote {args.out}/results.json, curves.csv, loss_curves.png, "
          f"val_gap.png; wall time {wall:.0f} s")


def use_openblas(argv):
    """FP32 torch (and numpy) on OpenBLAS: re-executes this script with the
    OpenMP build of OpenBLAS extracted under .cache/openblas and forced onto
    the best kernels the CPU runs (benchmarks/openblas_env.py), unless
    ``--blas system``. Debian's torch links the reference BLAS, ~30x slower,
    which would make FP32 an unfair baseline for the tokens/s column."""
    if any(a == "--blas=system" or (a == "--blas" and argv[i + 1:i + 2] ==
                                    ["system"]) for i, a in enumerate(argv)):
        return
    threads = os.environ.get("OMP_NUM_THREADS") or str(min(2, os.cpu_count() or 1))
    openblas_env.reexec(threads, {"OMP_WAIT_POLICY": "PASSIVE"})


if __name__ == "__main__":
    use_openblas(sys.argv[1:])
    main()
