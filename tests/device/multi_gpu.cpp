//===- tests/device/multi_gpu.cpp - one plan on several GPUs at once ------===//
//
//   ircgpu-multi-gpu [--offline] [--n N] [--mib M]
//
// On a machine with 2+ GPUs (tests/device/run_multi.sh): lists the GPUs
// through the device manager; compiles one plan (a saxpy kernel, then a
// deterministic i64 reduction over its output) through one module cache for
// every GPU, showing that GPUs of one architecture share the compile; runs
// it on cuda:0 and cuda:1 at once from two threads, several iterations, and
// compares every result and the output buffer bit for bit with the
// interpreter's; then copies M MiB (default 256) cuda:0 -> cuda:1 -> cuda:0
// over the peer path and over the forced staged path, checking the bytes
// (the destination is zeroed first, so stale data cannot pass) and printing
// GB/s; and checks that the ordinal past the last GPU fails cleanly.
//
// Output ends in one line, with the exit status:
//   MULTI: OK                      0  everything passed on 2+ GPUs
//   MULTI: FAIL (N failures)       1  any check failed
//   MULTI: SKIP: ...               2  fewer than 2 GPUs (no CUDA device, or
//                                     one: then cuda:1 must fail cleanly,
//                                     else FAIL)
// --offline (no GPU needed): the host half only (the plan built, compiled
// twice through the cache for two sm_90 GPUs: one compile; the interpreter's
// reference), then SKIP.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Compiler.h"
#include "ircgpu/DeviceManager.h"
#include "ircgpu/Executor.h"
#include "ircgpu/Interpreter.h"
#include "ircgpu/ModuleCache.h"
#include "ircgpu/Parser.h"
#include "ircgpu/PlanCode.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <bit>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace ircgpu;
using namespace llvm;

namespace {

const char *Program = R"(
func @step(%n: i64, %a: f32, %x: ptr<f32> readonly noalias, %y: ptr<f32> noalias) -> i64 {
  for %i = 0 to %n step 1 {
    %xi = load %x[%i]
    %yi = load %y[%i]
    %t = fmul %a, %xi
    %r = fadd %t, %yi
    store %y[%i], %r
  }
  %s = for %j = 0 to %n step 1 iter(%acc: i64 = 0) {
    %v = load %y[%j]
    %w = fptosi %v to i64
    %acc2 = add %acc, %w
    yield %acc2
  }
  ret %s
}
)";

std::mutex OutLock;
unsigned Failures = 0;

void fail(const Twine &Msg) {
  std::lock_guard<std::mutex> G(OutLock);
  ++Failures;
  outs() << "FAIL: " << Msg << "\n";
  outs().flush();
}

void say(const Twine &Msg) {
  std::lock_guard<std::mutex> G(OutLock);
  outs() << Msg << "\n";
  outs().flush();
}

double secondsSince(std::chrono::steady_clock::time_point T) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - T)
      .count();
}

/// The inputs and the interpreter's answers for Iterations runs.
struct Reference {
  uint64_t N = 0;
  float A = 0.5f;
  std::vector<float> X, Y0, Y;   // Y: after the last iteration
  std::vector<uint64_t> Results; // one i64 per iteration
};

bool makeReference(const ircgpu::Module &M, uint64_t N, unsigned Iterations,
                   Reference &R) {
  R.N = N;
  R.X.resize(N);
  R.Y0.resize(N);
  // Values that stay small, with fractions that the fptosi truncates.
  for (uint64_t I = 0; I < N; ++I) {
    R.X[I] = float(int64_t(I % 1999) - 999) * 0.0137f;
    R.Y0[I] = float(I % 37) * 0.71f - 9.0f;
  }
  R.Y = R.Y0;
  auto Interp = Interpreter::create(M, "step");
  if (!Interp) {
    fail("interpreter: " + toString(Interp.takeError()));
    return false;
  }
  auto T = std::chrono::steady_clock::now();
  for (unsigned It = 0; It < Iterations; ++It) {
    auto Res = (*Interp)->run(
        {InterpArg::scalar(N), InterpArg::scalar(std::bit_cast<uint32_t>(R.A)),
         InterpArg::buffer(R.X.data(), N), InterpArg::buffer(R.Y.data(), N)});
    if (!Res || Res->size() != 1) {
      fail("interpreter run: " +
           (Res ? "wrong result count" : toString(Res.takeError())));
      return false;
    }
    R.Results.push_back((*Res)[0]);
  }
  say(formatv(
          "reference: interpreter, n = {0}, {1} iterations, {2:f2} s; "
          "results {3}",
          N, Iterations, secondsSince(T),
          formatv("{0:$[, ]}", make_range(R.Results.begin(), R.Results.end())))
          .str());
  return true;
}

/// Runs the plan Iterations times on Dev (its own stream and buffers) and
/// compares with Ref bit for bit.
void runOn(Device &Dev, const LoadedPlan &LP, const Reference &Ref,
           unsigned Iterations) {
  std::string Who = Dev.name();
  uint64_t N = Ref.N;
  auto Xd = Dev.alloc(4 * N), Yd = Dev.alloc(4 * N);
  if (!Xd)
    return fail(Who + ": alloc: " + toString(Xd.takeError()));
  if (!Yd)
    return fail(Who + ": alloc: " + toString(Yd.takeError()));
  if (Error E = Dev.copyToDevice(*Xd, Ref.X.data(), 4 * N))
    return fail(Who + ": upload: " + toString(std::move(E)));
  if (Error E = Dev.copyToDevice(*Yd, Ref.Y0.data(), 4 * N))
    return fail(Who + ": upload: " + toString(std::move(E)));
  auto S = Dev.createStream();
  if (!S)
    return fail(Who + ": stream: " + toString(S.takeError()));
  auto T = std::chrono::steady_clock::now();
  for (unsigned It = 0; It < Iterations; ++It) {
    auto R = LP.run({DeviceArg::scalar(N),
                     DeviceArg::scalar(std::bit_cast<uint32_t>(Ref.A)),
                     DeviceArg::buffer(Xd->ptr(), N),
                     DeviceArg::buffer(Yd->ptr(), N)},
                    *S);
    if (!R)
      return fail(Who + ": run " + Twine(It) + ": " + toString(R.takeError()));
    if (R->size() != 1 || (*R)[0] != Ref.Results[It])
      fail(formatv("{0}: iteration {1}: result {2}, the interpreter's {3}", Who,
                   It, R->empty() ? 0 : (*R)[0], Ref.Results[It])
               .str());
  }
  double Secs = secondsSince(T);
  std::vector<float> Y(N);
  if (Error E = Dev.copyToHost(Y.data(), *Yd, 4 * N))
    return fail(Who + ": download: " + toString(std::move(E)));
  uint64_t Diff = 0, First = N;
  for (uint64_t I = 0; I < N; ++I)
    if (std::bit_cast<uint32_t>(Y[I]) != std::bit_cast<uint32_t>(Ref.Y[I])) {
      ++Diff;
      First = std::min(First, I);
    }
  if (Diff)
    return fail(formatv("{0}: {1} of {2} elements of y differ from the "
                        "interpreter's, the first at {3}: {4} != {5}",
                        Who, Diff, N, First, Y[First], Ref.Y[First])
                    .str());
  say(formatv("{0}: {1} iterations in {2:f3} s, results and y ({3} floats) "
              "equal to the interpreter's bit for bit",
              Who, Iterations, Secs, N)
          .str());
}

/// Copies Bytes Src -> Dst (zeroed first) and checks them against Want;
/// returns the best GB/s of three copies, 0 on failure.
double copyAndCheck(Device &Dst, const DeviceBuffer &DstBuf, Device &Src,
                    const DeviceBuffer &SrcBuf,
                    const std::vector<uint8_t> &Want,
                    const CrossCopyOptions &Opts, CopyPath Expect,
                    bool ExpectIsRequired) {
  uint64_t Bytes = Want.size();
  std::string What = Src.name() + " -> " + Dst.name() +
                     (Opts.ForceStaged ? " (forced staged)" : "");
  double Best = 0;
  for (unsigned Rep = 0; Rep < 3; ++Rep) {
    if (Error E = Dst.memset(DstBuf, 0, Bytes))
      return fail(What + ": memset: " + toString(std::move(E))), 0;
    auto T = std::chrono::steady_clock::now();
    auto P = copyBetweenDevices(Dst, DstBuf, 0, Src, SrcBuf, 0, Bytes, Opts);
    double Secs = secondsSince(T);
    if (!P)
      return fail(What + ": " + toString(P.takeError())), 0;
    if (*P != Expect) {
      std::string Msg = What + ": took the " + copyPathName(*P).str() +
                        " path, expected " + copyPathName(Expect).str();
      if (ExpectIsRequired)
        return fail(Msg), 0;
      if (Rep == 0)
        say("note: " + Msg + " (no peer access between these GPUs)");
    }
    Best = std::max(Best, double(Bytes) / Secs / 1e9);
  }
  std::vector<uint8_t> Got(Bytes);
  if (Error E = Dst.copyToHost(Got.data(), DstBuf, Bytes))
    return fail(What + ": download: " + toString(std::move(E))), 0;
  if (Got != Want)
    return fail(What + ": the bytes differ"), 0;
  say(formatv("copy {0}: {1} MiB, bytes checked, {2:f1} GB/s", What,
              Bytes >> 20, Best)
          .str());
  return Best;
}

void copies(Device &G0, Device &G1, uint64_t MiB) {
  uint64_t Bytes = MiB << 20;
  std::vector<uint8_t> Pattern(Bytes);
  uint64_t State = 0x9e3779b97f4a7c15ull;
  for (uint64_t I = 0; I < Bytes; I += 8) {
    State = State * 6364136223846793005ull + 1442695040888963407ull;
    std::memcpy(&Pattern[I], &State, std::min<uint64_t>(8, Bytes - I));
  }
  auto A = G0.alloc(Bytes);
  if (!A)
    return fail("copies: " + toString(A.takeError()));
  auto B = G1.alloc(Bytes);
  if (!B)
    return fail("copies: " + toString(B.takeError()));
  auto Back = G0.alloc(Bytes);
  if (!Back)
    return fail("copies: " + toString(Back.takeError()));
  if (Error E = G0.copyToDevice(*A, Pattern.data(), Bytes))
    return fail("copies: upload: " + toString(std::move(E)));
  CrossCopyOptions Peer, Staged;
  Staged.ForceStaged = true;
  // Peer where the GPUs have it (NVLink on an H200 host): a note otherwise.
  copyAndCheck(G1, *B, G0, *A, Pattern, Peer, CopyPath::Peer, false);
  copyAndCheck(G0, *Back, G1, *B, Pattern, Peer, CopyPath::Peer, false);
  copyAndCheck(G1, *B, G0, *A, Pattern, Staged, CopyPath::Staged, true);
  copyAndCheck(G0, *Back, G1, *B, Pattern, Staged, CopyPath::Staged, true);
  // One device: a copy on it.
  copyAndCheck(G0, *Back, G0, *A, Pattern, Peer, CopyPath::SameDevice, true);
}

struct Args {
  bool Offline = false;
  uint64_t N = 1ull << 22;
  uint64_t MiB = 256;
  unsigned Iterations = 4;
};

int finish(int SkipOrOk, const Twine &SkipWhy = "") {
  if (Failures) {
    outs() << "MULTI: FAIL (" << Failures << " failures)\n";
    return 1;
  }
  if (SkipOrOk == 2) {
    outs() << "MULTI: SKIP: " << SkipWhy << "\n";
    return 2;
  }
  outs() << "MULTI: OK\n";
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Args A;
  for (int I = 1; I < argc; ++I) {
    StringRef S = argv[I];
    if (S == "--offline")
      A.Offline = true;
    else if (S == "--n" && I + 1 < argc)
      A.N = std::stoull(argv[++I]);
    else if (S == "--mib" && I + 1 < argc)
      A.MiB = std::stoull(argv[++I]);
    else {
      errs() << "usage: ircgpu-multi-gpu [--offline] [--n N] [--mib M]\n";
      return 1;
    }
  }

  auto M = parseAndVerify(Program);
  if (!M) {
    fail("parse: " + toString(M.takeError()));
    return finish(1);
  }
  Reference Ref;
  if (!makeReference(**M, A.Offline ? 100000 : A.N, A.Iterations, Ref))
    return finish(1);
  // One module cache for every GPU (in memory: the test is about sharing
  // within a process; tests/device/run.sh checks the disk).
  ModuleCache Cache("");
  auto Compile = [&](const DeviceInfo &I, Plan &P) -> std::string {
    CodegenOptions O = codegenOptionsForDevice(I, {}, false);
    auto C = cachedPlanCode(Cache, planCodeKey(**M, "step", O, false), P, O);
    if (!C) {
      fail("compile for " + I.archName() + ": " + toString(C.takeError()));
      return "";
    }
    CacheStats St = Cache.stats();
    say(formatv("code for {0} ({1}, {2}): cache compiles {3}, memory hits "
                "{4}",
                I.Name, O.Target, O.Cubin ? "cubin" : "PTX", St.Compiles,
                St.MemoryHits)
            .str());
    return C->Bytes;
  };

  if (A.Offline) {
    DeviceInfo I;
    I.Name = "offline sm_90";
    I.ComputeMajor = 9;
    for (int G = 0; G < 2; ++G) {
      auto P = buildPlan(**M, "step");
      if (!P)
        fail("plan: " + toString(P.takeError()));
      else
        Compile(I, *P);
    }
    if (Cache.stats().Compiles != 1)
      fail("two sm_90 GPUs compiled more than once");
    return finish(2, "--offline (the host half only)");
  }

  DeviceManager &DM = processDeviceManager();
  std::vector<FoundDevice> Found = DM.devices();
  for (const FoundDevice &F : Found) {
    auto D = DM.get(F.Spec);
    if (!D) {
      fail(toString(D.takeError()));
      continue;
    }
    const DeviceInfo &I = D->info();
    say(formatv("{0}: {1}, {2}, {3} MiB, {4} SMs", F.Spec, I.Name, I.archName(),
                I.TotalMemory >> 20, I.MultiProcessorCount)
            .str());
  }
  unsigned Cuda = 0;
  for (const FoundDevice &F : Found)
    Cuda += DM.backends()[F.Backend].Name == "cuda";
  if (Cuda == 0) {
    std::string Why;
    for (const std::string &R : DM.reasonsForNone())
      Why += (Why.empty() ? "" : "; ") + R;
    say("no CUDA device: " + Why);
    return finish(2, "no CUDA device");
  }
  // The ordinal past the last fails cleanly, naming how many there are.
  std::string Past = "cuda:" + std::to_string(Cuda);
  auto Bad = DM.get(Past);
  if (Bad)
    fail(Past + " opened on a machine with " + Twine(Cuda) + " CUDA GPUs");
  else {
    std::string Msg = toString(Bad.takeError());
    if (StringRef(Msg).contains("this machine has " + std::to_string(Cuda)))
      say(Past + " refused: " + Msg);
    else
      fail(Past + ": unexpected error: " + Msg);
  }
  if (Cuda < 2)
    return finish(2, "1 CUDA GPU: the rest needs 2 (cuda:1 refused cleanly)");

  auto G0 = DM.get("cuda:0");
  if (!G0) {
    fail(toString(G0.takeError()));
    return finish(1);
  }
  auto G1 = DM.get("cuda:1");
  if (!G1) {
    fail(toString(G1.takeError()));
    return finish(1);
  }
  Device *Devs[2] = {&*G0, &*G1};
  std::unique_ptr<LoadedPlan> Plans[2];
  for (int G = 0; G < 2; ++G) {
    auto P = buildPlan(**M, "step");
    if (!P) {
      fail("plan: " + toString(P.takeError()));
      return finish(1);
    }
    std::string Image = Compile(Devs[G]->info(), *P);
    if (Image.empty())
      return finish(1);
    auto LP = LoadedPlan::load(*Devs[G], std::move(*P), false, Image);
    if (!LP) {
      fail(Devs[G]->name() + ": load: " + toString(LP.takeError()));
      return finish(1);
    }
    Plans[G] = std::move(*LP);
  }
  if (Devs[0]->info().archName() == Devs[1]->info().archName() &&
      Cache.stats().Compiles != 1)
    fail("two GPUs of one architecture compiled the plan twice");

  auto T = std::chrono::steady_clock::now();
  std::thread T0([&] { runOn(*Devs[0], *Plans[0], Ref, A.Iterations); });
  std::thread T1([&] { runOn(*Devs[1], *Plans[1], Ref, A.Iterations); });
  T0.join();
  T1.join();
  say(formatv("both GPUs at once: {0:f3} s", secondsSince(T)).str());

  copies(*Devs[0], *Devs[1], A.MiB);
  Plans[0].reset();
  Plans[1].reset();
  return finish(0);
}
