//===- main.cpp - the irc-gpu command-line tool ---------------------------===//
//
// Only option parsing lives here: each subcommand is a function of Tool.h.
// The command-line contract is spec/cli.md; exit statuses: 0 ok, 1 bad input,
// 2 bad usage, 3 device or runtime error.
//
//===----------------------------------------------------------------------===//
#include "Tool.h"

#include "Bench.h"

#include "ircgpu/Version.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace {

cl::OptionCategory Category("irc-gpu options");

cl::SubCommand
    FmtCmd("fmt", "Parse and verify a VIR module; print its canonical text");
cl::SubCommand HashCmd(
    "hash",
    "Print the content hash of a module (the compiled-module cache key)");
cl::SubCommand RunCmd("run", "Run an entry function and print its results");
cl::SubCommand
    CompileCmd("compile",
               "Compile an entry function into a launch plan and GPU code");
cl::SubCommand BenchCmd("bench", "Benchmark irc-gpu against hand-written "
                                 "CUDA on a GPU (benchmarks/README.md)");
cl::SubCommand CacheCmd("cache",
                        "Show or clear the compiled-module cache on disk");
cl::SubCommand DevicesCmd("devices",
                          "List the GPUs found (spec, name, architecture, "
                          "memory, SMs), or why there is none");

// The input file of every subcommand.
cl::opt<std::string> Input(cl::Positional, cl::Required,
                           cl::desc("<file.vir | ->"), cl::sub(FmtCmd),
                           cl::sub(HashCmd), cl::sub(RunCmd),
                           cl::sub(CompileCmd), cl::cat(Category));

cl::opt<std::string>
    Output("o", cl::desc("Write the output to <file> (default: - = stdout)"),
           cl::value_desc("file"), cl::init("-"), cl::sub(FmtCmd),
           cl::sub(CompileCmd), cl::cat(Category));

cl::opt<std::string>
    HashEntry("entry", cl::desc("The entry function (part of the hash)"),
              cl::value_desc("name"), cl::sub(HashCmd), cl::cat(Category));
cl::opt<std::string> RunEntry("entry", cl::desc("The entry function to run"),
                              cl::value_desc("name"), cl::Required,
                              cl::sub(RunCmd), cl::cat(Category));
cl::opt<std::string> CompileEntry("entry",
                                  cl::desc("The entry function to compile"),
                                  cl::value_desc("name"), cl::Required,
                                  cl::sub(CompileCmd), cl::cat(Category));
cl::opt<std::string>
    Emit("emit",
         cl::desc("What to write: plan (the launch plan, readable), llvm, "
                  "ptx, cubin, hsaco or bundle (the default: the plan and its "
                  "code, which `irc-gpu run` loads)"),
         cl::value_desc("kind"), cl::init("bundle"), cl::sub(CompileCmd),
         cl::cat(Category));
cl::list<std::string>
    DumpAfter("dump-after",
              cl::desc("Print the entry function after pass PASS (or after "
                       "every pass: all) to stderr; repeatable"),
              cl::value_desc("PASS"), cl::sub(CompileCmd), cl::cat(Category));

// Code generation options: part of the hash; `run` takes them too (they take
// effect with the GPU code generator).
cl::opt<std::string>
    Target("target",
           cl::desc("GPU target: sm_XY (NVIDIA, e.g. sm_90) or gfxNNN "
                    "(AMD, e.g. gfx90a); run: used by GPU code generation"),
           cl::value_desc("T"), cl::sub(HashCmd), cl::sub(RunCmd),
           cl::sub(CompileCmd), cl::cat(Category));
cl::opt<std::string>
    OptLevel("O",
             cl::desc("Optimization level of GPU code: -O0, -O1, -O2 "
                      "(default) or -O3"),
             cl::Prefix, cl::init("2"), cl::value_desc("N"), cl::sub(HashCmd),
             cl::sub(RunCmd), cl::sub(CompileCmd), cl::cat(Category));
cl::opt<bool>
    Checked("checked",
            cl::desc("Bounds-checked mode: an out-of-bounds access is an error "
                     "naming the function, buffer and index (the interpreter "
                     "always checks)"),
            cl::sub(HashCmd), cl::sub(RunCmd), cl::sub(CompileCmd),
            cl::cat(Category));
cl::opt<bool>
    AllowSequential("allow-sequential",
                    cl::desc("Run loops that cannot be offloaded sequentially "
                             "on the device instead of failing"),
                    cl::sub(HashCmd), cl::sub(RunCmd), cl::sub(CompileCmd),
                    cl::cat(Category));

cl::opt<std::string>
    Device("device",
           cl::desc("Where to run: auto (default: the first GPU, as "
                    "`irc-gpu devices` lists them, else the interpreter), "
                    "interp, sim (the launch plan on the plan "
                    "simulator), cuda, cuda:N, hip, hip:N"),
           cl::value_desc("D"), cl::init("auto"), cl::sub(RunCmd),
           cl::cat(Category));
cl::opt<unsigned long long>
    Seed("seed",
         cl::desc("--device sim: seed of the order in which grid points run "
                  "(default 1)"),
         cl::value_desc("N"), cl::init(1), cl::sub(RunCmd), cl::cat(Category));
cl::list<std::string>
    Args("arg",
         cl::desc("Bind a parameter: NAME=VALUE for a scalar (a VIR "
                  "literal), NAME=@FILE.npy for a buffer"),
         cl::value_desc("NAME=VALUE"), cl::sub(RunCmd), cl::cat(Category));
cl::list<std::string>
    Outs("out",
         cl::desc("After the run, write buffer parameter NAME to PATH "
                  "as a 1-D .npy file"),
         cl::value_desc("NAME=PATH"), cl::sub(RunCmd), cl::cat(Category));

cl::list<std::string>
    BenchWorkloads("workload",
                   cl::desc("Run only this workload (repeatable; default: "
                            "all)"),
                   cl::value_desc("NAME"), cl::sub(BenchCmd),
                   cl::cat(Category));
cl::opt<unsigned> BenchRepeat(
    "repeat",
    cl::desc("The most timed runs per measurement (default 100; fewer when "
             "they take over half a second)"),
    cl::value_desc("N"), cl::init(100), cl::sub(BenchCmd), cl::cat(Category));
cl::opt<std::string> BenchJson("json",
                               cl::desc("Write one JSON line per measurement "
                                        "to FILE"),
                               cl::value_desc("FILE"), cl::sub(BenchCmd),
                               cl::cat(Category));
cl::opt<std::string>
    BenchRefs("refs",
              cl::desc("The hand-written CUDA references "
                       "(benchmarks/build-refs.sh makes refs.cubin)"),
              cl::value_desc("refs.cubin"), cl::sub(BenchCmd),
              cl::cat(Category));
cl::opt<std::string> BenchDevice("device",
                                 cl::desc("The GPU: cuda (default) or cuda:N"),
                                 cl::value_desc("D"), cl::init("cuda"),
                                 cl::sub(BenchCmd), cl::cat(Category));
cl::opt<bool> BenchDryRun(
    "dry-run",
    cl::desc("No GPU: run the workloads at small sizes on the plan simulator "
             "through the harness's checks, and the compile and cache "
             "measurements"),
    cl::sub(BenchCmd), cl::cat(Category));
cl::opt<unsigned long long> BenchSeed("seed",
                                      cl::desc("Seed of the random inputs"),
                                      cl::value_desc("N"), cl::init(1),
                                      cl::sub(BenchCmd), cl::cat(Category));
cl::opt<std::string> BenchMeasure("measure", cl::Hidden,
                                  cl::desc("Internal: cold-compile|disk-hit"),
                                  cl::sub(BenchCmd), cl::cat(Category));
cl::opt<std::string> BenchCacheDir("cache-dir", cl::Hidden,
                                   cl::desc("Internal: for --measure disk-hit"),
                                   cl::sub(BenchCmd), cl::cat(Category));

cl::opt<std::string>
    CacheAction(cl::Positional,
                cl::desc("<dir | stats | clear>: print the cache directory, "
                         "its entries and bytes, or remove its entries"),
                cl::sub(CacheCmd), cl::cat(Category));

constexpr const char *Overview =
    "irc-gpu: compiles VIR loop nests for GPUs and runs them\n\n"
    "  irc-gpu fmt FILE\n"
    "  irc-gpu hash FILE [--entry NAME] [--target T] [-O0..-O3]\n"
    "  irc-gpu compile FILE --entry NAME --target T [-o OUT] [--emit KIND]\n"
    "  irc-gpu run FILE|BUNDLE --entry NAME [--device D] [--arg NAME=VALUE]... "
    "[--out NAME=PATH]...\n"
    "  irc-gpu bench [--workload NAME]... [--repeat N] [--json FILE] "
    "[--refs refs.cubin] [--device cuda:N] [--dry-run]\n"
    "  irc-gpu cache dir|stats|clear\n"
    "  irc-gpu devices\n\n"
    "FILE '-' reads stdin. A BUNDLE is what `compile` writes by default "
    "(--emit bundle); `run` runs its plan and code as they are.\nExit status: "
    "0 success, 1 error in the input, "
    "2 bad usage, 3 device or runtime error.\n";

irctool::CodegenOptions codegenOptions() {
  irctool::CodegenOptions C;
  C.Target = Target;
  C.OptLevel = OptLevel[0] - '0';
  C.OptLevelGiven = OptLevel.getNumOccurrences() > 0;
  C.Checked = Checked;
  C.AllowSequential = AllowSequential;
  return C;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::HideUnrelatedOptions(Category);
  cl::SetVersionPrinter([](raw_ostream &OS) {
    OS << "irc-gpu version " << ircgpu::compilerVersion() << "\n";
  });
  // With an error stream, a bad command line returns false instead of
  // exiting with status 1: spec/cli.md wants 2.
  if (!cl::ParseCommandLineOptions(argc, argv, Overview, &errs()))
    return irctool::ExitUsage;

  if (OptLevel.size() != 1 || OptLevel[0] < '0' || OptLevel[0] > '3') {
    errs() << "irc-gpu: error: invalid optimization level '-O" << OptLevel
           << "' (expected -O0, -O1, -O2 or -O3)\n";
    return irctool::ExitUsage;
  }

  if (FmtCmd) {
    irctool::FmtOptions O;
    O.Input = Input;
    O.Output = Output;
    return irctool::reportAndExit(irctool::runFmt(O));
  }
  if (HashCmd) {
    irctool::HashOptions O;
    O.Input = Input;
    O.Entry = HashEntry;
    O.Codegen = codegenOptions();
    return irctool::reportAndExit(irctool::runHash(O));
  }
  if (CompileCmd) {
    irctool::CompileCmdOptions O;
    O.Input = Input;
    O.Entry = CompileEntry;
    O.Output = Output;
    O.Emit = Emit;
    O.DumpAfter = DumpAfter;
    O.Codegen = codegenOptions();
    return irctool::reportAndExit(irctool::runCompile(O));
  }
  if (RunCmd) {
    irctool::RunOptions O;
    O.Input = Input;
    O.Entry = RunEntry;
    O.Device = Device;
    O.Seed = Seed;
    O.Args = Args;
    O.Outs = Outs;
    O.Codegen = codegenOptions();
    return irctool::reportAndExit(irctool::runRun(O));
  }
  if (BenchCmd) {
    ircbench::BenchOptions O;
    O.Workloads = BenchWorkloads;
    O.Repeat = BenchRepeat;
    O.JsonPath = BenchJson;
    O.RefsPath = BenchRefs;
    O.Device = BenchDevice;
    O.DryRun = BenchDryRun;
    O.Seed = BenchSeed;
    O.Measure = BenchMeasure;
    O.CacheDir = BenchCacheDir;
    O.Argv0 = argv[0];
    return irctool::reportAndExit(irctool::runBenchCmd(O));
  }
  if (CacheCmd) {
    irctool::CacheOptions O;
    O.Action = CacheAction;
    return irctool::reportAndExit(irctool::runCache(O));
  }
  if (DevicesCmd)
    return irctool::reportAndExit(irctool::runDevices());
  errs() << "irc-gpu: error: no subcommand given (fmt, hash, compile, run, "
            "bench, cache or devices); see 'irc-gpu --help'\n";
  return irctool::ExitUsage;
}
