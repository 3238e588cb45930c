/* tiny-vm's bytecode compiler: the typed AST -> stack bytecode. Each loop
 * keeps its id in its loop opcodes, so the interpreter can count its
 * back-edges and the JIT can find its AST. */
#include "vm.h"

#include <stdlib.h>

static void emit(Program *P, int32_t w) {
  static int cap;
  if (P->ncode == cap) {
    cap = cap ? 2 * cap : 256;
    P->code = realloc(P->code, cap * sizeof *P->code);
    if (!P->code)
      exit(2);
  }
  P->code[P->ncode++] = w;
}

static int add_const(Program *P, Val v) {
  P->consts = realloc(P->consts, (P->nconsts + 1) * sizeof *P->consts);
  if (!P->consts)
    exit(2);
  P->consts[P->nconsts] = v;
  return P->nconsts++;
}

static void expr(Program *P, Node *n) {
  Val v;
  switch (n->kind) {
  case N_INT:
    v.i = n->ival;
    emit(P, OP_ICONST);
    emit(P, add_const(P, v));
    return;
  case N_FLT:
    v.f = n->fval;
    emit(P, OP_FCONST);
    emit(P, add_const(P, v));
    return;
  case N_VAR:
    emit(P, OP_LOAD);
    emit(P, n->slot);
    return;
  case N_INDEX:
    expr(P, n->a);
    emit(P, OP_ALOAD);
    emit(P, n->slot);
    return;
  case N_NEG:
    expr(P, n->a);
    emit(P, n->type == T_FLT ? OP_FNEG : OP_INEG);
    return;
  case N_NOT:
    expr(P, n->a);
    emit(P, OP_NOT);
    return;
  case N_CONV:
    expr(P, n->a);
    emit(P, n->op == T_FLT ? OP_I2F : OP_F2I);
    return;
  case N_BIN: {
    int flt = n->a->type == T_FLT;
    expr(P, n->a);
    expr(P, n->b);
    if (n->op >= B_EQ) {
      emit(P, flt ? OP_FCMP : OP_ICMP);
      emit(P, n->op);
      return;
    }
    static const int iops[] = {OP_IADD, OP_ISUB, OP_IMUL, OP_IDIV, OP_IREM};
    static const int fops[] = {OP_FADD, OP_FSUB, OP_FMUL, OP_FDIV, OP_FADD};
    emit(P, flt ? fops[n->op] : iops[n->op]);
    return;
  }
  default:
    return;
  }
}

static void stmt(Program *P, Node *n) {
  switch (n->kind) {
  case N_BLOCK:
    for (Node *s = n->list; s; s = s->next)
      stmt(P, s);
    return;
  case N_ASSIGN:
    expr(P, n->a);
    emit(P, OP_STORE);
    emit(P, n->slot);
    return;
  case N_STORE:
    expr(P, n->a);
    expr(P, n->b);
    emit(P, OP_ASTORE);
    emit(P, n->slot);
    return;
  case N_ARRAY:
    expr(P, n->a);
    emit(P, OP_NEWARR);
    emit(P, n->slot);
    return;
  case N_PRINT:
    for (Node *e = n->list; e; e = e->next) {
      expr(P, e);
      emit(P, e->type == T_FLT ? OP_PRINTF : OP_PRINTI);
      emit(P, e->next == NULL);
    }
    return;
  case N_IF: {
    expr(P, n->a);
    emit(P, OP_JZ);
    int jz = P->ncode;
    emit(P, 0);
    stmt(P, n->b);
    if (n->c) {
      emit(P, OP_JMP);
      int jmp = P->ncode;
      emit(P, 0);
      P->code[jz] = P->ncode;
      stmt(P, n->c);
      P->code[jmp] = P->ncode;
    } else {
      P->code[jz] = P->ncode;
    }
    return;
  }
  case N_WHILE: {
    int head = P->ncode;
    expr(P, n->a);
    emit(P, OP_JZ);
    int jz = P->ncode;
    emit(P, 0);
    stmt(P, n->b);
    emit(P, OP_BACKEDGE);
    emit(P, n->loop);
    emit(P, head);
    P->code[jz] = P->ncode;
    return;
  }
  case N_FOR: {
    /* lo hi FOR_ENTER: sets the variable and the hidden bound, skips an
     * empty loop; FOR_NEXT: increments, counts, jumps back while i < hi. */
    expr(P, n->a);
    expr(P, n->b);
    emit(P, OP_FOR_ENTER);
    emit(P, n->loop);
    int exit_at = P->ncode;
    emit(P, 0);
    int body = P->ncode;
    stmt(P, n->c);
    emit(P, OP_FOR_NEXT);
    emit(P, n->loop);
    emit(P, body);
    P->code[exit_at] = P->ncode;
    return;
  }
  default:
    return;
  }
}

void compile_program(Program *P) {
  stmt(P, P->program);
  emit(P, OP_HALT);
}
