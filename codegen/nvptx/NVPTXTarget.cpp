//===- codegen/nvptx/NVPTXTarget.cpp - NVIDIA GPUs through LLVM NVPTX -----===//
//
// sm_XY -> nvptx64-nvidia-cuda with the PTX ISA version that architecture
// first appeared in (a newer ISA would refuse to load on older drivers for no
// gain), except sm_90, which gets PTX 8.0: the version measured to load and
// run on the lent H100 (design.md).
//
// Math goes to libdevice (__nv_*). The calls are external declarations for
// now: linking libdevice.10.bc is the next step of issue 5, so PTX emitted
// today names them as .extern functions that ptxas accepts but cannot link.
//
//===----------------------------------------------------------------------===//
#include "codegen/Target.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/IntrinsicsNVPTX.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"

#include <mutex>

using namespace llvm;

namespace ircgpu {

namespace {

constexpr const char *NVPTXTriple = "nvptx64-nvidia-cuda";

/// Architectures LLVM 19 knows, each with its PTX ISA feature.
struct SMEntry {
  const char *SM;
  const char *Features;
};
constexpr SMEntry SMTable[] = {
    {"sm_70", "+ptx60"}, {"sm_72", "+ptx61"}, {"sm_75", "+ptx63"},
    {"sm_80", "+ptx70"}, {"sm_86", "+ptx71"}, {"sm_87", "+ptx74"},
    {"sm_89", "+ptx78"}, {"sm_90", "+ptx80"}, {"sm_90a", "+ptx80"},
};

/// VIR math op -> libdevice names for f32 and f64 (MLIR's
/// LowerGpuOpsToNVVMOps keeps the same table). fma is not here: the common
/// lowering uses llvm.fma, which NVPTX lowers to fma.rn exactly.
struct MathEntry {
  Opcode Op;
  const char *F32, *F64;
};
constexpr MathEntry MathTable[] = {
    {Opcode::FRem, "__nv_fmodf", "__nv_fmod"}, // exact, unlike LLVM's frem
    {Opcode::Sqrt, "__nv_sqrtf", "__nv_sqrt"},
    {Opcode::Rsqrt, "__nv_rsqrtf", "__nv_rsqrt"},
    {Opcode::Exp, "__nv_expf", "__nv_exp"},
    {Opcode::Exp2, "__nv_exp2f", "__nv_exp2"},
    {Opcode::Log, "__nv_logf", "__nv_log"},
    {Opcode::Log2, "__nv_log2f", "__nv_log2"},
    {Opcode::Log10, "__nv_log10f", "__nv_log10"},
    {Opcode::Sin, "__nv_sinf", "__nv_sin"},
    {Opcode::Cos, "__nv_cosf", "__nv_cos"},
    {Opcode::Tan, "__nv_tanf", "__nv_tan"},
    {Opcode::Tanh, "__nv_tanhf", "__nv_tanh"},
    {Opcode::Erf, "__nv_erff", "__nv_erf"},
    {Opcode::Floor, "__nv_floorf", "__nv_floor"},
    {Opcode::Ceil, "__nv_ceilf", "__nv_ceil"},
    {Opcode::Round, "__nv_roundf", "__nv_round"}, // half away from zero
    {Opcode::FTrunc, "__nv_truncf", "__nv_trunc"},
    {Opcode::Pow, "__nv_powf", "__nv_pow"},
    {Opcode::Atan2, "__nv_atan2f", "__nv_atan2"},
    {Opcode::Copysign, "__nv_copysignf", "__nv_copysign"},
};

void initNVPTXOnce() {
  static std::once_flag Once;
  std::call_once(Once, [] {
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
  });
}

class NVPTXTarget final : public Target {
public:
  NVPTXTarget(const SMEntry &E, std::unique_ptr<TargetMachine> TM)
      : Entry(E), TM(std::move(TM)) {}

  StringRef name() const override { return Entry.SM; }
  StringRef triple() const override { return NVPTXTriple; }
  std::string dataLayout() const override {
    return TM->createDataLayout().getStringRepresentation();
  }
  StringRef cpu() const override { return Entry.SM; }
  StringRef features() const override { return Entry.Features; }
  unsigned globalAddressSpace() const override { return 1; }

  llvm::Value *emitThreadId(IRBuilderBase &B, unsigned Dim) const override {
    static constexpr Intrinsic::ID IDs[] = {
        Intrinsic::nvvm_read_ptx_sreg_tid_x,
        Intrinsic::nvvm_read_ptx_sreg_tid_y,
        Intrinsic::nvvm_read_ptx_sreg_tid_z};
    return B.CreateIntrinsic(IDs[Dim], {}, {});
  }
  llvm::Value *emitBlockId(IRBuilderBase &B, unsigned Dim) const override {
    static constexpr Intrinsic::ID IDs[] = {
        Intrinsic::nvvm_read_ptx_sreg_ctaid_x,
        Intrinsic::nvvm_read_ptx_sreg_ctaid_y,
        Intrinsic::nvvm_read_ptx_sreg_ctaid_z};
    return B.CreateIntrinsic(IDs[Dim], {}, {});
  }
  llvm::Value *emitBlockDim(IRBuilderBase &B, unsigned Dim) const override {
    static constexpr Intrinsic::ID IDs[] = {
        Intrinsic::nvvm_read_ptx_sreg_ntid_x,
        Intrinsic::nvvm_read_ptx_sreg_ntid_y,
        Intrinsic::nvvm_read_ptx_sreg_ntid_z};
    return B.CreateIntrinsic(IDs[Dim], {}, {});
  }

  unsigned sharedAddressSpace() const override { return 3; }
  void emitBarrier(IRBuilderBase &B) const override {
    B.CreateIntrinsic(Intrinsic::nvvm_barrier0, {}, {});
  }

  void markKernel(llvm::Function &F) const override {
    // LLVM 19's NVPTX backend still reads !nvvm.annotations; the ptx_kernel
    // calling convention is what later versions use. Both keep the IR valid
    // for either reader.
    F.setCallingConv(CallingConv::PTX_Kernel);
    LLVMContext &Ctx = F.getContext();
    Metadata *MD[] = {
        ValueAsMetadata::get(&F), MDString::get(Ctx, "kernel"),
        ValueAsMetadata::get(ConstantInt::get(llvm::Type::getInt32Ty(Ctx), 1))};
    F.getParent()
        ->getOrInsertNamedMetadata("nvvm.annotations")
        ->addOperand(MDNode::get(Ctx, MD));
  }

  StringRef mathFunctionName(Opcode Op, Scalar S) const override {
    for (const MathEntry &E : MathTable)
      if (E.Op == Op)
        return S == Scalar::F64 ? E.F64 : E.F32;
    return "";
  }

  Expected<std::string> emitAssembly(llvm::Module &M) const override {
    M.setTargetTriple(NVPTXTriple);
    M.setDataLayout(TM->createDataLayout());
    SmallString<0> Out;
    raw_svector_ostream OS(Out); // the emitter wants a seekable stream
    legacy::PassManager PM;
    if (TM->addPassesToEmitFile(PM, OS, nullptr, CodeGenFileType::AssemblyFile))
      return createStringError(inconvertibleErrorCode(),
                               "NVPTX cannot emit assembly");
    PM.run(M);
    return std::string(Out.str());
  }

private:
  const SMEntry &Entry;
  std::unique_ptr<TargetMachine> TM;
};

} // namespace

Expected<std::unique_ptr<Target>> createNVPTXTarget(StringRef Name) {
  const SMEntry *E = nullptr;
  for (const SMEntry &S : SMTable)
    if (Name == S.SM)
      E = &S;
  if (!E) {
    std::string Known;
    for (const SMEntry &S : SMTable)
      Known += std::string(Known.empty() ? "" : ", ") + S.SM;
    return createStringError(
        inconvertibleErrorCode(),
        "target '" + Name + "' is not supported (supported: " + Known + ")");
  }
  initNVPTXOnce();
  std::string Err;
  const llvm::Target *T = TargetRegistry::lookupTarget(NVPTXTriple, Err);
  if (!T)
    return createStringError(inconvertibleErrorCode(), Err);
  TargetOptions Opts;
  std::unique_ptr<TargetMachine> TM(T->createTargetMachine(
      NVPTXTriple, E->SM, E->Features, Opts, std::nullopt, std::nullopt,
      CodeGenOptLevel::Aggressive));
  if (!TM)
    return createStringError(inconvertibleErrorCode(),
                             "cannot create the NVPTX target machine");
  return std::make_unique<NVPTXTarget>(*E, std::move(TM));
}

} // namespace ircgpu
