//===- ircgpu/IR.h - VIR in memory ------------------------------*- C++ -*-===//
//
// The in-memory form of VIR (spec/vir.md). A Module owns Functions; a Function
// owns its body Region and an arena of values; Regions own Ops; Ops own their
// nested Regions. A Value is a 32-bit index into its function's arena, so
// operands are compact and copying a Value is free.
//
// Ops are created only through ircgpu::Builder (Builder.h), which checks types
// and scoping as it goes; the verifier (Verifier.h) re-checks a whole module.
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_IR_H
#define IRCGPU_IR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ircgpu {

/// Limits enforced with diagnostics (docs/ir.md, "Limits").
inline constexpr unsigned MaxNestingDepth = 256; ///< nested regions
inline constexpr unsigned MaxParams = 256;       ///< per function
inline constexpr unsigned MaxResults = 64;       ///< per op / function

/// Element kinds. F16 parses but is rejected as unsupported (spec §1).
enum class Scalar : uint8_t { I1, I8, I16, I32, I64, F16, F32, F64 };

/// A scalar type or `ptr<scalar>`. Default-constructed = invalid.
class Type {
public:
  constexpr Type() = default;
  static constexpr Type scalar(Scalar S) { return Type(S, false); }
  static constexpr Type ptr(Scalar S) { return Type(S, true); }
  static constexpr Type i1() { return scalar(Scalar::I1); }
  static constexpr Type i32() { return scalar(Scalar::I32); }
  static constexpr Type i64() { return scalar(Scalar::I64); }
  static constexpr Type f32() { return scalar(Scalar::F32); }
  static constexpr Type f64() { return scalar(Scalar::F64); }

  bool isValid() const { return Valid; }
  bool isPtr() const { return Valid && Ptr; }
  bool isScalar() const { return Valid && !Ptr; }
  bool isInt() const { return isScalar() && S <= Scalar::I64; }
  bool isFloat() const { return isScalar() && S >= Scalar::F16; }
  /// The scalar itself, or the element type of a pointer.
  Scalar elem() const { return S; }
  Type elemType() const { return scalar(S); }
  /// Bit width of the scalar (of the element for pointers).
  unsigned bits() const;
  /// Bytes per element in memory (i1 never lives in memory; 1).
  unsigned bytes() const { return bits() <= 8 ? 1 : bits() / 8; }

  bool operator==(const Type &O) const {
    return Valid == O.Valid && (!Valid || (S == O.S && Ptr == O.Ptr));
  }
  bool operator!=(const Type &O) const { return !(*this == O); }

  /// `i32`, `ptr<f32>`, ...
  std::string str() const;

private:
  constexpr Type(Scalar S, bool P) : S(S), Ptr(P), Valid(true) {}
  Scalar S = Scalar::I1;
  bool Ptr = false;
  bool Valid = false;
};

llvm::StringRef scalarName(Scalar S);

/// 1-based line and column in the source text; 0 = no location (built in
/// memory).
struct SrcLoc {
  uint32_t Line = 0, Col = 0;
  bool isValid() const { return Line != 0; }
};

enum class Opcode : uint8_t {
#define IRC_OP(E, N, K) E,
#include "ircgpu/Ops.def"
};
/// The groups of Ops.def: ops of one kind share type rule and syntax.
enum class OpKind : uint8_t {
  Const,
  IntBinary,
  IntUnary,
  FloatBinary,
  FloatUnary,
  MathUnary,
  MathBinary,
  MathTernary,
  ICmp,
  FCmp,
  Select,
  Cast,
  Load,
  Store,
  Offset,
  Atomic,
  CmpXchg,
  Call,
  Ret,
  For,
  If,
  While,
  Yield,
  Condition
};
inline constexpr unsigned NumOpcodes = 0
#define IRC_OP(E, N, K) +1
#include "ircgpu/Ops.def"
    ;
llvm::StringRef opcodeName(Opcode C);
OpKind opcodeKind(Opcode C);
/// Whether ops of kind K compute their results from their operands alone:
/// no memory access, no call, no control flow (CSE, DCE and the affine
/// index model may look through them).
bool isPure(OpKind K);

enum class ICmpPred : uint8_t {
  EQ,
  NE,
  SLT,
  SLE,
  SGT,
  SGE,
  ULT,
  ULE,
  UGT,
  UGE
};
enum class FCmpPred : uint8_t {
  OEQ,
  ONE,
  OLT,
  OLE,
  OGT,
  OGE,
  UEQ,
  UNE,
  ULT,
  ULE,
  UGT,
  UGE,
  ORD,
  UNO
};
/// `min`/`max` read integers as signed; `umin`/`umax` as unsigned.
enum class AtomicKind : uint8_t {
  Add,
  FAdd,
  Min,
  Max,
  UMin,
  UMax,
  FMin,
  FMax,
  And,
  Or,
  Xor,
  Xchg
};
llvm::StringRef icmpPredName(ICmpPred P);
llvm::StringRef fcmpPredName(FCmpPred P);
llvm::StringRef atomicKindName(AtomicKind K);

/// Op::Flags bits.
enum OpFlag : uint8_t {
  FlagParallel = 1, ///< for: iterations promised independent
  FlagReassoc = 2,  ///< for: float reductions may be reordered
  FlagAfn = 4,      ///< math: approximate function allowed
  FlagHasElse = 8,  ///< if: the else region was written
};

/// Parameter attributes (promises from the VM; spec §2).
enum ParamAttr : uint8_t {
  AttrNoAlias = 1,
  AttrReadOnly = 2,
  AttrWriteOnly = 4
};

/// An SSA value: an index into the owning Function's value arena.
struct Value {
  uint32_t Id = ~0u;
  bool isValid() const { return Id != ~0u; }
  bool operator==(Value O) const { return Id == O.Id; }
  bool operator!=(Value O) const { return Id != O.Id; }
};

enum class ValueKind : uint8_t { Param, RegionArg, OpResult, Literal };

struct ValueInfo {
  Type Ty;
  ValueKind Kind = ValueKind::OpResult;
  /// For literals: the bits of the value, zero-extended to 64 (floats are
  /// their IEEE bit pattern, f32 in the low 32 bits).
  uint64_t Bits = 0;
  SrcLoc Loc;
};

struct Region;

/// One operation. Operand layout by kind (results in Results):
///   Const: [literal]            Load: [ptr, index]      Store: [ptr, index,
///   value] Offset: [ptr, k]            Atomic: [ptr, index, value] (Sub =
///   AtomicKind) CmpXchg: [ptr, index, expected, new]                ICmp/FCmp:
///   Sub = predicate Call: args (Callee = index in Module) Ret/Yield: values
///   Condition: [cond]           Select: [cond, a, b]    Cast: [a] (to = result
///   type) For: [lb, ub, step, inits...]; Regions[0] args = [index, iter
///   args...] If: [cond]; Regions[0] = then, Regions[1] = else (empty unless
///   FlagHasElse) While: [inits...]; Regions[0] = condition region, args = loop
///   variables,
///          ends in Condition; Regions[1] = do region, no args (the loop
///          variables of Regions[0] are visible in it too), ends in Yield.
/// A region whose parent has no results ends without a terminator (an empty
/// `yield` is not stored); the function body ends in Ret.
struct Op {
  Opcode Code = Opcode::Const;
  uint8_t Sub = 0;
  uint8_t Flags = 0;
  uint32_t Callee = ~0u;
  SrcLoc Loc;
  llvm::SmallVector<Value, 3> Operands;
  llvm::SmallVector<Value, 1> Results;
  std::vector<Region> Regions;

  OpKind kind() const { return opcodeKind(Code); }
  bool hasFlag(OpFlag F) const { return Flags & F; }
};

struct Region {
  llvm::SmallVector<Value, 2> Args;
  std::vector<Op> Ops;
};

class Function {
public:
  std::string Name;
  SrcLoc Loc;
  std::vector<Value> Params;
  std::vector<uint8_t> ParamAttrs; ///< ParamAttr bits, one per parameter
  std::vector<Type> ResultTypes;
  Region Body;

  const ValueInfo &info(Value V) const { return Values[V.Id]; }
  Type type(Value V) const { return Values[V.Id].Ty; }
  bool isLiteral(Value V) const {
    return Values[V.Id].Kind == ValueKind::Literal;
  }
  /// The source name without `%`, or "" for a value built without one.
  llvm::StringRef name(Value V) const { return Names[V.Id]; }
  size_t numValues() const { return Values.size(); }

  /// Arena allocation; used by the Builder.
  Value newValue(Type Ty, ValueKind K, SrcLoc Loc = {},
                 llvm::StringRef Name = "", uint64_t Bits = 0);

  /// Visits every op in program order, nested regions after their op header
  /// (pre-order). Depth is bounded by MaxNestingDepth.
  template <typename F> void walk(F &&Fn) const { walkRegion(Body, Fn); }
  template <typename F> void walk(F &&Fn) { walkRegion(Body, Fn); }

private:
  template <typename R, typename F> static void walkRegion(R &Reg, F &Fn) {
    for (auto &O : Reg.Ops) {
      Fn(O);
      for (auto &Sub : O.Regions)
        walkRegion(Sub, Fn);
    }
  }
  std::vector<ValueInfo> Values;
  std::vector<std::string> Names;
};

class Module {
public:
  std::vector<std::unique_ptr<Function>> Functions;

  Function *lookup(llvm::StringRef Name) const;
  /// Index of the function named Name, or -1.
  int indexOf(llvm::StringRef Name) const;
};

} // namespace ircgpu

#endif
