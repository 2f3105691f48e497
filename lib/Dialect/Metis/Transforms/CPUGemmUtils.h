//===- CPUGemmUtils.h - helpers of metis-cpu-gemm --------------*- C++ -*-===//
//
// Internal to lib/Dialect/Metis/Transforms: the register transpose shared by
// the GEMM's packing and the matvec kernel, and the matvec/vecmat rewrites.
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

} // namespace mlir::metis

#endif // METIS_LIB_DIALECT_METIS_TRANSFORMS_CPUGEMMUTILS_H
