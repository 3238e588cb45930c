//===- tests/unit/runtime/SimulatorTest.cpp - the plan simulator ----------===//
//
// reduceTree against a second, independently written version of the tree of
// docs/passes.md and against sequential folds (integers), and simulatePlan on
// plans built by hand: kernels over 1-D and 2-D grids, reductions, scalar
// steps, plan loops, overlap checks, faults.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Simulator.h"

#include "tests/unit/ir/TestSupport.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

//===-- reduceTree --------------------------------------------------------===//

uint64_t refOp(Opcode Op, Type Ty, uint64_t A, uint64_t B) {
  unsigned W = Ty.bits();
  uint64_t M = W == 64 ? ~0ull : (1ull << W) - 1;
  auto S = [&](uint64_t V) { return int64_t(V << (64 - W)) >> (64 - W); };
  switch (Op) {
  case Opcode::Add:
    return (A + B) & M;
  case Opcode::Mul:
    return (A * B) & M;
  case Opcode::Xor:
    return A ^ B;
  case Opcode::And:
    return A & B;
  case Opcode::Or:
    return A | B;
  case Opcode::SMin:
    return S(A) <= S(B) ? A : B;
  case Opcode::SMax:
    return S(A) >= S(B) ? A : B;
  case Opcode::UMin:
    return std::min(A, B);
  case Opcode::UMax:
    return std::max(A, B);
  case Opcode::FAdd:
    if (W == 32)
      return f32b(std::bit_cast<float>(uint32_t(A)) +
                  std::bit_cast<float>(uint32_t(B)));
    return f64b(std::bit_cast<double>(A) + std::bit_cast<double>(B));
  default:
    ADD_FAILURE() << "op not in the reference";
    return 0;
  }
}

uint64_t refIdentity(Opcode Op, Type Ty) {
  unsigned W = Ty.bits();
  uint64_t M = W == 64 ? ~0ull : (1ull << W) - 1;
  switch (Op) {
  case Opcode::Mul:
    return 1;
  case Opcode::And:
  case Opcode::UMin:
    return M;
  case Opcode::SMin:
    return M >> 1;
  case Opcode::SMax:
    return 1ull << (W - 1);
  case Opcode::FAdd:
    return W == 32 ? f32b(-0.0f) : f64b(-0.0);
  default:
    return 0;
  }
}

/// The tree of docs/passes.md written out thread by thread.
uint64_t refTree(Opcode Op, Type Ty, uint64_t Init,
                 const std::vector<uint64_t> &Xs) {
  size_t N = Xs.size();
  if (N == 0)
    return Init;
  size_t G = std::min<size_t>((N + 255) / 256, 1024), S = G * 256;
  std::vector<uint64_t> Thread(S, refIdentity(Op, Ty));
  for (size_t I = 0; I < N; ++I)
    Thread[I % S] = refOp(Op, Ty, Thread[I % S], Xs[I]);
  auto Block = [&](std::vector<uint64_t> P) {
    for (size_t Half = 128; Half; Half >>= 1)
      for (size_t T = 0; T < Half; ++T)
        P[T] = refOp(Op, Ty, P[T], P[T + Half]);
    return P[0];
  };
  std::vector<uint64_t> Q;
  for (size_t B = 0; B < G; ++B)
    Q.push_back(Block(std::vector<uint64_t>(Thread.begin() + B * 256,
                                            Thread.begin() + B * 256 + 256)));
  std::vector<uint64_t> Last(256, refIdentity(Op, Ty));
  for (size_t I = 0; I < G; ++I)
    Last[I % 256] = refOp(Op, Ty, Last[I % 256], Q[I]);
  return refOp(Op, Ty, Init, Block(Last));
}

const size_t TreeSizes[] = {0, 1, 255, 256, 257, 100000, 300000};

TEST(ReduceTreeTest, IntegerOpsEqualSequentialFold) {
  std::mt19937_64 Rng(42);
  const Opcode Ops[] = {Opcode::Add,  Opcode::Mul,  Opcode::Xor,
                        Opcode::And,  Opcode::Or,   Opcode::SMin,
                        Opcode::SMax, Opcode::UMin, Opcode::UMax};
  for (Type Ty : {I32, I64})
    for (Opcode Op : Ops)
      for (size_t N : TreeSizes) {
        uint64_t M = Ty == I32 ? 0xffffffffull : ~0ull;
        std::vector<uint64_t> Xs(N);
        for (auto &X : Xs) {
          X = Rng() & M;
          // Mostly odd small factors keep a product from becoming 0.
          if (Op == Opcode::Mul)
            X = (X & 7) | 1;
        }
        uint64_t Init = Rng() & M, Seq = Init;
        for (uint64_t X : Xs)
          Seq = refOp(Op, Ty, Seq, X);
        EXPECT_EQ(reduceTree(Op, Ty, Init, Xs), Seq)
            << opcodeName(Op).str() << " " << Ty.str() << " N=" << N;
      }
}

TEST(ReduceTreeTest, FloatSumFollowsTheTree) {
  std::mt19937_64 Rng(7);
  for (Type Ty : {F32, F64})
    for (size_t N : TreeSizes) {
      std::vector<uint64_t> Xs(N);
      for (auto &X : Xs) {
        double D = std::ldexp(double(Rng() % 2000000) - 1000000.0,
                              int(Rng() % 40) - 20);
        X = Ty == F32 ? f32b(float(D)) : f64b(D);
      }
      uint64_t Init = Ty == F32 ? f32b(0.5f) : f64b(0.5);
      EXPECT_EQ(reduceTree(Opcode::FAdd, Ty, Init, Xs),
                refTree(Opcode::FAdd, Ty, Init, Xs))
          << Ty.str() << " N=" << N;
    }
}

TEST(ReduceTreeTest, FloatSumOrderIsTheTreeNotSequential) {
  // 1e8 + 1 + ... in f32 loses the ones when folded left to right; the tree
  // adds most of the ones among themselves before they meet 1e8.
  std::vector<uint64_t> Xs(1000, f32b(1.0f));
  Xs[0] = f32b(1e8f);
  float Seq = 0.0f;
  for (uint64_t X : Xs)
    Seq += std::bit_cast<float>(uint32_t(X));
  uint64_t Tree = reduceTree(Opcode::FAdd, F32, f32b(0.0f), Xs);
  EXPECT_EQ(Tree, refTree(Opcode::FAdd, F32, f32b(0.0f), Xs));
  EXPECT_EQ(Seq, 1e8f);
  float T = std::bit_cast<float>(uint32_t(Tree));
  EXPECT_LT(std::abs(double(T) - 100000999.0), 8.0) << T;
}

TEST(ReduceTreeTest, IdentitiesAndFloatMinMax) {
  // An empty reduction is Init; one point is OP(Init, x).
  EXPECT_EQ(reduceTree(Opcode::SMin, I32, 5, {}), 5u);
  EXPECT_EQ(reduceTree(Opcode::SMin, I32, 5, {0xfffffffeull}), 0xfffffffeull);
  EXPECT_EQ(reduceTree(Opcode::SMax, I32, 0xfffffff0ull, {0xfffffffeull}),
            0xfffffffeull);
  EXPECT_EQ(reduceTree(Opcode::UMin, I64, ~0ull, {3, 9}), 3u);
  // fadd's identity is -0.0: -0.0 + -0.0 stays -0.0.
  EXPECT_EQ(reduceTree(Opcode::FAdd, F32, f32b(-0.0f), {f32b(-0.0f)}),
            f32b(-0.0f));
  // minNum ignores NaN; fmin(-0, +0) = -0, fmax(-0, +0) = +0.
  uint64_t NaN = f32b(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(reduceTree(Opcode::FMin, F32, NaN, {f32b(2.0f), NaN, f32b(1.0f)}),
            f32b(1.0f));
  EXPECT_EQ(reduceTree(Opcode::FMin, F32, f32b(0.0f), {f32b(-0.0f)}),
            f32b(-0.0f));
  EXPECT_EQ(reduceTree(Opcode::FMax, F64, f64b(-0.0), {f64b(0.0)}), f64b(0.0));
  EXPECT_EQ(reduceTree(Opcode::FMax, F64, f64b(3.0), {NaN, NaN}), f64b(3.0));
  EXPECT_EQ(reduceTree(Opcode::FMul, F64, f64b(2.0), {f64b(3.0), f64b(0.5)}),
            f64b(3.0));
}

//===-- simulatePlan on hand-built plans ----------------------------------===//

/// A plan over Code's functions; the caller adds slots and steps.
Plan makePlan(const char *Code, std::vector<PlanSlot> Slots,
              unsigned NumParams) {
  Plan P;
  P.Entry = "f";
  P.Code = parseOk(Code);
  P.Slots = std::move(Slots);
  P.NumParams = NumParams;
  return P;
}

PlanStep kernel(uint32_t Func, std::vector<GridDim> Grid,
                std::vector<SlotId> Args) {
  PlanStep S;
  S.Kind = StepKind::Kernel;
  S.Func = Func;
  S.Grid = std::move(Grid);
  S.Args = std::move(Args);
  return S;
}

PlanStep scalar(uint32_t Func, std::vector<SlotId> Args,
                std::vector<SlotId> Results) {
  PlanStep S;
  S.Func = Func;
  S.Args = std::move(Args);
  S.Results = std::move(Results);
  return S;
}

std::vector<uint64_t> simOk(const Plan &P, llvm::ArrayRef<InterpArg> Args,
                            uint64_t Seed = 1) {
  auto R = simulatePlan(P, Args, {Seed});
  if (!R) {
    ADD_FAILURE() << llvm::toString(R.takeError());
    return {};
  }
  return *R;
}

// Slots: 0 %n, 1 %x, 2 lb=0, 3 step=1, 4 init=0, 5 sum.
constexpr const char *ScaleSumCode = R"(
func @k(%i: i64, %x: ptr<i32>) -> i32 {
  %v = load %x[%i]
  %t = trunc %i to i32
  %d = mul %v, 2
  %w = add %d, %t
  store %x[%i], %w
  ret %w
}
)";

Plan scaleSumPlan() {
  // lb, step and the initial sum are constant slots.
  Plan P = makePlan(ScaleSumCode,
                    {{I64, "n"},
                     {Type::ptr(Scalar::I32), "x"},
                     {I64, "lb", true, 0},
                     {I64, "step", true, 1},
                     {I32, "zero", true, 0},
                     {I32, "sum"}},
                    2);
  PlanStep K = kernel(0, {{2, 0, 3}}, {1});
  K.Reductions.push_back({Opcode::Add, I32, 4, 5});
  P.Steps.push_back(std::move(K));
  P.Returns = {5};
  return P;
}

TEST(SimulatePlanTest, KernelWithReduction) {
  Plan P = scaleSumPlan();
  for (uint64_t Seed : {1, 2, 99}) {
    std::vector<int32_t> X = {5, -3, 7, 0, 11, 2, 9, 100, -50, 4};
    auto R = simOk(P, {InterpArg::scalar(10), InterpArg::buffer(X.data(), 10)},
                   Seed);
    int32_t Want = 0;
    std::vector<int32_t> Orig = {5, -3, 7, 0, 11, 2, 9, 100, -50, 4};
    for (int I = 0; I < 10; ++I) {
      EXPECT_EQ(X[I], Orig[I] * 2 + I);
      Want += X[I];
    }
    ASSERT_EQ(R.size(), 1u);
    EXPECT_EQ(R[0], uint64_t(uint32_t(Want)));
  }
  // An empty grid: the reduction is its initial value.
  std::vector<int32_t> X = {1};
  EXPECT_EQ(simOk(P, {InterpArg::scalar(0), InterpArg::buffer(X.data(), 1)}),
            std::vector<uint64_t>{0});
  EXPECT_EQ(X[0], 1);
}

TEST(SimulatePlanTest, FaultNamesTheSeed) {
  Plan P = scaleSumPlan();
  std::vector<int32_t> X(4);
  auto R = simulatePlan(
      P, {InterpArg::scalar(5), InterpArg::buffer(X.data(), 4)}, {1234});
  std::string Msg = errText(std::move(R));
  EXPECT_NE(Msg.find("out-of-bounds load in @k: buffer %x index 4 is outside "
                     "[0, 4)"),
            std::string::npos)
      << Msg;
  EXPECT_NE(Msg.find("(simulated with seed 1234)"), std::string::npos) << Msg;
}

TEST(SimulatePlanTest, PointsRunShuffled) {
  // x[i + 1] = x[i] + 1 is a dependence: in order it counts 0..n, shuffled
  // it does not, and different seeds give different results.
  std::vector<std::vector<int64_t>> Outs;
  for (uint64_t Seed : {1, 2}) {
    std::vector<int64_t> X(65, 0);
    Plan Q = makePlan(R"(
func @k(%i: i64, %x: ptr<i64>) {
  %v = load %x[%i]
  %w = add %v, 1
  %j = add %i, 1
  store %x[%j], %w
  ret
}
func @c() -> (i64, i64) {
  ret 1, 0
}
)",
                      {{I64, "n"},
                       {Type::ptr(Scalar::I64), "x"},
                       {I64, "one"},
                       {I64, "zero"}},
                      2);
    Q.Steps.push_back(scalar(1, {}, {2, 3}));
    Q.Steps.push_back(kernel(0, {{3, 0, 2}}, {1}));
    simOk(Q, {InterpArg::scalar(64), InterpArg::buffer(X.data(), 65)}, Seed);
    Outs.push_back(X);
  }
  EXPECT_NE(Outs[0], Outs[1]);
  EXPECT_NE(Outs[0][64], 64);
}

TEST(SimulatePlanTest, TwoDimensionalGridLinearOrder) {
  // Contributions are recorded at i * m + j; an f32 sum shows the order.
  Plan P = makePlan(R"(
func @k(%i: i32, %j: i32, %m: i32, %x: ptr<f32> readonly) -> f32 {
  %r = mul %i, %m
  %l = add %r, %j
  %v = load %x[%l]
  ret %v
}
func @c() -> (i32, i32, f32) {
  ret 0, 1, 0.0
}
)",
                    {{I32, "n"},
                     {I32, "m"},
                     {Type::ptr(Scalar::F32), "x"},
                     {I32, "zero"},
                     {I32, "one"},
                     {F32, "init"},
                     {F32, "sum"}},
                    3);
  P.Steps.push_back(scalar(1, {}, {3, 4, 5}));
  PlanStep K = kernel(0, {{3, 0, 4}, {3, 1, 4}}, {1, 2});
  K.Reductions.push_back({Opcode::FAdd, F32, 5, 6});
  P.Steps.push_back(std::move(K));
  P.Returns = {6};
  std::mt19937 Rng(3);
  const int N = 37, M = 29;
  std::vector<float> X(N * M);
  std::vector<uint64_t> Bits;
  for (float &V : X) {
    V = std::ldexp(float(Rng() % 100000), int(Rng() % 30) - 15);
    Bits.push_back(f32b(V));
  }
  uint64_t Want = reduceTree(Opcode::FAdd, F32, f32b(0.0f), Bits);
  for (uint64_t Seed : {1, 5})
    EXPECT_EQ(simOk(P,
                    {InterpArg::scalar(N), InterpArg::scalar(M),
                     InterpArg::buffer(X.data(), X.size())},
                    Seed),
              std::vector<uint64_t>{Want});
}

TEST(SimulatePlanTest, TripCountsAsTheInterpreter) {
  // A kernel counting its points with an add reduction.
  Plan P =
      makePlan(R"(
func @k(%i: i32) -> i32 {
  ret 1
}
)",
               {{I32, "lb"}, {I32, "ub"}, {I32, "step"}, {I32, "count"}}, 4);
  P.Slots.push_back({I32, "n"});
  PlanStep K = kernel(0, {{0, 1, 2}}, {});
  K.Reductions.push_back({Opcode::Add, I32, 3, 4});
  P.Steps.push_back(std::move(K));
  P.Returns = {4};
  auto Count = [&](int32_t LB, int32_t UB, int32_t Step) {
    auto R = simOk(
        P, {InterpArg::scalar(uint32_t(LB)), InterpArg::scalar(uint32_t(UB)),
            InterpArg::scalar(uint32_t(Step)), InterpArg::scalar(0)});
    return R.empty() ? ~0ull : R[0];
  };
  EXPECT_EQ(Count(0, 10, 3), 4u);
  EXPECT_EQ(Count(-5, 5, 1), 10u);
  EXPECT_EQ(Count(0, 10, 0), 0u);
  EXPECT_EQ(Count(0, 10, -1), 0u);
  EXPECT_EQ(Count(10, 0, 1), 0u);
  EXPECT_EQ(Count(2147483640, 2147483647, 3), 3u);
  EXPECT_EQ(Count(-2147483647 - 1, -2147483647 + 99, 50), 2u);
}

TEST(SimulatePlanTest, PlanLoopsAndOverlapChecks) {
  // for %t = 0 to %steps: x[i] += 1 for every i (a kernel), then a while
  // that doubles %v until it reaches %lim; an overlap check picks a kernel or
  // its fallback.
  Plan P = makePlan(R"(
func @inc(%i: i64, %x: ptr<i32>) {
  %v = load %x[%i]
  %w = add %v, 1
  store %x[%i], %w
  ret
}
func @c() -> (i64, i64, i32) {
  ret 0, 1, 1
}
func @lt(%v: i32, %lim: i32) -> i1 {
  %c = icmp slt %v, %lim
  ret %c
}
func @dbl(%v: i32) -> i32 {
  %w = add %v, %v
  ret %w
}
func @mark(%x: ptr<i32>, %y: ptr<i32>, %k: i32) {
  store %x[0], %k
  ret
}
func @k7() -> i32 {
  ret 7
}
func @k9() -> i32 {
  ret 9
}
)",
                    {{I64, "steps"},                // 0
                     {I64, "n"},                    // 1
                     {Type::ptr(Scalar::I32), "x"}, // 2
                     {Type::ptr(Scalar::I32), "y"}, // 3
                     {I32, "lim"},                  // 4
                     {I64, "zero"},                 // 5
                     {I64, "one"},                  // 6
                     {I32, "v0"},                   // 7
                     {I64, "t"},                    // 8
                     {I32, "v"},                    // 9
                     {I1, "go"},                    // 10
                     {I32, "vnext"},                // 11
                     {I32, "vout"},                 // 12
                     {I32, "k"}},                   // 13
                    5);
  P.Steps.push_back(scalar(1, {}, {5, 6, 7}));
  PlanStep For;
  For.Kind = StepKind::ForLoop;
  For.Bounds = {5, 0, 6};
  For.Index = 8;
  For.Body.push_back(kernel(0, {{5, 1, 6}}, {2}));
  P.Steps.push_back(std::move(For));
  PlanStep While;
  While.Kind = StepKind::WhileLoop;
  While.Cond.push_back(scalar(2, {9, 4}, {10}));
  While.CondSlot = 10;
  While.Body.push_back(scalar(3, {9}, {11}));
  While.Carried = {9};
  While.Inits = {7};
  While.Nexts = {11};
  While.LoopResults = {12};
  P.Steps.push_back(std::move(While));
  PlanStep Check;
  Check.Kind = StepKind::OverlapCheck;
  Check.Disjoint = {{2, 3}};
  Check.Body.push_back(scalar(5, {}, {13}));
  Check.Fallback.push_back(scalar(6, {}, {13}));
  P.Steps.push_back(std::move(Check));
  P.Steps.push_back(scalar(4, {2, 3, 13}, {}));
  P.Returns = {12, 8};

  std::vector<int32_t> Buf(20, 0);
  auto R = simOk(P, {InterpArg::scalar(3), InterpArg::scalar(10),
                     InterpArg::buffer(Buf.data(), 10),
                     InterpArg::buffer(Buf.data() + 10, 10),
                     InterpArg::scalar(100)});
  EXPECT_EQ(R, (std::vector<uint64_t>{128, 2}));
  EXPECT_EQ(Buf[0], 7);
  EXPECT_EQ(Buf[1], 3);
  EXPECT_EQ(Buf[10], 0);
  // Overlapping buffers take the fallback; zero trips keep the inits.
  std::fill(Buf.begin(), Buf.end(), 0);
  R = simOk(P, {InterpArg::scalar(0), InterpArg::scalar(10),
                InterpArg::buffer(Buf.data(), 10),
                InterpArg::buffer(Buf.data() + 9, 10), InterpArg::scalar(1)});
  EXPECT_EQ(R[0], 1u);
  EXPECT_EQ(Buf[0], 9);
  EXPECT_EQ(Buf[1], 0);
}

} // namespace
