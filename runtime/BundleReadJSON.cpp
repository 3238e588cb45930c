//===- runtime/BundleReadJSON.cpp - typed access to a bundle's JSON -------===//
//
// The reader's accessors (BundleReader.h): each takes a value that may be
// missing or of the wrong kind and names it, as `plan.steps[0].args[1]`, in
// the error. Slot ids are checked against the slot table read so far.
//
//===----------------------------------------------------------------------===//
#include "BundleFormat.h"
#include "BundleReader.h"

using namespace llvm;

namespace ircgpu::bundle {

Expected<const json::Object *> Reader::object(const json::Value *V,
                                              const At &A) {
  if (!V)
    return fail(A, "missing");
  if (const json::Object *O = V->getAsObject())
    return O;
  return fail(A, "expected an object");
}

Expected<const json::Array *> Reader::array(const json::Value *V, const At &A) {
  if (!V)
    return fail(A, "missing");
  if (const json::Array *Arr = V->getAsArray())
    return Arr;
  return fail(A, "expected an array");
}

Expected<StringRef> Reader::string(const json::Value *V, const At &A) {
  if (!V)
    return fail(A, "missing");
  if (auto S = V->getAsString())
    return *S;
  return fail(A, "expected a string");
}

Expected<int64_t> Reader::integer(const json::Value *V, const At &A,
                                  int64_t Min, int64_t Max) {
  if (!V)
    return fail(A, "missing");
  auto I = V->getAsInteger();
  if (!I)
    return fail(A, "expected an integer");
  if (*I < Min || *I > Max)
    return fail(A, "integer " + Twine(*I) + " out of range (" + Twine(Min) +
                       " to " + Twine(Max) + ")");
  return *I;
}

Expected<bool> Reader::boolean(const json::Value *V, const At &A) {
  if (!V)
    return fail(A, "missing");
  if (auto Bool = V->getAsBoolean())
    return *Bool;
  return fail(A, "expected true or false");
}

Error Reader::onlyKeys(const json::Object &O, const At &A,
                       ArrayRef<StringRef> Known) {
  for (const auto &KV : O)
    if (!is_contained(Known, StringRef(KV.first)))
      return fail(field(A, KV.first), "unexpected field");
  return Error::success();
}

Expected<std::string> Reader::lines(const json::Value *V, const At &A) {
  auto Arr = array(V, A);
  if (!Arr)
    return Arr.takeError();
  std::string Text;
  for (size_t I = 0; I < (*Arr)->size(); ++I) {
    auto L = string(&(**Arr)[I], index(A, I));
    if (!L)
      return L.takeError();
    if (L->contains('\n'))
      return fail(index(A, I), "a line holds a newline");
    Text += *L;
    Text += '\n';
  }
  return Text;
}

Expected<Type> Reader::type(const json::Value *V, const At &A) {
  auto S = string(V, A);
  if (!S)
    return S.takeError();
  Type T = parseType(*S);
  if (!T.isValid() || T.elem() == Scalar::F16 ||
      (T.isPtr() && T.elem() == Scalar::I1))
    return fail(A, "unknown type '" + *S + "'");
  return T;
}

Expected<SlotId> Reader::slot(const json::Value *V, const At &A) {
  if (!V)
    return fail(A, "missing");
  auto I = V->getAsInteger();
  if (!I)
    return fail(A, "expected a slot id");
  if (*I < 0 || uint64_t(*I) >= B.P.Slots.size())
    return fail(A, "slot " + Twine(*I) + " out of range (the plan has " +
                       Twine(B.P.Slots.size()) + " slots)");
  return SlotId(*I);
}

Error Reader::slots(const json::Object &O, StringRef Key, const At &A,
                    std::vector<SlotId> &Out) {
  const json::Value *V = O.get(Key);
  if (!V)
    return Error::success(); // an empty list is not written
  At Here = field(A, Key);
  auto Arr = array(V, Here);
  if (!Arr)
    return Arr.takeError();
  for (size_t I = 0; I < (*Arr)->size(); ++I) {
    auto S = slot(&(**Arr)[I], index(Here, I));
    if (!S)
      return S.takeError();
    Out.push_back(*S);
  }
  return Error::success();
}

Expected<GridDim> Reader::dim(const json::Value *V, const At &A) {
  auto Arr = array(V, A);
  if (!Arr)
    return Arr.takeError();
  if ((*Arr)->size() != 3)
    return fail(A, "expected [lower bound, upper bound, step]");
  SlotId Ids[3];
  for (size_t I = 0; I < 3; ++I) {
    auto S = slot(&(**Arr)[I], index(A, I));
    if (!S)
      return S.takeError();
    Ids[I] = *S;
  }
  return GridDim{Ids[0], Ids[1], Ids[2]};
}

} // namespace ircgpu::bundle
