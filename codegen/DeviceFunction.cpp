//===- codegen/DeviceFunction.cpp - one device function's frame
//------------===//
#include "codegen/DeviceFunction.h"

#include "ircgpu/Codegen.h"

using namespace llvm;

namespace ircgpu {

DeviceFunctionBuilder::DeviceFunctionBuilder(const Plan &P, const PlanABI &ABI,
                                             const Target &T, llvm::Module &M,
                                             const DeviceFunction &DF,
                                             const PlanStep &S)
    : P(P), ABI(ABI), T(T), DF(DF), S(S), VF(*P.Code->Functions[S.Func]),
      Ctx(M.getContext()), B(Ctx) {
  auto *GlobalPtr = PointerType::get(Ctx, T.globalAddressSpace());
  SmallVector<llvm::Type *, 16> Tys;
  for (const KernelParam &KP : DF.Params) {
    switch (KP.Kind) {
    case ParamKind::SlotArray:
    case ParamKind::ErrorRecord:
    case ParamKind::Partials:
      Tys.push_back(GlobalPtr);
      break;
    case ParamKind::Count:
    case ParamKind::Blocks:
    case ParamKind::GridTrips:
      Tys.push_back(B.getInt64Ty());
      break;
    default:
      Tys.push_back(slotType(KP.Slot));
    }
  }
  Fn = llvm::Function::Create(FunctionType::get(B.getVoidTy(), Tys, false),
                              GlobalValue::ExternalLinkage, DF.Name, M);
  // Reduction trees: a full SM of them (8 blocks of 256 threads, 32
  // registers a thread) keeps enough loads in flight; ncu showed dot's tree
  // at 39 registers held to 75% occupancy (docs/codegen.md).
  T.markKernel(*Fn, DF.Shape == LaunchShape::Tree ? TreeBlocksPerSM : 0);

  // Names and the VM's promises on buffers (spec §2), which let LLVM use the
  // non-coherent cache for read-only buffers and reorder accesses across
  // noalias ones. Value parameters of host-known arguments come in the order
  // of Step::Args.
  size_t NextArg = 0, NDims = S.Grid.size(), Dim = 0;
  for (size_t I = 0; I < DF.Params.size(); ++I) {
    const KernelParam &KP = DF.Params[I];
    Argument *A = Fn->getArg(I);
    switch (KP.Kind) {
    case ParamKind::SlotArray:
      A->setName("slots");
      A->addAttr(Attribute::NoAlias);
      break;
    case ParamKind::ErrorRecord:
      A->setName("err");
      A->addAttr(Attribute::NoAlias);
      break;
    case ParamKind::Partials:
      A->setName("partials");
      A->addAttr(Attribute::NoAlias);
      break;
    case ParamKind::Blocks:
      A->setName("blocks");
      break;
    case ParamKind::GridLB:
      A->setName("lb" + Twine(Dim));
      break;
    case ParamKind::GridTrips:
      A->setName("trips" + Twine(Dim));
      break;
    case ParamKind::GridStep:
      A->setName("step" + Twine(Dim++));
      break;
    case ParamKind::Count: // follows its buffer's Value parameter
      A->setName(I > 0 && Fn->getArg(I - 1)->hasName()
                     ? Fn->getArg(I - 1)->getName() + ".count"
                     : "count");
      break;
    case ParamKind::Value: {
      if (DF.Shape == LaunchShape::Final)
        break; // an Init, not an argument of the outlined function
      while (NextArg < S.Args.size() && !ABI.HostKnown[S.Args[NextArg]])
        ++NextArg;
      size_t VIndex = NDims + NextArg++;
      if (VIndex >= VF.Params.size())
        break;
      A->setName(VF.name(VF.Params[VIndex]));
      if (!A->getType()->isPointerTy())
        break;
      uint8_t Attrs = VIndex < VF.ParamAttrs.size() ? VF.ParamAttrs[VIndex] : 0;
      if (Attrs & AttrNoAlias)
        A->addAttr(Attribute::NoAlias);
      if (Attrs & AttrReadOnly)
        A->addAttr(Attribute::ReadOnly);
      if (Attrs & AttrWriteOnly)
        A->addAttr(Attribute::WriteOnly);
      break;
    }
    }
  }
  B.SetInsertPoint(block("entry"));
}

BasicBlock *DeviceFunctionBuilder::block(const Twine &Name) {
  return BasicBlock::Create(Ctx, Name, Fn);
}

llvm::Type *DeviceFunctionBuilder::slotType(SlotId Slot) const {
  return lowerType(P.Slots[Slot].Ty, Ctx, T);
}

/// A constant slot's value as an LLVM constant of its type (the layout of
/// ValueInfo::Bits: low bits, floats as their IEEE pattern).
static llvm::Constant *slotConstant(llvm::Type *Ty, uint64_t Bits) {
  unsigned W = Ty->getPrimitiveSizeInBits();
  APInt V(W, W < 64 ? Bits & ((uint64_t(1) << W) - 1) : Bits);
  if (Ty->isIntegerTy())
    return ConstantInt::get(Ty, V);
  return ConstantFP::get(Ty->getContext(), APFloat(Ty->getFltSemantics(), V));
}

llvm::Value *DeviceFunctionBuilder::byValue(size_t ParamIndex) {
  // The executor still passes constant slots (the ABI does not depend on
  // what codegen folds), but the kernel uses the literal: a step of 1 or a
  // lower bound of 0 then costs nothing, and known alignment and trip
  // arithmetic follow from it.
  SlotId Slot = DF.Params[ParamIndex].Slot;
  const PlanSlot &PS = P.Slots[Slot];
  if (PS.IsConst && !PS.Ty.isPtr())
    return slotConstant(slotType(Slot), PS.Bits);
  return Fn->getArg(ParamIndex);
}

llvm::Value *DeviceFunctionBuilder::param(ParamKind K) {
  for (size_t I = 0; I < DF.Params.size(); ++I)
    if (DF.Params[I].Kind == K)
      return Fn->getArg(I);
  llvm_unreachable("device function has no such parameter");
}

/// The address of Slot's word in the slot array.
static llvm::Value *slotAddress(IRBuilder<> &B, llvm::Value *Slots,
                                SlotId Slot) {
  return B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Slots, uint64_t(Slot) * 8,
                                      "slot" + Twine(Slot));
}

llvm::Value *DeviceFunctionBuilder::slot(SlotId Slot) {
  for (size_t I = 0; I < DF.Params.size(); ++I)
    if (DF.Params[I].Kind == ParamKind::Value && DF.Params[I].Slot == Slot)
      return byValue(I);
  // The executor never writes host-known slots to the array.
  assert(!ABI.HostKnown[Slot] && "a host-known slot travels by value");
  llvm::Type *Ty = slotType(Slot);
  llvm::Value *Addr = slotAddress(B, param(ParamKind::SlotArray), Slot);
  if (Ty->isIntegerTy(1)) // an i1 is one byte, 0 or 1
    return B.CreateTrunc(B.CreateAlignedLoad(B.getInt8Ty(), Addr, Align(8)),
                         Ty);
  return B.CreateAlignedLoad(Ty, Addr, Align(8));
}

void DeviceFunctionBuilder::storeSlot(SlotId Slot, llvm::Value *V) {
  llvm::Value *Addr = slotAddress(B, param(ParamKind::SlotArray), Slot);
  if (V->getType()->isIntegerTy(1))
    V = B.CreateZExt(V, B.getInt8Ty());
  B.CreateAlignedStore(V, Addr, Align(8));
}

std::array<llvm::Value *, 3> DeviceFunctionBuilder::gridBounds(unsigned D) {
  std::array<llvm::Value *, 3> Out{};
  unsigned Seen = 0;
  for (size_t I = 0; I < DF.Params.size(); ++I)
    if (DF.Params[I].Kind == ParamKind::GridLB && Seen++ == D)
      for (unsigned K = 0; K < 3; ++K) // the trip count is never a slot
        Out[K] = K == 1 ? Fn->getArg(I + K) : byValue(I + K);
  assert(Out[0] && "no such grid dimension");
  return Out;
}

SmallVector<llvm::Value *, 8> DeviceFunctionBuilder::stepArgs() {
  SmallVector<llvm::Value *, 8> Out;
  size_t NextParam = 0;
  for (SlotId Arg : S.Args) {
    if (!ABI.HostKnown[Arg]) {
      Out.push_back(slot(Arg));
      continue;
    }
    while (DF.Params[NextParam].Kind != ParamKind::Value)
      ++NextParam;
    Out.push_back(byValue(NextParam++));
  }
  return Out;
}

llvm::Value *DeviceFunctionBuilder::hostKnownArg(size_t A) {
  assert(A < S.Args.size() && ABI.HostKnown[S.Args[A]] &&
         "not a host-known argument");
  size_t NextParam = 0;
  for (size_t I = 0; I <= A; ++I) {
    if (!ABI.HostKnown[S.Args[I]])
      continue;
    while (DF.Params[NextParam].Kind != ParamKind::Value)
      ++NextParam;
    if (I == A)
      return Fn->getArg(NextParam);
    ++NextParam;
  }
  llvm_unreachable("argument without a parameter");
}

std::optional<BoundsChecks> DeviceFunctionBuilder::boundsChecks() {
  if (!ABI.Checked || DF.Shape == LaunchShape::Final)
    return std::nullopt;
  BoundsChecks C;
  C.ErrorRecord = param(ParamKind::ErrorRecord);
  C.Func = S.Func;
  // The outlined function's parameters are the grid indices, then Args.
  C.Counts.assign(VF.Params.size(), nullptr);
  size_t NDims = S.Grid.size();
  for (size_t I = 0; I < DF.Params.size(); ++I)
    if (DF.Params[I].Kind == ParamKind::Count)
      for (size_t A = 0; A < S.Args.size(); ++A)
        if (S.Args[A] == DF.Params[I].Slot && NDims + A < C.Counts.size())
          C.Counts[NDims + A] = Fn->getArg(I);
  return C;
}

llvm::Value *gridTripCount(DeviceFunctionBuilder &D, unsigned Dim) {
  return D.gridBounds(Dim)[1];
}

SmallVector<llvm::Value *, 3> gridIndices(DeviceFunctionBuilder &D,
                                          ArrayRef<llvm::Value *> Pos) {
  IRBuilder<> &B = D.builder();
  SmallVector<llvm::Value *, 3> Out;
  for (unsigned Dim = 0; Dim < Pos.size(); ++Dim) {
    auto [LB, Trips, Step] = D.gridBounds(Dim);
    // Pos < trip count, so it fits the index type and LB + Pos * Step lies
    // in [LB, UB): the wrapping arithmetic is exact.
    llvm::Value *T = B.CreateTrunc(Pos[Dim], LB->getType());
    Out.push_back(B.CreateAdd(LB, B.CreateMul(T, Step),
                              D.vir().name(D.vir().Params[Dim])));
  }
  return Out;
}

} // namespace ircgpu
