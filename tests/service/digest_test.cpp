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

TEST(Digest, OutputIsReservedOnceAndNotRegrown) {
  std::vector<ld::test::ZipFile> files;
  for (int i = 0; i < 300; ++i) {
    files.push_back(
        {kTop + "src/dir" + std::to_string(i % 7) + "/file" + std::to_string(i) + ".cpp",
         std::string(1000 + static_cast<std::size_t>(i) * 37, 'a') + "\n"});
  }
  const std::string zip = build_zip(files);
  Zipball zipball(zip);
  const auto digest = build_digest(zipball, RepoFilter{}, "t");
  EXPECT_EQ(digest.stats.files_shown, 300u);
  // One reservation from the declared sizes: no doubling growth, little slack.
  EXPECT_LE(digest.markdown.capacity(), digest.markdown.size() + digest.markdown.size() / 10);
}

TEST(Digest, FenceGrowsPastBacktickRuns) {
  EXPECT_EQ(fence_for("plain"), "```");
  EXPECT_EQ(fence_for("a ``` b"), "````");
  EXPECT_EQ(fence_for("`````"), "``````");
}

}  // namespace
}  // namespace ld::service
