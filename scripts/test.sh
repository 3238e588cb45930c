#!/usr/bin/env bash
# Sets up, builds and runs every test (unit tests and lit) with ctest.
# Arguments go to the CMake configure step (see build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh "$@"
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
