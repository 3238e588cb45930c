//===- api/ContextAsync.cpp - background compiles, memory, streams -------===//
//
// Background compiles run on one small process-wide pool of threads: a VM
// that asks for many hot loops at once must not get a thread per loop, and
// LLVM code generation is CPU-bound, so a few threads are as fast as many.
//
//===----------------------------------------------------------------------===//
#include "ContextImpl.h"

#include "llvm/ADT/Twine.h"

#include <deque>
#include <functional>
#include <new>
#include <thread>

using namespace llvm;

namespace ircgpu {

namespace {

class CompilePool {
public:
  void submit(std::function<void()> Job) {
    std::lock_guard<std::mutex> G(Lock);
    Queue.push_back(std::move(Job));
    if (Idle == 0 && Threads < maxThreads()) {
      ++Threads;
      std::thread([this] { work(); }).detach();
    } else {
      Wake.notify_one();
    }
  }

private:
  static unsigned maxThreads() {
    unsigned HW = std::thread::hardware_concurrency();
    return std::max(1u, std::min(4u, HW / 2));
  }
  void work() {
    std::unique_lock<std::mutex> G(Lock);
    for (;;) {
      ++Idle;
      Wake.wait(G, [&] { return !Queue.empty(); });
      --Idle;
      std::function<void()> Job = std::move(Queue.front());
      Queue.pop_front();
      G.unlock();
      Job();
      G.lock();
    }
  }
  std::mutex Lock;
  std::condition_variable Wake;
  std::deque<std::function<void()>> Queue;
  unsigned Threads = 0, Idle = 0;
};

/// Never destroyed (as processModuleCache): its threads wait on it until
/// the process exits.
CompilePool &compilePool() {
  static CompilePool *P = new CompilePool;
  return *P;
}

} // namespace

struct CompileJob::State {
  std::mutex Lock;
  std::condition_variable Done;
  bool Finished = false;
  KernelRef K;
  ErrorCode Code = ErrorCode::Compile;
  std::string Msg;
};

bool CompileJob::ready() const {
  std::lock_guard<std::mutex> G(S->Lock);
  return S->Finished;
}

void CompileJob::wait() const {
  std::unique_lock<std::mutex> G(S->Lock);
  S->Done.wait(G, [&] { return S->Finished; });
}

Expected<KernelRef> CompileJob::get() const {
  wait();
  std::lock_guard<std::mutex> G(S->Lock);
  if (S->K)
    return S->K;
  return apiError(S->Code, S->Msg);
}

CompileJob Context::compileAsync(std::shared_ptr<const Module> M,
                                 StringRef Entry, const KernelOptions &Opts) {
  auto S = std::make_shared<CompileJob::State>();
  {
    std::lock_guard<std::mutex> G(I->Lock);
    ++I->PendingJobs;
  }
  // The job drops everything it holds (the kernel, the job's state, the
  // module) before it says it is done: the Context's destructor waits for
  // that, and what a job kept past it (a loaded plan, device memory) would
  // outlive the device. A raw Impl is safe for the same reason.
  compilePool().submit([Impl = I.get(), S, M = std::move(M),
                        Entry = Entry.str(), Opts]() mutable {
    {
      auto K = Impl->compile(M, Entry, Opts);
      std::lock_guard<std::mutex> G(S->Lock);
      if (K)
        S->K = *K;
      else
        S->Code = takeErrorCode(K.takeError(), S->Msg);
      S->Finished = true;
    }
    S->Done.notify_all();
    S.reset();
    M.reset();
    std::lock_guard<std::mutex> G(Impl->Lock);
    if (--Impl->PendingJobs == 0)
      Impl->JobsDone.notify_all();
  });
  return CompileJob(std::move(S));
}

Expected<Buffer> Context::alloc(uint64_t Bytes) {
  Buffer B;
  B.Owner = I->Id;
  B.Dev = I->Dev;
  B.Size = Bytes;
  if (!Bytes)
    return B;
  if (I->K != Impl::Gpu) {
    B.Host.reset(new (std::nothrow) uint8_t[Bytes]());
    if (!B.Host)
      return apiError(ErrorCode::Runtime,
                      "out of host memory for " + Twine(Bytes) + " bytes");
    B.Address = DevicePtr(uintptr_t(B.Host.get()));
    return B;
  }
  auto D = I->Dev->alloc(Bytes);
  if (!D)
    return toApiError(D.takeError(), ErrorCode::Runtime);
  B.Address = D->ptr();
  B.Owned = std::make_unique<DeviceBuffer>(std::move(*D));
  return B;
}

Buffer Context::wrap(DevicePtr Address, uint64_t Bytes) {
  Buffer B;
  B.Owner = I->Id;
  B.Dev = I->Dev;
  B.Address = Address;
  B.Size = Address ? Bytes : 0;
  return B;
}

Expected<Stream> Context::createStream() {
  if (I->K != Impl::Gpu)
    return Stream();
  auto S = I->Dev->createStream();
  if (!S)
    return toApiError(S.takeError(), ErrorCode::Runtime);
  return S;
}

Error Context::synchronize(void *S) {
  if (I->K != Impl::Gpu)
    return Error::success();
  return toApiError(I->Dev->synchronize(Stream::borrow(S)), ErrorCode::Runtime);
}

} // namespace ircgpu
