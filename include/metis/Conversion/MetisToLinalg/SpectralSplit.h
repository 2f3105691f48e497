//===- SpectralSplit.h - randomized SVD on linalg/scf tensors ---*- C++ -*-===//
//
// The lowering of `metis.spectral_split` (docs/SpectralSplit.md) and its
// building blocks, so that another lowering (GPU) can reuse them piece by
// piece. All builders work on static-shaped f32 tensors and emit
// linalg/scf/arith/math/tensor ops:
//
//  * the products with an M or N extent are `linalg.generic` contractions
//    (`out += lhs·rhs`, f32) tagged with the unit attribute
//    `metis.spectral_gemm` (kSpectralGemmAttrName). Their loop order is
//    chosen so that a plain loop lowering (convert-linalg-to-loops) runs
//    the innermost loop along contiguous rows without a loop-carried
//    dependence (i-k-j for A·B),
//    which LLVM vectorizes; every output element still sums its terms in
//    ascending order of the reduction index, so the bits are those of the
//    textbook i-j-k loop. A GPU lowering matches them as contractions
//    (`linalg::isaContractionOpInterface`) or specializes them to named
//    matmuls;
//  * the column-by-column Gram–Schmidt works on rows of an `l×A` tensor
//    with `linalg.matvec`/`linalg.vecmat`/`linalg.dot` on growing slices;
//  * the `l×l` algebra (one-sided Jacobi SVD, sort) is scalar scf loops over
//    `tensor.extract`/`tensor.insert`: sequential, one thread's work.
//
// Layout convention: an orthonormal basis of l vectors of length A is kept
// as an `l×A` tensor whose *rows* are the vectors (the transpose of the
// textbook `A×l` matrix), so that every vector is contiguous.
//
//===----------------------------------------------------------------------===//

#ifndef METIS_CONVERSION_METISTOLINALG_SPECTRALSPLIT_H
#define METIS_CONVERSION_METISTOLINALG_SPECTRALSPLIT_H

#include "metis/Conversion/MetisToLinalg/Tags.h"
#include "metis/Dialect/Metis/IR/MetisDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Value.h"

namespace mlir::metis {

namespace spectral {

/// orth(): a vector whose norm after projection is <= this × its norm
/// before (or zero) is set to zero (rank deficiency).
constexpr float kRankTolerance = 0x1p-20f;
/// Jacobi: columns p, q are rotated iff |a_p·a_q| > tol·‖a_p‖·‖a_q‖.
constexpr float kJacobiTolerance = 0x1p-23f;
constexpr int64_t kJacobiMaxSweeps = 30;
/// Z = (Xᵀ·Y)·T is used iff Σ_s ‖(Xᵀ·Y)_s‖·|T[s][j]| ≤ this × ‖Z_j‖ for
/// every column j (by default: convert-metis-to-linalg{gram-cancellation}):
/// its rounding error is then at most about this many times that of Xᵀ·Q.
constexpr float kGramCancellation = 128.0f;
/// Philox counter word 2 of the sketch entries and of the row sample
/// (metis.quantize's stochastic rounding uses 0).
constexpr uint32_t kSketchStream = 1;
constexpr uint32_t kRowSampleStream = 2;

/// l = min(rank + oversample, min(m, n)), without overflow.
int64_t sketchWidth(int64_t m, int64_t n, int64_t rank, int64_t oversample);

/// C = init + A·B (init = 0 when null), A `r×K`, B `K×c`; loops (i, k, j).
Value emitMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                 Value init = {});
/// C = A·Bᵀ, A `r×K`, B `c×K`; loops (i, j, k).
Value emitMatmulTransposeB(OpBuilder &b, Location loc, Value lhs, Value rhs);
/// C = Aᵀ·B, A `K×r`, B `K×c`; loops (k, i, j).
Value emitMatmulTransposeA(OpBuilder &b, Location loc, Value lhs, Value rhs);
/// Largest rank whose residual is one elementwise op (2k + 1 operands);
/// beyond, a contraction.
constexpr int64_t kMaxElementwiseResidualRank = 32;
/// R = X + negUS·Vt (X `M×N`, negUS `M×k`, Vt `k×N`), each element as
/// x then fma(negUS[i, j], Vt[j, c], ·) for j ascending: an elementwise
/// generic tagged metis.elementwise and metis.residual for k ≤
/// kMaxElementwiseResidualRank, else the same contraction. Static shapes
/// (as the whole lowering of spectral_split).
Value emitResidual(OpBuilder &b, Location loc, Value x, Value negUS, Value vt);
/// linalg.transpose of a 2-D tensor.
Value emitTranspose(OpBuilder &b, Location loc, Value t);
/// (X·V)ᵀ (`l×M`) for X `M×N` and the basis V given by its rows (`l×N`):
/// the product X·V (loops m, n, j), transposed.
Value emitTimesBasis(OpBuilder &b, Location loc, Value x, Value basisRows);

/// Ωᵀ (`l×n`) of a gaussian, rademacher or sparse_sign sketch keyed by the
/// i64 `seed`; Ω[i][j] depends only on (seed, i·l + j).
Value emitSketchTranspose(OpBuilder &b, Location loc, Sketch kind, int64_t n,
                          int64_t l, Value seed);
/// X[rows] (`l×N`) for l distinct rows of `x` (`M×N`) drawn by a partial
/// Fisher–Yates shuffle keyed by `seed`.
Value emitSampledRows(OpBuilder &b, Location loc, Value x, int64_t l,
                      Value seed);
/// CGS2 on the rows of `rows` (`l×A`), row by row: the rows of the result
/// are orthonormal or zero (rank deficiency, see kRankTolerance). With
/// `coefficients`, also the `l×l` T whose row j gives result row j as
/// Σ_s T[j][s]·rows[s] (the same projections applied to e_j; zero where
/// the row is).
Value emitOrthonormalizeRows(OpBuilder &b, Location loc, Value rows,
                             Value *coefficients = nullptr);
/// One subspace iteration's (Qᵀ, Zᵀ) for X `M×N` and V given by its rows
/// (`l×N`): Q = orth(X·V) and Z = Xᵀ·Q, where Z = (Xᵀ·Y)·T from the pass
/// that computes Y = X·V (Q = Y·T) when no row of Zᵀ cancels by more than
/// `gramCancellation`, else Xᵀ·Q by a second pass (docs/SpectralSplit.md).
std::pair<Value, Value>
emitIteration(OpBuilder &b, Location loc, Value x, Value vT,
              float gramCancellation = kGramCancellation);

/// SVD of an `l×l` matrix R given as `rT` (= Rᵀ: row j is column j of R),
/// by one-sided Jacobi, sorted by descending singular value (stable; NaN
/// first): R = left · diag(sigma) · rightRows, where the rows of rightRows
/// are the right singular vectors.
struct SmallSVD {
  Value sigma;     ///< tensor<l>, descending
  Value left;      ///< tensor<l×l>, column r = r-th left vector (or 0)
  Value rightRows; ///< tensor<l×l>, row r = r-th right vector
};
SmallSVD emitSmallSVD(OpBuilder &b, Location loc, Value rT,
                      int64_t maxSweeps = kJacobiMaxSweeps);

} // namespace spectral

/// Adds the `metis.spectral_split` → linalg pattern.
void populateSpectralSplitToLinalgPatterns(
    RewritePatternSet &patterns,
    float gramCancellation = spectral::kGramCancellation);

} // namespace mlir::metis

#endif // METIS_CONVERSION_METISTOLINALG_SPECTRALSPLIT_H
