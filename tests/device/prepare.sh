#!/usr/bin/env bash
# Prepares the GPU semantics check on this machine (which has LLVM, not a GPU):
# inputs with the spec's edge cases, the interpreter's answers, and the PTX of
# the kernel, all under .device/semantics/ (ignored by git, carried to the
# device machine). Then run: tests/device/run.sh there (see LOG.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
IRC_GPU=${IRC_GPU:-build/tools/irc-gpu/irc-gpu}
D=.device/semantics
rm -rf "$D" && mkdir -p "$D"
python3 tests/device/semantics_inputs.py "$D"
n=$(cat "$D/n")
"$IRC_GPU" run tests/device/semantics.vir --entry ops --device interp --arg n="$n" \
  --arg a=@"$D/a.npy" --arg b=@"$D/b.npy" --arg f=@"$D/f.npy" --arg g=@"$D/g.npy" \
  --arg out=@"$D/out0.npy" --arg fout=@"$D/fout0.npy" \
  --out out="$D/out.expected.npy" --out fout="$D/fout.expected.npy"
"$IRC_GPU" compile tests/device/semantics.vir --entry ops --target sm_90 --emit ptx -o "$D/ops.ptx"
"$IRC_GPU" compile tests/device/semantics.vir --entry ops --target sm_90 --emit plan -o "$D/ops.plan"
echo "prepared $D: n=$n"
