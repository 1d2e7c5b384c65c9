// The Markdown digest: exact output for a small repository, limits, truncation, tree only.
#include "service/digest.hpp"

#include <gtest/gtest.h>

#include "support/fake_github.hpp"

namespace ld::service {
namespace {

using ld::test::build_zip;

const std::string kTop = "octo-hello-1a2b3c/";

std::string small_repo() {
  return build_zip({
      {kTop + "src/main.cpp", "int main() { return 0; }\n"},
      {kTop + "README.md", "# Hello\n\n```sh\nmake\n```\n"},
      {kTop + "src/lib/util.py", "print('hi')"},
      {kTop + "logo.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10)},
  });
}

RepoFilter filter_for_small_repo() {
  RepoFilter filter;
  filter.repo = {"octo", "hello", "main"};
  return filter;
}

const char* const kHeader =
    "# Files from Repo\n"
    "\n"
    " - owner: octo\n"
    " - name: hello\n"
    " - ref: main\n"
    "\n"
    "created at: 2026-01-02T03:04:05Z\n"
    "\n"
    "## Filtered by:\n"
    " - starts_with    : (any)\n"
    " - contains       : (any)\n"
    " - ends_with      : (any)\n"
    " - starts_with_any: (not set)\n"
    " - include        : (any)\n"
    " - exclude        : (none)\n"
    "\n"
    "## Exclusions:\n"
    "   (none)\n"
    "\n"
    "## Size Controls:\n"
    "   (none)\n";

TEST(Digest, ExactMarkdownForASmallRepository) {
  const std::string zip = small_repo();
  Zipball zipball(zip);
  const auto digest = build_digest(zipball, filter_for_small_repo(), "2026-01-02T03:04:05Z");
  const std::string expected = std::string(kHeader) +
                               "\n"
                               "## Files:\n"
                               "\n"
                               "Showing 3 files that matched the filter(s)\n"
                               "Left out: 1 binary\n"
                               "\n"
                               "```text\n"
                               "README.md\n"
                               "src/\n"
                               "  lib/\n"
                               "    util.py\n"
                               "  main.cpp\n"
                               "```\n"
                               "\n"
                               "### README.md\n"
                               "\n"
                               "````markdown\n"
                               "# Hello\n"
                               "\n"
                               "```sh\n"
                               "make\n"
                               "```\n"
                               "````\n"
                               "\n"
                               "### src/lib/util.py\n"
                               "\n"
                               "```python\n"
                               "print('hi')\n"
                               "```\n"
                               "\n"
                               "### src/main.cpp\n"
                               "\n"
                               "```cpp\n"
                               "int main() { return 0; }\n"
                               "```\n";
  EXPECT_EQ(digest.markdown, expected);
  EXPECT_EQ(digest.stats.files_shown, 3u);
  EXPECT_EQ(digest.stats.binary_skipped, 1u);
}

TEST(Digest, HideFileContentsGivesTheTreeOnly) {
  const std::string zip = small_repo();
  Zipball zipball(zip);
  auto filter = filter_for_small_repo();
  filter.hide_file_contents = true;
  filter.filter_starts_with = "src/";
  const auto digest = build_digest(zipball, filter, "t");
  const auto files_at = digest.markdown.find("## Files:");
  ASSERT_NE(files_at, std::string::npos);
  EXPECT_EQ(digest.markdown.substr(files_at),
            "## Files:\n\nShowing 2 files that matched the filter(s)\n\n```text\nsrc/\n  lib/\n"
            "    util.py\n  main.cpp\n```\n");
  EXPECT_NE(digest.markdown.find(" - starts_with    : src/\n"), std::string::npos);
}

TEST(Digest, PerFileTruncationSaysWhereItCut) {
  const std::string zip =
      build_zip({{kTop + "big.txt", std::string(100, 'x') + "\n"}, {kTop + "small.txt", "tiny\n"}});
  Zipball zipball(zip);
  RepoFilter filter;
  filter.repo = {"octo", "hello", "main"};
  filter.max_content_length = 10;
  const auto digest = build_digest(zipball, filter, "t");
  EXPECT_NE(digest.markdown.find(
                "### big.txt\n\n```\nxxxxxxxxxx\n```\n… truncated (10 of 101 bytes shown)\n"),
            std::string::npos)
      << digest.markdown;
  EXPECT_NE(digest.markdown.find("### small.txt\n\n```\ntiny\n```\n"), std::string::npos);
  EXPECT_EQ(digest.stats.files_truncated, 1u);
  EXPECT_NE(digest.markdown.find("   - max_content    : 10 bytes (applies to: all files)\n"),
            std::string::npos);
}

TEST(Digest, TruncationNeverCutsAUtf8Character) {
  const std::string zip = build_zip({{kTop + "u.txt", "ab✓cd"}});
  Zipball zipball(zip);
  RepoFilter filter;
  filter.max_content_length = 3;  // would cut the 3-byte check mark
  const auto digest = build_digest(zipball, filter, "t");
  EXPECT_NE(digest.markdown.find("```\nab\n```\n… truncated (2 of 7 bytes shown)\n"),
            std::string::npos)
      << digest.markdown;
}

TEST(Digest, TotalLimitStopsAndCountsTheRest) {
  std::vector<ld::test::ZipFile> files;
  for (int i = 0; i < 5; ++i)
    files.push_back({kTop + "f" + std::to_string(i) + ".txt", std::string(40, 'a')});
  const std::string zip = build_zip(files);
  Zipball zipball(zip);
  RepoFilter filter;
  filter.max_total_bytes = 100;
  const auto digest = build_digest(zipball, filter, "t");
  EXPECT_EQ(digest.stats.files_shown, 3u);  // 40 + 40 + 20 (cut)
  EXPECT_EQ(digest.stats.files_truncated, 1u);
  EXPECT_EQ(digest.stats.not_shown, 2u);
  EXPECT_EQ(digest.stats.content_bytes, 100u);
  EXPECT_NE(
      digest.markdown.find("… truncated: the total size limit of 100 bytes was reached; 2 more "
                           "files not shown\n"),
      std::string::npos)
      << digest.markdown;
  EXPECT_EQ(digest.markdown.find("### f3.txt"), std::string::npos);
}

TEST(Digest, MaxFileSizeSkipsLargeFiles) {
  const std::string zip =
      build_zip({{kTop + "big.txt", std::string(500, 'x')}, {kTop + "ok.txt", "ok"}});
  Zipball zipball(zip);
  RepoFilter filter;
  filter.max_file_size_bytes = 100;
  const auto digest = build_digest(zipball, filter, "t");
  EXPECT_EQ(digest.stats.too_large_skipped, 1u);
  EXPECT_EQ(digest.markdown.find("big.txt"), std::string::npos);
  EXPECT_NE(digest.markdown.find("Left out: 1 too large\n"), std::string::npos);
}

TEST(Digest, IncludeAndExcludePatterns) {
  const std::string zip = small_repo();
  Zipball zipball(zip);
  RepoFilter filter;
  filter.include_patterns = {"src/**"};
  filter.exclude_patterns = {"**/*.py"};
  const auto digest = build_digest(zipball, filter, "t");
  EXPECT_EQ(digest.stats.files_shown, 1u);
  EXPECT_NE(digest.markdown.find("### src/main.cpp"), std::string::npos);
  EXPECT_NE(digest.markdown.find(" - include        : src/**\n"), std::string::npos);
}

TEST(Digest, WrittenAsTheHeadThenOneFileAtATime) {
  std::vector<ld::test::ZipFile> files;
  for (int i = 0; i < 50; ++i) {
    files.push_back({kTop + "src/file" + std::to_string(i) + ".cpp",
                     std::string(1000 + static_cast<std::size_t>(i) * 37, 'a') + "\n"});
  }
  const std::string zip = build_zip(files);
  Zipball zipball(zip);
  DigestWriter writer(zipball, RepoFilter{}, "t");
  EXPECT_EQ(writer.stats().files_shown, 50u);  // decided before anything is written
  std::string piece, whole;
  std::size_t pieces = 0, largest = 0;
  while (true) {
    piece.clear();
    if (!writer.next(piece)) break;
    ++pieces;
    if (pieces > 1) largest = std::max(largest, piece.size());
    whole += piece;
  }
  EXPECT_TRUE(piece.empty());
  EXPECT_EQ(pieces, 51u);
  EXPECT_LT(largest, 1000u + 49u * 37u + 100u);  // one file's section, never more
  Zipball again(zip);
  EXPECT_EQ(whole, build_digest(again, RepoFilter{}, "t").markdown);
}

TEST(Digest, FilesNamedNeitherTextNorBinaryAreReadToDecide) {
  const std::string zip = build_zip({{kTop + "blob", std::string("\x01\x02\0\x03", 4)},
                                     {kTop + "notes", "plain words\n"},
                                     {kTop + "ok.txt", "ok\n"}});
  Zipball zipball(zip);
  const auto digest = build_digest(zipball, RepoFilter{}, "t");
  EXPECT_EQ(digest.stats.files_shown, 2u);
  EXPECT_EQ(digest.stats.binary_skipped, 1u);
  EXPECT_EQ(digest.markdown.find("blob"), std::string::npos);
  EXPECT_NE(digest.markdown.find("### notes\n\n```\nplain words\n```\n"), std::string::npos)
      << digest.markdown;
}

TEST(Digest, AFileNamedLikeTextThatIsNotTextKeepsItsPlaceWithANote) {
  const std::string zip = build_zip({{kTop + "a.txt", "fine\n"},
                                     {kTop + "utf16.txt", std::string("h\0i\0", 4)},
                                     {kTop + "z.txt", "last\n"}});
  Zipball zipball(zip);
  const auto digest = build_digest(zipball, RepoFilter{}, "t");
  EXPECT_NE(digest.markdown.find("```text\na.txt\nutf16.txt\nz.txt\n```\n"), std::string::npos)
      << digest.markdown;
  EXPECT_NE(digest.markdown.find(
                "### utf16.txt\n\n(not shown: the content is not UTF-8 text)\n\n### z.txt\n"),
            std::string::npos)
      << digest.markdown;
  EXPECT_EQ(digest.stats.shown_not_text, 1u);
}

TEST(Digest, ACorruptFileStopsTheDigestWithAZipballError) {
  std::string text;
  for (int i = 0; i < 400; ++i) text += "line " + std::to_string(i * 7919 % 1000) + "\n";
  std::string zip = build_zip({{kTop + "a.txt", text}});
  // The first local header's data starts after its 30 fixed bytes, the name and the extra field.
  ASSERT_EQ(zip.compare(0, 4, "PK\x03\x04"), 0);
  const auto u16 = [&](std::size_t at) {
    return static_cast<std::size_t>(static_cast<unsigned char>(zip[at])) |
           static_cast<std::size_t>(static_cast<unsigned char>(zip[at + 1])) << 8;
  };
  const std::size_t data = 30 + u16(26) + u16(28);
  zip[data + 40] = static_cast<char>(zip[data + 40] ^ 0x55);
  Zipball zipball(zip);
  DigestWriter writer(zipball, RepoFilter{}, "t");
  std::string out;
  EXPECT_TRUE(writer.next(out));  // the head: decided from names and sizes alone
  EXPECT_THROW(writer.next(out), ZipballError);
}

TEST(Digest, FenceGrowsPastBacktickRuns) {
  EXPECT_EQ(fence_for("plain"), "```");
  EXPECT_EQ(fence_for("a ``` b"), "````");
  EXPECT_EQ(fence_for("`````"), "``````");
}

}  // namespace
}  // namespace ld::service
