#!/usr/bin/env bash
# The test suite under sanitizers (docs/fuzzing.md, "Sanitizer runs"):
#
#   bash scripts/sanitize.sh asan   clang-19 ASan + UBSan build (the one
#                                   scripts/fuzz.sh makes, build-fuzz/): every
#                                   unit test, the fuzz corpus replays, the C
#                                   API test, the cache stress test (8
#                                   processes x 8 threads) and lit (the CLI).
#                                   Not the install test: it builds a consumer
#                                   without sanitizers, which cannot link a
#                                   sanitized library.
#   bash scripts/sanitize.sh tsan   GCC ThreadSanitizer build (CMake preset
#                                   tsan, build-tsan/, -O1): the unit tests of
#                                   the runtime's concurrent paths: module
#                                   cache (compile-once, many threads), device
#                                   manager, multi-device plans, executor,
#                                   simulator, the embedding API's threads, on
#                                   the fake, interpreter and simulated
#                                   devices; then the cache stress test.
#
# Any sanitizer report fails the run: ASan, UBSan and LSan abort the process
# (abort_on_error, so that even a test expecting a failure exit, `not
# irc-gpu ...`, sees a crash), TSan exits 66. Leaks inside third-party
# libraries are suppressed in tests/sanitizers/lsan.supp, with the reason.
# Each step prints its wall time ("sanitize: ... took N s").
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
    ircgpu-fuzz-replay-bundle ircgpu-capi-test ircgpu-cache-stress
  echo "sanitize: asan build took $(( $(date +%s) - start )) s"
  # Leak checking stays on: the tests find none in irc-gpu's code.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:abort_on_error=1}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0}
  SYMBOLIZER=/usr/lib/llvm-19/bin/llvm-symbolizer
  [ -x "$SYMBOLIZER" ] && export ASAN_SYMBOLIZER_PATH=$SYMBOLIZER
  start=$(date +%s)
  rc=0
  ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" -E '^install$' || rc=$?
  echo "sanitize: asan tests took $(( $(date +%s) - start )) s"
  exit $rc
  ;;
tsan)
  BUILD=build-tsan # the preset's binaryDir
  # -O1 rather than the preset's Debug: the interpreter's tests run several
  # times faster, and TSan instruments every access all the same.
  cmake --preset tsan -DIRCGPU_BUILD_BENCHMARKS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1" ${TSAN_CMAKE_ARGS:-} > /dev/null
  start=$(date +%s)
  cmake --build "$BUILD" -j "$JOBS" --target ircgpu-unittests ircgpu-cache-stress
  echo "sanitize: tsan build took $(( $(date +%s) - start )) s"
  # halt_on_error: the first race fails the run, with its report.
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
  start=$(date +%s)
  # Every test that starts threads or is called from several (grep
  # std::thread tests/unit): parameterised suites are PREFIX/Suite.Test.
  "$BUILD/tests/ircgpu-unittests" --gtest_brief=1 \
    --gtest_filter='ModuleCache*:*ConcurrentTest*:*DamageWarningTest*:*UnwritableTest*:DeviceManager*:MultiDevice*:DeviceInterfaceTest.*:*ExecutorTest*:SimulatePlanTest*:ApiContext*:*HostContext*:*Concurrency*'
  rm -rf "$BUILD/cache-stress-dir"
  "$BUILD/tests/ircgpu-cache-stress" "$BUILD/cache-stress-dir"
  echo "sanitize: tsan tests took $(( $(date +%s) - start )) s"
  ;;
*)
  echo "usage: scripts/sanitize.sh asan|tsan" >&2
  exit 2
  ;;
esac
