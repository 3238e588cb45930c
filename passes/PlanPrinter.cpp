//===- passes/PlanPrinter.cpp - a launch plan as text ---------------------===//
//
// The format (docs/passes.md), one step per line, nested steps indented:
//
//   plan @saxpy
//     slot %0 n: i64 param
//     slot %4: i64 const 0
//     slot %6 s: f32
//     overlap-check disjoint(%2 x | %3 y) {
//       kernel @saxpy.k0 grid(i: 0 to %0 n step 1) args(%1 a, %2 x, %3 y)
//     } else {
//       sequential @saxpy.s1 args(%0 n, %1 a, %2 x, %3 y)
//     }
//     return
//
// followed by a blank line and the outlined functions as canonical VIR. A
// slot is written `%N name` (`%N` when unnamed); a constant slot used by a
// step is written as its literal.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Literal.h"
#include "ircgpu/Plan.h"
#include "ircgpu/Printer.h"

using namespace ircgpu;

namespace {

class PlanPrinter {
public:
  PlanPrinter(const Plan &P, llvm::raw_ostream &OS) : P(P), OS(OS) {}
  void print();

private:
  void slot(SlotId S);
  void slots(llvm::ArrayRef<SlotId> Ss);
  void steps(const std::vector<PlanStep> &Steps, unsigned Depth);
  void step(const PlanStep &S, unsigned Depth);
  void kernel(const PlanStep &S);
  void carried(const PlanStep &S);
  void indent(unsigned Depth) { OS.indent(2 * Depth); }
  llvm::StringRef funcName(uint32_t F) const {
    if (F < P.Code->Functions.size())
      return P.Code->Functions[F]->Name;
    return "?";
  }

  const Plan &P;
  llvm::raw_ostream &OS;
};

} // namespace

void PlanPrinter::slot(SlotId S) {
  if (S >= P.Slots.size()) {
    OS << "%?";
    return;
  }
  const PlanSlot &PS = P.Slots[S];
  if (PS.IsConst) {
    OS << formatLiteral(PS.Ty, PS.Bits);
    return;
  }
  OS << '%' << S;
  if (!PS.Name.empty())
    OS << ' ' << PS.Name;
}

void PlanPrinter::slots(llvm::ArrayRef<SlotId> Ss) {
  for (size_t I = 0; I < Ss.size(); ++I) {
    if (I)
      OS << ", ";
    slot(Ss[I]);
  }
}

void PlanPrinter::steps(const std::vector<PlanStep> &Steps, unsigned Depth) {
  for (const PlanStep &S : Steps)
    step(S, Depth);
}

/// `grid(i: 0 to %0 n step 1, j: ...)`: each dimension is named after its
/// kernel parameter (the loop index it replaces).
void PlanPrinter::kernel(const PlanStep &S) {
  const Function *K = S.Func < P.Code->Functions.size()
                          ? P.Code->Functions[S.Func].get()
                          : nullptr;
  OS << "kernel @" << funcName(S.Func) << " grid(";
  for (size_t D = 0; D < S.Grid.size(); ++D) {
    if (D)
      OS << ", ";
    llvm::StringRef Name;
    if (K && D < K->Params.size())
      Name = K->name(K->Params[D]);
    if (Name.empty())
      OS << 'd' << D;
    else
      OS << Name;
    OS << ": ";
    slot(S.Grid[D].LB);
    OS << " to ";
    slot(S.Grid[D].UB);
    OS << " step ";
    slot(S.Grid[D].Step);
  }
  OS << ") args(";
  slots(S.Args);
  OS << ')';
  for (const ReductionSpec &R : S.Reductions) {
    OS << " reduce(" << opcodeName(R.Combine) << ' ' << R.Ty.str() << " init ";
    slot(R.Init);
    OS << " -> ";
    slot(R.Result);
    OS << ')';
  }
}

/// ` carried(%8 u <- %3 a next %9 t, ...) -> (%10 r)`
void PlanPrinter::carried(const PlanStep &S) {
  if (!S.Carried.empty()) {
    OS << " carried(";
    for (size_t I = 0; I < S.Carried.size(); ++I) {
      if (I)
        OS << ", ";
      slot(S.Carried[I]);
      OS << " <- ";
      slot(I < S.Inits.size() ? S.Inits[I] : ~0u);
      OS << " next ";
      slot(I < S.Nexts.size() ? S.Nexts[I] : ~0u);
    }
    OS << ')';
  }
  if (!S.LoopResults.empty()) {
    OS << " -> (";
    slots(S.LoopResults);
    OS << ')';
  }
}

void PlanPrinter::step(const PlanStep &S, unsigned Depth) {
  indent(Depth);
  switch (S.Kind) {
  case StepKind::Kernel:
    kernel(S);
    OS << '\n';
    return;
  case StepKind::Scalar:
    OS << (S.Sequential ? "sequential @" : "scalar @") << funcName(S.Func)
       << " args(";
    slots(S.Args);
    OS << ')';
    if (!S.Results.empty()) {
      OS << " -> (";
      slots(S.Results);
      OS << ')';
    }
    OS << '\n';
    return;
  case StepKind::ForLoop:
    OS << "for ";
    slot(S.Index);
    OS << " = ";
    slot(S.Bounds.LB);
    OS << " to ";
    slot(S.Bounds.UB);
    OS << " step ";
    slot(S.Bounds.Step);
    carried(S);
    OS << " {\n";
    steps(S.Body, Depth + 1);
    indent(Depth);
    OS << "}\n";
    return;
  case StepKind::WhileLoop:
    OS << "while";
    carried(S);
    OS << " {\n";
    steps(S.Cond, Depth + 1);
    indent(Depth);
    OS << "} condition ";
    slot(S.CondSlot);
    OS << " do {\n";
    steps(S.Body, Depth + 1);
    indent(Depth);
    OS << "}\n";
    return;
  case StepKind::OverlapCheck:
    OS << "overlap-check disjoint(";
    for (size_t I = 0; I < S.Disjoint.size(); ++I) {
      if (I)
        OS << ", ";
      slot(S.Disjoint[I].first);
      OS << " | ";
      slot(S.Disjoint[I].second);
    }
    OS << ") {\n";
    steps(S.Body, Depth + 1);
    indent(Depth);
    OS << "} else {\n";
    steps(S.Fallback, Depth + 1);
    indent(Depth);
    OS << "}\n";
    return;
  }
}

void PlanPrinter::print() {
  OS << "plan @" << P.Entry << '\n';
  for (SlotId S = 0; S < P.Slots.size(); ++S) {
    const PlanSlot &PS = P.Slots[S];
    OS << "  slot %" << S;
    if (!PS.Name.empty())
      OS << ' ' << PS.Name;
    OS << ": " << PS.Ty.str();
    if (S < P.NumParams)
      OS << " param";
    else if (PS.IsConst)
      OS << " const " << formatLiteral(PS.Ty, PS.Bits);
    OS << '\n';
  }
  steps(P.Steps, 1);
  OS << "  return";
  if (!P.Returns.empty()) {
    OS << ' ';
    slots(P.Returns);
  }
  OS << '\n';
  if (P.Code && !P.Code->Functions.empty()) {
    OS << '\n';
    printModule(*P.Code, OS);
  }
}

void ircgpu::printPlan(const Plan &P, llvm::raw_ostream &OS) {
  PlanPrinter(P, OS).print();
}
