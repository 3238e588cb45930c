//===- BenchTest.cpp - the benchmark harness without a GPU ----------------===//
//
// Every workload parses, plans as intended and, at its small size, gives
// results that pass the harness's own checks on the interpreter and on the
// plan simulator; the checks catch a wrong element; the ratio and the JSON
// records are what benchmarks/README.md says.
//
//===----------------------------------------------------------------------===//
#include "Report.h"
#include "Workloads.h"

#include "ircgpu/Compiler.h"
#include "ircgpu/Parser.h"
#include "ircgpu/Simulator.h"

#include "gtest/gtest.h"

#include <cmath>
#include <map>

using namespace ircbench;
using namespace ircgpu;

namespace {

/// The plan's steps in short: K<dims>[r<reductions>] for a kernel, S for a
/// scalar step (Sseq if sequential), O(...) for an overlap check, L(...)
/// for a plan loop.
std::string shape(const std::vector<PlanStep> &Steps) {
  std::string S;
  for (const PlanStep &St : Steps) {
    if (!S.empty())
      S += " ";
    switch (St.Kind) {
    case StepKind::Kernel:
      S += "K" + std::to_string(St.Grid.size());
      if (!St.Reductions.empty())
        S += "r" + std::to_string(St.Reductions.size());
      break;
    case StepKind::Scalar:
      S += St.Sequential ? "Sseq" : "S";
      break;
    case StepKind::OverlapCheck:
      S += "O(" + shape(St.Body) + ")";
      break;
    default:
      S += "L(" + shape(St.Body) + ")";
    }
  }
  return S;
}

Plan planOf(const Workload &W) {
  auto M = parseAndVerify(workloadSource(W.Name));
  EXPECT_TRUE(bool(M)) << W.Name << ": " << toString(M.takeError());
  auto P = buildPlan(**M, W.Entry);
  EXPECT_TRUE(bool(P)) << W.Name << ": " << toString(P.takeError());
  return std::move(*P);
}

TEST(BenchWorkloads, AllNineExistWithTheirSources) {
  std::vector<std::string> Names;
  for (const Workload &W : workloads()) {
    Names.push_back(W.Name);
    EXPECT_FALSE(workloadSource(W.Name).empty()) << W.Name;
    EXPECT_EQ(findWorkload(W.Name), &W);
  }
  EXPECT_EQ(Names, (std::vector<std::string>{"saxpy", "expsin", "sum", "dot",
                                             "stencil", "matmul", "histogram",
                                             "normalize", "minmax"}));
  EXPECT_EQ(findWorkload("nope"), nullptr);
  // The issue's sizes.
  EXPECT_EQ(findWorkload("saxpy")->Full, std::vector<uint64_t>{1ull << 26});
  EXPECT_EQ(findWorkload("stencil")->Full, (std::vector<uint64_t>{8192, 8192}));
  EXPECT_EQ(findWorkload("matmul")->Full, std::vector<uint64_t>{4096});
}

TEST(BenchWorkloads, PlanAsIntended) {
  const std::map<std::string, std::string> Want = {
      {"saxpy", "K1"},     {"expsin", "K1"},           {"sum", "K1r1"},
      {"dot", "K1r1"},     {"stencil", "S K2"},        {"matmul", "K2"},
      {"histogram", "K1"}, {"normalize", "K1r1 S K1"}, {"minmax", "K1r3"}};
  for (const Workload &W : workloads())
    EXPECT_EQ(shape(planOf(W).Steps), Want.at(W.Name)) << W.Name;
}

TEST(BenchWorkloads, SaxpyHasNoParallelHint) {
  // The compiler must prove saxpy parallel itself (issue 6).
  llvm::SmallVector<llvm::StringRef> Lines;
  workloadSource("saxpy").split(Lines, '\n');
  unsigned Loops = 0;
  for (llvm::StringRef L : Lines)
    if (L.trim().starts_with("for ")) {
      ++Loops;
      EXPECT_FALSE(L.contains("parallel")) << L.str();
    }
  EXPECT_EQ(Loops, 1u);
}

/// Runs W at its small size on the interpreter (Sim false) or the plan
/// simulator and returns the result.
std::pair<Instance, Result> runSmall(const Workload &W, bool Sim,
                                     uint64_t Seed = 7) {
  Instance In = W.Make(W.Small, Seed);
  Result R{In.Buffers, {}};
  auto M = parseAndVerify(workloadSource(W.Name));
  EXPECT_TRUE(bool(M));
  auto Args = interpArgs(In, R);
  if (Sim) {
    auto P = buildPlan(**M, W.Entry);
    EXPECT_TRUE(bool(P));
    auto V = simulatePlan(*P, Args, {Seed});
    EXPECT_TRUE(bool(V)) << W.Name << ": " << toString(V.takeError());
    R.Returns = *V;
  } else {
    auto I = Interpreter::create(**M, W.Entry);
    EXPECT_TRUE(bool(I));
    auto V = (*I)->run(Args);
    EXPECT_TRUE(bool(V)) << W.Name << ": " << toString(V.takeError());
    R.Returns = *V;
  }
  return {std::move(In), std::move(R)};
}

TEST(BenchWorkloads, SmallRunsPassTheChecksOnInterpAndSim) {
  for (const Workload &W : workloads()) {
    auto [InI, RI] = runSmall(W, false);
    EXPECT_EQ(W.Check(InI, RI), "") << W.Name << " on the interpreter";
    auto [InS, RS] = runSmall(W, true);
    EXPECT_EQ(W.Check(InS, RS), "") << W.Name << " on the plan simulator";
    // Integer and elementwise results are the same bits on both.
    if (std::string(W.Name) != "sum" && std::string(W.Name) != "dot" &&
        std::string(W.Name) != "normalize") {
      EXPECT_EQ(RI.Returns, RS.Returns) << W.Name;
      for (unsigned O : InI.Outputs)
        EXPECT_EQ(RI.Buffers[O].Bytes, RS.Buffers[O].Bytes) << W.Name;
    }
  }
}

TEST(BenchWorkloads, InputsAreSeededAndNotZero) {
  for (const Workload &W : workloads()) {
    Instance A = W.Make(W.Small, 1), B = W.Make(W.Small, 1),
             C = W.Make(W.Small, 2);
    ASSERT_FALSE(A.Buffers.empty());
    const HostBuffer &In0 = A.Buffers[0];
    EXPECT_EQ(In0.Bytes, B.Buffers[0].Bytes) << W.Name;
    EXPECT_NE(In0.Bytes, C.Buffers[0].Bytes) << W.Name;
    uint64_t Zeros = 0;
    for (uint64_t I = 0; I < In0.count(); ++I) {
      const uint8_t *E = In0.Bytes.data() + I * elemBytes(In0.Ty);
      Zeros += std::all_of(E, E + elemBytes(In0.Ty),
                           [](uint8_t X) { return X == 0; });
    }
    EXPECT_LT(Zeros, In0.count() / 100 + 1) << W.Name;
    EXPECT_GT(A.Bytes, 0u) << W.Name;
    EXPECT_EQ(A.Params.size(), A.Params.size());
  }
}

/// A copy of Res with one value made wrong: the first output's element I,
/// or else the first returned value.
Result corrupt(const Instance &In, Result Res, uint64_t I) {
  if (!In.Outputs.empty()) {
    HostBuffer &B = Res.Buffers[In.Outputs[0]];
    I %= B.count();
    if (B.Ty == Elem::F32)
      B.as<float>()[I] = B.as<float>()[I] * 1.001f + 0.01f;
    else if (B.Ty == Elem::I32)
      B.as<int32_t>()[I] += 1;
    else
      B.as<double>()[I] = B.as<double>()[I] * (1 + 1e-9) + 1e-9;
  } else {
    // One bit above the bound of the float reductions; exact integers.
    uint64_t &V = Res.Returns[I % Res.Returns.size()];
    if (std::string(In.Buffers[0].Ty == Elem::I32 ? "i" : "f") == "i")
      V += 1;
    else if (In.Buffers[0].Ty == Elem::F32)
      V = std::bit_cast<uint32_t>(std::bit_cast<float>(uint32_t(V)) + 0.5f);
    else
      V = std::bit_cast<uint64_t>(std::bit_cast<double>(V) + 1e-6);
  }
  return Res;
}

TEST(BenchWorkloads, ChecksCatchAWrongValue) {
  for (const Workload &W : workloads()) {
    auto [In, R] = runSmall(W, true);
    ASSERT_EQ(W.Check(In, R), "") << W.Name;
    for (uint64_t I : {0ull, 5ull, 123ull})
      EXPECT_NE(W.Check(In, corrupt(In, R, I)), "") << W.Name << " at " << I;
    // Outputs left as they started (poisoned) must fail too.
    if (!In.Outputs.empty()) {
      Result Untouched{In.Buffers, R.Returns};
      EXPECT_NE(W.Check(In, Untouched), "") << W.Name;
    }
  }
}

TEST(BenchReport, RatioIsAlwaysHigherIsBetterForIrcGpu) {
  EXPECT_EQ(*ratio("GBps", 2000.0, 1000.0), 2.0);
  EXPECT_EQ(*ratio("TFLOPs", 2.5, 5.0), 0.5);
  EXPECT_EQ(*ratio("ms", 1.0, 2.0), 2.0); // faster than the reference
  EXPECT_EQ(*ratio("us", 4.0, 2.0), 0.5);
  EXPECT_FALSE(ratio("GBps", std::nullopt, 1.0));
  EXPECT_FALSE(ratio("ms", 1.0, std::nullopt));
  EXPECT_FALSE(ratio("ms", 0.0, 1.0));
  EXPECT_TRUE(higherIsBetter("GBps"));
  EXPECT_FALSE(higherIsBetter("ms"));
}

TEST(BenchReport, JsonRecordHasTheIssuesFields) {
  Record R;
  R.Workload = "saxpy";
  R.Measure = "time";
  R.Metric = "ms";
  R.Vs = "cuda";
  R.Irc = 0.5;
  R.Ref = 0.4;
  R.N = 1ull << 26;
  R.Size = "67108864";
  R.Check = "ok";
  R.Extra["irc_gpu_reps"] = 100;
  RunInfo Info{"NVIDIA H200", "580.1", "2026-12-01T00:00:00Z"};
  std::string Line = jsonLine(R, Info);
  EXPECT_EQ(Line.find('\n'), std::string::npos);
  auto V = llvm::json::parse(Line);
  ASSERT_TRUE(bool(V)) << toString(V.takeError());
  const llvm::json::Object &O = *V->getAsObject();
  EXPECT_EQ(O.getString("workload"), "saxpy");
  EXPECT_EQ(O.getString("metric"), "ms");
  EXPECT_EQ(O.getNumber("irc_gpu"), 0.5);
  EXPECT_EQ(O.getNumber("reference"), 0.4);
  EXPECT_DOUBLE_EQ(*O.getNumber("ratio"), 0.8); // lower is better: 0.4/0.5
  EXPECT_EQ(O.getString("gpu"), "NVIDIA H200");
  EXPECT_EQ(O.getString("driver"), "580.1");
  EXPECT_EQ(O.getString("date"), "2026-12-01T00:00:00Z");
  EXPECT_EQ(O.getInteger("n"), int64_t(1) << 26);
  EXPECT_EQ(O.getString("check"), "ok");
  EXPECT_EQ(O.getInteger("irc_gpu_reps"), 100);
  // No reference: null reference and ratio, not a missing field.
  R.Ref.reset();
  auto V2 = llvm::json::parse(jsonLine(R, Info));
  ASSERT_TRUE(bool(V2));
  const llvm::json::Object &O2 = *V2->getAsObject();
  ASSERT_TRUE(O2.get("reference"));
  EXPECT_EQ(O2.get("reference")->kind(), llvm::json::Value::Null);
  EXPECT_EQ(O2.get("ratio")->kind(), llvm::json::Value::Null);
}

TEST(BenchReport, TableHasOneLinePerRecord) {
  Record A;
  A.Workload = "saxpy";
  A.Measure = "throughput";
  A.Metric = "GBps";
  A.Vs = "cuda";
  A.Irc = 2500;
  A.Ref = 2700;
  A.Check = "ok";
  Record B = A;
  B.Workload = "sum";
  std::string S;
  llvm::raw_string_ostream OS(S);
  printTable(OS, {A, B}, RunInfo{"GPU", "1", "today"});
  EXPECT_NE(S.find("saxpy"), std::string::npos);
  EXPECT_NE(S.find("0.9259x"), std::string::npos) << S;
  EXPECT_EQ(std::count(S.begin(), S.end(), '\n'), 4) << S;
}

} // namespace
