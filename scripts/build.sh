#!/usr/bin/env bash
# Configures (RelWithDebInfo, Ninja) and builds irc-gpu into build/ (or
# $BUILD_DIR). Extra arguments go to the CMake configure step, e.g.
#   bash scripts/build.sh -DIRCGPU_BUILD_BENCHMARKS=OFF
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build "$BUILD_DIR" -j "$(nproc)"
