//===- tests/unit/api/ConcurrencyTest.cpp - many VM threads at once ------===//
//
// Threads compile (sync and async) and launch the same module and modules of
// their own on one context at once, each checking its results; the shared
// module is compiled once however many threads ask for it.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Context.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace ircgpu;

namespace {

/// y[i] = x[i] * K + i over n elements; returns n.
std::string scaleModule(int K) {
  return "func @scale(%n: i64, %x: ptr<i64> readonly, %y: ptr<i64>) -> i64 "
         "{\n"
         "  for %i = 0 to %n step 1 {\n"
         "    %v = load %x[%i]\n"
         "    %m = mul %v, " +
         std::to_string(K) +
         "\n"
         "    %r = add %m, %i\n"
         "    store %y[%i], %r\n"
         "  }\n"
         "  ret %n\n"
         "}\n";
}

class Concurrency : public ::testing::TestWithParam<const char *> {};

TEST_P(Concurrency, ThreadsCompileAndLaunch) {
  auto C = llvm::cantFail(Context::create(GetParam()));
  auto Shared = llvm::cantFail(Context::parse(scaleModule(3)));
  constexpr int Threads = 8, Rounds = 6;
  std::atomic<int> Failures{0};
  auto Fail = [&](const std::string &Why) {
    ++Failures;
    ADD_FAILURE() << Why;
  };
  std::vector<std::thread> Pool;
  for (int T = 0; T < Threads; ++T)
    Pool.emplace_back([&, T] {
      // Modules of this thread's own: K = 100 + T (one per thread), parsed
      // anew each round (the same key: compiled once).
      for (int R = 0; R < Rounds; ++R) {
        bool Own = (R + T) % 2;
        int K = Own ? 100 + T : 3;
        auto M = Own ? llvm::cantFail(Context::parse(scaleModule(K))) : Shared;
        llvm::Expected<KernelRef> Kern = R % 3 == 0
                                             ? C->compileAsync(M, "scale").get()
                                             : C->compile(M, "scale");
        if (!Kern)
          return Fail(llvm::toString(Kern.takeError()));
        const int64_t N = 257 + T;
        std::vector<int64_t> X(N);
        for (int64_t I = 0; I < N; ++I)
          X[I] = I * (T + 1) - R;
        auto BX = C->alloc(N * 8), BY = C->alloc(N * 8);
        if (!BX || !BY)
          return Fail("alloc failed");
        if (llvm::Error E = BX->write(X.data(), N * 8))
          return Fail(llvm::toString(std::move(E)));
        auto Res =
            (*Kern)->launch({Arg::i64(N), Arg::buffer(*BX), Arg::buffer(*BY)});
        if (!Res)
          return Fail(llvm::toString(Res.takeError()));
        if (Res->size() != 1 || (*Res)[0].asI64() != N)
          return Fail("wrong returned value");
        std::vector<int64_t> Y(N);
        if (llvm::Error E = BY->read(Y.data(), N * 8))
          return Fail(llvm::toString(std::move(E)));
        for (int64_t I = 0; I < N; ++I)
          if (Y[I] != X[I] * K + I)
            return Fail("thread " + std::to_string(T) + " round " +
                        std::to_string(R) + ": y[" + std::to_string(I) +
                        "] = " + std::to_string(Y[I]));
      }
    });
  for (std::thread &Th : Pool)
    Th.join();
  EXPECT_EQ(Failures.load(), 0);
  // One kernel per distinct module: the shared one and one per thread.
  ContextStats S = C->stats();
  EXPECT_EQ(S.Compiles, uint64_t(Threads + 1));
}

INSTANTIATE_TEST_SUITE_P(Api, Concurrency, ::testing::Values("interp", "sim"));

} // namespace
