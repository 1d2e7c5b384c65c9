#include "local/services/cloudwatch.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "aws/services/cloudwatch.hpp"
#include "local/input_text.hpp"
#include "local/services/cloudwatch_alarm_evaluation.hpp"
#include "local/services/cloudwatch_alarm_history.hpp"
#include "local/services/cloudwatch_input.hpp"
#include "local/services/cloudwatch_metric_data.hpp"
#include "local/services/cloudwatch_metric_store.hpp"

namespace ld::local {

using namespace cloudwatch;

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

constexpr std::array<const char*, 4> kComparisons = {"GreaterThanOrEqualToThreshold",
                                                     "GreaterThanThreshold", "LessThanThreshold",
                                                     "LessThanOrEqualToThreshold"};
constexpr std::array<const char*, 4> kMissingData = {"missing", "notBreaching", "breaching",
                                                     "ignore"};
constexpr std::array<const char*, 3> kStates = {"OK", "ALARM", "INSUFFICIENT_DATA"};

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
  const std::int64_t first = first_bucket_ms(*start, *period);
  const std::int64_t buckets = (*end - first + period_ms - 1) / period_ms;
  if (buckets > 1440) {
    throw ApiError("InvalidParameterCombination",
                   "You have requested up to " + std::to_string(buckets) +
                       " datapoints, which exceeds the limit of 1440. You may reduce the "
                       "datapoints requested by increasing Period, or decreasing the time range.");
  }
  json points = json::array();
  for (const auto& [bucket, stats] :
       period_stats(db, ns, name, dimensions, *start, *end, *period, unit)) {
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
