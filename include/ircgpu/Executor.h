//===- ircgpu/Executor.h - run a launch plan on a GPU -----------*- C++ -*-===//
//
// The plan executor: a launch plan (Plan.h) whose code object is loaded on a
// Device, run with device-side arguments on a caller's stream. It binds the
// arguments, keeps the plan's slots in a device array (KernelABI.h), computes
// each kernel's launch shape from its grid, runs overlap checks on the host,
// launches kernels, reduction trees and single-thread scalar steps in order,
// drives plan loops, and reads the returned values back at the end
// (docs/runtime.md, "The plan executor").
//
// Host round trips happen only where the plan needs a value on the host: a
// grid bound or a `for` plan-loop bound computed on the device (one read
// before the launch or the loop), a `while` plan loop's condition (one flag
// per iteration), and the returned values (once, at the end).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_EXECUTOR_H
#define IRCGPU_EXECUTOR_H

#include "ircgpu/Device.h"
#include "ircgpu/KernelABI.h"
#include "ircgpu/Plan.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <mutex>
#include <vector>

namespace ircgpu {

/// One argument of the entry function, on the device.
struct DeviceArg {
  uint64_t Bits = 0;  ///< a scalar, in the ValueInfo::Bits layout
  DevicePtr Ptr = 0;  ///< a buffer: its first element
  uint64_t Count = 0; ///< a buffer: its element count
  static DeviceArg scalar(uint64_t Bits) { return {Bits, 0, 0}; }
  static DeviceArg buffer(DevicePtr Ptr, uint64_t Count) {
    return {0, Ptr, Count};
  }
};

/// How the executor launches a Grid device function DF whose dimensions
/// have Trips points each (outermost first): block shape and grid.
/// For a grid-stride DF, Grid.X is also the Blocks argument. Errors: a
/// dimension needing more blocks than one launch has (Name names the kernel).
struct GridLaunch {
  Dim3 Grid, Block;
};
llvm::Expected<GridLaunch> gridLaunch(const DeviceFunction &DF,
                                      llvm::ArrayRef<uint64_t> Trips,
                                      llvm::StringRef Name);

/// A plan with its code loaded on one device. Holds the module loaded until
/// destroyed; must not outlive the Device. One LoadedPlan may run on several
/// threads at once (each run has its own slot array).
class LoadedPlan {
public:
  /// Loads Image (PTX or a cubin made by the code generator for P with
  /// Checked) on Dev and finds every device function of P's ABI.
  static llvm::Expected<std::unique_ptr<LoadedPlan>>
  load(Device &Dev, Plan P, bool Checked, llvm::StringRef Image);
  ~LoadedPlan();

  const Plan &plan() const { return P; }
  const PlanABI &abi() const { return ABI; }
  Device &device() const { return Dev; }

  /// Runs the plan on S with one DeviceArg per entry parameter and returns
  /// the entry's results, in the ValueInfo::Bits layout. Waits for S at the
  /// end (the results are on the host). Errors: bad arguments (naming the
  /// parameter), launch failures and faults (RuntimeError), and in checked
  /// mode the first out-of-bounds access, as a RuntimeError naming the
  /// function, the buffer parameter and the index.
  llvm::Expected<std::vector<uint64_t>> run(llvm::ArrayRef<DeviceArg> Args,
                                            const Stream &S = Stream()) const;

  /// The kernel handles of the device functions of Plan::Code function F.
  struct Kernels {
    KernelHandle Main, Final;
  };
  const Kernels &kernels(uint32_t F) const { return Handles[F]; }

  /// The device memory of one run (slot array, partials, error record);
  /// opaque outside the executor.
  struct RunMemory;

private:
  LoadedPlan(Device &Dev, Plan P, PlanABI ABI);
  Device &Dev;
  Plan P;
  PlanABI ABI;
  ModuleHandle Module;
  std::vector<Kernels> Handles; ///< by Plan::Code function index

  /// Finished runs leave their device memory here for the next: an
  /// allocation costs more than most kernels, and cuMemFree waits for the
  /// whole device.
  mutable std::mutex PoolLock;
  mutable std::vector<std::unique_ptr<RunMemory>> Pool;
};

} // namespace ircgpu

#endif
