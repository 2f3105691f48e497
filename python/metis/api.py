"""The Python core API of metis: block-scaled FP4 quantization, executed by
compiled MLIR.

Every function builds a small MLIR module around the metis op
(``metis.quantize``, ``metis.dequantize``, ``metis.scaled_matmul``), compiles
it with :mod:`metis.runtime` (cached per shape and options) and runs it on
numpy buffers owned by Python. Nothing here re-implements the quantizer: the
numerics are those of the compiled op (see docs/Dialect.md).

    q = quantize(x, format="nvfp4", axis=-1, block=None, rounding="rne", seed=0)
    y = dequantize(q)
    y = fake_quant(x, format="nvfp4", ...)        # dequantize(quantize(x)), one module
    c = scaled_matmul(a, b, format="nvfp4")       # deq(Q(a)) @ deq(Q(b)).T
    u, s, vt, r = spectral_split(x, rank=16)      # x = u·diag(s)·vt + r
    c = spectral_matmul(a, b, split="b", rank=16) # Metis: Q(a) @ (split, Q'd b).T

Inputs are float32 or float16 numpy arrays or torch tensors (float32,
float16, bfloat16; converted exactly to float32 on the CPU). float64 is
refused (``TypeError``): cast explicitly, no precision is dropped silently.
Bad options raise ``TypeError`` / ``ValueError`` before anything is compiled.
"""

from __future__ import annotations

import functools
import operator
import sys
from dataclasses import dataclass
from typing import Optional, Tuple, Union

import numpy as np

from . import formats, runtime

__all__ = ["QuantizedTensor", "quantize", "dequantize", "fake_quant",
           "scaled_matmul", "spectral_split", "FORMATS", "ROUNDINGS",
           "SKETCHES", "SEED_B_XOR", "rhs_seed", "spectral_matmul",
           "spectral_seed", "SPLITS", "FACTOR_FORMATS", "RESIDUALS", "GAINS"]

FORMATS = ("nvfp4", "mxfp4", "fp4e2m1b")
ROUNDINGS = ("rne", "stochastic")
#: Test matrices of spectral_split (``#metis.sketch<...>``).
SKETCHES = ("gaussian", "rademacher", "sparse_sign", "row_sampling")
#: Block shapes each format supports (the first is the default).
SUPPORTED_BLOCKS = {"nvfp4": (16, (16, 16)), "mxfp4": (32,), "fp4e2m1b": (16,)}
#: scaled_matmul quantizes b with seed ``(seed ^ SEED_B_XOR) & (2^63 - 1)``.
SEED_B_XOR = 0x9E3779B97F4A7C15
_SEED_LIMIT = 1 << 63

Block = Union[None, int, Tuple[int, int]]


@dataclass
class QuantizedTensor:
    """Result of :func:`quantize`.

    ``values``       float32 E2M1 grid values (signs kept, -0 included),
                     shape of the input.
    ``block_scales`` float32 decoded block scales: the input's shape with
                     dim ``axis`` divided by the block size along it (the
                     per-row layout, also for 16x16 tiles).
    ``tensor_scale`` the decode tensor scale (Python float; 1.0 unless nvfp4).
    ``codes``        uint8 E2M1 codes (sign << 3 | index), shape of the input.
    ``scale_bits``   uint8 E4M3FN (nvfp4) / E8M0 (mxfp4) bytes of the block
                     scales; ``None`` for fp4e2m1b (float32 scales).
    ``format``, ``axis`` (normalized, >= 0), ``block`` (16, 32 or (16, 16)),
    ``rounding``, ``seed`` as used.
    """

    values: np.ndarray
    block_scales: np.ndarray
    tensor_scale: float
    codes: np.ndarray
    scale_bits: Optional[np.ndarray]
    format: str
    axis: int
    block: Union[int, Tuple[int, int]]
    rounding: str = "rne"
    seed: int = 0

    @property
    def shape(self) -> Tuple[int, ...]:
        return tuple(self.codes.shape)

    @property
    def block_size(self) -> int:
        """Block size along ``axis`` (16 for 16x16 tiles)."""
        return self.block[1] if isinstance(self.block, tuple) else self.block


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def _as_f32_array(x, name: str = "x") -> np.ndarray:
    """``x`` (numpy array or torch tensor) as a C-contiguous float32 array."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        t = x.detach()
        if t.dtype == torch.float64:
            raise TypeError(
                f"{name}: float64 tensors are not accepted (no silent precision "
                f"change); cast explicitly, e.g. {name}.float()")
        if t.dtype not in (torch.float32, torch.float16, torch.bfloat16):
            raise TypeError(
                f"{name}: expected a float32, float16 or bfloat16 tensor, "
                f"got {t.dtype}")
        t = t.cpu()
        if t.dtype == torch.bfloat16:
            t = t.float()  # exact: bf16 is a prefix of f32
        x = t.numpy()
    elif not isinstance(x, np.ndarray):
        raise TypeError(
            f"{name}: expected a numpy array or a torch tensor, got "
            f"{type(x).__name__}")
    if x.dtype == np.float64:
        raise TypeError(
            f"{name}: float64 arrays are not accepted (no silent precision "
            f"change); cast explicitly, e.g. {name}.astype(np.float32)")
    if x.dtype not in (np.float32, np.float16):
        raise TypeError(
            f"{name}: expected a float32 or float16 array, got dtype {x.dtype}")
    if x.ndim == 0:
        raise ValueError(f"{name}: rank-0 input; quantization needs rank >= 1")
    if x.size == 0:
        raise ValueError(f"{name}: empty input of shape {x.shape}")
    return np.ascontiguousarray(x, dtype=np.float32)  # f16 -> f32 is exact


def _check_format(format) -> str:
    if not isinstance(format, str) or format not in FORMATS:
        raise ValueError(
            f"unknown format {format!r}; expected one of {list(FORMATS)}")
    return format


def _check_rounding(rounding, name: str = "rounding") -> str:
    if not isinstance(rounding, str) or rounding not in ROUNDINGS:
        raise ValueError(
            f"unknown {name} {rounding!r}; expected one of {list(ROUNDINGS)}")
    return rounding


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    s = int(seed)
    if not 0 <= s < _SEED_LIMIT:
        raise ValueError(f"seed must lie in [0, 2**63), got {s}")
    return s


def _check_axis(axis, ndim: int) -> int:
    if isinstance(axis, bool):
        raise TypeError("axis must be an int, got bool")
    try:
        ax = operator.index(axis)
    except TypeError:
        raise TypeError(f"axis must be an int, got {type(axis).__name__}") from None
    if not -ndim <= ax < ndim:
        raise ValueError(f"axis {ax} is out of range for rank {ndim}")
    return ax % ndim


def _check_block(format: str, block: Block) -> Union[int, Tuple[int, int]]:
    supported = SUPPORTED_BLOCKS[format]
    if block is None:
        return supported[0]
    if isinstance(block, (tuple, list)):
        try:
            norm = tuple(operator.index(b) for b in block)
        except TypeError:
            norm = None
        if norm in supported:
            return norm
    elif not isinstance(block, bool):
        try:
            b = operator.index(block)
        except TypeError:
            b = None
        if b in supported:
            return b
    raise ValueError(
        f"format {format!r} does not support block={block!r}; supported: "
        + ", ".join(repr(s) for s in supported))


def _check_shape(shape, format: str, axis: int, block) -> None:
    tiles = isinstance(block, tuple)
    B = block[1] if tiles else block
    if shape[axis] % B:
        raise ValueError(
            f"size {shape[axis]} of axis {axis} (shape {tuple(shape)}) is not "
            f"a multiple of the {format} block size {B}")
    if tiles:
        if len(shape) != 2:
            raise ValueError(
                f"16x16 tiles need a 2-D input, got shape {tuple(shape)}")
        other = shape[1 - axis]
        if other % 16:
            raise ValueError(
                f"16x16 tiles: size {other} of axis {1 - axis} (shape "
                f"{tuple(shape)}) is not a multiple of 16")


def rhs_seed(seed: int) -> int:
    """Seed of b in :func:`scaled_matmul`: ``(seed ^ 0x9E3779B97F4A7C15)``
    masked to 63 bits, so a's and b's random draws are independent."""
    return (int(seed) ^ SEED_B_XOR) & (_SEED_LIMIT - 1)


# ---------------------------------------------------------------------------
# MLIR text
# ---------------------------------------------------------------------------


def _ty(kind: str, shape, elem: str) -> str:
    return f"{kind}<" + "".join(f"{d}x" for d in shape) + elem + ">"


def _scale_shape(shape, axis: int, block) -> Tuple[int, ...]:
    B = block[1] if isinstance(block, tuple) else block
    s = list(shape)
    s[axis] //= B
    return tuple(s)


def _format_attr(format: str, block) -> str:
    if isinstance(block, tuple):
        return f"#metis.format<{format}, {block[0]}x{block[1]}>"
    return f"#metis.format<{format}>"


class _Quant:
    """Text of one metis.quantize of a function argument (tensor %<p>x)."""

    def __init__(self, p, shape, format, axis, block, rounding):
        self.p, self.shape, self.axis = p, tuple(shape), axis
        self.format, self.block, self.rounding = format, block, rounding
        self.fattr = _format_attr(format, block)
        sshape = _scale_shape(shape, axis, block)
        st = formats.SCALE_TYPES[format]
        self.x_t = _ty("tensor", shape, "f32")
        self.v_t = _ty("tensor", shape, "f4E2M1FN")
        self.s_t = _ty("tensor", sshape, st)
        self.v_m = _ty("memref", shape, "f4E2M1FN")
        self.s_m = _ty("memref", sshape, st)

    def op(self, src: str, seed: str) -> str:
        p = self.p
        seed_part = f" seed {seed}" if self.rounding == "stochastic" else ""
        rnd = (", rounding = #metis.rounding<stochastic>"
               if self.rounding == "stochastic" else "")
        return (f"    %{p}v, %{p}s, %{p}t = metis.quantize {src}{seed_part} "
                f"{{axis = {self.axis} : i64, format = {self.fattr}{rnd}}} : "
                f"{self.x_t} -> {self.v_t}, {self.s_t}, tensor<f32>\n")


def _to_tensor(dst: str, src: str, mtype: str) -> str:
    ttype = "tensor" + mtype[len("memref"):]
    return (f"    {dst} = bufferization.to_tensor {src} restrict : "
            f"{mtype} to {ttype}\n")


def _store(src: str, dst: str, mtype: str) -> str:
    ttype = "tensor" + mtype[len("memref"):]
    return (f"    bufferization.materialize_in_destination {src} in restrict "
            f"writable {dst} : ({ttype}, {mtype}) -> ()\n")


_ATTRS = "attributes {llvm.emit_c_interface}"


@functools.lru_cache(maxsize=None)
def _quantize_module(shape, format, axis, block, rounding) -> str:
    q = _Quant("", shape, format, axis, block, rounding)
    x_m = _ty("memref", shape, "f32")
    return (
        f"func.func @quantize(%xm: {x_m}, %vm: {q.v_m}, %sm: {q.s_m}, "
        f"%tm: memref<f32>, %seed: i64) {_ATTRS} {{\n"
        + _to_tensor("%x", "%xm", x_m)
        + q.op("%x", "%seed")
        + _store("%v", "%vm", q.v_m) + _store("%s", "%sm", q.s_m)
        + _store("%t", "%tm", "memref<f32>")
        + "    return\n}\n")


def _dequant_op(q: _Quant, out: str) -> str:
    p = q.p
    return (f"    {out} = metis.dequantize %{p}v, %{p}s, %{p}t {{axis = {q.axis} "
            f": i64, format = {q.fattr}}} : {q.v_t}, {q.s_t}, tensor<f32> -> "
            f"{q.x_t}\n")


@functools.lru_cache(maxsize=None)
def _dequantize_module(shape, format, axis, block) -> str:
    q = _Quant("", shape, format, axis, block, "rne")
    y_m = _ty("memref", shape, "f32")
    return (
        f"func.func @dequantize(%vm: {q.v_m}, %sm: {q.s_m}, %tm: memref<f32>, "
        f"%ym: {y_m}) {_ATTRS} {{\n"
        + _to_tensor("%v", "%vm", q.v_m) + _to_tensor("%s", "%sm", q.s_m)
        + _to_tensor("%t", "%tm", "memref<f32>")
        + _dequant_op(q, "%y")
        + _store("%y", "%ym", y_m)
        + "    return\n}\n")


@functools.lru_cache(maxsize=None)
def _fake_quant_module(shape, format, axis, block, rounding) -> str:
    q = _Quant("", shape, format, axis, block, rounding)
    x_m = _ty("memref", shape, "f32")
    return (
        f"func.func @fake_quant(%xm: {x_m}, %ym: {x_m}, %seed: i64) {_ATTRS} {{\n"
        + _to_tensor("%x", "%xm", x_m)
        + q.op("%x", "%seed")
        + _dequant_op(q, "%y")
        + _store("%y", "%ym", x_m)
        + "    return\n}\n")


@functools.lru_cache(maxsize=None)
def _scaled_matmul_module(a_shape, b_shape, format, rounding_a,
                          rounding_b) -> str:
    block = SUPPORTED_BLOCKS[format][0]
    k_axis = len(a_shape) - 1
    qa = _Quant("a", a_shape, format, k_axis, block, rounding_a)
    qb = _Quant("b", b_shape, format, k_axis, block, rounding_b)
    c_shape = tuple(a_shape[:-1]) + (b_shape[-2],)
    a_m = _ty("memref", a_shape, "f32")
    b_m = _ty("memref", b_shape, "f32")
    c_m = _ty("memref", c_shape, "f32")
    fattr = _format_attr(format, block)
    return (
        f"func.func @scaled_matmul(%am: {a_m}, %bm: {b_m}, %cm: {c_m}, "
        f"%seed_a: i64, %seed_b: i64) {_ATTRS} {{\n"
        + _to_tensor("%a", "%am", a_m) + _to_tensor("%b", "%bm", b_m)
        + qa.op("%a", "%seed_a") + qb.op("%b", "%seed_b")
        + f"    %c = metis.scaled_matmul %av, %as, %at, %bv, %bs, %bt "
          f"{{format = {fattr}}} : {qa.v_t}, {qa.s_t}, tensor<f32>, "
          f"{qb.v_t}, {qb.s_t}, tensor<f32> -> {_ty('tensor', c_shape, 'f32')}\n"
        + _store("%c", "%cm", c_m)
        + "    return\n}\n")


@functools.lru_cache(maxsize=None)
def _spectral_split_module(shape, rank, oversample, power_iters, sketch,
                           warm) -> str:
    m, n = shape
    l = _sketch_width(m, n, rank, oversample)
    x_m = _ty("memref", shape, "f32")
    u_m, s_m = _ty("memref", (m, rank), "f32"), _ty("memref", (rank,), "f32")
    vt_m = _ty("memref", (rank, n), "f32")
    w_m = _ty("memref", (n, l), "f32")
    t = lambda mt: "tensor" + mt[len("memref"):]  # noqa: E731
    warm_args = f"%wm: {w_m}, %subm: {w_m}, " if warm else ""
    warm_op = f" warm_start %w : {t(w_m)}" if warm else ""
    results = "%u, %s, %vt, %r" + (", %sub" if warm else "")
    result_types = (f"{t(u_m)}, {t(s_m)}, {t(vt_m)}, {t(x_m)}"
                    + (f", {t(w_m)}" if warm else ""))
    return (
        f"func.func @spectral_split(%xm: {x_m}, %um: {u_m}, %sm: {s_m}, "
        f"%vtm: {vt_m}, %rm: {x_m}, {warm_args}%seed: i64) {_ATTRS} {{\n"
        + _to_tensor("%x", "%xm", x_m)
        + (_to_tensor("%w", "%wm", w_m) if warm else "")
        + f"    {results} = metis.spectral_split %x seed %seed{warm_op} "
          f"{{rank = {rank} : i64, oversample = {oversample} : i64, "
          f"power_iters = {power_iters} : i64, "
          f"sketch = #metis.sketch<{sketch}>}} : {t(x_m)} -> {result_types}\n"
        + _store("%u", "%um", u_m) + _store("%s", "%sm", s_m)
        + _store("%vt", "%vtm", vt_m) + _store("%r", "%rm", x_m)
        + (_store("%sub", "%subm", w_m) if warm else "")
        + "    return\n}\n")


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def _prepare(x, format, axis, block, rounding, seed):
    format = _check_format(format)
    rounding = _check_rounding(rounding)
    seed = _check_seed(seed)
    block = _check_block(format, block)
    x = _as_f32_array(x)
    axis = _check_axis(axis, x.ndim)
    _check_shape(x.shape, format, axis, block)
    return x, format, axis, block, rounding, seed


def quantize(x, format: str = "nvfp4", axis: int = -1, block: Block = None,
             rounding: str = "rne", seed: int = 0) -> QuantizedTensor:
    """Quantizes ``x`` with the compiled ``metis.quantize``.

    ``format``: "nvfp4", "mxfp4" or "fp4e2m1b"; ``axis``: the blocked axis
    (the GEMM reduction axis of the consumer); ``block``: None (the format's
    default), 16 (nvfp4, fp4e2m1b), (16, 16) (nvfp4 tiles, 2-D only) or 32
    (mxfp4); ``rounding``: "rne" or "stochastic"; ``seed`` (int in
    [0, 2**63)) keys the stochastic rounding's counter-based generator and is
    not used with "rne".
    """
    x, format, axis, block, rounding, seed = _prepare(
        x, format, axis, block, rounding, seed)
    lib = runtime.load(_quantize_module(x.shape, format, axis, block, rounding))
    sshape = _scale_shape(x.shape, axis, block)
    codes = np.zeros(x.shape, dtype=np.uint8)
    sdtype = np.float32 if format == "fp4e2m1b" else np.uint8
    scales = np.zeros(sshape, dtype=sdtype)
    ts = np.zeros((), dtype=np.float32)
    lib.call("quantize", x, codes, scales, ts, seed)
    codes &= np.uint8(0xF)  # an i4 store leaves the high bits unspecified
    if format == "nvfp4":
        block_scales, scale_bits = formats.decode_e4m3(scales), scales
    elif format == "mxfp4":
        block_scales, scale_bits = formats.decode_e8m0(scales), scales
    else:
        block_scales, scale_bits = scales, None
    return QuantizedTensor(
        values=formats.decode_e2m1(codes), block_scales=block_scales,
        tensor_scale=float(ts), codes=codes, scale_bits=scale_bits,
        format=format, axis=axis, block=block, rounding=rounding, seed=seed)


def dequantize(q: QuantizedTensor) -> np.ndarray:
    """``value · (block_scale · tensor_scale)`` in float32, by the compiled
    ``metis.dequantize``.

    Reads ``q.codes``, the block scales (``q.scale_bits`` for nvfp4/mxfp4,
    ``q.block_scales`` for fp4e2m1b), ``q.tensor_scale``, ``q.format``,
    ``q.axis`` and ``q.block``; ``q.values`` is not read.
    """
    if not isinstance(q, QuantizedTensor):
        raise TypeError(
            f"dequantize expects a QuantizedTensor, got {type(q).__name__}")
    format = _check_format(q.format)
    block = _check_block(format, q.block)
    codes = np.asarray(q.codes)
    if codes.ndim == 0 or codes.size == 0:
        raise ValueError(f"dequantize: codes of shape {codes.shape}")
    axis = _check_axis(q.axis, codes.ndim)
    _check_shape(codes.shape, format, axis, block)
    sshape = _scale_shape(codes.shape, axis, block)
    if format == "fp4e2m1b":
        scales = np.ascontiguousarray(q.block_scales, dtype=np.float32)
    else:
        if q.scale_bits is None:
            raise ValueError(f"dequantize: {format} needs scale_bits")
        scales = np.ascontiguousarray(q.scale_bits, dtype=np.uint8)
    if scales.shape != sshape:
        raise ValueError(
            f"dequantize: block scales of shape {scales.shape}, expected {sshape}")
    if codes.dtype.kind not in "iu" or np.any(codes < 0) or np.any(codes > 15):
        raise ValueError("dequantize: codes must be integers in 0..15 "
                         "(4-bit E2M1 codes)")
    codes = np.ascontiguousarray(codes, dtype=np.uint8)
    ts = np.array(q.tensor_scale, dtype=np.float32)
    lib = runtime.load(_dequantize_module(codes.shape, format, axis, block))
    y = np.empty(codes.shape, dtype=np.float32)
    lib.call("dequantize", codes, scales, ts, y)
    return y


def fake_quant(x, format: str = "nvfp4", axis: int = -1, block: Block = None,
               rounding: str = "rne", seed: int = 0) -> np.ndarray:
    """``dequantize(quantize(x, ...))`` (float32) in one compiled module."""
    x, format, axis, block, rounding, seed = _prepare(
        x, format, axis, block, rounding, seed)
    lib = runtime.load(_fake_quant_module(x.shape, format, axis, block, rounding))
    y = np.empty(x.shape, dtype=np.float32)
    lib.call("fake_quant", x, y, seed)
    return y


def _check_matmul_operands(op: str, a: np.ndarray, b: np.ndarray,
                           format: str) -> int:
    """Checks a (M×K) and b (N×K), or both batched, for `op`; returns the
    format's block size along K."""
    if a.ndim not in (2, 3) or b.ndim != a.ndim:
        raise ValueError(
            f"{op}: a and b must both be 2-D (M×K, N×K) or both 3-D "
            f"(Bt×M×K, Bt×N×K); got shapes {a.shape} and {b.shape}")
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"{op}: K mismatch: a is {a.shape}, b is {b.shape} "
            f"(both are M×K / N×K)")
    if a.ndim == 3 and a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{op}: batch mismatch: a is {a.shape}, b is {b.shape}")
    block = SUPPORTED_BLOCKS[format][0]
    _check_shape(a.shape, format, a.ndim - 1, block)
    return block


def scaled_matmul(a, b, format: str = "nvfp4", rounding_a: str = "rne",
                  rounding_b: str = "rne", seed: int = 0) -> np.ndarray:
    """``deq(Q(a)) @ deq(Q(b)).T`` (float32) with a ``M×K`` and b ``N×K``
    (or ``Bt×M×K`` and ``Bt×N×K``), both quantized along K with the format's
    default block, products accumulated in f32 by the compiled
    ``metis.scaled_matmul``.

    With stochastic rounding a uses ``seed`` and b uses :func:`rhs_seed`
    ``(seed) = (seed ^ 0x9E3779B97F4A7C15) & (2**63 - 1)`` (always, whatever
    ``rounding_a`` is), so the two operands draw independent random bits.
    """
    format = _check_format(format)
    rounding_a = _check_rounding(rounding_a, "rounding_a")
    rounding_b = _check_rounding(rounding_b, "rounding_b")
    seed = _check_seed(seed)
    a = _as_f32_array(a, "a")
    b = _as_f32_array(b, "b")
    _check_matmul_operands("scaled_matmul", a, b, format)
    lib = runtime.load(_scaled_matmul_module(a.shape, b.shape, format,
                                             rounding_a, rounding_b))
    c = np.empty(a.shape[:-1] + (b.shape[-2],), dtype=np.float32)
    lib.call("scaled_matmul", a, b, c, seed, rhs_seed(seed))
    return c


def _sketch_width(m: int, n: int, rank: int, oversample: int) -> int:
    """l = min(rank + oversample, min(m, n))."""
    return min(rank + oversample, min(m, n))


def _check_count(value, name: str, minimum: int) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got bool")
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(
            f"{name} must be an int, got {type(value).__name__}") from None
    if v < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {v}")
    return v


def spectral_split(x, rank: int, oversample: int = 4, power_iters: int = 2,
                   sketch: str = "gaussian", seed: int = 0, warm_start=None):
    """Randomized SVD split ``x = u @ diag(s) @ vt + residual`` by the
    compiled ``metis.spectral_split`` (docs/SpectralSplit.md).

    ``x``: a 2-D ``M×N`` float32 array (float16 / torch float32, float16,
    bfloat16 are converted exactly). ``rank`` k with 1 <= k < min(M, N);
    ``oversample`` p >= 0 and ``power_iters`` q >= 0; the sketch has
    l = min(k + p, min(M, N)) columns. ``sketch``: "gaussian",
    "rademacher", "sparse_sign" or "row_sampling"; ``seed`` (int in
    [0, 2**63)) keys its random numbers: the same x and seed give the same
    bits. ``warm_start``: an ``N×l`` starting subspace (e.g. the previous
    call's ``subspace``), used instead of the sketch.

    Returns float32 arrays ``(u, s, vt, residual)``: u ``M×k`` and vt
    ``k×N`` with orthonormal columns/rows (zero where the input is rank
    deficient), s ``k`` non-negative and non-increasing, residual ``M×N`` =
    x − u·diag(s)·vt computed in f32; with ``warm_start`` also
    ``subspace`` (``N×l``, the refined right subspace, sorted by singular
    value, to pass as the next ``warm_start``).
    """
    if not isinstance(sketch, str) or sketch not in SKETCHES:
        raise ValueError(
            f"unknown sketch {sketch!r}; expected one of {list(SKETCHES)}")
    rank = _check_count(rank, "rank", 1)
    oversample = _check_count(oversample, "oversample", 0)
    power_iters = _check_count(power_iters, "power_iters", 0)
    seed = _check_seed(seed)
    x = _as_f32_array(x)
    if x.ndim != 2:
        raise ValueError(
            f"spectral_split: x must be 2-D (M×N), got shape {x.shape}")
    m, n = x.shape
    if rank >= min(m, n):
        raise ValueError(
            f"spectral_split: rank {rank} must be smaller than min(M, N) = "
            f"{min(m, n)} for a {m}x{n} input")
    l = _sketch_width(m, n, rank, oversample)
    warm = warm_start is not None
    if warm:
        warm_start = _as_f32_array(warm_start, "warm_start")
        if warm_start.shape != (n, l):
            raise ValueError(
                f"spectral_split: warm_start must have shape (N, l) = "
                f"({n}, {l}), got {warm_start.shape}")
    lib = runtime.load(_spectral_split_module(
        x.shape, rank, oversample, power_iters, sketch, warm))
    u = np.empty((m, rank), dtype=np.float32)
    s = np.empty((rank,), dtype=np.float32)
    vt = np.empty((rank, n), dtype=np.float32)
    r = np.empty((m, n), dtype=np.float32)
    if not warm:
        lib.call("spectral_split", x, u, s, vt, r, seed)
        return u, s, vt, r
    sub = np.empty((n, l), dtype=np.float32)
    lib.call("spectral_split", x, u, s, vt, r, warm_start, sub, seed)
    return u, s, vt, r, sub


# ---------------------------------------------------------------------------
# spectral_matmul: one Metis matmul (metis.spectral_matmul, expanded by
# metis-expand-spectral)
# ---------------------------------------------------------------------------

#: Options of :func:`spectral_matmul`.
SPLITS = ("none", "a", "b", "both")
FACTOR_FORMATS = ("fp4", "bf16", "f32")
RESIDUALS = ("exact", "compensated")
GAINS = ("none", "reference", "smooth")
#: Tags of the seeds metis-expand-spectral derives (docs/Passes.md).
SPECTRAL_SEED_TAGS = {"a_split": 1, "b_split": 2, "a": 3, "b": 4, "a_u": 5,
                      "a_vt": 6, "b_u": 7, "b_vt": 8}
#: metis-opt arguments of :func:`spectral_matmul`'s modules.
SPECTRAL_PIPELINE = ("--metis-expand-spectral", "--metis-cpu-pipeline")


def spectral_seed(seed: int, use: str) -> int:
    """The seed (unsigned 64-bit) that metis-expand-spectral derives from
    the op's ``seed`` for one random use: ``seed ^ (tag ·
    0x9E3779B97F4A7C15 mod 2^64)``, ``use`` one of "a_split", "b_split"
    (the randomized SVDs), "a", "b" (the quantizes of the operands or of
    their residuals), "a_u", "a_vt", "b_u", "b_vt" (fp4 factors)."""
    tag = SPECTRAL_SEED_TAGS[use]
    return (int(seed) ^ (tag * SEED_B_XOR)) & 0xFFFFFFFFFFFFFFFF


def _check_choice(value, choices, name: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(
            f"unknown {name} {value!r}; expected one of {list(choices)}")
    return value


def _operand_policy(format: str, rounding: str, split: Optional[str]) -> str:
    parts = [f"format = {_format_attr(format, SUPPORTED_BLOCKS[format][0])}"]
    if rounding != "rne":
        parts.append(f"rounding = {rounding}")
    if split:
        parts.append(f"split = {split}")
    return "#metis.operand<" + ", ".join(parts) + ">"


@functools.lru_cache(maxsize=None)
def _spectral_matmul_module(a_shape, b_shape, split, rank, oversample,
                            power_iters, sketch, format, factor_format,
                            residual, gain, rounding_a, rounding_b,
                            warm=("", "")) -> str:
    """``warm``: for (a, b), "" or the memref type of its K x l warm start
    (then the function takes the warm start and an output for the next
    subspace after C)."""
    split_attr = (f"#metis.split<rank = {rank}, oversample = {oversample}, "
                  f"power_iters = {power_iters}, sketch = {sketch}, factors = "
                  f"{factor_format}, residual = {residual}, gain = {gain}>")
    lhs = _operand_policy(format, rounding_a,
                          split_attr if split in ("a", "both") else None)
    rhs = _operand_policy(format, rounding_b,
                          split_attr if split in ("b", "both") else None)
    needs_seed = split != "none" or "stochastic" in (rounding_a, rounding_b)
    return _matmul_function("spectral_matmul", a_shape, b_shape, lhs, rhs,
                            needs_seed, warm)


def _warm_start(w, x_shape, rank: int, oversample: int, name: str,
                context: str) -> np.ndarray:
    """``w`` as the float32 ``K×l`` warm start of the split of a ``rows×K``
    operand, l = min(rank + oversample, min(rows, K)); ``context`` prefixes
    the shape error."""
    w = _as_f32_array(w, name)
    shape = (x_shape[1], _sketch_width(*x_shape, rank, oversample))
    if w.shape != shape:
        raise ValueError(f"{context}{name} must have shape (K, l) = {shape}, "
                         f"got {w.shape}")
    return w


def _warm_memref_types(warm: dict) -> Tuple[str, str]:
    """The ``warm`` argument of :func:`_matmul_function` for the warm starts
    ``{side: array}``."""
    return tuple(_ty("memref", warm[s].shape, "f32") if s in warm else ""
                 for s in ("a", "b"))


def _call_matmul(lib, name: str, a, b, c, warm: dict, seed: int) -> dict:
    """Calls a :func:`_matmul_function` with the warm starts ``{side:
    array}``; returns the next subspaces ``{side: array}``."""
    nxt = {s: np.empty_like(w) for s, w in warm.items()}
    args = [x for s in ("a", "b") if s in warm for x in (warm[s], nxt[s])]
    lib.call(name, a, b, c, *args, seed)
    return nxt


def _matmul_function(name, a_shape, b_shape, lhs_policy, rhs_policy,
                     needs_seed, warm=("", "")) -> str:
    """``func.func @<name>(a, b, c, [warm_a, next_a,] [warm_b, next_b,]
    seed)`` running one ``metis.spectral_matmul`` on memrefs. ``warm``: for
    (a, b), "" or the memref type of its K x l warm start."""
    c_shape = tuple(a_shape[:-1]) + (b_shape[-2],)
    a_m = _ty("memref", a_shape, "f32")
    b_m = _ty("memref", b_shape, "f32")
    c_m = _ty("memref", c_shape, "f32")
    seed_part = " seed %seed" if needs_seed else ""
    t = lambda mt: "tensor" + mt[len("memref"):]  # noqa: E731
    args = warm_ops = results = result_types = body = stores = ""
    for side, w_m in zip(("a", "b"), warm):
        if not w_m:
            continue
        operand = "lhs" if side == "a" else "rhs"
        args += f"%w{side}m: {w_m}, %s{side}m: {w_m}, "
        body += _to_tensor(f"%w{side}", f"%w{side}m", w_m)
        warm_ops += f" {operand}_warm_start %w{side} : {t(w_m)}"
        results += f", %s{side}"
        result_types += f" {operand}_subspace {t(w_m)}"
        stores += _store(f"%s{side}", f"%s{side}m", w_m)
    return (
        f"func.func @{name}(%am: {a_m}, %bm: {b_m}, %cm: {c_m}, "
        f"{args}%seed: i64) {_ATTRS} {{\n"
        + _to_tensor("%a", "%am", a_m) + _to_tensor("%b", "%bm", b_m) + body
        + f"    %c{results} = metis.spectral_matmul %a, %b{seed_part}"
          f"{warm_ops} {{lhs_policy = "
          f"{lhs_policy}, rhs_policy = {rhs_policy}}} : "
          f"{t(a_m)}, {t(b_m)} -> {t(c_m)}{result_types}\n"
        + _store("%c", "%cm", c_m) + stores
        + "    return\n}\n")


def spectral_matmul(a, b, split: str = "b", rank: int = 16,
                    oversample: int = 4, power_iters: int = 2,
                    sketch: str = "gaussian", format: str = "nvfp4",
                    factor_format: str = "fp4", residual: str = "exact",
                    gain: str = "none", rounding_a: str = "rne",
                    rounding_b: str = "rne", seed: int = 0,
                    warm_start_a=None, warm_start_b=None):
    """One Metis matmul ``C = Â @ B̂.T`` (float32) with a ``M×K`` and b
    ``N×K``: the compiled ``metis.spectral_matmul``, expanded by
    ``metis-expand-spectral`` (the exact expansion is in docs/Passes.md).

    ``split``: the operands split by randomized SVD, "a", "b" or "both";
    "none" quantizes both directly (as :func:`scaled_matmul`; then 3-D
    batched operands are accepted). A split operand X (2-D) enters as
    ``c·Q(R) + Ũ·diag(S')·Ṽt`` where ``rank``, ``oversample``,
    ``power_iters`` and ``sketch`` ("gaussian", "rademacher", "sparse_sign",
    "row_sampling") parameterize the split; ``factor_format`` is the
    precision of U and Vᵀ: "fp4" (the operand's format; U is blocked along
    its rows, which must then be a multiple of the block size), "bf16" or
    "f32"; ``residual`` "exact" takes R against the unquantized factors (the
    reference), "compensated" against the factors as used; ``gain`` "none",
    "reference" (S' = S on directions 0-4, S/2 after, c = 2) or "smooth"
    (S' = 2S/(1 + S/S₀), c = 2). Both operands use ``format`` (its default
    block) along K, rounded with ``rounding_a`` / ``rounding_b``. ``seed``
    (int in [0, 2**63)) keys every random draw; each use draws with
    :func:`spectral_seed` ``(seed, use)``.

    ``warm_start_a`` / ``warm_start_b``: a starting subspace (``K×l``, l =
    min(rank + oversample, min(rows, K))) for the split of a / b instead of
    its random sketch, e.g. the one the previous training step returned
    (see :func:`spectral_split`). With a warm start the call returns
    ``(c, next_a, next_b)``: the new subspaces of the warm-started operands
    (None for the others), to pass as the next call's warm starts.
    """
    split = _check_choice(split, SPLITS, "split")
    sketch = _check_choice(sketch, SKETCHES, "sketch")
    factor_format = _check_choice(factor_format, FACTOR_FORMATS,
                                  "factor_format")
    residual = _check_choice(residual, RESIDUALS, "residual")
    gain = _check_choice(gain, GAINS, "gain")
    format = _check_format(format)
    rounding_a = _check_rounding(rounding_a, "rounding_a")
    rounding_b = _check_rounding(rounding_b, "rounding_b")
    seed = _check_seed(seed)
    rank = _check_count(rank, "rank", 1)
    oversample = _check_count(oversample, "oversample", 0)
    power_iters = _check_count(power_iters, "power_iters", 0)
    a = _as_f32_array(a, "a")
    b = _as_f32_array(b, "b")
    block = _check_matmul_operands("spectral_matmul", a, b, format)
    for name, x in (("a", a), ("b", b)):
        if split not in (name, "both"):
            continue
        if x.ndim != 2:
            raise ValueError(
                f"spectral_matmul: a split applies to 2-D operands only; "
                f"{name} has shape {x.shape}")
        if rank >= min(x.shape):
            raise ValueError(
                f"spectral_matmul: rank {rank} must be smaller than "
                f"min{x.shape} = {min(x.shape)} for the split of {name}")
        if factor_format == "fp4" and x.shape[0] % block:
            raise ValueError(
                f"spectral_matmul: fp4 factors quantize U along the "
                f"{x.shape[0]} rows of {name}, not a multiple of the "
                f"{format} block size {block}; use factor_format='bf16' or "
                f"'f32', or pad {name}")
    warm = {}
    for name, x, w in (("a", a, warm_start_a), ("b", b, warm_start_b)):
        if w is None:
            continue
        if split not in (name, "both"):
            raise ValueError(
                f"spectral_matmul: warm_start_{name} needs a split of {name} "
                f"(split={split!r})")
        warm[name] = _warm_start(w, x.shape, rank, oversample,
                                 f"warm_start_{name}", "spectral_matmul: ")
    if split == "none":  # no split options in the module (one cache entry)
        rank, oversample, power_iters, sketch = 1, 0, 0, "gaussian"
        factor_format, residual, gain = "fp4", "exact", "none"
    lib = runtime.load(
        _spectral_matmul_module(
            a.shape, b.shape, split, rank, oversample, power_iters, sketch,
            format, factor_format, residual, gain, rounding_a, rounding_b,
            _warm_memref_types(warm)),
        SPECTRAL_PIPELINE)
    c = np.empty(a.shape[:-1] + (b.shape[-2],), dtype=np.float32)
    nxt = _call_matmul(lib, "spectral_matmul", a, b, c, warm, seed)
    if not warm:
        return c
    return c, nxt.get("a"), nxt.get("b")
