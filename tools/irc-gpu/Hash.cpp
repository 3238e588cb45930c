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
  auto Src = readSource(Opts.Input);
  if (!Src)
    return Src.takeError();
  auto M = loadModule(*Src);
  if (!M)
    return M.takeError();

  ircgpu::HashInputs In;
  if (!Opts.Entry.empty()) {
    auto F = findEntry(**M, Opts.Entry);
    if (!F)
      return F.takeError();
    In.Entry = (*F)->Name;
  }
  In.Target = Opts.Codegen.Target;
  In.Options = Opts.Codegen.hashOptions();
  outs() << ircgpu::moduleHash(**M, In) << "\n";
  return Error::success();
}

} // namespace irctool
