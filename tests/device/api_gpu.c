/*===- tests/device/api_gpu.c - the C API on a GPU, against interp -------===//
 *
 * Run by tests/device/run.sh on the GPU machine: ircgpu-api-gpu [SPEC]
 * (default "cuda"). Every program runs through the C API on the GPU context
 * and on an "interp" context, and the results must agree: saxpy bit for bit,
 * a reassoc float sum within 1e-3 relative (left-to-right f32 against a tree), an integer kernel exactly. Also:
 * a background compile polled to completion, the kernel table and the
 * module cache (a second context finds the code without compiling), the
 * VM's own device memory wrapped, an owned stream, and threads launching at
 * once. Prints "API-GPU: OK" or "API-GPU: FAIL". `ircgpu-api-gpu sim` runs
 * it all on the plan simulator (no GPU needed; the sum in its tree order).
 *===----------------------------------------------------------------------===*/
#include "ircgpu/ircgpu.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(c)                                                               \
  do {                                                                         \
    if (!(c)) {                                                                \
      printf("%s:%d: FAILED: %s (last error: %s)\nAPI-GPU: FAIL\n", __FILE__, \
             __LINE__, #c, ircgpu_last_error());                               \
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
    "func @sum(%n: i64, %x: ptr<f32> readonly) -> f32 {\n"
    "  %s = for %i = 0 to %n step 1 parallel reassoc iter(%acc: f32 = 0.0) {\n"
    "    %v = load %x[%i]\n"
    "    %a = fadd %acc, %v\n"
    "    yield %a\n"
    "  }\n"
    "  ret %s\n"
    "}\n"
    "func @hashy(%n: i64, %y: ptr<i64>) -> i64 {\n"
    "  for %i = 0 to %n step 1 {\n"
    "    %a = mul %i, 2654435761\n"
    "    %b = xor %a, %i\n"
    "    store %y[%i], %b\n"
    "  }\n"
    "  ret %n\n"
    "}\n";

#define N (1 << 20)
static float X[N], Y0[N], YG[N], YI[N];

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* saxpy and sum on ctx; writes y into Yout, returns the sum. */
static float run_saxpy_sum(ircgpu_context *ctx, ircgpu_module *mod,
                           float *Yout, void *stream) {
  ircgpu_kernel *saxpy, *sum;
  ircgpu_buffer *bx, *by;
  ircgpu_arg a[4];
  ircgpu_value v;
  OK(ircgpu_compile(ctx, mod, "saxpy", NULL, &saxpy));
  OK(ircgpu_compile(ctx, mod, "sum", NULL, &sum));
  OK(ircgpu_buffer_alloc(ctx, sizeof X, &bx));
  OK(ircgpu_buffer_alloc(ctx, sizeof X, &by));
  OK(ircgpu_buffer_write(bx, 0, X, sizeof X, stream));
  OK(ircgpu_buffer_write(by, 0, Y0, sizeof Y0, stream));
  a[0] = ircgpu_arg_i64(N);
  a[1] = ircgpu_arg_f32(1.5f);
  a[2] = ircgpu_arg_buffer(bx, IRCGPU_WHOLE_BUFFER);
  a[3] = ircgpu_arg_buffer(by, IRCGPU_WHOLE_BUFFER);
  OK(ircgpu_launch(saxpy, a, 4, stream, NULL, 0, NULL));
  OK(ircgpu_buffer_read(by, 0, Yout, sizeof X, stream));
  a[1] = ircgpu_arg_buffer(by, IRCGPU_WHOLE_BUFFER);
  OK(ircgpu_launch(sum, a, 2, stream, &v, 1, NULL));
  ircgpu_buffer_destroy(bx);
  ircgpu_buffer_destroy(by);
  ircgpu_kernel_release(saxpy);
  ircgpu_kernel_release(sum);
  return (float)ircgpu_value_f64(v);
}

typedef struct {
  ircgpu_context *ctx;
  ircgpu_module *mod;
  int ok;
} worker_arg;

static void *worker(void *p) {
  worker_arg *w = (worker_arg *)p;
  ircgpu_kernel *k;
  ircgpu_buffer *b;
  ircgpu_arg a[2];
  ircgpu_value v;
  static __thread int64_t out[4096];
  int r, i;
  for (r = 0; r < 20; ++r) {
    if (ircgpu_compile(w->ctx, w->mod, "hashy", NULL, &k) != IRCGPU_OK)
      return NULL;
    if (ircgpu_buffer_alloc(w->ctx, sizeof out, &b) != IRCGPU_OK)
      return NULL;
    a[0] = ircgpu_arg_i64(4096);
    a[1] = ircgpu_arg_buffer(b, IRCGPU_WHOLE_BUFFER);
    if (ircgpu_launch(k, a, 2, NULL, &v, 1, NULL) != IRCGPU_OK ||
        ircgpu_value_i64(v) != 4096)
      return NULL;
    if (ircgpu_buffer_read(b, 0, out, sizeof out, NULL) != IRCGPU_OK)
      return NULL;
    for (i = 0; i < 4096; ++i)
      if (out[i] != (int64_t)(((uint64_t)i * 2654435761u) ^ (uint64_t)i))
        return NULL;
    ircgpu_buffer_destroy(b);
    ircgpu_kernel_release(k);
  }
  w->ok = 1;
  return NULL;
}

int main(int argc, char **argv) {
  const char *spec = argc > 1 ? argv[1] : "cuda";
  ircgpu_context *gpu, *interp, *second;
  ircgpu_module *mod;
  ircgpu_compile_job *job;
  ircgpu_kernel *k, *hk;
  ircgpu_buffer *own, *wrapped;
  ircgpu_stream *stream;
  ircgpu_arg a[2];
  ircgpu_value v;
  float sg, si;
  double t0, t1;
  long polls = 0, i;
  ircgpu_status st;
  pthread_t th[4];
  worker_arg w[4];
  static int64_t outg[N], outi[N];

  for (i = 0; i < N; ++i) {
    X[i] = (float)(i % 1000) * 0.25f;
    Y0[i] = (float)(i % 7);
  }
  OK(ircgpu_context_create(spec, &gpu));
  OK(ircgpu_context_create("interp", &interp));
  printf("device: %s\n", ircgpu_context_device_name(gpu));
  /* A CPU spec (sim) runs the same checks here, without a GPU. */
  if (strcmp(spec, "sim") != 0)
    CHECK(ircgpu_context_is_host(gpu) == 0);
  OK(ircgpu_module_parse(Source, strlen(Source), "api_gpu.vir", &mod));

  /* Background compile, polled. */
  t0 = now_ms();
  OK(ircgpu_compile_async(gpu, mod, "hashy", NULL, &job));
  while ((st = ircgpu_job_poll(job, &hk)) == IRCGPU_NOT_READY)
    ++polls;
  OK(st);
  t1 = now_ms();
  ircgpu_job_destroy(job);
  printf("async compile: %.1f ms, %ld polls\n", t1 - t0, polls);

  /* saxpy bit for bit, sum within tolerance, on an owned stream. */
  OK(ircgpu_stream_create(gpu, &stream));
  CHECK(ircgpu_stream_native(stream) != NULL || ircgpu_context_is_host(gpu));
  sg = run_saxpy_sum(gpu, mod, YG, ircgpu_stream_native(stream));
  si = run_saxpy_sum(interp, mod, YI, NULL);
  CHECK(memcmp(YG, YI, sizeof YG) == 0);
  printf("saxpy: %d elements equal; sum gpu %.9g interp %.9g\n", N, sg, si);
  /* The interpreter sums left to right in f32, the GPU in a tree. */
  CHECK(fabs((double)sg - si) <= 1e-3 * fabs(si));
  ircgpu_stream_destroy(stream);

  /* The VM's own device memory: an allocation wrapped by address. */
  OK(ircgpu_buffer_alloc(gpu, sizeof outg, &own));
  OK(ircgpu_buffer_wrap(gpu, ircgpu_buffer_address(own), sizeof outg,
                        &wrapped));
  a[0] = ircgpu_arg_i64(N);
  a[1] = ircgpu_arg_buffer(wrapped, IRCGPU_WHOLE_BUFFER);
  OK(ircgpu_launch(hk, a, 2, NULL, &v, 1, NULL));
  CHECK(ircgpu_value_i64(v) == N);
  OK(ircgpu_buffer_read(own, 0, outg, sizeof outg, NULL));
  ircgpu_buffer_destroy(wrapped);
  ircgpu_buffer_destroy(own);
  ircgpu_kernel_release(hk);
  OK(ircgpu_compile(interp, mod, "hashy", NULL, &hk));
  OK(ircgpu_buffer_wrap(interp, (uint64_t)(uintptr_t)outi, sizeof outi,
                        &wrapped));
  a[1] = ircgpu_arg_buffer(wrapped, IRCGPU_WHOLE_BUFFER);
  OK(ircgpu_launch(hk, a, 2, NULL, &v, 1, NULL));
  CHECK(memcmp(outg, outi, sizeof outg) == 0);
  ircgpu_buffer_destroy(wrapped);
  ircgpu_kernel_release(hk);
  printf("hashy: %d elements equal (wrapped device memory)\n", N);

  /* Table and module cache: a second context finds it without compiling. */
  OK(ircgpu_lookup(gpu, mod, "saxpy", NULL, &k));
  ircgpu_kernel_release(k);
  OK(ircgpu_context_create(spec, &second));
  t0 = now_ms();
  st = ircgpu_lookup(second, mod, "sum", NULL, &k);
  t1 = now_ms();
  if (ircgpu_context_is_host(second)) { /* no code, no module cache */
    CHECK(st == IRCGPU_NOT_FOUND);
  } else {
    OK(st);
    ircgpu_kernel_release(k);
    printf("lookup from the module cache: %.2f ms\n", t1 - t0);
  }
  ircgpu_context_destroy(second);

  /* Threads launching at once. */
  for (i = 0; i < 4; ++i) {
    w[i].ctx = gpu;
    w[i].mod = mod;
    w[i].ok = 0;
    CHECK(pthread_create(&th[i], NULL, worker, &w[i]) == 0);
  }
  for (i = 0; i < 4; ++i) {
    CHECK(pthread_join(th[i], NULL) == 0);
    CHECK(w[i].ok);
  }
  printf("threads: 4 x 20 launches correct\n");

  ircgpu_module_destroy(mod);
  ircgpu_context_destroy(interp);
  ircgpu_context_destroy(gpu);
  printf("API-GPU: OK\n");
  return 0;
}
