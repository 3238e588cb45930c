//===- codegen/KernelABI.cpp - the device functions of a plan
//---------------===//
//
// computePlanABI (include/ircgpu/KernelABI.h): decided here once, read by the
// kernel emitters and by the plan executor, so the two cannot disagree.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/KernelABI.h"
#include "ircgpu/Codegen.h"

#include "codegen/PrivatizeAtomics.h"

#include "ir/InterpSemantics.h"

namespace ircgpu {

namespace {

class ABIBuilder {
public:
  ABIBuilder(const Plan &P, bool Checked) : P(P) {
    A.Checked = Checked;
    A.HostKnown.assign(P.Slots.size(), false);
    for (SlotId S = 0; S < P.Slots.size(); ++S)
      A.HostKnown[S] =
          S < P.NumParams || P.Slots[S].IsConst || P.Slots[S].Ty.isPtr();
    forEachStep(P.Steps, [&](const PlanStep &S) {
      if (S.Kind == StepKind::ForLoop)
        A.HostKnown[S.Index] = true;
    });
  }

  PlanABI run() {
    for (const PlanStep *S : stepsByFunction(P))
      A.Code.push_back(S ? std::optional<StepCode>(stepCode(*S))
                         : std::nullopt);
    return std::move(A);
  }

private:
  const Plan &P;
  PlanABI A;

  void addHead(DeviceFunction &F) {
    F.Params.push_back({ParamKind::SlotArray});
    if (A.Checked)
      F.Params.push_back({ParamKind::ErrorRecord});
  }

  /// The step's arguments: host-known ones by value (a buffer followed by its
  /// element count in checked mode); the others are read from the slot array.
  void addArgs(DeviceFunction &F, const PlanStep &S) {
    for (SlotId Arg : S.Args) {
      if (!A.HostKnown[Arg])
        continue;
      F.Params.push_back({ParamKind::Value, Arg});
      if (A.Checked && P.Slots[Arg].Ty.isPtr())
        F.Params.push_back({ParamKind::Count, Arg});
    }
  }

  StepCode stepCode(const PlanStep &S) {
    StepCode C;
    C.Main.Name = kernelName(P.Code->Functions[S.Func]->Name);
    addHead(C.Main);
    if (S.Kind == StepKind::Scalar) {
      C.Main.Shape = LaunchShape::Single;
      addArgs(C.Main, S);
      return C;
    }
    C.Main.Shape = S.Reductions.empty() ? LaunchShape::Grid : LaunchShape::Tree;
    if (C.Main.Shape == LaunchShape::Grid && S.Grid.size() == 1) {
      C.Main.PointsPerThread = GridPointsPerThread;
      // The privatised histograms of EmitKernels.cpp (never in checked
      // mode): their per-block flush is worth amortising.
      C.Main.GridStride =
          !A.Checked &&
          !findPrivatizableAtomics(*P.Code->Functions[S.Func], 1).empty();
    }
    for (const GridDim &G : S.Grid) {
      C.Main.Params.push_back({ParamKind::GridLB, G.LB});
      C.Main.Params.push_back({ParamKind::GridTrips, G.UB});
      C.Main.Params.push_back({ParamKind::GridStep, G.Step});
    }
    addArgs(C.Main, S);
    if (C.Main.GridStride)
      C.Main.Params.push_back({ParamKind::Blocks});
    if (S.Reductions.empty())
      return C;
    A.MaxReductions = std::max<unsigned>(A.MaxReductions, S.Reductions.size());
    C.Main.Params.push_back({ParamKind::Partials});
    C.Main.Params.push_back({ParamKind::Blocks});
    DeviceFunction Fin;
    Fin.Name = C.Main.Name + "$final";
    Fin.Shape = LaunchShape::Final;
    Fin.Params.push_back({ParamKind::SlotArray});
    Fin.Params.push_back({ParamKind::Partials});
    Fin.Params.push_back({ParamKind::Blocks});
    for (const ReductionSpec &R : S.Reductions)
      if (A.HostKnown[R.Init])
        Fin.Params.push_back({ParamKind::Value, R.Init});
    C.Final = std::move(Fin);
    return C;
  }
};

} // namespace

uint64_t gridTripCount(Type IndexTy, uint64_t LB, uint64_t UB, uint64_t Step) {
  return interp::forTripCount(IndexTy, LB, UB, Step);
}

PlanABI computePlanABI(const Plan &P, bool Checked) {
  return ABIBuilder(P, Checked).run();
}

} // namespace ircgpu
