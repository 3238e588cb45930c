//===- tests/install/consumer/main.cpp - a client of the installed package ===//
//
// Built by tests/install/run.sh against an installed irc-gpu only (its
// headers, libircgpu.so, and LLVM 19's headers): parses a module, compiles
// an entry to a launch plan, runs it on the reference interpreter, and
// handles a parse error as a VM would, through llvm::Error. The output is
// checked by run.sh.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Compiler.h"
#include "ircgpu/Interpreter.h"
#include "ircgpu/Parser.h"
#include "ircgpu/Version.h"

#include "llvm/Support/Error.h"

#include <cstdio>
#include <cstring>
#include <vector>

static const char *Source = R"(
func @sum(%n: i64, %x: ptr<f32> readonly) -> f32 {
  %s = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 0.0) {
    %v = load %x[%i]
    %a = fadd %acc, %v
    yield %a
  }
  ret %s
}
)";

static int fail(const char *What, llvm::Error E) {
  std::fprintf(stderr, "consumer: %s: %s\n", What,
               llvm::toString(std::move(E)).c_str());
  return 1;
}

int main() {
  std::printf("irc-gpu %s\n", ircgpu::compilerVersion());
  auto M = ircgpu::parseAndVerify(Source);
  if (!M)
    return fail("parse", M.takeError());
  auto P = ircgpu::buildPlan(**M, "sum");
  if (!P)
    return fail("plan", P.takeError());
  std::printf("plan %s: %zu steps\n", P->Entry.c_str(), P->Steps.size());

  auto I = ircgpu::Interpreter::create(**M, "sum");
  if (!I)
    return fail("interpreter", I.takeError());
  std::vector<float> X(100);
  for (unsigned K = 0; K < X.size(); ++K)
    X[K] = float(K + 1);
  ircgpu::InterpArg Args[] = {ircgpu::InterpArg::scalar(X.size()),
                              ircgpu::InterpArg::buffer(X.data(), X.size())};
  auto R = (*I)->run(Args);
  if (!R)
    return fail("run", R.takeError());
  float Sum;
  uint32_t Bits = uint32_t((*R)[0]);
  std::memcpy(&Sum, &Bits, sizeof Sum);
  std::printf("sum = %g\n", Sum);

  // An error made inside libircgpu.so, handled here: the error's class
  // identity must be the one this program's handlers compare with.
  auto Bad = ircgpu::parseModule("func @f( {");
  if (Bad)
    return std::fprintf(stderr, "consumer: a bad module parsed\n"), 1;
  std::string Message;
  llvm::handleAllErrors(Bad.takeError(), [&](const llvm::ErrorInfoBase &EI) {
    Message = EI.message();
  });
  std::printf("parse error handled: %s\n", Message.empty() ? "no" : "yes");
  return 0;
}
