//===- runtime/DeviceManager.cpp - every GPU of the process ---------------===//
//
// Counting is cheap and done once per backend; opening a device (a context,
// its queries) is not, so each device has its own slot and lock: two threads
// asking for one device wait for one open, two asking for different devices
// open them in parallel.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/DeviceManager.h"

#include "ircgpu/Diagnostics.h"

#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace ircgpu {

std::string DeviceSpec::str() const {
  return Auto ? "auto" : Backend + ":" + std::to_string(Ordinal);
}

Expected<DeviceSpec> parseDeviceSpec(StringRef Spec) {
  DeviceSpec S;
  if (Spec == "auto") {
    S.Auto = true;
    return S;
  }
  auto [Name, Ordinal] = Spec.split(':');
  bool HasOrdinal = Spec.contains(':');
  if ((Name == "cuda" || Name == "hip") &&
      (!HasOrdinal || (!Ordinal.empty() && all_of(Ordinal, isDigit) &&
                       !Ordinal.getAsInteger(10, S.Ordinal)))) {
    S.Backend = Name.str();
    return S;
  }
  return make_error<RuntimeError>("unknown device '" + Spec.str() +
                                  "' (expected auto, cuda, cuda:N, hip or "
                                  "hip:N)");
}

std::vector<DeviceBackend> builtinDeviceBackends() {
  std::vector<DeviceBackend> B;
  B.push_back({"cuda", countCudaDevices, openCudaDevice});
  // After CUDA: `auto` prefers CUDA.
  B.push_back({"hip", countHipDevices, openHipDevice});
  return B;
}

/// One device: opened once, under its own lock.
struct DeviceManager::Slot {
  std::mutex OpenLock;
  std::unique_ptr<Device> Dev;
};

DeviceManager::DeviceManager(std::vector<DeviceBackend> Backends)
    : Backends(std::move(Backends)) {}

DeviceManager::~DeviceManager() = default;

void DeviceManager::countOnce() {
  // Under Lock. A driver's first count starts it (cuInit): once is enough.
  if (Counted)
    return;
  for (const DeviceBackend &B : Backends)
    Counts.push_back(B.Count());
  Counted = true;
}

std::vector<FoundDevice> DeviceManager::devices() {
  std::lock_guard<std::mutex> G(Lock);
  countOnce();
  std::vector<FoundDevice> Out;
  for (size_t B = 0; B < Backends.size(); ++B)
    for (unsigned N = 0; N < Counts[B].Count; ++N)
      Out.push_back({Backends[B].Name + ":" + std::to_string(N), B, N});
  return Out;
}

std::vector<std::string> DeviceManager::reasonsForNone() {
  std::lock_guard<std::mutex> G(Lock);
  countOnce();
  std::vector<std::string> Out;
  for (size_t B = 0; B < Backends.size(); ++B)
    if (!Counts[B].Count)
      Out.push_back(
          Backends[B].Name + ": " +
          (Counts[B].Reason.empty() ? "no device" : Counts[B].Reason));
  return Out;
}

unsigned DeviceManager::opens() const {
  std::lock_guard<std::mutex> G(Lock);
  return Opens;
}

static Error specError(StringRef Spec, const Twine &Msg) {
  return make_error<RuntimeError>("device '" + Spec.str() + "': " + Msg.str());
}

Expected<Device &> DeviceManager::get(StringRef Spec) {
  auto S = parseDeviceSpec(Spec);
  if (!S)
    return S.takeError();
  return get(*S, Spec); // messages keep the spec as written ("cuda")
}

Expected<Device &> DeviceManager::get(const DeviceSpec &Spec) {
  return get(Spec, Spec.str());
}

Expected<Device &> DeviceManager::get(const DeviceSpec &Spec,
                                      StringRef AsAsked) {
  if (Spec.Auto) {
    std::vector<FoundDevice> Found = devices();
    if (Found.empty())
      return specError(AsAsked, "no GPU device found (" +
                                    join(reasonsForNone(), "; ") + ")");
    return open(Found[0].Backend, Found[0].Ordinal, AsAsked);
  }
  for (size_t B = 0; B < Backends.size(); ++B)
    if (Backends[B].Name == Spec.Backend)
      return open(B, Spec.Ordinal, AsAsked);
  return specError(AsAsked, "no " + StringRef(Spec.Backend).upper() +
                                " runtime in this build");
}

Expected<Device &> DeviceManager::open(size_t Backend, unsigned Ordinal,
                                       StringRef AsAsked) {
  Slot *S;
  {
    std::lock_guard<std::mutex> G(Lock);
    std::unique_ptr<Slot> &P = Slots[{Backend, Ordinal}];
    if (!P)
      P = std::make_unique<Slot>();
    S = P.get(); // slots are never removed: the pointer stays valid
  }
  std::lock_guard<std::mutex> G(S->OpenLock);
  if (S->Dev)
    return *S->Dev;
  {
    std::lock_guard<std::mutex> G2(Lock);
    ++Opens;
  }
  auto Dev = Backends[Backend].Open(Ordinal);
  if (!Dev)
    return specError(AsAsked, toString(Dev.takeError()));
  S->Dev = std::move(*Dev);
  return *S->Dev;
}

DeviceManager &processDeviceManager() {
  // Never destroyed: a VM may launch from a static destructor or a thread
  // still running at exit, and the driver releases contexts at exit anyway.
  static DeviceManager *M = new DeviceManager(builtinDeviceBackends());
  return *M;
}

} // namespace ircgpu
