//===- codegen/amdgpu/LinkCodeObject.cpp - ld.lld in-process --------------===//
//
// lld reads its inputs and writes its output through files, so the
// relocatable goes to a temporary file and the code object comes back from
// one; both are removed. lld keeps global state for the duration of a link,
// so links are serialised under one lock (a link of a small kernel takes
// about a millisecond; compiles are not on this path twice at once in
// practice).
//
//===----------------------------------------------------------------------===//
#include "codegen/amdgpu/LinkCodeObject.h"

#include "lld/Common/Driver.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

LLD_HAS_DRIVER(elf)

using namespace llvm;

namespace ircgpu::amdgpu {

namespace {

Error linkError(const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), Msg);
}

} // namespace

Expected<std::string> linkCodeObject(StringRef Relocatable) {
  SmallString<128> In, Out;
  int InFD;
  if (std::error_code EC =
          sys::fs::createTemporaryFile("ircgpu-amdgpu", "o", InFD, In))
    return linkError("cannot create a temporary file: " + EC.message());
  FileRemover RemoveIn(In);
  {
    raw_fd_ostream OS(InFD, /*shouldClose=*/true);
    OS << Relocatable;
    OS.close();
    if (OS.has_error()) {
      std::error_code EC = OS.error();
      OS.clear_error();
      return linkError("cannot write '" + In + "': " + EC.message());
    }
  }
  if (std::error_code EC =
          sys::fs::createTemporaryFile("ircgpu-amdgpu", "hsaco", Out))
    return linkError("cannot create a temporary file: " + EC.message());
  FileRemover RemoveOut(Out);

  // What clang passes for HIP device code, less LTO: a shared object whose
  // every symbol is defined.
  const char *Args[] = {"ld.lld",   "-shared", "--no-undefined",
                        In.c_str(), "-o",      Out.c_str()};
  std::string Log;
  raw_string_ostream LogOS(Log);
  {
    static std::mutex Mu;
    static bool Broken = false; // lld said it cannot run again
    std::lock_guard<std::mutex> Lock(Mu);
    if (Broken)
      return linkError("ld.lld (in-process) cannot run again after an "
                       "earlier failure; restart the process");
    lld::Result R =
        lld::lldMain(Args, LogOS, LogOS, {{lld::Gnu, &lld::elf::link}});
    Broken = !R.canRunAgain;
    if (R.retCode != 0)
      return linkError("ld.lld failed to link the AMDGPU code object: " +
                       StringRef(Log).trim());
  }
  auto Buf = MemoryBuffer::getFile(Out, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (!Buf)
    return linkError("cannot read '" + Out + "': " + Buf.getError().message());
  return (*Buf)->getBuffer().str();
}

} // namespace ircgpu::amdgpu
