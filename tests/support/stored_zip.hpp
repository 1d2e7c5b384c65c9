#pragma once
// Zip archives built in memory for tests: stored (uncompressed) entries, Unix mode 0755.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace ld::test {

// A zip of `files` (name → bytes) as stored entries, in name order; `claimed_size`, when set,
// replaces each entry's uncompressed size in the central directory (a zip bomb's lie).
std::string stored_zip(const std::map<std::string, std::string>& files,
                       std::optional<std::uint32_t> claimed_size = std::nullopt);

// A one-entry stored zip (bootstrap: "#!/bin/sh\n"), enough for Lambda's control plane.
std::string bootstrap_zip();

}  // namespace ld::test
