#include "local/services/cloudwatch.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string_view>
#include <utility>

#include "aws/services/cloudwatch.hpp"
#include "core/encoding.hpp"
#include "local/input_text.hpp"
#include "local/services/cloudwatch_alarm_evaluation.hpp"

namespace ld::local {

namespace {

using nlohmann::json;

constexpr const char* kSchema = R"sql(
CREATE TABLE cw_data (
  id INTEGER PRIMARY KEY,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  dimensions TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  unit TEXT NOT NULL,
  sum REAL NOT NULL,
  count REAL NOT NULL,
  min REAL NOT NULL,
  max REAL NOT NULL
);
CREATE INDEX cw_data_by_metric ON cw_data(namespace, name, dimensions, timestamp);
CREATE TABLE cw_alarms (
  name TEXT PRIMARY KEY,
  document TEXT NOT NULL,
  revision INTEGER NOT NULL
);
)sql";

constexpr std::array<const char*, 27> kUnits = {"Seconds",
                                                "Microseconds",
                                                "Milliseconds",
                                                "Bytes",
                                                "Kilobytes",
                                                "Megabytes",
                                                "Gigabytes",
                                                "Terabytes",
                                                "Bits",
                                                "Kilobits",
                                                "Megabits",
                                                "Gigabits",
                                                "Terabits",
                                                "Percent",
                                                "Count",
                                                "Bytes/Second",
                                                "Kilobytes/Second",
                                                "Megabytes/Second",
                                                "Gigabytes/Second",
                                                "Terabytes/Second",
                                                "Bits/Second",
                                                "Kilobits/Second",
                                                "Megabits/Second",
                                                "Gigabits/Second",
                                                "Terabits/Second",
                                                "Count/Second",
                                                "None"};
constexpr std::array<const char*, 5> kStatistics = {"SampleCount", "Average", "Sum", "Minimum",
                                                    "Maximum"};
constexpr std::array<const char*, 4> kComparisons = {"GreaterThanOrEqualToThreshold",
                                                     "GreaterThanThreshold", "LessThanThreshold",
                                                     "LessThanOrEqualToThreshold"};
constexpr std::array<const char*, 4> kMissingData = {"missing", "notBreaching", "breaching",
                                                     "ignore"};
constexpr std::array<const char*, 3> kStates = {"OK", "ALARM", "INSUFFICIENT_DATA"};

template <std::size_t N>
bool one_of(const std::array<const char*, N>& values, const std::string& value) {
  return std::any_of(values.begin(), values.end(), [&](const char* v) { return value == v; });
}

template <std::size_t N>
std::string enum_set(const std::array<const char*, N>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < N; ++i) out += (i > 0 ? ", " : "") + std::string(values[i]);
  return out + "]";
}

[[noreturn]] void missing(const std::string& member) {
  throw ApiError("MissingParameter", "The parameter " + member + " is required.");
}

[[noreturn]] void invalid_value(const std::string& message) {
  throw ApiError("InvalidParameterValue", message);
}

[[noreturn]] void validation(const std::string& value, const std::string& member,
                             const std::string& what) {
  throw ApiError("ValidationError", "1 validation error detected: Value '" + value + "' at '" +
                                        member + "' failed to satisfy constraint: " + what);
}

std::optional<std::string> text(const json& input, const char* member) {
  auto it = input.find(member);
  if (it == input.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::string required(const json& input, const char* member, const std::string& where = {}) {
  auto value = text(input, member);
  if (!value || value->empty()) missing(where + member);
  return *value;
}

std::optional<double> number(const json& input, const char* member, const std::string& where = {}) {
  auto it = input.find(member);
  if (it == input.end() || it->is_null()) return std::nullopt;
  if (it->is_number()) return it->get<double>();
  const std::string value = it->is_string() ? it->get<std::string>() : it->dump();
  double out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(out)) {
    invalid_value("The parameter " + where + member + " must be a number, not '" + value + "'.");
  }
  return out;
}

std::optional<std::int64_t> integer(const json& input, const char* member,
                                    const std::string& where = {}) {
  auto it = input.find(member);
  if (it == input.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  const std::string value = it->is_string() ? it->get<std::string>() : it->dump();
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size()) {
    invalid_value("The parameter " + where + member + " must be an integer, not '" + value + "'.");
  }
  return out;
}

std::optional<bool> boolean(const json& input, const char* member) {
  auto value = text(input, member);
  if (!value) return std::nullopt;
  if (*value == "true") return true;
  if (*value == "false") return false;
  invalid_value("The parameter " + std::string(member) + " must be true or false.");
}

// A list member: `L.member.N` arrives as an array, `L=` as [], a lone value as a scalar.
json list(const json& input, const char* member) {
  auto it = input.find(member);
  if (it == input.end() || it->is_null()) return json::array();
  if (it->is_array()) return *it;
  if (it->is_string() && it->get<std::string>().empty()) return json::array();
  return json::array({*it});
}

std::int64_t millis(Timestamp t) {
  return t.time_since_epoch().count();
}

Timestamp at(std::int64_t ms) {
  return Timestamp(std::chrono::milliseconds(ms));
}

// ISO 8601 (what the SDKs send) or epoch seconds.
std::optional<std::int64_t> time_member(const json& input, const char* member,
                                        const std::string& where = {}) {
  auto value = text(input, member);
  if (!value) return std::nullopt;
  if (auto parsed = parse_iso8601(*value)) return millis(*parsed);
  double seconds = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), seconds);
  if (ec == std::errc() && end == value->data() + value->size()) {
    return static_cast<std::int64_t>(std::llround(seconds * 1000));
  }
  invalid_value("The parameter " + where + member + " must be an ISO 8601 timestamp, not '" +
                *value + "'.");
}

using Dimensions = std::vector<std::pair<std::string, std::string>>;

Dimensions dimensions_of(const json& input, const std::string& where) {
  Dimensions dims;
  const json items = list(input, "Dimensions");
  if (items.size() > 30) {
    invalid_value("The collection " + where + "Dimensions must not have a size greater than 30.");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string at_item = where + "Dimensions.member." + std::to_string(i + 1) + ".";
    if (!items[i].is_object()) missing(at_item + "Name");
    dims.emplace_back(required(items[i], "Name", at_item), required(items[i], "Value", at_item));
  }
  return dims;
}

// The stored form of a dimension set: sorted by name, so sets compare as strings.
std::string dimension_key(Dimensions dims) {
  std::sort(dims.begin(), dims.end());
  json key = json::array();
  for (auto& [name, value] : dims) key.push_back({name, value});
  return key.dump();
}

json dimensions_json(const Dimensions& dims) {
  json out = json::array();
  for (const auto& [name, value] : dims) out.push_back({{"Name", name}, {"Value", value}});
  return out;
}

json dimensions_json(const std::string& key) {
  json out = json::array();
  for (const auto& pair : json::parse(key)) out.push_back({{"Name", pair[0]}, {"Value", pair[1]}});
  return out;
}

// Aggregated values of one or more data points.
struct Stats {
  double sum = 0;
  double count = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  std::string unit;

  void add(const Stats& other) {
    sum += other.sum;
    count += other.count;
    min = std::min(min, other.min);
    max = std::max(max, other.max);
    if (unit.empty()) unit = other.unit;
  }
  double statistic(const std::string& name) const {
    if (name == "Sum") return sum;
    if (name == "SampleCount") return count;
    if (name == "Minimum") return min;
    if (name == "Maximum") return max;
    return count > 0 ? sum / count : 0;  // Average
  }
};

struct StoredDatum {
  std::string metric_namespace;
  std::string name;
  std::string dimensions;
  std::int64_t timestamp_ms = 0;
  Stats stats;
};

void insert_data(Database& db, const std::vector<StoredDatum>& data) {
  Transaction tx(db);
  auto s = tx.prepare(
      "INSERT INTO cw_data (namespace, name, dimensions, timestamp, unit, sum, count, min, max) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& d : data) {
    s.reset();
    s.bind(1, d.metric_namespace).bind(2, d.name).bind(3, d.dimensions).bind(4, d.timestamp_ms);
    s.bind(5, d.stats.unit).bind(6, d.stats.sum).bind(7, d.stats.count);
    s.bind(8, d.stats.min).bind(9, d.stats.max);
    s.run();
  }
  tx.commit();
}

// The data of one metric in [start, end), optionally of one unit.
std::vector<std::pair<std::int64_t, Stats>> read_data(Database& db, const std::string& ns,
                                                      const std::string& name,
                                                      const std::string& dimensions,
                                                      std::int64_t start, std::int64_t end,
                                                      const std::optional<std::string>& unit) {
  auto c = db.connect();
  auto s = c.prepare(
      "SELECT timestamp, unit, sum, count, min, max FROM cw_data WHERE namespace = ? AND name = "
      "? AND dimensions = ? AND timestamp >= ? AND timestamp < ? ORDER BY timestamp");
  s.bind(1, ns).bind(2, name).bind(3, dimensions).bind(4, start).bind(5, end);
  std::vector<std::pair<std::int64_t, Stats>> rows;
  while (s.step()) {
    Stats stats{s.column_double(2), s.column_double(3), s.column_double(4), s.column_double(5),
                s.column_text(1)};
    if (unit && stats.unit != *unit) continue;
    rows.emplace_back(s.column_int64(0), std::move(stats));
  }
  return rows;
}

void check_unit(const std::string& unit, const std::string& member) {
  if (!one_of(kUnits, unit))
    validation(unit, member, "Member must satisfy enum value set: " + enum_set(kUnits));
}

void check_period(std::int64_t period, const std::string& member) {
  if (period < 1) invalid_value("The parameter " + member + " must be greater than 0.");
  if (period < 60 ? !(period == 1 || period == 5 || period == 10 || period == 30)
                  : period % 60 != 0) {
    invalid_value("The parameter " + member + " must be 1, 5, 10, 30, or a multiple of 60.");
  }
}

std::vector<StoredDatum> parse_metric_data(const json& input, std::int64_t now) {
  const std::string ns = required(input, "Namespace");
  if (ns.rfind("AWS/", 0) == 0) {
    invalid_value("The value " + ns + " for parameter Namespace is invalid.");
  }
  const json items = list(input, "MetricData");
  if (items.empty()) missing("MetricData");
  if (items.size() > 1000) {
    invalid_value("The collection MetricData must not have a size greater than 1000.");
  }
  std::vector<StoredDatum> data;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string where = "MetricData.member." + std::to_string(i + 1) + ".";
    const json& item = items[i];
    if (!item.is_object()) missing(where + "MetricName");
    StoredDatum d;
    d.metric_namespace = ns;
    d.name = required(item, "MetricName", where);
    d.dimensions = dimension_key(dimensions_of(item, where));
    d.timestamp_ms = time_member(item, "Timestamp", where).value_or(now);
    if (d.timestamp_ms > now + 2 * 3600 * 1000) {
      invalid_value("The parameter " + where +
                    "Timestamp must specify a time no more than two hours in the future.");
    }
    if (d.timestamp_ms < now - 14LL * 24 * 3600 * 1000) {
      invalid_value("The parameter " + where +
                    "Timestamp must specify a time within the past two weeks.");
    }
    d.stats.unit = text(item, "Unit").value_or("None");
    check_unit(d.stats.unit, where + "Unit");
    auto value = number(item, "Value", where);
    const bool has_statistics = item.contains("StatisticValues");
    const json values = list(item, "Values");
    const int given = (value ? 1 : 0) + (has_statistics ? 1 : 0) + (values.empty() ? 0 : 1);
    if (given > 1) {
      throw ApiError("InvalidParameterCombination",
                     "The parameters " + where + "Value, " + where + "StatisticValues and " +
                         where +
                         "Values are mutually exclusive and you have specified more "
                         "than one.");
    }
    if (value) {
      d.stats.sum = *value;
      d.stats.count = 1;
      d.stats.min = d.stats.max = *value;
    } else if (has_statistics) {
      const json& sv = item["StatisticValues"];
      const std::string at_sv = where + "StatisticValues.";
      auto need = [&](const char* member) {
        auto v = number(sv, member, at_sv);
        if (!v) missing(at_sv + member);
        return *v;
      };
      d.stats.sum = need("Sum");
      d.stats.count = need("SampleCount");
      d.stats.min = need("Minimum");
      d.stats.max = need("Maximum");
    } else if (!values.empty()) {
      const json counts = list(item, "Counts");
      if (!counts.empty() && counts.size() != values.size()) {
        invalid_value("The parameters " + where + "Values and " + where +
                      "Counts must be arrays of the same size.");
      }
      for (std::size_t k = 0; k < values.size(); ++k) {
        const json holder = {{"v", values[k]}, {"c", counts.empty() ? json("1") : counts[k]}};
        const double v = *number(holder, "v", where + "Values.member." + std::to_string(k + 1));
        const double c = *number(holder, "c", where + "Counts.member." + std::to_string(k + 1));
        d.stats.sum += v * c;
        d.stats.count += c;
        d.stats.min = std::min(d.stats.min, v);
        d.stats.max = std::max(d.stats.max, v);
      }
    } else {
      missing(where + "Value");
    }
    data.push_back(std::move(d));
  }
  return data;
}

json get_metric_statistics(Database& db, const json& input) {
  const std::string ns = required(input, "Namespace");
  const std::string name = required(input, "MetricName");
  auto start = time_member(input, "StartTime");
  if (!start) missing("StartTime");
  auto end = time_member(input, "EndTime");
  if (!end) missing("EndTime");
  auto period = integer(input, "Period");
  if (!period) missing("Period");
  check_period(*period, "Period");
  if (*start >= *end) {
    invalid_value("The parameter StartTime must be less than the parameter EndTime.");
  }
  const json statistics = list(input, "Statistics");
  const json extended = list(input, "ExtendedStatistics");
  if (statistics.empty() && extended.empty()) {
    throw ApiError("InvalidParameterCombination",
                   "Must specify either Statistics or ExtendedStatistics.");
  }
  if (!extended.empty()) {
    invalid_value(
        "ExtendedStatistics (percentiles) are not supported by lambdeploy local's CloudWatch; "
        "use Statistics.");
  }
  std::vector<std::string> wanted;
  for (const auto& s : statistics) {
    const std::string stat = s.is_string() ? s.get<std::string>() : s.dump();
    if (!one_of(kStatistics, stat)) {
      validation(stat, "statistics",
                 "Member must satisfy constraint: [Member must satisfy enum value set: " +
                     enum_set(kStatistics) + "]");
    }
    wanted.push_back(stat);
  }
  auto unit = text(input, "Unit");
  if (unit) check_unit(*unit, "unit");
  const std::string dimensions = dimension_key(dimensions_of(input, ""));

  // Buckets start at StartTime rounded down to the minute (the second for short periods).
  const std::int64_t period_ms = *period * 1000;
  const std::int64_t granularity = *period >= 60 ? 60'000 : 1000;
  const std::int64_t first = *start - (*start % granularity);
  const std::int64_t buckets = (*end - first + period_ms - 1) / period_ms;
  if (buckets > 1440) {
    throw ApiError("InvalidParameterCombination",
                   "You have requested up to " + std::to_string(buckets) +
                       " datapoints, which exceeds the limit of 1440. You may reduce the "
                       "datapoints requested by increasing Period, or decreasing the time range.");
  }
  std::map<std::int64_t, Stats> by_bucket;
  for (auto& [timestamp, stats] : read_data(db, ns, name, dimensions, first, *end, unit)) {
    by_bucket[first + (timestamp - first) / period_ms * period_ms].add(stats);
  }
  json points = json::array();
  for (const auto& [bucket, stats] : by_bucket) {
    json point = {{"Timestamp", format_iso8601(at(bucket))}};
    for (const auto& stat : wanted) point[stat] = stats.statistic(stat);
    point["Unit"] = stats.unit;
    points.push_back(std::move(point));
  }
  return {{"Label", name}, {"Datapoints", std::move(points)}};
}

json list_metrics(Database& db, const json& input) {
  auto ns = text(input, "Namespace");
  auto name = text(input, "MetricName");
  std::vector<std::pair<std::string, std::optional<std::string>>> filters;
  const json items = list(input, "Dimensions");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string where = "Dimensions.member." + std::to_string(i + 1) + ".";
    filters.emplace_back(required(items[i], "Name", where), text(items[i], "Value"));
  }
  auto c = db.connect();
  auto s = c.prepare(
      "SELECT DISTINCT namespace, name, dimensions FROM cw_data WHERE (?1 IS NULL OR namespace "
      "= ?1) AND (?2 IS NULL OR name = ?2) ORDER BY namespace, name, dimensions");
  if (ns) {
    s.bind(1, *ns);
  } else {
    s.bind(1, nullptr);
  }
  if (name) {
    s.bind(2, *name);
  } else {
    s.bind(2, nullptr);
  }
  json metrics = json::array();
  while (s.step()) {
    const std::string key = s.column_text(2);
    const json dims = json::parse(key);
    const bool kept = std::all_of(filters.begin(), filters.end(), [&](const auto& filter) {
      return std::any_of(dims.begin(), dims.end(), [&](const json& pair) {
        return pair[0] == filter.first && (!filter.second || pair[1] == *filter.second);
      });
    });
    if (!kept) continue;
    metrics.push_back({{"Namespace", s.column_text(0)},
                       {"MetricName", s.column_text(1)},
                       {"Dimensions", dimensions_json(key)}});
  }
  return {{"Metrics", std::move(metrics)}};
}

std::string alarm_arn(const ApiCall& call, const std::string& region, const std::string& name) {
  return "arn:aws:cloudwatch:" + (call.caller.region.empty() ? region : call.caller.region) + ":" +
         call.caller.account + ":alarm:" + name;
}

std::vector<std::string> string_list(const json& input, const char* member, std::size_t max) {
  std::vector<std::string> out;
  for (const auto& item : list(input, member))
    out.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  if (out.size() > max) {
    invalid_value("The collection " + std::string(member) + " must not have a size greater than " +
                  std::to_string(max) + ".");
  }
  return out;
}

// The MetricAlarm a PutMetricAlarm describes (without state members).
json alarm_document(const ApiCall& call, const std::string& region, std::int64_t now) {
  const json& in = call.input;
  const std::string name = required(in, "AlarmName");
  if (name.size() > 255)
    validation(name, "alarmName", "Member must have length less than or equal to 255");
  if (in.contains("Metrics")) {
    invalid_value(
        "Metrics (metric math alarms) are not supported by lambdeploy local's CloudWatch.");
  }
  if (in.contains("ThresholdMetricId")) {
    invalid_value(
        "ThresholdMetricId (anomaly detection alarms) is not supported by lambdeploy "
        "local's CloudWatch.");
  }
  if (in.contains("ExtendedStatistic")) {
    invalid_value(
        "ExtendedStatistic (percentile alarms) is not supported by lambdeploy local's "
        "CloudWatch; use Statistic.");
  }
  const std::string ns = required(in, "Namespace");
  const std::string metric = required(in, "MetricName");
  const std::string statistic = required(in, "Statistic");
  if (!one_of(kStatistics, statistic)) {
    validation(statistic, "statistic",
               "Member must satisfy enum value set: " + enum_set(kStatistics));
  }
  auto period = integer(in, "Period");
  if (!period) missing("Period");
  check_period(*period, "Period");
  auto evaluation_periods = integer(in, "EvaluationPeriods");
  if (!evaluation_periods) missing("EvaluationPeriods");
  if (*evaluation_periods < 1) {
    validation(std::to_string(*evaluation_periods), "evaluationPeriods",
               "Member must have value greater than or equal to 1");
  }
  auto datapoints = integer(in, "DatapointsToAlarm");
  if (datapoints && (*datapoints < 1 || *datapoints > *evaluation_periods)) {
    invalid_value("DatapointsToAlarm must be between 1 and EvaluationPeriods (" +
                  std::to_string(*evaluation_periods) + ").");
  }
  auto threshold = number(in, "Threshold");
  if (!threshold) missing("Threshold");
  const std::string comparison = required(in, "ComparisonOperator");
  if (!one_of(kComparisons, comparison)) {
    invalid_value("ComparisonOperator " + comparison +
                  " is not supported by lambdeploy local's CloudWatch (supported: " +
                  enum_set(kComparisons) + ").");
  }
  auto treat_missing = text(in, "TreatMissingData");
  if (treat_missing && !one_of(kMissingData, *treat_missing)) {
    invalid_value("The parameter TreatMissingData must be one of " + enum_set(kMissingData) + ".");
  }
  auto unit = text(in, "Unit");
  if (unit) check_unit(*unit, "unit");

  json alarm = {{"AlarmName", name},
                {"AlarmArn", alarm_arn(call, region, name)},
                {"AlarmConfigurationUpdatedTimestamp", format_iso8601(at(now))},
                {"ActionsEnabled", boolean(in, "ActionsEnabled").value_or(true)},
                {"OKActions", string_list(in, "OKActions", 5)},
                {"AlarmActions", string_list(in, "AlarmActions", 5)},
                {"InsufficientDataActions", string_list(in, "InsufficientDataActions", 5)},
                {"MetricName", metric},
                {"Namespace", ns},
                {"Statistic", statistic},
                {"Dimensions", dimensions_json(dimensions_of(in, ""))},
                {"Period", *period},
                {"EvaluationPeriods", *evaluation_periods},
                {"Threshold", *threshold},
                {"ComparisonOperator", comparison}};
  if (auto description = text(in, "AlarmDescription")) alarm["AlarmDescription"] = *description;
  if (unit) alarm["Unit"] = *unit;
  if (datapoints) alarm["DatapointsToAlarm"] = *datapoints;
  if (treat_missing) alarm["TreatMissingData"] = *treat_missing;
  return alarm;
}

Dimensions dimensions_from_alarm(const json& alarm) {
  Dimensions dims;
  for (const auto& d : alarm.value("Dimensions", json::array()))
    dims.emplace_back(d.value("Name", ""), d.value("Value", ""));
  return dims;
}

std::string offset_token(std::size_t offset) {
  return base64_encode("alarms/" + std::to_string(offset));
}

std::size_t offset_of(const json& input) {
  auto token = text(input, "NextToken");
  if (!token) return 0;
  auto decoded = base64_decode(*token);
  std::size_t offset = 0;
  if (decoded && decoded->rfind("alarms/", 0) == 0) {
    const char* first = decoded->data() + 7;
    const char* last = decoded->data() + decoded->size();
    auto [end, ec] = std::from_chars(first, last, offset);
    if (ec == std::errc() && end == last) return offset;
  }
  throw ApiError("InvalidNextToken", "The NextToken '" + *token + "' is invalid.");
}

json describe_alarms(Database& db, const json& input) {
  const auto names = string_list(input, "AlarmNames", 100);
  auto prefix = text(input, "AlarmNamePrefix");
  if (!names.empty() && prefix) {
    throw ApiError("InvalidParameterCombination",
                   "AlarmNames and AlarmNamePrefix are mutually exclusive.");
  }
  auto state = text(input, "StateValue");
  if (state && !one_of(kStates, *state)) {
    validation(*state, "stateValue", "Member must satisfy enum value set: " + enum_set(kStates));
  }
  auto action_prefix = text(input, "ActionPrefix");
  const auto types = string_list(input, "AlarmTypes", 2);
  const bool metric_alarms =
      types.empty() || std::find(types.begin(), types.end(), "MetricAlarm") != types.end();
  auto max_records = integer(input, "MaxRecords");
  if (max_records && (*max_records < 1 || *max_records > 100)) {
    validation(std::to_string(*max_records), "maxRecords",
               "Member must have value between 1 and 100");
  }
  const std::size_t limit = static_cast<std::size_t>(max_records.value_or(50));
  const std::size_t offset = offset_of(input);
  const std::set<std::string> wanted(names.begin(), names.end());

  std::vector<json> matched;
  if (metric_alarms) {
    auto c = db.connect();
    auto s = c.prepare("SELECT name, document FROM cw_alarms ORDER BY name");
    while (s.step()) {
      const std::string name = s.column_text(0);
      if (!wanted.empty() && wanted.count(name) == 0) continue;
      if (prefix && name.rfind(*prefix, 0) != 0) continue;
      json alarm = json::parse(s.column_text(1));
      if (state && alarm.value("StateValue", "") != *state) continue;
      if (action_prefix) {
        bool any = false;
        for (const char* list_name : {"OKActions", "AlarmActions", "InsufficientDataActions"})
          for (const auto& action : alarm.value(list_name, json::array()))
            any = any || action.get<std::string>().rfind(*action_prefix, 0) == 0;
        if (!any) continue;
      }
      matched.push_back(std::move(alarm));
    }
  }
  json page = json::array();
  for (std::size_t i = offset; i < matched.size() && page.size() < limit; ++i)
    page.push_back(std::move(matched[i]));
  json output = {{"MetricAlarms", std::move(page)}, {"CompositeAlarms", json::array()}};
  if (offset + limit < matched.size()) output["NextToken"] = offset_token(offset + limit);
  return output;
}

// A ValidationError with a message of its own.
[[noreturn]] void validation_error(const std::string& message) {
  throw ApiError("ValidationError", message);
}

// One query's answer in GetMetricData: values by bucket start (epoch ms), oldest first.
using Series = std::map<std::int64_t, double>;

// A metric-math value: a time series, or a constant when `series` is empty and `scalar` is set.
struct MathValue {
  std::optional<Series> series;
  double scalar = 0;
};

[[noreturn]] void math_error(const std::string& id, const std::string& message) {
  validation_error("Error in expression '" + id + "': " + message);
}

// Metric math over other queries' ids: + - * / with constants, parentheses and unary minus.
class MathExpression {
 public:
  MathExpression(std::string id, std::string text, const std::map<std::string, Series>& known)
      : id_(std::move(id)), text_(std::move(text)), known_(known) {}

  // The expression's time series (a constant expression is refused: AWS wants a series).
  Series evaluate() {
    MathValue value = sum();
    skip_space();
    if (pos_ != text_.size()) math_error(id_, "Syntax error at position " + std::to_string(pos_));
    if (!value.series) math_error(id_, "The expression must return a time series.");
    return *value.series;
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool take(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  MathValue sum() {
    MathValue left = product();
    for (;;) {
      if (take('+')) {
        left = combine(left, product(), '+');
      } else if (take('-')) {
        left = combine(left, product(), '-');
      } else {
        return left;
      }
    }
  }
  MathValue product() {
    MathValue left = unary();
    for (;;) {
      if (take('*')) {
        left = combine(left, unary(), '*');
      } else if (take('/')) {
        left = combine(left, unary(), '/');
      } else {
        return left;
      }
    }
  }
  MathValue unary() {
    if (take('-')) return combine(MathValue{std::nullopt, 0}, unary(), '-');
    if (take('+')) return unary();
    return primary();
  }
  MathValue primary() {
    skip_space();
    if (take('(')) {
      MathValue inner = sum();
      if (!take(')')) math_error(id_, "Syntax error: missing ')'");
      return inner;
    }
    if (pos_ >= text_.size()) math_error(id_, "Syntax error: unexpected end of expression");
    const char c = text_[pos_];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      std::size_t end = pos_;
      while (end < text_.size() &&
             (std::isdigit(static_cast<unsigned char>(text_[end])) || text_[end] == '.'))
        ++end;
      double out = 0;
      auto [stop, ec] = std::from_chars(text_.data() + pos_, text_.data() + end, out);
      if (ec != std::errc() || stop != text_.data() + end)
        math_error(id_, "Syntax error at position " + std::to_string(pos_));
      pos_ = end;
      return MathValue{std::nullopt, out};
    }
    if (std::isalpha(static_cast<unsigned char>(c))) {
      std::size_t end = pos_;
      while (end < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_'))
        ++end;
      const std::string name = text_.substr(pos_, end - pos_);
      pos_ = end;
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == '(') {
        math_error(id_, "The function " + name +
                            " is not supported by lambdeploy local's CloudWatch (only + - * / "
                            "over ids and constants).");
      }
      auto it = known_.find(name);
      if (it == known_.end()) math_error(id_, "Unrecognized identifier '" + name + "'");
      return MathValue{it->second, 0};
    }
    math_error(id_, "Syntax error at position " + std::to_string(pos_));
  }
  static double apply(double a, double b, char op) {
    switch (op) {
      case '+':
        return a + b;
      case '-':
        return a - b;
      case '*':
        return a * b;
      default:
        return a / b;
    }
  }
  // Point by point; two series meet on the timestamps both have; non-finite results are dropped.
  static MathValue combine(const MathValue& a, const MathValue& b, char op) {
    if (!a.series && !b.series) return MathValue{std::nullopt, apply(a.scalar, b.scalar, op)};
    Series out;
    if (a.series && b.series) {
      for (const auto& [t, v] : *a.series) {
        auto it = b.series->find(t);
        if (it != b.series->end()) out[t] = apply(v, it->second, op);
      }
    } else if (a.series) {
      for (const auto& [t, v] : *a.series) out[t] = apply(v, b.scalar, op);
    } else {
      for (const auto& [t, v] : *b.series) out[t] = apply(a.scalar, v, op);
    }
    std::erase_if(out, [](const auto& point) { return !std::isfinite(point.second); });
    return MathValue{std::move(out), 0};
  }

  std::string id_;
  std::string text_;
  const std::map<std::string, Series>& known_;
  std::size_t pos_ = 0;
};

// A MetricStat's series over [start, end): the statistic of each Period bucket that has data.
Series metric_stat_series(Database& db, const json& stat, const std::string& where,
                          std::int64_t start, std::int64_t end) {
  if (!stat.is_object()) missing(where + "Metric");
  auto metric_it = stat.find("Metric");
  if (metric_it == stat.end() || !metric_it->is_object()) missing(where + "Metric");
  const json& metric = *metric_it;
  const std::string ns = required(metric, "Namespace", where + "Metric.");
  const std::string name = required(metric, "MetricName", where + "Metric.");
  auto period = integer(stat, "Period", where);
  if (!period) missing(where + "Period");
  check_period(*period, where + "Period");
  const std::string statistic = required(stat, "Stat", where);
  if (!one_of(kStatistics, statistic)) {
    invalid_value("The statistic " + statistic + " in " + where +
                  "Stat is not supported by lambdeploy local's CloudWatch (supported: " +
                  enum_set(kStatistics) + ").");
  }
  auto unit = text(stat, "Unit");
  if (unit) check_unit(*unit, "unit");
  const std::string dimensions = dimension_key(dimensions_of(metric, where + "Metric."));
  const std::int64_t period_ms = *period * 1000;
  const std::int64_t granularity = *period >= 60 ? 60'000 : 1000;
  const std::int64_t first = start - (start % granularity);
  std::map<std::int64_t, Stats> by_bucket;
  for (auto& [timestamp, stats] : read_data(db, ns, name, dimensions, first, end, unit))
    by_bucket[first + (timestamp - first) / period_ms * period_ms].add(stats);
  Series series;
  for (const auto& [bucket, stats] : by_bucket) series[bucket] = stats.statistic(statistic);
  return series;
}

std::string metric_data_token(std::size_t offset) {
  return base64_encode("metric-data/" + std::to_string(offset));
}

std::size_t metric_data_offset(const json& input) {
  auto token = text(input, "NextToken");
  if (!token) return 0;
  auto decoded = base64_decode(*token);
  constexpr std::string_view kPrefix = "metric-data/";
  std::size_t offset = 0;
  if (decoded && decoded->rfind(kPrefix, 0) == 0) {
    const char* first = decoded->data() + kPrefix.size();
    const char* last = decoded->data() + decoded->size();
    auto [end, ec] = std::from_chars(first, last, offset);
    if (ec == std::errc() && end == last) return offset;
  }
  throw ApiError("InvalidNextToken", "The service couldn't process the provided NextToken.");
}

// GetMetricData: MetricStat queries and metric math over them, paged by MaxDatapoints.
json get_metric_data(Database& db, const json& input) {
  const json queries = list(input, "MetricDataQueries");
  if (queries.empty()) missing("MetricDataQueries");
  if (queries.size() > 500) {
    invalid_value("The collection MetricDataQueries must not have a size greater than 500.");
  }
  auto start = time_member(input, "StartTime");
  if (!start) missing("StartTime");
  auto end = time_member(input, "EndTime");
  if (!end) missing("EndTime");
  if (*start >= *end) {
    invalid_value("The parameter StartTime must be less than the parameter EndTime.");
  }
  const std::string scan_by = text(input, "ScanBy").value_or("TimestampDescending");
  if (scan_by != "TimestampDescending" && scan_by != "TimestampAscending") {
    validation(scan_by, "scanBy",
               "Member must satisfy enum value set: [TimestampDescending, TimestampAscending]");
  }
  auto max_datapoints = integer(input, "MaxDatapoints");
  if (max_datapoints && *max_datapoints < 1) {
    invalid_value("The parameter MaxDatapoints must be greater than 0.");
  }
  const std::size_t limit = static_cast<std::size_t>(max_datapoints.value_or(100'800));
  const std::size_t offset = metric_data_offset(input);

  // Ids first (expressions may name queries listed after them), then MetricStats, then math.
  std::set<std::string> ids;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const std::string where = "MetricDataQueries.member." + std::to_string(i + 1) + ".";
    const std::string id = required(queries[i], "Id", where);
    static const std::regex kId("[a-z][a-zA-Z0-9_]*");
    if (id.size() > 255 || !std::regex_match(id, kId)) {
      validation_error("Invalid metric data query id '" + id +
                       "': it must start with a lowercase letter and hold only letters, digits "
                       "and underscores.");
    }
    if (!ids.insert(id).second) {
      validation_error(
          "The values for parameter id in MetricDataQueries must be unique. Found "
          "duplicate value " +
          id + ".");
    }
    const bool has_stat = queries[i].contains("MetricStat");
    const bool has_expression = queries[i].contains("Expression");
    if (has_stat == has_expression) {
      validation_error(
          "Exactly one element of the MetricStat or the Expression must be set in "
          "MetricDataQueries.member." +
          std::to_string(i + 1) + ".");
    }
  }
  std::map<std::string, Series> computed;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const std::string where = "MetricDataQueries.member." + std::to_string(i + 1) + ".";
    if (queries[i].contains("MetricStat")) {
      computed[queries[i]["Id"].get<std::string>()] =
          metric_stat_series(db, queries[i]["MetricStat"], where + "MetricStat.", *start, *end);
    }
  }
  // Expressions may use one another: evaluate those whose ids are known until none is left.
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < queries.size(); ++i)
    if (queries[i].contains("Expression")) pending.push_back(i);
  while (!pending.empty()) {
    std::vector<std::size_t> later;
    std::optional<std::string> last_error;
    for (std::size_t i : pending) {
      const std::string id = queries[i]["Id"];
      try {
        computed[id] = MathExpression(id, required(queries[i], "Expression"), computed).evaluate();
      } catch (const ApiError& e) {
        if (std::string(e.what()).find("Unrecognized identifier") == std::string::npos) throw;
        later.push_back(i);
        last_error = e.what();
      }
    }
    if (later.size() == pending.size()) {
      // Nothing progressed: an unknown id (or a cycle) in the first one left.
      const std::size_t i = later.front();
      MathExpression(queries[i]["Id"], required(queries[i], "Expression"), computed).evaluate();
    }
    pending = std::move(later);
  }

  // The returned queries' points, in query order, each newest first (or oldest), paged as one.
  json results = json::array();
  std::size_t position = 0;
  std::size_t total = 0;
  for (const auto& query : queries) {
    if (!boolean(query, "ReturnData").value_or(true)) continue;
    const std::string id = query["Id"];
    const Series& series = computed[id];
    std::vector<std::pair<std::int64_t, double>> points(series.begin(), series.end());
    if (scan_by == "TimestampDescending") std::reverse(points.begin(), points.end());
    std::string label = text(query, "Label").value_or("");
    if (label.empty()) {
      label = query.contains("MetricStat")
                  ? text(query["MetricStat"]["Metric"], "MetricName").value_or(id)
                  : id;
    }
    json timestamps = json::array();
    json values = json::array();
    for (const auto& [t, v] : points) {
      if (position >= offset && position < offset + limit) {
        timestamps.push_back(format_iso8601(at(t)));
        values.push_back(v);
      }
      ++position;
    }
    total = position;
    const bool complete = position <= offset + limit;
    results.push_back({{"Id", id},
                       {"Label", label},
                       {"Timestamps", std::move(timestamps)},
                       {"Values", std::move(values)},
                       {"StatusCode", complete ? "Complete" : "PartialData"},
                       {"Messages", json::array()}});
  }
  json output = {{"MetricDataResults", std::move(results)}, {"Messages", json::array()}};
  if (offset + limit < total) output["NextToken"] = metric_data_token(offset + limit);
  return output;
}

constexpr const char* kMonitoringSchema = R"sql(
CREATE TABLE cw_alarm_history (
  id INTEGER PRIMARY KEY,
  alarm_name TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  type TEXT NOT NULL,
  summary TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX cw_alarm_history_by_alarm ON cw_alarm_history(alarm_name, timestamp);
CREATE TABLE cw_tags (
  arn TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (arn, key)
);
)sql";

// Appends one AlarmHistoryItem (ConfigurationUpdate, StateUpdate or Action) inside `tx`.
void record_history(Transaction& tx, const std::string& name, std::int64_t now,
                    const std::string& type, const std::string& summary, const json& data) {
  auto s = tx.prepare(
      "INSERT INTO cw_alarm_history (alarm_name, timestamp, type, summary, data) VALUES (?, ?, "
      "?, ?, ?)");
  s.bind(1, name).bind(2, now).bind(3, type).bind(4, summary).bind(5, data.dump());
  s.run();
}

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

// DescribeAlarmsForMetric: the metric alarms watching one metric (and statistic, period, unit).
json describe_alarms_for_metric(Database& db, const json& input) {
  const std::string ns = required(input, "Namespace");
  const std::string name = required(input, "MetricName");
  auto statistic = text(input, "Statistic");
  if (statistic && !one_of(kStatistics, *statistic)) {
    validation(*statistic, "statistic",
               "Member must satisfy enum value set: " + enum_set(kStatistics));
  }
  auto period = integer(input, "Period");
  auto unit = text(input, "Unit");
  if (unit) check_unit(*unit, "unit");
  std::optional<std::string> dimensions;
  if (input.contains("Dimensions")) dimensions = dimension_key(dimensions_of(input, ""));
  json alarms = json::array();
  auto c = db.connect();
  auto s = c.prepare("SELECT document FROM cw_alarms ORDER BY name");
  while (s.step()) {
    json alarm = json::parse(s.column_text(0));
    if (alarm.value("Namespace", "") != ns || alarm.value("MetricName", "") != name) continue;
    if (statistic && alarm.value("Statistic", "") != *statistic) continue;
    if (period && alarm.value("Period", std::int64_t{0}) != *period) continue;
    if (unit && alarm.value("Unit", "") != *unit) continue;
    if (dimensions && dimension_key(dimensions_from_alarm(alarm)) != *dimensions) continue;
    alarms.push_back(std::move(alarm));
  }
  return {{"MetricAlarms", std::move(alarms)}};
}

// Enable/DisableAlarmActions: ActionsEnabled on each named alarm (unknown names are skipped).
void set_actions_enabled(Database& db, const json& input, bool enabled, std::int64_t now) {
  const auto names = string_list(input, "AlarmNames", 100);
  if (names.empty()) missing("AlarmNames");
  Transaction tx(db);
  for (const auto& name : names) {
    auto read = tx.prepare("SELECT document FROM cw_alarms WHERE name = ?");
    read.bind(1, name);
    if (!read.step()) continue;
    json alarm = json::parse(read.column_text(0));
    read.reset();
    if (alarm.value("ActionsEnabled", true) == enabled) continue;
    alarm["ActionsEnabled"] = enabled;
    alarm["AlarmConfigurationUpdatedTimestamp"] = format_iso8601(at(now));
    auto write =
        tx.prepare("UPDATE cw_alarms SET document = ?, revision = revision + 1 WHERE name = ?");
    write.bind(1, alarm.dump()).bind(2, name);
    write.run();
    record_history(
        tx, name, now, "ConfigurationUpdate", std::string("Alarm \"") + name + "\" updated",
        {{"version", "1.0"}, {"type", "Update"}, {"updatedAlarm", {{"actionsEnabled", enabled}}}});
  }
  tx.commit();
}

// Tags from a `Tags` list of {Key, Value}, checked as CloudWatch checks them.
std::vector<std::pair<std::string, std::string>> tags_of(const json& input) {
  std::vector<std::pair<std::string, std::string>> tags;
  const json items = list(input, "Tags");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string where = "Tags.member." + std::to_string(i + 1) + ".";
    if (!items[i].is_object()) missing(where + "Key");
    const std::string key = required(items[i], "Key", where);
    if (key.size() > 128)
      validation(key, "tags." + std::to_string(i + 1) + ".member.key",
                 "Member must have length less than or equal to 128");
    auto value = text(items[i], "Value");
    if (!value) missing(where + "Value");
    tags.emplace_back(key, *value);
  }
  return tags;
}

void write_tags(Transaction& tx, const std::string& arn,
                const std::vector<std::pair<std::string, std::string>>& tags) {
  auto s = tx.prepare(
      "INSERT INTO cw_tags (arn, key, value) VALUES (?1, ?2, ?3) ON CONFLICT(arn, key) DO "
      "UPDATE SET value = ?3");
  for (const auto& [key, value] : tags) {
    s.reset();
    s.bind(1, arn).bind(2, key).bind(3, value);
    s.run();
  }
}

// The alarm an ARN names (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME), or 404.
std::string tagged_alarm(Transaction& tx, const json& input) {
  const std::string arn = required(input, "ResourceARN");
  const std::string marker = ":alarm:";
  const auto at_name = arn.find(marker);
  if (arn.rfind("arn:", 0) != 0 || at_name == std::string::npos) {
    invalid_value("The ARN '" + arn + "' is not a CloudWatch alarm ARN.");
  }
  auto s = tx.prepare("SELECT document FROM cw_alarms WHERE name = ?");
  s.bind(1, arn.substr(at_name + marker.size()));
  if (!s.step() || json::parse(s.column_text(0)).value("AlarmArn", "") != arn) {
    throw ApiError("ResourceNotFoundException", "The specified resource does not exist.", 404);
  }
  return arn;
}

// ListTagsForResource / TagResource / UntagResource on alarm ARNs.
json alarm_tags_call(Database& db, const std::string& op, const json& input) {
  Transaction tx(db);
  const std::string arn = tagged_alarm(tx, input);
  if (op == "TagResource") {
    const auto tags = tags_of(input);
    if (tags.empty()) missing("Tags");
    write_tags(tx, arn, tags);
  } else if (op == "UntagResource") {
    const auto keys = string_list(input, "TagKeys", 50);
    auto s = tx.prepare("DELETE FROM cw_tags WHERE arn = ? AND key = ?");
    for (const auto& key : keys) {
      s.reset();
      s.bind(1, arn).bind(2, key);
      s.run();
    }
  }
  json tags = json::array();
  if (op == "ListTagsForResource") {
    auto s = tx.prepare("SELECT key, value FROM cw_tags WHERE arn = ? ORDER BY key");
    s.bind(1, arn);
    while (s.step()) tags.push_back({{"Key", s.column_text(0)}, {"Value", s.column_text(1)}});
  }
  tx.commit();
  return op == "ListTagsForResource" ? json{{"Tags", std::move(tags)}} : json::object();
}

}  // namespace

CloudWatchService::CloudWatchService(const State& state, CloudWatchOptions options)
    : db_(state.db),
      now_(state.now ? state.now : system_now),
      region_(state.region),
      options_(options) {
  db_->migrate("cloudwatch", 1, kSchema);
  db_->migrate("cloudwatch-monitoring", 1, kMonitoringSchema);
  if (options_.evaluate_alarms) start();
}

CloudWatchService::~CloudWatchService() {
  stop();
}

const aws::ServiceInfo& CloudWatchService::info() const {
  return aws::kCloudWatch;
}

void CloudWatchService::put(std::vector<MetricDatum> data) {
  const std::int64_t now = millis(now_());
  std::vector<StoredDatum> stored;
  stored.reserve(data.size());
  for (auto& d : data) {
    StoredDatum s;
    s.metric_namespace = std::move(d.metric_namespace);
    s.name = std::move(d.name);
    s.dimensions = dimension_key(std::move(d.dimensions));
    s.timestamp_ms = d.timestamp_ms != 0 ? d.timestamp_ms : now;
    const std::string unit = d.unit.empty() ? "None" : d.unit;
    if (d.statistics) {
      s.stats = {d.statistics->sum, d.statistics->sample_count, d.statistics->minimum,
                 d.statistics->maximum, unit};
    } else {
      s.stats = {d.value, 1, d.value, d.value, unit};
    }
    stored.push_back(std::move(s));
  }
  if (!stored.empty()) insert_data(*db_, stored);
}

std::int64_t CloudWatchService::period_ms(std::int64_t period_seconds) const {
  const double ms =
      static_cast<double>(period_seconds) * 1000.0 * options_.seconds_per_period_second;
  return std::max<std::int64_t>(1, std::llround(ms));
}

ApiReply CloudWatchService::call(ApiCall& call) {
  // A form member that is not UTF-8 is refused before anything keeps it (JSON cannot hold it).
  if (auto member = first_non_utf8_member(call.input))
    throw ApiError("ValidationError", non_utf8_message(*member));
  const std::int64_t now = millis(call.now.time_since_epoch().count() != 0 ? call.now : now_());
  const std::string& op = call.operation;
  ApiReply reply;
  if (op == "PutMetricData") {
    insert_data(*db_, parse_metric_data(call.input, now));
  } else if (op == "DescribeAlarmHistory") {
    reply.output = describe_alarm_history(*db_, call.input);
  } else if (op == "DescribeAlarmsForMetric") {
    reply.output = describe_alarms_for_metric(*db_, call.input);
  } else if (op == "EnableAlarmActions" || op == "DisableAlarmActions") {
    set_actions_enabled(*db_, call.input, op == "EnableAlarmActions", now);
  } else if (op == "ListTagsForResource" || op == "TagResource" || op == "UntagResource") {
    reply.output = alarm_tags_call(*db_, op, call.input);
    reply.result_element = true;
  } else if (op == "GetMetricData") {
    reply.output = get_metric_data(*db_, call.input);
  } else if (op == "GetMetricStatistics") {
    reply.output = get_metric_statistics(*db_, call.input);
  } else if (op == "ListMetrics") {
    reply.output = list_metrics(*db_, call.input);
  } else if (op == "PutMetricAlarm") {
    json alarm = alarm_document(call, region_, now);
    const std::string name = alarm["AlarmName"];
    {
      Transaction tx(*db_);
      auto read = tx.prepare("SELECT document FROM cw_alarms WHERE name = ?");
      read.bind(1, name);
      const bool exists = read.step();
      if (exists) {
        // An update keeps the alarm's state until its next evaluation.
        const json previous = json::parse(read.column_text(0));
        for (const char* member :
             {"StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp"}) {
          if (previous.contains(member)) alarm[member] = previous[member];
        }
      } else {
        alarm["StateValue"] = "INSUFFICIENT_DATA";
        alarm["StateReason"] = "Unchecked: Initial alarm creation";
        alarm["StateUpdatedTimestamp"] = format_iso8601(at(now));
      }
      read.reset();
      auto write = tx.prepare(
          "INSERT INTO cw_alarms (name, document, revision) VALUES (?1, ?2, 1) ON CONFLICT(name) "
          "DO UPDATE SET document = ?2, revision = revision + 1");
      write.bind(1, name).bind(2, alarm.dump());
      write.run();
      // Tags count only when the alarm is created (TagResource changes them later), as in AWS.
      if (!exists) write_tags(tx, alarm["AlarmArn"], tags_of(call.input));
      record_history(tx, name, now, "ConfigurationUpdate",
                     "Alarm \"" + name + "\" " + (exists ? "updated" : "created"),
                     {{"version", "1.0"},
                      {"type", exists ? "Update" : "Create"},
                      {exists ? "updatedAlarm" : "createdAlarm", alarm}});
      tx.commit();
    }
    // A new or changed alarm is first evaluated soon (a quarter period), then every period.
    std::lock_guard lock(mu_);
    next_due_ms_[name] = millis(now_()) + period_ms(alarm["Period"].get<std::int64_t>()) / 4;
  } else if (op == "DescribeAlarms") {
    reply.output = describe_alarms(*db_, call.input);
  } else if (op == "DeleteAlarms") {
    const auto names = string_list(call.input, "AlarmNames", 100);
    if (names.empty()) missing("AlarmNames");
    Transaction tx(*db_);
    auto s = tx.prepare("DELETE FROM cw_alarms WHERE name = ?");
    auto untag =
        tx.prepare("DELETE FROM cw_tags WHERE substr(arn, -length(?1) - 7) = ':alarm:' || ?1");
    for (const auto& name : names) {
      s.reset();
      s.bind(1, name);
      if (s.run() == 0) continue;
      untag.reset();
      untag.bind(1, name);
      untag.run();
      record_history(tx, name, now, "ConfigurationUpdate", "Alarm \"" + name + "\" deleted",
                     {{"version", "1.0"}, {"type", "Delete"}});
    }
    tx.commit();
  } else if (op == "SetAlarmState") {
    const std::string name = required(call.input, "AlarmName");
    const std::string state = required(call.input, "StateValue");
    if (!one_of(kStates, state)) {
      validation(state, "stateValue", "Member must satisfy enum value set: " + enum_set(kStates));
    }
    const std::string reason = required(call.input, "StateReason");
    auto reason_data = text(call.input, "StateReasonData");
    if (reason_data && !json::accept(*reason_data)) {
      throw ApiError("InvalidFormat", "StateReasonData is not valid JSON.");
    }
    Transaction tx(*db_);
    auto read = tx.prepare("SELECT document FROM cw_alarms WHERE name = ?");
    read.bind(1, name);
    if (!read.step()) throw ApiError("ResourceNotFound", "Alarm " + name + " not found", 404);
    json alarm = json::parse(read.column_text(0));
    const json before = alarm;
    read.reset();
    alarm["StateValue"] = state;
    alarm["StateReason"] = reason;
    if (reason_data) {
      alarm["StateReasonData"] = *reason_data;
    } else {
      alarm.erase("StateReasonData");
    }
    alarm["StateUpdatedTimestamp"] = format_iso8601(at(now));
    auto write =
        tx.prepare("UPDATE cw_alarms SET document = ?, revision = revision + 1 WHERE name = ?");
    write.bind(1, alarm.dump()).bind(2, name);
    write.run();
    record_state_change(tx, before, alarm, now);
    tx.commit();
  } else {
    throw ApiError("InvalidAction", "Could not find operation " + op + " for version 2010-08-01");
  }
  return reply;
}

void CloudWatchService::evaluate_alarm(const std::string& name) {
  json alarm;
  std::int64_t revision = 0;
  {
    auto c = db_->connect();
    auto s = c.prepare("SELECT document, revision FROM cw_alarms WHERE name = ?");
    s.bind(1, name);
    if (!s.step()) return;
    alarm = json::parse(s.column_text(0));
    revision = s.column_int64(1);
  }
  AlarmRule rule;
  rule.statistic = alarm.value("Statistic", "Average");
  rule.period_seconds = alarm.value("Period", std::int64_t{60});
  rule.evaluation_periods = alarm.value("EvaluationPeriods", 1);
  rule.datapoints_to_alarm = alarm.value("DatapointsToAlarm", rule.evaluation_periods);
  rule.threshold = alarm.value("Threshold", 0.0);
  rule.comparison = alarm.value("ComparisonOperator", "");
  rule.treat_missing_data = alarm.value("TreatMissingData", "missing");

  // The last EvaluationPeriods periods (scaled), newest first, ending now.
  const std::int64_t now = millis(now_());
  const std::int64_t p = period_ms(rule.period_seconds);
  const std::int64_t n = rule.evaluation_periods;
  std::optional<std::string> unit;
  if (alarm.contains("Unit")) unit = alarm["Unit"].get<std::string>();
  std::vector<Stats> buckets(static_cast<std::size_t>(n));
  std::vector<bool> seen(static_cast<std::size_t>(n), false);
  for (auto& [timestamp, stats] :
       read_data(*db_, alarm.value("Namespace", ""), alarm.value("MetricName", ""),
                 dimension_key(dimensions_from_alarm(alarm)), now - n * p, now, unit)) {
    const auto index = static_cast<std::size_t>((now - 1 - timestamp) / p);
    if (index >= buckets.size()) continue;
    buckets[index].add(stats);
    seen[index] = true;
  }
  std::vector<AlarmPeriod> periods;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    AlarmPeriod period;
    period.start_ms = now - static_cast<std::int64_t>(i + 1) * p;
    if (seen[i]) {
      period.value = buckets[i].statistic(rule.statistic);
      period.sample_count = buckets[i].count;
    }
    periods.push_back(period);
  }
  AlarmVerdict verdict = ld::local::evaluate_alarm(rule, periods, now);
  if (!verdict.state || *verdict.state == alarm.value("StateValue", "")) return;

  const json before = alarm;
  alarm["StateValue"] = *verdict.state;
  alarm["StateReason"] = verdict.reason;
  alarm["StateReasonData"] = verdict.reason_data.dump();
  alarm["StateUpdatedTimestamp"] = format_iso8601(at(now));
  Transaction tx(*db_);
  // Only if no PutMetricAlarm / SetAlarmState / DeleteAlarms came in between.
  auto write = tx.prepare(
      "UPDATE cw_alarms SET document = ?, revision = revision + 1 WHERE name = ? AND revision = "
      "?");
  write.bind(1, alarm.dump()).bind(2, name).bind(3, revision);
  if (write.run() > 0) record_state_change(tx, before, alarm, now);
  tx.commit();
}

void CloudWatchService::evaluate_alarms() {
  std::vector<std::string> names;
  {
    auto c = db_->connect();
    auto s = c.prepare("SELECT name FROM cw_alarms ORDER BY name");
    while (s.step()) names.push_back(s.column_text(0));
  }
  for (const auto& name : names) evaluate_alarm(name);
}

void CloudWatchService::start() {
  std::lock_guard lock(mu_);
  if (running_) return;
  running_ = true;
  evaluator_ = std::thread([this] { evaluate_loop(); });
}

void CloudWatchService::stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    running_ = false;
  }
  wake_.notify_all();
  if (evaluator_.joinable()) evaluator_.join();
}

void CloudWatchService::evaluate_loop() {
  std::unique_lock lock(mu_);
  while (running_) {
    lock.unlock();
    std::int64_t shortest = 1000;
    try {
      std::vector<std::pair<std::string, std::int64_t>> alarms;  // name, scaled period
      {
        auto c = db_->connect();
        auto s = c.prepare("SELECT name, document FROM cw_alarms ORDER BY name");
        while (s.step()) {
          const json alarm = json::parse(s.column_text(1));
          alarms.emplace_back(s.column_text(0), period_ms(alarm.value("Period", std::int64_t{60})));
        }
      }
      const std::int64_t now = millis(now_());
      std::vector<std::string> due;
      {
        std::lock_guard guard(mu_);
        std::map<std::string, std::int64_t> schedule;
        for (const auto& [name, p] : alarms) {
          shortest = std::min(shortest, p);
          auto it = next_due_ms_.find(name);
          std::int64_t next = it != next_due_ms_.end() ? it->second : now + p;
          if (now >= next) {
            due.push_back(name);
            next = now + p;
          }
          schedule[name] = next;
        }
        next_due_ms_ = std::move(schedule);
      }
      for (const auto& name : due) evaluate_alarm(name);
    } catch (const std::exception&) {
      // A failed round (database busy, a corrupt document) is retried on the next tick.
    }
    lock.lock();
    const auto tick = std::chrono::milliseconds(std::clamp<std::int64_t>(shortest / 4, 5, 1000));
    wake_.wait_for(lock, tick, [this] { return !running_; });
  }
}

}  // namespace ld::local
