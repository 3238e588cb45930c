//===- tests/unit/runtime/DeviceManagerTest.cpp - several GPUs, no GPU ----===//
//
// The device manager over a table of fake backends (FakeDevice.h): spec
// parsing, enumeration and the `auto` rule, one open per device however many
// threads ask, errors naming the spec; and the built-in table on this
// machine, which may have no driver.
//
//===----------------------------------------------------------------------===//

#include "FakeDevice.h"

#include "ircgpu/DeviceManager.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

std::string errText(llvm::Error E) { return llvm::toString(std::move(E)); }

TEST(DeviceSpecTest, ParsesTheFormsAndNamesABadOne) {
  struct Case {
    const char *Text, *Canonical;
  };
  for (Case C : {Case{"auto", "auto"}, Case{"cuda", "cuda:0"},
                 Case{"cuda:0", "cuda:0"}, Case{"cuda:3", "cuda:3"},
                 Case{"hip", "hip:0"}, Case{"hip:12", "hip:12"}}) {
    auto S = parseDeviceSpec(C.Text);
    ASSERT_TRUE(bool(S)) << C.Text << ": " << errText(S.takeError());
    EXPECT_EQ(S->str(), C.Canonical);
  }
  for (const char *Bad :
       {"", "gpu", "CUDA", "cuda:", "cuda:x", "cuda:-1", "cuda:1:2", "cuda0",
        "hip:", "auto:0", "interp", "cuda:99999999999"}) {
    auto S = parseDeviceSpec(Bad);
    ASSERT_FALSE(bool(S)) << Bad;
    std::string Msg = errText(S.takeError());
    EXPECT_NE(Msg.find("unknown device '" + std::string(Bad) + "'"),
              std::string::npos)
        << Msg;
    EXPECT_NE(Msg.find("expected auto, cuda, cuda:N, hip or hip:N"),
              std::string::npos)
        << Msg;
  }
}

/// A backend of N fakes named Name:0..N-1, counting its opens; Open of an
/// ordinal past the last fails as openCudaDevice does.
struct FakeBackend {
  std::string Name;
  unsigned N = 0;
  std::string Reason = "no device: none plugged in";
  std::atomic<unsigned> Opens = 0, Counts = 0;
  DeviceBackend entry() {
    return {Name,
            [this] {
              ++Counts;
              return DeviceCount{N, N ? "" : Reason};
            },
            [this](unsigned I) -> llvm::Expected<std::unique_ptr<Device>> {
              ++Opens;
              // Long enough for other threads to arrive while it opens.
              std::this_thread::sleep_for(std::chrono::milliseconds(20));
              if (I >= N)
                return llvm::createStringError(
                    "no " + Name + " device " + std::to_string(I) +
                    ": this machine has " + std::to_string(N));
              return std::make_unique<FakeDevice>(Name + ":" +
                                                  std::to_string(I));
            }};
  }
};

TEST(DeviceManagerTest, EnumeratesEveryBackendInOrder) {
  FakeBackend Cuda{"cuda", 2}, Hip{"hip", 1};
  DeviceManager DM({Cuda.entry(), Hip.entry()});
  std::vector<std::string> Specs;
  for (const FoundDevice &F : DM.devices())
    Specs.push_back(F.Spec);
  EXPECT_EQ(Specs, (std::vector<std::string>{"cuda:0", "cuda:1", "hip:0"}));
  EXPECT_TRUE(DM.reasonsForNone().empty());
  DM.devices();
  EXPECT_EQ(Cuda.Counts, 1u); // counted once
  EXPECT_EQ(DM.opens(), 0u);  // listing opens nothing
}

TEST(DeviceManagerTest, AutoIsTheLowestCudaOrdinalThenHip) {
  {
    FakeBackend Cuda{"cuda", 2}, Hip{"hip", 1};
    DeviceManager DM({Cuda.entry(), Hip.entry()});
    auto D = DM.get("auto");
    ASSERT_TRUE(bool(D)) << errText(D.takeError());
    EXPECT_EQ(D->name(), "cuda:0");
    auto D0 = DM.get("cuda:0");
    ASSERT_TRUE(bool(D0));
    EXPECT_EQ(&*D0, &*D); // one Device per GPU
    EXPECT_EQ(DM.opens(), 1u);
  }
  {
    FakeBackend Cuda{"cuda", 0, "no CUDA driver: not here"}, Hip{"hip", 2};
    DeviceManager DM({Cuda.entry(), Hip.entry()});
    auto D = DM.get("auto");
    ASSERT_TRUE(bool(D)) << errText(D.takeError());
    EXPECT_EQ(D->name(), "hip:0");
    EXPECT_EQ(DM.reasonsForNone(),
              std::vector<std::string>{"cuda: no CUDA driver: not here"});
  }
  {
    FakeBackend Cuda{"cuda", 0, "no CUDA driver: not here"},
        Hip{"hip", 0, "no HIP device: none"};
    DeviceManager DM({Cuda.entry(), Hip.entry()});
    EXPECT_TRUE(DM.devices().empty());
    auto D = DM.get("auto");
    ASSERT_FALSE(bool(D));
    EXPECT_EQ(errText(D.takeError()),
              "device 'auto': no GPU device found (cuda: no CUDA driver: not "
              "here; hip: no HIP device: none)");
    EXPECT_EQ(DM.opens(), 0u);
  }
}

TEST(DeviceManagerTest, ErrorsNameTheSpecAsWritten) {
  FakeBackend Cuda{"cuda", 1};
  DeviceManager DM({Cuda.entry()});
  auto D = DM.get("cuda:1");
  ASSERT_FALSE(bool(D));
  EXPECT_EQ(errText(D.takeError()),
            "device 'cuda:1': no cuda device 1: this machine has 1");
  D = DM.get("hip");
  ASSERT_FALSE(bool(D));
  EXPECT_EQ(errText(D.takeError()),
            "device 'hip': no HIP runtime in this build");
  D = DM.get("gpu:0");
  ASSERT_FALSE(bool(D));
  EXPECT_NE(errText(D.takeError()).find("unknown device 'gpu:0'"),
            std::string::npos);
  // A failed open is not kept: asking again tries again.
  unsigned Before = Cuda.Opens;
  consumeError(DM.get("cuda:1").takeError());
  EXPECT_EQ(Cuda.Opens, Before + 1);
  // "cuda" is cuda:0, and says "cuda" in messages.
  auto D0 = DM.get("cuda");
  ASSERT_TRUE(bool(D0)) << errText(D0.takeError());
  EXPECT_EQ(D0->name(), "cuda:0");
}

TEST(DeviceManagerTest, ManyThreadsAskingForOneDeviceOpenItOnce) {
  FakeBackend Cuda{"cuda", 2};
  DeviceManager DM({Cuda.entry()});
  constexpr unsigned Threads = 8;
  std::vector<Device *> Got(Threads, nullptr);
  std::vector<std::thread> Ts;
  for (unsigned T = 0; T < Threads; ++T)
    Ts.emplace_back([&, T] {
      // Half ask for cuda:1 by name, half for auto (cuda:0) then cuda:1.
      if (T % 2)
        consumeError(DM.get("auto").takeError());
      auto D = DM.get("cuda:1");
      if (D)
        Got[T] = &*D;
      else
        consumeError(D.takeError());
    });
  for (std::thread &T : Ts)
    T.join();
  for (Device *D : Got) {
    ASSERT_NE(D, nullptr);
    EXPECT_EQ(D, Got[0]);
  }
  EXPECT_EQ(Got[0]->name(), "cuda:1");
  EXPECT_EQ(Cuda.Opens, 2u); // cuda:0 once, cuda:1 once
  EXPECT_EQ(Cuda.Counts, 1u);
}

TEST(DeviceManagerTest, BuiltinTableOnThisMachine) {
  // CI has no GPU and maybe no driver: the count is then 0 with a reason,
  // never an error; `auto` then fails naming it.
  DeviceCount C = countCudaDevices();
  if (C.Count == 0) {
    EXPECT_FALSE(C.Reason.empty());
    DeviceManager DM(builtinDeviceBackends());
    EXPECT_TRUE(DM.devices().empty());
    ASSERT_EQ(DM.reasonsForNone().size(), DM.backends().size());
    EXPECT_EQ(DM.reasonsForNone()[0], "cuda: " + C.Reason);
    auto D = DM.get("auto");
    ASSERT_FALSE(bool(D));
    EXPECT_NE(errText(D.takeError()).find(C.Reason), std::string::npos);
    return;
  }
  // A GPU machine: the manager opens each device once.
  DeviceManager &DM = processDeviceManager();
  EXPECT_GE(DM.devices().size(), C.Count);
  auto D = DM.get("auto");
  ASSERT_TRUE(bool(D)) << errText(D.takeError());
  EXPECT_EQ(D->name(), "cuda:0");
  auto Past = DM.get("cuda:" + std::to_string(C.Count));
  ASSERT_FALSE(bool(Past));
  EXPECT_NE(errText(Past.takeError()).find("this machine has"),
            std::string::npos);
}

} // namespace
