#pragma once
// The repository digest: one Markdown document with a header, the tree of the files included,
// then each text file in a fenced block, within the filter's size limits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
  std::size_t shown_not_text = 0;     // named like text, listed, but the content was not UTF-8
  std::uint64_t content_bytes = 0;    // file content written (after truncation)
};

// The digest written piece by piece, so that a large one never has to be held whole (a server
// streams it; the Lambda adapter collects it). The constructor decides which files are shown and
// how much of each, from the names, the declared sizes and the limits; it reads only the files
// whose names say neither text nor binary. next() then gives the header and tree, then one
// file's section per call. A file named like text whose content turns out not to be UTF-8 keeps
// its place in the tree and gets a one-line note instead of a fenced block.
class DigestWriter {
 public:
  // `created_at` goes in the header as given. The zipball must outlive the writer.
  // Throws ZipballError when the zip breaks its limits.
  DigestWriter(Zipball& zipball, RepoFilter filter, std::string created_at);

  // Appends the next piece to `out`; returns false, leaving `out` as it was, when the whole
  // document has been written. Throws ZipballError when a file's bytes break the zip's rules
  // (its CRC, its declared size, the total limit).
  bool next(std::string& out);

  // Counts decided by the constructor; shown_not_text and content_bytes grow as files are written.
  const DigestStats& stats() const { return stats_; }

 private:
  // A file in the document and how many of its bytes it shows.
  struct Shown {
    const ZipEntry* entry;
    std::uint64_t limit;
    bool truncated;
  };
  void write_head(std::string& out) const;
  void write_file(const Shown& file, std::string& out);

  Zipball& zipball_;
  RepoFilter filter_;
  std::string created_at_;
  DigestStats stats_;
  std::vector<Shown> shown_;
  std::size_t next_ = 0;
  bool head_written_ = false;
};

// A whole digest in one string, for callers that need it at once.
struct Digest {
  std::string markdown;
  DigestStats stats;
};

// Builds the whole digest of an open zipball (DigestWriter run to its end).
Digest build_digest(Zipball& zipball, const RepoFilter& filter, std::string_view created_at);

// The Markdown fence that can hold `content`: three backticks, more when content has a run.
std::string fence_for(std::string_view content);

}  // namespace ld::service
