//===- codegen/nvptx/NvJitLink.cpp - loading libnvJitLink, PTX to cubin ---===//

#include "codegen/nvptx/NvJitLink.h"

#include "codegen/Target.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Process.h"

#include <dlfcn.h>

using namespace llvm;

namespace ircgpu::nvptx {

namespace {

struct LoadResult {
  NvJitLinkLib Lib;
  std::string Error; // empty on success
};

LoadResult load() {
  LoadResult R;
  std::string Tried;
  void *Handle = nullptr;
  for (const std::string &P : nvJitLinkCandidates()) {
    // Never dlclose'd: cubins may be produced until exit.
    if ((Handle = dlopen(P.c_str(), RTLD_NOW | RTLD_LOCAL))) {
      R.Lib.Path = P;
      break;
    }
    const char *Msg = dlerror();
    Tried +=
        (Tried.empty() ? "" : "; ") + P + ": " + (Msg ? Msg : "unknown reason");
  }
  if (!Handle) {
    R.Error = "no nvJitLink: libnvJitLink could not be loaded (" + Tried + ")";
    return R;
  }
#define IRCGPU_NVJITLINK_LOOKUP(Name, Symbol, Type)                            \
  R.Lib.Name =                                                                 \
      reinterpret_cast<std::add_pointer_t<Type>>(dlsym(Handle, Symbol));       \
  if (!R.Lib.Name) {                                                           \
    R.Error = "no nvJitLink: " + R.Lib.Path + " has no " Symbol;               \
    return R;                                                                  \
  }
  IRCGPU_NVJITLINK_ENTRY_POINTS(IRCGPU_NVJITLINK_LOOKUP)
#undef IRCGPU_NVJITLINK_LOOKUP
  if (R.Lib.Version(&R.Lib.Major, &R.Lib.Minor) != NVJITLINK_SUCCESS)
    R.Error = "no nvJitLink: " + R.Lib.Path + " does not report its version";
  return R;
}

/// nvJitLink.h's nvJitLinkResult names, in order.
StringRef resultName(nvJitLinkResult R) {
  static constexpr const char *Names[] = {
      "NVJITLINK_SUCCESS",
      "NVJITLINK_ERROR_UNRECOGNIZED_OPTION",
      "NVJITLINK_ERROR_MISSING_ARCH",
      "NVJITLINK_ERROR_INVALID_INPUT",
      "NVJITLINK_ERROR_PTX_COMPILE",
      "NVJITLINK_ERROR_NVVM_COMPILE",
      "NVJITLINK_ERROR_INTERNAL",
      "NVJITLINK_ERROR_THREADPOOL",
      "NVJITLINK_ERROR_UNRECOGNIZED_INPUT",
      "NVJITLINK_ERROR_FINALIZE",
      "NVJITLINK_ERROR_NULL_INPUT",
      "NVJITLINK_ERROR_INCOMPATIBLE_OPTIONS",
      "NVJITLINK_ERROR_INCORRECT_INPUT_TYPE",
      "NVJITLINK_ERROR_ARCH_MISMATCH",
      "NVJITLINK_ERROR_OUTDATED_LIBRARY",
      "NVJITLINK_ERROR_MISSING_FATBIN",
      "NVJITLINK_ERROR_UNRECOGNIZED_ARCH",
      "NVJITLINK_ERROR_UNSUPPORTED_ARCH",
      "NVJITLINK_ERROR_LTO_NOT_ENABLED"};
  if (R >= 0 && static_cast<size_t>(R) < std::size(Names))
    return Names[R];
  return "unknown nvJitLink error";
}

} // namespace

std::vector<std::string> nvJitLinkCandidates() {
  std::vector<std::string> Out = {"libnvJitLink.so.13", "libnvJitLink.so"};
  std::vector<std::string> Dirs;
  for (const char *Var : {"CUDA_HOME", "CUDA_PATH"})
    if (std::optional<std::string> Dir = sys::Process::GetEnv(Var))
      if (!Dir->empty())
        Dirs.push_back(*Dir + "/lib64");
  Dirs.push_back("/usr/local/cuda/lib64");
  for (const std::string &D : Dirs)
    for (const char *Name : {"/libnvJitLink.so.13", "/libnvJitLink.so"})
      Out.push_back(D + Name);
  return Out;
}

Expected<const NvJitLinkLib &> loadNvJitLink() {
  // A function-local static: loaded once, thread-safely, on first use.
  static const LoadResult R = load();
  if (!R.Error.empty())
    return make_error<AssemblerUnavailableError>(R.Error);
  return R.Lib;
}

Expected<std::string> ptxToCubin(StringRef Ptx, StringRef Arch,
                                 ArrayRef<std::string> Options) {
  auto L = loadNvJitLink();
  if (!L)
    return L.takeError();
  const NvJitLinkLib &J = *L;

  std::vector<std::string> Opts = {("-arch=" + Arch).str(), "-O3"};
  Opts.insert(Opts.end(), Options.begin(), Options.end());
  std::vector<const char *> OptPtrs;
  for (const std::string &O : Opts)
    OptPtrs.push_back(O.c_str());

  nvJitLinkHandle H = nullptr;
  nvJitLinkResult R = J.Create(&H, OptPtrs.size(), OptPtrs.data());
  auto Destroy = make_scope_exit([&] {
    if (H)
      J.Destroy(&H);
  });
  auto Fail = [&](StringRef What, nvJitLinkResult R) -> Error {
    std::string Msg =
        ("nvJitLink " + What + " failed for " + Arch + ": " + resultName(R))
            .str();
    size_t Size = 0;
    if (H && J.GetErrorLogSize(H, &Size) == NVJITLINK_SUCCESS && Size > 1) {
      std::string Log(Size, '\0');
      if (J.GetErrorLog(H, Log.data()) == NVJITLINK_SUCCESS) {
        Log.resize(strnlen(Log.c_str(), Size));
        Msg += "\n" + StringRef(Log).rtrim().str();
      }
    }
    return createStringError(inconvertibleErrorCode(), Msg);
  };
  // This nvJitLink does not assemble for Arch (CUDA 13 dropped sm_70 and
  // sm_72): as if there were no assembler, the driver JITs the PTX.
  if (R == NVJITLINK_ERROR_UNSUPPORTED_ARCH ||
      R == NVJITLINK_ERROR_UNRECOGNIZED_ARCH)
    return make_error<AssemblerUnavailableError>(
        ("nvJitLink cannot assemble for " + Arch + ": " + resultName(R)).str());
  if (R != NVJITLINK_SUCCESS)
    return Fail("create", R);
  // nvJitLink reads PTX as a C string: pass the terminator too.
  std::string Text = Ptx.str();
  if ((R = J.AddData(H, NVJITLINK_INPUT_PTX, Text.c_str(), Text.size() + 1,
                     "irc-gpu.ptx")) != NVJITLINK_SUCCESS)
    return Fail("adding PTX", R);
  if ((R = J.Complete(H)) != NVJITLINK_SUCCESS)
    return Fail("assembly", R);
  size_t Size = 0;
  if ((R = J.GetLinkedCubinSize(H, &Size)) != NVJITLINK_SUCCESS)
    return Fail("getting the cubin size", R);
  std::string Cubin(Size, '\0');
  if ((R = J.GetLinkedCubin(H, Cubin.data())) != NVJITLINK_SUCCESS)
    return Fail("getting the cubin", R);
  return Cubin;
}

} // namespace ircgpu::nvptx
