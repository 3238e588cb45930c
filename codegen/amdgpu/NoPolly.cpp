//===- codegen/amdgpu/NoPolly.cpp - LLVMExtensions without Polly ----------===//
//
// lld's LTO code (never used here: lld only links the AMDGPU backend's
// object files, no bitcode) registers LLVM's statically linked pass plugins,
// and Debian's LLVM lists Polly among them; Polly itself is in a separate
// package (libpolly-19-dev, 12 MB). This plugin, which adds no pass, stands
// in for it, so that libircgpu.so links without Polly.
//
//===----------------------------------------------------------------------===//
#include "llvm/Config/llvm-config.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"

llvm::PassPluginLibraryInfo getPollyPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "Polly (absent)", LLVM_VERSION_STRING,
          [](llvm::PassBuilder &) {}};
}
