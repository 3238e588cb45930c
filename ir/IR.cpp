//===- ir/IR.cpp - names and small helpers of the VIR core ----------------===//
#include "ircgpu/IR.h"
#include "ircgpu/Builder.h"

#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

using namespace ircgpu;

unsigned Type::bits() const {
  switch (S) {
  case Scalar::I1:
    return 1;
  case Scalar::I8:
    return 8;
  case Scalar::I16:
  case Scalar::F16:
    return 16;
  case Scalar::I32:
  case Scalar::F32:
    return 32;
  case Scalar::I64:
  case Scalar::F64:
    return 64;
  }
  llvm_unreachable("bad scalar");
}

llvm::StringRef ircgpu::scalarName(Scalar S) {
  static const char *const Names[] = {"i1",  "i8",  "i16", "i32",
                                      "i64", "f16", "f32", "f64"};
  return Names[static_cast<unsigned>(S)];
}

std::string Type::str() const {
  if (!Valid)
    return "<invalid type>";
  if (Ptr)
    return ("ptr<" + scalarName(S) + ">").str();
  return scalarName(S).str();
}

namespace {
struct OpInfo {
  const char *Name;
  OpKind Kind;
};
constexpr OpInfo OpTable[] = {
#define IRC_OP(E, N, K) {N, OpKind::K},
#include "ircgpu/Ops.def"
};
} // namespace

llvm::StringRef ircgpu::opcodeName(Opcode C) {
  return OpTable[static_cast<unsigned>(C)].Name;
}
OpKind ircgpu::opcodeKind(Opcode C) {
  return OpTable[static_cast<unsigned>(C)].Kind;
}

bool ircgpu::isPure(OpKind K) {
  switch (K) {
  case OpKind::Const:
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
  case OpKind::Offset:
    return true;
  default:
    return false;
  }
}

llvm::StringRef ircgpu::icmpPredName(ICmpPred P) {
  static const char *const N[] = {"eq",  "ne",  "slt", "sle", "sgt",
                                  "sge", "ult", "ule", "ugt", "uge"};
  return N[static_cast<unsigned>(P)];
}
llvm::StringRef ircgpu::fcmpPredName(FCmpPred P) {
  static const char *const N[] = {"oeq", "one", "olt", "ole", "ogt",
                                  "oge", "ueq", "une", "ult", "ule",
                                  "ugt", "uge", "ord", "uno"};
  return N[static_cast<unsigned>(P)];
}
llvm::StringRef ircgpu::atomicKindName(AtomicKind K) {
  static const char *const N[] = {"add",  "fadd", "min", "max", "umin", "umax",
                                  "fmin", "fmax", "and", "or",  "xor",  "xchg"};
  return N[static_cast<unsigned>(K)];
}

Value Function::newValue(Type Ty, ValueKind K, SrcLoc Loc, llvm::StringRef Name,
                         uint64_t Bits) {
  Value V{static_cast<uint32_t>(Values.size())};
  Values.push_back({Ty, K, Bits, Loc});
  Names.emplace_back(Name.str());
  return V;
}

int Module::indexOf(llvm::StringRef Name) const {
  for (size_t I = 0; I < Functions.size(); ++I)
    if (Functions[I]->Name == Name)
      return static_cast<int>(I);
  return -1;
}

Function *Module::lookup(llvm::StringRef Name) const {
  int I = indexOf(Name);
  return I < 0 ? nullptr : Functions[I].get();
}

char BuildError::ID = 0;
void BuildError::log(llvm::raw_ostream &OS) const { OS << Msg; }
std::error_code BuildError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}
