//===- ircgpu/Bundle.h - a compiled entry as one file -----------*- C++ -*-===//
//
// A bundle is what `irc-gpu compile` writes by default and what the runtime
// loads: one entry function's launch plan, its code object and everything
// needed to check that they belong together, so that running it needs none of
// the compiler's passes (LoadedPlan::load(Dev, B.P, B.Options.Checked,
// B.Code.Bytes), or simulatePlan(B.P, ...)).
//
// The format (docs/runtime.md, "Bundles") is text: a magic line with the
// format version and a BLAKE3 checksum of the rest, then one JSON document
// (the plan's outlined code and the source module as VIR lines, the code
// object in base64). Reading checks all of it — the checksum, the compiler
// version, every slot id, function index and type of the plan, that no step
// writes a host-known slot (KernelABI.h), and the outlined code through the
// verifier — so a truncated, corrupted or hostile file is an error naming the
// file and what is wrong, never a crash. The code object is not checked
// against the plan: a mismatch shows at LoadedPlan::load (docs/runtime.md,
// "Bundles", says what is and is not checked).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_BUNDLE_H
#define IRCGPU_BUNDLE_H

#include "ircgpu/Codegen.h"
#include "ircgpu/Plan.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace ircgpu {

/// The format version this build writes and reads.
inline constexpr unsigned BundleFormatVersion = 1;

/// The first bytes of every bundle (then ` VERSION blake3:HEX\n`).
inline constexpr llvm::StringLiteral BundleMagic = "irc-gpu-bundle";

struct Bundle {
  /// The compiler that made it (writeBundle writes compilerVersion());
  /// readBundle refuses any other, since the plan's device ABI
  /// (computePlanABI) is the compiler's.
  std::string CompilerVersion;
  std::string Key;        ///< the module hash (the module cache's key)
  std::string Entry;      ///< the entry function, as in P.Entry
  CodegenOptions Options; ///< target, -O level, checked mode
  bool AllowSequential = false;
  Plan P;
  CodeObject Code;
  /// The canonical VIR text of the module the entry came from, or "": lets a
  /// bundle run on the interpreter, and gives `run` the entry's signature.
  std::string Source;
};

/// Whether Data starts like a bundle (the magic), whatever its version.
bool isBundle(llvm::StringRef Data);

/// The bundle file's bytes, made by this compiler. The result is read back
/// before it is returned, so every bundle written loads; an invalid plan is an
/// error. Writing what readBundle returned gives the same bytes.
llvm::Expected<std::string> writeBundle(const Bundle &B);

/// Parses and checks a bundle; Name (the file) starts every error message.
llvm::Expected<Bundle> readBundle(llvm::StringRef Data, llvm::StringRef Name);

} // namespace ircgpu

#endif
