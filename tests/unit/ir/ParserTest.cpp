//===- tests/unit/ir/ParserTest.cpp - VIR text to a Module ----------------===//
#include "ircgpu/Parser.h"
#include "ir/Lexer.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Literal.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <random>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

/// "LINE:COL: MESSAGE" of the first diagnostic, or "<ok>".
std::string firstDiag(llvm::StringRef Src) {
  auto M = parseModule(Src);
  if (M)
    return "<ok>";
  std::string Out;
  llvm::handleAllErrors(
      M.takeError(),
      [&](const DiagnosticError &E) {
        const Diagnostic &D = E.diagnostics().front();
        Out = std::to_string(D.Loc.Line) + ":" + std::to_string(D.Loc.Col) +
              ": " + D.Message;
      },
      [&](const llvm::ErrorInfoBase &E) {
        Out = "<not a DiagnosticError> " + E.message();
      });
  return Out;
}

TEST(ParserTest, Saxpy) {
  auto M = parseOk(SpecSaxpyText);
  ASSERT_TRUE(M);
  ASSERT_EQ(M->Functions.size(), 1u);
  const Function &F = *M->Functions[0];
  EXPECT_EQ(F.Name, "saxpy");
  EXPECT_EQ(F.Loc.Line, 1u);
  EXPECT_EQ(F.Loc.Col, 1u);
  ASSERT_EQ(F.Params.size(), 4u);
  EXPECT_EQ(F.name(F.Params[2]), "x");
  EXPECT_EQ(F.type(F.Params[2]), Type::ptr(Scalar::F32));
  EXPECT_EQ(F.ParamAttrs[2], AttrReadOnly);
  EXPECT_EQ(F.ParamAttrs[3], 0);
  EXPECT_TRUE(F.ResultTypes.empty());
  ASSERT_EQ(F.Body.Ops.size(), 2u);
  const Op &For = F.Body.Ops[0];
  EXPECT_EQ(For.Code, Opcode::For);
  EXPECT_EQ(For.Flags, 0);
  EXPECT_EQ(For.Loc.Line, 2u);
  EXPECT_EQ(For.Loc.Col, 3u);
  ASSERT_EQ(For.Operands.size(), 3u);
  EXPECT_TRUE(F.isLiteral(For.Operands[0]));
  EXPECT_EQ(F.type(For.Operands[0]), Type::i64());
  EXPECT_EQ(F.info(For.Operands[2]).Bits, 1u);
  EXPECT_EQ(For.Operands[1], F.Params[0]);
  const Region &Body = For.Regions[0];
  ASSERT_EQ(Body.Args.size(), 1u);
  EXPECT_EQ(F.name(Body.Args[0]), "i");
  ASSERT_EQ(Body.Ops.size(), 5u);
  EXPECT_EQ(Body.Ops[0].Code, Opcode::Load);
  EXPECT_EQ(Body.Ops[0].Loc.Line, 3u);
  EXPECT_EQ(Body.Ops[0].Loc.Col, 11u); // the op name, after "%xi = "
  EXPECT_EQ(F.name(Body.Ops[0].Results[0]), "xi");
  EXPECT_EQ(F.info(Body.Ops[0].Results[0]).Loc.Line, 3u);
  EXPECT_EQ(Body.Ops[4].Code, Opcode::Store);
  EXPECT_TRUE(Body.Ops[4].Results.empty());
  EXPECT_EQ(F.Body.Ops[1].Code, Opcode::Ret);
  EXPECT_EQ(F.Body.Ops[1].Loc.Line, 9u);
}

TEST(ParserTest, Sum) {
  auto M = parseOk(SpecSumText);
  ASSERT_TRUE(M);
  const Function &F = *M->Functions[0];
  ASSERT_EQ(F.ResultTypes.size(), 1u);
  const Op &For = F.Body.Ops[0];
  EXPECT_EQ(For.Flags, FlagParallel | FlagReassoc);
  ASSERT_EQ(For.Operands.size(), 4u);
  EXPECT_EQ(F.type(For.Operands[3]), Type::f32());
  EXPECT_EQ(F.info(For.Operands[3]).Bits, 0u);
  ASSERT_EQ(For.Results.size(), 1u);
  EXPECT_EQ(F.name(For.Results[0]), "s");
  const Region &Body = For.Regions[0];
  ASSERT_EQ(Body.Args.size(), 2u);
  EXPECT_EQ(F.name(Body.Args[1]), "acc");
  EXPECT_EQ(Body.Ops.back().Code, Opcode::Yield);
  EXPECT_EQ(F.Body.Ops[1].Operands[0], For.Results[0]);
}

TEST(ParserTest, WhileAndIf) {
  auto M = parseOk(R"(
func @w(%x0: f32, %c: i1, %p: ptr<f32>) -> (f32, i32) {
  %x, %k = while (%xv: f32 = %x0, %kv: i32 = 0) {
    %go = icmp slt %kv, 10
    condition %go            ; i1
  } do {
    %xn = fmul %xv, 0.5
    %kn = add %kv, 1
    yield %xn, %kn
  }
  %r = if %c -> f32 { yield %x } else { yield 1.0 }
  if %c { store %p[0], %r }
  if %c {
    yield
  } else {
  }
  ret %r, %k
}
)");
  ASSERT_TRUE(M);
  const Function &F = *M->Functions[0];
  ASSERT_EQ(F.Body.Ops.size(), 5u);
  const Op &W = F.Body.Ops[0];
  EXPECT_EQ(W.Code, Opcode::While);
  EXPECT_EQ(W.Loc.Line, 3u);
  ASSERT_EQ(W.Regions.size(), 2u);
  EXPECT_EQ(W.Regions[0].Args.size(), 2u);
  EXPECT_EQ(W.Regions[0].Ops.back().Code, Opcode::Condition);
  EXPECT_EQ(W.Regions[1].Ops.back().Code, Opcode::Yield);
  EXPECT_EQ(F.type(W.Operands[1]), Type::i32());
  const Op &If1 = F.Body.Ops[1];
  EXPECT_TRUE(If1.hasFlag(FlagHasElse));
  EXPECT_EQ(F.type(If1.Regions[1].Ops[0].Operands[0]), Type::f32());
  const Op &If2 = F.Body.Ops[2];
  EXPECT_FALSE(If2.hasFlag(FlagHasElse));
  EXPECT_EQ(If2.Regions[0].Ops.size(), 1u);
  const Op &If3 = F.Body.Ops[3];
  EXPECT_TRUE(If3.hasFlag(FlagHasElse));
  EXPECT_TRUE(If3.Regions[0].Ops.empty()); // an empty yield is not stored
  EXPECT_TRUE(If3.Regions[1].Ops.empty());
}

TEST(ParserTest, LiteralTyping) {
  auto M = parseOk(R"(
func @g(%a: i8, %b: f64) -> i16 {
  %r = sext %a to i16
  ret %r
}
func @f(%a: i8, %p: ptr<f64>, %q: ptr<i16>, %c: i1, %n: i32, %h: ptr<i32>) -> f64 {
  %s = shl %a, 3
  %t = select true, %a, 255
  %u = load %p[7]
  store %q[%n], -1
  %v = atomic add %h[1], 2
  %w = cmpxchg %h[0], 1, 2
  %o = offset %p, 3
  %x = call @g(-128, 2.5)
  for %i = %n to 10 step 2 {
  }
  for %j = 0 to 10 step 1 {
  }
  %k = for %i2 = 0 to %n step 1 iter(%acc: f64 = 1) {
    yield 2
  }
  %z = fadd %u, 1
  ret 0.5
}
)");
  ASSERT_TRUE(M);
  const Function &F = *M->Functions[1];
  auto TypeOf = [&](unsigned OpI, unsigned Operand) {
    return F.type(F.Body.Ops[OpI].Operands[Operand]);
  };
  Type I8 = Type::scalar(Scalar::I8), I16 = Type::scalar(Scalar::I16);
  EXPECT_EQ(TypeOf(0, 1), I8);         // shift amount: the other operand
  EXPECT_EQ(TypeOf(1, 0), Type::i1()); // select condition
  EXPECT_EQ(TypeOf(1, 2), I8);         // select value
  EXPECT_EQ(F.info(F.Body.Ops[1].Operands[2]).Bits, 255u);
  EXPECT_EQ(TypeOf(2, 1), Type::i64()); // index
  EXPECT_EQ(TypeOf(3, 2), I16);         // stored value: element type
  EXPECT_EQ(F.info(F.Body.Ops[3].Operands[2]).Bits, 0xffffu);
  EXPECT_EQ(TypeOf(4, 2), Type::i32()); // atomic value
  EXPECT_EQ(TypeOf(5, 2), Type::i32()); // cmpxchg expected
  EXPECT_EQ(TypeOf(5, 3), Type::i32()); // cmpxchg new
  EXPECT_EQ(TypeOf(6, 1), Type::i64()); // offset
  EXPECT_EQ(TypeOf(7, 0), I8);          // call argument: parameter type
  EXPECT_EQ(TypeOf(7, 1), Type::f64());
  EXPECT_EQ(TypeOf(8, 1), Type::i32()); // loop bound: the other bound
  EXPECT_EQ(TypeOf(8, 2), Type::i32()); // step: the bounds' type
  EXPECT_EQ(TypeOf(9, 0), Type::i64()); // all literal bounds: i64
  EXPECT_EQ(TypeOf(10, 1), Type::i32());
  EXPECT_EQ(TypeOf(10, 3), Type::f64()); // iter initial value: declared type
  EXPECT_EQ(F.type(F.Body.Ops[10].Regions[0].Ops[0].Operands[0]),
            Type::f64()); // yield
  EXPECT_EQ(TypeOf(11, 1), Type::f64());
  EXPECT_EQ(TypeOf(12, 0), Type::f64()); // ret: the function's result type
  EXPECT_EQ(F.Body.Ops[7].Callee, 0u);
}

TEST(ParserTest, ForwardCallsAndFlags) {
  auto M = parseOk(R"(
func @main(%x: f32, %h: ptr<i32>, %i: i64) -> f32 {
  %y = call @later(%x)
  %e = exp afn %y
  %t = trunc %e
  %b = fptosi %t to i32
  %c = trunc %b to i8
  atomic add %h[%i], 1
  cmpxchg %h[%i], 0, 1
  ret %t
}
func @later(%v: f32) -> f32 {
  %w = fneg %v
  ret %w
}
)");
  ASSERT_TRUE(M);
  const Function &F = *M->Functions[0];
  EXPECT_EQ(F.Body.Ops[0].Callee, 1u);
  EXPECT_EQ(F.Body.Ops[1].Code, Opcode::Exp);
  EXPECT_TRUE(F.Body.Ops[1].hasFlag(FlagAfn));
  EXPECT_EQ(F.Body.Ops[2].Code, Opcode::FTrunc);
  EXPECT_FALSE(F.Body.Ops[2].hasFlag(FlagAfn));
  EXPECT_EQ(F.Body.Ops[4].Code, Opcode::Trunc);
  EXPECT_EQ(F.type(F.Body.Ops[4].Results[0]), Type::scalar(Scalar::I8));
  EXPECT_EQ(F.Body.Ops[5].Code, Opcode::Atomic);
  EXPECT_EQ(F.Body.Ops[5].Results.size(), 1u); // unnamed, unused
  EXPECT_EQ(F.name(F.Body.Ops[5].Results[0]), "");
  EXPECT_EQ(F.Body.Ops[6].Code, Opcode::CmpXchg);
}

TEST(ParserTest, CommentsAndLayout) {
  auto M = parseOk("; leading comment\nfunc @f(){ret};trailing\n\n"
                   "func   @g ( %a :i32 )->i32{\n\tret %a ; comment ; more\n}");
  ASSERT_TRUE(M);
  EXPECT_EQ(M->Functions.size(), 2u);
  EXPECT_TRUE(parseOk(""));
  EXPECT_TRUE(parseOk("; nothing but a comment"));
}

struct ErrorCase {
  const char *Src;
  const char *Diag;
};

TEST(ParserTest, Errors) {
  const ErrorCase Cases[] = {
      {"func @f() {\n  %x = frob %a\n  ret\n}",
       "2:8: unknown operation 'frob'"},
      {"func @f(%a: i33) {\n  ret\n}", "1:13: unknown type 'i33'"},
      {"func @f(%a: f16) {\n  ret\n}", "1:13: f16 is not supported yet"},
      {"func @f(%a: ptr<f16>) {\n  ret\n}", "1:17: f16 is not supported yet"},
      {"func @f(%a: ptr<i1>) {\n  ret\n}",
       "1:17: ptr<i1> is not allowed: i1 has no memory layout; use ptr<i8>"},
      {"func @f() {\n  %c = const 1 : f16\n  ret\n}",
       "2:18: f16 is not supported yet"},
      {"func @f() {\n  %y = add %x, 1\n  ret\n}",
       "2:12: use of undefined value '%x'"},
      {"func @f(%a: i32) {\n  %a = add %a, 1\n  ret\n}",
       "2:3: redefinition of '%a'"},
      {"func @f(%a: i32, %a: i32) {\n  ret\n}", "1:18: redefinition of '%a'"},
      {"func @f(%a: i32, %c: i1) {\n  %b = add %a, 1\n  if %c {\n    %b = add "
       "%a, 2\n  }\n"
       "  ret\n}",
       "4:5: redefinition of '%b'"},
      {"func @f(%n: i64) {\n  for %n = 0 to 10 step 1 {\n  }\n  ret\n}",
       "2:7: redefinition of '%n'"},
      {"func @f(%a: i32) {\n  %b, %b = call @g(%a)\n  ret\n}\n"
       "func @g(%x: i32) -> (i32, i32) {\n  ret %x, %x\n}",
       "2:7: redefinition of '%b'"},
      {"func @f(%a: i32) {\n  %b = add %b, 1\n  ret\n}",
       "2:12: use of undefined value '%b'"},
      {"func @f(%c: i1) {\n  if %c {\n    %b = const 1 : i32\n  }\n  %d = add "
       "%b, 1\n  ret\n}",
       "5:12: '%b' is not visible here: it is defined in a region that has "
       "ended (line 3)"},
      {"func @f() {\n  %x = call @nope()\n  ret\n}",
       "2:13: call to undefined function '@nope'"},
      {"func @f() {\n  ret\n}\nfunc @f() {\n  ret\n}",
       "4:6: redefinition of function '@f'"},
      {"func @f(%a: i32) {\n  %x, %y = add %a, 1\n  ret\n}",
       "2:3: 'add' produces 1 result, but 2 names are given"},
      {"func @f(%a: i32) {\n  add %a, 1\n  ret\n}",
       "2:3: 'add' produces 1 result, but 0 names are given"},
      {"func @f(%p: ptr<i32>) {\n  %x = store %p[0], 1\n  ret\n}",
       "2:3: 'store' produces no results"},
      {"func @f() {\n}", "2:1: missing 'ret' at the end of function '@f'"},
      {"func @f(%a: i32) {\n  %b = add %a, 1\n}",
       "3:1: missing 'ret' at the end of function '@f'"},
      {"func @f(%a: i32) {\n  ret\n  %b = add %a, 1\n}",
       "3:3: expected '}' after 'ret': 'ret' must be the last operation of the "
       "function body"},
      {"func @f(%c: i1) {\n  if %c {\n    ret\n  }\n  ret\n}",
       "3:5: 'ret' is only allowed as the last operation of the function body"},
      {"func @f(%a: i32) {\n  %b = add %a, 1\n  ret\n} }",
       "4:3: expected 'func' at top level, found '}'"},
      {"func @f() {\n  ret\n}\nxyz",
       "4:1: expected 'func' at top level, found 'xyz'"},
      {"func @f(%c: i1) {\n  if %c {\n    %x = const 1 : i32",
       "3:23: expected '}' to close the region opened at 2:9, found end of "
       "input"},
      {"func @f(%c: i1) {\n  if %c {\n",
       "3:1: expected '}' to close the region opened at 2:9, found end of "
       "input"},
      {"func @f(%n: i64) -> i32 {\n  %s = for %i = 0 to %n step 1 iter(%a: i32 "
       "= 0) {\n"
       "    %b = add %a, 1\n    yield\n    %b\n  }\n  ret %s\n}",
       "4:5: 'yield' has 0 values, but the 'for' expects 1"},
      {"func @f(%n: i64) -> i32 {\n  %s = for %i = 0 to %n step 1 iter(%a: i32 "
       "= 0) {\n"
       "    yield %a\n  }\n  %t = for %j = 0 to %n step 1 iter(%b: i32 = %s) "
       "{\n"
       "    yield %b\n  }\n  %u = for %k = 0 to %n step 1 iter(%c: i32 = %u) "
       "{\n"
       "    yield %c\n  }\n  ret %t\n}",
       "8:47: use of '%u' before its definition"},
      {"func @f() {", "1:12: expected '}' to close the region opened at 1:11, "
                      "found end of input"},
      {"func @f(%a: i32) {\n  %c = fadd 1.0, 2.5\n  ret\n}",
       "2:8: all operands of 'fadd' are literals; write %c = const 1.0 : f32"},
      {"func @f() {\n  %c = add 1, 2\n  ret\n}",
       "2:8: all operands of 'add' are literals; write %c = const 1 : i32"},
      {"func @f(%c: i1) {\n  %r = select %c, 1, 2\n  ret\n}",
       "2:8: both values of 'select' are literals; write %c = const 1 : i32"},
      {"func @f(%a: i8) {\n  %b = add %a, 300\n  ret\n}",
       "2:16: literal 300 does not fit in i8"},
      {"func @f(%a: i32) {\n  %b = add %a, 1.5\n  ret\n}",
       "2:16: literal 1.5 is not an integer, expected i32"},
      {"func @f(%a: f32) {\n  %b = fadd %a, 1e39\n  ret\n}",
       "2:17: literal 1e39 does not fit in f32"},
      {"func @f(%a: i32, %b: i64) {\n  %c = add %a, %b\n  ret\n}",
       nullptr}, // Builder's message
      {"func @f() -> i32 {\n  ret\n}",
       "2:3: 'ret' has 0 values, but function '@f' returns 1"},
      {"func @f(%n: i64) {\n  %s = for %i = 0 to %n step 1 iter(%a: f32 = 0.0) "
       "{\n  }\n  ret\n}",
       "3:3: expected 'yield' with 1 value at the end of the 'for' region"},
      {"func @f(%n: i64) {\n  for %i = 0 to %n step 1 {\n    yield 1\n  }\n  "
       "ret\n}",
       "3:5: 'yield' has 1 value, but the 'for' expects 0"},
      {"func @f(%c: i1) {\n  %r = if %c -> f32 {\n    yield 1.0\n  }\n  ret\n}",
       "2:8: an 'if' with results needs an 'else' region"},
      {"func @f() {\n  yield\n  ret\n}",
       "2:3: 'yield' outside a region; a function ends with 'ret'"},
      {"func @f(%n: i64) {\n  for %i = 0 to %n step 1 {\n    condition true\n  "
       "}\n  ret\n}",
       "3:5: 'condition' is only allowed at the end of the condition region of "
       "'while'"},
      {"func @f() {\n  while () {\n    %t = const true : i1\n  } do {\n  }\n  "
       "ret\n}",
       "4:3: expected 'condition' at the end of the condition region of "
       "'while'"},
      {"func @f() {\n  while () {\n    %t = const true : i1\n    condition "
       "%t\n  } do {\n"
       "    %u = add %t, %t\n  }\n  ret\n}",
       "6:14: '%t' is not visible here: it is defined in a region that has "
       "ended (line 3)"},
      {"func @f(%n: i64) {\n  for %i = 0 to %n step 1 {\n    yield\n    %x = "
       "add %i, 1\n  }\n"
       "  ret\n}",
       "4:5: expected '}' after 'yield': it must be the last operation of its "
       "region"},
      {"func @f(%a: i32) {\n  %b = call @g(%a, 1)\n  ret\n}\nfunc @g(%x: i32) "
       "-> i32 {\n"
       "  ret %x\n}",
       "2:13: '@g' takes 1 argument, but 2 are given"},
      {"func @f(%a: i32) {\n  %b = call @g(%a)\n  ret\n}\nfunc @g(%x: f16) -> "
       "i32 {\n"
       "  ret 1\n}",
       "5:13: f16 is not supported yet"},
      {"func @f(%a: i32) {\n  %b = add %a 1\n  ret\n}",
       "2:15: expected ',' between operands, found '1'"},
      {"func @f(%a: i32 bogus) {\n  ret\n}",
       "1:17: unknown parameter attribute 'bogus'"},
      {"func @f(%a: i32 readonly) {\n  ret\n}", nullptr},
      {"func @f(%p: ptr<f32>) {\n  %v = load 3[0]\n  ret\n}",
       "2:13: expected a pointer value, found literal 3"},
      {"func @f(%a: i32) {\n  %b = icmp foo %a, %a\n  ret\n}",
       "2:13: expected a predicate of 'icmp', found 'foo'"},
      {"func @f(%p: ptr<i32>) {\n  atomic nand %p[0], 1\n  ret\n}", nullptr},
      {"func @f(%a: i32) {\n  %b = add %a, \x01\n  ret\n}",
       "2:16: unexpected character '\\x01'"},
      {"func @f() {\n  \xff\n  ret\n}", "2:3: invalid byte 0xff"},
      {"\x7f"
       "ELF\x02\x01",
       "1:1: unexpected character '\\x7f'"},
      {"func @f() {\n  % = add\n}", "2:3: expected a name after '%'"},
      {"func @f(%a: i32) {\n  %b = add %a, -foo\n  ret\n}",
       "2:16: invalid integer literal '-foo'"},
      {"func @f(%a: f32) {\n  %b = trunc afn %a to i8\n  ret\n}",
       "2:14: 'afn' is not allowed on the 'trunc' cast"},
  };
  for (const ErrorCase &C : Cases) {
    std::string D = firstDiag(C.Src);
    if (C.Diag)
      EXPECT_EQ(D, C.Diag) << "input:\n" << C.Src;
    else
      EXPECT_NE(D, "<ok>") << "input:\n" << C.Src;
  }
}

TEST(ParserTest, BuilderErrorsPointAtOperand) {
  // The Builder names the operand at fault; the diagnostic points at it.
  EXPECT_EQ(
      firstDiag("func @f(%a: i32, %b: i64) {\n  %c = add %a, %b\n  ret\n}")
          .substr(0, 5),
      "2:16:");
  EXPECT_EQ(
      firstDiag("func @f(%a: i32, %b: f32) {\n  %n = for %i = 0 to %a step 1 "
                "iter(%s: f32 = %a) {\n    yield %b\n  }\n  ret\n}")
          .substr(0, 5),
      "2:47:");
  EXPECT_EQ(firstDiag("func @f(%a: i32) -> i64 {\n  ret %a\n}").substr(0, 4),
            "2:7:");
  EXPECT_EQ(
      firstDiag("func @f(%a: i32) {\n  if %a {\n  }\n  ret\n}").substr(0, 4),
      "2:6:");
}

TEST(ParserTest, NotADiagnosticIsNeverReturned) {
  // Whatever the input, errors are DiagnosticErrors with a location.
  std::mt19937 Rng(99);
  std::string Pieces[] = {
      "func",  "@f",   "(",    ")",     "{",     "}",   "%a",        ":",
      "i32",   "=",    "add",  ",",     "1",     "ret", "->",        "if",
      "for",   "to",   "step", "yield", "while", "do",  "condition", "\n",
      "ptr",   "<",    ">",    "[",     "]",     "f32", "2.5",       "call",
      "store", "load", "-",    "\x01"};
  for (int I = 0; I < 3000; ++I) {
    std::string Src;
    int N = Rng() % 40;
    for (int J = 0; J < N; ++J)
      Src += Pieces[Rng() % std::size(Pieces)] + " ";
    auto M = parseModule(Src);
    if (M)
      continue;
    llvm::handleAllErrors(
        M.takeError(),
        [&](const DiagnosticError &E) {
          ASSERT_FALSE(E.diagnostics().empty());
          EXPECT_TRUE(E.diagnostics()[0].Loc.isValid()) << Src;
        },
        [&](const llvm::ErrorInfoBase &E) {
          ADD_FAILURE() << Src << ": " << E.message();
        });
  }
}

//===----------------------------------------------------------------------===//
// Hostile inputs
//===----------------------------------------------------------------------===//

TEST(ParserTest, DeepNestIsADiagnostic) {
  std::string Src = "func @f(%c: i1) {\n";
  for (int I = 0; I < 20000; ++I)
    Src += "if %c {\n";
  for (int I = 0; I < 20000; ++I)
    Src += "}\n";
  Src += "ret\n}\n";
  std::string D = firstDiag(Src);
  // The body counts as one region: the 256th nested if is one too many.
  EXPECT_EQ(D, "257:1: nesting deeper than 256 regions");
}

TEST(ParserTest, NestingAtTheLimitIsFine) {
  std::string Src = "func @f(%c: i1) {\n";
  for (int I = 0; I < 255; ++I)
    Src += "if %c {\n";
  for (int I = 0; I < 255; ++I)
    Src += "}\n";
  Src += "ret\n}\n";
  EXPECT_EQ(firstDiag(Src), "<ok>");
}

TEST(ParserTest, UnterminatedDeepNest) {
  std::string Src = "func @f(%c: i1) {\n";
  for (int I = 0; I < 100; ++I)
    Src += "if %c {\n";
  EXPECT_EQ(firstDiag(Src),
            "102:1: expected '}' to close the region opened at 101:7, found "
            "end of input");
}

TEST(ParserTest, BinaryGarbage) {
  std::mt19937 Rng(1);
  for (int I = 0; I < 200; ++I) {
    std::string Src(1 + Rng() % 4096, '\0');
    for (char &C : Src)
      C = static_cast<char>(Rng());
    EXPECT_NE(firstDiag(Src), "<ok>");
  }
  // NUL bytes inside the buffer are just invalid characters.
  EXPECT_EQ(firstDiag(llvm::StringRef("func @f() {\n  \0\n}", 17)),
            "2:3: unexpected character '\\x00'");
}

TEST(ParserTest, LongGarbageLine) {
  std::string Src(8 << 20, 'x');
  Src[Src.size() / 2] = '$';
  // Correctness only: speed is benchmarks/frontend_bench's job.
  std::string D = firstDiag(Src);
  EXPECT_EQ(D, "1:1: expected 'func' at top level, found '" +
                   Src.substr(0, Src.size() / 2) + "'");
  std::string Src2 = "func @f() {\n  " + std::string(8 << 20, '!') + "\n}";
  EXPECT_EQ(firstDiag(Src2), "2:3: unexpected character '!'");
}

TEST(ParserTest, HundredThousandOps) {
  std::string Src =
      "func @f(%a: i32, %p: ptr<i32>) -> i32 {\n  %v0 = add %a, 1\n";
  for (int I = 1; I < 100000; ++I)
    Src += "  %v" + std::to_string(I) + " = mul %v" + std::to_string(I - 1) +
           ", 3\n";
  Src += "  store %p[0], %v99999\n  ret %v99999\n}\n";
  // Correctness only; parse time is measured by benchmarks/frontend_bench.
  auto M = parseOk(Src);
  ASSERT_TRUE(M);
  EXPECT_EQ(M->Functions[0]->Body.Ops.size(), 100002u);
}

TEST(ParserTest, ManyFunctionsCallingForward) {
  // Each function calls the next one, defined later: pass 1 declares all.
  std::string Src;
  for (int I = 0; I < 2000; ++I)
    Src += "func @f" + std::to_string(I) +
           "(%x: i32) -> i32 {\n  %y = call @f" + std::to_string(I + 1) +
           "(%x)\n  ret %y\n}\n";
  Src += "func @f2000(%x: i32) -> i32 {\n  ret %x\n}\n";
  auto M = parseOk(Src);
  ASSERT_TRUE(M);
  EXPECT_EQ(M->Functions.size(), 2001u);
  EXPECT_EQ(M->Functions[5]->Body.Ops[0].Callee, 6u);
}

//===----------------------------------------------------------------------===//
// Lexer
//===----------------------------------------------------------------------===//

TEST(LexerTest, Tokens) {
  Lexer L("func @f(%a.b_1: ptr<f32>) -> i32 { ; c\n -inf nan(0x7fc00001) "
          "0x1.8p+1 1e-3 -7 "
          "true [ ] , = : nand -nan");
  std::vector<std::pair<TokKind, std::string>> Want = {
      {TokKind::Ident, "func"},
      {TokKind::GlobalName, "@f"},
      {TokKind::LParen, "("},
      {TokKind::LocalName, "%a.b_1"},
      {TokKind::Colon, ":"},
      {TokKind::Ident, "ptr"},
      {TokKind::Less, "<"},
      {TokKind::Ident, "f32"},
      {TokKind::Greater, ">"},
      {TokKind::RParen, ")"},
      {TokKind::Arrow, "->"},
      {TokKind::Ident, "i32"},
      {TokKind::LBrace, "{"},
      {TokKind::Literal, "-inf"},
      {TokKind::Literal, "nan(0x7fc00001)"},
      {TokKind::Literal, "0x1.8p+1"},
      {TokKind::Literal, "1e-3"},
      {TokKind::Literal, "-7"},
      {TokKind::Literal, "true"},
      {TokKind::LBracket, "["},
      {TokKind::RBracket, "]"},
      {TokKind::Comma, ","},
      {TokKind::Equal, "="},
      {TokKind::Colon, ":"},
      {TokKind::Ident, "nand"},
      {TokKind::Literal, "-nan"},
      {TokKind::Eof, ""}};
  for (auto &[K, Text] : Want) {
    Token T = L.next();
    EXPECT_EQ(T.Kind, K) << Text;
    EXPECT_EQ(T.Text.str(), Text);
  }
  EXPECT_TRUE(L.next().is(TokKind::Eof)); // stays at the end
}

TEST(LexerTest, Locations) {
  Lexer L("a\n  b ; x\n\n\tc");
  Token A = L.next(), B = L.next(), C = L.next(), E = L.next();
  EXPECT_EQ(A.Loc.Line, 1u);
  EXPECT_EQ(A.Loc.Col, 1u);
  EXPECT_EQ(B.Loc.Line, 2u);
  EXPECT_EQ(B.Loc.Col, 3u);
  EXPECT_EQ(C.Loc.Line, 4u);
  EXPECT_EQ(C.Loc.Col, 2u);
  EXPECT_TRUE(E.is(TokKind::Eof));
  EXPECT_EQ(E.Loc.Col, 3u);
}

TEST(LexerTest, ErrorsAndSaveRestore) {
  std::string Src = "a \x01 \xfe $ @ %";
  Lexer L(Src);
  L.next();
  Token T1 = L.next(), T2 = L.next(), T3 = L.next(), T4 = L.next(),
        T5 = L.next();
  EXPECT_EQ(Lexer::errorMessage(T1), "unexpected character '\\x01'");
  EXPECT_EQ(Lexer::errorMessage(T2), "invalid byte 0xfe");
  EXPECT_EQ(Lexer::errorMessage(T3), "unexpected character '$'");
  EXPECT_EQ(Lexer::errorMessage(T4), "expected a name after '@'");
  EXPECT_TRUE(T5.is(TokKind::Error));
  EXPECT_EQ(Lexer::errorMessage(T5), "expected a name after '%'");
  Lexer L4("%a  %b");
  L4.next();
  auto S = L4.save();
  Token B = L4.next();
  EXPECT_TRUE(L4.next().is(TokKind::Eof));
  L4.restore(S);
  Token B2 = L4.next();
  EXPECT_EQ(B2.Text, "%b");
  EXPECT_EQ(B2.Loc.Col, B.Loc.Col);
  // A buffer that ends in the middle of a token is never read past its end.
  std::string Buf = "-0x1p+";
  Lexer L2(llvm::StringRef(Buf.data(), 5)); // "-0x1p"
  EXPECT_EQ(L2.next().Text, "-0x1p");
  Lexer L3(llvm::StringRef("nan(0x1", 7));
  EXPECT_EQ(L3.next().Text, "nan");
}

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

std::string render(llvm::StringRef Src, SrcLoc Loc,
                   llvm::StringRef Msg = "bad") {
  std::string S;
  llvm::raw_string_ostream OS(S);
  printDiagnostic(OS, "t.vir", Src, Diagnostic{Loc, Msg.str()});
  return S;
}

TEST(DiagnosticsTest, Format) {
  EXPECT_EQ(render("a\n  bcd\n", {2, 4}),
            "t.vir:2:4: error: bad\n  bcd\n   ^\n");
  EXPECT_EQ(render("x", {}), "t.vir: error: bad\n");
  // Tabs are kept so the caret lines up; control and non-ASCII bytes show as
  // '?'.
  EXPECT_EQ(render("\tab\x01\xc3\xa9z\r\n", {1, 7}),
            "t.vir:1:7: error: bad\n\tab???z\n\t     ^\n");
  // End of input after a final newline: an empty line.
  EXPECT_EQ(render("a\n", {2, 1}), "t.vir:2:1: error: bad\n\n^\n");
  // Column just past the end of the line.
  EXPECT_EQ(render("abc", {1, 4}), "t.vir:1:4: error: bad\nabc\n   ^\n");
}

TEST(DiagnosticsTest, LongLinesAreCut) {
  std::string Line(100000, 'x');
  Line[50000] = 'Y';
  std::string Out = render(Line, {1, 50001});
  std::vector<std::string> Lines;
  llvm::SmallVector<llvm::StringRef> Parts;
  llvm::StringRef(Out).split(Parts, '\n');
  ASSERT_GE(Parts.size(), 3u);
  EXPECT_LT(Parts[1].size(), 200u);
  size_t Caret = Parts[2].find('^');
  ASSERT_NE(Caret, llvm::StringRef::npos);
  EXPECT_EQ(Parts[1][Caret], 'Y');
  EXPECT_TRUE(Parts[1].starts_with("..."));
  EXPECT_TRUE(Parts[1].ends_with("..."));
  // Near the start, no leading "...".
  Out = render(Line, {1, 3});
  EXPECT_TRUE(llvm::StringRef(Out).contains("\nxxx"));
  EXPECT_TRUE(llvm::StringRef(Out).ends_with("\n  ^\n"));
}

TEST(DiagnosticsTest, PrintDiagnostics) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  printDiagnostics(OS, "f.vir", "abc\ndef\n",
                   llvm::make_error<DiagnosticError>(std::vector<Diagnostic>{
                       {{1, 2}, "one"}, {{2, 1}, "two"}}));
  printDiagnostics(
      OS, "f.vir", "",
      llvm::createStringError(llvm::inconvertibleErrorCode(), "plain"));
  EXPECT_EQ(S, "f.vir:1:2: error: one\nabc\n ^\nf.vir:2:1: error: two\ndef\n^\n"
               "f.vir: error: plain\n");
  EXPECT_EQ(
      llvm::toString(llvm::make_error<DiagnosticError>(SrcLoc{3, 4}, "m")),
      "3:4: m");
}

} // namespace
