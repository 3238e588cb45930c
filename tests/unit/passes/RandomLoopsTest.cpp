//===- tests/unit/passes/RandomLoopsTest.cpp - differential testing -------===//
//
// Random valid loop programs (LoopGen.h) run on the reference interpreter and,
// compiled into launch plans, on the plan simulator with several seeds: every
// returned value and every buffer byte must agree. A wrong independence proof
// shows up as a mismatch under some visiting order; a wrong reduction or
// plan-loop lowering as a mismatch under every order.
//
// IRCGPU_RANDOM_LOOPS=N runs N programs (default 2000), IRCGPU_RANDOM_SEED=S
// starts at program seed S (default 1): a failure names the seed of its
// program, so IRCGPU_RANDOM_SEED=S IRCGPU_RANDOM_LOOPS=1 repeats it alone.
//
//===----------------------------------------------------------------------===//

#include "LoopGen.h"

#include "ircgpu/Compiler.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Interpreter.h"
#include "ircgpu/Parser.h"
#include "ircgpu/Simulator.h"

#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <random>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

constexpr uint64_t SimSeeds[] = {1, 2, 0x9e3779b97f4a7c15ull};

uint64_t envOr(const char *Name, uint64_t Default) {
  const char *V = std::getenv(Name);
  return V && *V ? std::strtoull(V, nullptr, 0) : Default;
}

unsigned elemBytes(Scalar S) { return S == Scalar::I32 ? 4 : 8; }

struct Inputs {
  uint64_t N;
  std::vector<std::vector<uint8_t>> Mem; ///< per buffer; aliases share
};

Inputs makeInputs(const GenProgram &G, uint64_t Seed) {
  std::mt19937_64 R(Seed * 0x2545f4914f6cdd1dull + 17);
  Inputs In;
  In.N = R() % 7;
  bool Small = R() % 2;
  for (size_t K = 0; K < G.Buffers.size(); ++K) {
    unsigned B = elemBytes(G.Buffers[K]);
    std::vector<uint8_t> Mem(In.N * In.N * B);
    for (size_t E = 0; E < In.N * In.N; ++E) {
      uint64_t V = Small ? uint64_t(int64_t(R() % 17) - 8) : R();
      std::memcpy(Mem.data() + E * B, &V, B); // little-endian low bytes
    }
    In.Mem.push_back(std::move(Mem));
  }
  return In;
}

/// The arguments over Mem; aliased buffers get their partner's memory.
std::vector<InterpArg> argsOf(const GenProgram &G, uint64_t N,
                              std::vector<std::vector<uint8_t>> &Mem) {
  std::vector<InterpArg> Args = {InterpArg::scalar(N)};
  for (size_t K = 0; K < G.Buffers.size(); ++K) {
    int Owner = G.AliasOf[K] >= 0 ? G.AliasOf[K] : static_cast<int>(K);
    Args.push_back(InterpArg::buffer(Mem[Owner].data(), N * N));
  }
  return Args;
}

struct Stats {
  unsigned Programs = 0, Plans = 0, Refused = 0, Kernels = 0, Sequential = 0,
           Failures = 0;
};

void countSteps(const std::vector<PlanStep> &Steps, Stats &S) {
  for (const PlanStep &St : Steps) {
    S.Kernels += St.Kind == StepKind::Kernel;
    S.Sequential += St.Kind == StepKind::Scalar && St.Sequential;
    countSteps(St.Body, S);
    countSteps(St.Cond, S);
    countSteps(St.Fallback, S);
  }
}

std::string hexBytes(const std::vector<uint8_t> &M) {
  std::string S;
  char Buf[4];
  for (uint8_t B : M) {
    std::snprintf(Buf, sizeof(Buf), "%02x", B);
    S += Buf;
  }
  return S;
}

/// Checks one program; on a mismatch a test failure with everything needed
/// to reproduce it.
void checkProgram(uint64_t Seed, Stats &St) {
  ++St.Programs;
  GenProgram G = generateLoops(Seed);
  auto Fail = [&](const std::string &What) {
    ++St.Failures;
    ADD_FAILURE() << "program seed " << Seed << ": " << What << "\n" << G.Text;
  };
  auto M = parseAndVerify(G.Text);
  if (!M)
    return Fail("generated invalid VIR: " + llvm::toString(M.takeError()));
  Inputs In = makeInputs(G, Seed);

  auto I = Interpreter::create(**M, "f");
  if (!I)
    return Fail(llvm::toString(I.takeError()));
  std::vector<std::vector<uint8_t>> RefMem = In.Mem;
  auto Ref = (*I)->run(argsOf(G, In.N, RefMem));
  if (!Ref)
    return Fail("interpreter: " + llvm::toString(Ref.takeError()));

  for (bool AllowSeq : {false, true}) {
    CompileOptions CO;
    CO.AllowSequential = AllowSeq;
    auto P = buildPlan(**M, "f", CO);
    if (!P) {
      std::string Msg = llvm::toString(P.takeError());
      if (!AllowSeq && Msg.find("not offloadable: ") != std::string::npos) {
        ++St.Refused;
        continue;
      }
      return Fail(std::string("buildPlan") +
                  (AllowSeq ? " (AllowSequential)" : "") + ": " + Msg);
    }
    ++St.Plans;
    countSteps(P->Steps, St);
    for (uint64_t SimSeed : SimSeeds) {
      std::vector<std::vector<uint8_t>> Mem = In.Mem;
      auto R = simulatePlan(*P, argsOf(G, In.N, Mem), {SimSeed});
      std::string Where = "n = " + std::to_string(In.N) + ", simulator seed " +
                          std::to_string(SimSeed) +
                          (AllowSeq ? ", AllowSequential" : "");
      std::string PlanText;
      llvm::raw_string_ostream OS(PlanText);
      printPlan(*P, OS);
      if (!R)
        return Fail(Where + ": " + llvm::toString(R.takeError()) + "\nplan:\n" +
                    PlanText);
      if (*R != *Ref)
        return Fail(Where +
                    ": returned values differ from the "
                    "interpreter's\nplan:\n" +
                    PlanText);
      for (size_t K = 0; K < Mem.size(); ++K)
        if (Mem[K] != RefMem[K])
          return Fail(Where + ": buffer %b" + std::to_string(K) +
                      " differs: interpreter " + hexBytes(RefMem[K]) +
                      ", simulator " + hexBytes(Mem[K]) + "\nplan:\n" +
                      PlanText);
    }
  }
}

TEST(RandomLoopsTest, SimulatedPlansMatchTheInterpreter) {
  uint64_t First = envOr("IRCGPU_RANDOM_SEED", 1);
  uint64_t Count = envOr("IRCGPU_RANDOM_LOOPS", 2000);
  Stats St;
  for (uint64_t K = 0; K < Count && St.Failures < 5; ++K)
    checkProgram(First + K, St);
  // Guards against a generator that silently stopped exercising the passes.
  if (Count >= 200) {
    EXPECT_GT(St.Kernels, St.Programs / 4);
    EXPECT_GT(St.Refused, 0u);
    EXPECT_GT(St.Sequential, 0u);
  }
  std::printf("random loops: %u programs from seed %llu, %u plans, %u "
              "refused without --allow-sequential, %u kernel steps, %u "
              "sequential steps, %u failures\n",
              St.Programs, static_cast<unsigned long long>(First), St.Plans,
              St.Refused, St.Kernels, St.Sequential, St.Failures);
}

TEST(RandomLoopsTest, GeneratorIsDeterministic) {
  EXPECT_EQ(generateLoops(42).Text, generateLoops(42).Text);
  EXPECT_NE(generateLoops(42).Text, generateLoops(43).Text);
}

} // namespace
