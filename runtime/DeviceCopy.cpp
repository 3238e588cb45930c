//===- runtime/DeviceCopy.cpp - copies between two devices ----------------===//
//
// copyBetweenDevices (include/ircgpu/Device.h): a direct peer copy where the
// backend can reach the other device's memory, else staged through pinned
// host memory with two buffers, so that reading chunk i+1 from the source
// overlaps writing chunk i to the destination.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Device.h"

#include "ircgpu/Diagnostics.h"

#include <algorithm>

using namespace llvm;

namespace ircgpu {

StringRef copyPathName(CopyPath P) {
  switch (P) {
  case CopyPath::SameDevice:
    return "same-device";
  case CopyPath::Peer:
    return "peer";
  case CopyPath::Staged:
    return "staged";
  }
  return "?";
}

// The defaults: no peer access, so every copy to another device stages.
Expected<bool> Device::enablePeerAccessImpl(Device &) { return false; }

Error Device::copyFromPeerImpl(DevicePtr, Device &Peer, DevicePtr, uint64_t) {
  return make_error<RuntimeError>(name() + ": no peer copies from " +
                                  Peer.name());
}

/// The staged copy: chunk I goes Src -> Pinned[I % 2] on one stream, then
/// Pinned[I % 2] -> Dst on another; before a staging buffer is refilled, the
/// host waits for the Dst copy that last read it. With unified addressing
/// (every 64-bit CUDA platform) pinned memory is pinned for every device, so
/// one allocation serves both copies.
static Error stagedCopy(Device &Dst, const DeviceBuffer &DstBuf,
                        uint64_t DstOffset, Device &Src,
                        const DeviceBuffer &SrcBuf, uint64_t SrcOffset,
                        uint64_t Bytes, uint64_t ChunkBytes) {
  uint64_t Chunk = std::min(ChunkBytes ? ChunkBytes : Bytes, Bytes);
  PinnedBuffer Pinned[2];
  Event Done[2];
  for (unsigned B = 0; B < 2 && B * Chunk < Bytes; ++B) {
    auto P = Src.allocPinned(Chunk);
    if (!P)
      return P.takeError();
    Pinned[B] = std::move(*P);
    auto Ev = Dst.createEvent();
    if (!Ev)
      return Ev.takeError();
    Done[B] = std::move(*Ev);
  }
  auto SrcS = Src.createStream();
  if (!SrcS)
    return SrcS.takeError();
  auto DstS = Dst.createStream();
  if (!DstS)
    return DstS.takeError();

  auto Copy = [&]() -> Error {
    for (uint64_t Off = 0, I = 0; Off < Bytes; ++I) {
      uint64_t N = std::min(Chunk, Bytes - Off);
      unsigned B = I % 2;
      if (Done[B].isRecorded())
        if (Error E = Dst.synchronize(Done[B]))
          return E;
      if (Error E = Src.copyToHostAsync(Pinned[B].data(), SrcBuf, N,
                                        SrcOffset + Off, *SrcS))
        return E;
      if (Error E = Src.synchronize(*SrcS))
        return E;
      if (Error E = Dst.copyToDeviceAsync(DstBuf, Pinned[B].data(), N,
                                          DstOffset + Off, *DstS))
        return E;
      if (Error E = Dst.record(Done[B], *DstS))
        return E;
      Off += N;
    }
    return Error::success();
  };
  Error E = Copy();
  // Even after a failure: the pinned buffers must not be freed while a copy
  // enqueued on DstS may still read them.
  Error Wait = Dst.synchronize(*DstS);
  if (E) {
    consumeError(std::move(Wait));
    return E;
  }
  return Wait;
}

Expected<CopyPath> copyBetweenDevices(Device &Dst, const DeviceBuffer &DstBuf,
                                      uint64_t DstOffset, Device &Src,
                                      const DeviceBuffer &SrcBuf,
                                      uint64_t SrcOffset, uint64_t Bytes,
                                      const CrossCopyOptions &Opts) {
  // Both ranges first: a staged copy must not fail half-way on a range.
  if (Error E = Src.checkRange(SrcBuf, SrcOffset, Bytes,
                               "copy to " + Dst.name() + " (source)"))
    return E;
  if (Error E = Dst.checkRange(DstBuf, DstOffset, Bytes,
                               "copy from " + Src.name() + " (destination)"))
    return E;
  if (&Dst == &Src) {
    if (Error E = Dst.copyOnDeviceAsync(DstBuf, DstOffset, SrcBuf, SrcOffset,
                                        Bytes, Stream()))
      return E;
    if (Bytes)
      if (Error E = Dst.synchronize(Stream()))
        return E;
    return CopyPath::SameDevice;
  }
  CopyPath Path = CopyPath::Staged;
  if (!Opts.ForceStaged) {
    // Both directions: then a copy either way, and a kernel of either
    // device, may touch the other's memory.
    Path = CopyPath::Peer;
    for (auto [A, B] : {std::pair{&Dst, &Src}, std::pair{&Src, &Dst}}) {
      if (Error E = A->activateImpl())
        return E;
      Expected<bool> Ok = A->enablePeerAccessImpl(*B);
      if (!Ok)
        return Ok.takeError();
      if (!*Ok) {
        Path = CopyPath::Staged;
        break;
      }
    }
  }
  if (Bytes == 0)
    return Path;
  if (Path == CopyPath::Peer) {
    if (Error E = Dst.activateImpl())
      return E;
    if (Error E = Dst.copyFromPeerImpl(DstBuf.ptr() + DstOffset, Src,
                                       SrcBuf.ptr() + SrcOffset, Bytes))
      return E;
    return Path;
  }
  if (Error E = stagedCopy(Dst, DstBuf, DstOffset, Src, SrcBuf, SrcOffset,
                           Bytes, Opts.ChunkBytes))
    return E;
  return Path;
}

} // namespace ircgpu
