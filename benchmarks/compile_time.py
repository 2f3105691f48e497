#!/usr/bin/python3
"""Compile time of metis-spectralize on LLaMA-shaped training graphs, and the
gradient error of each preset on the tiny graph.

    /usr/bin/python3 benchmarks/compile_time.py [--layers 1,2,4,8,16,32]
        [--repeats 3] [--no-gradients] [--out DIR]

**Compile time.** For each layer count, python/metis/llama_graph.py writes
the LLaMA-3-8B-shaped fused forward+backward graph (hidden 4096, FFN 14336,
vocab 128256, 32/8 heads, 1x2048 tokens, f32, transpose form, without the
metis.* annotations so that stock mlir-opt parses it). Then, alternating
within each repeat (the machine may be shared; ratios of paired runs are
what to compare):

* ``mlir-opt-22 FILE -o /dev/null`` — stock parse + verify (+ printing
  nothing of note);
* ``metis-opt FILE --metis-spectralize --metis-expand-spectral -o
  /dev/null`` — parse, classification and rewrite (metis preset: 7 linears
  x 3 GEMMs per layer, all W and G split at rank 16), expansion into
  spectral_split / quantize / scaled_matmul, verification.

Both are whole-process wall times (min over repeats); ``--mlir-timing``
splits of the metis-opt run are reported for the largest graph.

**Gradient error** (skipped with --no-gradients; compiles 4 modules, minutes
on a loaded machine): the tiny graph (2 layers, hidden 64, FFN 128, vocab
256, 4/2 heads, 2x16 tokens) compiled with metis-train-cpu under preset
none (f32), metis, nvfp4 and nvidia-recipe (defaults: stochastic rounding on
gradients, seed 0) and run on fixed random inputs; the relative Frobenius
error ||dW - dW_f32|| / ||dW_f32|| of every weight gradient.

Writes DIR/compile_time.json and prints a Markdown summary; DIR defaults to
benchmarks/results/.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "python" / "tests"))

from metis import compiler  # noqa: E402
from metis.llama_graph import LLAMA3_8B, LlamaConfig, generate, param_specs  # noqa: E402

MLIR_OPT = "/usr/bin/mlir-opt-22"


def wall(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    return time.perf_counter() - t


def compile_times(layer_counts, repeats):
    metis_opt = str(compiler.build_dir() / "bin" / "metis-opt")
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for n in layer_counts:
            cfg = LlamaConfig(**{**LLAMA3_8B.__dict__, "layers": n})
            path = Path(d) / f"llama8b-{n}.mlir"
            path.write_text(generate(cfg, annotate=False))
            base, metis = [], []
            for _ in range(repeats):
                base.append(wall([MLIR_OPT, str(path), "-o", os.devnull]))
                metis.append(wall([metis_opt, str(path), "--metis-spectralize",
                                   "--metis-expand-spectral", "-o",
                                   os.devnull]))
            row = {"layers": n, "lines": path.read_text().count("\n"),
                   "mlir_opt_parse_verify_s": min(base),
                   "metis_spectralize_expand_s": min(metis),
                   "ratio": min(metis) / min(base)}
            if n == max(layer_counts):
                out = subprocess.run(
                    [metis_opt, str(path), "--metis-spectralize",
                     "--metis-expand-spectral", "--mlir-timing",
                     "--mlir-timing-display=list", "-o", os.devnull],
                    check=True, capture_output=True, text=True).stderr
                row["mlir_timing"] = {
                    m.group(2).strip(): float(m.group(1))
                    for m in re.finditer(r"^\s*([0-9.]+)\s+\(\s*[0-9.]+%\)\s+(.+)$",
                                         out, re.M)}
            rows.append(row)
            print(f"layers {n:2d}: mlir-opt {row['mlir_opt_parse_verify_s']:.3f} s, "
                  f"metis {row['metis_spectralize_expand_s']:.3f} s, "
                  f"ratio {row['ratio']:.2f}", flush=True)
    return rows


def gradient_errors():
    import numpy as np
    from metis import runtime
    from llama_model import inputs

    tiny = LlamaConfig(layers=2, hidden=64, ffn=128, vocab=256, heads=4,
                       kv_heads=2, batch=2, seq=16)
    specs = param_specs(tiny)
    x, params, dl = inputs(tiny)
    grads = {}
    for preset in ("none", "metis", "nvfp4", "nvidia-recipe"):
        t = time.perf_counter()
        lib = runtime.load(generate(tiny, abi="memref"),
                           (f"--metis-train-cpu=preset={preset} isa=none",))
        outs = ([np.empty((tiny.batch, tiny.seq, tiny.vocab), np.float32),
                 np.empty_like(x)] + [np.empty(s, np.float32) for _, s in specs])
        lib.call("train_step", x, *[params[n] for n, _ in specs], dl, *outs)
        grads[preset] = {n: o for (n, _), o in zip(specs, outs[2:])}
        print(f"{preset}: compiled and ran in {time.perf_counter() - t:.0f} s",
              flush=True)
    f32 = grads.pop("none")
    return {p: {n: float(np.linalg.norm(g[n] - f32[n]) / np.linalg.norm(f32[n]))
                for n, s in specs if len(s) == 2}
            for p, g in grads.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--layers", default="1,2,4,8,16,32")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-gradients", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    a = ap.parse_args()
    result = {"compile_time": compile_times(
        [int(v) for v in a.layers.split(",")], a.repeats)}
    if not a.no_gradients:
        result["gradient_rel_error"] = gradient_errors()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "compile_time.json").write_text(json.dumps(result, indent=1))
    print("\n| layers | lines | mlir-opt parse+verify (s) | metis-opt "
          "spectralize+expand (s) | ratio |\n|---|---|---|---|---|")
    for r in result["compile_time"]:
        print(f"| {r['layers']} | {r['lines']} | {r['mlir_opt_parse_verify_s']:.3f} "
              f"| {r['metis_spectralize_expand_s']:.3f} | {r['ratio']:.2f} |")
    if "gradient_rel_error" in result:
        errs = result["gradient_rel_error"]
        names = list(next(iter(errs.values())))
        print("\n| weight | " + " | ".join(errs) + " |\n|---|" +
              "---|" * len(errs))
        for n in names:
            print(f"| {n} | " + " | ".join(f"{errs[p][n]:.4f}" for p in errs)
                  + " |")
    print(f"\nwrote {out / 'compile_time.json'}")


if __name__ == "__main__":
    main()
