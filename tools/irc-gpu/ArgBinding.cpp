//===- ArgBinding.cpp - `--arg` and `--out` of `irc-gpu run` --------------===//
#include "ArgBinding.h"

#include "Tool.h"

#include "ircgpu/Literal.h"

#include "llvm/ADT/STLExtras.h"

using namespace llvm;
using namespace ircgpu;

namespace irctool {

namespace {

struct Spec {
  std::string Text; ///< as given, for messages
  StringRef Name, Value;
};

/// Splits `NAME=VALUE` (NAME may be written `%NAME`).
Expected<Spec> splitSpec(StringRef Option, StringRef Text, StringRef Form) {
  auto [Name, Value] = Text.split('=');
  if (Name.size() == Text.size() || Name.empty() || Value.empty() ||
      Value == "@")
    return usageError(Option + " '" + Text + "': expected " + Form);
  Name.consume_front("%");
  return Spec{Text.str(), Name, Value};
}

std::string paramList(const Function &F) {
  std::string L;
  for (Value P : F.Params)
    L += (L.empty() ? "%" : ", %") + F.name(P).str();
  return L.empty() ? "no parameters" : "parameters " + L;
}

Expected<unsigned> findParam(const Function &F, StringRef Option,
                             const Spec &S) {
  for (unsigned I = 0; I < F.Params.size(); ++I)
    if (F.name(F.Params[I]) == S.Name)
      return I;
  return usageError(Option + " " + S.Text + ": @" + F.Name +
                    " has no parameter %" + S.Name + " (it has " +
                    paramList(F) + ")");
}

std::string describe(const Function &F, unsigned I) {
  return "parameter %" + F.name(F.Params[I]).str() + " (" +
         F.type(F.Params[I]).str() + ")";
}

Expected<NpyArray> readBuffer(const Function &F, unsigned I, const Spec &S) {
  Type Ty = F.type(F.Params[I]);
  StringRef Path = S.Value.drop_front();
  if (Path.empty())
    return inputError("--arg " + S.Text + ": expected a .npy file after '@'");
  auto Want = npyDescrFor(Ty.elem());
  if (!Want)
    return inputError("--arg " + S.Text + ": " + describe(F, I) +
                      " cannot be bound to a .npy file");
  auto A = readNpy(Path);
  if (!A)
    return A.takeError();
  if (!npyDescrMatches(A->Descr, Ty.elem())) {
    std::string Have = npyTypeName(A->Descr);
    return inputError("--arg " + S.Text + ": " + describe(F, I) +
                      " needs dtype '" + *Want + "' (" + npyTypeName(*Want) +
                      "), but '" + Path + "' holds dtype '" + A->Descr + "'" +
                      (Have.empty() ? std::string() : " (" + Have + ")"));
  }
  return A;
}

} // namespace

Expected<Bindings> bindArguments(const Function &F,
                                 ArrayRef<std::string> ArgSpecs,
                                 ArrayRef<std::string> OutSpecs) {
  // Usage first: every name must exist, be bound once, and buffers only
  // may be written back.
  unsigned N = F.Params.size();
  std::vector<std::optional<Spec>> ArgOf(N), OutOf(N);
  for (const std::string &Text : ArgSpecs) {
    auto S = splitSpec("--arg", Text, "NAME=VALUE or NAME=@FILE.npy");
    if (!S)
      return S.takeError();
    auto I = findParam(F, "--arg", *S);
    if (!I)
      return I.takeError();
    if (ArgOf[*I])
      return usageError("parameter %" + S->Name + " is bound twice (--arg " +
                        ArgOf[*I]->Text + " and --arg " + S->Text + ")");
    ArgOf[*I] = *S;
  }
  for (const std::string &Text : OutSpecs) {
    auto S = splitSpec("--out", Text, "NAME=PATH");
    if (!S)
      return S.takeError();
    auto I = findParam(F, "--out", *S);
    if (!I)
      return I.takeError();
    if (!F.type(F.Params[*I]).isPtr())
      return usageError("--out " + S->Text + ": " + describe(F, *I) +
                        " is not a buffer");
    if (OutOf[*I])
      return usageError("--out: parameter %" + S->Name +
                        " is written twice (--out " + OutOf[*I]->Text +
                        " and --out " + S->Text + ")");
    OutOf[*I] = *S;
  }
  for (unsigned I = 0; I < N; ++I)
    if (!ArgOf[I]) {
      bool Buf = F.type(F.Params[I]).isPtr();
      return usageError("@" + F.Name + ": " + describe(F, I) +
                        " is not bound (pass --arg " + F.name(F.Params[I]) +
                        (Buf ? "=@FILE.npy)" : "=VALUE)"));
    }

  // Then the values.
  Bindings B;
  B.Buffers.resize(N);
  for (unsigned I = 0; I < N; ++I) {
    const Spec &S = *ArgOf[I];
    Type Ty = F.type(F.Params[I]);
    bool IsFile = S.Value.starts_with("@");
    if (Ty.isPtr()) {
      if (!IsFile)
        return inputError("--arg " + S.Text + ": " + describe(F, I) +
                          " is a buffer: pass a .npy file as --arg " + S.Name +
                          "=@FILE.npy");
      auto A = readBuffer(F, I, S);
      if (!A)
        return A.takeError();
      B.Args.push_back(InterpArg::buffer(A->Data, A->Count));
      B.Buffers[I] = std::move(*A);
      continue;
    }
    if (IsFile)
      return inputError("--arg " + S.Text + ": " + describe(F, I) +
                        " is a scalar: pass a value, not a file");
    auto Bits = parseLiteral(S.Value, Ty);
    if (!Bits)
      return inputError("--arg " + S.Text + ": " + describe(F, I) + ": " +
                        toString(Bits.takeError()));
    B.Args.push_back(InterpArg::scalar(*Bits));
  }
  for (unsigned I = 0; I < N; ++I)
    if (OutOf[I])
      B.Outs.push_back({I, OutOf[I]->Value.str()});
  return B;
}

Error writeOutputs(const Function &F, const Bindings &B) {
  for (const Bindings::Out &O : B.Outs) {
    const NpyArray &A = B.Buffers[O.Param];
    // The canonical dtype of the element type ('|i1' even if '<i1' came in).
    StringRef Descr = *npyDescrFor(F.type(F.Params[O.Param]).elem());
    if (Error E = writeNpy(O.Path, Descr, A.Data, A.Count, A.ElemBytes))
      return E;
  }
  return Error::success();
}

} // namespace irctool
