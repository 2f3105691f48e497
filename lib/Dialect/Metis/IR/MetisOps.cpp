//===- MetisOps.cpp - metis operations: verifiers and folders -------------===//

#include "metis/Dialect/Metis/IR/MetisOps.h"
#include "metis/Dialect/Metis/Utils/FP4Numerics.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::metis;

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

/// Prints a shape as `[2, ?, 4]`.
static std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << "?";
    else
      os << d;
  });
  os << "]";
  return s;
}

/// Two extents are compatible when either is dynamic or they are equal.
static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static bool compatibleShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  return a.size() == b.size() &&
         llvm::all_of(llvm::zip(a, b), [](auto p) {
           return compatible(std::get<0>(p), std::get<1>(p));
         });
}

/// The sketch width l = min(k + p, min(M, N)) of a randomized SVD of an
/// M x N matrix (dynamic if M or N is), written so that a huge p cannot
/// overflow.
static int64_t sketchWidth(int64_t m, int64_t n, int64_t k, int64_t p) {
  if (ShapedType::isDynamic(m) || ShapedType::isDynamic(n))
    return ShapedType::kDynamic;
  int64_t minMN = std::min(m, n);
  return p >= minMN - k ? minMN : k + p;
}

/// Checks that a tensor of `shape` can be blocked by `format` along `axis`:
/// the axis exists, static extents divide, tiles are 2-D.
static LogicalResult verifyBlocking(Operation *op, StringRef what,
                                    ArrayRef<int64_t> shape, FormatAttr format,
                                    int64_t axis) {
  int64_t rank = shape.size();
  if (axis < 0 || axis >= rank)
    return op->emitOpError() << "axis " << axis << " is out of range for the "
                             << rank << "-D " << what;
  int64_t extent = shape[axis];
  if (!ShapedType::isDynamic(extent) && extent % format.getBlockSize() != 0)
    return op->emitOpError()
           << "size " << extent << " of the blocked axis " << axis << " of the "
           << what << " is not a multiple of the block size "
           << format.getBlockSize() << " (pad it explicitly)";
  if (format.isTiled()) {
    if (rank != 2)
      return op->emitOpError() << format.getTileRows() << "x"
                               << format.getBlockSize()
                               << " tiles need a 2-D " << what << ", got rank "
                               << rank;
    int64_t other = shape[1 - axis];
    if (!ShapedType::isDynamic(other) && other % format.getTileRows() != 0)
      return op->emitOpError()
             << "size " << other << " of dimension " << 1 - axis << " of the "
             << what << " is not a multiple of the tile height "
             << format.getTileRows();
  }
  return success();
}

/// Checks the block-scale tensor of a quantized tensor of `shape`.
static LogicalResult verifyScales(Operation *op, StringRef what,
                                  ArrayRef<int64_t> shape,
                                  RankedTensorType scales, FormatAttr format,
                                  int64_t axis) {
  Type expectedElt = format.getScaleElementType();
  if (scales.getElementType() != expectedElt)
    return op->emitOpError()
           << what << " block scales must have element type " << expectedElt
           << " for " << format << ", got " << scales.getElementType();
  SmallVector<int64_t> expected(shape);
  if (!ShapedType::isDynamic(expected[axis]))
    expected[axis] /= format.getBlockSize();
  if (!compatibleShapes(expected, scales.getShape()))
    return op->emitOpError()
           << what << " block scales must have shape " << shapeStr(expected)
           << " (dimension " << axis << " divided by the block size "
           << format.getBlockSize() << "), got " << shapeStr(scales.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// QuantizeOp
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  auto inputType = getInput().getType();
  ArrayRef<int64_t> shape = inputType.getShape();
  int64_t axis = getAxis();
  if (failed(verifyBlocking(*this, "input", shape, getFormat(), axis)))
    return failure();
  if (!compatibleShapes(shape, getValues().getType().getShape()))
    return emitOpError() << "values must have the input's shape "
                         << shapeStr(shape) << ", got "
                         << shapeStr(getValues().getType().getShape());
  if (failed(verifyScales(*this, "the", shape, getBlockScales().getType(),
                          getFormat(), axis)))
    return failure();
  bool stochastic = getRounding() == Rounding::stochastic;
  if (stochastic && !getSeed())
    return emitOpError() << "stochastic rounding needs a seed operand";
  if (!stochastic && getSeed())
    return emitOpError()
           << "a seed is only meaningful with stochastic rounding";
  return success();
}

/// Constants of more elements are not folded: the folders materialize every
/// element (a splat of a huge shape would exhaust memory), and large
/// constants are better computed by the lowered code.
static constexpr int64_t kMaxFoldElements = int64_t(1) << 20;

/// Whether a static `type` has at most kMaxFoldElements elements (computed
/// without overflowing for huge shapes).
static bool smallEnoughToFold(ShapedType type) {
  if (!type.hasStaticShape())
    return false;
  int64_t n = 1;
  for (int64_t d : type.getShape()) {
    if (d != 0 && n > kMaxFoldElements / d)
      return false;
    n *= d;
  }
  return n <= kMaxFoldElements;
}

static numerics::Kind toNumericsKind(FormatKind kind) {
  switch (kind) {
  case FormatKind::nvfp4:
    return numerics::Kind::NVFP4;
  case FormatKind::mxfp4:
    return numerics::Kind::MXFP4;
  case FormatKind::fp4e2m1b:
    return numerics::Kind::FP4E2M1B;
  }
  llvm_unreachable("unknown FormatKind");
}

LogicalResult QuantizeOp::fold(FoldAdaptor adaptor,
                               SmallVectorImpl<OpFoldResult> &results) {
  // Stochastic rounding is not folded: the counter-based generator is part of
  // the lowering, and a folded copy could drift from it.
  if (getRounding() != Rounding::rne)
    return failure();
  auto input = dyn_cast_if_present<DenseFPElementsAttr>(adaptor.getInput());
  if (!input || !smallEnoughToFold(getInput().getType()) ||
      !getValues().getType().hasStaticShape() ||
      !getBlockScales().getType().hasStaticShape())
    return failure();

  SmallVector<float> x;
  x.reserve(input.getNumElements());
  for (APFloat v : input.getValues<APFloat>()) {
    bool losesInfo = false;
    v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &losesInfo);
    x.push_back(v.convertToFloat());
  }
  FormatAttr format = getFormat();
  numerics::Quantized q = numerics::quantizeRNE(
      x, getInput().getType().getShape(), getAxis(),
      toNumericsKind(format.getKind()), format.getTileRows(),
      format.getBlockSize());

  auto valuesType = getValues().getType();
  const llvm::fltSemantics &f4 =
      cast<FloatType>(valuesType.getElementType()).getFloatSemantics();
  SmallVector<APFloat> values;
  values.reserve(q.codes.size());
  for (uint8_t c : q.codes)
    values.emplace_back(f4, APInt(4, c));

  auto scalesType = getBlockScales().getType();
  auto scaleElt = cast<FloatType>(scalesType.getElementType());
  SmallVector<APFloat> scales;
  scales.reserve(q.scaleValues.size());
  for (size_t i = 0, e = q.scaleValues.size(); i < e; ++i) {
    if (scaleElt.isF32())
      scales.emplace_back(q.scaleValues[i]);
    else
      scales.emplace_back(scaleElt.getFloatSemantics(),
                          APInt(8, q.scaleBits[i]));
  }

  results.push_back(DenseElementsAttr::get(valuesType, values));
  results.push_back(DenseElementsAttr::get(scalesType, scales));
  results.push_back(DenseElementsAttr::get(getTensorScale().getType(),
                                           APFloat(q.tensorScale)));
  return success();
}

//===----------------------------------------------------------------------===//
// DequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult DequantizeOp::verify() {
  ArrayRef<int64_t> shape = getValues().getType().getShape();
  if (failed(verifyBlocking(*this, "values", shape, getFormat(), getAxis())) ||
      failed(verifyScales(*this, "the", shape, getBlockScales().getType(),
                          getFormat(), getAxis())))
    return failure();
  if (!compatibleShapes(shape, getResult().getType().getShape()))
    return emitOpError() << "result must have the shape of the values "
                         << shapeStr(shape) << ", got "
                         << shapeStr(getResult().getType().getShape());
  return success();
}

OpFoldResult DequantizeOp::fold(FoldAdaptor adaptor) {
  auto values = dyn_cast_if_present<DenseElementsAttr>(adaptor.getValues());
  auto scales =
      dyn_cast_if_present<DenseElementsAttr>(adaptor.getBlockScales());
  auto tensorScale =
      dyn_cast_if_present<DenseElementsAttr>(adaptor.getTensorScale());
  auto resultType = getResult().getType();
  if (!values || !scales || !tensorScale || !smallEnoughToFold(resultType) ||
      !getBlockScales().getType().hasStaticShape())
    return {};

  auto toFloat = [](APFloat v) {
    bool losesInfo = false;
    v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &losesInfo);
    return v.convertToFloat();
  };
  float ts = toFloat(*tensorScale.getValues<APFloat>().begin());
  SmallVector<float> scaleValues;
  for (APFloat v : scales.getValues<APFloat>())
    scaleValues.push_back(toFloat(v));

  // Element (o, a, i) of the [outer, A, inner] view uses scale (o, a/B, i).
  ArrayRef<int64_t> shape = resultType.getShape();
  int64_t axis = getAxis(), block = getFormat().getBlockSize();
  int64_t extent = shape[axis], inner = 1;
  for (int64_t d = axis + 1, e = shape.size(); d < e; ++d)
    inner *= shape[d];
  const llvm::fltSemantics &resultSem =
      cast<FloatType>(resultType.getElementType()).getFloatSemantics();
  SmallVector<APFloat> result;
  result.reserve(resultType.getNumElements());
  int64_t idx = 0;
  for (APFloat v : values.getValues<APFloat>()) {
    int64_t o = idx / (extent * inner), a = idx / inner % extent,
            i = idx % inner;
    ++idx;
    float scale = scaleValues[(o * (extent / block) + a / block) * inner + i];
    float decode = scale * ts;
    APFloat r(toFloat(v) * decode);
    bool losesInfo = false;
    r.convert(resultSem, APFloat::rmNearestTiesToEven, &losesInfo);
    result.push_back(r);
  }
  return DenseElementsAttr::get(resultType, result);
}

//===----------------------------------------------------------------------===//
// Matmul shape checks (shared by scaled_matmul and spectral_matmul)
//===----------------------------------------------------------------------===//

/// Checks `[Bt,] M x K` · `[Bt,] N x K` -> `[Bt,] M x N`.
static LogicalResult verifyMatmulShapes(Operation *op, ShapedType lhs,
                                        ShapedType rhs, ShapedType result) {
  int64_t rank = lhs.getRank();
  if (rank != rhs.getRank() || (rank != 2 && rank != 3))
    return op->emitOpError()
           << "operands must both be 2-D (M x K, N x K) or both 3-D with a "
              "leading batch dimension, got ranks "
           << rank << " and " << rhs.getRank();
  ArrayRef<int64_t> a = lhs.getShape(), b = rhs.getShape();
  if (!compatible(a[rank - 1], b[rank - 1]))
    return op->emitOpError()
           << "reduction sizes differ: lhs " << shapeStr(a) << " and rhs "
           << shapeStr(b) << " must agree in their last dimension (K)";
  if (rank == 3 && !compatible(a[0], b[0]))
    return op->emitOpError() << "batch sizes differ: " << a[0] << " vs "
                             << b[0];
  SmallVector<int64_t> expected;
  if (rank == 3)
    expected.push_back(ShapedType::isDynamic(a[0]) ? b[0] : a[0]);
  expected.push_back(a[rank - 2]);
  expected.push_back(b[rank - 2]);
  if (!compatibleShapes(expected, result.getShape()))
    return op->emitOpError() << "result must have shape " << shapeStr(expected)
                             << ", got " << shapeStr(result.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// ScaledMatmulOp
//===----------------------------------------------------------------------===//

LogicalResult ScaledMatmulOp::verify() {
  auto lhs = getLhs().getType(), rhs = getRhs().getType();
  if (failed(verifyMatmulShapes(*this, lhs, rhs, getResult().getType())))
    return failure();
  FormatAttr format = getFormat();
  if (format.isTiled())
    return emitOpError()
           << "expects a 1-D block format: operands quantized with "
           << format
           << " use the per-row scale layout; pass the format without the "
              "tile shape";
  int64_t axis = lhs.getRank() - 1;
  if (failed(verifyBlocking(*this, "lhs", lhs.getShape(), format, axis)) ||
      failed(verifyScales(*this, "lhs", lhs.getShape(),
                          getLhsScales().getType(), format, axis)) ||
      failed(verifyBlocking(*this, "rhs", rhs.getShape(), format, axis)) ||
      failed(verifyScales(*this, "rhs", rhs.getShape(),
                          getRhsScales().getType(), format, axis)))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// SpectralSplitOp
//===----------------------------------------------------------------------===//

LogicalResult SpectralSplitOp::verify() {
  auto inputType = getInput().getType();
  if (inputType.getRank() != 2)
    return emitOpError() << "expects a 2-D input, got rank "
                         << inputType.getRank();
  int64_t k = getRank(), p = getOversample(), q = getPowerIters();
  if (k < 1)
    return emitOpError() << "rank must be at least 1, got " << k;
  if (p < 0)
    return emitOpError() << "oversample must be non-negative, got " << p;
  if (q < 0)
    return emitOpError() << "power_iters must be non-negative, got " << q;
  int64_t m = inputType.getDimSize(0), n = inputType.getDimSize(1);
  bool staticMN = !ShapedType::isDynamic(m) && !ShapedType::isDynamic(n);
  int64_t minMN = staticMN ? std::min(m, n) : ShapedType::kDynamic;
  if (staticMN && k >= minMN)
    return emitOpError() << "rank " << k << " must be smaller than min(M, N) = "
                         << minMN << " for a " << m << "x" << n << " input";

  auto check = [&](Value v, StringRef name,
                   ArrayRef<int64_t> expected) -> LogicalResult {
    auto t = cast<RankedTensorType>(v.getType());
    if (!compatibleShapes(expected, t.getShape()))
      return emitOpError() << name << " must have shape " << shapeStr(expected)
                           << ", got " << shapeStr(t.getShape());
    return success();
  };
  if (failed(check(getU(), "u", {m, k})) || failed(check(getS(), "s", {k})) ||
      failed(check(getVt(), "vt", {k, n})) ||
      failed(check(getResidual(), "residual", {m, n})))
    return failure();

  bool hasWarm = static_cast<bool>(getWarmStart());
  bool hasSubspace = static_cast<bool>(getSubspace());
  if (hasWarm != hasSubspace)
    return emitOpError() << "a warm_start operand and a subspace result go "
                            "together (got "
                         << (hasWarm ? "a warm_start without a subspace result"
                                     : "a subspace result without warm_start")
                         << ")";
  if (hasWarm) {
    if (failed(
            check(getWarmStart(), "warm_start", {n, sketchWidth(m, n, k, p)})))
      return failure();
    if (getWarmStart().getType() != getSubspace().getType())
      return emitOpError() << "subspace result must have the type of "
                              "warm_start, got "
                           << getSubspace().getType();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// SpectralMatmulOp
//===----------------------------------------------------------------------===//

LogicalResult SpectralMatmulOp::verify() {
  auto lhs = getLhs().getType(), rhs = getRhs().getType();
  if (failed(verifyMatmulShapes(*this, lhs, rhs, getResult().getType())))
    return failure();
  OperandPolicyAttr lp = getLhsPolicy(), rp = getRhsPolicy();
  FormatAttr lf = lp.getFormat(), rf = rp.getFormat();
  if (lf.getKind() != rf.getKind() || lf.getBlockSize() != rf.getBlockSize())
    return emitOpError() << "operands must share one format kind and block "
                            "size along K (the tensor-core instruction takes "
                            "one scale kind), got "
                         << lf << " and " << rf;
  int64_t axis = lhs.getRank() - 1;
  bool needsSeed = false;
  for (auto [name, type, policy] :
       {std::make_tuple(StringRef("lhs"), lhs, lp),
        std::make_tuple(StringRef("rhs"), rhs, rp)}) {
    if (failed(verifyBlocking(*this, name, type.getShape(), policy.getFormat(),
                              axis)))
      return failure();
    needsSeed |= policy.getRounding() == Rounding::stochastic;
    SplitAttr split = policy.getSplit();
    if (!split)
      continue;
    needsSeed = true;
    if (type.getRank() != 2)
      return emitOpError() << "a spectral split applies to 2-D operands only; "
                           << name << " has rank " << type.getRank();
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    if (!ShapedType::isDynamic(rows) && !ShapedType::isDynamic(cols) &&
        split.getRank() >= std::min(rows, cols))
      return emitOpError() << name << " split rank " << split.getRank()
                           << " must be smaller than min(" << rows << ", "
                           << cols << ") = " << std::min(rows, cols);
  }
  for (auto [name, type, policy, warm, subspace] :
       {std::make_tuple(StringRef("lhs"), lhs, lp, getLhsWarmStart(),
                        getLhsSubspace()),
        std::make_tuple(StringRef("rhs"), rhs, rp, getRhsWarmStart(),
                        getRhsSubspace())}) {
    if (static_cast<bool>(warm) != static_cast<bool>(subspace))
      return emitOpError() << name << "_warm_start and " << name
                           << "_subspace go together (got "
                           << (warm ? "a warm start without a subspace result"
                                    : "a subspace result without a warm start")
                           << ")";
    if (!warm)
      continue;
    SplitAttr split = policy.getSplit();
    if (!split)
      return emitOpError() << name << "_warm_start needs a spectral split of "
                           << name << " (its policy has no split)";
    // The split of X (rows x K) starts from a K x l subspace.
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    SmallVector<int64_t> expected{
        cols, sketchWidth(rows, cols, split.getRank(), split.getOversample())};
    auto warmType = cast<RankedTensorType>(warm.getType());
    if (!compatibleShapes(expected, warmType.getShape()))
      return emitOpError() << name << "_warm_start must have shape "
                           << shapeStr(expected) << " (K x min(rank + "
                           << "oversample, min(rows, K))), got "
                           << shapeStr(warmType.getShape());
    if (subspace.getType() != warmType)
      return emitOpError() << name << "_subspace must have the type of " << name
                           << "_warm_start, got " << subspace.getType();
  }
  if (needsSeed && !getSeed())
    return emitOpError() << "needs a seed operand: an operand uses stochastic "
                            "rounding or a spectral split";
  if (!needsSeed && getSeed())
    return emitOpError() << "a seed is only meaningful with stochastic "
                            "rounding or a spectral split";
  return success();
}

#define GET_OP_CLASSES
#include "metis/Dialect/Metis/IR/MetisOps.cpp.inc"
