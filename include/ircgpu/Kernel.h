//===- ircgpu/Kernel.h - kernels, buffers and launches of the API -*- C++ -*-=//
//
// The values the embedding API (Context.h) hands a VM: a compiled Kernel, a
// Buffer of device (or, on the CPU devices, host) memory, the arguments of a
// launch and the typed values it returns, and ApiError, the one error type
// of the API. docs/embedding.md has the whole story.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_KERNEL_H
#define IRCGPU_KERNEL_H

#include "ircgpu/Device.h"
#include "ircgpu/IR.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ircgpu {

/// What went wrong, coarsely: what a VM branches on. The C API's status
/// codes (ircgpu.h) are these numbers.
enum class ErrorCode : int {
  InvalidArgument = 3, ///< a bad call: wrong argument type or count, a bad
                       ///< spec, a range outside a buffer, a null handle
  InvalidIR = 4,       ///< the module does not parse or verify; no entry
  NotOffloadable = 5,  ///< a loop cannot run on the GPU (the VM keeps it)
  Device = 6,          ///< no such device, or it cannot be opened
  Runtime = 7,         ///< a launch or copy failed or faulted (checked-mode
                       ///< out-of-bounds access, driver error)
  Compile = 8,         ///< code generation failed (an internal limit)
};
/// "invalid argument", "invalid IR", ...
llvm::StringRef errorCodeName(ErrorCode C);

/// The error every API call returns: a code and a message.
class ApiError : public llvm::ErrorInfo<ApiError> {
public:
  static char ID;
  ApiError(ErrorCode Code, std::string Msg) : Code(Code), Msg(std::move(Msg)) {}
  ErrorCode code() const { return Code; }
  void log(llvm::raw_ostream &OS) const override { OS << Msg; }
  std::string message() const override { return Msg; }
  std::error_code convertToErrorCode() const override;

private:
  ErrorCode Code;
  std::string Msg;
};

/// An ApiError of Code with Msg.
llvm::Error apiError(ErrorCode Code, const llvm::Twine &Msg);
/// E as an ApiError: kept if it is one; a DiagnosticError or BuildError is
/// InvalidIR (NotOffloadable for "not offloadable: ..."); a RuntimeError is
/// Runtime; anything else is Fallback. The message is E's, after Prefix.
llvm::Error toApiError(llvm::Error E, ErrorCode Fallback,
                       llvm::StringRef Prefix = "");
/// The code of an error made by the API (Fallback for others); E is
/// consumed into Msg.
ErrorCode takeErrorCode(llvm::Error E, std::string &Msg);

/// Device or host memory of a Context. Owned (Context::alloc: freed when
/// destroyed) or wrapped (Context::wrap: the VM's memory, never freed here).
/// Move-only. Copies wait until done unless *Async; Stream is a native
/// stream (a CUstream) or null for the default stream, ignored on the CPU
/// devices. Ranges outside the buffer are ErrorCode::InvalidArgument.
class Buffer {
public:
  Buffer() = default;
  Buffer(Buffer &&) noexcept = default;
  Buffer &operator=(Buffer &&) noexcept = default;
  ~Buffer();

  /// The device address (CUdeviceptr), or the host address on interp/sim.
  DevicePtr address() const { return Address; }
  uint64_t size() const { return Size; }
  bool isOwned() const { return Owned != nullptr || Host != nullptr; }
  /// The memory, where the host can touch it (interp/sim); else null.
  void *hostData() const;

  llvm::Error write(const void *Src, uint64_t Bytes, uint64_t Offset = 0,
                    void *Stream = nullptr) const;
  llvm::Error read(void *Dst, uint64_t Bytes, uint64_t Offset = 0,
                   void *Stream = nullptr) const;
  /// Enqueued on Stream: Src/Dst must stay valid (and Dst unread) until the
  /// stream has done the copy (Context::synchronize).
  llvm::Error writeAsync(const void *Src, uint64_t Bytes, uint64_t Offset,
                         void *Stream) const;
  llvm::Error readAsync(void *Dst, uint64_t Bytes, uint64_t Offset,
                        void *Stream) const;

private:
  friend class Context;
  friend class Kernel;
  llvm::Error checkRange(uint64_t Bytes, uint64_t Offset) const;
  uint64_t Owner = 0;    ///< the id of the Context that made it
  Device *Dev = nullptr; ///< null on interp/sim
  DevicePtr Address = 0;
  uint64_t Size = 0;
  std::unique_ptr<DeviceBuffer> Owned; ///< owned GPU memory
  std::unique_ptr<uint8_t[]> Host;     ///< owned host memory
};

/// One argument of a launch, in parameter order: a scalar of a type or a
/// buffer (its first Count elements; by default all that fit in it).
struct Arg {
  static constexpr uint64_t WholeBuffer = ~0ull;
  Type Ty;                     ///< scalars: the type; invalid for buffers
  uint64_t Bits = 0;           ///< scalars, in the ValueInfo::Bits layout
  const Buffer *Buf = nullptr; ///< buffers
  uint64_t Count = WholeBuffer;

  static Arg scalar(Type Ty, uint64_t Bits) { return {Ty, Bits}; }
  static Arg i1(bool V) { return scalar(Type::i1(), V ? 1 : 0); }
  static Arg i8(int8_t V) {
    return scalar(Type::scalar(Scalar::I8), uint8_t(V));
  }
  static Arg i16(int16_t V) {
    return scalar(Type::scalar(Scalar::I16), uint16_t(V));
  }
  static Arg i32(int32_t V) { return scalar(Type::i32(), uint32_t(V)); }
  static Arg i64(int64_t V) { return scalar(Type::i64(), uint64_t(V)); }
  static Arg f32(float V);
  static Arg f64(double V);
  static Arg buffer(const Buffer &B, uint64_t Count = WholeBuffer) {
    Arg A;
    A.Buf = &B;
    A.Count = Count;
    return A;
  }
};

/// A value the entry returned: its type and bits (ValueInfo::Bits layout).
struct TypedValue {
  Type Ty;
  uint64_t Bits = 0;
  /// Integers sign-extended from their width; floats converted.
  int64_t asI64() const;
  /// Integers zero-extended (the bits); floats converted.
  uint64_t asU64() const;
  /// Floats as double; integers converted as signed.
  double asF64() const;
  float asF32() const { return float(asF64()); }
};

/// An entry function compiled for a context's device. Shared (KernelRef);
/// immutable; launch() may run on many threads at once. It may outlive the
/// Context that made it, not the Device.
class Kernel {
public:
  virtual ~Kernel();
  const std::string &entry() const { return Entry; }
  /// The cache key (Context::hash).
  const std::string &hash() const { return Key; }
  /// The entry's parameters: types and names ("" where unnamed).
  llvm::ArrayRef<Type> paramTypes() const { return ParamTypes; }
  llvm::ArrayRef<std::string> paramNames() const { return ParamNames; }
  llvm::ArrayRef<Type> resultTypes() const { return ResultTypes; }

  /// Runs the entry with Args (one per parameter, checked against the
  /// signature: a wrong count, kind, type, a buffer of another context or
  /// too small for Count is ErrorCode::InvalidArgument naming the
  /// parameter) on Stream (a CUstream; null: the default stream; ignored on
  /// interp/sim) and returns its results once they are on the host (the
  /// launch waits for Stream).
  llvm::Expected<std::vector<TypedValue>> launch(llvm::ArrayRef<Arg> Args,
                                                 void *Stream = nullptr) const;

  /// One resolved argument, for the backends.
  struct Bound {
    uint64_t Bits = 0;  ///< scalar
    DevicePtr Ptr = 0;  ///< buffer address
    uint64_t Count = 0; ///< buffer elements
  };

protected:
  Kernel(const Function &F, std::string Key, uint64_t Owner);
  /// The backend's run: Args checked, one per parameter.
  virtual llvm::Expected<std::vector<uint64_t>> run(llvm::ArrayRef<Bound> Args,
                                                    void *Stream) const = 0;

private:
  std::string Entry, Key;
  std::vector<Type> ParamTypes;
  std::vector<std::string> ParamNames;
  std::vector<Type> ResultTypes;
  uint64_t Owner; ///< the id of the Context whose buffers it takes
};

using KernelRef = std::shared_ptr<const Kernel>;

} // namespace ircgpu

#endif
