//===- Bench.cpp - `irc-gpu bench`: the GPU benchmark harness -------------===//
//
// Thin: the harness lives in benchmarks/harness (Bench.h); this maps its
// errors to the tool's exit statuses.
//
//===----------------------------------------------------------------------===//
#include "Tool.h"

#include "Bench.h"

using namespace llvm;

namespace irctool {

Error runBenchCmd(const ircbench::BenchOptions &Opts) {
  Error E = ircbench::runBench(Opts);
  if (!E)
    return E;
  return handleErrors(std::move(E), [](const ircbench::BenchError &B) {
    return B.code() == 2 ? usageError(B.message()) : runtimeError(B.message());
  });
}

} // namespace irctool
