//===- RunGpu.h - `irc-gpu run` and `compile` on the GPU path ---*- C++ -*-===//
#ifndef IRCGPU_TOOLS_RUNGPU_H
#define IRCGPU_TOOLS_RUNGPU_H

#include "ArgBinding.h"
#include "Tool.h"

#include "ircgpu/Codegen.h"
#include "ircgpu/Device.h"

#include <memory>

namespace irctool {

/// Opens `cuda` or `cuda:N`; a missing driver or device is a runtime error
/// (exit 3) naming the device.
llvm::Expected<std::unique_ptr<ircgpu::Device>> openGpu(llvm::StringRef Spec);

/// The code object of plan P (entry Entry of M, built with Codegen): from the
/// module cache (processModuleCache(), keyed by the module hash of `irc-gpu
/// hash`), or compiled and stored there.
llvm::Expected<ircgpu::CodeObject> compileCached(const ircgpu::Module &M,
                                                 llvm::StringRef Entry,
                                                 const CodegenOptions &Codegen,
                                                 const ircgpu::Plan &P);

/// Runs entry F of M on Dev with the bound arguments; the buffers of B hold
/// the GPU's results afterwards.
llvm::Expected<std::vector<uint64_t>>
runOnGpu(ircgpu::Device &Dev, const Source &Src, const ircgpu::Module &M,
         const ircgpu::Function &F, const RunOptions &Opts, Bindings &B);

} // namespace irctool

#endif
