// REQUIRES: ptxas
// gpu-module-to-binary runs ptxas (format=bin) and fatbinary (fatbin) from
// the toolkit.
// RUN: metis-opt %S/Inputs/scaled-matmuls.mlir --metis-gpu-pipeline="chip=sm_90a format=bin toolkit=/usr/local/cuda" | FileCheck %s --check-prefix=BIN90
// RUN: metis-opt %S/Inputs/scaled-matmuls.mlir --metis-gpu-pipeline="chip=sm_120a format=bin toolkit=/usr/local/cuda" | FileCheck %s --check-prefix=BIN120
// sm_100a: tcgen05 by default, the bf16 emulation when asked explicitly.
// RUN: metis-opt %S/Inputs/scaled-matmuls.mlir --metis-gpu-pipeline="chip=sm_100a format=bin toolkit=/usr/local/cuda" | FileCheck %s --check-prefix=BIN100
// RUN: metis-opt %S/Inputs/scaled-matmuls.mlir --metis-gpu-pipeline="chip=sm_100a mma=bf16-emulation format=bin toolkit=/usr/local/cuda" | FileCheck %s --check-prefix=BIN100
// RUN: metis-opt %S/Inputs/scaled-matmuls.mlir --metis-gpu-pipeline="chip=sm_90a format=fatbin toolkit=/usr/local/cuda" | FileCheck %s --check-prefix=FATBIN

// BIN90: gpu.binary @metis_gpu_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx88">, {{.*}}bin = "\7FELF
// BIN120: gpu.binary @metis_gpu_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_120a", features = "+ptx88">, {{.*}}bin = "\7FELF
// BIN100: gpu.binary @metis_gpu_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_100a", features = "+ptx88">, {{.*}}bin = "\7FELF
// The fatbin magic is 0xBA55ED50.
// FATBIN: gpu.binary @metis_gpu_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx88">, {{.*}}"P\EDU\BA
