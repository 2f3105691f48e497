func.func @forward(%x: tensor<2x16x32xf32> {metis.role = #metis.role<activation>}, %l0_attn_norm: tensor<32xf32> {metis.role = #metis.role<weight>}, %l0_wq: tensor<32x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_wk: tensor<16x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_wv: tensor<16x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_wo: tensor<32x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_ffn_norm: tensor<32xf32> {metis.role = #metis.role<weight>}, %l0_w_gate: tensor<64x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_w_up: tensor<64x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_w_down: tensor<32x64xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %final_norm: tensor<32xf32> {metis.role = #metis.role<weight>}, %lm_head: tensor<128x32xf32> {metis.role = #metis.role<weight>, metis.lm_head}) -> (tensor<2x16x128xf32>, tensor<32x32xf32>, tensor<2x16x32xf32>, tensor<2x16xf32>, tensor<32x64xf32>, tensor<32x64xf32>, tensor<32x64xf32>, tensor<32x32xf32>, tensor<2x16x32xf32>, tensor<2x16xf32>, tensor<32x32xf32>, tensor<4x16x16xf32>, tensor<4x16x16xf32>, tensor<4x16x16xf32>, tensor<4x16x16xf32>, tensor<32x32xf32>, tensor<2x16x32xf32>, tensor<2x16xf32>) {
    %c1 = arith.constant 3.125000000e-02 : f32
    %c2 = arith.constant 1.000000000e-05 : f32
    %e3 = tensor.empty() : tensor<2x16xf32>
    %c4 = arith.constant 0.000000000e+00 : f32
    %z5 = linalg.fill ins(%c4 : f32) outs(%e3 : tensor<2x16xf32>) -> tensor<2x16xf32>
    %g6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : tensor<2x16x32xf32>) outs(%z5 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %m = arith.mulf %a0, %a0 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<2x16xf32>
    %e7 = tensor.empty() : tensor<2x16xf32>
    %g8 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g6 : tensor<2x16xf32>) outs(%e7 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %m = arith.mulf %a0, %c1 : f32
      %p = arith.addf %m, %c2 : f32
      %r = math.rsqrt %p : f32
      linalg.yield %r : f32
    } -> tensor<2x16xf32>
    %e9 = tensor.empty() : tensor<2x16x32xf32>
    %g10 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %g8, %l0_attn_norm : tensor<2x16x32xf32>, tensor<2x16xf32>, tensor<32xf32>) outs(%e9 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %y = arith.mulf %m, %a2 : f32
      linalg.yield %y : f32
    } -> tensor<2x16x32xf32>
    %r11 = tensor.collapse_shape %g10 [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
    %e12 = tensor.empty() : tensor<32x32xf32>
    %c13 = arith.constant 0.000000000e+00 : f32
    %z14 = linalg.fill ins(%c13 : f32) outs(%e12 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %g15 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r11, %l0_wq : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z14 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e16 = tensor.empty() : tensor<32x16xf32>
    %c17 = arith.constant 0.000000000e+00 : f32
    %z18 = linalg.fill ins(%c17 : f32) outs(%e16 : tensor<32x16xf32>) -> tensor<32x16xf32>
    %g19 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r11, %l0_wk : tensor<32x32xf32>, tensor<16x32xf32>) outs(%z18 : tensor<32x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x16xf32>
    %e20 = tensor.empty() : tensor<32x16xf32>
    %c21 = arith.constant 0.000000000e+00 : f32
    %z22 = linalg.fill ins(%c21 : f32) outs(%e20 : tensor<32x16xf32>) -> tensor<32x16xf32>
    %g23 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r11, %l0_wv : tensor<32x32xf32>, tensor<16x32xf32>) outs(%z22 : tensor<32x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x16xf32>
    %r24 = tensor.expand_shape %g15 [[0, 1], [2, 3]] output_shape [2, 16, 2, 16] : tensor<32x32xf32> into tensor<2x16x2x16xf32>
    %e25 = tensor.empty() : tensor<2x2x16x16xf32>
    %t26 = linalg.transpose ins(%r24 : tensor<2x16x2x16xf32>) outs(%e25 : tensor<2x2x16x16xf32>) permutation = [0, 2, 1, 3]
    %r27 = tensor.collapse_shape %t26 [[0, 1], [2], [3]] : tensor<2x2x16x16xf32> into tensor<4x16x16xf32>
    %r28 = tensor.expand_shape %g19 [[0, 1], [2, 3]] output_shape [2, 16, 1, 16] : tensor<32x16xf32> into tensor<2x16x1x16xf32>
    %e29 = tensor.empty() : tensor<2x1x16x16xf32>
    %t30 = linalg.transpose ins(%r28 : tensor<2x16x1x16xf32>) outs(%e29 : tensor<2x1x16x16xf32>) permutation = [0, 2, 1, 3]
    %e31 = tensor.empty() : tensor<2x1x2x16x16xf32>
    %g32 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%t30 : tensor<2x1x16x16xf32>) outs(%e31 : tensor<2x1x2x16x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      linalg.yield %a0 : f32
    } -> tensor<2x1x2x16x16xf32>
    %r33 = tensor.collapse_shape %g32 [[0, 1, 2], [3], [4]] : tensor<2x1x2x16x16xf32> into tensor<4x16x16xf32>
    %r34 = tensor.expand_shape %g23 [[0, 1], [2, 3]] output_shape [2, 16, 1, 16] : tensor<32x16xf32> into tensor<2x16x1x16xf32>
    %e35 = tensor.empty() : tensor<2x1x16x16xf32>
    %t36 = linalg.transpose ins(%r34 : tensor<2x16x1x16xf32>) outs(%e35 : tensor<2x1x16x16xf32>) permutation = [0, 2, 1, 3]
    %e37 = tensor.empty() : tensor<2x1x2x16x16xf32>
    %g38 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%t36 : tensor<2x1x16x16xf32>) outs(%e37 : tensor<2x1x2x16x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      linalg.yield %a0 : f32
    } -> tensor<2x1x2x16x16xf32>
    %r39 = tensor.collapse_shape %g38 [[0, 1, 2], [3], [4]] : tensor<2x1x2x16x16xf32> into tensor<4x16x16xf32>
    %e40 = tensor.empty() : tensor<4x16x16xf32>
    %t41 = linalg.transpose ins(%r33 : tensor<4x16x16xf32>) outs(%e40 : tensor<4x16x16xf32>) permutation = [0, 2, 1]
    %e42 = tensor.empty() : tensor<4x16x16xf32>
    %c43 = arith.constant 0.000000000e+00 : f32
    %z44 = linalg.fill ins(%c43 : f32) outs(%e42 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %bmm45 = linalg.batch_matmul ins(%r27, %t41 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z44 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %c46 = arith.constant 2.500000000e-01 : f32
    %c47 = arith.constant -1.000000000e+30 : f32
    %e48 = tensor.empty() : tensor<4x16x16xf32>
    %g49 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%bmm45 : tensor<4x16x16xf32>) outs(%e48 : tensor<4x16x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %i = linalg.index 1 : index
      %j = linalg.index 2 : index
      %future = arith.cmpi ugt, %j, %i : index
      %sc = arith.mulf %a0, %c46 : f32
      %m = arith.select %future, %c47, %sc : f32
      linalg.yield %m : f32
    } -> tensor<4x16x16xf32>
    %e50 = tensor.empty() : tensor<4x16xf32>
    %c51 = arith.constant -1.000000000e+30 : f32
    %z52 = linalg.fill ins(%c51 : f32) outs(%e50 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %g53 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g49 : tensor<4x16x16xf32>) outs(%z52 : tensor<4x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %m = arith.maximumf %out, %a0 : f32
      linalg.yield %m : f32
    } -> tensor<4x16xf32>
    %e54 = tensor.empty() : tensor<4x16x16xf32>
    %g55 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g49, %g53 : tensor<4x16x16xf32>, tensor<4x16xf32>) outs(%e54 : tensor<4x16x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %d = arith.subf %a0, %a1 : f32
      %e = math.exp %d : f32
      linalg.yield %e : f32
    } -> tensor<4x16x16xf32>
    %e56 = tensor.empty() : tensor<4x16xf32>
    %c57 = arith.constant 0.000000000e+00 : f32
    %z58 = linalg.fill ins(%c57 : f32) outs(%e56 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %g59 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g55 : tensor<4x16x16xf32>) outs(%z58 : tensor<4x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %s = arith.addf %out, %a0 : f32
      linalg.yield %s : f32
    } -> tensor<4x16xf32>
    %e60 = tensor.empty() : tensor<4x16x16xf32>
    %g61 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g55, %g59 : tensor<4x16x16xf32>, tensor<4x16xf32>) outs(%e60 : tensor<4x16x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %p = arith.divf %a0, %a1 : f32
      linalg.yield %p : f32
    } -> tensor<4x16x16xf32>
    %e62 = tensor.empty() : tensor<4x16x16xf32>
    %c63 = arith.constant 0.000000000e+00 : f32
    %z64 = linalg.fill ins(%c63 : f32) outs(%e62 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %bmm65 = linalg.batch_matmul ins(%g61, %r39 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z64 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %r66 = tensor.expand_shape %bmm65 [[0, 1], [2], [3]] output_shape [2, 2, 16, 16] : tensor<4x16x16xf32> into tensor<2x2x16x16xf32>
    %e67 = tensor.empty() : tensor<2x16x2x16xf32>
    %t68 = linalg.transpose ins(%r66 : tensor<2x2x16x16xf32>) outs(%e67 : tensor<2x16x2x16xf32>) permutation = [0, 2, 1, 3]
    %r69 = tensor.collapse_shape %t68 [[0, 1], [2, 3]] : tensor<2x16x2x16xf32> into tensor<32x32xf32>
    %e70 = tensor.empty() : tensor<32x32xf32>
    %c71 = arith.constant 0.000000000e+00 : f32
    %z72 = linalg.fill ins(%c71 : f32) outs(%e70 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %g73 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r69, %l0_wo : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z72 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %r74 = tensor.expand_shape %g73 [[0, 1], [2]] output_shape [2, 16, 32] : tensor<32x32xf32> into tensor<2x16x32xf32>
    %e75 = tensor.empty() : tensor<2x16x32xf32>
    %g76 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %r74 : tensor<2x16x32xf32>, tensor<2x16x32xf32>) outs(%e75 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x16x32xf32>
    %c77 = arith.constant 3.125000000e-02 : f32
    %c78 = arith.constant 1.000000000e-05 : f32
    %e79 = tensor.empty() : tensor<2x16xf32>
    %c80 = arith.constant 0.000000000e+00 : f32
    %z81 = linalg.fill ins(%c80 : f32) outs(%e79 : tensor<2x16xf32>) -> tensor<2x16xf32>
    %g82 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g76 : tensor<2x16x32xf32>) outs(%z81 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %m = arith.mulf %a0, %a0 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<2x16xf32>
    %e83 = tensor.empty() : tensor<2x16xf32>
    %g84 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g82 : tensor<2x16xf32>) outs(%e83 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %m = arith.mulf %a0, %c77 : f32
      %p = arith.addf %m, %c78 : f32
      %r = math.rsqrt %p : f32
      linalg.yield %r : f32
    } -> tensor<2x16xf32>
    %e85 = tensor.empty() : tensor<2x16x32xf32>
    %g86 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g76, %g84, %l0_ffn_norm : tensor<2x16x32xf32>, tensor<2x16xf32>, tensor<32xf32>) outs(%e85 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %y = arith.mulf %m, %a2 : f32
      linalg.yield %y : f32
    } -> tensor<2x16x32xf32>
    %r87 = tensor.collapse_shape %g86 [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
    %e88 = tensor.empty() : tensor<32x64xf32>
    %c89 = arith.constant 0.000000000e+00 : f32
    %z90 = linalg.fill ins(%c89 : f32) outs(%e88 : tensor<32x64xf32>) -> tensor<32x64xf32>
    %g91 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r87, %l0_w_gate : tensor<32x32xf32>, tensor<64x32xf32>) outs(%z90 : tensor<32x64xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x64xf32>
    %e92 = tensor.empty() : tensor<32x64xf32>
    %c93 = arith.constant 0.000000000e+00 : f32
    %z94 = linalg.fill ins(%c93 : f32) outs(%e92 : tensor<32x64xf32>) -> tensor<32x64xf32>
    %g95 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r87, %l0_w_up : tensor<32x32xf32>, tensor<64x32xf32>) outs(%z94 : tensor<32x64xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x64xf32>
    %c96 = arith.constant 1.000000000e+00 : f32
    %e97 = tensor.empty() : tensor<32x64xf32>
    %g98 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g91, %g95 : tensor<32x64xf32>, tensor<32x64xf32>) outs(%e97 : tensor<32x64xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %n = arith.negf %a0 : f32
      %e = math.exp %n : f32
      %d = arith.addf %e, %c96 : f32
      %s = arith.divf %a0, %d : f32
      %y = arith.mulf %s, %a1 : f32
      linalg.yield %y : f32
    } -> tensor<32x64xf32>
    %e99 = tensor.empty() : tensor<32x32xf32>
    %c100 = arith.constant 0.000000000e+00 : f32
    %z101 = linalg.fill ins(%c100 : f32) outs(%e99 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %g102 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g98, %l0_w_down : tensor<32x64xf32>, tensor<32x64xf32>) outs(%z101 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %r103 = tensor.expand_shape %g102 [[0, 1], [2]] output_shape [2, 16, 32] : tensor<32x32xf32> into tensor<2x16x32xf32>
    %e104 = tensor.empty() : tensor<2x16x32xf32>
    %g105 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g76, %r103 : tensor<2x16x32xf32>, tensor<2x16x32xf32>) outs(%e104 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x16x32xf32>
    %c106 = arith.constant 3.125000000e-02 : f32
    %c107 = arith.constant 1.000000000e-05 : f32
    %e108 = tensor.empty() : tensor<2x16xf32>
    %c109 = arith.constant 0.000000000e+00 : f32
    %z110 = linalg.fill ins(%c109 : f32) outs(%e108 : tensor<2x16xf32>) -> tensor<2x16xf32>
    %g111 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g105 : tensor<2x16x32xf32>) outs(%z110 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %m = arith.mulf %a0, %a0 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<2x16xf32>
    %e112 = tensor.empty() : tensor<2x16xf32>
    %g113 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g111 : tensor<2x16xf32>) outs(%e112 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %m = arith.mulf %a0, %c106 : f32
      %p = arith.addf %m, %c107 : f32
      %r = math.rsqrt %p : f32
      linalg.yield %r : f32
    } -> tensor<2x16xf32>
    %e114 = tensor.empty() : tensor<2x16x32xf32>
    %g115 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g105, %g113, %final_norm : tensor<2x16x32xf32>, tensor<2x16xf32>, tensor<32xf32>) outs(%e114 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %y = arith.mulf %m, %a2 : f32
      linalg.yield %y : f32
    } -> tensor<2x16x32xf32>
    %r116 = tensor.collapse_shape %g115 [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
    %e117 = tensor.empty() : tensor<32x128xf32>
    %c118 = arith.constant 0.000000000e+00 : f32
    %z119 = linalg.fill ins(%c118 : f32) outs(%e117 : tensor<32x128xf32>) -> tensor<32x128xf32>
    %g120 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r116, %lm_head : tensor<32x32xf32>, tensor<128x32xf32>) outs(%z119 : tensor<32x128xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x128xf32>
    %r121 = tensor.expand_shape %g120 [[0, 1], [2]] output_shape [2, 16, 128] : tensor<32x128xf32> into tensor<2x16x128xf32>
    return %r121, %r116, %g105, %g113, %g98, %g91, %g95, %r87, %g76, %g84, %r69, %r39, %g61, %r33, %r27, %r11, %x, %g8 : tensor<2x16x128xf32>, tensor<32x32xf32>, tensor<2x16x32xf32>, tensor<2x16xf32>, tensor<32x64xf32>, tensor<32x64xf32>, tensor<32x64xf32>, tensor<32x32xf32>, tensor<2x16x32xf32>, tensor<2x16xf32>, tensor<32x32xf32>, tensor<4x16x16xf32>, tensor<4x16x16xf32>, tensor<4x16x16xf32>, tensor<4x16x16xf32>, tensor<32x32xf32>, tensor<2x16x32xf32>, tensor<2x16xf32>
}

func.func @backward(%r116: tensor<32x32xf32> {metis.role = #metis.role<activation>}, %g105: tensor<2x16x32xf32> {metis.role = #metis.role<activation>}, %g113: tensor<2x16xf32> {metis.role = #metis.role<activation>}, %g98: tensor<32x64xf32> {metis.role = #metis.role<activation>}, %g91: tensor<32x64xf32> {metis.role = #metis.role<activation>}, %g95: tensor<32x64xf32> {metis.role = #metis.role<activation>}, %r87: tensor<32x32xf32> {metis.role = #metis.role<activation>}, %g76: tensor<2x16x32xf32> {metis.role = #metis.role<activation>}, %g84: tensor<2x16xf32> {metis.role = #metis.role<activation>}, %r69: tensor<32x32xf32> {metis.role = #metis.role<activation>}, %r39: tensor<4x16x16xf32> {metis.role = #metis.role<activation>}, %g61: tensor<4x16x16xf32> {metis.role = #metis.role<activation>}, %r33: tensor<4x16x16xf32> {metis.role = #metis.role<activation>}, %r27: tensor<4x16x16xf32> {metis.role = #metis.role<activation>}, %r11: tensor<32x32xf32> {metis.role = #metis.role<activation>}, %x: tensor<2x16x32xf32> {metis.role = #metis.role<activation>}, %g8: tensor<2x16xf32> {metis.role = #metis.role<activation>}, %l0_attn_norm: tensor<32xf32> {metis.role = #metis.role<weight>}, %l0_wq: tensor<32x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_wk: tensor<16x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_wv: tensor<16x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_wo: tensor<32x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_ffn_norm: tensor<32xf32> {metis.role = #metis.role<weight>}, %l0_w_gate: tensor<64x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_w_up: tensor<64x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_w_down: tensor<32x64xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %final_norm: tensor<32xf32> {metis.role = #metis.role<weight>}, %lm_head: tensor<128x32xf32> {metis.role = #metis.role<weight>, metis.lm_head}, %dlogits: tensor<2x16x128xf32> {metis.role = #metis.role<gradient>}) -> (tensor<2x16x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<64x32xf32>, tensor<32x64xf32>, tensor<32xf32>, tensor<128x32xf32>) {
    %r122 = tensor.collapse_shape %dlogits [[0, 1], [2]] : tensor<2x16x128xf32> into tensor<32x128xf32>
    %e123 = tensor.empty() : tensor<32x32xf32>
    %c124 = arith.constant 0.000000000e+00 : f32
    %z125 = linalg.fill ins(%c124 : f32) outs(%e123 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %g126 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r122, %lm_head : tensor<32x128xf32>, tensor<128x32xf32>) outs(%z125 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e127 = tensor.empty() : tensor<128x32xf32>
    %c128 = arith.constant 0.000000000e+00 : f32
    %z129 = linalg.fill ins(%c128 : f32) outs(%e127 : tensor<128x32xf32>) -> tensor<128x32xf32>
    %g130 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r122, %r116 : tensor<32x128xf32>, tensor<32x32xf32>) outs(%z129 : tensor<128x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<128x32xf32>
    %r131 = tensor.expand_shape %g126 [[0, 1], [2]] output_shape [2, 16, 32] : tensor<32x32xf32> into tensor<2x16x32xf32>
    %c132 = arith.constant 3.125000000e-02 : f32
    %e133 = tensor.empty() : tensor<2x16xf32>
    %c134 = arith.constant 0.000000000e+00 : f32
    %z135 = linalg.fill ins(%c134 : f32) outs(%e133 : tensor<2x16xf32>) -> tensor<2x16xf32>
    %g136 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r131, %g105, %final_norm : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<32xf32>) outs(%z135 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a2 : f32
      %n = arith.mulf %m, %a1 : f32
      %s = arith.addf %out, %n : f32
      linalg.yield %s : f32
    } -> tensor<2x16xf32>
    %e137 = tensor.empty() : tensor<2x16x32xf32>
    %g138 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r131, %g105, %final_norm, %g113, %g136 : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<32xf32>, tensor<2x16xf32>, tensor<2x16xf32>) outs(%e137 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %a3: f32, %a4: f32, %out: f32):
      %a = arith.mulf %a0, %a2 : f32
      %t1 = arith.mulf %a3, %a : f32
      %r2 = arith.mulf %a3, %a3 : f32
      %r3 = arith.mulf %r2, %a3 : f32
      %ch = arith.mulf %a4, %c132 : f32
      %k = arith.mulf %r3, %ch : f32
      %t2 = arith.mulf %a1, %k : f32
      %d = arith.subf %t1, %t2 : f32
      linalg.yield %d : f32
    } -> tensor<2x16x32xf32>
    %e139 = tensor.empty() : tensor<32xf32>
    %c140 = arith.constant 0.000000000e+00 : f32
    %z141 = linalg.fill ins(%c140 : f32) outs(%e139 : tensor<32xf32>) -> tensor<32xf32>
    %g142 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0)>], iterator_types = ["parallel", "reduction", "reduction"]} ins(%r131, %g105, %g113 : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<2x16xf32>) outs(%z141 : tensor<32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %n = arith.mulf %m, %a2 : f32
      %s = arith.addf %out, %n : f32
      linalg.yield %s : f32
    } -> tensor<32xf32>
    %r143 = tensor.collapse_shape %g138 [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
    %e144 = tensor.empty() : tensor<32x64xf32>
    %c145 = arith.constant 0.000000000e+00 : f32
    %z146 = linalg.fill ins(%c145 : f32) outs(%e144 : tensor<32x64xf32>) -> tensor<32x64xf32>
    %g147 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r143, %l0_w_down : tensor<32x32xf32>, tensor<32x64xf32>) outs(%z146 : tensor<32x64xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x64xf32>
    %e148 = tensor.empty() : tensor<32x64xf32>
    %c149 = arith.constant 0.000000000e+00 : f32
    %z150 = linalg.fill ins(%c149 : f32) outs(%e148 : tensor<32x64xf32>) -> tensor<32x64xf32>
    %g151 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r143, %g98 : tensor<32x32xf32>, tensor<32x64xf32>) outs(%z150 : tensor<32x64xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x64xf32>
    %c152 = arith.constant 1.000000000e+00 : f32
    %e153 = tensor.empty() : tensor<32x64xf32>
    %g154 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g147, %g91 : tensor<32x64xf32>, tensor<32x64xf32>) outs(%e153 : tensor<32x64xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %n = arith.negf %a1 : f32
      %e = math.exp %n : f32
      %d = arith.addf %e, %c152 : f32
      %sg = arith.divf %c152, %d : f32
      %s = arith.mulf %a1, %sg : f32
      %r = arith.mulf %a0, %s : f32
      linalg.yield %r : f32
    } -> tensor<32x64xf32>
    %e155 = tensor.empty() : tensor<32x64xf32>
    %g156 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g147, %g91, %g95 : tensor<32x64xf32>, tensor<32x64xf32>, tensor<32x64xf32>) outs(%e155 : tensor<32x64xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %n = arith.negf %a1 : f32
      %e = math.exp %n : f32
      %d = arith.addf %e, %c152 : f32
      %sg = arith.divf %c152, %d : f32
      %om = arith.subf %c152, %sg : f32
      %gm = arith.mulf %a1, %om : f32
      %q = arith.addf %gm, %c152 : f32
      %ds = arith.mulf %sg, %q : f32
      %u = arith.mulf %a0, %a2 : f32
      %r = arith.mulf %u, %ds : f32
      linalg.yield %r : f32
    } -> tensor<32x64xf32>
    %e157 = tensor.empty() : tensor<32x32xf32>
    %c158 = arith.constant 0.000000000e+00 : f32
    %z159 = linalg.fill ins(%c158 : f32) outs(%e157 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %g160 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g156, %l0_w_gate : tensor<32x64xf32>, tensor<64x32xf32>) outs(%z159 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e161 = tensor.empty() : tensor<32x32xf32>
    %c162 = arith.constant 0.000000000e+00 : f32
    %z163 = linalg.fill ins(%c162 : f32) outs(%e161 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %g164 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g154, %l0_w_up : tensor<32x64xf32>, tensor<64x32xf32>) outs(%z163 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e165 = tensor.empty() : tensor<32x32xf32>
    %g166 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g160, %g164 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%e165 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e167 = tensor.empty() : tensor<64x32xf32>
    %c168 = arith.constant 0.000000000e+00 : f32
    %z169 = linalg.fill ins(%c168 : f32) outs(%e167 : tensor<64x32xf32>) -> tensor<64x32xf32>
    %g170 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g156, %r87 : tensor<32x64xf32>, tensor<32x32xf32>) outs(%z169 : tensor<64x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<64x32xf32>
    %e171 = tensor.empty() : tensor<64x32xf32>
    %c172 = arith.constant 0.000000000e+00 : f32
    %z173 = linalg.fill ins(%c172 : f32) outs(%e171 : tensor<64x32xf32>) -> tensor<64x32xf32>
    %g174 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g154, %r87 : tensor<32x64xf32>, tensor<32x32xf32>) outs(%z173 : tensor<64x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<64x32xf32>
    %r175 = tensor.expand_shape %g166 [[0, 1], [2]] output_shape [2, 16, 32] : tensor<32x32xf32> into tensor<2x16x32xf32>
    %c176 = arith.constant 3.125000000e-02 : f32
    %e177 = tensor.empty() : tensor<2x16xf32>
    %c178 = arith.constant 0.000000000e+00 : f32
    %z179 = linalg.fill ins(%c178 : f32) outs(%e177 : tensor<2x16xf32>) -> tensor<2x16xf32>
    %g180 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r175, %g76, %l0_ffn_norm : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<32xf32>) outs(%z179 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a2 : f32
      %n = arith.mulf %m, %a1 : f32
      %s = arith.addf %out, %n : f32
      linalg.yield %s : f32
    } -> tensor<2x16xf32>
    %e181 = tensor.empty() : tensor<2x16x32xf32>
    %g182 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r175, %g76, %l0_ffn_norm, %g84, %g180 : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<32xf32>, tensor<2x16xf32>, tensor<2x16xf32>) outs(%e181 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %a3: f32, %a4: f32, %out: f32):
      %a = arith.mulf %a0, %a2 : f32
      %t1 = arith.mulf %a3, %a : f32
      %r2 = arith.mulf %a3, %a3 : f32
      %r3 = arith.mulf %r2, %a3 : f32
      %ch = arith.mulf %a4, %c176 : f32
      %k = arith.mulf %r3, %ch : f32
      %t2 = arith.mulf %a1, %k : f32
      %d = arith.subf %t1, %t2 : f32
      linalg.yield %d : f32
    } -> tensor<2x16x32xf32>
    %e183 = tensor.empty() : tensor<32xf32>
    %c184 = arith.constant 0.000000000e+00 : f32
    %z185 = linalg.fill ins(%c184 : f32) outs(%e183 : tensor<32xf32>) -> tensor<32xf32>
    %g186 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0)>], iterator_types = ["parallel", "reduction", "reduction"]} ins(%r175, %g76, %g84 : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<2x16xf32>) outs(%z185 : tensor<32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %n = arith.mulf %m, %a2 : f32
      %s = arith.addf %out, %n : f32
      linalg.yield %s : f32
    } -> tensor<32xf32>
    %e187 = tensor.empty() : tensor<2x16x32xf32>
    %g188 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g138, %g182 : tensor<2x16x32xf32>, tensor<2x16x32xf32>) outs(%e187 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x16x32xf32>
    %r189 = tensor.collapse_shape %g188 [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
    %e190 = tensor.empty() : tensor<32x32xf32>
    %c191 = arith.constant 0.000000000e+00 : f32
    %z192 = linalg.fill ins(%c191 : f32) outs(%e190 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %g193 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r189, %l0_wo : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z192 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e194 = tensor.empty() : tensor<32x32xf32>
    %c195 = arith.constant 0.000000000e+00 : f32
    %z196 = linalg.fill ins(%c195 : f32) outs(%e194 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %g197 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r189, %r69 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z196 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %r198 = tensor.expand_shape %g193 [[0, 1], [2, 3]] output_shape [2, 16, 2, 16] : tensor<32x32xf32> into tensor<2x16x2x16xf32>
    %e199 = tensor.empty() : tensor<2x2x16x16xf32>
    %t200 = linalg.transpose ins(%r198 : tensor<2x16x2x16xf32>) outs(%e199 : tensor<2x2x16x16xf32>) permutation = [0, 2, 1, 3]
    %r201 = tensor.collapse_shape %t200 [[0, 1], [2], [3]] : tensor<2x2x16x16xf32> into tensor<4x16x16xf32>
    %e202 = tensor.empty() : tensor<4x16x16xf32>
    %t203 = linalg.transpose ins(%r39 : tensor<4x16x16xf32>) outs(%e202 : tensor<4x16x16xf32>) permutation = [0, 2, 1]
    %e204 = tensor.empty() : tensor<4x16x16xf32>
    %c205 = arith.constant 0.000000000e+00 : f32
    %z206 = linalg.fill ins(%c205 : f32) outs(%e204 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %bmm207 = linalg.batch_matmul ins(%r201, %t203 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z206 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %e208 = tensor.empty() : tensor<4x16x16xf32>
    %t209 = linalg.transpose ins(%g61 : tensor<4x16x16xf32>) outs(%e208 : tensor<4x16x16xf32>) permutation = [0, 2, 1]
    %e210 = tensor.empty() : tensor<4x16x16xf32>
    %c211 = arith.constant 0.000000000e+00 : f32
    %z212 = linalg.fill ins(%c211 : f32) outs(%e210 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %bmm213 = linalg.batch_matmul ins(%t209, %r201 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z212 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %e214 = tensor.empty() : tensor<4x16xf32>
    %c215 = arith.constant 0.000000000e+00 : f32
    %z216 = linalg.fill ins(%c215 : f32) outs(%e214 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %g217 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%bmm207, %g61 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z216 : tensor<4x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<4x16xf32>
    %c218 = arith.constant 2.500000000e-01 : f32
    %e219 = tensor.empty() : tensor<4x16x16xf32>
    %g220 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%bmm207, %g61, %g217 : tensor<4x16x16xf32>, tensor<4x16x16xf32>, tensor<4x16xf32>) outs(%e219 : tensor<4x16x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %d = arith.subf %a0, %a2 : f32
      %m = arith.mulf %a1, %d : f32
      %s = arith.mulf %m, %c218 : f32
      linalg.yield %s : f32
    } -> tensor<4x16x16xf32>
    %e221 = tensor.empty() : tensor<4x16x16xf32>
    %c222 = arith.constant 0.000000000e+00 : f32
    %z223 = linalg.fill ins(%c222 : f32) outs(%e221 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %bmm224 = linalg.batch_matmul ins(%g220, %r33 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z223 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %e225 = tensor.empty() : tensor<4x16x16xf32>
    %t226 = linalg.transpose ins(%g220 : tensor<4x16x16xf32>) outs(%e225 : tensor<4x16x16xf32>) permutation = [0, 2, 1]
    %e227 = tensor.empty() : tensor<4x16x16xf32>
    %c228 = arith.constant 0.000000000e+00 : f32
    %z229 = linalg.fill ins(%c228 : f32) outs(%e227 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %bmm230 = linalg.batch_matmul ins(%t226, %r27 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z229 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %r231 = tensor.expand_shape %bmm224 [[0, 1], [2], [3]] output_shape [2, 2, 16, 16] : tensor<4x16x16xf32> into tensor<2x2x16x16xf32>
    %e232 = tensor.empty() : tensor<2x16x2x16xf32>
    %t233 = linalg.transpose ins(%r231 : tensor<2x2x16x16xf32>) outs(%e232 : tensor<2x16x2x16xf32>) permutation = [0, 2, 1, 3]
    %r234 = tensor.collapse_shape %t233 [[0, 1], [2, 3]] : tensor<2x16x2x16xf32> into tensor<32x32xf32>
    %r235 = tensor.expand_shape %bmm230 [[0, 1, 2], [3], [4]] output_shape [2, 1, 2, 16, 16] : tensor<4x16x16xf32> into tensor<2x1x2x16x16xf32>
    %e236 = tensor.empty() : tensor<2x1x16x16xf32>
    %c237 = arith.constant 0.000000000e+00 : f32
    %z238 = linalg.fill ins(%c237 : f32) outs(%e236 : tensor<2x1x16x16xf32>) -> tensor<2x1x16x16xf32>
    %g239 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%r235 : tensor<2x1x2x16x16xf32>) outs(%z238 : tensor<2x1x16x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %s = arith.addf %out, %a0 : f32
      linalg.yield %s : f32
    } -> tensor<2x1x16x16xf32>
    %e240 = tensor.empty() : tensor<2x16x1x16xf32>
    %t241 = linalg.transpose ins(%g239 : tensor<2x1x16x16xf32>) outs(%e240 : tensor<2x16x1x16xf32>) permutation = [0, 2, 1, 3]
    %r242 = tensor.collapse_shape %t241 [[0, 1], [2, 3]] : tensor<2x16x1x16xf32> into tensor<32x16xf32>
    %r243 = tensor.expand_shape %bmm213 [[0, 1, 2], [3], [4]] output_shape [2, 1, 2, 16, 16] : tensor<4x16x16xf32> into tensor<2x1x2x16x16xf32>
    %e244 = tensor.empty() : tensor<2x1x16x16xf32>
    %c245 = arith.constant 0.000000000e+00 : f32
    %z246 = linalg.fill ins(%c245 : f32) outs(%e244 : tensor<2x1x16x16xf32>) -> tensor<2x1x16x16xf32>
    %g247 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%r243 : tensor<2x1x2x16x16xf32>) outs(%z246 : tensor<2x1x16x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %s = arith.addf %out, %a0 : f32
      linalg.yield %s : f32
    } -> tensor<2x1x16x16xf32>
    %e248 = tensor.empty() : tensor<2x16x1x16xf32>
    %t249 = linalg.transpose ins(%g247 : tensor<2x1x16x16xf32>) outs(%e248 : tensor<2x16x1x16xf32>) permutation = [0, 2, 1, 3]
    %r250 = tensor.collapse_shape %t249 [[0, 1], [2, 3]] : tensor<2x16x1x16xf32> into tensor<32x16xf32>
    %e251 = tensor.empty() : tensor<32x32xf32>
    %c252 = arith.constant 0.000000000e+00 : f32
    %z253 = linalg.fill ins(%c252 : f32) outs(%e251 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %g254 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r234, %l0_wq : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z253 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e255 = tensor.empty() : tensor<32x32xf32>
    %c256 = arith.constant 0.000000000e+00 : f32
    %z257 = linalg.fill ins(%c256 : f32) outs(%e255 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %g258 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r242, %l0_wk : tensor<32x16xf32>, tensor<16x32xf32>) outs(%z257 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e259 = tensor.empty() : tensor<32x32xf32>
    %g260 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g254, %g258 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%e259 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e261 = tensor.empty() : tensor<32x32xf32>
    %c262 = arith.constant 0.000000000e+00 : f32
    %z263 = linalg.fill ins(%c262 : f32) outs(%e261 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %g264 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r250, %l0_wv : tensor<32x16xf32>, tensor<16x32xf32>) outs(%z263 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e265 = tensor.empty() : tensor<32x32xf32>
    %g266 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g260, %g264 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%e265 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e267 = tensor.empty() : tensor<32x32xf32>
    %c268 = arith.constant 0.000000000e+00 : f32
    %z269 = linalg.fill ins(%c268 : f32) outs(%e267 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %g270 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r234, %r11 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z269 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e271 = tensor.empty() : tensor<16x32xf32>
    %c272 = arith.constant 0.000000000e+00 : f32
    %z273 = linalg.fill ins(%c272 : f32) outs(%e271 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %g274 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r242, %r11 : tensor<32x16xf32>, tensor<32x32xf32>) outs(%z273 : tensor<16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<16x32xf32>
    %e275 = tensor.empty() : tensor<16x32xf32>
    %c276 = arith.constant 0.000000000e+00 : f32
    %z277 = linalg.fill ins(%c276 : f32) outs(%e275 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %g278 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r250, %r11 : tensor<32x16xf32>, tensor<32x32xf32>) outs(%z277 : tensor<16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<16x32xf32>
    %r279 = tensor.expand_shape %g266 [[0, 1], [2]] output_shape [2, 16, 32] : tensor<32x32xf32> into tensor<2x16x32xf32>
    %c280 = arith.constant 3.125000000e-02 : f32
    %e281 = tensor.empty() : tensor<2x16xf32>
    %c282 = arith.constant 0.000000000e+00 : f32
    %z283 = linalg.fill ins(%c282 : f32) outs(%e281 : tensor<2x16xf32>) -> tensor<2x16xf32>
    %g284 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r279, %x, %l0_attn_norm : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<32xf32>) outs(%z283 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a2 : f32
      %n = arith.mulf %m, %a1 : f32
      %s = arith.addf %out, %n : f32
      linalg.yield %s : f32
    } -> tensor<2x16xf32>
    %e285 = tensor.empty() : tensor<2x16x32xf32>
    %g286 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r279, %x, %l0_attn_norm, %g8, %g284 : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<32xf32>, tensor<2x16xf32>, tensor<2x16xf32>) outs(%e285 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %a3: f32, %a4: f32, %out: f32):
      %a = arith.mulf %a0, %a2 : f32
      %t1 = arith.mulf %a3, %a : f32
      %r2 = arith.mulf %a3, %a3 : f32
      %r3 = arith.mulf %r2, %a3 : f32
      %ch = arith.mulf %a4, %c280 : f32
      %k = arith.mulf %r3, %ch : f32
      %t2 = arith.mulf %a1, %k : f32
      %d = arith.subf %t1, %t2 : f32
      linalg.yield %d : f32
    } -> tensor<2x16x32xf32>
    %e287 = tensor.empty() : tensor<32xf32>
    %c288 = arith.constant 0.000000000e+00 : f32
    %z289 = linalg.fill ins(%c288 : f32) outs(%e287 : tensor<32xf32>) -> tensor<32xf32>
    %g290 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0)>], iterator_types = ["parallel", "reduction", "reduction"]} ins(%r279, %x, %g8 : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<2x16xf32>) outs(%z289 : tensor<32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %n = arith.mulf %m, %a2 : f32
      %s = arith.addf %out, %n : f32
      linalg.yield %s : f32
    } -> tensor<32xf32>
    %e291 = tensor.empty() : tensor<2x16x32xf32>
    %g292 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g188, %g286 : tensor<2x16x32xf32>, tensor<2x16x32xf32>) outs(%e291 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x16x32xf32>
    return %g292, %g290, %g270, %g274, %g278, %g197, %g186, %g170, %g174, %g151, %g142, %g130 : tensor<2x16x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<64x32xf32>, tensor<32x64xf32>, tensor<32xf32>, tensor<128x32xf32>
}
