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
// Privatised atomics (docs/codegen.md): when PrivatizeAtomics.h finds
// histogram buffers, each gets an array in shared memory. Every thread of
// the block zeroes its share of the bins (bins l, l + N, ... for linear
// thread id l of N threads) and waits at a barrier before any point runs;
// the points' atomics go to the array; at the exit, where every thread
// arrives (out-of-range threads skip only their points), a second barrier,
// then every thread adds its share of the non-zero bins into the buffer
// with global atomics.
//
// Scalar steps (LaunchShape::Single): the outlined function runs once, on one
// thread, and writes its results to the slot array.
//
//===----------------------------------------------------------------------===//
#include "codegen/DeviceFunction.h"
#include "codegen/PrivatizeAtomics.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/Intrinsics.h"

using namespace llvm;

namespace ircgpu {

namespace {

/// The privatised histograms of a grid kernel: their shared arrays, and
/// the code that zeroes them before the points and flushes them after.
/// Nothing at all when the analysis finds none, or in checked mode (whose
/// atomics keep their bounds checks on the global buffer).
class Privatization {
public:
  explicit Privatization(DeviceFunctionBuilder &D) : D(D) {
    if (D.checked())
      return;
    unsigned NDims = D.step().Grid.size();
    Bufs = findPrivatizableAtomics(D.vir(), NDims);
    if (Bufs.empty())
      return;
    llvm::Module &M = *D.fn().getParent();
    Map.Arrays.assign(D.vir().Params.size(), nullptr);
    for (const PrivatizedBuffer &PB : Bufs) {
      llvm::Type *ET = lowerType(PB.Elem, D.context(), D.target());
      auto *AT = ArrayType::get(ET, PB.Bins);
      auto *GV = new GlobalVariable(
          M, AT, false, GlobalValue::InternalLinkage, UndefValue::get(AT),
          D.fn().getName() + ".priv." + D.vir().name(D.vir().Params[PB.Param]),
          nullptr, GlobalValue::NotThreadLocal,
          D.target().sharedAddressSpace());
      GV->setAlignment(Align(PB.Elem.bytes()));
      Map.Arrays[PB.Param] = GV;
    }
  }

  /// What the lowering of the body needs; null when nothing is privatised.
  const PrivateBuffers *buffers() const {
    return Bufs.empty() ? nullptr : &Map;
  }

  /// At the kernel's start: each thread zeroes bins l, l + N, ... of every
  /// array, then a barrier.
  void emitPrologue() {
    if (Bufs.empty())
      return;
    IRBuilder<> &B = D.builder();
    const Target &T = D.target();
    // The linear thread id and the block's thread count over the grid's
    // dimensions (x fastest).
    unsigned NDims = D.step().Grid.size();
    for (unsigned HW = NDims; HW-- > 0;) {
      llvm::Value *Tid = T.emitThreadId(B, HW), *BDim = T.emitBlockDim(B, HW);
      Lin = Lin ? B.CreateAdd(B.CreateMul(Lin, BDim), Tid) : Tid;
      Threads = Threads ? B.CreateMul(Threads, BDim) : BDim;
    }
    Lin->setName("priv.tid");
    Threads->setName("priv.threads");
    for (const PrivatizedBuffer &PB : Bufs) {
      GlobalVariable *GV = Map.Arrays[PB.Param];
      strided(PB.Bins, "priv.zero", [&](llvm::Value *I) {
        B.CreateAlignedStore(
            ConstantInt::get(GV->getValueType()->getArrayElementType(), 0),
            bin(GV, I), Align(PB.Elem.bytes()));
      });
    }
    T.emitBarrier(B);
  }

  /// At the exit, which every thread reaches: a barrier, then each thread
  /// adds bins l, l + N, ... of every array into its buffer, skipping zero
  /// bins (a buffer may be shorter than the array: only bins the points
  /// touched are known to lie in it).
  void emitEpilogue() {
    if (Bufs.empty())
      return;
    IRBuilder<> &B = D.builder();
    D.target().emitBarrier(B);
    unsigned NDims = D.step().Grid.size();
    for (const PrivatizedBuffer &PB : Bufs) {
      GlobalVariable *GV = Map.Arrays[PB.Param];
      llvm::Type *ET = GV->getValueType()->getArrayElementType();
      llvm::Value *Buf = D.hostKnownArg(PB.Param - NDims);
      Align Al(PB.Elem.bytes());
      strided(PB.Bins, "priv.flush", [&](llvm::Value *I) {
        llvm::Value *V = B.CreateAlignedLoad(ET, bin(GV, I), Al, "priv.bin");
        BasicBlock *Add = D.block("priv.add"), *Next = D.block("priv.next");
        B.CreateCondBr(B.CreateICmpNE(V, ConstantInt::get(ET, 0), "priv.nz"),
                       Add, Next);
        B.SetInsertPoint(Add);
        llvm::Value *Addr =
            B.CreateInBoundsGEP(ET, Buf, B.CreateZExt(I, B.getInt64Ty()));
        B.CreateAtomicRMW(AtomicRMWInst::Add, Addr, V, Al,
                          AtomicOrdering::Monotonic);
        B.CreateBr(Next);
        B.SetInsertPoint(Next);
      });
    }
  }

private:
  DeviceFunctionBuilder &D;
  std::vector<PrivatizedBuffer> Bufs;
  PrivateBuffers Map;
  llvm::Value *Lin = nullptr, *Threads = nullptr; ///< i32

  llvm::Value *bin(GlobalVariable *GV, llvm::Value *I) {
    IRBuilder<> &B = D.builder();
    return B.CreateInBoundsGEP(
        GV->getValueType(), GV,
        {B.getInt64(0), B.CreateZExt(I, B.getInt64Ty())});
  }

  /// for (I = l; I < Bins; I += N) Body(I), I an i32.
  void strided(uint32_t Bins, const Twine &Name,
               function_ref<void(llvm::Value *)> Body) {
    IRBuilder<> &B = D.builder();
    BasicBlock *Pre = B.GetInsertBlock();
    BasicBlock *Head = D.block(Name + ".head"), *Loop = D.block(Name + ".body"),
               *Done = D.block(Name + ".done");
    B.CreateBr(Head);
    B.SetInsertPoint(Head);
    PHINode *I = B.CreatePHI(B.getInt32Ty(), 2, Name + ".i");
    I->addIncoming(Lin, Pre);
    B.CreateCondBr(B.CreateICmpULT(I, B.getInt32(Bins)), Loop, Done);
    B.SetInsertPoint(Loop);
    Body(I);
    I->addIncoming(B.CreateAdd(I, Threads, "", /*HasNUW=*/true),
                   B.GetInsertBlock());
    B.CreateBr(Head);
    B.SetInsertPoint(Done);
  }
};

/// The outlined body at grid indices Indices (one per dimension).
Error emitBodyAt(DeviceFunctionBuilder &D, ArrayRef<llvm::Value *> Indices,
                 ArrayRef<llvm::Value *> Args,
                 const PrivateBuffers *Private = nullptr) {
  SmallVector<llvm::Value *, 8> Params(Indices.begin(), Indices.end());
  Params.append(Args.begin(), Args.end());
  std::optional<BoundsChecks> Checks = D.boundsChecks();
  auto Rets = lowerFunctionBody(D.vir(), Params, D.builder(), D.target(),
                                Checks ? &*Checks : nullptr, Private);
  return Rets ? Error::success() : Rets.takeError();
}

/// The outlined body at per-dimension positions Pos.
Error emitBody(DeviceFunctionBuilder &D, ArrayRef<llvm::Value *> Pos,
               ArrayRef<llvm::Value *> Args,
               const PrivateBuffers *Private = nullptr) {
  return emitBodyAt(D, gridIndices(D, Pos), Args, Private);
}

/// The outlined body at C points of a 1-D grid, all in range: Indices[k]
/// is point k's grid index. Interleaved op by op (lowerIndependentBodies:
/// the points' loads in flight together, adjacent accesses side by side),
/// one after the other in checked mode.
Error emitPoints(DeviceFunctionBuilder &D, ArrayRef<llvm::Value *> Indices,
                 ArrayRef<llvm::Value *> Args, const PrivateBuffers *Private) {
  if (D.checked()) {
    for (llvm::Value *I : Indices)
      if (Error E = emitBodyAt(D, {I}, Args, Private))
        return E;
    return Error::success();
  }
  SmallVector<SmallVector<llvm::Value *, 8>, 4> Params;
  for (llvm::Value *I : Indices) {
    Params.emplace_back(1, I);
    Params.back().append(Args.begin(), Args.end());
  }
  return lowerIndependentBodies(D.vir(), Params, D.builder(), D.target(),
                                Private);
}

/// Whether a body of 1-D grid index I loads or stores some buffer at I
/// itself (x[i]): then consecutive points touch consecutive elements, and a
/// thread's points can share vector accesses.
bool accessesAtGridIndex(const ircgpu::Function &VF) {
  if (VF.Params.empty())
    return false;
  ircgpu::Value I = VF.Params[0];
  bool Found = false;
  VF.walk([&](const Op &O) {
    if ((O.Code == Opcode::Load || O.Code == Opcode::Store) &&
        O.Operands.size() >= 2 && O.Operands[1] == I)
      Found = true;
  });
  return Found;
}

/// A 1-D grid kernel with C points per thread, two ways.
///
/// Strided: block b's threads cover points [b * B * C, (b + 1) * B * C),
/// thread t the points t + k * B, so that each of its C accesses is
/// coalesced across the warp.
///
/// Consecutive (bodies that access buffers at the grid index, outside
/// checked mode): thread t of the grid covers points [t * C, t * C + C).
/// Where the step is 1, the lower bound a multiple of C and every buffer
/// 16-byte aligned (checked at run time: a VM may pass any pointer), the
/// full path tells LLVM so (llvm.ptrmask on the buffers, the lower bound
/// masked), and its load-store vectorizer turns the C accesses of x[i] into
/// one 128-bit access (C = 4 f32). Otherwise every thread takes the checked
/// path: correct, only slower.
///
/// Either way, when all C points are in range (every thread but the last
/// ones) they run interleaved op by op (emitPoints); else each is checked.
/// Both orders give the same results: the iterations are independent (the
/// dependence analysis proved it).
///
/// Grid-stride kernels (KernelABI.h DeviceFunction::GridStride: privatised
/// histograms) are launched with fewer blocks than their points need (the
/// Blocks parameter says how many); each thread repeats the above for its
/// next group of points, Blocks * B * C further on, so that each block
/// zeroes and flushes its shared bins once for many points.
Error emitCoarseGridKernel(DeviceFunctionBuilder &D, unsigned C,
                           Privatization &Priv) {
  IRBuilder<> &B = D.builder();
  const Target &T = D.target();
  llvm::Value *Tid = B.CreateZExt(T.emitThreadId(B, 0), B.getInt64Ty());
  llvm::Value *Bid = B.CreateZExt(T.emitBlockId(B, 0), B.getInt64Ty());
  llvm::Value *BDim = B.CreateZExt(T.emitBlockDim(B, 0), B.getInt64Ty());
  llvm::Value *Trips = gridTripCount(D, 0);
  SmallVector<llvm::Value *, 8> Args = D.stepArgs();
  bool Consecutive =
      !D.checked() && accessesAtGridIndex(D.vir()) && isPowerOf2_32(C);
  auto [LB, TripsUnused, Step] = D.gridBounds(0);
  (void)TripsUnused;
  llvm::Type *IdxTy = LB->getType();

  // The first point of the thread's first group, and (consecutive) whether
  // the buffers and bounds allow vector accesses at all.
  llvm::Value *Start, *Aligned = nullptr;
  if (Consecutive) {
    Start = B.CreateShl(
        B.CreateAdd(B.CreateMul(Bid, BDim, "", /*NUW=*/true), Tid, "", true),
        Log2_32(C), "t0", /*NUW=*/true);
    Aligned = B.CreateAnd(
        B.CreateICmpEQ(Step, ConstantInt::get(IdxTy, 1)),
        B.CreateICmpEQ(B.CreateAnd(LB, ConstantInt::get(IdxTy, C - 1)),
                       ConstantInt::get(IdxTy, 0)));
    for (llvm::Value *A : Args)
      if (A->getType()->isPointerTy())
        Aligned = B.CreateAnd(
            Aligned,
            B.CreateICmpEQ(B.CreateAnd(B.CreatePtrToInt(A, B.getInt64Ty()),
                                       B.getInt64(15)),
                           B.getInt64(0)),
            "aligned");
  } else {
    Start = B.CreateAdd(
        B.CreateMul(Bid, B.CreateMul(BDim, B.getInt64(C)), "", /*NUW=*/true),
        Tid, "t0", /*NUW=*/true);
  }

  // Grid-stride: loop over the thread's groups.
  BasicBlock *Exit = D.block("exit");
  BasicBlock *Latch = nullptr;
  PHINode *Group = nullptr;
  llvm::Value *First = Start;
  if (D.function().GridStride) {
    llvm::Value *Stride = B.CreateMul(
        B.CreateMul(D.param(ParamKind::Blocks), BDim, "", /*NUW=*/true),
        B.getInt64(C), "stride", /*NUW=*/true);
    BasicBlock *Pre = B.GetInsertBlock(), *Head = D.block("group"),
               *Body = D.block("group.body");
    Latch = D.block("group.next");
    B.CreateBr(Head);
    B.SetInsertPoint(Head);
    Group = B.CreatePHI(B.getInt64Ty(), 2, "first");
    Group->addIncoming(Start, Pre);
    B.CreateCondBr(B.CreateICmpULT(Group, Trips), Body, Exit);
    B.SetInsertPoint(Latch);
    Group->addIncoming(B.CreateAdd(Group, Stride, "", /*NUW=*/true), Latch);
    B.CreateBr(Head);
    B.SetInsertPoint(Body);
    First = Group;
  }

  // Point K of the current group (a position below the trip count).
  auto Point = [&](unsigned K) -> llvm::Value * {
    if (!K)
      return First;
    return B.CreateAdd(
        First, Consecutive ? B.getInt64(K) : B.CreateMul(BDim, B.getInt64(K)),
        "", /*NUW=*/true);
  };
  llvm::Value *AllIn = B.CreateICmpULT(Point(C - 1), Trips, "allin");
  if (Aligned)
    AllIn = B.CreateAnd(AllIn, Aligned);
  BasicBlock *Full = D.block("full"), *Part = D.block("part"),
             *Join = D.block("join");
  B.CreateCondBr(AllIn, Full, Part);

  B.SetInsertPoint(Full);
  SmallVector<llvm::Value *, 4> Indices;
  SmallVector<llvm::Value *, 8> FullArgs(Args.begin(), Args.end());
  if (Consecutive) {
    // What the run-time check established, in a form LLVM's known-bits
    // analysis sees: no-op masks on the lower bound and the buffers.
    llvm::Value *VStart =
        B.CreateAdd(B.CreateAnd(LB, ConstantInt::get(IdxTy, ~uint64_t(C - 1))),
                    B.CreateTrunc(First, IdxTy), "vstart");
    for (llvm::Value *&A : FullArgs)
      if (A->getType()->isPointerTy())
        A = B.CreateIntrinsic(Intrinsic::ptrmask,
                              {A->getType(), B.getInt64Ty()},
                              {A, B.getInt64(~uint64_t(15))});
    for (unsigned K = 0; K < C; ++K)
      Indices.push_back(K ? B.CreateAdd(VStart, ConstantInt::get(IdxTy, K))
                          : VStart);
  } else {
    for (unsigned K = 0; K < C; ++K)
      Indices.push_back(gridIndices(D, {Point(K)})[0]);
  }
  if (Error E = emitPoints(D, Indices, FullArgs, Priv.buffers()))
    return E;
  B.CreateBr(Join);

  B.SetInsertPoint(Part);
  for (unsigned K = 0; K < C; ++K) {
    llvm::Value *P = Point(K);
    BasicBlock *Body = D.block("part" + Twine(K)),
               *Next = D.block("part" + Twine(K) + ".next");
    B.CreateCondBr(B.CreateICmpULT(P, Trips), Body, Next);
    B.SetInsertPoint(Body);
    if (Error E = emitBody(D, {P}, Args, Priv.buffers()))
      return E;
    B.CreateBr(Next);
    B.SetInsertPoint(Next);
  }
  B.CreateBr(Join);

  B.SetInsertPoint(Join);
  B.CreateBr(Latch ? Latch : Exit);
  B.SetInsertPoint(Exit);
  Priv.emitEpilogue();
  B.CreateRetVoid();
  return Error::success();
}

} // namespace

Error emitGridKernel(DeviceFunctionBuilder &D, unsigned PointsPerThread) {
  Privatization Priv(D);
  Priv.emitPrologue();
  if (PointsPerThread > 1)
    return emitCoarseGridKernel(D, PointsPerThread, Priv);
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
  if (Error E = emitBody(D, Pos, D.stepArgs(), Priv.buffers()))
    return E;
  B.CreateBr(Exit);
  B.SetInsertPoint(Exit);
  Priv.emitEpilogue();
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
