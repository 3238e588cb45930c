#!/usr/bin/env python3
"""GPU-scale checks for tests/device/scale.vir (on the GPU machine).

Writes inputs of a few million elements (seeded, standard library only),
runs each entry on the interpreter, the plan simulator and the GPU, and
compares: the GPU must equal the simulator bit for bit (returned values and
--out buffers), and the interpreter wherever the simulator does (every
integer and non-reduction result). Prints `N passed, M failed`.

Usage: run_scale.py IRC_GPU WORKDIR
"""
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import mknpy  # noqa: E402

VIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scale.vir")
GPU = os.environ.get("IRCGPU_CORPUS_DEVICE", "cuda")


def main():
    irc, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    rnd = random.Random(12345)
    N = int(os.environ.get("IRCGPU_SCALE_N", "3000017"))  # not a multiple of 256
    R, C = 1031, 2053
    def f32s(n):
        return [rnd.uniform(-1.0, 1.0) for _ in range(n)]
    files = {
        "xf": ("<f4", [abs(v) + 0.5 for v in f32s(N)]),
        "xd": ("<f8", f32s(N)),
        "yd": ("<f8", f32s(N)),
        "xi": ("<i4", [rnd.randint(-2**31, 2**31 - 1) for _ in range(N)]),
        "x8": ("|i1", [rnd.randint(-128, 127) for _ in range(N)]),
        "grid": ("<f4", f32s(R * C)),
        "zero": ("<f4", [0.0] * (R * C)),
        "yf": ("<f4", f32s(N)),
        "hist": ("<i4", [0] * 256),
        "hist64": ("<i8", [0] * 100),
    }
    for name, (descr, vals) in files.items():
        mknpy.write(os.path.join(work, name + ".npy"), descr, str(len(vals)), vals)
    p = lambda n: "@" + os.path.join(work, n + ".npy")
    cases = [
        ("sum", ["n=%d" % N, "x=" + p("xf")], []),
        ("sum", ["n=1", "x=" + p("xf")], []),
        ("sum", ["n=0", "x=" + p("xf")], []),
        ("dot", ["n=%d" % N, "x=" + p("xd"), "y=" + p("yd")], []),
        ("intstats", ["n=%d" % N, "x=" + p("xi")], []),
        ("mixed", ["n=%d" % N, "x=" + p("x8")], []),
        ("normalize", ["n=%d" % N, "x=" + p("xf")], ["x"]),
        ("stencil", ["n=%d" % R, "m=%d" % C, "a=" + p("grid"), "b=" + p("zero")], ["b"]),
        ("histogram", ["n=%d" % N, "x=" + p("xi"), "h=" + p("hist")], ["h"]),
        ("histogram", ["n=1000", "x=" + p("xi"), "h=" + p("hist")], ["h"]),
        ("histogram2d", ["r=%d" % 1031, "c=%d" % 2053, "x=" + p("x8"), "h=" + p("hist")], ["h"]),
        ("histrem", ["n=%d" % N, "x=" + p("xi"), "h=" + p("hist64")], ["h"]),
        ("paths", ["n=%d" % N, "x=" + p("xf"), "y=" + p("yf"), "d=" + p("yd"), "b=" + p("x8")], ["y", "d", "b"]),
        ("paths", ["n=7", "x=" + p("xf"), "y=" + p("yf"), "d=" + p("yd"), "b=" + p("x8")], ["y", "d", "b"]),
    ]
    passed = failed = 0
    for entry, args, outs in cases:
        res = {}
        for dev in ("interp", "sim", GPU):
            cmd = [irc, "run", VIR, "--entry", entry, "--device", dev]
            for a in args:
                cmd += ["--arg", a]
            paths = []
            for o in outs:
                path = os.path.join(work, "%s.%s.%s.npy" % (entry, o, dev))
                cmd += ["--out", "%s=%s" % (o, path)]
                paths.append(path)
            pr = subprocess.run(cmd, capture_output=True, timeout=900)
            blobs = [open(q, "rb").read() if os.path.exists(q) else None for q in paths]
            res[dev] = (pr.returncode, pr.stdout, blobs, pr.stderr)
        gpu, sim, itp = res[GPU], res["sim"], res["interp"]
        what = "%s(%s)" % (entry, args[0])
        if itp[0] != 0:
            failed += 1
            print("FAIL %s: the interpreter failed: %r" % (what, itp[3][-400:]))
        elif gpu[:3] != sim[:3]:
            failed += 1
            print("FAIL %s: GPU %r != simulator %r\n  %r" % (what, gpu[:2], sim[:2], gpu[3][-400:]))
        elif sim[:3] == itp[:3] and gpu[:3] != itp[:3]:
            failed += 1
            print("FAIL %s: GPU != interpreter" % what)
        else:
            passed += 1
            tag = "bit-exact" if gpu[:3] == itp[:3] else "= simulator (reassociated)"
            print("ok   %s [%s] %s" % (what, tag, gpu[1].decode().strip().replace("\n", "; ")))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
