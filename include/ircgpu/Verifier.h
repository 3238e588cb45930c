//===- ircgpu/Verifier.h - whole-module checks ------------------*- C++ -*-===//
#ifndef IRCGPU_VERIFIER_H
#define IRCGPU_VERIFIER_H

#include "ircgpu/IR.h"

#include "llvm/Support/Error.h"

namespace ircgpu {

/// Ops in a function once every call in it is inlined (a call counts as its
/// callee's ops), a limit next to those of IR.h (docs/ir.md, "Limits"): it
/// bounds the inliner, the interpreter's translation and everything after
/// them, which a chain of functions each calling the next twice would
/// otherwise make exponential.
inline constexpr unsigned MaxFunctionOps = 1u << 20;

/// Checks everything spec/vir.md requires of a module: operand and result
/// types of every op (inferResultTypes), SSA scoping, terminators and yield
/// types, callees (arity and types) and recursion in the call graph, nesting
/// depth, the size of each function once inlined (MaxFunctionOps), f16
/// (unsupported). Reports a DiagnosticError listing every problem
/// found, the first one first in source order.
llvm::Error verifyModule(const Module &M);

} // namespace ircgpu

#endif
