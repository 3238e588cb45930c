//===- codegen/Target.cpp - what Target.h defines besides the interface ---===//

#include "codegen/Target.h"

#include "llvm/Support/raw_ostream.h"

namespace ircgpu {

char AssemblerUnavailableError::ID;

void AssemblerUnavailableError::log(llvm::raw_ostream &OS) const { OS << Msg; }

} // namespace ircgpu
