#pragma once
// Reading and writing whole files, with errors that name the file.
#include <filesystem>
#include <string>
#include <string_view>

namespace ld {

// The file's bytes. Throws ld::Error naming the file when it cannot be read.
std::string read_file(const std::filesystem::path& path);

// Writes `data` to a temporary file beside `path` and renames it over `path`, so a reader sees
// the old bytes or the new ones, never a part. Throws ld::Error naming the file.
void write_file_atomically(const std::filesystem::path& path, std::string_view data);

}  // namespace ld
