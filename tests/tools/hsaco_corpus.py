#!/usr/bin/env python3
"""Compiles every function of the given .vir files to an AMDGPU code object
(hsaco) and validates each, for the given configurations; no AMD GPU needed.

  hsaco_corpus.py IRC_GPU LLVM_BIN_DIR WORKDIR [--config=gfxNNN[,checked]]... FILE.vir...

Configurations default to gfx90a and gfx1100, each also with --checked. The
functions of a file are its `func @name` lines; one the compiler refuses as
"not offloadable" is compiled again with --allow-sequential. Each code
object must
  - be an AMDGPU ELF whose `llvm-readobj --notes` holds `amdhsa.kernels`
    for the target (amdhsa.target ends in --gfxNNN) and exactly the kernels
    the LLVM IR (`--emit llvm`, same options) defines as amdgpu_kernel;
  - give each kernel the argument layout of its IR signature, which is the
    plan's kernel ABI (include/ircgpu/KernelABI.h): count, and for each
    argument its offset (naturally aligned, in order), size and value kind
    (global_buffer for the global pointers, by_value for scalars), and the
    wavefront size of the target (64 on gfx9, 32 on gfx11);
  - disassemble with `llvm-objdump -d --mcpu=gfxNNN`, each kernel's code
    present and no unknown instruction.
Runs two jobs at a time. Prints one line per failure and a summary
`N compiled and validated, M failed`; exit 1 if anything failed.
"""
import concurrent.futures
import os
import re
import subprocess
import sys

WAVE = {"gfx90a": 64, "gfx940": 64, "gfx942": 64, "gfx1100": 32}
SCALAR = {"i1": 1, "i8": 1, "i16": 2, "i32": 4, "i64": 8, "half": 2,
          "float": 4, "double": 8}


def functions(path):
    with open(path) as f:
        return [m.group(1) for m in (re.match(r"^func @([\w.$-]+)", l) for l in f) if m]


def split_params(s):
    """The parameters of an LLVM signature, split at top-level commas."""
    out, depth, cur = [], 0, ""
    for c in s:
        if c in "([{<":
            depth += 1
        elif c in ")]}>":
            depth -= 1
        if c == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
    if cur.strip():
        out.append(cur.strip())
    return out


def ir_kernels(ll):
    """{name: [(size, value_kind)]} of the amdgpu_kernel definitions."""
    out = {}
    for m in re.finditer(r'^define [^@\n]*amdgpu_kernel void @("[^"]+"|[\w.$]+)\((.*)\)[^\n]*\{$',
                         ll, re.M):
        name = m.group(1).strip('"')
        args = []
        for p in split_params(m.group(2)):
            ty = p.split()[0]
            if ty == "ptr":
                args.append((8, "global_buffer"))
            elif ty in SCALAR:
                args.append((SCALAR[ty], "by_value"))
            else:
                args.append((None, "unknown type " + ty))
        out[name] = args
    return out


def note_kernels(notes):
    """{name: {"args": [dict], key: value}} from llvm-readobj --notes."""
    kernels, cur, arg, target = [], None, None, None
    in_kernels = False
    for line in notes.splitlines():
        if line.startswith("amdhsa.kernels:"):
            in_kernels = True
            continue
        m = re.match(r"^amdhsa\.target:\s+(\S+)", line)
        if m:
            target = m.group(1)
        if in_kernels and re.match(r"^\S", line):
            in_kernels = False
        if not in_kernels:
            continue
        m = re.match(r"^(  - |    )(?:\.(\w+):\s*(.*))?$", line)
        if m and m.group(1) == "  - ":
            cur = {"args": []}
            kernels.append(cur)
            arg = None
        m2 = re.match(r"^(      - |        )\.(\w+):\s*(.*)$", line)
        if m2:
            if m2.group(1) == "      - ":
                arg = {}
                cur["args"].append(arg)
            arg[m2.group(2)] = m2.group(3).strip("'")
        elif m and m.group(2) and m.group(2) != "args":
            cur[m.group(2)] = m.group(3).strip("'")
    return target, {k.get("name"): k for k in kernels}


def check_layout(name, expect, got, wave, arch):
    args = got["args"]
    if len(args) != len(expect):
        return "kernel %s: %d arguments in the code object, %d in the IR" % (
            name, len(args), len(expect))
    offset = 0
    for i, ((size, kind), a) in enumerate(zip(expect, args)):
        if size is None:
            return "kernel %s argument %d: %s" % (name, i, kind)
        offset = (offset + size - 1) // size * size
        have = (int(a.get("offset", -1)), int(a.get("size", -1)), a.get("value_kind"))
        if have != (offset, size, kind):
            return "kernel %s argument %d: offset/size/kind %s, expected %s" % (
                name, i, have, (offset, size, kind))
        if kind == "global_buffer" and a.get("address_space") != "global":
            return "kernel %s argument %d: address space %s" % (name, i, a.get("address_space"))
        offset += size
    if int(got.get("wavefront_size", 0)) != wave:
        return "kernel %s: wavefront size %s on %s, expected %d" % (
            name, got.get("wavefront_size"), arch, wave)
    if int(got.get("kernarg_segment_size", -1)) < offset:
        return "kernel %s: kernarg segment %s < %d" % (name, got.get("kernarg_segment_size"), offset)
    return None


def one(irc, llvm_bin, work, path, func, arch, checked):
    tag = "%s.%s.%s%s" % (os.path.basename(path), func, arch, ".checked" if checked else "")
    obj = os.path.join(work, tag + ".hsaco")
    ll = os.path.join(work, tag + ".ll")
    base = [irc, "compile", path, "--entry", func, "--target", arch]
    if checked:
        base.append("--checked")
    p = subprocess.run(base + ["--emit", "hsaco", "-o", obj], capture_output=True, text=True)
    seq = False
    if p.returncode != 0 and "not offloadable" in p.stderr:
        seq = True
        base.append("--allow-sequential")
        p = subprocess.run(base + ["--emit", "hsaco", "-o", obj], capture_output=True, text=True)
    what = tag + (" (--allow-sequential)" if seq else "")
    if p.returncode != 0:
        return "FAIL %s: irc-gpu compile exit %d\n%s" % (what, p.returncode, p.stderr[-1500:])
    p = subprocess.run(base + ["--emit", "llvm", "-o", ll], capture_output=True, text=True)
    if p.returncode != 0:
        return "FAIL %s: --emit llvm exit %d\n%s" % (what, p.returncode, p.stderr[-1500:])
    with open(ll) as f:
        expect = ir_kernels(f.read())
    # A plan whose steps all run on the host has no kernel: its code object
    # must still be valid, with an empty amdhsa.kernels.
    r = subprocess.run([os.path.join(llvm_bin, "llvm-readobj"), "--notes", obj],
                       capture_output=True, text=True)
    if r.returncode != 0 or "amdhsa.kernels:" not in r.stdout:
        return "FAIL %s: llvm-readobj --notes: no amdhsa.kernels\n%s" % (what, r.stderr[-1500:])
    target, got = note_kernels(r.stdout)
    if not target or not target.endswith("--" + arch):
        return "FAIL %s: amdhsa.target %s" % (what, target)
    if set(got) != set(expect):
        return "FAIL %s: kernels %s in the code object, %s in the IR" % (
            what, sorted(got), sorted(expect))
    for name, args in expect.items():
        err = check_layout(name, args, got[name], WAVE[arch], arch)
        if err:
            return "FAIL %s: %s" % (what, err)
    d = subprocess.run([os.path.join(llvm_bin, "llvm-objdump"), "-d", "--mcpu=" + arch, obj],
                       capture_output=True, text=True)
    if d.returncode != 0 or d.stderr.strip():
        return "FAIL %s: llvm-objdump exit %d\n%s" % (what, d.returncode, d.stderr[-1500:])
    if "<unknown>" in d.stdout:
        return "FAIL %s: llvm-objdump finds unknown instructions" % what
    for name in expect:
        if "<%s>:" % name not in d.stdout:
            return "FAIL %s: no code for kernel %s in the disassembly" % (what, name)
    if expect and "s_endpgm" not in d.stdout:
        return "FAIL %s: no s_endpgm in the disassembly" % what
    return None


def main():
    irc, llvm_bin, work = sys.argv[1:4]
    configs, files = [], []
    for a in sys.argv[4:]:
        if a.startswith("--config="):
            arch, _, flag = a[len("--config="):].partition(",")
            configs.append((arch, flag == "checked"))
        else:
            files.append(a)
    configs = configs or [("gfx90a", False), ("gfx1100", False),
                          ("gfx90a", True), ("gfx1100", True)]
    os.makedirs(work, exist_ok=True)
    jobs = [(f, fn, arch, chk) for f in files for fn in functions(f) for arch, chk in configs]
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        for res in ex.map(lambda j: one(irc, llvm_bin, work, *j), jobs):
            if res:
                failed += 1
                print(res)
    print("%d compiled and validated, %d failed" % (len(jobs) - failed, failed))
    return 1 if failed or not jobs else 0


if __name__ == "__main__":
    sys.exit(main())
