//===- ircgpu/PlanCode.h - a plan's code object through the cache -*- C++ -*-=//
//
// What every client that runs plans does between the passes and the
// executor (the CLI's run/compile, the benchmark harness, a VM): the key of
// a plan's code object in the module cache — the module hash that `irc-gpu
// hash` prints, over the entry, the target and the options — and the code
// object itself, from the cache or compiled and stored there.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_PLANCODE_H
#define IRCGPU_PLANCODE_H

#include "ircgpu/Codegen.h"
#include "ircgpu/Device.h"
#include "ircgpu/IR.h"
#include "ircgpu/ModuleCache.h"

#include <string>
#include <vector>

namespace ircgpu {

/// The options that change the code, in the canonical form HashInputs
/// takes: "-O<n>", then "--checked", "--allow-sequential" and "--ptx-only"
/// (no cubin) where they are set.
std::vector<std::string> codeHashOptions(const CodegenOptions &Opts,
                                         bool AllowSequential);

/// Opts made right for a device of Info: the target is Opts.Target where
/// TargetGiven, else Info's own architecture where the code generator has
/// it, else the default target (a GPU newer than the code generator knows);
/// a cubin runs only on its own architecture, so Cubin stays set only when
/// the target is Info's, and other code is PTX, which the driver compiles
/// forward. Through planCodeKey, the target is thus in the cache key: GPUs
/// of one architecture share one compile, GPUs of two never share a cubin.
CodegenOptions codegenOptionsForDevice(const DeviceInfo &Info,
                                       CodegenOptions Opts, bool TargetGiven);

/// The module-cache key of entry Entry of M compiled with these options.
std::string planCodeKey(const Module &M, llvm::StringRef Entry,
                        const CodegenOptions &Opts, bool AllowSequential);

/// P's code object (compilePlanCode(P, Opts)) under Key in Cache: read
/// back, or compiled and stored.
llvm::Expected<CodeObject> cachedPlanCode(ModuleCache &Cache,
                                          llvm::StringRef Key, const Plan &P,
                                          const CodegenOptions &Opts);

} // namespace ircgpu

#endif
