//===- MetisToGPU.cpp - metis ops to GPU kernels --------------------------===//

#include "metis/Conversion/MetisToGPU/GPUTargets.h"
#include "metis/Conversion/MetisToGPU/QuantizeKernel.h"
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

/// The inverse of packToWords: i32 words (M x W) -> M x W*perWord elements
/// of `elementType` (an integer or float type of bits 32/perWord).
static Value unpackWords(OpBuilder &b, Location loc, Value words,
                         int64_t perWord, Type elementType) {
  auto type = cast<RankedTensorType>(words.getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  unsigned bits = 32 / perWord;
  Value init = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{rows, cols, perWord}, elementType);
  MLIRContext *ctx = b.getContext();
  AffineMap in = AffineMap::get(3, 0,
                                {getAffineDimExpr(0, ctx),
                                 getAffineDimExpr(1, ctx)},
                                ctx);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{words}, ValueRange{init},
      ArrayRef<AffineMap>{in, AffineMap::getMultiDimIdentityMap(3, ctx)},
      SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value pos = arith::IndexCastOp::create(
            nb, nl, nb.getI32Type(), linalg::IndexOp::create(nb, nl, 2));
        Value shift = arith::MulIOp::create(
            nb, nl, pos,
            arith::ConstantOp::create(nb, nl, nb.getI32IntegerAttr(bits)));
        Value field = arith::TruncIOp::create(
            nb, nl, nb.getIntegerType(bits),
            arith::ShRUIOp::create(nb, nl, args[0], shift));
        Value element =
            elementType.isInteger()
                ? field
                : arith::BitcastOp::create(nb, nl, elementType, field)
                      .getResult();
        linalg::YieldOp::create(nb, nl, element);
      });
  return tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({rows, cols * perWord}, elementType),
      generic.getResult(0), SmallVector<ReassociationIndices>{{0}, {1, 2}});
}

/// Launches `kernel` on a grid of (x, y, 1) blocks of `threads` threads.
static void launch(OpBuilder &b, Location loc, gpu::GPUFuncOp kernel,
                   int64_t x, int64_t y, int64_t threads, ValueRange args) {
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  gpu::LaunchFuncOp::create(b, loc, kernel, gpu::KernelDim3{c(x), c(y), c(1)},
                            gpu::KernelDim3{c(threads), c(1), c(1)},
                            /*dynamicSharedMemorySize=*/Value(), args);
}

/// GPU-quantized tensors in the GEMM kernels' layout, keyed by the tensors
/// that `metis.quantize` results were replaced with.
struct PackedOperands {
  DenseMap<Value, Value> codes, scales, tensorScales;
};

/// The kernel-layout buffers (codes R x K/8 i32, scale words R x K/(4B) i32,
/// tensor scale 1 x f32) of a quantized tensor: a GPU quantize kernel's
/// outputs when it produced them, else packed on the host.
static SmallVector<Value, 3> kernelOperand(OpBuilder &b, Location loc,
                                           const PackedOperands &packed,
                                           Value codes, Value scales,
                                           Value tensorScale,
                                           ArrayRef<Type> bufferTypes) {
  SmallVector<Value, 3> buffers;
  auto add = [&](const DenseMap<Value, Value> &map, Value v,
                 function_ref<Value()> pack) {
    Value tensor = map.lookup(v);
    if (!tensor)
      tensor = pack();
    buffers.push_back(bufferization::ToBufferOp::create(
        b, loc, bufferTypes[buffers.size()], tensor));
  };
  add(packed.codes, codes, [&] { return packToWords(b, loc, codes, 8); });
  add(packed.scales, scales, [&] { return packToWords(b, loc, scales, 4); });
  add(packed.tensorScales, tensorScale, [&]() -> Value {
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({1}, b.getF32Type()), tensorScale,
        SmallVector<ReassociationIndices>{});
  });
  return buffers;
}

namespace {

struct ConvertMetisToGPUPass
    : public metis::impl::ConvertMetisToGPUBase<ConvertMetisToGPUPass> {
  using Base::Base;

  void runOnOperation() override;

  /// The kernel spec of `op`, or failure after a diagnostic.
  FailureOr<ScaledMatmulKernelSpec> getSpec(ScaledMatmulOp op);
  void lower(ScaledMatmulOp op, const ScaledMatmulKernelSpec &spec,
             gpu::GPUModuleOp kernels, const PackedOperands &packed);

  /// The kernel spec of a GPU-eligible `op` (2-D, along the last axis,
  /// nvfp4/mxfp4 1-D blocks, static), nullopt if it stays on the host, or
  /// failure after a diagnostic.
  FailureOr<std::optional<QuantizeKernelSpec>> getSpec(QuantizeOp op);
  void lower(QuantizeOp op, const QuantizeKernelSpec &spec,
             gpu::GPUModuleOp kernels, PackedOperands &packed);

  /// The same for `metis.dequantize`.
  FailureOr<std::optional<DequantizeKernelSpec>> getSpec(DequantizeOp op);
  void lower(DequantizeOp op, const DequantizeKernelSpec &spec,
             gpu::GPUModuleOp kernels, const PackedOperands &packed);

  /// The chip check of the element-wise (de)quantize kernels.
  LogicalResult checkElementwiseChip(Operation *op);
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
                                  gpu::GPUModuleOp kernels,
                                  const PackedOperands &packed) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  gpu::GPUFuncOp kernel = getOrBuildScaledMatmulKernel(kernels, spec);
  SmallVector<Type> argTypes = spec.argumentTypes(b.getContext());

  // Operands quantized on the GPU are used in their packed form directly.
  SmallVector<Value> args = kernelOperand(
      b, loc, packed, op.getLhs(), op.getLhsScales(), op.getLhsTensorScale(),
      ArrayRef<Type>(argTypes).slice(0, 3));
  llvm::append_range(args,
                     kernelOperand(b, loc, packed, op.getRhs(),
                                   op.getRhsScales(), op.getRhsTensorScale(),
                                   ArrayRef<Type>(argTypes).slice(3, 3)));
  auto resultType = cast<MemRefType>(argTypes.back());
  Value out = memref::AllocOp::create(b, loc, resultType);
  args.push_back(out);
  launch(b, loc, kernel, spec.n / ScaledMatmulKernelSpec::kTileN,
         spec.m / ScaledMatmulKernelSpec::kTileM,
         spec.threads(), args);
  Value result = bufferization::ToTensorOp::create(
      b, loc, op.getResult().getType(), out, /*restrict=*/true,
      /*writable=*/true);
  op.replaceAllUsesWith(result);
  op.erase();
}

FailureOr<std::optional<QuantizeKernelSpec>>
ConvertMetisToGPUPass::getSpec(QuantizeOp op) {
  auto type = cast<RankedTensorType>(op.getInput().getType());
  FormatAttr format = op.getFormat();
  if (type.getRank() != 2 || !type.hasStaticShape() || op.getAxis() != 1 ||
      format.getKind() == FormatKind::fp4e2m1b || format.isTiled())
    return std::optional<QuantizeKernelSpec>();
  if (failed(checkElementwiseChip(op)))
    return failure();
  QuantizeKernelSpec spec{format.getKind(),
                          format.getBlockSize(),
                          op.getRounding() == Rounding::stochastic,
                          type.getDimSize(0),
                          type.getDimSize(1),
                          type.getElementType()};
  if (std::string why = spec.checkShape(); !why.empty())
    return op.emitOpError() << "cannot be lowered for the GPU: " << why;
  return std::optional<QuantizeKernelSpec>(spec);
}

LogicalResult ConvertMetisToGPUPass::checkElementwiseChip(Operation *op) {
  std::optional<unsigned> sm = parseArchSpecificChip(chip);
  if (!sm || *sm < 90)
    return op->emitOpError()
           << "cannot be lowered for the GPU: unsupported chip '" << chip
           << "' (expected sm_90a or a newer architecture-specific target)";
  return success();
}

FailureOr<std::optional<DequantizeKernelSpec>>
ConvertMetisToGPUPass::getSpec(DequantizeOp op) {
  auto type = cast<RankedTensorType>(op.getResult().getType());
  FormatAttr format = op.getFormat();
  if (type.getRank() != 2 || !type.hasStaticShape() || op.getAxis() != 1 ||
      format.getKind() == FormatKind::fp4e2m1b || format.isTiled())
    return std::optional<DequantizeKernelSpec>();
  if (failed(checkElementwiseChip(op)))
    return failure();
  DequantizeKernelSpec spec{format.getKind(), format.getBlockSize(),
                            type.getDimSize(0), type.getDimSize(1),
                            type.getElementType()};
  if (std::string why = spec.checkShape(); !why.empty())
    return op.emitOpError() << "cannot be lowered for the GPU: " << why;
  return std::optional<DequantizeKernelSpec>(spec);
}

void ConvertMetisToGPUPass::lower(DequantizeOp op,
                                  const DequantizeKernelSpec &spec,
                                  gpu::GPUModuleOp kernels,
                                  const PackedOperands &packed) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  gpu::GPUFuncOp kernel = getOrBuildDequantizeKernel(kernels, spec);
  // (codes, scale words, tensor scale, out), as the kernel declares them.
  ArrayRef<Type> types = kernel.getArgumentTypes();
  SmallVector<Value> args =
      kernelOperand(b, loc, packed, op.getValues(), op.getBlockScales(),
                    op.getTensorScale(), types.take_front(3));
  args.push_back(memref::AllocOp::create(b, loc, cast<MemRefType>(types[3])));
  launch(b, loc, kernel, spec.gridSize(), 1, DequantizeKernelSpec::kThreads,
         args);
  Value result = bufferization::ToTensorOp::create(
      b, loc, op.getResult().getType(), args.back(), /*restrict=*/true,
      /*writable=*/true);
  op.getResult().replaceAllUsesWith(result);
  op.erase();
}

void ConvertMetisToGPUPass::lower(QuantizeOp op, const QuantizeKernelSpec &spec,
                                  gpu::GPUModuleOp kernels,
                                  PackedOperands &packed) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Type i32 = b.getI32Type();
  int64_t rows = spec.rows, cols = spec.cols, block = spec.blockSize;
  Value x = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get({rows, cols}, spec.inputElementType),
      op.getInput());
  // The amax accumulator must start at +0 (bits 0) before the amax kernel.
  Value amax = memref::AllocOp::create(b, loc, MemRefType::get({1}, i32));
  memref::StoreOp::create(
      b, loc, arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)), amax,
      ValueRange{arith::ConstantIndexOp::create(b, loc, 0)});
  auto alloc = [&](ArrayRef<int64_t> shape, Type type) -> Value {
    return memref::AllocOp::create(b, loc, MemRefType::get(shape, type));
  };
  Value codes = alloc({rows, cols / 8}, i32);
  Value scaleWords = alloc({rows, cols / (4 * block)}, i32);
  Value tensorScale = alloc({1}, b.getF32Type());
  Value seed = op.getSeed();
  if (!seed)
    seed = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
  if (spec.format == FormatKind::nvfp4)
    launch(b, loc, getOrBuildAmaxKernel(kernels, spec), spec.amaxGridSize(),
           1, QuantizeKernelSpec::kThreads, ValueRange{x, amax});
  launch(b, loc, getOrBuildQuantizeKernel(kernels, spec),
         spec.quantizeGridSize(), 1, QuantizeKernelSpec::kThreads,
         ValueRange{x, amax, codes, scaleWords, tensorScale, seed});

  auto toTensor = [&](Value buffer) -> Value {
    auto type = cast<MemRefType>(buffer.getType());
    return bufferization::ToTensorOp::create(
        b, loc, RankedTensorType::get(type.getShape(), type.getElementType()),
        buffer, /*restrict=*/true, /*writable=*/true);
  };
  Value codesT = toTensor(codes), scalesT = toTensor(scaleWords);
  Value tensorScaleT = toTensor(tensorScale);
  // The op's own results, for consumers other than the GPU GEMM.
  Value values = unpackWords(b, loc, codesT, 8,
                             op.getValues().getType().getElementType());
  Value scales = unpackWords(b, loc, scalesT, 4,
                             op.getBlockScales().getType().getElementType());
  Value ts = tensor::CollapseShapeOp::create(
      b, loc, op.getTensorScale().getType(), tensorScaleT,
      SmallVector<ReassociationIndices>{});
  packed.codes[values] = codesT;
  packed.scales[scales] = scalesT;
  packed.tensorScales[ts] = tensorScaleT;
  op.getValues().replaceAllUsesWith(values);
  op.getBlockScales().replaceAllUsesWith(scales);
  op.getTensorScale().replaceAllUsesWith(ts);
  op.erase();
}

void ConvertMetisToGPUPass::runOnOperation() {
  ModuleOp module = getOperation();
  SmallVector<std::pair<QuantizeOp, QuantizeKernelSpec>> quantizes;
  SmallVector<std::pair<DequantizeOp, DequantizeKernelSpec>> dequantizes;
  SmallVector<std::pair<ScaledMatmulOp, ScaledMatmulKernelSpec>> matmuls;
  bool failed = false;
  module.walk([&](Operation *op) {
    if (auto q = dyn_cast<QuantizeOp>(op)) {
      FailureOr<std::optional<QuantizeKernelSpec>> spec = getSpec(q);
      if (mlir::failed(spec))
        failed = true;
      else if (*spec)
        quantizes.push_back({q, **spec});
    } else if (auto dq = dyn_cast<DequantizeOp>(op)) {
      FailureOr<std::optional<DequantizeKernelSpec>> spec = getSpec(dq);
      if (mlir::failed(spec))
        failed = true;
      else if (*spec)
        dequantizes.push_back({dq, **spec});
    } else if (auto mm = dyn_cast<ScaledMatmulOp>(op)) {
      FailureOr<ScaledMatmulKernelSpec> spec = getSpec(mm);
      if (mlir::failed(spec))
        failed = true;
      else
        matmuls.push_back({mm, *spec});
    }
  });
  if (failed)
    return signalPassFailure();
  if (quantizes.empty() && dequantizes.empty() && matmuls.empty())
    return;

  auto kernels = module.lookupSymbol<gpu::GPUModuleOp>(kKernelModuleName);
  if (!kernels) {
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    kernels = gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModuleName);
  }
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  UnitAttr::get(&getContext()));
  // Quantizations first, so that GEMMs and dequantizations consume their
  // packed outputs.
  PackedOperands packed;
  for (auto &[op, spec] : quantizes)
    lower(op, spec, kernels, packed);
  for (auto &[op, spec] : dequantizes)
    lower(op, spec, kernels, packed);
  for (auto &[op, spec] : matmuls)
    lower(op, spec, kernels, packed);
}
