//===- tests/fuzz/ReplayMain.cpp - run a fuzz target on files -------------===//
//
// The fuzz targets built without libFuzzer (any compiler): each argument, a
// file or a folder of files, is fed once to LLVMFuzzerTestOneInput. ctest
// replays the committed corpus and every input that once crashed
// (tests/fuzz/corpus/TARGET/) this way in every build, sanitizers included.
//
//===----------------------------------------------------------------------===//
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size);

static bool runOne(const std::string &Path) {
  auto Buf = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!Buf) {
    llvm::errs() << Path << ": " << Buf.getError().message() << "\n";
    return false;
  }
  // A copy of exactly Size bytes, as libFuzzer gives: ASan sees any read
  // past the end.
  std::vector<uint8_t> Bytes((*Buf)->getBufferStart(), (*Buf)->getBufferEnd());
  LLVMFuzzerTestOneInput(Bytes.data(), Bytes.size());
  return true;
}

int main(int Argc, char **Argv) {
  unsigned Files = 0;
  bool OK = true;
  for (int I = 1; I < Argc; ++I) {
    std::error_code EC;
    if (!llvm::sys::fs::is_directory(Argv[I])) {
      OK &= runOne(Argv[I]);
      ++Files;
      continue;
    }
    for (llvm::sys::fs::recursive_directory_iterator It(Argv[I], EC), End;
         It != End && !EC; It.increment(EC)) {
      if (llvm::sys::fs::is_regular_file(It->path())) {
        OK &= runOne(It->path());
        ++Files;
      }
    }
    if (EC) {
      llvm::errs() << Argv[I] << ": " << EC.message() << "\n";
      OK = false;
    }
  }
  llvm::outs() << "replayed " << Files << " inputs\n";
  return OK && Files > 0 ? 0 : 1;
}
