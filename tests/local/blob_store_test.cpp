#include "local/blob_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

namespace fs = std::filesystem;

std::string digest_of(std::string_view bytes) {
  return hex_encode(as_chars(sha256(bytes)));
}

std::size_t files_under(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

TEST(BlobStore, PutStoresUnderTheSha256WithATwoCharacterFolder) {
  test::TempDir dir("blobs");
  BlobStore store(dir.path());
  BlobRef ref = store.put("hello world");
  EXPECT_EQ(ref.digest, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  EXPECT_EQ(ref.size, 11u);
  fs::path expected = dir.path() / "blobs" / "b9" /
                      "4d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
  EXPECT_EQ(store.path_of(ref.digest), expected);
  EXPECT_TRUE(fs::exists(expected));
  EXPECT_TRUE(store.exists(ref.digest));
  EXPECT_EQ(store.read(ref.digest), "hello world");
  EXPECT_EQ(store.size_of(ref.digest), 11u);
  std::ifstream in = store.open(ref.digest);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "hello world");
}

TEST(BlobStore, SameContentIsStoredOnce) {
  test::TempDir dir("blobs");
  BlobStore store(dir.path());
  BlobRef a = store.put("same bytes");
  BlobRef b = store.put("same bytes");
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(files_under(store.root()), 1u);
  BlobRef empty = store.put("");
  EXPECT_EQ(empty.size, 0u);
  EXPECT_EQ(store.read(empty.digest), "");
}

TEST(BlobStore, PutFileStreamsALargeFile) {
  test::TempDir dir("blobs");
  BlobStore store(dir.path() / "data");
  std::string content;
  for (int i = 0; i < 300000; ++i) content += static_cast<char>('a' + (i * 7919) % 26);
  content += std::string(3 << 20, 'z');  // crosses several 1 MiB chunks
  fs::path source = dir.write("function.zip", content);
  BlobRef ref = store.put_file(source);
  EXPECT_EQ(ref.digest, digest_of(content));
  EXPECT_EQ(ref.size, content.size());
  EXPECT_EQ(store.read(ref.digest), content);
  EXPECT_EQ(store.put_file(source).digest, ref.digest);  // again: no second copy
  EXPECT_EQ(files_under(store.root()), 1u);
}

TEST(BlobStore, WriterBuildsABlobFromPiecesAndAbandonedWritersLeaveNothing) {
  test::TempDir dir("blobs");
  BlobStore store(dir.path());
  {
    BlobWriter w = store.writer();
    w.write("part one, ");
    // destroyed without commit
  }
  EXPECT_EQ(files_under(store.root()), 0u);
  BlobWriter w = store.writer();
  w.write("part one, ");
  w.write("part two");
  BlobRef ref = w.commit();
  EXPECT_EQ(ref.digest, digest_of("part one, part two"));
  EXPECT_EQ(ref.size, 18u);
  EXPECT_THROW(w.commit(), BlobError);
  EXPECT_THROW(w.write("more"), BlobError);
  EXPECT_EQ(files_under(store.root()), 1u);
}

TEST(BlobStore, RemoveDeletesOnlyThatBlob) {
  test::TempDir dir("blobs");
  BlobStore store(dir.path());
  BlobRef a = store.put("a");
  BlobRef b = store.put("b");
  EXPECT_TRUE(store.remove(a.digest));
  EXPECT_FALSE(store.remove(a.digest));
  EXPECT_FALSE(store.exists(a.digest));
  EXPECT_TRUE(store.exists(b.digest));
}

TEST(BlobStore, MissingBlobAndMalformedDigestAreClearErrors) {
  test::TempDir dir("blobs");
  BlobStore store(dir.path());
  std::string absent = digest_of("never stored");
  try {
    store.read(absent);
    FAIL() << "expected BlobError";
  } catch (const BlobError& e) {
    EXPECT_NE(std::string(e.what()).find(absent.substr(2)), std::string::npos) << e.what();
  }
  EXPECT_THROW(store.open(absent), BlobError);
  EXPECT_THROW(store.size_of(absent), BlobError);
  for (std::string bad : {std::string("../../etc/passwd"), std::string("abc"), std::string(64, 'G'),
                          absent.substr(0, 63) + "/"}) {
    try {
      store.exists(bad);
      FAIL() << "expected BlobError for " << bad;
    } catch (const BlobError& e) {
      EXPECT_NE(std::string(e.what()).find("not a blob digest"), std::string::npos);
    }
  }
}

TEST(BlobStore, OpeningSweepsTempFilesLeftByAnInterruptedPut) {
  test::TempDir dir("blobs");
  BlobRef kept;
  {
    BlobStore store(dir.path());
    kept = store.put("kept");
  }
  dir.write("blobs/tmp/put-123-0-42.tmp", "half a blob");
  dir.write("blobs/tmp/put-123-1-43.tmp", "");
  BlobStore store(dir.path());
  EXPECT_TRUE(fs::is_empty(dir.path() / "blobs" / "tmp"));
  EXPECT_EQ(store.read(kept.digest), "kept");
  EXPECT_EQ(store.sweep(), 0u);
}

TEST(BlobStore, ConcurrentPutsFromEightThreadsAllLand) {
  test::TempDir dir("blobs");
  BlobStore store(dir.path());
  std::vector<std::thread> threads;
  std::vector<std::vector<BlobRef>> refs(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        // half the content is shared between threads, half is unique
        std::string bytes = i % 2 == 0 ? "shared " + std::to_string(i)
                                       : "thread " + std::to_string(t) + " " + std::to_string(i);
        refs[static_cast<std::size_t>(t)].push_back(store.put(bytes));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& list : refs) {
    for (const auto& ref : list) EXPECT_EQ(digest_of(store.read(ref.digest)), ref.digest);
  }
  EXPECT_EQ(files_under(store.root()), 10u + 8u * 10u);
}

TEST(BlobStore, GarbageCollectionRemovesOnlyUnreferencedBlobs) {
  test::TempDir dir("blobs");
  BlobStore store(dir.path());
  BlobRef live = store.put("named by a record");
  BlobRef orphan = store.put("left by a crash before its record");
  std::vector<std::string> all = store.digests();
  std::vector<std::string> expected{live.digest, orphan.digest};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(all, expected);
  std::size_t removed =
      store.remove_unreferenced([&](std::string_view d) { return d == live.digest; });
  EXPECT_EQ(removed, 1u);
  EXPECT_TRUE(store.exists(live.digest));
  EXPECT_FALSE(store.exists(orphan.digest));
  EXPECT_EQ(store.digests(), std::vector<std::string>{live.digest});
}

}  // namespace
}  // namespace ld::local
