//===- ircgpu/Compiler.h - from VIR to a launch plan ------------*- C++ -*-===//
#ifndef IRCGPU_COMPILER_H
#define IRCGPU_COMPILER_H

#include "ircgpu/IR.h"
#include "ircgpu/Plan.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace ircgpu {

struct CompileOptions {
  /// Run loops that cannot be offloaded sequentially on the device instead
  /// of refusing them (`--allow-sequential`).
  bool AllowSequential = false;
  /// Bounds-checked mode (`--checked`); carried to code generation.
  bool Checked = false;
  /// Print the entry function after each named pass ("inline",
  /// "canonicalize"), or after every pass for "all", to DumpStream.
  std::vector<std::string> DumpAfter;
  llvm::raw_ostream *DumpStream = nullptr;
};

/// The names of the passes, in pipeline order (for --dump-after).
llvm::ArrayRef<const char *> passNames();

/// Compiles entry Entry of the verified module M into a launch plan: inline,
/// canonicalize, analyse and outline (docs/passes.md). M is not changed. A
/// loop that cannot be offloaded is a DiagnosticError whose message starts
/// with "not offloadable: ".
llvm::Expected<Plan> buildPlan(const Module &M, llvm::StringRef Entry,
                               const CompileOptions &Opts = {});

} // namespace ircgpu

#endif
