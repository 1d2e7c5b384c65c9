#pragma once
// A Lambda function package: the ELF as `bootstrap` (+ `version`) in the code zip, and its
// shared-library closure as a layer zip (lib/<soname>), both checked against the runtime's glibc.
#include <filesystem>
#include <optional>
#include <string>

#include "deploy/package/closure.hpp"
#include "deploy/package/glibc_check.hpp"
#include "deploy/package/zip_writer.hpp"

namespace ld::deploy {

// What to package and where to put it.
struct PackageOptions {
  std::filesystem::path binary;                       // the service's ELF executable
  std::filesystem::path out;                          // code zip, e.g. dist/github-digest.zip
  std::optional<std::filesystem::path> deps_out;      // layer zip, written when there are libraries
  std::optional<std::filesystem::path> version_file;  // stored as `version`
  GlibcVersion glibc{2, 34, 0};                       // the runtime's glibc (provided.al2023)
  LibrarySearch search;
};

// The zips written, the closure shipped, and the newest glibc any packaged file needs.
struct PackageResult {
  ZipFacts code;
  std::optional<ZipFacts> deps;  // none when the closure is empty (glibc only)
  Closure closure;
  GlibcVersion glibc_required;
};

// Builds the code zip, and the layer zip when the binary needs libraries beyond glibc (refusing,
// naming them, when there is no deps_out to put them in). Throws GlibcTooNew (listing every
// offending symbol of the bootstrap and of every library in the closure) or ld::Error naming the
// file and what was wrong.
PackageResult package_function(const PackageOptions& options);

}  // namespace ld::deploy
