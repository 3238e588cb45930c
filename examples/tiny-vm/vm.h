/* tiny-vm: a small bytecode VM with a GPU tier through irc-gpu's C API.
 *
 * The pipeline: source -> parse.c (AST, statically typed) -> compile.c
 * (stack bytecode) -> interp.c (the interpreter tier, which counts loop
 * back-edges) -> jit.c (a hot, translatable `for` loop -> VIR text ->
 * ircgpu_compile_async; the loop switches to the GPU tier when the compile is
 * done). README.md describes the language and the tiers. */
#ifndef TINY_VM_H
#define TINY_VM_H

#include <stdint.h>
#include <stdio.h>

/* Expression types: every variable is an i64 (`int`) or an f64 (`float`);
 * comparisons give an int 0 or 1. */
enum { T_INT, T_FLT };
/* Array element types. */
enum { E_F32, E_F64, E_I32, E_I64 };

typedef enum {
  /* expressions */
  N_INT,
  N_FLT,
  N_VAR,
  N_INDEX,
  N_BIN,
  N_NEG,
  N_NOT,
  N_CONV,
  /* statements */
  N_ASSIGN,
  N_STORE,
  N_IF,
  N_WHILE,
  N_FOR,
  N_PRINT,
  N_BLOCK,
  N_ARRAY
} NodeKind;

/* Binary operators (N_BIN's op). */
enum { B_ADD, B_SUB, B_MUL, B_DIV, B_REM, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE };

typedef struct Node Node;
struct Node {
  NodeKind kind;
  int type; /* expressions: T_INT / T_FLT */
  int line;
  int op; /* N_BIN: B_*; N_CONV: the target type */
  int64_t ival;
  double fval;
  int slot; /* N_VAR, N_ASSIGN, N_FOR (loop variable); arrays: array id */
  int decl; /* N_ASSIGN: 1 if it declares the variable */
  Node *a, *b, *c; /* operands; N_FOR: lo, hi, body; N_IF: cond, then, else */
  Node *list;      /* N_BLOCK, N_PRINT: first statement / expression */
  Node *next;      /* next in a list */
  int loop;        /* N_FOR, N_WHILE: loop id */
  /* N_FOR, N_BLOCK: the slots of the variables declared inside are
   * [vlo, vhi) (a `for`'s own variable and hidden bound included). */
  int vlo, vhi;
};

typedef union {
  int64_t i;
  double f;
} Val;

typedef struct {
  char name[64];
  int type; /* T_INT / T_FLT */
} VarInfo;

typedef struct Jit Jit;
typedef struct JitLoop JitLoop;

typedef struct {
  char name[64];
  int elem; /* E_* */
  void *data;
  int64_t len;
  int host_dirty; /* the host copy changed since the device copy was made */
  int dev_dirty;  /* the device copy changed since the host copy was read */
  void *dev;      /* ircgpu_buffer *, owned by jit.c */
  uint64_t dev_bytes;
} Array;

typedef struct {
  Node *node;  /* N_FOR or N_WHILE */
  int parent;  /* enclosing loop id, -1 at top level */
  int hi_slot; /* N_FOR: the hidden slot holding the upper bound */
  int64_t backedges;
  JitLoop *jit; /* jit.c's state for this loop */
} Loop;

typedef struct {
  /* from the parser */
  Node *program;
  VarInfo *vars;
  int nvars;
  Array *arrays;
  int narrays;
  Loop *loops;
  int nloops;
  /* from the bytecode compiler */
  int32_t *code;
  int ncode;
  Val *consts;
  int nconsts;
  /* the interpreter */
  Val *slots;
  int64_t total_backedges; /* interpreted back-edges, all loops */
  FILE *out;
  Jit *jit; /* NULL: --no-jit */
  int verbose;
} Program;

/* parse.c: sets program, vars, arrays, loops; overrides is a list of
 * "NAME=INT" that replace the initialiser of top-level `int NAME = ...`.
 * Returns 0, or prints "file:line: error: ..." and returns 1. */
int parse_program(Program *P, const char *file, const char *src,
                  char **overrides, int noverrides);
/* compile.c: bytecode for P->program. */
void compile_program(Program *P);
/* interp.c: runs the bytecode; 0 or 1 after a run-time error. */
int run_program(Program *P);
/* interp.c: makes the host copy of A current (after GPU-tier writes). */
int array_sync_host(Program *P, Array *A);
int64_t elem_size(int elem);
const char *elem_vir(int elem);

/* jit.c: the GPU tier. device: an ircgpu context spec. NULL with a message
 * in err (static storage) when the context cannot be made. */
Jit *jit_create(Program *P, const char *device, int64_t threshold, int sync,
                const char **err);
void jit_destroy(Jit *J, Program *P);
/* At a `for` loop's entry (its variable and bound set) and at each back-edge
 * (the variable incremented, still below the bound): 1 when the GPU tier ran
 * the rest of the loop (continue after it), 0 to interpret on, -1 after an
 * error (printed). */
int jit_for_enter(Program *P, int loop);
int jit_for_next(Program *P, int loop);
/* A while loop's back-edge passed the threshold: says it stays interpreted. */
void jit_while_hot(Program *P, int loop);
/* --time: per-tier figures. */
void jit_report(Jit *J, FILE *f);

/* Opcodes; operands follow in the code array. */
enum {
  OP_ICONST,
  OP_FCONST, /* const index */
  OP_LOAD,
  OP_STORE, /* slot */
  OP_IADD,
  OP_ISUB,
  OP_IMUL,
  OP_IDIV,
  OP_IREM,
  OP_INEG,
  OP_FADD,
  OP_FSUB,
  OP_FMUL,
  OP_FDIV,
  OP_FNEG,
  OP_ICMP,
  OP_FCMP, /* B_EQ..B_GE */
  OP_NOT,
  OP_I2F,
  OP_F2I,
  OP_ALOAD,
  OP_ASTORE,
  OP_NEWARR, /* array id */
  OP_JMP,
  OP_JZ, /* target */
  OP_PRINTI,
  OP_PRINTF,    /* last (1: newline) */
  OP_FOR_ENTER, /* loop id, exit */
  OP_FOR_NEXT,  /* loop id, body */
  OP_BACKEDGE,  /* loop id, target (while loops) */
  OP_HALT
};

#endif
