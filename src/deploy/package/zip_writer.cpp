#include "deploy/package/zip_writer.hpp"

#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"

namespace ld::deploy {
namespace fs = std::filesystem;
namespace {

constexpr std::int64_t kDosEpoch = 315532800;  // 1980-01-01 00:00:00 UTC
constexpr std::int64_t kDosLast = 4354819198;  // 2107-12-31 23:59:58 UTC
constexpr std::uint32_t kDeflateLevel = 9;

struct DosTime {
  std::uint16_t time = 0;
  std::uint16_t date = 0;
};

// The MS-DOS date and time of `seconds` since the Unix epoch, read as UTC (never local time).
DosTime dos_time_of(std::int64_t seconds) {
  seconds = std::clamp(seconds, kDosEpoch, kDosLast);
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  DosTime dos;
  dos.date =
      static_cast<std::uint16_t>(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
  dos.time = static_cast<std::uint16_t>((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
  return dos;
}

// Closes the archive without writing when an error leaves it half-built.
struct ArchiveDiscard {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};

[[noreturn]] void fail(const fs::path& out, const std::string& what, zip_t* archive) {
  throw Error(out.string() + ": " + what + ": " + zip_strerror(archive));
}

}  // namespace

std::int64_t zip_timestamp_from_environment() {
  const char* value = std::getenv("SOURCE_DATE_EPOCH");
  if (value == nullptr || *value == '\0') return kDosEpoch;
  std::int64_t seconds = 0;
  const char* end = value + std::char_traits<char>::length(value);
  auto [next, ec] = std::from_chars(value, end, seconds);
  if (ec != std::errc() || next != end)
    throw Error(std::string("SOURCE_DATE_EPOCH is not a number of seconds: '") + value + "'");
  return std::clamp(seconds, kDosEpoch, kDosLast);
}

ZipFacts write_deterministic_zip(const fs::path& out, std::vector<ZipEntry> entries,
                                 std::optional<std::int64_t> timestamp) {
  std::sort(entries.begin(), entries.end(),
            [](const ZipEntry& a, const ZipEntry& b) { return a.name < b.name; });
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].name.empty() || entries[i].name.starts_with("/"))
      throw Error(out.string() + ": invalid entry name '" + entries[i].name + "'");
    if (i > 0 && entries[i].name == entries[i - 1].name)
      throw Error(out.string() + ": two entries named '" + entries[i].name + "'");
  }
  const DosTime when = dos_time_of(timestamp ? *timestamp : zip_timestamp_from_environment());

  std::error_code ec;
  if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
  fs::remove(out, ec);
  if (entries.empty()) {
    // libzip writes no file for an empty archive; an empty zip is its end record alone.
    std::ofstream file(out, std::ios::binary);
    const std::string end_record = std::string("PK\x05\x06", 4) + std::string(18, '\0');
    if (!file.write(end_record.data(), static_cast<std::streamsize>(end_record.size())))
      throw Error(out.string() + ": cannot write zip");
    file.close();
    return describe_file(out);
  }
  int error_code = 0;
  std::unique_ptr<zip_t, ArchiveDiscard> archive(
      zip_open(out.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error_code));
  if (!archive) {
    zip_error_t error;
    zip_error_init_with_code(&error, error_code);
    std::string text = out.string() + ": cannot create zip: " + zip_error_strerror(&error);
    zip_error_fini(&error);
    throw Error(text);
  }
  zip_t* za = archive.get();

  for (const auto& entry : entries) {
    zip_source_t* source = zip_source_buffer(za, entry.data.data(), entry.data.size(), 0);
    if (source == nullptr) fail(out, "cannot add " + entry.name, za);
    const zip_int64_t index = zip_file_add(za, entry.name.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      fail(out, "cannot add " + entry.name, za);
    }
    const auto at = static_cast<zip_uint64_t>(index);
    const std::uint32_t mode = S_IFREG | (entry.executable ? 0755u : 0644u);
    if (zip_set_file_compression(za, at, ZIP_CM_DEFLATE, kDeflateLevel) != 0 ||
        zip_file_set_external_attributes(za, at, 0, ZIP_OPSYS_UNIX, mode << 16) != 0 ||
        zip_file_set_dostime(za, at, when.time, when.date, 0) != 0)
      fail(out, "cannot set attributes of " + entry.name, za);
  }
  if (zip_close(za) != 0) fail(out, "cannot write zip", za);
  archive.release();  // zip_close freed it
  return describe_file(out);
}

ZipFacts describe_file(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) throw Error(path.string() + ": " + ec.message());
  const Digest256 digest = sha256_file(path);
  return {path, size, hex_encode(as_chars(digest)), base64_encode(as_chars(digest))};
}

}  // namespace ld::deploy
