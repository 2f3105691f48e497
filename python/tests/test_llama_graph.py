"""The LLaMA training-graph generator (python/metis/llama_graph.py): option
checks, the CLI, and that every variant parses and verifies with metis-opt
and is classified by metis-spectralize as expected. (Its numerics are checked
against torch autograd in test_spectralize_e2e.py.)"""

import subprocess

import pytest

from metis import compiler
from metis.llama_graph import LLAMA3_8B, LlamaConfig, generate, main

from testutil import requires_metis_opt

SMALL = LlamaConfig(layers=1, hidden=32, ffn=64, vocab=128, heads=2,
                    kv_heads=1, batch=2, seq=16)


def metis_opt(text, *args):
    return subprocess.run(
        [str(compiler.build_dir() / "bin" / "metis-opt"), "-", *args],
        input=text, capture_output=True, text=True, check=True)


@pytest.mark.parametrize("kwargs,message", [
    ({"cfg": LlamaConfig(hidden=30, heads=4)}, "multiple of heads"),
    ({"cfg": LlamaConfig(heads=4, kv_heads=3)}, "multiple of kv_heads"),
    ({"cfg": LlamaConfig(dtype="f16")}, "dtype"),
    ({"cfg": LlamaConfig(layers=0)}, "layers"),
    ({"mode": "both"}, "mode"),
    ({"form": "named"}, "form"),
    ({"mode": "split", "abi": "memref"}, "fused"),
])
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate(**kwargs)


@requires_metis_opt
@pytest.mark.parametrize("mode", ["fused", "split"])
@pytest.mark.parametrize("form", ["transpose", "generic"])
@pytest.mark.parametrize("dtype", ["f32", "bf16"])
def test_variants_verify_and_classify(mode, form, dtype):
    cfg = LlamaConfig(**{**SMALL.__dict__, "dtype": dtype})
    text = generate(cfg, mode=mode, form=form)
    out = metis_opt(text, "--metis-spectralize").stdout
    # 7 linears x (Fprop, Dgrad, Wgrad); the lm head and attention stay.
    assert out.count("metis.spectral_matmul") == 21
    assert out.count("linalg.batch_matmul") == 6


@requires_metis_opt
def test_unannotated_fused_graph_uses_default_rules():
    out = metis_opt(generate(SMALL, annotate=False),
                    "--metis-spectralize").stdout
    assert out.count("metis.spectral_matmul") == 21


@requires_metis_opt
def test_cli_llama3_8b_shapes(tmp_path):
    path = tmp_path / "g.mlir"
    assert main(["--llama3-8b", "--layers", "1", "-o", str(path)]) == 0
    text = path.read_text()
    h, f, v = LLAMA3_8B.hidden, LLAMA3_8B.ffn, LLAMA3_8B.vocab
    assert f"tensor<{f}x{h}xf32>" in text          # gate/up
    assert f"tensor<{v}x{h}xf32>" in text          # lm head
    assert f"tensor<1024x{h}xf32>" in text          # k/v: 8 kv heads x 128
    assert f"tensor<32x2048x2048xf32>" in text      # attention scores
    out = metis_opt(text, "--metis-spectralize").stdout
    assert out.count("metis.spectral_matmul") == 21
