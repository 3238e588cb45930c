//===- passes/Dependence.cpp - may a loop run in parallel? ----------------===//
//
// Every pair of accesses to one buffer, at least one a write, is tested for an
// element that two different iterations of L both touch. Indices are affine
// expressions (Affine.h); L's index i is rewritten as LB + S*t for a constant
// step S, so that a dependence needs t != t'. Indices of loops nested in L
// range freely (a separate copy on each side of the pair). A pair is
// independent when one of these proves it:
//   - the indices are c*t + P and c*t' + P' with P' - P = 0 or a constant that
//     is not a multiple of c (x[i] vs x[i], x[2i+1] vs x[2i]);
//   - the GCD of all variable coefficients does not divide the constant
//     difference;
//   - both indices split as Q*D + R with R = j + c in [0, D) for a loop index
//     j whose bounds show it (row * n + col; D a symbol or a constant), and
//     the R parts or (recursively) the Q parts are independent.
// Everything else is a dependence: no claim of Parallel without a proof.
//
//===----------------------------------------------------------------------===//
#include "passes/Dependence.h"

#include "passes/Affine.h"
#include "passes/Reductions.h"

#include <algorithm>
#include <numeric>
#include <variant>

namespace ircgpu {

using affine::Expr;
using affine::MaybeExpr;

namespace {

enum class AccessKind { Read, Write, Atomic };

struct Access {
  const Op *O = nullptr;
  AccessKind K = AccessKind::Read;
  int Param = -1;   ///< the buffer parameter, or -1 when it cannot be traced
  MaybeExpr Index;  ///< relative to the buffer; none when not affine
  Value Culprit;    ///< the index or offset that is not affine; or the
                    ///< pointer that cannot be traced
  std::string From; ///< for an untraced pointer: where it comes from

  bool writes() const { return K != AccessKind::Read; }
};

/// The size D of a delinearised dimension: a symbol (value id) or a
/// constant.
using DimSize = std::variant<uint32_t, int64_t>;

constexpr unsigned MaxDelinearise = 3; // dimensions split off one index
/// Memory accesses in one loop that the pairwise test examines: the work is
/// quadratic in them, so a larger loop (which only generated or hostile code
/// has) is sequential rather than a compile that never ends.
constexpr size_t MaxLoopAccesses = 512;

class Analyzer {
public:
  Analyzer(const Function &F, const Op &L) : F(F), L(L), M(F, L) {}
  LoopVerdict run();

private:
  void collect(const Region &R);
  Access makeAccess(const Op &O, AccessKind K);
  bool independent(const Expr &A, const Expr &B, unsigned Depth);
  bool independent1D(const Expr &A, const Expr &B);
  Expr normalize(const Expr &E);
  std::optional<std::pair<Expr, Expr>> split(const Expr &E, DimSize D);
  bool inRange(Value Var, int64_t C, DimSize D);
  /// An upper bound on the trip count of L, from the type of its index.
  unsigned __int128 maxTripCount();

  std::string loopName() const { return affine::valueName(F, M.loopIndex()); }
  std::string describe(const Access &A) const;
  std::string pairText(const Access &A, const Access &B) const;
  LoopVerdict sequential(std::string Why, const Access &Later);

  const Function &F;
  const Op &L;
  affine::IndexModel M;
  std::vector<Access> Accesses;
  const Op *Call = nullptr;
};

Access Analyzer::makeAccess(const Op &O, AccessKind K) {
  Access A;
  A.O = &O;
  A.K = K;
  MaybeExpr Off = Expr::constant(0);
  Value P = O.Operands[0];
  for (unsigned Steps = 0;; ++Steps) {
    const Op *D = M.definingOp(P);
    if (F.info(P).Kind == ValueKind::Param) {
      auto It = llvm::find(F.Params, P);
      A.Param = It - F.Params.begin();
      break;
    }
    if (!D || D->Code != Opcode::Offset || Steps > MaxNestingDepth) {
      A.Culprit = P;
      A.From = D ? "'" + opcodeName(D->Code).str() + "'"
                 : std::string("a value carried by a loop");
      return A;
    }
    MaybeExpr K = M.of(D->Operands[1]);
    if (!K && !A.Culprit.isValid())
      A.Culprit = D->Operands[1];
    Off = (Off && K) ? affine::add(*Off, *K) : std::nullopt;
    P = D->Operands[0];
  }
  MaybeExpr I = M.of(O.Operands[1]);
  if (!I)
    A.Culprit = O.Operands[1];
  if (I && Off)
    A.Index = affine::add(*I, *Off);
  if (!A.Index && !A.Culprit.isValid())
    A.Culprit = O.Operands[1]; // too large an expression
  return A;
}

void Analyzer::collect(const Region &R) {
  for (const Op &O : R.Ops) {
    switch (O.Code) {
    case Opcode::Load:
      Accesses.push_back(makeAccess(O, AccessKind::Read));
      break;
    case Opcode::Store:
      Accesses.push_back(makeAccess(O, AccessKind::Write));
      break;
    case Opcode::Atomic:
    case Opcode::CmpXchg:
      Accesses.push_back(makeAccess(O, AccessKind::Atomic));
      break;
    case Opcode::Call:
      if (!Call)
        Call = &O;
      break;
    default:
      break;
    }
    for (const Region &Sub : O.Regions)
      collect(Sub);
  }
}

/// E with L's index i replaced by LB + S*t (t reusing i's value) when the
/// step S is a non-zero constant: two iterations differ exactly when their t
/// differ, and the congruence of i modulo S becomes visible to the tests.
Expr Analyzer::normalize(const Expr &E) {
  Value I = M.loopIndex();
  const affine::LoopBounds &B = M.bounds(I);
  if (!B.Lower || B.Lower->hasVars() || B.Lower->ModBits < 64 || !B.Step ||
      !B.Step->isConstant() || B.Step->ModBits < 64 || B.Step->Const == 0)
    return E;
  Expr T{{affine::Term{1, {}, I}}, 0};
  MaybeExpr Repl = affine::scale(T, B.Step->Const);
  if (Repl)
    Repl = affine::add(*Repl, *B.Lower);
  MaybeExpr R = Repl ? affine::substitute(E, I, *Repl) : std::nullopt;
  return R ? *R : E;
}

uint64_t magnitude(int64_t C) {
  return C < 0 ? 0 - static_cast<uint64_t>(C) : static_cast<uint64_t>(C);
}

bool Analyzer::independent1D(const Expr &RawA, const Expr &RawB) {
  Expr A = normalize(RawA), B = normalize(RawB);
  Value I = M.loopIndex();
  Expr CA = affine::coefficientOf(A, I), CB = affine::coefficientOf(B, I);
  MaybeExpr Delta =
      affine::sub(affine::invariantPart(B), affine::invariantPart(A));
  if (!Delta || !Delta->isConstant())
    return false; // a symbolic difference may be anything
  int64_t D = Delta->Const;
  // An index computed in fewer than 64 bits is known modulo 2^W only: two
  // indices are equal when their expressions are congruent modulo 2^W.
  unsigned W = std::min(A.ModBits, B.ModBits);
  auto NonZeroMod = [&](uint64_t G) {
    // Whether D is not a multiple of G, modulo 2^W when W < 64.
    if (W < 64)
      G = std::gcd(G, uint64_t(1) << W);
    return G != 0 && magnitude(D) % G != 0;
  };
  auto HasInner = [&](const Expr &E) {
    return llvm::any_of(E.Terms, [&](const affine::Term &T) {
      return T.Var.isValid() && T.Var != I;
    });
  };
  if (!HasInner(A) && !HasInner(B) && CA == CB) {
    // c*t + P = c*t' + P' with t != t'.
    if (!CA.isConstant())
      return false; // c may be 0 at run time
    if (CA.Const == 0)
      return W < 64 ? NonZeroMod(0) : D != 0; // the same element, or never
    if (W < 64) {
      // c*(t - t') = D modulo 2^W. With D = 0 there is no solution when
      // the trip count is at most 2^(W - v2(c)). Otherwise only the GCD test
      // holds.
      uint64_t C = magnitude(CA.Const);
      unsigned V2 = __builtin_ctzll(C);
      if (D == 0 && V2 < W &&
          maxTripCount() <= (static_cast<unsigned __int128>(1) << (W - V2)))
        return true;
      return NonZeroMod(C);
    }
    return D == 0 || magnitude(D) % magnitude(CA.Const) != 0;
  }
  // GCD test over every variable coefficient, both sides.
  uint64_t G = 0;
  for (const Expr *E : {&A, &B})
    for (const affine::Term &T : E->Terms) {
      if (!T.Var.isValid())
        continue;
      if (!T.Syms.empty())
        return false;
      G = std::gcd(G, magnitude(T.Coef));
    }
  if (W < 64)
    return NonZeroMod(G);
  if (G == 0)
    return D != 0;
  return magnitude(D) % G != 0;
}

unsigned __int128 Analyzer::maxTripCount() {
  // The index of L is an iN below its upper bound, at most 2^(N-1) - 1; from
  // a constant lower bound in constant positive steps.
  Value I = M.loopIndex();
  unsigned N = F.type(I).bits();
  using U128 = unsigned __int128;
  const affine::LoopBounds &B = M.bounds(I);
  if (!B.Lower || !B.Lower->isConstant() || B.Lower->ModBits < 64 || !B.Step ||
      !B.Step->isConstant() || B.Step->ModBits < 64 || B.Step->Const <= 0)
    return static_cast<U128>(1) << N;
  __int128 Span = ((static_cast<__int128>(1) << (N - 1)) - 1) - B.Lower->Const;
  if (Span <= 0)
    return 0;
  U128 S = static_cast<U128>(B.Step->Const);
  return (static_cast<U128>(Span) + S - 1) / S;
}

bool Analyzer::inRange(Value Var, int64_t C, DimSize D) {
  // Var + C must lie in [0, D) whenever the access runs: LB + C >= 0 and
  // UB + C <= D (Var < UB).
  const affine::LoopBounds &B = M.bounds(Var);
  if (!B.Lower || !B.Lower->isConstant() || !B.Upper ||
      std::min(B.Lower->ModBits, B.Upper->ModBits) < 64)
    return false;
  int64_t Lo;
  if (__builtin_add_overflow(B.Lower->Const, C, &Lo) || Lo < 0)
    return false;
  Expr Size =
      std::holds_alternative<int64_t>(D)
          ? Expr::constant(std::get<int64_t>(D))
          : Expr{{affine::Term{1, {std::get<uint32_t>(D)}, Value()}}, 0};
  MaybeExpr Slack = affine::sub(*B.Upper, Size);
  int64_t Hi;
  return Slack && Slack->isConstant() &&
         !__builtin_add_overflow(Slack->Const, C, &Hi) && Hi <= 0;
}

std::optional<std::pair<Expr, Expr>> Analyzer::split(const Expr &E, DimSize D) {
  Expr Q, R;
  if (auto *Sym = std::get_if<uint32_t>(&D)) {
    for (affine::Term T : E.Terms) {
      auto It = llvm::find(T.Syms, *Sym);
      if (It == T.Syms.end()) {
        R.Terms.push_back(T);
        continue;
      }
      T.Syms.erase(It);
      Q.Terms.push_back(T);
    }
    R.Const = E.Const;
  } else {
    int64_t K = std::get<int64_t>(D);
    for (const affine::Term &T : E.Terms)
      (T.Coef % K == 0 ? Q : R)
          .Terms.push_back(affine::Term{T.Coef % K == 0 ? T.Coef / K : T.Coef,
                                        T.Syms, T.Var});
    Q.Const = E.Const / K;
    R.Const = E.Const % K;
    if (R.Const < 0) {
      R.Const += K;
      Q.Const -= 1;
    }
  }
  MaybeExpr QN = affine::add(Q, Expr()), RN = affine::add(R, Expr());
  if (!QN || !RN || RN->Terms.size() != 1)
    return std::nullopt;
  const affine::Term &Col = RN->Terms[0];
  if (!Col.Var.isValid() || !Col.Syms.empty() || Col.Coef != 1 ||
      !inRange(Col.Var, RN->Const, D))
    return std::nullopt;
  return std::make_pair(*QN, *RN);
}

bool Analyzer::independent(const Expr &A, const Expr &B, unsigned Depth) {
  if (independent1D(A, B))
    return true;
  // Delinearisation needs exact indices: a wrapped one may be anything.
  if (Depth >= MaxDelinearise || std::min(A.ModBits, B.ModBits) < 64)
    return false;
  std::vector<DimSize> Sizes;
  for (const Expr *E : {&A, &B})
    for (const affine::Term &T : E->Terms) {
      for (uint32_t S : T.Syms)
        Sizes.push_back(S);
      if (T.Var.isValid() && T.Syms.empty() && magnitude(T.Coef) >= 2 &&
          T.Coef != INT64_MIN)
        Sizes.push_back(static_cast<int64_t>(magnitude(T.Coef)));
    }
  std::sort(Sizes.begin(), Sizes.end());
  Sizes.erase(std::unique(Sizes.begin(), Sizes.end()), Sizes.end());
  for (DimSize D : Sizes) {
    auto SA = split(A, D), SB = split(B, D);
    if (SA && SB &&
        (independent1D(SA->second, SB->second) ||
         independent(SA->first, SB->first, Depth + 1)))
      return true;
  }
  return false;
}

std::string Analyzer::describe(const Access &A) const {
  std::string Buf = A.Param >= 0 ? affine::valueName(F, F.Params[A.Param])
                                 : affine::valueName(F, A.O->Operands[0]);
  if (A.Index)
    return Buf + "[" + affine::print(F, *A.Index) + "]";
  std::string S = affine::valueName(F, A.O->Operands[0]) + "[" +
                  affine::valueName(F, A.O->Operands[1]) + "]";
  if (A.Param >= 0 && A.O->Operands[0] != F.Params[A.Param])
    S += " (in " + Buf + ")";
  return S;
}

std::string Analyzer::pairText(const Access &A, const Access &B) const {
  auto Verb = [](const Access &X) {
    return X.K == AccessKind::Read    ? " is read"
           : X.K == AccessKind::Write ? " is written"
                                      : " is atomically updated";
  };
  const Access &First = A.writes() ? A : B, &Second = A.writes() ? B : A;
  std::string S = describe(First) + Verb(First);
  if (A.O != B.O)
    S += " and " + describe(Second) + Verb(Second);
  return S;
}

LoopVerdict Analyzer::sequential(std::string Why, const Access &Later) {
  LoopVerdict V;
  V.K = LoopVerdict::Sequential;
  V.Why = std::move(Why);
  V.Loc = Later.O->Loc.isValid() ? Later.O->Loc : L.Loc;
  return V;
}

LoopVerdict Analyzer::run() {
  collect(L.Regions[0]);
  if (Call) {
    LoopVerdict V;
    V.K = LoopVerdict::Sequential;
    V.Why = "the loop over " + loopName() +
            " contains a 'call', which dependence analysis cannot see into";
    V.Loc = Call->Loc;
    return V;
  }
  if (Accesses.size() > MaxLoopAccesses)
    return sequential("the loop over " + loopName() + " has " +
                          std::to_string(Accesses.size()) +
                          " memory accesses, more than dependence analysis "
                          "examines (" +
                          std::to_string(MaxLoopAccesses) + ")",
                      Accesses[MaxLoopAccesses]);
  std::vector<std::pair<unsigned, unsigned>> Disjoint;
  for (size_t J = 0; J < Accesses.size(); ++J) {
    for (size_t I = 0; I <= J; ++I) {
      const Access &A = Accesses[I], &B = Accesses[J];
      if (!A.writes() && !B.writes())
        continue;
      if (I == J && A.K != AccessKind::Write)
        continue; // an atomic commutes with itself
      if (A.K == AccessKind::Atomic && B.K == AccessKind::Atomic)
        continue;
      if (A.Param < 0 || B.Param < 0) {
        const Access &U = A.Param < 0 ? A : B;
        return sequential(
            "cannot prove that different iterations of the loop over " +
                loopName() + " are independent: the pointer " +
                affine::valueName(F, U.Culprit) + " of '" +
                opcodeName(U.O->Code).str() +
                "' cannot be traced to a buffer parameter (it comes from " +
                U.From + ")",
            B);
      }
      if (A.Param != B.Param) {
        if ((F.ParamAttrs[A.Param] | F.ParamAttrs[B.Param]) & AttrNoAlias)
          continue;
        Disjoint.emplace_back(std::min(A.Param, B.Param),
                              std::max(A.Param, B.Param));
        continue;
      }
      if (!A.Index || !B.Index) {
        const Access &N = A.Index ? B : A;
        return sequential(
            "cannot prove that different iterations of the loop over " +
                loopName() + " access different elements: " + pairText(A, B) +
                ", and the index " + affine::valueName(F, N.Culprit) +
                " is not an affine function of the loop indices",
            B);
      }
      if (!independent(*A.Index, *B.Index, 0))
        return sequential(pairText(A, B) +
                              " by different iterations of the loop over " +
                              loopName(),
                          B);
    }
  }
  LoopVerdict V;
  llvm::sort(Disjoint);
  Disjoint.erase(std::unique(Disjoint.begin(), Disjoint.end()), Disjoint.end());
  if (!Disjoint.empty()) {
    V.K = LoopVerdict::ParallelIfDisjoint;
    V.MustBeDisjoint = std::move(Disjoint);
  }
  return V;
}

} // namespace

LoopVerdict analyzeLoop(const Function &F, const Op &L) {
  ReductionInfo RI = findReductions(F, L);
  if (!RI.Ok) {
    LoopVerdict V;
    V.K = LoopVerdict::Sequential;
    V.Why = "value " + affine::valueName(F, L.Regions[0].Args[RI.BadIter + 1]) +
            " is carried from one iteration to the next: " + RI.Why;
    V.Loc = L.Loc;
    return V;
  }
  if (L.hasFlag(FlagParallel))
    return LoopVerdict{};
  return Analyzer(F, L).run();
}

} // namespace ircgpu
