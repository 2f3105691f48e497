#!/usr/bin/env python3
"""What the warm-started spectral split adds to the FP4 GEMM, from CPU
samples mapped back to the IR (docs/SpectralFidelity.md, "The low-rank
product inside the main GEMM").

    python3 benchmarks/split_profile.py --builds start=/tmp/old/build \\
        now=build --rounds 13 --dir /tmp/split-profile

For each build directory (bin/metis-opt) it compiles the FP4 GEMM
(scaled_matmul) and spectral_matmul with b split (k = 16, q = 1, warm
start, fp4 factors, exact residual) at M = N = K (4096 by default), with
`snapshot-op-locations` before the LLVM lowering and DWARF in the shared
library, so that each sample's source line is a line of that stage's IR.
It then runs the libraries interleaved round by round in one process
(one C for all, so that its pages are the same) under `perf record`,
and reports per library, as a share of the first GEMM's samples:

* outside: samples outside the main GEMM's loop nest (the largest
  top-level op), over the GEMM's own (quantizing a and b);
* epilogue: the main nest's epilogue (from the first-K-block test after
  the main micro-kernel's k loop), over the GEMM's;
* product: the low-rank product when it runs inside the main nest (the
  first-jc-block branch that holds a k loop), else 0 (it is then outside);
* the sum: what the split adds. The GEMM's own loop nest differs by up to
  ±3 % between libraries of the same code on this VM, so it is left out.

The regions are found by the shape of the IR metis-cpu-gemm emits today
(loop nesting and the `arith.cmpi eq, %argN, %c0` tests); a change to the
nest may need this script to follow. Needs `perf` (cpu-clock is enough).
"""

import argparse
import collections
import ctypes
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from metis import api, runtime  # noqa: E402
import spectral_fidelity as sf  # noqa: E402

LLVM = Path("/usr/lib/llvm-22/bin")


def module(kind, n):
    if kind == "gemm":
        return api._scaled_matmul_module((n, n), (n, n), "nvfp4", "rne", "rne")
    warm = ("", api._ty("memref", sf.warm_shape((n, n), 16), "f32"))
    return api._spectral_matmul_module(
        (n, n), (n, n), "b", 16, sf.P, 1, "gaussian", "nvfp4", "fp4", "exact",
        "none", "rne", "rne", warm)


def compile_lib(build, kind, n, out):
    """out.so with DWARF lines into out.stage.mlir (the IR before
    expand-strided-metadata, metis-cpu-pipeline's LLVM lowering)."""
    opt = str(Path(build) / "bin" / "metis-opt")
    pre = ["--metis-expand-spectral"] if kind == "split" else []
    dump = subprocess.run([opt, *pre, "--metis-cpu-pipeline",
                           "--dump-pass-pipeline"], input="",
                          capture_output=True, text=True, check=True).stderr
    body = dump[dump.index("builtin.module(") + len("builtin.module("):
                dump.rindex(")")]
    text = " ".join(p.strip() for p in body.split("\n") if p.strip())
    cut = text.index("expand-strided-metadata")
    head, tail = text[:cut].rstrip().rstrip(","), text[cut:]
    pipeline = (f"builtin.module({head}, snapshot-op-locations{{filename="
                f"{out}.stage.mlir}}, {tail}, "
                "ensure-debug-info-scope-on-llvm-func)").replace(", ,", ",")
    Path(f"{out}.in.mlir").write_text(module(kind, n))
    subprocess.run([opt, f"--pass-pipeline={pipeline}", f"{out}.in.mlir",
                    "-o", f"{out}.llvm.mlir", "--mlir-print-debuginfo"],
                   check=True)
    subprocess.run([str(LLVM / "mlir-translate"), "--mlir-to-llvmir",
                    f"{out}.llvm.mlir", "-o", f"{out}.ll"], check=True)
    subprocess.run([str(LLVM / "clang"), *runtime.CLANG_FLAGS, "-g",
                    f"{out}.ll", "-o", f"{out}.so"], check=True)


def run_rounds(libs, n, rounds):
    """Interleaved rounds in this process (run under perf)."""
    rng = np.random.default_rng(7)
    a, b = sf.timing_operands(n, n, n, rng)
    warm = sf.warm_buffers(b.shape, 16, rng)
    c = np.zeros((n, n), np.float32)
    calls = []
    for path in libs:
        lib = runtime.Library(path, path, ctypes.CDLL(path))
        if Path(path).name.startswith("split"):
            calls.append((path, lambda lib=lib: lib.call(
                "spectral_matmul", a, b, c, *warm, 0)))
        else:
            calls.append((path, lambda lib=lib: lib.call(
                "scaled_matmul", a, b, c, 0, api.rhs_seed(0))))
    # A training step's warm start (the same for every build): the
    # subspace the first split returns from the random one.
    sf.settle_warm_start(next(fn for path, fn in calls
                              if Path(path).name.startswith("split")), warm)
    times = {path: [] for path, _ in calls}
    for _, fn in calls:
        fn()
    for _ in range(rounds):
        for path, fn in calls:
            t0 = time.perf_counter()
            fn()
            times[path].append(time.perf_counter() - t0)
    for path, t in times.items():
        print(f"{Path(path).name}: best {1e3 * min(t):.1f} ms, median "
              f"{1e3 * np.median(t):.1f} ms")


def line_samples(data, dso):
    out = subprocess.run(["perf", "report", "-i", data, "--stdio",
                          "--no-children", "--sort", "srcline", "--dsos", dso,
                          "-F", "sample,srcline"],
                         capture_output=True, text=True).stdout
    counts = collections.Counter()
    for line in out.splitlines():
        m = re.match(r"\s*(\d+)\s+\S+:(\d+)", line)
        if m:
            counts[int(m.group(2))] += int(m.group(1))
        elif re.match(r"\s*\d+\s+\?\?", line):
            counts[-1] += int(line.split()[0])
    return counts


def regions(stage):
    """Line ranges of the main nest, its epilogue and an in-nest product."""
    lines = Path(stage).read_text().split("\n")
    tops = [i + 1 for i, l in enumerate(lines)
            if re.match(r"    \S", l) and not l.startswith("    }")]
    main, length = max(((t, u - t) for t, u in zip(tops, tops[1:])),
                       key=lambda x: x[1])
    end = main + length

    def indent(n):
        return len(lines[n - 1]) - len(lines[n - 1].lstrip())

    def block_end(n):
        """The line closing the op on line n + 1 (an scf.if after its test)."""
        return next(i for i in range(n + 2, end)
                    if indent(i) <= indent(n + 1) and lines[i - 1].strip() == "}")

    tests = [n for n in range(main, end)
             if re.search(r"arith.cmpi eq, %arg\d+, %c0 : index", lines[n - 1])]
    # The product: a branch on a first-jc-block test (computed once per jc
    # block, above the K loop) with a micro-kernel (vector.fma; the main
    # epilogue's updates are math.fma).
    product = range(0)
    for n in tests:
        name = re.match(r"\s*(%\w+) =", lines[n - 1]).group(1)
        for i in range(n + 1, end):
            if not re.match(rf"\s*scf.if {name} ", lines[i - 1]):
                continue
            stop = block_end(i - 1)
            if any("vector.fma" in lines[j - 1] for j in range(i, stop)):
                product = range(i, stop + 1)
                break
        if product:
            break
    kstart = next(n for n in range(main, end) if n not in product and
                  re.search(r"= scf.for .* iter_args", lines[n - 1]))
    epilogue = next(n for n in tests if n > kstart)
    return range(main, end), range(epilogue, end), product


def report(data, libs):
    rows = []
    for path in libs:
        stage = str(Path(path).with_suffix("")) + ".stage.mlir"
        counts = line_samples(data, Path(path).name)
        inside, epi, product = regions(stage)
        total = sum(counts.values())
        rows.append((Path(path).name, total,
                     sum(c for l, c in counts.items() if l not in inside),
                     sum(c for l, c in counts.items() if l in epi),
                     sum(c for l, c in counts.items() if l in product)))
    base = rows[0]
    print(f"share of {base[0]}'s {base[1]} samples:")
    for name, total, outside, epi, product in rows[1:]:
        o = 100 * (outside - base[2]) / base[1]
        e = 100 * (epi - base[3]) / base[1]
        p = 100 * product / base[1]
        print(f"  {name}: outside {o:+.2f} %, epilogue {e:+.2f} %, product "
              f"in the nest {p:+.2f} %, what the split adds {o + e + p:+.2f} "
              f"% (all samples {100 * (total / base[1] - 1):+.2f} %)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--builds", nargs="+", default=[f"now={ROOT / 'build'}"],
                    help="label=build-dir pairs (bin/metis-opt in each)")
    ap.add_argument("--n", type=int, default=4096, help="M = N = K")
    ap.add_argument("--rounds", type=int, default=13)
    ap.add_argument("--dir", default="/tmp/split-profile")
    ap.add_argument("--rounds-only", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rounds_only is not None:
        return run_rounds(args.rounds_only, args.n, args.rounds)
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    libs = []
    for i, spec in enumerate(args.builds):
        label, build = spec.split("=", 1)
        for kind in (("gemm", "split") if i == 0 else ("split",)):
            prefix = str(out / f"{kind}_{label}")
            compile_lib(build, kind, args.n, prefix)
            libs.append(prefix + ".so")
    data = str(out / "perf.data")
    subprocess.run(["perf", "record", "-q", "-F", "999", "-o", data,
                    sys.executable, __file__, "--n", str(args.n), "--rounds",
                    str(args.rounds), "--rounds-only", *libs], check=True)
    report(data, libs)


if __name__ == "__main__":
    main()
