//===- ir/Interpreter.cpp - the reference interpreter ---------------------===//
//
// Interpreter.h's entry points: translation once (InterpCompile.cpp), then
// argument checking, the dispatch loop (InterpExec.cpp) and the fault
// message for each run.
//
// Execution order is the definition of VIR's sequential semantics: every loop
// runs its iterations in order, also `parallel` ones, so reductions combine
// left to right and atomics apply in program order.
//
// Scalar arguments are truncated to their parameter's width (slots are kept
// canonical: the bits above the width are zero). A run is not reentrant: one
// Interpreter runs one program at a time.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Interpreter.h"
#include "ircgpu/Diagnostics.h"

#include "InterpBytecode.h"
#include "InterpSemantics.h"

#include "llvm/ADT/Twine.h"

#include <string>

using namespace ircgpu;
using namespace ircgpu::interp;

Interpreter::~Interpreter() = default;

namespace {

std::string int128Text(__int128 V) {
  bool Neg = V < 0;
  unsigned __int128 U = Neg ? -static_cast<unsigned __int128>(V)
                            : static_cast<unsigned __int128>(V);
  std::string S;
  do {
    S.insert(S.begin(), char('0' + static_cast<int>(U % 10)));
    U /= 10;
  } while (U);
  return Neg ? "-" + S : S;
}

class InterpreterImpl final : public Interpreter {
public:
  InterpreterImpl(const Module &M, const Function &Entry)
      : M(M), Entry(Entry) {}
  Program Prog;

  llvm::Expected<std::vector<uint64_t>>
  run(llvm::ArrayRef<InterpArg> Args) override;
  uint64_t opsExecuted() const override { return Ops; }

private:
  llvm::Error fault(const Fault &F) const;
  std::string paramText(const Function &Fn, unsigned I) const {
    llvm::StringRef Name = Fn.name(Fn.Params[I]);
    return Name.empty() ? "#" + std::to_string(I) : "%" + Name.str();
  }

  const Module &M;
  const Function &Entry;
  std::vector<uint64_t> Slots;
  std::vector<BufRef> Bufs;
  uint64_t Ops = 0;
};

} // namespace

llvm::Expected<std::unique_ptr<Interpreter>>
Interpreter::create(const Module &M, llvm::StringRef EntryName) {
  int Idx = M.indexOf(EntryName);
  if (Idx < 0)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "no function @" + EntryName.str() +
                                       " in the module");
  auto I = std::make_unique<InterpreterImpl>(M, *M.Functions[Idx]);
  if (auto E = translate(M, Idx, I->Prog))
    return E;
  return std::unique_ptr<Interpreter>(std::move(I));
}

llvm::Expected<std::vector<uint64_t>>
InterpreterImpl::run(llvm::ArrayRef<InterpArg> Args) {
  Ops = 0;
  auto Bad = [&](const llvm::Twine &Msg) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), Msg);
  };
  size_t N = Entry.Params.size();
  if (Args.size() != N)
    return Bad("@" + Entry.Name + " takes " + llvm::Twine(N) +
               " arguments, got " + llvm::Twine(Args.size()));
  // Slots not written by the program keep their initial values (literals),
  // and SSA writes every other slot before reading it, so the register file
  // is reused across runs and only reset when first used.
  if (Slots.empty())
    Slots = Prog.InitSlots;
  Bufs.assign(N, BufRef{nullptr, 0});
  for (size_t I = 0; I < N; ++I) {
    Type T = Entry.type(Entry.Params[I]);
    const InterpArg &A = Args[I];
    uint32_t Slot = Prog.ParamSlots[I];
    if (T.isPtr()) {
      if (!A.Data && A.Count)
        return Bad("argument " + llvm::Twine(I) + " (" + paramText(Entry, I) +
                   ") of @" + Entry.Name + " is a null buffer of " +
                   llvm::Twine(A.Count) + " elements");
      Bufs[I] = BufRef{static_cast<uint8_t *>(A.Data), A.Count};
      Slots[Slot] = static_cast<uint64_t>(I) << 56;
    } else {
      if (A.Data)
        return Bad("argument " + llvm::Twine(I) + " (" + paramText(Entry, I) +
                   ") of @" + Entry.Name +
                   " is a buffer, but the parameter is " + T.str());
      Slots[Slot] = A.Bits & maskOf(shiftOf(T));
    }
  }
  Fault F;
  if (!execute(Prog, Slots.data(), Bufs.data(), Ops, F))
    return fault(F);
  std::vector<uint64_t> Results;
  for (uint32_t S : Prog.ResultSlots)
    Results.push_back(Slots[S]);
  return Results;
}

llvm::Error InterpreterImpl::fault(const Fault &F) const {
  const Inst &I = Prog.Code[F.Pc];
  const char *What = "load";
  if (I.Op >= BOp::Store1 && I.Op <= BOp::Store8)
    What = "store";
  else if (I.Op == BOp::Atomic)
    What = "atomic";
  else if (I.Op == BOp::CmpXchg)
    What = "cmpxchg";
  const Function &Fn = *M.Functions[Prog.InstFunc[F.Pc]];
  // The buffer is named by the entry parameter it derives from: that is the
  // buffer the VM passed, also when the access is in a callee.
  return llvm::make_error<RuntimeError>(
      std::string("out-of-bounds ") + What + " in @" + Fn.Name + ": buffer " +
      paramText(Entry, F.Buffer) + " index " + int128Text(F.Index) +
      " is outside [0, " + std::to_string(F.Count) + ")");
}
