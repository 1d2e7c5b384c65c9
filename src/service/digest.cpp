#include "service/digest.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "service/file_kind.hpp"

namespace ld::service {
namespace {

std::string or_text(const std::string& value, const char* fallback) {
  return value.empty() ? std::string(fallback) : value;
}

std::string joined(const std::vector<std::string>& values, const char* fallback) {
  if (values.empty()) return fallback;
  std::string text;
  for (const auto& value : values) {
    if (!text.empty()) text += ", ";
    text += value;
  }
  return text;
}

std::string bytes_text(std::uint64_t bytes) {
  return std::to_string(bytes) + " bytes";
}

// The sorted paths as an indented tree: directories once, with a trailing '/'.
void append_tree(std::string& out, const std::vector<std::string_view>& paths) {
  std::vector<std::string_view> open;  // directories of the previous path
  for (const auto path : paths) {
    std::vector<std::string_view> dirs;
    std::size_t start = 0;
    for (auto slash = path.find('/'); slash != std::string_view::npos;
         slash = path.find('/', start)) {
      dirs.push_back(path.substr(start, slash - start));
      start = slash + 1;
    }
    std::size_t common = 0;
    while (common < open.size() && common < dirs.size() && open[common] == dirs[common]) ++common;
    for (std::size_t depth = common; depth < dirs.size(); ++depth) {
      out.append(depth * 2, ' ').append(dirs[depth]).append("/\n");
    }
    out.append(dirs.size() * 2, ' ').append(path.substr(start)).push_back('\n');
    open = std::move(dirs);
  }
}

std::string header(const RepoFilter& filter, std::string_view created_at) {
  std::string text;
  text += "# Files from Repo\n\n";
  text += " - owner: " + filter.repo.owner + "\n";
  text += " - name: " + filter.repo.name + "\n";
  text += " - ref: " + filter.repo.ref + "\n\n";
  text += "created at: " + std::string(created_at) + "\n\n";
  text += "## Filtered by:\n";
  text += " - starts_with    : " + or_text(filter.filter_starts_with, "(any)") + "\n";
  text += " - contains       : " + or_text(filter.filter_contains, "(any)") + "\n";
  text += " - ends_with      : " + or_text(filter.filter_ends_with, "(any)") + "\n";
  text += " - starts_with_any: " + joined(filter.filter_starts_with_any, "(not set)") + "\n";
  text += " - include        : " + joined(filter.include_patterns, "(any)") + "\n";
  text += " - exclude        : " + joined(filter.exclude_patterns, "(none)") + "\n\n";
  text += "## Exclusions:\n";
  if (filter.filter_exclude_paths.empty() && filter.filter_exclude_prefixes.empty() &&
      filter.filter_exclude_suffixes.empty()) {
    text += "   (none)\n";
  }
  if (!filter.filter_exclude_paths.empty())
    text += "   - exclude_paths   : " + joined(filter.filter_exclude_paths, "") + "\n";
  if (!filter.filter_exclude_prefixes.empty())
    text += "   - exclude_prefixes: " + joined(filter.filter_exclude_prefixes, "") + "\n";
  if (!filter.filter_exclude_suffixes.empty())
    text += "   - exclude_suffixes: " + joined(filter.filter_exclude_suffixes, "") + "\n";
  text += "\n## Size Controls:\n";
  if (filter.max_file_size_bytes == 0 && filter.max_content_length == 0 &&
      filter.max_total_bytes == 0) {
    text += "   (none)\n";
  }
  if (filter.max_file_size_bytes != 0)
    text += "   - max_file_size  : " + bytes_text(filter.max_file_size_bytes) + "\n";
  if (filter.max_content_length != 0) {
    text += "   - max_content    : " + bytes_text(filter.max_content_length) +
            " (applies to: " + joined(filter.truncate_patterns, "all files") + ")\n";
  }
  if (filter.max_total_bytes != 0)
    text += "   - max_total      : " + bytes_text(filter.max_total_bytes) + "\n";
  return text;
}

std::string summary(const DigestStats& stats) {
  std::string text = "\n## Files:\n\nShowing " + std::to_string(stats.files_shown) +
                     " files that matched the filter(s)\n";
  std::vector<std::string> left_out;
  if (stats.binary_skipped != 0)
    left_out.push_back(std::to_string(stats.binary_skipped) + " binary");
  if (stats.too_large_skipped != 0)
    left_out.push_back(std::to_string(stats.too_large_skipped) + " too large");
  if (stats.not_shown != 0)
    left_out.push_back(std::to_string(stats.not_shown) + " past the total size limit");
  if (!left_out.empty()) text += "Left out: " + joined(left_out, "") + "\n";
  if (stats.files_truncated != 0) {
    text += "Truncated: " + std::to_string(stats.files_truncated) + " files\n";
  }
  return text;
}

// Asks the kernel for huge pages under a large output buffer: a digest writes every byte of it
// once, and faulting it in 4 KiB pages costs more than the copying (Linux, THP "madvise").
void advise_huge_pages(std::string& out) {
  constexpr std::uintptr_t kHuge = 2u << 20;
  if (out.capacity() < 4 * kHuge) return;
  const auto start = reinterpret_cast<std::uintptr_t>(out.data());
  const std::uintptr_t first = (start + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t last = (start + out.capacity()) & ~(kHuge - 1);
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

}  // namespace

std::string fence_for(std::string_view content) {
  std::size_t longest = 0;
  const char* p = content.data();
  const char* end = p + content.size();
  while (p < end) {
    const auto* tick =
        static_cast<const char*>(std::memchr(p, '`', static_cast<std::size_t>(end - p)));
    if (tick == nullptr) break;
    const char* run_end = tick;
    while (run_end < end && *run_end == '`') ++run_end;
    longest = std::max(longest, static_cast<std::size_t>(run_end - tick));
    p = run_end;
  }
  return std::string(std::max<std::size_t>(3, longest + 1), '`');
}

Digest build_digest(Zipball& zipball, const RepoFilter& filter, std::string_view created_at) {
  Digest digest;
  DigestStats& stats = digest.stats;
  std::vector<const ZipEntry*> candidates;
  std::uint64_t estimate = 4096;
  for (const auto& entry : zipball.files()) {
    if (!filter.matches(entry.path)) continue;
    if (filter.max_file_size_bytes != 0 && entry.size > filter.max_file_size_bytes) {
      ++stats.too_large_skipped;
      continue;
    }
    candidates.push_back(&entry);
    // Tree line, section heading, fences and notes; the content up to the limits.
    estimate += 3 * entry.path.size() + 96;
    if (!filter.hide_file_contents) {
      std::uint64_t content = std::min(entry.size, zipball.limits().max_file_bytes) + 1;
      if (filter.truncates(entry.path)) content = std::min(content, filter.max_content_length + 1);
      estimate += content;
    }
  }
  if (filter.max_total_bytes != 0)
    estimate = std::min(estimate, filter.max_total_bytes * 2 + 65536);

  std::string& out = digest.markdown;
  out.reserve(static_cast<std::size_t>(estimate));
  advise_huge_pages(out);
  std::string scratch;  // content read only to tell text from binary (hide_file_contents)
  std::vector<std::string_view> shown;
  shown.reserve(candidates.size());

  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const ZipEntry& entry = *candidates[i];
    if (filter.max_total_bytes != 0 && stats.content_bytes >= filter.max_total_bytes) {
      stats.not_shown = candidates.size() - i;
      break;
    }
    if (filter.hide_file_contents) {
      scratch.clear();
      const ReadOutcome outcome = zipball.append_text(entry, scratch);
      if (outcome == ReadOutcome::Binary) ++stats.binary_skipped;
      if (outcome == ReadOutcome::TooLarge) ++stats.too_large_skipped;
      if (outcome == ReadOutcome::Text) shown.push_back(entry.path);
      continue;
    }
    const std::size_t section_start = out.size();
    out.append("\n### ").append(entry.path).append("\n\n");
    const std::size_t fence_at = out.size();
    out.append("```").append(language_of(entry.path)).push_back('\n');
    const std::size_t content_start = out.size();
    const ReadOutcome outcome = zipball.append_text(entry, out);
    if (outcome != ReadOutcome::Text) {
      out.resize(section_start);
      if (outcome == ReadOutcome::Binary) ++stats.binary_skipped;
      if (outcome == ReadOutcome::TooLarge) ++stats.too_large_skipped;
      continue;
    }
    const std::size_t length = out.size() - content_start;
    std::uint64_t limit = length;
    if (filter.truncates(entry.path))
      limit = std::min<std::uint64_t>(limit, filter.max_content_length);
    if (filter.max_total_bytes != 0) {
      limit = std::min<std::uint64_t>(limit, filter.max_total_bytes - stats.content_bytes);
    }
    const bool truncated = limit < length;
    if (truncated) {
      out.resize(content_start + utf8_prefix_length(std::string_view(out).substr(content_start),
                                                    static_cast<std::size_t>(limit)));
      ++stats.files_truncated;
    }
    const std::size_t shown_length = out.size() - content_start;
    stats.content_bytes += shown_length;
    const std::string fence = fence_for(std::string_view(out).substr(content_start));
    if (fence.size() > 3) out.insert(fence_at, fence.size() - 3, '`');
    if (shown_length != 0 && out.back() != '\n') out.push_back('\n');
    out.append(fence).push_back('\n');
    if (truncated) {
      out.append("… truncated (")
          .append(std::to_string(shown_length))
          .append(" of ")
          .append(std::to_string(length))
          .append(" bytes shown)\n");
    }
    shown.push_back(entry.path);
  }
  stats.files_shown = shown.size();

  std::string head = header(filter, created_at);
  head += summary(stats);
  head += "\n```text\n";
  append_tree(head, shown);
  head += "```\n";
  if (stats.not_shown != 0) {
    head += "\n… truncated: the total size limit of " + bytes_text(filter.max_total_bytes) +
            " was reached; " + std::to_string(stats.not_shown) + " more files not shown\n";
  }
  out.insert(0, head);
  return digest;
}

}  // namespace ld::service
