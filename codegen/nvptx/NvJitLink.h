//===- codegen/nvptx/NvJitLink.h - PTX to cubin, in-process -----*- C++ -*-===//
//
// libnvJitLink (CUDA toolkit) assembles PTX into a cubin without a GPU and
// without running ptxas as a process (design.md: ~8 ms for a small kernel,
// against the driver's 196 ms cold JIT). It is dlopen'ed like the driver:
// no link-time CUDA dependency, and its types are declared here.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CODEGEN_NVPTX_NVJITLINK_H
#define IRCGPU_CODEGEN_NVPTX_NVJITLINK_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace ircgpu::nvptx {

// Values from nvJitLink.h; part of the library's stable ABI.
using nvJitLinkResult = int;
using nvJitLinkHandle = struct nvJitLink *;
constexpr nvJitLinkResult NVJITLINK_SUCCESS = 0;
constexpr nvJitLinkResult NVJITLINK_ERROR_UNRECOGNIZED_ARCH = 16;
constexpr nvJitLinkResult NVJITLINK_ERROR_UNSUPPORTED_ARCH = 17;
constexpr int NVJITLINK_INPUT_PTX = 2;

// One line per entry point: member name, symbol, signature. The plain
// names are exported next to the versioned ones (__nvJitLinkCreate_13_0)
// that nvJitLink.h's inline wrappers call.
#define IRCGPU_NVJITLINK_ENTRY_POINTS(X)                                       \
  X(Create, "nvJitLinkCreate",                                                 \
    nvJitLinkResult(nvJitLinkHandle *, uint32_t, const char **))               \
  X(Destroy, "nvJitLinkDestroy", nvJitLinkResult(nvJitLinkHandle *))           \
  X(AddData, "nvJitLinkAddData",                                               \
    nvJitLinkResult(nvJitLinkHandle, int, const void *, size_t, const char *)) \
  X(Complete, "nvJitLinkComplete", nvJitLinkResult(nvJitLinkHandle))           \
  X(GetLinkedCubinSize, "nvJitLinkGetLinkedCubinSize",                         \
    nvJitLinkResult(nvJitLinkHandle, size_t *))                                \
  X(GetLinkedCubin, "nvJitLinkGetLinkedCubin",                                 \
    nvJitLinkResult(nvJitLinkHandle, void *))                                  \
  X(GetErrorLogSize, "nvJitLinkGetErrorLogSize",                               \
    nvJitLinkResult(nvJitLinkHandle, size_t *))                                \
  X(GetErrorLog, "nvJitLinkGetErrorLog",                                       \
    nvJitLinkResult(nvJitLinkHandle, char *))                                  \
  X(Version, "nvJitLinkVersion", nvJitLinkResult(unsigned *, unsigned *))

/// The library's entry points, all non-null once loaded.
struct NvJitLinkLib {
#define IRCGPU_NVJITLINK_MEMBER(Name, Symbol, Type)                            \
  std::add_pointer_t<Type> Name = nullptr;
  IRCGPU_NVJITLINK_ENTRY_POINTS(IRCGPU_NVJITLINK_MEMBER)
#undef IRCGPU_NVJITLINK_MEMBER
  unsigned Major = 0, Minor = 0; ///< nvJitLinkVersion
  std::string Path;              ///< what dlopen found
};

/// Where the library is looked for, in order: libnvJitLink.so.13 and
/// libnvJitLink.so by the dynamic loader's search, then in
/// $CUDA_HOME/lib64, $CUDA_PATH/lib64 and /usr/local/cuda/lib64.
std::vector<std::string> nvJitLinkCandidates();

/// The library, loaded once per process (thread-safe; later calls return
/// the first answer). Not found: an AssemblerUnavailableError naming the
/// candidates tried.
llvm::Expected<const NvJitLinkLib &> loadNvJitLink();

/// Assembles Ptx for Arch ("sm_90") into a cubin with -O3 (ptxas's own
/// optimisation level) plus Options. Errors carry nvJitLink's error log.
llvm::Expected<std::string>
ptxToCubin(llvm::StringRef Ptx, llvm::StringRef Arch,
           llvm::ArrayRef<std::string> Options = {});

} // namespace ircgpu::nvptx

#endif
