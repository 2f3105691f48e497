"""examples/train_tiny_llama.py end to end on a tiny configuration: the
model trains through metis.nn, and the outputs the README promises are
written (results.json with the documented keys, CSV, the two plots)."""

import importlib.util
import json
from pathlib import Path

import pytest

from testutil import compiled_module

pytestmark = compiled_module

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / \
    "train_tiny_llama.py"
FORTUNES = Path("/usr/share/games/fortunes")


def _load():
    spec = importlib.util.spec_from_file_location("train_tiny_llama", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_corpus_split_and_model_shapes():
    mod = _load()
    if not FORTUNES.is_dir():
        pytest.fail("the fortunes package is missing: run scripts/setup.sh")
    train, val = mod.load_corpus()
    assert len(train) > 8 * len(val) > 0
    data = mod.CharData(train[:5000], val[:1000])
    import torch
    gen = torch.Generator().manual_seed(0)
    x, y = data.batch("train", 2, 16, gen)
    assert x.shape == y.shape == (2, 16)
    assert torch.equal(x[:, 1:], y[:, :-1])
    model = mod.TinyLlama(data.vocab, 1, 32, 2, 32, 16)
    assert model(x).shape == (2, 16, data.vocab)


def test_demo_runs_and_writes_results(tmp_path):
    mod = _load()
    out = tmp_path / "out"
    mod.main(["--presets", "fp32,nvfp4", "--gemm-variants", "nvfp4",
              "--layers", "1", "--dim", "32", "--ffn", "32", "--heads", "2",
              "--ctx", "16", "--batch", "2", "--steps", "4",
              "--eval-every", "2", "--eval-batches", "1", "--seeds", "0,1",
              "--threads", "1", "--out", str(out)])
    res = json.loads((out / "results.json").read_text())
    for name in ("fp32", "nvfp4"):
        p = res["presets"][name]
        assert len(p["per_seed"]) == 2
        assert p["final_val_loss"] == pytest.approx(sum(p["per_seed"]) / 2)
        assert set(p["gemm_rel_error"]) == {"fprop", "dgrad", "wgrad"}
        assert p["tokens_per_s"] > 0
    assert res["presets"]["fp32"]["gap_to_fp32"] == 0.0
    e = res["presets"]["nvfp4"]["gemm_rel_error"]
    assert all(0.01 < v < 0.5 for v in e.values())
    for f in ("curves.csv", "loss_curves.png", "val_gap.png"):
        assert (out / f).stat().st_size > 0
