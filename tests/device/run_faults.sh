#!/usr/bin/env bash
# Runtime faults on the GPU machine (docs/reliability.md), section 8 of
# tests/device/run.sh; alone after unpacking .device/bin.tar.xz:
#   bash tests/device/run_faults.sh /tmp/irc/build
# 1. ircgpu-cuda-faults: out of memory (the context lives on), a kernel that
#    faults without checked mode and the broken context saying so;
# 2. the CLI: a faulting kernel and a checked-mode violation are exit 3 with
#    the reason, the next process runs right, no visible device is exit 3.
# Prints ok/FAIL lines and "FAULTS (all): OK"; exits 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
B=${1:-/tmp/irc/build}
export LD_LIBRARY_PATH=$B${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
IRC=$B/tools/irc-gpu/irc-gpu
status=0
"$B/tests/ircgpu-cuda-faults" tests/device/faults.vir || status=1
F=$(mktemp -d)
python3 tests/tools/mknpy.py write "$F/y.npy" '<f4' 4 1 2 3 4
python3 tests/tools/mknpy.py write "$F/x.npy" '<f4' 4 0 0 0 0
poke() {
  "$IRC" run tests/device/faults.vir --entry poke --device cuda --arg n=4 \
    --arg x=@"$F/x.npy" --arg y=@"$F/y.npy" "$@"
}
expect3() { # NAME PATTERN OUTPUT EXIT
  if [ "$4" -eq 3 ] && echo "$3" | grep -q "$2"; then
    echo "ok: $1: exit 3, clear message"
  else
    echo "FAIL: $1 (exit $4)"; status=1
  fi
}
out=$(poke --arg off=1099511627776 2>&1); rc=$?; echo "$out"
expect3 "CLI, a kernel that faults" "context is unusable" "$out" $rc
out=$(poke --arg off=4 --checked 2>&1); rc=$?; echo "$out"
expect3 "CLI, a checked-mode violation" "out-of-bounds" "$out" $rc
poke --arg off=0 --out x="$F/out.npy"; rc=$?
got=$(python3 tests/tools/mknpy.py read "$F/out.npy" | tail -1)
echo "next process: exit $rc, x = $got"
if [ $rc -eq 0 ] && [ "$got" = "2.0 3.0 4.0 5.0" ]; then
  echo "ok: the next process is healthy and right"
else
  echo "FAIL: the next process"; status=1
fi
out=$(CUDA_VISIBLE_DEVICES= poke --arg off=0 2>&1); rc=$?; echo "$out"
expect3 "CLI, no visible device" "no CUDA device" "$out" $rc
rm -rf "$F"
[ $status -eq 0 ] && echo "FAULTS (all): OK" || echo "FAULTS (all): FAILED"
exit $status
