//===- VerifierTest.cpp - the verifier re-checks every rule ---------------===//
//
// Each test builds a valid module with the Builder, then edits the IR directly
// (as a broken compiler pass would) to break one rule, and checks the message.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Verifier.h"

#include "ircgpu/Builder.h"
#include "ircgpu/Diagnostics.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

using namespace ircgpu;
using namespace ircgpu::test;
using llvm::cantFail;

namespace {

/// The diagnostics of verifyModule(M); empty when it passes.
std::vector<Diagnostic> diags(const Module &M) {
  std::vector<Diagnostic> Out;
  llvm::handleAllErrors(
      verifyModule(M), [&](const DiagnosticError &E) { Out = E.diagnostics(); },
      [&](const llvm::ErrorInfoBase &E) {
        Out.push_back({{}, "unexpected: " + E.message()});
      });
  return Out;
}

std::string all(const std::vector<Diagnostic> &Ds) {
  std::string S;
  for (const Diagnostic &D : Ds)
    S += std::to_string(D.Loc.Line) + ":" + std::to_string(D.Loc.Col) + ": " +
         D.Message + "\n";
  return S;
}

/// True if some diagnostic contains Text.
::testing::AssertionResult hasDiag(const Module &M, const std::string &Text) {
  auto Ds = diags(M);
  for (const Diagnostic &D : Ds)
    if (D.Message.find(Text) != std::string::npos)
      return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "no diagnostic contains \"" << Text << "\"; got:\n"
         << (Ds.empty() ? "(none)\n" : all(Ds));
}

#define EXPECT_VALID(M) EXPECT_EQ(all(diags(M)), "")

/// func @saxpy(%n: i64, %a: f32, %x: ptr<f32> readonly, %y: ptr<f32>)
struct Saxpy {
  Module M;
  Function *F;
  Value I, Xi, Yi, T, R;
  Saxpy() {
    Builder B(M);
    F = cantFail(
        B.declareFunction("saxpy",
                          {Type::i64(), Type::f32(), Type::ptr(Scalar::F32),
                           Type::ptr(Scalar::F32)},
                          {0, 0, AttrReadOnly, 0}, {}, {"n", "a", "x", "y"}));
    cantFail(B.beginBody(*F));
    auto Args =
        cantFail(B.beginFor(B.intLiteral(Type::i64(), 0), B.param(0),
                            B.intLiteral(Type::i64(), 1), {}, {}, 0, {}, "i"));
    I = Args[0];
    Xi = cantFail(B.create1(Opcode::Load, {B.param(2), I}, {}, {}, "xi"));
    Yi = cantFail(B.create1(Opcode::Load, {B.param(3), I}, {}, {}, "yi"));
    T = cantFail(B.create1(Opcode::FMul, {B.param(1), Xi}, {}, {}, "t"));
    R = cantFail(B.create1(Opcode::FAdd, {T, Yi}, {}, {}, "r"));
    cantFail(B.create(Opcode::Store, {B.param(3), I, R}));
    cantFail(B.endFor({}));
    cantFail(B.finishBody({}));
  }
  Op &loop() { return F->Body.Ops[0]; }
  Region &body() { return loop().Regions[0]; }
};

/// func @sum(%n: i64, %x: ptr<f32> readonly) -> f32 { for ... iter(%acc: f32 =
/// 0.0) }
struct Sum {
  Module M;
  Function *F;
  Value Acc, V, A, S;
  Sum() {
    Builder B(M);
    F = cantFail(B.declareFunction("sum", {Type::i64(), Type::ptr(Scalar::F32)},
                                   {0, AttrReadOnly}, {Type::f32()},
                                   {"n", "x"}));
    cantFail(B.beginBody(*F));
    auto Args = cantFail(B.beginFor(
        B.intLiteral(Type::i64(), 0), B.param(0), B.intLiteral(Type::i64(), 1),
        {B.floatLiteral(Type::f32(), 0.0)}, {Type::f32()},
        FlagParallel | FlagReassoc, {}, "i", {"acc"}));
    Acc = Args[1];
    V = cantFail(B.create1(Opcode::Load, {B.param(1), Args[0]}, {}, {}, "v"));
    A = cantFail(B.create1(Opcode::FAdd, {Acc, V}, {}, {}, "a"));
    S = cantFail(B.endFor({A}, {}, {"s"}))[0];
    cantFail(B.finishBody({S}));
  }
  Op &loop() { return F->Body.Ops[0]; }
  Region &body() { return loop().Regions[0]; }
};

/// func @sel(%c: i1, %p: i32) -> i32 { %r = if %c -> i32 { yield %p } else {
/// yield 7 } }
struct IfElse {
  Module M;
  Function *F;
  Value R;
  IfElse() {
    Builder B(M);
    F = cantFail(B.declareFunction("sel", {Type::i1(), Type::i32()}, {},
                                   {Type::i32()}, {"c", "p"}));
    cantFail(B.beginBody(*F));
    cantFail(B.beginIf(B.param(0), {Type::i32()}));
    cantFail(B.beginElse({B.param(1)}));
    R = cantFail(B.endIf({B.intLiteral(Type::i32(), 7)}, {}, {"r"}))[0];
    cantFail(B.finishBody({R}));
  }
  Op &ifOp() { return F->Body.Ops[0]; }
};

/// func @w(%x0: f32) -> f32 { %x, %k = while (%xv = %x0, %kv = 0) {...} do
/// {...} }
struct While {
  Module M;
  Function *F;
  Value Xv, Kv, Go, X2, K2;
  While() {
    Builder B(M);
    F = cantFail(
        B.declareFunction("w", {Type::f32()}, {}, {Type::f32()}, {"x0"}));
    cantFail(B.beginBody(*F));
    auto Vars =
        cantFail(B.beginWhile({B.param(0), B.intLiteral(Type::i32(), 0)},
                              {Type::f32(), Type::i32()}, {}, {"xv", "kv"}));
    Xv = Vars[0];
    Kv = Vars[1];
    OpAttrs Slt;
    Slt.Sub = static_cast<uint8_t>(ICmpPred::SLT);
    Go = cantFail(B.create1(Opcode::ICmp, {Kv, B.intLiteral(Type::i32(), 10)},
                            Slt, {}, "go"));
    cantFail(B.beginDo(Go));
    X2 = cantFail(B.create1(Opcode::FMul, {Xv, Xv}, {}, {}, "x2"));
    K2 = cantFail(B.create1(Opcode::Add, {Kv, B.intLiteral(Type::i32(), 1)}, {},
                            {}, "k2"));
    auto Rs = cantFail(B.endWhile({X2, K2}));
    cantFail(B.finishBody({Rs[0]}));
  }
  Op &loop() { return F->Body.Ops[0]; }
};

/// @g(%a: i32, %b: f32) -> i32 and @f(%p: i32) -> i32 { %r = call @g(%p, 1.0) }
struct Calls {
  Module M;
  Function *G, *F;
  Calls() {
    Builder B(M);
    G = cantFail(B.declareFunction("g", {Type::i32(), Type::f32()}, {},
                                   {Type::i32()}, {"a", "b"}));
    cantFail(B.beginBody(*G));
    cantFail(B.finishBody({B.param(0)}));
    F = cantFail(
        B.declareFunction("f", {Type::i32()}, {}, {Type::i32()}, {"p"}));
    cantFail(B.beginBody(*F));
    OpAttrs A;
    A.Callee = 0;
    Value R = cantFail(B.create1(Opcode::Call,
                                 {B.param(0), B.floatLiteral(Type::f32(), 1.0)},
                                 A, {}, "r"));
    cantFail(B.finishBody({R}));
  }
  Op &call() { return F->Body.Ops[0]; }
};

// --- valid modules -----------------------------------------------------------

TEST(Verifier, ValidModulesPass) {
  {
    Saxpy S;
    EXPECT_VALID(S.M);
  }
  {
    Sum S;
    EXPECT_VALID(S.M);
  }
  {
    IfElse S;
    EXPECT_VALID(S.M);
  }
  {
    While S;
    EXPECT_VALID(S.M);
  }
  {
    Calls S;
    EXPECT_VALID(S.M);
  }
  Module Empty;
  EXPECT_VALID(Empty);
}

TEST(Verifier, DeepButAllowedNesting) {
  Module M;
  Builder B(M);
  Function *F = cantFail(B.declareFunction("deep", {Type::i1()}, {}, {}));
  cantFail(B.beginBody(*F));
  for (unsigned I = 0; I + 1 < MaxNestingDepth; ++I)
    cantFail(B.beginIf(B.param(0), {}));
  for (unsigned I = 0; I + 1 < MaxNestingDepth; ++I)
    cantFail(B.endIf({}));
  cantFail(B.finishBody({}));
  EXPECT_VALID(M);
}

// --- signatures --------------------------------------------------------------

TEST(Verifier, ParameterTypes) {
  {
    Saxpy S;
    S.F->Params[1] =
        S.F->newValue(Type::scalar(Scalar::F16), ValueKind::Param, {}, "h");
    EXPECT_TRUE(hasDiag(S.M, "f16 is not supported yet"));
  }
  {
    Saxpy S;
    S.F->Params[3] =
        S.F->newValue(Type::ptr(Scalar::I1), ValueKind::Param, {}, "b");
    EXPECT_TRUE(hasDiag(S.M, "ptr<i1> is not a valid type"));
  }
  {
    Saxpy S;
    S.F->ParamAttrs[0] = AttrNoAlias;
    EXPECT_TRUE(
        hasDiag(S.M, "apply to ptr parameters only, not to %n of type i64"));
  }
  {
    Saxpy S;
    S.F->ParamAttrs[2] = AttrReadOnly | AttrWriteOnly;
    EXPECT_TRUE(hasDiag(S.M, "cannot be both readonly and writeonly"));
  }
  {
    Saxpy S;
    S.F->ParamAttrs[2] = 0x40;
    EXPECT_TRUE(hasDiag(S.M, "unknown attribute bits 0x40"));
  }
  {
    Saxpy S;
    S.F->ParamAttrs.pop_back();
    EXPECT_TRUE(hasDiag(S.M, "3 attribute masks for 4 parameters"));
  }
}

TEST(Verifier, ResultTypes) {
  {
    Sum S;
    S.F->ResultTypes[0] = Type::ptr(Scalar::F32);
    EXPECT_TRUE(hasDiag(S.M, "@sum cannot return a pointer (ptr<f32>)"));
  }
  {
    Sum S;
    S.F->ResultTypes[0] = Type::scalar(Scalar::F16);
    EXPECT_TRUE(hasDiag(S.M, "f16 is not supported yet"));
  }
}

TEST(Verifier, DuplicateFunctionNames) {
  Calls S;
  S.F->Name = "g";
  EXPECT_TRUE(hasDiag(S.M, "redefinition of function '@g'"));
}

// --- non-region ops: the shared type rule
// -------------------------------------

TEST(Verifier, OperandTypesUseTheTypeRule) {
  Saxpy S;
  // %r = fadd %t, %yi  ->  fadd %n, %n (i64)
  Op &FAdd = S.body().Ops[3];
  ASSERT_EQ(FAdd.Code, Opcode::FAdd);
  FAdd.Operands[0] = FAdd.Operands[1] = S.F->Params[0];
  EXPECT_TRUE(hasDiag(S.M, "'fadd' needs f32 or f64 operands, got i64"));
}

TEST(Verifier, OpcodeChangeIsCaught) {
  Saxpy S;
  S.body().Ops[2].Code = Opcode::Add; // fmul -> add on f32
  EXPECT_TRUE(hasDiag(S.M, "'add' needs integer operands, got f32"));
}

TEST(Verifier, ResultTypeMustMatchTheRule) {
  Saxpy S;
  Op &FMul = S.body().Ops[2];
  // A fresh result of the wrong type (the old one, %t, is then never defined).
  FMul.Results[0] = S.F->newValue(Type::f64(), ValueKind::OpResult, {}, "t2");
  EXPECT_TRUE(hasDiag(S.M, "'fmul' result %t2 has type f64, expected f32"));
  EXPECT_TRUE(hasDiag(S.M, "'fadd' uses %t, which is never defined"));
}

TEST(Verifier, ResultCountMustMatchTheRule) {
  Saxpy S;
  S.body().Ops[4].Results.push_back(
      S.F->newValue(Type::f32(), ValueKind::OpResult));
  EXPECT_TRUE(hasDiag(S.M, "'store' has 1 result, expected 0"));
}

TEST(Verifier, OpShape) {
  {
    Saxpy S;
    S.body().Ops[3].Flags = FlagAfn;
    EXPECT_TRUE(hasDiag(
        S.M, "'afn' is only allowed on float math functions, not on 'fadd'"));
  }
  {
    Saxpy S;
    S.body().Ops[3].Sub = 2;
    EXPECT_TRUE(hasDiag(S.M, "'fadd' has a predicate or atomic operation"));
  }
  {
    Saxpy S;
    S.body().Ops[3].Callee = 0;
    EXPECT_TRUE(hasDiag(S.M, "'fadd' has a callee"));
  }
  {
    Saxpy S;
    S.body().Ops[3].Regions.resize(1);
    EXPECT_TRUE(hasDiag(S.M, "'fadd' has 1 region, expected 0"));
  }
  {
    While S;
    S.loop().Regions[0].Ops[0].Sub = 42;
    EXPECT_TRUE(hasDiag(S.M, "'icmp' has an invalid predicate (42)"));
  }
  {
    Saxpy S;
    S.loop().Flags = FlagAfn;
    EXPECT_TRUE(hasDiag(
        S.M, "'afn' is only allowed on float math functions, not on 'for'"));
  }
  {
    Saxpy S;
    S.body().Ops[0].Code = static_cast<Opcode>(250);
    EXPECT_TRUE(hasDiag(S.M, "invalid opcode 250"));
  }
}

TEST(Verifier, Literals) {
  {
    Saxpy S;
    // A literal of an f16 type (the Builder refuses to create one).
    Value H = S.F->newValue(Type::scalar(Scalar::F16), ValueKind::Literal, {},
                            "", 0x3c00);
    S.body().Ops[2].Operands[0] = H;
    EXPECT_TRUE(hasDiag(S.M, "f16 is not supported yet"));
  }
  {
    Saxpy S;
    // i8 literal whose bits do not fit; used as an index.
    Value L = S.F->newValue(Type::scalar(Scalar::I8), ValueKind::Literal, {},
                            "", 0x1ff);
    S.body().Ops[0].Operands[1] = L;
    EXPECT_TRUE(hasDiag(S.M, "literal bits 0x1ff do not fit in i8"));
  }
  {
    Saxpy S;
    // All operands literals.
    Value One =
        S.F->newValue(Type::f32(), ValueKind::Literal, {}, "", 0x3f800000);
    S.body().Ops[3].Operands[0] = S.body().Ops[3].Operands[1] = One;
    EXPECT_TRUE(hasDiag(S.M, "all operands of 'fadd' are literals"));
  }
}

// --- SSA --------------------------------------------------------------------

TEST(Verifier, DefinedTwice) {
  Saxpy S;
  // Duplicate "%t = fmul %a, %xi".
  S.body().Ops.insert(S.body().Ops.begin() + 3, S.body().Ops[2]);
  EXPECT_TRUE(hasDiag(S.M, "value %t is defined more than once"));
}

TEST(Verifier, UsedBeforeDefinition) {
  Saxpy S;
  std::swap(S.body().Ops[2], S.body().Ops[3]); // fadd %t before %t = fmul
  EXPECT_TRUE(hasDiag(S.M, "'fadd' uses %t before its definition"));
}

TEST(Verifier, UsedOutsideItsRegion) {
  Saxpy S;
  // `%z = neg %i` after the loop: %i is the loop index.
  Op Neg;
  Neg.Code = Opcode::Neg;
  Neg.Operands.push_back(S.I);
  Neg.Results.push_back(
      S.F->newValue(Type::i64(), ValueKind::OpResult, {}, "z"));
  S.F->Body.Ops.insert(S.F->Body.Ops.begin() + 1, Neg);
  EXPECT_TRUE(hasDiag(S.M, "'neg' uses %i outside the region that defines it"));
}

TEST(Verifier, ConditionValuesAreNotVisibleInTheDoRegion) {
  While S;
  Op &Add = S.loop().Regions[1].Ops[1]; // %k2 = add %kv, 1
  Op Sel;
  Sel.Code = Opcode::Select;
  Sel.Operands = {S.Go, S.Kv, S.Kv};
  Sel.Results.push_back(
      S.F->newValue(Type::i32(), ValueKind::OpResult, {}, "s"));
  Add.Operands[0] = Sel.Results[0];
  S.loop().Regions[1].Ops.insert(S.loop().Regions[1].Ops.begin() + 1, Sel);
  EXPECT_TRUE(
      hasDiag(S.M, "'select' uses %go outside the region that defines it"));
  EXPECT_EQ(diags(S.M).size(), 1u) << all(diags(S.M));
}

TEST(Verifier, ResultsAreNotVisibleInTheirOwnRegion) {
  Sum S;
  S.body().Ops[1].Operands[0] = S.S; // fadd %s, %v inside the loop defining %s
  EXPECT_TRUE(hasDiag(S.M, "'fadd' uses %s before its definition"));
}

TEST(Verifier, ValueOfAnotherKind) {
  Saxpy S;
  Value L = S.F->newValue(Type::f32(), ValueKind::Literal, {}, "", 0);
  S.body().Ops[3].Results[0] = L;
  EXPECT_TRUE(hasDiag(S.M, "is a literal, expected an op result"));
}

TEST(Verifier, OperandNotAValue) {
  Saxpy S;
  S.body().Ops[3].Operands[1] = Value{12345};
  EXPECT_TRUE(hasDiag(S.M, "'fadd' operand 1 is not a value of @saxpy"));
}

// --- for / if / while --------------------------------------------------------

TEST(Verifier, ForBounds) {
  {
    Saxpy S;
    Value I32 = S.F->newValue(Type::i32(), ValueKind::Literal, {}, "", 1);
    S.loop().Operands[2] = I32;
    EXPECT_TRUE(hasDiag(
        S.M, "'for' step must have the type of the bounds (i64), got i32"));
  }
  {
    Saxpy S;
    S.loop().Operands[1] = S.F->Params[1]; // %a: f32
    EXPECT_TRUE(hasDiag(S.M, "'for' upper bound must have the type of the "
                             "lower bound (i64), got f32"));
  }
  {
    Saxpy S;
    Value L =
        S.F->newValue(Type::scalar(Scalar::I16), ValueKind::Literal, {}, "", 0);
    S.loop().Operands[0] = S.loop().Operands[1] = S.loop().Operands[2] = L;
    EXPECT_TRUE(hasDiag(S.M, "'for' bounds must be i32 or i64, got i16"));
  }
  {
    Saxpy S;
    S.loop().Operands.pop_back();
    EXPECT_TRUE(
        hasDiag(S.M, "'for' needs a lower bound, an upper bound and a step"));
  }
}

TEST(Verifier, ForRegionArgsAndResults) {
  {
    Sum S;
    S.body().Args[1] =
        S.F->newValue(Type::f64(), ValueKind::RegionArg, {}, "acc64");
    EXPECT_TRUE(
        hasDiag(S.M, "iter argument %acc64 declared f64 is initialised with"));
  }
  {
    Sum S;
    S.body().Args[0] =
        S.F->newValue(Type::i32(), ValueKind::RegionArg, {}, "j");
    EXPECT_TRUE(
        hasDiag(S.M, "'for' index %j has type i32, but the bounds are i64"));
  }
  {
    Sum S;
    S.body().Args.pop_back();
    EXPECT_TRUE(hasDiag(S.M, "'for' body has 1 argument, expected 2"));
  }
  {
    Sum S;
    S.loop().Results.clear();
    EXPECT_TRUE(hasDiag(S.M, "'for' has 0 results, but 1 iter argument"));
  }
  {
    Sum S;
    S.loop().Results[0] =
        S.F->newValue(Type::i64(), ValueKind::OpResult, {}, "s2");
    S.F->Body.Ops[1].Operands[0] = S.loop().Results[0];
    EXPECT_TRUE(hasDiag(
        S.M, "'for' result %s2 has type i64, but its iter argument is f32"));
  }
}

TEST(Verifier, ForYield) {
  {
    Sum S;
    S.body().Ops.pop_back(); // drop `yield %a`
    EXPECT_TRUE(hasDiag(S.M, "'for' body must end in 'yield' of 1 value"));
  }
  {
    Sum S;
    S.body().Ops.back().Operands[0] = S.body().Args[0]; // yield %i (i64)
    EXPECT_TRUE(
        hasDiag(S.M, "'for' body yields %i of type i64 where f32 is expected"));
  }
  {
    Sum S;
    S.body().Ops.back().Operands.push_back(S.A);
    EXPECT_TRUE(hasDiag(S.M, "'for' body must yield 1 value, got 2"));
  }
  {
    Saxpy S;
    Op Y;
    Y.Code = Opcode::Yield;
    S.body().Ops.push_back(Y); // an empty yield is not stored
    EXPECT_TRUE(hasDiag(S.M, "unexpected 'yield'"));
  }
  {
    Sum S;
    // yield in the middle of the body
    S.body().Ops.insert(S.body().Ops.begin(), S.body().Ops.back());
    EXPECT_TRUE(hasDiag(S.M, "'yield' must be the last op of its region"));
  }
}

TEST(Verifier, IfRules) {
  {
    IfElse S;
    S.ifOp().Operands[0] = S.F->Params[1]; // i32 condition
    EXPECT_TRUE(hasDiag(S.M, "'if' condition %p must be i1, got i32"));
  }
  {
    IfElse S;
    S.ifOp().Flags = 0;
    EXPECT_TRUE(hasDiag(S.M, "'if' with results needs an else region"));
  }
  {
    IfElse S;
    Value L = S.F->newValue(Type::i64(), ValueKind::Literal, {}, "", 7);
    S.ifOp().Regions[1].Ops.back().Operands[0] = L;
    EXPECT_TRUE(hasDiag(
        S.M,
        "'if' else-region yields literal 7 of type i64 where i32 is expected"));
  }
  {
    IfElse S;
    S.ifOp().Regions[0].Ops.clear();
    EXPECT_TRUE(
        hasDiag(S.M, "'if' then-region must end in 'yield' of 1 value"));
  }
  {
    IfElse S;
    S.ifOp().Regions.pop_back();
    EXPECT_TRUE(hasDiag(S.M, "'if' has 1 region, expected 2"));
  }
}

TEST(Verifier, WhileRules) {
  {
    While S;
    S.loop().Regions[0].Ops.back().Operands[0] = S.Kv; // condition %kv (i32)
    EXPECT_TRUE(hasDiag(S.M, "'condition' operand %kv must be i1, got i32"));
  }
  {
    While S;
    S.loop().Regions[0].Ops.pop_back();
    EXPECT_TRUE(hasDiag(
        S.M, "the condition region of 'while' must end in 'condition'"));
  }
  {
    While S;
    S.loop().Regions[1].Ops.pop_back();
    EXPECT_TRUE(
        hasDiag(S.M, "'while' do-region must end in 'yield' of 2 values"));
  }
  {
    While S;
    std::swap(S.loop().Regions[1].Ops.back().Operands[0],
              S.loop().Regions[1].Ops.back().Operands[1]);
    EXPECT_TRUE(hasDiag(
        S.M, "'while' do-region yields %k2 of type i32 where f32 is expected"));
  }
  {
    While S;
    S.loop().Regions[0].Args[1] =
        S.F->newValue(Type::i64(), ValueKind::RegionArg, {}, "kw");
    EXPECT_TRUE(hasDiag(
        S.M, "loop variable %kw declared i64 is initialised with literal 0"));
  }
  {
    While S;
    S.loop().Results.pop_back();
    EXPECT_TRUE(hasDiag(S.M, "'while' has 1 result, but 2 loop variables"));
  }
  {
    While S;
    // condition in the do region
    std::swap(S.loop().Regions[0].Ops.back(), S.loop().Regions[1].Ops.back());
    EXPECT_TRUE(hasDiag(S.M, "the condition region of 'while' must end in "
                             "'condition', not 'yield'"));
    EXPECT_TRUE(hasDiag(
        S.M, "'condition' is only allowed at the end of the condition region"));
  }
}

// --- ret
// ----------------------------------------------------------------------

TEST(Verifier, RetRules) {
  {
    Sum S;
    S.F->Body.Ops.pop_back();
    EXPECT_TRUE(hasDiag(S.M, "the body of @sum must end in 'ret'"));
  }
  {
    Sum S;
    S.F->Body.Ops.back().Operands[0] = S.F->Params[0];
    EXPECT_TRUE(hasDiag(S.M, "'ret' value %n is i64 but @sum returns f32"));
  }
  {
    Sum S;
    S.F->Body.Ops.back().Operands.clear();
    EXPECT_TRUE(hasDiag(S.M, "@sum returns 1 value, 'ret' has 0"));
  }
  {
    Saxpy S;
    // ret inside the loop
    S.body().Ops.push_back(S.F->Body.Ops.back());
    EXPECT_TRUE(hasDiag(
        S.M, "'ret' is only allowed as the last op of the function body"));
  }
  {
    Saxpy S;
    // an op after ret
    S.F->Body.Ops.push_back(S.F->Body.Ops.front());
    auto Ds = diags(S.M);
    EXPECT_TRUE(hasDiag(
        S.M, "'ret' is only allowed as the last op of the function body"));
    EXPECT_TRUE(hasDiag(S.M, "the body of @saxpy must end in 'ret'"));
  }
  {
    Module M;
    Builder B(M);
    cantFail(B.declareFunction("nobody", {}, {}, {}));
    EXPECT_TRUE(hasDiag(M, "@nobody has no body"));
  }
}

// --- calls and recursion
// ------------------------------------------------------

TEST(Verifier, CallRules) {
  {
    Calls S;
    S.call().Callee = 7;
    EXPECT_TRUE(hasDiag(S.M, "'call' of an undefined function"));
  }
  {
    Calls S;
    S.call().Operands.pop_back();
    EXPECT_TRUE(hasDiag(S.M, "@g takes 2 arguments, got 1"));
  }
  {
    Calls S;
    std::swap(S.call().Operands[0], S.call().Operands[1]);
    EXPECT_TRUE(hasDiag(S.M, "'call' argument must be i32, got f32"));
  }
  {
    Calls S;
    S.G->ResultTypes[0] = Type::i64();
    S.G->Body.Ops.back().Operands[0] =
        S.G->newValue(Type::i64(), ValueKind::Literal, {}, "", 3);
    EXPECT_TRUE(hasDiag(S.M, "'call' result %r has type i32, expected i64"));
  }
}

/// Functions named Names; function I calls each of Edges[I] (no arguments).
std::unique_ptr<Module> callGraph(std::vector<std::string> Names,
                                  std::vector<std::vector<unsigned>> Edges) {
  auto M = std::make_unique<Module>();
  Builder B(*M);
  for (auto &N : Names)
    cantFail(B.declareFunction(N, {}, {}, {}, {}, SrcLoc{1, 1}));
  for (size_t I = 0; I < Names.size(); ++I) {
    cantFail(B.beginBody(*M->Functions[I]));
    for (unsigned To : Edges[I]) {
      OpAttrs A;
      A.Callee = To;
      cantFail(B.create(Opcode::Call, {}, A, SrcLoc{uint32_t(10 * I + 2), 3}));
    }
    cantFail(B.finishBody({}, SrcLoc{uint32_t(10 * I + 9), 1}));
  }
  return M;
}

TEST(Verifier, DirectRecursion) {
  auto M = callGraph({"f"}, {{0}});
  auto Ds = diags(*M);
  ASSERT_EQ(Ds.size(), 1u) << all(Ds);
  EXPECT_EQ(Ds[0].Message, "recursion: @f calls @f");
  EXPECT_EQ(Ds[0].Loc.Line, 2u);
  EXPECT_EQ(Ds[0].Loc.Col, 3u);
}

TEST(Verifier, MutualRecursion) {
  auto M = callGraph({"f", "g", "leaf"}, {{2, 1}, {0}, {}});
  auto Ds = diags(*M);
  ASSERT_EQ(Ds.size(), 1u) << all(Ds);
  EXPECT_EQ(Ds[0].Message, "recursion: @f calls @g calls @f");
  EXPECT_EQ(Ds[0].Loc.Line, 2u); // the call of @g in @f
}

TEST(Verifier, ThreeCycleAndASeparateSelfLoop) {
  // main -> a -> b -> c -> a, and d -> d.
  auto M = callGraph({"main", "a", "b", "c", "d"}, {{1}, {2}, {3}, {1}, {4}});
  auto Ds = diags(*M);
  ASSERT_EQ(Ds.size(), 2u) << all(Ds);
  EXPECT_EQ(Ds[0].Message, "recursion: @a calls @b calls @c calls @a");
  EXPECT_EQ(Ds[1].Message, "recursion: @d calls @d");
}

TEST(Verifier, NoRecursionInADiamond) {
  auto M = callGraph({"top", "l", "r", "bottom"}, {{1, 2}, {3}, {3}, {}});
  EXPECT_VALID(*M);
}

TEST(Verifier, LongCallChainDoesNotOverflow) {
  // 20000 functions in a chain and a cycle back: an iterative search.
  const unsigned N = 20000;
  std::vector<std::string> Names;
  std::vector<std::vector<unsigned>> Edges;
  for (unsigned I = 0; I < N; ++I) {
    Names.push_back("f" + std::to_string(I));
    Edges.push_back({(I + 1) % N});
  }
  auto M = callGraph(Names, Edges);
  auto Ds = diags(*M);
  ASSERT_EQ(Ds.size(), 1u);
  EXPECT_EQ(Ds[0].Message.rfind("recursion: @f0 calls @f1 calls @f2", 0), 0u);
}

TEST(Verifier, ManyRecursiveFunctions) {
  const unsigned N = 20000;
  std::vector<std::string> Names;
  std::vector<std::vector<unsigned>> Edges;
  for (unsigned I = 0; I < N; ++I) {
    Names.push_back("f" + std::to_string(I));
    Edges.push_back({I});
  }
  auto M = callGraph(Names, Edges);
  auto Ds = diags(*M);
  ASSERT_EQ(Ds.size(), N);
  EXPECT_EQ(Ds[0].Message, "recursion: @f0 calls @f0");
  EXPECT_EQ(Ds[N - 1].Message, "recursion: @f19999 calls @f19999");
}

// --- depth, order
// ---------------------------------------------------------------

TEST(Verifier, NestingTooDeep) {
  Module M;
  // 300 nested ifs, built by hand (the Builder stops at MaxNestingDepth).
  buildNestedIfs(M, "deep", 300, {"c"});
  auto Ds = diags(M);
  ASSERT_EQ(Ds.size(), 1u) << all(Ds);
  EXPECT_EQ(Ds[0].Message, "nesting deeper than 256 regions (in @deep)");
}

TEST(Verifier, AllDiagnosticsSortedBySourcePosition) {
  Saxpy S;
  S.F->Loc = {1, 1};
  S.loop().Loc = {2, 3};
  for (unsigned I = 0; I < S.body().Ops.size(); ++I)
    S.body().Ops[I].Loc = {3 + I, 5};
  S.F->Body.Ops.back().Loc = {9, 3};
  // Two errors, the later one in the walk first in the text: a bad 'ret'
  // moved to line 1 and a bad fadd on line 6.
  S.body().Ops[3].Operands[0] = S.F->Params[0];
  S.F->Body.Ops.back().Operands.push_back(S.F->Params[0]);
  S.F->Body.Ops.back().Loc = {1, 20};
  auto Ds = diags(S.M);
  ASSERT_EQ(Ds.size(), 2u) << all(Ds);
  EXPECT_EQ(Ds[0].Loc.Line, 1u);
  EXPECT_EQ(Ds[0].Message, "@saxpy returns 0 values, 'ret' has 1");
  EXPECT_EQ(Ds[1].Loc.Line, 6u);
  EXPECT_EQ(Ds[1].Message, "'fadd' needs f32 or f64 operands, got i64");
}

TEST(Verifier, MessagesWithoutLocationNameTheFunction) {
  Saxpy S;
  S.body().Ops[3].Operands[0] = S.F->Params[0];
  auto Ds = diags(S.M);
  ASSERT_EQ(Ds.size(), 1u) << all(Ds);
  EXPECT_FALSE(Ds[0].Loc.isValid());
  EXPECT_NE(Ds[0].Message.find("(in @saxpy)"), std::string::npos);
}

} // namespace

// --- from text
// ------------------------------------------------------------------

#include "ircgpu/Parser.h"

namespace {

TEST(Verifier, TextSpecExamplesVerify) {
  std::string Text = std::string(SpecSaxpyText) + SpecSumText +
                     R"(func @w(%x0: f32, %c: i1, %p: ptr<f32>) -> f32 {
  %x, %k = while (%xv: f32 = %x0, %kv: i32 = 0) {
    %go = icmp slt %kv, 10
    condition %go
  } do {
    %xn = fmul %xv, %xv
    %kn = add %kv, 1
    yield %xn, %kn
  }
  %r = if %c -> f32 {
    yield %x
  } else {
    %m = call @sum(10, %p)
    yield %m
  }
  ret %r
}
)";
  auto M = parseAndVerify(Text);
  EXPECT_TRUE(bool(M)) << (M ? "" : llvm::toString(M.takeError()));
}

TEST(Verifier, TextRecursionPointsAtTheCall) {
  const char *Text = "func @f(%n: i32) -> i32 {\n"
                     "  %r = call @g(%n)\n"
                     "  ret %r\n"
                     "}\n"
                     "func @g(%n: i32) -> i32 {\n"
                     "  %r = call @f(%n)\n"
                     "  ret %r\n"
                     "}\n";
  auto M = parseModule(Text);
  ASSERT_TRUE(bool(M)) << llvm::toString(M.takeError());
  auto Ds = diags(**M);
  ASSERT_EQ(Ds.size(), 1u) << all(Ds);
  EXPECT_EQ(Ds[0].Message, "recursion: @f calls @g calls @f");
  EXPECT_EQ(Ds[0].Loc.Line, 2u);
  EXPECT_GE(Ds[0].Loc.Col, 3u);
}

} // namespace
