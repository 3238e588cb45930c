//===- References.h - the hand-written CUDA references -----------*- C++ -*-=//
//
// How each workload's kernels in refs.cubin (benchmarks/refs/refs.cu) are
// launched over the harness's device buffers, and a raw launch of an
// irc-gpu plan's single kernel (for kernel-only times and the launch
// overhead). GPU only.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_BENCH_REFERENCES_H
#define IRCGPU_BENCH_REFERENCES_H

#include "Workloads.h"

#include "ircgpu/Device.h"
#include "ircgpu/Executor.h"

#include <functional>
#include <memory>

namespace ircbench {

/// A kernel launch with its parameters, one 64-bit word each (the driver
/// reads as many low bytes as the parameter has).
struct Launch {
  ircgpu::KernelHandle K;
  ircgpu::Dim3 Grid, Block;
  unsigned SharedBytes = 0;
  std::vector<uint64_t> Words;
  llvm::Error enqueue(ircgpu::Device &Dev, const ircgpu::Stream &S) const;
};

/// One hand-written reference of a workload, bound to its buffers.
struct Reference {
  std::string Name; ///< "cuda", "cuda-global-atomics"
  /// Scratch (reduction results), zeroed first in every run, then the
  /// launches, in order.
  std::vector<ircgpu::DeviceBuffer> Scratch;
  std::vector<Launch> Launches;
  /// After the stream has finished: the values the VIR entry would return.
  std::function<llvm::Expected<std::vector<uint64_t>>()> Returns;
  llvm::Error enqueue(ircgpu::Device &Dev, const ircgpu::Stream &S) const;
};

/// The references of W over Bufs (indexed as In.Buffers), with kernels from
/// the loaded refs module.
llvm::Expected<std::vector<Reference>>
makeReferences(ircgpu::Device &Dev, ircgpu::ModuleHandle Refs,
               const Workload &W, const Instance &In,
               const std::vector<ircgpu::DeviceBuffer> &Bufs);

/// The launch the executor makes for a plan that is one Grid kernel whose
/// parameters are all host-known (entry parameters and constants), or an
/// error saying why the plan is not of that kind.
llvm::Expected<Launch> rawPlanLaunch(const ircgpu::LoadedPlan &LP,
                                     llvm::ArrayRef<ircgpu::DeviceArg> Args);

} // namespace ircbench

#endif
