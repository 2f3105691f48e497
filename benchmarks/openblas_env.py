"""The OpenBLAS baseline of the benchmarks: extracted, re-exec'd into, and
forced onto the kernel the CPU can run.

Debian's numpy links the reference BLAS (~6 GFLOP/s). The benchmarks compare
against the OpenMP build of OpenBLAS (`libopenblas0-openmp`; the pthread one
fights torch's OpenMP), extracted, not installed, into .cache/openblas with
`apt-get download` + `dpkg-deb -x`; the script re-executes itself with
LD_LIBRARY_PATH pointing at it.

Core type: OpenBLAS 0.3.21 (bookworm) picks its kernels from the CPU model.
It does not know newer Xeons (e.g. family 6 model 207, Emerald Rapids) and
falls back to `Prescott`, its SSE3 kernels: 22-31 GFLOP/s instead of
~150-200 on one core, which would make every ratio against it ~5x too
kind. So unless OPENBLAS_CORETYPE is already set, it is set to the best
kernel the CPU flags allow (SkylakeX for AVX-512F/BW/DQ/VL, Haswell for
AVX2 + FMA); `corename()` reports what OpenBLAS then uses, and the
benchmarks print it.
"""

import ctypes
import glob
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OB_DIR = ROOT / ".cache/openblas/root/usr/lib/x86_64-linux-gnu/openblas-openmp"
MARKER = "METIS_BENCH_OPENBLAS"


def best_coretype(cpuinfo=None):
    """The fastest OpenBLAS 0.3.21 kernel set these CPU flags can run."""
    if cpuinfo is None:
        with open("/proc/cpuinfo") as f:
            cpuinfo = f.read()
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        # Cooperlake's kernels add only bf16 routines on top of SkylakeX's.
        return "Cooperlake" if "avx512_bf16" in flags else "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return None


def extract():
    """Downloads and unpacks libopenblas0-openmp once; True when present."""
    if (OB_DIR / "libblas.so.3").exists():
        return True
    cache = OB_DIR.parents[3]
    try:
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", "libopenblas0-openmp"],
                       cwd=cache.parent, check=True)
        for deb in glob.glob(str(cache.parent / "libopenblas0-openmp_*.deb")):
            subprocess.run(["dpkg-deb", "-x", deb, str(cache)], check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"warning: no OpenBLAS ({e})", file=sys.stderr)
        return False
    return (OB_DIR / "libblas.so.3").exists()


def reexec(threads="1", extra_env=None):
    """Re-executes this script on the extracted OpenBLAS (once)."""
    if os.environ.get(MARKER) == str(OB_DIR) or not extract():
        return
    env = dict(os.environ, **(extra_env or {}))
    env.update({MARKER: str(OB_DIR), "OMP_NUM_THREADS": threads,
                "OPENBLAS_NUM_THREADS": threads,
                "LD_LIBRARY_PATH":
                    f"{OB_DIR}:{os.environ.get('LD_LIBRARY_PATH', '')}"})
    if "OPENBLAS_CORETYPE" not in os.environ:
        core = best_coretype()
        if core:
            env["OPENBLAS_CORETYPE"] = core
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


def _loaded(*names):
    """Paths of the loaded shared libraries whose path contains a name."""
    with open("/proc/self/maps") as f:
        return sorted({l.split()[-1] for l in f
                       if any(n in l.split()[-1] for n in names)})


def _library():
    paths = _loaded("libopenblas")
    return ctypes.CDLL(paths[0]) if paths else None


def corename():
    """The kernel set the loaded OpenBLAS runs ('?' without OpenBLAS)."""
    lib = _library()
    if lib is None:
        return "?"
    lib.openblas_get_corename.restype = ctypes.c_char_p
    return lib.openblas_get_corename().decode()


def describe():
    """The BLAS/LAPACK libraries this process loaded, and OpenBLAS's kernel
    set when it is one of them (what the benchmarks and the demo print)."""
    libs = ", ".join(os.path.basename(p) for p in _loaded("blas", "lapack"))
    if _library() is not None:
        libs += f" (OpenBLAS kernels: {corename()})"
    return libs or "?"


def set_threads(n):
    """OpenBLAS's own setter (no threadpoolctl) on the library numpy loaded."""
    _library().openblas_set_num_threads(n)
