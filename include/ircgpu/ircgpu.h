/*===- ircgpu/ircgpu.h - the C API of irc-gpu --------------------*- C -*-===//
 *
 * The embedding API (ircgpu/Context.h) for VMs written in C or reaching
 * irc-gpu through a foreign-function interface: C99, opaque handles, status
 * codes. docs/embedding.md is the guide.
 *
 * Errors: every function that can fail returns an ircgpu_status; on failure
 * ircgpu_last_error() gives the message, per thread (a thread-local string,
 * valid until that thread's next failing call). Outputs are written only on
 * IRCGPU_OK.
 *
 * Threads: every function may be called from any thread at once, on the same
 * or different handles, except that a handle must not be destroyed while
 * another thread uses it.
 *
 * Lifetimes: destroy what you made (ircgpu_*_destroy, ircgpu_kernel_release).
 * Kernels, buffers and compile jobs may outlive the module and the context
 * they came from (a GPU's device lives until the process exits; a buffer of
 * interp/sim owns its host memory). ircgpu_context_destroy waits for the
 * context's background compiles.
 *===----------------------------------------------------------------------===*/
#ifndef IRCGPU_IRCGPU_H
#define IRCGPU_IRCGPU_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define IRCGPU_API __attribute__((visibility("default")))
#else
#define IRCGPU_API
#endif

/* The numbers of ircgpu::ErrorCode (Kernel.h) for the errors. */
typedef enum ircgpu_status {
  IRCGPU_OK = 0,
  IRCGPU_NOT_READY = 1, /* a background compile is still running */
  IRCGPU_NOT_FOUND = 2, /* a cache lookup found nothing (not an error) */
  IRCGPU_ERROR_INVALID_ARGUMENT = 3, /* bad call: wrong argument, null */
  IRCGPU_ERROR_INVALID_IR = 4,       /* parse/verify error, no such entry */
  IRCGPU_ERROR_NOT_OFFLOADABLE = 5,  /* a loop cannot run on the GPU */
  IRCGPU_ERROR_DEVICE = 6,           /* no such device / cannot open it */
  IRCGPU_ERROR_RUNTIME = 7,          /* launch or copy failed or faulted */
  IRCGPU_ERROR_COMPILE = 8           /* code generation failed */
} ircgpu_status;

/* VIR scalar types (the element type of a buffer parameter). */
typedef enum ircgpu_type {
  IRCGPU_I1 = 0,
  IRCGPU_I8 = 1,
  IRCGPU_I16 = 2,
  IRCGPU_I32 = 3,
  IRCGPU_I64 = 4,
  IRCGPU_F16 = 5, /* unsupported by VIR; never a parameter */
  IRCGPU_F32 = 6,
  IRCGPU_F64 = 7
} ircgpu_type;

typedef struct ircgpu_context ircgpu_context;
typedef struct ircgpu_module ircgpu_module;
typedef struct ircgpu_kernel ircgpu_kernel;
typedef struct ircgpu_compile_job ircgpu_compile_job;
typedef struct ircgpu_buffer ircgpu_buffer;
typedef struct ircgpu_stream ircgpu_stream;

/* ---- errors and version ------------------------------------------------ */

/* The message of this thread's last failing call ("" if none). */
IRCGPU_API const char *ircgpu_last_error(void);
/* "ok", "not ready", "invalid argument", ... */
IRCGPU_API const char *ircgpu_status_name(ircgpu_status s);
/* "0.1.0" */
IRCGPU_API const char *ircgpu_version(void);

/* ---- contexts ----------------------------------------------------------- */

/* spec: "auto" (first usable GPU, else "interp"), "cuda", "cuda:N", "hip",
 * "hip:N", "interp" (reference interpreter, host memory), "sim" (plan
 * simulator, host memory). */
IRCGPU_API ircgpu_status ircgpu_context_create(const char *spec,
                                               ircgpu_context **out);
IRCGPU_API void ircgpu_context_destroy(ircgpu_context *ctx);
/* "interp", "sim", "cuda:0", ...: owned by the context. */
IRCGPU_API const char *ircgpu_context_device_name(const ircgpu_context *ctx);
/* 1 for interp/sim (buffers are host memory), 0 for a GPU. */
IRCGPU_API int ircgpu_context_is_host(const ircgpu_context *ctx);
/* Waits for the work on stream (a CUstream / hipStream_t; NULL: the
 * default stream). */
IRCGPU_API ircgpu_status ircgpu_context_synchronize(ircgpu_context *ctx,
                                                    void *stream);

/* A stream owned by the handle, for a VM that has none of its own (a VM's
 * own CUstream needs no call: pass it as the void *stream of the calls).
 * Its native handle is NULL on interp/sim, where everything runs at once. */
IRCGPU_API ircgpu_status ircgpu_stream_create(ircgpu_context *ctx,
                                              ircgpu_stream **out);
IRCGPU_API void *ircgpu_stream_native(const ircgpu_stream *s);
/* Destroys the stream (work already enqueued still runs). */
IRCGPU_API void ircgpu_stream_destroy(ircgpu_stream *s);

/* ---- modules ------------------------------------------------------------ */

/* Parses and verifies VIR text (len bytes; text need not end in NUL). name
 * is used in diagnostics ("name:LINE:COL: error: ..."); NULL: "<vir>". */
IRCGPU_API ircgpu_status ircgpu_module_parse(const char *text, size_t len,
                                             const char *name,
                                             ircgpu_module **out);
IRCGPU_API void ircgpu_module_destroy(ircgpu_module *mod);

/* ---- compiling ---------------------------------------------------------- */

typedef struct ircgpu_compile_options {
  unsigned opt_level;   /* 0..3; default 2 */
  int checked;          /* bounds-checked mode; default 0 */
  int allow_sequential; /* run non-parallel loops sequentially; default 0 */
  const char *target;   /* "sm_80", ...; NULL (default): the device's */
} ircgpu_compile_options;

/* The defaults. Options arguments may also be NULL for the defaults. */
IRCGPU_API void ircgpu_compile_options_init(ircgpu_compile_options *opts);

/* Compiles entry of mod for ctx's device. A loop that cannot be offloaded is
 * IRCGPU_ERROR_NOT_OFFLOADABLE (on interp too: the VM learns the same
 * answer without a GPU). Release the kernel with ircgpu_kernel_release. */
IRCGPU_API ircgpu_status ircgpu_compile(ircgpu_context *ctx,
                                        const ircgpu_module *mod,
                                        const char *entry,
                                        const ircgpu_compile_options *opts,
                                        ircgpu_kernel **out);
/* The same in the background: returns at once with a job to poll. */
IRCGPU_API ircgpu_status ircgpu_compile_async(
    ircgpu_context *ctx, const ircgpu_module *mod, const char *entry,
    const ircgpu_compile_options *opts, ircgpu_compile_job **out);
/* IRCGPU_NOT_READY while it runs; once finished, what ircgpu_job_wait
 * returns (and *out as it sets it). Never blocks. */
IRCGPU_API ircgpu_status ircgpu_job_poll(ircgpu_compile_job *job,
                                         ircgpu_kernel **out);
/* Waits; then IRCGPU_OK with a kernel (release it), or the compile's error.
 * May be called again: each IRCGPU_OK gives a new reference. */
IRCGPU_API ircgpu_status ircgpu_job_wait(ircgpu_compile_job *job,
                                         ircgpu_kernel **out);
/* Drops the handle; the compile goes on, its kernel kept by the context. */
IRCGPU_API void ircgpu_job_destroy(ircgpu_compile_job *job);

/* The kernel if it exists without code generation (made by this context, or
 * its code is in the module cache in memory or on disk): IRCGPU_OK, or
 * IRCGPU_NOT_FOUND. */
IRCGPU_API ircgpu_status ircgpu_lookup(ircgpu_context *ctx,
                                       const ircgpu_module *mod,
                                       const char *entry,
                                       const ircgpu_compile_options *opts,
                                       ircgpu_kernel **out);
/* The kernel this context made under hash (ircgpu_kernel_hash), or
 * IRCGPU_NOT_FOUND. */
IRCGPU_API ircgpu_status ircgpu_lookup_hash(ircgpu_context *ctx,
                                            const char *hash,
                                            ircgpu_kernel **out);
/* The cache key of entry of mod on ctx's device, 64 hex digits and a NUL. */
IRCGPU_API ircgpu_status ircgpu_hash(ircgpu_context *ctx,
                                     const ircgpu_module *mod,
                                     const char *entry,
                                     const ircgpu_compile_options *opts,
                                     char out[65]);

/* ---- kernels ------------------------------------------------------------ */

/* Kernels are reference counted: each handle a call returned is one
 * reference. */
IRCGPU_API void ircgpu_kernel_retain(ircgpu_kernel *k);
IRCGPU_API void ircgpu_kernel_release(ircgpu_kernel *k);
/* Owned by the kernel. */
IRCGPU_API const char *ircgpu_kernel_entry(const ircgpu_kernel *k);
IRCGPU_API const char *ircgpu_kernel_hash(const ircgpu_kernel *k);
IRCGPU_API size_t ircgpu_kernel_num_params(const ircgpu_kernel *k);
/* Parameter i: its scalar type, and whether it is a buffer (ptr<type>).
 * IRCGPU_ERROR_INVALID_ARGUMENT if i is out of range. */
IRCGPU_API ircgpu_status ircgpu_kernel_param(const ircgpu_kernel *k,
                                             size_t i, ircgpu_type *type,
                                             int *is_buffer);
IRCGPU_API size_t ircgpu_kernel_num_results(const ircgpu_kernel *k);
IRCGPU_API ircgpu_type ircgpu_kernel_result_type(const ircgpu_kernel *k,
                                                 size_t i);

/* ---- buffers ------------------------------------------------------------ */

/* bytes of device memory (host memory on interp/sim), zeroed on interp/sim
 * only. bytes == 0 gives an empty buffer. */
IRCGPU_API ircgpu_status ircgpu_buffer_alloc(ircgpu_context *ctx,
                                             uint64_t bytes,
                                             ircgpu_buffer **out);
/* The VM's own memory, never freed by irc-gpu: a device address
 * (CUdeviceptr) on a GPU, (uint64_t)(uintptr_t)host_pointer on interp/sim. */
IRCGPU_API ircgpu_status ircgpu_buffer_wrap(ircgpu_context *ctx,
                                            uint64_t address, uint64_t bytes,
                                            ircgpu_buffer **out);
/* Frees owned memory (not wrapped memory). */
IRCGPU_API void ircgpu_buffer_destroy(ircgpu_buffer *buf);
IRCGPU_API uint64_t ircgpu_buffer_address(const ircgpu_buffer *buf);
IRCGPU_API uint64_t ircgpu_buffer_size(const ircgpu_buffer *buf);
/* Copies between host memory and buf at offset, on stream (NULL: default),
 * and waits until done. */
IRCGPU_API ircgpu_status ircgpu_buffer_write(ircgpu_buffer *buf,
                                             uint64_t offset, const void *src,
                                             uint64_t bytes, void *stream);
IRCGPU_API ircgpu_status ircgpu_buffer_read(const ircgpu_buffer *buf,
                                            uint64_t offset, void *dst,
                                            uint64_t bytes, void *stream);

/* ---- launching ---------------------------------------------------------- */

/* One argument: a scalar (is_buffer = 0; type and bits) or a buffer
 * (is_buffer = 1; its first count elements, IRCGPU_WHOLE_BUFFER: all that
 * fit). Make them with the ircgpu_arg_* helpers below. */
#define IRCGPU_WHOLE_BUFFER (~(uint64_t)0)
typedef struct ircgpu_arg {
  int is_buffer;
  ircgpu_type type; /* scalars */
  uint64_t bits;    /* scalars: zero-extended; f32 in the low 32 bits */
  const ircgpu_buffer *buffer;
  uint64_t count;
} ircgpu_arg;

/* A returned value: its type and bits (as ircgpu_arg's). */
typedef struct ircgpu_value {
  ircgpu_type type;
  uint64_t bits;
} ircgpu_value;

/* Runs the kernel with nargs arguments (checked against its parameters: a
 * mismatch is IRCGPU_ERROR_INVALID_ARGUMENT naming the parameter) on stream
 * (NULL: the default stream; ignored on interp/sim), waits for it, and
 * writes up to max_results results to results (may be NULL when
 * max_results is 0) and their number to *num_results (may be NULL). */
IRCGPU_API ircgpu_status ircgpu_launch(const ircgpu_kernel *k,
                                       const ircgpu_arg *args, size_t nargs,
                                       void *stream, ircgpu_value *results,
                                       size_t max_results,
                                       size_t *num_results);

static inline ircgpu_arg ircgpu_arg_scalar(ircgpu_type t, uint64_t bits) {
  ircgpu_arg a;
  a.is_buffer = 0;
  a.type = t;
  a.bits = bits;
  a.buffer = NULL;
  a.count = 0;
  return a;
}
static inline ircgpu_arg ircgpu_arg_i1(int v) {
  return ircgpu_arg_scalar(IRCGPU_I1, v ? 1u : 0u);
}
static inline ircgpu_arg ircgpu_arg_i32(int32_t v) {
  return ircgpu_arg_scalar(IRCGPU_I32, (uint32_t)v);
}
static inline ircgpu_arg ircgpu_arg_i64(int64_t v) {
  return ircgpu_arg_scalar(IRCGPU_I64, (uint64_t)v);
}
static inline ircgpu_arg ircgpu_arg_f32(float v) {
  uint32_t b;
  memcpy(&b, &v, sizeof b);
  return ircgpu_arg_scalar(IRCGPU_F32, b);
}
static inline ircgpu_arg ircgpu_arg_f64(double v) {
  uint64_t b;
  memcpy(&b, &v, sizeof b);
  return ircgpu_arg_scalar(IRCGPU_F64, b);
}
static inline ircgpu_arg ircgpu_arg_buffer(const ircgpu_buffer *buf,
                                           uint64_t count) {
  ircgpu_arg a;
  a.is_buffer = 1;
  a.type = IRCGPU_I8;
  a.bits = 0;
  a.buffer = buf;
  a.count = count;
  return a;
}

/* Integers sign-extended from their width (i1: 0 or 1); floats truncated. */
static inline int64_t ircgpu_value_i64(ircgpu_value v) {
  switch (v.type) {
  case IRCGPU_I1:
    return (int64_t)(v.bits & 1);
  case IRCGPU_I8:
    return (int8_t)v.bits;
  case IRCGPU_I16:
    return (int16_t)v.bits;
  case IRCGPU_I32:
    return (int32_t)v.bits;
  case IRCGPU_F32: {
    float f;
    uint32_t b = (uint32_t)v.bits;
    memcpy(&f, &b, sizeof f);
    return (int64_t)f;
  }
  case IRCGPU_F64: {
    double d;
    memcpy(&d, &v.bits, sizeof d);
    return (int64_t)d;
  }
  default:
    return (int64_t)v.bits;
  }
}
/* Floats as double; integers converted as signed. */
static inline double ircgpu_value_f64(ircgpu_value v) {
  if (v.type == IRCGPU_F32) {
    float f;
    uint32_t b = (uint32_t)v.bits;
    memcpy(&f, &b, sizeof f);
    return f;
  }
  if (v.type == IRCGPU_F64) {
    double d;
    memcpy(&d, &v.bits, sizeof d);
    return d;
  }
  return (double)ircgpu_value_i64(v);
}

#ifdef __cplusplus
}
#endif

#endif /* IRCGPU_IRCGPU_H */
