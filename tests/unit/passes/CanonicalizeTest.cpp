//===- CanonicalizeTest.cpp - canonicalize --------------------------------===//
//
// Each test parses a module, canonicalizes one function, verifies the module,
// checks the printed text (which must parse back to the same text) and runs
// the interpreter on the original and the canonicalized module with the same
// inputs: results and buffers must agree bit for bit. The random tests fold
// thousands of ops on edge values and compare with the interpreter.
//
//===----------------------------------------------------------------------===//
#include "passes/Canonicalize.h"

#include "ircgpu/Builder.h"
#include "ircgpu/Interpreter.h"
#include "ircgpu/Parser.h"
#include "ircgpu/Printer.h"
#include "ircgpu/Verifier.h"

#include "../ir/TestSupport.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

/// Canonicalizes F of M, verifies, checks that the text parses back to the
/// same text and that a second run changes nothing. False on a failure.
bool canonicalizeChecked(Module &M, Function &F) {
  canonicalize(F);
  if (llvm::Error E = verifyModule(M)) {
    ADD_FAILURE() << llvm::toString(std::move(E)) << "\nafter canonicalize:\n"
                  << printModule(M);
    return false;
  }
  std::string Text = printModule(M);
  auto Again = parseAndVerify(Text);
  if (!Again) {
    ADD_FAILURE() << llvm::toString(Again.takeError()) << "\nin:\n" << Text;
    return false;
  }
  EXPECT_EQ(printModule(**Again), Text);
  canonicalize(F);
  EXPECT_EQ(printModule(M), Text) << "canonicalize is not idempotent";
  return true;
}

std::unique_ptr<Module> canonicalized(llvm::StringRef Src,
                                      llvm::StringRef Entry) {
  auto M = parseAndVerify(Src);
  if (!M) {
    ADD_FAILURE() << llvm::toString(M.takeError()) << "\nin:\n" << Src.str();
    return nullptr;
  }
  Function *F = (*M)->lookup(Entry);
  EXPECT_NE(F, nullptr);
  if (!F || !canonicalizeChecked(**M, *F))
    return nullptr;
  return std::move(*M);
}

/// Canonicalizes Src's only function and returns the printed module.
std::string canon(llvm::StringRef Src) {
  auto M = parseAndVerify(Src);
  if (!M) {
    ADD_FAILURE() << llvm::toString(M.takeError()) << "\nin:\n" << Src.str();
    return "";
  }
  if (!canonicalizeChecked(**M, *(*M)->Functions[0]))
    return "";
  return printModule(**M);
}

//===-- Folding -----------------------------------------------------------===//

TEST(Canonicalize, FoldsAndPropagatesLiterals) {
  const char *Src = R"(func @f(%x: i32) -> i32 {
  %a = const 2 : i32
  %b = add %a, 3
  %c = mul %b, %x
  %d = shl %a, 33
  %e = sub %c, %d
  ret %e
}
)";
  EXPECT_EQ(canon(Src), R"(func @f(%x: i32) -> i32 {
  %c = mul 5, %x
  %e = sub %c, 4
  ret %e
}
)");
  auto M = canonicalized(Src, "f");
  ASSERT_TRUE(M);
  expectSameRuns(Src, *M, "f", {{0}, {7}, {0x80000000u}});
}

TEST(Canonicalize, DefinedEdgeCasesFold) {
  EXPECT_EQ(canon(R"(func @f() -> (i32, i32, i32, i8, i64, i32, i16) {
  %z = const 0 : i32
  %m = const -2147483648 : i32
  %a = sdiv 7, %z
  %b = sdiv %m, -1
  %c = srem %m, -1
  %d = const 300.5 : f32
  %e = fptosi %d to i8
  %n = const nan : f64
  %f = fptoui %n to i64
  %g = clz %z
  %h = const -1 : i16
  %i = lshr %h, 17
  ret %a, %b, %c, %e, %f, %g, %i
}
)"),
            R"(func @f() -> (i32, i32, i32, i8, i64, i32, i16) {
  ret 0, -2147483648, 0, 127, 0, 32, 32767
}
)");
  EXPECT_EQ(canon(R"(func @f() -> (f32, f32, f64, f32) {
  %n = const nan : f32
  %a = fmin %n, 2.0
  %z = const -0.0 : f32
  %b = fmax %z, 0.0
  %x = const 0.1 : f64
  %c = fma %x, 10.0, -1.0
  %y = const 16777217.0 : f64
  %d = fptrunc %y to f32
  ret %a, %b, %c, %d
}
)"),
            R"(func @f() -> (f32, f32, f64, f32) {
  ret 2.0, 0.0, 5.551115123125783e-17, 16777216.0
}
)");
}

TEST(Canonicalize, TranscendentalsAreNotFolded) {
  // `exp` of a constant stays, and its operand stays a value (an op whose
  // operands are all literals is not VIR).
  const char *Src = R"(func @f(%x: f32) -> (f32, f32, f32) {
  %a = const 2.0 : f32
  %e = exp %a
  %p = pow %a, %a
  %q = pow %x, %a
  %s = sqrt afn %a
  %t = sqrt %a
  %u = fadd %e, %s
  %v = fadd %u, %t
  ret %v, %p, %q
}
)";
  EXPECT_EQ(canon(Src), R"(func @f(%x: f32) -> (f32, f32, f32) {
  %a = const 2.0 : f32
  %e = exp %a
  %p = pow 2.0, %a
  %q = pow %x, 2.0
  %s = sqrt afn %a
  %u = fadd %e, %s
  %v = fadd %u, 1.4142135
  ret %v, %p, %q
}
)");
  auto M = canonicalized(Src, "f");
  ASSERT_TRUE(M);
  expectSameRuns(Src, *M, "f", {{f32b(3.0f)}});
}

TEST(Canonicalize, SelectOnConstants) {
  const char *Src =
      R"(func @f(%x: i32, %y: i32, %c: i1) -> (i32, i32, i32, i32) {
  %t = const true : i1
  %a = select %t, %x, %y
  %f = icmp eq %x, %x
  %b = select %c, %y, %y
  %k = icmp slt 3, %x
  %e = select %k, 1, %x
  %g = icmp ne %t, %c
  %h = zext %g to i32
  ret %a, %b, %e, %h
}
)";
  EXPECT_EQ(canon(Src),
            R"(func @f(%x: i32, %y: i32, %c: i1) -> (i32, i32, i32, i32) {
  %k = icmp slt 3, %x
  %e = select %k, 1, %x
  %g = icmp ne true, %c
  %h = zext %g to i32
  ret %x, %y, %e, %h
}
)");
  auto M = canonicalized(Src, "f");
  ASSERT_TRUE(M);
  expectSameRuns(Src, *M, "f", {{1, 2, 1}, {5, 6, 0}});
}

//===-- CSE ---------------------------------------------------------------===//

TEST(Canonicalize, CommonSubexpressions) {
  const char *Src = R"(func @f(%n: i64, %x: ptr<f32>, %a: f32) -> f32 {
  %m = fmul %a, 2.0
  %m2 = fmul %a, 2.0
  %m3 = fmul %a, 3.0
  %s = fadd %m, %m2
  %s2 = fadd %s, %m3
  %r = for %i = 0 to %n step 1 iter(%acc: f32 = 0.0) {
    %m4 = fmul %a, 2.0
    %v = load %x[%i]
    %v2 = load %x[%i]
    %p = fadd %v, %v2
    %q = fadd %p, %m4
    %t = fadd %acc, %q
    yield %t
  }
  %c = fcmp olt %r, %s2
  %o = if %c -> f32 {
    %w = fsub %r, %a
    yield %w
  } else {
    %w2 = fsub %r, %a
    yield %w2
  }
  ret %o
}
)";
  // Loads are not merged (memory may change between them); the fsubs in the
  // two arms do not dominate each other.
  EXPECT_EQ(canon(Src), R"(func @f(%n: i64, %x: ptr<f32>, %a: f32) -> f32 {
  %m = fmul %a, 2.0
  %m3 = fmul %a, 3.0
  %s = fadd %m, %m
  %s2 = fadd %s, %m3
  %r = for %i = 0 to %n step 1 iter(%acc: f32 = 0.0) {
    %v = load %x[%i]
    %v2 = load %x[%i]
    %p = fadd %v, %v2
    %q = fadd %p, %m
    %t = fadd %acc, %q
    yield %t
  }
  %c = fcmp olt %r, %s2
  %o = if %c -> f32 {
    %w = fsub %r, %a
    yield %w
  } else {
    %w2 = fsub %r, %a
    yield %w2
  }
  ret %o
}
)");
  auto M = canonicalized(Src, "f");
  ASSERT_TRUE(M);
  expectSameRuns(Src, *M, "f", {{16, f32b(1.5f)}, {3, f32b(-2.0f)}});
}

TEST(Canonicalize, CSEDistinguishesTypesFlagsAndPredicates) {
  EXPECT_EQ(
      canon(
          R"(func @f(%a: i32, %b: i64, %x: f32) -> (i1, i1, i64, i64, f32, f32) {
  %c1 = icmp slt %a, 1
  %c2 = icmp ult %a, 1
  %w1 = sext %a to i64
  %w2 = zext %a to i64
  %e1 = exp %x
  %e2 = exp afn %x
  ret %c1, %c2, %w1, %w2, %e1, %e2
}
)"),
      R"(func @f(%a: i32, %b: i64, %x: f32) -> (i1, i1, i64, i64, f32, f32) {
  %c1 = icmp slt %a, 1
  %c2 = icmp ult %a, 1
  %w1 = sext %a to i64
  %w2 = zext %a to i64
  %e1 = exp %x
  %e2 = exp afn %x
  ret %c1, %c2, %w1, %w2, %e1, %e2
}
)");
}

//===-- DCE and region ops ------------------------------------------------===//

TEST(Canonicalize, DeadCode) {
  const char *Src = R"(func @f(%n: i64, %x: ptr<f32>, %y: ptr<f32>) {
  %n2 = const 2.0 : f32
  %dead = fadd 1.0, %n2
  %unused = load %x[0]
  %s = for %i = 0 to %n step 1 iter(%acc: i64 = 0) {
    %a = add %acc, %i
    yield %a
  }
  for %j = 0 to %n step 1 {
    %v = load %x[%j]
    store %y[%j], %v
  }
  %k, %kk = while (%kv: i64 = 0, %q: i64 = 5) {
    %go = icmp slt %kv, %n
    condition %go
  } do {
    %k1 = add %kv, 1
    yield %k1, %q
  }
  ret
}
)";
  std::string Fixed = Src;
  EXPECT_EQ(canon(Fixed), R"(func @f(%n: i64, %x: ptr<f32>, %y: ptr<f32>) {
  %unused = load %x[0]
  for %j = 0 to %n step 1 {
    %v = load %x[%j]
    store %y[%j], %v
  }
  %k, %kk = while (%kv: i64 = 0, %q: i64 = 5) {
    %go = icmp slt %kv, %n
    condition %go
  } do {
    %k1 = add %kv, 1
    yield %k1, %q
  }
  ret
}
)");
  auto M = canonicalized(Fixed, "f");
  ASSERT_TRUE(M);
  expectSameRuns(Fixed, *M, "f", {{16}, {0}});
}

TEST(Canonicalize, ConstantIfIsInlined) {
  const char *Src = R"(func @f(%x: i32, %p: ptr<i32>) -> (i32, i32) {
  %t = const true : i1
  %r = if %t -> i32 {
    %a = add %x, 1
    yield %a
  } else {
    %b = add %x, 2
    yield %b
  }
  %five = const 5 : i32
  %c = icmp slt %five, 3
  %s = if %c -> i32 {
    yield %x
  } else {
    yield 9
  }
  %u = icmp eq 1, %x
  if %c {
    store %p[0], %x
  }
  %e = icmp sgt %five, 3
  if %e {
    store %p[1], %x
  }
  ret %r, %s
}
)";
  std::string Fixed = Src;
  EXPECT_EQ(canon(Fixed), R"(func @f(%x: i32, %p: ptr<i32>) -> (i32, i32) {
  %a = add %x, 1
  store %p[1], %x
  ret %a, 9
}
)");
  auto M = canonicalized(Fixed, "f");
  ASSERT_TRUE(M);
  expectSameRuns(Fixed, *M, "f", {{4}, {1}}, 4);
}

TEST(Canonicalize, LoopsThatNeverRun) {
  const char *Src = R"(func @f(%x: f32, %p: ptr<f32>) -> (f32, f32, f32) {
  %lb = const 10 : i32
  %r, %rb = for %i = %lb to 3 step 1 iter(%acc: f32 = %x, %b: f32 = 2.5) {
    store %p[%i], %acc
    %a = fadd %acc, 1.0
    yield %a, %b
  }
  %z = const 0 : i64
  %s = for %j = 0 to 8 step %z iter(%acc2: f32 = %x) {
    store %p[%j], %acc2
    yield %acc2
  }
  %n = for %k = 0 to 4 step 1 iter(%acc3: f32 = %x) {
    %a3 = fadd %acc3, 1.0
    yield %a3
  }
  ret %r, %s, %n
}
)";
  std::string Fixed = Src;
  EXPECT_EQ(canon(Fixed), R"(func @f(%x: f32, %p: ptr<f32>) -> (f32, f32, f32) {
  %n = for %k = 0 to 4 step 1 iter(%acc3: f32 = %x) {
    %a3 = fadd %acc3, 1.0
    yield %a3
  }
  ret %x, %x, %n
}
)");
  auto M = canonicalized(Fixed, "f");
  ASSERT_TRUE(M);
  expectSameRuns(Fixed, *M, "f", {{f32b(1.0f)}}, 16);
}

TEST(Canonicalize, LiteralsWhereThePositionFixesTheType) {
  // i32 bounds: one must stay a value, or the text would read them as i64.
  // An i32 index constant becomes an i64 literal (what the parser makes).
  const char *Src = R"(func @f(%p: ptr<i32>, %q: ptr<i32>) -> i32 {
  %lb = const 0 : i32
  %ub = const 4 : i32
  %st = const 1 : i32
  %s = for %i = %lb to %ub step %st iter(%acc: i32 = %lb) {
    %m = const -1 : i32
    %ix = add %i, %m
    %iy = add %ix, 1
    %v = load %p[%iy]
    %o = offset %q, %m
    %o1 = offset %o, 1
    store %o1[%i], %ub
    %old = atomic add %p[%iy], %st
    %a = add %acc, %v
    yield %a
  }
  ret %s
}
)";
  std::string Fixed = Src;
  EXPECT_EQ(canon(Fixed), R"(func @f(%p: ptr<i32>, %q: ptr<i32>) -> i32 {
  %st = const 1 : i32
  %s = for %i = 0 to 4 step %st iter(%acc: i32 = 0) {
    %ix = add %i, -1
    %iy = add %ix, 1
    %v = load %p[%iy]
    %o = offset %q, -1
    %o1 = offset %o, 1
    store %o1[%i], 4
    atomic add %p[%iy], 1
    %a = add %acc, %v
    yield %a
  }
  ret %s
}
)");
  auto M = canonicalized(Fixed, "f");
  ASSERT_TRUE(M);
  expectSameRuns(Fixed, *M, "f", {{}}, 8);
}

TEST(Canonicalize, SpecExamplesAreUnchanged) {
  for (const char *Src : {SpecSaxpyText, SpecSumText}) {
    auto Orig = parseAndVerify(Src);
    ASSERT_TRUE(!!Orig);
    EXPECT_EQ(canon(Src), printModule(**Orig));
  }
}

//===-- Random differential tests -----------------------------------------===//

/// Edge values of type T, as literal bits.
std::vector<uint64_t> edgeValues(Type T) {
  std::vector<uint64_t> V;
  if (T.isInt()) {
    unsigned W = T.bits();
    uint64_t M = W == 64 ? ~0ull : (1ull << W) - 1;
    for (uint64_t X :
         {0ull, 1ull, ~0ull, 2ull, 3ull, 7ull, 8ull, 31ull, 32ull, 33ull, 63ull,
          64ull, 65ull, 1ull << (W - 1), (1ull << (W - 1)) - 1,
          (1ull << (W - 1)) + 1, 0x5555555555555555ull, 0xdeadbeefcafef00dull})
      V.push_back(X & M);
    return V;
  }
  if (T == Type::f32()) {
    for (float X : {0.0f,
                    -0.0f,
                    1.0f,
                    -1.0f,
                    0.5f,
                    2.5f,
                    -2.5f,
                    3.0f,
                    1e10f,
                    -1e10f,
                    2147483648.0f,
                    -2147483648.0f,
                    4294967296.0f,
                    9.2233720e18f,
                    1.8446744e19f,
                    3.4028235e38f,
                    -3.4028235e38f,
                    1e-45f,
                    1.17549435e-38f,
                    0.49999997f,
                    127.5f,
                    255.5f,
                    32767.5f,
                    65535.0f,
                    std::numeric_limits<float>::infinity(),
                    -std::numeric_limits<float>::infinity(),
                    std::numeric_limits<float>::quiet_NaN(),
                    -std::numeric_limits<float>::quiet_NaN()})
      V.push_back(f32b(X));
    V.push_back(0x7fc00001); // a NaN with a payload
    return V;
  }
  for (double X : {0.0,
                   -0.0,
                   1.0,
                   -1.0,
                   0.5,
                   2.5,
                   -2.5,
                   0.1,
                   1e300,
                   -1e300,
                   9223372036854775807.0,
                   -9223372036854775808.0,
                   18446744073709551616.0,
                   2147483647.5,
                   -2147483648.5,
                   4294967295.5,
                   1.7976931348623157e308,
                   4.9e-324,
                   2.2250738585072014e-308,
                   0.49999999999999994,
                   3.4028235e38,
                   3.5e38,
                   1e-46,
                   std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::quiet_NaN(),
                   -std::numeric_limits<double>::quiet_NaN()})
    V.push_back(f64b(X));
  V.push_back(0x7ff0000000000123ull); // a signalling NaN
  return V;
}

/// Builds random straight-line functions: const ops on edge values, then
/// random ops on them (and on a parameter of each type, so that some ops do
/// not fold), every result stored to a buffer of its type.
class RandomFunction {
public:
  RandomFunction(std::mt19937 &Rng, unsigned NumOps) : Rng(Rng) {
    build(NumOps);
  }
  Module M;
  unsigned Stores = 0;

private:
  static constexpr Scalar Types[] = {Scalar::I1,  Scalar::I8,  Scalar::I16,
                                     Scalar::I32, Scalar::I64, Scalar::F32,
                                     Scalar::F64};
  std::mt19937 &Rng;
  Builder B{M};
  std::vector<std::vector<Value>> Pool{7};     // by index in Types
  std::vector<std::vector<uint64_t>> Edges{7}; // by index in Types
  std::vector<Value> Out;                      // buffer by index in Types
  std::vector<uint64_t> NextIndex = std::vector<uint64_t>(7, 0);

  static unsigned idx(Type T) {
    for (unsigned I = 0; I < 7; ++I)
      if (Types[I] == T.elem())
        return I;
    return 0;
  }
  Type ty(unsigned I) const { return Type::scalar(Types[I]); }
  uint64_t pick(size_t N) { return Rng() % N; }

  Value literal(unsigned T) {
    return llvm::cantFail(B.literal(ty(T), Edges[T][pick(Edges[T].size())]));
  }
  /// A value of type T: mostly constants, sometimes a literal.
  Value operand(unsigned T, bool AllowLiteral) {
    if (AllowLiteral && pick(4) == 0)
      return literal(T);
    return Pool[T][pick(Pool[T].size())];
  }
  void record(Value V) {
    Type T = B.function()->type(V);
    unsigned I = idx(T);
    Pool[I].push_back(V);
    if (T == Type::i1()) // no ptr<i1>: store it widened
      V = llvm::cantFail(
          B.create1(Opcode::ZExt, {V}, toAttrs(Type::scalar(Scalar::I8))));
    unsigned BI = I == 0 ? 1 : I;
    llvm::cantFail(
        B.create(Opcode::Store,
                 {Out[BI], B.intLiteral(Type::i64(), NextIndex[BI]++), V}));
    ++Stores;
  }
  static OpAttrs toAttrs(Type T) {
    OpAttrs A;
    A.To = T;
    return A;
  }

  void build(unsigned NumOps) {
    std::vector<Type> Params;
    for (unsigned I = 0; I < 7; ++I)
      Params.push_back(ty(I));
    for (unsigned I = 0; I < 7; ++I)
      Params.push_back(Type::ptr(I == 0 ? Scalar::I8 : Types[I]));
    Function *F = llvm::cantFail(B.declareFunction("f", Params, {}, {}));
    llvm::cantFail(B.beginBody(*F));
    for (unsigned I = 0; I < 7; ++I) {
      Edges[I] = edgeValues(ty(I));
      Pool[I].push_back(B.param(I));
      Out.push_back(B.param(7 + I));
      for (unsigned K = 0; K < 4; ++K) {
        OpAttrs A;
        A.To = ty(I);
        Pool[I].push_back(
            llvm::cantFail(B.create1(Opcode::Const, {literal(I)}, A)));
      }
    }
    for (unsigned K = 0; K < NumOps; ++K)
      randomOp();
    llvm::cantFail(B.finishBody({}));
  }

  void randomOp() {
    static const Opcode IntBin[] = {
        Opcode::Add,  Opcode::Sub,  Opcode::Mul,  Opcode::SDiv, Opcode::UDiv,
        Opcode::SRem, Opcode::URem, Opcode::And,  Opcode::Or,   Opcode::Xor,
        Opcode::Shl,  Opcode::LShr, Opcode::AShr, Opcode::SMin, Opcode::SMax,
        Opcode::UMin, Opcode::UMax};
    static const Opcode IntUn[] = {Opcode::Neg,      Opcode::Not, Opcode::Abs,
                                   Opcode::Popcount, Opcode::Clz, Opcode::Ctz};
    static const Opcode FBin[] = {Opcode::FAdd, Opcode::FSub,     Opcode::FMul,
                                  Opcode::FDiv, Opcode::FRem,     Opcode::FMin,
                                  Opcode::FMax, Opcode::Copysign, Opcode::Pow,
                                  Opcode::Atan2};
    static const Opcode FUn[] = {Opcode::FNeg,   Opcode::FAbs, Opcode::Sqrt,
                                 Opcode::Floor,  Opcode::Ceil, Opcode::Round,
                                 Opcode::FTrunc, Opcode::Exp,  Opcode::Rsqrt,
                                 Opcode::Sin};
    static const Opcode Casts[] = {
        Opcode::SExt,    Opcode::ZExt,   Opcode::Trunc,  Opcode::SIToFP,
        Opcode::UIToFP,  Opcode::FPToSI, Opcode::FPToUI, Opcode::FPExt,
        Opcode::FPTrunc, Opcode::Bitcast};
    for (unsigned Attempt = 0; Attempt < 20; ++Attempt) {
      unsigned Kind = pick(8);
      unsigned T = Kind < 3 || Kind == 5 ? pick(5) : 5 + pick(2);
      OpAttrs A;
      Opcode C;
      std::vector<Value> Ops;
      switch (Kind) {
      case 0:
        C = IntBin[pick(std::size(IntBin))];
        Ops = {operand(T, true), operand(T, true)};
        break;
      case 1:
        C = IntUn[pick(std::size(IntUn))];
        Ops = {operand(T, false)};
        break;
      case 2:
        C = Opcode::ICmp;
        A.Sub = pick(10);
        Ops = {operand(T, true), operand(T, true)};
        break;
      case 3:
        C = FBin[pick(std::size(FBin))];
        Ops = {operand(T, true), operand(T, true)};
        break;
      case 4:
        C = pick(4) == 0 ? Opcode::Fma : FUn[pick(std::size(FUn))];
        if (C == Opcode::Fma)
          Ops = {operand(T, true), operand(T, true), operand(T, true)};
        else
          Ops = {operand(T, false)};
        if (pick(8) == 0)
          A.Flags = FlagAfn; // refused on fneg/fabs: retried
        break;
      case 5:
        C = Opcode::Select;
        // The parser wants one of the two choices to be a value.
        Ops = {operand(0, false), operand(T, true), operand(T, false)};
        if (pick(2))
          std::swap(Ops[1], Ops[2]);
        break;
      case 6:
        C = Opcode::FCmp;
        A.Sub = pick(14);
        Ops = {operand(T, true), operand(T, true)};
        break;
      default: {
        C = Casts[pick(std::size(Casts))];
        unsigned From = pick(7), To = pick(7);
        if (C == Opcode::Bitcast && pick(2))
          From = 3 + pick(2), To = From + 2; // i32 <-> f32, i64 <-> f64
        if (C == Opcode::Bitcast && pick(2))
          std::swap(From, To);
        Ops = {operand(From, false)};
        A.To = ty(To);
        break;
      }
      }
      auto R = B.create(C, Ops, A);
      if (!R) {
        llvm::consumeError(R.takeError());
        continue;
      }
      record((*R)[0]);
      return;
    }
  }
};

/// Thousands of random ops on edge values: the canonicalized function must
/// store exactly the bits the original stores.
TEST(Canonicalize, RandomFoldingMatchesTheInterpreter) {
  std::mt19937 Rng(2024);
  unsigned Checked = 0, Functions = 0, OpsBefore = 0, OpsAfter = 0;
  for (unsigned Trial = 0; Trial < 1500; ++Trial) {
    RandomFunction RF(Rng, 40);
    ASSERT_FALSE(!!verifyModule(RF.M));
    std::string Before = printModule(RF.M);
    auto Orig = parseAndVerify(Before);
    ASSERT_TRUE(!!Orig) << llvm::toString(Orig.takeError()) << "\n" << Before;
    Function &F = *RF.M.Functions[0];
    auto count = [](const Function &F) {
      unsigned N = 0;
      F.walk([&](const Op &) { ++N; });
      return N;
    };
    OpsBefore += count(F);
    if (!canonicalizeChecked(RF.M, F)) {
      ADD_FAILURE() << Before;
      return;
    }
    OpsAfter += count(F);
    for (unsigned In = 0; In < 3; ++In) {
      std::vector<uint64_t> Scalars;
      for (unsigned I = 0; I < 7; ++I) {
        Type T = F.type(F.Params[I]);
        std::vector<uint64_t> E = edgeValues(T);
        uint64_t X =
            In == 0 ? E[Rng() % E.size()] : (uint64_t(Rng()) << 32 | Rng());
        if (T.bits() < 64)
          X &= (1ull << T.bits()) - 1;
        Scalars.push_back(X);
      }
      Outcome A = run(**Orig, "f", Scalars, 64, 1, true);
      Outcome B = run(RF.M, "f", Scalars, 64, 1, true);
      ASSERT_EQ(A.Error, "");
      ASSERT_EQ(A.Error, B.Error);
      if (A.Buffers != B.Buffers) {
        std::string Where;
        for (size_t P = 0; P < A.Buffers.size() && Where.empty(); ++P)
          for (size_t K = 0; K < A.Buffers[P].size(); ++K)
            if (A.Buffers[P][K] != B.Buffers[P][K]) {
              Type T = F.type(F.Params[7 + P]);
              Where = "buffer %" + std::to_string(7 + P) + " element " +
                      std::to_string(K / T.bytes());
              break;
            }
        ADD_FAILURE() << "different results (" << Where << ") for\n"
                      << Before << "\ncanonicalized:\n"
                      << printModule(RF.M);
        return;
      }
    }
    Checked += RF.Stores;
    ++Functions;
  }
  // Most ops fold: the function shrinks to little more than its stores.
  EXPECT_EQ(Checked, 60000u);
  EXPECT_LT(OpsAfter, OpsBefore);
  std::printf("random folding: %u functions, %u ops checked, %u ops -> %u\n",
              Functions, Checked, OpsBefore, OpsAfter);
}

const char *const RegionTestOps[] = {"add",  "mul",  "xor", "sub",
                                     "sdiv", "smin", "shl"};

/// Random programs with `if`s and `for`s on constant and variable conditions
/// and repeated subexpressions: folding of region ops, CSE across regions and
/// DCE must not change what is stored or returned.
TEST(Canonicalize, RandomRegionsMatchTheInterpreter) {
  std::mt19937 Rng(7);
  unsigned Runs = 0;
  for (unsigned Trial = 0; Trial < 300; ++Trial) {
    std::string Src =
        "func @f(%a: i32, %b: i32, %p: ptr<i32>) -> i32 {\n"
        "%c0 = const 0 : i32\n%c1 = const 1 : i32\n%c5 = const 5 : i32\n";
    std::vector<std::string> Vals = {"%a", "%b", "%c0", "%c1", "%c5"};
    unsigned Id = 0;
    auto Pick = [&] { return Vals[Rng() % Vals.size()]; };
    auto Fresh = [&] { return "%v" + std::to_string(Id++); };
    // Emits NOps random ops into Src; values defined inside a region are
    // dropped from Vals when the region closes.
    auto Emit = [&](auto &Self, unsigned NOps, unsigned Depth) -> void {
      size_t Mark = Vals.size();
      for (unsigned K = 0; K < NOps; ++K) {
        unsigned Kind = Depth < 3 ? Rng() % 6 : Rng() % 3;
        std::string R = Fresh();
        std::string X = Pick(), Y = Pick();
        if (Kind <= 1) {
          // Both operands may be constants: make one a value if needed.
          Src +=
              R + " = " + RegionTestOps[Rng() % 7] + " " + X + ", " + Y + "\n";
        } else if (Kind == 2) {
          Src += "store %p[" + std::to_string(Rng() % 8) + "], " + X + "\n";
          continue;
        } else if (Kind == 3) {
          std::string C = Fresh();
          Src += C + " = icmp slt " + X + ", " + Y + "\n";
          Src += R + " = if " + C + " -> i32 {\n";
          Self(Self, Rng() % 4, Depth + 1);
          Src += "yield " + Pick() + "\n} else {\n";
          Self(Self, Rng() % 4, Depth + 1);
          Src += "yield " + Pick() + "\n}\n";
        } else {
          // At most 4 trips: the bound may be any computed value.
          std::string Acc = Fresh(), I = Fresh(), Ub = Fresh();
          Src += Ub + " = smin " + Y + ", 4\n";
          Src += R + " = for " + I + " = %c0 to " + Ub + " step 1 iter(" + Acc +
                 ": i32 = " + X + ") {\n";
          Vals.push_back(Acc);
          size_t Inner = Vals.size();
          Self(Self, 1 + Rng() % 3, Depth + 1);
          std::string N = Fresh();
          Src += N + " = add " + Pick() + ", " + Acc + "\n";
          Src += "yield " + N + "\n}\n";
          Vals.resize(Inner - 1);
        }
        Vals.push_back(R);
      }
      Vals.resize(Mark);
    };
    Emit(Emit, 4 + Rng() % 8, 0);
    // Emit dropped every value of the body: return a fresh combination.
    Src += "%r = add %a, %b\nret %r\n}\n";
    // `smin` of a literal-free constant pair is fine, but a program may still
    // be refused (e.g. a yield of an out-of-scope value): skip those.
    auto M = parseAndVerify(Src);
    if (!M) {
      llvm::consumeError(M.takeError());
      continue;
    }
    Function &F = *(*M)->Functions[0];
    if (!canonicalizeChecked(**M, F)) {
      ADD_FAILURE() << Src;
      return;
    }
    expectSameRuns(Src, **M, "f",
                   {{Rng() % 7, Rng() % 9}, {0, 3}, {~0u, 0x80000000u}}, 8);
    if (HasFailure()) {
      ADD_FAILURE() << Src << "\n----\n" << printModule(**M);
      return;
    }
    Runs += 3;
  }
  EXPECT_GT(Runs, 300u);
  std::printf("random regions: %u runs compared\n", Runs);
}

} // namespace
