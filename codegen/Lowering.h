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

#include "llvm/ADT/DenseMap.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <vector>

namespace ircgpu::lowering {

using namespace llvm;

inline Error internalError(const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), Msg);
}

/// Checked mode: where a pointer-typed VIR value points, as the bounds check
/// needs it (BoundsCheck.cpp). A pointer is always some buffer parameter of
/// the function plus an element offset: parameters start at offset 0,
/// `offset` adds to it, and `select` and the phis of for/if/while choose
/// between two such pairs at run time, part by part. The count travels with
/// the pair so that an access needs no lookup.
struct BufferRef {
  llvm::Value *Param = nullptr;  ///< i32: index of the buffer parameter in F
  llvm::Value *Offset = nullptr; ///< i64: element offset from its start
  llvm::Value *Count = nullptr;  ///< i64: its element count
};

/// DeviceErrorRecord::Access.
enum class AccessKind : uint32_t { Load, Store, Atomic, CmpXchg };

class Lowering {
public:
  Lowering(const Function &F, IRBuilder<> &B, const Target &T,
           const BoundsChecks *Checks, const PrivateBuffers *Private)
      : F(F), B(B), T(T), Checks(Checks), Ctx(B.getContext()),
        Vals(F.numValues(), nullptr) {
    if (Checks)
      Bufs.resize(F.numValues());
    if (Private)
      for (size_t I = 0; I < Private->Arrays.size() && I < F.Params.size(); ++I)
        if (Private->Arrays[I])
          Shared[F.Params[I].Id] = Private->Arrays[I];
  }

  Expected<SmallVector<llvm::Value *, 2>> run(ArrayRef<llvm::Value *> Params) {
    if (Error E = begin(Params))
      return E;
    auto Term = lowerRegion(F.Body);
    if (!Term)
      return Term.takeError();
    SmallVector<llvm::Value *, 2> Out;
    if (*Term)
      for (ircgpu::Value V : (*Term)->Operands)
        Out.push_back(get(V));
    return Out;
  }

  /// Binds F's parameters to Params; what run() does before the body, for a
  /// caller that lowers the body's ops one at a time with lowerTopLevelOp.
  Error begin(ArrayRef<llvm::Value *> Params) {
    for (size_t I = 0; I < F.Params.size(); ++I)
      Vals[F.Params[I].Id] = Params[I];
    return initBuffers();
  }
  /// Lowers O, an op of F's body region other than its terminator.
  Error lowerTopLevelOp(const Op &O) { return lowerOp(O); }

private:
  const Function &F;
  IRBuilder<> &B;
  const Target &T;
  const BoundsChecks *Checks; ///< null in the default (unchecked) mode
  LLVMContext &Ctx;
  std::vector<llvm::Value *> Vals; ///< by ircgpu::Value id
  std::vector<BufferRef> Bufs;     ///< checked mode: by pointer value id
  /// Privatised buffer parameters (by value id): their shared arrays.
  DenseMap<uint32_t, GlobalVariable *> Shared;

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

  // Checked mode (BoundsCheck.cpp). Each is a no-op, emitting nothing, in
  // the default mode or for a value that is not a pointer.
  Error initBuffers();
  /// Emits Access (O's load, store, atomic or cmpxchg) behind O's bounds
  /// check and returns its result, or the zero of Ty when the index is out of
  /// bounds; Ty is null for an access without a result. Unchecked: Access().
  llvm::Value *guarded(const Op &O, AccessKind K, llvm::Type *Ty,
                       function_ref<llvm::Value *()> Access);
  BasicBlock *recordViolation(const BufferRef &R, AccessKind K,
                              llvm::Value *Index, BasicBlock *Cont);
  void setBuffer(ircgpu::Value V, const std::optional<BufferRef> &R) {
    if (R)
      Bufs[V.Id] = *R;
  }
  std::optional<BufferRef> buffer(ircgpu::Value V) {
    if (!Checks || !F.type(V).isPtr())
      return std::nullopt;
    assert(Bufs[V.Id].Param && "pointer without a buffer");
    return Bufs[V.Id];
  }
  /// Phis (at B's insertion point) for the parts of a pointer of type VT
  /// where control flow joins.
  std::optional<BufferRef> bufferPhi(Type VT);
  void addIncoming(const std::optional<BufferRef> &Phi, ircgpu::Value In,
                   BasicBlock *From);
  /// The BufferRef of `offset`'s or pointer `select`'s result.
  void lowerBufferOp(const Op &O, llvm::Value *Offset);

  Error lowerOp(const Op &O);
  llvm::Value *lowerIntBinary(Opcode Op, llvm::Value *A, llvm::Value *Bv);
  llvm::Value *lowerCast(const Op &O, llvm::Value *A);
  llvm::Value *address(const Op &O);
  Error lowerAtomic(const Op &O);
  llvm::Value *lowerCmpXchg(const Op &O);
  llvm::Value *lowerAtomicRMW(const Op &O);
  Error lowerFor(const Op &O);
  Error lowerIf(const Op &O);
  Error lowerWhile(const Op &O);
  llvm::Value *callMath(const Op &O, ArrayRef<llvm::Value *> Args);
};

} // namespace ircgpu::lowering

#endif
