// REQUIRES: ptxas
// RUN: metis-opt %S/Inputs/scaled-matmuls.mlir --metis-gpu-pipeline="chip=sm_100a format=isa" -o %t.mlir
// RUN: %python %S/Inputs/extract_binary.py %t.mlir %t.ptx
// RUN: FileCheck %s < %t.ptx
// RUN: %ptxas -arch=sm_100a %t.ptx -o %t.cubin

// sm_100a: block-scaled tcgen05 MMAs from shared-memory descriptors into a
// tensor-memory accumulator; NVFP4 = kind::mxf4nvf4 block16, MXFP4 =
// kind::mxf4 block32.

// CHECK: .version 8.8
// CHECK: .target sm_100a
// CHECK-LABEL: .visible .entry metis_smm_tcgen05_nvfp4_256x128x512_f32(
// (Block order in PTX is not program order: -DAG.)
// CHECK-DAG: .maxntid 128, 1, 1
// CHECK-DAG: tcgen05.alloc.cta_group::1.sync.aligned.shared::cta.b32
// CHECK-DAG: tcgen05.relinquish_alloc_permit.cta_group::1.sync.aligned;
// CHECK-DAG: mbarrier.init.shared.b64
// CHECK-DAG: fence.mbarrier_init.release.cluster;
// CHECK-DAG: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;
// CHECK-DAG: cp.async.wait_group 2;
// CHECK-DAG: fence.proxy.async.shared::cta;
// CHECK-DAG: tcgen05.cp.cta_group::1.32x128b.warpx4
// CHECK-DAG: tcgen05.mma.cta_group::1.kind::mxf4nvf4.block_scale.block16.collector::a::discard
// CHECK-DAG: tcgen05.commit.cta_group::1.mbarrier::arrive::one.shared::cluster.b64
// CHECK-DAG: mbarrier.try_wait.parity.shared.b64
// CHECK-DAG: tcgen05.ld.sync.aligned.32x32b.x32.b32
// CHECK-DAG: tcgen05.wait::ld.sync.aligned;
// CHECK-DAG: tcgen05.dealloc.cta_group::1.sync.aligned.b32
// CHECK-LABEL: .visible .entry metis_smm_tcgen05_mxfp4_128x256x512_bf16(
// CHECK-DAG: cp.async.wait_group 1;
// CHECK-DAG: tcgen05.mma.cta_group::1.kind::mxf4.block_scale.block32.collector::a::discard
// CHECK-DAG: cvt.rn.bf16.f32
