#!/usr/bin/env bash
# On the GPU machine (the `device` tool): the semantics check prepared by
# prepare.sh. Writes its log to $OUT/semantics.log.
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
} > "$OUT/semantics.log" 2>&1
cat "$OUT/semantics.log"
