//===- codegen/Target.h - one GPU target behind a small interface -*- C++ -*-=//
//
// The common lowering (LowerFunction.cpp, EmitKernels.cpp, ...) is written once
// against this class; everything that differs between GPU vendors (triple, data
// layout, how a thread finds its id, how a kernel is marked, which math
// library names exist, how assembly is produced) lives in one folder per
// target behind it (design.md, Halide's CodeGen_GPU_Dev). Targets are made
// only by createTarget(), so the rest of the library never names a vendor.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CODEGEN_TARGET_H
#define IRCGPU_CODEGEN_TARGET_H

#include "ircgpu/Codegen.h"
#include "ircgpu/IR.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class Function;
class IRBuilderBase;
class Module;
class Value;
} // namespace llvm

namespace ircgpu {

class Target {
public:
  virtual ~Target();

  /// The name it was created from: "sm_90".
  virtual llvm::StringRef name() const = 0;
  virtual llvm::StringRef triple() const = 0;
  virtual std::string dataLayout() const = 0;
  /// The LLVM CPU name ("sm_90") and feature string ("+ptx80").
  virtual llvm::StringRef cpu() const = 0;
  virtual llvm::StringRef features() const = 0;
  /// Address space of buffers (kernel pointer parameters).
  virtual unsigned globalAddressSpace() const = 0;

  /// Thread index within the block, block index within the grid and block
  /// size, along Dim (0 = x, 1 = y, 2 = z); each an i32.
  virtual llvm::Value *emitThreadId(llvm::IRBuilderBase &B,
                                    unsigned Dim) const = 0;
  virtual llvm::Value *emitBlockId(llvm::IRBuilderBase &B,
                                   unsigned Dim) const = 0;
  virtual llvm::Value *emitBlockDim(llvm::IRBuilderBase &B,
                                    unsigned Dim) const = 0;

  /// Address space of memory shared by the threads of a block.
  virtual unsigned sharedAddressSpace() const = 0;
  /// A barrier for all threads of the block (their shared-memory writes
  /// before it are visible to all after it).
  virtual void emitBarrier(llvm::IRBuilderBase &B) const = 0;
  /// Threads that run in lockstep and can exchange registers (a warp).
  virtual unsigned warpSize() const = 0;
  /// The i32 V of the lane Delta above the calling one in its warp (the
  /// caller's own V where that lane does not exist); every lane of the warp
  /// must take part.
  virtual llvm::Value *emitShuffleDown(llvm::IRBuilderBase &B, llvm::Value *V,
                                       unsigned Delta) const = 0;

  /// Makes F a kernel entry point that the host can launch, with blocks of
  /// at most MaxBlockThreads (KernelABI.h). MinBlocksPerSM > 0 asks that so
  /// many such blocks fit one multiprocessor at once: the backend then caps
  /// registers accordingly (NVPTX: .minnctapersm; ignored where the target
  /// has no such control).
  virtual void markKernel(llvm::Function &F,
                          unsigned MinBlocksPerSM = 0) const = 0;

  /// The math-library function computing Op (a MathUnary or MathBinary
  /// opcode) on S (F32 or F64), or "" if the target has none. Approx (the
  /// op's `afn` flag) allows a faster function with the looser bound
  /// documented in docs/codegen.md; without one the accurate one is returned.
  virtual llvm::StringRef mathFunctionName(Opcode Op, Scalar S,
                                           bool Approx) const = 0;

  /// The compile sequence, each step on the module the previous one left:
  ///   lowerPlanKernels -> linkMathLibrary -> optimize -> emitAssembly
  ///   -> assembleObject (optional: the driver can also load assembly),
  /// or, for the code object, optimize -> emitObject (both steps in one).
  /// The steps keep no state in the Target, so one Target may serve
  /// several threads, each with its own LLVMContext and module.

  /// Links the definitions of the math-library functions M calls (libdevice
  /// for NVPTX) and internalises every function but the kernels. A module
  /// without such calls is left as it is and needs no library on disk.
  virtual llvm::Error linkMathLibrary(llvm::Module &M) const = 0;

  /// Runs LLVM's default pipeline at -O<OptLevel> (0..3) on M.
  virtual llvm::Error optimize(llvm::Module &M, unsigned OptLevel) const = 0;

  /// Target assembly (PTX, AMDGPU assembly) of M, the backend at -O<OptLevel>;
  /// sets M's triple and data layout first.
  virtual llvm::Expected<std::string> emitAssembly(llvm::Module &M,
                                                   unsigned OptLevel) const = 0;
  llvm::Expected<std::string> emitAssembly(llvm::Module &M) const {
    return emitAssembly(M, 3);
  }

  /// The loadable code object (a cubin for NVPTX) of Assembly, assembled
  /// in-process. An AssemblerUnavailableError when the assembler library is
  /// missing (callers may load the assembly itself instead); any other
  /// error carries the assembler's log.
  virtual llvm::Expected<std::string>
  assembleObject(llvm::StringRef Assembly) const = 0;

  /// The loadable code object of M, the backend at -O<OptLevel>; M is not
  /// to be used afterwards. By default assembleObject(emitAssembly(M)); a
  /// target whose backend writes objects itself (AMDGPU) overrides it.
  virtual llvm::Expected<std::string> emitObject(llvm::Module &M,
                                                 unsigned OptLevel) const;
  /// What emitObject's bytes are (a cubin, an HSA code object).
  virtual CodeObject::Format objectFormat() const = 0;
  /// Whether the driver also loads emitAssembly's text (PTX: the CUDA
  /// driver JITs it), so that compilePlanCode may stop there.
  virtual bool driverLoadsAssembly() const = 0;
};

/// No in-process assembler on this machine (libnvJitLink not found): a
/// distinct error so that callers can fall back to loading assembly, e.g.
///   if (E.isA<AssemblerUnavailableError>()) ...
class AssemblerUnavailableError
    : public llvm::ErrorInfo<AssemblerUnavailableError> {
public:
  static char ID;
  explicit AssemblerUnavailableError(std::string Msg) : Msg(std::move(Msg)) {}
  void log(llvm::raw_ostream &OS) const override;
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }

private:
  std::string Msg;
};

/// "sm_XY" -> NVPTX, "gfxNNN" -> AMDGPU.
llvm::Expected<std::unique_ptr<Target>> createTarget(llvm::StringRef Name);

/// Defined by each target folder; only createTarget() calls them.
llvm::Expected<std::unique_ptr<Target>> createNVPTXTarget(llvm::StringRef Name);
llvm::Expected<std::unique_ptr<Target>>
createAMDGPUTarget(llvm::StringRef Name);

} // namespace ircgpu

#endif
