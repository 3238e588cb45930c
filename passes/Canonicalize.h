//===- passes/Canonicalize.h - fold, CSE, DCE -------------------*- C++ -*-===//
#ifndef IRCGPU_PASSES_CANONICALIZE_H
#define IRCGPU_PASSES_CANONICALIZE_H

#include "ircgpu/IR.h"

namespace ircgpu {

/// Simplifies F (calls already inlined) until nothing changes:
///  - constant folding of ops whose operands are all constants (literals or
///    `const` results), with exactly the semantics of the interpreter
///    (division by zero, saturating conversions, NaN rules, ...), so folding
///    never changes a result bit; the folded value becomes a literal operand
///    (or a `const` op where a result must stay a value);
///  - common-subexpression elimination of pure ops (not loads, stores,
///    atomics, calls or region ops) with the same opcode, flags and operands
///    in the same or an enclosing region;
///  - dead-code elimination of pure ops whose results are unused, and of
///    region ops with no side effects and unused results.
/// F stays verified.
void canonicalize(Function &F);

} // namespace ircgpu

#endif
