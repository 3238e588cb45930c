//===- passes/Inline.h - inline every call ----------------------*- C++ -*-===//
#ifndef IRCGPU_PASSES_INLINE_H
#define IRCGPU_PASSES_INLINE_H

#include "ircgpu/IR.h"

namespace ircgpu {

/// Replaces every `call` in M's function F (transitively) with a copy of the
/// callee's body; the callee's `ret` values replace the call's results. The
/// verifier has already refused recursion, so this terminates. F stays
/// verified; other functions of M are not changed.
void inlineCalls(Module &M, Function &F);

} // namespace ircgpu

#endif
