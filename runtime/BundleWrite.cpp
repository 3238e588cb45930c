//===- runtime/BundleWrite.cpp - a bundle to its bytes --------------------===//
//
// The JSON is written field by field with json::OStream so that the order of
// the fields is the documented one (llvm::json::Value would sort them), and
// the short lists (slot ids, grid dimensions) stay on one line each.
// PlanStep fields are written only where they differ from their defaults,
// which keeps the file readable and loses nothing.
//
//===----------------------------------------------------------------------===//
#include "BundleFormat.h"

#include "ircgpu/Bundle.h"
#include "ircgpu/Literal.h"
#include "ircgpu/Printer.h"
#include "ircgpu/Version.h"

#include "llvm/Support/Base64.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace ircgpu {

using namespace bundle;

namespace {

class Writer {
public:
  explicit Writer(json::OStream &J) : J(J) {}
  void bundle(const Bundle &B);
  /// The first string that is not UTF-8 (JSON cannot hold it), if any.
  std::optional<std::string> BadString;

private:
  json::OStream &J;

  std::string str(StringRef S) {
    if (json::isUTF8(S))
      return S.str();
    if (!BadString)
      BadString = S.str();
    return json::fixUTF8(S);
  }
  /// Key: Value on one line, however deeply nested.
  void compact(StringRef Key, const json::Value &V) {
    J.attributeBegin(Key);
    J.rawValue([&](raw_ostream &OS) { OS << V; });
    J.attributeEnd();
  }
  static json::Array ids(ArrayRef<SlotId> Ids) {
    json::Array A;
    for (SlotId S : Ids)
      A.push_back(S);
    return A;
  }
  static json::Array dim(const GridDim &D) {
    return json::Array{D.LB, D.UB, D.Step};
  }
  void lines(StringRef Key, StringRef Text) {
    J.attributeArray(Key, [&] {
      for (const std::string &L : splitLines(Text))
        J.value(str(L));
    });
  }
  void slots(const Plan &P);
  void steps(StringRef Key, const std::vector<PlanStep> &Steps);
  void step(const PlanStep &S);
};

void Writer::bundle(const Bundle &B) {
  J.object([&] {
    J.attribute("compiler", compilerVersion());
    J.attribute("key", str(B.Key));
    J.attribute("entry", str(B.Entry));
    J.attribute("target", str(B.Options.Target));
    compact("options", json::Object{{"opt-level", B.Options.OptLevel},
                                    {"checked", B.Options.Checked},
                                    {"allow-sequential", B.AllowSequential}});
    J.attributeObject("plan", [&] {
      const Plan &P = B.P;
      J.attribute("entry", str(P.Entry));
      J.attribute("num-params", P.NumParams);
      slots(P);
      compact("returns", ids(P.Returns));
      steps("steps", P.Steps);
      lines("code", printModule(*P.Code));
    });
    J.attributeObject("code-object", [&] {
      J.attribute("format", codeFormatName(B.Code.Kind));
      J.attribute("size", int64_t(B.Code.Bytes.size()));
      J.attribute("base64", encodeBase64(B.Code.Bytes));
    });
    if (!B.Source.empty())
      lines("source", B.Source);
  });
}

/// One slot per line: {"type":"i64","name":"n"}, a constant with its value as
/// a VIR literal ({"type":"f32","const":"0.0"}), which reads back to the same
/// bits.
void Writer::slots(const Plan &P) {
  J.attributeArray("slots", [&] {
    for (const PlanSlot &S : P.Slots) {
      json::Object O{{"type", S.Ty.str()}};
      if (!S.Name.empty())
        O["name"] = str(S.Name);
      if (S.IsConst)
        O["const"] = S.Ty.isScalar() ? formatLiteral(S.Ty, S.Bits) : "?";
      J.rawValue([&](raw_ostream &OS) { OS << json::Value(std::move(O)); });
    }
  });
}

void Writer::steps(StringRef Key, const std::vector<PlanStep> &Steps) {
  if (Steps.empty())
    return;
  J.attributeArray(Key, [&] {
    for (const PlanStep &S : Steps)
      step(S);
  });
}

void Writer::step(const PlanStep &S) {
  const PlanStep Def;
  auto IsDefault = [](const GridDim &D) {
    return D.LB == ~0u && D.UB == ~0u && D.Step == ~0u;
  };
  J.object([&] {
    J.attribute("kind", stepKindName(S.Kind));
    if (S.Loc.Line || S.Loc.Col)
      compact("loc", json::Array{S.Loc.Line, S.Loc.Col});
    if (S.Func != Def.Func)
      J.attribute("func", S.Func);
    if (S.Sequential)
      J.attribute("sequential", true);
    if (!S.Grid.empty()) {
      json::Array G;
      for (const GridDim &D : S.Grid)
        G.push_back(dim(D));
      compact("grid", std::move(G));
    }
    if (!S.Args.empty())
      compact("args", ids(S.Args));
    if (!S.Results.empty())
      compact("results", ids(S.Results));
    if (!S.Reductions.empty()) {
      json::Array R;
      for (const ReductionSpec &Red : S.Reductions)
        R.push_back(json::Object{{"combine", opcodeName(Red.Combine)},
                                 {"type", Red.Ty.str()},
                                 {"init", Red.Init},
                                 {"result", Red.Result}});
      compact("reductions", std::move(R));
    }
    if (!IsDefault(S.Bounds))
      compact("bounds", dim(S.Bounds));
    if (S.Index != Def.Index)
      J.attribute("index", S.Index);
    steps("cond", S.Cond);
    if (S.CondSlot != Def.CondSlot)
      J.attribute("cond-slot", S.CondSlot);
    if (!S.Carried.empty())
      compact("carried", ids(S.Carried));
    if (!S.Inits.empty())
      compact("inits", ids(S.Inits));
    if (!S.Nexts.empty())
      compact("nexts", ids(S.Nexts));
    if (!S.LoopResults.empty())
      compact("loop-results", ids(S.LoopResults));
    if (!S.Disjoint.empty()) {
      json::Array D;
      for (auto [A, B] : S.Disjoint)
        D.push_back(json::Array{A, B});
      compact("disjoint", std::move(D));
    }
    steps("body", S.Body);
    steps("fallback", S.Fallback);
  });
}

} // namespace

bool isBundle(StringRef Data) {
  return Data.starts_with(BundleMagic) &&
         Data.drop_front(BundleMagic.size()).starts_with(" ");
}

Expected<std::string> writeBundle(const Bundle &B) {
  auto Fail = [&](const Twine &Msg) {
    return createStringError(inconvertibleErrorCode(),
                             "bundle of @" + B.Entry + ": " + Msg);
  };
  if (!B.P.Code)
    return Fail("the plan has no code module");
  std::string Body;
  raw_string_ostream OS(Body);
  std::optional<std::string> Bad;
  {
    json::OStream J(OS, /*IndentSize=*/2);
    Writer W(J);
    W.bundle(B);
    Bad = W.BadString;
  }
  OS << '\n';
  if (Bad)
    return Fail("a name or text is not UTF-8: '" + *Bad + "'");
  for (const PlanSlot &S : B.P.Slots)
    if (S.IsConst && !S.Ty.isScalar())
      return Fail("constant slot of type " + S.Ty.str());
  std::string Out = magicLine(BundleFormatVersion, Body) + "\n" + Body;
  // Whatever is written must load: the reader's checks are the plan's.
  auto Back = readBundle(Out, "bundle of @" + B.Entry);
  if (!Back)
    return Back.takeError();
  return Out;
}

} // namespace ircgpu
