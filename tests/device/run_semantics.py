#!/usr/bin/env python3
"""On the GPU machine: loads the PTX with the CUDA driver (through CuPy, which
is on the device image; irc-gpu's own runtime comes with issue 5), launches
the kernel over the inputs of prepare.sh and compares the outputs with the
interpreter's bit for bit."""
import sys

import cupy as cp
import numpy as np

D = sys.argv[1]
INT_OPS = ["sdiv", "srem", "udiv", "urem", "shl", "ashr", "lshr", "fptosi", "fptoui",
           "abs", "clz", "ctz"]
FLOAT_OPS = ["fmin", "fmax", "fdiv", "fma", "fsub", "fmul"]

a, b = np.load(D + "/a.npy"), np.load(D + "/b.npy")
f, g = np.load(D + "/f.npy"), np.load(D + "/g.npy")
n = len(a)
mod = cp.RawModule(path=D + "/ops.ptx")
kernel = mod.get_function("ops$k0")
out = cp.zeros(n * 12, dtype=np.int32)
fout = cp.zeros(n * 6, dtype=np.float32)
args = (np.int64(0), np.int64(n), np.int64(1), cp.asarray(a), cp.asarray(b), cp.asarray(f),
        cp.asarray(g), out, fout)
kernel(((n + 255) // 256,), (256,), args)
cp.cuda.runtime.deviceSynchronize()

bad = 0
for name, got, want, ops, width in [
        ("out", out.get(), np.load(D + "/out.expected.npy"), INT_OPS, 12),
        ("fout", fout.get(), np.load(D + "/fout.expected.npy"), FLOAT_OPS, 6)]:
    g32, w32 = got.view(np.uint32), want.view(np.uint32)
    differ = g32 != w32
    # Which NaN an operation returns (sign, payload) is not defined by VIR
    # (docs/ir.md): x86 and the GPU pick different ones. Every other bit is.
    nans = np.zeros(len(w32), dtype=bool)
    if got.dtype.kind == "f":
        nans = np.isnan(got) & np.isnan(want)
    diff = np.nonzero(differ & ~nans)[0]
    print("%s: %d values, %d differ, %d are NaN on both sides with other NaN bits" % (
        name, len(w32), len(diff), int(np.count_nonzero(differ & nans))))
    for k in diff[:20]:
        i, op = divmod(int(k), width)
        print("  %s point %d: gpu %r (0x%08x) interp %r (0x%08x) inputs %r %r %r %r" % (
            ops[op], i, got[k], g32[k], want[k], w32[k], a[i], b[i], f[i], g[i]))
    bad += len(diff)
print("RESULT:", "all bits equal" if bad == 0 else "%d values differ" % bad)
sys.exit(1 if bad else 0)
