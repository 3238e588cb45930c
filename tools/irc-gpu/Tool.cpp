//===- Tool.cpp - shared pieces of the irc-gpu subcommands ----------------===//
#include "Tool.h"

#include "ircgpu/ModuleCache.h"
#include "ircgpu/PlanCode.h"

#include "ircgpu/Diagnostics.h"
#include "ircgpu/Parser.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace irctool {

char ToolError::ID;

std::error_code ToolError::convertToErrorCode() const {
  return inconvertibleErrorCode();
}

Error inputError(const Twine &Msg) {
  return make_error<ToolError>(ExitInput, Msg.str());
}
Error usageError(const Twine &Msg) {
  return make_error<ToolError>(ExitUsage, Msg.str());
}
Error runtimeError(const Twine &Msg) {
  return make_error<ToolError>(ExitRuntime, Msg.str());
}

Expected<Source> readSource(StringRef Path) {
  // No null terminator needed: the parser takes a StringRef. Large files are
  // mapped, not copied.
  auto BufOrErr =
      MemoryBuffer::getFileOrSTDIN(Path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (!BufOrErr)
    return inputError("cannot read '" + Path +
                      "': " + BufOrErr.getError().message());
  Source S;
  S.DisplayName = Path == "-" ? "<stdin>" : Path.str();
  S.Buffer = std::move(*BufOrErr);
  return S;
}

Expected<Input> loadInput(Source Src) {
  auto MOrErr = ircgpu::parseAndVerify(Src.text());
  if (!MOrErr) {
    ircgpu::printDiagnostics(errs(), Src.DisplayName, Src.text(),
                             MOrErr.takeError());
    return make_error<ToolError>(ExitInput, ""); // already reported
  }
  return Input{std::move(Src), std::move(*MOrErr)};
}

Expected<Input> loadInput(StringRef Path) {
  auto Src = readSource(Path);
  if (!Src)
    return Src.takeError();
  return loadInput(std::move(*Src));
}

Expected<const ircgpu::Function *> findEntry(const ircgpu::Module &M,
                                             StringRef Entry) {
  StringRef Name = Entry;
  Name.consume_front("@");
  if (const ircgpu::Function *F = M.lookup(Name))
    return F;
  std::string Known;
  for (const auto &F : M.Functions)
    Known += (Known.empty() ? "@" : ", @") + F->Name;
  return usageError(
      "--entry: no function named @" + Name + " in the module" +
      (Known.empty() ? std::string() : " (it has " + Known + ")"));
}

Error checkTarget(StringRef Target) {
  StringRef Rest = Target;
  bool OK = false;
  if (Rest.consume_front("sm_"))
    OK =
        Rest.size() >= 2 && all_of(Rest.drop_back(Rest.back() == 'a'), isDigit);
  else if (Rest.consume_front("gfx"))
    OK = Rest.size() >= 3 && all_of(Rest, isHexDigit);
  if (!OK)
    return usageError("--target: unknown target '" + Target +
                      "' (expected sm_XY, e.g. sm_90, or gfxNNN, e.g. gfx90a)");
  return Error::success();
}

std::vector<std::string> CodegenOptions::hashOptions() const {
  return ircgpu::codeHashOptions(library(), AllowSequential);
}

ircgpu::CodegenOptions CodegenOptions::library() const {
  ircgpu::CodegenOptions Out;
  if (!Target.empty())
    Out.Target = Target;
  Out.OptLevel = OptLevel;
  Out.Checked = Checked;
  Out.Cubin = !PtxOnly;
  return Out;
}

/// IRC_GPU_CACHE_STATS=1: the process's module-cache counters on stderr, so
/// that scripts (tests/device/run.sh) can see a disk hit in a new process.
static void printCacheStats() {
  const char *Env = std::getenv("IRC_GPU_CACHE_STATS");
  if (!Env || StringRef(Env) != "1")
    return;
  ircgpu::CacheStats S = ircgpu::processModuleCache().stats();
  errs() << "irc-gpu: cache: " << S.MemoryHits << " memory hits, " << S.DiskHits
         << " disk hits, " << S.Misses << " misses, " << S.Compiles
         << " compiles, " << S.BadEntries << " bad entries\n";
}

int reportAndExit(Error Err) {
  printCacheStats();
  int Code = ExitOk;
  handleAllErrors(
      std::move(Err),
      [&](const ToolError &E) {
        Code = E.code();
        std::string Msg;
        raw_string_ostream(Msg) << E.message();
        if (!Msg.empty())
          errs() << "irc-gpu: error: " << Msg << "\n";
      },
      [&](const ircgpu::RuntimeError &E) {
        Code = ExitRuntime;
        errs() << "irc-gpu: error: " << E.message() << "\n";
      },
      [&](const ErrorInfoBase &E) {
        Code = ExitInput;
        errs() << "irc-gpu: error: " << E.message() << "\n";
      });
  return Code;
}

} // namespace irctool
