//===- codegen/BitcodeLibrary.h - linking a target's math library -*- C++ -*-=//
//
// What linking a vendor's bitcode math library (libdevice for NVPTX, OCML for
// AMDGPU) has in common, whatever the target: the file read once per
// process, only the needed definitions linked, every library function the
// module calls defined afterwards, and every global but the kernels made
// internal. Each target folder adds what differs (where the file is, its
// control variables, its intrinsics).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CODEGEN_BITCODELIBRARY_H
#define IRCGPU_CODEGEN_BITCODELIBRARY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/IR/CallingConv.h"
#include "llvm/Support/Error.h"

#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace ircgpu {

/// Whether M declares (calls, undefined) a function whose name starts with
/// Prefix ("__nv_", "__ocml_").
bool callsLibrary(const llvm::Module &M, llvm::StringRef Prefix);

/// Links into M the definitions it needs from the bitcode file at Path (its
/// bytes read once per process and kept: lazy modules point into them),
/// with M's triple and data layout; then every function M declares whose
/// name starts with Prefix must be defined. Errors name Lib ("libdevice")
/// and the file.
llvm::Error linkBitcodeLibrary(llvm::Module &M, const std::string &Path,
                               llvm::StringRef Prefix, llvm::StringRef Lib);

/// Only kernels (functions of calling convention KernelCC) stay entry
/// points: everything else defined in M gets internal linkage (and default
/// visibility, which local linkage requires), so the optimiser inlines and
/// drops it and its names stay out of the code object.
void internalizeAllButKernels(llvm::Module &M, llvm::CallingConv::ID KernelCC);

} // namespace ircgpu

#endif
