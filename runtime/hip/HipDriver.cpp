//===- runtime/hip/HipDriver.cpp - loading libamdhip64 --------------------===//

#include "runtime/hip/HipDriver.h"

#include "ircgpu/Diagnostics.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

using namespace llvm;

namespace ircgpu::hip {

// The layout HipDeviceProps mirrors, as the ROCm 5.2 header has it.
static_assert(sizeof(HipDeviceProps) == 792);
static_assert(offsetof(HipDeviceProps, totalGlobalMem) == 256);
static_assert(offsetof(HipDeviceProps, warpSize) == 276);
static_assert(offsetof(HipDeviceProps, clockRate) == 308);
static_assert(offsetof(HipDeviceProps, major) == 328);
static_assert(offsetof(HipDeviceProps, multiProcessorCount) == 336);
static_assert(offsetof(HipDeviceProps, arch) == 356);
static_assert(offsetof(HipDeviceProps, gcnArch) == 392);
static_assert(offsetof(HipDeviceProps, gcnArchName) == 396);

namespace {
struct LoadResult {
  HipDriver Driver;
  std::string Error; // empty on success
};
} // namespace

// The names tried, in order, when none is given. The issue names .so.5
// (Debian 12's libamdhip64-5); .so.6 is ROCm 6, which keeps every entry point
// and value used here (HipDriver.h). The unversioned name is a ROCm install's
// development link; whatever it points at, the version check below refuses a
// major version this file was not checked against.
// The sanitizer runtimes (ASan, TSan, MSan) abort in their dlopen
// interceptor on RTLD_DEEPBIND (google/sanitizers#611): a library loaded so
// would bypass their malloc and pthread interceptors. Sanitized builds
// (scripts/sanitize.sh, docs/fuzzing.md) load the HIP runtime without it,
// and do not preload comgr: without RTLD_DEEPBIND the preload would do the
// harm it exists to prevent. Its libLLVM-15's static initialisers, bound to
// the LLVM 19 globals that libircgpu-internal.so exports, construct them a
// second time (ASan saw MLInlineAdvisor's and Assumptions' tables leak).
// ROCm 5's runtime itself links no LLVM; it loads comgr only to load a
// module, which needs a GPU, and no sanitizer run has one.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define IRCGPU_NO_DEEPBIND 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||     \
    __has_feature(memory_sanitizer)
#define IRCGPU_NO_DEEPBIND 1
#endif
#endif
#ifdef IRCGPU_NO_DEEPBIND
static constexpr int DeepBind = 0;
#else
static constexpr int DeepBind = RTLD_DEEPBIND;
#endif

bool preloadsComgr() { return DeepBind != 0; }

static constexpr const char *DefaultLibraries[] = {
    "libamdhip64.so.5", "libamdhip64.so.6", "libamdhip64.so"};

const char *const ComgrLibraries[2] = {"libamd_comgr.so.2",
                                       "libamd_comgr.so.3"};

/// Loads ROCm's code-object library ahead of the HIP runtime, with
/// RTLD_DEEPBIND. The runtime dlopens it itself (by these sonames) to read a
/// module's metadata; it is linked to a shared LLVM of its own (ROCm 5.2:
/// libLLVM-15), and libircgpu.so exports LLVM 19's symbols, which, found
/// first in the global scope, would bind that LLVM's calls to ours.
/// Reproduced here without a GPU: amd_comgr_get_data_metadata on a gfx90a
/// code object crashes in a process holding libircgpu.so unless comgr was
/// loaded so. Once loaded, the runtime's own dlopen of the same soname gets
/// this copy. A missing comgr is not ours to report: the runtime reports it
/// where it needs it.
static void preloadComgr() {
  for (const char *N : ComgrLibraries)
    if (dlopen(N, RTLD_NOW | RTLD_LOCAL | DeepBind))
      return;
  (void)dlerror();
}

static LoadResult load(StringRef Library) {
  LoadResult R;
  SmallVector<std::string, 3> Names;
  if (!Library.empty())
    Names.push_back(Library.str());
  else
    for (const char *N : DefaultLibraries)
      Names.push_back(N);
  // Never dlclose'd: the runtime keeps threads alive until exit.
  void *Lib = nullptr;
  std::string FirstError;
  for (const std::string &N : Names) {
    // RTLD_DEEPBIND for the runtime too: a ROCm 6 runtime links its LLVM
    // (libLLVM-17) directly, and that library's static initialisers, bound
    // to the LLVM 19 symbols this process exports, crashed `irc-gpu
    // devices` on the H200 machine (2026-11-30, tests/device/LOG.md).
    Lib = dlopen(N.c_str(), RTLD_NOW | RTLD_LOCAL | DeepBind);
    if (Lib) {
      R.Driver.Library = N;
      break;
    }
    const char *Msg = dlerror();
    if (FirstError.empty())
      FirstError = Msg ? Msg : "unknown reason";
  }
  if (!Lib) {
    std::string Tried;
    for (const std::string &N : Names)
      Tried += (Tried.empty() ? "" : ", ") + N;
    R.Error =
        (Names.size() == 1
             ? "no HIP runtime: " + Tried + " could not be loaded ("
             : "no HIP runtime: none of " + Tried + " could be loaded (") +
        FirstError + ")";
    return R;
  }
#define IRCGPU_HIP_LOOKUP(Name, Symbol, Type)                                  \
  R.Driver.Name =                                                              \
      reinterpret_cast<std::add_pointer_t<Type>>(dlsym(Lib, Symbol));          \
  if (!R.Driver.Name) {                                                        \
    R.Error = "HIP runtime unusable: " + R.Driver.Library + " has no " Symbol; \
    return R;                                                                  \
  }
  IRCGPU_HIP_ENTRY_POINTS(IRCGPU_HIP_LOOKUP)
#undef IRCGPU_HIP_LOOKUP
  // Answers without a device (checked on ROCm 5.2): HIP_VERSION, major *
  // 10^7 + minor * 10^5 + patch.
  int V = 0;
  if (R.Driver.hipRuntimeGetVersion(&V) != hipSuccess) {
    R.Error = "HIP runtime unusable: " + R.Driver.Library +
              " does not report its version";
    return R;
  }
  R.Driver.Version = V;
  int Major = V / 10000000;
  if (Major == 5 || Major == 6) {
    if (preloadsComgr())
      preloadComgr();
    return R;
  }
  R.Error = formatv("HIP runtime unusable: {0} is HIP {1}.{2}; irc-gpu "
                    "supports HIP 5 and 6 (set {3} to pick a library)",
                    R.Driver.Library, Major, V / 100000 % 100, HipLibraryEnvVar)
                .str();
  return R;
}

Expected<HipDriver> loadHipDriverFrom(StringRef Library) {
  LoadResult R = load(Library);
  if (!R.Error.empty())
    return make_error<RuntimeError>(R.Error);
  return R.Driver;
}

Expected<const HipDriver &> loadHipDriver() {
  // A function-local static: loaded once, thread-safely, on first use.
  static const LoadResult R = [] {
    const char *Env = std::getenv(HipLibraryEnvVar);
    return load(Env ? Env : "");
  }();
  if (!R.Error.empty())
    return make_error<RuntimeError>(R.Error);
  return R.Driver;
}

std::string archFromGcnArchName(StringRef GcnArchName) {
  return GcnArchName.split(':').first.trim().str();
}

static Error badImage(const Twine &Why) {
  return make_error<RuntimeError>(("not an AMD code object: " + Why).str());
}

Error checkCodeObject(StringRef Image) {
  using namespace support;
  // An offload bundle (clang-offload-bundler, the fat binaries of hipcc):
  // the magic, an entry count, then per entry its offset, size, and triple.
  StringRef BundleMagic = "__CLANG_OFFLOAD_BUNDLE__";
  if (Image.starts_with(BundleMagic)) {
    size_t Pos = BundleMagic.size();
    auto Read = [&](uint64_t &V) {
      if (Image.size() - Pos < 8)
        return false;
      V = endian::read64le(Image.data() + Pos);
      Pos += 8;
      return true;
    };
    uint64_t N = 0;
    if (!Read(N) || N == 0 || N > 4096)
      return badImage("an offload bundle without entries");
    for (uint64_t I = 0; I < N; ++I) {
      uint64_t Off = 0, Size = 0, TripleSize = 0;
      if (!Read(Off) || !Read(Size) || !Read(TripleSize) ||
          TripleSize > Image.size() - Pos)
        return badImage("a truncated offload bundle");
      Pos += TripleSize;
      if (Off > Image.size() || Size > Image.size() - Off)
        return badImage("an offload bundle entry past the end of the image");
    }
    return Error::success();
  }
  if (!Image.starts_with(ELF::ElfMagic))
    return badImage("neither ELF nor an offload bundle");
  if (Image.size() < sizeof(ELF::Elf64_Ehdr))
    return badImage("a truncated ELF header");
  ELF::Elf64_Ehdr H;
  std::memcpy(&H, Image.data(), sizeof(H));
  if (H.e_ident[ELF::EI_CLASS] != ELF::ELFCLASS64 ||
      H.e_ident[ELF::EI_DATA] != ELF::ELFDATA2LSB)
    return badImage("not a 64-bit little-endian ELF");
  if (H.e_machine != ELF::EM_AMDGPU)
    return badImage(formatv("ELF for machine {0}, not AMDGPU ({1})",
                            H.e_machine, unsigned(ELF::EM_AMDGPU)));
  // Both header tables must lie within the image.
  auto Fits = [&](uint64_t Off, uint64_t Count, uint64_t EntSize) {
    return Off <= Image.size() && Count * EntSize <= Image.size() - Off;
  };
  if (!Fits(H.e_shoff, H.e_shnum, H.e_shentsize) ||
      !Fits(H.e_phoff, H.e_phnum, H.e_phentsize))
    return badImage("an ELF whose headers reach past the end of the image");
  return Error::success();
}

Error check(const HipDriver &D, hipError_t R, const Twine &What) {
  if (R == hipSuccess)
    return Error::success();
  // Both answer "hipErrorUnknown" or similar for a code the runtime does not
  // know; never null in ROCm 5 or 6, but a null would crash formatv.
  const char *Name = D.hipGetErrorName(R);
  const char *Desc = D.hipGetErrorString(R);
  std::string Msg =
      What.str() + ": " +
      (Name ? std::string(Name) : formatv("HIP error {0}", R).str());
  // ROCm 5.2's descriptions are the names again: saying it twice helps no one.
  if (Desc && *Desc && (!Name || std::strcmp(Name, Desc) != 0))
    Msg += std::string(" (") + Desc + ")";
  return make_error<RuntimeError>(std::move(Msg));
}

} // namespace ircgpu::hip
