#!/usr/bin/env python3
"""Throughput of the compiled metis.quantize (and fake_quant) on the CPU.

GB/s = bytes of the f32 input / time, best of N after a warm-up call (the
compile is excluded), single thread, for each format and rounding.

Run: PYTHONPATH=python /usr/bin/python3 benchmarks/quantize_throughput.py [--size 4096] [--reps 5]
"""

import argparse
import platform
import time

import numpy as np

import metis


def best_time(fn, reps):
    fn()  # warm-up: compiles (or loads the cached library) and touches memory
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=4096, help="square f32 input size")
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    n = args.size
    x = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    gb = x.nbytes / 1e9
    print(f"metis.quantize throughput, {n}x{n} f32 ({x.nbytes / 2**20:.0f} MiB), "
          f"{platform.processor() or platform.machine()}, 1 thread")
    print(f"{'format':10} {'rounding':11} {'op':11} {'GB/s':>7}")
    for fmt in ("nvfp4", "mxfp4", "fp4e2m1b"):
        for rounding in ("rne", "stochastic"):
            t = best_time(lambda: metis.quantize(x, format=fmt, axis=1,
                                                 rounding=rounding, seed=1), args.reps)
            print(f"{fmt:10} {rounding:11} {'quantize':11} {gb / t:7.2f}")
        t = best_time(lambda: metis.fake_quant(x, format=fmt, axis=1), args.reps)
        print(f"{fmt:10} {'rne':11} {'fake_quant':11} {gb / t:7.2f}")


if __name__ == "__main__":
    main()
