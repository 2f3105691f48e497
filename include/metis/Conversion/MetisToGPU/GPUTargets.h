//===- GPUTargets.h - What each NVIDIA chip offers metis --------*- C++ -*-===//
//
// The chip/instruction/PTX-version table of the GPU lowering. LLVM 22 aborts
// ("Cannot select") instead of diagnosing for several FP4 NVVM ops on the
// wrong chip or PTX version (TOOLCHAIN.md §7.8), so every request is checked
// here first and turned into a diagnostic.
//
//===----------------------------------------------------------------------===//

#ifndef METIS_CONVERSION_METISTOGPU_GPUTARGETS_H
#define METIS_CONVERSION_METISTOGPU_GPUTARGETS_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir::metis {

/// The matrix instruction a scaled-matmul kernel is built around.
enum class GemmInstruction {
  /// Decode E2M1 x scale to bf16 in registers, `mma.sync` bf16 (sm_80+).
  Bf16Emulation,
  /// Warp-level `mma.sync ... block_scale` m16n8k64 (sm_120a/sm_121a).
  MmaBlockScale,
  /// `tcgen05.mma ... block_scale` with TMEM (sm_100a/sm_101a).
  Tcgen05,
};

/// Parses "bf16-emulation", "block-scale" or "tcgen05".
std::optional<GemmInstruction> parseGemmInstruction(llvm::StringRef name);
llvm::StringRef stringifyGemmInstruction(GemmInstruction inst);

/// The SM version of an architecture-specific chip name ("sm_90a" -> 90),
/// or nullopt for anything that is not `sm_<N>a`.
std::optional<unsigned> parseArchSpecificChip(llvm::StringRef chip);

/// The instruction `mma=auto` picks on `chip` (the chip's FP4 tensor-core
/// instruction, or the bf16 emulation where it has none).
std::optional<GemmInstruction> defaultGemmInstruction(llvm::StringRef chip);

/// Minimum PTX ISA version (e.g. 87 for 8.7) needed for `inst` on `chip`.
unsigned minimumPtxVersion(llvm::StringRef chip, GemmInstruction inst);

/// Why `inst` cannot run on `chip` with PTX ISA `ptx`, or an empty string
/// if it can.
std::string checkGemmTarget(llvm::StringRef chip, GemmInstruction inst,
                            unsigned ptx);

} // namespace mlir::metis

#endif // METIS_CONVERSION_METISTOGPU_GPUTARGETS_H
