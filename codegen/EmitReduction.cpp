//===- codegen/EmitReduction.cpp - deterministic reductions on the GPU
//-----===//
//
// The reduction tree of docs/passes.md ("Reduction order"), the one the plan
// simulator's reduceTree computes, in two kernels:
//  - the Tree kernel runs on G = min(ceil(N / 256), 1024) blocks of 256
//    threads. Thread g folds the contributions of points g, g + S, g + 2S,
//    ... (S = 256 G) in increasing order from the identity; each block then
//    halves its 256 partial values (s = 128, 64, ..., 1: p[t] = OP(p[t],
//    p[t + s]) for t < s; in shared memory down to s = 32, then by warp
//    shuffles) and thread 0 writes the block's result to the partials
//    scratch;
//  - the Final kernel (one block of 256 threads) folds the G block results
//    the same way (thread t takes q_t, q_{t+256}, ...), halves them, and
//    writes OP(Init, r) to the result slot. With N == 0 only the Final
//    kernel runs (G = 0), and OP(Init, identity) == Init.
// Every step is fixed by N alone, so the bits are the same on every run.
//
//===----------------------------------------------------------------------===//
#include "codegen/DeviceFunction.h"

#include "ir/ScalarEval.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"

using namespace llvm;

namespace ircgpu {

namespace {

llvm::Value *identity(DeviceFunctionBuilder &D, const ReductionSpec &R) {
  llvm::Type *Ty = lowerType(R.Ty, D.context(), D.target());
  uint64_t Bits = reductionIdentity(R.Combine, R.Ty);
  if (Ty->isFloatingPointTy())
    return ConstantFP::get(
        D.context(), APFloat(Ty->getFltSemantics(), APInt(R.Ty.bits(), Bits)));
  return ConstantInt::get(Ty, Bits);
}

/// Points a Tree kernel's thread folds per trip of its main loop: enough
/// independent loads in flight to cover memory latency (one per trip left
/// a sum at half the bandwidth on the H200, benchmarks/results/).
constexpr unsigned FoldUnroll = 4;

/// The address of partial result Block (an i64) of reduction R.
llvm::Value *partialAddress(DeviceFunctionBuilder &D, unsigned R,
                            llvm::Value *Block) {
  IRBuilder<> &B = D.builder();
  llvm::Value *Index =
      B.CreateAdd(B.getInt64(uint64_t(R) * ReductionMaxBlocks), Block);
  return B.CreateInBoundsGEP(B.getInt64Ty(), D.param(ParamKind::Partials),
                             Index);
}

/// V shuffled down by Delta lanes: any scalar type, in 32-bit pieces.
llvm::Value *shuffleDown(DeviceFunctionBuilder &D, llvm::Value *V,
                         unsigned Delta) {
  IRBuilder<> &B = D.builder();
  llvm::Type *Ty = V->getType();
  unsigned Bits = Ty->getPrimitiveSizeInBits();
  llvm::Value *I = B.CreateBitCast(V, B.getIntNTy(Bits));
  if (Bits < 32)
    I = B.CreateZExt(I, B.getInt32Ty());
  llvm::Value *Out = nullptr;
  for (unsigned Lo = 0; Lo < std::max(Bits, 32u); Lo += 32) {
    llvm::Value *Piece =
        Bits <= 32 ? I : B.CreateTrunc(B.CreateLShr(I, Lo), B.getInt32Ty());
    llvm::Value *Got = D.target().emitShuffleDown(B, Piece, Delta);
    if (Bits <= 32) {
      Out = Got;
      continue;
    }
    Got = B.CreateShl(B.CreateZExt(Got, B.getIntNTy(Bits)), Lo);
    Out = Out ? B.CreateOr(Out, Got) : Got;
  }
  if (Bits < 32)
    Out = B.CreateTrunc(Out, B.getIntNTy(Bits));
  return B.CreateBitCast(Out, Ty);
}

/// Thread Tid of a block of ReductionBlock threads holds Accs; returns the
/// block's results, the halving tree of each, valid in thread 0. Levels of
/// a warp's width and more go through shared memory with a barrier each;
/// the last ones (s = 16 ... 1 on NVIDIA) are warp shuffles in the first
/// warp: lane t combines its value with lane t + s's, the same tree.
SmallVector<llvm::Value *, 2> blockTree(DeviceFunctionBuilder &D,
                                        ArrayRef<llvm::Value *> Accs,
                                        llvm::Value *Tid) {
  IRBuilder<> &B = D.builder();
  const auto &Reds = D.step().Reductions;
  llvm::Module &M = *D.fn().getParent();
  unsigned Warp = D.target().warpSize();
  SmallVector<GlobalVariable *, 2> Shared;
  for (size_t R = 0; R < Reds.size(); ++R) {
    auto *AT = ArrayType::get(Accs[R]->getType(), ReductionBlock);
    Shared.push_back(new GlobalVariable(
        M, AT, false, GlobalValue::InternalLinkage, UndefValue::get(AT),
        D.fn().getName() + ".red" + Twine(R), nullptr,
        GlobalValue::NotThreadLocal, D.target().sharedAddressSpace()));
  }
  auto Elem = [&](size_t R, llvm::Value *I) {
    return B.CreateInBoundsGEP(Shared[R]->getValueType(), Shared[R],
                               {B.getInt64(0), I});
  };
  for (size_t R = 0; R < Reds.size(); ++R)
    B.CreateStore(Accs[R], Elem(R, Tid));
  D.target().emitBarrier(B);
  for (unsigned Half = ReductionBlock / 2; Half >= Warp; Half /= 2) {
    BasicBlock *Then = D.block("tree" + Twine(Half));
    BasicBlock *Join = D.block("tree" + Twine(Half) + ".join");
    B.CreateCondBr(B.CreateICmpULT(Tid, B.getInt64(Half)), Then, Join);
    B.SetInsertPoint(Then);
    llvm::Value *Other = B.CreateAdd(Tid, B.getInt64(Half));
    for (size_t R = 0; R < Reds.size(); ++R) {
      llvm::Type *Ty = Accs[R]->getType();
      llvm::Value *A = B.CreateLoad(Ty, Elem(R, Tid));
      llvm::Value *C = B.CreateLoad(Ty, Elem(R, Other));
      B.CreateStore(emitCombine(B, Reds[R].Combine, A, C), Elem(R, Tid));
    }
    B.CreateBr(Join);
    B.SetInsertPoint(Join);
    D.target().emitBarrier(B);
  }
  // The first warp finishes with shuffles.
  BasicBlock *Pre = B.GetInsertBlock();
  BasicBlock *InWarp = D.block("tree.warp"), *Done = D.block("tree.done");
  B.CreateCondBr(B.CreateICmpULT(Tid, B.getInt64(Warp)), InWarp, Done);
  B.SetInsertPoint(InWarp);
  SmallVector<llvm::Value *, 2> Vals;
  for (size_t R = 0; R < Reds.size(); ++R)
    Vals.push_back(B.CreateLoad(Accs[R]->getType(), Elem(R, Tid)));
  for (unsigned Half = Warp / 2; Half >= 1; Half /= 2)
    for (size_t R = 0; R < Reds.size(); ++R)
      Vals[R] = emitCombine(B, Reds[R].Combine, Vals[R],
                            shuffleDown(D, Vals[R], Half));
  BasicBlock *WarpEnd = B.GetInsertBlock();
  B.CreateBr(Done);
  B.SetInsertPoint(Done);
  SmallVector<llvm::Value *, 2> Out;
  for (size_t R = 0; R < Reds.size(); ++R) {
    PHINode *Phi = B.CreatePHI(Vals[R]->getType(), 2, "block.r");
    Phi->addIncoming(Vals[R], WarpEnd);
    Phi->addIncoming(PoisonValue::get(Vals[R]->getType()), Pre);
    Out.push_back(Phi);
  }
  return Out;
}

/// Runs `for (I = First; I < End; I += Stride)`, folding Fold(I) into one
/// accumulator per reduction from the identity; returns the accumulators.
/// With Unroll = U > 1, a first loop takes U points per trip while all U are
/// in range: their Folds come first (independent, so their loads are in
/// flight together), then the U combines in increasing order, then a second
/// loop takes the rest one by one. The fold order, hence every bit, is the
/// same as with U = 1.
template <typename FoldFn>
Expected<SmallVector<llvm::Value *, 2>>
foldLoop(DeviceFunctionBuilder &D, llvm::Value *First, llvm::Value *End,
         llvm::Value *Stride, FoldFn Fold, unsigned Unroll = 1) {
  IRBuilder<> &B = D.builder();
  const auto &Reds = D.step().Reductions;
  SmallVector<llvm::Value *, 2> Accs;
  for (const ReductionSpec &R : Reds)
    Accs.push_back(identity(D, R));
  // One loop from Start while I < Limit, U points a trip; returns where it
  // stopped.
  auto Loop = [&](llvm::Value *Start, llvm::Value *Limit, unsigned U,
                  const Twine &Name) -> Expected<llvm::Value *> {
    BasicBlock *Pre = B.GetInsertBlock();
    BasicBlock *Head = D.block(Name), *Body = D.block(Name + ".body"),
               *Done = D.block(Name + ".done");
    B.CreateBr(Head);
    B.SetInsertPoint(Head);
    PHINode *I = B.CreatePHI(B.getInt64Ty(), 2, "i");
    I->addIncoming(Start, Pre);
    SmallVector<PHINode *, 2> Phis;
    for (llvm::Value *A : Accs) {
      PHINode *Acc = B.CreatePHI(A->getType(), 2, "acc");
      Acc->addIncoming(A, Pre);
      Phis.push_back(Acc);
    }
    B.CreateCondBr(B.CreateICmpULT(I, Limit), Body, Done);
    B.SetInsertPoint(Body);
    std::vector<SmallVector<llvm::Value *, 2>> Xs;
    llvm::Value *P = I;
    for (unsigned K = 0; K < U; ++K) {
      auto X = Fold(P);
      if (!X)
        return X.takeError();
      Xs.push_back(std::move(*X));
      P = B.CreateAdd(P, Stride, "", /*NUW=*/true);
    }
    BasicBlock *Latch = B.GetInsertBlock();
    I->addIncoming(P, Latch);
    for (size_t R = 0; R < Reds.size(); ++R) {
      llvm::Value *A = Phis[R];
      for (unsigned K = 0; K < U; ++K)
        A = emitCombine(B, Reds[R].Combine, A, Xs[K][R]);
      Phis[R]->addIncoming(A, Latch);
    }
    B.CreateBr(Head);
    B.SetInsertPoint(Done);
    for (size_t R = 0; R < Reds.size(); ++R)
      Accs[R] = Phis[R];
    return I;
  };
  llvm::Value *Start = First;
  if (Unroll > 1) {
    // I + (U - 1) * Stride < End  <=>  I < End - (U - 1) * Stride.
    llvm::Value *Span = B.CreateMul(Stride, B.getInt64(Unroll - 1));
    llvm::Value *Limit = B.CreateSelect(B.CreateICmpUGT(End, Span),
                                        B.CreateSub(End, Span), B.getInt64(0));
    auto Stop = Loop(Start, Limit, Unroll, "fold.x" + Twine(Unroll));
    if (!Stop)
      return Stop.takeError();
    Start = *Stop;
  }
  auto Stop = Loop(Start, End, 1, "fold");
  if (!Stop)
    return Stop.takeError();
  return Accs;
}

/// Emits Write() for thread 0 of the block only, then returns from the kernel.
template <typename WriteFn>
void onThreadZero(DeviceFunctionBuilder &D, llvm::Value *Tid, WriteFn Write) {
  IRBuilder<> &B = D.builder();
  BasicBlock *Then = D.block("write"), *Exit = D.block("exit");
  B.CreateCondBr(B.CreateICmpEQ(Tid, B.getInt64(0)), Then, Exit);
  B.SetInsertPoint(Then);
  Write();
  B.CreateBr(Exit);
  B.SetInsertPoint(Exit);
  B.CreateRetVoid();
}

} // namespace

Error emitTreeKernel(DeviceFunctionBuilder &D) {
  IRBuilder<> &B = D.builder();
  const Target &T = D.target();
  const PlanStep &S = D.step();
  unsigned NDims = S.Grid.size();
  llvm::Value *Tid = B.CreateZExt(T.emitThreadId(B, 0), B.getInt64Ty(), "tid");
  llvm::Value *Bid = B.CreateZExt(T.emitBlockId(B, 0), B.getInt64Ty(), "bid");
  llvm::Value *Stride =
      B.CreateMul(D.param(ParamKind::Blocks), B.getInt64(ReductionBlock), "S");
  llvm::Value *G =
      B.CreateAdd(B.CreateMul(Bid, B.getInt64(ReductionBlock)), Tid, "g");
  SmallVector<llvm::Value *, 3> Trips;
  llvm::Value *N = nullptr;
  for (unsigned Dim = 0; Dim < NDims; ++Dim) {
    Trips.push_back(gridTripCount(D, Dim));
    N = N ? B.CreateMul(N, Trips.back()) : Trips.back();
  }
  SmallVector<llvm::Value *, 8> Args = D.stepArgs();
  std::optional<BoundsChecks> Checks = D.boundsChecks();

  auto Accs = foldLoop(
      D, G, N, Stride,
      [&](llvm::Value *Lin) -> Expected<SmallVector<llvm::Value *, 2>> {
        // Linear point -> per-dimension positions, the last dimension
        // fastest (the order reduceTree numbers contributions in).
        SmallVector<llvm::Value *, 3> Pos(NDims);
        llvm::Value *Rest = Lin;
        for (unsigned Dim = NDims; Dim-- > 0;) {
          if (Dim == 0) {
            Pos[Dim] = Rest;
            break;
          }
          Pos[Dim] = B.CreateURem(Rest, Trips[Dim]);
          Rest = B.CreateUDiv(Rest, Trips[Dim]);
        }
        SmallVector<llvm::Value *, 8> Params = gridIndices(D, Pos);
        Params.append(Args);
        auto Rets = lowerFunctionBody(D.vir(), Params, B, T,
                                      Checks ? &*Checks : nullptr);
        if (!Rets)
          return Rets.takeError();
        if (Rets->size() != S.Reductions.size())
          return createStringError(inconvertibleErrorCode(),
                                   "kernel @" + D.vir().Name +
                                       ": one contribution per reduction "
                                       "expected");
        return *Rets;
      },
      FoldUnroll);
  if (!Accs)
    return Accs.takeError();

  SmallVector<llvm::Value *, 2> Block = blockTree(D, *Accs, Tid);
  onThreadZero(D, Tid, [&] {
    for (size_t R = 0; R < Block.size(); ++R)
      B.CreateStore(Block[R], partialAddress(D, R, Bid));
  });
  return Error::success();
}

Error emitFinalKernel(DeviceFunctionBuilder &D) {
  IRBuilder<> &B = D.builder();
  const auto &Reds = D.step().Reductions;
  llvm::Value *Tid =
      B.CreateZExt(D.target().emitThreadId(B, 0), B.getInt64Ty(), "tid");
  auto Accs =
      foldLoop(D, Tid, D.param(ParamKind::Blocks), B.getInt64(ReductionBlock),
               [&](llvm::Value *I) -> Expected<SmallVector<llvm::Value *, 2>> {
                 SmallVector<llvm::Value *, 2> Qs;
                 for (size_t R = 0; R < Reds.size(); ++R)
                   Qs.push_back(B.CreateLoad(
                       lowerType(Reds[R].Ty, D.context(), D.target()),
                       partialAddress(D, R, I)));
                 return Qs;
               });
  if (!Accs)
    return Accs.takeError();
  SmallVector<llvm::Value *, 2> Rs = blockTree(D, *Accs, Tid);
  onThreadZero(D, Tid, [&] {
    for (size_t R = 0; R < Reds.size(); ++R)
      D.storeSlot(Reds[R].Result,
                  emitCombine(B, Reds[R].Combine, D.slot(Reds[R].Init), Rs[R]));
  });
  return Error::success();
}

} // namespace ircgpu
