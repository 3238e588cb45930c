#!/usr/bin/env bash
# On the GPU machine, after benchmarks/prepare.sh here (carry .device):
# unpacks the binaries and runs `irc-gpu bench` against the hand-written CUDA
# references. Writes $OUT/bench.jsonl (one JSON record per measurement),
# $OUT/bench.log (the table and the GPU's state) and $OUT/refs.ptxas.txt.
# Commit them as benchmarks/results/<gpu>-<date>.{jsonl,log}. Takes about
# two minutes. Extra arguments go to `irc-gpu bench` (e.g. --workload saxpy).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT" /tmp/irc
tar -xJf .device/bench.tar.xz -C /tmp/irc || exit 1
B=/tmp/irc/build
export LD_LIBRARY_PATH=$B${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export IRC_GPU_CACHE_DIR=/tmp/irc-bench-cache
rm -rf "$IRC_GPU_CACHE_DIR"
cp .device/refs.ptxas.txt "$OUT/" 2>/dev/null
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  time "$B/tools/irc-gpu/irc-gpu" bench --refs .device/refs.cubin --json "$OUT/bench.jsonl" "$@"
  rc=$?
  echo "exit: $rc"
  echo "$rc" > "$OUT/bench.rc"
} 2>&1 | tee "$OUT/bench.log"
exit "$(cat "$OUT/bench.rc")"
