//===- ir/Builder.cpp - checked construction of VIR -----------------------===//
//
// Scoping is tracked with scope serials: every open region has one, every
// value records the serial it was defined in, and a value is visible while
// its scope is open. Regions close in LIFO order, so "open" is exactly "the
// defining region encloses the insertion point". A while's loop variables
// live in a scope of their own that stays open across both of its regions.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Builder.h"

#include <cmath>
#include <cstring>

using namespace ircgpu;
using llvm::Error;
using llvm::Expected;
using ValueList = llvm::SmallVector<Value, 2>;

static Error fail(const llvm::Twine &Msg, int Operand = -1) {
  return llvm::make_error<BuildError>(Msg.str(), Operand);
}

Builder::Builder(Module &M) : M(M) {
  for (size_t I = 0; I < M.Functions.size(); ++I)
    FunctionIndex.try_emplace(M.Functions[I]->Name, static_cast<uint32_t>(I));
}

Expected<Type> Builder::checkDeclType(Type T, llvm::StringRef What) const {
  if (!T.isValid())
    return fail(What + " has no type");
  if (T.elem() == Scalar::F16)
    return fail("f16 is not supported yet");
  if (T.isPtr() && T.elem() == Scalar::I1)
    return fail(
        "ptr<i1> is not a valid type: buffers of i1 do not exist; use ptr<i8>");
  return T;
}

Expected<Function *> Builder::declareFunction(
    llvm::StringRef Name, llvm::ArrayRef<Type> ParamTypes,
    llvm::ArrayRef<uint8_t> Attrs, llvm::ArrayRef<Type> Results,
    llvm::ArrayRef<llvm::StringRef> ParamNames, SrcLoc Loc) {
  if (Name.empty())
    return fail("a function needs a name");
  if (FunctionIndex.count(Name))
    return fail("redefinition of function '@" + Name + "'");
  if (ParamTypes.size() > MaxParams)
    return fail("@" + Name + " has more than " + llvm::Twine(MaxParams) +
                " parameters");
  if (Results.size() > MaxResults)
    return fail("@" + Name + " has more than " + llvm::Twine(MaxResults) +
                " results");
  if (!Attrs.empty() && Attrs.size() != ParamTypes.size())
    return fail("@" + Name + ": one attribute mask per parameter");
  for (size_t I = 0; I < ParamTypes.size(); ++I) {
    if (auto T = checkDeclType(ParamTypes[I], "parameter"); !T)
      return llvm::make_error<BuildError>(llvm::toString(T.takeError()),
                                          static_cast<int>(I));
    uint8_t A = Attrs.empty() ? 0 : Attrs[I];
    if (A & ~(AttrNoAlias | AttrReadOnly | AttrWriteOnly))
      return fail("unknown parameter attribute", I);
    if (A && !ParamTypes[I].isPtr())
      return fail("attributes noalias, readonly and writeonly apply to ptr "
                  "parameters only, "
                  "not to " +
                      ParamTypes[I].str(),
                  I);
    if ((A & AttrReadOnly) && (A & AttrWriteOnly))
      return fail("a parameter cannot be both readonly and writeonly", I);
  }
  for (Type R : Results) {
    if (auto T = checkDeclType(R, "result"); !T)
      return T.takeError();
    if (R.isPtr())
      return fail("a function cannot return a pointer (" + R.str() + ")");
  }

  auto F = std::make_unique<Function>();
  F->Name = Name.str();
  F->Loc = Loc;
  for (size_t I = 0; I < ParamTypes.size(); ++I) {
    llvm::StringRef PName = I < ParamNames.size() ? ParamNames[I] : "";
    F->Params.push_back(
        F->newValue(ParamTypes[I], ValueKind::Param, {}, PName));
    F->ParamAttrs.push_back(Attrs.empty() ? 0 : Attrs[I]);
  }
  F->ResultTypes.assign(Results.begin(), Results.end());
  FunctionIndex.try_emplace(F->Name, static_cast<uint32_t>(M.Functions.size()));
  M.Functions.push_back(std::move(F));
  return M.Functions.back().get();
}

Error Builder::beginBody(Function &F) {
  if (!Frames.empty())
    return fail("@" + Cur->Name + " is still being built");
  if (!F.Body.Ops.empty())
    return fail("@" + F.Name + " already has a body");
  Cur = &F;
  ValueScope.assign(F.numValues(), 0); // parameters: the body scope
  for (size_t I = 0; I < F.numValues(); ++I)
    if (F.isLiteral(Value{static_cast<uint32_t>(I)}))
      ValueScope[I] = AlwaysVisible;
  ScopeOpen.clear();
  uint32_t S = openScope();
  Frames.push_back({nullptr, &F.Body, S, NoScope, {}});
  return Error::success();
}

Error Builder::needBody() const {
  if (Frames.empty())
    return fail("no function body is being built (call beginBody first)");
  return Error::success();
}

uint32_t Builder::openScope() {
  ScopeOpen.push_back(true);
  return static_cast<uint32_t>(ScopeOpen.size() - 1);
}

Value Builder::define(Type Ty, ValueKind K, SrcLoc Loc, llvm::StringRef Name) {
  Value V = Cur->newValue(Ty, K, Loc, Name);
  ValueScope.push_back(Frames.back().Scope);
  return V;
}

Expected<Value> Builder::literal(Type Ty, uint64_t Bits, SrcLoc Loc) {
  if (!Cur)
    return fail("no function is being built (call beginBody first)");
  if (auto T = checkDeclType(Ty, "literal"); !T)
    return T.takeError();
  if (!Ty.isScalar())
    return fail("a literal must have a scalar type, not " + Ty.str());
  if (Ty.bits() < 64 && (Bits >> Ty.bits()) != 0)
    return fail("literal bits do not fit in " + Ty.str());
  Value V = Cur->newValue(Ty, ValueKind::Literal, Loc, "", Bits);
  ValueScope.push_back(AlwaysVisible);
  return V;
}

Value Builder::intLiteral(Type Ty, int64_t V, SrcLoc Loc) {
  uint64_t Bits = static_cast<uint64_t>(V);
  if (Ty.bits() < 64)
    Bits &= (uint64_t(1) << Ty.bits()) - 1;
  return llvm::cantFail(literal(Ty, Bits, Loc));
}

Value Builder::floatLiteral(Type Ty, double V, SrcLoc Loc) {
  uint64_t Bits;
  if (Ty.elem() == Scalar::F32) {
    float F = static_cast<float>(V);
    uint32_t B;
    std::memcpy(&B, &F, 4);
    Bits = B;
  } else {
    std::memcpy(&Bits, &V, 8);
  }
  return llvm::cantFail(literal(Ty, Bits, Loc));
}

Error Builder::checkVisible(llvm::ArrayRef<Value> Vs, int FirstIndex) const {
  for (size_t I = 0; I < Vs.size(); ++I) {
    int Index = FirstIndex + static_cast<int>(I);
    if (!Vs[I].isValid() || Vs[I].Id >= ValueScope.size())
      return fail("operand is not a value of @" + Cur->Name, Index);
    uint32_t S = ValueScope[Vs[I].Id];
    if (S != AlwaysVisible && !ScopeOpen[S]) {
      llvm::StringRef N = Cur->name(Vs[I]);
      return fail("value " +
                      (N.empty() ? llvm::Twine("#") + llvm::Twine(Vs[I].Id)
                                 : llvm::Twine("'%") + N + "'") +
                      " is used outside the region that defines it",
                  Index);
    }
  }
  return Error::success();
}

Op &Builder::appendOp(Op O) {
  Frames.back().Reg->Ops.push_back(std::move(O));
  return Frames.back().Reg->Ops.back();
}

ValueList Builder::defineResults(Op &O, llvm::ArrayRef<Type> Tys,
                                 llvm::ArrayRef<llvm::StringRef> Names) {
  ValueList Rs;
  for (size_t I = 0; I < Tys.size(); ++I)
    Rs.push_back(define(Tys[I], ValueKind::OpResult, O.Loc,
                        I < Names.size() ? Names[I] : ""));
  O.Results.assign(Rs.begin(), Rs.end());
  return Rs;
}

Expected<ValueList>
Builder::create(Opcode C, llvm::ArrayRef<Value> Operands, OpAttrs A, SrcLoc Loc,
                llvm::ArrayRef<llvm::StringRef> ResultNames) {
  if (Error E = needBody())
    return E;
  switch (opcodeKind(C)) {
  case OpKind::For:
  case OpKind::If:
  case OpKind::While:
  case OpKind::Ret:
  case OpKind::Yield:
  case OpKind::Condition:
    return fail("'" + opcodeName(C) +
                "' is built with the region calls "
                "(beginFor/beginIf/beginWhile, endX, finishBody)");
  default:
    break;
  }
  if (Error E = checkVisible(Operands))
    return E;
  Op O;
  O.Code = C;
  O.Sub = A.Sub;
  O.Flags = A.Flags;
  O.Callee = A.Callee;
  O.Loc = Loc;
  O.Operands.assign(Operands.begin(), Operands.end());
  if (opcodeKind(C) == OpKind::Cast) {
    // The rule reads the cast's target from its result; give it a placeholder.
    if (auto T = checkDeclType(A.To, "cast"); !T)
      return T.takeError();
    O.Results.push_back(define(A.To, ValueKind::OpResult, Loc,
                               ResultNames.empty() ? "" : ResultNames[0]));
  }
  auto Tys = inferResultTypes(M, *Cur, O);
  if (!Tys)
    return Tys.takeError();
  if (!ResultNames.empty() && ResultNames.size() != Tys->size())
    return fail("'" + opcodeName(C) + "' has " + llvm::Twine(Tys->size()) +
                " result" + (Tys->size() == 1 ? "" : "s") + ", but " +
                llvm::Twine(ResultNames.size()) + " name" +
                (ResultNames.size() == 1 ? " is" : "s are") + " bound");
  Op &Placed = appendOp(std::move(O));
  if (opcodeKind(C) == OpKind::Cast)
    return ValueList(Placed.Results.begin(), Placed.Results.end());
  return defineResults(Placed, *Tys, ResultNames);
}

Expected<Value> Builder::create1(Opcode C, llvm::ArrayRef<Value> Operands,
                                 OpAttrs A, SrcLoc Loc,
                                 llvm::StringRef ResultName) {
  llvm::SmallVector<llvm::StringRef, 1> Names;
  if (!ResultName.empty())
    Names.push_back(ResultName);
  auto Rs = create(C, Operands, A, Loc, Names);
  if (!Rs)
    return Rs.takeError();
  if (Rs->size() != 1)
    return fail("'" + opcodeName(C) + "' does not have exactly one result");
  return (*Rs)[0];
}

/// Region ops call this before they append anything, so that a refused op
/// leaves the module as it was.
Error Builder::checkDepth() const {
  if (Frames.size() >= MaxNestingDepth)
    return fail("nesting deeper than " + llvm::Twine(MaxNestingDepth) +
                " regions");
  return Error::success();
}

void Builder::pushFrame(Op *Parent, Region *Reg,
                        llvm::ArrayRef<Type> YieldTypes, uint32_t OuterScope) {
  Frames.push_back(
      {Parent, Reg, openScope(), OuterScope,
       llvm::SmallVector<Type, 2>(YieldTypes.begin(), YieldTypes.end())});
}

void Builder::closeTop() {
  ScopeOpen[Frames.back().Scope] = false;
  if (Frames.back().OuterScope != NoScope)
    ScopeOpen[Frames.back().OuterScope] = false;
  Frames.pop_back();
}

Error Builder::expectTop(Opcode C, unsigned RegionIndex,
                         llvm::StringRef Call) const {
  if (Error E = needBody())
    return E;
  const Frame &T = Frames.back();
  if (!T.Parent || T.Parent->Code != C ||
      T.Reg != &T.Parent->Regions[RegionIndex])
    return fail(Call + " does not match the innermost open region");
  return Error::success();
}

Error Builder::checkYield(llvm::ArrayRef<Value> Yields,
                          llvm::ArrayRef<Type> Want,
                          llvm::StringRef What) const {
  if (Yields.size() != Want.size())
    return fail(What + " must yield " + llvm::Twine(Want.size()) + " value" +
                (Want.size() == 1 ? "" : "s") + ", got " +
                llvm::Twine(Yields.size()));
  if (Error E = checkVisible(Yields))
    return E;
  for (size_t I = 0; I < Yields.size(); ++I)
    if (Cur->type(Yields[I]) != Want[I])
      return fail(What + " yields " + Cur->type(Yields[I]).str() + " where " +
                      Want[I].str() + " is expected",
                  static_cast<int>(I));
  return Error::success();
}

/// Appends the terminator that ends a region (an empty yield is not stored).
static void appendTerminator(Region &R, Opcode C, llvm::ArrayRef<Value> Vs,
                             SrcLoc Loc) {
  if (C == Opcode::Yield && Vs.empty())
    return;
  Op T;
  T.Code = C;
  T.Loc = Loc;
  T.Operands.assign(Vs.begin(), Vs.end());
  R.Ops.push_back(std::move(T));
}

/// The values a loop carries (`for` iter arguments, `while` loop variables):
/// one initial value of the declared type each. FirstOperand is the index of
/// the first initial value among the op's operands.
Error Builder::checkCarried(llvm::ArrayRef<Value> Inits,
                            llvm::ArrayRef<Type> Types, llvm::StringRef Owner,
                            llvm::StringRef What, int FirstOperand) const {
  if (Inits.size() != Types.size())
    return fail(Owner + " has " + llvm::Twine(Types.size()) + " " + What +
                "s but " + llvm::Twine(Inits.size()) + " initial values");
  if (Types.size() > MaxResults)
    return fail(Owner + " has more than " + llvm::Twine(MaxResults) + " " +
                What + "s");
  for (size_t I = 0; I < Inits.size(); ++I) {
    if (auto T = checkDeclType(Types[I], What); !T)
      return T.takeError();
    if (Cur->type(Inits[I]) != Types[I])
      return fail(What + " declared " + Types[I].str() +
                      " is initialised with " + Cur->type(Inits[I]).str(),
                  FirstOperand + static_cast<int>(I));
  }
  return Error::success();
}

Expected<llvm::SmallVector<Value, 4>>
Builder::beginFor(Value LB, Value UB, Value Step, llvm::ArrayRef<Value> Inits,
                  llvm::ArrayRef<Type> IterTypes, uint8_t Flags, SrcLoc Loc,
                  llvm::StringRef IndexName,
                  llvm::ArrayRef<llvm::StringRef> IterNames) {
  if (Error E = needBody())
    return E;
  Value Bounds[] = {LB, UB, Step};
  if (Error E = checkVisible(Bounds))
    return E;
  if (Error E = checkVisible(Inits, 3))
    return E;
  Type IT = Cur->type(LB);
  if (IT != Type::i32() && IT != Type::i64())
    return fail("'for' bounds must be i32 or i64, got " + IT.str(),
                !Cur->isLiteral(LB)   ? 0
                : !Cur->isLiteral(UB) ? 1
                                      : 2);
  if (Cur->type(UB) != IT)
    return fail("'for' upper bound must have the type of the lower bound (" +
                    IT.str() + "), got " + Cur->type(UB).str(),
                1);
  if (Cur->type(Step) != IT)
    return fail("'for' step must have the type of the bounds (" + IT.str() +
                    "), got " + Cur->type(Step).str(),
                2);
  if (Flags & ~(FlagParallel | FlagReassoc))
    return fail("'for' accepts only the flags parallel and reassoc");
  if (Error E = checkCarried(Inits, IterTypes, "'for'", "iter argument", 3))
    return E;
  if (Error E = checkDepth())
    return E;
  Op O;
  O.Code = Opcode::For;
  O.Flags = Flags;
  O.Loc = Loc;
  O.Operands.assign(Bounds, Bounds + 3);
  O.Operands.append(Inits.begin(), Inits.end());
  O.Regions.resize(1);
  Op &Placed = appendOp(std::move(O));
  pushFrame(&Placed, &Placed.Regions[0], IterTypes, NoScope);
  llvm::SmallVector<Value, 4> Args;
  Args.push_back(define(IT, ValueKind::RegionArg, Loc, IndexName));
  for (size_t I = 0; I < IterTypes.size(); ++I)
    Args.push_back(define(IterTypes[I], ValueKind::RegionArg, Loc,
                          I < IterNames.size() ? IterNames[I] : ""));
  Placed.Regions[0].Args.assign(Args.begin(), Args.end());
  return Args;
}

/// Ends the innermost open region, which ends its op: checks and appends
/// the yield, closes the region and defines the op's results.
Expected<ValueList>
Builder::closeRegionOp(llvm::ArrayRef<Value> Yields, SrcLoc YieldLoc,
                       llvm::ArrayRef<llvm::StringRef> ResultNames,
                       llvm::StringRef What) {
  Frame &T = Frames.back();
  if (Error E = checkYield(Yields, T.YieldTypes, What))
    return E;
  appendTerminator(*T.Reg, Opcode::Yield, Yields, YieldLoc);
  Op *Parent = T.Parent;
  llvm::SmallVector<Type, 2> Tys = T.YieldTypes;
  closeTop();
  return defineResults(*Parent, Tys, ResultNames);
}

Expected<ValueList>
Builder::endFor(llvm::ArrayRef<Value> Yields, SrcLoc YieldLoc,
                llvm::ArrayRef<llvm::StringRef> ResultNames) {
  if (Error E = expectTop(Opcode::For, 0, "endFor"))
    return E;
  return closeRegionOp(Yields, YieldLoc, ResultNames, "'for' body");
}

Error Builder::beginIf(Value Cond, llvm::ArrayRef<Type> ResultTypes,
                       SrcLoc Loc) {
  if (Error E = needBody())
    return E;
  if (Error E = checkVisible(Cond))
    return E;
  if (Cur->type(Cond) != Type::i1())
    return fail("'if' condition must be i1, got " + Cur->type(Cond).str(), 0);
  if (ResultTypes.size() > MaxResults)
    return fail("'if' has more than " + llvm::Twine(MaxResults) + " results");
  for (Type R : ResultTypes)
    if (auto T = checkDeclType(R, "'if' result"); !T)
      return T.takeError();
  if (Error E = checkDepth())
    return E;
  Op O;
  O.Code = Opcode::If;
  O.Loc = Loc;
  O.Operands.push_back(Cond);
  O.Regions.resize(2);
  Op &Placed = appendOp(std::move(O));
  pushFrame(&Placed, &Placed.Regions[0], ResultTypes, NoScope);
  return Error::success();
}

Error Builder::beginElse(llvm::ArrayRef<Value> ThenYields, SrcLoc YieldLoc) {
  if (Error E = expectTop(Opcode::If, 0, "beginElse"))
    return E;
  Frame &T = Frames.back();
  if (Error E = checkYield(ThenYields, T.YieldTypes, "'if' then-region"))
    return E;
  appendTerminator(*T.Reg, Opcode::Yield, ThenYields, YieldLoc);
  Op *Parent = T.Parent;
  llvm::SmallVector<Type, 2> Tys = T.YieldTypes;
  closeTop();
  Parent->Flags |= FlagHasElse;
  pushFrame(Parent, &Parent->Regions[1], Tys, NoScope);
  return Error::success();
}

Expected<ValueList>
Builder::endIf(llvm::ArrayRef<Value> Yields, SrcLoc YieldLoc,
               llvm::ArrayRef<llvm::StringRef> ResultNames) {
  if (Error E = needBody())
    return E;
  Frame &T = Frames.back();
  if (!T.Parent || T.Parent->Code != Opcode::If)
    return fail("endIf does not match the innermost open region");
  bool InElse = T.Reg == &T.Parent->Regions[1];
  if (!InElse && !T.YieldTypes.empty())
    return fail("'if' with results needs an else region");
  return closeRegionOp(Yields, YieldLoc, ResultNames,
                       InElse ? "'if' else-region" : "'if' then-region");
}

Expected<ValueList> Builder::beginWhile(llvm::ArrayRef<Value> Inits,
                                        llvm::ArrayRef<Type> Types, SrcLoc Loc,
                                        llvm::ArrayRef<llvm::StringRef> Names) {
  if (Error E = needBody())
    return E;
  if (Error E = checkVisible(Inits))
    return E;
  if (Error E = checkCarried(Inits, Types, "'while'", "loop variable", 0))
    return E;
  if (Error E = checkDepth())
    return E;
  Op O;
  O.Code = Opcode::While;
  O.Loc = Loc;
  O.Operands.assign(Inits.begin(), Inits.end());
  O.Regions.resize(2);
  Op &Placed = appendOp(std::move(O));
  // The loop variables get a scope of their own, open across both regions.
  uint32_t VarScope = openScope();
  pushFrame(&Placed, &Placed.Regions[0], Types, VarScope);
  ValueList Vars;
  for (size_t I = 0; I < Types.size(); ++I) {
    Vars.push_back(Cur->newValue(Types[I], ValueKind::RegionArg, Loc,
                                 I < Names.size() ? Names[I] : ""));
    ValueScope.push_back(VarScope);
  }
  Placed.Regions[0].Args.assign(Vars.begin(), Vars.end());
  return Vars;
}

Error Builder::beginDo(Value Cond, SrcLoc CondLoc) {
  if (Error E = expectTop(Opcode::While, 0, "beginDo"))
    return E;
  if (Error E = checkVisible(Cond))
    return E;
  if (Cur->type(Cond) != Type::i1())
    return fail("'condition' must be i1, got " + Cur->type(Cond).str(), 0);
  Frame &T = Frames.back();
  appendTerminator(*T.Reg, Opcode::Condition, Cond, CondLoc);
  // Close the condition region's own values but keep the loop variables.
  ScopeOpen[T.Scope] = false;
  T.Scope = openScope();
  T.Reg = &T.Parent->Regions[1];
  return Error::success();
}

Expected<ValueList>
Builder::endWhile(llvm::ArrayRef<Value> Yields, SrcLoc YieldLoc,
                  llvm::ArrayRef<llvm::StringRef> ResultNames) {
  if (Error E = expectTop(Opcode::While, 1, "endWhile"))
    return E;
  return closeRegionOp(Yields, YieldLoc, ResultNames, "'while' do-region");
}

Error Builder::finishBody(llvm::ArrayRef<Value> Values, SrcLoc Loc) {
  if (Error E = needBody())
    return E;
  if (Frames.size() != 1)
    return fail("a region is still open; close it before 'ret'");
  if (Values.size() != Cur->ResultTypes.size())
    return fail("@" + Cur->Name + " returns " +
                llvm::Twine(Cur->ResultTypes.size()) + " value" +
                (Cur->ResultTypes.size() == 1 ? "" : "s") + ", 'ret' has " +
                llvm::Twine(Values.size()));
  if (Error E = checkVisible(Values))
    return E;
  for (size_t I = 0; I < Values.size(); ++I)
    if (Cur->type(Values[I]) != Cur->ResultTypes[I])
      return fail("'ret' value is " + Cur->type(Values[I]).str() + " but @" +
                      Cur->Name + " returns " + Cur->ResultTypes[I].str(),
                  static_cast<int>(I));
  appendTerminator(Cur->Body, Opcode::Ret, Values, Loc);
  Frames.clear();
  ValueScope.clear();
  ScopeOpen.clear();
  Cur = nullptr;
  return Error::success();
}
