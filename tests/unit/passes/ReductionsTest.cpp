//===- tests/unit/passes/ReductionsTest.cpp - findReductions (spec §4) ----===//
#include "passes/Reductions.h"

#include "ircgpu/Parser.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

using namespace ircgpu;

namespace {

/// Keeps the module alive while a test looks at the ops the result points to.
struct Parsed {
  std::unique_ptr<Module> M;
  const Function *F = nullptr;
  const Op *Loop = nullptr;
  ReductionInfo Info;
};

/// findReductions on the first top-level `for` of the first function of Src.
Parsed reductions(llvm::StringRef Src) {
  Parsed P;
  auto M = parseAndVerify(Src);
  if (!M) {
    ADD_FAILURE() << llvm::toString(M.takeError()) << "\nin:\n" << Src.str();
    return P;
  }
  P.M = std::move(*M);
  P.F = P.M->Functions.front().get();
  for (const Op &O : P.F->Body.Ops)
    if (O.Code == Opcode::For) {
      P.Loop = &O;
      P.Info = findReductions(*P.F, O);
      return P;
    }
  ADD_FAILURE() << "no loop";
  return P;
}

/// A one-iter-argument loop over x of type T whose body is Body.
std::string loop1(llvm::StringRef T, llvm::StringRef Flags,
                  llvm::StringRef Body) {
  return ("func @f(%n: i64, %x: ptr<" + T + "> noalias) -> " + T +
          " {\n  %s = for %i = 0 to %n step 1 " + Flags + " iter(%acc: " + T +
          " = 0) {\n    %v = load %x[%i]\n" + Body + "  }\n  ret %s\n}\n")
      .str();
}

void expectNot(const Parsed &P, llvm::StringRef Why, unsigned BadIter = 0) {
  EXPECT_FALSE(P.Info.Ok);
  EXPECT_EQ(P.Info.Why, Why.str());
  EXPECT_EQ(P.Info.BadIter, BadIter);
}

TEST(Reductions, SpecSum) {
  Parsed P = reductions(R"(func @sum(%n: i64, %x: ptr<f32> readonly) -> f32 {
  %s = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 0.0) {
    %v = load %x[%i]
    %a = fadd %acc, %v
    yield %a
  }
  ret %s
}
)");
  ASSERT_TRUE(P.Info.Ok) << P.Info.Why;
  ASSERT_EQ(P.Info.Reductions.size(), 1u);
  const Reduction &R = P.Info.Reductions[0];
  EXPECT_EQ(R.Iter, 0u);
  EXPECT_EQ(R.Combine, Opcode::FAdd);
  EXPECT_EQ(R.XOperand, 1u);
  EXPECT_EQ(R.Update, &P.Loop->Regions[0].Ops[1]);
}

TEST(Reductions, EveryIntegerOpWithoutReassoc) {
  for (const char *Op :
       {"add", "mul", "and", "or", "xor", "smin", "smax", "umin", "umax"}) {
    Parsed P = reductions(
        loop1("i32", "",
              std::string("    %a = ") + Op + " %v, %acc\n    yield %a\n"));
    ASSERT_TRUE(P.Info.Ok) << Op << ": " << P.Info.Why;
    EXPECT_EQ(opcodeName(P.Info.Reductions[0].Combine), Op);
    EXPECT_EQ(P.Info.Reductions[0].XOperand, 0u);
  }
}

TEST(Reductions, FloatOpsNeedReassoc) {
  for (const char *Op : {"fadd", "fmul", "fmin", "fmax"}) {
    std::string Body =
        std::string("    %a = ") + Op + " %acc, %v\n    yield %a\n";
    Parsed P = reductions(loop1("f64", "reassoc", Body));
    EXPECT_TRUE(P.Info.Ok) << Op << ": " << P.Info.Why;
    expectNot(reductions(loop1("f64", "parallel", Body)),
              std::string("'") + Op +
                  "' reduction of %acc needs 'reassoc' on the loop");
  }
}

TEST(Reductions, SeveralPerLoop) {
  Parsed P = reductions(R"(
func @f(%n: i64, %x: ptr<f32> readonly) -> (f32, f32, i64) {
  %s, %m, %c = for %i = 0 to %n step 1 reassoc iter(%acc: f32 = 0.0, %mx: f32 = -inf, %k: i64 = 0) {
    %v = load %x[%i]
    %a = fadd %acc, %v
    %b = fmax %v, %mx
    %k2 = add %k, 1
    yield %a, %b, %k2
  }
  ret %s, %m, %c
}
)");
  ASSERT_TRUE(P.Info.Ok) << P.Info.Why;
  ASSERT_EQ(P.Info.Reductions.size(), 3u);
  EXPECT_EQ(P.Info.Reductions[1].Combine, Opcode::FMax);
  EXPECT_EQ(P.Info.Reductions[1].XOperand, 0u);
  EXPECT_EQ(P.Info.Reductions[2].Iter, 2u);
}

TEST(Reductions, ReluClampCountWithStores) {
  Parsed P = reductions(R"(
func @relu(%n: i64, %x: ptr<f32> readonly, %y: ptr<f32> noalias) -> i64 {
  %cnt = for %i = 0 to %n step 1 iter(%c: i64 = 0) {
    %v = load %x[%i]
    %pos = fcmp ogt %v, 0.0
    %flag = zext %pos to i64
    %c2 = add %c, %flag
    %r = fmax %v, 0.0
    store %y[%i], %r
    yield %c2
  }
  ret %cnt
}
)");
  ASSERT_TRUE(P.Info.Ok) << P.Info.Why;
  EXPECT_EQ(P.Info.Reductions[0].Combine, Opcode::Add);
}

TEST(Reductions, NoIterArguments) {
  Parsed P = reductions(R"(
func @f(%n: i64, %x: ptr<f32>) {
  for %i = 0 to %n step 1 {
    store %x[%i], 1.0
  }
  ret
}
)");
  EXPECT_TRUE(P.Info.Ok);
  EXPECT_TRUE(P.Info.Reductions.empty());
}

TEST(Reductions, NotAReductionOp) {
  expectNot(reductions(loop1("f32", "reassoc",
                             "    %a = fsub %acc, %v\n    yield %a\n")),
            "iter argument %acc is updated by 'fsub', which is not a "
            "reduction");
  expectNot(
      reductions(loop1("i32", "", "    %a = sub %acc, %v\n    yield %a\n")),
      "iter argument %acc is updated by 'sub', which is not a "
      "reduction");
  expectNot(reductions(loop1("f32", "", "    yield %v\n")),
            "iter argument %acc is updated by 'load', which is not a "
            "reduction");
}

TEST(Reductions, AccUsedElsewhere) {
  expectNot(reductions(loop1("f32", "reassoc",
                             "    store %x[%i], %acc\n"
                             "    %a = fadd %acc, %v\n    yield %a\n")),
            "iter argument %acc is also used by 'store'");
  // As the other operand of the update itself.
  expectNot(
      reductions(loop1("i32", "", "    %a = add %acc, %acc\n    yield %a\n")),
      "iter argument %acc is used twice by 'add'");
  // In a nested region.
  expectNot(reductions(loop1("i32", "",
                             "    %c = icmp sgt %v, 0\n"
                             "    if %c {\n      store %x[0], %acc\n    }\n"
                             "    %a = add %acc, %v\n    yield %a\n")),
            "iter argument %acc is also used by 'store'");
  // By another update.
  expectNot(reductions(loop1("i32", "",
                             "    %b = mul %acc, 2\n"
                             "    %a = add %acc, %v\n    yield %a\n")),
            "iter argument %acc is also used by 'mul'");
}

TEST(Reductions, PartialValueUsedElsewhere) {
  // A scan: the partial sum is stored.
  expectNot(reductions(loop1("i32", "",
                             "    %a = add %acc, %v\n"
                             "    store %x[%i], %a\n    yield %a\n")),
            "the partial value %a of %acc is also used by 'store'");
  // Yielded twice.
  Parsed P = reductions(R"(
func @f(%n: i64, %x: ptr<i32>) -> (i32, i32) {
  %s, %t = for %i = 0 to %n step 1 iter(%acc: i32 = 0, %b: i32 = 0) {
    %v = load %x[%i]
    %a = add %acc, %v
    yield %a, %a
  }
  ret %s, %t
}
)");
  expectNot(P, "the partial value %a of %acc is also used by 'yield'");
}

TEST(Reductions, YieldedValueNotComputedFromAcc) {
  expectNot(reductions(loop1("i32", "", "    yield %acc\n")),
            "iter argument %acc is yielded unchanged, not updated by a "
            "reduction");
  expectNot(reductions(loop1("i32", "", "    %a = add %v, 1\n    yield %a\n")),
            "iter argument %acc is not an operand of the 'add' computing its "
            "next value %a");
  Parsed P = reductions(R"(
func @f(%n: i64, %k: i32) -> (i32, i32) {
  %s, %t = for %i = 0 to %n step 1 iter(%acc: i32 = 0, %b: i32 = 0) {
    %a = add %acc, 1
    yield %a, %k
  }
  ret %s, %t
}
)");
  expectNot(P,
            "iter argument %b takes the value %k, which is not computed from "
            "it in the loop body",
            1);
  EXPECT_EQ(P.Info.Reductions.size(), 1u);
}

} // namespace
