//===- api/ContextImpl.h - a Context's state ------------------*- C++ -*-===//
#ifndef IRCGPU_API_CONTEXTIMPL_H
#define IRCGPU_API_CONTEXTIMPL_H

#include "ApiInternal.h"

#include "ircgpu/Codegen.h"
#include "ircgpu/Context.h"
#include "ircgpu/DeviceManager.h"

#include <condition_variable>
#include <future>
#include <map>
#include <mutex>

namespace ircgpu {

/// Shared by the Context and its background compiles (which may finish
/// after the Context is gone: ~Context waits for them, but they hold this).
struct Context::Impl {
  enum Kind { Gpu, Interp, Sim } K = Interp;
  Device *Dev = nullptr; // Gpu only
  std::string Name;
  uint64_t Id = 0; // what buffers and kernels are matched by

  /// What a compile hands to the requests that waited for it.
  struct Outcome {
    KernelRef K; // null on failure
    ErrorCode Code = ErrorCode::Compile;
    std::string Msg;
  };
  /// A request checked: the entry, the code generator's options, the key.
  struct Prepared {
    const Function *F = nullptr;
    CodegenOptions CG;
    std::string Key;
  };

  ~Impl();
  llvm::Expected<Prepared> prepare(const Module *M, llvm::StringRef Entry,
                                   const KernelOptions &O) const;
  /// Plan, code (Code, or from the module cache) and load: one new Kernel.
  llvm::Expected<KernelRef> build(const std::shared_ptr<const Module> &M,
                                  const Prepared &P, const KernelOptions &O,
                                  const CodeObject *Code);
  /// The table's lookup-or-build.
  llvm::Expected<KernelRef> compile(std::shared_ptr<const Module> M,
                                    llvm::StringRef Entry,
                                    const KernelOptions &O);

  std::mutex Lock; // guards everything below
  std::map<std::string, std::shared_future<Outcome>, std::less<>> Table;
  ContextStats Stats;
  unsigned PendingJobs = 0;
  std::condition_variable JobsDone;
};

} // namespace ircgpu

#endif
