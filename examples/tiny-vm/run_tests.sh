#!/usr/bin/env bash
# tiny-vm's tests (ctest runs them; no GPU needed):
#   run_tests.sh TINY_VM program FILE   FILE's output with --no-jit (the
#       interpreter tier, the reference) equals its output through irc-gpu's
#       interp and sim devices, with a threshold low enough that every
#       translatable loop switches tiers;
#   run_tests.sh TINY_VM untranslatable DIR   the loops of untranslatable.tvm
#       stay interpreted, each for its reason;
#   run_tests.sh TINY_VM overlap DIR   the VM kept interpreting while the
#       compile ran (N > 0 back-edges before the switch);
#   run_tests.sh TINY_VM errors DIR   bad programs and devices are errors.
set -uo pipefail
VM=$1 WHAT=$2 ARG=$3
export IRC_GPU_CACHE_DIR=off
fail() { echo "FAIL: $*"; exit 1; }
# A build of only some targets (scripts/sanitize.sh): skipped (ctest's
# SKIP_RETURN_CODE).
[ -x "$VM" ] || { echo "SKIP: $VM not built"; exit 77; }
case $WHAT in
program)
  want=$("$VM" --no-jit "$ARG") || fail "--no-jit failed"
  echo "--no-jit:"; echo "$want"
  # --jit-sync waits for each compile, so every translatable loop switches
  # at its threshold: the GPU tier surely runs. Then the real, async JIT.
  for run in "interp --jit-sync" "sim --jit-sync" "interp" "sim"; do
    got=$("$VM" --device $run --threshold 50 --verbose "$ARG" 2>/tmp/tiny-vm-$$.err)
    rc=$?
    cat /tmp/tiny-vm-$$.err
    [ $rc -eq 0 ] || fail "$run: exit $rc"
    [ "$got" = "$want" ] || fail "$run: output differs: $got"
    case $run in *sync) grep -q "runs on the GPU tier" /tmp/tiny-vm-$$.err ||
      fail "$run: no loop reached the GPU tier" ;; esac
    echo "$run: same output"
  done
  rm -f /tmp/tiny-vm-$$.err ;;
untranslatable)
  err=$("$VM" --device interp --threshold 100 --verbose "$ARG/untranslatable.tvm" 2>&1 >/dev/null) || fail "exit $?"
  echo "$err"
  for why in "line 12 stays interpreted: irc-gpu: not offloadable" \
             "line 16 stays interpreted: irc-gpu: not offloadable" \
             "line 20 stays interpreted: line 22: print inside the loop" \
             "line 27 stays interpreted: a while loop"; do
    echo "$err" | grep -q "loop at $why" || fail "missing: $why"
  done
  echo "OK" ;;
overlap)
  # On a loaded machine the compile thread may finish before the VM runs
  # another back-edge: a few tries.
  for try in 1 2 3 4 5; do
    err=$("$VM" --device interp --threshold 1000 --verbose "$ARG/overlap.tvm" 2>&1 >/dev/null) || fail "exit $?"
    echo "$err"
    n=$(echo "$err" | sed -n 's/.*kept interpreting \([0-9]*\) back-edges while it compiled.*/\1/p' | head -1)
    if [ -n "$n" ] && [ "$n" -gt 0 ]; then
      echo "OK: $n back-edges interpreted while compiling"; exit 0
    fi
  done
  fail "no switch after interpreting while compiling" ;;
errors)
  t=$(mktemp -d)
  printf 'int x = 1.5;\n' > $t/a.tvm
  "$VM" --no-jit $t/a.tvm 2>$t/err; [ $? -eq 1 ] && grep -q "a.tvm:1: error: a float where an int" $t/err || fail "type error"
  printf 'array a f32 4;\nprint a[4];\n' > $t/b.tvm
  "$VM" --no-jit $t/b.tvm 2>$t/err; [ $? -eq 1 ] && grep -q "index 4 out of bounds" $t/err || fail "bounds"
  "$VM" --device nonsense $t/b.tvm 2>$t/err; [ $? -eq 2 ] || fail "bad device"
  cat $t/err
  rm -rf $t
  echo "OK" ;;
*) fail "unknown check $WHAT" ;;
esac
