//===- runtime/cuda/CudaDriver.h - the CUDA driver API, dlopen'ed -*- C++ -*-=//
//
// The few driver types and entry points the runtime uses, declared here so
// that building needs no CUDA headers and the library has no link-time CUDA
// dependency (design.md): libcuda.so.1 is dlopen'ed on first use and every
// entry point is looked up from one table, the _v2 symbols where the driver
// has them (the unversioned names are the 32-bit-size ABI of CUDA 3.x).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_RUNTIME_CUDA_CUDADRIVER_H
#define IRCGPU_RUNTIME_CUDA_CUDADRIVER_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <type_traits>

namespace ircgpu::cuda {

// Values from cuda.h; they are part of the driver's stable ABI.
using CUresult = int;
constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_NO_DEVICE = 100;
constexpr CUresult CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED = 704;
constexpr CUresult CUDA_ERROR_ILLEGAL_ADDRESS = 700;
constexpr CUresult CUDA_ERROR_OUT_OF_MEMORY = 2;

using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;

enum CUdevice_attribute : int {
  CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1,
  CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X = 2,
  CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y = 3,
  CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z = 4,
  CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X = 5,
  CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y = 6,
  CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z = 7,
  CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK = 8,
  CU_DEVICE_ATTRIBUTE_WARP_SIZE = 10,
  CU_DEVICE_ATTRIBUTE_CLOCK_RATE = 13,
  CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
  CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE = 36,
  CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH = 37,
  CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE = 38,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97,
};

enum CUjit_option : int {
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
};

constexpr unsigned CU_STREAM_NON_BLOCKING = 0x1;
constexpr unsigned CU_EVENT_DEFAULT = 0x0;

// One line per entry point: member name, symbol, signature.
#define IRCGPU_CUDA_DRIVER_ENTRY_POINTS(X)                                     \
  X(cuInit, "cuInit", CUresult(unsigned))                                      \
  X(cuDeviceGetCount, "cuDeviceGetCount", CUresult(int *))                     \
  X(cuDeviceGet, "cuDeviceGet", CUresult(CUdevice *, int))                     \
  X(cuDeviceGetName, "cuDeviceGetName", CUresult(char *, int, CUdevice))       \
  X(cuDeviceGetAttribute, "cuDeviceGetAttribute",                              \
    CUresult(int *, CUdevice_attribute, CUdevice))                             \
  X(cuDeviceTotalMem, "cuDeviceTotalMem_v2", CUresult(size_t *, CUdevice))     \
  X(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain",                      \
    CUresult(CUcontext *, CUdevice))                                           \
  X(cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2",                 \
    CUresult(CUdevice))                                                        \
  X(cuCtxSetCurrent, "cuCtxSetCurrent", CUresult(CUcontext))                   \
  X(cuCtxSynchronize, "cuCtxSynchronize", CUresult())                          \
  X(cuDeviceCanAccessPeer, "cuDeviceCanAccessPeer",                            \
    CUresult(int *, CUdevice, CUdevice))                                       \
  X(cuCtxEnablePeerAccess, "cuCtxEnablePeerAccess",                            \
    CUresult(CUcontext, unsigned))                                             \
  X(cuMemAlloc, "cuMemAlloc_v2", CUresult(CUdeviceptr *, size_t))              \
  X(cuMemFree, "cuMemFree_v2", CUresult(CUdeviceptr))                          \
  X(cuMemAllocHost, "cuMemAllocHost_v2", CUresult(void **, size_t))            \
  X(cuMemFreeHost, "cuMemFreeHost", CUresult(void *))                          \
  X(cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2",                                 \
    CUresult(CUdeviceptr, const void *, size_t, CUstream))                     \
  X(cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2",                                 \
    CUresult(void *, CUdeviceptr, size_t, CUstream))                           \
  X(cuMemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2",                                 \
    CUresult(CUdeviceptr, CUdeviceptr, size_t, CUstream))                      \
  /* No _v2 either: peer copies came with CUDA 4.0, after the 64-bit ABI. */   \
  X(cuMemcpyPeerAsync, "cuMemcpyPeerAsync",                                    \
    CUresult(CUdeviceptr, CUcontext, CUdeviceptr, CUcontext, size_t,           \
             CUstream))                                                        \
  /* cuMemsetD8Async has no _v2: it came after the 64-bit ABI. */              \
  X(cuMemsetD8Async, "cuMemsetD8Async",                                        \
    CUresult(CUdeviceptr, unsigned char, size_t, CUstream))                    \
  X(cuStreamCreate, "cuStreamCreate", CUresult(CUstream *, unsigned))          \
  X(cuStreamDestroy, "cuStreamDestroy_v2", CUresult(CUstream))                 \
  X(cuStreamSynchronize, "cuStreamSynchronize", CUresult(CUstream))            \
  X(cuStreamWaitEvent, "cuStreamWaitEvent",                                    \
    CUresult(CUstream, CUevent, unsigned))                                     \
  X(cuEventCreate, "cuEventCreate", CUresult(CUevent *, unsigned))             \
  X(cuEventDestroy, "cuEventDestroy_v2", CUresult(CUevent))                    \
  X(cuEventRecord, "cuEventRecord", CUresult(CUevent, CUstream))               \
  X(cuEventSynchronize, "cuEventSynchronize", CUresult(CUevent))               \
  /* Not _v2: that one is CUDA 12.8+ only, with the same signature, and */     \
  /* drivers keep exporting this one (Jetson's export nothing else). */        \
  X(cuEventElapsedTime, "cuEventElapsedTime",                                  \
    CUresult(float *, CUevent, CUevent))                                       \
  X(cuModuleLoadDataEx, "cuModuleLoadDataEx",                                  \
    CUresult(CUmodule *, const void *, unsigned, CUjit_option *, void **))     \
  X(cuModuleUnload, "cuModuleUnload", CUresult(CUmodule))                      \
  X(cuModuleGetFunction, "cuModuleGetFunction",                                \
    CUresult(CUfunction *, CUmodule, const char *))                            \
  X(cuLaunchKernel, "cuLaunchKernel",                                          \
    CUresult(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned,     \
             unsigned, unsigned, CUstream, void **, void **))                  \
  X(cuGetErrorString, "cuGetErrorString", CUresult(CUresult, const char **))   \
  X(cuGetErrorName, "cuGetErrorName", CUresult(CUresult, const char **))

/// The driver's entry points, all non-null once loaded.
struct CudaDriver {
#define IRCGPU_CUDA_MEMBER(Name, Symbol, Type)                                 \
  std::add_pointer_t<Type> Name = nullptr;
  IRCGPU_CUDA_DRIVER_ENTRY_POINTS(IRCGPU_CUDA_MEMBER)
#undef IRCGPU_CUDA_MEMBER
};

/// The driver, loaded once per process (later calls return the first
/// answer). Errors: "no CUDA driver: libcuda.so.1 could not be loaded
/// (<dlerror>)", or a missing entry point.
llvm::Expected<const CudaDriver &> loadCudaDriver();

/// Whether R is a "sticky" error: a kernel faulted (illegal address,
/// illegal instruction, misaligned address, trap, assert, ...) and the
/// driver now answers R to every later call in that context, until the
/// process ends (docs/reliability.md, "A kernel that faults").
bool isStickyError(CUresult R);

/// The one place a CUresult becomes an error: a RuntimeError
/// "<What>: <CUDA_ERROR_NAME> (<the driver's description>)", followed by
/// "; JIT log:\n<Log>" when the driver left a non-empty Log (module loads).
/// A sticky error says that the context is unusable from now on.
llvm::Error check(const CudaDriver &D, CUresult R, const llvm::Twine &What,
                  llvm::StringRef Log = {});

} // namespace ircgpu::cuda

#endif
