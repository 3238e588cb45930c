//===- ir/ScalarEval.h - evaluate scalar VIR ops on constants ---*- C++ -*-===//
//
// One entry point that computes a scalar VIR op on constant operand bits
// exactly as the interpreter does (ir/InterpSemantics.h and the same libm
// entry points), so a caller that folds or simulates with it never changes a
// result bit. Users: the constant folder (passes/Canonicalize.cpp) and the
// plan simulator's reductions (runtime/Simulator.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_IR_SCALAREVAL_H
#define IRCGPU_IR_SCALAREVAL_H

#include "ircgpu/IR.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>

namespace ircgpu {

/// Evaluates the scalar op \p C (predicate \p Sub for icmp/fcmp, else
/// ignored) on the slot values \p In (at most 3, in the slot layout of
/// ir/InterpSemantics.h) of type \p OperandTy, giving a \p ResultTy slot
/// value. Handles integer and float binary and unary ops, icmp, fcmp, the
/// exact math ops (sqrt floor ceil round ftrunc copysign fma) and casts.
///
/// Returns std::nullopt for ops it does not evaluate: non-scalar types, f16
/// (except a bitcast, which only moves bits), ops of other kinds, and the
/// transcendental functions (and rsqrt), which may round differently on a
/// GPU's math library than in the host's libm, so their result is not
/// known here.
///
/// NaN results are returned as the host computes them; VIR does not define
/// NaN payloads, so a caller that must match run time bit for bit (the
/// folder) has to decide for itself what to do with them.
std::optional<uint64_t> evaluateScalarOp(Opcode C, uint8_t Sub, Type OperandTy,
                                         Type ResultTy,
                                         llvm::ArrayRef<uint64_t> In);

/// The identity of reduction operator Op (add mul and or xor smin smax umin
/// umax fadd fmul fmin fmax) on Ty, as slot bits: OP(identity, x) == x bit for
/// bit (NaN payloads aside). fadd's is -0.0; fmin/fmax's the default quiet
/// NaN, which minNum/maxNum ignore. The reduction tree (docs/passes.md) starts
/// every thread's fold from it, in the simulator and on the GPU alike.
uint64_t reductionIdentity(Opcode Op, Type Ty);

} // namespace ircgpu

#endif
