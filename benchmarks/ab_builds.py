#!/usr/bin/env python3
"""Side by side: the FP4 GEMM (scaled_matmul) and the warm-started spectral
split of b (spectral_matmul, k = 16, q = 1, fp4 factors, exact residual), as
compiled by two builds of metis-opt, interleaved round by round in one
process (the machine's load then hits both alike).

    python3 benchmarks/ab_builds.py --before /tmp/old-build --after build \\
        --shape 4096x4096x4096 --rounds 11

Each build directory holds bin/metis-opt. Prints best and median times, the
split's overhead over the GEMM of the same build (best-of, and per round:
median [min, max]) and whether both builds give the same bits.

On this shared VM wall times move 10-30 % between rounds; the share of CPU
samples per compiled library is steadier. The script prints each
library's file name, so that `perf report --sort dso` can be read:

    perf record -F 1000 -o ab.data python3 benchmarks/ab_builds.py ...
    perf report -i ab.data --stdio --sort dso
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from metis import api  # noqa: E402
import spectral_fidelity as sf  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", required=True, help="build dir (bin/metis-opt)")
    ap.add_argument("--after", default=str(ROOT / "build"))
    ap.add_argument("--shape", default="4096x4096x4096", help="MxNxK")
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    m, n, k = (int(x) for x in args.shape.split("x"))
    rng = np.random.default_rng(7)
    a, b = sf.timing_operands(m, n, k, rng)
    warm = sf.warm_buffers(b.shape, 16, rng)
    variants = []
    for label, build in (("before", args.before), ("after", args.after)):
        os.environ["METIS_BUILD_DIR"] = build
        c_gemm = np.zeros((m, n), np.float32)
        c_split = np.zeros((m, n), np.float32)
        gemm = sf.scaled_matmul_lib(a.shape, b.shape)
        split = sf.spectral_matmul_lib(a.shape, b.shape, "b", 16, 1, "fp4",
                                       "exact", True, True)
        print(f"{label} gemm: {gemm.path.name}\n{label} split: "
              f"{split.path.name}")
        variants.append((f"{label} gemm", c_gemm, lambda lib=gemm, c=c_gemm:
                         lib.call("scaled_matmul", a, b, c, 0, api.rhs_seed(0))))
        if label == "before":
            # The same warm start for both builds: the subspace the first
            # build's split returns from the random one.
            sf.settle_warm_start(lambda lib=split, c=c_split: lib.call(
                "spectral_matmul", a, b, c, *warm, 0), warm)
        variants.append((f"{label} split", c_split, lambda lib=split, c=c_split:
                         lib.call("spectral_matmul", a, b, c, *warm, 0)))
    times = {name: [] for name, _, _ in variants}
    for _, _, fn in variants:
        fn()
    for _ in range(args.rounds):
        for name, _, fn in variants:
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    print(f"{m}x{n}x{k}, {args.rounds} rounds, load {os.getloadavg()[0]:.2f}")
    for label in ("before", "after"):
        g = np.array(times[f"{label} gemm"])
        s = np.array(times[f"{label} split"])
        per = s / g - 1
        print(f"{label:6s} gemm best {g.min() * 1e3:7.1f} ms median "
              f"{np.median(g) * 1e3:7.1f} | split best {s.min() * 1e3:7.1f} ms "
              f"median {np.median(s) * 1e3:7.1f} | overhead best "
              f"{100 * (s.min() / g.min() - 1):+.1f}%, per round "
              f"{100 * np.median(per):+.1f}% [{100 * per.min():+.1f}, "
              f"{100 * per.max():+.1f}]")
    for kind in ("gemm", "split"):
        x = dict((name, c) for name, c, _ in variants)
        same = np.array_equal(x[f"before {kind}"].view(np.uint32),
                              x[f"after {kind}"].view(np.uint32))
        print(f"{kind}: same bits before and after: {same}")


if __name__ == "__main__":
    main()
