//===- ir/VerifierImpl.h - the verifier's state, shared by its files ------===//
//
// The verifier is one class split over three files: Verifier.cpp (values,
// scopes, plain ops, terminators, the driver), VerifyRegionOps.cpp (for, if,
// while) and VerifyCallGraph.cpp (recursion, size once inlined). See Verifier.cpp for what it
// checks.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_IR_VERIFIERIMPL_H
#define IRCGPU_IR_VERIFIERIMPL_H

#include "ircgpu/Builder.h"
#include "ircgpu/Diagnostics.h"
#include "ircgpu/Literal.h"
#include "ircgpu/Verifier.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <string>
#include <vector>

namespace ircgpu::verifier {

inline bool isF16(Type T) { return T.isValid() && T.elem() == Scalar::F16; }

inline std::string plural(size_t N, llvm::StringRef One, llvm::StringRef Many) {
  return (llvm::Twine(N) + " " + (N == 1 ? One : Many)).str();
}

/// Whether Msg names @Name (so that a location-less message need not add it).
inline bool mentions(llvm::StringRef Msg, llvm::StringRef Name) {
  std::string At = ("@" + Name).str();
  for (size_t Pos = Msg.find(At); Pos != llvm::StringRef::npos;
       Pos = Msg.find(At, Pos + 1)) {
    size_t End = Pos + At.size();
    if (End == Msg.size() ||
        !(llvm::isAlnum(Msg[End]) || Msg[End] == '_' || Msg[End] == '.'))
      return true;
  }
  return false;
}

/// Visits the ops under R in pre-order (program order), without recursion.
template <typename Fn> void forEachOp(const Region &R, Fn &&Visit) {
  struct Pos {
    const Region *R;
    size_t Next;
  };
  std::vector<Pos> Work{{&R, 0}};
  while (!Work.empty()) {
    Pos &P = Work.back();
    if (P.Next == P.R->Ops.size()) {
      Work.pop_back();
      continue;
    }
    const Op &O = P.R->Ops[P.Next++];
    Visit(O);
    for (size_t I = O.Regions.size(); I-- > 0;)
      Work.push_back({&O.Regions[I], 0}); // P is invalid from here on
  }
}

/// Which terminator a region must end in.
struct TermSpec {
  enum Kind { None, Ret, Yield, Condition } K = None;
  llvm::SmallVector<Type, 2> Types; ///< what the terminator carries
  std::string Owner;                ///< "'for' body", "@f", ...
};

class Verifier {
public:
  explicit Verifier(const Module &M) : M(M), Calls(M.Functions.size()) {}

  llvm::Error run();

private:
  // --- reporting ----------------------------------------------------------
  void error(SrcLoc L, const llvm::Twine &Msg);
  SrcLoc operandLoc(const Op &O, int Index) const;

  // --- values ---------------------------------------------------------------
  bool validValue(Value V) const { return V.Id < F->numValues(); }
  std::string ref(Value V) const;
  std::string typeProblem(Type T) const;
  void define(Value V, ValueKind Want, SrcLoc L, const llvm::Twine &What,
              bool CheckType = true);
  bool use(const Op &O, unsigned Index);
  void pushScope() { Scopes.emplace_back(); }
  void popScope();

  // --- functions, regions, ops ---------------------------------------------
  void verifyFunction(unsigned Index);
  void verifyRegion(const Region &R, const TermSpec &Spec, unsigned Depth,
                    SrcLoc OwnerLoc);
  void verifyOp(const Op &O, unsigned Depth);
  bool verifyShape(const Op &O);
  void verifyPlainOp(const Op &O);
  void verifyTerminator(const Op &O, const TermSpec &Spec, bool Last);
  void verifyFor(const Op &O, unsigned Depth);
  void verifyIf(const Op &O, unsigned Depth);
  void verifyWhile(const Op &O, unsigned Depth);
  void checkResults(const Op &O, llvm::ArrayRef<Type> Want);
  void defineResults(const Op &O);
  void checkAccess(const Op &O);
  bool tooDeep(const Op &O, unsigned Depth);

  // --- module ---------------------------------------------------------------
  void verifyNames();
  /// Whether the call graph has a cycle (each is reported).
  bool verifyRecursion();
  void verifyInlinedSize();

  const Module &M;
  std::vector<Diagnostic> Diags;

  struct CallEdge {
    uint32_t To;
    SrcLoc Loc;
    uint64_t Count; ///< calls from the caller to To
  };
  std::vector<std::vector<CallEdge>>
      Calls;                     ///< by caller, first call per callee
  std::vector<uint64_t> OwnOps;  ///< by function: ops, nested ones included
  std::vector<bool> SignatureOk; ///< parameters are values of their function

  // Per function.
  const Function *F = nullptr;
  enum : uint8_t { Undefined, Visible, OutOfScope };
  std::vector<uint8_t> State; ///< by Value::Id
  std::vector<std::vector<uint32_t>> Scopes;
  struct PendingUse {
    SrcLoc Loc;
    Opcode Code;
    Value V;
  };
  std::vector<PendingUse> Pending; ///< uses of values not (yet) defined
  std::vector<int32_t>
      PtrRoot; ///< by Value::Id: the parameter a pointer derives from, or -1
};

} // namespace ircgpu::verifier

#endif
