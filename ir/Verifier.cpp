//===- ir/Verifier.cpp - whole-module checks of VIR ------------------------===//
//
// The verifier trusts nothing the Builder did: a module may have been edited
// by compiler passes since it was built. One walk per function re-checks
//   - signatures: parameter and result types (no f16, no ptr<i1>, no pointer
//     results), attributes (known bits, on ptr parameters only, not both
//     readonly and writeonly), limits (MaxParams, MaxResults);
//   - every op: its opcode and shape (regions, Sub, Flags, Callee), operand
//     and result types (non-region ops through inferResultTypes, the rule the
//     Builder uses; region ops and terminators here, per the layout of
//     struct Op in IR.h), literals (scalar type, bits that fit the type);
//   - SSA: every value defined exactly once, every use sees a definition in
//     the same or an enclosing region that comes before it (a while's loop
//     variables are visible in both of its regions, values of its condition
//     region are not visible in its do region);
//   - terminators: `ret` only as the last op of the function body (which must
//     end in one), `yield`/`condition` only as the last op of a region whose
//     op needs them, with values matching the types they produce;
//   - nesting depth (MaxNestingDepth regions, the function body included, as
//     the Builder counts them);
// and then, over the whole module, duplicate function names and recursion in
// the call graph (Tarjan's algorithm with an explicit stack; one diagnostic
// per cycle, naming it). Every problem is reported; the diagnostics are sorted
// by source position (those without a location last, in walk order).
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Verifier.h"

#include "ircgpu/Builder.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Literal.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cassert>

using namespace ircgpu;

namespace {

bool isF16(Type T) { return T.isValid() && T.elem() == Scalar::F16; }

std::string plural(size_t N, llvm::StringRef One, llvm::StringRef Many) {
  return (llvm::Twine(N) + " " + (N == 1 ? One : Many)).str();
}

/// Whether Msg names @Name (so that a location-less message need not add it).
bool mentions(llvm::StringRef Msg, llvm::StringRef Name) {
  std::string At = ("@" + Name).str();
  for (size_t Pos = Msg.find(At); Pos != llvm::StringRef::npos; Pos = Msg.find(At, Pos + 1)) {
    size_t End = Pos + At.size();
    if (End == Msg.size() || !(llvm::isAlnum(Msg[End]) || Msg[End] == '_' || Msg[End] == '.'))
      return true;
  }
  return false;
}

/// Visits the ops under R in pre-order (program order), without recursion.
template <typename Fn> void forEachOp(const Region &R, Fn &&Visit) {
  struct Pos {
    const Region *R;
    size_t Next;
  };
  std::vector<Pos> Work{{&R, 0}};
  while (!Work.empty()) {
    Pos &P = Work.back();
    if (P.Next == P.R->Ops.size()) {
      Work.pop_back();
      continue;
    }
    const Op &O = P.R->Ops[P.Next++];
    Visit(O);
    for (size_t I = O.Regions.size(); I-- > 0;)
      Work.push_back({&O.Regions[I], 0}); // P is invalid from here on
  }
}

/// Which terminator a region must end in.
struct TermSpec {
  enum Kind { None, Ret, Yield, Condition } K = None;
  llvm::SmallVector<Type, 2> Types; ///< what the terminator carries
  std::string Owner;                ///< "'for' body", "@f", ...
};

class Verifier {
public:
  explicit Verifier(const Module &M) : M(M), Calls(M.Functions.size()) {}

  llvm::Error run();

private:
  // --- reporting ----------------------------------------------------------
  void error(SrcLoc L, const llvm::Twine &Msg);
  SrcLoc operandLoc(const Op &O, int Index) const;

  // --- values ---------------------------------------------------------------
  bool validValue(Value V) const { return V.Id < F->numValues(); }
  std::string ref(Value V) const;
  std::string typeProblem(Type T) const;
  void define(Value V, ValueKind Want, SrcLoc L, const llvm::Twine &What, bool CheckType = true);
  bool use(const Op &O, unsigned Index);
  void pushScope() { Scopes.emplace_back(); }
  void popScope();

  // --- functions, regions, ops ---------------------------------------------
  void verifyFunction(unsigned Index);
  void verifyRegion(const Region &R, const TermSpec &Spec, unsigned Depth, SrcLoc OwnerLoc);
  void verifyOp(const Op &O, unsigned Depth);
  bool verifyShape(const Op &O);
  void verifyPlainOp(const Op &O);
  void verifyTerminator(const Op &O, const TermSpec &Spec, bool Last);
  void verifyFor(const Op &O, unsigned Depth);
  void verifyIf(const Op &O, unsigned Depth);
  void verifyWhile(const Op &O, unsigned Depth);
  void checkResults(const Op &O, llvm::ArrayRef<Type> Want);
  void defineResults(const Op &O);
  bool tooDeep(const Op &O, unsigned Depth);

  // --- module ---------------------------------------------------------------
  void verifyNames();
  void verifyRecursion();

  const Module &M;
  std::vector<Diagnostic> Diags;

  struct CallEdge {
    uint32_t To;
    SrcLoc Loc;
  };
  std::vector<std::vector<CallEdge>> Calls; ///< by caller, first call per callee
  std::vector<bool> SignatureOk;            ///< parameters are values of their function

  // Per function.
  const Function *F = nullptr;
  enum : uint8_t { Undefined, Visible, OutOfScope };
  std::vector<uint8_t> State; ///< by Value::Id
  std::vector<std::vector<uint32_t>> Scopes;
  struct PendingUse {
    SrcLoc Loc;
    Opcode Code;
    Value V;
  };
  std::vector<PendingUse> Pending; ///< uses of values not (yet) defined
};

void Verifier::error(SrcLoc L, const llvm::Twine &Msg) {
  if (!L.isValid() && F)
    L = F->Loc;
  std::string S = Msg.str();
  if (!L.isValid() && F && !mentions(S, F->Name))
    S += " (in @" + F->Name + ")";
  Diags.push_back({L, std::move(S)});
}

SrcLoc Verifier::operandLoc(const Op &O, int Index) const {
  if (Index >= 0 && static_cast<size_t>(Index) < O.Operands.size()) {
    Value V = O.Operands[Index];
    if (validValue(V) && F->isLiteral(V) && F->info(V).Loc.isValid())
      return F->info(V).Loc;
  }
  return O.Loc;
}

std::string Verifier::ref(Value V) const {
  if (!validValue(V))
    return "<invalid value>";
  if (F->isLiteral(V)) {
    Type T = F->type(V);
    if (T.isScalar() && !isF16(T))
      return "literal " + formatLiteral(T, F->info(V).Bits);
    return "literal";
  }
  llvm::StringRef N = F->name(V);
  if (!N.empty())
    return ("%" + N).str();
  return ("value #" + llvm::Twine(V.Id)).str();
}

/// Why T cannot be the type of a value, or "".
std::string Verifier::typeProblem(Type T) const {
  if (!T.isValid())
    return "has no type";
  if (isF16(T))
    return "f16 is not supported yet";
  if (T.isPtr() && T.elem() == Scalar::I1)
    return "ptr<i1> is not a valid type: buffers of i1 do not exist; use ptr<i8>";
  return "";
}

void Verifier::define(Value V, ValueKind Want, SrcLoc L, const llvm::Twine &What,
                      bool CheckType) {
  if (!validValue(V)) {
    error(L, What + " is not a value of @" + F->Name);
    return;
  }
  const ValueInfo &I = F->info(V);
  if (I.Kind != Want) {
    static const char *const KindName[] = {"a parameter", "a region argument", "an op result",
                                           "a literal"};
    error(L, What + " " + ref(V) + " is " + KindName[static_cast<unsigned>(I.Kind)] +
                 ", expected " + KindName[static_cast<unsigned>(Want)]);
    return;
  }
  if (State[V.Id] != Undefined) {
    error(L, "value " + ref(V) + " is defined more than once");
    // Scope it here too, so that its uses nearby do not cascade.
    if (State[V.Id] == Visible)
      return;
  }
  State[V.Id] = Visible;
  Scopes.back().push_back(V.Id);
  if (CheckType) {
    std::string P = typeProblem(I.Ty);
    if (P == "has no type")
      error(L, What + " " + ref(V) + " has no type");
    else if (!P.empty())
      error(L, P);
  }
}

void Verifier::popScope() {
  for (uint32_t Id : Scopes.back())
    State[Id] = OutOfScope;
  Scopes.pop_back();
}

/// Checks that operand Index of O may be used here; false if its type cannot
/// be looked at (not a value of the function).
bool Verifier::use(const Op &O, unsigned Index) {
  Value V = O.Operands[Index];
  llvm::StringRef Name = opcodeName(O.Code);
  if (!validValue(V)) {
    error(O.Loc, "'" + Name + "' operand " + llvm::Twine(Index) + " is not a value of @" +
                     F->Name);
    return false;
  }
  const ValueInfo &I = F->info(V);
  if (I.Kind == ValueKind::Literal) {
    SrcLoc L = operandLoc(O, Index);
    if (!I.Ty.isValid()) {
      error(L, "'" + Name + "' operand " + llvm::Twine(Index) + " is a literal without a type");
      return false;
    }
    if (isF16(I.Ty)) {
      error(L, "f16 is not supported yet");
      return true;
    }
    if (!I.Ty.isScalar()) {
      error(L, "a literal must have a scalar type, not " + I.Ty.str());
      return true;
    }
    if (I.Ty.bits() < 64 && (I.Bits >> I.Ty.bits()) != 0)
      error(L, "literal bits 0x" + llvm::Twine::utohexstr(I.Bits) + " do not fit in " +
                   I.Ty.str());
    return true;
  }
  if (State[V.Id] == Visible)
    return true;
  if (State[V.Id] == OutOfScope)
    error(O.Loc, "'" + Name + "' uses " + ref(V) + " outside the region that defines it");
  else
    Pending.push_back({O.Loc, O.Code, V});
  return true;
}

bool Verifier::tooDeep(const Op &O, unsigned Depth) {
  // Depth counts the regions open around O, the function body included; O's
  // regions would make it Depth + 1 (the Builder's count).
  if (Depth + 1 <= MaxNestingDepth)
    return false;
  error(O.Loc, "nesting deeper than " + llvm::Twine(MaxNestingDepth) + " regions");
  return true;
}

void Verifier::verifyFunction(unsigned Index) {
  F = M.Functions[Index].get();
  State.assign(F->numValues(), Undefined);
  Scopes.clear();
  Pending.clear();
  pushScope();

  if (F->Params.size() > MaxParams)
    error(F->Loc, "@" + F->Name + " has more than " + llvm::Twine(MaxParams) + " parameters");
  if (F->ResultTypes.size() > MaxResults)
    error(F->Loc, "@" + F->Name + " has more than " + llvm::Twine(MaxResults) + " results");
  if (!F->ParamAttrs.empty() && F->ParamAttrs.size() != F->Params.size())
    error(F->Loc, "@" + F->Name + " has " + plural(F->ParamAttrs.size(), "attribute mask", "attribute masks") +
                      " for " + plural(F->Params.size(), "parameter", "parameters"));

  for (size_t I = 0; I < F->Params.size(); ++I) {
    Value P = F->Params[I];
    std::string What = ("parameter " + llvm::Twine(I)).str();
    if (!validValue(P)) {
      error(F->Loc, What + " of @" + F->Name + " is not a value of @" + F->Name);
      continue;
    }
    SrcLoc L = F->info(P).Loc.isValid() ? F->info(P).Loc : F->Loc;
    define(P, ValueKind::Param, L, What, /*CheckType=*/false);
    Type T = F->type(P);
    std::string Prob = typeProblem(T);
    if (!Prob.empty()) {
      error(L, Prob == "has no type" ? "parameter " + ref(P) + " of @" + F->Name + " has no type"
                                     : Prob);
      continue;
    }
    uint8_t A = I < F->ParamAttrs.size() ? F->ParamAttrs[I] : 0;
    if (A & ~(AttrNoAlias | AttrReadOnly | AttrWriteOnly))
      error(L, "parameter " + ref(P) + " has unknown attribute bits 0x" +
                   llvm::Twine::utohexstr(A & ~(AttrNoAlias | AttrReadOnly | AttrWriteOnly)));
    if ((A & (AttrNoAlias | AttrReadOnly | AttrWriteOnly)) && !T.isPtr())
      error(L, "attributes noalias, readonly and writeonly apply to ptr parameters only, not to " +
                   ref(P) + " of type " + T.str());
    if ((A & AttrReadOnly) && (A & AttrWriteOnly))
      error(L, "parameter " + ref(P) + " cannot be both readonly and writeonly");
  }
  for (Type R : F->ResultTypes) {
    std::string Prob = typeProblem(R);
    if (!Prob.empty())
      error(F->Loc, Prob == "has no type" ? "a result of @" + F->Name + " has no type" : Prob);
    else if (R.isPtr())
      error(F->Loc, "@" + F->Name + " cannot return a pointer (" + R.str() + ")");
  }

  TermSpec Spec;
  Spec.K = TermSpec::Ret;
  Spec.Types.assign(F->ResultTypes.begin(), F->ResultTypes.end());
  Spec.Owner = "@" + F->Name;
  // The body is depth 1 (as the Builder counts open regions); its own scope
  // is the parameters' scope.
  if (F->Body.Ops.empty() && F->Body.Args.empty()) {
    error(F->Loc, "@" + F->Name + " has no body; a function body ends in 'ret'");
  } else {
    if (!F->Body.Args.empty())
      error(F->Loc, "the body of @" + F->Name + " takes no region arguments");
    verifyRegion(F->Body, Spec, 1, F->Loc);
  }

  for (const PendingUse &U : Pending) {
    llvm::StringRef Name = opcodeName(U.Code);
    if (State[U.V.Id] != Undefined)
      error(U.Loc, "'" + Name + "' uses " + ref(U.V) + " before its definition");
    else
      error(U.Loc, "'" + Name + "' uses " + ref(U.V) + ", which is never defined");
  }
  popScope();
  F = nullptr;
}

/// Walks the ops of R (whose arguments the caller has defined) in a scope of
/// their own. Depth: regions open at R, R included.
void Verifier::verifyRegion(const Region &R, const TermSpec &Spec, unsigned Depth,
                            SrcLoc OwnerLoc) {
  pushScope();
  bool EndedInTerminator = false;
  for (size_t I = 0; I < R.Ops.size(); ++I) {
    const Op &O = R.Ops[I];
    if (static_cast<unsigned>(O.Code) >= NumOpcodes) {
      error(O.Loc, "invalid opcode " + llvm::Twine(static_cast<unsigned>(O.Code)));
      continue;
    }
    OpKind K = O.kind();
    bool Last = I + 1 == R.Ops.size();
    if (K == OpKind::Ret || K == OpKind::Yield || K == OpKind::Condition) {
      verifyTerminator(O, Spec, Last);
      EndedInTerminator = Last;
      continue;
    }
    verifyOp(O, Depth);
  }
  if (!EndedInTerminator && Spec.K != TermSpec::None) {
    SrcLoc L = R.Ops.empty() ? OwnerLoc : R.Ops.back().Loc;
    if (!L.isValid())
      L = OwnerLoc;
    switch (Spec.K) {
    case TermSpec::Ret:
      error(L, "the body of " + Spec.Owner + " must end in 'ret'");
      break;
    case TermSpec::Yield:
      error(L, Spec.Owner + " must end in 'yield' of " +
                   plural(Spec.Types.size(), "value", "values"));
      break;
    case TermSpec::Condition:
      error(L, Spec.Owner + " must end in 'condition'");
      break;
    case TermSpec::None:
      break;
    }
  }
  popScope();
}

void Verifier::verifyTerminator(const Op &O, const TermSpec &Spec, bool Last) {
  llvm::StringRef Name = opcodeName(O.Code);
  bool ShapeOk = verifyShape(O);
  llvm::SmallVector<bool, 4> Typed;
  for (unsigned I = 0; I < O.Operands.size(); ++I)
    Typed.push_back(use(O, I));
  if (!O.Results.empty())
    error(O.Loc, "'" + Name + "' has no results");

  OpKind K = O.kind();
  TermSpec::Kind Want = K == OpKind::Ret     ? TermSpec::Ret
                        : K == OpKind::Yield ? TermSpec::Yield
                                             : TermSpec::Condition;
  if (Want != Spec.K || !Last) {
    if (K == OpKind::Ret)
      error(O.Loc, "'ret' is only allowed as the last op of the function body");
    else if (!Last)
      error(O.Loc, "'" + Name + "' must be the last op of its region");
    else if (Spec.K == TermSpec::Ret)
      error(O.Loc, "'" + Name + "' outside a region; the body of " + Spec.Owner +
                       " must end in 'ret'");
    else if (Spec.K == TermSpec::Condition)
      error(O.Loc, Spec.Owner + " must end in 'condition', not '" + Name + "'");
    else if (K == OpKind::Yield)
      error(O.Loc, "unexpected 'yield': " + Spec.Owner + " yields no values");
    else
      error(O.Loc, "'condition' is only allowed at the end of the condition region of 'while'");
    return;
  }
  if (!ShapeOk)
    return;

  if (K == OpKind::Condition) {
    if (O.Operands.size() != 1) {
      error(O.Loc, "'condition' takes one i1 operand, got " +
                       plural(O.Operands.size(), "operand", "operands"));
      return;
    }
    if (Typed[0] && F->type(O.Operands[0]) != Type::i1())
      error(operandLoc(O, 0), "'condition' operand " + ref(O.Operands[0]) + " must be i1, got " +
                                  F->type(O.Operands[0]).str());
    return;
  }

  if (O.Operands.size() != Spec.Types.size()) {
    if (K == OpKind::Ret)
      error(O.Loc, Spec.Owner + " returns " + plural(Spec.Types.size(), "value", "values") +
                       ", 'ret' has " + llvm::Twine(O.Operands.size()));
    else
      error(O.Loc, Spec.Owner + " must yield " + plural(Spec.Types.size(), "value", "values") +
                       ", got " + llvm::Twine(O.Operands.size()));
    return;
  }
  for (unsigned I = 0; I < O.Operands.size(); ++I) {
    if (!Typed[I])
      continue;
    Type T = F->type(O.Operands[I]);
    if (T == Spec.Types[I])
      continue;
    if (K == OpKind::Ret)
      error(operandLoc(O, I), "'ret' value " + ref(O.Operands[I]) + " is " + T.str() + " but " +
                                  Spec.Owner + " returns " + Spec.Types[I].str());
    else
      error(operandLoc(O, I), Spec.Owner + " yields " + ref(O.Operands[I]) + " of type " +
                                  T.str() + " where " + Spec.Types[I].str() + " is expected");
  }
}

/// The fields of O other than operands and results: regions, Sub, Flags and
/// Callee. False if they are too broken for the type rule to look at.
bool Verifier::verifyShape(const Op &O) {
  llvm::StringRef Name = opcodeName(O.Code);
  OpKind K = O.kind();
  bool Ok = true;
  unsigned WantRegions = K == OpKind::For ? 1 : (K == OpKind::If || K == OpKind::While) ? 2 : 0;
  if (O.Regions.size() != WantRegions) {
    error(O.Loc, "'" + Name + "' has " + plural(O.Regions.size(), "region", "regions") +
                     ", expected " + llvm::Twine(WantRegions));
    Ok = false;
  }
  unsigned MaxSub = K == OpKind::ICmp     ? static_cast<unsigned>(ICmpPred::UGE)
                    : K == OpKind::FCmp   ? static_cast<unsigned>(FCmpPred::UNO)
                    : K == OpKind::Atomic ? static_cast<unsigned>(AtomicKind::Xchg)
                                          : 0;
  if (O.Sub > MaxSub) {
    if (MaxSub == 0)
      error(O.Loc, "'" + Name + "' has a predicate or atomic operation (Sub = " +
                       llvm::Twine(unsigned(O.Sub)) + "); it takes none");
    else
      error(O.Loc, "'" + Name + "' has an invalid " +
                       (K == OpKind::Atomic ? "operation" : "predicate") + " (" +
                       llvm::Twine(unsigned(O.Sub)) + ")");
    Ok = false;
  }
  uint8_t Allowed = 0;
  switch (K) {
  case OpKind::For: Allowed = FlagParallel | FlagReassoc; break;
  case OpKind::If: Allowed = FlagHasElse; break;
  case OpKind::MathUnary:
  case OpKind::MathBinary:
  case OpKind::MathTernary: Allowed = FlagAfn; break;
  default: break;
  }
  if (O.Flags & ~Allowed) {
    uint8_t Bad = O.Flags & ~Allowed;
    if (Bad == FlagAfn)
      error(O.Loc, "'afn' is only allowed on float math functions, not on '" + Name + "'");
    else if ((Bad & ~(FlagParallel | FlagReassoc)) == 0)
      error(O.Loc, "'" + Name + "' takes no loop flags (parallel, reassoc)");
    else
      error(O.Loc, "'" + Name + "' has invalid flags 0x" + llvm::Twine::utohexstr(Bad));
    Ok = false;
  }
  if (K == OpKind::Call) {
    if (O.Callee >= M.Functions.size()) {
      error(O.Loc, "'call' of an undefined function (callee index " + llvm::Twine(O.Callee) +
                       ")");
      Ok = false;
    }
  } else if (O.Callee != ~0u) {
    error(O.Loc, "'" + Name + "' has a callee; only 'call' has one");
    Ok = false;
  }
  if (O.Results.size() > MaxResults) {
    error(O.Loc, "'" + Name + "' has more than " + llvm::Twine(MaxResults) + " results");
    Ok = false;
  }
  return Ok;
}

void Verifier::verifyOp(const Op &O, unsigned Depth) {
  switch (O.kind()) {
  case OpKind::For:
    verifyFor(O, Depth);
    return;
  case OpKind::If:
    verifyIf(O, Depth);
    return;
  case OpKind::While:
    verifyWhile(O, Depth);
    return;
  default:
    verifyPlainOp(O);
    return;
  }
}

/// Result Values of O compared with the types the rule gives.
void Verifier::checkResults(const Op &O, llvm::ArrayRef<Type> Want) {
  llvm::StringRef Name = opcodeName(O.Code);
  if (O.Results.size() != Want.size()) {
    error(O.Loc, "'" + Name + "' has " + plural(O.Results.size(), "result", "results") +
                     ", expected " + llvm::Twine(Want.size()));
    return;
  }
  for (size_t I = 0; I < Want.size(); ++I) {
    Value R = O.Results[I];
    if (!validValue(R) || !F->type(R).isValid() || F->type(R) == Want[I])
      continue;
    error(O.Loc, "'" + Name + "' result " + ref(R) + " has type " + F->type(R).str() +
                     ", expected " + Want[I].str());
  }
}

void Verifier::defineResults(const Op &O) {
  llvm::StringRef Name = opcodeName(O.Code);
  for (size_t I = 0; I < O.Results.size(); ++I)
    define(O.Results[I], ValueKind::OpResult, O.Loc,
           "result " + llvm::Twine(I) + " of '" + Name + "'");
}

void Verifier::verifyPlainOp(const Op &O) {
  bool Ok = verifyShape(O);
  for (unsigned I = 0; I < O.Operands.size(); ++I)
    Ok &= use(O, I);
  for (Value R : O.Results)
    if (!validValue(R))
      Ok = false;
  // Types already reported where they were defined: do not cascade.
  for (Value V : O.Operands)
    if (validValue(V) && !typeProblem(F->type(V)).empty())
      Ok = false;
  for (Value R : O.Results)
    if (validValue(R) && !typeProblem(F->type(R)).empty())
      Ok = false;
  if (Ok && O.kind() == OpKind::Call && !SignatureOk[O.Callee])
    Ok = false; // the callee's own diagnostics say why
  if (Ok) {
    auto Tys = inferResultTypes(M, *F, O);
    if (!Tys) {
      std::string Msg;
      int Operand = -1;
      llvm::handleAllErrors(
          Tys.takeError(),
          [&](const BuildError &E) {
            Msg = E.message();
            Operand = E.operand();
          },
          [&](const llvm::ErrorInfoBase &E) { Msg = E.message(); });
      error(operandLoc(O, Operand), Msg);
    } else {
      checkResults(O, *Tys);
    }
  }
  defineResults(O);
}

void Verifier::verifyFor(const Op &O, unsigned Depth) {
  bool ShapeOk = verifyShape(O);
  llvm::SmallVector<bool, 4> Typed;
  for (unsigned I = 0; I < O.Operands.size(); ++I)
    Typed.push_back(use(O, I));
  auto Ty = [&](unsigned I) { return Typed[I] ? F->type(O.Operands[I]) : Type(); };

  size_t NInits = O.Operands.size() >= 3 ? O.Operands.size() - 3 : 0;
  Type IT;
  if (O.Operands.size() < 3) {
    error(O.Loc, "'for' needs a lower bound, an upper bound and a step, got " +
                     plural(O.Operands.size(), "operand", "operands"));
  } else if (Typed[0] && Typed[1] && Typed[2]) {
    IT = Ty(0);
    if (IT != Type::i32() && IT != Type::i64())
      error(operandLoc(O, 0), "'for' bounds must be i32 or i64, got " + IT.str());
    else if (Ty(1) != IT)
      error(operandLoc(O, 1), "'for' upper bound must have the type of the lower bound (" +
                                  IT.str() + "), got " + Ty(1).str());
    else if (Ty(2) != IT)
      error(operandLoc(O, 2), "'for' step must have the type of the bounds (" + IT.str() +
                                  "), got " + Ty(2).str());
  }

  // The iter types: as declared by the region arguments where they exist.
  llvm::SmallVector<Type, 2> IterTypes;
  for (size_t I = 0; I < NInits; ++I)
    IterTypes.push_back(Ty(3 + I));
  if (ShapeOk) {
    const Region &Body = O.Regions[0];
    if (Body.Args.size() != 1 + NInits) {
      error(O.Loc, "'for' body has " + plural(Body.Args.size(), "argument", "arguments") +
                       ", expected " + llvm::Twine(1 + NInits) +
                       " (the index and one per iter argument)");
    } else {
      if (validValue(Body.Args[0]) && IT.isValid() && F->type(Body.Args[0]) != IT)
        error(O.Loc, "'for' index " + ref(Body.Args[0]) + " has type " +
                         F->type(Body.Args[0]).str() + ", but the bounds are " + IT.str());
      for (size_t I = 0; I < NInits; ++I) {
        Value A = Body.Args[1 + I];
        if (!validValue(A))
          continue;
        Type AT = F->type(A);
        if (Typed[3 + I] && AT.isValid() && AT != Ty(3 + I))
          error(operandLoc(O, 3 + I), "iter argument " + ref(A) + " declared " + AT.str() +
                                          " is initialised with " + ref(O.Operands[3 + I]) +
                                          " of type " + Ty(3 + I).str());
        IterTypes[I] = AT;
      }
    }
  }
  if (O.Results.size() != NInits) {
    error(O.Loc, "'for' has " + plural(O.Results.size(), "result", "results") + ", but " +
                     plural(NInits, "iter argument", "iter arguments"));
  } else {
    for (size_t I = 0; I < NInits; ++I) {
      Value R = O.Results[I];
      if (validValue(R) && IterTypes[I].isValid() && F->type(R).isValid() &&
          F->type(R) != IterTypes[I])
        error(O.Loc, "'for' result " + ref(R) + " has type " + F->type(R).str() +
                         ", but its iter argument is " + IterTypes[I].str());
    }
  }

  if (ShapeOk && !tooDeep(O, Depth)) {
    const Region &Body = O.Regions[0];
    pushScope();
    for (size_t I = 0; I < Body.Args.size(); ++I)
      define(Body.Args[I], ValueKind::RegionArg, O.Loc,
             I == 0 ? llvm::Twine("'for' index") : llvm::Twine("'for' iter argument"));
    TermSpec Spec;
    Spec.K = NInits ? TermSpec::Yield : TermSpec::None;
    Spec.Types = IterTypes;
    Spec.Owner = NInits ? "'for' body" : "'for' body without iter arguments";
    verifyRegion(Body, Spec, Depth + 1, O.Loc);
    popScope();
  }
  defineResults(O);
}

void Verifier::verifyIf(const Op &O, unsigned Depth) {
  bool ShapeOk = verifyShape(O);
  if (O.Operands.size() != 1) {
    error(O.Loc, "'if' takes one i1 condition, got " +
                     plural(O.Operands.size(), "operand", "operands"));
    for (unsigned I = 0; I < O.Operands.size(); ++I)
      use(O, I);
  } else if (use(O, 0) && F->type(O.Operands[0]) != Type::i1()) {
    error(operandLoc(O, 0), "'if' condition " + ref(O.Operands[0]) + " must be i1, got " +
                                F->type(O.Operands[0]).str());
  }
  llvm::SmallVector<Type, 2> ResultTypes;
  for (Value R : O.Results)
    ResultTypes.push_back(validValue(R) ? F->type(R) : Type());
  bool HasElse = O.hasFlag(FlagHasElse);
  if (!O.Results.empty() && !HasElse)
    error(O.Loc, "'if' with results needs an else region");

  if (ShapeOk) {
    if (!O.Regions[0].Args.empty() || !O.Regions[1].Args.empty())
      error(O.Loc, "the regions of 'if' take no arguments");
    if (!HasElse && !O.Regions[1].Ops.empty())
      error(O.Loc, "'if' has ops in its else region but no else flag (FlagHasElse)");
  }
  if (ShapeOk && !tooDeep(O, Depth)) {
    TermSpec Spec;
    Spec.K = ResultTypes.empty() ? TermSpec::None : TermSpec::Yield;
    Spec.Types = ResultTypes;
    Spec.Owner = ResultTypes.empty() ? "'if' without results" : "'if' then-region";
    verifyRegion(O.Regions[0], Spec, Depth + 1, O.Loc);
    if (HasElse || !O.Regions[1].Ops.empty()) {
      Spec.Owner = ResultTypes.empty() ? "'if' without results" : "'if' else-region";
      verifyRegion(O.Regions[1], Spec, Depth + 1, O.Loc);
    }
  }
  defineResults(O);
}

void Verifier::verifyWhile(const Op &O, unsigned Depth) {
  bool ShapeOk = verifyShape(O);
  llvm::SmallVector<bool, 4> Typed;
  for (unsigned I = 0; I < O.Operands.size(); ++I)
    Typed.push_back(use(O, I));
  size_t N = O.Operands.size();
  llvm::SmallVector<Type, 2> VarTypes;
  for (size_t I = 0; I < N; ++I)
    VarTypes.push_back(Typed[I] ? F->type(O.Operands[I]) : Type());

  if (ShapeOk) {
    const Region &Cond = O.Regions[0];
    if (Cond.Args.size() != N) {
      error(O.Loc, "'while' has " + plural(Cond.Args.size(), "loop variable", "loop variables") +
                       " but " + plural(N, "initial value", "initial values"));
    } else {
      for (size_t I = 0; I < N; ++I) {
        Value A = Cond.Args[I];
        if (!validValue(A))
          continue;
        Type AT = F->type(A);
        if (Typed[I] && AT.isValid() && AT != VarTypes[I])
          error(operandLoc(O, I), "loop variable " + ref(A) + " declared " + AT.str() +
                                      " is initialised with " + ref(O.Operands[I]) +
                                      " of type " + VarTypes[I].str());
        VarTypes[I] = AT;
      }
    }
    if (!O.Regions[1].Args.empty())
      error(O.Loc, "the do region of 'while' takes no arguments");
  }
  if (O.Results.size() != N) {
    error(O.Loc, "'while' has " + plural(O.Results.size(), "result", "results") + ", but " +
                     plural(N, "loop variable", "loop variables"));
  } else {
    for (size_t I = 0; I < N; ++I) {
      Value R = O.Results[I];
      if (validValue(R) && VarTypes[I].isValid() && F->type(R).isValid() &&
          F->type(R) != VarTypes[I])
        error(O.Loc, "'while' result " + ref(R) + " has type " + F->type(R).str() +
                         ", but its loop variable is " + VarTypes[I].str());
    }
  }

  if (ShapeOk && !tooDeep(O, Depth)) {
    // The loop variables: a scope around both regions.
    pushScope();
    for (Value A : O.Regions[0].Args)
      define(A, ValueKind::RegionArg, O.Loc, "'while' loop variable");
    for (Value A : O.Regions[1].Args)
      define(A, ValueKind::RegionArg, O.Loc, "'while' do-region argument");
    TermSpec CondSpec;
    CondSpec.K = TermSpec::Condition;
    CondSpec.Owner = "the condition region of 'while'";
    verifyRegion(O.Regions[0], CondSpec, Depth + 1, O.Loc);
    TermSpec DoSpec;
    DoSpec.K = N ? TermSpec::Yield : TermSpec::None;
    DoSpec.Types = VarTypes;
    DoSpec.Owner = N ? "'while' do-region" : "'while' without loop variables";
    verifyRegion(O.Regions[1], DoSpec, Depth + 1, O.Loc);
    popScope();
  }
  defineResults(O);
}

void Verifier::verifyNames() {
  llvm::StringMap<unsigned> Seen;
  for (const auto &Fn : M.Functions) {
    if (Fn->Name.empty()) {
      Diags.push_back({Fn->Loc, "a function needs a name"});
      continue;
    }
    if (!Seen.try_emplace(Fn->Name, 0).second)
      Diags.push_back({Fn->Loc, "redefinition of function '@" + Fn->Name + "'"});
  }
}

/// Tarjan's strongly connected components, iteratively. Every component
/// with a cycle gets one diagnostic naming a shortest cycle through its
/// first function (in module order), at the call that starts it.
void Verifier::verifyRecursion() {
  const size_t N = M.Functions.size();
  constexpr uint32_t Unvisited = ~0u;
  std::vector<uint32_t> IndexOf(N, Unvisited), Low(N, 0);
  std::vector<bool> OnStack(N, false);
  std::vector<uint32_t> Stack;
  std::vector<std::vector<uint32_t>> Components;
  struct Frame {
    uint32_t Node;
    size_t NextEdge;
  };
  std::vector<Frame> Work;
  uint32_t Counter = 0;

  for (uint32_t Root = 0; Root < N; ++Root) {
    if (IndexOf[Root] != Unvisited)
      continue;
    Work.push_back({Root, 0});
    IndexOf[Root] = Low[Root] = Counter++;
    Stack.push_back(Root);
    OnStack[Root] = true;
    while (!Work.empty()) {
      Frame &Fr = Work.back();
      uint32_t V = Fr.Node;
      if (Fr.NextEdge < Calls[V].size()) {
        uint32_t W = Calls[V][Fr.NextEdge++].To;
        if (IndexOf[W] == Unvisited) {
          IndexOf[W] = Low[W] = Counter++;
          Stack.push_back(W);
          OnStack[W] = true;
          Work.push_back({W, 0}); // Fr is invalid from here on
        } else if (OnStack[W]) {
          Low[V] = std::min(Low[V], IndexOf[W]);
        }
        continue;
      }
      if (Low[V] == IndexOf[V]) {
        std::vector<uint32_t> C;
        uint32_t W;
        do {
          W = Stack.back();
          Stack.pop_back();
          OnStack[W] = false;
          C.push_back(W);
        } while (W != V);
        Components.push_back(std::move(C));
      }
      Work.pop_back();
      if (!Work.empty())
        Low[Work.back().Node] = std::min(Low[Work.back().Node], Low[V]);
    }
  }

  std::vector<uint32_t> CompOf(N, 0);
  for (uint32_t C = 0; C < Components.size(); ++C)
    for (uint32_t V : Components[C])
      CompOf[V] = C;

  std::vector<uint32_t> Prev(N, Unvisited); // BFS tree; reset after each use
  for (uint32_t C = 0; C < Components.size(); ++C) {
    const auto &Comp = Components[C];
    uint32_t Start = *std::min_element(Comp.begin(), Comp.end());
    bool SelfLoop = false;
    for (const CallEdge &E : Calls[Start])
      SelfLoop |= E.To == Start;
    if (Comp.size() == 1 && !SelfLoop)
      continue;
    // Shortest path Start -> ... -> Start inside the component (BFS).
    std::vector<uint32_t> Queue{Start};
    uint32_t Last = Unvisited; // the node whose edge closes the cycle
    for (size_t Q = 0; Q < Queue.size() && Last == Unvisited; ++Q) {
      uint32_t V = Queue[Q];
      for (const CallEdge &E : Calls[V]) {
        if (E.To == Start) {
          Last = V;
          break;
        }
        if (CompOf[E.To] == C && Prev[E.To] == Unvisited) {
          Prev[E.To] = V;
          Queue.push_back(E.To);
        }
      }
    }
    assert(Last != Unvisited && "a component with a cycle has a cycle");
    if (Last == Unvisited)
      continue;
    std::vector<uint32_t> Path; // Start ... Last
    for (uint32_t V = Last; V != Start; V = Prev[V])
      Path.push_back(V);
    for (uint32_t V : Queue)
      Prev[V] = Unvisited;
    Path.push_back(Start);
    std::reverse(Path.begin(), Path.end());
    std::string Msg = "recursion: @" + M.Functions[Start]->Name;
    for (size_t I = 1; I < Path.size(); ++I)
      Msg += " calls @" + M.Functions[Path[I]]->Name;
    Msg += " calls @" + M.Functions[Start]->Name;
    uint32_t Next = Path.size() > 1 ? Path[1] : Start;
    SrcLoc L;
    for (const CallEdge &E : Calls[Start])
      if (E.To == Next) {
        L = E.Loc;
        break;
      }
    if (!L.isValid())
      L = M.Functions[Start]->Loc;
    if (!L.isValid())
      Msg += " (in @" + M.Functions[Start]->Name + ")";
    Diags.push_back({L, std::move(Msg)});
  }
}

llvm::Error Verifier::run() {
  verifyNames();
  SignatureOk.assign(M.Functions.size(), true);
  for (size_t I = 0; I < M.Functions.size(); ++I)
    for (Value P : M.Functions[I]->Params)
      if (P.Id >= M.Functions[I]->numValues())
        SignatureOk[I] = false;

  // The call graph first (a cheap pre-order walk), so that verifyPlainOp need
  // not know which function it is in.
  std::vector<uint32_t> SeenFrom(M.Functions.size(), ~0u); // caller that has the edge
  for (uint32_t I = 0; I < M.Functions.size(); ++I) {
    std::vector<CallEdge> &Out = Calls[I];
    forEachOp(M.Functions[I]->Body, [&](const Op &O) {
      if (static_cast<unsigned>(O.Code) < NumOpcodes && O.Code == Opcode::Call &&
          O.Callee < M.Functions.size() && SeenFrom[O.Callee] != I) {
        SeenFrom[O.Callee] = I;
        Out.push_back({O.Callee, O.Loc});
      }
    });
  }

  for (unsigned I = 0; I < M.Functions.size(); ++I)
    verifyFunction(I);
  verifyRecursion();

  if (Diags.empty())
    return llvm::Error::success();
  std::stable_sort(Diags.begin(), Diags.end(), [](const Diagnostic &A, const Diagnostic &B) {
    auto Key = [](const Diagnostic &D) {
      return std::make_pair(D.Loc.isValid() ? D.Loc.Line : UINT32_MAX, D.Loc.Col);
    };
    return Key(A) < Key(B);
  });
  return llvm::make_error<DiagnosticError>(std::move(Diags));
}

} // namespace

llvm::Error ircgpu::verifyModule(const Module &M) { return Verifier(M).run(); }
