#pragma once
// Deterministic zips: the same entries always give the same bytes (sorted names, fixed time,
// fixed Unix modes, deflate at a fixed level, no variable extra fields), so the same inputs give
// the same SHA-256 and an unchanged package is never uploaded again.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ld::deploy {

// One file in a zip: its name inside the archive, its bytes, and whether it is executable.
struct ZipEntry {
  std::string name;
  std::string data;
  bool executable = false;  // mode 0755 when true, 0644 otherwise
};

// What a written zip is: where, how large, its SHA-256 (hex) and Lambda's CodeSha256 (base64).
struct ZipFacts {
  std::filesystem::path path;
  std::uint64_t size = 0;
  std::string sha256_hex;
  std::string code_sha256;
};

// The time every entry carries: SOURCE_DATE_EPOCH (UTC, clamped to 1980..2107) when set and
// valid, else 1980-01-01 00:00. Throws ld::Error when SOURCE_DATE_EPOCH is not a number.
std::int64_t zip_timestamp_from_environment();

// Writes `entries` (any order; sorted by name here) to `out`, replacing any file there. Folders
// in `out`'s path are created. Throws ld::Error on duplicate or empty names and on I/O errors.
ZipFacts write_deterministic_zip(const std::filesystem::path& out, std::vector<ZipEntry> entries,
                                 std::optional<std::int64_t> timestamp = std::nullopt);

// Size and digests of an existing file.
ZipFacts describe_file(const std::filesystem::path& path);

}  // namespace ld::deploy
