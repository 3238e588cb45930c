//===- ircgpu/Plan.h - launch plans -----------------------------*- C++ -*-===//
//
// A launch plan (spec §5) is what an entry function compiles to: a sequence
// of steps run in order on one stream. Code is VIR: every kernel and every
// scalar step is an outlined VIR function in Plan::Code, so the interpreter,
// the plan simulator and the GPU code generators all start from the same,
// verifiable IR.
//
// Values that live across steps are *slots*: the entry's parameters first
// (slot i = parameter i), then values computed by scalar steps, reduction
// results and plan-loop variables. On a GPU a scalar slot is a word of device
// memory, so scalar code between kernels needs no host round trip; a buffer
// slot is a (device pointer, element count) pair.
//
// Kernel calling convention: a kernel function's parameters are the loop
// indices of its grid dimensions (outermost loop first, each of its loop's
// index type), then the values of Step::Args. It returns one value per
// reduction of the step: the operand `x` its grid point contributes to
// `acc = OP(acc, x)`. The executor computes each index as LB + t * Step for
// t in [0, trip count).
//
// Scalar and sequential steps: the function's parameters are the values of
// Step::Args and its results go to Step::Results. A scalar step runs once,
// single-threaded, on the device.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_PLAN_H
#define IRCGPU_PLAN_H

#include "ircgpu/IR.h"

#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace ircgpu {

using SlotId = uint32_t;

struct PlanSlot {
  Type Ty;
  std::string Name; ///< for printing: the VIR value's name, or ""
  /// A constant slot (a literal loop bound, initial value, returned value, or
  /// the result of a `const` op) holds Bits (as ValueInfo::Bits) from the
  /// start of the plan; no step writes it.
  bool IsConst = false;
  uint64_t Bits = 0;
};

/// One dimension of a kernel's grid: the bounds of the loop it replaces.
struct GridDim {
  SlotId LB, UB, Step;
};

/// A parallel reduction: Result = OP(Init, x_0, x_1, ...) over the grid's
/// points in the fixed tree order of docs/passes.md ("Reduction order").
struct ReductionSpec {
  Opcode
      Combine; ///< Add Mul And Or Xor SMin SMax UMin UMax FAdd FMul FMin FMax
  Type Ty;
  SlotId Init;
  SlotId Result;
};

enum class StepKind : uint8_t {
  Kernel,       ///< a parallel loop nest over a 1-3-D grid
  Scalar,       ///< straight-line (or sequential) code, run once on the device
  ForLoop,      ///< a plan loop: Body runs once per iteration
  WhileLoop,    ///< a plan loop: Cond, then Body while CondSlot is true
  OverlapCheck, ///< Body if the buffers are disjoint, else Fallback
};

struct PlanStep {
  StepKind Kind = StepKind::Scalar;
  SrcLoc Loc; ///< the loop or first op it came from

  // Kernel, Scalar: the outlined function (index into Plan::Code).
  uint32_t Func = ~0u;
  std::vector<SlotId> Args; ///< values passed to Func, in its parameter order
  std::vector<SlotId> Results; ///< Scalar: slots its results are written to
  /// Scalar: the code was a loop that could not be proven parallel and runs
  /// sequentially (--allow-sequential or the overlap fallback).
  bool Sequential = false;

  // Kernel.
  std::vector<GridDim> Grid; ///< outermost loop first; the last is fastest
  std::vector<ReductionSpec> Reductions;

  // ForLoop: Bounds = {LB, UB, Step}; Index is the slot of the loop index.
  // WhileLoop: Cond steps run first and set CondSlot.
  // Both: Carried[i] holds the loop variable, initialised from Inits[i],
  // updated from Nexts[i] at the end of Body (all at once: a Next may be
  // another Carried slot, as in a swap); LoopResults[i] get the final values.
  GridDim Bounds{~0u, ~0u, ~0u};
  SlotId Index = ~0u;
  std::vector<PlanStep> Cond;
  SlotId CondSlot = ~0u;
  std::vector<SlotId> Carried, Inits, Nexts, LoopResults;
  std::vector<PlanStep> Body;

  // OverlapCheck: each pair of buffer slots must not overlap for Body to run;
  // otherwise Fallback (the same loop, sequential) runs.
  std::vector<std::pair<SlotId, SlotId>> Disjoint;
  std::vector<PlanStep> Fallback;
};

struct Plan {
  std::string Entry;
  std::unique_ptr<Module> Code; ///< kernels and scalar steps
  std::vector<PlanSlot> Slots;  ///< slot i < NumParams: entry parameter i
  unsigned NumParams = 0;
  std::vector<PlanStep> Steps;
  std::vector<SlotId> Returns; ///< the entry's results, in order
};

/// Calls F on every step of Steps and of the steps nested in them (plan-loop
/// conditions and bodies, overlap-check bodies and fallbacks), each step
/// before its nested ones.
template <typename Fn>
void forEachStep(const std::vector<PlanStep> &Steps, Fn &&F) {
  for (const PlanStep &S : Steps) {
    F(S);
    for (const std::vector<PlanStep> *Sub : {&S.Cond, &S.Body, &S.Fallback})
      forEachStep(*Sub, F);
  }
}

/// For each function of P.Code (by index), the first Kernel or Scalar step
/// that runs it, or null: what a code generator emits that function for.
inline std::vector<const PlanStep *> stepsByFunction(const Plan &P) {
  std::vector<const PlanStep *> ByFunc(P.Code->Functions.size());
  forEachStep(P.Steps, [&](const PlanStep &S) {
    if ((S.Kind == StepKind::Kernel || S.Kind == StepKind::Scalar) &&
        S.Func < ByFunc.size() && !ByFunc[S.Func])
      ByFunc[S.Func] = &S;
  });
  return ByFunc;
}

/// Prints the plan readably: slots, steps (kernels with grids and reductions,
/// scalar steps, plan loops, overlap checks) and the outlined code.
void printPlan(const Plan &P, llvm::raw_ostream &OS);

} // namespace ircgpu

#endif
