"""Decode tables of the narrow element types, used only to *present* the
results of the compiled code (``QuantizedTensor.values`` and
``.block_scales`` as float32). The quantization itself is always done by the
compiled ``metis.quantize``; nothing here rounds.

* ``E2M1``: 16 entries, code (sign << 3 | index) -> value (code 8 is -0.0).
* ``E4M3FN``: 256 entries, byte -> value (S.1111.111 is NaN; no Inf).
* ``E8M0``: 256 entries, byte b -> 2^(b - 127) (0xFF is NaN; 0x00 is the
  float32 subnormal 2^-127).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["E2M1", "E4M3FN", "E8M0", "decode_e2m1", "decode_e4m3",
           "decode_e8m0", "SCALE_TYPES", "BLOCK_SIZES"]

_MAGNITUDES = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)


def _e2m1_table() -> np.ndarray:
    vals = [(-1.0 if c & 8 else 1.0) * _MAGNITUDES[c & 7] for c in range(16)]
    return np.array(vals, dtype=np.float32)


def _e4m3_table() -> np.ndarray:
    vals = []
    for b in range(256):
        sign = -1.0 if b & 0x80 else 1.0
        e, m = (b >> 3) & 0xF, b & 0x7
        if e == 0xF and m == 0x7:
            vals.append(math.nan)
        elif e == 0:
            vals.append(sign * m * 2.0 ** -9)
        else:
            vals.append(sign * (1.0 + m / 8.0) * 2.0 ** (e - 7))
    return np.array(vals, dtype=np.float32)  # every value is exact in f32


def _e8m0_table() -> np.ndarray:
    vals = [math.nan if b == 0xFF else 2.0 ** (b - 127) for b in range(256)]
    return np.array(vals, dtype=np.float32)  # 2^-127 is an exact f32 subnormal


#: code/byte -> float32 value tables (read-only).
E2M1 = _e2m1_table()
E4M3FN = _e4m3_table()
E8M0 = _e8m0_table()
for _t in (E2M1, E4M3FN, E8M0):
    _t.setflags(write=False)

#: format -> MLIR block-scale element type / default block size along the axis.
SCALE_TYPES = {"nvfp4": "f8E4M3FN", "mxfp4": "f8E8M0FNU", "fp4e2m1b": "f32"}
BLOCK_SIZES = {"nvfp4": 16, "mxfp4": 32, "fp4e2m1b": 16}


def decode_e2m1(codes: np.ndarray) -> np.ndarray:
    """float32 values of E2M1 codes (uint8; only the low 4 bits are read)."""
    return E2M1[np.asarray(codes, dtype=np.uint8) & 0xF]


def decode_e4m3(bits: np.ndarray) -> np.ndarray:
    """float32 values of E4M3FN bytes (uint8)."""
    return E4M3FN[np.asarray(bits, dtype=np.uint8)]


def decode_e8m0(bits: np.ndarray) -> np.ndarray:
    """float32 values of E8M0 bytes (uint8)."""
    return E8M0[np.asarray(bits, dtype=np.uint8)]
