#!/usr/bin/env python3
"""Damages every module-cache entry under DIR/v1 in one way (for
tests/lit/cli/cache-faults.test): truncate, flip, empty, foreign-version,
zero-length (the header's payload size set to 0), garbage."""
import glob
import sys

cache_dir, kind = sys.argv[1], sys.argv[2]
entries = glob.glob(cache_dir + "/v1/*/*.irc")
if not entries:
    sys.exit("no entry under " + cache_dir)
for path in entries:
    data = bytearray(open(path, "rb").read())
    if kind == "truncate":
        data = data[: len(data) - 7]
    elif kind == "flip":
        data[len(data) // 2 + 60] ^= 0x10
    elif kind == "empty":
        data = bytearray()
    elif kind == "foreign-version":
        data[8:12] = (2).to_bytes(4, "little")
    elif kind == "zero-length":
        data[80:88] = bytes(8)
    elif kind == "garbage":
        data = bytearray(b"\0" * len(data))
    else:
        sys.exit("unknown damage " + kind)
    open(path, "wb").write(data)
