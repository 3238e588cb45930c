//===- ir/Parser.cpp - VIR text to a Module -------------------------------===//
//
// Module and function structure, names, operands and types. The op forms are
// in ParseOps.cpp; the overall design is described in ParserImpl.h.
//
//===----------------------------------------------------------------------===//
#include "ParserImpl.h"

#include "ircgpu/Literal.h"
#include "ircgpu/Parser.h"
#include "ircgpu/Verifier.h"

#include "llvm/ADT/StringSwitch.h"

using namespace ircgpu;
using llvm::Error;
using llvm::StringRef;
using llvm::Twine;

//===----------------------------------------------------------------------===//
// Tokens and errors
//===----------------------------------------------------------------------===//

Error ParserImpl::errorAt(const Token &T, const Twine &Msg) const {
  // An invalid byte is the real problem wherever it shows up, so it wins over
  // whatever the parser expected there.
  if (T.is(TokKind::Error))
    return llvm::make_error<DiagnosticError>(T.Loc, Lexer::errorMessage(T));
  return llvm::make_error<DiagnosticError>(T.Loc, Msg.str());
}

static std::string describe(const Token &T) {
  if (T.is(TokKind::Eof))
    return "end of input";
  return ("'" + T.Text + "'").str();
}

Error ParserImpl::expect(TokKind K, const char *Context) {
  if (!Tok.is(K))
    return errorAt(Tok, Twine("expected ") + tokKindName(K) +
                            (Context ? " " : "") + (Context ? Context : "") +
                            ", found " + describe(Tok));
  consume();
  return Error::success();
}

Error ParserImpl::expectIdent(StringRef Word, const char *Context) {
  if (!Tok.isIdent(Word))
    return errorAt(Tok, "expected '" + Word + "'" + (Context ? " " : "") +
                            (Context ? Context : "") + ", found " +
                            describe(Tok));
  consume();
  return Error::success();
}

Error ParserImpl::mapBuildError(Error E, llvm::ArrayRef<Token> OperandToks,
                                const Token &Fallback) const {
  if (!E)
    return E;
  std::optional<Diagnostic> D;
  llvm::handleAllErrors(
      std::move(E),
      [&](const BuildError &BE) {
        int I = BE.operand();
        const Token &At = I >= 0 && static_cast<size_t>(I) < OperandToks.size()
                              ? OperandToks[I]
                              : Fallback;
        D = Diagnostic{At.Loc, BE.message()};
      },
      [&](const DiagnosticError &DE) {
        D = DE.diagnostics().empty()
                ? Diagnostic{Fallback.Loc, "invalid operation"}
                : DE.diagnostics().front();
      },
      [&](const llvm::ErrorInfoBase &EI) {
        D = Diagnostic{Fallback.Loc, EI.message()};
      });
  return llvm::make_error<DiagnosticError>(D->Loc, D->Message);
}

static std::optional<Scalar> scalarByName(StringRef S) {
  return llvm::StringSwitch<std::optional<Scalar>>(S)
      .Case("i1", Scalar::I1)
      .Case("i8", Scalar::I8)
      .Case("i16", Scalar::I16)
      .Case("i32", Scalar::I32)
      .Case("i64", Scalar::I64)
      .Case("f16", Scalar::F16)
      .Case("f32", Scalar::F32)
      .Case("f64", Scalar::F64)
      .Default(std::nullopt);
}

llvm::Expected<Type> ParserImpl::parseType() {
  Token T = Tok;
  if (!T.is(TokKind::Ident))
    return errorAt(T, "expected a type, found " + describe(T));
  consume();
  if (T.Text == "ptr") {
    if (Error E = expect(TokKind::Less, "after 'ptr'"))
      return E;
    Token ElemTok = Tok;
    std::optional<Scalar> S =
        ElemTok.is(TokKind::Ident) ? scalarByName(ElemTok.Text) : std::nullopt;
    if (!S)
      return errorAt(ElemTok,
                     "expected a scalar element type in 'ptr<...>', found " +
                         describe(ElemTok));
    if (*S == Scalar::F16)
      return errorAt(ElemTok, "f16 is not supported yet");
    if (*S == Scalar::I1)
      return errorAt(ElemTok,
                     "ptr<i1> is not allowed: i1 has no memory layout; use "
                     "ptr<i8>");
    consume();
    if (Error E = expect(TokKind::Greater, "to close 'ptr<'"))
      return E;
    return Type::ptr(*S);
  }
  std::optional<Scalar> S = scalarByName(T.Text);
  if (!S)
    return errorAt(T, "unknown type '" + T.Text + "'");
  if (*S == Scalar::F16)
    return errorAt(T, "f16 is not supported yet");
  return Type::scalar(*S);
}

//===----------------------------------------------------------------------===//
// Names and scopes
//===----------------------------------------------------------------------===//

// A name is reserved (Pending) where it is written and becomes Live once the
// Builder has created its value; a use in between (`%x = add %x, 1`) is
// reported as a use before definition. Names never leave the map: VIR forbids
// redefining a name anywhere in a function, shadowing included.
Error ParserImpl::reserveName(const Token &T) {
  auto [It, New] = Names.try_emplace(T.name());
  if (!New)
    return errorAt(T, "redefinition of '" + T.Text + "'");
  It->second.Def = T.Loc;
  ScopeNames.push_back(&*It);
  return Error::success();
}

void ParserImpl::defineName(const Token &T, Value V) {
  auto It = Names.find(T.name());
  assert(It != Names.end() && "name defined without being reserved");
  It->second.V = V;
  It->second.State = NameState::Live;
}

Error ParserImpl::reserveNames(llvm::ArrayRef<Token> Ts) {
  for (const Token &T : Ts)
    if (Error E = reserveName(T))
      return E;
  return Error::success();
}

void ParserImpl::defineNames(llvm::ArrayRef<Token> Ts,
                             llvm::ArrayRef<Value> Vs) {
  for (size_t I = 0; I < Ts.size() && I < Vs.size(); ++I)
    defineName(Ts[I], Vs[I]);
}

void ParserImpl::popScope() {
  size_t Mark = ScopeMarks.back();
  ScopeMarks.pop_back();
  for (size_t I = Mark; I < ScopeNames.size(); ++I)
    ScopeNames[I]->second.State = NameState::Dead;
  ScopeNames.resize(Mark);
}

//===----------------------------------------------------------------------===//
// Operands
//===----------------------------------------------------------------------===//

Error ParserImpl::parseOperand(Operand &O) {
  O.Tok = Tok;
  if (Tok.is(TokKind::Literal)) {
    consume(); // typed later, by resolve()
    return Error::success();
  }
  if (!Tok.is(TokKind::LocalName))
    return errorAt(Tok,
                   "expected a value or a literal, found " + describe(Tok));
  auto It = Names.find(Tok.name());
  if (It == Names.end())
    return errorAt(Tok, "use of undefined value '" + Tok.Text + "'");
  switch (It->second.State) {
  case NameState::Pending:
    return errorAt(Tok, "use of '" + Tok.Text + "' before its definition");
  case NameState::Dead:
    return errorAt(Tok, "'" + Tok.Text +
                            "' is not visible here: it is defined in a "
                            "region that has ended (line " +
                            Twine(It->second.Def.Line) + ")");
  case NameState::Live:
    break;
  }
  O.V = It->second.V;
  consume();
  return Error::success();
}

Error ParserImpl::parseOperandList(OperandList &Ops, unsigned N) {
  for (unsigned I = 0; I < N; ++I) {
    if (I)
      if (Error E = expect(TokKind::Comma, "between operands"))
        return E;
    Ops.emplace_back();
    if (Error E = parseOperand(Ops.back()))
      return E;
  }
  return Error::success();
}

Error ParserImpl::resolve(Operand &O, Type Ty) {
  if (!O.isLiteral())
    return Error::success();
  llvm::Expected<uint64_t> Bits = parseLiteral(O.Tok.Text, Ty);
  if (!Bits)
    return errorAt(O.Tok, llvm::toString(Bits.takeError()));
  llvm::Expected<Value> V = B.literal(Ty, *Bits, O.Tok.Loc);
  if (!V)
    return mapBuildError(V.takeError(), {}, O.Tok);
  O.V = *V;
  return Error::success();
}

/// The type a literal would most plausibly have in an op of kind K, for the
/// "write a const" hint.
static StringRef hintType(StringRef Lit, OpKind K) {
  if (Lit == "true" || Lit == "false")
    return "i1";
  switch (K) {
  case OpKind::IntBinary:
  case OpKind::IntUnary:
  case OpKind::ICmp:
    return "i32";
  case OpKind::FloatBinary:
  case OpKind::FloatUnary:
  case OpKind::MathUnary:
  case OpKind::MathBinary:
  case OpKind::MathTernary:
  case OpKind::FCmp:
    return "f32";
  default:
    break;
  }
  bool Hex = Lit.contains("0x") || Lit.contains("0X");
  bool Float = Lit.contains('.') || Lit.contains("inf") ||
               Lit.contains("nan") ||
               (Hex ? Lit.contains('p') : Lit.contains_insensitive("e"));
  return Float ? "f32" : "i32";
}

/// Literals among Ops take the type of the first non-literal operand; an op
/// with nothing but literals has no type to give them.
Error ParserImpl::resolveLike(llvm::MutableArrayRef<Operand> Ops,
                              const Token &OpTok, OpKind K) {
  const Operand *Typed = nullptr;
  for (const Operand &O : Ops)
    if (!O.isLiteral()) {
      Typed = &O;
      break;
    }
  if (!Typed) {
    StringRef Lit = Ops.front().Tok.Text;
    return errorAt(OpTok,
                   (K == OpKind::Select
                        ? "both values of 'select' are literals"
                        : "all operands of '" + OpTok.Text + "' are literals") +
                       "; write %c = const " + Lit + " : " + hintType(Lit, K));
  }
  Type Ty = Cur->type(Typed->V);
  // The op's own type rule comes first: in `fadd 1.5, %i` with %i an i32, the
  // error is the integer operand, not the literal that cannot be one.
  bool WantFloat = K == OpKind::FloatBinary || K == OpKind::FloatUnary ||
                   K == OpKind::MathUnary || K == OpKind::MathBinary ||
                   K == OpKind::MathTernary || K == OpKind::FCmp;
  bool WantInt =
      K == OpKind::IntBinary || K == OpKind::IntUnary || K == OpKind::ICmp;
  if (WantFloat && !Ty.isFloat())
    return errorAt(Typed->Tok, "'" + OpTok.Text +
                                   "' needs f32 or f64 operands, got " +
                                   Ty.str());
  if (WantInt && !Ty.isInt())
    return errorAt(Typed->Tok, "'" + OpTok.Text +
                                   "' needs integer operands, got " + Ty.str());
  for (Operand &O : Ops)
    if (Error E = resolve(O, Ty))
      return E;
  return Error::success();
}

/// A possibly empty list `v, v, ...` after ret / yield. The list starts on
/// the keyword's line: otherwise `ret` followed by `%b = ...` on the next line
/// (an error that deserves its own message) would read as `ret %b`.
Error ParserImpl::parseValueList(OperandList &Ops, const Token &Keyword) {
  if ((!Tok.is(TokKind::LocalName) && !Tok.is(TokKind::Literal)) ||
      Tok.Loc.Line != Keyword.Loc.Line)
    return Error::success();
  do {
    Ops.emplace_back();
    if (Error E = parseOperand(Ops.back()))
      return E;
    if (!Tok.is(TokKind::Comma))
      break;
    consume();
  } while (true);
  return Error::success();
}

Error ParserImpl::resolveList(OperandList &Ops, llvm::ArrayRef<Type> Tys,
                              const Token &At, const Twine &What) {
  if (Ops.size() != Tys.size())
    return errorAt(At, "'" + At.Text + "' has " + Twine(Ops.size()) + " value" +
                           (Ops.size() == 1 ? "" : "s") + ", but " + What +
                           " " + Twine(Tys.size()));
  for (size_t I = 0; I < Ops.size(); ++I)
    if (Error E = resolve(Ops[I], Tys[I]))
      return E;
  return Error::success();
}

llvm::SmallVector<Value, 4> ParserImpl::values(llvm::ArrayRef<Operand> Ops) {
  llvm::SmallVector<Value, 4> Vs;
  for (const Operand &O : Ops)
    Vs.push_back(O.V);
  return Vs;
}

ParserImpl::TokenList ParserImpl::tokens(llvm::ArrayRef<Operand> Ops) {
  TokenList Ts;
  for (const Operand &O : Ops)
    Ts.push_back(O.Tok);
  return Ts;
}

//===----------------------------------------------------------------------===//
// Pass 1: signatures
//===----------------------------------------------------------------------===//

Error ParserImpl::parseSignature(FuncEntry &E) {
  Token FuncTok = Tok;
  consume();
  E.NameTok = Tok;
  if (Error Err = expect(TokKind::GlobalName, "after 'func'"))
    return Err;
  if (Error Err = expect(TokKind::LParen, "after the function name"))
    return Err;
  llvm::SmallVector<Type, 8> ParamTypes;
  llvm::SmallVector<uint8_t, 8> Attrs;
  llvm::SmallVector<StringRef, 8> ParamNames;
  llvm::StringMap<SrcLoc> Seen;
  while (!Tok.is(TokKind::RParen)) {
    if (!ParamTypes.empty())
      if (Error Err = expect(TokKind::Comma, "between parameters"))
        return Err;
    Token NameTok = Tok;
    if (Error Err = expect(TokKind::LocalName, "(a parameter name)"))
      return Err;
    if (!Seen.try_emplace(NameTok.name(), NameTok.Loc).second)
      return errorAt(NameTok, "redefinition of '" + NameTok.Text + "'");
    if (Error Err = expect(TokKind::Colon, "after the parameter name"))
      return Err;
    llvm::Expected<Type> Ty = parseType();
    if (!Ty)
      return Ty.takeError();
    uint8_t A = 0;
    while (Tok.is(TokKind::Ident)) {
      uint8_t Bit = llvm::StringSwitch<uint8_t>(Tok.Text)
                        .Case("noalias", AttrNoAlias)
                        .Case("readonly", AttrReadOnly)
                        .Case("writeonly", AttrWriteOnly)
                        .Default(0);
      if (!Bit)
        return errorAt(Tok, "unknown parameter attribute '" + Tok.Text + "'");
      A |= Bit;
      consume();
    }
    E.ParamToks.push_back(NameTok);
    ParamTypes.push_back(*Ty);
    Attrs.push_back(A);
    ParamNames.push_back(NameTok.name());
  }
  consume(); // ')'
  llvm::SmallVector<Type, 2> Results;
  if (Tok.is(TokKind::Arrow)) {
    consume();
    if (Error Err = parseResultTypes(Results))
      return Err;
  }
  E.Open = Tok;
  if (!Tok.is(TokKind::LBrace))
    return errorAt(Tok, "expected '{' to start the body of '" + E.NameTok.Text +
                            "', found " + describe(Tok));
  E.Body = Lex.save();
  consume();

  StringRef Name = E.NameTok.name();
  if (FuncIndex.count(Name))
    return errorAt(E.NameTok,
                   "redefinition of function '" + E.NameTok.Text + "'");
  llvm::Expected<Function *> F = B.declareFunction(
      Name, ParamTypes, Attrs, Results, ParamNames, FuncTok.Loc);
  if (!F)
    return mapBuildError(F.takeError(), E.ParamToks, E.NameTok);
  E.F = *F;
  FuncIndex[Name] = M.Functions.size() - 1;
  assert(M.Functions.back().get() == E.F && "declareFunction must append");
  return Error::success();
}

/// `-> T` or `-> (T, T, ...)`, the '->' already consumed.
Error ParserImpl::parseResultTypes(llvm::SmallVectorImpl<Type> &Tys) {
  bool Paren = Tok.is(TokKind::LParen);
  if (Paren)
    consume();
  do {
    llvm::Expected<Type> Ty = parseType();
    if (!Ty)
      return Ty.takeError();
    Tys.push_back(*Ty);
    if (!Paren || !Tok.is(TokKind::Comma))
      break;
    consume();
  } while (true);
  if (Paren)
    return expect(TokKind::RParen, "to close the result types");
  return Error::success();
}

// Pass 1 must not stop at errors in one function: a later, valid function may
// be called from an earlier one. It records each signature's outcome; pass 2
// reports a bad signature only when it gets there, so the first error in the
// file is the one reported.
void ParserImpl::declareAll() {
  consume();
  while (!Tok.is(TokKind::Eof)) {
    if (!Tok.isIdent("func")) {
      consume();
      continue;
    }
    unsigned Index = Funcs.size();
    FuncAt[Tok.Text.data()] = Index;
    Funcs.emplace_back();
    if (Error E = parseSignature(Funcs.back())) {
      llvm::handleAllErrors(
          std::move(E),
          [&](const DiagnosticError &DE) {
            Funcs[Index].Err = DE.diagnostics().front();
          },
          [&](const llvm::ErrorInfoBase &EI) {
            Funcs[Index].Err =
                Diagnostic{Funcs[Index].NameTok.Loc, EI.message()};
          });
      const Token &NameTok = Funcs[Index].NameTok;
      if (NameTok.is(TokKind::GlobalName))
        BadFuncs.try_emplace(NameTok.name(), Index);
      continue;
    }
    // Skip the body. `func` is never valid inside one, so seeing it means the
    // body was left open; resynchronize there.
    for (unsigned Braces = 1;
         Braces && !Tok.is(TokKind::Eof) && !Tok.isIdent("func");) {
      if (Tok.is(TokKind::LBrace))
        ++Braces;
      else if (Tok.is(TokKind::RBrace))
        --Braces;
      consume();
    }
  }
}

//===----------------------------------------------------------------------===//
// Pass 2: bodies
//===----------------------------------------------------------------------===//

Error ParserImpl::run() {
  declareAll();
  Lex.restore(Lexer(Source).save());
  consume();
  while (!Tok.is(TokKind::Eof)) {
    if (!Tok.isIdent("func"))
      return errorAt(Tok,
                     "expected 'func' at top level, found " + describe(Tok));
    // Pass 1 saw every `func` token (it resynchronizes on them), so this
    // lookup cannot fail; stay safe in release builds all the same.
    auto It = FuncAt.find(Tok.Text.data());
    if (It == FuncAt.end())
      return errorAt(Tok, "internal error: function signature not found");
    FuncEntry &E = Funcs[It->second];
    if (E.Err)
      return llvm::make_error<DiagnosticError>(E.Err->Loc, E.Err->Message);
    if (Error Err = parseFunctionBody(E))
      return Err;
  }
  return Error::success();
}

Error ParserImpl::parseFunctionBody(FuncEntry &E) {
  Cur = E.F;
  Names.clear();
  ScopeNames.clear();
  ScopeMarks.clear();
  Depth = 0;
  if (Error Err = B.beginBody(*Cur))
    return mapBuildError(std::move(Err), {}, E.NameTok);
  pushScope();
  for (size_t I = 0; I < E.ParamToks.size(); ++I) {
    cantFail(reserveName(E.ParamToks[I])); // pass 1 rejected duplicates
    defineName(E.ParamToks[I], Cur->Params[I]);
  }
  Lex.restore(E.Body);
  consume();
  RegionEnd End;
  RegionCtx C{RegionKind::FuncBody, Cur->ResultTypes, E.Open, E.NameTok.Text};
  if (Error Err = parseRegion(C, End))
    return Err;
  consume(); // '}'
  return Error::success();
}

Error ParserImpl::checkDepth(const Token &At) const {
  // The function body counts as one region (docs/ir.md, "Limits"), as in the
  // Builder and the Verifier.
  if (Depth + 1 >= MaxNestingDepth)
    return errorAt(At, "nesting deeper than " + Twine(MaxNestingDepth) +
                           " regions");
  return Error::success();
}

Error ParserImpl::checkResultCount(llvm::ArrayRef<Token> Lhs,
                                   const Token &OpTok, size_t Want,
                                   bool MayOmit) const {
  if (Lhs.size() == Want || (MayOmit && Lhs.empty()))
    return Error::success();
  const Token &At = Lhs.empty() ? OpTok : Lhs.front();
  if (Want == 0)
    return errorAt(At, "'" + OpTok.Text + "' produces no results");
  return errorAt(At,
                 "'" + OpTok.Text + "' produces " + Twine(Want) + " result" +
                     (Want == 1 ? "" : "s") + ", but " + Twine(Lhs.size()) +
                     (Lhs.size() == 1 ? " name is" : " names are") + " given");
}

/// Parses statements up to the region's closing '}' (left as the current
/// token) and checks that the region ends the way its owner requires.
Error ParserImpl::parseRegion(const RegionCtx &C, RegionEnd &End) {
  while (!Tok.is(TokKind::RBrace)) {
    if (Tok.is(TokKind::Eof) || Tok.isIdent("func"))
      return errorAt(Tok, "expected '}' to close the region opened at " +
                              Twine(C.Open.Loc.Line) + ":" +
                              Twine(C.Open.Loc.Col) + ", found " +
                              describe(Tok));
    if (End.present()) {
      StringRef Term = End.Tok.Text;
      if (Term == "ret")
        return errorAt(Tok, "expected '}' after 'ret': 'ret' must be the last "
                            "operation of the function body");
      return errorAt(Tok, "expected '}' after '" + Term +
                              "': it must be the last "
                              "operation of its region");
    }
    if (Error E = parseStatement(C, End))
      return E;
  }
  switch (C.Kind) {
  case RegionKind::FuncBody:
    if (!End.present())
      return errorAt(Tok,
                     "missing 'ret' at the end of function '" + C.Owner + "'");
    break;
  case RegionKind::WhileCond:
    if (!End.present())
      return errorAt(Tok,
                     "expected 'condition' at the end of the condition region "
                     "of 'while'");
    break;
  default:
    if (!End.present() && !C.YieldTypes.empty())
      return errorAt(Tok, "expected 'yield' with " +
                              Twine(C.YieldTypes.size()) + " value" +
                              (C.YieldTypes.size() == 1 ? "" : "s") +
                              " at the end of the '" + C.Owner + "' region");
    break;
  }
  return Error::success();
}

static const llvm::StringMap<Opcode> &opcodeTable() {
  static const llvm::StringMap<Opcode> Table = [] {
    llvm::StringMap<Opcode> T;
    for (unsigned I = 0; I < NumOpcodes; ++I) {
      Opcode C = static_cast<Opcode>(I);
      // `trunc` is listed twice; the first (the float rounding) wins and the
      // `to` clause turns it into the cast while parsing.
      T.try_emplace(opcodeName(C), C);
    }
    return T;
  }();
  return Table;
}

Error ParserImpl::parseStatement(const RegionCtx &C, RegionEnd &End) {
  // An op's location is its name (`call`, `fadd`): diagnostics about the op
  // as a whole point there, as clang points at an operator.
  TokenList Lhs;
  if (Tok.is(TokKind::LocalName)) {
    do {
      Lhs.push_back(Tok);
      consume();
      if (!Tok.is(TokKind::Comma))
        break;
      consume();
      if (!Tok.is(TokKind::LocalName))
        return errorAt(Tok, "expected a result name after ',', found " +
                                describe(Tok));
    } while (true);
    if (Error E = expect(TokKind::Equal, "after the result names"))
      return E;
  }
  Token OpTok = Tok;
  if (!Tok.is(TokKind::Ident))
    return errorAt(Tok, "expected an operation, found " + describe(Tok));
  StringRef Name = Tok.Text;
  if (Name == "yield" || Name == "condition" || Name == "ret") {
    if (!Lhs.empty())
      return errorAt(Lhs.front(), "'" + Name + "' produces no results");
    return parseTerminator(C, End);
  }
  if (Name == "for")
    return parseFor(OpTok, Lhs);
  if (Name == "if")
    return parseIf(OpTok, Lhs);
  if (Name == "while")
    return parseWhile(OpTok, Lhs);
  if (Name == "call")
    return parseCall(OpTok, Lhs);
  auto It = opcodeTable().find(Name);
  if (It == opcodeTable().end())
    return errorAt(OpTok, "unknown operation '" + Name + "'");
  return parseSimpleOp(OpTok, Lhs, It->second);
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

llvm::Expected<std::unique_ptr<Module>> ircgpu::parseModule(StringRef Source) {
  auto M = std::make_unique<Module>();
  ParserImpl P(Source, *M);
  if (Error E = P.run())
    return E;
  return M;
}

llvm::Expected<std::unique_ptr<Module>>
ircgpu::parseAndVerify(StringRef Source) {
  llvm::Expected<std::unique_ptr<Module>> M = parseModule(Source);
  if (!M)
    return M.takeError();
  if (Error E = verifyModule(**M))
    return E;
  return M;
}
