#include "service/zipball.hpp"

#include <zip.h>

#include <algorithm>

#include "service/file_kind.hpp"
#include "service/repo_filter.hpp"

namespace ld::service {

// libzip's archive handle, closed with the Zipball.
struct Zipball::Archive {
  zip_t* zip = nullptr;
  ~Archive() {
    if (zip != nullptr) zip_discard(zip);
  }
};

namespace {

std::string zip_error_text(zip_error_t* error) {
  std::string text = zip_error_strerror(error);
  zip_error_fini(error);
  return text;
}

}  // namespace

std::string unsafe_reason(std::string_view name) {
  if (name.empty()) return "empty name";
  if (name.front() == '/') return "absolute path";
  if (name.size() >= 2 && name[1] == ':') return "absolute path (drive letter)";
  if (name.find('\\') != std::string_view::npos) return "backslash in path";
  if (name.find('\0') != std::string_view::npos) return "NUL in path";
  std::size_t start = 0;
  while (start <= name.size()) {
    const auto end = std::min(name.find('/', start), name.size());
    if (name.substr(start, end - start) == "..") return "path escapes the folder ('..')";
    start = end + 1;
  }
  return {};
}

Zipball::Zipball(std::string_view bytes, ZipLimits limits)
    : archive_(std::make_unique<Archive>()), limits_(limits) {
  if (bytes.empty()) throw ZipballError("the zipball is empty (0 bytes)");
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) throw ZipballError("cannot read the zipball: " + zip_error_text(&error));
  archive_->zip = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (archive_->zip == nullptr) {
    zip_source_free(source);
    throw ZipballError("the zipball is not a zip archive (" + std::to_string(bytes.size()) +
                       " bytes): " + zip_error_text(&error));
  }
  zip_error_fini(&error);

  const zip_int64_t count = zip_get_num_entries(archive_->zip, 0);
  if (count < 0 || static_cast<std::uint64_t>(count) > limits_.max_entries) {
    throw ZipballError("the zipball has " + std::to_string(count) + " entries, more than the " +
                       std::to_string(limits_.max_entries) + " allowed");
  }
  files_.reserve(static_cast<std::size_t>(count));
  for (zip_int64_t i = 0; i < count; ++i) {
    const auto index = static_cast<zip_uint64_t>(i);
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive_->zip, index, 0, &stat) != 0 || (stat.valid & ZIP_STAT_NAME) == 0) {
      throw ZipballError("the zipball's entry " + std::to_string(i) +
                         " cannot be read: " + zip_strerror(archive_->zip));
    }
    const std::string_view name = stat.name;
    if (auto reason = unsafe_reason(name); !reason.empty()) {
      refused_.push_back({std::string(name), std::move(reason)});
      continue;
    }
    if (name.back() == '/') continue;  // a directory
    const auto slash = name.find('/');
    if (slash == std::string_view::npos) continue;  // beside the top folder: not the repo's
    ZipEntry entry;
    entry.path = std::string(name.substr(slash + 1));
    entry.size = (stat.valid & ZIP_STAT_SIZE) != 0 ? stat.size : 0;
    entry.index = index;
    files_.push_back(std::move(entry));
  }
  std::sort(files_.begin(), files_.end(),
            [](const ZipEntry& a, const ZipEntry& b) { return a.path < b.path; });
}

Zipball::~Zipball() = default;

std::vector<std::string> Zipball::names() const {
  std::vector<std::string> names;
  names.reserve(files_.size());
  for (const auto& entry : files_) names.push_back(entry.path);
  return names;
}

ReadOutcome Zipball::append_text(const ZipEntry& entry, std::string& out) {
  if (kind_of_name(entry.path) == NameKind::Binary) return ReadOutcome::Binary;
  if (entry.size > limits_.max_file_bytes) return ReadOutcome::TooLarge;
  if (bytes_read_ + entry.size > limits_.max_total_bytes) {
    throw ZipballError("the zipball holds more than " + std::to_string(limits_.max_total_bytes) +
                       " bytes of text (limit reached at '" + entry.path + "')");
  }
  zip_file_t* file = zip_fopen_index(archive_->zip, entry.index, 0);
  if (file == nullptr) {
    throw ZipballError("cannot open '" + entry.path +
                       "' in the zipball: " + zip_strerror(archive_->zip));
  }
  const std::size_t start = out.size();
  // One byte of room past the declared size shows an entry that lies about its size.
  out.resize(start + entry.size + 1);
  std::uint64_t total = 0;
  for (;;) {
    const zip_int64_t n = zip_fread(file, out.data() + start + total, entry.size + 1 - total);
    if (n < 0) {
      std::string reason = zip_file_strerror(file);
      zip_fclose(file);
      out.resize(start);
      throw ZipballError("cannot read '" + entry.path + "' in the zipball: " + reason);
    }
    if (n == 0) break;
    total += static_cast<std::uint64_t>(n);
    if (total > entry.size) {
      zip_fclose(file);
      out.resize(start);
      throw ZipballError("'" + entry.path + "' in the zipball is larger than its declared " +
                         std::to_string(entry.size) + " bytes");
    }
  }
  zip_fclose(file);
  out.resize(start + total);
  bytes_read_ += total;
  if (!is_text_content(std::string_view(out).substr(start))) {
    out.resize(start);
    return ReadOutcome::Binary;
  }
  return ReadOutcome::Text;
}

std::vector<std::pair<std::string, std::string>> Zipball::text_files(const RepoFilter& filter) {
  std::vector<std::pair<std::string, std::string>> result;
  for (const auto& entry : files_) {
    if (!filter.matches(entry.path)) continue;
    if (filter.max_file_size_bytes != 0 && entry.size > filter.max_file_size_bytes) continue;
    std::string content;
    if (append_text(entry, content) == ReadOutcome::Text) {
      result.emplace_back(entry.path, std::move(content));
    }
  }
  return result;
}

}  // namespace ld::service
