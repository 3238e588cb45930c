//===- codegen/amdgpu/LinkCodeObject.h - relocatable -> hsaco ---*- C++ -*-===//
//
// The AMDGPU backend emits a relocatable ELF; HSA loads only a shared ELF
// (the "hsaco"), which ld.lld makes. lld runs in-process, linked from
// liblld-19-dev's static libraries: no ld.lld binary is needed at run time.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CODEGEN_AMDGPU_LINKCODEOBJECT_H
#define IRCGPU_CODEGEN_AMDGPU_LINKCODEOBJECT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace ircgpu::amdgpu {

/// The HSA code object of Relocatable (an AMDGPU ELF relocatable):
/// `ld.lld -shared --no-undefined`, in-process; an error carries lld's log.
llvm::Expected<std::string> linkCodeObject(llvm::StringRef Relocatable);

/// The relocatable ELF of Assembly (AMDGPU assembly text for TripleName,
/// CPU and Features), assembled in-process by LLVM's MC layer as llvm-mc
/// would; an error carries the assembler's diagnostics
/// (AssembleText.cpp). The AMDGPU target must be initialised.
llvm::Expected<std::string> assembleText(llvm::StringRef Assembly,
                                         llvm::StringRef TripleName,
                                         llvm::StringRef CPU,
                                         llvm::StringRef Features);

} // namespace ircgpu::amdgpu

#endif
