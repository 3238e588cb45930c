/* tiny-vm's translator: a `for` loop nest's AST -> VIR text (spec/vir.md).
 *
 * The loop becomes `func @loop_LINE_ID(%lo: i64, %hi: i64, <scalars it
 * reads>, <scalars it assigns>, <arrays>) -> (<scalars it assigns>)`: one
 * VIR `for %i = %lo to %hi` whose `iter` arguments carry the variables
 * declared outside the loop that the body assigns (reductions such as
 * `s += x[i]`; irc-gpu proves the rest). %lo is where the GPU tier starts,
 * so a loop can switch tiers in the middle. What is not translatable is said
 * in one line (jit.c prints it with --verbose). */
#include "translate.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  Program *P;
  Node *top;
  Translation *T;
  char *why;
  size_t whylen;
  /* emission */
  char *text;
  size_t len, cap;
  int tmp;
  char (*env)[24]; /* slot -> the VIR value holding it now */
} Tr;

static void out(Tr *X, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int n = vsnprintf(X->text + X->len, X->cap - X->len, fmt, ap);
    va_end(ap);
    if (X->len + (size_t)n < X->cap) {
      X->len += (size_t)n;
      return;
    }
    X->cap = 2 * X->cap + (size_t)n + 1024;
    X->text = realloc(X->text, X->cap);
    if (!X->text)
      exit(2);
  }
}

static int fail(Tr *X, int line, const char *fmt, const char *name) {
  if (!X->why[0]) {
    int n = snprintf(X->why, X->whylen, "line %d: ", line);
    snprintf(X->why + n, X->whylen - (size_t)n, fmt, name);
  }
  return 0;
}

static int inside(Node *scope, int slot) {
  return slot >= scope->vlo && slot < scope->vhi;
}

static void add_unique(int *list, int *n, int v) {
  for (int i = 0; i < *n; ++i)
    if (list[i] == v)
      return;
  list[(*n)++] = v;
}

/* ---- analysis: what the nest reads, assigns and touches ---------------- */

static int check(Tr *X, Node *n, Node *ifblock);

static int check_expr(Tr *X, Node *n) {
  if (!n)
    return 1;
  if (n->kind == N_VAR && !inside(X->top, n->slot))
    add_unique(X->T->reads, &X->T->nreads, n->slot);
  if (n->kind == N_INDEX)
    add_unique(X->T->arrays, &X->T->narrays, n->slot);
  return check_expr(X, n->a) && check_expr(X, n->b);
}

static int check_list(Tr *X, Node *n, Node *ifblock) {
  for (; n; n = n->next)
    if (!check(X, n, ifblock))
      return 0;
  return 1;
}

static int check(Tr *X, Node *n, Node *ifblock) {
  Program *P = X->P;
  switch (n->kind) {
  case N_PRINT:
    return fail(X, n->line, "print%s inside the loop", "");
  case N_WHILE:
    return fail(X, n->line,
                "a while loop%s inside (only for loops are "
                "translated)",
                "");
  case N_ARRAY:
    return fail(X, n->line, "allocates the array %s", P->arrays[n->slot].name);
  case N_BLOCK:
    return check_list(X, n->list, ifblock);
  case N_ASSIGN:
    if (ifblock && !inside(ifblock, n->slot))
      return fail(X, n->line, "assigns %s, declared outside, inside an if",
                  P->vars[n->slot].name);
    if (!inside(X->top, n->slot))
      add_unique(X->T->carried, &X->T->ncarried, n->slot);
    return check_expr(X, n->a);
  case N_STORE:
    add_unique(X->T->arrays, &X->T->narrays, n->slot);
    X->T->stored[n->slot] = 1;
    return check_expr(X, n->a) && check_expr(X, n->b);
  case N_IF:
    return check_expr(X, n->a) && check(X, n->b, n->b) &&
           (!n->c || check(X, n->c, n->c->kind == N_BLOCK ? n->c : ifblock));
  case N_FOR:
    return check_expr(X, n->a) && check_expr(X, n->b) &&
           check(X, n->c, ifblock);
  default:
    return 1;
  }
}

/* ---- emission ------------------------------------------------------------ */

enum { V_I1, V_I64, V_F64 };

typedef struct {
  char name[24];
  int type;
} V;

static V fresh(Tr *X, int type) {
  V v;
  snprintf(v.name, sizeof v.name, "%%t%d", X->tmp++);
  v.type = type;
  return v;
}

static V as_i64(Tr *X, V v) {
  if (v.type != V_I1)
    return v;
  V r = fresh(X, V_I64);
  out(X, "  %s = zext %s to i64\n", r.name, v.name);
  return r;
}

static V as_i1(Tr *X, V v) {
  if (v.type == V_I1)
    return v;
  V r = fresh(X, V_I1);
  out(X, "  %s = icmp ne %s, 0\n", r.name, v.name);
  return r;
}

static V expr(Tr *X, Node *n) {
  V r, a, b;
  switch (n->kind) {
  case N_INT:
    r = fresh(X, V_I64);
    out(X, "  %s = const %lld : i64\n", r.name, (long long)n->ival);
    return r;
  case N_FLT:
    r = fresh(X, V_F64);
    out(X, "  %s = const %a : f64\n", r.name, n->fval);
    return r;
  case N_VAR:
    snprintf(r.name, sizeof r.name, "%s", X->env[n->slot]);
    r.type = n->type == T_FLT ? V_F64 : V_I64;
    return r;
  case N_INDEX: {
    int e = X->P->arrays[n->slot].elem;
    a = as_i64(X, expr(X, n->a));
    r = fresh(X, e == E_F32 || e == E_F64 ? V_F64 : V_I64);
    out(X, "  %s = load %%a%d[%s]\n", r.name, n->slot, a.name);
    if (e == E_F32 || e == E_I32) {
      b = fresh(X, r.type);
      out(X, "  %s = %s %s to %s\n", b.name, e == E_F32 ? "fpext" : "sext",
          r.name, e == E_F32 ? "f64" : "i64");
      return b;
    }
    return r;
  }
  case N_NEG:
    a = as_i64(X, expr(X, n->a));
    r = fresh(X, a.type);
    out(X, "  %s = %s %s\n", r.name, a.type == V_F64 ? "fneg" : "neg", a.name);
    return r;
  case N_NOT:
    a = as_i64(X, expr(X, n->a));
    r = fresh(X, V_I1);
    out(X, "  %s = icmp eq %s, 0\n", r.name, a.name);
    return r;
  case N_CONV:
    a = as_i64(X, expr(X, n->a));
    r = fresh(X, n->op == T_FLT ? V_F64 : V_I64);
    out(X, "  %s = %s %s to %s\n", r.name, n->op == T_FLT ? "sitofp" : "fptosi",
        a.name, n->op == T_FLT ? "f64" : "i64");
    return r;
  case N_BIN: {
    static const char *iop[] = {"add",      "sub",      "mul",     "sdiv",
                                "srem",     "icmp eq",  "icmp ne", "icmp slt",
                                "icmp sle", "icmp sgt", "icmp sge"};
    static const char *fop[] = {"fadd",     "fsub",     "fmul",     "fdiv",
                                "frem",     "fcmp oeq", "fcmp une", "fcmp olt",
                                "fcmp ole", "fcmp ogt", "fcmp oge"};
    a = as_i64(X, expr(X, n->a));
    b = as_i64(X, expr(X, n->b));
    r = fresh(X, n->op >= B_EQ ? V_I1 : a.type);
    out(X, "  %s = %s %s, %s\n", r.name,
        a.type == V_F64 ? fop[n->op] : iop[n->op], a.name, b.name);
    return r;
  }
  default:
    return fresh(X, V_I64);
  }
}

static const char *vir_type(Program *P, int slot) {
  return P->vars[slot].type == T_FLT ? "f64" : "i64";
}

static void stmt(Tr *X, Node *n);

static void stmts(Tr *X, Node *n) {
  for (; n; n = n->next)
    stmt(X, n);
}

/* Slots declared outside F that F's body assigns: F's iter arguments. */
static void assigned(Node *n, Node *F, int *list, int *count) {
  for (; n; n = n->next) {
    if (n->kind == N_ASSIGN && !inside(F, n->slot))
      add_unique(list, count, n->slot);
    if (n->kind == N_BLOCK)
      assigned(n->list, F, list, count);
    if (n->kind == N_FOR)
      assigned(n->c->list, F, list, count);
    if (n->kind == N_IF) {
      assigned(n->b->list, F, list, count);
      if (n->c)
        assigned(n->c->kind == N_BLOCK ? n->c->list : n->c, F, list, count);
    }
  }
}

static void for_loop(Tr *X, Node *F, const char *lo, const char *hi) {
  Program *P = X->P;
  int *carried = malloc((P->nvars + 1) * sizeof *carried), n = 0, flt = 0;
  assigned(F->c->list, F, carried, &n);
  int id = X->tmp++;
  for (int k = 0; k < n; ++k)
    out(X, "%s%%r%d_%d%s", k ? "" : "  ", id, k, k + 1 < n ? ", " : " = ");
  out(X, "%sfor %%i%d = %s to %s step 1", n ? "" : "  ", id, lo, hi);
  for (int k = 0; k < n; ++k)
    flt |= P->vars[carried[k]].type == T_FLT;
  /* The language lets the JIT reorder float reductions (README.md). */
  if (flt)
    out(X, " reassoc");
  for (int k = 0; k < n; ++k) {
    out(X, "%s%%c%d_%d: %s = %s", k ? ", " : " iter(", id, k,
        vir_type(P, carried[k]), X->env[carried[k]]);
    snprintf(X->env[carried[k]], 24, "%%c%d_%d", id, k);
  }
  out(X, "%s {\n", n ? ")" : "");
  snprintf(X->env[F->slot], 24, "%%i%d", id);
  stmts(X, F->c->list);
  for (int k = 0; k < n; ++k)
    out(X, "%s%s%s", k ? ", " : "  yield ", X->env[carried[k]],
        k + 1 < n ? "" : "\n");
  out(X, "  }\n");
  for (int k = 0; k < n; ++k)
    snprintf(X->env[carried[k]], 24, "%%r%d_%d", id, k);
  free(carried);
}

static void stmt(Tr *X, Node *n) {
  Program *P = X->P;
  V a, b;
  switch (n->kind) {
  case N_BLOCK:
    stmts(X, n->list);
    return;
  case N_ASSIGN:
    a = as_i64(X, expr(X, n->a));
    snprintf(X->env[n->slot], 24, "%s", a.name);
    return;
  case N_STORE: {
    int e = P->arrays[n->slot].elem;
    a = as_i64(X, expr(X, n->a));
    b = as_i64(X, expr(X, n->b));
    if (e == E_F32 || e == E_I32) {
      V c = fresh(X, b.type);
      out(X, "  %s = %s %s to %s\n", c.name, e == E_F32 ? "fptrunc" : "trunc",
          b.name, e == E_F32 ? "f32" : "i32");
      b = c;
    }
    out(X, "  store %%a%d[%s], %s\n", n->slot, a.name, b.name);
    return;
  }
  case N_IF: {
    /* Branches assign only their own variables (check()): the names seen
     * after the if are those from before it. */
    size_t bytes = (size_t)P->nvars * sizeof *X->env;
    char(*saved)[24] = malloc(bytes ? bytes : 1);
    memcpy(saved, X->env, bytes);
    a = as_i1(X, expr(X, n->a));
    out(X, "  if %s {\n", a.name);
    stmt(X, n->b);
    memcpy(X->env, saved, bytes);
    if (n->c) {
      out(X, "  } else {\n");
      stmt(X, n->c);
      memcpy(X->env, saved, bytes);
    }
    out(X, "  }\n");
    free(saved);
    return;
  }
  case N_FOR:
    a = as_i64(X, expr(X, n->a));
    b = as_i64(X, expr(X, n->b));
    for_loop(X, n, a.name, b.name);
    return;
  default:
    return;
  }
}

int translate_loop(Program *P, int loop, Translation *T, char *why,
                   size_t whylen) {
  Tr X;
  memset(&X, 0, sizeof X);
  memset(T, 0, sizeof *T);
  X.P = P;
  X.top = P->loops[loop].node;
  X.T = T;
  X.why = why;
  X.whylen = whylen;
  why[0] = 0;
  T->reads = malloc((P->nvars + 1) * sizeof *T->reads);
  T->carried = malloc((P->nvars + 1) * sizeof *T->carried);
  T->arrays = malloc((P->narrays + 1) * sizeof *T->arrays);
  T->stored = calloc(P->narrays + 1, 1);
  if (!check(&X, X.top->c, NULL))
    return 0;
  /* A variable both read and assigned is passed once, as a carried one. */
  int m = 0;
  for (int i = 0; i < T->nreads; ++i) {
    int c = 0;
    for (int k = 0; k < T->ncarried; ++k)
      c |= T->carried[k] == T->reads[i];
    if (!c)
      T->reads[m++] = T->reads[i];
  }
  T->nreads = m;

  X.env = calloc(P->nvars + 1, sizeof *X.env);
  snprintf(T->entry, sizeof T->entry, "loop_%d_%d", X.top->line, loop);
  out(&X, "; tiny-vm: the loop at line %d\nfunc @%s(%%lo: i64, %%hi: i64",
      X.top->line, T->entry);
  for (int pass = 0; pass < 2; ++pass) {
    int *list = pass ? T->carried : T->reads;
    int count = pass ? T->ncarried : T->nreads;
    for (int i = 0; i < count; ++i) {
      snprintf(X.env[list[i]], 24, "%%v%d", list[i]);
      out(&X, ", %%v%d: %s", list[i], vir_type(P, list[i]));
    }
  }
  for (int i = 0; i < T->narrays; ++i) {
    int a = T->arrays[i];
    out(&X, ", %%a%d: ptr<%s> noalias%s", a, elem_vir(P->arrays[a].elem),
        T->stored[a] ? "" : " readonly");
  }
  out(&X, ")");
  for (int i = 0; i < T->ncarried; ++i)
    out(&X, "%s%s",
        i                 ? ", "
        : T->ncarried > 1 ? " -> ("
                          : " -> ",
        vir_type(P, T->carried[i]));
  out(&X, "%s {\n", T->ncarried > 1 ? ")" : "");
  for_loop(&X, X.top, "%lo", "%hi");
  out(&X, "  ret");
  for (int i = 0; i < T->ncarried; ++i)
    out(&X, "%s%s", i ? ", " : " ", X.env[T->carried[i]]);
  out(&X, "\n}\n");
  free(X.env);
  T->text = X.text;
  return 1;
}

void translation_free(Translation *T) {
  free(T->reads);
  free(T->carried);
  free(T->arrays);
  free(T->stored);
  free(T->text);
  memset(T, 0, sizeof *T);
}
