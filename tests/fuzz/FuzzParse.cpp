//===- tests/fuzz/FuzzParse.cpp - parser + verifier on any bytes ----------===//
//
// libFuzzer target: arbitrary bytes through the parser and the verifier, and
// the diagnostics printed as the CLI prints them. A module that verifies must
// round-trip: its canonical text parses and verifies again and prints the same
// bytes (docs/ir.md, "Canonical text"); anything else aborts, so the fuzzer
// reports it as a crash. docs/fuzzing.md says how to run it.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Hash.h"
#include "ircgpu/Parser.h"
#include "ircgpu/Printer.h"
#include "ircgpu/Verifier.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>

using namespace ircgpu;

namespace {

[[noreturn]] void fail(const char *What, llvm::StringRef Text) {
  std::fprintf(stderr, "fuzz-parse: %s\n%.*s\n", What, int(Text.size()),
               Text.data());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef Src(reinterpret_cast<const char *>(Data), Size);
  // Diagnostics are rendered (source line, caret) into a string: that code
  // reads the source at the error's location, which must stay in bounds.
  std::string Sink;
  llvm::raw_string_ostream OS(Sink);
  auto M = parseModule(Src);
  if (!M) {
    printDiagnostics(OS, "fuzz.vir", Src, M.takeError());
    return 0;
  }
  if (llvm::Error E = verifyModule(**M)) {
    printDiagnostics(OS, "fuzz.vir", Src, std::move(E));
    return 0;
  }
  (void)moduleHash(**M, {});
  std::string Text = printModule(**M);
  auto Again = parseAndVerify(Text);
  if (!Again) {
    printDiagnostics(OS, "printed.vir", Text, Again.takeError());
    OS.flush();
    fail(("the printed module does not parse: " + Sink).c_str(), Text);
  }
  if (printModule(**Again) != Text)
    fail("printing the printed module gives other text", Text);
  return 0;
}
