func.func @train_step(%x: tensor<2x16x32xf32> {metis.role = #metis.role<activation>}, %l0_attn_norm: tensor<32xf32> {metis.role = #metis.role<weight>}, %l0_wq: tensor<32x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_wk: tensor<16x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_wv: tensor<16x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_wo: tensor<32x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_ffn_norm: tensor<32xf32> {metis.role = #metis.role<weight>}, %l0_w_gate: tensor<64x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_w_up: tensor<64x32xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %l0_w_down: tensor<32x64xf32> {metis.role = #metis.role<weight>, metis.layer = 0 : i64}, %final_norm: tensor<32xf32> {metis.role = #metis.role<weight>}, %lm_head: tensor<128x32xf32> {metis.role = #metis.role<weight>, metis.lm_head}, %dlogits: tensor<2x16x128xf32> {metis.role = #metis.role<gradient>}) -> (tensor<2x16x128xf32>, tensor<2x16x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<64x32xf32>, tensor<32x64xf32>, tensor<32xf32>, tensor<128x32xf32>) {
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
    %t13 = linalg.transpose ins(%l0_wq : tensor<32x32xf32>) outs(%e12 : tensor<32x32xf32>) permutation = [1, 0]
    %e14 = tensor.empty() : tensor<32x32xf32>
    %c15 = arith.constant 0.000000000e+00 : f32
    %z16 = linalg.fill ins(%c15 : f32) outs(%e14 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %mm17 = linalg.matmul ins(%r11, %t13 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z16 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %e18 = tensor.empty() : tensor<32x16xf32>
    %t19 = linalg.transpose ins(%l0_wk : tensor<16x32xf32>) outs(%e18 : tensor<32x16xf32>) permutation = [1, 0]
    %e20 = tensor.empty() : tensor<32x16xf32>
    %c21 = arith.constant 0.000000000e+00 : f32
    %z22 = linalg.fill ins(%c21 : f32) outs(%e20 : tensor<32x16xf32>) -> tensor<32x16xf32>
    %mm23 = linalg.matmul ins(%r11, %t19 : tensor<32x32xf32>, tensor<32x16xf32>) outs(%z22 : tensor<32x16xf32>) -> tensor<32x16xf32>
    %e24 = tensor.empty() : tensor<32x16xf32>
    %t25 = linalg.transpose ins(%l0_wv : tensor<16x32xf32>) outs(%e24 : tensor<32x16xf32>) permutation = [1, 0]
    %e26 = tensor.empty() : tensor<32x16xf32>
    %c27 = arith.constant 0.000000000e+00 : f32
    %z28 = linalg.fill ins(%c27 : f32) outs(%e26 : tensor<32x16xf32>) -> tensor<32x16xf32>
    %mm29 = linalg.matmul ins(%r11, %t25 : tensor<32x32xf32>, tensor<32x16xf32>) outs(%z28 : tensor<32x16xf32>) -> tensor<32x16xf32>
    %r30 = tensor.expand_shape %mm17 [[0, 1], [2, 3]] output_shape [2, 16, 2, 16] : tensor<32x32xf32> into tensor<2x16x2x16xf32>
    %e31 = tensor.empty() : tensor<2x2x16x16xf32>
    %t32 = linalg.transpose ins(%r30 : tensor<2x16x2x16xf32>) outs(%e31 : tensor<2x2x16x16xf32>) permutation = [0, 2, 1, 3]
    %r33 = tensor.collapse_shape %t32 [[0, 1], [2], [3]] : tensor<2x2x16x16xf32> into tensor<4x16x16xf32>
    %r34 = tensor.expand_shape %mm23 [[0, 1], [2, 3]] output_shape [2, 16, 1, 16] : tensor<32x16xf32> into tensor<2x16x1x16xf32>
    %e35 = tensor.empty() : tensor<2x1x16x16xf32>
    %t36 = linalg.transpose ins(%r34 : tensor<2x16x1x16xf32>) outs(%e35 : tensor<2x1x16x16xf32>) permutation = [0, 2, 1, 3]
    %e37 = tensor.empty() : tensor<2x1x2x16x16xf32>
    %g38 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%t36 : tensor<2x1x16x16xf32>) outs(%e37 : tensor<2x1x2x16x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      linalg.yield %a0 : f32
    } -> tensor<2x1x2x16x16xf32>
    %r39 = tensor.collapse_shape %g38 [[0, 1, 2], [3], [4]] : tensor<2x1x2x16x16xf32> into tensor<4x16x16xf32>
    %r40 = tensor.expand_shape %mm29 [[0, 1], [2, 3]] output_shape [2, 16, 1, 16] : tensor<32x16xf32> into tensor<2x16x1x16xf32>
    %e41 = tensor.empty() : tensor<2x1x16x16xf32>
    %t42 = linalg.transpose ins(%r40 : tensor<2x16x1x16xf32>) outs(%e41 : tensor<2x1x16x16xf32>) permutation = [0, 2, 1, 3]
    %e43 = tensor.empty() : tensor<2x1x2x16x16xf32>
    %g44 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%t42 : tensor<2x1x16x16xf32>) outs(%e43 : tensor<2x1x2x16x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      linalg.yield %a0 : f32
    } -> tensor<2x1x2x16x16xf32>
    %r45 = tensor.collapse_shape %g44 [[0, 1, 2], [3], [4]] : tensor<2x1x2x16x16xf32> into tensor<4x16x16xf32>
    %e46 = tensor.empty() : tensor<4x16x16xf32>
    %t47 = linalg.transpose ins(%r39 : tensor<4x16x16xf32>) outs(%e46 : tensor<4x16x16xf32>) permutation = [0, 2, 1]
    %e48 = tensor.empty() : tensor<4x16x16xf32>
    %c49 = arith.constant 0.000000000e+00 : f32
    %z50 = linalg.fill ins(%c49 : f32) outs(%e48 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %bmm51 = linalg.batch_matmul ins(%r33, %t47 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z50 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %c52 = arith.constant 2.500000000e-01 : f32
    %c53 = arith.constant -1.000000000e+30 : f32
    %e54 = tensor.empty() : tensor<4x16x16xf32>
    %g55 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%bmm51 : tensor<4x16x16xf32>) outs(%e54 : tensor<4x16x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %i = linalg.index 1 : index
      %j = linalg.index 2 : index
      %future = arith.cmpi ugt, %j, %i : index
      %sc = arith.mulf %a0, %c52 : f32
      %m = arith.select %future, %c53, %sc : f32
      linalg.yield %m : f32
    } -> tensor<4x16x16xf32>
    %e56 = tensor.empty() : tensor<4x16xf32>
    %c57 = arith.constant -1.000000000e+30 : f32
    %z58 = linalg.fill ins(%c57 : f32) outs(%e56 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %g59 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g55 : tensor<4x16x16xf32>) outs(%z58 : tensor<4x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %m = arith.maximumf %out, %a0 : f32
      linalg.yield %m : f32
    } -> tensor<4x16xf32>
    %e60 = tensor.empty() : tensor<4x16x16xf32>
    %g61 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g55, %g59 : tensor<4x16x16xf32>, tensor<4x16xf32>) outs(%e60 : tensor<4x16x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %d = arith.subf %a0, %a1 : f32
      %e = math.exp %d : f32
      linalg.yield %e : f32
    } -> tensor<4x16x16xf32>
    %e62 = tensor.empty() : tensor<4x16xf32>
    %c63 = arith.constant 0.000000000e+00 : f32
    %z64 = linalg.fill ins(%c63 : f32) outs(%e62 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %g65 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g61 : tensor<4x16x16xf32>) outs(%z64 : tensor<4x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %s = arith.addf %out, %a0 : f32
      linalg.yield %s : f32
    } -> tensor<4x16xf32>
    %e66 = tensor.empty() : tensor<4x16x16xf32>
    %g67 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g61, %g65 : tensor<4x16x16xf32>, tensor<4x16xf32>) outs(%e66 : tensor<4x16x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %p = arith.divf %a0, %a1 : f32
      linalg.yield %p : f32
    } -> tensor<4x16x16xf32>
    %e68 = tensor.empty() : tensor<4x16x16xf32>
    %c69 = arith.constant 0.000000000e+00 : f32
    %z70 = linalg.fill ins(%c69 : f32) outs(%e68 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %bmm71 = linalg.batch_matmul ins(%g67, %r45 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z70 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %r72 = tensor.expand_shape %bmm71 [[0, 1], [2], [3]] output_shape [2, 2, 16, 16] : tensor<4x16x16xf32> into tensor<2x2x16x16xf32>
    %e73 = tensor.empty() : tensor<2x16x2x16xf32>
    %t74 = linalg.transpose ins(%r72 : tensor<2x2x16x16xf32>) outs(%e73 : tensor<2x16x2x16xf32>) permutation = [0, 2, 1, 3]
    %r75 = tensor.collapse_shape %t74 [[0, 1], [2, 3]] : tensor<2x16x2x16xf32> into tensor<32x32xf32>
    %e76 = tensor.empty() : tensor<32x32xf32>
    %t77 = linalg.transpose ins(%l0_wo : tensor<32x32xf32>) outs(%e76 : tensor<32x32xf32>) permutation = [1, 0]
    %e78 = tensor.empty() : tensor<32x32xf32>
    %c79 = arith.constant 0.000000000e+00 : f32
    %z80 = linalg.fill ins(%c79 : f32) outs(%e78 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %mm81 = linalg.matmul ins(%r75, %t77 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z80 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %r82 = tensor.expand_shape %mm81 [[0, 1], [2]] output_shape [2, 16, 32] : tensor<32x32xf32> into tensor<2x16x32xf32>
    %e83 = tensor.empty() : tensor<2x16x32xf32>
    %g84 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x, %r82 : tensor<2x16x32xf32>, tensor<2x16x32xf32>) outs(%e83 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x16x32xf32>
    %c85 = arith.constant 3.125000000e-02 : f32
    %c86 = arith.constant 1.000000000e-05 : f32
    %e87 = tensor.empty() : tensor<2x16xf32>
    %c88 = arith.constant 0.000000000e+00 : f32
    %z89 = linalg.fill ins(%c88 : f32) outs(%e87 : tensor<2x16xf32>) -> tensor<2x16xf32>
    %g90 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g84 : tensor<2x16x32xf32>) outs(%z89 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %m = arith.mulf %a0, %a0 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<2x16xf32>
    %e91 = tensor.empty() : tensor<2x16xf32>
    %g92 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g90 : tensor<2x16xf32>) outs(%e91 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %m = arith.mulf %a0, %c85 : f32
      %p = arith.addf %m, %c86 : f32
      %r = math.rsqrt %p : f32
      linalg.yield %r : f32
    } -> tensor<2x16xf32>
    %e93 = tensor.empty() : tensor<2x16x32xf32>
    %g94 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g84, %g92, %l0_ffn_norm : tensor<2x16x32xf32>, tensor<2x16xf32>, tensor<32xf32>) outs(%e93 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %y = arith.mulf %m, %a2 : f32
      linalg.yield %y : f32
    } -> tensor<2x16x32xf32>
    %r95 = tensor.collapse_shape %g94 [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
    %e96 = tensor.empty() : tensor<32x64xf32>
    %t97 = linalg.transpose ins(%l0_w_gate : tensor<64x32xf32>) outs(%e96 : tensor<32x64xf32>) permutation = [1, 0]
    %e98 = tensor.empty() : tensor<32x64xf32>
    %c99 = arith.constant 0.000000000e+00 : f32
    %z100 = linalg.fill ins(%c99 : f32) outs(%e98 : tensor<32x64xf32>) -> tensor<32x64xf32>
    %mm101 = linalg.matmul ins(%r95, %t97 : tensor<32x32xf32>, tensor<32x64xf32>) outs(%z100 : tensor<32x64xf32>) -> tensor<32x64xf32>
    %e102 = tensor.empty() : tensor<32x64xf32>
    %t103 = linalg.transpose ins(%l0_w_up : tensor<64x32xf32>) outs(%e102 : tensor<32x64xf32>) permutation = [1, 0]
    %e104 = tensor.empty() : tensor<32x64xf32>
    %c105 = arith.constant 0.000000000e+00 : f32
    %z106 = linalg.fill ins(%c105 : f32) outs(%e104 : tensor<32x64xf32>) -> tensor<32x64xf32>
    %mm107 = linalg.matmul ins(%r95, %t103 : tensor<32x32xf32>, tensor<32x64xf32>) outs(%z106 : tensor<32x64xf32>) -> tensor<32x64xf32>
    %c108 = arith.constant 1.000000000e+00 : f32
    %e109 = tensor.empty() : tensor<32x64xf32>
    %g110 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%mm101, %mm107 : tensor<32x64xf32>, tensor<32x64xf32>) outs(%e109 : tensor<32x64xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %n = arith.negf %a0 : f32
      %e = math.exp %n : f32
      %d = arith.addf %e, %c108 : f32
      %s = arith.divf %a0, %d : f32
      %y = arith.mulf %s, %a1 : f32
      linalg.yield %y : f32
    } -> tensor<32x64xf32>
    %e111 = tensor.empty() : tensor<64x32xf32>
    %t112 = linalg.transpose ins(%l0_w_down : tensor<32x64xf32>) outs(%e111 : tensor<64x32xf32>) permutation = [1, 0]
    %e113 = tensor.empty() : tensor<32x32xf32>
    %c114 = arith.constant 0.000000000e+00 : f32
    %z115 = linalg.fill ins(%c114 : f32) outs(%e113 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %mm116 = linalg.matmul ins(%g110, %t112 : tensor<32x64xf32>, tensor<64x32xf32>) outs(%z115 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %r117 = tensor.expand_shape %mm116 [[0, 1], [2]] output_shape [2, 16, 32] : tensor<32x32xf32> into tensor<2x16x32xf32>
    %e118 = tensor.empty() : tensor<2x16x32xf32>
    %g119 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g84, %r117 : tensor<2x16x32xf32>, tensor<2x16x32xf32>) outs(%e118 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x16x32xf32>
    %c120 = arith.constant 3.125000000e-02 : f32
    %c121 = arith.constant 1.000000000e-05 : f32
    %e122 = tensor.empty() : tensor<2x16xf32>
    %c123 = arith.constant 0.000000000e+00 : f32
    %z124 = linalg.fill ins(%c123 : f32) outs(%e122 : tensor<2x16xf32>) -> tensor<2x16xf32>
    %g125 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%g119 : tensor<2x16x32xf32>) outs(%z124 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %m = arith.mulf %a0, %a0 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<2x16xf32>
    %e126 = tensor.empty() : tensor<2x16xf32>
    %g127 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g125 : tensor<2x16xf32>) outs(%e126 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %m = arith.mulf %a0, %c120 : f32
      %p = arith.addf %m, %c121 : f32
      %r = math.rsqrt %p : f32
      linalg.yield %r : f32
    } -> tensor<2x16xf32>
    %e128 = tensor.empty() : tensor<2x16x32xf32>
    %g129 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g119, %g127, %final_norm : tensor<2x16x32xf32>, tensor<2x16xf32>, tensor<32xf32>) outs(%e128 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %y = arith.mulf %m, %a2 : f32
      linalg.yield %y : f32
    } -> tensor<2x16x32xf32>
    %r130 = tensor.collapse_shape %g129 [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
    %e131 = tensor.empty() : tensor<32x128xf32>
    %t132 = linalg.transpose ins(%lm_head : tensor<128x32xf32>) outs(%e131 : tensor<32x128xf32>) permutation = [1, 0]
    %e133 = tensor.empty() : tensor<32x128xf32>
    %c134 = arith.constant 0.000000000e+00 : f32
    %z135 = linalg.fill ins(%c134 : f32) outs(%e133 : tensor<32x128xf32>) -> tensor<32x128xf32>
    %mm136 = linalg.matmul ins(%r130, %t132 : tensor<32x32xf32>, tensor<32x128xf32>) outs(%z135 : tensor<32x128xf32>) -> tensor<32x128xf32>
    %r137 = tensor.expand_shape %mm136 [[0, 1], [2]] output_shape [2, 16, 128] : tensor<32x128xf32> into tensor<2x16x128xf32>
    %r138 = tensor.collapse_shape %dlogits [[0, 1], [2]] : tensor<2x16x128xf32> into tensor<32x128xf32>
    %e139 = tensor.empty() : tensor<32x32xf32>
    %c140 = arith.constant 0.000000000e+00 : f32
    %z141 = linalg.fill ins(%c140 : f32) outs(%e139 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %mm142 = linalg.matmul ins(%r138, %lm_head : tensor<32x128xf32>, tensor<128x32xf32>) outs(%z141 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %e143 = tensor.empty() : tensor<128x32xf32>
    %t144 = linalg.transpose ins(%r138 : tensor<32x128xf32>) outs(%e143 : tensor<128x32xf32>) permutation = [1, 0]
    %e145 = tensor.empty() : tensor<128x32xf32>
    %c146 = arith.constant 0.000000000e+00 : f32
    %z147 = linalg.fill ins(%c146 : f32) outs(%e145 : tensor<128x32xf32>) -> tensor<128x32xf32>
    %mm148 = linalg.matmul ins(%t144, %r130 : tensor<128x32xf32>, tensor<32x32xf32>) outs(%z147 : tensor<128x32xf32>) -> tensor<128x32xf32>
    %r149 = tensor.expand_shape %mm142 [[0, 1], [2]] output_shape [2, 16, 32] : tensor<32x32xf32> into tensor<2x16x32xf32>
    %c150 = arith.constant 3.125000000e-02 : f32
    %e151 = tensor.empty() : tensor<2x16xf32>
    %c152 = arith.constant 0.000000000e+00 : f32
    %z153 = linalg.fill ins(%c152 : f32) outs(%e151 : tensor<2x16xf32>) -> tensor<2x16xf32>
    %g154 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r149, %g119, %final_norm : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<32xf32>) outs(%z153 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a2 : f32
      %n = arith.mulf %m, %a1 : f32
      %s = arith.addf %out, %n : f32
      linalg.yield %s : f32
    } -> tensor<2x16xf32>
    %e155 = tensor.empty() : tensor<2x16x32xf32>
    %g156 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r149, %g119, %final_norm, %g127, %g154 : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<32xf32>, tensor<2x16xf32>, tensor<2x16xf32>) outs(%e155 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %a3: f32, %a4: f32, %out: f32):
      %a = arith.mulf %a0, %a2 : f32
      %t1 = arith.mulf %a3, %a : f32
      %r2 = arith.mulf %a3, %a3 : f32
      %r3 = arith.mulf %r2, %a3 : f32
      %ch = arith.mulf %a4, %c150 : f32
      %k = arith.mulf %r3, %ch : f32
      %t2 = arith.mulf %a1, %k : f32
      %d = arith.subf %t1, %t2 : f32
      linalg.yield %d : f32
    } -> tensor<2x16x32xf32>
    %e157 = tensor.empty() : tensor<32xf32>
    %c158 = arith.constant 0.000000000e+00 : f32
    %z159 = linalg.fill ins(%c158 : f32) outs(%e157 : tensor<32xf32>) -> tensor<32xf32>
    %g160 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0)>], iterator_types = ["parallel", "reduction", "reduction"]} ins(%r149, %g119, %g127 : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<2x16xf32>) outs(%z159 : tensor<32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %n = arith.mulf %m, %a2 : f32
      %s = arith.addf %out, %n : f32
      linalg.yield %s : f32
    } -> tensor<32xf32>
    %r161 = tensor.collapse_shape %g156 [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
    %e162 = tensor.empty() : tensor<32x64xf32>
    %c163 = arith.constant 0.000000000e+00 : f32
    %z164 = linalg.fill ins(%c163 : f32) outs(%e162 : tensor<32x64xf32>) -> tensor<32x64xf32>
    %mm165 = linalg.matmul ins(%r161, %l0_w_down : tensor<32x32xf32>, tensor<32x64xf32>) outs(%z164 : tensor<32x64xf32>) -> tensor<32x64xf32>
    %e166 = tensor.empty() : tensor<32x32xf32>
    %t167 = linalg.transpose ins(%r161 : tensor<32x32xf32>) outs(%e166 : tensor<32x32xf32>) permutation = [1, 0]
    %e168 = tensor.empty() : tensor<32x64xf32>
    %c169 = arith.constant 0.000000000e+00 : f32
    %z170 = linalg.fill ins(%c169 : f32) outs(%e168 : tensor<32x64xf32>) -> tensor<32x64xf32>
    %mm171 = linalg.matmul ins(%t167, %g110 : tensor<32x32xf32>, tensor<32x64xf32>) outs(%z170 : tensor<32x64xf32>) -> tensor<32x64xf32>
    %c172 = arith.constant 1.000000000e+00 : f32
    %e173 = tensor.empty() : tensor<32x64xf32>
    %g174 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%mm165, %mm101 : tensor<32x64xf32>, tensor<32x64xf32>) outs(%e173 : tensor<32x64xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %n = arith.negf %a1 : f32
      %e = math.exp %n : f32
      %d = arith.addf %e, %c172 : f32
      %sg = arith.divf %c172, %d : f32
      %s = arith.mulf %a1, %sg : f32
      %r = arith.mulf %a0, %s : f32
      linalg.yield %r : f32
    } -> tensor<32x64xf32>
    %e175 = tensor.empty() : tensor<32x64xf32>
    %g176 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%mm165, %mm101, %mm107 : tensor<32x64xf32>, tensor<32x64xf32>, tensor<32x64xf32>) outs(%e175 : tensor<32x64xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %n = arith.negf %a1 : f32
      %e = math.exp %n : f32
      %d = arith.addf %e, %c172 : f32
      %sg = arith.divf %c172, %d : f32
      %om = arith.subf %c172, %sg : f32
      %gm = arith.mulf %a1, %om : f32
      %q = arith.addf %gm, %c172 : f32
      %ds = arith.mulf %sg, %q : f32
      %u = arith.mulf %a0, %a2 : f32
      %r = arith.mulf %u, %ds : f32
      linalg.yield %r : f32
    } -> tensor<32x64xf32>
    %e177 = tensor.empty() : tensor<32x32xf32>
    %c178 = arith.constant 0.000000000e+00 : f32
    %z179 = linalg.fill ins(%c178 : f32) outs(%e177 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %mm180 = linalg.matmul ins(%g176, %l0_w_gate : tensor<32x64xf32>, tensor<64x32xf32>) outs(%z179 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %e181 = tensor.empty() : tensor<32x32xf32>
    %c182 = arith.constant 0.000000000e+00 : f32
    %z183 = linalg.fill ins(%c182 : f32) outs(%e181 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %mm184 = linalg.matmul ins(%g174, %l0_w_up : tensor<32x64xf32>, tensor<64x32xf32>) outs(%z183 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %e185 = tensor.empty() : tensor<32x32xf32>
    %g186 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%mm180, %mm184 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%e185 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e187 = tensor.empty() : tensor<64x32xf32>
    %t188 = linalg.transpose ins(%g176 : tensor<32x64xf32>) outs(%e187 : tensor<64x32xf32>) permutation = [1, 0]
    %e189 = tensor.empty() : tensor<64x32xf32>
    %c190 = arith.constant 0.000000000e+00 : f32
    %z191 = linalg.fill ins(%c190 : f32) outs(%e189 : tensor<64x32xf32>) -> tensor<64x32xf32>
    %mm192 = linalg.matmul ins(%t188, %r95 : tensor<64x32xf32>, tensor<32x32xf32>) outs(%z191 : tensor<64x32xf32>) -> tensor<64x32xf32>
    %e193 = tensor.empty() : tensor<64x32xf32>
    %t194 = linalg.transpose ins(%g174 : tensor<32x64xf32>) outs(%e193 : tensor<64x32xf32>) permutation = [1, 0]
    %e195 = tensor.empty() : tensor<64x32xf32>
    %c196 = arith.constant 0.000000000e+00 : f32
    %z197 = linalg.fill ins(%c196 : f32) outs(%e195 : tensor<64x32xf32>) -> tensor<64x32xf32>
    %mm198 = linalg.matmul ins(%t194, %r95 : tensor<64x32xf32>, tensor<32x32xf32>) outs(%z197 : tensor<64x32xf32>) -> tensor<64x32xf32>
    %r199 = tensor.expand_shape %g186 [[0, 1], [2]] output_shape [2, 16, 32] : tensor<32x32xf32> into tensor<2x16x32xf32>
    %c200 = arith.constant 3.125000000e-02 : f32
    %e201 = tensor.empty() : tensor<2x16xf32>
    %c202 = arith.constant 0.000000000e+00 : f32
    %z203 = linalg.fill ins(%c202 : f32) outs(%e201 : tensor<2x16xf32>) -> tensor<2x16xf32>
    %g204 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r199, %g84, %l0_ffn_norm : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<32xf32>) outs(%z203 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a2 : f32
      %n = arith.mulf %m, %a1 : f32
      %s = arith.addf %out, %n : f32
      linalg.yield %s : f32
    } -> tensor<2x16xf32>
    %e205 = tensor.empty() : tensor<2x16x32xf32>
    %g206 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r199, %g84, %l0_ffn_norm, %g92, %g204 : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<32xf32>, tensor<2x16xf32>, tensor<2x16xf32>) outs(%e205 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %a3: f32, %a4: f32, %out: f32):
      %a = arith.mulf %a0, %a2 : f32
      %t1 = arith.mulf %a3, %a : f32
      %r2 = arith.mulf %a3, %a3 : f32
      %r3 = arith.mulf %r2, %a3 : f32
      %ch = arith.mulf %a4, %c200 : f32
      %k = arith.mulf %r3, %ch : f32
      %t2 = arith.mulf %a1, %k : f32
      %d = arith.subf %t1, %t2 : f32
      linalg.yield %d : f32
    } -> tensor<2x16x32xf32>
    %e207 = tensor.empty() : tensor<32xf32>
    %c208 = arith.constant 0.000000000e+00 : f32
    %z209 = linalg.fill ins(%c208 : f32) outs(%e207 : tensor<32xf32>) -> tensor<32xf32>
    %g210 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0)>], iterator_types = ["parallel", "reduction", "reduction"]} ins(%r199, %g84, %g92 : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<2x16xf32>) outs(%z209 : tensor<32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %n = arith.mulf %m, %a2 : f32
      %s = arith.addf %out, %n : f32
      linalg.yield %s : f32
    } -> tensor<32xf32>
    %e211 = tensor.empty() : tensor<2x16x32xf32>
    %g212 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g156, %g206 : tensor<2x16x32xf32>, tensor<2x16x32xf32>) outs(%e211 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x16x32xf32>
    %r213 = tensor.collapse_shape %g212 [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
    %e214 = tensor.empty() : tensor<32x32xf32>
    %c215 = arith.constant 0.000000000e+00 : f32
    %z216 = linalg.fill ins(%c215 : f32) outs(%e214 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %mm217 = linalg.matmul ins(%r213, %l0_wo : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z216 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %e218 = tensor.empty() : tensor<32x32xf32>
    %t219 = linalg.transpose ins(%r213 : tensor<32x32xf32>) outs(%e218 : tensor<32x32xf32>) permutation = [1, 0]
    %e220 = tensor.empty() : tensor<32x32xf32>
    %c221 = arith.constant 0.000000000e+00 : f32
    %z222 = linalg.fill ins(%c221 : f32) outs(%e220 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %mm223 = linalg.matmul ins(%t219, %r75 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z222 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %r224 = tensor.expand_shape %mm217 [[0, 1], [2, 3]] output_shape [2, 16, 2, 16] : tensor<32x32xf32> into tensor<2x16x2x16xf32>
    %e225 = tensor.empty() : tensor<2x2x16x16xf32>
    %t226 = linalg.transpose ins(%r224 : tensor<2x16x2x16xf32>) outs(%e225 : tensor<2x2x16x16xf32>) permutation = [0, 2, 1, 3]
    %r227 = tensor.collapse_shape %t226 [[0, 1], [2], [3]] : tensor<2x2x16x16xf32> into tensor<4x16x16xf32>
    %e228 = tensor.empty() : tensor<4x16x16xf32>
    %t229 = linalg.transpose ins(%r45 : tensor<4x16x16xf32>) outs(%e228 : tensor<4x16x16xf32>) permutation = [0, 2, 1]
    %e230 = tensor.empty() : tensor<4x16x16xf32>
    %c231 = arith.constant 0.000000000e+00 : f32
    %z232 = linalg.fill ins(%c231 : f32) outs(%e230 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %bmm233 = linalg.batch_matmul ins(%r227, %t229 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z232 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %e234 = tensor.empty() : tensor<4x16x16xf32>
    %t235 = linalg.transpose ins(%g67 : tensor<4x16x16xf32>) outs(%e234 : tensor<4x16x16xf32>) permutation = [0, 2, 1]
    %e236 = tensor.empty() : tensor<4x16x16xf32>
    %c237 = arith.constant 0.000000000e+00 : f32
    %z238 = linalg.fill ins(%c237 : f32) outs(%e236 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %bmm239 = linalg.batch_matmul ins(%t235, %r227 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z238 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %e240 = tensor.empty() : tensor<4x16xf32>
    %c241 = arith.constant 0.000000000e+00 : f32
    %z242 = linalg.fill ins(%c241 : f32) outs(%e240 : tensor<4x16xf32>) -> tensor<4x16xf32>
    %g243 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%bmm233, %g67 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z242 : tensor<4x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %s = arith.addf %out, %m : f32
      linalg.yield %s : f32
    } -> tensor<4x16xf32>
    %c244 = arith.constant 2.500000000e-01 : f32
    %e245 = tensor.empty() : tensor<4x16x16xf32>
    %g246 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%bmm233, %g67, %g243 : tensor<4x16x16xf32>, tensor<4x16x16xf32>, tensor<4x16xf32>) outs(%e245 : tensor<4x16x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %d = arith.subf %a0, %a2 : f32
      %m = arith.mulf %a1, %d : f32
      %s = arith.mulf %m, %c244 : f32
      linalg.yield %s : f32
    } -> tensor<4x16x16xf32>
    %e247 = tensor.empty() : tensor<4x16x16xf32>
    %c248 = arith.constant 0.000000000e+00 : f32
    %z249 = linalg.fill ins(%c248 : f32) outs(%e247 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %bmm250 = linalg.batch_matmul ins(%g246, %r39 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z249 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %e251 = tensor.empty() : tensor<4x16x16xf32>
    %t252 = linalg.transpose ins(%g246 : tensor<4x16x16xf32>) outs(%e251 : tensor<4x16x16xf32>) permutation = [0, 2, 1]
    %e253 = tensor.empty() : tensor<4x16x16xf32>
    %c254 = arith.constant 0.000000000e+00 : f32
    %z255 = linalg.fill ins(%c254 : f32) outs(%e253 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %bmm256 = linalg.batch_matmul ins(%t252, %r33 : tensor<4x16x16xf32>, tensor<4x16x16xf32>) outs(%z255 : tensor<4x16x16xf32>) -> tensor<4x16x16xf32>
    %r257 = tensor.expand_shape %bmm250 [[0, 1], [2], [3]] output_shape [2, 2, 16, 16] : tensor<4x16x16xf32> into tensor<2x2x16x16xf32>
    %e258 = tensor.empty() : tensor<2x16x2x16xf32>
    %t259 = linalg.transpose ins(%r257 : tensor<2x2x16x16xf32>) outs(%e258 : tensor<2x16x2x16xf32>) permutation = [0, 2, 1, 3]
    %r260 = tensor.collapse_shape %t259 [[0, 1], [2, 3]] : tensor<2x16x2x16xf32> into tensor<32x32xf32>
    %r261 = tensor.expand_shape %bmm256 [[0, 1, 2], [3], [4]] output_shape [2, 1, 2, 16, 16] : tensor<4x16x16xf32> into tensor<2x1x2x16x16xf32>
    %e262 = tensor.empty() : tensor<2x1x16x16xf32>
    %c263 = arith.constant 0.000000000e+00 : f32
    %z264 = linalg.fill ins(%c263 : f32) outs(%e262 : tensor<2x1x16x16xf32>) -> tensor<2x1x16x16xf32>
    %g265 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%r261 : tensor<2x1x2x16x16xf32>) outs(%z264 : tensor<2x1x16x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %s = arith.addf %out, %a0 : f32
      linalg.yield %s : f32
    } -> tensor<2x1x16x16xf32>
    %e266 = tensor.empty() : tensor<2x16x1x16xf32>
    %t267 = linalg.transpose ins(%g265 : tensor<2x1x16x16xf32>) outs(%e266 : tensor<2x16x1x16xf32>) permutation = [0, 2, 1, 3]
    %r268 = tensor.collapse_shape %t267 [[0, 1], [2, 3]] : tensor<2x16x1x16xf32> into tensor<32x16xf32>
    %r269 = tensor.expand_shape %bmm239 [[0, 1, 2], [3], [4]] output_shape [2, 1, 2, 16, 16] : tensor<4x16x16xf32> into tensor<2x1x2x16x16xf32>
    %e270 = tensor.empty() : tensor<2x1x16x16xf32>
    %c271 = arith.constant 0.000000000e+00 : f32
    %z272 = linalg.fill ins(%c271 : f32) outs(%e270 : tensor<2x1x16x16xf32>) -> tensor<2x1x16x16xf32>
    %g273 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%r269 : tensor<2x1x2x16x16xf32>) outs(%z272 : tensor<2x1x16x16xf32>) {
    ^bb0(%a0: f32, %out: f32):
      %s = arith.addf %out, %a0 : f32
      linalg.yield %s : f32
    } -> tensor<2x1x16x16xf32>
    %e274 = tensor.empty() : tensor<2x16x1x16xf32>
    %t275 = linalg.transpose ins(%g273 : tensor<2x1x16x16xf32>) outs(%e274 : tensor<2x16x1x16xf32>) permutation = [0, 2, 1, 3]
    %r276 = tensor.collapse_shape %t275 [[0, 1], [2, 3]] : tensor<2x16x1x16xf32> into tensor<32x16xf32>
    %e277 = tensor.empty() : tensor<32x32xf32>
    %c278 = arith.constant 0.000000000e+00 : f32
    %z279 = linalg.fill ins(%c278 : f32) outs(%e277 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %mm280 = linalg.matmul ins(%r260, %l0_wq : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z279 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %e281 = tensor.empty() : tensor<32x32xf32>
    %c282 = arith.constant 0.000000000e+00 : f32
    %z283 = linalg.fill ins(%c282 : f32) outs(%e281 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %mm284 = linalg.matmul ins(%r268, %l0_wk : tensor<32x16xf32>, tensor<16x32xf32>) outs(%z283 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %e285 = tensor.empty() : tensor<32x32xf32>
    %g286 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%mm280, %mm284 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%e285 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e287 = tensor.empty() : tensor<32x32xf32>
    %c288 = arith.constant 0.000000000e+00 : f32
    %z289 = linalg.fill ins(%c288 : f32) outs(%e287 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %mm290 = linalg.matmul ins(%r276, %l0_wv : tensor<32x16xf32>, tensor<16x32xf32>) outs(%z289 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %e291 = tensor.empty() : tensor<32x32xf32>
    %g292 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%g286, %mm290 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%e291 : tensor<32x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<32x32xf32>
    %e293 = tensor.empty() : tensor<32x32xf32>
    %t294 = linalg.transpose ins(%r260 : tensor<32x32xf32>) outs(%e293 : tensor<32x32xf32>) permutation = [1, 0]
    %e295 = tensor.empty() : tensor<32x32xf32>
    %c296 = arith.constant 0.000000000e+00 : f32
    %z297 = linalg.fill ins(%c296 : f32) outs(%e295 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %mm298 = linalg.matmul ins(%t294, %r11 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z297 : tensor<32x32xf32>) -> tensor<32x32xf32>
    %e299 = tensor.empty() : tensor<16x32xf32>
    %t300 = linalg.transpose ins(%r268 : tensor<32x16xf32>) outs(%e299 : tensor<16x32xf32>) permutation = [1, 0]
    %e301 = tensor.empty() : tensor<16x32xf32>
    %c302 = arith.constant 0.000000000e+00 : f32
    %z303 = linalg.fill ins(%c302 : f32) outs(%e301 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %mm304 = linalg.matmul ins(%t300, %r11 : tensor<16x32xf32>, tensor<32x32xf32>) outs(%z303 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %e305 = tensor.empty() : tensor<16x32xf32>
    %t306 = linalg.transpose ins(%r276 : tensor<32x16xf32>) outs(%e305 : tensor<16x32xf32>) permutation = [1, 0]
    %e307 = tensor.empty() : tensor<16x32xf32>
    %c308 = arith.constant 0.000000000e+00 : f32
    %z309 = linalg.fill ins(%c308 : f32) outs(%e307 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %mm310 = linalg.matmul ins(%t306, %r11 : tensor<16x32xf32>, tensor<32x32xf32>) outs(%z309 : tensor<16x32xf32>) -> tensor<16x32xf32>
    %r311 = tensor.expand_shape %g292 [[0, 1], [2]] output_shape [2, 16, 32] : tensor<32x32xf32> into tensor<2x16x32xf32>
    %c312 = arith.constant 3.125000000e-02 : f32
    %e313 = tensor.empty() : tensor<2x16xf32>
    %c314 = arith.constant 0.000000000e+00 : f32
    %z315 = linalg.fill ins(%c314 : f32) outs(%e313 : tensor<2x16xf32>) -> tensor<2x16xf32>
    %g316 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%r311, %x, %l0_attn_norm : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<32xf32>) outs(%z315 : tensor<2x16xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a2 : f32
      %n = arith.mulf %m, %a1 : f32
      %s = arith.addf %out, %n : f32
      linalg.yield %s : f32
    } -> tensor<2x16xf32>
    %e317 = tensor.empty() : tensor<2x16x32xf32>
    %g318 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r311, %x, %l0_attn_norm, %g8, %g316 : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<32xf32>, tensor<2x16xf32>, tensor<2x16xf32>) outs(%e317 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %a3: f32, %a4: f32, %out: f32):
      %a = arith.mulf %a0, %a2 : f32
      %t1 = arith.mulf %a3, %a : f32
      %r2 = arith.mulf %a3, %a3 : f32
      %r3 = arith.mulf %r2, %a3 : f32
      %ch = arith.mulf %a4, %c312 : f32
      %k = arith.mulf %r3, %ch : f32
      %t2 = arith.mulf %a1, %k : f32
      %d = arith.subf %t1, %t2 : f32
      linalg.yield %d : f32
    } -> tensor<2x16x32xf32>
    %e319 = tensor.empty() : tensor<32xf32>
    %c320 = arith.constant 0.000000000e+00 : f32
    %z321 = linalg.fill ins(%c320 : f32) outs(%e319 : tensor<32xf32>) -> tensor<32xf32>
    %g322 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0)>], iterator_types = ["parallel", "reduction", "reduction"]} ins(%r311, %x, %g8 : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<2x16xf32>) outs(%z321 : tensor<32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %a2: f32, %out: f32):
      %m = arith.mulf %a0, %a1 : f32
      %n = arith.mulf %m, %a2 : f32
      %s = arith.addf %out, %n : f32
      linalg.yield %s : f32
    } -> tensor<32xf32>
    %e323 = tensor.empty() : tensor<2x16x32xf32>
    %g324 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%g212, %g318 : tensor<2x16x32xf32>, tensor<2x16x32xf32>) outs(%e323 : tensor<2x16x32xf32>) {
    ^bb0(%a0: f32, %a1: f32, %out: f32):
      %s = arith.addf %a0, %a1 : f32
      linalg.yield %s : f32
    } -> tensor<2x16x32xf32>
    return %r137, %g324, %g322, %mm298, %mm304, %mm310, %mm223, %g210, %mm192, %mm198, %mm171, %g160, %mm148 : tensor<2x16x128xf32>, tensor<2x16x32xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<16x32xf32>, tensor<16x32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<64x32xf32>, tensor<64x32xf32>, tensor<32x64xf32>, tensor<32xf32>, tensor<128x32xf32>
}
