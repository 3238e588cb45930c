//===- runtime/BundleRead.cpp - a bundle from its bytes, checked ----------===//
//
// A bundle comes from a file, which may be truncated, damaged or made by
// someone else, and what it holds goes straight to the executor, which
// trusts its plan (slot ids index arrays, function indices index the code).
// So everything is checked here, in this order: the magic line and format
// version, the checksum, the JSON's nesting (llvm::json's parser recurses),
// the JSON, the compiler version, then each field, with every slot id in
// range, every function index valid and run by one step only, every type
// consistent with the outlined function the step calls, and the outlined
// code and the source module verified. Fields that a step of its kind does
// not have are errors too: the ABI builder and the executor walk every nested
// step list whatever the kind.
//
//===----------------------------------------------------------------------===//
#include "BundleFormat.h"

#include "ircgpu/Bundle.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Literal.h"
#include "ircgpu/Parser.h"
#include "ircgpu/Version.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Base64.h"
#include "llvm/Support/JSON.h"

using namespace llvm;

namespace ircgpu {

using namespace bundle;

namespace {

/// Where in the document a value is, as `plan.steps[0].args[1]`.
using At = std::string;
At field(const At &A, StringRef F) {
  return A.empty() ? F.str() : A + "." + F.str();
}
At index(const At &A, size_t I) { return A + "[" + std::to_string(I) + "]"; }

/// The first diagnostic of VIR that does not parse or verify, located in
/// the text made of the lines.
std::string virError(Error E) {
  std::string Msg;
  handleAllErrors(
      std::move(E),
      [&](const DiagnosticError &D) {
        if (D.diagnostics().empty()) {
          Msg = D.message();
          return;
        }
        const Diagnostic &First = D.diagnostics().front();
        Msg = "line " + std::to_string(First.Loc.Line) + ":" +
              std::to_string(First.Loc.Col) + ": " + First.Message;
      },
      [&](const ErrorInfoBase &EI) { Msg = EI.message(); });
  return "invalid VIR: " + Msg;
}

class Reader {
public:
  explicit Reader(StringRef Name) : Name(Name) {}
  Expected<Bundle> read(StringRef Data);

private:
  StringRef Name;
  Bundle B;
  std::vector<bool> FuncUsed; ///< by Plan::Code function index

  Error fail(const Twine &Msg) {
    return createStringError(inconvertibleErrorCode(), Name + ": " + Msg);
  }
  Error fail(const At &A, const Twine &Msg) { return fail(A + ": " + Msg); }

  // Typed access to JSON values; each names the value on failure.
  Expected<const json::Object *> object(const json::Value *V, const At &A);
  Expected<const json::Array *> array(const json::Value *V, const At &A);
  Expected<StringRef> string(const json::Value *V, const At &A);
  Expected<int64_t> integer(const json::Value *V, const At &A, int64_t Min,
                            int64_t Max);
  Expected<bool> boolean(const json::Value *V, const At &A);
  /// Rejects any key of O not in Known.
  Error onlyKeys(const json::Object &O, const At &A, ArrayRef<StringRef> Known);
  Expected<std::string> lines(const json::Value *V, const At &A);
  Expected<Type> type(const json::Value *V, const At &A);

  Expected<SlotId> slot(const json::Value *V, const At &A);
  Error slots(const json::Object &O, StringRef Key, const At &A,
              std::vector<SlotId> &Out);
  Expected<GridDim> dim(const json::Value *V, const At &A);
  Type slotType(SlotId S) const { return B.P.Slots[S].Ty; }
  Error writable(SlotId S, const At &A);
  Error intBounds(const GridDim &D, const At &A);

  Error header(StringRef Data, StringRef &Body);
  Error options(const json::Object &Top);
  Error plan(const json::Object &O, const At &A);
  Error slotTable(const json::Object &O, const At &A);
  Error steps(const json::Object &O, StringRef Key, const At &A, unsigned Depth,
              std::vector<PlanStep> &Out);
  Error step(const json::Object &O, const At &A, unsigned Depth, PlanStep &S);
  Error callee(const json::Object &O, const At &A, PlanStep &S,
               const Function *&Fn);
  Error carried(const json::Object &O, const At &A, PlanStep &S);
  Error codeObject(const json::Object &O, const At &A);
  Error source(const json::Value *V, const At &A);
};

//===-- typed access ------------------------------------------------------===//

Expected<const json::Object *> Reader::object(const json::Value *V,
                                              const At &A) {
  if (!V)
    return fail(A, "missing");
  if (const json::Object *O = V->getAsObject())
    return O;
  return fail(A, "expected an object");
}

Expected<const json::Array *> Reader::array(const json::Value *V, const At &A) {
  if (!V)
    return fail(A, "missing");
  if (const json::Array *Arr = V->getAsArray())
    return Arr;
  return fail(A, "expected an array");
}

Expected<StringRef> Reader::string(const json::Value *V, const At &A) {
  if (!V)
    return fail(A, "missing");
  if (auto S = V->getAsString())
    return *S;
  return fail(A, "expected a string");
}

Expected<int64_t> Reader::integer(const json::Value *V, const At &A,
                                  int64_t Min, int64_t Max) {
  if (!V)
    return fail(A, "missing");
  auto I = V->getAsInteger();
  if (!I)
    return fail(A, "expected an integer");
  if (*I < Min || *I > Max)
    return fail(A, "integer " + Twine(*I) + " out of range (" + Twine(Min) +
                       " to " + Twine(Max) + ")");
  return *I;
}

Expected<bool> Reader::boolean(const json::Value *V, const At &A) {
  if (!V)
    return fail(A, "missing");
  if (auto Bool = V->getAsBoolean())
    return *Bool;
  return fail(A, "expected true or false");
}

Error Reader::onlyKeys(const json::Object &O, const At &A,
                       ArrayRef<StringRef> Known) {
  for (const auto &KV : O)
    if (!is_contained(Known, StringRef(KV.first)))
      return fail(field(A, KV.first), "unexpected field");
  return Error::success();
}

Expected<std::string> Reader::lines(const json::Value *V, const At &A) {
  auto Arr = array(V, A);
  if (!Arr)
    return Arr.takeError();
  std::string Text;
  for (size_t I = 0; I < (*Arr)->size(); ++I) {
    auto L = string(&(**Arr)[I], index(A, I));
    if (!L)
      return L.takeError();
    if (L->contains('\n'))
      return fail(index(A, I), "a line holds a newline");
    Text += *L;
    Text += '\n';
  }
  return Text;
}

Expected<Type> Reader::type(const json::Value *V, const At &A) {
  auto S = string(V, A);
  if (!S)
    return S.takeError();
  Type T = parseType(*S);
  if (!T.isValid() || T.elem() == Scalar::F16 ||
      (T.isPtr() && T.elem() == Scalar::I1))
    return fail(A, "unknown type '" + *S + "'");
  return T;
}

Expected<SlotId> Reader::slot(const json::Value *V, const At &A) {
  if (!V)
    return fail(A, "missing");
  auto I = V->getAsInteger();
  if (!I)
    return fail(A, "expected a slot id");
  if (*I < 0 || uint64_t(*I) >= B.P.Slots.size())
    return fail(A, "slot " + Twine(*I) + " out of range (the plan has " +
                       Twine(B.P.Slots.size()) + " slots)");
  return SlotId(*I);
}

Error Reader::slots(const json::Object &O, StringRef Key, const At &A,
                    std::vector<SlotId> &Out) {
  const json::Value *V = O.get(Key);
  if (!V)
    return Error::success(); // an empty list is not written
  At Here = field(A, Key);
  auto Arr = array(V, Here);
  if (!Arr)
    return Arr.takeError();
  for (size_t I = 0; I < (*Arr)->size(); ++I) {
    auto S = slot(&(**Arr)[I], index(Here, I));
    if (!S)
      return S.takeError();
    Out.push_back(*S);
  }
  return Error::success();
}

Expected<GridDim> Reader::dim(const json::Value *V, const At &A) {
  auto Arr = array(V, A);
  if (!Arr)
    return Arr.takeError();
  if ((*Arr)->size() != 3)
    return fail(A, "expected [lower bound, upper bound, step]");
  SlotId Ids[3];
  for (size_t I = 0; I < 3; ++I) {
    auto S = slot(&(**Arr)[I], index(A, I));
    if (!S)
      return S.takeError();
    Ids[I] = *S;
  }
  return GridDim{Ids[0], Ids[1], Ids[2]};
}

/// A slot that a step writes: not an entry parameter, not a constant.
Error Reader::writable(SlotId S, const At &A) {
  if (S < B.P.NumParams)
    return fail(A, "slot " + Twine(S) + " is a parameter; no step writes it");
  if (B.P.Slots[S].IsConst)
    return fail(A, "slot " + Twine(S) + " is a constant; no step writes it");
  return Error::success();
}

Error Reader::intBounds(const GridDim &D, const At &A) {
  Type T = slotType(D.LB);
  if (T != Type::i32() && T != Type::i64())
    return fail(A, "bounds of type " + T.str() + " (expected i32 or i64)");
  if (slotType(D.UB) != T || slotType(D.Step) != T)
    return fail(A, "bounds of different types");
  return Error::success();
}

//===-- the document ------------------------------------------------------===//

/// The JSON's nesting, without recursion; an unterminated string counts as
/// nothing (the parser reports it).
unsigned jsonDepth(StringRef Text) {
  unsigned Depth = 0, Max = 0;
  bool InString = false;
  for (size_t I = 0; I < Text.size(); ++I) {
    char C = Text[I];
    if (InString) {
      if (C == '\\')
        ++I;
      else if (C == '"')
        InString = false;
    } else if (C == '"') {
      InString = true;
    } else if (C == '[' || C == '{') {
      Max = std::max(Max, ++Depth);
    } else if ((C == ']' || C == '}') && Depth) {
      --Depth;
    }
  }
  return Max;
}

Error Reader::header(StringRef Data, StringRef &Body) {
  if (!isBundle(Data))
    return fail("not an irc-gpu bundle (it does not start with '" +
                BundleMagic + " ')");
  size_t NL = Data.find('\n');
  if (NL == StringRef::npos)
    return fail("truncated bundle (no end to the first line)");
  StringRef Line = Data.take_front(NL).drop_front(BundleMagic.size() + 1);
  Body = Data.drop_front(NL + 1);
  auto [VersionText, Rest] = Line.split(' ');
  unsigned Version;
  if (VersionText.getAsInteger(10, Version))
    return fail("bad bundle header: format version '" + VersionText +
                "' is not a number");
  if (Version != BundleFormatVersion)
    return fail("bundle format version " + VersionText +
                " is not supported (this irc-gpu reads version " +
                Twine(BundleFormatVersion) + ")");
  StringRef Sum = Rest;
  if (!Sum.consume_front("blake3:") || Sum.size() != 64 ||
      !all_of(Sum, isHexDigit))
    return fail("bad bundle header: expected 'blake3:' and 64 hex digits "
                "after the version");
  if (Sum != checksum(Body))
    return fail("checksum mismatch: the bundle is truncated or corrupted");
  return Error::success();
}

Expected<Bundle> Reader::read(StringRef Data) {
  StringRef Body;
  if (Error E = header(Data, Body))
    return E;
  if (jsonDepth(Body) > MaxJSONDepth)
    return fail("JSON nested deeper than " + Twine(MaxJSONDepth) + " levels");
  auto Doc = json::parse(Body);
  if (!Doc)
    return fail("invalid JSON: " + toString(Doc.takeError()));
  auto Top = object(&*Doc, "bundle");
  if (!Top)
    return Top.takeError();
  const json::Object &T = **Top;
  if (Error E = onlyKeys(T, "",
                         {"compiler", "key", "entry", "target", "options",
                          "plan", "code-object", "source"}))
    return E;

  auto Compiler = string(T.get("compiler"), "compiler");
  if (!Compiler)
    return Compiler.takeError();
  B.CompilerVersion = Compiler->str();
  if (*Compiler != compilerVersion())
    return fail("made by irc-gpu " + *Compiler + ", not by this irc-gpu " +
                compilerVersion() + ": compile it again");
  auto Key = string(T.get("key"), "key");
  if (!Key)
    return Key.takeError();
  if (Key->size() != 64 || !all_of(*Key, [](char C) {
        return isDigit(C) || (C >= 'a' && C <= 'f');
      }))
    return fail("key", "expected 64 lowercase hex digits");
  B.Key = Key->str();
  auto Entry = string(T.get("entry"), "entry");
  if (!Entry)
    return Entry.takeError();
  if (Entry->empty())
    return fail("entry", "empty");
  B.Entry = Entry->str();
  auto Target = string(T.get("target"), "target");
  if (!Target)
    return Target.takeError();
  if (!isSupportedTarget(*Target))
    return fail("target", "unknown target '" + *Target + "'");
  B.Options.Target = Target->str();
  if (Error E = options(T))
    return E;

  auto Plan = object(T.get("plan"), "plan");
  if (!Plan)
    return Plan.takeError();
  if (Error E = plan(**Plan, "plan"))
    return E;
  auto Code = object(T.get("code-object"), "code-object");
  if (!Code)
    return Code.takeError();
  if (Error E = codeObject(**Code, "code-object"))
    return E;
  if (const json::Value *Src = T.get("source"))
    if (Error E = source(Src, "source"))
      return E;
  return std::move(B);
}

Error Reader::options(const json::Object &Top) {
  auto O = object(Top.get("options"), "options");
  if (!O)
    return O.takeError();
  if (Error E = onlyKeys(**O, "options",
                         {"opt-level", "checked", "allow-sequential"}))
    return E;
  auto Opt = integer((*O)->get("opt-level"), "options.opt-level", 0, 3);
  if (!Opt)
    return Opt.takeError();
  B.Options.OptLevel = *Opt;
  auto Checked = boolean((*O)->get("checked"), "options.checked");
  if (!Checked)
    return Checked.takeError();
  B.Options.Checked = *Checked;
  auto Seq = boolean((*O)->get("allow-sequential"), "options.allow-sequential");
  if (!Seq)
    return Seq.takeError();
  B.AllowSequential = *Seq;
  return Error::success();
}

//===-- the plan ----------------------------------------------------------===//

Error Reader::plan(const json::Object &O, const At &A) {
  if (Error E = onlyKeys(
          O, A, {"entry", "num-params", "slots", "returns", "steps", "code"}))
    return E;
  Plan &P = B.P;
  auto Entry = string(O.get("entry"), field(A, "entry"));
  if (!Entry)
    return Entry.takeError();
  if (*Entry != B.Entry)
    return fail(field(A, "entry"),
                "@" + *Entry + " is not the bundle's entry @" + B.Entry);
  P.Entry = Entry->str();

  // The outlined code first: steps are checked against its functions.
  At CodeAt = field(A, "code");
  auto Text = lines(O.get("code"), CodeAt);
  if (!Text)
    return Text.takeError();
  auto M = parseAndVerify(*Text);
  if (!M)
    return fail(CodeAt, virError(M.takeError()));
  P.Code = std::move(*M);
  FuncUsed.assign(P.Code->Functions.size(), false);

  if (Error E = slotTable(O, A))
    return E;
  if (Error E = slots(O, "returns", A, P.Returns))
    return E;
  return steps(O, "steps", A, 0, P.Steps);
}

Error Reader::slotTable(const json::Object &O, const At &A) {
  Plan &P = B.P;
  At SlotsAt = field(A, "slots");
  auto Arr = array(O.get("slots"), SlotsAt);
  if (!Arr)
    return Arr.takeError();
  for (size_t I = 0; I < (*Arr)->size(); ++I) {
    At SAt = index(SlotsAt, I);
    auto SO = object(&(**Arr)[I], SAt);
    if (!SO)
      return SO.takeError();
    if (Error E = onlyKeys(**SO, SAt, {"type", "name", "const"}))
      return E;
    PlanSlot S;
    auto Ty = type((*SO)->get("type"), field(SAt, "type"));
    if (!Ty)
      return Ty.takeError();
    S.Ty = *Ty;
    if (const json::Value *N = (*SO)->get("name")) {
      auto Name = string(N, field(SAt, "name"));
      if (!Name)
        return Name.takeError();
      S.Name = Name->str();
    }
    if (const json::Value *C = (*SO)->get("const")) {
      auto Lit = string(C, field(SAt, "const"));
      if (!Lit)
        return Lit.takeError();
      if (!S.Ty.isScalar())
        return fail(SAt, "a constant of type " + S.Ty.str());
      auto Bits = parseLiteral(*Lit, S.Ty);
      if (!Bits)
        return fail(field(SAt, "const"), toString(Bits.takeError()));
      S.IsConst = true;
      S.Bits = *Bits;
    }
    P.Slots.push_back(std::move(S));
  }
  auto NP = integer(O.get("num-params"), field(A, "num-params"), 0,
                    std::min<int64_t>(MaxParams, P.Slots.size()));
  if (!NP)
    return NP.takeError();
  P.NumParams = *NP;
  for (unsigned I = 0; I < P.NumParams; ++I)
    if (P.Slots[I].IsConst)
      return fail(index(SlotsAt, I), "a parameter slot is constant");
  return Error::success();
}

Error Reader::steps(const json::Object &O, StringRef Key, const At &A,
                    unsigned Depth, std::vector<PlanStep> &Out) {
  const json::Value *V = O.get(Key);
  if (!V)
    return Error::success();
  At Here = field(A, Key);
  if (Depth >= MaxStepDepth)
    return fail(Here, "steps nested deeper than " + Twine(MaxStepDepth));
  auto Arr = array(V, Here);
  if (!Arr)
    return Arr.takeError();
  for (size_t I = 0; I < (*Arr)->size(); ++I) {
    At SAt = index(Here, I);
    auto SO = object(&(**Arr)[I], SAt);
    if (!SO)
      return SO.takeError();
    Out.emplace_back();
    if (Error E = step(**SO, SAt, Depth, Out.back()))
      return E;
  }
  return Error::success();
}

/// The fields each kind of step has (besides kind and loc).
ArrayRef<StringRef> stepFields(StepKind K) {
  static const StringRef Kernel[] = {"kind", "loc",  "func",
                                     "grid", "args", "reductions"};
  static const StringRef Scalar[] = {"kind", "loc",     "func",
                                     "args", "results", "sequential"};
  static const StringRef For[] = {"kind",  "loc",   "bounds",
                                  "index", "body",  "carried",
                                  "inits", "nexts", "loop-results"};
  static const StringRef While[] = {"kind",      "loc",   "cond",
                                    "cond-slot", "body",  "carried",
                                    "inits",     "nexts", "loop-results"};
  static const StringRef Overlap[] = {"kind", "loc", "disjoint", "body",
                                      "fallback"};
  switch (K) {
  case StepKind::Kernel:
    return Kernel;
  case StepKind::Scalar:
    return Scalar;
  case StepKind::ForLoop:
    return For;
  case StepKind::WhileLoop:
    return While;
  case StepKind::OverlapCheck:
    return Overlap;
  }
  return {};
}

Error Reader::step(const json::Object &O, const At &A, unsigned Depth,
                   PlanStep &S) {
  auto KindName = string(O.get("kind"), field(A, "kind"));
  if (!KindName)
    return KindName.takeError();
  auto Kind = parseStepKind(*KindName);
  if (!Kind)
    return fail(field(A, "kind"), "unknown step kind '" + *KindName + "'");
  S.Kind = *Kind;
  if (Error E = onlyKeys(O, A, stepFields(S.Kind)))
    return E;
  if (const json::Value *L = O.get("loc")) {
    At LAt = field(A, "loc");
    auto Arr = array(L, LAt);
    if (!Arr)
      return Arr.takeError();
    if ((*Arr)->size() != 2)
      return fail(LAt, "expected [line, column]");
    auto Line = integer(&(**Arr)[0], index(LAt, 0), 0, UINT32_MAX);
    if (!Line)
      return Line.takeError();
    auto Col = integer(&(**Arr)[1], index(LAt, 1), 0, UINT32_MAX);
    if (!Col)
      return Col.takeError();
    S.Loc = {uint32_t(*Line), uint32_t(*Col)};
  }
  if (Error E = slots(O, "args", A, S.Args))
    return E;

  switch (S.Kind) {
  case StepKind::Kernel: {
    const Function *Fn;
    if (Error E = callee(O, A, S, Fn))
      return E;
    At GAt = field(A, "grid");
    auto Grid = array(O.get("grid"), GAt);
    if (!Grid)
      return Grid.takeError();
    if ((*Grid)->empty() || (*Grid)->size() > 3)
      return fail(GAt, "a grid of " + Twine((*Grid)->size()) +
                           " dimensions (expected 1 to 3)");
    size_t G = (*Grid)->size();
    if (Fn->Params.size() != G + S.Args.size())
      return fail(A, "@" + Fn->Name + " takes " + Twine(Fn->Params.size()) +
                         " parameters, not " + Twine(G) + " grid indices and " +
                         Twine(S.Args.size()) + " arguments");
    for (size_t D = 0; D < G; ++D) {
      auto Dim = dim(&(**Grid)[D], index(GAt, D));
      if (!Dim)
        return Dim.takeError();
      if (Error E = intBounds(*Dim, index(GAt, D)))
        return E;
      if (Fn->type(Fn->Params[D]) != slotType(Dim->LB))
        return fail(index(GAt, D), "index parameter " + Twine(D) + " of @" +
                                       Fn->Name + " is not of type " +
                                       slotType(Dim->LB).str());
      S.Grid.push_back(*Dim);
    }
    for (size_t I = 0; I < S.Args.size(); ++I)
      if (Fn->type(Fn->Params[G + I]) != slotType(S.Args[I]))
        return fail(index(field(A, "args"), I),
                    "slot of type " + slotType(S.Args[I]).str() +
                        " passed to a parameter of @" + Fn->Name + " of type " +
                        Fn->type(Fn->Params[G + I]).str());
    At RAt = field(A, "reductions");
    if (const json::Value *RV = O.get("reductions")) {
      auto Reds = array(RV, RAt);
      if (!Reds)
        return Reds.takeError();
      for (size_t I = 0; I < (*Reds)->size(); ++I) {
        At Here = index(RAt, I);
        auto RO = object(&(**Reds)[I], Here);
        if (!RO)
          return RO.takeError();
        if (Error E =
                onlyKeys(**RO, Here, {"combine", "type", "init", "result"}))
          return E;
        ReductionSpec R;
        auto Comb = string((*RO)->get("combine"), field(Here, "combine"));
        if (!Comb)
          return Comb.takeError();
        auto Op = parseCombine(*Comb);
        if (!Op)
          return fail(field(Here, "combine"),
                      "'" + *Comb + "' is not a reduction");
        R.Combine = *Op;
        auto Ty = type((*RO)->get("type"), field(Here, "type"));
        if (!Ty)
          return Ty.takeError();
        R.Ty = *Ty;
        bool FloatOp = opcodeKind(R.Combine) == OpKind::FloatBinary;
        if (FloatOp ? !R.Ty.isFloat() : !R.Ty.isInt())
          return fail(Here, *Comb + " on " + R.Ty.str());
        auto Init = slot((*RO)->get("init"), field(Here, "init"));
        if (!Init)
          return Init.takeError();
        auto Res = slot((*RO)->get("result"), field(Here, "result"));
        if (!Res)
          return Res.takeError();
        R.Init = *Init;
        R.Result = *Res;
        if (slotType(R.Init) != R.Ty || slotType(R.Result) != R.Ty)
          return fail(Here,
                      "init and result slots must be of type " + R.Ty.str());
        if (Error E = writable(R.Result, field(Here, "result")))
          return E;
        S.Reductions.push_back(R);
      }
    }
    if (Fn->ResultTypes.size() != S.Reductions.size())
      return fail(A, "@" + Fn->Name + " returns " +
                         Twine(Fn->ResultTypes.size()) + " values for " +
                         Twine(S.Reductions.size()) + " reductions");
    for (size_t I = 0; I < S.Reductions.size(); ++I)
      if (Fn->ResultTypes[I] != S.Reductions[I].Ty)
        return fail(index(RAt, I), "@" + Fn->Name + " contributes " +
                                       Fn->ResultTypes[I].str());
    return Error::success();
  }
  case StepKind::Scalar: {
    const Function *Fn;
    if (Error E = callee(O, A, S, Fn))
      return E;
    if (const json::Value *Seq = O.get("sequential")) {
      auto V = boolean(Seq, field(A, "sequential"));
      if (!V)
        return V.takeError();
      S.Sequential = *V;
    }
    if (Error E = slots(O, "results", A, S.Results))
      return E;
    if (Fn->Params.size() != S.Args.size())
      return fail(A, "@" + Fn->Name + " takes " + Twine(Fn->Params.size()) +
                         " parameters, not " + Twine(S.Args.size()));
    for (size_t I = 0; I < S.Args.size(); ++I)
      if (Fn->type(Fn->Params[I]) != slotType(S.Args[I]))
        return fail(index(field(A, "args"), I),
                    "slot of type " + slotType(S.Args[I]).str() +
                        " passed to a parameter of @" + Fn->Name + " of type " +
                        Fn->type(Fn->Params[I]).str());
    if (Fn->ResultTypes.size() != S.Results.size())
      return fail(A, "@" + Fn->Name + " returns " +
                         Twine(Fn->ResultTypes.size()) + " values, not " +
                         Twine(S.Results.size()));
    for (size_t I = 0; I < S.Results.size(); ++I) {
      At RAt = index(field(A, "results"), I);
      if (Fn->ResultTypes[I] != slotType(S.Results[I]))
        return fail(RAt, "@" + Fn->Name + " returns " +
                             Fn->ResultTypes[I].str() + " to a slot of type " +
                             slotType(S.Results[I]).str());
      if (Error E = writable(S.Results[I], RAt))
        return E;
    }
    return Error::success();
  }
  case StepKind::ForLoop: {
    if (!S.Args.empty())
      return fail(field(A, "args"), "unexpected field");
    auto Bounds = dim(O.get("bounds"), field(A, "bounds"));
    if (!Bounds)
      return Bounds.takeError();
    if (Error E = intBounds(*Bounds, field(A, "bounds")))
      return E;
    S.Bounds = *Bounds;
    auto Index = slot(O.get("index"), field(A, "index"));
    if (!Index)
      return Index.takeError();
    S.Index = *Index;
    if (slotType(S.Index) != slotType(S.Bounds.LB))
      return fail(field(A, "index"), "not of the bounds' type");
    if (Error E = writable(S.Index, field(A, "index")))
      return E;
    if (Error E = carried(O, A, S))
      return E;
    return steps(O, "body", A, Depth + 1, S.Body);
  }
  case StepKind::WhileLoop: {
    if (!S.Args.empty())
      return fail(field(A, "args"), "unexpected field");
    if (Error E = steps(O, "cond", A, Depth + 1, S.Cond))
      return E;
    auto Cond = slot(O.get("cond-slot"), field(A, "cond-slot"));
    if (!Cond)
      return Cond.takeError();
    S.CondSlot = *Cond;
    if (slotType(S.CondSlot) != Type::i1())
      return fail(field(A, "cond-slot"), "not of type i1");
    if (Error E = carried(O, A, S))
      return E;
    return steps(O, "body", A, Depth + 1, S.Body);
  }
  case StepKind::OverlapCheck: {
    if (!S.Args.empty())
      return fail(field(A, "args"), "unexpected field");
    At DAt = field(A, "disjoint");
    auto Pairs = array(O.get("disjoint"), DAt);
    if (!Pairs)
      return Pairs.takeError();
    for (size_t I = 0; I < (*Pairs)->size(); ++I) {
      At PAt = index(DAt, I);
      auto Pair = array(&(**Pairs)[I], PAt);
      if (!Pair)
        return Pair.takeError();
      if ((*Pair)->size() != 2)
        return fail(PAt, "expected a pair of buffer slots");
      SlotId Two[2];
      for (size_t K = 0; K < 2; ++K) {
        auto Sl = slot(&(**Pair)[K], index(PAt, K));
        if (!Sl)
          return Sl.takeError();
        if (*Sl >= B.P.NumParams || !slotType(*Sl).isPtr())
          return fail(index(PAt, K), "not a buffer parameter");
        Two[K] = *Sl;
      }
      S.Disjoint.push_back({Two[0], Two[1]});
    }
    if (Error E = steps(O, "body", A, Depth + 1, S.Body))
      return E;
    return steps(O, "fallback", A, Depth + 1, S.Fallback);
  }
  }
  return Error::success();
}

/// The function of a Kernel or Scalar step: a valid index, run by no other
/// step (the ABI gives each function one shape and one parameter list).
Error Reader::callee(const json::Object &O, const At &A, PlanStep &S,
                     const Function *&Fn) {
  const auto &Funcs = B.P.Code->Functions;
  auto F =
      integer(O.get("func"), field(A, "func"), 0, int64_t(Funcs.size()) - 1);
  if (!F) {
    consumeError(F.takeError());
    return fail(field(A, "func"), "expected the index of a function of the "
                                  "plan's code (it has " +
                                      Twine(Funcs.size()) + ")");
  }
  if (FuncUsed[*F])
    return fail(field(A, "func"),
                "@" + Funcs[*F]->Name + " is run by another step too");
  FuncUsed[*F] = true;
  S.Func = *F;
  Fn = Funcs[*F].get();
  return Error::success();
}

Error Reader::carried(const json::Object &O, const At &A, PlanStep &S) {
  for (auto [Key, Out] :
       {std::pair{"carried", &S.Carried}, std::pair{"inits", &S.Inits},
        std::pair{"nexts", &S.Nexts},
        std::pair{"loop-results", &S.LoopResults}})
    if (Error E = slots(O, Key, A, *Out))
      return E;
  size_t N = S.Carried.size();
  if (S.Inits.size() != N || S.Nexts.size() != N || S.LoopResults.size() != N)
    return fail(A, "carried, inits, nexts and loop-results differ in length");
  for (size_t I = 0; I < N; ++I) {
    Type T = slotType(S.Carried[I]);
    if (slotType(S.Inits[I]) != T || slotType(S.Nexts[I]) != T ||
        slotType(S.LoopResults[I]) != T)
      return fail(index(field(A, "carried"), I),
                  "loop variable of type " + T.str() +
                      " with an init, next or result of another type");
    if (Error E = writable(S.Carried[I], index(field(A, "carried"), I)))
      return E;
    if (Error E =
            writable(S.LoopResults[I], index(field(A, "loop-results"), I)))
      return E;
  }
  return Error::success();
}

//===-- code object and source --------------------------------------------===//

Error Reader::codeObject(const json::Object &O, const At &A) {
  if (Error E = onlyKeys(O, A, {"format", "size", "base64"}))
    return E;
  auto Format = string(O.get("format"), field(A, "format"));
  if (!Format)
    return Format.takeError();
  auto Kind = parseCodeFormat(*Format);
  if (!Kind)
    return fail(field(A, "format"),
                "unknown format '" + *Format + "' (expected ptx or cubin)");
  B.Code.Kind = *Kind;
  auto Size = integer(O.get("size"), field(A, "size"), 1, INT64_MAX);
  if (!Size)
    return Size.takeError();
  auto Text = string(O.get("base64"), field(A, "base64"));
  if (!Text)
    return Text.takeError();
  std::vector<char> Bytes;
  if (Error E = decodeBase64(*Text, Bytes))
    return fail(field(A, "base64"), "bad base64: " + toString(std::move(E)));
  if (Bytes.size() != uint64_t(*Size))
    return fail(A,
                "holds " + Twine(Bytes.size()) + " bytes, not " + Twine(*Size));
  B.Code.Bytes.assign(Bytes.begin(), Bytes.end());
  return Error::success();
}

/// The source module: it must verify, have the entry, and the entry's
/// signature must be the plan's, since `run` binds arguments by it.
Error Reader::source(const json::Value *V, const At &A) {
  auto Text = lines(V, A);
  if (!Text)
    return Text.takeError();
  auto M = parseAndVerify(*Text);
  if (!M)
    return fail(A, virError(M.takeError()));
  const Function *F = (*M)->lookup(B.Entry);
  if (!F)
    return fail(A, "no function @" + B.Entry);
  const Plan &P = B.P;
  bool Same = F->Params.size() == P.NumParams &&
              F->ResultTypes.size() == P.Returns.size();
  for (size_t I = 0; Same && I < P.NumParams; ++I)
    Same = F->type(F->Params[I]) == P.Slots[I].Ty;
  for (size_t I = 0; Same && I < P.Returns.size(); ++I)
    Same = F->ResultTypes[I] == P.Slots[P.Returns[I]].Ty;
  if (!Same)
    return fail(A, "the signature of @" + B.Entry + " is not the plan's");
  B.Source = std::move(*Text);
  return Error::success();
}

} // namespace

Expected<Bundle> readBundle(StringRef Data, StringRef Name) {
  return Reader(Name).read(Data);
}

} // namespace ircgpu
