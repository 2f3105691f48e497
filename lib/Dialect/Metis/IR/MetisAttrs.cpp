//===- MetisAttrs.cpp - metis attributes ----------------------------------===//

#include "metis/Dialect/Metis/IR/MetisDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::metis;

#include "metis/Dialect/Metis/IR/MetisEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "metis/Dialect/Metis/IR/MetisAttrs.cpp.inc"

void MetisDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "metis/Dialect/Metis/IR/MetisAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// FormatAttr
//===----------------------------------------------------------------------===//

int64_t FormatAttr::getDefaultBlockSize(FormatKind kind) {
  return kind == FormatKind::mxfp4 ? 32 : 16;
}

Type FormatAttr::getScaleElementType() const {
  MLIRContext *ctx = getContext();
  switch (getKind()) {
  case FormatKind::nvfp4:
    return Float8E4M3FNType::get(ctx);
  case FormatKind::mxfp4:
    return Float8E8M0FNUType::get(ctx);
  case FormatKind::fp4e2m1b:
    return Float32Type::get(ctx);
  }
  llvm_unreachable("unknown FormatKind");
}

LogicalResult
FormatAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                   FormatKind kind, int64_t tileRows, int64_t blockSize) {
  bool ok = false;
  StringRef supported;
  switch (kind) {
  case FormatKind::nvfp4:
    ok = blockSize == 16 && (tileRows == 1 || tileRows == 16);
    supported = "1x16, 16x16";
    break;
  case FormatKind::mxfp4:
    ok = blockSize == 32 && tileRows == 1;
    supported = "1x32";
    break;
  case FormatKind::fp4e2m1b:
    ok = blockSize == 16 && tileRows == 1;
    supported = "1x16";
    break;
  }
  if (!ok)
    return emitError() << "block shape " << tileRows << "x" << blockSize
                       << " is not supported by " << stringifyFormatKind(kind)
                       << " (supported: " << supported << ")";
  return success();
}

/// `<` kind (`,` RxB)? `>`
Attribute FormatAttr::parse(AsmParser &parser, Type) {
  FailureOr<FormatKind> kind;
  if (parser.parseLess())
    return {};
  SMLoc kindLoc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return {};
  std::optional<FormatKind> parsed = symbolizeFormatKind(keyword);
  if (!parsed) {
    parser.emitError(kindLoc) << "unknown format '" << keyword
                              << "' (expected nvfp4, mxfp4 or fp4e2m1b)";
    return {};
  }
  int64_t rows = 1, block = getDefaultBlockSize(*parsed);
  if (succeeded(parser.parseOptionalComma())) {
    SMLoc shapeLoc = parser.getCurrentLocation();
    SmallVector<int64_t, 2> dims;
    if (parser.parseDimensionList(dims, /*allowDynamic=*/false,
                                  /*withTrailingX=*/false))
      return {};
    if (dims.size() != 2) {
      parser.emitError(shapeLoc)
          << "expected a block shape RxB with two extents";
      return {};
    }
    rows = dims[0];
    block = dims[1];
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(kindLoc); },
                    parser.getContext(), *parsed, rows, block);
}

void FormatAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyFormatKind(getKind());
  if (getTileRows() != 1 || getBlockSize() != getDefaultBlockSize(getKind()))
    printer << ", " << getTileRows() << "x" << getBlockSize();
  printer << ">";
}

//===----------------------------------------------------------------------===//
// SplitAttr
//===----------------------------------------------------------------------===//

LogicalResult SplitAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                int64_t rank, int64_t oversample,
                                int64_t powerIters, Sketch, FactorPrecision,
                                ResidualMode, SpectralGain) {
  if (rank < 1)
    return emitError() << "split rank must be at least 1, got " << rank;
  if (oversample < 0)
    return emitError() << "oversample must be non-negative, got "
                       << oversample;
  if (powerIters < 0)
    return emitError() << "power_iters must be non-negative, got "
                       << powerIters;
  return success();
}
