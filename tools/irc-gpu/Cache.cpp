//===- Cache.cpp - `irc-gpu cache dir|stats|clear` ------------------------===//
//
// Maintenance of the disk half of the compiled-module cache, on the
// directory a VM in this environment would use (defaultCacheDirectory()).
// Output lines are `name: value` or one sentence, stable for scripts.
//
//===----------------------------------------------------------------------===//
#include "Tool.h"

#include "ircgpu/ModuleCache.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace llvm;

namespace irctool {

/// Why there is no directory: disabled on purpose, or none could be found.
static std::string noDirectoryReason() {
  if (const char *Env = getenv("IRC_GPU_CACHE_DIR");
      Env && StringRef(Env) == "off")
    return "the disk cache is disabled (IRC_GPU_CACHE_DIR=off)";
  return "no cache directory: set IRC_GPU_CACHE_DIR, XDG_CACHE_HOME or HOME";
}

static Error cacheDir(StringRef Dir) {
  // Nothing on stdout when there is no directory, and status 1, as
  // `git config --get` of an unset key: a script never gets a path it
  // did not ask for.
  if (Dir.empty())
    return inputError(noDirectoryReason());
  outs() << Dir << "\n";
  return Error::success();
}

static Error cacheStats(StringRef Dir) {
  ircgpu::ModuleCache Cache{Dir.str()};
  Expected<ircgpu::CacheStats> S = Cache.scanStats();
  if (!S)
    return inputError("cannot read the cache directory: " +
                      toString(S.takeError()));
  outs() << "directory: " << (Dir.empty() ? StringRef("off") : Dir) << "\n"
         << "entries: " << S->DiskEntries << "\n"
         << "bytes: " << S->DiskBytes << "\n";
  return Error::success();
}

static Error cacheClear(StringRef Dir) {
  if (Dir.empty()) {
    errs() << "irc-gpu: " << noDirectoryReason() << "; nothing to clear\n";
    return Error::success();
  }
  ircgpu::ModuleCache Cache{Dir.str()};
  ircgpu::ClearedFiles Removed;
  Error E = Cache.clear(&Removed);
  // What was removed is reported even when some file could not be.
  outs() << "removed " << Removed.Entries
         << (Removed.Entries == 1 ? " entry" : " entries") << " ("
         << Removed.Bytes << " bytes)";
  if (Removed.TempFiles)
    outs() << " and " << Removed.TempFiles << " temporary file"
           << (Removed.TempFiles == 1 ? "" : "s");
  outs() << " from " << Dir << "\n";
  if (E)
    return inputError("cannot clear the cache: " + toString(std::move(E)));
  return Error::success();
}

Error runCache(const CacheOptions &Opts) {
  std::string Dir = ircgpu::defaultCacheDirectory();
  if (Opts.Action == "dir")
    return cacheDir(Dir);
  if (Opts.Action == "stats")
    return cacheStats(Dir);
  if (Opts.Action == "clear")
    return cacheClear(Dir);
  if (Opts.Action.empty())
    return usageError("cache: no action given (dir, stats or clear)");
  return usageError("cache: unknown action '" + Opts.Action +
                    "' (expected dir, stats or clear)");
}

} // namespace irctool
