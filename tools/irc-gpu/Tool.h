//===- Tool.h - shared pieces of the irc-gpu subcommands --------*- C++ -*-===//
//
// Every subcommand is a function from its options to an llvm::Error; main()
// turns that error into a message on stderr and the exit status of
// spec/cli.md (0 ok, 1 bad input, 2 bad usage, 3 device or runtime error).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_TOOLS_TOOL_H
#define IRCGPU_TOOLS_TOOL_H

#include "ircgpu/Codegen.h"
#include "ircgpu/IR.h"
#include "ircgpu/Plan.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace irctool {

enum ExitCode : int {
  ExitOk = 0,
  ExitInput = 1,   ///< bad VIR, bad argument value, unreadable file
  ExitUsage = 2,   ///< bad command line
  ExitRuntime = 3, ///< no device, launch failure, out-of-bounds access
};

/// An error of the tool itself (not located in the VIR source), with the
/// exit status it maps to.
class ToolError : public llvm::ErrorInfo<ToolError> {
public:
  static char ID;
  ToolError(ExitCode Code, std::string Msg) : Code(Code), Msg(std::move(Msg)) {}
  void log(llvm::raw_ostream &OS) const override { OS << Msg; }
  std::error_code convertToErrorCode() const override;
  ExitCode code() const { return Code; }

private:
  ExitCode Code;
  std::string Msg;
};

llvm::Error inputError(const llvm::Twine &Msg);
llvm::Error usageError(const llvm::Twine &Msg);
llvm::Error runtimeError(const llvm::Twine &Msg);

/// A VIR source file read whole (mapped where possible): `-` is stdin.
struct Source {
  std::string DisplayName; ///< as diagnostics name it: the path or <stdin>
  std::unique_ptr<llvm::MemoryBuffer> Buffer;
  llvm::StringRef text() const { return Buffer->getBuffer(); }
};

/// A module read from a file, with its text (diagnostics quote it).
struct Input {
  Source Src;
  std::unique_ptr<ircgpu::Module> M;
};

/// Reads Path (or stdin for "-") whole.
llvm::Expected<Source> readSource(llvm::StringRef Path);

/// Parses and verifies Src. On a VIR error prints the diagnostics and
/// returns a ToolError with an empty message (already reported).
llvm::Expected<Input> loadInput(Source Src);
/// readSource, then loadInput.
llvm::Expected<Input> loadInput(llvm::StringRef Path);

/// The function named by --entry (`name` or `@name`), or a usage error.
llvm::Expected<const ircgpu::Function *> findEntry(const ircgpu::Module &M,
                                                   llvm::StringRef Entry);

/// Checks a --target value (`sm_XY`, `gfxNNN`); a usage error otherwise.
llvm::Error checkTarget(llvm::StringRef Target);

/// Prints Err (if any) as `irc-gpu: error: ...` and returns the exit status.
int reportAndExit(llvm::Error Err);

//===-- the subcommands ---------------------------------------------------===//

/// Options that change the generated code, hence the module hash.
struct CodegenOptions {
  std::string Target;         ///< "" = none given
  unsigned OptLevel = 2;      ///< -O0..-O3
  bool OptLevelGiven = false; ///< -O was on the command line
  bool Checked = false;
  bool AllowSequential = false;
  /// PTX instead of a cubin (run: the device is not the target's own
  /// architecture, so the driver compiles the PTX forward).
  bool PtxOnly = false;
  /// The canonical list that goes into HashInputs::Options.
  std::vector<std::string> hashOptions() const;
  /// The library's options for code generation (Target "" -> sm_90).
  ircgpu::CodegenOptions library() const;
};

struct FmtOptions {
  std::string Input;
  std::string Output = "-";
};
llvm::Error runFmt(const FmtOptions &Opts);

struct HashOptions {
  std::string Input;
  std::string Entry;
  CodegenOptions Codegen;
};
llvm::Error runHash(const HashOptions &Opts);

struct CompileCmdOptions {
  std::string Input;
  std::string Entry;
  std::string Output = "-";
  std::string Emit = "bundle";        ///< plan llvm ptx cubin hsaco bundle
  std::vector<std::string> DumpAfter; ///< pass names or "all"
  CodegenOptions Codegen;
};
llvm::Error runCompile(const CompileCmdOptions &Opts);

/// Checks --dump-after names against ircgpu::passNames() (and "all"); a usage
/// error listing the names otherwise.
llvm::Error checkDumpAfter(llvm::ArrayRef<std::string> Names);

/// Compiles entry Entry of M (read from Src) into a launch plan. A
/// diagnostic (`not offloadable: ...`) is printed against Src and becomes an
/// already-reported input error. DumpAfter output goes to stderr.
llvm::Expected<ircgpu::Plan>
buildPlanForTool(const Source &Src, const ircgpu::Module &M,
                 llvm::StringRef Entry, const CodegenOptions &Codegen,
                 llvm::ArrayRef<std::string> DumpAfter = {});

struct RunOptions {
  std::string Input;
  std::string Entry;
  std::string Device = "auto";
  uint64_t Seed = 1;             ///< --device sim: the grid-point order
  std::vector<std::string> Args; ///< NAME=VALUE or NAME=@PATH
  std::vector<std::string> Outs; ///< NAME=PATH
  CodegenOptions Codegen;
};
llvm::Error runRun(const RunOptions &Opts);

} // namespace irctool
namespace ircbench {
struct BenchOptions;
}
namespace irctool {
/// `irc-gpu bench` (benchmarks/harness/Bench.h).
llvm::Error runBenchCmd(const ircbench::BenchOptions &Opts);

struct CacheOptions {
  std::string Action; ///< dir, stats or clear ("" = none given)
};
llvm::Error runCache(const CacheOptions &Opts);

/// Lists the GPUs found (spec, name, architecture, memory, SMs), or says
/// that there is none and why; exit 0 either way, 3 when a GPU found cannot
/// be opened.
llvm::Error runDevices();

} // namespace irctool

#endif
