#!/usr/bin/env bash
# Prepares a GPU run on this machine (which has LLVM, not a GPU): builds,
# writes the semantics check's inputs and the interpreter's answers under
# .device/semantics/, and packs the binaries into .device/bin.tar.xz (both
# ignored by git, carried to the device machine). Then, there:
#   bash tests/device/run.sh        (logs under $OUT; see LOG.md)
#   bash tests/device/run_multi.sh  (2+ GPUs: logs $OUT/multi.log)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD_DIR:-build}
cmake --build "$BUILD" -j "$(nproc)" > /dev/null
IRC_GPU=$BUILD/tools/irc-gpu/irc-gpu
D=.device/semantics
rm -rf "$D" && mkdir -p "$D"
python3 tests/device/semantics_inputs.py "$D"
n=$(cat "$D/n")
"$IRC_GPU" run tests/device/semantics.vir --entry ops --device interp --arg n="$n" \
  --arg a=@"$D/a.npy" --arg b=@"$D/b.npy" --arg f=@"$D/f.npy" --arg g=@"$D/g.npy" \
  --arg out=@"$D/out0.npy" --arg fout=@"$D/fout0.npy" \
  --out out="$D/out.expected.npy" --out fout="$D/fout.expected.npy"
echo "prepared $D: n=$n"
bash ../shared/tools/pack-for-device.sh .device/bin.tar.xz \
  "$BUILD"/libircgpu-internal.so "$BUILD"/libircgpu.so.0* "$BUILD"/tools/irc-gpu/irc-gpu \
  "$BUILD"/tests/ircgpu-cuda-smoke "$BUILD"/tests/ircgpu-multi-gpu \
  "$BUILD"/tests/ircgpu-api-gpu \
  "$BUILD"/tests/ircgpu-cuda-faults \
  "$BUILD"/examples/tiny-vm/tiny-vm \
  "$BUILD"/tests/ircgpu-unittests
