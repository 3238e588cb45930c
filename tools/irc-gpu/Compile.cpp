//===- Compile.cpp - `irc-gpu compile`: an entry function to a plan -------===//
//
// `--emit plan` prints the launch plan; `--emit llvm` the LLVM IR of its
// kernels, `--emit asm` their assembly (PTX or AMDGPU), `--emit ptx` and
// `--emit cubin` (sm_XY targets) PTX and the cubin, `--emit hsaco` (gfxNNN
// targets) the HSA code object (binaries are written as such, to stdout
// too, as clang does); `--emit bundle` (the default) the file `irc-gpu run`
// loads: the plan, its code object (the cubin, or PTX without nvJitLink; the
// hsaco) and the source module (include/ircgpu/Bundle.h).
//
//===----------------------------------------------------------------------===//
#include "RunGpu.h"
#include "Tool.h"

#include "ircgpu/Bundle.h"
#include "ircgpu/Codegen.h"
#include "ircgpu/Compiler.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Printer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace irctool {

namespace {

constexpr const char *EmitKinds[] = {"plan",  "llvm",  "asm",   "ptx",
                                     "cubin", "hsaco", "bundle"};

/// The kind exists, and the target has it: ptx and cubin are NVIDIA's,
/// hsaco AMD's.
Error checkEmit(StringRef Emit, StringRef Target) {
  if (!is_contained(EmitKinds, Emit))
    return usageError(
        "--emit: unknown kind '" + Emit +
        "' (expected plan, llvm, asm, ptx, cubin, hsaco or bundle)");
  bool Amd = Target.starts_with("gfx");
  if (Amd && (Emit == "ptx" || Emit == "cubin"))
    return usageError("--emit " + Emit + ": target " + Target +
                      " is AMD (use --emit asm or hsaco)");
  if (!Amd && Emit == "hsaco")
    return usageError("--emit hsaco: target " + Target +
                      " is NVIDIA (use --emit ptx or cubin)");
  return Error::success();
}

} // namespace

Error checkDumpAfter(ArrayRef<std::string> Names) {
  ArrayRef<const char *> Passes = ircgpu::passNames();
  for (const std::string &N : Names) {
    if (N == "all" || is_contained(Passes, StringRef(N)))
      continue;
    std::string Known;
    for (const char *P : Passes)
      Known += std::string(Known.empty() ? "" : ", ") + P;
    return usageError("--dump-after: unknown pass '" + N + "' (expected " +
                      Known + " or all)");
  }
  return Error::success();
}

Expected<ircgpu::Plan> buildPlanForTool(const Source &Src,
                                        const ircgpu::Module &M,
                                        StringRef Entry,
                                        const CodegenOptions &Codegen,
                                        ArrayRef<std::string> DumpAfter) {
  ircgpu::CompileOptions CO;
  CO.AllowSequential = Codegen.AllowSequential;
  CO.Checked = Codegen.Checked;
  CO.DumpAfter.assign(DumpAfter.begin(), DumpAfter.end());
  CO.DumpStream = &errs();
  auto P = ircgpu::buildPlan(M, Entry, CO);
  errs().flush();
  if (P)
    return P;
  Error Rest = handleErrors(
      P.takeError(), [&](std::unique_ptr<ircgpu::DiagnosticError> D) {
        ircgpu::printDiagnostics(errs(), Src.DisplayName, Src.text(),
                                 Error(std::move(D)));
        return make_error<ToolError>(ExitInput, ""); // already reported
      });
  return Rest;
}

Error runCompile(const CompileCmdOptions &Opts) {
  // Usage errors first, before any file is read.
  if (Opts.Codegen.Target.empty())
    return usageError("compile: --target is required (sm_XY, e.g. sm_90, or "
                      "gfxNNN, e.g. gfx90a)");
  if (Error E = checkTarget(Opts.Codegen.Target))
    return E;
  if (Error E = checkEmit(Opts.Emit, Opts.Codegen.Target))
    return E;
  if (Error E = checkDumpAfter(Opts.DumpAfter))
    return E;

  auto In = loadInput(Opts.Input);
  if (!In)
    return In.takeError();
  auto F = findEntry(*In->M, Opts.Entry);
  if (!F)
    return F.takeError();
  auto P = buildPlanForTool(In->Src, *In->M, (*F)->Name, Opts.Codegen,
                            Opts.DumpAfter);
  if (!P)
    return P.takeError();

  // Generate first, so that a failure leaves no output file behind.
  std::string Code;
  bool GpuCode = Opts.Emit != "plan";
  if (Opts.Emit == "hsaco") {
    auto C = compileCached(*In->M, (*F)->Name, Opts.Codegen, *P);
    if (!C)
      return C.takeError();
    Code = std::move(C->Bytes);
  } else if (Opts.Emit == "cubin") {
    // What the runtime loads: through the module cache, as `run` does.
    auto C = compileCached(*In->M, (*F)->Name, Opts.Codegen, *P);
    if (!C)
      return C.takeError();
    if (C->Kind != ircgpu::CodeObject::Format::Cubin)
      return inputError("--emit cubin: libnvJitLink.so.13 was not found, so "
                        "the code is PTX (--emit ptx)");
    Code = std::move(C->Bytes);
  } else if (Opts.Emit == "bundle") {
    auto C = compileCached(*In->M, (*F)->Name, Opts.Codegen, *P);
    if (!C)
      return C.takeError();
    ircgpu::Bundle B;
    B.Key = cacheKey(*In->M, (*F)->Name, Opts.Codegen);
    B.Entry = (*F)->Name;
    B.Options = Opts.Codegen.library();
    B.AllowSequential = Opts.Codegen.AllowSequential;
    B.P = std::move(*P);
    B.Code = std::move(*C);
    // The module itself, canonical: `run` binds arguments by the entry's
    // signature and can run it on the interpreter.
    B.Source = ircgpu::printModule(*In->M);
    auto Bytes = ircgpu::writeBundle(B);
    if (!Bytes)
      return inputError(toString(Bytes.takeError()));
    Code = std::move(*Bytes);
  } else if (GpuCode) {
    auto Out = ircgpu::emitPlanKernels(*P, Opts.Codegen.library(),
                                       Opts.Emit == "llvm"
                                           ? ircgpu::EmitKind::LLVMIR
                                           : ircgpu::EmitKind::Assembly);
    if (!Out)
      return inputError(toString(Out.takeError()));
    Code = std::move(*Out);
  }

  std::error_code EC;
  raw_fd_ostream OS(Opts.Output, EC, sys::fs::OF_None);
  if (EC)
    return inputError("cannot write '" + Opts.Output + "': " + EC.message());
  if (Opts.Emit == "plan")
    ircgpu::printPlan(*P, OS);
  else
    OS << Code;
  OS.flush();
  if (OS.has_error()) {
    EC = OS.error();
    OS.clear_error();
    return inputError("cannot write '" + Opts.Output + "': " + EC.message());
  }
  return Error::success();
}

} // namespace irctool
