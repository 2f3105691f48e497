//===- CPUGemmUtils.h - helpers of metis-cpu-gemm --------------*- C++ -*-===//
//
// Internal to lib/Dialect/Metis/Transforms: the register transpose shared by
// the GEMM's packing and the matvec kernel, the matvec/vecmat rewrites, and
// the kernel for f32 contractions with one narrow side.
//
//===----------------------------------------------------------------------===//

#ifndef METIS_LIB_DIALECT_METIS_TRANSFORMS_CPUGEMMUTILS_H
#define METIS_LIB_DIALECT_METIS_TRANSFORMS_CPUGEMMUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace mlir::metis {

/// Interleaving rows i and i + R/2 of `vecs` (R rows, R a power of two, of
/// w elements each, w even), log2(R) times, lays the R x w block out in
/// transposed order: element (row r, column t) ends at position t·R + r
/// of the concatenated result.
void transposeByInterleave(OpBuilder &b, Location loc,
                           SmallVectorImpl<Value> &vecs);

/// linalg.vecmat on f32 memrefs with unit inner strides → a generic with
/// the reduction loop outermost (same bits; see the .cpp). No-op otherwise.
void interchangeVecmat(linalg::VecmatOp op);

/// linalg.matvec on f32 memrefs with unit inner strides → 8 rows at a time
/// with register transposes (same bits; see the .cpp). No-op otherwise.
void vectorizeMatvec(linalg::MatvecOp op);

/// Whether dim `d` of the 2-D memref `v` is its innermost one with a static
/// unit stride: what a vector.load along that dim needs.
bool isUnitInnermost(Value v, unsigned d);

/// A strict f32 contraction with one narrow side: C(i, t) += Σ_k P(i, k) ·
/// L(t, k) for i < s ≤ 64, accumulated k by k in ascending order (see
/// CPUSkinnyGemm.cpp). Operands are 2-D memrefs indexed [rowDim, kDim].
struct SkinnyGemm {
  /// The narrow operand (s rows) and the long one (t rows); L has a static
  /// unit stride along t or along k (isSkinnyLayout).
  Value p, l;
  unsigned pRowDim = 0, pKDim = 1, lRowDim = 0, lKDim = 1;
  /// C is s x t, or t x s when `cTransposed` (P was the contraction's B).
  Value c;
  bool cTransposed = false;
  /// If set, C's initial values are read from here (a folded copy).
  Value cInit;
  int64_t s = 0, t = 0, k = 0;
  /// One fused multiply-add per step (a `math.fma` body), else mulf + addf.
  bool fused = false;
  /// f32 lanes per vector (16 or 8): also the k steps per block (a lanes x
  /// lanes register transpose) and twice the accumulators live at once.
  int64_t lanes = 16;
  /// > 1: the chunks of t are an scf.parallel.
  int64_t threads = 1;
};

/// Whether the long operand `l` has a static unit stride along its row or
/// its k dim, as emitSkinnyGemm requires.
bool isSkinnyLayout(Value l, unsigned lRowDim, unsigned lKDim);

/// Emits `g` at the builder's position: L read once, in place.
void emitSkinnyGemm(OpBuilder &b, Location loc, const SkinnyGemm &g);

/// Emits Y = X·V (`first`: L = X read along k, C = Y, t × s) and then
/// Gᵀ = Yᵀ·X (`second`: L = the same X read along its rows, P = Y with k
/// its rows, C = Gᵀ, s × t) as one pass over X: each tile of V rows of X
/// gives its rows of Y, then, from L2, its k block of Gᵀ. Each element
/// keeps the summation order of emitSkinnyGemm, so the bits are those of
/// the two products one after the other. One thread; static row-major
/// operands (isGramPair in CPUScaledGemm.cpp).
void emitSkinnyGramPair(OpBuilder &b, Location loc, const SkinnyGemm &first,
                        const SkinnyGemm &second);

} // namespace mlir::metis

#endif // METIS_LIB_DIALECT_METIS_TRANSFORMS_CPUGEMMUTILS_H
