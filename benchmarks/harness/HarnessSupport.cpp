//===- HarnessSupport.cpp - pieces of `irc-gpu bench`
//----------------------===//
#include "HarnessSupport.h"

#include "ircgpu/Compiler.h"
#include "ircgpu/Executor.h"
#include "ircgpu/ModuleCache.h"
#include "ircgpu/Parser.h"
#include "ircgpu/PlanCode.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace llvm;
using namespace ircgpu;

namespace ircbench {

double msSince(Clock::time_point T) {
  return std::chrono::duration<double, std::milli>(Clock::now() - T).count();
}

Error benchError(int Code, const Twine &Msg) {
  return make_error<BenchError>(Code, Msg.str());
}
/// A device or library error as exit status 3.
Error runtime(Error E, const Twine &What) {
  if (!E)
    return E;
  return benchError(3, What + ": " + toString(std::move(E)));
}

/// Codegen options of the harness: those of `irc-gpu run` by default (-O2,
/// sm_90: the H100 and H200), so that it shares the module cache's entries.
CodegenOptions codegenOptions() {
  CodegenOptions O;
  O.Target = Target;
  return O;
}

Expected<Built> buildWorkload(const Workload &W) {
  Built B;
  auto M = parseAndVerify(workloadSource(W.Name));
  if (!M)
    return runtime(M.takeError(), Twine("workload ") + W.Name);
  B.M = std::move(*M);
  auto P = buildPlan(*B.M, W.Entry);
  if (!P)
    return runtime(P.takeError(), Twine("workload ") + W.Name);
  B.P = std::move(*P);
  B.Key = planCodeKey(*B.M, W.Entry, codegenOptions(), false);
  return B;
}

Expected<std::string> compileSerialized(const Plan &P, CompileTimings *T) {
  auto C = compilePlanCode(P, codegenOptions(), T);
  if (!C)
    return C.takeError();
  return C->serialize();
}

//===-- statistics and timing ---------------------------------------------===//

Stats stats(std::vector<double> V) {
  Stats S;
  if (V.empty())
    return S;
  std::sort(V.begin(), V.end());
  S.Reps = V.size();
  S.Min = V.front();
  S.Max = V.back();
  size_t H = V.size() / 2;
  S.Median = V.size() % 2 ? V[H] : (V[H - 1] + V[H]) / 2;
  return S;
}

/// Times Run (which enqueues on S, or runs synchronously on it) with events:
/// 3 warm-up runs, then as many runs as fit in about half a second, between
/// 5 and MaxReps.
Expected<Stats> timeOnStream(Device &Dev, const Stream &S,
                             function_ref<Error()> Run, unsigned MaxReps) {
  for (int I = 0; I < 3; ++I)
    if (Error E = Run())
      return E;
  if (Error E = Dev.synchronize(S))
    return E;
  auto Start = Dev.createEvent(), End = Dev.createEvent();
  if (!Start)
    return Start.takeError();
  if (!End)
    return End.takeError();
  std::vector<double> Ms;
  double Spent = 0;
  unsigned Reps = std::max(5u, MaxReps);
  for (unsigned R = 0; R < Reps; ++R) {
    if (Error E = Dev.record(*Start, S))
      return E;
    if (Error E = Run())
      return E;
    if (Error E = Dev.record(*End, S))
      return E;
    auto T = Dev.elapsedMs(*Start, *End);
    if (!T)
      return T.takeError();
    Ms.push_back(*T);
    Spent += *T;
    if (R + 1 >= 5 && Spent > 500)
      break;
  }
  return stats(std::move(Ms));
}

json::Object timingExtra(const Stats &S, StringRef Prefix) {
  return json::Object{{(Prefix + "_median_ms").str(), S.Median},
                      {(Prefix + "_min_ms").str(), S.Min},
                      {(Prefix + "_max_ms").str(), S.Max},
                      {(Prefix + "_reps").str(), int64_t(S.Reps)}};
}
void merge(json::Object &Into, json::Object From) {
  for (auto &KV : From)
    Into.try_emplace(KV.first, std::move(KV.second));
}

} // namespace ircbench
