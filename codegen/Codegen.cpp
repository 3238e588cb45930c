//===- codegen/Codegen.cpp - plan kernels to one LLVM module --------------===//
//
// Each Kernel step's outlined VIR function (Plan.h: grid indices, then Args)
// is wrapped in a GPU kernel that turns the hardware thread position into
// those indices (the calling convention is in Codegen.h), then its body is
// lowered inline. Indexing is 64-bit throughout: a grid may exceed 2^32
// points, and blockIdx * blockDim overflows 32 bits well before that.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Codegen.h"

#include "codegen/LowerFunction.h"
#include "codegen/Target.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace ircgpu {

Target::~Target() = default;

Expected<std::unique_ptr<Target>> createTarget(StringRef Name) {
  if (Name.starts_with("sm_"))
    return createNVPTXTarget(Name);
  if (Name.starts_with("gfx"))
    return createStringError(inconvertibleErrorCode(),
                             "AMDGPU target not implemented yet");
  return createStringError(inconvertibleErrorCode(),
                           "unknown target '" + Name +
                               "' (expected sm_XY or gfxNNN)");
}

std::string kernelName(StringRef FuncName) {
  // PTX identifiers cannot hold the `.` of outlined names (`saxpy.k0`); VIR
  // names never hold `$`, so the mapping stays one to one.
  std::string Out = FuncName.str();
  for (char &C : Out)
    if (!isAlnum(C) && C != '_' && C != '$')
      C = '$';
  return Out;
}

namespace {

Error codegenError(const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(), Msg);
}

class KernelEmitter {
public:
  KernelEmitter(const Plan &P, const Target &T, llvm::Module &M)
      : P(P), T(T), M(M), Ctx(M.getContext()) {}

  Error emitSteps(ArrayRef<PlanStep> Steps) {
    for (const PlanStep &S : Steps) {
      if (S.Kind == StepKind::Kernel && Done.insert(S.Func).second)
        if (Error E = emitKernel(S))
          return E;
      for (const std::vector<PlanStep> *Sub : {&S.Cond, &S.Body, &S.Fallback})
        if (Error E = emitSteps(*Sub))
          return E;
    }
    return Error::success();
  }

private:
  const Plan &P;
  const Target &T;
  llvm::Module &M;
  LLVMContext &Ctx;
  DenseSet<uint32_t> Done;

  Error emitKernel(const PlanStep &S);
};

Error KernelEmitter::emitKernel(const PlanStep &S) {
  const ircgpu::Function &VF = *P.Code->Functions[S.Func];
  if (!S.Reductions.empty())
    return codegenError("kernel @" + VF.Name +
                        ": reductions on the GPU are not implemented yet");
  unsigned NDims = S.Grid.size();
  if (NDims == 0 || NDims > 3 || VF.Params.size() != NDims + S.Args.size())
    return codegenError("kernel @" + VF.Name + ": malformed kernel step");

  // Parameters: LB, UB, Step per dimension, then the outlined function's
  // own parameters after its grid indices.
  SmallVector<llvm::Type *, 8> ParamTys;
  for (unsigned D = 0; D < NDims; ++D)
    ParamTys.append(3, lowerType(VF.type(VF.Params[D]), Ctx, T));
  for (size_t I = NDims; I < VF.Params.size(); ++I)
    ParamTys.push_back(lowerType(VF.type(VF.Params[I]), Ctx, T));
  auto *FT = FunctionType::get(llvm::Type::getVoidTy(Ctx), ParamTys, false);
  auto *Fn = llvm::Function::Create(FT, GlobalValue::ExternalLinkage,
                                    kernelName(VF.Name), M);
  T.markKernel(*Fn);
  static constexpr const char *DimNames[] = {"lb", "ub", "step"};
  for (unsigned D = 0; D < NDims; ++D)
    for (unsigned K = 0; K < 3; ++K)
      Fn->getArg(3 * D + K)->setName(Twine(DimNames[K]) + Twine(D));
  for (size_t I = NDims; I < VF.Params.size(); ++I) {
    Argument *A = Fn->getArg(3 * NDims + (I - NDims));
    A->setName(VF.name(VF.Params[I]));
    uint8_t Attrs = I < VF.ParamAttrs.size() ? VF.ParamAttrs[I] : 0;
    // The VM's promises (spec §2) let LLVM use the non-coherent cache for
    // read-only buffers and reorder memory accesses across noalias ones.
    if (Attrs & AttrNoAlias)
      A->addAttr(Attribute::NoAlias);
    if (Attrs & AttrReadOnly)
      A->addAttr(Attribute::ReadOnly);
    if (Attrs & AttrWriteOnly)
      A->addAttr(Attribute::WriteOnly);
  }

  BasicBlock *Entry = BasicBlock::Create(Ctx, "entry", Fn);
  BasicBlock *Body = BasicBlock::Create(Ctx, "body", Fn);
  BasicBlock *Exit = BasicBlock::Create(Ctx, "exit", Fn);
  IRBuilder<> B(Entry);
  SmallVector<llvm::Value *, 3> Indices;
  llvm::Value *InRange = nullptr;
  for (unsigned D = 0; D < NDims; ++D) {
    unsigned HW = NDims - 1 - D; // the last plan dimension is x
    llvm::Value *LB = Fn->getArg(3 * D), *UB = Fn->getArg(3 * D + 1),
                *Step = Fn->getArg(3 * D + 2);
    llvm::Value *Tid = B.CreateZExt(T.emitThreadId(B, HW), B.getInt64Ty());
    llvm::Value *Bid = B.CreateZExt(T.emitBlockId(B, HW), B.getInt64Ty());
    llvm::Value *BDim = B.CreateZExt(T.emitBlockDim(B, HW), B.getInt64Ty());
    llvm::Value *Pos = B.CreateAdd(B.CreateMul(Bid, BDim, "", /*NUW=*/true),
                                   Tid, "t" + Twine(D), /*NUW=*/true);
    llvm::Value *Trip =
        B.CreateZExt(emitTripCount(B, LB, UB, Step), B.getInt64Ty());
    llvm::Value *In = B.CreateICmpULT(Pos, Trip, "in" + Twine(D));
    InRange = InRange ? B.CreateAnd(InRange, In) : In;
    // Pos < Trip, so Pos fits the index type and LB + Pos * Step lies in
    // [LB, UB): the wrapping arithmetic below is exact.
    llvm::Value *T32 = B.CreateTrunc(Pos, LB->getType());
    Indices.push_back(
        B.CreateAdd(LB, B.CreateMul(T32, Step), VF.name(VF.Params[D])));
  }
  B.CreateCondBr(InRange, Body, Exit);
  B.SetInsertPoint(Body);
  for (size_t I = NDims; I < VF.Params.size(); ++I)
    Indices.push_back(Fn->getArg(3 * NDims + (I - NDims)));
  auto Rets = lowerFunctionBody(VF, Indices, B, T);
  if (!Rets)
    return Rets.takeError();
  B.CreateBr(Exit);
  B.SetInsertPoint(Exit);
  B.CreateRetVoid();
  return Error::success();
}

} // namespace

Expected<std::unique_ptr<llvm::Module>>
lowerPlanKernels(const Plan &P, const Target &T, LLVMContext &Ctx) {
  auto M = std::make_unique<llvm::Module>(P.Entry, Ctx);
  M->setTargetTriple(T.triple());
  M->setDataLayout(T.dataLayout());
  KernelEmitter KE(P, T, *M);
  if (Error E = KE.emitSteps(P.Steps))
    return E;
  std::string Msg;
  raw_string_ostream OS(Msg);
  if (verifyModule(*M, &OS))
    return codegenError("internal error: invalid LLVM IR for plan @" + P.Entry +
                        ": " + Msg);
  return M;
}

Expected<std::string> emitAssembly(llvm::Module &M, const Target &T) {
  return T.emitAssembly(M);
}

Expected<std::string> emitPlanKernels(const Plan &P, StringRef TargetName,
                                      EmitKind Kind, unsigned OptLevel) {
  auto T = createTarget(TargetName);
  if (!T)
    return T.takeError();
  LLVMContext Ctx;
  auto M = lowerPlanKernels(P, **T, Ctx);
  if (!M)
    return M.takeError();
  // Math library and -O (issue 5, "Math"): what every kind shows.
  if (Error E = (*T)->linkMathLibrary(**M))
    return E;
  if (Error E = (*T)->optimize(**M, OptLevel))
    return E;
  if (Kind != EmitKind::LLVMIR) {
    auto Asm = (*T)->emitAssembly(**M, OptLevel);
    if (!Asm || Kind == EmitKind::Assembly)
      return Asm;
    return (*T)->assembleObject(*Asm);
  }
  std::string Out;
  raw_string_ostream OS(Out);
  (*M)->print(OS, nullptr);
  return Out;
}

} // namespace ircgpu
