#include "deploy/package/zip_contents.hpp"

#include <zip.h>

#include <memory>

#include "core/error.hpp"

namespace ld::deploy {

namespace {

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
using ZipHandle = std::unique_ptr<zip_t, ZipCloser>;

ZipHandle open_zip(const std::filesystem::path& path) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (archive == nullptr) {
    zip_error_t details;
    zip_error_init_with_code(&details, error);
    std::string reason = zip_error_strerror(&details);
    zip_error_fini(&details);
    throw Error(path.string() + " is not a readable zip: " + reason);
  }
  return ZipHandle(archive);
}

}  // namespace

ZipContents read_zip_contents(const std::filesystem::path& path) {
  ZipHandle archive = open_zip(path);
  ZipContents contents;
  const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t stat;
    if (zip_stat_index(archive.get(), static_cast<zip_uint64_t>(i), 0, &stat) != 0) continue;
    ++contents.entries;
    if ((stat.valid & ZIP_STAT_SIZE) != 0) contents.unzipped_size += stat.size;
  }
  return contents;
}

std::optional<std::string> read_zip_text(const std::filesystem::path& path,
                                         const std::string& name) {
  ZipHandle archive = open_zip(path);
  zip_stat_t stat;
  if (zip_stat(archive.get(), name.c_str(), 0, &stat) != 0) return std::nullopt;
  if ((stat.valid & ZIP_STAT_SIZE) == 0 || stat.size > 64ull * 1024)
    throw Error(path.string() + ": entry " + name + " is larger than 64 KiB");
  zip_file_t* file = zip_fopen(archive.get(), name.c_str(), 0);
  if (file == nullptr) throw Error(path.string() + ": cannot read entry " + name);
  std::string text(stat.size, '\0');
  const zip_int64_t got = zip_fread(file, text.data(), stat.size);
  zip_fclose(file);
  if (got < 0 || static_cast<zip_uint64_t>(got) != stat.size)
    throw Error(path.string() + ": cannot read entry " + name);
  return text;
}

}  // namespace ld::deploy
