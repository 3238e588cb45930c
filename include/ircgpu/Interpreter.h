//===- ircgpu/Interpreter.h - the reference interpreter ---------*- C++ -*-===//
//
// The executable definition of VIR's semantics and the ground truth every GPU
// result is compared with. An entry function is translated once into a flat
// register bytecode, then run any number of times on host buffers and scalars.
// Loops run in iteration order, also `parallel` ones, so reductions combine
// left to right; atomics apply in program order. Every load and store is
// bounds-checked.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_INTERPRETER_H
#define IRCGPU_INTERPRETER_H

#include "ircgpu/IR.h"

#include "llvm/Support/Error.h"

#include <memory>

namespace ircgpu {

/// One argument of an entry function: scalar bits (ValueInfo::Bits layout) or
/// a host buffer of Count elements of the parameter's element type.
struct InterpArg {
  uint64_t Bits = 0;
  void *Data = nullptr;
  uint64_t Count = 0;
  static InterpArg scalar(uint64_t Bits) { return {Bits, nullptr, 0}; }
  static InterpArg buffer(void *Data, uint64_t Count) {
    return {0, Data, Count};
  }
};

class Interpreter {
public:
  /// Translates Entry and the functions it calls. M must be verified and must
  /// outlive the interpreter.
  static llvm::Expected<std::unique_ptr<Interpreter>>
  create(const Module &M, llvm::StringRef Entry);
  virtual ~Interpreter();

  /// Runs the entry function; returns its results (ValueInfo::Bits layout).
  /// An argument count or kind mismatch is a BuildError-free llvm::StringError;
  /// an out-of-bounds access is a RuntimeError naming the function, the buffer
  /// parameter and the index.
  virtual llvm::Expected<std::vector<uint64_t>>
  run(llvm::ArrayRef<InterpArg> Args) = 0;

  /// VIR ops executed by the last run (for the benchmark's ops/second).
  virtual uint64_t opsExecuted() const = 0;

protected:
  Interpreter() = default;
};

} // namespace ircgpu

#endif
