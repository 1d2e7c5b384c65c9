#pragma once
// The repository digest: one Markdown document with a header, the tree of the files included,
// then each text file in a fenced block, within the filter's size limits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "service/repo_filter.hpp"
#include "service/zipball.hpp"

namespace ld::service {

// What went into a digest and what was left out.
struct DigestStats {
  std::size_t files_shown = 0;
  std::size_t files_truncated = 0;
  std::size_t binary_skipped = 0;
  std::size_t too_large_skipped = 0;  // above max_file_size_bytes or the zip's per-file limit
  std::size_t not_shown = 0;          // left out once max_total_bytes was reached
  std::uint64_t content_bytes = 0;    // file content written (after truncation)
};

struct Digest {
  std::string markdown;
  DigestStats stats;
};

// Builds the digest of an open zipball. `created_at` goes in the header as given (callers pass
// the current time; tests a fixed one). Throws ZipballError when the zip breaks its limits.
Digest build_digest(Zipball& zipball, const RepoFilter& filter, std::string_view created_at);

// The Markdown fence that can hold `content`: three backticks, more when content has a run.
std::string fence_for(std::string_view content);

}  // namespace ld::service
