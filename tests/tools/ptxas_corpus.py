#!/usr/bin/env python3
"""Compiles every function of the given .vir files to PTX and assembles each
PTX with ptxas as a whole program (no -c), for the given configurations.

  ptxas_corpus.py IRC_GPU PTXAS WORKDIR [--config=sm_XY[,checked]]... FILE.vir...

Configurations default to sm_90, sm_80 and sm_90 with --checked. The
functions of a file are its `func @name` lines. A function the compiler
refuses as "not offloadable" is compiled again with --allow-sequential. Runs
two jobs at a time. Prints one line per failure and a summary
`N compiled and assembled, M failed`; exit 1 if anything failed (a compile
error, an empty PTX, or ptxas rejecting it).
"""
import concurrent.futures
import os
import re
import subprocess
import sys


def functions(path):
    with open(path) as f:
        return [m.group(1) for m in (re.match(r"^func @([\w.$-]+)", l) for l in f) if m]


def one(irc, ptxas, work, path, func, arch, checked):
    tag = "%s.%s.%s%s" % (os.path.basename(path), func, arch, ".checked" if checked else "")
    ptx = os.path.join(work, tag + ".ptx")
    base = [irc, "compile", path, "--entry", func, "--target", arch, "--emit", "ptx", "-o", ptx]
    if checked:
        base.append("--checked")
    p = subprocess.run(base, capture_output=True, text=True)
    seq = False
    if p.returncode != 0 and "not offloadable" in p.stderr:
        seq = True
        p = subprocess.run(base + ["--allow-sequential"], capture_output=True, text=True)
    what = tag + (" (--allow-sequential)" if seq else "")
    if p.returncode != 0:
        return "FAIL %s: irc-gpu compile exit %d\n%s" % (what, p.returncode, p.stderr[-1500:])
    if os.path.getsize(ptx) == 0:
        return "FAIL %s: empty PTX" % what
    q = subprocess.run([ptxas, "-arch=" + arch, ptx, "-o", os.path.join(work, tag + ".o")],
                       capture_output=True, text=True)
    if q.returncode != 0:
        return "FAIL %s: ptxas -arch=%s exit %d\n%s" % (what, arch, q.returncode, q.stderr[-1500:])
    return None


def main():
    irc, ptxas, work = sys.argv[1:4]
    configs, files = [], []
    for a in sys.argv[4:]:
        if a.startswith("--config="):
            arch, _, flag = a[len("--config="):].partition(",")
            configs.append((arch, flag == "checked"))
        else:
            files.append(a)
    configs = configs or [("sm_90", False), ("sm_80", False), ("sm_90", True)]
    os.makedirs(work, exist_ok=True)
    jobs = [(f, fn, arch, chk) for f in files for fn in functions(f) for arch, chk in configs]
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        for res in ex.map(lambda j: one(irc, ptxas, work, *j), jobs):
            if res:
                failed += 1
                print(res)
    print("%d compiled and assembled, %d failed" % (len(jobs) - failed, failed))
    return 1 if failed or not jobs else 0


if __name__ == "__main__":
    sys.exit(main())
