"""metis-expand-spectral end to end, independently of the spectral_split
lowering: the expansion of a ``metis.spectral_matmul`` is compiled with its
``metis.spectral_split`` ops replaced by function arguments (U, S, Vᵀ, R
given by numpy), and its result is compared with a numpy model of the
expansion's definition (Passes.td / docs/Passes.md) built on the oracle
(``metis.reference``): per-operand quantization, factor precision
(fp4 / bf16 / f32), exact or compensated residual, spectral gains, the
derived seeds of stochastic rounding, and the algebra of the four terms.

Quantization is deterministic given the (injected) factors, so the compiled
result matches the model up to f32 accumulation order; the compensated
residual is computed in f32 by both, in different orders, which could flip a
rounding decision in rare cases, so its bound is looser.

Run: cd /work/main && PYTHONPATH=python /usr/bin/python3 -m pytest -q \
    python/tests/test_expand_spectral.py
"""

import concurrent.futures
import multiprocessing
import re

import numpy as np
import pytest

from metis import compiler, runtime
from testutil import as_i64, compiled_module

import spectral_model as sm

F32 = np.float32

pytestmark = compiled_module


# ---------------------------------------------------------------------------
# Cases: (M, N, K, format, lhs policy, rhs policy); a policy is a dict with
# rounding and optionally split = dict(rank, factors, residual, gain).
# ---------------------------------------------------------------------------


def P(rounding="rne", block=None, **split):
    return dict(rounding=rounding, block=block, split=split or None)


def S(rank=8, factors="fp4", residual="exact", gain="none"):
    return dict(rank=rank, factors=factors, residual=residual, gain=gain)


CASES = {
    "rhs_fp4_exact": (64, 96, 128, "nvfp4", P(), P(**S())),
    "lhs_fp4_exact": (64, 96, 128, "nvfp4", P(**S(rank=4)), P()),
    "both_fp4_exact": (64, 96, 128, "nvfp4", P(**S(rank=4)), P(**S(rank=8))),
    "rhs_bf16": (64, 96, 128, "nvfp4", P(), P(**S(factors="bf16"))),
    "lhs_f32": (64, 96, 128, "nvfp4", P(**S(factors="f32")), P()),
    "both_mixed_factors": (64, 96, 128, "nvfp4", P(**S(factors="bf16")),
                           P(**S(factors="fp4", rank=6))),
    "rhs_compensated": (64, 96, 128, "nvfp4", P(),
                        P(**S(residual="compensated"))),
    "both_compensated_bf16": (64, 96, 128, "nvfp4",
                              P(**S(factors="bf16", residual="compensated")),
                              P(**S(residual="compensated"))),
    "rhs_gain_reference": (64, 96, 128, "nvfp4", P(),
                           P(**S(gain="reference"))),
    "both_gains": (64, 96, 128, "nvfp4", P(**S(gain="smooth", rank=4)),
                   P(**S(gain="reference"))),
    "mxfp4_both": (64, 96, 128, "mxfp4", P(**S()), P(**S(factors="f32"))),
    "tiled_weight": (64, 96, 128, "nvfp4", P(), P(block=(16, 16), **S())),
    "stochastic_all": (64, 96, 128, "nvfp4", P("stochastic", **S(rank=4)),
                       P("stochastic", **S(residual="compensated"))),
    "stochastic_no_split": (64, 96, 128, "nvfp4", P("stochastic"),
                            P("stochastic")),
}


# ---------------------------------------------------------------------------
# Module: spectral_matmul on memrefs, expanded, splits replaced by arguments
# ---------------------------------------------------------------------------


def _policy_attr(fmt, pol):
    f = (f"#metis.format<{fmt}, 16x16>" if pol["block"] == (16, 16)
         else f"#metis.format<{fmt}>")
    parts = [f"format = {f}"]
    if pol["rounding"] != "rne":
        parts.append(f"rounding = {pol['rounding']}")
    sp = pol["split"]
    if sp:
        parts.append(
            f"split = #metis.split<rank = {sp['rank']}, factors = "
            f"{sp['factors']}, residual = {sp['residual']}, gain = "
            f"{sp['gain']}>")
    return "#metis.operand<" + ", ".join(parts) + ">"


def _split_memrefs(rows, k_dim, rank):
    return [f"memref<{rows}x{rank}xf32>", f"memref<{rank}xf32>",
            f"memref<{rank}x{k_dim}xf32>", f"memref<{rows}x{k_dim}xf32>"]


_SPLIT_RE = re.compile(
    r"^(\s*)(%[\w]+), (%[\w]+), (%[\w]+), (%[\w]+) = metis\.spectral_split .*"
    r" -> (tensor<[^>]*>), (tensor<[^>]*>), (tensor<[^>]*>), (tensor<[^>]*>)$",
    re.M)


def expanded_module(m, n, k, fmt, lp, rp):
    """MLIR text: @f(a, b, c, seed, [lhs U,S,Vt,R], [rhs U,S,Vt,R]) with the
    expansion of the spectral_matmul, its spectral_splits reading the extra
    arguments (lhs first, the order in which the pass expands)."""
    extra = []
    if lp["split"]:
        extra += _split_memrefs(m, k, lp["split"]["rank"])
    if rp["split"]:
        extra += _split_memrefs(n, k, rp["split"]["rank"])
    args = [f"%am: memref<{m}x{k}xf32>", f"%bm: memref<{n}x{k}xf32>",
            f"%cm: memref<{m}x{n}xf32>", "%seed: i64"]
    args += [f"%x{i}: {t}" for i, t in enumerate(extra)]
    text = (
        f"func.func @f({', '.join(args)}) attributes "
        "{llvm.emit_c_interface} {\n"
        f"  %a = bufferization.to_tensor %am restrict : memref<{m}x{k}xf32> "
        f"to tensor<{m}x{k}xf32>\n"
        f"  %b = bufferization.to_tensor %bm restrict : memref<{n}x{k}xf32> "
        f"to tensor<{n}x{k}xf32>\n"
        f"  %c = metis.spectral_matmul %a, %b seed %seed {{lhs_policy = "
        f"{_policy_attr(fmt, lp)}, rhs_policy = {_policy_attr(fmt, rp)}}} : "
        f"tensor<{m}x{k}xf32>, tensor<{n}x{k}xf32> -> tensor<{m}x{n}xf32>\n"
        f"  bufferization.materialize_in_destination %c in restrict writable "
        f"%cm : (tensor<{m}x{n}xf32>, memref<{m}x{n}xf32>) -> ()\n"
        "  return\n}\n")
    out = compiler.opt(text, ["--metis-expand-spectral"])
    # Function arguments print as %argN: a, b, c, seed, then the factors.
    arg_iter = iter(range(4, 4 + len(extra)))

    def replace(mt):
        indent = mt.group(1)
        lines = []
        for name, ttype in zip(mt.group(2, 3, 4, 5), mt.group(6, 7, 8, 9)):
            mtype = "memref" + ttype[len("tensor"):]
            lines.append(f"{indent}{name} = bufferization.to_tensor "
                         f"%arg{next(arg_iter)} restrict : {mtype} to {ttype}")
        return "\n".join(lines)

    out, count = _SPLIT_RE.subn(replace, out)
    assert count == bool(lp["split"]) + bool(rp["split"]), out
    assert "spectral" not in out
    return out


def model(a, b, fmt, lp, rp, seed, fa, fb, tags=None):
    xa = sm.operand(a, fmt, lp["rounding"], lp["split"], seed, "lhs", fa,
                    lp["block"], tags)
    xb = sm.operand(b, fmt, rp["rounding"], rp["split"], seed, "rhs", fb,
                    rp["block"], tags)
    return xa @ xb.T


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def libs(cache_dir):
    """Every case's library, compiled in parallel."""
    def build(name):
        m, n, k, fmt, lp, rp = CASES[name]
        return name, runtime.load(expanded_module(m, n, k, fmt, lp, rp))
    workers = min(len(CASES), multiprocessing.cpu_count())
    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        return dict(ex.map(build, CASES))


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("seed", [0, 0x7FEDCBA987654321])
def test_expansion_matches_model(libs, name, seed):
    m, n, k, fmt, lp, rp = CASES[name]
    rng = np.random.default_rng([list(CASES).index(name), seed % 2**32])
    a = sm.power_law(m, k, rng)
    b = sm.power_law(n, k, rng, alpha=1.5)
    fa = sm.exact_split(a, lp["split"]["rank"]) if lp["split"] else None
    fb = sm.exact_split(b, rp["split"]["rank"]) if rp["split"] else None
    c = np.full((m, n), np.nan, F32)
    extra = [*(fa or ()), *(fb or ())]
    libs[name].call("f", a, b, c, as_i64(seed),
                    *[np.ascontiguousarray(t) for t in extra])
    want = model(a, b, fmt, lp, rp, seed, fa, fb)
    err = np.linalg.norm(c - want) / np.linalg.norm(want)
    compensated = any(p["split"] and p["split"]["residual"] == "compensated"
                      for p in (lp, rp))
    assert np.all(np.isfinite(c))
    assert err < (1e-4 if compensated else 2e-6), err


def test_seeds_are_distinct_and_matter(libs):
    """Each stochastic use draws its own bits: the result changes with the
    seed, and the model with two derived seeds swapped (lhs and rhs
    residual) no longer matches, so the compiled code uses the documented
    tags and not merely distinct ones."""
    name = "stochastic_all"
    m, n, k, fmt, lp, rp = CASES[name]
    rng = np.random.default_rng(5)
    a, b = sm.power_law(m, k, rng), sm.power_law(n, k, rng)
    fa = sm.exact_split(a, lp["split"]["rank"])
    fb = sm.exact_split(b, rp["split"]["rank"])
    outs = []
    for seed in (1, 2):
        c = np.empty((m, n), F32)
        libs[name].call("f", a, b, c, seed, *fa, *fb)
        outs.append(c)
    assert not np.array_equal(outs[0], outs[1])
    want = model(a, b, fmt, lp, rp, 1, fa, fb)
    ok = np.linalg.norm(outs[0] - want) / np.linalg.norm(want)
    tags = dict(sm.TAGS, lhs_main=sm.TAGS["rhs_main"],
                rhs_main=sm.TAGS["lhs_main"])
    swapped = model(a, b, fmt, lp, rp, 1, fa, fb, tags)
    bad = np.linalg.norm(outs[0] - swapped) / np.linalg.norm(swapped)
    assert ok < 1e-4 and bad > 100 * ok, (ok, bad)
