//===- codegen/LowerFunction.cpp - VIR ops to LLVM IR ---------------------===//
//
// Where LLVM leaves behaviour undefined or loose and VIR defines it (spec §3,
// docs/ir.md), the lowering spells the definition out:
//  - division and remainder: the divisor is replaced by 1 when it is 0 or
//    when the division is INT_MIN / -1, then the quotient is selected to 0
//    for a zero divisor (x urem 1 and x srem 1 are already 0);
//  - shifts: the amount is masked to the width;
//  - fptosi/fptoui: llvm.fpto[su]i.sat, which saturate and map NaN to 0;
//  - fmin/fmax: a select sequence, because llvm.minnum leaves the sign of
//    min(-0, +0) open and LLVM 19 has no llvm.minimumnum;
//  - abs/ctlz/cttz with their poison flags off (abs INT_MIN = INT_MIN,
//    clz 0 = width);
//  - for loops count trips in unsigned arithmetic, so they never overflow.
// Memory is the target's global address space with 64-bit, sign-extended
// indices. Atomics are `monotonic` (relaxed) in the default (system) scope:
// PTX atom without a scope qualifier is already .gpu scoped, which is the
// device scope VIR asks for.
//
//===----------------------------------------------------------------------===//
#include "codegen/LowerFunction.h"
#include "codegen/Lowering.h"

#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace ircgpu {

namespace lowering {

static CmpInst::Predicate icmpPred(ICmpPred P) {
  switch (P) {
  case ICmpPred::EQ:
    return CmpInst::ICMP_EQ;
  case ICmpPred::NE:
    return CmpInst::ICMP_NE;
  case ICmpPred::SLT:
    return CmpInst::ICMP_SLT;
  case ICmpPred::SLE:
    return CmpInst::ICMP_SLE;
  case ICmpPred::SGT:
    return CmpInst::ICMP_SGT;
  case ICmpPred::SGE:
    return CmpInst::ICMP_SGE;
  case ICmpPred::ULT:
    return CmpInst::ICMP_ULT;
  case ICmpPred::ULE:
    return CmpInst::ICMP_ULE;
  case ICmpPred::UGT:
    return CmpInst::ICMP_UGT;
  case ICmpPred::UGE:
    return CmpInst::ICMP_UGE;
  }
  llvm_unreachable("bad icmp predicate");
}

static CmpInst::Predicate fcmpPred(FCmpPred P) {
  switch (P) {
  case FCmpPred::OEQ:
    return CmpInst::FCMP_OEQ;
  case FCmpPred::ONE:
    return CmpInst::FCMP_ONE;
  case FCmpPred::OLT:
    return CmpInst::FCMP_OLT;
  case FCmpPred::OLE:
    return CmpInst::FCMP_OLE;
  case FCmpPred::OGT:
    return CmpInst::FCMP_OGT;
  case FCmpPred::OGE:
    return CmpInst::FCMP_OGE;
  case FCmpPred::UEQ:
    return CmpInst::FCMP_UEQ;
  case FCmpPred::UNE:
    return CmpInst::FCMP_UNE;
  case FCmpPred::ULT:
    return CmpInst::FCMP_ULT;
  case FCmpPred::ULE:
    return CmpInst::FCMP_ULE;
  case FCmpPred::UGT:
    return CmpInst::FCMP_UGT;
  case FCmpPred::UGE:
    return CmpInst::FCMP_UGE;
  case FCmpPred::ORD:
    return CmpInst::FCMP_ORD;
  case FCmpPred::UNO:
    return CmpInst::FCMP_UNO;
  }
  llvm_unreachable("bad fcmp predicate");
}

/// Integer ops that map to one LLVM binary instruction or intrinsic.
struct IntBinEntry {
  Opcode Op;
  Instruction::BinaryOps Inst; ///< or BinaryOpsEnd for an intrinsic
  Intrinsic::ID Intr;
};
static constexpr IntBinEntry IntBinTable[] = {
    {Opcode::Add, Instruction::Add, Intrinsic::not_intrinsic},
    {Opcode::Sub, Instruction::Sub, Intrinsic::not_intrinsic},
    {Opcode::Mul, Instruction::Mul, Intrinsic::not_intrinsic},
    {Opcode::And, Instruction::And, Intrinsic::not_intrinsic},
    {Opcode::Or, Instruction::Or, Intrinsic::not_intrinsic},
    {Opcode::Xor, Instruction::Xor, Intrinsic::not_intrinsic},
    {Opcode::Shl, Instruction::Shl, Intrinsic::not_intrinsic},
    {Opcode::LShr, Instruction::LShr, Intrinsic::not_intrinsic},
    {Opcode::AShr, Instruction::AShr, Intrinsic::not_intrinsic},
    {Opcode::SMin, Instruction::BinaryOpsEnd, Intrinsic::smin},
    {Opcode::SMax, Instruction::BinaryOpsEnd, Intrinsic::smax},
    {Opcode::UMin, Instruction::BinaryOpsEnd, Intrinsic::umin},
    {Opcode::UMax, Instruction::BinaryOpsEnd, Intrinsic::umax},
};

llvm::Value *Lowering::lowerIntBinary(Opcode Op, llvm::Value *A,
                                      llvm::Value *Bv) {
  auto *IT = cast<IntegerType>(A->getType());
  llvm::Value *Zero = ConstantInt::get(IT, 0);
  llvm::Value *One = ConstantInt::get(IT, 1);
  switch (Op) {
  case Opcode::Shl:
  case Opcode::LShr:
  case Opcode::AShr:
    Bv = B.CreateAnd(Bv, ConstantInt::get(IT, IT->getBitWidth() - 1));
    break;
  case Opcode::UDiv:
  case Opcode::URem:
  case Opcode::SDiv:
  case Opcode::SRem:
    // Division of i8 and i16 is done in 32 bits and truncated, which gives
    // the same results (-128 / -1 is 128, truncated -128, as docs/ir.md
    // wants). LLVM 19's AMDGPU backend cannot select a 16-bit sdivrem or
    // udivrem, formed when a quotient and a remainder share operands: the
    // compile fuzzer's first crash (tests/fuzz/corpus/compile/div8-gfx90a).
    if (IT->getBitWidth() < 32) {
      bool Signed = Op == Opcode::SDiv || Op == Opcode::SRem;
      llvm::Type *I32 = B.getInt32Ty();
      llvm::Value *WA = Signed ? B.CreateSExt(A, I32) : B.CreateZExt(A, I32);
      llvm::Value *WB = Signed ? B.CreateSExt(Bv, I32) : B.CreateZExt(Bv, I32);
      return B.CreateTrunc(lowerIntBinary(Op, WA, WB), IT);
    }
    break;
  default:
    break;
  }
  switch (Op) {
  case Opcode::UDiv:
  case Opcode::URem: {
    llvm::Value *IsZero = B.CreateICmpEQ(Bv, Zero);
    llvm::Value *Safe = B.CreateSelect(IsZero, One, Bv);
    if (Op == Opcode::URem)
      return B.CreateURem(A, Safe);
    return B.CreateSelect(IsZero, Zero, B.CreateUDiv(A, Safe));
  }
  case Opcode::SDiv:
  case Opcode::SRem: {
    llvm::Value *IsZero = B.CreateICmpEQ(Bv, Zero);
    // Operands of one call are evaluated in an unspecified order: name them
    // first so that the IR is the same from every host compiler.
    llvm::Value *IsMin = B.CreateICmpEQ(
        A, ConstantInt::get(Ctx, APInt::getSignedMinValue(IT->getBitWidth())));
    llvm::Value *IsM1 = B.CreateICmpEQ(Bv, ConstantInt::getAllOnesValue(IT));
    llvm::Value *Ovf = B.CreateAnd(IsMin, IsM1);
    llvm::Value *Safe = B.CreateSelect(B.CreateOr(IsZero, Ovf), One, Bv);
    if (Op == Opcode::SRem)
      return B.CreateSRem(A, Safe);
    return B.CreateSelect(IsZero, Zero, B.CreateSDiv(A, Safe));
  }
  default:
    break;
  }
  for (const IntBinEntry &E : IntBinTable) {
    if (E.Op != Op)
      continue;
    if (E.Inst != Instruction::BinaryOpsEnd)
      return B.CreateBinOp(E.Inst, A, Bv);
    return B.CreateBinaryIntrinsic(E.Intr, A, Bv);
  }
  llvm_unreachable("integer op missing from the table");
}

/// IEEE minNum/maxNum with the zero signs and NaN of docs/ir.md.
llvm::Value *Lowering::lowerCast(const Op &O, llvm::Value *A) {
  llvm::Type *To = ty(F.type(O.Results[0]));
  switch (O.Code) {
  case Opcode::SExt:
    return B.CreateSExt(A, To);
  case Opcode::ZExt:
    return B.CreateZExt(A, To);
  case Opcode::Trunc:
    return B.CreateTrunc(A, To);
  case Opcode::SIToFP:
    return B.CreateSIToFP(A, To);
  case Opcode::UIToFP:
    return B.CreateUIToFP(A, To);
  case Opcode::FPExt:
    return B.CreateFPExt(A, To);
  case Opcode::FPTrunc:
    return B.CreateFPTrunc(A, To);
  case Opcode::Bitcast:
    return B.CreateBitCast(A, To);
  case Opcode::FPToSI:
    return B.CreateIntrinsic(Intrinsic::fptosi_sat, {To, A->getType()}, {A});
  case Opcode::FPToUI:
    return B.CreateIntrinsic(Intrinsic::fptoui_sat, {To, A->getType()}, {A});
  default:
    llvm_unreachable("not a cast");
  }
}

llvm::Value *Lowering::callMath(const Op &O, ArrayRef<llvm::Value *> Args) {
  Type VT = F.type(O.Results[0]);
  StringRef Name = T.mathFunctionName(O.Code, VT.elem(), O.hasFlag(FlagAfn));
  if (Name.empty())
    return nullptr;
  llvm::Type *LT = ty(VT);
  SmallVector<llvm::Type *, 2> ParamTys(Args.size(), LT);
  llvm::Module *M = B.GetInsertBlock()->getModule();
  FunctionCallee Callee =
      M->getOrInsertFunction(Name, FunctionType::get(LT, ParamTys, false));
  return B.CreateCall(Callee, Args);
}

Error Lowering::lowerOp(const Op &O) {
  auto Arg = [&](unsigned I) { return get(O.Operands[I]); };
  llvm::Value *R = nullptr;
  switch (O.kind()) {
  case OpKind::Const:
    R = Arg(0);
    break;
  case OpKind::IntBinary:
    R = lowerIntBinary(O.Code, Arg(0), Arg(1));
    break;
  case OpKind::IntUnary: {
    llvm::Value *A = Arg(0);
    switch (O.Code) {
    case Opcode::Neg:
      R = B.CreateNeg(A);
      break;
    case Opcode::Not:
      R = B.CreateNot(A);
      break;
    case Opcode::Abs:
      R = B.CreateBinaryIntrinsic(Intrinsic::abs, A, B.getFalse());
      break;
    case Opcode::Popcount:
      R = B.CreateUnaryIntrinsic(Intrinsic::ctpop, A);
      break;
    case Opcode::Clz:
      R = B.CreateBinaryIntrinsic(Intrinsic::ctlz, A, B.getFalse());
      break;
    case Opcode::Ctz:
      R = B.CreateBinaryIntrinsic(Intrinsic::cttz, A, B.getFalse());
      break;
    default:
      llvm_unreachable("not an integer unary op");
    }
    break;
  }
  case OpKind::FloatBinary:
    switch (O.Code) {
    case Opcode::FAdd:
      R = B.CreateFAdd(Arg(0), Arg(1));
      break;
    case Opcode::FSub:
      R = B.CreateFSub(Arg(0), Arg(1));
      break;
    case Opcode::FMul:
      R = B.CreateFMul(Arg(0), Arg(1));
      break;
    case Opcode::FDiv:
      R = B.CreateFDiv(Arg(0), Arg(1));
      break;
    case Opcode::FRem:
      // NVPTX expands LLVM frem as x - trunc(x/y)*y, which is not exact;
      // the math library's fmod is.
      R = callMath(O, {Arg(0), Arg(1)});
      if (!R)
        R = B.CreateFRem(Arg(0), Arg(1));
      break;
    case Opcode::FMin:
      R = emitFMinMax(B, false, Arg(0), Arg(1));
      break;
    case Opcode::FMax:
      R = emitFMinMax(B, true, Arg(0), Arg(1));
      break;
    default:
      llvm_unreachable("not a float binary op");
    }
    break;
  case OpKind::FloatUnary:
    R = O.Code == Opcode::FNeg
            ? B.CreateFNeg(Arg(0))
            : B.CreateUnaryIntrinsic(Intrinsic::fabs, Arg(0));
    break;
  case OpKind::MathUnary:
  case OpKind::MathBinary: {
    SmallVector<llvm::Value *, 2> Args;
    for (size_t I = 0; I < O.Operands.size(); ++I)
      Args.push_back(Arg(I));
    R = callMath(O, Args);
    // sqrt is correctly rounded (IEEE): llvm.sqrt where the target's library
    // gives no exact one.
    if (!R && O.Code == Opcode::Sqrt)
      R = B.CreateUnaryIntrinsic(Intrinsic::sqrt, Args[0]);
    if (!R)
      return internalError("target " + T.name() + " has no function for `" +
                           opcodeName(O.Code) + "`");
    break;
  }
  case OpKind::MathTernary: // fma: one rounding, exactly as llvm.fma
    R = B.CreateIntrinsic(Intrinsic::fma, {Arg(0)->getType()},
                          {Arg(0), Arg(1), Arg(2)});
    break;
  case OpKind::ICmp:
    R = B.CreateICmp(icmpPred(static_cast<ICmpPred>(O.Sub)), Arg(0), Arg(1));
    break;
  case OpKind::FCmp:
    R = B.CreateFCmp(fcmpPred(static_cast<FCmpPred>(O.Sub)), Arg(0), Arg(1));
    break;
  case OpKind::Select:
    R = B.CreateSelect(Arg(0), Arg(1), Arg(2));
    lowerBufferOp(O, nullptr);
    break;
  case OpKind::Cast:
    R = lowerCast(O, Arg(0));
    break;
  case OpKind::Load: {
    Type ET = F.type(O.Operands[0]).elemType();
    R = guarded(O, AccessKind::Load, ty(ET), [&]() -> llvm::Value * {
      return B.CreateAlignedLoad(ty(ET), address(O), Align(ET.bytes()));
    });
    break;
  }
  case OpKind::Store: {
    Type ET = F.type(O.Operands[0]).elemType();
    guarded(O, AccessKind::Store, nullptr, [&]() -> llvm::Value * {
      return B.CreateAlignedStore(Arg(2), address(O), Align(ET.bytes()));
    });
    return Error::success();
  }
  case OpKind::Offset: {
    Type PT = F.type(O.Operands[0]);
    llvm::Value *K = B.CreateSExtOrTrunc(Arg(1), B.getInt64Ty());
    R = B.CreateGEP(ty(PT.elemType()), Arg(0), K);
    lowerBufferOp(O, K);
    break;
  }
  case OpKind::Atomic:
  case OpKind::CmpXchg:
    return lowerAtomic(O);
  case OpKind::For:
    return lowerFor(O);
  case OpKind::If:
    return lowerIf(O);
  case OpKind::While:
    return lowerWhile(O);
  case OpKind::Call:
    return internalError("`call` reached code generation: inlining should "
                         "have removed it");
  case OpKind::Ret:
  case OpKind::Yield:
  case OpKind::Condition:
    llvm_unreachable("terminators are handled by lowerRegion");
  }
  set(O.Results[0], R);
  return Error::success();
}

} // namespace lowering

llvm::Type *lowerType(Type Ty, LLVMContext &Ctx, const Target &T) {
  if (Ty.isPtr())
    return PointerType::get(Ctx, T.globalAddressSpace());
  switch (Ty.elem()) {
  case Scalar::F32:
    return llvm::Type::getFloatTy(Ctx);
  case Scalar::F64:
    return llvm::Type::getDoubleTy(Ctx);
  case Scalar::F16:
    return llvm::Type::getHalfTy(Ctx);
  default:
    return llvm::Type::getIntNTy(Ctx, Ty.bits());
  }
}

Expected<SmallVector<llvm::Value *, 2>>
lowerFunctionBody(const Function &F, ArrayRef<llvm::Value *> Params,
                  IRBuilder<> &B, const Target &T, const BoundsChecks *Checks,
                  const PrivateBuffers *Private) {
  return lowering::Lowering(F, B, T, Checks, Private).run(Params);
}

Error lowerIndependentBodies(const Function &F,
                             ArrayRef<SmallVector<llvm::Value *, 8>> Params,
                             IRBuilder<> &B, const Target &T,
                             const PrivateBuffers *Private) {
  std::vector<std::unique_ptr<lowering::Lowering>> Its;
  for (const auto &P : Params) {
    Its.push_back(
        std::make_unique<lowering::Lowering>(F, B, T, nullptr, Private));
    if (Error E = Its.back()->begin(P))
      return E;
  }
  const std::vector<Op> &Ops = F.Body.Ops;
  size_t I = 0;
  for (; I < Ops.size() && Ops[I].Regions.empty(); ++I) {
    if (Ops[I].kind() == OpKind::Ret)
      return Error::success();
    for (auto &L : Its)
      if (Error E = L->lowerTopLevelOp(Ops[I]))
        return E;
  }
  for (auto &L : Its)
    for (size_t J = I; J < Ops.size() && Ops[J].kind() != OpKind::Ret; ++J)
      if (Error E = L->lowerTopLevelOp(Ops[J]))
        return E;
  return Error::success();
}

llvm::Value *emitTripCount(IRBuilder<> &B, llvm::Value *LB, llvm::Value *UB,
                           llvm::Value *Step) {
  // UB - LB and (UB - LB - 1) / Step fit the unsigned range of the width
  // whenever UB > LB and Step > 0, so no wider type is needed.
  llvm::Type *IT = LB->getType();
  llvm::Value *Zero = ConstantInt::get(IT, 0), *One = ConstantInt::get(IT, 1);
  llvm::Value *Nonempty = B.CreateICmpSGT(UB, LB);
  llvm::Value *Positive = B.CreateICmpSGT(Step, Zero);
  llvm::Value *Runs = B.CreateAnd(Nonempty, Positive);
  llvm::Value *SafeStep = B.CreateSelect(Runs, Step, One);
  llvm::Value *Span = B.CreateSub(B.CreateSub(UB, LB), One);
  llvm::Value *N = B.CreateAdd(B.CreateUDiv(Span, SafeStep), One);
  return B.CreateSelect(Runs, N, Zero, "tripcount");
}

llvm::Value *emitFMinMax(IRBuilderBase &B, bool IsMax, llvm::Value *A,
                         llvm::Value *Bv) {
  llvm::Type *FT = A->getType();
  llvm::Type *IT = B.getIntNTy(FT->getPrimitiveSizeInBits());
  llvm::Value *R = B.CreateSelect(
      IsMax ? B.CreateFCmpOGT(A, Bv) : B.CreateFCmpOLT(A, Bv), A, Bv);
  // Equal operands differ at most in the sign of a zero: OR of the bits
  // picks -0 for min, AND picks +0 for max.
  llvm::Value *AI = B.CreateBitCast(A, IT), *BI = B.CreateBitCast(Bv, IT);
  llvm::Value *Z =
      B.CreateBitCast(IsMax ? B.CreateAnd(AI, BI) : B.CreateOr(AI, BI), FT);
  R = B.CreateSelect(B.CreateFCmpOEQ(A, Bv), Z, R);
  llvm::Value *ANaN = B.CreateFCmpUNO(A, A), *BNaN = B.CreateFCmpUNO(Bv, Bv);
  R = B.CreateSelect(ANaN, Bv, R);
  llvm::Value *QNaN = ConstantFP::getQNaN(FT);
  return B.CreateSelect(BNaN, B.CreateSelect(ANaN, QNaN, A), R);
}

llvm::Value *emitCombine(IRBuilderBase &B, Opcode Op, llvm::Value *A,
                         llvm::Value *Bv) {
  switch (Op) {
  case Opcode::FAdd:
    return B.CreateFAdd(A, Bv);
  case Opcode::FMul:
    return B.CreateFMul(A, Bv);
  case Opcode::FMin:
  case Opcode::FMax:
    return emitFMinMax(B, Op == Opcode::FMax, A, Bv);
  default:
    break;
  }
  for (const lowering::IntBinEntry &E : lowering::IntBinTable)
    if (E.Op == Op)
      return E.Inst == Instruction::BinaryOpsEnd
                 ? B.CreateBinaryIntrinsic(E.Intr, A, Bv)
                 : B.CreateBinOp(E.Inst, A, Bv);
  llvm_unreachable("not a reduction operator");
}
} // namespace ircgpu
