//===- tests/unit/codegen/MathLinkTest.cpp - libdevice, -O, nvJitLink -----===//
//
// The NVPTX target's compile steps after lowering, on a hand-built kernel
// calling __nv_expf: libdevice search and linking, the -O pipeline, PTX,
// and the in-process cubin. Steps needing the CUDA toolkit's files skip when
// they are absent (CI without CUDA).
//
//===----------------------------------------------------------------------===//

#include "codegen/Target.h"
#include "codegen/nvptx/LibDevice.h"
#include "codegen/nvptx/NvJitLink.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>

using namespace ircgpu;
using namespace llvm;

namespace {

std::string errorText(Error E) { return toString(std::move(E)); }

/// Sets (Value null: unsets) an environment variable for one scope, then
/// restores it.
class ScopedEnv {
public:
  ScopedEnv(const char *Name, const char *Value) : Name(Name) {
    if (const char *Old = std::getenv(Name))
      Saved = Old;
    if (Value)
      setenv(Name, Value, 1);
    else
      unsetenv(Name);
  }
  ~ScopedEnv() {
    if (Saved)
      setenv(Name, Saved->c_str(), 1);
    else
      unsetenv(Name);
  }

private:
  const char *Name;
  std::optional<std::string> Saved;
};

std::unique_ptr<Target> nvptx(StringRef SM = "sm_90") {
  auto T = createTarget(SM);
  EXPECT_TRUE(bool(T));
  return T ? std::move(*T) : nullptr;
}

/// out[i] = exp(in[i]) (or the fast variant), one kernel, i = thread x.
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

bool haveLibDevice() { return bool(nvptx::findLibDevice()); }

//===-- the afn table -----------------------------------------------------===//

TEST(MathTableTest, AfnPicksFastF32OnlyWhereOneExists) {
  auto T = nvptx();
  EXPECT_EQ(T->mathFunctionName(Opcode::Exp, Scalar::F32, false), "__nv_expf");
  EXPECT_EQ(T->mathFunctionName(Opcode::Exp, Scalar::F32, true),
            "__nv_fast_expf");
  EXPECT_EQ(T->mathFunctionName(Opcode::Pow, Scalar::F32, true),
            "__nv_fast_powf");
  EXPECT_EQ(T->mathFunctionName(Opcode::Sin, Scalar::F32, true),
            "__nv_fast_sinf");
  // f64 has no fast variants; erf has none at all.
  EXPECT_EQ(T->mathFunctionName(Opcode::Exp, Scalar::F64, true), "__nv_exp");
  EXPECT_EQ(T->mathFunctionName(Opcode::Erf, Scalar::F32, true), "__nv_erff");
}

//===-- libdevice ---------------------------------------------------------===//

TEST(LibDeviceTest, ExplicitPathThatIsMissingIsNamedInTheError) {
  ScopedEnv Env("IRC_GPU_LIBDEVICE", "/nonexistent/libdevice.10.bc");
  EXPECT_EQ(nvptx::libDeviceCandidates(),
            std::vector<std::string>{"/nonexistent/libdevice.10.bc"});
  std::string Msg = errorText(nvptx::findLibDevice().takeError());
  EXPECT_NE(Msg.find("libdevice.10.bc not found"), std::string::npos) << Msg;
  EXPECT_NE(Msg.find("/nonexistent/libdevice.10.bc"), std::string::npos) << Msg;
  EXPECT_NE(Msg.find("IRC_GPU_LIBDEVICE"), std::string::npos) << Msg;

  // The link fails with that error only when the module needs libdevice.
  LLVMContext Ctx;
  auto T = nvptx();
  auto M = expKernel(Ctx, *T);
  Msg = errorText(T->linkMathLibrary(*M));
  EXPECT_NE(Msg.find("/nonexistent/libdevice.10.bc"), std::string::npos) << Msg;
  auto Plain = std::make_unique<llvm::Module>("plain", Ctx);
  EXPECT_FALSE(T->linkMathLibrary(*Plain));
}

TEST(LibDeviceTest, DefaultSearchTriesTheToolkitPaths) {
  ScopedEnv Home("CUDA_HOME", "/opt/cuda-x");
  ScopedEnv Explicit("IRC_GPU_LIBDEVICE", nullptr);
  std::vector<std::string> C = nvptx::libDeviceCandidates();
  ASSERT_GE(C.size(), 3u);
  EXPECT_EQ(C[0], "/opt/cuda-x/nvvm/libdevice/libdevice.10.bc");
  EXPECT_NE(std::find(C.begin(), C.end(),
                      "/usr/local/cuda/nvvm/libdevice/libdevice.10.bc"),
            C.end());
}

TEST(LibDeviceTest, LinksOnlyWhatIsNeededAndInternalises) {
  if (!haveLibDevice())
    GTEST_SKIP() << "no libdevice.10.bc here";
  LLVMContext Ctx;
  auto T = nvptx();
  auto M = expKernel(Ctx, *T);
  auto Start = std::chrono::steady_clock::now();
  ASSERT_FALSE(T->linkMathLibrary(*M));
  auto Linked = std::chrono::steady_clock::now();
  llvm::Function *Exp = M->getFunction("__nv_expf");
  ASSERT_TRUE(Exp);
  EXPECT_FALSE(Exp->isDeclaration());
  EXPECT_TRUE(Exp->hasInternalLinkage());
  EXPECT_FALSE(M->getFunction("__nv_sinf")); // not needed, not linked
  EXPECT_TRUE(M->getFunction("expk")->hasExternalLinkage());
  auto *Ftz = mdconst::extract_or_null<ConstantInt>(
      M->getModuleFlag("nvvm-reflect-ftz"));
  ASSERT_TRUE(Ftz);
  EXPECT_EQ(Ftz->getZExtValue(), 0u);

  ASSERT_FALSE(T->optimize(*M, 3));
  auto Optimised = std::chrono::steady_clock::now();
  // Inlined and gone; no __nvvm_reflect left for the backend to resolve.
  EXPECT_FALSE(M->getFunction("__nv_expf"));
  EXPECT_FALSE(M->getFunction("__nvvm_reflect"));
  auto Ptx = T->emitAssembly(*M, 3);
  ASSERT_TRUE(bool(Ptx)) << errorText(Ptx.takeError());
  auto Emitted = std::chrono::steady_clock::now();
  EXPECT_EQ(Ptx->find(".extern"), std::string::npos) << *Ptx;
  EXPECT_NE(Ptx->find(".visible .entry expk("), std::string::npos);
  using Ms = std::chrono::duration<double, std::milli>;
  std::printf("link %.1f ms, O3 %.1f ms, PTX %.1f ms\n",
              Ms(Linked - Start).count(), Ms(Optimised - Linked).count(),
              Ms(Emitted - Optimised).count());
}

TEST(OptimizeTest, RejectsLevelsAboveThree) {
  LLVMContext Ctx;
  auto T = nvptx();
  llvm::Module M("m", Ctx);
  std::string Msg = errorText(T->optimize(M, 4));
  EXPECT_NE(Msg.find("-O4"), std::string::npos) << Msg;
}

//===-- nvJitLink ---------------------------------------------------------===//

/// The PTX of expKernel (linked, -O3), or "" without libdevice.
std::string expPtx(const Target &T, bool Approx = false) {
  if (!haveLibDevice())
    return "";
  LLVMContext Ctx;
  auto M = expKernel(Ctx, T, Approx);
  EXPECT_FALSE(T.linkMathLibrary(*M));
  EXPECT_FALSE(T.optimize(*M, 3));
  auto Ptx = T.emitAssembly(*M, 3);
  return Ptx ? *Ptx : (consumeError(Ptx.takeError()), "");
}

TEST(NvJitLinkTest, PtxBecomesACubin) {
  auto L = nvptx::loadNvJitLink();
  if (!L) {
    Error E = L.takeError();
    EXPECT_TRUE(E.isA<AssemblerUnavailableError>());
    std::string Msg = errorText(std::move(E));
    EXPECT_NE(Msg.find("no nvJitLink"), std::string::npos) << Msg;
    GTEST_SKIP() << Msg;
  }
  auto T = nvptx();
  std::string Ptx = expPtx(*T);
  if (Ptx.empty())
    GTEST_SKIP() << "no libdevice.10.bc here";
  using Ms = std::chrono::duration<double, std::milli>;
  auto Start = std::chrono::steady_clock::now();
  auto Cubin = T->assembleObject(Ptx);
  auto First = std::chrono::steady_clock::now();
  ASSERT_TRUE(bool(Cubin)) << errorText(Cubin.takeError());
  ASSERT_GT(Cubin->size(), 4u);
  EXPECT_EQ(Cubin->substr(0, 4), "\x7f"
                                 "ELF");
  auto Again = T->assembleObject(Ptx); // the library's one-time setup done
  auto Second = std::chrono::steady_clock::now();
  ASSERT_TRUE(bool(Again)) << errorText(Again.takeError());
  std::printf("nvJitLink %u.%u (%s): %zu-byte cubin in %.1f ms, then "
              "%.1f ms\n",
              L->Major, L->Minor, L->Path.c_str(), Cubin->size(),
              Ms(First - Start).count(), Ms(Second - First).count());
}

TEST(NvJitLinkTest, BrokenPtxGivesTheLog) {
  if (auto L = nvptx::loadNvJitLink(); !L)
    GTEST_SKIP() << errorText(L.takeError());
  auto T = nvptx();
  auto Cubin = T->assembleObject(".version 8.0\n.target sm_90\n"
                                 ".address_size 64\n"
                                 ".visible .entry k() { bogus.op %r1; }\n");
  ASSERT_FALSE(bool(Cubin));
  Error E = Cubin.takeError();
  EXPECT_FALSE(E.isA<AssemblerUnavailableError>());
  std::string Msg = errorText(std::move(E));
  std::printf("%s\n", Msg.c_str());
  EXPECT_NE(Msg.find("nvJitLink"), std::string::npos) << Msg;
  EXPECT_NE(Msg.find("sm_90"), std::string::npos) << Msg;
  // The log names the offending input line.
  EXPECT_NE(Msg.find("bogus"), std::string::npos) << Msg;
}

} // namespace
