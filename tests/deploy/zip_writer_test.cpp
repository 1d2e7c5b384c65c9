// Deterministic zips: same entries → same bytes; names sorted, fixed DOS time, Unix modes, no
// extra fields; contents read back with libzip.
#include "deploy/package/zip_writer.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zip.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "support/temp_dir.hpp"

namespace ld::deploy {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint16_t u16(const std::string& b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                    (static_cast<unsigned char>(b[at + 1]) << 8));
}
std::uint32_t u32(const std::string& b, std::size_t at) {
  return static_cast<std::uint32_t>(u16(b, at)) |
         (static_cast<std::uint32_t>(u16(b, at + 2)) << 16);
}

// One central-directory record, as the zip file stores it.
struct CentralEntry {
  std::string name;
  std::uint8_t made_by_os = 0;
  std::uint16_t time = 0;
  std::uint16_t date = 0;
  std::uint16_t method = 0;
  std::uint16_t extra_length = 0;
  std::uint16_t local_extra_length = 0;
  std::uint32_t external = 0;
};

std::vector<CentralEntry> central_directory(const std::string& zip) {
  const std::size_t eocd = zip.rfind(std::string("PK\x05\x06", 4));
  EXPECT_NE(eocd, std::string::npos);
  const std::uint16_t count = u16(zip, eocd + 10);
  std::size_t at = u32(zip, eocd + 16);
  std::vector<CentralEntry> out;
  for (std::uint16_t i = 0; i < count; ++i) {
    EXPECT_EQ(u32(zip, at), 0x02014b50u);
    CentralEntry e;
    e.made_by_os = static_cast<std::uint8_t>(zip[at + 5]);
    e.method = u16(zip, at + 10);
    e.time = u16(zip, at + 12);
    e.date = u16(zip, at + 14);
    const std::uint16_t name_length = u16(zip, at + 28);
    e.extra_length = u16(zip, at + 30);
    const std::uint16_t comment_length = u16(zip, at + 32);
    e.external = u32(zip, at + 38);
    const std::uint32_t local = u32(zip, at + 42);
    e.local_extra_length = u16(zip, local + 28);
    e.name = zip.substr(at + 46, name_length);
    out.push_back(e);
    at += 46u + name_length + e.extra_length + comment_length;
  }
  return out;
}

std::vector<ZipEntry> sample_entries() {
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "line " + std::to_string(i) + "\n";
  return {{"version", "v1.2.3\n", false},
          {"bootstrap",
           "\x7f"
           "ELF pretend binary " +
               big,
           true},
          {"lib/libz.so.1", std::string(5000, '\0'), true},
          {"empty", "", false}};
}

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(ZipWriter, SameEntriesGiveIdenticalBytesWhateverTheirOrder) {
  ScopedEnv no_epoch("SOURCE_DATE_EPOCH", nullptr);
  test::TempDir dir("zip");
  auto entries = sample_entries();
  const ZipFacts first = write_deterministic_zip(dir.path() / "a.zip", entries);
  std::reverse(entries.begin(), entries.end());
  const ZipFacts second = write_deterministic_zip(dir.path() / "out" / "b.zip", entries);
  EXPECT_EQ(first.sha256_hex, second.sha256_hex);
  EXPECT_EQ(slurp(first.path), slurp(second.path));
  // Writing over an existing file gives the same bytes again.
  const ZipFacts third = write_deterministic_zip(dir.path() / "a.zip", sample_entries());
  EXPECT_EQ(third.sha256_hex, first.sha256_hex);
}

TEST(ZipWriter, ReportsSizeSha256AndLambdasCodeSha256) {
  test::TempDir dir("zip");
  const ZipFacts facts = write_deterministic_zip(dir.path() / "f.zip", sample_entries());
  const std::string bytes = slurp(facts.path);
  EXPECT_EQ(facts.size, bytes.size());
  EXPECT_EQ(facts.sha256_hex, sha256_hex(bytes));
  EXPECT_EQ(facts.sha256_hex.size(), 64u);
  EXPECT_EQ(facts.code_sha256, base64_encode(as_chars(sha256(bytes))));
  EXPECT_EQ(facts.code_sha256.size(), 44u);
}

TEST(ZipWriter, EntriesAreSortedDeflatedWithFixedTimeModesAndNoExtraFields) {
  ScopedEnv no_epoch("SOURCE_DATE_EPOCH", nullptr);
  test::TempDir dir("zip");
  const ZipFacts facts = write_deterministic_zip(dir.path() / "f.zip", sample_entries());
  const auto entries = central_directory(slurp(facts.path));
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].name, "bootstrap");
  EXPECT_EQ(entries[1].name, "empty");
  EXPECT_EQ(entries[2].name, "lib/libz.so.1");
  EXPECT_EQ(entries[3].name, "version");
  for (const auto& e : entries) {
    SCOPED_TRACE(e.name);
    EXPECT_EQ(e.made_by_os, 3);                  // Unix: Lambda honours the mode bits
    EXPECT_EQ(e.date, (0 << 9) | (1 << 5) | 1);  // 1980-01-01
    EXPECT_EQ(e.time, 0);
    EXPECT_EQ(e.extra_length, 0);
    EXPECT_EQ(e.local_extra_length, 0);
    const bool executable = e.name == "bootstrap" || e.name.starts_with("lib/");
    EXPECT_EQ(e.external >> 16, S_IFREG | (executable ? 0755u : 0644u));
  }
  EXPECT_EQ(entries[0].method, ZIP_CM_DEFLATE);
}

TEST(ZipWriter, ContentsReadBackWithLibzip) {
  test::TempDir dir("zip");
  const ZipFacts facts = write_deterministic_zip(dir.path() / "f.zip", sample_entries());
  int error = 0;
  zip_t* za = zip_open(facts.path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
  ASSERT_NE(za, nullptr) << error;
  for (const auto& expected : sample_entries()) {
    SCOPED_TRACE(expected.name);
    zip_stat_t st;
    ASSERT_EQ(zip_stat(za, expected.name.c_str(), 0, &st), 0);
    std::string data(st.size, '\0');
    zip_file_t* f = zip_fopen(za, expected.name.c_str(), 0);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(zip_fread(f, data.data(), st.size), static_cast<zip_int64_t>(st.size));
    zip_fclose(f);
    EXPECT_EQ(data, expected.data);
    std::uint8_t os = 0;
    std::uint32_t attributes = 0;
    ASSERT_EQ(zip_file_get_external_attributes(za, st.index, 0, &os, &attributes), 0);
    EXPECT_EQ(os, ZIP_OPSYS_UNIX);
    EXPECT_EQ((attributes >> 16) & 0777, expected.executable ? 0755u : 0644u);
  }
  zip_close(za);
}

TEST(ZipWriter, SourceDateEpochSetsTheEntryTimeInUtc) {
  ScopedEnv epoch("SOURCE_DATE_EPOCH", "1700000000");  // 2023-11-14 22:13:20 UTC
  ScopedEnv tz("TZ", "America/New_York");
  test::TempDir dir("zip");
  const ZipFacts facts = write_deterministic_zip(dir.path() / "f.zip", sample_entries());
  for (const auto& e : central_directory(slurp(facts.path))) {
    EXPECT_EQ(e.date, ((2023 - 1980) << 9) | (11 << 5) | 14);
    EXPECT_EQ(e.time, (22 << 11) | (13 << 5) | (20 / 2));
  }
  const ZipFacts other = write_deterministic_zip(dir.path() / "g.zip", sample_entries(), 0);
  EXPECT_NE(other.sha256_hex, facts.sha256_hex);  // an explicit time wins; 0 clamps to 1980
  EXPECT_EQ(central_directory(slurp(other.path))[0].date, (0 << 9) | (1 << 5) | 1);
}

TEST(ZipWriter, BadSourceDateEpochIsANamedError) {
  ScopedEnv epoch("SOURCE_DATE_EPOCH", "yesterday");
  test::TempDir dir("zip");
  try {
    write_deterministic_zip(dir.path() / "f.zip", sample_entries());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("SOURCE_DATE_EPOCH"), std::string::npos) << e.what();
  }
}

TEST(ZipWriter, RefusesDuplicateAndEmptyNames) {
  test::TempDir dir("zip");
  EXPECT_THROW(write_deterministic_zip(dir.path() / "d.zip", {{"a", "1"}, {"a", "2"}}), Error);
  EXPECT_THROW(write_deterministic_zip(dir.path() / "e.zip", {{"", "1"}}), Error);
  EXPECT_THROW(write_deterministic_zip(dir.path() / "s.zip", {{"/etc/passwd", "1"}}), Error);
}

TEST(ZipWriter, NoEntriesGiveAValidEmptyZip) {
  test::TempDir dir("zip");
  const ZipFacts facts = write_deterministic_zip(dir.path() / "empty.zip", {});
  EXPECT_EQ(facts.size, 22u);
  int error = 0;
  zip_t* za = zip_open(facts.path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
  ASSERT_NE(za, nullptr) << error;
  EXPECT_EQ(zip_get_num_entries(za, 0), 0);
  zip_close(za);
}

TEST(ZipWriter, UnwritableDestinationIsANamedError) {
  try {
    write_deterministic_zip("/proc/no-such-dir/x.zip", sample_entries());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/no-such-dir/x.zip"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ld::deploy
