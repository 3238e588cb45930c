//===- ir/InterpSemantics.h - VIR scalar semantics --------------*- C++ -*-===//
//
// The scalar semantics of VIR (spec/vir.md §3) as small inline functions on
// 64-bit slot values, shared by the interpreter's dispatch loop and its tests.
//
// Slot layout (ValueInfo::Bits): an integer of width W lives zero-extended in
// the low W bits (canonical form: the bits above W are zero, and every
// function here keeps them so); f32 is its IEEE pattern in the low 32 bits,
// f64 all 64 bits. Widths are passed as S = 64 - W, the shift that moves the
// value's top bit to bit 63, because both the mask (~0 >> S) and the sign
// extension ((int64)(V << S) >> S) are then one shift each.
//
// Choices where IEEE or C leave a freedom (docs: keep stable, every GPU target
// must match them bit for bit):
//  - fmin/fmax are IEEE minNum/maxNum: a NaN operand is ignored; if both are
//    NaN the result is the default quiet NaN (0x7fc00000 / 0x7ff8...0).
//    fmin(-0, +0) = -0 and fmax(-0, +0) = +0 in either operand order.
//  - fptosi/fptoui saturate to the target range and map NaN to 0.
//  - Other NaN-producing float ops return whatever the host produces; VIR does
//    not define NaN payloads (only that the result is a NaN).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_IR_INTERPSEMANTICS_H
#define IRCGPU_IR_INTERPSEMANTICS_H

#include "ircgpu/IR.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ircgpu::interp {

/// S = 64 - width of a scalar (pointers: the whole slot).
inline uint8_t shiftOf(Type T) { return T.isPtr() ? 0 : 64 - T.bits(); }
/// Mask of the low 64 - S bits.
inline uint64_t maskOf(unsigned S) { return ~uint64_t(0) >> S; }
/// Sign-extends the low 64 - S bits.
inline int64_t sextOf(uint64_t V, unsigned S) {
  return static_cast<int64_t>(V << S) >> S;
}

/// The `for` trip count, exactly as the interpreter computes it:
/// 0 for a non-positive step or an empty range, never overflowing.
inline uint64_t forTripCount(Type Ty, uint64_t LBBits, uint64_t UBBits,
                             uint64_t StepBits) {
  unsigned S = shiftOf(Ty);
  int64_t Lb = sextOf(LBBits, S), Ub = sextOf(UBBits, S),
          Step = sextOf(StepBits, S);
  if (Step <= 0 || Lb >= Ub)
    return 0;
  uint64_t Diff = static_cast<uint64_t>(Ub) - static_cast<uint64_t>(Lb);
  uint64_t St = static_cast<uint64_t>(Step);
  return Diff / St + (Diff % St != 0);
}

inline float asF32(uint64_t B) {
  return std::bit_cast<float>(static_cast<uint32_t>(B));
}
inline double asF64(uint64_t B) { return std::bit_cast<double>(B); }
inline uint64_t bitsF32(float F) { return std::bit_cast<uint32_t>(F); }
inline uint64_t bitsF64(double D) { return std::bit_cast<uint64_t>(D); }

//===-- Integers ----------------------------------------------------------===//

inline uint64_t intSDiv(uint64_t A, uint64_t B, unsigned S) {
  int64_t X = sextOf(A, S), Y = sextOf(B, S);
  if (Y == 0)
    return 0;
  // x / -1 is -x, wrapping, so MIN / -1 = MIN without the C overflow.
  if (Y == -1)
    return (0 - A) & maskOf(S);
  return static_cast<uint64_t>(X / Y) & maskOf(S);
}
inline uint64_t intSRem(uint64_t A, uint64_t B, unsigned S) {
  int64_t X = sextOf(A, S), Y = sextOf(B, S);
  if (Y == 0 || Y == -1) // x % -1 is 0; avoids MIN % -1 trapping.
    return 0;
  return static_cast<uint64_t>(X % Y) & maskOf(S);
}
inline uint64_t intUDiv(uint64_t A, uint64_t B) { return B ? A / B : 0; }
inline uint64_t intURem(uint64_t A, uint64_t B) { return B ? A % B : 0; }
// Widths are powers of two, so "amount mod W" is "amount & (W - 1)", and
// W - 1 = 63 - S. For i1 the amount is always 0.
inline uint64_t intShl(uint64_t A, uint64_t B, unsigned S) {
  return (A << (B & (63 - S))) & maskOf(S);
}
inline uint64_t intLShr(uint64_t A, uint64_t B, unsigned S) {
  return A >> (B & (63 - S));
}
inline uint64_t intAShr(uint64_t A, uint64_t B, unsigned S) {
  return static_cast<uint64_t>(sextOf(A, S) >> (B & (63 - S))) & maskOf(S);
}
inline uint64_t intSMin(uint64_t A, uint64_t B, unsigned S) {
  return sextOf(A, S) <= sextOf(B, S) ? A : B;
}
inline uint64_t intSMax(uint64_t A, uint64_t B, unsigned S) {
  return sextOf(A, S) >= sextOf(B, S) ? A : B;
}
/// abs(MIN) = MIN (the negation wraps).
inline uint64_t intAbs(uint64_t A, unsigned S) {
  return sextOf(A, S) < 0 ? (0 - A) & maskOf(S) : A;
}
/// clz(0) = ctz(0) = the bit width.
inline uint64_t intClz(uint64_t A, unsigned S) {
  return std::countl_zero(A) - S;
}
inline uint64_t intCtz(uint64_t A, unsigned S) {
  return A ? std::countr_zero(A) : 64 - S;
}

//===-- Floats ------------------------------------------------------------===//

template <typename T> T floatMin(T A, T B) {
  if (A != A)
    return B != B ? std::numeric_limits<T>::quiet_NaN() : B;
  if (B != B)
    return A;
  if (A < B)
    return A;
  if (B < A)
    return B;
  // Equal: identical bits, or -0 and +0, where -0 is the smaller.
  return std::signbit(A) ? A : B;
}
template <typename T> T floatMax(T A, T B) {
  if (A != A)
    return B != B ? std::numeric_limits<T>::quiet_NaN() : B;
  if (B != B)
    return A;
  if (A > B)
    return A;
  if (B > A)
    return B;
  return std::signbit(A) ? B : A;
}

/// Predicates in FCmpPred order, exactly as LLVM's fcmp: ordered ones are
/// false if either operand is NaN, unordered ones true.
template <typename T> bool floatCmp(unsigned Pred, T A, T B) {
  bool Uno = A != A || B != B;
  switch (Pred) {
  case 0:
    return A == B; // oeq
  case 1:
    return A < B || A > B; // one
  case 2:
    return A < B; // olt
  case 3:
    return A <= B; // ole
  case 4:
    return A > B; // ogt
  case 5:
    return A >= B; // oge
  case 6:
    return Uno || A == B; // ueq
  case 7:
    return !(A == B); // une
  case 8:
    return !(A >= B); // ult
  case 9:
    return !(A > B); // ule
  case 10:
    return !(A <= B); // ugt
  case 11:
    return !(A < B); // uge
  case 12:
    return !Uno; // ord
  default:
    return Uno; // uno
  }
}

/// fptosi to a 64 - S bit integer: saturating, NaN -> 0. Every f32 is exact
/// as a double, so one version serves both source types. 2^(W-1) is exact
/// in double for every W <= 64, so the range checks are exact.
inline uint64_t floatToSInt(double X, unsigned S) {
  unsigned W = 64 - S;
  if (X != X)
    return 0;
  double Lim = static_cast<double>(uint64_t(1) << (W - 1));
  if (X >= Lim)
    return maskOf(S) >> 1; // MAX (for i1: 0)
  if (X <= -Lim)
    return uint64_t(1) << (W - 1); // MIN, canonical
  return static_cast<uint64_t>(static_cast<int64_t>(X)) & maskOf(S);
}
/// fptoui: saturating, NaN and anything below 1 (negative values) -> 0.
inline uint64_t floatToUInt(double X, unsigned S) {
  unsigned W = 64 - S;
  if (!(X >= 1.0)) // also NaN
    return 0;
  double Lim =
      W == 64 ? 18446744073709551616.0 : static_cast<double>(uint64_t(1) << W);
  if (X >= Lim)
    return maskOf(S);
  return static_cast<uint64_t>(X);
}

} // namespace ircgpu::interp

#endif
