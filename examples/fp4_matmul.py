#!/usr/bin/env python3
"""End-to-end tour of the metis dialect on CPU (the foundation demo).

For each FP4 format: build a module that quantizes an activation X (with
outlier channels, as LLM activations have) and a weight W along K and
multiplies them with ``metis.scaled_matmul``; compile it with metis-opt
(constant folding of the quantization, ``metis-decompose-scaled-matmul``) and
upstream MLIR's CPU lowering; run it with mlir-runner; and check the result
against the independent numpy oracle (``metis.reference``). Finally show the
diagnostic a malformed op gets.

Run: PYTHONPATH=python /usr/bin/python3 examples/fp4_matmul.py
"""

import re
import sys

import numpy as np

from metis import compiler, reference

M, N, K = 64, 32, 256

LOWER_TO_LLVM = [
    "--one-shot-bufferize=bufferize-function-boundaries",
    "--buffer-deallocation-pipeline", "--convert-linalg-to-loops",
    "--convert-scf-to-cf", "--expand-strided-metadata", "--lower-affine",
    "--finalize-memref-to-llvm", "--convert-arith-to-llvm",
    "--convert-cf-to-llvm", "--convert-func-to-llvm",
    "--reconcile-unrealized-casts",
]

FORMATS = {
    # name: (format attribute, block size, scale element type)
    "nvfp4": ("#metis.format<nvfp4>", 16, "f8E4M3FN"),
    "mxfp4": ("#metis.format<mxfp4>", 32, "f8E8M0FNU"),
    "fp4e2m1b": ("#metis.format<fp4e2m1b>", 16, "f32"),
}


def dense(a: np.ndarray) -> str:
    """An exact (hex) dense attribute for a float32 array."""
    return f'dense<"0x{np.ascontiguousarray(a, np.float32).tobytes().hex().upper()}">'


def module(x, w, fmt):
    attr, block, scale = FORMATS[fmt]
    xq = f"tensor<{M}x{K}xf4E2M1FN>, tensor<{M}x{K // block}x{scale}>, tensor<f32>"
    wq = f"tensor<{N}x{K}xf4E2M1FN>, tensor<{N}x{K // block}x{scale}>, tensor<f32>"
    return f"""
func.func private @printMemrefF32(tensor<*xf32>)
func.func @main() {{
  %x = arith.constant {dense(x)} : tensor<{M}x{K}xf32>
  %w = arith.constant {dense(w)} : tensor<{N}x{K}xf32>
  %xv, %xs, %xt = metis.quantize %x {{axis = 1 : i64, format = {attr}}} : tensor<{M}x{K}xf32> -> {xq}
  %wv, %ws, %wt = metis.quantize %w {{axis = 1 : i64, format = {attr}}} : tensor<{N}x{K}xf32> -> {wq}
  %y = metis.scaled_matmul %xv, %xs, %xt, %wv, %ws, %wt {{format = {attr}}} : {xq}, {wq} -> tensor<{M}x{N}xf32>
  %u = tensor.cast %y : tensor<{M}x{N}xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}}
"""


def parse_memref(printed: str) -> np.ndarray:
    data = printed[printed.index("data =") + len("data ="):]
    rows = re.findall(r"\[([^\[\]]*)\]", data)
    return np.array([[float(v) for v in r.split(",")] for r in rows])


def main():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((M, K)).astype(np.float32)
    x[:, rng.choice(K, 4, replace=False)] *= 40.0  # outlier channels
    w = (rng.standard_normal((N, K)) / np.sqrt(K)).astype(np.float32)
    exact = x.astype(np.float64) @ w.T.astype(np.float64)

    print(f"metis foundation demo: Y = X·Wᵀ, X {M}x{K} (4 outlier channels), W {N}x{K}\n")
    first = True
    for fmt in FORMATS:
        src = module(x, w, fmt)
        high = compiler.opt(src, ["--canonicalize", "--mlir-elide-elementsattrs-if-larger=4"])
        decomposed = compiler.opt(src, ["--canonicalize", "--metis-decompose-scaled-matmul",
                                        "--canonicalize"])
        if first:
            print("\n-- after --canonicalize (the quantizations of the constants folded):")
            print("\n".join(l for l in high.splitlines() if "metis." in l or "arith.constant" in l))
            print("\n-- after --metis-decompose-scaled-matmul --canonicalize: "
                  + ", ".join(sorted(set(re.findall(r"\b(linalg\.\w+|metis\.\w+)", decomposed)))))
            print()
            print(f"{'format':10} {'rel. error vs FP32':>20} {'max |compiled − oracle|':>26}")
            first = False
        y = parse_memref(compiler.run_mlir(compiler.opt(decomposed, LOWER_TO_LLVM)))

        qx = reference.quantize(x, format=fmt, axis=1)
        qw = reference.quantize(w, format=fmt, axis=1)
        oracle = (reference.dequantize(qx).astype(np.float64)
                  @ reference.dequantize(qw).astype(np.float64).T)
        rel = np.linalg.norm(y - exact) / np.linalg.norm(exact)
        diff = np.max(np.abs(y - oracle))
        print(f"{fmt:10} {rel:20.4f} {diff:26.2e}")
        # printMemrefF32 prints 6 significant digits; the rest is f32 rounding.
        if diff > 1e-4 * np.max(np.abs(oracle)):
            sys.exit(f"{fmt}: compiled result disagrees with the numpy oracle")

    print("\n-- a malformed op gets a located diagnostic:")
    bad = """func.func @f(%x: tensor<4x100xf32>) {
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>} : tensor<4x100xf32> -> tensor<4x100xf4E2M1FN>, tensor<4x6xf8E4M3FN>, tensor<f32>
  return
}"""
    try:
        compiler.opt(bad, [])
        sys.exit("expected a diagnostic")
    except compiler.CompileError as e:
        print(e.diagnostics.strip().splitlines()[0])


if __name__ == "__main__":
    main()
