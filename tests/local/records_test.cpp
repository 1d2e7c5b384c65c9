#include "local/records.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

// A clock that moves one second per reading, from a fixed start.
NowFn ticking_clock() {
  auto t = std::make_shared<Timestamp>(Timestamp(std::chrono::milliseconds(1'700'000'000'000)));
  return [t] {
    *t += std::chrono::seconds(1);
    return *t;
  };
}

struct Store {
  explicit Store(const test::TempDir& dir)
      : db(Database::open(dir.path() / "local.db")), records(db, ticking_clock()) {}
  std::shared_ptr<Database> db;
  Records records;
};

std::vector<std::string> keys_of(const Page& page) {
  std::vector<std::string> keys;
  for (const auto& r : page.records) keys.push_back(r.key);
  return keys;
}

TEST(Records, PutThenGetReturnsTheDocumentWithRevisionAndTimes) {
  test::TempDir dir("records");
  Store s(dir);
  EXPECT_FALSE(s.records.get("lambda.function", "hello").has_value());
  Record first = s.records.put("lambda.function", "hello", {{"Runtime", "provided.al2023"}});
  EXPECT_GT(first.revision, 0);
  Record second = s.records.put("lambda.function", "hello", {{"Runtime", "provided.al2"}});
  EXPECT_GT(second.revision, first.revision);
  EXPECT_EQ(second.created, first.created);  // replace keeps the creation time
  EXPECT_GT(second.updated, first.updated);

  auto got = s.records.get("lambda.function", "hello");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->kind, "lambda.function");
  EXPECT_EQ(got->key, "hello");
  EXPECT_EQ(got->document, json({{"Runtime", "provided.al2"}}));
  EXPECT_EQ(got->revision, second.revision);
  EXPECT_EQ(got->created, first.created);
  EXPECT_EQ(got->updated, second.updated);
  // kinds are separate namespaces
  EXPECT_FALSE(s.records.get("s3.object", "hello").has_value());
}

TEST(Records, PutIfRevisionRejectsAStaleRevision) {
  test::TempDir dir("records");
  Store s(dir);
  WriteResult created = s.records.put_if_revision("lambda.function", "f", {{"v", 1}}, 0);
  ASSERT_TRUE(created);
  WriteResult again = s.records.put_if_revision("lambda.function", "f", {{"v", 9}}, 0);
  EXPECT_FALSE(again);  // create-only: it exists
  EXPECT_EQ(again.revision, created.revision);

  WriteResult updated =
      s.records.put_if_revision("lambda.function", "f", {{"v", 2}}, created.revision);
  ASSERT_TRUE(updated);
  EXPECT_GT(updated.revision, created.revision);

  WriteResult stale =
      s.records.put_if_revision("lambda.function", "f", {{"v", 3}}, created.revision);
  EXPECT_FALSE(stale.written);
  EXPECT_EQ(stale.revision, updated.revision);  // tells the caller what is there now
  EXPECT_EQ(s.records.get("lambda.function", "f")->document, json({{"v", 2}}));

  WriteResult missing = s.records.put_if_revision("lambda.function", "nope", {}, 5);
  EXPECT_FALSE(missing);
  EXPECT_EQ(missing.revision, 0);
}

TEST(Records, RevisionsNeverRepeatAfterDeleteAndRecreate) {
  test::TempDir dir("records");
  Store s(dir);
  Record a = s.records.put("k", "x", 1);
  EXPECT_TRUE(s.records.remove("k", "x"));
  Record b = s.records.put("k", "x", 1);
  EXPECT_GT(b.revision, a.revision);
  EXPECT_FALSE(s.records.put_if_revision("k", "x", 2, a.revision));
}

TEST(Records, RemoveAndRemoveIfRevision) {
  test::TempDir dir("records");
  Store s(dir);
  EXPECT_FALSE(s.records.remove("k", "absent"));
  Record r = s.records.put("k", "x", json::object());
  WriteResult wrong = s.records.remove_if_revision("k", "x", r.revision + 100);
  EXPECT_FALSE(wrong);
  EXPECT_EQ(wrong.revision, r.revision);
  EXPECT_TRUE(s.records.get("k", "x").has_value());
  EXPECT_TRUE(s.records.remove_if_revision("k", "x", r.revision));
  EXPECT_FALSE(s.records.get("k", "x").has_value());
  EXPECT_FALSE(s.records.remove_if_revision("k", "x", r.revision));
}

TEST(Records, ListPagesInKeyOrderWithPrefixMarkerAndLimit) {
  test::TempDir dir("records");
  Store s(dir);
  for (std::string key :
       {"bucket/c", "bucket/a", "bucket/b", "bucket/d", "bucket/e", "bucketz", "other/a"}) {
    s.records.put("s3.object", key, {{"key", key}});
  }
  s.records.put("s3.bucket", "bucket/zz", 1);  // another kind never shows up

  Page first = s.records.list("s3.object", {"bucket/", "", 2});
  EXPECT_EQ(keys_of(first), (std::vector<std::string>{"bucket/a", "bucket/b"}));
  ASSERT_TRUE(first.next_marker.has_value());
  EXPECT_EQ(*first.next_marker, "bucket/b");

  Page second = s.records.list("s3.object", {"bucket/", *first.next_marker, 2});
  EXPECT_EQ(keys_of(second), (std::vector<std::string>{"bucket/c", "bucket/d"}));
  Page third = s.records.list("s3.object", {"bucket/", *second.next_marker, 2});
  EXPECT_EQ(keys_of(third), (std::vector<std::string>{"bucket/e"}));
  EXPECT_FALSE(third.next_marker.has_value());

  Page exact = s.records.list("s3.object", {"bucket/", "", 5});
  EXPECT_EQ(exact.records.size(), 5u);
  EXPECT_FALSE(exact.next_marker.has_value());  // exactly full: no further page

  Page all = s.records.list("s3.object", {"", "", 0});
  EXPECT_EQ(keys_of(all), (std::vector<std::string>{"bucket/a", "bucket/b", "bucket/c", "bucket/d",
                                                    "bucket/e", "bucketz", "other/a"}));
  EXPECT_EQ(all.records[0].document, json({{"key", "bucket/a"}}));
  EXPECT_EQ(s.records.count("s3.object"), 7u);
  EXPECT_EQ(s.records.count("s3.object", "bucket/"), 5u);
  EXPECT_EQ(s.records.count("s3.nothing"), 0u);
  EXPECT_TRUE(s.records.list("s3.object", {"nomatch", "", 10}).records.empty());
}

TEST(Records, PrefixWithHighBytesStillBoundsTheRange) {
  test::TempDir dir("records");
  Store s(dir);
  std::string high = "a\xFF";
  s.records.put("k", high + "1", 1);
  s.records.put("k", high + "2", 2);
  s.records.put("k", "b", 3);
  EXPECT_EQ(s.records.count("k", high), 2u);
  EXPECT_EQ(s.records.list("k", {"\xFF", "", 0}).records.size(), 0u);
}

TEST(Records, TransactionCommitsAllOrNothing) {
  test::TempDir dir("records");
  Store s(dir);
  int revision_count = s.records.transaction([&](Records::Tx& tx) {
    tx.put("lambda.function", "f", {{"Version", "$LATEST"}});
    tx.put("lambda.version", "f:1", {{"Version", "1"}});
    EXPECT_TRUE(tx.get("lambda.version", "f:1").has_value());  // sees its own writes
    return static_cast<int>(tx.count("lambda.version"));
  });
  EXPECT_EQ(revision_count, 1);

  EXPECT_THROW(s.records.transaction([&](Records::Tx& tx) {
    tx.put("lambda.version", "f:2", {{"Version", "2"}});
    tx.remove("lambda.function", "f");
    throw std::runtime_error("publish failed");
  }),
               std::runtime_error);
  EXPECT_FALSE(s.records.get("lambda.version", "f:2").has_value());
  EXPECT_TRUE(s.records.get("lambda.function", "f").has_value());
  EXPECT_EQ(s.records.list("lambda.version").records.size(), 1u);
}

TEST(Records, WithinMixesRecordsAndTheCallersOwnTables) {
  test::TempDir dir("records");
  Store s(dir);
  s.db->migrate("logs", 1, "CREATE TABLE events (stream TEXT, message TEXT)");
  {
    Transaction t(*s.db);
    Records::Tx tx = s.records.within(t);
    tx.put("logs.stream", "/aws/lambda/f/1", json::object());
    tx.sql()
        .prepare("INSERT INTO events VALUES (?1, ?2)")
        .bind(1, "/aws/lambda/f/1")
        .bind(2, "START")
        .run();
    // not committed: both vanish
  }
  EXPECT_FALSE(s.records.get("logs.stream", "/aws/lambda/f/1").has_value());
  {
    Transaction t(*s.db);
    s.records.within(t).put("logs.stream", "/aws/lambda/f/1", json::object());
    t.prepare("INSERT INTO events VALUES ('/aws/lambda/f/1', 'START')").run();
    t.commit();
  }
  EXPECT_TRUE(s.records.get("logs.stream", "/aws/lambda/f/1").has_value());
  EXPECT_EQ(s.db->connect().query_text("SELECT count(*) FROM events"), "1");
}

TEST(Records, EmptyKindOrKeyIsAClearError) {
  test::TempDir dir("records");
  Store s(dir);
  try {
    s.records.put("lambda.function", "", 1);
    FAIL() << "expected an error";
  } catch (const ld::Error& e) {
    EXPECT_NE(std::string(e.what()).find("key must not be empty"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("lambda.function"), std::string::npos);
  }
  EXPECT_THROW(s.records.put("", "k", 1), ld::Error);
}

TEST(Records, ConcurrentOptimisticUpdatesFromEightThreadsLoseNothing) {
  test::TempDir dir("records");
  Store s(dir);
  s.records.put("counter", "c", {{"n", 0}});
  constexpr int kThreads = 8;
  constexpr int kIncrements = 25;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIncrements; ++i) {
        s.records.put("item", "t" + std::to_string(t) + "-" + std::to_string(i), {{"t", t}});
        for (;;) {  // read, modify, write-if-unchanged: Lambda's RevisionId pattern
          Record r = *s.records.get("counter", "c");
          json next = {{"n", r.document["n"].get<int>() + 1}};
          if (s.records.put_if_revision("counter", "c", next, r.revision)) break;
          ++conflicts;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(s.records.get("counter", "c")->document["n"], kThreads * kIncrements);
  EXPECT_EQ(s.records.count("item"), static_cast<std::size_t>(kThreads * kIncrements));
}

TEST(Records, ReopenKeepsRecordsAndTheRevisionCounter) {
  test::TempDir dir("records");
  std::int64_t last = 0;
  {
    Store s(dir);
    s.records.put("k", "a", {{"x", 1}});
    last = s.records.put("k", "b", {{"x", 2}}).revision;
  }
  Store s(dir);
  EXPECT_EQ(s.records.get("k", "b")->document, json({{"x", 2}}));
  EXPECT_EQ(s.records.count("k"), 2u);
  EXPECT_GT(s.records.put("k", "c", 3).revision, last);
}

}  // namespace
}  // namespace ld::local
