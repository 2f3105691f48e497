"""Ahead-of-time GPU GEMM libraries (docs/GPU.md).

On the build machine (LLVM/MLIR + CUDA toolkit, no GPU needed),
:func:`build_library` compiles ``metis.scaled_matmul`` kernels for fixed
shapes with ``metis-gpu-pipeline{format=bin}`` and links their cubin into a
host ``.so`` together with ``runtime/cuda/aot_launcher.cpp``.  On a GPU
machine (no LLVM needed), :class:`GemmLibrary` loads that ``.so`` with ctypes
and launches the kernels on device pointers (torch/CuPy ``data_ptr()``).

Operand layout (what the kernels read): codes of A (M×K) as int32 words
``M × K/8``, element k in bits ``4·(k % 8)`` of word ``k // 8``
(:func:`pack_codes`); block-scale bytes as int32 words ``M × K/(4·B)``, block
j in byte ``j % 4`` (:func:`pack_scales`); tensor scales as one float32.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Sequence, Tuple

import numpy as np

from . import compiler

TILE_M = 128
TILE_N = 128
BLOCK = {"nvfp4": 16, "mxfp4": 32}
SCALE_TYPE = {"nvfp4": "f8E4M3FN", "mxfp4": "f8E8M0FNU"}
CUDA_HOME = Path(os.environ.get("CUDA_HOME", "/usr/local/cuda"))
_REPO = Path(__file__).resolve().parents[2]
LAUNCHER = _REPO / "runtime" / "cuda" / "aot_launcher.cpp"


def tile_k(format: str) -> int:
    """K per pipeline stage: four scale blocks (64 for nvfp4, 128 for mxfp4)."""
    return 4 * BLOCK[format]


def pack_codes(codes: np.ndarray) -> np.ndarray:
    """uint8 E2M1 codes ``R × K`` (K % 8 == 0) -> int32 words ``R × K/8``."""
    codes = np.asarray(codes, dtype=np.uint8)
    if codes.ndim != 2 or codes.shape[1] % 8:
        raise ValueError(f"codes must be R x K with K % 8 == 0, got {codes.shape}")
    nibbles = (codes & 0xF).astype(np.uint32).reshape(codes.shape[0], -1, 8)
    words = np.zeros(nibbles.shape[:2], dtype=np.uint32)
    for i in range(8):
        words |= nibbles[:, :, i] << np.uint32(4 * i)
    return words.view(np.int32)


def pack_scales(bits: np.ndarray) -> np.ndarray:
    """uint8 block-scale bytes ``R × K/B`` (a multiple of 4 per row) -> int32
    words ``R × K/(4B)``, block j in byte j % 4 (little-endian)."""
    bits = np.ascontiguousarray(bits, dtype=np.uint8)
    if bits.ndim != 2 or bits.shape[1] % 4:
        raise ValueError(
            f"scale bytes must be R x (K/B) with K/B % 4 == 0, got {bits.shape}")
    return bits.view("<u4").view(np.int32).reshape(bits.shape[0], -1)


@dataclass(frozen=True)
class GemmShape:
    m: int
    n: int
    k: int

    def check(self, format: str) -> None:
        if self.m % TILE_M or self.n % TILE_N or self.k % tile_k(format) or not self.k:
            raise ValueError(
                f"{self}: M and N must be multiples of {TILE_M} and K a "
                f"non-zero multiple of {tile_k(format)} for {format}")


def kernel_name(shape: GemmShape, format: str, instruction: str = "bf16emu",
                result: str = "f32") -> str:
    return (f"metis_smm_{instruction}_{format}_{shape.m}x{shape.n}x{shape.k}"
            f"_{result}")


def _gemm_module(shapes: Sequence[GemmShape], format: str, result: str) -> str:
    st = SCALE_TYPE[format]
    B = BLOCK[format]
    funcs = []
    for i, s in enumerate(shapes):
        a = f"tensor<{s.m}x{s.k}xf4E2M1FN>"
        b = f"tensor<{s.n}x{s.k}xf4E2M1FN>"
        sa = f"tensor<{s.m}x{s.k // B}x{st}>"
        sb = f"tensor<{s.n}x{s.k // B}x{st}>"
        c = f"tensor<{s.m}x{s.n}x{result}>"
        funcs.append(
            f"func.func @gemm{i}(%a: {a}, %sa: {sa}, %ta: tensor<f32>, "
            f"%b: {b}, %sb: {sb}, %tb: tensor<f32>) -> {c} {{\n"
            f"  %c = metis.scaled_matmul %a, %sa, %ta, %b, %sb, %tb "
            f"{{format = #metis.format<{format}>}} : {a}, {sa}, tensor<f32>, "
            f"{b}, {sb}, tensor<f32> -> {c}\n"
            f"  return %c : {c}\n}}\n")
    return "\n".join(funcs)


def _quantize_module(shapes: Sequence[Tuple[int, int]], format: str,
                     rounding, input_type: str = "f32") -> str:
    st = SCALE_TYPE[format]
    B = BLOCK[format]
    roundings = [rounding] if isinstance(rounding, str) else list(rounding)
    funcs = []
    for i, ((r, k), rounding) in enumerate(
            (s, rnd) for rnd in roundings for s in shapes):
        x = f"tensor<{r}x{k}x{input_type}>"
        v = f"tensor<{r}x{k}xf4E2M1FN>"
        sc = f"tensor<{r}x{k // B}x{st}>"
        sr = rounding == "stochastic"
        funcs.append(
            f"func.func @quantize{i}(%x: {x}" + (", %seed: i64" if sr else "")
            + f") -> ({v}, {sc}, tensor<f32>) {{\n"
            f"  %v, %s, %t = metis.quantize %x" + (" seed %seed" if sr else "")
            + f" {{axis = 1 : i64, format = #metis.format<{format}>, "
            f"rounding = #metis.rounding<{'stochastic' if sr else 'rne'}>}} "
            f": {x} -> {v}, {sc}, tensor<f32>\n"
            f"  return %v, %s, %t : {v}, {sc}, tensor<f32>\n}}\n")
    return "\n".join(funcs)


def _dequantize_module(shapes: Sequence[Tuple[int, int]],
                       format: str) -> str:
    """One f32 ``metis.dequantize`` along K per R×K shape."""
    st = SCALE_TYPE[format]
    B = BLOCK[format]
    funcs = []
    for i, (r, k) in enumerate(shapes):
        v = f"tensor<{r}x{k}xf4E2M1FN>"
        sc = f"tensor<{r}x{k // B}x{st}>"
        y = f"tensor<{r}x{k}xf32>"
        funcs.append(
            f"func.func @dequantize{i}(%v: {v}, %s: {sc}, %t: tensor<f32>) "
            f"-> {y} {{\n"
            f"  %y = metis.dequantize %v, %s, %t {{axis = 1 : i64, format = "
            f"#metis.format<{format}>}} : {v}, {sc}, tensor<f32> -> {y}\n"
            f"  return %y : {y}\n}}\n")
    return "\n".join(funcs)


def _library_module(shapes: Sequence[GemmShape], format: str, result: str,
                    quantize_shapes: Sequence[Tuple[int, int]],
                    rounding) -> str:
    """The functions whose kernels a library holds: the GEMMs of
    ``shapes``, and the quantizations and dequantizations of
    ``quantize_shapes``."""
    module = _gemm_module(shapes, format, result)
    if quantize_shapes:
        module += _quantize_module(quantize_shapes, format, rounding)
        module += _dequantize_module(quantize_shapes, format)
    return module


_OBJECT = re.compile(r'gpu\.object<.*?bin = "((?:[^"\\]|\\.)*)"', re.S)


def _unescape_mlir_string(escaped: str) -> bytes:
    def one(m):
        code = m.group(1)
        return b"\\" if code == b"\\" else bytes([int(code, 16)])
    return re.sub(rb"\\(\\|[0-9A-Fa-f]{2})", one, escaped.encode("latin-1"))


def compile_cubin(shapes: Sequence[GemmShape], format: str = "nvfp4",
                  chip: str = "sm_90a", mma: str = "auto",
                  result: str = "f32",
                  quantize_shapes: Sequence[Tuple[int, int]] = (),
                  rounding="rne") -> Tuple[bytes, str]:
    """The cubin of the GEMM kernels for ``shapes`` and of the quantize and
    dequantize kernels for the R×K ``quantize_shapes``, and the pipeline's
    output."""
    for s in shapes:
        s.check(format)
    module = _library_module(shapes, format, result, quantize_shapes,
                             rounding)
    out = compiler.opt(module, [
        f"--metis-gpu-pipeline=chip={chip} mma={mma} format=bin "
        f"toolkit={CUDA_HOME}"])
    match = _OBJECT.search(out)
    if not match:
        raise compiler.CompileError("metis-opt", "no cubin in the gpu.binary")
    return _unescape_mlir_string(match.group(1)), out


_GEMM_NAME = re.compile(
    r"metis_smm_\w+?_(nvfp4|mxfp4)_(\d+)x(\d+)x(\d+)_(f32|bf16)$")
_DEQUANT_NAME = re.compile(
    r"metis_dequantize_(nvfp4|mxfp4)_(\d+)x(\d+)_(f32|bf16|f16)$")
_QUANT_NAME = re.compile(
    r"metis_(quantize|amax)_(?:(nvfp4|mxfp4)_(rne|sr)_)?(\d+)x(\d+)_(\w+)$")


def _manifest_entry(name: str, block: List[int], grid: List[int]) -> dict:
    g = _GEMM_NAME.search(name)
    if g:
        fmt, m, n, k, result = g.group(1), *map(int, g.group(2, 3, 4)), g.group(5)
        return {"kind": "gemm", "name": name, "m": m, "n": n, "k": k,
                "format": fmt, "result": result,
                "grid": grid, "block": block}
    d = _DEQUANT_NAME.search(name)
    if d:
        fmt, r, k, result = d.group(1), int(d.group(2)), int(d.group(3)), \
            d.group(4)
        return {"kind": "dequantize", "name": name, "rows": r, "cols": k,
                "format": fmt, "result": result, "grid": grid, "block": block}
    q = _QUANT_NAME.search(name)
    if not q:
        raise ValueError(f"unknown kernel {name}")
    kind, fmt, rnd, r, k, input_type = q.groups()
    entry = {"kind": kind, "name": name, "rows": int(r), "cols": int(k),
             "input": input_type, "grid": grid, "block": block}
    if kind == "quantize":
        entry.update(format=fmt, rounding="stochastic" if rnd == "sr" else "rne")
    return entry


def build_library(out_dir, shapes: Iterable[Tuple[int, int, int]],
                  format: str = "nvfp4", chip: str = "sm_90a",
                  mma: str = "auto", result: str = "f32",
                  quantize_shapes: Iterable[Tuple[int, int]] = (),
                  rounding="rne", cxx: str = "g++") -> Path:
    """Builds ``out_dir/libmetis_gemm.so`` (+ ``manifest.json``) holding the
    GEMM kernels of ``shapes`` (M, N, K) and the quantize and (f32)
    dequantize kernels of ``quantize_shapes`` (R, K; along K) for the
    quantization's ``rounding`` ("rne",
    "stochastic" or a list of both); returns the .so path."""
    shapes = [GemmShape(*s) for s in shapes]
    quantize_shapes = [tuple(q) for q in quantize_shapes]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cubin, pipeline_out = compile_cubin(shapes, format, chip, mma, result,
                                        quantize_shapes, rounding)
    names = dict.fromkeys(re.findall(
        r"gpu\.launch_func\s+@metis_gpu_kernels::@(\w+)", pipeline_out))
    module = _library_module(shapes, format, result, quantize_shapes,
                             rounding)
    kernels_ir = compiler.opt(module, [
        f"--convert-metis-to-gpu=chip={chip} mma={mma}"])
    # Grids and blocks as the pass launches them (its known_grid_size and
    # known_block_size: 256 threads, 128 for tcgen05), not re-derived.
    launch = {name: ([int(v) for v in block.split(",")],
                     [int(v) for v in grid.split(",")])
              for name, block, grid in re.findall(
                  r"gpu\.func @(\w+)\(.*?known_block_size = "
                  r"array<i32: ([0-9, ]+)>, known_grid_size = "
                  r"array<i32: ([0-9, ]+)>", kernels_ir)}
    with tempfile.TemporaryDirectory() as tmp:
        blob = Path(tmp) / "cubin.c"
        body = ",".join(str(b) for b in cubin)
        blob.write_text(
            "const unsigned char metis_cubin[] __attribute__((aligned(8))) = {"
            f"{body}}};\nconst unsigned long long metis_cubin_size = "
            f"{len(cubin)};\n")
        lib = out_dir / "libmetis_gemm.so"
        cmd = [cxx, "-shared", "-fPIC", "-O2", f"-I{CUDA_HOME / 'include'}",
               "-x", "c++", str(LAUNCHER), "-x", "c", str(blob),
               f"-L{CUDA_HOME / 'lib64' / 'stubs'}", "-lcuda", "-o", str(lib)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            raise compiler.CompileError(cxx, proc.stderr)
    (out_dir / "manifest.json").write_text(json.dumps(
        {"chip": chip, "mma": mma,
         "kernels": [_manifest_entry(n, *launch[n]) for n in names]},
        indent=1))
    return lib


def cuda_device_count() -> Tuple[int, str]:
    """(number of CUDA devices, reason when 0) through the driver API."""
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError as e:
        return 0, f"no CUDA driver ({e})"
    if cuda.cuInit(0) != 0:
        return 0, "cuInit failed (no usable GPU)"
    count = ctypes.c_int(0)
    if cuda.cuDeviceGetCount(ctypes.byref(count)) != 0 or count.value == 0:
        return 0, "no CUDA device"
    return count.value, ""


class GemmLibrary:
    """A library from :func:`build_library`, loaded on a GPU machine."""

    def __init__(self, lib_dir):
        lib_dir = Path(lib_dir)
        self.manifest = json.loads((lib_dir / "manifest.json").read_text())
        self.kernels = {(k["m"], k["n"], k["k"], k["format"], k["result"]): k
                        for k in self.manifest["kernels"] if k["kind"] == "gemm"}
        self.quantizers = {
            (k["rows"], k["cols"], k["format"], k["rounding"]): k
            for k in self.manifest["kernels"] if k["kind"] == "quantize"}
        self.amax = {(k["rows"], k["cols"]): k
                     for k in self.manifest["kernels"] if k["kind"] == "amax"}
        self.dequantizers = {
            (k["rows"], k["cols"], k["format"]): k
            for k in self.manifest["kernels"] if k["kind"] == "dequantize"}
        self._lib = ctypes.CDLL(str(lib_dir / "libmetis_gemm.so"))
        self._lib.metis_aot_launch.argtypes = [
            ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint),
            ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_ulonglong),
            ctypes.c_int, ctypes.c_void_p]
        self._lib.metis_aot_last_error.restype = ctypes.c_char_p
        self._lib.metis_aot_synchronize.argtypes = [ctypes.c_void_p]
        self._lib.metis_aot_memset32.argtypes = [
            ctypes.c_ulonglong, ctypes.c_uint, ctypes.c_ulonglong,
            ctypes.c_void_p]

    def _check(self, status: int) -> None:
        if status:
            raise RuntimeError(self._lib.metis_aot_last_error().decode())

    def scaled_matmul(self, m: int, n: int, k: int, pointers: Sequence[int],
                      format: str = "nvfp4", result: str = "f32",
                      stream: int = 0) -> None:
        """Launches C = (A·Bᵀ)·ta·tb; ``pointers`` are the 7 device pointers
        (A words, A scale words, A tensor scale, the same for B, C)."""
        kernel = self._kernel(self.kernels, (m, n, k, format, result),
                              f"{m}x{n}x{k} {format} -> {result}", pointers, 7)
        self._launch(kernel, pointers, stream)

    @staticmethod
    def _kernel(table: dict, key: tuple, what: str, pointers: Sequence[int],
                count: int) -> dict:
        """The manifest entry of ``key`` in ``table``, after checking that
        it was built and that ``pointers`` has ``count`` entries."""
        kernel = table.get(key)
        if kernel is None:
            raise KeyError(f"no kernel for {what}; built: {sorted(table)}")
        if len(pointers) != count:
            raise ValueError(f"expected {count} device pointers")
        return kernel

    def _launch(self, kernel: dict, args: Sequence[int], stream: int) -> None:
        grid = (ctypes.c_uint * 3)(*kernel["grid"])
        block = (ctypes.c_uint * 3)(*kernel["block"])
        values = (ctypes.c_ulonglong * len(args))(
            *[a & 0xFFFFFFFFFFFFFFFF for a in args])
        self._check(self._lib.metis_aot_launch(
            kernel["name"].encode(), grid, block, values, len(args),
            stream or None))

    def quantize(self, rows: int, cols: int, pointers: Sequence[int],
                 format: str = "nvfp4", rounding: str = "rne", seed: int = 0,
                 stream: int = 0) -> None:
        """Quantizes an f32 R×K tensor along K. ``pointers``: x, a 1-word
        amax scratch (zeroed here), code words (R × K/8 i32), scale words
        (R × K/(4B) i32), the tensor scale (1 f32) — the GEMM's layout."""
        kernel = self._kernel(self.quantizers, (rows, cols, format, rounding),
                              f"quantize {rows}x{cols} {format} {rounding}",
                              pointers, 5)
        if format == "nvfp4":
            self._check(self._lib.metis_aot_memset32(pointers[1], 0, 1,
                                                     stream or None))
            self._launch(self.amax[(rows, cols)], pointers[:2], stream)
        self._launch(kernel, [*pointers, seed], stream)

    def dequantize(self, rows: int, cols: int, pointers: Sequence[int],
                   format: str = "nvfp4", stream: int = 0) -> None:
        """Dequantizes an R×K tensor along K to f32. ``pointers``: code
        words (R × K/8 i32), scale words (R × K/(4B) i32), the tensor scale
        (1 f32) — the GEMM's layout — and the R×K f32 output."""
        kernel = self._kernel(self.dequantizers, (rows, cols, format),
                              f"dequantize {rows}x{cols} {format}", pointers, 4)
        self._launch(kernel, pointers, stream)

    def synchronize(self, stream: int = 0) -> None:
        self._check(self._lib.metis_aot_synchronize(stream or None))


#: Inputs of the quantize and dequantize checks: "random" (outliers, zeros
#: and a zero block) and the numerical edge cases (docs/Numerics.md defines the result
#: of each; the GPU must give the CPU reference's bits).
CHECK_DATA = ("random", "zeros", "nan", "inf", "subnormal", "huge_range")


def check_data(rows: int, cols: int, format: str, data: str = "random",
               seed: int = 0) -> np.ndarray:
    """An f32 ``rows×cols`` input of the kind ``data`` (see CHECK_DATA)."""
    if data not in CHECK_DATA:
        raise ValueError(f"unknown data {data!r}; expected one of "
                         f"{list(CHECK_DATA)}")
    rng = np.random.default_rng(seed + 7)
    x = (rng.standard_normal((rows, cols)) *
         np.exp2(rng.integers(-8, 8, size=(rows, 1)))).astype(np.float32)
    x[0, :BLOCK[format]] = 0.0
    x[1, 3] = 0.0
    if data == "zeros":
        x[:] = 0.0
    elif data == "nan":
        x[2, 5] = np.nan
    elif data == "inf":
        x[2, 5], x[3, 7] = np.inf, -np.inf
    elif data == "subnormal":
        x *= np.float32(2.0 ** -140)
    elif data == "huge_range":
        x[:, ::2] *= np.float32(2.0 ** 100)
        x[:, 1::2] *= np.float32(2.0 ** -100)
    return x


def _f32_mismatches(a, b) -> int:
    """How many float32 values differ in their bits, any NaN equal to any
    NaN (NaN payloads differ between CPUs and GPUs)."""
    a = np.asarray(a, np.float32)
    b = np.asarray(b, np.float32)
    same = (a.view(np.uint32) == b.view(np.uint32)) | (np.isnan(a)
                                                       & np.isnan(b))
    return int((~same).sum())


def run_quantize_check(lib: GemmLibrary, rows: int, cols: int,
                       format: str = "nvfp4", rounding: str = "rne",
                       seed: int = 0, device: str = "cuda",
                       data: str = "random") -> dict:
    """Quantizes ``check_data(data)`` on the GPU and compares codes, scale
    bytes and tensor scale bit for bit (NaN as NaN) with the CPU reference
    ``reference.quantize``."""
    import torch
    from . import reference

    x = check_data(rows, cols, format, data, seed)
    q = reference.quantize(x, format, axis=1, rounding=rounding, seed=seed)
    dev = torch.device(device)
    B = BLOCK[format]
    out = [torch.from_numpy(x).to(dev),
           torch.zeros(1, dtype=torch.int32, device=dev),
           torch.zeros((rows, cols // 8), dtype=torch.int32, device=dev),
           torch.zeros((rows, cols // (4 * B)), dtype=torch.int32, device=dev),
           torch.zeros(1, dtype=torch.float32, device=dev)]
    stream = torch.cuda.current_stream().cuda_stream if device == "cuda" else 0
    lib.quantize(rows, cols, [t.data_ptr() for t in out], format, rounding,
                 seed, stream=stream)
    lib.synchronize(stream)
    words = out[2].cpu().numpy().view(np.uint32)
    codes = np.stack([(words >> np.uint32(4 * i)) & 0xF for i in range(8)],
                     axis=-1).reshape(rows, cols).astype(np.uint8)
    scale_bytes = out[3].cpu().numpy().view(np.uint8).reshape(rows, cols // B)
    ts = out[4].cpu().numpy()[0]
    ts_equal = _f32_mismatches(ts, q.tensor_scale) == 0
    return {"data": data,
            "code_mismatches": int((codes != q.codes).sum()),
            "scale_mismatches": int((scale_bytes != q.scale_bits).sum()),
            "tensor_scale_equal": ts_equal,
            "passed": bool((codes == q.codes).all()
                           and (scale_bytes == q.scale_bits).all()
                           and ts_equal)}


def run_dequantize_check(lib: GemmLibrary, rows: int, cols: int,
                         format: str = "nvfp4", seed: int = 0,
                         device: str = "cuda", data: str = "random") -> dict:
    """Dequantizes the CPU reference's quantization of ``check_data(data)``
    on the GPU and compares the f32 result bit for bit (NaN as NaN) with the
    CPU reference ``reference.dequantize``."""
    import torch
    from . import reference

    q = reference.quantize(check_data(rows, cols, format, data, seed), format,
                           axis=1)
    want = reference.dequantize(q).astype(np.float32)
    dev = torch.device(device)
    ins = [torch.from_numpy(pack_codes(q.codes)).to(dev),
           torch.from_numpy(pack_scales(q.scale_bits)).to(dev),
           torch.tensor([q.tensor_scale], dtype=torch.float32, device=dev)]
    out = torch.full((rows, cols), float("nan"), dtype=torch.float32,
                     device=dev)
    stream = torch.cuda.current_stream().cuda_stream if device == "cuda" else 0
    lib.dequantize(rows, cols, [t.data_ptr() for t in ins + [out]], format,
                   stream=stream)
    lib.synchronize(stream)
    mismatches = _f32_mismatches(out.cpu().numpy(), want)
    return {"data": data, "bit_mismatches": mismatches,
            "passed": mismatches == 0}


def run_reference_check(lib: GemmLibrary, m: int, n: int, k: int,
                        format: str = "nvfp4", seed: int = 0,
                        device: str = "cuda") -> dict:
    """Runs the library's kernel on quantized random operands (torch on the
    GPU) and compares with the CPU reference ``deq(A) @ deq(B)ᵀ``
    (reference.py, float64 accumulation). Returns the error statistics; the
    result passes when every |error| <= 2^-20 · (|deq A| @ |deq B|ᵀ), the f32
    accumulation bound for these K (products are exact)."""
    import torch
    from . import reference

    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((n, k)).astype(np.float32)
    qa = reference.quantize(a, format, axis=1)
    qb = reference.quantize(b, format, axis=1)
    da = reference.dequantize(qa).astype(np.float64)
    db = reference.dequantize(qb).astype(np.float64)
    expected = da @ db.T
    bound = np.abs(da) @ np.abs(db).T * 2.0 ** -20 + 1e-30

    dev = torch.device(device)
    tensors = [
        torch.from_numpy(pack_codes(qa.codes)).to(dev),
        torch.from_numpy(pack_scales(qa.scale_bits)).to(dev),
        torch.tensor([qa.tensor_scale], dtype=torch.float32, device=dev),
        torch.from_numpy(pack_codes(qb.codes)).to(dev),
        torch.from_numpy(pack_scales(qb.scale_bits)).to(dev),
        torch.tensor([qb.tensor_scale], dtype=torch.float32, device=dev),
        torch.full((m, n), float("nan"), dtype=torch.float32, device=dev),
    ]
    stream = torch.cuda.current_stream().cuda_stream if device == "cuda" else 0
    lib.scaled_matmul(m, n, k, [t.data_ptr() for t in tensors], format,
                      stream=stream)
    lib.synchronize(stream)
    got = tensors[-1].cpu().numpy().astype(np.float64)
    err = np.abs(got - expected)
    return {"max_abs_error": float(np.nanmax(err)) if err.size else 0.0,
            "max_error_over_bound": float(np.nanmax(err / bound)),
            "nan": int(np.isnan(got).sum()),
            "passed": bool(np.all(err <= bound) and not np.isnan(got).any())}
