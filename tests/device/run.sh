#!/usr/bin/env bash
# On the GPU machine (the `device` tool): the semantics check prepared by
# prepare.sh, through CuPy, then through irc-gpu's own CUDA runtime
# (build/tests/ircgpu-cuda-smoke, if carried: unpack the tarball of
# docs/runtime.md into the repo root or set SMOKE and LD_LIBRARY_PATH).
# Writes its log to $OUT/semantics.log.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
  python3 -c "import cupy; print('cupy', cupy.__version__)"
  python3 tests/device/run_semantics.py .device/semantics
  echo "exit: $?"
  SMOKE=${SMOKE:-build/tests/ircgpu-cuda-smoke}
  if [ -x "$SMOKE" ]; then
    echo "--- $SMOKE"
    LD_LIBRARY_PATH="$(dirname "$SMOKE")/..${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
      "$SMOKE" .device/semantics tests/device/semantics.vir
    echo "exit: $?"
  fi
} > "$OUT/semantics.log" 2>&1
cat "$OUT/semantics.log"
