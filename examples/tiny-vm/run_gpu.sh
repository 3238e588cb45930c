#!/usr/bin/env bash
# tiny-vm on a GPU (tests/device/run.sh, section 10; after
# tests/device/prepare.sh packed the binaries):
#   run_gpu.sh [TINY_VM]
# 1. every demo program on the interpreter tier alone (--no-jit) and with the
#    GPU tier on cuda: the same output;
# 2. the large loop (saxpy.tvm, n = 10^7 floats, 20 sweeps): wall time on
#    the interpreter tier alone, on the GPU tier with a cold module cache
#    (the compile overlaps interpretation) and with a warm one (the kernels
#    come from the disk cache at the threshold), the same output, and the
#    speedups (TINY_VM_N, TINY_VM_REPS, TINY_VM_DEVICE change the defaults,
#    e.g. TINY_VM_DEVICE=sim to try it without a GPU).
#    Logs to $OUT/tiny-vm.log, ending in TINY-VM: OK or FAIL.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VM=${1:-/tmp/irc/build/examples/tiny-vm/tiny-vm}
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
LOG=$OUT/tiny-vm.log
N=${TINY_VM_N:-10000000} REPS=${TINY_VM_REPS:-20} DEV=${TINY_VM_DEVICE:-cuda}
export IRC_GPU_CACHE_DIR=/tmp/tiny-vm-cache
status=0
# wall seconds from the "time: X s" line of --time
wall() { sed -n 's/^time: \([0-9.]*\) s .*/\1/p' "$1" | head -1; }
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null
  echo; echo "--- demo programs: --no-jit against --device $DEV"
  rm -rf "$IRC_GPU_CACHE_DIR"
  for p in "$HERE"/programs/*.tvm; do
    want=$("$VM" --no-jit "$p" 2>&1); rc1=$?
    got=$("$VM" --device $DEV --threshold 100 --verbose "$p" 2>/tmp/tvm.err); rc2=$?
    grep -E "runs on the GPU tier|stays interpreted" /tmp/tvm.err | sed 's/^/  /'
    if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ "$want" = "$got" ]; then
      echo "$(basename "$p"): same output: $(echo "$want" | tr '\n' ' ')"
    else
      echo "$(basename "$p"): DIFFERENT (exit $rc1/$rc2)"; echo "no-jit: $want"; echo "$DEV: $got"
      cat /tmp/tvm.err; status=1
    fi
  done
  echo; echo "--- the large loop: saxpy.tvm with n=$N, reps=$REPS"
  big() { "$VM" --time --set n=$N --set reps=$REPS "$@" "$HERE/programs/saxpy.tvm"; }
  rm -rf "$IRC_GPU_CACHE_DIR"
  big --no-jit > /tmp/tvm.ref 2> /tmp/tvm.ref.err; rc=$?
  echo "interpreter tier (--no-jit), exit $rc:"; cat /tmp/tvm.ref /tmp/tvm.ref.err
  big --device $DEV --verbose > /tmp/tvm.cold 2> /tmp/tvm.cold.err; rc=$((rc | $?))
  echo; echo "GPU tier, cold cache, exit $rc:"; cat /tmp/tvm.cold /tmp/tvm.cold.err
  big --device $DEV --verbose > /tmp/tvm.warm 2> /tmp/tvm.warm.err; rc=$((rc | $?))
  echo; echo "GPU tier, warm cache, exit $rc:"; cat /tmp/tvm.warm /tmp/tvm.warm.err
  if [ $rc -ne 0 ] || ! cmp -s /tmp/tvm.ref /tmp/tvm.cold || ! cmp -s /tmp/tvm.ref /tmp/tvm.warm; then
    echo "large loop: FAILED (exit codes or outputs differ)"; status=1
  else
    echo; echo "large loop: the same output on both tiers"
  fi
  t0=$(wall /tmp/tvm.ref.err) t1=$(wall /tmp/tvm.cold.err) t2=$(wall /tmp/tvm.warm.err)
  awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
    if (a > 0 && b > 0 && c > 0)
      printf "SPEEDUP: interpreter %.3f s, GPU tier %.3f s cold (%.1fx), %.3f s warm (%.1fx)\n",
             a, b, a / b, c, a / c }'
  echo
  [ $status -eq 0 ] && echo "TINY-VM: OK" || echo "TINY-VM: FAIL"
} > "$LOG" 2>&1
cat "$LOG"
exit $status
