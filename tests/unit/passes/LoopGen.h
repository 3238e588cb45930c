//===- tests/unit/passes/LoopGen.h - random valid loop programs -*- C++ -*-===//
//
// A small generator of valid VIR for differential testing of the passes and
// the plan simulator: one entry function @f(%n: i64, buffers...) whose
// buffers all hold n * n elements, with top-level loops (1-D and 2-D nests,
// some `parallel`, most not), affine indices kept in bounds by construction
// or by an `if` on a bounds compare, integer arithmetic only (so every result
// bit is defined), integer reductions, scalar code between loops, loop-carried
// dependences, and plan loops (time steps, a bounded `while`).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_TESTS_UNIT_PASSES_LOOPGEN_H
#define IRCGPU_TESTS_UNIT_PASSES_LOOPGEN_H

#include "ircgpu/IR.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ircgpu::test {

struct GenProgram {
  std::string Text; ///< the module; the entry is @f
  /// Element types of the buffer parameters, in order (parameter 0 is %n).
  std::vector<Scalar> Buffers;
  /// Buffer AliasOf[k] (>= 0) must be passed the same memory as buffer
  /// AliasOf[k] (the program has no noalias or readonly buffer then and no
  /// `parallel` loop); -1 for its own memory.
  std::vector<int> AliasOf;
};

/// The program of Seed (the same seed gives the same text).
GenProgram generateLoops(uint64_t Seed);

} // namespace ircgpu::test

#endif
