//===- runtime/hip/HipDriver.h - the HIP runtime API, dlopen'ed -*- C++ -*-===//
//
// The few HIP types and entry points the runtime uses, declared here so that
// building needs no ROCm headers and the library has no link-time HIP
// dependency (design.md): libamdhip64 is dlopen'ed on first use and every
// entry point is looked up from one table, as runtime/cuda/CudaDriver.h does
// for the CUDA driver.
//
// Every value below was checked against Debian 12's ROCm 5.2 headers
// (libamdhip64-dev: /usr/include/hip/hip_runtime_api.h, driver_types.h).
// ROCm 6 keeps them, with one exception this file avoids: hipDeviceAttribute_t
// was renumbered, so no attribute number appears here; the device query reads
// hipGetDeviceProperties' struct instead, whose 5.x layout ROCm 6 still
// serves under that exact symbol (HipDeviceProps below says why that is safe).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_RUNTIME_HIP_HIPDRIVER_H
#define IRCGPU_RUNTIME_HIP_HIPDRIVER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <string>
#include <type_traits>

namespace ircgpu::hip {

// hipError_t values from hip_runtime_api.h (stable from ROCm 5.0 to 6.x).
using hipError_t = int;
constexpr hipError_t hipSuccess = 0;
constexpr hipError_t hipErrorNoDevice = 100;
constexpr hipError_t hipErrorInvalidDevice = 101;

// HIP's handles. A device is its ordinal; hipDeviceptr_t is a plain pointer.
using hipDeviceptr_t = void *;
using hipModule_t = struct ihipModule_t *;
using hipFunction_t = struct ihipModuleSymbol_t *;
using hipStream_t = struct ihipStream_t *;
using hipEvent_t = struct ihipEvent_t *;

constexpr unsigned hipStreamNonBlocking = 0x1;
constexpr unsigned hipEventDefault = 0x0;
constexpr unsigned hipHostMallocDefault = 0x0;

/// hipDeviceProp_t of ROCm 5.x, field for field (792 bytes, gcnArchName at
/// offset 396: checked against the 5.2 header, and by the static_asserts in
/// HipDriver.cpp). ROCm 6 reorganised the struct but kept this layout, as
/// hipDeviceProp_tR0000, behind the unversioned symbol
/// hipGetDeviceProperties (its headers map the name to
/// hipGetDevicePropertiesR0600 at compile time; the library still exports the
/// old one for binaries built against 5.x), so one layout serves both. The
/// HIP runtime of 5.2 has no other way to the architecture's name:
/// hipDeviceGetAttribute answers only ints, and its hipDeviceAttributeGcnArch
/// (an int, 910 for gfx90a) cannot be turned back into a name reliably.
struct HipDeviceProps {
  char name[256];
  size_t totalGlobalMem;
  size_t sharedMemPerBlock;
  int regsPerBlock;
  int warpSize;
  int maxThreadsPerBlock;
  int maxThreadsDim[3];
  int maxGridSize[3];
  int clockRate;       // kHz
  int memoryClockRate; // kHz
  int memoryBusWidth;  // bits
  size_t totalConstMem;
  int major;
  int minor;
  int multiProcessorCount;
  int l2CacheSize;
  int maxThreadsPerMultiProcessor;
  int computeMode;
  int clockInstructionRate;
  unsigned arch; // hipDeviceArch_t: 32 bits of feature flags
  int concurrentKernels;
  int pciDomainID;
  int pciBusID;
  int pciDeviceID;
  size_t maxSharedMemoryPerMultiProcessor;
  int isMultiGpuBoard;
  int canMapHostMemory;
  int gcnArch;
  char gcnArchName[256]; // "gfx90a:sramecc+:xnack-"
  int integrated;
  int cooperativeLaunch;
  int cooperativeMultiDeviceLaunch;
  int maxTexture1DLinear;
  int maxTexture1D;
  int maxTexture2D[2];
  int maxTexture3D[3];
  unsigned *hdpMemFlushCntl;
  unsigned *hdpRegFlushCntl;
  size_t memPitch;
  size_t textureAlignment;
  size_t texturePitchAlignment;
  int kernelExecTimeoutEnabled;
  int ECCEnabled;
  int tccDriver;
  int cooperativeMultiDeviceUnmatchedFunc;
  int cooperativeMultiDeviceUnmatchedGridDim;
  int cooperativeMultiDeviceUnmatchedBlockDim;
  int cooperativeMultiDeviceUnmatchedSharedMem;
  int isLargeBar;
  int asicRevision;
  int managedMemory;
  int directManagedMemAccessFromHost;
  int concurrentManagedAccess;
  int pageableMemoryAccess;
  int pageableMemoryAccessUsesHostPageTables;
};

// One line per entry point: member name, symbol, signature. HIP has no _v2
// symbols: its sizes were 64-bit from the start.
#define IRCGPU_HIP_ENTRY_POINTS(X)                                             \
  X(hipInit, "hipInit", hipError_t(unsigned))                                  \
  X(hipRuntimeGetVersion, "hipRuntimeGetVersion", hipError_t(int *))           \
  X(hipGetDeviceCount, "hipGetDeviceCount", hipError_t(int *))                 \
  X(hipGetDeviceProperties, "hipGetDeviceProperties",                          \
    hipError_t(HipDeviceProps *, int))                                         \
  X(hipSetDevice, "hipSetDevice", hipError_t(int))                             \
  X(hipDeviceSynchronize, "hipDeviceSynchronize", hipError_t())                \
  X(hipMalloc, "hipMalloc", hipError_t(void **, size_t))                       \
  X(hipFree, "hipFree", hipError_t(void *))                                    \
  X(hipHostMalloc, "hipHostMalloc", hipError_t(void **, size_t, unsigned))     \
  X(hipHostFree, "hipHostFree", hipError_t(void *))                            \
  X(hipMemcpyHtoDAsync, "hipMemcpyHtoDAsync",                                  \
    hipError_t(hipDeviceptr_t, void *, size_t, hipStream_t))                   \
  X(hipMemcpyDtoHAsync, "hipMemcpyDtoHAsync",                                  \
    hipError_t(void *, hipDeviceptr_t, size_t, hipStream_t))                   \
  X(hipMemcpyDtoDAsync, "hipMemcpyDtoDAsync",                                  \
    hipError_t(hipDeviceptr_t, hipDeviceptr_t, size_t, hipStream_t))           \
  X(hipMemsetD8Async, "hipMemsetD8Async",                                      \
    hipError_t(hipDeviceptr_t, unsigned char, size_t, hipStream_t))            \
  X(hipStreamCreateWithFlags, "hipStreamCreateWithFlags",                      \
    hipError_t(hipStream_t *, unsigned))                                       \
  X(hipStreamDestroy, "hipStreamDestroy", hipError_t(hipStream_t))             \
  X(hipStreamSynchronize, "hipStreamSynchronize", hipError_t(hipStream_t))     \
  X(hipStreamWaitEvent, "hipStreamWaitEvent",                                  \
    hipError_t(hipStream_t, hipEvent_t, unsigned))                             \
  X(hipEventCreateWithFlags, "hipEventCreateWithFlags",                        \
    hipError_t(hipEvent_t *, unsigned))                                        \
  X(hipEventDestroy, "hipEventDestroy", hipError_t(hipEvent_t))                \
  X(hipEventRecord, "hipEventRecord", hipError_t(hipEvent_t, hipStream_t))     \
  X(hipEventSynchronize, "hipEventSynchronize", hipError_t(hipEvent_t))        \
  X(hipEventElapsedTime, "hipEventElapsedTime",                                \
    hipError_t(float *, hipEvent_t, hipEvent_t))                               \
  X(hipModuleLoadData, "hipModuleLoadData",                                    \
    hipError_t(hipModule_t *, const void *))                                   \
  X(hipModuleUnload, "hipModuleUnload", hipError_t(hipModule_t))               \
  X(hipModuleGetFunction, "hipModuleGetFunction",                              \
    hipError_t(hipFunction_t *, hipModule_t, const char *))                    \
  X(hipModuleLaunchKernel, "hipModuleLaunchKernel",                            \
    hipError_t(hipFunction_t, unsigned, unsigned, unsigned, unsigned,          \
               unsigned, unsigned, unsigned, hipStream_t, void **, void **))   \
  X(hipGetErrorName, "hipGetErrorName", const char *(hipError_t))              \
  X(hipGetErrorString, "hipGetErrorString", const char *(hipError_t))

/// The runtime's entry points, all non-null once loaded.
struct HipDriver {
#define IRCGPU_HIP_MEMBER(Name, Symbol, Type)                                  \
  std::add_pointer_t<Type> Name = nullptr;
  IRCGPU_HIP_ENTRY_POINTS(IRCGPU_HIP_MEMBER)
#undef IRCGPU_HIP_MEMBER
  /// The file that was loaded ("libamdhip64.so.5"), for messages.
  std::string Library;
  /// hipRuntimeGetVersion's answer: 50221153 for 5.2.21153.
  int Version = 0;
};

/// The environment variable that names the HIP runtime library to load
/// instead of the default search (a path or a soname).
constexpr const char *HipLibraryEnvVar = "IRC_GPU_HIP_LIBRARY";

/// Loads the HIP runtime from Library, or, when Library is empty, from the
/// first of libamdhip64.so.5, .so.6 and .so that loads; not cached (tests use
/// it to see a missing library). Errors: "no HIP runtime: <names> could not
/// be loaded (<dlerror>)", a missing entry point, or a runtime of a major
/// version other than 5 or 6.
llvm::Expected<HipDriver> loadHipDriverFrom(llvm::StringRef Library);

/// The sonames of ROCm's code-object library (comgr), of which loading the
/// runtime preloads the first that exists, with RTLD_DEEPBIND
/// (HipDriver.cpp says why).
extern const char *const ComgrLibraries[2];

/// Whether loading the runtime preloads comgr: true except in sanitized
/// builds, which cannot use RTLD_DEEPBIND (HipDriver.cpp says why).
bool preloadsComgr();

/// The runtime, loaded once per process (later calls return the first
/// answer) from $IRC_GPU_HIP_LIBRARY if set, else by the default search.
llvm::Expected<const HipDriver &> loadHipDriver();

/// "gfx90a" from the gcnArchName "gfx90a:sramecc+:xnack-": the target
/// features after the colons are the code generator's choice, not part of
/// the target's name.
std::string archFromGcnArchName(llvm::StringRef GcnArchName);

/// Whether Image is something hipModuleLoadData may be given: an AMDGPU ELF
/// code object, or a clang offload bundle of them, whose headers say it is
/// no larger than Image. The runtime takes no size and trusts those headers,
/// so anything else (PTX, a truncated file) would have it read past the
/// buffer; this refuses it first with an error naming what is wrong.
llvm::Error checkCodeObject(llvm::StringRef Image);

/// The one place a hipError_t becomes an error: a RuntimeError
/// "<What>: <hipErrorName> (<the runtime's description>)"; the description
/// is left out where the runtime's is only the name again (ROCm 5.2).
llvm::Error check(const HipDriver &D, hipError_t R, const llvm::Twine &What);

} // namespace ircgpu::hip

#endif
