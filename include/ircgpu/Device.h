//===- ircgpu/Device.h - the runtime's GPU device ---------------*- C++ -*-===//
//
// One GPU, as the runtime sees it: query, memory (device and pinned host),
// streams and events, modules, launch. Backends (runtime/cuda/) implement the
// private *Impl hooks; the public methods do what every backend would
// otherwise repeat (argument and bounds checks, making the device current on
// the calling thread, module bookkeeping), the non-virtual-interface pattern
// of design.md. Every failure is an llvm::Error; a driver failure is a
// RuntimeError naming what was being done and carrying the driver's own error
// string.
//
// Work is ordered by streams. The *Async copies, memsetAsync and launch are
// enqueued on a Stream and return before the work is done; a fault they
// cause is reported by a later call (synchronize, most often). The copies
// without "Async" and memset wait for their own work to finish; they run on
// the default stream. A Stream made by createStream is non-blocking: it does
// not wait for work on the default stream, nor does that wait for it; order
// across streams with events (record, waitEvent). Every method may be called
// from any thread: each makes the device current on the calling thread.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_DEVICE_H
#define IRCGPU_DEVICE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ircgpu {

class Device;

struct Dim3 {
  unsigned X = 1, Y = 1, Z = 1;
};

struct DeviceInfo {
  std::string Name;
  int ComputeMajor = 0;
  int ComputeMinor = 0;
  uint64_t TotalMemory = 0;
  int MultiProcessorCount = 0;
  int MaxThreadsPerBlock = 0;
  /// The largest grid and block, per dimension. 0 where unknown: launch()
  /// checks only the limits it knows.
  Dim3 MaxGridDim{0, 0, 0};
  Dim3 MaxBlockDim{0, 0, 0};
  int WarpSize = 0;
  /// Shared memory a block gets without opting in (48 KiB on NVIDIA GPUs),
  /// and the most a kernel may opt in to; launch() refuses more than the
  /// latter.
  int MaxSharedMemoryPerBlock = 0;
  int MaxSharedMemoryPerBlockOptin = 0;
  uint64_t L2CacheBytes = 0;
  /// Peak clocks (kHz) and memory bus width (bits), for roofline estimates;
  /// 0 where the driver no longer reports them.
  int ClockRateKHz = 0;
  int MemoryClockRateKHz = 0;
  int MemoryBusWidthBits = 0;
  /// The codegen target of this device, as its backend names it: "sm_90"
  /// (CUDA, from the compute capability), "gfx90a" (HIP, the gcnArchName
  /// without its feature suffix ":sramecc+:xnack-").
  std::string Arch;
  /// Arch; where a backend left it empty, "sm_XY" from ComputeMajor and
  /// ComputeMinor (what it was before Arch existed).
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

/// Page-locked host memory (cuMemAllocHost): what async copies need to
/// overlap with other work (from pageable memory the driver stages them
/// through its own buffer first). Freed when destroyed. Must not outlive its
/// Device. Move-only.
class PinnedBuffer {
public:
  PinnedBuffer() = default;
  PinnedBuffer(PinnedBuffer &&O) noexcept { *this = std::move(O); }
  PinnedBuffer &operator=(PinnedBuffer &&O) noexcept;
  PinnedBuffer(const PinnedBuffer &) = delete;
  PinnedBuffer &operator=(const PinnedBuffer &) = delete;
  ~PinnedBuffer() { reset(); }

  void *data() const { return Data; }
  uint64_t size() const { return Size; }
  explicit operator bool() const { return Dev != nullptr; }
  /// Frees the memory now, dropping the error as DeviceBuffer::reset does.
  void reset();

private:
  friend class Device;
  PinnedBuffer(Device *Dev, void *Data, uint64_t Size)
      : Dev(Dev), Data(Data), Size(Size) {}
  Device *Dev = nullptr;
  void *Data = nullptr;
  uint64_t Size = 0;
};

/// A stream (CUstream). Owning (made by Device::createStream, destroyed with
/// the handle) or borrowed (Stream::borrow wraps a VM's CUstream and never
/// destroys it). A default-constructed Stream is the device's default (null)
/// stream. Move-only. Must not outlive its Device.
class Stream {
public:
  Stream() = default;
  /// A stream someone else owns (the VM's), in this device's context; the
  /// caller keeps it alive while it is used. borrow(nullptr) is the default
  /// stream.
  static Stream borrow(void *Native) { return Stream(nullptr, Native); }
  Stream(Stream &&O) noexcept { *this = std::move(O); }
  Stream &operator=(Stream &&O) noexcept;
  Stream(const Stream &) = delete;
  Stream &operator=(const Stream &) = delete;
  ~Stream() { reset(); }

  /// The CUstream; null for the default stream.
  void *native() const { return Native; }
  /// Whether destroying this handle destroys the stream.
  bool isOwned() const { return Dev != nullptr; }
  /// Destroys an owned stream now (work already enqueued still runs), and
  /// leaves the default stream; errors dropped as DeviceBuffer::reset does.
  void reset();

private:
  friend class Device;
  Stream(Device *Dev, void *Native) : Dev(Dev), Native(Native) {}
  Device *Dev = nullptr; // the owner; null when borrowed or default
  void *Native = nullptr;
};

/// A timing event (CUevent), RAII, move-only. Must not outlive its Device.
class Event {
public:
  Event() = default;
  Event(Event &&O) noexcept { *this = std::move(O); }
  Event &operator=(Event &&O) noexcept;
  Event(const Event &) = delete;
  Event &operator=(const Event &) = delete;
  ~Event() { reset(); }

  void *native() const { return Native; }
  explicit operator bool() const { return Dev != nullptr; }
  /// Whether Device::record has been called on it: elapsedMs needs both
  /// events recorded (the driver's answer for an unrecorded one is vague).
  bool isRecorded() const { return Recorded; }
  void reset();

private:
  friend class Device;
  Event(Device *Dev, void *Native) : Dev(Dev), Native(Native) {}
  Device *Dev = nullptr;
  void *Native = nullptr;
  bool Recorded = false;
};

/// A loaded module and a kernel in it: opaque driver handles. A module
/// stays loaded until unloadModule() or the Device's destruction.
struct ModuleHandle {
  void *Handle = nullptr;
};
struct KernelHandle {
  void *Handle = nullptr;
};

/// How copyBetweenDevices moved the bytes.
enum class CopyPath {
  SameDevice, ///< Dst and Src are one device: copyOnDevice
  Peer,       ///< directly between the GPUs (CUDA peer access)
  Staged,     ///< through pinned host memory, in chunks
};
/// "same-device", "peer", "staged".
llvm::StringRef copyPathName(CopyPath P);

struct CrossCopyOptions {
  /// Stage through host memory even where peer access exists (to test and
  /// measure the staged path on a machine that has peer access).
  bool ForceStaged = false;
  /// The size of each of the two pinned staging buffers.
  uint64_t ChunkBytes = 16ull << 20;
};

/// Copies Bytes from SrcBuf at SrcOffset on Src to DstBuf at DstOffset on
/// Dst, and waits until the copy is done. Both ranges are checked (each
/// buffer must belong to its device) before any byte moves. One device:
/// copyOnDevice (overlapping ranges of one buffer are refused). Two GPUs of
/// one backend that can reach each other's memory: a direct peer copy, peer
/// access enabled once per pair. Otherwise (no peer access, devices of two
/// backends, or Opts.ForceStaged): staged through two pinned host buffers
/// of Opts.ChunkBytes, one chunk read from Src while the one before is
/// written to Dst. Returns the path taken.
llvm::Expected<CopyPath>
copyBetweenDevices(Device &Dst, const DeviceBuffer &DstBuf, uint64_t DstOffset,
                   Device &Src, const DeviceBuffer &SrcBuf, uint64_t SrcOffset,
                   uint64_t Bytes, const CrossCopyOptions &Opts = {});

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
  /// Page-locked host memory; Bytes == 0 is refused.
  llvm::Expected<PinnedBuffer> allocPinned(uint64_t Bytes);
  llvm::Error free(PinnedBuffer &Buf);

  /// Copies Bytes between host memory and Buf at Offset; a range outside Buf
  /// is an error before the driver sees it. These wait until the copy is
  /// done.
  llvm::Error copyToDevice(const DeviceBuffer &Dst, const void *Src,
                           uint64_t Bytes, uint64_t DstOffset = 0);
  llvm::Error copyToHost(void *Dst, const DeviceBuffer &Src, uint64_t Bytes,
                         uint64_t SrcOffset = 0);
  llvm::Error copyOnDevice(const DeviceBuffer &Dst, const DeviceBuffer &Src,
                           uint64_t Bytes);
  llvm::Error memset(const DeviceBuffer &Dst, uint8_t Value, uint64_t Bytes);

  /// The same, enqueued on S: the host memory must stay valid (and, for
  /// copyToHostAsync, unread) until S has done the copy. Same range checks.
  /// Ranges overlapping within one buffer are refused (the driver's copy is
  /// undefined for them).
  llvm::Error copyToDeviceAsync(const DeviceBuffer &Dst, const void *Src,
                                uint64_t Bytes, uint64_t DstOffset,
                                const Stream &S);
  llvm::Error copyToHostAsync(void *Dst, const DeviceBuffer &Src,
                              uint64_t Bytes, uint64_t SrcOffset,
                              const Stream &S);
  llvm::Error copyOnDeviceAsync(const DeviceBuffer &Dst, uint64_t DstOffset,
                                const DeviceBuffer &Src, uint64_t SrcOffset,
                                uint64_t Bytes, const Stream &S);
  llvm::Error memsetAsync(const DeviceBuffer &Dst, uint8_t Value,
                          uint64_t Bytes, const Stream &S);
  /// For memory this Device did not allocate (a VM's DevicePtr): nothing to
  /// check the range against, so only a null pointer is refused.
  llvm::Error copyToDeviceAsync(DevicePtr Dst, const void *Src, uint64_t Bytes,
                                const Stream &S);
  llvm::Error copyToHostAsync(void *Dst, DevicePtr Src, uint64_t Bytes,
                              const Stream &S);

  //===-- streams and events ----------------------------------------------===//
  /// A non-blocking stream (CU_STREAM_NON_BLOCKING), owned by the handle.
  llvm::Expected<Stream> createStream();
  /// Destroys an owned stream now and returns the error; a borrowed one is
  /// only let go. The handle becomes the default stream.
  llvm::Error destroyStream(Stream &S);
  /// Waits for the work on S; reports faults of earlier launches.
  llvm::Error synchronize(const Stream &S);
  /// An event with timing enabled.
  llvm::Expected<Event> createEvent();
  llvm::Error destroyEvent(Event &E);
  /// Enqueues E on S: E completes when the work enqueued before it has.
  llvm::Error record(Event &E, const Stream &S);
  /// Waits until E completes (at once if it was never recorded).
  llvm::Error synchronize(const Event &E);
  /// Makes work enqueued on S after this wait for E, without blocking the
  /// host: how to order work across streams.
  llvm::Error waitEvent(const Stream &S, const Event &E);
  /// Milliseconds from Start to End, both recorded; waits for End first.
  llvm::Expected<float> elapsedMs(const Event &Start, const Event &End);

  //===-- modules and launch ----------------------------------------------===//
  /// Image is PTX text or a cubin (ELF). PTX need not be NUL-terminated
  /// here (the driver wants it so; this adds the NUL). PTX that fails to JIT
  /// gives an error that includes the JIT's log.
  llvm::Expected<ModuleHandle> loadModule(llvm::StringRef Image);
  llvm::Error unloadModule(ModuleHandle M);
  llvm::Expected<KernelHandle> getKernel(ModuleHandle M, llvm::StringRef Name);
  /// Enqueues a kernel on S. Args as cuLaunchKernel takes them: one pointer
  /// per kernel parameter, to the parameter's value (for a buffer, to a
  /// DevicePtr); the values are copied before this returns.
  llvm::Error launch(KernelHandle K, Dim3 Grid, Dim3 Block, void **Args,
                     unsigned SharedBytes = 0, const Stream &S = Stream());
  /// Waits for all work on the device, on every stream; reports faults of
  /// earlier launches.
  llvm::Error synchronize();

  //===-- several devices -------------------------------------------------===//
  friend llvm::Expected<CopyPath>
  copyBetweenDevices(Device &Dst, const DeviceBuffer &DstBuf,
                     uint64_t DstOffset, Device &Src,
                     const DeviceBuffer &SrcBuf, uint64_t SrcOffset,
                     uint64_t Bytes, const CrossCopyOptions &Opts);

protected:
  explicit Device(DeviceInfo Info) : Info(std::move(Info)) {}
  /// Modules still loaded: a backend's destructor unloads them (the base
  /// destructor cannot call the hooks). Not for use while other threads
  /// may load or unload modules.
  const std::vector<void *> &loadedModules() const { return Modules; }

private:
  // The hooks. Arguments are already checked; the device is current. A
  // Stream argument is the native handle, null for the default stream.
  virtual llvm::Error activateImpl() = 0;
  virtual llvm::Expected<DevicePtr> allocImpl(uint64_t Bytes) = 0;
  virtual llvm::Error freeImpl(DevicePtr Ptr) = 0;
  virtual llvm::Expected<void *> allocPinnedImpl(uint64_t Bytes) = 0;
  virtual llvm::Error freePinnedImpl(void *Ptr) = 0;
  virtual llvm::Error copyToDeviceImpl(DevicePtr Dst, const void *Src,
                                       uint64_t Bytes, void *Stream) = 0;
  virtual llvm::Error copyToHostImpl(void *Dst, DevicePtr Src, uint64_t Bytes,
                                     void *Stream) = 0;
  virtual llvm::Error copyOnDeviceImpl(DevicePtr Dst, DevicePtr Src,
                                       uint64_t Bytes, void *Stream) = 0;
  virtual llvm::Error memsetImpl(DevicePtr Dst, uint8_t Value, uint64_t Bytes,
                                 void *Stream) = 0;
  virtual llvm::Expected<void *> createStreamImpl() = 0;
  virtual llvm::Error destroyStreamImpl(void *Stream) = 0;
  virtual llvm::Error synchronizeStreamImpl(void *Stream) = 0;
  virtual llvm::Expected<void *> createEventImpl() = 0;
  virtual llvm::Error destroyEventImpl(void *Event) = 0;
  virtual llvm::Error recordEventImpl(void *Event, void *Stream) = 0;
  virtual llvm::Error synchronizeEventImpl(void *Event) = 0;
  virtual llvm::Error waitEventImpl(void *Stream, void *Event) = 0;
  virtual llvm::Expected<float> elapsedMsImpl(void *Start, void *End) = 0;
  /// Image ends in a NUL byte that is not part of it (for PTX).
  virtual llvm::Expected<void *> loadModuleImpl(llvm::StringRef Image) = 0;
  virtual llvm::Error unloadModuleImpl(void *Module) = 0;
  virtual llvm::Expected<void *> getKernelImpl(void *Module,
                                               llvm::StringRef Name) = 0;
  virtual llvm::Error launchImpl(void *Kernel, Dim3 Grid, Dim3 Block,
                                 void **Args, unsigned SharedBytes,
                                 void *Stream) = 0;
  /// Waits for every stream of the device.
  virtual llvm::Error synchronizeImpl() = 0;
  /// Whether this device can read and write Peer's memory directly (CUDA
  /// peer access), enabling that on the first ask; Peer is another device.
  /// Not pure: a backend without peer copies (and a device of another
  /// backend than Peer's) answers false, and copies between them stage
  /// through host memory.
  virtual llvm::Expected<bool> enablePeerAccessImpl(Device &Peer);
  /// Copies Bytes from Src on Peer to Dst on this device, directly, and
  /// waits for the copy; only called after enablePeerAccessImpl(Peer) and
  /// Peer.enablePeerAccessImpl(*this) both answered true.
  virtual llvm::Error copyFromPeerImpl(DevicePtr Dst, Device &Peer,
                                       DevicePtr Src, uint64_t Bytes);

  llvm::Error checkRange(const DeviceBuffer &Buf, uint64_t Offset,
                         uint64_t Bytes, llvm::StringRef What) const;
  llvm::Error checkStream(const Stream &S, llvm::StringRef What) const;
  llvm::Error checkEvent(const Event &E, llvm::StringRef What,
                         bool MustBeRecorded) const;
  llvm::Error checkModule(ModuleHandle M, llvm::StringRef What) const;

  DeviceInfo Info;
  /// Guards Modules: loadModule and unloadModule may run on several threads.
  mutable std::mutex ModulesLock;
  std::vector<void *> Modules;
};

/// How many devices a backend has; Count 0 is an answer, not an error, and
/// then Reason says why: the error openXxxDevice(0) would give ("no CUDA
/// driver: ...", "no HIP device: ...").
struct DeviceCount {
  unsigned Count = 0;
  std::string Reason;
};

/// The CUDA devices of this machine: 0 with the reason when there is no
/// driver library, no device, or the driver fails to start.
DeviceCount countCudaDevices();

/// Opens CUDA device Ordinal through the driver (libcuda.so.1, dlopen'ed):
/// its primary context, made current on the calling thread. Errors: no
/// driver library, no device, Ordinal out of range, any driver failure.
llvm::Expected<std::unique_ptr<Device>> openCudaDevice(unsigned Ordinal);

/// Opens HIP device Ordinal through the HIP runtime (libamdhip64.so.5, else
/// .so.6, dlopen'ed; $IRC_GPU_HIP_LIBRARY names another) and makes it
/// current on the calling thread. HIP has no explicit contexts: every call
/// selects the device with hipSetDevice (per thread). Errors: no runtime
/// library ("no HIP runtime: ..."), no device ("no HIP device: ..."), Ordinal
/// out of range, any runtime failure.
llvm::Expected<std::unique_ptr<Device>> openHipDevice(unsigned Ordinal);

/// The HIP devices (hip:0 to hip:Count-1). Never an error: no runtime or no
/// device is a count of 0 with the reason.
DeviceCount countHipDevices();

} // namespace ircgpu

#endif
