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

using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUjit_option = int;

enum CUdevice_attribute : int {
  CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1,
  CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
};

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
  X(cuMemAlloc, "cuMemAlloc_v2", CUresult(CUdeviceptr *, size_t))              \
  X(cuMemFree, "cuMemFree_v2", CUresult(CUdeviceptr))                          \
  X(cuMemcpyHtoD, "cuMemcpyHtoD_v2",                                           \
    CUresult(CUdeviceptr, const void *, size_t))                               \
  X(cuMemcpyDtoH, "cuMemcpyDtoH_v2", CUresult(void *, CUdeviceptr, size_t))    \
  X(cuMemcpyDtoD, "cuMemcpyDtoD_v2",                                           \
    CUresult(CUdeviceptr, CUdeviceptr, size_t))                                \
  X(cuMemsetD8, "cuMemsetD8_v2", CUresult(CUdeviceptr, unsigned char, size_t)) \
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

/// The one place a CUresult becomes an error: a RuntimeError
/// "<What>: <CUDA_ERROR_NAME> (<the driver's description>)".
llvm::Error check(const CudaDriver &D, CUresult R, const llvm::Twine &What);

} // namespace ircgpu::cuda

#endif
