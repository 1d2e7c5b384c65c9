// CloudWatch on the local endpoint: metric data and statistics, alarms stored and evaluated on
// their (time-scaled) period, served on 127.0.0.1 and called through the project's own
// CloudWatchClient and /usr/bin/aws, with Lambda metrics written through the MetricSink.
#include "local/services/cloudwatch.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "aws/error.hpp"
#include "aws/services/cloudwatch.hpp"
#include "core/time.hpp"
#include "local/services/cloudwatch_alarm_evaluation.hpp"
#include "served_service.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string iso(std::int64_t ms) {
  return format_iso8601(Timestamp(std::chrono::milliseconds(ms)));
}

// A CloudWatchService served on loopback, with the service kept for its sink.
struct Served {
  explicit Served(const std::filesystem::path& dir, CloudWatchOptions options = {})
      : served(dir,
               [this, options](const State& state) {
                 service = std::make_shared<CloudWatchService>(state, options);
                 return service;
               }),
        cloudwatch(served.config()) {}
  std::shared_ptr<CloudWatchService> service;
  test::ServedService served;
  aws::CloudWatchClient cloudwatch;
};

void put_metric_data(const aws::CloudWatchClient& cw, const json& input) {
  static const aws::Operation kPutMetricData{.name = "PutMetricData"};
  cw.client().call(kPutMetricData, aws::Call{.input = input});
}

// The metrics one Lambda invocation reports.
std::vector<MetricDatum> invocation_metrics(const std::string& function, double errors,
                                            double duration_ms) {
  const std::vector<std::pair<std::string, std::string>> dims = {{"FunctionName", function}};
  return {{"AWS/Lambda", "Invocations", dims, 1, "Count", 0, std::nullopt},
          {"AWS/Lambda", "Errors", dims, errors, "Count", 0, std::nullopt},
          {"AWS/Lambda", "Duration", dims, duration_ms, "Milliseconds", 0, std::nullopt}};
}

json errors_alarm(const std::string& name) {
  return {{"AlarmName", name},
          {"AlarmDescription", "digest errors"},
          {"Namespace", "AWS/Lambda"},
          {"MetricName", "Errors"},
          {"Dimensions", {{{"Name", "FunctionName"}, {"Value", "digest"}}}},
          {"Statistic", "Sum"},
          {"Period", 60},
          {"EvaluationPeriods", 1},
          {"Threshold", 1.0},
          {"ComparisonOperator", "GreaterThanOrEqualToThreshold"},
          {"AlarmActions", {"arn:aws:sns:us-east-1:000000000000:ops"}}};
}

json alarm_named(const aws::CloudWatchClient& cw, const std::string& name) {
  json page = cw.describe_alarms({{"AlarmNames", {name}}});
  return page["MetricAlarms"].empty() ? json() : page["MetricAlarms"][0];
}

// Polls until the alarm is in `state` (or `limit` passes); returns the alarm.
json wait_for_state(const aws::CloudWatchClient& cw, const std::string& name,
                    const std::string& state, std::chrono::milliseconds limit,
                    const std::function<void()>& each = {}) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  json alarm;
  while (std::chrono::steady_clock::now() < deadline) {
    if (each) each();
    alarm = alarm_named(cw, name);
    if (alarm.value("StateValue", "") == state) return alarm;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return alarm;
}

TEST(CloudWatchService, StatisticsAggregatePeriodsAndMatchDimensionsExactly) {
  ld::test::TempDir dir("cloudwatch");
  Served s(dir.path(), {.evaluate_alarms = false});
  const std::int64_t minute = 60'000;
  const std::int64_t base = (now_ms() / minute - 10) * minute;  // a whole minute, 10 min ago
  put_metric_data(
      s.cloudwatch,
      {{"Namespace", "Digest"},
       {"MetricData",
        {{{"MetricName", "Latency"},
          {"Dimensions", {{{"Name", "Route"}, {"Value", "/digest"}}}},
          {"Timestamp", iso(base + 1000)},
          {"Value", "10"},
          {"Unit", "Milliseconds"}},
         {{"MetricName", "Latency"},
          {"Dimensions", {{{"Name", "Route"}, {"Value", "/digest"}}}},
          {"Timestamp", iso(base + 2000)},
          {"Value", "30"},
          {"Unit", "Milliseconds"}},
         {{"MetricName", "Latency"},
          {"Dimensions", {{{"Name", "Route"}, {"Value", "/digest"}}}},
          {"Timestamp", iso(base + minute + 5)},
          {"StatisticValues",
           {{"SampleCount", "2"}, {"Sum", "8"}, {"Minimum", "3"}, {"Maximum", "5"}}},
          {"Unit", "Milliseconds"}},
         // another dimension set: not part of the exact match below
         {{"MetricName", "Latency"},
          {"Dimensions",
           {{{"Name", "Route"}, {"Value", "/digest"}}, {{"Name", "Stage"}, {"Value", "prod"}}}},
          {"Timestamp", iso(base + 3000)},
          {"Value", "1000"},
          {"Unit", "Milliseconds"}}}}});

  json stats = s.cloudwatch.get_metric_statistics(
      {{"Namespace", "Digest"},
       {"MetricName", "Latency"},
       {"Dimensions", {{{"Name", "Route"}, {"Value", "/digest"}}}},
       {"StartTime", iso(base)},
       {"EndTime", iso(base + 5 * minute)},
       {"Period", 60},
       {"Statistics", {"Sum", "Average", "Minimum", "Maximum", "SampleCount"}}});
  EXPECT_EQ(stats["Label"], "Latency");
  ASSERT_EQ(stats["Datapoints"].size(), 2u) << stats.dump();
  const json& first = stats["Datapoints"][0];
  EXPECT_EQ(first["Timestamp"], iso(base));
  EXPECT_EQ(first["Sum"], 40.0);
  EXPECT_EQ(first["Average"], 20.0);
  EXPECT_EQ(first["Minimum"], 10.0);
  EXPECT_EQ(first["Maximum"], 30.0);
  EXPECT_EQ(first["SampleCount"], 2.0);
  EXPECT_EQ(first["Unit"], "Milliseconds");
  EXPECT_EQ(stats["Datapoints"][1]["Timestamp"], iso(base + minute));
  EXPECT_EQ(stats["Datapoints"][1]["Average"], 4.0);

  json wider = s.cloudwatch.get_metric_statistics(
      {{"Namespace", "Digest"},
       {"MetricName", "Latency"},
       {"Dimensions",
        {{{"Name", "Stage"}, {"Value", "prod"}}, {{"Name", "Route"}, {"Value", "/digest"}}}},
       {"StartTime", iso(base)},
       {"EndTime", iso(base + 5 * minute)},
       {"Period", 300},
       {"Statistics", {"Maximum"}}});
  ASSERT_EQ(wider["Datapoints"].size(), 1u);
  EXPECT_EQ(wider["Datapoints"][0]["Maximum"], 1000.0);
  EXPECT_TRUE(s.cloudwatch
                  .get_metric_statistics({{"Namespace", "Digest"},
                                          {"MetricName", "Latency"},
                                          {"StartTime", iso(base)},
                                          {"EndTime", iso(base + 5 * minute)},
                                          {"Period", 60},
                                          {"Statistics", {"Sum"}}})["Datapoints"]
                  .empty());

  std::string message;
  json bad = {{"Namespace", "Digest"},
              {"MetricName", "Latency"},
              {"StartTime", iso(base)},
              {"EndTime", iso(base + minute)},
              {"Period", 60}};
  EXPECT_EQ(test::error_of([&] { s.cloudwatch.get_metric_statistics(bad); }),
            "InvalidParameterCombination");
  bad["Statistics"] = {"Sum"};
  bad["Period"] = 61;
  EXPECT_EQ(test::error_of([&] { s.cloudwatch.get_metric_statistics(bad); }),
            "InvalidParameterValue");
  bad["Period"] = 60;
  bad["Statistics"] = {"Median"};
  EXPECT_EQ(test::error_of([&] { s.cloudwatch.get_metric_statistics(bad); }), "ValidationError");
  bad.erase("StartTime");
  bad["Statistics"] = {"Sum"};
  EXPECT_EQ(test::error_of([&] { s.cloudwatch.get_metric_statistics(bad); }, &message),
            "MissingParameter");
  EXPECT_EQ(message, "The parameter StartTime is required.");
  EXPECT_EQ(test::error_of([&] {
              put_metric_data(s.cloudwatch,
                              {{"Namespace", "AWS/Lambda"},
                               {"MetricData", {{{"MetricName", "X"}, {"Value", "1"}}}}});
            }),
            "InvalidParameterValue");
}

TEST(CloudWatchService, LambdaMetricsFromTheSinkAreQueryable) {
  ld::test::TempDir dir("cloudwatch");
  Served s(dir.path(), {.evaluate_alarms = false});
  s.service->put(invocation_metrics("digest", 0, 12.5));
  s.service->put(invocation_metrics("digest", 1, 40));
  s.service->put(invocation_metrics("other", 1, 3));
  const std::int64_t now = now_ms();
  auto stat = [&](const std::string& metric, const std::string& statistic) {
    json out = s.cloudwatch.get_metric_statistics(
        {{"Namespace", "AWS/Lambda"},
         {"MetricName", metric},
         {"Dimensions", {{{"Name", "FunctionName"}, {"Value", "digest"}}}},
         {"StartTime", iso(now - 3600'000)},
         {"EndTime", iso(now + 60'000)},
         {"Period", 3600},
         {"Statistics", {statistic}}});
    double total = 0;
    for (const auto& p : out["Datapoints"]) total += p[statistic].get<double>();
    return total;
  };
  EXPECT_EQ(stat("Invocations", "Sum"), 2.0);
  EXPECT_EQ(stat("Errors", "Sum"), 1.0);
  EXPECT_EQ(stat("Duration", "Maximum"), 40.0);
}

TEST(CloudWatchService, AlarmsAreStoredDescribedPagedAndDeleted) {
  ld::test::TempDir dir("cloudwatch");
  Served s(dir.path(), {.evaluate_alarms = false});
  for (const char* name : {"digest-errors", "digest-throttles", "other"})
    s.cloudwatch.put_metric_alarm(errors_alarm(name));
  json alarm = alarm_named(s.cloudwatch, "digest-errors");
  EXPECT_EQ(alarm["AlarmArn"], "arn:aws:cloudwatch:us-east-1:000000000000:alarm:digest-errors");
  EXPECT_EQ(alarm["StateValue"], "INSUFFICIENT_DATA");
  EXPECT_EQ(alarm["StateReason"], "Unchecked: Initial alarm creation");
  EXPECT_TRUE(parse_iso8601(alarm["StateUpdatedTimestamp"].get<std::string>()).has_value());
  EXPECT_EQ(alarm["Threshold"], 1.0);
  EXPECT_EQ(alarm["Period"], 60);
  EXPECT_EQ(alarm["ActionsEnabled"], true);
  EXPECT_EQ(alarm["AlarmActions"], json({"arn:aws:sns:us-east-1:000000000000:ops"}));
  EXPECT_EQ(alarm["Dimensions"], json({{{"Name", "FunctionName"}, {"Value", "digest"}}}));
  EXPECT_EQ(alarm["ComparisonOperator"], "GreaterThanOrEqualToThreshold");

  json page = s.cloudwatch.describe_alarms({{"AlarmNamePrefix", "digest-"}, {"MaxRecords", 1}});
  ASSERT_EQ(page["MetricAlarms"].size(), 1u);
  EXPECT_TRUE(page.contains("NextToken"));
  EXPECT_EQ(
      s.cloudwatch
          .describe_all_alarms({{"AlarmNamePrefix", "digest-"}, {"MaxRecords", 1}})["MetricAlarms"]
          .size(),
      2u);
  EXPECT_EQ(s.cloudwatch.describe_alarms({{"StateValue", "ALARM"}})["MetricAlarms"].size(), 0u);
  EXPECT_EQ(
      s.cloudwatch.describe_alarms({{"StateValue", "INSUFFICIENT_DATA"}})["MetricAlarms"].size(),
      3u);
  EXPECT_EQ(test::error_of([&] {
              s.cloudwatch.describe_alarms({{"NextToken", "junk"}});
            }),
            "InvalidNextToken");

  json bad = errors_alarm("bad");
  bad["ComparisonOperator"] = "LessThanLowerThreshold";
  EXPECT_EQ(test::error_of([&] { s.cloudwatch.put_metric_alarm(bad); }), "InvalidParameterValue");
  bad = errors_alarm("bad");
  bad.erase("EvaluationPeriods");
  EXPECT_EQ(test::error_of([&] { s.cloudwatch.put_metric_alarm(bad); }), "MissingParameter");

  s.cloudwatch.delete_alarms({{"AlarmNames", {"digest-errors", "other"}}});
  EXPECT_EQ(s.cloudwatch.describe_all_alarms(json::object())["MetricAlarms"].size(), 1u);
}

TEST(CloudWatchService, AnAlarmGoesToAlarmOnErrorsAndBackToOkOnItsScaledPeriod) {
  ld::test::TempDir dir("cloudwatch");
  Served s(dir.path(), {.seconds_per_period_second = 0.01});  // 60 s → 0.6 s
  s.service->put(invocation_metrics("digest", 2, 10));
  s.cloudwatch.put_metric_alarm(errors_alarm("digest-errors"));

  json alarm =
      wait_for_state(s.cloudwatch, "digest-errors", "ALARM", std::chrono::milliseconds(2000));
  ASSERT_EQ(alarm["StateValue"], "ALARM") << alarm.dump();
  const std::regex reason(
      R"(Threshold Crossed: 1 datapoint \[2\.0 \(\d\d/\d\d/\d\d \d\d:\d\d:\d\d\)\] was greater than or equal to the threshold \(1\.0\)\.)");
  EXPECT_TRUE(std::regex_match(alarm["StateReason"].get<std::string>(), reason))
      << alarm["StateReason"];
  json data = json::parse(alarm["StateReasonData"].get<std::string>());
  EXPECT_EQ(data["version"], "1.0");
  EXPECT_EQ(data["statistic"], "Sum");
  EXPECT_EQ(data["period"], 60);
  EXPECT_EQ(data["threshold"], 1.0);
  EXPECT_EQ(data["recentDatapoints"], json({2.0}));

  // Invocations without errors: the next periods are below the threshold.
  alarm = wait_for_state(s.cloudwatch, "digest-errors", "OK", std::chrono::milliseconds(2000),
                         [&] { s.service->put(invocation_metrics("digest", 0, 10)); });
  ASSERT_EQ(alarm["StateValue"], "OK") << alarm.dump();
  EXPECT_NE(alarm["StateReason"].get<std::string>().find("[0.0 ("), std::string::npos)
      << alarm["StateReason"];
  EXPECT_NE(alarm["StateReason"].get<std::string>().find(
                "was not greater than or equal to the threshold (1.0)."),
            std::string::npos);
}

TEST(CloudWatchService, MissingDataIsTreatedAsConfigured) {
  ld::test::TempDir dir("cloudwatch");
  Served s(dir.path(), {.seconds_per_period_second = 0.005});
  json quiet = errors_alarm("quiet");
  quiet["TreatMissingData"] = "notBreaching";
  s.cloudwatch.put_metric_alarm(quiet);
  json unknown = errors_alarm("unknown");
  unknown["TreatMissingData"] = "breaching";
  s.cloudwatch.put_metric_alarm(unknown);
  json alarm = wait_for_state(s.cloudwatch, "quiet", "OK", std::chrono::milliseconds(1500));
  ASSERT_EQ(alarm["StateValue"], "OK");
  EXPECT_EQ(alarm["StateReason"],
            "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint "
            "was treated as [NonBreaching].");
  alarm = wait_for_state(s.cloudwatch, "unknown", "ALARM", std::chrono::milliseconds(1500));
  EXPECT_EQ(alarm["StateValue"], "ALARM");
  EXPECT_EQ(alarm["TreatMissingData"], "breaching");
}

TEST(CloudWatchService, EvaluationWordsMOfNAndMissingDataAsCloudWatchDoes) {
  AlarmRule rule{.statistic = "Maximum",
                 .period_seconds = 300,
                 .evaluation_periods = 3,
                 .datapoints_to_alarm = 2,
                 .threshold = 80,
                 .comparison = "GreaterThanThreshold",
                 .treat_missing_data = "missing"};
  const std::int64_t t = 1'795'773'600'000;  // 2026-11-27T10:00:00Z
  std::vector<AlarmPeriod> periods = {{t + 600'000, 90.5, 1}, {t + 300'000, 10, 1}, {t, 85, 1}};
  AlarmVerdict v = evaluate_alarm(rule, periods, t + 900'000);
  EXPECT_EQ(v.state, "ALARM");
  EXPECT_EQ(
      v.reason,
      "Threshold Crossed: 2 out of the last 3 datapoints [90.5 (27/11/26 10:10:00), 85.0 (27/11/26 "
      "10:00:00)] were greater than the threshold (80.0) (minimum 2 datapoints for OK -> ALARM "
      "transition).");
  EXPECT_EQ(v.reason_data["startDate"], "2026-11-27T10:00:00.000+0000");
  EXPECT_EQ(v.reason_data["recentDatapoints"], json({90.5, 10.0, 85.0}));

  periods = {{t + 600'000, 1, 1}, {t + 300'000, std::nullopt, 0}, {t, 85, 1}};
  EXPECT_EQ(evaluate_alarm(rule, periods, t).state, "OK");
  rule.treat_missing_data = "breaching";
  EXPECT_EQ(evaluate_alarm(rule, periods, t).state, "ALARM");
  rule.treat_missing_data = "ignore";
  EXPECT_FALSE(
      evaluate_alarm(rule, {{t, std::nullopt, 0}, {t, std::nullopt, 0}, {t, std::nullopt, 0}}, t)
          .state.has_value());
  rule.treat_missing_data = "missing";
  AlarmVerdict unknown =
      evaluate_alarm(rule, {{t, std::nullopt, 0}, {t, std::nullopt, 0}, {t, std::nullopt, 0}}, t);
  EXPECT_EQ(unknown.state, "INSUFFICIENT_DATA");
  EXPECT_EQ(unknown.reason, "Insufficient Data: 3 datapoints were unknown.");
  EXPECT_EQ(java_double(2), "2.0");
  EXPECT_EQ(java_double(1e7), "1.0E7");
  EXPECT_EQ(java_double(0.25), "0.25");
}

TEST(CloudWatchService, TheAwsCliPutsDataReadsStatisticsAndManagesAlarms) {
  if (!std::filesystem::exists("/usr/bin/aws")) GTEST_SKIP() << "/usr/bin/aws is not installed";
  ld::test::TempDir dir("cloudwatch");
  Served s(dir.path(), {.evaluate_alarms = false});
  const std::int64_t minute = 60'000;
  const std::int64_t base = (now_ms() / minute - 5) * minute;
  auto put = s.served.aws(
      {"cloudwatch", "put-metric-data", "--namespace", "Digest", "--metric-data",
       R"([{"MetricName":"Fetches","Dimensions":[{"Name":"Repo","Value":"lambdeploy"}],"Timestamp":")" +
           iso(base + 1000) +
           R"(","Value":3,"Unit":"Count"},{"MetricName":"Fetches","Dimensions":[{"Name":"Repo","Value":"lambdeploy"}],"Timestamp":")" +
           iso(base + 2000) + R"(","Value":4,"Unit":"Count"}])"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  auto stats = s.served.aws(
      {"cloudwatch", "get-metric-statistics", "--namespace", "Digest", "--metric-name", "Fetches",
       "--dimensions", "Name=Repo,Value=lambdeploy", "--start-time", iso(base), "--end-time",
       iso(base + 2 * minute), "--period", "60", "--statistics", "Sum", "Maximum"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  json out = json::parse(stats.out);
  ASSERT_EQ(out["Datapoints"].size(), 1u) << stats.out;
  EXPECT_EQ(out["Datapoints"][0]["Sum"], 7.0);
  EXPECT_EQ(out["Datapoints"][0]["Maximum"], 4.0);
  EXPECT_EQ(out["Datapoints"][0]["Unit"], "Count");
  EXPECT_EQ(out["Label"], "Fetches");

  auto alarm = s.served.aws({"cloudwatch",
                             "put-metric-alarm",
                             "--alarm-name",
                             "cli-errors",
                             "--namespace",
                             "AWS/Lambda",
                             "--metric-name",
                             "Errors",
                             "--dimensions",
                             "Name=FunctionName,Value=digest",
                             "--statistic",
                             "Sum",
                             "--period",
                             "60",
                             "--evaluation-periods",
                             "2",
                             "--datapoints-to-alarm",
                             "1",
                             "--threshold",
                             "1",
                             "--comparison-operator",
                             "GreaterThanOrEqualToThreshold",
                             "--treat-missing-data",
                             "notBreaching"});
  ASSERT_EQ(alarm.exit_code, 0) << alarm.err;
  auto described = s.served.aws({"cloudwatch", "describe-alarms", "--alarm-names", "cli-errors"});
  ASSERT_EQ(described.exit_code, 0) << described.err;
  json alarms = json::parse(described.out)["MetricAlarms"];
  ASSERT_EQ(alarms.size(), 1u) << described.out;
  EXPECT_EQ(alarms[0]["StateValue"], "INSUFFICIENT_DATA");
  EXPECT_EQ(alarms[0]["EvaluationPeriods"], 2);
  EXPECT_EQ(alarms[0]["DatapointsToAlarm"], 1);
  EXPECT_EQ(alarms[0]["Threshold"], 1.0);
  EXPECT_EQ(alarms[0]["Dimensions"], json({{{"Name", "FunctionName"}, {"Value", "digest"}}}));
}

TEST(CloudWatchService, DataAndAlarmsSurviveReopeningTheState) {
  ld::test::TempDir dir("cloudwatch");
  {
    Served s(dir.path(), {.evaluate_alarms = false});
    s.service->put(invocation_metrics("digest", 1, 5));
    s.cloudwatch.put_metric_alarm(errors_alarm("kept"));
  }
  Served again(dir.path(), {.evaluate_alarms = false});
  EXPECT_EQ(alarm_named(again.cloudwatch, "kept")["MetricName"], "Errors");
  const std::int64_t now = now_ms();
  json out = again.cloudwatch.get_metric_statistics(
      {{"Namespace", "AWS/Lambda"},
       {"MetricName", "Errors"},
       {"Dimensions", {{{"Name", "FunctionName"}, {"Value", "digest"}}}},
       {"StartTime", iso(now - 3600'000)},
       {"EndTime", iso(now + 60'000)},
       {"Period", 3600},
       {"Statistics", {"Sum"}}});
  double total = 0;
  for (const auto& p : out["Datapoints"]) total += p["Sum"].get<double>();
  EXPECT_EQ(total, 1.0);
}

}  // namespace
}  // namespace ld::local
