#!/usr/bin/env bash
# Sets up, builds and runs the examples: saxpy on buffers from .npy files,
# and a sum that returns a value. Without a GPU (or before the GPU runtime
# exists) `--device auto` runs them on the reference interpreter and says so.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
if ! log=$(bash scripts/build.sh "$@" 2>&1); then
  echo "$log" >&2
  exit 1
fi
IRC_GPU=${BUILD_DIR:-build}/tools/irc-gpu/irc-gpu

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Small .npy inputs, written with the standard library only (no numpy).
python3 - "$tmp" <<'PY'
import struct, sys
def save(path, values):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d,), }" % len(values)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%df" % len(values), *values))
save(sys.argv[1] + "/x.npy", [1, 2, 3, 4, 5, 6, 7, 8])
save(sys.argv[1] + "/y.npy", [10, 20, 30, 40, 50, 60, 70, 80])
PY

show() { # prints a 1-D float32 .npy file
  python3 - "$1" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
(hlen,) = struct.unpack("<H", data[8:10])
body = data[10 + hlen:]
print(" ".join("%g" % v for v in struct.unpack("<%df" % (len(body) // 4), body)))
PY
}

echo "== x:           $(show "$tmp/x.npy")"
echo "== y:           $(show "$tmp/y.npy")"
echo "\$ irc-gpu run examples/saxpy.vir --entry saxpy --device auto --arg n=8 --arg a=2.0 --arg x=@x.npy --arg y=@y.npy --out y=y.out.npy"
"$IRC_GPU" run examples/saxpy.vir --entry saxpy --device auto \
  --arg n=8 --arg a=2.0 --arg x=@"$tmp/x.npy" --arg y=@"$tmp/y.npy" --out y="$tmp/y.out.npy"
echo "== y = 2*x + y: $(show "$tmp/y.out.npy")"
echo
echo "\$ irc-gpu run examples/sum.vir --entry sum --device auto --arg n=8 --arg x=@x.npy"
"$IRC_GPU" run examples/sum.vir --entry sum --device auto --arg n=8 --arg x=@"$tmp/x.npy"
