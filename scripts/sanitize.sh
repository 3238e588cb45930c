#!/usr/bin/env bash
# The test suite under sanitizers (docs/fuzzing.md, "Sanitizer runs"):
#
#   bash scripts/sanitize.sh asan   clang-19 ASan + UBSan build (the one
#                                   scripts/fuzz.sh makes, build-fuzz/): every
#                                   unit test, the fuzz corpus replays and lit
#   bash scripts/sanitize.sh tsan   GCC ThreadSanitizer build (CMake preset
#                                   tsan, build-tsan/): the unit tests of the
#                                   runtime's concurrent paths: module cache
#                                   (compile-once, many threads), device
#                                   manager, multi-device plans, executor and
#                                   simulator, on the fake, interpreter and
#                                   simulated devices
#
# Any sanitizer report fails the test that triggered it (ASan and UBSan
# abort; TSan exits 66), so a clean run is a passing one.
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=$(nproc)
case "${1:-}" in
asan)
  BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_C_COMPILER=clang-19 \
    -DIRCGPU_FUZZ=ON -DIRCGPU_BUILD_BENCHMARKS=OFF \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
    ${FUZZ_CMAKE_ARGS:-} > /dev/null
  start=$(date +%s)
  cmake --build "$BUILD" -j "$JOBS" --target irc-gpu ircgpu-unittests \
    ircgpu-fuzz-replay-parse ircgpu-fuzz-replay-compile \
    ircgpu-fuzz-replay-bundle
  echo "sanitize: asan build took $(( $(date +%s) - start )) s"
  # LLVM keeps some allocations until exit on purpose (ManagedStatic): leak
  # checking stays on, as the tests find none.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS"
  ;;
tsan)
  BUILD=build-tsan # the preset's binaryDir
  cmake --preset tsan -DIRCGPU_BUILD_BENCHMARKS=OFF ${TSAN_CMAKE_ARGS:-} > /dev/null
  start=$(date +%s)
  cmake --build "$BUILD" -j "$JOBS" --target ircgpu-unittests
  echo "sanitize: tsan build took $(( $(date +%s) - start )) s"
  # halt_on_error: the first race fails the run, with its report.
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
  "$BUILD/tests/ircgpu-unittests" \
    --gtest_filter='ModuleCache*:DeviceManager*:MultiDevice*:DeviceInterfaceTest.*:Executor*:Simulator*'
  ;;
*)
  echo "usage: scripts/sanitize.sh asan|tsan" >&2
  exit 2
  ;;
esac
