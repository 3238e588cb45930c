//===- codegen/Target.h - one GPU target behind a small interface -*- C++ -*-=//
//
// The common lowering (LowerFunction.cpp, Kernels.cpp) is written once against
// this class; everything that differs between GPU vendors (triple, data
// layout, how a thread finds its id, how a kernel is marked, which math
// library names exist, how assembly is produced) lives in one folder per
// target behind it (design.md, Halide's CodeGen_GPU_Dev). Targets are made
// only by createTarget(), so the rest of the library never names a vendor.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CODEGEN_TARGET_H
#define IRCGPU_CODEGEN_TARGET_H

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

  /// Makes F a kernel entry point that the host can launch.
  virtual void markKernel(llvm::Function &F) const = 0;

  /// The math-library function computing Op (a MathUnary or MathBinary
  /// opcode) on S (F32 or F64), or "" if the target has none.
  virtual llvm::StringRef mathFunctionName(Opcode Op, Scalar S) const = 0;

  /// Target assembly (PTX) of M; sets M's triple and data layout first.
  virtual llvm::Expected<std::string> emitAssembly(llvm::Module &M) const = 0;
};

/// "sm_XY" -> NVPTX. "gfxNNN" -> an error until the AMDGPU target exists.
llvm::Expected<std::unique_ptr<Target>> createTarget(llvm::StringRef Name);

/// Defined by each target folder; only createTarget() calls them.
llvm::Expected<std::unique_ptr<Target>> createNVPTXTarget(llvm::StringRef Name);

} // namespace ircgpu

#endif
