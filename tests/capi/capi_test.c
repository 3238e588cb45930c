/*===- tests/capi/capi_test.c - the C API, from C99 ----------------------===//
 *
 * Compiled as C99 (-std=c99 -pedantic -Werror): ircgpu.h must be plain C.
 * Runs on the CPU devices given on the command line (default: interp sim):
 * parse, compile sync and in the background, cache lookups, buffers owned
 * and wrapped, launches and their results, argument errors, and threads
 * compiling and launching at once. Exits 1 on the first failed check.
 *===----------------------------------------------------------------------===*/
#include "ircgpu/ircgpu.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int Failures = 0;

#define CHECK(c)                                                               \
  do {                                                                         \
    if (!(c)) {                                                                \
      fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__,  \
              __LINE__, #c, ircgpu_last_error());                              \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)
#define OK(call) CHECK((call) == IRCGPU_OK)

static const char *Source =
    "func @saxpy(%n: i64, %a: f32, %x: ptr<f32> readonly, %y: ptr<f32>) {\n"
    "  for %i = 0 to %n step 1 {\n"
    "    %xi = load %x[%i]\n"
    "    %yi = load %y[%i]\n"
    "    %t  = fmul %a, %xi\n"
    "    %r  = fadd %t, %yi\n"
    "    store %y[%i], %r\n"
    "  }\n"
    "  ret\n"
    "}\n"
    "func @sum(%n: i64, %x: ptr<f32> readonly) -> (f32, i32) {\n"
    "  %s = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 0.0) {\n"
    "    %v = load %x[%i]\n"
    "    %a = fadd %acc, %v\n"
    "    yield %a\n"
    "  }\n"
    "  %m = const -7 : i32\n"
    "  ret %s, %m\n"
    "}\n"
    "func @prefix(%n: i64, %x: ptr<f32>) {\n"
    "  for %i = 1 to %n step 1 {\n"
    "    %j = sub %i, 1\n"
    "    %p = load %x[%j]\n"
    "    %v = load %x[%i]\n"
    "    %s = fadd %p, %v\n"
    "    store %x[%i], %s\n"
    "  }\n"
    "  ret\n"
    "}\n";

#define N 1000

static void test_errors(void) {
  ircgpu_context *ctx = NULL;
  ircgpu_module *mod = NULL;
  const char *bad = "func @f() {\n  %x = fadd 1, 2\n  ret\n}\n";
  CHECK(ircgpu_context_create("tpu", &ctx) == IRCGPU_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(ircgpu_last_error(), "unknown device 'tpu'") != NULL);
  CHECK(ctx == NULL);
  CHECK(ircgpu_context_create("cuda:63", &ctx) == IRCGPU_ERROR_DEVICE);
  CHECK(ircgpu_module_parse(bad, strlen(bad), "bad.vir", &mod) ==
        IRCGPU_ERROR_INVALID_IR);
  CHECK(strncmp(ircgpu_last_error(), "bad.vir:2:", 10) == 0);
  CHECK(mod == NULL);
  CHECK(strcmp(ircgpu_status_name(IRCGPU_ERROR_NOT_OFFLOADABLE),
               "not offloadable") == 0);
  CHECK(strlen(ircgpu_version()) > 0);
}

static void test_context(const char *spec) {
  ircgpu_context *ctx;
  ircgpu_module *mod;
  ircgpu_kernel *saxpy, *sum, *again, *k;
  ircgpu_compile_job *job;
  ircgpu_buffer *bx, *by, *wrapped, *other_buf;
  ircgpu_context *other;
  ircgpu_compile_options opts;
  ircgpu_type ty;
  ircgpu_value res[4];
  ircgpu_arg args[4];
  char hash[65];
  size_t nres = 99, i;
  int is_buf, polls = 0;
  ircgpu_status st;
  static float x[N], y[N];

  OK(ircgpu_context_create(spec, &ctx));
  CHECK(strcmp(ircgpu_context_device_name(ctx), spec) == 0);
  CHECK(ircgpu_context_is_host(ctx) == 1);
  OK(ircgpu_module_parse(Source, strlen(Source), "test.vir", &mod));

  /* Nothing compiled: lookups miss, and never compile. */
  CHECK(ircgpu_lookup(ctx, mod, "saxpy", NULL, &k) == IRCGPU_NOT_FOUND);
  OK(ircgpu_hash(ctx, mod, "saxpy", NULL, hash));
  CHECK(strlen(hash) == 64);
  CHECK(ircgpu_lookup_hash(ctx, hash, &k) == IRCGPU_NOT_FOUND);

  /* In the background, polled as a VM would between interpreted rounds. */
  OK(ircgpu_compile_async(ctx, mod, "saxpy", NULL, &job));
  while ((st = ircgpu_job_poll(job, &saxpy)) == IRCGPU_NOT_READY)
    ++polls;
  OK(st);
  OK(ircgpu_job_wait(job, &again)); /* a second reference */
  CHECK(again != saxpy);
  CHECK(strcmp(ircgpu_kernel_hash(again), hash) == 0);
  ircgpu_kernel_release(again);
  ircgpu_job_destroy(job);
  CHECK(strcmp(ircgpu_kernel_entry(saxpy), "saxpy") == 0);
  CHECK(ircgpu_kernel_num_params(saxpy) == 4);
  OK(ircgpu_kernel_param(saxpy, 2, &ty, &is_buf));
  CHECK(ty == IRCGPU_F32 && is_buf == 1);
  OK(ircgpu_kernel_param(saxpy, 0, &ty, &is_buf));
  CHECK(ty == IRCGPU_I64 && is_buf == 0);
  CHECK(ircgpu_kernel_param(saxpy, 4, &ty, &is_buf) ==
        IRCGPU_ERROR_INVALID_ARGUMENT);

  /* Now the lookups hit. */
  OK(ircgpu_lookup(ctx, mod, "saxpy", NULL, &k));
  ircgpu_kernel_release(k);
  OK(ircgpu_lookup_hash(ctx, hash, &k));
  ircgpu_kernel_release(k);

  /* Buffers and a launch. */
  for (i = 0; i < N; ++i) {
    x[i] = (float)i;
    y[i] = 1.0f;
  }
  OK(ircgpu_buffer_alloc(ctx, sizeof x, &bx));
  OK(ircgpu_buffer_alloc(ctx, sizeof y, &by));
  CHECK(ircgpu_buffer_size(bx) == sizeof x);
  OK(ircgpu_buffer_write(bx, 0, x, sizeof x, NULL));
  OK(ircgpu_buffer_write(by, 0, y, sizeof y, NULL));
  args[0] = ircgpu_arg_i64(N);
  args[1] = ircgpu_arg_f32(2.0f);
  args[2] = ircgpu_arg_buffer(bx, IRCGPU_WHOLE_BUFFER);
  args[3] = ircgpu_arg_buffer(by, IRCGPU_WHOLE_BUFFER);
  OK(ircgpu_launch(saxpy, args, 4, NULL, res, 4, &nres));
  CHECK(nres == 0);
  OK(ircgpu_buffer_read(by, 0, y, sizeof y, NULL));
  for (i = 0; i < N; ++i)
    CHECK(y[i] == 2.0f * (float)i + 1.0f);

  /* Wrong arguments name the parameter. */
  args[1] = ircgpu_arg_f64(2.0);
  CHECK(ircgpu_launch(saxpy, args, 4, NULL, NULL, 0, NULL) ==
        IRCGPU_ERROR_INVALID_ARGUMENT);
  CHECK(strcmp(ircgpu_last_error(),
               "@saxpy argument 1 (%a): expected a scalar of type f32, got a "
               "scalar of type f64") == 0);
  args[1] = ircgpu_arg_f32(2.0f);
  CHECK(ircgpu_launch(saxpy, args, 3, NULL, NULL, 0, NULL) ==
        IRCGPU_ERROR_INVALID_ARGUMENT);
  args[2] = ircgpu_arg_buffer(bx, N + 1);
  CHECK(ircgpu_launch(saxpy, args, 4, NULL, NULL, 0, NULL) ==
        IRCGPU_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(ircgpu_last_error(), "(%x): 1001 elements") != NULL);
  OK(ircgpu_context_create(spec, &other));
  OK(ircgpu_buffer_alloc(other, sizeof x, &other_buf));
  args[2] = ircgpu_arg_buffer(other_buf, IRCGPU_WHOLE_BUFFER);
  CHECK(ircgpu_launch(saxpy, args, 4, NULL, NULL, 0, NULL) ==
        IRCGPU_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(ircgpu_last_error(), "another context") != NULL);
  ircgpu_buffer_destroy(other_buf);
  ircgpu_context_destroy(other);
  /* Copies outside the buffer. */
  CHECK(ircgpu_buffer_read(by, 8, y, sizeof y, NULL) ==
        IRCGPU_ERROR_INVALID_ARGUMENT);

  /* Returned values; the VM's own memory, wrapped. */
  OK(ircgpu_compile(ctx, mod, "sum", NULL, &sum));
  CHECK(ircgpu_kernel_num_results(sum) == 2);
  CHECK(ircgpu_kernel_result_type(sum, 1) == IRCGPU_I32);
  OK(ircgpu_buffer_wrap(ctx, (uint64_t)(uintptr_t)x, sizeof x, &wrapped));
  CHECK(ircgpu_buffer_address(wrapped) == (uint64_t)(uintptr_t)x);
  args[0] = ircgpu_arg_i64(100);
  args[1] = ircgpu_arg_buffer(wrapped, 100);
  OK(ircgpu_launch(sum, args, 2, NULL, res, 1, &nres));
  CHECK(nres == 2); /* two results, one asked for */
  CHECK(res[0].type == IRCGPU_F32 && ircgpu_value_f64(res[0]) == 4950.0);
  OK(ircgpu_launch(sum, args, 2, NULL, res, 2, NULL));
  CHECK(ircgpu_value_i64(res[1]) == -7);
  ircgpu_buffer_destroy(wrapped);

  /* A loop with a loop-carried dependence: not offloadable, unless run
   * sequentially. */
  CHECK(ircgpu_compile(ctx, mod, "prefix", NULL, &k) ==
        IRCGPU_ERROR_NOT_OFFLOADABLE);
  CHECK(strstr(ircgpu_last_error(), "not offloadable") != NULL);
  ircgpu_compile_options_init(&opts);
  opts.allow_sequential = 1;
  OK(ircgpu_compile(ctx, mod, "prefix", &opts, &k));
  ircgpu_kernel_release(k);
  CHECK(ircgpu_compile(ctx, mod, "nosuch", NULL, &k) ==
        IRCGPU_ERROR_INVALID_IR);
  OK(ircgpu_compile_async(ctx, mod, "prefix", NULL, &job));
  CHECK(ircgpu_job_wait(job, &k) == IRCGPU_ERROR_NOT_OFFLOADABLE);
  ircgpu_job_destroy(job);

  ircgpu_kernel_release(saxpy);
  ircgpu_kernel_release(sum);
  ircgpu_buffer_destroy(bx);
  ircgpu_buffer_destroy(by);
  ircgpu_module_destroy(mod);
  {
    ircgpu_stream *s;
    OK(ircgpu_stream_create(ctx, &s));
    CHECK(ircgpu_stream_native(s) == NULL); /* host contexts */
    OK(ircgpu_context_synchronize(ctx, ircgpu_stream_native(s)));
    ircgpu_stream_destroy(s);
  }
  ircgpu_context_destroy(ctx);
  printf("%s: ok (%d polls)\n", spec, polls);
}

/* ---- threads: the same and different modules at once ------------------- */

typedef struct {
  ircgpu_context *ctx;
  int id;
  int ok;
} worker_arg;

static void *worker(void *p) {
  worker_arg *w = (worker_arg *)p;
  char src[512];
  int round;
  for (round = 0; round < 4; ++round) {
    /* Even rounds: one module for all threads; odd: the thread's own. */
    int k = (round % 2) ? 10 + w->id : 3;
    ircgpu_module *mod;
    ircgpu_kernel *kern;
    ircgpu_buffer *buf;
    ircgpu_arg args[2];
    ircgpu_value v;
    int64_t out[64];
    int i;
    sprintf(src,
            "func @f(%%n: i64, %%y: ptr<i64>) -> i64 {\n"
            "  for %%i = 0 to %%n step 1 {\n"
            "    %%v = mul %%i, %d\n"
            "    store %%y[%%i], %%v\n"
            "  }\n"
            "  ret %%n\n"
            "}\n",
            k);
    if (ircgpu_module_parse(src, strlen(src), NULL, &mod) != IRCGPU_OK)
      return NULL;
    if (ircgpu_compile(w->ctx, mod, "f", NULL, &kern) != IRCGPU_OK)
      return NULL;
    ircgpu_module_destroy(mod); /* the kernel outlives it */
    if (ircgpu_buffer_alloc(w->ctx, sizeof out, &buf) != IRCGPU_OK)
      return NULL;
    args[0] = ircgpu_arg_i64(64);
    args[1] = ircgpu_arg_buffer(buf, IRCGPU_WHOLE_BUFFER);
    if (ircgpu_launch(kern, args, 2, NULL, &v, 1, NULL) != IRCGPU_OK ||
        ircgpu_value_i64(v) != 64)
      return NULL;
    if (ircgpu_buffer_read(buf, 0, out, sizeof out, NULL) != IRCGPU_OK)
      return NULL;
    for (i = 0; i < 64; ++i)
      if (out[i] != (int64_t)i * k)
        return NULL;
    ircgpu_buffer_destroy(buf);
    ircgpu_kernel_release(kern);
  }
  w->ok = 1;
  return NULL;
}

static void test_threads(const char *spec) {
  enum { T = 8 };
  pthread_t th[T];
  worker_arg w[T];
  ircgpu_context *ctx;
  int i;
  OK(ircgpu_context_create(spec, &ctx));
  for (i = 0; i < T; ++i) {
    w[i].ctx = ctx;
    w[i].id = i;
    w[i].ok = 0;
    CHECK(pthread_create(&th[i], NULL, worker, &w[i]) == 0);
  }
  for (i = 0; i < T; ++i) {
    CHECK(pthread_join(th[i], NULL) == 0);
    CHECK(w[i].ok);
  }
  ircgpu_context_destroy(ctx);
  printf("%s: threads ok\n", spec);
}

int main(int argc, char **argv) {
  int i;
  test_errors();
  if (argc < 2) {
    test_context("interp");
    test_context("sim");
    test_threads("interp");
    test_threads("sim");
  }
  for (i = 1; i < argc; ++i) {
    test_context(argv[i]);
    test_threads(argv[i]);
  }
  printf(Failures ? "FAIL\n" : "OK\n");
  return Failures ? 1 : 0;
}
