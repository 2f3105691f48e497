"""An independent model of the generated LLaMA training step
(python/metis/llama_graph.py), for the end-to-end tests of metis-spectralize.

The forward pass is written with torch ops and differentiated by torch
autograd (not by the generator's hand-written backward). Linear layers can be
replaced by :class:`QuantLinear`, whose three GEMMs quantize their operands
along each GEMM's reduction axis with the numpy quantizer
(:func:`metis.reference.quantize`, an independent implementation of
``metis.quantize``), which is what metis-spectralize asks of
``metis.spectral_matmul`` for the unsplit presets with RNE rounding.
"""

import numpy as np
import torch

from metis import reference
from metis.llama_graph import LlamaConfig, param_specs

#: TransformerEngine's sign vector of the 16-point random Hadamard transform.
RHT_SIGNS = np.array([1, 1, 1, -1, 1, -1, -1, -1, -1, -1, -1, 1, -1, 1, -1, -1],
                     dtype=np.float32)


def hadamard16() -> np.ndarray:
    """T = diag(signs)·H16/4 (orthogonal)."""
    i = np.arange(16)
    h = np.where(np.vectorize(lambda v: bin(v).count("1") % 2)(i[:, None] & i[None, :]),
                 -1.0, 1.0)
    return (RHT_SIGNS[:, None] * h / 4.0).astype(np.float32)


def rht(a: np.ndarray) -> np.ndarray:
    """a [R, K] times blockdiag(T, T, ...) along K."""
    r, k = a.shape
    return (a.reshape(r, k // 16, 16) @ hadamard16()).reshape(r, k)


def fake_quant(x: np.ndarray, tiles: bool = False) -> np.ndarray:
    """NVFP4 quantize-dequantize of a 2-D array along its last axis (RNE)."""
    q = reference.quantize(np.ascontiguousarray(x, dtype=np.float32), "nvfp4",
                           axis=1, block=(16, 16) if tiles else 16)
    return reference.dequantize(q).astype(np.float32)


def qgemm(a: np.ndarray, b: np.ndarray, tiles_b: bool = False) -> np.ndarray:
    """Q(a) · Q(b)ᵀ with a [M, K], b [N, K], f32 accumulation."""
    return fake_quant(a) @ fake_quant(b, tiles_b).T


class QuantLinear(torch.autograd.Function):
    """y = x·Wᵀ with NVFP4 (RNE) Fprop, Dgrad and Wgrad, each quantized
    along its own reduction axis from the unquantized tensors."""

    @staticmethod
    def forward(ctx, x, w, tiles, hadamard):
        ctx.save_for_backward(x, w)
        ctx.tiles, ctx.hadamard = tiles, hadamard
        return torch.from_numpy(qgemm(x.numpy(), w.numpy(), tiles))

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        G, X, W = g.numpy(), x.numpy(), w.numpy()
        dx = qgemm(G, W.T, ctx.tiles)            # K = out
        a, b = G.T, X.T                          # K = tokens
        if ctx.hadamard:
            a, b = rht(a), rht(b)
        dw = qgemm(a, b)
        return torch.from_numpy(dx), torch.from_numpy(dw), None, None


def inputs(cfg: LlamaConfig, seed: int = 0):
    """x, params (dict), dlogits, all float32."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((cfg.batch, cfg.seq, cfg.hidden)).astype(np.float32)
    params = {}
    for name, shape in param_specs(cfg):
        if len(shape) == 1:
            params[name] = (1 + 0.1 * rng.standard_normal(shape)).astype(np.float32)
        else:
            params[name] = (rng.standard_normal(shape)
                            / np.sqrt(shape[1])).astype(np.float32)
    dlogits = rng.standard_normal(
        (cfg.batch, cfg.seq, cfg.vocab)).astype(np.float32)
    return x, params, dlogits


def train_step(cfg: LlamaConfig, x, params, dlogits, quantized=(),
               tiles=False, hadamard=False):
    """Logits, dx and the parameter gradients of the model, with the linears
    named in ``quantized`` (e.g. "l0.wq") as :class:`QuantLinear`."""
    B, S, H = cfg.batch, cfg.seq, cfg.hidden
    nh, nkv, hd = cfg.heads, cfg.n_kv, cfg.head_dim
    P = {n: torch.tensor(v, requires_grad=True) for n, v in params.items()}
    xt = torch.tensor(x, requires_grad=True)

    def lin(a, name):
        if name in quantized:
            return QuantLinear.apply(a, P[name], tiles, hadamard)
        return a @ P[name].T

    def rms(h, g):
        r = torch.rsqrt((h * h).sum(-1, keepdim=True) * (1.0 / H) + cfg.eps)
        return h * r * g

    def heads(t, n):
        return t.reshape(B, S, n, hd).transpose(1, 2)

    mask = torch.triu(torch.ones(S, S, dtype=torch.bool), 1)
    h = xt
    for i in range(cfg.layers):
        p = f"l{i}."
        xn = rms(h, P[p + "attn_norm"]).reshape(B * S, H)
        q = heads(lin(xn, p + "wq"), nh)
        k = heads(lin(xn, p + "wk"), nkv).repeat_interleave(nh // nkv, 1)
        v = heads(lin(xn, p + "wv"), nkv).repeat_interleave(nh // nkv, 1)
        s = (q @ k.transpose(-1, -2)) * hd ** -0.5
        a = torch.softmax(s.masked_fill(mask, -1e30), -1) @ v
        a = a.transpose(1, 2).reshape(B * S, H)
        h = h + lin(a, p + "wo").reshape(B, S, H)
        yn = rms(h, P[p + "ffn_norm"]).reshape(B * S, H)
        act = torch.nn.functional.silu(lin(yn, p + "w_gate")) * lin(yn, p + "w_up")
        h = h + lin(act, p + "w_down").reshape(B, S, H)
    hn = rms(h, P["final_norm"]).reshape(B * S, H)
    logits = lin(hn, "lm_head").reshape(B, S, -1)
    (logits * torch.from_numpy(dlogits)).sum().backward()
    grads = {n: t.grad.numpy() for n, t in P.items()}
    return logits.detach().numpy(), xt.grad.numpy(), grads
