#!/usr/bin/env python3
"""Writes and reads small .npy files for the tests without numpy.

  npy.py write FILE DTYPE V...   DTYPE: f4 f8 i1 i2 i4 i8 (little-endian, 1-D, v1.0)
  npy.py read FILE               prints the values on one line, floats via repr
"""
import struct
import sys

CODES = {"f4": "f", "f8": "d", "i1": "b", "i2": "h", "i4": "i", "i8": "q"}


def write(path, dtype, values, version=1):
    descr = ("|" if dtype == "i1" else "<") + dtype
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }" % (descr, len(values))
    prefix = 10 if version == 1 else 12
    pad = 64 - (prefix + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY" + bytes([version, 0]))
        f.write(struct.pack("<H" if version == 1 else "<I", len(header)))
        f.write(header.encode("latin1"))
        conv = float if dtype[0] == "f" else int
        f.write(struct.pack("<%d%s" % (len(values), CODES[dtype]), *[conv(v) for v in values]))


def read(path):
    data = open(path, "rb").read()
    assert data[:6] == b"\x93NUMPY", "bad magic"
    major = data[6]
    if major == 1:
        (hlen,), start = struct.unpack("<H", data[8:10]), 10
    else:
        (hlen,), start = struct.unpack("<I", data[8:12]), 12
    header = data[start:start + hlen].decode("latin1")
    d = eval(header)  # the header is a Python literal dict by definition
    code = CODES[d["descr"][1:]]
    body = data[start + hlen:]
    n = len(body) // struct.calcsize(code)
    vals = struct.unpack("<%d%s" % (n, code), body)
    if code in "fd":
        print(" ".join(repr(float(v)) for v in vals))
    else:
        print(" ".join(str(v) for v in vals))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        version = 1
        args = sys.argv[2:]
        if args[0].startswith("--version="):
            version = int(args[0].split("=")[1])
            args = args[1:]
        write(args[0], args[1], args[2:], version)
    else:
        read(sys.argv[2])
