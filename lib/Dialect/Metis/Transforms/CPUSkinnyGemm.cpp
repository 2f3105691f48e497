//===- CPUSkinnyGemm.cpp - f32 contractions with one narrow side ----------===//
//
// The spectral split's large products, X·Q and Qᵀ·X with Q of l = k + p
// (~20) columns, stream a large X against a narrow operand. The BLIS nest
// of metis-cpu-gemm packs X (one more write and read of each element), and
// its 8x32 register tile is 62 % padding at l = 20. Here X (L, t rows) is
// read once, in place, against all s ≤ 64 rows of the narrow operand P,
// with V-lane vectors (16 on AVX-512, 8 on AVX2). By L's layout:
//
// * t unit-stride ("direct", Qᵀ·X): vectors of V consecutive t,
//
//     for each chunk of t (whole rows of V-wide tiles; Cs in L1/L2)
//       Cs[s][chunk] = C
//       for k0 in K step V
//         for each V-wide tile: x_kk = L(t tile, k0 + kk), kk < V
//           for groups of V/2 rows i: Cs[i] += P(i, k0 + kk) · x_kk,
//           kk ascending
//       C = Cs
//
//   (in the Gram pair, blockTiles: register tiles of rows of C x vectors
//   of t, L's vectors reused from L1 across the rows);
// * k unit-stride ("transposed", X·Q): rowTile, a few rows of L at a time,
//   their rows of C as ceil(s / V) vectors each in registers over all k:
//   per k step, P's k-th row as vectors (P packed k-major and padded with
//   zeros to whole vectors) and one broadcast of L(t, k) per row.
//
// Every C element still accumulates its k steps in ascending order, one
// multiply-add each as the generic's body (mulf then addf, or math.fma),
// so the bits are those of the loops. Chunks (tiles of rows) are
// independent: with threads > 1 they are an scf.parallel.
//
//===----------------------------------------------------------------------===//

#include "CPUGemmUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/bit.h"

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
    bool parallel = g.threads > 1;
    if (!direct) {
      // Transposed: tiles of rows with their accumulators in registers
      // (rowTile), independent of each other.
      packP(pVectors() * lanes);
      int64_t per = tileRows(), tFull = g.t / per * per;
      if (tFull)
        forLoop(parallel, idx(0), idx(tFull), per,
                [&](Value t0) { rowTile(t0, per); });
      if (tFull != g.t)
        rowTile(idx(tFull), g.t - tFull);
      memref::DeallocOp::create(b, loc, pp);
      return;
    }
    // Direct: one chunk per thread (whole rows of L per k block), narrower
    // if Cs would not stay in L2.
    int64_t perThread = llvm::divideCeil(g.t, std::max<int64_t>(g.threads, 1));
    int64_t fits = std::max<int64_t>(kMaxScratch / g.s / lanes, 1);
    int64_t chunk =
        std::min<int64_t>(llvm::divideCeil(perThread, lanes), fits) * lanes;
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
    packP(pVectors() * lanes);
    // The second product's P(i, k) = Y(k, i): Y itself is its k-major copy.
    two.pp = second.p;
    // Gᵀ accumulates in a scratch copy: its rows padded to whole vectors
    // (the edge tile's stores) plus one more, so that they do not lie a
    // power of two apart (Gᵀ's 4096-float rows: all in one L1 set, against
    // 12 ways, and every accumulator load an L1 miss).
    Value t = idx(second.t);
    Value gs = two.alloc(llvm::divideCeil(second.t, lanes) * lanes + lanes);
    two.copyC(gs, idx(0), t, /*in=*/true);
    // One tile of rows of X: its rows of Y over all of X's k, then its kn
    // k steps of Gᵀ over all of Gᵀ's columns.
    auto tileOfRows = [&](Value t0, int64_t kn) {
      rowsOfC(t0, kn);
      two.blockTiles(gs, t0, kn);
    };
    int64_t tFull = g.t / lanes * lanes;
    forLoop(false, idx(0), idx(tFull), lanes,
            [&](Value t0) { tileOfRows(t0, lanes); });
    if (tFull != g.t)
      tileOfRows(idx(tFull), g.t - tFull);
    two.copyC(gs, idx(0), t, /*in=*/false);
    memref::DeallocOp::create(b, loc, gs);
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

  /// Pp[k, i] = P(i, k): the s values of a k step contiguous, then zeros up
  /// to `width` (rowTile's whole vectors). P's own rows may lie a power of
  /// two apart, in one L1 set (Qᵀ of 4096 columns: 20 rows 16 KiB apart,
  /// against 12 ways).
  void packP(int64_t width = 0) {
    width = std::max(width, g.s);
    pp = memref::AllocOp::create(b, loc,
                                 MemRefType::get({g.k, width}, b.getF32Type()),
                                 b.getI64IntegerAttr(64));
    Value zero;
    if (width > g.s)
      zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    forLoop(false, idx(0), idx(g.k), 1, [&](Value k) {
      forLoop(false, idx(0), idx(g.s), 1, [&](Value i) {
        memref::StoreOp::create(
            b, loc,
            memref::LoadOp::create(b, loc, g.p, at(g.pRowDim, g.pKDim, i, k)),
            pp, ValueRange{k, i});
      });
      if (width > g.s)
        forLoop(false, idx(g.s), idx(width), 1, [&](Value i) {
          memref::StoreOp::create(b, loc, zero, pp, ValueRange{k, i});
        });
    });
  }

  /// Whole vectors of P's rows (Pp padded with zeros to them), and the
  /// rows of L per rowTile: rows x that many accumulators fit the
  /// registers with room for the P vectors.
  int64_t pVectors() const { return llvm::divideCeil(g.s, lanes); }
  int64_t tileRows() const {
    int64_t budget = lanes == 16 ? 16 : 8;
    return std::min<int64_t>(int64_t(llvm::bit_floor(uint64_t(
                                 std::max<int64_t>(budget / pVectors(), 1)))),
                             lanes);
  }

  /// C rows t0 .. t0 + rows - 1 of a transposed L (k unit-stride), over all
  /// k: the rows x pVectors() accumulators stay in registers; each k step
  /// loads Pp[k] as vectors and broadcasts L(row, k) once per row. No
  /// register transpose, and no C scratch. Same per-element k order.
  void rowTile(Value t0, int64_t rows) {
    int64_t nv = pVectors();
    VectorType vt = vecType();
    SmallVector<Value> rowIdx;
    for (int64_t r = 0; r < rows; ++r)
      rowIdx.push_back(add(t0, idx(r)));
    Value src = g.cInit ? g.cInit : g.c;
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    SmallVector<Value> acc;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t v = 0; v < nv; ++v) {
        SmallVector<Value> elems;
        for (int64_t e = 0; e < lanes; ++e) {
          int64_t i = v * lanes + e;
          elems.push_back(i < g.s ? memref::LoadOp::create(
                                        b, loc, src, cAt(idx(i), rowIdx[r]))
                                        .getResult()
                                  : zero);
        }
        acc.push_back(vector::FromElementsOp::create(b, loc, vt, elems));
      }
    // kn steps from k0, unrolled.
    auto steps = [&](Value k0, int64_t kn, SmallVector<Value> &a) {
      for (int64_t r = 0; r < rows; ++r)
        prefetch(rowIdx[r], k0);
      for (int64_t kk = 0; kk < kn; ++kk) {
        Value k = add(k0, idx(kk));
        SmallVector<Value> pv;
        for (int64_t v = 0; v < nv; ++v)
          pv.push_back(vector::LoadOp::create(b, loc, vt, pp,
                                              ValueRange{k, idx(v * lanes)}));
        for (int64_t r = 0; r < rows; ++r) {
          Value x = vector::BroadcastOp::create(
              b, loc, vt,
              memref::LoadOp::create(b, loc, g.l,
                                     at(g.lRowDim, g.lKDim, rowIdx[r], k)));
          for (int64_t v = 0; v < nv; ++v)
            a[r * nv + v] = step(a[r * nv + v], pv[v], x);
        }
      }
    };
    int64_t kFull = g.k / lanes * lanes;
    if (kFull) {
      auto loop =
          scf::ForOp::create(b, loc, idx(0), idx(kFull), idx(lanes), acc);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      SmallVector<Value> a(loop.getRegionIterArgs());
      steps(loop.getInductionVar(), lanes, a);
      scf::YieldOp::create(b, loc, a);
      acc.assign(loop.getResults().begin(), loop.getResults().end());
    }
    if (kFull != g.k)
      steps(idx(kFull), g.k - kFull, acc);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t v = 0; v < nv; ++v)
        for (int64_t e = 0; e < lanes && v * lanes + e < g.s; ++e)
          memref::StoreOp::create(
              b, loc, vector::ExtractOp::create(b, loc, acc[r * nv + v], e),
              g.c, cAt(idx(v * lanes + e), rowIdx[r]));
  }

  /// Rows t0 .. t0 + rows - 1 of C by rowTile, tileRows() at a time.
  void rowsOfC(Value t0, int64_t rows) {
    int64_t per = tileRows();
    for (int64_t r0 = 0; r0 < rows; r0 += per)
      rowTile(add(t0, idx(r0)), std::min(per, rows - r0));
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

  /// All tiles of the chunk over k0 .. k0 + kn (direct L), from vectors
  /// except for a k tail (kn < lanes) and the edge tile (t not a multiple
  /// of the lanes), whose x are gathered from scalars (t clamped: the
  /// lanes past it are computed but never stored).
  void tiles(Value cs, Value t0, Value width, Value k0, int64_t kn) {
    bool tail = kn != lanes;
    auto x = [&](Value tt) {
      Value col = add(t0, tt);
      if (tail)
        return loadScalars(col, k0, kn);
      return loadDirect(col, k0);
    };
    if (g.t % lanes == 0) {
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

  /// C's k steps k0 .. k0 + kn - 1 over all its columns, C being `cs`
  /// (s x t or wider, row-major) and L direct: register tiles of 6 (AVX2:
  /// 2) rows x 4 vectors of C (24 accumulators, 4 vectors of L's row k and
  /// a broadcast: 29 of 32 registers), whose vectors of L's row k stay in
  /// L1 across the tiles' rows, so that a k step costs 4 vector loads and 6
  /// (2) broadcasts for 24 (8) FMAs (tiles() spends a broadcast per FMA;
  /// 4 x 4 tiles were 6 % slower in the Gram pair). The columns past the
  /// last whole vector go through tiles(). No prefetching: in the Gram pair
  /// these rows of L are in L2 (prefetching the next tile's rows from here,
  /// once per line, made the pass 20 % slower: the prefetches stall on the
  /// fill buffers).
  void blockTiles(Value cs, Value k0, int64_t kn) {
    int64_t rowsPer = lanes == 16 ? 6 : 2, vecsPer = 4;
    int64_t tFull = g.t / lanes * lanes, cols = vecsPer * lanes;
    int64_t tBlocks = tFull / cols * cols;
    auto columns = [&](Value n0, int64_t nv) {
      int64_t sFull = g.s / rowsPer * rowsPer;
      if (sFull)
        forLoop(false, idx(0), idx(sFull), rowsPer,
                [&](Value i0) { blockTile(cs, n0, i0, rowsPer, nv, k0, kn); });
      if (sFull != g.s)
        blockTile(cs, n0, idx(sFull), g.s - sFull, nv, k0, kn);
    };
    if (tBlocks)
      forLoop(false, idx(0), idx(tBlocks), cols,
              [&](Value n0) { columns(n0, vecsPer); });
    if (tBlocks != tFull)
      columns(idx(tBlocks), (tFull - tBlocks) / lanes);
    if (tFull != g.t) {
      auto type = cast<MemRefType>(cs.getType());
      int64_t width = type.getDimSize(1) - tFull;
      Value edge = memref::SubViewOp::create(
          b, loc, cs,
          ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(tFull)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(g.s), b.getIndexAttr(width)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
      tiles(edge, idx(tFull), idx(g.t - tFull), k0, kn);
    }
  }

  /// Rows i0 .. i0 + rows - 1 x vectors n0 .. of C (see blockTiles).
  void blockTile(Value cs, Value n0, Value i0, int64_t rows, int64_t nv,
                 Value k0, int64_t kn) {
    VectorType vt = vecType();
    SmallVector<Value> acc, rowIdx, colIdx;
    for (int64_t v = 0; v < nv; ++v)
      colIdx.push_back(add(n0, idx(v * lanes)));
    for (int64_t r = 0; r < rows; ++r) {
      rowIdx.push_back(add(i0, idx(r)));
      for (int64_t v = 0; v < nv; ++v)
        acc.push_back(vector::LoadOp::create(b, loc, vt, cs,
                                             ValueRange{rowIdx[r], colIdx[v]}));
    }
    for (int64_t kk = 0; kk < kn; ++kk) {
      Value k = add(k0, idx(kk));
      SmallVector<Value> x;
      for (int64_t v = 0; v < nv; ++v)
        x.push_back(vector::LoadOp::create(
            b, loc, vt, g.l, at(g.lRowDim, g.lKDim, colIdx[v], k)));
      for (int64_t r = 0; r < rows; ++r) {
        Value p = vector::BroadcastOp::create(
            b, loc, vt,
            memref::LoadOp::create(b, loc, pp, ValueRange{k, rowIdx[r]}));
        for (int64_t v = 0; v < nv; ++v)
          acc[r * nv + v] = step(acc[r * nv + v], p, x[v]);
      }
    }
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t v = 0; v < nv; ++v)
        vector::StoreOp::create(b, loc, acc[r * nv + v], cs,
                                ValueRange{rowIdx[r], colIdx[v]});
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
  /// Lanes per vector, which is also the k steps of a direct block, and
  /// the accumulators a direct group keeps live (half the lanes).
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
