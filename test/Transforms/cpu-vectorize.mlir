// RUN: metis-opt %s --convert-metis-to-linalg --canonicalize \
// RUN:   --metis-cpu-vectorize --split-input-file --verify-diagnostics \
// RUN: | FileCheck %s
// RUN: metis-opt %s --convert-metis-to-linalg --canonicalize \
// RUN:   --metis-cpu-vectorize --cse --split-input-file \
// RUN: | FileCheck %s --check-prefix=CSE

// NVFP4 quantize along K: every generic of the lowering becomes a loop nest
// over vector<..x16> tiles (amax and tensor amax as maximumf reductions).

// CHECK-LABEL: func.func @quantize
// CHECK-NOT: linalg.generic
// Block amax: one vector of 16 per block, max of |x| as an unsigned max of
// the bits (exact, see the pass), then maximumf with the accumulator.
// CHECK: scf.for
// CHECK: %[[X:.*]] = vector.transfer_read {{.*}} : tensor<16xf32>, vector<16xf32>
// CHECK: %[[ABS:.*]] = math.absf %[[X]] : vector<16xf32>
// CHECK: %[[BITS:.*]] = vector.bitcast %[[ABS]] : vector<16xf32> to vector<16xi32>
// CHECK: %[[MAX:.*]] = vector.reduction <maxui>, %[[BITS]] : vector<16xi32> into i32
// CHECK: %[[MAXF:.*]] = arith.bitcast %[[MAX]] : i32 to f32
// CHECK: arith.maximumf %{{.*}}, %[[MAXF]] : f32
// Tensor amax over the 4 blocks of a row (the whole extent, < 16).
// CHECK: vector.reduction <maxui>, {{.*}} : vector<4xi32> into i32
// Per-block scales.
// CHECK: vector.transfer_write {{.*}} : vector<4xf8E4M3FN>, tensor<4xf8E4M3FN>
// CHECK: vector.transfer_write {{.*}} : vector<4xf32>, tensor<4xf32>
// Elements: the block's factor broadcast, codes written 16 at a time.
// CHECK: vector.transfer_read {{.*}} {in_bounds = [true], permutation_map = #{{.*}}} : tensor<f32>, vector<16xf32>
// CHECK: vector.transfer_write {{.*}} : vector<16xf4E2M1FN>, tensor<16xf4E2M1FN>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @quantize(%x: tensor<8x64xf32>)
    -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<f32>) {
  %v, %s, %t = metis.quantize %x {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<8x64xf32> -> tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<f32>
  return %v, %s, %t : tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<f32>
}

// -----

// MXFP4 blocks of 32 at width 16: two vectors per block; stochastic
// rounding's element index is a vector of lanes.

// CHECK-LABEL: func.func @quantize_mxfp4_sr
// CHECK-NOT: linalg.generic
// CHECK: vector.step : vector<16xindex>
// CHECK: arith.mului_extended {{.*}} : vector<16xi32>
// CHECK: vector.transfer_write {{.*}} : vector<16xf4E2M1FN>, tensor<16xf4E2M1FN>
// CHECK-NOT: linalg.generic
func.func @quantize_mxfp4_sr(%x: tensor<4x64xf32>, %seed: i64)
    -> tensor<4x64xf4E2M1FN> {
  %v, %s, %t = metis.quantize %x seed %seed {axis = 1 : i64, format = #metis.format<mxfp4>, rounding = #metis.rounding<stochastic>}
      : tensor<4x64xf32> -> tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU>, tensor<f32>
  return %v : tensor<4x64xf4E2M1FN>
}

// -----

// Dequantize reads codes as vectors of f4E2M1FN.

// CHECK-LABEL: func.func @dequantize
// CHECK: vector.transfer_read {{.*}} : tensor<16xf4E2M1FN>, vector<16xf4E2M1FN>
// CHECK: vector.transfer_read {{.*}} {in_bounds = [true], permutation_map = #{{.*}}} : tensor<f8E4M3FN>, vector<16xf8E4M3FN>
// CHECK: vector.transfer_write {{.*}} : vector<16xf32>, tensor<16xf32>
// CHECK-NOT: linalg.generic
func.func @dequantize(%v: tensor<4x32xf4E2M1FN>, %s: tensor<4x2xf8E4M3FN>,
                      %t: tensor<f32>) -> tensor<4x32xf32> {
  %x = metis.dequantize %v, %s, %t {axis = 1 : i64, format = #metis.format<nvfp4>}
      : tensor<4x32xf4E2M1FN>, tensor<4x2xf8E4M3FN>, tensor<f32> -> tensor<4x32xf32>
  return %x : tensor<4x32xf32>
}

// -----

// A tagged reduction whose combiner is not max/min would change bits when
// reordered: it stays scalar.

#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
// CHECK-LABEL: func.func @sum_stays
// CHECK: linalg.generic
func.func @sum_stays(%x: tensor<4x16xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  // expected-remark@+1 {{metis-cpu-vectorize: left scalar: a reduction that is not arith.maximumf/minimumf}}
  %r = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x16xf32>) outs(%init : tensor<4xf32>) attrs = {metis.elementwise} {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

#id = affine_map<(i, j) -> (i, j)>
// CHECK-LABEL: func.func @dynamic_stays
// CHECK: linalg.generic
func.func @dynamic_stays(%x: tensor<?x16xf32>, %init: tensor<?x16xf32>) -> tensor<?x16xf32> {
  // expected-remark@+1 {{metis-cpu-vectorize: left scalar: dynamic loop bounds}}
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x16xf32>) outs(%init : tensor<?x16xf32>) attrs = {metis.elementwise} {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<?x16xf32>
  return %r : tensor<?x16xf32>
}

// -----

#id = affine_map<(i, j) -> (i, j)>
// CHECK-LABEL: func.func @wide_odd_stays
// CHECK: linalg.generic
func.func @wide_odd_stays(%x: tensor<2x72xf32>, %init: tensor<2x72xf32>) -> tensor<2x72xf32> {
  // expected-remark@+1 {{metis-cpu-vectorize: left scalar: an innermost extent that is not a multiple of the vector width}}
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<2x72xf32>) outs(%init : tensor<2x72xf32>) attrs = {metis.elementwise} {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x72xf32>
  return %r : tensor<2x72xf32>
}

// -----

// Untagged generics are not this pass's business.
#id = affine_map<(i, j) -> (i, j)>
// CHECK-LABEL: func.func @untagged
// CHECK: linalg.generic
func.func @untagged(%x: tensor<2x16xf32>, %init: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<2x16xf32>) outs(%init : tensor<2x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x16xf32>
  return %r : tensor<2x16xf32>
}

// -----

// A body with a chain of 4 or more dependent FMAs (a fused residual's k
// terms) is tiled 4 rows at a time (its first loop, a multiple of 4), each
// row's vector computed by its own copy of the body, and the four copies
// interleaved op by op, so that their chains issue side by side: step r
// of every row, then step r + 1. Each row's result is then written in row
// order (the destination tensor threads through them).
// CHECK-LABEL: func.func @fma_chain
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c4
// CHECK:   scf.for %{{.*}} = %c0 to %c8 step %c1
// CHECK-NOT:  scf.for %{{.*}} = %c0 to %c4
// CHECK:      %[[F0:.*]] = math.fma %[[X0:.*]], %[[Y0:.*]], %[[X0]] : vector<16xf32>
// CHECK-NEXT: %[[F1:.*]] = math.fma %[[X1:.*]], %[[Y1:.*]], %[[X1]] : vector<16xf32>
// CHECK-NEXT: %[[F2:.*]] = math.fma %[[X2:.*]], %[[Y2:.*]], %[[X2]] : vector<16xf32>
// CHECK-NEXT: %[[F3:.*]] = math.fma %[[X3:.*]], %[[Y3:.*]], %[[X3]] : vector<16xf32>
// CHECK-NEXT: %[[G0:.*]] = math.fma %[[X0]], %[[Y0]], %[[F0]]
// CHECK-NEXT: %[[G1:.*]] = math.fma %[[X1]], %[[Y1]], %[[F1]]
// CHECK-NEXT: %[[G2:.*]] = math.fma %[[X2]], %[[Y2]], %[[F2]]
// CHECK-NEXT: %[[G3:.*]] = math.fma %[[X3]], %[[Y3]], %[[F3]]
// CHECK-COUNT-8: math.fma
// CHECK-NOT: math.fma
// CHECK: vector.transfer_write
// CHECK: vector.transfer_write
// CHECK: vector.transfer_write
// CHECK: vector.transfer_write
// CHECK: return
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @fma_chain(%x: tensor<8x8x16xf32>, %y: tensor<8x8x16xf32>) -> tensor<8x8x16xf32> {
  %e = tensor.empty() : tensor<8x8x16xf32>
  %r = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %y : tensor<8x8x16xf32>, tensor<8x8x16xf32>) outs(%e : tensor<8x8x16xf32>) attrs = {metis.elementwise} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %0 = math.fma %a, %b, %a : f32
    %1 = math.fma %a, %b, %0 : f32
    %2 = math.fma %a, %b, %1 : f32
    %3 = math.fma %a, %b, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<8x8x16xf32>
  return %r : tensor<8x8x16xf32>
}

// -----

// A first loop that is not a multiple of 4 rows: the innermost loop of
// more than one iteration is unrolled by 4 instead; with fewer than two
// unrolled iterations (4 here) it is unrolled away and its body inlined,
// and the copies then stay in their order.
// CHECK-LABEL: func.func @fma_chain_short
// CHECK:      scf.for %{{.*}} = %c0 to %c2 step %c1
// CHECK-NOT:    scf.for
// CHECK:        %[[F0:.*]] = math.fma
// CHECK-NEXT:   math.fma %{{.*}}, %{{.*}}, %[[F0]]
// CHECK-COUNT-14: math.fma
// CHECK-NOT: math.fma
// CHECK: return
#id3s = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @fma_chain_short(%x: tensor<2x4x16xf32>, %y: tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
  %e = tensor.empty() : tensor<2x4x16xf32>
  %r = linalg.generic {indexing_maps = [#id3s, #id3s, #id3s], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %y : tensor<2x4x16xf32>, tensor<2x4x16xf32>) outs(%e : tensor<2x4x16xf32>) attrs = {metis.elementwise} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %0 = math.fma %a, %b, %a : f32
    %1 = math.fma %a, %b, %0 : f32
    %2 = math.fma %a, %b, %1 : f32
    %3 = math.fma %a, %b, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<2x4x16xf32>
  return %r : tensor<2x4x16xf32>
}

// -----

// An operand that does not depend on the row (Vt's rows in a fused
// residual): the four rows of a tile read the same vector, once after CSE.
// CSE-LABEL: func.func @fma_chain_shared
// CSE:         scf.for %{{.*}} = %c0 to %c8 step %c4
// CSE:           scf.for %{{.*}} = %c0 to %c8 step %c1
// CSE-COUNT-5:     vector.transfer_read
// CSE-NOT:         vector.transfer_read
// CSE:             math.fma
// CSE:         return
#rows = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#shared = affine_map<(d0, d1, d2) -> (d1, d2)>
func.func @fma_chain_shared(%x: tensor<8x8x16xf32>, %v: tensor<8x16xf32>) -> tensor<8x8x16xf32> {
  %e = tensor.empty() : tensor<8x8x16xf32>
  %r = linalg.generic {indexing_maps = [#rows, #shared, #rows], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %v : tensor<8x8x16xf32>, tensor<8x16xf32>) outs(%e : tensor<8x8x16xf32>) attrs = {metis.elementwise} {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %0 = math.fma %b, %b, %a : f32
    %1 = math.fma %b, %b, %0 : f32
    %2 = math.fma %b, %b, %1 : f32
    %3 = math.fma %b, %b, %2 : f32
    linalg.yield %3 : f32
  } -> tensor<8x8x16xf32>
  return %r : tensor<8x8x16xf32>
}
