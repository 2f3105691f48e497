#!/usr/bin/env python3
"""Throughput of the compiled metis.quantize (and fake_quant) on the CPU.

GB/s = bytes of the f32 input (dequantize: of the f32 output) / time, best
of N after a warm-up call (the compile is excluded), single thread, for each
format and rounding.

Two tables. "kernel": the compiled function alone, called through ctypes
on preallocated buffers, side by side in one run for metis-cpu-pipeline
with isa=auto (metis-cpu-vectorize: the generics as vectors) and isa=none
(the plain loops), after checking that both give the same bits. "API":
metis.quantize / metis.fake_quant as a user calls them (argument checks,
output allocation and the numpy views of the result included).

Run: PYTHONPATH=python /usr/bin/python3 benchmarks/quantize_throughput.py [--size 4096] [--reps 5]
"""

import argparse
import platform
import time

import numpy as np

import metis
from metis import api, runtime


def kernel_table(x, reps):
    """The compiled quantize/dequantize alone, vectorized vs plain loops."""
    gb = x.nbytes / 1e9
    pipelines = {"vector": ("--metis-cpu-pipeline",),
                 "loops": ("--metis-cpu-pipeline=isa=none",)}
    print(f"{'format':10} {'rounding':11} {'op':11} {'vector GB/s':>12} "
          f"{'loops GB/s':>11} {'ratio':>6}")
    for fmt in ("nvfp4", "mxfp4", "fp4e2m1b"):
        for rounding in ("rne", "stochastic"):
            _, fmt_, axis, block, rounding_, seed = api._prepare(
                x, fmt, 1, None, rounding, 1)
            text = api._quantize_module(x.shape, fmt_, axis, block, rounding_)
            sshape = api._scale_shape(x.shape, axis, block)
            sdtype = np.float32 if fmt == "fp4e2m1b" else np.uint8
            outs, gbs = {}, {}
            for name, pipeline in pipelines.items():
                lib = runtime.load(text, pipeline)
                codes = np.zeros(x.shape, np.uint8)
                scales = np.zeros(sshape, sdtype)
                ts = np.zeros((), np.float32)
                call = lambda: lib.call("quantize", x, codes, scales, ts, seed)
                gbs[name] = gb / best_time(call, reps)
                outs[name] = (codes & 0xF, scales.view(np.uint8), ts)
            for a, b in zip(outs["vector"], outs["loops"]):
                assert np.array_equal(a, b), f"{fmt} {rounding}: bits differ"
            print(f"{fmt:10} {rounding:11} {'quantize':11} {gbs['vector']:12.2f} "
                  f"{gbs['loops']:11.2f} {gbs['vector'] / gbs['loops']:5.1f}x")
        q = metis.quantize(x, format=fmt, axis=1)
        text = api._dequantize_module(x.shape, fmt_, axis, block)
        outs, gbs = {}, {}
        for name, pipeline in pipelines.items():
            lib = runtime.load(text, pipeline)
            y = np.zeros(x.shape, np.float32)
            scales = q.scale_bits if q.scale_bits is not None else q.block_scales
            ts = np.array(q.tensor_scale, np.float32)
            call = lambda: lib.call("dequantize", q.codes, scales, ts, y)
            gbs[name] = gb / best_time(call, reps)
            outs[name] = y.copy()
        assert np.array_equal(outs["vector"].view(np.uint32),
                              outs["loops"].view(np.uint32)), f"{fmt}: dequantize bits differ"
        print(f"{fmt:10} {'-':11} {'dequantize':11} {gbs['vector']:12.2f} "
              f"{gbs['loops']:11.2f} {gbs['vector'] / gbs['loops']:5.1f}x")


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
    print("kernel (ctypes call, preallocated buffers):")
    kernel_table(x, args.reps)
    print("API (metis.quantize / metis.fake_quant):")
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
