//===- api/ApiError.cpp - the API's one error type, arguments, values ----===//
#include "ircgpu/Builder.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Kernel.h"

#include <cstring>

using namespace llvm;

namespace ircgpu {

char ApiError::ID = 0;

StringRef errorCodeName(ErrorCode C) {
  switch (C) {
  case ErrorCode::InvalidArgument:
    return "invalid argument";
  case ErrorCode::InvalidIR:
    return "invalid IR";
  case ErrorCode::NotOffloadable:
    return "not offloadable";
  case ErrorCode::Device:
    return "device error";
  case ErrorCode::Runtime:
    return "runtime error";
  case ErrorCode::Compile:
    return "compile error";
  }
  return "error";
}

std::error_code ApiError::convertToErrorCode() const {
  return inconvertibleErrorCode();
}

Error apiError(ErrorCode Code, const Twine &Msg) {
  return make_error<ApiError>(Code, Msg.str());
}

Error toApiError(Error E, ErrorCode Fallback, StringRef Prefix) {
  if (!E)
    return E;
  ErrorCode Code = Fallback;
  std::string Msg;
  // Classify by the kind of the first error; the message keeps them all.
  handleAllErrors(
      std::move(E),
      [&](const ApiError &A) {
        Code = A.code();
        Msg += A.message();
      },
      [&](const DiagnosticError &D) {
        Code = ErrorCode::InvalidIR;
        if (!D.diagnostics().empty() &&
            StringRef(D.diagnostics().front().Message)
                .starts_with("not offloadable"))
          Code = ErrorCode::NotOffloadable;
        Msg += toString(make_error<DiagnosticError>(D.diagnostics()));
      },
      [&](const BuildError &B) {
        Code = ErrorCode::InvalidIR;
        Msg += B.message();
      },
      [&](const RuntimeError &R) {
        Code = ErrorCode::Runtime;
        Msg += R.message();
      },
      [&](const ErrorInfoBase &Other) { Msg += Other.message(); });
  return make_error<ApiError>(Code, (Prefix + Msg).str());
}

ErrorCode takeErrorCode(Error E, std::string &Msg) {
  ErrorCode Code = ErrorCode::Runtime;
  handleAllErrors(toApiError(std::move(E), ErrorCode::Runtime),
                  [&](const ApiError &A) {
                    Code = A.code();
                    Msg = A.message();
                  });
  return Code;
}

Arg Arg::f32(float V) {
  uint32_t B;
  std::memcpy(&B, &V, 4);
  return scalar(Type::f32(), B);
}

Arg Arg::f64(double V) {
  uint64_t B;
  std::memcpy(&B, &V, 8);
  return scalar(Type::f64(), B);
}

int64_t TypedValue::asI64() const {
  if (Ty.isFloat())
    return int64_t(asF64());
  unsigned W = Ty.isValid() ? Ty.bits() : 64;
  if (W >= 64)
    return int64_t(Bits);
  if (W == 1)
    return Bits & 1; // i1 is a truth value, not -1
  uint64_t Sign = 1ull << (W - 1);
  uint64_t V = Bits & ((1ull << W) - 1);
  return int64_t((V ^ Sign) - Sign);
}

uint64_t TypedValue::asU64() const {
  if (Ty.isFloat())
    return uint64_t(asF64());
  return Bits;
}

double TypedValue::asF64() const {
  if (Ty == Type::f32()) {
    uint32_t B = uint32_t(Bits);
    float F;
    std::memcpy(&F, &B, 4);
    return F;
  }
  if (Ty == Type::f64()) {
    double D;
    std::memcpy(&D, &Bits, 8);
    return D;
  }
  return double(asI64());
}

} // namespace ircgpu
