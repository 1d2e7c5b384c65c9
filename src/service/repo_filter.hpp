#pragma once
// Which files of a repository a caller wants, named as the Python original names them
// (Schema__GitHub__Repo__Filter), plus glob patterns and the digest's size controls.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "service/github_client.hpp"

namespace ld::service {

// A path filter and the digest's options. Empty fields mean "no constraint".
struct RepoFilter {
  RepoRef repo;
  // Include filters, all must hold (AND), as the original.
  std::string filter_starts_with;
  std::string filter_contains;
  std::string filter_ends_with;  // e.g. ".py"; several as ".py,.md" (any of them)
  std::vector<std::string> filter_starts_with_any;  // path starts with any of these
  // Exclusions win over includes.
  std::vector<std::string> filter_exclude_paths;     // path contains any of these
  std::vector<std::string> filter_exclude_prefixes;  // path starts with any of these
  std::vector<std::string> filter_exclude_suffixes;  // path ends with any of these
  // Glob patterns on the whole path ('*' within a segment, '**' across, '?' one char).
  std::vector<std::string> include_patterns;  // when set, a path must match one
  std::vector<std::string> exclude_patterns;  // a path matching one is left out
  // Size controls.
  std::uint64_t max_file_size_bytes = 0;       // skip files larger than this (0 = no limit)
  std::uint64_t max_content_length = 0;        // truncate each file's content to this (0 = none)
  std::vector<std::string> truncate_patterns;  // truncate only paths containing one of these
  std::uint64_t max_total_bytes = 0;           // stop adding content beyond this (0 = none)
  bool hide_file_contents = false;             // file tree only

  // Whether `path` (top folder already stripped) passes the path filters (not the sizes).
  bool matches(std::string_view path) const;
  // Whether max_content_length applies to `path`.
  bool truncates(std::string_view path) const;
};

// '*' matches within one path segment, '**' any number of segments, '?' one character.
bool glob_match(std::string_view pattern, std::string_view path);

// Reads a filter from the JSON body of POST /github-digest/markdown/filter (the original's
// field names; "owner", "name", "ref" included). Throws ld::Error naming the bad field.
RepoFilter repo_filter_from_json(const nlohmann::json& body);

}  // namespace ld::service
