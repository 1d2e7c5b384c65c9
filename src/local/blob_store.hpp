#pragma once
// Content-addressed files for function zips, layer zips and S3 objects:
// <data-dir>/blobs/ab/cdef… where abcdef… is the SHA-256 of the bytes (lowercase hex).
//
// Crash safety: a blob is written to <data-dir>/blobs/tmp/, fsynced, renamed to its final name
// and its folder fsynced, so a final name only ever holds complete bytes; temp files left by a
// kill are swept when the store is opened. Callers write the blob FIRST and commit the record
// that names it AFTER put() returned (see records.hpp): a crash in between leaves an
// unreferenced blob, never a record pointing at nothing.
//
// Threads: every method may be called from many threads at once. Identical content is stored
// once (put() of existing bytes does not write). remove() is not coordinated with put(): delete
// a blob only when no record names it and no writer may be about to name it.
// One endpoint process per data dir (opening sweeps the temp folder).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/hash.hpp"

namespace ld::local {

// A blob store failure (I/O error, missing blob, malformed digest); what() names the file.
class BlobError : public ld::Error {
 public:
  using ld::Error::Error;
};

// What a put stored: the SHA-256 (64 lowercase hex digits) and the size in bytes.
struct BlobRef {
  std::string digest;
  std::uint64_t size = 0;
};

class BlobStore;

// A blob being written in pieces (an upload arriving in chunks); commit() makes it a blob,
// destruction without commit() deletes the partial temp file.
class BlobWriter {
 public:
  BlobWriter(BlobWriter&& other) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;
  ~BlobWriter();

  void write(std::string_view bytes);
  BlobRef commit();

 private:
  friend class BlobStore;
  BlobWriter(const BlobStore& store, std::filesystem::path temp, int fd);

  const BlobStore* store_;
  std::filesystem::path temp_;
  int fd_;
  std::uint64_t size_ = 0;
  std::unique_ptr<Sha256> hash_;  // Sha256 is not movable
};

// The blob folder under a data dir.
class BlobStore {
 public:
  // Creates <data_dir>/blobs (and tmp/) if needed and sweeps stray temp files.
  explicit BlobStore(const std::filesystem::path& data_dir);

  BlobRef put(std::string_view bytes);
  // Copies a file in chunks (never the whole file in memory).
  BlobRef put_file(const std::filesystem::path& source);
  BlobWriter writer();

  // Whether `text` names a blob at all: 64 lower-case hex digits (a SHA-256).
  static bool is_digest(std::string_view text);
  bool exists(std::string_view digest) const;
  std::uint64_t size_of(std::string_view digest) const;  // throws BlobError if missing
  std::string read(std::string_view digest) const;       // throws BlobError if missing
  std::ifstream open(std::string_view digest) const;     // throws BlobError if missing
  // Where the blob lives (it may not exist); for handing to unzip, sendfile, exec …
  std::filesystem::path path_of(std::string_view digest) const;
  // True if the blob was there.
  bool remove(std::string_view digest);
  // Deletes temp files left by an interrupted put; returns how many. Run by the constructor.
  std::size_t sweep();
  // Every stored digest (walks the folders; for garbage collection and checks).
  std::vector<std::string> digests() const;
  // Garbage collection: removes each blob for which referenced(digest) is false; returns how
  // many. Run it only while no put() can be about to be named by a new record (at startup,
  // or with the endpoint's writes paused).
  std::size_t remove_unreferenced(const std::function<bool(std::string_view)>& referenced);

  const std::filesystem::path& root() const { return root_; }

 private:
  friend class BlobWriter;
  BlobRef finish(const std::filesystem::path& temp, const std::string& digest,
                 std::uint64_t size) const;

  std::filesystem::path root_;
  std::filesystem::path temp_dir_;
};

}  // namespace ld::local
