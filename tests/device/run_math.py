#!/usr/bin/env python3
"""Math accuracy on the GPU: tests/device/math.vir against the ULP bounds.

Writes inputs (standard library only: edge cases, ±0, denormals, ±inf, NaN,
large trig arguments, values around 1, negative inputs for log/sqrt, pow and
atan2 special cases, plus a few thousand seeded random values over wide
ranges), runs every entry of math.vir on the interpreter (`--device interp`:
the host's libm, glibc) and on the GPU (`--device cuda`: libdevice), reads
both --out files and compares op by op:
- NaN and NaN are equal (sign and payload are not compared);
- exact ops (sqrt, floor, ceil, round, trunc, copysign, frem, fma) must be
  bit-exact;
- the others must be within libdevice's documented bound plus glibc's own
  error (the reference is not the true value), in ulps: the distance between
  the two results counted in representable values of the type (so denormals
  count in their own ulps, and -0 and +0 are 0 apart);
- `afn` (f32): the documented bounds of docs/codegen.md, each on the interval
  where it is documented: an absolute bound where the doc gives one, an ulp
  bound elsewhere; outside those intervals, where the doc only says the error
  grows, only "finite where the accurate result is finite" is checked, or
  nothing ("-" in the table below). `tan afn` and `pow afn` have no number in
  NVIDIA's tables; their bounds here are derived from their definitions
  (see fast_check) and marked "derived".

Usage: run_math.py IRC_GPU WORKDIR ; prints one line per op (max ulp seen,
the bound, ok/FAIL) and a summary `N passed, M failed`; exit 1 on failure.
IRCGPU_CORPUS_DEVICE=sim stands the plan simulator in for the GPU (a dry run
on a machine without one: it uses the interpreter's libm, so every op is
0 ulp).
"""
import math
import os
import random
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import mknpy  # noqa: E402

VIR = os.path.join(HERE, "math.vir")
GPU = os.environ.get("IRCGPU_CORPUS_DEVICE", "cuda")

# The ops of each entry of math.vir, in the order it stores them.
UNARY = ["sqrt", "rsqrt", "exp", "exp2", "log", "log2", "log10", "sin", "cos", "tan", "tanh",
         "erf", "floor", "ceil", "round", "trunc"]
BINARY = ["pow", "atan2", "copysign", "frem", "fma"]
FAST = ["exp", "exp2", "log", "log2", "log10", "sin", "cos", "tan", "tanh", "sqrt", "rsqrt",
        "erf", "pow"]
ENTRIES = [  # entry, type, inputs, ops, afn
    ("unary32", "f32", ["x"], UNARY, False),
    ("binary32", "f32", ["x", "y", "z"], BINARY, False),
    ("unary64", "f64", ["x"], UNARY, False),
    ("binary64", "f64", ["x", "y", "z"], BINARY, False),
    ("fast32", "f32", ["x", "y"], FAST, True),
]

EXACT = {"sqrt", "floor", "ceil", "round", "trunc", "copysign", "frem", "fma"}

# libdevice's maximum error in ulps over the full range: the table of
# docs/codegen.md, "Math (libdevice)" / "Accuracy" (from the CUDA C++
# Programming Guide, appendix "Mathematical Functions"). Keep the two equal.
LIBDEVICE = {
    "f32": {"rsqrt": 2, "exp": 2, "exp2": 2, "log": 1, "log2": 1, "log10": 2, "sin": 2,
            "cos": 2, "tan": 4, "tanh": 2, "erf": 2, "pow": 4, "atan2": 3},
    "f64": {"rsqrt": 1, "exp": 1, "exp2": 1, "log": 1, "log2": 1, "log10": 1, "sin": 2,
            "cos": 2, "tan": 2, "tanh": 1, "erf": 2, "pow": 2, "atan2": 2},
}
# The reference's own error: glibc's maximum known error in round-to-nearest
# (glibc's sysdeps/x86_64/fpu/libm-test-ulps), at least 1. The interpreter's
# rsqrt is 1.0 / sqrt(x): two roundings, 2.
GLIBC = {
    "f32": {"rsqrt": 2, "atan2": 2, "log10": 2, "tanh": 2},
    "f64": {"rsqrt": 2, "log10": 2, "log2": 2, "tanh": 2},
}

# afn (f32): docs/codegen.md, "Accuracy", second table (the CUDA intrinsics'
# bounds). Absolute bounds hold on the interval given; ulp bounds elsewhere.
FAST_ABS = {  # op: (interval, absolute bound on it, ulp bound outside or None)
    "log": ((0.5, 2.0), 2.0 ** -21.41, 3),
    "log2": ((0.5, 2.0), 2.0 ** -22, 2),
    "log10": ((0.5, 2.0), 2.0 ** -24, 3),
    "sin": ((-math.pi, math.pi), 2.0 ** -21.41, None),
    "cos": ((-math.pi, math.pi), 2.0 ** -21.19, None),
}
TANH_REL = 2.0 ** -11  # tanh.approx.f32, PTX ISA; normal inputs only
# npy descr, struct float and integer formats, width
TYPES = {"f32": ("<f4", "<f", "<I", 32), "f64": ("<f8", "<d", "<Q", 64)}


def bits_of(v, t):
    return struct.unpack(TYPES[t][2], struct.pack(TYPES[t][1], v))[0]


def float_of(b, t):
    return struct.unpack(TYPES[t][1], struct.pack(TYPES[t][2], b))[0]


def to_type(v, t):
    """v rounded to the type (f32 rounding of a Python float)."""
    if t == "f64" or math.isnan(v) or math.isinf(v):
        return v
    try:
        return struct.unpack("<f", struct.pack("<f", v))[0]
    except OverflowError:
        return math.copysign(math.inf, v)


def ordered(b, w):
    """The bits of a float as an integer that counts representable values:
    consecutive floats differ by 1, -0 and +0 are both 0."""
    mag = b & ((1 << (w - 1)) - 1)
    return -mag if b >> (w - 1) else mag


def ulps(g, r, t):
    """Distance between two non-NaN values of type t, in ulps."""
    w = TYPES[t][3]
    return abs(ordered(bits_of(g, t), w) - ordered(bits_of(r, t), w))


def ulp_of(v, t):
    """The spacing of type t at v (the gap above |v|)."""
    v = abs(v)
    if math.isinf(v) or math.isnan(v):
        return math.inf
    b = bits_of(v, t)
    nxt = float_of(b + 1, t)
    return (nxt - v) if not math.isinf(nxt) else v - float_of(b - 1, t)


# ---------------------------------------------------------------- inputs

def inputs(t, rnd):
    """x, y, z lists for type t: edge cases first, then random values."""
    f32 = t == "f32"
    big = 3.4028234663852886e38 if f32 else 1.7976931348623157e308
    tiny = 2.0 ** -149 if f32 else 2.0 ** -1074      # smallest denormal
    minn = 2.0 ** -126 if f32 else 2.0 ** -1022      # smallest normal
    eps = 2.0 ** -23 if f32 else 2.0 ** -52
    emin, emax = (-149, 127) if f32 else (-1074, 1023)
    nan, inf = math.nan, math.inf
    edge = [0.0, -0.0, tiny, -tiny, 3 * tiny, minn / 3, -minn / 3, minn, -minn, minn * 0.75,
            inf, -inf, nan, -nan, 1.0, -1.0, 1.0 + eps, 1.0 - eps / 2, -1.0 - eps, 0.5, 2.0,
            -0.5, -2.0, 0.9999, 1.0001, 1e-7, -1e-7, 0.1, 10.0, 100.0, -100.0, 1e10, -1e10,
            1e4, -1e4, 1e30, -1e30, 1e38, -1e38, big, -big, math.pi, -math.pi, math.pi / 2,
            -math.pi / 2, math.pi / 4, 3 * math.pi / 4, 2 * math.pi, 0.4999999701976776, 0.5,
            1.5, 2.5, -2.5, -0.5000001, 8388608.5, 4503599627370497.0, 88.7, 89.0, -87.3,
            -103.9, -104.0, -150.0, 127.9, 128.0, -149.5, 709.7, 710.0, -745.1, 1023.9, 1024.0,
            -1074.5, 1e300, -1e300, 1e-300, 5.0, -9.0, 0.75, 1.25, 4.0, 3.0, 0.3]
    edge = [to_type(v, t) for v in edge]
    # pow, atan2, copysign, frem special pairs (x, y); z for fma follows.
    pairs = [(0.0, -1.0), (-0.0, -1.0), (0.0, -2.0), (-0.0, -3.0), (0.0, 1.0), (-0.0, 3.0),
             (-0.0, 2.0), (-1.0, inf), (-1.0, -inf), (1.0, nan), (nan, 0.0), (nan, -0.0),
             (-2.0, 3.0), (-2.0, 0.5), (-8.0, 1.0 / 3), (-2.0, -3.0), (2.0, 1000.0),
             (2.0, -1000.0), (2.0, 10000.0), (0.5, inf), (2.0, inf), (2.0, -inf), (0.5, -inf),
             (inf, -1.0), (inf, 0.5), (-inf, 3.0), (-inf, -3.0), (-inf, 2.0), (-inf, -2.0),
             (1e-30, 0.5), (10.0, 38.0), (10.0, -45.0), (1.0000001, 1e7), (0.9999999, -1e7),
             (1.0, inf), (1.0, -inf), (inf, 0.0), (tiny, 0.5), (minn, -1.0), (3.0, 0.5),
             (0.0, 0.0), (-0.0, 0.0), (0.0, -0.0), (-0.0, -0.0), (1.0, 0.0), (-1.0, -0.0),
             (0.0, 1.0), (inf, inf), (inf, -inf), (-inf, inf), (-inf, -inf), (1.0, -inf),
             (5.5, 2.0), (-5.5, 2.0), (1e30, 3.0), (-1e30, 3.0), (1.0, 0.0), (inf, 2.0),
             (2.0, inf), (-0.0, 1.0), (3 * tiny, tiny), (minn, tiny * 7), (3.0, minn / 3),
             (big, 1.5), (big, -tiny), (1.0, -0.0), (-1.0, 0.0), (nan, -1.0), (-nan, 1.0),
             (inf, -0.0), (nan, 1.0)]
    fma_z = [(1.0 + eps, 1.0 - eps, -1.0), (1e30, 1e30, -inf), (inf, 0.0, 1.0),
             (big, 2.0, -big), (0.1, 10.0, -1.0), (-0.0, 0.0, 0.0), (0.0, -1.0, -0.0),
             (minn, 0.5, tiny), (tiny, 0.5, 0.0), (3.0, 1.0 / 3, -1.0), (nan, 1.0, 1.0)]
    xs, ys, zs = [], [], []
    for v in edge:
        xs.append(v)
        ys.append(to_type(rnd.choice(edge), t))
        zs.append(to_type(rnd.uniform(-2, 2), t))
    for a, b in pairs:
        xs.append(to_type(a, t))
        ys.append(to_type(b, t))
        zs.append(0.0)
    for a, b, c in fma_z:
        xs += [to_type(a, t)]
        ys += [to_type(b, t)]
        zs += [to_type(c, t)]

    def logu(lo, hi):
        return rnd.choice((-1.0, 1.0)) * 2.0 ** rnd.uniform(lo, hi)

    gens = [
        lambda: rnd.uniform(-10, 10),
        lambda: rnd.uniform(-100, 100),
        lambda: logu(emin, emax),
        lambda: abs(logu(emin, emax)),
        lambda: rnd.uniform(-math.pi, math.pi),
        lambda: rnd.uniform(-math.pi / 4, math.pi / 4),
        lambda: rnd.uniform(0.5, 2.0),
        lambda: rnd.uniform(-1e4, 1e4),
        lambda: rnd.randint(-1000, 1000) + 0.5,
        lambda: rnd.uniform(-6, 6),
    ]
    for _ in range(4000):
        x = to_type(rnd.choice(gens)(), t)
        k = rnd.random()
        if k < 0.4:  # pow over its useful range: x > 0, moderate y
            y = rnd.uniform(-40, 40)
            if rnd.random() < 0.2:
                x = -abs(x)
                y = float(rnd.randint(-30, 30))
        elif k < 0.7:
            y = rnd.choice(gens)()
        else:
            y = logu(emin / 2, emax / 2)
        xs.append(x)
        ys.append(to_type(y, t))
        zs.append(to_type(rnd.choice(gens)(), t))
    return xs, ys, zs


# ---------------------------------------------------------------- checks

class Stat:
    def __init__(self, op, bound_text):
        self.op, self.bound_text = op, bound_text
        self.max_ulp, self.max_abs, self.checked, self.bad = 0, None, 0, []

    def ulp(self, d):
        self.max_ulp = max(self.max_ulp, d)


def accurate_check(op, t, g, r, st):
    """Returns True when g (GPU) is acceptable for r (interpreter)."""
    if math.isnan(g) or math.isnan(r):
        return math.isnan(g) and math.isnan(r)
    d = ulps(g, r, t)
    st.ulp(d)
    if op in EXACT:
        return bits_of(g, t) == bits_of(r, t)
    return d <= LIBDEVICE[t][op] + GLIBC[t].get(op, 1)


def fast_check(op, x, y, g, r, st):
    """afn, f32: returns True, False, or None (not checked here)."""
    t = "f32"
    if op in ("exp2", "sqrt", "rsqrt", "erf"):  # no fast variant: the accurate bound
        return accurate_check(op, t, g, r, st)
    nan_g, nan_r = math.isnan(g), math.isnan(r)
    if op == "exp":  # 2 + floor(|1.173 x|) ulp, everywhere
        if math.isnan(x) or math.isinf(x):
            return (nan_g and nan_r) or (not nan_g and not nan_r and g == r)
        if nan_g or nan_r:
            return False
        d = ulps(g, r, t)
        st.ulp(d)
        return d <= 2 + math.floor(abs(1.173 * x)) + GLIBC[t].get(op, 1)
    if op in FAST_ABS:
        (lo, hi), absb, ulpb = FAST_ABS[op]
        if lo <= x <= hi:
            if nan_g or nan_r:
                return nan_g and nan_r
            e = abs(g - r)
            st.max_abs = e if st.max_abs is None else max(st.max_abs, e)
            st.ulp(ulps(g, r, t))
            return e <= absb + ulp_of(r, t)  # + glibc's 1 ulp
        if ulpb is not None:
            if nan_g or nan_r:
                return nan_g and nan_r
            d = ulps(g, r, t)
            st.ulp(d)
            return d <= ulpb + GLIBC[t].get(op, 1)
        return None if nan_r else not (nan_g or math.isinf(g))  # finite where finite
    if op == "tan":
        # Derived: __nv_fast_tanf is div.approx(sin.approx x, cos.approx x).
        # On |x| <= pi/4, with the sin/cos absolute bounds ds, dc:
        # |t' - t| <= (ds + |t| dc) / (|cos x| - dc) + 2 ulp (div.approx) + 1 ulp (glibc).
        if not abs(x) <= math.pi / 4:
            return None
        ds, dc = 2.0 ** -21.41, 2.0 ** -21.19
        e = abs(g - r)
        st.max_abs = e if st.max_abs is None else max(st.max_abs, e)
        st.ulp(ulps(g, r, t))
        return e <= (ds + abs(r) * dc) / (abs(math.cos(x)) - dc) + 3 * ulp_of(r, t)
    if op == "tanh":  # relative 2^-11 on normal inputs (tanh.approx.f32)
        if math.isnan(x):
            return nan_g and nan_r
        if abs(x) < 2.0 ** -126:
            return None if nan_r else not (nan_g or math.isinf(g))
        if math.isinf(x):
            return g == r
        e = abs(g - r)
        st.max_abs = e if st.max_abs is None else max(st.max_abs, e)
        st.ulp(ulps(g, r, t))
        return e <= TANH_REL * abs(r) + ulp_of(r, t)
    if op == "pow":
        # Derived: __nv_fast_powf is ex2.approx(y * lg2.approx(x)). For x > 0
        # finite, y finite and a normal result: lg2's error E (2^-22 absolute
        # on [0.5, 2], else 2 ulp), times |y|, plus the product's rounding, is
        # an absolute error in the exponent, a relative error of ln 2 times it
        # in the result; plus ex2's 2 ulp and glibc's 1.
        if not (x > 0 and not math.isinf(x) and not math.isinf(y) and not math.isnan(y)):
            return None
        if nan_r or math.isinf(r) or abs(r) < 2.0 ** -126:
            return None
        if nan_g:
            return False
        l2 = math.log2(x)
        el = 2.0 ** -22 if 0.5 <= x <= 2.0 else 2 * ulp_of(l2, t)
        et = abs(y) * el + ulp_of(y * l2, t)
        d = ulps(g, r, t)
        st.ulp(d)
        return d <= math.ceil(math.log(2) * et * 2.0 ** 24) + 3
    raise AssertionError(op)


FAST_BOUND_TEXT = {
    "exp": "2+floor(|1.173x|)+1 ulp",
    "log": "2^-21.41 abs on [0.5,2], else 3+1 ulp",
    "log2": "2^-22 abs on [0.5,2], else 2+1 ulp",
    "log10": "2^-24 abs on [0.5,2], else 3+1 ulp",
    "sin": "2^-21.41 abs on [-pi,pi]; outside: finite",
    "cos": "2^-21.19 abs on [-pi,pi]; outside: finite",
    "tan": "derived abs on [-pi/4,pi/4]; outside: -",
    "tanh": "2^-11 rel (normal x); denormal x: finite",
    "pow": "derived ulp, x>0, normal result; else: -",
}


# ---------------------------------------------------------------- running

def read_npy(path, t):
    data = open(path, "rb").read()
    start = 10 if data[6] == 1 else 12
    (hlen,) = struct.unpack("<H" if data[6] == 1 else "<I", data[8:start])
    body = data[start + hlen:]
    code = "f" if t == "f32" else "d"
    return list(struct.unpack("<%d%s" % (len(body) // struct.calcsize(code), code), body))


def run_entry(irc, work, entry, t, names, nops, n, dev):
    descr = TYPES[t][0]
    out0 = os.path.join(work, "zero-%s-%d.npy" % (t, nops))
    if not os.path.exists(out0):
        mknpy.write(out0, descr, str(n * nops), [0.0] * (n * nops))
    res = os.path.join(work, "%s.%s.npy" % (entry, dev))
    if os.path.exists(res):
        os.remove(res)
    cmd = [irc, "run", VIR, "--entry", entry, "--device", dev, "--arg", "n=%d" % n]
    for v in names:
        cmd += ["--arg", "%s=@%s" % (v, os.path.join(work, "%s-%s.npy" % (v, t)))]
    cmd += ["--arg", "out=@" + out0, "--out", "out=" + res]
    p = subprocess.run(cmd, capture_output=True, timeout=600)
    if p.returncode != 0 or not os.path.exists(res):
        return None, "exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")[-600:])
    return read_npy(res, t), ""


def fmt_abs(e):
    return "-" if e is None else ("0" if e == 0 else "2^%.2f" % math.log2(e))


def main():
    irc, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(work, exist_ok=True)
    rnd = random.Random(20261124)
    data = {}
    for t in ("f32", "f64"):
        data[t] = inputs(t, rnd)
        for name, vals in zip(("x", "y", "z"), data[t]):
            mknpy.write(os.path.join(work, "%s-%s.npy" % (name, t)), TYPES[t][0],
                        str(len(vals)), vals)
    passed = failed = 0
    for entry, t, names, ops, afn in ENTRIES:
        xs, ys, zs = data[t]
        n, k = len(xs), len(ops)
        ref, err_i = run_entry(irc, work, entry, t, names, k, n, "interp")
        gpu, err_g = run_entry(irc, work, entry, t, names, k, n, GPU)
        if ref is None or gpu is None:
            failed += 1
            print("FAIL %s: %s" % (entry, err_i or ("%s %s" % (GPU, err_g))))
            continue
        print("--- %s (%s%s, %d inputs, %s vs interp)" % (entry, t, " afn" if afn else "", n, GPU))
        for j, op in enumerate(ops):
            if afn and op in FAST_BOUND_TEXT:
                text = FAST_BOUND_TEXT[op]
            elif op in EXACT:
                text = "bit-exact"
            else:
                text = "%d+%d ulp" % (LIBDEVICE[t][op], GLIBC[t].get(op, 1))
            st = Stat(op, text)
            for i in range(n):
                g, r = gpu[i * k + j], ref[i * k + j]
                if afn:
                    ok = fast_check(op, xs[i], ys[i], g, r, st)
                else:
                    ok = accurate_check(op, t, g, r, st)
                if ok is None:
                    continue
                st.checked += 1
                if not ok:
                    args = [xs[i], ys[i], zs[i]][:3 if op == "fma" else 2 if op in BINARY else 1]
                    st.bad.append("%s(%s): gpu %r, interp %r" % (
                        op, ", ".join(repr(a) for a in args), g, r))
            line = "%-9s max %4d ulp" % (op, st.max_ulp)
            if st.max_abs is not None:
                line += ", max abs %s" % fmt_abs(st.max_abs)
            line += "  (bound %s; %d of %d checked)" % (st.bound_text, st.checked, n)
            if st.bad:
                failed += 1
                print("FAIL %s: %d outside" % (line, len(st.bad)))
                for b in st.bad[:5]:
                    print("       " + b)
            else:
                passed += 1
                print("ok   " + line)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
