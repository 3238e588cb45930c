//===- codegen/BitcodeLibrary.cpp - linking a target's math library -------===//

#include "codegen/BitcodeLibrary.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/MemoryBuffer.h"

#include <mutex>

using namespace llvm;

namespace ircgpu {

namespace {

Error libraryError(const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), Msg);
}

/// The file's bytes, read once per path and kept for the process.
Expected<MemoryBufferRef> cachedFile(const std::string &Path, StringRef Lib) {
  static std::mutex Mu;
  static StringMap<std::unique_ptr<MemoryBuffer>> Cache;
  std::lock_guard<std::mutex> Lock(Mu);
  std::unique_ptr<MemoryBuffer> &Buf = Cache[Path];
  if (!Buf) {
    auto B = MemoryBuffer::getFile(Path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
    if (!B)
      return libraryError("cannot read " + Lib + " '" + Path +
                          "': " + B.getError().message());
    Buf = std::move(*B);
  }
  return Buf->getMemBufferRef();
}

} // namespace

bool callsLibrary(const llvm::Module &M, StringRef Prefix) {
  for (const llvm::Function &F : M)
    if (F.isDeclaration() && F.getName().starts_with(Prefix))
      return true;
  return false;
}

Error linkBitcodeLibrary(llvm::Module &M, const std::string &Path,
                         StringRef Prefix, StringRef Lib) {
  auto Buf = cachedFile(Path, Lib);
  if (!Buf)
    return Buf.takeError();
  auto LibM = getLazyBitcodeModule(*Buf, M.getContext());
  if (!LibM)
    return libraryError("cannot parse " + Lib + " '" + Path +
                        "': " + toString(LibM.takeError()));
  // Vendor libraries name an older triple or layout (libdevice says
  // nvptx64-nvidia-gpulibs); the linker would warn, the code is the same.
  (*LibM)->setTargetTriple(M.getTargetTriple());
  (*LibM)->setDataLayout(M.getDataLayout());
  if (Linker::linkModules(M, std::move(*LibM), Linker::LinkOnlyNeeded))
    return libraryError("linking " + Lib + " '" + Path + "' failed");
  for (const llvm::Function &F : M)
    if (F.isDeclaration() && F.getName().starts_with(Prefix))
      return libraryError(Lib + " '" + Path + "' has no " + F.getName());
  return Error::success();
}

void internalizeAllButKernels(llvm::Module &M, CallingConv::ID KernelCC) {
  for (GlobalValue &GV : M.global_values()) {
    if (GV.isDeclaration() || GV.hasLocalLinkage())
      continue;
    auto *F = dyn_cast<llvm::Function>(&GV);
    if (F && F->getCallingConv() == KernelCC)
      continue;
    GV.setVisibility(GlobalValue::DefaultVisibility);
    GV.setLinkage(GlobalValue::InternalLinkage);
  }
}

} // namespace ircgpu
