//===- QuantizeKernel.cpp - FP4 quantization kernels ----------------------===//

#include "metis/Conversion/MetisToGPU/QuantizeKernel.h"
#include "EmitterBase.h"
#include "metis/Conversion/MetisToLinalg/FP4Emitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/Support/FormatVariadic.h"

#include <cfloat>

using namespace mlir;
using namespace mlir::metis;

using Spec = QuantizeKernelSpec;

/// Why the kernel `what` has no scale-word layout for K (4 blocks of
/// `blockSize` per 32-bit word), or an empty string.
static std::string checkScaleWords(StringRef what, int64_t cols,
                                   int64_t blockSize) {
  if (cols % (4 * blockSize))
    return llvm::formatv("the GPU {0} kernel needs K a multiple of {1} "
                         "(4 blocks of {2}, one scale word); got K={3}",
                         what, 4 * blockSize, blockSize, cols);
  return "";
}

/// The element type's name in a kernel name: f32, bf16 or f16.
static StringRef typeSuffix(Type type) {
  return type.isF32() ? "f32" : type.isBF16() ? "bf16" : "f16";
}

std::string Spec::checkShape() const {
  return checkScaleWords("quantize", cols, blockSize);
}

std::string Spec::quantizeKernelName() const {
  return llvm::formatv("metis_quantize_{0}_{1}_{2}x{3}_{4}",
                       stringifyFormatKind(format), stochastic ? "sr" : "rne",
                       rows, cols, typeSuffix(inputElementType));
}

std::string Spec::amaxKernelName() const {
  return llvm::formatv("metis_amax_{0}x{1}_{2}", rows, cols,
                       typeSuffix(inputElementType));
}

int64_t Spec::quantizeGridSize() const {
  return (numScaleWords() + kThreads - 1) / kThreads;
}

int64_t Spec::amaxGridSize() const {
  int64_t chunks = rows * cols / kAmaxChunk;
  return (chunks + kThreads - 1) / kThreads;
}

std::string DequantizeKernelSpec::checkShape() const {
  return checkScaleWords("dequantize", cols, blockSize);
}

std::string DequantizeKernelSpec::kernelName() const {
  return llvm::formatv("metis_dequantize_{0}_{1}x{2}_{3}",
                       stringifyFormatKind(format), rows, cols,
                       typeSuffix(resultElementType));
}

int64_t DequantizeKernelSpec::gridSize() const {
  return (rows * cols / 8 + kThreads - 1) / kThreads;
}

namespace {

struct KernelBuilder : EmitterBase {
  using EmitterBase::EmitterBase;

  Value f(float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  /// Global linear thread id (1-D grid of kThreads-thread blocks).
  Value globalId() {
    Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    Value bid = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
    return arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, bid, idx(Spec::kThreads)), tid);
  }
  Value loadF32(Value x, Value row, Value col) {
    Value v = memref::LoadOp::create(b, loc, x, ValueRange{row, col});
    return v.getType().isF32()
               ? v
               : arith::ExtFOp::create(b, loc, b.getF32Type(), v).getResult();
  }
  /// |v| by clearing the sign bit (math.absf would become a libdevice call,
  /// which the binary does not link).
  Value abs(Value v) {
    Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), v);
    return arith::BitcastOp::create(
        b, loc, b.getF32Type(),
        arith::AndIOp::create(b, loc, bits, i32(0x7FFFFFFF)));
  }
};

gpu::GPUFuncOp createKernel(gpu::GPUModuleOp module, StringRef name,
                            ArrayRef<Type> args, int64_t grid) {
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto func = gpu::GPUFuncOp::create(b, module.getLoc(), name,
                                     b.getFunctionType(args, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({int32_t(Spec::kThreads), 1, 1}));
  func.setKnownGridSizeAttr(b.getDenseI32ArrayAttr({int32_t(grid), 1, 1}));
  func->setAttr(NVVM::NVVMDialect::getMaxntidAttrName(),
                b.getDenseI32ArrayAttr({int32_t(Spec::kThreads), 1, 1}));
  return func;
}

} // namespace

gpu::GPUFuncOp mlir::metis::getOrBuildAmaxKernel(gpu::GPUModuleOp module,
                                                 const Spec &spec) {
  std::string name = spec.amaxKernelName();
  if (auto existing = module.lookupSymbol<gpu::GPUFuncOp>(name))
    return existing;
  MLIRContext *ctx = module.getContext();
  Builder tb(ctx);
  auto func = createKernel(
      module, name,
      {MemRefType::get({spec.rows, spec.cols}, spec.inputElementType),
       MemRefType::get({1}, tb.getI32Type())},
      spec.amaxGridSize());
  OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
  Location loc = func.getLoc();
  KernelBuilder k(b, loc);
  Value x = func.getArgument(0), out = func.getArgument(1);

  // Thread i covers elements [16i, 16i + 16) of one row (K % 16 == 0).
  Value gid = k.globalId();
  Value first = arith::MulIOp::create(b, loc, gid, k.idx(Spec::kAmaxChunk));
  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                        first, k.idx(spec.rows * spec.cols));
  auto ifOp = scf::IfOp::create(b, loc, TypeRange{b.getI32Type()}, inRange,
                                /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    Value row = arith::DivUIOp::create(b, loc, first, k.idx(spec.cols));
    Value col0 = arith::RemUIOp::create(b, loc, first, k.idx(spec.cols));
    Value amax = k.f(0.0f);
    for (int64_t i = 0; i < Spec::kAmaxChunk; ++i) {
      Value col = arith::AddIOp::create(b, loc, col0, k.idx(i));
      amax = arith::MaximumFOp::create(b, loc, amax,
                                       k.abs(k.loadF32(x, row, col)));
    }
    // |x| >= 0 orders like its bits; a NaN (sign cleared) beats +Inf, so
    // the unsigned max propagates NaN as the CPU's maximumf does.
    scf::YieldOp::create(
        b, loc,
        Value(arith::BitcastOp::create(b, loc, b.getI32Type(), amax)));
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(b, loc, k.i32(0));
  }
  Value bits = ifOp.getResult(0);
  Value width = k.i32(32);
  for (int64_t offset = 16; offset >= 1; offset /= 2) {
    Value other = gpu::ShuffleOp::create(b, loc, bits, k.i32(offset), width,
                                         gpu::ShuffleMode::XOR)
                      .getShuffleResult();
    bits = arith::MaxUIOp::create(b, loc, bits, other);
  }
  Value lane = arith::RemUIOp::create(
      b, loc, gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x), k.idx(32));
  Value isLane0 = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        lane, k.idx(0));
  k.ifThen(isLane0, [&] {
    memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::maxu, bits, out,
                                ValueRange{k.idx(0)});
  });
  gpu::ReturnOp::create(b, loc);
  return func;
}

gpu::GPUFuncOp mlir::metis::getOrBuildQuantizeKernel(gpu::GPUModuleOp module,
                                                     const Spec &spec) {
  std::string name = spec.quantizeKernelName();
  if (auto existing = module.lookupSymbol<gpu::GPUFuncOp>(name))
    return existing;
  MLIRContext *ctx = module.getContext();
  Builder tb(ctx);
  int64_t B = spec.blockSize, K = spec.cols, R = spec.rows;
  auto func = createKernel(
      module, name,
      {MemRefType::get({R, K}, spec.inputElementType),
       MemRefType::get({1}, tb.getI32Type()),
       MemRefType::get({R, K / 8}, tb.getI32Type()),
       MemRefType::get({R, K / (4 * B)}, tb.getI32Type()),
       MemRefType::get({1}, tb.getF32Type()), tb.getI64Type()},
      spec.quantizeGridSize());
  OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
  Location loc = func.getLoc();
  KernelBuilder k(b, loc);
  Value x = func.getArgument(0), amaxBits = func.getArgument(1);
  Value codes = func.getArgument(2), scales = func.getArgument(3);
  Value tensorScaleOut = func.getArgument(4), seed = func.getArgument(5);
  bool nv = spec.format == FormatKind::nvfp4;

  // NVFP4's encode scale g and tensor scale, in convert-metis-to-linalg's
  // order: g = min(2688 / amax, FLT_MAX), g = 1 if g == 0, ts = 1 / g.
  Value g, tensorScale;
  if (nv) {
    Value amax = arith::BitcastOp::create(
        b, loc, b.getF32Type(),
        memref::LoadOp::create(b, loc, amaxBits, ValueRange{k.idx(0)}));
    g = arith::DivFOp::create(b, loc, k.f(2688.0f), amax);
    g = arith::MinimumFOp::create(b, loc, g, k.f(FLT_MAX));
    Value isZero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, g,
                                         k.f(0.0f));
    g = arith::SelectOp::create(b, loc, isZero, k.f(1.0f), g);
    tensorScale = arith::DivFOp::create(b, loc, k.f(1.0f), g);
  } else {
    tensorScale = k.f(1.0f);
  }

  Value gid = k.globalId();
  Value isFirst =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, gid, k.idx(0));
  k.ifThen(isFirst, [&] {
    memref::StoreOp::create(b, loc, tensorScale, tensorScaleOut,
                            ValueRange{k.idx(0)});
  });
  // Thread i quantizes blocks 4i .. 4i+3 of one row: one scale word.
  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                        gid, k.idx(spec.numScaleWords()));
  k.ifThen(inRange, [&] {
    Value row = arith::DivUIOp::create(b, loc, gid, k.idx(K / (4 * B)));
    Value scaleCol = arith::RemUIOp::create(b, loc, gid, k.idx(K / (4 * B)));
    Value rowBase;
    if (spec.stochastic)
      rowBase = arith::MulIOp::create(b, loc, row, k.idx(K));
    auto loop = scf::ForOp::create(b, loc, k.idx(0), k.idx(4), k.idx(1),
                                   ValueRange{k.i32(0)});
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value q = loop.getInductionVar();
      Value blk = arith::AddIOp::create(
          b, loc, arith::MulIOp::create(b, loc, scaleCol, k.idx(4)), q);
      Value col0 = arith::MulIOp::create(b, loc, blk, k.idx(B));
      auto colAt = [&](int64_t i) {
        return arith::AddIOp::create(b, loc, col0, k.idx(i)).getResult();
      };
      // Block amax (NaN-propagating, as the CPU path).
      Value amaxB = k.f(0.0f);
      for (int64_t i = 0; i < B; ++i)
        amaxB = arith::MaximumFOp::create(b, loc, amaxB,
                                          k.abs(k.loadF32(x, row, colAt(i))));
      Value bits, factor;
      if (nv) {
        Value ds = arith::DivFOp::create(b, loc, amaxB, k.f(6.0f));
        ds = arith::MulFOp::create(b, loc, ds, g);
        ds = arith::MinimumFOp::create(b, loc, ds, k.f(FLT_MAX));
        ds = arith::MaximumFOp::create(b, loc, ds, k.f(-448.0f));
        ds = arith::MinimumFOp::create(b, loc, ds, k.f(448.0f));
        bits = emitRoundE4M3(b, loc, ds);
        Value d = emitDecodeE4M3(b, loc, bits);
        Value e = arith::DivFOp::create(
            b, loc, k.f(1.0f), arith::MulFOp::create(b, loc, d, tensorScale));
        factor = arith::MinimumFOp::create(b, loc, e, k.f(FLT_MAX));
      } else {
        bits = emitMXScaleBits(b, loc, amaxB);
        factor = emitDecodeE8M0(b, loc, bits);
      }
      Value byteShift = arith::MulIOp::create(
          b, loc, arith::IndexCastOp::create(b, loc, b.getI32Type(), q),
          k.i32(8));
      Value scaleWord = arith::OrIOp::create(
          b, loc, loop.getRegionIterArgs()[0],
          arith::ShLIOp::create(
              b, loc, arith::ExtUIOp::create(b, loc, b.getI32Type(), bits),
              byteShift));

      // Codes, 8 per word, element i of a word in bits 4i.
      for (int64_t w = 0; w < B / 8; ++w) {
        Value word = k.i32(0);
        for (int64_t i = 0; i < 8; ++i) {
          Value col = colAt(8 * w + i);
          Value v = k.loadF32(x, row, col);
          v = nv ? arith::MulFOp::create(b, loc, v, factor).getResult()
                 : arith::DivFOp::create(b, loc, v, factor).getResult();
          v = arith::MaximumFOp::create(b, loc, v, k.f(-6.0f));
          v = arith::MinimumFOp::create(b, loc, v, k.f(6.0f));
          Value code;
          if (spec.stochastic) {
            Value index = arith::IndexCastUIOp::create(
                b, loc, b.getI64Type(),
                arith::AddIOp::create(b, loc, rowBase, col));
            code = emitStochasticRoundE2M1(
                b, loc, v, emitElementRandom(b, loc, seed, index));
          } else {
            code = emitRoundE2M1(b, loc, v);
          }
          Value placed = arith::ShLIOp::create(
              b, loc, arith::ExtUIOp::create(b, loc, b.getI32Type(), code),
              k.i32(4 * i));
          word = arith::OrIOp::create(b, loc, word, placed);
        }
        Value wordCol = arith::AddIOp::create(
            b, loc, arith::DivUIOp::create(b, loc, col0, k.idx(8)),
            k.idx(w));
        memref::StoreOp::create(b, loc, word, codes, ValueRange{row, wordCol});
      }
      scf::YieldOp::create(b, loc, scaleWord);
    }
    memref::StoreOp::create(b, loc, loop.getResult(0), scales,
                            ValueRange{row, scaleCol});
  });
  gpu::ReturnOp::create(b, loc);
  return func;
}

gpu::GPUFuncOp
mlir::metis::getOrBuildDequantizeKernel(gpu::GPUModuleOp module,
                                        const DequantizeKernelSpec &spec) {
  std::string name = spec.kernelName();
  if (auto existing = module.lookupSymbol<gpu::GPUFuncOp>(name))
    return existing;
  Builder tb(module.getContext());
  int64_t B = spec.blockSize, K = spec.cols, R = spec.rows;
  auto func = createKernel(module, name,
                           {MemRefType::get({R, K / 8}, tb.getI32Type()),
                            MemRefType::get({R, K / (4 * B)}, tb.getI32Type()),
                            MemRefType::get({1}, tb.getF32Type()),
                            MemRefType::get({R, K}, spec.resultElementType)},
                           spec.gridSize());
  OpBuilder b = OpBuilder::atBlockBegin(&func.getBody().front());
  Location loc = func.getLoc();
  KernelBuilder k(b, loc);
  Value codes = func.getArgument(0), scales = func.getArgument(1);
  Value out = func.getArgument(3);
  Value tensorScale = k.load(func.getArgument(2), {k.idx(0)});

  // Thread i decodes code word i: 8 consecutive elements of one row, all in
  // block 8·(i mod K/8) / B of that row.
  Value gid = k.globalId();
  k.ifThen(k.cmp(arith::CmpIPredicate::ult, gid, R * K / 8), [&] {
    Value row = k.div(gid, K / 8), wordCol = k.rem(gid, K / 8);
    Value word = k.load(codes, {row, wordCol});
    Value blk = k.div(wordCol, B / 8);
    Value scaleWord = k.load(scales, {row, k.div(blk, 4)});
    Value byteShift = k.mul(
        arith::IndexCastOp::create(b, loc, b.getI32Type(), k.rem(blk, 4)), 8);
    Value scaleBits = arith::TruncIOp::create(
        b, loc, b.getI8Type(),
        arith::ShRUIOp::create(b, loc, scaleWord, byteShift));
    // convert-metis-to-linalg's order: e2m1 · (decode(scale) · ts).
    Value scale = arith::MulFOp::create(
        b, loc, emitDecodeScale(b, loc, scaleBits, spec.format), tensorScale);
    Value col0 = k.mul(wordCol, 8);
    for (int64_t i = 0; i < 8; ++i) {
      Value code = arith::ShRUIOp::create(b, loc, word, k.i32(4 * i));
      Value v =
          arith::MulFOp::create(b, loc, emitDecodeE2M1(b, loc, code), scale);
      if (!spec.resultElementType.isF32())
        v = arith::TruncFOp::create(b, loc, spec.resultElementType, v);
      memref::StoreOp::create(b, loc, v, out, ValueRange{row, k.add(col0, i)});
    }
  });
  gpu::ReturnOp::create(b, loc);
  return func;
}
