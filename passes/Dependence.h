//===- passes/Dependence.h - may a loop run in parallel? --------*- C++ -*-===//
#ifndef IRCGPU_PASSES_DEPENDENCE_H
#define IRCGPU_PASSES_DEPENDENCE_H

#include "ircgpu/IR.h"

#include <string>
#include <utility>
#include <vector>

namespace ircgpu {

struct LoopVerdict {
  enum Kind {
    Parallel,           ///< iterations are independent (or `parallel` says so)
    ParallelIfDisjoint, ///< independent if the buffer pairs do not overlap
    Sequential,         ///< a dependence was found or could not be ruled out
  } K = Parallel;
  /// ParallelIfDisjoint: pairs of F's buffer parameters that must not
  /// overlap (neither is noalias, at least one is written in the loop).
  std::vector<std::pair<unsigned, unsigned>> MustBeDisjoint; ///< param indices
  /// Sequential: the dependence, naming the buffer and both index
  /// expressions, e.g. "%x[%i] is written and %x[%i - 1] is read by
  /// different iterations of the loop over %i"; or the carried value that is
  /// not a reduction (from findReductions).
  std::string Why;
  SrcLoc Loc; ///< the access (or op) the reason points at; else the loop
};

/// Decides whether the iterations of the `for` op L of F (calls inlined) may
/// run in any order, apart from its reductions. L is usually at the top level
/// of F; for a nested L, values defined outside it (enclosing loop indices
/// included) are taken as fixed, i.e. the verdict is for one run of L. A
/// loop marked `parallel` is taken at its word for memory (Parallel) but its
/// iter arguments must still be reductions. Otherwise every pair of accesses
/// (load, store, atomic, cmpxchg; through `offset`) to buffers that may be
/// the same, at least one a write, is tested with an affine model of the
/// index in L's index, the indices of loops nested in L and values invariant
/// in L (delinearising `row * n + col` where col's loop runs over [0, n)).
/// Atomics to the same element commute with each other and are independent.
/// Parameter attributes are used: `noalias` separates a buffer from every
/// other, `readonly` buffers are never written.
LoopVerdict analyzeLoop(const Function &F, const Op &L);

} // namespace ircgpu

#endif
