//===- codegen/nvptx/LibDevice.h - finding and linking libdevice -*- C++ -*-=//
//
// libdevice.10.bc is NVIDIA's math library as LLVM bitcode (the __nv_*
// functions); it ships with the CUDA toolkit, not with the driver, so it is
// searched for at run time rather than embedded.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CODEGEN_NVPTX_LIBDEVICE_H
#define IRCGPU_CODEGEN_NVPTX_LIBDEVICE_H

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace ircgpu::nvptx {

/// Where libdevice is looked for, in order: $IRC_GPU_LIBDEVICE alone when it
/// is set (a file; a wrong path should fail, not silently pick another
/// copy); otherwise $CUDA_HOME and $CUDA_PATH + /nvvm/libdevice/
/// libdevice.10.bc, /usr/local/cuda/nvvm/libdevice/libdevice.10.bc, then
/// Debian's /usr/lib/nvidia-cuda-toolkit/libdevice/libdevice.10.bc.
std::vector<std::string> libDeviceCandidates();

/// The first candidate that is a file, or an error naming every path tried.
llvm::Expected<std::string> findLibDevice();

/// Links the __nv_* functions M calls (and what they call) from libdevice,
/// internalises everything but the kernels (ptx_kernel calling convention)
/// and sets the nvvm-reflect-ftz module flag to 0, so that NVVMReflect
/// selects libdevice's IEEE (denormal-preserving) paths. A module calling
/// no __nv_* function is left untouched. The file is read once per process
/// and parsed lazily per call: only the needed functions are materialised.
llvm::Error linkLibDevice(llvm::Module &M);

} // namespace ircgpu::nvptx

#endif
