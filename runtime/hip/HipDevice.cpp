//===- runtime/hip/HipDevice.cpp - Device over the HIP runtime API --------===//
//
// One AMD GPU through the HIP runtime. HIP has no contexts to hold: a thread
// selects a device with hipSetDevice, and the runtime keeps one implicit
// context per device, shared with every other HIP library in the process
// (rocBLAS, PyTorch), so buffers can be exchanged with them. Every runtime
// status goes through check().
//
// Without an AMD GPU (every machine of this project so far) none of this
// runs past openHipDevice, which answers "no HIP device"; the unit and lit
// tests check that, and the code below is the CUDA backend's, call for call.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Device.h"

#include "ircgpu/Diagnostics.h"
#include "runtime/hip/HipDriver.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstdint>
#include <cstring>

using namespace llvm;

namespace ircgpu {
namespace {

using namespace hip;

class HipDevice final : public Device {
public:
  HipDevice(const HipDriver &D, unsigned Ordinal, DeviceInfo Info)
      : Device(std::move(Info)), D(D), Ordinal(Ordinal) {}
  ~HipDevice() override;

  std::string name() const override { return "hip:" + std::to_string(Ordinal); }

private:
  Error chk(hipError_t R, const Twine &What) const {
    return check(D, R, name() + ": " + What);
  }

  Error activateImpl() override {
    // Per thread and cheap (a thread-local store in the runtime), as
    // cuCtxSetCurrent is for CUDA.
    return chk(D.hipSetDevice(int(Ordinal)), "selecting the device");
  }
  Expected<DevicePtr> allocImpl(uint64_t Bytes) override {
    void *P = nullptr;
    if (Error E =
            chk(D.hipMalloc(&P, Bytes), formatv("allocating {0} bytes", Bytes)))
      return E;
    return DevicePtr(reinterpret_cast<uintptr_t>(P));
  }
  Error freeImpl(DevicePtr P) override {
    return chk(D.hipFree(ptr(P)), "freeing device memory");
  }
  Expected<void *> allocPinnedImpl(uint64_t Bytes) override {
    void *P = nullptr;
    if (Error E = chk(D.hipHostMalloc(&P, Bytes, hipHostMallocDefault),
                      formatv("allocating {0} bytes of pinned memory", Bytes)))
      return E;
    return P;
  }
  Error freePinnedImpl(void *P) override {
    return chk(D.hipHostFree(P), "freeing pinned memory");
  }
  Error copyToDeviceImpl(DevicePtr Dst, const void *Src, uint64_t Bytes,
                         void *S) override {
    // HIP's source is a non-const void * (a CUDA-compatibility accident);
    // it only reads it.
    return chk(D.hipMemcpyHtoDAsync(ptr(Dst), const_cast<void *>(Src), Bytes,
                                    stream(S)),
               formatv("copying {0} bytes to the device", Bytes));
  }
  Error copyToHostImpl(void *Dst, DevicePtr Src, uint64_t Bytes,
                       void *S) override {
    return chk(D.hipMemcpyDtoHAsync(Dst, ptr(Src), Bytes, stream(S)),
               formatv("copying {0} bytes to the host", Bytes));
  }
  Error copyOnDeviceImpl(DevicePtr Dst, DevicePtr Src, uint64_t Bytes,
                         void *S) override {
    return chk(D.hipMemcpyDtoDAsync(ptr(Dst), ptr(Src), Bytes, stream(S)),
               formatv("copying {0} bytes on the device", Bytes));
  }
  Error memsetImpl(DevicePtr Dst, uint8_t Value, uint64_t Bytes,
                   void *S) override {
    return chk(D.hipMemsetD8Async(ptr(Dst), Value, Bytes, stream(S)),
               formatv("setting {0} bytes", Bytes));
  }

  Expected<void *> createStreamImpl() override {
    hipStream_t S = nullptr;
    // Non-blocking, as on CUDA: a VM's work on the null stream must not
    // serialize with ours, nor ours with it.
    if (Error E = chk(D.hipStreamCreateWithFlags(&S, hipStreamNonBlocking),
                      "creating a stream"))
      return E;
    return static_cast<void *>(S);
  }
  Error destroyStreamImpl(void *S) override {
    return chk(D.hipStreamDestroy(stream(S)), "destroying a stream");
  }
  Error synchronizeStreamImpl(void *S) override {
    return chk(D.hipStreamSynchronize(stream(S)), "synchronizing a stream");
  }
  Expected<void *> createEventImpl() override {
    hipEvent_t Ev = nullptr;
    if (Error E = chk(D.hipEventCreateWithFlags(&Ev, hipEventDefault),
                      "creating an event"))
      return E;
    return static_cast<void *>(Ev);
  }
  Error destroyEventImpl(void *Ev) override {
    return chk(D.hipEventDestroy(event(Ev)), "destroying an event");
  }
  Error recordEventImpl(void *Ev, void *S) override {
    return chk(D.hipEventRecord(event(Ev), stream(S)), "recording an event");
  }
  Error synchronizeEventImpl(void *Ev) override {
    return chk(D.hipEventSynchronize(event(Ev)), "waiting for an event");
  }
  Error waitEventImpl(void *S, void *Ev) override {
    return chk(D.hipStreamWaitEvent(stream(S), event(Ev), 0),
               "making a stream wait for an event");
  }
  Expected<float> elapsedMsImpl(void *Start, void *End) override {
    float Ms = 0;
    if (Error E = chk(D.hipEventElapsedTime(&Ms, event(Start), event(End)),
                      "timing events"))
      return E;
    return Ms;
  }

  Expected<void *> loadModuleImpl(StringRef Image) override {
    // Image is an HSA code object (ELF) or an offload bundle of them; the
    // runtime reads its size from the ELF headers. There is no JIT, hence no
    // log: a code object for another architecture fails with
    // hipErrorNoBinaryForGpu or hipErrorInvalidImage.
    if (Error E = checkCodeObject(Image))
      return make_error<RuntimeError>(name() + ": " + toString(std::move(E)));
    hipModule_t M = nullptr;
    if (Error E = chk(D.hipModuleLoadData(&M, Image.data()),
                      formatv("loading a module of {0} bytes", Image.size())))
      return E;
    return static_cast<void *>(M);
  }
  Error unloadModuleImpl(void *M) override {
    return chk(D.hipModuleUnload(static_cast<hipModule_t>(M)),
               "unloading a module");
  }
  Expected<void *> getKernelImpl(void *M, StringRef Name) override {
    hipFunction_t F = nullptr;
    std::string N = Name.str();
    if (Error E = chk(
            D.hipModuleGetFunction(&F, static_cast<hipModule_t>(M), N.c_str()),
            "looking up kernel '" + N + "'"))
      return E;
    return static_cast<void *>(F);
  }
  Error launchImpl(void *K, Dim3 Grid, Dim3 Block, void **Args,
                   unsigned SharedBytes, void *S) override {
    // Grid in blocks, as cuLaunchKernel (not in work-items, as HSA's
    // dispatch packet): hipModuleLaunchKernel converts.
    return chk(D.hipModuleLaunchKernel(static_cast<hipFunction_t>(K), Grid.X,
                                       Grid.Y, Grid.Z, Block.X, Block.Y,
                                       Block.Z, SharedBytes, stream(S), Args,
                                       /*extra=*/nullptr),
               formatv("launching a kernel on a {0}x{1}x{2} grid of "
                       "{3}x{4}x{5} blocks",
                       Grid.X, Grid.Y, Grid.Z, Block.X, Block.Y, Block.Z));
  }
  Error synchronizeImpl() override {
    return chk(D.hipDeviceSynchronize(), "synchronizing");
  }

  static void *ptr(DevicePtr P) { return reinterpret_cast<void *>(P); }
  static hipStream_t stream(void *S) { return static_cast<hipStream_t>(S); }
  static hipEvent_t event(void *E) { return static_cast<hipEvent_t>(E); }

  const HipDriver &D;
  unsigned Ordinal;
};

HipDevice::~HipDevice() {
  // Failures here mean a device already broken and reported. The runtime's
  // implicit context outlives us: other HIP users in the process share it.
  if (D.hipSetDevice(int(Ordinal)) == hipSuccess)
    for (void *M : loadedModules())
      (void)D.hipModuleUnload(static_cast<hipModule_t>(M));
}

/// The device count, or why there is none. hipGetDeviceCount answers
/// hipErrorNoDevice without an AMD GPU (ROCm 5.2, checked with no /dev/kfd:
/// at once, printing nothing); it is asked before hipInit, which there
/// answers the less telling hipErrorInvalidDevice.
Expected<unsigned> countDevices(const HipDriver &D) {
  int Count = 0;
  if (Error E = check(D, D.hipGetDeviceCount(&Count),
                      "no HIP device: counting devices"))
    return E;
  if (Count <= 0)
    return make_error<RuntimeError>("no HIP device: the runtime reports 0");
  return unsigned(Count);
}

Error queryInfo(const HipDriver &D, unsigned Ordinal, DeviceInfo &Info) {
  // Room past the struct in case a runtime writes a longer one than the 5.x
  // layout it promises; zeroed so that unset names read as empty.
  struct {
    HipDeviceProps P;
    char Slack[4096];
  } Buf{};
  const HipDeviceProps &P = Buf.P;
  if (Error E = check(D, D.hipGetDeviceProperties(&Buf.P, int(Ordinal)),
                      formatv("hip:{0}: querying the device", Ordinal)))
    return E;
  Info.Name = std::string(P.name, strnlen(P.name, sizeof(P.name)));
  Info.Arch = archFromGcnArchName(
      StringRef(P.gcnArchName, strnlen(P.gcnArchName, sizeof(P.gcnArchName))));
  if (!StringRef(Info.Arch).starts_with("gfx"))
    return make_error<RuntimeError>(
        formatv("hip:{0}: the runtime reports no gfx architecture (gcnArchName "
                "'{1}')",
                Ordinal, Info.Arch)
            .str());
  if (Info.Name.empty())
    Info.Name = "AMD " + Info.Arch;
  // HIP's major.minor is an approximation of a CUDA compute capability;
  // kept for messages, never used to pick code (Arch does that).
  Info.ComputeMajor = P.major;
  Info.ComputeMinor = P.minor;
  Info.TotalMemory = P.totalGlobalMem;
  Info.MultiProcessorCount = P.multiProcessorCount;
  Info.MaxThreadsPerBlock = P.maxThreadsPerBlock;
  Info.MaxBlockDim = {unsigned(P.maxThreadsDim[0]),
                      unsigned(P.maxThreadsDim[1]),
                      unsigned(P.maxThreadsDim[2])};
  Info.MaxGridDim = {unsigned(P.maxGridSize[0]), unsigned(P.maxGridSize[1]),
                     unsigned(P.maxGridSize[2])};
  // 64 on CDNA (gfx9), 32 on RDNA (gfx10+) where HIP runs wave32.
  Info.WarpSize = P.warpSize;
  // AMD has no opt-in: a work-group may use all of its LDS (64 KiB) without
  // asking, so the opt-in limit is the plain one.
  Info.MaxSharedMemoryPerBlock = int(P.sharedMemPerBlock);
  Info.MaxSharedMemoryPerBlockOptin = int(P.sharedMemPerBlock);
  Info.L2CacheBytes = uint64_t(P.l2CacheSize > 0 ? P.l2CacheSize : 0);
  Info.ClockRateKHz = P.clockRate;
  Info.MemoryClockRateKHz = P.memoryClockRate;
  Info.MemoryBusWidthBits = P.memoryBusWidth;
  return Error::success();
}

} // namespace

DeviceCount countHipDevices() {
  DeviceCount C;
  Expected<const HipDriver &> D = loadHipDriver();
  if (!D) {
    C.Reason = "no HIP device: " + toString(D.takeError());
    return C;
  }
  Expected<unsigned> N = countDevices(*D);
  if (!N) {
    C.Reason = toString(N.takeError());
    return C;
  }
  C.Count = *N;
  return C;
}

Expected<std::unique_ptr<Device>> openHipDevice(unsigned Ordinal) {
  Expected<const HipDriver &> DOrErr = loadHipDriver();
  if (!DOrErr)
    return make_error<RuntimeError>("no HIP device: " +
                                    toString(DOrErr.takeError()));
  const HipDriver &D = *DOrErr;
  Expected<unsigned> Count = countDevices(D);
  if (!Count)
    return Count.takeError();
  if (Ordinal >= *Count)
    return make_error<RuntimeError>(
        formatv("no HIP device {0}: this machine has {1} (hip:0 to hip:{2})",
                Ordinal, *Count, *Count - 1)
            .str());
  if (Error E = check(D, D.hipInit(0), "initializing the HIP runtime"))
    return E;
  DeviceInfo Info;
  if (Error E = queryInfo(D, Ordinal, Info))
    return E;
  if (Error E = check(D, D.hipSetDevice(int(Ordinal)),
                      formatv("hip:{0}: selecting the device", Ordinal)))
    return E;
  return std::make_unique<HipDevice>(D, Ordinal, std::move(Info));
}

} // namespace ircgpu
