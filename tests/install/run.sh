#!/usr/bin/env bash
# The install test (ctest `install`): installs a built tree into a temporary
# prefix, then builds and runs tests/install/consumer against it, as a VM's
# build would, twice: through find_package(IrcGpu) and through pkg-config.
# Also checks what libircgpu.so exports (only IRCGPU_<major>-versioned
# symbols, none of LLVM's code generation or lld) and that the installed CLI
# runs from the prefix.
#   tests/install/run.sh BUILD_DIR
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PREFIX=$TMP/prefix
CONSUMER=$SRC/tests/install/consumer
GEN=(); command -v ninja > /dev/null && GEN=(-G Ninja)
CXX=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
CC=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
fail() { echo "install test: FAIL: $*" >&2; exit 1; }

cmake --install "$BUILD" --prefix "$PREFIX" > "$TMP/install.log" \
  || { cat "$TMP/install.log"; fail "cmake --install"; }
LIB=$PREFIX/lib/libircgpu.so
MAJOR=$(sed -n 's/^#define IRCGPU_VERSION_MAJOR //p' "$SRC/include/ircgpu/Version.h")
VERSION=$MAJOR.$(sed -n 's/^#define IRCGPU_VERSION_MINOR //p' "$SRC/include/ircgpu/Version.h")
VERSION=$VERSION.$(sed -n 's/^#define IRCGPU_VERSION_PATCH //p' "$SRC/include/ircgpu/Version.h")
for f in lib/libircgpu.so.$VERSION lib/libircgpu.so.$MAJOR lib/libircgpu.so \
         include/ircgpu/IR.h include/ircgpu/Ops.def include/ircgpu/Version.h bin/irc-gpu \
         lib/cmake/IrcGpu/IrcGpuConfig.cmake lib/cmake/IrcGpu/IrcGpuConfigVersion.cmake \
         lib/pkgconfig/ircgpu.pc; do
  [ -e "$PREFIX/$f" ] || fail "not installed: $f"
done
# Every public header is installed.
for h in "$SRC"/include/ircgpu/*; do
  [ -f "$PREFIX/include/ircgpu/$(basename "$h")" ] || fail "header not installed: $h"
done
readelf -d "$LIB" | grep -q "SONAME.*\[libircgpu.so.$MAJOR\]" || fail "soname is not libircgpu.so.$MAJOR"

# Exports: every defined dynamic symbol has the version IRCGPU_<major>, and
# none is LLVM's IR, code generation, MC, or lld.
objdump -T "$LIB" | grep -E ' (DF|DO) ' | grep -v '\*UND\*' > "$TMP/exports"
nexp=$(wc -l < "$TMP/exports")
[ "$nexp" -gt 0 ] || fail "libircgpu.so exports nothing"
unversioned=$(grep -vc "IRCGPU_$MAJOR" "$TMP/exports" || true)
[ "$unversioned" -eq 0 ] || { grep -v "IRCGPU_$MAJOR" "$TMP/exports" | head; fail "$unversioned exports without version IRCGPU_$MAJOR"; }
nm -DC --defined-only "$LIB" > "$TMP/exports.cxx"
bad=$(grep -E " (llvm::(LLVMContext|Module|Function|Value|Type|TargetMachine|MC[A-Za-z]*|PassBuilder|cl)::|lld::|LLVMInitialize)" "$TMP/exports.cxx" | grep -vc " ircgpu::" || true)
[ "$bad" -eq 0 ] || { grep -E " (llvm::(LLVMContext|Module|Function|Value|Type|TargetMachine|MC[A-Za-z]*|PassBuilder|cl)::|lld::|LLVMInitialize)" "$TMP/exports.cxx" | head; fail "libircgpu.so exports LLVM internals"; }
echo "libircgpu.so.$VERSION: $nexp exported symbols, all IRCGPU_$MAJOR"

# The installed CLI finds its library from the prefix (RUNPATH $ORIGIN/..).
"$PREFIX/bin/irc-gpu" --version | grep -qx "irc-gpu version $VERSION" || fail "installed irc-gpu --version"

# find_package(IrcGpu).
cmake -S "$CONSUMER" -B "$TMP/cmake" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_C_COMPILER="$CC" \
  -DCMAKE_PREFIX_PATH="$PREFIX" > "$TMP/configure.log" 2>&1 \
  || { cat "$TMP/configure.log"; fail "configuring the consumer"; }
cmake --build "$TMP/cmake" > "$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; fail "building the consumer"; }
expected="irc-gpu $VERSION
plan sum: 1 steps
sum = 5050
parse error handled: yes"
out=$("$TMP/cmake/consumer") || fail "consumer (find_package) exited $?"
[ "$out" = "$expected" ] || fail "consumer (find_package) printed: $out"
echo "find_package(IrcGpu): OK"

# pkg-config ircgpu.
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
[ "$(pkg-config --modversion ircgpu)" = "$VERSION" ] || fail "pkg-config --modversion"
# shellcheck disable=SC2046
"$CXX" -std=c++17 "$CONSUMER/main.cpp" -o "$TMP/consumer-pc" \
  $(pkg-config --cflags --libs ircgpu) -Wl,-rpath,"$PREFIX/lib" || fail "building with pkg-config"
out=$("$TMP/consumer-pc") || fail "consumer (pkg-config) exited $?"
[ "$out" = "$expected" ] || fail "consumer (pkg-config) printed: $out"
echo "pkg-config ircgpu: OK"

# Another LLVM in the same process: comgr (ROCm 5.2, libLLVM-15), where the
# HIP runtime of scripts/setup.sh brought it, reads a code object's metadata
# in a process holding libircgpu.so, loaded plainly (tests/install/coexist.cpp).
if ldconfig -p | grep -q "libamd_comgr.so.2 "; then
  "$PREFIX/bin/irc-gpu" compile "$SRC/examples/saxpy.vir" --entry saxpy --target gfx90a \
    --emit hsaco -o "$TMP/saxpy.hsaco" || fail "irc-gpu compile --target gfx90a"
  # shellcheck disable=SC2046
  "$CXX" -std=c++17 "$SRC/tests/install/coexist.cpp" -o "$TMP/coexist" \
    $(pkg-config --cflags --libs ircgpu) -Wl,-rpath,"$PREFIX/lib" -ldl || fail "building coexist"
  out=$("$TMP/coexist" "$TMP/saxpy.hsaco") || fail "coexist exited $? (another LLVM crashed beside libircgpu.so)"
  [ "$out" = "irc-gpu $VERSION
comgr metadata: map" ] || fail "coexist printed: $out"
  echo "another LLVM in the process (comgr): OK"
else
  echo "another LLVM in the process: skipped (no libamd_comgr.so.2)"
fi

# The C API, in C, where it is installed.
if [ -f "$PREFIX/include/ircgpu/ircgpu.h" ]; then
  out=$("$TMP/cmake/c-consumer") || fail "C consumer exited $?"
  [ "$out" = "C API: irc-gpu $VERSION" ] || fail "C consumer printed: $out"
  # shellcheck disable=SC2046
  "$CC" -std=c99 -pedantic-errors "$CONSUMER/c_main.c" -o "$TMP/c-consumer-pc" \
    $(pkg-config --cflags --libs ircgpu) -Wl,-rpath,"$PREFIX/lib" || fail "building the C consumer with pkg-config"
  "$TMP/c-consumer-pc" > /dev/null || fail "C consumer (pkg-config)"
  echo "C API consumer: OK"
else
  echo "C API consumer: skipped (no include/ircgpu/ircgpu.h)"
fi
echo "install test: OK"
