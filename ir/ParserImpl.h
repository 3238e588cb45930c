//===- ir/ParserImpl.h - the VIR text parser (internal) ---------*- C++ -*-===//
//
// The parser reads the text twice. Pass 1 lexes the whole file once, parses
// every `func` signature and declares it, skipping bodies by counting braces,
// so that a call may name a function defined later. Pass 2 parses the bodies
// through the Builder, which checks types and scoping as ops are created.
// Every error is a DiagnosticError at the offending token; parsing stops at
// the first one.
//
// Bodies are parsed by recursive descent; the recursion depth is the region
// nesting depth, which is checked against MaxNestingDepth before descending,
// so hostile input cannot overflow the stack.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_IR_PARSERIMPL_H
#define IRCGPU_IR_PARSERIMPL_H

#include "Lexer.h"

#include "ircgpu/Builder.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/IR.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <optional>
#include <vector>

namespace ircgpu {

class ParserImpl {
public:
  ParserImpl(llvm::StringRef Source, Module &M)
      : Lex(Source), Source(Source), M(M), B(M) {}
  llvm::Error run();

private:
  /// An operand as written: a %value (already resolved) or a literal, which
  /// gets its value once the op's form tells its type.
  struct Operand {
    Token Tok;
    Value V;
    bool isLiteral() const { return Tok.is(TokKind::Literal); }
  };
  using OperandList = llvm::SmallVector<Operand, 4>;
  using TokenList = llvm::SmallVector<Token, 2>;

  /// What a region must end with and where its yielded values go.
  enum class RegionKind {
    FuncBody,
    ForBody,
    IfThen,
    IfElse,
    WhileCond,
    WhileDo
  };
  struct RegionCtx {
    RegionKind Kind;
    llvm::ArrayRef<Type> YieldTypes; ///< yield: one value per type
    Token Open;                      ///< the '{' (for "region opened at")
    llvm::StringRef Owner;           ///< "for", "if", "while", or the function
  };
  /// The terminator a region ended with, if any.
  struct RegionEnd {
    Token Tok; ///< yield / condition / ret; Eof kind = none
    llvm::SmallVector<Value, 2> Values;
    TokenList ValueToks;
    bool present() const { return !Tok.is(TokKind::Eof); }
  };

  /// One `func` found by pass 1, keyed by the address of its `func` token.
  struct FuncEntry {
    Function *F = nullptr;
    std::optional<Diagnostic> Err; ///< the signature was bad
    Token NameTok, Open;
    Lexer::State Body; ///< just after the '{'
    std::vector<Token> ParamToks;
  };

  enum class NameState : uint8_t { Pending, Live, Dead };
  struct NameInfo {
    Value V;
    NameState State = NameState::Pending;
    SrcLoc Def;
  };

  // Tokens and errors (Parser.cpp).
  void consume() { Tok = Lex.next(); }
  llvm::Error errorAt(const Token &T, const llvm::Twine &Msg) const;
  llvm::Error expect(TokKind K, const char *Context = nullptr);
  llvm::Error expectIdent(llvm::StringRef Word, const char *Context = nullptr);
  llvm::Error mapBuildError(llvm::Error E, llvm::ArrayRef<Token> OperandToks,
                            const Token &Fallback) const;
  llvm::Expected<Type> parseType();

  // Names and scopes (Parser.cpp).
  llvm::Error reserveName(const Token &T);
  void defineName(const Token &T, Value V);
  llvm::Error reserveNames(llvm::ArrayRef<Token> Ts);
  void defineNames(llvm::ArrayRef<Token> Ts, llvm::ArrayRef<Value> Vs);
  llvm::Error bindResults(llvm::Expected<llvm::SmallVector<Value, 2>> Results,
                          llvm::ArrayRef<Token> Lhs,
                          llvm::ArrayRef<Token> OperandToks, const Token &At);
  void pushScope() { ScopeMarks.push_back(ScopeNames.size()); }
  void popScope();

  // Operands (Parser.cpp).
  llvm::Error parseOperand(Operand &O);
  llvm::Error parseOperandList(OperandList &Ops, unsigned N);
  llvm::Error resolve(Operand &O, Type Ty);
  llvm::Error resolveLike(llvm::MutableArrayRef<Operand> Ops,
                          const Token &OpTok, OpKind K);
  llvm::Error parseValueList(OperandList &Ops, const Token &Keyword);
  llvm::Error resolveList(OperandList &Ops, llvm::ArrayRef<Type> Tys,
                          const Token &At, const llvm::Twine &What);
  static llvm::SmallVector<Value, 4> values(llvm::ArrayRef<Operand> Ops);
  static TokenList tokens(llvm::ArrayRef<Operand> Ops);

  // Module and functions (Parser.cpp).
  void declareAll();
  llvm::Error parseSignature(FuncEntry &E);
  llvm::Error parseFunctionBody(FuncEntry &E);
  llvm::Error parseRegion(const RegionCtx &C, RegionEnd &End);
  llvm::Error parseStatement(const RegionCtx &C, RegionEnd &End);
  llvm::Error checkDepth(const Token &At) const;
  llvm::Error checkResultCount(llvm::ArrayRef<Token> Lhs, const Token &OpTok,
                               size_t Want, bool MayOmit = false) const;

  // Operations (ParseOps.cpp).
  llvm::Error parseSimpleOp(const Token &First, llvm::ArrayRef<Token> Lhs,
                            Opcode C);
  llvm::Error parseMemoryOperands(Opcode C, OperandList &Ops);
  llvm::Error parseCall(const Token &First, llvm::ArrayRef<Token> Lhs);
  llvm::Error parseCarried(bool IsFor, TokenList &Names,
                           llvm::SmallVectorImpl<Type> &Types,
                           OperandList &Inits);
  llvm::Error parseFor(const Token &First, llvm::ArrayRef<Token> Lhs);
  llvm::Error parseIf(const Token &First, llvm::ArrayRef<Token> Lhs);
  llvm::Error parseWhile(const Token &First, llvm::ArrayRef<Token> Lhs);
  llvm::Error parseTerminator(const RegionCtx &C, RegionEnd &End);
  llvm::Error parseResultTypes(llvm::SmallVectorImpl<Type> &Tys);

  Lexer Lex;
  llvm::StringRef Source;
  Token Tok;
  Module &M;
  Builder B;

  std::vector<FuncEntry> Funcs;
  llvm::DenseMap<const char *, unsigned> FuncAt;
  llvm::StringMap<unsigned> FuncIndex; ///< name -> index in M.Functions
  llvm::StringMap<unsigned>
      BadFuncs; ///< name -> Funcs entry with a bad signature
  Function *Cur = nullptr;

  llvm::StringMap<NameInfo> Names; ///< every name of the current function
  std::vector<llvm::StringMapEntry<NameInfo> *> ScopeNames;
  std::vector<size_t> ScopeMarks;
  unsigned Depth = 0; ///< op regions open around the current statement
};

} // namespace ircgpu

#endif
