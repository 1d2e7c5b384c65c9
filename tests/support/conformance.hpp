#pragma once
// Locates and reads ../shared/conformance in place (the tests never copy it).
#include <filesystem>
#include <string>

namespace ld::test {

// Root of the conformance data; fails the calling test when it is missing.
std::filesystem::path conformance_dir();
std::string read_file(const std::filesystem::path& path);

}  // namespace ld::test
