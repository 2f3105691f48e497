#!/usr/bin/env bash
# Sets up and builds metis, then runs the demo: FP4 matmuls in the three
# formats, compiled by metis-opt + upstream MLIR, run on the CPU and checked
# against the numpy oracle; then the Metis spectral split of an anisotropic
# weight against plain NVFP4; then a tiny LLaMA trained as a character-level
# LM on the fortunes corpus with FP32, NVFP4, NVIDIA's recipe and Metis
# (metis.nn: compiled Fprop/Dgrad/Wgrad), with per-GEMM errors, loss curves
# and plots under build/demo/tiny_llama/ (examples/train_tiny_llama.py --quick).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh" release
cd "$ROOT"
PYTHONPATH="$ROOT/python" /usr/bin/python3 examples/fp4_matmul.py
PYTHONPATH="$ROOT/python" /usr/bin/python3 examples/spectral_matmul.py
PYTHONPATH="$ROOT/python" /usr/bin/python3 examples/train_tiny_llama.py --quick --out build/demo/tiny_llama
