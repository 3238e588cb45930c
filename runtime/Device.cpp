//===- runtime/Device.cpp - the shared half of the Device interface -------===//
//
// What every backend would otherwise repeat: argument and range checks with
// messages that name the device, making the device current on the calling
// thread before each hook, and the list of loaded modules.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Device.h"

#include "ircgpu/Diagnostics.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;

namespace ircgpu {

std::string DeviceInfo::archName() const {
  return formatv("sm_{0}{1}", ComputeMajor, ComputeMinor).str();
}

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

Error Device::checkModule(ModuleHandle M, StringRef What) const {
  if (!is_contained(Modules, M.Handle))
    return deviceError(name() + ": " + What + ": module not loaded");
  return Error::success();
}

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

Error Device::copyToDevice(const DeviceBuffer &Dst, const void *Src,
                           uint64_t Bytes, uint64_t DstOffset) {
  if (Error E = checkRange(Dst, DstOffset, Bytes, "copy to device"))
    return E;
  if (Bytes == 0)
    return Error::success();
  if (Error E = activateImpl())
    return E;
  return copyToDeviceImpl(Dst.ptr() + DstOffset, Src, Bytes);
}

Error Device::copyToHost(void *Dst, const DeviceBuffer &Src, uint64_t Bytes,
                         uint64_t SrcOffset) {
  if (Error E = checkRange(Src, SrcOffset, Bytes, "copy to host"))
    return E;
  if (Bytes == 0)
    return Error::success();
  if (Error E = activateImpl())
    return E;
  return copyToHostImpl(Dst, Src.ptr() + SrcOffset, Bytes);
}

Error Device::copyOnDevice(const DeviceBuffer &Dst, const DeviceBuffer &Src,
                           uint64_t Bytes) {
  if (Error E = checkRange(Dst, 0, Bytes, "device-to-device copy"))
    return E;
  if (Error E = checkRange(Src, 0, Bytes, "device-to-device copy"))
    return E;
  if (Bytes == 0)
    return Error::success();
  if (Error E = activateImpl())
    return E;
  return copyOnDeviceImpl(Dst.ptr(), Src.ptr(), Bytes);
}

Error Device::memset(const DeviceBuffer &Dst, uint8_t Value, uint64_t Bytes) {
  if (Error E = checkRange(Dst, 0, Bytes, "memset"))
    return E;
  if (Bytes == 0)
    return Error::success();
  if (Error E = activateImpl())
    return E;
  return memsetImpl(Dst.ptr(), Value, Bytes);
}

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
  Modules.push_back(*M);
  return ModuleHandle{*M};
}

Error Device::unloadModule(ModuleHandle M) {
  if (Error E = checkModule(M, "unloading a module"))
    return E;
  erase(Modules, M.Handle);
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
                     unsigned SharedBytes) {
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
  if (Error E = activateImpl())
    return E;
  return launchImpl(K.Handle, Grid, Block, Args, SharedBytes);
}

Error Device::synchronize() {
  if (Error E = activateImpl())
    return E;
  return synchronizeImpl();
}

} // namespace ircgpu
