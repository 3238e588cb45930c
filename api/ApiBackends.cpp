//===- api/ApiBackends.cpp - GPU, interpreter and simulator kernels ------===//
#include "ApiInternal.h"

#include "ircgpu/Executor.h"
#include "ircgpu/Interpreter.h"
#include "ircgpu/Simulator.h"

#include <mutex>

using namespace llvm;

namespace ircgpu {

namespace {

class GpuKernel final : public Kernel {
public:
  GpuKernel(const Function &F, std::string Key, uint64_t Owner,
            std::unique_ptr<LoadedPlan> LP)
      : Kernel(F, std::move(Key), Owner), LP(std::move(LP)) {}

private:
  Expected<std::vector<uint64_t>> run(ArrayRef<Bound> Args,
                                      void *S) const override {
    std::vector<DeviceArg> DA;
    DA.reserve(Args.size());
    for (const Bound &B : Args)
      DA.push_back({B.Bits, B.Ptr, B.Count});
    return LP->run(DA, Stream::borrow(S));
  }
  std::unique_ptr<LoadedPlan> LP; // thread-safe: each run has its own slots
};

std::vector<InterpArg> hostArgs(ArrayRef<Kernel::Bound> Args) {
  std::vector<InterpArg> IA;
  IA.reserve(Args.size());
  for (const Kernel::Bound &B : Args)
    IA.push_back({B.Bits, reinterpret_cast<void *>(uintptr_t(B.Ptr)), B.Count});
  return IA;
}

class InterpKernel final : public Kernel {
public:
  InterpKernel(const Function &F, std::string Key, uint64_t Owner,
               std::shared_ptr<const Module> M,
               std::unique_ptr<Interpreter> First)
      : Kernel(F, std::move(Key), Owner), M(std::move(M)) {
    Idle.push_back(std::move(First));
  }

private:
  // An Interpreter runs one call at a time: each launch takes an idle one
  // (or translates a new one) and gives it back, so launches on many threads
  // run at once.
  Expected<std::vector<uint64_t>> run(ArrayRef<Bound> Args,
                                      void *) const override {
    std::unique_ptr<Interpreter> I;
    {
      std::lock_guard<std::mutex> G(Lock);
      if (!Idle.empty()) {
        I = std::move(Idle.back());
        Idle.pop_back();
      }
    }
    if (!I) {
      auto New = Interpreter::create(*M, entry());
      if (!New)
        return New.takeError();
      I = std::move(*New);
    }
    auto R = I->run(hostArgs(Args));
    std::lock_guard<std::mutex> G(Lock);
    Idle.push_back(std::move(I));
    return R;
  }
  std::shared_ptr<const Module> M; // the interpreters point into it
  mutable std::mutex Lock;
  mutable std::vector<std::unique_ptr<Interpreter>> Idle;
};

class SimKernel final : public Kernel {
public:
  SimKernel(const Function &F, std::string Key, uint64_t Owner, Plan P)
      : Kernel(F, std::move(Key), Owner), P(std::move(P)) {}

private:
  Expected<std::vector<uint64_t>> run(ArrayRef<Bound> Args,
                                      void *) const override {
    return simulatePlan(P, hostArgs(Args));
  }
  Plan P;
};

} // namespace

Expected<KernelRef> makeGpuKernel(Device &Dev, const Function &F,
                                  std::string Key, uint64_t Owner, Plan P,
                                  bool Checked, StringRef Image) {
  auto LP = LoadedPlan::load(Dev, std::move(P), Checked, Image);
  if (!LP)
    return LP.takeError();
  return std::make_shared<GpuKernel>(F, std::move(Key), Owner, std::move(*LP));
}

Expected<KernelRef> makeInterpKernel(std::shared_ptr<const Module> M,
                                     const Function &F, std::string Key,
                                     uint64_t Owner) {
  auto I = Interpreter::create(*M, F.Name);
  if (!I)
    return I.takeError();
  return std::make_shared<InterpKernel>(F, std::move(Key), Owner, std::move(M),
                                        std::move(*I));
}

KernelRef makeSimKernel(const Function &F, std::string Key, uint64_t Owner,
                        Plan P) {
  return std::make_shared<SimKernel>(F, std::move(Key), Owner, std::move(P));
}

} // namespace ircgpu
