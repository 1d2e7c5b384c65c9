#include "service/zip_directory.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace ld::service {
namespace {

constexpr std::size_t kEndSize = 22;           // End Of Central Directory, without comment
constexpr std::size_t kZip64LocatorSize = 20;  // ZIP64 EOCD locator
constexpr std::size_t kZip64EndSize = 56;      // ZIP64 EOCD record, without extensible data
constexpr std::size_t kCentralSize = 46;       // central directory record, without name etc.
constexpr std::size_t kLocalSize = 30;         // local file header, without name and extra
constexpr std::uint32_t kMax32 = 0xFFFFFFFFu;
constexpr std::uint16_t kMax16 = 0xFFFFu;

std::uint16_t u16(std::string_view bytes, std::size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

std::uint32_t u32(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint32_t>(u16(bytes, at)) |
         (static_cast<std::uint32_t>(u16(bytes, at + 2)) << 16);
}

std::uint64_t u64(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint64_t>(u32(bytes, at)) |
         (static_cast<std::uint64_t>(u32(bytes, at + 4)) << 32);
}

bool signature_at(std::string_view bytes, std::size_t at, const char (&signature)[5]) {
  return at + 4 <= bytes.size() && std::memcmp(bytes.data() + at, signature, 4) == 0;
}

std::string at_text(std::uint64_t offset) {
  return " (at byte " + std::to_string(offset) + ")";
}

// The End Of Central Directory's offset: the last "PK\5\6" whose comment ends the archive.
std::size_t find_end(std::string_view bytes) {
  if (bytes.size() < kEndSize) return std::string_view::npos;
  const std::size_t last = bytes.size() - kEndSize;
  const std::size_t first = last > kMax16 ? last - kMax16 : 0;
  for (std::size_t at = last + 1; at-- > first;) {
    if (signature_at(bytes, at, "PK\x05\x06") &&
        at + kEndSize + u16(bytes, at + 20) == bytes.size())
      return at;
  }
  return std::string_view::npos;
}

std::string entry_text(std::size_t index, std::string_view name) {
  return "entry " + std::to_string(index) + " ('" + std::string(name.substr(0, 200)) + "')";
}

// Widens the 32-bit fields marked 0xFFFFFFFF from the record's ZIP64 extra field (id 0x0001).
void apply_zip64_extra(std::string_view extra, ZipDirectoryEntry& entry, std::size_t index) {
  const bool need_size = entry.uncompressed_size == kMax32;
  const bool need_compressed = entry.compressed_size == kMax32;
  const bool need_offset = entry.local_header_offset == kMax32;
  if (!need_size && !need_compressed && !need_offset) return;
  std::size_t at = 0;
  while (at + 4 <= extra.size()) {
    const std::uint16_t id = u16(extra, at);
    const std::size_t length = u16(extra, at + 2);
    if (at + 4 + length > extra.size()) break;
    if (id == 0x0001) {
      const std::string_view field = extra.substr(at + 4, length);
      std::size_t pos = 0;
      auto next = [&](std::uint64_t& value) {
        if (pos + 8 > field.size()) {
          throw ZipballError("the zipball's " + entry_text(index, entry.name) +
                             " has a ZIP64 extra field too short for its sizes");
        }
        value = u64(field, pos);
        pos += 8;
      };
      if (need_size) next(entry.uncompressed_size);
      if (need_compressed) next(entry.compressed_size);
      if (need_offset) next(entry.local_header_offset);
      return;
    }
    at += 4 + length;
  }
  throw ZipballError("the zipball's " + entry_text(index, entry.name) +
                     " needs a ZIP64 extra field and has none");
}

}  // namespace

ZipDirectory read_zip_directory(std::string_view bytes, std::uint64_t max_entries) {
  const std::size_t end = find_end(bytes);
  if (end == std::string_view::npos) {
    throw ZipballError("the zipball is not a zip archive (" + std::to_string(bytes.size()) +
                       " bytes): no end of central directory record");
  }
  if (u16(bytes, end + 4) != 0 || u16(bytes, end + 6) != 0) {
    throw ZipballError("the zipball is a split (multi-disk) zip archive, which is not supported");
  }
  std::uint64_t count = u16(bytes, end + 10);
  std::uint64_t directory_size = u32(bytes, end + 12);
  std::uint64_t directory_offset = u32(bytes, end + 16);
  std::uint64_t directory_limit = end;  // the directory must end before this

  const bool has_locator =
      end >= kZip64LocatorSize && signature_at(bytes, end - kZip64LocatorSize, "PK\x06\x07");
  if (has_locator) {
    const std::size_t locator = end - kZip64LocatorSize;
    const std::uint64_t record = u64(bytes, locator + 8);
    if (record > locator || locator - record < kZip64EndSize ||
        !signature_at(bytes, static_cast<std::size_t>(record), "PK\x06\x06")) {
      throw ZipballError("the zipball's ZIP64 end of central directory record is missing" +
                         at_text(record));
    }
    const auto at = static_cast<std::size_t>(record);
    if (u32(bytes, at + 16) != 0 || u32(bytes, at + 20) != 0) {
      throw ZipballError("the zipball is a split (multi-disk) zip archive, which is not supported");
    }
    count = u64(bytes, at + 32);
    directory_size = u64(bytes, at + 40);
    directory_offset = u64(bytes, at + 48);
    directory_limit = record;
  } else if (count == kMax16 || directory_size == kMax32 || directory_offset == kMax32) {
    throw ZipballError("the zipball needs a ZIP64 end of central directory locator and has none");
  }

  if (directory_offset > directory_limit || directory_size > directory_limit - directory_offset) {
    throw ZipballError("the zipball's central directory (" + std::to_string(directory_size) +
                       " bytes at " + std::to_string(directory_offset) +
                       ") lies outside the archive of " + std::to_string(bytes.size()) + " bytes");
  }
  if (count > max_entries) {
    throw ZipballError("the zipball has " + std::to_string(count) + " entries, more than the " +
                       std::to_string(max_entries) + " allowed");
  }
  if (count > directory_size / kCentralSize) {
    throw ZipballError("the zipball announces " + std::to_string(count) +
                       " entries but its central directory holds only " +
                       std::to_string(directory_size) + " bytes");
  }

  ZipDirectory directory;
  directory.directory_offset = directory_offset;
  directory.entries.reserve(static_cast<std::size_t>(count));
  const std::string_view records = bytes.substr(static_cast<std::size_t>(directory_offset),
                                                static_cast<std::size_t>(directory_size));
  std::size_t at = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (at + kCentralSize > records.size() || !signature_at(records, at, "PK\x01\x02")) {
      throw ZipballError("the zipball's central directory record " + std::to_string(i) +
                         " is missing or truncated" + at_text(directory_offset + at));
    }
    const std::size_t name_length = u16(records, at + 28);
    const std::size_t extra_length = u16(records, at + 30);
    const std::size_t comment_length = u16(records, at + 32);
    const std::size_t total = kCentralSize + name_length + extra_length + comment_length;
    if (at + total > records.size()) {
      throw ZipballError("the zipball's central directory record " + std::to_string(i) +
                         " runs past the directory" + at_text(directory_offset + at));
    }
    ZipDirectoryEntry entry;
    entry.flags = u16(records, at + 8);
    entry.method = u16(records, at + 10);
    entry.crc32 = u32(records, at + 16);
    entry.compressed_size = u32(records, at + 20);
    entry.uncompressed_size = u32(records, at + 24);
    entry.local_header_offset = u32(records, at + 42);
    entry.name = records.substr(at + kCentralSize, name_length);
    apply_zip64_extra(records.substr(at + kCentralSize + name_length, extra_length), entry, i);
    directory.entries.push_back(entry);
    at += total;
  }
  return directory;
}

std::string_view entry_data(std::string_view bytes, const ZipDirectory& directory,
                            const ZipDirectoryEntry& entry) {
  const std::uint64_t limit = std::min<std::uint64_t>(directory.directory_offset, bytes.size());
  const std::uint64_t local = entry.local_header_offset;
  auto fail = [&](const std::string& reason) -> ZipballError {
    return ZipballError("cannot read '" + std::string(entry.name) + "' in the zipball: " + reason +
                        at_text(local));
  };
  if (local > limit || limit - local < kLocalSize) {
    throw fail("its local header lies outside the archive's data");
  }
  const auto at = static_cast<std::size_t>(local);
  if (!signature_at(bytes, at, "PK\x03\x04")) throw fail("no local header signature");
  const std::size_t name_length = u16(bytes, at + 26);
  const std::size_t extra_length = u16(bytes, at + 28);
  if (name_length != entry.name.size()) {
    throw fail("its local header's name length (" + std::to_string(name_length) +
               ") differs from the central directory's (" + std::to_string(entry.name.size()) +
               ")");
  }
  const std::uint64_t start = local + kLocalSize + name_length + extra_length;
  if (start > limit || entry.compressed_size > limit - start) {
    throw fail("its data (" + std::to_string(entry.compressed_size) +
               " bytes) runs past the archive's data into the central directory");
  }
  if (bytes.substr(at + kLocalSize, name_length) != entry.name) {
    throw fail("its local header's name differs from the central directory's");
  }
  return bytes.substr(static_cast<std::size_t>(start),
                      static_cast<std::size_t>(entry.compressed_size));
}

}  // namespace ld::service
