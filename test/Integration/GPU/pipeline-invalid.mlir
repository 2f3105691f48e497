// The pipeline diagnoses before NVVM: no "Cannot select" abort from LLVM.
// RUN: not metis-opt %S/Inputs/scaled-matmuls.mlir --metis-gpu-pipeline="chip=sm_100a mma=block-scale" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BS
// RUN: not metis-opt %S/Inputs/scaled-matmuls.mlir --metis-gpu-pipeline="chip=sm_100a ptx=87" -o /dev/null 2>&1 | FileCheck %s --check-prefix=TC
// RUN: not metis-opt %S/Inputs/scaled-matmuls.mlir --metis-gpu-pipeline="chip=sm_120a ptx=86" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTX

// BS: error: 'metis.scaled_matmul' op cannot be lowered for the GPU: mma.block_scale (warp-level FP4 MMA) exists only on sm_120a and sm_121a, not on sm_100a
// TC: error: 'metis.scaled_matmul' op cannot be lowered for the GPU: PTX ISA 8.7 is too old for tcgen05 on sm_100a: it needs 8.8 or newer
// PTX: error: 'metis.scaled_matmul' op cannot be lowered for the GPU: PTX ISA 8.6 is too old for block-scale on sm_120a: it needs 8.7 or newer
