//===- runtime/BundleFormat.cpp - names shared by bundle reader and writer ===//
#include "BundleFormat.h"

#include "ircgpu/Bundle.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/BLAKE3.h"

using namespace llvm;

namespace ircgpu::bundle {

namespace {
struct KindName {
  StepKind K;
  StringLiteral Name;
};
constexpr KindName StepKinds[] = {
    {StepKind::Kernel, "kernel"},
    {StepKind::Scalar, "scalar"},
    {StepKind::ForLoop, "for"},
    {StepKind::WhileLoop, "while"},
    {StepKind::OverlapCheck, "overlap-check"},
};
constexpr Opcode Combines[] = {
    Opcode::Add,  Opcode::Mul,  Opcode::And,  Opcode::Or,   Opcode::Xor,
    Opcode::SMin, Opcode::SMax, Opcode::UMin, Opcode::UMax, Opcode::FAdd,
    Opcode::FMul, Opcode::FMin, Opcode::FMax};
} // namespace

StringRef stepKindName(StepKind K) {
  for (const KindName &N : StepKinds)
    if (N.K == K)
      return N.Name;
  return "?";
}

std::optional<StepKind> parseStepKind(StringRef S) {
  for (const KindName &N : StepKinds)
    if (N.Name == S)
      return N.K;
  return std::nullopt;
}

StringRef codeFormatName(CodeObject::Format F) {
  switch (F) {
  case CodeObject::Format::Cubin:
    return "cubin";
  case CodeObject::Format::Hsaco:
    return "hsaco";
  default:
    return "ptx";
  }
}

std::optional<CodeObject::Format> parseCodeFormat(StringRef S) {
  if (S == "ptx")
    return CodeObject::Format::PTX;
  if (S == "cubin")
    return CodeObject::Format::Cubin;
  if (S == "hsaco")
    return CodeObject::Format::Hsaco;
  return std::nullopt;
}

Type parseType(StringRef S) {
  for (unsigned I = 0; I <= unsigned(Scalar::F64); ++I)
    for (Type T : {Type::scalar(Scalar(I)), Type::ptr(Scalar(I))})
      if (T.str() == S)
        return T;
  return Type();
}

std::optional<Opcode> parseCombine(StringRef S) {
  for (Opcode C : Combines)
    if (opcodeName(C) == S)
      return C;
  return std::nullopt;
}

std::vector<std::string> splitLines(StringRef Text) {
  std::vector<std::string> Lines;
  while (!Text.empty()) {
    auto [Line, Rest] = Text.split('\n');
    Lines.push_back(Line.str());
    Text = Rest;
  }
  return Lines;
}

std::string magicLine(unsigned Version, StringRef Body) {
  return (BundleMagic + " " + Twine(Version) + " blake3:" + checksum(Body))
      .str();
}

std::string checksum(StringRef Body) {
  return toHex(BLAKE3::hash(arrayRefFromStringRef(Body)), /*LowerCase=*/true);
}

} // namespace ircgpu::bundle
