//===- HarnessSupport.h - pieces of `irc-gpu bench` -------------*- C++ -*-===//
//
// What the harness (Harness.cpp) and its child-process measurements
// (ChildMeasures.cpp) share: errors with exit statuses, building a workload's
// plan, compiling it, and timing with events.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_BENCH_HARNESSSUPPORT_H
#define IRCGPU_BENCH_HARNESSSUPPORT_H

#include "Bench.h"
#include "Workloads.h"

#include "ircgpu/Codegen.h"
#include "ircgpu/Device.h"
#include "ircgpu/IR.h"
#include "ircgpu/Plan.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace ircbench {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point T);

llvm::Error benchError(int Code, const llvm::Twine &Msg);
/// A device or library error as exit status 3.
llvm::Error runtime(llvm::Error E, const llvm::Twine &What);
template <typename T>
llvm::Expected<T> runtime(llvm::Expected<T> V, const llvm::Twine &What) {
  if (!V)
    return runtime(V.takeError(), What);
  return V;
}

/// Codegen options of the harness: those of `irc-gpu run` by default (-O2,
/// sm_90: the H100 and H200), so that it shares the module cache's entries.
inline constexpr const char *Target = "sm_90";
ircgpu::CodegenOptions codegenOptions();

/// A workload's module, plan and module-cache key.
struct Built {
  std::unique_ptr<ircgpu::Module> M;
  ircgpu::Plan P;
  std::string Key;
};
llvm::Expected<Built> buildWorkload(const Workload &W);
/// compilePlanCode's code object, serialised as the cache keeps it.
llvm::Expected<std::string>
compileSerialized(const ircgpu::Plan &P, ircgpu::CompileTimings *T = nullptr);

struct Stats {
  double Median = 0, Min = 0, Max = 0;
  unsigned Reps = 0;
};
Stats stats(std::vector<double> V);
/// Times Run (which enqueues on S, or runs synchronously on it) with events:
/// 3 warm-up runs, then as many runs as fit in about half a second, between
/// 5 and MaxReps.
llvm::Expected<Stats> timeOnStream(ircgpu::Device &Dev, const ircgpu::Stream &S,
                                   llvm::function_ref<llvm::Error()> Run,
                                   unsigned MaxReps);
llvm::json::Object timingExtra(const Stats &S, llvm::StringRef Prefix);
void merge(llvm::json::Object &Into, llvm::json::Object From);

//===-- child processes (ChildMeasures.cpp) -------------------------------===//

/// Runs this executable as `bench --measure Mode --workload W ...` and
/// parses the JSON object it prints last.
llvm::Expected<llvm::json::Object> runChild(const BenchOptions &O,
                                            llvm::StringRef Mode,
                                            llvm::StringRef Workload,
                                            llvm::StringRef CacheDir = "");
/// `--measure cold-compile` and `--measure disk-hit`, in this process.
llvm::Error measureColdCompile(const BenchOptions &O, const Workload &W,
                               ircgpu::Device *Dev);
llvm::Error measureDiskHit(const BenchOptions &O, const Workload &W,
                           ircgpu::Device *Dev);

} // namespace ircbench

#endif
