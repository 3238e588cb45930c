//===- passes/Affine.h - affine index expressions of a loop nest -*- C++
//-*-===//
//
// The index model of the dependence analysis (Dependence.h). An index is
//   sum of  Coef * Sym1 * ... * SymK * Var  +  Const
// where Var is the index of the analysed loop L or of a `for` nested in it
// (or absent), and the Syms are values invariant in L (parameters, values
// defined before L, pure ops inside L computed only from those). Index
// arithmetic is assumed not to wrap: `sext`/`zext`/`trunc` of an index pass
// its expression through, and constant folding that would overflow int64
// gives up (non-affine) instead. Arithmetic in a type narrower than i64 (and
// `trunc`, and `zext` of a negative value) may wrap: such an expression is
// only known modulo 2^ModBits, and the dependence tests reason modulo that.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_PASSES_AFFINE_H
#define IRCGPU_PASSES_AFFINE_H

#include "ircgpu/IR.h"

#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ircgpu::affine {

struct Term {
  int64_t Coef = 0;
  llvm::SmallVector<uint32_t, 2> Syms; ///< value ids, sorted (a product)
  Value Var;                           ///< a loop index, or invalid
};

/// Canonical: terms sorted by (Var, Syms), merged, no zero coefficients.
struct Expr {
  std::vector<Term> Terms;
  int64_t Const = 0;
  /// The index equals the expression modulo 2^ModBits only (64: exactly,
  /// under the no-wrap assumption for i64): narrower arithmetic may wrap.
  unsigned ModBits = 64;

  static Expr constant(int64_t C) { return Expr{{}, C, 64}; }
  bool isConstant() const { return Terms.empty(); }
  bool hasVars() const;
  bool operator==(const Expr &O) const;
};

using MaybeExpr = std::optional<Expr>;

MaybeExpr add(const Expr &A, const Expr &B);
MaybeExpr sub(const Expr &A, const Expr &B);
MaybeExpr scale(const Expr &A, int64_t K);
/// A * B where at most one of them has loop variables.
MaybeExpr mul(const Expr &A, const Expr &B);
/// The invariant coefficient of V in E (terms of V with Var dropped).
Expr coefficientOf(const Expr &E, Value V);
/// E without the terms that have a loop variable.
Expr invariantPart(const Expr &E);
/// E with every occurrence of Var replaced by Repl.
MaybeExpr substitute(const Expr &E, Value Var, const Expr &Repl);

/// `%n - %i - 1`: positive terms first, names of F.
std::string print(const Function &F, const Expr &E);
/// `%name`, or `%<id>` for a value built without a name.
std::string valueName(const Function &F, Value V);

/// The bounds of a loop variable, each an expression if it has one.
struct LoopBounds {
  const Op *Loop = nullptr;
  MaybeExpr Lower, Upper, Step;
};

/// Builds the expressions of the integer values of F relative to the
/// `for` op L (values defined outside L are invariant symbols). Memoised.
class IndexModel {
public:
  IndexModel(const Function &F, const Op &L);

  /// The affine expression of V, or none (a loaded value, a `while`
  /// variable, a division of a loop index, ...).
  MaybeExpr of(Value V) { return of(V, 0); }
  /// Whether V has the same value in every iteration of L.
  bool isInvariant(Value V) { return isInvariant(V, 0); }
  /// Whether V is the index of L or of a `for` nested in L.
  bool isLoopVar(Value V) const { return Loops.count(V.Id) != 0; }
  const LoopBounds &bounds(Value LoopVar);
  /// The op defining V, or null (parameters, region arguments, literals).
  const Op *definingOp(Value V) const {
    return V.Id < Defs.size() ? Defs[V.Id] : nullptr;
  }
  bool definedInLoop(Value V) const { return V.Id < InL.size() && InL[V.Id]; }
  Value loopIndex() const { return L.Regions[0].Args[0]; }

private:
  MaybeExpr of(Value V, unsigned Depth);
  MaybeExpr compute(Value V, unsigned Depth);
  /// compute() before the modulus of narrow arithmetic is applied.
  MaybeExpr computeExact(Value V, unsigned Depth);
  bool isInvariant(Value V, unsigned Depth);

  const Function &F;
  const Op &L;
  std::vector<const Op *> Defs;
  std::vector<uint8_t> InL;
  std::unordered_map<uint32_t, LoopBounds> Loops;
  std::unordered_map<uint32_t, MaybeExpr> Memo;
  std::unordered_map<uint32_t, bool> InvMemo;
};

} // namespace ircgpu::affine

#endif
