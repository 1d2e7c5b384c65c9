#include "service/zipball.hpp"

#include <libdeflate.h>

#include <algorithm>

#include "service/file_kind.hpp"
#include "service/repo_filter.hpp"

namespace ld::service {

// The zip's bytes, its central directory and one reused libdeflate decompressor.
struct Zipball::Archive {
  std::string_view bytes;
  ZipDirectory directory;
  libdeflate_decompressor* decompressor = nullptr;

  Archive() = default;
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;
  ~Archive() {
    if (decompressor != nullptr) libdeflate_free_decompressor(decompressor);
  }
};

namespace {

// Inflates or copies `entry`'s data into `out` (exactly its declared size), checks its CRC-32.
// Returns "" on success, else why the entry cannot be read.
std::string extract(libdeflate_decompressor* decompressor, const ZipDirectoryEntry& entry,
                    std::string_view data, char* out) {
  const std::size_t size = static_cast<std::size_t>(entry.uncompressed_size);
  if (entry.method == 0) {
    if (data.size() != size) {
      return "stored data of " + std::to_string(data.size()) + " bytes, declared " +
             std::to_string(size);
    }
    std::copy(data.begin(), data.end(), out);
  } else {
    std::size_t actual = 0;
    const libdeflate_result result =
        libdeflate_deflate_decompress(decompressor, data.data(), data.size(), out, size, &actual);
    if (result == LIBDEFLATE_INSUFFICIENT_SPACE) {
      return "it is larger than its declared " + std::to_string(size) + " bytes";
    }
    if (result != LIBDEFLATE_SUCCESS) return "corrupt deflate data";
    if (actual != size) {
      return "it is smaller (" + std::to_string(actual) + " bytes) than its declared " +
             std::to_string(size) + " bytes";
    }
  }
  if (libdeflate_crc32(0, out, size) != entry.crc32) return "CRC-32 mismatch";
  return {};
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
  archive_->bytes = bytes;
  archive_->directory = read_zip_directory(bytes, limits_.max_entries);
  const auto& entries = archive_->directory.entries;
  files_.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string_view name = entries[i].name;
    if (auto reason = unsafe_reason(name); !reason.empty()) {
      refused_.push_back({std::string(name), std::move(reason)});
      continue;
    }
    if (name.back() == '/') continue;  // a directory
    const auto slash = name.find('/');
    if (slash == std::string_view::npos) continue;  // beside the top folder: not the repo's
    ZipEntry entry;
    entry.path = std::string(name.substr(slash + 1));
    entry.size = entries[i].uncompressed_size;
    entry.index = i;
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
  const auto& entries = archive_->directory.entries;
  if (entry.index >= entries.size()) {
    throw ZipballError("'" + entry.path + "' is not an entry of this zipball");
  }
  const ZipDirectoryEntry& stored = entries[static_cast<std::size_t>(entry.index)];
  auto fail = [&](const std::string& reason) {
    return ZipballError("cannot read '" + entry.path + "' in the zipball: " + reason);
  };
  if (stored.encrypted()) throw fail("it is encrypted");
  if (stored.method != 0 && stored.method != 8) {
    throw fail("compression method " + std::to_string(stored.method) +
               " is not supported (only stored and deflate)");
  }
  const std::string_view data = entry_data(archive_->bytes, archive_->directory, stored);
  if (archive_->decompressor == nullptr) {
    archive_->decompressor = libdeflate_alloc_decompressor();
    if (archive_->decompressor == nullptr) throw fail("no memory for a decompressor");
  }
  const std::size_t start = out.size();
  out.resize(start + static_cast<std::size_t>(entry.size));
  std::string reason = extract(archive_->decompressor, stored, data, out.data() + start);
  if (!reason.empty()) {
    out.resize(start);
    throw fail(reason);
  }
  bytes_read_ += entry.size;
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
