#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, docs/fuzzing.md) with clang-19,
# ASan and UBSan into build-fuzz/ (or $FUZZ_BUILD_DIR), and runs each for
# SECONDS (default 60) on one core. Prints one summary line per target and
# exits non-zero when any target found a crash, a leak, a timeout (10 s per
# input) or an input that needs more than 2 GB; the input is left in
# $FUZZ_BUILD_DIR/fuzz-artifacts/TARGET/ (add it to tests/fuzz/corpus/TARGET/
# once fixed: ctest replays that folder in every build).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]     TARGET: parse compile bundle
#
# The corpus grows in $FUZZ_BUILD_DIR/fuzz-corpus/TARGET/ across runs, seeded
# from the committed corpus and the test suite's programs.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(parse compile bundle)
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
CXX=${FUZZ_CXX:-clang++-19}
CC=${FUZZ_CC:-clang-19}
for tool in "$CXX" "$CC"; do
  command -v "$tool" > /dev/null ||
    { echo "fuzz: $tool not found (scripts/setup.sh installs clang-19)" >&2; exit 1; }
done

# Tests ON: the same build runs the test suite under ASan + UBSan
# (scripts/sanitize.sh asan); benchmarks are not needed.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_C_COMPILER="$CC" -DIRCGPU_FUZZ=ON \
  -DIRCGPU_BUILD_BENCHMARKS=OFF \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
  ${FUZZ_CMAKE_ARGS:-} > /dev/null

# The symbolizer turns sanitizer reports into file:line stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
# Third-party leaks only (tests/sanitizers/lsan.supp says which and why).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0}
SYMBOLIZER=/usr/lib/llvm-19/bin/llvm-symbolizer
[ -x "$SYMBOLIZER" ] && export ASAN_SYMBOLIZER_PATH=$SYMBOLIZER

failed=0
for t in "${TARGETS[@]}"; do
  bin="$BUILD/tests/fuzz/ircgpu-fuzz-$t"
  work="$BUILD/fuzz-corpus/$t"
  artifacts="$BUILD/fuzz-artifacts/$t/"
  log="$BUILD/fuzz-$t.log"
  rm -rf "$artifacts"
  mkdir -p "$work" "$artifacts"
  # Seeds: the committed corpus; for the VIR targets, every program of the
  # test suite and the examples too.
  seeds=(tests/fuzz/corpus/"$t")
  if [ "$t" != bundle ]; then
    seeds+=(examples tests/e2e tests/errors tests/lit tests/device)
  fi
  # Each target is built just before it runs: the parser's needs only ir/.
  start=$(date +%s)
  cmake --build "$BUILD" -j "$(nproc)" --target "ircgpu-fuzz-$t"
  echo "fuzz: built ircgpu-fuzz-$t in $(( $(date +%s) - start )) s"
  rc=0
  start=$(date +%s)
  "$bin" "$work" "${seeds[@]}" -dict=tests/fuzz/vir.dict \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts" \
    > "$log" 2>&1 || rc=$?
  took=$(( $(date +%s) - start )) # less than SECONDS when it stopped on a crash
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  crashes=$(find "$artifacts" -type f | wc -l)
  echo "fuzz: $t: ${runs:-0} runs in $took s, coverage ${cov:-0}, crashes: $crashes"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    echo "fuzz: $t FAILED (exit $rc); the log's end ($log):" >&2
    tail -n 40 "$log" >&2
  fi
done
exit $failed
