//===- ircgpu/Simulator.h - run a launch plan on the CPU --------*- C++ -*-===//
//
// The plan simulator executes a plan as a GPU would, on the CPU, so that CI
// (which has no GPU) catches a wrong independence proof or a wrong reduction:
// every kernel runs its outlined function (through the reference
// interpreter) at every point of its grid, visiting the points in a shuffled
// order (seeded); reductions combine the points' contributions in the fixed
// tree order of docs/passes.md, the order the GPU code uses; atomics are
// atomics. Its results must equal the interpreter's wherever the spec defines
// the bits (everything but `reassoc` float reductions).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_SIMULATOR_H
#define IRCGPU_SIMULATOR_H

#include "ircgpu/Interpreter.h"
#include "ircgpu/Plan.h"

#include "llvm/Support/Error.h"

namespace ircgpu {

struct SimOptions {
  uint64_t Seed = 1; ///< for the order in which grid points are visited
};

/// Runs P on host buffers and scalars (one InterpArg per entry parameter,
/// as for the Interpreter) and returns the entry's results. A fault (an
/// out-of-bounds access) is a RuntimeError that names the seed.
llvm::Expected<std::vector<uint64_t>>
simulatePlan(const Plan &P, llvm::ArrayRef<InterpArg> Args,
             const SimOptions &Opts = {});

/// The reduction tree shared by the simulator and the GPU code generators:
/// combines Xs (contributions of grid points in linear order, the last grid
/// dimension fastest) with Combine, in the order of docs/passes.md, then
/// with Init: Result = OP(Init, tree(Xs)).
uint64_t reduceTree(Opcode Combine, Type Ty, uint64_t Init,
                    llvm::ArrayRef<uint64_t> Xs);

} // namespace ircgpu

#endif
