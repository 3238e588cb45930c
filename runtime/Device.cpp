//===- runtime/Device.cpp - the shared half of the Device interface -------===//
//
// What every backend would otherwise repeat: argument and range checks with
// messages that name the device, making the device current on the calling
// thread before each hook, the handles' ownership, and the list of loaded
// modules.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Device.h"

#include "ircgpu/Diagnostics.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;

namespace ircgpu {

std::string DeviceInfo::archName() const {
  if (!Arch.empty())
    return Arch;
  return formatv("sm_{0}{1}", ComputeMajor, ComputeMinor).str();
}

//===-- handles -----------------------------------------------------------===//

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&O) noexcept {
  if (this != &O) {
    reset();
    Dev = std::exchange(O.Dev, nullptr);
    Ptr = std::exchange(O.Ptr, 0);
    Size = std::exchange(O.Size, 0);
  }
  return *this;
}

void DeviceBuffer::reset() {
  if (Dev)
    consumeError(Dev->free(*this));
}

PinnedBuffer &PinnedBuffer::operator=(PinnedBuffer &&O) noexcept {
  if (this != &O) {
    reset();
    Dev = std::exchange(O.Dev, nullptr);
    Data = std::exchange(O.Data, nullptr);
    Size = std::exchange(O.Size, 0);
  }
  return *this;
}

void PinnedBuffer::reset() {
  if (Dev)
    consumeError(Dev->free(*this));
}

Stream &Stream::operator=(Stream &&O) noexcept {
  if (this != &O) {
    reset();
    Dev = std::exchange(O.Dev, nullptr);
    Native = std::exchange(O.Native, nullptr);
  }
  return *this;
}

void Stream::reset() {
  if (Dev)
    consumeError(Dev->destroyStream(*this));
  Native = nullptr;
}

Event &Event::operator=(Event &&O) noexcept {
  if (this != &O) {
    reset();
    Dev = std::exchange(O.Dev, nullptr);
    Native = std::exchange(O.Native, nullptr);
    Recorded = std::exchange(O.Recorded, false);
  }
  return *this;
}

void Event::reset() {
  if (Dev)
    consumeError(Dev->destroyEvent(*this));
}

//===-- checks ------------------------------------------------------------===//

Device::~Device() = default;

static Error deviceError(const Twine &Msg) {
  return make_error<RuntimeError>(Msg.str());
}

Error Device::checkRange(const DeviceBuffer &Buf, uint64_t Offset,
                         uint64_t Bytes, StringRef What) const {
  if (!Buf)
    return deviceError(name() + ": " + What + ": empty buffer");
  if (Buf.Dev != this)
    return deviceError(name() + ": " + What +
                       ": the buffer belongs to another device");
  // Written so that Offset + Bytes cannot overflow.
  if (Offset > Buf.size() || Bytes > Buf.size() - Offset)
    return deviceError(formatv("{0}: {1}: bytes [{2}, {2}+{3}) outside a "
                               "buffer of {4} bytes",
                               name(), What, Offset, Bytes, Buf.size())
                           .str());
  return Error::success();
}

Error Device::checkStream(const Stream &S, StringRef What) const {
  // A borrowed stream cannot be checked: the driver will refuse one of
  // another context.
  if (S.Dev && S.Dev != this)
    return deviceError(name() + ": " + What +
                       ": the stream belongs to another device");
  return Error::success();
}

Error Device::checkEvent(const Event &E, StringRef What,
                         bool MustBeRecorded) const {
  if (!E)
    return deviceError(name() + ": " + What + ": empty event");
  if (E.Dev != this)
    return deviceError(name() + ": " + What +
                       ": the event belongs to another device");
  if (MustBeRecorded && !E.Recorded)
    return deviceError(name() + ": " + What + ": an event never recorded");
  return Error::success();
}

Error Device::checkModule(ModuleHandle M, StringRef What) const {
  std::lock_guard<std::mutex> Lock(ModulesLock);
  if (!is_contained(Modules, M.Handle))
    return deviceError(name() + ": " + What + ": module not loaded");
  return Error::success();
}

static Error checkHostPtr(const Device &D, const void *P, uint64_t Bytes,
                          StringRef What) {
  if (!P && Bytes)
    return deviceError(D.name() + ": " + What + ": null host pointer");
  return Error::success();
}

//===-- memory ------------------------------------------------------------===//

Expected<DeviceBuffer> Device::alloc(uint64_t Bytes) {
  if (Bytes == 0)
    return deviceError(name() + ": allocating 0 bytes");
  if (Error E = activateImpl())
    return E;
  Expected<DevicePtr> P = allocImpl(Bytes);
  if (!P)
    return P.takeError();
  return DeviceBuffer(this, *P, Bytes);
}

Error Device::free(DeviceBuffer &Buf) {
  if (!Buf)
    return Error::success();
  if (Buf.Dev != this)
    return deviceError(name() + ": freeing a buffer of another device");
  DevicePtr P = Buf.Ptr;
  // Empty the handle first: a failed free must not be retried by ~DeviceBuffer.
  Buf.Dev = nullptr;
  Buf.Ptr = 0;
  Buf.Size = 0;
  if (Error E = activateImpl())
    return E;
  return freeImpl(P);
}

Expected<PinnedBuffer> Device::allocPinned(uint64_t Bytes) {
  if (Bytes == 0)
    return deviceError(name() + ": allocating 0 bytes of pinned memory");
  if (Error E = activateImpl())
    return E;
  Expected<void *> P = allocPinnedImpl(Bytes);
  if (!P)
    return P.takeError();
  return PinnedBuffer(this, *P, Bytes);
}

Error Device::free(PinnedBuffer &Buf) {
  if (!Buf)
    return Error::success();
  if (Buf.Dev != this)
    return deviceError(name() + ": freeing pinned memory of another device");
  void *P = Buf.Data;
  Buf.Dev = nullptr;
  Buf.Data = nullptr;
  Buf.Size = 0;
  if (Error E = activateImpl())
    return E;
  return freePinnedImpl(P);
}

// The synchronous copies are the async ones on the default stream followed by
// a wait for that stream: the order the driver's synchronous copies keep, and
// one hook per kind of copy instead of two.

Error Device::copyToDevice(const DeviceBuffer &Dst, const void *Src,
                           uint64_t Bytes, uint64_t DstOffset) {
  if (Error E = copyToDeviceAsync(Dst, Src, Bytes, DstOffset, Stream()))
    return E;
  return Bytes ? synchronize(Stream()) : Error::success();
}

Error Device::copyToHost(void *Dst, const DeviceBuffer &Src, uint64_t Bytes,
                         uint64_t SrcOffset) {
  if (Error E = copyToHostAsync(Dst, Src, Bytes, SrcOffset, Stream()))
    return E;
  return Bytes ? synchronize(Stream()) : Error::success();
}

Error Device::copyOnDevice(const DeviceBuffer &Dst, const DeviceBuffer &Src,
                           uint64_t Bytes) {
  if (Error E = copyOnDeviceAsync(Dst, 0, Src, 0, Bytes, Stream()))
    return E;
  return Bytes ? synchronize(Stream()) : Error::success();
}

Error Device::memset(const DeviceBuffer &Dst, uint8_t Value, uint64_t Bytes) {
  if (Error E = memsetAsync(Dst, Value, Bytes, Stream()))
    return E;
  return Bytes ? synchronize(Stream()) : Error::success();
}

Error Device::copyToDeviceAsync(const DeviceBuffer &Dst, const void *Src,
                                uint64_t Bytes, uint64_t DstOffset,
                                const Stream &S) {
  StringRef What = "copy to device";
  if (Error E = checkRange(Dst, DstOffset, Bytes, What))
    return E;
  if (Error E = checkHostPtr(*this, Src, Bytes, What))
    return E;
  if (Error E = checkStream(S, What))
    return E;
  if (Bytes == 0)
    return Error::success();
  if (Error E = activateImpl())
    return E;
  return copyToDeviceImpl(Dst.ptr() + DstOffset, Src, Bytes, S.native());
}

Error Device::copyToHostAsync(void *Dst, const DeviceBuffer &Src,
                              uint64_t Bytes, uint64_t SrcOffset,
                              const Stream &S) {
  StringRef What = "copy to host";
  if (Error E = checkRange(Src, SrcOffset, Bytes, What))
    return E;
  if (Error E = checkHostPtr(*this, Dst, Bytes, What))
    return E;
  if (Error E = checkStream(S, What))
    return E;
  if (Bytes == 0)
    return Error::success();
  if (Error E = activateImpl())
    return E;
  return copyToHostImpl(Dst, Src.ptr() + SrcOffset, Bytes, S.native());
}

Error Device::copyOnDeviceAsync(const DeviceBuffer &Dst, uint64_t DstOffset,
                                const DeviceBuffer &Src, uint64_t SrcOffset,
                                uint64_t Bytes, const Stream &S) {
  StringRef What = "device-to-device copy";
  if (Error E = checkRange(Dst, DstOffset, Bytes, What))
    return E;
  if (Error E = checkRange(Src, SrcOffset, Bytes, What))
    return E;
  if (Error E = checkStream(S, What))
    return E;
  if (Bytes == 0)
    return Error::success();
  // Both ranges are inside the buffer, so the sums cannot overflow.
  if (Dst.ptr() == Src.ptr() && DstOffset < SrcOffset + Bytes &&
      SrcOffset < DstOffset + Bytes)
    return deviceError(formatv("{0}: {1}: bytes [{2}, {2}+{4}) and [{3}, "
                               "{3}+{4}) of one buffer overlap",
                               name(), What, DstOffset, SrcOffset, Bytes)
                           .str());
  if (Error E = activateImpl())
    return E;
  return copyOnDeviceImpl(Dst.ptr() + DstOffset, Src.ptr() + SrcOffset, Bytes,
                          S.native());
}

Error Device::memsetAsync(const DeviceBuffer &Dst, uint8_t Value,
                          uint64_t Bytes, const Stream &S) {
  if (Error E = checkRange(Dst, 0, Bytes, "memset"))
    return E;
  if (Error E = checkStream(S, "memset"))
    return E;
  if (Bytes == 0)
    return Error::success();
  if (Error E = activateImpl())
    return E;
  return memsetImpl(Dst.ptr(), Value, Bytes, S.native());
}

Error Device::copyToDeviceAsync(DevicePtr Dst, const void *Src, uint64_t Bytes,
                                const Stream &S) {
  StringRef What = "copy to device";
  if (!Dst && Bytes)
    return deviceError(name() + ": " + What + ": null device pointer");
  if (Error E = checkHostPtr(*this, Src, Bytes, What))
    return E;
  if (Error E = checkStream(S, What))
    return E;
  if (Bytes == 0)
    return Error::success();
  if (Error E = activateImpl())
    return E;
  return copyToDeviceImpl(Dst, Src, Bytes, S.native());
}

Error Device::copyToHostAsync(void *Dst, DevicePtr Src, uint64_t Bytes,
                              const Stream &S) {
  StringRef What = "copy to host";
  if (!Src && Bytes)
    return deviceError(name() + ": " + What + ": null device pointer");
  if (Error E = checkHostPtr(*this, Dst, Bytes, What))
    return E;
  if (Error E = checkStream(S, What))
    return E;
  if (Bytes == 0)
    return Error::success();
  if (Error E = activateImpl())
    return E;
  return copyToHostImpl(Dst, Src, Bytes, S.native());
}

//===-- streams and events ------------------------------------------------===//

Expected<Stream> Device::createStream() {
  if (Error E = activateImpl())
    return E;
  Expected<void *> S = createStreamImpl();
  if (!S)
    return S.takeError();
  return Stream(this, *S);
}

Error Device::destroyStream(Stream &S) {
  if (!S.Dev) {
    // Borrowed or default: not ours to destroy.
    S.Native = nullptr;
    return Error::success();
  }
  if (S.Dev != this)
    return deviceError(name() + ": destroying a stream of another device");
  void *Native = S.Native;
  // Empty the handle first: a failed destroy must not be retried by ~Stream.
  S.Dev = nullptr;
  S.Native = nullptr;
  if (Error E = activateImpl())
    return E;
  return destroyStreamImpl(Native);
}

Error Device::synchronize(const Stream &S) {
  if (Error E = checkStream(S, "synchronizing a stream"))
    return E;
  if (Error E = activateImpl())
    return E;
  return synchronizeStreamImpl(S.native());
}

Expected<Event> Device::createEvent() {
  if (Error E = activateImpl())
    return E;
  Expected<void *> Ev = createEventImpl();
  if (!Ev)
    return Ev.takeError();
  return Event(this, *Ev);
}

Error Device::destroyEvent(Event &Ev) {
  if (!Ev)
    return Error::success();
  if (Ev.Dev != this)
    return deviceError(name() + ": destroying an event of another device");
  void *Native = Ev.Native;
  Ev.Dev = nullptr;
  Ev.Native = nullptr;
  Ev.Recorded = false;
  if (Error E = activateImpl())
    return E;
  return destroyEventImpl(Native);
}

Error Device::record(Event &Ev, const Stream &S) {
  if (Error E = checkEvent(Ev, "recording an event", false))
    return E;
  if (Error E = checkStream(S, "recording an event"))
    return E;
  if (Error E = activateImpl())
    return E;
  if (Error E = recordEventImpl(Ev.Native, S.native()))
    return E;
  Ev.Recorded = true;
  return Error::success();
}

Error Device::synchronize(const Event &Ev) {
  if (Error E = checkEvent(Ev, "waiting for an event", false))
    return E;
  if (Error E = activateImpl())
    return E;
  return synchronizeEventImpl(Ev.Native);
}

Error Device::waitEvent(const Stream &S, const Event &Ev) {
  StringRef What = "making a stream wait for an event";
  if (Error E = checkEvent(Ev, What, false))
    return E;
  if (Error E = checkStream(S, What))
    return E;
  if (Error E = activateImpl())
    return E;
  return waitEventImpl(S.native(), Ev.Native);
}

Expected<float> Device::elapsedMs(const Event &Start, const Event &End) {
  StringRef What = "timing events";
  if (Error E = checkEvent(Start, What, true))
    return E;
  if (Error E = checkEvent(End, What, true))
    return E;
  if (Error E = activateImpl())
    return E;
  // The driver answers "not ready" until End completes; every caller would
  // otherwise wait for it first.
  if (Error E = synchronizeEventImpl(End.Native))
    return E;
  return elapsedMsImpl(Start.Native, End.Native);
}

//===-- modules and launch ------------------------------------------------===//

Expected<ModuleHandle> Device::loadModule(StringRef Image) {
  if (Image.empty())
    return deviceError(name() + ": loading an empty module image");
  if (Error E = activateImpl())
    return E;
  // The driver reads PTX up to a NUL; a cubin carries its own size, so the
  // extra byte is harmless there.
  std::string Copy;
  Copy.reserve(Image.size() + 1);
  Copy.append(Image.data(), Image.size());
  Expected<void *> M = loadModuleImpl(StringRef(Copy.c_str(), Image.size()));
  if (!M)
    return M.takeError();
  std::lock_guard<std::mutex> Lock(ModulesLock);
  Modules.push_back(*M);
  return ModuleHandle{*M};
}

Error Device::unloadModule(ModuleHandle M) {
  {
    // Checked and erased under one lock: two threads unloading the same
    // module must not both reach the driver.
    std::lock_guard<std::mutex> Lock(ModulesLock);
    auto It = find(Modules, M.Handle);
    if (It == Modules.end())
      return deviceError(name() + ": unloading a module: module not loaded");
    Modules.erase(It);
  }
  if (Error E = activateImpl())
    return E;
  return unloadModuleImpl(M.Handle);
}

Expected<KernelHandle> Device::getKernel(ModuleHandle M, StringRef Name) {
  if (Error E = checkModule(M, "looking up kernel '" + Name.str() + "'"))
    return E;
  if (Error E = activateImpl())
    return E;
  Expected<void *> K = getKernelImpl(M.Handle, Name);
  if (!K)
    return K.takeError();
  return KernelHandle{*K};
}

Error Device::launch(KernelHandle K, Dim3 Grid, Dim3 Block, void **Args,
                     unsigned SharedBytes, const Stream &S) {
  if (!K.Handle)
    return deviceError(name() + ": launching a null kernel");
  if (!Grid.X || !Grid.Y || !Grid.Z || !Block.X || !Block.Y || !Block.Z)
    return deviceError(formatv("{0}: launch with an empty grid ({1}x{2}x{3}) "
                               "or block ({4}x{5}x{6})",
                               name(), Grid.X, Grid.Y, Grid.Z, Block.X, Block.Y,
                               Block.Z)
                           .str());
  uint64_t Threads = uint64_t(Block.X) * Block.Y * Block.Z;
  if (Info.MaxThreadsPerBlock > 0 &&
      Threads > uint64_t(Info.MaxThreadsPerBlock))
    return deviceError(formatv("{0}: launch with {1} threads per block, more "
                               "than the device's {2}",
                               name(), Threads, Info.MaxThreadsPerBlock)
                           .str());
  // The driver answers CUDA_ERROR_INVALID_VALUE for all of these, without
  // saying which limit was passed.
  auto Exceeds = [](Dim3 D, Dim3 Max) {
    return (Max.X && D.X > Max.X) || (Max.Y && D.Y > Max.Y) ||
           (Max.Z && D.Z > Max.Z);
  };
  if (Exceeds(Block, Info.MaxBlockDim))
    return deviceError(formatv("{0}: launch with a block of {1}x{2}x{3}, "
                               "larger than the device's {4}x{5}x{6}",
                               name(), Block.X, Block.Y, Block.Z,
                               Info.MaxBlockDim.X, Info.MaxBlockDim.Y,
                               Info.MaxBlockDim.Z)
                           .str());
  if (Exceeds(Grid, Info.MaxGridDim))
    return deviceError(formatv("{0}: launch with a grid of {1}x{2}x{3}, "
                               "larger than the device's {4}x{5}x{6}",
                               name(), Grid.X, Grid.Y, Grid.Z,
                               Info.MaxGridDim.X, Info.MaxGridDim.Y,
                               Info.MaxGridDim.Z)
                           .str());
  if (Info.MaxSharedMemoryPerBlockOptin > 0 &&
      SharedBytes > unsigned(Info.MaxSharedMemoryPerBlockOptin))
    return deviceError(formatv("{0}: launch with {1} bytes of shared memory, "
                               "more than the device's {2} per block",
                               name(), SharedBytes,
                               Info.MaxSharedMemoryPerBlockOptin)
                           .str());
  if (Error E = checkStream(S, "launching a kernel"))
    return E;
  if (Error E = activateImpl())
    return E;
  return launchImpl(K.Handle, Grid, Block, Args, SharedBytes, S.native());
}

Error Device::synchronize() {
  if (Error E = activateImpl())
    return E;
  return synchronizeImpl();
}

} // namespace ircgpu
