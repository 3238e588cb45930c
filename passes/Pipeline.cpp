//===- passes/Pipeline.cpp - from VIR to a launch plan --------------------===//
//
// The pipeline is the flat list of calls in buildPlan(); each named pass can
// be dumped with --dump-after=NAME (or "all").
//
//===----------------------------------------------------------------------===//
#include "ir/Clone.h"
#include "ircgpu/Compiler.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Printer.h"
#include "passes/Canonicalize.h"
#include "passes/Inline.h"
#include "passes/Outline.h"

#include "llvm/ADT/STLExtras.h"

using namespace ircgpu;

static const char *const PassNames[] = {"inline", "canonicalize", "outline"};

llvm::ArrayRef<const char *> ircgpu::passNames() { return PassNames; }

/// A copy of M: the same functions, in the same order (so callee indices
/// stay valid), with fresh value arenas.
static std::unique_ptr<Module> copyModule(const Module &M) {
  auto W = std::make_unique<Module>();
  for (const auto &Src : M.Functions)
    W->Functions.push_back(cloneFunction(*Src));
  return W;
}

static bool wantsDump(const CompileOptions &Opts, llvm::StringRef Pass) {
  return Opts.DumpStream &&
         llvm::any_of(Opts.DumpAfter, [&](const std::string &D) {
           return D == Pass || D == "all";
         });
}

/// `; after PASS` and the entry function as canonical VIR.
static void dumpFunction(const CompileOptions &Opts, llvm::StringRef Pass,
                         const Function &F) {
  if (!wantsDump(Opts, Pass))
    return;
  // printModule takes a module: lend it a copy of F alone (every dump comes
  // after inlining, so F calls nothing).
  Module One;
  One.Functions.push_back(cloneFunction(F));
  *Opts.DumpStream << "; after " << Pass << '\n';
  printModule(One, *Opts.DumpStream);
}

llvm::Expected<Plan> ircgpu::buildPlan(const Module &M, llvm::StringRef Entry,
                                       const CompileOptions &Opts) {
  int EntryIndex = M.indexOf(Entry);
  if (EntryIndex < 0)
    return llvm::make_error<DiagnosticError>(
        SrcLoc(), "no function @" + Entry.str() + " in the module");
  std::unique_ptr<Module> W = copyModule(M);
  Function &F = *W->Functions[EntryIndex];

  inlineCalls(*W, F);
  dumpFunction(Opts, "inline", F);
  canonicalize(F);
  dumpFunction(Opts, "canonicalize", F);
  llvm::Expected<Plan> P = outlinePlan(F, Opts);
  if (P && wantsDump(Opts, "outline")) {
    *Opts.DumpStream << "; after outline\n";
    printPlan(*P, *Opts.DumpStream);
  }
  return P;
}
