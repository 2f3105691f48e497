// RUN: metis-opt %s --metis-lower-f4-vector-access --split-input-file --verify-diagnostics \
// RUN: | FileCheck %s

// Codes are one byte each: a vector of 16 codes is 16 bytes at the
// element's address, not LLVM's bit-packed <16 x i4>.

// CHECK-LABEL: func.func @read_write
// CHECK-SAME: (%[[M:.*]]: memref<4x32xf4E2M1FN>, %[[I:.*]]: index, %[[J:.*]]: index)
// CHECK: %[[BASE:.*]], %[[OFF:.*]], %[[SIZES:.*]]:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[M]]
// CHECK: %[[R:.*]] = arith.muli %[[I]], %[[STRIDES]]#0
// CHECK: %[[A:.*]] = arith.addi %[[OFF]], %[[R]]
// CHECK: %[[C:.*]] = arith.muli %[[J]], %[[STRIDES]]#1
// CHECK: %[[L:.*]] = arith.addi %[[A]], %[[C]]
// CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[M]]
// CHECK: %[[ADDR:.*]] = arith.addi %[[P]], %[[L]]
// CHECK: %[[ADDR64:.*]] = arith.index_cast %[[ADDR]] : index to i64
// CHECK: %[[PTR:.*]] = llvm.inttoptr %[[ADDR64]] : i64 to !llvm.ptr
// CHECK: %[[BYTES:.*]] = llvm.load %[[PTR]] {alignment = 1 : i64} : !llvm.ptr -> vector<16xi8>
// CHECK: %[[NIB:.*]] = arith.trunci %[[BYTES]] : vector<16xi8> to vector<16xi4>
// CHECK: %[[CODES:.*]] = arith.bitcast %[[NIB]] : vector<16xi4> to vector<16xf4E2M1FN>
// CHECK: llvm.inttoptr
// CHECK: %[[N2:.*]] = arith.bitcast %[[CODES]] : vector<16xf4E2M1FN> to vector<16xi4>
// CHECK: %[[B2:.*]] = arith.extui %[[N2]] : vector<16xi4> to vector<16xi8>
// CHECK: llvm.store %[[B2]], %{{.*}} {alignment = 1 : i64} : vector<16xi8>, !llvm.ptr
// CHECK-NOT: vector.transfer
func.func @read_write(%m: memref<4x32xf4E2M1FN>, %i: index, %j: index) {
  %pad = arith.constant 0.0 : f4E2M1FN
  %v = vector.transfer_read %m[%i, %j], %pad {in_bounds = [true]} : memref<4x32xf4E2M1FN>, vector<16xf4E2M1FN>
  %c16 = arith.constant 16 : index
  vector.transfer_write %v, %m[%i, %c16] {in_bounds = [true]} : vector<16xf4E2M1FN>, memref<4x32xf4E2M1FN>
  return
}

// -----

// vector.load / vector.store, on a strided view.
// CHECK-LABEL: func.func @load_store
// CHECK: llvm.load {{.*}} -> vector<8xi8>
// CHECK: llvm.store {{.*}} : vector<8xi8>, !llvm.ptr
// CHECK-NOT: vector.load
// CHECK-NOT: vector.store
func.func @load_store(%m: memref<4x16xf4E2M1FN, strided<[32, 1], offset: ?>>, %i: index) {
  %c0 = arith.constant 0 : index
  %v = vector.load %m[%i, %c0] : memref<4x16xf4E2M1FN, strided<[32, 1], offset: ?>>, vector<8xf4E2M1FN>
  vector.store %v, %m[%i, %c0] : memref<4x16xf4E2M1FN, strided<[32, 1], offset: ?>>, vector<8xf4E2M1FN>
  return
}

// -----

// Other element types are left alone (f8 is one byte per element in LLVM).
// CHECK-LABEL: func.func @f8_untouched
// CHECK: vector.transfer_read
func.func @f8_untouched(%m: memref<32xf8E4M3FN>) -> vector<16xf8E4M3FN> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f8E4M3FN
  %v = vector.transfer_read %m[%c0], %pad {in_bounds = [true]} : memref<32xf8E4M3FN>, vector<16xf8E4M3FN>
  return %v : vector<16xf8E4M3FN>
}

// -----

func.func @two_d(%m: memref<4x32xf4E2M1FN>) -> vector<2x16xf4E2M1FN> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f4E2M1FN
  // expected-error@+1 {{metis-lower-f4-vector-access: cannot access f4E2M1FN memory (one code per byte) as a vector: it is not 1-D (run convert-vector-to-scf first)}}
  %v = vector.transfer_read %m[%c0, %c0], %pad {in_bounds = [true, true]} : memref<4x32xf4E2M1FN>, vector<2x16xf4E2M1FN>
  return %v : vector<2x16xf4E2M1FN>
}

// -----

func.func @maybe_out_of_bounds(%m: memref<4x32xf4E2M1FN>, %j: index) -> vector<16xf4E2M1FN> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f4E2M1FN
  // expected-error@+1 {{cannot access f4E2M1FN memory (one code per byte) as a vector: it may be out of bounds}}
  %v = vector.transfer_read %m[%c0, %j], %pad : memref<4x32xf4E2M1FN>, vector<16xf4E2M1FN>
  return %v : vector<16xf4E2M1FN>
}

// -----

func.func @masked(%m: memref<32xf4E2M1FN>, %mask: vector<16xi1>) -> vector<16xf4E2M1FN> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f4E2M1FN
  // expected-error@+1 {{cannot access f4E2M1FN memory (one code per byte) as a vector: it is masked}}
  %v = vector.transfer_read %m[%c0], %pad, %mask {in_bounds = [true]} : memref<32xf4E2M1FN>, vector<16xf4E2M1FN>
  return %v : vector<16xf4E2M1FN>
}

// -----

#col = affine_map<(i, j) -> (i)>
func.func @not_innermost(%m: memref<32x4xf4E2M1FN>) -> vector<16xf4E2M1FN> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f4E2M1FN
  // expected-error@+1 {{cannot access f4E2M1FN memory (one code per byte) as a vector: it is not along the innermost dim}}
  %v = vector.transfer_read %m[%c0, %c0], %pad {in_bounds = [true], permutation_map = #col} : memref<32x4xf4E2M1FN>, vector<16xf4E2M1FN>
  return %v : vector<16xf4E2M1FN>
}

// -----

func.func @strided(%m: memref<32xf4E2M1FN, strided<[2]>>) -> vector<16xf4E2M1FN> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f4E2M1FN
  // expected-error@+1 {{cannot access f4E2M1FN memory (one code per byte) as a vector: its memref's innermost stride is not 1}}
  %v = vector.transfer_read %m[%c0], %pad {in_bounds = [true]} : memref<32xf4E2M1FN, strided<[2]>>, vector<16xf4E2M1FN>
  return %v : vector<16xf4E2M1FN>
}

// -----

func.func @on_tensor(%t: tensor<32xf4E2M1FN>) -> vector<16xf4E2M1FN> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f4E2M1FN
  // expected-error@+1 {{cannot access f4E2M1FN memory (one code per byte) as a vector: it is not on a memref (bufferize first)}}
  %v = vector.transfer_read %t[%c0], %pad {in_bounds = [true]} : tensor<32xf4E2M1FN>, vector<16xf4E2M1FN>
  return %v : vector<16xf4E2M1FN>
}
