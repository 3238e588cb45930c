//===- ircgpu/Printer.h - a Module as canonical VIR text --------*- C++ -*-===//
#ifndef IRCGPU_PRINTER_H
#define IRCGPU_PRINTER_H

#include "ircgpu/IR.h"

#include "llvm/Support/raw_ostream.h"

namespace ircgpu {

/// Prints the canonical text: two-space indentation, one op per line, one
/// blank line between functions, literals via formatLiteral(). Values keep
/// their source names; unnamed values (built in memory) get fresh names that
/// do not collide. parseModule(print(M)) prints the same bytes again.
void printModule(const Module &M, llvm::raw_ostream &OS);
std::string printModule(const Module &M);

} // namespace ircgpu

#endif
