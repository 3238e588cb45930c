//===- tests/unit/runtime/MultiDevicePlanTest.cpp - one plan, several GPUs ===//
//
// The module cache per device architecture (codegenOptionsForDevice,
// planCodeKey, cachedPlanCode): GPUs of one architecture share one compile,
// GPUs of two never share a cubin. And one plan run on two FakeDevices from
// two threads at once, each fake computing saxpy's kernel on its memory,
// with the results equal to the interpreter's bit for bit (run under the
// tsan preset, this is the executor's thread-safety test).
//
//===----------------------------------------------------------------------===//

#include "FakeDevice.h"

#include "../ir/TestSupport.h"

#include "ircgpu/Compiler.h"
#include "ircgpu/Executor.h"
#include "ircgpu/Interpreter.h"
#include "ircgpu/ModuleCache.h"
#include "ircgpu/PlanCode.h"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

const char *Saxpy = R"(
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

std::string keyFor(const Module &M, const DeviceInfo &I) {
  return planCodeKey(M, "saxpy", codegenOptionsForDevice(I, {}, false), false);
}

TEST(MultiDeviceCacheTest, TheKeyFollowsTheDeviceArchitecture) {
  auto M = parseAndVerify(Saxpy);
  ASSERT_TRUE(bool(M)) << errText(M.takeError());
  DeviceInfo H100 = fakeInfo(9, 0), H200 = fakeInfo(9, 0),
             A100 = fakeInfo(8, 0);
  H200.Name = "another sm_90";
  CodegenOptions O90 = codegenOptionsForDevice(H100, {}, false);
  EXPECT_EQ(O90.Target, "sm_90");
  EXPECT_TRUE(O90.Cubin);
  CodegenOptions O80 = codegenOptionsForDevice(A100, {}, false);
  EXPECT_EQ(O80.Target, "sm_80");
  EXPECT_TRUE(O80.Cubin);
  EXPECT_EQ(keyFor(**M, H100), keyFor(**M, H200));
  EXPECT_NE(keyFor(**M, H100), keyFor(**M, A100));

  // A GPU newer than the code generator knows gets PTX of the default
  // target, which the driver compiles forward: never the sm_90 cubin.
  DeviceInfo Future = fakeInfo(99, 0);
  CodegenOptions OF = codegenOptionsForDevice(Future, {}, false);
  EXPECT_EQ(OF.Target, CodegenOptions().Target);
  EXPECT_FALSE(OF.Cubin);
  EXPECT_NE(keyFor(**M, Future), keyFor(**M, H100));
  // A target given for another architecture: PTX too.
  CodegenOptions Given;
  Given.Target = "sm_80";
  CodegenOptions OG = codegenOptionsForDevice(H100, Given, true);
  EXPECT_EQ(OG.Target, "sm_80");
  EXPECT_FALSE(OG.Cubin);
  EXPECT_TRUE(codegenOptionsForDevice(A100, Given, true).Cubin);
}

TEST(MultiDeviceCacheTest, SameArchitectureCompilesOnceTwoCompileTwice) {
  auto M = parseAndVerify(Saxpy);
  ASSERT_TRUE(bool(M)) << errText(M.takeError());
  auto P = buildPlan(**M, "saxpy", CompileOptions());
  ASSERT_TRUE(bool(P)) << errText(P.takeError());
  ModuleCache Cache(""); // in memory only
  FakeDevice G0("cuda:0", 9, 0), G1("cuda:1", 9, 0), G2("cuda:2", 8, 0);
  std::vector<std::string> Keys;
  for (Device *D : {static_cast<Device *>(&G0), static_cast<Device *>(&G1),
                    static_cast<Device *>(&G2)}) {
    CodegenOptions O = codegenOptionsForDevice(D->info(), {}, false);
    std::string Key = planCodeKey(**M, "saxpy", O, false);
    auto C = cachedPlanCode(Cache, Key, *P, O);
    ASSERT_TRUE(bool(C)) << D->name() << ": " << errText(C.takeError());
    EXPECT_FALSE(C->Bytes.empty());
    Keys.push_back(Key);
    if (D == &G1) {
      CacheStats S = Cache.stats();
      EXPECT_EQ(S.Compiles, 1u); // cuda:1 shares cuda:0's code
      EXPECT_EQ(S.MemoryHits, 1u);
    }
  }
  CacheStats S = Cache.stats();
  EXPECT_EQ(S.Compiles, 2u); // sm_80 is compiled for itself
  EXPECT_EQ(S.MemoryEntries, 2u);
  EXPECT_EQ(Keys[0], Keys[1]);
  EXPECT_NE(Keys[0], Keys[2]);
}

/// Makes D compute saxpy's kernel when it is launched: the launch passes the
/// slot array, LB, UB, Step, then the host-known arguments in the step's
/// order (docs/codegen.md); the positions of a, x and y come from the plan.
void emulateSaxpy(FakeDevice &D, const LoadedPlan &LP) {
  const PlanStep &St = LP.plan().Steps.at(0);
  std::map<std::string, size_t> Pos;
  size_t K = 4;
  for (SlotId S : St.Args)
    if (LP.abi().HostKnown[S])
      Pos[LP.plan().Slots[S].Name] = K++;
  const StepCode &C = *LP.abi().Code.at(St.Func);
  D.ParamCounts[C.Main.Name] = C.Main.Params.size();
  size_t PA = Pos.at("a"), PX = Pos.at("x"), PY = Pos.at("y");
  D.OnLaunch[C.Main.Name] = [&D, PA, PX, PY](const LaunchRecord &L) {
    uint64_t Lo = L.Params[1], Hi = L.Params[2], Step = L.Params[3];
    float A;
    uint32_t ABits = uint32_t(L.Params[PA]);
    std::memcpy(&A, &ABits, 4);
    if (Hi <= Lo)
      return;
    auto *X = reinterpret_cast<float *>(D.hostPtr(L.Params[PX], 4 * Hi));
    auto *Y = reinterpret_cast<float *>(D.hostPtr(L.Params[PY], 4 * Hi));
    for (uint64_t I = Lo; I < Hi; I += Step)
      Y[I] = A * X[I] + Y[I]; // fmul then fadd, as the VIR says
  };
}

TEST(MultiDevicePlanTest, OnePlanOnTwoDevicesFromTwoThreads) {
  auto M = parseAndVerify(Saxpy);
  ASSERT_TRUE(bool(M)) << errText(M.takeError());
  constexpr uint64_t N = 20000;
  constexpr unsigned Iterations = 5;
  const float A = 1.25f;
  std::vector<float> X(N), Y0(N);
  for (uint64_t I = 0; I < N; ++I) {
    X[I] = float(I % 97) * 0.37f - 3.0f;
    Y0[I] = float(I % 13) * 1.9f + 0.1f;
  }
  // The interpreter's answer: saxpy applied Iterations times.
  std::vector<float> Want = Y0;
  auto Interp = Interpreter::create(**M, "saxpy");
  ASSERT_TRUE(bool(Interp)) << errText(Interp.takeError());
  for (unsigned It = 0; It < Iterations; ++It) {
    auto R = (*Interp)->run({InterpArg::scalar(N), InterpArg::scalar(f32b(A)),
                             InterpArg::buffer(X.data(), N),
                             InterpArg::buffer(Want.data(), N)});
    ASSERT_TRUE(bool(R)) << errText(R.takeError());
  }

  FakeDevice D0("cuda:0"), D1("cuda:1");
  FakeDevice *Devs[2] = {&D0, &D1};
  std::unique_ptr<LoadedPlan> Plans[2];
  for (unsigned G = 0; G < 2; ++G) {
    Devs[G]->AnyKernel = true;
    // A Plan is move-only: the same plan, built once per device.
    auto P = buildPlan(**M, "saxpy", CompileOptions());
    ASSERT_TRUE(bool(P)) << errText(P.takeError());
    auto LP = LoadedPlan::load(*Devs[G], std::move(*P), false, "one image");
    ASSERT_TRUE(bool(LP)) << errText(LP.takeError());
    Plans[G] = std::move(*LP);
    emulateSaxpy(*Devs[G], *Plans[G]);
  }
  std::vector<float> Got[2];
  std::string Errors[2];
  auto Work = [&](unsigned G) {
    Device &D = *Devs[G];
    auto Fail = [&](llvm::Error E) { Errors[G] = errText(std::move(E)); };
    auto Xd = D.alloc(4 * N), Yd = D.alloc(4 * N);
    if (!Xd)
      return Fail(Xd.takeError());
    if (!Yd)
      return Fail(Yd.takeError());
    if (llvm::Error E = D.copyToDevice(*Xd, X.data(), 4 * N))
      return Fail(std::move(E));
    if (llvm::Error E = D.copyToDevice(*Yd, Y0.data(), 4 * N))
      return Fail(std::move(E));
    auto S = D.createStream();
    if (!S)
      return Fail(S.takeError());
    for (unsigned It = 0; It < Iterations; ++It) {
      auto R = Plans[G]->run({DeviceArg::scalar(N), DeviceArg::scalar(f32b(A)),
                              DeviceArg::buffer(Xd->ptr(), N),
                              DeviceArg::buffer(Yd->ptr(), N)},
                             *S);
      if (!R)
        return Fail(R.takeError());
    }
    Got[G].resize(N);
    if (llvm::Error E = D.copyToHost(Got[G].data(), *Yd, 4 * N))
      return Fail(std::move(E));
  };
  std::thread T0(Work, 0), T1(Work, 1);
  T0.join();
  T1.join();
  for (unsigned G = 0; G < 2; ++G) {
    SCOPED_TRACE(Devs[G]->name());
    ASSERT_EQ(Errors[G], "");
    ASSERT_EQ(Got[G].size(), N);
    EXPECT_EQ(std::memcmp(Got[G].data(), Want.data(), 4 * N), 0);
    EXPECT_EQ(Devs[G]->Launches, Iterations);
  }
  Plans[0].reset();
  Plans[1].reset();
}

} // namespace
