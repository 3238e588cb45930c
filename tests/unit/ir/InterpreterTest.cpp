//===- InterpreterTest.cpp - the reference semantics, bit for bit ---------===//
//
// Every edge case spec/vir.md §3-4 defines, checked on the interpreter's
// result bits. Modules are built with the Builder and verified first.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Interpreter.h"
#include "ircgpu/Builder.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Parser.h"
#include "ircgpu/Verifier.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

template <typename T> T ok(llvm::Expected<T> V) {
  if (!V) {
    std::fprintf(stderr, "unexpected error: %s\n",
                 llvm::toString(V.takeError()).c_str());
    std::abort();
  }
  return std::move(*V);
}
void ok(llvm::Error E) {
  if (E) {
    std::fprintf(stderr, "unexpected error: %s\n",
                 llvm::toString(std::move(E)).c_str());
    std::abort();
  }
}

float asf32(uint64_t B) {
  return std::bit_cast<float>(static_cast<uint32_t>(B));
}
double asf64(uint64_t B) { return std::bit_cast<double>(B); }
uint64_t mask(Type T) {
  return T.bits() == 64 ? ~0ull : (1ull << T.bits()) - 1;
}
/// V as the canonical slot bits of integer type T.
uint64_t ib(Type T, int64_t V) { return static_cast<uint64_t>(V) & mask(T); }

OpAttrs sub(uint8_t S) {
  OpAttrs A;
  A.Sub = S;
  return A;
}
OpAttrs flags(uint8_t F) {
  OpAttrs A;
  A.Flags = F;
  return A;
}
OpAttrs to(Type T) {
  OpAttrs A;
  A.To = T;
  return A;
}
OpAttrs callee(uint32_t C) {
  OpAttrs A;
  A.Callee = C;
  return A;
}

/// A module under construction plus helpers for the common shapes.
struct TM {
  Module M;
  Builder B{M};
  Function *F = nullptr;

  Function *begin(llvm::StringRef Name, std::vector<Type> Params,
                  std::vector<Type> Results = {},
                  std::vector<llvm::StringRef> Names = {}) {
    F = ok(B.declareFunction(Name, Params, {}, Results, Names));
    ok(B.beginBody(*F));
    return F;
  }
  Value p(unsigned I) { return B.param(I); }
  Value op(Opcode C, std::vector<Value> Ops, OpAttrs A = {}) {
    return ok(B.create1(C, Ops, A));
  }
  void stmt(Opcode C, std::vector<Value> Ops, OpAttrs A = {}) {
    ok(B.create(C, Ops, A));
  }
  Value cst(Type T, int64_t V) { return B.intLiteral(T, V); }
  Value fcst(Type T, double V) { return B.floatLiteral(T, V); }
  void finish(std::vector<Value> Rs = {}) { ok(B.finishBody(Rs)); }

  std::unique_ptr<Interpreter> interp(llvm::StringRef Entry) {
    ok(verifyModule(M));
    return ok(Interpreter::create(M, Entry));
  }
};

/// `%r = C %a, ...` on scalar arguments of ArgTs, returning ResT.
uint64_t eval(Opcode C, std::vector<Type> ArgTs, Type ResT,
              std::vector<uint64_t> Args, OpAttrs A = {}) {
  TM T;
  T.begin("f", ArgTs, {ResT});
  std::vector<Value> Ops;
  for (unsigned I = 0; I < ArgTs.size(); ++I)
    Ops.push_back(T.p(I));
  if (opcodeKind(C) == OpKind::Cast)
    A.To = ResT;
  T.finish({T.op(C, Ops, A)});
  std::vector<InterpArg> IA;
  for (uint64_t V : Args)
    IA.push_back(InterpArg::scalar(V));
  auto R = ok(T.interp("f")->run(IA));
  EXPECT_EQ(R.size(), 1u);
  return R[0];
}
uint64_t bin(Opcode C, Type T, uint64_t A, uint64_t B) {
  return eval(C, {T, T}, T, {A, B});
}
uint64_t un(Opcode C, Type T, uint64_t A) { return eval(C, {T}, T, {A}); }
uint64_t cast(Opcode C, Type From, Type To, uint64_t A) {
  return eval(C, {From}, To, {A});
}
bool icmp(ICmpPred P, Type T, uint64_t A, uint64_t B) {
  return eval(Opcode::ICmp, {T, T}, I1, {A, B}, sub(uint8_t(P)));
}
bool fcmp(FCmpPred P, double A, double B) {
  bool R64 =
      eval(Opcode::FCmp, {F64, F64}, I1, {f64b(A), f64b(B)}, sub(uint8_t(P)));
  bool R32 = eval(Opcode::FCmp, {F32, F32}, I1,
                  {f32b(float(A)), f32b(float(B))}, sub(uint8_t(P)));
  EXPECT_EQ(R64, R32);
  return R64;
}

const Type IntTypes[] = {I8, I16, I32, I64};
int64_t minOf(Type T) {
  return T.bits() == 64 ? INT64_MIN : -(int64_t(1) << (T.bits() - 1));
}
int64_t maxOf(Type T) {
  return T.bits() == 64 ? INT64_MAX : (int64_t(1) << (T.bits() - 1)) - 1;
}

//===-- Integers ----------------------------------------------------------===//

TEST(Interpreter, DivisionByZeroIsZero) {
  for (Type T : IntTypes)
    for (Opcode C : {Opcode::SDiv, Opcode::UDiv, Opcode::SRem, Opcode::URem})
      for (int64_t A : {int64_t(7), int64_t(-5), minOf(T), int64_t(0)})
        EXPECT_EQ(bin(C, T, ib(T, A), 0), 0u)
            << opcodeName(C).str() << " " << T.str();
}

TEST(Interpreter, SignedDivisionOverflow) {
  for (Type T : IntTypes) {
    uint64_t Min = ib(T, minOf(T)), M1 = ib(T, -1);
    EXPECT_EQ(bin(Opcode::SDiv, T, Min, M1), Min) << T.str();
    EXPECT_EQ(bin(Opcode::SRem, T, Min, M1), 0u) << T.str();
    EXPECT_EQ(bin(Opcode::SDiv, T, ib(T, -7), ib(T, 2)), ib(T, -3)) << T.str();
    EXPECT_EQ(bin(Opcode::SRem, T, ib(T, -7), ib(T, 2)), ib(T, -1)) << T.str();
    EXPECT_EQ(bin(Opcode::UDiv, T, M1, ib(T, 2)), mask(T) >> 1) << T.str();
    EXPECT_EQ(bin(Opcode::URem, T, M1, ib(T, 16)), 15u) << T.str();
  }
}

TEST(Interpreter, WrapAroundStaysCanonical) {
  EXPECT_EQ(bin(Opcode::Add, I8, 127, 1), 0x80u);
  EXPECT_EQ(bin(Opcode::Sub, I32, 0, 1), 0xffffffffu);
  EXPECT_EQ(bin(Opcode::Mul, I16, 0x100, 0x100), 0u);
  EXPECT_EQ(bin(Opcode::Add, I64, ~0ull, 2), 1u);
  EXPECT_EQ(un(Opcode::Neg, I8, 1), 0xffu);
  EXPECT_EQ(un(Opcode::Not, I16, 0), 0xffffu);
  EXPECT_EQ(bin(Opcode::Add, I1, 1, 1), 0u); // i1 arithmetic at width 1
  EXPECT_EQ(bin(Opcode::Mul, I1, 1, 1), 1u);
  EXPECT_EQ(un(Opcode::Neg, I1, 1), 1u);
  EXPECT_EQ(un(Opcode::Not, I1, 1), 0u);
}

TEST(Interpreter, ShiftsTakeTheAmountModuloWidth) {
  EXPECT_EQ(bin(Opcode::Shl, I8, 1, 9), 2u);
  EXPECT_EQ(bin(Opcode::Shl, I8, 0x81, 1), 2u);
  EXPECT_EQ(bin(Opcode::Shl, I32, 1, 33), 2u);
  EXPECT_EQ(bin(Opcode::Shl, I64, 1, 64), 1u);
  EXPECT_EQ(bin(Opcode::LShr, I64, 0x80, 64 + 4), 8u);
  EXPECT_EQ(bin(Opcode::LShr, I16, 0x8000, 16), 0x8000u);
  EXPECT_EQ(bin(Opcode::AShr, I16, 0x8000, 17), 0xc000u);
  EXPECT_EQ(bin(Opcode::AShr, I32, 0x80000000u, 31), 0xffffffffu);
  EXPECT_EQ(bin(Opcode::AShr, I8, 0x40, 255), 0u); // 255 mod 8 = 7
  EXPECT_EQ(bin(Opcode::Shl, I1, 1, 1), 1u);       // amount mod 1 = 0
}

TEST(Interpreter, UnaryIntegerEdges) {
  for (Type T : IntTypes) {
    uint64_t Min = ib(T, minOf(T));
    EXPECT_EQ(un(Opcode::Abs, T, Min), Min) << T.str();
    EXPECT_EQ(un(Opcode::Abs, T, ib(T, -5)), 5u) << T.str();
    EXPECT_EQ(un(Opcode::Clz, T, 0), T.bits()) << T.str();
    EXPECT_EQ(un(Opcode::Ctz, T, 0), T.bits()) << T.str();
    EXPECT_EQ(un(Opcode::Clz, T, 1), T.bits() - 1) << T.str();
    EXPECT_EQ(un(Opcode::Ctz, T, Min), T.bits() - 1) << T.str();
    EXPECT_EQ(un(Opcode::Popcount, T, mask(T)), T.bits()) << T.str();
    EXPECT_EQ(un(Opcode::Neg, T, Min), Min) << T.str();
  }
  EXPECT_EQ(un(Opcode::Clz, I1, 0), 1u);
  EXPECT_EQ(un(Opcode::Ctz, I1, 1), 0u);
}

TEST(Interpreter, MinMaxAndCompares) {
  uint64_t M1 = ib(I8, -1);
  EXPECT_EQ(bin(Opcode::SMin, I8, M1, 1), M1);
  EXPECT_EQ(bin(Opcode::SMax, I8, M1, 1), 1u);
  EXPECT_EQ(bin(Opcode::UMin, I8, M1, 1), 1u);
  EXPECT_EQ(bin(Opcode::UMax, I8, M1, 1), M1);
  EXPECT_EQ(bin(Opcode::SMin, I64, ib(I64, INT64_MIN), 0), ib(I64, INT64_MIN));
  EXPECT_TRUE(icmp(ICmpPred::SLT, I8, M1, 1));
  EXPECT_FALSE(icmp(ICmpPred::ULT, I8, M1, 1));
  EXPECT_TRUE(icmp(ICmpPred::SGE, I32, 0, ib(I32, INT32_MIN)));
  EXPECT_TRUE(icmp(ICmpPred::UGT, I32, ib(I32, INT32_MIN), 0));
  EXPECT_TRUE(icmp(ICmpPred::SLT, I1, 1, 0)); // true is -1 read as signed
  EXPECT_TRUE(icmp(ICmpPred::UGT, I1, 1, 0));
  EXPECT_TRUE(icmp(ICmpPred::EQ, I16, 0xffff, 0xffff));
  EXPECT_TRUE(icmp(ICmpPred::NE, I64, 1, 2));
  EXPECT_TRUE(icmp(ICmpPred::SLE, I64, 2, 2));
  EXPECT_FALSE(icmp(ICmpPred::SGT, I64, 2, 2));
  EXPECT_TRUE(icmp(ICmpPred::ULE, I16, 3, 0xffff));
  EXPECT_TRUE(icmp(ICmpPred::UGE, I16, 0xffff, 3));
}

//===-- Floats ------------------------------------------------------------===//

TEST(Interpreter, FMinFMaxWithNaNAndZeros) {
  double NaN = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(bin(Opcode::FMin, F64, f64b(NaN), f64b(1.0)), f64b(1.0));
  EXPECT_EQ(bin(Opcode::FMin, F64, f64b(1.0), f64b(NaN)), f64b(1.0));
  EXPECT_EQ(bin(Opcode::FMax, F64, f64b(NaN), f64b(-1.0)), f64b(-1.0));
  EXPECT_TRUE(std::isnan(asf64(bin(Opcode::FMin, F64, f64b(NaN), f64b(NaN)))));
  EXPECT_EQ(bin(Opcode::FMin, F32, f32b(NAN), f32b(2.0f)), f32b(2.0f));
  EXPECT_EQ(bin(Opcode::FMax, F32, f32b(2.0f), f32b(NAN)), f32b(2.0f));
  EXPECT_TRUE(std::isnan(asf32(bin(Opcode::FMax, F32, f32b(NAN), f32b(NAN)))));
  // fmin(-0, +0) = -0 and fmax(-0, +0) = +0, in either order.
  for (Type T : {F32, F64}) {
    uint64_t N0 = T == F32 ? f32b(-0.0f) : f64b(-0.0),
             P0 = T == F32 ? f32b(0.0f) : f64b(0.0);
    EXPECT_EQ(bin(Opcode::FMin, T, N0, P0), N0);
    EXPECT_EQ(bin(Opcode::FMin, T, P0, N0), N0);
    EXPECT_EQ(bin(Opcode::FMax, T, N0, P0), P0);
    EXPECT_EQ(bin(Opcode::FMax, T, P0, N0), P0);
  }
  EXPECT_EQ(bin(Opcode::FMin, F32, f32b(-INFINITY), f32b(3.0f)),
            f32b(-INFINITY));
}

TEST(Interpreter, FmaRoundsOnce) {
  // (1 + 2^-30)(1 - 2^-30) = 1 - 2^-60 exactly: one rounding keeps the
  // -2^-60, a separate multiply rounds it away.
  double A = 1 + std::ldexp(1.0, -30), B = 1 - std::ldexp(1.0, -30);
  EXPECT_EQ(
      eval(Opcode::Fma, {F64, F64, F64}, F64, {f64b(A), f64b(B), f64b(-1.0)}),
      f64b(-std::ldexp(1.0, -60)));
  uint64_t Prod = bin(Opcode::FMul, F64, f64b(A), f64b(B));
  EXPECT_EQ(bin(Opcode::FAdd, F64, Prod, f64b(-1.0)), f64b(0.0));
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: the product alone rounds the 2^-24 away
  // (a tie, to even); fma keeps it.
  float Af = 1 + std::ldexp(1.0f, -12), Cf = -(1 + std::ldexp(1.0f, -11));
  EXPECT_EQ(
      eval(Opcode::Fma, {F32, F32, F32}, F32, {f32b(Af), f32b(Af), f32b(Cf)}),
      f32b(std::ldexp(1.0f, -24)));
  uint64_t ProdF = bin(Opcode::FMul, F32, f32b(Af), f32b(Af));
  EXPECT_EQ(bin(Opcode::FAdd, F32, ProdF, f32b(Cf)), f32b(0.0f));
}

TEST(Interpreter, FloatArithmeticIsSinglePrecisionForF32) {
  EXPECT_EQ(bin(Opcode::FAdd, F32, f32b(1.0f), f32b(1e-8f)), f32b(1.0f));
  EXPECT_EQ(bin(Opcode::FDiv, F32, f32b(1.0f), f32b(3.0f)), f32b(1.0f / 3.0f));
  EXPECT_EQ(bin(Opcode::FDiv, F64, f64b(1.0), f64b(0.0)), f64b(INFINITY));
  EXPECT_EQ(bin(Opcode::FRem, F64, f64b(-7.5), f64b(2.0)), f64b(-1.5));
  EXPECT_EQ(bin(Opcode::FRem, F32, f32b(7.5f), f32b(-2.0f)), f32b(1.5f));
  // fneg/fabs only touch the sign bit, also of a NaN.
  EXPECT_EQ(un(Opcode::FNeg, F32, 0x7fc00001u), 0xffc00001u);
  EXPECT_EQ(un(Opcode::FAbs, F32, 0xffc00001u), 0x7fc00001u);
  EXPECT_EQ(un(Opcode::FNeg, F64, f64b(0.0)), f64b(-0.0));
  EXPECT_EQ(un(Opcode::FAbs, F64, f64b(-0.0)), f64b(0.0));
}

TEST(Interpreter, MathFunctions) {
  auto M32 = [](Opcode C, float X) { return asf32(un(C, F32, f32b(X))); };
  auto M64 = [](Opcode C, double X) { return asf64(un(C, F64, f64b(X))); };
  // The reference is the host libm at run time; the compiler would fold
  // constant calls with correctly rounded results, which libm need not give.
  volatile float V03 = 0.3f, V125 = 1.25f, V05 = 0.5f;
  volatile double D03 = 0.3, D125 = 1.25, D3 = 3.0;
  EXPECT_EQ(f32b(M32(Opcode::Sin, 1.25f)), f32b(sinf(V125)));
  EXPECT_EQ(f64b(M64(Opcode::Sin, 1.25)), f64b(std::sin(D125)));
  EXPECT_EQ(f32b(M32(Opcode::Exp, 0.5f)), f32b(expf(V05)));
  EXPECT_EQ(M32(Opcode::Exp2, 10.0f), 1024.0f);
  EXPECT_EQ(M64(Opcode::Log10, 1000.0), 3.0);
  EXPECT_EQ(M64(Opcode::Log2, 0.25), -2.0);
  EXPECT_EQ(M32(Opcode::Rsqrt, 4.0f), 0.5f);
  EXPECT_EQ(M64(Opcode::Sqrt, 2.25), 1.5);
  EXPECT_EQ(M32(Opcode::Round, 2.5f), 3.0f);
  EXPECT_EQ(M64(Opcode::Round, -2.5), -3.0);
  EXPECT_EQ(M64(Opcode::Floor, -0.5), -1.0);
  EXPECT_EQ(M64(Opcode::Ceil, -0.5), -0.0);
  EXPECT_EQ(f64b(M64(Opcode::FTrunc, -0.7)), f64b(-0.0));
  EXPECT_EQ(f32b(M32(Opcode::Tanh, 0.3f)), f32b(tanhf(V03)));
  EXPECT_EQ(f32b(M32(Opcode::Erf, 0.3f)), f32b(erff(V03)));
  EXPECT_EQ(f64b(M64(Opcode::Cos, 0.3)), f64b(std::cos(D03)));
  EXPECT_EQ(f64b(M64(Opcode::Tan, 0.3)), f64b(std::tan(D03)));
  EXPECT_EQ(f64b(M64(Opcode::Log, 3.0)), f64b(std::log(D3)));
  EXPECT_EQ(bin(Opcode::Pow, F32, f32b(2.0f), f32b(10.0f)), f32b(1024.0f));
  EXPECT_EQ(bin(Opcode::Atan2, F64, f64b(1.25), f64b(-1.25)),
            f64b(std::atan2(D125, -D125)));
  EXPECT_EQ(bin(Opcode::Copysign, F32, f32b(3.0f), f32b(-0.0f)), f32b(-3.0f));
  // `afn` does not change the interpreter's result.
  EXPECT_EQ(eval(Opcode::Exp, {F32}, F32, {f32b(0.5f)}, flags(FlagAfn)),
            f32b(expf(V05)));
}

TEST(Interpreter, FCmpPredicatesAsLLVM) {
  double N = NAN;
  using P = FCmpPred;
  // {pred, (1,2), (2,2), (NaN,1)}
  struct Row {
    P Pred;
    bool Lt, Eq, Uno;
  } Rows[] = {{P::OEQ, 0, 1, 0}, {P::ONE, 1, 0, 0}, {P::OLT, 1, 0, 0},
              {P::OLE, 1, 1, 0}, {P::OGT, 0, 0, 0}, {P::OGE, 0, 1, 0},
              {P::UEQ, 0, 1, 1}, {P::UNE, 1, 0, 1}, {P::ULT, 1, 0, 1},
              {P::ULE, 1, 1, 1}, {P::UGT, 0, 0, 1}, {P::UGE, 0, 1, 1},
              {P::ORD, 1, 1, 0}, {P::UNO, 0, 0, 1}};
  for (const Row &R : Rows) {
    EXPECT_EQ(fcmp(R.Pred, 1, 2), R.Lt) << fcmpPredName(R.Pred).str();
    EXPECT_EQ(fcmp(R.Pred, 2, 2), R.Eq) << fcmpPredName(R.Pred).str();
    EXPECT_EQ(fcmp(R.Pred, N, 1), R.Uno) << fcmpPredName(R.Pred).str();
    EXPECT_EQ(fcmp(R.Pred, 1, N), R.Uno) << fcmpPredName(R.Pred).str();
  }
  EXPECT_TRUE(fcmp(P::OEQ, 0.0, -0.0));
}

//===-- Casts -------------------------------------------------------------===//

TEST(Interpreter, SaturatingFloatToInt) {
  const Type IntTs[] = {I8, I16, I32, I64};
  for (Type T : IntTs) {
    uint64_t Min = ib(T, minOf(T)), Max = ib(T, maxOf(T)), UMax = mask(T);
    for (Type FT : {F32, F64}) {
      auto B = [&](double X) { return FT == F32 ? f32b(float(X)) : f64b(X); };
      auto SI = [&](double X) { return cast(Opcode::FPToSI, FT, T, B(X)); };
      auto UI = [&](double X) { return cast(Opcode::FPToUI, FT, T, B(X)); };
      std::string Ctx = FT.str() + " -> " + T.str();
      EXPECT_EQ(SI(NAN), 0u) << Ctx;
      EXPECT_EQ(SI(-NAN), 0u) << Ctx;
      EXPECT_EQ(SI(INFINITY), Max) << Ctx;
      EXPECT_EQ(SI(-INFINITY), Min) << Ctx;
      EXPECT_EQ(SI(1e30), Max) << Ctx;
      EXPECT_EQ(SI(-1e30), Min) << Ctx;
      EXPECT_EQ(SI(3.7), 3u) << Ctx;
      EXPECT_EQ(SI(-3.7), ib(T, -3)) << Ctx;
      EXPECT_EQ(SI(-0.0), 0u) << Ctx;
      EXPECT_EQ(SI(std::ldexp(1.0, T.bits() - 1)), Max) << Ctx; // 2^(n-1)
      EXPECT_EQ(SI(-std::ldexp(1.0, T.bits() - 1)), Min) << Ctx;
      EXPECT_EQ(UI(NAN), 0u) << Ctx;
      EXPECT_EQ(UI(INFINITY), UMax) << Ctx;
      EXPECT_EQ(UI(-INFINITY), 0u) << Ctx;
      EXPECT_EQ(UI(-1.0), 0u) << Ctx;
      EXPECT_EQ(UI(-0.5), 0u) << Ctx;
      EXPECT_EQ(UI(1e30), UMax) << Ctx;
      EXPECT_EQ(UI(std::ldexp(1.0, T.bits())), UMax) << Ctx; // 2^n
      EXPECT_EQ(UI(100.9), 100u) << Ctx;
    }
  }
  // Largest doubles below the limits convert exactly.
  EXPECT_EQ(cast(Opcode::FPToSI, F64, I64, f64b(std::nextafter(0x1p63, 0))),
            0x7ffffffffffffc00u);
  EXPECT_EQ(cast(Opcode::FPToUI, F64, I64, f64b(std::nextafter(0x1p64, 0))),
            0xfffffffffffff800u);
  EXPECT_EQ(cast(Opcode::FPToSI, F64, I32, f64b(2147483647.9)), 2147483647u);
  EXPECT_EQ(cast(Opcode::FPToSI, F64, I32, f64b(-2147483648.9)), 0x80000000u);
  EXPECT_EQ(cast(Opcode::FPToUI, F32, I64, f32b(0x1p63f)), 0x8000000000000000u);
  EXPECT_EQ(cast(Opcode::FPToSI, F64, I1, f64b(-1.0)),
            1u); // i1 range is [-1, 0]
  EXPECT_EQ(cast(Opcode::FPToSI, F64, I1, f64b(5.0)), 0u);
  EXPECT_EQ(cast(Opcode::FPToUI, F64, I1, f64b(5.0)), 1u);
}

TEST(Interpreter, IntToFloatRoundsToNearestEven) {
  EXPECT_EQ(cast(Opcode::UIToFP, I64, F32, ~0ull), f32b(0x1p64f));
  EXPECT_EQ(cast(Opcode::UIToFP, I64, F64, ~0ull), f64b(0x1p64));
  EXPECT_EQ(cast(Opcode::SIToFP, I64, F32, ~0ull), f32b(-1.0f));
  EXPECT_EQ(cast(Opcode::SIToFP, I64, F64, (1ull << 53) + 1),
            f64b(0x1p53)); // tie to even
  EXPECT_EQ(cast(Opcode::SIToFP, I64, F64, (1ull << 53) + 3), f64b(0x1p53 + 4));
  EXPECT_EQ(cast(Opcode::UIToFP, I32, F32, 0xffffffffu), f32b(0x1p32f));
  EXPECT_EQ(cast(Opcode::SIToFP, I32, F32, 0x80000000u), f32b(-0x1p31f));
  EXPECT_EQ(cast(Opcode::SIToFP, I8, F64, 0xff), f64b(-1.0));
  EXPECT_EQ(cast(Opcode::UIToFP, I8, F64, 0xff), f64b(255.0));
  EXPECT_EQ(cast(Opcode::SIToFP, I1, F32, 1), f32b(-1.0f));
  EXPECT_EQ(cast(Opcode::UIToFP, I1, F32, 1), f32b(1.0f));
  EXPECT_EQ(cast(Opcode::SIToFP, I32, F32, 16777217), f32b(16777216.0f));
}

TEST(Interpreter, IntegerAndFloatCasts) {
  EXPECT_EQ(cast(Opcode::SExt, I8, I32, 0xff), 0xffffffffu);
  EXPECT_EQ(cast(Opcode::SExt, I1, I64, 1), ~0ull);
  EXPECT_EQ(cast(Opcode::SExt, I16, I64, 0x7fff), 0x7fffu);
  EXPECT_EQ(cast(Opcode::ZExt, I8, I64, 0xff), 0xffu);
  EXPECT_EQ(cast(Opcode::Trunc, I64, I8, 0x1234), 0x34u);
  EXPECT_EQ(cast(Opcode::Trunc, I32, I1, 2), 0u);
  EXPECT_EQ(cast(Opcode::Bitcast, F32, I32, f32b(1.0f)), 0x3f800000u);
  EXPECT_EQ(cast(Opcode::Bitcast, I64, F64, f64b(2.5)), f64b(2.5));
  EXPECT_EQ(cast(Opcode::FPExt, F32, F64, f32b(0.1f)), f64b(double(0.1f)));
  EXPECT_EQ(cast(Opcode::FPTrunc, F64, F32, f64b(0.1)), f32b(0.1f));
  EXPECT_EQ(cast(Opcode::FPTrunc, F64, F32, f64b(1e300)), f32b(INFINITY));
  EXPECT_EQ(cast(Opcode::FPTrunc, F64, F32, f64b(1.0 + 0x1p-24)),
            f32b(1.0f)); // tie to even
}

TEST(Interpreter, ScalarArgumentsAreTruncatedToTheirWidth) {
  EXPECT_EQ(un(Opcode::Not, I8, 0xff00), 0xffu);
}

TEST(Interpreter, Select) {
  TM T;
  T.begin("f", {I1, F32, F32}, {F32});
  T.finish({T.op(Opcode::Select, {T.p(0), T.p(1), T.p(2)})});
  auto I = T.interp("f");
  EXPECT_EQ(ok(I->run({InterpArg::scalar(1), InterpArg::scalar(f32b(1)),
                       InterpArg::scalar(f32b(2))}))[0],
            f32b(1));
  EXPECT_EQ(ok(I->run({InterpArg::scalar(0), InterpArg::scalar(f32b(1)),
                       InterpArg::scalar(f32b(2))}))[0],
            f32b(2));
}

//===-- Loops and branches ------------------------------------------------===//

/// `for %i = lb to ub step st iter(%n: i64 = 0, %last: T = -99)` counting the
/// trips and keeping the last index: returns {trips, last}.
std::pair<uint64_t, uint64_t> forLoop(Type T, int64_t Lb, int64_t Ub,
                                      int64_t St) {
  TM M;
  M.begin("f", {T, T, T}, {I64, T});
  auto A = ok(M.B.beginFor(M.p(0), M.p(1), M.p(2),
                           {M.cst(I64, 0), M.cst(T, -99)}, {I64, T}));
  Value N = M.op(Opcode::Add, {A[1], M.cst(I64, 1)});
  auto R = ok(M.B.endFor({N, A[0]}));
  M.finish({R[0], R[1]});
  auto Res = ok(M.interp("f")->run({InterpArg::scalar(ib(T, Lb)),
                                    InterpArg::scalar(ib(T, Ub)),
                                    InterpArg::scalar(ib(T, St))}));
  return {Res[0], Res[1]};
}

TEST(Interpreter, ForTripCounts) {
  using PR = std::pair<uint64_t, uint64_t>;
  EXPECT_EQ(forLoop(I64, 0, 10, 3), PR(4, 9));
  EXPECT_EQ(forLoop(I64, 0, 10, 1), PR(10, 9));
  // Near the top of the range: no overflow of the index or the trip count.
  EXPECT_EQ(forLoop(I64, INT64_MAX - 10, INT64_MAX, 3), PR(4, INT64_MAX - 1));
  EXPECT_EQ(forLoop(I64, INT64_MIN, INT64_MAX, INT64_MAX),
            PR(3, INT64_MAX - 1));
  EXPECT_EQ(forLoop(I64, 0, INT64_MAX, INT64_MAX), PR(1, 0));
  EXPECT_EQ(forLoop(I64, -1, INT64_MAX, INT64_MAX), PR(2, INT64_MAX - 1));
  EXPECT_EQ(forLoop(I64, INT64_MIN, INT64_MIN + 1, INT64_MAX),
            PR(1, ib(I64, INT64_MIN)));
  // No trips: the results are the initial values.
  uint64_t Init = ib(I64, -99);
  EXPECT_EQ(forLoop(I64, 5, 0, 1), PR(0, Init));
  EXPECT_EQ(forLoop(I64, 5, 5, 1), PR(0, Init));
  EXPECT_EQ(forLoop(I64, 0, 10, 0), PR(0, Init));
  EXPECT_EQ(forLoop(I64, 0, 10, -1), PR(0, Init));
  EXPECT_EQ(forLoop(I64, 10, 0, -1), PR(0, Init));
  EXPECT_EQ(forLoop(I64, 0, 10, INT64_MIN), PR(0, Init));
  // i32 bounds are read as signed 32-bit values.
  EXPECT_EQ(forLoop(I32, INT32_MAX - 7, INT32_MAX, 5),
            PR(2, uint64_t(INT32_MAX - 2)));
  EXPECT_EQ(forLoop(I32, -5, 5, 1), PR(10, 4));
  EXPECT_EQ(forLoop(I32, -5, -3, 1), PR(2, ib(I32, -4)));
  EXPECT_EQ(forLoop(I32, INT32_MIN, INT32_MAX, INT32_MAX),
            PR(3, uint64_t(INT32_MAX - 1)));
  EXPECT_EQ(forLoop(I32, 0, 10, -2), PR(0, ib(I32, -99)));
}

TEST(Interpreter, ForYieldsArePermutedAtOnce) {
  // iter(%a = 1, %b = 2) { yield %b, %a } swaps each trip; plus Fibonacci.
  TM M;
  M.begin("f", {I64}, {I64, I64, I64});
  auto A = ok(
      M.B.beginFor(M.cst(I64, 0), M.p(0), M.cst(I64, 1),
                   {M.cst(I64, 1), M.cst(I64, 2), M.cst(I64, 0), M.cst(I64, 1)},
                   {I64, I64, I64, I64}));
  Value C = M.op(Opcode::Add, {A[3], A[4]});
  auto R = ok(M.B.endFor({A[2], A[1], A[4], C}));
  M.finish({R[0], R[1], R[2]});
  auto I = M.interp("f");
  EXPECT_EQ(ok(I->run({InterpArg::scalar(3)})),
            (std::vector<uint64_t>{2, 1, 2}));
  EXPECT_EQ(ok(I->run({InterpArg::scalar(10)})),
            (std::vector<uint64_t>{1, 2, 55}));
  EXPECT_EQ(ok(I->run({InterpArg::scalar(0)})),
            (std::vector<uint64_t>{1, 2, 0}));
}

TEST(Interpreter, NestedLoopsAndConstCounting) {
  // s = sum over i < n, j < i of (i * j + 3); `const` inside the body counts.
  TM M;
  M.begin("f", {I64}, {I64});
  auto O = ok(M.B.beginFor(M.cst(I64, 0), M.p(0), M.cst(I64, 1),
                           {M.cst(I64, 0)}, {I64}));
  auto In = ok(M.B.beginFor(M.cst(I64, 0), O[0], M.cst(I64, 1), {O[1]}, {I64}));
  Value Three = M.op(Opcode::Const, {M.cst(I64, 3)}, to(I64));
  Value P = M.op(Opcode::Mul, {O[0], In[0]});
  Value Q = M.op(Opcode::Add, {P, Three});
  Value S = M.op(Opcode::Add, {In[1], Q});
  auto RI = ok(M.B.endFor({S}));
  auto RO = ok(M.B.endFor({RI[0]}));
  M.finish({RO[0]});
  auto I = M.interp("f");
  uint64_t Want = 0;
  for (uint64_t X = 0; X < 10; ++X)
    for (uint64_t Y = 0; Y < X; ++Y)
      Want += X * Y + 3;
  EXPECT_EQ(ok(I->run({InterpArg::scalar(10)}))[0], Want);
  // outer: 1 + 10 tests; inner: 10 entries with i + 1 tests each = 45 + 10;
  // body: 4 ops * 45 trips; ret: 1.
  EXPECT_EQ(I->opsExecuted(), 11u + 55u + 4 * 45u + 1u);
}

TEST(Interpreter, IfWithAndWithoutResults) {
  TM M;
  M.begin("f", {I1, I32, Type::ptr(Scalar::I32)}, {I32});
  ok(M.B.beginIf(M.p(0), {I32}));
  Value T = M.op(Opcode::Add, {M.p(1), M.cst(I32, 1)});
  ok(M.B.beginElse({T}));
  Value E = M.op(Opcode::Mul, {M.p(1), M.cst(I32, 2)});
  auto R = ok(M.B.endIf({E}));
  ok(M.B.beginIf(M.p(0), {}));
  M.stmt(Opcode::Store, {M.p(2), M.cst(I64, 0), R[0]});
  ok(M.B.endIf({}));
  M.finish({R[0]});
  auto I = M.interp("f");
  int32_t Buf = -1;
  EXPECT_EQ(ok(I->run({InterpArg::scalar(1), InterpArg::scalar(20),
                       InterpArg::buffer(&Buf, 1)}))[0],
            21u);
  EXPECT_EQ(Buf, 21);
  EXPECT_EQ(ok(I->run({InterpArg::scalar(0), InterpArg::scalar(20),
                       InterpArg::buffer(&Buf, 1)}))[0],
            40u);
  EXPECT_EQ(Buf, 21);
  EXPECT_EQ(I->opsExecuted(), 4u); // if, mul, if, ret
}

TEST(Interpreter, WhileLoops) {
  // Collatz steps: while n != 1 { n = odd ? 3n + 1 : n / 2; k += 1 }.
  TM M;
  M.begin("f", {I64}, {I64, I64});
  auto V = ok(M.B.beginWhile({M.p(0), M.cst(I64, 0)}, {I64, I64}));
  ok(M.B.beginDo(
      M.op(Opcode::ICmp, {V[0], M.cst(I64, 1)}, sub(uint8_t(ICmpPred::NE)))));
  Value Odd = M.op(Opcode::Trunc, {V[0]}, to(I1));
  Value Half = M.op(Opcode::UDiv, {V[0], M.cst(I64, 2)});
  Value T3 = M.op(Opcode::Add,
                  {M.op(Opcode::Mul, {V[0], M.cst(I64, 3)}), M.cst(I64, 1)});
  Value Next = M.op(Opcode::Select, {Odd, T3, Half});
  auto R = ok(M.B.endWhile({Next, M.op(Opcode::Add, {V[1], M.cst(I64, 1)})}));
  M.finish({R[0], R[1]});
  auto I = M.interp("f");
  EXPECT_EQ(ok(I->run({InterpArg::scalar(27)})),
            (std::vector<uint64_t>{1, 111}));
  EXPECT_EQ(ok(I->run({InterpArg::scalar(1)})), (std::vector<uint64_t>{1, 0}));
  // 1 (icmp) + 1 (test) per evaluation of the condition, 6 ops per trip, ret.
  EXPECT_EQ(I->opsExecuted(), 2u + 1u);
  ok(I->run({InterpArg::scalar(27)}).takeError());
  EXPECT_EQ(I->opsExecuted(), 112u * 2 + 111u * 6 + 1);

  // Swapping loop variables in the yield.
  TM S;
  S.begin("g", {I32}, {I32, I32, I32});
  auto W = ok(S.B.beginWhile({S.cst(I32, 1), S.cst(I32, 2), S.cst(I32, 0)},
                             {I32, I32, I32}));
  ok(S.B.beginDo(
      S.op(Opcode::ICmp, {W[2], S.p(0)}, sub(uint8_t(ICmpPred::SLT)))));
  auto RS =
      ok(S.B.endWhile({W[1], W[0], S.op(Opcode::Add, {W[2], S.cst(I32, 1)})}));
  S.finish({RS[0], RS[1], RS[2]});
  EXPECT_EQ(ok(S.interp("g")->run({InterpArg::scalar(3)})),
            (std::vector<uint64_t>{2, 1, 3}));
}

//===-- Memory ------------------------------------------------------------===//

/// The spec's saxpy.
void buildSaxpy(TM &M) {
  M.F = ok(M.B.declareFunction(
      "saxpy", {I64, F32, Type::ptr(Scalar::F32), Type::ptr(Scalar::F32)},
      {0, 0, AttrReadOnly, 0}, {}, {"n", "a", "x", "y"}));
  ok(M.B.beginBody(*M.F));
  auto A = ok(M.B.beginFor(M.cst(I64, 0), M.p(0), M.cst(I64, 1), {}, {}));
  Value Xi = M.op(Opcode::Load, {M.p(2), A[0]});
  Value Yi = M.op(Opcode::Load, {M.p(3), A[0]});
  Value T = M.op(Opcode::FMul, {M.p(1), Xi});
  Value R = M.op(Opcode::FAdd, {T, Yi});
  M.stmt(Opcode::Store, {M.p(3), A[0], R});
  ok(M.B.endFor({}));
  M.finish();
}

TEST(Interpreter, SpecSaxpy) {
  TM M;
  buildSaxpy(M);
  auto I = M.interp("saxpy");
  std::vector<float> X(1000), Y(1000), Want(1000);
  for (int K = 0; K < 1000; ++K) {
    X[K] = K * 0.25f;
    Y[K] = 1.0f / (K + 1);
    Want[K] = 1.5f * X[K] + Y[K];
  }
  auto R = ok(I->run({InterpArg::scalar(1000), InterpArg::scalar(f32b(1.5f)),
                      InterpArg::buffer(X.data(), X.size()),
                      InterpArg::buffer(Y.data(), Y.size())}));
  EXPECT_TRUE(R.empty());
  for (int K = 0; K < 1000; ++K)
    EXPECT_EQ(f32b(Y[K]), f32b(Want[K])) << K;
  EXPECT_EQ(I->opsExecuted(), 6u * 1000 + 2);
  // Zero elements: null data is fine.
  ok(I->run({InterpArg::scalar(0), InterpArg::scalar(0),
             InterpArg::buffer(nullptr, 0), InterpArg::buffer(nullptr, 0)})
         .takeError());
  EXPECT_EQ(I->opsExecuted(), 2u);
}

TEST(Interpreter, SpecSumReducesLeftToRight) {
  TM M;
  M.begin("sum", {I64, Type::ptr(Scalar::F32)}, {F32}, {"n", "x"});
  auto A =
      ok(M.B.beginFor(M.cst(I64, 0), M.p(0), M.cst(I64, 1), {M.fcst(F32, 0.0)},
                      {F32}, FlagParallel | FlagReassoc));
  Value V = M.op(Opcode::Load, {M.p(1), A[0]});
  auto R = ok(M.B.endFor({M.op(Opcode::FAdd, {A[1], V})}));
  M.finish({R[0]});
  std::vector<float> X(4097);
  float Want = 0;
  for (size_t K = 0; K < X.size(); ++K)
    Want += (X[K] = 1.0f / float(K + 3));
  auto Res = ok(M.interp("sum")->run(
      {InterpArg::scalar(X.size()), InterpArg::buffer(X.data(), X.size())}));
  EXPECT_EQ(Res[0], f32b(Want));
}

std::string runError(Interpreter &I, std::vector<InterpArg> Args) {
  auto R = I.run(Args);
  if (R)
    return "<no error>";
  std::string Msg;
  llvm::handleAllErrors(
      R.takeError(),
      [&](const RuntimeError &E) { Msg = "runtime: " + E.message(); },
      [&](const llvm::ErrorInfoBase &E) { Msg = "other: " + E.message(); });
  return Msg;
}

TEST(Interpreter, OutOfBoundsNamesFunctionBufferAndIndex) {
  TM M;
  M.begin("f", {I64, Type::ptr(Scalar::F32), I8}, {F32}, {"n", "y", "b"});
  Value Q = M.op(Opcode::Offset, {M.p(1), M.cst(I64, 60)});
  M.stmt(Opcode::Store, {Q, M.p(2), M.fcst(F32, 7.0)});
  Value V = M.op(Opcode::Load, {M.p(1), M.p(0)});
  M.finish({V});
  auto I = M.interp("f");
  std::vector<float> Y(64, 0.0f);
  auto Args = [&](int64_t N, int8_t B) {
    return std::vector<InterpArg>{InterpArg::scalar(uint64_t(N)),
                                  InterpArg::buffer(Y.data(), 64),
                                  InterpArg::scalar(uint8_t(B))};
  };
  EXPECT_EQ(runError(*I, Args(100, 0)),
            "runtime: out-of-bounds load in @f: buffer %y index 100 is outside "
            "[0, 64)");
  EXPECT_EQ(runError(*I, Args(-1, 0)), "runtime: out-of-bounds load in @f: "
                                       "buffer %y index -1 is outside [0, 64)");
  EXPECT_EQ(runError(*I, Args(INT64_MIN, 0)),
            "runtime: out-of-bounds load in @f: buffer %y index "
            "-9223372036854775808 is "
            "outside [0, 64)");
  // Through the offset pointer: index 60 + 4; an i8 index is read as signed.
  EXPECT_EQ(runError(*I, Args(0, 4)), "runtime: out-of-bounds store in @f: "
                                      "buffer %y index 64 is outside [0, 64)");
  EXPECT_EQ(runError(*I, Args(0, -61)),
            "runtime: out-of-bounds store in @f: buffer %y index -1 is outside "
            "[0, 64)");
  auto R = ok(I->run(Args(63, 3)));
  EXPECT_EQ(R[0], f32b(7.0f));
  EXPECT_EQ(Y[63], 7.0f);
  ok(I->run(Args(0, -60)).takeError());
  EXPECT_EQ(Y[0], 7.0f);
}

TEST(Interpreter, OutOfBoundsInCalleeAndUnnamedBuffer) {
  TM M;
  Function *G = M.begin("g", {Type::ptr(Scalar::I32), I64}, {}, {"p", "i"});
  Value Q = M.op(Opcode::Offset, {M.p(0), M.cst(I64, -2)});
  M.stmt(Opcode::Store, {Q, M.p(1), M.cst(I32, 5)});
  M.finish();
  M.begin("f", {Type::ptr(Scalar::I32), Type::ptr(Scalar::I32), I64}, {});
  ok(M.B.create(Opcode::Call, {M.p(1), M.p(2)},
                callee(uint32_t(M.M.indexOf("g")))));
  M.finish();
  (void)G;
  auto I = M.interp("f");
  int32_t A[4] = {}, B[4] = {};
  auto Args = [&](int64_t N) {
    return std::vector<InterpArg>{InterpArg::buffer(A, 4),
                                  InterpArg::buffer(B, 4),
                                  InterpArg::scalar(uint64_t(N))};
  };
  EXPECT_EQ(runError(*I, Args(6)), "runtime: out-of-bounds store in @g: buffer "
                                   "#1 index 4 is outside [0, 4)");
  EXPECT_EQ(runError(*I, Args(1)), "runtime: out-of-bounds store in @g: buffer "
                                   "#1 index -1 is outside [0, 4)");
  ok(I->run(Args(5)).takeError());
  EXPECT_EQ(B[3], 5);
}

TEST(Interpreter, Atomics) {
  TM M;
  std::vector<Type> Res = {I32, I32, I32, I32, I64, I64, I64,
                           I64, F32, F32, F64, I32, I32, I32};
  M.begin("f",
          {Type::ptr(Scalar::I32), Type::ptr(Scalar::I64),
           Type::ptr(Scalar::F32), Type::ptr(Scalar::F64)},
          Res);
  auto At = [&](AtomicKind K, unsigned P, int64_t Idx, Value V) {
    return M.op(Opcode::Atomic, {M.p(P), M.cst(I64, Idx), V}, sub(uint8_t(K)));
  };
  std::vector<Value> Olds = {
      At(AtomicKind::Add, 0, 0, M.cst(I32, 3)),      // 5 -> 8
      At(AtomicKind::Min, 0, 1, M.cst(I32, -1)),     // 2 -> -1
      At(AtomicKind::UMin, 0, 2, M.cst(I32, -1)),    // 2 -> 2
      At(AtomicKind::Xchg, 0, 3, M.cst(I32, 9)),     // 7 -> 9
      At(AtomicKind::Max, 1, 0, M.cst(I64, -5)),     // -7 -> -5
      At(AtomicKind::UMax, 1, 1, M.cst(I64, -5)),    // 1 -> -5
      At(AtomicKind::And, 1, 2, M.cst(I64, 6)),      // 12 -> 4
      At(AtomicKind::Xor, 1, 3, M.cst(I64, 5)),      // 12 -> 9
      At(AtomicKind::FAdd, 2, 0, M.fcst(F32, 0.5)),  // 1.5 -> 2.0
      At(AtomicKind::FMin, 2, 1, M.fcst(F32, 3.0)),  // NaN -> 3.0
      At(AtomicKind::FMax, 3, 0, M.fcst(F64, -0.0)), // -1 -> -0
      At(AtomicKind::Or, 0, 4, M.cst(I32, 0x10)),    // 1 -> 0x11
  };
  // cmpxchg compares bits: the first succeeds, the second fails.
  Olds.push_back(M.op(Opcode::CmpXchg,
                      {M.p(0), M.cst(I64, 5), M.cst(I32, 4), M.cst(I32, 40)}));
  Olds.push_back(M.op(Opcode::CmpXchg,
                      {M.p(0), M.cst(I64, 6), M.cst(I32, 4), M.cst(I32, 40)}));
  M.finish(Olds);
  auto I = M.interp("f");
  int32_t A[7] = {5, 2, 2, 7, 1, 4, 3};
  int64_t B[4] = {-7, 1, 12, 12};
  float C[2] = {1.5f, NAN};
  double D[1] = {-1.0};
  auto R = ok(I->run({InterpArg::buffer(A, 7), InterpArg::buffer(B, 4),
                      InterpArg::buffer(C, 2), InterpArg::buffer(D, 1)}));
  std::vector<uint64_t> Want = {
      5,  ib(I32, 2), 2,    7,          ib(I64, -7), 1, 12,
      12, f32b(1.5f), R[9], f64b(-1.0), 1,           4, 3};
  EXPECT_EQ(R, Want);
  EXPECT_TRUE(std::isnan(asf32(R[9])));
  EXPECT_EQ(std::vector<int32_t>(A, A + 7),
            (std::vector<int32_t>{8, -1, 2, 9, 0x11, 40, 3}));
  EXPECT_EQ(std::vector<int64_t>(B, B + 4),
            (std::vector<int64_t>{-5, -5, 4, 9}));
  EXPECT_EQ(C[0], 2.0f);
  EXPECT_EQ(C[1], 3.0f);
  EXPECT_EQ(f64b(D[0]), f64b(-0.0));
}

//===-- Calls and arguments -----------------------------------------------===//

TEST(Interpreter, NestedCallsAndMultipleResults) {
  TM M;
  M.begin("sq", {I32}, {I32});
  M.finish({M.op(Opcode::Mul, {M.p(0), M.p(0)})});
  M.begin("divmod", {I32, I32}, {I32, I32});
  Value Q = M.op(Opcode::SDiv, {M.p(0), M.p(1)});
  Value R = M.op(Opcode::SRem, {M.p(0), M.p(1)});
  M.finish({Q, R});
  uint32_t Sq = M.M.indexOf("sq"), DivMod = M.M.indexOf("divmod");
  // sumsq(n) = sum of sq(i) for i < n, via a call in a loop.
  M.begin("sumsq", {I32}, {I32});
  auto A = ok(M.B.beginFor(M.cst(I32, 0), M.p(0), M.cst(I32, 1),
                           {M.cst(I32, 0)}, {I32}));
  Value S = ok(M.B.create1(Opcode::Call, {A[0]}, callee(Sq)));
  auto L = ok(M.B.endFor({M.op(Opcode::Add, {A[1], S})}));
  M.finish({L[0]});
  uint32_t SumSq = M.M.indexOf("sumsq");
  M.begin("f", {I32, I32}, {I32, I32, I32});
  Value T = ok(M.B.create1(Opcode::Call, {M.p(0)}, callee(SumSq)));
  auto QR = ok(M.B.create(Opcode::Call, {T, M.p(1)}, callee(DivMod)));
  Value U = ok(M.B.create1(Opcode::Call, {QR[1]}, callee(Sq)));
  M.finish({QR[0], QR[1], U});
  auto I = M.interp("f");
  // sumsq(10) = 285 = 40 * 7 + 5.
  EXPECT_EQ(ok(I->run({InterpArg::scalar(10), InterpArg::scalar(7)})),
            (std::vector<uint64_t>{40, 5, 25}));
  EXPECT_EQ(ok(I->run({InterpArg::scalar(10), InterpArg::scalar(0)})),
            (std::vector<uint64_t>{0, 0, 0}));
}

TEST(Interpreter, ArgumentErrors) {
  TM M;
  buildSaxpy(M);
  auto I = M.interp("saxpy");
  float X[2] = {};
  EXPECT_EQ(runError(*I, {InterpArg::scalar(0)}),
            "other: @saxpy takes 4 arguments, got 1");
  EXPECT_EQ(
      runError(*I, {InterpArg::scalar(2), InterpArg::scalar(0),
                    InterpArg::buffer(nullptr, 2), InterpArg::buffer(X, 2)}),
      "other: argument 2 (%x) of @saxpy is a null buffer of 2 elements");
  EXPECT_EQ(
      runError(*I, {InterpArg::buffer(X, 2), InterpArg::scalar(0),
                    InterpArg::buffer(X, 2), InterpArg::buffer(X, 2)}),
      "other: argument 0 (%n) of @saxpy is a buffer, but the parameter is i64");
  auto Missing = Interpreter::create(M.M, "nope");
  ASSERT_FALSE(Missing);
  EXPECT_EQ(llvm::toString(Missing.takeError()),
            "no function @nope in the module");
}

TEST(Interpreter, RecursionIsRejected) {
  TM M;
  M.begin("r", {I32}, {I32});
  auto C = M.B.create1(Opcode::Call, {M.p(0)}, callee(0));
  if (!C) {
    llvm::consumeError(C.takeError());
    GTEST_SKIP() << "the builder refuses self-calls";
  }
  M.finish({*C});
  auto I = Interpreter::create(M.M, "r");
  ASSERT_FALSE(I);
  EXPECT_NE(llvm::toString(I.takeError()).find("recursive call to @r"),
            std::string::npos);
}

//===-- From text ---------------------------------------------------------===//

std::unique_ptr<Interpreter> fromText(std::unique_ptr<Module> &M,
                                      llvm::StringRef Text,
                                      llvm::StringRef Entry) {
  M = ok(parseAndVerify(Text));
  return ok(Interpreter::create(*M, Entry));
}

TEST(Interpreter, SpecExamplesFromText) {
  std::unique_ptr<Module> M;
  auto Saxpy = fromText(M, SpecSaxpyText, "saxpy");
  float X[3] = {1, 2, 3}, Y[3] = {10, 20, 30};
  ok(Saxpy
         ->run({InterpArg::scalar(3), InterpArg::scalar(f32b(2.0f)),
                InterpArg::buffer(X, 3), InterpArg::buffer(Y, 3)})
         .takeError());
  EXPECT_EQ(std::vector<float>(Y, Y + 3), (std::vector<float>{12, 24, 36}));
  EXPECT_EQ(
      runError(*Saxpy, {InterpArg::scalar(4), InterpArg::scalar(0),
                        InterpArg::buffer(X, 3), InterpArg::buffer(Y, 3)}),
      "runtime: out-of-bounds load in @saxpy: buffer %x index 3 is outside [0, "
      "3)");

  std::unique_ptr<Module> M2;
  auto Sum = fromText(M2, SpecSumText, "sum");
  // Left to right: 1e8 + 1 + 1 + ... stays 1e8 in f32; another order would not.
  float V[5] = {1e8f, 1, 1, 1, 1};
  EXPECT_EQ(ok(Sum->run({InterpArg::scalar(5), InterpArg::buffer(V, 5)}))[0],
            f32b(1e8f));
  EXPECT_EQ(ok(Sum->run({InterpArg::scalar(0), InterpArg::buffer(V, 5)}))[0],
            f32b(0.0f));
}

TEST(Interpreter, WhileAndPointersFromText) {
  // Newton iteration for sqrt(2) in a while loop, and a pointer chosen by a
  // select and carried through an iter argument.
  std::unique_ptr<Module> M;
  auto I = fromText(M, R"(
func @f(%a: ptr<f64>, %b: ptr<f64>, %c: i1) -> (f64, i32) {
  %x, %k = while (%xv: f64 = 1.0, %kv: i32 = 0) {
    %sq = fmul %xv, %xv
    %err = fsub %sq, 2.0
    %ae = fabs %err
    %go = fcmp ogt %ae, 1e-12
    condition %go
  } do {
    %q = fdiv 2.0, %xv
    %s = fadd %xv, %q
    %xn = fmul %s, 0.5
    %kn = add %kv, 1
    yield %xn, %kn
  }
  %p = select %c, %a, %b
  %pe = for %i = 0 to 2 step 1 iter(%pp: ptr<f64> = %p) {
    store %pp[0], %x
    %nx = offset %pp, 1
    yield %nx
  }
  store %pe[0], -1.0
  ret %x, %k
}
)",
                    "f");
  double A[3] = {}, B[3] = {};
  auto R = ok(I->run({InterpArg::buffer(A, 3), InterpArg::buffer(B, 3),
                      InterpArg::scalar(0)}));
  double X = 1.0;
  uint64_t K = 0;
  for (; std::fabs(X * X - 2.0) > 1e-12; ++K)
    X = (X + 2.0 / X) * 0.5;
  EXPECT_EQ(R[0], f64b(X));
  EXPECT_EQ(R[1], K);
  EXPECT_EQ(A[0], 0.0);
  EXPECT_EQ(B[0], X);
  EXPECT_EQ(B[1], X);
  EXPECT_EQ(B[2], -1.0);
  EXPECT_EQ(runError(*I, {InterpArg::buffer(A, 3), InterpArg::buffer(B, 2),
                          InterpArg::scalar(1)}),
            "<no error>");
  EXPECT_EQ(A[2], -1.0);
  EXPECT_EQ(runError(*I, {InterpArg::buffer(A, 3), InterpArg::buffer(B, 2),
                          InterpArg::scalar(0)}),
            "runtime: out-of-bounds store in @f: buffer %b index 2 is outside "
            "[0, 2)");
}

} // namespace
