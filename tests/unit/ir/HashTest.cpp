//===- HashTest.cpp - the content hash sees meaning, not names
//-------------===//
#include "ircgpu/Hash.h"

#include "ircgpu/Builder.h"
#include "ircgpu/Parser.h"
#include "ircgpu/Printer.h"
#include "ircgpu/Version.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

using namespace ircgpu;
using namespace ircgpu::test;
using llvm::cantFail;

namespace {

/// What to vary in the test module.
struct Knobs {
  bool Names = true;
  uint8_t LoopFlags = FlagParallel;
  uint8_t XAttr = AttrReadOnly;
  int64_t Step = 1;
  Opcode Combine = Opcode::FAdd;
  uint8_t ExpFlags = 0;
  bool SwapCombine = false;
  std::string Name = "k";
  unsigned UnusedLiterals = 0;
};

/// func @k(%n: i64, %a: f32, %x: ptr<f32> readonly, %y: ptr<f32>) -> f32 {
///   %s = for %i = 0 to %n step 1 parallel iter(%acc: f32 = 0.0) {
///     %xi = load %x[%i]; %e = exp %xi; %t = fmul %a, %e; %c = fadd %t, %acc
///     store %y[%i], %c; yield %c }
///   ret %s }
std::unique_ptr<Module> build(const Knobs &K) {
  auto M = std::make_unique<Module>();
  Builder B(*M);
  auto N = [&](const char *S) {
    return K.Names ? llvm::StringRef(S) : llvm::StringRef();
  };
  std::vector<llvm::StringRef> PNames;
  if (K.Names)
    PNames = {"n", "a", "x", "y"};
  Function *F = cantFail(
      B.declareFunction(K.Name,
                        {Type::i64(), Type::f32(), Type::ptr(Scalar::F32),
                         Type::ptr(Scalar::F32)},
                        {0, 0, K.XAttr, 0}, {Type::f32()}, PNames));
  cantFail(B.beginBody(*F));
  for (unsigned I = 0; I < K.UnusedLiterals; ++I)
    (void)B.intLiteral(Type::i32(), I);
  llvm::SmallVector<llvm::StringRef, 1> IterNames;
  if (K.Names)
    IterNames.push_back("acc");
  auto Args = cantFail(B.beginFor(
      B.intLiteral(Type::i64(), 0), B.param(0),
      B.intLiteral(Type::i64(), K.Step), {B.floatLiteral(Type::f32(), 0.0)},
      {Type::f32()}, K.LoopFlags, {}, N("i"), IterNames));
  Value Xi =
      cantFail(B.create1(Opcode::Load, {B.param(2), Args[0]}, {}, {}, N("xi")));
  OpAttrs ExpA;
  ExpA.Flags = K.ExpFlags;
  Value E = cantFail(B.create1(Opcode::Exp, {Xi}, ExpA, {}, N("e")));
  Value T = cantFail(B.create1(Opcode::FMul, {B.param(1), E}, {}, {}, N("t")));
  Value C = K.SwapCombine
                ? cantFail(B.create1(K.Combine, {Args[1], T}, {}, {}, N("c")))
                : cantFail(B.create1(K.Combine, {T, Args[1]}, {}, {}, N("c")));
  cantFail(B.create(Opcode::Store, {B.param(3), Args[0], C}));
  llvm::SmallVector<llvm::StringRef, 1> ResNames;
  if (K.Names)
    ResNames.push_back("s");
  Value S = cantFail(B.endFor({C}, {}, ResNames))[0];
  cantFail(B.finishBody({S}));
  return M;
}

std::string hashOf(const Knobs &K, const HashInputs &In = {}) {
  return moduleHash(*build(K), In);
}

TEST(Hash, Format) {
  std::string H = hashOf({});
  ASSERT_EQ(H.size(), 64u);
  for (char C : H)
    EXPECT_TRUE((C >= '0' && C <= '9') || (C >= 'a' && C <= 'f')) << H;
  EXPECT_EQ(H, hashOf({})); // deterministic
  Module Empty;
  EXPECT_EQ(moduleHash(Empty, {}).size(), 64u);
  EXPECT_NE(moduleHash(Empty, {}), H);
}

TEST(Hash, ValueNamesDoNotMatter) {
  Knobs Unnamed;
  Unnamed.Names = false;
  EXPECT_EQ(hashOf({}), hashOf(Unnamed));
}

TEST(Hash, ValueArenaOrderDoesNotMatter) {
  // Unused literals made first shift every later arena index; they mean
  // nothing.
  Knobs Shifted;
  Shifted.UnusedLiterals = 5;
  EXPECT_EQ(hashOf({}), hashOf(Shifted));
}

TEST(Hash, FunctionNamesMatter) {
  Knobs K;
  K.Name = "other";
  EXPECT_NE(hashOf({}), hashOf(K));
}

TEST(Hash, LiteralsMatter) {
  Knobs K;
  K.Step = 2;
  EXPECT_NE(hashOf({}), hashOf(K));
}

TEST(Hash, OpsMatter) {
  Knobs K;
  K.Combine = Opcode::FSub;
  EXPECT_NE(hashOf({}), hashOf(K));
  Knobs Min;
  Min.Combine = Opcode::FMax;
  EXPECT_NE(hashOf(K), hashOf(Min));
}

TEST(Hash, OperandOrderMatters) {
  Knobs Sub, SubSwapped;
  Sub.Combine = SubSwapped.Combine = Opcode::FSub;
  SubSwapped.SwapCombine = true;
  EXPECT_NE(hashOf(Sub), hashOf(SubSwapped));
}

TEST(Hash, FlagsMatter) {
  std::string Base = hashOf({});
  Knobs Seq;
  Seq.LoopFlags = 0;
  Knobs Reassoc;
  Reassoc.LoopFlags = FlagParallel | FlagReassoc;
  Knobs Afn;
  Afn.ExpFlags = FlagAfn;
  EXPECT_NE(Base, hashOf(Seq));
  EXPECT_NE(Base, hashOf(Reassoc));
  EXPECT_NE(hashOf(Seq), hashOf(Reassoc));
  EXPECT_NE(Base, hashOf(Afn));
}

TEST(Hash, AttributesMatter) {
  Knobs None, NoAlias, Both;
  None.XAttr = 0;
  NoAlias.XAttr = AttrNoAlias;
  Both.XAttr = AttrNoAlias | AttrReadOnly;
  std::string Base = hashOf({});
  EXPECT_NE(Base, hashOf(None));
  EXPECT_NE(Base, hashOf(NoAlias));
  EXPECT_NE(Base, hashOf(Both));
  EXPECT_NE(hashOf(None), hashOf(NoAlias));
}

TEST(Hash, Inputs) {
  HashInputs In{"k", "sm_90", {"checked", "fast-math"}};
  std::string Base = hashOf({}, In);
  EXPECT_NE(Base, hashOf({}));

  HashInputs Entry = In;
  Entry.Entry = "other";
  EXPECT_NE(Base, hashOf({}, Entry));

  HashInputs Target = In;
  Target.Target = "gfx90a";
  EXPECT_NE(Base, hashOf({}, Target));

  HashInputs Fewer = In;
  Fewer.Options.pop_back();
  EXPECT_NE(Base, hashOf({}, Fewer));

  HashInputs Reordered = In;
  std::swap(Reordered.Options[0], Reordered.Options[1]);
  EXPECT_EQ(Base, hashOf({}, Reordered));

  // Length prefixes: moving characters between fields changes the hash.
  HashInputs Split{"ksm", "_90", {}}, Joined{"k", "sm_90", {}};
  EXPECT_NE(hashOf({}, Split), hashOf({}, Joined));
  HashInputs OneOpt{"", "", {"ab"}}, TwoOpts{"", "", {"a", "b"}};
  EXPECT_NE(hashOf({}, OneOpt), hashOf({}, TwoOpts));
}

// Far deeper than MaxNestingDepth, which the parser and Builder enforce.
// Under ThreadSanitizer less deep: GCC's libtsan keeps a fixed shadow call
// stack of 64Ki frames and silently corrupts its own state past it (a crash
// in a later test), and the Module's destructor recurses through about a dozen
// unoptimised frames per level, 5000 levels being over 64Ki. 2000 levels are
// still far over MaxNestingDepth.
#if defined(__SANITIZE_THREAD__)
constexpr unsigned DeepLevels = 2000;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr unsigned DeepLevels = 2000;
#else
constexpr unsigned DeepLevels = 5000;
#endif
#else
constexpr unsigned DeepLevels = 5000;
#endif

TEST(Hash, DeepNestingHashesIteratively) {
  Module M;
  Function *F = buildNestedIfs(M, "deep", DeepLevels);
  std::string H = moduleHash(M, {});
  EXPECT_EQ(H.size(), 64u);
  // One level less is a different module.
  Region *R = &F->Body;
  for (unsigned I = 0; I < DeepLevels - 2; ++I)
    R = &R->Ops.front().Regions[0];
  R->Ops.front().Regions[0].Ops.clear();
  EXPECT_NE(H, moduleHash(M, {}));
}

TEST(Hash, RegionStructureMatters) {
  // `if %c { A } else { }` and `if %c { } else { A }` hold the same ops in
  // the same order; the region lengths tell them apart.
  auto Make = [](bool InThen) {
    auto M = std::make_unique<Module>();
    Builder B(*M);
    Function *F = cantFail(
        B.declareFunction("f", {Type::i1(), Type::ptr(Scalar::I32)}, {}, {}));
    cantFail(B.beginBody(*F));
    cantFail(B.beginIf(B.param(0), {}));
    auto Store = [&] {
      cantFail(
          B.create(Opcode::Store, {B.param(1), B.intLiteral(Type::i64(), 0),
                                   B.intLiteral(Type::i32(), 1)}));
    };
    if (InThen)
      Store();
    cantFail(B.beginElse({}));
    if (!InThen)
      Store();
    cantFail(B.endIf({}));
    cantFail(B.finishBody({}));
    return M;
  };
  EXPECT_NE(moduleHash(*Make(true), {}), moduleHash(*Make(false), {}));
}

// --- from text --------------------------------------------------------------

std::string textHash(llvm::StringRef Text) {
  auto M = parseOk(Text);
  return M ? moduleHash(*M, {}) : "";
}

/// The spec's saxpy with 'fsub %t, %yi' for 'fadd %t, %yi': an operation
/// whose operands cannot be swapped.
const std::string Saxpy = [] {
  std::string S = SpecSaxpyText;
  S.replace(S.find("fadd %t, %yi"), 12, "fsub %t, %yi");
  return S;
}();

TEST(Hash, TextRenamingCommentsAndWhitespace) {
  const char *Renamed = R"(; the same kernel, renamed and reformatted
func @saxpy(%len: i64,   %alpha: f32,
            %in: ptr<f32> readonly, %out: ptr<f32>) {   ; signature
  for %k = 0 to %len step 1 {
      %u = load %in[%k]      ; x
      %v = load %out[%k]     ; y

      %w.1 = fmul %alpha, %u
      %q_2 = fsub %w.1, %v
    store %out[%k], %q_2
  }
  ret
}
)";
  std::string A = textHash(Saxpy), B = textHash(Renamed);
  EXPECT_FALSE(A.empty());
  EXPECT_EQ(A, B);
}

TEST(Hash, PrintedFormHashesTheSame) {
  // A module built without names prints with invented ones; parsing that
  // back must give the same hash, and so must the built module itself.
  auto Built = build({});
  std::string Text = printModule(*Built);
  auto Parsed = parseModule(Text);
  ASSERT_TRUE(bool(Parsed)) << llvm::toString(Parsed.takeError()) << "\n"
                            << Text;
  EXPECT_EQ(moduleHash(*Built, {}), moduleHash(**Parsed, {})) << Text;
  Knobs Unnamed;
  Unnamed.Names = false;
  auto BuiltUnnamed = build(Unnamed);
  auto Reparsed = parseModule(printModule(*BuiltUnnamed));
  ASSERT_TRUE(bool(Reparsed)) << llvm::toString(Reparsed.takeError());
  EXPECT_EQ(moduleHash(*Built, {}), moduleHash(**Reparsed, {}));
}

TEST(Hash, TextOperandSwapChangesTheHash) {
  std::string Swapped = Saxpy;
  size_t P = Swapped.find("fsub %t, %yi");
  ASSERT_NE(P, std::string::npos);
  Swapped.replace(P, 12, "fsub %yi, %t");
  EXPECT_NE(textHash(Saxpy), textHash(Swapped));
}

TEST(Hash, TextLiteralSpellingsOfOneValueAgree) {
  const char *A = R"(
func @f(%x: f32) -> f32 {
  %y = fadd %x, 2.5
  ret %y
}
)";
  const char *B = R"(
func @f(%v: f32) -> f32 {
  %w = fadd %v, 0x1.4p+1
  ret %w
}
)";
  const char *C = R"(
func @f(%v: f32) -> f32 {
  %w = fadd %v, 2.25
  ret %w
}
)";
  EXPECT_EQ(textHash(A), textHash(B));
  EXPECT_NE(textHash(A), textHash(C));
}

} // namespace
