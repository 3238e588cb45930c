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

namespace {

/// The outlined body at per-dimension positions Pos.
Error emitBody(DeviceFunctionBuilder &D, ArrayRef<llvm::Value *> Pos,
               ArrayRef<llvm::Value *> Args) {
  SmallVector<llvm::Value *, 8> Params = gridIndices(D, Pos);
  Params.append(Args.begin(), Args.end());
  std::optional<BoundsChecks> Checks = D.boundsChecks();
  auto Rets = lowerFunctionBody(D.vir(), Params, D.builder(), D.target(),
                                Checks ? &*Checks : nullptr);
  return Rets ? Error::success() : Rets.takeError();
}

/// A 1-D grid kernel with C points per thread: block b's threads cover
/// points [b * B * C, (b + 1) * B * C), thread t the points t + k * B. When
/// all C are in range (every block but the last) the C bodies are straight
/// line code, so their loads can be in flight together; the last block
/// checks each point.
Error emitCoarseGridKernel(DeviceFunctionBuilder &D, unsigned C) {
  IRBuilder<> &B = D.builder();
  const Target &T = D.target();
  llvm::Value *Tid = B.CreateZExt(T.emitThreadId(B, 0), B.getInt64Ty());
  llvm::Value *Bid = B.CreateZExt(T.emitBlockId(B, 0), B.getInt64Ty());
  llvm::Value *BDim = B.CreateZExt(T.emitBlockDim(B, 0), B.getInt64Ty());
  llvm::Value *Base = B.CreateAdd(
      B.CreateMul(Bid, B.CreateMul(BDim, B.getInt64(C)), "", /*NUW=*/true), Tid,
      "t0", /*NUW=*/true);
  llvm::Value *Trips = gridTripCount(D, 0);
  SmallVector<llvm::Value *, 8> Args = D.stepArgs();
  auto Point = [&](unsigned K) {
    return K ? B.CreateAdd(Base, B.CreateMul(BDim, B.getInt64(K)), "",
                           /*NUW=*/true)
             : Base;
  };
  llvm::Value *Last = Point(C - 1);
  BasicBlock *Full = D.block("full"), *Part = D.block("part"),
             *Exit = D.block("exit");
  B.CreateCondBr(B.CreateICmpULT(Last, Trips, "allin"), Full, Part);
  B.SetInsertPoint(Full);
  for (unsigned K = 0; K < C; ++K)
    if (Error E = emitBody(D, {Point(K)}, Args))
      return E;
  B.CreateBr(Exit);
  B.SetInsertPoint(Part);
  for (unsigned K = 0; K < C; ++K) {
    llvm::Value *P = Point(K);
    BasicBlock *Body = D.block("part" + Twine(K)),
               *Next = D.block("part" + Twine(K) + ".next");
    B.CreateCondBr(B.CreateICmpULT(P, Trips), Body, Next);
    B.SetInsertPoint(Body);
    if (Error E = emitBody(D, {P}, Args))
      return E;
    B.CreateBr(Next);
    B.SetInsertPoint(Next);
  }
  B.CreateBr(Exit);
  B.SetInsertPoint(Exit);
  B.CreateRetVoid();
  return Error::success();
}

} // namespace

Error emitGridKernel(DeviceFunctionBuilder &D, unsigned PointsPerThread) {
  if (PointsPerThread > 1)
    return emitCoarseGridKernel(D, PointsPerThread);
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
  if (Error E = emitBody(D, Pos, D.stepArgs()))
    return E;
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
