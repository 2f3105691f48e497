"""PyTorch integration: FP4 training of ``nn.Linear`` layers on metis kernels.

    import metis.nn
    model = metis.nn.convert(model, policy="metis")      # swaps nn.Linear
    loss = criterion(model(x), y) + metis.nn.dual_range_penalty(model, lam=0.0)
    loss.backward(); opt.step()

:class:`Linear` is a drop-in ``torch.nn.Linear`` whose three GEMMs run as
metis-compiled CPU kernels (one ``metis.spectral_matmul`` module per GEMM,
shape and policy, compiled once by :mod:`metis.runtime` and cached on disk and
in memory):

============  ==================  ======================  =================
GEMM          C = A · Bᵀ          A (M×K)                 B (N×K)
============  ==================  ======================  =================
Fprop         Y  = X Wᵀ           X  (tokens × in)        W  (out × in)
Dgrad         dX = G W            G  (tokens × out)       Wᵀ (in × out)
Wgrad         dW = Gᵀ X           Gᵀ (out × tokens)       Xᵀ (in × tokens)
============  ==================  ======================  =================

Each GEMM quantizes both of its operands along its own reduction axis K from
the high-precision tensors saved by the forward pass (METIS.md §0.2; as
TransformerEngine does): nothing is re-quantized from a quantized copy. The
bias, the master weights and everything outside the linear layers stay FP32.

Policies (:data:`PRESETS`, the names the ``metis-spectralize`` pass uses):

``fp32``           the same autograd function with FP32 torch matmuls (the
                   baseline; exercises the same backward plumbing).
``nvfp4``          plain NVFP4, 1×16 blocks along K on every operand; RNE for
                   weights and activations, stochastic rounding (SR) for the
                   gradient operands (G in Dgrad and Wgrad).
``nvidia-recipe``  NVIDIA's NVFP4 recipe (arXiv 2509.25149, METIS.md §5.2) as
                   far as metis supports it: 16×16 2-D weight tiles (Fprop
                   and Dgrad see the same quantized W), SR on gradients, a
                   16-point random Hadamard transform on both Wgrad operands
                   along the token axis, and the last ``keep_last_fraction``
                   (15 %) of the converted linear layers kept in high
                   precision (FP32 here, BF16 on GPUs). **The Hadamard
                   transform runs in PyTorch (FP32) before the compiled GEMM**,
                   not inside a compiled kernel (the metis dialect has no
                   Hadamard op yet); its sign vector is TE's fixed one.
``metis``          the Metis split (METIS.md §0): W and G split by randomized
                   SVD (rank 16, oversampling 4, 2 power iterations, Gaussian
                   sketch) into ``U·diag(S)·Vᵀ + R``; U, Vᵀ and R quantized to
                   NVFP4 (FP4 factors, S in FP32) with the error-compensated
                   residual (R taken against the quantized factors); SR on
                   gradients; activations quantized directly.
``metis-reference``  the same with the reference residual (R against the
                   unquantized factors, as the reference code does).

Every field of :class:`Policy` can be overridden
(``resolve_policy("metis", rank=32, factor_format="bf16")``): which operands
are split, rank, oversampling, power iterations, sketch, factor precision,
residual, adaptive spectral gain (``gain="reference"|"smooth"``), format
(``mxfp4``), rounding per operand, Hadamard, kept layers, and warm-started
subspaces (``warm_start=True``, Repo B's power iteration from the previous
step's subspace). Not available: different ranks per operand within one
preset.

**Warm starts.** With ``warm_start=True`` each split of a :class:`Linear`
(per GEMM and operand: W in Fprop, Wᵀ and G in Dgrad, Gᵀ in Wgrad under
``metis``) starts from the ``K×l`` subspace that split returned at the
layer's previous training step (``Linear.subspaces``; the first step, or a
shape change, starts from :func:`initial_subspace`) and runs
``power_iters`` subspace iterations from it, where a cold split runs
``power_iters + 1`` from its random sketch: ``power_iters=1`` warm costs a
cold ``power_iters=0`` split and accumulates one iteration per step on a
slowly changing operand. Evaluation-mode calls use but do not update the
subspaces; they are per process (data-parallel ranks keep their own) and
not part of the ``state_dict`` (``reset_subspaces()`` forgets them).

**Seeds.** Every random draw (SR, the randomized-SVD sketch) is keyed by a
64-bit seed derived from ``(policy.seed, layer index, step, stream, GEMM)``
by a SplitMix64 hash. ``step`` is the layer's own counter: it advances after
every training-mode forward, so each step draws fresh random bits; the
backward pass uses the step its forward saw. ``stream`` defaults to the
``torch.distributed`` rank (0 without a process group), so data-parallel
ranks draw independent bits, like separate GPUs. A single process reproduces
rank r's draws by ``set_seed_state(model, step=s, stream=r)`` before its
micro-batch (see docs/Training.md, "Data parallel").
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Callable, Dict, Iterable, List, Optional, Tuple, Union

import numpy as np
import torch

from . import api, runtime

__all__ = ["Policy", "PRESETS", "resolve_policy", "Linear", "convert",
           "set_seed_state", "dual_range_penalty", "gemm", "gemm_rel_errors",
           "metis_linears", "GEMMS", "HADAMARD_SIGNS", "split_sides",
           "initial_subspace", "gemm_with_warm_starts"]

GEMMS = ("fprop", "dgrad", "wgrad")
_GEMM_TAG = {"fprop": 1, "dgrad": 2, "wgrad": 3}

#: TransformerEngine's fixed sign vector of the 16-point random Hadamard
#: transform (METIS.md §5.2).
HADAMARD_SIGNS = (1, 1, 1, -1, 1, -1, -1, -1, -1, -1, -1, 1, -1, 1, -1, -1)

#: Default names never converted: output heads (Metis and NVIDIA keep them
#: in high precision).
DEFAULT_SKIP = (r"(^|\.)(lm_head|output|head|classifier)$",)


@dataclasses.dataclass(frozen=True)
class Policy:
    """How a :class:`Linear` computes its GEMMs (see the module docstring).

    ``quantize``: False runs FP32 torch matmuls (the ``fp32`` preset).
    ``format``: "nvfp4" or "mxfp4" (1×16 / 1×32 blocks along K).
    ``weight_tiles``: 16×16 2-D weight tiles (nvfp4 only).
    ``*_rounding``: "rne" or "stochastic" for W, X and G operands.
    ``split_weight`` / ``split_grad`` / ``split_act``: which operands are
    split by randomized SVD (``rank``, ``oversample``, ``power_iters``,
    ``sketch``, ``factor_format`` "fp4"|"bf16"|"f32", ``residual``
    "compensated"|"exact", ``gain`` "none"|"reference"|"smooth").
    ``warm_start``: each split starts from the subspace the same GEMM's
    split of the same operand returned at the layer's previous call (needs
    ``power_iters >= 1``; see :class:`Linear`).
    ``rht_wgrad``: 16-point random Hadamard on the Wgrad operands (in torch).
    ``keep_last_fraction``: fraction of the converted linear layers (the
    last ones, in module order; rounded up) :func:`convert` keeps in FP32.
    ``skip``: regular expressions of qualified module names never converted.
    ``seed``: base of every random draw.
    """

    name: str = "custom"
    quantize: bool = True
    format: str = "nvfp4"
    weight_tiles: bool = False
    weight_rounding: str = "rne"
    act_rounding: str = "rne"
    grad_rounding: str = "stochastic"
    split_weight: bool = False
    split_grad: bool = False
    split_act: bool = False
    rank: int = 16
    oversample: int = 4
    power_iters: int = 2
    sketch: str = "gaussian"
    factor_format: str = "fp4"
    residual: str = "compensated"
    gain: str = "none"
    warm_start: bool = False
    rht_wgrad: bool = False
    keep_last_fraction: float = 0.0
    skip: Tuple[str, ...] = DEFAULT_SKIP
    seed: int = 0

    def __post_init__(self):
        def choice(field, choices):
            v = getattr(self, field)
            if not isinstance(v, str) or v not in choices:
                raise ValueError(f"Policy.{field}: unknown value {v!r}; "
                                 f"expected one of {list(choices)}")
        choice("format", ("nvfp4", "mxfp4"))
        for f in ("weight_rounding", "act_rounding", "grad_rounding"):
            choice(f, api.ROUNDINGS)
        choice("sketch", api.SKETCHES)
        choice("factor_format", api.FACTOR_FORMATS)
        choice("residual", api.RESIDUALS)
        choice("gain", api.GAINS)
        if self.weight_tiles and self.format != "nvfp4":
            raise ValueError("Policy.weight_tiles: 16x16 tiles need nvfp4")
        if self.weight_tiles and self.split_weight:
            raise ValueError("Policy: a split weight cannot use 16x16 tiles")
        if self.warm_start and not self.splits:
            raise ValueError("Policy.warm_start needs a split operand "
                             "(split_weight, split_grad or split_act)")
        if self.warm_start and self.power_iters < 1:
            raise ValueError(
                "Policy.warm_start needs power_iters >= 1: a warm-started "
                "split with 0 iterations projects onto the previous subspace "
                "and never refines it")
        for f, lo in (("rank", 1), ("oversample", 0), ("power_iters", 0)):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise ValueError(f"Policy.{f} must be an int >= {lo}, got {v!r}")
        if not 0.0 <= float(self.keep_last_fraction) < 1.0:
            raise ValueError("Policy.keep_last_fraction must lie in [0, 1)")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) \
                or not 0 <= self.seed < 2 ** 63:
            raise ValueError("Policy.seed must be an int in [0, 2**63)")
        if isinstance(self.skip, str):
            raise TypeError("Policy.skip must be a tuple of regular expressions")

    @property
    def block(self) -> int:
        """Block size along K of every operand."""
        return api.SUPPORTED_BLOCKS[self.format][0]

    @property
    def splits(self) -> bool:
        return self.split_weight or self.split_grad or self.split_act


_METIS = dict(split_weight=True, split_grad=True, rank=16, oversample=4,
              power_iters=2, factor_format="fp4")

#: The presets (see the module docstring).
PRESETS: Dict[str, Policy] = {
    "fp32": Policy(name="fp32", quantize=False),
    "nvfp4": Policy(name="nvfp4"),
    "nvidia-recipe": Policy(name="nvidia-recipe", weight_tiles=True,
                            rht_wgrad=True, keep_last_fraction=0.15),
    "metis": Policy(name="metis", residual="compensated", **_METIS),
    "metis-reference": Policy(name="metis-reference", residual="exact",
                              **_METIS),
}


def resolve_policy(policy: Union[str, Policy, None] = "metis",
                   **overrides) -> Policy:
    """A :class:`Policy` from a preset name or a Policy, with ``overrides``
    (fields of Policy) applied."""
    if policy is None:
        policy = "metis"
    if isinstance(policy, str):
        if policy not in PRESETS:
            raise ValueError(f"unknown preset {policy!r}; expected one of "
                             f"{list(PRESETS)}")
        policy = PRESETS[policy]
    elif not isinstance(policy, Policy):
        raise TypeError(f"policy must be a preset name or a metis.nn.Policy, "
                        f"got {type(policy).__name__}")
    if overrides:
        unknown = set(overrides) - {f.name for f in dataclasses.fields(Policy)}
        if unknown:
            raise TypeError(f"unknown Policy fields: {sorted(unknown)}")
        policy = dataclasses.replace(policy, **overrides)
    return policy


# ---------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------

_M64 = (1 << 64) - 1


def _splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def derive_seed(base: int, layer: int, step: int, stream: int,
                gemm_name: str) -> int:
    """The seed (in [0, 2**63)) of one GEMM: SplitMix64 chained over
    ``(base, layer, step, stream, GEMM tag)``."""
    h = _splitmix64(int(base) & _M64)
    for v in (layer, step, stream, _GEMM_TAG[gemm_name]):
        h = _splitmix64(h ^ (int(v) & _M64))
    return h & ((1 << 63) - 1)


# ---------------------------------------------------------------------------
# Compiled GEMMs
# ---------------------------------------------------------------------------


def _operand_attr(policy: Policy, rounding: str, split: bool,
                  tiles: bool) -> str:
    fmt = (f"#metis.format<{policy.format}, 16x16>" if tiles
           else f"#metis.format<{policy.format}>")
    parts = [f"format = {fmt}"]
    if rounding != "rne":
        parts.append(f"rounding = {rounding}")
    if split:
        parts.append(
            f"split = #metis.split<rank = {policy.rank}, oversample = "
            f"{policy.oversample}, power_iters = {policy.power_iters}, "
            f"sketch = {policy.sketch}, factors = {policy.factor_format}, "
            f"residual = {policy.residual}, gain = {policy.gain}>")
    return "#metis.operand<" + ", ".join(parts) + ">"


def _operand_specs(policy: Policy, gemm_name: str):
    """(lhs, rhs) as (rounding, split, tiles) of one GEMM."""
    w = (policy.weight_rounding, policy.split_weight, policy.weight_tiles)
    x = (policy.act_rounding, policy.split_act, False)
    g = (policy.grad_rounding, policy.split_grad, False)
    return {"fprop": (x, w), "dgrad": (g, w), "wgrad": (g, x)}[gemm_name]


_libs: Dict[tuple, "runtime.Library"] = {}


def _library(a_shape, b_shape, policy: Policy, gemm_name: str,
             warm=("", "")):
    """The compiled GEMM; ``warm``: for (a, b), "" or the memref type of
    its warm start."""
    (ra, sa, ta), (rb, sb, tb) = _operand_specs(policy, gemm_name)
    key = (a_shape, b_shape, policy.format, ra, sa, ta, rb, sb, tb,
           policy.rank, policy.oversample, policy.power_iters, policy.sketch,
           policy.factor_format, policy.residual, policy.gain, warm)
    lib = _libs.get(key)
    if lib is None:
        lhs = _operand_attr(policy, ra, sa, ta)
        rhs = _operand_attr(policy, rb, sb, tb)
        needs_seed = sa or sb or "stochastic" in (ra, rb)
        text = api._matmul_function("gemm", tuple(a_shape), tuple(b_shape),
                                    lhs, rhs, needs_seed, warm)
        lib = _libs[key] = runtime.load(text, api.SPECTRAL_PIPELINE)
    return lib


def split_sides(policy: Policy, gemm_name: str) -> Tuple[str, ...]:
    """The operands ("a", "b") that ``policy`` splits in ``gemm_name``."""
    (_, sa, _), (_, sb, _) = _operand_specs(policy, gemm_name)
    return tuple(side for side, split in (("a", sa), ("b", sb)) if split)


def _warm_shape(policy: Policy, shape) -> Tuple[int, int]:
    """(K, l) of the warm start of the split of a ``rows×K`` operand."""
    rows, k = shape
    return k, api._sketch_width(rows, k, policy.rank, policy.oversample)


def initial_subspace(policy: Policy, shape, seed: int) -> np.ndarray:
    """The first warm start of the split of a ``rows×K`` operand: a
    Gaussian ``K×l`` matrix drawn from ``seed`` (numpy's PCG64). From it, a
    warm-started split runs ``power_iters`` iterations, one fewer than a
    cold split from its sketch; later calls continue from the returned
    subspace."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(_warm_shape(policy, shape), dtype=np.float32)


def _hadamard16() -> np.ndarray:
    h = np.array([[1.0]])
    for _ in range(4):
        h = np.block([[h, h], [h, -h]])
    return (np.diag(HADAMARD_SIGNS) @ h / 4.0).astype(np.float32)


_RHT = _hadamard16()


def _rht_rows(a: np.ndarray) -> np.ndarray:
    """Applies the 16-point RHT along the last axis (blocks of 16) of a 2-D
    array (an orthogonal transform: (A H)(B H)ᵀ = A Bᵀ)."""
    m, k = a.shape
    return np.ascontiguousarray(
        (a.reshape(m, k // 16, 16) @ _RHT).reshape(m, k))


def _check_gemm_shapes(policy: Policy, gemm_name: str, a_shape, b_shape):
    blk = policy.block
    K = a_shape[1]
    if K % blk:
        what = {"fprop": "in_features", "dgrad": "out_features",
                "wgrad": "the number of tokens (rows of the flattened input)"}
        raise ValueError(
            f"metis.nn ({policy.name}, {gemm_name}): {what[gemm_name]} = {K} "
            f"is not a multiple of the {policy.format} block size {blk}; "
            f"{gemm_name} quantizes along it")
    if policy.rht_wgrad and gemm_name == "wgrad" and K % 16:
        raise ValueError(f"metis.nn: the Hadamard transform needs the token "
                         f"count ({K}) to be a multiple of 16")
    (ra, sa, ta), (rb, sb, tb) = _operand_specs(policy, gemm_name)
    for name, split, tiles, shape in (("A", sa, ta, a_shape),
                                      ("B", sb, tb, b_shape)):
        if tiles and shape[0] % 16:
            raise ValueError(
                f"metis.nn ({policy.name}, {gemm_name}): 16x16 weight tiles "
                f"need both weight dimensions to be multiples of 16, operand "
                f"{name} is {shape}")
        if split:
            if policy.rank >= min(shape):
                raise ValueError(
                    f"metis.nn ({policy.name}, {gemm_name}): split rank "
                    f"{policy.rank} must be smaller than min{tuple(shape)} of "
                    f"operand {name}")
            if policy.factor_format == "fp4" and shape[0] % blk:
                raise ValueError(
                    f"metis.nn ({policy.name}, {gemm_name}): fp4 factors need "
                    f"the {shape[0]} rows of operand {name} to be a multiple "
                    f"of {blk}")


def gemm(a, b, policy: Union[str, Policy], gemm_name: str,
         seed: int = 0, warm_start: Optional[Dict[str, np.ndarray]] = None):
    """``C = Â · B̂ᵀ`` (float32 ``M×N``) for a ``M×K`` and b ``N×K`` (numpy
    float32, or tensors), with the operand roles of ``gemm_name``
    ("fprop": a = X, b = W; "dgrad": a = G, b = Wᵀ; "wgrad": a = Gᵀ, b = Xᵀ)
    quantized as ``policy`` says, along K, by one compiled
    ``metis.spectral_matmul``; ``fp32`` computes ``a @ b.T`` in float32.

    ``warm_start``: ``{side: K×l subspace}`` for split operands ("a", "b";
    see :func:`split_sides`); then returns ``(c, {side: next subspace})``."""
    policy = resolve_policy(policy)
    if gemm_name not in GEMMS:
        raise ValueError(f"unknown GEMM {gemm_name!r}; expected one of "
                         f"{list(GEMMS)}")
    a = api._as_f32_array(a, "a")
    b = api._as_f32_array(b, "b")
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"metis.nn.gemm: a (M×K) and b (N×K) expected, got "
                         f"{a.shape} and {b.shape}")
    if not policy.quantize:
        if warm_start:
            raise ValueError("metis.nn.gemm: warm_start needs a split")
        return a @ b.T
    _check_gemm_shapes(policy, gemm_name, a.shape, b.shape)
    if policy.rht_wgrad and gemm_name == "wgrad":
        a, b = _rht_rows(a), _rht_rows(b)
    sides = split_sides(policy, gemm_name)
    warm = {}
    for side, w in (warm_start or {}).items():
        if side not in sides:
            raise ValueError(
                f"metis.nn.gemm ({policy.name}, {gemm_name}): warm_start for "
                f"operand {side!r}, which is not split (split: {sides})")
        warm[side] = api._warm_start(
            w, (a if side == "a" else b).shape, policy.rank,
            policy.oversample, f"warm_start[{side!r}]",
            f"metis.nn.gemm ({policy.name}, {gemm_name}): ")
    lib = _library(a.shape, b.shape, policy, gemm_name,
                   api._warm_memref_types(warm))
    c = np.empty((a.shape[0], b.shape[0]), dtype=np.float32)
    nxt = api._call_matmul(lib, "gemm", a, b, c, warm,
                           api._check_seed(seed))
    return c if warm_start is None else (c, nxt)


def gemm_with_warm_starts(a, b, policy: Union[str, Policy], gemm_name: str,
                          seed: int, subspaces: Dict[Tuple[str, str],
                                                     np.ndarray],
                          update: bool = True) -> np.ndarray:
    """:func:`gemm` with ``policy.warm_start`` applied: each split operand
    starts from ``subspaces[(gemm_name, side)]`` (or :func:`initial_subspace`
    on the first call or a shape change) and, with ``update``, leaves the
    subspace it returns there. Without warm starts, plain :func:`gemm`."""
    policy = resolve_policy(policy)
    sides = (split_sides(policy, gemm_name)
             if policy.quantize and policy.warm_start else ())
    if not sides:
        return gemm(a, b, policy, gemm_name, seed=seed)
    warm = {}
    for side in sides:
        shape = (a if side == "a" else b).shape
        w = subspaces.get((gemm_name, side))
        if w is None or w.shape != _warm_shape(policy, shape):
            w = initial_subspace(policy, shape,
                                 derive_seed(seed, 0, 0, 0, gemm_name))
        warm[side] = w
    c, nxt = gemm(a, b, policy, gemm_name, seed=seed, warm_start=warm)
    if update:
        for side, w in nxt.items():
            subspaces[(gemm_name, side)] = w
    return c


def gemm_rel_errors(x, w, g, policy, seed: int = 0):
    """Relative Frobenius error of the Fprop, Dgrad and Wgrad GEMMs of one
    linear layer (``x`` tokens×in, ``w`` out×in, ``g`` tokens×out, e.g.
    captured from a training run) against the exact (float64) products of
    the same FP32 tensors: ``{"fprop": e, "dgrad": e, "wgrad": e}`` for one
    ``policy`` (a preset name or a :class:`Policy`), or ``{label: {...}}``
    for a dict of labelled policies (the exact products computed once)."""
    x, w, g = (api._as_f32_array(t, n) for t, n in ((x, "x"), (w, "w"),
                                                       (g, "g")))
    ops = {"fprop": (x, w), "dgrad": (g, np.ascontiguousarray(w.T)),
           "wgrad": (np.ascontiguousarray(g.T), np.ascontiguousarray(x.T))}
    single = not isinstance(policy, dict)
    policies = {"": policy} if single else policy
    policies = {k: resolve_policy(p) for k, p in policies.items()}
    out = {k: {} for k in policies}
    for name, (a, b) in ops.items():
        exact = a.astype(np.float64) @ b.astype(np.float64).T
        norm = np.linalg.norm(exact)
        for label, p in policies.items():
            c = gemm(a, b, p, name, seed=derive_seed(seed, 0, 0, 0, name))
            out[label][name] = float(np.linalg.norm(c - exact) / norm)
    return out[""] if single else out


# ---------------------------------------------------------------------------
# Autograd
# ---------------------------------------------------------------------------


def _np(t: torch.Tensor) -> np.ndarray:
    """A float32 C-contiguous numpy view of a CPU tensor (copies only if
    it is not contiguous)."""
    return t.detach().contiguous().numpy()


class _LinearFunction(torch.autograd.Function):
    """y = x Wᵀ with compiled Fprop, Dgrad and Wgrad (x is tokens×in)."""

    @staticmethod
    def forward(ctx, x, weight, layer, step, stream):
        ctx.save_for_backward(x, weight)
        ctx.layer, ctx.step, ctx.stream = layer, step, stream
        return torch.from_numpy(layer._gemm(_np(x), _np(weight), "fprop",
                                            step, stream))

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        layer, step, stream = ctx.layer, ctx.step, ctx.stream
        g = _np(grad)
        if layer.capture is not None:
            layer.capture.append((_np(x).copy(), _np(weight).copy(), g.copy()))
        dx = dw = None
        if ctx.needs_input_grad[0]:
            wt = np.ascontiguousarray(_np(weight).T)
            dx = torch.from_numpy(layer._gemm(g, wt, "dgrad", step, stream))
        if ctx.needs_input_grad[1]:
            gt = np.ascontiguousarray(g.T)
            xt = np.ascontiguousarray(_np(x).T)
            dw = torch.from_numpy(layer._gemm(gt, xt, "wgrad", step, stream))
        return dx, dw, None, None, None


class Linear(torch.nn.Linear):
    """``torch.nn.Linear`` whose Fprop, Dgrad and Wgrad run as metis-compiled
    kernels under ``policy`` (a preset name or a :class:`Policy`).

    Inputs are float32 CPU tensors of shape ``(..., in_features)``; the
    parameters are float32. Requirements (checked, ``ValueError``):
    ``in_features`` and ``out_features`` multiples of the format's block (16
    for nvfp4, 32 for mxfp4) and, in training, the number of tokens (the
    product of the leading dimensions) too, since Wgrad quantizes along it.
    ``layer_index`` keys the layer's random draws (:func:`convert` numbers
    the layers). Set ``capture`` to a list to record ``(x, W, G)`` (numpy
    copies) at every backward.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 policy: Union[str, Policy] = "metis", layer_index: int = 0,
                 dtype=None, device=None):
        if dtype not in (None, torch.float32):
            raise TypeError(f"metis.nn.Linear: parameters are float32, got "
                            f"dtype={dtype}")
        if device is not None and torch.device(device).type != "cpu":
            raise ValueError("metis.nn.Linear runs on the CPU (device='cpu')")
        super().__init__(in_features, out_features, bias=bias)
        self.policy = resolve_policy(policy)
        self.layer_index = int(layer_index)
        self.step = 0
        self.stream: Optional[int] = None
        self.capture: Optional[list] = None
        #: Warm starts (policy.warm_start): (gemm, side) -> the subspace
        #: that split returned last (numpy; not in the state_dict).
        self.subspaces: Dict[Tuple[str, str], np.ndarray] = {}
        if self.policy.quantize:
            blk = self.policy.block
            for name, v in (("in_features", in_features),
                            ("out_features", out_features)):
                if v % blk:
                    raise ValueError(
                        f"metis.nn.Linear: {name} = {v} is not a multiple of "
                        f"the {self.policy.format} block size {blk}; keep "
                        f"this layer in torch.nn.Linear (convert() skips it "
                        f"with skip_incompatible=True) or pad it")
            if self.policy.weight_tiles and (in_features % 16 or
                                             out_features % 16):
                raise ValueError("metis.nn.Linear: 16x16 weight tiles need "
                                 "both dimensions to be multiples of 16")

    @classmethod
    def from_linear(cls, lin: torch.nn.Linear, policy, layer_index: int = 0):
        """A metis Linear sharing ``lin``'s parameters (same tensors)."""
        new = cls(lin.in_features, lin.out_features, bias=lin.bias is not None,
                  policy=policy, layer_index=layer_index)
        new.weight = lin.weight
        new.bias = lin.bias
        return new

    def extra_repr(self) -> str:
        return super().extra_repr() + f", policy={self.policy.name}"

    def current_stream(self) -> int:
        if self.stream is not None:
            return self.stream
        dist = torch.distributed
        if dist.is_available() and dist.is_initialized():
            return dist.get_rank()
        return 0

    def gemm_seed(self, gemm_name: str, step: int, stream: int = 0) -> int:
        """The seed of one of this layer's GEMMs at ``step`` (see the module
        docstring)."""
        return derive_seed(self.policy.seed, self.layer_index, step, stream,
                           gemm_name)

    def _gemm(self, a, b, gemm_name, step, stream):
        # Evaluation uses but does not move the subspaces.
        return gemm_with_warm_starts(
            a, b, self.policy, gemm_name,
            self.gemm_seed(gemm_name, step, stream), self.subspaces,
            update=self.training)

    def reset_subspaces(self) -> None:
        """Forgets the warm starts: the next splits start afresh."""
        self.subspaces.clear()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"metis.nn.Linear expects a torch.Tensor, got "
                            f"{type(x).__name__}")
        if x.dtype != torch.float32 or self.weight.dtype != torch.float32:
            raise TypeError(
                f"metis.nn.Linear: float32 input and weight expected, got "
                f"input {x.dtype}, weight {self.weight.dtype} (cast with "
                f".float())")
        if x.device.type != "cpu" or self.weight.device.type != "cpu":
            raise ValueError("metis.nn.Linear runs on CPU tensors")
        if x.dim() == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"metis.nn.Linear: input of shape {tuple(x.shape)}, expected "
                f"(..., {self.in_features})")
        lead = x.shape[:-1]
        x2 = x.reshape(-1, self.in_features)
        step, stream = self.step, self.current_stream()
        if self.training and torch.is_grad_enabled() and self.policy.quantize:
            blk = self.policy.block
            if x2.shape[0] % blk:
                raise ValueError(
                    f"metis.nn.Linear ({self.policy.name}): {x2.shape[0]} "
                    f"tokens (input shape {tuple(x.shape)}) is not a multiple "
                    f"of the block size {blk}; the Wgrad GEMM quantizes "
                    f"along the tokens")
        y = _LinearFunction.apply(x2, self.weight, self, step, stream)
        if self.training:
            self.step += 1
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(*lead, self.out_features)


def metis_linears(model: torch.nn.Module) -> List[Linear]:
    """The metis :class:`Linear` layers of ``model``, in module order."""
    return [m for m in model.modules() if isinstance(m, Linear)]


def convert(model: torch.nn.Module, policy: Union[str, Policy] = "metis",
            keep: Union[None, Iterable[str], Callable[[str], bool]] = None,
            skip_incompatible: bool = False, **overrides) -> torch.nn.Module:
    """Replaces ``model``'s ``torch.nn.Linear`` layers (in place; returns the
    model) by :class:`Linear` under ``policy`` (+ ``overrides``), sharing
    their parameters. Layers stay ``torch.nn.Linear`` when their qualified
    name matches ``policy.skip``, when ``keep`` (names or a predicate on the
    name) says so, or when they are among the last ``keep_last_fraction`` of
    the candidates (rounded up). ``skip_incompatible`` leaves layers whose
    dimensions are not multiples of the block size in FP32 instead of
    raising. The ``fp32`` preset converts too (same code path, FP32 GEMMs).
    """
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"convert expects a torch.nn.Module, got "
                        f"{type(model).__name__}")
    policy = resolve_policy(policy, **overrides)
    if callable(keep):
        keep_fn = keep
    else:
        names = set(keep or ())
        keep_fn = names.__contains__
    skip_res = [re.compile(p) for p in policy.skip]
    candidates = []
    for name, mod in model.named_modules():
        if type(mod) is not torch.nn.Linear:  # noqa: E721 (exact type)
            continue
        if any(r.search(name) for r in skip_res) or keep_fn(name):
            continue
        if skip_incompatible and policy.quantize:
            blk = 16 if policy.weight_tiles else policy.block
            if mod.in_features % blk or mod.out_features % blk:
                continue
        candidates.append(name)
    n_keep = math.ceil(policy.keep_last_fraction * len(candidates))
    chosen = candidates[:len(candidates) - n_keep]
    for idx, name in enumerate(chosen):
        parent_name, _, attr = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, attr,
                Linear.from_linear(getattr(parent, attr), policy, idx))
    return model


def set_seed_state(model: torch.nn.Module, step: Optional[int] = None,
                   stream: Optional[int] = None) -> None:
    """Sets the step counter and/or the seed stream of every metis
    :class:`Linear` in ``model`` (``stream=None`` keeps the current one)."""
    for m in metis_linears(model):
        if step is not None:
            m.step = int(step)
        if stream is not None:
            m.stream = int(stream)


# ---------------------------------------------------------------------------
# Dual-range regularizer (METIS.md §4)
# ---------------------------------------------------------------------------


def dual_range_penalty(params: Union[torch.nn.Module, Iterable[torch.Tensor]],
                       lam: float = 0.0, alpha1: float = 1.0,
                       alpha2: float = 1.0, eps: float = 1e-6) -> torch.Tensor:
    """The dual-range regularizer of the Metis reference code (METIS.md §4):
    ``lam · Σ_p mean_ij(alpha1·p_ij² + alpha2·(|p_ij| + eps)⁻²)``.

    ``params``: a module (then the weights of its metis :class:`Linear`
    layers) or an iterable of weight tensors. It penalizes both large
    magnitudes and magnitudes near zero (per element minimal at
    ``|p| = (alpha2/alpha1)^¼``). Off by default (``lam = 0`` returns a
    zero tensor without touching the weights), as in every reference script.
    Unlike the reference (``(p + eps)⁻²``, singular at ``p = -eps``) it uses
    ``|p|``.
    """
    if isinstance(params, torch.nn.Module):
        params = [m.weight for m in metis_linears(params)]
    params = list(params)
    if lam == 0.0 or not params:
        return torch.zeros(())
    if lam < 0 or alpha1 < 0 or alpha2 < 0 or eps <= 0:
        raise ValueError("dual_range_penalty: lam, alpha1, alpha2 >= 0 and "
                         "eps > 0 expected")
    total = torch.zeros(())
    for p in params:
        total = total + (alpha1 * p.pow(2)
                         + alpha2 * (p.abs() + eps).pow(-2)).mean()
    return lam * total
