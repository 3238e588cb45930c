/* tiny-vm's interpreter tier: a switch over stack bytecode. Its arithmetic
 * is VIR's (spec/vir.md section 3), so that a loop gives the same bits on
 * either tier: integers wrap, division by zero gives 0, float -> int
 * saturates with NaN -> 0, f32 elements are widened to f64 on load and
 * rounded on store. */
#include "vm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int64_t elem_size(int elem) { return elem == E_F32 || elem == E_I32 ? 4 : 8; }
const char *elem_vir(int elem) {
  static const char *n[] = {"f32", "f64", "i32", "i64"};
  return n[elem];
}

static int64_t sdiv(int64_t a, int64_t b) {
  if (b == 0)
    return 0;
  if (b == -1)
    return (int64_t)(0 - (uint64_t)a);
  return a / b;
}
static int64_t srem(int64_t a, int64_t b) {
  if (b == 0 || b == -1)
    return 0;
  return a % b;
}
static int64_t f2i(double d) {
  if (d != d)
    return 0;
  if (d >= 9223372036854775807.0)
    return INT64_MAX;
  if (d <= -9223372036854775808.0)
    return INT64_MIN;
  return (int64_t)d;
}
static int cmp_i(int op, int64_t a, int64_t b) {
  switch (op) {
  case B_EQ:
    return a == b;
  case B_NE:
    return a != b;
  case B_LT:
    return a < b;
  case B_LE:
    return a <= b;
  case B_GT:
    return a > b;
  default:
    return a >= b;
  }
}
/* C's comparisons are VIR's oeq, une, olt, ole, ogt, oge. */
static int cmp_f(int op, double a, double b) {
  switch (op) {
  case B_EQ:
    return a == b;
  case B_NE:
    return a != b;
  case B_LT:
    return a < b;
  case B_LE:
    return a <= b;
  case B_GT:
    return a > b;
  default:
    return a >= b;
  }
}

int array_sync_host(Program *P, Array *A);

static int bounds(Program *P, Array *A, int64_t i) {
  if (i >= 0 && i < A->len && A->data)
    return 1;
  fprintf(stderr, "tiny-vm: error: index %lld out of bounds of %s[%lld]\n",
          (long long)i, A->name, (long long)A->len);
  return 0;
}

static Val aload(Array *A, int64_t i) {
  Val v;
  switch (A->elem) {
  case E_F32:
    v.f = ((float *)A->data)[i];
    break;
  case E_F64:
    v.f = ((double *)A->data)[i];
    break;
  case E_I32:
    v.i = ((int32_t *)A->data)[i];
    break;
  default:
    v.i = ((int64_t *)A->data)[i];
    break;
  }
  return v;
}
static void astore(Array *A, int64_t i, Val v) {
  switch (A->elem) {
  case E_F32:
    ((float *)A->data)[i] = (float)v.f;
    break;
  case E_F64:
    ((double *)A->data)[i] = v.f;
    break;
  case E_I32:
    ((int32_t *)A->data)[i] = (int32_t)(uint32_t)(uint64_t)v.i;
    break;
  default:
    ((int64_t *)A->data)[i] = v.i;
    break;
  }
}

int run_program(Program *P) {
  Val stack[256];
  int sp = 0, pc = 0;
  const int32_t *code = P->code;
  Val *slots = P->slots;
#define POP() (stack[--sp])
#define TOP() (stack[sp - 1])
#define IBIN(expr_)                                                            \
  do {                                                                         \
    uint64_t b = (uint64_t)POP().i, a = (uint64_t)TOP().i;                     \
    TOP().i = (int64_t)(expr_);                                                \
  } while (0)
#define FBIN(op_)                                                              \
  do {                                                                         \
    double b = POP().f;                                                        \
    TOP().f = TOP().f op_ b;                                                   \
  } while (0)
  for (;;) {
    switch (code[pc++]) {
    case OP_ICONST:
    case OP_FCONST:
      stack[sp++] = P->consts[code[pc++]];
      break;
    case OP_LOAD:
      stack[sp++] = slots[code[pc++]];
      break;
    case OP_STORE:
      slots[code[pc++]] = POP();
      break;
    case OP_IADD:
      IBIN(a + b);
      break;
    case OP_ISUB:
      IBIN(a - b);
      break;
    case OP_IMUL:
      IBIN(a * b);
      break;
    case OP_IDIV:
      IBIN(sdiv((int64_t)a, (int64_t)b));
      break;
    case OP_IREM:
      IBIN(srem((int64_t)a, (int64_t)b));
      break;
    case OP_INEG:
      TOP().i = (int64_t)(0 - (uint64_t)TOP().i);
      break;
    case OP_FADD:
      FBIN(+);
      break;
    case OP_FSUB:
      FBIN(-);
      break;
    case OP_FMUL:
      FBIN(*);
      break;
    case OP_FDIV:
      FBIN(/);
      break;
    case OP_FNEG:
      TOP().f = -TOP().f;
      break;
    case OP_ICMP: {
      int64_t b = POP().i;
      TOP().i = cmp_i(code[pc++], TOP().i, b);
      break;
    }
    case OP_FCMP: {
      double b = POP().f;
      TOP().i = cmp_f(code[pc++], TOP().f, b);
      break;
    }
    case OP_NOT:
      TOP().i = TOP().i == 0;
      break;
    case OP_I2F:
      TOP().f = (double)TOP().i;
      break;
    case OP_F2I:
      TOP().i = f2i(TOP().f);
      break;
    case OP_ALOAD: {
      Array *A = &P->arrays[code[pc++]];
      if (A->dev_dirty && array_sync_host(P, A))
        return 1;
      if (!bounds(P, A, TOP().i))
        return 1;
      TOP() = aload(A, TOP().i);
      break;
    }
    case OP_ASTORE: {
      Array *A = &P->arrays[code[pc++]];
      Val v = POP();
      int64_t i = POP().i;
      if (A->dev_dirty && array_sync_host(P, A))
        return 1;
      if (!bounds(P, A, i))
        return 1;
      astore(A, i, v);
      A->host_dirty = 1;
      break;
    }
    case OP_NEWARR: {
      Array *A = &P->arrays[code[pc++]];
      int64_t n = POP().i;
      if (n < 0 || n > ((int64_t)1 << 34)) {
        fprintf(stderr, "tiny-vm: error: bad size %lld for array %s\n",
                (long long)n, A->name);
        return 1;
      }
      free(A->data);
      A->data = calloc(n ? (size_t)n : 1, (size_t)elem_size(A->elem));
      if (!A->data) {
        fprintf(stderr, "tiny-vm: error: out of memory for array %s\n",
                A->name);
        return 1;
      }
      A->len = n;
      A->host_dirty = 1;
      A->dev_dirty = 0;
      break;
    }
    case OP_JMP:
      pc = code[pc];
      break;
    case OP_JZ:
      pc = POP().i ? pc + 1 : code[pc];
      break;
    case OP_PRINTI:
      fprintf(P->out, "%lld%s", (long long)POP().i, code[pc++] ? "\n" : " ");
      break;
    case OP_PRINTF:
      fprintf(P->out, "%.17g%s", POP().f, code[pc++] ? "\n" : " ");
      break;
    case OP_FOR_ENTER: {
      Loop *L = &P->loops[code[pc]];
      int64_t hi = POP().i, lo = POP().i;
      slots[L->node->slot].i = lo;
      slots[L->hi_slot].i = hi;
      int r = lo < hi && P->jit ? jit_for_enter(P, code[pc]) : 0;
      if (r < 0)
        return 1;
      pc = r || lo >= hi ? code[pc + 1] : pc + 2;
      break;
    }
    case OP_FOR_NEXT: {
      Loop *L = &P->loops[code[pc]];
      int64_t i = ++slots[L->node->slot].i;
      L->backedges++;
      P->total_backedges++;
      if (i >= slots[L->hi_slot].i) {
        pc += 2;
        break;
      }
      int r = P->jit ? jit_for_next(P, code[pc]) : 0;
      if (r < 0)
        return 1;
      pc = r ? pc + 2 : code[pc + 1];
      break;
    }
    case OP_BACKEDGE: {
      Loop *L = &P->loops[code[pc]];
      L->backedges++;
      P->total_backedges++;
      if (P->jit)
        jit_while_hot(P, code[pc]);
      pc = code[pc + 1];
      break;
    }
    case OP_HALT:
      return 0;
    default:
      fprintf(stderr, "tiny-vm: internal error: bad opcode at %d\n", pc - 1);
      return 1;
    }
  }
}
