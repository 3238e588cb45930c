//===- ircgpu/Context.h - the embedding API for a VM ------------*- C++ -*-===//
//
// What a VM's tiered JIT calls (docs/embedding.md): a Context on one device
// ("auto", "cuda:N", "hip:N", or the CPU devices "interp" and "sim"),
// compiling an entry function of a Module into a Kernel, synchronously or in
// the background (a CompileJob the VM polls while it keeps interpreting),
// cache lookups that never compile, buffers (allocated, or the VM's own
// device memory wrapped), and launches on the VM's stream that return the
// entry's results. It puts together what the CLI's `run` does by hand:
// parse -> plan -> code from the module cache -> load -> run.
//
// Every call may come from any thread at once. Errors are llvm::Error /
// Expected (never exceptions), each an ApiError with an ErrorCode (what the
// C API returns as its status) and a message.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_CONTEXT_H
#define IRCGPU_CONTEXT_H

#include "ircgpu/Device.h"
#include "ircgpu/IR.h"
#include "ircgpu/Kernel.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace ircgpu {

class Context;

/// What changes the code of a kernel (and so its cache key).
struct KernelOptions {
  /// Loops that cannot be offloaded run sequentially on the device instead
  /// of being refused.
  bool AllowSequential = false;
  /// Bounds-checked mode: an out-of-bounds access is an error of the launch
  /// (ErrorCode::Runtime) naming the buffer parameter and the index.
  bool Checked = false;
  unsigned OptLevel = 2; ///< 0..3
  /// The codegen target ("sm_80", "gfx90a"); empty: the device's own.
  std::string Target;
};

/// A compile in the background. Copyable handle to shared state; the
/// compile goes on (and its Kernel lands in the context's table) even if
/// every handle is dropped.
class CompileJob {
public:
  /// Whether the compile has finished (well or not); never blocks.
  bool ready() const;
  /// Blocks until it has finished.
  void wait() const;
  /// Waits, then the kernel or the compile's error (a copy of it: get() may
  /// be called any number of times, from any thread).
  llvm::Expected<KernelRef> get() const;

  struct State;
  explicit CompileJob(std::shared_ptr<State> S) : S(std::move(S)) {}

private:
  std::shared_ptr<State> S;
};

/// What a context has done (for tests and a VM's statistics).
struct ContextStats {
  uint64_t Compiles = 0;     ///< kernels made (plans built and loaded)
  uint64_t TableHits = 0;    ///< compile/lookup answered by a loaded kernel
  uint64_t Waits = 0;        ///< compiles that waited for another thread's
  uint64_t CacheLoads = 0;   ///< lookups answered from the module cache
  uint64_t LookupMisses = 0; ///< lookups that found nothing
};

class Context {
public:
  /// A context on Spec's device: "auto" (the first GPU the device manager
  /// finds that the code generator has a target for, else "interp"),
  /// "cuda", "cuda:N", "hip", "hip:N" (that GPU, or an ErrorCode::Device
  /// error), "interp" (the reference interpreter on host memory) or "sim"
  /// (the launch plan on the plan simulator, host memory). GPUs come from
  /// processDeviceManager(): contexts on one GPU share its Device.
  static llvm::Expected<std::unique_ptr<Context>>
  create(llvm::StringRef Spec = "auto");
  /// A context on a Device the caller owns (and keeps alive longer than the
  /// context and everything made by it).
  static std::unique_ptr<Context> createOn(Device &Dev);
  /// Waits for the background compiles it started.
  ~Context();
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;

  /// "interp", "sim", or the device's name ("cuda:0").
  const std::string &deviceName() const;
  /// The GPU; null on "interp" and "sim".
  Device *device() const;
  /// True for "interp" and "sim": buffers are host memory.
  bool isHost() const;

  //===-- modules ---------------------------------------------------------===//
  /// Parses and verifies VIR text. A syntax or type error is
  /// ErrorCode::InvalidIR whose message is the diagnostics as the CLI
  /// prints them ("Name:LINE:COL: error: ...", the line, a caret).
  static llvm::Expected<std::shared_ptr<const Module>>
  parse(llvm::StringRef Text, llvm::StringRef Name = "<vir>");

  //===-- compiling -------------------------------------------------------===//
  /// The cache key of Entry of M with Opts on this context's device: the
  /// module hash `irc-gpu hash` prints for the GPU's target; a key of its
  /// own for interp and sim. Cheap (a hash of the module); no compile.
  llvm::Expected<std::string> hash(const Module &M, llvm::StringRef Entry,
                                   const KernelOptions &Opts = {}) const;

  /// Compiles Entry of M (verified here; a builder-built module need not be
  /// verified first) into a Kernel: the launch plan (a loop that cannot be
  /// offloaded is ErrorCode::NotOffloadable on every device, interp too),
  /// the code from the module cache or compiled and stored there, loaded on
  /// the device. A kernel already made by this context for the same key is
  /// returned as it is; concurrent compiles of one key make it once.
  llvm::Expected<KernelRef> compile(std::shared_ptr<const Module> M,
                                    llvm::StringRef Entry,
                                    const KernelOptions &Opts = {});
  /// The same on the context's compile threads; returns at once.
  CompileJob compileAsync(std::shared_ptr<const Module> M,
                          llvm::StringRef Entry,
                          const KernelOptions &Opts = {});

  /// The kernel for Entry of M if it exists without code generation: made
  /// by this context already, or (GPU) its code is in the module cache, in
  /// memory or on disk, and is loaded now (the plan is rebuilt: passes
  /// only, no LLVM). Null on a miss (never compiles).
  llvm::Expected<KernelRef> lookup(std::shared_ptr<const Module> M,
                                   llvm::StringRef Entry,
                                   const KernelOptions &Opts = {});
  /// The kernel this context made under Key (Kernel::hash()), or null.
  KernelRef lookup(llvm::StringRef Key);

  //===-- memory ----------------------------------------------------------===//
  /// Bytes of device memory (host memory on interp/sim), owned by the
  /// Buffer. 0 bytes gives an empty buffer (address 0).
  llvm::Expected<Buffer> alloc(uint64_t Bytes);
  /// Memory the VM owns: a device address (CUdeviceptr, hipDeviceptr_t) on
  /// a GPU, a host pointer as an integer on interp/sim. Never freed here;
  /// the VM keeps it alive while a Buffer or a launch uses it.
  Buffer wrap(DevicePtr Address, uint64_t Bytes);

  //===-- streams ---------------------------------------------------------===//
  /// A new stream owned by the returned handle (a null stream on
  /// interp/sim, where everything runs at once). A VM's own CUstream needs
  /// no call: pass it to launch() and the copies as a void *.
  llvm::Expected<Stream> createStream();
  /// Waits for the work on Stream (null: the default stream).
  llvm::Error synchronize(void *Stream = nullptr);

  ContextStats stats() const;

  struct Impl;
  /// Internal: contexts are made by create() and createOn().
  explicit Context(std::shared_ptr<Impl> I);

private:
  std::shared_ptr<Impl> I;
};

} // namespace ircgpu

#endif
