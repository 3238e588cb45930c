//===- tests/unit/runtime/ModuleCacheTest.cpp - the compiled-module cache -===//
//
// Hits and misses, entries shared between two cache objects on one directory
// (the second process), damaged entries of every kind, 16 threads asking for
// one key, failed compiles, unwritable directories, bad keys, leftover
// temporary files and the choice of directory from the environment.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/ModuleCache.h"
#include "ircgpu/Version.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/BLAKE3.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

using namespace ircgpu;
using namespace llvm;

namespace {

/// A valid key, different for each I (and spread over subdirectories).
std::string key(int I) {
  std::string Seed = "key " + std::to_string(I);
  return toHex(BLAKE3::hash(arrayRefFromStringRef(Seed)), /*LowerCase=*/true);
}

std::string readFile(const std::string &Path) {
  auto Buf = MemoryBuffer::getFile(Path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  return Buf ? (*Buf)->getBuffer().str() : std::string("<unreadable>");
}

void writeFile(const std::string &Path, StringRef Bytes) {
  std::error_code EC;
  raw_fd_ostream OS(Path, EC);
  ASSERT_FALSE(EC) << Path << ": " << EC.message();
  OS << Bytes;
}

/// A fresh directory per test, removed afterwards.
class ModuleCacheTest : public ::testing::Test {
protected:
  void SetUp() override {
    SmallString<256> P;
    ASSERT_FALSE(sys::fs::createUniqueDirectory("ircgpu-cache-test", P));
    Dir = std::string(P);
  }
  void TearDown() override { sys::fs::remove_directories(Dir); }

  std::string path(StringRef Name) const {
    SmallString<256> P(Dir);
    sys::path::append(P, Name);
    return std::string(P);
  }

  std::string Dir;
};

/// A CompileFn that counts its calls.
struct Compiler {
  std::string Payload = "compiled code";
  std::atomic<int> Calls{0};
  Expected<std::string> operator()() {
    ++Calls;
    return Payload;
  }
};

Expected<std::string> mustNotCompile() {
  ADD_FAILURE() << "compiled although the entry should have been found";
  return std::string("wrong");
}

//===-- hits, misses, persistence -----------------------------------------===//

TEST_F(ModuleCacheTest, MemoryOnlyCountsHitsAndMisses) {
  ModuleCache C("");
  Compiler Comp;
  auto A = C.getOrCompile(key(1), std::ref(Comp));
  ASSERT_TRUE(bool(A)) << toString(A.takeError());
  EXPECT_EQ(**A, "compiled code");
  auto B = C.getOrCompile(key(1), mustNotCompile);
  ASSERT_TRUE(bool(B));
  EXPECT_EQ(A->get(), B->get()); // shared, not copied
  EXPECT_EQ(C.lookup(key(2)), nullptr);
  EXPECT_EQ(C.lookup(key(1)).get(), A->get());

  CacheStats S = C.stats();
  EXPECT_EQ(Comp.Calls, 1);
  EXPECT_EQ(S.Compiles, 1u);
  EXPECT_EQ(S.Misses, 2u); // key 1 the first time, key 2
  EXPECT_EQ(S.MemoryHits, 2u);
  EXPECT_EQ(S.DiskHits, 0u);
  EXPECT_EQ(S.MemoryEntries, 1u);
  EXPECT_EQ(S.MemoryBytes, Comp.Payload.size());
  EXPECT_EQ(S.DiskEntries, 0u);
  EXPECT_TRUE(C.directory().empty());
}

TEST_F(ModuleCacheTest, SecondObjectOnTheDirectoryFindsTheEntry) {
  std::string CacheDir = path("nested/cache"); // created on demand
  {
    ModuleCache First(CacheDir);
    Compiler Comp;
    ASSERT_TRUE(bool(First.getOrCompile(key(1), std::ref(Comp))));
    EXPECT_EQ(First.stats().DiskHits, 0u);
    EXPECT_EQ(First.stats().Compiles, 1u);
  }
  ModuleCache Second(CacheDir);
  EXPECT_EQ(Second.entryPath(key(1)),
            CacheDir + "/v1/" + key(1).substr(0, 2) + "/" + key(1) + ".irc");
  ASSERT_TRUE(sys::fs::exists(Second.entryPath(key(1))));
  auto P = Second.getOrCompile(key(1), mustNotCompile);
  ASSERT_TRUE(bool(P)) << toString(P.takeError());
  EXPECT_EQ(**P, "compiled code");
  auto Again = Second.getOrCompile(key(1), mustNotCompile);
  ASSERT_TRUE(bool(Again));

  ModuleCache Third(CacheDir);
  std::shared_ptr<const std::string> L = Third.lookup(key(1));
  ASSERT_NE(L, nullptr);
  EXPECT_EQ(*L, "compiled code");

  CacheStats S = Second.stats();
  EXPECT_EQ(S.DiskHits, 1u);
  EXPECT_EQ(S.MemoryHits, 1u);
  EXPECT_EQ(S.Misses, 0u);
  EXPECT_EQ(S.Compiles, 0u);
  EXPECT_EQ(S.DiskEntries, 1u);
  uint64_t Size = 0;
  ASSERT_FALSE(sys::fs::file_size(Second.entryPath(key(1)), Size));
  EXPECT_EQ(S.DiskBytes, Size);
  EXPECT_EQ(Third.stats().DiskHits, 1u);
}

TEST_F(ModuleCacheTest, EmptyAndBinaryPayloadsRoundTrip) {
  std::string Binary("\0\xff\x01 cubin\n\0", 12);
  {
    ModuleCache C(Dir);
    ASSERT_TRUE(bool(C.getOrCompile(
        key(1), []() -> Expected<std::string> { return std::string(); })));
    ASSERT_TRUE(bool(C.getOrCompile(
        key(2), [&]() -> Expected<std::string> { return Binary; })));
  }
  ModuleCache C(Dir);
  ASSERT_NE(C.lookup(key(1)), nullptr);
  EXPECT_EQ(*C.lookup(key(1)), "");
  ASSERT_NE(C.lookup(key(2)), nullptr);
  EXPECT_EQ(*C.lookup(key(2)), Binary);
  EXPECT_EQ(C.stats().DiskEntries, 2u);
}

TEST_F(ModuleCacheTest, EntryHeaderIsTheDocumentedLayout) {
  ModuleCache C(Dir);
  Compiler Comp;
  ASSERT_TRUE(bool(C.getOrCompile(key(1), std::ref(Comp))));
  std::string F = readFile(C.entryPath(key(1)));
  StringRef Version = compilerVersion();
  ASSERT_EQ(F.size(), 120 + Version.size() + Comp.Payload.size());
  EXPECT_EQ(F.substr(0, 8), "IRCGPUMC");
  EXPECT_EQ(F.substr(8, 8), std::string("\1\0\0\0", 4) +
                                std::string(1, char(Version.size())) +
                                std::string(3, '\0'));
  EXPECT_EQ(F.substr(16, 64), key(1));
  EXPECT_EQ(F[80], char(Comp.Payload.size()));
  EXPECT_EQ(F.substr(88, 32), toStringRef(ArrayRef<uint8_t>(BLAKE3::hash(
                                  arrayRefFromStringRef(Comp.Payload)))));
  EXPECT_EQ(F.substr(120, Version.size()), Version);
  EXPECT_EQ(F.substr(120 + Version.size()), Comp.Payload);
}

//===-- damaged entries ---------------------------------------------------===//

struct Damage {
  const char *Name;
  std::function<void(std::string &)> Apply;
};

void PrintTo(const Damage &D, std::ostream *OS) { *OS << D.Name; }

class DamagedEntryTest : public ModuleCacheTest,
                         public ::testing::WithParamInterface<Damage> {};

// Each damage is found, counted once, the file removed and rebuilt, and the
// rebuilt file is the entry a fresh cache object reads.
TEST_P(DamagedEntryTest, IsCountedRemovedAndRebuilt) {
  std::string Good;
  {
    ModuleCache Writer(Dir);
    Compiler Comp;
    ASSERT_TRUE(bool(Writer.getOrCompile(key(1), std::ref(Comp))));
    Good = readFile(Writer.entryPath(key(1)));
  }
  ModuleCache C(Dir);
  std::string Bad = Good;
  GetParam().Apply(Bad);
  ASSERT_NE(Bad, Good);
  writeFile(C.entryPath(key(1)), Bad);

  Compiler Comp;
  auto P = C.getOrCompile(key(1), std::ref(Comp));
  ASSERT_TRUE(bool(P)) << toString(P.takeError());
  EXPECT_EQ(**P, "compiled code");
  EXPECT_EQ(Comp.Calls, 1);
  CacheStats S = C.stats();
  EXPECT_EQ(S.BadEntries, 1u);
  EXPECT_EQ(S.DiskHits, 0u);
  EXPECT_EQ(S.Compiles, 1u);
  EXPECT_EQ(readFile(C.entryPath(key(1))), Good);

  ModuleCache Fresh(Dir);
  ASSERT_NE(Fresh.lookup(key(1)), nullptr);
  EXPECT_EQ(Fresh.stats().BadEntries, 0u);
}

// lookup() finds the damage too, removes the file and answers nothing.
TEST_P(DamagedEntryTest, LookupRemovesIt) {
  std::string Good;
  {
    ModuleCache Writer(Dir);
    Compiler Comp;
    ASSERT_TRUE(bool(Writer.getOrCompile(key(1), std::ref(Comp))));
    Good = readFile(Writer.entryPath(key(1)));
  }
  ModuleCache C(Dir);
  GetParam().Apply(Good);
  writeFile(C.entryPath(key(1)), Good);
  EXPECT_EQ(C.lookup(key(1)), nullptr);
  EXPECT_EQ(C.stats().BadEntries, 1u);
  EXPECT_EQ(C.stats().Misses, 1u);
  EXPECT_FALSE(sys::fs::exists(C.entryPath(key(1))));
}

std::vector<Damage> damages() {
  auto Flip = [](size_t Offset) {
    return [Offset](std::string &F) { F[Offset] ^= 0x01; };
  };
  size_t VersionAt = 120;
  return {
      {"PayloadByteFlipped", [](std::string &F) { F.back() ^= 0x20; }},
      {"TruncatedByOneByte", [](std::string &F) { F.pop_back(); }},
      {"TruncatedInTheHeader", [](std::string &F) { F.resize(50); }},
      {"TruncatedToNothing", [](std::string &F) { F.clear(); }},
      {"TrailingByte", [](std::string &F) { F.push_back('x'); }},
      {"WrongMagic", Flip(0)},
      {"WrongFormatVersion", Flip(8)},
      {"HugeVersionLength", [](std::string &F) { F[15] = char(0x7f); }},
      {"WrongKey", [](std::string &F) { F[16] = F[16] == '0' ? '1' : '0'; }},
      {"WrongSize", Flip(80)},
      {"WrongChecksum", Flip(88)},
      {"WrongCompilerVersion", Flip(VersionAt)},
      {"Garbage",
       [](std::string &F) { F = "not an irc-gpu cache entry at all\n"; }},
  };
}

INSTANTIATE_TEST_SUITE_P(All, DamagedEntryTest, ::testing::ValuesIn(damages()),
                         [](const ::testing::TestParamInfo<Damage> &I) {
                           return I.param.Name;
                         });

//===-- threads -----------------------------------------------------------===//

/// Blocks until C has Waiters threads waiting for one key (or 20 s pass), so
/// that every thread is known to share the one compile.
void waitForWaiters(ModuleCache &C, uint64_t Waiters) {
  auto Deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (C.stats().Waits < Waiters &&
         std::chrono::steady_clock::now() < Deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

class ConcurrentTest : public ModuleCacheTest,
                       public ::testing::WithParamInterface<bool> {};

TEST_P(ConcurrentTest, SixteenThreadsCompileOnce) {
  ModuleCache C(GetParam() ? Dir : "");
  constexpr int N = 16;
  std::atomic<int> Calls{0};
  auto Compile = [&]() -> Expected<std::string> {
    ++Calls;
    waitForWaiters(C, N - 1);
    return std::string("shared code");
  };
  std::vector<std::shared_ptr<const std::string>> Results(N);
  std::vector<std::thread> Threads;
  for (int I = 0; I < N; ++I)
    Threads.emplace_back([&, I] {
      auto P = C.getOrCompile(key(7), Compile);
      if (P)
        Results[I] = *P;
      else
        ADD_FAILURE() << toString(P.takeError());
    });
  for (std::thread &T : Threads)
    T.join();
  EXPECT_EQ(Calls, 1);
  for (int I = 0; I < N; ++I) {
    ASSERT_NE(Results[I], nullptr);
    EXPECT_EQ(Results[I].get(), Results[0].get());
  }
  EXPECT_EQ(*Results[0], "shared code");
  CacheStats S = C.stats();
  EXPECT_EQ(S.Compiles, 1u);
  EXPECT_EQ(S.Waits, uint64_t(N - 1));
  EXPECT_EQ(S.DiskEntries, GetParam() ? 1u : 0u);
}

TEST_P(ConcurrentTest, FailedCompileGoesToAllAndIsNotCached) {
  ModuleCache C(GetParam() ? Dir : "");
  constexpr int N = 16;
  std::atomic<int> Calls{0};
  auto Fail = [&]() -> Expected<std::string> {
    ++Calls;
    waitForWaiters(C, N - 1);
    return createStringError(inconvertibleErrorCode(), "ptxas said no");
  };
  std::atomic<int> Errors{0};
  std::vector<std::thread> Threads;
  for (int I = 0; I < N; ++I)
    Threads.emplace_back([&] {
      auto P = C.getOrCompile(key(7), Fail);
      if (P) {
        ADD_FAILURE() << "a failed compile returned a payload";
        return;
      }
      EXPECT_EQ(toString(P.takeError()), "ptxas said no");
      ++Errors;
    });
  for (std::thread &T : Threads)
    T.join();
  EXPECT_EQ(Calls, 1);
  EXPECT_EQ(Errors, N);
  EXPECT_EQ(C.stats().DiskEntries, 0u);
  EXPECT_EQ(C.lookup(key(7)), nullptr);

  // Not cached: the next request compiles again.
  Compiler Comp;
  auto P = C.getOrCompile(key(7), std::ref(Comp));
  ASSERT_TRUE(bool(P)) << toString(P.takeError());
  EXPECT_EQ(Comp.Calls, 1);
}

INSTANTIATE_TEST_SUITE_P(MemoryAndDisk, ConcurrentTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool> &I) {
                           return I.param ? "Disk" : "Memory";
                         });

TEST_F(ModuleCacheTest, ManyKeysFromManyThreads) {
  ModuleCache C(Dir);
  std::atomic<int> Calls{0};
  std::vector<std::thread> Threads;
  for (int T = 0; T < 8; ++T)
    Threads.emplace_back([&] {
      for (int K = 0; K < 32; ++K) {
        auto P = C.getOrCompile(key(K), [&]() -> Expected<std::string> {
          ++Calls;
          return "code " + std::to_string(K);
        });
        ASSERT_TRUE(bool(P));
        EXPECT_EQ(**P, "code " + std::to_string(K));
      }
    });
  for (std::thread &T : Threads)
    T.join();
  EXPECT_EQ(Calls, 32);
  EXPECT_EQ(C.stats().DiskEntries, 32u);
}

//===-- unwritable directories, bad keys, temporary files -----------------===//

TEST_F(ModuleCacheTest, DirectoryUnderARegularFileStillReturnsThePayload) {
  writeFile(path("file"), "a regular file");
  ModuleCache C(path("file/cache"));
  Compiler Comp;
  auto P = C.getOrCompile(key(1), std::ref(Comp));
  ASSERT_TRUE(bool(P)) << toString(P.takeError());
  EXPECT_EQ(**P, "compiled code");
  auto Again = C.getOrCompile(key(1), mustNotCompile);
  ASSERT_TRUE(bool(Again));
  CacheStats S = C.stats();
  EXPECT_EQ(S.WriteFailures, 1u);
  EXPECT_EQ(S.MemoryHits, 1u);
  EXPECT_EQ(S.DiskEntries, 0u);
  EXPECT_FALSE(bool(C.scanStats())) << "a directory that cannot be listed";
}

TEST_F(ModuleCacheTest, ReadOnlyDirectoryStillReturnsThePayload) {
  std::string Sub = path("ro/v1/" + key(1).substr(0, 2));
  ASSERT_FALSE(sys::fs::create_directories(Sub));
  ASSERT_FALSE(sys::fs::setPermissions(Sub, sys::fs::perms(0555)));
  // root writes into 0555 directories anyway: then there is nothing to test.
  {
    std::error_code EC;
    raw_fd_ostream Probe(Sub + "/probe", EC);
    if (!EC) {
      sys::fs::remove(Sub + "/probe");
      sys::fs::setPermissions(Sub, sys::fs::perms(0755));
      GTEST_SKIP() << "running as root: a 0555 directory is writable";
    }
  }
  ModuleCache C(path("ro"));
  Compiler Comp;
  auto P = C.getOrCompile(key(1), std::ref(Comp));
  sys::fs::setPermissions(Sub, sys::fs::perms(0755));
  ASSERT_TRUE(bool(P)) << toString(P.takeError());
  EXPECT_EQ(**P, "compiled code");
  EXPECT_EQ(C.stats().WriteFailures, 1u);
}

TEST_F(ModuleCacheTest, BadKeysAreRefused) {
  ModuleCache C(Dir);
  std::string Upper = key(1);
  for (char &Ch : Upper)
    Ch = toUpper(Ch);
  for (std::string K :
       {std::string(), std::string("../../etc/passwd"), key(1).substr(1),
        key(1) + "0", Upper, "/" + key(1).substr(1), key(1).substr(1) + "/",
        std::string(63, '0') + "g", std::string(62, '0') + ".."}) {
    SCOPED_TRACE(K);
    auto P = C.getOrCompile(K, mustNotCompile);
    ASSERT_FALSE(bool(P));
    EXPECT_NE(toString(P.takeError()).find("invalid module cache key"),
              std::string::npos);
    EXPECT_EQ(C.lookup(K), nullptr);
  }
  std::error_code EC;
  EXPECT_EQ(sys::fs::directory_iterator(Dir, EC), sys::fs::directory_iterator())
      << "nothing is created for a bad key";
  EXPECT_TRUE(isValidCacheKey(key(1)));
  EXPECT_FALSE(isValidCacheKey(Upper));
}

// A writer killed between writing its temporary file and renaming it leaves
// KEY-XXXXXXXX.tmp: never read as the entry, not counted, removed by clear.
TEST_F(ModuleCacheTest, LeftoverTemporaryFileIsIgnoredAndCleared) {
  std::string Good;
  {
    ModuleCache Writer(path("w"));
    Compiler Comp;
    ASSERT_TRUE(bool(Writer.getOrCompile(key(1), std::ref(Comp))));
    Good = readFile(Writer.entryPath(key(1)));
  }
  ModuleCache C(Dir);
  std::string Sub = path("v1/" + key(1).substr(0, 2));
  ASSERT_FALSE(sys::fs::create_directories(Sub));
  writeFile(Sub + "/" + key(1) + "-0123abcd.tmp", Good.substr(0, 100));
  writeFile(Sub + "/" + key(1) + "-99999999.tmp", Good); // complete, unnamed
  writeFile(Sub + "/README", "not ours");
  writeFile(path("notes.txt"), "not ours either");

  EXPECT_EQ(C.lookup(key(1)), nullptr);
  CacheStats S = C.stats();
  EXPECT_EQ(S.BadEntries, 0u);
  EXPECT_EQ(S.DiskEntries, 0u);
  EXPECT_EQ(S.DiskBytes, 0u);

  Compiler Comp;
  ASSERT_TRUE(bool(C.getOrCompile(key(1), std::ref(Comp))));
  EXPECT_EQ(Comp.Calls, 1);
  EXPECT_EQ(C.stats().DiskEntries, 1u);

  ClearedFiles Removed;
  ASSERT_FALSE(bool(C.clear(&Removed)));
  EXPECT_EQ(Removed.Entries, 1u);
  EXPECT_EQ(Removed.Bytes, Good.size());
  EXPECT_EQ(Removed.TempFiles, 2u);
  EXPECT_FALSE(sys::fs::exists(C.entryPath(key(1))));
  EXPECT_FALSE(sys::fs::exists(Sub + "/" + key(1) + "-0123abcd.tmp"));
  EXPECT_TRUE(sys::fs::exists(Sub + "/README"));
  EXPECT_TRUE(sys::fs::exists(path("notes.txt")));
}

TEST_F(ModuleCacheTest, ClearEmptiesMemoryAndDisk) {
  ModuleCache C(Dir);
  Compiler Comp;
  for (int K = 0; K < 3; ++K)
    ASSERT_TRUE(bool(C.getOrCompile(key(K), std::ref(Comp))));
  ASSERT_EQ(C.stats().DiskEntries, 3u);
  ClearedFiles Removed;
  ASSERT_FALSE(bool(C.clear(&Removed)));
  EXPECT_EQ(Removed.Entries, 3u);
  CacheStats S = C.stats();
  EXPECT_EQ(S.DiskEntries, 0u);
  EXPECT_EQ(S.MemoryEntries, 0u);
  EXPECT_EQ(S.Compiles, 0u);
  ASSERT_TRUE(bool(C.getOrCompile(key(0), std::ref(Comp))));
  EXPECT_EQ(Comp.Calls, 4);

  ModuleCache Missing(path("never-created"));
  ASSERT_FALSE(bool(Missing.clear(&Removed)));
  EXPECT_EQ(Removed.Entries, 0u);
  EXPECT_TRUE(bool(Missing.scanStats()));
}

//===-- the directory from the environment --------------------------------===//

/// Sets or unsets environment variables for one test and restores them.
class EnvGuard {
public:
  void set(const char *Name, std::optional<std::string> Value) {
    if (!Saved.count(Name)) {
      const char *Old = getenv(Name);
      Saved[Name] = Old ? std::optional<std::string>(Old) : std::nullopt;
    }
    if (Value)
      setenv(Name, Value->c_str(), 1);
    else
      unsetenv(Name);
  }
  ~EnvGuard() {
    for (auto &[Name, Value] : Saved)
      set(Name.c_str(), Value);
  }

private:
  std::map<std::string, std::optional<std::string>> Saved;
};

TEST(DefaultCacheDirectoryTest, FollowsTheEnvironment) {
  EnvGuard Env;
  Env.set("HOME", "/home/someone");
  Env.set("XDG_CACHE_HOME", std::nullopt);
  Env.set("IRC_GPU_CACHE_DIR", std::nullopt);
  EXPECT_EQ(defaultCacheDirectory(), "/home/someone/.cache/irc-gpu");

  Env.set("XDG_CACHE_HOME", "/xdg/cache");
  EXPECT_EQ(defaultCacheDirectory(), "/xdg/cache/irc-gpu");
  Env.set("XDG_CACHE_HOME", "relative/cache"); // invalid per XDG: ignored
  EXPECT_EQ(defaultCacheDirectory(), "/home/someone/.cache/irc-gpu");

  Env.set("IRC_GPU_CACHE_DIR", "/var/tmp/jit-cache/");
  EXPECT_EQ(defaultCacheDirectory(), "/var/tmp/jit-cache");
  Env.set("IRC_GPU_CACHE_DIR", "off");
  EXPECT_EQ(defaultCacheDirectory(), "");
  Env.set("IRC_GPU_CACHE_DIR", ""); // empty: as if unset
  EXPECT_EQ(defaultCacheDirectory(), "/home/someone/.cache/irc-gpu");

  Env.set("IRC_GPU_CACHE_DIR", "rel/./cache");
  SmallString<256> Expected;
  ASSERT_FALSE(sys::fs::current_path(Expected));
  sys::path::append(Expected, "rel", "cache");
  EXPECT_EQ(defaultCacheDirectory(), std::string(Expected));
}

} // namespace
