//===- MetisToLinalg.cpp - metis FP4 ops to linalg on tensors -------------===//
//
// Each op becomes a few linalg.generics whose bodies are built by
// FP4Emitters. The blocked axis of every operand is split into
// (blocks, block size) with tensor.expand_shape, so that all indexing maps are
// projected permutations and upstream tiling/bufferization apply.
//
//===----------------------------------------------------------------------===//

#include "metis/Conversion/MetisToLinalg/FP4Emitters.h"
#include "metis/Conversion/MetisToLinalg/SpectralSplit.h"
#include "metis/Conversion/MetisToLinalg/Tags.h"
#include "metis/Conversion/Passes.h"
#include "metis/Dialect/Metis/IR/MetisOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

#include "llvm/Support/FormatVariadic.h"

#include <cfloat>

namespace mlir::metis {
#define GEN_PASS_DEF_CONVERTMETISTOLINALG
#include "metis/Conversion/Passes.h.inc"
} // namespace mlir::metis

using namespace mlir;
using namespace mlir::metis;

namespace {

using BodyBuilder = function_ref<void(OpBuilder &, Location, ValueRange)>;

/// Thin helpers around the tensor/linalg builders used by all patterns.
struct Lowering {
  OpBuilder &b;
  Location loc;

  Type f32() { return b.getF32Type(); }
  Value f(float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }

  SmallVector<OpFoldResult> sizes(Value v) {
    return tensor::getMixedSizes(b, loc, v);
  }
  Value empty(ArrayRef<OpFoldResult> shape, Type elementType) {
    return tensor::EmptyOp::create(b, loc, shape, elementType);
  }
  Value filled(ArrayRef<OpFoldResult> shape, float value) {
    return linalg::FillOp::create(b, loc, f(value), empty(shape, f32()))
        .getResult(0);
  }

  /// Splits dimension `dim` of `v` into (size / block, block).
  Value splitDim(Value v, int64_t dim, int64_t block) {
    auto type = cast<RankedTensorType>(v.getType());
    SmallVector<OpFoldResult> outShape = sizes(v);
    OpFoldResult outer;
    if (auto c = getConstantIntValue(outShape[dim])) {
      outer = b.getIndexAttr(*c / block);
    } else {
      // A dynamic extent the verifier could not check: assert divisibility
      // at run time rather than compute with a wrong block structure.
      Value size = getValueOrCreateConstantIndexOp(b, loc, outShape[dim]);
      Value blockV = arith::ConstantIndexOp::create(b, loc, block);
      Value rem = arith::RemUIOp::create(b, loc, size, blockV);
      Value ok = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq, rem,
          arith::ConstantIndexOp::create(b, loc, 0));
      cf::AssertOp::create(
          b, loc, ok,
          llvm::formatv("metis: dynamic dimension {0} is not a multiple of "
                        "the block size {1}",
                        dim, block)
              .str());
      outer = arith::DivUIOp::create(b, loc, size, blockV).getResult();
    }
    outShape[dim] = outer;
    outShape.insert(outShape.begin() + dim + 1, b.getIndexAttr(block));
    SmallVector<int64_t> shape(type.getShape());
    shape[dim] = ShapedType::isDynamic(shape[dim]) ? ShapedType::kDynamic
                                                   : shape[dim] / block;
    shape.insert(shape.begin() + dim + 1, block);
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), v,
        splitReassociation(type.getRank(), dim), outShape);
  }
  /// The inverse of splitDim, to a tensor of `type`.
  Value mergeDim(Value v, int64_t dim, RankedTensorType type) {
    return tensor::CollapseShapeOp::create(
        b, loc, type, v, splitReassociation(type.getRank(), dim));
  }
  static SmallVector<ReassociationIndices> splitReassociation(int64_t rank,
                                                              int64_t dim) {
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0, e = 0; d < rank; ++d) {
      if (d == dim) {
        groups.push_back({e, e + 1});
        e += 2;
      } else {
        groups.push_back({e++});
      }
    }
    return groups;
  }

  /// Identity map, and the identity without loop `drop`, on `n` loops.
  AffineMap identity(unsigned n) {
    return AffineMap::getMultiDimIdentityMap(n, b.getContext());
  }
  AffineMap dropping(unsigned n, unsigned drop) {
    return identity(n).dropResult(drop);
  }
  AffineMap dims(unsigned n, ArrayRef<unsigned> results) {
    SmallVector<AffineExpr> exprs;
    for (unsigned r : results)
      exprs.push_back(b.getAffineDimExpr(r));
    return AffineMap::get(n, 0, exprs, b.getContext());
  }

  linalg::GenericOp generic(TypeRange results, ValueRange ins,
                            ValueRange outs, ArrayRef<AffineMap> maps,
                            ArrayRef<utils::IteratorType> iterators,
                            BodyBuilder body) {
    return linalg::GenericOp::create(b, loc, results, ins, outs, maps,
                                     iterators, body);
  }
  /// A generic whose body is elementwise and whose reductions (if any)
  /// combine with arith.maximumf: tagged for metis-cpu-vectorize, which
  /// vectorizes it without changing a bit.
  linalg::GenericOp elementwise(TypeRange results, ValueRange ins,
                                ValueRange outs, ArrayRef<AffineMap> maps,
                                ArrayRef<utils::IteratorType> iterators,
                                BodyBuilder body) {
    auto op = generic(results, ins, outs, maps, iterators, body);
    op->setAttr(kElementwiseAttrName, b.getUnitAttr());
    return op;
  }

  Value toF32(Value v) {
    return v.getType().isF32() ? v : arith::ExtFOp::create(b, loc, f32(), v);
  }
  Value castTo(Value v, Type type) {
    return v.getType() == type ? v
                               : tensor::CastOp::create(b, loc, type, v);
  }
  Value scalarOf(Value zeroD) {
    return tensor::ExtractOp::create(b, loc, zeroD, ValueRange{});
  }
};

SmallVector<utils::IteratorType> parallelExcept(unsigned n,
                                                ArrayRef<unsigned> reduce) {
  SmallVector<utils::IteratorType> it(n, utils::IteratorType::parallel);
  for (unsigned r : reduce)
    it[r] = utils::IteratorType::reduction;
  return it;
}

/// Body step: acc = max(acc, |x|), NaN-propagating (arith.maximumf).
Value absMax(OpBuilder &b, Location loc, Value acc, Value x) {
  if (!x.getType().isF32())
    x = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
  return arith::MaximumFOp::create(b, loc, acc,
                                   math::AbsFOp::create(b, loc, x));
}

//===----------------------------------------------------------------------===//
// metis.quantize
//===----------------------------------------------------------------------===//

struct QuantizeLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Lowering l{rewriter, op.getLoc()};
    Location loc = op.getLoc();
    FormatAttr format = op.getFormat();
    FormatKind kind = format.getKind();
    Value x = adaptor.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    unsigned rank = xType.getRank();
    unsigned axis = op.getAxis();
    int64_t block = format.getBlockSize();

    // Block amax over [.., KB, B, ..] -> [.., KB, ..].
    Value xe = l.splitDim(x, axis, block);
    SmallVector<OpFoldResult> blockShape = l.sizes(xe);
    blockShape.erase(blockShape.begin() + axis + 1);
    Value amaxInit = l.filled(blockShape, 0.0f);
    Value amax =
        l.elementwise(amaxInit.getType(), xe, amaxInit,
                      {l.identity(rank + 1), l.dropping(rank + 1, axis + 1)},
                      parallelExcept(rank + 1, {axis + 1}),
                      [](OpBuilder &b, Location loc, ValueRange args) {
                        linalg::YieldOp::create(
                            b, loc, absMax(b, loc, args[1], args[0]));
                      })
            .getResult(0);

    // 16x16 tiles: the amax over R rows of blocks, broadcast back to them.
    Value scaleSource = amax;
    if (format.isTiled()) {
      unsigned other = 1 - axis; // the non-blocked dim of the 2-D [.., ..]
      int64_t rows = format.getTileRows();
      Value split = l.splitDim(amax, other, rows);
      SmallVector<OpFoldResult> tileShape = l.sizes(split);
      tileShape.erase(tileShape.begin() + other + 1);
      Value tileInit = l.filled(tileShape, 0.0f);
      Value tileAmax =
          l.elementwise(tileInit.getType(), split, tileInit,
                        {l.identity(3), l.dropping(3, other + 1)},
                        parallelExcept(3, {other + 1}),
                        [](OpBuilder &b, Location loc, ValueRange args) {
                          linalg::YieldOp::create(
                              b, loc, absMax(b, loc, args[1], args[0]));
                        })
              .getResult(0);
      Value bcastInit = l.empty(l.sizes(split), l.f32());
      Value bcast =
          l.elementwise(bcastInit.getType(), tileAmax, bcastInit,
                        {l.dropping(3, other + 1), l.identity(3)},
                        parallelExcept(3, {}),
                        [](OpBuilder &b, Location loc, ValueRange args) {
                          linalg::YieldOp::create(b, loc, args[0]);
                        })
              .getResult(0);
      scaleSource = l.mergeDim(bcast, other,
                               cast<RankedTensorType>(amax.getType()));
    }

    // NVFP4's tensor scale from the tensor amax (= max of the block amaxes).
    Value encodeScale, tensorScale;
    if (kind == FormatKind::nvfp4) {
      Value init = l.filled({}, 0.0f);
      SmallVector<unsigned> all;
      for (unsigned d = 0; d < rank; ++d)
        all.push_back(d);
      Value tensorAmax = l.scalarOf(
          l.elementwise(init.getType(), amax, init,
                        {l.identity(rank),
                         AffineMap::get(rank, 0, {}, rewriter.getContext())},
                        parallelExcept(rank, all),
                        // absMax of values >= 0 (or NaN): the absf changes
                        // nothing, but lets metis-cpu-vectorize take the max
                        // as an integer max of the bits.
                        [](OpBuilder &b, Location loc, ValueRange args) {
                          linalg::YieldOp::create(
                              b, loc, absMax(b, loc, args[1], args[0]));
                        })
              .getResult(0));
      // TransformerEngine: g = min(448·6 / amax, FLT_MAX); g = 1 if g == 0.
      Value g = arith::DivFOp::create(rewriter, loc, l.f(2688.0f), tensorAmax);
      g = arith::MinimumFOp::create(rewriter, loc, g, l.f(FLT_MAX));
      Value isZero = arith::CmpFOp::create(
          rewriter, loc, arith::CmpFPredicate::OEQ, g, l.f(0.0f));
      g = arith::SelectOp::create(rewriter, loc, isZero, l.f(1.0f), g);
      encodeScale = g;
      tensorScale = arith::DivFOp::create(rewriter, loc, l.f(1.0f), g);
    }

    // Per block: the stored scale and the factor applied to its elements.
    Type scaleType = format.getScaleElementType();
    Value scalesInit = l.empty(blockShape, scaleType);
    Value encInit = l.empty(blockShape, l.f32());
    auto perBlock = l.elementwise(
        TypeRange{scalesInit.getType(), encInit.getType()}, scaleSource,
        ValueRange{scalesInit, encInit},
        {l.identity(rank), l.identity(rank), l.identity(rank)},
        parallelExcept(rank, {}),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Lowering s{b, loc};
          Value amaxB = args[0];
          Value stored, factor;
          switch (kind) {
          case FormatKind::nvfp4: {
            Value ds = arith::DivFOp::create(b, loc, amaxB, s.f(6.0f));
            ds = arith::MulFOp::create(b, loc, ds, encodeScale);
            ds = arith::MinimumFOp::create(b, loc, ds, s.f(FLT_MAX));
            ds = arith::MaximumFOp::create(b, loc, ds, s.f(-448.0f));
            ds = arith::MinimumFOp::create(b, loc, ds, s.f(448.0f));
            Value bits = emitRoundE4M3(b, loc, ds);
            Value d = emitDecodeE4M3(b, loc, bits);
            Value e = arith::DivFOp::create(
                b, loc, s.f(1.0f),
                arith::MulFOp::create(b, loc, d, tensorScale));
            factor = arith::MinimumFOp::create(b, loc, e, s.f(FLT_MAX));
            stored = emitBitsToF8(b, loc, bits, scaleType);
            break;
          }
          case FormatKind::mxfp4: {
            Value bits = emitMXScaleBits(b, loc, amaxB);
            factor = emitDecodeE8M0(b, loc, bits);
            stored = emitBitsToF8(b, loc, bits, scaleType);
            break;
          }
          case FormatKind::fp4e2m1b: {
            Value d = arith::DivFOp::create(b, loc, amaxB, s.f(6.0f));
            factor = arith::AddFOp::create(b, loc, d, s.f(1e-9f));
            stored = factor;
            break;
          }
          }
          linalg::YieldOp::create(b, loc, ValueRange{stored, factor});
        });
    Value scales = perBlock.getResult(0);
    Value encode = perBlock.getResult(1);

    // Per element: scale, clamp to ±6, round to an E2M1 code.
    bool multiply = kind == FormatKind::nvfp4;
    bool stochastic = op.getRounding() == Rounding::stochastic;
    SmallVector<OpFoldResult> expShape = l.sizes(xe);
    SmallVector<Value> strides(rank + 1);
    if (stochastic) {
      // Row-major strides of the (expanded) input give each element's linear
      // index in the original tensor: the key of its random bits.
      Value stride = arith::ConstantIndexOp::create(rewriter, loc, 1);
      for (int d = rank; d >= 0; --d) {
        strides[d] = stride;
        stride = arith::MulIOp::create(
            rewriter, loc, stride,
            getValueOrCreateConstantIndexOp(rewriter, loc, expShape[d]));
      }
    }
    Value seed = adaptor.getSeed();
    Value valuesInit =
        l.empty(expShape, rewriter.getType<Float4E2M1FNType>());
    Value values =
        l.elementwise(
             valuesInit.getType(), ValueRange{xe, encode}, valuesInit,
             {l.identity(rank + 1), l.dropping(rank + 1, axis + 1),
              l.identity(rank + 1)},
             parallelExcept(rank + 1, {}),
             [&](OpBuilder &b, Location loc, ValueRange args) {
               Lowering s{b, loc};
               Value v = s.toF32(args[0]);
               v = multiply
                       ? arith::MulFOp::create(b, loc, v, args[1]).getResult()
                       : arith::DivFOp::create(b, loc, v, args[1]).getResult();
               v = arith::MaximumFOp::create(b, loc, v, s.f(-6.0f));
               v = arith::MinimumFOp::create(b, loc, v, s.f(6.0f));
               Value code;
               if (stochastic) {
                 Value idx = arith::ConstantIndexOp::create(b, loc, 0);
                 for (unsigned d = 0; d <= rank; ++d)
                   idx = arith::AddIOp::create(
                       b, loc, idx,
                       arith::MulIOp::create(b, loc,
                                             linalg::IndexOp::create(b, loc, d),
                                             strides[d]));
                 idx =
                     arith::IndexCastUIOp::create(b, loc, b.getI64Type(), idx);
                 code = emitStochasticRoundE2M1(
                     b, loc, v, emitElementRandom(b, loc, seed, idx));
               } else {
                 code = emitRoundE2M1(b, loc, v);
               }
               linalg::YieldOp::create(b, loc, emitCodeToF4(b, loc, code));
             })
            .getResult(0);
    values = l.mergeDim(
        values, axis,
        RankedTensorType::get(xType.getShape(),
                              rewriter.getType<Float4E2M1FNType>()));

    Value tensorScaleT;
    auto tsType = op.getTensorScale().getType();
    if (tensorScale)
      tensorScaleT =
          tensor::FromElementsOp::create(rewriter, loc, tsType, tensorScale);
    else
      tensorScaleT = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(tsType, 1.0f));

    rewriter.replaceOp(op, {l.castTo(values, op.getValues().getType()),
                            l.castTo(scales, op.getBlockScales().getType()),
                            tensorScaleT});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// metis.dequantize
//===----------------------------------------------------------------------===//

struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Lowering l{rewriter, op.getLoc()};
    FormatKind kind = op.getFormat().getKind();
    unsigned axis = op.getAxis();
    auto resultType = op.getResult().getType();
    unsigned rank = resultType.getRank();
    Type elt = resultType.getElementType();

    Value ve = l.splitDim(adaptor.getValues(), axis,
                          op.getFormat().getBlockSize());
    Value ts = l.scalarOf(adaptor.getTensorScale());
    Value init = l.empty(l.sizes(ve), elt);
    Value out =
        l.elementwise(init.getType(), ValueRange{ve, adaptor.getBlockScales()},
                      init,
                      {l.identity(rank + 1), l.dropping(rank + 1, axis + 1),
                       l.identity(rank + 1)},
                      parallelExcept(rank + 1, {}),
                      [&](OpBuilder &b, Location loc, ValueRange args) {
                        Value scale = arith::MulFOp::create(
                            b, loc, emitDecodeScale(b, loc, args[1], kind), ts);
                        Value v = arith::MulFOp::create(
                            b, loc, emitDecodeE2M1(b, loc, args[0]), scale);
                        if (!elt.isF32())
                          v = arith::TruncFOp::create(b, loc, elt, v);
                        linalg::YieldOp::create(b, loc, v);
                      })
            .getResult(0);
    auto merged = RankedTensorType::get(
        cast<RankedTensorType>(adaptor.getValues().getType()).getShape(), elt);
    rewriter.replaceOp(op, l.castTo(l.mergeDim(out, axis, merged), resultType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// metis.scaled_matmul
//===----------------------------------------------------------------------===//

struct ScaledMatmulLowering : OpConversionPattern<ScaledMatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScaledMatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Lowering l{rewriter, op.getLoc()};
    FormatAttr format = op.getFormat();
    FormatKind kind = format.getKind();
    auto resultType = op.getResult().getType();
    unsigned rank = resultType.getRank();
    bool batched = rank == 3;
    int64_t block = format.getBlockSize();

    Value a = l.splitDim(adaptor.getLhs(), rank - 1, block);
    Value b = l.splitDim(adaptor.getRhs(), rank - 1, block);
    SmallVector<OpFoldResult> accShape;
    if (batched)
      accShape.push_back(l.sizes(a)[0]);
    accShape.push_back(l.sizes(a)[rank - 2]);
    accShape.push_back(l.sizes(b)[rank - 2]);
    Value init = l.filled(accShape, 0.0f);

    // Loops (bt,) m, n, kb, ki.
    unsigned n = rank + 2, o = batched ? 1 : 0;
    SmallVector<unsigned> bt = batched ? SmallVector<unsigned>{0}
                                       : SmallVector<unsigned>{};
    auto with = [&](std::initializer_list<unsigned> rest) {
      SmallVector<unsigned> r(bt);
      r.append(rest);
      return r;
    };
    unsigned m = o, nn = o + 1, kb = o + 2, ki = o + 3;
    SmallVector<AffineMap> maps = {
        l.dims(n, with({m, kb, ki})), l.dims(n, with({m, kb})),
        l.dims(n, with({nn, kb, ki})), l.dims(n, with({nn, kb})),
        l.dims(n, with({m, nn}))};
    auto contraction = l.generic(
        init.getType(),
        ValueRange{a, adaptor.getLhsScales(), b, adaptor.getRhsScales()},
        init, maps, parallelExcept(n, {kb, ki}),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          auto decode = [&](Value code, Value scale) -> Value {
            return arith::MulFOp::create(b, loc, emitDecodeE2M1(b, loc, code),
                                         emitDecodeScale(b, loc, scale, kind));
          };
          Value prod = arith::MulFOp::create(b, loc, decode(args[0], args[1]),
                                             decode(args[2], args[3]));
          linalg::YieldOp::create(
              b, loc, arith::AddFOp::create(b, loc, args[4], prod).getResult());
        });
    // The tag lets the CPU GEMM kernel (metis-cpu-gemm) find this contraction.
    contraction->setAttr(kScaledContractionAttrName, format);

    // Epilogue: the product of the tensor scales, then the result type.
    Value tsProd =
        arith::MulFOp::create(rewriter, op.getLoc(),
                              l.scalarOf(adaptor.getLhsTensorScale()),
                              l.scalarOf(adaptor.getRhsTensorScale()));
    Type elt = resultType.getElementType();
    auto scale = [&](OpBuilder &b, Location loc, ValueRange args) {
      Value v = arith::MulFOp::create(b, loc, args[0], tsProd);
      if (!elt.isF32())
        v = arith::TruncFOp::create(b, loc, elt, v);
      linalg::YieldOp::create(b, loc, v);
    };
    Value acc = contraction.getResult(0);
    linalg::GenericOp epilogue;
    if (elt.isF32()) {
      // In place on the accumulator: no second M x N buffer to allocate,
      // fault in and stream through.
      epilogue =
          l.elementwise(acc.getType(), ValueRange{}, acc, {l.identity(rank)},
                        parallelExcept(rank, {}), scale);
      // metis-cpu-gemm applies it as the GEMM writes C for the last time
      // (one pass over C fewer), so it is not vectorized on its own.
      epilogue->removeAttr(kElementwiseAttrName);
      epilogue->setAttr(kTensorScaleEpilogueAttrName, rewriter.getUnitAttr());
    } else {
      Value outInit = l.empty(accShape, elt);
      epilogue = l.elementwise(outInit.getType(), acc, outInit,
                               {l.identity(rank), l.identity(rank)},
                               parallelExcept(rank, {}), scale);
    }
    Value out = epilogue.getResult(0);
    rewriter.replaceOp(op, l.castTo(out, resultType));
    return success();
  }
};

struct ConvertMetisToLinalgPass
    : metis::impl::ConvertMetisToLinalgBase<ConvertMetisToLinalgPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *ctx) override {
    // Ordered: NaN is rejected too.
    if (!(gramCancellation >= 0.0))
      return emitError(UnknownLoc::get(ctx))
             << "convert-metis-to-linalg: gram-cancellation must be >= 0, got "
             << gramCancellation;
    return success();
  }

  void runOnOperation() override {
    // metis.spectral_matmul is expanded by metis-expand-spectral; reaching
    // this lowering with one left is a pipeline error, reported where the op
    // is.
    WalkResult unsupported = getOperation()->walk([](Operation *op) {
      if (isa<SpectralMatmulOp>(op)) {
        op->emitOpError() << "has no lowering to linalg yet; it must be "
                             "expanded before convert-metis-to-linalg";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (unsupported.wasInterrupted())
      return signalPassFailure();

    ConversionTarget target(getContext());
    target.addIllegalOp<QuantizeOp, DequantizeOp, ScaledMatmulOp,
                        SpectralSplitOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populateMetisToLinalgPatterns(patterns, gramCancellation);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::metis::populateMetisToLinalgPatterns(RewritePatternSet &patterns,
                                                float gramCancellation) {
  patterns.add<QuantizeLowering, DequantizeLowering, ScaledMatmulLowering>(
      patterns.getContext());
  populateSpectralSplitToLinalgPatterns(patterns, gramCancellation);
}
