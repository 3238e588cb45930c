//===- tests/unit/runtime/ExecutorTest.cpp - the plan executor, no GPU ----===//
//
// Real plans (VIR -> buildPlan) run through LoadedPlan on FakeDevice
// (FakeDevice.h): any image loads, every kernel name exists, and every launch
// is recorded with its grid, block, stream and parameter words. What a kernel
// would compute on the device (a scalar step's result, a reduction's result,
// a while condition, a checked-mode fault) is emulated by callbacks that
// write the fake's memory when the launch runs. Every test runs twice: with
// operations run at once, and deferred to the synchronization of their
// stream (so the executor must keep host memory alive and unchanged until
// the stream has copied it, as Device.h requires).
//
//===----------------------------------------------------------------------===//

#include "FakeDevice.h"

#include "../ir/TestSupport.h"

#include "ircgpu/Codegen.h"
#include "ircgpu/Compiler.h"
#include "ircgpu/Executor.h"
#include "ircgpu/KernelABI.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

using namespace ircgpu;
using namespace ircgpu::test;
using llvm::StringRef;

namespace {

uint64_t f32w(float F) { return f32b(F); }

/// Addresses of buffers the executor passes around but never dereferences.
constexpr DevicePtr BufX = 0x7000000000, BufY = 0x7100000000;

std::string dims(Dim3 D) {
  return std::to_string(D.X) + "x" + std::to_string(D.Y) + "x" +
         std::to_string(D.Z);
}

class ExecutorTest : public ::testing::TestWithParam<bool> {
protected:
  void SetUp() override {
    D.Deferred = GetParam();
    D.AnyKernel = true;
    D.AllocFill = 0xa5; // device memory is not zeroed
  }

  /// Parses Src, plans Entry and loads it on D with any image; tells the fake
  /// how many parameters each device function has.
  std::unique_ptr<LoadedPlan> load(StringRef Src, StringRef Entry,
                                   bool Checked = false) {
    auto M = parseAndVerify(Src);
    if (!M) {
      ADD_FAILURE() << errText(M.takeError());
      return nullptr;
    }
    CompileOptions Opts;
    Opts.Checked = Checked;
    auto P = buildPlan(**M, Entry, Opts);
    if (!P) {
      ADD_FAILURE() << errText(P.takeError());
      return nullptr;
    }
    auto LP = LoadedPlan::load(D, std::move(*P), Checked, "fake image");
    if (!LP) {
      ADD_FAILURE() << errText(LP.takeError());
      return nullptr;
    }
    EXPECT_EQ(D.LastImage, "fake image");
    for (const auto &C : (*LP)->abi().Code) {
      if (!C)
        continue;
      D.ParamCounts[C->Main.Name] = C->Main.Params.size();
      if (C->Final)
        D.ParamCounts[C->Final->Name] = C->Final->Params.size();
    }
    return std::move(*LP);
  }

  /// The name of the Main (or Final) device function of step St.
  static std::string name(const LoadedPlan &LP, const PlanStep &St,
                          bool Final = false) {
    const StepCode &C = *LP.abi().Code.at(St.Func);
    return Final ? C.Final->Name : C.Main.Name;
  }

  /// The words a step's by-value arguments should be passed as: ByName maps
  /// the slot's name to its value (and, checked, a buffer to its count).
  static std::vector<uint64_t>
  argWords(const LoadedPlan &LP, const PlanStep &St,
           std::map<std::string, uint64_t> ByName,
           std::map<std::string, uint64_t> Counts = {}) {
    std::vector<uint64_t> W;
    for (SlotId S : St.Args) {
      if (!LP.abi().HostKnown[S])
        continue;
      const PlanSlot &PS = LP.plan().Slots[S];
      if (PS.IsConst)
        W.push_back(PS.Bits);
      else if (ByName.count(PS.Name))
        W.push_back(ByName[PS.Name]);
      else
        ADD_FAILURE() << "no value for %" << PS.Name;
      if (LP.abi().Checked && PS.Ty.isPtr())
        W.push_back(Counts[PS.Name]);
    }
    return W;
  }

  /// The launches whose kernel is Name.
  std::vector<LaunchRecord> launchesOf(StringRef Name) const {
    std::vector<LaunchRecord> Out;
    for (const LaunchRecord &R : D.LaunchLog)
      if (R.Kernel == Name)
        Out.push_back(R);
    return Out;
  }

  /// The device block at P: still allocated (the LoadedPlan keeps a run's
  /// memory for the next run) or freed; null if there is none.
  const std::vector<uint8_t> *block(DevicePtr P) const {
    auto Live = D.Blocks.find(P);
    if (Live != D.Blocks.end())
      return &Live->second;
    auto Freed = D.FreedBlocks.find(P);
    return Freed == D.FreedBlocks.end() ? nullptr : &Freed->second;
  }

  /// The slot array of the run, after it: the block that Params[0] of the
  /// launch named (the slot array parameter) points to.
  std::vector<uint64_t> slotWordsAfter(const LaunchRecord &R) const {
    const std::vector<uint8_t> *B = block(R.Params.at(0));
    std::vector<uint64_t> W;
    if (!B) {
      ADD_FAILURE() << "parameter 0 of " << R.Kernel << " is no block";
      return W;
    }
    W.resize(B->size() / 8);
    std::memcpy(W.data(), B->data(), W.size() * 8);
    return W;
  }

  FakeDevice D;
};

std::string modeName(const ::testing::TestParamInfo<bool> &I) {
  return I.param ? "Deferred" : "Immediate";
}

//===-- grid kernels ------------------------------------------------------===//

const char *SaxpyNoAlias = R"(
func @saxpy(%n: i64, %a: f32, %x: ptr<f32> readonly noalias, %y: ptr<f32> noalias) {
  for %i = 0 to %n step 1 {
    %xi = load %x[%i]
    %yi = load %y[%i]
    %t = fmul %a, %xi
    %r = fadd %t, %yi
    store %y[%i], %r
  }
  ret
}
)";

TEST_P(ExecutorTest, Saxpy1DLaunchShapeAndParameters) {
  auto LP = load(SaxpyNoAlias, "saxpy");
  ASSERT_TRUE(LP);
  EXPECT_EQ(D.KernelsRequested, std::vector<std::string>{"saxpy$k0"});
  const Plan &P = LP->plan();
  ASSERT_EQ(P.Steps.size(), 1u);
  const PlanStep &K = P.Steps[0];
  ASSERT_EQ(K.Kind, StepKind::Kernel);
  const uint64_t A = f32w(2.5f);
  DevicePtr FirstSlots = 0;
  size_t LiveBlocks = 0;
  for (uint64_t N : {1ull, 255ull, 256ull, 257ull, 1000ull, 1ull << 20}) {
    SCOPED_TRACE("n = " + std::to_string(N));
    D.LaunchLog.clear();
    auto R = LP->run({DeviceArg::scalar(N), DeviceArg::scalar(A),
                      DeviceArg::buffer(BufX, N), DeviceArg::buffer(BufY, N)});
    ASSERT_TRUE(bool(R)) << errText(R.takeError());
    EXPECT_TRUE(R->empty());
    ASSERT_EQ(D.LaunchLog.size(), 1u);
    const LaunchRecord &L = D.LaunchLog[0];
    // Runs after the first reuse its device memory: no allocation, the
    // same slot array.
    if (!FirstSlots) {
      FirstSlots = L.Params.at(0);
      LiveBlocks = D.Blocks.size();
    }
    EXPECT_EQ(L.Params.at(0), FirstSlots);
    EXPECT_EQ(D.Blocks.size(), LiveBlocks);
    EXPECT_EQ(L.Kernel, "saxpy$k0");
    // 1-D kernels take GridPointsPerThread points per thread.
    const uint64_t PerBlock = 256 * GridPointsPerThread;
    EXPECT_EQ(dims(L.Grid),
              std::to_string((N + PerBlock - 1) / PerBlock) + "x1x1");
    EXPECT_EQ(dims(L.Block), "256x1x1");
    // The slot array, then LB, UB, Step by value, then the arguments.
    std::vector<uint64_t> Want = {L.Params.at(0), 0, N, 1};
    for (uint64_t W :
         argWords(*LP, K, {{"n", N}, {"a", A}, {"x", BufX}, {"y", BufY}}))
      Want.push_back(W);
    EXPECT_EQ(L.Params, Want);
    // The arguments are x, y and a (n is only the bound).
    EXPECT_EQ(L.Params.size(), 7u);
    // Parameter 0 is the run's slot array: one word per slot and as many
    // scratch words; nothing is uploaded to it (every argument travels by
    // value), so the fake's fill pattern is still there.
    std::vector<uint64_t> Slots = slotWordsAfter(L);
    ASSERT_EQ(Slots.size(), 2 * P.Slots.size());
    if (N == 1) {
      EXPECT_EQ(Slots[0], 0xa5a5'a5a5'a5a5'a5a5u);
    }
  }
  // n = 0: nothing to launch.
  D.LaunchLog.clear();
  auto R = LP->run({DeviceArg::scalar(0), DeviceArg::scalar(A),
                    DeviceArg::buffer(BufX, 0), DeviceArg::buffer(BufY, 0)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  EXPECT_TRUE(D.LaunchLog.empty());
  // Negative n (i64): an empty range too.
  R = LP->run({DeviceArg::scalar(uint64_t(-5)), DeviceArg::scalar(A),
               DeviceArg::buffer(BufX, 0), DeviceArg::buffer(BufY, 0)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  EXPECT_TRUE(D.LaunchLog.empty());
  LP.reset();
  EXPECT_EQ(D.modulesLoaded(), 0u); // the plan unloads its module
}

const char *Hist = R"(
func @hist(%n: i64, %k: ptr<i32> readonly, %h: ptr<i32> noalias) {
  for %i = 0 to %n step 1 parallel {
    %v = load %k[%i]
    %b = and %v, 255
    %o = atomic add %h[%b], 1
  }
  ret
}
)";

TEST_P(ExecutorTest, GridStrideKernelGetsAtMostItsBlocksAndTheirCount) {
  auto LP = load(Hist, "hist");
  ASSERT_TRUE(LP);
  const uint64_t PerBlock = 256 * GridPointsPerThread;
  for (uint64_t N : std::initializer_list<uint64_t>{
           1, PerBlock + 1, GridStrideMaxBlocks * PerBlock,
           GridStrideMaxBlocks * PerBlock + 1, uint64_t(1) << 24,
           // more points than a grid of 2^31 - 1 blocks covers
           uint64_t(1) << 42}) {
    SCOPED_TRACE("n = " + std::to_string(N));
    D.LaunchLog.clear();
    auto R = LP->run({DeviceArg::scalar(N), DeviceArg::buffer(BufX, N),
                      DeviceArg::buffer(BufY, 256)});
    ASSERT_TRUE(bool(R)) << errText(R.takeError());
    ASSERT_EQ(D.LaunchLog.size(), 1u);
    const LaunchRecord &L = D.LaunchLog[0];
    uint64_t Want =
        std::min<uint64_t>((N + PerBlock - 1) / PerBlock, GridStrideMaxBlocks);
    EXPECT_EQ(dims(L.Grid), std::to_string(Want) + "x1x1");
    // The last parameter is the number of blocks launched.
    EXPECT_EQ(L.Params.back(), Want);
  }
}

const char *Add2D = R"(
func @add2d(%n: i64, %m: i64, %a: ptr<f32> readonly noalias, %c: ptr<f32> noalias) {
  for %i = 0 to %n step 1 parallel {
    for %j = 0 to %m step 1 parallel {
      %r = mul %i, %m
      %k = add %r, %j
      %v = load %a[%k]
      %w = fadd %v, 1.0
      store %c[%k], %w
    }
  }
  ret
}
)";

TEST_P(ExecutorTest, TwoDimensionalGridLastDimensionIsX) {
  auto LP = load(Add2D, "add2d");
  ASSERT_TRUE(LP);
  const PlanStep &K = LP->plan().Steps.at(0);
  ASSERT_EQ(K.Grid.size(), 2u);
  auto R =
      LP->run({DeviceArg::scalar(17), DeviceArg::scalar(100),
               DeviceArg::buffer(BufX, 1700), DeviceArg::buffer(BufY, 1700)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  ASSERT_EQ(D.LaunchLog.size(), 1u);
  const LaunchRecord &L = D.LaunchLog[0];
  EXPECT_EQ(L.Kernel, "add2d$k0");
  EXPECT_EQ(dims(L.Block), "32x8x1");
  // j (100 points, the last dimension) is x: 4 blocks of 32; i (17) is y:
  // 3 blocks of 8.
  EXPECT_EQ(dims(L.Grid), "4x3x1");
  std::vector<uint64_t> Want = {L.Params.at(0), 0, 17, 1, 0, 100, 1};
  for (uint64_t W : argWords(*LP, K, {{"m", 100}, {"a", BufX}, {"c", BufY}}))
    Want.push_back(W);
  EXPECT_EQ(L.Params, Want);
}

TEST_P(ExecutorTest, DimensionTooLargeForOneLaunchIsAnError) {
  auto LP = load(Add2D, "add2d");
  ASSERT_TRUE(LP);
  // y covers 65535 blocks of 8 rows: 524280 rows fit, one more does not.
  auto R = LP->run({DeviceArg::scalar(524280), DeviceArg::scalar(1),
                    DeviceArg::buffer(BufX, 524280),
                    DeviceArg::buffer(BufY, 524280)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  ASSERT_EQ(D.LaunchLog.size(), 1u);
  EXPECT_EQ(dims(D.LaunchLog[0].Grid), "1x65535x1");
  D.LaunchLog.clear();
  R = LP->run({DeviceArg::scalar(524281), DeviceArg::scalar(1),
               DeviceArg::buffer(BufX, 524281),
               DeviceArg::buffer(BufY, 524281)});
  ASSERT_FALSE(bool(R));
  std::string Msg = errText(R.takeError());
  EXPECT_NE(Msg.find("kernel add2d$k0: dimension 0 of its grid has 524281 "
                     "points"),
            std::string::npos)
      << Msg;
  EXPECT_TRUE(D.LaunchLog.empty());
}

const char *Fill3 = R"(
func @fill3(%a: i32, %b: i32, %c: i32, %x: ptr<i32> noalias) {
  for %i = 0 to %a step 1 parallel {
    for %j = 0 to %b step 1 parallel {
      for %k = 0 to %c step 1 parallel {
        %p = mul %i, %b
        %q = add %p, %j
        %r = mul %q, %c
        %s = add %r, %k
        store %x[%s], %k
      }
    }
  }
  ret
}
)";

TEST_P(ExecutorTest, ThreeDimensionalGrid) {
  auto LP = load(Fill3, "fill3");
  ASSERT_TRUE(LP);
  const PlanStep &K = LP->plan().Steps.at(0);
  ASSERT_EQ(K.Grid.size(), 3u);
  // i32 arguments with junk above bit 31: masked.
  uint64_t Junk = 0xdead'0000'0000'0000;
  auto R =
      LP->run({DeviceArg::scalar(Junk | 7), DeviceArg::scalar(Junk | 5),
               DeviceArg::scalar(Junk | 200), DeviceArg::buffer(BufX, 7000)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  ASSERT_EQ(D.LaunchLog.size(), 1u);
  const LaunchRecord &L = D.LaunchLog[0];
  EXPECT_EQ(dims(L.Block), "32x4x2");
  // k (200) is x: 7 blocks of 32; j (5) is y: 2 of 4; i (7) is z: 4 of 2.
  EXPECT_EQ(dims(L.Grid), "7x2x4");
  std::vector<uint64_t> Want = {L.Params.at(0), 0, 7, 1, 0, 5, 1, 0, 200, 1};
  for (uint64_t W :
       argWords(*LP, K, {{"a", 7}, {"b", 5}, {"c", 200}, {"x", BufX}}))
    Want.push_back(W);
  EXPECT_EQ(L.Params, Want);
}

//===-- reductions --------------------------------------------------------===//

const char *Sum = R"(
func @sum(%n: i64, %x: ptr<f32> readonly) -> f32 {
  %s = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 2.5) {
    %v = load %x[%i]
    %a = fadd %acc, %v
    yield %a
  }
  ret %s
}
)";

TEST_P(ExecutorTest, ReductionTreeAndFinal) {
  auto LP = load(Sum, "sum");
  ASSERT_TRUE(LP);
  const PlanStep &K = LP->plan().Steps.at(0);
  ASSERT_EQ(K.Reductions.size(), 1u);
  SlotId Result = K.Reductions[0].Result;
  EXPECT_EQ(D.KernelsRequested,
            (std::vector<std::string>{"sum$k0", "sum$k0$final"}));
  // The Final kernel writes the result word; the executor reads it back.
  // Above the f32, the word is unspecified.
  float Value = 0;
  D.OnLaunch["sum$k0$final"] = [&](const LaunchRecord &L) {
    D.setWord(L.Params.at(0) + 8 * Result, 0xbad0'0bad'0000'0000 | f32w(Value));
  };
  struct Case {
    uint64_t N, G;
  };
  for (Case C : {Case{1, 1}, Case{256, 1}, Case{257, 2}, Case{300000, 1024},
                 Case{10000000, 1024}, Case{0, 0}}) {
    SCOPED_TRACE("N = " + std::to_string(C.N));
    D.LaunchLog.clear();
    Value = float(C.N) + 0.5f;
    auto R = LP->run({DeviceArg::scalar(C.N), DeviceArg::buffer(BufX, C.N)});
    ASSERT_TRUE(bool(R)) << errText(R.takeError());
    EXPECT_EQ(*R, std::vector<uint64_t>{f32w(Value)});
    ASSERT_EQ(D.LaunchLog.size(), C.N ? 2u : 1u);
    const LaunchRecord &Fin = D.LaunchLog.back();
    EXPECT_EQ(Fin.Kernel, "sum$k0$final");
    EXPECT_EQ(dims(Fin.Grid), "1x1x1");
    EXPECT_EQ(dims(Fin.Block), "256x1x1");
    // Slot array, partials, G, and the (constant) Init by value.
    ASSERT_EQ(Fin.Params.size(), 4u);
    EXPECT_EQ(Fin.Params[2], C.G);
    EXPECT_EQ(Fin.Params[3], f32w(2.5f));
    DevicePtr Partials = Fin.Params[1];
    EXPECT_NE(Partials, 0u);
    if (!C.N)
      continue;
    const LaunchRecord &Tree = D.LaunchLog[0];
    EXPECT_EQ(Tree.Kernel, "sum$k0");
    EXPECT_EQ(dims(Tree.Grid), std::to_string(C.G) + "x1x1");
    EXPECT_EQ(dims(Tree.Block), "256x1x1");
    std::vector<uint64_t> Want = {Fin.Params[0], 0, C.N, 1};
    for (uint64_t W : argWords(*LP, K, {{"x", BufX}}))
      Want.push_back(W);
    Want.push_back(Partials);
    Want.push_back(C.G);
    EXPECT_EQ(Tree.Params, Want);
    // The partials scratch holds ReductionMaxBlocks words per reduction.
    const std::vector<uint8_t> *B = block(Partials);
    ASSERT_NE(B, nullptr);
    EXPECT_EQ(B->size(), 8u * ReductionMaxBlocks);
  }
}

const char *Upload = R"(
func @up(%n: i64, %k: i32, %s: f32, %b: i8, %x: ptr<f32> readonly) -> (f32, i32) {
  %r = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 2.5) {
    %v = load %x[%i]
    %w = fmul %v, %s
    %a = fadd %acc, %w
    yield %a
  }
  ret %r, %k
}
)";

TEST_P(ExecutorTest, HostKnownSlotsTravelByValueMaskedToTheirType) {
  auto LP = load(Upload, "up");
  ASSERT_TRUE(LP);
  const Plan &P = LP->plan();
  const PlanStep &K = P.Steps.at(0);
  SlotId Result = K.Reductions.at(0).Result;
  uint64_t Junk = 0x1234'5678'0000'0000;
  std::vector<uint64_t> Want(P.Slots.size());
  Want[0] = 300;
  Want[1] = 0xffff'fffb; // -5 as an i32
  Want[2] = f32w(-0.75f);
  Want[3] = 0x80;
  Want[4] = BufX;
  // No device function reads a host-known slot from the array, so nothing
  // is uploaded to it: the fill pattern stays in the parameters' words.
  std::vector<uint64_t> Seen;
  LaunchRecord Tree;
  D.OnLaunch["up$k0"] = [&](const LaunchRecord &L) {
    Tree = L;
    for (SlotId S = 0; S < P.NumParams; ++S)
      Seen.push_back(D.word(L.Params.at(0) + 8 * S));
  };
  D.OnLaunch["up$k0$final"] = [&](const LaunchRecord &L) {
    D.setWord(L.Params.at(0) + 8 * Result, 0xffff'ffff'0000'0000 | f32w(7));
  };
  auto R =
      LP->run({DeviceArg::scalar(300), DeviceArg::scalar(Junk | Want[1]),
               DeviceArg::scalar(Junk | Want[2]),
               DeviceArg::scalar(Junk | 0x80), DeviceArg::buffer(BufX, 300)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  for (uint64_t W : Seen)
    EXPECT_EQ(W, 0xa5a5'a5a5'a5a5'a5a5u);
  // The kernel's by-value words are the parameters masked to their types.
  const DeviceFunction &DF = LP->abi().Code[K.Func]->Main;
  unsigned Checked = 0;
  for (size_t I = 0; I < DF.Params.size(); ++I) {
    const KernelParam &KP = DF.Params[I];
    if (KP.Kind != ParamKind::Value || KP.Slot >= P.NumParams)
      continue;
    SCOPED_TRACE("slot " + std::to_string(KP.Slot));
    EXPECT_EQ(Tree.Params.at(I), Want[KP.Slot]);
    ++Checked;
  }
  EXPECT_EQ(Checked, 2u); // %s (f32, masked) and %x
  // The reduction's result masked to f32; %k (host-known) masked to i32.
  EXPECT_EQ(*R, (std::vector<uint64_t>{f32w(7), 0xffff'fffb}));
}

//===-- device-computed values --------------------------------------------===//

const char *Half = R"(
func @half(%n: i64, %x: ptr<i64> noalias) {
  %m = sdiv %n, 2
  for %i = 0 to %m step 1 {
    store %x[%i], %m
  }
  ret
}
)";

TEST_P(ExecutorTest, GridBoundComputedOnTheDeviceIsReadBackOnce) {
  auto LP = load(Half, "half");
  ASSERT_TRUE(LP);
  const Plan &P = LP->plan();
  ASSERT_EQ(P.Steps.size(), 2u);
  const PlanStep &Sc = P.Steps[0], &K = P.Steps[1];
  ASSERT_EQ(Sc.Kind, StepKind::Scalar);
  ASSERT_EQ(K.Kind, StepKind::Kernel);
  SlotId M = Sc.Results.at(0);
  EXPECT_EQ(K.Grid.at(0).UB, M);
  EXPECT_FALSE(LP->abi().HostKnown[M]);
  // The scalar step computes %m; the fake says 1000 whatever %n is, so the
  // grid can only come from the slot word.
  D.OnLaunch[name(*LP, Sc)] = [&](const LaunchRecord &L) {
    D.setWord(L.Params.at(0) + 8 * M, 1000);
  };
  auto R = LP->run({DeviceArg::scalar(10), DeviceArg::buffer(BufX, 1000)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  ASSERT_EQ(D.LaunchLog.size(), 2u);
  const LaunchRecord &S = D.LaunchLog[0], &L = D.LaunchLog[1];
  EXPECT_EQ(S.Kernel, name(*LP, Sc));
  EXPECT_EQ(dims(S.Grid), "1x1x1");
  EXPECT_EQ(dims(S.Block), "1x1x1");
  std::vector<uint64_t> WantS = {S.Params.at(0)};
  for (uint64_t W : argWords(*LP, Sc, {{"n", 10}}))
    WantS.push_back(W);
  EXPECT_EQ(S.Params, WantS);
  EXPECT_EQ(L.Kernel, name(*LP, K));
  EXPECT_EQ(dims(L.Grid), "1x1x1"); // 1000 points, 1024 a block
  ASSERT_GE(L.Params.size(), 4u);
  EXPECT_EQ(L.Params[2], 1000u);
  // One read back before the launch (Executor.h), one at the end.
  EXPECT_EQ(D.SyncedStreams.size(), 2u);
}

const char *Half32 = R"(
func @half32(%n: i32, %x: ptr<i32> noalias) {
  %m = sdiv %n, 2
  for %i = 0 to %m step 1 {
    store %x[%i], %m
  }
  ret
}
)";

TEST_P(ExecutorTest, DeviceComputedI32BoundIsMasked) {
  auto LP = load(Half32, "half32");
  ASSERT_TRUE(LP);
  const PlanStep &Sc = LP->plan().Steps.at(0), &K = LP->plan().Steps.at(1);
  SlotId M = Sc.Results.at(0);
  // An i32 in its word: the upper half is unspecified.
  uint64_t Word = 0xdead'beef'0000'03e8;
  D.OnLaunch[name(*LP, Sc)] = [&](const LaunchRecord &L) {
    D.setWord(L.Params.at(0) + 8 * M, Word);
  };
  auto R = LP->run({DeviceArg::scalar(10), DeviceArg::buffer(BufX, 1000)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  ASSERT_EQ(D.LaunchLog.size(), 2u);
  EXPECT_EQ(D.LaunchLog[1].Kernel, name(*LP, K));
  EXPECT_EQ(dims(D.LaunchLog[1].Grid), "1x1x1");
  EXPECT_EQ(D.LaunchLog[1].Params.at(2), 1000u);
  // A negative bound: no launch.
  D.LaunchLog.clear();
  Word = 0x0000'0000'ffff'fff0;
  R = LP->run({DeviceArg::scalar(10), DeviceArg::buffer(BufX, 1000)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  EXPECT_EQ(D.LaunchLog.size(), 1u);
}

//===-- plan loops --------------------------------------------------------===//

const char *Steps = R"(
func @steps(%n: i64, %t: i64, %x: ptr<i64> noalias) -> i64 {
  %r = for %k = 2 to %t step 3 iter(%acc: i64 = 7) {
    for %i = 0 to %n step 1 parallel {
      %v = load %x[%i]
      %w = add %v, %k
      %w2 = add %w, %acc
      store %x[%i], %w2
    }
    %a2 = add %acc, %k
    yield %a2
  }
  ret %r
}
)";

/// The index in DF's parameters of the by-value Slot.
size_t valueParam(const DeviceFunction &DF, SlotId Slot) {
  for (size_t I = 0; I < DF.Params.size(); ++I)
    if (DF.Params[I].Kind == ParamKind::Value && DF.Params[I].Slot == Slot)
      return I;
  ADD_FAILURE() << DF.Name << " does not take slot " << Slot << " by value";
  return 0;
}

TEST_P(ExecutorTest, ForPlanLoopPassesTheIndexAndCarriesValues) {
  auto LP = load(Steps, "steps");
  ASSERT_TRUE(LP);
  const Plan &P = LP->plan();
  ASSERT_EQ(P.Steps.size(), 1u);
  const PlanStep &Loop = P.Steps[0];
  ASSERT_EQ(Loop.Kind, StepKind::ForLoop);
  ASSERT_EQ(Loop.Body.size(), 2u);
  const PlanStep &K = Loop.Body[0], &Sc = Loop.Body[1];
  ASSERT_EQ(K.Kind, StepKind::Kernel);
  ASSERT_EQ(Sc.Kind, StepKind::Scalar);
  ASSERT_EQ(Loop.Carried.size(), 1u);
  SlotId Acc = Loop.Carried[0], Next = Loop.Nexts.at(0);
  EXPECT_EQ(Sc.Results, std::vector<SlotId>{Next});
  size_t KIdx = valueParam(LP->abi().Code[K.Func]->Main, Loop.Index);
  size_t SIdx = valueParam(LP->abi().Code[Sc.Func]->Main, Loop.Index);
  // The scalar step: a2 = acc + k, acc read from the slot array.
  std::vector<uint64_t> AccSeenByKernel, AccSeenByScalar;
  D.OnLaunch[name(*LP, K)] = [&](const LaunchRecord &L) {
    AccSeenByKernel.push_back(D.word(L.Params[0] + 8 * Acc));
  };
  D.OnLaunch[name(*LP, Sc)] = [&](const LaunchRecord &L) {
    uint64_t A = D.word(L.Params[0] + 8 * Acc);
    AccSeenByScalar.push_back(A);
    D.setWord(L.Params[0] + 8 * Next, A + L.Params.at(SIdx));
  };
  auto R = LP->run({DeviceArg::scalar(100), DeviceArg::scalar(11),
                    DeviceArg::buffer(BufX, 100)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  // k = 2, 5, 8: kernel and scalar step once per iteration each.
  std::vector<LaunchRecord> Ks = launchesOf(name(*LP, K)),
                            Ss = launchesOf(name(*LP, Sc));
  ASSERT_EQ(Ks.size(), 3u);
  ASSERT_EQ(Ss.size(), 3u);
  ASSERT_EQ(D.LaunchLog.size(), 6u);
  for (unsigned I = 0; I < 3; ++I) {
    EXPECT_EQ(D.LaunchLog[2 * I].Kernel, name(*LP, K));
    EXPECT_EQ(Ks[I].Params.at(KIdx), 2 + 3 * I);
    EXPECT_EQ(Ss[I].Params.at(SIdx), 2 + 3 * I);
    EXPECT_EQ(dims(Ks[I].Grid), "1x1x1");
  }
  // Init copied to the carried slot first; then each Next.
  EXPECT_EQ(AccSeenByKernel, (std::vector<uint64_t>{7, 9, 14}));
  EXPECT_EQ(AccSeenByScalar, (std::vector<uint64_t>{7, 9, 14}));
  EXPECT_EQ(*R, std::vector<uint64_t>{22});
  std::vector<uint64_t> Slots = slotWordsAfter(Ks[0]);
  EXPECT_EQ(Slots.at(Loop.LoopResults.at(0)), 22u);
  EXPECT_EQ(Slots.at(Acc), 22u);

  // No iteration: the result is the Init.
  D.LaunchLog.clear();
  AccSeenByKernel.clear();
  R = LP->run({DeviceArg::scalar(100), DeviceArg::scalar(2),
               DeviceArg::buffer(BufX, 100)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  EXPECT_TRUE(D.LaunchLog.empty());
  EXPECT_EQ(*R, std::vector<uint64_t>{7});
}

const char *Swap = R"(
func @swap(%n: i64, %t: i64, %x: ptr<i64> noalias) -> (i64, i64) {
  %r1, %r2 = for %k = 0 to %t step 1 iter(%p: i64 = 1, %q: i64 = 2) {
    for %i = 0 to %n step 1 parallel {
      store %x[%i], %p
    }
    yield %q, %p
  }
  ret %r1, %r2
}
)";

TEST_P(ExecutorTest, CarriedValuesAreUpdatedAllAtOnce) {
  auto LP = load(Swap, "swap");
  ASSERT_TRUE(LP);
  const PlanStep &Loop = LP->plan().Steps.at(0);
  ASSERT_EQ(Loop.Kind, StepKind::ForLoop);
  ASSERT_EQ(Loop.Carried.size(), 2u);
  EXPECT_EQ(Loop.Nexts,
            (std::vector<SlotId>{Loop.Carried[1], Loop.Carried[0]}));
  const PlanStep &K = Loop.Body.at(0);
  std::vector<uint64_t> PSeen;
  D.OnLaunch[name(*LP, K)] = [&](const LaunchRecord &L) {
    PSeen.push_back(D.word(L.Params[0] + 8 * Loop.Carried[0]));
  };
  for (uint64_t T : {0, 1, 2, 3}) {
    SCOPED_TRACE("t = " + std::to_string(T));
    PSeen.clear();
    auto R = LP->run({DeviceArg::scalar(10), DeviceArg::scalar(T),
                      DeviceArg::buffer(BufX, 10)});
    ASSERT_TRUE(bool(R)) << errText(R.takeError());
    std::vector<uint64_t> Want = {1, 2, 1};
    Want.resize(T);
    EXPECT_EQ(PSeen, Want);
    EXPECT_EQ(*R, T % 2 ? (std::vector<uint64_t>{2, 1})
                        : (std::vector<uint64_t>{1, 2}));
  }
}

const char *PingPong = R"(
func @pingpong(%n: i64, %t: i64, %a: ptr<f32> noalias, %b: ptr<f32> noalias) {
  %ra, %rb = for %k = 0 to %t step 1 iter(%u: ptr<f32> = %a, %v: ptr<f32> = %b) {
    for %i = 0 to %n step 1 parallel {
      %e = load %u[%i]
      store %v[%i], %e
    }
    yield %v, %u
  }
  ret
}
)";

TEST_P(ExecutorTest, CarriedBuffersSwapOnTheHost) {
  auto LP = load(PingPong, "pingpong");
  ASSERT_TRUE(LP);
  const PlanStep &Loop = LP->plan().Steps.at(0);
  ASSERT_EQ(Loop.Kind, StepKind::ForLoop);
  const PlanStep &K = Loop.Body.at(0);
  const DeviceFunction &DF = LP->abi().Code[K.Func]->Main;
  size_t U = valueParam(DF, Loop.Carried.at(0)),
         V = valueParam(DF, Loop.Carried.at(1));
  auto R = LP->run({DeviceArg::scalar(10), DeviceArg::scalar(3),
                    DeviceArg::buffer(BufX, 10), DeviceArg::buffer(BufY, 10)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  ASSERT_EQ(D.LaunchLog.size(), 3u);
  for (unsigned I = 0; I < 3; ++I) {
    EXPECT_EQ(D.LaunchLog[I].Params.at(U), I % 2 ? BufY : BufX);
    EXPECT_EQ(D.LaunchLog[I].Params.at(V), I % 2 ? BufX : BufY);
  }
}

const char *Conv = R"(
func @conv(%n: i64, %tol: f32, %x: ptr<f32> noalias) -> i32 {
  %it = while (%k: i32 = 0) {
    %r = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 0.0) {
      %a = load %x[%i]
      %d = fmul %a, %a
      %s = fadd %acc, %d
      yield %s
    }
    %go = fcmp ogt %r, %tol
    condition %go
  } do {
    for %j = 0 to %n step 1 parallel {
      %b = load %x[%j]
      %h = fmul %b, 0.5
      store %x[%j], %h
    }
    %k1 = add %k, 1
    yield %k1
  }
  ret %it
}
)";

TEST_P(ExecutorTest, WhilePlanLoopReadsItsConditionEachIteration) {
  auto LP = load(Conv, "conv");
  ASSERT_TRUE(LP);
  const PlanStep &W = LP->plan().Steps.at(0);
  ASSERT_EQ(W.Kind, StepKind::WhileLoop);
  ASSERT_EQ(W.Cond.size(), 2u);
  ASSERT_EQ(W.Body.size(), 2u);
  const PlanStep &CondScalar = W.Cond[1], &BodyKernel = W.Body[0],
                 &BodyScalar = W.Body[1];
  SlotId K = W.Carried.at(0), K1 = W.Nexts.at(0);
  // The condition: true three times, then false; an i1 is one byte, the
  // rest of the word is unspecified.
  unsigned Tests = 0, Trues = 3;
  std::vector<uint64_t> KSeen;
  D.OnLaunch[name(*LP, CondScalar)] = [&](const LaunchRecord &L) {
    D.setWord(L.Params[0] + 8 * W.CondSlot,
              0xabcd'ef12'3456'7800 | (Tests++ < Trues));
  };
  D.OnLaunch[name(*LP, BodyScalar)] = [&](const LaunchRecord &L) {
    uint64_t V = D.word(L.Params[0] + 8 * K);
    KSeen.push_back(V & 0xffffffff);
    D.setWord(L.Params[0] + 8 * K1,
              0xffff'ffff'0000'0000 | ((V + 1) & 0xffffffff));
  };
  auto R = LP->run({DeviceArg::scalar(64), DeviceArg::scalar(f32w(0.1f)),
                    DeviceArg::buffer(BufX, 64)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  EXPECT_EQ(Tests, 4u);
  EXPECT_EQ(launchesOf(name(*LP, W.Cond[0])).size(), 4u);
  EXPECT_EQ(launchesOf(name(*LP, BodyKernel)).size(), 3u);
  EXPECT_EQ(KSeen, (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(*R, std::vector<uint64_t>{3});

  // False at once: the body never runs, the result is the Init.
  Tests = 0;
  Trues = 0;
  KSeen.clear();
  D.LaunchLog.clear();
  R = LP->run({DeviceArg::scalar(64), DeviceArg::scalar(f32w(0.1f)),
               DeviceArg::buffer(BufX, 64)});
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  EXPECT_EQ(Tests, 1u);
  EXPECT_TRUE(launchesOf(name(*LP, BodyKernel)).empty());
  EXPECT_EQ(*R, std::vector<uint64_t>{0});
}

//===-- overlap checks ----------------------------------------------------===//

TEST_P(ExecutorTest, OverlapCheckPicksKernelOrSequentialFallback) {
  auto LP = load(SpecSaxpyText, "saxpy");
  ASSERT_TRUE(LP);
  const PlanStep &O = LP->plan().Steps.at(0);
  ASSERT_EQ(O.Kind, StepKind::OverlapCheck);
  ASSERT_EQ(O.Body.size(), 1u);
  ASSERT_EQ(O.Fallback.size(), 1u);
  std::string Kernel = name(*LP, O.Body[0]),
              Fallback = name(*LP, O.Fallback[0]);
  EXPECT_EQ(LP->abi().Code[O.Fallback[0].Func]->Main.Shape,
            LaunchShape::Single);
  const uint64_t N = 1000;
  struct Case {
    const char *What;
    DevicePtr X, Y;
    bool Disjoint;
  };
  for (Case C :
       {Case{"apart", BufX, BufY, true},
        Case{"adjacent", BufX, BufX + 4 * N, true},
        Case{"adjacent below", BufX, BufX - 4 * N, true},
        Case{"the same buffer", BufX, BufX, false},
        Case{"one element shared", BufX, BufX + 4 * (N - 1), false},
        Case{"one element shared below", BufX, BufX - 4 * (N - 1), false}}) {
    SCOPED_TRACE(C.What);
    D.LaunchLog.clear();
    auto R = LP->run({DeviceArg::scalar(N), DeviceArg::scalar(f32w(2)),
                      DeviceArg::buffer(C.X, N), DeviceArg::buffer(C.Y, N)});
    ASSERT_TRUE(bool(R)) << errText(R.takeError());
    ASSERT_EQ(D.LaunchLog.size(), 1u);
    const LaunchRecord &L = D.LaunchLog[0];
    if (C.Disjoint) {
      EXPECT_EQ(L.Kernel, Kernel);
      EXPECT_EQ(dims(L.Grid), "1x1x1");
    } else {
      EXPECT_EQ(L.Kernel, Fallback);
      EXPECT_EQ(dims(L.Grid), "1x1x1");
      EXPECT_EQ(dims(L.Block), "1x1x1");
      std::vector<uint64_t> Want = {L.Params.at(0)};
      for (uint64_t W :
           argWords(*LP, O.Fallback[0],
                    {{"n", N}, {"a", f32w(2)}, {"x", C.X}, {"y", C.Y}}))
        Want.push_back(W);
      EXPECT_EQ(L.Params, Want);
    }
  }
}

//===-- checked mode ------------------------------------------------------===//

TEST_P(ExecutorTest, CheckedModeReportsTheRecord) {
  auto LP = load(SaxpyNoAlias, "saxpy", /*Checked=*/true);
  ASSERT_TRUE(LP);
  const Plan &P = LP->plan();
  const PlanStep &K = P.Steps.at(0);
  const Function &F = *P.Code->Functions.at(K.Func);
  EXPECT_EQ(F.Name, "saxpy.k0");
  auto paramNamed = [&](StringRef Name) {
    for (uint32_t I = 0; I < F.Params.size(); ++I)
      if (F.name(F.Params[I]) == Name)
        return I;
    ADD_FAILURE() << "no parameter %" << Name.str();
    return 0u;
  };
  std::optional<DeviceErrorRecord> Fault;
  std::vector<uint8_t> RecordAtLaunch;
  D.OnLaunch["saxpy$k0"] = [&](const LaunchRecord &L) {
    uint8_t *Rec = D.hostPtr(L.Params.at(1), sizeof(DeviceErrorRecord));
    ASSERT_NE(Rec, nullptr);
    RecordAtLaunch.assign(Rec, Rec + sizeof(DeviceErrorRecord));
    if (Fault)
      std::memcpy(Rec, &*Fault, sizeof(*Fault));
  };
  auto run = [&] {
    return LP->run({DeviceArg::scalar(1000), DeviceArg::scalar(f32w(2)),
                    DeviceArg::buffer(BufX, 1000),
                    DeviceArg::buffer(BufY, 999)});
  };
  // No fault: no error. The record was zeroed before the launch (the
  // fake's fresh memory is 0xa5 bytes); Count parameters follow buffers.
  auto R = run();
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  EXPECT_EQ(RecordAtLaunch, std::vector<uint8_t>(sizeof(DeviceErrorRecord)));
  ASSERT_EQ(D.LaunchLog.size(), 1u);
  const LaunchRecord &L = D.LaunchLog[0];
  EXPECT_NE(L.Params.at(1), L.Params.at(0));
  std::vector<uint64_t> Want = {L.Params.at(0), L.Params.at(1), 0, 1000, 1};
  for (uint64_t W : argWords(*LP, K, {{"a", f32w(2)}, {"x", BufX}, {"y", BufY}},
                             {{"x", 1000}, {"y", 999}}))
    Want.push_back(W);
  EXPECT_EQ(L.Params, Want);
  EXPECT_EQ(L.Params.size(), 10u); // x, its count, y, its count, a

  Fault = DeviceErrorRecord{1, K.Func, paramNamed("x"), 0, 1000, 1000};
  R = run();
  ASSERT_FALSE(bool(R));
  EXPECT_EQ(errText(R.takeError()),
            "out-of-bounds load in @saxpy (kernel @saxpy.k0): buffer %x index "
            "1000 is outside [0, 1000)");
  Fault = DeviceErrorRecord{1, K.Func, paramNamed("y"), 1, -1, 999};
  R = run();
  ASSERT_FALSE(bool(R));
  EXPECT_EQ(errText(R.takeError()),
            "out-of-bounds store in @saxpy (kernel @saxpy.k0): buffer %y index "
            "-1 is outside [0, 999)");
  // Each run zeroes its own record.
  EXPECT_EQ(RecordAtLaunch, std::vector<uint8_t>(sizeof(DeviceErrorRecord)));
  Fault.reset();
  R = run();
  EXPECT_TRUE(bool(R)) << errText(R.takeError());
}

//===-- arguments and streams ---------------------------------------------===//

TEST_P(ExecutorTest, BadArgumentsAreErrorsBeforeAnyLaunch) {
  auto LP = load(SaxpyNoAlias, "saxpy");
  ASSERT_TRUE(LP);
  auto R = LP->run({DeviceArg::scalar(10), DeviceArg::scalar(f32w(1)),
                    DeviceArg::buffer(BufX, 10)});
  ASSERT_FALSE(bool(R));
  EXPECT_EQ(errText(R.takeError()), "plan of @saxpy takes 4 arguments, got 3");
  R = LP->run({DeviceArg::scalar(10), DeviceArg::scalar(f32w(1)),
               DeviceArg::buffer(0, 10), DeviceArg::buffer(BufY, 10)});
  ASSERT_FALSE(bool(R));
  EXPECT_EQ(errText(R.takeError()),
            "parameter %x: a null buffer with 10 elements");
  R = LP->run({DeviceArg::scalar(10), DeviceArg::scalar(f32w(1)),
               DeviceArg::buffer(BufX, 10), DeviceArg::buffer(0, 3)});
  ASSERT_FALSE(bool(R));
  EXPECT_EQ(errText(R.takeError()),
            "parameter %y: a null buffer with 3 elements");
  EXPECT_TRUE(D.LaunchLog.empty());
  // A null buffer of no elements is fine.
  R = LP->run({DeviceArg::scalar(0), DeviceArg::scalar(f32w(1)),
               DeviceArg::buffer(0, 0), DeviceArg::buffer(0, 0)});
  EXPECT_TRUE(bool(R)) << errText(R.takeError());
  EXPECT_TRUE(D.LaunchLog.empty());
}

TEST_P(ExecutorTest, EveryLaunchAndCopyIsOnTheCallersStream) {
  llvm::Expected<Stream> S = D.createStream();
  ASSERT_TRUE(bool(S)) << errText(S.takeError());
  void *Native = S->native();
  size_t Ops = D.OpStreams.size(), Syncs = D.SyncedStreams.size();
  {
    auto LP = load(Conv, "conv");
    ASSERT_TRUE(LP);
    const PlanStep &W = LP->plan().Steps.at(0);
    unsigned Tests = 0;
    D.OnLaunch[name(*LP, W.Cond[1])] = [&](const LaunchRecord &L) {
      D.setWord(L.Params[0] + 8 * W.CondSlot, Tests++ < 2);
    };
    auto R = LP->run({DeviceArg::scalar(64), DeviceArg::scalar(f32w(0.1f)),
                      DeviceArg::buffer(BufX, 64)},
                     *S);
    ASSERT_TRUE(bool(R)) << errText(R.takeError());
  }
  {
    auto LP = load(Half, "half");
    ASSERT_TRUE(LP);
    const PlanStep &Sc = LP->plan().Steps.at(0);
    D.OnLaunch[name(*LP, Sc)] = [&](const LaunchRecord &L) {
      D.setWord(L.Params[0] + 8 * Sc.Results.at(0), 5);
    };
    auto R = LP->run({DeviceArg::scalar(10), DeviceArg::buffer(BufX, 10)}, *S);
    ASSERT_TRUE(bool(R)) << errText(R.takeError());
  }
  {
    auto LP = load(Steps, "steps");
    ASSERT_TRUE(LP);
    auto R = LP->run({DeviceArg::scalar(10), DeviceArg::scalar(9),
                      DeviceArg::buffer(BufX, 10)},
                     *S);
    ASSERT_TRUE(bool(R)) << errText(R.takeError());
  }
  ASSERT_GT(D.LaunchLog.size(), 10u);
  for (const LaunchRecord &L : D.LaunchLog)
    EXPECT_EQ(L.Stream, Native) << L.Kernel;
  ASSERT_GT(D.OpStreams.size(), Ops + D.LaunchLog.size());
  for (size_t I = Ops; I < D.OpStreams.size(); ++I)
    EXPECT_EQ(D.OpStreams[I], Native) << "operation " << I;
  ASSERT_GT(D.SyncedStreams.size(), Syncs);
  for (size_t I = Syncs; I < D.SyncedStreams.size(); ++I)
    EXPECT_EQ(D.SyncedStreams[I], Native) << "wait " << I;
  EXPECT_EQ(D.DeviceSyncs, 0u);
}

INSTANTIATE_TEST_SUITE_P(Modes, ExecutorTest, ::testing::Bool(), modeName);

} // namespace
