//===- runtime/Simulator.cpp - run a launch plan on the CPU ---------------===//
//
// The plan simulator of Simulator.h. A kernel step visits every point of its
// grid in an order shuffled by a PRNG seeded with SimOptions::Seed XOR the
// launch number (0 for the first kernel launch of the run, 1 for the next,
// counting every launch of a kernel inside a plan loop), so a kernel whose
// points are not independent gives results that depend on the seed.
// Contributions to reductions are recorded at the point's linear index and
// combined with reduceTree, the order the GPU code generators implement.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Simulator.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/KernelABI.h"

#include "runtime/PlanWalker.h"

#include "ir/InterpSemantics.h"
#include "ir/ScalarEval.h"

#include "llvm/ADT/Twine.h"

#include <map>
#include <random>

using namespace ircgpu;
using namespace ircgpu::interp;

//===-- reduceTree --------------------------------------------------------===//
//
// The reduction order (docs/passes.md, "Reduction order"); the GPU code
// generators implement exactly this tree. With N contributions x_0..x_{N-1}
// in linear grid order (the last grid dimension fastest):
//  - B = 256 threads per block, G = min(ceil(N / B), 1024) blocks, S = G * B.
//  - Thread g (0 <= g < S) folds x_g, x_{g+S}, x_{g+2S}, ... in increasing
//    order, starting from the identity of OP: add/or/xor/umax 0; mul 1;
//    and/umin all ones; smin the signed maximum; smax the signed minimum;
//    fadd -0.0; fmul 1.0; fmin/fmax the default quiet NaN (minNum/maxNum
//    ignore a NaN operand).
//  - Within each block, a tree: for s = B/2, B/4, ..., 1:
//    p[t] = OP(p[t], p[t + s]) for t < s. Block b's result is q_b = p[0].
//  - The block results q_0..q_{G-1} are reduced by one block of B threads
//    the same way: thread t folds q_t, q_{t+B}, ... from the identity, then
//    the same tree gives r.
//  - Result = OP(Init, r). With N == 0, Result = Init.
// OP is exactly the interpreter's: integers wrap, floats are IEEE in the
// operand's precision, fmin/fmax are minNum/maxNum with fmin(-0, +0) = -0.
//
//===----------------------------------------------------------------------===//

namespace {

/// OP(A, B), as the interpreter computes it (ir/ScalarEval.h).
uint64_t combine(Opcode Op, Type Ty, uint64_t A, uint64_t B) {
  std::optional<uint64_t> R = evaluateScalarOp(Op, 0, Ty, Ty, {A, B});
  assert(R && "not a reduction opcode");
  return R ? *R : A;
}

/// One block of ReductionBlock threads: thread t folds Xs[First + t],
/// Xs[First + t + Stride], ... from the identity, then the halving tree.
uint64_t blockReduce(Opcode Op, Type Ty, llvm::ArrayRef<uint64_t> Xs,
                     uint64_t First, uint64_t Stride) {
  uint64_t P[ReductionBlock];
  uint64_t Id = reductionIdentity(Op, Ty);
  for (uint64_t T = 0; T < ReductionBlock; ++T) {
    uint64_t Acc = Id;
    for (uint64_t I = First + T; I < Xs.size(); I += Stride)
      Acc = combine(Op, Ty, Acc, Xs[I]);
    P[T] = Acc;
  }
  for (uint64_t Half = ReductionBlock / 2; Half >= 1; Half /= 2)
    for (uint64_t T = 0; T < Half; ++T)
      P[T] = combine(Op, Ty, P[T], P[T + Half]);
  return P[0];
}

} // namespace

uint64_t ircgpu::reduceTree(Opcode Combine, Type Ty, uint64_t Init,
                            llvm::ArrayRef<uint64_t> Xs) {
  uint64_t N = Xs.size();
  if (N == 0)
    return Init;
  uint64_t G = std::min((N + ReductionBlock - 1) / ReductionBlock,
                        uint64_t(ReductionMaxBlocks));
  uint64_t Stride = G * ReductionBlock;
  std::vector<uint64_t> Q(G);
  for (uint64_t Blk = 0; Blk < G; ++Blk)
    Q[Blk] = blockReduce(Combine, Ty, Xs, Blk * ReductionBlock, Stride);
  uint64_t R = blockReduce(Combine, Ty, Q, 0, ReductionBlock);
  return combine(Combine, Ty, Init, R);
}

//===-- simulatePlan ------------------------------------------------------===//

namespace {

/// Grids with more points than this are refused rather than exhausting memory.
constexpr uint64_t MaxGridPoints = uint64_t(1) << 28;

class Simulation : public PlanWalker<Simulation> {
public:
  Simulation(const Plan &P, const SimOptions &Opts)
      : PlanWalker(P), Opts(Opts) {}

  llvm::Error init(llvm::ArrayRef<InterpArg> Args);
  std::vector<uint64_t> returns() const;

  // The PlanWalker hooks.
  llvm::Error runKernel(const PlanStep &St);
  llvm::Error runScalar(const PlanStep &St);
  std::pair<uint64_t, uint64_t> extent(SlotId S) const;
  llvm::Expected<uint64_t> slotValue(SlotId S) const { return Slots[S].Bits; }
  void setIndex(SlotId S, uint64_t Bits) { Slots[S] = InterpArg::scalar(Bits); }
  llvm::Error copySlots(llvm::ArrayRef<SlotId> From, llvm::ArrayRef<SlotId> To);

private:
  llvm::Expected<Interpreter *> interpreter(uint32_t Func);
  llvm::Error fail(const llvm::Twine &Msg) const {
    return llvm::make_error<RuntimeError>(
        (Msg + " (simulated with seed " + llvm::Twine(Opts.Seed) + ")").str());
  }

  const SimOptions &Opts;
  /// One per slot: scalar bits, or (for buffer slots) the host buffer.
  std::vector<InterpArg> Slots;
  std::map<uint32_t, std::unique_ptr<Interpreter>> Interps;
  uint64_t Launches = 0;
};

llvm::Error Simulation::init(llvm::ArrayRef<InterpArg> Args) {
  if (Args.size() != P.NumParams)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "plan of @" + P.Entry + " takes " + std::to_string(P.NumParams) +
            " arguments, got " + std::to_string(Args.size()));
  Slots.assign(P.Slots.size(), InterpArg());
  for (size_t I = 0; I < P.Slots.size(); ++I)
    if (P.Slots[I].IsConst)
      Slots[I] = InterpArg::scalar(P.Slots[I].Bits);
  for (unsigned I = 0; I < P.NumParams; ++I) {
    Slots[I] = Args[I];
    Type T = P.Slots[I].Ty;
    if (T.isScalar())
      Slots[I] = InterpArg::scalar(Args[I].Bits & maskOf(shiftOf(T)));
  }
  return llvm::Error::success();
}

std::vector<uint64_t> Simulation::returns() const {
  std::vector<uint64_t> R;
  for (SlotId S : P.Returns)
    R.push_back(Slots[S].Bits);
  return R;
}

llvm::Expected<Interpreter *> Simulation::interpreter(uint32_t Func) {
  auto It = Interps.find(Func);
  if (It != Interps.end())
    return It->second.get();
  assert(Func < P.Code->Functions.size() && "step names no function");
  auto I = Interpreter::create(*P.Code, P.Code->Functions[Func]->Name);
  if (!I)
    return I.takeError();
  Interpreter *Raw = I->get();
  Interps[Func] = std::move(*I);
  return Raw;
}

std::pair<uint64_t, uint64_t> Simulation::extent(SlotId S) const {
  return {reinterpret_cast<uintptr_t>(Slots[S].Data),
          Slots[S].Count * P.Slots[S].Ty.bytes()};
}

/// Runs one function, turning an out-of-bounds fault into a message that names
/// the seed.
llvm::Expected<std::vector<uint64_t>>
runFunction(Interpreter &I, llvm::ArrayRef<InterpArg> Args, uint64_t Seed) {
  auto R = I.run(Args);
  if (R)
    return R;
  llvm::Error Rest =
      llvm::handleErrors(R.takeError(), [&](const RuntimeError &E) {
        return llvm::make_error<RuntimeError>(E.message() +
                                              " (simulated with seed " +
                                              std::to_string(Seed) + ")");
      });
  return Rest;
}

llvm::Error Simulation::runScalar(const PlanStep &St) {
  auto I = interpreter(St.Func);
  if (!I)
    return I.takeError();
  std::vector<InterpArg> Args;
  for (SlotId S : St.Args)
    Args.push_back(Slots[S]);
  auto R = runFunction(**I, Args, Opts.Seed);
  if (!R)
    return R.takeError();
  assert(R->size() == St.Results.size() && "result count mismatch");
  for (size_t K = 0; K < St.Results.size() && K < R->size(); ++K)
    Slots[St.Results[K]] = InterpArg::scalar((*R)[K]);
  return llvm::Error::success();
}

llvm::Error Simulation::runKernel(const PlanStep &St) {
  auto I = interpreter(St.Func);
  if (!I)
    return I.takeError();
  size_t D = St.Grid.size();
  std::vector<uint64_t> Trips(D);
  uint64_t Points = 1;
  for (size_t K = 0; K < D; ++K) {
    const GridDim &G = St.Grid[K];
    Trips[K] = forTripCount(P.Slots[G.LB].Ty, Slots[G.LB].Bits,
                            Slots[G.UB].Bits, Slots[G.Step].Bits);
    if (Trips[K] && Points > MaxGridPoints / Trips[K])
      return fail("kernel grid of @" + P.Code->Functions[St.Func]->Name +
                  " has too many points to simulate");
    Points *= Trips[K];
  }
  uint64_t LaunchNo = Launches++;

  // The visiting order: linear indices, Fisher-Yates shuffled.
  std::vector<uint64_t> Order(Points);
  for (uint64_t K = 0; K < Points; ++K)
    Order[K] = K;
  std::mt19937_64 Rng(Opts.Seed ^ LaunchNo);
  for (uint64_t K = Points; K > 1; --K)
    std::swap(Order[K - 1], Order[Rng() % K]);

  size_t NumRed = St.Reductions.size();
  std::vector<std::vector<uint64_t>> Contribs(NumRed,
                                              std::vector<uint64_t>(Points));
  std::vector<InterpArg> Args(D);
  for (SlotId S : St.Args)
    Args.push_back(Slots[S]);
  for (uint64_t Lin : Order) {
    uint64_t Rest = Lin;
    for (size_t K = D; K-- > 0;) {
      const GridDim &G = St.Grid[K];
      uint64_t T = Rest % Trips[K];
      Rest /= Trips[K];
      unsigned S = shiftOf(P.Slots[G.LB].Ty);
      Args[K] = InterpArg::scalar((Slots[G.LB].Bits + T * Slots[G.Step].Bits) &
                                  maskOf(S));
    }
    auto R = runFunction(**I, Args, Opts.Seed);
    if (!R)
      return R.takeError();
    assert(R->size() == NumRed && "one contribution per reduction");
    for (size_t K = 0; K < NumRed && K < R->size(); ++K)
      Contribs[K][Lin] = (*R)[K];
  }
  for (size_t K = 0; K < NumRed; ++K) {
    const ReductionSpec &Red = St.Reductions[K];
    Slots[Red.Result] = InterpArg::scalar(
        reduceTree(Red.Combine, Red.Ty, Slots[Red.Init].Bits, Contribs[K]));
  }
  return llvm::Error::success();
}

llvm::Error Simulation::copySlots(llvm::ArrayRef<SlotId> From,
                                  llvm::ArrayRef<SlotId> To) {
  // All sources are read before any target is written (Nexts may name
  // Carried slots in another order).
  std::vector<InterpArg> Vals;
  for (SlotId S : From)
    Vals.push_back(Slots[S]);
  for (size_t K = 0; K < To.size() && K < Vals.size(); ++K)
    Slots[To[K]] = Vals[K];
  return llvm::Error::success();
}

} // namespace

llvm::Expected<std::vector<uint64_t>>
ircgpu::simulatePlan(const Plan &P, llvm::ArrayRef<InterpArg> Args,
                     const SimOptions &Opts) {
  Simulation Sim(P, Opts);
  if (llvm::Error E = Sim.init(Args))
    return E;
  if (llvm::Error E = Sim.runSteps(P.Steps))
    return E;
  return Sim.returns();
}
