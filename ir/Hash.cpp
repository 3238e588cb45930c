//===- ir/Hash.cpp - the content hash of a module
//--------------------------===//
//
// moduleHash = BLAKE3 over a canonical, name-free binary encoding of the
// module and the HashInputs, as 64 lowercase hex digits.
//
// Encoding (all integers little-endian; every string and every list carries
// its length first, so that the encoding is prefix-free and no two different
// modules produce the same bytes):
//
//   u32      = 4 bytes, u64 = 8 bytes, u8 = 1 byte
//   str      = u32 length, then the bytes
//   type     = u8 valid (0/1), u8 scalar (Scalar enum), u8 is-ptr (0/1)
//
//   hash     = str "irc-gpu/vir-hash" , u32 encoding version (1)
//              u32 #functions, function*
//              str entry, str target,
//              u32 #options, str* (options sorted bytewise; duplicates kept)
//              str compilerVersion()
//   function = str name
//              u32 #params, (type, u8 attrs)*        (attrs 0 when absent)
//              u32 #results, type*
//              region (the body)
//   region   = u32 #args, type*        (each arg gets the next value number)
//              u32 #ops, op*           (ops in order, each in pre-order)
//   op       = u8 opcode, u8 Sub, u8 Flags, u32 Callee
//              u32 #operands, operand*
//              u32 #results, type*     (each result gets the next value number)
//              u32 #regions, region*
//   operand  = u8 0, type, u64 bits          a literal (its type and bits)
//            | u8 1, u32 number              a value numbered before
//            | u8 2, u32 arena id            anything else (only in modules
//                                            the verifier rejects)
//
// Value numbers are per function, in order of definition: parameters first
// (0..n-1), then region arguments and op results in walk order (an op's
// results are numbered before its regions are walked). Names, source
// locations and the value arena's order never enter the encoding, so
// renaming values, reformatting or commenting text leaves the hash unchanged;
// everything that decides what the module computes is encoded.
//
// The walk is iterative (an explicit stack), so modules nested deeper than
// MaxNestingDepth still hash (the verifier rejects them).
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Hash.h"

#include "ircgpu/Version.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/BLAKE3.h"

#include <algorithm>
#include <cstring>

using namespace ircgpu;

namespace {

constexpr uint32_t EncodingVersion = 1;

class Encoder {
public:
  void u8(uint8_t V) { H.update(llvm::ArrayRef<uint8_t>(&V, 1)); }
  void u32(uint32_t V) {
    uint8_t B[4];
    for (int I = 0; I < 4; ++I)
      B[I] = static_cast<uint8_t>(V >> (8 * I));
    H.update(B);
  }
  void u64(uint64_t V) {
    uint8_t B[8];
    for (int I = 0; I < 8; ++I)
      B[I] = static_cast<uint8_t>(V >> (8 * I));
    H.update(B);
  }
  void len(size_t N) { u32(static_cast<uint32_t>(N)); }
  void str(llvm::StringRef S) {
    len(S.size());
    H.update(S);
  }
  void type(Type T) {
    u8(T.isValid() ? 1 : 0);
    u8(T.isValid() ? static_cast<uint8_t>(T.elem()) : 0);
    u8(T.isPtr() ? 1 : 0);
  }
  std::string hex() {
    auto Out = H.final();
    return llvm::toHex(Out, /*LowerCase=*/true);
  }

private:
  llvm::BLAKE3 H;
};

class FunctionEncoder {
public:
  FunctionEncoder(Encoder &E, const Function &F)
      : E(E), F(F), Number(F.numValues(), Unnumbered) {}

  void run() {
    E.str(F.Name);
    E.len(F.Params.size());
    for (size_t I = 0; I < F.Params.size(); ++I) {
      Value P = F.Params[I];
      E.type(valid(P) ? F.type(P) : Type());
      E.u8(I < F.ParamAttrs.size() ? F.ParamAttrs[I] : 0);
      define(P);
    }
    E.len(F.ResultTypes.size());
    for (Type T : F.ResultTypes)
      E.type(T);
    walk();
  }

private:
  static constexpr uint32_t Unnumbered = ~0u;

  bool valid(Value V) const { return V.Id < F.numValues(); }
  void define(Value V) {
    if (valid(V) && Number[V.Id] == Unnumbered)
      Number[V.Id] = Next;
    ++Next; // numbers follow definition positions even in broken modules
  }
  void region(const Region &R) {
    E.len(R.Args.size());
    for (Value A : R.Args) {
      E.type(valid(A) ? F.type(A) : Type());
      define(A);
    }
    E.len(R.Ops.size());
  }
  void operand(Value V) {
    if (valid(V) && F.isLiteral(V)) {
      E.u8(0);
      E.type(F.type(V));
      E.u64(F.info(V).Bits);
    } else if (valid(V) && Number[V.Id] != Unnumbered) {
      E.u8(1);
      E.u32(Number[V.Id]);
    } else {
      E.u8(2);
      E.u32(V.Id);
    }
  }
  void op(const Op &O) {
    E.u8(static_cast<uint8_t>(O.Code));
    E.u8(O.Sub);
    E.u8(O.Flags);
    E.u32(O.Callee);
    E.len(O.Operands.size());
    for (Value V : O.Operands)
      operand(V);
    E.len(O.Results.size());
    for (Value R : O.Results) {
      E.type(valid(R) ? F.type(R) : Type());
      define(R);
    }
    E.len(O.Regions.size());
  }
  /// Pre-order over the body with an explicit stack. A region's header is
  /// written when the walk reaches it (Next == Unstarted), so the regions of
  /// an op follow each other in order, each with all its ops.
  void walk() {
    constexpr size_t Unstarted = ~size_t(0);
    struct Pos {
      const Region *R;
      size_t Next;
    };
    std::vector<Pos> Work{{&F.Body, Unstarted}};
    while (!Work.empty()) {
      Pos &P = Work.back();
      if (P.Next == Unstarted) {
        region(*P.R);
        P.Next = 0;
      }
      if (P.Next == P.R->Ops.size()) {
        Work.pop_back();
        continue;
      }
      const Op &O = P.R->Ops[P.Next++];
      op(O);
      for (size_t I = O.Regions.size(); I-- > 0;)
        Work.push_back({&O.Regions[I], Unstarted}); // P is invalid from here on
    }
  }

  Encoder &E;
  const Function &F;
  std::vector<uint32_t> Number;
  uint32_t Next = 0;
};

} // namespace

std::string ircgpu::moduleHash(const Module &M, const HashInputs &In) {
  Encoder E;
  E.str("irc-gpu/vir-hash");
  E.u32(EncodingVersion);
  E.len(M.Functions.size());
  for (const auto &F : M.Functions)
    FunctionEncoder(E, *F).run();
  E.str(In.Entry);
  E.str(In.Target);
  std::vector<std::string> Options = In.Options;
  std::sort(Options.begin(), Options.end());
  E.len(Options.size());
  for (const std::string &O : Options)
    E.str(O);
  E.str(compilerVersion());
  return E.hex();
}
