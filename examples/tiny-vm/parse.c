/* tiny-vm's lexer and parser: source -> a statically typed AST. Implicit
 * int -> float conversions become explicit N_CONV nodes here, so that the
 * bytecode compiler and the JIT's VIR translator see the same typed tree. */
#include "vm.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { K_EOF, K_INT, K_FLT, K_NAME, K_PUNCT };

typedef struct {
  Program *P;
  const char *file, *s;
  int line;
  int kind; /* current token */
  char tok[64];
  int64_t ival;
  double fval;
  int scope[512]; /* visible variable slots, innermost last */
  int nscope;
  int loopstack[64];
  int nloops; /* open loops */
  int forvars[64];
  int nforvars; /* variables of the open `for` loops: not assignable */
  char **overrides;
  int noverrides;
  int depth; /* block nesting: 0 at top level */
  int failed;
} Parser;

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) {
    fprintf(stderr, "tiny-vm: out of memory\n");
    exit(2);
  }
  return q;
}

static void error(Parser *S, const char *fmt, ...) {
  va_list ap;
  if (S->failed)
    return;
  S->failed = 1;
  fprintf(stderr, "%s:%d: error: ", S->file, S->line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static void next(Parser *S) {
  for (;;) {
    while (isspace((unsigned char)*S->s))
      if (*S->s++ == '\n')
        S->line++;
    if (*S->s != '#')
      break;
    while (*S->s && *S->s != '\n')
      S->s++;
  }
  const char *b = S->s;
  if (!*b) {
    S->kind = K_EOF;
    strcpy(S->tok, "end of file");
    return;
  }
  if (isdigit((unsigned char)*b) ||
      (*b == '.' && isdigit((unsigned char)b[1]))) {
    char *e;
    S->ival = strtoll(b, &e, 10);
    S->kind = K_INT;
    if (*e == '.' || *e == 'e' || *e == 'E') {
      S->fval = strtod(b, &e);
      S->kind = K_FLT;
    }
    S->s = e;
  } else if (isalpha((unsigned char)*b) || *b == '_') {
    while (isalnum((unsigned char)*S->s) || *S->s == '_')
      S->s++;
    S->kind = K_NAME;
  } else {
    static const char *two[] = {"==", "!=", "<=", ">=", "+=", "-=", "*="};
    S->kind = K_PUNCT;
    S->s++;
    for (size_t i = 0; i < sizeof two / sizeof *two; ++i)
      if (b[0] == two[i][0] && b[1] == two[i][1])
        S->s = b + 2;
  }
  size_t n = (size_t)(S->s - b) < sizeof S->tok - 1 ? (size_t)(S->s - b)
                                                    : sizeof S->tok - 1;
  memcpy(S->tok, b, n);
  S->tok[n] = 0;
}

static int is(Parser *S, const char *t) {
  return (S->kind == K_PUNCT || S->kind == K_NAME) && !strcmp(S->tok, t);
}
static int accept(Parser *S, const char *t) {
  if (!is(S, t))
    return 0;
  next(S);
  return 1;
}
static void expect(Parser *S, const char *t) {
  if (!accept(S, t))
    error(S, "expected '%s', got '%s'", t, S->tok);
}

static Node *node(Parser *S, NodeKind k) {
  Node *n = calloc(1, sizeof *n);
  if (!n)
    exit(2);
  n->kind = k;
  n->line = S->line;
  return n;
}

static int find_var(Parser *S, const char *name) {
  for (int i = S->nscope - 1; i >= 0; --i)
    if (!strcmp(S->P->vars[S->scope[i]].name, name))
      return S->scope[i];
  return -1;
}
static int find_array(Parser *S, const char *name) {
  for (int i = 0; i < S->P->narrays; ++i)
    if (!strcmp(S->P->arrays[i].name, name))
      return i;
  return -1;
}

static int new_var(Parser *S, const char *name, int type) {
  Program *P = S->P;
  if (S->nscope == (int)(sizeof S->scope / sizeof *S->scope)) {
    error(S, "too many variables");
    return 0;
  }
  P->vars = xrealloc(P->vars, (P->nvars + 1) * sizeof *P->vars);
  snprintf(P->vars[P->nvars].name, sizeof P->vars->name, "%s", name);
  P->vars[P->nvars].type = type;
  S->scope[S->nscope++] = P->nvars;
  return P->nvars++;
}

/* Converts an int expression to float where a float is wanted. */
static Node *to_type(Parser *S, Node *e, int type) {
  if (e->type == type)
    return e;
  if (type == T_INT) {
    error(S, "a float where an int is needed (use int(...))");
    return e;
  }
  Node *c = node(S, N_CONV);
  c->op = T_FLT;
  c->type = T_FLT;
  c->a = e;
  return c;
}

static Node *expr(Parser *S);

static Node *primary(Parser *S) {
  Node *n;
  if (S->kind == K_INT || S->kind == K_FLT) {
    n = node(S, S->kind == K_INT ? N_INT : N_FLT);
    n->type = S->kind == K_INT ? T_INT : T_FLT;
    n->ival = S->ival;
    n->fval = S->fval;
    next(S);
    return n;
  }
  if (accept(S, "(")) {
    n = expr(S);
    expect(S, ")");
    return n;
  }
  if (is(S, "int") || is(S, "float")) {
    int type = is(S, "int") ? T_INT : T_FLT;
    next(S);
    expect(S, "(");
    n = node(S, N_CONV);
    n->op = n->type = type;
    n->a = expr(S);
    expect(S, ")");
    if (n->a->type == type)
      return n->a;
    return n;
  }
  if (S->kind != K_NAME) {
    error(S, "expected an expression, got '%s'", S->tok);
    return node(S, N_INT);
  }
  char name[64];
  strcpy(name, S->tok);
  next(S);
  if (accept(S, "[")) {
    n = node(S, N_INDEX);
    n->slot = find_array(S, name);
    if (n->slot < 0)
      error(S, "no array '%s'", name);
    n->a = to_type(S, expr(S), T_INT);
    expect(S, "]");
    int e = n->slot < 0 ? E_I64 : S->P->arrays[n->slot].elem;
    n->type = e == E_F32 || e == E_F64 ? T_FLT : T_INT;
    return n;
  }
  n = node(S, N_VAR);
  n->slot = find_var(S, name);
  if (n->slot < 0) {
    error(S, "no variable '%s'", name);
    n->slot = 0;
  } else {
    n->type = S->P->vars[n->slot].type;
  }
  return n;
}

static Node *unary(Parser *S) {
  if (accept(S, "-")) {
    Node *n = node(S, N_NEG);
    n->a = unary(S);
    n->type = n->a->type;
    return n;
  }
  if (accept(S, "!")) {
    Node *n = node(S, N_NOT);
    n->a = to_type(S, unary(S), T_INT);
    n->type = T_INT;
    return n;
  }
  return primary(S);
}

static Node *binary(Parser *S, int op, Node *l, Node *r) {
  Node *n = node(S, N_BIN);
  int t = l->type == T_FLT || r->type == T_FLT ? T_FLT : T_INT;
  if (op == B_REM && t == T_FLT)
    error(S, "'%%' takes ints");
  n->op = op;
  n->a = to_type(S, l, t);
  n->b = to_type(S, r, t);
  n->type = op >= B_EQ ? T_INT : t;
  return n;
}

static Node *term(Parser *S) {
  Node *l = unary(S);
  for (;;) {
    int op = is(S, "*") ? B_MUL : is(S, "/") ? B_DIV : is(S, "%") ? B_REM : -1;
    if (op < 0)
      return l;
    next(S);
    l = binary(S, op, l, unary(S));
  }
}

static Node *sum(Parser *S) {
  Node *l = term(S);
  for (;;) {
    int op = is(S, "+") ? B_ADD : is(S, "-") ? B_SUB : -1;
    if (op < 0)
      return l;
    next(S);
    l = binary(S, op, l, term(S));
  }
}

static Node *expr(Parser *S) {
  static const char *cmp[] = {"==", "!=", "<", "<=", ">", ">="};
  Node *l = sum(S);
  for (int i = 0; i < 6; ++i)
    if (accept(S, cmp[i]))
      return binary(S, B_EQ + i, l, sum(S));
  return l;
}

static Node *statement(Parser *S);

static Node *block(Parser *S) {
  Node *b = node(S, N_BLOCK), **tail = &b->list;
  int saved = S->nscope;
  b->vlo = S->P->nvars;
  S->depth++;
  expect(S, "{");
  while (!S->failed && !is(S, "}") && S->kind != K_EOF) {
    *tail = statement(S);
    tail = &(*tail)->next;
  }
  expect(S, "}");
  S->depth--;
  b->vhi = S->P->nvars;
  S->nscope = saved;
  return b;
}

static int new_loop(Parser *S, Node *n) {
  Program *P = S->P;
  P->loops = xrealloc(P->loops, (P->nloops + 1) * sizeof *P->loops);
  memset(&P->loops[P->nloops], 0, sizeof *P->loops);
  P->loops[P->nloops].node = n;
  P->loops[P->nloops].parent = S->nloops ? S->loopstack[S->nloops - 1] : -1;
  n->loop = P->nloops;
  return P->nloops++;
}

static int64_t override(Parser *S, const char *name, int *found) {
  size_t n = strlen(name);
  for (int i = 0; i < S->noverrides; ++i)
    if (!strncmp(S->overrides[i], name, n) && S->overrides[i][n] == '=') {
      *found = 1;
      return strtoll(S->overrides[i] + n + 1, NULL, 10);
    }
  *found = 0;
  return 0;
}

static Node *for_loop(Parser *S, Node *n) {
  if (S->kind != K_NAME)
    error(S, "expected the loop variable");
  char name[64];
  strcpy(name, S->tok);
  next(S);
  expect(S, "=");
  n->a = to_type(S, expr(S), T_INT);
  expect(S, "to");
  n->b = to_type(S, expr(S), T_INT);
  int saved = S->nscope;
  n->vlo = S->P->nvars;
  n->slot = new_var(S, name, T_INT);
  int id = new_loop(S, n);
  S->P->loops[id].hi_slot = new_var(S, "", T_INT);
  S->loopstack[S->nloops++] = id;
  S->forvars[S->nforvars++] = n->slot;
  n->c = block(S);
  S->nforvars--;
  S->nloops--;
  n->vhi = S->P->nvars;
  S->nscope = saved;
  return n;
}

static Node *statement(Parser *S) {
  Node *n;
  if (S->nloops >= 60 || S->nforvars >= 60) {
    error(S, "loops nested too deep");
    return node(S, N_BLOCK);
  }
  if (is(S, "{"))
    return block(S);
  if (is(S, "int") || is(S, "float")) {
    int type = is(S, "int") ? T_INT : T_FLT;
    next(S);
    n = node(S, N_ASSIGN);
    n->decl = 1;
    char name[64];
    strcpy(name, S->tok);
    if (S->kind != K_NAME)
      error(S, "expected a variable name");
    next(S);
    expect(S, "=");
    n->a = to_type(S, expr(S), type);
    int found;
    int64_t v = override(S, name, &found);
    if (found && S->depth == 0 && type == T_INT) {
      n->a = node(S, N_INT);
      n->a->ival = v;
    }
    n->slot = new_var(S, name, type);
    expect(S, ";");
    return n;
  }
  if (accept(S, "array")) {
    n = node(S, N_ARRAY);
    char name[64];
    strcpy(name, S->tok);
    next(S);
    static const char *elems[] = {"f32", "f64", "i32", "i64"};
    n->op = -1;
    for (int i = 0; i < 4; ++i)
      if (is(S, elems[i]))
        n->op = i;
    if (n->op < 0)
      error(S, "expected an element type (f32, f64, i32, i64)");
    next(S);
    if (find_array(S, name) >= 0)
      error(S, "array '%s' declared twice", name);
    Program *P = S->P;
    P->arrays = xrealloc(P->arrays, (P->narrays + 1) * sizeof *P->arrays);
    memset(&P->arrays[P->narrays], 0, sizeof *P->arrays);
    snprintf(P->arrays[P->narrays].name, sizeof P->arrays->name, "%s", name);
    P->arrays[P->narrays].elem = n->op < 0 ? E_I64 : n->op;
    n->slot = P->narrays++;
    n->a = to_type(S, expr(S), T_INT);
    expect(S, ";");
    return n;
  }
  if (accept(S, "if")) {
    n = node(S, N_IF);
    n->a = to_type(S, expr(S), T_INT);
    n->b = block(S);
    if (accept(S, "else"))
      n->c = is(S, "if") ? statement(S) : block(S);
    return n;
  }
  if (accept(S, "while")) {
    n = node(S, N_WHILE);
    n->a = to_type(S, expr(S), T_INT);
    int id = new_loop(S, n);
    S->loopstack[S->nloops++] = id;
    n->b = block(S);
    S->nloops--;
    return n;
  }
  if (accept(S, "for"))
    return for_loop(S, node(S, N_FOR));
  if (accept(S, "print")) {
    n = node(S, N_PRINT);
    Node **tail = &n->list;
    do {
      *tail = expr(S);
      tail = &(*tail)->next;
    } while (accept(S, ","));
    expect(S, ";");
    return n;
  }
  if (S->kind != K_NAME) {
    error(S, "expected a statement, got '%s'", S->tok);
    return node(S, N_BLOCK);
  }
  /* NAME = e; NAME op= e; NAME[i] = e; NAME[i] op= e */
  char name[64];
  strcpy(name, S->tok);
  next(S);
  Node *target = NULL;
  if (accept(S, "[")) {
    n = node(S, N_STORE);
    n->slot = find_array(S, name);
    if (n->slot < 0) {
      error(S, "no array '%s'", name);
      n->slot = 0;
    }
    n->a = to_type(S, expr(S), T_INT);
    expect(S, "]");
    target = node(S, N_INDEX);
    target->slot = n->slot;
    target->a = n->a;
    int e = S->P->narrays ? S->P->arrays[n->slot].elem : E_I64;
    target->type = e == E_F32 || e == E_F64 ? T_FLT : T_INT;
  } else {
    n = node(S, N_ASSIGN);
    n->slot = find_var(S, name);
    if (n->slot < 0) {
      error(S, "no variable '%s'", name);
      n->slot = 0;
    }
    for (int i = 0; i < S->nforvars; ++i)
      if (S->forvars[i] == n->slot)
        error(S, "cannot assign the loop variable '%s'", name);
    target = node(S, N_VAR);
    target->slot = n->slot;
    target->type = S->P->nvars ? S->P->vars[n->slot].type : T_INT;
  }
  int op = is(S, "+=") ? B_ADD : is(S, "-=") ? B_SUB : is(S, "*=") ? B_MUL : -1;
  if (op < 0)
    expect(S, "=");
  else
    next(S);
  Node *v = expr(S);
  if (op >= 0)
    v = binary(S, op, target, v);
  n->b = to_type(S, v, target->type);
  if (n->kind == N_ASSIGN) {
    n->a = n->b;
    n->b = NULL;
  }
  expect(S, ";");
  return n;
}

int parse_program(Program *P, const char *file, const char *src,
                  char **overrides, int noverrides) {
  Parser S;
  memset(&S, 0, sizeof S);
  S.P = P;
  S.file = file;
  S.s = src;
  S.line = 1;
  S.overrides = overrides;
  S.noverrides = noverrides;
  next(&S);
  Node *b = node(&S, N_BLOCK), **tail = &b->list;
  b->vlo = 0;
  while (!S.failed && S.kind != K_EOF) {
    *tail = statement(&S);
    tail = &(*tail)->next;
  }
  b->vhi = P->nvars;
  P->program = b;
  return S.failed;
}
