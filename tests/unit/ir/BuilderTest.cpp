//===- BuilderTest.cpp - the Builder builds only well-typed VIR -----------===//
#include "ircgpu/Builder.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

/// The spec's saxpy, built in memory.
TEST(Builder, Saxpy) {
  Module M;
  Builder B(M);
  Function *F = llvm::cantFail(
      B.declareFunction("saxpy",
                        {Type::i64(), Type::f32(), Type::ptr(Scalar::F32),
                         Type::ptr(Scalar::F32)},
                        {0, 0, AttrReadOnly, 0}, {}, {"n", "a", "x", "y"}));
  llvm::cantFail(B.beginBody(*F));
  auto Args =
      llvm::cantFail(B.beginFor(B.intLiteral(Type::i64(), 0), B.param(0),
                                B.intLiteral(Type::i64(), 1), {}, {}));
  Value I = Args[0];
  Value Xi = llvm::cantFail(B.create1(Opcode::Load, {B.param(2), I}));
  Value Yi = llvm::cantFail(B.create1(Opcode::Load, {B.param(3), I}));
  Value T = llvm::cantFail(B.create1(Opcode::FMul, {B.param(1), Xi}));
  Value R = llvm::cantFail(B.create1(Opcode::FAdd, {T, Yi}));
  EXPECT_TRUE(
      llvm::cantFail(B.create(Opcode::Store, {B.param(3), I, R})).empty());
  EXPECT_TRUE(llvm::cantFail(B.endFor({})).empty());
  llvm::cantFail(B.finishBody({}));

  ASSERT_EQ(F->Body.Ops.size(), 2u);
  const Op &For = F->Body.Ops[0];
  EXPECT_EQ(For.Code, Opcode::For);
  EXPECT_EQ(For.Regions[0].Ops.size(), 5u); // no stored empty yield
  EXPECT_EQ(F->type(R), Type::f32());
  EXPECT_EQ(F->Body.Ops[1].Code, Opcode::Ret);
}

TEST(Builder, ReductionAndResults) {
  Module M;
  Builder B(M);
  Function *F = llvm::cantFail(B.declareFunction(
      "sum", {Type::i64(), Type::ptr(Scalar::F32)}, {}, {Type::f32()}));
  llvm::cantFail(B.beginBody(*F));
  Value Zero = B.floatLiteral(Type::f32(), 0.0);
  auto Args = llvm::cantFail(B.beginFor(
      B.intLiteral(Type::i64(), 0), B.param(0), B.intLiteral(Type::i64(), 1),
      {Zero}, {Type::f32()}, FlagParallel | FlagReassoc));
  Value V = llvm::cantFail(B.create1(Opcode::Load, {B.param(1), Args[0]}));
  Value A = llvm::cantFail(B.create1(Opcode::FAdd, {Args[1], V}));
  // Yielding the wrong type is refused and leaves the region open.
  EXPECT_NE(errText(B.endFor({Args[0]})).find("yields i64 where f32"),
            std::string::npos);
  auto Rs = llvm::cantFail(B.endFor({A}));
  ASSERT_EQ(Rs.size(), 1u);
  llvm::cantFail(B.finishBody({Rs[0]}));
  EXPECT_EQ(F->Body.Ops[0].Results.size(), 1u);
}

TEST(Builder, TypeErrorsNameTheOperand) {
  Module M;
  Builder B(M);
  Function *F = llvm::cantFail(
      B.declareFunction("f", {Type::i32(), Type::f32()}, {}, {}, {"a", "b"}));
  llvm::cantFail(B.beginBody(*F));
  auto R = B.create1(Opcode::Add, {B.param(0), B.param(1)});
  ASSERT_FALSE(R);
  llvm::handleAllErrors(R.takeError(), [](const BuildError &E) {
    EXPECT_EQ(E.operand(), 1);
    EXPECT_EQ(E.message(),
              "'add' operands must have the same type, got i32 and f32");
  });
  auto L = B.create1(Opcode::FAdd, {B.floatLiteral(Type::f32(), 1),
                                    B.floatLiteral(Type::f32(), 2)});
  EXPECT_NE(errText(std::move(L)).find("all operands of 'fadd' are literals"),
            std::string::npos);
  auto C = B.create1(Opcode::SExt, {B.param(0)}, OpAttrs{.To = Type::i32()});
  EXPECT_NE(errText(std::move(C)).find("wider integer"), std::string::npos);
  auto Afn = B.create1(Opcode::FAdd, {B.param(1), B.param(1)},
                       OpAttrs{.Flags = FlagAfn});
  EXPECT_NE(errText(std::move(Afn)).find("'afn' is only allowed"),
            std::string::npos);
  EXPECT_TRUE(
      bool(B.create1(Opcode::Exp, {B.param(1)}, OpAttrs{.Flags = FlagAfn})));
}

TEST(Builder, ScopingAndWhile) {
  Module M;
  Builder B(M);
  Function *F =
      llvm::cantFail(B.declareFunction("w", {Type::f32()}, {}, {Type::f32()}));
  llvm::cantFail(B.beginBody(*F));
  auto Vars = llvm::cantFail(
      B.beginWhile({B.param(0), B.intLiteral(Type::i32(), 0)},
                   {Type::f32(), Type::i32()}, {}, {"xv", "kv"}));
  Value Go = llvm::cantFail(
      B.create1(Opcode::ICmp, {Vars[1], B.intLiteral(Type::i32(), 10)},
                OpAttrs{.Sub = static_cast<uint8_t>(ICmpPred::SLT)}));
  llvm::cantFail(B.beginDo(Go));
  // Condition-region values are not visible in the do-region...
  EXPECT_NE(errText(B.create1(Opcode::Not, {Go})).find("outside the region"),
            std::string::npos);
  // ...but the loop variables are.
  Value X2 = llvm::cantFail(B.create1(Opcode::FMul, {Vars[0], Vars[0]}));
  Value K2 = llvm::cantFail(
      B.create1(Opcode::Add, {Vars[1], B.intLiteral(Type::i32(), 1)}));
  auto Rs = llvm::cantFail(B.endWhile({X2, K2}));
  EXPECT_NE(errText(B.create1(Opcode::FNeg, {X2})).find("outside the region"),
            std::string::npos);
  EXPECT_NE(errText(B.finishBody({Rs[1]})).find("returns f32"),
            std::string::npos);
  llvm::cantFail(B.finishBody({Rs[0]}));
}

TEST(Builder, IfNeedsElseForResults) {
  Module M;
  Builder B(M);
  Function *F = llvm::cantFail(B.declareFunction("g", {Type::i1()}, {}, {}));
  llvm::cantFail(B.beginBody(*F));
  llvm::cantFail(B.beginIf(B.param(0), {Type::i32()}));
  EXPECT_NE(
      errText(B.endIf({B.intLiteral(Type::i32(), 1)})).find("needs an else"),
      std::string::npos);
  llvm::cantFail(B.beginElse({B.intLiteral(Type::i32(), 1)}));
  auto Rs = llvm::cantFail(B.endIf({B.intLiteral(Type::i32(), 2)}));
  EXPECT_EQ(Rs.size(), 1u);
  EXPECT_TRUE(F->Body.Ops[0].hasFlag(FlagHasElse));
  llvm::cantFail(B.finishBody({}));
}

TEST(Builder, DeclarationRules) {
  Module M;
  Builder B(M);
  EXPECT_NE(errText(B.declareFunction("p", {Type::ptr(Scalar::I1)}, {}, {}))
                .find("ptr<i1>"),
            std::string::npos);
  EXPECT_NE(errText(B.declareFunction("h", {Type::scalar(Scalar::F16)}, {}, {}))
                .find("f16"),
            std::string::npos);
  EXPECT_NE(errText(B.declareFunction("a", {Type::i32()}, {AttrNoAlias}, {}))
                .find("ptr parameters only"),
            std::string::npos);
  llvm::cantFail(B.declareFunction("ok", {}, {}, {}));
  EXPECT_NE(errText(B.declareFunction("ok", {}, {}, {})).find("redefinition"),
            std::string::npos);
}

TEST(Builder, NestingIsBounded) {
  Module M;
  Builder B(M);
  Function *F = llvm::cantFail(B.declareFunction("deep", {Type::i1()}, {}, {}));
  llvm::cantFail(B.beginBody(*F));
  unsigned Opened = 0;
  llvm::Error Last = llvm::Error::success();
  for (unsigned I = 0; I < 2 * MaxNestingDepth; ++I) {
    if (llvm::Error E = B.beginIf(B.param(0), {})) {
      Last = std::move(E);
      break;
    }
    ++Opened;
  }
  EXPECT_EQ(Opened, MaxNestingDepth - 1); // the body itself is the first level
  EXPECT_NE(errText(std::move(Last)).find("nesting deeper than"),
            std::string::npos);
  for (unsigned I = 0; I < Opened; ++I)
    llvm::cantFail(B.endIf({}));
  llvm::cantFail(B.finishBody({}));
}

} // namespace
