#!/usr/bin/env python3
"""Structured fuzzing of metis-opt: random *valid* metis programs.

`generate(seed)` returns one module (MLIR text) built from a random mix of
metis ops and small training-style matmul graphs: random shapes (including
dynamic `?` extents, size-1 and very large extents), element types, formats
and block shapes, axes, rounding modes, roles, spectral-split policies
(rank, oversample, power iterations, sketch, factor precision, residual
mode, gain, warm starts of spectral_split and spectral_matmul), batched matmuls, transposed operands and
constants that the folders see. Every module is meant to verify; the
passes may still reject some constructs with a diagnostic (e.g. a dynamic
`metis.spectral_split`), which is fine.

`run` mode feeds the modules to metis-opt through every pipeline of
fuzz/targets.txt and classifies each run: exit 0, or exit 1 with an
`error:` diagnostic, is fine; a signal, any other exit code, a failure
without a diagnostic, or a timeout is a bug, and the module is saved. A
generated module that does not verify is reported too (a generator or a
verifier bug).

  scripts/fuzz/gen_metis.py emit SEED              # print one module
  scripts/fuzz/gen_metis.py run --count 200 --seed 1 [--metis-opt PATH]
      [--targets a,b] [--out DIR] [--timeout 60] [--junit FILE]
"""
import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parents[2]

FORMATS = [  # (attr, block, tile rows, scale type)
    ("#metis.format<nvfp4>", 16, 1, "f8E4M3FN"),
    ("#metis.format<nvfp4, 16x16>", 16, 16, "f8E4M3FN"),
    ("#metis.format<mxfp4>", 32, 1, "f8E8M0FNU"),
    ("#metis.format<fp4e2m1b>", 16, 1, "f32"),
]
ONE_D = {"#metis.format<nvfp4, 16x16>": "#metis.format<nvfp4>"}
HIGH = ["f32", "bf16", "f16"]
MATRIX = ["f32", "bf16"]


def ttype(shape, elem):
    dims = "".join(("?" if d is None else str(d)) + "x" for d in shape)
    return f"tensor<{dims}{elem}>"


class Gen:
    """Builds one func body; values are (name, shape, elem) triples."""

    def __init__(self, rng):
        self.rng = rng
        self.args = []     # (name, type)
        self.body = []
        self.n = 0
        self.seed_value = None

    def fresh(self):
        self.n += 1
        return f"%v{self.n}"

    # -- shapes ------------------------------------------------------------
    def extent(self, multiple=1, allow_dynamic=True):
        r = self.rng.random()
        if allow_dynamic and r < 0.12:
            return None
        if r < 0.15:
            return multiple
        if r < 0.18:  # empty tensors
            return 0
        if r < 0.24:  # large, for overflow and folding limits
            return multiple * self.rng.choice([4096, 65536, 1 << 20])
        return multiple * self.rng.randint(1, 12)

    def seed(self):
        """An i64 seed: a function argument or a constant."""
        if self.seed_value is None or self.rng.random() < 0.3:
            name = self.fresh()
            if self.rng.random() < 0.5:
                self.args.append((name, "i64"))
            else:
                v = self.rng.choice([0, 1, 42, -1, 2**63 - 1, -2**63])
                self.body.append(f"{name} = arith.constant {v} : i64")
            self.seed_value = name
        return self.seed_value

    def tensor(self, shape, elem):
        """A tensor value: an argument, or (static shapes) a constant."""
        name = self.fresh()
        t = ttype(shape, elem)
        if None not in shape and self.rng.random() < 0.25 and elem != "f16":
            val = self.rng.choice(["0.0", "1.5", "-3.0", "1.0e+30", "0x7FC00000",
                                   "0x7F800000", "1.0e-40"])
            if val.startswith("0x") and elem == "bf16":
                val = {"0x7FC00000": "0x7FC0", "0x7F800000": "0x7F80"}[val]
            self.body.append(f"{name} = arith.constant dense<{val}> : {t}")
        else:
            self.args.append((name, t))
        return name

    # -- ops ---------------------------------------------------------------
    def quantize(self, x, shape, elem, fmt=None, axis=None):
        attr, block, tile, stype = fmt or self.rng.choice(FORMATS)
        if axis is None:
            axis = len(shape) - 1
        rounding = self.rng.choice(["rne", "rne", "stochastic"])
        seed = f" seed {self.seed()}" if rounding == "stochastic" else ""
        sshape = list(shape)
        if sshape[axis] is not None:
            sshape[axis] //= block
        v, s, t = self.fresh(), self.fresh(), self.fresh()
        rattr = ("" if rounding == "rne" and self.rng.random() < 0.5
                 else f", rounding = #metis.rounding<{rounding}>")
        types = (f"{ttype(shape, 'f4E2M1FN')}, {ttype(sshape, stype)}, "
                 "tensor<f32>")
        self.body.append(
            f"{v}, {s}, {t} = metis.quantize {x}{seed} {{axis = {axis} : i64, "
            f"format = {attr}{rattr}}} : {ttype(shape, elem)} -> {types}")
        return (v, s, t), sshape, (attr, block, tile, stype)

    def blocked_shape(self, rank, fmt, axis):
        _, block, tile, _ = fmt
        shape = [self.extent() for _ in range(rank)]
        if shape[axis] is not None:
            shape[axis] = self.extent(block, allow_dynamic=False)
        if tile > 1:
            other = 1 - axis
            if shape[other] is not None:
                shape[other] = self.extent(tile, allow_dynamic=False)
        return shape

    def op_quantize(self):
        fmt = self.rng.choice(FORMATS)
        rank = 2 if fmt[2] > 1 else self.rng.randint(1, 3)
        axis = self.rng.randrange(rank)
        shape = self.blocked_shape(rank, fmt, axis)
        elem = self.rng.choice(HIGH)
        x = self.tensor(shape, elem)
        (v, s, t), sshape, _ = self.quantize(x, shape, elem, fmt, axis)
        if self.rng.random() < 0.6:
            out = self.rng.choice(HIGH)
            d = self.fresh()
            attr = fmt[0]
            self.body.append(
                f"{d} = metis.dequantize {v}, {s}, {t} {{axis = {axis} : i64, "
                f"format = {attr}}} : {ttype(shape, 'f4E2M1FN')}, "
                f"{ttype(sshape, fmt[3])}, tensor<f32> -> {ttype(shape, out)}")
            return d, shape, out
        return None

    def op_scaled_matmul(self):
        fmt = self.rng.choice([f for f in FORMATS if f[2] == 1])
        batched = self.rng.random() < 0.25
        bt = [self.extent()] if batched else []
        m, n = self.extent(), self.extent()
        k = self.extent(fmt[1], allow_dynamic=False) \
            if self.rng.random() < 0.85 else None
        ashape, bshape = bt + [m, k], bt + [n, k]
        ea, eb = self.rng.choice(HIGH), self.rng.choice(HIGH)
        qa, sa, _ = self.quantize(self.tensor(ashape, ea), ashape, ea, fmt)
        qb, sb, _ = self.quantize(self.tensor(bshape, eb), bshape, eb, fmt)
        out = self.rng.choice(MATRIX)
        c = self.fresh()
        cshape = bt + [m, n]
        self.body.append(
            f"{c} = metis.scaled_matmul {qa[0]}, {qa[1]}, {qa[2]}, {qb[0]}, "
            f"{qb[1]}, {qb[2]} {{format = {fmt[0]}}} : "
            f"{ttype(ashape, 'f4E2M1FN')}, {ttype(sa, fmt[3])}, tensor<f32>, "
            f"{ttype(bshape, 'f4E2M1FN')}, {ttype(sb, fmt[3])}, tensor<f32> "
            f"-> {ttype(cshape, out)}")
        return c, cshape, out

    def split_params(self, rows, cols):
        lim = min(d for d in (rows, cols) if d is not None) \
            if (rows, cols) != (None, None) else 64
        if lim < 2:
            return None
        rank = self.rng.randint(1, min(lim - 1, 24))
        return dict(rank=rank,
                    oversample=self.rng.choice([0, 1, 4, 10, 1000]),
                    power_iters=self.rng.choice([0, 1, 2, 3]),
                    sketch=self.rng.choice(["gaussian", "rademacher",
                                            "sparse_sign", "row_sampling"]))

    def op_spectral_split(self):
        m, n = self.extent(), self.extent()
        p = self.split_params(m, n)
        if p is None:
            return None
        elem = self.rng.choice(MATRIX)
        x = self.tensor([m, n], elem)
        k = p["rank"]
        warm = ""
        res = ""
        if self.rng.random() < 0.3:
            if None in (m, n):
                ell = None
            else:
                ell = min(k + p["oversample"], min(m, n))
            w = self.fresh()
            wt = ttype([n, ell], "f32")
            self.args.append((w, wt))
            warm = f" warm_start {w} : {wt}"
            res = f", {wt}"
        names = [self.fresh() for _ in range(5 if warm else 4)]
        self.body.append(
            f"{', '.join(names)} = metis.spectral_split {x} seed {self.seed()}"
            f"{warm} {{rank = {k} : i64, oversample = {p['oversample']} : i64, "
            f"power_iters = {p['power_iters']} : i64, "
            f"sketch = #metis.sketch<{p['sketch']}>}} : {ttype([m, n], elem)} "
            f"-> {ttype([m, k], 'f32')}, {ttype([k], 'f32')}, "
            f"{ttype([k, n], 'f32')}, {ttype([m, n], 'f32')}{res}")
        return names[3], [m, n], "f32"

    def policy(self, fmt, shape, allow_split):
        rounding = self.rng.choice(["rne", "rne", "stochastic"])
        parts = [f"format = {fmt}"]
        if rounding != "rne" or self.rng.random() < 0.3:
            parts.append(f"rounding = {rounding}")
        if self.rng.random() < 0.6:
            parts.append("role = " + self.rng.choice(
                ["weight", "activation", "gradient"]))
        split = None  # (rank, oversample) of a split
        if allow_split and len(shape) == 2 and self.rng.random() < 0.6:
            p = self.split_params(shape[0], shape[1])
            if p is not None:
                sp = [f"rank = {p['rank']}"]
                oversample = 4  # the attribute's default
                for key in ("oversample", "power_iters"):
                    if self.rng.random() < 0.5:
                        sp.append(f"{key} = {p[key]}")
                        if key == "oversample":
                            oversample = p[key]
                split = (p["rank"], oversample)
                if self.rng.random() < 0.5:
                    sp.append(f"sketch = {p['sketch']}")
                for key, vals in (("factors", ["fp4", "bf16", "f32"]),
                                  ("residual", ["exact", "compensated"]),
                                  ("gain", ["none", "reference", "smooth"])):
                    if self.rng.random() < 0.5:
                        sp.append(f"{key} = {self.rng.choice(vals)}")
                parts.append(f"split = #metis.split<{', '.join(sp)}>")
        return (f"#metis.operand<{', '.join(parts)}>",
                rounding == "stochastic" or split is not None, split)

    def spectral_matmul(self, a, ashape, ea, b, bshape, eb):
        kind = self.rng.choice(["nvfp4", "mxfp4", "fp4e2m1b"])
        fa = fb = f"#metis.format<{kind}>"
        if kind == "nvfp4":
            tiles = "#metis.format<nvfp4, 16x16>"
            if len(ashape) == 2 and self.rng.random() < 0.3 and \
                    (ashape[0] is None or ashape[0] % 16 == 0):
                fa = tiles
            if len(bshape) == 2 and self.rng.random() < 0.3 and \
                    (bshape[0] is None or bshape[0] % 16 == 0):
                fb = tiles
        pa, sa, splita = self.policy(fa, ashape, True)
        pb, sb, splitb = self.policy(fb, bshape, True)
        seed = f" seed {self.seed()}" if sa or sb else ""
        # Warm starts of split operands: a K x l subspace in, one out.
        warm, subspaces = "", ""
        extra = []
        for side, shape, split in (("lhs", ashape, splita),
                                   ("rhs", bshape, splitb)):
            if split is None or self.rng.random() >= 0.3:
                continue
            rows, k = shape
            ell = None if None in (rows, k) else min(split[0] + split[1],
                                                     min(rows, k))
            w = self.fresh()
            wt = ttype([k, ell], "f32")
            self.args.append((w, wt))
            warm += f" {side}_warm_start {w} : {wt}"
            subspaces += f" {side}_subspace {wt}"
            extra.append(self.fresh())
        out = self.rng.choice(MATRIX)
        c = self.fresh()
        cshape = ashape[:-2] + [ashape[-2], bshape[-2]]
        self.body.append(
            f"{', '.join([c] + extra)} = metis.spectral_matmul {a}, {b}{seed}"
            f"{warm} {{lhs_policy = {pa}, rhs_policy = {pb}}} : "
            f"{ttype(ashape, ea)}, {ttype(bshape, eb)} -> "
            f"{ttype(cshape, out)}{subspaces}")
        return c, cshape, out

    def transpose(self, x, shape, elem):
        """linalg.transpose of a 2-D tensor (a transposed matmul operand)."""
        t = [shape[1], shape[0]]
        init, y = self.fresh(), self.fresh()
        dyn = [self.fresh_dim(x, d) for d, e in ((1, t[0]), (0, t[1]))
               if e is None]
        self.body.append(f"{init} = tensor.empty({', '.join(dyn)}) : "
                         f"{ttype(t, elem)}")
        self.body.append(f"{y} = linalg.transpose ins({x} : "
                         f"{ttype(shape, elem)}) outs({init} : "
                         f"{ttype(t, elem)}) permutation = [1, 0]")
        return y, t

    def fresh_dim(self, x, d):
        c, v = self.fresh(), self.fresh()
        self.body.append(f"{c} = arith.constant {d} : index")
        self.body.append(f"{v} = tensor.dim {x}, {c} : "
                         f"{self.types[x]}")
        return v

    def op_graph(self):
        """A linear layer's three training matmuls, in the `C = A·Bᵀ` form:
        Y = X·Wᵀ, dX = dY·(Wᵀ)ᵀ, dW = dYᵀ·Xᵀ (operands transposed with
        linalg.transpose), and optionally a second layer fed by Y."""
        k = self.extent(32, allow_dynamic=False) if self.rng.random() < 0.9 \
            else 32 * self.rng.randint(1, 4)
        tok = self.extent(32, allow_dynamic=True)
        out = self.extent(32, allow_dynamic=False)
        ex, ew = self.rng.choice(MATRIX), self.rng.choice(MATRIX)
        x = self.tensor([tok, k], ex)
        w = self.tensor([out, k], ew)
        self.types = getattr(self, "types", {})
        self.types[x] = ttype([tok, k], ex)
        self.types[w] = ttype([out, k], ew)
        y, yshape, ey = self.spectral_matmul(x, [tok, k], ex, w, [out, k], ew)
        dy = self.tensor([tok, out], ex)
        self.types[dy] = ttype([tok, out], ex)
        if self.rng.random() < 0.7:
            wt, wts = self.transpose(w, [out, k], ew)
            self.types[wt] = ttype(wts, ew)
            self.spectral_matmul(dy, [tok, out], ex, wt, wts, ew)
        if self.rng.random() < 0.5 and tok is not None:
            dyt, dyts = self.transpose(dy, [tok, out], ex)
            xt, xts = self.transpose(x, [tok, k], ex)
            self.spectral_matmul(dyt, dyts, ex, xt, xts, ex)
        if self.rng.random() < 0.4:
            w2 = self.tensor([out, out], ew)
            return self.spectral_matmul(y, yshape, ey, w2, [out, out], ew)
        return y, yshape, ey

    def op_batched_spectral(self):
        bt = self.extent()
        m, n = self.extent(), self.extent()
        k = self.extent(32, allow_dynamic=False)
        ea, eb = self.rng.choice(MATRIX), self.rng.choice(MATRIX)
        a = self.tensor([bt, m, k], ea)
        b = self.tensor([bt, n, k], eb)
        return self.spectral_matmul(a, [bt, m, k], ea, b, [bt, n, k], eb)


def generate(seed: int) -> str:
    """One random valid module (deterministic in `seed`)."""
    rng = random.Random(seed)
    g = Gen(rng)
    g.types = {}
    ops = [g.op_quantize, g.op_scaled_matmul, g.op_spectral_split,
           g.op_graph, g.op_batched_spectral]
    results = []
    for _ in range(rng.randint(1, 4)):
        r = rng.choice(ops)()
        if r is not None:
            results.append(r)
    rets = results[-rng.randint(0, min(2, len(results))):] if results else []
    if rng.random() < 0.5:
        rets = []
    rtypes = [ttype(s, e) for _, s, e in rets]
    sig = ", ".join(f"{n}: {t}" for n, t in g.args)
    attrs = " attributes {llvm.emit_c_interface}" if rng.random() < 0.3 else ""
    lines = [f"func.func @f{seed % 1000}({sig}) -> ({', '.join(rtypes)}){attrs} {{"]
    lines += ["  " + line for line in g.body]
    lines.append("  return" + (" " + ", ".join(r[0] for r in rets) + " : " +
                               ", ".join(rtypes) if rets else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------


def targets(names=None):
    out = []
    for line in (ROOT / "fuzz" / "targets.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, pipeline = line.partition(" ")
        if names is None or name in names:
            out.append((name, pipeline.strip()))
    return out


def classify(proc_rc, stderr, timed_out):
    """None if fine, else a short reason."""
    if timed_out:
        return "timeout"
    if proc_rc == 0:
        return None
    if proc_rc < 0:
        return f"signal {-proc_rc}"
    if proc_rc != 1:
        return f"exit code {proc_rc}"
    if "error:" not in stderr:
        return "failure without a diagnostic"
    if "LLVM ERROR" in stderr or "PLEASE submit a bug report" in stderr:
        return "fatal error"
    return None


def run_one(metis_opt, text, pipeline, timeout):
    args = [metis_opt, "-o", os.devnull]
    if pipeline:
        args.append(f"--pass-pipeline=builtin.module({pipeline})")
    try:
        p = subprocess.run(args, input=text, capture_output=True, text=True,
                           timeout=timeout)
        return classify(p.returncode, p.stderr, False), p.stderr
    except subprocess.TimeoutExpired:
        return classify(None, "", True), ""


def run(args):
    metis_opt = args.metis_opt or str(ROOT / "build" / "bin" / "metis-opt")
    tgs = targets(set(args.targets.split(",")) if args.targets else None)
    out = Path(args.out) if args.out else None
    stats = {name: [0, 0] for name, _ in tgs}   # runs, bugs
    invalid = 0
    findings = []
    start = time.time()
    for i in range(args.count):
        seed = args.seed + i
        if i and i % 25 == 0:
            print(f"{i} modules, {len(findings)} findings, "
                  f"{time.time() - start:.0f} s", flush=True)
        text = generate(seed)
        reason, err = run_one(metis_opt, text, "", args.timeout)
        if reason is not None or "error:" in err:
            invalid += 1
            findings.append(("verify", seed, reason or "does not verify",
                             err.strip().splitlines()[:3]))
            continue
        for name, pipeline in tgs:
            if not pipeline:
                stats[name][0] += 1
                continue
            reason, err = run_one(metis_opt, text, pipeline, args.timeout)
            stats[name][0] += 1
            if reason is not None:
                stats[name][1] += 1
                findings.append((name, seed, reason,
                                 err.strip().splitlines()[-3:]))
                print(f"FINDING {name} seed {seed}: {reason}", flush=True)
                if out:
                    out.mkdir(parents=True, exist_ok=True)
                    (out / f"{name}-{seed}.mlir").write_text(
                        f"// pipeline: builtin.module({pipeline})\n"
                        f"// {reason}\n{text}")
    elapsed = time.time() - start
    for name, (runs, bugs) in stats.items():
        print(f"{name}: {runs} runs, {bugs} bugs")
    print(f"{args.count} modules ({invalid} did not verify), "
          f"{len(findings)} findings, {elapsed:.0f} s")
    for f in findings:
        print("FINDING", f[0], "seed", f[1], f[2], *f[3], sep="\n  ")
    if args.junit:
        write_junit(args.junit, "fuzz-gen", stats, findings, invalid,
                    args.count, elapsed)
    return 1 if findings else 0


def write_junit(path, suite, stats, findings, invalid, count, elapsed):
    cases = []
    ver = [f for f in findings if f[0] == "verify"]
    cases.append(("generated-modules-verify", ver))
    for name in stats:
        cases.append((name, [f for f in findings if f[0] == name]))
    with open(path, "w") as f:
        f.write(f'<testsuites><testsuite name="{suite}" tests="{len(cases)}" '
                f'time="{elapsed:.1f}">\n')
        for name, bad in cases:
            f.write(f'<testcase classname="{suite}" name={quoteattr(name)}>')
            if bad:
                msg = "; ".join(f"seed {b[1]}: {b[2]}" for b in bad[:10])
                f.write(f'<failure message={quoteattr(msg)}>'
                        f'{escape(msg)}</failure>')
            f.write("</testcase>\n")
        f.write("</testsuite></testsuites>\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("emit")
    e.add_argument("seed", type=int)
    r = sub.add_parser("run")
    r.add_argument("--count", type=int, default=100)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--metis-opt")
    r.add_argument("--targets")
    r.add_argument("--out")
    r.add_argument("--timeout", type=float, default=60)
    r.add_argument("--junit")
    args = ap.parse_args()
    if args.cmd == "emit":
        sys.stdout.write(generate(args.seed))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
