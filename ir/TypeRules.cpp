//===- ir/TypeRules.cpp - the type rule of every non-region op ------------===//
//
// One function answers "what does this op produce, or why is it wrong" for the
// Builder (as ops are created) and the Verifier (over a finished module), so
// the rules of spec §3 live in exactly one place.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Builder.h"

using namespace ircgpu;
using llvm::Expected;
using TypeList = llvm::SmallVector<Type, 1>;

namespace {

llvm::Error fail(const llvm::Twine &Msg, int Operand = -1) {
  return llvm::make_error<BuildError>(Msg.str(), Operand);
}

bool isF16(Type T) { return T.isValid() && T.elem() == Scalar::F16; }

/// Checks one operand against a predicate; names what was wanted.
class Checker {
public:
  Checker(const Function &F, const Op &O)
      : F(F), O(O), Name(opcodeName(O.Code)) {}

  Type ty(unsigned I) const { return F.type(O.Operands[I]); }

  /// Where to point for the type of operand I: a literal took its type from
  /// the first non-literal operand, so that is the one at fault.
  int at(unsigned I) const {
    if (!F.isLiteral(O.Operands[I]))
      return I;
    for (unsigned J = 0; J < O.Operands.size(); ++J)
      if (!F.isLiteral(O.Operands[J]))
        return J;
    return I;
  }

  llvm::Error count(unsigned N) const {
    if (O.Operands.size() != N)
      return fail("'" + Name + "' takes " + llvm::Twine(N) + " operand" +
                  (N == 1 ? "" : "s") + ", got " +
                  llvm::Twine(O.Operands.size()));
    return llvm::Error::success();
  }
  llvm::Error isInt(unsigned I) const {
    if (!ty(I).isInt())
      return fail("'" + Name + "' needs integer operands, got " + ty(I).str(),
                  at(I));
    return llvm::Error::success();
  }
  llvm::Error isFloat(unsigned I) const {
    if (isF16(ty(I)))
      return fail("f16 is not supported yet", I);
    if (!ty(I).isFloat())
      return fail("'" + Name + "' needs f32 or f64 operands, got " +
                      ty(I).str(),
                  at(I));
    return llvm::Error::success();
  }
  llvm::Error isPtr(unsigned I) const {
    if (!ty(I).isPtr())
      return fail("'" + Name + "' needs a pointer, got " + ty(I).str(), I);
    return llvm::Error::success();
  }
  llvm::Error isIndex(unsigned I, const char *What = "index") const {
    if (!ty(I).isInt())
      return fail("'" + Name + "' " + What + " must be an integer, got " +
                      ty(I).str(),
                  I);
    return llvm::Error::success();
  }
  /// Operand I has type Want.
  llvm::Error is(unsigned I, Type Want, const char *What = "operand") const {
    if (ty(I) != Want)
      return fail("'" + Name + "' " + What + " must be " + Want.str() +
                      ", got " + ty(I).str(),
                  I);
    return llvm::Error::success();
  }
  /// All operands from First on have the type of operand First.
  llvm::Error same(unsigned First = 0) const {
    for (unsigned I = First + 1; I < O.Operands.size(); ++I)
      if (ty(I) != ty(First))
        return fail("'" + Name + "' operands must have the same type, got " +
                        ty(First).str() + " and " + ty(I).str(),
                    I);
    return llvm::Error::success();
  }
  llvm::Error notAllLiterals() const {
    for (Value V : O.Operands)
      if (!F.isLiteral(V))
        return llvm::Error::success();
    return fail("all operands of '" + Name +
                "' are literals; write the value as " +
                "'%c = const VALUE : TYPE' and use %c");
  }

private:
  const Function &F;
  const Op &O;
  llvm::StringRef Name;
};

#define TRY(X)                                                                 \
  if (llvm::Error Err_ = (X))                                                  \
  return Err_

/// The cast rules: which (from, to) pairs each cast accepts.
llvm::Error checkCast(Opcode Code, Type From, Type To) {
  llvm::StringRef Name = opcodeName(Code);
  auto Bad = [&](const char *Why) {
    return fail("'" + Name + "' " + Why + ", got " + From.str() + " to " +
                To.str());
  };
  if (!To.isScalar())
    return fail("'" + Name + "' needs a scalar result type, got " + To.str());
  if (isF16(To) || isF16(From))
    return fail("f16 is not supported yet");
  switch (Code) {
  case Opcode::SExt:
  case Opcode::ZExt:
    if (!From.isInt() || !To.isInt() || To.bits() <= From.bits())
      return Bad("needs a wider integer type");
    break;
  case Opcode::Trunc:
    if (!From.isInt() || !To.isInt() || To.bits() >= From.bits())
      return Bad("needs a narrower integer type");
    break;
  case Opcode::SIToFP:
  case Opcode::UIToFP:
    if (!From.isInt() || !To.isFloat())
      return Bad("converts an integer to a float");
    break;
  case Opcode::FPToSI:
  case Opcode::FPToUI:
    if (!From.isFloat() || !To.isInt())
      return Bad("converts a float to an integer");
    break;
  case Opcode::FPExt:
    if (!From.isFloat() || !To.isFloat() || To.bits() <= From.bits())
      return Bad("needs a wider float type");
    break;
  case Opcode::FPTrunc:
    if (!From.isFloat() || !To.isFloat() || To.bits() >= From.bits())
      return Bad("needs a narrower float type");
    break;
  case Opcode::Bitcast:
    if (!From.isScalar() || From.bits() != To.bits() || From.bits() == 1)
      return Bad("needs scalar types of the same bit width");
    break;
  default:
    llvm_unreachable("not a cast");
  }
  return llvm::Error::success();
}

} // namespace

Expected<TypeList> ircgpu::inferResultTypes(const Module &M, const Function &F,
                                            const Op &O) {
  for (size_t I = 0; I < O.Operands.size(); ++I)
    if (O.Operands[I].Id >= F.numValues())
      return fail("operand " + llvm::Twine(I) + " is not a value of @" + F.Name,
                  I);
  for (size_t I = 0; I < O.Operands.size(); ++I)
    if (isF16(F.type(O.Operands[I])))
      return fail("f16 is not supported yet", I);

  Checker C(F, O);
  OpKind K = O.kind();
  llvm::StringRef Name = opcodeName(O.Code);
  bool IsMath = K == OpKind::MathUnary || K == OpKind::MathBinary ||
                K == OpKind::MathTernary;
  if ((O.Flags & FlagAfn) && !IsMath)
    return fail("'afn' is only allowed on float math functions, not on '" +
                Name + "'");
  if ((O.Flags & ~FlagAfn) != 0)
    return fail("'" + Name + "' takes no loop flags");
  if (O.Sub != 0 && K != OpKind::ICmp && K != OpKind::FCmp &&
      K != OpKind::Atomic)
    return fail("'" + Name + "' takes no predicate or atomic operation");
  if (O.Callee != ~0u && K != OpKind::Call)
    return fail("only 'call' has a callee, not '" + Name + "'");
  switch (K) {
  case OpKind::IntBinary:
  case OpKind::IntUnary:
  case OpKind::FloatBinary:
  case OpKind::FloatUnary:
  case OpKind::MathUnary:
  case OpKind::MathBinary:
  case OpKind::MathTernary:
  case OpKind::ICmp:
  case OpKind::FCmp:
  case OpKind::Select:
  case OpKind::Cast:
    if (!O.Operands.empty())
      TRY(C.notAllLiterals());
    break;
  default:
    break;
  }

  switch (K) {
  case OpKind::Const:
    TRY(C.count(1));
    if (!F.isLiteral(O.Operands[0]))
      return fail("'const' takes a literal", 0);
    if (!C.ty(0).isScalar())
      return fail("'const' needs a scalar type", 0);
    return TypeList{C.ty(0)};
  case OpKind::IntBinary:
    TRY(C.count(2));
    TRY(C.isInt(0));
    TRY(C.same());
    return TypeList{C.ty(0)};
  case OpKind::IntUnary:
    TRY(C.count(1));
    TRY(C.isInt(0));
    return TypeList{C.ty(0)};
  case OpKind::FloatBinary:
  case OpKind::MathBinary:
    TRY(C.count(2));
    TRY(C.isFloat(0));
    TRY(C.same());
    return TypeList{C.ty(0)};
  case OpKind::FloatUnary:
  case OpKind::MathUnary:
    TRY(C.count(1));
    TRY(C.isFloat(0));
    return TypeList{C.ty(0)};
  case OpKind::MathTernary:
    TRY(C.count(3));
    TRY(C.isFloat(0));
    TRY(C.same());
    return TypeList{C.ty(0)};
  case OpKind::ICmp:
    TRY(C.count(2));
    if (O.Sub > static_cast<unsigned>(ICmpPred::UGE))
      return fail("'icmp' has an invalid predicate");
    TRY(C.isInt(0));
    TRY(C.same());
    return TypeList{Type::i1()};
  case OpKind::FCmp:
    TRY(C.count(2));
    if (O.Sub > static_cast<unsigned>(FCmpPred::UNO))
      return fail("'fcmp' has an invalid predicate");
    TRY(C.isFloat(0));
    TRY(C.same());
    return TypeList{Type::i1()};
  case OpKind::Select:
    TRY(C.count(3));
    TRY(C.is(0, Type::i1(), "condition"));
    TRY(C.same(1));
    return TypeList{C.ty(1)};
  case OpKind::Cast: {
    TRY(C.count(1));
    if (O.Results.size() != 1)
      return fail("'" + Name + "' needs its result type");
    Type To = F.type(O.Results[0]);
    TRY(checkCast(O.Code, C.ty(0), To));
    return TypeList{To};
  }
  case OpKind::Load:
    TRY(C.count(2));
    TRY(C.isPtr(0));
    TRY(C.isIndex(1));
    return TypeList{C.ty(0).elemType()};
  case OpKind::Store:
    TRY(C.count(3));
    TRY(C.isPtr(0));
    TRY(C.isIndex(1));
    TRY(C.is(2, C.ty(0).elemType(), "value"));
    return TypeList{};
  case OpKind::Offset:
    TRY(C.count(2));
    TRY(C.isPtr(0));
    TRY(C.isIndex(1, "offset"));
    return TypeList{C.ty(0)};
  case OpKind::Atomic: {
    TRY(C.count(3));
    TRY(C.isPtr(0));
    TRY(C.isIndex(1));
    Type E = C.ty(0).elemType();
    TRY(C.is(2, E, "value"));
    if (O.Sub > static_cast<unsigned>(AtomicKind::Xchg))
      return fail("'atomic' has an invalid operation");
    auto AK = static_cast<AtomicKind>(O.Sub);
    bool Int64or32 = E == Type::i32() || E == Type::i64();
    bool Float = E == Type::f32() || E == Type::f64();
    bool Ok = AK == AtomicKind::Xchg ? Int64or32 || Float
              : AK == AtomicKind::FAdd || AK == AtomicKind::FMin ||
                      AK == AtomicKind::FMax
                  ? Float
                  : Int64or32;
    if (!Ok)
      return fail("'atomic " + atomicKindName(AK) + "' is not defined on " +
                      C.ty(0).str(),
                  0);
    return TypeList{E};
  }
  case OpKind::CmpXchg: {
    TRY(C.count(4));
    TRY(C.isPtr(0));
    TRY(C.isIndex(1));
    Type E = C.ty(0).elemType();
    if (E != Type::i32() && E != Type::i64())
      return fail("'cmpxchg' needs ptr<i32> or ptr<i64>, got " + C.ty(0).str(),
                  0);
    TRY(C.is(2, E, "expected value"));
    TRY(C.is(3, E, "new value"));
    return TypeList{E};
  }
  case OpKind::Call: {
    if (O.Callee >= M.Functions.size())
      return fail("call of an undefined function");
    const Function &Callee = *M.Functions[O.Callee];
    if (O.Operands.size() != Callee.Params.size())
      return fail("@" + Callee.Name + " takes " +
                  llvm::Twine(Callee.Params.size()) + " arguments, got " +
                  llvm::Twine(O.Operands.size()));
    for (unsigned I = 0; I < O.Operands.size(); ++I)
      TRY(C.is(I, Callee.type(Callee.Params[I]), "argument"));
    return TypeList(Callee.ResultTypes.begin(), Callee.ResultTypes.end());
  }
  case OpKind::Ret:
  case OpKind::Yield:
  case OpKind::Condition:
    // Their operands are checked against the enclosing function or region.
    return TypeList{};
  case OpKind::For:
  case OpKind::If:
  case OpKind::While:
    return fail("'" + Name +
                "' is a region op; its types are checked with its regions");
  }
  llvm_unreachable("bad op kind");
}
