#pragma once
// The one reader of the zips Lambda is given (function code and layers): CreateFunction's checks
// and the executor's extraction see the same libzip view of an archive. Opening refuses what
// another reader could see differently (more than one end-of-central-directory record), names
// that are not plain relative paths, links that lead out of the package and a file that is also
// a directory. Extraction writes through directory descriptors (openat with O_NOFOLLOW, never a
// path joined from an entry's name) and counts the bytes it writes against a limit.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

struct zip;

namespace ld::local {

// Lambda's limit on unzipped code: a function's package and its layers together.
inline constexpr std::uint64_t kUnzippedLimit = 262144000;

// Why a zip was refused. what() is a sentence naming its entries, never a path of this machine.
class ZipError : public Error {
 public:
  enum class Kind {
    NotAZip,    // libzip cannot read it (or the file cannot be opened)
    Ambiguous,  // more than one end-of-central-directory record
    BadEntry,   // an unsafe name or link, a conflict, an unreadable or oversized entry
    TooLarge,   // the bytes written went past the limit
  };
  ZipError(Kind kind, const std::string& message) : Error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// One entry as the central directory describes it.
struct ZipEntry {
  enum class Type { File, Directory, Link };
  std::string name;                // as stored ("lib/", "./bootstrap")
  std::vector<std::string> parts;  // its path without empty and "." parts (never "..")
  Type type = Type::File;
  std::uint64_t size = 0;            // declared uncompressed size
  std::uint32_t permissions = 0644;  // a file's mode bits
  std::string target;                // a link's target
  std::uint64_t index = 0;           // in the archive
};

// An open archive whose entries passed the checks above. Not for concurrent use.
class ZipArchive {
 public:
  // Reads the archive in `bytes`, which must outlive it. Throws ZipError.
  static ZipArchive read(std::string_view bytes);
  // Opens the zip file at `path`. Throws ZipError (whose message does not name the path).
  static ZipArchive open(const std::filesystem::path& path);

  ZipArchive(ZipArchive&&) noexcept;
  ZipArchive& operator=(ZipArchive&&) noexcept;
  ~ZipArchive();

  const std::vector<ZipEntry>& entries() const { return entries_; }
  // The sum of the entries' declared sizes.
  std::uint64_t unzipped_size() const;

  // Writes every entry under the directory open as `root`, replacing files and links already
  // there. `written` counts the bytes written (across archives extracted into one directory);
  // going past `limit` throws ZipError::TooLarge, an entry holding more or fewer bytes than it
  // declares or a file where a directory already is throws ZipError::BadEntry, and a failed
  // write throws ld::Error (without a path).
  void extract(int root, std::uint64_t& written, std::uint64_t limit = kUnzippedLimit) const;

 private:
  explicit ZipArchive(::zip* archive);
  // Reads every entry's description and link target, refusing what the class comment says.
  void list();

  // Discards a libzip handle (read-only: nothing to write back).
  struct Close {
    void operator()(::zip* archive) const;
  };
  std::unique_ptr<::zip, Close> zip_;
  std::vector<ZipEntry> entries_;
};

}  // namespace ld::local
