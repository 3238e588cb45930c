//===- tests/unit/runtime/CudaErrorTest.cpp - driver statuses as errors ---===//
//
// check() over a driver whose only entry points are the two error-string
// calls: a fault that leaves the context unusable (a sticky error) says so;
// an ordinary failure (out of memory) does not, since the context survives
// it (tests/device/faults.cpp shows both on a GPU).
//
//===----------------------------------------------------------------------===//

#include "ircgpu/Diagnostics.h"
#include "runtime/cuda/CudaDriver.h"

#include <gtest/gtest.h>

using namespace ircgpu;
using namespace ircgpu::cuda;
using namespace llvm;

namespace {

CUresult errorName(CUresult R, const char **Out) {
  switch (R) {
  case CUDA_ERROR_ILLEGAL_ADDRESS:
    *Out = "CUDA_ERROR_ILLEGAL_ADDRESS";
    return CUDA_SUCCESS;
  case CUDA_ERROR_OUT_OF_MEMORY:
    *Out = "CUDA_ERROR_OUT_OF_MEMORY";
    return CUDA_SUCCESS;
  default:
    return 1; // CUDA_ERROR_INVALID_VALUE: a code this driver does not know
  }
}

CUresult errorString(CUresult R, const char **Out) {
  if (R != CUDA_ERROR_ILLEGAL_ADDRESS && R != CUDA_ERROR_OUT_OF_MEMORY)
    return 1;
  *Out = "a description";
  return CUDA_SUCCESS;
}

CudaDriver fakeDriver() {
  CudaDriver D{};
  D.cuGetErrorName = errorName;
  D.cuGetErrorString = errorString;
  return D;
}

TEST(CudaErrorTest, StickyFaultSaysTheContextIsUnusable) {
  CudaDriver D = fakeDriver();
  Error E = check(D, CUDA_ERROR_ILLEGAL_ADDRESS, "cuda:0: synchronizing");
  ASSERT_TRUE(E.isA<RuntimeError>());
  std::string Msg = toString(std::move(E));
  EXPECT_EQ(Msg, "cuda:0: synchronizing: CUDA_ERROR_ILLEGAL_ADDRESS (a "
                 "description); a kernel faulted: the device's CUDA context "
                 "is unusable from now on (every later operation on it "
                 "fails); restart the process");
}

TEST(CudaErrorTest, OutOfMemoryLeavesTheContextAlone) {
  CudaDriver D = fakeDriver();
  std::string Msg = toString(
      check(D, CUDA_ERROR_OUT_OF_MEMORY, "cuda:0: allocating 1 bytes"));
  EXPECT_EQ(Msg, "cuda:0: allocating 1 bytes: CUDA_ERROR_OUT_OF_MEMORY (a "
                 "description)");
}

TEST(CudaErrorTest, UnknownCodeAndSuccess) {
  CudaDriver D = fakeDriver();
  EXPECT_EQ(toString(check(D, 12345, "doing it")),
            "doing it: CUDA error 12345 (no description)");
  EXPECT_FALSE(bool(check(D, CUDA_SUCCESS, "fine")));
}

TEST(CudaErrorTest, StickyCodesAreTheKernelFaults) {
  for (CUresult R : {700, 702, 710, 714, 715, 716, 717, 718, 719})
    EXPECT_TRUE(isStickyError(R)) << R;
  for (CUresult R : {0, 1, 2, 100, 200, 218, 701, 704, 999})
    EXPECT_FALSE(isStickyError(R)) << R;
}

} // namespace
