//===- tests/tools/cache_stress.cpp - processes x threads on one cache dir ===//
//
//   ircgpu-cache-stress [--processes P] [--threads T] [--ops N] DIR
//
// Issue 9's "8 processes x 8 threads compiling the same and different modules
// into one directory never see a torn or mixed entry and all results are
// right". The parent starts P copies of itself (--worker I); each runs T
// threads that, N times each, take a module (six shared by every process,
// three of the process's own), make a fresh ModuleCache on DIR (so that
// every request goes to the disk, as a new process would) and ask for the
// module's code through cachedPlanCode's path: the real code generator
// (PTX for sm_90, no GPU needed) compiles on a miss. The bytes returned must
// equal a compile made without the cache. One request in eight first removes
// the entry, so that writers keep renaming over files other processes read.
// Any warning (a bad entry read, a failed write), any wrong byte, any error
// fails the run. Exit 0 and "cache-stress: OK" when all was right.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Codegen.h"
#include "ircgpu/Compiler.h"
#include "ircgpu/ModuleCache.h"
#include "ircgpu/Parser.h"
#include "ircgpu/PlanCode.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace ircgpu;
using namespace llvm;

namespace {

std::mutex OutLock;
std::atomic<unsigned> Failures{0};

void fail(const Twine &Msg) {
  ++Failures;
  std::lock_guard<std::mutex> L(OutLock);
  errs() << "cache-stress: FAIL: " << Msg << "\n";
}

/// One module of the run: its key, its plan and its code compiled without
/// the cache (the reference).
struct Subject {
  std::string Key, Reference;
  std::unique_ptr<ircgpu::Module> M;
  std::unique_ptr<Plan> P;
};

/// A saxpy whose constant makes the module (and its PTX) its own.
std::string source(unsigned Id) {
  return "func @saxpy(%n: i64, %x: ptr<f32> noalias, %y: ptr<f32> noalias) {\n"
         "  for %i = 0 to %n step 1 {\n"
         "    %v = load %x[%i]\n"
         "    %w = fmul %v, " +
         std::to_string(Id) +
         ".5\n"
         "    %u = load %y[%i]\n"
         "    %s = fadd %w, %u\n"
         "    store %y[%i], %s\n"
         "  }\n"
         "  ret\n"
         "}\n";
}

CodegenOptions options() {
  CodegenOptions O;
  O.Target = "sm_90";
  O.Cubin = false; // PTX: no nvJitLink needed
  return O;
}

Expected<Subject> makeSubject(unsigned Id) {
  Subject S;
  auto M = parseAndVerify(source(Id));
  if (!M)
    return M.takeError();
  S.M = std::move(*M);
  auto P = buildPlan(*S.M, "saxpy");
  if (!P)
    return P.takeError();
  S.P = std::make_unique<Plan>(std::move(*P));
  S.Key = planCodeKey(*S.M, "saxpy", options(), false);
  auto C = compilePlanCode(*S.P, options());
  if (!C)
    return C.takeError();
  S.Reference = C->serialize();
  return S;
}

struct Counts {
  std::atomic<uint64_t> Ops{0}, Removals{0}, DiskHits{0}, Compiles{0};
};

void runThread(const std::string &Dir, std::vector<Subject> &Subjects,
               unsigned Seed, unsigned Ops, Counts &C) {
  std::mt19937 Rng(Seed);
  for (unsigned I = 0; I < Ops && !Failures; ++I) {
    Subject &S = Subjects[Rng() % Subjects.size()];
    ModuleCache Cache(Dir);
    Cache.setWarningHandler([&](StringRef Msg) { fail("warning: " + Msg); });
    if (Rng() % 8 == 0) {
      sys::fs::remove(Cache.entryPath(S.Key));
      ++C.Removals;
    }
    auto Payload = Cache.getOrCompile(S.Key, [&]() -> Expected<std::string> {
      auto Code = compilePlanCode(*S.P, options());
      if (!Code)
        return Code.takeError();
      return Code->serialize();
    });
    ++C.Ops;
    if (!Payload) {
      fail("getOrCompile: " + toString(Payload.takeError()));
      continue;
    }
    if (**Payload != S.Reference)
      fail("wrong bytes for " + S.Key);
    CacheStats St = Cache.stats();
    C.DiskHits += St.DiskHits;
    C.Compiles += St.Compiles;
    if (St.BadEntries)
      fail("a bad entry was read for " + S.Key);
  }
}

int worker(const std::string &Dir, unsigned Index, unsigned Threads,
           unsigned Ops) {
  std::vector<Subject> Subjects;
  // Six modules every process compiles, three of this process's own.
  std::vector<unsigned> Ids = {1, 2, 3, 4, 5, 6};
  for (unsigned K = 0; K < 3; ++K)
    Ids.push_back(100 + Index * 3 + K);
  for (unsigned Id : Ids) {
    auto S = makeSubject(Id);
    if (!S) {
      fail("module " + Twine(Id) + ": " + toString(S.takeError()));
      return 1;
    }
    Subjects.push_back(std::move(*S));
  }
  Counts C;
  std::vector<std::thread> Pool;
  for (unsigned T = 0; T < Threads; ++T)
    Pool.emplace_back(runThread, std::cref(Dir), std::ref(Subjects),
                      Index * 1000 + T, Ops, std::ref(C));
  for (std::thread &T : Pool)
    T.join();
  outs() << "worker " << Index << ": " << C.Ops << " requests, " << C.DiskHits
         << " disk hits, " << C.Compiles << " compiles, " << C.Removals
         << " entries removed, " << Failures << " failures\n";
  return Failures ? 1 : 0;
}

} // namespace

int main(int argc, char **argv) {
  unsigned Processes = 8, Threads = 8, Ops = 48;
  int Worker = -1;
  std::string Dir;
  for (int I = 1; I < argc; ++I) {
    StringRef A = argv[I];
    unsigned *Dst = A == "--processes" ? &Processes
                    : A == "--threads" ? &Threads
                    : A == "--ops"     ? &Ops
                                       : nullptr;
    if ((Dst || A == "--worker") && I + 1 < argc) {
      unsigned V;
      if (StringRef(argv[++I]).getAsInteger(10, V))
        return errs() << "cache-stress: bad number " << argv[I] << "\n", 2;
      if (Dst)
        *Dst = V;
      else
        Worker = int(V);
    } else if (Dir.empty() && !A.starts_with("-")) {
      Dir = A.str();
    } else {
      errs() << "usage: ircgpu-cache-stress [--processes P] [--threads T] "
                "[--ops N] DIR\n";
      return 2;
    }
  }
  if (Dir.empty())
    return errs() << "cache-stress: no directory given\n", 2;
  if (Worker >= 0)
    return worker(Dir, unsigned(Worker), Threads, Ops);

  auto Start = std::chrono::steady_clock::now();
  std::string Self = sys::fs::getMainExecutable(argv[0], (void *)&main);
  std::vector<sys::ProcessInfo> Children;
  std::vector<std::string> Args;
  for (unsigned P = 0; P < Processes; ++P) {
    std::vector<std::string> A = {Self,
                                  "--worker",
                                  std::to_string(P),
                                  "--threads",
                                  std::to_string(Threads),
                                  "--ops",
                                  std::to_string(Ops),
                                  Dir};
    std::vector<StringRef> Refs(A.begin(), A.end());
    std::string Err;
    bool Failed = false;
    Children.push_back(
        sys::ExecuteNoWait(Self, Refs, std::nullopt, {}, 0, &Err, &Failed));
    if (Failed)
      fail("starting worker " + Twine(P) + ": " + Err);
  }
  for (unsigned P = 0; P < Children.size(); ++P) {
    if (!Children[P].Pid)
      continue;
    std::string Err;
    sys::ProcessInfo R = sys::Wait(Children[P], std::nullopt, &Err);
    if (R.ReturnCode != 0)
      fail("worker " + Twine(P) + " exited with " + Twine(R.ReturnCode) +
           (Err.empty() ? "" : ": " + Err));
  }
  double Secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
          .count();
  ModuleCache Final(Dir);
  outs() << "cache-stress: " << Processes << " processes x " << Threads
         << " threads x " << Ops << " requests in " << format("%.1f", Secs)
         << " s, " << Final.stats().DiskEntries << " entries on disk\n";
  if (Failures) {
    outs() << "cache-stress: " << Failures << " failures\n";
    return 1;
  }
  outs() << "cache-stress: OK\n";
  return 0;
}
