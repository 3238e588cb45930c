//===- runtime/BundleFormat.h - names shared by bundle reader and writer -===//
//
// The spellings of the bundle format (docs/runtime.md, "Bundles") in one
// place, so that the writer and the reader cannot drift apart.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_RUNTIME_BUNDLEFORMAT_H
#define IRCGPU_RUNTIME_BUNDLEFORMAT_H

#include "ircgpu/Codegen.h"
#include "ircgpu/Plan.h"

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace ircgpu::bundle {

/// Plan nesting (plan loops and overlap checks inside each other) a reader
/// accepts: the outlined code cannot nest deeper, and it bounds the reader's
/// recursion.
inline constexpr unsigned MaxStepDepth = MaxNestingDepth;
/// JSON nesting a reader accepts before parsing (llvm::json recurses): a few
/// levels per plan level, plus the document's own.
inline constexpr unsigned MaxJSONDepth = 4 * MaxStepDepth + 16;

llvm::StringRef stepKindName(StepKind K);
std::optional<StepKind> parseStepKind(llvm::StringRef S);

llvm::StringRef codeFormatName(CodeObject::Format F);
std::optional<CodeObject::Format> parseCodeFormat(llvm::StringRef S);

/// Type::str() read back (`i32`, `ptr<f32>`), or an invalid Type.
Type parseType(llvm::StringRef S);

/// Opcodes a ReductionSpec may combine with, by opcodeName().
std::optional<Opcode> parseCombine(llvm::StringRef S);

/// VIR text as JSON lines: the text is the lines, each followed by '\n'.
std::vector<std::string> splitLines(llvm::StringRef Text);

/// The magic line: `irc-gpu-bundle VERSION blake3:HEX` (no newline).
std::string magicLine(unsigned Version, llvm::StringRef Body);
/// BLAKE3 of Body as 64 lowercase hex digits.
std::string checksum(llvm::StringRef Body);

} // namespace ircgpu::bundle

#endif
