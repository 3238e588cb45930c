//===- codegen/LowerFunction.h - one VIR function body into LLVM IR -*- C++
//-*-//
//
// The target-independent part of code generation: every op of Ops.def but
// `call` (inlining removed calls before outlining) becomes LLVM IR with the
// semantics spec/vir.md §3 defines, so that each GPU target matches the
// interpreter bit for bit. Target differences come in through Target.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CODEGEN_LOWERFUNCTION_H
#define IRCGPU_CODEGEN_LOWERFUNCTION_H

#include "codegen/Target.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"

namespace ircgpu {

/// The LLVM type of a VIR type: pointers are opaque pointers in the target's
/// global address space.
llvm::Type *lowerType(Type Ty, llvm::LLVMContext &Ctx, const Target &T);

/// Checked mode (docs/codegen.md, "Checked mode"): what the bounds checks of
/// one device function need from its frame.
struct BoundsChecks {
  /// The device error record (a DeviceErrorRecord in the global space).
  llvm::Value *ErrorRecord = nullptr;
  /// The function's index in Plan::Code, recorded as DeviceErrorRecord::Func.
  uint32_t Func = 0;
  /// By parameter of F: a buffer parameter's element count (i64), else null.
  llvm::SmallVector<llvm::Value *, 8> Counts;
};

/// Privatised atomics (docs/codegen.md, "Privatised atomics"): the buffer
/// parameters whose atomics go to a block-private array in shared memory
/// instead (codegen/PrivatizeAtomics.h decides which; the grid-kernel
/// emitter zeroes and flushes the arrays).
struct PrivateBuffers {
  /// By parameter of F: the shared-memory array ([R x T]) standing for the
  /// buffer, or null.
  llvm::SmallVector<llvm::GlobalVariable *, 8> Arrays;
};

/// Lowers F's body at B's insertion point, with Params[i] standing for F's
/// parameter i. On success B is left at the end of the code (a block with no
/// terminator yet) and the result holds the values of F's `ret`. With Checks
/// every access through a buffer is bounds-checked; without, the code is
/// that of the default mode. With Private, every access through a
/// privatised buffer (only ever an `atomic add`) goes to its shared array.
llvm::Expected<llvm::SmallVector<llvm::Value *, 2>>
lowerFunctionBody(const Function &F, llvm::ArrayRef<llvm::Value *> Params,
                  llvm::IRBuilder<> &B, const Target &T,
                  const BoundsChecks *Checks = nullptr,
                  const PrivateBuffers *Private = nullptr);

/// Lowers F's body once for each of Params.size() independent iterations
/// (Params[k] standing for F's parameters in iteration k), interleaved op
/// by op: op 1 of every iteration, then op 2 of every one, and so on, so
/// that the iterations' loads come before their stores and adjacent accesses
/// sit side by side for the load-store vectorizer. From the first op with a
/// region (for, if, while) on, each iteration's remaining ops follow one
/// iteration after the other. Only for iterations the dependence analysis
/// proved independent (grid points), whose order is free; F returns nothing.
/// No checked mode.
llvm::Error lowerIndependentBodies(
    const Function &F,
    llvm::ArrayRef<llvm::SmallVector<llvm::Value *, 8>> Params,
    llvm::IRBuilder<> &B, const Target &T,
    const PrivateBuffers *Private = nullptr);

/// The number of iterations of `for i = LB to UB step S` (spec §4): computed
/// without overflow, 0 when S <= 0 or UB <= LB. Unsigned, of LB's width.
llvm::Value *emitTripCount(llvm::IRBuilder<> &B, llvm::Value *LB,
                           llvm::Value *UB, llvm::Value *Step);

/// minNum/maxNum with VIR's rules (docs/codegen.md): a NaN operand yields
/// the other, two NaNs the default NaN, fmin(-0, +0) = -0.
llvm::Value *emitFMinMax(llvm::IRBuilderBase &B, bool IsMax, llvm::Value *A,
                         llvm::Value *Bv);

/// OP(A, Bv) for a reduction operator (add mul and or xor smin smax umin umax
/// fadd fmul fmin fmax), with the interpreter's semantics.
llvm::Value *emitCombine(llvm::IRBuilderBase &B, Opcode Op, llvm::Value *A,
                         llvm::Value *Bv);

} // namespace ircgpu

#endif
