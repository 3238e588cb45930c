//===- ir/Diagnostics.cpp - user errors with a location -------------------===//
//
// Diagnostics print as clang prints them: the location line, the source line
// and a caret under the offending byte. Source lines may hold anything (the CLI
// reads arbitrary files), so the echoed line is made safe for a terminal and
// cut to a window around the column when it is long.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Diagnostics.h"

#include <algorithm>
#include <cstring>

using namespace ircgpu;
using llvm::StringRef;

char DiagnosticError::ID = 0;
char RuntimeError::ID = 0;

void DiagnosticError::log(llvm::raw_ostream &OS) const {
  bool First = true;
  for (const Diagnostic &D : Diags) {
    if (!First)
      OS << '\n';
    First = false;
    if (D.Loc.isValid())
      OS << D.Loc.Line << ':' << D.Loc.Col << ": ";
    OS << D.Message;
  }
}

std::error_code DiagnosticError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

std::error_code RuntimeError::convertToErrorCode() const {
  return llvm::inconvertibleErrorCode();
}

/// The text of 1-based line Line, without its line terminator; empty when the
/// source has fewer lines (a location at end of input).
static StringRef findLine(StringRef Source, uint32_t Line) {
  const char *P = Source.data(), *End = P + Source.size();
  for (uint32_t L = 1; L < Line; ++L) {
    const void *NL = std::memchr(P, '\n', End - P);
    if (!NL)
      return StringRef();
    P = static_cast<const char *>(NL) + 1;
  }
  const void *NL = std::memchr(P, '\n', End - P);
  StringRef Text(P, NL ? static_cast<const char *>(NL) - P : End - P);
  if (Text.ends_with("\r"))
    Text = Text.drop_back();
  return Text;
}

/// Lines longer than this are shown as a window around the column.
static constexpr size_t MaxShownLine = 160;

void ircgpu::printDiagnostic(llvm::raw_ostream &OS, StringRef FileName,
                             StringRef Source, const Diagnostic &D) {
  const char *Kind = D.IsNote ? "note" : "error";
  if (!D.Loc.isValid()) {
    OS << FileName << ": " << Kind << ": " << D.Message << '\n';
    return;
  }
  OS << FileName << ':' << D.Loc.Line << ':' << D.Loc.Col << ": " << Kind
     << ": " << D.Message << '\n';

  StringRef Line = findLine(Source, D.Loc.Line);
  // Column of the caret as a 0-based byte offset; an end-of-line location sits
  // just past the last byte.
  size_t Caret = std::min<size_t>(D.Loc.Col - 1, Line.size());
  size_t Begin = 0, End = Line.size();
  if (Line.size() > MaxShownLine) {
    Begin = Caret > MaxShownLine / 2 ? Caret - MaxShownLine / 2 : 0;
    End = std::min(Line.size(), Begin + MaxShownLine);
    if (End - Begin < MaxShownLine)
      Begin = End - MaxShownLine;
  }
  std::string Shown, Under;
  if (Begin > 0) {
    Shown += "...";
    Under += "   ";
  }
  for (size_t I = Begin; I < End; ++I) {
    unsigned char C = Line[I];
    // Tabs are kept (the caret line copies them, so the caret lines up);
    // other control bytes and non-ASCII bytes could move the cursor or be
    // half a UTF-8 sequence, so each shows as one '?' (columns count bytes).
    bool Printable = C == '\t' || (C >= 0x20 && C < 0x7f);
    Shown += Printable ? static_cast<char>(C) : '?';
    if (I < Caret)
      Under += C == '\t' ? '\t' : ' ';
  }
  if (End < Line.size())
    Shown += "...";
  Under += '^';
  OS << Shown << '\n' << Under << '\n';
}

void ircgpu::printDiagnostics(llvm::raw_ostream &OS, StringRef FileName,
                              StringRef Source, llvm::Error E) {
  llvm::handleAllErrors(
      std::move(E),
      [&](const DiagnosticError &DE) {
        for (const Diagnostic &D : DE.diagnostics())
          printDiagnostic(OS, FileName, Source, D);
      },
      [&](const llvm::ErrorInfoBase &EI) {
        printDiagnostic(OS, FileName, Source,
                        Diagnostic{SrcLoc(), EI.message()});
      });
}
