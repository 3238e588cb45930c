//===- codegen/Optimize.h - LLVM's default pipeline for a target -*- C++ -*-=//
//
// Target-neutral: each target's optimize() hands in its TargetMachine, whose
// callbacks add the target's own passes (NVVMReflect, address-space
// inference for NVPTX) to the standard -O pipelines.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CODEGEN_OPTIMIZE_H
#define IRCGPU_CODEGEN_OPTIMIZE_H

#include "llvm/Support/Error.h"

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace ircgpu {

/// Runs LLVM's default module pipeline at -O<OptLevel> (0..3; O0 is
/// buildO0DefaultPipeline: always-inline and the target's start passes) on
/// M, then verifies it. No fast-math flag is added: VIR's float semantics
/// (docs/codegen.md) stay as lowered. TM must not be in use by another
/// thread.
llvm::Error optimizeModule(llvm::Module &M, llvm::TargetMachine &TM,
                           unsigned OptLevel);

} // namespace ircgpu

#endif
