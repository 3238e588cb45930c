//===- ir/Verifier.cpp - whole-module checks of VIR
//------------------------===//
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
// and then, over the whole module, duplicate function names, recursion in
// the call graph (Tarjan's algorithm with an explicit stack; one diagnostic
// per cycle, naming it) and the size of each function once its calls are
// inlined (MaxFunctionOps). Every problem is reported; the diagnostics are sorted
// by source position (those without a location last, in walk order).
//
#include "ircgpu/Verifier.h"

#include "ir/VerifierImpl.h"

#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <cassert>

using namespace ircgpu;
using namespace ircgpu::verifier;

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
    return "ptr<i1> is not a valid type: buffers of i1 do not exist; use "
           "ptr<i8>";
  return "";
}

void Verifier::define(Value V, ValueKind Want, SrcLoc L,
                      const llvm::Twine &What, bool CheckType) {
  if (!validValue(V)) {
    error(L, What + " is not a value of @" + F->Name);
    return;
  }
  const ValueInfo &I = F->info(V);
  if (I.Kind != Want) {
    static const char *const KindName[] = {"a parameter", "a region argument",
                                           "an op result", "a literal"};
    error(L, What + " " + ref(V) + " is " +
                 KindName[static_cast<unsigned>(I.Kind)] + ", expected " +
                 KindName[static_cast<unsigned>(Want)]);
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
    error(O.Loc, "'" + Name + "' operand " + llvm::Twine(Index) +
                     " is not a value of @" + F->Name);
    return false;
  }
  const ValueInfo &I = F->info(V);
  if (I.Kind == ValueKind::Literal) {
    SrcLoc L = operandLoc(O, Index);
    if (!I.Ty.isValid()) {
      error(L, "'" + Name + "' operand " + llvm::Twine(Index) +
                   " is a literal without a type");
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
      error(L, "literal bits 0x" + llvm::Twine::utohexstr(I.Bits) +
                   " do not fit in " + I.Ty.str());
    return true;
  }
  if (State[V.Id] == Visible)
    return true;
  if (State[V.Id] == OutOfScope)
    error(O.Loc, "'" + Name + "' uses " + ref(V) +
                     " outside the region that defines it");
  else
    Pending.push_back({O.Loc, O.Code, V});
  return true;
}

bool Verifier::tooDeep(const Op &O, unsigned Depth) {
  // Depth counts the regions open around O, the function body included; O's
  // regions would make it Depth + 1 (the Builder's count).
  if (Depth + 1 <= MaxNestingDepth)
    return false;
  error(O.Loc,
        "nesting deeper than " + llvm::Twine(MaxNestingDepth) + " regions");
  return true;
}

void Verifier::verifyFunction(unsigned Index) {
  F = M.Functions[Index].get();
  State.assign(F->numValues(), Undefined);
  Scopes.clear();
  Pending.clear();
  PtrRoot.assign(F->numValues(), -1);
  for (size_t I = 0; I < F->Params.size(); ++I)
    if (validValue(F->Params[I]))
      PtrRoot[F->Params[I].Id] = static_cast<int32_t>(I);
  pushScope();

  if (F->Params.size() > MaxParams)
    error(F->Loc, "@" + F->Name + " has more than " + llvm::Twine(MaxParams) +
                      " parameters");
  if (F->ResultTypes.size() > MaxResults)
    error(F->Loc, "@" + F->Name + " has more than " + llvm::Twine(MaxResults) +
                      " results");
  if (!F->ParamAttrs.empty() && F->ParamAttrs.size() != F->Params.size())
    error(F->Loc, "@" + F->Name + " has " +
                      plural(F->ParamAttrs.size(), "attribute mask",
                             "attribute masks") +
                      " for " +
                      plural(F->Params.size(), "parameter", "parameters"));

  for (size_t I = 0; I < F->Params.size(); ++I) {
    Value P = F->Params[I];
    std::string What = ("parameter " + llvm::Twine(I)).str();
    if (!validValue(P)) {
      error(F->Loc,
            What + " of @" + F->Name + " is not a value of @" + F->Name);
      continue;
    }
    SrcLoc L = F->info(P).Loc.isValid() ? F->info(P).Loc : F->Loc;
    define(P, ValueKind::Param, L, What, /*CheckType=*/false);
    Type T = F->type(P);
    std::string Prob = typeProblem(T);
    if (!Prob.empty()) {
      error(L, Prob == "has no type"
                   ? "parameter " + ref(P) + " of @" + F->Name + " has no type"
                   : Prob);
      continue;
    }
    uint8_t A = I < F->ParamAttrs.size() ? F->ParamAttrs[I] : 0;
    if (A & ~(AttrNoAlias | AttrReadOnly | AttrWriteOnly))
      error(L, "parameter " + ref(P) + " has unknown attribute bits 0x" +
                   llvm::Twine::utohexstr(
                       A & ~(AttrNoAlias | AttrReadOnly | AttrWriteOnly)));
    if ((A & (AttrNoAlias | AttrReadOnly | AttrWriteOnly)) && !T.isPtr())
      error(L, "attributes noalias, readonly and writeonly apply to ptr "
               "parameters only, not to " +
                   ref(P) + " of type " + T.str());
    if ((A & AttrReadOnly) && (A & AttrWriteOnly))
      error(L,
            "parameter " + ref(P) + " cannot be both readonly and writeonly");
  }
  for (Type R : F->ResultTypes) {
    std::string Prob = typeProblem(R);
    if (!Prob.empty())
      error(F->Loc, Prob == "has no type"
                        ? "a result of @" + F->Name + " has no type"
                        : Prob);
    else if (R.isPtr())
      error(F->Loc,
            "@" + F->Name + " cannot return a pointer (" + R.str() + ")");
  }

  TermSpec Spec;
  Spec.K = TermSpec::Ret;
  Spec.Types.assign(F->ResultTypes.begin(), F->ResultTypes.end());
  Spec.Owner = "@" + F->Name;
  // The body is depth 1 (as the Builder counts open regions); its own scope
  // is the parameters' scope.
  if (F->Body.Ops.empty() && F->Body.Args.empty()) {
    error(F->Loc,
          "@" + F->Name + " has no body; a function body ends in 'ret'");
  } else {
    if (!F->Body.Args.empty())
      error(F->Loc, "the body of @" + F->Name + " takes no region arguments");
    verifyRegion(F->Body, Spec, 1, F->Loc);
  }

  for (const PendingUse &U : Pending) {
    llvm::StringRef Name = opcodeName(U.Code);
    if (State[U.V.Id] != Undefined)
      error(U.Loc,
            "'" + Name + "' uses " + ref(U.V) + " before its definition");
    else
      error(U.Loc,
            "'" + Name + "' uses " + ref(U.V) + ", which is never defined");
  }
  popScope();
  F = nullptr;
}

/// Walks the ops of R (whose arguments the caller has defined) in a scope of
/// their own. Depth: regions open at R, R included.
void Verifier::verifyRegion(const Region &R, const TermSpec &Spec,
                            unsigned Depth, SrcLoc OwnerLoc) {
  pushScope();
  bool EndedInTerminator = false;
  for (size_t I = 0; I < R.Ops.size(); ++I) {
    const Op &O = R.Ops[I];
    if (static_cast<unsigned>(O.Code) >= NumOpcodes) {
      error(O.Loc,
            "invalid opcode " + llvm::Twine(static_cast<unsigned>(O.Code)));
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
      error(O.Loc, "'" + Name + "' outside a region; the body of " +
                       Spec.Owner + " must end in 'ret'");
    else if (Spec.K == TermSpec::Condition)
      error(O.Loc, Spec.Owner + " must end in 'condition', not '" + Name + "'");
    else if (K == OpKind::Yield)
      error(O.Loc, "unexpected 'yield': " + Spec.Owner + " yields no values");
    else
      error(O.Loc, "'condition' is only allowed at the end of the condition "
                   "region of 'while'");
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
      error(operandLoc(O, 0), "'condition' operand " + ref(O.Operands[0]) +
                                  " must be i1, got " +
                                  F->type(O.Operands[0]).str());
    return;
  }

  if (O.Operands.size() != Spec.Types.size()) {
    if (K == OpKind::Ret)
      error(O.Loc, Spec.Owner + " returns " +
                       plural(Spec.Types.size(), "value", "values") +
                       ", 'ret' has " + llvm::Twine(O.Operands.size()));
    else
      error(O.Loc, Spec.Owner + " must yield " +
                       plural(Spec.Types.size(), "value", "values") + ", got " +
                       llvm::Twine(O.Operands.size()));
    return;
  }
  for (unsigned I = 0; I < O.Operands.size(); ++I) {
    if (!Typed[I])
      continue;
    Type T = F->type(O.Operands[I]);
    if (T == Spec.Types[I])
      continue;
    if (K == OpKind::Ret)
      error(operandLoc(O, I), "'ret' value " + ref(O.Operands[I]) + " is " +
                                  T.str() + " but " + Spec.Owner + " returns " +
                                  Spec.Types[I].str());
    else
      error(operandLoc(O, I), Spec.Owner + " yields " + ref(O.Operands[I]) +
                                  " of type " + T.str() + " where " +
                                  Spec.Types[I].str() + " is expected");
  }
}

/// The fields of O other than operands and results: regions, Sub, Flags and
/// Callee. False if they are too broken for the type rule to look at.
bool Verifier::verifyShape(const Op &O) {
  llvm::StringRef Name = opcodeName(O.Code);
  OpKind K = O.kind();
  bool Ok = true;
  unsigned WantRegions = K == OpKind::For                          ? 1
                         : (K == OpKind::If || K == OpKind::While) ? 2
                                                                   : 0;
  if (O.Regions.size() != WantRegions) {
    error(O.Loc, "'" + Name + "' has " +
                     plural(O.Regions.size(), "region", "regions") +
                     ", expected " + llvm::Twine(WantRegions));
    Ok = false;
  }
  unsigned MaxSub = K == OpKind::ICmp   ? static_cast<unsigned>(ICmpPred::UGE)
                    : K == OpKind::FCmp ? static_cast<unsigned>(FCmpPred::UNO)
                    : K == OpKind::Atomic
                        ? static_cast<unsigned>(AtomicKind::Xchg)
                        : 0;
  if (O.Sub > MaxSub) {
    if (MaxSub == 0)
      error(O.Loc, "'" + Name +
                       "' has a predicate or atomic operation (Sub = " +
                       llvm::Twine(unsigned(O.Sub)) + "); it takes none");
    else
      error(O.Loc, "'" + Name + "' has an invalid " +
                       (K == OpKind::Atomic ? "operation" : "predicate") +
                       " (" + llvm::Twine(unsigned(O.Sub)) + ")");
    Ok = false;
  }
  uint8_t Allowed = 0;
  switch (K) {
  case OpKind::For:
    Allowed = FlagParallel | FlagReassoc;
    break;
  case OpKind::If:
    Allowed = FlagHasElse;
    break;
  case OpKind::MathUnary:
  case OpKind::MathBinary:
  case OpKind::MathTernary:
    Allowed = FlagAfn;
    break;
  default:
    break;
  }
  if (O.Flags & ~Allowed) {
    uint8_t Bad = O.Flags & ~Allowed;
    if (Bad == FlagAfn)
      error(O.Loc, "'afn' is only allowed on float math functions, not on '" +
                       Name + "'");
    else if ((Bad & ~(FlagParallel | FlagReassoc)) == 0)
      error(O.Loc, "'" + Name + "' takes no loop flags (parallel, reassoc)");
    else
      error(O.Loc, "'" + Name + "' has invalid flags 0x" +
                       llvm::Twine::utohexstr(Bad));
    Ok = false;
  }
  if (K == OpKind::Call) {
    if (O.Callee >= M.Functions.size()) {
      error(O.Loc, "'call' of an undefined function (callee index " +
                       llvm::Twine(O.Callee) + ")");
      Ok = false;
    }
  } else if (O.Callee != ~0u) {
    error(O.Loc, "'" + Name + "' has a callee; only 'call' has one");
    Ok = false;
  }
  if (O.Results.size() > MaxResults) {
    error(O.Loc, "'" + Name + "' has more than " + llvm::Twine(MaxResults) +
                     " results");
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
    error(O.Loc, "'" + Name + "' has " +
                     plural(O.Results.size(), "result", "results") +
                     ", expected " + llvm::Twine(Want.size()));
    return;
  }
  for (size_t I = 0; I < Want.size(); ++I) {
    Value R = O.Results[I];
    if (!validValue(R) || !F->type(R).isValid() || F->type(R) == Want[I])
      continue;
    error(O.Loc, "'" + Name + "' result " + ref(R) + " has type " +
                     F->type(R).str() + ", expected " + Want[I].str());
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
      checkAccess(O);
    }
  }
  defineResults(O);
}

/// A store or atomic through a `readonly` parameter, or a load through a
/// `writeonly` one, breaks the VM's promise (spec §2), which the compiler
/// relies on.
/// Pointers are followed through `offset`; one that went through `select`,
/// an iter argument or a call is not (the promise is then the VM's alone).
void Verifier::checkAccess(const Op &O) {
  auto Root = [&](Value P) {
    return P.Id < PtrRoot.size() ? PtrRoot[P.Id] : -1;
  };
  uint8_t Forbidden = 0;
  const char *Verb = "";
  switch (O.kind()) {
  case OpKind::Offset:
    PtrRoot[O.Results[0].Id] = Root(O.Operands[0]);
    return;
  case OpKind::Load:
    Forbidden = AttrWriteOnly, Verb = "load from";
    break;
  case OpKind::Store:
    Forbidden = AttrReadOnly, Verb = "store to";
    break;
  case OpKind::Atomic:
  case OpKind::CmpXchg:
    // Counted as writes: a histogram's buffer is naturally `writeonly`.
    Forbidden = AttrReadOnly, Verb = "atomic update of";
    break;
  default:
    return;
  }
  int P = Root(O.Operands[0]);
  if (P < 0 || F->ParamAttrs.empty())
    return;
  uint8_t A = F->ParamAttrs[P] & Forbidden;
  if (A)
    error(operandLoc(O, 0),
          llvm::Twine(Verb) + " " +
              ((A & AttrReadOnly) ? "readonly" : "writeonly") + " parameter " +
              ref(F->Params[P]));
}

void Verifier::verifyNames() {
  llvm::StringMap<unsigned> Seen;
  for (const auto &Fn : M.Functions) {
    if (Fn->Name.empty()) {
      Diags.push_back({Fn->Loc, "a function needs a name"});
      continue;
    }
    if (!Seen.try_emplace(Fn->Name, 0).second)
      Diags.push_back(
          {Fn->Loc, "redefinition of function '@" + Fn->Name + "'"});
  }
}

/// Tarjan's strongly connected components, iteratively. Every component
/// with a cycle gets one diagnostic naming a shortest cycle through its
/// first function (in module order), at the call that starts it.
llvm::Error Verifier::run() {
  verifyNames();
  SignatureOk.assign(M.Functions.size(), true);
  for (size_t I = 0; I < M.Functions.size(); ++I)
    for (Value P : M.Functions[I]->Params)
      if (P.Id >= M.Functions[I]->numValues())
        SignatureOk[I] = false;

  // The call graph first (a cheap pre-order walk), so that verifyPlainOp need
  // not know which function it is in.
  std::vector<uint32_t> SeenFrom(M.Functions.size(),
                                 ~0u); // caller that has the edge
  std::vector<uint32_t> EdgeOf(M.Functions.size()); // valid with SeenFrom
  OwnOps.assign(M.Functions.size(), 0);
  for (uint32_t I = 0; I < M.Functions.size(); ++I) {
    std::vector<CallEdge> &Out = Calls[I];
    forEachOp(M.Functions[I]->Body, [&](const Op &O) {
      ++OwnOps[I];
      if (static_cast<unsigned>(O.Code) >= NumOpcodes ||
          O.Code != Opcode::Call || O.Callee >= M.Functions.size())
        return;
      if (SeenFrom[O.Callee] == I) {
        ++Out[EdgeOf[O.Callee]].Count;
        return;
      }
      SeenFrom[O.Callee] = I;
      EdgeOf[O.Callee] = Out.size();
      Out.push_back({O.Callee, O.Loc, 1});
    });
  }

  for (unsigned I = 0; I < M.Functions.size(); ++I)
    verifyFunction(I);
  if (!verifyRecursion())
    verifyInlinedSize();

  if (Diags.empty())
    return llvm::Error::success();
  std::stable_sort(
      Diags.begin(), Diags.end(), [](const Diagnostic &A, const Diagnostic &B) {
        auto Key = [](const Diagnostic &D) {
          return std::make_pair(D.Loc.isValid() ? D.Loc.Line : UINT32_MAX,
                                D.Loc.Col);
        };
        return Key(A) < Key(B);
      });
  return llvm::make_error<DiagnosticError>(std::move(Diags));
}

llvm::Error ircgpu::verifyModule(const Module &M) { return Verifier(M).run(); }
