//===- interp_bench.cpp - reference interpreter throughput ----------------===//
//
// VIR ops per second of the interpreter on three loop shapes: memory-bound
// (saxpy), a loop-carried float reduction (sum) and integer arithmetic.
// The spec requires at least 20 M ops/s on one core.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Builder.h"
#include "ircgpu/Interpreter.h"
#include "ircgpu/Verifier.h"

#include <benchmark/benchmark.h>

#include <bit>
#include <cstdio>
#include <cstdlib>

using namespace ircgpu;

namespace {

template <typename T> T ok(llvm::Expected<T> V) {
  if (!V) {
    std::fprintf(stderr, "%s\n", llvm::toString(V.takeError()).c_str());
    std::abort();
  }
  return std::move(*V);
}
void ok(llvm::Error E) {
  if (E) {
    std::fprintf(stderr, "%s\n", llvm::toString(std::move(E)).c_str());
    std::abort();
  }
}

constexpr int64_t N = 1 << 20;

/// Runs Entry of M with Args until the benchmark stops and reports the rate.
void runLoop(benchmark::State &State, Module &M, llvm::StringRef Entry,
             std::vector<InterpArg> Args) {
  ok(verifyModule(M));
  auto I = ok(Interpreter::create(M, Entry));
  uint64_t Ops = 0;
  for (auto _ : State) {
    auto R = ok(I->run(Args));
    benchmark::DoNotOptimize(R);
    Ops += I->opsExecuted();
  }
  State.counters["vir_ops_per_s"] =
      benchmark::Counter(double(Ops), benchmark::Counter::kIsRate);
}

void BM_Saxpy(benchmark::State &State) {
  Module M;
  Builder B(M);
  Type PF = Type::ptr(Scalar::F32);
  Function *F =
      ok(B.declareFunction("saxpy", {Type::i64(), Type::f32(), PF, PF},
                           {0, 0, AttrReadOnly, 0}, {}, {"n", "a", "x", "y"}));
  ok(B.beginBody(*F));
  auto A = ok(B.beginFor(B.intLiteral(Type::i64(), 0), B.param(0),
                         B.intLiteral(Type::i64(), 1), {}, {}));
  Value Xi = ok(B.create1(Opcode::Load, {B.param(2), A[0]}));
  Value Yi = ok(B.create1(Opcode::Load, {B.param(3), A[0]}));
  Value T = ok(B.create1(Opcode::FMul, {B.param(1), Xi}));
  Value R = ok(B.create1(Opcode::FAdd, {T, Yi}));
  ok(B.create(Opcode::Store, {B.param(3), A[0], R}));
  ok(B.endFor({}));
  ok(B.finishBody({}));
  std::vector<float> X(N, 1.0f), Y(N, 2.0f);
  runLoop(State, M, "saxpy",
          {InterpArg::scalar(N),
           InterpArg::scalar(std::bit_cast<uint32_t>(0.5f)),
           InterpArg::buffer(X.data(), N), InterpArg::buffer(Y.data(), N)});
}
BENCHMARK(BM_Saxpy)->Unit(benchmark::kMillisecond);

void BM_Sum(benchmark::State &State) {
  Module M;
  Builder B(M);
  Function *F =
      ok(B.declareFunction("sum", {Type::i64(), Type::ptr(Scalar::F32)},
                           {0, AttrReadOnly}, {Type::f32()}, {"n", "x"}));
  ok(B.beginBody(*F));
  auto A = ok(B.beginFor(B.intLiteral(Type::i64(), 0), B.param(0),
                         B.intLiteral(Type::i64(), 1),
                         {B.floatLiteral(Type::f32(), 0.0)}, {Type::f32()},
                         FlagParallel | FlagReassoc));
  Value V = ok(B.create1(Opcode::Load, {B.param(1), A[0]}));
  auto S = ok(B.endFor({ok(B.create1(Opcode::FAdd, {A[1], V}))}));
  ok(B.finishBody({S[0]}));
  std::vector<float> X(N, 0.25f);
  runLoop(State, M, "sum",
          {InterpArg::scalar(N), InterpArg::buffer(X.data(), N)});
}
BENCHMARK(BM_Sum)->Unit(benchmark::kMillisecond);

void BM_IntArith(benchmark::State &State) {
  // An FNV-style hash of the index with a data-dependent select.
  Module M;
  Builder B(M);
  Type I64 = Type::i64();
  Function *F = ok(B.declareFunction("hash", {I64}, {}, {I64}, {"n"}));
  ok(B.beginBody(*F));
  auto A = ok(B.beginFor(B.intLiteral(I64, 0), B.param(0), B.intLiteral(I64, 1),
                         {B.intLiteral(I64, 0x811c9dc5)}, {I64}));
  Value X = ok(B.create1(Opcode::Xor, {A[1], A[0]}));
  Value Mu = ok(B.create1(Opcode::Mul, {X, B.intLiteral(I64, 0x100000001b3)}));
  Value Sh = ok(B.create1(Opcode::LShr, {Mu, B.intLiteral(I64, 29)}));
  Value Mx = ok(B.create1(Opcode::Xor, {Mu, Sh}));
  OpAttrs Slt;
  Slt.Sub = uint8_t(ICmpPred::SLT);
  Value Neg = ok(B.create1(Opcode::ICmp, {Mx, B.intLiteral(I64, 0)}, Slt));
  Value Ad = ok(B.create1(Opcode::Add, {Mx, B.intLiteral(I64, 12345)}));
  Value Sel = ok(B.create1(Opcode::Select, {Neg, Ad, Mx}));
  auto R = ok(B.endFor({Sel}));
  ok(B.finishBody({R[0]}));
  runLoop(State, M, "hash", {InterpArg::scalar(N)});
}
BENCHMARK(BM_IntArith)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
