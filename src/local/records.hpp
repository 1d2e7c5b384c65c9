#pragma once
// Typed records for control-plane objects: (kind, key) → JSON document, with a revision for
// optimistic concurrency, kept in the endpoint's SQLite database.
//
// Kinds are chosen by callers ("lambda.function", "lambda.version", "s3.object", …); keys are
// compared bytewise, so list() returns them in byte order. Revisions come from one counter for
// the whole store: every write gets a larger number than any before it, so a record that is
// deleted and made again never repeats an old revision (Lambda's RevisionId can be built on it).
//
// Blobs first: a record that names a blob (BlobStore) is written AFTER BlobStore::put returned,
// so a crash between the two leaves at worst an unreferenced blob, never a dangling record.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/time.hpp"
#include "local/database.hpp"

namespace ld::local {

// A control-plane object as stored.
struct Record {
  std::string kind;
  std::string key;
  nlohmann::json document;
  std::int64_t revision = 0;  // > 0, grows with every write
  Timestamp created{};
  Timestamp updated{};
};

// What a conditional write did: `written`, or why not (the revision stored now; 0 = none).
struct WriteResult {
  bool written = false;
  std::int64_t revision = 0;  // written: the new revision; not written: the one found
  explicit operator bool() const { return written; }
};

// Which records of a kind list() returns: keys starting with `prefix`, after `marker`.
struct ListOptions {
  std::string prefix;
  std::string marker;        // the last key of the previous page ("" = from the start)
  std::size_t limit = 1000;  // 0 = no limit
};

// One page of list(): next_marker is set when more records follow (pass it as the marker).
struct Page {
  std::vector<Record> records;
  std::optional<std::string> next_marker;
};

// The record table; thread-safe (share one instance). Each write method outside transaction()
// commits on its own.
class Records {
 public:
  class Tx;

  // Creates the tables on first use (component "records" in schema_versions).
  explicit Records(std::shared_ptr<Database> db, NowFn now = system_now);

  std::optional<Record> get(std::string_view kind, std::string_view key);
  // Inserts or replaces; returns the stored record with its new revision.
  Record put(std::string_view kind, std::string_view key, nlohmann::json document);
  // Writes only if the stored revision is `expected` (0: only if there is no record yet).
  WriteResult put_if_revision(std::string_view kind, std::string_view key, nlohmann::json document,
                              std::int64_t expected);
  // True if a record was there.
  bool remove(std::string_view kind, std::string_view key);
  // Removes only if the stored revision is `expected`.
  WriteResult remove_if_revision(std::string_view kind, std::string_view key,
                                 std::int64_t expected);
  Page list(std::string_view kind, const ListOptions& options = {});
  std::size_t count(std::string_view kind, std::string_view prefix = "");

  // Runs fn(Tx&) in one write transaction: committed when fn returns, rolled back if it throws.
  // Returns what fn returns. Do not call Records' own methods inside fn: use the Tx.
  template <typename F>
  decltype(auto) transaction(F&& fn);
  // Record operations inside a transaction the caller owns (to mix with its own tables).
  Tx within(Transaction& transaction);

  Database& database() { return *db_; }

 private:
  std::shared_ptr<Database> db_;
  NowFn now_;
};

// Record operations bound to one open transaction; reads see its uncommitted writes.
class Records::Tx {
 public:
  std::optional<Record> get(std::string_view kind, std::string_view key);
  Record put(std::string_view kind, std::string_view key, nlohmann::json document);
  WriteResult put_if_revision(std::string_view kind, std::string_view key, nlohmann::json document,
                              std::int64_t expected);
  bool remove(std::string_view kind, std::string_view key);
  WriteResult remove_if_revision(std::string_view kind, std::string_view key,
                                 std::int64_t expected);
  Page list(std::string_view kind, const ListOptions& options = {});
  std::size_t count(std::string_view kind, std::string_view prefix = "");
  // The underlying transaction, for the caller's own SQL in the same commit.
  Transaction& sql() { return transaction_; }

 private:
  friend class Records;
  Tx(Records& records, Transaction& transaction) : records_(records), transaction_(transaction) {}

  Records& records_;
  Transaction& transaction_;
};

template <typename F>
decltype(auto) Records::transaction(F&& fn) {
  Transaction transaction(*db_);
  Tx tx(*this, transaction);
  if constexpr (std::is_void_v<std::invoke_result_t<F, Tx&>>) {
    fn(tx);
    transaction.commit();
  } else {
    auto result = fn(tx);
    transaction.commit();
    return result;
  }
}

}  // namespace ld::local
