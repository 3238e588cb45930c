//===- tests/install/coexist.cpp - another LLVM beside libircgpu.so -------===//
//
// Built by tests/install/run.sh against the installed libircgpu.so: loads
// ROCm's code-object library, comgr, which is linked to a shared LLVM of its
// own (libLLVM-15 on Debian 12), plainly (no RTLD_DEEPBIND), and has it read
// the metadata of a gfx90a code object (argv[1]). In a process holding a
// library that exports LLVM 19's symbols, comgr's LLVM binds to those and
// the process crashes (docs/runtime.md, "comgr"); libircgpu.so exports none
// of them, so this must run to the end and exit 0.
//
//===----------------------------------------------------------------------===//
#include "ircgpu/Version.h"

#include <cstdint>
#include <cstdio>
#include <dlfcn.h>
#include <fstream>
#include <iterator>
#include <string>

// The few declarations of amd_comgr.h (libamd-comgr-dev) used here.
struct ComgrHandle {
  uint64_t Handle;
};
using CreateData = int (*)(int Kind, ComgrHandle *Data);
using SetData = int (*)(ComgrHandle Data, size_t Size, const char *Bytes);
using GetMetadata = int (*)(ComgrHandle Data, ComgrHandle *Metadata);
using MetadataKind = int (*)(ComgrHandle Metadata, int *Kind);
constexpr int DataKindExecutable = 0x8, MetadataKindMap = 0x2;

int main(int Argc, char **Argv) {
  if (Argc != 2)
    return std::fprintf(stderr, "usage: coexist CODE_OBJECT\n"), 2;
  // Keep libircgpu.so loaded and used.
  std::printf("irc-gpu %s\n", ircgpu::compilerVersion());
  void *Comgr = dlopen("libamd_comgr.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!Comgr)
    return std::fprintf(stderr, "coexist: %s\n", dlerror()), 2;
  auto Create = (CreateData)dlsym(Comgr, "amd_comgr_create_data");
  auto Set = (SetData)dlsym(Comgr, "amd_comgr_set_data");
  auto Get = (GetMetadata)dlsym(Comgr, "amd_comgr_get_data_metadata");
  auto Kind = (MetadataKind)dlsym(Comgr, "amd_comgr_get_metadata_kind");
  if (!Create || !Set || !Get || !Kind)
    return std::fprintf(stderr, "coexist: comgr lacks a function\n"), 2;
  std::ifstream In(Argv[1], std::ios::binary);
  std::string Bytes((std::istreambuf_iterator<char>(In)), {});
  ComgrHandle Data, Metadata;
  int K = -1;
  if (Create(DataKindExecutable, &Data) ||
      Set(Data, Bytes.size(), Bytes.data()) || Get(Data, &Metadata) ||
      Kind(Metadata, &K))
    return std::fprintf(stderr, "coexist: comgr failed\n"), 1;
  std::printf("comgr metadata: %s\n", K == MetadataKindMap ? "map" : "other");
  return 0;
}
