//===- codegen/PrivatizeAtomics.cpp - histograms in shared memory ---------===//
//
// See PrivatizeAtomics.h. The range analysis follows an index back through
// the ops that define it; the eligibility check looks at every use of every
// buffer parameter.
//
//===----------------------------------------------------------------------===//
#include "codegen/PrivatizeAtomics.h"

#include <algorithm>

namespace ircgpu {

namespace {

/// The ops defining F's values, and how often each value is used.
class BodyInfo {
public:
  explicit BodyInfo(const Function &F)
      : F(F), Defs(F.numValues(), nullptr), Uses(F.numValues(), 0) {
    F.walk([&](const Op &O) {
      for (Value R : O.Results)
        Defs[R.Id] = &O;
      for (Value V : O.Operands)
        ++Uses[V.Id];
    });
  }

  std::optional<uint64_t> bound(Value V, unsigned Depth = 0) const {
    Type Ty = F.type(V);
    if (!Ty.isInt() || Depth > 64)
      return std::nullopt;
    // Within [0, 2^(bits - 1)): the same value signed and unsigned.
    uint64_t SignedMax = (uint64_t(1) << (Ty.bits() - 1)) - 1;
    auto Fits = [&](std::optional<uint64_t> M) -> std::optional<uint64_t> {
      if (M && *M <= SignedMax)
        return M;
      return std::nullopt;
    };
    if (Ty.bits() == 1)
      return std::nullopt; // i1 never indexes (and 1 bit has no sign room)
    if (F.isLiteral(V))
      return Fits(F.info(V).Bits);
    const Op *O = Defs[V.Id];
    if (!O)
      return std::nullopt; // a parameter or a region argument
    auto Sub = [&](unsigned I) { return bound(O->Operands[I], Depth + 1); };
    auto Lit = [&](unsigned I) -> std::optional<uint64_t> {
      Value A = O->Operands[I];
      if (F.isLiteral(A))
        return F.info(A).Bits;
      return std::nullopt;
    };
    switch (O->Code) {
    case Opcode::Const:
      return Fits(Lit(0));
    case Opcode::And:
    case Opcode::UMin: {
      // Both: at most either operand, read unsigned. A literal operand is
      // its own unsigned bound even where it is negative read signed.
      std::optional<uint64_t> A = Sub(0), C = Sub(1);
      if (!A)
        A = Lit(0);
      if (!C)
        C = Lit(1);
      if (A && C)
        return Fits(std::min(*A, *C));
      return Fits(A ? A : C);
    }
    case Opcode::URem: {
      std::optional<uint64_t> C = Lit(1);
      if (!C || *C == 0)
        return std::nullopt;
      std::optional<uint64_t> A = Sub(0);
      return Fits(A ? std::min(*A, *C - 1) : *C - 1);
    }
    case Opcode::ZExt: {
      if (std::optional<uint64_t> A = Sub(0))
        return Fits(A);
      unsigned From = F.type(O->Operands[0]).bits();
      return From >= 64 ? std::nullopt : Fits((uint64_t(1) << From) - 1);
    }
    case Opcode::SExt:
    case Opcode::Trunc:
      return Fits(Sub(0));
    default:
      return std::nullopt;
    }
  }

  /// Whether every use of buffer parameter P is an `atomic add` with an
  /// unused result and P only as its pointer; R is then the bin count.
  std::optional<uint64_t> histogramBins(Value P) const {
    uint64_t R = 0;
    bool Ok = true;
    F.walk([&](const Op &O) {
      bool Touches = std::find(O.Operands.begin(), O.Operands.end(), P) !=
                     O.Operands.end();
      if (!Ok || !Touches)
        return;
      if (O.Code != Opcode::Atomic ||
          static_cast<AtomicKind>(O.Sub) != AtomicKind::Add ||
          O.Operands[0] != P || O.Operands[1] == P || O.Operands[2] == P) {
        Ok = false;
        return;
      }
      for (Value Res : O.Results)
        if (used(Res)) {
          Ok = false;
          return;
        }
      std::optional<uint64_t> M = bound(O.Operands[1]);
      if (!M || *M >= MaxPrivateBins) {
        Ok = false;
        return;
      }
      R = std::max(R, *M + 1);
    });
    if (!Ok || R == 0)
      return std::nullopt;
    return R;
  }

  bool used(Value V) const { return Uses[V.Id] != 0; }

private:
  const Function &F;
  std::vector<const Op *> Defs; ///< by value id; null: not an op result
  std::vector<unsigned> Uses;   ///< by value id
};

} // namespace

std::optional<uint64_t> indexUpperBound(const Function &F, Value V) {
  return BodyInfo(F).bound(V);
}

std::vector<PrivatizedBuffer> findPrivatizableAtomics(const Function &F,
                                                      unsigned FirstArg) {
  BodyInfo Info(F);
  auto Attrs = [&](unsigned I) -> uint8_t {
    return I < F.ParamAttrs.size() ? F.ParamAttrs[I] : 0;
  };
  // Whether every used buffer but P is readonly: then no other pointer can
  // see P's memory change (the VM promises `readonly` memory is not written
  // during the call, through any pointer).
  auto OthersReadOnly = [&](unsigned P) {
    for (unsigned I = FirstArg; I < F.Params.size(); ++I)
      if (I != P && F.type(F.Params[I]).isPtr() && Info.used(F.Params[I]) &&
          !(Attrs(I) & AttrReadOnly))
        return false;
    return true;
  };
  std::vector<PrivatizedBuffer> Out;
  uint64_t Bytes = 0;
  for (unsigned I = FirstArg; I < F.Params.size(); ++I) {
    Type Ty = F.type(F.Params[I]);
    if (!Ty.isPtr() || (Ty.elem() != Scalar::I32 && Ty.elem() != Scalar::I64))
      continue;
    if (!(Attrs(I) & AttrNoAlias) && !OthersReadOnly(I))
      continue;
    std::optional<uint64_t> R = Info.histogramBins(F.Params[I]);
    if (!R)
      continue;
    uint64_t Size = *R * Ty.bytes();
    if (Bytes + Size > MaxPrivateBytes)
      continue;
    Bytes += Size;
    Out.push_back({I, uint32_t(*R), Ty.elemType()});
  }
  return Out;
}

} // namespace ircgpu
