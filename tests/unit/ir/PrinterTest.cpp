//===- tests/unit/ir/PrinterTest.cpp - canonical VIR text -----------------===//
#include "ircgpu/Printer.h"
#include "ircgpu/Builder.h"
#include "ircgpu/Literal.h"
#include "ircgpu/Parser.h"

#include "TestSupport.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <random>

using namespace ircgpu;
using namespace ircgpu::test;
using llvm::cantFail;

namespace {

std::string printText(llvm::StringRef Src) {
  auto M = parseOk(Src);
  return M ? printModule(*M) : "";
}

/// Prints Src, then checks that the printed form is a fixed point.
std::string roundTrip(llvm::StringRef Src) {
  std::string Once = printText(Src);
  std::string Twice = printText(Once);
  EXPECT_EQ(Once, Twice) << "printing is not a fixed point for:\n" << Src.str();
  return Once;
}

TEST(PrinterTest, SpecExamples) {
  // saxpy as the spec writes it (aligned '='), and canonically.
  std::string Saxpy = roundTrip(SpecSaxpyText);
  EXPECT_EQ(
      Saxpy,
      R"(func @saxpy(%n: i64, %a: f32, %x: ptr<f32> readonly, %y: ptr<f32>) {
  for %i = 0 to %n step 1 {
    %xi = load %x[%i]
    %yi = load %y[%i]
    %t = fmul %a, %xi
    %r = fadd %t, %yi
    store %y[%i], %r
  }
  ret
}
)");
  EXPECT_EQ(roundTrip(SpecSumText), SpecSumText);
}

TEST(PrinterTest, ControlFlowForms) {
  const char *Text =
      R"(func @cf(%x0: f32, %c: i1, %p: ptr<f32> noalias writeonly, %n: i32) -> (f32, i32) {
  %x, %k = while (%xv: f32 = %x0, %kv: i32 = 0) {
    %go = icmp slt %kv, 10
    condition %go
  } do {
    %xn = fmul %xv, 0.5
    %kn = add %kv, 1
    yield %xn, %kn
  }
  %r = if %c -> f32 {
    yield %x
  } else {
    yield -1.5
  }
  %r2, %k2 = if %c -> (f32, i32) {
    yield %r, %k
  } else {
    yield 0.0, 7
  }
  if %c {
    store %p[0], %r2
  }
  if %c {
  } else {
    store %p[1], %r2
  }
  for %i = %n to 100 step %k2 parallel {
    for %j = 0 to 4 step 1 reassoc {
    }
  }
  %t = while () {
    condition false
  } do {
  }
  ret %r2, %k2
}
)";
  // `%t =` on a while without results is wrong; drop it for the valid text.
  std::string Valid = Text;
  Valid.replace(Valid.find("  %t = while"), 12, "  while");
  EXPECT_EQ(roundTrip(Valid), Valid);
}

TEST(PrinterTest, CanonicalFormatting) {
  EXPECT_EQ(
      roundTrip("; c\nfunc @f(%a: f32)->f32{%b=fadd %a,1 ; x\n%c = exp afn %b\n"
                "ret %c}\nfunc @g(){ret}"),
      "func @f(%a: f32) -> f32 {\n  %b = fadd %a, 1.0\n  %c = exp afn %b\n  "
      "ret %c\n}\n\n"
      "func @g() {\n  ret\n}\n");
  EXPECT_EQ(printText(""), "");
  // Attributes print in a fixed order whatever order they were written in.
  EXPECT_EQ(roundTrip("func @f(%p: ptr<i8> readonly noalias) {\n  ret\n}\n"),
            "func @f(%p: ptr<i8> noalias readonly) {\n  ret\n}\n");
  // Literals print canonically.
  EXPECT_EQ(
      roundTrip(
          "func @f(%a: i8, %x: f64) {\n  %b = add %a, 255\n  %c = add %a, "
          "0x10\n"
          "  %y = fmul %x, 0x1.8p+1\n  %z = fadd %y, 1e-3\n  %w = fadd %z, -0\n"
          "  %v = fadd %w, nan(0x7ff0000000000001)\n  %u = const 1 : f32\n"
          "  %t = const 1 : i1\n  ret\n}\n"),
      "func @f(%a: i8, %x: f64) {\n  %b = add %a, -1\n  %c = add %a, 16\n"
      "  %y = fmul %x, 3.0\n  %z = fadd %y, 0.001\n  %w = fadd %z, -0.0\n"
      "  %v = fadd %w, nan(0x7ff0000000000001)\n  %u = const 1.0 : f32\n"
      "  %t = const true : i1\n  ret\n}\n");
}

TEST(PrinterTest, AtomicResults) {
  // The old value prints only when something reads it.
  const char *Text = "func @f(%h: ptr<i32>, %i: i64) -> i32 {\n"
                     "  %old = atomic add %h[%i], 1\n"
                     "  %unused = atomic xchg %h[0], 5\n"
                     "  atomic umax %h[1], %old\n"
                     "  %o2 = cmpxchg %h[2], 0, 1\n"
                     "  cmpxchg %h[3], %o2, 1\n"
                     "  ret %old\n}\n";
  EXPECT_EQ(roundTrip(Text), "func @f(%h: ptr<i32>, %i: i64) -> i32 {\n"
                             "  %old = atomic add %h[%i], 1\n"
                             "  atomic xchg %h[0], 5\n"
                             "  atomic umax %h[1], %old\n"
                             "  %o2 = cmpxchg %h[2], 0, 1\n"
                             "  cmpxchg %h[3], %o2, 1\n"
                             "  ret %old\n}\n");
}

// Fresh names follow print order (an op's results before its region's
// arguments) and skip every name used anywhere in the function.
TEST(PrinterTest, UnnamedValuesGetFreshNames) {
  Module M;
  Builder B(M);
  Function *F = cantFail(B.declareFunction("f", {Type::i32(), Type::i32()}, {},
                                           {Type::i32()}, {"", "1"}));
  cantFail(B.beginBody(*F));
  Value A = cantFail(B.create1(Opcode::Add, {B.param(0), B.param(1)}));
  Value C = cantFail(
      B.create1(Opcode::Mul, {A, B.intLiteral(Type::i32(), 3)}, {}, {}, "0"));
  auto Args = cantFail(
      B.beginFor(B.intLiteral(Type::i64(), 0), B.intLiteral(Type::i64(), 8),
                 B.intLiteral(Type::i64(), 1), {C}, {Type::i32()}));
  Value D = cantFail(
      B.create1(Opcode::Sub, {Args[1], B.intLiteral(Type::i32(), -1)}));
  auto R = cantFail(B.endFor({D}));
  cantFail(B.finishBody({R[0]}));
  std::string Text = printModule(M);
  EXPECT_EQ(Text, "func @f(%2: i32, %1: i32) -> i32 {\n"
                  "  %3 = add %2, %1\n"
                  "  %0 = mul %3, 3\n"
                  "  %4 = for %5 = 0 to 8 step 1 iter(%6: i32 = %0) {\n"
                  "    %7 = sub %6, -1\n"
                  "    yield %7\n"
                  "  }\n"
                  "  ret %4\n"
                  "}\n");
  EXPECT_EQ(roundTrip(Text), Text);
}

TEST(PrinterTest, DuplicateAndInvalidNamesAreReplaced) {
  Module M;
  Builder B(M);
  Function *F = cantFail(
      B.declareFunction("f", {Type::i32()}, {}, {Type::i32()}, {"a b"}));
  cantFail(B.beginBody(*F));
  Value X =
      cantFail(B.create1(Opcode::Add, {B.param(0), B.param(0)}, {}, {}, "x"));
  Value Y = cantFail(B.create1(Opcode::Add, {X, X}, {}, {}, "x"));
  cantFail(B.finishBody({Y}));
  std::string Text = printModule(M);
  EXPECT_EQ(Text,
            "func @f(%0: i32) -> i32 {\n  %x = add %0, %0\n  %1 = add %x, %x\n"
            "  ret %1\n}\n");
  EXPECT_EQ(roundTrip(Text), Text);
}

TEST(PrinterTest, FloatConstantsRoundTripBitExactly) {
  std::mt19937_64 Rng(2024);
  Module M;
  Builder B(M);
  Function *F = cantFail(B.declareFunction("f", {}, {}, {}));
  cantFail(B.beginBody(*F));
  std::vector<std::pair<Type, uint64_t>> Want;
  for (int I = 0; I < 20000; ++I) {
    Type Ty = I % 2 ? Type::f64() : Type::f32();
    uint64_t Bits = Rng();
    if (Ty == Type::f32())
      Bits &= 0xffffffffu;
    if (I % 5 == 1) // denormals
      Bits &= Ty == Type::f32() ? 0x807fffffull : 0x800fffffffffffffull;
    if (I % 5 == 2) // infinities and NaNs
      Bits |= Ty == Type::f32() ? 0x7f800000ull : 0x7ff0000000000000ull;
    OpAttrs A;
    A.To = Ty;
    cantFail(B.create(Opcode::Const, {cantFail(B.literal(Ty, Bits))}, A));
    Want.push_back({Ty, Bits});
  }
  cantFail(B.finishBody({}));
  std::string Text = printModule(M);
  auto M2 = parseModule(Text);
  ASSERT_TRUE(static_cast<bool>(M2)) << llvm::toString(M2.takeError());
  const Function &G = *(*M2)->Functions[0];
  ASSERT_EQ(G.Body.Ops.size(), Want.size() + 1);
  for (size_t I = 0; I < Want.size(); ++I) {
    Value L = G.Body.Ops[I].Operands[0];
    ASSERT_EQ(G.type(L), Want[I].first);
    ASSERT_EQ(G.info(L).Bits, Want[I].second)
        << formatLiteral(Want[I].first, Want[I].second);
  }
  EXPECT_EQ(printModule(**M2), Text);
}

//===----------------------------------------------------------------------===//
// The sample files
//===----------------------------------------------------------------------===//

std::string examplePath(llvm::StringRef Name) {
  // From CMake, not __FILE__: ccache (base_dir) and some generators make
  // __FILE__ relative to the build directory, not to where tests run.
  llvm::SmallString<256> P(IRCGPU_SOURCE_DIR);
  llvm::sys::path::append(P, "examples", Name);
  return std::string(P);
}

std::string readExample(llvm::StringRef Name) {
  auto Buf = llvm::MemoryBuffer::getFile(examplePath(Name));
  if (!Buf) {
    ADD_FAILURE() << "cannot read " << examplePath(Name);
    return "";
  }
  return (*Buf)->getBuffer().str();
}

/// The text without its comment lines: what the printer gives back for a
/// file that is otherwise canonical.
std::string withoutCommentLines(llvm::StringRef Text) {
  std::string Out;
  llvm::SmallVector<llvm::StringRef> Lines;
  Text.split(Lines, '\n');
  for (size_t I = 0; I < Lines.size(); ++I) {
    if (Lines[I].starts_with(";"))
      continue;
    Out += Lines[I].split(" ;").first.rtrim().str();
    if (I + 1 < Lines.size())
      Out += '\n';
  }
  return Out;
}

TEST(PrinterTest, ExampleFiles) {
  for (const char *Name :
       {"saxpy.vir", "sum.vir", "while.vir", "all_ops.vir"}) {
    std::string Text = readExample(Name);
    ASSERT_FALSE(Text.empty()) << Name;
    auto M = parseAndVerify(Text);
    ASSERT_TRUE(static_cast<bool>(M))
        << Name << ": " << llvm::toString(M.takeError());
    std::string Printed = printModule(**M);
    EXPECT_EQ(printText(Printed), Printed) << Name;
    if (llvm::StringRef(Name) !=
        "saxpy.vir") { // saxpy keeps the spec's alignment
      EXPECT_EQ(Printed, withoutCommentLines(Text)) << Name;
    }
  }
  // The spec's example, verbatim.
  EXPECT_TRUE(llvm::StringRef(readExample("sum.vir")).contains(SpecSumText));
}

TEST(PrinterTest, AllOpsCoversEveryOpcode) {
  std::string Text = readExample("all_ops.vir");
  ASSERT_FALSE(Text.empty());
  auto M = parseModule(Text);
  ASSERT_TRUE(static_cast<bool>(M)) << llvm::toString(M.takeError());
  std::vector<bool> Seen(NumOpcodes);
  std::vector<bool> SeenAtomic(12), SeenICmp(10), SeenFCmp(14);
  for (auto &F : (*M)->Functions)
    F->walk([&](const Op &O) {
      Seen[static_cast<unsigned>(O.Code)] = true;
      if (O.Code == Opcode::Atomic)
        SeenAtomic[O.Sub] = true;
      if (O.Code == Opcode::ICmp)
        SeenICmp[O.Sub] = true;
      if (O.Code == Opcode::FCmp)
        SeenFCmp[O.Sub] = true;
    });
  for (unsigned I = 0; I < NumOpcodes; ++I)
    EXPECT_TRUE(Seen[I]) << opcodeName(static_cast<Opcode>(I)).str();
  for (unsigned I = 0; I < 12; ++I)
    EXPECT_TRUE(SeenAtomic[I])
        << atomicKindName(static_cast<AtomicKind>(I)).str();
  for (unsigned I = 0; I < 10; ++I)
    EXPECT_TRUE(SeenICmp[I]) << icmpPredName(static_cast<ICmpPred>(I)).str();
  for (unsigned I = 0; I < 14; ++I)
    EXPECT_TRUE(SeenFCmp[I]) << fcmpPredName(static_cast<FCmpPred>(I)).str();
}

} // namespace
