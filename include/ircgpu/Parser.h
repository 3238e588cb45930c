//===- ircgpu/Parser.h - VIR text to a Module -------------------*- C++ -*-===//
#ifndef IRCGPU_PARSER_H
#define IRCGPU_PARSER_H

#include "ircgpu/IR.h"

#include "llvm/Support/Error.h"

namespace ircgpu {

/// Parses VIR text into a module, building it through the Builder (so types
/// and scoping are checked as it goes). Errors are a DiagnosticError pointing
/// at the offending token. Never recurses deeper than MaxNestingDepth.
/// Call verifyModule() afterwards for the whole-module checks.
llvm::Expected<std::unique_ptr<Module>> parseModule(llvm::StringRef Source);

/// parseModule() followed by verifyModule().
llvm::Expected<std::unique_ptr<Module>> parseAndVerify(llvm::StringRef Source);

} // namespace ircgpu

#endif
