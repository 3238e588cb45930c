#!/usr/bin/env bash
# Prepares a benchmark run on the GPU machine, here (LLVM and nvcc, no GPU):
# builds irc-gpu, builds the hand-written CUDA references into
# .device/refs.cubin, and packs the binaries into .device/bench.tar.xz
# (.device/ is ignored by git and carried to the device machine). Then,
# there:   bash benchmarks/run.sh      (results under $OUT; see README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
cmake --build "$BUILD" --target irc-gpu > /dev/null
bash benchmarks/build-refs.sh .device/refs.cubin
"$BUILD"/tools/irc-gpu/irc-gpu bench --dry-run > .device/bench-dry-run.txt \
  || { cat .device/bench-dry-run.txt; exit 1; }
echo "dry run here: OK (.device/bench-dry-run.txt)"
# ../shared beside the main checkout (also when run from a git worktree).
PACK=../shared/tools/pack-for-device.sh
[ -f "$PACK" ] || PACK="$(git rev-parse --path-format=absolute --git-common-dir)/../../shared/tools/pack-for-device.sh"
bash "$PACK" .device/bench.tar.xz \
  "$BUILD"/libircgpu-internal.so "$BUILD"/tools/irc-gpu/irc-gpu
