//===- runtime/PlanWalker.h - the control flow of a launch plan -*- C++ -*-===//
//
// What every runner of a launch plan does the same way: steps in order, an
// overlap check choosing its body or its sequential fallback, `for` and
// `while` plan loops with their all-at-once updates of the carried values
// (Plan.h). The plan simulator (Simulator.cpp) and the GPU executor
// (PlanExecutor.cpp) derive from it and supply where values live:
//   Error runKernel(const PlanStep &), Error runScalar(const PlanStep &),
//   std::pair<uint64_t, uint64_t> extent(SlotId)
//                                          a buffer slot's first byte's
//                                          address and its size in bytes,
//   Expected<uint64_t> slotValue(SlotId)   the slot's bits, on the host,
//   void setIndex(SlotId, uint64_t)        a `for` plan loop's index,
//   Error copySlots(ArrayRef<SlotId> From, ArrayRef<SlotId> To)
//                                          all sources read before any
//                                          target is written.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_RUNTIME_PLANWALKER_H
#define IRCGPU_RUNTIME_PLANWALKER_H

#include "ircgpu/Plan.h"

#include "ir/InterpSemantics.h"

#include "llvm/Support/Error.h"

namespace ircgpu {

template <typename Derived> class PlanWalker {
public:
  explicit PlanWalker(const Plan &P) : P(P) {}

  llvm::Error runSteps(const std::vector<PlanStep> &Steps) {
    for (const PlanStep &St : Steps)
      if (llvm::Error E = runStep(St))
        return E;
    return llvm::Error::success();
  }

protected:
  const Plan &P;

private:
  Derived &self() { return static_cast<Derived &>(*this); }

  /// Whether buffers A and B share no byte (an empty one shares none).
  bool disjoint(SlotId A, SlotId B) {
    auto [ABegin, ABytes] = self().extent(A);
    auto [BBegin, BBytes] = self().extent(B);
    return !ABytes || !BBytes || ABegin + ABytes <= BBegin ||
           BBegin + BBytes <= ABegin;
  }

  llvm::Error runStep(const PlanStep &St) {
    switch (St.Kind) {
    case StepKind::Kernel:
      return self().runKernel(St);
    case StepKind::Scalar:
      return self().runScalar(St);
    case StepKind::ForLoop:
      return runFor(St);
    case StepKind::WhileLoop:
      return runWhile(St);
    case StepKind::OverlapCheck:
      for (const auto &[A, B] : St.Disjoint)
        if (!disjoint(A, B))
          return runSteps(St.Fallback);
      return runSteps(St.Body);
    }
    return llvm::Error::success();
  }

  llvm::Error runFor(const PlanStep &St) {
    auto LB = self().slotValue(St.Bounds.LB);
    auto UB = self().slotValue(St.Bounds.UB);
    auto Step = self().slotValue(St.Bounds.Step);
    if (!LB || !UB || !Step)
      return llvm::joinErrors(llvm::joinErrors(LB.takeError(), UB.takeError()),
                              Step.takeError());
    Type Ty = P.Slots[St.Bounds.LB].Ty;
    uint64_t Mask = interp::maskOf(interp::shiftOf(Ty));
    uint64_t Trips = interp::forTripCount(Ty, *LB, *UB, *Step);
    if (llvm::Error E = self().copySlots(St.Inits, St.Carried))
      return E;
    for (uint64_t T = 0; T < Trips; ++T) {
      self().setIndex(St.Index, (*LB + T * *Step) & Mask);
      if (llvm::Error E = runSteps(St.Body))
        return E;
      if (llvm::Error E = self().copySlots(St.Nexts, St.Carried))
        return E;
    }
    return self().copySlots(St.Carried, St.LoopResults);
  }

  llvm::Error runWhile(const PlanStep &St) {
    if (llvm::Error E = self().copySlots(St.Inits, St.Carried))
      return E;
    for (;;) {
      if (llvm::Error E = runSteps(St.Cond))
        return E;
      auto Go = self().slotValue(St.CondSlot);
      if (!Go)
        return Go.takeError();
      if (!(*Go & 1))
        break;
      if (llvm::Error E = runSteps(St.Body))
        return E;
      if (llvm::Error E = self().copySlots(St.Nexts, St.Carried))
        return E;
    }
    return self().copySlots(St.Carried, St.LoopResults);
  }
};

} // namespace ircgpu

#endif
