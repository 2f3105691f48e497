//===- ExpandSpectral.cpp - spectral_matmul as split + FP4 GEMMs ----------===//
//
// Rewrites metis.spectral_matmul into metis.spectral_split, metis.quantize,
// metis.dequantize, metis.scaled_matmul and small linalg ops. The low-rank
// branch of a split operand is computed as real small GEMMs (METIS.md §0.7),
// never by rebuilding the dense operand. The exact expansion is documented in
// Passes.td (docs/Passes.md).
//
//===----------------------------------------------------------------------===//

#include "metis/Dialect/Metis/IR/MetisOps.h"
#include "metis/Dialect/Metis/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace mlir::metis {
#define GEN_PASS_DEF_METISEXPANDSPECTRAL
#include "metis/Dialect/Metis/Transforms/Passes.h.inc"
} // namespace mlir::metis

using namespace mlir;
using namespace mlir::metis;

namespace {

//===----------------------------------------------------------------------===//
// Seeds
//===----------------------------------------------------------------------===//

/// 2^64 / golden ratio (odd), so tag -> tag * kSeedStep mod 2^64 is a
/// bijection and distinct tags give distinct seeds.
constexpr uint64_t kSeedStep = 0x9E3779B97F4A7C15ULL;

/// One tag per random use in the expansion; the seed of a use is
/// `seed XOR (tag * kSeedStep mod 2^64)`. Documented in Passes.td.
enum SeedTag : uint64_t {
  kLhsSplit = 1,
  kRhsSplit = 2,
  kLhsMain = 3, // quantize of lhs (unsplit) or of its residual
  kRhsMain = 4,
  kLhsU = 5, // quantize of the lhs factor U (fp4 factors)
  kLhsVt = 6,
  kRhsU = 7,
  kRhsVt = 8,
};

/// The i64 constant that tag `tag` XORs into the seed.
static int64_t seedMask(uint64_t tag) {
  return static_cast<int64_t>(tag * kSeedStep);
}

//===----------------------------------------------------------------------===//
// Preconditions
//===----------------------------------------------------------------------===//

/// Why `op` cannot be expanded (beyond what its verifier checks), or nothing.
static std::optional<std::string> whyNotExpandable(SpectralMatmulOp op) {
  for (auto [name, value, policy] :
       {std::make_tuple(StringRef("lhs"), op.getLhs(), op.getLhsPolicy()),
        std::make_tuple(StringRef("rhs"), op.getRhs(), op.getRhsPolicy())}) {
    SplitAttr split = policy.getSplit();
    if (!split || split.getFactors() != FactorPrecision::fp4)
      continue;
    // U (rows x k) is quantized along its rows, as the reference quantizes
    // Uᵀ along its long dimension; Vᵀ along K is divisible by the verifier.
    auto type = cast<RankedTensorType>(value.getType());
    int64_t rows = type.getDimSize(0);
    int64_t block = policy.getFormat().getBlockSize();
    if (!ShapedType::isDynamic(rows) && rows % block != 0) {
      std::string msg;
      llvm::raw_string_ostream os(msg);
      os << "cannot expand the " << name << " split with fp4 factors: U ("
         << rows << "x" << split.getRank()
         << ") is quantized along its rows (axis 0), and " << rows
         << " is not a multiple of the "
         << stringifyFormatKind(policy.getFormat().getKind()) << " block size "
         << block << "; use factors = bf16 or f32, or pad the operand";
      return msg;
    }
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Expansion
//===----------------------------------------------------------------------===//

/// An operand of a product X·Yᵀ along K (rows x K, K last): block-scaled FP4
/// (values, block scales, tensor scale), or f32. `f32` caches the dequantized
/// copy of an FP4 operand.
struct KOperand {
  Value values, scales, tensorScale;
  Value f32;
  bool isFP4() const { return static_cast<bool>(values); }
};

/// What one side (lhs or rhs) contributes: X̂ = coeff·main + U·diag(S)·Vt
/// (the second term only when split).
struct Side {
  KOperand main; // X̂ (unsplit) or R̂ (split), FP4
  bool split = false;
  KOperand vt;        // k x K: FP4 (fp4 factors) or f32
  Value u;            // rows x k, f32 (dequantized / bf16-rounded / exact)
  Value s;            // k, f32, gains applied
  double coeff = 1.0; // residual coefficient (2 under a gain)
  Value subspace;     // the split's next subspace (with a warm start)
};

class Expander {
public:
  Expander(SpectralMatmulOp op, PatternRewriter &rewriter)
      : op(op), rewriter(rewriter), loc(op.getLoc()),
        ctx(rewriter.getContext()), f32(rewriter.getF32Type()) {
    FormatAttr lf = op.getLhsPolicy().getFormat();
    // The verifier makes both sides share the kind and the block size.
    format1D = FormatAttr::get(ctx, lf.getKind(), 1, lf.getBlockSize());
  }

  /// The op's replacement values: C, then the subspaces it returns.
  SmallVector<Value> expand();

private:
  // --- small builders ---------------------------------------------------
  Value seedFor(uint64_t tag);
  Value index(int64_t i) {
    return arith::ConstantIndexOp::create(rewriter, loc, i);
  }
  Value f32Const(double v) {
    return arith::ConstantOp::create(rewriter, loc, f32,
                                     rewriter.getF32FloatAttr(v));
  }
  OpFoldResult dim(Value v, int64_t d) {
    return tensor::getMixedSize(rewriter, loc, v, d);
  }
  Value zeros(ArrayRef<OpFoldResult> sizes) {
    Value empty = tensor::EmptyOp::create(rewriter, loc, sizes, f32);
    return linalg::FillOp::create(rewriter, loc, f32Const(0.0), empty)
        .getResult(0);
  }
  AffineMap map(unsigned nDims, ArrayRef<unsigned> dims) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d : dims)
      exprs.push_back(getAffineDimExpr(d, ctx));
    return AffineMap::get(nDims, 0, exprs, ctx);
  }

  KOperand quantize(Value x, int64_t axis, FormatAttr format, Rounding rounding,
                    uint64_t tag);
  Value dequantize(KOperand &q, int64_t axis);
  Value asF32(KOperand &x);
  Value elementwise(Value x, Type resultElt,
                    function_ref<Value(OpBuilder &, Location, Value)> body);
  Value roundToBF16(Value x);
  Value extendToF32(Value x);
  Value applyGain(Value s, SpectralGain gain, int64_t k);
  Value scale(Value p, Value rowS, Value colS, double coeff);
  Value matmul(Value a, Value b, bool transposeB, Value acc);
  Value product(KOperand &x, KOperand &y);
  Side prepare(Value x, OperandPolicyAttr policy, bool isLhs);

  SpectralMatmulOp op;
  PatternRewriter &rewriter;
  Location loc;
  MLIRContext *ctx;
  Type f32;
  FormatAttr format1D;
};

Value Expander::seedFor(uint64_t tag) {
  Value mask =
      arith::ConstantOp::create(rewriter, loc, rewriter.getI64Type(),
                                rewriter.getI64IntegerAttr(seedMask(tag)));
  return arith::XOrIOp::create(rewriter, loc, op.getSeed(), mask);
}

KOperand Expander::quantize(Value x, int64_t axis, FormatAttr format,
                            Rounding rounding, uint64_t tag) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> scaleShape(type.getShape());
  if (!ShapedType::isDynamic(scaleShape[axis]))
    scaleShape[axis] /= format.getBlockSize();
  auto valuesType = RankedTensorType::get(type.getShape(),
                                          rewriter.getType<Float4E2M1FNType>());
  auto scalesType =
      RankedTensorType::get(scaleShape, format.getScaleElementType());
  auto tsType = RankedTensorType::get({}, f32);
  Value seed = rounding == Rounding::stochastic ? seedFor(tag) : Value();
  auto q = QuantizeOp::create(rewriter, loc, valuesType, scalesType, tsType, x,
                              seed, format, rewriter.getI64IntegerAttr(axis),
                              RoundingAttr::get(ctx, rounding));
  KOperand k;
  k.values = q.getValues();
  k.scales = q.getBlockScales();
  k.tensorScale = q.getTensorScale();
  return k;
}

Value Expander::dequantize(KOperand &q, int64_t axis) {
  auto type = cast<RankedTensorType>(q.values.getType());
  // 1-D blocks: a tiled format has the same per-row scale layout.
  return DequantizeOp::create(
      rewriter, loc, RankedTensorType::get(type.getShape(), f32), q.values,
      q.scales, q.tensorScale, format1D, rewriter.getI64IntegerAttr(axis));
}

Value Expander::asF32(KOperand &x) {
  if (!x.f32)
    x.f32 =
        dequantize(x, cast<RankedTensorType>(x.values.getType()).getRank() - 1);
  return x.f32;
}

Value Expander::elementwise(
    Value x, Type resultElt,
    function_ref<Value(OpBuilder &, Location, Value)> body) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(dim(x, d));
  Value out = tensor::EmptyOp::create(rewriter, loc, sizes, resultElt);
  AffineMap id = rewriter.getMultiDimIdentityMap(rank);
  return linalg::GenericOp::create(
             rewriter, loc, out.getType(), ValueRange{x}, ValueRange{out},
             SmallVector<AffineMap>{id, id},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &b, Location l, ValueRange args) {
               linalg::YieldOp::create(b, l, body(b, l, args[0]));
             })
      .getResult(0);
}

Value Expander::roundToBF16(Value x) {
  Type bf16 = rewriter.getBF16Type();
  return elementwise(x, f32, [&](OpBuilder &b, Location l, Value v) -> Value {
    Value t = arith::TruncFOp::create(b, l, bf16, v);
    return arith::ExtFOp::create(b, l, f32, t);
  });
}

Value Expander::extendToF32(Value x) {
  if (cast<RankedTensorType>(x.getType()).getElementType() == f32)
    return x;
  return elementwise(x, f32, [&](OpBuilder &b, Location l, Value v) -> Value {
    return arith::ExtFOp::create(b, l, f32, v);
  });
}

/// S' from S (a k-vector, non-increasing): see Passes.td.
Value Expander::applyGain(Value s, SpectralGain gain, int64_t k) {
  switch (gain) {
  case SpectralGain::none:
    return s;
  case SpectralGain::reference: {
    if (k <= 5)
      return s;
    SmallVector<float> gains(k, 1.0f);
    for (int64_t i = 5; i < k; ++i)
      gains[i] = 0.5f;
    auto gainsType = RankedTensorType::get({k}, f32);
    Value g = arith::ConstantOp::create(
        rewriter, loc, gainsType,
        DenseElementsAttr::get(gainsType, ArrayRef<float>(gains)));
    Value out =
        tensor::EmptyOp::create(rewriter, loc, gainsType.getShape(), f32);
    AffineMap id = rewriter.getMultiDimIdentityMap(1);
    return linalg::GenericOp::create(
               rewriter, loc, gainsType, ValueRange{s, g}, ValueRange{out},
               SmallVector<AffineMap>{id, id, id},
               SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
               [](OpBuilder &b, Location l, ValueRange args) {
                 Value v = arith::MulFOp::create(b, l, args[0], args[1]);
                 linalg::YieldOp::create(b, l, v);
               })
        .getResult(0);
  }
  case SpectralGain::smooth: {
    // S'_i = 2 S_i / (1 + S_i / S_0); S_0 == 0 (then S == 0) gives S' = 0.
    Value s0 =
        tensor::ExtractOp::create(rewriter, loc, s, ValueRange{index(0)});
    Value zero = f32Const(0.0), one = f32Const(1.0), two = f32Const(2.0);
    Value s0IsZero = arith::CmpFOp::create(rewriter, loc,
                                           arith::CmpFPredicate::OEQ, s0, zero);
    return elementwise(s, f32, [&](OpBuilder &b, Location l, Value v) -> Value {
      Value ratio = arith::DivFOp::create(b, l, v, s0);
      Value denom = arith::AddFOp::create(b, l, one, ratio);
      Value num = arith::MulFOp::create(b, l, two, v);
      Value gained = arith::DivFOp::create(b, l, num, denom);
      return arith::SelectOp::create(b, l, s0IsZero, zero, gained);
    });
  }
  }
  llvm_unreachable("unknown SpectralGain");
}

/// p[i, j] · rowS[i] · colS[j] · coeff (each factor optional).
Value Expander::scale(Value p, Value rowS, Value colS, double coeff) {
  if (!rowS && !colS && coeff == 1.0)
    return p;
  SmallVector<Value> ins{p};
  SmallVector<AffineMap> maps{map(2, {0, 1})};
  if (rowS) {
    ins.push_back(rowS);
    maps.push_back(map(2, {0}));
  }
  if (colS) {
    ins.push_back(colS);
    maps.push_back(map(2, {1}));
  }
  maps.push_back(map(2, {0, 1}));
  Value out = tensor::EmptyOp::create(
      rewriter, loc, SmallVector<OpFoldResult>{dim(p, 0), dim(p, 1)}, f32);
  Value c = coeff != 1.0 ? f32Const(coeff) : Value();
  return linalg::GenericOp::create(
             rewriter, loc, out.getType(), ins, ValueRange{out}, maps,
             SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
             [&](OpBuilder &b, Location l, ValueRange args) {
               Value v = args[0];
               for (size_t i = 1, e = ins.size(); i < e; ++i)
                 v = arith::MulFOp::create(b, l, v, args[i]);
               if (c)
                 v = arith::MulFOp::create(b, l, v, c);
               linalg::YieldOp::create(b, l, v);
             })
      .getResult(0);
}

/// acc + a · b (transposeB: a · bᵀ) as an f32 contraction over loops
/// (m, n, k) whose body is one `math.fma` per k step; a zero-filled
/// accumulator when `acc` is null. Not a linalg.matmul (a multiply, then an
/// add): metis-cpu-gemm runs either bit-identically to its loops, but on
/// Intel a `vmulps` and a `vaddps` take the FMA ports twice, and these
/// contractions (the rank-k updates) run in the main GEMM's epilogue.
Value Expander::matmul(Value a, Value b, bool transposeB, Value acc) {
  if (!acc)
    acc = zeros({dim(a, 0), dim(b, transposeB ? 0 : 1)});
  SmallVector<AffineMap> maps{map(3, {0, 2}),
                              transposeB ? map(3, {1, 2}) : map(3, {2, 1}),
                              map(3, {0, 1})};
  SmallVector<utils::IteratorType> iterators{utils::IteratorType::parallel,
                                             utils::IteratorType::parallel,
                                             utils::IteratorType::reduction};
  return linalg::GenericOp::create(
             rewriter, loc, TypeRange{acc.getType()}, ValueRange{a, b},
             ValueRange{acc}, maps, iterators,
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nloc,
                   math::FmaOp::create(nb, nloc, args[0], args[1], args[2])
                       .getResult());
             })
      .getResult(0);
}

/// x · yᵀ along K in f32: one FP4 scaled_matmul when both are FP4, else an
/// f32 matmul of the (dequantized) operands.
Value Expander::product(KOperand &x, KOperand &y) {
  Value xv = x.isFP4() ? x.values : x.f32;
  Value yv = y.isFP4() ? y.values : y.f32;
  auto xt = cast<RankedTensorType>(xv.getType());
  auto yt = cast<RankedTensorType>(yv.getType());
  if (x.isFP4() && y.isFP4()) {
    SmallVector<int64_t> shape(xt.getShape().drop_back());
    shape.push_back(yt.getDimSize(yt.getRank() - 2));
    return ScaledMatmulOp::create(
        rewriter, loc, RankedTensorType::get(shape, f32), x.values, x.scales,
        x.tensorScale, y.values, y.scales, y.tensorScale, format1D);
  }
  return matmul(asF32(x), asF32(y), /*transposeB=*/true, Value());
}

Side Expander::prepare(Value x, OperandPolicyAttr policy, bool isLhs) {
  Side side;
  FormatAttr format = policy.getFormat();
  Rounding rounding = policy.getRounding();
  auto type = cast<RankedTensorType>(x.getType());
  int64_t kAxis = type.getRank() - 1;
  SplitAttr split = policy.getSplit();
  if (!split) {
    side.main =
        quantize(x, kAxis, format, rounding, isLhs ? kLhsMain : kRhsMain);
    return side;
  }

  // (U, S, Vt, R) = spectral_split(X).
  side.split = true;
  int64_t k = split.getRank();
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  auto uType = RankedTensorType::get({rows, k}, f32);
  auto sType = RankedTensorType::get({k}, f32);
  auto vtType = RankedTensorType::get({k, cols}, f32);
  auto rType = RankedTensorType::get({rows, cols}, f32);
  Value warm = isLhs ? op.getLhsWarmStart() : op.getRhsWarmStart();
  auto splitOp = SpectralSplitOp::create(
      rewriter, loc, uType, sType, vtType, rType,
      warm ? warm.getType() : Type(), x,
      seedFor(isLhs ? kLhsSplit : kRhsSplit), warm,
      rewriter.getI64IntegerAttr(k),
      rewriter.getI64IntegerAttr(split.getOversample()),
      rewriter.getI64IntegerAttr(split.getPowerIters()),
      SketchAttr::get(ctx, split.getSketch()));
  Value u = splitOp.getU(), s = splitOp.getS(), vt = splitOp.getVt();
  Value r = splitOp.getResidual();
  side.subspace = splitOp.getSubspace();

  // Factors.
  switch (split.getFactors()) {
  case FactorPrecision::fp4: {
    side.vt = quantize(vt, 1, format1D, rounding, isLhs ? kLhsVt : kRhsVt);
    KOperand uq = quantize(u, 0, format1D, rounding, isLhs ? kLhsU : kRhsU);
    side.u = dequantize(uq, 0);
    break;
  }
  case FactorPrecision::bf16:
    side.u = roundToBF16(u);
    side.vt.f32 = roundToBF16(vt);
    break;
  case FactorPrecision::f32:
    side.u = u;
    side.vt.f32 = vt;
    break;
  }

  // Residual: R, or R' = X − Ũ·diag(S)·Ṽt against the factors as used (for
  // f32 factors the two coincide and R is used).
  if (split.getResidual() == ResidualMode::compensated &&
      split.getFactors() != FactorPrecision::f32) {
    Value uNegS = scale(side.u, Value(), s, -1.0);
    r = matmul(uNegS, asF32(side.vt), /*transposeB=*/false, extendToF32(x));
  }
  side.main = quantize(r, 1, format, rounding, isLhs ? kLhsMain : kRhsMain);

  side.s = applyGain(s, split.getGain(), k);
  side.coeff = split.getGain() == SpectralGain::none ? 1.0 : 2.0;
  return side;
}

SmallVector<Value> Expander::expand() {
  Side lhs = prepare(op.getLhs(), op.getLhsPolicy(), /*isLhs=*/true);
  Side rhs = prepare(op.getRhs(), op.getRhsPolicy(), /*isLhs=*/false);
  auto resultType = op.getResult().getType();
  auto withSubspaces = [&](Value c) {
    SmallVector<Value> values{c};
    for (Value subspace : {lhs.subspace, rhs.subspace})
      if (subspace)
        values.push_back(subspace);
    return values;
  };

  if (!lhs.split && !rhs.split)
    return withSubspaces(ScaledMatmulOp::create(
        rewriter, loc, resultType, lhs.main.values, lhs.main.scales,
        lhs.main.tensorScale, rhs.main.values, rhs.main.scales,
        rhs.main.tensorScale, format1D));

  // The low-rank products first, the main term last: each rank-k update
  // then directly follows the term it adds to, so that metis-cpu-gemm can
  // apply the updates in the main GEMM's epilogue and write C once. The
  // values and the order of the sums are the same in any order of the ops.
  // The gains and coefficients scale the small factor Ũ (rows×k), not the
  // product: the product is then the FP4 GEMM's result as it is, which
  // metis-cpu-gemm can compute inside the main GEMM from its packed operand.
  // rhs low rank: (main_a · Vt_bᵀ) · (c_a · Ũ_b · diag(S'_b))ᵀ.
  Value pRhs, uRhs, pLhs, uLhs, left;
  if (rhs.split) {
    pRhs = product(lhs.main, rhs.vt);
    uRhs = scale(rhs.u, Value(), rhs.s, lhs.coeff);
  }
  // lhs low rank: (c_b · Ũ_a · diag(S'_a)) · (Vt_a · main_bᵀ).
  if (lhs.split) {
    pLhs = product(lhs.vt, rhs.main);
    uLhs = scale(lhs.u, Value(), lhs.s, rhs.coeff);
  }
  // Core: (Ũ_a · (diag(S'_a) · (Vt_a · Vt_bᵀ) · diag(S'_b))) · Ũ_bᵀ.
  if (lhs.split && rhs.split) {
    Value core = scale(product(lhs.vt, rhs.vt), lhs.s, rhs.s, 1.0);
    left = matmul(lhs.u, core, /*transposeB=*/false, Value());
  }
  // Main term: c_a · c_b · main_a · main_bᵀ, then the updates.
  Value acc = product(lhs.main, rhs.main);
  acc = scale(acc, Value(), Value(), lhs.coeff * rhs.coeff);
  if (rhs.split)
    acc = matmul(pRhs, uRhs, /*transposeB=*/true, acc);
  if (lhs.split)
    acc = matmul(uLhs, pLhs, /*transposeB=*/false, acc);
  if (lhs.split && rhs.split)
    acc = matmul(left, rhs.u, /*transposeB=*/true, acc);

  Value result = acc;
  if (resultType.getElementType() != f32) {
    Type elt = resultType.getElementType();
    result = elementwise(acc, elt, [&](OpBuilder &b, Location l, Value v) {
      return arith::TruncFOp::create(b, l, elt, v).getResult();
    });
  }
  if (result.getType() != resultType)
    result = tensor::CastOp::create(rewriter, loc, resultType, result);
  return withSubspaces(result);
}

/// metis.spectral_matmul -> spectral_split, quantize, scaled_matmul, linalg.
struct ExpandSpectralMatmul : OpRewritePattern<SpectralMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SpectralMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (std::optional<std::string> why = whyNotExpandable(op))
      return rewriter.notifyMatchFailure(op, *why);
    rewriter.replaceOp(op, Expander(op, rewriter).expand());
    return success();
  }
};

struct MetisExpandSpectralPass
    : metis::impl::MetisExpandSpectralBase<MetisExpandSpectralPass> {
  void runOnOperation() override {
    // Report every op that cannot be expanded, where it is, and fail.
    bool failedCheck = false;
    getOperation()->walk([&](SpectralMatmulOp op) {
      if (std::optional<std::string> why = whyNotExpandable(op)) {
        op.emitOpError() << *why;
        failedCheck = true;
      }
    });
    if (failedCheck)
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    populateExpandSpectralPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::metis::populateExpandSpectralPatterns(RewritePatternSet &patterns) {
  patterns.add<ExpandSpectralMatmul>(patterns.getContext());
}
