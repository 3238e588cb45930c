//===- ircgpu/Literal.h - VIR literals as text ------------------*- C++ -*-===//
//
// One definition of literal syntax (spec §3), used by the parser, the printer
// and the CLI's `--arg NAME=VALUE` and result printing.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_LITERAL_H
#define IRCGPU_LITERAL_H

#include "ircgpu/IR.h"

#include "llvm/Support/Error.h"

namespace ircgpu {

/// Parses Text (`7`, `-3`, `0x1F`, `2.5`, `1e-3`, `0x1.8p+1`, `true`, `false`,
/// `inf`, `-inf`, `nan`, `nan(0x7fc00001)`) as a value of scalar type Ty and
/// returns its bits (ValueInfo::Bits). Errors say why it does not fit, e.g.
/// "literal 300 does not fit in i8".
llvm::Expected<uint64_t> parseLiteral(llvm::StringRef Text, Type Ty);

/// The canonical text of a scalar of type Ty: integers in signed decimal,
/// i1 as true/false, floats as the shortest decimal that reads back to the
/// same bits (always with '.' or 'e'), `inf`, `-inf`, `nan`, or
/// `nan(0x...)` for a NaN other than the default quiet one.
std::string formatLiteral(Type Ty, uint64_t Bits);

/// Sign-extends the low `Bits` bits of V.
int64_t signExtend(uint64_t V, unsigned Bits);
/// Keeps the low `Bits` bits of V.
uint64_t truncateBits(uint64_t V, unsigned Bits);

} // namespace ircgpu

#endif
