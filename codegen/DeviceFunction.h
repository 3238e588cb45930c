//===- codegen/DeviceFunction.h - emitting one device function --*- C++ -*-===//
//
// The LLVM function of one DeviceFunction of the plan's ABI
// (include/ircgpu/KernelABI.h), with the accessors every emitter needs: the
// value of a slot (a by-value parameter, or a load from the slot array), a
// store to the slot array, the arguments of the outlined VIR function.
// EmitKernels.cpp builds grid and scalar kernels with it, EmitReduction.cpp
// the reduction tree.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CODEGEN_DEVICEFUNCTION_H
#define IRCGPU_CODEGEN_DEVICEFUNCTION_H

#include "codegen/LowerFunction.h"
#include "codegen/Target.h"
#include "ircgpu/KernelABI.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

#include <optional>

namespace ircgpu {

class DeviceFunctionBuilder {
public:
  /// Creates DF's kernel in M for step S (the step whose code it is) and
  /// leaves the builder at the start of its entry block.
  DeviceFunctionBuilder(const Plan &P, const PlanABI &ABI, const Target &T,
                        llvm::Module &M, const DeviceFunction &DF,
                        const PlanStep &S);

  llvm::Function &fn() { return *Fn; }
  llvm::IRBuilder<> &builder() { return B; }
  const ircgpu::Function &vir() const { return VF; }
  const PlanStep &step() const { return S; }
  /// The ABI's description of the function being emitted.
  const DeviceFunction &function() const { return DF; }
  const Target &target() const { return T; }
  llvm::LLVMContext &context() { return Ctx; }

  /// The LLVM type of slot S's VIR type.
  llvm::Type *slotType(SlotId Slot) const;
  /// Slot's value: its by-value parameter if it has one, else a load from
  /// the slot array.
  llvm::Value *slot(SlotId Slot);
  /// Writes V to Slot in the slot array.
  void storeSlot(SlotId Slot, llvm::Value *V);
  /// The first parameter of kind K (SlotArray, Partials, Blocks, ...).
  llvm::Value *param(ParamKind K);
  /// The grid of dimension D: LB, the trip count (i64), Step (by-value
  /// parameters).
  std::array<llvm::Value *, 3> gridBounds(unsigned D);
  /// The values of Step::Args, in order (the outlined function's parameters
  /// after its grid indices).
  llvm::SmallVector<llvm::Value *, 8> stepArgs();
  /// The value of Step::Args[A], a host-known slot (a buffer, say): its
  /// by-value parameter. Emits nothing.
  llvm::Value *hostKnownArg(size_t A);
  /// Whether the plan is compiled in checked mode.
  bool checked() const { return ABI.Checked; }
  /// Checked mode: what the lowering of the outlined function needs for its
  /// bounds checks (the error record, the function's index, the count of
  /// each buffer parameter); nothing in the default mode.
  std::optional<BoundsChecks> boundsChecks();

  /// A fresh block of this function.
  llvm::BasicBlock *block(const llvm::Twine &Name);

private:
  /// Parameter ParamIndex (a Value or grid bound): the literal where its slot
  /// is a constant, else the argument.
  llvm::Value *byValue(size_t ParamIndex);

  const Plan &P;
  const PlanABI &ABI;
  const Target &T;
  const DeviceFunction &DF;
  const PlanStep &S;
  const ircgpu::Function &VF;
  llvm::LLVMContext &Ctx;
  llvm::Function *Fn = nullptr;
  llvm::IRBuilder<> B;
};

/// The kernels of one step, as the ABI says (EmitKernels.cpp,
/// EmitReduction.cpp).
llvm::Error emitGridKernel(DeviceFunctionBuilder &D, unsigned PointsPerThread);
llvm::Error emitScalarKernel(DeviceFunctionBuilder &D);
llvm::Error emitTreeKernel(DeviceFunctionBuilder &D);
llvm::Error emitFinalKernel(DeviceFunctionBuilder &D);

/// The 64-bit trip count of grid dimension Dim of the builder's step (a
/// parameter: the executor computes it).
llvm::Value *gridTripCount(DeviceFunctionBuilder &D, unsigned Dim);

/// The values of the outlined function's grid indices for per-dimension
/// positions Pos (each < its trip count, i64): LB + Pos * Step.
llvm::SmallVector<llvm::Value *, 3>
gridIndices(DeviceFunctionBuilder &D, llvm::ArrayRef<llvm::Value *> Pos);

} // namespace ircgpu

#endif
