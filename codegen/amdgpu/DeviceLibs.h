//===- codegen/amdgpu/DeviceLibs.h - linking OCML for AMDGPU ----*- C++ -*-===//
//
// OCML (ocml.bc, the __ocml_* functions) is AMD's math library as LLVM
// bitcode; Debian's rocm-device-libs installs it. Like libdevice it is
// searched for at run time rather than embedded.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CODEGEN_AMDGPU_DEVICELIBS_H
#define IRCGPU_CODEGEN_AMDGPU_DEVICELIBS_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace ircgpu::amdgpu {

/// The settings OCML reads from the `oclc_*` control libraries: each of
/// those files defines exactly one constant, so they are defined here from
/// the target instead of read (rocm-device-libs 5.2 has no
/// oclc_isa_version_1100.bc or _942.bc; the unit test checks these values
/// against every control file that exists).
struct OclcControls {
  uint32_t IsaVersion; ///< __oclc_ISA_version: gfx90a -> 9010
  bool Wavefront64;    ///< __oclc_wavefrontsize64
};

/// The name and value of each control constant for C, in the order of the
/// oclc_* files: {"__oclc_ISA_version", 9010}, ...
std::vector<std::pair<std::string, uint32_t>>
oclcConstants(const OclcControls &C);

/// Where ocml.bc is looked for: $IRC_GPU_ROCM_DEVICE_LIBS alone when set
/// (a folder), else Debian's /usr/lib/x86_64-linux-gnu/amdgcn/bitcode, then
/// ROCm's /opt/rocm/amdgcn/bitcode.
std::vector<std::string> deviceLibDirs();

/// Links the __ocml_* functions M calls from ocml.bc, defines the oclc
/// control constants they read for C, and internalises everything but the
/// kernels (amdgpu_kernel calling convention). A module calling no __ocml_*
/// function is left untouched. ocml.bc is read once per process and parsed
/// lazily per call: only the needed functions are materialised.
llvm::Error linkDeviceLibs(llvm::Module &M, const OclcControls &C);

} // namespace ircgpu::amdgpu

#endif
