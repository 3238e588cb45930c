//===- tests/unit/runtime/CudaDeviceTest.cpp - the Device interface -------===//
//
// Without a GPU (CI): openCudaDevice answers a clean error, and the shared
// half of Device (range checks, module bookkeeping, RAII buffers) is checked
// over a fake backend on host memory. With a GPU, a round trip through the
// real driver; those tests skip when no device can be opened.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Device.h"

#include "llvm/Support/Error.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
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

//===-- the shared half, over host memory ---------------------------------===//

class FakeDevice final : public Device {
public:
  FakeDevice() : Device(DeviceInfo{"fake", 9, 0, 1 << 20, 1, 1024}) {}
  ~FakeDevice() override { EXPECT_TRUE(Blocks.empty()); }
  std::string name() const override { return "fake:0"; }

  std::map<DevicePtr, std::vector<uint8_t>> Blocks;
  unsigned Activations = 0, Launches = 0;
  std::string LastImage;

private:
  uint8_t *at(DevicePtr P) {
    auto It = std::prev(Blocks.upper_bound(P));
    return It->second.data() + (P - It->first);
  }
  Error activateImpl() override {
    ++Activations;
    return Error::success();
  }
  Expected<DevicePtr> allocImpl(uint64_t Bytes) override {
    if (Bytes > info().TotalMemory)
      return createStringError("fake:0: out of memory");
    DevicePtr P = 0x1000 * (Blocks.size() + 1) * 0x10000;
    Blocks[P].resize(Bytes);
    return P;
  }
  Error freeImpl(DevicePtr P) override {
    Blocks.erase(P);
    return Error::success();
  }
  Error copyToDeviceImpl(DevicePtr Dst, const void *Src,
                         uint64_t Bytes) override {
    std::memcpy(at(Dst), Src, Bytes);
    return Error::success();
  }
  Error copyToHostImpl(void *Dst, DevicePtr Src, uint64_t Bytes) override {
    std::memcpy(Dst, at(Src), Bytes);
    return Error::success();
  }
  Error copyOnDeviceImpl(DevicePtr Dst, DevicePtr Src,
                         uint64_t Bytes) override {
    std::memmove(at(Dst), at(Src), Bytes);
    return Error::success();
  }
  Error memsetImpl(DevicePtr Dst, uint8_t V, uint64_t Bytes) override {
    std::memset(at(Dst), V, Bytes);
    return Error::success();
  }
  Expected<void *> loadModuleImpl(StringRef Image) override {
    // The NUL promised to backends (PTX is read up to one).
    EXPECT_EQ(Image.data()[Image.size()], '\0');
    LastImage = Image.str();
    return reinterpret_cast<void *>(uintptr_t(0x42));
  }
  Error unloadModuleImpl(void *) override { return Error::success(); }
  Expected<void *> getKernelImpl(void *, StringRef Name) override {
    if (Name != "k")
      return createStringError("no kernel " + Name.str());
    return reinterpret_cast<void *>(uintptr_t(0x43));
  }
  Error launchImpl(void *, Dim3, Dim3, void **, unsigned) override {
    ++Launches;
    return Error::success();
  }
  Error synchronizeImpl() override { return Error::success(); }
};

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
  EXPECT_GT(D.Activations, 0u);
}

} // namespace
