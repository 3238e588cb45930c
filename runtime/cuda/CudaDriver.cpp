//===- runtime/cuda/CudaDriver.cpp - loading libcuda.so.1 -----------------===//

#include "runtime/cuda/CudaDriver.h"

#include "ircgpu/Diagnostics.h"

#include "llvm/Support/FormatVariadic.h"

#include <dlfcn.h>
#include <string>

using namespace llvm;

namespace ircgpu::cuda {

namespace {
struct LoadResult {
  CudaDriver Driver;
  std::string Error; // empty on success
};
} // namespace

static LoadResult load() {
  LoadResult R;
  // Never dlclose'd: the driver keeps threads and contexts alive until exit.
  void *Lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!Lib) {
    const char *Msg = dlerror();
    R.Error =
        std::string("no CUDA driver: libcuda.so.1 could not be loaded (") +
        (Msg ? Msg : "unknown reason") + ")";
    return R;
  }
#define IRCGPU_CUDA_LOOKUP(Name, Symbol, Type)                                 \
  R.Driver.Name =                                                              \
      reinterpret_cast<std::add_pointer_t<Type>>(dlsym(Lib, Symbol));          \
  if (!R.Driver.Name) {                                                        \
    R.Error = "CUDA driver too old: libcuda.so.1 has no " Symbol;              \
    return R;                                                                  \
  }
  IRCGPU_CUDA_DRIVER_ENTRY_POINTS(IRCGPU_CUDA_LOOKUP)
#undef IRCGPU_CUDA_LOOKUP
  return R;
}

Expected<const CudaDriver &> loadCudaDriver() {
  // A function-local static: loaded once, thread-safely, on first use.
  static const LoadResult R = load();
  if (!R.Error.empty())
    return make_error<RuntimeError>(R.Error);
  return R.Driver;
}

bool isStickyError(CUresult R) {
  // cuda.h: 700 ILLEGAL_ADDRESS, 702 LAUNCH_TIMEOUT, 710 ASSERT,
  // 714 HARDWARE_STACK_ERROR, 715 ILLEGAL_INSTRUCTION, 716
  // MISALIGNED_ADDRESS, 717 INVALID_ADDRESS_SPACE, 718 INVALID_PC,
  // 719 LAUNCH_FAILED: "the context cannot be used, and must be destroyed
  // (and a new one created)", and all existing allocations are invalid.
  switch (R) {
  case 700:
  case 702:
  case 710:
  case 714:
  case 715:
  case 716:
  case 717:
  case 718:
  case 719:
    return true;
  default:
    return false;
  }
}

Error check(const CudaDriver &D, CUresult R, const Twine &What, StringRef Log) {
  if (R == CUDA_SUCCESS)
    return Error::success();
  const char *Name = nullptr;
  const char *Desc = nullptr;
  // Both fail (leaving the strings null) for a code this driver does not know.
  if (D.cuGetErrorName(R, &Name) != CUDA_SUCCESS)
    Name = nullptr;
  if (D.cuGetErrorString(R, &Desc) != CUDA_SUCCESS)
    Desc = nullptr;
  std::string Msg = formatv("{0}: {1} ({2})", What.str(),
                            Name ? Name : formatv("CUDA error {0}", R).str(),
                            Desc ? Desc : "no description")
                        .str();
  // The JIT's log is what says which PTX line is wrong; the status code
  // alone is only CUDA_ERROR_INVALID_PTX.
  Log = Log.trim();
  if (!Log.empty())
    Msg += ("; JIT log:\n" + Log).str();
  // Not reset here: the primary context is shared with every other CUDA
  // library of the process (CuPy, PyTorch), whose memory a reset would free
  // behind their backs. The process decides; a new one starts clean.
  if (isStickyError(R))
    Msg += "; a kernel faulted: the device's CUDA context is unusable from "
           "now on (every later operation on it fails); restart the process";
  return make_error<RuntimeError>(std::move(Msg));
}

} // namespace ircgpu::cuda
