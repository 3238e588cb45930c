//===- runtime/ModuleCache.cpp - the compiled-module cache, memory half ---===//
//
// The map of payloads and the in-flight table that makes concurrent requests
// for one key compile once; the disk entries are in ModuleCacheDisk.cpp.
//
//===----------------------------------------------------------------------===//

#include "ircgpu/ModuleCache.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <utility>

using namespace llvm;

namespace ircgpu {

std::string defaultCacheDirectory() {
  SmallString<256> Path;
  if (std::optional<std::string> Env =
          sys::Process::GetEnv("IRC_GPU_CACHE_DIR");
      Env && !Env->empty()) {
    if (*Env == "off")
      return "";
    Path = *Env;
  } else if (std::optional<std::string> Xdg =
                 sys::Process::GetEnv("XDG_CACHE_HOME");
             // The XDG spec says a relative value is invalid and ignored.
             Xdg && sys::path::is_absolute(*Xdg)) {
    sys::path::append(Path, *Xdg, "irc-gpu");
  } else if (sys::path::home_directory(Path)) {
    // home_directory: $HOME, else the password database.
    sys::path::append(Path, ".cache", "irc-gpu");
  } else {
    return "";
  }
  // Absolute, so that the directory does not move with the working directory
  // of a long-running process.
  if (sys::fs::make_absolute(Path))
    return "";
  sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  return std::string(Path);
}

bool isValidCacheKey(StringRef Key) {
  return Key.size() == 64 && all_of(Key, [](char C) {
           return isDigit(C) || (C >= 'a' && C <= 'f');
         });
}

static Error invalidKey(StringRef Key) {
  return createStringError(
      std::errc::invalid_argument,
      "invalid module cache key '%s': expected 64 lowercase hex digits",
      Key.str().c_str());
}

ModuleCache::ModuleCache(std::string Dir) : Dir(std::move(Dir)) {
  if (std::optional<std::string> F =
          sys::Process::GetEnv("IRC_GPU_CACHE_FAULT"))
    Fault = *F == "read-only" ? InjectedFault::ReadOnly
            : *F == "full"    ? InjectedFault::Full
                              : InjectedFault::None;
}

void ModuleCache::setWarningHandler(WarningHandler Handler) {
  std::lock_guard<std::mutex> Lock(WarnMutex);
  Warn = std::move(Handler);
}

void ModuleCache::warn(const Twine &Message) {
  std::lock_guard<std::mutex> Lock(WarnMutex);
  if (Warn)
    Warn(Message.str());
}

void ModuleCache::writeFailed(const Twine &Why) {
  bool First;
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    ++Counters.WriteFailures;
    First = !std::exchange(WarnedWriteFailure, true);
  }
  if (First)
    warn("cannot write to " + Dir + " (" + Why +
         "); compiled code is kept in memory only (running uncached)");
}

void ModuleCache::bump(uint64_t CacheStats::*Counter) {
  std::lock_guard<std::mutex> Lock(Mutex);
  ++(Counters.*Counter);
}

Expected<std::shared_ptr<const std::string>>
ModuleCache::getOrCompile(StringRef Key, CompileFn Compile) {
  if (!isValidCacheKey(Key))
    return invalidKey(Key);

  std::promise<Outcome> Promise;
  {
    std::unique_lock<std::mutex> Lock(Mutex);
    if (auto It = Entries.find(Key); It != Entries.end()) {
      ++Counters.MemoryHits;
      return It->second;
    }
    if (auto It = InFlight.find(Key); It != InFlight.end()) {
      // Another thread reads the disk or compiles this key: wait for it,
      // without the lock, and share its result.
      ++Counters.Waits;
      std::shared_future<Outcome> Future = It->second;
      Lock.unlock();
      const Outcome &O = Future.get();
      if (!O.Payload)
        return createStringError(inconvertibleErrorCode(), O.Error);
      return O.Payload;
    }
    InFlight.emplace(Key, Promise.get_future().share());
  }

  // This thread owns Key until it is taken out of InFlight, whatever happens
  // (an exception from Compile included): the waiters then get the outcome.
  Outcome Result;
  Result.Error = "the compile of " + Key.str() + " ended without a result";
  auto Finish = make_scope_exit([&] {
    std::lock_guard<std::mutex> Lock(Mutex);
    if (Result.Payload) {
      Counters.MemoryBytes += Result.Payload->size();
      Counters.MemoryEntries += Entries.emplace(Key, Result.Payload).second;
    }
    InFlight.erase(InFlight.find(Key));
    Promise.set_value(Result);
  });

  if (!Dir.empty())
    if ((Result.Payload = readEntry(Key))) {
      bump(&CacheStats::DiskHits);
      return Result.Payload;
    }
  bump(&CacheStats::Misses);
  bump(&CacheStats::Compiles);
  Expected<std::string> Compiled = Compile();
  if (!Compiled) {
    // The waiters get the message; this caller keeps the error itself (its
    // type may matter to it, e.g. a diagnostic).
    Result.Error.clear();
    Error E = handleErrors(
        Compiled.takeError(), [&](std::unique_ptr<ErrorInfoBase> EI) {
          Result.Error += (Result.Error.empty() ? "" : "\n") + EI->message();
          return Error(std::move(EI));
        });
    return E;
  }
  Result.Payload = std::make_shared<const std::string>(std::move(*Compiled));
  if (!Dir.empty())
    writeEntry(Key, *Result.Payload);
  return Result.Payload;
}

std::shared_ptr<const std::string> ModuleCache::lookup(StringRef Key) {
  if (!isValidCacheKey(Key))
    return nullptr;
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    if (auto It = Entries.find(Key); It != Entries.end()) {
      ++Counters.MemoryHits;
      return It->second;
    }
  }
  std::shared_ptr<const std::string> Payload;
  if (!Dir.empty())
    Payload = readEntry(Key);
  std::lock_guard<std::mutex> Lock(Mutex);
  if (!Payload) {
    ++Counters.Misses;
    return nullptr;
  }
  ++Counters.DiskHits;
  // A concurrent getOrCompile may have put it in memory meanwhile: keep one.
  auto [It, Inserted] = Entries.emplace(Key, Payload);
  if (Inserted) {
    ++Counters.MemoryEntries;
    Counters.MemoryBytes += Payload->size();
  }
  return It->second;
}

CacheStats ModuleCache::stats() const {
  Expected<CacheStats> S = scanStats();
  if (S)
    return *S;
  consumeError(S.takeError());
  std::lock_guard<std::mutex> Lock(Mutex);
  return Counters;
}

Expected<CacheStats> ModuleCache::scanStats() const {
  CacheStats S;
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    S = Counters;
  }
  if (!Dir.empty())
    if (Error E = scanDisk(S))
      return E;
  return S;
}

Error ModuleCache::clear(ClearedFiles *Removed) {
  {
    // In-flight work is left alone: its owner still hands its outcome to
    // the waiters and puts it in memory afterwards.
    std::lock_guard<std::mutex> Lock(Mutex);
    Entries.clear();
    Counters = CacheStats();
    WarnedWriteFailure = false;
  }
  ClearedFiles Local;
  ClearedFiles &R = Removed ? *Removed : Local;
  R = ClearedFiles();
  if (Dir.empty())
    return Error::success();
  return clearDisk(R);
}

ModuleCache &processModuleCache() {
  // Never destroyed: a VM may compile or look up from a static destructor or
  // a thread still running at exit.
  static ModuleCache *Cache = [] {
    auto *C = new ModuleCache(defaultCacheDirectory());
    C->setWarningHandler([](StringRef Message) {
      errs() << "irc-gpu: warning: module cache: " << Message << "\n";
    });
    return C;
  }();
  return *Cache;
}

} // namespace ircgpu
