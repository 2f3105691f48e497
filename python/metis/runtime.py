"""Compile MLIR modules to shared libraries and call them from Python.

``load(module_text)`` lowers a module with ``metis-opt --metis-cpu-pipeline``,
translates it to LLVM IR (``mlir-translate --mlir-to-llvmir``), builds a shared
library with ``clang -O3 -march=native -shared -fPIC`` (no fast-math: results
are bit-exact) and loads it with :mod:`ctypes`. Functions compiled with
``attributes {llvm.emit_c_interface}`` are called through their
``_mlir_ciface_<name>`` wrappers, which take a pointer to one MLIR memref
descriptor per memref argument (see :func:`memref_descriptor`) and scalars by
value::

    lib = runtime.load(text)
    lib.call("quantize", x, values, scales, tensor_scale, seed)

Numpy arguments (C-contiguous) become memref descriptors, Python ints i64
scalars; the arrays are kept alive for the duration of the call. Entry
functions use destination-passing style (results are written into memrefs
passed in), so Python owns all memory.

**Cache.** Libraries are cached on disk under ``$METIS_CACHE_DIR`` (default
``~/.cache/metis``), keyed by the sha256 of the module text, the pipeline, the
content hash of the ``metis-opt`` binary (computed once per process), the
versions of ``mlir-translate`` and ``clang``, the clang flags and a
fingerprint of the host CPU (``-march=native``). Files are written atomically
(a temporary file in the cache directory, then :func:`os.replace`), so
concurrent processes never see a torn file; each cached file carries a
trailer with the sha256 of its contents, and a file that fails that check or
fails to load is deleted and rebuilt. Loaded libraries are also kept in an
in-process dict, so a module is compiled and loaded at most once per
process. ``stats`` counts compilations and hits.

Errors of any tool raise :class:`metis.compiler.CompileError` with the
tool's diagnostics.
"""

from __future__ import annotations

import collections
import ctypes
import hashlib
import os
import platform
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from . import compiler
from .compiler import CompileError

__all__ = ["CompileError", "Library", "load", "cache_dir", "cache_key",
           "clear_memory_cache", "memref_descriptor", "stats",
           "DEFAULT_PIPELINE", "CLANG_FLAGS"]

#: metis-opt arguments that lower metis + linalg on tensors to the LLVM dialect.
DEFAULT_PIPELINE: Tuple[str, ...] = ("--metis-cpu-pipeline",)
#: clang flags of the shared library (no fast-math: results must be bit-exact).
CLANG_FLAGS: Tuple[str, ...] = ("-O3", "-march=native", "-shared", "-fPIC",
                                "-Wno-override-module")
#: Bumped whenever the layout of the cache (or of a cached file) changes.
CACHE_FORMAT = "metis-runtime-cache-v1"

_TRAILER_MAGIC = b"METISSO1"
_TRAILER_LEN = len(_TRAILER_MAGIC) + 32  # magic + sha256 of the library bytes

#: Counters: "compiled" (libraries built), "disk_hit", "memory_hit",
#: "corrupt" (cached files found bad and rebuilt).
stats: "collections.Counter[str]" = collections.Counter()

_lock = threading.RLock()


def _count(what: str) -> None:
    with _lock:
        stats[what] += 1

_key_locks: Dict[str, threading.Lock] = {}
_loaded: Dict[str, "Library"] = {}
_binary_hashes: Dict[Tuple[str, int, int], str] = {}
_versions: Dict[str, str] = {}
_cpu: Optional[str] = None


# ---------------------------------------------------------------------------
# Cache key
# ---------------------------------------------------------------------------


def cache_dir() -> Path:
    """``$METIS_CACHE_DIR`` if set, else ``~/.cache/metis``."""
    env = os.environ.get("METIS_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "metis"


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _binary_hash(path: Path) -> str:
    """Content hash of a tool binary, computed once per process (per path;
    a rebuilt binary at the same path is noticed through its size/mtime)."""
    st = path.stat()
    k = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    with _lock:
        h = _binary_hashes.get(k)
        if h is None:
            h = _binary_hashes[k] = _file_sha256(path)
        return h


def _version(name: str) -> str:
    """``<tool> --version`` output (once per process per tool path)."""
    path = str(compiler.tool(name))
    with _lock:
        v = _versions.get(path)
    if v is None:
        try:
            proc = subprocess.run([path, "--version"], capture_output=True,
                                  text=True, timeout=60)
            v = path + "\n" + proc.stdout + proc.stderr
        except (OSError, subprocess.SubprocessError) as e:
            v = f"{path}: {e!r}"
        with _lock:
            _versions[path] = v
    return v


def _cpu_fingerprint() -> str:
    """The CPU's vendor, model and flags (what -march=native depends on)."""
    global _cpu
    if _cpu is None:
        keep = ("vendor_id", "cpu family", "model", "model name", "flags",
                "Features", "CPU implementer", "CPU architecture",
                "CPU variant", "CPU part")
        seen = {}
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    k, _, v = line.partition(":")
                    k = k.strip()
                    if k in keep and k not in seen:
                        seen[k] = v.strip()
        except OSError:
            pass
        _cpu = "\n".join(f"{k}={seen[k]}" for k in sorted(seen)) + \
            f"\nmachine={platform.machine()}"
    return _cpu


def cache_key(module: str, pipeline: Sequence[str] = DEFAULT_PIPELINE) -> str:
    """sha256 (hex) identifying the library built from ``module``."""
    h = hashlib.sha256()
    for part in (CACHE_FORMAT, module, "\0".join(pipeline),
                 _binary_hash(compiler.tool("metis-opt")),
                 _version("mlir-translate"), _version("clang"),
                 "\0".join(CLANG_FLAGS), _cpu_fingerprint()):
        data = part.encode()
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------


def _build(module: str, pipeline: Sequence[str], workdir: Path) -> bytes:
    """MLIR text -> shared library bytes (raises CompileError)."""
    llvm_dialect = compiler.opt(module, list(pipeline))
    llvm_ir = compiler.run_tool("mlir-translate", ["--mlir-to-llvmir"],
                                llvm_dialect)
    ll = workdir / "module.ll"
    so = workdir / "module.so"
    ll.write_text(llvm_ir)
    compiler.run_tool("clang", [*CLANG_FLAGS, str(ll), "-o", str(so)])
    return so.read_bytes()


def _verified(path: Path) -> bool:
    """Whether ``path`` is a complete cached library (trailer checksum)."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if len(data) <= _TRAILER_LEN:
        return False
    body, magic, digest = (data[:-_TRAILER_LEN], data[-_TRAILER_LEN:-32],
                           data[-32:])
    return magic == _TRAILER_MAGIC and hashlib.sha256(body).digest() == digest


def _write_atomic(path: Path, lib: bytes) -> None:
    """Writes ``lib`` + trailer to ``path`` via a temp file and os.replace."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".so", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(lib)
            f.write(_TRAILER_MAGIC)
            f.write(hashlib.sha256(lib).digest())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


# ---------------------------------------------------------------------------
# Memref descriptors
# ---------------------------------------------------------------------------

_DESCRIPTOR_TYPES: Dict[int, type] = {}


def descriptor_type(rank: int) -> type:
    """ctypes Structure of a ranked memref descriptor of ``rank``:
    {allocated ptr, aligned ptr, int64 offset, int64 sizes[rank],
    int64 strides[rank]} (rank 0: no sizes/strides)."""
    t = _DESCRIPTOR_TYPES.get(rank)
    if t is None:
        fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                  ("offset", ctypes.c_int64)]
        if rank > 0:
            fields += [("sizes", ctypes.c_int64 * rank),
                       ("strides", ctypes.c_int64 * rank)]
        t = type(f"MemRefDescriptor{rank}", (ctypes.Structure,),
                 {"_fields_": fields})
        _DESCRIPTOR_TYPES[rank] = t
    return t


def memref_descriptor(a: np.ndarray):
    """Memref descriptor of a C-contiguous numpy array (identity layout).

    The descriptor points into ``a``'s buffer: keep ``a`` alive while it is
    used. Strides are in elements.
    """
    if not isinstance(a, np.ndarray):
        raise TypeError(f"memref arguments must be numpy arrays, got {type(a)}")
    if not a.flags.c_contiguous:
        raise ValueError("memref arguments must be C-contiguous arrays")
    d = descriptor_type(a.ndim)()
    ptr = a.ctypes.data
    d.allocated = ptr
    d.aligned = ptr
    d.offset = 0
    if a.ndim:
        stride = 1
        strides = [0] * a.ndim
        for i in range(a.ndim - 1, -1, -1):
            strides[i] = stride
            stride *= a.shape[i]
        d.sizes[:] = list(a.shape)
        d.strides[:] = strides
    return d


# ---------------------------------------------------------------------------
# Libraries
# ---------------------------------------------------------------------------


class Library:
    """A loaded compiled module; ``call`` runs one of its C-interface
    functions."""

    def __init__(self, key: str, path: Path, cdll: ctypes.CDLL):
        self.key = key
        self.path = path
        self._cdll = cdll
        self._funcs: Dict[str, object] = {}

    def function(self, name: str):
        f = self._funcs.get(name)
        if f is None:
            try:
                f = getattr(self._cdll, f"_mlir_ciface_{name}")
            except AttributeError:
                raise AttributeError(
                    f"the compiled module has no function '{name}' with a C "
                    "interface (func.func @" + name + " attributes "
                    "{llvm.emit_c_interface})") from None
            f.restype = None
            self._funcs[name] = f
        return f

    def call(self, name: str, *args) -> None:
        """Calls ``_mlir_ciface_<name>``: numpy arrays are passed as memref
        descriptor pointers, ints as i64 by value."""
        keep = []
        cargs = []
        for a in args:
            if isinstance(a, np.ndarray):
                d = memref_descriptor(a)
                keep.append((a, d))
                cargs.append(ctypes.byref(d))
            elif isinstance(a, (int, np.integer)) and not isinstance(a, bool):
                cargs.append(ctypes.c_int64(int(a)))
            else:
                raise TypeError(f"unsupported argument type {type(a)}")
        self.function(name)(*cargs)
        del keep  # arrays stay alive until the call has returned


def _key_lock(key: str) -> threading.Lock:
    with _lock:
        lk = _key_locks.get(key)
        if lk is None:
            lk = _key_locks[key] = threading.Lock()
        return lk


def _check_module_and_pipeline(module, pipeline) -> Tuple[str, Tuple[str, ...]]:
    """TypeError for arguments that would otherwise fail obscurely (a str
    pipeline would be split into one-character arguments)."""
    if not isinstance(module, str):
        raise TypeError(
            f"module must be MLIR text (str), got {type(module).__name__}")
    if isinstance(pipeline, (str, bytes)):
        raise TypeError(
            "pipeline must be a sequence of metis-opt arguments, e.g. "
            f"('--metis-cpu-pipeline',), not the string {pipeline!r}")
    pipeline = tuple(pipeline)
    bad = [a for a in pipeline if not isinstance(a, str)]
    if bad:
        raise TypeError(f"pipeline arguments must be str, got {bad[0]!r}")
    return module, pipeline


def load(module: str, pipeline: Sequence[str] = DEFAULT_PIPELINE) -> Library:
    """The library of ``module`` (MLIR text), compiled or taken from the
    caches. Raises CompileError with the tools' diagnostics."""
    module, pipeline = _check_module_and_pipeline(module, pipeline)
    key = cache_key(module, pipeline)
    lib = _loaded.get(key)
    if lib is not None:
        _count("memory_hit")
        return lib
    with _key_lock(key):
        lib = _loaded.get(key)
        if lib is not None:
            _count("memory_hit")
            return lib
        d = cache_dir()
        d.mkdir(parents=True, exist_ok=True)
        path = d / f"{key}.so"
        cdll = None
        if path.exists():
            if _verified(path):
                try:
                    cdll = ctypes.CDLL(str(path))
                    _count("disk_hit")
                except OSError:
                    cdll = None
            if cdll is None:
                _count("corrupt")
                _unlink(path)
        if cdll is None:
            with tempfile.TemporaryDirectory(prefix=".build-", dir=d) as wd:
                data = _build(module, pipeline, Path(wd))
            _count("compiled")
            _write_atomic(path, data)
            try:
                cdll = ctypes.CDLL(str(path))
            except OSError as e:
                _unlink(path)
                raise CompileError("load", f"cannot load {path}: {e}") from e
        lib = Library(key, path, cdll)
        _loaded[key] = lib
        return lib


def clear_memory_cache() -> None:
    """Forgets the in-process libraries (they stay mapped; the next ``load``
    goes to the disk cache). For tests."""
    with _lock:
        _loaded.clear()
