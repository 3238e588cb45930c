//===- tests/fuzz/FuzzBundle.cpp - the bundle reader on any bytes ---------===//
//
// libFuzzer target: readBundle is meant to be safe on hostile files
// (include/ircgpu/Bundle.h). Random bytes almost never carry a valid BLAKE3
// checksum, so an input that does not start with the magic is taken as the
// body of a bundle and given a correct magic line: the fuzzer then reaches
// the JSON, the plan checks and the verifier. An input that reads must write
// (writeBundle checks by reading back) and write the same bytes again.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Bundle.h"
#include "runtime/BundleFormat.h"

#include <cstdio>
#include <cstdlib>

using namespace ircgpu;

namespace {

[[noreturn]] void fail(const char *What, const std::string &Detail) {
  std::fprintf(stderr, "fuzz-bundle: %s\n%s\n", What, Detail.c_str());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef In(reinterpret_cast<const char *>(Data), Size);
  std::string File = isBundle(In) ? In.str()
                                  : bundle::magicLine(BundleFormatVersion, In) +
                                        "\n" + In.str();
  auto B = readBundle(File, "fuzz.bundle");
  if (!B) {
    llvm::consumeError(B.takeError());
    return 0;
  }
  auto W = writeBundle(*B);
  if (!W)
    fail("a bundle that reads does not write", llvm::toString(W.takeError()));
  auto B2 = readBundle(*W, "written.bundle");
  if (!B2)
    fail("a written bundle does not read", llvm::toString(B2.takeError()));
  auto W2 = writeBundle(*B2);
  if (!W2 || *W2 != *W)
    fail("writing a bundle twice gives other bytes",
         W2 ? std::string() : llvm::toString(W2.takeError()));
  return 0;
}
