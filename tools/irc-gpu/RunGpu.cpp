//===- RunGpu.cpp - `irc-gpu run --device cuda|hip[:N]|auto` on a GPU -----===//
//
// The GPU half of `run`: the entry is compiled into a launch plan, its code
// comes from the module cache (or is compiled and stored there) — or both
// come from a bundle — the plan is loaded on the device, the .npy buffers are
// uploaded, the plan runs, and the buffers come back so that --out writes what
// the GPU computed.
//
//===----------------------------------------------------------------------===//
#include "RunGpu.h"

#include "ircgpu/Codegen.h"
#include "ircgpu/DeviceManager.h"
#include "ircgpu/Executor.h"
#include "ircgpu/Hash.h"
#include "ircgpu/ModuleCache.h"
#include "ircgpu/PlanCode.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace irctool {

Expected<ircgpu::Device &> openGpu(StringRef Spec) {
  auto S = ircgpu::parseDeviceSpec(Spec);
  if (!S)
    return usageError("--device: " + toString(S.takeError()));
  auto Dev = ircgpu::processDeviceManager().get(Spec);
  if (!Dev)
    return runtimeError(toString(Dev.takeError()));
  return *Dev;
}

namespace {

/// Sets Codegen's target for Dev: --target if given, else the device's own
/// architecture where the code generator knows it, else the newest one it
/// knows. Code for another architecture than the device's is PTX, which the
/// driver compiles forward (a cubin would not load). An AMD code object runs
/// only on its own gfx architecture: there is nothing to fall back to.
Error chooseTarget(const ircgpu::Device &Dev, CodegenOptions &Codegen) {
  std::string Arch = Dev.info().archName();
  if (StringRef(Arch).starts_with("gfx")) {
    if (!Codegen.Target.empty() && Codegen.Target != Arch)
      return usageError("--target " + Codegen.Target + ": device " +
                        Dev.name() + " runs only " + Arch + " code");
    if (!ircgpu::isSupportedTarget(Arch))
      return runtimeError("device " + Dev.name() + " (" + Dev.info().Name +
                          "): the code generator has no target " + Arch);
    Codegen.Target = Arch;
    Codegen.PtxOnly = false;
    return Error::success();
  }
  bool Given = !Codegen.Target.empty();
  if (Given && !StringRef(Codegen.Target).starts_with("sm_"))
    return usageError("--target " + Codegen.Target +
                      ": not a target of device " + Dev.name());
  ircgpu::CodegenOptions L =
      ircgpu::codegenOptionsForDevice(Dev.info(), Codegen.library(), Given);
  Codegen.Target = L.Target;
  Codegen.PtxOnly = !L.Cubin;
  return Error::success();
}

} // namespace

std::string cacheKey(const ircgpu::Module &M, StringRef Entry,
                     const CodegenOptions &Codegen) {
  return ircgpu::planCodeKey(M, Entry, Codegen.library(),
                             Codegen.AllowSequential);
}

Expected<ircgpu::CodeObject> compileCached(const ircgpu::Module &M,
                                           StringRef Entry,
                                           const CodegenOptions &Codegen,
                                           const ircgpu::Plan &P) {
  auto C =
      ircgpu::cachedPlanCode(ircgpu::processModuleCache(),
                             cacheKey(M, Entry, Codegen), P, Codegen.library());
  if (!C)
    return inputError(toString(C.takeError()));
  return C;
}

Expected<std::vector<uint64_t>> runOnGpu(ircgpu::Device &Dev, const Source &Src,
                                         const ircgpu::Module &M,
                                         const ircgpu::Function &F,
                                         const RunOptions &Opts, Bindings &B) {
  CodegenOptions Codegen = Opts.Codegen;
  if (Error E = chooseTarget(Dev, Codegen))
    return E;
  auto P = buildPlanForTool(Src, M, F.Name, Codegen);
  if (!P)
    return P.takeError();
  auto Code = compileCached(M, F.Name, Codegen, *P);
  if (!Code)
    return Code.takeError();
  return runPlanOnGpu(Dev, std::move(*P), Codegen.Checked, Code->Bytes, F, B);
}

Expected<std::vector<uint64_t>>
runPlanOnGpu(ircgpu::Device &Dev, ircgpu::Plan P, bool Checked, StringRef Image,
             const ircgpu::Function &F, Bindings &B) {
  auto LP = ircgpu::LoadedPlan::load(Dev, std::move(P), Checked, Image);
  if (!LP)
    return runtimeError(toString(LP.takeError()));

  // Buffers: one device allocation per buffer argument (none for an empty
  // one: the driver has no zero-byte allocations).
  std::vector<ircgpu::DeviceBuffer> Bufs(B.Args.size());
  std::vector<ircgpu::DeviceArg> Args;
  for (size_t I = 0; I < B.Args.size(); ++I) {
    const ircgpu::InterpArg &A = B.Args[I];
    ircgpu::Type Ty = F.type(F.Params[I]);
    if (!Ty.isPtr()) {
      Args.push_back(ircgpu::DeviceArg::scalar(A.Bits));
      continue;
    }
    uint64_t Bytes = A.Count * Ty.elemType().bytes();
    if (Bytes) {
      auto Buf = Dev.alloc(Bytes);
      if (!Buf)
        return runtimeError(toString(Buf.takeError()));
      if (Error E = Dev.copyToDevice(*Buf, A.Data, Bytes))
        return runtimeError(toString(std::move(E)));
      Bufs[I] = std::move(*Buf);
    }
    Args.push_back(ircgpu::DeviceArg::buffer(Bufs[I].ptr(), A.Count));
  }
  auto Results = (*LP)->run(Args);
  if (!Results)
    return runtimeError(toString(Results.takeError()));
  for (size_t I = 0; I < B.Args.size(); ++I)
    if (Bufs[I])
      if (Error E = Dev.copyToHost(B.Args[I].Data, Bufs[I], Bufs[I].size()))
        return runtimeError(toString(std::move(E)));
  return std::move(*Results);
}

} // namespace irctool
