//===- tests/fuzz/FuzzCompile.cpp - VIR to PTX on any module --------------===//
//
// libFuzzer target: inputs that parse and verify go through the whole
// compiler: the interpreter's translation, buildPlan (inline, canonicalize,
// dependence analysis, outlining) for each function as the entry, and code
// generation to PTX (or AMDGPU assembly). Refusals (not offloadable, a
// limit) are errors, which is fine; a crash, a hang or an LLVM fatal error is
// a bug. Nothing is run: the interpreter has no step budget, and a loop the
// input controls could run for ever.
//
// The options come from a hash of the input, so an input always compiles the
// same way (a crash reproduces) while the fuzzer still covers checked mode,
// --allow-sequential, -O levels and both GPU targets.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Codegen.h"
#include "ircgpu/Compiler.h"
#include "ircgpu/Interpreter.h"
#include "ircgpu/Parser.h"

#include "llvm/ADT/Hashing.h"
#include "llvm/Support/Error.h"

using namespace ircgpu;

namespace {

/// Entries compiled per input: enough for modules with helpers, while one
/// input stays well under the fuzzer's per-input timeout.
constexpr size_t MaxEntries = 3;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef Src(reinterpret_cast<const char *>(Data), Size);
  auto M = parseAndVerify(Src);
  if (!M) {
    llvm::consumeError(M.takeError());
    return 0;
  }
  uint64_t H = llvm::hash_value(Src);
  CompileOptions CO;
  CO.AllowSequential = H & 1;
  CO.Checked = (H >> 1) & 1;
  CodegenOptions GO;
  GO.Target = ((H >> 2) & 7) == 0 ? "gfx90a" : "sm_90";
  GO.OptLevel = (H >> 5) % 3; // -O0..-O2: -O3 adds time, not new lowering
  GO.Checked = CO.Checked;
  GO.Cubin = false;
  size_t N = std::min(MaxEntries, (*M)->Functions.size());
  for (size_t I = 0; I < N; ++I) {
    const std::string &Entry = (*M)->Functions[I]->Name;
    if (auto Interp = Interpreter::create(**M, Entry); !Interp)
      llvm::consumeError(Interp.takeError());
    auto P = buildPlan(**M, Entry, CO);
    if (!P) {
      llvm::consumeError(P.takeError());
      continue;
    }
    auto Asm = emitPlanKernels(*P, GO, EmitKind::Assembly);
    if (!Asm)
      llvm::consumeError(Asm.takeError());
  }
  return 0;
}
