"""metis.nn under torch DistributedDataParallel (gloo, 2 processes on
loopback) against one process on the same global batch.

* RNE policies whose quantization does not depend on the batch split (fp32;
  mxfp4 with RNE everywhere: per-block power-of-two scales, blocks of 32
  tokens aligned with the rank shards) equal the single process on the
  whole batch to fp32 tolerance.
* With stochastic rounding (the nvfp4 preset) each rank draws with its own
  seed stream (stream = rank, see metis.nn): DDP equals one process that
  accumulates the two shards' gradients with ``set_seed_state(step=s,
  stream=r)`` for shard r, and differs from it when the streams are not
  per-rank. (NVFP4's per-tensor FP32 scale is the amax of the rank's own
  tensor, so per-rank quantization is that of the shards, not of the
  whole batch: docs/Training.md.)
"""

import os
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

import metis.nn as mnn

from testutil import compiled_module

pytestmark = compiled_module

STEPS = 3
WORLD = 2
TOKENS = 64          # global batch; 32 per rank
LR = 0.5


def _policies():
    return {
        "fp32": mnn.resolve_policy("fp32"),
        "mxfp4-rne": mnn.resolve_policy("nvfp4", format="mxfp4",
                                        grad_rounding="rne"),
        "nvfp4": mnn.resolve_policy("nvfp4"),
    }


def _model(policy):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU(),
                              torch.nn.Linear(64, 32))
    return mnn.convert(net, policy)


def _data():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(STEPS, TOKENS, 32, generator=g)
    t = torch.tanh(x @ torch.randn(32, 32, generator=g))
    return x, t


def _single(policy, shards, streams=None):
    """One process; each step accumulates `shards` micro-batches (shard r
    with seed stream streams[r])."""
    streams = list(range(shards)) if streams is None else streams
    net = _model(policy)
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    x, t = _data()
    for s in range(STEPS):
        opt.zero_grad()
        for r, (xr, tr) in enumerate(zip(x[s].chunk(shards),
                                         t[s].chunk(shards))):
            mnn.set_seed_state(net, step=s, stream=streams[r])
            (torch.nn.functional.mse_loss(net(xr), tr) / shards).backward()
        opt.step()
    return [p.detach().clone() for p in net.parameters()]


def _worker(rank, port, out):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=WORLD)
    try:
        x, t = _data()
        for name, policy in _policies().items():
            net = _model(policy)
            ddp = torch.nn.parallel.DistributedDataParallel(net)
            opt = torch.optim.SGD(ddp.parameters(), lr=LR)
            assert mnn.metis_linears(net)[0].current_stream() == rank
            for s in range(STEPS):
                opt.zero_grad()
                xr, tr = x[s].chunk(WORLD)[rank], t[s].chunk(WORLD)[rank]
                torch.nn.functional.mse_loss(ddp(xr), tr).backward()
                opt.step()
            if rank == 0:
                torch.save([p.detach().clone() for p in net.parameters()],
                           os.path.join(out, f"{name}.pt"))
    finally:
        dist.destroy_process_group()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ddp_results(tmp_path_factory):
    pol = _policies()
    # The single-process runs compile every module the ranks need (32-token
    # shards) into the shared disk cache first.
    single = {"nvfp4-shards": _single(pol["nvfp4"], WORLD),
              "nvfp4-same-stream": _single(pol["nvfp4"], WORLD, [0, 0]),
              "fp32": _single(pol["fp32"], 1),
              "mxfp4-rne": _single(pol["mxfp4-rne"], 1),
              "mxfp4-rne-shards": _single(pol["mxfp4-rne"], WORLD)}
    out = str(tmp_path_factory.mktemp("ddp"))
    mp.spawn(_worker, args=(_free_port(), out), nprocs=WORLD, join=True)
    ddp = {name: torch.load(os.path.join(out, f"{name}.pt"))
           for name in pol}
    return single, ddp


def _assert_equal_params(a, b, rtol=1e-5, atol=1e-6):
    for pa, pb in zip(a, b):
        torch.testing.assert_close(pa, pb, rtol=rtol, atol=atol)


def _max_diff(a, b):
    return max(float((pa - pb).abs().max()) for pa, pb in zip(a, b))


def test_ddp_fp32_equals_single_process(ddp_results):
    single, ddp = ddp_results
    _assert_equal_params(ddp["fp32"], single["fp32"])


def test_ddp_rne_mxfp4_equals_single_process(ddp_results):
    single, ddp = ddp_results
    _assert_equal_params(ddp["mxfp4-rne"], single["mxfp4-rne"])
    # ... and the split itself changes nothing (per-block pow2 scales).
    _assert_equal_params(single["mxfp4-rne-shards"], single["mxfp4-rne"])
    # The run is not trivially FP32: the quantized weights moved differently.
    assert _max_diff(ddp["mxfp4-rne"], ddp["fp32"]) > 1e-4


def test_ddp_stochastic_rounding_per_rank_seed_streams(ddp_results):
    single, ddp = ddp_results
    _assert_equal_params(ddp["nvfp4"], single["nvfp4-shards"])
    # Without per-rank streams the draws (and so the weights) differ.
    assert _max_diff(ddp["nvfp4"], single["nvfp4-same-stream"]) > 1e-5
