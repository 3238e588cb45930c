#!/usr/bin/env bash
# On a machine with 2+ GPUs (the `device` tool, kind nvidia-h200-x2), after
# tests/device/prepare.sh here: unpacks .device/bin.tar.xz (unless run.sh
# already did) and runs the several-GPU checks, logging to $OUT/multi.log:
#  1. `irc-gpu devices` (every GPU, the order --device auto goes by);
#  2. the device-manager, copy and multi-device unit tests on the real driver;
#  3. ircgpu-multi-gpu: one plan on cuda:0 and cuda:1 from two threads, bit
#     for bit against the interpreter; 256 MiB copies GPU0 -> GPU1 -> GPU0,
#     peer and forced staged, bytes checked, GB/s; the ordinal past the last
#     GPU refused;
#  4. `irc-gpu run --device cuda:1` and `--device cuda:N` (N = the count:
#     exit 3, naming how many there are).
# Prints "MULTI: OK" when everything passed on 2+ GPUs, else "MULTI: FAIL".
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT" /tmp/irc
[ -x /tmp/irc/build/tests/ircgpu-multi-gpu ] || tar -xJf .device/bin.tar.xz -C /tmp/irc
B=/tmp/irc/build
export LD_LIBRARY_PATH=$B${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
IRC=$B/tools/irc-gpu/irc-gpu
status=0
section() { echo; echo "=== $1"; }
check() { "$@"; local rc=$?; echo "exit: $rc"; [ $rc -eq 0 ] || status=1; }
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader
  nvidia-smi topo -m 2>/dev/null | head -4
  section "1. irc-gpu devices"
  check "$IRC" devices
  count=$("$IRC" devices | grep -c '^cuda:')
  echo "CUDA GPUs: $count"
  [ "$count" -ge 2 ] || { echo "fewer than 2 GPUs"; status=1; }
  section "2. unit tests (device manager, copies, several devices)"
  check "$B/tests/ircgpu-unittests" --gtest_filter='DeviceSpec*:DeviceManager*:*DeviceCopy*:MultiDevice*' --gtest_brief=1
  section "3. ircgpu-multi-gpu"
  check "$B/tests/ircgpu-multi-gpu"
  section "4. irc-gpu run on cuda:1, and past the last GPU"
  x=/tmp/multi-x.npy
  python3 -c "import numpy as np; np.save('$x', np.arange(1000, dtype=np.float32))"
  check "$IRC" run tests/device/scale.vir --entry sum --device cuda:1 --arg n=1000 --arg x=@$x
  past=$("$IRC" run tests/device/scale.vir --entry sum --device "cuda:$count" --arg n=1000 --arg x=@$x 2>&1); rc=$?
  echo "$past"; echo "exit: $rc"
  if [ $rc -eq 3 ] && echo "$past" | grep -q "this machine has $count"; then
    echo "cuda:$count refused cleanly"
  else
    echo "cuda:$count: FAILED"; status=1
  fi
  echo
  [ $status -eq 0 ] && echo "MULTI: OK" || echo "MULTI: FAIL"
} > "$OUT/multi.log" 2>&1
cat "$OUT/multi.log"
exit $status
