//===- api/Context.cpp - contexts, compiling, the kernel table -----------===//
//
// A context's kernels live in one table keyed by the cache key (the module
// hash over entry, target and options), as the module cache keeps code: a
// request for a key being compiled waits for that compile instead of
// starting a second one, a failed compile is not kept (the next request
// tries again). The module cache below it makes a compile that another
// context or an earlier process already did a read.
//
//===----------------------------------------------------------------------===//
#include "ContextImpl.h"

#include "ircgpu/Codegen.h"
#include "ircgpu/Compiler.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Hash.h"
#include "ircgpu/ModuleCache.h"
#include "ircgpu/Parser.h"
#include "ircgpu/PlanCode.h"
#include "ircgpu/Verifier.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>

using namespace llvm;

namespace ircgpu {

namespace {

std::atomic<uint64_t> NextContextId{1};

/// The code generator's options for Dev, as the CLI chooses them
/// (tools/irc-gpu/RunGpu.cpp): an AMD code object runs only on its own
/// architecture; NVIDIA code is a cubin for the device's own architecture,
/// PTX for another (the driver compiles it forward).
Expected<CodegenOptions> codegenFor(const Device &Dev, const KernelOptions &O) {
  CodegenOptions C;
  C.OptLevel = O.OptLevel;
  C.Checked = O.Checked;
  std::string Arch = Dev.info().archName();
  if (StringRef(Arch).starts_with("gfx")) {
    if (!O.Target.empty() && O.Target != Arch)
      return apiError(ErrorCode::InvalidArgument,
                      "target " + O.Target + ": device " + Dev.name() +
                          " runs only " + Arch + " code");
    if (!isSupportedTarget(Arch))
      return apiError(ErrorCode::Device, "device " + Dev.name() +
                                             ": the code generator has no "
                                             "target " +
                                             Arch);
    C.Target = Arch;
    return C;
  }
  bool Given = !O.Target.empty();
  if (Given) {
    if (!StringRef(O.Target).starts_with("sm_") || !isSupportedTarget(O.Target))
      return apiError(ErrorCode::InvalidArgument,
                      "target " + O.Target + ": not a target of device " +
                          Dev.name());
    C.Target = O.Target;
  }
  return codegenOptionsForDevice(Dev.info(), C, Given);
}

} // namespace

Context::Impl::~Impl() = default;

Context::Context(std::shared_ptr<Impl> I) : I(std::move(I)) {}

Context::~Context() {
  std::unique_lock<std::mutex> G(I->Lock);
  I->JobsDone.wait(G, [&] { return I->PendingJobs == 0; });
}

static std::unique_ptr<Context> makeContext(Context::Impl::Kind K, Device *Dev,
                                            std::string Name) {
  auto I = std::make_shared<Context::Impl>();
  I->K = K;
  I->Dev = Dev;
  I->Name = std::move(Name);
  I->Id = NextContextId.fetch_add(1);
  return std::unique_ptr<Context>(new Context(std::move(I)));
}

Expected<std::unique_ptr<Context>> Context::create(StringRef Spec) {
  if (Spec == "interp")
    return makeContext(Impl::Interp, nullptr, "interp");
  if (Spec == "sim")
    return makeContext(Impl::Sim, nullptr, "sim");
  auto S = parseDeviceSpec(Spec);
  if (!S)
    return apiError(ErrorCode::InvalidArgument,
                    "unknown device '" + Spec +
                        "' (expected auto, interp, sim, cuda, cuda:N, hip or "
                        "hip:N)");
  auto Dev = processDeviceManager().get(*S);
  if (Spec == "auto") {
    // No GPU, or only one the code generator has no target for: the VM
    // still gets a working context, on the interpreter.
    if (!Dev) {
      consumeError(Dev.takeError());
      return makeContext(Impl::Interp, nullptr, "interp");
    }
    std::string Arch = Dev->info().archName();
    if (StringRef(Arch).starts_with("gfx") && !isSupportedTarget(Arch))
      return makeContext(Impl::Interp, nullptr, "interp");
  }
  if (!Dev) // the manager's errors are all of the device, RuntimeErrors too
    return apiError(ErrorCode::Device, toString(Dev.takeError()));
  return makeContext(Impl::Gpu, &*Dev, Dev->name());
}

std::unique_ptr<Context> Context::createOn(Device &Dev) {
  return makeContext(Impl::Gpu, &Dev, Dev.name());
}

const std::string &Context::deviceName() const { return I->Name; }
Device *Context::device() const { return I->Dev; }
bool Context::isHost() const { return I->K != Impl::Gpu; }

Expected<std::shared_ptr<const Module>> Context::parse(StringRef Text,
                                                       StringRef Name) {
  auto M = parseAndVerify(Text);
  if (!M) {
    std::string Msg;
    raw_string_ostream OS(Msg);
    printDiagnostics(OS, Name, Text, M.takeError());
    OS.flush();
    while (!Msg.empty() && Msg.back() == '\n')
      Msg.pop_back();
    return apiError(ErrorCode::InvalidIR, Msg);
  }
  return std::shared_ptr<const Module>(std::move(*M));
}

Expected<Context::Impl::Prepared>
Context::Impl::prepare(const Module *M, StringRef Entry,
                       const KernelOptions &O) const {
  if (!M)
    return apiError(ErrorCode::InvalidArgument, "no module (null)");
  Prepared P;
  P.F = M->lookup(Entry);
  if (!P.F)
    return apiError(ErrorCode::InvalidIR,
                    "no function @" + Entry + " in the module");
  if (O.OptLevel > 3)
    return apiError(ErrorCode::InvalidArgument, "optimisation level " +
                                                    Twine(O.OptLevel) +
                                                    " (expected 0 to 3)");
  if (Error E = verifyModule(*M))
    return toApiError(std::move(E), ErrorCode::InvalidIR);
  if (K == Gpu) {
    auto CG = codegenFor(*Dev, O);
    if (!CG)
      return CG.takeError();
    P.CG = *CG;
    P.Key = planCodeKey(*M, Entry, P.CG, O.AllowSequential);
    return P;
  }
  // The CPU devices have no target: theirs stands in its place, so their
  // keys never meet a GPU's.
  P.CG.OptLevel = O.OptLevel;
  P.CG.Checked = O.Checked;
  P.Key = moduleHash(*M, {Entry.str(), K == Interp ? "interp" : "sim",
                          codeHashOptions(P.CG, O.AllowSequential)});
  return P;
}

Expected<std::string> Context::hash(const Module &M, StringRef Entry,
                                    const KernelOptions &Opts) const {
  auto P = I->prepare(&M, Entry, Opts);
  if (!P)
    return P.takeError();
  return P->Key;
}

Expected<KernelRef> Context::Impl::build(const std::shared_ptr<const Module> &M,
                                         const Prepared &P,
                                         const KernelOptions &O,
                                         const CodeObject *Code) {
  CompileOptions CO;
  CO.AllowSequential = O.AllowSequential;
  CO.Checked = O.Checked;
  auto Plan = buildPlan(*M, P.F->Name, CO);
  if (!Plan)
    return toApiError(Plan.takeError(), ErrorCode::Compile);
  if (K == Interp) {
    auto R = makeInterpKernel(M, *P.F, P.Key, Id);
    if (!R)
      return toApiError(R.takeError(), ErrorCode::Compile);
    return R;
  }
  if (K == Sim)
    return makeSimKernel(*P.F, P.Key, Id, std::move(*Plan));
  CodeObject Compiled;
  if (!Code) {
    auto C = cachedPlanCode(processModuleCache(), P.Key, *Plan, P.CG);
    if (!C)
      return toApiError(C.takeError(), ErrorCode::Compile);
    Compiled = std::move(*C);
    Code = &Compiled;
  }
  auto R = makeGpuKernel(*Dev, *P.F, P.Key, Id, std::move(*Plan), O.Checked,
                         Code->Bytes);
  if (!R)
    return toApiError(R.takeError(), ErrorCode::Runtime,
                      "loading @" + P.F->Name + " on " + Name + ": ");
  return R;
}

Expected<KernelRef> Context::Impl::compile(std::shared_ptr<const Module> M,
                                           StringRef Entry,
                                           const KernelOptions &O) {
  auto P = prepare(M.get(), Entry, O);
  if (!P)
    return P.takeError();
  std::promise<Outcome> Promise;
  std::shared_future<Outcome> Existing;
  {
    std::lock_guard<std::mutex> G(Lock);
    auto It = Table.find(P->Key);
    if (It != Table.end()) {
      Existing = It->second;
      bool Ready = Existing.wait_for(std::chrono::seconds(0)) ==
                   std::future_status::ready;
      ++(Ready ? Stats.TableHits : Stats.Waits);
    } else {
      Table.emplace(P->Key, Promise.get_future().share());
      ++Stats.Compiles;
    }
  }
  if (Existing.valid()) {
    const Outcome &Out = Existing.get();
    if (Out.K)
      return Out.K;
    return apiError(Out.Code, Out.Msg);
  }
  auto K = build(M, *P, O, nullptr);
  Outcome Out;
  if (K) {
    Out.K = *K;
  } else {
    Out.Code = takeErrorCode(K.takeError(), Out.Msg);
    // A failure is not kept: a later compile (after a driver recovered, or
    // with the disk cache fixed) tries again.
    std::lock_guard<std::mutex> G(Lock);
    Table.erase(P->Key);
  }
  Promise.set_value(Out);
  if (!Out.K)
    return apiError(Out.Code, Out.Msg);
  return Out.K;
}

Expected<KernelRef> Context::compile(std::shared_ptr<const Module> M,
                                     StringRef Entry,
                                     const KernelOptions &Opts) {
  return I->compile(std::move(M), Entry, Opts);
}

Expected<KernelRef> Context::lookup(std::shared_ptr<const Module> M,
                                    StringRef Entry,
                                    const KernelOptions &Opts) {
  auto P = I->prepare(M.get(), Entry, Opts);
  if (!P)
    return P.takeError();
  if (KernelRef K = lookup(P->Key))
    return K;
  std::shared_ptr<const std::string> Payload;
  if (I->K == Impl::Gpu)
    Payload = processModuleCache().lookup(P->Key);
  if (!Payload) {
    std::lock_guard<std::mutex> G(I->Lock);
    ++I->Stats.LookupMisses;
    return KernelRef();
  }
  auto Code = CodeObject::deserialize(*Payload);
  if (!Code)
    return toApiError(Code.takeError(), ErrorCode::Compile);
  auto K = I->build(M, *P, Opts, &*Code);
  if (!K)
    return K.takeError();
  std::lock_guard<std::mutex> G(I->Lock);
  ++I->Stats.CacheLoads;
  auto It = I->Table.find(P->Key);
  if (It != I->Table.end())
    return *K; // a compile of the key started meanwhile: both are right
  std::promise<Impl::Outcome> Done;
  Done.set_value({*K, ErrorCode::Compile, ""});
  I->Table.emplace(P->Key, Done.get_future().share());
  return *K;
}

KernelRef Context::lookup(StringRef Key) {
  std::lock_guard<std::mutex> G(I->Lock);
  auto It = I->Table.find(Key);
  if (It != I->Table.end() &&
      It->second.wait_for(std::chrono::seconds(0)) ==
          std::future_status::ready &&
      It->second.get().K) {
    ++I->Stats.TableHits;
    return It->second.get().K;
  }
  return KernelRef();
}

ContextStats Context::stats() const {
  std::lock_guard<std::mutex> G(I->Lock);
  return I->Stats;
}

} // namespace ircgpu
