//===- tests/unit/runtime/DeviceCopyTest.cpp - copies between devices -----===//
//
// copyBetweenDevices over two FakeDevices (FakeDevice.h): the staged path in
// chunks (operations run at once, and deferred to the synchronization of
// their stream, so the staging must wait for each copy before reusing its
// buffer), the peer path where both fakes allow it, forcing the staged path,
// one device, and range and ownership errors before any byte moves.
//
//===----------------------------------------------------------------------===//

#include "FakeDevice.h"

#include <gtest/gtest.h>

#include <numeric>

using namespace ircgpu;
using namespace ircgpu::test;

namespace {

std::string errText(llvm::Error E) { return llvm::toString(std::move(E)); }

class DeviceCopyTest : public ::testing::TestWithParam<bool> {
protected:
  void SetUp() override {
    A.Deferred = B.Deferred = GetParam();
    B.AllocFill = 0xee;
  }
  /// A buffer on D holding 0, 1, 2, ... (mod 251, so that chunks differ).
  DeviceBuffer pattern(FakeDevice &D, uint64_t Bytes) {
    auto Buf = D.alloc(Bytes);
    EXPECT_TRUE(bool(Buf));
    std::vector<uint8_t> V(Bytes);
    for (uint64_t I = 0; I < Bytes; ++I)
      V[I] = uint8_t(I % 251);
    EXPECT_FALSE(bool(D.copyToDevice(*Buf, V.data(), Bytes)));
    return std::move(*Buf);
  }
  std::vector<uint8_t> read(FakeDevice &D, const DeviceBuffer &Buf) {
    std::vector<uint8_t> V(Buf.size());
    EXPECT_FALSE(bool(D.copyToHost(V.data(), Buf, V.size())));
    return V;
  }
  FakeDevice A{"fake:0"}, B{"fake:1"};
};

std::string modeName(const ::testing::TestParamInfo<bool> &I) {
  return I.param ? "Deferred" : "Immediate";
}

TEST_P(DeviceCopyTest, StagedInChunksWithOffsets) {
  const uint64_t Bytes = 10000;
  DeviceBuffer Src = pattern(A, Bytes);
  auto Dst = B.alloc(Bytes + 100);
  ASSERT_TRUE(bool(Dst));
  CrossCopyOptions Opts;
  Opts.ChunkBytes = 1000; // 9 chunks and a part: both staging buffers reused
  auto P = copyBetweenDevices(B, *Dst, 50, A, Src, 7, Bytes - 7 - 30, Opts);
  ASSERT_TRUE(bool(P)) << errText(P.takeError());
  EXPECT_EQ(*P, CopyPath::Staged);
  EXPECT_EQ(A.PeerAsks + B.PeerAsks, 1u); // B said no: A not asked
  std::vector<uint8_t> Got = read(B, *Dst);
  for (uint64_t I = 0; I < Got.size(); ++I) {
    uint8_t Want =
        I < 50 || I >= 50 + Bytes - 37 ? 0xee : uint8_t((I - 43) % 251);
    ASSERT_EQ(Got[I], Want) << "byte " << I;
  }
  // Everything the staging made is gone again.
  EXPECT_TRUE(A.LivePinned.empty());
  EXPECT_EQ(A.PinnedFreed, 2u);
  EXPECT_TRUE(A.LiveStreams.empty());
  EXPECT_TRUE(B.LiveStreams.empty());
  EXPECT_TRUE(B.LiveEvents.empty());
}

TEST_P(DeviceCopyTest, OneChunkAndChunkLargerThanTheCopy) {
  DeviceBuffer Src = pattern(A, 300);
  auto Dst = B.alloc(300);
  ASSERT_TRUE(bool(Dst));
  auto P = copyBetweenDevices(B, *Dst, 0, A, Src, 0, 300); // default chunk
  ASSERT_TRUE(bool(P)) << errText(P.takeError());
  EXPECT_EQ(*P, CopyPath::Staged);
  EXPECT_EQ(read(B, *Dst), read(A, Src));
  EXPECT_EQ(A.PinnedFreed, 1u); // one chunk: one staging buffer
}

TEST_P(DeviceCopyTest, PeerWhereBothAllowItUnlessForcedToStage) {
  A.PeerAccess = B.PeerAccess = true;
  DeviceBuffer Src = pattern(A, 4096);
  auto Dst = B.alloc(4096);
  ASSERT_TRUE(bool(Dst));
  auto P = copyBetweenDevices(B, *Dst, 0, A, Src, 0, 4096);
  ASSERT_TRUE(bool(P)) << errText(P.takeError());
  EXPECT_EQ(*P, CopyPath::Peer);
  EXPECT_EQ(B.PeerCopies, 1u);
  EXPECT_EQ(A.PeerAsks, 1u); // both directions asked
  EXPECT_EQ(B.PeerAsks, 1u);
  EXPECT_EQ(read(B, *Dst), read(A, Src));
  EXPECT_EQ(A.PinnedFreed, 0u);

  // Back the other way, staged.
  auto Back = A.alloc(4096);
  ASSERT_TRUE(bool(Back));
  CrossCopyOptions Opts;
  Opts.ForceStaged = true;
  Opts.ChunkBytes = 1024;
  P = copyBetweenDevices(A, *Back, 0, B, *Dst, 0, 4096, Opts);
  ASSERT_TRUE(bool(P)) << errText(P.takeError());
  EXPECT_EQ(*P, CopyPath::Staged);
  EXPECT_EQ(A.PeerCopies, 0u);
  EXPECT_EQ(read(A, *Back), read(A, Src));
}

TEST_P(DeviceCopyTest, OneDeviceIsACopyOnIt) {
  DeviceBuffer Src = pattern(A, 1000);
  auto Dst = A.alloc(1000);
  ASSERT_TRUE(bool(Dst));
  auto P = copyBetweenDevices(A, *Dst, 0, A, Src, 500, 500);
  ASSERT_TRUE(bool(P)) << errText(P.takeError());
  EXPECT_EQ(*P, CopyPath::SameDevice);
  std::vector<uint8_t> Got = read(A, *Dst);
  EXPECT_EQ(Got[0], uint8_t(500 % 251));
  EXPECT_EQ(A.PeerAsks, 0u);
  // Overlapping ranges of one buffer are refused, as copyOnDevice does.
  P = copyBetweenDevices(A, Src, 0, A, Src, 10, 100);
  ASSERT_FALSE(bool(P));
  EXPECT_NE(errText(P.takeError()).find("overlap"), std::string::npos);
}

TEST_P(DeviceCopyTest, RangesAndOwnershipCheckedBeforeAnyByteMoves) {
  DeviceBuffer Src = pattern(A, 1000);
  auto Dst = B.alloc(1000);
  ASSERT_TRUE(bool(Dst));
  CrossCopyOptions Opts;
  Opts.ChunkBytes = 100;
  auto P = copyBetweenDevices(B, *Dst, 0, A, Src, 1, 1000, Opts);
  ASSERT_FALSE(bool(P));
  EXPECT_EQ(errText(P.takeError()),
            "fake:0: copy to fake:1 (source): bytes [1, 1+1000) outside a "
            "buffer of 1000 bytes");
  P = copyBetweenDevices(B, *Dst, 901, A, Src, 0, 100, Opts);
  ASSERT_FALSE(bool(P));
  EXPECT_EQ(errText(P.takeError()),
            "fake:1: copy from fake:0 (destination): bytes [901, 901+100) "
            "outside a buffer of 1000 bytes");
  // Offsets near 2^64 do not wrap around.
  P = copyBetweenDevices(B, *Dst, 0, A, Src, ~uint64_t(0) - 5, 10, Opts);
  ASSERT_FALSE(bool(P));
  consumeError(P.takeError());
  // Buffers swapped: each belongs to the other device.
  P = copyBetweenDevices(B, Src, 0, A, *Dst, 0, 10, Opts);
  ASSERT_FALSE(bool(P));
  EXPECT_NE(errText(P.takeError()).find("belongs to another device"),
            std::string::npos);
  DeviceBuffer Empty;
  P = copyBetweenDevices(B, *Dst, 0, A, Empty, 0, 0, Opts);
  ASSERT_FALSE(bool(P));
  EXPECT_NE(errText(P.takeError()).find("empty buffer"), std::string::npos);
  // Nothing moved, nothing was staged.
  for (uint8_t Byte : read(B, *Dst))
    ASSERT_EQ(Byte, 0xee);
  EXPECT_EQ(A.PinnedFreed, 0u);
  // Zero bytes: nothing to move, and not an error.
  P = copyBetweenDevices(B, *Dst, 1000, A, Src, 1000, 0, Opts);
  ASSERT_TRUE(bool(P)) << errText(P.takeError());
  EXPECT_EQ(*P, CopyPath::Staged);
}

TEST(DeviceCopyNames, PathNames) {
  EXPECT_EQ(copyPathName(CopyPath::Peer), "peer");
  EXPECT_EQ(copyPathName(CopyPath::Staged), "staged");
  EXPECT_EQ(copyPathName(CopyPath::SameDevice), "same-device");
}

INSTANTIATE_TEST_SUITE_P(Modes, DeviceCopyTest, ::testing::Bool(), modeName);

} // namespace
