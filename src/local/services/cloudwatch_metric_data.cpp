#include "local/services/cloudwatch_metric_data.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/encoding.hpp"
#include "local/api_call.hpp"
#include "local/services/cloudwatch_input.hpp"
#include "local/services/cloudwatch_metric_math.hpp"
#include "local/services/cloudwatch_metric_store.hpp"

namespace ld::local::cloudwatch {

using nlohmann::json;

namespace {

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
  Series series;
  for (const auto& [bucket, stats] :
       period_stats(db, ns, name, dimensions, start, end, *period, unit))
    series[bucket] = stats.statistic(statistic);
  return series;
}

std::string metric_data_token(std::size_t offset) {
  return page_token("metric-data", offset);
}

std::size_t metric_data_offset(const json& input) {
  auto token = text(input, "NextToken");
  if (!token) return 0;
  if (auto offset = page_offset("metric-data", *token)) return *offset;
  throw ApiError("InvalidNextToken", "The service couldn't process the provided NextToken.");
}

}  // namespace

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
        computed[id] = evaluate_metric_math(id, required(queries[i], "Expression"), computed);
      } catch (const ApiError& e) {
        if (std::string(e.what()).find("Unrecognized identifier") == std::string::npos) throw;
        later.push_back(i);
        last_error = e.what();
      }
    }
    if (later.size() == pending.size()) {
      // Nothing progressed: an unknown id (or a cycle) in the first one left.
      const std::size_t i = later.front();
      evaluate_metric_math(queries[i]["Id"], required(queries[i], "Expression"), computed);
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

}  // namespace ld::local::cloudwatch
