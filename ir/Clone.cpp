//===- ir/Clone.cpp - copying VIR between functions -----------------------===//
#include "ir/Clone.h"

#include <cassert>

using namespace ircgpu;

Value ircgpu::cloneValue(const Function &Src, Value V, Function &Dst) {
  const ValueInfo &I = Src.info(V);
  return Dst.newValue(I.Ty, I.Kind, I.Loc, Src.name(V), I.Bits);
}

static Value mapOperand(const Function &Src, Value V, Function &Dst,
                        ValueMap &Map) {
  Value M = Map.lookup(V);
  if (M.isValid())
    return M;
  assert(Src.isLiteral(V) && "cloneOps: operand defined outside and unmapped");
  M = cloneValue(Src, V, Dst);
  Map.set(V, M);
  return M;
}

void ircgpu::cloneOps(const Function &Src, llvm::ArrayRef<Op> Ops,
                      Function &Dst, ValueMap &Map, std::vector<Op> &Out) {
  for (const Op &O : Ops) {
    Op C;
    C.Code = O.Code;
    C.Sub = O.Sub;
    C.Flags = O.Flags;
    C.Callee = O.Callee;
    C.Loc = O.Loc;
    for (Value V : O.Operands)
      C.Operands.push_back(mapOperand(Src, V, Dst, Map));
    // Results are defined before the regions are entered in program order,
    // but no region can use its own op's results, so either order is right.
    for (Value R : O.Results) {
      Value N = cloneValue(Src, R, Dst);
      Map.set(R, N);
      C.Results.push_back(N);
    }
    C.Regions.resize(O.Regions.size());
    for (size_t I = 0; I < O.Regions.size(); ++I) {
      for (Value A : O.Regions[I].Args) {
        Value N = cloneValue(Src, A, Dst);
        Map.set(A, N);
        C.Regions[I].Args.push_back(N);
      }
      cloneOps(Src, O.Regions[I].Ops, Dst, Map, C.Regions[I].Ops);
    }
    Out.push_back(std::move(C));
  }
}

std::unique_ptr<Function> ircgpu::cloneFunction(const Function &F) {
  auto Fn = std::make_unique<Function>();
  Fn->Name = F.Name;
  Fn->Loc = F.Loc;
  Fn->ParamAttrs = F.ParamAttrs;
  Fn->ResultTypes = F.ResultTypes;
  ValueMap Map;
  for (Value P : F.Params) {
    Value NewP = cloneValue(F, P, *Fn);
    Map.set(P, NewP);
    Fn->Params.push_back(NewP);
  }
  cloneOps(F, F.Body.Ops, *Fn, Map, Fn->Body.Ops);
  return Fn;
}

std::vector<Value> ircgpu::capturedValues(const Function &F,
                                          llvm::ArrayRef<Op> Ops) {
  std::vector<uint8_t> State(F.numValues(), 0); // 1 defined inside, 2 listed
  std::vector<Value> Out;
  auto Walk = [&](auto &Self, llvm::ArrayRef<Op> Ops) -> void {
    for (const Op &O : Ops) {
      for (Value V : O.Operands)
        if (!F.isLiteral(V) && State[V.Id] == 0) {
          State[V.Id] = 2;
          Out.push_back(V);
        }
      for (Value R : O.Results)
        State[R.Id] = 1;
      for (const Region &Reg : O.Regions) {
        for (Value A : Reg.Args)
          State[A.Id] = 1;
        Self(Self, Reg.Ops);
      }
    }
  };
  // Definitions come before uses in a verified function, except that a
  // while's do-region uses the loop variables of its condition region; both
  // are marked before the do-region is walked, so one pass is enough.
  Walk(Walk, Ops);
  return Out;
}

void ircgpu::replaceUses(Function &F, const ValueMap &Map) {
  F.walk([&](Op &O) {
    for (Value &V : O.Operands) {
      Value M = Map.lookup(V);
      if (M.isValid())
        V = M;
    }
  });
}
