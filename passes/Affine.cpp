//===- passes/Affine.cpp - affine index expressions of a loop nest --------===//
#include "passes/Affine.h"

#include <algorithm>
#include <tuple>

namespace ircgpu::affine {

namespace {

// Bounds on the size of an expression: indices are small sums; anything
// bigger is given up as non-affine rather than risking a blow-up.
constexpr unsigned MaxTerms = 16;
constexpr unsigned MaxSyms = 4;
constexpr unsigned MaxDepth = MaxNestingDepth;

bool keyLess(const Term &A, const Term &B) {
  return std::tie(A.Var.Id, A.Syms) < std::tie(B.Var.Id, B.Syms);
}
bool keyEq(const Term &A, const Term &B) {
  return A.Var == B.Var && A.Syms == B.Syms;
}

/// Sorts and merges Terms into a canonical expression.
MaybeExpr normalize(std::vector<Term> Terms, int64_t Const) {
  std::sort(Terms.begin(), Terms.end(), keyLess);
  Expr R;
  R.Const = Const;
  for (Term &T : Terms) {
    if (!R.Terms.empty() && keyEq(R.Terms.back(), T)) {
      if (__builtin_add_overflow(R.Terms.back().Coef, T.Coef,
                                 &R.Terms.back().Coef))
        return std::nullopt;
    } else {
      R.Terms.push_back(std::move(T));
    }
  }
  llvm::erase_if(R.Terms, [](const Term &T) { return T.Coef == 0; });
  if (R.Terms.size() > MaxTerms)
    return std::nullopt;
  return R;
}

/// The monomials of E, its constant as a term without symbols or variable.
std::vector<Term> monomials(const Expr &E) {
  std::vector<Term> M = E.Terms;
  if (E.Const != 0)
    M.push_back(Term{E.Const, {}, Value()});
  return M;
}

MaybeExpr fromMonomials(std::vector<Term> M) {
  int64_t C = 0;
  std::vector<Term> Terms;
  for (Term &T : M) {
    if (!T.Var.isValid() && T.Syms.empty()) {
      if (__builtin_add_overflow(C, T.Coef, &C))
        return std::nullopt;
    } else {
      Terms.push_back(std::move(T));
    }
  }
  return normalize(std::move(Terms), C);
}

std::optional<Term> mulTerm(const Term &A, const Term &B) {
  if (A.Var.isValid() && B.Var.isValid())
    return std::nullopt;
  Term R;
  if (__builtin_mul_overflow(A.Coef, B.Coef, &R.Coef))
    return std::nullopt;
  R.Var = A.Var.isValid() ? A.Var : B.Var;
  R.Syms = A.Syms;
  R.Syms.append(B.Syms.begin(), B.Syms.end());
  if (R.Syms.size() > MaxSyms)
    return std::nullopt;
  llvm::sort(R.Syms);
  return R;
}

int64_t literalValue(const Function &F, Value V) {
  unsigned Bits = F.type(V).bits();
  uint64_t B = F.info(V).Bits;
  if (Bits >= 64)
    return static_cast<int64_t>(B);
  return static_cast<int64_t>(B << (64 - Bits)) >> (64 - Bits);
}

} // namespace

bool Expr::hasVars() const {
  return llvm::any_of(Terms, [](const Term &T) { return T.Var.isValid(); });
}

bool Expr::operator==(const Expr &O) const {
  if (Const != O.Const || Terms.size() != O.Terms.size())
    return false;
  for (size_t I = 0; I < Terms.size(); ++I)
    if (!keyEq(Terms[I], O.Terms[I]) || Terms[I].Coef != O.Terms[I].Coef)
      return false;
  return true;
}

/// R with the modulus of the coarser of A and B.
MaybeExpr withModBits(MaybeExpr R, const Expr &A, const Expr &B) {
  if (R)
    R->ModBits = std::min(A.ModBits, B.ModBits);
  return R;
}

MaybeExpr add(const Expr &A, const Expr &B) {
  std::vector<Term> M = monomials(A);
  std::vector<Term> MB = monomials(B);
  M.insert(M.end(), MB.begin(), MB.end());
  return withModBits(fromMonomials(std::move(M)), A, B);
}

MaybeExpr scale(const Expr &A, int64_t K) { return mul(A, Expr::constant(K)); }

MaybeExpr sub(const Expr &A, const Expr &B) {
  MaybeExpr NB = scale(B, -1);
  return NB ? add(A, *NB) : std::nullopt;
}

MaybeExpr mul(const Expr &A, const Expr &B) {
  if (A.hasVars() && B.hasVars())
    return std::nullopt;
  std::vector<Term> M;
  for (const Term &TA : monomials(A))
    for (const Term &TB : monomials(B)) {
      std::optional<Term> T = mulTerm(TA, TB);
      if (!T)
        return std::nullopt;
      M.push_back(std::move(*T));
    }
  return withModBits(fromMonomials(std::move(M)), A, B);
}

Expr coefficientOf(const Expr &E, Value V) {
  std::vector<Term> M;
  for (const Term &T : E.Terms)
    if (T.Var == V)
      M.push_back(Term{T.Coef, T.Syms, Value()});
  // Dropping the variable keeps keys distinct and sorted: no overflow.
  Expr R = *fromMonomials(std::move(M));
  R.ModBits = E.ModBits;
  return R;
}

Expr invariantPart(const Expr &E) {
  Expr R;
  R.Const = E.Const;
  R.ModBits = E.ModBits;
  for (const Term &T : E.Terms)
    if (!T.Var.isValid())
      R.Terms.push_back(T);
  return R;
}

MaybeExpr substitute(const Expr &E, Value Var, const Expr &Repl) {
  Expr Rest;
  Rest.Const = E.Const;
  Rest.ModBits = E.ModBits;
  for (const Term &T : E.Terms)
    if (T.Var != Var)
      Rest.Terms.push_back(T);
  MaybeExpr Prod = mul(coefficientOf(E, Var), Repl);
  return Prod ? add(Rest, *Prod) : std::nullopt;
}

std::string valueName(const Function &F, Value V) {
  llvm::StringRef N = F.name(V);
  return N.empty() ? "%" + std::to_string(V.Id) : "%" + N.str();
}

std::string print(const Function &F, const Expr &E) {
  std::string S;
  auto Emit = [&](int64_t C, const Term *T) {
    bool Neg = C < 0;
    uint64_t Mag = Neg ? 0 - static_cast<uint64_t>(C) : C;
    if (S.empty())
      S = Neg ? "-" : "";
    else
      S += Neg ? " - " : " + ";
    std::string Prod;
    if (T) {
      if (T->Var.isValid())
        Prod = valueName(F, T->Var);
      for (uint32_t Id : T->Syms)
        Prod += (Prod.empty() ? "" : " * ") + valueName(F, Value{Id});
    }
    if (Prod.empty())
      S += std::to_string(Mag);
    else if (Mag == 1)
      S += Prod;
    else
      S += std::to_string(Mag) + " * " + Prod;
  };
  for (const Term &T : E.Terms)
    if (T.Coef > 0)
      Emit(T.Coef, &T);
  for (const Term &T : E.Terms)
    if (T.Coef < 0)
      Emit(T.Coef, &T);
  if (E.Const != 0 || S.empty())
    Emit(E.Const, nullptr);
  return S;
}

IndexModel::IndexModel(const Function &F, const Op &L)
    : F(F), L(L), Defs(F.numValues(), nullptr), InL(F.numValues(), 0) {
  F.walk([&](const Op &O) {
    for (Value R : O.Results)
      Defs[R.Id] = &O;
  });
  // Everything L's regions define; the indices of L and of its nested fors.
  auto Visit = [&](auto &Self, const Op &O) -> void {
    if (O.Code == Opcode::For)
      Loops[O.Regions[0].Args[0].Id].Loop = &O;
    for (const Region &R : O.Regions) {
      for (Value A : R.Args)
        InL[A.Id] = 1;
      for (const Op &Sub : R.Ops) {
        for (Value Res : Sub.Results)
          InL[Res.Id] = 1;
        Self(Self, Sub);
      }
    }
  };
  Visit(Visit, L);
}

const LoopBounds &IndexModel::bounds(Value LoopVar) {
  LoopBounds &B = Loops.at(LoopVar.Id); // node-based map: stays valid
  if (!B.Lower && !B.Upper && !B.Step) {
    B.Lower = of(B.Loop->Operands[0]);
    B.Upper = of(B.Loop->Operands[1]);
    B.Step = of(B.Loop->Operands[2]);
  }
  return B;
}

MaybeExpr IndexModel::of(Value V, unsigned Depth) {
  if (auto It = Memo.find(V.Id); It != Memo.end())
    return It->second;
  if (Depth > MaxDepth)
    return std::nullopt; // not memoised: a shallower query may succeed
  MaybeExpr R = compute(V, Depth);
  if (!R && F.type(V).isInt() && isInvariant(V, Depth))
    R = Expr{{Term{1, {V.Id}, Value()}}, 0};
  Memo[V.Id] = R;
  return R;
}

MaybeExpr IndexModel::compute(Value V, unsigned Depth) {
  MaybeExpr R = computeExact(V, Depth);
  const Op *D = definingOp(V);
  if (!R || !D)
    return R;
  // Where the value is computed in fewer than 64 bits it may have wrapped:
  // it is then known only modulo 2^bits (zext: of its operand's bits).
  unsigned Bits = F.type(V).bits();
  switch (D->Code) {
  case Opcode::ZExt:
    Bits = F.type(D->Operands[0]).bits();
    [[fallthrough]];
  case Opcode::Add:
  case Opcode::Sub:
  case Opcode::Mul:
  case Opcode::Shl:
  case Opcode::Neg:
  case Opcode::Trunc:
    R->ModBits = std::min(R->ModBits, Bits);
    break;
  default:
    break;
  }
  return R;
}

MaybeExpr IndexModel::computeExact(Value V, unsigned Depth) {
  if (!F.type(V).isInt())
    return std::nullopt;
  if (F.isLiteral(V))
    return Expr::constant(literalValue(F, V));
  if (isLoopVar(V))
    return Expr{{Term{1, {}, V}}, 0};
  const Op *D = definingOp(V);
  if (!D)
    return std::nullopt; // parameters and other region args: see `of`
  auto Operand = [&](unsigned I) { return of(D->Operands[I], Depth + 1); };
  switch (D->Code) {
  case Opcode::Const:
    return Operand(0);
  case Opcode::Add:
  case Opcode::Sub:
  case Opcode::Mul: {
    MaybeExpr A = Operand(0), B = Operand(1);
    if (!A || !B)
      return std::nullopt;
    if (D->Code == Opcode::Add)
      return add(*A, *B);
    return D->Code == Opcode::Sub ? sub(*A, *B) : mul(*A, *B);
  }
  case Opcode::Shl: {
    MaybeExpr A = Operand(0), B = Operand(1);
    if (!A || !B || !B->isConstant() || B->Const < 0 || B->Const > 62 ||
        static_cast<unsigned>(B->Const) >= F.type(V).bits())
      return std::nullopt;
    return scale(*A, int64_t(1) << B->Const);
  }
  case Opcode::Neg: {
    MaybeExpr A = Operand(0);
    return A ? scale(*A, -1) : std::nullopt;
  }
  case Opcode::SExt:
  case Opcode::ZExt:
  case Opcode::Trunc:
    return Operand(0); // indices are assumed not to wrap (file comment)
  default:
    return std::nullopt;
  }
}

bool IndexModel::isInvariant(Value V, unsigned Depth) {
  if (F.isLiteral(V) || !definedInLoop(V))
    return true;
  if (auto It = InvMemo.find(V.Id); It != InvMemo.end())
    return It->second;
  const Op *D = definingOp(V);
  bool Inv = D && Depth <= MaxDepth && isPure(D->kind());
  for (unsigned I = 0; Inv && I < D->Operands.size(); ++I)
    Inv = isInvariant(D->Operands[I], Depth + 1);
  if (Depth <= MaxDepth)
    InvMemo[V.Id] = Inv;
  return Inv;
}

} // namespace ircgpu::affine
