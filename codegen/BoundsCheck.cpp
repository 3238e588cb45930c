//===- codegen/BoundsCheck.cpp - checked mode's bounds checks -------------===//
//
// Part of the lowering of a VIR function (codegen/Lowering.h). In checked mode
// (spec §3, docs/codegen.md "Checked mode") every pointer value carries a
// BufferRef (the buffer parameter it derives from, its element offset, the
// buffer's count) beside its LLVM pointer, and every load, store, atomic and
// cmpxchg becomes
//
//   %bc.index = add i64 %offset, sext(%i)
//   %bc.in = icmp ult i64 %bc.index, %count    ; also catches %bc.index < 0
//   br i1 %bc.in, label %bc.ok, label %bc.oob
//   bc.ok:     the access, as in the default mode
//   bc.oob:    cmpxchg Flag 0 -> 1; the winner fills the record (bc.record)
//   bc.cont:   phi of the access's result and 0
//
// The kernel does not trap: a trap kills the CUDA context, and the spec wants
// it usable after the error. The executor reads the record after the launch.
//
//===----------------------------------------------------------------------===//
#include "codegen/Lowering.h"

#include "ircgpu/KernelABI.h"

#include "llvm/IR/MDBuilder.h"

#include <cstddef>

namespace ircgpu::lowering {

/// A parameter's offset: adding it needs no instruction.
static bool isZero(llvm::Value *Offset) {
  auto *C = dyn_cast<ConstantInt>(Offset);
  return C && C->isZero();
}

Error Lowering::initBuffers() {
  if (!Checks)
    return Error::success();
  for (size_t I = 0; I < F.Params.size(); ++I) {
    if (!F.type(F.Params[I]).isPtr())
      continue;
    llvm::Value *Count =
        I < Checks->Counts.size() ? Checks->Counts[I] : nullptr;
    if (!Count)
      return internalError("checked mode: buffer parameter %" +
                           F.name(F.Params[I]) + " of @" + F.Name +
                           " has no element count");
    Bufs[F.Params[I].Id] = {B.getInt32(I), B.getInt64(0), Count};
  }
  return Error::success();
}

void Lowering::lowerBufferOp(const Op &O, llvm::Value *Offset) {
  if (!Checks || !F.type(O.Results[0]).isPtr())
    return;
  if (O.kind() == OpKind::Offset) {
    BufferRef P = *buffer(O.Operands[0]);
    llvm::Value *Sum =
        isZero(P.Offset) ? Offset : B.CreateAdd(P.Offset, Offset, "bc.off");
    setBuffer(O.Results[0], BufferRef{P.Param, Sum, P.Count});
    return;
  }
  assert(O.kind() == OpKind::Select && "not a pointer-producing op");
  llvm::Value *C = get(O.Operands[0]);
  BufferRef P = *buffer(O.Operands[1]), Q = *buffer(O.Operands[2]);
  setBuffer(O.Results[0],
            BufferRef{B.CreateSelect(C, P.Param, Q.Param, "bc.param"),
                      B.CreateSelect(C, P.Offset, Q.Offset, "bc.off"),
                      B.CreateSelect(C, P.Count, Q.Count, "bc.count")});
}

std::optional<BufferRef> Lowering::bufferPhi(Type VT) {
  if (!Checks || !VT.isPtr())
    return std::nullopt;
  return BufferRef{B.CreatePHI(B.getInt32Ty(), 2, "bc.param"),
                   B.CreatePHI(B.getInt64Ty(), 2, "bc.off"),
                   B.CreatePHI(B.getInt64Ty(), 2, "bc.count")};
}

void Lowering::addIncoming(const std::optional<BufferRef> &Phi,
                           ircgpu::Value In, BasicBlock *From) {
  if (!Phi)
    return;
  BufferRef R = *buffer(In);
  cast<PHINode>(Phi->Param)->addIncoming(R.Param, From);
  cast<PHINode>(Phi->Offset)->addIncoming(R.Offset, From);
  cast<PHINode>(Phi->Count)->addIncoming(R.Count, From);
}

llvm::Value *Lowering::guarded(const Op &O, AccessKind K, llvm::Type *Ty,
                               function_ref<llvm::Value *()> Access) {
  if (!Checks)
    return Access();
  BufferRef R = *buffer(O.Operands[0]);
  // The same sign extension as address(); the sum wraps like the pointer
  // arithmetic would (an index near 2^63 is out of bounds either way).
  llvm::Value *I = B.CreateSExtOrTrunc(get(O.Operands[1]), B.getInt64Ty());
  llvm::Value *Index =
      isZero(R.Offset) ? I : B.CreateAdd(R.Offset, I, "bc.index");
  // Counts are below 2^63, so one unsigned compare tests 0 <= Index < Count.
  llvm::Value *In = B.CreateICmpULT(Index, R.Count, "bc.in");
  llvm::Function *Fn = B.GetInsertBlock()->getParent();
  BasicBlock *Ok = BasicBlock::Create(Ctx, "bc.ok", Fn);
  BasicBlock *Oob = BasicBlock::Create(Ctx, "bc.oob", Fn);
  BasicBlock *Cont = BasicBlock::Create(Ctx, "bc.cont", Fn);
  // Out of bounds is a program error: keep the check off the hot path.
  B.CreateCondBr(In, Ok, Oob, MDBuilder(Ctx).createBranchWeights(1 << 20, 1));
  B.SetInsertPoint(Ok);
  llvm::Value *V = Access();
  BasicBlock *OkEnd = B.GetInsertBlock();
  B.CreateBr(Cont);
  B.SetInsertPoint(Oob);
  BasicBlock *Record = recordViolation(R, K, Index, Cont);
  B.SetInsertPoint(Cont);
  if (!Ty)
    return nullptr;
  PHINode *Phi = B.CreatePHI(Ty, 3);
  Phi->addIncoming(V, OkEnd);
  Phi->addIncoming(Constant::getNullValue(Ty), Oob);
  Phi->addIncoming(Constant::getNullValue(Ty), Record);
  return Phi;
}

/// At bc.oob, branching to Cont; returns the block that fills the record.
/// The first violation wins the record's Flag and fills the record; later
/// ones (in this or any thread) leave it alone, so its fields are never a mix
/// of two violations. The executor reads it after the launch has finished,
/// which orders the plain stores before the read.
BasicBlock *Lowering::recordViolation(const BufferRef &R, AccessKind K,
                                      llvm::Value *Index, BasicBlock *Cont) {
  static_assert(offsetof(DeviceErrorRecord, Flag) == 0 &&
                    sizeof(DeviceErrorRecord) == 32,
                "the stores below follow DeviceErrorRecord's layout");
  llvm::Value *Err = Checks->ErrorRecord;
  auto Field = [&](size_t Offset, llvm::Value *V, const Twine &Name) {
    llvm::Value *Addr =
        B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Err, Offset, "err." + Name);
    B.CreateAlignedStore(V, Addr,
                         Align(V->getType()->getScalarSizeInBits() / 8));
  };
  auto *CX = B.CreateAtomicCmpXchg(Err, B.getInt32(0), B.getInt32(1), Align(4),
                                   AtomicOrdering::Monotonic,
                                   AtomicOrdering::Monotonic);
  BasicBlock *Record = BasicBlock::Create(Ctx, "bc.record", Cont->getParent());
  B.CreateCondBr(B.CreateExtractValue(CX, 1, "bc.first"), Record, Cont);
  B.SetInsertPoint(Record);
  Field(offsetof(DeviceErrorRecord, Func), B.getInt32(Checks->Func), "func");
  Field(offsetof(DeviceErrorRecord, Param), R.Param, "param");
  Field(offsetof(DeviceErrorRecord, Access),
        B.getInt32(static_cast<uint32_t>(K)), "access");
  Field(offsetof(DeviceErrorRecord, Index), Index, "index");
  Field(offsetof(DeviceErrorRecord, Count), R.Count, "count");
  B.CreateBr(Cont);
  return Record;
}

} // namespace ircgpu::lowering
