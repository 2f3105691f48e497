//===- MetisToGPU.cpp - metis.scaled_matmul to GPU kernels ----------------===//

#include "metis/Conversion/MetisToGPU/GPUTargets.h"
#include "metis/Conversion/MetisToGPU/ScaledMatmulKernel.h"
#include "metis/Conversion/Passes.h"
#include "metis/Dialect/Metis/IR/MetisOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::metis {
#define GEN_PASS_DEF_CONVERTMETISTOGPU
#include "metis/Conversion/Passes.h.inc"
} // namespace mlir::metis

using namespace mlir;
using namespace mlir::metis;

static constexpr llvm::StringLiteral kKernelModuleName = "metis_gpu_kernels";

/// Packs the trailing axis of `src` (M x L, elements of `bits` bits) into
/// i32 words of `perWord` elements, element i of a word at bits [bits*i, +bits)
/// (M x L/perWord).
static Value packToWords(OpBuilder &b, Location loc, Value src,
                         int64_t perWord) {
  auto type = cast<RankedTensorType>(src.getType());
  int64_t rows = type.getDimSize(0), words = type.getDimSize(1) / perWord;
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  Type i32 = b.getI32Type();
  auto expanded = tensor::ExpandShapeOp::create(
      b, loc,
      RankedTensorType::get({rows, words, perWord}, type.getElementType()),
      src, SmallVector<ReassociationIndices>{{0}, {1, 2}});
  Value init = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{rows, words},
                                       i32);
  Value zero = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0));
  init = linalg::FillOp::create(b, loc, zero, init).getResult(0);
  MLIRContext *ctx = b.getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(3, ctx);
  AffineMap out = AffineMap::get(3, 0,
                                 {getAffineDimExpr(0, ctx),
                                  getAffineDimExpr(1, ctx)},
                                 ctx);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{expanded},
      ValueRange{init}, ArrayRef<AffineMap>{id, out},
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                    utils::IteratorType::parallel,
                                    utils::IteratorType::reduction},
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value code = arith::BitcastOp::create(nb, nl, nb.getIntegerType(bits),
                                              args[0]);
        Value wide = arith::ExtUIOp::create(nb, nl, i32, code);
        Value pos = arith::IndexCastOp::create(
            nb, nl, i32, linalg::IndexOp::create(nb, nl, 2));
        Value shift = arith::MulIOp::create(
            nb, nl, pos,
            arith::ConstantOp::create(nb, nl, nb.getI32IntegerAttr(bits)));
        Value placed = arith::ShLIOp::create(nb, nl, wide, shift);
        linalg::YieldOp::create(nb, nl,
                                Value(arith::OrIOp::create(nb, nl, args[1],
                                                           placed)));
      });
  return generic.getResult(0);
}

namespace {

struct ConvertMetisToGPUPass
    : public metis::impl::ConvertMetisToGPUBase<ConvertMetisToGPUPass> {
  using Base::Base;

  void runOnOperation() override;

  /// The kernel spec of `op`, or failure after a diagnostic.
  FailureOr<ScaledMatmulKernelSpec> getSpec(ScaledMatmulOp op);
  void lower(ScaledMatmulOp op, const ScaledMatmulKernelSpec &spec,
             gpu::GPUModuleOp kernels);
};

} // namespace

FailureOr<ScaledMatmulKernelSpec>
ConvertMetisToGPUPass::getSpec(ScaledMatmulOp op) {
  std::optional<GemmInstruction> inst =
      mma == "auto" ? defaultGemmInstruction(chip) : parseGemmInstruction(mma);
  if (!inst) {
    if (mma != "auto")
      return op.emitOpError() << "unknown GPU instruction 'mma=" << mma
                              << "': expected auto, bf16-emulation, "
                                 "block-scale or tcgen05";
    return op.emitOpError() << checkGemmTarget(chip, GemmInstruction::Bf16Emulation, ptx);
  }
  if (std::string why = checkGemmTarget(chip, *inst, ptx); !why.empty())
    return op.emitOpError() << "cannot be lowered for the GPU: " << why;
  if (*inst == GemmInstruction::Tcgen05)
    return op.emitOpError()
           << "cannot be lowered for the GPU: the tcgen05 kernel (" << chip
           << ") is not implemented; use mma=bf16-emulation on this chip";

  FormatAttr format = op.getFormat();
  if (format.getKind() == FormatKind::fp4e2m1b)
    return op.emitOpError() << "cannot be lowered for the GPU: format "
                               "fp4e2m1b (f32 block scales) has no GPU "
                               "kernel; use nvfp4 or mxfp4";
  auto lhs = cast<RankedTensorType>(op.getLhs().getType());
  auto rhs = cast<RankedTensorType>(op.getRhs().getType());
  auto result = cast<RankedTensorType>(op.getResult().getType());
  if (lhs.getRank() != 2)
    return op.emitOpError()
           << "cannot be lowered for the GPU: batched operands are not "
              "supported (unbatch into 2-D matmuls)";
  if (!lhs.hasStaticShape() || !rhs.hasStaticShape())
    return op.emitOpError()
           << "cannot be lowered for the GPU: dynamic shapes are not "
              "supported (the kernels are specialized per shape)";
  ScaledMatmulKernelSpec spec{*inst,
                              format.getKind(),
                              format.getBlockSize(),
                              lhs.getDimSize(0),
                              rhs.getDimSize(0),
                              lhs.getDimSize(1),
                              result.getElementType()};
  if (std::string why = spec.checkShape(); !why.empty())
    return op.emitOpError() << "cannot be lowered for the GPU: " << why;
  return spec;
}

void ConvertMetisToGPUPass::lower(ScaledMatmulOp op,
                                  const ScaledMatmulKernelSpec &spec,
                                  gpu::GPUModuleOp kernels) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  gpu::GPUFuncOp kernel = getOrBuildScaledMatmulKernel(kernels, spec);
  SmallVector<Type> argTypes = spec.argumentTypes(b.getContext());

  auto toBuffer = [&](Value tensor, Type type) -> Value {
    return bufferization::ToBufferOp::create(b, loc, type, tensor);
  };
  auto tensorScale = [&](Value scalar) {
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1}, b.getF32Type()), scalar,
        SmallVector<ReassociationIndices>{});
  };
  SmallVector<Value> args;
  for (auto [codes, scales, ts] :
       {std::tuple{op.getLhs(), op.getLhsScales(), op.getLhsTensorScale()},
        std::tuple{op.getRhs(), op.getRhsScales(), op.getRhsTensorScale()}}) {
    unsigned i = args.size();
    args.push_back(toBuffer(packToWords(b, loc, codes, 8), argTypes[i]));
    args.push_back(toBuffer(packToWords(b, loc, scales, 4), argTypes[i + 1]));
    args.push_back(toBuffer(tensorScale(ts), argTypes[i + 2]));
  }
  auto resultType = cast<MemRefType>(argTypes.back());
  Value out = memref::AllocOp::create(b, loc, resultType);
  args.push_back(out);
  gpu::LaunchFuncOp::create(
      b, loc, kernel,
      gpu::KernelDim3{
          arith::ConstantIndexOp::create(b, loc,
                                         spec.n / ScaledMatmulKernelSpec::kTileN),
          arith::ConstantIndexOp::create(b, loc,
                                         spec.m / ScaledMatmulKernelSpec::kTileM),
          arith::ConstantIndexOp::create(b, loc, 1)},
      gpu::KernelDim3{
          arith::ConstantIndexOp::create(b, loc,
                                         ScaledMatmulKernelSpec::kThreads),
          arith::ConstantIndexOp::create(b, loc, 1),
          arith::ConstantIndexOp::create(b, loc, 1)},
      /*dynamicSharedMemorySize=*/Value(), args);
  Value result = bufferization::ToTensorOp::create(
      b, loc, op.getResult().getType(), out, /*restrict=*/true,
      /*writable=*/true);
  op.replaceAllUsesWith(result);
  op.erase();
}

void ConvertMetisToGPUPass::runOnOperation() {
  ModuleOp module = getOperation();
  SmallVector<std::pair<ScaledMatmulOp, ScaledMatmulKernelSpec>> work;
  bool failed = false;
  module.walk([&](ScaledMatmulOp op) {
    FailureOr<ScaledMatmulKernelSpec> spec = getSpec(op);
    if (mlir::failed(spec))
      failed = true;
    else
      work.push_back({op, *spec});
  });
  if (failed)
    return signalPassFailure();
  if (work.empty())
    return;

  auto kernels = module.lookupSymbol<gpu::GPUModuleOp>(kKernelModuleName);
  if (!kernels) {
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    kernels = gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModuleName);
  }
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  UnitAttr::get(&getContext()));
  for (auto &[op, spec] : work)
    lower(op, spec, kernels);
}
