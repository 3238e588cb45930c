#!/usr/bin/env bash
# Installs what building and testing irc-gpu needs on Debian 12, with apt-get.
# Idempotent: does nothing when everything is already installed. Runs as root,
# or through sudo otherwise.
#
# Why each package:
#   cmake ninja-build g++        the build
#   llvm-19-dev                  LLVM 19 headers, static libraries, CMake config
#                                (pulls libz3-dev, libxml2-dev, libffi-dev)
#   zlib1g-dev libzstd-dev       LLVMSupport's exported CMake target links
#                                ZLIB::ZLIB and zstd::libzstd_shared
#   llvm-19-tools                FileCheck, not, count and lit for the tests
#   liblld-19-dev                lld's static libraries: AMDGPU code objects
#                                are linked by lld in-process
#                                (codegen/amdgpu/LinkCodeObject.cpp)
#   rocm-device-libs             OCML bitcode (ocml.bc), AMD's math library,
#                                linked into AMDGPU kernels that call math
#                                (codegen/amdgpu/DeviceLibs.cpp)
#   llvm-19                      llvm-readobj and llvm-objdump: CI validates
#                                every AMDGPU code object with them
#                                (tests/lit/codegen/hsaco-corpus.test)
#   libgtest-dev                 unit tests
#   libbenchmark-dev             CPU-side micro-benchmarks
#   python3                      lit, and the tests' helper scripts
#   libamdhip64-5                the HIP runtime (ROCm 5.2), dlopen'ed by
#                                runtime/hip/: with it, `--device hip` is tested
#                                against the real runtime answering
#                                hipErrorNoDevice (no AMD GPU here; checked: it
#                                answers at once and prints nothing)
#   pkgconf                      pkg-config: the install test builds a consumer
#                                with `pkg-config --cflags --libs ircgpu`
#                                (tests/install/run.sh)
#   clang-19 libclang-rt-19-dev  libFuzzer and the clang ASan/UBSan runtimes:
#                                CI's fuzzing and sanitizer runs
#                                (scripts/fuzz.sh, scripts/sanitize.sh asan;
#                                the TSan run uses g++)
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++
  llvm-19-dev llvm-19-tools zlib1g-dev libzstd-dev
  liblld-19-dev rocm-device-libs llvm-19
  libgtest-dev libbenchmark-dev
  python3
  libamdhip64-5
  pkgconf
  clang-19 libclang-rt-19-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages already installed"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo > /dev/null; then
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
  SUDO=(sudo)
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update
"${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
