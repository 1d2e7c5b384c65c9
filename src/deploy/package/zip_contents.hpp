#pragma once
// What a zip holds, read from its central directory: the unzipped size (Lambda's 250 MB limit
// counts it) and one small text entry (the package's `version`).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace ld::deploy {

// A zip's entry count and the sum of its entries' unzipped sizes.
struct ZipContents {
  std::uint64_t entries = 0;
  std::uint64_t unzipped_size = 0;
};

// Throws ld::Error naming the file when it is not a readable zip.
ZipContents read_zip_contents(const std::filesystem::path& zip);

// The text of entry `name` (at most 64 KiB), nullopt when the zip has none.
std::optional<std::string> read_zip_text(const std::filesystem::path& zip, const std::string& name);

}  // namespace ld::deploy
