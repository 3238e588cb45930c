//===- Fmt.cpp - `irc-gpu fmt`: the canonical text of a module ------------===//
#include "Tool.h"

#include "ircgpu/Printer.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace irctool {

Error runFmt(const FmtOptions &Opts) {
  auto In = loadInput(Opts.Input);
  if (!In)
    return In.takeError(); // nothing reaches stdout on error

  std::error_code EC;
  raw_fd_ostream OS(Opts.Output, EC, sys::fs::OF_None);
  if (EC)
    return inputError("cannot write '" + Opts.Output + "': " + EC.message());
  ircgpu::printModule(*In->M, OS);
  OS.flush();
  if (OS.has_error()) {
    EC = OS.error();
    OS.clear_error();
    return inputError("cannot write '" + Opts.Output + "': " + EC.message());
  }
  return Error::success();
}

} // namespace irctool
