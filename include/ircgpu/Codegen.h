//===- ircgpu/Codegen.h - launch-plan kernels to GPU code -------*- C++ -*-===//
//
// The device code of a launch plan (Plan.h) becomes one LLVM module for a
// target named like "sm_90" (the target interface itself is private to
// codegen/), then PTX and a cubin: compilePlanCode is the whole path.
//
// Which device functions a plan has and what each takes is the plan's ABI
// (include/ircgpu/KernelABI.h): grid kernels, reduction trees and their final
// combine, and one single-thread kernel per scalar step; docs/codegen.md
// describes the code.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CODEGEN_H
#define IRCGPU_CODEGEN_H

#include "ircgpu/Plan.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace ircgpu {

class Target;

/// The name of the GPU kernel of the Kernel step whose outlined function is
/// named FuncName: the same name with `.` spelled `$` (`saxpy$k0`), since
/// PTX identifiers have no `.`.
std::string kernelName(llvm::StringRef FuncName);

/// What besides the plan decides the generated code.
struct CodegenOptions {
  std::string Target = "sm_90"; ///< sm_XY or gfxNNN
  unsigned OptLevel = 2;        ///< -O0..-O3
  bool Checked = false;         ///< bounds-checked mode
  /// compilePlanCode assembles a cubin (through nvJitLink, where it can);
  /// false: it stops at PTX, which the driver compiles for any GPU at least
  /// as new as Target (a cubin runs only on Target's own major version).
  /// AMDGPU targets always give a code object (HIP loads nothing else);
  /// false is an error there.
  bool Cubin = true;
};

/// Whether the code generator has target Name ("sm_90", "gfx90a").
bool isSupportedTarget(llvm::StringRef Name);

/// The device functions of P's ABI (computePlanABI(P, Checked)) as one LLVM
/// module, before optimisation.
llvm::Expected<std::unique_ptr<llvm::Module>>
lowerPlanKernels(const Plan &P, const Target &T, llvm::LLVMContext &Ctx,
                 bool Checked = false);

/// The target assembly (PTX for sm_XY) of M.
llvm::Expected<std::string> emitAssembly(llvm::Module &M, const Target &T);

/// LLVMIR: the module as handed to the backend (math library linked,
/// optimised); Assembly: PTX or AMDGPU assembly; Object: a cubin or an HSA
/// code object (binary).
enum class EmitKind { LLVMIR, Assembly, Object };

/// The whole path for clients that do not hold a Target: the textual LLVM IR
/// or the assembly of P's kernels for Opts.Target.
llvm::Expected<std::string>
emitPlanKernels(const Plan &P, const CodegenOptions &Opts, EmitKind Kind);

/// A plan's compiled device code: what the runtime loads and what the module
/// cache keeps.
struct CodeObject {
  /// Hsaco: an HSA code object (AMDGPU shared ELF), what HIP loads.
  enum class Format : uint8_t { PTX = 1, Cubin = 2, Hsaco = 3 };
  Format Kind = Format::PTX;
  std::string Bytes;
  /// One byte of format, then the bytes: the module cache's payload.
  std::string serialize() const;
  static llvm::Expected<CodeObject> deserialize(llvm::StringRef Data);
};

/// Wall-clock milliseconds of each stage of compilePlanCode (for the
/// benchmark harness, `irc-gpu bench`); a stage that did not run stays 0.
struct CompileTimings {
  double TargetMs = 0;   ///< createTarget (LLVM target set-up)
  double LowerMs = 0;    ///< plan kernels -> LLVM IR (lowerPlanKernels)
  double LinkMs = 0;     ///< math library (libdevice) linked
  double OptimizeMs = 0; ///< LLVM's -O pipeline
  double AssemblyMs = 0; ///< LLVM backend: PTX
  double ObjectMs = 0;   ///< PTX -> cubin (nvJitLink)
};

/// The device code of P for Opts: LLVM IR, the math library linked, optimised
/// at Opts.OptLevel, assembly, then a cubin through nvJitLink where that
/// library exists, else the assembly itself (the driver JITs PTX). AMDGPU:
/// the HSA code object, written by the backend and linked by lld. When
/// Timings is given, the time of each stage is written there; the result is
/// the same either way.
llvm::Expected<CodeObject> compilePlanCode(const Plan &P,
                                           const CodegenOptions &Opts,
                                           CompileTimings *Timings = nullptr);

} // namespace ircgpu

#endif
