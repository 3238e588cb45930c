//===- passes/Reductions.h - recognise parallel reductions ------*- C++ -*-===//
#ifndef IRCGPU_PASSES_REDUCTIONS_H
#define IRCGPU_PASSES_REDUCTIONS_H

#include "ircgpu/IR.h"

#include <string>
#include <vector>

namespace ircgpu {

struct Reduction {
  unsigned Iter;   ///< index among the loop's iter arguments
  Opcode Combine;  ///< Add Mul And Or Xor SMin SMax UMin UMax FAdd FMul FMin FMax
  const Op *Update; ///< the op in the body computing OP(acc, x) (yielded)
  unsigned XOperand; ///< which operand of Update is x (0 or 1)
};

struct ReductionInfo {
  std::vector<Reduction> Reductions; ///< one per iter argument when Ok
  bool Ok = true;
  /// When !Ok: the first iter argument that is not a reduction, and why
  /// (e.g. "iter argument %acc is updated by 'fsub', which is not a
  /// reduction", "'fadd' reduction of %s needs 'reassoc'", "%acc is also
  /// used by 'store'").
  unsigned BadIter = 0;
  std::string Why;
};

/// Classifies the iter arguments of `for` op L of F per spec §4: the yielded
/// value is OP(%acc, x) or OP(x, %acc) directly in the body region, %acc is
/// used nowhere else in the body (nested regions included), OP is one of
/// add mul and or xor smin smax umin umax (any loop) or fadd fmul fmin fmax
/// (the loop has `reassoc`).
ReductionInfo findReductions(const Function &F, const Op &L);

} // namespace ircgpu

#endif
