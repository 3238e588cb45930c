//===- ir/ParseOps.cpp - the operation forms of VIR text ------------------===//
//
// One function per syntactic form of spec §3-4. Each parses the whole op
// first, then gives literal operands their types (spec §3: from the op's other
// operands or from the position), then builds the op through the Builder and
// maps a rejected build step back to the token at fault.
//
//===----------------------------------------------------------------------===//
#include "ParserImpl.h"

#include "llvm/ADT/StringSwitch.h"

using namespace ircgpu;
using llvm::Error;
using llvm::StringRef;
using llvm::Twine;

static std::optional<uint8_t> icmpPred(StringRef S) {
  for (unsigned I = 0; I <= static_cast<unsigned>(ICmpPred::UGE); ++I)
    if (icmpPredName(static_cast<ICmpPred>(I)) == S)
      return I;
  return std::nullopt;
}
static std::optional<uint8_t> fcmpPred(StringRef S) {
  for (unsigned I = 0; I <= static_cast<unsigned>(FCmpPred::UNO); ++I)
    if (fcmpPredName(static_cast<FCmpPred>(I)) == S)
      return I;
  return std::nullopt;
}
static std::optional<uint8_t> atomicKind(StringRef S) {
  for (unsigned I = 0; I <= static_cast<unsigned>(AtomicKind::Xchg); ++I)
    if (atomicKindName(static_cast<AtomicKind>(I)) == S)
      return I;
  return std::nullopt;
}

/// `P[I]` then, for store / atomic / cmpxchg, `, V` (`, E, N`); offset is
/// `P, K`. The pointer must be a value: a literal has no pointer type.
Error ParserImpl::parseMemoryOperands(Opcode C, OperandList &Ops) {
  Ops.emplace_back();
  if (Error E = parseOperand(Ops[0]))
    return E;
  if (Ops[0].isLiteral())
    return errorAt(Ops[0].Tok, "expected a pointer value, found literal " +
                                   Ops[0].Tok.Text);
  OpKind K = opcodeKind(C);
  if (K == OpKind::Offset) {
    if (Error E = expect(TokKind::Comma, "after the pointer"))
      return E;
    Ops.emplace_back();
    if (Error E = parseOperand(Ops[1]))
      return E;
    return resolve(Ops[1], Type::i64());
  }
  if (Error E = expect(TokKind::LBracket, "after the pointer"))
    return E;
  Ops.emplace_back();
  if (Error E = parseOperand(Ops[1]))
    return E;
  if (Error E = expect(TokKind::RBracket, "after the index"))
    return E;
  unsigned Extra = K == OpKind::Load ? 0 : K == OpKind::CmpXchg ? 2 : 1;
  for (unsigned I = 0; I < Extra; ++I) {
    if (Error E = expect(TokKind::Comma))
      return E;
    Ops.emplace_back();
    if (Error E = parseOperand(Ops.back()))
      return E;
  }
  // Spec §3: an index is i64; a stored, atomic or compared value has the
  // element type (a non-pointer here is left for the Builder to report).
  if (Error E = resolve(Ops[1], Type::i64()))
    return E;
  Type Elem = Cur->type(Ops[0].V).elemType();
  for (size_t I = 2; I < Ops.size(); ++I)
    if (Error E = resolve(Ops[I], Elem))
      return E;
  return Error::success();
}

/// The names bound on the left of `=`, without their '%'.
static llvm::SmallVector<StringRef, 2> namesOf(llvm::ArrayRef<Token> Lhs) {
  llvm::SmallVector<StringRef, 2> Names;
  for (const Token &T : Lhs)
    Names.push_back(T.name());
  return Names;
}

/// Binds the names on the left of `=` to the op's results, or reports why
/// the Builder refused the op (at the operand at fault, else at At).
Error ParserImpl::bindResults(
    llvm::Expected<llvm::SmallVector<Value, 2>> Results,
    llvm::ArrayRef<Token> Lhs, llvm::ArrayRef<Token> OperandToks,
    const Token &At) {
  if (!Results)
    return mapBuildError(Results.takeError(), OperandToks, At);
  defineNames(Lhs, *Results);
  return Error::success();
}

Error ParserImpl::parseSimpleOp(const Token &First, llvm::ArrayRef<Token> Lhs,
                                Opcode C) {
  Token OpTok = Tok;
  consume();
  OpKind K = opcodeKind(C);
  OpAttrs A;
  OperandList Ops;
  size_t NumResults = 1;
  bool MayOmitResult = false;

  switch (K) {
  case OpKind::Const: {
    Ops.emplace_back();
    Ops[0].Tok = Tok;
    if (!Tok.is(TokKind::Literal))
      return errorAt(Tok, "expected a literal after 'const'");
    consume();
    if (Error E = expect(TokKind::Colon, "after the literal of 'const'"))
      return E;
    llvm::Expected<Type> Ty = parseType();
    if (!Ty)
      return Ty.takeError();
    A.To = *Ty;
    if (Error E = resolve(Ops[0], *Ty))
      return E;
    break;
  }
  case OpKind::ICmp:
  case OpKind::FCmp: {
    std::optional<uint8_t> P;
    if (Tok.is(TokKind::Ident))
      P = K == OpKind::ICmp ? icmpPred(Tok.Text) : fcmpPred(Tok.Text);
    if (!P)
      return errorAt(Tok, "expected a predicate of '" + OpTok.Text +
                              "', found '" + Tok.Text + "'");
    A.Sub = *P;
    consume();
    if (Error E = parseOperandList(Ops, 2))
      return E;
    if (Error E = resolveLike(Ops, OpTok, K))
      return E;
    break;
  }
  case OpKind::IntBinary:
  case OpKind::FloatBinary:
  case OpKind::IntUnary:
  case OpKind::FloatUnary:
  case OpKind::MathUnary:
  case OpKind::MathBinary:
  case OpKind::MathTernary:
  case OpKind::Cast: {
    bool IsMath = K == OpKind::MathUnary || K == OpKind::MathBinary ||
                  K == OpKind::MathTernary;
    Token AfnTok;
    if (IsMath && Tok.isIdent("afn")) {
      A.Flags |= FlagAfn;
      AfnTok = Tok;
      consume();
    }
    unsigned N = K == OpKind::MathTernary ? 3
                 : (K == OpKind::IntBinary || K == OpKind::FloatBinary ||
                    K == OpKind::MathBinary)
                     ? 2
                     : 1;
    if (Error E = parseOperandList(Ops, N))
      return E;
    // `trunc %x` rounds a float; `trunc %a to i8` is the integer cast.
    if (C == Opcode::FTrunc && Tok.isIdent("to")) {
      if (A.Flags & FlagAfn)
        return errorAt(AfnTok, "'afn' is not allowed on the 'trunc' cast");
      C = Opcode::Trunc;
      K = OpKind::Cast;
    }
    if (K == OpKind::Cast) {
      if (Error E = expectIdent("to", "after the operand of the cast"))
        return E;
      llvm::Expected<Type> Ty = parseType();
      if (!Ty)
        return Ty.takeError();
      A.To = *Ty;
    }
    if (Error E = resolveLike(Ops, OpTok, K))
      return E;
    break;
  }
  case OpKind::Select:
    if (Error E = parseOperandList(Ops, 3))
      return E;
    if (Error E = resolve(Ops[0], Type::i1()))
      return E;
    if (Error E = resolveLike(llvm::MutableArrayRef<Operand>(Ops).drop_front(),
                              OpTok, K))
      return E;
    break;
  case OpKind::Atomic:
  case OpKind::CmpXchg:
    if (K == OpKind::Atomic) {
      std::optional<uint8_t> AK =
          Tok.is(TokKind::Ident) ? atomicKind(Tok.Text) : std::nullopt;
      if (!AK)
        return errorAt(
            Tok, "expected an atomic operation (add, fadd, min, max, umin, "
                 "umax, fmin, fmax, and, or, xor, xchg), found '" +
                     Tok.Text + "'");
      A.Sub = *AK;
      consume();
    }
    MayOmitResult = true; // the old value is often not needed
    [[fallthrough]];
  case OpKind::Load:
  case OpKind::Store:
  case OpKind::Offset:
    if (Error E = parseMemoryOperands(C, Ops))
      return E;
    if (K == OpKind::Store)
      NumResults = 0;
    break;
  default:
    return errorAt(OpTok, "unexpected '" + OpTok.Text + "'");
  }

  if (Error E = checkResultCount(Lhs, OpTok, NumResults, MayOmitResult))
    return E;
  if (Error E = reserveNames(Lhs))
    return E;
  auto Results = B.create(C, values(Ops), A, First.Loc, namesOf(Lhs));
  return bindResults(std::move(Results), Lhs, tokens(Ops), OpTok);
}

Error ParserImpl::parseCall(const Token &First, llvm::ArrayRef<Token> Lhs) {
  Token OpTok = Tok;
  consume();
  Token CalleeTok = Tok;
  if (Error E = expect(TokKind::GlobalName, "after 'call'"))
    return E;
  auto It = FuncIndex.find(CalleeTok.name());
  if (It == FuncIndex.end()) {
    // A callee whose signature is wrong: that is the real problem.
    auto Bad = BadFuncs.find(CalleeTok.name());
    if (Bad != BadFuncs.end()) {
      const Diagnostic &D = *Funcs[Bad->second].Err;
      return llvm::make_error<DiagnosticError>(D.Loc, D.Message);
    }
    return errorAt(CalleeTok,
                   "call to undefined function '" + CalleeTok.Text + "'");
  }
  const Function &Callee = *M.Functions[It->second];
  if (Error E = expect(TokKind::LParen, "after the callee"))
    return E;
  OperandList Args;
  while (!Tok.is(TokKind::RParen)) {
    if (!Args.empty())
      if (Error E = expect(TokKind::Comma, "between arguments"))
        return E;
    Args.emplace_back();
    if (Error E = parseOperand(Args.back()))
      return E;
  }
  consume(); // ')'
  if (Args.size() != Callee.Params.size())
    return errorAt(CalleeTok, "'" + CalleeTok.Text + "' takes " +
                                  Twine(Callee.Params.size()) + " argument" +
                                  (Callee.Params.size() == 1 ? "" : "s") +
                                  ", but " + Twine(Args.size()) +
                                  (Args.size() == 1 ? " is" : " are") +
                                  " given");
  for (size_t I = 0; I < Args.size(); ++I)
    if (Error E = resolve(Args[I], Callee.type(Callee.Params[I])))
      return E;
  if (Error E = checkResultCount(Lhs, OpTok, Callee.ResultTypes.size()))
    return E;
  if (Error E = reserveNames(Lhs))
    return E;
  OpAttrs A;
  A.Callee = It->second;
  auto Results =
      B.create(Opcode::Call, values(Args), A, First.Loc, namesOf(Lhs));
  return bindResults(std::move(Results), Lhs, tokens(Args), CalleeTok);
}

/// `yield`, `condition` and `ret`: they end a region, so the region kind says
/// which one is allowed and what the values must be.
Error ParserImpl::parseTerminator(const RegionCtx &C, RegionEnd &End) {
  Token T = Tok;
  consume();
  OperandList Vals;
  if (T.Text == "condition") {
    if (C.Kind != RegionKind::WhileCond)
      return errorAt(T,
                     "'condition' is only allowed at the end of the condition "
                     "region of 'while'");
    Vals.emplace_back();
    if (Error E = parseOperand(Vals[0]))
      return E;
    if (Error E = resolve(Vals[0], Type::i1()))
      return E;
  } else if (T.Text == "yield") {
    if (C.Kind == RegionKind::FuncBody)
      return errorAt(T, "'yield' outside a region; a function ends with 'ret'");
    if (C.Kind == RegionKind::WhileCond)
      return errorAt(
          T, "the condition region of 'while' ends with 'condition', not "
             "'yield'");
    if (Error E = parseValueList(Vals, T))
      return E;
    if (Error E =
            resolveList(Vals, C.YieldTypes, T, "the '" + C.Owner + "' expects"))
      return E;
  } else { // ret
    if (C.Kind != RegionKind::FuncBody)
      return errorAt(
          T, "'ret' is only allowed as the last operation of the function "
             "body");
    if (Error E = parseValueList(Vals, T))
      return E;
    if (Error E = resolveList(Vals, C.YieldTypes, T,
                              "function '" + C.Owner + "' returns"))
      return E;
    // ret closes the function, so nothing may follow it.
    if (!Tok.is(TokKind::RBrace) && !Tok.is(TokKind::Eof))
      return errorAt(
          Tok, "expected '}' after 'ret': 'ret' must be the last operation "
               "of the function body");
    if (Error E = B.finishBody(values(Vals), T.Loc))
      return mapBuildError(std::move(E), tokens(Vals), T);
  }
  End.Tok = T;
  End.Values = values(Vals);
  End.ValueToks = tokens(Vals);
  return Error::success();
}

/// The Builder wants a yield location even when none was written.
static SrcLoc endLoc(const Token &YieldTok, const Token &Close) {
  return YieldTok.is(TokKind::Eof) ? Close.Loc : YieldTok.Loc;
}

/// The values a loop carries, `%name: T = INIT, ...` up to and including the
/// closing ')': a for's `iter(...)` or a while's loop variables. Appends to
/// Names, Types and Inits.
Error ParserImpl::parseCarried(bool IsFor, TokenList &Names,
                               llvm::SmallVectorImpl<Type> &Types,
                               OperandList &Inits) {
  const char *What = IsFor ? "(an iter argument)" : "(a loop variable)";
  const char *After =
      IsFor ? "after the iter argument" : "after the loop variable";
  const char *Between =
      IsFor ? "between iter arguments" : "between loop variables";
  size_t First = Names.size();
  while (!Tok.is(TokKind::RParen)) {
    if (Names.size() != First)
      if (Error E = expect(TokKind::Comma, Between))
        return E;
    Token NameTok = Tok;
    if (Error E = expect(TokKind::LocalName, What))
      return E;
    if (Error E = reserveName(NameTok))
      return E;
    if (Error E = expect(TokKind::Colon, After))
      return E;
    llvm::Expected<Type> Ty = parseType();
    if (!Ty)
      return Ty.takeError();
    if (Error E = expect(TokKind::Equal, "before the initial value"))
      return E;
    Inits.emplace_back();
    if (Error E = parseOperand(Inits.back()))
      return E;
    Names.push_back(NameTok);
    Types.push_back(*Ty);
  }
  consume(); // ')'
  return Error::success();
}

Error ParserImpl::parseFor(const Token &First, llvm::ArrayRef<Token> Lhs) {
  Token ForTok = Tok;
  consume();
  if (Error E = reserveNames(Lhs))
    return E;
  pushScope(); // the index and iter arguments belong to the body
  Token IdxTok = Tok;
  if (Error E = expect(TokKind::LocalName, "(the loop index) after 'for'"))
    return E;
  if (Error E = reserveName(IdxTok))
    return E;
  OperandList Ops(3);
  if (Error E = expect(TokKind::Equal, "after the loop index"))
    return E;
  if (Error E = parseOperand(Ops[0]))
    return E;
  if (Error E = expectIdent("to", "after the lower bound"))
    return E;
  if (Error E = parseOperand(Ops[1]))
    return E;
  if (Error E = expectIdent("step", "after the upper bound"))
    return E;
  if (Error E = parseOperand(Ops[2]))
    return E;
  uint8_t Flags = 0;
  while (Tok.isIdent("parallel") || Tok.isIdent("reassoc")) {
    Flags |= Tok.Text == "parallel" ? FlagParallel : FlagReassoc;
    consume();
  }
  TokenList IterToks;
  llvm::SmallVector<Type, 2> IterTypes;
  if (Tok.isIdent("iter")) {
    consume();
    if (Error E = expect(TokKind::LParen, "after 'iter'"))
      return E;
    if (Error E = parseCarried(/*IsFor=*/true, IterToks, IterTypes, Ops))
      return E;
  }
  Token Open = Tok;
  if (Error E = expect(TokKind::LBrace, "to start the 'for' body"))
    return E;
  if (Error E = checkResultCount(Lhs, ForTok, IterTypes.size()))
    return E;

  // Bounds and step share one type: that of any of them that is a value, else
  // i64 (spec §3). Initial values take their declared types.
  Type BoundTy = Type::i64();
  for (unsigned I = 0; I < 3; ++I)
    if (!Ops[I].isLiteral()) {
      BoundTy = Cur->type(Ops[I].V);
      break;
    }
  for (unsigned I = 0; I < 3; ++I) {
    if (Error E = resolve(Ops[I], BoundTy))
      return E;
    // Bounds are read as signed (spec §4): a literal like 3000000000 that
    // fits i32 only as an unsigned bit pattern would silently mean a
    // negative bound.
    if (Ops[I].isLiteral() && !Ops[I].Tok.Text.starts_with("-") &&
        BoundTy.bits() < 64 &&
        (Cur->info(Ops[I].V).Bits >> (BoundTy.bits() - 1)) != 0)
      return errorAt(Ops[I].Tok, "loop bound " + Ops[I].Tok.Text +
                                     " does not fit in " + BoundTy.str() +
                                     " read as signed");
  }
  for (size_t I = 0; I < IterTypes.size(); ++I)
    if (Error E = resolve(Ops[3 + I], IterTypes[I]))
      return E;

  if (Error E = checkDepth(ForTok))
    return E;
  llvm::SmallVector<StringRef, 2> IterNames;
  for (const Token &T : IterToks)
    IterNames.push_back(T.name());
  llvm::SmallVector<Value, 4> Inits =
      values(llvm::ArrayRef<Operand>(Ops).drop_front(3));
  auto Args = B.beginFor(Ops[0].V, Ops[1].V, Ops[2].V, Inits, IterTypes, Flags,
                         First.Loc, IdxTok.name(), IterNames);
  if (!Args)
    return mapBuildError(Args.takeError(), tokens(Ops), ForTok);
  defineName(IdxTok, (*Args)[0]);
  defineNames(IterToks, llvm::ArrayRef<Value>(*Args).drop_front());

  RegionEnd End;
  ++Depth;
  if (Error E = parseRegion({RegionKind::ForBody, IterTypes, Open, "for"}, End))
    return E;
  --Depth;
  popScope();
  Token Close = Tok;
  consume();
  auto Results = B.endFor(End.Values, endLoc(End.Tok, Close), namesOf(Lhs));
  return bindResults(std::move(Results), Lhs, End.ValueToks,
                     End.present() ? End.Tok : Close);
}

Error ParserImpl::parseIf(const Token &First, llvm::ArrayRef<Token> Lhs) {
  Token IfTok = Tok;
  consume();
  if (Error E = reserveNames(Lhs))
    return E;
  Operand Cond;
  if (Error E = parseOperand(Cond))
    return E;
  llvm::SmallVector<Type, 2> Types;
  if (Tok.is(TokKind::Arrow)) {
    consume();
    if (Error E = parseResultTypes(Types))
      return E;
  }
  Token Open = Tok;
  if (Error E = expect(TokKind::LBrace, "to start the 'if' body"))
    return E;
  if (Error E = checkResultCount(Lhs, IfTok, Types.size()))
    return E;
  if (Error E = resolve(Cond, Type::i1()))
    return E;
  if (Error E = checkDepth(IfTok))
    return E;
  if (Error E = B.beginIf(Cond.V, Types, First.Loc))
    return mapBuildError(std::move(E), {Cond.Tok}, IfTok);

  RegionEnd Then;
  pushScope();
  ++Depth;
  if (Error E = parseRegion({RegionKind::IfThen, Types, Open, "if"}, Then))
    return E;
  --Depth;
  popScope();
  Token Close = Tok;
  consume();

  RegionEnd *Last = &Then;
  RegionEnd Else;
  if (Tok.isIdent("else")) {
    consume();
    Token ElseOpen = Tok;
    if (Error E = expect(TokKind::LBrace, "after 'else'"))
      return E;
    if (Error E = B.beginElse(Then.Values, endLoc(Then.Tok, Close)))
      return mapBuildError(std::move(E), Then.ValueToks,
                           Then.present() ? Then.Tok : Close);
    pushScope();
    ++Depth;
    if (Error E =
            parseRegion({RegionKind::IfElse, Types, ElseOpen, "if"}, Else))
      return E;
    --Depth;
    popScope();
    Close = Tok;
    consume();
    Last = &Else;
  } else if (!Types.empty()) {
    return errorAt(IfTok, "an 'if' with results needs an 'else' region");
  }
  auto Results = B.endIf(Last->Values, endLoc(Last->Tok, Close), namesOf(Lhs));
  return bindResults(std::move(Results), Lhs, Last->ValueToks,
                     Last->present() ? Last->Tok : Close);
}

Error ParserImpl::parseWhile(const Token &First, llvm::ArrayRef<Token> Lhs) {
  Token WhileTok = Tok;
  consume();
  if (Error E = reserveNames(Lhs))
    return E;
  pushScope(); // the loop variables: visible in both regions
  if (Error E = expect(TokKind::LParen, "after 'while'"))
    return E;
  TokenList VarToks;
  llvm::SmallVector<Type, 2> Types;
  OperandList Inits;
  if (Error E = parseCarried(/*IsFor=*/false, VarToks, Types, Inits))
    return E;
  Token Open = Tok;
  if (Error E =
          expect(TokKind::LBrace, "to start the condition region of 'while'"))
    return E;
  if (Error E = checkResultCount(Lhs, WhileTok, Types.size()))
    return E;
  for (size_t I = 0; I < Inits.size(); ++I)
    if (Error E = resolve(Inits[I], Types[I]))
      return E;
  if (Error E = checkDepth(WhileTok))
    return E;
  llvm::SmallVector<StringRef, 2> VarNames;
  for (const Token &T : VarToks)
    VarNames.push_back(T.name());
  auto Vars = B.beginWhile(values(Inits), Types, First.Loc, VarNames);
  if (!Vars)
    return mapBuildError(Vars.takeError(), tokens(Inits), WhileTok);
  defineNames(VarToks, *Vars);

  RegionEnd CondEnd;
  pushScope(); // values of the condition region are not visible in `do`
  ++Depth;
  if (Error E =
          parseRegion({RegionKind::WhileCond, {}, Open, "while"}, CondEnd))
    return E;
  --Depth;
  popScope();
  consume(); // '}'
  if (Error E = expectIdent("do", "after the condition region of 'while'"))
    return E;
  Token DoOpen = Tok;
  if (Error E = expect(TokKind::LBrace, "after 'do'"))
    return E;
  if (Error E = B.beginDo(CondEnd.Values[0], CondEnd.Tok.Loc))
    return mapBuildError(std::move(E), CondEnd.ValueToks, CondEnd.Tok);

  RegionEnd DoEnd;
  pushScope();
  ++Depth;
  if (Error E =
          parseRegion({RegionKind::WhileDo, Types, DoOpen, "while"}, DoEnd))
    return E;
  --Depth;
  popScope();
  popScope();
  Token Close = Tok;
  consume();
  auto Results =
      B.endWhile(DoEnd.Values, endLoc(DoEnd.Tok, Close), namesOf(Lhs));
  return bindResults(std::move(Results), Lhs, DoEnd.ValueToks,
                     DoEnd.present() ? DoEnd.Tok : Close);
}
