//===- codegen/nvptx/LibDevice.cpp - linking libdevice.10.bc --------------===//
//
// The bitcode is read into memory once per process and kept (about 0.5 MB);
// each link parses it lazily into the caller's LLVMContext, since modules
// cannot move between contexts and a compile thread owns its context.
// Lazy parsing plus Linker::LinkOnlyNeeded materialises only the functions
// the kernels reach, which keeps a link in the low milliseconds.
//
//===----------------------------------------------------------------------===//
#include "codegen/nvptx/LibDevice.h"

#include "codegen/BitcodeLibrary.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"

#include <mutex>

using namespace llvm;

namespace ircgpu::nvptx {

namespace {

constexpr const char *InToolkit = "/nvvm/libdevice/libdevice.10.bc";

Error libDeviceError(const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), Msg);
}

/// Intrinsics of a newer LLVM that a newer libdevice calls: CUDA 13's
/// __nv_fast_tanhf calls llvm.nvvm.tanh.approx.f32 (LLVM 20's), which LLVM
/// 19 takes for an unknown external function and prints as a PTX call that
/// ptxas rejects. Each becomes the one instruction it stands for.
struct NewIntrinsic {
  const char *Name, *Asm, *Constraints;
};
constexpr NewIntrinsic NewIntrinsics[] = {
    {"llvm.nvvm.tanh.approx.f32", "tanh.approx.f32 $0, $1;", "=f,f"},
};

Error lowerNewIntrinsics(llvm::Module &M, const std::string &Path) {
  for (llvm::Function &F : make_early_inc_range(M)) {
    if (!F.isDeclaration() || !F.getName().starts_with("llvm.nvvm.") ||
        F.getIntrinsicID() != Intrinsic::not_intrinsic)
      continue;
    const auto *N = find_if(NewIntrinsics, [&](const NewIntrinsic &I) {
      return F.getName() == I.Name;
    });
    if (N == std::end(NewIntrinsics))
      return libDeviceError("libdevice '" + Path + "' calls " + F.getName() +
                            ", an intrinsic this LLVM does not know");
    InlineAsm *Asm = InlineAsm::get(F.getFunctionType(), N->Asm, N->Constraints,
                                    /*hasSideEffects=*/false);
    for (User *U : make_early_inc_range(F.users())) {
      auto *Call = dyn_cast<CallInst>(U);
      if (!Call)
        return libDeviceError("libdevice '" + Path + "' takes the address of " +
                              F.getName());
      SmallVector<Value *, 2> Args(Call->args());
      auto *New = CallInst::Create(Asm, Args, "", Call->getIterator());
      New->takeName(Call);
      Call->replaceAllUsesWith(New);
      Call->eraseFromParent();
    }
    F.eraseFromParent();
  }
  return Error::success();
}

} // namespace

std::vector<std::string> libDeviceCandidates() {
  if (std::optional<std::string> P = sys::Process::GetEnv("IRC_GPU_LIBDEVICE"))
    return {*P};
  std::vector<std::string> Out;
  for (const char *Var : {"CUDA_HOME", "CUDA_PATH"})
    if (std::optional<std::string> Dir = sys::Process::GetEnv(Var))
      if (!Dir->empty())
        Out.push_back(*Dir + InToolkit);
  Out.push_back(std::string("/usr/local/cuda") + InToolkit);
  Out.push_back("/usr/lib/nvidia-cuda-toolkit/libdevice/libdevice.10.bc");
  return Out;
}

Expected<std::string> findLibDevice() {
  std::vector<std::string> Candidates = libDeviceCandidates();
  std::string Tried;
  for (const std::string &P : Candidates) {
    if (sys::fs::is_regular_file(P))
      return P;
    Tried += (Tried.empty() ? "" : ", ") + P;
  }
  return libDeviceError(
      "libdevice.10.bc not found (tried " + Tried +
      "); install the CUDA toolkit or set IRC_GPU_LIBDEVICE to the file");
}

Error linkLibDevice(llvm::Module &M) {
  if (!callsLibrary(M, "__nv_"))
    return Error::success();
  auto Path = findLibDevice();
  if (!Path)
    return Path.takeError();
  if (Error E = linkBitcodeLibrary(M, *Path, "__nv_", "libdevice"))
    return E;
  if (Error E = lowerNewIntrinsics(M, *Path))
    return E;

  internalizeAllButKernels(M, CallingConv::PTX_Kernel);
  // __nvvm_reflect("__CUDA_FTZ") reads this flag: 0 keeps denormals, as the
  // rest of the generated code (no .ftz) does.
  M.setModuleFlag(llvm::Module::Override, "nvvm-reflect-ftz", uint32_t(0));
  return Error::success();
}

} // namespace ircgpu::nvptx
