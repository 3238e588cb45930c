//===- runtime/cuda/CudaDevice.cpp - Device over the CUDA driver API ------===//
//
// One CUDA device through its primary context, the one the CUDA runtime and
// every other library in the process (CuPy, PyTorch) share, so that buffers
// can be exchanged with them. Every driver status goes through check().
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Device.h"

#include "ircgpu/Diagnostics.h"
#include "runtime/cuda/CudaDriver.h"

#include "llvm/Support/FormatVariadic.h"

#include <iterator>
#include <mutex>
#include <utility>
#include <vector>

using namespace llvm;

namespace ircgpu {
namespace {

using namespace cuda;

class CudaDevice final : public Device {
public:
  CudaDevice(const CudaDriver &D, unsigned Ordinal, CUdevice Dev, CUcontext Ctx,
             DeviceInfo Info)
      : Device(std::move(Info)), D(D), Ordinal(Ordinal), Dev(Dev), Ctx(Ctx) {}
  ~CudaDevice() override;

  std::string name() const override {
    return "cuda:" + std::to_string(Ordinal);
  }

private:
  Error chk(CUresult R, const Twine &What, StringRef Log = {}) const {
    return check(D, R, name() + ": " + What, Log);
  }

  Error activateImpl() override {
    // Cheap (a thread-local store in the driver), and it makes every thread
    // that uses the device work without a separate "bind" call.
    return chk(D.cuCtxSetCurrent(Ctx), "making the context current");
  }
  Expected<DevicePtr> allocImpl(uint64_t Bytes) override {
    CUdeviceptr P = 0;
    if (Error E = chk(D.cuMemAlloc(&P, Bytes),
                      formatv("allocating {0} bytes", Bytes)))
      return E;
    return DevicePtr(P);
  }
  Error freeImpl(DevicePtr P) override {
    return chk(D.cuMemFree(P), "freeing device memory");
  }
  Expected<void *> allocPinnedImpl(uint64_t Bytes) override {
    void *P = nullptr;
    if (Error E = chk(D.cuMemAllocHost(&P, Bytes),
                      formatv("allocating {0} bytes of pinned memory", Bytes)))
      return E;
    return P;
  }
  Error freePinnedImpl(void *P) override {
    return chk(D.cuMemFreeHost(P), "freeing pinned memory");
  }
  Error copyToDeviceImpl(DevicePtr Dst, const void *Src, uint64_t Bytes,
                         void *S) override {
    return chk(D.cuMemcpyHtoDAsync(Dst, Src, Bytes, stream(S)),
               formatv("copying {0} bytes to the device", Bytes));
  }
  Error copyToHostImpl(void *Dst, DevicePtr Src, uint64_t Bytes,
                       void *S) override {
    return chk(D.cuMemcpyDtoHAsync(Dst, Src, Bytes, stream(S)),
               formatv("copying {0} bytes to the host", Bytes));
  }
  Error copyOnDeviceImpl(DevicePtr Dst, DevicePtr Src, uint64_t Bytes,
                         void *S) override {
    return chk(D.cuMemcpyDtoDAsync(Dst, Src, Bytes, stream(S)),
               formatv("copying {0} bytes on the device", Bytes));
  }
  Error memsetImpl(DevicePtr Dst, uint8_t Value, uint64_t Bytes,
                   void *S) override {
    return chk(D.cuMemsetD8Async(Dst, Value, Bytes, stream(S)),
               formatv("setting {0} bytes", Bytes));
  }

  Expected<void *> createStreamImpl() override {
    CUstream S = nullptr;
    // Non-blocking: a VM's work on the legacy default stream must not
    // serialize with ours, nor ours with it.
    if (Error E = chk(D.cuStreamCreate(&S, CU_STREAM_NON_BLOCKING),
                      "creating a stream"))
      return E;
    return static_cast<void *>(S);
  }
  Error destroyStreamImpl(void *S) override {
    return chk(D.cuStreamDestroy(stream(S)), "destroying a stream");
  }
  Error synchronizeStreamImpl(void *S) override {
    return chk(D.cuStreamSynchronize(stream(S)), "synchronizing a stream");
  }
  Expected<void *> createEventImpl() override {
    CUevent Ev = nullptr;
    if (Error E =
            chk(D.cuEventCreate(&Ev, CU_EVENT_DEFAULT), "creating an event"))
      return E;
    return static_cast<void *>(Ev);
  }
  Error destroyEventImpl(void *Ev) override {
    return chk(D.cuEventDestroy(event(Ev)), "destroying an event");
  }
  Error recordEventImpl(void *Ev, void *S) override {
    return chk(D.cuEventRecord(event(Ev), stream(S)), "recording an event");
  }
  Error synchronizeEventImpl(void *Ev) override {
    return chk(D.cuEventSynchronize(event(Ev)), "waiting for an event");
  }
  Error waitEventImpl(void *S, void *Ev) override {
    return chk(D.cuStreamWaitEvent(stream(S), event(Ev), 0),
               "making a stream wait for an event");
  }
  Expected<float> elapsedMsImpl(void *Start, void *End) override {
    float Ms = 0;
    if (Error E = chk(D.cuEventElapsedTime(&Ms, event(Start), event(End)),
                      "timing events"))
      return E;
    return Ms;
  }

  Expected<void *> loadModuleImpl(StringRef Image) override {
    // Without its log, a PTX the JIT refuses is only CUDA_ERROR_INVALID_PTX;
    // the log names the line. The driver writes at most the buffer's size,
    // NUL included, and cuts the rest. A cubin (ELF) takes the same call;
    // the JIT options are ignored for it.
    std::vector<char> Log(16 * 1024, '\0');
    CUjit_option Opts[] = {CU_JIT_ERROR_LOG_BUFFER,
                           CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *Vals[] = {Log.data(),
                    reinterpret_cast<void *>(uintptr_t(Log.size() - 1))};
    CUmodule M = nullptr;
    CUresult R =
        D.cuModuleLoadDataEx(&M, Image.data(), std::size(Opts), Opts, Vals);
    if (Error E = chk(R, formatv("loading a module of {0} bytes", Image.size()),
                      StringRef(Log.data())))
      return E;
    return static_cast<void *>(M);
  }
  Error unloadModuleImpl(void *M) override {
    return chk(D.cuModuleUnload(static_cast<CUmodule>(M)),
               "unloading a module");
  }
  Expected<void *> getKernelImpl(void *M, StringRef Name) override {
    CUfunction F = nullptr;
    std::string N = Name.str();
    if (Error E =
            chk(D.cuModuleGetFunction(&F, static_cast<CUmodule>(M), N.c_str()),
                "looking up kernel '" + N + "'"))
      return E;
    return static_cast<void *>(F);
  }
  Error launchImpl(void *K, Dim3 Grid, Dim3 Block, void **Args,
                   unsigned SharedBytes, void *S) override {
    return chk(D.cuLaunchKernel(static_cast<CUfunction>(K), Grid.X, Grid.Y,
                                Grid.Z, Block.X, Block.Y, Block.Z, SharedBytes,
                                stream(S), Args, /*extra=*/nullptr),
               formatv("launching a kernel on a {0}x{1}x{2} grid of "
                       "{3}x{4}x{5} blocks",
                       Grid.X, Grid.Y, Grid.Z, Block.X, Block.Y, Block.Z));
  }
  Error synchronizeImpl() override {
    return chk(D.cuCtxSynchronize(), "synchronizing");
  }

  Expected<bool> enablePeerAccessImpl(Device &PeerDev) override {
    auto *Peer = dynamic_cast<CudaDevice *>(&PeerDev);
    if (!Peer) // another backend's device: only staged copies
      return false;
    std::lock_guard<std::mutex> Lock(PeersLock);
    for (auto [Ctx, Ok] : Peers)
      if (Ctx == Peer->Ctx)
        return Ok;
    int Can = 0;
    if (Error E = chk(D.cuDeviceCanAccessPeer(&Can, Dev, Peer->Dev),
                      "asking for peer access to " + Peer->name()))
      return E;
    if (Can) {
      // Enabled per context pair for the process's life; another library
      // sharing the primary context may have enabled it already.
      CUresult R = D.cuCtxEnablePeerAccess(Peer->Ctx, 0);
      if (R != CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED)
        if (Error E = chk(R, "enabling peer access to " + Peer->name()))
          return E;
    }
    Peers.emplace_back(Peer->Ctx, Can != 0);
    return Can != 0;
  }
  Error copyFromPeerImpl(DevicePtr Dst, Device &PeerDev, DevicePtr Src,
                         uint64_t Bytes) override {
    auto &Peer = static_cast<CudaDevice &>(PeerDev); // checked by the above
    if (Error E =
            chk(D.cuMemcpyPeerAsync(Dst, Ctx, Src, Peer.Ctx, Bytes,
                                    /*default stream*/ nullptr),
                formatv("copying {0} bytes from {1}", Bytes, Peer.name())))
      return E;
    return chk(D.cuStreamSynchronize(nullptr),
               formatv("copying {0} bytes from {1}", Bytes, Peer.name()));
  }

  static CUstream stream(void *S) { return static_cast<CUstream>(S); }
  static CUevent event(void *E) { return static_cast<CUevent>(E); }

  const CudaDriver &D;
  unsigned Ordinal;
  CUdevice Dev;
  CUcontext Ctx;
  /// The peers asked about, and whether this context can reach them.
  std::mutex PeersLock;
  std::vector<std::pair<CUcontext, bool>> Peers;
};

CudaDevice::~CudaDevice() {
  // Failures here mean a context already broken and reported; nothing a
  // destructor could do about them.
  if (D.cuCtxSetCurrent(Ctx) == CUDA_SUCCESS)
    for (void *M : loadedModules())
      (void)D.cuModuleUnload(static_cast<CUmodule>(M));
  (void)D.cuDevicePrimaryCtxRelease(Dev);
}

Error queryInfo(const CudaDriver &D, CUdevice Dev, unsigned Ordinal,
                DeviceInfo &Info) {
  std::string Where = "cuda:" + std::to_string(Ordinal) + ": ";
  char Name[256] = {};
  if (Error E = check(D, D.cuDeviceGetName(Name, sizeof(Name) - 1, Dev),
                      Where + "querying the name"))
    return E;
  Info.Name = Name;
  size_t Mem = 0;
  if (Error E = check(D, D.cuDeviceTotalMem(&Mem, Dev),
                      Where + "querying the memory size"))
    return E;
  Info.TotalMemory = Mem;
  int MaxBlock[3] = {}, MaxGrid[3] = {}, L2 = 0;
  struct {
    CUdevice_attribute Attr;
    int *Dst;
    const char *What;
    // Attributes that are nice to have: a driver that no longer reports
    // them (CUDA 13 deprecates the clock rates) leaves them 0.
    bool Optional = false;
  } Attrs[] = {
      {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, &Info.ComputeMajor,
       "compute capability"},
      {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, &Info.ComputeMinor,
       "compute capability"},
      {CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, &Info.MultiProcessorCount,
       "SM count"},
      {CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, &Info.MaxThreadsPerBlock,
       "max threads per block"},
      {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X, &MaxBlock[0], "max block size"},
      {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y, &MaxBlock[1], "max block size"},
      {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z, &MaxBlock[2], "max block size"},
      {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X, &MaxGrid[0], "max grid size"},
      {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y, &MaxGrid[1], "max grid size"},
      {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z, &MaxGrid[2], "max grid size"},
      {CU_DEVICE_ATTRIBUTE_WARP_SIZE, &Info.WarpSize, "warp size"},
      {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK,
       &Info.MaxSharedMemoryPerBlock, "shared memory per block"},
      {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
       &Info.MaxSharedMemoryPerBlockOptin, "opt-in shared memory per block"},
      {CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, &L2, "L2 cache size"},
      {CU_DEVICE_ATTRIBUTE_CLOCK_RATE, &Info.ClockRateKHz, "clock rate", true},
      {CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, &Info.MemoryClockRateKHz,
       "memory clock rate", true},
      {CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, &Info.MemoryBusWidthBits,
       "memory bus width", true},
  };
  for (auto &A : Attrs) {
    Error E = check(D, D.cuDeviceGetAttribute(A.Dst, A.Attr, Dev),
                    Where + "querying the " + A.What);
    if (E && A.Optional) {
      consumeError(std::move(E));
      *A.Dst = 0;
      continue;
    }
    if (E)
      return E;
  }
  Info.MaxBlockDim = {unsigned(MaxBlock[0]), unsigned(MaxBlock[1]),
                      unsigned(MaxBlock[2])};
  Info.MaxGridDim = {unsigned(MaxGrid[0]), unsigned(MaxGrid[1]),
                     unsigned(MaxGrid[2])};
  Info.L2CacheBytes = uint64_t(L2);
  Info.Arch = formatv("sm_{0}{1}", Info.ComputeMajor, Info.ComputeMinor).str();
  return Error::success();
}

} // namespace

DeviceCount countCudaDevices() {
  DeviceCount C;
  Expected<const CudaDriver &> DOrErr = loadCudaDriver();
  if (!DOrErr) {
    C.Reason = toString(DOrErr.takeError());
    return C;
  }
  const CudaDriver &D = *DOrErr;
  int Count = 0;
  if (Error E =
          check(D, D.cuInit(0), "no CUDA device: initializing the driver"))
    C.Reason = toString(std::move(E));
  else if (Error E =
               check(D, D.cuDeviceGetCount(&Count), "counting CUDA devices"))
    C.Reason = toString(std::move(E));
  else if (Count <= 0)
    C.Reason = "no CUDA device: the driver reports 0";
  else
    C.Count = unsigned(Count);
  return C;
}

Expected<std::unique_ptr<Device>> openCudaDevice(unsigned Ordinal) {
  Expected<const CudaDriver &> DOrErr = loadCudaDriver();
  if (!DOrErr)
    return DOrErr.takeError();
  const CudaDriver &D = *DOrErr;
  // cuInit is what answers CUDA_ERROR_NO_DEVICE on a machine with a driver
  // but no GPU (or none visible to this process).
  if (Error E =
          check(D, D.cuInit(0), "no CUDA device: initializing the driver"))
    return E;
  int Count = 0;
  if (Error E = check(D, D.cuDeviceGetCount(&Count), "counting CUDA devices"))
    return E;
  if (Count == 0)
    return make_error<RuntimeError>("no CUDA device: the driver reports 0");
  if (Ordinal >= unsigned(Count))
    return make_error<RuntimeError>(
        formatv("no CUDA device {0}: this machine has {1} (cuda:0 to cuda:{2})",
                Ordinal, Count, Count - 1)
            .str());
  CUdevice Dev = 0;
  if (Error E = check(D, D.cuDeviceGet(&Dev, int(Ordinal)),
                      formatv("getting CUDA device {0}", Ordinal)))
    return E;
  DeviceInfo Info;
  if (Error E = queryInfo(D, Dev, Ordinal, Info))
    return E;
  CUcontext Ctx = nullptr;
  if (Error E =
          check(D, D.cuDevicePrimaryCtxRetain(&Ctx, Dev),
                formatv("cuda:{0}: retaining the primary context", Ordinal)))
    return E;
  if (Error E =
          check(D, D.cuCtxSetCurrent(Ctx),
                formatv("cuda:{0}: making the context current", Ordinal))) {
    (void)D.cuDevicePrimaryCtxRelease(Dev);
    return E;
  }
  return std::make_unique<CudaDevice>(D, Ordinal, Dev, Ctx, std::move(Info));
}

} // namespace ircgpu
