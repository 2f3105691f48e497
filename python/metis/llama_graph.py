"""Generate a LLaMA-style decoder training step (forward + backward) as MLIR
linalg on tensors, in the forms torch-mlir's linalg backend emits.

    from metis.llama_graph import LlamaConfig, generate
    text = generate(LlamaConfig(layers=2, hidden=64, ffn=128, vocab=256,
                                heads=4, kv_heads=2, batch=2, seq=16))

or from the shell (``python3 -m metis.llama_graph --help``)::

    python3 -m metis.llama_graph --layers 2 --hidden 64 --ffn 128 -o tiny.mlir
    python3 -m metis.llama_graph --llama3-8b -o llama3-8b.mlir

**Model.** Per layer: RMSNorm → q/k/v projections (grouped-query attention
when ``kv_heads < heads``) → causal softmax attention as batched
contractions (``linalg.batch_matmul``) → o projection → residual add →
RMSNorm → SwiGLU (gate, up, down) → residual add; then a final RMSNorm and
the lm head. No rotary embedding, no biases. Weights use torch's layout
``[out, in]``; activations are ``[B, S, H]`` and are collapsed to
``[B·S, H]`` around every linear (``tensor.collapse_shape`` /
``expand_shape``).

**Backward.** The loss is ``L = Σ logits ⊙ dlogits`` with ``dlogits`` an
argument, so ``∂L/∂logits = dlogits``. Every linear ``Y = X·Wᵀ`` has its
Dgrad ``dX = G·W`` and Wgrad ``dW = Gᵀ·X``; RMSNorm, SwiGLU, softmax and
the residual stream have their exact backward.

**Forms** (``form``): ``transpose`` — a ``linalg.transpose`` of W feeding a
``linalg.matmul`` for Fprop and of G for Wgrad (torch-mlir's ``aten.t`` +
``aten.mm``); ``generic`` — ``linalg.generic`` contractions with permuted
indexing maps (matmul-transpose-b for Fprop, matmul-transpose-a for Wgrad).
Every contraction writes into ``tensor.empty`` + ``linalg.fill`` of zero.

**Functions** (``mode``): ``fused`` — one ``@train_step`` returning the
logits, the input gradient and every parameter gradient; ``split`` — a
``@forward`` returning the logits and the saved activations, and a
``@backward`` taking them (as AOT-autograd partitions a graph). Weights are
function arguments in both.

**Annotations** (``annotate``): ``metis.role`` on every argument,
``metis.layer`` on the linear weights of each decoder layer and
``metis.lm_head`` on the lm head (what ``metis-spectralize`` reads; without
them it falls back on its default rules, see docs/Spectralize.md).

**ABI** (``abi``): ``tensor`` (tensors in and out, as torch-mlir emits) or
``memref`` (destination-passing memrefs with ``llvm.emit_c_interface``, what
:mod:`metis.runtime` calls; fused mode only).

``dtype`` ``f32`` or ``bf16`` (every tensor; bf16 graphs are meant for the
compiler, their element-wise math runs in bf16).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

__all__ = ["LlamaConfig", "LLAMA3_8B", "generate", "param_specs", "main"]


@dataclass(frozen=True)
class LlamaConfig:
    layers: int = 2
    hidden: int = 64
    ffn: int = 128
    vocab: int = 256
    heads: int = 4
    kv_heads: Optional[int] = None  # None: = heads (no grouped queries)
    batch: int = 2
    seq: int = 16
    dtype: str = "f32"
    eps: float = 1e-5

    @property
    def n_kv(self) -> int:
        return self.kv_heads or self.heads

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads

    def check(self) -> None:
        if self.dtype not in ("f32", "bf16"):
            raise ValueError(f"dtype must be f32 or bf16, got {self.dtype!r}")
        for name in ("layers", "hidden", "ffn", "vocab", "heads", "batch",
                     "seq"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.hidden % self.heads:
            raise ValueError("hidden must be a multiple of heads")
        if self.heads % self.n_kv:
            raise ValueError("heads must be a multiple of kv_heads")


#: LLaMA-3-8B's shapes (one sequence of 2048 tokens).
LLAMA3_8B = LlamaConfig(layers=32, hidden=4096, ffn=14336, vocab=128256,
                        heads=32, kv_heads=8, batch=1, seq=2048)


def param_specs(cfg: LlamaConfig) -> List[Tuple[str, Tuple[int, ...]]]:
    """(name, shape) of every parameter, in argument order."""
    H, F, V = cfg.hidden, cfg.ffn, cfg.vocab
    kvd = cfg.n_kv * cfg.head_dim
    out = []
    for i in range(cfg.layers):
        out += [(f"l{i}.attn_norm", (H,)), (f"l{i}.wq", (H, H)),
                (f"l{i}.wk", (kvd, H)), (f"l{i}.wv", (kvd, H)),
                (f"l{i}.wo", (H, H)), (f"l{i}.ffn_norm", (H,)),
                (f"l{i}.w_gate", (F, H)), (f"l{i}.w_up", (F, H)),
                (f"l{i}.w_down", (H, F))]
    out += [("final_norm", (H,)), ("lm_head", (V, H))]
    return out


class _V:
    """An SSA value; formatting it inside the backward records a use of a
    forward value (what the split mode has to save)."""

    def __init__(self, em: "_Emitter", name: str, shape: Sequence[int],
                 phase: str):
        self.em, self.name, self.shape, self.phase = em, name, tuple(shape), phase

    @property
    def type(self) -> str:
        return self.em.ty(self.shape)

    def __format__(self, spec) -> str:
        if self.phase == "fwd" and self.em.phase == "bwd":
            self.em.saved.setdefault(self.name, self)
        return self.name


def _map(dims: str, n: int) -> str:
    ds = ", ".join(f"d{i}" for i in range(n))
    return f"affine_map<({ds}) -> ({dims})>"


class _Emitter:
    def __init__(self, cfg: LlamaConfig, form: str):
        self.cfg, self.form, self.e = cfg, form, cfg.dtype
        self.lines: Dict[str, List[str]] = {"fwd": [], "bwd": []}
        self.phase = "fwd"
        self.saved: Dict[str, _V] = {}
        self.n = 0

    def ty(self, shape) -> str:
        return "tensor<" + "".join(f"{d}x" for d in shape) + self.e + ">"

    def new(self, shape, prefix="v") -> _V:
        self.n += 1
        return _V(self, f"%{prefix}{self.n}", shape, self.phase)

    def emit(self, line: str) -> None:
        self.lines[self.phase].append("    " + line)

    def const(self, value: float) -> str:
        c = self.new((), "c")
        self.emit(f"{c} = arith.constant {value:.9e} : {self.e}")
        return c.name

    def zeros(self, shape, value: float = 0.0) -> _V:
        e = self.new(shape, "e")
        self.emit(f"{e} = tensor.empty() : {e.type}")
        z = self.const(value)
        f = self.new(shape, "z")
        self.emit(f"{f} = linalg.fill ins({z} : {self.e}) outs({e} : "
                  f"{e.type}) -> {f.type}")
        return f

    # -- structural ops -------------------------------------------------
    def transpose(self, x: _V, perm: Sequence[int]) -> _V:
        shape = [x.shape[p] for p in perm]
        e = self.new(shape, "e")
        self.emit(f"{e} = tensor.empty() : {e.type}")
        t = self.new(shape, "t")
        self.emit(f"{t} = linalg.transpose ins({x} : {x.type}) outs({e} : "
                  f"{e.type}) permutation = [{', '.join(map(str, perm))}]")
        return t

    def collapse(self, x: _V, groups: Sequence[Sequence[int]]) -> _V:
        shape = []
        for g in groups:
            p = 1
            for d in g:
                p *= x.shape[d]
            shape.append(p)
        r = self.new(shape, "r")
        self.emit(f"{r} = tensor.collapse_shape {x} {self._groups(groups)} : "
                  f"{x.type} into {r.type}")
        return r

    def expand(self, x: _V, groups, shape) -> _V:
        r = self.new(shape, "r")
        self.emit(f"{r} = tensor.expand_shape {x} {self._groups(groups)} "
                  f"output_shape [{', '.join(map(str, shape))}] : {x.type} "
                  f"into {r.type}")
        return r

    @staticmethod
    def _groups(groups) -> str:
        return "[" + ", ".join("[" + ", ".join(map(str, g)) + "]"
                               for g in groups) + "]"

    def generic(self, ins: Sequence[Tuple[_V, str]], out_shape,
                out_map: str, iters: Sequence[str], body: Sequence[str],
                init: Optional[_V] = None) -> _V:
        """A linalg.generic over len(iters) loops. ``body`` lines use %a0..
        for the block arguments (%out for the output) and end with the
        yielded value's name as the last element."""
        n = len(iters)
        if init is None:
            init = self.new(out_shape, "e")
            self.emit(f"{init} = tensor.empty() : {init.type}")
        maps = ", ".join([_map(m, n) for _, m in ins] + [_map(out_map, n)])
        it = ", ".join(f'"{i}"' for i in iters)
        r = self.new(out_shape, "g")
        ins_s = ", ".join(f"{v}" for v, _ in ins)
        ins_t = ", ".join(v.type for v, _ in ins)
        args = ", ".join([f"%a{i}: {self.e}" for i in range(len(ins))] +
                         [f"%out: {self.e}"])
        self.emit(f"{r} = linalg.generic {{indexing_maps = [{maps}], "
                  f"iterator_types = [{it}]}} ins({ins_s} : {ins_t}) "
                  f"outs({init} : {init.type}) {{")
        self.emit(f"^bb0({args}):")
        for line in body[:-1]:
            self.emit("  " + line.replace("$E", self.e))
        self.emit(f"  linalg.yield {body[-1]} : {self.e}")
        self.emit(f"}} -> {r.type}")
        return r

    # -- contractions ---------------------------------------------------
    def matmul(self, a: _V, b: _V) -> _V:
        """a [M, K] · b [K, N] as linalg.matmul."""
        (M, K), (_, N) = a.shape, b.shape
        z = self.zeros((M, N))
        r = self.new((M, N), "mm")
        self.emit(f"{r} = linalg.matmul ins({a}, {b} : {a.type}, {b.type}) "
                  f"outs({z} : {z.type}) -> {r.type}")
        return r

    def contract(self, a: _V, amap: str, b: _V, bmap: str, shape) -> _V:
        """C[d0, d1] = Σ_d2 a·b, as a linalg.generic."""
        z = self.zeros(shape)
        return self.generic(
            [(a, amap), (b, bmap)], shape, "d0, d1",
            ["parallel", "parallel", "reduction"],
            ["%m = arith.mulf %a0, %a1 : $E", "%s = arith.addf %out, %m : $E",
             "%s"], init=z)

    def bmm(self, a: _V, b: _V) -> _V:
        (Bt, M, K), (_, _, N) = a.shape, b.shape
        z = self.zeros((Bt, M, N))
        r = self.new((Bt, M, N), "bmm")
        self.emit(f"{r} = linalg.batch_matmul ins({a}, {b} : {a.type}, "
                  f"{b.type}) outs({z} : {z.type}) -> {r.type}")
        return r

    def fprop(self, x: _V, w: _V) -> _V:
        """Y = X·Wᵀ, x [T, in], w [out, in]."""
        if self.form == "generic":
            return self.contract(x, "d0, d2", w, "d1, d2",
                                 (x.shape[0], w.shape[0]))
        return self.matmul(x, self.transpose(w, (1, 0)))

    def dgrad(self, g: _V, w: _V) -> _V:
        """dX = G·W, g [T, out], w [out, in]."""
        if self.form == "generic":
            return self.contract(g, "d0, d2", w, "d2, d1",
                                 (g.shape[0], w.shape[1]))
        return self.matmul(g, w)

    def wgrad(self, g: _V, x: _V) -> _V:
        """dW = Gᵀ·X, g [T, out], x [T, in]."""
        if self.form == "generic":
            return self.contract(g, "d2, d0", x, "d2, d1",
                                 (g.shape[1], x.shape[1]))
        return self.matmul(self.transpose(g, (1, 0)), x)

    # -- element-wise helpers (3-D [B, S, H] unless said) ----------------
    def add(self, a: _V, b: _V) -> _V:
        n = len(a.shape)
        ds = ", ".join(f"d{i}" for i in range(n))
        return self.generic([(a, ds), (b, ds)], a.shape, ds,
                            ["parallel"] * n,
                            ["%s = arith.addf %a0, %a1 : $E", "%s"])


def _rmsnorm_fwd(em: _Emitter, x: _V, g: _V):
    B, S, H = x.shape
    cfg = em.cfg
    inv_h, eps = em.const(1.0 / H), em.const(cfg.eps)
    ss = em.generic([(x, "d0, d1, d2")], (B, S), "d0, d1",
                    ["parallel", "parallel", "reduction"],
                    ["%m = arith.mulf %a0, %a0 : $E",
                     "%s = arith.addf %out, %m : $E", "%s"],
                    init=em.zeros((B, S)))
    r = em.generic([(ss, "d0, d1")], (B, S), "d0, d1",
                   ["parallel", "parallel"],
                   [f"%m = arith.mulf %a0, {inv_h} : $E",
                    f"%p = arith.addf %m, {eps} : $E",
                    "%r = math.rsqrt %p : $E", "%r"])
    y = em.generic([(x, "d0, d1, d2"), (r, "d0, d1"), (g, "d2")], (B, S, H),
                   "d0, d1, d2", ["parallel"] * 3,
                   ["%m = arith.mulf %a0, %a1 : $E",
                    "%y = arith.mulf %m, %a2 : $E", "%y"])
    return y, r


def _rmsnorm_bwd(em: _Emitter, dy: _V, x: _V, r: _V, g: _V):
    """dx = r·(dy⊙g) − x·r³·Σ_h(dy⊙g⊙x)/H;  dg = Σ_{b,s} dy⊙x·r."""
    B, S, H = x.shape
    inv_h = em.const(1.0 / H)
    c = em.generic([(dy, "d0, d1, d2"), (x, "d0, d1, d2"), (g, "d2")], (B, S),
                   "d0, d1", ["parallel", "parallel", "reduction"],
                   ["%m = arith.mulf %a0, %a2 : $E",
                    "%n = arith.mulf %m, %a1 : $E",
                    "%s = arith.addf %out, %n : $E", "%s"],
                   init=em.zeros((B, S)))
    dx = em.generic([(dy, "d0, d1, d2"), (x, "d0, d1, d2"), (g, "d2"),
                     (r, "d0, d1"), (c, "d0, d1")], (B, S, H), "d0, d1, d2",
                    ["parallel"] * 3,
                    ["%a = arith.mulf %a0, %a2 : $E",
                     "%t1 = arith.mulf %a3, %a : $E",
                     "%r2 = arith.mulf %a3, %a3 : $E",
                     "%r3 = arith.mulf %r2, %a3 : $E",
                     f"%ch = arith.mulf %a4, {inv_h} : $E",
                     "%k = arith.mulf %r3, %ch : $E",
                     "%t2 = arith.mulf %a1, %k : $E",
                     "%d = arith.subf %t1, %t2 : $E", "%d"])
    dg = em.generic([(dy, "d1, d2, d0"), (x, "d1, d2, d0"), (r, "d1, d2")],
                    (H,), "d0", ["parallel", "reduction", "reduction"],
                    ["%m = arith.mulf %a0, %a1 : $E",
                     "%n = arith.mulf %m, %a2 : $E",
                     "%s = arith.addf %out, %n : $E", "%s"],
                    init=em.zeros((H,)))
    return dx, dg


def _to_heads(em: _Emitter, x2: _V, nh: int) -> _V:
    """[B·S, nh·hd] -> [B, nh, S, hd]."""
    cfg = em.cfg
    B, S, hd = cfg.batch, cfg.seq, cfg.head_dim
    x4 = em.expand(x2, [[0, 1], [2, 3]], (B, S, nh, hd))
    return em.transpose(x4, (0, 2, 1, 3))


def _from_heads(em: _Emitter, x4: _V) -> _V:
    """[B, nh, S, hd] -> [B·S, nh·hd]."""
    t = em.transpose(x4, (0, 2, 1, 3))
    return em.collapse(t, [[0, 1], [2, 3]])


def _repeat_kv(em: _Emitter, x4: _V) -> _V:
    """[B, nkv, S, hd] -> [B·heads, S, hd] (each kv head serves heads/nkv
    consecutive query heads)."""
    cfg = em.cfg
    B, nkv, S, hd = x4.shape
    rep = cfg.heads // nkv
    if rep == 1:
        return em.collapse(x4, [[0, 1], [2], [3]])
    b = em.generic([(x4, "d0, d1, d3, d4")], (B, nkv, rep, S, hd),
                   "d0, d1, d2, d3, d4", ["parallel"] * 5, ["%a0"])
    return em.collapse(b, [[0, 1, 2], [3], [4]])


def _sum_kv(em: _Emitter, d3: _V) -> _V:
    """Backward of _repeat_kv: [B·heads, S, hd] -> [B, nkv, S, hd]."""
    cfg = em.cfg
    B, nkv, S, hd = cfg.batch, cfg.n_kv, cfg.seq, cfg.head_dim
    rep = cfg.heads // nkv
    if rep == 1:
        return em.expand(d3, [[0, 1], [2], [3]], (B, nkv, S, hd))
    d5 = em.expand(d3, [[0, 1, 2], [3], [4]], (B, nkv, rep, S, hd))
    return em.generic([(d5, "d0, d1, d4, d2, d3")], (B, nkv, S, hd),
                      "d0, d1, d2, d3",
                      ["parallel"] * 4 + ["reduction"],
                      ["%s = arith.addf %out, %a0 : $E", "%s"],
                      init=em.zeros((B, nkv, S, hd)))


def _attention_fwd(em: _Emitter, q2: _V, k2: _V, v2: _V):
    cfg = em.cfg
    B, S, nh, hd = cfg.batch, cfg.seq, cfg.heads, cfg.head_dim
    q = em.collapse(_to_heads(em, q2, nh), [[0, 1], [2], [3]])
    k = _repeat_kv(em, _to_heads(em, k2, cfg.n_kv))
    v = _repeat_kv(em, _to_heads(em, v2, cfg.n_kv))
    s = em.bmm(q, em.transpose(k, (0, 2, 1)))  # [B·nh, S, S]
    scale, neg = em.const(hd ** -0.5), em.const(-1.0e30)
    masked = em.generic(
        [(s, "d0, d1, d2")], s.shape, "d0, d1, d2", ["parallel"] * 3,
        ["%i = linalg.index 1 : index", "%j = linalg.index 2 : index",
         "%future = arith.cmpi ugt, %j, %i : index",
         f"%sc = arith.mulf %a0, {scale} : $E",
         f"%m = arith.select %future, {neg}, %sc : $E", "%m"])
    BH = B * nh
    mx = em.generic([(masked, "d0, d1, d2")], (BH, S), "d0, d1",
                    ["parallel", "parallel", "reduction"],
                    ["%m = arith.maximumf %out, %a0 : $E", "%m"],
                    init=em.zeros((BH, S), -1.0e30))
    ex = em.generic([(masked, "d0, d1, d2"), (mx, "d0, d1")], s.shape,
                    "d0, d1, d2", ["parallel"] * 3,
                    ["%d = arith.subf %a0, %a1 : $E", "%e = math.exp %d : $E",
                     "%e"])
    den = em.generic([(ex, "d0, d1, d2")], (BH, S), "d0, d1",
                     ["parallel", "parallel", "reduction"],
                     ["%s = arith.addf %out, %a0 : $E", "%s"],
                     init=em.zeros((BH, S)))
    p = em.generic([(ex, "d0, d1, d2"), (den, "d0, d1")], s.shape,
                   "d0, d1, d2", ["parallel"] * 3,
                   ["%p = arith.divf %a0, %a1 : $E", "%p"])
    o = em.bmm(p, v)  # [B·nh, S, hd]
    o2 = _from_heads(em, em.expand(o, [[0, 1], [2], [3]], (B, nh, S, hd)))
    return o2, (q, k, v, p)


def _attention_bwd(em: _Emitter, do2: _V, saved):
    cfg = em.cfg
    B, S, nh, hd = cfg.batch, cfg.seq, cfg.heads, cfg.head_dim
    q, k, v, p = saved
    do = em.collapse(_to_heads(em, do2, nh), [[0, 1], [2], [3]])
    dp = em.bmm(do, em.transpose(v, (0, 2, 1)))           # dO·Vᵀ
    dv = em.bmm(em.transpose(p, (0, 2, 1)), do)           # Pᵀ·dO
    BH = B * nh
    rs = em.generic([(dp, "d0, d1, d2"), (p, "d0, d1, d2")], (BH, S),
                    "d0, d1", ["parallel", "parallel", "reduction"],
                    ["%m = arith.mulf %a0, %a1 : $E",
                     "%s = arith.addf %out, %m : $E", "%s"],
                    init=em.zeros((BH, S)))
    scale = em.const(hd ** -0.5)
    ds = em.generic([(dp, "d0, d1, d2"), (p, "d0, d1, d2"), (rs, "d0, d1")],
                    p.shape, "d0, d1, d2", ["parallel"] * 3,
                    ["%d = arith.subf %a0, %a2 : $E",
                     "%m = arith.mulf %a1, %d : $E",
                     f"%s = arith.mulf %m, {scale} : $E", "%s"])
    dq = em.bmm(ds, k)                                     # dS·K
    dk = em.bmm(em.transpose(ds, (0, 2, 1)), q)            # dSᵀ·Q
    dq2 = _from_heads(em, em.expand(dq, [[0, 1], [2], [3]], (B, nh, S, hd)))
    dk2 = _from_heads(em, _sum_kv(em, dk))
    dv2 = _from_heads(em, _sum_kv(em, dv))
    return dq2, dk2, dv2


def _silu_mul(em: _Emitter, gate: _V, up: _V) -> _V:
    one = em.const(1.0)
    return em.generic([(gate, "d0, d1"), (up, "d0, d1")], gate.shape,
                      "d0, d1", ["parallel"] * 2,
                      ["%n = arith.negf %a0 : $E", "%e = math.exp %n : $E",
                       f"%d = arith.addf %e, {one} : $E",
                       "%s = arith.divf %a0, %d : $E",
                       "%y = arith.mulf %s, %a1 : $E", "%y"])


def _silu_mul_bwd(em: _Emitter, dact: _V, gate: _V, up: _V):
    one = em.const(1.0)
    sig = ["%n = arith.negf %a1 : $E", "%e = math.exp %n : $E",
           f"%d = arith.addf %e, {one} : $E",
           f"%sg = arith.divf {one}, %d : $E"]
    dup = em.generic([(dact, "d0, d1"), (gate, "d0, d1")], gate.shape,
                     "d0, d1", ["parallel"] * 2,
                     sig + ["%s = arith.mulf %a1, %sg : $E",
                            "%r = arith.mulf %a0, %s : $E", "%r"])
    # d silu(g)/dg = σ(g)·(1 + g·(1 − σ(g)))
    dgate = em.generic([(dact, "d0, d1"), (gate, "d0, d1"), (up, "d0, d1")],
                       gate.shape, "d0, d1", ["parallel"] * 2,
                       sig + [f"%om = arith.subf {one}, %sg : $E",
                              "%gm = arith.mulf %a1, %om : $E",
                              f"%q = arith.addf %gm, {one} : $E",
                              "%ds = arith.mulf %sg, %q : $E",
                              "%u = arith.mulf %a0, %a2 : $E",
                              "%r = arith.mulf %u, %ds : $E", "%r"])
    return dgate, dup


def generate(cfg: LlamaConfig = LlamaConfig(), mode: str = "fused",
             form: str = "transpose", abi: str = "tensor",
             annotate: bool = True) -> str:
    """The MLIR text of one training step (see the module docstring)."""
    cfg.check()
    if mode not in ("fused", "split"):
        raise ValueError(f"mode must be fused or split, got {mode!r}")
    if form not in ("transpose", "generic"):
        raise ValueError(f"form must be transpose or generic, got {form!r}")
    if abi not in ("tensor", "memref"):
        raise ValueError(f"abi must be tensor or memref, got {abi!r}")
    if abi == "memref" and mode != "fused":
        raise ValueError("abi='memref' is offered for mode='fused' only")
    em = _Emitter(cfg, form)
    B, S, H, V = cfg.batch, cfg.seq, cfg.hidden, cfg.vocab
    T = B * S

    def arg(name, shape, attrs):
        v = _V(em, "%" + name.replace(".", "_"), shape, "arg")
        return v, attrs

    x_in, x_attrs = arg("x", (B, S, H), "metis.role = #metis.role<activation>")
    x_in.phase = "fwd"  # the split backward takes it as a saved activation
    params, p_attrs = {}, {}
    for name, shape in param_specs(cfg):
        attrs = ["metis.role = #metis.role<weight>"]
        if len(shape) == 2 and name[1].isdigit():
            attrs.append(f"metis.layer = {name[1:name.index('.')]} : i64")
        if name == "lm_head":
            attrs.append("metis.lm_head")
        params[name], p_attrs[name] = arg(name, shape, ", ".join(attrs))
    dlogits, dl_attrs = arg("dlogits", (B, S, V),
                            "metis.role = #metis.role<gradient>")

    # ---- forward ----
    h = x_in
    fwd_saved = []
    for i in range(cfg.layers):
        P = lambda n: params[f"l{i}.{n}"]  # noqa: E731
        xn, r1 = _rmsnorm_fwd(em, h, P("attn_norm"))
        xn2 = em.collapse(xn, [[0, 1], [2]])
        q, k, v = (em.fprop(xn2, P(w)) for w in ("wq", "wk", "wv"))
        o2, att = _attention_fwd(em, q, k, v)
        a = em.fprop(o2, P("wo"))
        h1 = em.add(h, em.expand(a, [[0, 1], [2]], (B, S, H)))
        yn, r2 = _rmsnorm_fwd(em, h1, P("ffn_norm"))
        yn2 = em.collapse(yn, [[0, 1], [2]])
        gate, up = em.fprop(yn2, P("w_gate")), em.fprop(yn2, P("w_up"))
        act = _silu_mul(em, gate, up)
        d = em.fprop(act, P("w_down"))
        h2 = em.add(h1, em.expand(d, [[0, 1], [2]], (B, S, H)))
        fwd_saved.append((h, r1, xn2, att, o2, h1, r2, yn2, gate, up, act))
        h = h2
    hn, rf = _rmsnorm_fwd(em, h, params["final_norm"])
    hn2 = em.collapse(hn, [[0, 1], [2]])
    logits2 = em.fprop(hn2, params["lm_head"])
    logits = em.expand(logits2, [[0, 1], [2]], (B, S, V))

    # ---- backward ----
    em.phase = "bwd"
    grads: Dict[str, _V] = {}
    dl2 = em.collapse(dlogits, [[0, 1], [2]])
    dhn2 = em.dgrad(dl2, params["lm_head"])
    grads["lm_head"] = em.wgrad(dl2, hn2)
    dh, grads["final_norm"] = _rmsnorm_bwd(
        em, em.expand(dhn2, [[0, 1], [2]], (B, S, H)), h, rf,
        params["final_norm"])
    for i in reversed(range(cfg.layers)):
        P = lambda n: params[f"l{i}.{n}"]  # noqa: E731
        (hin, r1, xn2, att, o2, h1, r2, yn2, gate, up, act) = fwd_saved[i]
        # FFN block: h2 = h1 + down(silu(gate)·up)
        dd = em.collapse(dh, [[0, 1], [2]])
        dact = em.dgrad(dd, P("w_down"))
        grads[f"l{i}.w_down"] = em.wgrad(dd, act)
        dgate, dup = _silu_mul_bwd(em, dact, gate, up)
        dyn2 = em.add(em.dgrad(dgate, P("w_gate")), em.dgrad(dup, P("w_up")))
        grads[f"l{i}.w_gate"] = em.wgrad(dgate, yn2)
        grads[f"l{i}.w_up"] = em.wgrad(dup, yn2)
        dh1n, grads[f"l{i}.ffn_norm"] = _rmsnorm_bwd(
            em, em.expand(dyn2, [[0, 1], [2]], (B, S, H)), h1, r2,
            P("ffn_norm"))
        dh1 = em.add(dh, dh1n)
        # attention block: h1 = h + o(attn(q, k, v))
        da = em.collapse(dh1, [[0, 1], [2]])
        do2 = em.dgrad(da, P("wo"))
        grads[f"l{i}.wo"] = em.wgrad(da, o2)
        dq, dk, dv = _attention_bwd(em, do2, att)
        dxn2 = em.add(em.add(em.dgrad(dq, P("wq")), em.dgrad(dk, P("wk"))),
                      em.dgrad(dv, P("wv")))
        for w, g in (("wq", dq), ("wk", dk), ("wv", dv)):
            grads[f"l{i}.{w}"] = em.wgrad(g, xn2)
        dhn, grads[f"l{i}.attn_norm"] = _rmsnorm_bwd(
            em, em.expand(dxn2, [[0, 1], [2]], (B, S, H)), hin, r1,
            P("attn_norm"))
        dh = em.add(dh1, dhn)
    dx = dh

    grad_list = [grads[n] for n, _ in param_specs(cfg)]
    p_args = [(params[n], p_attrs[n]) for n, _ in param_specs(cfg)]
    attr = (lambda a: f" {{{a}}}") if annotate else (lambda a: "")

    def sig(args):
        return ", ".join(f"{v.name}: {v.type}{attr(a)}" for v, a in args)

    def ret(vals):
        return ("    return " + ", ".join(v.name for v in vals) + " : " +
                ", ".join(v.type for v in vals))

    outs = [logits, dx] + grad_list
    if mode == "fused" and abi == "tensor":
        return "\n".join(
            [f"func.func @train_step({sig([(x_in, x_attrs)] + p_args + [(dlogits, dl_attrs)])})"
             f" -> ({', '.join(v.type for v in outs)}) {{"]
            + em.lines["fwd"] + em.lines["bwd"] + [ret(outs), "}", ""])
    if mode == "fused":  # memref ABI: destination-passing style
        ins = [(x_in, x_attrs)] + p_args + [(dlogits, dl_attrs)]

        def mty(v):
            return "memref" + v.type[len("tensor"):]
        head = ", ".join(
            [f"{v.name}_m: {mty(v)}{attr(a)}" for v, a in ins] +
            [f"%out{j}: {mty(v)}" for j, v in enumerate(outs)])
        body = [f"    {v.name} = bufferization.to_tensor {v.name}_m restrict"
                f" : {mty(v)} to {v.type}" for v, _ in ins]
        store = [f"    bufferization.materialize_in_destination {v.name} in "
                 f"restrict writable %out{j} : ({v.type}, {mty(v)}) -> ()"
                 for j, v in enumerate(outs)]
        return "\n".join(
            [f"func.func @train_step({head}) attributes "
             f"{{llvm.emit_c_interface}} {{"] + body + em.lines["fwd"] +
            em.lines["bwd"] + store + ["    return", "}", ""])
    # split: forward returns the logits and what the backward uses.
    saved = [v for v in em.saved.values()]
    fwd_args = [(x_in, x_attrs)] + p_args
    saved_attrs = "metis.role = #metis.role<activation>"
    bwd_args = ([(v, saved_attrs) for v in saved] + p_args +
                [(dlogits, dl_attrs)])
    fouts = [logits] + saved
    bouts = [dx] + grad_list
    return "\n".join(
        [f"func.func @forward({sig(fwd_args)}) -> "
         f"({', '.join(v.type for v in fouts)}) {{"] + em.lines["fwd"] +
        [ret(fouts), "}", "",
         f"func.func @backward({sig(bwd_args)}) -> "
         f"({', '.join(v.type for v in bouts)}) {{"] + em.lines["bwd"] +
        [ret(bouts), "}", ""])


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(
        prog="python3 -m metis.llama_graph",
        description="Emit a LLaMA-style decoder training step (forward + "
                    "backward) as MLIR linalg on tensors.")
    d = LlamaConfig()
    p.add_argument("--layers", type=int, default=d.layers)
    p.add_argument("--hidden", type=int, default=d.hidden)
    p.add_argument("--ffn", type=int, default=d.ffn)
    p.add_argument("--vocab", type=int, default=d.vocab)
    p.add_argument("--heads", type=int, default=d.heads)
    p.add_argument("--kv-heads", type=int, default=None)
    p.add_argument("--batch", type=int, default=d.batch)
    p.add_argument("--seq", type=int, default=d.seq)
    p.add_argument("--dtype", choices=("f32", "bf16"), default=d.dtype)
    p.add_argument("--llama3-8b", action="store_true",
                   help="LLaMA-3-8B shapes (32 layers, hidden 4096, FFN "
                        "14336, vocab 128256, 32/8 heads, 1x2048 tokens); "
                        "--layers, --batch, --seq and --dtype still apply "
                        "when given")
    p.add_argument("--mode", choices=("fused", "split"), default="fused")
    p.add_argument("--form", choices=("transpose", "generic"),
                   default="transpose")
    p.add_argument("--abi", choices=("tensor", "memref"), default="tensor")
    p.add_argument("--no-annotate", action="store_true",
                   help="omit the metis.role/metis.layer/metis.lm_head "
                        "argument attributes")
    p.add_argument("-o", "--output", default="-")
    a = p.parse_args(argv)
    if a.llama3_8b:
        cfg = LlamaConfig(
            layers=a.layers if "--layers" in (argv or sys.argv) else 32,
            hidden=4096, ffn=14336, vocab=128256, heads=32, kv_heads=8,
            batch=a.batch if "--batch" in (argv or sys.argv) else 1,
            seq=a.seq if "--seq" in (argv or sys.argv) else 2048,
            dtype=a.dtype)
    else:
        cfg = LlamaConfig(layers=a.layers, hidden=a.hidden, ffn=a.ffn,
                          vocab=a.vocab, heads=a.heads, kv_heads=a.kv_heads,
                          batch=a.batch, seq=a.seq, dtype=a.dtype)
    text = generate(cfg, mode=a.mode, form=a.form, abi=a.abi,
                    annotate=not a.no_annotate)
    if a.output == "-":
        sys.stdout.write(text)
    else:
        with open(a.output, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
