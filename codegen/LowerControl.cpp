//===- codegen/LowerControl.cpp - memory, atomics and control flow --------===//
//
// Part of the lowering of a VIR function (codegen/Lowering.h): addresses in
// the global address space, atomics (CAS loops where LLVM has no operation),
// and structured for/if/while as basic blocks and phis (in checked mode, with
// phis for the BufferRef of each pointer value too).
//
//===----------------------------------------------------------------------===//
#include "codegen/Lowering.h"

#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"

namespace ircgpu::lowering {

/// &P[I] for a load, store or atomic: the index is sign-extended to 64 bits.
/// A privatised buffer's element is the one of its shared array (the
/// analysis proved the index within it).
llvm::Value *Lowering::address(const Op &O) {
  Type PT = F.type(O.Operands[0]);
  llvm::Value *Idx = B.CreateSExtOrTrunc(get(O.Operands[1]), B.getInt64Ty());
  auto It = Shared.find(O.Operands[0].Id);
  if (It != Shared.end())
    return B.CreateInBoundsGEP(It->second->getValueType(), It->second,
                               {B.getInt64(0), Idx});
  return B.CreateGEP(ty(PT.elemType()), get(O.Operands[0]), Idx);
}

Error Lowering::lowerAtomic(const Op &O) {
  bool IsCX = O.Code == Opcode::CmpXchg;
  llvm::Type *Ty = O.Results.empty() ? nullptr : ty(F.type(O.Results[0]));
  llvm::Value *Old =
      guarded(O, IsCX ? AccessKind::CmpXchg : AccessKind::Atomic, Ty,
              [&] { return IsCX ? lowerCmpXchg(O) : lowerAtomicRMW(O); });
  if (Ty)
    set(O.Results[0], Old);
  return Error::success();
}

llvm::Value *Lowering::lowerCmpXchg(const Op &O) {
  llvm::Value *Addr = address(O);
  llvm::Value *V = get(O.Operands[2]);
  Type ET = F.type(O.Operands[0]).elemType();
  auto *CX = B.CreateAtomicCmpXchg(Addr, V, get(O.Operands[3]),
                                   Align(ET.bytes()), AtomicOrdering::Monotonic,
                                   AtomicOrdering::Monotonic);
  return O.Results.empty() ? nullptr : B.CreateExtractValue(CX, 0);
}

llvm::Value *Lowering::lowerAtomicRMW(const Op &O) {
  llvm::Value *Addr = address(O);
  llvm::Value *V = get(O.Operands[2]);
  Type ET = F.type(O.Operands[0]).elemType();
  Align Al(ET.bytes());
  auto K = static_cast<AtomicKind>(O.Sub);
  llvm::Value *Old = nullptr;
  if (K == AtomicKind::FMin || K == AtomicKind::FMax) {
    // No PTX atomic has minNum semantics: a compare-and-swap loop on the
    // bits (comparing bits, so a NaN already in memory cannot spin forever).
    llvm::Type *IT = B.getIntNTy(ET.bits());
    llvm::Value *Init = B.CreateLoad(IT, Addr);
    BasicBlock *Pre = B.GetInsertBlock();
    llvm::Function *Fn = Pre->getParent();
    BasicBlock *Loop = BasicBlock::Create(Ctx, "atomic.loop", Fn);
    BasicBlock *Done = BasicBlock::Create(Ctx, "atomic.done", Fn);
    B.CreateBr(Loop);
    B.SetInsertPoint(Loop);
    PHINode *Cur = B.CreatePHI(IT, 2);
    Cur->addIncoming(Init, Pre);
    llvm::Value *CurF = B.CreateBitCast(Cur, V->getType());
    llvm::Value *New =
        B.CreateBitCast(emitFMinMax(B, K == AtomicKind::FMax, CurF, V), IT);
    auto *CX =
        B.CreateAtomicCmpXchg(Addr, Cur, New, Al, AtomicOrdering::Monotonic,
                              AtomicOrdering::Monotonic);
    llvm::Value *Seen = B.CreateExtractValue(CX, 0);
    Cur->addIncoming(Seen, Loop);
    B.CreateCondBr(B.CreateExtractValue(CX, 1), Done, Loop);
    B.SetInsertPoint(Done);
    Old = B.CreateBitCast(Cur, V->getType());
  } else {
    static constexpr AtomicRMWInst::BinOp Ops[] = {
        AtomicRMWInst::Add,       AtomicRMWInst::FAdd,
        AtomicRMWInst::Min,       AtomicRMWInst::Max,
        AtomicRMWInst::UMin,      AtomicRMWInst::UMax,
        AtomicRMWInst::BAD_BINOP, AtomicRMWInst::BAD_BINOP,
        AtomicRMWInst::And,       AtomicRMWInst::Or,
        AtomicRMWInst::Xor,       AtomicRMWInst::Xchg};
    llvm::Value *Arg = V;
    // Float exchange goes through the integer of the same width: every
    // backend has that.
    if (K == AtomicKind::Xchg && ET.isFloat())
      Arg = B.CreateBitCast(V, B.getIntNTy(ET.bits()));
    Old =
        B.CreateAtomicRMW(Ops[O.Sub], Addr, Arg, Al, AtomicOrdering::Monotonic);
    if (Arg != V)
      Old = B.CreateBitCast(Old, V->getType());
  }
  return Old;
}

Error Lowering::lowerFor(const Op &O) {
  llvm::Value *LB = get(O.Operands[0]), *UB = get(O.Operands[1]),
              *Step = get(O.Operands[2]);
  llvm::Value *Trip = emitTripCount(B, LB, UB, Step);
  const Region &Body = O.Regions[0];
  llvm::Function *Fn = B.GetInsertBlock()->getParent();
  BasicBlock *Pre = B.GetInsertBlock();
  BasicBlock *Head = BasicBlock::Create(Ctx, "for.head", Fn);
  BasicBlock *BodyBB = BasicBlock::Create(Ctx, "for.body", Fn);
  BasicBlock *Exit = BasicBlock::Create(Ctx, "for.exit", Fn);
  B.CreateBr(Head);
  B.SetInsertPoint(Head);
  PHINode *Cnt = B.CreatePHI(Trip->getType(), 2, "trip");
  PHINode *Idx = B.CreatePHI(LB->getType(), 2, "i");
  Cnt->addIncoming(ConstantInt::get(Trip->getType(), 0), Pre);
  Idx->addIncoming(LB, Pre);
  SmallVector<PHINode *, 2> Iters;
  SmallVector<std::optional<BufferRef>, 2> IterBufs;
  for (size_t I = 3; I < O.Operands.size(); ++I) {
    llvm::Value *Init = get(O.Operands[I]);
    Iters.push_back(B.CreatePHI(Init->getType(), 2));
    Iters.back()->addIncoming(Init, Pre);
    set(Body.Args[I - 2], Iters.back());
    IterBufs.push_back(bufferPhi(F.type(O.Operands[I])));
    addIncoming(IterBufs.back(), O.Operands[I], Pre);
    setBuffer(Body.Args[I - 2], IterBufs.back());
  }
  set(Body.Args[0], Idx);
  B.CreateCondBr(B.CreateICmpULT(Cnt, Trip), BodyBB, Exit);
  B.SetInsertPoint(BodyBB);
  auto Term = lowerRegion(Body);
  if (!Term)
    return Term.takeError();
  BasicBlock *Latch = B.GetInsertBlock();
  // i + Step may wrap after the last trip; the trip counter ends the loop.
  Cnt->addIncoming(B.CreateAdd(Cnt, ConstantInt::get(Trip->getType(), 1)),
                   Latch);
  Idx->addIncoming(B.CreateAdd(Idx, Step), Latch);
  for (size_t I = 0; I < Iters.size(); ++I) {
    Iters[I]->addIncoming(get((*Term)->Operands[I]), Latch);
    addIncoming(IterBufs[I], (*Term)->Operands[I], Latch);
  }
  B.CreateBr(Head);
  B.SetInsertPoint(Exit);
  for (size_t I = 0; I < O.Results.size(); ++I) {
    set(O.Results[I], Iters[I]);
    setBuffer(O.Results[I], IterBufs[I]);
  }
  return Error::success();
}

Error Lowering::lowerIf(const Op &O) {
  llvm::Function *Fn = B.GetInsertBlock()->getParent();
  BasicBlock *Then = BasicBlock::Create(Ctx, "if.then", Fn);
  BasicBlock *Else = BasicBlock::Create(Ctx, "if.else", Fn);
  BasicBlock *Join = BasicBlock::Create(Ctx, "if.join", Fn);
  B.CreateCondBr(get(O.Operands[0]), Then, Else);
  SmallVector<llvm::Value *, 2> Out[2];
  const Op *Terms[2] = {nullptr, nullptr};
  BasicBlock *Ends[2];
  BasicBlock *Starts[2] = {Then, Else};
  for (int Side = 0; Side < 2; ++Side) {
    B.SetInsertPoint(Starts[Side]);
    auto Term = lowerRegion(O.Regions[Side]);
    if (!Term)
      return Term.takeError();
    if ((Terms[Side] = *Term))
      for (ircgpu::Value V : (*Term)->Operands)
        Out[Side].push_back(get(V));
    Ends[Side] = B.GetInsertBlock();
    B.CreateBr(Join);
  }
  B.SetInsertPoint(Join);
  for (size_t I = 0; I < O.Results.size(); ++I) {
    PHINode *P = B.CreatePHI(Out[0][I]->getType(), 2);
    P->addIncoming(Out[0][I], Ends[0]);
    P->addIncoming(Out[1][I], Ends[1]);
    set(O.Results[I], P);
    std::optional<BufferRef> Buf = bufferPhi(F.type(O.Results[I]));
    for (int Side = 0; Side < 2; ++Side)
      addIncoming(Buf, Terms[Side]->Operands[I], Ends[Side]);
    setBuffer(O.Results[I], Buf);
  }
  return Error::success();
}

Error Lowering::lowerWhile(const Op &O) {
  llvm::Function *Fn = B.GetInsertBlock()->getParent();
  BasicBlock *Pre = B.GetInsertBlock();
  BasicBlock *Head = BasicBlock::Create(Ctx, "while.cond", Fn);
  BasicBlock *Do = BasicBlock::Create(Ctx, "while.do", Fn);
  BasicBlock *Exit = BasicBlock::Create(Ctx, "while.exit", Fn);
  const Region &Cond = O.Regions[0];
  B.CreateBr(Head);
  B.SetInsertPoint(Head);
  SmallVector<PHINode *, 2> Vars;
  SmallVector<std::optional<BufferRef>, 2> VarBufs;
  for (size_t I = 0; I < O.Operands.size(); ++I) {
    llvm::Value *Init = get(O.Operands[I]);
    Vars.push_back(B.CreatePHI(Init->getType(), 2));
    Vars.back()->addIncoming(Init, Pre);
    set(Cond.Args[I], Vars.back());
    VarBufs.push_back(bufferPhi(F.type(O.Operands[I])));
    addIncoming(VarBufs.back(), O.Operands[I], Pre);
    setBuffer(Cond.Args[I], VarBufs.back());
  }
  auto CT = lowerRegion(Cond);
  if (!CT)
    return CT.takeError();
  if (!*CT)
    return internalError("while: condition region without `condition`");
  B.CreateCondBr(get((*CT)->Operands[0]), Do, Exit);
  B.SetInsertPoint(Do);
  auto DT = lowerRegion(O.Regions[1]);
  if (!DT)
    return DT.takeError();
  BasicBlock *Latch = B.GetInsertBlock();
  for (size_t I = 0; I < Vars.size(); ++I) {
    Vars[I]->addIncoming(get((*DT)->Operands[I]), Latch);
    addIncoming(VarBufs[I], (*DT)->Operands[I], Latch);
  }
  B.CreateBr(Head);
  B.SetInsertPoint(Exit);
  for (size_t I = 0; I < O.Results.size(); ++I) {
    set(O.Results[I], Vars[I]);
    setBuffer(O.Results[I], VarBufs[I]);
  }
  return Error::success();
}

} // namespace ircgpu::lowering
