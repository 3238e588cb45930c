#!/usr/bin/env bash
# On the GPU machine, after benchmarks/prepare.sh here (carry .device): runs
# each workload (--repeat 1) under Nsight Compute, profiling a few launches
# of its kernels and of its hand-written reference, and writes $OUT/profile.csv (ncu's details page: speed of
# light, occupancy, launch statistics, warp states, memory workload, with
# ncu's rule findings) and $OUT/profile.txt, the per-kernel summary of
# benchmarks/profile_summary.py. The clocks are left alone
# (--clock-control none, ../shared's device METHOD.md). Extra arguments go to
# WORKLOADS="saxpy sum" picks workloads. A few minutes for all.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT" /tmp/irc
[ -x /tmp/irc/build/tools/irc-gpu/irc-gpu ] || tar -xJf .device/bench.tar.xz -C /tmp/irc || exit 1
B=/tmp/irc/build
export LD_LIBRARY_PATH=$B${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export IRC_GPU_CACHE_DIR=/tmp/irc-profile-cache
rm -rf "$IRC_GPU_CACHE_DIR"
NCU=${NCU:-$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | tail -1)}
[ -n "$NCU" ] || { echo "profile: no ncu on this machine" | tee "$OUT/profile.txt"; exit 1; }
"$NCU" --version | tail -1 > "$OUT/profile.txt"
: > "$OUT/profile.csv"
WORKLOADS=${WORKLOADS:-saxpy expsin sum dot stencil matmul histogram normalize minmax}
for W in $WORKLOADS; do
  # A few launches of each kernel, past the first (check and warm-up): the
  # plan's kernels, then the references'.
  for K in "regex:^$W\\$:3:3" "regex:^ref_$W:1:2"; do
    IFS=: read -r _ RE SKIP COUNT <<< "$K"
    "$NCU" --clock-control none --target-processes application-only \
      -k "regex:$RE" --launch-skip "$SKIP" --launch-count "$COUNT" \
      --section SpeedOfLight --section Occupancy --section LaunchStats \
      --section WarpStateStats --section MemoryWorkloadAnalysis \
      --csv --page details --print-units base \
      "$B/tools/irc-gpu/irc-gpu" bench --refs .device/refs.cubin --repeat 1 \
      --workload "$W" >> "$OUT/profile.csv" 2>> "$OUT/profile.stderr"
    echo "ncu $W $RE: exit $?" >> "$OUT/profile.txt"
  done
done
python3 benchmarks/profile_summary.py "$OUT/profile.csv" >> "$OUT/profile.txt"
tail -60 "$OUT/profile.txt"
