//===- ircgpu/Hash.h - the content hash of a module -------------*- C++ -*-===//
#ifndef IRCGPU_HASH_H
#define IRCGPU_HASH_H

#include "ircgpu/IR.h"

#include <string>
#include <vector>

namespace ircgpu {

/// What besides the module goes into the key of the compiled-module cache.
struct HashInputs {
  std::string Entry;                ///< entry function name ("" = none)
  std::string Target;               ///< e.g. "sm_90", "gfx90a", "" = none
  std::vector<std::string> Options; ///< compile options; order does not matter
};

/// BLAKE3 of a name-free canonical encoding of M (values numbered in
/// definition order, literals by type and bits), the inputs above and the
/// compiler version, as 64 lowercase hex digits. Invariant under renaming of
/// values, formatting and comments; any semantic change changes it.
std::string moduleHash(const Module &M, const HashInputs &In);

} // namespace ircgpu

#endif
