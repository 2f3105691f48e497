"""Python side of the metis project.

The core API (``metis.quantize``, ``dequantize``, ``fake_quant``,
``scaled_matmul``, ``spectral_split``, ``spectral_matmul`` and
``QuantizedTensor``, from ``metis.api``) runs the metis ops as compiled MLIR
(``metis.runtime`` compiles, caches and calls the modules). ``metis.reference`` is an
independent numpy oracle of the FP4 formats (nvfp4, mxfp4, fp4e2m1b), used
to check the compiler bit for bit; ``metis.spectral_reference`` a numpy
model of ``metis.spectral_split``.
``metis.compiler`` runs metis-opt and the MLIR tools. ``metis.nn`` (imported
on first use, it needs torch) trains ``torch.nn.Linear`` layers on the
compiled FP4 kernels. Import with
``PYTHONPATH=python`` on ``/usr/bin/python3``.
"""

from . import compiler, formats, reference, runtime, spectral_reference
from .api import (QuantizedTensor, dequantize, fake_quant, quantize,
                  scaled_matmul, spectral_matmul, spectral_split)
from .compiler import CompileError

__all__ = ["compiler", "formats", "reference", "runtime", "api",
           "spectral_reference",
           "CompileError", "QuantizedTensor", "quantize", "dequantize",
           "fake_quant", "scaled_matmul", "spectral_split",
           "spectral_matmul", "nn"]


def __getattr__(name):
    # metis.nn imports torch: load it only when it is asked for.
    if name == "nn":
        import importlib
        return importlib.import_module(".nn", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
