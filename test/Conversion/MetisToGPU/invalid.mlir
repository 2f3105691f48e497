// RUN: metis-opt %s --convert-metis-to-gpu="chip=sm_100a mma=block-scale" --verify-diagnostics -o /dev/null
// RUN: not metis-opt %s --convert-metis-to-gpu="chip=sm_90a mma=block-scale" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BS90
// RUN: not metis-opt %s --convert-metis-to-gpu="chip=sm_120a mma=tcgen05" -o /dev/null 2>&1 | FileCheck %s --check-prefix=TC120
// RUN: not metis-opt %s --convert-metis-to-gpu="chip=sm_100a" -o /dev/null 2>&1 | FileCheck %s --check-prefix=TC100
// RUN: not metis-opt %s --convert-metis-to-gpu="chip=sm_120a ptx=86" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTX
// RUN: not metis-opt %s --convert-metis-to-gpu="chip=sm_90" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not metis-opt %s --convert-metis-to-gpu="chip=sm_80a" -o /dev/null 2>&1 | FileCheck %s --check-prefix=OLD
// RUN: not metis-opt %s --convert-metis-to-gpu="chip=sm_89" -o /dev/null 2>&1 | FileCheck %s --check-prefix=QCHIP
// RUN: not metis-opt %s --convert-metis-to-gpu="mma=wgmma" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MMA

// Target checks run before any NVVM op is built (LLVM would abort with
// "Cannot select" for mma.block_scale off sm_120a).
// BS90: error: 'metis.scaled_matmul' op cannot be lowered for the GPU: mma.block_scale (warp-level FP4 MMA) exists only on sm_120a and sm_121a, not on sm_90a
// TC120: error: 'metis.scaled_matmul' op cannot be lowered for the GPU: tcgen05 (TMEM FP4 MMA) exists only on sm_100a and sm_101a in MLIR 22, not on sm_120a
// TC100: error: 'metis.scaled_matmul' op cannot be lowered for the GPU: the tcgen05 kernel (sm_100a) is not implemented; use mma=bf16-emulation on this chip
// PTX: error: 'metis.scaled_matmul' op cannot be lowered for the GPU: PTX ISA 8.6 is too old for block-scale on sm_120a: it needs 8.7 or newer
// CHIP: error: 'metis.scaled_matmul' op unsupported chip 'sm_90': expected an architecture-specific target such as sm_90a, sm_100a or sm_120a
// OLD: error: 'metis.scaled_matmul' op cannot be lowered for the GPU: the bf16 emulation kernel targets sm_90a and newer, not sm_80a
// QCHIP: error: 'metis.quantize' op cannot be lowered for the GPU: unsupported chip 'sm_89' (expected sm_90a or a newer architecture-specific target)
// MMA: error: 'metis.scaled_matmul' op unknown GPU instruction 'mma=wgmma': expected auto, bf16-emulation, block-scale or tcgen05
func.func @valid_shape(%a: tensor<128x128xf4E2M1FN>, %as: tensor<128x8xf8E4M3FN>, %t: tensor<f32>) -> tensor<128x128xf32> {
  // expected-error @below {{cannot be lowered for the GPU: mma.block_scale (warp-level FP4 MMA) exists only on sm_120a and sm_121a, not on sm_100a}}
  %c = metis.scaled_matmul %a, %as, %t, %a, %as, %t {format = #metis.format<nvfp4>}
    : tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32>,
      tensor<128x128xf4E2M1FN>, tensor<128x8xf8E4M3FN>, tensor<f32> -> tensor<128x128xf32>
  return %c : tensor<128x128xf32>
}

func.func @quantize(%x: tensor<128x64xf32>) -> tensor<128x64xf4E2M1FN> {
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
    : tensor<128x64xf32> -> tensor<128x64xf4E2M1FN>, tensor<128x4xf8E4M3FN>, tensor<f32>
  return %v : tensor<128x64xf4E2M1FN>
}
