//===- ircgpu/DeviceManager.h - every GPU of the process --------*- C++ -*-===//
//
// The GPUs of every backend (CUDA, HIP), named `cuda:N` and `hip:N`, each
// opened once, on first use, and owned here: one Device, hence one context,
// per GPU for the whole process, shared by every thread that asks for it.
// Backends come from a table (name, count, open), so that tests can put
// fake devices behind it. docs/runtime.md, "Several GPUs", has the rules.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_DEVICEMANAGER_H
#define IRCGPU_DEVICEMANAGER_H

#include "ircgpu/Device.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ircgpu {

/// A parsed device spec: "auto", or a backend with an optional ordinal
/// ("cuda" is "cuda:0").
struct DeviceSpec {
  bool Auto = false;
  std::string Backend; ///< "cuda", "hip"; empty for auto
  unsigned Ordinal = 0;
  /// "auto", "cuda:0".
  std::string str() const;
};

/// Parses "auto", "cuda", "cuda:N", "hip", "hip:N". Anything else is an
/// error naming the spec and listing these forms.
llvm::Expected<DeviceSpec> parseDeviceSpec(llvm::StringRef Spec);

/// One backend of the table: its name in specs, how many devices it has
/// (0 with a reason is an answer, not an error), how to open device N.
struct DeviceBackend {
  std::string Name;
  std::function<DeviceCount()> Count;
  std::function<llvm::Expected<std::unique_ptr<Device>>(unsigned)> Open;
};

/// The backends built in, in the order `auto` tries them: CUDA, then HIP.
std::vector<DeviceBackend> builtinDeviceBackends();

/// A GPU found by enumeration.
struct FoundDevice {
  std::string Spec; ///< "cuda:1"
  size_t Backend = 0;
  unsigned Ordinal = 0;
};

class DeviceManager {
public:
  explicit DeviceManager(std::vector<DeviceBackend> Backends);
  DeviceManager(const DeviceManager &) = delete;
  DeviceManager &operator=(const DeviceManager &) = delete;
  ~DeviceManager();

  const std::vector<DeviceBackend> &backends() const { return Backends; }

  /// Every GPU of every backend, in backend order then by ordinal: the
  /// order `auto` goes by. Each backend is counted once, on the first call;
  /// later calls give the same answer.
  std::vector<FoundDevice> devices();
  /// Why a backend found no device, one "name: reason" per such backend
  /// (after devices(); empty where every backend found some).
  std::vector<std::string> reasonsForNone();

  /// The device Spec names, opened on the first ask and kept: every caller,
  /// on any thread, gets the same Device, opened once even when many ask at
  /// once. "auto" is the first GPU devices() lists. Errors: a bad spec, a
  /// backend not in the table ("no HIP runtime in this build"), no GPU at
  /// all for auto (with every backend's reason), and the backend's own open
  /// errors (an ordinal out of range names how many there are); each begins
  /// "device '<spec>': ". A failed open is not kept: the next ask tries
  /// again.
  llvm::Expected<Device &> get(llvm::StringRef Spec);
  llvm::Expected<Device &> get(const DeviceSpec &Spec);

  /// How many times a backend's Open was called (for tests).
  unsigned opens() const;

private:
  struct Slot;
  void countOnce();
  llvm::Expected<Device &> get(const DeviceSpec &Spec, llvm::StringRef AsAsked);
  llvm::Expected<Device &> open(size_t Backend, unsigned Ordinal,
                                llvm::StringRef AsAsked);

  std::vector<DeviceBackend> Backends;
  mutable std::mutex Lock; // guards everything below
  bool Counted = false;
  std::vector<DeviceCount> Counts; ///< by backend
  std::map<std::pair<size_t, unsigned>, std::unique_ptr<Slot>> Slots;
  unsigned Opens = 0;
};

/// The process-wide manager over builtinDeviceBackends(), made on first use
/// and never destroyed (its devices live until the process exits, as the
/// driver's contexts would anyway).
DeviceManager &processDeviceManager();

} // namespace ircgpu

#endif
