//===- Workloads.cpp - inputs, sizes and checks of the workloads ----------===//
//
// Inputs are seeded random values (never zeros: zeros hide unwritten outputs
// and wrong indexing); outputs start poisoned (NaN, or a random border for
// the stencil) so that a missed element fails the check. Each check
// compares with the host's answer in double precision, within a bound
// scaled by the magnitudes involved (float reductions, libdevice math,
// contraction into fma by nvcc); integer and atomic results are exact.
//
//===----------------------------------------------------------------------===//
#include "Workloads.h"

#include "llvm/ADT/StringExtras.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <sstream>

using namespace llvm;

namespace ircbench {

namespace {
#include "EmbeddedWorkloads.inc" // EmbeddedSources[]: {name, text}

uint64_t splitmix(uint64_t X) {
  X += 0x9e3779b97f4a7c15ull;
  X = (X ^ (X >> 30)) * 0xbf58476d1ce4e5b9ull;
  X = (X ^ (X >> 27)) * 0x94d049bb133111ebull;
  return X ^ (X >> 31);
}
/// Uniform in [Lo, Hi), element I of stream Seed.
double uniform(uint64_t Seed, uint64_t I, double Lo, double Hi) {
  double U = double(splitmix(Seed * 0x100000001b3ull + I) >> 11) * 0x1p-53;
  return Lo + U * (Hi - Lo);
}

HostBuffer makeBuffer(const char *Name, Elem Ty, uint64_t Count) {
  HostBuffer B;
  B.Name = Name;
  B.Ty = Ty;
  B.Bytes.resize(Count * elemBytes(Ty));
  return B;
}
HostBuffer randomF32(const char *Name, uint64_t Count, uint64_t Seed, double Lo,
                     double Hi) {
  HostBuffer B = makeBuffer(Name, Elem::F32, Count);
  float *P = B.as<float>();
  for (uint64_t I = 0; I < Count; ++I)
    P[I] = float(uniform(Seed, I, Lo, Hi));
  return B;
}
HostBuffer randomF64(const char *Name, uint64_t Count, uint64_t Seed, double Lo,
                     double Hi) {
  HostBuffer B = makeBuffer(Name, Elem::F64, Count);
  double *P = B.as<double>();
  for (uint64_t I = 0; I < Count; ++I)
    P[I] = uniform(Seed, I, Lo, Hi);
  return B;
}
HostBuffer poisonF32(const char *Name, uint64_t Count) {
  HostBuffer B = makeBuffer(Name, Elem::F32, Count);
  float *P = B.as<float>();
  for (uint64_t I = 0; I < Count; ++I)
    P[I] = std::numeric_limits<float>::quiet_NaN();
  return B;
}

Param scalar(uint64_t Bits) { return {false, Bits, 0}; }
Param bufferParam(unsigned I) { return {true, 0, I}; }
uint64_t f32Bits(float F) { return std::bit_cast<uint32_t>(F); }
float bitsF32(uint64_t B) { return std::bit_cast<float>(uint32_t(B)); }
double bitsF64(uint64_t B) { return std::bit_cast<double>(B); }

std::string fmt(double V) {
  std::ostringstream OS;
  OS.precision(9);
  OS << V;
  return OS.str();
}
/// "" if |Got - Want| <= Tol (NaN never passes), else a message.
std::string close(const char *What, uint64_t I, double Got, double Want,
                  double Tol) {
  if (std::fabs(Got - Want) <= Tol)
    return "";
  return std::string(What) + "[" + std::to_string(I) + "] = " + fmt(Got) +
         ", expected " + fmt(Want) + " (bound " + fmt(Tol) + ")";
}
std::string returnsCount(const Result &R, size_t N) {
  if (R.Returns.size() == N)
    return "";
  return "expected " + std::to_string(N) + " returned values, got " +
         std::to_string(R.Returns.size());
}
const HostBuffer &out(const Instance &In, const Result &R, unsigned I) {
  return R.Buffers[I].Bytes.empty() ? In.Buffers[I] : R.Buffers[I];
}

//===-- saxpy -------------------------------------------------------------===//
constexpr float SaxpyA = 1.75f;
Instance makeSaxpy(ArrayRef<uint64_t> D, uint64_t Seed) {
  Instance In;
  uint64_t N = D[0];
  In.Dims = {N};
  In.Buffers = {randomF32("x", N, Seed, -1, 1),
                randomF32("y", N, Seed + 1, -1, 1)};
  In.Params = {scalar(N), scalar(f32Bits(SaxpyA)), bufferParam(0),
               bufferParam(1)};
  In.Outputs = {1};
  In.Bytes = 3 * 4 * N;
  In.Elements = N;
  return In;
}
std::string checkSaxpy(const Instance &In, const Result &R) {
  const float *X = In.Buffers[0].as<float>(), *Y0 = In.Buffers[1].as<float>();
  const float *Y = out(In, R, 1).as<float>();
  for (uint64_t I = 0, N = In.Dims[0]; I < N; ++I) {
    double AX = double(SaxpyA) * X[I];
    std::string E = close("y", I, Y[I], AX + Y0[I],
                          1e-6 * (std::fabs(AX) + std::fabs(Y0[I])));
    if (!E.empty())
      return E;
  }
  return "";
}

//===-- expsin ------------------------------------------------------------===//
Instance makeExpSin(ArrayRef<uint64_t> D, uint64_t Seed) {
  Instance In;
  uint64_t N = D[0];
  In.Dims = {N};
  In.Buffers = {randomF32("x", N, Seed, -4, 4), poisonF32("y", N)};
  In.Params = {scalar(N), bufferParam(0), bufferParam(1)};
  In.Outputs = {1};
  In.Bytes = 2 * 4 * N;
  In.Elements = N;
  return In;
}
std::string checkExpSin(const Instance &In, const Result &R) {
  const float *X = In.Buffers[0].as<float>();
  const float *Y = out(In, R, 1).as<float>();
  for (uint64_t I = 0, N = In.Dims[0]; I < N; ++I) {
    double E = std::exp(double(X[I]));
    // libdevice's expf and sinf are within 2 ulp each: bound the error by
    // the size of the factors, not the (possibly tiny) product.
    std::string Err = close("y", I, Y[I], E * std::sin(double(X[I])), 1e-6 * E);
    if (!Err.empty())
      return Err;
  }
  return "";
}

//===-- sum, dot ----------------------------------------------------------===//
Instance makeSum(ArrayRef<uint64_t> D, uint64_t Seed) {
  Instance In;
  uint64_t N = D[0];
  In.Dims = {N};
  In.Buffers = {randomF32("x", N, Seed, -1, 1)};
  In.Params = {scalar(N), bufferParam(0)};
  In.Bytes = 4 * N;
  In.Elements = N;
  return In;
}
std::string checkSum(const Instance &In, const Result &R) {
  if (std::string E = returnsCount(R, 1); !E.empty())
    return E;
  const float *X = In.Buffers[0].as<float>();
  double S = 0, A = 0;
  for (uint64_t I = 0, N = In.Dims[0]; I < N; ++I) {
    S += X[I];
    A += std::fabs(X[I]);
  }
  // Any summation order of n floats whose partial sums stay well under
  // sum|x| (random signs) lands far inside 1e-5 * sum|x|.
  return close("sum", 0, bitsF32(R.Returns[0]), S, 1e-5 * A);
}

Instance makeDot(ArrayRef<uint64_t> D, uint64_t Seed) {
  Instance In;
  uint64_t N = D[0];
  In.Dims = {N};
  In.Buffers = {randomF64("x", N, Seed, -1, 1),
                randomF64("y", N, Seed + 1, -1, 1)};
  In.Params = {scalar(N), bufferParam(0), bufferParam(1)};
  In.Bytes = 2 * 8 * N;
  In.Elements = N;
  return In;
}
std::string checkDot(const Instance &In, const Result &R) {
  if (std::string E = returnsCount(R, 1); !E.empty())
    return E;
  const double *X = In.Buffers[0].as<double>(), *Y = In.Buffers[1].as<double>();
  long double S = 0, A = 0;
  for (uint64_t I = 0, N = In.Dims[0]; I < N; ++I) {
    S += (long double)X[I] * Y[I];
    A += std::fabs(X[I] * Y[I]);
  }
  return close("dot", 0, bitsF64(R.Returns[0]), double(S), 1e-12 * double(A));
}

//===-- stencil -----------------------------------------------------------===//
Instance makeStencil(ArrayRef<uint64_t> D, uint64_t Seed) {
  Instance In;
  uint64_t H = D[0], W = D.size() > 1 ? D[1] : D[0];
  In.Dims = {H, W};
  // The output's border is never written: random values there must survive.
  In.Buffers = {randomF32("in", H * W, Seed, -1, 1),
                randomF32("out", H * W, Seed + 1, -1, 1)};
  float *O = In.Buffers[1].as<float>();
  for (uint64_t I = 1; I + 1 < H; ++I)
    for (uint64_t J = 1; J + 1 < W; ++J)
      O[I * W + J] = std::numeric_limits<float>::quiet_NaN();
  In.Params = {scalar(H), scalar(W), bufferParam(0), bufferParam(1)};
  In.Outputs = {1};
  In.Bytes = 2 * 4 * H * W;
  In.Elements = H * W;
  return In;
}
std::string checkStencil(const Instance &In, const Result &R) {
  uint64_t H = In.Dims[0], W = In.Dims[1];
  const float *X = In.Buffers[0].as<float>(), *O0 = In.Buffers[1].as<float>();
  const float *O = out(In, R, 1).as<float>();
  for (uint64_t I = 0; I < H; ++I)
    for (uint64_t J = 0; J < W; ++J) {
      uint64_t C = I * W + J;
      if (I == 0 || J == 0 || I + 1 == H || J + 1 == W) {
        if (std::bit_cast<uint32_t>(O[C]) != std::bit_cast<uint32_t>(O0[C]))
          return "out[" + std::to_string(C) + "] on the border was written";
        continue;
      }
      double T[] = {X[C], X[C - W], X[C + W], X[C - 1], X[C + 1]};
      double S = 0, A = 0;
      for (double V : T)
        S += V, A += std::fabs(V);
      std::string E = close("out", C, O[C], 0.2 * S, 1e-6 * A);
      if (!E.empty())
        return E;
    }
  return "";
}

//===-- matmul ------------------------------------------------------------===//
Instance makeMatmul(ArrayRef<uint64_t> D, uint64_t Seed) {
  Instance In;
  uint64_t N = D[0];
  In.Dims = {N};
  In.Buffers = {randomF32("a", N * N, Seed, -1, 1),
                randomF32("b", N * N, Seed + 1, -1, 1), poisonF32("c", N * N)};
  In.Params = {scalar(N), bufferParam(0), bufferParam(1), bufferParam(2)};
  In.Outputs = {2};
  In.Bytes = 3 * 4 * N * N;
  In.Flops = 2.0 * double(N) * double(N) * double(N);
  In.Elements = N;
  return In;
}
std::string checkMatmul(const Instance &In, const Result &R) {
  uint64_t N = In.Dims[0];
  const float *A = In.Buffers[0].as<float>(), *B = In.Buffers[1].as<float>();
  const float *C = out(In, R, 2).as<float>();
  for (uint64_t I = 0; I < N * N; ++I)
    if (!std::isfinite(C[I]))
      return "c[" + std::to_string(I) + "] = " + fmt(C[I]) + " (not written?)";
  // Every element at a small size; 4096 sampled ones at the full size (the
  // host would need minutes for all of n^3).
  uint64_t Samples = N * N <= 65536 ? N * N : 4096;
  for (uint64_t S = 0; S < Samples; ++S) {
    uint64_t E = Samples == N * N ? S : splitmix(S) % (N * N);
    uint64_t I = E / N, J = E % N;
    double Sum = 0, Abs = 0;
    for (uint64_t K = 0; K < N; ++K) {
      double P = double(A[I * N + K]) * B[K * N + J];
      Sum += P;
      Abs += std::fabs(P);
    }
    std::string Err = close("c", E, C[E], Sum, 1e-5 * Abs + 1e-30);
    if (!Err.empty())
      return Err;
  }
  return "";
}

//===-- histogram ---------------------------------------------------------===//
constexpr uint32_t HistBins = 256;
Instance makeHistogram(ArrayRef<uint64_t> D, uint64_t Seed) {
  Instance In;
  uint64_t N = D[0];
  In.Dims = {N};
  HostBuffer K = makeBuffer("keys", Elem::I32, N);
  int32_t *P = K.as<int32_t>();
  // Skewed keys: half of them fall in 16 hot bins (contention, as real data
  // has), the rest spread over all bins.
  for (uint64_t I = 0; I < N; ++I) {
    uint64_t R = splitmix(Seed * 0x9e37ull + I);
    P[I] = int32_t(uint32_t(R >> 32) & 0x7fffffff);
    if (R & 1)
      P[I] = (P[I] & ~int32_t(HistBins - 1)) | int32_t((R >> 8) & 15);
  }
  In.Buffers = {std::move(K), makeBuffer("hist", Elem::I32, HistBins)};
  In.Params = {scalar(N), scalar(HistBins), bufferParam(0), bufferParam(1)};
  In.Outputs = {1};
  In.Bytes = 4 * N + 4 * HistBins;
  In.Elements = N;
  return In;
}
std::string checkHistogram(const Instance &In, const Result &R) {
  std::vector<int64_t> Want(HistBins);
  const int32_t *K = In.Buffers[0].as<int32_t>();
  for (uint64_t I = 0, N = In.Dims[0]; I < N; ++I)
    ++Want[uint32_t(K[I]) & (HistBins - 1)];
  const int32_t *H0 = In.Buffers[1].as<int32_t>();
  const int32_t *H = out(In, R, 1).as<int32_t>();
  for (uint32_t B = 0; B < HistBins; ++B)
    if (H[B] != H0[B] + Want[B])
      return "hist[" + std::to_string(B) + "] = " + std::to_string(H[B]) +
             ", expected " + std::to_string(H0[B] + Want[B]);
  return "";
}

//===-- normalize ---------------------------------------------------------===//
Instance makeNormalize(ArrayRef<uint64_t> D, uint64_t Seed) {
  Instance In;
  uint64_t N = D[0];
  In.Dims = {N};
  In.Buffers = {randomF32("x", N, Seed, -1, 1), poisonF32("y", N)};
  In.Params = {scalar(N), bufferParam(0), bufferParam(1)};
  In.Outputs = {1};
  In.Bytes = 2 * 4 * N; // x read once (the second pass is counted free)
  In.Elements = N;
  return In;
}
std::string checkNormalize(const Instance &In, const Result &R) {
  if (std::string E = returnsCount(R, 1); !E.empty())
    return E;
  const float *X = In.Buffers[0].as<float>();
  const float *Y = out(In, R, 1).as<float>();
  double SS = 0;
  for (uint64_t I = 0, N = In.Dims[0]; I < N; ++I)
    SS += double(X[I]) * X[I];
  double Norm = std::sqrt(SS);
  if (std::string E =
          close("norm", 0, bitsF32(R.Returns[0]), Norm, 1e-5 * Norm);
      !E.empty())
    return E;
  for (uint64_t I = 0, N = In.Dims[0]; I < N; ++I) {
    double Want = X[I] / Norm;
    std::string E = close("y", I, Y[I], Want, 1e-5 * std::fabs(Want) + 1e-30);
    if (!E.empty())
      return E;
  }
  return "";
}

//===-- minmax ------------------------------------------------------------===//
Instance makeMinMax(ArrayRef<uint64_t> D, uint64_t Seed) {
  Instance In;
  uint64_t N = D[0];
  In.Dims = {N};
  HostBuffer X = makeBuffer("x", Elem::I32, N);
  int32_t *P = X.as<int32_t>();
  for (uint64_t I = 0; I < N; ++I)
    P[I] = int32_t(uint32_t(splitmix(Seed * 0x5bd1ull + I)));
  In.Buffers = {std::move(X)};
  In.Params = {scalar(N), bufferParam(0)};
  In.Bytes = 4 * N;
  In.Elements = N;
  return In;
}
std::string checkMinMax(const Instance &In, const Result &R) {
  if (std::string E = returnsCount(R, 3); !E.empty())
    return E;
  const int32_t *X = In.Buffers[0].as<int32_t>();
  int32_t Lo = INT32_MAX, Hi = INT32_MIN;
  int64_t S = 0;
  for (uint64_t I = 0, N = In.Dims[0]; I < N; ++I) {
    Lo = std::min(Lo, X[I]);
    Hi = std::max(Hi, X[I]);
    S += X[I];
  }
  int32_t GLo = int32_t(uint32_t(R.Returns[0])),
          GHi = int32_t(uint32_t(R.Returns[1]));
  int64_t GS = int64_t(R.Returns[2]);
  if (GLo != Lo || GHi != Hi || GS != S)
    return "(min, max, sum) = (" + std::to_string(GLo) + ", " +
           std::to_string(GHi) + ", " + std::to_string(GS) + "), expected (" +
           std::to_string(Lo) + ", " + std::to_string(Hi) + ", " +
           std::to_string(S) + ")";
  return "";
}

constexpr uint64_t N26 = uint64_t(1) << 26;

const std::vector<Workload> &table() {
  static const std::vector<Workload> T = {
      {"saxpy",
       "saxpy",
       "y = a*x + y, f32, no parallel hint",
       Metric::GBps,
       {N26},
       {1000},
       makeSaxpy,
       checkSaxpy},
      {"expsin",
       "expsin",
       "y = exp(x) * sin(x), f32",
       Metric::GBps,
       {N26},
       {1000},
       makeExpSin,
       checkExpSin},
      {"sum",
       "sum",
       "sum of f32, deterministic tree",
       Metric::GBps,
       {N26},
       {5000},
       makeSum,
       checkSum},
      {"dot",
       "dot",
       "dot product of f64",
       Metric::GBps,
       {N26},
       {5000},
       makeDot,
       checkDot},
      {"stencil",
       "stencil",
       "5-point 2-D stencil, f32",
       Metric::GBps,
       {8192, 8192},
       {37, 70},
       makeStencil,
       checkStencil},
      {"matmul",
       "matmul",
       "naive f32 matmul, sequential k loop",
       Metric::TFLOPs,
       {4096},
       {24},
       makeMatmul,
       checkMatmul},
      {"histogram",
       "histogram",
       "256-bin histogram, i32 atomics",
       Metric::GBps,
       {N26},
       {5000},
       makeHistogram,
       checkHistogram},
      {"normalize",
       "normalize",
       "sum of squares, 1/sqrt, scale: 3 steps",
       Metric::GBps,
       {N26},
       {3000},
       makeNormalize,
       checkNormalize},
      {"minmax",
       "minmax",
       "i32 min, max and i64 sum",
       Metric::GBps,
       {N26},
       {5000},
       makeMinMax,
       checkMinMax},
  };
  return T;
}

} // namespace

unsigned elemBytes(Elem E) { return E == Elem::F64 ? 8 : 4; }

std::string Instance::sizeString() const {
  std::string S;
  for (uint64_t D : Dims)
    S += (S.empty() ? "" : "x") + std::to_string(D);
  return S;
}

ArrayRef<Workload> workloads() { return table(); }

const Workload *findWorkload(StringRef Name) {
  for (const Workload &W : table())
    if (Name == W.Name)
      return &W;
  return nullptr;
}

StringRef workloadSource(StringRef Name) {
  for (const auto &[N, Text] : EmbeddedSources)
    if (Name == N)
      return Text;
  return "";
}

std::vector<ircgpu::InterpArg> interpArgs(const Instance &In, Result &R) {
  std::vector<ircgpu::InterpArg> Args;
  for (const Param &P : In.Params)
    Args.push_back(
        P.IsBuffer ? ircgpu::InterpArg::buffer(R.Buffers[P.Buffer].Bytes.data(),
                                               R.Buffers[P.Buffer].count())
                   : ircgpu::InterpArg::scalar(P.Bits));
  return Args;
}

} // namespace ircbench
