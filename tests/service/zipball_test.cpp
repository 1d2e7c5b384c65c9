// Reading zipballs from memory: listing, stripping, sorting, text only, filters, protections.
#include "service/zipball.hpp"

#include <gtest/gtest.h>
#include <libdeflate.h>

#include <cstring>
#include <random>

#include "service/file_kind.hpp"
#include "service/repo_filter.hpp"
#include "support/fake_github.hpp"

namespace ld::service {
namespace {

using ld::test::build_zip;
using ld::test::ZipFile;

const std::string kTop = "octo-hello-1a2b3c/";

std::string small_repo() {
  return build_zip({
      {kTop, "", true},
      {kTop + "src/", "", true},
      {kTop + "src/main.cpp", "int main() { return 0; }\n"},
      {kTop + "README.md", "# Hello\n"},
      {kTop + "src/util.py", "print('hi')\n"},
      {kTop + "logo.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10)},
      {kTop + "data.bin", std::string("ab\0cd", 5)},
      {kTop + "notes", "plain text without an extension\n"},
      {"pax_global_header", "52 comment=1a2b3c\n"},
  });
}

// Sets a 16- or 32-bit field of `name`'s central record (and of its local header when
// `local_at` is not 0), as a hostile or broken zip would have it.
void patch_entry(std::string& zip, std::string_view name, std::size_t central_at,
                 std::size_t local_at, std::uint32_t value, int width) {
  auto put = [&](std::size_t at) {
    for (int i = 0; i < width; ++i) zip[at + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
  };
  for (std::size_t at = 0; at + 46 <= zip.size(); ++at) {
    if (std::memcmp(zip.data() + at, "PK\x01\x02", 4) != 0) continue;
    const std::size_t name_length =
        static_cast<unsigned char>(zip[at + 28]) | (static_cast<unsigned char>(zip[at + 29]) << 8);
    if (std::string_view(zip.data() + at + 46, name_length) != name) continue;
    put(at + central_at);
    std::uint32_t local = 0;
    for (int i = 3; i >= 0; --i)
      local = (local << 8) | static_cast<unsigned char>(zip[at + 42 + i]);
    if (local_at != 0) put(local + local_at);
    return;
  }
  FAIL() << "no entry " << name;
}

// A zip whose entries are stored (method 0), written by hand.
std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  std::string central;
  auto put = [](std::string& to, std::uint32_t value, int width) {
    for (int i = 0; i < width; ++i) to.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  };
  for (const auto& [name, content] : files) {
    const auto offset = static_cast<std::uint32_t>(out.size());
    const auto crc = libdeflate_crc32(0, content.data(), content.size());
    const auto size = static_cast<std::uint32_t>(content.size());
    const auto name_size = static_cast<std::uint32_t>(name.size());
    out += "PK\x03\x04";
    put(out, 20, 2), put(out, 0, 2), put(out, 0, 2), put(out, 0, 4), put(out, crc, 4);
    put(out, size, 4), put(out, size, 4), put(out, name_size, 2), put(out, 0, 2);
    out += name + content;
    central += "PK\x01\x02";
    put(central, 20, 2), put(central, 20, 2), put(central, 0, 2), put(central, 0, 2);
    put(central, 0, 4), put(central, crc, 4), put(central, size, 4), put(central, size, 4);
    put(central, name_size, 2), put(central, 0, 4), put(central, 0, 4), put(central, 0, 4);
    put(central, offset, 4);
    central += name;
  }
  const auto offset = static_cast<std::uint32_t>(out.size());
  out += central;
  out += "PK\x05\x06";
  put(out, 0, 4), put(out, static_cast<std::uint32_t>(files.size()), 2);
  put(out, static_cast<std::uint32_t>(files.size()), 2);
  put(out, static_cast<std::uint32_t>(central.size()), 4), put(out, offset, 4), put(out, 0, 2);
  return out;
}

std::string read_error(const std::string& zip) {
  try {
    Zipball zipball(zip);
    std::string out = "kept";
    for (const auto& entry : zipball.files()) zipball.append_text(entry, out);
    EXPECT_EQ(out.substr(0, 4), "kept");
  } catch (const ZipballError& error) {
    return error.what();
  }
  return "";
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(Zipball, ListsFilesWithTheTopFolderStrippedAndSorted) {
  const std::string zip = small_repo();
  Zipball zipball(zip);
  EXPECT_EQ(zipball.names(), (std::vector<std::string>{"README.md", "data.bin", "logo.png", "notes",
                                                       "src/main.cpp", "src/util.py"}));
  EXPECT_TRUE(zipball.refused().empty());
}

TEST(Zipball, ReadsOnlyTextFiles) {
  const std::string zip = small_repo();
  Zipball zipball(zip);
  const auto files = zipball.text_files(RepoFilter{});
  std::vector<std::string> paths;
  for (const auto& [path, content] : files) paths.push_back(path);
  EXPECT_EQ(paths, (std::vector<std::string>{"README.md", "notes", "src/main.cpp", "src/util.py"}));
  EXPECT_EQ(files[2].second, "int main() { return 0; }\n");
}

TEST(Zipball, FiltersAsTheOriginal) {
  const std::string zip = small_repo();
  Zipball zipball(zip);
  RepoFilter filter;
  filter.filter_starts_with = "src";
  filter.filter_ends_with = ".py";
  auto files = zipball.text_files(filter);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].first, "src/util.py");

  RepoFilter contains;
  contains.filter_contains = "main";
  files = zipball.text_files(contains);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].first, "src/main.cpp");

  RepoFilter several;
  several.filter_ends_with = ".md,.py";
  EXPECT_EQ(zipball.text_files(several).size(), 2u);

  RepoFilter by_size;
  by_size.max_file_size_bytes = 12;
  files = zipball.text_files(by_size);
  ASSERT_EQ(files.size(), 2u);  // README.md (8 bytes), src/util.py (12 bytes)
  EXPECT_EQ(files[0].first, "README.md");
}

TEST(Zipball, RefusesEscapingAndAbsolutePaths) {
  const std::string zip = build_zip({
      {kTop + "ok.txt", "fine\n"},
      {"../evil.txt", "escape\n"},
      {kTop + "a/../../evil.txt", "escape\n"},
      {"/etc/passwd", "root\n"},
      {"C:/windows.txt", "drive\n"},
  });
  Zipball zipball(zip);
  EXPECT_EQ(zipball.names(), (std::vector<std::string>{"ok.txt"}));
  ASSERT_EQ(zipball.refused().size(), 4u);
  EXPECT_EQ(zipball.refused()[0].name, "../evil.txt");
  EXPECT_EQ(zipball.refused()[0].reason, "path escapes the folder ('..')");
  EXPECT_EQ(zipball.refused()[2].reason, "absolute path");
}

TEST(Zipball, NotAZipIsAClearError) {
  try {
    Zipball zipball("this is not a zip");
    FAIL() << "no error";
  } catch (const ZipballError& error) {
    EXPECT_NE(std::string(error.what()).find("not a zip archive"), std::string::npos);
  }
}

TEST(Zipball, EmptyBytesAreAnError) {
  EXPECT_THROW(Zipball(std::string_view{}), ZipballError);
}

TEST(Zipball, TooManyEntriesIsRefused) {
  std::vector<ZipFile> files;
  for (int i = 0; i < 20; ++i) files.push_back({kTop + "f" + std::to_string(i) + ".txt", "x"});
  const std::string zip = build_zip(files);
  ZipLimits limits;
  limits.max_entries = 10;
  EXPECT_THROW(Zipball(zip, limits), ZipballError);
}

TEST(Zipball, AHugeDeclaredSizeIsSkippedWithoutReading) {
  std::string zip =
      build_zip({{kTop + "bomb.txt", std::string(1000, 'a')}, {kTop + "ok.txt", "ok\n"}});
  ld::test::set_declared_size(zip, kTop + "bomb.txt", 0xFFFFFFF0u);
  Zipball zipball(zip);
  std::string out;
  EXPECT_EQ(zipball.append_text(zipball.files()[0], out), ReadOutcome::TooLarge);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(zipball.bytes_read(), 0u);
  const auto files = zipball.text_files(RepoFilter{});
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].first, "ok.txt");
}

TEST(Zipball, ReadingStopsWhenAnEntryPassesItsDeclaredSize) {
  std::string zip = build_zip({{kTop + "liar.txt", std::string(100000, 'a')}});
  ld::test::set_declared_size(zip, kTop + "liar.txt", 10);
  Zipball zipball(zip);
  std::string out = "kept";
  EXPECT_THROW(zipball.append_text(zipball.files()[0], out), ZipballError);
  EXPECT_EQ(out, "kept");
}

TEST(Zipball, TotalUncompressedBytesAreCapped) {
  std::vector<ZipFile> files;
  for (int i = 0; i < 5; ++i)
    files.push_back({kTop + "f" + std::to_string(i) + ".txt", std::string(1000, 'z')});
  const std::string zip = build_zip(files);
  ZipLimits limits;
  limits.max_total_bytes = 2500;
  Zipball zipball(zip, limits);
  try {
    zipball.text_files(RepoFilter{});
    FAIL() << "no error";
  } catch (const ZipballError& error) {
    EXPECT_NE(std::string(error.what()).find("more than 2500 bytes"), std::string::npos);
  }
  EXPECT_LE(zipball.bytes_read(), 2500u);
}

TEST(Zipball, PerFileLimitSkipsBigFiles) {
  const std::string zip =
      build_zip({{kTop + "big.txt", std::string(5000, 'b')}, {kTop + "small.txt", "s"}});
  ZipLimits limits;
  limits.max_file_bytes = 1000;
  Zipball zipball(zip, limits);
  const auto files = zipball.text_files(RepoFilter{});
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].first, "small.txt");
}

TEST(Zipball, ReadsStoredEntries) {
  const std::string zip =
      stored_zip({{kTop + "b.txt", "bravo\n"}, {kTop + "a.txt", "alpha\n"}, {kTop + "e.txt", ""}});
  Zipball zipball(zip);
  const auto files = zipball.text_files(RepoFilter{});
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0], (std::pair<std::string, std::string>{"a.txt", "alpha\n"}));
  EXPECT_EQ(files[1], (std::pair<std::string, std::string>{"b.txt", "bravo\n"}));
  EXPECT_EQ(files[2], (std::pair<std::string, std::string>{"e.txt", ""}));
}

TEST(Zipball, ReadsDeflatedEntriesOfEverySize) {
  std::vector<ZipFile> files;
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "line " + std::to_string(i * 7919 % 1000) + " of text\n";
  files.push_back({kTop + "big.txt", text});
  files.push_back({kTop + "one.txt", "1"});
  const std::string zip = build_zip(files);
  Zipball zipball(zip);
  const auto read = zipball.text_files(RepoFilter{});
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].second, text);
  EXPECT_EQ(read[1].second, "1");
  EXPECT_EQ(zipball.bytes_read(), text.size() + 1);
}

TEST(Zipball, AnUnsupportedMethodIsAClearError) {
  std::string zip = build_zip({{kTop + "a.txt", std::string(100, 'a')}});
  patch_entry(zip, kTop + "a.txt", 10, 8, 12, 2);  // bzip2
  const std::string error = read_error(zip);
  EXPECT_TRUE(contains(error, "'a.txt'")) << error;
  EXPECT_TRUE(contains(error, "compression method 12 is not supported")) << error;
}

TEST(Zipball, AnEncryptedEntryIsAClearError) {
  std::string zip = build_zip({{kTop + "a.txt", std::string(100, 'a')}});
  patch_entry(zip, kTop + "a.txt", 8, 6, 1, 2);
  const std::string error = read_error(zip);
  EXPECT_TRUE(contains(error, "'a.txt'")) << error;
  EXPECT_TRUE(contains(error, "encrypted")) << error;
}

TEST(Zipball, ACrcMismatchIsAClearError) {
  for (const bool stored : {false, true}) {
    std::string zip = stored ? stored_zip({{kTop + "a.txt", "alpha\n"}})
                             : build_zip({{kTop + "a.txt", std::string(100, 'a')}});
    patch_entry(zip, kTop + "a.txt", 16, 0, 0x12345678u, 4);
    const std::string error = read_error(zip);
    EXPECT_TRUE(contains(error, "'a.txt'")) << error;
    EXPECT_TRUE(contains(error, "CRC-32 mismatch")) << error;
  }
}

TEST(Zipball, AnEntrySmallerThanDeclaredIsAClearError) {
  std::string zip = build_zip({{kTop + "a.txt", std::string(1000, 'a')}});
  ld::test::set_declared_size(zip, kTop + "a.txt", 2000);
  const std::string error = read_error(zip);
  EXPECT_TRUE(contains(error, "smaller (1000 bytes) than its declared 2000 bytes")) << error;
}

TEST(Zipball, ABombIsSkippedByItsDeclaredSizeWithoutInflating) {
  // 12 MB of zeros (above the 8 MB per-file limit) deflate to about 12 KB.
  const std::string zip =
      build_zip({{kTop + "zeros.txt", std::string(12u << 20, '\0')}, {kTop + "ok.txt", "ok\n"}});
  ASSERT_LT(zip.size(), 1u << 20);
  Zipball zipball(zip);
  std::string out;
  EXPECT_EQ(zipball.append_text(zipball.files()[1], out), ReadOutcome::TooLarge);
  EXPECT_EQ(zipball.bytes_read(), 0u);
  ZipLimits total;
  total.max_file_bytes = 128u << 20;
  total.max_total_bytes = 1u << 20;
  Zipball capped(zip, total);
  EXPECT_THROW(capped.append_text(capped.files()[1], out), ZipballError);
  EXPECT_EQ(capped.bytes_read(), 0u);
  EXPECT_TRUE(out.empty());
}

TEST(Zipball, BackslashAndDriveLetterNamesAreRefused) {
  const std::string zip = stored_zip({{kTop + "ok.txt", "fine\n"},
                                      {"top\\..\\evil.txt", "escape\n"},
                                      {std::string("top/nul\0.txt", 12), "nul\n"}});
  Zipball zipball(zip);
  EXPECT_EQ(zipball.names(), (std::vector<std::string>{"ok.txt"}));
  ASSERT_EQ(zipball.refused().size(), 2u);
  EXPECT_EQ(zipball.refused()[0].reason, "backslash in path");
  EXPECT_EQ(zipball.refused()[1].reason, "NUL in path");
}

TEST(Zipball, AnHtmlErrorPageIsAClearError) {
  const std::string error = read_error("<!DOCTYPE html><html><body>Rate limit</body></html>");
  EXPECT_TRUE(contains(error, "not a zip archive")) << error;
}

TEST(Zipball, EveryTruncationGivesAResultOrAnError) {
  for (const std::string& full :
       {small_repo(), stored_zip({{kTop + "a.txt", "alpha\n"}, {kTop + "b.md", "# b\n"}})}) {
    for (std::size_t length = 0; length < full.size(); ++length) {
      const std::string cut = full.substr(0, length);
      EXPECT_FALSE(read_error(cut).empty()) << "length " << length;
    }
  }
}

TEST(Zipball, RandomByteFlipsGiveAResultOrAnError) {
  const std::string full = small_repo();
  std::mt19937 random(20261127);
  std::size_t errors = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string zip = full;
    const int flips = 1 + static_cast<int>(random() % 3);
    for (int i = 0; i < flips; ++i) {
      zip[random() % zip.size()] ^= static_cast<char>(1 + random() % 255);
    }
    try {
      Zipball zipball(zip);
      zipball.text_files(RepoFilter{});
    } catch (const ZipballError&) {
      ++errors;
    }
  }
  EXPECT_GT(errors, 0u);
}

TEST(FileKind, NamesAndContent) {
  EXPECT_EQ(kind_of_name("src/a.CPP"), NameKind::Text);
  EXPECT_EQ(kind_of_name("Makefile"), NameKind::Text);
  EXPECT_EQ(kind_of_name("img/a.png"), NameKind::Binary);
  EXPECT_EQ(kind_of_name("weird.xyz"), NameKind::Unknown);
  EXPECT_TRUE(is_text_content("héllo ✓ 🎉\n"));
  EXPECT_FALSE(is_text_content(std::string("a\0b", 3)));
  EXPECT_FALSE(is_text_content("\xff\xfe"));
  EXPECT_FALSE(is_text_content("\xc0\xaf"));      // overlong
  EXPECT_FALSE(is_text_content("abc\xe2\x9c"));   // cut sequence
  EXPECT_FALSE(is_text_content("\xed\xa0\x80"));  // surrogate
  EXPECT_EQ(utf8_prefix_length("a✓b", 2), 1u);    // does not cut the check mark
  EXPECT_EQ(utf8_prefix_length("a✓b", 4), 4u);
  EXPECT_EQ(language_of("x/y.py"), "python");
  EXPECT_EQ(language_of("x/y.hpp"), "cpp");
  EXPECT_EQ(language_of("Dockerfile"), "dockerfile");
  EXPECT_EQ(language_of("notes"), "");
}

TEST(RepoFilterTest, GlobsAndExclusions) {
  EXPECT_TRUE(glob_match("src/*.cpp", "src/a.cpp"));
  EXPECT_FALSE(glob_match("src/*.cpp", "src/x/a.cpp"));
  EXPECT_TRUE(glob_match("src/**/*.cpp", "src/a.cpp"));
  EXPECT_TRUE(glob_match("src/**/*.cpp", "src/x/y/a.cpp"));
  EXPECT_TRUE(glob_match("**/test_?.py", "a/b/test_1.py"));
  EXPECT_FALSE(glob_match("*.md", "docs/a.md"));
  RepoFilter filter;
  filter.include_patterns = {"**/*.py", "*.md"};
  filter.exclude_patterns = {"tests/**"};
  filter.filter_exclude_prefixes = {"vendor/"};
  EXPECT_TRUE(filter.matches("a/b.py"));
  EXPECT_TRUE(filter.matches("README.md"));
  EXPECT_FALSE(filter.matches("tests/b.py"));
  EXPECT_FALSE(filter.matches("vendor/b.py"));
  EXPECT_FALSE(filter.matches("a/b.cpp"));
}

TEST(RepoFilterTest, FromJsonWithTheOriginalNames) {
  const auto filter = repo_filter_from_json(nlohmann::json::parse(R"({
      "owner": "octo", "name": "hello", "ref": "dev",
      "filter_starts_with": "src", "filter_ends_with": ".py",
      "filter_exclude_suffixes": ["_test.py"], "max_file_size_bytes": 1000,
      "max_content_length": 50, "truncate_patterns": ["big"], "hide_file_contents": true})"));
  EXPECT_EQ(filter.repo.ref, "dev");
  EXPECT_EQ(filter.filter_starts_with, "src");
  EXPECT_EQ(filter.filter_exclude_suffixes, std::vector<std::string>{"_test.py"});
  EXPECT_EQ(filter.max_file_size_bytes, 1000u);
  EXPECT_TRUE(filter.truncates("a/big.py"));
  EXPECT_FALSE(filter.truncates("a/small.py"));
  EXPECT_TRUE(filter.hide_file_contents);
  try {
    repo_filter_from_json(nlohmann::json::parse(R"({"max_file_size_bytes": "ten"})"));
    FAIL() << "no error";
  } catch (const ld::Error& error) {
    EXPECT_NE(std::string(error.what()).find("max_file_size_bytes"), std::string::npos);
  }
}

}  // namespace
}  // namespace ld::service
