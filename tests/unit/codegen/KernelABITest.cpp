//===- KernelABITest.cpp - the device functions of a plan ----------------===//
//
// computePlanABI decides which slots travel by value and what every device
// function takes; the code generator and the executor both read it. These
// tests pin it for the plan shapes of spec §5.
//
//===----------------------------------------------------------------------===//
#include "../ir/TestSupport.h"

#include "ircgpu/Compiler.h"
#include "ircgpu/KernelABI.h"

#include <gtest/gtest.h>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

Plan planOf(llvm::StringRef Src, llvm::StringRef Entry) {
  std::unique_ptr<Module> M = parseOk(Src);
  auto P = buildPlan(*M, Entry);
  EXPECT_TRUE(bool(P)) << (P ? "" : errText(P.takeError()));
  return std::move(*P);
}

/// The kinds of DF's parameters, spelled as a string for readable failures.
std::string kinds(const DeviceFunction &DF) {
  static const char *Names[] = {"slots", "err",   "lb",       "trips", "step",
                                "value", "count", "partials", "blocks"};
  std::string Out;
  for (const KernelParam &KP : DF.Params) {
    Out += Out.empty() ? "" : " ";
    Out += Names[unsigned(KP.Kind)];
  }
  return Out;
}

const StepCode &onlyCode(const PlanABI &A) {
  const StepCode *Found = nullptr;
  for (const auto &C : A.Code)
    if (C) {
      EXPECT_EQ(Found, nullptr) << "more than one step with code";
      Found = &*C;
    }
  EXPECT_NE(Found, nullptr);
  return *Found;
}

constexpr const char *Saxpy = R"(
func @saxpy(%n: i64, %a: f32, %x: ptr<f32> readonly noalias, %y: ptr<f32> noalias) {
  for %i = 0 to %n step 1 {
    %xi = load %x[%i]
    %yi = load %y[%i]
    %t = fmul %a, %xi
    %r = fadd %t, %yi
    store %y[%i], %r
  }
  ret
}
)";

constexpr const char *Sum = R"(
func @sum(%n: i64, %x: ptr<f32> readonly) -> f32 {
  %s = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 0.0) {
    %v = load %x[%i]
    %a = fadd %acc, %v
    yield %a
  }
  ret %s
}
)";

TEST(KernelABI, GridKernelTakesHostKnownArgumentsByValue) {
  Plan P = planOf(Saxpy, "saxpy");
  PlanABI A = computePlanABI(P, /*Checked=*/false);
  const StepCode &C = onlyCode(A);
  EXPECT_EQ(C.Main.Name, "saxpy$k0");
  EXPECT_EQ(C.Main.Shape, LaunchShape::Grid);
  EXPECT_FALSE(C.Final);
  EXPECT_EQ(kinds(C.Main), "slots lb trips step value value value");
  EXPECT_EQ(C.Main.Params[2].Slot,
            0u); // the trip count of 0 to %n (parameter 0)
  for (SlotId S = 0; S < P.NumParams; ++S)
    EXPECT_TRUE(A.HostKnown[S]);
  EXPECT_EQ(A.MaxReductions, 0u);
}

TEST(KernelABI, CheckedModeAddsTheRecordAndBufferCounts) {
  Plan P = planOf(Saxpy, "saxpy");
  PlanABI A = computePlanABI(P, /*Checked=*/true);
  EXPECT_TRUE(A.Checked);
  const StepCode &C = onlyCode(A);
  // Step::Args order: the buffers and %a as the outliner lists them; each
  // buffer is followed by its count.
  std::string K = kinds(C.Main);
  EXPECT_EQ(K.substr(0, 27), "slots err lb trips step val");
  size_t Counts = 0;
  for (size_t I = 0; I < C.Main.Params.size(); ++I)
    if (C.Main.Params[I].Kind == ParamKind::Count) {
      ++Counts;
      ASSERT_GT(I, 0u);
      EXPECT_EQ(C.Main.Params[I - 1].Kind, ParamKind::Value);
      EXPECT_EQ(C.Main.Params[I - 1].Slot, C.Main.Params[I].Slot);
      EXPECT_TRUE(P.Slots[C.Main.Params[I].Slot].Ty.isPtr());
    }
  EXPECT_EQ(Counts, 2u);
}

TEST(KernelABI, ReductionIsATreeAndAFinalKernel) {
  Plan P = planOf(Sum, "sum");
  PlanABI A = computePlanABI(P, false);
  const StepCode &C = onlyCode(A);
  EXPECT_EQ(C.Main.Shape, LaunchShape::Tree);
  EXPECT_EQ(kinds(C.Main), "slots lb trips step value partials blocks");
  ASSERT_TRUE(C.Final);
  EXPECT_EQ(C.Final->Name, "sum$k0$final");
  EXPECT_EQ(C.Final->Shape, LaunchShape::Final);
  // The init (the literal 0.0) is a constant slot: passed by value.
  EXPECT_EQ(kinds(*C.Final), "slots partials blocks value");
  EXPECT_TRUE(P.Slots[C.Final->Params[3].Slot].IsConst);
  EXPECT_EQ(A.MaxReductions, 1u);
  // The result is written on the device, so it is not host-known.
  ASSERT_EQ(P.Returns.size(), 1u);
  EXPECT_FALSE(A.HostKnown[P.Returns[0]]);
  EXPECT_EQ(partialsOffset(1, 3), (1024u + 3u) * 8u);
}

constexpr const char *Hist = R"(
func @hist(%n: i64, %k: ptr<i32> readonly, %h: ptr<i32> noalias) {
  for %i = 0 to %n step 1 parallel {
    %v = load %k[%i]
    %b = and %v, 255
    %o = atomic add %h[%b], 1
  }
  ret
}
)";

TEST(KernelABI, PrivatisedHistogramIsGridStrideWithItsBlockCount) {
  Plan P = planOf(Hist, "hist");
  PlanABI A = computePlanABI(P, false);
  const StepCode &C = onlyCode(A);
  EXPECT_EQ(C.Main.Shape, LaunchShape::Grid);
  EXPECT_EQ(C.Main.PointsPerThread, GridPointsPerThread);
  EXPECT_TRUE(C.Main.GridStride);
  EXPECT_EQ(kinds(C.Main), "slots lb trips step value value blocks");
  // Checked mode keeps the atomics on the global buffer: nothing to amortise.
  PlanABI AK = computePlanABI(P, true);
  const StepCode &K = onlyCode(AK);
  EXPECT_FALSE(K.Main.GridStride);
  EXPECT_EQ(kinds(K.Main).find("blocks"), std::string::npos);
  // A kernel without privatised atomics covers its grid with its launch.
  PlanABI AS = computePlanABI(planOf(Saxpy, "saxpy"), false);
  EXPECT_FALSE(onlyCode(AS).Main.GridStride);
}

TEST(KernelABI, DeviceComputedValuesAreReadFromTheSlotArray) {
  // %m is computed by a scalar step and used by the kernel and its bound.
  Plan P = planOf(R"(
func @f(%n: i64, %x: ptr<i64> noalias) {
  %m = sdiv %n, 2
  for %i = 0 to %m step 1 {
    store %x[%i], %m
  }
  ret
}
)",
                  "f");
  PlanABI A = computePlanABI(P, false);
  unsigned Scalars = 0, Grids = 0;
  for (size_t F = 0; F < A.Code.size(); ++F) {
    if (!A.Code[F])
      continue;
    const DeviceFunction &DF = A.Code[F]->Main;
    if (DF.Shape == LaunchShape::Single) {
      ++Scalars;
      EXPECT_EQ(kinds(DF), "slots value");
    } else {
      ++Grids;
      // The grid (LB, the trip count to %m, Step) still travels by value
      // (the executor reads %m back); the argument %m does not.
      EXPECT_EQ(kinds(DF), "slots lb trips step value");
      EXPECT_FALSE(A.HostKnown[DF.Params[2].Slot]);
      EXPECT_TRUE(P.Slots[DF.Params[4].Slot].Ty.isPtr());
    }
  }
  EXPECT_EQ(Scalars, 1u);
  EXPECT_EQ(Grids, 1u);
}

TEST(KernelABI, PlanLoopIndexIsHostKnownAndCarriedValuesAreNot) {
  Plan P = planOf(R"(
func @steps(%n: i64, %t: i64, %x: ptr<f32> noalias) -> f32 {
  %r = for %k = 0 to %t step 1 iter(%acc: f32 = 1.0) {
    for %i = 0 to %n step 1 parallel {
      %v = load %x[%i]
      %w = fmul %v, %acc
      store %x[%i], %w
    }
    %a2 = fadd %acc, 1.0
    yield %a2
  }
  ret %r
}
)",
                  "steps");
  PlanABI A = computePlanABI(P, false);
  const PlanStep *Loop = nullptr;
  for (const PlanStep &S : P.Steps)
    if (S.Kind == StepKind::ForLoop)
      Loop = &S;
  ASSERT_NE(Loop, nullptr);
  EXPECT_TRUE(A.HostKnown[Loop->Index]);
  for (SlotId C : Loop->Carried)
    EXPECT_FALSE(A.HostKnown[C]);
  // The kernel reads the carried %acc from the slot array: no Value param
  // for it.
  for (const PlanStep &S : Loop->Body) {
    if (S.Kind != StepKind::Kernel)
      continue;
    for (const KernelParam &KP : A.Code[S.Func]->Main.Params) {
      if (KP.Kind == ParamKind::Value) {
        EXPECT_TRUE(A.HostKnown[KP.Slot]);
      }
    }
  }
}

} // namespace
