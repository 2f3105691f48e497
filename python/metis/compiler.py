"""Drive metis-opt (and the upstream MLIR tools) from Python.

The build directory is ``$METIS_BUILD_DIR`` if set, else ``<repo>/build``;
the LLVM tools come from ``/usr/lib/llvm-22/bin``. A failed compilation
raises :class:`CompileError` carrying the compiler's diagnostics.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Optional, Sequence

__all__ = ["CompileError", "build_dir", "tool", "run_tool", "opt", "run_mlir"]

LLVM_BIN = Path("/usr/lib/llvm-22/bin")
LLVM_LIB = Path("/usr/lib/llvm-22/lib")
_REPO = Path(__file__).resolve().parents[2]

#: Seconds before a compiler invocation is abandoned (it must never hang).
TIMEOUT = 300


class CompileError(RuntimeError):
    """A metis/MLIR tool rejected its input; ``diagnostics`` is its stderr."""

    def __init__(self, tool_name: str, diagnostics: str):
        self.diagnostics = diagnostics
        super().__init__(f"{tool_name} failed:\n{diagnostics.strip()}")


def build_dir() -> Path:
    return Path(os.environ.get("METIS_BUILD_DIR", _REPO / "build"))


def tool(name: str) -> Path:
    """Path of a metis tool (build/bin) or an LLVM tool (/usr/lib/llvm-22/bin)."""
    for candidate in (build_dir() / "bin" / name, LLVM_BIN / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        f"{name} not found in {build_dir() / 'bin'} or {LLVM_BIN}; "
        "run scripts/setup.sh first")


def run_tool(name: str, args: Sequence[str], text: Optional[str] = None) -> str:
    """Runs tool ``name`` (see :func:`tool`) on stdin ``text``; returns its
    stdout, or raises :class:`CompileError` with its stderr."""
    try:
        proc = subprocess.run([str(tool(name)), *args], input=text,
                              capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        raise CompileError(name, f"timed out after {TIMEOUT} s") from e
    if proc.returncode != 0:
        raise CompileError(name, proc.stderr or f"exit code {proc.returncode}")
    return proc.stdout


def opt(module: str, args: Sequence[str]) -> str:
    """Runs ``metis-opt <args>`` on ``module`` (MLIR text); returns the output."""
    return run_tool("metis-opt", args, module)


def run_mlir(llvm_dialect_module: str, entry: str = "main") -> str:
    """JIT-runs a module already lowered to the LLVM dialect with mlir-runner
    (entry returns void); returns what it printed."""
    libs = ",".join(str(LLVM_LIB / lib) for lib in
                    ("libmlir_c_runner_utils.so", "libmlir_runner_utils.so"))
    return run_tool("mlir-runner", ["-e", entry, "-entry-point-result=void",
                                f"-shared-libs={libs}"], llvm_dialect_module)
