//===- codegen/EmitKernels.cpp - grid kernels and scalar steps
//-------------===//
//
// Grid kernels (LaunchShape::Grid): one thread per grid point. The plan's
// last dimension (the innermost loop, fastest in memory) is x, the one
// before y, the first of three z. A thread computes t = ctaid * ntid + tid in
// 64 bits per dimension (blockIdx * blockDim overflows 32 bits well before a
// grid does), returns when any t >= trip count, and otherwise runs the
// outlined body at LB + t * Step.
//
// Scalar steps (LaunchShape::Single): the outlined function runs once, on one
// thread, and writes its results to the slot array.
//
//===----------------------------------------------------------------------===//
#include "codegen/DeviceFunction.h"

using namespace llvm;

namespace ircgpu {

Error emitGridKernel(DeviceFunctionBuilder &D) {
  IRBuilder<> &B = D.builder();
  const Target &T = D.target();
  unsigned NDims = D.step().Grid.size();
  SmallVector<llvm::Value *, 3> Pos;
  llvm::Value *InRange = nullptr;
  for (unsigned Dim = 0; Dim < NDims; ++Dim) {
    unsigned HW = NDims - 1 - Dim; // the last plan dimension is x
    llvm::Value *Tid = B.CreateZExt(T.emitThreadId(B, HW), B.getInt64Ty());
    llvm::Value *Bid = B.CreateZExt(T.emitBlockId(B, HW), B.getInt64Ty());
    llvm::Value *BDim = B.CreateZExt(T.emitBlockDim(B, HW), B.getInt64Ty());
    llvm::Value *P = B.CreateAdd(B.CreateMul(Bid, BDim, "", /*NUW=*/true), Tid,
                                 "t" + Twine(Dim), /*NUW=*/true);
    llvm::Value *In =
        B.CreateICmpULT(P, gridTripCount(D, Dim), "in" + Twine(Dim));
    InRange = InRange ? B.CreateAnd(InRange, In) : In;
    Pos.push_back(P);
  }
  BasicBlock *Body = D.block("body"), *Exit = D.block("exit");
  B.CreateCondBr(InRange, Body, Exit);
  B.SetInsertPoint(Body);
  SmallVector<llvm::Value *, 8> Params = gridIndices(D, Pos);
  Params.append(D.stepArgs());
  std::optional<BoundsChecks> Checks = D.boundsChecks();
  auto Rets =
      lowerFunctionBody(D.vir(), Params, B, T, Checks ? &*Checks : nullptr);
  if (!Rets)
    return Rets.takeError();
  B.CreateBr(Exit);
  B.SetInsertPoint(Exit);
  B.CreateRetVoid();
  return Error::success();
}

Error emitScalarKernel(DeviceFunctionBuilder &D) {
  IRBuilder<> &B = D.builder();
  SmallVector<llvm::Value *, 8> Args = D.stepArgs();
  std::optional<BoundsChecks> Checks = D.boundsChecks();
  auto Rets = lowerFunctionBody(D.vir(), Args, B, D.target(),
                                Checks ? &*Checks : nullptr);
  if (!Rets)
    return Rets.takeError();
  const std::vector<SlotId> &Results = D.step().Results;
  if (Rets->size() != Results.size())
    return createStringError(inconvertibleErrorCode(),
                             "scalar step @" + D.vir().Name + " returns " +
                                 Twine(Rets->size()) + " values for " +
                                 Twine(Results.size()) + " slots");
  for (size_t I = 0; I < Results.size(); ++I)
    D.storeSlot(Results[I], (*Rets)[I]);
  B.CreateRetVoid();
  return Error::success();
}

} // namespace ircgpu
