"""metis-cpu-gemm end to end: metis.scaled_matmul through
convert-metis-to-linalg, bufferization (dynamic layouts at the function
boundary, as in the pass's brief), metis-cpu-gemm and the LLVM lowering,
against the float64 product of the oracle's dequantization. The shapes
exercise edge tiles, several jc/pc/ic blocks (small block options), batches
and both presets (vector<16xf32> is correct on AVX2 too, only slower)."""

import ctypes

import numpy as np
import pytest

from metis import compiler, reference, runtime
from testutil import requires_metis_opt

pytestmark = requires_metis_opt

SCALE = {"nvfp4": ("f8E4M3FN", 16), "mxfp4": ("f8E8M0FNU", 32),
         "fp4e2m1b": ("f32", 16)}


def pipeline(gemm_options):
    return ["--convert-metis-to-linalg",
            "--one-shot-bufferize=bufferize-function-boundaries",
            "--buffer-deallocation-pipeline",
            f"--metis-cpu-gemm={gemm_options}",
            "--convert-linalg-to-loops",
            "--convert-vector-to-scf=full-unroll=true", "--lower-affine",
            "--convert-scf-to-cf", "--expand-strided-metadata",
            "--lower-affine", "--finalize-memref-to-llvm",
            "--convert-vector-to-llvm", "--convert-arith-to-llvm",
            "--convert-math-to-llvm", "--convert-cf-to-llvm",
            "--convert-func-to-llvm", "--convert-ub-to-llvm",
            "--reconcile-unrealized-casts"]


def module(fmt, batch, m, n, k):
    st, blk = SCALE[fmt]
    lead = "".join(f"{d}x" for d in batch)
    t = lambda *s: "tensor<" + lead + "x".join(map(str, s[:-1])) + f"x{s[-1]}>"
    mr = lambda ty: "memref" + ty[len("tensor"):]
    args = [t(m, k, "f4E2M1FN"), t(m, k // blk, st), "tensor<f32>",
            t(n, k, "f4E2M1FN"), t(n, k // blk, st), "tensor<f32>"]
    c = t(m, n, "f32")
    names = ["a", "as", "at", "b", "bs", "bt"]
    sig = ", ".join(f"%{p}: {ty}" for p, ty in zip(names, args))
    return (f"func.func @mm({sig}, %out: {mr(c)}) "
            "attributes {llvm.emit_c_interface} {\n"
            f"  %c = metis.scaled_matmul %a, %as, %at, %b, %bs, %bt "
            f"{{format = #metis.format<{fmt}>}} : {', '.join(args)} -> {c}\n"
            f"  bufferization.materialize_in_destination %c in restrict "
            f"writable %out : ({c}, {mr(c)}) -> ()\n"
            "  return\n}\n")


CASES = [
    # (batch, M, N, K, metis-cpu-gemm options)
    ((), 8, 32, 64, "isa=avx512"),                       # one full tile
    ((), 37, 45, 96, "isa=avx2"),                        # edge tiles
    ((), 1, 5, 32, "isa=avx2"),                          # smaller than a tile
    ((), 50, 70, 160, "isa=avx2 mc=12 nc=32 kc=48"),     # many blocks
    ((), 29, 67, 192, "isa=avx512 mc=16 nc=64 kc=64"),
    ((), 40, 16, 128, "isa=avx512"),                     # narrow N: 16x16 tile
    ((), 33, 12, 64, "isa=avx512 mc=20"),                # narrow, edge rows
    ((), 100, 16, 128, "isa=avx512"),                    # narrow, long
    ((), 70, 5, 64, "isa=avx2"),                         # same, AVX2
    ((3,), 19, 23, 64, "isa=avx2 mc=12 nc=16 kc=32"),    # batched
]


@pytest.mark.parametrize("fmt", sorted(SCALE))
@pytest.mark.parametrize("batch,m,n,k,opts", CASES)
def test_cpu_gemm_matches_oracle(fmt, batch, m, n, k, opts):
    rng = np.random.default_rng(abs(hash((fmt, m, n, k))) % 2**32)
    x = (rng.standard_normal(batch + (m, k)) * 3).astype(np.float32)
    w = rng.standard_normal(batch + (n, k)).astype(np.float32)
    qa, qb = (reference.quantize(v, fmt, axis=-1) for v in (x, w))
    scales = lambda q: q.scale_bits if q.scale_bits is not None else q.block_scales
    text = module(fmt, batch, m, n, k)
    rewritten = compiler.opt(text, pipeline(opts)[:4])
    assert "vector.fma" in rewritten
    assert "metis.scaled_contraction" not in rewritten
    out = np.full(batch + (m, n), np.nan, np.float32)
    lib = runtime.load(text, pipeline(opts))
    lib.call("mm", qa.codes, scales(qa), np.array(qa.tensor_scale, np.float32),
             qb.codes, scales(qb), np.array(qb.tensor_scale, np.float32), out)
    da, db = (reference.dequantize(q).astype(np.float64) for q in (qa, qb))
    want = da @ np.swapaxes(db, -1, -2)
    bound = np.abs(da) @ np.swapaxes(np.abs(db), -1, -2)
    err = np.abs(out - want) / np.maximum(bound, 1e-30)
    assert np.all(np.isfinite(out))
    assert err.max() < 1e-6, f"max error {err.max():.3g} of Σ|a·b|"


# The tagged generic on memrefs with dynamic layouts, as metis-cpu-gemm sees
# it after bufferization; C is an argument, so its layout varies too.
MEMREF_MODULE = """
#a = affine_map<(m, n, kb, ki) -> (m, kb, ki)>
#as = affine_map<(m, n, kb, ki) -> (m, kb)>
#b = affine_map<(m, n, kb, ki) -> (n, kb, ki)>
#bs = affine_map<(m, n, kb, ki) -> (n, kb)>
#c = affine_map<(m, n, kb, ki) -> (m, n)>
#s2 = strided<[?, ?], offset: ?>
#s3 = strided<[?, ?, ?], offset: ?>
func.func @mm(%a: memref<{M}x{KB}x16xf4E2M1FN, #s3>, %as: memref<{M}x{KB}xf8E4M3FN, #s2>,
              %b: memref<{N}x{KB}x16xf4E2M1FN, #s3>, %bs: memref<{N}x{KB}xf8E4M3FN, #s2>,
              %c: memref<{M}x{N}xf32, #s2>) attributes {{llvm.emit_c_interface}} {{
  linalg.generic {{indexing_maps = [#a, #as, #b, #bs, #c],
                  iterator_types = ["parallel", "parallel", "reduction", "reduction"]}}
      ins(%a, %as, %b, %bs : memref<{M}x{KB}x16xf4E2M1FN, #s3>, memref<{M}x{KB}xf8E4M3FN, #s2>,
                             memref<{N}x{KB}x16xf4E2M1FN, #s3>, memref<{N}x{KB}xf8E4M3FN, #s2>)
      outs(%c : memref<{M}x{N}xf32, #s2>) attrs = {{metis.scaled_contraction = #metis.format<nvfp4>}} {{
  ^bb0(%x: f4E2M1FN, %xs: f8E4M3FN, %y: f4E2M1FN, %ys: f8E4M3FN, %acc: f32):
    linalg.yield %acc : f32  // never lowered: metis-cpu-gemm replaces it
  }}
  return
}}
"""


def _descriptor(a):
    """Memref descriptor of any strided numpy view (strides in elements)."""
    d = runtime.descriptor_type(a.ndim)()
    d.allocated = d.aligned = a.ctypes.data
    d.offset = 0
    d.sizes[:] = list(a.shape)
    d.strides[:] = [s // a.itemsize for s in a.strides]
    return d


@pytest.mark.parametrize("a_view,c_view", [
    (False, False),  # row-major: the fast version
    (True, False),   # A codes and scales strided: the general version
    (False, True),   # C with column stride 2: scalar C accesses
])
def test_cpu_gemm_dynamic_layouts(a_view, c_view):
    m, n, k = 21, 35, 64
    rng = np.random.default_rng(7)
    qa = reference.quantize(rng.standard_normal((m, k), np.float32), "nvfp4")
    qb = reference.quantize(rng.standard_normal((n, k), np.float32), "nvfp4")

    def place(x, strided):  # the same values, in a buffer twice as wide
        if not strided:
            return x.copy()
        big = np.zeros(x.shape[:-1] + (2 * x.shape[-1],), x.dtype)
        big[..., ::2] = x
        return big[..., ::2]

    c0 = rng.standard_normal((m, n)).astype(np.float32)
    args = [place(qa.codes.reshape(m, k // 16, 16), a_view),
            place(qa.scale_bits, a_view), qb.codes.reshape(n, k // 16, 16),
            qb.scale_bits, place(c0, c_view)]
    lib = runtime.load(MEMREF_MODULE.format(M=m, N=n, KB=k // 16),
                       pipeline("isa=avx2")[3:])
    descs = [_descriptor(x) for x in args]
    lib.function("mm")(*[ctypes.byref(d) for d in descs])
    # The contraction alone: block scales only (tensor scales are the
    # epilogue's), accumulated onto C's initial values.
    da, db = (q.values.astype(np.float64) * np.repeat(q.block_scales, 16, 1)
              for q in (qa, qb))
    want = c0 + da @ db.T
    err = np.abs(args[-1] - want) / (1 + np.abs(da) @ np.abs(db).T)
    assert err.max() < 1e-6, f"max error {err.max():.3g}"
