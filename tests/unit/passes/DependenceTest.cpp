//===- tests/unit/passes/DependenceTest.cpp - analyzeLoop verdicts --------===//
#include "passes/Dependence.h"

#include "ircgpu/Parser.h"

#include <gtest/gtest.h>

#include <string>

using namespace ircgpu;

namespace {

using Pairs = std::vector<std::pair<unsigned, unsigned>>;

/// The verdict on the Nth top-level `for` of the first function of Src.
LoopVerdict verdict(llvm::StringRef Src, unsigned Nth = 0) {
  auto M = parseAndVerify(Src);
  if (!M) {
    ADD_FAILURE() << llvm::toString(M.takeError()) << "\nin:\n" << Src.str();
    return {};
  }
  const Function &F = *(*M)->Functions.front();
  for (const Op &O : F.Body.Ops)
    if (O.Code == Opcode::For && Nth-- == 0)
      return analyzeLoop(F, O);
  ADD_FAILURE() << "no such loop";
  return {};
}

/// The verdict on the first `for` nested in the first top-level `for`: a
/// loop analysed with the enclosing loop's index fixed (as Outline does for
/// grid dimensions and plan-loop bodies).
LoopVerdict innerVerdict(llvm::StringRef Src) {
  auto M = parseAndVerify(Src);
  if (!M) {
    ADD_FAILURE() << llvm::toString(M.takeError());
    return {};
  }
  const Function &F = *(*M)->Functions.front();
  for (const Op &O : F.Body.Ops)
    if (O.Code == Opcode::For)
      for (const Op &In : O.Regions[0].Ops)
        if (In.Code == Opcode::For)
          return analyzeLoop(F, In);
  ADD_FAILURE() << "no nested loop";
  return {};
}

void expectParallel(const LoopVerdict &V) {
  EXPECT_EQ(V.K, LoopVerdict::Parallel) << V.Why;
  EXPECT_TRUE(V.MustBeDisjoint.empty());
}
void expectDisjoint(const LoopVerdict &V, const Pairs &P) {
  EXPECT_EQ(V.K, LoopVerdict::ParallelIfDisjoint) << V.Why;
  EXPECT_EQ(V.MustBeDisjoint, P);
}
void expectSequential(const LoopVerdict &V, llvm::StringRef Why) {
  EXPECT_EQ(V.K, LoopVerdict::Sequential);
  EXPECT_NE(V.Why.find(Why.str()), std::string::npos) << V.Why;
}

constexpr const char *Saxpy = R"(
func @saxpy(%n: i64, %a: f32, %x: ptr<f32> readonly, %y: ptr<f32> YATTR) {
  for %i = 0 to %n step 1 FLAGS {
    %xi = load %x[%i]
    %yi = load %y[%i]
    %t = fmul %a, %xi
    %r = fadd %t, %yi
    store %y[%i], %r
  }
  ret
}
)";

std::string subst(std::string S, llvm::StringRef From, llvm::StringRef To) {
  for (size_t P; (P = S.find(From.str())) != std::string::npos;)
    S.replace(P, From.size(), To.str());
  return S;
}
std::string saxpy(llvm::StringRef YAttr, llvm::StringRef Flags) {
  return subst(subst(Saxpy, "YATTR", YAttr), "FLAGS", Flags);
}

TEST(Dependence, SaxpyNeedsDisjointBuffers) {
  // x is readonly but may still overlap y, which is written.
  expectDisjoint(verdict(saxpy("", "")), {{2, 3}});
}

TEST(Dependence, SaxpyNoAliasIsParallel) {
  expectParallel(verdict(saxpy("noalias", "")));
}

TEST(Dependence, ParallelFlagIsTakenAtItsWord) {
  expectParallel(verdict(saxpy("", "parallel")));
}

constexpr const char *Reverse = R"(
func @rev(%n: i64, %x: ptr<f32> XATTR, %y: ptr<f32> YATTR) {
  for %i = 0 to %n step 1 {
    %v = load %x[%i]
    %n1 = sub %n, 1
    %j = sub %n1, %i
    store %y[%j], %v
  }
  ret
}
)";

TEST(Dependence, ReversalIntoAnotherBuffer) {
  std::string S = subst(Reverse, "XATTR", "readonly");
  expectDisjoint(verdict(subst(S, "YATTR", "")), {{1, 2}});
  expectParallel(verdict(subst(S, "YATTR", "noalias")));
}

TEST(Dependence, InPlaceReversalIsSequential) {
  auto V = verdict(R"(
func @rev(%n: i64, %x: ptr<f32>) {
  for %i = 0 to %n step 1 {
    %v = load %x[%i]
    %n1 = sub %n, 1
    %j = sub %n1, %i
    store %x[%j], %v
  }
  ret
}
)");
  expectSequential(V, "%x[%n - %i - 1] is written and %x[%i] is read by "
                      "different iterations of the loop over %i");
  EXPECT_EQ(V.Loc.Line, 7u);
}

TEST(Dependence, StrideTwoOddFromEven) {
  expectParallel(verdict(R"(
func @f(%n: i64, %x: ptr<f32>) {
  for %i = 0 to %n step 1 {
    %e = mul %i, 2
    %o = add %e, 1
    %v = load %x[%e]
    store %x[%o], %v
  }
  ret
}
)"));
}

TEST(Dependence, StrideTwoInPlaceScale) {
  expectParallel(verdict(R"(
func @f(%n: i64, %x: ptr<f32>) {
  for %i = 0 to %n step 1 {
    %e = shl %i, 1
    %v = load %x[%e]
    %w = fmul %v, 2.0
    store %x[%e], %w
  }
  ret
}
)"));
}

TEST(Dependence, PrefixSumIsSequential) {
  auto V = verdict(R"(
func @scan(%n: i64, %x: ptr<f32>) {
  for %i = 1 to %n step 1 {
    %a = load %x[%i]
    %im1 = sub %i, 1
    %b = load %x[%im1]
    %s = fadd %a, %b
    store %x[%i], %s
  }
  ret
}
)");
  EXPECT_EQ(V.K, LoopVerdict::Sequential);
  EXPECT_EQ(V.Why, "%x[%i] is written and %x[%i - 1] is read by different "
                   "iterations of the loop over %i");
  EXPECT_EQ(V.Loc.Line, 8u);
  EXPECT_EQ(V.Loc.Col, 5u);
}

constexpr const char *Stencil = R"(
func @stencil(%n: i64, %m: i64, %in: ptr<f32> INATTR, %out: ptr<f32> OUTATTR) {
  %n1 = sub %n, 1
  %m1 = sub %m, 1
  for %i = 1 to %n1 step 1 {
    for %j = 1 to %m1 step 1 {
      %r = mul %i, %m
      %c = add %r, %j
      %up = sub %c, %m
      %dn = add %c, %m
      %l = sub %c, 1
      %rt = add %c, 1
      %a = load %in[%up]
      %b = load %in[%dn]
      %d = load %in[%l]
      %e = load %in[%rt]
      %f = load %in[%c]
      %s1 = fadd %a, %b
      %s2 = fma %d, %e, %f
      %s3 = fadd %s1, %s2
      store %out[%c], %s3
    }
  }
  ret
}
)";

TEST(Dependence, StencilIntoAnotherBuffer) {
  std::string S = subst(Stencil, "INATTR", "readonly");
  expectDisjoint(verdict(subst(S, "OUTATTR", "")), {{2, 3}});
  expectParallel(verdict(subst(S, "OUTATTR", "noalias")));
}

TEST(Dependence, StencilInPlaceIsSequential) {
  std::string S = subst(subst(Stencil, "INATTR", ""), "OUTATTR", "");
  S = subst(S, ", %out: ptr<f32> ", "");
  S = subst(S, "%out[", "%in[");
  auto V = verdict(S);
  expectSequential(V, "%in[%i * %m + %j] is written and %in[%i * %m + %j - "
                      "%m] is read by different iterations of the loop over "
                      "%i");
}

TEST(Dependence, InnerLoopOfANest) {
  std::string S = subst(Stencil, "INATTR", "readonly");
  expectParallel(innerVerdict(subst(S, "OUTATTR", "noalias")));
  S = subst(subst(subst(Stencil, "INATTR", ""), "OUTATTR", ""),
            ", %out: ptr<f32> ", "");
  expectSequential(innerVerdict(subst(S, "%out[", "%in[")),
                   "%in[%j + %m * %i] is written and %in[%j + %m * %i - 1] "
                   "is read by different iterations of the loop over %j");
  // Time steps: the outer index is fixed while the inner loop runs.
  expectParallel(innerVerdict(R"(
func @f(%n: i64, %t: i64, %x: ptr<f32> noalias) {
  for %s = 1 to %t step 1 {
    %prev = sub %s, 1
    %a = mul %prev, %n
    %b = mul %s, %n
    for %i = 0 to %n step 1 {
      %p = add %a, %i
      %q = add %b, %i
      %v = load %x[%p]
      store %x[%q], %v
    }
  }
  ret
}
)"));
}

TEST(Dependence, MatVec) {
  constexpr const char *Src = R"(
func @mv(%n: i64, %a: ptr<f32> readonly, %x: ptr<f32> readonly, %y: ptr<f32> YATTR) {
  for %i = 0 to %n step 1 {
    %s = for %j = 0 to %n step 1 reassoc iter(%acc: f32 = 0.0) {
      %r = mul %i, %n
      %k = add %r, %j
      %av = load %a[%k]
      %xv = load %x[%j]
      %p = fmul %av, %xv
      %acc2 = fadd %acc, %p
      yield %acc2
    }
    store %y[%i], %s
  }
  ret
}
)";
  expectDisjoint(verdict(subst(Src, "YATTR", "")), {{1, 3}, {2, 3}});
  expectParallel(verdict(subst(Src, "YATTR", "noalias")));
  // The transposed orientation reads A[j*n + i].
  std::string T =
      subst(subst(Src, "mul %i, %n", "mul %j, %n"), "add %r, %j", "add %r, %i");
  expectParallel(verdict(subst(T, "YATTR", "noalias")));
}

TEST(Dependence, TransposedWrite) {
  // The column of the written element is L's own index.
  expectParallel(verdict(R"(
func @tr(%n: i64, %m: i64, %a: ptr<f32> readonly noalias, %b: ptr<f32>) {
  for %i = 0 to %n step 1 {
    for %j = 0 to %m step 1 {
      %r = mul %i, %m
      %s = add %r, %j
      %v = load %a[%s]
      %t = mul %j, %n
      %u = add %t, %i
      store %b[%u], %v
    }
  }
  ret
}
)"));
}

TEST(Dependence, ThreeLevelDelinearisation) {
  expectParallel(verdict(R"(
func @f(%n: i64, %m: i64, %p: i64, %x: ptr<f32>) {
  for %i = 0 to %n step 1 {
    for %j = 0 to %m step 1 {
      for %k = 0 to %p step 1 {
        %mp = mul %m, %p
        %a = mul %i, %mp
        %b = mul %j, %p
        %c = add %a, %b
        %d = add %c, %k
        %v = load %x[%d]
        %w = fadd %v, 1.0
        store %x[%d], %w
      }
    }
  }
  ret
}
)"));
}

constexpr const char *ConstRows = R"(
func @f(%n: i64, %x: ptr<f32>) {
  for %i = 0 to %n step 1 {
    for %j = 0 to COLS step 1 {
      %r = mul %i, 64
      %c = add %r, %j
      store %x[%c], 1.0
    }
  }
  ret
}
)";

TEST(Dependence, ConstantRowWidth) {
  expectParallel(verdict(subst(ConstRows, "COLS", "64")));
  expectSequential(verdict(subst(ConstRows, "COLS", "65")),
                   "%x[64 * %i + %j] is written by different iterations");
}

constexpr const char *Rows = R"(
func @f(%n: i64, %m: i64, %x: ptr<f32> noalias) {
  for %i = 0 to %n step 1 {
    for %j = LB to UB step 1 {
      %r = mul %i, %n
      %c = add %r, %j
      store %x[%c], 1.0
    }
  }
  ret
}
)";
LoopVerdict rows(llvm::StringRef LB, llvm::StringRef UB) {
  return verdict(subst(subst(Rows, "LB", LB), "UB", UB));
}

TEST(Dependence, DelinearisationChecksTheColumnRange) {
  expectParallel(rows("0", "%n"));
  expectParallel(rows("3", "%n"));
  // The column may reach the next row, or come from another size.
  expectSequential(rows("0", "%m"), "is written by different iterations");
  expectSequential(rows("-1", "%n"), "is written by different iterations");
  // Triangular: j < i < n holds, but is not proven (a known limit).
  expectSequential(rows("0", "%i"), "is written by different iterations");
}

TEST(Dependence, RowStartAloneMayBeOneElement) {
  // With n = 0 every iteration writes x[0].
  expectSequential(verdict(R"(
func @f(%n: i64, %x: ptr<f32> noalias) {
  for %i = 0 to %n step 1 {
    %r = mul %i, %n
    store %x[%r], 1.0
  }
  ret
}
)"),
                   "%x[%i * %n] is written by different iterations");
}

TEST(Dependence, OnlyLoadsNeverConflict) {
  expectParallel(verdict(R"(
func @f(%n: i64, %c: i1, %x: ptr<f32>, %y: ptr<f32>) -> f32 {
  %s = for %i = 0 to %n step 1 reassoc iter(%acc: f32 = 0.0) {
    %p = select %c, %x, %y
    %k = load %x[0]
    %ki = fptosi %k to i64
    %v = load %p[%ki]
    %acc2 = fadd %acc, %v
    yield %acc2
  }
  ret %s
}
)"));
}

TEST(Dependence, RowsThroughOffset) {
  expectParallel(verdict(R"(
func @f(%n: i64, %m: i64, %y: ptr<f32> noalias) {
  for %i = 0 to %n step 1 {
    %r = mul %i, %m
    %row = offset %y, %r
    for %j = 0 to %m step 1 {
      %v = load %row[%j]
      %w = fmul %v, %v
      store %row[%j], %w
    }
  }
  ret
}
)"));
}

TEST(Dependence, NonReductionIterIsSequential) {
  auto V = verdict(R"(
func @f(%n: i64, %x: ptr<f32> readonly) -> f32 {
  %s = for %i = 0 to %n step 1 iter(%acc: f32 = 0.0) {
    %v = load %x[%i]
    yield %v
  }
  ret %s
}
)");
  EXPECT_EQ(V.K, LoopVerdict::Sequential);
  EXPECT_EQ(V.Why, "value %acc is carried from one iteration to the next: "
                   "iter argument %acc is updated by 'load', which is not a "
                   "reduction");
  EXPECT_EQ(V.Loc.Line, 3u);
  expectSequential(verdict(R"(
func @f(%n: i64, %x: ptr<f32> readonly) -> f32 {
  %s = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 0.0) {
    %v = load %x[%i]
    %a = fsub %acc, %v
    yield %a
  }
  ret %s
}
)"),
                   "value %acc is carried from one iteration to the next: "
                   "iter argument %acc is updated by 'fsub'");
}

constexpr const char *Histogram = R"(
func @hist(%n: i64, %keys: ptr<i64> readonly, %h: ptr<i32> HATTR) {
  for %i = 0 to %n step 1 {
    %b = load %keys[%i]
    atomic add %h[%b], 1
    %old = atomic max %h[%b], 7
  }
  ret
}
)";

TEST(Dependence, HistogramWithAtomics) {
  expectDisjoint(verdict(subst(Histogram, "HATTR", "")), {{1, 2}});
  expectParallel(verdict(subst(Histogram, "HATTR", "noalias")));
}

TEST(Dependence, AtomicAndPlainAccessConflict) {
  expectSequential(verdict(R"(
func @f(%n: i64, %keys: ptr<i64> readonly, %h: ptr<i32> noalias) {
  for %i = 0 to %n step 1 {
    %b = load %keys[%i]
    atomic add %h[%b], 1
    %v = load %h[%i]
  }
  ret
}
)"),
                   "cannot prove");
}

TEST(Dependence, ScatterIsSequential) {
  auto V = verdict(R"(
func @f(%n: i64, %idx: ptr<i64> readonly, %y: ptr<f32> noalias) {
  for %i = 0 to %n step 1 {
    %k = load %idx[%i]
    store %y[%k], 1.0
  }
  ret
}
)");
  EXPECT_EQ(V.K, LoopVerdict::Sequential);
  EXPECT_EQ(V.Why, "cannot prove that different iterations of the loop over "
                   "%i access different elements: %y[%k] is written, and the "
                   "index %k is not an affine function of the loop indices");
}

constexpr const char *Strided = R"(
func @f(%n: i64, %x: ptr<f32>) {
  for %i = LB to %n step STEP {
    %p = sub %i, DIST
    %v = load %x[%p]
    store %x[%i], %v
  }
  ret
}
)";
LoopVerdict strided(llvm::StringRef LB, llvm::StringRef Step,
                    llvm::StringRef Dist) {
  return verdict(
      subst(subst(subst(Strided, "LB", LB), "STEP", Step), "DIST", Dist));
}

TEST(Dependence, NonZeroLowerBoundAndStep) {
  // i = 1, 3, 5, ...: x[i] and x[i - 1] never meet across iterations.
  expectParallel(strided("1", "2", "1"));
  expectParallel(strided("0", "2", "1"));
  expectSequential(strided("1", "2", "2"),
                   "%x[%i] is written and %x[%i - 2] is read");
  expectSequential(strided("1", "1", "1"),
                   "%x[%i] is written and %x[%i - 1] is read");
  expectParallel(strided("5", "4", "6"));
  // A symbolic step: only i != i' is known.
  expectSequential(verdict(R"(
func @f(%n: i64, %s: i64, %x: ptr<f32>) {
  for %i = 0 to %n step %s {
    %p = sub %i, 1
    %v = load %x[%p]
    store %x[%i], %v
  }
  ret
}
)"),
                   "is read by different iterations");
}

TEST(Dependence, I32Indices) {
  expectParallel(verdict(R"(
func @f(%n: i32, %x: ptr<f32>) {
  for %i = 0 to %n step 1 {
    %e = mul %i, 2
    %o = add %e, 1
    %w = sext %o to i64
    %v = load %x[%e]
    store %x[%w], %v
  }
  ret
}
)"));
  expectSequential(verdict(R"(
func @f(%n: i32, %x: ptr<f32>) {
  for %i = 1 to %n step 1 {
    %p = sub %i, 1
    %q = zext %p to i64
    %v = load %x[%q]
    store %x[%i], %v
  }
  ret
}
)"),
                   "%x[%i] is written and %x[%i - 1] is read");
}

TEST(Dependence, SameElementEveryIteration) {
  expectSequential(verdict(R"(
func @f(%n: i64, %x: ptr<i64> noalias) {
  for %i = 0 to %n step 1 {
    store %x[0], %i
  }
  ret
}
)"),
                   "%x[0] is written by different iterations of the loop "
                   "over %i");
}

TEST(Dependence, SymbolicDistanceIsSequential) {
  expectSequential(verdict(R"(
func @f(%n: i64, %k: i64, %x: ptr<f32>) {
  for %i = 0 to %n step 1 {
    %p = add %i, %k
    %v = load %x[%p]
    store %x[%i], %v
  }
  ret
}
)"),
                   "%x[%i] is written and %x[%i + %k] is read");
}

TEST(Dependence, InvariantComputedInsideTheLoop) {
  expectParallel(verdict(R"(
func @f(%n: i64, %x: ptr<f32>) {
  for %i = 0 to %n step 1 {
    %h = sdiv %n, 2
    %p = add %i, %h
    %v = load %x[%p]
    %w = fadd %v, 1.0
    store %x[%p], %w
  }
  ret
}
)"));
}

TEST(Dependence, UntracedPointerIsSequential) {
  expectSequential(verdict(R"(
func @f(%n: i64, %c: i1, %x: ptr<f32> noalias, %y: ptr<f32> noalias) {
  for %i = 0 to %n step 1 {
    %p = select %c, %x, %y
    store %p[%i], 1.0
  }
  ret
}
)"),
                   "the pointer %p of 'store' cannot be traced to a buffer "
                   "parameter (it comes from 'select')");
}

TEST(Dependence, WhileVariableIndexIsNotAffine) {
  expectSequential(verdict(R"(
func @f(%n: i64, %x: ptr<i64> noalias) {
  for %i = 0 to %n step 1 {
    %r = while (%k: i64 = 0) {
      %go = icmp slt %k, 4
      condition %go
    } do {
      store %x[%k], %i
      %k1 = add %k, 1
      yield %k1
    }
  }
  ret
}
)"),
                   "the index %k is not an affine function");
}

TEST(Dependence, ReluClampMixesReductionAndStores) {
  constexpr const char *Src = R"(
func @relu(%n: i64, %x: ptr<f32> readonly, %y: ptr<f32> YATTR) -> i64 {
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
)";
  expectDisjoint(verdict(subst(Src, "YATTR", "")), {{1, 2}});
  expectParallel(verdict(subst(Src, "YATTR", "noalias")));
}

TEST(Dependence, WritesInsideIfAndNestedLoops) {
  expectSequential(verdict(R"(
func @f(%n: i64, %x: ptr<f32> noalias) {
  for %i = 0 to %n step 1 {
    for %j = 0 to %n step 1 {
      %c = icmp slt %j, %i
      if %c {
        %k = add %i, %j
        store %x[%k], 1.0
      }
    }
  }
  ret
}
)"),
                   "%x[%i + %j] is written by different iterations");
}

TEST(Dependence, CallInBodyIsSequential) {
  auto M = parseAndVerify(R"(
func @f(%n: i64, %x: ptr<f32> noalias) {
  for %i = 0 to %n step 1 {
    call @g(%x, %i)
  }
  ret
}

func @g(%p: ptr<f32>, %k: i64) {
  store %p[%k], 1.0
  ret
}
)");
  ASSERT_TRUE(bool(M)) << llvm::toString(M.takeError());
  const Function &F = *(*M)->Functions.front();
  LoopVerdict V = analyzeLoop(F, F.Body.Ops.front());
  expectSequential(V, "contains a 'call'");
}

} // namespace

TEST(Dependence, WrappingNarrowIndices) {
  // i and i + 256 store to the same element through an i8 index.
  expectSequential(verdict(R"(
func @f(%n: i64, %x: ptr<i32> noalias) {
  for %i = 0 to %n step 1 {
    %k = trunc %i to i8
    %z = zext %k to i64
    %v = trunc %i to i32
    store %x[%z], %v
  }
  ret
}
)"),
                   "is written by different iterations");
  // 65536 * i wraps in i32: i = 0 and i = 65536 both store to x[0].
  expectSequential(verdict(R"(
func @f(%n: i32, %x: ptr<i32> noalias) {
  for %i = 0 to %n step 1 {
    %k = mul %i, 65536
    %c = icmp ult %k, 4
    if %c {
      store %x[%k], %i
    }
  }
  ret
}
)"),
                   "is written by different iterations");
  // The index of a loop over all of i32 takes 2^32 values: 2i wraps, so
  // i = -2^30 and i = 2^30 both store to x[-2^31] (an offset pointer could
  // make that in bounds); from 0, 2i + 1 does not repeat.
  expectSequential(verdict(R"(
func @f(%n: i32, %x: ptr<i32> noalias) {
  for %i = -2147483648 to %n step 1 {
    %e = mul %i, 2
    store %x[%e], %i
  }
  ret
}
)"),
                   "%x[2 * %i] is written by different iterations");
  expectParallel(verdict(R"(
func @f(%n: i32, %x: ptr<i32> noalias) {
  for %i = 0 to %n step 1 {
    %e = mul %i, 2
    %o = add %e, 1
    store %x[%o], %i
  }
  ret
}
)"));
}
