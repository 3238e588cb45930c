//===- Harness.cpp - `irc-gpu bench` --------------------------------------===//
//
// For each workload: seeded inputs made on the host and uploaded once; the
// plan built and its code taken from the module cache (or compiled and
// stored there) and loaded; one checked run (outputs reset from a pristine
// copy, results compared with the host's answer: speed never without
// correctness); warm-up; then runs timed with events on one stream, the
// median, min and max kept. The hand-written references and the
// device-to-device copy of the same bytes are checked and timed the same
// way in the same process. Then compile and cache times, each in a fresh
// process where the issue asks for one (this executable re-run with
// --measure), and the host cost of a plan run against a raw launch.
//
//===----------------------------------------------------------------------===//
#include "Bench.h"
#include "HarnessSupport.h"
#include "References.h"
#include "Report.h"
#include "Workloads.h"

#include "ircgpu/Codegen.h"
#include "ircgpu/Compiler.h"
#include "ircgpu/Executor.h"
#include "ircgpu/ModuleCache.h"
#include "ircgpu/Parser.h"
#include "ircgpu/PlanCode.h"
#include "ircgpu/Simulator.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <ctime>

using namespace llvm;
using namespace ircgpu;

namespace ircbench {

char BenchError::ID;

namespace {

//===-- the run -----------------------------------------------------------===//

std::string utcDate() {
  std::time_t T = std::time(nullptr);
  char Buf[32];
  std::strftime(Buf, sizeof Buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&T));
  return Buf;
}

/// The driver version as nvidia-smi reports it, or "unknown".
std::string driverVersion() {
  auto Smi = sys::findProgramByName("nvidia-smi");
  if (!Smi)
    return "unknown";
  SmallString<128> OutFile;
  if (sys::fs::createTemporaryFile("irc-gpu-smi", "txt", OutFile))
    return "unknown";
  std::optional<StringRef> Redirects[] = {std::nullopt, StringRef(OutFile),
                                          StringRef("")};
  StringRef Args[] = {*Smi, "--query-gpu=driver_version",
                      "--format=csv,noheader"};
  int RC = sys::ExecuteAndWait(*Smi, Args, std::nullopt, Redirects, 20);
  auto Text = MemoryBuffer::getFile(OutFile);
  sys::fs::remove(OutFile);
  if (RC != 0 || !Text)
    return "unknown";
  StringRef V = (*Text)->getBuffer().trim();
  return V.substr(0, V.find('\n')).trim().str();
}

class Harness {
public:
  Harness(const BenchOptions &O, std::vector<const Workload *> Ws,
          std::unique_ptr<Device> Dev)
      : O(O), Ws(std::move(Ws)), Dev(std::move(Dev)) {}
  Error run();

private:
  const BenchOptions &O;
  std::vector<const Workload *> Ws;
  std::unique_ptr<Device> Dev;
  Stream S;
  ModuleHandle Refs;
  bool HaveRefs = false;
  RunInfo Info;
  std::vector<Record> Records;
  std::vector<std::string> Failures;
  std::unique_ptr<raw_fd_ostream> Json;

  void emit(Record R) {
    if (Json) {
      *Json << jsonLine(R, Info) << "\n";
      Json->flush();
    }
    Records.push_back(std::move(R));
  }
  Record record(const Workload &W, const Instance &In, StringRef Measure,
                StringRef Metric, StringRef Vs) {
    Record R;
    R.Workload = W.Name;
    R.Measure = Measure.str();
    R.Metric = Metric.str();
    R.Vs = Vs.str();
    R.Size = In.sizeString();
    R.N = In.Elements;
    return R;
  }
  /// W's plan with its code from the module cache, loaded on the device.
  Expected<std::unique_ptr<LoadedPlan>> loadWorkload(const Workload &W) {
    auto B = buildWorkload(W);
    if (!B)
      return B.takeError();
    auto Code =
        cachedPlanCode(processModuleCache(), B->Key, B->P, codegenOptions());
    if (!Code)
      return runtime(Code.takeError(), Twine("compiling ") + W.Name);
    auto LP = LoadedPlan::load(*Dev, std::move(B->P), false, Code->Bytes);
    if (!LP)
      return runtime(LP.takeError(), Twine("loading ") + W.Name);
    return LP;
  }
  std::string checked(const Workload &W, StringRef Who, std::string Msg) {
    if (Msg.empty())
      return "ok";
    Failures.push_back(std::string(W.Name) + " (" + Who.str() + "): " + Msg);
    errs() << "irc-gpu bench: " << W.Name << ": " << Who
           << " result is wrong: " << Msg << "\n";
    return "FAILED: " + Msg;
  }
  double rate(const Workload &W, const Instance &In, double Ms) const {
    return W.M == Metric::TFLOPs ? In.Flops / (Ms * 1e-3) / 1e12
                                 : double(In.Bytes) / (Ms * 1e-3) / 1e9;
  }
  StringRef metricName(const Workload &W) const {
    return W.M == Metric::TFLOPs ? "TFLOPs" : "GBps";
  }

  Error runWorkloadGpu(const Workload &W);
  Error runWorkloadDry(const Workload &W);
  Error measureCompileAndCache();
  Error measureLaunchOverhead();
};

Error Harness::runWorkloadDry(const Workload &W) {
  Instance In = W.Make(W.Small, O.Seed);
  auto B = buildWorkload(W);
  if (!B)
    return B.takeError();
  // The interpreter and the plan simulator through the harness's checks.
  Result RI{In.Buffers, {}}, RS{In.Buffers, {}};
  auto I = Interpreter::create(*B->M, W.Entry);
  if (!I)
    return runtime(I.takeError(), "interpreter");
  auto IA = interpArgs(In, RI);
  auto VI = (*I)->run(IA);
  if (!VI)
    return runtime(VI.takeError(), Twine(W.Name) + " on the interpreter");
  RI.Returns = *VI;
  auto SA = interpArgs(In, RS);
  auto T = Clock::now();
  auto VS = simulatePlan(B->P, SA);
  double SimMs = msSince(T);
  if (!VS)
    return runtime(VS.takeError(), Twine(W.Name) + " on the plan simulator");
  RS.Returns = *VS;
  Record R = record(W, In, "dry-run", "ms", "");
  std::string CI = W.Check(In, RI), CS = W.Check(In, RS);
  R.Check = checked(W, "interpreter", CI);
  if (CI.empty())
    R.Check = checked(W, "plan simulator", CS);
  R.Irc = SimMs;
  R.Extra["steps"] = int64_t(B->P.Steps.size());
  emit(std::move(R));
  return Error::success();
}

Error Harness::runWorkloadGpu(const Workload &W) {
  outs() << "== " << W.Name << ": " << W.Summary << "\n";
  outs().flush();
  Instance In = W.Make(W.Full, O.Seed);
  // Inputs resident: uploaded once; outputs also kept pristine on the
  // device, to reset them before each checked run.
  std::vector<DeviceBuffer> Bufs(In.Buffers.size()), Pristine(Bufs.size());
  for (size_t I = 0; I < Bufs.size(); ++I) {
    auto D = Dev->alloc(In.Buffers[I].Bytes.size());
    if (!D)
      return runtime(D.takeError(), "upload");
    if (Error E = Dev->copyToDevice(*D, In.Buffers[I].Bytes.data(), D->size()))
      return runtime(std::move(E), "upload");
    Bufs[I] = std::move(*D);
  }
  for (unsigned I : In.Outputs) {
    auto D = Dev->alloc(Bufs[I].size());
    if (!D)
      return runtime(D.takeError(), "upload");
    if (Error E = Dev->copyOnDevice(*D, Bufs[I], D->size()))
      return runtime(std::move(E), "upload");
    Pristine[I] = std::move(*D);
  }
  auto Reset = [&]() -> Error {
    if (Error E = Dev->synchronize(S))
      return E;
    for (unsigned I : In.Outputs)
      if (Error E = Dev->copyOnDevice(Bufs[I], Pristine[I], Bufs[I].size()))
        return E;
    return Error::success();
  };
  auto Fetch = [&](std::vector<uint64_t> Returns) -> Expected<Result> {
    Result R;
    R.Buffers.resize(In.Buffers.size());
    R.Returns = std::move(Returns);
    if (Error E = Dev->synchronize(S))
      return E;
    for (unsigned I : In.Outputs) {
      R.Buffers[I] = In.Buffers[I];
      if (Error E = Dev->copyToHost(R.Buffers[I].Bytes.data(), Bufs[I],
                                    Bufs[I].size()))
        return E;
    }
    return R;
  };

  // irc-gpu: the plan, its code through the module cache, loaded.
  auto LP = loadWorkload(W);
  if (!LP)
    return LP.takeError();
  std::vector<DeviceArg> Args;
  for (const Param &P : In.Params)
    Args.push_back(P.IsBuffer ? DeviceArg::buffer(Bufs[P.Buffer].ptr(),
                                                  In.Buffers[P.Buffer].count())
                              : DeviceArg::scalar(P.Bits));

  if (Error E = Reset())
    return runtime(std::move(E), "reset");
  auto Ret = (*LP)->run(Args, S);
  if (!Ret)
    return runtime(Ret.takeError(), Twine("running ") + W.Name);
  auto Got = Fetch(*Ret);
  if (!Got)
    return runtime(Got.takeError(), "results");
  std::string IrcCheck = checked(W, "irc-gpu", W.Check(In, *Got));
  std::optional<Stats> Irc;
  if (IrcCheck == "ok") {
    auto T = timeOnStream(
        *Dev, S,
        [&]() -> Error {
          auto R = (*LP)->run(Args, S);
          return R ? Error::success() : R.takeError();
        },
        O.Repeat);
    if (!T)
      return runtime(T.takeError(), Twine("timing ") + W.Name);
    Irc = *T;
  }
  // The plan's kernel alone, launched raw (single-kernel plans only): what
  // the generated code costs without the executor around it.
  std::optional<Stats> Kernel;
  if (Irc) {
    if (auto L = rawPlanLaunch(**LP, Args)) {
      auto T = timeOnStream(
          *Dev, S, [&] { return L->enqueue(*Dev, S); }, O.Repeat);
      if (!T)
        return runtime(T.takeError(), Twine("timing the kernel of ") + W.Name);
      Kernel = *T;
    } else {
      consumeError(L.takeError());
    }
  }

  // The hand-written references.
  struct RefResult {
    std::string Name, Check;
    std::optional<Stats> T;
  };
  std::vector<RefResult> RefResults;
  if (HaveRefs) {
    auto Rs = makeReferences(*Dev, Refs, W, In, Bufs);
    if (!Rs)
      return runtime(Rs.takeError(), Twine("reference of ") + W.Name);
    for (Reference &R : *Rs) {
      RefResult RR{R.Name, "", std::nullopt};
      if (Error E = Reset())
        return runtime(std::move(E), "reset");
      if (Error E = R.enqueue(*Dev, S))
        return runtime(std::move(E), Twine("reference of ") + W.Name);
      if (Error E = Dev->synchronize(S))
        return runtime(std::move(E), Twine("reference of ") + W.Name);
      auto Ret = R.Returns();
      if (!Ret)
        return runtime(Ret.takeError(), "reference results");
      auto Got = Fetch(*Ret);
      if (!Got)
        return runtime(Got.takeError(), "reference results");
      RR.Check = checked(W, "reference " + R.Name, W.Check(In, *Got));
      if (RR.Check == "ok") {
        auto T = timeOnStream(
            *Dev, S, [&] { return R.enqueue(*Dev, S); }, O.Repeat);
        if (!T)
          return runtime(T.takeError(),
                         Twine("timing the reference of ") + W.Name);
        RR.T = *T;
      }
      RefResults.push_back(std::move(RR));
    }
  }

  // The bandwidth ceiling: a device-to-device copy moving the same bytes
  // (half of them read, half written).
  std::optional<Stats> Copy;
  if (W.M == Metric::GBps) {
    uint64_t Half = std::max<uint64_t>(In.Bytes / 2, 16) & ~uint64_t(15);
    auto A = Dev->alloc(Half), C = Dev->alloc(Half);
    if (!A || !C)
      return runtime(joinErrors(A.takeError(), C.takeError()), "copy");
    auto T = timeOnStream(
        *Dev, S, [&] { return Dev->copyOnDeviceAsync(*C, 0, *A, 0, Half, S); },
        O.Repeat);
    if (!T)
      return runtime(T.takeError(), "timing the copy");
    Copy = *T;
  }

  // Records.
  StringRef Met = metricName(W);
  auto Rate = [&](const std::optional<Stats> &T) -> std::optional<double> {
    if (!T)
      return std::nullopt;
    return rate(W, In, T->Median);
  };
  auto Extra = [&](Record &R) {
    if (W.M == Metric::TFLOPs)
      R.Extra["flops"] = In.Flops;
    else
      R.Extra["bytes"] = int64_t(In.Bytes);
    if (Irc)
      merge(R.Extra, timingExtra(*Irc, "irc_gpu"));
  };
  if (RefResults.empty())
    RefResults.push_back({"", "", std::nullopt});
  for (const RefResult &RR : RefResults) {
    Record R = record(W, In, "throughput", Met, RR.Name);
    R.Irc = Rate(Irc);
    R.Ref = Rate(RR.T);
    R.Check = IrcCheck == "ok" ? (RR.Check.empty() || RR.Check == "ok"
                                      ? IrcCheck
                                      : "reference " + RR.Check)
                               : IrcCheck;
    Extra(R);
    if (RR.T)
      merge(R.Extra, timingExtra(*RR.T, "reference"));
    emit(std::move(R));
    Record Tm = record(W, In, "time", "ms", RR.Name);
    if (Irc)
      Tm.Irc = Irc->Median;
    if (RR.T)
      Tm.Ref = RR.T->Median;
    Tm.Check = IrcCheck;
    emit(std::move(Tm));
  }
  if (Copy) {
    Record R = record(W, In, "throughput", Met, "copy");
    R.Irc = Rate(Irc);
    R.Ref = Rate(Copy);
    R.Check = IrcCheck;
    Extra(R);
    merge(R.Extra, timingExtra(*Copy, "reference"));
    emit(std::move(R));
  }
  if (Kernel) {
    Record R = record(W, In, "kernel-only", Met,
                      RefResults.front().T ? RefResults.front().Name : "");
    R.Irc = Rate(Kernel);
    R.Ref = Rate(RefResults.front().T);
    R.Check = IrcCheck;
    merge(R.Extra, timingExtra(*Kernel, "irc_gpu"));
    emit(std::move(R));
  }
  return Dev->synchronize(S);
}

Error Harness::measureCompileAndCache() {
  outs() << "== compile and cache\n";
  outs().flush();
  // Cold compile, each workload in a fresh process; saxpy three times.
  for (const Workload *W : Ws) {
    unsigned Times = StringRef(W->Name) == "saxpy" ? 3 : 1;
    std::vector<json::Object> Runs;
    std::vector<double> Totals;
    for (unsigned I = 0; I < Times; ++I) {
      auto J = runChild(O, "cold-compile", W->Name);
      if (!J)
        return J.takeError();
      Totals.push_back(J->getNumber("total_ms").value_or(0));
      Runs.push_back(std::move(*J));
    }
    Stats T = stats(Totals);
    size_t Med =
        std::find(Totals.begin(), Totals.end(), T.Median) - Totals.begin();
    Record R;
    R.Workload = W->Name;
    R.Measure = "cold-compile";
    R.Metric = "ms";
    R.Irc = T.Median;
    if (StringRef(W->Name) == "saxpy") {
      R.Vs = "target";
      R.Ref = 30.0; // issue 6: cold compile <= 30 ms for saxpy
    }
    R.Extra = std::move(Runs[Med < Runs.size() ? Med : 0]);
    R.Extra["runs"] = int64_t(Times);
    emit(std::move(R));
  }

  // Cache hits of saxpy.
  const Workload &W = *findWorkload("saxpy");
  auto B = buildWorkload(W);
  if (!B)
    return B.takeError();
  auto Fail = []() -> Expected<std::string> {
    return createStringError(inconvertibleErrorCode(), "compiled on a hit");
  };
  {
    ModuleCache Mem("");
    auto P = Mem.getOrCompile(B->Key, [&] { return compileSerialized(B->P); });
    if (!P)
      return runtime(P.takeError(), "compiling saxpy");
    std::vector<double> Us;
    constexpr unsigned Batch = 10000;
    for (int Rep = 0; Rep < 21; ++Rep) {
      auto T = Clock::now();
      for (unsigned I = 0; I < Batch; ++I) {
        auto Hit = Mem.getOrCompile(B->Key, Fail);
        if (!Hit)
          return runtime(Hit.takeError(), "memory hit");
      }
      Us.push_back(msSince(T) * 1000 / Batch);
    }
    Stats S = stats(Us);
    Record R;
    R.Workload = W.Name;
    R.Measure = "cache-memory-hit";
    R.Metric = "us";
    R.Vs = "target";
    R.Irc = S.Median;
    R.Ref = 2.0; // issue 6: <= 2 us
    R.Extra = json::Object{{"min_us", S.Min},
                           {"max_us", S.Max},
                           {"batches", int64_t(S.Reps)},
                           {"per_batch", int64_t(Batch)}};
    emit(std::move(R));
  }
  {
    SmallString<128> Dir;
    if (std::error_code EC =
            sys::fs::createUniqueDirectory("irc-gpu-bench-cache", Dir))
      return benchError(3, "cache directory: " + EC.message());
    ModuleCache Disk(Dir.str().str());
    auto P = Disk.getOrCompile(B->Key, [&] { return compileSerialized(B->P); });
    if (!P)
      return runtime(P.takeError(), "compiling saxpy");
    std::vector<double> Lookups, Totals;
    json::Object Last;
    for (int I = 0; I < 5; ++I) {
      auto J = runChild(O, "disk-hit", W.Name, Dir);
      if (!J) {
        (void)Disk.clear();
        sys::fs::remove_directories(Dir);
        return J.takeError();
      }
      Lookups.push_back(J->getNumber("lookup_us").value_or(0));
      Totals.push_back(J->getNumber("total_ms").value_or(0));
      Last = std::move(*J);
    }
    (void)Disk.clear();
    sys::fs::remove_directories(Dir);
    Stats S = stats(Lookups), T = stats(Totals);
    Record R;
    R.Workload = W.Name;
    R.Measure = "cache-disk-hit";
    R.Metric = "us";
    R.Vs = "target";
    R.Irc = S.Median;
    R.Ref = 1000.0; // issue 6: <= 1 ms in a new process
    R.Extra = json::Object{
        {"min_us", S.Min},
        {"max_us", S.Max},
        {"processes", int64_t(S.Reps)},
        {"text_to_loaded_plan_median_ms", T.Median},
        {"last_frontend_ms", Last.getNumber("frontend_ms").value_or(0)},
        {"last_load_ms", Last.getNumber("load_ms").value_or(0)}};
    emit(std::move(R));
  }
  return Error::success();
}

Error Harness::measureLaunchOverhead() {
  outs() << "== launch overhead\n";
  outs().flush();
  // saxpy on 1024 elements: a one-kernel plan whose kernel takes ~2 us.
  const Workload &W = *findWorkload("saxpy");
  Instance In = W.Make({1024}, O.Seed);
  auto LP = loadWorkload(W);
  if (!LP)
    return LP.takeError();
  std::vector<DeviceBuffer> Bufs;
  for (const HostBuffer &H : In.Buffers) {
    auto D = Dev->alloc(H.Bytes.size());
    if (!D)
      return runtime(D.takeError(), "alloc");
    if (Error E = Dev->copyToDevice(*D, H.Bytes.data(), D->size()))
      return runtime(std::move(E), "upload");
    Bufs.push_back(std::move(*D));
  }
  std::vector<DeviceArg> Args;
  for (const Param &P : In.Params)
    Args.push_back(P.IsBuffer ? DeviceArg::buffer(Bufs[P.Buffer].ptr(), 1024)
                              : DeviceArg::scalar(P.Bits));
  auto L = rawPlanLaunch(**LP, Args);
  if (!L)
    return runtime(L.takeError(), "raw launch");
  constexpr int Reps = 2000;
  std::vector<double> PlanUs, RawUs, EnqueueUs;
  for (int I = 0; I < Reps + 100; ++I) {
    auto T = Clock::now();
    auto R = (*LP)->run(Args, S);
    if (!R)
      return runtime(R.takeError(), "plan run");
    if (I >= 100)
      PlanUs.push_back(msSince(T) * 1000);
  }
  for (int I = 0; I < Reps + 100; ++I) {
    auto T = Clock::now();
    if (Error E = L->enqueue(*Dev, S))
      return runtime(std::move(E), "raw launch");
    double Enq = msSince(T) * 1000;
    if (Error E = Dev->synchronize(S))
      return runtime(std::move(E), "raw launch");
    if (I >= 100) {
      RawUs.push_back(msSince(T) * 1000);
      EnqueueUs.push_back(Enq);
    }
  }
  Stats P = stats(PlanUs), R = stats(RawUs), E = stats(EnqueueUs);
  Record Rec;
  Rec.Workload = W.Name;
  Rec.Measure = "launch-overhead";
  Rec.Metric = "us";
  Rec.Vs = "raw-launch";
  Rec.Irc = P.Median;
  Rec.Ref = R.Median;
  Rec.N = 1024;
  Rec.Size = "1024";
  Rec.Extra =
      json::Object{{"what", "host time of LoadedPlan::run vs cuLaunchKernel + "
                            "cuStreamSynchronize of the same kernel"},
                   {"irc_gpu_min_us", P.Min},
                   {"irc_gpu_max_us", P.Max},
                   {"reference_min_us", R.Min},
                   {"reference_max_us", R.Max},
                   {"raw_enqueue_median_us", E.Median},
                   {"runs", int64_t(Reps)},
                   {"target_ratio", 1 / 1.15}};
  emit(std::move(Rec));
  return Error::success();
}

Error Harness::run() {
  Info.Date = utcDate();
  if (!O.JsonPath.empty()) {
    std::error_code EC;
    Json = std::make_unique<raw_fd_ostream>(O.JsonPath, EC, sys::fs::OF_Text);
    if (EC)
      return benchError(3, "--json " + O.JsonPath + ": " + EC.message());
  }
  if (O.DryRun) {
    Info.Gpu = "none (dry run: small sizes on the plan simulator)";
    for (const Workload *W : Ws)
      if (Error E = runWorkloadDry(*W))
        return E;
    if (Error E = measureCompileAndCache())
      return E;
  } else {
    Info.Gpu = Dev->info().Name;
    Info.Driver = driverVersion();
    if (!O.RefsPath.empty()) {
      auto Buf = MemoryBuffer::getFile(O.RefsPath);
      if (!Buf)
        return benchError(3, "--refs " + O.RefsPath + ": " +
                                 Buf.getError().message());
      auto M = Dev->loadModule((*Buf)->getBuffer());
      if (!M)
        return runtime(M.takeError(), "--refs " + O.RefsPath);
      Refs = *M;
      HaveRefs = true;
    } else {
      errs() << "irc-gpu bench: no --refs: the hand-written references are "
                "not measured\n";
    }
    auto St = Dev->createStream();
    if (!St)
      return runtime(St.takeError(), "stream");
    S = std::move(*St);
    for (const Workload *W : Ws)
      if (Error E = runWorkloadGpu(*W))
        return E;
    if (Error E = measureCompileAndCache())
      return E;
    if (Error E = measureLaunchOverhead())
      return E;
  }
  outs() << "\n";
  printTable(outs(), Records, Info);
  if (!Failures.empty())
    return benchError(
        3, Twine(Failures.size()) +
               " result(s) failed their checks; first: " + Failures.front());
  return Error::success();
}

Expected<std::unique_ptr<Device>> openDevice(StringRef Spec) {
  unsigned Ordinal = 0;
  StringRef Rest = Spec;
  if (Rest != "cuda" &&
      (!Rest.consume_front("cuda:") || Rest.getAsInteger(10, Ordinal)))
    return benchError(2, "--device " + Spec + ": expected cuda or cuda:N");
  auto D = openCudaDevice(Ordinal);
  if (!D)
    return benchError(3, "no GPU for the benchmarks (device '" + Spec +
                             "'): " + toString(D.takeError()) +
                             "; --dry-run checks the harness without one");
  return std::move(*D);
}

} // namespace

Error runBench(const BenchOptions &O) {
  std::vector<const Workload *> Ws;
  for (const std::string &N : O.Workloads) {
    const Workload *W = findWorkload(N);
    if (!W) {
      std::string Names;
      for (const Workload &X : workloads())
        Names += (Names.empty() ? "" : ", ") + std::string(X.Name);
      return benchError(2, "unknown workload '" + N + "' (" + Names + ")");
    }
    if (std::find(Ws.begin(), Ws.end(), W) == Ws.end())
      Ws.push_back(W);
  }
  if (Ws.empty())
    for (const Workload &W : workloads())
      Ws.push_back(&W);
  if (O.Repeat == 0)
    return benchError(2, "--repeat must be at least 1");

  std::unique_ptr<Device> Dev;
  if (!O.DryRun) {
    auto D = openDevice(O.Device);
    if (!D)
      return D.takeError();
    Dev = std::move(*D);
  }
  if (!O.Measure.empty()) {
    if (Ws.size() != 1)
      return benchError(2, "--measure needs exactly one --workload");
    if (O.Measure == "cold-compile")
      return measureColdCompile(O, *Ws[0], Dev.get());
    if (O.Measure == "disk-hit") {
      if (O.CacheDir.empty())
        return benchError(2, "--measure disk-hit needs --cache-dir");
      return measureDiskHit(O, *Ws[0], Dev.get());
    }
    return benchError(2, "--measure " + O.Measure +
                             ": expected cold-compile or disk-hit");
  }
  Harness H(O, std::move(Ws), std::move(Dev));
  return H.run();
}

} // namespace ircbench
