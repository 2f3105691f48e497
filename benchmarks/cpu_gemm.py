#!/usr/bin/python3
"""metis-cpu-gemm vs numpy + OpenBLAS f32, on 1 and more threads.

    /usr/bin/python3 benchmarks/cpu_gemm.py [--sizes 256,1024,2048,4096x1024x1024]
        [--rounds 10] [--isa auto|avx2|avx512] [--kind nvfp4|f32]
        [--threads 1,2] [--gemm-options "mc=.. kc=..;mc=.."]

Sizes are MxNxK (or N for N³). C[m, n] = Σ_k deq(A)[m, k]·deq(B)[n, k].

metis side, --kind nvfp4 (default): `metis.scaled_matmul` (nvfp4, f32
result) lowered by convert-metis-to-linalg, then the pipeline of the
metis-cpu-gemm brief (bufferize, metis-cpu-gemm, loops, LLVM), mlir-translate
and `clang-22 -O3 -march=native`; called through ctypes. The timed call
includes the FP4 decode, the zero fill of C and the tensor-scale epilogue.
--kind f32: a zero-filled f32 `linalg.matmul` A·Bᵀ, the path of the
spectral split's products (strict k order, no FMA: bit-identical to the
plain loops).

Threads: for each count N of --threads, OpenBLAS runs on N threads
(openblas_set_num_threads on the loaded library, no threadpoolctl) and metis
is built with metis-cpu-gemm threads=N + convert-scf-to-openmp (as
metis-cpu-pipeline{threads=N}) and linked with -fopenmp (libomp-22-dev).
Every metis result must be the same bits for every thread count.

numpy side: `a @ b.T` in float32 on the OpenMP build of OpenBLAS, extracted
and forced onto the best kernels the CPU runs (benchmarks/openblas_env.py:
OpenBLAS 0.3.21 runs its SSE3 `Prescott` kernels on CPUs it does not know,
~5x slower); the script re-executes itself with
OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=1.

Both run in one process, interleaved round by round, best of N each, after
checking the metis result against float64 numpy on the oracle's
dequantization (python/metis/reference.py). The table gives the ratio of the
best times and the median [min, max] of the per-round ratios (each round
times both back to back), and the load average: on a loaded machine only
the ratios mean something.
"""

import argparse
import ctypes
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LLVM = Path("/usr/lib/llvm-22/bin")

sys.path.insert(0, str(Path(__file__).resolve().parent))
import openblas_env  # noqa: E402

# OpenBLAS starts on 1 thread (set per case with openblas_set_num_threads).
# Two OpenMP runtimes share the 2 cores, interleaved: OpenBLAS's libgomp and
# metis's libomp. With their default wait policies a team spins on after
# its region (libgomp ~0.3 s, libomp 200 ms) and steals a core from the
# other library's next call (metis 2-thread: 130 instead of ~240 GFLOP/s).
# Passive: both teams sleep right after each region, alike.
openblas_env.reexec("1", {"KMP_BLOCKTIME": "0", "OMP_WAIT_POLICY": "PASSIVE"})
sys.path.insert(0, str(ROOT / "python"))
import numpy as np  # noqa: E402  (after the re-exec: numpy must see OpenBLAS)
from metis import reference  # noqa: E402


def host_isa():
    flags = open("/proc/cpuinfo").read()
    return "avx512" if " avx512f" in flags else "avx2"


MODULE = """
func.func @mm(%a: tensor<{M}x{K}xf4E2M1FN>, %as: tensor<{M}x{KB}xf8E4M3FN>, %at: tensor<f32>,
              %b: tensor<{N}x{K}xf4E2M1FN>, %bs: tensor<{N}x{KB}xf8E4M3FN>, %bt: tensor<f32>)
    -> tensor<{M}x{N}xf32> attributes {{llvm.emit_c_interface}} {{
  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt {{format = #metis.format<nvfp4>}}
      : tensor<{M}x{K}xf4E2M1FN>, tensor<{M}x{KB}xf8E4M3FN>, tensor<f32>,
        tensor<{N}x{K}xf4E2M1FN>, tensor<{N}x{KB}xf8E4M3FN>, tensor<f32> -> tensor<{M}x{N}xf32>
  return %c : tensor<{M}x{N}xf32>
}}
"""

# f32: C = A·Bᵀ as the spectral products reach metis-cpu-gemm (strict k
# order: bit-identical to the plain loops, no FMA contraction).
MODULE_F32 = """
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
func.func @mm(%a: tensor<{M}x{K}xf32>, %b: tensor<{N}x{K}xf32>)
    -> tensor<{M}x{N}xf32> attributes {{llvm.emit_c_interface}} {{
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<{M}x{N}xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<{M}x{N}xf32>) -> tensor<{M}x{N}xf32>
  %c = linalg.matmul indexing_maps = [#a, #b, #c]
      ins(%a, %b : tensor<{M}x{K}xf32>, tensor<{N}x{K}xf32>)
      outs(%z : tensor<{M}x{N}xf32>) -> tensor<{M}x{N}xf32>
  return %c : tensor<{M}x{N}xf32>
}}
"""

PIPELINE = [
    "--convert-metis-to-linalg",
    "--one-shot-bufferize=bufferize-function-boundaries",
    "--buffer-deallocation-pipeline", None,  # --metis-cpu-gemm=...
    "--convert-linalg-to-loops", "--convert-vector-to-scf=full-unroll=true",
    "--lower-affine", "--convert-scf-to-cf", "--expand-strided-metadata",
    "--finalize-memref-to-llvm", "--convert-vector-to-llvm",
    "--convert-arith-to-llvm", "--convert-math-to-llvm", "--convert-cf-to-llvm",
    "--convert-func-to-llvm", "--convert-ub-to-llvm",
    "--reconcile-unrealized-casts"]


def build(m, n, k, gemm_opts, workdir, build_dir, tag, kind="nvfp4",
          threads=1):
    text = (MODULE if kind == "nvfp4" else MODULE_F32).format(
        M=m, N=n, K=k, KB=k // 16)
    src = workdir / f"mm_{m}x{n}x{k}_{tag}.mlir"
    src.write_text(text)
    gemm = [f"--metis-cpu-gemm={gemm_opts}"]
    if threads > 1:   # as metis-cpu-pipeline{threads=N} lowers it
        gemm += [f"--convert-scf-to-openmp=num-threads={threads}",
                 "--canonicalize"]
    pipeline = [q for p in PIPELINE for q in ([p] if p else gemm)]
    if threads > 1:
        pipeline.insert(-1, "--convert-openmp-to-llvm")
    llvm_mlir, ll, so = (src.with_suffix(s) for s in (".llvm.mlir", ".ll", ".so"))
    run = lambda *cmd: subprocess.run([str(c) for c in cmd], check=True, timeout=600)
    run(build_dir / "bin/metis-opt", src, *pipeline, "-o", llvm_mlir)
    run(LLVM / "mlir-translate", "--mlir-to-llvmir", llvm_mlir, "-o", ll)
    run(LLVM / "clang", "-O3", "-march=native", "-shared", "-fPIC",
        "-Wno-override-module", *(["-fopenmp"] if threads > 1 else []), ll,
        "-o", so)
    return ctypes.CDLL(str(so))


def descriptor(arr):
    """MLIR memref descriptor {alloc, aligned, offset, sizes, strides}."""
    r = arr.ndim

    class Desc(ctypes.Structure):
        _fields_ = [("alloc", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                    ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * r),
                    ("strides", ctypes.c_int64 * r)] if r else [
                    ("alloc", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                    ("offset", ctypes.c_int64)]
    d = Desc()
    d.alloc = d.aligned = arr.ctypes.data
    d.offset = 0
    for i in range(r):
        d.sizes[i] = arr.shape[i]
        d.strides[i] = arr.strides[i] // arr.itemsize
    return d


class MetisMatmul:
    """Calls _mlir_ciface_mm; the result buffer is malloc'ed by the callee."""
    _free = ctypes.CDLL(None).free
    _free.argtypes = [ctypes.c_void_p]

    def __init__(self, lib, m, n, qa, qb):
        self.fn = lib._mlir_ciface_mm
        self.m, self.n = m, n
        if isinstance(qa, np.ndarray):   # f32 operands
            self.keep = [np.ascontiguousarray(qa), np.ascontiguousarray(qb)]
        else:
            self.keep = [np.ascontiguousarray(x) for x in (
                qa.codes, qa.scale_bits, np.array(qa.tensor_scale, np.float32),
                qb.codes, qb.scale_bits, np.array(qb.tensor_scale, np.float32))]
        self.args = [descriptor(x) for x in self.keep]
        self.out = descriptor(np.empty((m, n), np.float32))
        self.ptrs = [ctypes.byref(x) for x in (self.out, *self.args)]

    def __call__(self, copy=False):
        self.fn(*self.ptrs)
        result = None
        if copy:
            buf = (ctypes.c_float * (self.m * self.n)).from_address(self.out.aligned)
            result = np.frombuffer(buf, np.float32).reshape(self.m, self.n).copy()
        self._free(self.out.alloc)
        return result


def best_time(fn, min_seconds):
    """One sample: repeats `fn` until min_seconds have passed; time per call."""
    reps, t0 = 0, time.perf_counter()
    while True:
        fn()
        reps += 1
        t = time.perf_counter() - t0
        if t >= min_seconds:
            return t / reps


def set_blas_threads(n):
    openblas_env.set_threads(n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="256,1024,2048,4096x1024x1024")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--isa", default="auto")
    ap.add_argument("--kind", choices=("nvfp4", "f32"), default="nvfp4",
                    help="metis side: the nvfp4 scaled matmul, or an f32 "
                         "linalg.matmul A·Bᵀ (the spectral products' path)")
    ap.add_argument("--threads", default="1",
                    help="comma-separated thread counts, e.g. 1,2: OpenBLAS "
                         "(openblas_set_num_threads) and metis-cpu-gemm "
                         "threads=N (OpenMP) alike")
    ap.add_argument("--gemm-options", default="",
                    help="extra metis-cpu-gemm options, e.g. 'mc=96 kc=512'")
    ap.add_argument("--build-dir", default=os.environ.get(
        "METIS_BUILD_DIR", str(ROOT / "build")))
    args = ap.parse_args()
    isa = host_isa() if args.isa == "auto" else args.isa
    thread_counts = [int(t) for t in args.threads.split(",")]
    variants = [" ".join(filter(None, [f"isa={isa}", v.strip()]))
                for v in args.gemm_options.split(";")]
    metis_names = [f"metis{i}" if len(variants) > 1 else "metis"
                   for i in range(len(variants))]

    sizes = []
    for s in args.sizes.split(","):
        dims = [int(x) for x in s.split("x")]
        sizes.append(tuple(dims * 3 if len(dims) == 1 else dims))

    print(f"BLAS: {openblas_env.describe()}; threads {args.threads}; best of "
          f"{args.rounds} interleaved rounds")
    for name, opts in zip(metis_names, variants):
        print(f"  {name}: metis-cpu-gemm options: {opts} [threads=N]")
    rng = np.random.default_rng(0)
    workdir = Path(tempfile.mkdtemp(prefix="metis-cpu-gemm-"))
    cases = []
    for m, n, k in sizes:
        x = rng.standard_normal((m, k), dtype=np.float32)
        w = rng.standard_normal((n, k), dtype=np.float32)
        if args.kind == "nvfp4":
            qa, qb = (reference.quantize(v, "nvfp4", axis=1) for v in (x, w))
            da, db = (reference.dequantize(q).astype(np.float64)
                      for q in (qa, qb))
        else:
            qa, qb = x, w
            da, db = x.astype(np.float64), w.astype(np.float64)
        want = da @ db.T
        bound = np.abs(da) @ np.abs(db).T  # error scale of an f32 dot product
        refs = {}   # per variant: the first thread count's result
        for threads in thread_counts:
            case = dict(size=(m, n, k), threads=threads,
                        numpy=lambda a=x, b=w: a @ b.T)
            for name, opts in zip(metis_names, variants):
                opts_t = opts + (f" threads={threads}" if threads > 1 else "")
                lib = build(m, n, k, opts_t, workdir, Path(args.build_dir),
                            f"{name}_t{threads}", args.kind, threads)
                mm = case[name] = MetisMatmul(lib, m, n, qa, qb)
                # Correctness first: float64 product of the oracle's
                # dequantization; the same bits on every run and for every
                # thread count.
                got = mm(copy=True)
                err = float(np.max(np.abs(got - want) /
                                   np.maximum(bound, 1e-30)))
                assert np.array_equal(got, mm(copy=True)), \
                    f"{name}: result differs between runs"
                assert err < 1e-6, (f"{name} {m}x{n}x{k}: max error "
                                    f"{err:.3g} (relative to Σ|a·b|)")
                ref = refs.setdefault(name, got)
                assert np.array_equal(got, ref), \
                    f"{name}: {threads} threads change the result"
                print(f"  {m}x{n}x{k} {name} threads={threads}: matches "
                      f"float64 numpy (max error {err:.2e} of Σ|a·b|), same "
                      "bits on every run and thread count")
            case["times"] = {name: [] for name in ["numpy"] + metis_names}
            cases.append(case)

    names = ["numpy"] + metis_names
    for _ in range(args.rounds):
        for case in cases:
            set_blas_threads(case["threads"])
            m, n, k = case["size"]
            min_s = 0.2 if m * n * k < 2**28 else 0.0
            for name in names:
                case["times"][name].append(best_time(case[name], min_s))

    load = os.getloadavg()
    print(f"load average after the rounds: {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f} (on {os.cpu_count()} CPUs)")
    print(f"{'MxNxK':>16} {'thr':>3} {'OpenBLAS f32':>13}" +
          "".join(f" {n + ' ' + args.kind:>14} {'ratio':>6} "
                  f"{'per-round median [min, max]':>28}"
                  for n in metis_names) + "   (GFLOP/s = 2MNK/best t)")
    for case in cases:
        m, n, k = case["size"]
        times = case["times"]
        gf = {name: 2 * m * n * k / min(t) / 1e9 for name, t in times.items()}
        line = f"{f'{m}x{n}x{k}':>16} {case['threads']:>3} {gf['numpy']:>13.1f}"
        for name in metis_names:
            # Same round, back to back: the load hits both alike.
            r = np.array(times["numpy"]) / np.array(times[name])
            line += (f" {gf[name]:>14.1f} {gf[name] / gf['numpy']:>5.2f}x"
                     f" {np.median(r):>14.2f} [{r.min():.2f}, {r.max():.2f}]")
        print(line)


if __name__ == "__main__":
    main()
