//===- tests/unit/passes/OutlineTest.cpp - launch plans -------------------===//
//
// buildPlan() on the typical shapes of spec §5: every plan's code verifies,
// every step agrees with its outlined function (checkPlan), and the printed
// plan shows the expected steps.
//
//===----------------------------------------------------------------------===//
#include "../ir/TestSupport.h"

#include "ircgpu/Compiler.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Plan.h"
#include "ircgpu/Printer.h"
#include "ircgpu/Verifier.h"

#include <gtest/gtest.h>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

/// Step by step: the function exists, its parameters take the step's
/// arguments (kernels: grid indices first), its results fill the step's
/// result slots, and every slot exists.
void checkSteps(const Plan &P, const std::vector<PlanStep> &Steps) {
  auto SlotTy = [&](SlotId S) {
    EXPECT_LT(S, P.Slots.size());
    return S < P.Slots.size() ? P.Slots[S].Ty : Type();
  };
  for (const PlanStep &S : Steps) {
    switch (S.Kind) {
    case StepKind::Kernel:
    case StepKind::Scalar: {
      ASSERT_LT(S.Func, P.Code->Functions.size());
      const Function &Fn = *P.Code->Functions[S.Func];
      size_t G = S.Kind == StepKind::Kernel ? S.Grid.size() : 0;
      ASSERT_EQ(Fn.Params.size(), G + S.Args.size()) << Fn.Name;
      for (size_t D = 0; D < G; ++D) {
        EXPECT_EQ(Fn.type(Fn.Params[D]), SlotTy(S.Grid[D].LB));
        EXPECT_EQ(SlotTy(S.Grid[D].UB), SlotTy(S.Grid[D].Step));
      }
      for (size_t I = 0; I < S.Args.size(); ++I)
        EXPECT_EQ(Fn.type(Fn.Params[G + I]), SlotTy(S.Args[I])) << Fn.Name;
      if (S.Kind == StepKind::Kernel) {
        ASSERT_EQ(Fn.ResultTypes.size(), S.Reductions.size());
        for (size_t I = 0; I < S.Reductions.size(); ++I) {
          EXPECT_EQ(Fn.ResultTypes[I], S.Reductions[I].Ty);
          EXPECT_EQ(SlotTy(S.Reductions[I].Init), S.Reductions[I].Ty);
          EXPECT_EQ(SlotTy(S.Reductions[I].Result), S.Reductions[I].Ty);
        }
      } else {
        ASSERT_EQ(Fn.ResultTypes.size(), S.Results.size());
        for (size_t I = 0; I < S.Results.size(); ++I)
          EXPECT_EQ(Fn.ResultTypes[I], SlotTy(S.Results[I]));
      }
      break;
    }
    case StepKind::ForLoop:
    case StepKind::WhileLoop:
      EXPECT_EQ(S.Carried.size(), S.Inits.size());
      EXPECT_EQ(S.Carried.size(), S.Nexts.size());
      EXPECT_EQ(S.Carried.size(), S.LoopResults.size());
      for (size_t I = 0; I < S.Carried.size(); ++I) {
        EXPECT_EQ(SlotTy(S.Carried[I]), SlotTy(S.Inits[I]));
        EXPECT_EQ(SlotTy(S.Carried[I]), SlotTy(S.Nexts[I]));
        EXPECT_EQ(SlotTy(S.Carried[I]), SlotTy(S.LoopResults[I]));
      }
      if (S.Kind == StepKind::WhileLoop)
        EXPECT_EQ(SlotTy(S.CondSlot), Type::i1());
      else
        EXPECT_EQ(SlotTy(S.Index), SlotTy(S.Bounds.LB));
      checkSteps(P, S.Cond);
      checkSteps(P, S.Body);
      break;
    case StepKind::OverlapCheck:
      for (auto [A, B] : S.Disjoint) {
        EXPECT_LT(A, P.NumParams);
        EXPECT_LT(B, P.NumParams);
      }
      checkSteps(P, S.Body);
      checkSteps(P, S.Fallback);
      break;
    }
  }
}

/// Parses and verifies Src, builds the plan of Entry, checks it; the printed
/// plan goes to Text.
std::optional<Plan> planOf(llvm::StringRef Src, llvm::StringRef Entry,
                           std::string &Text, CompileOptions Opts = {}) {
  auto M = parseAndVerify(Src);
  if (!M) {
    ADD_FAILURE() << llvm::toString(M.takeError());
    return std::nullopt;
  }
  std::string Before = printModule(**M);
  auto P = buildPlan(**M, Entry, Opts);
  if (!P) {
    ADD_FAILURE() << llvm::toString(P.takeError());
    return std::nullopt;
  }
  EXPECT_EQ(printModule(**M), Before) << "buildPlan changed its input";
  if (auto E = verifyModule(*P->Code))
    ADD_FAILURE() << "plan code does not verify: "
                  << llvm::toString(std::move(E));
  EXPECT_EQ(P->Entry, Entry.str());
  checkSteps(*P, P->Steps);
  for (SlotId S : P->Returns)
    EXPECT_LT(S, P->Slots.size());
  Text.clear();
  llvm::raw_string_ostream OS(Text);
  printPlan(*P, OS);
  return std::move(*P);
}

#define EXPECT_HAS(Text, Sub)                                                  \
  EXPECT_NE((Text).find(Sub), std::string::npos)                               \
      << "missing: " << (Sub) << "\nin:\n"                                     \
      << (Text)

std::vector<StepKind> kinds(const std::vector<PlanStep> &Steps) {
  std::vector<StepKind> Out;
  for (const PlanStep &S : Steps)
    Out.push_back(S.Kind);
  return Out;
}

using SK = StepKind;

TEST(OutlineTest, SaxpyWithoutHintsChecksOverlap) {
  std::string T;
  auto P = planOf(SpecSaxpyText, "saxpy", T);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps), std::vector<SK>{SK::OverlapCheck});
  const PlanStep &C = P->Steps[0];
  ASSERT_EQ(C.Disjoint.size(), 1u);
  EXPECT_EQ(C.Disjoint[0], std::make_pair(2u, 3u));
  ASSERT_EQ(kinds(C.Body), std::vector<SK>{SK::Kernel});
  ASSERT_EQ(kinds(C.Fallback), std::vector<SK>{SK::Scalar});
  EXPECT_TRUE(C.Fallback[0].Sequential);
  EXPECT_EQ(C.Body[0].Grid.size(), 1u);
  EXPECT_HAS(T, "plan @saxpy\n  slot %0 n: i64 param\n");
  EXPECT_HAS(T, "  overlap-check disjoint(%2 x | %3 y) {\n"
                "    kernel @saxpy.k0 grid(i: 0 to %0 n step 1) "
                "args(%2 x, %3 y, %1 a)\n"
                "  } else {\n"
                "    sequential @saxpy.s1 args(%0 n, %2 x, %3 y, %1 a)\n"
                "  }\n"
                "  return\n");
  EXPECT_HAS(T, "func @saxpy.k0(%i: i64, %x: ptr<f32> readonly, %y: "
                "ptr<f32>, %a: f32) {\n");
  EXPECT_HAS(T, "func @saxpy.s1(%n: i64, %x: ptr<f32> readonly, %y: "
                "ptr<f32>, %a: f32) {\n  for %i = 0 to %n step 1 {\n");
}

TEST(OutlineTest, SaxpyNoAliasIsOneKernel) {
  std::string T;
  auto P = planOf(R"(func @saxpy(%n: i64, %a: f32, %x: ptr<f32> readonly,
                                 %y: ptr<f32> noalias) {
  for %i = 0 to %n step 1 {
    %xi = load %x[%i]
    %yi = load %y[%i]
    %t = fmul %a, %xi
    %r = fadd %t, %yi
    store %y[%i], %r
  }
  ret
}
)",
                  "saxpy", T);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps), std::vector<SK>{SK::Kernel});
  EXPECT_EQ(P->Code->Functions.size(), 1u);
  EXPECT_HAS(T, "  kernel @saxpy.k0 grid(i: 0 to %0 n step 1) args(%2 x, "
                "%3 y, %1 a)\n  return\n");
  EXPECT_HAS(T, "func @saxpy.k0(%i: i64, %x: ptr<f32> readonly, %y: ptr<f32> "
                "noalias, %a: f32) {\n"
                "  %xi = load %x[%i]\n");
  EXPECT_HAS(T, "  store %y[%i], %r\n  ret\n}\n");
}

TEST(OutlineTest, SumIsOneReductionKernel) {
  std::string T;
  auto P = planOf(SpecSumText, "sum", T);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps), std::vector<SK>{SK::Kernel});
  const PlanStep &K = P->Steps[0];
  ASSERT_EQ(K.Reductions.size(), 1u);
  EXPECT_EQ(K.Reductions[0].Combine, Opcode::FAdd);
  EXPECT_TRUE(P->Slots[K.Reductions[0].Init].IsConst);
  ASSERT_EQ(P->Returns.size(), 1u);
  EXPECT_EQ(P->Returns[0], K.Reductions[0].Result);
  EXPECT_HAS(T, "  kernel @sum.k0 grid(i: 0 to %0 n step 1) args(%1 x) "
                "reduce(fadd f32 init 0.0 -> %");
  EXPECT_HAS(T, "func @sum.k0(%i: i64, %x: ptr<f32> readonly) -> f32 {\n"
                "  %v = load %x[%i]\n"
                "  ret %v\n"
                "}\n");
  EXPECT_HAS(T, "  return %" + std::to_string(P->Returns[0]) + " s\n");
}

TEST(OutlineTest, TwoDimensionalNestInnermostFastest) {
  std::string T;
  auto P = planOf(R"(func @add2d(%n: i64, %m: i64, %a: ptr<f32> readonly,
                              %c: ptr<f32> noalias) {
  for %i = 0 to %n step 1 parallel {
    for %j = 0 to %m step 1 parallel {
      %r = mul %i, %m
      %k = add %r, %j
      %v = load %a[%k]
      %w = fadd %v, 1.0
      store %c[%k], %w
    }
  }
  ret
}
)",
                  "add2d", T);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps), std::vector<SK>{SK::Kernel});
  EXPECT_EQ(P->Steps[0].Grid.size(), 2u);
  EXPECT_EQ(P->Steps[0].Grid[1].UB, 1u); // %m: the inner loop is last
  EXPECT_HAS(T, "kernel @add2d.k0 grid(i: 0 to %0 n step 1, j: 0 to %1 m "
                "step 1) args(%1 m, %2 a, %3 c)\n");
  EXPECT_HAS(T, "func @add2d.k0(%i: i64, %j: i64, %m: i64, %a: ptr<f32> "
                "readonly, %c: ptr<f32> noalias) {\n  %r = mul %i, %m\n");
}

TEST(OutlineTest, ThreeDimensionalNest) {
  std::string T;
  auto P = planOf(R"(func @fill3(%n: i32, %x: ptr<i32> noalias) {
  for %i = 0 to %n step 1 parallel {
    for %j = 0 to %n step 1 parallel {
      for %k = 0 to %n step 2 parallel {
        for %l = 0 to %n step 1 parallel {
          %a = mul %i, %n
          %b = add %a, %j
          %c = mul %b, %n
          %d = add %c, %k
          %e = add %d, %l
          store %x[%e], %l
        }
      }
    }
  }
  ret
}
)",
                  "fill3", T);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps), std::vector<SK>{SK::Kernel});
  ASSERT_EQ(P->Steps[0].Grid.size(), 3u); // the fourth loop stays inside
  EXPECT_HAS(T, "kernel @fill3.k0 grid(i: 0 to %0 n step 1, j: 0 to %0 n "
                "step 1, k: 0 to %0 n step 2) args(%0 n, %1 x)\n");
  EXPECT_HAS(T, "func @fill3.k0(%i: i32, %j: i32, %k: i32, %n: i32, %x: "
                "ptr<i32> noalias) {\n  for %l = 0 to %n step 1 parallel {\n");
}

TEST(OutlineTest, InnerLoopWithVaryingBoundsStaysInside) {
  std::string T;
  auto P = planOf(R"(func @tri(%n: i64, %x: ptr<f32> noalias) {
  for %i = 0 to %n step 1 parallel {
    for %j = 0 to %i step 1 parallel {
      %r = mul %i, %n
      %k = add %r, %j
      store %x[%k], 0.0
    }
  }
  ret
}
)",
                  "tri", T);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps), std::vector<SK>{SK::Kernel});
  EXPECT_EQ(P->Steps[0].Grid.size(), 1u);
}

const char *NormalizeText = R"(func @normalize(%n: i64, %x: ptr<f32> noalias) {
  %s = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 0.0) {
    %v = load %x[%i]
    %a = fadd %acc, %v
    yield %a
  }
  %inv = fdiv 1.0, %s
  for %j = 0 to %n step 1 parallel {
    %w = load %x[%j]
    %y = fmul %w, %inv
    store %x[%j], %y
  }
  ret
}
)";

TEST(OutlineTest, NormalizeIsKernelScalarKernel) {
  std::string T;
  auto P = planOf(NormalizeText, "normalize", T);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps),
            (std::vector<SK>{SK::Kernel, SK::Scalar, SK::Kernel}));
  SlotId Sum = P->Steps[0].Reductions.at(0).Result;
  ASSERT_EQ(P->Steps[1].Args, std::vector<SlotId>{Sum});
  ASSERT_EQ(P->Steps[1].Results.size(), 1u);
  SlotId Inv = P->Steps[1].Results[0];
  EXPECT_TRUE(llvm::is_contained(P->Steps[2].Args, Inv));
  std::string S = std::to_string(Sum), I = std::to_string(Inv);
  EXPECT_HAS(T, "  kernel @normalize.k0 grid(i: 0 to %0 n step 1) args(%1 x) "
                "reduce(fadd f32 init 0.0 -> %" +
                    S + " s)\n  scalar @normalize.s1 args(%" + S + " s) -> (%" +
                    I +
                    " inv)\n"
                    "  kernel @normalize.k2 grid(j: 0 to %0 n step 1) "
                    "args(%1 x, %" +
                    I + " inv)\n");
  EXPECT_HAS(T, "func @normalize.s1(%s: f32) -> f32 {\n"
                "  %inv = fdiv 1.0, %s\n"
                "  ret %inv\n"
                "}\n");
}

TEST(OutlineTest, TimeSteppingIsAForPlanLoop) {
  std::string T;
  auto P = planOf(R"(func @heat(%n: i64, %steps: i64, %u: ptr<f32> noalias,
                            %v: ptr<f32> noalias) {
  %last = sub %n, 1
  for %t = 0 to %steps step 1 {
    for %i = 1 to %last step 1 {
      %il = sub %i, 1
      %ir = add %i, 1
      %a = load %u[%il]
      %b = load %u[%i]
      %c = load %u[%ir]
      %ac = fadd %a, %c
      %b2 = fmul %b, 2.0
      %d = fsub %ac, %b2
      %e = fmul %d, 0.25
      %f = fadd %b, %e
      store %v[%i], %f
    }
    for %k = 1 to %last step 1 {
      %g = load %v[%k]
      store %u[%k], %g
    }
  }
  ret
}
)",
                  "heat", T);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps), (std::vector<SK>{SK::Scalar, SK::ForLoop}));
  const PlanStep &L = P->Steps[1];
  EXPECT_EQ(kinds(L.Body), (std::vector<SK>{SK::Kernel, SK::Kernel}));
  EXPECT_EQ(L.Bounds.UB, 1u);
  EXPECT_TRUE(L.Carried.empty());
  SlotId Last = P->Steps[0].Results.at(0);
  std::string LS = std::to_string(Last);
  EXPECT_HAS(T, "  scalar @heat.s0 args(%0 n) -> (%" + LS + " last)\n");
  EXPECT_HAS(T, " t = 0 to %1 steps step 1 {\n    kernel @heat.k1 grid(i: 1 "
                "to %" +
                    LS +
                    " last step 1) args(%2 u, %3 v)\n"
                    "    kernel @heat.k2 grid(k: 1 to %" +
                    LS + " last step 1) args(%3 v, %2 u)\n  }\n  return\n");
}

TEST(OutlineTest, PlanLoopCarriesValues) {
  std::string T;
  auto P = planOf(R"(func @acc(%n: i64, %x: ptr<f32> noalias) -> f32 {
  %r = for %t = 0 to 10 step 1 iter(%tot: f32 = 0.0) {
    %s = for %i = 0 to %n step 1 parallel reassoc iter(%a: f32 = 0.0) {
      %v = load %x[%i]
      %a2 = fadd %a, %v
      yield %a2
    }
    %h = fmul %tot, %s
    for %j = 0 to %n step 1 parallel {
      %w = load %x[%j]
      %w2 = fmul %w, 0.5
      store %x[%j], %w2
    }
    yield %h
  }
  ret %r
}
)",
                  "acc", T);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps), std::vector<SK>{SK::ForLoop});
  const PlanStep &L = P->Steps[0];
  EXPECT_EQ(kinds(L.Body),
            (std::vector<SK>{SK::Kernel, SK::Scalar, SK::Kernel}));
  ASSERT_EQ(L.Carried.size(), 1u);
  EXPECT_EQ(L.Nexts[0], L.Body[1].Results.at(0));
  EXPECT_EQ(P->Returns, L.LoopResults);
  auto Sl = [&](SlotId S) { return "%" + std::to_string(S); };
  EXPECT_HAS(T, "  for " + Sl(L.Index) + " t = 0 to 10 step 1 carried(" +
                    Sl(L.Carried[0]) + " tot <- 0.0 next " + Sl(L.Nexts[0]) +
                    " h) -> (" + Sl(L.LoopResults[0]) + " r) {\n");
  EXPECT_HAS(T, "  return " + Sl(L.LoopResults[0]) + " r\n");
}

TEST(OutlineTest, ConvergenceIsAWhilePlanLoop) {
  std::string T;
  auto P =
      planOf(R"(func @conv(%n: i64, %tol: f32, %x: ptr<f32> noalias) -> i32 {
  %it = while (%k: i32 = 0) {
    %r = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 0.0) {
      %a = load %x[%i]
      %d = fmul %a, %a
      %s = fadd %acc, %d
      yield %s
    }
    %go = fcmp ogt %r, %tol
    condition %go
  } do {
    for %j = 0 to %n step 1 parallel {
      %b = load %x[%j]
      %h = fmul %b, 0.5
      store %x[%j], %h
    }
    %k1 = add %k, 1
    yield %k1
  }
  ret %it
}
)",
             "conv", T);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps), std::vector<SK>{SK::WhileLoop});
  const PlanStep &W = P->Steps[0];
  ASSERT_EQ(kinds(W.Cond), (std::vector<SK>{SK::Kernel, SK::Scalar}));
  ASSERT_EQ(kinds(W.Body), (std::vector<SK>{SK::Kernel, SK::Scalar}));
  EXPECT_EQ(W.Cond[0].Reductions.size(), 1u);
  EXPECT_EQ(W.Cond[1].Results, std::vector<SlotId>{W.CondSlot});
  EXPECT_EQ(W.Body[1].Args, std::vector<SlotId>{W.Carried.at(0)});
  EXPECT_EQ(W.Nexts, W.Body[1].Results);
  EXPECT_EQ(P->Returns, W.LoopResults);
  auto Sl = [&](SlotId S) { return "%" + std::to_string(S); };
  EXPECT_HAS(T, "  while carried(" + Sl(W.Carried[0]) + " k <- 0 next " +
                    Sl(W.Nexts[0]) + " k1) -> (" + Sl(W.LoopResults[0]) +
                    " it) {\n    kernel @conv.k0 ");
  EXPECT_HAS(T, "  } condition " + Sl(W.CondSlot) +
                    " go do {\n    kernel @conv.k2 grid(j: 0 to %0 n step "
                    "1) args(%2 x)\n    scalar @conv.s3 args(" +
                    Sl(W.Carried[0]) + " k) -> (" + Sl(W.Nexts[0]) +
                    " k1)\n  }\n");
  EXPECT_HAS(T, "func @conv.s1(%r: f32, %tol: f32) -> i1 {\n");
}

const char *PrefixText = R"(func @prefix(%n: i64, %x: ptr<f32> noalias) {
  for %i = 1 to %n step 1 {
    %im1 = sub %i, 1
    %p = load %x[%im1]
    %c = load %x[%i]
    %s = fadd %p, %c
    store %x[%i], %s
  }
  ret
}
)";

TEST(OutlineTest, DependenceIsRefusedAtTheLoop) {
  auto M = parseAndVerify(PrefixText);
  ASSERT_TRUE(!!M);
  auto P = buildPlan(**M, "prefix");
  ASSERT_FALSE(P);
  std::vector<Diagnostic> Diags;
  llvm::handleAllErrors(P.takeError(), [&](const DiagnosticError &E) {
    Diags = E.diagnostics();
  });
  ASSERT_FALSE(Diags.empty());
  EXPECT_EQ(Diags[0].Loc.Line, 2u);
  EXPECT_EQ(Diags[0].Loc.Col, 3u);
  EXPECT_EQ(Diags[0].Message.rfind("not offloadable: ", 0), 0u)
      << Diags[0].Message;
  EXPECT_NE(Diags[0].Message.find("%x"), std::string::npos);
}

TEST(OutlineTest, AllowSequentialMakesASequentialStep) {
  std::string T;
  CompileOptions Opts;
  Opts.AllowSequential = true;
  auto P = planOf(PrefixText, "prefix", T, Opts);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps), std::vector<SK>{SK::Scalar});
  EXPECT_TRUE(P->Steps[0].Sequential);
  EXPECT_HAS(T, "  sequential @prefix.s0 args(%0 n, %1 x)\n  return\n");
  EXPECT_HAS(T, "func @prefix.s0(%n: i64, %x: ptr<f32> noalias) {\n"
                "  for %i = 1 to %n step 1 {\n");
}

TEST(OutlineTest, WhileWithoutParallelLoopIsRefused) {
  auto M = parseAndVerify(R"(func @w(%x: i32) -> i32 {
  %r = while (%v: i32 = %x) {
    %c = icmp sgt %v, 1
    condition %c
  } do {
    %h = ashr %v, 1
    yield %h
  }
  ret %r
}
)");
  ASSERT_TRUE(!!M);
  std::string E = errText(buildPlan(**M, "w"));
  EXPECT_NE(E.find("2:8: not offloadable: "), std::string::npos) << E;
}

TEST(OutlineTest, WhileInsideKernelStaysInTheKernel) {
  std::string T;
  auto P = planOf(R"(func @halve(%n: i64, %x: ptr<f32> noalias) {
  for %i = 0 to %n step 1 parallel {
    %v0 = load %x[%i]
    %r = while (%w: f32 = %v0) {
      %c = fcmp ogt %w, 1.0
      condition %c
    } do {
      %h = fmul %w, 0.5
      yield %h
    }
    store %x[%i], %r
  }
  ret
}
)",
                  "halve", T);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps), std::vector<SK>{SK::Kernel});
  EXPECT_HAS(T, "func @halve.k0(%i: i64, %x: ptr<f32> noalias) {\n"
                "  %v0 = load %x[%i]\n"
                "  %r = while (%w: f32 = %v0) {\n");
}

TEST(OutlineTest, ScalarCodeBetweenLoops) {
  std::string T;
  auto P = planOf(R"(func @mix(%n: i64, %x: ptr<i64> noalias) -> i64 {
  %m = mul %n, 2
  %q = udiv %m, 3
  for %i = 0 to %q step 1 parallel {
    store %x[%i], %m
  }
  %z = add %m, 1
  %y = load %x[0]
  %r = add %z, %y
  ret %r
}
)",
                  "mix", T);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps),
            (std::vector<SK>{SK::Scalar, SK::Kernel, SK::Scalar}));
  // Only what later steps use leaves a scalar step.
  EXPECT_EQ(P->Steps[0].Results.size(), 2u);
  EXPECT_EQ(P->Steps[2].Results.size(), 1u);
  EXPECT_EQ(P->Returns, P->Steps[2].Results);
  EXPECT_HAS(T, "func @mix.s2(%m: i64, %x: ptr<i64> noalias) -> i64 {\n");
}

TEST(OutlineTest, PointersAreRecomputedByEachStep) {
  std::string T;
  auto P = planOf(R"(func @sub(%n: i64, %x: ptr<f32> noalias) {
  %k = mul %n, 4
  %q = offset %x, %k
  for %i = 0 to %n step 1 parallel {
    store %q[%i], 1.0
  }
  ret
}
)",
                  "sub", T);
  ASSERT_TRUE(P);
  ASSERT_EQ(kinds(P->Steps), (std::vector<SK>{SK::Scalar, SK::Kernel}));
  EXPECT_HAS(T, "func @sub.k1(%i: i64, %x: ptr<f32> noalias, %k: i64) {\n"
                "  %q = offset %x, %k\n"
                "  store %q[%i], 1.0\n");
}

TEST(OutlineTest, LiteralResultsAndEmptyPlans) {
  std::string T;
  auto P = planOf("func @k() -> (i32, f32) {\n  ret 7, 2.5\n}\n", "k", T);
  ASSERT_TRUE(P);
  EXPECT_TRUE(P->Steps.empty());
  EXPECT_EQ(T, "plan @k\n  slot %0: i32 const 7\n  slot %1: f32 const 2.5\n"
               "  return 7, 2.5\n");
}

TEST(OutlineTest, MissingEntry) {
  auto M = parseAndVerify(SpecSumText);
  ASSERT_TRUE(!!M);
  EXPECT_NE(errText(buildPlan(**M, "nope")).find("no function @nope"),
            std::string::npos);
}

TEST(OutlineTest, DumpAfterEveryPass) {
  auto M = parseAndVerify(SpecSumText);
  ASSERT_TRUE(!!M);
  std::string Dump;
  llvm::raw_string_ostream OS(Dump);
  CompileOptions Opts;
  Opts.DumpAfter = {"all"};
  Opts.DumpStream = &OS;
  ASSERT_TRUE(!!buildPlan(**M, "sum", Opts));
  EXPECT_EQ(Dump.find("; after inline\nfunc @sum("), 0u) << Dump;
  EXPECT_HAS(Dump, "; after canonicalize\nfunc @sum(");
  EXPECT_HAS(Dump, "; after outline\nplan @sum\n");
  std::vector<std::string> Names(passNames().begin(), passNames().end());
  EXPECT_EQ(Names,
            (std::vector<std::string>{"inline", "canonicalize", "outline"}));

  Dump.clear();
  Opts.DumpAfter = {"canonicalize"};
  ASSERT_TRUE(!!buildPlan(**M, "sum", Opts));
  EXPECT_EQ(Dump.find("; after canonicalize\n"), 0u);
  EXPECT_EQ(Dump.find("; after inline"), std::string::npos);
}

} // namespace
