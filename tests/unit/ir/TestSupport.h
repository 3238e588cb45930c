//===- tests/unit/ir/TestSupport.h - shared helpers of the IR tests -------===//
//
// The spec's example texts (spec/vir.md §2 and §4) and the small helpers that
// several of the tests in tests/unit/ir/ need: parsing text into a module,
// the text of an error, the bits of a float, and modules built by hand.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_TESTS_UNIT_IR_TESTSUPPORT_H
#define IRCGPU_TESTS_UNIT_IR_TESTSUPPORT_H

#include "ircgpu/Builder.h"
#include "ircgpu/IR.h"
#include "ircgpu/Interpreter.h"
#include "ircgpu/Parser.h"

#include "llvm/Support/Error.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace ircgpu::test {

/// spec/vir.md §2, verbatim (with the spec's aligned '=').
inline constexpr const char *SpecSaxpyText =
    R"(func @saxpy(%n: i64, %a: f32, %x: ptr<f32> readonly, %y: ptr<f32>) {
  for %i = 0 to %n step 1 {
    %xi = load %x[%i]
    %yi = load %y[%i]
    %t  = fmul %a, %xi
    %r  = fadd %t, %yi
    store %y[%i], %r
  }
  ret
}
)";

/// spec/vir.md §4, verbatim (already in canonical form).
inline constexpr const char *SpecSumText =
    R"(func @sum(%n: i64, %x: ptr<f32> readonly) -> f32 {
  %s = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 0.0) {
    %v = load %x[%i]
    %a = fadd %acc, %v
    yield %a
  }
  ret %s
}
)";

inline constexpr Type I1 = Type::i1(), I8 = Type::scalar(Scalar::I8),
                      I16 = Type::scalar(Scalar::I16), I32 = Type::i32(),
                      I64 = Type::i64(), F32 = Type::f32(), F64 = Type::f64();

/// The bits of a float, as an interpreter slot or a literal holds them.
inline uint64_t f32b(float F) { return std::bit_cast<uint32_t>(F); }
inline uint64_t f64b(double D) { return std::bit_cast<uint64_t>(D); }

/// The message of E.
inline std::string errText(llvm::Error E) {
  return llvm::toString(std::move(E));
}
/// The message of V's error, or "<no error>".
template <typename T> std::string errText(llvm::Expected<T> &&V) {
  return V ? std::string("<no error>") : llvm::toString(V.takeError());
}

/// Parses Src; on an error, a test failure naming the error and the text, and
/// null.
inline std::unique_ptr<Module> parseOk(llvm::StringRef Src) {
  auto M = parseModule(Src);
  if (!M) {
    ADD_FAILURE() << llvm::toString(M.takeError()) << "\nin:\n" << Src.str();
    return nullptr;
  }
  return std::move(*M);
}

/// Declares `func @Name(%c: i1)` in M with an empty body, then nests Depth
/// `if %c { ... } else { }` by hand (the Builder stops at MaxNestingDepth).
inline Function *
buildNestedIfs(Module &M, llvm::StringRef Name, unsigned Depth,
               llvm::ArrayRef<llvm::StringRef> ParamNames = {}) {
  Builder B(M);
  Function *F =
      llvm::cantFail(B.declareFunction(Name, {Type::i1()}, {}, {}, ParamNames));
  llvm::cantFail(B.beginBody(*F));
  llvm::cantFail(B.finishBody({}));
  Op If;
  If.Code = Opcode::If;
  If.Operands.push_back(F->Params[0]);
  If.Regions.resize(2);
  Region *R = &F->Body;
  for (unsigned I = 0; I < Depth; ++I) {
    R->Ops.insert(R->Ops.begin(), If);
    R = &R->Ops.front().Regions[0];
  }
  return F;
}

/// What one interpreter run produced.
struct Outcome {
  std::string Error;
  std::vector<uint64_t> Results;
  std::vector<std::vector<uint8_t>> Buffers;
};

/// Runs Entry of M: scalar parameters take Scalars in order, buffer
/// parameters get Count elements of pseudo-random bytes from Seed (or zeros).
inline Outcome run(const Module &M, llvm::StringRef Entry,
                   std::vector<uint64_t> Scalars, uint64_t Count = 16,
                   uint32_t Seed = 1, bool Zero = false) {
  Outcome Out;
  auto I = Interpreter::create(M, Entry);
  if (!I) {
    Out.Error = "create: " + llvm::toString(I.takeError());
    return Out;
  }
  const Function &F = *M.lookup(Entry);
  std::mt19937 Rng(Seed);
  std::vector<InterpArg> Args;
  size_t NextScalar = 0;
  Out.Buffers.reserve(F.Params.size());
  for (Value P : F.Params) {
    Type T = F.type(P);
    if (T.isPtr()) {
      Out.Buffers.emplace_back(Count * T.bytes());
      for (uint8_t &B : Out.Buffers.back())
        B = Zero ? 0 : static_cast<uint8_t>(Rng());
      Args.push_back(InterpArg::buffer(Out.Buffers.back().data(), Count));
    } else {
      Args.push_back(InterpArg::scalar(
          NextScalar < Scalars.size() ? Scalars[NextScalar++] : 0));
    }
  }
  auto R = (*I)->run(Args);
  if (!R)
    Out.Error = llvm::toString(R.takeError());
  else
    Out.Results = *R;
  return Out;
}

/// Same error, results and buffers (bit for bit) for Src before a pass and
/// After it, on each input (scalars in order; buffers from seeds 7, 8, ...).
inline void expectSameRuns(llvm::StringRef Src, const Module &After,
                           llvm::StringRef Entry,
                           std::vector<std::vector<uint64_t>> Inputs,
                           uint64_t Count = 16) {
  auto Before = parseAndVerify(Src);
  ASSERT_TRUE(!!Before) << llvm::toString(Before.takeError());
  uint32_t Seed = 7;
  for (auto &In : Inputs) {
    Outcome A = run(**Before, Entry, In, Count, Seed);
    Outcome B = run(After, Entry, In, Count, Seed);
    EXPECT_EQ(A.Error, B.Error);
    EXPECT_EQ(A.Results, B.Results);
    EXPECT_EQ(A.Buffers, B.Buffers);
    ++Seed;
  }
}

} // namespace ircgpu::test

#endif // IRCGPU_TESTS_UNIT_IR_TESTSUPPORT_H
