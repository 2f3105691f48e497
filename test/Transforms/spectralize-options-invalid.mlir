// RUN: not metis-opt %s -metis-spectralize=preset=fp8 2>&1 | FileCheck %s --check-prefix=PRESET
// RUN: not metis-opt %s -metis-spectralize=gradient-rounding=down 2>&1 | FileCheck %s --check-prefix=ROUNDING
// RUN: not metis-opt %s -metis-spectralize=hadamard=yes 2>&1 | FileCheck %s --check-prefix=HADAMARD
// RUN: not metis-opt %s -metis-spectralize=rank=0 2>&1 | FileCheck %s --check-prefix=RANK

// PRESET: error: metis-spectralize: unknown preset 'fp8' (expected metis, nvfp4, nvidia-recipe or none)
// ROUNDING: error: metis-spectralize: gradient-rounding must be rne or stochastic, got 'down'
// HADAMARD: error: metis-spectralize: hadamard must be auto, on or off, got 'yes'
// RANK: error: metis-spectralize: rank must be >= 1
func.func @f() {
  return
}
