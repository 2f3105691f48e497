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

Both are whole-process wall and user+sys CPU times (min over repeats);
``--mlir-timing`` splits of the metis-opt run are reported for the largest
graph.

**Gradient error** (skipped with --no-gradients; compiles 4 modules, minutes
on a loaded machine): the tiny graph (--grad-layers layers, default 1;
hidden 64, FFN 128, vocab 256, 4/2 heads, 2x16 tokens; the graph of
python/tests/test_spectralize_e2e.py, whose compile cache it can reuse via
METIS_CACHE_DIR) compiled with metis-train-cpu under preset none (f32),
metis, nvfp4 and nvidia-recipe (skip-last-layers=0 with one layer;
defaults otherwise: stochastic rounding on gradients, seed 0) and run on
fixed random inputs (llama_model.inputs); the relative Frobenius error
||dW - dW_f32|| / ||dW_f32|| of every weight gradient.

Writes DIR/compile_time.json and prints a Markdown summary; DIR defaults to
benchmarks/results/.
"""

import argparse
import json
import os
import re
import resource
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


def measure(cmd):
    """(wall seconds, user+sys CPU seconds) of running `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


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
                base.append(measure([MLIR_OPT, str(path), "-o", os.devnull]))
                metis.append(measure([metis_opt, str(path),
                                      "--metis-spectralize",
                                      "--metis-expand-spectral", "-o",
                                      os.devnull]))
            bw, bc = min(w for w, _ in base), min(c for _, c in base)
            mw, mc = min(w for w, _ in metis), min(c for _, c in metis)
            row = {"layers": n, "lines": path.read_text().count("\n"),
                   "mlir_opt_parse_verify_s": bw,
                   "metis_spectralize_expand_s": mw, "ratio": mw / bw,
                   "mlir_opt_cpu_s": bc, "metis_cpu_s": mc,
                   "cpu_ratio": mc / bc}
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
            print(f"layers {n:2d}: wall mlir-opt {bw:.3f} s, metis {mw:.3f} s"
                  f" (x{mw / bw:.2f}); CPU mlir-opt {bc:.3f} s, metis "
                  f"{mc:.3f} s (x{mc / bc:.2f})", flush=True)
    return rows


def gradient_errors(layers):
    import numpy as np
    from metis import runtime
    from llama_model import inputs

    tiny = LlamaConfig(layers=layers, hidden=64, ffn=128, vocab=256, heads=4,
                       kv_heads=2, batch=2, seq=16)
    specs = param_specs(tiny)
    x, params, dl = inputs(tiny)
    grads = {}
    # With one layer the recipe's default would keep that (last) layer
    # unquantized.
    nvidia = "nvidia-recipe" + (" skip-last-layers=0" if layers == 1 else "")
    for preset in ("none", "metis", "nvfp4", nvidia):
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
    ap.add_argument("--grad-layers", type=int, default=1,
                    help="layers of the tiny graph (1: the e2e tests' "
                         "graph; each extra layer adds minutes of clang time)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    a = ap.parse_args()
    result = {"compile_time": compile_times(
        [int(v) for v in a.layers.split(",")], a.repeats)}
    if not a.no_gradients:
        result["gradient_rel_error"] = gradient_errors(a.grad_layers)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "compile_time.json").write_text(json.dumps(result, indent=1))
    print("\n| layers | lines | mlir-opt parse+verify: wall / CPU (s) | "
          "metis-opt spectralize+expand: wall / CPU (s) | ratio wall / CPU |"
          "\n|---|---|---|---|---|")
    for r in result["compile_time"]:
        print(f"| {r['layers']} | {r['lines']} | "
              f"{r['mlir_opt_parse_verify_s']:.3f} / {r['mlir_opt_cpu_s']:.3f} | "
              f"{r['metis_spectralize_expand_s']:.3f} / {r['metis_cpu_s']:.3f} | "
              f"{r['ratio']:.2f} / {r['cpu_ratio']:.2f} |")
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
