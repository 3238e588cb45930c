//===- Bench.h - `irc-gpu bench`: the GPU benchmark harness -----*- C++ -*-===//
//
// The CLI's `bench` subcommand is a thin wrapper over runBench()
// (benchmarks/README.md describes what is measured and how).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_BENCH_BENCH_H
#define IRCGPU_BENCH_BENCH_H

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace ircbench {

struct BenchOptions {
  std::vector<std::string> Workloads; ///< empty: all
  unsigned Repeat = 100; ///< the most timed runs of one measurement
  std::string JsonPath;  ///< JSON lines to this file ("" none, "-" stdout)
  std::string RefsPath;  ///< refs.cubin; "" = no hand-written references
  std::string Device = "cuda";
  /// No GPU: every workload at its small size on the interpreter and the
  /// plan simulator through the harness's checks, and the compile and
  /// cache measurements without the module load.
  bool DryRun = false;
  uint64_t Seed = 1;
  /// Internal, for the fresh processes the harness starts itself:
  /// "cold-compile" or "disk-hit" (with CacheDir); prints one JSON object.
  std::string Measure;
  std::string CacheDir;
  /// argv[0], to find this executable again.
  std::string Argv0;
};

/// An error with the exit status it maps to (spec/cli.md): 2 bad usage,
/// 3 no GPU, a device error, or a result that failed its check.
class BenchError : public llvm::ErrorInfo<BenchError> {
public:
  static char ID;
  BenchError(int Code, std::string Msg) : Code(Code), Msg(std::move(Msg)) {}
  void log(llvm::raw_ostream &OS) const override { OS << Msg; }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }
  int code() const { return Code; }

private:
  int Code;
  std::string Msg;
};

/// Runs the benchmarks (or a child measurement) and prints the table.
llvm::Error runBench(const BenchOptions &Opts);

} // namespace ircbench

#endif
