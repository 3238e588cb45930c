//===- ircgpu/Verifier.h - whole-module checks ------------------*- C++ -*-===//
#ifndef IRCGPU_VERIFIER_H
#define IRCGPU_VERIFIER_H

#include "ircgpu/IR.h"

#include "llvm/Support/Error.h"

namespace ircgpu {

/// Checks everything spec/vir.md requires of a module: operand and result
/// types of every op (inferResultTypes), SSA scoping, terminators and yield
/// types, callees (arity and types) and recursion in the call graph, nesting
/// depth, f16 (unsupported). Reports a DiagnosticError listing every problem
/// found, the first one first in source order.
llvm::Error verifyModule(const Module &M);

} // namespace ircgpu

#endif
