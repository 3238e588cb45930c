//===- Run.cpp - `irc-gpu run`: run an entry function ---------------------===//
//
// FILE is VIR, compiled here for the device, or a bundle (recognised by its
// magic line), whose plan and code run as they are: no pass runs. The
// interpreter runs the bundle's source module.
//
//===----------------------------------------------------------------------===//
#include "ArgBinding.h"
#include "RunGpu.h"
#include "Tool.h"

#include "ircgpu/Bundle.h"
#include "ircgpu/DeviceManager.h"
#include "ircgpu/Interpreter.h"
#include "ircgpu/Literal.h"
#include "ircgpu/Simulator.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace llvm;

namespace irctool {

namespace {

enum class DeviceKind { Interp, Sim, Auto, Gpu };

Expected<DeviceKind> parseDevice(StringRef D) {
  if (D == "interp")
    return DeviceKind::Interp;
  if (D == "sim")
    return DeviceKind::Sim;
  if (D == "auto")
    return DeviceKind::Auto;
  // The GPU specs are the device manager's.
  auto Spec = ircgpu::parseDeviceSpec(D);
  if (Spec)
    return DeviceKind::Gpu;
  consumeError(Spec.takeError());
  return usageError(
      "--device: unknown device '" + D +
      "' (expected auto, interp, sim, cuda, cuda:N, hip or hip:N)");
}

/// --device sim: the launch plan on the plan simulator (Simulator.h).
Expected<std::vector<uint64_t>>
simulate(const Source &Src, const ircgpu::Module &M, const ircgpu::Function &F,
         const RunOptions &Opts, const Bindings &B) {
  auto P = buildPlanForTool(Src, M, F.Name, Opts.Codegen);
  if (!P)
    return P.takeError();
  ircgpu::SimOptions SO;
  SO.Seed = Opts.Seed;
  return ircgpu::simulatePlan(*P, B.Args, SO);
}

} // namespace

Error runRun(const RunOptions &Opts) {
  auto Device = parseDevice(Opts.Device);
  if (!Device)
    return Device.takeError();
  if (!Opts.Codegen.Target.empty())
    if (Error E = checkTarget(Opts.Codegen.Target))
      return E;

  auto Src = readSource(Opts.Input);
  if (!Src)
    return Src.takeError();
  std::optional<LoadedBundle> Bundle;
  std::optional<Input> In;
  if (ircgpu::isBundle(Src->text())) {
    auto LB = loadBundleForRun(*Src, Opts);
    if (!LB)
      return LB.takeError();
    Bundle = std::move(*LB);
  } else {
    auto I = loadInput(std::move(*Src));
    if (!I)
      return I.takeError();
    In = std::move(*I);
  }
  const ircgpu::Module &M = Bundle ? *Bundle->M : *In->M;
  auto F = findEntry(M, Opts.Entry);
  if (!F)
    return F.takeError();
  auto B = bindArguments(**F, Opts.Args, Opts.Outs);
  if (!B)
    return B.takeError();

  // `auto` takes the first GPU the device manager finds (docs/runtime.md,
  // "Several GPUs") and says which, else falls back to the interpreter and
  // says so; a GPU asked for by name must exist (exit 3).
  ircgpu::Device *Gpu = nullptr;
  switch (*Device) {
  case DeviceKind::Interp:
  case DeviceKind::Sim:
    break;
  case DeviceKind::Auto: {
    auto Dev = openGpu("auto");
    if (!Dev) {
      consumeError(Dev.takeError());
    } else if (std::string Arch = Dev->info().archName();
               !Bundle && !ircgpu::isSupportedTarget(Arch) &&
               StringRef(Arch).starts_with("gfx")) {
      // An AMD code object runs only on its own architecture: without a
      // code generator for it there is nothing to run VIR with.
      errs() << "irc-gpu: skipping " << Dev->name() << " (" << Dev->info().Name
             << "): no code generator for " << Arch << "\n";
    } else {
      Gpu = &*Dev;
    }
    if (Gpu)
      errs() << "irc-gpu: running on " << Gpu->name() << " ("
             << Gpu->info().Name << ")\n";
    else
      errs() << "irc-gpu: no GPU device found; running on the interpreter "
                "(--device interp)\n";
    break;
  }
  case DeviceKind::Gpu: {
    auto Dev = openGpu(Opts.Device);
    if (!Dev)
      return Dev.takeError();
    Gpu = &*Dev;
    break;
  }
  }

  auto Execute = [&]() -> Expected<std::vector<uint64_t>> {
    if (Bundle && Gpu) {
      // A cubin or an AMD code object runs only on its own architecture; PTX
      // the driver compiles forward.
      const ircgpu::Bundle &BB = Bundle->B;
      std::string Arch = Gpu->info().archName();
      bool Amd = StringRef(Arch).starts_with("gfx");
      if (Amd != StringRef(BB.Options.Target).starts_with("gfx"))
        return runtimeError(Opts.Input + ": code for " + BB.Options.Target +
                            " cannot run on " + Gpu->name() + " (" + Arch +
                            ")");
      if (BB.Code.Kind != ircgpu::CodeObject::Format::PTX &&
          BB.Options.Target != Arch)
        return runtimeError(Opts.Input + ": code for " + BB.Options.Target +
                            " cannot run on " + Gpu->name() + " (" + Arch +
                            "): compile it with --target " + Arch);
    }
    if (Bundle && Gpu)
      return runPlanOnGpu(*Gpu, std::move(Bundle->B.P),
                          Bundle->B.Options.Checked, Bundle->B.Code.Bytes, **F,
                          *B);
    if (Bundle && *Device == DeviceKind::Sim) {
      ircgpu::SimOptions SO;
      SO.Seed = Opts.Seed;
      return ircgpu::simulatePlan(Bundle->B.P, B->Args, SO);
    }
    if (Gpu)
      return runOnGpu(*Gpu, In->Src, M, **F, Opts, *B);
    if (*Device == DeviceKind::Sim)
      return simulate(In->Src, M, **F, Opts, *B);
    auto Interp = ircgpu::Interpreter::create(M, (*F)->Name);
    if (!Interp)
      return Interp.takeError();
    return (*Interp)->run(B->Args);
  };
  auto Results = Execute();
  if (!Results)
    return Results.takeError();
  if (Error E = writeOutputs(**F, *B))
    return E;

  const std::vector<ircgpu::Type> &Types = (*F)->ResultTypes;
  for (size_t I = 0; I < Results->size() && I < Types.size(); ++I)
    outs() << ircgpu::formatLiteral(Types[I], (*Results)[I]) << " : "
           << Types[I].str() << "\n";
  outs().flush();
  return Error::success();
}

} // namespace irctool
