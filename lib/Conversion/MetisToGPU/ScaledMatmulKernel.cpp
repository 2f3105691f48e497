//===- ScaledMatmulKernel.cpp - Tiled FP4 GEMM kernels --------------------===//
//
// Data layout (docs/GPU.md §Layouts): A and B are row-major with K
// contiguous, packed two E2M1 codes per byte, element k in bits 4(k%8) of
// 32-bit word k/8 (little-endian bytes, low nibble first). The block scales
// of one row and one K tile (4 blocks) form one 32-bit word, block j in byte
// j. Both layouts are what the m16n8k64 block-scale fragments and the
// m16n8k16 bf16 fragments read without shuffles.
//
//===----------------------------------------------------------------------===//

#include "metis/Conversion/MetisToGPU/ScaledMatmulKernel.h"
#include "EmitterBase.h"
#include "metis/Conversion/MetisToLinalg/FP4Emitters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::metis;

using Spec = ScaledMatmulKernelSpec;

// Shared-memory rows are padded by 4 words (16 bytes, keeping cp.async
// 16-byte aligned): with 12- or 20-word rows the 8 rows a fragment load
// touches fall into distinct banks.
static constexpr int64_t kPadWords = 4;
static constexpr int64_t kWarpsN = 4;    // warps along N (2 along M)
static constexpr int64_t kWarpTileM = 64; // 4 MMA tiles of 16 rows
static constexpr int64_t kWarpTileN = 32; // 4 MMA tiles of 8 columns
static constexpr int64_t kMmaTilesM = 4, kMmaTilesN = 4;

std::string Spec::checkShape() const {
  if (m % kTileM || n % kTileN || k % tileK() || k == 0)
    return llvm::formatv(
        "the GPU kernel needs M and N multiples of {0} and K a non-zero "
        "multiple of {1} (4 blocks of {2}); got M={3}, N={4}, K={5} (pad "
        "with zeros)",
        kTileM, tileK(), blockSize, m, n, k);
  return "";
}

std::string Spec::kernelName() const {
  llvm::StringRef inst = instruction == GemmInstruction::Bf16Emulation
                             ? "bf16emu"
                         : instruction == GemmInstruction::MmaBlockScale
                             ? "mmabs"
                             : "tcgen05";
  return llvm::formatv("metis_smm_{0}_{1}_{2}x{3}x{4}_{5}", inst,
                       stringifyFormatKind(format), m, n, k,
                       resultElementType.isF32() ? "f32" : "bf16");
}

SmallVector<Type> Spec::argumentTypes(MLIRContext *ctx) const {
  Builder b(ctx);
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  auto operand = [&](int64_t rows) {
    return SmallVector<Type>{MemRefType::get({rows, k / 8}, i32),
                             MemRefType::get({rows, k / tileK()}, i32),
                             MemRefType::get({1}, f32)};
  };
  SmallVector<Type> types = operand(m);
  llvm::append_range(types, operand(n));
  types.push_back(MemRefType::get({m, n}, resultElementType));
  return types;
}

namespace {

/// Emits the body of one kernel. Accumulators are kept as 64 f32 values per
/// thread (4x4 MMA tiles of 4), in the order tile (i, j) -> [4(4i + j), +4).
class GemmEmitter : EmitterBase {
public:
  GemmEmitter(OpBuilder &b, Location loc, const Spec &spec,
              gpu::GPUFuncOp func)
      : EmitterBase(b, loc), spec(spec), func(func) {}

  void emit();

private:
  Value shr(Value x, Value y) { return arith::ShRUIOp::create(b, loc, x, y); }

  /// Starts the copies of K tile `kt` into stage `stage` and commits them as
  /// one cp.async group; returns the group token.
  Value issueTile(Value kt, Value stage);
  /// An empty cp.async group (keeps the group count uniform at the tail).
  Value emptyGroup();
  /// One K tile of MMAs on stage `stage`.
  SmallVector<Value> computeBf16(Value stage, ValueRange acc);
  SmallVector<Value> computeBlockScale(Value stage, ValueRange acc);
  /// Two E2M1 codes (byte `shift`/8 of `word`) times `scale` as two bf16 in
  /// one i32 (the lower K index in the low half). Exact: the products have at
  /// most 5 significant bits.
  Value decodePairBf16(Value word, Value shift, Value scale);
  void epilogue(ValueRange acc);

  const Spec &spec;
  gpu::GPUFuncOp func;
  Value tid, lane, warpM, warpN, group, thread4, rowBase, colBase;
};

} // namespace

Value GemmEmitter::emptyGroup() {
  return nvgpu::DeviceAsyncCreateGroupOp::create(
      b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), ValueRange{});
}

Value GemmEmitter::issueTile(Value kt, Value stage) {
  auto tokenType = nvgpu::DeviceAsyncTokenType::get(b.getContext());
  Value a = func.getArgument(0), aScales = func.getArgument(1);
  Value bm = func.getArgument(3), bScales = func.getArgument(4);
  auto smem = func.getWorkgroupAttributions();
  int64_t words = spec.tileK() / 8;
  int64_t chunksPerRow = words / 4; // 16-byte chunks
  int64_t chunksPerThread = Spec::kTileM * chunksPerRow / spec.threads();
  SmallVector<Value> tokens;
  Value ktWords = mul(kt, words);
  for (int64_t i = 0; i < chunksPerThread; ++i) {
    Value chunk = add(tid, i * spec.threads());
    Value row = div(chunk, chunksPerRow);
    Value word = mul(rem(chunk, chunksPerRow), 4);
    Value src = add(ktWords, word);
    for (auto [global, shared, base] :
         {std::tuple{a, smem[0], rowBase}, std::tuple{bm, smem[1], colBase}})
      tokens.push_back(nvgpu::DeviceAsyncCopyOp::create(
          b, loc, tokenType, shared, ValueRange{stage, row, word}, global,
          ValueRange{add(base, row), src}, b.getIndexAttr(4),
          /*srcElements=*/Value(), b.getUnitAttr()));
  }
  // Threads 0..127 fetch A's scale words, 128..255 B's (one warp-uniform
  // branch); 4-byte copies go through L1 (.ca), .cg needs 16 bytes.
  Value isA = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, tid,
                                    idx(Spec::kTileM));
  auto ifOp = scf::IfOp::create(b, loc, TypeRange{tokenType}, isA,
                                /*withElseRegion=*/true);
  for (auto [region, global, shared, base, row] :
       {std::tuple{&ifOp.getThenRegion(), aScales, smem[2], rowBase, tid},
        std::tuple{&ifOp.getElseRegion(), bScales, smem[3], colBase,
                   Value()}}) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&region->front());
    Value r = row ? row
                  : arith::SubIOp::create(b, loc, tid, idx(Spec::kTileM))
                        .getResult();
    Value token = nvgpu::DeviceAsyncCopyOp::create(
        b, loc, tokenType, shared, ValueRange{stage, r, idx(0)}, global,
        ValueRange{add(base, r), kt}, b.getIndexAttr(1), Value(), UnitAttr());
    scf::YieldOp::create(b, loc, token);
  }
  tokens.push_back(ifOp.getResult(0));
  return nvgpu::DeviceAsyncCreateGroupOp::create(b, loc, tokenType, tokens);
}

Value GemmEmitter::decodePairBf16(Value word, Value shift, Value scale) {
  Value byte = arith::TruncIOp::create(b, loc, b.getI8Type(), shr(word, shift));
  Value lo = emitDecodeE2M1(b, loc, byte);
  Value hi = emitDecodeE2M1(
      b, loc,
      arith::ShRUIOp::create(
          b, loc, byte,
          arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(4))));
  auto bits = [&](Value v) {
    return arith::BitcastOp::create(b, loc, b.getI32Type(),
                                    arith::MulFOp::create(b, loc, v, scale));
  };
  // An exact product's bf16 is the top half of its f32.
  Value low = shr(bits(lo), i32(16));
  Value high = arith::AndIOp::create(b, loc, bits(hi), i32(0xFFFF0000));
  return arith::OrIOp::create(b, loc, low, high);
}

SmallVector<Value> GemmEmitter::computeBf16(Value stage, ValueRange acc) {
  auto smem = func.getWorkgroupAttributions();
  Type i8 = b.getI8Type();
  // Scale words of the rows/columns this thread's fragments touch.
  SmallVector<Value> rowsA, scaleWordsA, colsB, scaleWordsB;
  for (int64_t i = 0; i < kMmaTilesM; ++i)
    for (int64_t half = 0; half < 2; ++half) {
      Value row = add(add(mul(warpM, kWarpTileM), i * 16 + half * 8), group);
      rowsA.push_back(row);
      scaleWordsA.push_back(load(smem[2], {stage, row, idx(0)}));
    }
  for (int64_t j = 0; j < kMmaTilesN; ++j) {
    Value col = add(add(mul(warpN, kWarpTileN), j * 8), group);
    colsB.push_back(col);
    scaleWordsB.push_back(load(smem[3], {stage, col, idx(0)}));
  }
  Value byteShift = arith::MulIOp::create(
      b, loc, arith::IndexCastOp::create(b, loc, b.getI32Type(), thread4),
      i32(8));

  int64_t steps = spec.tileK() / 16;
  auto loop = scf::ForOp::create(b, loc, idx(0), idx(steps), idx(1), acc);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value s = loop.getInductionVar();
  ValueRange accIn = loop.getRegionIterArgs();
  // k16 step s covers words 2s, 2s+1 of each row, and scale byte
  // s / (blockSize / 16).
  Value w0 = mul(s, 2), w1 = add(w0, 1);
  Value scaleShift = arith::MulIOp::create(
      b, loc,
      arith::IndexCastOp::create(b, loc, b.getI32Type(),
                                 div(s, spec.blockSize / 16)),
      i32(8));
  auto scaleOf = [&](Value wordBits) {
    return emitDecodeScale(
        b, loc, arith::TruncIOp::create(b, loc, i8, shr(wordBits, scaleShift)),
        spec.format);
  };
  SmallVector<std::array<Value, 4>> aFrags;
  for (int64_t i = 0; i < kMmaTilesM; ++i) {
    Value r0 = rowsA[2 * i], r1 = rowsA[2 * i + 1];
    Value s0 = scaleOf(scaleWordsA[2 * i]), s1 = scaleOf(scaleWordsA[2 * i + 1]);
    // m16n8k16 A: a0 (row g, k 2t..2t+1), a1 (row g+8), a2/a3 the same at
    // k+8: byte t of words 2s and 2s+1.
    aFrags.push_back(
        {decodePairBf16(load(smem[0], {stage, r0, w0}), byteShift, s0),
         decodePairBf16(load(smem[0], {stage, r1, w0}), byteShift, s1),
         decodePairBf16(load(smem[0], {stage, r0, w1}), byteShift, s0),
         decodePairBf16(load(smem[0], {stage, r1, w1}), byteShift, s1)});
  }
  SmallVector<std::array<Value, 2>> bFrags;
  for (int64_t j = 0; j < kMmaTilesN; ++j) {
    Value sc = scaleOf(scaleWordsB[j]);
    // B (col): b0 (k 2t..2t+1, column g), b1 at k+8; B is stored N x K, so
    // column g of B is row g of the tile.
    bFrags.push_back(
        {decodePairBf16(load(smem[1], {stage, colsB[j], w0}), byteShift, sc),
         decodePairBf16(load(smem[1], {stage, colsB[j], w1}), byteShift, sc)});
  }
  Type f32 = b.getF32Type();
  auto resultType = LLVM::LLVMStructType::getLiteral(
      b.getContext(), SmallVector<Type>(4, f32));
  SmallVector<Value> out;
  for (int64_t i = 0; i < kMmaTilesM; ++i)
    for (int64_t j = 0; j < kMmaTilesN; ++j) {
      ValueRange c = accIn.slice(4 * (kMmaTilesN * i + j), 4);
      Value d = NVVM::MmaOp::create(
          b, loc, resultType, aFrags[i], bFrags[j], c, {16, 8, 16},
          std::nullopt, std::nullopt,
          std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16,
                                        NVVM::MMATypes::bf16},
          std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                         NVVM::MMALayout::col});
      for (int64_t e = 0; e < 4; ++e)
        out.push_back(LLVM::ExtractValueOp::create(b, loc, d, e));
    }
  scf::YieldOp::create(b, loc, out);
  return SmallVector<Value>(loop.getResults());
}

SmallVector<Value> GemmEmitter::computeBlockScale(Value stage, ValueRange acc) {
  auto smem = func.getWorkgroupAttributions();
  bool nv = spec.format == FormatKind::nvfp4;
  // Scale lanes (thread-id 0): A row m is read from lane 4(m%8) + m/8, so
  // lane l supplies row l/4 + 8(l%2) (lanes with l%4 >= 2 are ignored); B
  // column n from lane 4n. Each supplies the row's whole scale word.
  Value scaleRowA = arith::AddIOp::create(b, loc, group, mul(rem(lane, 2), 8));
  SmallVector<Value> rowsA, scalesA, colsB, scalesB;
  for (int64_t i = 0; i < kMmaTilesM; ++i) {
    Value tileRow = add(mul(warpM, kWarpTileM), i * 16);
    rowsA.push_back(add(tileRow, group));
    Value scaleRow = arith::AddIOp::create(b, loc, tileRow, scaleRowA);
    scalesA.push_back(load(smem[2], {stage, scaleRow, idx(0)}));
  }
  for (int64_t j = 0; j < kMmaTilesN; ++j) {
    Value col = add(add(mul(warpN, kWarpTileN), j * 8), group);
    colsB.push_back(col);
    scalesB.push_back(load(smem[3], {stage, col, idx(0)}));
  }
  Type f32 = b.getF32Type();
  auto resultType = LLVM::LLVMStructType::getLiteral(
      b.getContext(), SmallVector<Type>(4, f32));
  Value threadId = arith::ConstantOp::create(b, loc, b.getI16IntegerAttr(0));
  SmallVector<Value> out(acc.begin(), acc.end());
  // One m16n8k64 per 64 K: NVFP4 one step with 4 scales (x4, byte-id 0),
  // MXFP4 two steps with 2 scales each (x2, byte-id 0 then 2).
  int64_t steps = spec.tileK() / 64;
  for (int64_t s = 0; s < steps; ++s) {
    Value byteId =
        nv || s == 0
            ? threadId
            : arith::ConstantOp::create(b, loc, b.getI16IntegerAttr(2 * s))
                  .getResult();
    // m16n8k64 e2m1 A: a0 (row g, k 8t..8t+7) = word t of the 8-word step,
    // a1 row g+8, a2/a3 the same at k+32 (word t+4).
    Value wLo = add(thread4, 8 * s), wHi = add(thread4, 8 * s + 4);
    SmallVector<std::array<Value, 4>> aFrags;
    for (int64_t i = 0; i < kMmaTilesM; ++i) {
      Value r0 = rowsA[i], r1 = add(rowsA[i], 8);
      aFrags.push_back({load(smem[0], {stage, r0, wLo}),
                        load(smem[0], {stage, r1, wLo}),
                        load(smem[0], {stage, r0, wHi}),
                        load(smem[0], {stage, r1, wHi})});
    }
    SmallVector<std::array<Value, 2>> bFrags;
    for (int64_t j = 0; j < kMmaTilesN; ++j)
      bFrags.push_back({load(smem[1], {stage, colsB[j], wLo}),
                        load(smem[1], {stage, colsB[j], wHi})});
    for (int64_t i = 0; i < kMmaTilesM; ++i)
      for (int64_t j = 0; j < kMmaTilesN; ++j) {
        int64_t base = 4 * (kMmaTilesN * i + j);
        Value d = NVVM::MmaBlockScaleOp::create(
            b, loc, resultType, aFrags[i], bFrags[j],
            ArrayRef<Value>(out).slice(base, 4), scalesA[i], byteId, threadId,
            scalesB[j], byteId, threadId, {16, 8, 64},
            std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::e2m1,
                                          NVVM::MMATypes::e2m1},
            nv ? NVVM::ScaleVecSize::X4 : NVVM::ScaleVecSize::X2,
            nv ? NVVM::BlockScaleFormat::UE4M3 : NVVM::BlockScaleFormat::UE8M0,
            nv ? NVVM::MMABlockScaleKind::MXF4NVF4
               : NVVM::MMABlockScaleKind::MXF4);
        for (int64_t e = 0; e < 4; ++e)
          out[base + e] = LLVM::ExtractValueOp::create(b, loc, d, e);
      }
  }
  return out;
}

void GemmEmitter::epilogue(ValueRange acc) {
  Value c = func.getArgument(6);
  Value scale = arith::MulFOp::create(b, loc,
                                      load(func.getArgument(2), {idx(0)}),
                                      load(func.getArgument(5), {idx(0)}));
  Value col2 = mul(thread4, 2);
  for (int64_t i = 0; i < kMmaTilesM; ++i)
    for (int64_t j = 0; j < kMmaTilesN; ++j) {
      // C fragment: c0,c1 (row g, columns 2t, 2t+1), c2,c3 (row g+8).
      Value row = add(rowBase, add(add(mul(warpM, kWarpTileM), i * 16), group));
      Value col = add(colBase, add(add(mul(warpN, kWarpTileN), j * 8), col2));
      for (int64_t e = 0; e < 4; ++e) {
        Value v = arith::MulFOp::create(b, loc, acc[4 * (kMmaTilesN * i + j) + e],
                                        scale);
        if (!spec.resultElementType.isF32())
          v = arith::TruncFOp::create(b, loc, spec.resultElementType, v);
        memref::StoreOp::create(b, loc, v, c,
                                ValueRange{add(row, (e / 2) * 8),
                                           add(col, e % 2)});
      }
    }
}

void GemmEmitter::emit() {
  tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  Value bx = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value by = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  lane = rem(tid, 32);
  Value warp = div(tid, 32);
  warpM = div(warp, kWarpsN);
  warpN = rem(warp, kWarpsN);
  group = div(lane, 4);
  thread4 = rem(lane, 4);
  rowBase = mul(by, Spec::kTileM);
  colBase = mul(bx, Spec::kTileN);

  int64_t stages = spec.stages();
  int64_t kTiles = spec.k / spec.tileK();
  // Prologue: tiles 0 .. stages-2 in flight, one group each.
  Value last;
  for (int64_t t = 0; t + 1 < stages; ++t)
    last = t < kTiles ? issueTile(idx(t), idx(t)) : emptyGroup();

  SmallVector<Value> init{last};
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  init.append(kMmaTilesM * kMmaTilesN * 4, zero);
  auto loop = scf::ForOp::create(b, loc, idx(0), idx(kTiles), idx(1), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kt = loop.getInductionVar();
    // Tile kt has landed once at most stages-2 younger groups are pending;
    // the barrier also retires every read of the stage refilled below.
    nvgpu::DeviceAsyncWaitOp::create(b, loc, loop.getRegionIterArgs()[0],
                                     b.getI32IntegerAttr(stages - 2));
    gpu::BarrierOp::create(b, loc);
    Value next = add(kt, stages - 1);
    Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                          next, idx(kTiles));
    auto tokenType = nvgpu::DeviceAsyncTokenType::get(b.getContext());
    auto ifOp = scf::IfOp::create(b, loc, TypeRange{tokenType}, inRange, true);
    {
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      scf::YieldOp::create(b, loc, issueTile(next, rem(next, stages)));
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      scf::YieldOp::create(b, loc, emptyGroup());
    }
    Value stage = rem(kt, stages);
    ValueRange acc = loop.getRegionIterArgs().drop_front();
    SmallVector<Value> out =
        spec.instruction == GemmInstruction::MmaBlockScale
            ? computeBlockScale(stage, acc)
            : computeBf16(stage, acc);
    SmallVector<Value> yielded{ifOp.getResult(0)};
    yielded.append(out);
    scf::YieldOp::create(b, loc, yielded);
  }
  epilogue(loop.getResults().drop_front());
  gpu::ReturnOp::create(b, loc);
}

gpu::GPUFuncOp
mlir::metis::getOrBuildScaledMatmulKernel(gpu::GPUModuleOp module,
                                          const Spec &spec) {
  std::string name = spec.kernelName();
  if (auto existing = module.lookupSymbol<gpu::GPUFuncOp>(name))
    return existing;
  if (spec.instruction == GemmInstruction::Tcgen05)
    return buildTcgen05ScaledMatmulKernel(module, spec);
  MLIRContext *ctx = module.getContext();
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  Location loc = module.getLoc();
  Type i32 = b.getI32Type();
  auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  int64_t stages = spec.stages();
  int64_t rowWords = spec.tileK() / 8 + kPadWords;
  SmallVector<Type> smem{
      MemRefType::get({stages, Spec::kTileM, rowWords}, i32, nullptr,
                      workgroup),
      MemRefType::get({stages, Spec::kTileN, rowWords}, i32, nullptr,
                      workgroup),
      MemRefType::get({stages, Spec::kTileM, 1}, i32, nullptr, workgroup),
      MemRefType::get({stages, Spec::kTileN, 1}, i32, nullptr, workgroup)};
  // cp.async.cg copies 16 bytes and needs 16-byte aligned shared addresses;
  // the lowering's default alignment is the element size (4).
  auto func = createScaledMatmulKernelFunc(
      b, module, spec, smem, SmallVector<int64_t>(smem.size(), 16));
  GemmEmitter(b, loc, spec, func).emit();
  return func;
}

gpu::GPUFuncOp
mlir::metis::createScaledMatmulKernelFunc(OpBuilder &b, gpu::GPUModuleOp module,
                                          const Spec &spec, ArrayRef<Type> smem,
                                          ArrayRef<int64_t> alignments) {
  b.setInsertionPointToEnd(module.getBody());
  auto func = gpu::GPUFuncOp::create(
      b, module.getLoc(), spec.kernelName(),
      b.getFunctionType(spec.argumentTypes(module.getContext()), {}), smem);
  for (auto [i, alignment] : llvm::enumerate(alignments))
    func.setWorkgroupAttributionAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                                     b.getI64IntegerAttr(alignment));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({int32_t(spec.threads()), 1, 1}));
  // .maxntid lets ptxas budget registers for exactly this many threads.
  func->setAttr(NVVM::NVVMDialect::getMaxntidAttrName(),
                b.getDenseI32ArrayAttr({int32_t(spec.threads()), 1, 1}));
  func.setKnownGridSizeAttr(b.getDenseI32ArrayAttr(
      {int32_t(spec.n / Spec::kTileN), int32_t(spec.m / Spec::kTileM), 1}));
  b.setInsertionPointToStart(&func.getBody().front());
  return func;
}
