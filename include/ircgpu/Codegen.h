//===- ircgpu/Codegen.h - launch-plan kernels to GPU code -------*- C++ -*-===//
//
// The kernels of a launch plan (Plan.h) become one LLVM module with one GPU
// kernel per Kernel step, for a Target made by createTarget("sm_90") (the
// target interface itself is private to codegen/).
//
// GPU kernel calling convention (what a launcher passes, in order):
//   for each grid dimension d, outermost first: LB_d, UB_d, Step_d, each of
//     the loop index's type (i32 or i64), by value;
//   then the values of Step::Args: scalars by value, buffers as pointers to
//     their first element in the global address space.
// The launcher picks any block and grid shape covering the trip counts. The
// plan's LAST grid dimension (the innermost loop, fastest in memory) maps to
// x, the one before to y, the first of three to z (docs/passes.md). A thread
// computes t_d = blockIdx * blockDim + threadIdx in 64 bits per dimension,
// returns when any t_d >= trip count, and otherwise runs the outlined body
// at index_d = LB_d + t_d * Step_d.
//
// Kernels with reductions are refused for now: the deterministic tree of
// docs/passes.md ("Reduction order") comes next.
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

llvm::Expected<std::unique_ptr<llvm::Module>>
lowerPlanKernels(const Plan &P, const Target &T, llvm::LLVMContext &Ctx);

/// The target assembly (PTX for sm_XY) of M.
llvm::Expected<std::string> emitAssembly(llvm::Module &M, const Target &T);

/// LLVMIR: the module as handed to the backend (math library linked,
/// optimised); Assembly: PTX; Object: a cubin (binary).
enum class EmitKind { LLVMIR, Assembly, Object };

/// The whole path for clients that do not hold a Target: the textual LLVM IR,
/// the assembly or the code object of P's kernels for the target named
/// TargetName, optimised at -O<OptLevel>.
llvm::Expected<std::string> emitPlanKernels(const Plan &P,
                                            llvm::StringRef TargetName,
                                            EmitKind Kind,
                                            unsigned OptLevel = 2);

} // namespace ircgpu

#endif
