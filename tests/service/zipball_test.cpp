// Reading zipballs from memory: listing, stripping, sorting, text only, filters, protections.
#include "service/zipball.hpp"

#include <gtest/gtest.h>

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
