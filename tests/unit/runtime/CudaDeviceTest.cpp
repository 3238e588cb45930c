//===- tests/unit/runtime/CudaDeviceTest.cpp - the Device interface -------===//
//
// Without a GPU (CI): openCudaDevice answers a clean error, and the shared
// half of Device (range checks, module bookkeeping, RAII buffers) is checked
// over a fake backend on host memory. With a GPU, a round trip through the
// real driver; those tests skip when no device can be opened.
//
//===----------------------------------------------------------------------===//

#include "FakeDevice.h"

#include "ircgpu/Device.h"

#include "llvm/Support/Error.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

using namespace ircgpu;
using namespace llvm;

namespace {

std::string errorText(Error E) { return toString(std::move(E)); }

//===-- the CUDA backend --------------------------------------------------===//

TEST(CudaDeviceTest, OpenAnswersDeviceOrCleanError) {
  Expected<std::unique_ptr<Device>> Dev = openCudaDevice(0);
  if (Dev) {
    EXPECT_FALSE((*Dev)->info().Name.empty());
    EXPECT_EQ((*Dev)->name(), "cuda:0");
    return;
  }
  std::string Msg = errorText(Dev.takeError());
  EXPECT_TRUE(Msg.find("libcuda.so.1") != std::string::npos ||
              Msg.find("no CUDA device") != std::string::npos)
      << Msg;
}

TEST(CudaDeviceTest, HugeOrdinalIsAnError) {
  Expected<std::unique_ptr<Device>> Dev = openCudaDevice(1000);
  ASSERT_FALSE(Dev);
  std::string Msg = errorText(Dev.takeError());
  // With a driver and devices, the message names the ordinal and the count.
  EXPECT_TRUE(Msg.find("libcuda.so.1") != std::string::npos ||
              Msg.find("no CUDA device") != std::string::npos)
      << Msg;
}

class CudaGpuTest : public ::testing::Test {
protected:
  void SetUp() override {
    Expected<std::unique_ptr<Device>> D = openCudaDevice(0);
    if (!D)
      GTEST_SKIP() << "no CUDA device: " << errorText(D.takeError());
    Dev = std::move(*D);
  }
  std::unique_ptr<Device> Dev;
};

TEST_F(CudaGpuTest, RoundTrip) {
  std::vector<uint32_t> In(1000), Out(1000, 0);
  for (unsigned I = 0; I < In.size(); ++I)
    In[I] = I * 2654435761u;
  Expected<DeviceBuffer> A = Dev->alloc(4000), B = Dev->alloc(4000);
  ASSERT_TRUE(bool(A)) << errorText(A.takeError());
  ASSERT_TRUE(bool(B)) << errorText(B.takeError());
  ASSERT_FALSE(bool(Dev->copyToDevice(*A, In.data(), 4000)));
  ASSERT_FALSE(bool(Dev->copyOnDevice(*B, *A, 4000)));
  ASSERT_FALSE(bool(Dev->copyToHost(Out.data(), *B, 4000)));
  EXPECT_EQ(In, Out);
  ASSERT_FALSE(bool(Dev->memset(*B, 0xab, 4000)));
  ASSERT_FALSE(bool(Dev->copyToHost(Out.data(), *B, 4000)));
  EXPECT_EQ(Out[999], 0xababababu);
}

TEST_F(CudaGpuTest, TooLargeAllocationFailsCleanly) {
  Expected<DeviceBuffer> Big = Dev->alloc(Dev->info().TotalMemory * 4);
  ASSERT_FALSE(bool(Big));
  EXPECT_NE(errorText(Big.takeError()).find("allocating"), std::string::npos);
  Expected<DeviceBuffer> Small = Dev->alloc(64);
  ASSERT_TRUE(bool(Small)) << errorText(Small.takeError());
  EXPECT_FALSE(bool(Dev->memset(*Small, 0, 64)));
}

TEST_F(CudaGpuTest, InfoHasTheLaunchLimits) {
  const DeviceInfo &I = Dev->info();
  EXPECT_EQ(I.WarpSize, 32);
  EXPECT_GE(I.MaxGridDim.X, 65535u);
  EXPECT_GE(I.MaxGridDim.Y, 65535u);
  EXPECT_GE(I.MaxBlockDim.X, 1024u);
  EXPECT_GE(I.MaxSharedMemoryPerBlock, 48 * 1024);
  EXPECT_GE(I.MaxSharedMemoryPerBlockOptin, I.MaxSharedMemoryPerBlock);
  EXPECT_GT(I.L2CacheBytes, 0u);
}

// Stores V at p[global thread index]; sm_50 so that any GPU JITs it.
const char FillPtx[] = R"(.version 7.0
.target sm_50
.address_size 64
.visible .entry fill(.param .u64 p, .param .u32 v) {
  .reg .b64 %rd<3>;
  .reg .b32 %r<5>;
  ld.param.u64 %rd1, [p];
  ld.param.u32 %r1, [v];
  cvta.to.global.u64 %rd1, %rd1;
  mov.u32 %r2, %tid.x;
  mov.u32 %r3, %ctaid.x;
  mov.u32 %r4, %ntid.x;
  mad.lo.u32 %r2, %r3, %r4, %r2;
  mul.wide.u32 %rd2, %r2, 4;
  add.u64 %rd2, %rd1, %rd2;
  st.global.u32 [%rd2], %r1;
  ret;
}
)";

TEST_F(CudaGpuTest, StreamEventsPinnedAndLaunch) {
  Expected<Stream> S = Dev->createStream();
  Expected<Event> Start = Dev->createEvent(), End = Dev->createEvent();
  Expected<PinnedBuffer> Host = Dev->allocPinned(4096);
  Expected<DeviceBuffer> A = Dev->alloc(4096), B = Dev->alloc(4096);
  Expected<ModuleHandle> M = Dev->loadModule(FillPtx);
  ASSERT_TRUE(S && Start && End && Host && A && B && M);
  Expected<KernelHandle> K = Dev->getKernel(*M, "fill");
  ASSERT_TRUE(bool(K)) << errorText(K.takeError());
  auto *H = static_cast<uint32_t *>(Host->data());
  for (unsigned I = 0; I < 1024; ++I)
    H[I] = I;
  ASSERT_FALSE(bool(Dev->record(*Start, *S)));
  ASSERT_FALSE(bool(Dev->copyToDeviceAsync(*A, H, 4096, 0, *S)));
  DevicePtr P = B->ptr();
  uint32_t V = 0x600df00d;
  void *Args[] = {&P, &V};
  ASSERT_FALSE(bool(Dev->launch(*K, {4, 1, 1}, {256, 1, 1}, Args, 0, *S)));
  // B's first half over A's second: A = 0..511, then V.
  ASSERT_FALSE(bool(Dev->copyOnDeviceAsync(*A, 2048, *B, 0, 2048, *S)));
  ASSERT_FALSE(bool(Dev->memsetAsync(*B, 0, 4096, *S)));
  ASSERT_FALSE(bool(Dev->copyToHostAsync(H, *A, 4096, 0, *S)));
  ASSERT_FALSE(bool(Dev->record(*End, *S)));
  ASSERT_FALSE(bool(Dev->synchronize(*S)));
  EXPECT_EQ(H[511], 511u);
  EXPECT_EQ(H[512], V);
  EXPECT_EQ(H[1023], V);
  Expected<float> Ms = Dev->elapsedMs(*Start, *End);
  ASSERT_TRUE(bool(Ms)) << errorText(Ms.takeError());
  EXPECT_GE(*Ms, 0.0f);
  // The raw-pointer copies, on the default stream.
  uint32_t One = 0;
  ASSERT_FALSE(bool(Dev->copyToHostAsync(&One, B->ptr() + 8, 4, Stream())));
  ASSERT_FALSE(bool(Dev->synchronize(Stream())));
  EXPECT_EQ(One, 0u);
}

TEST_F(CudaGpuTest, BadPtxErrorHasTheJitLog) {
  Expected<ModuleHandle> M = Dev->loadModule(".version 7.0\n.target sm_50\n"
                                             ".address_size 64\n"
                                             ".visible .entry k() {\n"
                                             "  bogus.instruction;\n"
                                             "  ret;\n}\n");
  ASSERT_FALSE(bool(M));
  std::string Msg = errorText(M.takeError());
  EXPECT_NE(Msg.find("; JIT log:\n"), std::string::npos) << Msg;
  EXPECT_NE(Msg.find("line 5"), std::string::npos) << Msg;
  // The context is still usable.
  Expected<ModuleHandle> Good = Dev->loadModule(FillPtx);
  EXPECT_TRUE(bool(Good)) << errorText(Good.takeError());
}

//===-- the shared half, over host memory ---------------------------------===//

// FakeDevice (FakeDevice.h) runs every operation at once, in order, on host
// memory, and tracks every handle.
using test::FakeDevice;

TEST(DeviceInterfaceTest, ArchName) {
  FakeDevice D;
  EXPECT_EQ(D.info().archName(), "sm_90");
}

TEST(DeviceInterfaceTest, BuffersFreeThemselves) {
  FakeDevice D;
  {
    Expected<DeviceBuffer> B = D.alloc(100);
    ASSERT_TRUE(bool(B));
    EXPECT_EQ(B->size(), 100u);
    EXPECT_EQ(D.Blocks.size(), 1u);
    DeviceBuffer Moved = std::move(*B);
    EXPECT_FALSE(bool(*B));
    EXPECT_TRUE(bool(Moved));
  }
  EXPECT_TRUE(D.Blocks.empty());
  Expected<DeviceBuffer> B = D.alloc(8);
  ASSERT_TRUE(bool(B));
  EXPECT_FALSE(bool(D.free(*B)));
  EXPECT_FALSE(bool(*B));
  EXPECT_FALSE(bool(D.free(*B))); // freeing an empty handle is a no-op
}

TEST(DeviceInterfaceTest, ZeroAndFailedAllocations) {
  FakeDevice D;
  Expected<DeviceBuffer> Z = D.alloc(0);
  ASSERT_FALSE(bool(Z));
  EXPECT_NE(errorText(Z.takeError()).find("0 bytes"), std::string::npos);
  Expected<DeviceBuffer> Big = D.alloc(uint64_t(1) << 40);
  ASSERT_FALSE(bool(Big));
  EXPECT_NE(errorText(Big.takeError()).find("out of memory"),
            std::string::npos);
}

TEST(DeviceInterfaceTest, CopiesAreRangeChecked) {
  FakeDevice D;
  Expected<DeviceBuffer> A = D.alloc(16), B = D.alloc(8);
  ASSERT_TRUE(A && B);
  uint8_t In[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  uint8_t Out[16] = {};
  ASSERT_FALSE(bool(D.copyToDevice(*A, In, 16)));
  ASSERT_FALSE(bool(D.copyToHost(Out, *A, 4, 12)));
  EXPECT_EQ(Out[0], 13);
  std::string Msg = errorText(D.copyToDevice(*A, In, 8, 9));
  EXPECT_NE(Msg.find("outside a buffer of 16 bytes"), std::string::npos) << Msg;
  EXPECT_NE(Msg.find("fake:0"), std::string::npos) << Msg;
  // An offset near 2^64 must not wrap around into range.
  EXPECT_TRUE(bool(D.copyToHost(Out, *A, 8, ~uint64_t(0) - 4)));
  EXPECT_TRUE(bool(D.copyOnDevice(*B, *A, 16)));
  EXPECT_TRUE(bool(D.memset(*B, 0, 9)));
  DeviceBuffer Empty;
  EXPECT_TRUE(bool(D.memset(Empty, 0, 1)));
  ASSERT_FALSE(bool(D.copyOnDevice(*B, *A, 8)));
  ASSERT_FALSE(bool(D.memset(*A, 0xff, 2)));
  ASSERT_FALSE(bool(D.copyToHost(Out, *B, 8)));
  EXPECT_EQ(Out[7], 8);
  ASSERT_FALSE(bool(D.copyToHost(Out, *A, 3)));
  EXPECT_EQ(Out[1], 0xff);
  EXPECT_EQ(Out[2], 3);
}

TEST(DeviceInterfaceTest, BuffersOfAnotherDeviceAreRefused) {
  FakeDevice D1, D2;
  Expected<DeviceBuffer> A = D1.alloc(4);
  ASSERT_TRUE(bool(A));
  std::string Msg = errorText(D2.memset(*A, 0, 4));
  EXPECT_NE(Msg.find("another device"), std::string::npos) << Msg;
  EXPECT_TRUE(bool(D2.free(*A)));
  EXPECT_TRUE(bool(*A)); // still owned by D1, which frees it
}

TEST(DeviceInterfaceTest, ModulesAndLaunch) {
  FakeDevice D;
  EXPECT_TRUE(bool(D.loadModule("").takeError()));
  Expected<ModuleHandle> M = D.loadModule(StringRef("ptx text!", 8));
  ASSERT_TRUE(bool(M));
  EXPECT_EQ(D.LastImage, "ptx text");
  Expected<KernelHandle> K = D.getKernel(*M, "k");
  ASSERT_TRUE(bool(K));
  EXPECT_TRUE(bool(D.getKernel(*M, "nope").takeError()));
  EXPECT_FALSE(bool(D.launch(*K, {4, 1, 1}, {256, 1, 1}, nullptr)));
  std::string Msg = errorText(D.launch(*K, {1, 1, 1}, {1024, 2, 1}, nullptr));
  EXPECT_NE(Msg.find("2048 threads per block"), std::string::npos) << Msg;
  EXPECT_TRUE(bool(D.launch(*K, {0, 1, 1}, {1, 1, 1}, nullptr)));
  EXPECT_EQ(D.Launches, 1u);
  EXPECT_FALSE(bool(D.synchronize()));
  EXPECT_FALSE(bool(D.unloadModule(*M)));
  Msg = errorText(D.getKernel(*M, "k").takeError());
  EXPECT_NE(Msg.find("module not loaded"), std::string::npos) << Msg;
  EXPECT_TRUE(bool(D.unloadModule(*M)));
  EXPECT_GT(D.Activations.load(), 0u);
}

bool contains(Error E, StringRef Text) {
  std::string Msg = errorText(std::move(E));
  if (Msg.find(Text.str()) != std::string::npos)
    return true;
  ADD_FAILURE() << "expected an error containing '" << Text.str() << "', got '"
                << Msg << "'";
  return false;
}

TEST(DeviceInterfaceTest, StreamsAreOwnedOrBorrowed) {
  FakeDevice D;
  Stream Default;
  EXPECT_EQ(Default.native(), nullptr);
  EXPECT_FALSE(Default.isOwned());
  {
    Expected<Stream> S = D.createStream();
    ASSERT_TRUE(bool(S)) << errorText(S.takeError());
    EXPECT_TRUE(S->isOwned());
    void *Native = S->native();
    EXPECT_TRUE(D.LiveStreams.count(Native));
    Stream Moved = std::move(*S);
    EXPECT_FALSE(S->isOwned());
    EXPECT_EQ(S->native(), nullptr);
    EXPECT_EQ(Moved.native(), Native);
    Stream Other;
    Other = std::move(Moved);
    EXPECT_EQ(Other.native(), Native);
    EXPECT_EQ(D.StreamsDestroyed, 0u);
  }
  EXPECT_EQ(D.StreamsDestroyed, 1u);

  // Assigning over an owned stream destroys the one it held.
  Expected<Stream> A = D.createStream(), B = D.createStream();
  ASSERT_TRUE(A && B);
  void *BNative = B->native();
  *A = std::move(*B);
  EXPECT_EQ(D.StreamsDestroyed, 2u);
  EXPECT_EQ(A->native(), BNative);

  // destroyStream now: the error comes back, the handle is emptied, and
  // nothing is destroyed again later.
  EXPECT_FALSE(bool(D.destroyStream(*A)));
  EXPECT_EQ(D.StreamsDestroyed, 3u);
  EXPECT_FALSE(A->isOwned());
  A->reset();
  EXPECT_EQ(D.StreamsDestroyed, 3u);

  // A borrowed stream is used as it is and never destroyed (the fake fails
  // the test on destroying a handle it did not make).
  void *Vm = reinterpret_cast<void *>(uintptr_t(0x7777));
  {
    Stream Borrowed = Stream::borrow(Vm);
    EXPECT_FALSE(Borrowed.isOwned());
    EXPECT_EQ(Borrowed.native(), Vm);
    ASSERT_FALSE(bool(D.synchronize(Borrowed)));
    EXPECT_EQ(D.SyncedStreams.back(), Vm);
    Stream Moved = std::move(Borrowed);
    EXPECT_EQ(Moved.native(), Vm);
  }
  Stream Borrowed = Stream::borrow(Vm);
  EXPECT_FALSE(bool(D.destroyStream(Borrowed)));
  EXPECT_EQ(Borrowed.native(), nullptr);
  EXPECT_EQ(D.StreamsDestroyed, 3u);
  EXPECT_EQ(Stream::borrow(nullptr).native(), nullptr);
}

TEST(DeviceInterfaceTest, StreamsOfAnotherDeviceAreRefused) {
  FakeDevice D1, D2;
  Expected<Stream> S = D1.createStream();
  Expected<DeviceBuffer> Buf = D2.alloc(8);
  ASSERT_TRUE(S && Buf);
  Expected<ModuleHandle> M = D2.loadModule("ptx");
  ASSERT_TRUE(bool(M));
  Expected<KernelHandle> K = D2.getKernel(*M, "k");
  ASSERT_TRUE(bool(K));
  EXPECT_TRUE(contains(D2.synchronize(*S), "another device"));
  EXPECT_TRUE(contains(D2.memsetAsync(*Buf, 0, 8, *S), "another device"));
  EXPECT_TRUE(
      contains(D2.launch(*K, {1, 1, 1}, {1, 1, 1}, nullptr, 0, *S),
               "launching a kernel: the stream belongs to another device"));
  EXPECT_EQ(D2.Launches, 0u);
  EXPECT_TRUE(contains(D2.destroyStream(*S), "another device"));
  EXPECT_TRUE(S->isOwned()); // still D1's, which destroys it
  EXPECT_TRUE(D2.OpStreams.empty());
}

TEST(DeviceInterfaceTest, AsyncCopiesAreRangeChecked) {
  FakeDevice D;
  Expected<Stream> S = D.createStream();
  Expected<DeviceBuffer> A = D.alloc(16), B = D.alloc(8);
  ASSERT_TRUE(S && A && B);
  uint8_t In[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  uint8_t Out[16] = {};
  ASSERT_FALSE(bool(D.copyToDeviceAsync(*A, In, 16, 0, *S)));
  EXPECT_EQ(D.OpStreams.back(), S->native());
  ASSERT_FALSE(bool(D.copyToHostAsync(Out, *A, 4, 12, *S)));
  EXPECT_EQ(Out[0], 13);
  EXPECT_EQ(D.OpStreams.back(), S->native());
  size_t Ops = D.OpStreams.size();

  EXPECT_TRUE(contains(D.copyToDeviceAsync(*A, In, 8, 9, *S),
                       "bytes [9, 9+8) outside a buffer of 16 bytes"));
  EXPECT_TRUE(
      contains(D.copyToHostAsync(Out, *A, 8, ~uint64_t(0) - 4, *S), "outside"));
  EXPECT_TRUE(contains(D.memsetAsync(*B, 0, 9, *S), "outside"));
  EXPECT_TRUE(contains(D.copyOnDeviceAsync(*B, 1, *A, 0, 8, *S), "outside"));
  EXPECT_TRUE(contains(D.copyOnDeviceAsync(*B, 0, *A, 9, 8, *S), "outside"));
  DeviceBuffer Empty;
  EXPECT_TRUE(contains(D.memsetAsync(Empty, 0, 1, *S), "empty buffer"));
  EXPECT_TRUE(contains(D.copyToDeviceAsync(*A, nullptr, 4, 0, *S),
                       "null host pointer"));
  EXPECT_TRUE(
      contains(D.copyToHostAsync(nullptr, *A, 4, 0, *S), "null host pointer"));
  // Overlapping ranges of one buffer; the halves of it do not overlap.
  EXPECT_TRUE(contains(D.copyOnDeviceAsync(*A, 4, *A, 0, 8, *S), "overlap"));
  EXPECT_TRUE(contains(D.copyOnDeviceAsync(*A, 0, *A, 0, 1, *S), "overlap"));
  EXPECT_EQ(D.OpStreams.size(), Ops); // none of it reached the backend
  // Zero bytes: checked, then nothing to do.
  EXPECT_FALSE(bool(D.copyToDeviceAsync(*A, nullptr, 0, 16, *S)));
  EXPECT_TRUE(contains(D.copyToDeviceAsync(*A, In, 0, 17, *S), "outside"));
  EXPECT_EQ(D.OpStreams.size(), Ops);

  ASSERT_FALSE(bool(D.copyOnDeviceAsync(*A, 0, *A, 8, 8, *S)));
  ASSERT_FALSE(bool(D.copyOnDeviceAsync(*B, 0, *A, 4, 8, *S)));
  ASSERT_FALSE(bool(D.memsetAsync(*A, 0xee, 2, *S)));
  ASSERT_FALSE(bool(D.copyToHostAsync(Out, *A, 16, 0, *S)));
  EXPECT_EQ(Out[0], 0xee);
  EXPECT_EQ(Out[2], 11); // In[10], moved down by 8
  EXPECT_EQ(Out[15], 16);
  ASSERT_FALSE(bool(D.copyToHostAsync(Out, *B, 8, 0, *S)));
  EXPECT_EQ(Out[0], 13); // A[4] after the move: In[12]
  EXPECT_EQ(D.OpStreams.size(), Ops + 5);
  for (size_t I = Ops; I < D.OpStreams.size(); ++I)
    EXPECT_EQ(D.OpStreams[I], S->native());
}

TEST(DeviceInterfaceTest, RawPointerCopies) {
  FakeDevice D;
  Expected<DeviceBuffer> A = D.alloc(16);
  ASSERT_TRUE(bool(A));
  Stream Vm = Stream::borrow(reinterpret_cast<void *>(uintptr_t(0x7777)));
  uint32_t In = 0xdeadbeef, Out = 0;
  ASSERT_FALSE(bool(D.copyToDeviceAsync(A->ptr() + 4, &In, 4, Vm)));
  EXPECT_EQ(D.OpStreams.back(), Vm.native());
  ASSERT_FALSE(bool(D.copyToHostAsync(&Out, A->ptr() + 4, 4, Vm)));
  EXPECT_EQ(Out, In);
  ASSERT_FALSE(bool(D.copyToHost(&Out, *A, 4)));
  EXPECT_EQ(Out, 0u);
  EXPECT_TRUE(contains(D.copyToDeviceAsync(DevicePtr(0), &In, 4, Vm),
                       "null device pointer"));
  EXPECT_TRUE(contains(D.copyToHostAsync(&Out, DevicePtr(0), 4, Vm),
                       "null device pointer"));
  EXPECT_TRUE(contains(D.copyToHostAsync(nullptr, A->ptr(), 4, Vm),
                       "null host pointer"));
  EXPECT_FALSE(bool(D.copyToHostAsync(nullptr, DevicePtr(0), 0, Vm)));
}

TEST(DeviceInterfaceTest, SynchronousCopiesWaitOnTheDefaultStream) {
  FakeDevice D;
  Expected<DeviceBuffer> A = D.alloc(8), B = D.alloc(8);
  ASSERT_TRUE(A && B);
  uint64_t V = 42;
  ASSERT_FALSE(bool(D.copyToDevice(*A, &V, 8)));
  ASSERT_FALSE(bool(D.copyOnDevice(*B, *A, 8)));
  ASSERT_FALSE(bool(D.memset(*A, 0, 8)));
  ASSERT_FALSE(bool(D.copyToHost(&V, *B, 8)));
  EXPECT_EQ(V, 42u);
  EXPECT_EQ(D.OpStreams, std::vector<void *>(4, nullptr));
  EXPECT_EQ(D.SyncedStreams, std::vector<void *>(4, nullptr));
  // Nothing to copy, nothing to wait for.
  ASSERT_FALSE(bool(D.copyToHost(&V, *B, 0)));
  EXPECT_EQ(D.SyncedStreams.size(), 4u);
  EXPECT_TRUE(contains(D.copyOnDevice(*A, *A, 8), "overlap"));
}

TEST(DeviceInterfaceTest, EventsTimeStreams) {
  FakeDevice D, D2;
  Expected<Stream> S = D.createStream();
  ASSERT_TRUE(bool(S));
  Expected<DeviceBuffer> Buf = D.alloc(8);
  ASSERT_TRUE(bool(Buf));
  {
    Expected<Event> Start = D.createEvent(), End = D.createEvent();
    ASSERT_TRUE(Start && End);
    EXPECT_NE(Start->native(), nullptr);
    EXPECT_FALSE(Start->isRecorded());
    EXPECT_TRUE(contains(D.elapsedMs(*Start, *End).takeError(),
                         "an event never recorded"));
    ASSERT_FALSE(bool(D.record(*Start, *S)));
    EXPECT_TRUE(Start->isRecorded());
    EXPECT_TRUE(contains(D.elapsedMs(*Start, *End).takeError(),
                         "an event never recorded"));
    ASSERT_FALSE(bool(D.memsetAsync(*Buf, 1, 8, *S)));
    ASSERT_FALSE(bool(D.memsetAsync(*Buf, 2, 8, *S)));
    ASSERT_FALSE(bool(D.record(*End, *S)));
    D.SyncedEvents.clear();
    Expected<float> Ms = D.elapsedMs(*Start, *End);
    ASSERT_TRUE(bool(Ms)) << errorText(Ms.takeError());
    EXPECT_FLOAT_EQ(*Ms, 1.0f); // two operations of half a millisecond
    // elapsedMs waited for End.
    EXPECT_EQ(D.SyncedEvents, std::vector<void *>{End->native()});

    ASSERT_FALSE(bool(D.synchronize(*End)));
    ASSERT_FALSE(bool(D.waitEvent(Stream(), *End)));
    EXPECT_EQ(D.SyncedStreams.back(), nullptr);

    // An event of another device, an emptied one.
    Expected<Event> Foreign = D2.createEvent();
    ASSERT_TRUE(bool(Foreign));
    ASSERT_FALSE(bool(D2.record(*Foreign, Stream())));
    EXPECT_TRUE(contains(D.elapsedMs(*Start, *Foreign).takeError(),
                         "the event belongs to another device"));
    EXPECT_TRUE(contains(D.record(*Foreign, *S), "another device"));
    EXPECT_TRUE(contains(D.synchronize(*Foreign), "another device"));
    EXPECT_TRUE(contains(D.waitEvent(*S, *Foreign), "another device"));
    EXPECT_TRUE(contains(D2.record(*Foreign, *S), "another device"));
    EXPECT_TRUE(contains(D.destroyEvent(*Foreign), "another device"));
    Event Moved = std::move(*Start);
    EXPECT_TRUE(Moved.isRecorded());
    EXPECT_FALSE(Start->isRecorded());
    EXPECT_TRUE(contains(D.elapsedMs(*Start, *End).takeError(), "empty event"));
    EXPECT_TRUE(contains(D.record(*Start, *S), "empty event"));
    Expected<float> Again = D.elapsedMs(Moved, *End);
    ASSERT_TRUE(bool(Again));
    EXPECT_FLOAT_EQ(*Again, 1.0f);
    EXPECT_EQ(D.EventsDestroyed, 0u);
  }
  EXPECT_EQ(D.EventsDestroyed, 2u);
  EXPECT_EQ(D2.EventsDestroyed, 1u);

  Expected<Event> E = D.createEvent();
  ASSERT_TRUE(bool(E));
  EXPECT_FALSE(bool(D.destroyEvent(*E)));
  EXPECT_FALSE(bool(*E));
  E->reset();
  EXPECT_EQ(D.EventsDestroyed, 3u);
}

TEST(DeviceInterfaceTest, PinnedBuffersFreeThemselves) {
  FakeDevice D, D2;
  EXPECT_TRUE(contains(D.allocPinned(0).takeError(), "0 bytes"));
  {
    Expected<PinnedBuffer> P = D.allocPinned(64);
    ASSERT_TRUE(bool(P)) << errorText(P.takeError());
    EXPECT_EQ(P->size(), 64u);
    ASSERT_NE(P->data(), nullptr);
    std::memset(P->data(), 0x3c, 64);
    // The round trip async copies are for.
    Expected<DeviceBuffer> Buf = D.alloc(64);
    Expected<Stream> S = D.createStream();
    ASSERT_TRUE(Buf && S);
    ASSERT_FALSE(bool(D.copyToDeviceAsync(*Buf, P->data(), 64, 0, *S)));
    std::memset(P->data(), 0, 64);
    ASSERT_FALSE(bool(D.copyToHostAsync(P->data(), *Buf, 32, 32, *S)));
    ASSERT_FALSE(bool(D.synchronize(*S)));
    EXPECT_EQ(static_cast<uint8_t *>(P->data())[31], 0x3c);
    EXPECT_EQ(static_cast<uint8_t *>(P->data())[32], 0);

    PinnedBuffer Moved = std::move(*P);
    EXPECT_FALSE(bool(*P));
    EXPECT_EQ(P->data(), nullptr);
    EXPECT_EQ(Moved.size(), 64u);
    EXPECT_TRUE(contains(D2.free(Moved), "another device"));
    EXPECT_EQ(D.PinnedFreed, 0u);
  }
  EXPECT_EQ(D.PinnedFreed, 1u);
  Expected<PinnedBuffer> P = D.allocPinned(8);
  ASSERT_TRUE(bool(P));
  EXPECT_FALSE(bool(D.free(*P)));
  EXPECT_FALSE(bool(*P));
  EXPECT_FALSE(bool(D.free(*P)));
  EXPECT_EQ(D.PinnedFreed, 2u);
}

TEST(DeviceInterfaceTest, LaunchOnAStreamWithinTheLimits) {
  FakeDevice D;
  Expected<Stream> S = D.createStream();
  Expected<ModuleHandle> M = D.loadModule("ptx");
  ASSERT_TRUE(S && M);
  Expected<KernelHandle> K = D.getKernel(*M, "k");
  ASSERT_TRUE(bool(K));
  ASSERT_FALSE(bool(D.launch(*K, {2, 1, 1}, {32, 1, 1}, nullptr, 0, *S)));
  EXPECT_EQ(D.OpStreams.back(), S->native());
  ASSERT_FALSE(bool(D.launch(*K, {2, 1, 1}, {32, 1, 1}, nullptr)));
  EXPECT_EQ(D.OpStreams.back(), nullptr);
  ASSERT_FALSE(bool(D.launch(*K, {2147483647, 65535, 1}, {1, 1, 64}, nullptr,
                             227 * 1024, *S)));
  EXPECT_EQ(D.Launches, 3u);

  EXPECT_TRUE(contains(D.launch(*K, {1, 65536, 1}, {1, 1, 1}, nullptr),
                       "grid of 1x65536x1, larger than the device's "
                       "2147483647x65535x65535"));
  EXPECT_TRUE(contains(D.launch(*K, {1, 1, 1}, {1, 1, 128}, nullptr),
                       "block of 1x1x128"));
  EXPECT_TRUE(
      contains(D.launch(*K, {1, 1, 1}, {1, 1, 1}, nullptr, 227 * 1024 + 1, *S),
               "232449 bytes of shared memory"));
  EXPECT_EQ(D.Launches, 3u);
  ASSERT_FALSE(bool(D.synchronize()));
  EXPECT_EQ(D.DeviceSyncs, 1u);
}

TEST(DeviceInterfaceTest, ModulesFromSeveralThreads) {
  FakeDevice D;
  std::atomic<unsigned> Failed = 0;
  std::vector<std::thread> Threads;
  for (unsigned T = 0; T < 4; ++T)
    Threads.emplace_back([&] {
      for (unsigned I = 0; I < 200; ++I) {
        Expected<ModuleHandle> M = D.loadModule("ptx");
        if (!M) {
          consumeError(M.takeError());
          ++Failed;
          continue;
        }
        Expected<KernelHandle> K = D.getKernel(*M, "k");
        if (!K) {
          consumeError(K.takeError());
          ++Failed;
        }
        if (Error E = D.unloadModule(*M)) {
          consumeError(std::move(E));
          ++Failed;
        }
      }
    });
  for (std::thread &T : Threads)
    T.join();
  EXPECT_EQ(Failed.load(), 0u);
  EXPECT_EQ(D.modulesLoaded(), 0u);
}

} // namespace
