//===- Tcgen05Kernel.cpp - FP4 GEMM on sm_100a tensor cores ---------------===//
//
// The sm_100a kernel of `metis.scaled_matmul` (docs/GPU.md §sm_100a). One
// warpgroup (128 threads) computes a 128x128 tile of C with asynchronous
// `tcgen05.mma.cta_group::1` block-scaled MMAs of 128x128x64 whose f32
// accumulator lives in tensor memory (TMEM):
//
// - cp.async brings each K tile's packed E2M1 rows into shared memory in the
//   canonical K-major, no-swizzle layout (8-row x 16-byte core matrices) the
//   shared-memory descriptors describe, and each row's scale word into the
//   512-byte block `tcgen05.cp ... 32x128b.warpx4` copies to TMEM;
// - one thread copies the scales to TMEM, issues the MMA(s) of the tile and
//   commits them to the stage's mbarrier; every thread waits on that
//   mbarrier before refilling the stage (cp->mma from one thread is ordered
//   by the PTX pipelining rules, mma->cp is not, so a stage's scale columns
//   are only rewritten after its MMAs completed);
// - at the end each warp reads its 32 accumulator lanes with tcgen05.ld and
//   stores C scaled by the product of the tensor scales.
//
// The descriptor encodings follow the PTX ISA (tcgen05 "Shared memory
// descriptor", "Instruction descriptor", "Block Scaling"); CUTLASS's
// UMMA::SmemDescriptor / InstrDescriptorBlockScaled and tmem_sf_frg agree.
// None of it has run on a B200: ptxas accepts it, the unit tests check the
// encodings against the PTX tables, nothing more.
//
//===----------------------------------------------------------------------===//

#include "metis/Conversion/MetisToGPU/ScaledMatmulKernel.h"
#include "EmitterBase.h"
#include "metis/Conversion/MetisToGPU/Tcgen05Descriptors.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::metis;

using Spec = ScaledMatmulKernelSpec;

namespace {

// TMEM columns: the 128 f32 accumulator columns, then per stage 4 columns
// of A scales and 4 of B scales (one column per 32 rows). Allocations are
// powers of two.
constexpr int64_t kAccColumns = Spec::kTileN;
constexpr int64_t kScaleColumns = 4;
constexpr int64_t kTmemColumns = 256;
// One scale block copied by tcgen05.cp 32x128b.warpx4: 128 rows x 4 bytes,
// row r at byte 16 (r % 32) + 4 (r / 32).
constexpr int64_t kScaleBlockBytes = 512;
// Bytes of one core matrix (8 rows x 16 bytes) and of one MMA's K (64 FP4).
constexpr int64_t kCoreMatrixBytes = 128;
constexpr int64_t kMmaK = 64;
// The suspend-time hint of mbarrier.try_wait (ns), as CUTLASS uses.
constexpr int64_t kWaitHintNs = 0x989680;

class Tcgen05Emitter : EmitterBase {
public:
  Tcgen05Emitter(OpBuilder &b, Location loc, const Spec &spec,
                 gpu::GPUFuncOp func)
      : EmitterBase(b, loc), spec(spec), func(func) {}

  void emit();

private:
  Value toI32(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI32Type(), index);
  }

  /// The shared-window byte address of workgroup buffer `i`, as i32.
  Value sharedAddress(unsigned i);
  Value sharedPtr(Value address) {
    return LLVM::IntToPtrOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext(), 3), address);
  }
  Value tmemPtr(Value address) {
    return LLVM::IntToPtrOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext(), 6), address);
  }
  Value mbarrier(Value stage) {
    return sharedPtr(add(mbarrierBase, mul(toI32(stage), 8)));
  }
  Value smemDescriptor(Value address, int64_t leadingBytes,
                       int64_t strideBytes);

  int64_t chunksPerRow() const { return spec.tileK() / 32; }
  int64_t tileBytes() const { return Spec::kTileM * spec.tileK() / 2; }

  /// Starts the cp.async copies of K tile `kt` into `stage`; returns the
  /// committed group's token.
  Value issueTile(Value kt, Value stage);
  /// Blocks until the MMAs of K tile `kt` have completed.
  void waitMmas(Value kt);
  /// Thread 0: scales to TMEM, the tile's MMAs, the commit.
  void issueMmas(Value kt, Value stage);
  void epilogue();

  const Spec &spec;
  gpu::GPUFuncOp func;
  Value tid, warp, lane, rowBase, colBase;
  Value aBase, bBase, aScaleBase, bScaleBase, mbarrierBase, tmemBase;
};

} // namespace

Value Tcgen05Emitter::sharedAddress(unsigned i) {
  Value buffer = func.getWorkgroupAttributions()[i];
  Value address =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  return toI32(address);
}

Value Tcgen05Emitter::smemDescriptor(Value address, int64_t leadingBytes,
                                     int64_t strideBytes) {
  // The constant fields come from getTcgen05SmemDescriptor (unit-tested
  // against the PTX table); only the start address is known at run time.
  // (nvvm.tcgen05.mma_smem_desc would do the same but leaves the >> 4
  // encoding of every byte quantity to the caller.)
  uint64_t fields = getTcgen05SmemDescriptor(0, uint32_t(leadingBytes),
                                             uint32_t(strideBytes));
  Value start = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, address, i32(4)), i32(0x3FFF));
  Value start64 = arith::ExtUIOp::create(b, loc, b.getI64Type(), start);
  Value constant =
      arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(int64_t(fields)));
  return arith::OrIOp::create(b, loc, constant, start64);
}

Value Tcgen05Emitter::issueTile(Value kt, Value stage) {
  auto tokenType = nvgpu::DeviceAsyncTokenType::get(b.getContext());
  auto smem = func.getWorkgroupAttributions();
  Value a = func.getArgument(0), aScales = func.getArgument(1);
  Value bm = func.getArgument(3), bScales = func.getArgument(4);
  int64_t rowWords = spec.tileK() / 8;
  int64_t chunks = Spec::kTileM * chunksPerRow();
  SmallVector<Value> tokens;
  // Chunk q = 16 bytes (4 words) of row q / chunksPerRow: consecutive
  // threads read consecutive global chunks. In shared memory, chunk c of row
  // r is row r % 8 of core matrix (r / 8, c): word 32 (chunksPerRow (r / 8)
  // + c) + 4 (r % 8).
  for (int64_t i = 0; i < chunks / spec.threads(); ++i) {
    Value q = add(tid, i * spec.threads());
    Value row = div(q, chunksPerRow()), chunk = rem(q, chunksPerRow());
    Value coreMatrix = add(mul(div(row, 8), chunksPerRow()), chunk);
    Value dst = add(mul(coreMatrix, 32), mul(rem(row, 8), 4));
    Value src = add(mul(kt, rowWords), mul(chunk, 4));
    for (auto [global, shared, base] :
         {std::tuple{a, smem[0], rowBase}, std::tuple{bm, smem[1], colBase}})
      tokens.push_back(nvgpu::DeviceAsyncCopyOp::create(
          b, loc, tokenType, shared, ValueRange{stage, dst}, global,
          ValueRange{add(base, row), src}, b.getIndexAttr(4),
          /*srcElements=*/Value(), /*bypassL1=*/b.getUnitAttr()));
  }
  // Thread t fetches the scale word of row t of A and of B into the
  // tcgen05.cp block position 4 (t % 32) + t / 32.
  Value dst = add(mul(rem(tid, 32), 4), div(tid, 32));
  for (auto [global, shared, base] : {std::tuple{aScales, smem[2], rowBase},
                                      std::tuple{bScales, smem[3], colBase}})
    tokens.push_back(nvgpu::DeviceAsyncCopyOp::create(
        b, loc, tokenType, shared, ValueRange{stage, dst}, global,
        ValueRange{add(base, tid), kt}, b.getIndexAttr(1), Value(),
        UnitAttr()));
  return nvgpu::DeviceAsyncCreateGroupOp::create(b, loc, tokenType, tokens);
}

void Tcgen05Emitter::waitMmas(Value kt) {
  Value stage = rem(kt, spec.stages());
  // The stage's mbarrier completes one phase per use: use kt / stages.
  Value parity =
      arith::AndIOp::create(b, loc, toI32(div(kt, spec.stages())), i32(1));
  NVVM::MBarrierTryWaitParityOp::create(b, loc, mbarrier(stage), parity,
                                        i32(kWaitHintNs));
}

void Tcgen05Emitter::issueMmas(Value kt, Value stage) {
  bool nv = spec.format == FormatKind::nvfp4;
  NVVM::Tcgen05FenceOp::create(b, loc,
                               NVVM::Tcgen05FenceKind::AFTER_THREAD_SYNC);
  Value stageI32 = toI32(stage);
  // Scales: shared block -> 4 TMEM columns, each 32-lane row group copied to
  // all four lane quarters (warpx4), as the block-scaled MMA reads them.
  SmallVector<Value, 2> scaleTmem;
  std::array<Value, 2> scaleBases{aScaleBase, bScaleBase};
  for (auto [i, shared] : llvm::enumerate(scaleBases)) {
    Value column = add(add(tmemBase, kAccColumns + int64_t(i) * kScaleColumns),
                       mul(stageI32, 2 * kScaleColumns));
    Value source = add(shared, mul(stageI32, kScaleBlockBytes));
    scaleTmem.push_back(tmemPtr(column));
    NVVM::Tcgen05CpOp::create(b, loc, NVVM::Tcgen05CpShape::SHAPE_32x128b,
                              NVVM::CTAGroupKind::CTA_1,
                              NVVM::Tcgen05CpMulticast::WARPX4,
                              /*srcFormat=*/nullptr, scaleTmem.back(),
                              smemDescriptor(source, /*leadingBytes=*/0,
                                             /*strideBytes=*/kCoreMatrixBytes));
  }
  // K-major operands: core matrices adjacent in K are 128 bytes apart,
  // 8-row groups chunksPerRow core matrices apart; MMA j of the tile starts
  // at K chunk 2j.
  int64_t stride = chunksPerRow() * kCoreMatrixBytes;
  Value notFirstTile = cmp(arith::CmpIPredicate::ne, kt, 0);
  Value tile = mul(stageI32, tileBytes());
  for (int64_t j = 0; j < spec.tileK() / kMmaK; ++j) {
    int64_t offset = j * 2 * kCoreMatrixBytes;
    Value aDesc =
        smemDescriptor(add(add(aBase, tile), offset), kCoreMatrixBytes, stride);
    Value bDesc =
        smemDescriptor(add(add(bBase, tile), offset), kCoreMatrixBytes, stride);
    // MXFP4: the scale word's bytes 0-1 serve MMA 0, bytes 2-3 MMA 1.
    Value idesc = i32(
        getTcgen05InstrDescriptor(spec.format == FormatKind::mxfp4,
                                  Spec::kTileM, Spec::kTileN, uint32_t(2 * j)));
    Value accumulate =
        j == 0 ? notFirstTile
               : arith::ConstantOp::create(b, loc, b.getBoolAttr(true))
                     .getResult();
    NVVM::Tcgen05MMABlockScaleOp::create(
        b, loc,
        nv ? NVVM::MMABlockScaleKind::MXF4NVF4 : NVVM::MMABlockScaleKind::MXF4,
        NVVM::CTAGroupKind::CTA_1,
        nv ? NVVM::Tcgen05MMABlockScale::BLOCK16
           : NVVM::Tcgen05MMABlockScale::BLOCK32,
        NVVM::Tcgen05MMACollectorOp::DISCARD, tmemPtr(tmemBase), aDesc, bDesc,
        idesc, accumulate, scaleTmem[0], scaleTmem[1]);
  }
  NVVM::Tcgen05CommitOp::create(b, loc, mbarrier(stage),
                                /*multicastMask=*/Value());
}

void Tcgen05Emitter::epilogue() {
  waitMmas(idx(spec.k / spec.tileK() - 1));
  NVVM::Tcgen05FenceOp::create(b, loc,
                               NVVM::Tcgen05FenceKind::AFTER_THREAD_SYNC);
  // Warp w may access TMEM lanes 32w..32w+31 (accumulator rows); thread t of
  // the warp gets row 32w + t, 32 consecutive columns per load.
  constexpr int64_t kColumnsPerLoad = 32;
  Value laneAddress = add(
      tmemBase,
      arith::ShLIOp::create(b, loc, mul(toI32(warp), 32), i32(16)).getResult());
  auto vectorType = VectorType::get({kColumnsPerLoad}, b.getI32Type());
  SmallVector<Value> loads;
  for (int64_t c = 0; c < kAccColumns / kColumnsPerLoad; ++c)
    loads.push_back(NVVM::Tcgen05LdOp::create(
        b, loc, vectorType, /*pack=*/false,
        NVVM::Tcgen05LdStShape::SHAPE_32X32B,
        tmemPtr(add(laneAddress, c * kColumnsPerLoad)), /*offset=*/Value()));
  NVVM::Tcgen05WaitOp::create(b, loc, NVVM::Tcgen05WaitKind::LOAD);

  Value c = func.getArgument(6);
  auto load = [&](Value mem) {
    return memref::LoadOp::create(b, loc, mem, ValueRange{idx(0)});
  };
  Value scale = arith::MulFOp::create(b, loc, load(func.getArgument(2)),
                                      load(func.getArgument(5)));
  Value row = add(rowBase, add(mul(warp, 32), lane));
  for (auto [chunk, vec] : llvm::enumerate(loads))
    for (int64_t e = 0; e < kColumnsPerLoad; ++e) {
      Value bits = LLVM::ExtractElementOp::create(b, loc, vec, i32(e));
      Value v = arith::MulFOp::create(
          b, loc, arith::BitcastOp::create(b, loc, b.getF32Type(), bits),
          scale);
      if (!spec.resultElementType.isF32())
        v = arith::TruncFOp::create(b, loc, spec.resultElementType, v);
      Value col = add(colBase, int64_t(chunk) * kColumnsPerLoad + e);
      memref::StoreOp::create(b, loc, v, c, ValueRange{row, col});
    }
}

void Tcgen05Emitter::emit() {
  tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  warp = div(tid, 32);
  lane = rem(tid, 32);
  rowBase =
      mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::y), Spec::kTileM);
  colBase =
      mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::x), Spec::kTileN);
  aBase = sharedAddress(0);
  bBase = sharedAddress(1);
  aScaleBase = sharedAddress(2);
  bScaleBase = sharedAddress(3);
  mbarrierBase = sharedAddress(4);
  Value slot = sharedPtr(sharedAddress(5));
  int64_t stages = spec.stages();

  // Warp 0 allocates TMEM (a warp-collective) and thread 0 initializes the
  // mbarriers (one arrival each: the commit); the barrier publishes both.
  Value isWarp0 = cmp(arith::CmpIPredicate::eq, warp, 0);
  ifThen(isWarp0, [&] {
    NVVM::Tcgen05AllocOp::create(b, loc, slot, i32(kTmemColumns));
    NVVM::Tcgen05RelinquishAllocPermitOp::create(b, loc);
  });
  Value isThread0 = cmp(arith::CmpIPredicate::eq, tid, 0);
  ifThen(isThread0, [&] {
    for (int64_t s = 0; s < stages; ++s)
      NVVM::MBarrierInitOp::create(b, loc, mbarrier(idx(s)), i32(1),
                                   /*predicate=*/Value());
    // The tensor core arrives on them (tcgen05.commit): make the
    // initialization visible beyond the generic proxy, as CUTLASS does.
    NVVM::FenceMbarrierInitOp::create(b, loc);
  });
  NVVM::Tcgen05FenceOp::create(b, loc,
                               NVVM::Tcgen05FenceKind::BEFORE_THREAD_SYNC);
  gpu::BarrierOp::create(b, loc);
  NVVM::Tcgen05FenceOp::create(b, loc,
                               NVVM::Tcgen05FenceKind::AFTER_THREAD_SYNC);
  tmemBase = memref::LoadOp::create(b, loc, func.getWorkgroupAttributions()[5],
                                    ValueRange{idx(0)});

  // Stage (kt + ahead) % stages is refilled at iteration kt once the MMAs of
  // tile kt + ahead - stages (= kt - lag) completed.
  int64_t kTiles = spec.k / spec.tileK();
  int64_t lag = stages >= 4 ? 2 : 1;
  int64_t ahead = stages - lag;
  auto tokenType = nvgpu::DeviceAsyncTokenType::get(b.getContext());
  auto emptyGroup = [&] {
    return nvgpu::DeviceAsyncCreateGroupOp::create(b, loc, tokenType,
                                                   ValueRange{});
  };
  Value last;
  for (int64_t t = 0; t < ahead; ++t)
    last = t < kTiles ? issueTile(idx(t), idx(t)) : emptyGroup();

  auto loop =
      scf::ForOp::create(b, loc, idx(0), idx(kTiles), idx(1), ValueRange{last});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kt = loop.getInductionVar();
    ifThen(cmp(arith::CmpIPredicate::uge, kt, lag),
           [&] { waitMmas(arith::SubIOp::create(b, loc, kt, idx(lag))); });
    Value next = add(kt, ahead);
    auto ifOp = scf::IfOp::create(b, loc, TypeRange{tokenType},
                                  cmp(arith::CmpIPredicate::ult, next, kTiles),
                                  /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      scf::YieldOp::create(b, loc, issueTile(next, rem(next, stages)));
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      scf::YieldOp::create(b, loc, emptyGroup().getResult());
    }
    // Tile kt has landed once at most `ahead` younger groups are pending.
    // The tensor core reads shared memory through the async proxy: each
    // thread fences its own cp.async writes, the barrier gathers them.
    nvgpu::DeviceAsyncWaitOp::create(b, loc, loop.getRegionIterArgs()[0],
                                     b.getI32IntegerAttr(ahead));
    NVVM::FenceProxyOp::create(
        b, loc, NVVM::ProxyKind::async_shared,
        NVVM::SharedSpaceAttr::get(b.getContext(),
                                   NVVM::SharedSpace::shared_cta));
    gpu::BarrierOp::create(b, loc);
    Value stage = rem(kt, stages);
    ifThen(isThread0, [&] { issueMmas(kt, stage); });
    scf::YieldOp::create(b, loc, ifOp.getResult(0));
  }
  epilogue();

  // Every thread's tcgen05.ld completed before warp 0 frees the columns.
  NVVM::Tcgen05FenceOp::create(b, loc,
                               NVVM::Tcgen05FenceKind::BEFORE_THREAD_SYNC);
  gpu::BarrierOp::create(b, loc);
  ifThen(isWarp0, [&] {
    NVVM::Tcgen05FenceOp::create(b, loc,
                                 NVVM::Tcgen05FenceKind::AFTER_THREAD_SYNC);
    NVVM::Tcgen05DeallocOp::create(b, loc, tmemPtr(tmemBase),
                                   i32(kTmemColumns));
  });
  gpu::ReturnOp::create(b, loc);
}

gpu::GPUFuncOp
mlir::metis::buildTcgen05ScaledMatmulKernel(gpu::GPUModuleOp module,
                                            const Spec &spec) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  Location loc = module.getLoc();
  Type i32 = b.getI32Type();
  auto workgroup =
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  int64_t stages = spec.stages();
  int64_t tileWords = Spec::kTileM * spec.tileK() / 8;
  SmallVector<Type> smem{
      MemRefType::get({stages, tileWords}, i32, nullptr, workgroup),
      MemRefType::get({stages, tileWords}, i32, nullptr, workgroup),
      MemRefType::get({stages, Spec::kTileM}, i32, nullptr, workgroup),
      MemRefType::get({stages, Spec::kTileN}, i32, nullptr, workgroup),
      MemRefType::get({stages}, b.getI64Type(), nullptr, workgroup),
      MemRefType::get({1}, i32, nullptr, workgroup)};
  // Descriptors need 16-byte aligned shared addresses (cp.async.cg too).
  auto func = createScaledMatmulKernelFunc(b, module, spec, smem,
                                           {128, 128, 128, 128, 8, 8});
  Tcgen05Emitter(b, loc, spec, func).emit();
  return func;
}
