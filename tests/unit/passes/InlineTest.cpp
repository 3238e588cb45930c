//===- InlineTest.cpp - inlineCalls ---------------------------------------===//
//
// Each test parses a module, inlines the calls of one function, verifies the
// module, checks the printed text (which must parse back to the same text) and
// runs the interpreter on the original and the inlined module with the same
// inputs: results and buffers must agree bit for bit.
//
//===----------------------------------------------------------------------===//
#include "passes/Inline.h"

#include "ircgpu/Interpreter.h"
#include "ircgpu/Parser.h"
#include "ircgpu/Printer.h"
#include "ircgpu/Verifier.h"

#include "../ir/TestSupport.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

/// Parses Src, inlines the calls of @Entry, verifies and checks that the
/// printed module parses back to the same text. Returns the inlined module.
std::unique_ptr<Module> inlined(llvm::StringRef Src, llvm::StringRef Entry) {
  auto M = parseAndVerify(Src);
  if (!M) {
    ADD_FAILURE() << llvm::toString(M.takeError()) << "\nin:\n" << Src.str();
    return nullptr;
  }
  Function *F = (*M)->lookup(Entry);
  EXPECT_NE(F, nullptr);
  if (!F)
    return nullptr;
  inlineCalls(**M, *F);
  if (llvm::Error E = verifyModule(**M)) {
    ADD_FAILURE() << llvm::toString(std::move(E)) << "\nafter inlining:\n"
                  << printModule(**M);
    return nullptr;
  }
  std::string Text = printModule(**M);
  auto Again = parseAndVerify(Text);
  if (!Again) {
    ADD_FAILURE() << llvm::toString(Again.takeError()) << "\nin:\n" << Text;
    return nullptr;
  }
  EXPECT_EQ(printModule(**Again), Text);
  return std::move(*M);
}

/// The printed text of function Name of M.
std::string printed(const Module &M, llvm::StringRef Name) {
  // Print the whole module and cut out the function: functions are separated
  // by one blank line.
  std::string All = printModule(M);
  size_t At = All.find("func @" + Name.str() + "(");
  if (At == std::string::npos)
    return "";
  size_t End = All.find("\n\n", At);
  return All.substr(At, End == std::string::npos ? std::string::npos
                                                 : End + 1 - At);
}

bool hasCall(const Function &F) {
  bool Found = false;
  F.walk([&](const Op &O) { Found |= O.Code == Opcode::Call; });
  return Found;
}

TEST(Inline, SimpleCall) {
  const char *Src = R"(func @sq(%v: f32) -> f32 {
  %m = fmul %v, %v
  ret %m
}

func @f(%a: f32, %b: f32) -> f32 {
  %s = call @sq(%a)
  %r = fadd %s, %b
  ret %r
}
)";
  auto M = inlined(Src, "f");
  ASSERT_TRUE(M);
  EXPECT_EQ(printed(*M, "f"), R"(func @f(%a: f32, %b: f32) -> f32 {
  %m = fmul %a, %a
  %r = fadd %m, %b
  ret %r
}
)");
  // The callee is not changed.
  EXPECT_EQ(printed(*M, "sq"), R"(func @sq(%v: f32) -> f32 {
  %m = fmul %v, %v
  ret %m
}
)");
  expectSameRuns(Src, *M, "f",
                 {{f32b(3), f32b(0.5)}, {f32b(-0.0f), f32b(-0.0f)}});
}

TEST(Inline, TransitiveCallsInNestedRegions) {
  const char *Src = R"(func @h(%x: i32) -> i32 {
  %y = mul %x, 3
  ret %y
}

func @g(%x: i32, %c: i1) -> i32 {
  %r = if %c -> i32 {
    %t = call @h(%x)
    yield %t
  } else {
    %u = add %x, 1
    yield %u
  }
  ret %r
}

func @f(%n: i64, %out: ptr<i32>) {
  for %i = 0 to %n step 1 {
    %k = trunc %i to i32
    %b = icmp slt %k, 5
    %v = call @g(%k, %b)
    %w = call @h(%v)
    store %out[%i], %w
  }
  ret
}
)";
  auto M = inlined(Src, "f");
  ASSERT_TRUE(M);
  EXPECT_FALSE(hasCall(*M->lookup("f")));
  EXPECT_TRUE(hasCall(*M->lookup("g"))); // other functions unchanged
  // @h is inlined twice: the second copy of %y gets a fresh name.
  EXPECT_EQ(printed(*M, "f"), R"(func @f(%n: i64, %out: ptr<i32>) {
  for %i = 0 to %n step 1 {
    %k = trunc %i to i32
    %b = icmp slt %k, 5
    %r = if %b -> i32 {
      %y = mul %k, 3
      yield %y
    } else {
      %u = add %k, 1
      yield %u
    }
    %0 = mul %r, 3
    store %out[%i], %0
  }
  ret
}
)");
  expectSameRuns(Src, *M, "f", {{10}, {0}, {16}});
}

TEST(Inline, LiteralArgumentsAndResultsBecomeConsts) {
  // Substituting the literal 2.0 for %a would make `fmul 2.0, 2.0`.
  const char *Src = R"(func @g(%a: f32, %b: f32) -> (f32, i32) {
  %m = fmul %a, %a
  %s = fadd %m, %b
  ret %s, 7
}

func @f(%x: f32) -> (f32, i32) {
  %r, %k = call @g(2.0, %x)
  %k2 = add %k, %k
  ret %r, %k2
}
)";
  auto M = inlined(Src, "f");
  ASSERT_TRUE(M);
  EXPECT_EQ(printed(*M, "f"), R"(func @f(%x: f32) -> (f32, i32) {
  %0 = const 2.0 : f32
  %m = fmul %0, %0
  %s = fadd %m, %x
  %1 = const 7 : i32
  %k2 = add %1, %1
  ret %s, %k2
}
)");
  expectSameRuns(Src, *M, "f", {{f32b(1.5f)}, {f32b(NAN)}});
}

TEST(Inline, ResultOfCallThatReturnsACallResult) {
  const char *Src = R"(func @c(%x: i64) -> i64 {
  %y = xor %x, 255
  ret %y
}

func @b(%x: i64) -> i64 {
  %y = call @c(%x)
  ret %y
}

func @a(%x: i64) -> i64 {
  %y = call @b(%x)
  ret %y
}

func @f(%x: i64) -> (i64, i64) {
  %p = call @a(%x)
  %q = call @b(%p)
  ret %p, %q
}
)";
  auto M = inlined(Src, "f");
  ASSERT_TRUE(M);
  // Every %y after the first (a call, now gone) loses its name.
  EXPECT_EQ(printed(*M, "f"), R"(func @f(%x: i64) -> (i64, i64) {
  %0 = xor %x, 255
  %1 = xor %0, 255
  ret %0, %1
}
)");
  expectSameRuns(Src, *M, "f", {{0}, {~0ull}, {12345}});
}

TEST(Inline, ParamPassedThroughAndPointerArguments) {
  const char *Src = R"(func @id(%p: ptr<f32>, %v: f32) -> f32 {
  ret %v
}

func @axpy(%n: i64, %a: f32, %x: ptr<f32>, %y: ptr<f32>) {
  for %i = 0 to %n step 1 {
    %xi = load %x[%i]
    %yi = load %y[%i]
    %t = fmul %a, %xi
    %r = fadd %t, %yi
    store %y[%i], %r
  }
  ret
}

func @f(%n: i64, %a: f32, %x: ptr<f32>, %y: ptr<f32>) -> f32 {
  %a2 = call @id(%x, %a)
  %xo = offset %x, 1
  call @axpy(%n, %a2, %xo, %y)
  call @axpy(%n, %a2, %y, %x)
  ret %a2
}
)";
  auto M = inlined(Src, "f");
  ASSERT_TRUE(M);
  EXPECT_FALSE(hasCall(*M->lookup("f")));
  expectSameRuns(Src, *M, "f", {{8, f32b(2.5f)}, {15, f32b(-1.0f)}, {0, 0}},
                 16);
}

TEST(Inline, WhileAndForWithIterArgs) {
  const char *Src = R"(func @collatz(%x0: i64) -> i64 {
  %x, %k = while (%xv: i64 = %x0, %kv: i64 = 0) {
    %go = icmp ugt %xv, 1
    condition %go
  } do {
    %odd = and %xv, 1
    %isodd = icmp eq %odd, 1
    %t = mul %xv, 3
    %t1 = add %t, 1
    %h = lshr %xv, 1
    %xn = select %isodd, %t1, %h
    %kn = add %kv, 1
    yield %xn, %kn
  }
  ret %k
}

func @f(%n: i64) -> i64 {
  %s = for %i = 1 to %n step 1 iter(%acc: i64 = 0) {
    %c = call @collatz(%i)
    %a = add %acc, %c
    yield %a
  }
  ret %s
}
)";
  auto M = inlined(Src, "f");
  ASSERT_TRUE(M);
  EXPECT_FALSE(hasCall(*M->lookup("f")));
  expectSameRuns(Src, *M, "f", {{1}, {2}, {30}});
}

TEST(Inline, NoCallsIsUnchanged) {
  auto M = inlined(SpecSaxpyText, "saxpy");
  ASSERT_TRUE(M);
  auto Orig = parseAndVerify(SpecSaxpyText);
  ASSERT_TRUE(!!Orig);
  EXPECT_EQ(printModule(*M), printModule(**Orig));
}

TEST(Inline, NamesOfTheCallerAreKept) {
  // The callee's %t would take the caller's name if it printed first.
  const char *Src = R"(func @g(%x: i32) -> i32 {
  %t = add %x, 1
  ret %t
}

func @f(%x: i32) -> i32 {
  %a = call @g(%x)
  %t = mul %a, 2
  ret %t
}
)";
  auto M = inlined(Src, "f");
  ASSERT_TRUE(M);
  EXPECT_EQ(printed(*M, "f"), R"(func @f(%x: i32) -> i32 {
  %0 = add %x, 1
  %t = mul %0, 2
  ret %t
}
)");
}

/// `func @Name(%c: i1, %x: i32) -> i32` with Depth - 1 nested ifs around
/// `Inner` (text), each yielding the inner value.
std::string nestedIfs(llvm::StringRef Name, unsigned Depth,
                      llvm::StringRef Inner) {
  std::string S = "func @" + Name.str() + "(%c: i1, %x: i32) -> i32 {\n";
  for (unsigned I = 1; I < Depth; ++I)
    S += "%r" + std::to_string(I) + " = if %c -> i32 {\n";
  S += Inner.str();
  for (unsigned I = Depth - 1; I >= 1; --I) {
    std::string Y = I + 1 < Depth ? "%r" + std::to_string(I + 1) : "%v";
    S += "yield " + Y + "\n} else {\nyield %x\n}\n";
  }
  S += "ret " + std::string(Depth > 1 ? "%r1" : "%v") + "\n}\n";
  return S;
}

TEST(Inline, TooDeepCallStaysInPlace) {
  // @g nests 200 regions; called at depth 100 the copy would nest 299.
  std::string Src = nestedIfs("g", 200, "%v = add %x, 1\n") + "\n" +
                    nestedIfs("f", 100, "%v = call @g(%c, %x)\n") + "\n" +
                    nestedIfs("ok", 50, "%v = call @g(%c, %x)\n");
  auto M = inlined(Src, "f");
  ASSERT_TRUE(M);
  EXPECT_TRUE(hasCall(*M->lookup("f")));
  auto M2 = inlined(Src, "ok"); // 50 + 200 - 1 = 249 fits
  ASSERT_TRUE(M2);
  EXPECT_FALSE(hasCall(*M2->lookup("ok")));
  expectSameRuns(Src, *M2, "ok", {{1, 41}, {0, 41}});
}

/// Random call trees: each function calls random earlier ones inside loops
/// and ifs, with literal and value arguments; the inlined entry must compute
/// what the original computes.
TEST(Inline, RandomCallTrees) {
  std::mt19937 Rng(42);
  unsigned Cases = 0;
  for (unsigned Trial = 0; Trial < 200; ++Trial) {
    std::string Src;
    unsigned NF = 2 + Rng() % 5;
    for (unsigned Fn = 0; Fn < NF; ++Fn) {
      Src += "func @f" + std::to_string(Fn) +
             "(%a: i32, %b: i32, %buf: ptr<i32>) -> i32 {\n";
      std::vector<std::string> Vals = {"%a", "%b"};
      unsigned NOps = 1 + Rng() % 6;
      for (unsigned K = 0; K < NOps; ++K) {
        std::string R = "%v" + std::to_string(K);
        auto Pick = [&] { return Vals[Rng() % Vals.size()]; };
        auto PickOrLit = [&] {
          return Rng() % 3 == 0 ? std::to_string(int(Rng() % 7) - 3) : Pick();
        };
        unsigned Kind = Fn == 0 ? Rng() % 2 : Rng() % 5;
        static const char *const Ops[] = {"add", "mul", "xor", "sub", "sdiv"};
        if (Kind <= 1) {
          Src += R + " = " + Ops[Rng() % 5] + " " + Pick() + ", " +
                 PickOrLit() + "\n";
        } else if (Kind == 2) {
          Src += R + " = call @f" + std::to_string(Rng() % Fn) + "(" +
                 PickOrLit() + ", " + PickOrLit() + ", %buf)\n";
        } else if (Kind == 3) {
          Src += "%c" + std::to_string(K) + " = icmp slt " + Pick() + ", " +
                 PickOrLit() + "\n";
          Src += R + " = if %c" + std::to_string(K) + " -> i32 {\n";
          Src += "%t" + std::to_string(K) + " = call @f" +
                 std::to_string(Rng() % Fn) + "(" + Pick() + ", " +
                 PickOrLit() + ", %buf)\n";
          Src += "yield %t" + std::to_string(K) + "\n} else {\nyield " +
                 PickOrLit() + "\n}\n";
        } else {
          std::string I = "%i" + std::to_string(K);
          Src += R + " = for " + I + " = 0 to 3 step 1 iter(%acc" +
                 std::to_string(K) + ": i32 = " + PickOrLit() + ") {\n";
          Src += "%t" + std::to_string(K) + " = call @f" +
                 std::to_string(Rng() % Fn) + "(%acc" + std::to_string(K) +
                 ", " + PickOrLit() + ", %buf)\n";
          Src += "%j" + std::to_string(K) + " = and %t" + std::to_string(K) +
                 ", 7\n";
          Src += "atomic add %buf[%j" + std::to_string(K) + "], %t" +
                 std::to_string(K) + "\n";
          Src += "yield %t" + std::to_string(K) + "\n}\n";
        }
        Vals.push_back(R);
      }
      Src += "ret " + Vals.back() + "\n}\n\n";
    }
    std::string Entry = "f" + std::to_string(NF - 1);
    auto M = inlined(Src, Entry);
    ASSERT_TRUE(M) << Src;
    EXPECT_FALSE(hasCall(*M->lookup(Entry))) << Src;
    expectSameRuns(Src, *M, Entry, {{Rng(), Rng()}, {0, 0x80000000u}, {~0u, 1}},
                   8);
    if (HasFailure()) {
      ADD_FAILURE() << Src << "\n----\n" << printModule(*M);
      return;
    }
    Cases += 3;
  }
  EXPECT_EQ(Cases, 600u);
}

} // namespace
