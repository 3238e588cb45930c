//===- tests/unit/ir/LiteralTest.cpp - literal syntax ---------------------===//
#include "ircgpu/Literal.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

uint64_t ok(llvm::StringRef Text, Type Ty) {
  llvm::Expected<uint64_t> B = parseLiteral(Text, Ty);
  if (!B) {
    ADD_FAILURE() << Text.str() << " as " << Ty.str() << ": "
                  << llvm::toString(B.takeError());
    return 0;
  }
  return *B;
}

std::string err(llvm::StringRef Text, Type Ty) {
  llvm::Expected<uint64_t> B = parseLiteral(Text, Ty);
  if (B)
    return "<accepted: " + std::to_string(*B) + ">";
  return llvm::toString(B.takeError());
}

TEST(LiteralTest, IntegersFitSignlessRange) {
  EXPECT_EQ(ok("0", I8), 0u);
  EXPECT_EQ(ok("255", I8), 255u);
  EXPECT_EQ(ok("-1", I8), 255u);
  EXPECT_EQ(ok("-128", I8), 128u);
  EXPECT_EQ(err("300", I8), "literal 300 does not fit in i8");
  EXPECT_EQ(err("256", I8), "literal 256 does not fit in i8");
  EXPECT_EQ(err("-129", I8), "literal -129 does not fit in i8");
  EXPECT_EQ(ok("65535", I16), 65535u);
  EXPECT_EQ(ok("-7", I32), 0xfffffff9u);
  EXPECT_EQ(ok("4294967295", I32), 0xffffffffu);
  EXPECT_EQ(err("4294967296", I32), "literal 4294967296 does not fit in i32");
  EXPECT_EQ(ok("18446744073709551615", I64), ~uint64_t(0));
  EXPECT_EQ(ok("-9223372036854775808", I64), uint64_t(1) << 63);
  EXPECT_EQ(err("18446744073709551616", I64),
            "literal 18446744073709551616 does not fit in i64");
  EXPECT_EQ(err("-9223372036854775809", I64),
            "literal -9223372036854775809 does not fit in i64");
  EXPECT_EQ(err("99999999999999999999999999", I64),
            "literal 99999999999999999999999999 does not fit in i64");
  EXPECT_EQ(ok("-0", I32), 0u);
}

TEST(LiteralTest, HexIntegers) {
  EXPECT_EQ(ok("0x1F", I32), 31u);
  EXPECT_EQ(ok("0xff", I8), 255u);
  EXPECT_EQ(ok("-0x80", I8), 128u);
  EXPECT_EQ(ok("0x1e", I32), 30u); // 'e' is a hex digit, not an exponent
  EXPECT_EQ(ok("0xFFFFFFFFFFFFFFFF", I64), ~uint64_t(0));
  EXPECT_EQ(err("0x100", I8), "literal 0x100 does not fit in i8");
  EXPECT_EQ(err("0x", I32), "invalid integer literal '0x'");
}

TEST(LiteralTest, I1) {
  EXPECT_EQ(ok("true", I1), 1u);
  EXPECT_EQ(ok("false", I1), 0u);
  EXPECT_EQ(ok("1", I1), 1u);
  EXPECT_EQ(ok("0", I1), 0u);
  EXPECT_EQ(ok("-1", I1), 1u);
  EXPECT_EQ(err("2", I1), "literal 2 does not fit in i1");
  EXPECT_EQ(err("-2", I1), "literal -2 does not fit in i1");
  EXPECT_EQ(err("true", I32), "literal true is an i1, expected i32");
  EXPECT_EQ(err("false", F32), "literal false is an i1, expected f32");
}

TEST(LiteralTest, FloatSyntaxIsNotAnInteger) {
  EXPECT_EQ(err("1.5", I32), "literal 1.5 is not an integer, expected i32");
  EXPECT_EQ(err("1e3", I64), "literal 1e3 is not an integer, expected i64");
  EXPECT_EQ(err("0x1.8p+1", I32),
            "literal 0x1.8p+1 is not an integer, expected i32");
  EXPECT_EQ(err("inf", I32), "literal inf is not an integer, expected i32");
  EXPECT_EQ(err("-nan", I8), "literal -nan is not an integer, expected i8");
  EXPECT_EQ(err("12abc", I32), "invalid integer literal '12abc'");
}

TEST(LiteralTest, Floats) {
  EXPECT_EQ(ok("1", F32), f32b(1.0f));
  EXPECT_EQ(ok("-0", F32), 0x80000000u);
  EXPECT_EQ(ok("-0", F64), uint64_t(1) << 63);
  EXPECT_EQ(ok("0", F64), 0u);
  EXPECT_EQ(ok("2.5", F32), f32b(2.5f));
  EXPECT_EQ(ok("1e-3", F64), f64b(1e-3));
  EXPECT_EQ(ok("1E+3", F64), f64b(1000.0));
  EXPECT_EQ(ok("0x1.8p+1", F32), f32b(3.0f));
  EXPECT_EQ(ok("0x1.8p+1", F64), f64b(3.0));
  EXPECT_EQ(ok("0x10", F32), f32b(16.0f));
  EXPECT_EQ(ok("-0x1p-2", F64), f64b(-0.25));
  // 0.1 rounded once to f32, not through double.
  EXPECT_EQ(ok("0.1", F32), f32b(0.1f));
  // A decimal whose double rounding would differ: halfway between two floats
  // after rounding to double first. 1.00000005960464477550 is just above the
  // midpoint of 1 and 1+2^-23; strtof rounds up, double-then-float rounds down.
  EXPECT_EQ(ok("1.00000005960464477550", F32), 0x3f800001u);
}

TEST(LiteralTest, SpecialFloats) {
  EXPECT_EQ(ok("inf", F32), 0x7f800000u);
  EXPECT_EQ(ok("-inf", F32), 0xff800000u);
  EXPECT_EQ(ok("nan", F32), 0x7fc00000u);
  EXPECT_EQ(ok("-nan", F32), 0xffc00000u);
  EXPECT_EQ(ok("inf", F64), 0x7ff0000000000000u);
  EXPECT_EQ(ok("nan", F64), 0x7ff8000000000000u);
  EXPECT_EQ(ok("-nan", F64), 0xfff8000000000000u);
  EXPECT_EQ(ok("nan(0x7fc00001)", F32), 0x7fc00001u);
  EXPECT_EQ(ok("nan(0xff800001)", F32), 0xff800001u); // signalling, negative
  EXPECT_EQ(ok("nan(0x7ff0000000000001)", F64), 0x7ff0000000000001u);
  EXPECT_EQ(err("nan(0x7f800000)", F32),
            "literal nan(0x7f800000) is not a NaN of f32");
  EXPECT_EQ(err("nan(0x3f800000)", F32),
            "literal nan(0x3f800000) is not a NaN of f32");
  EXPECT_EQ(err("nan(0x17fc00000)", F32),
            "literal nan(0x17fc00000) is not a NaN of f32");
  EXPECT_EQ(err("nan(0x7fc00000)", F64),
            "literal nan(0x7fc00000) is not a NaN of f64");
  EXPECT_NE(err("nan(123)", F32).find("invalid NaN literal"),
            std::string::npos);
}

TEST(LiteralTest, FloatRange) {
  EXPECT_EQ(err("1e39", F32), "literal 1e39 does not fit in f32");
  EXPECT_EQ(err("-1e39", F32), "literal -1e39 does not fit in f32");
  EXPECT_EQ(err("1e309", F64), "literal 1e309 does not fit in f64");
  EXPECT_EQ(err("0x1p+128", F32), "literal 0x1p+128 does not fit in f32");
  EXPECT_EQ(ok("3.4028235e38", F32), 0x7f7fffffu);
  EXPECT_EQ(ok("1e308", F64), f64b(1e308));
  // Underflow to a denormal or to zero is fine.
  EXPECT_EQ(ok("1e-45", F32), 1u);
  EXPECT_EQ(ok("1e-50", F32), 0u);
  EXPECT_EQ(ok("-1e-400", F64), uint64_t(1) << 63);
  EXPECT_EQ(ok("4.9e-324", F64), 1u);
}

TEST(LiteralTest, RejectsOddFloatText) {
  for (const char *T :
       {"1.2.3", "+1", " 1", "1 ", "infinity", "INF", "NaN", "1e", "1e+",
        "0x1p", ".", "-", "e5", "0x.p1", "1f", "nan()", "-nan(0x7fc00001)"})
    EXPECT_NE(err(T, F32).find("invalid"), std::string::npos)
        << T << ": " << err(T, F32);
  EXPECT_EQ(err("", F32), "empty literal");
}

TEST(LiteralTest, TypesWithoutLiterals) {
  EXPECT_EQ(err("1", Type::scalar(Scalar::F16)), "f16 is not supported yet");
  EXPECT_EQ(err("1", Type::ptr(Scalar::F32)),
            "a literal cannot have type ptr<f32>");
}

TEST(LiteralTest, FormatIntegers) {
  EXPECT_EQ(formatLiteral(I1, 1), "true");
  EXPECT_EQ(formatLiteral(I1, 0), "false");
  EXPECT_EQ(formatLiteral(I8, 255), "-1");
  EXPECT_EQ(formatLiteral(I8, 127), "127");
  EXPECT_EQ(formatLiteral(I32, 0x80000000u), "-2147483648");
  EXPECT_EQ(formatLiteral(I64, ~uint64_t(0)), "-1");
  EXPECT_EQ(formatLiteral(I64, 42), "42");
}

TEST(LiteralTest, FormatFloats) {
  EXPECT_EQ(formatLiteral(F32, f32b(1.0f)), "1.0");
  EXPECT_EQ(formatLiteral(F32, 0x80000000u), "-0.0");
  EXPECT_EQ(formatLiteral(F64, 0), "0.0");
  EXPECT_EQ(formatLiteral(F32, f32b(0.1f)), "0.1");
  EXPECT_EQ(formatLiteral(F64, f64b(0.1)), "0.1");
  EXPECT_EQ(formatLiteral(F32, f32b(2.5f)), "2.5");
  EXPECT_EQ(formatLiteral(F32, f32b(1e20f)), "1e+20");
  EXPECT_EQ(formatLiteral(F64, f64b(1e-300)), "1e-300");
  EXPECT_EQ(formatLiteral(F32, 1), "1e-45");
  EXPECT_EQ(formatLiteral(F32, 0x7f800000u), "inf");
  EXPECT_EQ(formatLiteral(F32, 0xff800000u), "-inf");
  EXPECT_EQ(formatLiteral(F32, 0x7fc00000u), "nan");
  EXPECT_EQ(formatLiteral(F32, 0xffc00000u), "-nan");
  EXPECT_EQ(formatLiteral(F32, 0x7fc00001u), "nan(0x7fc00001)");
  EXPECT_EQ(formatLiteral(F64, 0x7ff8000000000000u), "nan");
  EXPECT_EQ(formatLiteral(F64, 0x7ff0000000000001u), "nan(0x7ff0000000000001)");
}

TEST(LiteralTest, SignExtendAndTruncate) {
  EXPECT_EQ(signExtend(0xff, 8), -1);
  EXPECT_EQ(signExtend(0x7f, 8), 127);
  EXPECT_EQ(signExtend(1, 1), -1);
  EXPECT_EQ(signExtend(0x12345678ff, 8), -1); // high bits ignored
  EXPECT_EQ(signExtend(~uint64_t(0), 64), -1);
  EXPECT_EQ(truncateBits(0x1ff, 8), 0xffu);
  EXPECT_EQ(truncateBits(3, 1), 1u);
  EXPECT_EQ(truncateBits(~uint64_t(0), 64), ~uint64_t(0));
  EXPECT_EQ(truncateBits(~uint64_t(0), 32), 0xffffffffu);
}

// formatLiteral then parseLiteral gives back every bit pattern exactly.
void expectRoundTrip(Type Ty, uint64_t Bits) {
  std::string S = formatLiteral(Ty, Bits);
  llvm::Expected<uint64_t> Back = parseLiteral(S, Ty);
  ASSERT_TRUE(static_cast<bool>(Back))
      << S << ": " << llvm::toString(Back.takeError());
  ASSERT_EQ(*Back, Bits) << Ty.str() << " " << S;
}

TEST(LiteralTest, FloatRoundTripEdgeCases) {
  for (uint64_t Sign : {0u, 1u}) {
    uint64_t S32 = Sign << 31, S64 = Sign << 63;
    for (uint64_t B : {0x0u, 0x1u, 0x2u, 0x7fffffu, 0x800000u, 0x7f7fffffu,
                       0x7f800000u, 0x7fc00000u, 0x7f800001u, 0x7fffffffu,
                       0x3f800000u, 0x3f800001u, 0x4b800000u, 0x4b7fffffu})
      expectRoundTrip(Type::f32(), B | S32);
    for (uint64_t B :
         {0x0ull, 0x1ull, 0xfffffffffffffull, 0x10000000000000ull,
          0x7fefffffffffffffull, 0x7ff0000000000000ull, 0x7ff8000000000000ull,
          0x7ff0000000000001ull, 0x7fffffffffffffffull, 0x3ff0000000000000ull,
          0x3ff0000000000001ull, 0x4340000000000000ull})
      expectRoundTrip(Type::f64(), B | S64);
  }
}

// Random patterns, with exponents drawn so that denormals, NaNs, huge and
// tiny values all come up often.
TEST(LiteralTest, FloatRoundTripRandomBits) {
  std::mt19937_64 Rng(12345);
  for (int I = 0; I < 200000; ++I) {
    uint64_t R = Rng();
    uint64_t B32 = R & 0xffffffffu;
    switch (I % 4) {
    case 1:
      B32 &= 0x807fffffu;
      break; // denormal or zero
    case 2:
      B32 |= 0x7f800000u;
      break; // inf or NaN
    case 3:
      B32 = (B32 & 0x83ffffffu) | 0x3c000000u; // near 1
    default:
      break;
    }
    expectRoundTrip(Type::f32(), B32);
    uint64_t B64 = Rng();
    switch (I % 4) {
    case 1:
      B64 &= 0x800fffffffffffffull;
      break;
    case 2:
      B64 |= 0x7ff0000000000000ull;
      break;
    case 3:
      B64 = (B64 & 0x807fffffffffffffull) | 0x3f80000000000000ull;
      break;
    default:
      break;
    }
    expectRoundTrip(Type::f64(), B64);
  }
}

TEST(LiteralTest, IntegerRoundTrip) {
  std::mt19937_64 Rng(7);
  for (Type Ty : {I1, I8, I16, I32, I64})
    for (int I = 0; I < 2000; ++I)
      expectRoundTrip(Ty, truncateBits(Rng(), Ty.bits()));
}

} // namespace
