#pragma once
// The local endpoint's SQLite database: RAII connections, prepared statements, write transactions
// and per-component schema migrations.
//
// Threads: a Database is shared by every thread (hold it in a shared_ptr). It keeps a pool of
// SQLite connections; each Connection, Transaction and Statement belongs to ONE thread at a time.
//  - Reads: `auto c = db.connect(); auto s = c.prepare("SELECT …");` — WAL lets any number of
//    readers run at once, each on its own connection, seeing the last committed state.
//  - Writes: `Transaction tx(db); … tx.commit();` — BEGIN IMMEDIATE on a pooled connection.
//    Writers of one process queue on a mutex (cheaper and fairer than SQLite's sleeping busy
//    handler); other processes are waited for by busy_timeout.
//  - Connections, Transactions and Statements must not outlive their Database.
//  - Do not open a second Transaction on a thread that already holds one for the same Database
//    (it would wait on itself): that throws DatabaseError. Do reads inside a transaction through
//    tx.prepare() so they see its own uncommitted writes.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ld::local {

namespace detail {
struct ConnectionHandle;  // an sqlite3* with its statement cache (database.cpp)
}

// A failed SQLite call: what() names SQLite's message and the SQL that failed.
class DatabaseError : public ld::Error {
 public:
  DatabaseError(int code, const std::string& message, std::string sql);
  // SQLite's extended result code (SQLITE_MISUSE for misuse of this API).
  int code() const { return code_; }
  const std::string& sql() const { return sql_; }

 private:
  int code_;
  std::string sql_;
};

// How far a commit is durable before it returns.
enum class Durability {
  Process,    // synchronous=NORMAL: survives kill -9 of the endpoint, not a power cut
  PowerLoss,  // synchronous=FULL: the WAL is fsynced on every commit
};

struct DatabaseOptions {
  // NORMAL is the default: the requirement is surviving kill -9 and a restart, which WAL with
  // NORMAL guarantees (a committed frame is in the OS page cache before COMMIT returns), while
  // FULL adds an fsync of the WAL per commit, about 5x the cost. Measured on the dev VM (ext4,
  // LD_COMMIT_RATE_N=5000 local_database_test --gtest_filter='*CommitRate', one thread,
  // one-row transactions): NORMAL ≈ 22k commits/s, FULL ≈ 4.3k commits/s.
  Durability durability = Durability::Process;
  int busy_timeout_ms = 5000;  // waiting for another process's write lock
};

class Connection;
class Database;

// One prepared SQL statement on one connection: bind (1-based index or :name), step, read
// columns (0-based). Cached by its connection, so preparing the same SQL again is cheap;
// resets itself when destroyed.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, int value);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, std::nullptr_t);
  Statement& bind_blob(int index, std::string_view bytes);
  template <typename T>
  Statement& bind(std::string_view name, T&& value) {
    return bind(index_of(name), std::forward<T>(value));
  }
  Statement& bind_blob(std::string_view name, std::string_view bytes) {
    return bind_blob(index_of(name), bytes);
  }

  // Advances: true when a row is available, false when the statement is done.
  bool step();
  // Steps to completion (for INSERT/UPDATE/DELETE) and returns the number of rows changed.
  std::int64_t run();
  // Makes the statement runnable again; bindings are kept.
  void reset();

  int column_count() const;
  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::string column_blob(int column) const;

  const std::string& sql() const { return sql_; }

 private:
  friend class Connection;
  Statement(detail::ConnectionHandle* handle, sqlite3_stmt* stmt, std::string sql, bool cached);
  int index_of(std::string_view name) const;
  void check(int rc) const;

  detail::ConnectionHandle* handle_;
  sqlite3_stmt* stmt_;
  std::string sql_;
  bool cached_;
};

// One SQLite connection leased from a Database's pool; returned to the pool on destruction.
class Connection {
 public:
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&&) = delete;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  Statement prepare(std::string_view sql);
  // Runs one or more statements that return no rows (DDL, PRAGMA …).
  void exec(std::string_view sql);
  // The first column of the first row of a query, as text ("" when there is no row).
  std::string query_text(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  // True between BEGIN and COMMIT/ROLLBACK.
  bool in_transaction() const;

 private:
  friend class Database;
  Connection(Database& db, std::unique_ptr<detail::ConnectionHandle> handle);

  Database* db_;
  std::unique_ptr<detail::ConnectionHandle> handle_;
};

// A write transaction (BEGIN IMMEDIATE): commit() makes it durable, destruction without
// commit() rolls it back (so an exception undoes everything done through it).
class Transaction {
 public:
  explicit Transaction(Database& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // Statements inside the transaction; throw once it is committed or rolled back.
  Statement prepare(std::string_view sql);
  void exec(std::string_view sql);
  Connection& connection();
  // Both end the transaction and let other writers (and this thread) begin new ones.
  void commit();
  void rollback();

 private:
  Database& db_;
  std::unique_lock<std::mutex> writer_;
  Connection connection_;
  bool open_ = true;
};

// An SQLite database file in WAL mode, shared by all threads of the endpoint.
class Database {
 public:
  // Opens (creating if needed) the file and its folder; applies WAL, synchronous, foreign_keys
  // and busy_timeout; makes the schema_versions table.
  static std::shared_ptr<Database> open(const std::filesystem::path& path,
                                        DatabaseOptions options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // A connection for reads (autocommit) for the calling thread.
  Connection connect();

  // Runs `sql` (one or more statements) once per database: if component's recorded schema
  // version is below `version`, runs it and records `version`, in one transaction. Call with
  // increasing versions (1, 2, …) from the component's startup. Returns true if it ran.
  bool migrate(std::string_view component, int version, std::string_view sql);
  // The recorded schema version of a component, 0 if none.
  int schema_version(std::string_view component);

  const std::filesystem::path& path() const { return path_; }
  const DatabaseOptions& options() const { return options_; }

 private:
  friend class Connection;
  friend class Transaction;
  struct Private {};

 public:
  Database(Private, std::filesystem::path path, DatabaseOptions options);

 private:
  std::unique_ptr<detail::ConnectionHandle> open_handle();
  void give_back(std::unique_ptr<detail::ConnectionHandle> handle);

  std::filesystem::path path_;
  DatabaseOptions options_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<detail::ConnectionHandle>> idle_;
  std::mutex writer_mutex_;  // one writing transaction per process at a time
};

}  // namespace ld::local
