"""The AOT GPU GEMM library: operand packing, the build (here, no GPU), and
the kernel against the CPU reference (only where a CUDA GPU exists)."""

import json
import shutil
import subprocess

import numpy as np
import pytest

from metis import gpu, reference
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
                                         ("nvfp4", "sm_120a")])
def test_build_library(tmp_path, format, chip):
    lib = gpu.build_library(tmp_path, [(128, 256, 512)], format=format,
                            chip=chip, quantize_shapes=[(256, 512)])
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    kernels = {k["name"]: k for k in manifest["kernels"]}
    inst = "mmabs" if chip == "sm_120a" else "bf16emu"
    gemm = kernels[f"metis_smm_{inst}_{format}_128x256x512_f32"]
    assert gemm["grid"] == [2, 1, 1] and gemm["block"] == [256, 1, 1]
    # One quantize thread per 4 blocks; NVFP4 adds the amax kernel (16
    # elements per thread).
    quant = kernels[f"metis_quantize_{format}_rne_256x512_f32"]
    assert quant["grid"] == [256 * 512 // (4 * gpu.BLOCK[format]) // 256, 1, 1]
    assert ("metis_amax_256x512_f32" in kernels) == (format == "nvfp4")
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


@requires_metis_opt
@requires_toolkit
@requires_gpu
@pytest.mark.parametrize("format", ["nvfp4", "mxfp4"])
def test_sm90a_kernel_matches_reference(tmp_path, format):
    pytest.importorskip("torch")
    shape = (256, 384, 1024)
    gpu.build_library(tmp_path, [shape], format=format, chip="sm_90a")
    lib = gpu.GemmLibrary(tmp_path)
    check = gpu.run_reference_check(lib, *shape, format=format)
    assert check["passed"], check


@requires_metis_opt
@requires_toolkit
@requires_gpu
@pytest.mark.parametrize("format,rounding", [("nvfp4", "rne"),
                                             ("nvfp4", "stochastic"),
                                             ("mxfp4", "rne"),
                                             ("mxfp4", "stochastic")])
def test_quantize_kernel_matches_reference_bits(tmp_path, format, rounding):
    pytest.importorskip("torch")
    gpu.build_library(tmp_path, [], format=format, chip="sm_90a",
                      quantize_shapes=[(64, 512)], rounding=rounding)
    lib = gpu.GemmLibrary(tmp_path)
    check = gpu.run_quantize_check(lib, 64, 512, format, rounding, seed=1234)
    assert check["passed"], check
