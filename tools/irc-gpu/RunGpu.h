//===- RunGpu.h - `irc-gpu run` and `compile` on the GPU path ---*- C++ -*-===//
#ifndef IRCGPU_TOOLS_RUNGPU_H
#define IRCGPU_TOOLS_RUNGPU_H

#include "ArgBinding.h"
#include "Tool.h"

#include "ircgpu/Bundle.h"
#include "ircgpu/Codegen.h"
#include "ircgpu/Device.h"

#include <memory>

namespace irctool {

/// Opens `cuda`, `cuda:N`, `hip` or `hip:N`; a missing driver or device is a
/// runtime error (exit 3) naming the device.
llvm::Expected<std::unique_ptr<ircgpu::Device>> openGpu(llvm::StringRef Spec);

/// The module hash of entry Entry of M with Codegen (what `irc-gpu hash`
/// prints): the module cache's key.
std::string cacheKey(const ircgpu::Module &M, llvm::StringRef Entry,
                     const CodegenOptions &Codegen);

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

/// Loads plan P with its code Image on Dev and runs it with B (the entry F's
/// arguments): what runOnGpu does once it has the code, and what `run` does
/// with a bundle.
llvm::Expected<std::vector<uint64_t>>
runPlanOnGpu(ircgpu::Device &Dev, ircgpu::Plan P, bool Checked,
             llvm::StringRef Image, const ircgpu::Function &F, Bindings &B);

/// A bundle to run, with its source module parsed.
struct LoadedBundle {
  ircgpu::Bundle B;
  std::unique_ptr<ircgpu::Module> M;
};

/// Reads the bundle in Src (an input error naming the file if it is bad) and
/// checks the command line against it: --entry must be its entry, and
/// --target, -O, --checked and --allow-sequential, where given, what it was
/// compiled with (usage errors otherwise).
llvm::Expected<LoadedBundle> loadBundleForRun(const Source &Src,
                                              const RunOptions &Opts);

} // namespace irctool

#endif
