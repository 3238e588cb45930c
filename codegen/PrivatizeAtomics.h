//===- codegen/PrivatizeAtomics.h - histograms in shared memory -*- C++ -*-===//
//
// The analysis behind shared-memory privatisation of atomic histograms in
// grid kernels (docs/codegen.md, "Privatised atomics"). A buffer parameter
// of a grid kernel's outlined function is privatisable when every use of it
// is an `atomic add` whose result is unused and whose index lies in a small
// range [0, R) that a tiny range analysis proves. The grid-kernel emitter
// (EmitKernels.cpp) then gives each such buffer a block-private array of R
// counters in shared memory, and the lowering (LowerFunction.h,
// PrivateBuffers) sends the atomics there.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CODEGEN_PRIVATIZEATOMICS_H
#define IRCGPU_CODEGEN_PRIVATIZEATOMICS_H

#include "ircgpu/IR.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace ircgpu {

/// The most bins one privatised buffer may have.
inline constexpr uint64_t MaxPrivateBins = 4096;
/// The most shared memory all privatised buffers of one kernel may take
/// together (the static shared-memory limit of a CUDA block, 48 KiB).
inline constexpr uint64_t MaxPrivateBytes = 48 * 1024;

/// An inclusive bound M such that integer value V of F always lies in
/// [0, M], read as signed and as unsigned alike (so M < 2^(bits - 1));
/// nothing when the analysis cannot tell. It knows literals and `const`,
/// `and` with a bounded operand, `urem` by a positive literal, `umin` with a
/// bounded operand, `zext` (of a bounded value, or its source's full
/// unsigned range) and `sext`/`trunc` of a bounded value where the bound
/// survives; everything else (loads, parameters, loop indices) is unknown.
std::optional<uint64_t> indexUpperBound(const Function &F, Value V);

/// One buffer parameter to privatise.
struct PrivatizedBuffer {
  unsigned Param; ///< index of the buffer parameter in F
  uint32_t Bins;  ///< R: every index of its atomics lies in [0, R)
  Type Elem;      ///< i32 or i64
};

/// The buffer parameters of grid-kernel body F (parameters FirstArg and
/// later: those before are the grid indices) whose every use is `atomic add
/// %h[%idx], %v` with an unused result and an index of indexUpperBound <
/// MaxPrivateBins, of element type i32 or i64, in parameter order. The VM's
/// promises make block-private counters invisible: %h must be `noalias`, or
/// every other buffer the body uses `readonly`. Buffers are taken in order
/// while their arrays fit MaxPrivateBytes together.
std::vector<PrivatizedBuffer> findPrivatizableAtomics(const Function &F,
                                                      unsigned FirstArg);

} // namespace ircgpu

#endif
