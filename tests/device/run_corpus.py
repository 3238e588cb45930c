#!/usr/bin/env python3
"""Runs the end-to-end corpus on a GPU and compares it with the interpreter.

Every `irc-gpu run ... --device sim` command in the lit files given (the e2e
programs and the simulator tests, which carry their own inputs) is run three
times: on the interpreter, on the plan simulator and on the GPU (`--device
cuda`). The GPU must give the simulator's output bit for bit (stdout, exit
status and every --out file): the simulator combines reductions in the GPU's
tree order. It must give the interpreter's output too, except where the
simulator itself differs from the interpreter (a reassociated float
reduction; CI checks the simulator against the interpreter). A command the
interpreter rejects with exit 3 (an out-of-bounds access) runs on the GPU in
checked mode (`--checked`) and must be exit 3 with an out-of-bounds message.

Usage: run_corpus.py IRC_GPU FILE... ; prints one line per command and a
summary `N passed, M failed`; exit 1 if anything failed.
IRCGPU_CORPUS_DEVICE=sim stands the simulator in for the GPU (a dry run of
this script on a machine without one).
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MKNPY = os.path.join(HERE, "..", "tools", "mknpy.py")
GPU = os.environ.get("IRCGPU_CORPUS_DEVICE", "cuda")


def run_lines(path):
    """The RUN: lines of a lit file, continuations joined."""
    lines, cur = [], ""
    with open(path) as f:
        for raw in f:
            m = re.match(r"^\s*;\s*RUN:\s?(.*)$", raw)
            if not m:
                continue
            part = m.group(1).rstrip()
            if part.endswith("\\"):
                cur += part[:-1] + " "
                continue
            lines.append(cur + part)
            cur = ""
    return lines


def substitute(line, path, tmp, irc):
    line = line.replace("%S", os.path.dirname(os.path.abspath(path)))
    line = line.replace("%s", os.path.abspath(path))
    line = line.replace("%t", tmp)
    line = line.replace("%mknpy", "%s %s" % (sys.executable, MKNPY))
    line = line.replace("%python", sys.executable)
    return line.replace("%irc-gpu", irc)


def command_words(line):
    """The `irc-gpu run` words of a RUN line: without `not`, pipes,
    redirections and what follows `;`."""
    words = []
    for w in shlex.split(line.replace(";", " ; ")):
        if w in ("|", ";", "&&") or w.startswith(">") or w.startswith("2>") or w == "<":
            break
        words.append(w)
    if words and words[0] == "not":
        words = words[1:]
    return words


def with_device(words, device, outdir):
    """The command on another device, its --out files under outdir."""
    out, skip = [], False
    for i, w in enumerate(words):
        if skip:
            skip = False
            continue
        if w == "--device":
            skip = True
            continue
        if w.startswith("--device="):
            continue
        if w == "--seed":
            skip = device != "sim"
            if device == "sim":
                out.append(w)
            continue
        out.append(w)
    out += ["--device", device]
    files = []
    for i, w in enumerate(out):
        if out[i - 1] == "--out" and "=" in w:
            name, p = w.split("=", 1)
            dst = os.path.join(outdir, os.path.basename(p))
            out[i] = "%s=%s" % (name, dst)
            files.append(dst)
    return out, files


def execute(words, files):
    for f in files:
        if os.path.exists(f):
            os.remove(f)
    p = subprocess.run(words, capture_output=True, timeout=600)
    blobs = []
    for f in files:
        blobs.append(open(f, "rb").read() if os.path.exists(f) else None)
    return p.returncode, p.stdout, p.stderr, blobs


def main():
    irc = os.path.abspath(sys.argv[1])
    passed = failed = 0
    for path in sys.argv[2:]:
        tmp = tempfile.mkdtemp(prefix="corpus-")
        for line in run_lines(path):
            line = substitute(line, path, tmp, irc)
            words = command_words(line)
            is_run = len(words) > 1 and words[0] == irc and words[1] == "run"
            if not is_run:
                # Setup (rm, mkdir, writing inputs): run it as lit would.
                if re.match(r"^\s*(rm|mkdir|%s)" % re.escape(sys.executable), line) and "read" not in line:
                    subprocess.run(line, shell=True)
                continue
            if "--device" not in words or words[words.index("--device") + 1] != "sim":
                continue
            res = {}
            for dev in ("interp", "sim", GPU):
                outdir = os.path.join(tmp, dev)
                os.makedirs(outdir, exist_ok=True)
                cmd, files = with_device(words, dev, outdir)
                res[dev] = execute(cmd, files)
            name = "%s: %s" % (os.path.basename(path),
                               " ".join(w.replace(tmp + "/", "") for w in words[3:])[:150])
            i_rc, i_out, _, i_files = res["interp"]
            s_rc, s_out, _, s_files = res["sim"]
            c_rc, c_out, c_err, c_files = res[GPU]
            problems = []
            if i_rc == 3:
                cmd, files = with_device(words + ["--checked"], GPU, os.path.join(tmp, GPU))
                c_rc, c_out, c_err, _ = execute(cmd, files)
                if c_rc != 3 or b"out-of-bounds" not in c_err:
                    problems.append("checked GPU run: exit %d, %r" % (c_rc, c_err[-300:]))
                kind = "checked"
            else:
                if (c_rc, c_out, c_files) != (s_rc, s_out, s_files):
                    problems.append("GPU != simulator: exit %d vs %d\n  gpu: %r\n  sim: %r\n  err: %r"
                                    % (c_rc, s_rc, c_out[:300], s_out[:300], c_err[-300:]))
                same_as_interp = (c_rc, c_out, c_files) == (i_rc, i_out, i_files)
                sim_as_interp = (s_rc, s_out, s_files) == (i_rc, i_out, i_files)
                if not same_as_interp and sim_as_interp:
                    problems.append("GPU != interpreter: %r vs %r" % (c_out[:300], i_out[:300]))
                if same_as_interp:
                    kind = "bit-exact"
                elif s_rc != i_rc:
                    kind = "exit %d, as the simulator" % s_rc
                else:
                    kind = "= simulator (reassociated)"
            if problems:
                failed += 1
                print("FAIL %s\n  %s" % (name, "\n  ".join(problems)))
            else:
                passed += 1
                print("ok   %s [%s]" % (name, kind))
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
