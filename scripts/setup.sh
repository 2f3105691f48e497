#!/usr/bin/env bash
# Installs everything metis needs on Debian bookworm and builds it.
# Idempotent: apt runs only when a package is missing; the build is
# incremental. Usage: scripts/setup.sh [release|asan]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PRESET="${1:-release}"

PACKAGES=(
  # Toolchain: LLVM/MLIR 22 from Debian, clang + lld for fast links.
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  # libomp for metis-cpu-pipeline{threads=N} (OpenMP) shared libraries.
  libomp-22-dev
  # Sanitizer and libFuzzer runtimes: the asan preset and metis-fuzz (built
  # by scripts/test.sh's fuzz smoke in every preset).
  libclang-rt-22-dev
  cmake ninja-build ccache libgtest-dev
  # Python layer and tests (/usr/bin/python3 only; there is no PyPI).
  python3 python3-numpy python3-scipy python3-torch python3-matplotlib python3-pytest
  # Text corpus of the training demo (examples/train_tiny_llama.py).
  fortunes fortunes-min
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "[setup] installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
else
  echo "[setup] all ${#PACKAGES[@]} packages present"
fi

BUILD_DIR="$ROOT/build"
[[ "$PRESET" == "asan" ]] && BUILD_DIR="$ROOT/build-asan"

cd "$ROOT"
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  echo "[setup] configuring ($PRESET)"
  cmake --preset "$PRESET" >/dev/null
fi
echo "[setup] building ($PRESET)"
cmake --build --preset "$PRESET"
