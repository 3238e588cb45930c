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
npy=tests/tools/mknpy.py
python3 "$npy" write "$tmp/x.npy" '<f4' 8 1 2 3 4 5 6 7 8
python3 "$npy" write "$tmp/y.npy" '<f4' 8 10 20 30 40 50 60 70 80
show() { python3 "$npy" read "$1" | tail -n 1; } # the values of a .npy file

echo "== x:           $(show "$tmp/x.npy")"
echo "== y:           $(show "$tmp/y.npy")"
echo "\$ irc-gpu run examples/saxpy.vir --entry saxpy --device auto --arg n=8 --arg a=2.0 --arg x=@x.npy --arg y=@y.npy --out y=y.out.npy"
"$IRC_GPU" run examples/saxpy.vir --entry saxpy --device auto \
  --arg n=8 --arg a=2.0 --arg x=@"$tmp/x.npy" --arg y=@"$tmp/y.npy" --out y="$tmp/y.out.npy"
echo "== y = 2*x + y: $(show "$tmp/y.out.npy")"
echo
echo "\$ irc-gpu run examples/sum.vir --entry sum --device auto --arg n=8 --arg x=@x.npy"
"$IRC_GPU" run examples/sum.vir --entry sum --device auto --arg n=8 --arg x=@"$tmp/x.npy"
