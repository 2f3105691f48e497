//===- GPUTargets.cpp - What each NVIDIA chip offers metis ----------------===//

#include "metis/Conversion/MetisToGPU/GPUTargets.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::metis;

std::optional<GemmInstruction>
mlir::metis::parseGemmInstruction(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<GemmInstruction>>(name)
      .Case("bf16-emulation", GemmInstruction::Bf16Emulation)
      .Case("block-scale", GemmInstruction::MmaBlockScale)
      .Case("tcgen05", GemmInstruction::Tcgen05)
      .Default(std::nullopt);
}

llvm::StringRef mlir::metis::stringifyGemmInstruction(GemmInstruction inst) {
  switch (inst) {
  case GemmInstruction::Bf16Emulation:
    return "bf16-emulation";
  case GemmInstruction::MmaBlockScale:
    return "block-scale";
  case GemmInstruction::Tcgen05:
    return "tcgen05";
  }
  llvm_unreachable("unknown GemmInstruction");
}

std::optional<unsigned> mlir::metis::parseArchSpecificChip(llvm::StringRef chip) {
  unsigned sm;
  if (!chip.consume_front("sm_") || !chip.consume_back("a") ||
      chip.getAsInteger(10, sm))
    return std::nullopt;
  return sm;
}

std::optional<GemmInstruction>
mlir::metis::defaultGemmInstruction(llvm::StringRef chip) {
  std::optional<unsigned> sm = parseArchSpecificChip(chip);
  if (!sm)
    return std::nullopt;
  if (*sm == 120 || *sm == 121)
    return GemmInstruction::MmaBlockScale;
  // sm_101a gets tcgen05 too, which MLIR 22 cannot emit there: an error
  // that names the way out (mma=bf16-emulation), not a silent downgrade.
  if (*sm == 100 || *sm == 101)
    return GemmInstruction::Tcgen05;
  return GemmInstruction::Bf16Emulation;
}

unsigned mlir::metis::minimumPtxVersion(llvm::StringRef chip,
                                        GemmInstruction inst) {
  unsigned sm = parseArchSpecificChip(chip).value_or(0);
  switch (inst) {
  case GemmInstruction::MmaBlockScale:
    return 87; // mma.block_scale appeared in PTX 8.7 (with sm_120a).
  case GemmInstruction::Tcgen05:
    return 88; // .block16/.block32 need 8.8; LLVM aborts below (§4.3).
  case GemmInstruction::Bf16Emulation:
    // The first PTX version that knows the chip.
    if (sm >= 120)
      return 87;
    if (sm >= 100)
      return 86;
    return 80;
  }
  llvm_unreachable("unknown GemmInstruction");
}

std::string mlir::metis::checkGemmTarget(llvm::StringRef chip,
                                         GemmInstruction inst, unsigned ptx) {
  std::optional<unsigned> sm = parseArchSpecificChip(chip);
  if (!sm)
    return llvm::formatv("unsupported chip '{0}': expected an "
                         "architecture-specific target such as sm_90a, "
                         "sm_100a or sm_120a",
                         chip);
  switch (inst) {
  case GemmInstruction::Bf16Emulation:
    if (*sm < 90)
      return llvm::formatv("the bf16 emulation kernel targets sm_90a and "
                           "newer, not {0}",
                           chip);
    break;
  case GemmInstruction::MmaBlockScale:
    // ptxas: "Instruction 'mma with block scale' not supported on .target
    // 'sm_100a'"; LLVM: "Cannot select" (TOOLCHAIN.md §4.2).
    if (*sm != 120 && *sm != 121)
      return llvm::formatv("mma.block_scale (warp-level FP4 MMA) exists "
                           "only on sm_120a and sm_121a, not on {0}",
                           chip);
    break;
  case GemmInstruction::Tcgen05:
    // MLIR 22 gates nvvm.tcgen05.alloc to sm_100a/sm_101a and
    // nvvm.tcgen05.mma.block_scale to sm_100a/sm_110a: only sm_100a has both.
    if (*sm != 100)
      return llvm::formatv("tcgen05 block-scaled MMA (TMEM FP4) is available "
                           "only on sm_100a in MLIR 22 (tcgen05.alloc needs "
                           "sm_100a/101a, tcgen05.mma.block_scale "
                           "sm_100a/110a), not on {0}",
                           chip);
    break;
  }
  unsigned minPtx = minimumPtxVersion(chip, inst);
  if (ptx < minPtx)
    return llvm::formatv("PTX ISA {0}.{1} is too old for {2} on {3}: it "
                         "needs {4}.{5} or newer",
                         ptx / 10, ptx % 10, stringifyGemmInstruction(inst),
                         chip, minPtx / 10, minPtx % 10);
  return "";
}
