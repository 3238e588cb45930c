//===- ircgpu/ModuleCache.h - the compiled-module cache ---------*- C++ -*-===//
//
// Compiled code objects keyed by the module hash (ircgpu::moduleHash), in
// memory and on disk, so that a hot loop is compiled once per machine rather
// than once per process. Lookup-or-compile happens under one lock, as in
// Halide's gpu_context_common.h: concurrent requests for one key compile once.
// The format on disk and the guarantees are in docs/runtime.md, "Module cache".
//
//===----------------------------------------------------------------------===//
#ifndef IRCGPU_MODULECACHE_H
#define IRCGPU_MODULECACHE_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace ircgpu {

/// Where the disk cache lives: IRC_GPU_CACHE_DIR if set and not empty
/// ("off" -> disabled, returns ""), else $XDG_CACHE_HOME/irc-gpu (if
/// absolute), else $HOME/.cache/irc-gpu; "" if none can be found. The result
/// is absolute (a relative IRC_GPU_CACHE_DIR is taken from the working
/// directory).
std::string defaultCacheDirectory();

/// True for a valid cache key: 64 lowercase hex digits (what moduleHash
/// prints). Anything else is refused, so a key can never name another path.
bool isValidCacheKey(llvm::StringRef Key);

struct CacheStats {
  // Counters of one ModuleCache object since it was made (or cleared).
  uint64_t MemoryHits = 0;    ///< found in memory
  uint64_t DiskHits = 0;      ///< read from a verified disk entry
  uint64_t Misses = 0;        ///< found neither in memory nor on disk
  uint64_t Compiles = 0;      ///< calls of a CompileFn (failed ones too)
  uint64_t BadEntries = 0;    ///< disk entries that failed verification
  uint64_t Waits = 0;         ///< requests that waited for another thread's
                              ///< disk read or compile of the same key
  uint64_t WriteFailures = 0; ///< entries that could not be written to disk
  uint64_t MemoryEntries = 0, MemoryBytes = 0; ///< payloads held in memory
  // A scan of the directory now: entry files by name (not verified), all
  // processes' entries together; temporary files are not counted.
  uint64_t DiskEntries = 0, DiskBytes = 0;
};

/// What clear() removed from disk.
struct ClearedFiles {
  uint64_t Entries = 0;   ///< entry files
  uint64_t Bytes = 0;     ///< their sizes together
  uint64_t TempFiles = 0; ///< temporary files left by interrupted writers
};

class ModuleCache {
public:
  /// Dir "" = in memory only. The directory is created on the first write.
  explicit ModuleCache(std::string Dir);
  ModuleCache(const ModuleCache &) = delete;
  ModuleCache &operator=(const ModuleCache &) = delete;

  const std::string &directory() const { return Dir; }

  /// Receives each warning of this cache: one line, without a prefix or a
  /// newline. Warned about: each bad disk entry found (with why it is bad;
  /// it is then removed and rebuilt, so one damaged file gives one warning)
  /// and the first failure to write an entry (the cache then works from
  /// memory: compiles still succeed; later failures are only counted in
  /// WriteFailures). Called from the thread that found it, one call at a
  /// time. None by default (the counters still count);
  /// processModuleCache() prints to stderr.
  using WarningHandler = std::function<void(llvm::StringRef Message)>;
  void setWarningHandler(WarningHandler Handler);

  using CompileFn = llvm::function_ref<llvm::Expected<std::string>()>;

  /// The payload for Key: from memory, else from disk (verified: magic,
  /// format version, compiler version, key, size, BLAKE3 checksum; a bad or
  /// truncated entry counts as BadEntries, is deleted and rebuilt), else
  /// Compile(). Compile is called once even when many threads ask for the
  /// same key at once: the others wait for its result. A failed compile is
  /// returned to all waiters (the caller that compiled gets Compile's own
  /// error, the waiters a StringError with its message) and is not cached.
  /// A disk write failure (read-only directory, disk full) is not an error
  /// of the lookup: the payload is returned and kept in memory. An invalid
  /// key is an error and Compile is not called.
  llvm::Expected<std::shared_ptr<const std::string>>
  getOrCompile(llvm::StringRef Key, CompileFn Compile);

  /// Memory and disk lookups without compiling (nullptr if absent, bad or
  /// Key is invalid). A disk hit is kept in memory.
  std::shared_ptr<const std::string> lookup(llvm::StringRef Key);

  /// The counters of this object and a scan of the directory (zero disk
  /// counts if it cannot be read; scanStats() says why).
  CacheStats stats() const;
  /// stats(), but a directory that exists and cannot be read is an error.
  llvm::Expected<CacheStats> scanStats() const;

  /// Empties memory and removes the disk entries and temporary files: only
  /// files named as ours, under DIR/v1/; other files are left alone. A
  /// writer in another process whose temporary file is removed simply fails
  /// to write (not an error for it). Resets the counters. Removal failures
  /// are reported after trying every file.
  llvm::Error clear(ClearedFiles *Removed = nullptr);

  /// The file of Key's entry (for tests and tools): DIR/v1/KK/KEY.irc.
  std::string entryPath(llvm::StringRef Key) const;

private:
  /// What a compile or disk read hands to the threads that waited for it.
  struct Outcome {
    std::shared_ptr<const std::string> Payload; ///< null on failure
    std::string Error;
  };

  // The disk half (ModuleCacheDisk.cpp). readEntry removes a bad entry and
  // counts it; writeEntry counts a failure and otherwise ignores it.
  std::shared_ptr<const std::string> readEntry(llvm::StringRef Key);
  void writeEntry(llvm::StringRef Key, llvm::StringRef Payload);
  llvm::Error scanDisk(CacheStats &S) const;
  llvm::Error clearDisk(ClearedFiles &Removed);
  void bump(uint64_t CacheStats::*Counter);
  void warn(const llvm::Twine &Message);
  /// The first write failure's warning (later ones are only counted).
  void writeFailed(const llvm::Twine &Why);

  /// Test hook: IRC_GPU_CACHE_FAULT=read-only|full, read when the cache is
  /// made, makes every write fail as on a read-only file system (EROFS
  /// before anything is created) or a full one (ENOSPC after half the
  /// entry was written), so that both paths are tested without root or
  /// mounts (docs/reliability.md).
  enum class InjectedFault : uint8_t { None, ReadOnly, Full };
  InjectedFault Fault = InjectedFault::None;

  std::string Dir;
  mutable std::mutex Mutex; // guards everything below
  // Unbounded: a process compiles a bounded set of hot loops (see
  // docs/runtime.md); payloads are shared with callers, never copied.
  std::map<std::string, std::shared_ptr<const std::string>, std::less<>>
      Entries;
  std::map<std::string, std::shared_future<Outcome>, std::less<>> InFlight;
  CacheStats Counters;
  bool WarnedWriteFailure = false;

  std::mutex WarnMutex; // one handler call at a time; guards Warn
  WarningHandler Warn;
};

/// The process-wide cache on defaultCacheDirectory(), made on first use and
/// never destroyed (usable from other static destructors). Its warnings go
/// to stderr as "irc-gpu: warning: module cache: ..." until a client sets
/// another handler.
ModuleCache &processModuleCache();

} // namespace ircgpu

#endif
