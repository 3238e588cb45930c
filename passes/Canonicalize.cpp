//===- passes/Canonicalize.cpp - fold, CSE, DCE ---------------------------===//
//
// Two walks, repeated until neither changes anything:
//  - a forward walk in program order that folds constants, propagates them as
//    literals, folds `select`/`if` on constant conditions and `for` loops that
//    never run, and eliminates common subexpressions with a scoped table (an
//    op is replaced only by one in the same or an enclosing region, earlier,
//    so the replacement dominates it);
//  - a backward walk that deletes dead ops, counting uses.
// Replaced values are recorded in a map applied to every op as it is visited;
// definitions come before uses, so one walk rewrites every use.
//
// Constants are literals and results of `const` ops. A folded op becomes a
// `const` op in place, and its value is substituted as a literal only where
// VIR allows one: where the position fixes the type (index, stored value,
// ret, yield, inits, call arguments) or where another operand of the op that
// types the literal stays a value (spec §3: an op whose operands are all
// literals is an error). Where neither holds the `const` op stays.
//
// Folding evaluates with ir/ScalarEval.h, which computes exactly what the
// interpreter computes (ir/InterpSemantics.h and the same libm entry points),
// so it never changes a result bit. Only
// exact operations fold: the transcendental functions (and rsqrt) may round
// differently on a GPU's math library than in the host's libm, and `afn` ops
// may be approximated, so they are left alone.
//
// Loads are never deleted (an out-of-bounds load is an error that checked mode
// reports), nor `while` loops (one may not terminate), nor region ops holding
// a load, store, atomic, cmpxchg, call or while.
//
//===----------------------------------------------------------------------===//
#include "passes/Canonicalize.h"

#include "ir/Clone.h"
#include "ir/InterpSemantics.h"
#include "ir/ScalarEval.h"

#include <cmath>
#include <optional>
#include <string>
#include <unordered_map>

using namespace ircgpu;
using namespace ircgpu::interp;

namespace {

//===-- The pass ----------------------------------------------------------===//

class Canonicalizer {
public:
  explicit Canonicalizer(Function &F) : F(F) {}
  void run() {
    // Each round that reports a change folds, merges or deletes at least one
    // op (or turns a value operand into a literal), so this terminates.
    bool Changed = true;
    while (Changed) {
      Changed = forward();
      Changed |= dce();
    }
  }

private:
  // Forward walk.
  bool forward();
  void region(Region &R);
  void visit(Op O, std::vector<Op> &Out,
             std::vector<std::pair<std::vector<Op>, size_t>> &Stack);
  std::optional<uint64_t> fold(const Op &O) const;
  void propagate(Op &O);
  bool cse(Op &O);
  Value resolve(Value V) const;
  void replace(Value From, Value To) { Replaced.set(From, To); }
  /// The literal bits of V if it is a constant.
  std::optional<uint64_t> constBits(Value V) const;
  bool isConstValue(Value V) const {
    return !F.isLiteral(V) && V.Id < ConstLit.size() &&
           ConstLit[V.Id].isValid();
  }
  Value literal(Type Ty, uint64_t Bits) {
    return F.newValue(Ty, ValueKind::Literal, {}, "", Bits);
  }
  Op makeConst(Type Ty, uint64_t Bits, SrcLoc Loc, Value Result = {});
  void turnIntoConst(Op &O, uint64_t Bits);
  std::string key(const Op &O) const;

  // Backward walk.
  bool dce();
  bool dceRegion(Region &R);
  bool hasEffects(const Region &R) const;
  void dropUses(const Op &O);

  Function &F;
  bool Changed = false;
  ValueMap Replaced;
  std::vector<Value> ConstLit; ///< const result -> its literal operand
  std::unordered_map<std::string, llvm::SmallVector<Value, 1>> Available;
  std::vector<std::vector<std::string>> Scopes; ///< keys added per region
  std::vector<uint32_t> Uses;                   ///< by Value::Id
};

} // namespace

Value Canonicalizer::resolve(Value V) const {
  for (Value N = Replaced.lookup(V); N.isValid(); N = Replaced.lookup(V))
    V = N;
  return V;
}

std::optional<uint64_t> Canonicalizer::constBits(Value V) const {
  Value L = F.isLiteral(V) ? V : isConstValue(V) ? ConstLit[V.Id] : Value();
  if (!L.isValid())
    return std::nullopt;
  Type T = F.type(L);
  if (!T.isScalar())
    return std::nullopt;
  return F.info(L).Bits & maskOf(shiftOf(T)); // as the interpreter reads it
}

Op Canonicalizer::makeConst(Type Ty, uint64_t Bits, SrcLoc Loc, Value Result) {
  Op C;
  C.Code = Opcode::Const;
  C.Loc = Loc;
  C.Operands.push_back(literal(Ty, Bits));
  C.Results.push_back(
      Result.isValid() ? Result : F.newValue(Ty, ValueKind::OpResult, Loc));
  return C;
}

void Canonicalizer::turnIntoConst(Op &O, uint64_t Bits) {
  Value R = O.Results[0];
  O = makeConst(F.type(R), Bits, O.Loc, R);
}

std::optional<uint64_t> Canonicalizer::fold(const Op &O) const {
  // evaluateScalarOp decides which ops fold; this decides which of its
  // results may replace the op.
  if (O.Results.size() != 1 || O.Operands.empty() || O.Operands.size() > 3)
    return std::nullopt;
  if (O.hasFlag(FlagAfn))
    return std::nullopt;
  uint64_t In[3] = {0, 0, 0};
  for (size_t I = 0; I < O.Operands.size(); ++I) {
    std::optional<uint64_t> B = constBits(O.Operands[I]);
    if (!B)
      return std::nullopt;
    In[I] = *B;
  }
  Type T = F.type(O.Operands[0]);
  Type RT = F.type(O.Results[0]);
  std::optional<uint64_t> R = evaluateScalarOp(
      O.Code, O.Sub, T, RT, llvm::ArrayRef<uint64_t>(In, O.Operands.size()));
  if (!R)
    return std::nullopt;
  if (O.kind() == OpKind::Cast) {
    // fpext/fptrunc of a NaN: see below. A bitcast only moves bits.
    if ((O.Code == Opcode::FPExt || O.Code == Opcode::FPTrunc) &&
        (T.elem() == Scalar::F32 ? std::isnan(asF32(In[0]))
                                 : std::isnan(asF64(In[0]))))
      return std::nullopt;
    return R;
  }
  // Which NaN an op returns (quiet or not, which payload) depends on how the
  // host code was compiled (a libm call or an inlined instruction, operand
  // order), so it may differ between this fold and the interpreter: leave
  // NaN results to run time. fneg and fabs only flip bits.
  if (RT.isFloat() && O.Code != Opcode::FNeg && O.Code != Opcode::FAbs &&
      (RT.elem() == Scalar::F32 ? std::isnan(asF32(*R))
                                : std::isnan(asF64(*R))))
    return std::nullopt;
  return R;
}

/// Substitutes constants as literals where VIR allows a literal (see the file
/// comment).
void Canonicalizer::propagate(Op &O) {
  auto Sub = [&](unsigned I) {
    Value V = O.Operands[I];
    if (!isConstValue(V))
      return;
    Value L = ConstLit[V.Id];
    O.Operands[I] = literal(F.type(L), F.info(L).Bits);
    Changed = true;
  };
  // An index or offset: the parser types a literal there as i64, so the
  // literal is the sign-extended value (read as signed, the same number).
  auto SubIndex = [&](unsigned I) {
    Value V = O.Operands[I];
    if (!isConstValue(V))
      return;
    Type T = F.type(V);
    uint64_t B = static_cast<uint64_t>(sextOf(*constBits(V), shiftOf(T)));
    O.Operands[I] = literal(Type::i64(), B);
    Changed = true;
  };
  // Operands First..Last-1 type each other's literals: one must stay a value.
  auto SubGroup = [&](unsigned First, unsigned Last) {
    unsigned Values = 0, LastConst = 0;
    for (unsigned I = First; I < Last; ++I) {
      Value V = O.Operands[I];
      if (isConstValue(V))
        LastConst = I;
      else if (!F.isLiteral(V))
        ++Values;
    }
    for (unsigned I = First; I < Last; ++I)
      if (Values > 0 || I != LastConst)
        Sub(I);
  };
  switch (O.kind()) {
  case OpKind::IntBinary:
  case OpKind::IntUnary:
  case OpKind::FloatBinary:
  case OpKind::FloatUnary:
  case OpKind::MathUnary:
  case OpKind::MathBinary:
  case OpKind::MathTernary:
  case OpKind::ICmp:
  case OpKind::FCmp:
  case OpKind::Cast:
    SubGroup(0, O.Operands.size());
    return;
  case OpKind::Select:
    SubGroup(1, 3);
    return;
  case OpKind::Load:
  case OpKind::Offset:
    SubIndex(1);
    return;
  case OpKind::Store:
  case OpKind::Atomic:
  case OpKind::CmpXchg:
    SubIndex(1);
    for (unsigned I = 2; I < O.Operands.size(); ++I)
      Sub(I);
    return;
  case OpKind::Call:
  case OpKind::Ret:
  case OpKind::Yield:
  case OpKind::While:
    for (unsigned I = 0; I < O.Operands.size(); ++I)
      Sub(I);
    return;
  case OpKind::For:
    // A `for` whose bounds are all literals is i64 in text.
    if (F.type(O.Operands[0]) == Type::i64())
      for (unsigned I = 0; I < 3; ++I)
        Sub(I);
    else
      SubGroup(0, 3);
    for (unsigned I = 3; I < O.Operands.size(); ++I)
      Sub(I);
    return;
  case OpKind::Const:
  case OpKind::If:        // folded when constant
  case OpKind::Condition: // keeps its value
    return;
  }
}

/// The CSE key: what makes two pure ops compute the same values. Literals
/// compare by type and bits, values by identity.
std::string Canonicalizer::key(const Op &O) const {
  std::string K;
  auto Put = [&](uint64_t X) { K.append(reinterpret_cast<char *>(&X), 8); };
  auto PutType = [&](Type T) {
    Put(static_cast<uint64_t>(T.elem()) | (T.isPtr() ? 0x100 : 0));
  };
  Put(static_cast<uint64_t>(O.Code) | uint64_t(O.Sub) << 8 |
      uint64_t(O.Flags) << 16 | uint64_t(O.Operands.size()) << 24 |
      uint64_t(O.Results.size()) << 40);
  for (Value V : O.Operands) {
    if (F.isLiteral(V)) {
      PutType(F.type(V));
      Put(F.info(V).Bits);
    } else {
      Put(uint64_t(1) << 32 | V.Id);
    }
  }
  for (Value R : O.Results)
    PutType(F.type(R));
  return K;
}

/// Replaces O by an equivalent op that dominates it; true if O is gone.
bool Canonicalizer::cse(Op &O) {
  if (!isPure(O.kind()) || O.Results.empty())
    return false;
  std::string K = key(O);
  auto [It, New] = Available.try_emplace(K);
  if (New) {
    It->second.assign(O.Results.begin(), O.Results.end());
    Scopes.back().push_back(std::move(K));
    return false;
  }
  for (size_t I = 0; I < O.Results.size(); ++I)
    replace(O.Results[I], It->second[I]);
  return true;
}

void Canonicalizer::visit(
    Op O, std::vector<Op> &Out,
    std::vector<std::pair<std::vector<Op>, size_t>> &Stack) {
  for (Value &V : O.Operands)
    V = resolve(V);

  if (std::optional<uint64_t> B = fold(O)) {
    turnIntoConst(O, *B);
    Changed = true;
  }

  switch (O.kind()) {
  case OpKind::Select: {
    std::optional<uint64_t> C = constBits(O.Operands[0]);
    if (!C && O.Operands[1] != O.Operands[2])
      break;
    Value Pick = !C || *C ? O.Operands[1] : O.Operands[2];
    Changed = true;
    if (F.isLiteral(Pick)) {
      turnIntoConst(O, F.info(Pick).Bits);
      break;
    }
    replace(O.Results[0], Pick);
    return;
  }
  case OpKind::If: {
    std::optional<uint64_t> C = constBits(O.Operands[0]);
    if (!C)
      break;
    Changed = true;
    std::vector<Op> Taken;
    unsigned Arm = *C ? 0 : 1;
    if (Arm < O.Regions.size())
      Taken = std::move(O.Regions[Arm].Ops);
    if (!O.Results.empty() && !Taken.empty() &&
        Taken.back().Code == Opcode::Yield) {
      Op Yield = std::move(Taken.back());
      Taken.pop_back();
      for (size_t I = 0; I < O.Results.size(); ++I) {
        Value Y = Yield.Operands[I];
        if (F.isLiteral(Y)) {
          Taken.push_back(makeConst(F.type(Y), F.info(Y).Bits, Yield.Loc));
          Y = Taken.back().Results[0];
        }
        replace(O.Results[I], Y);
      }
    }
    Stack.emplace_back(std::move(Taken), 0);
    return;
  }
  case OpKind::For: {
    std::optional<uint64_t> Lb = constBits(O.Operands[0]),
                            Ub = constBits(O.Operands[1]),
                            St = constBits(O.Operands[2]);
    if (!Lb || !Ub || !St)
      break;
    unsigned S = shiftOf(F.type(O.Operands[0]));
    if (sextOf(*St, S) > 0 && sextOf(*Lb, S) < sextOf(*Ub, S))
      break;
    Changed = true;
    std::vector<Op> Consts;
    for (size_t I = 0; I < O.Results.size(); ++I) {
      Value Init = O.Operands[3 + I];
      if (F.isLiteral(Init)) {
        Consts.push_back(makeConst(F.type(Init), F.info(Init).Bits, O.Loc));
        Init = Consts.back().Results[0];
      }
      replace(O.Results[I], Init);
    }
    Stack.emplace_back(std::move(Consts), 0);
    return;
  }
  default:
    break;
  }

  if (O.Code == Opcode::Const) {
    Value L = O.Operands[0];
    if (O.Results[0].Id >= ConstLit.size())
      ConstLit.resize(F.numValues());
    ConstLit[O.Results[0].Id] = L;
  } else {
    propagate(O);
  }
  if (cse(O)) {
    Changed = true;
    return;
  }
  for (Region &R : O.Regions)
    region(R);
  Out.push_back(std::move(O));
}

void Canonicalizer::region(Region &R) {
  Scopes.emplace_back();
  std::vector<Op> Out;
  Out.reserve(R.Ops.size());
  // Pending op lists, innermost last: the ops of a folded `if` are walked
  // before the rest of the list that held it.
  std::vector<std::pair<std::vector<Op>, size_t>> Stack;
  Stack.emplace_back(std::move(R.Ops), 0);
  R.Ops.clear();
  while (!Stack.empty()) {
    auto &Top = Stack.back();
    if (Top.second == Top.first.size()) {
      Stack.pop_back();
      continue;
    }
    Op O = std::move(Top.first[Top.second++]);
    visit(std::move(O), Out, Stack); // may push onto Stack
  }
  R.Ops = std::move(Out);
  for (const std::string &K : Scopes.back())
    Available.erase(K);
  Scopes.pop_back();
}

bool Canonicalizer::forward() {
  Changed = false;
  Replaced = ValueMap();
  ConstLit.assign(F.numValues(), Value());
  Available.clear();
  region(F.Body);
  return Changed;
}

//===-- Dead code ---------------------------------------------------------===//

bool Canonicalizer::hasEffects(const Region &R) const {
  for (const Op &O : R.Ops) {
    switch (O.kind()) {
    case OpKind::Load: // may fault out of bounds
    case OpKind::Store:
    case OpKind::Atomic:
    case OpKind::CmpXchg:
    case OpKind::Call:
    case OpKind::While: // may not terminate
      return true;
    default:
      break;
    }
    for (const Region &Sub : O.Regions)
      if (hasEffects(Sub))
        return true;
  }
  return false;
}

void Canonicalizer::dropUses(const Op &O) {
  for (Value V : O.Operands)
    --Uses[V.Id];
  for (const Region &R : O.Regions)
    for (const Op &Sub : R.Ops)
      dropUses(Sub);
}

bool Canonicalizer::dceRegion(Region &R) {
  bool Removed = false;
  std::vector<bool> Dead(R.Ops.size(), false);
  for (size_t I = R.Ops.size(); I-- > 0;) {
    Op &O = R.Ops[I];
    for (Region &Sub : O.Regions)
      Removed |= dceRegion(Sub);
    bool Unused = true;
    for (Value Res : O.Results)
      Unused &= Uses[Res.Id] == 0;
    if (!Unused)
      continue;
    bool Removable = isPure(O.kind());
    if (O.Code == Opcode::For || O.Code == Opcode::If) {
      Removable = true;
      for (const Region &Sub : O.Regions)
        Removable &= !hasEffects(Sub);
    }
    if (!Removable)
      continue;
    dropUses(O);
    Dead[I] = true;
    Removed = true;
  }
  if (Removed) {
    size_t J = 0;
    for (size_t I = 0; I < R.Ops.size(); ++I)
      if (!Dead[I]) {
        if (J != I)
          R.Ops[J] = std::move(R.Ops[I]);
        ++J;
      }
    R.Ops.resize(J);
  }
  return Removed;
}

bool Canonicalizer::dce() {
  Uses.assign(F.numValues(), 0);
  F.walk([&](const Op &O) {
    for (Value V : O.Operands)
      ++Uses[V.Id];
  });
  return dceRegion(F.Body);
}

void ircgpu::canonicalize(Function &F) { Canonicalizer(F).run(); }
