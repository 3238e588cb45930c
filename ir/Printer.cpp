//===- ir/Printer.cpp - a Module as canonical VIR text --------------------===//
//
// The printed form is canonical: parsing it and printing again gives the same
// bytes. Source names are kept; a value without a usable name (built in
// memory, a name that is not valid VIR, or one already taken in the function)
// gets `%N` with N the smallest number not used as a name anywhere in the
// function, so fresh names never collide with names printed later.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Printer.h"
#include "ircgpu/Literal.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace ircgpu;
using llvm::StringRef;

namespace {

class FunctionPrinter {
public:
  FunctionPrinter(const Module &M, const Function &F, llvm::raw_ostream &OS)
      : M(M), F(F), OS(OS), Names(F.numValues()) {}
  void print();

private:
  void collectNamesAndUses();
  StringRef nameOf(Value V);
  void value(Value V);
  void values(llvm::ArrayRef<Value> Vs);
  void results(const Op &O);
  void typeList(llvm::ArrayRef<Type> Tys);
  void indent() { OS.indent(2 * Level); }
  void region(const Region &R);
  void op(const Op &O);
  void memRef(const Op &O);

  const Module &M;
  const Function &F;
  llvm::raw_ostream &OS;
  std::vector<std::string> Names; ///< by Value::Id, assigned on first print
  llvm::StringSet<> Taken;        ///< every valid source name of F
  llvm::StringSet<> Printed;      ///< names already given to a value
  std::vector<bool> Used;         ///< by Value::Id: is an operand somewhere
  unsigned NextFresh = 0;
  unsigned Level = 1;
};

} // namespace

static bool isValidName(StringRef N) {
  return !N.empty() && llvm::all_of(N, [](char C) {
    return llvm::isAlnum(C) || C == '_' || C == '.';
  });
}

void FunctionPrinter::collectNamesAndUses() {
  Used.assign(F.numValues(), false);
  for (size_t I = 0; I < F.numValues(); ++I) {
    StringRef N = F.name(Value{static_cast<uint32_t>(I)});
    if (isValidName(N))
      Taken.insert(N);
  }
  F.walk([&](const Op &O) {
    for (Value V : O.Operands)
      if (V.isValid() && V.Id < Used.size())
        Used[V.Id] = true;
  });
}

// Names are fixed the first time a value is printed, which is at its
// definition since VIR is printed in definition order.
StringRef FunctionPrinter::nameOf(Value V) {
  std::string &N = Names[V.Id];
  if (!N.empty())
    return N;
  StringRef Src = F.name(V);
  if (isValidName(Src) && Printed.insert(Src).second) {
    N = Src.str();
    return N;
  }
  do
    N = std::to_string(NextFresh++);
  while (Taken.contains(N) || Printed.contains(N));
  Printed.insert(N);
  return N;
}

void FunctionPrinter::value(Value V) {
  if (F.isLiteral(V)) {
    OS << formatLiteral(F.type(V), F.info(V).Bits);
    return;
  }
  OS << '%' << nameOf(V);
}

void FunctionPrinter::values(llvm::ArrayRef<Value> Vs) {
  for (size_t I = 0; I < Vs.size(); ++I) {
    if (I)
      OS << ", ";
    value(Vs[I]);
  }
}

void FunctionPrinter::typeList(llvm::ArrayRef<Type> Tys) {
  if (Tys.empty())
    return;
  OS << " -> ";
  if (Tys.size() == 1) {
    OS << Tys[0].str();
    return;
  }
  OS << '(';
  for (size_t I = 0; I < Tys.size(); ++I)
    OS << (I ? ", " : "") << Tys[I].str();
  OS << ')';
}

/// `%a, %b = ` before an op; nothing for an op without results, and nothing
/// for an atomic whose old value nobody reads (the parser accepts both).
void FunctionPrinter::results(const Op &O) {
  if (O.Results.empty())
    return;
  OpKind K = O.kind();
  if ((K == OpKind::Atomic || K == OpKind::CmpXchg) && O.Results.size() == 1 &&
      !Used[O.Results[0].Id])
    return;
  values(O.Results);
  OS << " = ";
}

void FunctionPrinter::memRef(const Op &O) {
  value(O.Operands[0]);
  OS << '[';
  value(O.Operands[1]);
  OS << ']';
}

void FunctionPrinter::region(const Region &R) {
  ++Level;
  for (const Op &O : R.Ops)
    op(O);
  --Level;
}

void FunctionPrinter::op(const Op &O) {
  indent();
  results(O);
  OS << opcodeName(O.Code);
  llvm::ArrayRef<Value> Ops = O.Operands;
  switch (O.kind()) {
  case OpKind::Const:
    OS << ' ';
    value(Ops[0]);
    OS << " : " << F.type(O.Results[0]).str();
    break;
  case OpKind::ICmp:
    OS << ' ' << icmpPredName(static_cast<ICmpPred>(O.Sub)) << ' ';
    values(Ops);
    break;
  case OpKind::FCmp:
    OS << ' ' << fcmpPredName(static_cast<FCmpPred>(O.Sub)) << ' ';
    values(Ops);
    break;
  case OpKind::MathUnary:
  case OpKind::MathBinary:
  case OpKind::MathTernary:
    if (O.hasFlag(FlagAfn))
      OS << " afn";
    [[fallthrough]];
  case OpKind::IntBinary:
  case OpKind::IntUnary:
  case OpKind::FloatBinary:
  case OpKind::FloatUnary:
  case OpKind::Select:
    OS << ' ';
    values(Ops);
    break;
  case OpKind::Cast:
    OS << ' ';
    value(Ops[0]);
    OS << " to " << F.type(O.Results[0]).str();
    break;
  case OpKind::Load:
    OS << ' ';
    memRef(O);
    break;
  case OpKind::Store:
  case OpKind::Atomic:
  case OpKind::CmpXchg:
    if (O.kind() == OpKind::Atomic)
      OS << ' ' << atomicKindName(static_cast<AtomicKind>(O.Sub));
    OS << ' ';
    memRef(O);
    OS << ", ";
    values(Ops.drop_front(2));
    break;
  case OpKind::Offset:
    OS << ' ';
    values(Ops);
    break;
  case OpKind::Call:
    OS << " @";
    if (O.Callee < M.Functions.size())
      OS << M.Functions[O.Callee]->Name;
    OS << '(';
    values(Ops);
    OS << ')';
    break;
  case OpKind::Ret:
  case OpKind::Yield:
  case OpKind::Condition:
    if (!Ops.empty())
      OS << ' ';
    values(Ops);
    break;
  case OpKind::For: {
    const Region &Body = O.Regions[0];
    OS << ' ';
    value(Body.Args[0]);
    OS << " = ";
    value(Ops[0]);
    OS << " to ";
    value(Ops[1]);
    OS << " step ";
    value(Ops[2]);
    if (O.hasFlag(FlagParallel))
      OS << " parallel";
    if (O.hasFlag(FlagReassoc))
      OS << " reassoc";
    if (Ops.size() > 3) {
      OS << " iter(";
      for (size_t I = 3; I < Ops.size(); ++I) {
        Value Arg = Body.Args[I - 2];
        OS << (I > 3 ? ", " : "");
        value(Arg);
        OS << ": " << F.type(Arg).str() << " = ";
        value(Ops[I]);
      }
      OS << ')';
    }
    OS << " {\n";
    region(Body);
    indent();
    OS << '}';
    break;
  }
  case OpKind::If: {
    OS << ' ';
    value(Ops[0]);
    llvm::SmallVector<Type, 2> Tys;
    for (Value R : O.Results)
      Tys.push_back(F.type(R));
    typeList(Tys);
    OS << " {\n";
    region(O.Regions[0]);
    indent();
    OS << '}';
    if (O.hasFlag(FlagHasElse) && O.Regions.size() > 1) {
      OS << " else {\n";
      region(O.Regions[1]);
      indent();
      OS << '}';
    }
    break;
  }
  case OpKind::While: {
    const Region &Cond = O.Regions[0];
    OS << " (";
    for (size_t I = 0; I < Ops.size(); ++I) {
      OS << (I ? ", " : "");
      value(Cond.Args[I]);
      OS << ": " << F.type(Cond.Args[I]).str() << " = ";
      value(Ops[I]);
    }
    OS << ") {\n";
    region(Cond);
    indent();
    OS << "} do {\n";
    region(O.Regions[1]);
    indent();
    OS << '}';
    break;
  }
  }
  OS << '\n';
}

void FunctionPrinter::print() {
  collectNamesAndUses();
  OS << "func @" << F.Name << '(';
  for (size_t I = 0; I < F.Params.size(); ++I) {
    Value P = F.Params[I];
    OS << (I ? ", " : "");
    value(P);
    OS << ": " << F.type(P).str();
    uint8_t A = I < F.ParamAttrs.size() ? F.ParamAttrs[I] : 0;
    if (A & AttrNoAlias)
      OS << " noalias";
    if (A & AttrReadOnly)
      OS << " readonly";
    if (A & AttrWriteOnly)
      OS << " writeonly";
  }
  OS << ')';
  typeList(F.ResultTypes);
  OS << " {\n";
  for (const Op &O : F.Body.Ops)
    op(O);
  OS << "}\n";
}

void ircgpu::printModule(const Module &M, llvm::raw_ostream &OS) {
  for (size_t I = 0; I < M.Functions.size(); ++I) {
    if (I)
      OS << '\n';
    FunctionPrinter(M, *M.Functions[I], OS).print();
  }
}

std::string ircgpu::printModule(const Module &M) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  printModule(M, OS);
  OS.flush();
  return S;
}
