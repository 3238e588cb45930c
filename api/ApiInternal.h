//===- api/ApiInternal.h - the API's kernel backends ----------*- C++ -*-===//
//
// One Kernel subclass per kind of context (ApiBackends.cpp): a launch plan
// loaded on a GPU, the reference interpreter, the plan simulator. Context.cpp
// makes them; Kernel::launch has checked the arguments before they run.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_API_APIINTERNAL_H
#define IRCGPU_API_APIINTERNAL_H

#include "ircgpu/Kernel.h"
#include "ircgpu/Plan.h"

namespace ircgpu {

/// Loads Image (the code of P) on Dev.
llvm::Expected<KernelRef> makeGpuKernel(Device &Dev, const Function &F,
                                        std::string Key, uint64_t Owner, Plan P,
                                        bool Checked, llvm::StringRef Image);
/// Runs Entry of M (verified) on the reference interpreter.
llvm::Expected<KernelRef> makeInterpKernel(std::shared_ptr<const Module> M,
                                           const Function &F, std::string Key,
                                           uint64_t Owner);
/// Runs P on the plan simulator.
KernelRef makeSimKernel(const Function &F, std::string Key, uint64_t Owner,
                        Plan P);

} // namespace ircgpu

#endif
