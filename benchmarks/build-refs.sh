#!/usr/bin/env bash
# Builds the hand-written CUDA references into a cubin for sm_90 (H100/H200):
#   bash benchmarks/build-refs.sh [OUT.cubin]    (default .device/refs.cubin)
# Not part of the CMake build (CI needs no nvcc); benchmarks/prepare.sh calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-.device/refs.cubin}
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
mkdir -p "$(dirname "$OUT")"
"$NVCC" -cubin -O3 -arch=sm_90 -Xptxas -v -o "$OUT" benchmarks/refs/refs.cu 2> "${OUT%.cubin}.ptxas.txt" \
  || { cat "${OUT%.cubin}.ptxas.txt" >&2; exit 1; }
echo "$OUT: $(stat -c %s "$OUT") bytes ($("$NVCC" --version | tail -1))"
