//===- ChildMeasures.cpp - measurements in a fresh process ----------------===//
//
// The issue asks for cold compiles and disk-cache hits in a new process: the
// harness re-runs this executable with `--measure MODE` (runChild), which
// measures and prints one JSON object.
//
//===----------------------------------------------------------------------===//
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
//===-- child processes ---------------------------------------------------===//

std::string selfPath(const BenchOptions &O) {
  static int Anchor;
  return sys::fs::getMainExecutable(O.Argv0.c_str(), &Anchor);
}

/// Runs this executable as `bench --measure Mode --workload W ...` and
/// parses the JSON object it prints last.
Expected<json::Object> runChild(const BenchOptions &O, StringRef Mode,
                                StringRef Workload, StringRef CacheDir) {
  std::string Exe = selfPath(O);
  SmallString<128> OutFile;
  if (std::error_code EC =
          sys::fs::createTemporaryFile("irc-gpu-bench", "json", OutFile))
    return benchError(3, "temporary file: " + EC.message());
  std::vector<std::string> Args = {Exe,        "bench",      "--measure",
                                   Mode.str(), "--workload", Workload.str()};
  if (O.DryRun)
    Args.push_back("--dry-run");
  else
    Args.insert(Args.end(), {"--device", O.Device});
  if (!CacheDir.empty())
    Args.insert(Args.end(), {"--cache-dir", CacheDir.str()});
  std::vector<StringRef> Refs(Args.begin(), Args.end());
  std::optional<StringRef> Redirects[] = {std::nullopt, StringRef(OutFile),
                                          std::nullopt};
  std::string Err;
  int RC =
      sys::ExecuteAndWait(Exe, Refs, std::nullopt, Redirects, 120, 0, &Err);
  auto Text = MemoryBuffer::getFile(OutFile);
  sys::fs::remove(OutFile);
  if (RC != 0 || !Text)
    return benchError(3, "child process '" + join(Args, " ") +
                             "' failed (exit " + Twine(RC) + ") " + Err);
  StringRef Last = (*Text)->getBuffer().trim();
  Last = Last.substr(Last.rfind('\n') + 1);
  auto V = json::parse(Last);
  if (!V || !V->getAsObject())
    return benchError(3, "child process printed no JSON object: " + Last);
  return std::move(*V->getAsObject());
}

/// `--measure cold-compile`: VIR text -> loaded module, each stage timed,
/// in this (fresh) process. The device is opened first, outside the time.
Error measureColdCompile(const BenchOptions &O, const Workload &W,
                         Device *Dev) {
  auto T0 = Clock::now();
  auto M = parseAndVerify(workloadSource(W.Name));
  if (!M)
    return runtime(M.takeError(), "parse");
  double ParseMs = msSince(T0);
  auto T1 = Clock::now();
  auto P = buildPlan(**M, W.Entry);
  if (!P)
    return runtime(P.takeError(), "plan");
  double PassesMs = msSince(T1);
  auto T2 = Clock::now();
  std::string Key = planCodeKey(**M, W.Entry, codegenOptions(), false);
  double HashMs = msSince(T2);
  CompileTimings CT;
  CodegenOptions CO;
  CO.Target = Target;
  auto T3 = Clock::now();
  auto Code = compilePlanCode(*P, CO, &CT);
  if (!Code)
    return runtime(Code.takeError(), "compile");
  double CodegenMs = msSince(T3);
  double LoadMs = 0;
  if (Dev) {
    auto T4 = Clock::now();
    auto LP = LoadedPlan::load(*Dev, std::move(*P), false, Code->Bytes);
    if (!LP)
      return runtime(LP.takeError(), "load");
    LoadMs = msSince(T4);
  }
  double Total = msSince(T0);
  json::Object J{
      {"parse_ms", ParseMs},
      {"passes_ms", PassesMs},
      {"hash_ms", HashMs},
      {"target_ms", CT.TargetMs},
      {"lower_ms", CT.LowerMs},
      {"libdevice_ms", CT.LinkMs},
      {"optimize_ms", CT.OptimizeMs},
      {"ptx_ms", CT.AssemblyMs},
      {"cubin_ms", CT.ObjectMs},
      {"codegen_ms", CodegenMs},
      {"load_ms", LoadMs},
      {"total_ms", Total},
      {"format", Code->Kind == CodeObject::Format::Cubin ? "cubin" : "ptx"},
      {"code_bytes", int64_t(Code->Bytes.size())}};
  outs() << json::Value(std::move(J)) << "\n";
  return Error::success();
}

/// `--measure disk-hit`: in this fresh process, the entry for W is on disk
/// in CacheDir (the parent put it there): a new ModuleCache object's lookup,
/// and the whole way from VIR text to a loaded plan through it.
Error measureDiskHit(const BenchOptions &O, const Workload &W, Device *Dev) {
  auto T0 = Clock::now();
  auto M = parseAndVerify(workloadSource(W.Name));
  if (!M)
    return runtime(M.takeError(), "parse");
  auto P = buildPlan(**M, W.Entry);
  if (!P)
    return runtime(P.takeError(), "plan");
  std::string Key = planCodeKey(**M, W.Entry, codegenOptions(), false);
  double FrontMs = msSince(T0);
  auto T1 = Clock::now();
  ModuleCache Cache(O.CacheDir);
  bool Compiled = false;
  auto Payload = Cache.getOrCompile(Key, [&]() -> Expected<std::string> {
    Compiled = true;
    return compileSerialized(*P);
  });
  if (!Payload)
    return runtime(Payload.takeError(), "cache");
  double LookupUs = msSince(T1) * 1000;
  if (Compiled || Cache.stats().DiskHits != 1)
    return benchError(3, "disk-hit: the entry was not found on disk in " +
                             O.CacheDir);
  double LoadMs = 0;
  if (Dev) {
    auto C = CodeObject::deserialize(**Payload);
    if (!C)
      return runtime(C.takeError(), "cache entry");
    auto T2 = Clock::now();
    auto LP = LoadedPlan::load(*Dev, std::move(*P), false, C->Bytes);
    if (!LP)
      return runtime(LP.takeError(), "load");
    LoadMs = msSince(T2);
  }
  json::Object J{{"lookup_us", LookupUs},
                 {"frontend_ms", FrontMs},
                 {"load_ms", LoadMs},
                 {"total_ms", msSince(T0)}};
  outs() << json::Value(std::move(J)) << "\n";
  return Error::success();
}

} // namespace ircbench
