"""metis.nn: the autograd Linear against torch (fp32) and against an
independent numpy fake-quant model of each GEMM (metis.reference), convert,
seeds, errors, the dual-range regularizer and a short training run."""

import numpy as np
import pytest
import torch

from metis import api, reference
import metis.nn as mnn

from testutil import compiled_module

F32 = np.float32


def _layer_and_grads(policy, in_f=64, out_f=48, lead=(2, 16), seed=0,
                     bias=True, steps=1):
    """A metis Linear, its input and a fixed upstream gradient R (L = Σ y·R,
    so G = R exactly); runs `steps` forward/backward passes and returns
    (layer, x, R, y, dx, dW, db) of the last."""
    torch.manual_seed(seed)
    ref = torch.nn.Linear(in_f, out_f, bias=bias)
    layer = mnn.Linear.from_linear(ref, policy, layer_index=3)
    for _ in range(steps):
        x = torch.randn(*lead, in_f, requires_grad=True)
        r = torch.randn(*lead, out_f)
        layer.zero_grad(set_to_none=True)
        y = layer(x)
        (y * r).sum().backward()
    return (layer, x, r, y.detach(), x.grad, layer.weight.grad,
            None if layer.bias is None else layer.bias.grad)


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


# ---------------------------------------------------------------------------
# fp32: the same autograd function with FP32 GEMMs equals torch.nn.Linear
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False])
def test_fp32_matches_torch_linear(bias):
    torch.manual_seed(1)
    ref = torch.nn.Linear(40, 24, bias=bias)   # fp32 has no block constraint
    layer = mnn.Linear.from_linear(ref, "fp32")
    x = torch.randn(3, 7, 40)
    xr, xm = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    r = torch.randn(3, 7, 24)
    (torch.nn.functional.linear(xr, ref.weight, ref.bias) * r).sum().backward()
    gw_ref = ref.weight.grad.clone()
    gb_ref = None if ref.bias is None else ref.bias.grad.clone()
    ref.zero_grad(set_to_none=True)
    y = layer(xm)
    (y * r).sum().backward()
    assert y.shape == (3, 7, 24) and y.dtype == torch.float32
    torch.testing.assert_close(y, torch.nn.functional.linear(x, ref.weight,
                                                             ref.bias),
                               rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(xm.grad, xr.grad, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(layer.weight.grad, gw_ref, rtol=1e-5, atol=1e-5)
    if bias:
        torch.testing.assert_close(layer.bias.grad, gb_ref, rtol=1e-5,
                                   atol=1e-5)


def test_fp32_gradcheck():
    """The custom backward is the true gradient (float32 finite differences
    are too coarse: the check runs the fp32 GEMMs in double via numpy)."""
    layer = mnn.Linear(16, 8, policy="fp32")
    x = torch.randn(4, 16, requires_grad=True)
    y = layer(x)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(),
                               g.numpy() @ layer.weight.detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.weight.grad.numpy(),
                               g.numpy().T @ x.detach().numpy(),
                               rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------------------
# Quantized presets against the numpy oracle (metis.reference)
# ---------------------------------------------------------------------------


def _deq(x, axis, rounding="rne", seed=0, block=None):
    q = reference.quantize(np.ascontiguousarray(x, F32), "nvfp4", axis=axis,
                           block=block, rounding=rounding, seed=seed)
    return reference.dequantize(q).astype(np.float64)


def _rht(a):
    """Numpy RHT of the rows of a (blocks of 16 along the last axis)."""
    h = np.array([[1.0]])
    for _ in range(4):
        h = np.block([[h, h], [h, -h]])
    h = np.diag(mnn.HADAMARD_SIGNS) @ h / 4
    m, k = a.shape
    return (a.reshape(m, k // 16, 16).astype(np.float64) @ h).reshape(m, k)


@pytest.mark.usefixtures("cache_dir")
@compiled_module[0]
@pytest.mark.parametrize("preset", ["nvfp4", "nvidia-recipe"])
def test_quantized_preset_matches_numpy_oracle(preset):
    steps = 2  # the second step checks that the seeds advance
    layer, x, r, y, dx, dw, db = _layer_and_grads(preset, steps=steps)
    tiles = (16, 16) if preset == "nvidia-recipe" else None
    X = x.detach().numpy().reshape(-1, 64)
    W = layer.weight.detach().numpy()
    G = r.numpy().reshape(-1, 48)
    step = steps - 1
    sd = api.spectral_seed(layer.gemm_seed("dgrad", step), "a")
    sw = api.spectral_seed(layer.gemm_seed("wgrad", step), "a")
    assert layer.step == steps
    # Fprop: Y = Q(X) Q(W)ᵀ + b, both along `in` (W in 16x16 tiles).
    want_y = _deq(X, 1) @ _deq(W, 1, block=tiles).T + layer.bias.detach().numpy()
    # Dgrad: dX = Q_sr(G) Q(Wᵀ)ᵀ along `out` (the same tiles, transposed).
    want_dx = _deq(G, 1, "stochastic", sd) @ _deq(W.T, 1, block=tiles).T
    # Wgrad: dW = Q_sr(Gᵀ) Q(Xᵀ)ᵀ along the tokens (after the RHT).
    gt, xt = G.T, X.T
    if preset == "nvidia-recipe":
        gt, xt = _rht(gt).astype(F32), _rht(xt).astype(F32)
    want_dw = _deq(gt, 1, "stochastic", sw) @ _deq(xt, 1).T
    assert rel(y.numpy().reshape(-1, 48), want_y) < 1e-5
    assert rel(dx.numpy().reshape(-1, 64), want_dx) < 1e-5
    assert rel(dw.numpy(), want_dw) < 1e-5
    np.testing.assert_allclose(db.numpy(), G.sum(0), rtol=1e-5, atol=1e-5)
    # The previous step's seed gives a different draw (the seed advances).
    old = api.spectral_seed(layer.gemm_seed("dgrad", step - 1), "a")
    assert rel(_deq(G, 1, "stochastic", old) @ _deq(W.T, 1, block=tiles).T,
               want_dx) > 1e-3


@pytest.mark.usefixtures("cache_dir")
@compiled_module[0]
def test_metis_preset_gradients_close_and_deterministic():
    """The Metis split (compiled; checked against its numpy model in
    test_spectral_matmul.py) gives gradients near FP32 and the same bits for
    the same seed state."""
    kw = dict(in_f=32, out_f=32, lead=(32,), bias=False)
    p = mnn.resolve_policy("metis", rank=4)
    _, x, r, y, dx, dw, _ = _layer_and_grads(p, **kw)
    _, x2, r2, y2, dx2, dw2, _ = _layer_and_grads(p, **kw)
    assert torch.equal(dx, dx2) and torch.equal(dw, dw2)
    _, _, _, yf, dxf, dwf, _ = _layer_and_grads("fp32", **kw)
    for a, b in ((y, yf), (dx, dxf), (dw, dwf)):
        assert 1e-4 < rel(a, b) < 0.3


def test_warm_start_threads_the_subspaces():
    """warm_start: every split of every GEMM starts from the subspace the
    previous training step's split returned. Checked by recomputing step 1's
    GEMMs with metis.nn.gemm from the subspaces saved after step 0: the
    same bits; and the subspaces move, while evaluation leaves them."""
    p = mnn.resolve_policy("metis", rank=4, power_iters=1, warm_start=True)
    torch.manual_seed(0)
    layer = mnn.Linear(32, 48, bias=False, policy=p)
    xs = [torch.randn(32, 32, requires_grad=True) for _ in range(2)]
    rs = [torch.randn(32, 48) for _ in range(2)]
    saved = []
    for x, r in zip(xs, rs):
        saved.append(dict(layer.subspaces))
        layer.zero_grad(set_to_none=True)
        y = layer(x)
        (y * r).sum().backward()
    # metis splits W (Fprop's and Dgrad's b) and G (Dgrad's and Wgrad's a).
    assert sorted(saved[1]) == [("dgrad", "a"), ("dgrad", "b"),
                                ("fprop", "b"), ("wgrad", "a")]
    assert saved[1][("fprop", "b")].shape == (32, 8)   # K = in, l = 4 + 4
    assert saved[1][("wgrad", "a")].shape == (32, 8)   # K = tokens
    w = layer.weight.detach().numpy()
    x1, g1 = xs[1].detach().numpy(), rs[1].numpy()
    ops = {"fprop": (x1, w), "dgrad": (g1, np.ascontiguousarray(w.T)),
           "wgrad": (np.ascontiguousarray(g1.T), np.ascontiguousarray(x1.T))}
    got = {"fprop": y.detach().numpy(), "dgrad": xs[1].grad.numpy(),
           "wgrad": layer.weight.grad.numpy()}
    for name, (a, b) in ops.items():
        warm = {side: saved[1][(name, side)]
                for side in mnn.split_sides(p, name)}
        c, nxt = mnn.gemm(a, b, p, name, seed=layer.gemm_seed(name, 1),
                          warm_start=warm)
        np.testing.assert_array_equal(c, got[name])
        for side, v in nxt.items():
            np.testing.assert_array_equal(v, layer.subspaces[(name, side)])
            assert not np.array_equal(v, saved[1][(name, side)])
    before = {k: v.copy() for k, v in layer.subspaces.items()}
    layer.eval()
    with torch.no_grad():
        layer(xs[0])
    assert all(np.array_equal(before[k], v)
               for k, v in layer.subspaces.items())
    layer.reset_subspaces()
    assert not layer.subspaces


def test_warm_start_policy_validation():
    with pytest.raises(ValueError, match="warm_start needs power_iters >= 1"):
        mnn.resolve_policy("metis", warm_start=True, power_iters=0)
    with pytest.raises(ValueError, match="warm_start needs a split operand"):
        mnn.resolve_policy("nvfp4", warm_start=True)
    p = mnn.resolve_policy("metis", rank=4, warm_start=True)
    a = np.ones((32, 32), F32)
    with pytest.raises(ValueError, match="operand 'b', which is not split"):
        mnn.gemm(a, a, p, "wgrad", warm_start={"b": np.zeros((32, 8), F32)})
    with pytest.raises(ValueError, match=r"must have shape \(K, l\)"):
        mnn.gemm(a, a, p, "fprop", warm_start={"b": np.zeros((16, 8), F32)})


# ---------------------------------------------------------------------------
# convert, policies, seeds
# ---------------------------------------------------------------------------


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(32, 64)
        self.b = torch.nn.Linear(64, 64)
        self.c = torch.nn.Linear(64, 32)
        self.odd = torch.nn.Linear(32, 20)
        self.lm_head = torch.nn.Linear(32, 32)

    def forward(self, x):
        h = torch.relu(self.a(x))
        h = torch.relu(self.b(h))
        return self.lm_head(self.c(h))


def test_convert_policy_and_sharing():
    net = Net()
    w = net.a.weight
    mnn.convert(net, "nvidia-recipe", skip_incompatible=True)
    assert isinstance(net.a, mnn.Linear) and net.a.weight is w
    assert isinstance(net.b, mnn.Linear)
    assert type(net.c) is torch.nn.Linear        # last 15 % (1 of 3) kept
    assert type(net.odd) is torch.nn.Linear      # 20 is not a multiple of 16
    assert type(net.lm_head) is torch.nn.Linear  # head skipped by default
    assert [m.layer_index for m in mnn.metis_linears(net)] == [0, 1]
    net2 = mnn.convert(Net(), "nvfp4", keep={"a"}, skip=(),
                       skip_incompatible=True)
    assert type(net2.a) is torch.nn.Linear
    assert isinstance(net2.lm_head, mnn.Linear)
    with pytest.raises(ValueError, match="multiple of the nvfp4 block size"):
        mnn.convert(Net(), "nvfp4")


def test_policy_validation():
    with pytest.raises(ValueError, match="unknown preset"):
        mnn.resolve_policy("fp8")
    with pytest.raises(TypeError, match="unknown Policy fields"):
        mnn.resolve_policy("metis", rnak=4)
    with pytest.raises(ValueError, match="factor_format"):
        mnn.resolve_policy("metis", factor_format="fp8")
    with pytest.raises(ValueError, match="tiles need nvfp4"):
        mnn.resolve_policy("nvidia-recipe", format="mxfp4")
    with pytest.raises(ValueError, match="rank"):
        mnn.resolve_policy("metis", rank=0)
    assert mnn.resolve_policy("metis").residual == "compensated"
    assert mnn.resolve_policy("metis-reference").residual == "exact"


def test_seed_state_and_streams():
    layer = mnn.Linear(32, 32, policy="nvfp4")
    seeds = {layer.gemm_seed(g, s, r) for g in mnn.GEMMS for s in range(3)
             for r in range(2)}
    assert len(seeds) == 18 and all(0 <= s < 2 ** 63 for s in seeds)
    net = torch.nn.Sequential(layer)
    mnn.set_seed_state(net, step=7, stream=1)
    assert layer.step == 7 and layer.current_stream() == 1


def test_bad_inputs():
    with pytest.raises(ValueError, match="in_features = 40 is not a multiple"):
        mnn.Linear(40, 32, policy="nvfp4")
    with pytest.raises(ValueError, match="out_features = 48 is not a multiple "
                                         "of the mxfp4 block size 32"):
        mnn.Linear(64, 48, policy=mnn.resolve_policy("nvfp4", format="mxfp4"))
    with pytest.raises(TypeError, match="float32"):
        mnn.Linear(32, 32, policy="nvfp4", dtype=torch.float64)
    layer = mnn.Linear(32, 32, policy="nvfp4")
    with pytest.raises(TypeError, match="float32 input"):
        layer(torch.randn(16, 32, dtype=torch.float64))
    with pytest.raises(TypeError, match="torch.Tensor"):
        layer(np.zeros((16, 32), F32))
    with pytest.raises(ValueError, match=r"expected \(\.\.\., 32\)"):
        layer(torch.randn(16, 24))
    with pytest.raises(ValueError, match="10 tokens .* not a multiple"):
        layer(torch.randn(2, 5, 32))
    with pytest.raises(ValueError, match="unknown GEMM"):
        mnn.gemm(np.zeros((16, 16), F32), np.zeros((16, 16), F32), "nvfp4",
                 "bgrad")


@pytest.mark.usefixtures("cache_dir")
@compiled_module[0]
def test_split_rank_too_large_is_a_clear_error():
    layer = mnn.Linear(32, 32, policy=mnn.resolve_policy("metis", rank=32))
    with pytest.raises(ValueError, match="split rank 32 must be smaller"):
        layer(torch.randn(16, 32))


# ---------------------------------------------------------------------------
# Dual-range regularizer
# ---------------------------------------------------------------------------


def test_dual_range_penalty():
    net = mnn.convert(Net(), "fp32")
    assert float(mnn.dual_range_penalty(net)) == 0.0   # off by default
    ws = [m.weight.detach().numpy().astype(np.float64)
          for m in mnn.metis_linears(net)]
    want = 0.5 * sum(np.mean(2.0 * w ** 2 + 3.0 * (np.abs(w) + 1e-6) ** -2)
                     for w in ws)
    got = mnn.dual_range_penalty(net, lam=0.5, alpha1=2.0, alpha2=3.0)
    assert abs(float(got) - want) / want < 1e-5
    got.backward()   # differentiable
    assert net.a.weight.grad is not None
    # minimum at |p| = (alpha2/alpha1)^(1/4)
    p = torch.tensor([[0.5, 1.0, 2.0]])
    vals = [float(mnn.dual_range_penalty([p * s], lam=1.0)) for s in (1.0,)]
    assert vals[0] > float(mnn.dual_range_penalty([torch.ones(1, 3)], lam=1.0))


# ---------------------------------------------------------------------------
# A short training run
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("cache_dir")
@compiled_module[0]
def test_short_training_run_loss_decreases():
    """A 2-layer MLP regression in nvfp4 (SR gradients): the loss drops."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU(),
                              torch.nn.Linear(64, 32))
    mnn.convert(net, "nvfp4")
    assert all(isinstance(net[i], mnn.Linear) for i in (0, 2))
    teacher = torch.randn(32, 32) / 32 ** 0.5
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    gen = torch.Generator().manual_seed(0)
    losses = []
    for _ in range(40):
        x = torch.randn(64, 32, generator=gen)
        loss = torch.nn.functional.mse_loss(net(x), x @ teacher)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[-5:]) < 0.3 * np.mean(losses[:5])
    assert net[0].step == 40
