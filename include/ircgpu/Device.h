//===- ircgpu/Device.h - the runtime's GPU device ---------------*- C++ -*-===//
//
// One GPU, as the runtime sees it: query, memory, modules, launch. Backends
// (runtime/cuda/) implement the private *Impl hooks; the public methods do
// what every backend would otherwise repeat (argument and bounds checks,
// making the device current on the calling thread, module bookkeeping), the
// non-virtual-interface pattern of design.md. Every failure is an
// llvm::Error; a driver failure is a RuntimeError naming what was being done
// and carrying the driver's own error string.
//
// Everything here is synchronous on the device's default stream for now;
// streams, events, pinned host memory and async copies come later
// (docs/runtime.md).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_DEVICE_H
#define IRCGPU_DEVICE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ircgpu {

class Device;

struct DeviceInfo {
  std::string Name;
  int ComputeMajor = 0;
  int ComputeMinor = 0;
  uint64_t TotalMemory = 0;
  int MultiProcessorCount = 0;
  int MaxThreadsPerBlock = 0;
  /// "sm_90" for compute capability 9.0: the codegen target of this device.
  std::string archName() const;
};

/// A device address (CUdeviceptr, hipDeviceptr_t): 64 bits on every target.
using DevicePtr = uint64_t;

/// Device memory owned by one allocation: freed when destroyed. Must not
/// outlive its Device. Move-only.
class DeviceBuffer {
public:
  DeviceBuffer() = default;
  DeviceBuffer(DeviceBuffer &&O) noexcept { *this = std::move(O); }
  DeviceBuffer &operator=(DeviceBuffer &&O) noexcept;
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  ~DeviceBuffer() { reset(); }

  DevicePtr ptr() const { return Ptr; }
  uint64_t size() const { return Size; }
  explicit operator bool() const { return Dev != nullptr; }
  /// Frees the memory now. A failing free means the context is already
  /// broken, which the operation that broke it has reported, so the error
  /// is dropped here; Device::free() returns it for callers that care.
  void reset();

private:
  friend class Device;
  DeviceBuffer(Device *Dev, DevicePtr Ptr, uint64_t Size)
      : Dev(Dev), Ptr(Ptr), Size(Size) {}
  Device *Dev = nullptr;
  DevicePtr Ptr = 0;
  uint64_t Size = 0;
};

/// A loaded module and a kernel in it: opaque driver handles. A module
/// stays loaded until unloadModule() or the Device's destruction.
struct ModuleHandle {
  void *Handle = nullptr;
};
struct KernelHandle {
  void *Handle = nullptr;
};

struct Dim3 {
  unsigned X = 1, Y = 1, Z = 1;
};

class Device {
public:
  virtual ~Device();
  Device(const Device &) = delete;
  Device &operator=(const Device &) = delete;

  const DeviceInfo &info() const { return Info; }
  /// "cuda:0": for messages.
  virtual std::string name() const = 0;

  //===-- memory ----------------------------------------------------------===//
  /// Bytes == 0 is refused: no driver returns a usable address for it.
  llvm::Expected<DeviceBuffer> alloc(uint64_t Bytes);
  llvm::Error free(DeviceBuffer &Buf);
  /// Copies Bytes between host memory and Buf at Offset; a range outside Buf
  /// is an error before the driver sees it.
  llvm::Error copyToDevice(const DeviceBuffer &Dst, const void *Src,
                           uint64_t Bytes, uint64_t DstOffset = 0);
  llvm::Error copyToHost(void *Dst, const DeviceBuffer &Src, uint64_t Bytes,
                         uint64_t SrcOffset = 0);
  llvm::Error copyOnDevice(const DeviceBuffer &Dst, const DeviceBuffer &Src,
                           uint64_t Bytes);
  llvm::Error memset(const DeviceBuffer &Dst, uint8_t Value, uint64_t Bytes);

  //===-- modules and launch ----------------------------------------------===//
  /// Image is PTX text or a cubin/ELF. PTX need not be NUL-terminated here
  /// (the driver wants it so; this adds the NUL).
  llvm::Expected<ModuleHandle> loadModule(llvm::StringRef Image);
  llvm::Error unloadModule(ModuleHandle M);
  llvm::Expected<KernelHandle> getKernel(ModuleHandle M, llvm::StringRef Name);
  /// Args as cuLaunchKernel takes them: one pointer per kernel parameter, to
  /// the parameter's value (for a buffer, to a DevicePtr).
  llvm::Error launch(KernelHandle K, Dim3 Grid, Dim3 Block, void **Args,
                     unsigned SharedBytes = 0);
  /// Waits for all work on the device; reports faults of earlier launches.
  llvm::Error synchronize();

protected:
  explicit Device(DeviceInfo Info) : Info(std::move(Info)) {}
  /// Modules still loaded: a backend's destructor unloads them (the base
  /// destructor cannot call the hooks).
  const std::vector<void *> &loadedModules() const { return Modules; }

private:
  // The hooks. Arguments are already checked; the device is current.
  virtual llvm::Error activateImpl() = 0;
  virtual llvm::Expected<DevicePtr> allocImpl(uint64_t Bytes) = 0;
  virtual llvm::Error freeImpl(DevicePtr Ptr) = 0;
  virtual llvm::Error copyToDeviceImpl(DevicePtr Dst, const void *Src,
                                       uint64_t Bytes) = 0;
  virtual llvm::Error copyToHostImpl(void *Dst, DevicePtr Src,
                                     uint64_t Bytes) = 0;
  virtual llvm::Error copyOnDeviceImpl(DevicePtr Dst, DevicePtr Src,
                                       uint64_t Bytes) = 0;
  virtual llvm::Error memsetImpl(DevicePtr Dst, uint8_t Value,
                                 uint64_t Bytes) = 0;
  /// Image ends in a NUL byte that is not part of it (for PTX).
  virtual llvm::Expected<void *> loadModuleImpl(llvm::StringRef Image) = 0;
  virtual llvm::Error unloadModuleImpl(void *Module) = 0;
  virtual llvm::Expected<void *> getKernelImpl(void *Module,
                                               llvm::StringRef Name) = 0;
  virtual llvm::Error launchImpl(void *Kernel, Dim3 Grid, Dim3 Block,
                                 void **Args, unsigned SharedBytes) = 0;
  virtual llvm::Error synchronizeImpl() = 0;

  llvm::Error checkRange(const DeviceBuffer &Buf, uint64_t Offset,
                         uint64_t Bytes, llvm::StringRef What) const;
  llvm::Error checkModule(ModuleHandle M, llvm::StringRef What) const;

  DeviceInfo Info;
  std::vector<void *> Modules;
};

/// Opens CUDA device Ordinal through the driver (libcuda.so.1, dlopen'ed):
/// its primary context, made current on the calling thread. Errors: no
/// driver library, no device, Ordinal out of range, any driver failure.
llvm::Expected<std::unique_ptr<Device>> openCudaDevice(unsigned Ordinal);

} // namespace ircgpu

#endif
