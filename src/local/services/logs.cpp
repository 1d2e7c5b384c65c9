#include "local/services/logs.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <limits>
#include <optional>
#include <regex>
#include <set>
#include <string_view>
#include <tuple>

#include "aws/services/logs.hpp"
#include "core/encoding.hpp"
#include "local/services/logs_filter_pattern.hpp"

namespace ld::local {

namespace {

using nlohmann::json;

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
// FilterLogEvents returns as many events as fit in 1 MB; each event's JSON costs its stream name
// and message plus at most this much (member names, timestamps, the event id).
constexpr std::size_t kFilterPageBytes = 1024 * 1024 - 256;  // the page's own members
constexpr std::size_t kEventOverheadBytes = 160;

// At most the bytes `text` takes as a JSON string: an escape is never longer than six.
std::size_t json_size_bound(std::string_view text) {
  std::size_t size = text.size();
  for (const char c : text) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) size += 5;
  }
  return size;
}
constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
constexpr std::size_t kMaxResponseBytes = 1'048'576;  // GetLogEvents' 1 MB
constexpr std::size_t kEventOverhead = 26;            // bytes AWS counts per event

constexpr const char* kSchema = R"sql(
CREATE TABLE logs_groups (
  name TEXT PRIMARY KEY,
  creation_time INTEGER NOT NULL,
  retention_days INTEGER,
  stored_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE logs_streams (
  grp TEXT NOT NULL REFERENCES logs_groups(name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  creation_time INTEGER NOT NULL,
  first_event INTEGER,
  last_event INTEGER,
  last_ingestion INTEGER,
  stored_bytes INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (grp, name)
);
CREATE TABLE logs_events (
  id INTEGER PRIMARY KEY,
  grp TEXT NOT NULL,
  stream TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  ingestion INTEGER NOT NULL,
  message TEXT NOT NULL,
  FOREIGN KEY (grp, stream) REFERENCES logs_streams(grp, name) ON DELETE CASCADE
);
CREATE INDEX logs_events_by_stream ON logs_events(grp, stream, timestamp, id);
CREATE INDEX logs_events_by_group ON logs_events(grp, timestamp, id);
)sql";

[[noreturn]] void invalid(const std::string& message) {
  throw ApiError("InvalidParameterException", message);
}

[[noreturn]] void no_group() {
  throw ApiError("ResourceNotFoundException", "The specified log group does not exist.");
}

[[noreturn]] void no_stream() {
  throw ApiError("ResourceNotFoundException", "The specified log stream does not exist.");
}

[[noreturn]] void bad_token() {
  invalid("The specified nextToken is invalid.");
}

void constraint(const std::string& value, const char* member, const std::string& what) {
  invalid("1 validation error detected: Value '" + value + "' at '" + member +
          "' failed to satisfy constraint: " + what);
}

std::optional<std::string> text(const json& input, const char* member) {
  auto it = input.find(member);
  if (it == input.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) invalid("'" + std::string(member) + "' must be a string");
  return it->get<std::string>();
}

std::string required_text(const json& input, const char* member) {
  auto value = text(input, member);
  if (!value) {
    invalid("1 validation error detected: Value null at '" + std::string(member) +
            "' failed to satisfy constraint: Member must not be null");
  }
  return *value;
}

std::optional<std::int64_t> integer(const json& input, const char* member) {
  auto it = input.find(member);
  if (it == input.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) invalid("'" + std::string(member) + "' must be an integer");
  return it->get<std::int64_t>();
}

bool boolean(const json& input, const char* member, bool fallback) {
  auto it = input.find(member);
  if (it == input.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) invalid("'" + std::string(member) + "' must be a boolean");
  return it->get<bool>();
}

std::int64_t limit_of(const json& input, std::int64_t max, std::int64_t fallback) {
  auto limit = integer(input, "limit");
  if (!limit) return fallback;
  if (*limit < 1 || *limit > max) {
    constraint(std::to_string(*limit), "limit",
               "Member must have value less than or equal to " + std::to_string(max) +
                   " and greater than or equal to 1");
  }
  return *limit;
}

void check_group_name(const std::string& name, const char* member = "logGroupName") {
  static const std::regex kPattern(R"([\.\-_/#A-Za-z0-9]+)");
  if (name.empty() || name.size() > 512) {
    constraint(name, member, "Member must have length between 1 and 512");
  }
  if (!std::regex_match(name, kPattern)) {
    constraint(name, member,
               "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+");
  }
}

void check_stream_name(const std::string& name, const char* member = "logStreamName") {
  if (name.empty() || name.size() > 512) {
    constraint(name, member, "Member must have length between 1 and 512");
  }
  if (name.find_first_of(":*") != std::string::npos) {
    constraint(name, member, "Member must satisfy regular expression pattern: [^:*]*");
  }
}

// logGroupName, or logGroupIdentifier (a name or a log group ARN); not both.
std::string group_of(const json& input) {
  auto name = text(input, "logGroupName");
  auto identifier = text(input, "logGroupIdentifier");
  if (name && identifier) {
    invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  if (identifier) {
    std::string id = *identifier;
    if (id.rfind("arn:", 0) == 0) {
      auto at = id.find(":log-group:");
      if (at == std::string::npos) invalid("Invalid logGroupIdentifier: " + id);
      id = id.substr(at + 11);
      if (id.size() >= 2 && id.compare(id.size() - 2, 2, ":*") == 0) id.resize(id.size() - 2);
    }
    check_group_name(id, "logGroupIdentifier");
    return id;
  }
  if (!name) {
    invalid(
        "1 validation error detected: Value null at 'logGroupName' failed to satisfy "
        "constraint: Member must not be null");
  }
  check_group_name(*name);
  return *name;
}

std::string group_arn(const ApiCall& call, const std::string& region, const std::string& group) {
  return "arn:aws:logs:" + (call.caller.region.empty() ? region : call.caller.region) + ":" +
         call.caller.account + ":log-group:" + group;
}

std::int64_t millis(Timestamp t) {
  return t.time_since_epoch().count();
}

// Offset paging tokens (DescribeLogGroups, DescribeLogStreams).
std::string offset_token(std::int64_t offset) {
  return base64_encode("page/" + std::to_string(offset));
}

std::int64_t offset_of(const json& input) {
  auto token = text(input, "nextToken");
  if (!token) return 0;
  auto decoded = base64_decode(*token);
  if (!decoded || decoded->rfind("page/", 0) != 0) bad_token();
  std::int64_t offset = 0;
  const char* first = decoded->data() + 5;
  const char* last = decoded->data() + decoded->size();
  auto [end, ec] = std::from_chars(first, last, offset);
  if (ec != std::errc() || end != last || offset < 0) bad_token();
  return offset;
}

// A position between events of a stream, ordered by (timestamp, id).
struct Cursor {
  std::int64_t timestamp = 0;
  std::int64_t id = 0;
};

// GetLogEvents' tokens: "f/<digits>/s" reads forward after the cursor, "b/…" backward before it.
std::string event_token(char direction, Cursor cursor) {
  std::array<char, 64> digits{};
  std::snprintf(digits.data(), digits.size(), "%020lld%020lld",
                static_cast<long long>(std::max<std::int64_t>(cursor.timestamp, 0)),
                static_cast<long long>(std::max<std::int64_t>(cursor.id, 0)));
  return std::string(1, direction) + "/" + digits.data() + "/s";
}

std::pair<char, Cursor> parse_event_token(const std::string& token) {
  if (token.size() != 44 || (token[0] != 'f' && token[0] != 'b') || token[1] != '/' ||
      token.compare(42, 2, "/s") != 0) {
    bad_token();
  }
  Cursor cursor;
  auto read = [&](std::size_t at, std::int64_t& out) {
    const char* first = token.data() + at;
    auto [end, ec] = std::from_chars(first, first + 20, out);
    if (ec != std::errc() || end != first + 20) bad_token();
  };
  read(2, cursor.timestamp);
  read(22, cursor.id);
  return {token[0], cursor};
}

std::string event_id(Cursor cursor) {
  return event_token('e', cursor).substr(2, 40);
}

bool group_exists(Connection& c, const std::string& group) {
  auto s = c.prepare("SELECT 1 FROM logs_groups WHERE name = ?");
  s.bind(1, group);
  return s.step();
}

bool stream_exists(Connection& c, const std::string& group, const std::string& stream) {
  auto s = c.prepare("SELECT 1 FROM logs_streams WHERE grp = ? AND name = ?");
  s.bind(1, group).bind(2, stream);
  return s.step();
}

// Inserts events (already accepted) into an existing stream and updates its summaries.
void insert_events(Transaction& tx, const std::string& group, const std::string& stream,
                   const std::vector<LogEvent>& events, std::int64_t ingestion) {
  if (events.empty()) return;
  auto insert = tx.prepare(
      "INSERT INTO logs_events (grp, stream, timestamp, ingestion, message) VALUES (?, ?, ?, ?, "
      "?)");
  std::int64_t bytes = 0;
  std::int64_t first = kMax;
  std::int64_t last = kMin;
  for (const auto& event : events) {
    insert.reset();
    insert.bind(1, group).bind(2, stream).bind(3, event.timestamp_ms).bind(4, ingestion);
    insert.bind(5, event.message);
    insert.run();
    bytes += static_cast<std::int64_t>(event.message.size());
    first = std::min(first, event.timestamp_ms);
    last = std::max(last, event.timestamp_ms);
  }
  auto update = tx.prepare(
      "UPDATE logs_streams SET first_event = min(coalesce(first_event, ?1), ?1), "
      "last_event = max(coalesce(last_event, ?2), ?2), last_ingestion = ?3, "
      "stored_bytes = stored_bytes + ?4 WHERE grp = ?5 AND name = ?6");
  update.bind(1, first).bind(2, last).bind(3, ingestion).bind(4, bytes).bind(5, group);
  update.bind(6, stream);
  update.run();
  auto group_bytes =
      tx.prepare("UPDATE logs_groups SET stored_bytes = stored_bytes + ? WHERE name = ?");
  group_bytes.bind(1, bytes).bind(2, group);
  group_bytes.run();
}

constexpr const char* kMonitoringSchema = R"sql(
CREATE TABLE logs_tags (
  grp TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (grp, key)
);
CREATE TABLE logs_metric_filters (
  grp TEXT NOT NULL,
  name TEXT NOT NULL,
  pattern TEXT NOT NULL,
  transformations TEXT NOT NULL,
  creation_time INTEGER NOT NULL,
  PRIMARY KEY (grp, name)
);
CREATE TABLE logs_subscription_filters (
  grp TEXT NOT NULL,
  name TEXT NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (grp, name)
);
)sql";

// The group a tagging call names: resourceArn (a log group ARN) or logGroupName; 404 if absent.
std::string tagged_group(Connection& c, const json& input, bool by_arn) {
  std::string group;
  if (by_arn) {
    const std::string arn = required_text(input, "resourceArn");
    const auto at = arn.find(":log-group:");
    if (arn.rfind("arn:", 0) != 0 || at == std::string::npos) {
      invalid("Invalid resourceArn: " + arn);
    }
    group = arn.substr(at + 11);
    if (group.size() >= 2 && group.compare(group.size() - 2, 2, ":*") == 0)
      group.resize(group.size() - 2);
  } else {
    group = required_text(input, "logGroupName");
    check_group_name(group);
  }
  if (!group_exists(c, group)) no_group();
  return group;
}

// Tag(Resource|LogGroup), Untag(Resource|LogGroup), ListTags(ForResource|LogGroup).
json group_tags_call(Database& db, const std::string& op, const json& input) {
  const bool by_arn = op.find("Resource") != std::string::npos;
  Transaction tx(db);
  const std::string group = tagged_group(tx.connection(), input, by_arn);
  if (op.rfind("Tag", 0) == 0) {
    auto tags = input.find("tags");
    if (tags == input.end() || !tags->is_object() || tags->empty()) {
      invalid(
          "1 validation error detected: Value null at 'tags' failed to satisfy constraint: "
          "Member must not be null");
    }
    auto s = tx.prepare(
        "INSERT INTO logs_tags (grp, key, value) VALUES (?1, ?2, ?3) ON "
        "CONFLICT(grp, key) DO UPDATE SET value = ?3");
    for (const auto& [key, value] : tags->items()) {
      if (!value.is_string()) invalid("'tags' values must be strings");
      s.reset();
      s.bind(1, group).bind(2, key).bind(3, value.get<std::string>());
      s.run();
    }
  } else if (op.rfind("Untag", 0) == 0) {
    const char* member = by_arn ? "tagKeys" : "tags";
    auto keys = input.find(member);
    if (keys == input.end() || !keys->is_array() || keys->empty()) {
      invalid("1 validation error detected: Value null at '" + std::string(member) +
              "' failed to satisfy constraint: Member must not be null");
    }
    auto s = tx.prepare("DELETE FROM logs_tags WHERE grp = ? AND key = ?");
    for (const auto& key : *keys) {
      if (!key.is_string()) invalid("'" + std::string(member) + "' must hold strings");
      s.reset();
      s.bind(1, group).bind(2, key.get<std::string>());
      s.run();
    }
  }
  json output = json::object();
  if (op.rfind("ListTags", 0) == 0) {
    json tags = json::object();
    auto s = tx.prepare("SELECT key, value FROM logs_tags WHERE grp = ? ORDER BY key");
    s.bind(1, group);
    while (s.step()) tags[s.column_text(0)] = s.column_text(1);
    output["tags"] = std::move(tags);
  }
  tx.commit();
  return output;
}

// PutMetricFilter: one metricTransformation with a constant metricValue (text patterns only).
void put_metric_filter(Database& db, const ApiCall& call, std::int64_t now) {
  const json& in = call.input;
  const std::string group = required_text(in, "logGroupName");
  check_group_name(group);
  const std::string name = required_text(in, "filterName");
  if (name.empty() || name.size() > 512 || name.find_first_of(":*") != std::string::npos) {
    constraint(name, "filterName", "Member must satisfy regular expression pattern: [^:*]*");
  }
  const std::string pattern = required_text(in, "filterPattern");
  LogFilterPattern parsed(pattern);  // refuses what it cannot evaluate
  auto it = in.find("metricTransformations");
  if (it == in.end() || !it->is_array() || it->size() != 1) {
    constraint(it == in.end() ? "null" : it->dump(), "metricTransformations",
               "Member must have length less than or equal to 1 and greater than or equal to 1");
  }
  json transformation = (*it)[0];
  if (!transformation.is_object()) invalid("'metricTransformations.1' must be an object");
  for (const char* member : {"metricName", "metricNamespace", "metricValue"}) {
    auto value = text(transformation, member);
    if (!value || value->empty()) {
      invalid("1 validation error detected: Value null at 'metricTransformations.1.member." +
              std::string(member) + "' failed to satisfy constraint: Member must not be null");
    }
  }
  const std::string value = transformation["metricValue"];
  double number = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (ec != std::errc() || end != value.data() + value.size()) {
    invalid("metricValue '" + value +
            "' is not supported by lambdeploy local's CloudWatch Logs: only numbers (field "
            "values such as $.x need JSON or space-delimited patterns).");
  }
  if (transformation.contains("dimensions")) {
    invalid(
        "Dimensions need field values from JSON or space-delimited filter patterns, which "
        "lambdeploy local's CloudWatch Logs does not support.");
  }
  Transaction tx(db);
  if (!group_exists(tx.connection(), group)) no_group();
  auto s = tx.prepare(
      "INSERT INTO logs_metric_filters (grp, name, pattern, transformations, creation_time) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(grp, name) DO UPDATE SET pattern = ?3, "
      "transformations = ?4");
  s.bind(1, group).bind(2, name).bind(3, pattern).bind(4, json::array({transformation}).dump());
  s.bind(5, now);
  s.run();
  tx.commit();
}

// DescribeMetricFilters: by group and name prefix, or by metric name and namespace.
json describe_metric_filters(Database& db, const ApiCall& call) {
  const json& in = call.input;
  auto group = text(in, "logGroupName");
  auto prefix = text(in, "filterNamePrefix");
  auto metric_name = text(in, "metricName");
  auto metric_namespace = text(in, "metricNamespace");
  if (prefix && !group) invalid("filterNamePrefix requires logGroupName.");
  if (metric_name.has_value() != metric_namespace.has_value()) {
    invalid("metricName and metricNamespace must be given together.");
  }
  const std::int64_t limit = limit_of(in, 50, 50);
  const std::int64_t offset = offset_of(in);
  auto c = db.connect();
  auto s = c.prepare(
      "SELECT grp, name, pattern, transformations, creation_time FROM logs_metric_filters ORDER "
      "BY grp, name");
  json filters = json::array();
  std::int64_t index = 0;
  bool more = false;
  while (s.step()) {
    const std::string grp = s.column_text(0);
    const std::string name = s.column_text(1);
    const json transformations = json::parse(s.column_text(3));
    if (group && grp != *group) continue;
    if (prefix && name.rfind(*prefix, 0) != 0) continue;
    if (metric_name && (transformations[0].value("metricName", "") != *metric_name ||
                        transformations[0].value("metricNamespace", "") != *metric_namespace)) {
      continue;
    }
    if (index++ < offset) continue;
    if (static_cast<std::int64_t>(filters.size()) == limit) {
      more = true;
      break;
    }
    filters.push_back({{"filterName", name},
                       {"filterPattern", s.column_text(2)},
                       {"metricTransformations", transformations},
                       {"creationTime", s.column_int64(4)},
                       {"logGroupName", grp}});
  }
  json output = {{"metricFilters", std::move(filters)}};
  if (more) output["nextToken"] = offset_token(offset + limit);
  return output;
}

// DeleteMetricFilter / DeleteSubscriptionFilter: 404 when the filter does not exist.
void delete_filter(Database& db, const ApiCall& call, const char* table) {
  const std::string group = required_text(call.input, "logGroupName");
  const std::string name = required_text(call.input, "filterName");
  Transaction tx(db);
  if (!group_exists(tx.connection(), group)) no_group();
  auto s = tx.prepare("DELETE FROM " + std::string(table) + " WHERE grp = ? AND name = ?");
  s.bind(1, group).bind(2, name);
  if (s.run() == 0) {
    throw ApiError("ResourceNotFoundException", "The specified filter does not exist.");
  }
  tx.commit();
}

// PutSubscriptionFilter: stored and described; nothing is delivered to the destination.
void put_subscription_filter(Database& db, const ApiCall& call, std::int64_t now) {
  const json& in = call.input;
  const std::string group = required_text(in, "logGroupName");
  check_group_name(group);
  const std::string name = required_text(in, "filterName");
  const std::string pattern = required_text(in, "filterPattern");
  LogFilterPattern parsed(pattern);
  const std::string destination = required_text(in, "destinationArn");
  const std::string distribution = text(in, "distribution").value_or("ByLogStream");
  if (distribution != "Random" && distribution != "ByLogStream") {
    constraint(distribution, "distribution",
               "Member must satisfy enum value set: [Random, ByLogStream]");
  }
  json filter = {{"filterName", name},           {"logGroupName", group},
                 {"filterPattern", pattern},     {"destinationArn", destination},
                 {"distribution", distribution}, {"creationTime", now}};
  if (auto role = text(in, "roleArn")) filter["roleArn"] = *role;
  Transaction tx(db);
  if (!group_exists(tx.connection(), group)) no_group();
  auto count =
      tx.prepare("SELECT COUNT(*) FROM logs_subscription_filters WHERE grp = ?1 AND name != ?2");
  count.bind(1, group).bind(2, name);
  if (count.step() && count.column_int64(0) >= 2) {
    throw ApiError("LimitExceededException", "Resource limit exceeded.");
  }
  count.reset();
  auto s = tx.prepare(
      "INSERT INTO logs_subscription_filters (grp, name, document) VALUES (?1, ?2, ?3) ON "
      "CONFLICT(grp, name) DO UPDATE SET document = ?3");
  s.bind(1, group).bind(2, name).bind(3, filter.dump());
  s.run();
  tx.commit();
}

// DescribeSubscriptionFilters of one group, optionally by name prefix.
json describe_subscription_filters(Database& db, const ApiCall& call) {
  const std::string group = required_text(call.input, "logGroupName");
  auto prefix = text(call.input, "filterNamePrefix");
  const std::int64_t limit = limit_of(call.input, 50, 50);
  const std::int64_t offset = offset_of(call.input);
  auto c = db.connect();
  if (!group_exists(c, group)) no_group();
  auto s =
      c.prepare("SELECT name, document FROM logs_subscription_filters WHERE grp = ? ORDER BY name");
  s.bind(1, group);
  json filters = json::array();
  std::int64_t index = 0;
  bool more = false;
  while (s.step()) {
    if (prefix && s.column_text(0).rfind(*prefix, 0) != 0) continue;
    if (index++ < offset) continue;
    if (static_cast<std::int64_t>(filters.size()) == limit) {
      more = true;
      break;
    }
    filters.push_back(json::parse(s.column_text(1)));
  }
  json output = {{"subscriptionFilters", std::move(filters)}};
  if (more) output["nextToken"] = offset_token(offset + limit);
  return output;
}

// The metric data a group's metric filters make of `events` (read inside the events' `tx`).
std::vector<MetricDatum> filtered_metrics(Transaction& tx, const std::string& group,
                                          const std::vector<LogEvent>& events) {
  std::vector<MetricDatum> data;
  auto s = tx.prepare("SELECT pattern, transformations FROM logs_metric_filters WHERE grp = ?");
  s.bind(1, group);
  while (s.step()) {
    const LogFilterPattern pattern(s.column_text(0));
    const json transformation = json::parse(s.column_text(1))[0];
    const double value = std::stod(transformation.value("metricValue", "1"));
    for (const auto& event : events) {
      if (!pattern.matches(event.message)) continue;
      data.push_back({transformation.value("metricNamespace", ""),
                      transformation.value("metricName", ""),
                      {},
                      value,
                      transformation.value("unit", "None"),
                      event.timestamp_ms,
                      std::nullopt});
    }
  }
  return data;
}

}  // namespace

LogsService::LogsService(const State& state)
    : db_(state.db), now_(state.now ? state.now : system_now), region_(state.region) {
  db_->migrate("logs", 1, kSchema);
  db_->migrate("logs-monitoring", 1, kMonitoringSchema);
}

const aws::ServiceInfo& LogsService::info() const {
  return aws::kLogs;
}

void LogsService::append(const std::string& group, const std::string& stream,
                         std::vector<LogEvent> events) {
  std::vector<LogBatch> batches;
  batches.push_back(LogBatch{group, stream, std::move(events)});
  append_all(std::move(batches));
}

void LogsService::append_all(std::vector<LogBatch> batches) {
  const std::int64_t now = millis(now_());
  std::vector<MetricDatum> data;
  Transaction tx(*db_);
  auto group_insert =
      tx.prepare("INSERT OR IGNORE INTO logs_groups (name, creation_time) VALUES (?, ?)");
  auto stream_insert =
      tx.prepare("INSERT OR IGNORE INTO logs_streams (grp, name, creation_time) VALUES (?, ?, ?)");
  for (auto& batch : batches) {
    std::stable_sort(
        batch.events.begin(), batch.events.end(),
        [](const LogEvent& a, const LogEvent& b) { return a.timestamp_ms < b.timestamp_ms; });
    group_insert.reset();
    group_insert.bind(1, batch.group).bind(2, now);
    group_insert.run();
    stream_insert.reset();
    stream_insert.bind(1, batch.group).bind(2, batch.stream).bind(3, now);
    stream_insert.run();
    insert_events(tx, batch.group, batch.stream, batch.events, now);
    auto fed = filtered_metrics(tx, batch.group, batch.events);
    data.insert(data.end(), std::make_move_iterator(fed.begin()),
                std::make_move_iterator(fed.end()));
  }
  tx.commit();
  feed_metrics(std::move(data));
}

void LogsService::set_metric_sink(std::shared_ptr<MetricSink> sink) {
  std::lock_guard lock(metrics_mu_);
  metrics_ = std::move(sink);
}

void LogsService::feed_metrics(std::vector<MetricDatum> data) {
  if (data.empty()) return;
  std::shared_ptr<MetricSink> sink;
  {
    std::lock_guard lock(metrics_mu_);
    sink = metrics_;
  }
  if (sink) sink->put(std::move(data));
}

namespace {

ApiReply empty_reply() {
  ApiReply reply;
  reply.output = json::object();
  return reply;
}

void create_log_group(Database& db, const ApiCall& call, std::int64_t now) {
  const std::string group = required_text(call.input, "logGroupName");
  check_group_name(group);
  Transaction tx(db);
  auto s = tx.prepare("INSERT OR IGNORE INTO logs_groups (name, creation_time) VALUES (?, ?)");
  s.bind(1, group).bind(2, now);
  if (s.run() == 0) {
    throw ApiError("ResourceAlreadyExistsException", "The specified log group already exists");
  }
  tx.commit();
}

void delete_log_group(Database& db, const ApiCall& call) {
  const std::string group = required_text(call.input, "logGroupName");
  check_group_name(group);
  Transaction tx(db);
  auto s = tx.prepare("DELETE FROM logs_groups WHERE name = ?");
  s.bind(1, group);
  if (s.run() == 0) no_group();
  // Its tags and filters go with it.
  for (const char* table : {"logs_tags", "logs_metric_filters", "logs_subscription_filters"}) {
    auto owned = tx.prepare("DELETE FROM " + std::string(table) + " WHERE grp = ?");
    owned.bind(1, group);
    owned.run();
  }
  tx.commit();
}

json describe_log_groups(Database& db, const ApiCall& call, const std::string& region) {
  auto prefix = text(call.input, "logGroupNamePrefix");
  auto pattern = text(call.input, "logGroupNamePattern");
  if (prefix && pattern) {
    invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
  }
  if (prefix) check_group_name(*prefix, "logGroupNamePrefix");
  const std::int64_t limit = limit_of(call.input, 50, 50);
  const std::int64_t offset = offset_of(call.input);
  auto c = db.connect();
  auto s = c.prepare(
      "SELECT name, creation_time, retention_days, stored_bytes FROM logs_groups "
      "WHERE substr(name, 1, length(?1)) = ?1 AND instr(name, ?2) > 0 ORDER BY name "
      "LIMIT ?3 OFFSET ?4");
  s.bind(1, prefix.value_or("")).bind(2, pattern.value_or(""));
  s.bind(3, limit + 1).bind(4, offset);
  json groups = json::array();
  bool more = false;
  while (s.step()) {
    if (static_cast<std::int64_t>(groups.size()) == limit) {
      more = true;
      break;
    }
    const std::string name = s.column_text(0);
    json group = {{"logGroupName", name},
                  {"creationTime", s.column_int64(1)},
                  {"metricFilterCount", 0},
                  {"arn", group_arn(call, region, name) + ":*"},
                  {"storedBytes", s.column_int64(3)}};
    if (!s.is_null(2)) group["retentionInDays"] = s.column_int64(2);
    groups.push_back(std::move(group));
  }
  json output = {{"logGroups", std::move(groups)}};
  if (more) output["nextToken"] = offset_token(offset + limit);
  return output;
}

void put_retention_policy(Database& db, const ApiCall& call) {
  static constexpr std::array<std::int64_t, 22> kDays = {
      1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
      365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};
  const std::string group = required_text(call.input, "logGroupName");
  check_group_name(group);
  auto days = integer(call.input, "retentionInDays");
  if (!days) {
    invalid(
        "1 validation error detected: Value null at 'retentionInDays' failed to satisfy "
        "constraint: Member must not be null");
  }
  if (std::find(kDays.begin(), kDays.end(), *days) == kDays.end()) {
    constraint(std::to_string(*days), "retentionInDays",
               "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, "
               "365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]");
  }
  Transaction tx(db);
  auto s = tx.prepare("UPDATE logs_groups SET retention_days = ? WHERE name = ?");
  s.bind(1, *days).bind(2, group);
  if (s.run() == 0) no_group();
  tx.commit();
}

void delete_retention_policy(Database& db, const ApiCall& call) {
  const std::string group = required_text(call.input, "logGroupName");
  check_group_name(group);
  Transaction tx(db);
  auto s = tx.prepare("UPDATE logs_groups SET retention_days = NULL WHERE name = ?");
  s.bind(1, group);
  if (s.run() == 0) no_group();
  tx.commit();
}

void create_log_stream(Database& db, const ApiCall& call, std::int64_t now) {
  const std::string group = required_text(call.input, "logGroupName");
  const std::string stream = required_text(call.input, "logStreamName");
  check_group_name(group);
  check_stream_name(stream);
  Transaction tx(db);
  if (!group_exists(tx.connection(), group)) no_group();
  auto s =
      tx.prepare("INSERT OR IGNORE INTO logs_streams (grp, name, creation_time) VALUES (?, ?, ?)");
  s.bind(1, group).bind(2, stream).bind(3, now);
  if (s.run() == 0) {
    throw ApiError("ResourceAlreadyExistsException", "The specified log stream already exists");
  }
  tx.commit();
}

void delete_log_stream(Database& db, const ApiCall& call) {
  const std::string group = required_text(call.input, "logGroupName");
  const std::string stream = required_text(call.input, "logStreamName");
  check_group_name(group);
  check_stream_name(stream);
  Transaction tx(db);
  if (!group_exists(tx.connection(), group)) no_group();
  auto bytes = tx.prepare(
      "UPDATE logs_groups SET stored_bytes = stored_bytes - coalesce((SELECT stored_bytes FROM "
      "logs_streams WHERE grp = ?1 AND name = ?2), 0) WHERE name = ?1");
  bytes.bind(1, group).bind(2, stream);
  bytes.run();
  auto s = tx.prepare("DELETE FROM logs_streams WHERE grp = ? AND name = ?");
  s.bind(1, group).bind(2, stream);
  if (s.run() == 0) no_stream();
  tx.commit();
}

json describe_log_streams(Database& db, const ApiCall& call, const std::string& region) {
  const std::string group = group_of(call.input);
  auto prefix = text(call.input, "logStreamNamePrefix");
  const std::string order = text(call.input, "orderBy").value_or("LogStreamName");
  if (order != "LogStreamName" && order != "LastEventTime") {
    constraint(order, "orderBy",
               "Member must satisfy enum value set: [LogStreamName, LastEventTime]");
  }
  if (order == "LastEventTime" && prefix) {
    invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
  }
  const bool descending = boolean(call.input, "descending", false);
  const std::int64_t limit = limit_of(call.input, 50, 50);
  const std::int64_t offset = offset_of(call.input);
  auto c = db.connect();
  if (!group_exists(c, group)) no_group();
  const std::string direction = descending ? " DESC" : "";
  const std::string order_sql =
      order == "LastEventTime"
          ? "coalesce(last_event, -9223372036854775807)" + direction + ", name" + direction
          : "name" + direction;
  auto s = c.prepare(
      "SELECT name, creation_time, first_event, last_event, last_ingestion FROM logs_streams "
      "WHERE grp = ?1 AND substr(name, 1, length(?2)) = ?2 ORDER BY " +
      order_sql + " LIMIT ?3 OFFSET ?4");
  s.bind(1, group).bind(2, prefix.value_or("")).bind(3, limit + 1).bind(4, offset);
  json streams = json::array();
  bool more = false;
  while (s.step()) {
    if (static_cast<std::int64_t>(streams.size()) == limit) {
      more = true;
      break;
    }
    const std::string name = s.column_text(0);
    json stream = {{"logStreamName", name},
                   {"creationTime", s.column_int64(1)},
                   {"arn", group_arn(call, region, group) + ":log-stream:" + name},
                   {"storedBytes", 0}};
    if (!s.is_null(2)) stream["firstEventTimestamp"] = s.column_int64(2);
    if (!s.is_null(3)) stream["lastEventTimestamp"] = s.column_int64(3);
    if (!s.is_null(4)) stream["lastIngestionTime"] = s.column_int64(4);
    streams.push_back(std::move(stream));
  }
  json output = {{"logStreams", std::move(streams)}};
  if (more) output["nextToken"] = offset_token(offset + limit);
  return output;
}

json get_log_events(Database& db, const ApiCall& call) {
  const std::string group = group_of(call.input);
  const std::string stream = required_text(call.input, "logStreamName");
  check_stream_name(stream);
  const std::int64_t start = integer(call.input, "startTime").value_or(kMin);
  const std::int64_t end = integer(call.input, "endTime").value_or(kMax);
  const std::int64_t limit = limit_of(call.input, 10000, 10000);
  const bool from_head = boolean(call.input, "startFromHead", false);
  auto token = text(call.input, "nextToken");

  char direction = from_head ? 'f' : 'b';
  Cursor cursor{from_head ? std::max<std::int64_t>(start, 0) : end, 0};
  if (token) std::tie(direction, cursor) = parse_event_token(*token);

  auto c = db.connect();
  if (!group_exists(c, group)) no_group();
  if (!stream_exists(c, group, stream)) no_stream();

  // Forward: after the cursor, ascending. Backward: before it, descending (then reversed).
  auto s = c.prepare(
      direction == 'f'
          ? "SELECT id, timestamp, message, ingestion FROM logs_events WHERE grp = ?1 AND "
            "stream = ?2 AND timestamp >= ?3 AND timestamp < ?4 AND (timestamp > ?5 OR "
            "(timestamp = ?5 AND id > ?6)) ORDER BY timestamp, id LIMIT ?7"
          : "SELECT id, timestamp, message, ingestion FROM logs_events WHERE grp = ?1 AND "
            "stream = ?2 AND timestamp >= ?3 AND timestamp < ?4 AND (timestamp < ?5 OR "
            "(timestamp = ?5 AND id < ?6)) ORDER BY timestamp DESC, id DESC LIMIT ?7");
  s.bind(1, group).bind(2, stream).bind(3, start).bind(4, end);
  s.bind(5, cursor.timestamp).bind(6, cursor.id).bind(7, limit);
  std::vector<std::pair<Cursor, json>> rows;
  std::size_t bytes = 0;
  while (s.step()) {
    std::string message = s.column_text(2);
    bytes += message.size() + kEventOverhead;
    if (bytes > kMaxResponseBytes && !rows.empty()) break;
    Cursor at{s.column_int64(1), s.column_int64(0)};
    rows.emplace_back(at, json{{"timestamp", at.timestamp},
                               {"message", std::move(message)},
                               {"ingestionTime", s.column_int64(3)}});
  }
  if (direction == 'b') std::reverse(rows.begin(), rows.end());

  json events = json::array();
  for (auto& row : rows) events.push_back(std::move(row.second));
  json output = {{"events", std::move(events)}};
  if (rows.empty()) {
    // The end of the stream in the direction read: the same token comes back.
    if (direction == 'f') {
      output["nextForwardToken"] = token.value_or(event_token('f', cursor));
      output["nextBackwardToken"] = event_token('b', {cursor.timestamp, cursor.id + 1});
    } else {
      output["nextBackwardToken"] = token.value_or(event_token('b', cursor));
      output["nextForwardToken"] = event_token('f', {cursor.timestamp, cursor.id - 1});
    }
  } else {
    output["nextForwardToken"] = event_token('f', rows.back().first);
    output["nextBackwardToken"] = event_token('b', rows.front().first);
  }
  return output;
}

json filter_log_events(Database& db, const ApiCall& call) {
  const std::string group = group_of(call.input);
  std::optional<std::set<std::string>> names;
  if (auto it = call.input.find("logStreamNames"); it != call.input.end() && !it->is_null()) {
    if (!it->is_array() || it->empty() || it->size() > 100) {
      invalid("logStreamNames must be a list of 1 to 100 log stream names");
    }
    names.emplace();
    for (const auto& name : *it) {
      if (!name.is_string()) invalid("logStreamNames must be a list of strings");
      names->insert(name.get<std::string>());
    }
  }
  auto prefix = text(call.input, "logStreamNamePrefix");
  if (names && prefix) {
    std::set<std::string> kept;
    for (const auto& name : *names)
      if (name.rfind(*prefix, 0) == 0) kept.insert(name);
    if (kept.empty()) {
      invalid("logStreamNamePrefix matches none of the logStreamNames.");
    }
    names = std::move(kept);
  }
  const std::int64_t start = integer(call.input, "startTime").value_or(kMin);
  const std::int64_t end = integer(call.input, "endTime").value_or(kMax);
  const std::int64_t limit = limit_of(call.input, 10000, 10000);
  const LogFilterPattern pattern(text(call.input, "filterPattern").value_or(""));

  Cursor cursor{kMin, 0};
  if (auto token = text(call.input, "nextToken")) {
    auto decoded = base64_decode(*token);
    if (!decoded || decoded->rfind("filter/", 0) != 0) bad_token();
    auto slash = decoded->find('/', 7);
    if (slash == std::string::npos) bad_token();
    try {
      cursor = {std::stoll(decoded->substr(7, slash - 7)), std::stoll(decoded->substr(slash + 1))};
    } catch (const std::exception&) {
      bad_token();
    }
  }

  auto c = db.connect();
  if (!group_exists(c, group)) no_group();
  auto s = c.prepare(
      "SELECT id, stream, timestamp, message, ingestion FROM logs_events WHERE grp = ?1 AND "
      "timestamp >= ?2 AND timestamp <= ?3 AND (timestamp > ?4 OR (timestamp = ?4 AND id > "
      "?5)) ORDER BY timestamp, id");
  s.bind(1, group).bind(2, start).bind(3, end).bind(4, cursor.timestamp).bind(5, cursor.id);
  json events = json::array();
  std::optional<Cursor> last;
  bool more = false;
  std::size_t page_bytes = 0;
  while (s.step()) {
    if (static_cast<std::int64_t>(events.size()) == limit) {
      more = true;
      break;
    }
    std::string stream = s.column_text(1);
    if (names && names->count(stream) == 0) continue;
    if (!names && prefix && stream.rfind(*prefix, 0) != 0) continue;
    std::string message = s.column_text(3);
    if (!pattern.matches(message)) continue;
    // As AWS: as many events as fit in 1 MB (up to `limit`), the rest behind the next token.
    const std::size_t bytes =
        json_size_bound(stream) + json_size_bound(message) + kEventOverheadBytes;
    if (!events.empty() && page_bytes + bytes > kFilterPageBytes) {
      more = true;
      break;
    }
    page_bytes += bytes;
    Cursor at{s.column_int64(2), s.column_int64(0)};
    last = at;
    events.push_back({{"logStreamName", std::move(stream)},
                      {"timestamp", at.timestamp},
                      {"message", std::move(message)},
                      {"ingestionTime", s.column_int64(4)},
                      {"eventId", event_id(at)}});
  }
  json output = {{"events", std::move(events)}, {"searchedLogStreams", json::array()}};
  if (more && last) {
    output["nextToken"] =
        base64_encode("filter/" + std::to_string(last->timestamp) + "/" + std::to_string(last->id));
  }
  return output;
}

// PutLogEvents; the metric data the group's metric filters make of the kept events go to `fed`.
json put_log_events(Database& db, const ApiCall& call, std::int64_t now,
                    std::vector<MetricDatum>& fed) {
  const std::string group = required_text(call.input, "logGroupName");
  const std::string stream = required_text(call.input, "logStreamName");
  check_group_name(group);
  check_stream_name(stream);
  auto it = call.input.find("logEvents");
  if (it == call.input.end() || it->is_null()) {
    invalid(
        "1 validation error detected: Value null at 'logEvents' failed to satisfy constraint: "
        "Member must not be null");
  }
  if (!it->is_array() || it->empty() || it->size() > 10000) {
    invalid(
        "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member "
        "must have length between 1 and 10000");
  }
  std::vector<LogEvent> events;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& item = (*it)[i];
    const std::string where = "logEvents." + std::to_string(i + 1);
    if (!item.is_object()) invalid("'" + where + "' must be an object");
    auto timestamp = integer(item, "timestamp");
    auto message = text(item, "message");
    if (!timestamp || !message) {
      invalid("1 validation error detected: Value null at '" + where + "." +
              (timestamp ? "message" : "timestamp") +
              "' failed to satisfy constraint: Member must not be null");
    }
    if (message->empty()) {
      invalid("1 validation error detected: Value '' at '" + where +
              ".message' failed to satisfy constraint: Member must have length greater than or "
              "equal to 1");
    }
    if (!events.empty() && *timestamp < events.back().timestamp_ms) {
      invalid("Log events in a single PutLogEvents request must be in chronological order.");
    }
    bytes += message->size() + kEventOverhead;
    events.push_back({*timestamp, std::move(*message)});
  }
  if (bytes > kMaxResponseBytes) {
    invalid("Upload too large: " + std::to_string(bytes) + " bytes exceeds limit of " +
            std::to_string(kMaxResponseBytes));
  }
  if (events.back().timestamp_ms - events.front().timestamp_ms > kDayMs) {
    invalid(
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  }

  Transaction tx(db);
  std::optional<std::int64_t> retention;
  {
    auto s = tx.prepare("SELECT retention_days FROM logs_groups WHERE name = ?");
    s.bind(1, group);
    if (!s.step()) no_group();
    if (!s.is_null(0)) retention = s.column_int64(0);
  }
  if (!stream_exists(tx.connection(), group, stream)) no_stream();

  // Chronological: expired and too-old events lead, too-new ones trail.
  const std::int64_t too_old = now - 14 * kDayMs;
  const std::int64_t expired = retention ? now - *retention * kDayMs : kMin;
  const std::int64_t too_new = now + 2 * 3600 * 1000;
  const std::int64_t oldest_kept = std::max(too_old, expired);
  std::size_t first_kept = 0;
  std::size_t too_old_end = 0;
  std::size_t expired_end = 0;
  while (first_kept < events.size() && events[first_kept].timestamp_ms < oldest_kept) {
    if (events[first_kept].timestamp_ms < too_old) too_old_end = first_kept + 1;
    if (events[first_kept].timestamp_ms < expired) expired_end = first_kept + 1;
    ++first_kept;
  }
  std::size_t end_kept = events.size();
  while (end_kept > first_kept && events[end_kept - 1].timestamp_ms > too_new) --end_kept;

  json output = json::object();
  json rejected = json::object();
  // tooOldLogEventEndIndex and expiredLogEventEndIndex are exclusive, tooNewLogEventStartIndex
  // inclusive (CloudWatch Logs API reference, RejectedLogEventsInfo).
  if (too_old_end > 0) rejected["tooOldLogEventEndIndex"] = too_old_end;
  if (expired_end > 0) rejected["expiredLogEventEndIndex"] = expired_end;
  if (end_kept < events.size()) rejected["tooNewLogEventStartIndex"] = end_kept;
  if (!rejected.empty()) output["rejectedLogEventsInfo"] = std::move(rejected);

  std::vector<LogEvent> kept(std::make_move_iterator(events.begin() + first_kept),
                             std::make_move_iterator(events.begin() + end_kept));
  insert_events(tx, group, stream, kept, now);
  fed = filtered_metrics(tx, group, kept);
  tx.commit();
  output["nextSequenceToken"] = event_id({now, static_cast<std::int64_t>(kept.size())});
  return output;
}

}  // namespace

ApiReply LogsService::call(ApiCall& call) {
  const std::int64_t now = millis(call.now.time_since_epoch().count() != 0 ? call.now : now_());
  const std::string& op = call.operation;
  ApiReply reply = empty_reply();
  if (op == "CreateLogGroup") {
    create_log_group(*db_, call, now);
  } else if (op == "DeleteLogGroup") {
    delete_log_group(*db_, call);
  } else if (op == "DescribeLogGroups") {
    reply.output = describe_log_groups(*db_, call, region_);
  } else if (op == "PutRetentionPolicy") {
    put_retention_policy(*db_, call);
  } else if (op == "DeleteRetentionPolicy") {
    delete_retention_policy(*db_, call);
  } else if (op == "CreateLogStream") {
    create_log_stream(*db_, call, now);
  } else if (op == "DeleteLogStream") {
    delete_log_stream(*db_, call);
  } else if (op == "DescribeLogStreams") {
    reply.output = describe_log_streams(*db_, call, region_);
  } else if (op == "GetLogEvents") {
    reply.output = get_log_events(*db_, call);
  } else if (op == "FilterLogEvents") {
    reply.output = filter_log_events(*db_, call);
  } else if (op == "PutLogEvents") {
    std::vector<MetricDatum> fed;
    reply.output = put_log_events(*db_, call, now, fed);
    feed_metrics(std::move(fed));
  } else if (op == "TagResource" || op == "UntagResource" || op == "ListTagsForResource" ||
             op == "TagLogGroup" || op == "UntagLogGroup" || op == "ListTagsLogGroup") {
    reply.output = group_tags_call(*db_, op, call.input);
  } else if (op == "PutMetricFilter") {
    put_metric_filter(*db_, call, now);
  } else if (op == "DescribeMetricFilters") {
    reply.output = describe_metric_filters(*db_, call);
  } else if (op == "DeleteMetricFilter") {
    delete_filter(*db_, call, "logs_metric_filters");
  } else if (op == "PutSubscriptionFilter") {
    put_subscription_filter(*db_, call, now);
  } else if (op == "DescribeSubscriptionFilters") {
    reply.output = describe_subscription_filters(*db_, call);
  } else if (op == "DeleteSubscriptionFilter") {
    delete_filter(*db_, call, "logs_subscription_filters");
  } else {
    throw ApiError("UnknownOperationException",
                   "Operation " + op + " is not supported by lambdeploy local's CloudWatch Logs");
  }
  return reply;
}

}  // namespace ld::local
