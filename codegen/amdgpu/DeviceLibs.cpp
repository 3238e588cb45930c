//===- codegen/amdgpu/DeviceLibs.cpp - linking ocml.bc --------------------===//
//
// As libdevice for NVPTX (codegen/nvptx/LibDevice.cpp): the bitcode is read
// once per process and parsed lazily into the caller's context; the link
// takes only what the kernels reach. rocm-device-libs 5.2 was built by
// clang 15; LLVM 19 reads it (the layout string differs only in order).
//
// OCML reads its configuration from constants that the `oclc_*` control
// libraries define, one each; clang links one file per setting. Here they
// are defined in the module from the target, which also covers ISAs the
// 5.2 package predates (gfx942, gfx1100).
//
//===----------------------------------------------------------------------===//
#include "codegen/amdgpu/DeviceLibs.h"

#include "codegen/BitcodeLibrary.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/CallingConv.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <mutex>

using namespace llvm;

namespace ircgpu::amdgpu {

namespace {

Error libError(const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), Msg);
}

Expected<std::string> findOcml() {
  std::string Tried;
  for (const std::string &Dir : deviceLibDirs()) {
    SmallString<128> P(Dir);
    sys::path::append(P, "ocml.bc");
    if (sys::fs::is_regular_file(P))
      return std::string(P);
    Tried += (Tried.empty() ? "" : ", ") + std::string(P);
  }
  return libError("ocml.bc not found (tried " + Tried +
                  "); install Debian's rocm-device-libs or set "
                  "IRC_GPU_ROCM_DEVICE_LIBS to the folder holding it");
}

/// Gives every oclc constant M declares its value for C: internal, so the
/// optimiser folds OCML's branches on it (what linking the control file
/// and internalising would do).
Error defineControls(llvm::Module &M, const OclcControls &C) {
  for (const auto &[Name, Value] : oclcConstants(C)) {
    GlobalVariable *GV = M.getGlobalVariable(Name, /*AllowInternal=*/true);
    if (!GV || !GV->isDeclaration())
      continue;
    auto *Ty = dyn_cast<IntegerType>(GV->getValueType());
    if (!Ty)
      return libError("ocml.bc declares " + Name + " with an unexpected type");
    GV->setInitializer(ConstantInt::get(Ty, Value));
    GV->setConstant(true);
    GV->setLinkage(GlobalValue::InternalLinkage);
    GV->setVisibility(GlobalValue::DefaultVisibility);
  }
  for (const GlobalVariable &GV : M.globals())
    if (GV.isDeclaration() && GV.getName().starts_with("__oclc_"))
      return libError("ocml.bc reads " + GV.getName() +
                      ", a control setting this code generator does not know");
  return Error::success();
}

} // namespace

std::vector<std::pair<std::string, uint32_t>>
oclcConstants(const OclcControls &C) {
  // Fixed settings, the same for every target: IEEE behaviour as VIR wants
  // it (docs/codegen.md, "Math"); `afn` picks native functions per call
  // instead of making the whole module unsafe. The ABI version matches the
  // code object version (4, AMDGPUTarget.cpp); only OCKL reads it.
  return {
      {"__oclc_ABI_version", 400},
      {"__oclc_correctly_rounded_sqrt32", 1},
      {"__oclc_daz_opt", 0},
      {"__oclc_finite_only_opt", 0},
      {"__oclc_ISA_version", C.IsaVersion},
      {"__oclc_unsafe_math_opt", 0},
      {"__oclc_wavefrontsize64", C.Wavefront64 ? 1u : 0u},
  };
}

std::vector<std::string> deviceLibDirs() {
  if (std::optional<std::string> P =
          sys::Process::GetEnv("IRC_GPU_ROCM_DEVICE_LIBS"))
    return {*P};
  return {"/usr/lib/x86_64-linux-gnu/amdgcn/bitcode",
          "/opt/rocm/amdgcn/bitcode"};
}

Error linkDeviceLibs(llvm::Module &M, const OclcControls &C) {
  if (!callsLibrary(M, "__ocml_"))
    return Error::success();
  auto Path = findOcml();
  if (!Path)
    return Path.takeError();
  if (Error E = linkBitcodeLibrary(M, *Path, "__ocml_", "OCML"))
    return E;
  if (Error E = defineControls(M, C))
    return E;

  // OCML's definitions are protected; local linkage wants the default
  // visibility, which internalizeAllButKernels gives.
  internalizeAllButKernels(M, CallingConv::AMDGPU_KERNEL);
  return Error::success();
}

} // namespace ircgpu::amdgpu
