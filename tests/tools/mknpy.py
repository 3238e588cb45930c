#!/usr/bin/env python3
"""Writes and reads .npy files for the CLI tests with the standard library only.

  mknpy.py write OUT DESCR SHAPE [V...] [--version=N] [--fortran] [--cut=N]
      DESCR: a numpy dtype string ('<f4', '|i1', '>f8', ...); SHAPE: '4',
      '2,3' or '' (0-d); --cut=N drops the last N bytes of the file.
  mknpy.py read FILE
      prints 'DESCR SHAPE' and then the values on one line
"""
import struct
import sys

FORMATS = {"i1": "b", "u1": "B", "b1": "?", "i2": "h", "i4": "i", "i8": "q",
           "f4": "f", "f8": "d", "u4": "I"}


def fmt_for(descr):
    order = ">" if descr[0] == ">" else "<"
    return order, FORMATS[descr.lstrip("<>|=")]


def write(out, descr, shape, values, version=1, fortran=False, cut=0):
    dims = tuple(int(d) for d in shape.split(",") if d != "")
    shape_text = "(%s)" % ("".join("%d, " % d for d in dims)[:-2] + ("," if len(dims) == 1 else ""))
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", shape_text)
    prefix = 10 if version == 1 else 12
    header += " " * ((64 - (prefix + len(header) + 1) % 64) % 64) + "\n"
    order, code = fmt_for(descr)
    conv = float if code in "fd" else int
    body = struct.pack("%s%d%s" % (order, len(values), code), *[conv(v) for v in values])
    data = b"\x93NUMPY" + bytes([version, 0])
    data += struct.pack("<H" if version == 1 else "<I", len(header))
    data += header.encode("utf-8" if version == 3 else "latin1") + body
    with open(out, "wb") as f:
        f.write(data[:len(data) - cut])


def read(path):
    data = open(path, "rb").read()
    assert data[:6] == b"\x93NUMPY", "bad magic"
    start = 10 if data[6] == 1 else 12
    (hlen,) = struct.unpack("<H" if data[6] == 1 else "<I", data[8:start])
    header = data[start:start + hlen]
    assert (start + hlen) % 64 == 0, "data not 64-byte aligned"
    assert header.endswith(b"\n"), "header does not end in a newline"
    d = eval(header.decode("latin1"))  # a Python literal by definition
    order, code = fmt_for(d["descr"])
    body = data[start + hlen:]
    n = len(body) // struct.calcsize(code)
    vals = struct.unpack("%s%d%s" % (order, n, code), body)
    print(d["descr"], d["shape"], "fortran" if d["fortran_order"] else "C")
    print(" ".join(repr(v) for v in vals))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) if "=" in a else (a[2:], "1")
                for a in sys.argv[1:] if a.startswith("--"))
    if args[0] == "write":
        write(args[1], args[2], args[3], args[4:], int(opts.get("version", 1)),
              "fortran" in opts, int(opts.get("cut", 0)))
    else:
        read(args[1])
