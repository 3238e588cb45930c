//===- Npy.cpp - NumPy .npy files for `irc-gpu run` -----------------------===//
#include "Npy.h"

#include "Tool.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;

namespace irctool {

namespace {

constexpr char Magic[] = "\x93NUMPY";
constexpr size_t MagicLen = 6;

/// The header is a Python dict literal, e.g.
///   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
/// This reads exactly the subset numpy writes: string keys; string, bool and
/// tuple-of-integer values.
class HeaderParser {
public:
  HeaderParser(StringRef Text, StringRef FileName)
      : Text(Text), FileName(FileName) {}

  Error parse(NpyArray &A, bool &FortranOrder) {
    bool HaveDescr = false, HaveOrder = false, HaveShape = false;
    skipSpace();
    if (!consume('{'))
      return bad("expected '{'");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string Key;
      if (Error E = parseString(Key))
        return E;
      skipSpace();
      if (!consume(':'))
        return bad("expected ':' after '" + Key + "'");
      skipSpace();
      if (Key == "descr") {
        if (!Text.empty() && Text.front() == '[')
          return err("structured dtypes are not supported");
        if (Error E = parseString(A.Descr))
          return E;
        HaveDescr = true;
      } else if (Key == "fortran_order") {
        if (Text.consume_front("True"))
          FortranOrder = true;
        else if (Text.consume_front("False"))
          FortranOrder = false;
        else
          return bad("'fortran_order' is not True or False");
        HaveOrder = true;
      } else if (Key == "shape") {
        if (Error E = parseShape(A.Shape))
          return E;
        HaveShape = true;
      } else {
        return bad("unexpected key '" + Key + "'");
      }
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return bad("expected ',' or '}'");
    }
    skipSpace();
    if (!Text.empty())
      return bad("unexpected text after the dict");
    if (!HaveDescr || !HaveOrder || !HaveShape)
      return bad(!HaveDescr   ? "no 'descr'"
                 : !HaveOrder ? "no 'fortran_order'"
                              : "no 'shape'");
    return Error::success();
  }

private:
  void skipSpace() { Text = Text.ltrim(" \t\r\n"); }
  bool consume(char C) { return Text.consume_front(StringRef(&C, 1)); }

  Error err(const Twine &Msg) {
    return inputError("'" + FileName + "': " + Msg);
  }
  Error bad(const Twine &Msg) { return err("bad .npy header: " + Msg); }

  Error parseString(std::string &Out) {
    if (Text.empty() || (Text.front() != '\'' && Text.front() != '"'))
      return bad("expected a string");
    char Quote = Text.front();
    size_t End = Text.find(Quote, 1);
    if (End == StringRef::npos)
      return bad("unterminated string");
    Out = Text.substr(1, End - 1).str();
    Text = Text.drop_front(End + 1);
    return Error::success();
  }

  Error parseShape(std::vector<uint64_t> &Shape) {
    if (!consume('('))
      return bad("'shape' is not a tuple");
    while (true) {
      skipSpace();
      if (consume(')'))
        return Error::success();
      size_t Len = 0;
      while (Len < Text.size() && isDigit(Text[Len]))
        ++Len;
      uint64_t Dim;
      if (Len == 0 || Text.take_front(Len).getAsInteger(10, Dim))
        return bad("'shape' holds something other than a non-negative integer");
      Shape.push_back(Dim);
      Text = Text.drop_front(Len);
      consume('L'); // Python 2 long literals
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume(')'))
        return Error::success();
      return bad("expected ',' or ')' in 'shape'");
    }
  }

  StringRef Text;
  StringRef FileName;
};

/// Element size of a simple dtype `[<>|=]?KIND BYTES`, or 0.
unsigned descrBytes(StringRef Descr) {
  if (!Descr.empty() && StringRef("<>|=").contains(Descr.front()))
    Descr = Descr.drop_front();
  if (Descr.size() < 2 || !isAlpha(Descr.front()))
    return 0;
  unsigned Bytes;
  if (Descr.drop_front().getAsInteger(10, Bytes) || Bytes == 0 || Bytes > 64)
    return 0;
  return Bytes;
}

} // namespace

Expected<NpyArray> parseNpy(MutableArrayRef<char> Buf, StringRef Name) {
  auto Err = [&](const Twine &Msg) {
    return inputError("'" + Name + "': " + Msg);
  };
  StringRef Bytes(Buf.data(), Buf.size());
  if (!Bytes.starts_with(StringRef(Magic, MagicLen)))
    return Err("not a .npy file (bad magic; expected \\x93NUMPY)");
  if (Bytes.size() < MagicLen + 2)
    return Err("truncated .npy file (no version)");
  unsigned Major = uint8_t(Bytes[6]), Minor = uint8_t(Bytes[7]);
  if (Major < 1 || Major > 3 || Minor != 0)
    return Err("unsupported .npy format version " + Twine(Major) + "." +
               Twine(Minor) + " (1.0, 2.0 and 3.0 are supported)");
  size_t Prefix = Major == 1 ? 10 : 12;
  if (Bytes.size() < Prefix)
    return Err("truncated .npy file (no header length)");
  uint64_t HeaderLen = Major == 1 ? support::endian::read16le(Bytes.data() + 8)
                                  : support::endian::read32le(Bytes.data() + 8);
  if (Bytes.size() - Prefix < HeaderLen)
    return Err("truncated .npy file (the header is cut short)");

  NpyArray A;
  bool Fortran = false;
  HeaderParser P(Bytes.substr(Prefix, HeaderLen), Name);
  if (Error E = P.parse(A, Fortran))
    return E;

  A.ElemBytes = descrBytes(A.Descr);
  if (!A.ElemBytes)
    return Err("unsupported dtype '" + A.Descr + "'");
  unsigned LongDims = 0;
  A.Count = 1;
  for (uint64_t D : A.Shape) {
    LongDims += D > 1;
    if (__builtin_mul_overflow(A.Count, D, &A.Count))
      return Err("bad .npy header: the shape is too large");
  }
  if (Fortran && LongDims > 1)
    return Err("Fortran-order arrays are not supported (save a C-order array, "
               "e.g. numpy.ascontiguousarray(a))");

  uint64_t DataBytes;
  if (__builtin_mul_overflow(A.Count, uint64_t(A.ElemBytes), &DataBytes))
    return Err("bad .npy header: the shape is too large");
  uint64_t Offset = Prefix + HeaderLen;
  uint64_t Have = Bytes.size() - Offset;
  if (Have < DataBytes)
    return Err("truncated .npy file: the header promises " + Twine(A.Count) +
               " elements of '" + A.Descr + "' (" + Twine(DataBytes) +
               " bytes), but only " + Twine(Have) + " bytes follow");
  if (Have > DataBytes)
    return Err(Twine(Have - DataBytes) +
               " unexpected bytes after the array data");

  char *Data = Buf.data() + Offset;
  if (reinterpret_cast<uintptr_t>(Data) % A.ElemBytes != 0) {
    // numpy aligns the data to 64 bytes; older writers to 16. Otherwise
    // move it to the (16-byte aligned) start of the buffer.
    std::memmove(Buf.data(), Data, DataBytes);
    Data = Buf.data();
  }
  A.Data = Data;
  return A;
}

Expected<NpyArray> readNpy(StringRef Path) {
  auto BufOrErr = WritableMemoryBuffer::getFile(Path);
  if (!BufOrErr)
    return inputError("cannot read '" + Path +
                      "': " + BufOrErr.getError().message());
  std::unique_ptr<WritableMemoryBuffer> Buf = std::move(*BufOrErr);
  auto A = parseNpy(Buf->getBuffer(), Path);
  if (!A)
    return A.takeError();
  A->Storage = std::move(Buf);
  return A;
}

Error writeNpy(StringRef Path, StringRef Descr, const void *Data,
               uint64_t Count, unsigned ElemBytes) {
  std::string Header =
      ("{'descr': '" + Descr + "', 'fortran_order': False, 'shape': (" +
       Twine(Count) + ",), }")
          .str();
  // Pad with spaces so that magic + version + length + header + '\n' is a
  // multiple of 64 bytes, as numpy.save does.
  size_t Total = 10 + Header.size() + 1;
  Header.append((64 - Total % 64) % 64, ' ');
  Header += '\n';

  std::error_code EC;
  raw_fd_ostream OS(Path, EC, sys::fs::OF_None);
  if (EC)
    return inputError("cannot write '" + Path + "': " + EC.message());
  OS.write(Magic, MagicLen);
  OS << char(1) << char(0);
  char Len[2];
  support::endian::write16le(Len, uint16_t(Header.size()));
  OS.write(Len, 2);
  OS << Header;
  OS.write(static_cast<const char *>(Data), Count * ElemBytes);
  OS.flush();
  if (OS.has_error()) {
    EC = OS.error();
    OS.clear_error();
    return inputError("cannot write '" + Path + "': " + EC.message());
  }
  return Error::success();
}

std::optional<StringRef> npyDescrFor(ircgpu::Scalar S) {
  switch (S) {
  case ircgpu::Scalar::I8:
    return StringRef("|i1");
  case ircgpu::Scalar::I16:
    return StringRef("<i2");
  case ircgpu::Scalar::I32:
    return StringRef("<i4");
  case ircgpu::Scalar::I64:
    return StringRef("<i8");
  case ircgpu::Scalar::F32:
    return StringRef("<f4");
  case ircgpu::Scalar::F64:
    return StringRef("<f8");
  case ircgpu::Scalar::I1:
  case ircgpu::Scalar::F16:
    break;
  }
  return std::nullopt;
}

bool npyDescrMatches(StringRef Descr, ircgpu::Scalar S) {
  if (S == ircgpu::Scalar::I8 && Descr == "<i1")
    return true;
  auto Want = npyDescrFor(S);
  return Want && Descr == *Want;
}

std::string npyTypeName(StringRef Descr) {
  std::string Prefix;
  if (Descr.consume_front(">"))
    Prefix = "big-endian ";
  else if (!Descr.consume_front("<") && !Descr.consume_front("|"))
    Descr.consume_front("=");
  unsigned Bytes;
  if (Descr.size() < 2 || Descr.drop_front().getAsInteger(10, Bytes))
    return "";
  std::string Bits = std::to_string(Bytes * 8);
  switch (Descr.front()) {
  case 'i':
    return Prefix + "int" + Bits;
  case 'u':
    return Prefix + "uint" + Bits;
  case 'f':
    return Prefix + "float" + Bits;
  case 'c':
    return Prefix + "complex" + Bits;
  case 'b':
    return Bytes == 1 ? "bool" : "";
  default:
    return "";
  }
}

} // namespace irctool
