//===- passes/Outline.cpp - a function becomes a launch plan --------------===//
//
// One walk over the entry's top-level ops (and, recursively, over the bodies
// of plan loops). Each op is classified: straight-line code joins the current
// scalar run; a parallel `for` nest becomes a kernel; a sequential loop with
// offloadable loops inside becomes a plan loop; any other loop is refused (or
// runs as a sequential scalar step). Values crossing a step boundary get
// slots; everything a step needs is passed to its function explicitly.
//
//===----------------------------------------------------------------------===//
#include "passes/Outline.h"

#include "ir/Clone.h"
#include "ircgpu/Diagnostics.h"
#include "passes/Dependence.h"
#include "passes/Reductions.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>

using namespace ircgpu;
using llvm::ArrayRef;

namespace {

constexpr SlotId NoSlot = ~0u;

class Outliner {
public:
  Outliner(const Function &F, const CompileOptions &Opts);
  llvm::Expected<Plan> run();

private:
  enum class Class { Straight, Kernel, PlanLoop, NotOffloadable };

  SlotId newSlot(Type Ty, llvm::StringRef Name);
  SlotId constSlot(Value Lit);
  SlotId slotFor(Value V);
  std::vector<SlotId> slotsFor(ArrayRef<Value> Vs);

  const LoopVerdict &verdictOf(const Op &L);
  bool offloadableInside(const Op &O);
  Class classify(const Op &O, LoopVerdict &Refusal);

  llvm::Error planOps(ArrayRef<Op> Ops, std::vector<PlanStep> &Out);
  llvm::Error planScalar(ArrayRef<Op> Ops, bool Sequential,
                         std::vector<PlanStep> &Out);
  llvm::Error planKernel(const Op &L, std::vector<PlanStep> &Out);
  llvm::Error planForLoop(const Op &L, std::vector<PlanStep> &Out);
  llvm::Error planWhileLoop(const Op &W, std::vector<PlanStep> &Out);
  llvm::Error refuse(const Op &O, const LoopVerdict &V,
                     std::vector<PlanStep> &Out);

  Function &newFunction(char Kind, SrcLoc Loc);
  Value addParam(Function &Fn, Value V, ValueMap &Map);
  void capture(Function &Fn, Value V, ValueMap &Map, PlanStep &S);

  const Function &F;
  const CompileOptions &Opts;
  Plan P;
  std::vector<SlotId> SlotOf;  ///< by Value::Id
  std::vector<Value> ConstDef; ///< by Value::Id: the literal of a `const`
  /// By Value::Id: the `offset` or `select` computing a pointer. A function
  /// cannot return a pointer, so each step that uses one recomputes it.
  std::vector<const Op *> PtrDef;
  std::vector<bool> RematOperand; ///< by Value::Id: used by a PtrDef op
  std::vector<unsigned> UseCount; ///< by Value::Id, over all of F
  llvm::DenseMap<const Op *, LoopVerdict> Verdicts;
  unsigned NextFunc = 0;
};

} // namespace

Outliner::Outliner(const Function &F, const CompileOptions &Opts)
    : F(F), Opts(Opts), SlotOf(F.numValues(), NoSlot), ConstDef(F.numValues()),
      PtrDef(F.numValues()), RematOperand(F.numValues()),
      UseCount(F.numValues(), 0) {
  F.walk([&](const Op &O) {
    for (Value V : O.Operands)
      ++UseCount[V.Id];
    if (O.Code == Opcode::Const)
      ConstDef[O.Results[0].Id] = O.Operands[0];
    if ((O.Code == Opcode::Offset || O.Code == Opcode::Select) &&
        F.type(O.Results[0]).isPtr()) {
      PtrDef[O.Results[0].Id] = &O;
      for (Value V : O.Operands)
        RematOperand[V.Id] = true;
    }
  });
}

SlotId Outliner::newSlot(Type Ty, llvm::StringRef Name) {
  PlanSlot S;
  S.Ty = Ty;
  S.Name = Name.str();
  P.Slots.push_back(std::move(S));
  return P.Slots.size() - 1;
}

/// Constant slots are shared by every use of the same literal.
SlotId Outliner::constSlot(Value Lit) {
  const ValueInfo &I = F.info(Lit);
  for (SlotId S = P.NumParams; S < P.Slots.size(); ++S)
    if (P.Slots[S].IsConst && P.Slots[S].Ty == I.Ty &&
        P.Slots[S].Bits == I.Bits)
      return S;
  SlotId S = newSlot(I.Ty, "");
  P.Slots[S].IsConst = true;
  P.Slots[S].Bits = I.Bits;
  return S;
}

/// The slot of V, created on first use. Literals and `const` results are
/// constant slots; every other value gets its own slot.
SlotId Outliner::slotFor(Value V) {
  if (F.isLiteral(V))
    return constSlot(V);
  if (ConstDef[V.Id].isValid())
    return constSlot(ConstDef[V.Id]);
  if (SlotOf[V.Id] == NoSlot)
    SlotOf[V.Id] = newSlot(F.type(V), F.name(V));
  return SlotOf[V.Id];
}

std::vector<SlotId> Outliner::slotsFor(ArrayRef<Value> Vs) {
  std::vector<SlotId> Out;
  for (Value V : Vs)
    Out.push_back(slotFor(V));
  return Out;
}

/// analyzeLoop, made stricter where outlining needs more than it promises:
/// every iter argument must be a reduction whose partial value (the update's
/// result) feeds only the yield, since a kernel never computes it.
const LoopVerdict &Outliner::verdictOf(const Op &L) {
  auto It = Verdicts.find(&L);
  if (It != Verdicts.end())
    return It->second;
  LoopVerdict V = analyzeLoop(F, L);
  if (V.K != LoopVerdict::Sequential && L.Results.size()) {
    ReductionInfo RI = findReductions(F, L);
    auto Seq = [&](std::string Why, SrcLoc Loc) {
      V = LoopVerdict();
      V.K = LoopVerdict::Sequential;
      V.Why = std::move(Why);
      V.Loc = Loc;
    };
    if (!RI.Ok)
      Seq(RI.Why, L.Loc);
    else
      for (const Reduction &R : RI.Reductions)
        if (UseCount[R.Update->Results[0].Id] != 1) {
          Value Acc = L.Regions[0].Args[1 + R.Iter];
          Seq("the running value of reduction %" + F.name(Acc).str() +
                  " is used inside the loop",
              R.Update->Loc);
          break;
        }
  }
  if (V.K == LoopVerdict::Sequential && V.Why.empty())
    V.Why = "the loop carries a dependence";
  return Verdicts[&L] = std::move(V);
}

/// Whether planning O's regions as a plan loop body yields a kernel: a
/// parallel `for` at the top level of a region, or inside a sequential loop
/// there (never inside an `if`, which stays scalar code).
bool Outliner::offloadableInside(const Op &O) {
  for (const Region &R : O.Regions)
    for (const Op &In : R.Ops) {
      if (In.Code == Opcode::For && verdictOf(In).K != LoopVerdict::Sequential)
        return true;
      if ((In.Code == Opcode::For || In.Code == Opcode::While) &&
          offloadableInside(In))
        return true;
    }
  return false;
}

static bool containsLoop(const Op &O) {
  for (const Region &R : O.Regions)
    for (const Op &In : R.Ops)
      if (In.Code == Opcode::For || In.Code == Opcode::While ||
          containsLoop(In))
        return true;
  return false;
}

Outliner::Class Outliner::classify(const Op &O, LoopVerdict &Refusal) {
  Refusal = LoopVerdict();
  Refusal.K = LoopVerdict::Sequential;
  if (O.Code == Opcode::For) {
    const LoopVerdict &V = verdictOf(O);
    if (V.K != LoopVerdict::Sequential)
      return Class::Kernel;
    if (offloadableInside(O))
      return Class::PlanLoop;
    Refusal = V;
    return Class::NotOffloadable;
  }
  if (O.Code == Opcode::While) {
    if (offloadableInside(O))
      return Class::PlanLoop;
    Refusal.Why = "'while' loop holds no parallel loop";
    return Class::NotOffloadable;
  }
  if (containsLoop(O)) {
    Refusal.Why = "a loop inside '" + opcodeName(O.Code).str() +
                  "' runs sequentially (only loops at the top level of the "
                  "function or of a plan loop become kernels)";
    return Class::NotOffloadable;
  }
  return Class::Straight;
}

llvm::Error Outliner::refuse(const Op &O, const LoopVerdict &V,
                             std::vector<PlanStep> &Out) {
  if (Opts.AllowSequential)
    return planScalar(O, /*Sequential=*/true, Out);
  std::vector<Diagnostic> Diags{{O.Loc, "not offloadable: " + V.Why}};
  if (V.Loc.isValid() && (V.Loc.Line != O.Loc.Line || V.Loc.Col != O.Loc.Col))
    Diags.push_back({V.Loc, "the dependence is here", /*IsNote=*/true});
  return llvm::make_error<DiagnosticError>(std::move(Diags));
}

llvm::Error Outliner::planOps(ArrayRef<Op> Ops, std::vector<PlanStep> &Out) {
  size_t RunStart = 0;
  for (size_t I = 0; I < Ops.size(); ++I) {
    const Op &O = Ops[I];
    LoopVerdict Refusal;
    Class C = classify(O, Refusal);
    if (C == Class::Straight)
      continue;
    if (auto E = planScalar(Ops.slice(RunStart, I - RunStart), false, Out))
      return E;
    RunStart = I + 1;
    llvm::Error E = llvm::Error::success();
    switch (C) {
    case Class::Kernel:
      E = planKernel(O, Out);
      break;
    case Class::PlanLoop:
      E = O.Code == Opcode::For ? planForLoop(O, Out) : planWhileLoop(O, Out);
      break;
    case Class::NotOffloadable:
      E = refuse(O, Refusal, Out);
      break;
    case Class::Straight:
      break;
    }
    if (E)
      return E;
  }
  return planScalar(Ops.slice(RunStart), false, Out);
}

Function &Outliner::newFunction(char Kind, SrcLoc Loc) {
  auto Fn = std::make_unique<Function>();
  Fn->Name = F.Name + "." + Kind + std::to_string(NextFunc++);
  Fn->Loc = Loc;
  P.Code->Functions.push_back(std::move(Fn));
  return *P.Code->Functions.back();
}

/// A parameter of Fn standing for V of F (entry parameters keep their
/// attributes: the promises still hold inside the step).
Value Outliner::addParam(Function &Fn, Value V, ValueMap &Map) {
  const ValueInfo &I = F.info(V);
  Value NewP = Fn.newValue(I.Ty, ValueKind::Param, I.Loc, F.name(V));
  uint8_t Attrs = 0;
  if (I.Kind == ValueKind::Param)
    for (size_t K = 0; K < F.Params.size(); ++K)
      if (F.Params[K] == V)
        Attrs = F.ParamAttrs[K];
  Fn.Params.push_back(NewP);
  Fn.ParamAttrs.push_back(Attrs);
  Map.set(V, NewP);
  return NewP;
}

/// Makes V available in Fn: a parameter taking V's slot, or, for a pointer
/// that PtrDef computes, a copy of that computation (appended to Fn's body,
/// which holds nothing else yet).
void Outliner::capture(Function &Fn, Value V, ValueMap &Map, PlanStep &S) {
  if (F.isLiteral(V) || Map.lookup(V).isValid())
    return;
  if (const Op *D = PtrDef[V.Id]) {
    for (Value In : D->Operands)
      capture(Fn, In, Map, S);
    cloneOps(F, *D, Fn, Map, Fn.Body.Ops);
    return;
  }
  addParam(Fn, V, Map);
  S.Args.push_back(slotFor(V));
}

static Op makeRet(llvm::SmallVector<Value, 3> Vals, SrcLoc Loc) {
  Op R;
  R.Code = Opcode::Ret;
  R.Loc = Loc;
  R.Operands = std::move(Vals);
  return R;
}

/// Maps V into the outlined function: through Map, or as a fresh literal.
static Value mapValue(const Function &F, Value V, Function &Fn, ValueMap &Map) {
  Value M = Map.lookup(V);
  return M.isValid() ? M : cloneValue(F, V, Fn);
}

llvm::Error Outliner::planScalar(ArrayRef<Op> Ops, bool Sequential,
                                 std::vector<PlanStep> &Out) {
  // A run of `const` ops only defines constant slots.
  if (llvm::all_of(Ops, [](const Op &O) { return O.Code == Opcode::Const; }))
    return llvm::Error::success();

  // What the run defines at its top level and uses itself; what it defines
  // and something after it uses escapes through a result.
  std::vector<unsigned> Inside(F.numValues(), 0);
  auto Count = [&](auto &Self, ArrayRef<Op> Os) -> void {
    for (const Op &O : Os) {
      for (Value V : O.Operands)
        ++Inside[V.Id];
      for (const Region &R : O.Regions)
        Self(Self, R.Ops);
    }
  };
  Count(Count, Ops);
  std::vector<Value> Escaping;
  for (const Op &O : Ops)
    for (Value R : O.Results)
      if ((UseCount[R.Id] > Inside[R.Id] || RematOperand[R.Id]) &&
          !ConstDef[R.Id].isValid() && !PtrDef[R.Id]) {
        if (F.type(R).isPtr())
          return llvm::make_error<DiagnosticError>(
              O.Loc, "not supported yet: pointer %" + F.name(R).str() +
                         " is computed by scalar code and used by a later "
                         "step");
        Escaping.push_back(R);
      }

  Function &Fn = newFunction('s', Ops.front().Loc);
  PlanStep S;
  S.Kind = StepKind::Scalar;
  S.Loc = Ops.front().Loc;
  S.Func = P.Code->Functions.size() - 1;
  S.Sequential = Sequential;
  ValueMap Map;
  for (Value V : capturedValues(F, Ops))
    capture(Fn, V, Map, S);
  cloneOps(F, Ops, Fn, Map, Fn.Body.Ops);
  llvm::SmallVector<Value, 3> Rets;
  for (Value R : Escaping) {
    Fn.ResultTypes.push_back(F.type(R));
    Rets.push_back(Map.lookup(R));
    S.Results.push_back(slotFor(R));
  }
  Fn.Body.Ops.push_back(makeRet(std::move(Rets), Ops.back().Loc));
  Out.push_back(std::move(S));
  return llvm::Error::success();
}

/// The loops of L's nest that become grid dimensions: L, then while the body
/// is exactly one `for` without iter arguments, with bounds invariant in the
/// nest and parallel itself, that loop (at most 3). Disjoint collects the
/// buffer pairs the nest needs apart.
static std::vector<const Op *>
gridLoops(const Op &L, const LoopVerdict &V,
          llvm::function_ref<const LoopVerdict &(const Op &)> VerdictOf,
          std::vector<std::pair<unsigned, unsigned>> &Disjoint) {
  std::vector<const Op *> Loops{&L};
  Disjoint = V.MustBeDisjoint;
  while (Loops.size() < 3) {
    const Region &Body = Loops.back()->Regions[0];
    if (Body.Ops.size() != 1 || Body.Ops[0].Code != Opcode::For ||
        Body.Ops[0].Operands.size() != 3)
      break;
    const Op &In = Body.Ops[0];
    bool Invariant = llvm::none_of(In.Operands, [&](Value B) {
      return llvm::any_of(
          Loops, [&](const Op *O) { return O->Regions[0].Args[0] == B; });
    });
    const LoopVerdict &IV = VerdictOf(In);
    if (!Invariant || IV.K == LoopVerdict::Sequential ||
        (IV.K == LoopVerdict::ParallelIfDisjoint &&
         V.K != LoopVerdict::ParallelIfDisjoint))
      break;
    for (auto Pair : IV.MustBeDisjoint)
      if (!llvm::is_contained(Disjoint, Pair))
        Disjoint.push_back(Pair);
    Loops.push_back(&In);
  }
  return Loops;
}

llvm::Error Outliner::planKernel(const Op &L, std::vector<PlanStep> &Out) {
  const LoopVerdict &V = verdictOf(L);
  std::vector<std::pair<unsigned, unsigned>> Disjoint;
  std::vector<const Op *> Loops = gridLoops(
      L, V, [&](const Op &O) -> const LoopVerdict & { return verdictOf(O); },
      Disjoint);
  const Region &Body = Loops.back()->Regions[0];
  ReductionInfo RI;
  if (L.Results.size())
    RI = findReductions(F, L); // Ok: verdictOf checked it

  Function &K = newFunction('k', L.Loc);
  PlanStep S;
  S.Kind = StepKind::Kernel;
  S.Loc = L.Loc;
  S.Func = P.Code->Functions.size() - 1;
  ValueMap Map;
  for (const Op *Loop : Loops) {
    Value Idx = Loop->Regions[0].Args[0];
    Value Par =
        K.newValue(F.type(Idx), ValueKind::Param, F.info(Idx).Loc, F.name(Idx));
    K.Params.push_back(Par);
    K.ParamAttrs.push_back(0);
    Map.set(Idx, Par);
    S.Grid.push_back({slotFor(Loop->Operands[0]), slotFor(Loop->Operands[1]),
                      slotFor(Loop->Operands[2])});
  }
  // The accumulators are used only by their updates, which stay out.
  for (Value V : capturedValues(F, Body.Ops))
    if (!llvm::is_contained(L.Regions[0].Args, V))
      capture(K, V, Map, S);
  for (const Op &O : Body.Ops) {
    bool IsUpdate = llvm::any_of(
        RI.Reductions, [&](const Reduction &R) { return R.Update == &O; });
    if (!IsUpdate && O.Code != Opcode::Yield)
      cloneOps(F, O, K, Map, K.Body.Ops);
  }
  llvm::SmallVector<Value, 3> Rets;
  for (const Reduction &R : RI.Reductions) {
    Value Acc = L.Regions[0].Args[1 + R.Iter];
    Rets.push_back(mapValue(F, R.Update->Operands[R.XOperand], K, Map));
    K.ResultTypes.push_back(F.type(Acc));
    S.Reductions.push_back({R.Combine, F.type(Acc),
                            slotFor(L.Operands[3 + R.Iter]),
                            slotFor(L.Results[R.Iter])});
  }
  K.Body.Ops.push_back(makeRet(std::move(Rets), L.Loc));

  if (Disjoint.empty()) {
    Out.push_back(std::move(S));
    return llvm::Error::success();
  }
  PlanStep Check;
  Check.Kind = StepKind::OverlapCheck;
  Check.Loc = L.Loc;
  for (auto [A, B] : Disjoint)
    Check.Disjoint.push_back({A, B});
  Check.Body.push_back(std::move(S));
  if (auto E = planScalar(L, /*Sequential=*/true, Check.Fallback))
    return E;
  Out.push_back(std::move(Check));
  return llvm::Error::success();
}

/// The ops of R without its terminator (yield or condition), if any.
static ArrayRef<Op> withoutTerminator(const Region &R) {
  ArrayRef<Op> Ops = R.Ops;
  if (!Ops.empty() && (Ops.back().Code == Opcode::Yield ||
                       Ops.back().Code == Opcode::Condition))
    Ops = Ops.drop_back();
  return Ops;
}

static ArrayRef<Value> terminatorOperands(const Region &R, Opcode C) {
  if (!R.Ops.empty() && R.Ops.back().Code == C)
    return R.Ops.back().Operands;
  return {};
}

/// A plan loop carries its variables in slots; a pointer that steps
/// recompute (PtrDef) has none.
static llvm::Error carriedPointers(const Op &L,
                                   const std::vector<const Op *> &PtrDef,
                                   ArrayRef<Value> Vs) {
  for (Value V : Vs)
    if (PtrDef[V.Id])
      return llvm::make_error<DiagnosticError>(
          L.Loc, "not supported yet: a plan loop carrying a pointer computed "
                 "by 'offset' or 'select'");
  return llvm::Error::success();
}

llvm::Error Outliner::planForLoop(const Op &L, std::vector<PlanStep> &Out) {
  const Region &Body = L.Regions[0];
  PlanStep S;
  S.Kind = StepKind::ForLoop;
  S.Loc = L.Loc;
  S.Bounds = {slotFor(L.Operands[0]), slotFor(L.Operands[1]),
              slotFor(L.Operands[2])};
  S.Index = slotFor(Body.Args[0]);
  S.Carried = slotsFor(ArrayRef<Value>(Body.Args).drop_front());
  S.Inits = slotsFor(ArrayRef<Value>(L.Operands).drop_front(3));
  if (auto E = planOps(withoutTerminator(Body), S.Body))
    return E;
  ArrayRef<Value> Yields = terminatorOperands(Body, Opcode::Yield);
  if (auto E = carriedPointers(L, PtrDef, L.Operands))
    return E;
  if (auto E = carriedPointers(L, PtrDef, Yields))
    return E;
  S.Nexts = slotsFor(Yields);
  S.LoopResults = slotsFor(L.Results);
  Out.push_back(std::move(S));
  return llvm::Error::success();
}

llvm::Error Outliner::planWhileLoop(const Op &W, std::vector<PlanStep> &Out) {
  const Region &Cond = W.Regions[0], &Do = W.Regions[1];
  PlanStep S;
  S.Kind = StepKind::WhileLoop;
  S.Loc = W.Loc;
  S.Carried = slotsFor(Cond.Args);
  S.Inits = slotsFor(W.Operands);
  if (auto E = planOps(withoutTerminator(Cond), S.Cond))
    return E;
  S.CondSlot = slotFor(terminatorOperands(Cond, Opcode::Condition)[0]);
  if (auto E = planOps(withoutTerminator(Do), S.Body))
    return E;
  ArrayRef<Value> Yields = terminatorOperands(Do, Opcode::Yield);
  if (auto E = carriedPointers(W, PtrDef, W.Operands))
    return E;
  if (auto E = carriedPointers(W, PtrDef, Yields))
    return E;
  S.Nexts = slotsFor(Yields);
  S.LoopResults = slotsFor(W.Results);
  Out.push_back(std::move(S));
  return llvm::Error::success();
}

llvm::Expected<Plan> Outliner::run() {
  P.Entry = F.Name;
  P.Code = std::make_unique<Module>();
  for (Value V : F.Params) {
    SlotOf[V.Id] = newSlot(F.type(V), F.name(V));
  }
  P.NumParams = F.Params.size();
  ArrayRef<Op> Ops = F.Body.Ops;
  ArrayRef<Value> Rets;
  if (!Ops.empty() && Ops.back().Code == Opcode::Ret) {
    Rets = Ops.back().Operands;
    Ops = Ops.drop_back();
  }
  if (auto E = planOps(Ops, P.Steps))
    return E;
  P.Returns = slotsFor(Rets);
  return std::move(P);
}

llvm::Expected<Plan> ircgpu::outlinePlan(const Function &F,
                                         const CompileOptions &Opts) {
  return Outliner(F, Opts).run();
}
