//===- tests/device/cuda_smoke.cpp - irc-gpu's own CUDA runtime on a GPU --===//
//
//   ircgpu-cuda-smoke [--offline] DIR [semantics.vir]
//
// --offline (no GPU needed): only compile the kernel and read the .npy files,
// so that the host half can be checked where it is built.
//
// On the GPU machine: what run_semantics.py does through CuPy, through
// irc-gpu's Device instead. Compiles the `ops` kernel of semantics.vir with
// the library, runs it over DIR's inputs (tests/device/prepare.sh) and
// compares with the interpreter's answers bit for bit, NaN payloads aside
// (docs/ir.md), then again on a created stream, timed with events. Then the
// error paths: PTX that fails to JIT (the error must carry the JIT log), an
// ordinal past the last device, an allocation larger than the memory, the
// device still usable after it.
// Prints "SMOKE: OK" and exits 0, or the failures and exits 1.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Codegen.h"
#include "ircgpu/Compiler.h"
#include "ircgpu/Device.h"
#include "ircgpu/Executor.h"
#include "ircgpu/Parser.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

using namespace ircgpu;
using namespace llvm;

namespace {

unsigned Failures = 0;

void fail(const Twine &Msg) {
  ++Failures;
  outs() << "FAIL: " << Msg << "\n";
}

/// The data of a little-endian v1.0 .npy file (tests/tools/mknpy.py) of the
/// 4-byte element type Descr ("<i4", "<f4"), or an error.
Expected<std::vector<uint32_t>> readNpy(const std::string &Path,
                                        StringRef Descr) {
  auto Buf = MemoryBuffer::getFile(Path, /*IsText=*/false);
  if (!Buf)
    return createStringError(Buf.getError(), "%s: cannot read", Path.c_str());
  StringRef Data = (*Buf)->getBuffer();
  if (Data.size() < 10 || !Data.starts_with("\x93NUMPY") || Data[6] != 1)
    return createStringError("%s: not a version 1 .npy file", Path.c_str());
  size_t HeaderLen = uint8_t(Data[8]) | (uint8_t(Data[9]) << 8);
  StringRef Header = Data.substr(10, HeaderLen);
  if (!Header.contains(("'descr': '" + Descr + "'").str()) ||
      Header.contains("'fortran_order': True"))
    return createStringError("%s: expected a C-order %s array: %s",
                             Path.c_str(), Descr.str().c_str(),
                             Header.str().c_str());
  StringRef Body = Data.substr(10 + HeaderLen);
  if (Body.size() % 4)
    return createStringError("%s: truncated data", Path.c_str());
  std::vector<uint32_t> V(Body.size() / 4);
  std::memcpy(V.data(), Body.data(), Body.size());
  return V;
}

bool isNaN32(uint32_t Bits) {
  return (Bits & 0x7f800000u) == 0x7f800000u && (Bits & 0x7fffffu);
}

/// Compares like run_semantics.py; a float NaN on both sides is equal.
void compare(StringRef Name, const std::vector<uint32_t> &Got,
             const std::vector<uint32_t> &Want, bool Float) {
  if (Got.size() != Want.size()) {
    fail(Name + ": " + Twine(Got.size()) + " values, expected " +
         Twine(Want.size()));
    return;
  }
  unsigned Differ = 0, NaNs = 0;
  for (size_t I = 0; I < Got.size(); ++I) {
    if (Got[I] == Want[I])
      continue;
    if (Float && isNaN32(Got[I]) && isNaN32(Want[I])) {
      ++NaNs;
      continue;
    }
    if (++Differ <= 20)
      outs() << "  " << Name << "[" << I << "]: gpu " << format_hex(Got[I], 10)
             << " interp " << format_hex(Want[I], 10) << "\n";
  }
  outs() << Name << ": " << Got.size() << " values, " << Differ << " differ, "
         << NaNs << " are NaN on both sides with other NaN bits\n";
  if (Differ)
    fail(Name + ": " + Twine(Differ) + " values differ");
}

template <typename T> bool ok(Expected<T> &V, const Twine &What) {
  if (V)
    return true;
  fail(What + ": " + toString(V.takeError()));
  return false;
}

bool ok(Error E, const Twine &What) {
  if (!E)
    return true;
  fail(What + ": " + toString(std::move(E)));
  return false;
}

Expected<std::string> compileOps(const std::string &VirPath, StringRef Arch) {
  auto Buf = MemoryBuffer::getFile(VirPath, /*IsText=*/true);
  if (!Buf)
    return createStringError(Buf.getError(), "%s: cannot read",
                             VirPath.c_str());
  Expected<std::unique_ptr<ircgpu::Module>> M =
      parseAndVerify((*Buf)->getBuffer());
  if (!M)
    return M.takeError();
  Expected<Plan> P = buildPlan(**M, "ops");
  if (!P)
    return P.takeError();
  CodegenOptions Opts;
  Opts.Target = Arch.str();
  return emitPlanKernels(*P, Opts, EmitKind::Assembly);
}

void runSemantics(Device &Dev, const std::string &Dir,
                  const std::string &VirPath) {
  // sm_90 is the PTX verified on the H100 (docs/codegen.md); a newer GPU JITs
  // it forward, an older one is refused by the driver with a clear error.
  Expected<std::string> Ptx = compileOps(VirPath, "sm_90");
  if (!ok(Ptx, "compiling " + VirPath))
    return;
  outs() << "ptx: " << Ptx->size() << " bytes\n";

  struct Array {
    const char *Name, *Descr;
    std::vector<uint32_t> Host;
    DeviceBuffer Buf;
  } Arrays[] = {{"a", "<i4", {}, {}},    {"b", "<i4", {}, {}},
                {"f", "<f4", {}, {}},    {"g", "<f4", {}, {}},
                {"out0", "<i4", {}, {}}, {"fout0", "<f4", {}, {}}};
  for (Array &A : Arrays) {
    Expected<std::vector<uint32_t>> V =
        readNpy(Dir + "/" + A.Name + ".npy", A.Descr);
    if (!ok(V, "reading input"))
      return;
    A.Host = std::move(*V);
    Expected<DeviceBuffer> B = Dev.alloc(A.Host.size() * 4);
    if (!ok(B, Twine("allocating ") + A.Name) ||
        !ok(Dev.copyToDevice(*B, A.Host.data(), A.Host.size() * 4),
            Twine("uploading ") + A.Name))
      return;
    A.Buf = std::move(*B);
  }
  int64_t N = Arrays[0].Host.size();
  Expected<std::vector<uint32_t>> WantOut =
      readNpy(Dir + "/out.expected.npy", "<i4");
  Expected<std::vector<uint32_t>> WantFOut =
      readNpy(Dir + "/fout.expected.npy", "<f4");
  if (!ok(WantOut, "reading expected") || !ok(WantFOut, "reading expected"))
    return;

  Expected<ModuleHandle> Mod = Dev.loadModule(*Ptx);
  if (!ok(Mod, "loading the PTX"))
    return;
  Expected<KernelHandle> K = Dev.getKernel(*Mod, "ops$k0");
  if (!ok(K, "getting ops$k0"))
    return;
  // KernelABI.h: the slot array (unused: every argument is a parameter,
  // passed by value), LB, UB, Step of the one grid dimension (i64), then the
  // step's arguments (a, b, f, g, out, fout) as device pointers.
  DevicePtr Slots = 0;
  int64_t LB = 0, UB = N, Step = 1;
  DevicePtr Ptrs[6];
  for (unsigned I = 0; I < 6; ++I)
    Ptrs[I] = Arrays[I].Buf.ptr();
  void *Args[] = {&Slots,   &LB,      &UB,      &Step,    &Ptrs[0],
                  &Ptrs[1], &Ptrs[2], &Ptrs[3], &Ptrs[4], &Ptrs[5]};
  Dim3 Grid{unsigned((N + 255) / 256), 1, 1}, Block{256, 1, 1};
  if (!ok(Dev.launch(*K, Grid, Block, Args), "launching ops$k0") ||
      !ok(Dev.synchronize(), "running ops$k0"))
    return;

  std::vector<uint32_t> Out(Arrays[4].Host.size()), FOut(Arrays[5].Host.size());
  if (!ok(Dev.copyToHost(Out.data(), Arrays[4].Buf, Out.size() * 4),
          "downloading out") ||
      !ok(Dev.copyToHost(FOut.data(), Arrays[5].Buf, FOut.size() * 4),
          "downloading fout"))
    return;
  compare("out", Out, *WantOut, /*Float=*/false);
  compare("fout", FOut, *WantFOut, /*Float=*/true);

  // Again on a stream of its own, timed with events (the results are the
  // same, already compared).
  Expected<Stream> S = Dev.createStream();
  Expected<Event> Start = Dev.createEvent(), End = Dev.createEvent();
  if (ok(S, "creating a stream") && ok(Start, "creating an event") &&
      ok(End, "creating an event") && ok(Dev.record(*Start, *S), "record") &&
      ok(Dev.launch(*K, Grid, Block, Args, 0, *S), "launching on a stream") &&
      ok(Dev.record(*End, *S), "record") &&
      ok(Dev.synchronize(*S), "running ops$k0 on a stream")) {
    Expected<float> Ms = Dev.elapsedMs(*Start, *End);
    if (ok(Ms, "timing ops$k0"))
      outs() << "ops$k0 on a stream: " << format("%.3f", *Ms) << " ms\n";
  }
  ok(Dev.unloadModule(*Mod), "unloading the module");
}

void runErrorPaths(Device &Dev) {
  // PTX the JIT refuses: the error carries the JIT's log, naming the line.
  Expected<ModuleHandle> Bad = Dev.loadModule(
      ".version 7.0\n.target sm_50\n.address_size 64\n"
      ".visible .entry k() {\n  bogus.instruction;\n  ret;\n}\n");
  if (Bad) {
    fail("bad PTX loaded");
  } else {
    std::string Msg = toString(Bad.takeError());
    outs() << "bad PTX: " << Msg << "\n";
    if (Msg.find("JIT log") == std::string::npos)
      fail("the bad PTX error has no JIT log");
  }

  // A 1-GPU machine has no cuda:1; on a larger one, the ordinal past the last.
  Expected<std::unique_ptr<Device>> Other = openCudaDevice(1);
  if (Other) {
    outs() << "cuda:1 exists (" << (*Other)->info().Name
           << "): ordinal check skipped\n";
  } else {
    std::string Msg = toString(Other.takeError());
    outs() << "cuda:1: " << Msg << "\n";
    if (Msg.find("no CUDA device 1") == std::string::npos)
      fail("cuda:1 error does not name the ordinal: " + Msg);
  }

  Expected<DeviceBuffer> Big = Dev.alloc(Dev.info().TotalMemory * 2);
  if (Big) {
    fail("allocating twice the device memory succeeded");
  } else {
    outs() << "huge alloc: " << toString(Big.takeError()) << "\n";
  }
  // The context must survive that failure.
  Expected<DeviceBuffer> Small = Dev.alloc(4096);
  if (!ok(Small, "small alloc after the failed one"))
    return;
  std::vector<uint8_t> Host(4096, 0);
  if (!ok(Dev.memset(*Small, 0x5a, 4096), "memset after the failed alloc") ||
      !ok(Dev.copyToHost(Host.data(), *Small, 4096), "copy after it"))
    return;
  for (uint8_t B : Host)
    if (B != 0x5a) {
      fail("memset after the failed alloc wrote the wrong bytes");
      return;
    }
  Expected<DeviceBuffer> Copy = Dev.alloc(4096);
  if (ok(Copy, "second small alloc") &&
      ok(Dev.copyOnDevice(*Copy, *Small, 4096), "device-to-device copy") &&
      ok(Dev.copyToHost(Host.data(), *Copy, 4096), "copy back")) {
    if (Host[4095] != 0x5a)
      fail("device-to-device copy wrote the wrong bytes");
  }
}

/// Checked mode through the plan executor: a planted out-of-bounds index is
/// reported naming the function, the buffer and the index; the context stays
/// usable (the same plan, in bounds, runs right after and is correct).
void runChecked(Device &Dev) {
  static const char *Src = R"(
func @twice(%n: i64, %x: ptr<f32> noalias) {
  for %i = 0 to %n step 1 {
    %v = load %x[%i]
    %w = fmul %v, 2.0
    store %x[%i], %w
  }
  ret
}
)";
  auto M = parseAndVerify(Src);
  if (!ok(M, "parsing the checked-mode program"))
    return;
  CompileOptions CO;
  CO.Checked = true;
  auto P = buildPlan(**M, "twice", CO);
  if (!ok(P, "planning twice"))
    return;
  CodegenOptions GO;
  GO.Target = Dev.info().archName();
  GO.Checked = true;
  auto Code = compilePlanCode(*P, GO);
  if (!ok(Code, "compiling twice --checked"))
    return;
  outs() << "checked: code object is "
         << (Code->Kind == CodeObject::Format::Cubin ? "a cubin" : "PTX")
         << " (" << Code->Bytes.size() << " bytes)\n";
  auto LP = LoadedPlan::load(Dev, std::move(*P), true, Code->Bytes);
  if (!ok(LP, "loading twice"))
    return;
  constexpr uint64_t N = 1000;
  std::vector<float> Host(N);
  for (uint64_t I = 0; I < N; ++I)
    Host[I] = float(I);
  auto Buf = Dev.alloc(N * 4);
  if (!ok(Buf, "allocating x") ||
      !ok(Dev.copyToDevice(*Buf, Host.data(), N * 4), "uploading x"))
    return;
  // n = N + 24 with a buffer of N elements: index N is the first fault.
  auto Bad =
      (*LP)->run({DeviceArg::scalar(N + 24), DeviceArg::buffer(Buf->ptr(), N)});
  if (Bad) {
    fail("the out-of-bounds run succeeded");
    return;
  }
  std::string Msg = toString(Bad.takeError());
  outs() << "checked: " << Msg << "\n";
  if (Msg.find("buffer %x") == std::string::npos ||
      Msg.find("is outside [0, 1000)") == std::string::npos ||
      Msg.find("@twice") == std::string::npos)
    fail("the checked-mode error does not name function, buffer and bounds");
  // The context is still usable: the same plan in bounds.
  auto Good =
      (*LP)->run({DeviceArg::scalar(N), DeviceArg::buffer(Buf->ptr(), N)});
  if (!ok(Good, "the in-bounds run after the fault"))
    return;
  std::vector<float> Back(N);
  if (!ok(Dev.copyToHost(Back.data(), *Buf, N * 4), "downloading x"))
    return;
  // The faulting run doubled the elements in bounds; this one again.
  for (uint64_t I = 0; I < N; ++I)
    if (Back[I] != float(I) * 4) {
      fail("the in-bounds run after the fault gave wrong values");
      return;
    }
  outs() << "checked: the next run in the same context is correct\n";
}

/// The host half alone: the kernel compiles and names ops$k0, the inputs
/// and expected outputs read with the sizes the kernel writes.
int runOffline(const std::string &Dir, const std::string &VirPath) {
  Expected<std::string> Ptx = compileOps(VirPath, "sm_90");
  if (ok(Ptx, "compiling " + VirPath) &&
      Ptx->find(".entry ops$k0") == std::string::npos)
    fail("the PTX has no .entry ops$k0");
  size_t N = 0;
  for (auto [Name, Descr, Width] : {std::tuple{"a", "<i4", 1},
                                    {"b", "<i4", 1},
                                    {"f", "<f4", 1},
                                    {"g", "<f4", 1},
                                    {"out.expected", "<i4", 12},
                                    {"fout.expected", "<f4", 6}}) {
    Expected<std::vector<uint32_t>> V =
        readNpy(Dir + "/" + Name + ".npy", Descr);
    if (!ok(V, "reading input"))
      continue;
    if (!N)
      N = V->size();
    if (V->size() != N * Width)
      fail(Twine(Name) + ": " + Twine(V->size()) + " values, expected " +
           Twine(N * Width));
  }
  outs() << "offline: " << N << " points\n";
  outs() << (Failures ? "SMOKE: failures\n" : "SMOKE: OK (offline)\n");
  return Failures ? 1 : 0;
}

} // namespace

int main(int argc, char **argv) {
  bool Offline = argc > 1 && StringRef(argv[1]) == "--offline";
  if (Offline) {
    --argc;
    ++argv;
  }
  if (argc < 2 || argc > 3) {
    errs() << "usage: ircgpu-cuda-smoke [--offline] DIR [semantics.vir]\n";
    return 2;
  }
  std::string Dir = argv[1];
  std::string Vir = argc > 2 ? argv[2] : "tests/device/semantics.vir";
  if (Offline)
    return runOffline(Dir, Vir);

  Expected<std::unique_ptr<Device>> Dev = openCudaDevice(0);
  if (!Dev) {
    outs() << "FAIL: opening cuda:0: " << toString(Dev.takeError()) << "\n";
    return 1;
  }
  const DeviceInfo &I = (*Dev)->info();
  outs() << "device: " << I.Name << ", compute " << I.ComputeMajor << "."
         << I.ComputeMinor << " (" << I.archName() << "), "
         << I.TotalMemory / (1024 * 1024) << " MiB, " << I.MultiProcessorCount
         << " SMs, " << I.MaxThreadsPerBlock << " threads per block, grid "
         << I.MaxGridDim.X << "x" << I.MaxGridDim.Y << "x" << I.MaxGridDim.Z
         << ", warp " << I.WarpSize << ", shared " << I.MaxSharedMemoryPerBlock
         << "/" << I.MaxSharedMemoryPerBlockOptin << " B per block, L2 "
         << I.L2CacheBytes / 1024 << " KiB, " << I.MemoryBusWidthBits
         << "-bit memory bus\n";

  runSemantics(**Dev, Dir, Vir);
  runChecked(**Dev);
  runErrorPaths(**Dev);
  if (Failures) {
    outs() << "SMOKE: " << Failures << " failures\n";
    return 1;
  }
  outs() << "SMOKE: OK\n";
  return 0;
}
