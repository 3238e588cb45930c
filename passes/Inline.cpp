//===- passes/Inline.cpp - inline every call ------------------------------===//
//
// One walk over F in program order. Each region's ops are rebuilt into a new
// vector (inserting into the vector being walked would invalidate references);
// a call is replaced by a copy of its callee's body, which is pushed onto a
// stack of pending op lists so that the calls it contains are inlined in turn.
// Call results are recorded in a replacement map applied to every op as it is
// visited: definitions come before uses, so one walk rewrites all uses.
//
// Literal arguments and literal `ret` values are materialised as `const` ops:
// substituting a literal for a parameter could leave an op with only literal
// operands, which VIR forbids. Canonicalisation folds them back where legal.
//
// A call whose inlined body would nest deeper than MaxNestingDepth is left in
// place (F stays verified; later stages report the call).
//
//===----------------------------------------------------------------------===//
#include "passes/Inline.h"

#include "ir/Clone.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"

#include <cassert>

using namespace ircgpu;

namespace {

class Inliner {
public:
  Inliner(Module &M, Function &F) : M(M), F(F) {
    for (size_t I = 0; I < F.numValues(); ++I) {
      llvm::StringRef N = F.name(Value{static_cast<uint32_t>(I)});
      if (!N.empty())
        Names.insert(N);
    }
  }
  void run() { region(F.Body, 1); }

private:
  void region(Region &R, unsigned Depth);
  bool inlineCall(const Op &Call, unsigned Depth, std::vector<Op> &Out);
  Value resolve(Value V) const;
  Value materialise(Value Lit, SrcLoc Loc, std::vector<Op> &Out);
  Value copyValue(const Function &Src, Value V);
  void cloneOps(const Function &Src, llvm::ArrayRef<Op> Ops, ValueMap &Map,
                std::vector<Op> &Out);
  unsigned depthOf(uint32_t FuncIndex);

  Module &M;
  Function &F;
  ValueMap Replaced;       ///< call result -> the value that replaces it
  llvm::StringSet<> Names; ///< names in use in F
  llvm::DenseMap<uint32_t, unsigned> Depths; ///< callee -> nesting depth
};

} // namespace

Value Inliner::resolve(Value V) const {
  // Chains arise when a callee returns the result of a call it makes.
  for (Value N = Replaced.lookup(V); N.isValid(); N = Replaced.lookup(V))
    V = N;
  return V;
}

/// A copy of Src's V in F. A name already used in F is dropped (the printer
/// invents a fresh one), so inlined code never renames the caller's values.
Value Inliner::copyValue(const Function &Src, Value V) {
  const ValueInfo &I = Src.info(V);
  llvm::StringRef Name = Src.name(V);
  if (I.Kind == ValueKind::Literal || !Names.insert(Name).second)
    Name = "";
  return F.newValue(I.Ty, I.Kind, I.Loc, Name, I.Bits);
}

/// As cloneOps of ir/Clone.h, with copyValue's naming.
void Inliner::cloneOps(const Function &Src, llvm::ArrayRef<Op> Ops,
                       ValueMap &Map, std::vector<Op> &Out) {
  for (const Op &O : Ops) {
    Op C;
    C.Code = O.Code;
    C.Sub = O.Sub;
    C.Flags = O.Flags;
    C.Callee = O.Callee;
    C.Loc = O.Loc;
    for (Value V : O.Operands) {
      Value N = Map.lookup(V);
      if (!N.isValid()) {
        assert(Src.isLiteral(V) && "inline: operand defined outside callee");
        N = copyValue(Src, V);
        Map.set(V, N);
      }
      C.Operands.push_back(N);
    }
    for (Value R : O.Results) {
      Value N = copyValue(Src, R);
      Map.set(R, N);
      C.Results.push_back(N);
    }
    C.Regions.resize(O.Regions.size());
    for (size_t I = 0; I < O.Regions.size(); ++I) {
      for (Value A : O.Regions[I].Args) {
        Value N = copyValue(Src, A);
        Map.set(A, N);
        C.Regions[I].Args.push_back(N);
      }
      cloneOps(Src, O.Regions[I].Ops, Map, C.Regions[I].Ops);
    }
    Out.push_back(std::move(C));
  }
}

/// `%c = const Lit : T` appended to Out; returns %c.
Value Inliner::materialise(Value Lit, SrcLoc Loc, std::vector<Op> &Out) {
  ValueInfo I = F.info(Lit); // a copy: newValue may grow the arena
  Op C;
  C.Code = Opcode::Const;
  C.Loc = Loc;
  C.Operands.push_back(F.newValue(I.Ty, ValueKind::Literal, I.Loc, "", I.Bits));
  C.Results.push_back(F.newValue(I.Ty, ValueKind::OpResult, Loc));
  Value R = C.Results[0];
  Out.push_back(std::move(C));
  return R;
}

/// Regions in the body of function FuncIndex, nested (the body counts as 1).
unsigned Inliner::depthOf(uint32_t FuncIndex) {
  auto It = Depths.find(FuncIndex);
  if (It != Depths.end())
    return It->second;
  unsigned Max = 1;
  auto Walk = [&](auto &Self, const Region &R, unsigned D) -> void {
    Max = std::max(Max, D);
    for (const Op &O : R.Ops)
      for (const Region &Sub : O.Regions)
        Self(Self, Sub, D + 1);
  };
  Walk(Walk, M.Functions[FuncIndex]->Body, 1);
  Depths[FuncIndex] = Max;
  return Max;
}

/// Appends the inlined body of Call (at nesting depth Depth) to Out; false if
/// the call must stay.
bool Inliner::inlineCall(const Op &Call, unsigned Depth, std::vector<Op> &Out) {
  if (Call.Callee >= M.Functions.size())
    return false;
  const Function &Callee = *M.Functions[Call.Callee];
  if (&Callee == &F || Callee.Body.Ops.empty() ||
      Callee.Body.Ops.back().Code != Opcode::Ret ||
      Callee.Params.size() != Call.Operands.size() ||
      Callee.Body.Ops.back().Operands.size() != Call.Results.size())
    return false;
  if (Depth + depthOf(Call.Callee) - 1 > MaxNestingDepth)
    return false;

  ValueMap Map;
  for (size_t I = 0; I < Call.Operands.size(); ++I) {
    Value Arg = Call.Operands[I];
    if (F.isLiteral(Arg))
      Arg = materialise(Arg, Call.Loc, Out);
    Map.set(Callee.Params[I], Arg);
  }
  llvm::ArrayRef<Op> Body = Callee.Body.Ops;
  cloneOps(Callee, Body.drop_back(), Map, Out);
  const Op &Ret = Body.back();
  for (size_t I = 0; I < Call.Results.size(); ++I) {
    Value V = Ret.Operands[I];
    Value N = Map.lookup(V);
    if (!N.isValid() || F.isLiteral(N)) {
      assert(Callee.isLiteral(V) && "inline: ret of an unmapped value");
      Value Lit = N.isValid()
                      ? N
                      : F.newValue(Callee.type(V), ValueKind::Literal,
                                   Callee.info(V).Loc, "", Callee.info(V).Bits);
      N = materialise(Lit, Ret.Loc, Out);
    }
    Replaced.set(Call.Results[I], N);
  }
  return true;
}

void Inliner::region(Region &R, unsigned Depth) {
  std::vector<Op> Out;
  Out.reserve(R.Ops.size());
  // Pending op lists, innermost last: an inlined body is walked before the
  // rest of the list that held its call.
  std::vector<std::pair<std::vector<Op>, size_t>> Stack;
  Stack.emplace_back(std::move(R.Ops), 0);
  R.Ops.clear();
  while (!Stack.empty()) {
    auto &[List, Next] = Stack.back();
    if (Next == List.size()) {
      Stack.pop_back();
      continue;
    }
    Op O = std::move(List[Next++]);
    for (Value &V : O.Operands)
      V = resolve(V);
    if (O.Code == Opcode::Call) {
      std::vector<Op> Body;
      if (inlineCall(O, Depth, Body)) {
        Stack.emplace_back(std::move(Body), 0); // invalidates List and Next
        continue;
      }
    }
    for (Region &Sub : O.Regions)
      region(Sub, Depth + 1);
    Out.push_back(std::move(O));
  }
  R.Ops = std::move(Out);
}

void ircgpu::inlineCalls(Module &M, Function &F) { Inliner(M, F).run(); }
