//===- ircgpu/Builder.h - the only way to create VIR ops --------*- C++ -*-===//
//
// A VM builds VIR in memory with this class; the text parser uses it too, so
// both get the same checks. Every create/begin/end call checks operand types
// (the rules of spec §3-4) and SSA scoping (a value is visible in the region
// that defines it and in regions nested in it) before it changes the module,
// and reports a BuildError otherwise. A module built without errors is
// well-typed; verify() (Verifier.h) adds the whole-module checks (callees,
// recursion).
//
// Usage:
//   Module M; Builder B(M);
//   Function *F = cantFail(B.declareFunction("saxpy", {Type::i64(), ...},
//   ...)); cantFail(B.beginBody(*F)); auto Idx =
//   cantFail(B.beginFor(B.intLiteral(Type::i64(), 0), B.param(0), ...));
//   ...
//   cantFail(B.endFor({}));
//   cantFail(B.finishBody({}));
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_BUILDER_H
#define IRCGPU_BUILDER_H

#include "ircgpu/IR.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

namespace ircgpu {

/// A rejected build step: what is wrong and, where one operand is at fault,
/// its index among the op's operands (-1: the op as a whole), so that a parser
/// can point at the offending token.
class BuildError : public llvm::ErrorInfo<BuildError> {
public:
  static char ID;
  BuildError(std::string Msg, int Operand = -1)
      : Msg(std::move(Msg)), Operand(Operand) {}
  void log(llvm::raw_ostream &OS) const override;
  std::error_code convertToErrorCode() const override;
  std::string message() const override { return Msg; }
  int operand() const { return Operand; }

private:
  std::string Msg;
  int Operand;
};

/// Extra facts of a non-region op.
struct OpAttrs {
  uint8_t Sub = 0;       ///< ICmpPred, FCmpPred or AtomicKind
  uint8_t Flags = 0;     ///< FlagAfn for math ops
  Type To = {};          ///< cast: the result type; const: the type
  uint32_t Callee = ~0u; ///< call: index of the callee function
};

class Builder {
public:
  explicit Builder(Module &M);

  /// Declares a function signature (the body is built later with beginBody).
  /// Attrs has one ParamAttr mask per parameter (or is empty).
  llvm::Expected<Function *>
  declareFunction(llvm::StringRef Name, llvm::ArrayRef<Type> ParamTypes,
                  llvm::ArrayRef<uint8_t> Attrs, llvm::ArrayRef<Type> Results,
                  llvm::ArrayRef<llvm::StringRef> ParamNames = {},
                  SrcLoc Loc = {});
  /// Starts building F's body; F must be declared and have no body yet.
  llvm::Error beginBody(Function &F);
  Value param(unsigned I) const { return Cur->Params[I]; }
  Function *function() const { return Cur; }

  /// An immediate operand (no op is created). Bits as in ValueInfo::Bits.
  llvm::Expected<Value> literal(Type Ty, uint64_t Bits, SrcLoc Loc = {});
  Value intLiteral(Type Ty, int64_t V, SrcLoc Loc = {});
  Value floatLiteral(Type Ty, double V, SrcLoc Loc = {});

  /// Appends a non-region op and returns its results (atomics and cmpxchg
  /// always have one result, which may stay unused).
  llvm::Expected<llvm::SmallVector<Value, 2>>
  create(Opcode C, llvm::ArrayRef<Value> Operands, OpAttrs A = {},
         SrcLoc Loc = {}, llvm::ArrayRef<llvm::StringRef> ResultNames = {});
  /// create() for ops with exactly one result.
  llvm::Expected<Value> create1(Opcode C, llvm::ArrayRef<Value> Operands,
                                OpAttrs A = {}, SrcLoc Loc = {},
                                llvm::StringRef ResultName = "");

  /// `for`: returns [index, iter args...]; the insertion point moves into the
  /// body. IterTypes are the declared types; Inits must match them.
  llvm::Expected<llvm::SmallVector<Value, 4>>
  beginFor(Value LB, Value UB, Value Step, llvm::ArrayRef<Value> Inits,
           llvm::ArrayRef<Type> IterTypes, uint8_t Flags = 0, SrcLoc Loc = {},
           llvm::StringRef IndexName = "",
           llvm::ArrayRef<llvm::StringRef> IterNames = {});
  llvm::Expected<llvm::SmallVector<Value, 2>>
  endFor(llvm::ArrayRef<Value> Yields, SrcLoc YieldLoc = {},
         llvm::ArrayRef<llvm::StringRef> ResultNames = {});

  /// `if`: results need both branches (beginElse) and a yield in each.
  llvm::Error beginIf(Value Cond, llvm::ArrayRef<Type> ResultTypes,
                      SrcLoc Loc = {});
  llvm::Error beginElse(llvm::ArrayRef<Value> ThenYields, SrcLoc YieldLoc = {});
  llvm::Expected<llvm::SmallVector<Value, 2>>
  endIf(llvm::ArrayRef<Value> Yields, SrcLoc YieldLoc = {},
        llvm::ArrayRef<llvm::StringRef> ResultNames = {});

  /// `while`: returns the loop variables; insertion moves into the condition
  /// region, beginDo ends it with `condition Cond` and moves to the do region.
  llvm::Expected<llvm::SmallVector<Value, 2>>
  beginWhile(llvm::ArrayRef<Value> Inits, llvm::ArrayRef<Type> Types,
             SrcLoc Loc = {}, llvm::ArrayRef<llvm::StringRef> Names = {});
  llvm::Error beginDo(Value Cond, SrcLoc CondLoc = {});
  llvm::Expected<llvm::SmallVector<Value, 2>>
  endWhile(llvm::ArrayRef<Value> Yields, SrcLoc YieldLoc = {},
           llvm::ArrayRef<llvm::StringRef> ResultNames = {});

  /// Appends `ret` and closes the function; every region must be closed.
  llvm::Error finishBody(llvm::ArrayRef<Value> Values, SrcLoc Loc = {});

  /// Number of regions currently open in the function being built.
  unsigned depth() const { return Frames.size(); }

private:
  struct Frame {
    Op *Parent;          // the region op; null for the function body
    Region *Reg;         // where ops are appended
    uint32_t Scope;      // values defined here belong to this scope
    uint32_t OuterScope; // while: the loop variables' scope; else NoScope
    llvm::SmallVector<Type, 2> YieldTypes; // what the region must yield
  };
  llvm::Error checkVisible(llvm::ArrayRef<Value> Vs, int FirstIndex = 0) const;
  llvm::Error checkYield(llvm::ArrayRef<Value> Yields,
                         llvm::ArrayRef<Type> Want, llvm::StringRef What) const;
  Value define(Type Ty, ValueKind K, SrcLoc Loc, llvm::StringRef Name);
  llvm::SmallVector<Value, 2>
  defineResults(Op &O, llvm::ArrayRef<Type> Tys,
                llvm::ArrayRef<llvm::StringRef> Names);
  llvm::Error needBody() const;
  Op &appendOp(Op O);
  uint32_t openScope();
  llvm::Error checkDepth() const;
  void pushFrame(Op *Parent, Region *Reg, llvm::ArrayRef<Type> YieldTypes,
                 uint32_t OuterScope);
  void closeTop();
  llvm::Expected<llvm::SmallVector<Value, 2>>
  closeRegionOp(llvm::ArrayRef<Value> Yields, SrcLoc YieldLoc,
                llvm::ArrayRef<llvm::StringRef> ResultNames,
                llvm::StringRef What);
  llvm::Error expectTop(Opcode C, unsigned RegionIndex,
                        llvm::StringRef Call) const;
  llvm::Error checkCarried(llvm::ArrayRef<Value> Inits,
                           llvm::ArrayRef<Type> Types, llvm::StringRef Owner,
                           llvm::StringRef What, int FirstOperand) const;
  llvm::Expected<Type> checkDeclType(Type T, llvm::StringRef What) const;

  Module &M;
  Function *Cur = nullptr;
  std::vector<Frame> Frames;
  std::vector<uint32_t> ValueScope; // by Value::Id; AlwaysVisible for literals
  std::vector<bool> ScopeOpen;      // by scope serial
  llvm::StringMap<uint32_t> FunctionIndex; // names declared so far
  static constexpr uint32_t AlwaysVisible = ~0u;
  static constexpr uint32_t NoScope = ~0u - 1;
};

/// The type rule of spec §3: the result types of a non-region op, or why its
/// operands are wrong. Shared by the Builder and the Verifier.
llvm::Expected<llvm::SmallVector<Type, 1>>
inferResultTypes(const Module &M, const Function &F, const Op &O);

} // namespace ircgpu

#endif
