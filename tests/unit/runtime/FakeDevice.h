//===- tests/unit/runtime/FakeDevice.h - a Device over host memory --------===//
//
// A backend of Device (include/ircgpu/Device.h) for tests without a GPU:
// device memory is host memory, streams, events, pinned blocks and modules
// are fake handles whose life it checks. CudaDeviceTest.cpp tests the shared
// half of Device over it; ExecutorTest.cpp runs launch plans through it.
//
// Two execution models:
//  - immediate (the default): every enqueued operation runs at once, in
//    order;
//  - deferred (Deferred = true): an operation on a stream runs when that
//    stream (or the whole device) is synchronized, or before memory is freed
//    (cuMemFree waits for the device). Copies then read their host source
//    and write their host destination when they run, as the Device contract
//    allows, so a caller that lets host memory change or die before the
//    stream has done the copy sees it.
//
// Kernels: by default only "k" exists (getKernel of another name is an
// error). With AnyKernel, every name is a kernel; the names asked for are
// recorded in KernelsRequested. Every launch is recorded (LaunchRecord): the
// kernel's name, grid, block, stream and its parameter words, read through
// the void ** arguments when the launch is enqueued (the driver copies them
// then), one 64-bit word per parameter, ParamCounts[name] of them. A
// callback in OnLaunch[name] runs when the launch executes (at once, or at
// the synchronization in the deferred model) and may read and write device
// memory through word() / setWord() / hostPtr(): how a test emulates what
// the kernel would compute.
//
// Several fakes (DeviceManagerTest, DeviceCopyTest, MultiDevicePlanTest)
// take a name ("fake:1") and a compute capability; two fakes with PeerAccess
// set copy directly between them, others stage through pinned memory.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_TESTS_UNIT_RUNTIME_FAKEDEVICE_H
#define IRCGPU_TESTS_UNIT_RUNTIME_FAKEDEVICE_H

#include "ircgpu/Device.h"

#include "llvm/Support/Error.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ircgpu::test {

inline DeviceInfo fakeInfo(int Major = 9, int Minor = 0) {
  DeviceInfo I;
  I.Name = "fake";
  I.ComputeMajor = Major;
  I.ComputeMinor = Minor;
  I.TotalMemory = 1 << 20;
  I.MultiProcessorCount = 1;
  I.MaxThreadsPerBlock = 1024;
  I.MaxGridDim = {2147483647, 65535, 65535};
  I.MaxBlockDim = {1024, 1024, 64};
  I.WarpSize = 32;
  I.MaxSharedMemoryPerBlock = 48 * 1024;
  I.MaxSharedMemoryPerBlockOptin = 227 * 1024;
  return I;
}

/// One kernel launch, as the fake saw it enqueued.
struct LaunchRecord {
  std::string Kernel;
  Dim3 Grid, Block;
  std::vector<uint64_t> Params; ///< one word per parameter
  void *Stream = nullptr;
};

/// Runs every operation on host memory (at once, or deferred to the
/// synchronization of its stream). Streams, events and pinned blocks are fake
/// handles whose life it checks: a hook that destroys one that is not live
/// (twice, or a borrowed one) fails the test, and so does one still live when
/// the device goes. Each enqueued operation advances a clock by half a
/// millisecond, which events record.
class FakeDevice final : public Device {
public:
  FakeDevice() : Device(fakeInfo()) {}
  /// Another fake of a process with several ("fake:1"), of compute
  /// capability Major.Minor.
  explicit FakeDevice(std::string Name, int Major = 9, int Minor = 0)
      : Device(fakeInfo(Major, Minor)), Name(std::move(Name)) {}
  ~FakeDevice() override {
    EXPECT_TRUE(Pending.empty()) << "operations never run";
    EXPECT_TRUE(Blocks.empty());
    EXPECT_TRUE(LiveStreams.empty());
    EXPECT_TRUE(LiveEvents.empty());
    EXPECT_TRUE(LivePinned.empty());
  }
  std::string name() const override { return Name; }
  size_t modulesLoaded() const { return loadedModules().size(); }

  //===-- configuration ---------------------------------------------------===//
  /// Defer stream operations to the synchronization of their stream.
  bool Deferred = false;
  /// Every kernel name exists (else only "k").
  bool AnyKernel = false;
  /// The byte new allocations are filled with (real memory is not zeroed).
  uint8_t AllocFill = 0;
  /// Parameters of each kernel, by name (0 when not listed).
  std::map<std::string, size_t> ParamCounts;
  /// Whether this fake can copy directly from another fake that has it set
  /// too (CUDA peer access); otherwise copies between fakes stage.
  bool PeerAccess = false;
  /// Run when a launch of that kernel executes.
  std::map<std::string, std::function<void(const LaunchRecord &)>> OnLaunch;

  //===-- what happened ---------------------------------------------------===//
  std::map<DevicePtr, std::vector<uint8_t>> Blocks;
  /// Blocks already freed, with their last contents (latest per address).
  std::map<DevicePtr, std::vector<uint8_t>> FreedBlocks;
  std::set<void *> LiveStreams, LivePinned;
  std::map<void *, std::optional<unsigned>> LiveEvents; // the clock recorded
  unsigned StreamsDestroyed = 0, EventsDestroyed = 0, PinnedFreed = 0;
  std::atomic<unsigned> Activations = 0;
  /// Peer access asked about, and direct copies from a peer.
  unsigned PeerAsks = 0, PeerCopies = 0;
  unsigned Launches = 0, DeviceSyncs = 0, Clock = 0;
  /// The stream of every enqueued operation, and of every stream and event
  /// waited for.
  std::vector<void *> OpStreams, SyncedStreams, SyncedEvents;
  std::mutex ImageLock;
  std::string LastImage;
  std::vector<std::string> KernelsRequested;
  std::vector<LaunchRecord> LaunchLog;

  //===-- device memory, for tests and callbacks --------------------------===//
  /// The host address of device address P, which must lie in a live block
  /// with Bytes bytes from P on (else the test fails and this is null).
  uint8_t *hostPtr(DevicePtr P, uint64_t Bytes = 1) {
    auto It = Blocks.upper_bound(P);
    if (It == Blocks.begin()) {
      ADD_FAILURE() << "device address 0x" << std::hex << P
                    << " is in no live block";
      return nullptr;
    }
    --It;
    uint64_t Off = P - It->first;
    if (Off > It->second.size() || Bytes > It->second.size() - Off) {
      ADD_FAILURE() << "device bytes [0x" << std::hex << P << ", +" << std::dec
                    << Bytes << ") are outside the live block at 0x" << std::hex
                    << It->first;
      return nullptr;
    }
    return It->second.data() + Off;
  }
  uint64_t word(DevicePtr P) {
    uint64_t W = 0;
    if (uint8_t *H = hostPtr(P, 8))
      std::memcpy(&W, H, 8);
    return W;
  }
  void setWord(DevicePtr P, uint64_t W) {
    if (uint8_t *H = hostPtr(P, 8))
      std::memcpy(H, &W, 8);
  }
  /// The size of the live block that starts at P (0 if none does).
  uint64_t blockSize(DevicePtr P) const {
    auto It = Blocks.find(P);
    return It == Blocks.end() ? 0 : It->second.size();
  }
  /// Runs every deferred operation, as a device-wide synchronization would,
  /// without counting as one.
  void flush() {
    while (!Pending.empty()) {
      auto Op = std::move(Pending.front());
      Pending.pop_front();
      Op.second();
    }
  }

private:
  std::deque<std::pair<void *, std::function<void()>>> Pending;

  uint8_t *at(DevicePtr P, uint64_t Bytes) {
    uint8_t *H = hostPtr(P, Bytes ? Bytes : 1);
    static uint8_t Dummy[1];
    return H ? H : Dummy; // a failed lookup already failed the test
  }
  void enqueue(void *S, std::function<void()> Op) {
    OpStreams.push_back(S);
    ++Clock;
    if (Deferred)
      Pending.emplace_back(S, std::move(Op));
    else
      Op();
  }
  /// Runs the deferred operations of stream S, in order.
  void runStream(void *S) {
    std::deque<std::pair<void *, std::function<void()>>> Rest;
    while (!Pending.empty()) {
      auto Op = std::move(Pending.front());
      Pending.pop_front();
      if (Op.first == S)
        Op.second();
      else
        Rest.push_back(std::move(Op));
    }
    Pending = std::move(Rest);
  }
  static void *handle(unsigned &Counter, uintptr_t Base) {
    return reinterpret_cast<void *>(Base + 0x10 * ++Counter);
  }
  llvm::Error activateImpl() override {
    ++Activations;
    return llvm::Error::success();
  }
  llvm::Expected<DevicePtr> allocImpl(uint64_t Bytes) override {
    if (Bytes > info().TotalMemory)
      return llvm::createStringError("fake:0: out of memory");
    // Never reuse an address: a stale pointer then finds no block.
    DevicePtr P = DevicePtr(0x10000000) * ++AllocCount;
    Blocks[P].assign(Bytes, AllocFill);
    return P;
  }
  llvm::Error freeImpl(DevicePtr P) override {
    flush(); // cuMemFree waits for the work that may use the memory
    auto It = Blocks.find(P);
    if (It != Blocks.end()) {
      FreedBlocks[P] = std::move(It->second);
      Blocks.erase(It);
    }
    return llvm::Error::success();
  }
  llvm::Expected<void *> allocPinnedImpl(uint64_t Bytes) override {
    void *P = new uint8_t[Bytes];
    LivePinned.insert(P);
    return P;
  }
  llvm::Error freePinnedImpl(void *P) override {
    EXPECT_EQ(LivePinned.erase(P), 1u) << "freeing pinned memory not live";
    delete[] static_cast<uint8_t *>(P);
    ++PinnedFreed;
    return llvm::Error::success();
  }
  llvm::Error copyToDeviceImpl(DevicePtr Dst, const void *Src, uint64_t Bytes,
                               void *S) override {
    enqueue(S, [=, this] { std::memcpy(at(Dst, Bytes), Src, Bytes); });
    return llvm::Error::success();
  }
  llvm::Error copyToHostImpl(void *Dst, DevicePtr Src, uint64_t Bytes,
                             void *S) override {
    enqueue(S, [=, this] { std::memcpy(Dst, at(Src, Bytes), Bytes); });
    return llvm::Error::success();
  }
  llvm::Error copyOnDeviceImpl(DevicePtr Dst, DevicePtr Src, uint64_t Bytes,
                               void *S) override {
    enqueue(S,
            [=, this] { std::memmove(at(Dst, Bytes), at(Src, Bytes), Bytes); });
    return llvm::Error::success();
  }
  llvm::Error memsetImpl(DevicePtr Dst, uint8_t V, uint64_t Bytes,
                         void *S) override {
    enqueue(S, [=, this] { std::memset(at(Dst, Bytes), V, Bytes); });
    return llvm::Error::success();
  }
  llvm::Expected<void *> createStreamImpl() override {
    void *S = handle(StreamCount, 0x5000);
    LiveStreams.insert(S);
    return S;
  }
  llvm::Error destroyStreamImpl(void *S) override {
    EXPECT_EQ(LiveStreams.erase(S), 1u) << "destroying a stream not live";
    runStream(S); // work already enqueued still runs
    ++StreamsDestroyed;
    return llvm::Error::success();
  }
  llvm::Error synchronizeStreamImpl(void *S) override {
    SyncedStreams.push_back(S);
    runStream(S);
    return llvm::Error::success();
  }
  llvm::Expected<void *> createEventImpl() override {
    void *E = handle(EventCount, 0x6000);
    LiveEvents[E];
    return E;
  }
  llvm::Error destroyEventImpl(void *E) override {
    EXPECT_EQ(LiveEvents.erase(E), 1u) << "destroying an event not live";
    ++EventsDestroyed;
    return llvm::Error::success();
  }
  llvm::Error recordEventImpl(void *E, void *) override {
    LiveEvents.at(E) = Clock;
    return llvm::Error::success();
  }
  llvm::Error synchronizeEventImpl(void *E) override {
    SyncedEvents.push_back(E);
    flush();
    return llvm::Error::success();
  }
  llvm::Error waitEventImpl(void *S, void *E) override {
    SyncedStreams.push_back(S);
    SyncedEvents.push_back(E);
    return llvm::Error::success();
  }
  llvm::Expected<float> elapsedMsImpl(void *Start, void *End) override {
    // The driver's answer for an unrecorded event; Device checks first.
    if (!LiveEvents.at(Start) || !LiveEvents.at(End))
      return llvm::createStringError("fake:0: CUDA_ERROR_INVALID_HANDLE");
    return 0.5f * (float(*LiveEvents.at(End)) - float(*LiveEvents.at(Start)));
  }
  llvm::Expected<void *> loadModuleImpl(llvm::StringRef Image) override {
    // The NUL promised to backends (PTX is read up to one).
    EXPECT_EQ(Image.data()[Image.size()], '\0');
    std::lock_guard<std::mutex> Lock(ImageLock);
    LastImage = Image.str();
    return handle(ModuleCount, 0x40000);
  }
  llvm::Error unloadModuleImpl(void *) override {
    return llvm::Error::success();
  }
  llvm::Expected<void *> getKernelImpl(void *, llvm::StringRef Name) override {
    if (!AnyKernel && Name != "k")
      return llvm::createStringError("no kernel " + Name.str());
    std::lock_guard<std::mutex> Lock(KernelLock);
    if (AnyKernel)
      KernelsRequested.push_back(Name.str());
    for (size_t I = 0; I < KernelNames.size(); ++I)
      if (KernelNames[I] == Name)
        return kernelHandle(I);
    KernelNames.push_back(Name.str());
    return kernelHandle(KernelNames.size() - 1);
  }
  static void *kernelHandle(size_t I) {
    return reinterpret_cast<void *>(uintptr_t(0x43) + 0x100 * I);
  }
  llvm::Error launchImpl(void *K, Dim3 Grid, Dim3 Block, void **Args, unsigned,
                         void *S) override {
    ++Launches;
    LaunchRecord R;
    {
      std::lock_guard<std::mutex> Lock(KernelLock);
      size_t I = (reinterpret_cast<uintptr_t>(K) - 0x43) / 0x100;
      EXPECT_LT(I, KernelNames.size()) << "launching an unknown kernel";
      R.Kernel = I < KernelNames.size() ? KernelNames[I] : "?";
    }
    R.Grid = Grid;
    R.Block = Block;
    R.Stream = S;
    auto Count = ParamCounts.find(R.Kernel);
    size_t N = Count == ParamCounts.end() ? 0 : Count->second;
    for (size_t P = 0; P < N; ++P) {
      uint64_t W = 0;
      std::memcpy(&W, Args[P], 8);
      R.Params.push_back(W);
    }
    LaunchLog.push_back(R);
    auto CB = OnLaunch.find(R.Kernel);
    if (CB == OnLaunch.end()) {
      enqueue(S, [] {});
      return llvm::Error::success();
    }
    std::function<void(const LaunchRecord &)> F = CB->second;
    enqueue(S, [F, R] { F(R); });
    return llvm::Error::success();
  }
  llvm::Error synchronizeImpl() override {
    ++DeviceSyncs;
    flush();
    return llvm::Error::success();
  }
  llvm::Expected<bool> enablePeerAccessImpl(Device &Peer) override {
    ++PeerAsks;
    auto *F = dynamic_cast<FakeDevice *>(&Peer);
    return PeerAccess && F && F->PeerAccess;
  }
  llvm::Error copyFromPeerImpl(DevicePtr Dst, Device &Peer, DevicePtr Src,
                               uint64_t Bytes) override {
    ++PeerCopies;
    auto &F = static_cast<FakeDevice &>(Peer);
    F.flush(); // a peer copy is ordered after the work of both devices
    flush();
    std::memcpy(at(Dst, Bytes), F.at(Src, Bytes), Bytes);
    return llvm::Error::success();
  }

  std::string Name = "fake:0";
  unsigned StreamCount = 0, EventCount = 0, ModuleCount = 0, AllocCount = 0;
  std::mutex KernelLock;
  std::vector<std::string> KernelNames;
};

} // namespace ircgpu::test

#endif
