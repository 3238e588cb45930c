//===- ir/ScalarEval.cpp - evaluate scalar VIR ops on constants -----------===//
//
// Computes exactly what the interpreter computes (ir/InterpSemantics.h and the
// same libm entry points), so it never changes a result bit. Only exact
// operations are evaluated: the transcendental functions (and rsqrt) may round
// differently on a GPU's math library than in the host's libm, so they are
// left alone (std::nullopt).
//
//===----------------------------------------------------------------------===//
#include "ir/ScalarEval.h"

#include "ir/InterpSemantics.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <math.h>

using namespace ircgpu;
using namespace ircgpu::interp;

namespace {

template <typename T> T fromBits(uint64_t B) {
  if constexpr (sizeof(T) == 4)
    return asF32(B);
  else
    return asF64(B);
}
template <typename T> uint64_t toBits(T X) {
  if constexpr (sizeof(T) == 4)
    return bitsF32(X);
  else
    return bitsF64(X);
}

/// The float ops that fold, in the precision T, as InterpExec.cpp computes
/// them.
template <typename T>
std::optional<uint64_t> foldFloat(Opcode C, uint8_t Sub, const uint64_t *In) {
  T A = fromBits<T>(In[0]);
  T B = fromBits<T>(In[1]);
  T D = fromBits<T>(In[2]);
  constexpr bool F32 = sizeof(T) == 4;
  constexpr uint64_t SignBit = F32 ? 0x80000000u : uint64_t(1) << 63;
  switch (C) {
  case Opcode::FAdd:
    return toBits<T>(A + B);
  case Opcode::FSub:
    return toBits<T>(A - B);
  case Opcode::FMul:
    return toBits<T>(A * B);
  case Opcode::FDiv:
    return toBits<T>(A / B);
  case Opcode::FRem:
    return toBits<T>(F32 ? ::fmodf(A, B) : ::fmod(A, B));
  case Opcode::FMin:
    return toBits<T>(floatMin(A, B));
  case Opcode::FMax:
    return toBits<T>(floatMax(A, B));
  case Opcode::FNeg:
    return In[0] ^ SignBit;
  case Opcode::FAbs:
    return In[0] & ~SignBit;
  case Opcode::Sqrt:
    return toBits<T>(F32 ? ::sqrtf(A) : ::sqrt(A));
  case Opcode::Floor:
    return toBits<T>(F32 ? ::floorf(A) : ::floor(A));
  case Opcode::Ceil:
    return toBits<T>(F32 ? ::ceilf(A) : ::ceil(A));
  case Opcode::Round:
    return toBits<T>(F32 ? ::roundf(A) : ::round(A));
  case Opcode::FTrunc:
    return toBits<T>(F32 ? ::truncf(A) : ::trunc(A));
  case Opcode::Copysign:
    return toBits<T>(F32 ? ::copysignf(A, B) : ::copysign(A, B));
  case Opcode::Fma:
    return toBits<T>(F32 ? ::fmaf(A, B, D) : ::fma(A, B, D));
  case Opcode::FCmp:
    return floatCmp(Sub, A, B) ? 1 : 0;
  default:
    return std::nullopt;
  }
}

std::optional<uint64_t> foldInt(Opcode C, uint8_t Sub, unsigned S,
                                const uint64_t *In) {
  uint64_t A = In[0], B = In[1], M = maskOf(S);
  switch (C) {
  case Opcode::Add:
    return (A + B) & M;
  case Opcode::Sub:
    return (A - B) & M;
  case Opcode::Mul:
    return (A * B) & M;
  case Opcode::SDiv:
    return intSDiv(A, B, S);
  case Opcode::UDiv:
    return intUDiv(A, B);
  case Opcode::SRem:
    return intSRem(A, B, S);
  case Opcode::URem:
    return intURem(A, B);
  case Opcode::And:
    return A & B;
  case Opcode::Or:
    return A | B;
  case Opcode::Xor:
    return A ^ B;
  case Opcode::Shl:
    return intShl(A, B, S);
  case Opcode::LShr:
    return intLShr(A, B, S);
  case Opcode::AShr:
    return intAShr(A, B, S);
  case Opcode::SMin:
    return intSMin(A, B, S);
  case Opcode::SMax:
    return intSMax(A, B, S);
  case Opcode::UMin:
    return std::min(A, B);
  case Opcode::UMax:
    return std::max(A, B);
  case Opcode::Neg:
    return (0 - A) & M;
  case Opcode::Not:
    return ~A & M;
  case Opcode::Abs:
    return intAbs(A, S);
  case Opcode::Popcount:
    return std::popcount(A);
  case Opcode::Clz:
    return intClz(A, S);
  case Opcode::Ctz:
    return intCtz(A, S);
  case Opcode::ICmp: {
    int64_t X = sextOf(A, S), Y = sextOf(B, S);
    switch (static_cast<ICmpPred>(Sub)) {
    case ICmpPred::EQ:
      return A == B;
    case ICmpPred::NE:
      return A != B;
    case ICmpPred::SLT:
      return X < Y;
    case ICmpPred::SLE:
      return X <= Y;
    case ICmpPred::SGT:
      return X > Y;
    case ICmpPred::SGE:
      return X >= Y;
    case ICmpPred::ULT:
      return A < B;
    case ICmpPred::ULE:
      return A <= B;
    case ICmpPred::UGT:
      return A > B;
    case ICmpPred::UGE:
      return A >= B;
    }
    return std::nullopt;
  }
  default:
    return std::nullopt;
  }
}

std::optional<uint64_t> foldCast(Opcode C, Type From, Type To, uint64_t A) {
  bool FromF32 = From.elem() == Scalar::F32, ToF32 = To.elem() == Scalar::F32;
  unsigned SF = shiftOf(From), ST = shiftOf(To);
  switch (C) {
  case Opcode::ZExt:
  case Opcode::Bitcast:
    return A;
  case Opcode::SExt:
    return static_cast<uint64_t>(sextOf(A, SF)) & maskOf(ST);
  case Opcode::Trunc:
    return A & maskOf(ST);
  case Opcode::SIToFP:
    return ToF32 ? bitsF32(static_cast<float>(sextOf(A, SF)))
                 : bitsF64(static_cast<double>(sextOf(A, SF)));
  case Opcode::UIToFP:
    return ToF32 ? bitsF32(static_cast<float>(A))
                 : bitsF64(static_cast<double>(A));
  case Opcode::FPToSI:
    return floatToSInt(FromF32 ? asF32(A) : asF64(A), ST);
  case Opcode::FPToUI:
    return floatToUInt(FromF32 ? asF32(A) : asF64(A), ST);
  case Opcode::FPExt:
    return bitsF64(static_cast<double>(asF32(A)));
  case Opcode::FPTrunc:
    return bitsF32(static_cast<float>(asF64(A)));
  default:
    return std::nullopt;
  }
}

bool isF32OrF64(Type T) {
  return T.elem() == Scalar::F32 || T.elem() == Scalar::F64;
}

} // namespace

std::optional<uint64_t> ircgpu::evaluateScalarOp(Opcode C, uint8_t Sub,
                                                 Type OperandTy, Type ResultTy,
                                                 llvm::ArrayRef<uint64_t> In) {
  if (In.empty() || In.size() > 3 || !OperandTy.isScalar() ||
      !ResultTy.isScalar())
    return std::nullopt;
  uint64_t Ops[3] = {0, 0, 0};
  std::copy(In.begin(), In.end(), Ops);
  if (opcodeKind(C) == OpKind::Cast) {
    Type T = OperandTy, RT = ResultTy;
    bool FloatSide = T.isFloat() || RT.isFloat();
    if (FloatSide && C != Opcode::Bitcast &&
        ((T.isFloat() && !isF32OrF64(T)) || (RT.isFloat() && !isF32OrF64(RT))))
      return std::nullopt;
    return foldCast(C, T, RT, Ops[0]);
  }
  // Ops of any other kind (select, load, ...) fall to the default cases.
  if (OperandTy.isInt())
    return foldInt(C, Sub, shiftOf(OperandTy), Ops);
  if (OperandTy.elem() == Scalar::F32)
    return foldFloat<float>(C, Sub, Ops);
  if (OperandTy.elem() == Scalar::F64)
    return foldFloat<double>(C, Sub, Ops);
  return std::nullopt;
}

uint64_t ircgpu::reductionIdentity(Opcode Op, Type Ty) {
  unsigned S = shiftOf(Ty);
  bool F64 = Ty.elem() == Scalar::F64;
  switch (Op) {
  case Opcode::Mul:
    return 1;
  case Opcode::And:
  case Opcode::UMin:
    return maskOf(S);
  case Opcode::SMin:
    return maskOf(S) >> 1;
  case Opcode::SMax:
    return (maskOf(S) >> 1) + 1;
  case Opcode::FAdd:
    return F64 ? bitsF64(-0.0) : bitsF32(-0.0f);
  case Opcode::FMul:
    return F64 ? bitsF64(1.0) : bitsF32(1.0f);
  case Opcode::FMin:
  case Opcode::FMax:
    return F64 ? bitsF64(std::numeric_limits<double>::quiet_NaN())
               : bitsF32(std::numeric_limits<float>::quiet_NaN());
  default: // Add Or Xor UMax
    return 0;
  }
}
