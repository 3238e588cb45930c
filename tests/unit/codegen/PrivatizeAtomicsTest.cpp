//===- PrivatizeAtomicsTest.cpp - the histogram privatisation analysis ----===//
//
// indexUpperBound's tiny range analysis and the eligibility rules of
// findPrivatizableAtomics (codegen/PrivatizeAtomics.h), on hand-written
// functions; tests/lit/codegen/nvptx-privatize.vir covers the code.
//
//===----------------------------------------------------------------------===//
#include "../ir/TestSupport.h"

#include "codegen/PrivatizeAtomics.h"

#include <gtest/gtest.h>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

Value named(const Function &F, llvm::StringRef Name) {
  for (uint32_t I = 0; I < F.numValues(); ++I)
    if (F.name(Value{I}) == Name)
      return Value{I};
  ADD_FAILURE() << "no value %" << Name.str();
  return Value{};
}

TEST(PrivatizeAtomics, IndexRanges) {
  std::unique_ptr<Module> M = parseOk(R"(
func @f(%x: i32, %y: i64, %c: i8, %s: i16, %m: i32) {
  %a = and %x, 255
  %b = urem %y, 100
  %n = and %x, -1
  %z = zext %c to i32
  %w = zext %s to i64
  %e = sext %a to i64
  %t = trunc %b to i8
  %t2 = trunc %a to i8
  %u = urem %x, 0
  %v = umin %x, 7
  %r = and %x, %m
  %k = const 42 : i32
  %q = urem %a, 1000
  ret
}
)");
  const Function &F = *M->Functions[0];
  auto UB = [&](llvm::StringRef N) { return indexUpperBound(F, named(F, N)); };
  EXPECT_EQ(UB("a"), 255u);
  EXPECT_EQ(UB("b"), 99u);
  EXPECT_EQ(UB("n"), std::nullopt); // -1 is no bound read signed
  EXPECT_EQ(UB("z"), 255u);
  EXPECT_EQ(UB("w"), 65535u);
  EXPECT_EQ(UB("e"), 255u);
  EXPECT_EQ(UB("t"), 99u);
  EXPECT_EQ(UB("t2"), std::nullopt); // 255 is negative as an i8
  EXPECT_EQ(UB("u"), std::nullopt);
  EXPECT_EQ(UB("v"), 7u);
  EXPECT_EQ(UB("r"), std::nullopt);
  EXPECT_EQ(UB("k"), 42u);
  EXPECT_EQ(UB("q"), 255u);
  EXPECT_EQ(UB("x"), std::nullopt);
}

TEST(PrivatizeAtomics, Eligibility) {
  std::unique_ptr<Module> M = parseOk(R"(
func @f(%n: i64, %k: ptr<i32> readonly, %h: ptr<i32> noalias, %g: ptr<i64> noalias, %used: ptr<i32> noalias, %ld: ptr<i32> noalias, %big: ptr<i32> noalias, %fl: ptr<f32> noalias, %o: ptr<i32>) {
  for %i = 0 to %n step 1 parallel {
    %x = load %k[%i]
    %b = and %x, 255
    atomic add %h[%b], 1
    %r = urem %x, 100
    %v = sext %x to i64
    atomic add %g[%r], %v
    atomic add %h[%r], 2
    %old = atomic add %used[%b], 1
    store %o[%i], %old
    atomic add %ld[%b], 1
    %l = load %ld[%i]
    store %o[%i], %l
    %c = and %x, 8191
    atomic add %big[%c], 1
    atomic fadd %fl[%b], 1.0
  }
  ret
}
)");
  const Function &F = *M->Functions[0];
  std::vector<PrivatizedBuffer> P = findPrivatizableAtomics(F, 0);
  ASSERT_EQ(P.size(), 2u);
  EXPECT_EQ(P[0].Param, 2u);
  EXPECT_EQ(P[0].Bins, 256u); // the max over its two atomics
  EXPECT_EQ(P[0].Elem, Type::i32());
  EXPECT_EQ(P[1].Param, 3u);
  EXPECT_EQ(P[1].Bins, 100u);
  EXPECT_EQ(P[1].Elem, Type::i64());
}

TEST(PrivatizeAtomics, AliasingNeedsNoAliasOrReadOnlyNeighbours) {
  // %h may alias %o, which the body writes: not privatisable.
  std::unique_ptr<Module> M = parseOk(R"(
func @f(%n: i64, %h: ptr<i32>, %o: ptr<i32>) {
  for %i = 0 to %n step 1 parallel {
    %b = and %i, 15
    %b32 = trunc %b to i32
    atomic add %h[%b32], 1
    store %o[%i], 1
  }
  ret
}
func @g(%n: i64, %h: ptr<i32>, %k: ptr<i32> readonly) {
  for %i = 0 to %n step 1 parallel {
    %x = load %k[%i]
    %b = urem %x, 16
    atomic add %h[%b], 1
  }
  ret
}
)");
  EXPECT_TRUE(findPrivatizableAtomics(*M->Functions[0], 0).empty());
  std::vector<PrivatizedBuffer> P =
      findPrivatizableAtomics(*M->Functions[1], 0);
  ASSERT_EQ(P.size(), 1u);
  EXPECT_EQ(P[0].Bins, 16u);
}

} // namespace
