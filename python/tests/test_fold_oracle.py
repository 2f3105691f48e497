"""The compiler's constant folder of `metis.quantize` against the numpy oracle.

For many deterministic cases (shapes, axes, all formats, 16x16 tiles and
special values) an MLIR module with constant inputs is written (inputs as raw
float32 hex blobs, so no decimal round-off), folded with
``build/bin/metis-opt --canonicalize``, and the folded ``arith.constant``s are
compared bit for bit with ``metis.reference.quantize``: the E2M1 codes, the
block-scale bytes (E4M3FN / E8M0) or float32 bits (fp4e2m1b, NaN-aware) and
the tensor-scale float32 bits (NaN-aware).

Run: cd /work/main && PYTHONPATH=python /usr/bin/python3 -m pytest -q python/tests
"""

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from metis import reference as ref

F32 = np.float32
REPO = Path(__file__).resolve().parent.parent.parent
# The build under test (scripts/test.sh sets METIS_BUILD_DIR, e.g. build-asan).
METIS_OPT = Path(os.environ.get("METIS_BUILD_DIR", REPO / "build")) / "bin" / "metis-opt"
MIN_CASES = 60

SCALE_TYPE = {"nvfp4": "f8E4M3FN", "mxfp4": "f8E8M0FNU", "fp4e2m1b": "f32"}
BLOCK = {"nvfp4": 16, "mxfp4": 32, "fp4e2m1b": 16}
ELEM_BYTES = {"f4E2M1FN": 1, "f8E4M3FN": 1, "f8E8M0FNU": 1, "f32": 4}

needs_metis_opt = pytest.mark.skipif(
    not (METIS_OPT.is_file() and os.access(METIS_OPT, os.X_OK)),
    reason=f"metis-opt is not built ({METIS_OPT} missing); build the project "
           "to check the constant folder against the oracle")


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    x: np.ndarray
    fmt: str
    axis: int
    tiles: bool = False

    @property
    def scale_shape(self):
        s = list(self.x.shape)
        s[self.axis] //= BLOCK[self.fmt]
        return tuple(s)


TIES = np.array([0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0], dtype=np.float32)


def _blocks(x, axis, B):
    """View of x as (nblocks, B) blocks along axis (a copy; write back)."""
    xt = np.moveaxis(x, axis, -1)
    return xt.reshape(-1, B), xt.shape


def _unblocks(blocks, tshape, axis):
    return np.ascontiguousarray(np.moveaxis(blocks.reshape(tshape), -1, axis))


def _dist(kind, shape, axis, fmt, rng):
    B = BLOCK[fmt]
    n = int(np.prod(shape))
    if kind == "normal":
        x = rng.standard_normal(shape) * np.exp2(rng.integers(-4, 5))
        return x.astype(np.float32)
    if kind == "dynamic":  # huge dynamic range, random signs
        mag = 10.0 ** rng.uniform(-30, 30, shape)
        return (mag * rng.choice([-1.0, 1.0], shape)).astype(np.float32)
    if kind == "wide_blocks":  # per-block magnitudes 2^-60 .. 2^60
        x = rng.standard_normal(shape).astype(np.float32)
        bl, ts = _blocks(x, axis, B)
        bl *= np.exp2(rng.integers(-60, 61, (bl.shape[0], 1))).astype(np.float32)
        return _unblocks(bl, ts, axis)
    if kind == "specials":
        x = rng.standard_normal(shape).astype(np.float32)
        bl, ts = _blocks(x, axis, B)
        for i in range(bl.shape[0]):
            k = i % 7
            if k == 0:  # block of zeros, some -0
                bl[i] = np.where(rng.random(B) < 0.5, F32(-0.0), F32(0.0))
            elif k == 1:  # exact E2M1 ties once the scale is 1
                bl[i] = rng.choice(TIES, B) * rng.choice([-1, 1], B)
                bl[i, rng.integers(B)] = 6.0
            elif k == 2:  # makes g = 1 for nvfp4 (global amax 2688)
                bl[i] = rng.uniform(-2688, 2688, B)
                bl[i, rng.integers(B)] = 2688.0
            elif k == 3:  # float32 subnormals (and -0)
                bl[i] = (rng.integers(-2**23, 2**23, B).astype(np.int64)
                         .astype(np.float32) * np.float32(2.0 ** -149))
                bl[i, 0] = -0.0
            elif k == 4:  # E4M3 ties of the block scale (nvfp4 with g = 1)
                bl[i] = rng.uniform(-1, 1, B)
                bl[i, rng.integers(B)] = rng.choice([6.375, 7.125, -6.375])
            elif k == 5:  # scale in the E4M3 subnormal range
                bl[i] = rng.uniform(-1, 1, B) * np.float32(6 * 2.0 ** -9)
                bl[i, 1] = rng.choice([6 * 2.0 ** -10, 6 * 3 * 2.0 ** -10])
            else:  # grid values times a power of two, incl. ties
                bl[i] = (rng.choice(np.r_[ref.E2M1_GRID, TIES], B) *
                         rng.choice([-1, 1], B) * np.exp2(rng.integers(-3, 3)))
        return _unblocks(bl, ts, axis)
    if kind == "inf":
        x = rng.standard_normal(shape).astype(np.float32)
        flat = x.reshape(-1)
        flat[rng.integers(n)] = np.inf
        flat[rng.integers(n)] = -np.inf
        return x
    if kind == "nan":
        x = rng.standard_normal(shape).astype(np.float32)
        flat = x.reshape(-1)
        flat[rng.integers(n)] = np.nan
        flat[rng.integers(n)] = -np.inf
        flat[rng.integers(n)] = np.float32(-np.nan)  # NaN with the sign bit
        return x
    raise AssertionError(kind)


SHAPES = [
    ((16,), 0), ((32,), 0), ((4, 32), 1), ((32, 16), 0), ((32, 16), 1),
    ((2, 3, 32), 2), ((2, 32, 2, 16), 1), ((2, 32, 2, 16), 3),
]
KINDS = ["normal", "dynamic", "wide_blocks", "specials", "inf", "nan"]


def make_cases():
    cases = []
    seed = 0
    for shape, axis in SHAPES:
        for fmt in ["nvfp4", "mxfp4", "fp4e2m1b"]:
            if shape[axis] % BLOCK[fmt]:
                continue
            for kind in KINDS:
                seed += 1
                rng = np.random.default_rng(seed)
                x = _dist(kind, shape, axis, fmt, rng)
                name = f"{fmt}_{'x'.join(map(str, shape))}_ax{axis}_{kind}"
                cases.append(Case(name, x, fmt, axis))
    for axis in [0, 1]:
        for kind in KINDS:
            seed += 1
            rng = np.random.default_rng(seed)
            x = _dist(kind, (32, 48), axis, "nvfp4", rng)
            cases.append(Case(f"nvfp4t_32x48_ax{axis}_{kind}", x, "nvfp4", axis,
                              tiles=True))
    for fmt in ["nvfp4", "mxfp4", "fp4e2m1b"]:
        shape = (4, 32)
        cases.append(Case(f"{fmt}_zeros", np.zeros(shape, np.float32), fmt, 1))
        cases.append(Case(f"{fmt}_negzeros", np.full(shape, -0.0, np.float32),
                          fmt, 1))
        big = np.random.default_rng(1000).uniform(-3.4e38, 3.4e38, shape)
        big[0, 0] = np.finfo(np.float32).max
        cases.append(Case(f"{fmt}_near_flt_max", big.astype(np.float32), fmt, 1))
        tiny = np.random.default_rng(1001).integers(-50, 50, shape)
        cases.append(Case(f"{fmt}_all_subnormal",
                          (tiny * 2.0 ** -149).astype(np.float32), fmt, 1))
        cases.append(Case(f"{fmt}_all_inf",
                          np.full(shape, np.inf, np.float32), fmt, 1))
    return cases


CASES = make_cases()


# ---------------------------------------------------------------------------
# MLIR writing / parsing
# ---------------------------------------------------------------------------


def _ttype(shape, elem):
    return "tensor<" + "".join(f"{d}x" for d in shape) + elem + ">"


def _func(i, c):
    xt = _ttype(c.x.shape, "f32")
    vt = _ttype(c.x.shape, "f4E2M1FN")
    st = _ttype(c.scale_shape, SCALE_TYPE[c.fmt])
    tt = "tensor<f32>"
    fmt = "nvfp4, 16x16" if c.tiles else c.fmt
    blob = np.ascontiguousarray(c.x, dtype="<f4").tobytes().hex().upper()
    return (
        f"func.func @c{i}() -> ({vt}, {st}, {tt}) {{\n"
        f"  %x = arith.constant dense<\"0x{blob}\"> : {xt}\n"
        f"  %v, %bs, %ts = metis.quantize %x {{axis = {c.axis} : i64, "
        f"format = #metis.format<{fmt}>}} : {xt} -> {vt}, {st}, {tt}\n"
        f"  return %v, %bs, %ts : {vt}, {st}, {tt}\n"
        f"}}\n")


_CONST_RE = re.compile(
    r"(%[\w.$-]+) = arith\.constant dense<(.*)> : tensor<([^>]*)>")
_RET_RE = re.compile(r"return (%[^:]+) :")
_FUNC_RE = re.compile(r"func\.func @c(\d+)\(")


def _decimal_to_bits(tok, elem):
    v = float(tok)
    if elem == "f32":
        return int(np.array(v, dtype=np.float32).view(np.uint32))
    if elem == "f4E2M1FN":
        code = int(ref.e2m1_round(np.array([v], np.float32))[0])
        assert float(ref.e2m1_decode(np.uint8(code))) == v, (tok, elem)
        return code
    if elem == "f8E4M3FN":
        b = int(ref.e4m3_round(np.array([v], np.float32))[0])
        d = float(ref.e4m3_decode(np.uint8(b)))
        assert abs(d - v) <= 1e-5 * abs(v), (tok, elem)  # neighbours differ by >= 1/16
        return b
    if elem == "f8E8M0FNU":
        e = int(round(np.log2(v)))
        assert abs(2.0 ** e - v) <= 1e-5 * v, (tok, elem)  # printed with 7 digits
        return e + 127
    raise AssertionError(elem)


def _parse_dense(payload, ttype):
    """dense<payload> : tensor<ttype> -> (shape, element type, bits array)."""
    parts = ttype.split("x")
    elem = parts[-1]
    shape = tuple(int(p) for p in parts[:-1])
    numel = int(np.prod(shape, dtype=np.int64))
    dt = np.uint32 if elem == "f32" else np.uint8
    payload = payload.strip()
    if payload.startswith('"0x'):  # hex blob of raw little-endian elements
        raw = bytes.fromhex(payload[3:-1])
        nb = ELEM_BYTES[elem]
        if nb == 4:
            data = np.frombuffer(raw, dtype="<u4").astype(np.uint32)
        else:
            data = np.frombuffer(raw, dtype=np.uint8).copy()
        if data.size == 1 and numel != 1:
            data = np.full(numel, data[0], dtype=dt)
        assert data.size == numel, (ttype, len(raw))
        return shape, elem, data.reshape(shape).astype(dt)
    toks = re.findall(r"0x[0-9A-Fa-f]+|[-+]?[0-9][0-9.]*(?:[eE][-+]?[0-9]+)?",
                      payload)
    vals = [int(t, 16) if t.startswith("0x") else _decimal_to_bits(t, elem)
            for t in toks]
    data = np.array(vals, dtype=np.int64)
    if data.size == 1:  # splat
        data = np.full(numel, data[0])
    assert data.size == numel, (ttype, payload[:80])
    return shape, elem, data.reshape(shape).astype(dt)


def _fold_all(cases):
    src = "module {\n" + "".join(_func(i, c) for i, c in enumerate(cases)) + "}\n"
    proc = subprocess.run(
        [str(METIS_OPT), "--canonicalize",
         "--mlir-print-elementsattrs-with-hex-if-larger=0", "-"],
        input=src, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"metis-opt failed:\n{proc.stderr[:4000]}"
    out = proc.stdout
    results = {}
    chunks = re.split(r"(?=func\.func @c\d+\()", out)
    for ch in chunks:
        m = _FUNC_RE.match(ch)
        if not m:
            continue
        idx = int(m.group(1))
        consts = {name: (payload, tt) for name, payload, tt in _CONST_RE.findall(ch)}
        ret = _RET_RE.search(ch)
        assert ret, f"case {idx}: no return in\n{ch[:2000]}"
        names = [s.strip() for s in ret.group(1).split(",")]
        if "metis.quantize" in ch or not all(n in consts for n in names):
            results[idx] = ("not folded", ch)
            continue
        results[idx] = tuple(_parse_dense(*consts[n]) for n in names)
    return results


@pytest.fixture(scope="module")
def folded():
    return _fold_all(CASES)


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------


def _f32_bits_equal(a_bits, b_bits):
    a = np.asarray(a_bits, dtype=np.uint32)
    b = np.asarray(b_bits, dtype=np.uint32)
    an = np.isnan(a.view(np.float32))
    bn = np.isnan(b.view(np.float32))
    return (a == b) | (an & bn)


def _describe(c, mask, what, got, want):
    idx = np.argwhere(~mask)[:6]
    lines = [f"{c.name}: {int((~mask).sum())} {what} differ (compiler vs oracle)"]
    for i in idx:
        t = tuple(int(k) for k in i)
        lines.append(f"  at {t}: compiler {int(got[t]):#x}  oracle {int(want[t]):#x}")
    return "\n".join(lines)


@needs_metis_opt
@pytest.mark.parametrize("i", range(len(CASES)), ids=[c.name for c in CASES])
def test_fold_matches_oracle(folded, i):
    c = CASES[i]
    assert i in folded, f"{c.name}: function missing from metis-opt output"
    r = folded[i]
    assert r[0] != "not folded", f"{c.name}: quantize was not folded:\n{r[1][:2000]}"
    (vs, ve, vbits), (ss, se, sbits), (ts_shape, te, tbits) = r
    assert (vs, ve) == (c.x.shape, "f4E2M1FN")
    assert (ss, se) == (c.scale_shape, SCALE_TYPE[c.fmt])
    assert (ts_shape, te) == ((), "f32")

    q = ref.quantize(c.x, c.fmt, axis=c.axis,
                     block=(16, 16) if c.tiles else None)

    mask = vbits == q.codes
    assert mask.all(), _describe(c, mask, "E2M1 codes", vbits, q.codes)

    if c.fmt == "fp4e2m1b":
        want = q.block_scales.view(np.uint32)
        mask = _f32_bits_equal(sbits, want)
    else:
        want = q.scale_bits
        mask = sbits == want
    assert mask.all(), _describe(c, mask, "block scales", sbits, want)

    want_ts = np.array(q.tensor_scale, dtype=np.float32).view(np.uint32)
    assert _f32_bits_equal(tbits, want_ts).all(), (
        f"{c.name}: tensor_scale compiler {int(tbits):#010x} "
        f"oracle {int(want_ts):#010x}")


@needs_metis_opt
def test_case_count(folded):
    assert len(CASES) >= MIN_CASES
    compared = [i for i, r in folded.items() if r[0] != "not folded"]
    assert len(compared) == len(CASES) >= MIN_CASES
    kinds = {(c.fmt, c.tiles) for c in CASES}
    assert kinds == {("nvfp4", False), ("nvfp4", True), ("mxfp4", False),
                     ("fp4e2m1b", False)}
