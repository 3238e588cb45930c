//===- runtime/BundleReadPlan.cpp - a bundle's plan, checked --------------===//
//
// The plan of a bundle (BundleReader.h): the outlined code first (steps are
// checked against its functions), the slot table, then the steps, with every
// slot id in range, every function index valid and run by one step only, and
// every type consistent with the outlined function the step calls. Fields
// that a step of its kind does not have are errors too: the ABI builder and
// the executor walk every nested step list whatever the kind.
//
//===----------------------------------------------------------------------===//
#include "BundleFormat.h"
#include "BundleReader.h"

#include "ircgpu/Literal.h"
#include "ircgpu/Parser.h"

using namespace llvm;

namespace ircgpu::bundle {

namespace {

/// The fields each kind of step has (besides kind and loc).
ArrayRef<StringRef> stepFields(StepKind K) {
  static const StringRef Kernel[] = {"kind", "loc",  "func",
                                     "grid", "args", "reductions"};
  static const StringRef Scalar[] = {"kind", "loc",     "func",
                                     "args", "results", "sequential"};
  static const StringRef For[] = {"kind",  "loc",   "bounds",
                                  "index", "body",  "carried",
                                  "inits", "nexts", "loop-results"};
  static const StringRef While[] = {"kind",      "loc",   "cond",
                                    "cond-slot", "body",  "carried",
                                    "inits",     "nexts", "loop-results"};
  static const StringRef Overlap[] = {"kind", "loc", "disjoint", "body",
                                      "fallback"};
  switch (K) {
  case StepKind::Kernel:
    return Kernel;
  case StepKind::Scalar:
    return Scalar;
  case StepKind::ForLoop:
    return For;
  case StepKind::WhileLoop:
    return While;
  case StepKind::OverlapCheck:
    return Overlap;
  }
  return {};
}

} // namespace

/// A slot that a step writes: not an entry parameter, not a constant.
Error Reader::writable(SlotId S, const At &A) {
  if (S < B.P.NumParams)
    return fail(A, "slot " + Twine(S) + " is a parameter; no step writes it");
  if (B.P.Slots[S].IsConst)
    return fail(A, "slot " + Twine(S) + " is a constant; no step writes it");
  return Error::success();
}

Error Reader::intBounds(const GridDim &D, const At &A) {
  Type T = slotType(D.LB);
  if (T != Type::i32() && T != Type::i64())
    return fail(A, "bounds of type " + T.str() + " (expected i32 or i64)");
  if (slotType(D.UB) != T || slotType(D.Step) != T)
    return fail(A, "bounds of different types");
  return Error::success();
}

//===-- the plan ----------------------------------------------------------===//

Error Reader::plan(const json::Object &O, const At &A) {
  if (Error E = onlyKeys(
          O, A, {"entry", "num-params", "slots", "returns", "steps", "code"}))
    return E;
  Plan &P = B.P;
  auto Entry = string(O.get("entry"), field(A, "entry"));
  if (!Entry)
    return Entry.takeError();
  if (*Entry != B.Entry)
    return fail(field(A, "entry"),
                "@" + *Entry + " is not the bundle's entry @" + B.Entry);
  P.Entry = Entry->str();

  // The outlined code first: steps are checked against its functions.
  At CodeAt = field(A, "code");
  auto Text = lines(O.get("code"), CodeAt);
  if (!Text)
    return Text.takeError();
  auto M = parseAndVerify(*Text);
  if (!M)
    return fail(CodeAt, virError(M.takeError()));
  P.Code = std::move(*M);
  FuncUsed.assign(P.Code->Functions.size(), false);

  if (Error E = slotTable(O, A))
    return E;
  if (Error E = slots(O, "returns", A, P.Returns))
    return E;
  if (Error E = steps(O, "steps", A, 0, P.Steps))
    return E;
  return hostSlots(field(A, "steps"));
}

Error Reader::slotTable(const json::Object &O, const At &A) {
  Plan &P = B.P;
  At SlotsAt = field(A, "slots");
  auto Arr = array(O.get("slots"), SlotsAt);
  if (!Arr)
    return Arr.takeError();
  for (size_t I = 0; I < (*Arr)->size(); ++I) {
    At SAt = index(SlotsAt, I);
    auto SO = object(&(**Arr)[I], SAt);
    if (!SO)
      return SO.takeError();
    if (Error E = onlyKeys(**SO, SAt, {"type", "name", "const"}))
      return E;
    PlanSlot S;
    auto Ty = type((*SO)->get("type"), field(SAt, "type"));
    if (!Ty)
      return Ty.takeError();
    S.Ty = *Ty;
    if (const json::Value *N = (*SO)->get("name")) {
      auto Name = string(N, field(SAt, "name"));
      if (!Name)
        return Name.takeError();
      S.Name = Name->str();
    }
    if (const json::Value *C = (*SO)->get("const")) {
      auto Lit = string(C, field(SAt, "const"));
      if (!Lit)
        return Lit.takeError();
      if (!S.Ty.isScalar())
        return fail(SAt, "a constant of type " + S.Ty.str());
      auto Bits = parseLiteral(*Lit, S.Ty);
      if (!Bits)
        return fail(field(SAt, "const"), toString(Bits.takeError()));
      S.IsConst = true;
      S.Bits = *Bits;
    }
    P.Slots.push_back(std::move(S));
  }
  auto NP = integer(O.get("num-params"), field(A, "num-params"), 0,
                    std::min<int64_t>(MaxParams, P.Slots.size()));
  if (!NP)
    return NP.takeError();
  P.NumParams = *NP;
  for (unsigned I = 0; I < P.NumParams; ++I)
    if (P.Slots[I].IsConst)
      return fail(index(SlotsAt, I), "a parameter slot is constant");
  return Error::success();
}

Error Reader::steps(const json::Object &O, StringRef Key, const At &A,
                    unsigned Depth, std::vector<PlanStep> &Out) {
  const json::Value *V = O.get(Key);
  if (!V)
    return Error::success();
  At Here = field(A, Key);
  if (Depth >= MaxStepDepth)
    return fail(Here, "steps nested deeper than " + Twine(MaxStepDepth));
  auto Arr = array(V, Here);
  if (!Arr)
    return Arr.takeError();
  for (size_t I = 0; I < (*Arr)->size(); ++I) {
    At SAt = index(Here, I);
    auto SO = object(&(**Arr)[I], SAt);
    if (!SO)
      return SO.takeError();
    Out.emplace_back();
    if (Error E = step(**SO, SAt, Depth, Out.back()))
      return E;
  }
  return Error::success();
}

//===-- steps -------------------------------------------------------------===//

Error Reader::step(const json::Object &O, const At &A, unsigned Depth,
                   PlanStep &S) {
  auto KindName = string(O.get("kind"), field(A, "kind"));
  if (!KindName)
    return KindName.takeError();
  auto Kind = parseStepKind(*KindName);
  if (!Kind)
    return fail(field(A, "kind"), "unknown step kind '" + *KindName + "'");
  S.Kind = *Kind;
  if (Error E = onlyKeys(O, A, stepFields(S.Kind)))
    return E;
  if (const json::Value *L = O.get("loc")) {
    At LAt = field(A, "loc");
    auto Arr = array(L, LAt);
    if (!Arr)
      return Arr.takeError();
    if ((*Arr)->size() != 2)
      return fail(LAt, "expected [line, column]");
    auto Line = integer(&(**Arr)[0], index(LAt, 0), 0, UINT32_MAX);
    if (!Line)
      return Line.takeError();
    auto Col = integer(&(**Arr)[1], index(LAt, 1), 0, UINT32_MAX);
    if (!Col)
      return Col.takeError();
    S.Loc = {uint32_t(*Line), uint32_t(*Col)};
  }
  if (Error E = slots(O, "args", A, S.Args))
    return E;
  switch (S.Kind) {
  case StepKind::Kernel:
    return kernelStep(O, A, S);
  case StepKind::Scalar:
    return scalarStep(O, A, S);
  case StepKind::ForLoop:
    return forStep(O, A, Depth, S);
  case StepKind::WhileLoop:
    return whileStep(O, A, Depth, S);
  case StepKind::OverlapCheck:
    return overlapStep(O, A, Depth, S);
  }
  return Error::success();
}

Error Reader::kernelStep(const json::Object &O, const At &A, PlanStep &S) {
  const Function *Fn;
  if (Error E = callee(O, A, S, Fn))
    return E;
  At GAt = field(A, "grid");
  auto Grid = array(O.get("grid"), GAt);
  if (!Grid)
    return Grid.takeError();
  if ((*Grid)->empty() || (*Grid)->size() > 3)
    return fail(GAt, "a grid of " + Twine((*Grid)->size()) +
                         " dimensions (expected 1 to 3)");
  size_t G = (*Grid)->size();
  if (Fn->Params.size() != G + S.Args.size())
    return fail(A, "@" + Fn->Name + " takes " + Twine(Fn->Params.size()) +
                       " parameters, not " + Twine(G) + " grid indices and " +
                       Twine(S.Args.size()) + " arguments");
  for (size_t D = 0; D < G; ++D) {
    auto Dim = dim(&(**Grid)[D], index(GAt, D));
    if (!Dim)
      return Dim.takeError();
    if (Error E = intBounds(*Dim, index(GAt, D)))
      return E;
    if (Fn->type(Fn->Params[D]) != slotType(Dim->LB))
      return fail(index(GAt, D), "index parameter " + Twine(D) + " of @" +
                                     Fn->Name + " is not of type " +
                                     slotType(Dim->LB).str());
    S.Grid.push_back(*Dim);
  }
  for (size_t I = 0; I < S.Args.size(); ++I)
    if (Fn->type(Fn->Params[G + I]) != slotType(S.Args[I]))
      return fail(index(field(A, "args"), I),
                  "slot of type " + slotType(S.Args[I]).str() +
                      " passed to a parameter of @" + Fn->Name + " of type " +
                      Fn->type(Fn->Params[G + I]).str());
  At RAt = field(A, "reductions");
  if (const json::Value *RV = O.get("reductions")) {
    auto Reds = array(RV, RAt);
    if (!Reds)
      return Reds.takeError();
    for (size_t I = 0; I < (*Reds)->size(); ++I) {
      ReductionSpec R;
      if (Error E = reduction(&(**Reds)[I], index(RAt, I), R))
        return E;
      S.Reductions.push_back(R);
    }
  }
  if (Fn->ResultTypes.size() != S.Reductions.size())
    return fail(A, "@" + Fn->Name + " returns " +
                       Twine(Fn->ResultTypes.size()) + " values for " +
                       Twine(S.Reductions.size()) + " reductions");
  for (size_t I = 0; I < S.Reductions.size(); ++I)
    if (Fn->ResultTypes[I] != S.Reductions[I].Ty)
      return fail(index(RAt, I),
                  "@" + Fn->Name + " contributes " + Fn->ResultTypes[I].str());
  return Error::success();
}

/// One of a kernel's reductions.
Error Reader::reduction(const json::Value *V, const At &A, ReductionSpec &R) {
  auto RO = object(V, A);
  if (!RO)
    return RO.takeError();
  if (Error E = onlyKeys(**RO, A, {"combine", "type", "init", "result"}))
    return E;
  auto Comb = string((*RO)->get("combine"), field(A, "combine"));
  if (!Comb)
    return Comb.takeError();
  auto Op = parseCombine(*Comb);
  if (!Op)
    return fail(field(A, "combine"), "'" + *Comb + "' is not a reduction");
  R.Combine = *Op;
  auto Ty = type((*RO)->get("type"), field(A, "type"));
  if (!Ty)
    return Ty.takeError();
  R.Ty = *Ty;
  bool FloatOp = opcodeKind(R.Combine) == OpKind::FloatBinary;
  if (FloatOp ? !R.Ty.isFloat() : !R.Ty.isInt())
    return fail(A, *Comb + " on " + R.Ty.str());
  auto Init = slot((*RO)->get("init"), field(A, "init"));
  if (!Init)
    return Init.takeError();
  auto Res = slot((*RO)->get("result"), field(A, "result"));
  if (!Res)
    return Res.takeError();
  R.Init = *Init;
  R.Result = *Res;
  if (slotType(R.Init) != R.Ty || slotType(R.Result) != R.Ty)
    return fail(A, "init and result slots must be of type " + R.Ty.str());
  if (Error E = writable(R.Result, field(A, "result")))
    return E;
  return Error::success();
}

Error Reader::scalarStep(const json::Object &O, const At &A, PlanStep &S) {
  const Function *Fn;
  if (Error E = callee(O, A, S, Fn))
    return E;
  if (const json::Value *Seq = O.get("sequential")) {
    auto V = boolean(Seq, field(A, "sequential"));
    if (!V)
      return V.takeError();
    S.Sequential = *V;
  }
  if (Error E = slots(O, "results", A, S.Results))
    return E;
  if (Fn->Params.size() != S.Args.size())
    return fail(A, "@" + Fn->Name + " takes " + Twine(Fn->Params.size()) +
                       " parameters, not " + Twine(S.Args.size()));
  for (size_t I = 0; I < S.Args.size(); ++I)
    if (Fn->type(Fn->Params[I]) != slotType(S.Args[I]))
      return fail(index(field(A, "args"), I),
                  "slot of type " + slotType(S.Args[I]).str() +
                      " passed to a parameter of @" + Fn->Name + " of type " +
                      Fn->type(Fn->Params[I]).str());
  if (Fn->ResultTypes.size() != S.Results.size())
    return fail(A, "@" + Fn->Name + " returns " +
                       Twine(Fn->ResultTypes.size()) + " values, not " +
                       Twine(S.Results.size()));
  for (size_t I = 0; I < S.Results.size(); ++I) {
    At RAt = index(field(A, "results"), I);
    if (Fn->ResultTypes[I] != slotType(S.Results[I]))
      return fail(RAt, "@" + Fn->Name + " returns " + Fn->ResultTypes[I].str() +
                           " to a slot of type " +
                           slotType(S.Results[I]).str());
    if (Error E = writable(S.Results[I], RAt))
      return E;
  }
  return Error::success();
}

Error Reader::forStep(const json::Object &O, const At &A, unsigned Depth,
                      PlanStep &S) {
  if (!S.Args.empty())
    return fail(field(A, "args"), "unexpected field");
  auto Bounds = dim(O.get("bounds"), field(A, "bounds"));
  if (!Bounds)
    return Bounds.takeError();
  if (Error E = intBounds(*Bounds, field(A, "bounds")))
    return E;
  S.Bounds = *Bounds;
  auto Index = slot(O.get("index"), field(A, "index"));
  if (!Index)
    return Index.takeError();
  S.Index = *Index;
  if (slotType(S.Index) != slotType(S.Bounds.LB))
    return fail(field(A, "index"), "not of the bounds' type");
  if (Error E = writable(S.Index, field(A, "index")))
    return E;
  if (Error E = carried(O, A, S))
    return E;
  return steps(O, "body", A, Depth + 1, S.Body);
}

Error Reader::whileStep(const json::Object &O, const At &A, unsigned Depth,
                        PlanStep &S) {
  if (!S.Args.empty())
    return fail(field(A, "args"), "unexpected field");
  if (Error E = steps(O, "cond", A, Depth + 1, S.Cond))
    return E;
  auto Cond = slot(O.get("cond-slot"), field(A, "cond-slot"));
  if (!Cond)
    return Cond.takeError();
  S.CondSlot = *Cond;
  if (slotType(S.CondSlot) != Type::i1())
    return fail(field(A, "cond-slot"), "not of type i1");
  if (Error E = carried(O, A, S))
    return E;
  return steps(O, "body", A, Depth + 1, S.Body);
}

Error Reader::overlapStep(const json::Object &O, const At &A, unsigned Depth,
                          PlanStep &S) {
  if (!S.Args.empty())
    return fail(field(A, "args"), "unexpected field");
  At DAt = field(A, "disjoint");
  auto Pairs = array(O.get("disjoint"), DAt);
  if (!Pairs)
    return Pairs.takeError();
  for (size_t I = 0; I < (*Pairs)->size(); ++I) {
    At PAt = index(DAt, I);
    auto Pair = array(&(**Pairs)[I], PAt);
    if (!Pair)
      return Pair.takeError();
    if ((*Pair)->size() != 2)
      return fail(PAt, "expected a pair of buffer slots");
    SlotId Two[2];
    for (size_t K = 0; K < 2; ++K) {
      auto Sl = slot(&(**Pair)[K], index(PAt, K));
      if (!Sl)
        return Sl.takeError();
      if (*Sl >= B.P.NumParams || !slotType(*Sl).isPtr())
        return fail(index(PAt, K), "not a buffer parameter");
      Two[K] = *Sl;
    }
    S.Disjoint.push_back({Two[0], Two[1]});
  }
  if (Error E = steps(O, "body", A, Depth + 1, S.Body))
    return E;
  return steps(O, "fallback", A, Depth + 1, S.Fallback);
}

/// The function of a Kernel or Scalar step: a valid index, run by no other
/// step (the ABI gives each function one shape and one parameter list).
Error Reader::callee(const json::Object &O, const At &A, PlanStep &S,
                     const Function *&Fn) {
  const auto &Funcs = B.P.Code->Functions;
  auto F =
      integer(O.get("func"), field(A, "func"), 0, int64_t(Funcs.size()) - 1);
  if (!F) {
    consumeError(F.takeError());
    return fail(field(A, "func"), "expected the index of a function of the "
                                  "plan's code (it has " +
                                      Twine(Funcs.size()) + ")");
  }
  if (FuncUsed[*F])
    return fail(field(A, "func"),
                "@" + Funcs[*F]->Name + " is run by another step too");
  FuncUsed[*F] = true;
  S.Func = *F;
  Fn = Funcs[*F].get();
  return Error::success();
}

Error Reader::carried(const json::Object &O, const At &A, PlanStep &S) {
  for (auto [Key, Out] :
       {std::pair{"carried", &S.Carried}, std::pair{"inits", &S.Inits},
        std::pair{"nexts", &S.Nexts},
        std::pair{"loop-results", &S.LoopResults}})
    if (Error E = slots(O, Key, A, *Out))
      return E;
  size_t N = S.Carried.size();
  if (S.Inits.size() != N || S.Nexts.size() != N || S.LoopResults.size() != N)
    return fail(A, "carried, inits, nexts and loop-results differ in length");
  for (size_t I = 0; I < N; ++I) {
    // Updates are all at once: one slot cannot be two loop variables.
    for (size_t J = 0; J < I; ++J)
      if (S.Carried[J] == S.Carried[I])
        return fail(index(field(A, "carried"), I),
                    "slot " + Twine(S.Carried[I]) +
                        " is already loop variable " + Twine(J));
    Type T = slotType(S.Carried[I]);
    if (slotType(S.Inits[I]) != T || slotType(S.Nexts[I]) != T ||
        slotType(S.LoopResults[I]) != T)
      return fail(index(field(A, "carried"), I),
                  "loop variable of type " + T.str() +
                      " with an init, next or result of another type");
    if (Error E = writable(S.Carried[I], index(field(A, "carried"), I)))
      return E;
    if (Error E =
            writable(S.LoopResults[I], index(field(A, "loop-results"), I)))
      return E;
  }
  return Error::success();
}

//===-- host-known slots --------------------------------------------------===//
//
// The executor keeps host-known slots (KernelABI.h: parameters, constants,
// `for` loop indices, every buffer slot) on the host, passes them to device
// code by value, and never reads them back from the device. Parameters and
// constants are refused as written slots where each step is read (writable);
// the rest needs the whole plan, since a write may come before the loop that
// makes a slot host-known.

namespace {

/// A slot where the plan names it, as `plan.steps[1].index`.
struct SlotAt {
  SlotId S;
  At Where;
};

/// What hostSlots checks, gathered from every step list of the plan.
struct SlotUses {
  /// `for` loop indices: the slot, the loop.
  std::vector<SlotAt> Indices;
  /// Slots written by device code or by a plan loop's updates: scalar
  /// results, reduction results, carried values, loop results.
  std::vector<SlotAt> Writes;
  /// Slots that a plan loop gives a value on the host: carried values and
  /// loop results (buffer slots among them get their buffers this way).
  std::vector<bool> LoopSet;
  /// Buffer slots read: arguments of kernels and scalar steps, plan loops'
  /// inits and nexts.
  std::vector<SlotAt> BufferReads;

  void gather(const Plan &P, const std::vector<PlanStep> &Steps, const At &A) {
    for (size_t I = 0; I < Steps.size(); ++I)
      gather(P, Steps[I], index(A, I));
  }

  void gather(const Plan &P, const PlanStep &S, const At &A) {
    auto Each = [&](const std::vector<SlotId> &Slots, StringRef Key,
                    std::vector<SlotAt> &Out, bool OnlyBuffers) {
      for (size_t I = 0; I < Slots.size(); ++I)
        if (!OnlyBuffers || P.Slots[Slots[I]].Ty.isPtr())
          Out.push_back({Slots[I], index(field(A, Key), I)});
    };
    Each(S.Args, "args", BufferReads, true);
    Each(S.Results, "results", Writes, false);
    for (size_t I = 0; I < S.Reductions.size(); ++I)
      Writes.push_back({S.Reductions[I].Result,
                        field(index(field(A, "reductions"), I), "result")});
    if (S.Kind == StepKind::ForLoop)
      Indices.push_back({S.Index, A});
    Each(S.Carried, "carried", Writes, false);
    Each(S.LoopResults, "loop-results", Writes, false);
    for (const auto *Set : {&S.Carried, &S.LoopResults})
      for (SlotId C : *Set)
        LoopSet[C] = true;
    Each(S.Inits, "inits", BufferReads, true);
    Each(S.Nexts, "nexts", BufferReads, true);
    gather(P, S.Cond, field(A, "cond"));
    gather(P, S.Body, field(A, "body"));
    gather(P, S.Fallback, field(A, "fallback"));
  }
};

} // namespace

Error Reader::hostSlots(const At &StepsAt) {
  const Plan &P = B.P;
  SlotUses U;
  U.LoopSet.assign(P.Slots.size(), false);
  U.gather(P, P.Steps, StepsAt);

  // A `for` index is the host's: the executor sets it before each trip and
  // keeps its own copy, so one loop owns it and nothing else writes it.
  std::vector<const At *> LoopOf(P.Slots.size(), nullptr);
  for (const SlotAt &I : U.Indices) {
    if (LoopOf[I.S])
      return fail(field(I.Where, "index"),
                  "slot " + Twine(I.S) + " is already the index of the loop " +
                      *LoopOf[I.S] + "; a loop index belongs to one loop");
    LoopOf[I.S] = &I.Where;
  }
  for (const SlotAt &W : U.Writes)
    if (LoopOf[W.S])
      return fail(W.Where, "slot " + Twine(W.S) + " is the index of the loop " +
                               *LoopOf[W.S] +
                               "; the host keeps it and no step writes it");

  // A buffer slot gets its buffer on the host only: from the arguments or
  // from a plan loop's updates (device code cannot return a pointer, and the
  // executor never reads one back).
  for (const SlotAt &R : U.BufferReads)
    if (R.S >= P.NumParams && !U.LoopSet[R.S])
      return fail(R.Where, "buffer slot " + Twine(R.S) +
                               " is not a parameter and no plan loop carries "
                               "or returns it: nothing gives it a buffer");
  return Error::success();
}

} // namespace ircgpu::bundle
