//===- api/CApi.cpp - the C API (ircgpu.h) over the C++ one --------------===//
//
// Each handle is a small struct around the C++ object; each call catches the
// llvm::Error of the C++ call, keeps its message in the calling thread's
// last-error string and returns its ErrorCode as the status.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/ircgpu.h"

#include "ircgpu/Context.h"

#include <atomic>
#include <cstring>

using namespace ircgpu;
using namespace llvm;

struct ircgpu_context {
  std::unique_ptr<Context> C;
};
struct ircgpu_module {
  std::shared_ptr<const Module> M;
};
struct ircgpu_kernel {
  KernelRef K;
  std::atomic<unsigned> Refs{1};
};
struct ircgpu_compile_job {
  CompileJob J;
};
struct ircgpu_buffer {
  Buffer B;
};
struct ircgpu_stream {
  Stream S;
};

namespace {

thread_local std::string LastError;

ircgpu_status fail(ircgpu_status S, std::string Msg) {
  LastError = std::move(Msg);
  return S;
}

ircgpu_status fail(Error E) {
  std::string Msg;
  ErrorCode C = takeErrorCode(std::move(E), Msg);
  return fail(ircgpu_status(int(C)), std::move(Msg));
}

ircgpu_status nullArg(const char *What) {
  return fail(IRCGPU_ERROR_INVALID_ARGUMENT, std::string(What) + " is NULL");
}

KernelOptions options(const ircgpu_compile_options *O) {
  KernelOptions K;
  if (!O)
    return K;
  K.OptLevel = O->opt_level;
  K.Checked = O->checked != 0;
  K.AllowSequential = O->allow_sequential != 0;
  if (O->target)
    K.Target = O->target;
  return K;
}

ircgpu_status giveKernel(Expected<KernelRef> K, ircgpu_kernel **Out) {
  if (!K)
    return fail(K.takeError());
  if (!*K)
    return fail(IRCGPU_NOT_FOUND, "not in the cache");
  auto *H = new ircgpu_kernel;
  H->K = std::move(*K);
  *Out = H;
  return IRCGPU_OK;
}

ircgpu_type cType(Type T) { return ircgpu_type(int(T.elem())); }

Type fromC(ircgpu_type T) { return Type::scalar(Scalar(int(T))); }

} // namespace

extern "C" {

const char *ircgpu_last_error(void) { return LastError.c_str(); }

const char *ircgpu_status_name(ircgpu_status S) {
  switch (S) {
  case IRCGPU_OK:
    return "ok";
  case IRCGPU_NOT_READY:
    return "not ready";
  case IRCGPU_NOT_FOUND:
    return "not found";
  default:
    if (S >= IRCGPU_ERROR_INVALID_ARGUMENT && S <= IRCGPU_ERROR_COMPILE)
      return errorCodeName(ErrorCode(int(S))).data();
    return "unknown status";
  }
}

const char *ircgpu_version(void) { return IRCGPU_VERSION_STRING; }

ircgpu_status ircgpu_context_create(const char *Spec, ircgpu_context **Out) {
  if (!Out)
    return nullArg("out");
  auto C = Context::create(Spec ? Spec : "auto");
  if (!C)
    return fail(C.takeError());
  *Out = new ircgpu_context{std::move(*C)};
  return IRCGPU_OK;
}

void ircgpu_context_destroy(ircgpu_context *Ctx) { delete Ctx; }

const char *ircgpu_context_device_name(const ircgpu_context *Ctx) {
  return Ctx ? Ctx->C->deviceName().c_str() : "";
}

int ircgpu_context_is_host(const ircgpu_context *Ctx) {
  return Ctx && Ctx->C->isHost();
}

ircgpu_status ircgpu_context_synchronize(ircgpu_context *Ctx, void *S) {
  if (!Ctx)
    return nullArg("context");
  if (Error E = Ctx->C->synchronize(S))
    return fail(std::move(E));
  return IRCGPU_OK;
}

ircgpu_status ircgpu_stream_create(ircgpu_context *Ctx, ircgpu_stream **Out) {
  if (!Ctx || !Out)
    return nullArg(!Ctx ? "context" : "out");
  auto S = Ctx->C->createStream();
  if (!S)
    return fail(S.takeError());
  *Out = new ircgpu_stream{std::move(*S)};
  return IRCGPU_OK;
}

void *ircgpu_stream_native(const ircgpu_stream *S) {
  return S ? S->S.native() : nullptr;
}

void ircgpu_stream_destroy(ircgpu_stream *S) { delete S; }

ircgpu_status ircgpu_module_parse(const char *Text, size_t Len,
                                  const char *Name, ircgpu_module **Out) {
  if (!Out)
    return nullArg("out");
  if (!Text && Len)
    return nullArg("text");
  auto M = Context::parse(StringRef(Text, Len), Name ? Name : "<vir>");
  if (!M)
    return fail(M.takeError());
  *Out = new ircgpu_module{std::move(*M)};
  return IRCGPU_OK;
}

void ircgpu_module_destroy(ircgpu_module *M) { delete M; }

void ircgpu_compile_options_init(ircgpu_compile_options *O) {
  if (!O)
    return;
  O->opt_level = 2;
  O->checked = 0;
  O->allow_sequential = 0;
  O->target = nullptr;
}

ircgpu_status ircgpu_compile(ircgpu_context *Ctx, const ircgpu_module *M,
                             const char *Entry, const ircgpu_compile_options *O,
                             ircgpu_kernel **Out) {
  if (!Ctx || !M || !Entry || !Out)
    return nullArg(!Ctx ? "context" : !M ? "module" : !Entry ? "entry" : "out");
  return giveKernel(Ctx->C->compile(M->M, Entry, options(O)), Out);
}

ircgpu_status ircgpu_compile_async(ircgpu_context *Ctx, const ircgpu_module *M,
                                   const char *Entry,
                                   const ircgpu_compile_options *O,
                                   ircgpu_compile_job **Out) {
  if (!Ctx || !M || !Entry || !Out)
    return nullArg(!Ctx ? "context" : !M ? "module" : !Entry ? "entry" : "out");
  *Out = new ircgpu_compile_job{Ctx->C->compileAsync(M->M, Entry, options(O))};
  return IRCGPU_OK;
}

ircgpu_status ircgpu_job_poll(ircgpu_compile_job *J, ircgpu_kernel **Out) {
  if (!J || !Out)
    return nullArg(!J ? "job" : "out");
  if (!J->J.ready())
    return IRCGPU_NOT_READY;
  return giveKernel(J->J.get(), Out);
}

ircgpu_status ircgpu_job_wait(ircgpu_compile_job *J, ircgpu_kernel **Out) {
  if (!J || !Out)
    return nullArg(!J ? "job" : "out");
  return giveKernel(J->J.get(), Out);
}

void ircgpu_job_destroy(ircgpu_compile_job *J) { delete J; }

ircgpu_status ircgpu_lookup(ircgpu_context *Ctx, const ircgpu_module *M,
                            const char *Entry, const ircgpu_compile_options *O,
                            ircgpu_kernel **Out) {
  if (!Ctx || !M || !Entry || !Out)
    return nullArg(!Ctx ? "context" : !M ? "module" : !Entry ? "entry" : "out");
  return giveKernel(Ctx->C->lookup(M->M, Entry, options(O)), Out);
}

ircgpu_status ircgpu_lookup_hash(ircgpu_context *Ctx, const char *Hash,
                                 ircgpu_kernel **Out) {
  if (!Ctx || !Hash || !Out)
    return nullArg(!Ctx ? "context" : !Hash ? "hash" : "out");
  return giveKernel(Ctx->C->lookup(StringRef(Hash)), Out);
}

ircgpu_status ircgpu_hash(ircgpu_context *Ctx, const ircgpu_module *M,
                          const char *Entry, const ircgpu_compile_options *O,
                          char Out[65]) {
  if (!Ctx || !M || !Entry || !Out)
    return nullArg(!Ctx ? "context" : !M ? "module" : !Entry ? "entry" : "out");
  auto H = Ctx->C->hash(*M->M, Entry, options(O));
  if (!H)
    return fail(H.takeError());
  std::memset(Out, 0, 65);
  std::memcpy(Out, H->data(), std::min<size_t>(H->size(), 64));
  return IRCGPU_OK;
}

void ircgpu_kernel_retain(ircgpu_kernel *K) {
  if (K)
    K->Refs.fetch_add(1);
}

void ircgpu_kernel_release(ircgpu_kernel *K) {
  if (K && K->Refs.fetch_sub(1) == 1)
    delete K;
}

const char *ircgpu_kernel_entry(const ircgpu_kernel *K) {
  return K ? K->K->entry().c_str() : "";
}

const char *ircgpu_kernel_hash(const ircgpu_kernel *K) {
  return K ? K->K->hash().c_str() : "";
}

size_t ircgpu_kernel_num_params(const ircgpu_kernel *K) {
  return K ? K->K->paramTypes().size() : 0;
}

ircgpu_status ircgpu_kernel_param(const ircgpu_kernel *K, size_t I,
                                  ircgpu_type *Ty, int *IsBuffer) {
  if (!K)
    return nullArg("kernel");
  if (I >= K->K->paramTypes().size())
    return fail(IRCGPU_ERROR_INVALID_ARGUMENT,
                "@" + K->K->entry() + " has no parameter " + std::to_string(I));
  Type T = K->K->paramTypes()[I];
  if (Ty)
    *Ty = cType(T);
  if (IsBuffer)
    *IsBuffer = T.isPtr();
  return IRCGPU_OK;
}

size_t ircgpu_kernel_num_results(const ircgpu_kernel *K) {
  return K ? K->K->resultTypes().size() : 0;
}

ircgpu_type ircgpu_kernel_result_type(const ircgpu_kernel *K, size_t I) {
  if (!K || I >= K->K->resultTypes().size())
    return IRCGPU_I64;
  return cType(K->K->resultTypes()[I]);
}

ircgpu_status ircgpu_buffer_alloc(ircgpu_context *Ctx, uint64_t Bytes,
                                  ircgpu_buffer **Out) {
  if (!Ctx || !Out)
    return nullArg(!Ctx ? "context" : "out");
  auto B = Ctx->C->alloc(Bytes);
  if (!B)
    return fail(B.takeError());
  *Out = new ircgpu_buffer{std::move(*B)};
  return IRCGPU_OK;
}

ircgpu_status ircgpu_buffer_wrap(ircgpu_context *Ctx, uint64_t Address,
                                 uint64_t Bytes, ircgpu_buffer **Out) {
  if (!Ctx || !Out)
    return nullArg(!Ctx ? "context" : "out");
  if (!Address && Bytes)
    return nullArg("address");
  *Out = new ircgpu_buffer{Ctx->C->wrap(Address, Bytes)};
  return IRCGPU_OK;
}

void ircgpu_buffer_destroy(ircgpu_buffer *B) { delete B; }

uint64_t ircgpu_buffer_address(const ircgpu_buffer *B) {
  return B ? B->B.address() : 0;
}

uint64_t ircgpu_buffer_size(const ircgpu_buffer *B) {
  return B ? B->B.size() : 0;
}

ircgpu_status ircgpu_buffer_write(ircgpu_buffer *B, uint64_t Offset,
                                  const void *Src, uint64_t Bytes, void *S) {
  if (!B)
    return nullArg("buffer");
  if (Error E = B->B.write(Src, Bytes, Offset, S))
    return fail(std::move(E));
  return IRCGPU_OK;
}

ircgpu_status ircgpu_buffer_read(const ircgpu_buffer *B, uint64_t Offset,
                                 void *Dst, uint64_t Bytes, void *S) {
  if (!B)
    return nullArg("buffer");
  if (Error E = B->B.read(Dst, Bytes, Offset, S))
    return fail(std::move(E));
  return IRCGPU_OK;
}

ircgpu_status ircgpu_launch(const ircgpu_kernel *K, const ircgpu_arg *Args,
                            size_t NArgs, void *S, ircgpu_value *Results,
                            size_t MaxResults, size_t *NumResults) {
  if (!K)
    return nullArg("kernel");
  if (NArgs && !Args)
    return nullArg("args");
  if (MaxResults && !Results)
    return nullArg("results");
  std::vector<Arg> A(NArgs);
  for (size_t I = 0; I < NArgs; ++I) {
    const ircgpu_arg &C = Args[I];
    if (C.is_buffer) {
      if (!C.buffer)
        return fail(IRCGPU_ERROR_INVALID_ARGUMENT,
                    "@" + K->K->entry() + " argument " + std::to_string(I) +
                        ": the buffer is NULL");
      A[I] = Arg::buffer(C.buffer->B, C.count);
    } else if (int(C.type) < 0 || int(C.type) > int(IRCGPU_F64)) {
      return fail(IRCGPU_ERROR_INVALID_ARGUMENT,
                  "@" + K->K->entry() + " argument " + std::to_string(I) +
                      ": no such type " + std::to_string(int(C.type)));
    } else {
      A[I] = Arg::scalar(fromC(C.type), C.bits);
    }
  }
  auto R = K->K->launch(A, S);
  if (!R)
    return fail(R.takeError());
  for (size_t I = 0; I < R->size() && I < MaxResults; ++I)
    Results[I] = {cType((*R)[I].Ty), (*R)[I].Bits};
  if (NumResults)
    *NumResults = R->size();
  return IRCGPU_OK;
}

} // extern "C"
