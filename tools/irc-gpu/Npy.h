//===- Npy.h - NumPy .npy files for `irc-gpu run` ---------------*- C++ -*-===//
//
// Reads format versions 1.0, 2.0 and 3.0 (little-endian, C order, any shape,
// flattened) and writes 1-D version 1.0 files as numpy.save does: the header
// is padded with spaces so that the data starts at a multiple of 64 bytes.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_TOOLS_NPY_H
#define IRCGPU_TOOLS_NPY_H

#include "ircgpu/IR.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <optional>

namespace irctool {

/// The contents of a .npy file, in place in a writable (private, copy on
/// write) mapping of the file.
struct NpyArray {
  std::string Descr;           ///< e.g. "<f4"
  std::vector<uint64_t> Shape; ///< as written; the data is flattened
  uint64_t Count = 0;          ///< number of elements
  unsigned ElemBytes = 0;
  void *Data = nullptr; ///< aligned to ElemBytes
  std::unique_ptr<llvm::WritableMemoryBuffer> Storage;
};

/// Reads Path; every error names the file.
llvm::Expected<NpyArray> readNpy(llvm::StringRef Path);

/// Parses an in-memory .npy image (Name is used in messages). Buf must stay
/// alive as long as the result; its data may be moved within Buf to align it.
llvm::Expected<NpyArray> parseNpy(llvm::MutableArrayRef<char> Buf,
                                  llvm::StringRef Name);

/// Writes Count elements at Data as a 1-D version 1.0 .npy file.
llvm::Error writeNpy(llvm::StringRef Path, llvm::StringRef Descr,
                     const void *Data, uint64_t Count, unsigned ElemBytes);

/// The numpy dtype a buffer of element type S takes (`<f4` for f32, `|i1`
/// for i8), or nullopt where numpy has none (i1, f16).
std::optional<llvm::StringRef> npyDescrFor(ircgpu::Scalar S);

/// Whether a file's dtype Descr matches element type S exactly (for i8,
/// `<i1` is accepted as well as `|i1`).
bool npyDescrMatches(llvm::StringRef Descr, ircgpu::Scalar S);

/// `float32`, `int64`, ... for a descr numpy writes, or "" if unknown.
std::string npyTypeName(llvm::StringRef Descr);

} // namespace irctool

#endif
