//===- ir/InterpExec.cpp - the interpreter's dispatch loop ----------------===//
//
// One switch over a flat instruction vector; each case is a few machine
// instructions plus the shared semantics of InterpSemantics.h. Buffers are
// accessed with memcpy (host buffers may be unaligned); the host must be
// little-endian, so the low bytes of a slot are the element.
//
//===----------------------------------------------------------------------===//

#include "InterpBytecode.h"
#include "InterpSemantics.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <math.h>

using namespace ircgpu;
using namespace ircgpu::interp;

static_assert(std::endian::native == std::endian::little,
              "the interpreter stores the low bytes of a slot");

namespace {

// f32 math uses the float entry points of libm (sinf, not sin): VIR computes
// f32 functions in single precision, as the GPU libraries do.
using UnaryF32 = float (*)(float);
using UnaryF64 = double (*)(double);
using BinaryF32 = float (*)(float, float);
using BinaryF64 = double (*)(double, double);

const UnaryF32 MathUnaryF32[NumMathUnary] = {
    [](float X) { return ::sqrtf(X); },
    [](float X) { return 1.0f / ::sqrtf(X); },
    [](float X) { return ::expf(X); },
    [](float X) { return ::exp2f(X); },
    [](float X) { return ::logf(X); },
    [](float X) { return ::log2f(X); },
    [](float X) { return ::log10f(X); },
    [](float X) { return ::sinf(X); },
    [](float X) { return ::cosf(X); },
    [](float X) { return ::tanf(X); },
    [](float X) { return ::tanhf(X); },
    [](float X) { return ::erff(X); },
    [](float X) { return ::floorf(X); },
    [](float X) { return ::ceilf(X); },
    [](float X) { return ::roundf(X); }, // half away from zero
    [](float X) { return ::truncf(X); },
};
const UnaryF64 MathUnaryF64[NumMathUnary] = {
    [](double X) { return ::sqrt(X); },
    [](double X) { return 1.0 / ::sqrt(X); },
    [](double X) { return ::exp(X); },
    [](double X) { return ::exp2(X); },
    [](double X) { return ::log(X); },
    [](double X) { return ::log2(X); },
    [](double X) { return ::log10(X); },
    [](double X) { return ::sin(X); },
    [](double X) { return ::cos(X); },
    [](double X) { return ::tan(X); },
    [](double X) { return ::tanh(X); },
    [](double X) { return ::erf(X); },
    [](double X) { return ::floor(X); },
    [](double X) { return ::ceil(X); },
    [](double X) { return ::round(X); },
    [](double X) { return ::trunc(X); },
};
const BinaryF32 MathBinaryF32[NumMathBinary] = {
    [](float X, float Y) { return ::powf(X, Y); },
    [](float X, float Y) { return ::atan2f(X, Y); },
    [](float X, float Y) { return ::copysignf(X, Y); },
};
const BinaryF64 MathBinaryF64[NumMathBinary] = {
    [](double X, double Y) { return ::pow(X, Y); },
    [](double X, double Y) { return ::atan2(X, Y); },
    [](double X, double Y) { return ::copysign(X, Y); },
};

/// Resolves Ptr[Idx] (Idx of 64 - S bits, read as signed) to the address of
/// its element, or returns null after filling F with the bad index.
inline uint8_t *locate(uint64_t Ptr, uint64_t Idx, unsigned S, unsigned Bytes,
                       const BufRef *Bufs, Fault &F) {
  const BufRef &B = Bufs[Ptr >> 56];
  int64_t Off = static_cast<int64_t>(Ptr << 8) >> 8;
  int64_t I = sextOf(Idx, S), E;
  if (__builtin_add_overflow(Off, I, &E) || static_cast<uint64_t>(E) >= B.Count)
      [[unlikely]] {
    F.Buffer = Ptr >> 56;
    F.Index = static_cast<__int128>(Off) + I;
    F.Count = B.Count;
    return nullptr;
  }
  return B.Data + static_cast<uint64_t>(E) * Bytes;
}

uint64_t loadBits(const uint8_t *P, unsigned Bytes) {
  uint64_t V = 0;
  std::memcpy(&V, P, Bytes);
  return V;
}

/// The new memory value of `atomic Kind`, element type Elem, for Old and V.
uint64_t atomicCombine(unsigned Kind, Scalar Elem, uint64_t Old, uint64_t V) {
  unsigned S = 64 - Type::scalar(Elem).bits();
  bool F32 = Elem == Scalar::F32;
  switch (static_cast<AtomicKind>(Kind)) {
  case AtomicKind::Add:
    return (Old + V) & maskOf(S);
  case AtomicKind::FAdd:
    return F32 ? bitsF32(asF32(Old) + asF32(V))
               : bitsF64(asF64(Old) + asF64(V));
  case AtomicKind::Min:
    return intSMin(Old, V, S);
  case AtomicKind::Max:
    return intSMax(Old, V, S);
  case AtomicKind::UMin:
    return Old < V ? Old : V;
  case AtomicKind::UMax:
    return Old > V ? Old : V;
  case AtomicKind::FMin:
    return F32 ? bitsF32(floatMin(asF32(Old), asF32(V)))
               : bitsF64(floatMin(asF64(Old), asF64(V)));
  case AtomicKind::FMax:
    return F32 ? bitsF32(floatMax(asF32(Old), asF32(V)))
               : bitsF64(floatMax(asF64(Old), asF64(V)));
  case AtomicKind::And:
    return Old & V;
  case AtomicKind::Or:
    return Old | V;
  case AtomicKind::Xor:
    return Old ^ V;
  case AtomicKind::Xchg:
    return V;
  }
  return V;
}

} // namespace

bool interp::execute(const Program &P, uint64_t *R, const BufRef *Bufs,
                     uint64_t &OpsOut, Fault &F) {
  const Inst *Code = P.Code.data();
  const Inst *IP = Code;
  // No recursion: the call depth never exceeds the number of functions.
  std::vector<const Inst *> Returns(P.NumFunctions + 1);
  size_t Depth = 0;
  uint64_t Ops = 0;
  uint8_t *Addr;

#define F32(X) asF32(R[I.X])
#define F64(X) asF64(R[I.X])
#define NEXT                                                                   \
  ++IP;                                                                        \
  continue
#define LOCATE(BYTES)                                                          \
  if (!(Addr = locate(R[I.A], R[I.B], I.Aux & 63, BYTES, Bufs, F)))            \
  goto Faulted
#define LOAD(BYTES)                                                            \
  LOCATE(BYTES);                                                               \
  R[I.D] = loadBits(Addr, BYTES);                                              \
  NEXT
#define STORE(BYTES)                                                           \
  LOCATE(BYTES);                                                               \
  std::memcpy(Addr, &R[I.C], BYTES);                                           \
  NEXT

  for (;;) {
    const Inst &I = *IP;
    Ops += I.Weight;
    const unsigned S = I.Aux;
    switch (I.Op) {
    case BOp::Nop:
      NEXT;
    case BOp::Move:
      R[I.D] = R[I.A];
      NEXT;
    case BOp::Jump:
      IP = Code + I.A;
      continue;
    case BOp::BrTrue:
      IP = R[I.A] ? Code + I.B : IP + 1;
      continue;
    case BOp::BrFalse:
      IP = R[I.A] ? IP + 1 : Code + I.B;
      continue;
    case BOp::ForInit: {
      // Trip count = ceil((ub - lb) / step), in unsigned 64-bit arithmetic
      // where ub - lb cannot overflow, so the index never wraps.
      int64_t Lb = sextOf(R[I.A], S), Ub = sextOf(R[I.B], S),
              Step = sextOf(R[I.C], S);
      uint64_t N = 0;
      if (Step > 0 && Lb < Ub) {
        uint64_t Diff = static_cast<uint64_t>(Ub) - static_cast<uint64_t>(Lb);
        uint64_t St = static_cast<uint64_t>(Step);
        N = Diff / St + (Diff % St != 0);
      }
      R[I.D] = R[I.A];
      R[I.D + 1] = N;
      IP = N ? IP + 1 : Code + I.E;
      continue;
    }
    case BOp::ForNext:
      if (--R[I.D + 1]) {
        R[I.D] = (R[I.D] + R[I.C]) & maskOf(S);
        IP = Code + I.A;
      } else {
        ++IP;
      }
      continue;
    case BOp::Call:
      Returns[Depth++] = IP + 1;
      IP = Code + I.A;
      continue;
    case BOp::Return:
      IP = Returns[--Depth];
      continue;
    case BOp::Halt:
      OpsOut = Ops;
      return true;

    case BOp::Add:
      R[I.D] = (R[I.A] + R[I.B]) & maskOf(S);
      NEXT;
    case BOp::Sub:
      R[I.D] = (R[I.A] - R[I.B]) & maskOf(S);
      NEXT;
    case BOp::Mul:
      R[I.D] = (R[I.A] * R[I.B]) & maskOf(S);
      NEXT;
    case BOp::SDiv:
      R[I.D] = intSDiv(R[I.A], R[I.B], S);
      NEXT;
    case BOp::UDiv:
      R[I.D] = intUDiv(R[I.A], R[I.B]);
      NEXT;
    case BOp::SRem:
      R[I.D] = intSRem(R[I.A], R[I.B], S);
      NEXT;
    case BOp::URem:
      R[I.D] = intURem(R[I.A], R[I.B]);
      NEXT;
    case BOp::And:
      R[I.D] = R[I.A] & R[I.B];
      NEXT;
    case BOp::Or:
      R[I.D] = R[I.A] | R[I.B];
      NEXT;
    case BOp::Xor:
      R[I.D] = R[I.A] ^ R[I.B];
      NEXT;
    case BOp::Shl:
      R[I.D] = intShl(R[I.A], R[I.B], S);
      NEXT;
    case BOp::LShr:
      R[I.D] = intLShr(R[I.A], R[I.B], S);
      NEXT;
    case BOp::AShr:
      R[I.D] = intAShr(R[I.A], R[I.B], S);
      NEXT;
    case BOp::SMin:
      R[I.D] = intSMin(R[I.A], R[I.B], S);
      NEXT;
    case BOp::SMax:
      R[I.D] = intSMax(R[I.A], R[I.B], S);
      NEXT;
    case BOp::UMin:
      R[I.D] = std::min(R[I.A], R[I.B]);
      NEXT;
    case BOp::UMax:
      R[I.D] = std::max(R[I.A], R[I.B]);
      NEXT;
    case BOp::Neg:
      R[I.D] = (0 - R[I.A]) & maskOf(S);
      NEXT;
    case BOp::Not:
      R[I.D] = ~R[I.A] & maskOf(S);
      NEXT;
    case BOp::Abs:
      R[I.D] = intAbs(R[I.A], S);
      NEXT;
    case BOp::Popcount:
      R[I.D] = std::popcount(R[I.A]);
      NEXT;
    case BOp::Clz:
      R[I.D] = intClz(R[I.A], S);
      NEXT;
    case BOp::Ctz:
      R[I.D] = intCtz(R[I.A], S);
      NEXT;

    case BOp::IEq:
      R[I.D] = R[I.A] == R[I.B];
      NEXT;
    case BOp::INe:
      R[I.D] = R[I.A] != R[I.B];
      NEXT;
    case BOp::ISlt:
      R[I.D] = sextOf(R[I.A], S) < sextOf(R[I.B], S);
      NEXT;
    case BOp::ISle:
      R[I.D] = sextOf(R[I.A], S) <= sextOf(R[I.B], S);
      NEXT;
    case BOp::ISgt:
      R[I.D] = sextOf(R[I.A], S) > sextOf(R[I.B], S);
      NEXT;
    case BOp::ISge:
      R[I.D] = sextOf(R[I.A], S) >= sextOf(R[I.B], S);
      NEXT;
    case BOp::IUlt:
      R[I.D] = R[I.A] < R[I.B];
      NEXT;
    case BOp::IUle:
      R[I.D] = R[I.A] <= R[I.B];
      NEXT;
    case BOp::IUgt:
      R[I.D] = R[I.A] > R[I.B];
      NEXT;
    case BOp::IUge:
      R[I.D] = R[I.A] >= R[I.B];
      NEXT;

    case BOp::FAdd32:
      R[I.D] = bitsF32(F32(A) + F32(B));
      NEXT;
    case BOp::FSub32:
      R[I.D] = bitsF32(F32(A) - F32(B));
      NEXT;
    case BOp::FMul32:
      R[I.D] = bitsF32(F32(A) * F32(B));
      NEXT;
    case BOp::FDiv32:
      R[I.D] = bitsF32(F32(A) / F32(B));
      NEXT;
    case BOp::FRem32:
      R[I.D] = bitsF32(::fmodf(F32(A), F32(B)));
      NEXT;
    case BOp::FMin32:
      R[I.D] = bitsF32(floatMin(F32(A), F32(B)));
      NEXT;
    case BOp::FMax32:
      R[I.D] = bitsF32(floatMax(F32(A), F32(B)));
      NEXT;
    case BOp::FNeg32:
      R[I.D] = R[I.A] ^ 0x80000000u;
      NEXT;
    case BOp::FAbs32:
      R[I.D] = R[I.A] & 0x7fffffffu;
      NEXT;
    case BOp::Fma32:
      R[I.D] = bitsF32(::fmaf(F32(A), F32(B), F32(C)));
      NEXT;
    case BOp::MathU32:
      R[I.D] = bitsF32(MathUnaryF32[S](F32(A)));
      NEXT;
    case BOp::MathB32:
      R[I.D] = bitsF32(MathBinaryF32[S](F32(A), F32(B)));
      NEXT;
    case BOp::FCmp32:
      R[I.D] = floatCmp(S, F32(A), F32(B));
      NEXT;
    case BOp::FAdd64:
      R[I.D] = bitsF64(F64(A) + F64(B));
      NEXT;
    case BOp::FSub64:
      R[I.D] = bitsF64(F64(A) - F64(B));
      NEXT;
    case BOp::FMul64:
      R[I.D] = bitsF64(F64(A) * F64(B));
      NEXT;
    case BOp::FDiv64:
      R[I.D] = bitsF64(F64(A) / F64(B));
      NEXT;
    case BOp::FRem64:
      R[I.D] = bitsF64(::fmod(F64(A), F64(B)));
      NEXT;
    case BOp::FMin64:
      R[I.D] = bitsF64(floatMin(F64(A), F64(B)));
      NEXT;
    case BOp::FMax64:
      R[I.D] = bitsF64(floatMax(F64(A), F64(B)));
      NEXT;
    case BOp::FNeg64:
      R[I.D] = R[I.A] ^ (uint64_t(1) << 63);
      NEXT;
    case BOp::FAbs64:
      R[I.D] = R[I.A] & ~(uint64_t(1) << 63);
      NEXT;
    case BOp::Fma64:
      R[I.D] = bitsF64(::fma(F64(A), F64(B), F64(C)));
      NEXT;
    case BOp::MathU64:
      R[I.D] = bitsF64(MathUnaryF64[S](F64(A)));
      NEXT;
    case BOp::MathB64:
      R[I.D] = bitsF64(MathBinaryF64[S](F64(A), F64(B)));
      NEXT;
    case BOp::FCmp64:
      R[I.D] = floatCmp(S, F64(A), F64(B));
      NEXT;

    case BOp::Select:
      R[I.D] = R[I.A] ? R[I.B] : R[I.C];
      NEXT;
    case BOp::SExt:
      R[I.D] = static_cast<uint64_t>(sextOf(R[I.A], S)) & maskOf(I.B);
      NEXT;
    case BOp::Trunc:
      R[I.D] = R[I.A] & maskOf(S);
      NEXT;
    case BOp::SIToF32:
      R[I.D] = bitsF32(static_cast<float>(sextOf(R[I.A], S)));
      NEXT;
    case BOp::SIToF64:
      R[I.D] = bitsF64(static_cast<double>(sextOf(R[I.A], S)));
      NEXT;
    case BOp::UIToF32:
      R[I.D] = bitsF32(static_cast<float>(R[I.A]));
      NEXT;
    case BOp::UIToF64:
      R[I.D] = bitsF64(static_cast<double>(R[I.A]));
      NEXT;
    case BOp::F32ToSI:
      R[I.D] = floatToSInt(F32(A), S);
      NEXT;
    case BOp::F64ToSI:
      R[I.D] = floatToSInt(F64(A), S);
      NEXT;
    case BOp::F32ToUI:
      R[I.D] = floatToUInt(F32(A), S);
      NEXT;
    case BOp::F64ToUI:
      R[I.D] = floatToUInt(F64(A), S);
      NEXT;
    case BOp::FPExt:
      R[I.D] = bitsF64(static_cast<double>(F32(A)));
      NEXT;
    case BOp::FPTrunc:
      R[I.D] = bitsF32(static_cast<float>(F64(A)));
      NEXT;

    case BOp::Load1:
      LOAD(1);
    case BOp::Load2:
      LOAD(2);
    case BOp::Load4:
      LOAD(4);
    case BOp::Load8:
      LOAD(8);
    case BOp::Store1:
      STORE(1);
    case BOp::Store2:
      STORE(2);
    case BOp::Store4:
      STORE(4);
    case BOp::Store8:
      STORE(8);
    case BOp::Offset: {
      // Offsets wrap modulo 2^56 and keep the buffer number (top 8 bits).
      uint64_t P0 = R[I.A];
      R[I.D] = (P0 & ~(~uint64_t(0) >> 8)) |
               ((P0 + static_cast<uint64_t>(sextOf(R[I.B], S))) &
                (~uint64_t(0) >> 8));
      NEXT;
    }
    case BOp::Atomic: {
      Scalar Elem = static_cast<Scalar>(I.E >> 8);
      unsigned Bytes = Type::scalar(Elem).bytes();
      LOCATE(Bytes);
      uint64_t Old = loadBits(Addr, Bytes);
      uint64_t New = atomicCombine(I.E & 0xff, Elem, Old, R[I.C]);
      std::memcpy(Addr, &New, Bytes);
      R[I.D] = Old;
      NEXT;
    }
    case BOp::CmpXchg: {
      unsigned Bytes = 1u << (S >> 6);
      LOCATE(Bytes);
      uint64_t Old = loadBits(Addr, Bytes);
      if (Old == R[I.C]) // compares bits, also for floats
        std::memcpy(Addr, &R[I.E], Bytes);
      R[I.D] = Old;
      NEXT;
    }
    }
  }

Faulted:
  F.Pc = static_cast<uint32_t>(IP - Code);
  OpsOut = Ops;
  return false;
#undef F32
#undef F64
#undef NEXT
#undef LOCATE
#undef LOAD
#undef STORE
}
