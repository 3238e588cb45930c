//===- ir/InterpCompile.cpp - VIR to interpreter bytecode -----------------===//
//
// Translates an entry function and its callees into the register bytecode of
// InterpBytecode.h. One pass over each function, recursing on region nesting
// only (bounded by MaxNestingDepth).
//
// Op counting (opsExecuted): every executed VIR op counts once; `for` and
// `while` count once per evaluation of their loop test (trip count + 1), `if`
// once; `yield` and `condition` are part of their region op and do not count.
// Ops that need no instruction (const, zext, bitcast reuse their operand's
// slot) add their count to the next instruction emitted in the same straight
// line of code, which runs exactly as often as they would; a jump target
// first flushes any such count into a Nop.
//
//===----------------------------------------------------------------------===//

#include "InterpBytecode.h"
#include "InterpSemantics.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Error.h"

#include <deque>

using namespace ircgpu;
using namespace ircgpu::interp;

namespace {

llvm::Error makeError(const llvm::Twine &Msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Msg);
}

/// Rejects call cycles reachable from Entry: the fixed per-function slots
/// need it. Iterative, since the call chain may be long.
llvm::Error checkCalls(const Module &M, unsigned Entry) {
  size_t N = M.Functions.size();
  std::vector<std::vector<unsigned>> Callees(N);
  std::vector<uint8_t> State(N, 0); // 0 new, 1 on the DFS path, 2 done
  std::vector<bool> Scanned(N, false);
  auto Scan = [&](unsigned Idx) -> llvm::Error {
    if (Scanned[Idx])
      return llvm::Error::success();
    Scanned[Idx] = true;
    std::string Bad;
    M.Functions[Idx]->walk([&](const Op &O) {
      if (O.Code != Opcode::Call)
        return;
      if (O.Callee >= N) {
        Bad = "call to an unknown function in @" + M.Functions[Idx]->Name;
        return;
      }
      Callees[Idx].push_back(O.Callee);
    });
    return Bad.empty() ? llvm::Error::success() : makeError(Bad);
  };
  std::vector<std::pair<unsigned, size_t>> Stack{{Entry, 0}};
  State[Entry] = 1;
  if (auto E = Scan(Entry))
    return E;
  while (!Stack.empty()) {
    auto &[Fn, Next] = Stack.back();
    if (Next == Callees[Fn].size()) {
      State[Fn] = 2;
      Stack.pop_back();
      continue;
    }
    unsigned Callee = Callees[Fn][Next++];
    if (State[Callee] == 1)
      return makeError("recursive call to @" + M.Functions[Callee]->Name +
                       " from @" + M.Functions[Fn]->Name);
    if (State[Callee] == 0) {
      State[Callee] = 1;
      if (auto E = Scan(Callee))
        return E;
      Stack.push_back({Callee, 0});
    }
  }
  return llvm::Error::success();
}

class Translator {
public:
  Translator(const Module &M, Program &P)
      : M(M), P(P), Funcs(M.Functions.size()) {}
  llvm::Error run(unsigned Entry);

private:
  struct FuncSlots {
    bool Queued = false;
    std::vector<uint32_t> Params, Results;
    uint32_t Start = 0;
  };

  uint32_t newSlot(uint64_t Init = 0) {
    P.InitSlots.push_back(Init);
    return P.InitSlots.size() - 1;
  }
  uint32_t use(Value V);
  uint32_t def(Value V) { return SlotOf[V.Id] = newSlot(); }
  /// V shares slot S; its Weight ops count with the next instruction.
  void alias(Value V, uint32_t S, unsigned Weight) {
    SlotOf[V.Id] = S;
    Pending += Weight;
  }
  uint32_t emit(BOp Op, uint16_t Weight, uint32_t D = 0, uint32_t A = 0,
                uint32_t B = 0, uint32_t C = 0, uint32_t E = 0,
                uint8_t Aux = 0);
  /// The pc of the next instruction as a jump target.
  uint32_t label() {
    if (Pending)
      emit(BOp::Nop, 0);
    return P.Code.size();
  }
  void fail(const std::string &Msg) {
    if (Failure.empty())
      Failure = Msg;
  }
  FuncSlots &function(unsigned Idx);
  void compileFunction(unsigned Idx);
  const Op *compileRegion(const Region &R);
  void compileOp(const Op &O);
  void compileFor(const Op &O);
  void compileIf(const Op &O);
  void compileWhile(const Op &O);
  void compileCall(const Op &O);
  void compileCast(const Op &O);
  void compileMemory(const Op &O);
  void parallelMoves(llvm::ArrayRef<uint32_t> Dst, llvm::ArrayRef<Value> Src);

  const Module &M;
  Program &P;
  std::vector<FuncSlots> Funcs;
  std::deque<unsigned> Worklist;
  std::vector<std::pair<uint32_t, unsigned>> CallFixups;
  std::string Failure;
  // The function being translated.
  const Function *F = nullptr;
  unsigned FIdx = 0;
  bool IsEntry = false;
  std::vector<uint32_t> SlotOf;
  unsigned Pending = 0;
};

} // namespace

uint32_t Translator::use(Value V) {
  if (V.Id >= SlotOf.size()) {
    fail("invalid value in @" + F->Name);
    return 0;
  }
  uint32_t &S = SlotOf[V.Id];
  if (S != ~0u)
    return S;
  if (!F->isLiteral(V)) {
    fail("value used before its definition in @" + F->Name);
    return 0;
  }
  const ValueInfo &Info = F->info(V);
  uint64_t Bits = Info.Bits;
  if (Info.Ty.isScalar())
    Bits &= maskOf(shiftOf(Info.Ty)); // keep slots canonical
  return S = newSlot(Bits);
}

uint32_t Translator::emit(BOp Op, uint16_t Weight, uint32_t D, uint32_t A,
                          uint32_t B, uint32_t C, uint32_t E, uint8_t Aux) {
  if (Pending + Weight > 0xffff) { // flush a long run of slot-free ops
    P.Code.push_back(Inst{BOp::Nop, 0, static_cast<uint16_t>(Pending)});
    P.InstFunc.push_back(FIdx);
    Pending = 0;
  }
  P.Code.push_back(
      Inst{Op, Aux, static_cast<uint16_t>(Weight + Pending), D, A, B, C, E});
  P.InstFunc.push_back(FIdx);
  Pending = 0;
  return P.Code.size() - 1;
}

Translator::FuncSlots &Translator::function(unsigned Idx) {
  FuncSlots &FS = Funcs[Idx];
  if (!FS.Queued) {
    FS.Queued = true;
    const Function &G = *M.Functions[Idx];
    for (size_t I = 0; I < G.Params.size(); ++I)
      FS.Params.push_back(newSlot());
    for (size_t I = 0; I < G.ResultTypes.size(); ++I)
      FS.Results.push_back(newSlot());
    Worklist.push_back(Idx);
  }
  return FS;
}

llvm::Error Translator::run(unsigned Entry) {
  if (auto E = checkCalls(M, Entry))
    return E;
  function(Entry);
  P.NumFunctions = M.Functions.size();
  bool First = true;
  while (!Worklist.empty()) {
    unsigned Idx = Worklist.front();
    Worklist.pop_front();
    IsEntry = First;
    First = false;
    compileFunction(Idx);
    if (!Failure.empty())
      return makeError(Failure);
  }
  for (auto [Pc, Callee] : CallFixups)
    P.Code[Pc].A = Funcs[Callee].Start;
  P.ParamSlots = Funcs[Entry].Params;
  P.ResultSlots = Funcs[Entry].Results;
  return llvm::Error::success();
}

void Translator::compileFunction(unsigned Idx) {
  FIdx = Idx;
  F = M.Functions[Idx].get();
  SlotOf.assign(F->numValues(), ~0u);
  FuncSlots &FS = Funcs[Idx];
  FS.Start = label();
  for (size_t I = 0; I < F->Params.size(); ++I)
    SlotOf[F->Params[I].Id] = FS.Params[I];
  compileRegion(F->Body);
  // A verified body ends in `ret`; never run off the end of a function.
  if (F->Body.Ops.empty() || F->Body.Ops.back().Code != Opcode::Ret)
    emit(IsEntry ? BOp::Halt : BOp::Return, 0);
}

const Op *Translator::compileRegion(const Region &R) {
  for (const Op &O : R.Ops) {
    if (O.Code == Opcode::Yield || O.Code == Opcode::Condition)
      return &O;
    compileOp(O);
    if (!Failure.empty())
      return nullptr;
  }
  return nullptr;
}

void Translator::parallelMoves(llvm::ArrayRef<uint32_t> Dst,
                               llvm::ArrayRef<Value> Src) {
  if (Dst.size() != Src.size()) {
    fail("yield arity mismatch in @" + F->Name);
    return;
  }
  llvm::SmallVector<uint32_t, 8> S;
  bool Clash = false;
  for (Value V : Src)
    S.push_back(use(V));
  // `yield %b, %a` for loop variables %a, %b must read both before writing.
  for (size_t I = 0; I < S.size(); ++I)
    if (S[I] != Dst[I] && llvm::is_contained(Dst, S[I]))
      Clash = true;
  if (Clash) {
    for (uint32_t &Src : S) {
      uint32_t T = newSlot();
      emit(BOp::Move, 0, T, Src);
      Src = T;
    }
  }
  for (size_t I = 0; I < S.size(); ++I)
    if (S[I] != Dst[I])
      emit(BOp::Move, 0, Dst[I], S[I]);
}

static BOp intBinaryOp(Opcode C) {
  switch (C) {
  case Opcode::Add:
    return BOp::Add;
  case Opcode::Sub:
    return BOp::Sub;
  case Opcode::Mul:
    return BOp::Mul;
  case Opcode::SDiv:
    return BOp::SDiv;
  case Opcode::UDiv:
    return BOp::UDiv;
  case Opcode::SRem:
    return BOp::SRem;
  case Opcode::URem:
    return BOp::URem;
  case Opcode::And:
    return BOp::And;
  case Opcode::Or:
    return BOp::Or;
  case Opcode::Xor:
    return BOp::Xor;
  case Opcode::Shl:
    return BOp::Shl;
  case Opcode::LShr:
    return BOp::LShr;
  case Opcode::AShr:
    return BOp::AShr;
  case Opcode::SMin:
    return BOp::SMin;
  case Opcode::SMax:
    return BOp::SMax;
  case Opcode::UMin:
    return BOp::UMin;
  case Opcode::UMax:
    return BOp::UMax;
  case Opcode::Neg:
    return BOp::Neg;
  case Opcode::Not:
    return BOp::Not;
  case Opcode::Abs:
    return BOp::Abs;
  case Opcode::Popcount:
    return BOp::Popcount;
  case Opcode::Clz:
    return BOp::Clz;
  default:
    return BOp::Ctz;
  }
}

/// The f32 opcode; the f64 one follows it at a fixed distance.
static BOp floatOp(Opcode C) {
  switch (C) {
  case Opcode::FAdd:
    return BOp::FAdd32;
  case Opcode::FSub:
    return BOp::FSub32;
  case Opcode::FMul:
    return BOp::FMul32;
  case Opcode::FDiv:
    return BOp::FDiv32;
  case Opcode::FRem:
    return BOp::FRem32;
  case Opcode::FMin:
    return BOp::FMin32;
  case Opcode::FMax:
    return BOp::FMax32;
  case Opcode::FNeg:
    return BOp::FNeg32;
  case Opcode::FAbs:
    return BOp::FAbs32;
  case Opcode::Fma:
    return BOp::Fma32;
  case Opcode::Pow:
  case Opcode::Atan2:
  case Opcode::Copysign:
    return BOp::MathB32;
  case Opcode::FCmp:
    return BOp::FCmp32;
  default:
    return BOp::MathU32;
  }
}
static constexpr unsigned F64Distance =
    unsigned(BOp::FAdd64) - unsigned(BOp::FAdd32);
static_assert(unsigned(BOp::FCmp64) - unsigned(BOp::FCmp32) == F64Distance);

void Translator::compileOp(const Op &O) {
  auto Res = [&](unsigned I) { return def(O.Results[I]); };
  auto Opnd = [&](unsigned I) { return use(O.Operands[I]); };
  switch (O.kind()) {
  case OpKind::Const:
    alias(O.Results[0], Opnd(0), 1);
    return;
  case OpKind::IntBinary: {
    uint8_t S = shiftOf(F->type(O.Results[0]));
    uint32_t A = Opnd(0), B = Opnd(1);
    emit(intBinaryOp(O.Code), 1, Res(0), A, B, 0, 0, S);
    return;
  }
  case OpKind::IntUnary: {
    uint8_t S = shiftOf(F->type(O.Results[0]));
    uint32_t A = Opnd(0);
    emit(intBinaryOp(O.Code), 1, Res(0), A, 0, 0, 0, S);
    return;
  }
  case OpKind::FloatBinary:
  case OpKind::FloatUnary:
  case OpKind::MathUnary:
  case OpKind::MathBinary:
  case OpKind::MathTernary:
  case OpKind::FCmp: {
    Type T = F->type(O.Operands[0]);
    if (T.elem() != Scalar::F32 && T.elem() != Scalar::F64) {
      fail("unsupported type " + T.str() + " in @" + F->Name);
      return;
    }
    unsigned Op = unsigned(floatOp(O.Code));
    if (T.elem() == Scalar::F64)
      Op += F64Distance;
    uint8_t Aux = 0;
    if (O.kind() == OpKind::MathUnary)
      Aux = unsigned(O.Code) - unsigned(Opcode::Sqrt);
    else if (O.kind() == OpKind::MathBinary)
      Aux = unsigned(O.Code) - unsigned(Opcode::Pow);
    else if (O.kind() == OpKind::FCmp)
      Aux = O.Sub;
    uint32_t Src[3] = {0, 0, 0};
    for (unsigned I = 0; I < O.Operands.size() && I < 3; ++I)
      Src[I] = Opnd(I);
    emit(BOp(Op), 1, Res(0), Src[0], Src[1], Src[2], 0, Aux);
    return;
  }
  case OpKind::ICmp: {
    uint8_t S = shiftOf(F->type(O.Operands[0]));
    uint32_t A = Opnd(0), B = Opnd(1);
    emit(BOp(unsigned(BOp::IEq) + O.Sub), 1, Res(0), A, B, 0, 0, S);
    return;
  }
  case OpKind::Select: {
    uint32_t C = Opnd(0), A = Opnd(1), B = Opnd(2);
    emit(BOp::Select, 1, Res(0), C, A, B);
    return;
  }
  case OpKind::Cast:
    compileCast(O);
    return;
  case OpKind::Load:
  case OpKind::Store:
  case OpKind::Offset:
  case OpKind::Atomic:
  case OpKind::CmpXchg:
    compileMemory(O);
    return;
  case OpKind::Call:
    compileCall(O);
    return;
  case OpKind::Ret: {
    parallelMoves(Funcs[FIdx].Results, O.Operands);
    Pending += 1;
    emit(IsEntry ? BOp::Halt : BOp::Return, 0);
    return;
  }
  case OpKind::For:
    compileFor(O);
    return;
  case OpKind::If:
    compileIf(O);
    return;
  case OpKind::While:
    compileWhile(O);
    return;
  case OpKind::Yield:
  case OpKind::Condition:
    return; // handled by the region op
  }
}

void Translator::compileCast(const Op &O) {
  Type From = F->type(O.Operands[0]), To = F->type(O.Results[0]);
  bool ToF32 = To.elem() == Scalar::F32, FromF32 = From.elem() == Scalar::F32;
  uint32_t A = use(O.Operands[0]);
  BOp Op;
  uint8_t Aux = 0;
  uint32_t B = 0;
  switch (O.Code) {
  case Opcode::ZExt:    // canonical slots are already zero-extended
  case Opcode::Bitcast: // same bits, same layout
    alias(O.Results[0], A, 1);
    return;
  case Opcode::SExt:
    Op = BOp::SExt, Aux = shiftOf(From), B = shiftOf(To);
    break;
  case Opcode::Trunc:
    Op = BOp::Trunc, Aux = shiftOf(To);
    break;
  case Opcode::SIToFP:
    Op = ToF32 ? BOp::SIToF32 : BOp::SIToF64, Aux = shiftOf(From);
    break;
  case Opcode::UIToFP:
    Op = ToF32 ? BOp::UIToF32 : BOp::UIToF64;
    break;
  case Opcode::FPToSI:
    Op = FromF32 ? BOp::F32ToSI : BOp::F64ToSI, Aux = shiftOf(To);
    break;
  case Opcode::FPToUI:
    Op = FromF32 ? BOp::F32ToUI : BOp::F64ToUI, Aux = shiftOf(To);
    break;
  case Opcode::FPExt:
    Op = BOp::FPExt;
    break;
  default:
    Op = BOp::FPTrunc;
    break;
  }
  bool FloatSide = O.Code == Opcode::SIToFP || O.Code == Opcode::UIToFP ||
                   O.Code == Opcode::FPToSI || O.Code == Opcode::FPToUI ||
                   O.Code == Opcode::FPExt || O.Code == Opcode::FPTrunc;
  Type FT = (O.Code == Opcode::SIToFP || O.Code == Opcode::UIToFP) ? To : From;
  if (FloatSide && (FT.elem() == Scalar::F16 || To.elem() == Scalar::F16)) {
    fail("unsupported type f16 in @" + F->Name);
    return;
  }
  emit(Op, 1, def(O.Results[0]), A, B, 0, 0, Aux);
}

void Translator::compileMemory(const Op &O) {
  Type PT = F->type(O.Operands[0]);
  unsigned Bytes = PT.bytes();
  unsigned Log = Bytes == 1 ? 0 : Bytes == 2 ? 1 : Bytes == 4 ? 2 : 3;
  uint32_t Ptr = use(O.Operands[0]), Idx = use(O.Operands[1]);
  uint8_t S = shiftOf(F->type(O.Operands[1]));
  switch (O.Code) {
  case Opcode::Load:
    emit(BOp(unsigned(BOp::Load1) + Log), 1, def(O.Results[0]), Ptr, Idx, 0, 0,
         S);
    return;
  case Opcode::Store:
    emit(BOp(unsigned(BOp::Store1) + Log), 1, 0, Ptr, Idx, use(O.Operands[2]),
         0, S);
    return;
  case Opcode::Offset:
    emit(BOp::Offset, 1, def(O.Results[0]), Ptr, Idx, 0, 0, S);
    return;
  case Opcode::Atomic: {
    uint32_t V = use(O.Operands[2]);
    emit(BOp::Atomic, 1, def(O.Results[0]), Ptr, Idx, V,
         O.Sub | unsigned(PT.elem()) << 8, S);
    return;
  }
  default: {
    uint32_t Expected = use(O.Operands[2]), New = use(O.Operands[3]);
    emit(BOp::CmpXchg, 1, def(O.Results[0]), Ptr, Idx, Expected, New,
         S | Log << 6);
    return;
  }
  }
}

void Translator::compileCall(const Op &O) {
  if (O.Callee >= M.Functions.size() ||
      M.Functions[O.Callee]->Params.size() != O.Operands.size() ||
      M.Functions[O.Callee]->ResultTypes.size() != O.Results.size()) {
    fail("malformed call in @" + F->Name);
    return;
  }
  FuncSlots &Callee = function(O.Callee);
  // Callee slots are disjoint from the caller's: plain copies suffice.
  for (size_t I = 0; I < O.Operands.size(); ++I)
    emit(BOp::Move, 0, Callee.Params[I], use(O.Operands[I]));
  CallFixups.push_back({emit(BOp::Call, 1), O.Callee});
  std::vector<uint32_t> Results = Funcs[O.Callee].Results; // Funcs is stable
  for (size_t I = 0; I < O.Results.size(); ++I)
    emit(BOp::Move, 0, def(O.Results[I]), Results[I]);
}

void Translator::compileFor(const Op &O) {
  const Region &Body = O.Regions[0];
  if (Body.Args.size() != O.Operands.size() - 2 ||
      O.Results.size() != Body.Args.size() - 1) {
    fail("malformed for in @" + F->Name);
    return;
  }
  uint8_t S = shiftOf(F->type(O.Operands[0]));
  uint32_t Lb = use(O.Operands[0]), Ub = use(O.Operands[1]),
           Step = use(O.Operands[2]);
  // The trip counter lives right after the index (ForInit/ForNext use D+1).
  uint32_t Index = newSlot();
  newSlot();
  SlotOf[Body.Args[0].Id] = Index;
  llvm::SmallVector<uint32_t, 4> Iter;
  for (size_t I = 1; I < Body.Args.size(); ++I) {
    Iter.push_back(def(Body.Args[I]));
    emit(BOp::Move, 0, Iter.back(), use(O.Operands[I + 2]));
  }
  uint32_t Init = emit(BOp::ForInit, 1, Index, Lb, Ub, Step, 0, S);
  uint32_t Top = label();
  const Op *Yield = compileRegion(Body);
  if (!Iter.empty()) {
    if (!Yield) {
      fail("for without yield in @" + F->Name);
      return;
    }
    parallelMoves(Iter, Yield->Operands);
  }
  emit(BOp::ForNext, 1, Index, Top, 0, Step, 0, S);
  P.Code[Init].E = label();
  // The results are the loop-carried values after the last trip.
  for (size_t I = 0; I < O.Results.size(); ++I)
    alias(O.Results[I], Iter[I], 0);
}

void Translator::compileIf(const Op &O) {
  uint32_t Cond = use(O.Operands[0]);
  llvm::SmallVector<uint32_t, 2> Results;
  for (Value R : O.Results)
    Results.push_back(def(R));
  uint32_t Br = emit(BOp::BrFalse, 1, 0, Cond);
  auto Arm = [&](const Region &R) {
    const Op *Yield = compileRegion(R);
    if (!Results.empty()) {
      if (!Yield)
        fail("if without yield in @" + F->Name);
      else
        parallelMoves(Results, Yield->Operands);
    }
  };
  Arm(O.Regions[0]);
  bool HasElse = O.Regions.size() > 1 &&
                 (O.hasFlag(FlagHasElse) || !O.Regions[1].Ops.empty());
  if (!HasElse) {
    P.Code[Br].B = label();
    return;
  }
  uint32_t Skip = emit(BOp::Jump, 0);
  P.Code[Br].B = label();
  Arm(O.Regions[1]);
  P.Code[Skip].A = label();
}

void Translator::compileWhile(const Op &O) {
  if (O.Regions.size() != 2 || O.Regions[0].Args.size() != O.Operands.size() ||
      O.Results.size() != O.Operands.size()) {
    fail("malformed while in @" + F->Name);
    return;
  }
  // Layout: inits; jump to the test; do-region; test region; branch back.
  llvm::SmallVector<uint32_t, 4> Vars;
  for (size_t I = 0; I < O.Operands.size(); ++I) {
    uint32_t Init = use(O.Operands[I]);
    Vars.push_back(def(O.Regions[0].Args[I]));
    emit(BOp::Move, 0, Vars.back(), Init);
  }
  uint32_t ToTest = emit(BOp::Jump, 0);
  uint32_t Do = label();
  const Op *Yield = compileRegion(O.Regions[1]);
  if (!Vars.empty()) {
    if (!Yield) {
      fail("while without yield in @" + F->Name);
      return;
    }
    parallelMoves(Vars, Yield->Operands);
  }
  P.Code[ToTest].A = label();
  const Op *Cond = compileRegion(O.Regions[0]);
  if (!Cond || Cond->Code != Opcode::Condition || Cond->Operands.empty()) {
    fail("while without condition in @" + F->Name);
    return;
  }
  emit(BOp::BrTrue, 1, 0, use(Cond->Operands[0]), Do);
  for (size_t I = 0; I < O.Results.size(); ++I)
    alias(O.Results[I], Vars[I], 0);
}

llvm::Error interp::translate(const Module &M, unsigned Entry, Program &P) {
  return Translator(M, P).run(Entry);
}
