//===- ir/Clone.h - copying VIR between functions ---------------*- C++ -*-===//
//
// Passes that move code between functions (inlining, outlining kernels) copy
// ops with fresh values in the destination's arena. These helpers do that
// without the Builder: the source was verified, so the copy is well-typed as
// long as every value it uses is mapped; passes re-verify in tests.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_IR_CLONE_H
#define IRCGPU_IR_CLONE_H

#include "ircgpu/IR.h"

#include <memory>
#include <vector>

namespace ircgpu {

/// A map from the values of one function to the values of another (or the
/// same) function. Unmapped values map to an invalid Value.
class ValueMap {
public:
  Value lookup(Value From) const {
    return From.Id < To.size() ? To[From.Id] : Value();
  }
  void set(Value From, Value V) {
    if (From.Id >= To.size())
      To.resize(From.Id + 1);
    To[From.Id] = V;
  }

private:
  std::vector<Value> To;
};

/// A new value in Dst with V's type, kind, literal bits, location and name.
Value cloneValue(const Function &Src, Value V, Function &Dst);

/// Appends deep copies of Ops (from Src) to Out, creating their results and
/// region arguments in Dst and recording them in Map. Operands are looked up
/// in Map; literals not in Map are copied. Every other operand must already
/// be mapped (the caller maps what the ops capture from outside).
void cloneOps(const Function &Src, llvm::ArrayRef<Op> Ops, Function &Dst,
              ValueMap &Map, std::vector<Op> &Out);

/// A copy of F (name, signature, attributes, body) with a fresh arena.
std::unique_ptr<Function> cloneFunction(const Function &F);

/// The values the ops use but do not define (nor their nested regions),
/// literals excluded, in order of first use.
std::vector<Value> capturedValues(const Function &F, llvm::ArrayRef<Op> Ops);

/// Rewrites every operand V of F's ops to Map.lookup(V) where that is valid.
void replaceUses(Function &F, const ValueMap &Map);

} // namespace ircgpu

#endif
