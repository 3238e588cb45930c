//===- runtime/PlanCode.cpp - a plan's code object through the cache ------===//
#include "ircgpu/PlanCode.h"
#include "ircgpu/Hash.h"

using namespace llvm;

namespace ircgpu {

std::vector<std::string> codeHashOptions(const CodegenOptions &Opts,
                                         bool AllowSequential) {
  std::vector<std::string> Out;
  Out.push_back("-O" + std::to_string(Opts.OptLevel));
  if (Opts.Checked)
    Out.push_back("--checked");
  if (AllowSequential)
    Out.push_back("--allow-sequential");
  if (!Opts.Cubin) // another code object, so another cache entry
    Out.push_back("--ptx-only");
  return Out;
}

CodegenOptions codegenOptionsForDevice(const DeviceInfo &Info,
                                       CodegenOptions Opts, bool TargetGiven) {
  std::string Arch = Info.archName();
  if (!TargetGiven)
    Opts.Target = isSupportedTarget(Arch) ? Arch : CodegenOptions().Target;
  if (Opts.Target != Arch)
    Opts.Cubin = false;
  return Opts;
}

std::string planCodeKey(const Module &M, StringRef Entry,
                        const CodegenOptions &Opts, bool AllowSequential) {
  return moduleHash(
      M, {Entry.str(), Opts.Target, codeHashOptions(Opts, AllowSequential)});
}

Expected<CodeObject> cachedPlanCode(ModuleCache &Cache, StringRef Key,
                                    const Plan &P, const CodegenOptions &Opts) {
  auto Payload = Cache.getOrCompile(Key, [&]() -> Expected<std::string> {
    auto C = compilePlanCode(P, Opts);
    if (!C)
      return C.takeError();
    return C->serialize();
  });
  if (!Payload)
    return Payload.takeError();
  return CodeObject::deserialize(**Payload);
}

} // namespace ircgpu
