#!/usr/bin/env python3
"""Edge-case inputs for semantics.vir: every pair of interesting i32 values and
of interesting f32 values, as .npy files (standard library only)."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
import mknpy  # noqa: E402

INTS = [0, 1, -1, 2, 7, -7, 31, 32, 33, -33, 64, 0x7FFFFFFF, -0x80000000, 0x12345678]
FLOATS = ["0.0", "-0.0", "1.5", "-2.75", "nan", "inf", "-inf", "1e10", "-1e10", "3e9",
          "4.5e9", "1e-40", "2147483520.0", "-2147483648.0", "0.5", "-0.5"]

out = sys.argv[1]
pairs = [(x, y) for x in INTS for y in INTS]
fpairs = [(p, q) for p in FLOATS for q in FLOATS]
n = max(len(pairs), len(fpairs))
pairs = (pairs * (n // len(pairs) + 1))[:n]
fpairs = (fpairs * (n // len(fpairs) + 1))[:n]
mknpy.write(os.path.join(out, "a.npy"), "<i4", str(n), [x for x, _ in pairs])
mknpy.write(os.path.join(out, "b.npy"), "<i4", str(n), [y for _, y in pairs])
mknpy.write(os.path.join(out, "f.npy"), "<f4", str(n), [p for p, _ in fpairs])
mknpy.write(os.path.join(out, "g.npy"), "<f4", str(n), [q for _, q in fpairs])
mknpy.write(os.path.join(out, "out0.npy"), "<i4", str(n * 12), [0] * (n * 12))
mknpy.write(os.path.join(out, "fout0.npy"), "<f4", str(n * 6), [0] * (n * 6))
with open(os.path.join(out, "n"), "w") as f:
    f.write(str(n))
