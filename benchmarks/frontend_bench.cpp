//===- frontend_bench.cpp - parse, verify, print and hash throughput ------===//
//
// The front end on a 100,000-op function (issue: "parses and verifies in well
// under a second") and on a file of many small functions. Reported as time per
// iteration and as VIR ops per second.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Hash.h"
#include "ircgpu/Parser.h"
#include "ircgpu/Printer.h"
#include "ircgpu/Verifier.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace ircgpu;

namespace {

/// One function of N integer adds, each using the previous result.
std::string chainOfAdds(int N) {
  std::string S = "func @big(%a: i64) -> i64 {\n  %v0 = add %a, 1\n";
  for (int I = 1; I < N; ++I)
    S += "  %v" + std::to_string(I) + " = add %v" + std::to_string(I - 1) +
         ", " + std::to_string(I) + "\n";
  S += "  ret %v" + std::to_string(N - 1) + "\n}\n";
  return S;
}

std::unique_ptr<Module> parseOrDie(const std::string &Text) {
  auto M = parseAndVerify(Text);
  if (!M) {
    std::fprintf(stderr, "%s\n", llvm::toString(M.takeError()).c_str());
    std::abort();
  }
  return std::move(*M);
}

void BM_ParseAndVerify100kOps(benchmark::State &State) {
  std::string Text = chainOfAdds(100000);
  for (auto _ : State)
    benchmark::DoNotOptimize(parseOrDie(Text));
  State.counters["vir_ops_per_s"] = benchmark::Counter(
      100001.0 * State.iterations(), benchmark::Counter::kIsRate);
  State.SetBytesProcessed(int64_t(Text.size()) * State.iterations());
}

void BM_Print100kOps(benchmark::State &State) {
  auto M = parseOrDie(chainOfAdds(100000));
  for (auto _ : State)
    benchmark::DoNotOptimize(printModule(*M));
}

void BM_Hash100kOps(benchmark::State &State) {
  auto M = parseOrDie(chainOfAdds(100000));
  for (auto _ : State)
    benchmark::DoNotOptimize(moduleHash(*M, {"big", "sm_90", {"-O2"}}));
}

} // namespace

BENCHMARK(BM_ParseAndVerify100kOps)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Print100kOps)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Hash100kOps)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
