#include "local/services/cloudwatch_alarm_history.hpp"

#include <algorithm>
#include <vector>

#include "local/services/cloudwatch_input.hpp"

namespace ld::local::cloudwatch {

using nlohmann::json;

// Appends one AlarmHistoryItem (ConfigurationUpdate, StateUpdate or Action) inside `tx`.
void record_history(Transaction& tx, const std::string& name, std::int64_t now,
                    const std::string& type, const std::string& summary, const json& data) {
  auto s = tx.prepare(
      "INSERT INTO cw_alarm_history (alarm_name, timestamp, type, summary, data) VALUES (?, ?, "
      "?, ?, ?)");
  s.bind(1, name).bind(2, now).bind(3, type).bind(4, summary).bind(5, data.dump());
  s.run();
}

namespace {

// The HistoryData of a state change, as CloudWatch words it.
json state_change_data(const json& before, const json& after) {
  auto state = [](const json& alarm) {
    json out = {{"stateValue", alarm.value("StateValue", "")},
                {"stateReason", alarm.value("StateReason", "")}};
    if (alarm.contains("StateReasonData") &&
        json::accept(alarm["StateReasonData"].get<std::string>()))
      out["stateReasonData"] = json::parse(alarm["StateReasonData"].get<std::string>());
    return out;
  };
  return {{"version", "1.0"}, {"oldState", state(before)}, {"newState", state(after)}};
}

}  // namespace

// Records a StateUpdate when `after` is in another state than `before`.
void record_state_change(Transaction& tx, const json& before, const json& after, std::int64_t now) {
  const std::string from = before.value("StateValue", "");
  const std::string to = after.value("StateValue", "");
  if (from == to) return;
  record_history(tx, after.value("AlarmName", ""), now, "StateUpdate",
                 "Alarm updated from " + from + " to " + to, state_change_data(before, after));
}

// DescribeAlarmHistory over the recorded items (metric alarms only).
json describe_alarm_history(Database& db, const json& input) {
  auto name = text(input, "AlarmName");
  auto type = text(input, "HistoryItemType");
  if (type && *type != "ConfigurationUpdate" && *type != "StateUpdate" && *type != "Action") {
    validation(*type, "historyItemType",
               "Member must satisfy enum value set: [ConfigurationUpdate, StateUpdate, Action]");
  }
  auto start = time_member(input, "StartDate");
  auto end = time_member(input, "EndDate");
  const std::string scan_by = text(input, "ScanBy").value_or("TimestampDescending");
  if (scan_by != "TimestampDescending" && scan_by != "TimestampAscending") {
    validation(scan_by, "scanBy",
               "Member must satisfy enum value set: [TimestampDescending, TimestampAscending]");
  }
  auto max_records = integer(input, "MaxRecords");
  if (max_records && (*max_records < 1 || *max_records > 100)) {
    validation(std::to_string(*max_records), "maxRecords",
               "Member must have value between 1 and 100");
  }
  const std::size_t limit = static_cast<std::size_t>(max_records.value_or(100));
  const std::size_t offset = offset_of(input);
  const auto types = string_list(input, "AlarmTypes", 2);
  const bool metric_alarms =
      types.empty() || std::find(types.begin(), types.end(), "MetricAlarm") != types.end();

  json items = json::array();
  bool more = false;
  if (metric_alarms) {
    auto c = db.connect();
    auto s = c.prepare(
        std::string("SELECT alarm_name, timestamp, type, summary, data FROM cw_alarm_history "
                    "WHERE (?1 IS NULL OR alarm_name = ?1) AND (?2 IS NULL OR type = ?2) AND "
                    "(?3 IS NULL OR timestamp >= ?3) AND (?4 IS NULL OR timestamp <= ?4) ORDER "
                    "BY timestamp ") +
        (scan_by == "TimestampAscending" ? "ASC, id ASC" : "DESC, id DESC") +
        " LIMIT ?5 OFFSET ?6");
    if (name) {
      s.bind(1, *name);
    } else {
      s.bind(1, nullptr);
    }
    if (type) {
      s.bind(2, *type);
    } else {
      s.bind(2, nullptr);
    }
    if (start) {
      s.bind(3, *start);
    } else {
      s.bind(3, nullptr);
    }
    if (end) {
      s.bind(4, *end);
    } else {
      s.bind(4, nullptr);
    }
    s.bind(5, static_cast<std::int64_t>(limit + 1)).bind(6, static_cast<std::int64_t>(offset));
    while (s.step()) {
      if (items.size() == limit) {
        more = true;
        break;
      }
      items.push_back({{"AlarmName", s.column_text(0)},
                       {"AlarmType", "MetricAlarm"},
                       {"Timestamp", format_iso8601(at(s.column_int64(1)))},
                       {"HistoryItemType", s.column_text(2)},
                       {"HistorySummary", s.column_text(3)},
                       {"HistoryData", s.column_text(4)}});
    }
  }
  json output = {{"AlarmHistoryItems", std::move(items)}};
  if (more) output["NextToken"] = offset_token(offset + limit);
  return output;
}

}  // namespace ld::local::cloudwatch
