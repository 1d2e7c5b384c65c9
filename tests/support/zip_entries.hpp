#pragma once
// Reads a zip back for tests: every entry's bytes and Unix mode bits.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>

namespace ld::test {

// name → (bytes, mode bits from the entry's Unix external attributes).
using ZipEntries = std::map<std::string, std::pair<std::string, std::uint32_t>>;

// Every entry of the zip at `path`; throws std::runtime_error when it is not a readable zip.
ZipEntries read_zip(const std::filesystem::path& path);

}  // namespace ld::test
