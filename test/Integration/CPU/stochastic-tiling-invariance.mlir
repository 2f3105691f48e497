// Stochastic rounding draws its random bits from (seed, linear element
// index) only, so tiling the lowered loops (here every generic of @tiled by 4
// along its first loop, partial tiles included) gives the same bits, while a
// different seed gives different ones.
//
// RUN: metis-opt %s --convert-metis-to-linalg \
// RUN:   --transform-preload-library=transform-library-paths=%p/Inputs/tile-func-tiled-by-4.mlir \
// RUN:   --transform-interpreter --metis-cpu-pipeline \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%llvm_lib_dir/libmlir_c_runner_utils.so,%llvm_lib_dir/libmlir_runner_utils.so \
// RUN: | FileCheck %s

// CHECK: tiled vs untiled, same seed
// CHECK-NEXT: {{^}}0{{$}}
// CHECK-NEXT: untiled, seed 42 vs 43
// CHECK-NEXT: {{^[1-9][0-9]*$}}

#id = affine_map<(i, j) -> (i, j)>
#all = affine_map<(i, j) -> ()>

module {
  func.func private @printI64(i64)
  func.func private @printNewline()

  func.func @direct(%x: tensor<6x32xf32>, %seed: i64) -> tensor<6x32xf4E2M1FN> {
    %v, %s, %t = metis.quantize %x seed %seed {axis = 1 : i64, format = #metis.format<nvfp4>, rounding = #metis.rounding<stochastic>}
        : tensor<6x32xf32> -> tensor<6x32xf4E2M1FN>, tensor<6x2xf8E4M3FN>, tensor<f32>
    return %v : tensor<6x32xf4E2M1FN>
  }

  func.func @tiled(%x: tensor<6x32xf32>, %seed: i64) -> tensor<6x32xf4E2M1FN> {
    %v, %s, %t = metis.quantize %x seed %seed {axis = 1 : i64, format = #metis.format<nvfp4>, rounding = #metis.rounding<stochastic>}
        : tensor<6x32xf32> -> tensor<6x32xf4E2M1FN>, tensor<6x2xf8E4M3FN>, tensor<f32>
    return %v : tensor<6x32xf4E2M1FN>
  }

  func.func @mismatches(%a: tensor<6x32xf4E2M1FN>, %b: tensor<6x32xf4E2M1FN>) -> i64 {
    %zero = arith.constant 0 : i64
    %z = tensor.empty() : tensor<i64>
    %init = linalg.fill ins(%zero : i64) outs(%z : tensor<i64>) -> tensor<i64>
    %count = linalg.generic {indexing_maps = [#id, #id, #all], iterator_types = ["reduction", "reduction"]}
        ins(%a, %b : tensor<6x32xf4E2M1FN>, tensor<6x32xf4E2M1FN>) outs(%init : tensor<i64>) {
    ^bb0(%x: f4E2M1FN, %y: f4E2M1FN, %acc: i64):
      %xi = arith.bitcast %x : f4E2M1FN to i4
      %yi = arith.bitcast %y : f4E2M1FN to i4
      %ne = arith.cmpi ne, %xi, %yi : i4
      %one = arith.extui %ne : i1 to i64
      %sum = arith.addi %acc, %one : i64
      linalg.yield %sum : i64
    } -> tensor<i64>
    %c = tensor.extract %count[] : tensor<i64>
    return %c : i64
  }

  func.func @main() {
    %x = arith.constant dense<"0x193D213B2DF5183FCC5B0CBFD4FDE3BF9CCA68BF8CDCFDBF2359F63D2C8C2B407E027CBF71D79EBF94CC7A3FE5B9363F6DE3573E2733EEBF85A16FBD64FFB13F390F2CC09D4C6ABF445B73C0930F25C0F9BD6BC0BBBBF0BEB03B22C029E30A3F5B83A03ED36ABFBE9712A1C0C7E789BFEDA8C6BD8B0E683E7DDB43C0149C74BF3A80FABFF50FCFBF87CB074098BACEBF7B3585BD6067E23FD76695BFFEC364BE063B623E05A0023EA1CE1CC069EF1B3EEDED2D40D60846C08100DC3FE26F743E6737A4BFD30680407423C33F4C8219C0F79B183EEEA1933F1A50C1BE35D3AE3F3C3A08BEBCD0AA3F8221384034F8ACBF9103D03EA7366DBFA752823EFEF517C01C4D94BF99E7C8BE6415E63FA29612405C6929C0AF6DCBBF769BA53F9D077FC09A246DBF5E3E47BEDEE52040C67CB03F848827BFFBB53CBF9D1900BF0303434016265BBFFF7B1BBF8E86343F7F5677BEE004CABEC1990EC08AC4BCBC141D63BFAD431540CF30A73FD4C845BD051BAB3F62032EBF14AC0640CCEE30BC8C58953FFD3B25C00C80313F131758C0D44282C065E41BBFA861E6BF75FDA73E18AA8F40CFEBD4BFC4BA9FBF6955D23E3D6C7C3FCBA3B4BE67DFD2BE9DD4B33FAB18853F7D4F04C0D12922BEF188903D5AF906C0A109053F09A3DBBF5DD9F83F2F5FC53E52E6363EA24D97BFB5E972BE27B67FC0F6D110C023C6393F713A88C056BBD83F17805FC09DB9C13F7E72D8BFF66BC73F1318863E02B744C01BE41F40DC893840B9C406BEC13E0CBF2AB4A3BE95A3F9BF7E9E0C40F7FA8ABF0AADD1BD7915CBBF5446A0BF7F8C23C0A6E7204022C99DBEA446F73F694FDA3C6EC4B1BF4A4327BF4D6B8FBFE266823CFA2240BF578F19BF237530C0748DCEBF28B85340F1D5ABBF8CEC06C009B62C3F7F213440781D3AC0C086D5BE32CEA1BF166961C02824BC3F760D40BD1A50123E7C97C0BF78D9683F640F8ABF385592BE7DDB0DC041A91BC0B5F22A409DD181BF2157153FD7678ABDC9DD61BFBB0982BF184DA13F648E1ABF0B149BBEFC09363DD3971640F835AE3F2FE4433F374690BF5AE430C06514F33F"> : tensor<6x32xf32>
    %s42 = arith.constant 42 : i64
    %s43 = arith.constant 43 : i64
    %a = call @direct(%x, %s42) : (tensor<6x32xf32>, i64) -> tensor<6x32xf4E2M1FN>
    %b = call @tiled(%x, %s42) : (tensor<6x32xf32>, i64) -> tensor<6x32xf4E2M1FN>
    %c = call @direct(%x, %s43) : (tensor<6x32xf32>, i64) -> tensor<6x32xf4E2M1FN>
    %m1 = call @mismatches(%a, %b) : (tensor<6x32xf4E2M1FN>, tensor<6x32xf4E2M1FN>) -> i64
    %m2 = call @mismatches(%a, %c) : (tensor<6x32xf4E2M1FN>, tensor<6x32xf4E2M1FN>) -> i64
    vector.print str "tiled vs untiled, same seed\n"
    call @printI64(%m1) : (i64) -> ()
    call @printNewline() : () -> ()
    vector.print str "untiled, seed 42 vs 43\n"
    call @printI64(%m2) : (i64) -> ()
    call @printNewline() : () -> ()
    return
  }
}
