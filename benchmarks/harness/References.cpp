//===- References.cpp - launching the hand-written CUDA references --------===//
//
// Launch shapes are those noted in benchmarks/refs/refs.cu: one thread per
// float4 for elementwise kernels; grid-stride reductions with 8 blocks of
// 256 threads per multiprocessor (a full H100/H200 SM) and one atomic per
// block; 32 x 8 blocks for the stencil, 16 x 16 for sgemm.
//
//===----------------------------------------------------------------------===//
#include "References.h"

#include "ircgpu/KernelABI.h"

#include "llvm/ADT/Twine.h"

#include <bit>
#include <cmath>

using namespace llvm;
using namespace ircgpu;

namespace ircbench {

Error Launch::enqueue(Device &Dev, const Stream &S) const {
  SmallVector<void *, 8> Ptrs;
  for (const uint64_t &W : Words)
    Ptrs.push_back(const_cast<uint64_t *>(&W));
  return Dev.launch(K, Grid, Block, Ptrs.data(), SharedBytes, S);
}

Error Reference::enqueue(Device &Dev, const Stream &S) const {
  for (const DeviceBuffer &B : Scratch)
    if (Error E = Dev.memsetAsync(B, 0, B.size(), S))
      return E;
  for (const Launch &L : Launches)
    if (Error E = L.enqueue(Dev, S))
      return E;
  return Error::success();
}

namespace {

unsigned blocksFor(uint64_t Threads, unsigned Block) {
  return unsigned((Threads + Block - 1) / Block);
}

} // namespace

Expected<std::vector<Reference>>
makeReferences(Device &Dev, ModuleHandle Refs, const Workload &W,
               const Instance &In, const std::vector<DeviceBuffer> &Bufs) {
  StringRef Name = W.Name;
  uint64_t N = In.Dims[0];
  unsigned Persistent =
      unsigned(std::max(1, Dev.info().MultiProcessorCount) * 8);
  auto Kernel = [&](StringRef K) { return Dev.getKernel(Refs, K); };
  auto Ptr = [&](unsigned I) { return uint64_t(Bufs[I].ptr()); };
  std::vector<Reference> Out;
  Reference R;
  R.Name = "cuda";
  auto AddScratch = [&](uint64_t Bytes) -> Expected<uint64_t> {
    auto B = Dev.alloc(Bytes);
    if (!B)
      return B.takeError();
    uint64_t P = B->ptr();
    R.Scratch.push_back(std::move(*B));
    return P;
  };
  // Reads scratch memory back (by address: the Reference moves).
  auto Read = [D = &Dev](uint64_t Src, void *Dst, uint64_t Bytes) -> Error {
    if (Error E = D->copyToHostAsync(Dst, Src, Bytes, Stream()))
      return E;
    return D->synchronize(Stream());
  };

  if (Name == "saxpy" || Name == "expsin") {
    auto K = Kernel(Name == "saxpy" ? "ref_saxpy" : "ref_expsin");
    if (!K)
      return K.takeError();
    Launch L{*K, {blocksFor((N + 3) / 4, 256), 1, 1}, {256, 1, 1}, 0, {}};
    if (Name == "saxpy")
      L.Words = {N, In.Params[1].Bits, Ptr(0), Ptr(1)};
    else
      L.Words = {N, Ptr(0), Ptr(1)};
    R.Launches.push_back(L);
    R.Returns = [] { return std::vector<uint64_t>{}; };
  } else if (Name == "sum" || Name == "dot") {
    auto K = Kernel(Name == "sum" ? "ref_sum" : "ref_dot");
    if (!K)
      return K.takeError();
    auto S = AddScratch(8);
    if (!S)
      return S.takeError();
    Launch L{*K, {Persistent, 1, 1}, {256, 1, 1}, 0, {}};
    L.Words = Name == "sum" ? std::vector<uint64_t>{N, Ptr(0), *S}
                            : std::vector<uint64_t>{N, Ptr(0), Ptr(1), *S};
    R.Launches.push_back(L);
    bool F32 = Name == "sum";
    R.Returns = [S = *S, F32, Read]() -> Expected<std::vector<uint64_t>> {
      uint64_t V = 0;
      if (Error E = Read(S, &V, F32 ? 4 : 8))
        return E;
      return std::vector<uint64_t>{V};
    };
  } else if (Name == "stencil") {
    auto K = Kernel("ref_stencil");
    if (!K)
      return K.takeError();
    uint64_t H = In.Dims[0], Wd = In.Dims[1];
    R.Launches.push_back(Launch{*K,
                                {blocksFor(Wd, 32), blocksFor(H, 8), 1},
                                {32, 8, 1},
                                0,
                                {H, Wd, Ptr(0), Ptr(1)}});
    R.Returns = [] { return std::vector<uint64_t>{}; };
  } else if (Name == "matmul") {
    auto K = Kernel("ref_sgemm");
    if (!K)
      return K.takeError();
    R.Launches.push_back(Launch{*K,
                                {blocksFor(N, 16), blocksFor(N, 16), 1},
                                {16, 16, 1},
                                0,
                                {N, Ptr(0), Ptr(1), Ptr(2)}});
    R.Returns = [] { return std::vector<uint64_t>{}; };
  } else if (Name == "histogram") {
    auto K = Kernel("ref_histogram");
    auto KG = Kernel("ref_histogram_global");
    if (!K)
      return K.takeError();
    if (!KG)
      return KG.takeError();
    uint64_t Bins = In.Params[1].Bits;
    R.Launches.push_back(Launch{*K,
                                {Persistent, 1, 1},
                                {256, 1, 1},
                                unsigned(Bins * 4),
                                {N, Bins, Ptr(0), Ptr(1)}});
    R.Returns = [] { return std::vector<uint64_t>{}; };
    Reference G;
    G.Name = "cuda-global-atomics";
    G.Launches.push_back(Launch{*KG,
                                {blocksFor(N, 256), 1, 1},
                                {256, 1, 1},
                                0,
                                {N, Bins, Ptr(0), Ptr(1)}});
    G.Returns = [] { return std::vector<uint64_t>{}; };
    Out.push_back(std::move(R));
    Out.push_back(std::move(G));
    return Out;
  } else if (Name == "normalize") {
    auto K1 = Kernel("ref_sumsq");
    auto K2 = Kernel("ref_scale");
    if (!K1)
      return K1.takeError();
    if (!K2)
      return K2.takeError();
    auto S = AddScratch(8);
    if (!S)
      return S.takeError();
    R.Launches.push_back(
        Launch{*K1, {Persistent, 1, 1}, {256, 1, 1}, 0, {N, Ptr(0), *S}});
    R.Launches.push_back(Launch{*K2,
                                {blocksFor((N + 3) / 4, 256), 1, 1},
                                {256, 1, 1},
                                0,
                                {N, Ptr(0), *S, Ptr(1)}});
    R.Returns = [S = *S, Read]() -> Expected<std::vector<uint64_t>> {
      float SS = 0;
      if (Error E = Read(S, &SS, 4))
        return E;
      return std::vector<uint64_t>{std::bit_cast<uint32_t>(std::sqrt(SS))};
    };
  } else if (Name == "minmax") {
    auto KI = Kernel("ref_minmax_init");
    auto K = Kernel("ref_minmax");
    if (!KI)
      return KI.takeError();
    if (!K)
      return K.takeError();
    auto S = AddScratch(16); // {min, max} i32, then the i64 sum
    if (!S)
      return S.takeError();
    R.Launches.push_back(Launch{*KI, {1, 1, 1}, {1, 1, 1}, 0, {*S, *S + 8}});
    R.Launches.push_back(Launch{
        *K, {Persistent, 1, 1}, {256, 1, 1}, 0, {N, Ptr(0), *S, *S + 8}});
    R.Returns = [S = *S, Read]() -> Expected<std::vector<uint64_t>> {
      int32_t MM[2];
      int64_t Sum;
      if (Error E = Read(S, MM, 8))
        return E;
      if (Error E = Read(S + 8, &Sum, 8))
        return E;
      return std::vector<uint64_t>{uint32_t(MM[0]), uint32_t(MM[1]),
                                   uint64_t(Sum)};
    };
  } else {
    return createStringError(inconvertibleErrorCode(),
                             "no reference for workload " + Name);
  }
  Out.push_back(std::move(R));
  return Out;
}

Expected<Launch> rawPlanLaunch(const LoadedPlan &LP, ArrayRef<DeviceArg> Args) {
  const Plan &P = LP.plan();
  auto Fail = [&](const Twine &Why) {
    return createStringError(inconvertibleErrorCode(),
                             "plan @" + P.Entry + ": " + Why);
  };
  if (P.Steps.size() != 1 || P.Steps[0].Kind != StepKind::Kernel)
    return Fail("not a single kernel step");
  const PlanStep &St = P.Steps[0];
  const StepCode &Code = *LP.abi().Code[St.Func];
  if (Code.Main.Shape != LaunchShape::Grid || Code.Final || St.Grid.size() > 2)
    return Fail("not a 1-D or 2-D grid kernel");
  auto Value = [&](SlotId Slot) -> std::optional<uint64_t> {
    if (Slot < P.NumParams && Slot < Args.size())
      return Args[Slot].Ptr ? Args[Slot].Ptr : Args[Slot].Bits;
    if (Slot < P.Slots.size() && P.Slots[Slot].IsConst)
      return P.Slots[Slot].Bits;
    return std::nullopt;
  };
  Launch L;
  L.K = LP.kernels(St.Func).Main;
  std::vector<uint64_t> Trips;
  for (const GridDim &G : St.Grid) {
    auto LB = Value(G.LB), UB = Value(G.UB), S = Value(G.Step);
    if (!LB || !UB || !S)
      return Fail("a grid bound is computed on the device");
    // As the executor counts them (the interpreter's trip count).
    Trips.push_back(gridTripCount(P.Slots[G.LB].Ty, *LB, *UB, *S));
  }
  // The executor's own launch shape.
  auto Shape = gridLaunch(Code.Main, Trips, Code.Main.Name);
  if (!Shape)
    return Shape.takeError();
  L.Grid = Shape->Grid;
  L.Block = Shape->Block;
  size_t Dim = 0;
  for (const KernelParam &KP : Code.Main.Params) {
    switch (KP.Kind) {
    case ParamKind::GridTrips:
      L.Words.push_back(Trips[Dim++]);
      break;
    case ParamKind::GridLB:
    case ParamKind::GridStep:
    case ParamKind::Value: {
      auto V = Value(KP.Slot);
      if (!V)
        return Fail("a kernel parameter is computed on the device");
      L.Words.push_back(*V);
      break;
    }
    case ParamKind::Blocks: // a grid-stride kernel's launched blocks
      L.Words.push_back(L.Grid.X);
      break;
    case ParamKind::SlotArray:
      // Every argument above is host-known, so the kernel reads nothing
      // from the slot array: a null pointer stands for it.
      L.Words.push_back(0);
      break;
    default:
      return Fail("the kernel takes scratch memory or checked-mode state");
    }
  }
  return L;
}

} // namespace ircbench
