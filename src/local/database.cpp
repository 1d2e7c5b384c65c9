#include "local/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <utility>

#include "local/private_files.hpp"

namespace ld::local {

namespace detail {

// An open sqlite3 connection and the statements prepared on it, keyed by their SQL.
struct ConnectionHandle {
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  sqlite3* db = nullptr;
  std::unordered_map<std::string, Cached> cache;

  ConnectionHandle() = default;
  ConnectionHandle(const ConnectionHandle&) = delete;
  ConnectionHandle& operator=(const ConnectionHandle&) = delete;
  ~ConnectionHandle() {
    for (auto& [sql, cached] : cache) sqlite3_finalize(cached.stmt);
    sqlite3_close_v2(db);
  }
};

}  // namespace detail

namespace {

constexpr std::size_t kMaxIdleConnections = 16;

// The Database each thread currently holds a Transaction on (to refuse a self-deadlock).
thread_local std::vector<const Database*> t_writing;

std::string describe(int code, const std::string& message, const std::string& sql) {
  std::string text = "SQLite error: " + message + " (" + sqlite3_errstr(code) + ", code " +
                     std::to_string(code) + ")";
  if (!sql.empty()) text += " in SQL: " + sql;
  return text;
}

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view sql) {
  std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  int code = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  throw DatabaseError(code, message, std::string(sql));
}

void exec_on(sqlite3* db, std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string why = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw DatabaseError(sqlite3_extended_errcode(db), why, text);
  }
}

bool only_whitespace(const char* p) {
  for (; *p != '\0'; ++p) {
    if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != ';') return false;
  }
  return true;
}

}  // namespace

DatabaseError::DatabaseError(int code, const std::string& message, std::string sql)
    : ld::Error(describe(code, message, sql)), code_(code), sql_(std::move(sql)) {}

// ---- Statement ----

Statement::Statement(detail::ConnectionHandle* handle, sqlite3_stmt* stmt, std::string sql,
                     bool cached)
    : handle_(handle), stmt_(stmt), sql_(std::move(sql)), cached_(cached) {}

Statement::Statement(Statement&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      sql_(std::move(other.sql_)),
      cached_(other.cached_) {}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (!cached_) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  auto it = handle_->cache.find(sql_);
  if (it != handle_->cache.end()) it->second.in_use = false;
}

void Statement::check(int rc) const {
  if (rc != SQLITE_OK) fail(sqlite3_db_handle(stmt_), rc, sql_);
}

int Statement::index_of(std::string_view name) const {
  std::string key(name);
  int index = sqlite3_bind_parameter_index(stmt_, key.c_str());
  if (index == 0) {
    throw DatabaseError(SQLITE_RANGE, "no parameter named '" + key + "'", sql_);
  }
  return index;
}

Statement& Statement::bind(int index, int value) {
  check(sqlite3_bind_int(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  check(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, double value) {
  check(sqlite3_bind_double(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
  check(sqlite3_bind_null(stmt_, index));
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  check(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string message = sqlite3_errmsg(sqlite3_db_handle(stmt_));
  int code = sqlite3_extended_errcode(sqlite3_db_handle(stmt_));
  sqlite3_reset(stmt_);
  throw DatabaseError(code, message, sql_);
}

std::int64_t Statement::run() {
  while (step()) {
  }
  return sqlite3_changes64(sqlite3_db_handle(stmt_));
}

void Statement::reset() {
  sqlite3_reset(stmt_);
}

int Statement::column_count() const {
  return sqlite3_column_count(stmt_);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::column_double(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::column_text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string Statement::column_blob(int column) const {
  const void* bytes = sqlite3_column_blob(stmt_, column);
  if (bytes == nullptr) return {};
  return std::string(static_cast<const char*>(bytes),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

// ---- Connection ----

Connection::Connection(Database& db, std::unique_ptr<detail::ConnectionHandle> handle)
    : db_(&db), handle_(std::move(handle)) {}

Connection::Connection(Connection&& other) noexcept
    : db_(other.db_), handle_(std::move(other.handle_)) {}

Connection::~Connection() {
  if (handle_) db_->give_back(std::move(handle_));
}

Statement Connection::prepare(std::string_view sql) {
  std::string text(sql);
  auto it = handle_->cache.find(text);
  if (it != handle_->cache.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Statement(handle_.get(), it->second.stmt, std::move(text), true);
  }
  // A second live statement with the same SQL gets a private, uncached copy.
  bool cache_it = it == handle_->cache.end();
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(handle_->db, text.c_str(), static_cast<int>(text.size() + 1),
                              cache_it ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, &tail);
  if (rc != SQLITE_OK) fail(handle_->db, rc, text);
  if (stmt == nullptr || (tail != nullptr && !only_whitespace(tail))) {
    sqlite3_finalize(stmt);
    throw DatabaseError(SQLITE_MISUSE, "prepare() takes exactly one statement (use exec())", text);
  }
  if (cache_it) handle_->cache.emplace(text, detail::ConnectionHandle::Cached{stmt, true});
  return Statement(handle_.get(), stmt, std::move(text), cache_it);
}

void Connection::exec(std::string_view sql) {
  exec_on(handle_->db, sql);
}

std::string Connection::query_text(std::string_view sql) {
  Statement statement = prepare(sql);
  return statement.step() ? statement.column_text(0) : std::string();
}

std::int64_t Connection::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(handle_->db);
}

bool Connection::in_transaction() const {
  return sqlite3_get_autocommit(handle_->db) == 0;
}

// ---- Transaction ----

namespace {

// The process-wide writer lock of `db`, after checking this thread does not already hold it.
std::mutex& writer_lock_of(const Database& db, std::mutex& mutex) {
  if (std::find(t_writing.begin(), t_writing.end(), &db) != t_writing.end()) {
    throw DatabaseError(SQLITE_MISUSE,
                        "this thread already holds a transaction on " + db.path().string() +
                            " (transactions do not nest)",
                        "BEGIN IMMEDIATE");
  }
  return mutex;
}

}  // namespace

Transaction::Transaction(Database& db)
    : db_(db), writer_(writer_lock_of(db, db.writer_mutex_)), connection_(db.connect()) {
  connection_.exec("BEGIN IMMEDIATE");
  t_writing.push_back(&db_);
}

Transaction::~Transaction() {
  if (open_) {
    try {
      rollback();
    } catch (...) {
      // A failed rollback leaves nothing to undo: SQLite rolls back on its own then.
    }
  }
}

Connection& Transaction::connection() {
  if (!open_) {
    throw DatabaseError(SQLITE_MISUSE, "the transaction is already committed or rolled back", "");
  }
  return connection_;
}

Statement Transaction::prepare(std::string_view sql) {
  return connection().prepare(sql);
}

void Transaction::exec(std::string_view sql) {
  connection().exec(sql);
}

void Transaction::commit() {
  if (!open_) throw DatabaseError(SQLITE_MISUSE, "transaction already finished", "COMMIT");
  connection_.exec("COMMIT");  // on failure the transaction stays open; the destructor rolls back
  open_ = false;
  std::erase(t_writing, &db_);
  writer_.unlock();
}

void Transaction::rollback() {
  if (!open_) return;
  open_ = false;
  std::erase(t_writing, &db_);
  // The writer lock is released even if ROLLBACK fails (the connection is then discarded).
  struct Unlock {
    std::unique_lock<std::mutex>& lock;
    ~Unlock() { lock.unlock(); }
  } unlock{writer_};
  if (connection_.in_transaction()) connection_.exec("ROLLBACK");
}

// ---- Database ----

Database::Database(Private, std::filesystem::path path, DatabaseOptions options)
    : path_(std::move(path)), options_(options) {}

Database::~Database() = default;

std::shared_ptr<Database> Database::open(const std::filesystem::path& path,
                                         DatabaseOptions options) {
  if (path.has_parent_path()) {
    std::error_code ec;
    const bool exists = std::filesystem::is_directory(path.parent_path(), ec);
    try {
      if (!exists) make_private_dir(path.parent_path());
    } catch (const ld::Error& e) {
      throw ld::Error(std::string("cannot create the database folder: ") + e.what());
    }
  }
  // The database and its -wal and -shm (which SQLite creates with the database's own mode) are
  // the user's alone: SQLite would create the file 0644 less the umask.
  ::close(open_private_file(path, O_RDWR));
  for (const char* suffix : {"-wal", "-shm", "-journal"}) make_private_file(path.string() + suffix);
  auto db = std::make_shared<Database>(Private{}, path, options);
  db->give_back(db->open_handle());
  {
    Connection c = db->connect();
    std::string mode = c.query_text("PRAGMA journal_mode=WAL");
    if (mode != "wal") {
      throw DatabaseError(SQLITE_ERROR, "the database refused WAL mode (got '" + mode + "')",
                          "PRAGMA journal_mode=WAL");
    }
  }
  Transaction tx(*db);
  tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_versions ("
      " component TEXT PRIMARY KEY, version INTEGER NOT NULL, applied_ms INTEGER NOT NULL)");
  tx.commit();
  return db;
}

std::unique_ptr<detail::ConnectionHandle> Database::open_handle() {
  auto handle = std::make_unique<detail::ConnectionHandle>();
  int rc =
      sqlite3_open_v2(path_.c_str(), &handle->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = handle->db != nullptr ? sqlite3_errmsg(handle->db) : sqlite3_errstr(rc);
    throw DatabaseError(rc, "cannot open " + path_.string() + ": " + message, "");
  }
  sqlite3_extended_result_codes(handle->db, 1);
  sqlite3_busy_timeout(handle->db, options_.busy_timeout_ms);
  exec_on(handle->db, options_.durability == Durability::PowerLoss ? "PRAGMA synchronous=FULL"
                                                                   : "PRAGMA synchronous=NORMAL");
  exec_on(handle->db, "PRAGMA foreign_keys=ON");
  return handle;
}

Connection Database::connect() {
  std::unique_ptr<detail::ConnectionHandle> handle;
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_.empty()) {
      handle = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!handle) handle = open_handle();
  return Connection(*this, std::move(handle));
}

void Database::give_back(std::unique_ptr<detail::ConnectionHandle> handle) {
  if (sqlite3_get_autocommit(handle->db) == 0) return;  // left mid-transaction: close it
  std::lock_guard lock(pool_mutex_);
  if (idle_.size() < kMaxIdleConnections) idle_.push_back(std::move(handle));
}

int Database::schema_version(std::string_view component) {
  Connection c = connect();
  Statement s = c.prepare("SELECT version FROM schema_versions WHERE component = ?1");
  s.bind(1, component);
  return s.step() ? static_cast<int>(s.column_int64(0)) : 0;
}

bool Database::migrate(std::string_view component, int version, std::string_view sql) {
  Transaction tx(*this);
  int current = 0;
  {
    Statement s = tx.prepare("SELECT version FROM schema_versions WHERE component = ?1");
    s.bind(1, component);
    if (s.step()) current = static_cast<int>(s.column_int64(0));
  }
  if (current >= version) return false;
  tx.exec(sql);
  {
    Statement s = tx.prepare(
        "INSERT INTO schema_versions(component, version, applied_ms) VALUES (?1, ?2, ?3) "
        "ON CONFLICT(component) DO UPDATE SET version = excluded.version, "
        "applied_ms = excluded.applied_ms");
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    s.bind(1, component).bind(2, version).bind(3, static_cast<std::int64_t>(now.count())).run();
  }
  tx.commit();
  return true;
}

}  // namespace ld::local
