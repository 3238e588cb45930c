//===- runtime/BundleReader.h - the bundle reader's parts -------*- C++ -*-===//
//
// readBundle (include/ircgpu/Bundle.h) in three files:
//   BundleRead.cpp      the document: magic line, checksum, JSON, top-level
//                       fields, code object, source module;
//   BundleReadJSON.cpp  typed access to JSON values (each failure names the
//                       value), slot ids and grid dimensions;
//   BundleReadPlan.cpp  the plan: slot table, steps of every kind, and the
//                       checks over the whole plan (host-known slots).
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_RUNTIME_BUNDLEREADER_H
#define IRCGPU_RUNTIME_BUNDLEREADER_H

#include "ircgpu/Bundle.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <string>
#include <vector>

namespace ircgpu::bundle {

/// Where in the document a value is, as `plan.steps[0].args[1]`.
using At = std::string;
inline At field(const At &A, llvm::StringRef F) {
  return A.empty() ? F.str() : A + "." + F.str();
}
inline At index(const At &A, size_t I) {
  return A + "[" + std::to_string(I) + "]";
}

/// The first diagnostic of VIR that does not parse or verify, located in
/// the text made of the lines.
std::string virError(llvm::Error E);

class Reader {
public:
  explicit Reader(llvm::StringRef Name) : Name(Name) {}
  llvm::Expected<Bundle> read(llvm::StringRef Data);

private:
  llvm::StringRef Name;
  Bundle B;
  std::vector<bool> FuncUsed; ///< by Plan::Code function index

  llvm::Error fail(const llvm::Twine &Msg) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   Name + ": " + Msg);
  }
  llvm::Error fail(const At &A, const llvm::Twine &Msg) {
    return fail(A + ": " + Msg);
  }

  // Typed access to JSON values; each names the value on failure
  // (BundleReadJSON.cpp).
  llvm::Expected<const llvm::json::Object *> object(const llvm::json::Value *V,
                                                    const At &A);
  llvm::Expected<const llvm::json::Array *> array(const llvm::json::Value *V,
                                                  const At &A);
  llvm::Expected<llvm::StringRef> string(const llvm::json::Value *V,
                                         const At &A);
  llvm::Expected<int64_t> integer(const llvm::json::Value *V, const At &A,
                                  int64_t Min, int64_t Max);
  llvm::Expected<bool> boolean(const llvm::json::Value *V, const At &A);
  /// Rejects any key of O not in Known.
  llvm::Error onlyKeys(const llvm::json::Object &O, const At &A,
                       llvm::ArrayRef<llvm::StringRef> Known);
  llvm::Expected<std::string> lines(const llvm::json::Value *V, const At &A);
  llvm::Expected<Type> type(const llvm::json::Value *V, const At &A);
  llvm::Expected<SlotId> slot(const llvm::json::Value *V, const At &A);
  llvm::Error slots(const llvm::json::Object &O, llvm::StringRef Key,
                    const At &A, std::vector<SlotId> &Out);
  llvm::Expected<GridDim> dim(const llvm::json::Value *V, const At &A);

  // The document (BundleRead.cpp).
  llvm::Error header(llvm::StringRef Data, llvm::StringRef &Body);
  llvm::Error options(const llvm::json::Object &Top);
  llvm::Error codeObject(const llvm::json::Object &O, const At &A);
  llvm::Error source(const llvm::json::Value *V, const At &A);

  // The plan (BundleReadPlan.cpp).
  Type slotType(SlotId S) const { return B.P.Slots[S].Ty; }
  llvm::Error writable(SlotId S, const At &A);
  llvm::Error intBounds(const GridDim &D, const At &A);
  llvm::Error plan(const llvm::json::Object &O, const At &A);
  llvm::Error slotTable(const llvm::json::Object &O, const At &A);
  llvm::Error steps(const llvm::json::Object &O, llvm::StringRef Key,
                    const At &A, unsigned Depth, std::vector<PlanStep> &Out);
  llvm::Error step(const llvm::json::Object &O, const At &A, unsigned Depth,
                   PlanStep &S);
  llvm::Error kernelStep(const llvm::json::Object &O, const At &A, PlanStep &S);
  llvm::Error reduction(const llvm::json::Value *V, const At &A,
                        ReductionSpec &R);
  llvm::Error scalarStep(const llvm::json::Object &O, const At &A, PlanStep &S);
  llvm::Error forStep(const llvm::json::Object &O, const At &A, unsigned Depth,
                      PlanStep &S);
  llvm::Error whileStep(const llvm::json::Object &O, const At &A,
                        unsigned Depth, PlanStep &S);
  llvm::Error overlapStep(const llvm::json::Object &O, const At &A,
                          unsigned Depth, PlanStep &S);
  llvm::Error callee(const llvm::json::Object &O, const At &A, PlanStep &S,
                     const Function *&Fn);
  llvm::Error carried(const llvm::json::Object &O, const At &A, PlanStep &S);
  /// Checks over the whole plan, once its steps are read: no step writes a
  /// host-known slot, and every buffer slot read has a buffer.
  llvm::Error hostSlots(const At &StepsAt);
};

} // namespace ircgpu::bundle

#endif
