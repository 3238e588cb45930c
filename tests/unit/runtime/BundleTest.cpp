//===- tests/unit/runtime/BundleTest.cpp - bundles: round trip, bad input -===//
//
// Bundles of real plans (overlap check with fallback, reduction, `for` and
// `while` plan loops, scalar and sequential steps) read back to the same plan
// and write back to the same bytes; damaged or hostile bundles (truncated,
// flipped bytes, wrong magic or version, bad base64, out-of-range ids, deep
// nesting, wrong types) are each a clean error naming the file.
//
//===----------------------------------------------------------------------===//
#include "../ir/TestSupport.h"
#include "runtime/BundleFormat.h"

#include "ircgpu/Bundle.h"
#include "ircgpu/Compiler.h"
#include "ircgpu/Hash.h"
#include "ircgpu/Printer.h"
#include "ircgpu/Simulator.h"
#include "ircgpu/Version.h"

#include "llvm/Support/JSON.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

constexpr const char *Loops = R"(
func @heat(%n: i64, %steps: i64, %u: ptr<f32> noalias, %v: ptr<f32> noalias) {
  %last = sub %n, 1
  for %t = 0 to %steps step 1 {
    for %i = 1 to %last step 1 {
      %a = load %u[%i]
      %b = fmul %a, 0.5
      store %v[%i], %b
    }
    for %k = 1 to %last step 1 {
      %g = load %v[%k]
      store %u[%k], %g
    }
  }
  ret
}

func @conv(%n: i64, %tol: f32, %x: ptr<f32> noalias) -> i32 {
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

func @mix(%n: i64, %x: ptr<i64> noalias) -> i64 {
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

func @prefix(%n: i64, %x: ptr<i64> noalias) {
  for %i = 1 to %n step 1 {
    %j = sub %i, 1
    %a = load %x[%j]
    %b = load %x[%i]
    %c = add %a, %b
    store %x[%i], %c
  }
  ret
}

func @grid2(%n: i32, %m: i32, %x: ptr<f64> noalias) -> f64 {
  for %i = 0 to %n step 1 parallel {
    for %j = 0 to %m step 2 parallel {
      %k = mul %i, %m
      %l = add %k, %j
      %w = sext %l to i64
      store %x[%w], -0.0
    }
  }
  ret 1.5e-300
}

func @pingpong(%n: i64, %t: i64, %a: ptr<f32> noalias, %b: ptr<f32> noalias) {
  %ra, %rb = for %k = 0 to %t step 1 iter(%u: ptr<f32> = %a, %v: ptr<f32> = %b) {
    for %i = 0 to %n step 1 parallel {
      %e = load %u[%i]
      store %v[%i], %e
    }
    yield %v, %u
  }
  ret
}

func @sumsteps(%n: i64, %t: i64, %x: ptr<i64> noalias) -> i64 {
  %r = for %k = 0 to %t step 1 iter(%acc: i64 = 0) {
    %s = for %i = 0 to %n step 1 parallel reassoc iter(%a: i64 = 0) {
      %v = load %x[%i]
      %w = add %a, %v
      yield %w
    }
    for %j = 0 to %n step 1 parallel {
      %y = load %x[%j]
      %z = add %y, %k
      store %x[%j], %z
    }
    %acc1 = sub %s, %acc
    yield %acc1
  }
  ret %r
}
)";

struct Case {
  const char *Src;
  const char *Entry;
  bool AllowSequential = false;
};

const Case Cases[] = {
    {SpecSaxpyText, "saxpy"}, {SpecSumText, "sum"}, {Loops, "heat"},
    {Loops, "conv"},          {Loops, "mix"},       {Loops, "prefix", true},
    {Loops, "grid2"},         {Loops, "pingpong"},  {Loops, "sumsteps"},
};

/// A bundle of entry C.Entry, with a made-up code object (no GPU compiler is
/// needed to test the container; bytes of every value, NUL included).
Bundle makeBundle(const Case &C,
                  CodeObject::Format Kind = CodeObject::Format::Cubin) {
  Bundle B;
  auto M = parseAndVerify(C.Src);
  EXPECT_TRUE(bool(M)) << errText(M.takeError());
  CompileOptions CO;
  CO.AllowSequential = C.AllowSequential;
  auto P = buildPlan(**M, C.Entry, CO);
  EXPECT_TRUE(bool(P)) << errText(P.takeError());
  B.Key = moduleHash(**M, {C.Entry, "sm_90", {"-O2"}});
  B.Entry = C.Entry;
  B.Options.Target = "sm_90";
  B.Options.OptLevel = 3;
  B.Options.Checked = true;
  B.AllowSequential = C.AllowSequential;
  B.P = std::move(*P);
  B.Code.Kind = Kind;
  for (int I = 0; I < 300; ++I)
    B.Code.Bytes += char(I * 7);
  B.Source = printModule(**M);
  return B;
}

std::string written(const Bundle &B) {
  auto S = writeBundle(B);
  EXPECT_TRUE(bool(S)) << errText(S.takeError());
  return S ? *S : std::string();
}

std::string planText(const Plan &P) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  printPlan(P, OS);
  return S;
}

void expectSameSteps(const std::vector<PlanStep> &A,
                     const std::vector<PlanStep> &B) {
  ASSERT_EQ(A.size(), B.size());
  for (size_t I = 0; I < A.size(); ++I) {
    const PlanStep &X = A[I], &Y = B[I];
    EXPECT_EQ(X.Kind, Y.Kind);
    EXPECT_EQ(X.Loc.Line, Y.Loc.Line);
    EXPECT_EQ(X.Loc.Col, Y.Loc.Col);
    EXPECT_EQ(X.Func, Y.Func);
    EXPECT_EQ(X.Args, Y.Args);
    EXPECT_EQ(X.Results, Y.Results);
    EXPECT_EQ(X.Sequential, Y.Sequential);
    ASSERT_EQ(X.Grid.size(), Y.Grid.size());
    for (size_t D = 0; D < X.Grid.size(); ++D) {
      EXPECT_EQ(X.Grid[D].LB, Y.Grid[D].LB);
      EXPECT_EQ(X.Grid[D].UB, Y.Grid[D].UB);
      EXPECT_EQ(X.Grid[D].Step, Y.Grid[D].Step);
    }
    ASSERT_EQ(X.Reductions.size(), Y.Reductions.size());
    for (size_t R = 0; R < X.Reductions.size(); ++R) {
      EXPECT_EQ(X.Reductions[R].Combine, Y.Reductions[R].Combine);
      EXPECT_EQ(X.Reductions[R].Ty, Y.Reductions[R].Ty);
      EXPECT_EQ(X.Reductions[R].Init, Y.Reductions[R].Init);
      EXPECT_EQ(X.Reductions[R].Result, Y.Reductions[R].Result);
    }
    EXPECT_EQ(X.Bounds.LB, Y.Bounds.LB);
    EXPECT_EQ(X.Bounds.UB, Y.Bounds.UB);
    EXPECT_EQ(X.Bounds.Step, Y.Bounds.Step);
    EXPECT_EQ(X.Index, Y.Index);
    EXPECT_EQ(X.CondSlot, Y.CondSlot);
    EXPECT_EQ(X.Carried, Y.Carried);
    EXPECT_EQ(X.Inits, Y.Inits);
    EXPECT_EQ(X.Nexts, Y.Nexts);
    EXPECT_EQ(X.LoopResults, Y.LoopResults);
    EXPECT_EQ(X.Disjoint, Y.Disjoint);
    expectSameSteps(X.Cond, Y.Cond);
    expectSameSteps(X.Body, Y.Body);
    expectSameSteps(X.Fallback, Y.Fallback);
  }
}

void expectSamePlan(const Plan &A, const Plan &B) {
  EXPECT_EQ(A.Entry, B.Entry);
  EXPECT_EQ(A.NumParams, B.NumParams);
  ASSERT_EQ(A.Slots.size(), B.Slots.size());
  for (size_t I = 0; I < A.Slots.size(); ++I) {
    EXPECT_EQ(A.Slots[I].Ty, B.Slots[I].Ty) << I;
    EXPECT_EQ(A.Slots[I].Name, B.Slots[I].Name) << I;
    EXPECT_EQ(A.Slots[I].IsConst, B.Slots[I].IsConst) << I;
    if (A.Slots[I].IsConst) {
      EXPECT_EQ(A.Slots[I].Bits, B.Slots[I].Bits) << I;
    }
  }
  EXPECT_EQ(A.Returns, B.Returns);
  expectSameSteps(A.Steps, B.Steps);
  EXPECT_EQ(printModule(*A.Code), printModule(*B.Code));
  EXPECT_EQ(planText(A), planText(B));
}

/// The JSON document of a bundle, changed by Edit, with a valid checksum
/// again: what a hostile writer (not a damaged disk) would make.
std::string edit(const std::string &Text,
                 const std::function<void(llvm::json::Object &)> &Edit) {
  size_t NL = Text.find('\n');
  auto Doc = llvm::json::parse(llvm::StringRef(Text).drop_front(NL + 1));
  EXPECT_TRUE(bool(Doc));
  if (!Doc) {
    llvm::consumeError(Doc.takeError());
    return Text;
  }
  Edit(*Doc->getAsObject());
  std::string Body;
  llvm::raw_string_ostream(Body) << *Doc << '\n';
  return bundle::magicLine(BundleFormatVersion, Body) + "\n" + Body;
}

/// Text with the magic line's checksum made right for its body.
std::string reseal(const std::string &Text) {
  size_t NL = Text.find('\n');
  if (NL == std::string::npos)
    return Text;
  std::string Body = Text.substr(NL + 1);
  return bundle::magicLine(BundleFormatVersion, Body) + "\n" + Body;
}

llvm::json::Object &obj(llvm::json::Object &O, llvm::StringRef K) {
  return *O.getObject(K);
}
llvm::json::Array &arr(llvm::json::Object &O, llvm::StringRef K) {
  return *O.getArray(K);
}

/// readBundle(Text) fails, with a message that names the file and has Sub.
void expectError(const std::string &Text, llvm::StringRef Sub) {
  auto B = readBundle(Text, "f.bundle");
  ASSERT_FALSE(bool(B)) << "accepted; expected: " << Sub.str();
  std::string Msg = errText(B.takeError());
  EXPECT_EQ(Msg.rfind("f.bundle: ", 0), 0u) << Msg;
  EXPECT_NE(Msg.find(Sub), std::string::npos)
      << "message: " << Msg << "\nexpected: " << Sub.str();
}

//===----------------------------------------------------------------------===//

TEST(BundleTest, RoundTripsEveryKindOfPlan) {
  for (const Case &C : Cases) {
    SCOPED_TRACE(C.Entry);
    Bundle B = makeBundle(C);
    std::string Text = written(B);
    ASSERT_FALSE(Text.empty());
    EXPECT_TRUE(isBundle(Text));
    auto R = readBundle(Text, "x.bundle");
    ASSERT_TRUE(bool(R)) << errText(R.takeError());
    EXPECT_EQ(R->CompilerVersion, compilerVersion());
    EXPECT_EQ(R->Key, B.Key);
    EXPECT_EQ(R->Entry, B.Entry);
    EXPECT_EQ(R->Options.Target, "sm_90");
    EXPECT_EQ(R->Options.OptLevel, 3u);
    EXPECT_TRUE(R->Options.Checked);
    EXPECT_EQ(R->AllowSequential, C.AllowSequential);
    EXPECT_EQ(R->Code.Kind, B.Code.Kind);
    EXPECT_EQ(R->Code.Bytes, B.Code.Bytes);
    EXPECT_EQ(R->Source, B.Source);
    expectSamePlan(B.P, R->P);
    // Byte-identical when written again.
    EXPECT_EQ(written(*R), Text);
  }
}

TEST(BundleTest, CoversEveryStepKind) {
  std::set<StepKind> Seen;
  std::function<void(const std::vector<PlanStep> &)> Walk =
      [&](const std::vector<PlanStep> &Steps) {
        for (const PlanStep &S : Steps) {
          Seen.insert(S.Kind);
          if (S.Sequential)
            Seen.insert(StepKind(100));
          Walk(S.Cond);
          Walk(S.Body);
          Walk(S.Fallback);
        }
      };
  for (const Case &C : Cases)
    Walk(makeBundle(C).P.Steps);
  EXPECT_EQ(Seen.size(), 6u); // five kinds and a sequential step
}

TEST(BundleTest, ReadPlanSimulatesAsTheOriginal) {
  Bundle B = makeBundle(Cases[2]); // heat: a `for` plan loop of kernels
  auto R = readBundle(written(B), "x.bundle");
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  std::vector<float> U1 = {1, 2, 3, 4, 5}, V1(5, 0), U2 = U1, V2 = V1;
  auto Args = [](std::vector<float> &U, std::vector<float> &V) {
    return std::vector<InterpArg>{InterpArg::scalar(5), InterpArg::scalar(3),
                                  InterpArg::buffer(U.data(), U.size()),
                                  InterpArg::buffer(V.data(), V.size())};
  };
  ASSERT_TRUE(bool(simulatePlan(B.P, Args(U1, V1))));
  ASSERT_TRUE(bool(simulatePlan(R->P, Args(U2, V2))));
  EXPECT_EQ(U1, U2);
  EXPECT_EQ(V1, V2);
}

TEST(BundleTest, TextIsReadable) {
  Bundle B = makeBundle(Cases[1], CodeObject::Format::PTX);
  B.Code.Bytes = "// PTX\n.version 8.0\n";
  std::string Text = written(B);
  EXPECT_EQ(Text.rfind("irc-gpu-bundle 1 blake3:", 0), 0u);
  for (const char *Sub :
       {"\"compiler\": \"", "\"entry\": \"sum\"", "\"target\": \"sm_90\"",
        "\"format\": \"ptx\"", "\"kind\": \"kernel\"",
        "\"func @sum.k0(%i: i64, %x: ptr<f32> readonly) -> f32 {\"",
        "\"reductions\": [{\"combine\":\"fadd\"", "\"const\":\"0.0\""})
    EXPECT_NE(Text.find(Sub), std::string::npos) << Sub << "\n" << Text;
}

TEST(BundleTest, WithoutSourceStillRoundTrips) {
  Bundle B = makeBundle(Cases[0]);
  B.Source.clear();
  std::string Text = written(B);
  auto R = readBundle(Text, "x.bundle");
  ASSERT_TRUE(bool(R)) << errText(R.takeError());
  EXPECT_TRUE(R->Source.empty());
  EXPECT_EQ(written(*R), Text);
}

TEST(BundleTest, WriteRefusesWhatCannotBeRead) {
  Bundle B = makeBundle(Cases[0]);
  B.P.Steps[0].Body[0].Args[0] = 999;
  auto S = writeBundle(B);
  ASSERT_FALSE(bool(S));
  EXPECT_NE(errText(S.takeError()).find("slot 999 out of range"),
            std::string::npos);
  Bundle C = makeBundle(Cases[0]);
  C.P.Code.reset();
  EXPECT_NE(errText(writeBundle(C)).find("no code module"), std::string::npos);
}

TEST(BundleTest, TruncatedAtEveryByteIsAnError) {
  std::string Text = written(makeBundle(Cases[1]));
  for (size_t N = 0; N < Text.size(); ++N) {
    auto R = readBundle(llvm::StringRef(Text).take_front(N), "f.bundle");
    ASSERT_FALSE(bool(R)) << N;
    std::string Msg = errText(R.takeError());
    EXPECT_EQ(Msg.rfind("f.bundle: ", 0), 0u) << Msg;
  }
  expectError(Text.substr(0, Text.size() - 1), "checksum mismatch");
  expectError(Text.substr(0, 30), "no end to the first line");
}

TEST(BundleTest, FlippedBytesAreAnError) {
  std::string Text = written(makeBundle(Cases[1]));
  size_t Body = Text.find('\n') + 1;
  for (size_t I = Body; I < Text.size(); ++I) {
    std::string Bad = Text;
    Bad[I] ^= 0x04;
    auto R = readBundle(Bad, "f.bundle");
    ASSERT_FALSE(bool(R)) << I;
    EXPECT_NE(errText(R.takeError()).find("checksum mismatch"),
              std::string::npos);
  }
}

/// With the checksum made right again, every flip must still be a clean
/// error — or a bundle that passes every check and writes back.
TEST(BundleTest, ResealedFlipsNeverCrash) {
  std::string Text = written(makeBundle(Cases[3])); // conv: a while loop
  size_t Body = Text.find('\n') + 1;
  for (size_t I = Body; I < Text.size(); ++I)
    for (char Flip : {char(0x01), char(0x10), char(0x80)}) {
      std::string Bad = Text;
      Bad[I] ^= Flip;
      auto R = readBundle(reseal(Bad), "f.bundle");
      if (!R) {
        std::string Msg = errText(R.takeError());
        EXPECT_EQ(Msg.rfind("f.bundle: ", 0), 0u) << Msg;
        continue;
      }
      // A changed name, location, constant or code byte: still a bundle.
      auto Again = writeBundle(*R);
      EXPECT_TRUE(bool(Again)) << I << ": " << errText(Again.takeError());
    }
}

TEST(BundleTest, HeaderErrors) {
  std::string Text = written(makeBundle(Cases[1]));
  size_t NL = Text.find('\n');
  std::string Body = Text.substr(NL + 1);
  expectError("", "not an irc-gpu bundle");
  expectError("func @f() {\n  ret\n}\n", "not an irc-gpu bundle");
  expectError("irc-gpu-bundlx" + Text.substr(14), "not an irc-gpu bundle");
  expectError("irc-gpu-bundle 2 blake3:" + bundle::checksum(Body) + "\n" + Body,
              "bundle format version 2 is not supported (this irc-gpu reads "
              "version 1)");
  expectError("irc-gpu-bundle x blake3:0\n" + Body,
              "format version 'x' is not a number");
  expectError("irc-gpu-bundle 1 sha1:00\n" + Body, "expected 'blake3:'");
  expectError("irc-gpu-bundle 1 blake3:" + std::string(64, '0') + "\n" + Body,
              "checksum mismatch");
  expectError(reseal("irc-gpu-bundle 1 blake3:\n{"), "invalid JSON");
  expectError(reseal("irc-gpu-bundle 1 blake3:\n[]"),
              "bundle: expected an object");
  expectError(reseal("irc-gpu-bundle 1 blake3:\n" + std::string(5000, '[')),
              "JSON nested deeper than");
}

TEST(BundleTest, FieldErrors) {
  using llvm::json::Object;
  using llvm::json::Value;
  std::string T = written(makeBundle(Cases[1]));
  expectError(edit(T, [](Object &O) { O["compiler"] = "0.0.0-other"; }),
              "made by irc-gpu 0.0.0-other");
  expectError(edit(T, [](Object &O) { O.erase("key"); }), "key: missing");
  expectError(edit(T, [](Object &O) { O["key"] = "xyz"; }),
              "key: expected 64 lowercase hex digits");
  expectError(edit(T, [](Object &O) { O["entry"] = 7; }),
              "entry: expected a string");
  expectError(edit(T, [](Object &O) { O["target"] = "sm_1"; }),
              "target: unknown target 'sm_1'");
  expectError(edit(T, [](Object &O) { O["extra"] = 1; }),
              "extra: unexpected field");
  expectError(edit(T, [](Object &O) { obj(O, "options")["opt-level"] = 9; }),
              "options.opt-level: integer 9 out of range (0 to 3)");
  expectError(edit(T, [](Object &O) { obj(O, "options")["checked"] = "yes"; }),
              "options.checked: expected true or false");
  expectError(edit(T, [](Object &O) { obj(O, "plan")["entry"] = "other"; }),
              "plan.entry: @other is not the bundle's entry @sum");
  expectError(
      edit(T,
           [](Object &O) { obj(O, "plan")["num-params"] = int64_t(1) << 62; }),
      "plan.num-params: integer 4611686018427387904 out of range");
  expectError(edit(T,
                   [](Object &O) {
                     arr(obj(O, "plan"), "code")[0] = "func @sum.k0(%i: i64 {";
                   }),
              "plan.code: invalid VIR: line 1:");
  expectError(
      edit(T, [](Object &O) { arr(obj(O, "plan"), "code")[0] = "a\nb"; }),
      "plan.code[0]: a line holds a newline");
  expectError(edit(T,
                   [](Object &O) {
                     (*arr(obj(O, "plan"), "slots")[0].getAsObject())["type"] =
                         "f16";
                   }),
              "plan.slots[0].type: unknown type 'f16'");
  expectError(edit(T,
                   [](Object &O) {
                     (*arr(obj(O, "plan"), "slots")[0].getAsObject())["const"] =
                         "1";
                   }),
              "plan.slots[0]: a parameter slot is constant");
  expectError(edit(T,
                   [](Object &O) {
                     (*arr(obj(O, "plan"), "slots")[2].getAsObject())["const"] =
                         "zero";
                   }),
              "plan.slots[2].const:");
  expectError(
      edit(T, [](Object &O) { arr(obj(O, "plan"), "returns")[0] = 99; }),
      "plan.returns[0]: slot 99 out of range (the plan has");
  expectError(
      edit(T, [](Object &O) { arr(obj(O, "plan"), "returns")[0] = -1; }),
      "plan.returns[0]: slot -1 out of range");
  expectError(
      edit(T, [](Object &O) { arr(obj(O, "plan"), "returns")[0] = 1.5; }),
      "plan.returns[0]: expected a slot id");
}

/// The kernel step of sum, to be changed.
llvm::json::Object &kernel(llvm::json::Object &O) {
  return *arr(obj(O, "plan"), "steps")[0].getAsObject();
}

TEST(BundleTest, StepErrors) {
  using llvm::json::Array;
  using llvm::json::Object;
  // A nested array is spelled Array{Value(Array{...})}: clang reads
  // Array{Array{...}} as a copy of the inner array (CWG 1467), GCC as an
  // array holding it.
  std::string T = written(makeBundle(Cases[1]));
  expectError(edit(T, [](Object &O) { kernel(O)["kind"] = "launch"; }),
              "plan.steps[0].kind: unknown step kind 'launch'");
  expectError(edit(T, [](Object &O) { kernel(O)["func"] = 1; }),
              "plan.steps[0].func: expected the index of a function of the "
              "plan's code (it has 1)");
  expectError(edit(T, [](Object &O) { kernel(O).erase("func"); }),
              "plan.steps[0].func: expected the index");
  expectError(edit(T, [](Object &O) { kernel(O)["args"] = Array{7}; }),
              "plan.steps[0].args[0]: slot 7 out of range");
  expectError(edit(T, [](Object &O) { kernel(O)["args"] = Array{0}; }),
              "plan.steps[0].args[0]: slot of type i64 passed to a parameter "
              "of @sum.k0 of type ptr<f32>");
  expectError(edit(T,
                   [](Object &O) {
                     kernel(O)["args"] = Array{1, 1};
                   }),
              "@sum.k0 takes 2 parameters, not 1 grid indices and 2 arguments");
  expectError(edit(T, [](Object &O) { kernel(O)["grid"] = Array{}; }),
              "plan.steps[0].grid: a grid of 0 dimensions (expected 1 to 3)");
  expectError(edit(T,
                   [](Object &O) {
                     Array G;
                     for (int I = 0; I < 4; ++I)
                       G.push_back(Array{2, 0, 3});
                     kernel(O)["grid"] = std::move(G);
                   }),
              "a grid of 4 dimensions (expected 1 to 3)");
  expectError(
      edit(T,
           [](Object &O) {
             kernel(O)["grid"] = Array{llvm::json::Value(Array{2, 0})};
           }),
      "plan.steps[0].grid[0]: expected [lower bound, upper bound, step]");
  expectError(
      edit(T,
           [](Object &O) {
             kernel(O)["grid"] = Array{llvm::json::Value(Array{2, 0, 1})};
           }),
      "plan.steps[0].grid[0]: bounds of different types");
  expectError(edit(T, [](Object &O) { kernel(O)["results"] = Array{3}; }),
              "plan.steps[0].results: unexpected field");
  expectError(edit(T, [](Object &O) { kernel(O)["body"] = Array{}; }),
              "plan.steps[0].body: unexpected field");
  expectError(edit(T,
                   [](Object &O) {
                     (*(*kernel(O).getArray("reductions"))[0]
                           .getAsObject())["combine"] = "add";
                   }),
              "plan.steps[0].reductions[0]: add on f32");
  expectError(edit(T,
                   [](Object &O) {
                     (*(*kernel(O).getArray("reductions"))[0]
                           .getAsObject())["combine"] = "fdiv";
                   }),
              "'fdiv' is not a reduction");
  expectError(
      edit(T,
           [](Object &O) {
             (*(*kernel(O).getArray("reductions"))[0].getAsObject())["result"] =
                 1;
           }),
      "init and result slots must be of type f32");
  expectError(edit(T, [](Object &O) { kernel(O).erase("reductions"); }),
              "@sum.k0 returns 1 values for 0 reductions");
  // One function run by two steps.
  expectError(edit(T,
                   [](Object &O) {
                     auto &Steps = arr(obj(O, "plan"), "steps");
                     Steps.push_back(Steps[0]);
                   }),
              "plan.steps[1].func: @sum.k0 is run by another step too");
}

TEST(BundleTest, LoopAndOverlapErrors) {
  using llvm::json::Array;
  using llvm::json::Object;
  std::string Saxpy = written(makeBundle(Cases[0]));
  expectError(
      edit(Saxpy,
           [](Object &O) {
             kernel(O)["disjoint"] = Array{llvm::json::Value(Array{0, 3})};
           }),
      "plan.steps[0].disjoint[0][0]: not a buffer parameter");
  expectError(edit(Saxpy, [](Object &O) { kernel(O).erase("disjoint"); }),
              "plan.steps[0].disjoint: missing");
  std::string Conv = written(makeBundle(Cases[3]));
  expectError(edit(Conv, [](Object &O) { kernel(O)["cond-slot"] = 0; }),
              "plan.steps[0].cond-slot: not of type i1");
  expectError(edit(Conv, [](Object &O) { kernel(O)["nexts"] = Array{}; }),
              "carried, inits, nexts and loop-results differ in length");
  expectError(edit(Conv, [](Object &O) { kernel(O)["carried"] = Array{0}; }),
              "loop variable of type i64 with an init, next or result of "
              "another type");
  std::string Mix = written(makeBundle(Cases[4]));
  expectError(
      edit(Mix, [](Object &O) { (*kernel(O).getArray("results"))[0] = 0; }),
      "plan.steps[0].results[0]: slot 0 is a parameter; no step "
      "writes it");
  std::string Heat = written(makeBundle(Cases[2]));
  expectError(edit(Heat,
                   [](Object &O) {
                     (*arr(obj(O, "plan"), "steps")[1].getAsObject())["index"] =
                         2;
                   }),
              "plan.steps[1].index: not of the bounds' type");
}

/// A step of the plan by its path: {0, 1} is plan.steps[0].body[1].
llvm::json::Object &stepAt(llvm::json::Object &O,
                           std::initializer_list<size_t> Path) {
  llvm::json::Object *S = nullptr;
  for (size_t I : Path)
    S = (*(S ? S->getArray("body") : &arr(obj(O, "plan"), "steps")))[I]
            .getAsObject();
  return *S;
}

/// A new slot of type Ty at the end of the slot table; its id.
int64_t addSlot(llvm::json::Object &O, llvm::StringRef Ty) {
  auto &Slots = arr(obj(O, "plan"), "slots");
  Slots.push_back(llvm::json::Object{{"type", Ty}});
  return int64_t(Slots.size()) - 1;
}

int64_t indexOf(llvm::json::Object &Loop) { return *Loop.getInteger("index"); }

// sumsteps: plan.steps[0] is the `for` loop over %k (index, carried %acc,
// loop result %r); its body a kernel (reduction into %s), a kernel, then a
// scalar step (%acc1).

/// A `for` loop's index is the host's (KernelABI.h): nothing else writes it.
TEST(BundleTest, NoStepWritesALoopIndex) {
  using llvm::json::Object;
  std::string T = written(makeBundle(Cases[8]));
  expectError(
      edit(T,
           [](Object &O) {
             Object &Sc = stepAt(O, {0, 2});
             (*Sc.getArray("results"))[0] = indexOf(stepAt(O, {0}));
           }),
      "plan.steps[0].body[2].results[0]: slot 5 is the index of the loop "
      "plan.steps[0]; the host keeps it and no step writes it");
  expectError(edit(T,
                   [](Object &O) {
                     Object &K = stepAt(O, {0, 0});
                     (*(*K.getArray("reductions"))[0].getAsObject())["result"] =
                         indexOf(stepAt(O, {0}));
                   }),
              "plan.steps[0].body[0].reductions[0].result: slot ");
  expectError(edit(T,
                   [](Object &O) {
                     Object &L = stepAt(O, {0});
                     (*L.getArray("carried"))[0] = indexOf(L);
                   }),
              "plan.steps[0].carried[0]: slot ");
  expectError(edit(T,
                   [](Object &O) {
                     Object &L = stepAt(O, {0});
                     (*L.getArray("loop-results"))[0] = indexOf(L);
                   }),
              "is the index of the loop plan.steps[0]; the host keeps it and "
              "no step writes it");
}

/// Plan-loop updates are all at once: one slot is one loop variable.
TEST(BundleTest, ALoopVariableIsCarriedOnce) {
  using llvm::json::Object;
  std::string T = written(makeBundle(Cases[7])); // pingpong: two carried
  expectError(edit(T,
                   [](Object &O) {
                     Object &L = stepAt(O, {0});
                     auto &C = *L.getArray("carried");
                     C[1] = C[0];
                   }),
              "plan.steps[0].carried[1]: slot 7 is already loop variable 0");
}

TEST(BundleTest, ALoopIndexBelongsToOneLoop) {
  using llvm::json::Array;
  using llvm::json::Object;
  std::string T = written(makeBundle(Cases[8]));
  expectError(edit(T,
                   [](Object &O) {
                     Object &L = stepAt(O, {0});
                     Object Twin{{"kind", "for"},
                                 {"bounds", *L.get("bounds")},
                                 {"index", indexOf(L)}};
                     arr(obj(O, "plan"), "steps").push_back(std::move(Twin));
                   }),
              "plan.steps[1].index: slot ");
  expectError(edit(T,
                   [](Object &O) {
                     Object &L = stepAt(O, {0});
                     Object Twin{{"kind", "for"},
                                 {"bounds", *L.get("bounds")},
                                 {"index", indexOf(L)}};
                     L.getArray("body")->push_back(std::move(Twin));
                   }),
              "is already the index of the loop plan.steps[0]; a loop index "
              "belongs to one loop");
}

/// Buffer slots are host-known: a buffer comes from the arguments or from a
/// plan loop's updates on the host, never from the device.
TEST(BundleTest, EveryBufferReadHasABuffer) {
  using llvm::json::Object;
  std::string T = written(makeBundle(Cases[7])); // pingpong
  // A kernel argument: a buffer slot nothing sets.
  expectError(edit(T,
                   [](Object &O) {
                     int64_t S = addSlot(O, "ptr<f32>");
                     (*stepAt(O, {0, 0}).getArray("args"))[0] = S;
                   }),
              "plan.steps[0].body[0].args[0]: buffer slot ");
  // A carried buffer initialised from it.
  expectError(edit(T,
                   [](Object &O) {
                     int64_t S = addSlot(O, "ptr<f32>");
                     (*stepAt(O, {0}).getArray("inits"))[0] = S;
                   }),
              "is not a parameter and no plan loop carries or returns it: "
              "nothing gives it a buffer");
}

/// Pointer-typed results and conditions: the executor never reads a buffer
/// slot back, and device code cannot make one. These were refused before the
/// host-known checks (functions cannot return pointers; types must match);
/// the tests keep it so.
TEST(BundleTest, NoDeviceWrittenBuffers) {
  using llvm::json::Object;
  std::string T = written(makeBundle(Cases[8]));
  expectError(edit(T,
                   [](Object &O) {
                     (*stepAt(O, {0, 2}).getArray("results"))[0] =
                         addSlot(O, "ptr<i64>");
                   }),
              "to a slot of type ptr<i64>");
  expectError(edit(T,
                   [](Object &O) {
                     (*(*stepAt(O, {0, 0}).getArray("reductions"))[0]
                           .getAsObject())["result"] = addSlot(O, "ptr<i64>");
                   }),
              "init and result slots must be of type i64");
  std::string Conv = written(makeBundle(Cases[3]));
  expectError(edit(Conv,
                   [](Object &O) {
                     stepAt(O, {0})["cond-slot"] = addSlot(O, "ptr<i32>");
                   }),
              "plan.steps[0].cond-slot: not of type i1");
  // Carried buffers (pingpong, which round-trips) are fine when their inits,
  // nexts and results are buffers too.
  std::string PP = written(makeBundle(Cases[7]));
  expectError(
      edit(PP, [](Object &O) { (*stepAt(O, {0}).getArray("nexts"))[0] = 0; }),
      "plan.steps[0].carried[0]: loop variable of type ptr<f32> with "
      "an init, next or result of another type");
}

/// Steps nested far deeper than any plan: an error, not a stack overflow.
TEST(BundleTest, DeepNestingIsBounded) {
  std::string T = written(makeBundle(Cases[1]));
  std::string Deep = edit(T, [](llvm::json::Object &O) {
    llvm::json::Value Step = llvm::json::Object{{"kind", "while"}};
    for (int I = 0; I < 300; ++I)
      Step = llvm::json::Object{{"kind", "overlap-check"},
                                {"disjoint", llvm::json::Array{}},
                                {"body", llvm::json::Array{std::move(Step)}}};
    arr(obj(O, "plan"), "steps").push_back(std::move(Step));
  });
  expectError(Deep, "steps nested deeper than 256");
}

TEST(BundleTest, CodeObjectErrors) {
  using llvm::json::Object;
  std::string T = written(makeBundle(Cases[1]));
  expectError(
      edit(T, [](Object &O) { obj(O, "code-object")["base64"] = "@@@@"; }),
      "code-object.base64: bad base64");
  expectError(
      edit(T, [](Object &O) { obj(O, "code-object")["base64"] = "QUJD="; }),
      "code-object.base64: bad base64");
  expectError(edit(T, [](Object &O) { obj(O, "code-object")["size"] = 3; }),
              "code-object: holds 300 bytes, not 3");
  expectError(edit(T, [](Object &O) { obj(O, "code-object")["size"] = 0; }),
              "code-object.size: integer 0 out of range");
  expectError(
      edit(T, [](Object &O) { obj(O, "code-object")["format"] = "sass"; }),
      "unknown format 'sass' (expected ptx, cubin or hsaco)");
}

TEST(BundleTest, SourceErrors) {
  using llvm::json::Array;
  using llvm::json::Object;
  // A nested array is spelled Array{Value(Array{...})}: clang reads
  // Array{Array{...}} as a copy of the inner array (CWG 1467), GCC as an
  // array holding it.
  std::string T = written(makeBundle(Cases[1]));
  expectError(edit(T, [](Object &O) { O["source"] = Array{"func @f() {"}; }),
              "source: invalid VIR: line ");
  expectError(edit(T,
                   [](Object &O) {
                     O["source"] = Array{"func @f() {", "  ret", "}"};
                   }),
              "source: no function @sum");
  expectError(edit(T,
                   [](Object &O) {
                     O["source"] = Array{"func @sum(%n: i32) {", "  ret", "}"};
                   }),
              "source: the signature of @sum is not the plan's");
}

} // namespace
