#pragma once
// A repository zipball read straight from memory (never written to disk): its files with
// GitHub's top folder ("owner-repo-sha/") stripped, sorted, with zip-bomb and path protections.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "service/zip_directory.hpp"

namespace ld::service {

struct RepoFilter;

// Limits that keep a hostile or huge zip from exhausting memory or time.
struct ZipLimits {
  std::size_t max_entries = 100000;              // entries in the central directory
  std::uint64_t max_total_bytes = 256ull << 20;  // uncompressed bytes read, all files together
  std::uint64_t max_file_bytes = 8ull << 20;     // declared size above which a file is skipped
};

// One file of the repository.
struct ZipEntry {
  std::string path;         // top folder stripped: "src/main.cpp"
  std::uint64_t size = 0;   // declared uncompressed size
  std::uint64_t index = 0;  // index in the zip's central directory
};

// An entry that was not listed, and why ("path escapes the folder", "absolute path").
struct RefusedEntry {
  std::string name;  // as stored in the zip
  std::string reason;
};

// What append_text did with an entry.
enum class ReadOutcome { Text, Binary, TooLarge };

// An open zipball over bytes the caller keeps alive. Not thread-safe.
class Zipball {
 public:
  // Throws ZipballError when the bytes are not a zip or hold more than max_entries entries.
  explicit Zipball(std::string_view bytes, ZipLimits limits = {});
  ~Zipball();
  Zipball(const Zipball&) = delete;
  Zipball& operator=(const Zipball&) = delete;

  // Files (directories left out), sorted by path.
  const std::vector<ZipEntry>& files() const { return files_; }
  const std::vector<RefusedEntry>& refused() const { return refused_; }
  std::vector<std::string> names() const;

  // Appends the file's bytes to `out` when it is text (by name and content); leaves `out` as it
  // was for a binary file or one above max_file_bytes. Throws ZipballError (and leaves `out` as
  // it was) when the entry is larger or smaller than it declared, fails its CRC-32, is
  // encrypted, uses a method other than stored or deflate, lies outside the archive, or reading
  // it would pass max_total_bytes. Never writes more than the declared size.
  ReadOutcome append_text(const ZipEntry& entry, std::string& out);

  // Every text file that passes the filter's path filters, as (path, content).
  std::vector<std::pair<std::string, std::string>> text_files(const RepoFilter& filter);

  std::uint64_t bytes_read() const { return bytes_read_; }
  const ZipLimits& limits() const { return limits_; }

 private:
  struct Archive;
  std::unique_ptr<Archive> archive_;
  ZipLimits limits_;
  std::vector<ZipEntry> files_;
  std::vector<RefusedEntry> refused_;
  std::uint64_t bytes_read_ = 0;
};

// Why a stored name is unsafe ("" when it is safe): absolute, drive letter, backslash, "..".
std::string unsafe_reason(std::string_view name);

}  // namespace ld::service
