//===- ir/Lexer.h - VIR tokens ----------------------------------*- C++ -*-===//
//
// Splits VIR text into tokens. The lexer never allocates and never reads past
// the end of its buffer (the buffer need not be NUL-terminated; a NUL inside
// it is just an invalid character), so it runs in linear time on any input.
// Its whole state is a position, which the parser saves and restores to read
// the file twice (function signatures first, then bodies).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_IR_LEXER_H
#define IRCGPU_IR_LEXER_H

#include "ircgpu/IR.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace ircgpu {

enum class TokKind : uint8_t {
  Eof,
  Error,      ///< a byte that starts no token; see Lexer::errorMessage
  LocalName,  ///< %name (Text includes the '%')
  GlobalName, ///< @name (Text includes the '@')
  Ident,      ///< keywords, op names, types
  Literal,    ///< 7, -3, 0x1F, 2.5, 1e-3, 0x1.8p+1, true, false, inf, -inf,
              ///< nan, -nan, nan(0x7fc00001); checked by parseLiteral
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Less,
  Greater,
  Comma,
  Colon,
  Equal,
  Arrow
};

struct Token {
  TokKind Kind = TokKind::Eof;
  llvm::StringRef Text;
  SrcLoc Loc;

  bool is(TokKind K) const { return Kind == K; }
  bool isIdent(llvm::StringRef S) const {
    return Kind == TokKind::Ident && Text == S;
  }
  /// The name of a %value or @function without its sigil.
  llvm::StringRef name() const { return Text.drop_front(); }
};

/// A printable description of a token kind, for "expected X" messages.
llvm::StringRef tokKindName(TokKind K);

class Lexer {
public:
  /// Everything needed to resume lexing at some point.
  struct State {
    const char *Cur;
    const char *LineStart;
    uint32_t Line;
  };

  explicit Lexer(llvm::StringRef Buf)
      : Begin(Buf.data()),
        End(Buf.data() + Buf.size()), S{Buf.data(), Buf.data(), 1} {}

  Token next();
  State save() const { return S; }
  void restore(State St) { S = St; }

  /// Why an Error token is one ("unexpected character '\x01'", ...).
  static std::string errorMessage(const Token &T);

private:
  Token make(TokKind K, const char *Start) const;
  SrcLoc locOf(const char *P) const;
  void skipSpaceAndComments();
  Token lexNumber(const char *Start);
  Token lexWord(const char *Start);
  Token lexName(const char *Start, TokKind K);

  const char *Begin, *End;
  State S;
};

} // namespace ircgpu

#endif
