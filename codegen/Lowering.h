//===- codegen/Lowering.h - the lowering of one VIR function ----*- C++ -*-===//
//
// The class that lowers a VIR function body to LLVM IR, shared by its two
// files: LowerFunction.cpp (values, arithmetic, casts, the op dispatch) and
// LowerControl.cpp (memory addresses, atomics, for/if/while). See
// LowerFunction.cpp for the semantics it spells out.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CODEGEN_LOWERING_H
#define IRCGPU_CODEGEN_LOWERING_H

#include "codegen/LowerFunction.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace ircgpu::lowering {

using namespace llvm;

inline Error internalError(const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), Msg);
}

class Lowering {
public:
  Lowering(const Function &F, IRBuilder<> &B, const Target &T)
      : F(F), B(B), T(T), Ctx(B.getContext()), Vals(F.numValues(), nullptr) {}

  Expected<SmallVector<llvm::Value *, 2>> run(ArrayRef<llvm::Value *> Params) {
    for (size_t I = 0; I < F.Params.size(); ++I)
      Vals[F.Params[I].Id] = Params[I];
    auto Term = lowerRegion(F.Body);
    if (!Term)
      return Term.takeError();
    SmallVector<llvm::Value *, 2> Out;
    if (*Term)
      for (ircgpu::Value V : (*Term)->Operands)
        Out.push_back(get(V));
    return Out;
  }

private:
  const Function &F;
  IRBuilder<> &B;
  const Target &T;
  LLVMContext &Ctx;
  std::vector<llvm::Value *> Vals; ///< by ircgpu::Value id

  llvm::Type *ty(Type VT) { return lowerType(VT, Ctx, T); }

  llvm::Value *get(ircgpu::Value V) {
    if (Vals[V.Id])
      return Vals[V.Id];
    const ValueInfo &I = F.info(V);
    assert(I.Kind == ValueKind::Literal && "use before definition");
    llvm::Type *LT = ty(I.Ty);
    llvm::Value *C;
    if (I.Ty.isFloat())
      C = ConstantFP::get(
          Ctx, APFloat(LT->getFltSemantics(), APInt(I.Ty.bits(), I.Bits)));
    else
      C = ConstantInt::get(Ctx, APInt(I.Ty.bits(), I.Bits & maskBits(I.Ty)));
    return Vals[V.Id] = C;
  }
  static uint64_t maskBits(Type Ty) {
    return Ty.bits() == 64 ? ~0ull : (1ull << Ty.bits()) - 1;
  }
  void set(ircgpu::Value V, llvm::Value *L) { Vals[V.Id] = L; }

  /// Lowers the ops of R; returns its terminator (yield, condition, ret) or
  /// null when it has none.
  Expected<const Op *> lowerRegion(const Region &R) {
    for (const Op &O : R.Ops) {
      switch (O.kind()) {
      case OpKind::Yield:
      case OpKind::Condition:
      case OpKind::Ret:
        return &O;
      default:
        if (Error E = lowerOp(O))
          return E;
      }
    }
    return nullptr;
  }

  Error lowerOp(const Op &O);
  llvm::Value *lowerIntBinary(Opcode Op, llvm::Value *A, llvm::Value *Bv);
  llvm::Value *lowerCast(const Op &O, llvm::Value *A);
  llvm::Value *address(const Op &O);
  Error lowerAtomic(const Op &O);
  Error lowerFor(const Op &O);
  Error lowerIf(const Op &O);
  Error lowerWhile(const Op &O);
  llvm::Value *callMath(const Op &O, ArrayRef<llvm::Value *> Args);
};

} // namespace ircgpu::lowering

#endif
