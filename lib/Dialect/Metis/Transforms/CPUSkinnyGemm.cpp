//===- CPUSkinnyGemm.cpp - f32 contractions with one narrow side ----------===//
//
// The spectral split's large products, X·Q and Qᵀ·X with Q of l = k + p
// (~20) columns, stream a large X against a narrow operand. The BLIS nest
// of metis-cpu-gemm packs X (one more write and read of each element), and
// its 8x32 register tile is 62 % padding at l = 20. Here X is read once, in
// place, one vector of V lanes (16 on AVX-512, 8 on AVX2) along its long
// dim t at a time, against all s ≤ 64 rows of the narrow operand P:
//
//   for each chunk of t (one tile, or whole rows of V-wide tiles)
//     Cs[s][chunk] = C                 scratch, in L1/L2
//     for k0 in K step V
//       for each V-wide tile: x_kk = L(t tile, k0 + kk), kk < V,
//         loaded as vectors (t unit-stride) or as V rows of V k
//         transposed in registers (k unit-stride)
//         for groups of V/2 rows i: Cs[i] += P(i, k0 + kk) · x_kk,
//         kk ascending
//     C = Cs
//
// Every C element still accumulates its k steps in ascending order, one
// multiply-add each as the generic's body (mulf then addf, or math.fma),
// so the bits are those of the loops.
//
// Loop order by L's layout: t unit-stride ("direct"): k blocks outside the
// tiles of a chunk, so each block reads V whole rows of L sequentially;
// k unit-stride ("transposed"): one V-row tile per chunk, k inside, so the
// V rows are again read sequentially. Chunks are independent: with
// threads > 1 they are an scf.parallel.
//
//===----------------------------------------------------------------------===//

#include "CPUGemmUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::metis;

namespace {

/// Cs of a direct L holds at most this many floats (256 KiB, in L2).
constexpr int64_t kMaxScratch = 65536;
/// How far ahead each row of L is prefetched, in 64-byte lines.
constexpr int64_t kPrefetchLines = 8;

class SkinnyBuilder {
public:
  SkinnyBuilder(OpBuilder &b, Location loc, const SkinnyGemm &g)
      : b(b), loc(loc), g(g), direct(isUnitInnermost(g.l, g.lRowDim)),
        lanes(g.lanes), groupRows(g.lanes / 2) {}

  void build() {
    // Direct: one chunk per thread (whole rows of L per k block), narrower
    // if Cs would not stay in L2. Transposed: one tile per chunk.
    int64_t chunk = lanes;
    if (direct) {
      int64_t perThread =
          llvm::divideCeil(g.t, std::max<int64_t>(g.threads, 1));
      int64_t fits = std::max<int64_t>(kMaxScratch / g.s / lanes, 1);
      chunk =
          std::min<int64_t>(llvm::divideCeil(perThread, lanes), fits) * lanes;
    }
    bool parallel = g.threads > 1;
    packP();
    Value cs;
    if (!parallel)
      cs = alloc(chunk);
    forLoop(parallel, idx(0), idx(g.t), chunk, [&](Value t0) {
      Value buf = parallel ? alloc(chunk) : cs;
      chunkOfC(buf, t0, chunk);
      if (parallel)
        memref::DeallocOp::create(b, loc, buf);
    });
    if (!parallel)
      memref::DeallocOp::create(b, loc, cs);
    memref::DeallocOp::create(b, loc, pp);
  }

  /// Y = X·V, then Gᵀ = Yᵀ·X, one tile of rows of X at a time (this
  /// builder is the first product's, `second` the second's; see
  /// emitSkinnyGramPair).
  void buildGramPair(const SkinnyGemm &second) {
    SkinnyBuilder two(b, loc, second);
    packP();
    // The second product's P(i, k) = Y(k, i): Y itself is its k-major copy.
    two.pp = second.p;
    Value cs = alloc(lanes);
    // Gᵀ (static row-major, s x t) is the second's scratch, unless t is not
    // a multiple of the lanes: the edge tile's vectors then need a scratch
    // padded to whole vectors.
    Value gs = second.c;
    Value t = idx(second.t);
    bool padded = second.t % lanes != 0;
    if (padded) {
      gs = two.alloc(llvm::divideCeil(second.t, lanes) * lanes);
      two.copyC(gs, idx(0), t, /*in=*/true);
    }
    // One tile of rows of X: its rows of Y over all of X's k, then its kn
    // k steps of Gᵀ over all of Gᵀ's columns.
    auto tileOfRows = [&](Value t0, int64_t kn) {
      chunkOfC(cs, t0, lanes);
      two.tiles(gs, idx(0), t, t0, kn);
    };
    int64_t tFull = g.t / lanes * lanes;
    forLoop(false, idx(0), idx(tFull), lanes,
            [&](Value t0) { tileOfRows(t0, lanes); });
    if (tFull != g.t)
      tileOfRows(idx(tFull), g.t - tFull);
    if (padded) {
      two.copyC(gs, idx(0), t, /*in=*/false);
      memref::DeallocOp::create(b, loc, gs);
    }
    memref::DeallocOp::create(b, loc, cs);
    memref::DeallocOp::create(b, loc, pp);
  }

private:
  /// C's columns t0 .. t0 + chunk - 1 (fewer at the end), through the
  /// scratch `cs`, over all k.
  void chunkOfC(Value cs, Value t0, int64_t chunk) {
    Value width = min(idx(chunk), sub(idx(g.t), t0));
    copyC(cs, t0, width, /*in=*/true);
    int64_t kFull = g.k / lanes * lanes;
    forLoop(false, idx(0), idx(kFull), lanes,
            [&](Value k0) { tiles(cs, t0, width, k0, lanes); });
    if (kFull != g.k)
      tiles(cs, t0, width, idx(kFull), g.k - kFull);
    copyC(cs, t0, width, /*in=*/false);
  }

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  VectorType vecType() { return VectorType::get({lanes}, b.getF32Type()); }

  Value alloc(int64_t chunk) {
    return memref::AllocOp::create(
        b, loc, MemRefType::get({g.s, chunk}, b.getF32Type()),
        b.getI64IntegerAttr(64));
  }

  /// scf.for (or scf.parallel) lb..ub step `step`, body built by `fn`.
  void forLoop(bool parallel, Value lb, Value ub, int64_t step,
               function_ref<void(Value)> fn) {
    OpBuilder::InsertionGuard guard(b);
    if (parallel) {
      auto par = scf::ParallelOp::create(b, loc, ValueRange{lb}, ValueRange{ub},
                                         ValueRange{idx(step)});
      b.setInsertionPoint(par.getBody()->getTerminator());
      fn(par.getInductionVars()[0]);
      return;
    }
    auto forOp = scf::ForOp::create(b, loc, lb, ub, idx(step));
    b.setInsertionPoint(forOp.getBody()->getTerminator());
    fn(forOp.getInductionVar());
  }

  /// Indices of element (row, k) of an operand indexed [rowDim, kDim].
  static SmallVector<Value> at(unsigned rowDim, unsigned kDim, Value row,
                               Value k) {
    SmallVector<Value> ivs(2);
    ivs[rowDim] = row;
    ivs[kDim] = k;
    return ivs;
  }
  SmallVector<Value> cAt(Value i, Value t) {
    return g.cTransposed ? SmallVector<Value>{t, i} : SmallVector<Value>{i, t};
  }

  /// Pp[k, i] = P(i, k): the s values of a k step contiguous. P's own rows
  /// may lie a power of two apart, in one L1 set (Qᵀ of 4096 columns: 20
  /// rows 16 KiB apart, against 12 ways).
  void packP() {
    pp = memref::AllocOp::create(b, loc,
                                 MemRefType::get({g.k, g.s}, b.getF32Type()),
                                 b.getI64IntegerAttr(64));
    forLoop(false, idx(0), idx(g.k), 1, [&](Value k) {
      forLoop(false, idx(0), idx(g.s), 1, [&](Value i) {
        memref::StoreOp::create(
            b, loc,
            memref::LoadOp::create(b, loc, g.p, at(g.pRowDim, g.pKDim, i, k)),
            pp, ValueRange{k, i});
      });
    });
  }

  /// Asks for L(row, k) `kPrefetchLines` lines ahead along L's unit-stride
  /// dim (clamped to the last element): the rows of a tile lie a row
  /// pitch apart, too many streams for the hardware prefetcher alone.
  void prefetch(Value row, Value k) {
    int64_t ahead = kPrefetchLines * 64 / 4;
    if (direct)
      row = min(add(row, idx(ahead)), idx(g.t - 1));
    else
      k = min(add(k, idx(ahead)), idx(g.k - 1));
    memref::PrefetchOp::create(b, loc, g.l, at(g.lRowDim, g.lKDim, row, k),
                               /*isWrite=*/false, /*localityHint=*/3,
                               /*isDataCache=*/true);
  }

  /// Cs[i, j] = C(i, t0 + j) (from the folded copy's source, if any) or
  /// back, for the valid columns j < width.
  void copyC(Value cs, Value t0, Value width, bool in) {
    Value src = in && g.cInit ? g.cInit : g.c;
    forLoop(false, idx(0), idx(g.s), 1, [&](Value i) {
      forLoop(false, idx(0), width, 1, [&](Value j) {
        SmallVector<Value> cIdx = cAt(i, add(t0, j));
        if (in)
          memref::StoreOp::create(b, loc,
                                  memref::LoadOp::create(b, loc, src, cIdx), cs,
                                  ValueRange{i, j});
        else
          memref::StoreOp::create(
              b, loc, memref::LoadOp::create(b, loc, cs, ValueRange{i, j}), g.c,
              cIdx);
      });
    });
  }

  /// All tiles of the chunk over k0 .. k0 + kn, from vectors except for a
  /// k tail (kn < lanes) and the edge tile of a direct L (t not a
  /// multiple of the lanes), whose x are gathered from scalars. A
  /// transposed L clamps the rows past t to the last one: their lanes are
  /// computed but never stored.
  void tiles(Value cs, Value t0, Value width, Value k0, int64_t kn) {
    bool tail = kn != lanes;
    auto x = [&](Value tt) {
      Value col = add(t0, tt);
      if (tail)
        return loadScalars(col, k0, kn);
      return direct ? loadDirect(col, k0) : loadTransposed(col, k0);
    };
    if (!direct || g.t % lanes == 0) {
      forLoop(false, idx(0), width, lanes,
              [&](Value tt) { tile(cs, tt, k0, kn, x(tt)); });
      return;
    }
    // Chunks start at multiples of the lanes: only the last has an edge.
    Value fullWidth =
        sub(width, arith::RemUIOp::create(b, loc, width, idx(lanes)));
    forLoop(false, idx(0), fullWidth, lanes,
            [&](Value tt) { tile(cs, tt, k0, kn, x(tt)); });
    auto edge = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, fullWidth,
                              width),
        /*withElse=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(edge.thenBlock()->getTerminator());
    tile(cs, fullWidth, k0, kn, loadScalars(add(t0, fullWidth), k0, kn));
  }

  /// x[kk] = L(col .. col + lanes - 1, k0 + kk): t is L's unit-stride dim.
  SmallVector<Value> loadDirect(Value col, Value k0) {
    SmallVector<Value> x;
    for (int64_t kk = 0; kk < lanes; ++kk)
      prefetch(col, add(k0, idx(kk)));
    for (int64_t kk = 0; kk < lanes; ++kk)
      x.push_back(vector::LoadOp::create(
          b, loc, vecType(), g.l,
          at(g.lRowDim, g.lKDim, col, add(k0, idx(kk)))));
    return x;
  }

  /// Rows col .. col + 15 (clamped) of L over k0 .. k0 + 15, k L's
  /// unit-stride dim, transposed in registers: x[kk] holds column k0 + kk.
  SmallVector<Value> loadTransposed(Value col, Value k0) {
    SmallVector<Value> rows;
    for (int64_t r = 0; r < lanes; ++r) {
      Value row = min(add(col, idx(r)), idx(g.t - 1));
      prefetch(row, k0);
      rows.push_back(vector::LoadOp::create(b, loc, vecType(), g.l,
                                            at(g.lRowDim, g.lKDim, row, k0)));
    }
    transposeByInterleave(b, loc, rows);
    return rows;
  }

  /// x[kk] element by element (rows past t clamped).
  SmallVector<Value> loadScalars(Value col, Value k0, int64_t kn) {
    SmallVector<Value> x;
    for (int64_t kk = 0; kk < kn; ++kk) {
      SmallVector<Value> elems;
      for (int64_t r = 0; r < lanes; ++r) {
        Value row = min(add(col, idx(r)), idx(g.t - 1));
        elems.push_back(memref::LoadOp::create(
            b, loc, g.l, at(g.lRowDim, g.lKDim, row, add(k0, idx(kk)))));
      }
      x.push_back(vector::FromElementsOp::create(b, loc, vecType(), elems));
    }
    return x;
  }

  /// sum + p·x as the generic's body: one fma, or mulf then addf.
  Value step(Value sum, Value p, Value x) {
    if (g.fused)
      return vector::FMAOp::create(b, loc, p, x, sum);
    return arith::AddFOp::create(b, loc, sum,
                                 arith::MulFOp::create(b, loc, p, x));
  }

  /// Cs[i, tt ..] += P(i, k0 + kk) · x[kk] for kk ascending: a loop over
  /// groups of groupRows rows (one copy of the unrolled body), then the rest.
  void tile(Value cs, Value tt, Value k0, int64_t kn, ArrayRef<Value> x) {
    int64_t sFull = g.s / groupRows * groupRows;
    if (sFull)
      forLoop(false, idx(0), idx(sFull), groupRows,
              [&](Value i0) { group(cs, tt, k0, kn, x, i0, groupRows); });
    if (sFull != g.s)
      group(cs, tt, k0, kn, x, idx(sFull), g.s - sFull);
  }

  /// Rows i0 .. i0 + rows - 1 of a tile: their accumulators live across
  /// the kn steps.
  void group(Value cs, Value tt, Value k0, int64_t kn, ArrayRef<Value> x,
             Value i0, int64_t rows) {
    VectorType vt = vecType();
    SmallVector<Value> acc, rowIdx;
    for (int64_t i = 0; i < rows; ++i) {
      rowIdx.push_back(add(i0, idx(i)));
      acc.push_back(
          vector::LoadOp::create(b, loc, vt, cs, ValueRange{rowIdx[i], tt}));
    }
    for (int64_t kk = 0; kk < kn; ++kk) {
      Value k = add(k0, idx(kk));
      for (int64_t i = 0; i < rows; ++i) {
        Value p = memref::LoadOp::create(b, loc, pp, ValueRange{k, rowIdx[i]});
        acc[i] =
            step(acc[i], vector::BroadcastOp::create(b, loc, vt, p), x[kk]);
      }
    }
    for (int64_t i = 0; i < rows; ++i)
      vector::StoreOp::create(b, loc, acc[i], cs, ValueRange{rowIdx[i], tt});
  }

  OpBuilder &b;
  Location loc;
  const SkinnyGemm &g;
  bool direct;
  Value pp;
  /// Lanes per vector, which is also the k steps of a block (a transposed
  /// L is loaded as one lanes x lanes register transpose); accumulators
  /// live at once.
  int64_t lanes, groupRows;
};

} // namespace

bool mlir::metis::isUnitInnermost(Value v, unsigned d) {
  auto type = cast<MemRefType>(v.getType());
  auto [strides, offset] = type.getStridesAndOffset();
  return d == 1 && strides[1] == 1;
}

bool mlir::metis::isSkinnyLayout(Value l, unsigned lRowDim, unsigned lKDim) {
  return isUnitInnermost(l, lRowDim) || isUnitInnermost(l, lKDim);
}

void mlir::metis::emitSkinnyGemm(OpBuilder &b, Location loc,
                                 const SkinnyGemm &g) {
  SkinnyBuilder(b, loc, g).build();
}

void mlir::metis::emitSkinnyGramPair(OpBuilder &b, Location loc,
                                     const SkinnyGemm &first,
                                     const SkinnyGemm &second) {
  SkinnyBuilder(b, loc, first).buildGramPair(second);
}
