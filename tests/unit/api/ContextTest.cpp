//===- tests/unit/api/ContextTest.cpp - the embedding API (Context.h) ----===//
//
// The C++ embedding API on the CPU devices (interp, sim) and, for the GPU
// path (plan, code through the module cache, load, launch), on FakeDevice.
//
//===----------------------------------------------------------------------===//
#include "../runtime/FakeDevice.h"

#include "ircgpu/Builder.h"
#include "ircgpu/Context.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

using namespace ircgpu;
using llvm::StringRef;

namespace {

constexpr const char *Saxpy = R"(
func @saxpy(%n: i64, %a: f32, %x: ptr<f32> readonly, %y: ptr<f32>) {
  for %i = 0 to %n step 1 {
    %xi = load %x[%i]
    %yi = load %y[%i]
    %t  = fmul %a, %xi
    %r  = fadd %t, %yi
    store %y[%i], %r
  }
  ret
}
func @sum(%n: i64, %x: ptr<f32> readonly) -> (f32, i64) {
  %s = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 0.0) {
    %v = load %x[%i]
    %a = fadd %acc, %v
    yield %a
  }
  ret %s, %n
}
func @prefix(%n: i64, %x: ptr<f32>) {
  for %i = 1 to %n step 1 {
    %j = sub %i, 1
    %p = load %x[%j]
    %v = load %x[%i]
    %s = fadd %p, %v
    store %x[%i], %s
  }
  ret
}
)";

template <typename T> T ok(llvm::Expected<T> V) {
  if (!V) {
    ADD_FAILURE() << llvm::toString(V.takeError());
    std::abort();
  }
  return std::move(*V);
}

/// The code and message of a failed call.
template <typename T>
std::pair<ErrorCode, std::string> err(llvm::Expected<T> V) {
  EXPECT_FALSE(bool(V)) << "expected an error";
  if (V)
    return {ErrorCode::Compile, ""};
  std::string Msg;
  ErrorCode C = takeErrorCode(V.takeError(), Msg);
  return {C, Msg};
}

std::unique_ptr<Context> ctx(StringRef Spec) {
  return ok(Context::create(Spec));
}

std::vector<float> iota(size_t N) {
  std::vector<float> V(N);
  for (size_t I = 0; I < N; ++I)
    V[I] = float(I);
  return V;
}

void runSaxpy(Context &C, const KernelRef &K) {
  const size_t N = 1000;
  std::vector<float> X = iota(N), Y(N, 1.0f);
  Buffer BX = ok(C.alloc(N * 4)), BY = ok(C.alloc(N * 4));
  ASSERT_FALSE(bool(BX.write(X.data(), N * 4)));
  ASSERT_FALSE(bool(BY.write(Y.data(), N * 4)));
  auto R = ok(K->launch(
      {Arg::i64(N), Arg::f32(2.0f), Arg::buffer(BX), Arg::buffer(BY)}));
  EXPECT_TRUE(R.empty());
  ASSERT_FALSE(bool(BY.read(Y.data(), N * 4)));
  for (size_t I = 0; I < N; ++I)
    ASSERT_EQ(Y[I], 2.0f * float(I) + 1.0f) << I;
}

class HostContext : public ::testing::TestWithParam<const char *> {};

TEST_P(HostContext, CompileLaunchAndResults) {
  auto C = ctx(GetParam());
  EXPECT_EQ(C->deviceName(), GetParam());
  EXPECT_TRUE(C->isHost());
  EXPECT_EQ(C->device(), nullptr);
  auto M = ok(Context::parse(Saxpy));
  KernelRef K = ok(C->compile(M, "saxpy"));
  EXPECT_EQ(K->entry(), "saxpy");
  ASSERT_EQ(K->paramTypes().size(), 4u);
  EXPECT_EQ(K->paramTypes()[2], Type::ptr(Scalar::F32));
  EXPECT_EQ(K->paramNames()[1], "a");
  runSaxpy(*C, K);

  KernelRef S = ok(C->compile(M, "sum"));
  std::vector<float> X = iota(100);
  Buffer BX = ok(C->alloc(400));
  ASSERT_FALSE(bool(BX.write(X.data(), 400)));
  auto R = ok(S->launch({Arg::i64(100), Arg::buffer(BX)}));
  ASSERT_EQ(R.size(), 2u);
  EXPECT_EQ(R[0].Ty, Type::f32());
  EXPECT_EQ(R[0].asF32(), 4950.0f);
  EXPECT_EQ(R[1].asI64(), 100);
  // A prefix of the buffer only.
  R = ok(S->launch({Arg::i64(10), Arg::buffer(BX, 10)}));
  EXPECT_EQ(R[0].asF64(), 45.0);
}

TEST_P(HostContext, AsyncCompileAndLookup) {
  auto C = ctx(GetParam());
  auto M = ok(Context::parse(Saxpy));
  // Nothing compiled yet: lookups miss and never compile.
  EXPECT_EQ(ok(C->lookup(M, "saxpy")), nullptr);
  std::string Key = ok(C->hash(*M, "saxpy"));
  EXPECT_EQ(Key.size(), 64u);
  EXPECT_EQ(C->lookup(Key), nullptr);
  EXPECT_EQ(C->stats().Compiles, 0u);

  CompileJob J = C->compileAsync(M, "saxpy");
  J.wait();
  EXPECT_TRUE(J.ready());
  KernelRef K = ok(J.get());
  EXPECT_EQ(K->hash(), Key);
  EXPECT_EQ(ok(J.get()), K); // get() again: the same kernel
  EXPECT_EQ(C->lookup(Key), K);
  EXPECT_EQ(ok(C->lookup(M, "saxpy")), K);
  EXPECT_EQ(ok(C->compile(M, "saxpy")), K); // from the table
  EXPECT_EQ(C->stats().Compiles, 1u);
  runSaxpy(*C, K);

  // Other options are another key, another kernel.
  KernelOptions O;
  O.AllowSequential = true;
  EXPECT_NE(ok(C->hash(*M, "saxpy", O)), Key);
  EXPECT_EQ(ok(C->lookup(M, "saxpy", O)), nullptr);

  // An async failure: get() gives the error, each time.
  CompileJob Bad = C->compileAsync(M, "prefix");
  EXPECT_EQ(err(Bad.get()).first, ErrorCode::NotOffloadable);
  EXPECT_EQ(err(Bad.get()).first, ErrorCode::NotOffloadable);
}

TEST_P(HostContext, ArgumentsAreCheckedByName) {
  auto C = ctx(GetParam());
  auto M = ok(Context::parse(Saxpy));
  KernelRef K = ok(C->compile(M, "saxpy"));
  Buffer X = ok(C->alloc(40)), Y = ok(C->alloc(40));
  auto E = err(K->launch({Arg::i64(10), Arg::f32(1), Arg::buffer(X)}));
  EXPECT_EQ(E.first, ErrorCode::InvalidArgument);
  EXPECT_EQ(E.second, "@saxpy takes 4 arguments, 3 given");
  E = err(
      K->launch({Arg::i64(10), Arg::f64(1), Arg::buffer(X), Arg::buffer(Y)}));
  EXPECT_EQ(E.first, ErrorCode::InvalidArgument);
  EXPECT_EQ(E.second, "@saxpy argument 1 (%a): expected a scalar of type "
                      "f32, got a scalar of type f64");
  E = err(
      K->launch({Arg::buffer(X), Arg::f32(1), Arg::buffer(X), Arg::buffer(Y)}));
  EXPECT_EQ(E.second, "@saxpy argument 0 (%n): expected a scalar of type "
                      "i64, got a buffer");
  E = err(K->launch({Arg::i64(10), Arg::f32(1), Arg::i64(0), Arg::buffer(Y)}));
  EXPECT_EQ(E.second, "@saxpy argument 2 (%x): expected a buffer of f32, "
                      "got a scalar of type i64");
  E = err(K->launch(
      {Arg::i64(10), Arg::f32(1), Arg::buffer(X, 11), Arg::buffer(Y)}));
  EXPECT_EQ(E.second, "@saxpy argument 2 (%x): 11 elements of f32 do not "
                      "fit in a buffer of 40 bytes");
  auto Other = ctx(GetParam());
  Buffer Foreign = ok(Other->alloc(40));
  E = err(K->launch(
      {Arg::i64(10), Arg::f32(1), Arg::buffer(Foreign), Arg::buffer(Y)}));
  EXPECT_EQ(E.second,
            "@saxpy argument 2 (%x): the buffer belongs to another context");
  // n larger than the buffers: the interpreter's (and simulator's) bounds
  // check is a runtime error of the launch.
  E = err(
      K->launch({Arg::i64(11), Arg::f32(1), Arg::buffer(X), Arg::buffer(Y)}));
  EXPECT_EQ(E.first, ErrorCode::Runtime);
  EXPECT_NE(E.second.find("@saxpy: "), std::string::npos) << E.second;
}

TEST_P(HostContext, WrappedMemoryAndRanges) {
  auto C = ctx(GetParam());
  auto M = ok(Context::parse(Saxpy));
  KernelRef K = ok(C->compile(M, "saxpy"));
  std::vector<float> X = iota(8), Y(8, 0.5f);
  Buffer BX = C->wrap(DevicePtr(uintptr_t(X.data())), 32);
  Buffer BY = C->wrap(DevicePtr(uintptr_t(Y.data())), 32);
  EXPECT_FALSE(BX.isOwned());
  EXPECT_EQ(BX.hostData(), X.data());
  ok(K->launch({Arg::i64(8), Arg::f32(3), Arg::buffer(BX), Arg::buffer(BY)}));
  for (int I = 0; I < 8; ++I)
    EXPECT_EQ(Y[I], 3.0f * float(I) + 0.5f);

  float F[4] = {0};
  EXPECT_FALSE(bool(BX.read(F, 8, 24)));
  EXPECT_EQ(F[0], 6.0f);
  EXPECT_EQ(F[1], 7.0f);
  std::string Msg;
  EXPECT_EQ(takeErrorCode(BX.read(F, 16, 24), Msg), ErrorCode::InvalidArgument);
  EXPECT_EQ(Msg, "copy of 16 bytes at offset 24 is outside the buffer of 32 "
                 "bytes");
  Buffer Empty = ok(C->alloc(0));
  EXPECT_EQ(Empty.size(), 0u);
  EXPECT_EQ(Empty.address(), 0u);
  EXPECT_FALSE(bool(Empty.write(F, 0)));
}

TEST_P(HostContext, ErrorsHaveCodes) {
  auto C = ctx(GetParam());
  auto P = err(
      Context::parse("func @f() {\n  %x = fadd 1, 2\n  ret\n}\n", "bad.vir"));
  EXPECT_EQ(P.first, ErrorCode::InvalidIR);
  EXPECT_EQ(P.second.rfind("bad.vir:2:", 0), 0u) << P.second;
  auto M = ok(Context::parse(Saxpy));
  auto E = err(C->compile(M, "nosuch"));
  EXPECT_EQ(E.first, ErrorCode::InvalidIR);
  EXPECT_EQ(E.second, "no function @nosuch in the module");
  E = err(C->compile(M, "prefix"));
  EXPECT_EQ(E.first, ErrorCode::NotOffloadable) << E.second;
  KernelOptions Seq;
  Seq.AllowSequential = true;
  KernelRef K = ok(C->compile(M, "prefix", Seq));
  std::vector<float> X(5, 1.0f);
  Buffer B = C->wrap(DevicePtr(uintptr_t(X.data())), 20);
  ok(K->launch({Arg::i64(5), Arg::buffer(B)}));
  EXPECT_EQ(X[4], 5.0f);
  KernelOptions O3;
  O3.OptLevel = 7;
  EXPECT_EQ(err(C->compile(M, "saxpy", O3)).first, ErrorCode::InvalidArgument);
  EXPECT_EQ(err(C->compile(nullptr, "saxpy")).first,
            ErrorCode::InvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Api, HostContext, ::testing::Values("interp", "sim"));

TEST(ApiContext, Specs) {
  auto E = err(Context::create("tpu"));
  EXPECT_EQ(E.first, ErrorCode::InvalidArgument);
  EXPECT_NE(E.second.find("unknown device 'tpu'"), std::string::npos);
  // No GPU with ordinal 63 on any machine this runs on.
  EXPECT_EQ(err(Context::create("cuda:63")).first, ErrorCode::Device);
  // auto always gives a context: a GPU, or the interpreter.
  auto A = ctx("auto");
  EXPECT_FALSE(A->deviceName().empty());
}

TEST(ApiContext, BuilderModule) {
  // A VM builds VIR in memory: @twice(%x: i64) -> i64.
  auto M = std::make_shared<Module>();
  Builder B(*M);
  Function *F = llvm::cantFail(
      B.declareFunction("twice", {Type::i64()}, {}, {Type::i64()}, {"x"}));
  llvm::cantFail(B.beginBody(*F));
  Value R = llvm::cantFail(B.create1(Opcode::Add, {B.param(0), B.param(0)}));
  llvm::cantFail(B.finishBody({R}));
  auto C = ctx("interp");
  KernelRef K = ok(C->compile(M, "twice"));
  auto Res = ok(K->launch({Arg::i64(-21)}));
  ASSERT_EQ(Res.size(), 1u);
  EXPECT_EQ(Res[0].asI64(), -42);
}

TEST(ApiContext, TypedValues) {
  EXPECT_EQ((TypedValue{Type::i32(), 0xFFFFFFFBu}).asI64(), -5);
  EXPECT_EQ((TypedValue{Type::i32(), 0xFFFFFFFBu}).asU64(), 0xFFFFFFFBu);
  EXPECT_EQ((TypedValue{Type::i1(), 1}).asI64(), 1);
  EXPECT_EQ((TypedValue{Type::scalar(Scalar::I8), 0x80}).asI64(), -128);
  EXPECT_EQ(Arg::f64(1.5).Bits, 0x3FF8000000000000u);
  EXPECT_EQ((TypedValue{Type::f64(), 0x3FF8000000000000u}).asF64(), 1.5);
}

TEST(ApiContext, GpuPathOnAFakeDevice) {
  test::FakeDevice Dev;
  Dev.AnyKernel = true;
  // A module no earlier run has compiled: the module cache (on disk too)
  // must miss at first.
  auto Now = std::chrono::steady_clock::now().time_since_epoch().count();
  std::string Src = "func @fill(%n: i64, %y: ptr<i64>) {\n"
                    "  for %i = 0 to %n step 1 {\n"
                    "    %v = add %i, " +
                    std::to_string(Now % 1000000007) +
                    "\n"
                    "    store %y[%i], %v\n  }\n  ret\n}\n";
  auto M = ok(Context::parse(Src));
  auto C = Context::createOn(Dev);
  EXPECT_FALSE(C->isHost());
  EXPECT_EQ(C->device(), &Dev);
  EXPECT_EQ(ok(C->lookup(M, "fill")), nullptr);
  KernelRef K = ok(C->compileAsync(M, "fill").get());
  Buffer Y = ok(C->alloc(8 * 64));
  EXPECT_TRUE(Y.isOwned());
  EXPECT_EQ(Y.hostData(), nullptr);
  unsigned Before = Dev.Launches;
  ok(K->launch({Arg::i64(64), Arg::buffer(Y)}));
  EXPECT_GT(Dev.Launches, Before);
  // A second context on the device finds the code in the module cache: a
  // load, not a compile.
  auto C2 = Context::createOn(Dev);
  KernelRef K2 = ok(C2->lookup(M, "fill"));
  ASSERT_NE(K2, nullptr);
  EXPECT_EQ(K2->hash(), K->hash());
  EXPECT_EQ(C2->stats().CacheLoads, 1u);
  EXPECT_EQ(C2->stats().Compiles, 0u);
  // Its buffers are not the first context's.
  auto E = err(K2->launch({Arg::i64(64), Arg::buffer(Y)}));
  EXPECT_EQ(E.first, ErrorCode::InvalidArgument);
}

} // namespace
