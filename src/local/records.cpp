#include "local/records.hpp"

#include <chrono>
#include <utility>

namespace ld::local {

namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE records (
  kind       TEXT    NOT NULL,
  key        TEXT    NOT NULL,
  document   TEXT    NOT NULL,
  revision   INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE TABLE record_revision (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  last INTEGER NOT NULL
);
INSERT INTO record_revision (id, last) VALUES (1, 0);
)sql";

constexpr std::string_view kColumns = "key, document, revision, created_ms, updated_ms";

std::int64_t to_ms(Timestamp t) {
  return t.time_since_epoch().count();
}
Timestamp from_ms(std::int64_t ms) {
  return Timestamp(std::chrono::milliseconds(ms));
}

void check_names(std::string_view kind, std::string_view key) {
  if (kind.empty()) throw ld::Error("a record kind must not be empty");
  if (key.empty()) {
    throw ld::Error("a record key must not be empty (kind '" + std::string(kind) + "')");
  }
}

// Reads one row selected with kColumns.
Record read_row(std::string_view kind, const Statement& s) {
  Record r;
  r.kind = std::string(kind);
  r.key = s.column_text(0);
  std::string text = s.column_text(1);
  r.document = nlohmann::json::parse(text, nullptr, false);
  if (r.document.is_discarded()) {
    throw ld::Error("record " + r.kind + "/" + r.key + " holds a document that is not JSON");
  }
  r.revision = s.column_int64(2);
  r.created = from_ms(s.column_int64(3));
  r.updated = from_ms(s.column_int64(4));
  return r;
}

std::optional<Record> get_on(Connection& c, std::string_view kind, std::string_view key) {
  Statement s = c.prepare(
      "SELECT key, document, revision, created_ms, updated_ms FROM records "
      "WHERE kind = ?1 AND key = ?2");
  s.bind(1, kind).bind(2, key);
  if (!s.step()) return std::nullopt;
  return read_row(kind, s);
}

std::int64_t revision_on(Connection& c, std::string_view kind, std::string_view key) {
  Statement s = c.prepare("SELECT revision FROM records WHERE kind = ?1 AND key = ?2");
  s.bind(1, kind).bind(2, key);
  return s.step() ? s.column_int64(0) : 0;
}

std::int64_t next_revision(Connection& c) {
  Statement s = c.prepare("UPDATE record_revision SET last = last + 1 WHERE id = 1 RETURNING last");
  if (!s.step()) throw ld::Error("the record revision counter is missing");
  std::int64_t revision = s.column_int64(0);
  while (s.step()) {
  }
  return revision;
}

Record put_on(Connection& c, const NowFn& now, std::string_view kind, std::string_view key,
              nlohmann::json document) {
  check_names(kind, key);
  Record r;
  r.kind = std::string(kind);
  r.key = std::string(key);
  r.revision = next_revision(c);
  r.updated = now();
  Statement s = c.prepare(
      "INSERT INTO records (kind, key, document, revision, created_ms, updated_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
      "ON CONFLICT (kind, key) DO UPDATE SET document = excluded.document, "
      "revision = excluded.revision, updated_ms = excluded.updated_ms "
      "RETURNING created_ms");
  s.bind(1, kind).bind(2, key).bind(3, document.dump()).bind(4, r.revision);
  s.bind(5, to_ms(r.updated));
  if (!s.step()) throw ld::Error("writing record " + r.kind + "/" + r.key + " returned nothing");
  r.created = from_ms(s.column_int64(0));
  while (s.step()) {
  }
  r.document = std::move(document);
  return r;
}

bool remove_on(Connection& c, std::string_view kind, std::string_view key) {
  Statement s = c.prepare("DELETE FROM records WHERE kind = ?1 AND key = ?2");
  s.bind(1, kind).bind(2, key);
  return s.run() > 0;
}

// The smallest string greater than every string starting with `prefix` ("" = none).
std::optional<std::string> prefix_end(std::string prefix) {
  while (!prefix.empty()) {
    auto last = static_cast<unsigned char>(prefix.back());
    if (last != 0xFF) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::nullopt;
}

Page list_on(Connection& c, std::string_view kind, const ListOptions& options) {
  std::string sql = "SELECT " + std::string(kColumns) +
                    " FROM records WHERE kind = ?1 AND key > ?2 AND key >= ?3";
  std::optional<std::string> end = prefix_end(options.prefix);
  if (end) sql += " AND key < ?4";
  sql += " ORDER BY key";
  if (options.limit > 0) sql += " LIMIT ?5";
  Statement s = c.prepare(sql);
  s.bind(1, kind).bind(2, options.marker).bind(3, options.prefix);
  if (end) s.bind(4, *end);
  if (options.limit > 0) s.bind(5, static_cast<std::int64_t>(options.limit + 1));
  Page page;
  while (s.step()) {
    if (options.limit > 0 && page.records.size() == options.limit) {
      page.next_marker = page.records.back().key;
      break;
    }
    page.records.push_back(read_row(kind, s));
  }
  return page;
}

std::size_t count_on(Connection& c, std::string_view kind, std::string_view prefix) {
  std::string sql = "SELECT count(*) FROM records WHERE kind = ?1 AND key >= ?2";
  std::optional<std::string> end = prefix_end(std::string(prefix));
  if (end) sql += " AND key < ?3";
  Statement s = c.prepare(sql);
  s.bind(1, kind).bind(2, prefix);
  if (end) s.bind(3, *end);
  s.step();
  return static_cast<std::size_t>(s.column_int64(0));
}

}  // namespace

// ---- Records ----

Records::Records(std::shared_ptr<Database> db, NowFn now)
    : db_(std::move(db)), now_(std::move(now)) {
  db_->migrate("records", 1, kSchemaV1);
}

std::optional<Record> Records::get(std::string_view kind, std::string_view key) {
  Connection c = db_->connect();
  return get_on(c, kind, key);
}

Record Records::put(std::string_view kind, std::string_view key, nlohmann::json document) {
  return transaction([&](Tx& tx) { return tx.put(kind, key, std::move(document)); });
}

WriteResult Records::put_if_revision(std::string_view kind, std::string_view key,
                                     nlohmann::json document, std::int64_t expected) {
  return transaction(
      [&](Tx& tx) { return tx.put_if_revision(kind, key, std::move(document), expected); });
}

bool Records::remove(std::string_view kind, std::string_view key) {
  return transaction([&](Tx& tx) { return tx.remove(kind, key); });
}

WriteResult Records::remove_if_revision(std::string_view kind, std::string_view key,
                                        std::int64_t expected) {
  return transaction([&](Tx& tx) { return tx.remove_if_revision(kind, key, expected); });
}

Page Records::list(std::string_view kind, const ListOptions& options) {
  Connection c = db_->connect();
  return list_on(c, kind, options);
}

std::size_t Records::count(std::string_view kind, std::string_view prefix) {
  Connection c = db_->connect();
  return count_on(c, kind, prefix);
}

Records::Tx Records::within(Transaction& transaction) {
  return Tx(*this, transaction);
}

// ---- Records::Tx ----

std::optional<Record> Records::Tx::get(std::string_view kind, std::string_view key) {
  return get_on(transaction_.connection(), kind, key);
}

Record Records::Tx::put(std::string_view kind, std::string_view key, nlohmann::json document) {
  return put_on(transaction_.connection(), records_.now_, kind, key, std::move(document));
}

WriteResult Records::Tx::put_if_revision(std::string_view kind, std::string_view key,
                                         nlohmann::json document, std::int64_t expected) {
  std::int64_t current = revision_on(transaction_.connection(), kind, key);
  if (current != expected) return WriteResult{false, current};
  Record r = put_on(transaction_.connection(), records_.now_, kind, key, std::move(document));
  return WriteResult{true, r.revision};
}

bool Records::Tx::remove(std::string_view kind, std::string_view key) {
  return remove_on(transaction_.connection(), kind, key);
}

WriteResult Records::Tx::remove_if_revision(std::string_view kind, std::string_view key,
                                            std::int64_t expected) {
  std::int64_t current = revision_on(transaction_.connection(), kind, key);
  if (current == 0 || current != expected) return WriteResult{false, current};
  remove_on(transaction_.connection(), kind, key);
  return WriteResult{true, 0};
}

Page Records::Tx::list(std::string_view kind, const ListOptions& options) {
  return list_on(transaction_.connection(), kind, options);
}

std::size_t Records::Tx::count(std::string_view kind, std::string_view prefix) {
  return count_on(transaction_.connection(), kind, prefix);
}

}  // namespace ld::local
