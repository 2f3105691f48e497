#!/usr/bin/env python3
"""FP4 GEMM on an NVIDIA GPU: metis's sm_90a kernel vs torch.matmul bf16.

Two halves, because the GPU machines have no LLVM:
  * build (needs build/bin/metis-opt, ptxas, g++; no GPU): compiles the
    kernels of every shape below into LIB_DIR/libmetis_gemm.so (cubin
    embedded) + manifest.json;
  * run (needs a CUDA GPU, torch with CUDA): checks the GEMM kernel (within
    f32 accumulation error) and the quantize and dequantize kernels (bit for
    bit) against the CPU reference (python/metis/reference.py) on
    CHECK_SHAPE, then measures
    TFLOP/s at the benchmark shapes against torch.matmul in bf16 (cuBLAS) in
    the same process, and the time of quantizing both f32 operands.
Without a GPU the run half prints "SKIPPED: <reason>" and exits 0.

  /usr/bin/python3 benchmarks/gpu_gemm.py --build-only --lib-dir out/gpu
  python3 benchmarks/gpu_gemm.py --lib-dir out/gpu --json results.json  # GPU
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

from metis import gpu  # noqa: E402

CHECK_SHAPE = (256, 384, 1024)
BENCH_SHAPES = [
    (4096, 4096, 4096),
    (8192, 8192, 8192),
    (8192, 4096, 4096),   # LLaMA-3-8B q/o projection, 8192 tokens
    (8192, 14336, 4096),  # LLaMA-3-8B gate/up projection
    (8192, 4096, 14336),  # LLaMA-3-8B down projection
]
# Every byte 1.0 in the format's scale encoding (E4M3 0x38, E8M0 0x7F).
UNIT_SCALE_WORD = {"nvfp4": 0x38383838, "mxfp4": 0x7F7F7F7F}


def time_ms(fn, iters):
    import torch
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iters):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / iters


def bench_shape(lib, m, n, k, format, iters):
    import torch
    dev = torch.device("cuda")
    B = gpu.BLOCK[format]
    # Timing does not depend on the values: random codes, unit scales.
    words = lambda r: torch.randint(-2**31, 2**31 - 1, (r, k // 8),  # noqa
                                    dtype=torch.int32, device=dev)
    scales = lambda r: torch.full((r, k // (4 * B)),  # noqa
                                  UNIT_SCALE_WORD[format], dtype=torch.int64,
                                  device=dev).to(torch.int32)
    one = torch.ones(1, dtype=torch.float32, device=dev)
    args = [words(m), scales(m), one, words(n), scales(n), one,
            torch.empty((m, n), dtype=torch.float32, device=dev)]
    ptrs = [t.data_ptr() for t in args]
    stream = torch.cuda.current_stream().cuda_stream
    metis_ms = time_ms(
        lambda: lib.scaled_matmul(m, n, k, ptrs, format, stream=stream), iters)
    a = torch.randn((m, k), dtype=torch.bfloat16, device=dev)
    b = torch.randn((n, k), dtype=torch.bfloat16, device=dev)
    torch_ms = time_ms(lambda: torch.matmul(a, b.t()), iters)
    flop = 2.0 * m * n * k
    # Quantization of both f32 operands on the GPU (NVFP4: amax + quantize).
    xa = torch.randn((m, k), dtype=torch.float32, device=dev)
    xb = torch.randn((n, k), dtype=torch.float32, device=dev)
    scratch = torch.zeros(1, dtype=torch.int32, device=dev)
    ts = torch.zeros(1, dtype=torch.float32, device=dev)
    qa = [xa.data_ptr(), scratch.data_ptr(), args[0].data_ptr(),
          args[1].data_ptr(), ts.data_ptr()]
    qb = [xb.data_ptr(), scratch.data_ptr(), args[3].data_ptr(),
          args[4].data_ptr(), ts.data_ptr()]
    quant_ms = time_ms(lambda: (
        lib.quantize(m, k, qa, format, stream=stream),
        lib.quantize(n, k, qb, format, stream=stream)), iters)
    return {"shape": [m, n, k], "format": format,
            "quantize_ab_ms": quant_ms,
            "quantize_share": quant_ms / (quant_ms + metis_ms),
            "metis_ms": metis_ms, "metis_tflops": flop / metis_ms / 1e9,
            "torch_bf16_ms": torch_ms, "torch_bf16_tflops": flop / torch_ms / 1e9,
            "ratio_vs_cublas_bf16": torch_ms / metis_ms}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib-dir", default="build/gpu_gemm")
    ap.add_argument("--format", default="nvfp4", choices=sorted(gpu.BLOCK))
    ap.add_argument("--chip", default="sm_90a")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()

    lib_dir = Path(args.lib_dir) / args.format
    shapes = [CHECK_SHAPE] + BENCH_SHAPES
    if not (lib_dir / "libmetis_gemm.so").exists() or args.build_only:
        try:
            quant = sorted({(m, k) for m, _, k in shapes} |
                           {(n, k) for _, n, k in shapes})
            gpu.build_library(lib_dir, shapes, format=args.format,
                              chip=args.chip, quantize_shapes=quant,
                              rounding=["rne", "stochastic"])
            print(f"built {lib_dir}/libmetis_gemm.so ({len(shapes)} kernels, "
                  f"{args.chip})")
        except (FileNotFoundError, gpu.compiler.CompileError) as e:
            print(f"cannot build the kernels here: {e}")
            return 1
    if args.build_only:
        return 0

    count, why = gpu.cuda_device_count()
    result = {"status": "skipped", "reason": why}
    if count:
        import torch
        lib = gpu.GemmLibrary(lib_dir)
        check = gpu.run_reference_check(lib, *CHECK_SHAPE, format=args.format)
        print(f"GEMM {CHECK_SHAPE} vs CPU reference: {check}")
        qcheck = {rnd: gpu.run_quantize_check(lib, CHECK_SHAPE[0],
                                              CHECK_SHAPE[2], args.format,
                                              rnd, seed=1234)
                  for rnd in ("rne", "stochastic")}
        print(f"quantize {CHECK_SHAPE[0]}x{CHECK_SHAPE[2]} vs CPU reference "
              f"(bits): {qcheck}")
        qcheck["passed"] = all(q["passed"] for q in qcheck.values())
        # Edge cases (all-zero, NaN, ±Inf, subnormal, huge range): the CPU
        # path's documented bits.
        edges = [gpu.run_quantize_check(lib, CHECK_SHAPE[0], CHECK_SHAPE[2],
                                        args.format, "rne", seed=7, data=d)
                 for d in gpu.CHECK_DATA[1:]]
        dchecks = [gpu.run_dequantize_check(lib, CHECK_SHAPE[0],
                                            CHECK_SHAPE[2], args.format,
                                            seed=99, data=d)
                   for d in gpu.CHECK_DATA]
        for c in edges + dchecks:
            print(f"{'dequantize' if 'bit_mismatches' in c else 'quantize'} "
                  f"{c['data']}: {c}")
        qcheck["edge_cases"] = edges
        check["passed"] = (check["passed"] and qcheck["passed"]
                           and all(c["passed"] for c in edges + dchecks))
        check["quantize"] = qcheck
        check["dequantize"] = dchecks
        rows = [bench_shape(lib, *s, args.format, args.iters)
                for s in BENCH_SHAPES]
        for r in rows:
            print("{shape}: metis {metis_tflops:7.1f} TFLOP/s  torch bf16 "
                  "{torch_bf16_tflops:7.1f} TFLOP/s  ratio "
                  "{ratio_vs_cublas_bf16:.2f}  quantize A+B {quantize_ab_ms:.3f} ms "
                  "({quantize_share:.0%} of quantize+GEMM)".format(**r))
        result = {"status": "passed" if check["passed"] else "failed",
                  "device": torch.cuda.get_device_name(), "check": check,
                  "benchmarks": rows}
    else:
        print(f"SKIPPED: {why}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0 if result["status"] != "failed" else 1


if __name__ == "__main__":
    sys.exit(main())
