//===- runtime/PlanExecutor.cpp - run a launch plan on a Device -----------===//
//
// LoadedPlan::run (include/ircgpu/Executor.h). One PlanRun per call: it uses
// one RunMemory of the LoadedPlan's pool (the slot array with a scratch half
// for plan-loop updates, the reductions' partials, checked mode's error
// record; allocated once, reused by later runs) and walks
// the plan's steps as the plan simulator does (runtime/Simulator.cpp), with
// launches instead of interpretation. Everything is queued on the caller's
// stream; the host waits only where it needs a value (Executor.h).
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Executor.h"

#include "ir/InterpSemantics.h"
#include "runtime/PlanWalker.h"

#include "llvm/ADT/Twine.h"

#include <deque>

using namespace llvm;
using namespace ircgpu;
using interp::maskOf;
using interp::shiftOf;

namespace {

Error runtimeError(const Twine &Msg) {
  return make_error<RuntimeError>(Msg.str());
}

/// Block shapes of grid kernels: 256 threads, x (the fastest dimension)
/// a warp wide or more so that accesses along it coalesce.
constexpr Dim3 GridBlocks[] = {{256, 1, 1}, {32, 8, 1}, {32, 4, 2}};
constexpr uint64_t MaxGridX = 0x7fffffff, MaxGridYZ = 65535;
// The code generator promises the backend no larger block (KernelABI.h).
static_assert(
    [] {
      for (Dim3 B : GridBlocks)
        if (B.X * B.Y * B.Z > MaxBlockThreads)
          return false;
      return ReductionBlock <= MaxBlockThreads;
    }(),
    "a launch exceeds KernelABI.h's MaxBlockThreads");

const char *accessName(uint32_t A) {
  static constexpr const char *Names[] = {"load", "store", "atomic", "cmpxchg"};
  return A < 4 ? Names[A] : "access";
}

} // namespace

Expected<GridLaunch> ircgpu::gridLaunch(const DeviceFunction &DF,
                                        ArrayRef<uint64_t> Trips,
                                        StringRef Name) {
  GridLaunch L;
  // The last plan dimension is x, the one before y, the first of three z.
  L.Block = GridBlocks[Trips.size() - 1];
  unsigned *BlockDims[] = {&L.Block.X, &L.Block.Y, &L.Block.Z};
  unsigned *GridDims[] = {&L.Grid.X, &L.Grid.Y, &L.Grid.Z};
  for (size_t D = 0; D < Trips.size(); ++D) {
    size_t HW = Trips.size() - 1 - D;
    uint64_t B = *BlockDims[HW] * (HW == 0 ? DF.PointsPerThread : 1);
    uint64_t N = Trips[D] / B + (Trips[D] % B != 0);
    // A grid-stride kernel loops over the points past its blocks
    // (KernelABI.h): no grid is too large for it.
    if (HW == 0 && DF.GridStride)
      N = std::min<uint64_t>(N, GridStrideMaxBlocks);
    uint64_t Max = HW == 0 ? MaxGridX : MaxGridYZ;
    if (N > Max)
      return runtimeError("kernel " + Name + ": dimension " + Twine(D) +
                          " of its grid has " + Twine(Trips[D]) +
                          " points, more than one launch covers (" +
                          Twine(Max * B) + ")");
    *GridDims[HW] = unsigned(N);
  }
  return L;
}

struct LoadedPlan::RunMemory {
  DeviceBuffer Slots, Partials, ErrorRecord;
};

namespace {

class PlanRun : public PlanWalker<PlanRun> {
public:
  PlanRun(const LoadedPlan &LP, const Stream &S, LoadedPlan::RunMemory &Mem)
      : PlanWalker(LP.plan()), LP(LP), ABI(LP.abi()), Dev(LP.device()), S(S),
        Slots(Mem.Slots), Partials(Mem.Partials), ErrorRecord(Mem.ErrorRecord) {
  }

  Error init(ArrayRef<DeviceArg> Args);
  Expected<std::vector<uint64_t>> finish();

  // The PlanWalker hooks.
  Error runKernel(const PlanStep &St);
  Error runScalar(const PlanStep &St);
  std::pair<uint64_t, uint64_t> extent(SlotId S) const;
  Expected<uint64_t> slotValue(SlotId Slot);
  void setIndex(SlotId Slot, uint64_t Bits) { Host[Slot] = Bits; }
  Error copySlots(ArrayRef<SlotId> From, ArrayRef<SlotId> To);

private:
  const LoadedPlan &LP;
  const PlanABI &ABI;
  Device &Dev;
  const Stream &S;
  /// Values of host-known slots (buffer slots: the device pointer) and the
  /// element counts of buffer slots.
  std::vector<uint64_t> Host, Counts;
  /// Host words that async copies to the device read: Device.h wants them
  /// valid and unchanged until the stream has done the copy, so they are
  /// kept until the next wait for the stream (run() waits before a PlanRun
  /// goes).
  std::deque<uint64_t> Staged;
  /// The run's device memory (LoadedPlan::RunMemory), allocated by the first
  /// run that needs it and reused after.
  DeviceBuffer &Slots, &Partials, &ErrorRecord;

  /// Buf holds at least Bytes: reused, or allocated anew.
  Error ensure(DeviceBuffer &Buf, uint64_t Bytes) {
    if (Buf && Buf.size() >= Bytes)
      return Error::success();
    Buf.reset();
    auto New = Dev.alloc(Bytes);
    if (!New)
      return New.takeError();
    Buf = std::move(*New);
    return Error::success();
  }

  const uint64_t *stage(uint64_t Word) {
    Staged.push_back(Word);
    return &Staged.back();
  }

  Type type(SlotId Slot) const { return P.Slots[Slot].Ty; }
  uint64_t mask(SlotId Slot, uint64_t Bits) const {
    return Bits & maskOf(shiftOf(type(Slot)));
  }
  /// Launches K with DF's parameters; Bounds holds LB, the trip count and
  /// Step of each grid dimension in order.
  Error launch(KernelHandle K, const DeviceFunction &DF, Dim3 Grid, Dim3 Block,
               uint64_t Blocks, ArrayRef<uint64_t> Bounds = {});
};

Error PlanRun::init(ArrayRef<DeviceArg> Args) {
  if (Args.size() != P.NumParams)
    return createStringError(inconvertibleErrorCode(),
                             "plan of @" + P.Entry + " takes " +
                                 Twine(P.NumParams) + " arguments, got " +
                                 Twine(Args.size()));
  size_t N = P.Slots.size();
  Host.assign(N, 0);
  Counts.assign(N, 0);
  for (SlotId I = 0; I < N; ++I)
    if (P.Slots[I].IsConst)
      Host[I] = P.Slots[I].Bits;
  for (unsigned I = 0; I < P.NumParams; ++I) {
    if (type(I).isPtr()) {
      if (!Args[I].Ptr && Args[I].Count)
        return createStringError(inconvertibleErrorCode(),
                                 "parameter %" + P.Slots[I].Name +
                                     ": a null buffer with " +
                                     Twine(Args[I].Count) + " elements");
      Host[I] = Args[I].Ptr;
      Counts[I] = Args[I].Count;
    } else {
      Host[I] = mask(I, Args[I].Bits);
    }
  }
  // The slot array: one word per slot, then as many scratch words for the
  // simultaneous updates of plan-loop variables. Nothing is uploaded: device
  // functions take host-known slots by value and never read them from the
  // array (KernelABI.h), and every other slot is written on the device (or
  // by copySlots) before it is read.
  if (Error E = ensure(Slots, std::max<size_t>(2 * N, 1) * 8))
    return E;
  if (ABI.MaxReductions)
    if (Error E = ensure(Partials, partialsOffset(ABI.MaxReductions, 0)))
      return E;
  if (ABI.Checked) {
    if (Error E = ensure(ErrorRecord, sizeof(DeviceErrorRecord)))
      return E;
    if (Error E = Dev.memsetAsync(ErrorRecord, 0, sizeof(DeviceErrorRecord), S))
      return E;
  }
  return Error::success();
}

Expected<uint64_t> PlanRun::slotValue(SlotId Slot) {
  if (ABI.HostKnown[Slot])
    return Host[Slot];
  uint64_t Bits = 0;
  if (Error E = Dev.copyToHostAsync(&Bits, Slots, 8, uint64_t(Slot) * 8, S))
    return E;
  if (Error E = Dev.synchronize(S))
    return E;
  Staged.clear(); // every copy enqueued so far is done
  return mask(Slot, Bits);
}

std::pair<uint64_t, uint64_t> PlanRun::extent(SlotId S) const {
  return {Host[S], Counts[S] * type(S).bytes()};
}

Error PlanRun::launch(KernelHandle K, const DeviceFunction &DF, Dim3 Grid,
                      Dim3 Block, uint64_t Blocks, ArrayRef<uint64_t> Bounds) {
  // One 64-bit word per parameter: the driver reads as many bytes as the
  // parameter has, and the low bytes of a little-endian word are the value.
  // Bounds: the grid's LB, trip count and Step, dimension by dimension, as the
  // caller already has them (read back once if computed on the device).
  SmallVector<uint64_t, 16> Words(DF.Params.size());
  size_t NextBound = 0;
  SmallVector<void *, 16> Ptrs(DF.Params.size());
  for (size_t I = 0; I < DF.Params.size(); ++I) {
    const KernelParam &KP = DF.Params[I];
    switch (KP.Kind) {
    case ParamKind::SlotArray:
      Words[I] = Slots.ptr();
      break;
    case ParamKind::ErrorRecord:
      Words[I] = ErrorRecord.ptr();
      break;
    case ParamKind::Partials:
      Words[I] = Partials.ptr();
      break;
    case ParamKind::Blocks:
      Words[I] = Blocks;
      break;
    case ParamKind::Count:
      Words[I] = Counts[KP.Slot];
      break;
    case ParamKind::GridLB:
    case ParamKind::GridTrips:
    case ParamKind::GridStep:
      // runKernel read them (a device-computed bound once, not twice).
      Words[I] = Bounds[NextBound++];
      break;
    case ParamKind::Value: {
      auto V = slotValue(KP.Slot);
      if (!V)
        return V.takeError();
      Words[I] = *V;
    }
    }
    Ptrs[I] = &Words[I];
  }
  return Dev.launch(K, Grid, Block, Ptrs.data(), 0, S);
}

Error PlanRun::runKernel(const PlanStep &St) {
  const StepCode &Code = *ABI.Code[St.Func];
  const LoadedPlan::Kernels &K = LP.kernels(St.Func);
  const std::string &Name = Code.Main.Name;
  SmallVector<uint64_t, 3> Trips;
  SmallVector<uint64_t, 9> Bounds;
  uint64_t Points = 1;
  for (const GridDim &G : St.Grid) {
    for (SlotId B : {G.LB, G.UB, G.Step}) {
      auto V = slotValue(B);
      if (!V)
        return V.takeError();
      Bounds.push_back(*V);
    }
    // The kernel takes LB, the trip count and Step (KernelABI.h).
    uint64_t *LUS = &Bounds[Bounds.size() - 3];
    LUS[1] = interp::forTripCount(type(G.LB), LUS[0], LUS[1], LUS[2]);
    Trips.push_back(LUS[1]);
    if (Trips.back() && Points > UINT64_MAX / Trips.back())
      return runtimeError("kernel " + Name + ": more than 2^64 grid points");
    Points *= Trips.back();
  }

  if (Code.Main.Shape == LaunchShape::Tree) {
    uint64_t G = std::min<uint64_t>(Points / ReductionBlock +
                                        (Points % ReductionBlock != 0),
                                    ReductionMaxBlocks);
    if (G)
      if (Error E = launch(K.Main, Code.Main, {unsigned(G), 1, 1},
                           {ReductionBlock, 1, 1}, G, Bounds))
        return E;
    return launch(K.Final, *Code.Final, {1, 1, 1}, {ReductionBlock, 1, 1}, G);
  }

  if (Points == 0)
    return Error::success();
  auto L = gridLaunch(Code.Main, Trips, Name);
  if (!L)
    return L.takeError();
  return launch(K.Main, Code.Main, L->Grid, L->Block, L->Grid.X, Bounds);
}

Error PlanRun::runScalar(const PlanStep &St) {
  const StepCode &Code = *ABI.Code[St.Func];
  // A scalar step's results are device-resident slots (KernelABI.h): none
  // is host-known, so nothing is read back.
  return launch(LP.kernels(St.Func).Main, Code.Main, {1, 1, 1}, {1, 1, 1}, 0);
}

Error PlanRun::copySlots(ArrayRef<SlotId> From, ArrayRef<SlotId> To) {
  // All sources are read before any target is written: a Next may name
  // another Carried slot (a swap). Device words go through the scratch half
  // of the slot array; host values are staged in HostVals.
  size_t N = P.Slots.size();
  SmallVector<std::pair<uint64_t, uint64_t>, 4> HostVals(From.size());
  for (size_t K = 0; K < From.size(); ++K) {
    if (ABI.HostKnown[From[K]]) {
      HostVals[K] = {Host[From[K]], Counts[From[K]]};
      continue;
    }
    if (ABI.HostKnown[To[K]]) { // read back: the host drives this slot
      auto V = slotValue(From[K]);
      if (!V)
        return V.takeError();
      HostVals[K] = {*V, 0};
      continue;
    }
    if (Error E = Dev.copyOnDeviceAsync(Slots, (N + K) * 8, Slots,
                                        uint64_t(From[K]) * 8, 8, S))
      return E;
  }
  for (size_t K = 0; K < To.size(); ++K) {
    SlotId T = To[K];
    // A host-known slot lives on the host only (device functions take it by
    // value); any other one in the slot array.
    if (ABI.HostKnown[T]) {
      Host[T] = HostVals[K].first;
      Counts[T] = HostVals[K].second;
      continue;
    }
    Error E = ABI.HostKnown[From[K]]
                  ? Dev.copyToDeviceAsync(Slots, stage(HostVals[K].first), 8,
                                          uint64_t(T) * 8, S)
                  : Dev.copyOnDeviceAsync(Slots, uint64_t(T) * 8, Slots,
                                          (N + K) * 8, 8, S);
    if (E)
      return E;
  }
  return Error::success();
}

Expected<std::vector<uint64_t>> PlanRun::finish() {
  // The slot array comes back only when a result lives there.
  size_t N = P.Slots.size();
  std::vector<uint64_t> Words(N);
  bool OnDevice =
      any_of(P.Returns, [&](SlotId R) { return !ABI.HostKnown[R]; });
  if (OnDevice)
    if (Error E = Dev.copyToHostAsync(Words.data(), Slots, N * 8, 0, S))
      return E;
  DeviceErrorRecord Rec{};
  if (ABI.Checked)
    if (Error E = Dev.copyToHostAsync(&Rec, ErrorRecord, sizeof(Rec), 0, S))
      return E;
  if (Error E = Dev.synchronize(S))
    return E;
  if (Rec.Flag) {
    std::string Func = "?", Buffer = "?";
    if (Rec.Func < P.Code->Functions.size()) {
      const Function &F = *P.Code->Functions[Rec.Func];
      Func = F.Name;
      if (Rec.Param < F.Params.size())
        Buffer = F.name(F.Params[Rec.Param]).str();
    }
    return runtimeError(Twine("out-of-bounds ") + accessName(Rec.Access) +
                        " in @" + P.Entry + " (kernel @" + Func +
                        "): buffer %" + Buffer + " index " + Twine(Rec.Index) +
                        " is outside [0, " + Twine(Rec.Count) + ")");
  }
  std::vector<uint64_t> Out;
  for (SlotId R : P.Returns)
    Out.push_back(ABI.HostKnown[R] ? Host[R] : mask(R, Words[R]));
  return Out;
}

} // namespace

Expected<std::unique_ptr<LoadedPlan>>
LoadedPlan::load(Device &Dev, Plan P, bool Checked, StringRef Image) {
  PlanABI ABI = computePlanABI(P, Checked);
  std::unique_ptr<LoadedPlan> LP(
      new LoadedPlan(Dev, std::move(P), std::move(ABI)));
  auto M = Dev.loadModule(Image);
  if (!M)
    return M.takeError();
  LP->Module = *M;
  LP->Handles.resize(LP->ABI.Code.size());
  for (size_t F = 0; F < LP->ABI.Code.size(); ++F) {
    const std::optional<StepCode> &C = LP->ABI.Code[F];
    if (!C)
      continue;
    auto Main = Dev.getKernel(*M, C->Main.Name);
    if (!Main)
      return Main.takeError();
    LP->Handles[F].Main = *Main;
    if (C->Final) {
      auto Fin = Dev.getKernel(*M, C->Final->Name);
      if (!Fin)
        return Fin.takeError();
      LP->Handles[F].Final = *Fin;
    }
  }
  return LP;
}

LoadedPlan::LoadedPlan(Device &Dev, Plan P, PlanABI ABI)
    : Dev(Dev), P(std::move(P)), ABI(std::move(ABI)) {}

LoadedPlan::~LoadedPlan() {
  if (Module.Handle)
    consumeError(Dev.unloadModule(Module));
}

Expected<std::vector<uint64_t>> LoadedPlan::run(ArrayRef<DeviceArg> Args,
                                                const Stream &S) const {
  std::unique_ptr<RunMemory> Mem;
  {
    std::lock_guard<std::mutex> Lock(PoolLock);
    if (!Pool.empty()) {
      Mem = std::move(Pool.back());
      Pool.pop_back();
    }
  }
  if (!Mem)
    Mem = std::make_unique<RunMemory>();
  auto Out = [&]() -> Expected<std::vector<uint64_t>> {
    PlanRun R(*this, S, *Mem);
    Error E = R.init(Args);
    if (!E)
      E = R.runSteps(P.Steps);
    if (!E) {
      auto Results = R.finish();
      if (Results)
        return Results;
      E = Results.takeError();
    }
    // Work already enqueued may still use the run's host words and device
    // memory: wait for it before they go (or back to the pool).
    consumeError(Dev.synchronize(S));
    return E;
  }();
  std::lock_guard<std::mutex> Lock(PoolLock);
  Pool.push_back(std::move(Mem));
  return Out;
}
