//===- runtime/BundleRead.cpp - a bundle from its bytes, checked ----------===//
//
// A bundle comes from a file, which may be truncated, damaged or made by
// someone else, and what it holds goes straight to the executor, which
// trusts its plan (slot ids index arrays, function indices index the code).
// So everything is checked, in this order: the magic line and format
// version, the checksum, the JSON's nesting (llvm::json's parser recurses),
// the JSON, the compiler version, then each field (the plan in
// BundleReadPlan.cpp), the code object, and the source module. This file is
// the document; BundleReader.h says where the rest is.
//
//===----------------------------------------------------------------------===//
#include "BundleFormat.h"
#include "BundleReader.h"

#include "ircgpu/Bundle.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/ModuleCache.h"
#include "ircgpu/Parser.h"
#include "ircgpu/Version.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Base64.h"
#include "llvm/Support/JSON.h"

using namespace llvm;

namespace ircgpu {

namespace bundle {

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

namespace {

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

} // namespace

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
  if (!isValidCacheKey(*Key))
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

//===-- code object and source --------------------------------------------===//

Error Reader::codeObject(const json::Object &O, const At &A) {
  if (Error E = onlyKeys(O, A, {"format", "size", "base64"}))
    return E;
  auto Format = string(O.get("format"), field(A, "format"));
  if (!Format)
    return Format.takeError();
  auto Kind = parseCodeFormat(*Format);
  if (!Kind)
    return fail(field(A, "format"), "unknown format '" + *Format +
                                        "' (expected ptx, cubin or hsaco)");
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

} // namespace bundle

Expected<Bundle> readBundle(StringRef Data, StringRef Name) {
  return bundle::Reader(Name).read(Data);
}

} // namespace ircgpu
