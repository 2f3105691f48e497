"""Python side of the metis project.

``metis.reference`` is an independent numpy oracle of the FP4 formats of the
``metis`` dialect (nvfp4, mxfp4, fp4e2m1b), used to check the compiler bit for
bit. ``metis.compiler`` runs metis-opt and the MLIR tools. Import with
``PYTHONPATH=python`` on ``/usr/bin/python3``.
"""

from . import compiler, reference

__all__ = ["compiler", "reference"]
