//===- codegen/Target.cpp - what Target.h defines besides the interface ---===//

#include "codegen/Target.h"

#include "llvm/Support/raw_ostream.h"

namespace ircgpu {

char AssemblerUnavailableError::ID;

void AssemblerUnavailableError::log(llvm::raw_ostream &OS) const { OS << Msg; }

llvm::Expected<std::string> Target::emitObject(llvm::Module &M,
                                               unsigned OptLevel) const {
  auto Asm = emitAssembly(M, OptLevel);
  if (!Asm)
    return Asm.takeError();
  return assembleObject(*Asm);
}

} // namespace ircgpu
