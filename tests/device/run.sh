#!/usr/bin/env bash
# On the GPU machine (the `device` tool), after tests/device/prepare.sh here:
# unpacks .device/bin.tar.xz and runs every GPU check, logging to
# $OUT/device.log:
#  1. the CUDA unit tests (Device layer on the real driver);
#  2. ircgpu-cuda-smoke: the semantics kernel bit for bit against the
#     interpreter, checked mode catching a planted out-of-bounds index with
#     the context usable afterwards, error paths;
#  3. the e2e corpus on interp, sim and cuda (run_corpus.py);
#  4. programs at GPU scale (run_scale.py);
#  5. the module cache across processes: a second process loads from disk,
#     a corrupted entry is rebuilt;
#  6. math accuracy: every math op (f32, f64, f32 afn) on the GPU against
#     the interpreter within the ULP bounds of docs/codegen.md (run_math.py);
#  7. the embedding C API on the GPU against an interp context
#     (ircgpu-api-gpu, tests/device/api_gpu.c).
#  8. runtime faults (docs/reliability.md): out of memory, a kernel that
#     faults without checked mode, the broken context saying so
#     (ircgpu-cuda-faults); through the CLI: a fault and a checked-mode
#     violation are exit 3 with the reason and the next process is healthy;
#     no visible device is exit 3.
#  10. tiny-vm (examples/tiny-vm): its demos on the interpreter tier and on
#     the GPU tier give the same output; the speedup on a large loop
#     (examples/tiny-vm/run_gpu.sh, which logs $OUT/tiny-vm.log).
# Prints "DEVICE: OK" when everything passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT" /tmp/irc
[ -f .device/bin.tar.xz ] && tar -xJf .device/bin.tar.xz -C /tmp/irc
B=/tmp/irc/build
export LD_LIBRARY_PATH=$B${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
IRC=$B/tools/irc-gpu/irc-gpu
status=0
section() { echo; echo "=== $1"; }
check() { "$@"; local rc=$?; echo "exit: $rc"; [ $rc -eq 0 ] || status=1; }
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  section "1. CUDA unit tests"
  check "$B/tests/ircgpu-unittests" --gtest_filter='Cuda*:*Gpu*:*Executor*' --gtest_brief=1
  section "2. smoke"
  check "$B/tests/ircgpu-cuda-smoke" .device/semantics tests/device/semantics.vir
  section "3. e2e corpus: interp, sim and cuda"
  check python3 tests/device/run_corpus.py "$IRC" tests/e2e/*.vir tests/lit/passes/sim-*.vir
  section "4. GPU scale"
  check python3 tests/device/run_scale.py "$IRC" /tmp/scale
  section "5. module cache across processes"
  export IRC_GPU_CACHE_DIR=/tmp/irc-cache IRC_GPU_CACHE_STATS=1
  rm -rf "$IRC_GPU_CACHE_DIR"
  x=/tmp/scale/xf.npy
  run_sum() { "$IRC" run tests/device/scale.vir --entry sum --device cuda --arg n=1000 --arg x=@$x; }
  first=$(run_sum 2>&1); echo "$first"
  second=$(run_sum 2>&1); echo "$second"
  entry=$(find "$IRC_GPU_CACHE_DIR" -name '*.irc' | head -1)
  printf '\xff' | dd of="$entry" bs=1 seek=200 conv=notrunc 2>/dev/null
  third=$(run_sum 2>&1); echo "$third"
  "$IRC" cache stats
  value() { echo "$1" | grep ' : f32$'; }
  v1=$(value "$first"); v2=$(value "$second"); v3=$(value "$third")
  if echo "$first" | grep -q "1 compiles" && echo "$second" | grep -q "1 disk hits, 0 misses, 0 compiles" \
     && echo "$third" | grep -q "1 bad entries" && [ "$(echo "$third" | grep -c 'warning: module cache: bad entry')" = 1 ] \
     && [ -n "$v1" ] && [ "$v1" = "$v2" ] && [ "$v1" = "$v3" ]; then
    echo "cache: compiled once, loaded from disk by a new process, a corrupted entry reported once and rebuilt; same results"
  else
    echo "cache: FAILED"; status=1
  fi
  unset IRC_GPU_CACHE_DIR IRC_GPU_CACHE_STATS
  section "6. math accuracy (libdevice against glibc, ULP bounds)"
  check python3 tests/device/run_math.py "$IRC" /tmp/math
  section "7. embedding API (C) on the GPU against interp"
  check "$B/tests/ircgpu-api-gpu" cuda
  section "8. runtime faults"
  check bash tests/device/run_faults.sh "$B"
  section "9. demo"
  $IRC run examples/sum.vir --entry sum --arg n=1000 --arg x=@$x
  section "10. tiny-vm: interpreter tier against GPU tier"
  check bash examples/tiny-vm/run_gpu.sh "$B/examples/tiny-vm/tiny-vm"
  echo
  [ $status -eq 0 ] && echo "DEVICE: OK" || echo "DEVICE: FAILED"
} > "$OUT/device.log" 2>&1
cat "$OUT/device.log"
exit $status
