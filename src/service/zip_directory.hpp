#pragma once
// A zip's central directory read from bytes in memory: the End Of Central Directory (ZIP64 too),
// every entry's name, method, sizes and offset, and the checked location of an entry's data.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace ld::service {

// The zip could not be read, or broke a limit. Routes answer 502 (bad upstream data) or 413.
class ZipballError : public ld::Error {
 public:
  using ld::Error::Error;
};

// One central directory record, sizes and offset already widened from the ZIP64 extra field.
struct ZipDirectoryEntry {
  std::string_view name;  // as stored (a view into the zip's bytes)
  std::uint16_t flags = 0;
  std::uint16_t method = 0;  // 0 stored, 8 deflate
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint64_t local_header_offset = 0;

  bool encrypted() const { return (flags & 1u) != 0; }
};

// A zip's central directory: its records, in stored order, and where the directory starts (the
// end of the area every entry's data must fit in).
struct ZipDirectory {
  std::uint64_t directory_offset = 0;
  std::vector<ZipDirectoryEntry> entries;
};

// Parses the central directory of `bytes`. Throws ZipballError (naming what is wrong and where)
// when there is no End Of Central Directory, a record runs past the directory, the directory is
// out of the archive's bounds, or it announces more than `max_entries` entries.
ZipDirectory read_zip_directory(std::string_view bytes, std::uint64_t max_entries);

// The compressed bytes of `entry`, after checking its local header (signature, name length,
// extra length) and that the data lies before the central directory. Throws ZipballError.
std::string_view entry_data(std::string_view bytes, const ZipDirectory& directory,
                            const ZipDirectoryEntry& entry);

}  // namespace ld::service
