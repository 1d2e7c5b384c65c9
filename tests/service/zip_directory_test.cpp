// The central directory reader: EOCD search over a comment, ZIP64, bounds of every record and of
// every entry's local header and data.
#include "service/zip_directory.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ld::service {
namespace {

void put16(std::string& out, std::uint32_t value) {
  out.push_back(static_cast<char>(value & 0xFF));
  out.push_back(static_cast<char>((value >> 8) & 0xFF));
}
void put32(std::string& out, std::uint32_t value) {
  put16(out, value & 0xFFFF);
  put16(out, value >> 16);
}
void put64(std::string& out, std::uint64_t value) {
  put32(out, static_cast<std::uint32_t>(value));
  put32(out, static_cast<std::uint32_t>(value >> 32));
}

// A stored-only zip written byte by byte, with an optional comment and ZIP64 records.
struct TestZip {
  std::vector<std::pair<std::string, std::string>> files;
  std::string comment;
  bool zip64 = false;

  std::string bytes() const {
    std::string out;
    std::string central;
    for (const auto& [name, content] : files) {
      const auto offset = static_cast<std::uint32_t>(out.size());
      out += "PK\x03\x04";
      put16(out, 20);
      put16(out, 0);  // flags
      put16(out, 0);  // stored
      put32(out, 0);  // time, date
      put32(out, 0);  // crc (not checked here)
      put32(out, static_cast<std::uint32_t>(content.size()));
      put32(out, static_cast<std::uint32_t>(content.size()));
      put16(out, static_cast<std::uint32_t>(name.size()));
      put16(out, 0);
      out += name;
      out += content;
      central += "PK\x01\x02";
      put16(central, 45);
      put16(central, 45);
      put16(central, 0);
      put16(central, 0);
      put32(central, 0);
      put32(central, 0);
      put32(central, zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(content.size()));
      put32(central, zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(content.size()));
      put16(central, static_cast<std::uint32_t>(name.size()));
      put16(central, zip64 ? 4 + 24 : 0);
      put16(central, 0);  // comment
      put16(central, 0);  // disk
      put16(central, 0);
      put32(central, 0);
      put32(central, zip64 ? 0xFFFFFFFFu : offset);
      central += name;
      if (zip64) {
        put16(central, 1);
        put16(central, 24);
        put64(central, content.size());
        put64(central, content.size());
        put64(central, offset);
      }
    }
    const std::uint64_t directory_offset = out.size();
    out += central;
    if (zip64) {
      const std::uint64_t record = out.size();
      out += "PK\x06\x06";
      put64(out, 44);
      put16(out, 45);
      put16(out, 45);
      put32(out, 0);
      put32(out, 0);
      put64(out, files.size());
      put64(out, files.size());
      put64(out, central.size());
      put64(out, directory_offset);
      out += "PK\x06\x07";
      put32(out, 0);
      put64(out, record);
      put32(out, 1);
    }
    out += "PK\x05\x06";
    put16(out, 0);
    put16(out, 0);
    put16(out, zip64 ? 0xFFFF : static_cast<std::uint32_t>(files.size()));
    put16(out, zip64 ? 0xFFFF : static_cast<std::uint32_t>(files.size()));
    put32(out, zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(central.size()));
    put32(out, zip64 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(directory_offset));
    put16(out, static_cast<std::uint32_t>(comment.size()));
    out += comment;
    return out;
  }
};

std::string error_of(std::string_view bytes, std::uint64_t max_entries = 1000) {
  try {
    const auto directory = read_zip_directory(bytes, max_entries);
    for (const auto& entry : directory.entries) entry_data(bytes, directory, entry);
  } catch (const ZipballError& error) {
    return error.what();
  }
  return "";
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

const TestZip kTwo{{{"top/a.txt", "alpha\n"}, {"top/b.txt", "beta\n"}}, "", false};

TEST(ZipDirectory, ReadsEntriesAndTheirData) {
  const std::string zip = kTwo.bytes();
  const auto directory = read_zip_directory(zip, 10);
  ASSERT_EQ(directory.entries.size(), 2u);
  EXPECT_EQ(directory.entries[0].name, "top/a.txt");
  EXPECT_EQ(directory.entries[1].uncompressed_size, 5u);
  EXPECT_EQ(entry_data(zip, directory, directory.entries[0]), "alpha\n");
  EXPECT_EQ(entry_data(zip, directory, directory.entries[1]), "beta\n");
}

TEST(ZipDirectory, FindsTheEndBehindACommentOfAnyLength) {
  for (const std::size_t length : {std::size_t{40}, std::size_t{65535}}) {
    TestZip zip = kTwo;
    zip.comment = std::string(length, 'c');
    zip.comment.replace(0, 4, "PK\x05\x06");  // a false signature inside the comment
    const std::string bytes = zip.bytes();
    const auto directory = read_zip_directory(bytes, 10);
    ASSERT_EQ(directory.entries.size(), 2u) << length;
    EXPECT_EQ(entry_data(bytes, directory, directory.entries[1]), "beta\n");
  }
}

TEST(ZipDirectory, ReadsZip64RecordsAndExtraFields) {
  TestZip zip = kTwo;
  zip.zip64 = true;
  const std::string bytes = zip.bytes();
  const auto directory = read_zip_directory(bytes, 10);
  ASSERT_EQ(directory.entries.size(), 2u);
  EXPECT_EQ(directory.entries[1].uncompressed_size, 5u);
  EXPECT_EQ(directory.entries[1].compressed_size, 5u);
  EXPECT_EQ(entry_data(bytes, directory, directory.entries[1]), "beta\n");
}

TEST(ZipDirectory, AnHtmlErrorPageIsNotAZip) {
  const std::string error = error_of("<html><body><h1>502 Bad Gateway</h1></body></html>\n");
  EXPECT_TRUE(contains(error, "not a zip archive")) << error;
  EXPECT_TRUE(contains(error_of(""), "not a zip archive"));
  EXPECT_TRUE(contains(error_of("PK\x05\x06"), "not a zip archive"));
}

TEST(ZipDirectory, TooManyEntriesAreRefusedBeforeReadingThem) {
  const std::string error = error_of(kTwo.bytes(), 1);
  EXPECT_TRUE(contains(error, "2 entries, more than the 1 allowed")) << error;
}

TEST(ZipDirectory, ADirectoryOutsideTheArchiveIsAnError) {
  std::string bytes = kTwo.bytes();
  const std::size_t end = bytes.size() - 22;
  bytes[end + 19] = '\x7f';  // directory offset far past the end
  EXPECT_TRUE(contains(error_of(bytes), "lies outside the archive")) << error_of(bytes);
}

TEST(ZipDirectory, AnEntryCountTheDirectoryCannotHoldIsAnError) {
  std::string bytes = kTwo.bytes();
  const std::size_t end = bytes.size() - 22;
  bytes[end + 10] = '\x09';  // 9 entries in a directory of 2 records
  bytes[end + 8] = '\x09';
  EXPECT_TRUE(contains(error_of(bytes), "holds only")) << error_of(bytes);
}

TEST(ZipDirectory, DataOverlappingTheCentralDirectoryIsAnError) {
  std::string bytes = kTwo.bytes();
  const auto directory = read_zip_directory(bytes, 10);
  // The second entry's central record says its data is 1000 bytes long.
  const std::size_t second = static_cast<std::size_t>(directory.directory_offset) + 46 + 9;
  bytes[second + 20] = '\xe8';
  bytes[second + 21] = '\x03';
  const std::string error = error_of(bytes);
  EXPECT_TRUE(contains(error, "'top/b.txt'")) << error;
  EXPECT_TRUE(contains(error, "into the central directory")) << error;
}

TEST(ZipDirectory, ALocalHeaderOutsideTheDataIsAnError) {
  std::string bytes = kTwo.bytes();
  const auto directory = read_zip_directory(bytes, 10);
  const std::size_t first = static_cast<std::size_t>(directory.directory_offset);
  bytes[first + 42] = '\x00';
  bytes[first + 43] = '\x00';
  bytes[first + 44] = '\x01';  // offset 65536, past the archive
  const std::string error = error_of(bytes);
  EXPECT_TRUE(contains(error, "'top/a.txt'")) << error;
  EXPECT_TRUE(contains(error, "local header lies outside")) << error;
}

TEST(ZipDirectory, ALocalHeaderIsChecked) {
  std::string bytes = kTwo.bytes();
  bytes[2] = 'X';  // signature
  EXPECT_TRUE(contains(error_of(bytes), "no local header signature")) << error_of(bytes);
  bytes = kTwo.bytes();
  bytes[26] = '\x08';  // name length 8 instead of 9
  EXPECT_TRUE(contains(error_of(bytes), "name length")) << error_of(bytes);
  bytes = kTwo.bytes();
  bytes[28] = '\xff';  // extra length pushes the data past the directory
  bytes[29] = '\xff';
  EXPECT_TRUE(contains(error_of(bytes), "into the central directory")) << error_of(bytes);
}

TEST(ZipDirectory, AMissingZip64RecordIsAnError) {
  TestZip zip = kTwo;
  zip.zip64 = true;
  std::string bytes = zip.bytes();
  const std::size_t locator = bytes.size() - 22 - 20;
  bytes[locator + 8] = '\x01';  // points at byte 1, not at the record
  bytes[locator + 9] = '\x00';
  EXPECT_TRUE(contains(error_of(bytes), "ZIP64 end of central directory record is missing"))
      << error_of(bytes);
  // The EOCD asks for ZIP64 but the locator is gone.
  bytes = zip.bytes();
  bytes[locator] = 'X';
  EXPECT_TRUE(contains(error_of(bytes), "ZIP64")) << error_of(bytes);
}

TEST(ZipDirectory, EveryTruncationIsAnErrorOrAResult) {
  TestZip zip = kTwo;
  zip.zip64 = true;
  for (const std::string& full : {kTwo.bytes(), zip.bytes()}) {
    for (std::size_t length = 0; length < full.size(); ++length) {
      const std::string cut = full.substr(0, length);
      EXPECT_FALSE(error_of(cut).empty()) << length;  // the EOCD is gone: never a result
    }
  }
}

}  // namespace
}  // namespace ld::service
