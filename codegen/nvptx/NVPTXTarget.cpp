//===- codegen/nvptx/NVPTXTarget.cpp - NVIDIA GPUs through LLVM NVPTX -----===//
//
// sm_XY -> nvptx64-nvidia-cuda with the PTX ISA version that architecture
// first appeared in (a newer ISA would refuse to load on older drivers for no
// gain), except sm_90, which gets PTX 8.0: the version measured to load and
// run on the lent H100 (design.md).
//
// Math goes to libdevice (__nv_*), linked from libdevice.10.bc
// (LibDevice.cpp); PTX becomes a cubin through libnvJitLink (NvJitLink.cpp).
//
// A TargetMachine is not safe to share between threads (codegen resets its
// options per function), so optimize() and emitAssembly() each make their
// own; the one kept here only answers the data layout.
//
//===----------------------------------------------------------------------===//
#include "codegen/Target.h"
#include "ircgpu/KernelABI.h"

#include "codegen/Optimize.h"
#include "codegen/nvptx/LibDevice.h"
#include "codegen/nvptx/NvJitLink.h"

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

/// VIR math op -> libdevice names: accurate f32 and f64 (MLIR's
/// LowerGpuOpsToNVVMOps keeps the same pairs), and the fast f32 one that
/// `afn` allows (the __nv_fast_* behind CUDA's __expf, __sinf, ...; null:
/// none exists, the accurate one is used; f64 has none). Their error bounds
/// are in docs/codegen.md ("Math"). fma and sqrt are not here: the common
/// lowering uses llvm.fma and llvm.sqrt, which NVPTX lowers to fma.rn and
/// sqrt.rn exactly (libdevice's __nv_sqrtf asks NVVMReflect for
/// __CUDA_PREC_SQRT, which LLVM answers 0, and takes sqrt.approx: 1 ulp off,
/// seen on the H200, tests/device/LOG.md).
struct MathEntry {
  Opcode Op;
  const char *F32, *F64, *FastF32;
};
constexpr MathEntry MathTable[] = {
    {Opcode::FRem, "__nv_fmodf", "__nv_fmod", nullptr}, // exact, unlike frem
    {Opcode::Rsqrt, "__nv_rsqrtf", "__nv_rsqrt", nullptr},
    {Opcode::Exp, "__nv_expf", "__nv_exp", "__nv_fast_expf"},
    {Opcode::Exp2, "__nv_exp2f", "__nv_exp2", nullptr}, // already ex2.approx
    {Opcode::Log, "__nv_logf", "__nv_log", "__nv_fast_logf"},
    {Opcode::Log2, "__nv_log2f", "__nv_log2", "__nv_fast_log2f"},
    {Opcode::Log10, "__nv_log10f", "__nv_log10", "__nv_fast_log10f"},
    {Opcode::Sin, "__nv_sinf", "__nv_sin", "__nv_fast_sinf"},
    {Opcode::Cos, "__nv_cosf", "__nv_cos", "__nv_fast_cosf"},
    {Opcode::Tan, "__nv_tanf", "__nv_tan", "__nv_fast_tanf"},
    {Opcode::Tanh, "__nv_tanhf", "__nv_tanh", "__nv_fast_tanhf"},
    {Opcode::Erf, "__nv_erff", "__nv_erf", nullptr},
    {Opcode::Floor, "__nv_floorf", "__nv_floor", nullptr},
    {Opcode::Ceil, "__nv_ceilf", "__nv_ceil", nullptr},
    {Opcode::Round, "__nv_roundf", "__nv_round", nullptr}, // half away from 0
    {Opcode::FTrunc, "__nv_truncf", "__nv_trunc", nullptr},
    {Opcode::Pow, "__nv_powf", "__nv_pow", "__nv_fast_powf"},
    {Opcode::Atan2, "__nv_atan2f", "__nv_atan2", nullptr},
    {Opcode::Copysign, "__nv_copysignf", "__nv_copysign", nullptr},
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

Expected<std::unique_ptr<TargetMachine>> makeTargetMachine(const SMEntry &E,
                                                           unsigned OptLevel) {
  initNVPTXOnce();
  std::string Err;
  const llvm::Target *T = TargetRegistry::lookupTarget(NVPTXTriple, Err);
  if (!T)
    return createStringError(inconvertibleErrorCode(), Err);
  static constexpr CodeGenOptLevel Levels[] = {
      CodeGenOptLevel::None, CodeGenOptLevel::Less, CodeGenOptLevel::Default,
      CodeGenOptLevel::Aggressive};
  if (OptLevel > 3)
    return createStringError(inconvertibleErrorCode(),
                             "invalid optimisation level -O" + Twine(OptLevel) +
                                 " (expected 0 to 3)");
  TargetOptions Opts; // no fast-math options: IEEE semantics (spec §3)
  std::unique_ptr<TargetMachine> TM(
      T->createTargetMachine(NVPTXTriple, E.SM, E.Features, Opts, std::nullopt,
                             std::nullopt, Levels[OptLevel]));
  if (!TM)
    return createStringError(inconvertibleErrorCode(),
                             "cannot create the NVPTX target machine");
  return TM;
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
  unsigned warpSize() const override { return 32; }
  llvm::Value *emitShuffleDown(IRBuilderBase &B, llvm::Value *V,
                               unsigned Delta) const override {
    // All 32 lanes; c = 0x1f clamps to the warp's last lane.
    return B.CreateIntrinsic(
        Intrinsic::nvvm_shfl_sync_down_i32, {},
        {B.getInt32(~0u), V, B.getInt32(Delta), B.getInt32(0x1f)});
  }
  void emitBarrier(IRBuilderBase &B) const override {
    B.CreateIntrinsic(Intrinsic::nvvm_barrier0, {}, {});
  }

  void markKernel(llvm::Function &F, unsigned MinBlocksPerSM) const override {
    // LLVM 19's NVPTX backend still reads !nvvm.annotations; the ptx_kernel
    // calling convention is what later versions use. Both keep the IR valid
    // for either reader.
    F.setCallingConv(CallingConv::PTX_Kernel);
    LLVMContext &Ctx = F.getContext();
    auto Annotate = [&](StringRef Key, unsigned V) {
      Metadata *MD[] = {ValueAsMetadata::get(&F), MDString::get(Ctx, Key),
                        ValueAsMetadata::get(
                            ConstantInt::get(llvm::Type::getInt32Ty(Ctx), V))};
      F.getParent()
          ->getOrInsertNamedMetadata("nvvm.annotations")
          ->addOperand(MDNode::get(Ctx, MD));
    };
    Annotate("kernel", 1);
    // .maxntid: ptxas may then use registers a 1024-thread block could not.
    Annotate("maxntidx", MaxBlockThreads);
    if (MinBlocksPerSM)
      Annotate("minctasm", MinBlocksPerSM);
  }

  StringRef mathFunctionName(Opcode Op, Scalar S, bool Approx) const override {
    for (const MathEntry &E : MathTable)
      if (E.Op == Op) {
        if (S == Scalar::F64)
          return E.F64;
        return Approx && E.FastF32 ? E.FastF32 : E.F32;
      }
    return "";
  }

  Error linkMathLibrary(llvm::Module &M) const override {
    return nvptx::linkLibDevice(M);
  }

  Error optimize(llvm::Module &M, unsigned OptLevel) const override {
    auto TM = makeTargetMachine(Entry, OptLevel);
    if (!TM)
      return TM.takeError();
    M.setTargetTriple(NVPTXTriple);
    M.setDataLayout((*TM)->createDataLayout());
    return optimizeModule(M, **TM, OptLevel);
  }

  using Target::emitAssembly;
  Expected<std::string> emitAssembly(llvm::Module &M,
                                     unsigned OptLevel) const override {
    auto TM = makeTargetMachine(Entry, OptLevel);
    if (!TM)
      return TM.takeError();
    M.setTargetTriple(NVPTXTriple);
    M.setDataLayout((*TM)->createDataLayout());
    SmallString<0> Out;
    raw_svector_ostream OS(Out); // the emitter wants a seekable stream
    legacy::PassManager PM;
    if ((*TM)->addPassesToEmitFile(PM, OS, nullptr,
                                   CodeGenFileType::AssemblyFile))
      return createStringError(inconvertibleErrorCode(),
                               "NVPTX cannot emit assembly");
    PM.run(M);
    return std::string(Out.str());
  }

  Expected<std::string> assembleObject(StringRef Assembly) const override {
    return nvptx::ptxToCubin(Assembly, Entry.SM);
  }

  CodeObject::Format objectFormat() const override {
    return CodeObject::Format::Cubin;
  }
  bool driverLoadsAssembly() const override { return true; }

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
  auto TM = makeTargetMachine(*E, 3);
  if (!TM)
    return TM.takeError();
  return std::make_unique<NVPTXTarget>(*E, std::move(*TM));
}

} // namespace ircgpu
