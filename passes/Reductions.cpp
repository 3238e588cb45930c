//===- passes/Reductions.cpp - recognise parallel reductions --------------===//
//
// Spec §4: an iter argument %acc is a reduction when the body yields
// OP(%acc, x) or OP(x, %acc), computed directly in the body, and %acc is used
// nowhere else. We also require that the partial value OP(%acc, x) is used
// only by the yield (once): a partial value that is stored or yielded twice
// would expose the order of the iterations (a scan, not a reduction).
//
//===----------------------------------------------------------------------===//
#include "passes/Reductions.h"

#include "passes/Affine.h"

namespace ircgpu {

namespace {

bool isIntCombine(Opcode C) {
  switch (C) {
  case Opcode::Add:
  case Opcode::Mul:
  case Opcode::And:
  case Opcode::Or:
  case Opcode::Xor:
  case Opcode::SMin:
  case Opcode::SMax:
  case Opcode::UMin:
  case Opcode::UMax:
    return true;
  default:
    return false;
  }
}

bool isFloatCombine(Opcode C) {
  return C == Opcode::FAdd || C == Opcode::FMul || C == Opcode::FMin ||
         C == Opcode::FMax;
}

std::string quoted(Opcode C) { return "'" + opcodeName(C).str() + "'"; }

/// Checks one iter argument; returns "" when it is a reduction.
class IterChecker {
public:
  IterChecker(const Function &F, const Op &L) : F(F), L(L) {}

  std::string check(unsigned K, Reduction &Out) {
    const Region &Body = L.Regions[0];
    Value Acc = Body.Args[K + 1];
    std::string AccName = affine::valueName(F, Acc);
    const Op &Yield = Body.Ops.back();
    Value Next = Yield.Operands[K];
    if (Next == Acc)
      return "iter argument " + AccName +
             " is yielded unchanged, not updated by a reduction";
    const Op *U = nullptr;
    for (const Op &O : Body.Ops)
      if (llvm::is_contained(O.Results, Next))
        U = &O;
    if (!U)
      return "iter argument " + AccName + " takes the value " +
             affine::valueName(F, Next) +
             ", which is not computed from it in the loop body";
    if (!isIntCombine(U->Code) && !isFloatCombine(U->Code))
      return "iter argument " + AccName + " is updated by " + quoted(U->Code) +
             ", which is not a reduction";
    unsigned X;
    if (U->Operands[0] == Acc && U->Operands[1] != Acc)
      X = 1;
    else if (U->Operands[1] == Acc && U->Operands[0] != Acc)
      X = 0;
    else if (U->Operands[0] == Acc)
      return "iter argument " + AccName + " is used twice by " +
             quoted(U->Code);
    else
      return "iter argument " + AccName + " is not an operand of the " +
             quoted(U->Code) + " computing its next value " +
             affine::valueName(F, Next);
    if (isFloatCombine(U->Code) && !L.hasFlag(FlagReassoc))
      return quoted(U->Code) + " reduction of " + AccName +
             " needs 'reassoc' on the loop";
    if (const Op *Other = otherUser(Body, Acc, U, ~0u))
      return "iter argument " + AccName + " is also used by " +
             quoted(Other->Code);
    if (const Op *Other = otherUser(Body, Next, &Yield, K))
      return "the partial value " + affine::valueName(F, Next) + " of " +
             AccName + " is also used by " + quoted(Other->Code);
    Out = Reduction{K, U->Code, U, X};
    return "";
  }

private:
  /// The first op in R (nested regions included) using V, other than one use
  /// by Allowed (at operand AllowedIdx; any one operand when ~0u).
  static const Op *otherUser(const Region &R, Value V, const Op *Allowed,
                             unsigned AllowedIdx) {
    bool Seen = false;
    return otherUser(R, V, Allowed, AllowedIdx, Seen);
  }
  static const Op *otherUser(const Region &R, Value V, const Op *Allowed,
                             unsigned AllowedIdx, bool &SeenAllowed) {
    for (const Op &O : R.Ops) {
      for (unsigned I = 0; I < O.Operands.size(); ++I) {
        if (O.Operands[I] != V)
          continue;
        bool Expected = &O == Allowed && !SeenAllowed &&
                        (AllowedIdx == ~0u || AllowedIdx == I);
        if (!Expected)
          return &O;
        SeenAllowed = true;
      }
      for (const Region &Sub : O.Regions)
        if (const Op *U = otherUser(Sub, V, Allowed, AllowedIdx, SeenAllowed))
          return U;
    }
    return nullptr;
  }

  const Function &F;
  const Op &L;
};

} // namespace

ReductionInfo findReductions(const Function &F, const Op &L) {
  ReductionInfo Info;
  const Region &Body = L.Regions[0];
  unsigned NumIters = Body.Args.size() - 1;
  IterChecker C(F, L);
  for (unsigned K = 0; K < NumIters; ++K) {
    Reduction R{};
    std::string Why = C.check(K, R);
    if (!Why.empty()) {
      Info.Ok = false;
      Info.BadIter = K;
      Info.Why = std::move(Why);
      return Info;
    }
    Info.Reductions.push_back(R);
  }
  return Info;
}

} // namespace ircgpu
