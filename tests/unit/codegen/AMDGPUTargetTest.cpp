//===- tests/unit/codegen/AMDGPUTargetTest.cpp - the AMDGPU target --------===//
//
// The AMDGPU target's answers (wavefront sizes, names), OCML linking and
// its oclc control constants (checked against the control libraries that
// rocm-device-libs ships), and code objects: a plan's kernels become an HSA
// shared ELF, linked by lld in-process. Steps needing ocml.bc skip where
// rocm-device-libs is absent.
//
//===----------------------------------------------------------------------===//
#include "../ir/TestSupport.h"

#include "codegen/Target.h"
#include "codegen/amdgpu/DeviceLibs.h"
#include "ircgpu/Codegen.h"
#include "ircgpu/Compiler.h"
#include "ircgpu/KernelABI.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace ircgpu;
using namespace ircgpu::test;
using namespace llvm;

namespace {

std::unique_ptr<Target> target(StringRef Name) {
  auto T = createTarget(Name);
  EXPECT_TRUE(bool(T)) << (T ? "" : toString(T.takeError()));
  return T ? std::move(*T) : nullptr;
}

std::string ocmlDir() {
  for (const std::string &D : amdgpu::deviceLibDirs()) {
    SmallString<128> P(D);
    sys::path::append(P, "ocml.bc");
    if (sys::fs::is_regular_file(P))
      return D;
  }
  return "";
}

/// out[i] = exp(in[i]) (OCML's native exp with Approx), i = thread x.
std::unique_ptr<llvm::Module> expKernel(LLVMContext &Ctx, const Target &T,
                                        bool Approx = false) {
  auto M = std::make_unique<llvm::Module>("exp", Ctx);
  M->setTargetTriple(T.triple());
  M->setDataLayout(T.dataLayout());
  auto *F32 = llvm::Type::getFloatTy(Ctx);
  auto *Ptr = PointerType::get(Ctx, T.globalAddressSpace());
  auto *Fn = llvm::Function::Create(
      FunctionType::get(llvm::Type::getVoidTy(Ctx), {Ptr, Ptr}, false),
      GlobalValue::ExternalLinkage, "expk", *M);
  T.markKernel(*Fn);
  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", Fn));
  llvm::Value *I = B.CreateZExt(T.emitThreadId(B, 0), B.getInt64Ty());
  llvm::Value *In = B.CreateLoad(F32, B.CreateGEP(F32, Fn->getArg(0), I));
  FunctionCallee Exp = M->getOrInsertFunction(
      T.mathFunctionName(Opcode::Exp, Scalar::F32, Approx),
      FunctionType::get(F32, {F32}, false));
  B.CreateStore(B.CreateCall(Exp, {In}), B.CreateGEP(F32, Fn->getArg(1), I));
  B.CreateRetVoid();
  return M;
}

/// An HSA code object: a 64-bit little-endian shared ELF for AMDGPU.
void expectHsaco(StringRef Obj) {
  ASSERT_GT(Obj.size(), 64u);
  EXPECT_TRUE(Obj.starts_with("\x7f"
                              "ELF"));
  EXPECT_EQ(uint8_t(Obj[4]), ELF::ELFCLASS64);
  EXPECT_EQ(uint8_t(Obj[16]) | uint8_t(Obj[17]) << 8, ELF::ET_DYN);
  EXPECT_EQ(uint8_t(Obj[18]) | uint8_t(Obj[19]) << 8, ELF::EM_AMDGPU);
}

//===-- the target's answers ----------------------------------------------===//

TEST(AMDGPUTargetTest, WavefrontSizeAndAddressSpacesPerISA) {
  for (auto [Name, Wave] : {std::pair<const char *, unsigned>{"gfx90a", 64},
                            {"gfx940", 64},
                            {"gfx942", 64},
                            {"gfx1100", 32}}) {
    auto T = target(Name);
    ASSERT_TRUE(T);
    EXPECT_EQ(T->warpSize(), Wave) << Name;
    EXPECT_EQ(T->triple(), "amdgcn-amd-amdhsa");
    EXPECT_EQ(T->cpu(), Name);
    EXPECT_EQ(T->globalAddressSpace(), 1u);
    EXPECT_EQ(T->sharedAddressSpace(), 3u);
    EXPECT_FALSE(T->driverLoadsAssembly());
    EXPECT_EQ(T->objectFormat(), CodeObject::Format::Hsaco);
    EXPECT_TRUE(isSupportedTarget(Name));
  }
  EXPECT_FALSE(isSupportedTarget("gfx1030"));
  auto Bad = createTarget("gfx1030");
  ASSERT_FALSE(bool(Bad));
  EXPECT_EQ(toString(Bad.takeError()),
            "target 'gfx1030' is not supported (supported: gfx90a, gfx940, "
            "gfx942, gfx1100)");
  // The NVPTX target is unchanged.
  auto N = target("sm_90");
  EXPECT_EQ(N->warpSize(), 32u);
  EXPECT_TRUE(N->driverLoadsAssembly());
  EXPECT_EQ(N->objectFormat(), CodeObject::Format::Cubin);
}

TEST(AMDGPUTargetTest, MathNamesAreOcmlsWithNativeOnesForAfn) {
  auto T = target("gfx90a");
  EXPECT_EQ(T->mathFunctionName(Opcode::Exp, Scalar::F32, false),
            "__ocml_exp_f32");
  EXPECT_EQ(T->mathFunctionName(Opcode::Exp, Scalar::F32, true),
            "__ocml_native_exp_f32");
  EXPECT_EQ(T->mathFunctionName(Opcode::Exp, Scalar::F64, true),
            "__ocml_exp_f64");
  EXPECT_EQ(T->mathFunctionName(Opcode::Pow, Scalar::F32, true),
            "__ocml_pow_f32");
  EXPECT_EQ(T->mathFunctionName(Opcode::FRem, Scalar::F64, false),
            "__ocml_fmod_f64");
}

//===-- OCML --------------------------------------------------------------===//

/// Each oclc_*.bc file defines one constant; the values defined in-process
/// must be those of the file clang would link for the same settings.
TEST(DeviceLibsTest, ControlConstantsMatchTheControlLibraries) {
  std::string Dir = ocmlDir();
  if (Dir.empty())
    GTEST_SKIP() << "no rocm-device-libs here";
  struct Case {
    const char *File;
    amdgpu::OclcControls C;
  };
  const Case Cases[] = {
      {"oclc_isa_version_90a.bc", {9010, true}},
      {"oclc_isa_version_940.bc", {9400, true}},
      {"oclc_isa_version_1030.bc", {10300, false}}, // the encoding of gfx10+
      {"oclc_wavefrontsize64_on.bc", {9010, true}},
      {"oclc_wavefrontsize64_off.bc", {11000, false}},
      {"oclc_abi_version_400.bc", {9010, true}},
      {"oclc_correctly_rounded_sqrt_on.bc", {9010, true}},
      {"oclc_daz_opt_off.bc", {9010, true}},
      {"oclc_finite_only_off.bc", {9010, true}},
      {"oclc_unsafe_math_off.bc", {9010, true}},
  };
  for (const Case &C : Cases) {
    SmallString<128> P(Dir);
    sys::path::append(P, C.File);
    auto Buf = MemoryBuffer::getFile(P);
    ASSERT_TRUE(bool(Buf)) << P.str().str();
    LLVMContext Ctx;
    auto M = parseBitcodeFile((*Buf)->getMemBufferRef(), Ctx);
    ASSERT_TRUE(bool(M)) << toString(M.takeError());
    unsigned Found = 0;
    for (const GlobalVariable &GV : (*M)->globals()) {
      auto *Init = dyn_cast_or_null<ConstantInt>(GV.getInitializer());
      ASSERT_TRUE(Init) << C.File;
      for (const auto &[Name, Value] : amdgpu::oclcConstants(C.C))
        if (GV.getName() == Name) {
          EXPECT_EQ(Init->getZExtValue(), Value) << C.File << " " << Name;
          ++Found;
        }
    }
    EXPECT_EQ(Found, 1u) << C.File;
  }
}

TEST(DeviceLibsTest, MissingFolderIsNamedInTheError) {
  const char *Old = std::getenv("IRC_GPU_ROCM_DEVICE_LIBS");
  std::string Saved = Old ? Old : "";
  setenv("IRC_GPU_ROCM_DEVICE_LIBS", "/nonexistent/bitcode", 1);
  LLVMContext Ctx;
  auto T = target("gfx90a");
  auto M = expKernel(Ctx, *T);
  std::string Msg = toString(T->linkMathLibrary(*M));
  if (Old)
    setenv("IRC_GPU_ROCM_DEVICE_LIBS", Saved.c_str(), 1);
  else
    unsetenv("IRC_GPU_ROCM_DEVICE_LIBS");
  EXPECT_NE(Msg.find("/nonexistent/bitcode/ocml.bc"), std::string::npos) << Msg;
  EXPECT_NE(Msg.find("rocm-device-libs"), std::string::npos) << Msg;
  // A module without math needs no library.
  auto Plain = std::make_unique<llvm::Module>("plain", Ctx);
  EXPECT_FALSE(T->linkMathLibrary(*Plain));
}

TEST(DeviceLibsTest, LinksOnlyWhatIsNeededWithTheISAsControls) {
  if (ocmlDir().empty())
    GTEST_SKIP() << "no rocm-device-libs here";
  for (auto [Name, Isa] : {std::pair<const char *, uint64_t>{"gfx90a", 9010},
                           {"gfx1100", 11000}}) {
    LLVMContext Ctx;
    auto T = target(Name);
    auto M = expKernel(Ctx, *T);
    ASSERT_FALSE(T->linkMathLibrary(*M));
    llvm::Function *Exp = M->getFunction("__ocml_exp_f32");
    ASSERT_TRUE(Exp);
    EXPECT_FALSE(Exp->isDeclaration());
    EXPECT_TRUE(Exp->hasInternalLinkage());
    EXPECT_FALSE(M->getFunction("__ocml_sin_f32")); // not needed
    EXPECT_TRUE(M->getFunction("expk")->hasExternalLinkage());
    if (GlobalVariable *V = M->getGlobalVariable("__oclc_ISA_version", true)) {
      EXPECT_TRUE(V->hasInternalLinkage());
      auto *C = dyn_cast<ConstantInt>(V->getInitializer());
      ASSERT_TRUE(C);
      EXPECT_EQ(C->getZExtValue(), Isa) << Name;
    }
    // Optimised and emitted: OCML inlined, a loadable code object.
    ASSERT_FALSE(T->optimize(*M, 3));
    EXPECT_FALSE(M->getFunction("__ocml_exp_f32"));
    auto Obj = T->emitObject(*M, 3);
    ASSERT_TRUE(bool(Obj)) << toString(Obj.takeError());
    expectHsaco(*Obj);
  }
}

//===-- code objects ------------------------------------------------------===//

constexpr const char *SumSrc = R"(
func @sum(%n: i64, %x: ptr<f32> readonly) -> f32 {
  %s = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 0.0) {
    %v = load %x[%i]
    %a = fadd %acc, %v
    yield %a
  }
  ret %s
}
)";

TEST(AMDGPUCodeObjectTest, PlanCompilesToAnHsacoAgainAndAgain) {
  std::unique_ptr<ircgpu::Module> M = parseOk(SumSrc);
  auto P = buildPlan(*M, "sum");
  ASSERT_TRUE(bool(P)) << errText(P.takeError());
  for (const char *Name : {"gfx90a", "gfx1100", "gfx90a"}) { // lld re-runs
    CodegenOptions Opts;
    Opts.Target = Name;
    CompileTimings Times;
    auto C = compilePlanCode(*P, Opts, &Times);
    ASSERT_TRUE(bool(C)) << toString(C.takeError());
    EXPECT_EQ(C->Kind, CodeObject::Format::Hsaco);
    expectHsaco(C->Bytes);
    EXPECT_GT(Times.ObjectMs, 0.0);
    // Both kernels of the ABI are in it, with their descriptors.
    for (StringRef K : {"sum$k0.kd", "sum$k0$final.kd"})
      EXPECT_NE(C->Bytes.find(K.str()), std::string::npos) << K.str();
    // The module cache's payload keeps the format.
    auto Back = CodeObject::deserialize(C->serialize());
    ASSERT_TRUE(bool(Back)) << toString(Back.takeError());
    EXPECT_EQ(Back->Kind, CodeObject::Format::Hsaco);
    EXPECT_EQ(Back->Bytes, C->Bytes);
  }
  // HIP loads code objects only: no assembly-only compile.
  CodegenOptions Opts;
  Opts.Target = "gfx90a";
  Opts.Cubin = false;
  auto C = compilePlanCode(*P, Opts);
  ASSERT_FALSE(bool(C));
  EXPECT_NE(toString(C.takeError()).find("has no loadable assembly"),
            std::string::npos);
}

/// The Target interface's other path: assembly text, then assembleObject,
/// gives a code object too, with the same kernels.
TEST(AMDGPUCodeObjectTest, AssemblyTextAssemblesToAnHsaco) {
  for (const char *Name : {"gfx90a", "gfx1100"}) {
    LLVMContext Ctx;
    auto T = target(Name);
    std::unique_ptr<ircgpu::Module> VM = parseOk(SumSrc);
    auto P = buildPlan(*VM, "sum");
    ASSERT_TRUE(bool(P)) << errText(P.takeError());
    auto M = lowerPlanKernels(*P, *T, Ctx);
    ASSERT_TRUE(bool(M)) << toString(M.takeError());
    ASSERT_FALSE(T->optimize(**M, 2));
    auto Asm = T->emitAssembly(**M, 2);
    ASSERT_TRUE(bool(Asm)) << toString(Asm.takeError());
    auto Obj = T->assembleObject(*Asm);
    ASSERT_TRUE(bool(Obj)) << toString(Obj.takeError());
    expectHsaco(*Obj);
    EXPECT_NE(Obj->find("sum$k0$final.kd"), std::string::npos);
  }
  auto T = target("gfx90a");
  auto Bad = T->assembleObject("  v_bogus_instruction v0\n");
  ASSERT_FALSE(bool(Bad));
  std::string Msg = toString(Bad.takeError());
  EXPECT_NE(Msg.find("does not assemble"), std::string::npos) << Msg;
  EXPECT_NE(Msg.find("v_bogus_instruction"), std::string::npos) << Msg;
}

} // namespace
