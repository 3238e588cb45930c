//===- ir/VerifyRegionOps.cpp - for, if and while -------------------------===//
//
// The region ops: bounds, region arguments, yields and results of `for`,
// `if` and `while`, per the layout documented on struct Op in IR.h.
//
//===----------------------------------------------------------------------===//
#include "ir/VerifierImpl.h"

using namespace ircgpu;
using namespace ircgpu::verifier;

void Verifier::verifyFor(const Op &O, unsigned Depth) {
  bool ShapeOk = verifyShape(O);
  llvm::SmallVector<bool, 4> Typed;
  for (unsigned I = 0; I < O.Operands.size(); ++I)
    Typed.push_back(use(O, I));
  auto Ty = [&](unsigned I) {
    return Typed[I] ? F->type(O.Operands[I]) : Type();
  };

  size_t NInits = O.Operands.size() >= 3 ? O.Operands.size() - 3 : 0;
  Type IT;
  if (O.Operands.size() < 3) {
    error(O.Loc, "'for' needs a lower bound, an upper bound and a step, got " +
                     plural(O.Operands.size(), "operand", "operands"));
  } else if (Typed[0] && Typed[1] && Typed[2]) {
    IT = Ty(0);
    if (IT != Type::i32() && IT != Type::i64())
      error(operandLoc(O, !F->isLiteral(O.Operands[0])   ? 0
                          : !F->isLiteral(O.Operands[1]) ? 1
                                                         : 2),
            "'for' bounds must be i32 or i64, got " + IT.str());
    else if (Ty(1) != IT)
      error(operandLoc(O, 1),
            "'for' upper bound must have the type of the lower bound (" +
                IT.str() + "), got " + Ty(1).str());
    else if (Ty(2) != IT)
      error(operandLoc(O, 2), "'for' step must have the type of the bounds (" +
                                  IT.str() + "), got " + Ty(2).str());
  }

  // The iter types: as declared by the region arguments where they exist.
  llvm::SmallVector<Type, 2> IterTypes;
  for (size_t I = 0; I < NInits; ++I)
    IterTypes.push_back(Ty(3 + I));
  if (ShapeOk) {
    const Region &Body = O.Regions[0];
    if (Body.Args.size() != 1 + NInits) {
      error(O.Loc, "'for' body has " +
                       plural(Body.Args.size(), "argument", "arguments") +
                       ", expected " + llvm::Twine(1 + NInits) +
                       " (the index and one per iter argument)");
    } else {
      if (validValue(Body.Args[0]) && IT.isValid() &&
          F->type(Body.Args[0]) != IT)
        error(O.Loc, "'for' index " + ref(Body.Args[0]) + " has type " +
                         F->type(Body.Args[0]).str() + ", but the bounds are " +
                         IT.str());
      for (size_t I = 0; I < NInits; ++I) {
        Value A = Body.Args[1 + I];
        if (!validValue(A))
          continue;
        Type AT = F->type(A);
        if (Typed[3 + I] && AT.isValid() && AT != Ty(3 + I))
          error(operandLoc(O, 3 + I), "iter argument " + ref(A) + " declared " +
                                          AT.str() + " is initialised with " +
                                          ref(O.Operands[3 + I]) + " of type " +
                                          Ty(3 + I).str());
        IterTypes[I] = AT;
      }
    }
  }
  if (O.Results.size() != NInits) {
    error(O.Loc, "'for' has " + plural(O.Results.size(), "result", "results") +
                     ", but " +
                     plural(NInits, "iter argument", "iter arguments"));
  } else {
    for (size_t I = 0; I < NInits; ++I) {
      Value R = O.Results[I];
      if (validValue(R) && IterTypes[I].isValid() && F->type(R).isValid() &&
          F->type(R) != IterTypes[I])
        error(O.Loc, "'for' result " + ref(R) + " has type " +
                         F->type(R).str() + ", but its iter argument is " +
                         IterTypes[I].str());
    }
  }

  if (ShapeOk && !tooDeep(O, Depth)) {
    const Region &Body = O.Regions[0];
    pushScope();
    for (size_t I = 0; I < Body.Args.size(); ++I)
      define(Body.Args[I], ValueKind::RegionArg, O.Loc,
             I == 0 ? llvm::Twine("'for' index")
                    : llvm::Twine("'for' iter argument"));
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
    error(operandLoc(O, 0), "'if' condition " + ref(O.Operands[0]) +
                                " must be i1, got " +
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
      error(O.Loc,
            "'if' has ops in its else region but no else flag (FlagHasElse)");
  }
  if (ShapeOk && !tooDeep(O, Depth)) {
    TermSpec Spec;
    Spec.K = ResultTypes.empty() ? TermSpec::None : TermSpec::Yield;
    Spec.Types = ResultTypes;
    Spec.Owner =
        ResultTypes.empty() ? "'if' without results" : "'if' then-region";
    verifyRegion(O.Regions[0], Spec, Depth + 1, O.Loc);
    if (HasElse || !O.Regions[1].Ops.empty()) {
      Spec.Owner =
          ResultTypes.empty() ? "'if' without results" : "'if' else-region";
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
      error(O.Loc,
            "'while' has " +
                plural(Cond.Args.size(), "loop variable", "loop variables") +
                " but " + plural(N, "initial value", "initial values"));
    } else {
      for (size_t I = 0; I < N; ++I) {
        Value A = Cond.Args[I];
        if (!validValue(A))
          continue;
        Type AT = F->type(A);
        if (Typed[I] && AT.isValid() && AT != VarTypes[I])
          error(operandLoc(O, I), "loop variable " + ref(A) + " declared " +
                                      AT.str() + " is initialised with " +
                                      ref(O.Operands[I]) + " of type " +
                                      VarTypes[I].str());
        VarTypes[I] = AT;
      }
    }
    if (!O.Regions[1].Args.empty())
      error(O.Loc, "the do region of 'while' takes no arguments");
  }
  if (O.Results.size() != N) {
    error(O.Loc, "'while' has " +
                     plural(O.Results.size(), "result", "results") + ", but " +
                     plural(N, "loop variable", "loop variables"));
  } else {
    for (size_t I = 0; I < N; ++I) {
      Value R = O.Results[I];
      if (validValue(R) && VarTypes[I].isValid() && F->type(R).isValid() &&
          F->type(R) != VarTypes[I])
        error(O.Loc, "'while' result " + ref(R) + " has type " +
                         F->type(R).str() + ", but its loop variable is " +
                         VarTypes[I].str());
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
