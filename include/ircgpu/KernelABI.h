//===- ircgpu/KernelABI.h - how the host calls a plan's device code -*- C++
//-*-=//
//
// The contract between the code generators (codegen/) and the plan executor
// (runtime/): for every Kernel and Scalar step of a launch plan, which device
// functions exist, how each is launched, and what each of its parameters is.
// It is a pure function of the plan and the options (computePlanABI), so a
// module loaded from the cache needs nothing stored beside its code.
//
// Slots on the device. The executor keeps every slot of the plan in one
// device array of 8-byte words (the *slot array*): slot S's value is stored
// in its own type at byte offset 8 * S (an i1 as one byte, 0 or 1); the rest
// of the word is unspecified. Scalar steps and reductions write their results
// there, so scalar code between kernels needs no host round trip.
//
// Host-known slots — entry parameters, constants, plan-loop indices, and
// every buffer slot (buffers only ever come from parameters, and plan loops
// swap them on the host) — are passed to device functions by value, and
// never stored in the slot array (nothing uploads them). Every other slot (a
// scalar step's result, a reduction's result, a plan loop's carried value, a
// `while` condition) is read by the device function from the slot array. Grid
// bounds are always passed by value (LB, Step and the trip count): a bound that
// is not host-known is read back before the launch (one synchronisation each).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_KERNELABI_H
#define IRCGPU_KERNELABI_H

#include "ircgpu/Plan.h"

#include <optional>
#include <string>
#include <vector>

namespace ircgpu {

/// The reduction tree's shape (docs/passes.md, "Reduction order").
inline constexpr unsigned ReductionBlock = 256;
inline constexpr unsigned ReductionMaxBlocks = 1024;
/// The most threads of any block the executor launches (reduction blocks,
/// and every grid-kernel block shape of runtime/PlanExecutor.cpp): targets
/// that size registers by the largest block (AMDGPU's
/// amdgpu-flat-work-group-size) promise the backend no more.
inline constexpr unsigned MaxBlockThreads = 256;

/// Blocks of a reduction tree (ReductionBlock threads) that must fit one
/// multiprocessor at once: the code generator caps registers for it.
inline constexpr unsigned TreeBlocksPerSM = 8;

/// What the host passes for one parameter of a device function.
enum class ParamKind : uint8_t {
  SlotArray,   ///< the device slot array (a device pointer)
  ErrorRecord, ///< checked mode: the device error record (a device pointer)
  GridLB,      ///< Slot's value, by value, of the bound's type (i32/i64)
  GridTrips,   ///< the dimension's trip count, i64, computed by the executor
               ///< from LB, UB (Slot) and Step, so that no thread divides
  GridStep,    ///< as GridLB
  Value,       ///< Slot's value by value: a scalar of its type, or a buffer's
               ///< device pointer
  Count,       ///< checked mode: buffer Slot's element count (i64)
  Partials,    ///< reductions: the partial-results scratch (a device pointer)
  Blocks,      ///< reductions: G, the number of blocks of the Tree launch (i64)
};

struct KernelParam {
  ParamKind Kind;
  SlotId Slot =
      ~0u; ///< GridLB/Step: the bound; GridTrips: the UB; Value, Count
};

/// How a device function is launched.
enum class LaunchShape : uint8_t {
  Grid,   ///< one thread per grid point: the plan's last dimension is x,
          ///< the one before y, the first of three z (any block shape)
  Tree,   ///< G = min(ceil(N / 256), 1024) blocks of 256 threads, 1-D, where
          ///< N is the number of grid points; not launched when N == 0
  Single, ///< one block of one thread
  Final,  ///< one block of 256 threads (combines a Tree's partials)
};

struct DeviceFunction {
  std::string Name; ///< the symbol in the code object
  LaunchShape Shape = LaunchShape::Grid;
  std::vector<KernelParam> Params;
  /// Grid kernels: grid points per thread along x. A block of B threads
  /// covers B * PointsPerThread consecutive points of the last dimension;
  /// thread t takes t, t + B, t + 2B, ... of them (each step coalesced), so
  /// the launch needs that many times fewer blocks in x.
  unsigned PointsPerThread = 1;
  /// 1-D grid kernels that privatise atomics (docs/codegen.md): launched
  /// with at most GridStrideMaxBlocks blocks, their count in a Blocks
  /// parameter; each thread takes its next group of PointsPerThread points
  /// Blocks * B * PointsPerThread further on until the trip count, so that a
  /// block zeroes and flushes its shared bins once for many points.
  bool GridStride = false;
};

/// The most blocks of a grid-stride kernel: about 8 blocks of 256 threads
/// on each multiprocessor of a large GPU (132 on an H100/H200), enough to
/// keep it busy.
inline constexpr unsigned GridStrideMaxBlocks = 1024;

/// Points per thread of 1-D grid kernels: independent bodies in flight in
/// one thread (memory-level parallelism) and fewer blocks to schedule.
inline constexpr unsigned GridPointsPerThread = 4;

/// The device code of one Kernel or Scalar step.
struct StepCode {
  DeviceFunction Main;
  /// Kernels with reductions: the function that combines the Tree's
  /// per-block partials and writes each ReductionSpec::Result slot.
  std::optional<DeviceFunction> Final;
};

/// Layout of the partial-results scratch: reduction R of a kernel step keeps
/// its block results at byte offset (R * ReductionMaxBlocks + b) * 8, each in
/// its own type.
inline constexpr uint64_t partialsOffset(unsigned Reduction, unsigned Block) {
  return (uint64_t(Reduction) * ReductionMaxBlocks + Block) * 8;
}

/// Checked mode's device error record (docs/runtime.md): the first
/// out-of-bounds access wins the Flag (0 -> 1) and fills the rest.
struct DeviceErrorRecord {
  uint32_t Flag;   ///< 0: no error
  uint32_t Func;   ///< index of the function in Plan::Code
  uint32_t Param;  ///< index of the buffer parameter of that function
  uint32_t Access; ///< 0 load, 1 store, 2 atomic, 3 cmpxchg
  int64_t Index;   ///< the element index, relative to the buffer's start
  uint64_t Count;  ///< the buffer's element count
};

struct PlanABI {
  bool Checked = false;
  /// Indexed like Plan::Code->Functions: the code of the step that runs that
  /// function (Kernel or Scalar steps), or nothing.
  std::vector<std::optional<StepCode>> Code;
  /// Host-known slots (see above), indexed by slot.
  std::vector<bool> HostKnown;
  /// The most reductions any one kernel has (sizes the partials scratch).
  unsigned MaxReductions = 0;
};

/// The trip count a GridTrips parameter carries: the iterations of `for i =
/// LB to UB step Step` with IndexTy (i32/i64) bounds, as the interpreter
/// counts them (0 for a non-positive step or an empty range).
uint64_t gridTripCount(Type IndexTy, uint64_t LB, uint64_t UB, uint64_t Step);

/// The ABI of every device function of P. Codegen emits exactly these
/// functions with exactly these parameters; the executor launches them.
PlanABI computePlanABI(const Plan &P, bool Checked);

} // namespace ircgpu

#endif
