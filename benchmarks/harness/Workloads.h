//===- Workloads.h - the workloads of `irc-gpu bench` -----------*- C++ -*-===//
//
// Each workload is a VIR program as a VM would emit it
// (benchmarks/workloads/NAME.vir, embedded in the binary), a generator of
// seeded random inputs at a given size, the bytes or flops one run must
// move or do, and a check of a run's results against the host's answer
// (computed in double precision). Nothing here needs a GPU: the tests run
// every workload at its small size on the interpreter and the plan
// simulator through the same checks the harness applies to the GPU.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_BENCH_WORKLOADS_H
#define IRCGPU_BENCH_WORKLOADS_H

#include "ircgpu/Interpreter.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ircbench {

enum class Elem : uint8_t { F32, F64, I32 };
unsigned elemBytes(Elem E);

struct HostBuffer {
  std::string Name; ///< the entry parameter it is bound to
  Elem Ty = Elem::F32;
  std::vector<uint8_t> Bytes;
  uint64_t count() const { return Bytes.size() / elemBytes(Ty); }
  template <typename T> T *as() { return reinterpret_cast<T *>(Bytes.data()); }
  template <typename T> const T *as() const {
    return reinterpret_cast<const T *>(Bytes.data());
  }
};

/// One entry parameter's value: a scalar's bits (ValueInfo::Bits layout) or
/// an index into Instance::Buffers.
struct Param {
  bool IsBuffer = false;
  uint64_t Bits = 0;
  unsigned Buffer = 0;
};

/// A workload at one size with its inputs.
struct Instance {
  std::vector<uint64_t> Dims;      ///< n, or (h, w) for the stencil
  std::vector<Param> Params;       ///< one per entry parameter, in order
  std::vector<HostBuffer> Buffers; ///< initial contents (outputs poisoned)
  std::vector<unsigned> Outputs;   ///< buffers the run writes
  uint64_t Bytes = 0;              ///< each input read once + each output
                                   ///< written once
  double Flops = 0;                ///< matmul: 2 n^3
  uint64_t Elements = 0;           ///< the `n` of the JSON records
  std::string sizeString() const;  ///< "67108864", "8192x8192"
};

/// What a run left: the buffers (indexed as Instance::Buffers; only the
/// outputs need be filled) and the returned values (ValueInfo::Bits).
struct Result {
  std::vector<HostBuffer> Buffers;
  std::vector<uint64_t> Returns;
};

enum class Metric : uint8_t { GBps, TFLOPs };

struct Workload {
  const char *Name;
  const char *Entry;
  const char *Summary;
  Metric M;
  std::vector<uint64_t> Full;  ///< the benchmark's size
  std::vector<uint64_t> Small; ///< for tests and --dry-run
  Instance (*Make)(llvm::ArrayRef<uint64_t> Dims, uint64_t Seed);
  /// "" when R is right for In (within the workload's bounds), else what is
  /// wrong (the first bad element, the value and the expected value).
  std::string (*Check)(const Instance &In, const Result &R);
};

/// All workloads, in the order the harness runs them.
llvm::ArrayRef<Workload> workloads();
/// nullptr if there is none of that name.
const Workload *findWorkload(llvm::StringRef Name);
/// The VIR text of a workload (benchmarks/workloads/NAME.vir, embedded).
llvm::StringRef workloadSource(llvm::StringRef Name);

/// The interpreter's arguments for In, bound to the buffers of R (which must
/// be a copy of In.Buffers).
std::vector<ircgpu::InterpArg> interpArgs(const Instance &In, Result &R);

} // namespace ircbench

#endif
