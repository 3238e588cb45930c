//===- codegen/Codegen.cpp - plan kernels to one LLVM module --------------===//
//
// The pipeline of Codegen.h: every device function of the plan's ABI
// (KernelABI.h; emitted by EmitKernels.cpp and EmitReduction.cpp) in one
// LLVM module, the math library linked, optimised, then PTX and a cubin
// (NVPTX) or an HSA code object (AMDGPU).
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Codegen.h"

#include "codegen/DeviceFunction.h"
#include "codegen/Target.h"
#include "ircgpu/KernelABI.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace llvm;

namespace ircgpu {

Target::~Target() = default;

Expected<std::unique_ptr<Target>> createTarget(StringRef Name) {
  if (Name.starts_with("sm_"))
    return createNVPTXTarget(Name);
  if (Name.starts_with("gfx"))
    return createAMDGPUTarget(Name);
  return createStringError(inconvertibleErrorCode(),
                           "unknown target '" + Name +
                               "' (expected sm_XY or gfxNNN)");
}

bool isSupportedTarget(StringRef Name) {
  auto T = createTarget(Name);
  if (T)
    return true;
  consumeError(T.takeError());
  return false;
}

std::string kernelName(StringRef FuncName) {
  // PTX identifiers cannot hold the `.` of outlined names (`saxpy.k0`); VIR
  // names never hold `$`, so the mapping stays one to one.
  std::string Out = FuncName.str();
  for (char &C : Out)
    if (!isAlnum(C) && C != '_' && C != '$')
      C = '$';
  return Out;
}

namespace {

Error codegenError(const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), Msg);
}

Error emitStepCode(const Plan &P, const PlanABI &ABI, const Target &T,
                   llvm::Module &M, const PlanStep &S, const StepCode &C) {
  const ircgpu::Function &VF = *P.Code->Functions[S.Func];
  if (S.Kind == StepKind::Kernel &&
      (S.Grid.empty() || S.Grid.size() > 3 ||
       VF.Params.size() != S.Grid.size() + S.Args.size()))
    return codegenError("kernel @" + VF.Name + ": malformed kernel step");
  DeviceFunctionBuilder Main(P, ABI, T, M, C.Main, S);
  Error E = Error::success();
  switch (C.Main.Shape) {
  case LaunchShape::Grid:
    E = emitGridKernel(Main, C.Main.PointsPerThread);
    break;
  case LaunchShape::Tree:
    E = emitTreeKernel(Main);
    break;
  default:
    E = emitScalarKernel(Main);
  }
  if (E || !C.Final)
    return E;
  DeviceFunctionBuilder Final(P, ABI, T, M, *C.Final, S);
  return emitFinalKernel(Final);
}

} // namespace

Expected<std::unique_ptr<llvm::Module>> lowerPlanKernels(const Plan &P,
                                                         const Target &T,
                                                         LLVMContext &Ctx,
                                                         bool Checked) {
  auto M = std::make_unique<llvm::Module>(P.Entry, Ctx);
  M->setTargetTriple(T.triple());
  M->setDataLayout(T.dataLayout());
  PlanABI ABI = computePlanABI(P, Checked);
  std::vector<const PlanStep *> ByFunc = stepsByFunction(P);
  for (size_t F = 0; F < ABI.Code.size(); ++F)
    if (ABI.Code[F] && ByFunc[F])
      if (Error E = emitStepCode(P, ABI, T, *M, *ByFunc[F], *ABI.Code[F]))
        return E;
  std::string Msg;
  raw_string_ostream OS(Msg);
  if (verifyModule(*M, &OS))
    return codegenError("internal error: invalid LLVM IR for plan @" + P.Entry +
                        ": " + Msg);
  return M;
}

Expected<std::string> emitAssembly(llvm::Module &M, const Target &T) {
  return T.emitAssembly(M);
}

namespace {

/// P's device functions for Opts: lowered, the math library linked,
/// optimised. The context lives as long as the module.
struct LoweredPlan {
  std::unique_ptr<Target> T;
  std::unique_ptr<LLVMContext> Ctx;
  std::unique_ptr<llvm::Module> M;
};

/// Adds the milliseconds since it was made (or last lapped) to a stage of
/// CompileTimings; does nothing without one.
class StageClock {
public:
  explicit StageClock(CompileTimings *T) : T(T) {}
  void lap(double CompileTimings::*Stage) {
    auto Now = std::chrono::steady_clock::now();
    if (T)
      T->*Stage +=
          std::chrono::duration<double, std::milli>(Now - Start).count();
    Start = Now;
  }

private:
  CompileTimings *T;
  std::chrono::steady_clock::time_point Start =
      std::chrono::steady_clock::now();
};

Expected<LoweredPlan> lowerAndOptimize(const Plan &P,
                                       const CodegenOptions &Opts,
                                       CompileTimings *Timings = nullptr) {
  StageClock Clock(Timings);
  LoweredPlan L;
  auto T = createTarget(Opts.Target);
  if (!T)
    return T.takeError();
  L.T = std::move(*T);
  Clock.lap(&CompileTimings::TargetMs);
  L.Ctx = std::make_unique<LLVMContext>();
  auto M = lowerPlanKernels(P, *L.T, *L.Ctx, Opts.Checked);
  if (!M)
    return M.takeError();
  L.M = std::move(*M);
  Clock.lap(&CompileTimings::LowerMs);
  if (Error E = L.T->linkMathLibrary(*L.M))
    return E;
  Clock.lap(&CompileTimings::LinkMs);
  if (Error E = L.T->optimize(*L.M, Opts.OptLevel))
    return E;
  Clock.lap(&CompileTimings::OptimizeMs);
  return L;
}

} // namespace

Expected<std::string> emitPlanKernels(const Plan &P, const CodegenOptions &Opts,
                                      EmitKind Kind) {
  auto L = lowerAndOptimize(P, Opts);
  if (!L)
    return L.takeError();
  if (Kind == EmitKind::LLVMIR) {
    std::string Out;
    raw_string_ostream OS(Out);
    L->M->print(OS, nullptr);
    return Out;
  }
  if (Kind == EmitKind::Object)
    return L->T->emitObject(*L->M, Opts.OptLevel);
  return L->T->emitAssembly(*L->M, Opts.OptLevel);
}

std::string CodeObject::serialize() const {
  std::string Out(1, char(Kind));
  Out += Bytes;
  return Out;
}

Expected<CodeObject> CodeObject::deserialize(StringRef Data) {
  if (Data.empty() ||
      (Data[0] != char(Format::PTX) && Data[0] != char(Format::Cubin) &&
       Data[0] != char(Format::Hsaco)))
    return codegenError("not a serialised code object");
  CodeObject C;
  C.Kind = Format(Data[0]);
  C.Bytes = Data.drop_front().str();
  return C;
}

Expected<CodeObject> compilePlanCode(const Plan &P, const CodegenOptions &Opts,
                                     CompileTimings *Timings) {
  auto L = lowerAndOptimize(P, Opts, Timings);
  if (!L)
    return L.takeError();
  StageClock Clock(Timings);
  CodeObject C;
  if (!L->T->driverLoadsAssembly()) {
    // The backend writes the object itself: one stage, timed as the object.
    if (!Opts.Cubin)
      return codegenError("target " + Opts.Target +
                          " has no loadable assembly: its drivers load code "
                          "objects only (drop --ptx-only)");
    auto Obj = L->T->emitObject(*L->M, Opts.OptLevel);
    Clock.lap(&CompileTimings::ObjectMs);
    if (!Obj)
      return Obj.takeError();
    C.Kind = L->T->objectFormat();
    C.Bytes = std::move(*Obj);
    return C;
  }
  auto Asm = L->T->emitAssembly(*L->M, Opts.OptLevel);
  if (!Asm)
    return Asm.takeError();
  Clock.lap(&CompileTimings::AssemblyMs);
  if (!Opts.Cubin) {
    C.Kind = CodeObject::Format::PTX;
    C.Bytes = std::move(*Asm);
    return C;
  }
  auto Obj = L->T->assembleObject(*Asm);
  Clock.lap(&CompileTimings::ObjectMs);
  if (Obj) {
    C.Kind = L->T->objectFormat();
    C.Bytes = std::move(*Obj);
    return C;
  }
  // Without the in-process assembler the driver compiles the PTX at load
  // time (slower, and cached by the driver only).
  if (Error E = handleErrors(Obj.takeError(),
                             [](const AssemblerUnavailableError &) {}))
    return E;
  C.Kind = CodeObject::Format::PTX;
  C.Bytes = std::move(*Asm);
  return C;
}

} // namespace ircgpu
