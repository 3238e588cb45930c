//===- tests/device/faults.cpp - runtime faults on a real GPU -------------===//
//
//   ircgpu-cuda-faults [faults.vir]
//
// Issue 9's runtime faults on a GPU, in their own process, because the last
// one breaks the context for good (tests/device/run.sh, section 8, then
// shows that the next process is healthy):
//  1. an allocation larger than the memory: a clear RuntimeError naming
//     CUDA_ERROR_OUT_OF_MEMORY, not a sticky one; the same context then
//     allocates, copies and runs a kernel correctly;
//  2. a kernel that faults without checked mode (a store 4 TiB past its
//     buffer, tests/device/faults.vir): a RuntimeError naming the fault and
//     saying that the context is now unusable;
//  3. the next operation on that context (an allocation): a clear error
//     that says the same, not a crash or a hang.
// Prints "ok: ..." / "FAIL: ..." lines, then "FAULTS: OK" and exits 0.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Codegen.h"
#include "ircgpu/Compiler.h"
#include "ircgpu/Device.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Executor.h"
#include "ircgpu/Parser.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

using namespace ircgpu;
using namespace llvm;

namespace {

unsigned Failures = 0;

void fail(const Twine &Msg) {
  ++Failures;
  outs() << "FAIL: " << Msg << "\n";
}

/// The message of E, and whether it is a RuntimeError.
std::string message(Error E, bool &IsRuntime) {
  IsRuntime = E.isA<RuntimeError>();
  return toString(std::move(E));
}

bool contains(StringRef Msg, StringRef What) { return Msg.contains(What); }

/// The poke plan of faults.vir, loaded on Dev.
Expected<std::unique_ptr<LoadedPlan>> loadPoke(Device &Dev, StringRef Path) {
  auto Buf = MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buf)
    return createStringError(Buf.getError(), "%s: cannot read",
                             Path.str().c_str());
  auto M = parseAndVerify((*Buf)->getBuffer());
  if (!M)
    return M.takeError();
  auto P = buildPlan(**M, "poke");
  if (!P)
    return P.takeError();
  CodegenOptions Opts;
  Opts.Target = Dev.info().archName();
  auto Code = compilePlanCode(*P, Opts);
  if (!Code)
    return Code.takeError();
  return LoadedPlan::load(Dev, std::move(*P), /*Checked=*/false, Code->Bytes);
}

/// Runs poke over N elements with offset Off; y = 1, 2, ...; returns x.
Expected<std::vector<float>> runPoke(Device &Dev, LoadedPlan &LP, uint64_t N,
                                     uint64_t Off) {
  std::vector<float> Y(N), X(N, 0.0f);
  for (uint64_t I = 0; I < N; ++I)
    Y[I] = float(I + 1);
  auto XB = Dev.alloc(N * 4);
  if (!XB)
    return XB.takeError();
  auto YB = Dev.alloc(N * 4);
  if (!YB)
    return YB.takeError();
  if (Error E = Dev.copyToDevice(*XB, X.data(), N * 4))
    return E;
  if (Error E = Dev.copyToDevice(*YB, Y.data(), N * 4))
    return E;
  auto R = LP.run({DeviceArg::scalar(N), DeviceArg::scalar(Off),
                   DeviceArg::buffer(XB->ptr(), N),
                   DeviceArg::buffer(YB->ptr(), N)});
  if (!R)
    return R.takeError();
  if (Error E = Dev.copyToHost(X.data(), *XB, N * 4))
    return E;
  return X;
}

bool checkPokeResult(Expected<std::vector<float>> &X, const Twine &When) {
  if (!X) {
    fail(When + ": " + toString(X.takeError()));
    return false;
  }
  for (size_t I = 0; I < X->size(); ++I)
    if ((*X)[I] != float(I + 2)) {
      fail(When + ": x[" + Twine(I) + "] is wrong");
      return false;
    }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  std::string Vir = argc > 1 ? argv[1] : "tests/device/faults.vir";
  auto DevOr = openCudaDevice(0);
  if (!DevOr) {
    outs() << "FAIL: opening cuda:0: " << toString(DevOr.takeError()) << "\n";
    return 1;
  }
  Device &Dev = **DevOr;
  auto LP = loadPoke(Dev, Vir);
  if (!LP) {
    outs() << "FAIL: loading poke: " << toString(LP.takeError()) << "\n";
    return 1;
  }

  // 1. Out of memory: an ordinary error; the context lives on.
  bool IsRuntime = false;
  auto Big = Dev.alloc(Dev.info().TotalMemory * 2);
  if (Big) {
    fail("allocating twice the device memory succeeded");
  } else {
    std::string Msg = message(Big.takeError(), IsRuntime);
    outs() << "out of memory: " << Msg << "\n";
    if (!IsRuntime || !contains(Msg, "CUDA_ERROR_OUT_OF_MEMORY") ||
        contains(Msg, "unusable"))
      fail("the out-of-memory error is not a plain RuntimeError naming it");
    else
      outs() << "ok: out of memory is a clear RuntimeError\n";
  }
  auto After = runPoke(Dev, **LP, 1000, 0);
  if (checkPokeResult(After, "a run after the failed allocation"))
    outs() << "ok: the same context runs a kernel right after it\n";

  // 2. A kernel that faults, without checked mode.
  auto Bad = runPoke(Dev, **LP, 1000, uint64_t(1) << 40);
  if (Bad) {
    fail("a store 4 TiB past the buffer did not fault");
  } else {
    std::string Msg = message(Bad.takeError(), IsRuntime);
    outs() << "faulting kernel: " << Msg << "\n";
    if (!IsRuntime || !contains(Msg, "CUDA_ERROR_") ||
        !contains(Msg, "context is unusable"))
      fail("the fault is not a RuntimeError naming it and the broken context");
    else
      outs() << "ok: the fault is a clear RuntimeError\n";
  }

  // 3. The next operation on the broken context: a clear error too.
  auto Next = Dev.alloc(4096);
  if (Next) {
    outs() << "note: the context still allocates after the fault\n";
  } else {
    std::string Msg = message(Next.takeError(), IsRuntime);
    outs() << "next operation: " << Msg << "\n";
    if (!IsRuntime || !contains(Msg, "context is unusable"))
      fail("the next operation's error does not say the context is broken");
    else
      outs() << "ok: the next operation says the context is unusable\n";
  }

  outs() << (Failures ? "FAULTS: FAILED\n" : "FAULTS: OK\n");
  outs().flush();
  return Failures ? 1 : 0;
}
