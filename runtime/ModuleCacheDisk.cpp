//===- runtime/ModuleCacheDisk.cpp - the compiled-module cache on disk ----===//
//
// One file per entry, DIR/v1/KK/KEY.irc (KK = the key's first two digits),
// written to a temporary file in the same directory and renamed into place,
// so that no reader (in any process) ever sees half an entry; a reader
// verifies everything anyway, since a file can still be damaged after the
// fact. The layout is documented in docs/runtime.md, "Module cache".
//
//===----------------------------------------------------------------------===//

#include "ircgpu/ModuleCache.h"
#include "ircgpu/Version.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/BLAKE3.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;

namespace ircgpu {

namespace {

// A new layout gets a new directory (v2/) and a new format number, so no
// version ever reads another's files.
constexpr const char FormatDir[] = "v1";
constexpr uint32_t FormatVersion = 1;
constexpr char Magic[8] = {'I', 'R', 'C', 'G', 'P', 'U', 'M', 'C'};

// Header: magic[8], format u32, version length u32, key[64], payload size
// u64, BLAKE3(payload)[32], all integers little-endian; then the compiler
// version string, then the payload.
constexpr size_t KeyOffset = 16, SizeOffset = 80, SumOffset = 88,
                 HeaderSize = 120;
// Bounds what a damaged length field can make a reader believe.
constexpr uint32_t MaxVersionLength = 256;

void appendLE(std::string &Out, uint64_t V, unsigned Bytes) {
  for (unsigned I = 0; I < Bytes; ++I)
    Out.push_back(char(V >> (8 * I)));
}

uint64_t readLE(StringRef Data, size_t Offset, unsigned Bytes) {
  uint64_t V = 0;
  for (unsigned I = 0; I < Bytes; ++I)
    V |= uint64_t(uint8_t(Data[Offset + I])) << (8 * I);
  return V;
}

StringRef checksum(StringRef Payload, BLAKE3Result<32> &Out) {
  Out = BLAKE3::hash(arrayRefFromStringRef(Payload));
  return StringRef(reinterpret_cast<const char *>(Out.data()), Out.size());
}

std::string encodeHeader(StringRef Key, StringRef Payload) {
  StringRef Version = compilerVersion();
  std::string H(Magic, sizeof(Magic));
  appendLE(H, FormatVersion, 4);
  appendLE(H, Version.size(), 4);
  H += Key;
  appendLE(H, Payload.size(), 8);
  BLAKE3Result<32> Sum;
  H += checksum(Payload, Sum);
  H += Version;
  return H;
}

/// The payload of Data if it is a complete, intact entry for Key written by
/// this compiler version; otherwise std::nullopt, and Why says what is wrong
/// (for the warning: which damage it was helps whoever looks at the disk).
std::optional<StringRef> decodeEntry(StringRef Data, StringRef Key,
                                     std::string &Why) {
  auto Bad = [&](const Twine &Reason) {
    Why = Reason.str();
    return std::nullopt;
  };
  if (Data.empty())
    return Bad("empty file");
  if (Data.size() < HeaderSize)
    return Bad("truncated in the header (" + Twine(Data.size()) + " bytes)");
  if (Data.substr(0, sizeof(Magic)) != StringRef(Magic, sizeof(Magic)))
    return Bad("not a cache entry (bad magic)");
  if (uint64_t Format = readLE(Data, 8, 4); Format != FormatVersion)
    return Bad("foreign format version " + Twine(Format) + " (this one reads " +
               Twine(FormatVersion) + ")");
  if (Data.substr(KeyOffset, 64) != Key)
    return Bad("the header names another key");
  uint64_t VersionLength = readLE(Data, 12, 4);
  uint64_t Size = readLE(Data, SizeOffset, 8);
  if (VersionLength > MaxVersionLength)
    return Bad("bad compiler-version length " + Twine(VersionLength));
  if (Data.size() < HeaderSize + VersionLength)
    return Bad("truncated in the compiler version");
  // Exactly the recorded size: a truncated or extended file is bad.
  if (uint64_t Have = Data.size() - HeaderSize - VersionLength; Have != Size)
    return Bad((Have < Size ? "truncated" : "too long") + Twine(": ") +
               Twine(Have) + " payload bytes, the header says " + Twine(Size));
  if (StringRef V = Data.substr(HeaderSize, VersionLength);
      V != compilerVersion())
    return Bad("written by another compiler version");
  StringRef Payload = Data.substr(HeaderSize + VersionLength);
  BLAKE3Result<32> Sum;
  if (checksum(Payload, Sum) != Data.substr(SumOffset, 32))
    return Bad("checksum mismatch");
  return Payload;
}

bool isHexPair(StringRef Name) {
  auto LowerHex = [](char C) { return isDigit(C) || (C >= 'a' && C <= 'f'); };
  return Name.size() == 2 && all_of(Name, LowerHex);
}

/// KEY.irc, in the directory named after the key's first two digits.
bool isEntryName(StringRef Name, StringRef Sub) {
  return Name.consume_back(".irc") && isValidCacheKey(Name) &&
         Name.starts_with(Sub);
}

/// KEY-XXXXXXXX.tmp: what writeEntry's createUniqueFile makes.
bool isTempName(StringRef Name, StringRef Sub) {
  if (!Name.consume_back(".tmp") || Name.size() <= 65 || Name[64] != '-')
    return false;
  StringRef Key = Name.take_front(64), Random = Name.drop_front(65);
  return isValidCacheKey(Key) && Key.starts_with(Sub) &&
         all_of(Random, isHexDigit);
}

/// Calls Visit(Path, Name, Sub) for each file of each DIR/v1/KK; a missing
/// directory has no files.
template <typename Fn> std::error_code forEachFile(StringRef Dir, Fn Visit) {
  SmallString<256> Root(Dir);
  sys::path::append(Root, FormatDir);
  std::error_code EC;
  sys::fs::directory_iterator It(Root, EC), End;
  if (EC == std::errc::no_such_file_or_directory)
    return {};
  for (; !EC && It != End; It.increment(EC)) {
    StringRef Sub = sys::path::filename(It->path());
    if (!isHexPair(Sub) || It->type() != sys::fs::file_type::directory_file)
      continue;
    std::error_code SubEC;
    sys::fs::directory_iterator F(It->path(), SubEC);
    for (; !SubEC && F != End; F.increment(SubEC))
      if (F->type() == sys::fs::file_type::regular_file)
        Visit(F->path(), sys::path::filename(F->path()), Sub);
    // Removed by a concurrent clear: nothing left to see there.
    if (SubEC && SubEC != std::errc::no_such_file_or_directory)
      return SubEC;
  }
  return EC;
}

} // namespace

std::string ModuleCache::entryPath(StringRef Key) const {
  SmallString<256> Path(Dir);
  sys::path::append(Path, FormatDir, Key.take_front(2), Key + ".irc");
  return std::string(Path);
}

std::shared_ptr<const std::string> ModuleCache::readEntry(StringRef Key) {
  std::string Path = entryPath(Key);
  // Read, not mapped: a file truncated in place by someone else must not
  // become a SIGBUS here.
  auto Buf = MemoryBuffer::getFile(Path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false,
                                   /*IsVolatile=*/true);
  // Absent or unreadable: a miss; the rebuilt entry replaces it if it can.
  if (!Buf)
    return nullptr;
  std::string Why;
  if (std::optional<StringRef> Payload =
          decodeEntry((*Buf)->getBuffer(), Key, Why))
    return std::make_shared<const std::string>(Payload->str());
  bump(&CacheStats::BadEntries);
  // A concurrent writer may just have renamed a good entry over it; removing
  // that one too only costs a rebuild. Removed before the warning, so that a
  // lookup elsewhere cannot warn about the same file again.
  sys::fs::remove(Path);
  warn("bad entry " + Path + " (" + Why + "): removed; it is rebuilt");
  return nullptr;
}

void ModuleCache::writeEntry(StringRef Key, StringRef Payload) {
  std::string Path = entryPath(Key);
  StringRef Sub = sys::path::parent_path(Path);
  if (Fault == InjectedFault::ReadOnly)
    return writeFailed(
        std::make_error_code(std::errc::read_only_file_system).message());
  // The temporary file lives next to the entry: rename() is atomic only
  // within one file system.
  SmallString<256> Model(Sub), Temp;
  sys::path::append(Model, Key + "-%%%%%%%%.tmp");
  int FD;
  if (std::error_code EC = sys::fs::create_directories(Sub))
    return writeFailed(Sub + ": " + EC.message());
  if (std::error_code EC = sys::fs::createUniqueFile(Model, FD, Temp))
    return writeFailed(Twine(Model) + ": " + EC.message());
  raw_fd_ostream OS(FD, /*shouldClose=*/true);
  std::string Header = encodeHeader(Key, Payload);
  std::error_code EC;
  if (Fault == InjectedFault::Full) {
    // What a full disk does: part of the file written, then ENOSPC.
    OS << Header << Payload.take_front(Payload.size() / 2);
    EC = std::make_error_code(std::errc::no_space_on_device);
  } else {
    OS << Header << Payload;
  }
  OS.close();
  if (!EC)
    EC = OS.error();
  OS.clear_error();
  // Whoever renames last wins; all writers of one key write the same bytes.
  if (!EC)
    EC = sys::fs::rename(Temp, Path);
  if (EC) {
    sys::fs::remove(Temp);
    writeFailed(Path + ": " + EC.message());
  }
}

Error ModuleCache::scanDisk(CacheStats &S) const {
  std::error_code EC =
      forEachFile(Dir, [&](StringRef Path, StringRef Name, StringRef Sub) {
        uint64_t Size;
        // Gone since the listing (a concurrent clear): not counted.
        if (isEntryName(Name, Sub) && !sys::fs::file_size(Path, Size)) {
          ++S.DiskEntries;
          S.DiskBytes += Size;
        }
      });
  if (EC)
    return createFileError(Dir, EC);
  return Error::success();
}

Error ModuleCache::clearDisk(ClearedFiles &Removed) {
  Error Failures = Error::success();
  std::error_code EC =
      forEachFile(Dir, [&](StringRef Path, StringRef Name, StringRef Sub) {
        bool Entry = isEntryName(Name, Sub);
        if (!Entry && !isTempName(Name, Sub))
          return;
        uint64_t Size = 0;
        if (sys::fs::file_size(Path, Size))
          return; // removed by someone else meanwhile
        if (std::error_code RemoveEC = sys::fs::remove(Path)) {
          Failures =
              joinErrors(std::move(Failures), createFileError(Path, RemoveEC));
          return;
        }
        if (Entry) {
          ++Removed.Entries;
          Removed.Bytes += Size;
        } else {
          ++Removed.TempFiles;
        }
      });
  if (EC)
    Failures = joinErrors(std::move(Failures), createFileError(Dir, EC));
  return Failures;
}

} // namespace ircgpu
