//===- passes/Outline.h - a function becomes a launch plan ------*- C++ -*-===//
#ifndef IRCGPU_PASSES_OUTLINE_H
#define IRCGPU_PASSES_OUTLINE_H

#include "ircgpu/Compiler.h"
#include "ircgpu/Plan.h"

#include "llvm/Support/Error.h"

namespace ircgpu {

/// Turns F (inlined, canonical) into a launch plan (spec §5), top-level op by
/// top-level op:
///  - a `for` that analyzeLoop() finds Parallel becomes a Kernel step: its
///    perfectly nested inner `for`s without iter arguments that are also
///    Parallel become further grid dimensions (up to 3, the innermost loop
///    fastest); its reductions become ReductionSpecs; the body is outlined
///    into a kernel function; ParallelIfDisjoint adds an OverlapCheck step
///    whose Fallback is the loop as a sequential Scalar step;
///  - a sequential `for` or a `while` whose body holds offloadable loops
///    becomes a ForLoop / WhileLoop plan step, its body planned recursively;
///  - any other loop that is not offloadable is refused with a
///    DiagnosticError `not offloadable: <LoopVerdict::Why>` at the loop (and
///    the access), unless Opts.AllowSequential makes it a sequential Scalar
///    step;
///  - runs of other top-level ops become Scalar steps.
/// The outlined functions are verified VIR in Plan::Code.
llvm::Expected<Plan> outlinePlan(const Function &F, const CompileOptions &Opts);

} // namespace ircgpu

#endif
