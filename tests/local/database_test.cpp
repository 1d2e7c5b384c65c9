#include "local/database.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

std::shared_ptr<Database> open_with_table(const test::TempDir& dir, DatabaseOptions options = {}) {
  auto db = Database::open(dir.path() / "state" / "local.db", options);
  db->migrate("test", 1, "CREATE TABLE items (name TEXT PRIMARY KEY, n INTEGER, data BLOB)");
  return db;
}

std::int64_t count_items(Database& db) {
  Connection c = db.connect();
  Statement s = c.prepare("SELECT count(*) FROM items");
  s.step();
  return s.column_int64(0);
}

TEST(Database, OpensInWalModeWithForeignKeysAndMakesItsFolder) {
  test::TempDir dir("db");
  auto db = Database::open(dir.path() / "a" / "b" / "local.db");
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "a" / "b" / "local.db"));
  Connection c = db->connect();
  EXPECT_EQ(c.query_text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(c.query_text("PRAGMA foreign_keys"), "1");
  EXPECT_EQ(c.query_text("PRAGMA synchronous"), "1");  // NORMAL
}

TEST(Database, PowerLossDurabilityUsesSynchronousFull) {
  test::TempDir dir("db");
  auto db = Database::open(dir.path() / "local.db", {Durability::PowerLoss, 5000});
  Connection c = db->connect();
  EXPECT_EQ(c.query_text("PRAGMA synchronous"), "2");  // FULL
}

TEST(Database, StatementsBindByIndexAndNameAndReadTypedColumns) {
  test::TempDir dir("db");
  auto db = open_with_table(dir);
  {
    Transaction tx(*db);
    tx.prepare("INSERT INTO items (name, n, data) VALUES (?1, ?2, ?3)")
        .bind(1, "one")
        .bind(2, std::int64_t{1} << 40)
        .bind_blob(3, std::string("a\0b", 3))
        .run();
    tx.prepare("INSERT INTO items (name, n, data) VALUES (:name, :n, :data)")
        .bind(":name", std::string("two"))
        .bind(":n", 2)
        .bind(":data", nullptr)
        .run();
    tx.commit();
  }
  Connection c = db->connect();
  Statement s = c.prepare("SELECT name, n, data, n / 4.0 FROM items ORDER BY name");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_count(), 4);
  EXPECT_EQ(s.column_text(0), "one");
  EXPECT_EQ(s.column_int64(1), std::int64_t{1} << 40);
  EXPECT_EQ(s.column_blob(2), std::string("a\0b", 3));
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.column_text(0), "two");
  EXPECT_TRUE(s.is_null(2));
  EXPECT_DOUBLE_EQ(s.column_double(3), 0.5);
  EXPECT_FALSE(s.step());
}

TEST(Database, StatementCanBeResetAndRunAgain) {
  test::TempDir dir("db");
  auto db = open_with_table(dir);
  Transaction tx(*db);
  Statement insert = tx.prepare("INSERT INTO items (name, n) VALUES (?1, ?2)");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(insert.bind(1, "item" + std::to_string(i)).bind(2, i).run(), 1);
    insert.reset();
  }
  tx.commit();
  EXPECT_EQ(count_items(*db), 5);
}

TEST(Database, SameSqlTwiceAtOnceGivesTwoIndependentStatements) {
  test::TempDir dir("db");
  auto db = open_with_table(dir);
  {
    Transaction tx(*db);
    tx.exec("INSERT INTO items (name, n) VALUES ('a', 1), ('b', 2)");
    tx.commit();
  }
  Connection c = db->connect();
  Statement outer = c.prepare("SELECT n FROM items ORDER BY name");
  Statement inner = c.prepare("SELECT n FROM items ORDER BY name");
  ASSERT_TRUE(outer.step());
  ASSERT_TRUE(inner.step());
  ASSERT_TRUE(inner.step());
  EXPECT_EQ(outer.column_int64(0), 1);
  EXPECT_EQ(inner.column_int64(0), 2);
}

TEST(Database, BadSqlGivesAnErrorNamingTheSql) {
  test::TempDir dir("db");
  auto db = open_with_table(dir);
  Connection c = db->connect();
  try {
    c.prepare("SELEKT name FROM items");
    FAIL() << "expected a DatabaseError";
  } catch (const DatabaseError& e) {
    EXPECT_EQ(e.sql(), "SELEKT name FROM items");
    EXPECT_NE(std::string(e.what()).find("SELEKT name FROM items"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
  }
  try {
    c.exec("CREATE TABLE items (x)");
    FAIL() << "expected a DatabaseError";
  } catch (const DatabaseError& e) {
    EXPECT_NE(std::string(e.what()).find("already exists"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("CREATE TABLE items (x)"), std::string::npos);
  }
  EXPECT_THROW(c.prepare("SELECT 1; SELECT 2"), DatabaseError);
  Statement s = c.prepare("SELECT :a");
  EXPECT_THROW(s.bind(":nope", 1), DatabaseError);
}

TEST(Database, ConstraintViolationOnStepNamesTheSql) {
  test::TempDir dir("db");
  auto db = open_with_table(dir);
  Transaction tx(*db);
  tx.exec("INSERT INTO items (name) VALUES ('dup')");
  try {
    tx.prepare("INSERT INTO items (name) VALUES ('dup')").run();
    FAIL() << "expected a DatabaseError";
  } catch (const DatabaseError& e) {
    EXPECT_NE(std::string(e.what()).find("UNIQUE constraint failed"), std::string::npos);
    EXPECT_EQ(e.sql(), "INSERT INTO items (name) VALUES ('dup')");
  }
}

TEST(Database, TransactionCommitsOrRollsBackOnException) {
  test::TempDir dir("db");
  auto db = open_with_table(dir);
  {
    Transaction tx(*db);
    tx.exec("INSERT INTO items (name) VALUES ('kept')");
    tx.commit();
  }
  try {
    Transaction tx(*db);
    tx.exec("INSERT INTO items (name) VALUES ('lost')");
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  {
    Transaction tx(*db);
    tx.exec("INSERT INTO items (name) VALUES ('rolled back')");
    tx.rollback();
  }
  Connection c = db->connect();
  EXPECT_EQ(c.query_text("SELECT group_concat(name) FROM items"), "kept");
}

TEST(Database, NestedTransactionOnOneThreadIsRefusedNotDeadlocked) {
  test::TempDir dir("db");
  auto db = open_with_table(dir);
  Transaction outer(*db);
  try {
    Transaction inner(*db);
    FAIL() << "expected a DatabaseError";
  } catch (const DatabaseError& e) {
    EXPECT_NE(std::string(e.what()).find("do not nest"), std::string::npos) << e.what();
  }
  outer.exec("INSERT INTO items (name) VALUES ('still usable')");
  outer.commit();
  EXPECT_THROW(outer.exec("SELECT 1"), DatabaseError);  // finished: no statements outside it
  Transaction after(*db);  // the thread may open a new one once the first is finished
  after.commit();
  EXPECT_EQ(count_items(*db), 1);
}

TEST(Database, ReadersSeeOnlyCommittedData) {
  test::TempDir dir("db");
  auto db = open_with_table(dir);
  Transaction tx(*db);
  tx.exec("INSERT INTO items (name) VALUES ('pending')");
  EXPECT_EQ(tx.connection().query_text("SELECT count(*) FROM items"), "1");
  EXPECT_EQ(count_items(*db), 0);  // another connection, not blocked by the writer
  tx.commit();
  EXPECT_EQ(count_items(*db), 1);
}

TEST(Database, MigrationsRunOncePerComponentAndVersion) {
  test::TempDir dir("db");
  auto path = dir.path() / "local.db";
  {
    auto db = Database::open(path);
    EXPECT_EQ(db->schema_version("lambda"), 0);
    EXPECT_TRUE(db->migrate("lambda", 1, "CREATE TABLE functions (name TEXT PRIMARY KEY);"));
    EXPECT_FALSE(db->migrate("lambda", 1, "CREATE TABLE functions (name TEXT PRIMARY KEY);"));
    EXPECT_TRUE(db->migrate("lambda", 2,
                            "ALTER TABLE functions ADD COLUMN arn TEXT;"
                            "CREATE INDEX functions_arn ON functions (arn);"));
    EXPECT_TRUE(db->migrate("s3", 1, "CREATE TABLE buckets (name TEXT PRIMARY KEY)"));
    EXPECT_EQ(db->schema_version("lambda"), 2);
  }
  auto db = Database::open(path);  // a restart runs nothing again
  EXPECT_FALSE(db->migrate("lambda", 1, "CREATE TABLE functions (name TEXT PRIMARY KEY);"));
  EXPECT_FALSE(db->migrate("lambda", 2, "ALTER TABLE functions ADD COLUMN arn TEXT;"));
  EXPECT_FALSE(db->migrate("s3", 1, "CREATE TABLE buckets (name TEXT PRIMARY KEY)"));
  EXPECT_EQ(db->schema_version("lambda"), 2);
  EXPECT_EQ(db->schema_version("s3"), 1);
}

TEST(Database, FailedMigrationLeavesNothingBehindAndNamesTheSql) {
  test::TempDir dir("db");
  auto db = Database::open(dir.path() / "local.db");
  try {
    db->migrate("broken", 1, "CREATE TABLE half (x); CREATE TABLE half (y);");
    FAIL() << "expected a DatabaseError";
  } catch (const DatabaseError& e) {
    EXPECT_NE(e.sql().find("CREATE TABLE half (y)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(db->schema_version("broken"), 0);
  EXPECT_TRUE(db->migrate("broken", 1, "CREATE TABLE half (x);"));
}

TEST(Database, ConcurrentWritersFromEightThreadsAllLand) {
  test::TempDir dir("db");
  auto db = open_with_table(dir);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kPerThread; ++i) {
          Transaction tx(*db);
          tx.prepare("INSERT INTO items (name, n) VALUES (?1, ?2)")
              .bind(1, "t" + std::to_string(t) + "-" + std::to_string(i))
              .bind(2, i)
              .run();
          tx.commit();
          // and a read on a connection of this thread's own, concurrently with writers
          Connection c = db->connect();
          Statement s = c.prepare("SELECT count(*) FROM items");
          s.step();
          if (s.column_int64(0) < i + 1) ++failures;
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count_items(*db), kThreads * kPerThread);
}

TEST(Database, ReopenAfterCloseKeepsEverything) {
  test::TempDir dir("db");
  {
    auto db = open_with_table(dir);
    Transaction tx(*db);
    tx.exec("INSERT INTO items (name, n) VALUES ('persisted', 42)");
    tx.commit();
  }
  auto db = open_with_table(dir);
  Connection c = db->connect();
  EXPECT_EQ(c.query_text("SELECT n FROM items WHERE name = 'persisted'"), "42");
  EXPECT_EQ(c.query_text("PRAGMA integrity_check"), "ok");
}

TEST(Database, OpenOfAnUnusablePathNamesIt) {
  test::TempDir dir("db");
  dir.write("file", "not a folder");
  try {
    Database::open(dir.path() / "file" / "local.db");
    FAIL() << "expected an error";
  } catch (const ld::Error& e) {
    EXPECT_NE(std::string(e.what()).find("file"), std::string::npos) << e.what();
  }
}

// Single-thread commit cost for both durability levels. Prints the rate; set
// LD_COMMIT_RATE_N=5000 for a steadier measurement.
TEST(Database, CommitRate) {
  int n = 200;
  if (const char* env = std::getenv("LD_COMMIT_RATE_N")) n = std::atoi(env);
  for (Durability d : {Durability::Process, Durability::PowerLoss}) {
    test::TempDir dir("db");
    auto db = open_with_table(dir, {d, 5000});
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      Transaction tx(*db);
      tx.prepare("INSERT INTO items (name, n) VALUES (?1, ?2)")
          .bind(1, "k" + std::to_string(i))
          .bind(2, i)
          .run();
      tx.commit();
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("[ rate     ] %s: %d commits in %.3f s = %.0f commits/s\n",
                d == Durability::Process ? "synchronous=NORMAL" : "synchronous=FULL  ", n, seconds,
                n / seconds);
    EXPECT_EQ(count_items(*db), n);
  }
}

}  // namespace
}  // namespace ld::local
