//===- ir/InterpBytecode.h - interpreter register bytecode ---*- C++ -*-===//
//
// The flat form the interpreter runs (InterpCompile.cpp builds it,
// InterpExec.cpp runs it). Every VIR value owns a 64-bit slot in one register
// file (InterpSemantics.h gives the layout); literals are slots preloaded at
// translation time. Structured control flow becomes jumps.
//
// Functions: recursion is impossible (the translator rejects it), so no
// function is ever active twice and each one gets fixed slots of its own. A
// call copies the arguments into the callee's parameter slots and jumps; the
// callee's `ret` copies its values into its result slots and returns to the
// address on a small return stack; the caller then copies them out (a call in
// a loop must not see its previous results overwritten in place).
//
// Pointers: (buffer << 56) | (element offset mod 2^56), where buffer is the
// index of the entry parameter the pointer derives from (MaxParams = 256 fits
// 8 bits). Offsets are kept modulo 2^56, which is exact for every access that
// can be in bounds (no host buffer has 2^55 elements).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_IR_INTERPBYTECODE_H
#define IRCGPU_IR_INTERPBYTECODE_H

#include "ircgpu/IR.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace ircgpu::interp {

// Field use (D = destination slot, A/B/C/E = source slots unless noted;
// Aux is usually S = 64 - width, see InterpSemantics.h):
//   Move D,A; Jump A=target; BrTrue/BrFalse A=cond, B=target
//   ForInit D=index (D+1 = remaining trips), A=lb, B=ub, C=step, E=exit target
//   ForNext D=index, C=step, A=body target; Call A=target
//   SExt Aux=source S, B=destination S (an immediate)
//   Load* D,A=ptr,B=index; Store* A=ptr,B=index,C=value; Offset D,A,B
//   Atomic D,A,B,C=value, E=AtomicKind | Scalar << 8, Aux = index S
//   CmpXchg D,A,B,C=expected,E=new, Aux = index S | log2(bytes) << 6
//   MathU*/MathB* Aux = function number (InterpExec.cpp tables)
//   FCmp* Aux = FCmpPred
#define IRCGPU_BYTECODE_OPS(X)                                                 \
  X(Nop)                                                                       \
  X(Move) X(Jump) X(BrTrue) X(BrFalse) X(ForInit) X(ForNext) X(Call) X(Return) \
      X(Halt) X(Add) X(Sub) X(Mul) X(SDiv) X(UDiv) X(SRem) X(URem) X(And) X(   \
          Or) X(Xor) X(Shl) X(LShr) X(AShr) X(SMin) X(SMax) X(UMin) X(UMax)    \
          X(Neg) X(Not) X(Abs) X(Popcount) X(Clz) X(Ctz) X(IEq) X(INe) X(      \
              ISlt) X(ISle) X(ISgt) X(ISge) X(IUlt) X(IUle) X(IUgt) X(IUge)    \
              X(FAdd32) X(FSub32) X(FMul32) X(FDiv32) X(FRem32) X(FMin32) X(   \
                  FMax32) X(FNeg32) X(FAbs32) X(Fma32) X(MathU32) X(MathB32)   \
                  X(FCmp32) X(FAdd64) X(FSub64) X(FMul64) X(FDiv64) X(FRem64)  \
                      X(FMin64) X(FMax64) X(FNeg64) X(FAbs64) X(Fma64)         \
                          X(MathU64) X(MathB64) X(FCmp64) X(Select) X(SExt)    \
                              X(Trunc) X(SIToF32) X(SIToF64) X(UIToF32)        \
                                  X(UIToF64) X(F32ToSI) X(F64ToSI) X(F32ToUI)  \
                                      X(F64ToUI) X(FPExt) X(FPTrunc) X(Load1)  \
                                          X(Load2) X(Load4) X(Load8) X(Store1) \
                                              X(Store2) X(Store4) X(Store8)    \
                                                  X(Offset) X(Atomic)          \
                                                      X(CmpXchg)

enum class BOp : uint8_t {
#define X(N) N,
  IRCGPU_BYTECODE_OPS(X)
#undef X
};

/// Math function numbers (Aux of MathU*/MathB*), in Ops.def order.
enum MathFn : uint8_t {
  MSqrt,
  MRsqrt,
  MExp,
  MExp2,
  MLog,
  MLog2,
  MLog10,
  MSin,
  MCos,
  MTan,
  MTanh,
  MErf,
  MFloor,
  MCeil,
  MRound,
  MTrunc,
  NumMathUnary,
  MPow = 0,
  MAtan2,
  MCopysign,
  NumMathBinary
};

struct Inst {
  BOp Op = BOp::Nop;
  uint8_t Aux = 0;
  /// VIR ops this instruction accounts for (opsExecuted()): 1 for most, 0
  /// for copies the translation adds, more where ops cost no instruction
  /// (`const`, `zext`, `bitcast` reuse their operand's slot).
  uint16_t Weight = 0;
  uint32_t D = 0, A = 0, B = 0, C = 0, E = 0;
};

/// A translated entry function with everything it calls.
struct Program {
  std::vector<Inst> Code;           ///< starts at the entry; index 0 runs first
  std::vector<uint32_t> InstFunc;   ///< per instruction: its VIR function index
  std::vector<uint64_t> InitSlots;  ///< the register file, literals preloaded
  std::vector<uint32_t> ParamSlots; ///< the entry's parameters
  std::vector<uint32_t> ResultSlots; ///< the entry's results after Halt
  unsigned NumFunctions = 0;         ///< bounds the call depth
};

/// Translates Entry (a function of M) and its callees. Fails on malformed
/// input a verified module cannot have (recursion, undefined values).
llvm::Error translate(const Module &M, unsigned Entry, Program &P);

/// A buffer argument as the dispatch loop sees it.
struct BufRef {
  uint8_t *Data;
  uint64_t Count;
};

/// Where and why a run stopped early.
struct Fault {
  uint32_t Pc = 0;
  unsigned Buffer = 0;
  __int128 Index = 0;
  uint64_t Count = 0;
};

/// Runs P from instruction 0 on the register file Slots. Returns false on an
/// out-of-bounds access, described in F. Ops receives the executed VIR ops.
bool execute(const Program &P, uint64_t *Slots, const BufRef *Bufs,
             uint64_t &Ops, Fault &F);

} // namespace ircgpu::interp

#endif
