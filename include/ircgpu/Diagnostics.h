//===- ircgpu/Diagnostics.h - user errors with a location -------*- C++ -*-===//
//
// User errors (bad VIR) are values: a DiagnosticError carries one or more
// located messages. Internal errors are asserts; run-time faults of a program
// are RuntimeError. The CLI prints diagnostics as clang does:
//   FILE:LINE:COL: error: MESSAGE
//   <the source line>
//        ^
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_DIAGNOSTICS_H
#define IRCGPU_DIAGNOSTICS_H

#include "ircgpu/IR.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace ircgpu {

struct Diagnostic {
  SrcLoc Loc;
  std::string Message;
  /// A note adds to the error before it (printed `note:` rather than
  /// `error:`), e.g. where the dependence that refused a loop is.
  bool IsNote = false;
};

/// One or more diagnostics; the first is the one that matters most.
class DiagnosticError : public llvm::ErrorInfo<DiagnosticError> {
public:
  static char ID;
  explicit DiagnosticError(std::vector<Diagnostic> Diags)
      : Diags(std::move(Diags)) {}
  DiagnosticError(SrcLoc Loc, std::string Msg) {
    Diags.push_back({Loc, std::move(Msg)});
  }
  void log(llvm::raw_ostream &OS) const override;
  std::error_code convertToErrorCode() const override;
  const std::vector<Diagnostic> &diagnostics() const { return Diags; }

private:
  std::vector<Diagnostic> Diags;
};

/// A fault of a running program (out-of-bounds access, device failure):
/// exit status 3 from the CLI.
class RuntimeError : public llvm::ErrorInfo<RuntimeError> {
public:
  static char ID;
  explicit RuntimeError(std::string Msg) : Msg(std::move(Msg)) {}
  void log(llvm::raw_ostream &OS) const override { OS << Msg; }
  std::error_code convertToErrorCode() const override;
  std::string message() const override { return Msg; }

private:
  std::string Msg;
};

/// Prints D as `FILE:LINE:COL: error: MSG`, then the source line (control
/// bytes shown as '?', long lines cut around the column) and a caret.
/// Diagnostics without a location print as `FILE: error: MSG`.
void printDiagnostic(llvm::raw_ostream &OS, llvm::StringRef FileName,
                     llvm::StringRef Source, const Diagnostic &D);

/// Prints every diagnostic of E (a DiagnosticError, or any other error as a
/// location-less message) and consumes E.
void printDiagnostics(llvm::raw_ostream &OS, llvm::StringRef FileName,
                      llvm::StringRef Source, llvm::Error E);

} // namespace ircgpu

#endif
