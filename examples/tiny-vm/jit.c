/* tiny-vm's GPU tier, through irc-gpu's C API (ircgpu/ircgpu.h).
 *
 * A `for` loop whose back-edges reach the threshold is hot: it, and the
 * outermost loop around it that is translatable too (a whole nest in one
 * launch), are translated to VIR (translate.c), looked up in irc-gpu's cache
 * and, on a miss, compiled in the background (ircgpu_compile_async). The
 * interpreter goes on; at each later entry or back-edge of such a loop it
 * polls the job, and once the kernel is there the loop's remaining
 * iterations run on the GPU tier. A loop irc-gpu refuses (not offloadable)
 * stays interpreted. Arrays stay resident on the device between launches;
 * the host copy is refreshed only when the interpreter touches an array the
 * GPU wrote (dirty flags). */
#include "ircgpu/ircgpu.h"
#include "translate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { J_NONE, J_COMPILING, J_READY, J_FAILED };

struct JitLoop {
  int state;
  Translation T;
  ircgpu_module *mod;
  ircgpu_compile_job *job;
  ircgpu_kernel *kernel;
  double t_start, compile_s; /* when the compile started; how long it took */
  int64_t be_start;          /* total back-edges when it started */
  int cached;                /* found by ircgpu_lookup, not compiled */
  int switched;              /* the first GPU-tier run was reported */
  int64_t launches;
  double gpu_s;
};

struct Jit {
  ircgpu_context *ctx;
  int64_t threshold;
  int sync; /* --jit-sync: wait for each compile (deterministic tests) */
  int compiles, cache_hits, refused;
  int64_t launches, bytes_up, bytes_down;
  double gpu_s, copy_s;
  JitLoop *loops;
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int line_of(Program *P, int loop) { return P->loops[loop].node->line; }

Jit *jit_create(Program *P, const char *device, int64_t threshold, int sync,
                const char **err) {
  Jit *J = calloc(1, sizeof *J);
  if (!J)
    exit(2);
  if (ircgpu_context_create(device, &J->ctx) != IRCGPU_OK) {
    *err = ircgpu_last_error();
    free(J);
    return NULL;
  }
  J->threshold = threshold;
  J->sync = sync;
  J->loops = calloc(P->nloops + 1, sizeof *J->loops);
  for (int i = 0; i < P->nloops; ++i)
    P->loops[i].jit = &J->loops[i];
  if (P->verbose)
    fprintf(stderr, "jit: irc-gpu %s on %s, threshold %lld back-edges\n",
            ircgpu_version(), ircgpu_context_device_name(J->ctx),
            (long long)threshold);
  return J;
}

static void stays(Program *P, int loop, const char *why) {
  P->loops[loop].jit->state = J_FAILED;
  P->jit->refused++;
  if (P->verbose)
    fprintf(stderr, "jit: loop at line %d stays interpreted: %s\n",
            line_of(P, loop), why);
}

/* Translates the loop and starts its compile (or finds it cached). */
static void start(Program *P, int loop) {
  JitLoop *L = P->loops[loop].jit;
  char why[256];
  if (!translate_loop(P, loop, &L->T, why, sizeof why)) {
    stays(P, loop, why);
    return;
  }
  if (getenv("TINY_VM_DUMP"))
    fprintf(stderr, "%s", L->T.text);
  if (ircgpu_module_parse(L->T.text, strlen(L->T.text), L->T.entry, &L->mod) !=
      IRCGPU_OK) {
    stays(P, loop, ircgpu_last_error()); /* a translator bug */
    return;
  }
  L->t_start = now();
  L->be_start = P->total_backedges;
  /* A warm cache (this context, or code another process compiled on
   * disk) skips the compile. */
  if (ircgpu_lookup(P->jit->ctx, L->mod, L->T.entry, NULL, &L->kernel) ==
      IRCGPU_OK) {
    L->state = J_READY;
    L->cached = 1;
    P->jit->cache_hits++;
    if (P->verbose)
      fprintf(stderr, "jit: loop at line %d is hot: @%s found in the cache\n",
              line_of(P, loop), L->T.entry);
    return;
  }
  if (P->jit->sync) {
    ircgpu_status s =
        ircgpu_compile(P->jit->ctx, L->mod, L->T.entry, NULL, &L->kernel);
    P->jit->compiles++;
    L->compile_s = now() - L->t_start;
    if (s != IRCGPU_OK) {
      char why[512];
      snprintf(why, sizeof why, "irc-gpu: %s: %s", ircgpu_status_name(s),
               ircgpu_last_error());
      stays(P, loop, why);
      return;
    }
    L->state = J_READY;
    if (P->verbose)
      fprintf(stderr, "jit: loop at line %d is hot: compiled @%s\n",
              line_of(P, loop), L->T.entry);
    return;
  }
  if (ircgpu_compile_async(P->jit->ctx, L->mod, L->T.entry, NULL, &L->job) !=
      IRCGPU_OK) {
    stays(P, loop, ircgpu_last_error());
    return;
  }
  L->state = J_COMPILING;
  P->jit->compiles++;
  if (P->verbose)
    fprintf(stderr,
            "jit: loop at line %d is hot: compiling @%s in the background\n",
            line_of(P, loop), L->T.entry);
}

/* The loop is hot: compile it, and the outermost translatable loop around
 * it, whose launch then covers the whole nest. */
static void hot(Program *P, int loop) {
  if (P->loops[loop].jit->state == J_NONE)
    start(P, loop);
  int best = -1;
  for (int p = P->loops[loop].parent; p >= 0; p = P->loops[p].parent) {
    JitLoop *L = P->loops[p].jit;
    if (P->loops[p].node->kind != N_FOR || L->state == J_FAILED)
      break;
    if (L->state != J_NONE)
      return; /* already on its way */
    Translation T;
    char why[256];
    int ok = translate_loop(P, p, &T, why, sizeof why);
    translation_free(&T);
    if (!ok)
      break; /* and every loop around it contains the same obstacle */
    best = p;
  }
  if (best >= 0)
    start(P, best);
}

static void poll_job(Program *P, int loop) {
  JitLoop *L = P->loops[loop].jit;
  ircgpu_status s = ircgpu_job_poll(L->job, &L->kernel);
  if (s == IRCGPU_NOT_READY)
    return;
  L->compile_s = now() - L->t_start;
  ircgpu_job_destroy(L->job);
  L->job = NULL;
  if (s == IRCGPU_OK) {
    L->state = J_READY;
    return;
  }
  char why[512];
  snprintf(why, sizeof why, "irc-gpu: %s: %s", ircgpu_status_name(s),
           ircgpu_last_error());
  stays(P, loop, why);
}

/* Makes the device copy of A current and returns its buffer. */
static ircgpu_buffer *device_array(Program *P, Array *A) {
  Jit *J = P->jit;
  uint64_t bytes = (uint64_t)A->len * (uint64_t)elem_size(A->elem);
  if (A->dev && A->dev_bytes != bytes) {
    ircgpu_buffer_destroy(A->dev);
    A->dev = NULL;
  }
  if (!A->dev) {
    ircgpu_buffer *b;
    if (ircgpu_buffer_alloc(J->ctx, bytes, &b) != IRCGPU_OK)
      return NULL;
    A->dev = b;
    A->dev_bytes = bytes;
    A->host_dirty = 1;
    A->dev_dirty = 0;
  }
  if (A->host_dirty && bytes) {
    double t = now();
    if (ircgpu_buffer_write(A->dev, 0, A->data, bytes, NULL) != IRCGPU_OK)
      return NULL;
    J->copy_s += now() - t;
    J->bytes_up += (int64_t)bytes;
  }
  A->host_dirty = 0;
  return A->dev;
}

int array_sync_host(Program *P, Array *A) {
  double t = now();
  A->dev_dirty = 0;
  if (ircgpu_buffer_read(A->dev, 0, A->data, A->dev_bytes, NULL) != IRCGPU_OK) {
    fprintf(stderr, "tiny-vm: error: reading %s back: %s\n", A->name,
            ircgpu_last_error());
    return 1;
  }
  P->jit->copy_s += now() - t;
  P->jit->bytes_down += (int64_t)A->dev_bytes;
  return 0;
}

/* Runs iterations [i, hi) of the loop on the GPU tier. */
static int launch(Program *P, int loop) {
  Loop *Lp = &P->loops[loop];
  JitLoop *L = Lp->jit;
  Translation *T = &L->T;
  size_t n = 2 + (size_t)(T->nreads + T->ncarried + T->narrays), k = 0;
  ircgpu_arg *args = malloc(n * sizeof *args);
  ircgpu_value *res = malloc((T->ncarried + 1) * sizeof *res);
  int64_t lo = P->slots[Lp->node->slot].i;
  double t0 = now();
  args[k++] = ircgpu_arg_i64(lo);
  args[k++] = ircgpu_arg_i64(P->slots[Lp->hi_slot].i);
  for (int pass = 0; pass < 2; ++pass) {
    int *list = pass ? T->carried : T->reads;
    int count = pass ? T->ncarried : T->nreads;
    for (int i = 0; i < count; ++i) {
      Val v = P->slots[list[i]];
      args[k++] = P->vars[list[i]].type == T_FLT ? ircgpu_arg_f64(v.f)
                                                 : ircgpu_arg_i64(v.i);
    }
  }
  int rc = 0;
  for (int i = 0; i < T->narrays; ++i) {
    ircgpu_buffer *b = device_array(P, &P->arrays[T->arrays[i]]);
    if (!b) {
      rc = -1;
      goto done;
    }
    args[k++] = ircgpu_arg_buffer(b, IRCGPU_WHOLE_BUFFER);
  }
  if (ircgpu_launch(L->kernel, args, n, NULL, res, (size_t)T->ncarried, NULL) !=
      IRCGPU_OK) {
    rc = -1;
    goto done;
  }
  for (int i = 0; i < T->ncarried; ++i) {
    if (P->vars[T->carried[i]].type == T_FLT)
      P->slots[T->carried[i]].f = ircgpu_value_f64(res[i]);
    else
      P->slots[T->carried[i]].i = ircgpu_value_i64(res[i]);
  }
  for (int i = 0; i < T->narrays; ++i)
    if (T->stored[T->arrays[i]])
      P->arrays[T->arrays[i]].dev_dirty = 1;
  double dt = now() - t0;
  L->launches++;
  L->gpu_s += dt;
  P->jit->launches++;
  P->jit->gpu_s += dt;
  if (P->verbose && !L->switched)
    fprintf(stderr,
            "jit: loop at line %d runs on the GPU tier from i=%lld: kept "
            "interpreting %lld back-edges while %s (%.1f ms)\n",
            line_of(P, loop), (long long)lo,
            (long long)(P->total_backedges - L->be_start),
            L->cached ? "looking it up" : "it compiled",
            1e3 * (L->cached ? now() - L->t_start : L->compile_s));
  L->switched = 1;
done:
  if (rc)
    fprintf(stderr, "tiny-vm: error: the GPU tier of the loop at line %d: %s\n",
            line_of(P, loop), ircgpu_last_error());
  free(args);
  free(res);
  return rc ? -1 : 1;
}

int jit_for_enter(Program *P, int loop) {
  JitLoop *L = P->loops[loop].jit;
  if (L->state == J_COMPILING)
    poll_job(P, loop);
  return L->state == J_READY ? launch(P, loop) : 0;
}

int jit_for_next(Program *P, int loop) {
  Loop *Lp = &P->loops[loop];
  JitLoop *L = Lp->jit;
  if (L->state == J_NONE && Lp->backedges >= P->jit->threshold)
    hot(P, loop);
  if (L->state == J_COMPILING)
    poll_job(P, loop);
  return L->state == J_READY ? launch(P, loop) : 0;
}

void jit_while_hot(Program *P, int loop) {
  if (P->loops[loop].backedges == P->jit->threshold)
    stays(P, loop, "a while loop (only for loops are translated)");
}

void jit_report(Jit *J, FILE *f) {
  fprintf(f,
          "time: gpu tier: %lld launches, %.3f s (copies %.3f s: %.1f MB "
          "up, %.1f MB down); %d compiles, %d cache hits, %d loops stay "
          "interpreted\n",
          (long long)J->launches, J->gpu_s, J->copy_s, J->bytes_up / 1e6,
          J->bytes_down / 1e6, J->compiles, J->cache_hits, J->refused);
}

void jit_destroy(Jit *J, Program *P) {
  for (int i = 0; i < P->nloops; ++i) {
    JitLoop *L = &J->loops[i];
    if (L->job && P->verbose) {
      /* The loop ended before its compile: say how the compile went. */
      ircgpu_status s = ircgpu_job_wait(L->job, &L->kernel);
      if (s == IRCGPU_OK)
        fprintf(stderr,
                "jit: loop at line %d ended before its compile "
                "(the kernel stays in the context)\n",
                line_of(P, i));
      else
        fprintf(stderr,
                "jit: loop at line %d stays interpreted: irc-gpu: "
                "%s: %s\n",
                line_of(P, i), ircgpu_status_name(s), ircgpu_last_error());
    }
    if (L->job)
      ircgpu_job_destroy(L->job);
    if (L->kernel)
      ircgpu_kernel_release(L->kernel);
    if (L->mod)
      ircgpu_module_destroy(L->mod);
    translation_free(&L->T);
  }
  for (int i = 0; i < P->narrays; ++i)
    if (P->arrays[i].dev) {
      ircgpu_buffer_destroy(P->arrays[i].dev);
      P->arrays[i].dev = NULL;
    }
  ircgpu_context_destroy(J->ctx);
  free(J->loops);
  free(J);
}
