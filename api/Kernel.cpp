//===- api/Kernel.cpp - buffers, and a launch's arguments checked --------===//
//
// The backend-independent half of the API's kernels and buffers: ranges and
// the arguments of a launch are checked here, against the entry's signature,
// before any backend (ApiBackends.cpp) sees them.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Kernel.h"

#include "llvm/ADT/Twine.h"

#include <cstring>

using namespace llvm;

namespace ircgpu {

//===-- Buffer ------------------------------------------------------------===//

Buffer::~Buffer() = default;

void *Buffer::hostData() const {
  return Dev ? nullptr : reinterpret_cast<void *>(uintptr_t(Address));
}

Error Buffer::checkRange(uint64_t Bytes, uint64_t Offset) const {
  if (!Owner)
    return apiError(ErrorCode::InvalidArgument, "copy with an empty Buffer");
  if (Offset > Size || Bytes > Size - Offset)
    return apiError(ErrorCode::InvalidArgument,
                    "copy of " + Twine(Bytes) + " bytes at offset " +
                        Twine(Offset) + " is outside the buffer of " +
                        Twine(Size) + " bytes");
  return Error::success();
}

Error Buffer::writeAsync(const void *Src, uint64_t Bytes, uint64_t Offset,
                         void *S) const {
  if (Error E = checkRange(Bytes, Offset))
    return E;
  if (!Bytes)
    return Error::success();
  if (!Src)
    return apiError(ErrorCode::InvalidArgument, "copy from a null pointer");
  if (!Dev) {
    std::memmove(static_cast<uint8_t *>(hostData()) + Offset, Src, Bytes);
    return Error::success();
  }
  return toApiError(
      Dev->copyToDeviceAsync(Address + Offset, Src, Bytes, Stream::borrow(S)),
      ErrorCode::Runtime);
}

Error Buffer::readAsync(void *Dst, uint64_t Bytes, uint64_t Offset,
                        void *S) const {
  if (Error E = checkRange(Bytes, Offset))
    return E;
  if (!Bytes)
    return Error::success();
  if (!Dst)
    return apiError(ErrorCode::InvalidArgument, "copy to a null pointer");
  if (!Dev) {
    std::memmove(Dst, static_cast<uint8_t *>(hostData()) + Offset, Bytes);
    return Error::success();
  }
  return toApiError(
      Dev->copyToHostAsync(Dst, Address + Offset, Bytes, Stream::borrow(S)),
      ErrorCode::Runtime);
}

Error Buffer::write(const void *Src, uint64_t Bytes, uint64_t Offset,
                    void *S) const {
  if (Error E = writeAsync(Src, Bytes, Offset, S))
    return E;
  if (!Dev || !Bytes)
    return Error::success();
  return toApiError(Dev->synchronize(Stream::borrow(S)), ErrorCode::Runtime);
}

Error Buffer::read(void *Dst, uint64_t Bytes, uint64_t Offset, void *S) const {
  if (Error E = readAsync(Dst, Bytes, Offset, S))
    return E;
  if (!Dev || !Bytes)
    return Error::success();
  return toApiError(Dev->synchronize(Stream::borrow(S)), ErrorCode::Runtime);
}

//===-- Kernel ------------------------------------------------------------===//

Kernel::Kernel(const Function &F, std::string Key, uint64_t Owner)
    : Entry(F.Name), Key(std::move(Key)), ResultTypes(F.ResultTypes),
      Owner(Owner) {
  for (Value P : F.Params) {
    ParamTypes.push_back(F.type(P));
    ParamNames.push_back(F.name(P).str());
  }
}

Kernel::~Kernel() = default;

namespace {

std::string describe(const Arg &A) {
  if (A.Buf)
    return "a buffer";
  if (!A.Ty.isValid())
    return "an argument of no type";
  return "a scalar of type " + A.Ty.str();
}

} // namespace

Expected<std::vector<TypedValue>> Kernel::launch(ArrayRef<Arg> Args,
                                                 void *Stream) const {
  if (Args.size() != ParamTypes.size())
    return apiError(ErrorCode::InvalidArgument,
                    "@" + Entry + " takes " + Twine(ParamTypes.size()) +
                        " arguments, " + Twine(Args.size()) + " given");
  std::vector<Bound> B(Args.size());
  for (size_t I = 0; I < Args.size(); ++I) {
    const Arg &A = Args[I];
    Type T = ParamTypes[I];
    auto Bad = [&](const Twine &Why) {
      std::string Name =
          ParamNames[I].empty() ? "" : " (%" + ParamNames[I] + ")";
      return apiError(ErrorCode::InvalidArgument, "@" + Entry + " argument " +
                                                      Twine(I) + Name + ": " +
                                                      Why);
    };
    if (!T.isPtr()) {
      if (A.Buf || A.Ty != T)
        return Bad("expected a scalar of type " + T.str() + ", got " +
                   describe(A));
      B[I].Bits = A.Bits;
      continue;
    }
    if (!A.Buf)
      return Bad("expected a buffer of " + T.elemType().str() + ", got " +
                 describe(A));
    const Buffer &Buf = *A.Buf;
    if (!Buf.Owner && Buf.Size == 0) {
      B[I] = {0, 0, 0};
      if (A.Count != Arg::WholeBuffer && A.Count != 0)
        return Bad("an empty Buffer has no elements");
      continue;
    }
    if (Buf.Owner != Owner)
      return Bad("the buffer belongs to another context");
    uint64_t Elem = T.bytes();
    uint64_t Fit = Buf.Size / Elem;
    uint64_t Count = A.Count == Arg::WholeBuffer ? Fit : A.Count;
    if (Count > Fit)
      return Bad(Twine(Count) + " elements of " + T.elemType().str() +
                 " do not fit in a buffer of " + Twine(Buf.Size) + " bytes");
    B[I] = {0, Buf.Address, Count};
  }
  auto Bits = run(B, Stream);
  if (!Bits)
    return toApiError(Bits.takeError(), ErrorCode::Runtime, "@" + Entry + ": ");
  std::vector<TypedValue> Out;
  for (size_t I = 0; I < Bits->size() && I < ResultTypes.size(); ++I)
    Out.push_back({ResultTypes[I], (*Bits)[I]});
  return Out;
}

} // namespace ircgpu
