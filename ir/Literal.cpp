//===- ir/Literal.cpp - VIR literals as text ------------------------------===//
//
// One definition of literal syntax (spec §3). Integers are signless, so a
// literal of iN is accepted when it fits either as a signed or an unsigned
// N-bit number. Floats are read with strtof/strtod directly on the text so that
// f32 literals are rounded once (reading as double and narrowing would round
// twice), and are printed as the shortest text that reads back to the same
// bits.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Literal.h"

#include "llvm/ADT/StringExtras.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <locale.h>
#include <stdlib.h>

using namespace ircgpu;
using llvm::StringRef;

int64_t ircgpu::signExtend(uint64_t V, unsigned Bits) {
  if (Bits == 0)
    return 0;
  if (Bits >= 64)
    return static_cast<int64_t>(V);
  // Shift the sign bit to the top, then arithmetic-shift back down.
  return static_cast<int64_t>(V << (64 - Bits)) >> (64 - Bits);
}

uint64_t ircgpu::truncateBits(uint64_t V, unsigned Bits) {
  if (Bits >= 64)
    return V;
  return V & ((uint64_t(1) << Bits) - 1);
}

static llvm::Error litError(const llvm::Twine &Msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Msg);
}

static bool isHexDigitChar(char C) { return llvm::isHexDigit(C); }

/// True when Text is written the way only a float can be: with a '.', an
/// exponent, or as inf/nan. Used to say "not an integer" rather than the
/// less helpful "invalid literal".
static bool looksLikeFloat(StringRef Text) {
  StringRef T = Text;
  T.consume_front("-");
  if (T.starts_with("inf") || T.starts_with("nan"))
    return true;
  bool Hex = T.starts_with_insensitive("0x");
  for (char C : T) {
    if (C == '.' || C == 'p' || C == 'P')
      return true;
    if (!Hex && (C == 'e' || C == 'E'))
      return true;
  }
  return false;
}

/// Reads `[-]digits` or `[-]0xhex` into a magnitude and a sign. Fails on any
/// other character or on a magnitude that does not fit in 64 bits.
static bool readInteger(StringRef Text, bool &Neg, uint64_t &Mag,
                        bool &Overflow) {
  Neg = Text.consume_front("-");
  unsigned Radix = 10;
  if (Text.starts_with_insensitive("0x")) {
    Radix = 16;
    Text = Text.drop_front(2);
  }
  if (Text.empty())
    return false;
  Mag = 0;
  Overflow = false;
  for (char C : Text) {
    unsigned D;
    if (C >= '0' && C <= '9')
      D = C - '0';
    else if (Radix == 16 && isHexDigitChar(C))
      D = llvm::hexDigitValue(C);
    else
      return false;
    if (Mag > (~uint64_t(0) - D) / Radix)
      Overflow = true;
    else
      Mag = Mag * Radix + D;
  }
  return true;
}

static llvm::Expected<uint64_t> parseIntLiteral(StringRef Text, Type Ty) {
  unsigned N = Ty.bits();
  if (Text == "true" || Text == "false") {
    if (N != 1)
      return litError("literal " + Text + " is an i1, expected " + Ty.str());
    return Text == "true" ? 1 : 0;
  }
  bool Neg, Overflow;
  uint64_t Mag;
  if (!readInteger(Text, Neg, Mag, Overflow)) {
    if (looksLikeFloat(Text))
      return litError("literal " + Text + " is not an integer, expected " +
                      Ty.str());
    return litError("invalid integer literal '" + Text + "'");
  }
  // Signless: [-2^(N-1), 2^N - 1].
  uint64_t MaxPos = N >= 64 ? ~uint64_t(0) : (uint64_t(1) << N) - 1;
  uint64_t MaxNeg = uint64_t(1) << (N - 1);
  if (Overflow || (Neg ? Mag > MaxNeg : Mag > MaxPos))
    return litError("literal " + Text + " does not fit in " + Ty.str());
  uint64_t V = Neg ? (~Mag + 1) : Mag;
  return truncateBits(V, N);
}

/// Checks Text against the float grammar accepted by VIR, so that strtod's
/// extras (leading blanks, "infinity", "nan(chars)", a '+' sign) are refused:
///   [-] digits [. digits] [(e|E) [+-] digits]
///   [-] 0x hex [. hex] [(p|P) [+-] digits]
static bool isFloatSyntax(StringRef T) {
  T.consume_front("-");
  bool Hex = false;
  if (T.starts_with_insensitive("0x")) {
    Hex = true;
    T = T.drop_front(2);
  }
  auto IsMant = [&](char C) {
    return Hex ? isHexDigitChar(C) : llvm::isDigit(C);
  };
  size_t I = 0, MantDigits = 0;
  while (I < T.size() && IsMant(T[I]))
    ++I, ++MantDigits;
  if (I < T.size() && T[I] == '.') {
    ++I;
    while (I < T.size() && IsMant(T[I]))
      ++I, ++MantDigits;
  }
  if (MantDigits == 0)
    return false;
  if (I < T.size() &&
      (Hex ? (T[I] == 'p' || T[I] == 'P') : (T[I] == 'e' || T[I] == 'E'))) {
    ++I;
    if (I < T.size() && (T[I] == '+' || T[I] == '-'))
      ++I;
    size_t ExpDigits = 0;
    while (I < T.size() && llvm::isDigit(T[I]))
      ++I, ++ExpDigits;
    if (ExpDigits == 0)
      return false;
  }
  return I == T.size();
}

static llvm::Expected<uint64_t> parseFloatLiteral(StringRef Text, Type Ty) {
  bool F32 = Ty.elem() == Scalar::F32;
  uint64_t SignBit = F32 ? (uint64_t(1) << 31) : (uint64_t(1) << 63);
  uint64_t Inf = F32 ? 0x7f800000u : 0x7ff0000000000000ull;
  uint64_t QNaN = F32 ? 0x7fc00000u : 0x7ff8000000000000ull;

  if (Text == "true" || Text == "false")
    return litError("literal " + Text + " is an i1, expected " + Ty.str());
  if (Text == "inf")
    return Inf;
  if (Text == "-inf")
    return Inf | SignBit;
  if (Text == "nan")
    return QNaN;
  if (Text == "-nan")
    return QNaN | SignBit;
  if (Text.starts_with("nan(")) {
    // nan(0xBITS): the full bit pattern, sign included.
    StringRef Inner = Text.drop_front(4);
    bool Neg, Overflow;
    uint64_t Bits;
    if (!Inner.consume_back(")") || !Inner.starts_with_insensitive("0x") ||
        !readInteger(Inner, Neg, Bits, Overflow) || Neg)
      return litError("invalid NaN literal '" + Text +
                      "', expected nan(0x...) with the NaN's bit pattern");
    uint64_t ExpMask = Inf,
             MantMask = F32 ? 0x007fffffu : 0x000fffffffffffffull;
    if (Overflow || Bits > (F32 ? 0xffffffffull : ~uint64_t(0)) ||
        (Bits & ExpMask) != ExpMask || (Bits & MantMask) == 0)
      return litError("literal " + Text + " is not a NaN of " + Ty.str());
    return Bits;
  }
  if (!isFloatSyntax(Text))
    return litError("invalid " + Ty.str() + " literal '" + Text + "'");

  // strtod needs a NUL-terminated buffer; literals are short. The "C" locale
  // is explicit: a VM embedding us may have set one whose decimal point is ','.
  static const locale_t CLocale = newlocale(LC_ALL_MASK, "C", locale_t(0));
  std::string Buf = Text.str();
  errno = 0;
  char *End = nullptr;
  uint64_t Bits;
  bool IsInf;
  if (F32) {
    float F = strtof_l(Buf.c_str(), &End, CLocale);
    IsInf = std::isinf(F);
    uint32_t B;
    std::memcpy(&B, &F, 4);
    Bits = B;
  } else {
    double D = strtod_l(Buf.c_str(), &End, CLocale);
    IsInf = std::isinf(D);
    std::memcpy(&Bits, &D, 8);
  }
  if (End != Buf.c_str() + Buf.size())
    return litError("invalid " + Ty.str() + " literal '" + Text + "'");
  // ERANGE also flags underflow to a denormal or zero, which is fine: only an
  // overflow to infinity loses the value.
  if (IsInf)
    return litError("literal " + Text + " does not fit in " + Ty.str());
  return Bits;
}

llvm::Expected<uint64_t> ircgpu::parseLiteral(StringRef Text, Type Ty) {
  if (!Ty.isScalar())
    return litError("a literal cannot have type " + Ty.str());
  if (Ty.elem() == Scalar::F16)
    return litError("f16 is not supported yet");
  if (Text.empty())
    return litError("empty literal");
  if (Ty.isInt())
    return parseIntLiteral(Text, Ty);
  return parseFloatLiteral(Text, Ty);
}

/// Shortest round-trip text of a finite float, made to look like a float.
template <typename T> static std::string formatFinite(T V) {
  char Buf[64];
  auto R = std::to_chars(Buf, Buf + sizeof(Buf), V);
  std::string S(Buf, R.ptr);
  // "1" would read back as an integer literal in an untyped position; the
  // printer always writes floats so that they look like floats.
  if (S.find_first_of(".ein") == std::string::npos)
    S += ".0";
  return S;
}

std::string ircgpu::formatLiteral(Type Ty, uint64_t Bits) {
  if (Ty.isInt()) {
    if (Ty.elem() == Scalar::I1)
      return (Bits & 1) ? "true" : "false";
    return std::to_string(signExtend(Bits, Ty.bits()));
  }
  if (!Ty.isFloat() || Ty.elem() == Scalar::F16)
    return "0x" + llvm::utohexstr(Bits, /*LowerCase=*/true);

  bool F32 = Ty.elem() == Scalar::F32;
  uint64_t SignBit = F32 ? (uint64_t(1) << 31) : (uint64_t(1) << 63);
  uint64_t QNaN = F32 ? 0x7fc00000u : 0x7ff8000000000000ull;
  if (F32)
    Bits &= 0xffffffffu;
  double AsDouble;
  float AsFloat;
  if (F32) {
    uint32_t B = static_cast<uint32_t>(Bits);
    std::memcpy(&AsFloat, &B, 4);
    AsDouble = AsFloat;
  } else {
    std::memcpy(&AsDouble, &Bits, 8);
  }
  if (std::isnan(AsDouble)) {
    if (Bits == QNaN)
      return "nan";
    if (Bits == (QNaN | SignBit))
      return "-nan";
    return "nan(0x" + llvm::utohexstr(Bits, /*LowerCase=*/true) + ")";
  }
  if (std::isinf(AsDouble))
    return (Bits & SignBit) ? "-inf" : "inf";
  return F32 ? formatFinite(AsFloat) : formatFinite(AsDouble);
}
