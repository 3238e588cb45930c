//===- ArgBinding.h - `--arg` and `--out` of `irc-gpu run` ------*- C++ -*-===//
#ifndef IRCGPU_TOOLS_ARGBINDING_H
#define IRCGPU_TOOLS_ARGBINDING_H

#include "Npy.h"

#include "ircgpu/Interpreter.h"

#include <string>
#include <vector>

namespace irctool {

/// The arguments of one entry function, in parameter order.
struct Bindings {
  std::vector<ircgpu::InterpArg> Args;
  std::vector<NpyArray> Buffers; ///< per parameter; empty for scalars
  struct Out {
    unsigned Param;
    std::string Path;
  };
  std::vector<Out> Outs;
};

/// Binds `NAME=VALUE` / `NAME=@PATH` specs to the parameters of F and checks
/// the `NAME=PATH` specs of --out. Usage errors (malformed spec, unknown
/// name, a parameter bound twice or not at all, --out of a non-buffer) are
/// all found before any value is read; bad values are input errors naming
/// the parameter.
llvm::Expected<Bindings> bindArguments(const ircgpu::Function &F,
                                       llvm::ArrayRef<std::string> ArgSpecs,
                                       llvm::ArrayRef<std::string> OutSpecs);

/// Writes every --out buffer of B after a run.
llvm::Error writeOutputs(const ircgpu::Function &F, const Bindings &B);

} // namespace irctool

#endif
