"""The AOT GPU GEMM library: operand packing, the build (here, no GPU), and
the kernel against the CPU reference (only where a CUDA GPU exists)."""

import ctypes
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from metis import compiler, gpu, reference
from testutil import requires_metis_opt

requires_toolkit = pytest.mark.skipif(
    not (gpu.CUDA_HOME / "bin" / "ptxas").exists()
    or not (gpu.CUDA_HOME / "include" / "cuda.h").exists()
    or shutil.which("g++") is None,
    reason="no CUDA toolkit (ptxas, cuda.h) or g++")

_gpu_count, _no_gpu_reason = gpu.cuda_device_count()
requires_gpu = pytest.mark.skipif(_gpu_count == 0,
                                  reason=f"no CUDA GPU: {_no_gpu_reason}")


def test_pack_codes_layout():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 16, size=(3, 32), dtype=np.uint8)
    words = gpu.pack_codes(codes).view(np.uint32)
    assert words.shape == (3, 4)
    # Element k is nibble k % 8 of word k // 8, lowest nibble first.
    for r in range(3):
        for k in range(32):
            assert (int(words[r, k // 8]) >> (4 * (k % 8))) & 0xF == codes[r, k]


def test_pack_codes_little_endian_bytes():
    # Bytes of the packed buffer: element 2j in the low nibble of byte j.
    codes = np.array([[1, 2, 3, 4, 5, 6, 7, 8]], dtype=np.uint8)
    assert gpu.pack_codes(codes).tobytes() == bytes([0x21, 0x43, 0x65, 0x87])


def test_pack_scales_layout():
    bits = np.arange(16, dtype=np.uint8).reshape(2, 8)
    words = gpu.pack_scales(bits).view(np.uint32)
    assert words.shape == (2, 2)
    assert words[0, 0] == 0x03020100 and words[1, 1] == 0x0F0E0D0C


@pytest.mark.parametrize("bad", [np.zeros((2, 12), np.uint8),
                                 np.zeros((8,), np.uint8)])
def test_pack_rejects_bad_shapes(bad):
    with pytest.raises(ValueError):
        gpu.pack_codes(bad)
    with pytest.raises(ValueError):
        gpu.pack_scales(bad[..., :6] if bad.ndim == 2 else bad[:6])


def test_unsupported_shape_is_an_error():
    with pytest.raises(ValueError, match="multiples of 128"):
        gpu.GemmShape(100, 128, 64).check("nvfp4")
    with pytest.raises(ValueError, match="multiple of 128 for mxfp4"):
        gpu.GemmShape(128, 128, 64).check("mxfp4")


@requires_metis_opt
@requires_toolkit
@pytest.mark.parametrize("format,chip", [("nvfp4", "sm_90a"),
                                         ("mxfp4", "sm_90a"),
                                         ("nvfp4", "sm_120a"),
                                         ("nvfp4", "sm_100a"),
                                         ("mxfp4", "sm_100a")])
def test_build_library(tmp_path, format, chip):
    lib = gpu.build_library(tmp_path, [(128, 256, 512)], format=format,
                            chip=chip, quantize_shapes=[(256, 512)])
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    kernels = {k["name"]: k for k in manifest["kernels"]}
    inst, threads = {"sm_120a": ("mmabs", 256), "sm_100a": ("tcgen05", 128),
                     "sm_90a": ("bf16emu", 256)}[chip]
    gemm = kernels[f"metis_smm_{inst}_{format}_128x256x512_f32"]
    assert gemm["grid"] == [2, 1, 1] and gemm["block"] == [threads, 1, 1]
    # One quantize thread per 4 blocks; NVFP4 adds the amax kernel (16
    # elements per thread).
    quant = kernels[f"metis_quantize_{format}_rne_256x512_f32"]
    assert quant["grid"] == [256 * 512 // (4 * gpu.BLOCK[format]) // 256, 1, 1]
    assert ("metis_amax_256x512_f32" in kernels) == (format == "nvfp4")
    # One thread per code word.
    deq = kernels[f"metis_dequantize_{format}_256x512_f32"]
    assert deq["grid"] == [256 * 512 // 8 // 256, 1, 1]
    assert deq["kind"] == "dequantize" and deq["block"] == [256, 1, 1]
    symbols = subprocess.run(["nm", "-D", "--defined-only", str(lib)],
                             capture_output=True, text=True,
                             check=True).stdout
    for name in ("metis_aot_launch", "metis_aot_synchronize",
                 "metis_aot_memset32",
                 "metis_aot_last_error", "metis_cubin"):
        assert name in symbols
    cubin, _ = gpu.compile_cubin([gpu.GemmShape(128, 256, 512)], format, chip)
    assert cubin[:4] == b"\x7fELF"
    # The kernel symbol is in the embedded cubin.
    assert f"metis_smm_{inst}_{format}_128x256x512_f32".encode() in cubin


class _FakeLibrary:
    """Stands in for GemmLibrary on CPU tensors: writes the numpy reference
    (optionally corrupted) through the pointers, so that the checkers'
    unpacking and comparisons are tested here (and can fail)."""

    def __init__(self, corrupt=False):
        self.corrupt = corrupt

    @staticmethod
    def _write(pointer, array):
        array = np.ascontiguousarray(array)
        ctypes.memmove(pointer, array.ctypes.data, array.nbytes)

    @staticmethod
    def _read(pointer, shape, dtype):
        n = int(np.prod(shape)) * np.dtype(dtype).itemsize
        return np.frombuffer(ctypes.string_at(pointer, n), dtype).reshape(shape)

    def synchronize(self, stream=0):
        pass

    def quantize(self, rows, cols, ptrs, format, rounding, seed, stream=0):
        x = self._read(ptrs[0], (rows, cols), np.float32)
        q = reference.quantize(x, format, axis=1, rounding=rounding, seed=seed)
        codes = q.codes.copy()
        if self.corrupt:
            codes[rows - 1, cols - 1] ^= 1
        self._write(ptrs[2], gpu.pack_codes(codes))
        self._write(ptrs[3], gpu.pack_scales(q.scale_bits))
        self._write(ptrs[4], np.array([q.tensor_scale], np.float32))

    def dequantize(self, rows, cols, ptrs, format, stream=0):
        B = gpu.BLOCK[format]
        words = self._read(ptrs[0], (rows, cols // 8), np.uint32)
        codes = np.stack([(words >> np.uint32(4 * j)) & 0xF
                          for j in range(8)], -1).reshape(rows, cols)
        bits = self._read(ptrs[1], (rows, cols // (4 * B)),
                          np.uint32).view(np.uint8).reshape(rows, cols // B)
        ts = self._read(ptrs[2], (1,), np.float32)[0]
        decode = (reference.e4m3_decode if format == "nvfp4"
                  else reference.e8m0_decode)
        q = reference.Quantized(
            codes=codes.astype(np.uint8),
            values=reference.e2m1_decode(codes).astype(np.float32),
            block_scales=decode(bits).astype(np.float32), scale_bits=bits,
            tensor_scale=np.float32(ts), format=format, axis=1, block=B)
        y = reference.dequantize(q).astype(np.float32)
        if self.corrupt:  # one ulp off, or a number where NaN is due
            last = y[rows - 1, cols - 1]
            y[rows - 1, cols - 1] = (np.float32(0) if np.isnan(last) else
                                     np.nextafter(last, np.float32(np.inf)))
        self._write(ptrs[3], y)

    def scaled_matmul(self, m, n, k, ptrs, format, stream=0):
        B = gpu.BLOCK[format]

        def operand(i, rows):
            words = self._read(ptrs[i], (rows, k // 8), np.uint32)
            codes = np.stack([(words >> np.uint32(4 * j)) & 0xF
                              for j in range(8)], -1).reshape(rows, k)
            bits = self._read(ptrs[i + 1], (rows, k // (4 * B)),
                              np.uint32).view(np.uint8).reshape(rows, k // B)
            decode = (reference.e4m3_decode if format == "nvfp4"
                      else reference.e8m0_decode)
            scale = np.repeat(decode(bits).astype(np.float64), B, axis=1)
            ts = self._read(ptrs[i + 2], (1,), np.float32)[0]
            return reference.e2m1_decode(codes).astype(np.float64) * scale, ts

        a, ta = operand(0, m)
        b, tb = operand(3, n)
        c = (a @ b.T).astype(np.float32) * np.float32(ta * tb)
        if self.corrupt:
            c[0, 0] = c[0, 0] * 1.01 + 1.0
        self._write(ptrs[6], c)


@pytest.mark.parametrize("format", ["nvfp4", "mxfp4"])
@pytest.mark.parametrize("rounding", ["rne", "stochastic"])
def test_quantize_checker(format, rounding):
    pytest.importorskip("torch")
    ok = gpu.run_quantize_check(_FakeLibrary(), 32, 256, format, rounding,
                                seed=5, device="cpu")
    assert ok["passed"], ok
    bad = gpu.run_quantize_check(_FakeLibrary(corrupt=True), 32, 256, format,
                                 rounding, seed=5, device="cpu")
    assert not bad["passed"] and bad["code_mismatches"] == 1


@pytest.mark.parametrize("data", gpu.CHECK_DATA)
@pytest.mark.parametrize("format", ["nvfp4", "mxfp4"])
def test_dequantize_checker(format, data):
    pytest.importorskip("torch")
    ok = gpu.run_dequantize_check(_FakeLibrary(), 32, 256, format, seed=3,
                                  device="cpu", data=data)
    assert ok["passed"], ok
    bad = gpu.run_dequantize_check(_FakeLibrary(corrupt=True), 32, 256,
                                   format, seed=3, device="cpu", data=data)
    assert not bad["passed"] and bad["bit_mismatches"] == 1


@pytest.mark.parametrize("data", gpu.CHECK_DATA[1:])
@pytest.mark.parametrize("format", ["nvfp4", "mxfp4"])
def test_quantize_checker_edge_cases(format, data):
    """The edge-case inputs go through the checker (NaN tensor scales
    compare as NaN); a flipped code is still caught."""
    pytest.importorskip("torch")
    ok = gpu.run_quantize_check(_FakeLibrary(), 32, 256, format, "rne",
                                seed=5, device="cpu", data=data)
    assert ok["passed"], ok
    bad = gpu.run_quantize_check(_FakeLibrary(corrupt=True), 32, 256, format,
                                 "rne", seed=5, device="cpu", data=data)
    assert not bad["passed"]


def test_check_data_edge_cases():
    x = {d: gpu.check_data(32, 256, "nvfp4", d) for d in gpu.CHECK_DATA}
    assert not x["zeros"].any()
    assert np.isnan(x["nan"]).sum() == 1
    assert np.isposinf(x["inf"]).sum() == 1 and np.isneginf(x["inf"]).sum() == 1
    tiny = np.abs(x["subnormal"][x["subnormal"] != 0])
    assert (tiny < np.finfo(np.float32).tiny).any()
    with pytest.raises(ValueError, match="unknown data"):
        gpu.check_data(32, 256, "nvfp4", "noise")


@pytest.mark.parametrize("format", ["nvfp4", "mxfp4"])
def test_gemm_checker(format):
    pytest.importorskip("torch")
    ok = gpu.run_reference_check(_FakeLibrary(), 128, 128, 256, format,
                                 device="cpu")
    assert ok["passed"], ok
    bad = gpu.run_reference_check(_FakeLibrary(corrupt=True), 128, 128, 256,
                                  format, device="cpu")
    assert not bad["passed"]


def _library(tmp_path, format):
    """The GPU tests' library: METIS_GPU_LIB_DIR/<format> when set (built on
    the build machine by benchmarks/gpu_gemm.py --build-only; GPU machines
    have no LLVM), else built here (needs metis-opt and the toolkit)."""
    prebuilt = os.environ.get("METIS_GPU_LIB_DIR")
    if prebuilt:
        return gpu.GemmLibrary(Path(prebuilt) / format)
    if not (compiler.build_dir() / "bin" / "metis-opt").exists():
        pytest.skip("no metis-opt and no METIS_GPU_LIB_DIR")
    gpu.build_library(tmp_path, [GEMM_SHAPE], format=format, chip="sm_90a",
                      quantize_shapes=[(GEMM_SHAPE[0], GEMM_SHAPE[2])],
                      rounding=["rne", "stochastic"])
    return gpu.GemmLibrary(tmp_path)


# The shapes benchmarks/gpu_gemm.py also builds (its CHECK_SHAPE).
GEMM_SHAPE = (256, 384, 1024)


@requires_gpu
@pytest.mark.parametrize("format", ["nvfp4", "mxfp4"])
def test_sm90a_kernel_matches_reference(tmp_path, format):
    pytest.importorskip("torch")
    lib = _library(tmp_path, format)
    check = gpu.run_reference_check(lib, *GEMM_SHAPE, format=format)
    assert check["passed"], check


@requires_gpu
@pytest.mark.parametrize("format,rounding", [("nvfp4", "rne"),
                                             ("nvfp4", "stochastic"),
                                             ("mxfp4", "rne"),
                                             ("mxfp4", "stochastic")])
def test_quantize_kernel_matches_reference_bits(tmp_path, format, rounding):
    pytest.importorskip("torch")
    lib = _library(tmp_path, format)
    check = gpu.run_quantize_check(lib, GEMM_SHAPE[0], GEMM_SHAPE[2], format,
                                   rounding, seed=1234)
    assert check["passed"], check


@requires_gpu
@pytest.mark.parametrize("data", gpu.CHECK_DATA)
@pytest.mark.parametrize("format", ["nvfp4", "mxfp4"])
def test_dequantize_kernel_matches_reference_bits(tmp_path, format, data):
    pytest.importorskip("torch")
    lib = _library(tmp_path, format)
    check = gpu.run_dequantize_check(lib, GEMM_SHAPE[0], GEMM_SHAPE[2],
                                     format, seed=99, data=data)
    assert check["passed"], check


@requires_gpu
@pytest.mark.parametrize("data", gpu.CHECK_DATA[1:])
@pytest.mark.parametrize("format", ["nvfp4", "mxfp4"])
def test_quantize_kernel_edge_cases(tmp_path, format, data):
    """GPU quantization of all-zero, NaN, ±Inf, subnormal and huge-range
    inputs gives the CPU path's documented bits."""
    pytest.importorskip("torch")
    lib = _library(tmp_path, format)
    check = gpu.run_quantize_check(lib, GEMM_SHAPE[0], GEMM_SHAPE[2], format,
                                   "rne", seed=7, data=data)
    assert check["passed"], check
