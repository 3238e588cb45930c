//===- tests/unit/passes/LoopGen.cpp - random valid loop programs ---------===//
//
// Every index is either in bounds by construction (i + c with c chosen from
// the loop's bounds, (n - 1) - i + c, i * n + j in an n x n nest; buffers hold
// n * n elements) or guarded by `icmp ult %idx, %nn`, so no program faults.
// Only loops whose iterations are independent by construction are marked
// `parallel`: one store at an injective index, loads of the stored buffer at
// that same index only.
//
//===----------------------------------------------------------------------===//

#include "LoopGen.h"

#include <random>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

struct Val {
  std::string Name;
  Scalar Ty; ///< I32 or I64
};

struct Buf {
  std::string Name;
  Scalar Elem;
  bool NoAlias = false, ReadOnly = false;
};

/// The loop (nest) an index is built in: 1-D: %i in [L, n - H); 2-D: %i and
/// %j both in [0, n).
struct LoopCtx {
  std::string I, J;
  Scalar LT = Scalar::I64;
  int L = 0, H = 0;
};

struct Index {
  std::string Name;
  bool Safe; ///< in [0, n * n) by construction
};

const char *tyName(Scalar S) { return S == Scalar::I32 ? "i32" : "i64"; }

class Gen {
public:
  explicit Gen(uint64_t Seed) : R(Seed) {}
  GenProgram run();

private:
  int pick(int N) { return static_cast<int>(R() % static_cast<uint64_t>(N)); }
  int range(int Lo, int Hi) { return Lo + pick(Hi - Lo + 1); }
  bool chance(int Percent) { return pick(100) < Percent; }
  std::string fresh() { return "%v" + std::to_string(Next++); }
  void line(const std::string &S) {
    Body += std::string(2 * Depth, ' ') + S + "\n";
  }
  void open(const std::string &S) {
    line(S);
    ++Depth;
    Scopes.emplace_back();
  }
  /// Enters a region whose opening line is already written (`} else {`).
  void enter() {
    ++Depth;
    Scopes.emplace_back();
  }
  void close(const std::string &S = "}") {
    --Depth;
    Scopes.pop_back();
    line(S);
  }
  void def(const std::string &Name, Scalar Ty) {
    Scopes.back().push_back({Name, Ty});
  }
  std::string nOf(Scalar T) { return T == Scalar::I32 ? "%n32" : "%n"; }
  std::string nnOf(Scalar T) { return T == Scalar::I32 ? "%nn32" : "%nn"; }
  std::string nm1Of(Scalar T) { return T == Scalar::I32 ? "%nm1_32" : "%nm1"; }

  std::string conv(const Val &V, Scalar To);
  std::string expr(Scalar T, int Depth);
  std::string addConst(const std::string &V, int C);
  Index index(const LoopCtx &C);
  Index injectiveIndex(const LoopCtx &C);
  std::string load(const Buf &B, const Index &Idx, Scalar LT);
  void store(const Buf &B, const Index &Idx, Scalar LT, const std::string &V);
  struct Acc {
    std::string Name, Op;
    Scalar Ty;
    bool Reduction;
  };
  void mapLoop(bool TopLevel);
  std::vector<std::string> names(size_t N);
  std::string resultsHead(const std::vector<std::string> &Names);
  std::string iterList(std::vector<Acc> &As);
  void update(const std::vector<Acc> &As, const std::vector<std::string> &Xs);
  std::vector<int> writable() const;
  void depLoop();
  void scalarCode(bool TopLevel);
  void timeLoop();
  void whileLoop();

  std::mt19937_64 R;
  std::string Body;
  int Depth = 1;
  unsigned Next = 0;
  std::vector<Buf> Bufs;
  std::vector<std::vector<Val>> Scopes;
  std::vector<Val> Rets;
  bool Aliasing = false;
};

std::string Gen::conv(const Val &V, Scalar To) {
  if (V.Ty == To)
    return V.Name;
  std::string N = fresh();
  line(N + (To == Scalar::I64 ? " = sext " : " = trunc ") + V.Name + " to " +
       tyName(To));
  return N;
}

std::string Gen::expr(Scalar T, int D) {
  if (D == 0 || chance(25)) {
    std::vector<Val> All;
    for (const auto &S : Scopes)
      All.insert(All.end(), S.begin(), S.end());
    return conv(All[pick(All.size())], T);
  }
  static const char *Bin[] = {"add",  "sub",  "mul",  "xor",  "and",  "or",
                              "shl",  "lshr", "ashr", "smin", "smax", "umin",
                              "umax", "sdiv", "udiv", "srem", "urem"};
  static const char *Un[] = {"neg", "not", "abs", "popcount", "clz", "ctz"};
  std::string N = fresh();
  int K = pick(10);
  if (K < 7) {
    std::string A = expr(T, D - 1);
    std::string B = chance(40) ? std::to_string(range(-3, 7)) : expr(T, D - 1);
    line(N + " = " + Bin[pick(std::size(Bin))] + " " + A + ", " + B);
  } else if (K < 9) {
    std::string A = expr(T, D - 1);
    line(N + " = " + Un[pick(std::size(Un))] + " " + A);
  } else {
    std::string A = expr(T, D - 1), B = expr(T, D - 1);
    std::string C = fresh();
    line(C + " = icmp slt " + A + ", " + B);
    line(N + " = select " + C + ", " + B + ", " + A);
  }
  return N;
}

std::string Gen::addConst(const std::string &V, int C) {
  if (C == 0)
    return V;
  std::string N = fresh();
  line(N + " = add " + V + ", " + std::to_string(C));
  return N;
}

Index Gen::index(const LoopCtx &C) {
  if (C.J.empty()) {
    switch (pick(6)) {
    case 0:
    case 1:
      return injectiveIndex(C);
    case 2: {
      int A = range(-2, 2), K = range(-2, 2);
      std::string M = fresh();
      line(M + " = mul " + C.I + ", " + std::to_string(A));
      return {addConst(M, K), false};
    }
    case 3: // i * n + c: a row of a 2-D buffer
    {
      std::string M = fresh();
      line(M + " = mul " + C.I + ", " + nOf(C.LT));
      int K = range(-1, 2);
      return {addConst(M, K), false};
    }
    default: {
      int K = range(-2, 2);
      return {addConst(C.I, K), K >= -C.L && K <= C.H};
    }
    }
  }
  switch (pick(5)) {
  case 0:
  case 1:
    return injectiveIndex(C);
  case 2: {
    std::string M = fresh(), S = fresh();
    line(M + " = mul " + C.I + ", " + nOf(C.LT));
    line(S + " = add " + M + ", " + C.J);
    int K = range(-2, 2);
    return {addConst(S, K), K == 0};
  }
  case 3: {
    std::string A = fresh(), B = fresh(), S = fresh();
    line(A + " = mul " + C.I + ", " + std::to_string(range(-2, 2)));
    line(B + " = mul " + C.J + ", " + std::to_string(range(-2, 2)));
    line(S + " = add " + A + ", " + B);
    return {addConst(S, range(-2, 2)), false};
  }
  default: {
    int K = range(-1, 1);
    return {addConst(chance(50) ? C.I : C.J, K), K == 0};
  }
  }
}

/// An index that no two iterations (points of the nest) share, in bounds.
Index Gen::injectiveIndex(const LoopCtx &C) {
  if (C.J.empty()) {
    if (chance(60))
      return {addConst(C.I, range(-C.L, C.H)), true};
    std::string A = fresh();
    line(A + " = sub " + nm1Of(C.LT) + ", " + C.I);
    return {addConst(A, range(-C.H, C.L)), true};
  }
  bool RowMajor = chance(70);
  std::string M = fresh(), S = fresh();
  line(M + " = mul " + (RowMajor ? C.I : C.J) + ", " + nOf(C.LT));
  line(S + " = add " + M + ", " + (RowMajor ? C.J : C.I));
  return {S, true};
}

std::string Gen::load(const Buf &B, const Index &Idx, Scalar LT) {
  std::string V = fresh();
  if (Idx.Safe && !chance(10)) {
    line(V + " = load " + B.Name + "[" + Idx.Name + "]");
  } else {
    std::string C = fresh(), L = fresh();
    line(C + " = icmp ult " + Idx.Name + ", " + nnOf(LT));
    open(V + " = if " + C + " -> " + tyName(B.Elem) + " {");
    line(L + " = load " + B.Name + "[" + Idx.Name + "]");
    line("yield " + L);
    close("} else {");
    enter();
    line("yield " + std::to_string(range(-5, 5)));
    close();
  }
  def(V, B.Elem);
  return V;
}

void Gen::store(const Buf &B, const Index &Idx, Scalar LT,
                const std::string &V) {
  if (Idx.Safe && !chance(10)) {
    line("store " + B.Name + "[" + Idx.Name + "], " + V);
    return;
  }
  std::string C = fresh();
  line(C + " = icmp ult " + Idx.Name + ", " + nnOf(LT));
  open("if " + C + " {");
  line("store " + B.Name + "[" + Idx.Name + "], " + V);
  close();
}

void Gen::mapLoop(bool TopLevel) {
  static const char *RedOps[] = {"add", "xor", "smin", "umax", "mul", "or"};
  LoopCtx C;
  C.LT = chance(25) ? Scalar::I32 : Scalar::I64;
  bool TwoD = chance(30);
  bool Par = !Aliasing && chance(30);
  std::vector<int> Writable = writable();
  const Buf &W = Bufs[Writable[pick(Writable.size())]];

  // Carried values: reductions, and (rarely, never in a `parallel` loop) a
  // value that is not one. In a 2-D nest the inner loop reduces too and the
  // outer loop combines its results.
  std::vector<Acc> Outer, Inner;
  for (int K = chance(45) ? range(1, 2) : 0; K > 0; --K)
    Outer.push_back({"", RedOps[pick(std::size(RedOps))],
                     chance(50) ? Scalar::I32 : Scalar::I64,
                     Par || !chance(10)});
  std::vector<std::string> Results = names(Outer.size());

  C.I = fresh();
  int Step = 1;
  std::string UB = nOf(C.LT);
  if (!TwoD) {
    C.L = range(0, 2);
    C.H = range(0, 2);
    Step = chance(75) ? 1 : range(2, 3);
    if (C.H) {
      UB = fresh();
      line(UB + " = sub " + nOf(C.LT) + ", " + std::to_string(C.H));
    }
  }
  open(resultsHead(Results) + "for " + C.I + " = " + std::to_string(C.L) +
       " to " + UB + " step " + std::to_string(Step) +
       (Par ? " parallel" : "") + iterList(Outer) + " {");
  def(C.I, C.LT);
  std::vector<std::string> InnerResults;
  if (TwoD) {
    C.J = fresh();
    Inner = Outer;
    for (Acc &A : Inner)
      A.Reduction = true;
    InnerResults = names(Inner.size());
    open(resultsHead(InnerResults) + "for " + C.J + " = 0 to " + nOf(C.LT) +
         " step 1" + (Par && chance(50) ? " parallel" : "") + iterList(Inner) +
         " {");
    def(C.J, C.LT);
  }

  Index SIdx = Par ? injectiveIndex(C) : index(C);
  for (int K = range(1, 3); K > 0; --K) {
    const Buf &B = Bufs[pick(Bufs.size())];
    load(B, Par && &B == &W ? SIdx : index(C), C.LT);
  }
  store(W, SIdx, C.LT, expr(W.Elem, 2));
  if (!Par && chance(30)) {
    const Buf &W2 = Bufs[Writable[pick(Writable.size())]];
    Index I2 = index(C);
    store(W2, I2, C.LT, expr(W2.Elem, 1));
  }
  if (TwoD) {
    update(Inner, {});
    close();
    update(Outer, InnerResults);
  } else {
    update(Outer, {});
  }
  close();
  for (size_t K = 0; K < Results.size(); ++K) {
    def(Results[K], Outer[K].Ty);
    if (TopLevel)
      Rets.push_back({Results[K], Outer[K].Ty});
  }
}

std::vector<std::string> Gen::names(size_t N) {
  std::vector<std::string> Out;
  for (size_t K = 0; K < N; ++K)
    Out.push_back(fresh());
  return Out;
}

std::string Gen::resultsHead(const std::vector<std::string> &Names) {
  std::string S;
  for (size_t K = 0; K < Names.size(); ++K)
    S += (K ? ", " : "") + Names[K];
  return S.empty() ? S : S + " = ";
}

std::string Gen::iterList(std::vector<Acc> &As) {
  if (As.empty())
    return "";
  std::string S = " iter(";
  for (size_t K = 0; K < As.size(); ++K) {
    As[K].Name = fresh();
    S += (K ? ", " : "") + As[K].Name + ": " + tyName(As[K].Ty) + " = " +
         std::to_string(range(-3, 3));
  }
  return S + ")";
}

/// Yields OP(acc, x) (or OP(x, acc)) per carried value; x is Xs[k] or a new
/// expression.
void Gen::update(const std::vector<Acc> &As,
                 const std::vector<std::string> &Xs) {
  std::string Yield;
  for (size_t K = 0; K < As.size(); ++K) {
    std::string X = Xs.empty() ? expr(As[K].Ty, 1) : Xs[K];
    std::string N = fresh();
    if (!As[K].Reduction) {
      std::string M = fresh();
      line(M + " = mul " + As[K].Name + ", 3");
      line(N + " = add " + M + ", " + X);
    } else if (chance(50)) {
      line(N + " = " + As[K].Op + " " + As[K].Name + ", " + X);
    } else {
      line(N + " = " + As[K].Op + " " + X + ", " + As[K].Name);
    }
    Yield += (K ? ", " : "") + N;
  }
  if (!Yield.empty())
    line("yield " + Yield);
}

std::vector<int> Gen::writable() const {
  std::vector<int> Out;
  for (size_t K = 0; K < Bufs.size(); ++K)
    if (!Bufs[K].ReadOnly)
      Out.push_back(K);
  return Out;
}

/// x[i] = x[i - d] + v, or x[i] = x[i + d] + v: a carried dependence.
void Gen::depLoop() {
  std::vector<int> Writable = writable();
  const Buf &X = Bufs[Writable[pick(Writable.size())]];
  int D = range(1, 2);
  bool Forward = chance(60);
  std::string I = fresh(), UB = "%n";
  if (!Forward) {
    UB = fresh();
    line(UB + " = sub %n, " + std::to_string(D));
  }
  open("for " + I + " = " + (Forward ? std::to_string(D) : "0") + " to " + UB +
       " step 1 {");
  def(I, Scalar::I64);
  std::string P = fresh(), V = fresh(), W = fresh();
  line(P + (Forward ? " = sub " : " = add ") + I + ", " + std::to_string(D));
  line(V + " = load " + X.Name + "[" + P + "]");
  def(V, X.Elem);
  std::string E = expr(X.Elem, 1);
  line(W + " = add " + V + ", " + E);
  line("store " + X.Name + "[" + I + "], " + W);
  close();
}

void Gen::scalarCode(bool TopLevel) {
  Scalar T = chance(50) ? Scalar::I32 : Scalar::I64;
  std::string S = expr(T, 2);
  def(S, T);
  if (TopLevel && chance(40))
    Rets.push_back({S, T});
  std::vector<int> Writable = writable();
  const Buf &W = Bufs[Writable[pick(Writable.size())]];
  int K = range(0, 2);
  std::string C = fresh(), O = fresh(), N = fresh();
  line(C + " = icmp sgt %n, " + std::to_string(K));
  open("if " + C + " {");
  line(O + " = load " + W.Name + "[" + std::to_string(K) + "]");
  def(O, W.Elem);
  std::string X = conv({S, T}, W.Elem);
  line(N + " = add " + O + ", " + X);
  line("store " + W.Name + "[" + std::to_string(K) + "], " + N);
  close();
}

void Gen::timeLoop() {
  std::string T = fresh();
  open("for " + T + " = 0 to " + std::to_string(range(1, 3)) + " step 1 {");
  def(T, Scalar::I64);
  for (int K = range(1, 2); K > 0; --K) {
    if (chance(80))
      mapLoop(false);
    else
      scalarCode(false);
  }
  close();
}

void Gen::whileLoop() {
  std::string Res = fresh(), KV = fresh(), C = fresh(), K1 = fresh();
  open(Res + " = while (" + KV + ": i64 = 0) {");
  def(KV, Scalar::I64);
  line(C + " = icmp slt " + KV + ", " + std::to_string(range(0, 3)));
  line("condition " + C);
  close("} do {");
  enter();
  def(KV, Scalar::I64);
  mapLoop(false);
  line(K1 + " = add " + KV + ", 1");
  line("yield " + K1);
  close();
  def(Res, Scalar::I64);
  Rets.push_back({Res, Scalar::I64});
}

GenProgram Gen::run() {
  GenProgram G;
  int NB = range(1, 3);
  Aliasing = NB >= 2 && chance(20);
  std::string Params = "%n: i64";
  for (int K = 0; K < NB; ++K) {
    Buf B;
    B.Name = "%b" + std::to_string(K);
    B.Elem = chance(50) ? Scalar::I32 : Scalar::I64;
    if (Aliasing && K == 1)
      B.Elem = Bufs[0].Elem;
    if (!Aliasing) {
      B.NoAlias = chance(30);
      B.ReadOnly = K > 0 && chance(30);
    }
    Params += ", " + B.Name + ": ptr<" + tyName(B.Elem) + ">" +
              (B.NoAlias ? " noalias" : "") + (B.ReadOnly ? " readonly" : "");
    G.Buffers.push_back(B.Elem);
    G.AliasOf.push_back(Aliasing && K == 1 ? 0 : -1);
    Bufs.push_back(B);
  }

  Scopes.emplace_back();
  def("%n", Scalar::I64);
  line("%n32 = trunc %n to i32");
  line("%nn = mul %n, %n");
  line("%nn32 = trunc %nn to i32");
  line("%nm1 = sub %n, 1");
  line("%nm1_32 = trunc %nm1 to i32");
  for (int K = range(1, 4); K > 0; --K) {
    int What = pick(100);
    if (What < 50)
      mapLoop(true);
    else if (What < 62)
      depLoop();
    else if (What < 80)
      scalarCode(true);
    else if (What < 92)
      timeLoop();
    else
      whileLoop();
  }

  std::string RetTypes, RetVals;
  for (size_t K = 0; K < Rets.size(); ++K) {
    RetTypes += std::string(K ? ", " : "") + tyName(Rets[K].Ty);
    RetVals += (K ? ", " : "") + Rets[K].Name;
  }
  std::string Sig = "func @f(" + Params + ")";
  if (Rets.size() == 1)
    Sig += " -> " + RetTypes;
  else if (Rets.size() > 1)
    Sig += " -> (" + RetTypes + ")";
  G.Text = Sig + " {\n" + Body + "  ret" + (RetVals.empty() ? "" : " ") +
           RetVals + "\n}\n";
  return G;
}

} // namespace

GenProgram ircgpu::test::generateLoops(uint64_t Seed) {
  return Gen(Seed).run();
}
