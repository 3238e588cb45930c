//===- tests/unit/runtime/HipDeviceTest.cpp - the HIP backend -------------===//
//
// No machine of this project has an AMD GPU: what is checked everywhere is
// that the HIP backend fails cleanly (no runtime library, no device) and
// says which. Where the runtime is installed (CI installs libamdhip64-5), it
// is the real runtime answering hipErrorNoDevice. With an AMD GPU, a round
// trip through the real runtime; those tests skip when none can be opened.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Device.h"
#include "runtime/hip/HipDriver.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Error.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <vector>

using namespace ircgpu;
using namespace llvm;

namespace {

std::string errorText(Error E) { return toString(std::move(E)); }

bool contains(const std::string &S, const char *Part) {
  return S.find(Part) != std::string::npos;
}

TEST(HipDriverTest, MissingLibraryIsAClearError) {
  Expected<hip::HipDriver> D =
      hip::loadHipDriverFrom("/nonexistent/libamdhip64.so.5");
  ASSERT_FALSE(bool(D));
  std::string Msg = errorText(D.takeError());
  EXPECT_TRUE(contains(Msg, "no HIP runtime: /nonexistent/libamdhip64.so.5 "
                            "could not be loaded ("))
      << Msg;
}

TEST(HipDriverTest, LibraryWithoutTheEntryPointsIsRefused) {
  // Always present, and certainly no HIP runtime.
  Expected<hip::HipDriver> D = hip::loadHipDriverFrom("libc.so.6");
  ASSERT_FALSE(bool(D));
  std::string Msg = errorText(D.takeError());
  EXPECT_TRUE(contains(Msg, "libc.so.6 has no hipInit")) << Msg;
}

TEST(HipDriverTest, ArchIsTheGcnArchNameWithoutFeatures) {
  EXPECT_EQ(hip::archFromGcnArchName("gfx90a:sramecc+:xnack-"), "gfx90a");
  EXPECT_EQ(hip::archFromGcnArchName("gfx1100"), "gfx1100");
  EXPECT_EQ(hip::archFromGcnArchName("gfx940:sramecc+"), "gfx940");
  EXPECT_EQ(hip::archFromGcnArchName(""), "");
}

TEST(HipDriverTest, StatusBecomesNamedError) {
  if (std::getenv(hip::HipLibraryEnvVar))
    GTEST_SKIP() << hip::HipLibraryEnvVar << " is set";
  Expected<const hip::HipDriver &> D = hip::loadHipDriver();
  if (!D)
    GTEST_SKIP() << "no HIP runtime: " << errorText(D.takeError());
  EXPECT_FALSE(bool(hip::check(*D, hip::hipSuccess, "nothing")));
  std::string Msg =
      errorText(hip::check(*D, hip::hipErrorNoDevice, "counting devices"));
  EXPECT_TRUE(contains(Msg, "counting devices: hipErrorNoDevice")) << Msg;
  // A runtime of the versions the declarations were checked against.
  int Major = D->Version / 10000000;
  EXPECT_TRUE(Major == 5 || Major == 6) << D->Version;
}

/// An ELF header alone: no sections, no segments.
std::string elfHeader(uint16_t Machine) {
  ELF::Elf64_Ehdr H{};
  std::memcpy(H.e_ident, ELF::ElfMagic, 4);
  H.e_ident[ELF::EI_CLASS] = ELF::ELFCLASS64;
  H.e_ident[ELF::EI_DATA] = ELF::ELFDATA2LSB;
  H.e_machine = Machine;
  H.e_ehsize = sizeof(H);
  return std::string(reinterpret_cast<const char *>(&H), sizeof(H));
}

TEST(HipDriverTest, CodeObjectCheck) {
  EXPECT_FALSE(bool(hip::checkCodeObject(elfHeader(ELF::EM_AMDGPU))));
  std::string Msg = errorText(hip::checkCodeObject(".version 8.0\n"));
  EXPECT_TRUE(contains(Msg, "not an AMD code object: neither ELF")) << Msg;
  Msg = errorText(hip::checkCodeObject(elfHeader(ELF::EM_CUDA)));
  EXPECT_TRUE(contains(Msg, "not AMDGPU")) << Msg;
  Msg =
      errorText(hip::checkCodeObject(elfHeader(ELF::EM_AMDGPU).substr(0, 40)));
  EXPECT_TRUE(contains(Msg, "truncated ELF header")) << Msg;
  // Section headers said to lie past the end.
  std::string Elf = elfHeader(ELF::EM_AMDGPU);
  ELF::Elf64_Ehdr H;
  std::memcpy(&H, Elf.data(), sizeof(H));
  H.e_shoff = sizeof(H);
  H.e_shnum = 3;
  H.e_shentsize = sizeof(ELF::Elf64_Shdr);
  std::memcpy(Elf.data(), &H, sizeof(H));
  Msg = errorText(hip::checkCodeObject(Elf));
  EXPECT_TRUE(contains(Msg, "past the end")) << Msg;
}

TEST(HipDriverTest, OffloadBundleCheck) {
  auto U64 = [](uint64_t V) {
    char B[8];
    support::endian::write64le(B, V);
    return std::string(B, 8);
  };
  std::string Code = elfHeader(ELF::EM_AMDGPU);
  std::string Triple = "hipv4-amdgcn-amd-amdhsa--gfx90a";
  std::string Head = "__CLANG_OFFLOAD_BUNDLE__" + U64(1);
  uint64_t Off = Head.size() + 24 + Triple.size();
  std::string Bundle =
      Head + U64(Off) + U64(Code.size()) + U64(Triple.size()) + Triple + Code;
  EXPECT_FALSE(bool(hip::checkCodeObject(Bundle)));
  std::string Msg =
      errorText(hip::checkCodeObject(Bundle.substr(0, Bundle.size() - 1)));
  EXPECT_TRUE(contains(Msg, "past the end")) << Msg;
  Msg = errorText(hip::checkCodeObject(Head.substr(0, 30)));
  EXPECT_TRUE(contains(Msg, "without entries")) << Msg;
}

TEST(HipDriverTest, LoadingTheRuntimePreloadsComgr) {
  if (std::getenv(hip::HipLibraryEnvVar))
    GTEST_SKIP() << hip::HipLibraryEnvVar << " is set";
  if (!hip::preloadsComgr())
    GTEST_SKIP() << "sanitized build: comgr is not preloaded";
  Expected<const hip::HipDriver &> D = hip::loadHipDriver();
  if (!D)
    GTEST_SKIP() << "no HIP runtime: " << errorText(D.takeError());
  bool HasComgr = false;
  for (const char *N : hip::ComgrLibraries)
    if (void *L = dlopen(N, RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD)) {
      HasComgr = true;
      dlclose(L);
    }
  // Debian's libamdhip64-5 depends on libamd-comgr2.
  EXPECT_TRUE(HasComgr);
}

TEST(DeviceInfoTest, ArchIsTheBackendsOrTheComputeCapability) {
  DeviceInfo I;
  I.ComputeMajor = 8;
  I.ComputeMinor = 6;
  EXPECT_EQ(I.archName(), "sm_86");
  I.Arch = "gfx90a";
  EXPECT_EQ(I.archName(), "gfx90a");
}

//===-- the device, through the real runtime where it is installed -------===//

TEST(HipDeviceTest, OpenAnswersDeviceOrNoHipDevice) {
  Expected<std::unique_ptr<Device>> Dev = openHipDevice(0);
  if (Dev) {
    EXPECT_EQ((*Dev)->name(), "hip:0");
    EXPECT_TRUE(StringRef((*Dev)->info().archName()).starts_with("gfx"));
    return;
  }
  // Whether the runtime is missing or answers hipErrorNoDevice, the message
  // starts the same and then says which.
  std::string Msg = errorText(Dev.takeError());
  EXPECT_TRUE(contains(Msg, "no HIP device")) << Msg;
  EXPECT_TRUE(contains(Msg, "no HIP runtime") ||
              contains(Msg, "hipErrorNoDevice") ||
              contains(Msg, "the runtime reports 0"))
      << Msg;
}

TEST(HipDeviceTest, HugeOrdinalIsAnError) {
  Expected<std::unique_ptr<Device>> Dev = openHipDevice(1000);
  ASSERT_FALSE(bool(Dev));
  EXPECT_TRUE(contains(errorText(Dev.takeError()), "no HIP device"));
}

TEST(HipDeviceTest, CountIsZeroWithTheReasonOrTheDevices) {
  DeviceCount C = countHipDevices();
  Expected<std::unique_ptr<Device>> Dev = openHipDevice(0);
  if (C.Count == 0) {
    ASSERT_FALSE(bool(Dev));
    // The reason is the error opening a device gives.
    EXPECT_EQ(C.Reason, errorText(Dev.takeError()));
    EXPECT_TRUE(contains(C.Reason, "no HIP device")) << C.Reason;
  } else {
    EXPECT_TRUE(C.Reason.empty()) << C.Reason;
    EXPECT_TRUE(bool(Dev)) << errorText(Dev.takeError());
  }
}

class HipGpuTest : public ::testing::Test {
protected:
  void SetUp() override {
    Expected<std::unique_ptr<Device>> D = openHipDevice(0);
    if (!D)
      GTEST_SKIP() << errorText(D.takeError());
    Dev = std::move(*D);
  }
  std::unique_ptr<Device> Dev;
};

TEST_F(HipGpuTest, RoundTrip) {
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

TEST_F(HipGpuTest, StreamsAndEvents) {
  Expected<Stream> S = Dev->createStream();
  ASSERT_TRUE(bool(S)) << errorText(S.takeError());
  Expected<Event> E0 = Dev->createEvent(), E1 = Dev->createEvent();
  ASSERT_TRUE(bool(E0) && bool(E1));
  ASSERT_FALSE(bool(Dev->record(*E0, *S)));
  ASSERT_FALSE(bool(Dev->record(*E1, *S)));
  ASSERT_FALSE(bool(Dev->synchronize(*S)));
  Expected<float> Ms = Dev->elapsedMs(*E0, *E1);
  ASSERT_TRUE(bool(Ms)) << errorText(Ms.takeError());
  EXPECT_GE(*Ms, 0.0f);
}

TEST_F(HipGpuTest, InfoHasTheLaunchLimits) {
  const DeviceInfo &I = Dev->info();
  EXPECT_TRUE(I.WarpSize == 32 || I.WarpSize == 64) << I.WarpSize;
  EXPECT_GE(I.MaxBlockDim.X, 256u);
  EXPECT_GT(I.MaxGridDim.X, 0u);
  EXPECT_GT(I.MaxSharedMemoryPerBlock, 0);
  EXPECT_GT(I.TotalMemory, 0u);
}

TEST_F(HipGpuTest, GarbageModuleFailsCleanly) {
  Expected<ModuleHandle> M = Dev->loadModule("not a code object");
  ASSERT_FALSE(bool(M));
  EXPECT_TRUE(contains(errorText(M.takeError()), "loading a module"));
}

} // namespace
