//===- ir/Lexer.cpp - VIR tokens ------------------------------------------===//
#include "Lexer.h"

#include "llvm/ADT/StringExtras.h"

using namespace ircgpu;
using llvm::StringRef;

static bool isNameChar(char C) {
  return llvm::isAlnum(C) || C == '_' || C == '.';
}
static bool isIdentStart(char C) { return llvm::isAlpha(C) || C == '_'; }

StringRef ircgpu::tokKindName(TokKind K) {
  switch (K) {
  case TokKind::Eof:
    return "end of input";
  case TokKind::Error:
    return "invalid character";
  case TokKind::LocalName:
    return "a %value";
  case TokKind::GlobalName:
    return "an @function";
  case TokKind::Ident:
    return "an identifier";
  case TokKind::Literal:
    return "a literal";
  case TokKind::LParen:
    return "'('";
  case TokKind::RParen:
    return "')'";
  case TokKind::LBrace:
    return "'{'";
  case TokKind::RBrace:
    return "'}'";
  case TokKind::LBracket:
    return "'['";
  case TokKind::RBracket:
    return "']'";
  case TokKind::Less:
    return "'<'";
  case TokKind::Greater:
    return "'>'";
  case TokKind::Comma:
    return "','";
  case TokKind::Colon:
    return "':'";
  case TokKind::Equal:
    return "'='";
  case TokKind::Arrow:
    return "'->'";
  }
  return "token";
}

SrcLoc Lexer::locOf(const char *P) const {
  return SrcLoc{S.Line, static_cast<uint32_t>(P - S.LineStart + 1)};
}

Token Lexer::make(TokKind K, const char *Start) const {
  return Token{K, StringRef(Start, S.Cur - Start), locOf(Start)};
}

void Lexer::skipSpaceAndComments() {
  while (S.Cur != End) {
    char C = *S.Cur;
    if (C == '\n') {
      ++S.Cur;
      ++S.Line;
      S.LineStart = S.Cur;
    } else if (C == ' ' || C == '\t' || C == '\r') {
      ++S.Cur;
    } else if (C == ';') {
      // A comment runs to the end of the line; the newline itself is left for
      // the loop so that line counting stays in one place.
      while (S.Cur != End && *S.Cur != '\n')
        ++S.Cur;
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  skipSpaceAndComments();
  const char *Start = S.Cur;
  if (S.Cur == End)
    return make(TokKind::Eof, Start);
  char C = *S.Cur;
  auto Punct = [&](TokKind K, unsigned Len) {
    S.Cur += Len;
    return make(K, Start);
  };
  switch (C) {
  case '(':
    return Punct(TokKind::LParen, 1);
  case ')':
    return Punct(TokKind::RParen, 1);
  case '{':
    return Punct(TokKind::LBrace, 1);
  case '}':
    return Punct(TokKind::RBrace, 1);
  case '[':
    return Punct(TokKind::LBracket, 1);
  case ']':
    return Punct(TokKind::RBracket, 1);
  case '<':
    return Punct(TokKind::Less, 1);
  case '>':
    return Punct(TokKind::Greater, 1);
  case ',':
    return Punct(TokKind::Comma, 1);
  case ':':
    return Punct(TokKind::Colon, 1);
  case '=':
    return Punct(TokKind::Equal, 1);
  case '%':
    return lexName(Start, TokKind::LocalName);
  case '@':
    return lexName(Start, TokKind::GlobalName);
  case '-':
    if (S.Cur + 1 != End && S.Cur[1] == '>')
      return Punct(TokKind::Arrow, 2);
    if (S.Cur + 1 != End && llvm::isDigit(S.Cur[1]))
      return lexNumber(Start);
    if (S.Cur + 1 != End && isIdentStart(S.Cur[1])) {
      // -inf, -nan, -nan(...): a literal; anything else ("-foo") is too, and
      // parseLiteral explains why it is not a valid one.
      ++S.Cur;
      Token T = lexWord(S.Cur);
      T.Kind = TokKind::Literal;
      T.Text = StringRef(Start, S.Cur - Start);
      T.Loc = locOf(Start);
      return T;
    }
    return Punct(TokKind::Error, 1);
  default:
    break;
  }
  if (llvm::isDigit(C))
    return lexNumber(Start);
  if (isIdentStart(C))
    return lexWord(Start);
  return Punct(TokKind::Error, 1);
}

Token Lexer::lexName(const char *Start, TokKind K) {
  ++S.Cur; // the sigil
  while (S.Cur != End && isNameChar(*S.Cur))
    ++S.Cur;
  if (S.Cur == Start + 1)
    return make(TokKind::Error, Start); // a lone '%' or '@'
  return make(K, Start);
}

Token Lexer::lexNumber(const char *Start) {
  if (*S.Cur == '-')
    ++S.Cur;
  // The exponent marker decides where a sign may follow: 'e' in decimal
  // (in hex, 'e' is a digit) and 'p' in hex.
  bool Hex = End - S.Cur >= 2 && S.Cur[0] == '0' &&
             (S.Cur[1] == 'x' || S.Cur[1] == 'X');
  while (S.Cur != End) {
    char C = *S.Cur;
    if (isNameChar(C)) {
      ++S.Cur;
      continue;
    }
    if ((C == '+' || C == '-') && S.Cur != Start) {
      char Prev = S.Cur[-1];
      bool ExpMark =
          Hex ? (Prev == 'p' || Prev == 'P') : (Prev == 'e' || Prev == 'E');
      if (ExpMark) {
        ++S.Cur;
        continue;
      }
    }
    break;
  }
  return make(TokKind::Literal, Start);
}

Token Lexer::lexWord(const char *Start) {
  while (S.Cur != End && isNameChar(*S.Cur))
    ++S.Cur;
  StringRef Word(Start, S.Cur - Start);
  if (Word == "nan" && S.Cur != End && *S.Cur == '(') {
    // nan(0xBITS): take the parenthesized payload when it is well formed, so
    // that `nan` followed by something else still lexes as `nan`.
    const char *P = S.Cur + 1;
    while (P != End && llvm::isAlnum(*P))
      ++P;
    if (P != End && *P == ')')
      S.Cur = P + 1;
  }
  Word = StringRef(Start, S.Cur - Start);
  bool IsLiteral = Word == "true" || Word == "false" || Word == "inf" ||
                   Word.starts_with("nan");
  // "nan" itself or "nan(...)", but not an identifier like "nand".
  if (Word.starts_with("nan") && Word != "nan" && !Word.starts_with("nan("))
    IsLiteral = false;
  return make(IsLiteral ? TokKind::Literal : TokKind::Ident, Start);
}

std::string Lexer::errorMessage(const Token &T) {
  if (T.Text.empty())
    return "unexpected end of input";
  unsigned char C = T.Text[0];
  if (C == '%' || C == '@')
    return std::string("expected a name after '") + static_cast<char>(C) + "'";
  const char *Digits = "0123456789abcdef";
  std::string Hex = {Digits[C >> 4], Digits[C & 15]};
  if (C >= 0x80)
    return "invalid byte 0x" + Hex;
  if (C < 0x20 || C == 0x7f)
    return "unexpected character '\\x" + Hex + "'";
  return std::string("unexpected character '") + static_cast<char>(C) + "'";
}
