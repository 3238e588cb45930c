//===- Hash.cpp - `irc-gpu hash`: the key of the compiled-module cache ----===//
#include "Tool.h"

#include "ircgpu/Hash.h"

#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace irctool {

Error runHash(const HashOptions &Opts) {
  if (!Opts.Codegen.Target.empty())
    if (Error E = checkTarget(Opts.Codegen.Target))
      return E;
  auto In = loadInput(Opts.Input);
  if (!In)
    return In.takeError();

  ircgpu::HashInputs Key;
  if (!Opts.Entry.empty()) {
    auto F = findEntry(*In->M, Opts.Entry);
    if (!F)
      return F.takeError();
    Key.Entry = (*F)->Name;
  }
  Key.Target = Opts.Codegen.Target;
  Key.Options = Opts.Codegen.hashOptions();
  outs() << ircgpu::moduleHash(*In->M, Key) << "\n";
  return Error::success();
}

} // namespace irctool
