#include "service/digest.hpp"

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

DigestWriter::DigestWriter(Zipball& zipball, RepoFilter filter, std::string created_at)
    : zipball_(zipball), filter_(std::move(filter)), created_at_(std::move(created_at)) {
  std::vector<const ZipEntry*> candidates;
  for (const auto& entry : zipball_.files()) {
    if (!filter_.matches(entry.path)) continue;
    if (filter_.max_file_size_bytes != 0 && entry.size > filter_.max_file_size_bytes) {
      ++stats_.too_large_skipped;
      continue;
    }
    candidates.push_back(&entry);
  }
  std::string scratch;  // content of a file whose name does not tell text from binary
  std::uint64_t planned_total = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const ZipEntry& entry = *candidates[i];
    if (!filter_.hide_file_contents && filter_.max_total_bytes != 0 &&
        planned_total >= filter_.max_total_bytes) {
      stats_.not_shown = candidates.size() - i;
      break;
    }
    const NameKind kind = kind_of_name(entry.path);
    if (kind == NameKind::Binary) {
      ++stats_.binary_skipped;
      continue;
    }
    if (entry.size > zipball_.limits().max_file_bytes) {
      ++stats_.too_large_skipped;
      continue;
    }
    if (kind == NameKind::Unknown) {
      scratch.clear();
      if (zipball_.append_text(entry, scratch) != ReadOutcome::Text) {
        ++stats_.binary_skipped;
        continue;
      }
    }
    std::uint64_t limit = entry.size;
    if (!filter_.hide_file_contents) {
      if (filter_.truncates(entry.path)) limit = std::min(limit, filter_.max_content_length);
      if (filter_.max_total_bytes != 0)
        limit = std::min(limit, filter_.max_total_bytes - planned_total);
      planned_total += limit;
    }
    const bool truncated = limit < entry.size;
    if (truncated) ++stats_.files_truncated;
    shown_.push_back(Shown{&entry, limit, truncated});
  }
  stats_.files_shown = shown_.size();
}

void DigestWriter::write_head(std::string& out) const {
  out += header(filter_, created_at_);
  out += summary(stats_);
  out += "\n```text\n";
  std::vector<std::string_view> paths;
  paths.reserve(shown_.size());
  for (const auto& file : shown_) paths.push_back(file.entry->path);
  append_tree(out, paths);
  out += "```\n";
  if (stats_.not_shown != 0) {
    out += "\n… truncated: the total size limit of " + bytes_text(filter_.max_total_bytes) +
           " was reached; " + std::to_string(stats_.not_shown) + " more files not shown\n";
  }
}

void DigestWriter::write_file(const Shown& file, std::string& out) {
  const ZipEntry& entry = *file.entry;
  out.append("\n### ").append(entry.path).append("\n\n");
  const std::size_t fence_at = out.size();
  out.append("```").append(language_of(entry.path)).push_back('\n');
  const std::size_t content_start = out.size();
  if (zipball_.append_text(entry, out) != ReadOutcome::Text) {
    out.resize(fence_at);
    out.append("(not shown: the content is not UTF-8 text)\n");
    ++stats_.shown_not_text;
    return;
  }
  const std::size_t length = out.size() - content_start;
  if (file.truncated) {
    out.resize(content_start + utf8_prefix_length(std::string_view(out).substr(content_start),
                                                  static_cast<std::size_t>(file.limit)));
  }
  const std::size_t shown_length = out.size() - content_start;
  stats_.content_bytes += shown_length;
  const std::string fence = fence_for(std::string_view(out).substr(content_start));
  if (fence.size() > 3) out.insert(fence_at, fence.size() - 3, '`');
  if (shown_length != 0 && out.back() != '\n') out.push_back('\n');
  out.append(fence).push_back('\n');
  if (file.truncated) {
    out.append("… truncated (")
        .append(std::to_string(shown_length))
        .append(" of ")
        .append(std::to_string(length))
        .append(" bytes shown)\n");
  }
}

bool DigestWriter::next(std::string& out) {
  if (!head_written_) {
    write_head(out);
    head_written_ = true;
    return true;
  }
  if (filter_.hide_file_contents || next_ >= shown_.size()) return false;
  write_file(shown_[next_++], out);
  return true;
}

Digest build_digest(Zipball& zipball, const RepoFilter& filter, std::string_view created_at) {
  DigestWriter writer(zipball, filter, std::string(created_at));
  Digest digest;
  while (writer.next(digest.markdown)) {
  }
  digest.stats = writer.stats();
  return digest;
}

}  // namespace ld::service
