// Monitoring operations of the local endpoint (issue 12): CloudWatch GetMetricData with metric
// math, called through the project's own CloudWatchClient and /usr/bin/aws.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "aws/error.hpp"
#include "aws/services/cloudwatch.hpp"
#include "aws/services/logs.hpp"
#include "core/time.hpp"
#include "local/services/cloudwatch.hpp"
#include "local/services/logs.hpp"
#include "served_service.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

constexpr std::int64_t kMinute = 60'000;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string iso(std::int64_t ms) {
  return format_iso8601(Timestamp(std::chrono::milliseconds(ms)));
}

// A CloudWatchService served on loopback (no alarm evaluator), with the service kept.
struct ServedCloudWatch {
  explicit ServedCloudWatch(const std::filesystem::path& dir)
      : served(dir,
               [this](const State& state) {
                 service = std::make_shared<CloudWatchService>(
                     state, CloudWatchOptions{.evaluate_alarms = false});
                 return service;
               }),
        cloudwatch(served.config()) {}
  std::shared_ptr<CloudWatchService> service;
  test::ServedService served;
  aws::CloudWatchClient cloudwatch;
};

// What `invocations` calls to `function`, `errors` of them failing, at `at_ms` report.
void record_invocations(CloudWatchService& sink, const std::string& function, int invocations,
                        int errors, std::int64_t at_ms) {
  const std::vector<std::pair<std::string, std::string>> dims = {{"FunctionName", function}};
  std::vector<MetricDatum> data;
  for (int i = 0; i < invocations; ++i) {
    data.push_back({"AWS/Lambda", "Invocations", dims, 1, "Count", at_ms, std::nullopt});
    data.push_back(
        {"AWS/Lambda", "Errors", dims, i < errors ? 1.0 : 0.0, "Count", at_ms, std::nullopt});
  }
  sink.put(std::move(data));
}

json lambda_stat(const std::string& id, const std::string& metric, bool returned) {
  return {{"Id", id},
          {"MetricStat",
           {{"Metric",
             {{"Namespace", "AWS/Lambda"},
              {"MetricName", metric},
              {"Dimensions", {{{"Name", "FunctionName"}, {"Value", "digest"}}}}}},
            {"Period", 60},
            {"Stat", "Sum"}}},
          {"ReturnData", returned}};
}

TEST(MonitoringOps, GetMetricDataComputesErrorRateNewestFirst) {
  ld::test::TempDir dir("monitoring");
  ServedCloudWatch s(dir.path());
  const std::int64_t base = (now_ms() / kMinute - 10) * kMinute;
  record_invocations(*s.service, "digest", 4, 1, base + 1000);          // 25 %
  record_invocations(*s.service, "digest", 10, 5, base + kMinute + 5);  // 50 %
  record_invocations(*s.service, "other", 3, 3, base + 2000);           // another function

  json queries = {lambda_stat("errors", "Errors", false),
                  lambda_stat("invocations", "Invocations", true),
                  {{"Id", "rate"}, {"Expression", "100*errors/invocations"}, {"Label", "Error %"}}};
  json page = s.cloudwatch.get_metric_data({{"MetricDataQueries", queries},
                                            {"StartTime", iso(base)},
                                            {"EndTime", iso(base + 5 * kMinute)}});
  ASSERT_EQ(page["MetricDataResults"].size(), 2u) << page.dump();
  EXPECT_FALSE(page.contains("NextToken"));
  const json& invocations = page["MetricDataResults"][0];
  EXPECT_EQ(invocations["Id"], "invocations");
  EXPECT_EQ(invocations["Label"], "Invocations");
  EXPECT_EQ(invocations["StatusCode"], "Complete");
  EXPECT_EQ(invocations["Timestamps"], json({iso(base + kMinute), iso(base)}));
  EXPECT_EQ(invocations["Values"], json({10.0, 4.0}));
  const json& rate = page["MetricDataResults"][1];
  EXPECT_EQ(rate["Id"], "rate");
  EXPECT_EQ(rate["Label"], "Error %");
  EXPECT_EQ(rate["StatusCode"], "Complete");
  EXPECT_EQ(rate["Timestamps"], json({iso(base + kMinute), iso(base)}));
  EXPECT_EQ(rate["Values"], json({50.0, 25.0}));

  // Oldest first on request; parentheses, unary minus and constants.
  queries[2]["Expression"] = "-(errors - invocations) / 2";
  json ascending = s.cloudwatch.get_metric_data({{"MetricDataQueries", queries},
                                                 {"StartTime", iso(base)},
                                                 {"EndTime", iso(base + 5 * kMinute)},
                                                 {"ScanBy", "TimestampAscending"}});
  EXPECT_EQ(ascending["MetricDataResults"][1]["Timestamps"],
            json({iso(base), iso(base + kMinute)}));
  EXPECT_EQ(ascending["MetricDataResults"][1]["Values"], json({1.5, 2.5}));
}

TEST(MonitoringOps, GetMetricDataPagesByMaxDatapoints) {
  ld::test::TempDir dir("monitoring");
  ServedCloudWatch s(dir.path());
  const std::int64_t base = (now_ms() / kMinute - 10) * kMinute;
  for (int m = 0; m < 3; ++m)
    record_invocations(*s.service, "digest", m + 1, 0, base + m * kMinute);
  json input = {{"MetricDataQueries", {lambda_stat("invocations", "Invocations", true)}},
                {"StartTime", iso(base)},
                {"EndTime", iso(base + 5 * kMinute)},
                {"MaxDatapoints", 2}};
  json first = s.cloudwatch.get_metric_data(input);
  EXPECT_EQ(first["MetricDataResults"][0]["Values"], json({3.0, 2.0}));
  EXPECT_EQ(first["MetricDataResults"][0]["StatusCode"], "PartialData");
  ASSERT_TRUE(first.contains("NextToken"));
  input["NextToken"] = first["NextToken"];
  json second = s.cloudwatch.get_metric_data(input);
  EXPECT_EQ(second["MetricDataResults"][0]["Values"], json({1.0}));
  EXPECT_EQ(second["MetricDataResults"][0]["Timestamps"], json({iso(base)}));
  EXPECT_EQ(second["MetricDataResults"][0]["StatusCode"], "Complete");
  EXPECT_FALSE(second.contains("NextToken"));

  input["NextToken"] = "bm90LWEtdG9rZW4=";
  EXPECT_EQ(test::error_of([&] { s.cloudwatch.get_metric_data(input); }), "InvalidNextToken");
}

TEST(MonitoringOps, GetMetricDataRefusesBadQueries) {
  ld::test::TempDir dir("monitoring");
  ServedCloudWatch s(dir.path());
  const std::int64_t base = (now_ms() / kMinute - 10) * kMinute;
  auto error = [&](const json& queries, std::string* message = nullptr) {
    return test::error_of(
        [&] {
          s.cloudwatch.get_metric_data({{"MetricDataQueries", queries},
                                        {"StartTime", iso(base)},
                                        {"EndTime", iso(base + kMinute)}});
        },
        message);
  };
  std::string message;
  EXPECT_EQ(
      error({lambda_stat("a", "Errors", false), {{"Id", "r"}, {"Expression", "a/nope"}}}, &message),
      "ValidationError");
  EXPECT_NE(message.find("nope"), std::string::npos) << message;
  EXPECT_EQ(error({lambda_stat("Upper", "Errors", true)}), "ValidationError");
  EXPECT_EQ(error({lambda_stat("a", "Errors", true), lambda_stat("a", "Errors", true)}),
            "ValidationError");
  EXPECT_EQ(error({{{"Id", "a"}}}), "ValidationError");
  EXPECT_EQ(test::error_of([&] {
              s.cloudwatch.get_metric_data({{"StartTime", iso(base)}, {"EndTime", iso(base + 1)}});
            }),
            "MissingParameter");
}

TEST(MonitoringOps, GetMetricDataThroughTheAwsCli) {
  if (!ld::test::aws_cli_available()) GTEST_SKIP() << "/usr/bin/aws is not installed";
  ld::test::TempDir dir("monitoring");
  ServedCloudWatch s(dir.path());
  const std::int64_t base = (now_ms() / kMinute - 10) * kMinute;
  record_invocations(*s.service, "digest", 4, 1, base + 1000);
  json queries = {lambda_stat("errors", "Errors", false),
                  lambda_stat("invocations", "Invocations", false),
                  {{"Id", "rate"}, {"Expression", "100*errors/invocations"}}};
  auto run = s.served.aws({"cloudwatch", "get-metric-data", "--metric-data-queries", queries.dump(),
                           "--start-time", iso(base), "--end-time", iso(base + 5 * kMinute)});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json out = run.json();
  ASSERT_EQ(out["MetricDataResults"].size(), 1u) << run.out;
  EXPECT_EQ(out["MetricDataResults"][0]["Id"], "rate");
  EXPECT_EQ(out["MetricDataResults"][0]["Label"], "rate");
  EXPECT_EQ(out["MetricDataResults"][0]["StatusCode"], "Complete");
  EXPECT_EQ(out["MetricDataResults"][0]["Values"], json({25.0}));
  ASSERT_EQ(out["MetricDataResults"][0]["Timestamps"].size(), 1u);
  EXPECT_EQ(*parse_iso8601(out["MetricDataResults"][0]["Timestamps"][0].get<std::string>()),
            Timestamp(std::chrono::milliseconds(base)));
}

json errors_alarm(const std::string& name) {
  return {{"AlarmName", name},
          {"Namespace", "AWS/Lambda"},
          {"MetricName", "Errors"},
          {"Dimensions", {{{"Name", "FunctionName"}, {"Value", "digest"}}}},
          {"Statistic", "Sum"},
          {"Period", 60},
          {"EvaluationPeriods", 1},
          {"Threshold", 1.0},
          {"ComparisonOperator", "GreaterThanOrEqualToThreshold"},
          {"Tags", {{{"Key", "stage"}, {"Value", "dev"}}}}};
}

TEST(MonitoringOps, DescribeAlarmsForMetricAndAlarmActions) {
  ld::test::TempDir dir("monitoring");
  ServedCloudWatch s(dir.path());
  s.cloudwatch.put_metric_alarm(errors_alarm("digest-errors"));
  json other = errors_alarm("digest-throttles");
  other["MetricName"] = "Throttles";
  s.cloudwatch.put_metric_alarm(other);

  json found = s.cloudwatch.describe_alarms_for_metric(
      {{"Namespace", "AWS/Lambda"},
       {"MetricName", "Errors"},
       {"Dimensions", {{{"Name", "FunctionName"}, {"Value", "digest"}}}}});
  ASSERT_EQ(found["MetricAlarms"].size(), 1u) << found.dump();
  EXPECT_EQ(found["MetricAlarms"][0]["AlarmName"], "digest-errors");
  EXPECT_EQ(found["MetricAlarms"][0]["ActionsEnabled"], true);
  EXPECT_TRUE(s.cloudwatch
                  .describe_alarms_for_metric({{"Namespace", "AWS/Lambda"},
                                               {"MetricName", "Errors"},
                                               {"Statistic", "Average"}})["MetricAlarms"]
                  .empty());
  EXPECT_EQ(test::error_of([&] {
              s.cloudwatch.describe_alarms_for_metric({{"Namespace", "X"}});
            }),
            "MissingParameter");

  s.cloudwatch.disable_alarm_actions({{"AlarmNames", {"digest-errors", "no-such-alarm"}}});
  json page = s.cloudwatch.describe_alarms({{"AlarmNames", {"digest-errors"}}});
  EXPECT_EQ(page["MetricAlarms"][0]["ActionsEnabled"], false);
  s.cloudwatch.enable_alarm_actions({{"AlarmNames", {"digest-errors"}}});
  page = s.cloudwatch.describe_alarms({{"AlarmNames", {"digest-errors"}}});
  EXPECT_EQ(page["MetricAlarms"][0]["ActionsEnabled"], true);
  EXPECT_EQ(test::error_of([&] { s.cloudwatch.enable_alarm_actions(json::object()); }),
            "MissingParameter");
}

TEST(MonitoringOps, AlarmHistoryRecordsCreationAndStateChanges) {
  ld::test::TempDir dir("monitoring");
  ServedCloudWatch s(dir.path());
  s.cloudwatch.put_metric_alarm(errors_alarm("digest-errors"));
  const std::int64_t now = now_ms();
  record_invocations(*s.service, "digest", 3, 2, now - 1000);
  s.service->evaluate_alarms();  // INSUFFICIENT_DATA -> ALARM
  ASSERT_EQ(s.cloudwatch.describe_alarms(
                {{"AlarmNames", {"digest-errors"}}})["MetricAlarms"][0]["StateValue"],
            "ALARM");

  json history = s.cloudwatch.describe_alarm_history({{"AlarmName", "digest-errors"}});
  ASSERT_EQ(history["AlarmHistoryItems"].size(), 2u) << history.dump();
  const json& newest = history["AlarmHistoryItems"][0];
  EXPECT_EQ(newest["AlarmName"], "digest-errors");
  EXPECT_EQ(newest["AlarmType"], "MetricAlarm");
  EXPECT_EQ(newest["HistoryItemType"], "StateUpdate");
  EXPECT_EQ(newest["HistorySummary"], "Alarm updated from INSUFFICIENT_DATA to ALARM");
  const json data = json::parse(newest["HistoryData"].get<std::string>());
  EXPECT_EQ(data["oldState"]["stateValue"], "INSUFFICIENT_DATA");
  EXPECT_EQ(data["newState"]["stateValue"], "ALARM");
  EXPECT_EQ(history["AlarmHistoryItems"][1]["HistoryItemType"], "ConfigurationUpdate");
  EXPECT_EQ(history["AlarmHistoryItems"][1]["HistorySummary"], "Alarm \"digest-errors\" created");

  json states = s.cloudwatch.describe_alarm_history(
      {{"AlarmName", "digest-errors"}, {"HistoryItemType", "StateUpdate"}});
  EXPECT_EQ(states["AlarmHistoryItems"].size(), 1u);
  json first = s.cloudwatch.describe_alarm_history(
      {{"AlarmName", "digest-errors"}, {"MaxRecords", 1}, {"ScanBy", "TimestampAscending"}});
  ASSERT_EQ(first["AlarmHistoryItems"].size(), 1u);
  EXPECT_EQ(first["AlarmHistoryItems"][0]["HistoryItemType"], "ConfigurationUpdate");
  ASSERT_TRUE(first.contains("NextToken"));
  json second = s.cloudwatch.describe_alarm_history({{"AlarmName", "digest-errors"},
                                                     {"MaxRecords", 1},
                                                     {"ScanBy", "TimestampAscending"},
                                                     {"NextToken", first["NextToken"]}});
  EXPECT_EQ(second["AlarmHistoryItems"][0]["HistoryItemType"], "StateUpdate");
  EXPECT_FALSE(second.contains("NextToken"));
  EXPECT_EQ(test::error_of([&] {
              s.cloudwatch.describe_alarm_history({{"NextToken", "bm90LWEtdG9rZW4="}});
            }),
            "InvalidNextToken");

  if (!ld::test::aws_cli_available()) GTEST_SKIP() << "/usr/bin/aws is not installed";
  auto run = s.served.aws({"cloudwatch", "describe-alarm-history", "--alarm-name", "digest-errors",
                           "--history-item-type", "StateUpdate"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(run.json()["AlarmHistoryItems"].size(), 1u) << run.out;
  EXPECT_EQ(run.json()["AlarmHistoryItems"][0]["HistorySummary"],
            "Alarm updated from INSUFFICIENT_DATA to ALARM");
}

TEST(MonitoringOps, AlarmTagsFromPutMetricAlarmAndTagResource) {
  ld::test::TempDir dir("monitoring");
  ServedCloudWatch s(dir.path());
  s.cloudwatch.put_metric_alarm(errors_alarm("digest-errors"));
  const std::string arn = "arn:aws:cloudwatch:us-east-1:000000000000:alarm:digest-errors";
  ASSERT_EQ(s.cloudwatch.describe_alarms(
                {{"AlarmNames", {"digest-errors"}}})["MetricAlarms"][0]["AlarmArn"],
            arn);
  EXPECT_EQ(s.cloudwatch.list_tags_for_resource({{"ResourceARN", arn}})["Tags"],
            json({{{"Key", "stage"}, {"Value", "dev"}}}));
  s.cloudwatch.tag_resource(
      {{"ResourceARN", arn},
       {"Tags", {{{"Key", "team"}, {"Value", "digest"}}, {{"Key", "stage"}, {"Value", "qa"}}}}});
  EXPECT_EQ(s.cloudwatch.list_tags_for_resource({{"ResourceARN", arn}})["Tags"],
            json({{{"Key", "stage"}, {"Value", "qa"}}, {{"Key", "team"}, {"Value", "digest"}}}));
  s.cloudwatch.untag_resource({{"ResourceARN", arn}, {"TagKeys", {"stage"}}});
  EXPECT_EQ(s.cloudwatch.list_tags_for_resource({{"ResourceARN", arn}})["Tags"],
            json({{{"Key", "team"}, {"Value", "digest"}}}));
  EXPECT_EQ(test::error_of([&] {
              s.cloudwatch.list_tags_for_resource(
                  {{"ResourceARN", "arn:aws:cloudwatch:us-east-1:000000000000:alarm:nope"}});
            }),
            "ResourceNotFoundException");

  if (ld::test::aws_cli_available()) {
    // The CLI's tag-resource needs the empty <TagResourceResult/> botocore requires.
    auto tagged = s.served.aws(
        {"cloudwatch", "tag-resource", "--resource-arn", arn, "--tags", "Key=owner,Value=ops"});
    ASSERT_EQ(tagged.exit_code, 0) << tagged.err;
    auto listed = s.served.aws({"cloudwatch", "list-tags-for-resource", "--resource-arn", arn});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_EQ(listed.json()["Tags"],
              json({{{"Key", "owner"}, {"Value", "ops"}}, {{"Key", "team"}, {"Value", "digest"}}}));
    auto disable =
        s.served.aws({"cloudwatch", "disable-alarm-actions", "--alarm-names", "digest-errors"});
    ASSERT_EQ(disable.exit_code, 0) << disable.err;
    auto for_metric = s.served.aws({"cloudwatch", "describe-alarms-for-metric", "--namespace",
                                    "AWS/Lambda", "--metric-name", "Errors"});
    ASSERT_EQ(for_metric.exit_code, 0) << for_metric.err;
    ASSERT_EQ(for_metric.json()["MetricAlarms"].size(), 1u) << for_metric.out;
    EXPECT_EQ(for_metric.json()["MetricAlarms"][0]["ActionsEnabled"], false);
    auto missing = s.served.aws({"cloudwatch", "list-tags-for-resource", "--resource-arn",
                                 "arn:aws:cloudwatch:us-east-1:000000000000:alarm:nope"});
    EXPECT_NE(missing.exit_code, 0);
    EXPECT_NE(missing.err.find("ResourceNotFoundException"), std::string::npos) << missing.err;
  }

  // Deleting the alarm drops its tags: a new alarm of that name starts with its own.
  s.cloudwatch.delete_alarms({{"AlarmNames", {"digest-errors"}}});
  json bare = errors_alarm("digest-errors");
  bare.erase("Tags");
  s.cloudwatch.put_metric_alarm(bare);
  EXPECT_TRUE(s.cloudwatch.list_tags_for_resource({{"ResourceARN", arn}})["Tags"].empty());
}

// A LogsService served on loopback whose metric filters feed a served CloudWatchService.
struct ServedLogs {
  ServedLogs(const std::filesystem::path& logs_dir, const std::filesystem::path& cw_dir)
      : cw(cw_dir),
        served(logs_dir,
               [this](const State& state) {
                 service = std::make_shared<LogsService>(state);
                 service->set_metric_sink(cw.service);
                 return service;
               }),
        logs(served.config()) {}
  ServedCloudWatch cw;
  std::shared_ptr<LogsService> service;
  test::ServedService served;
  aws::LogsClient logs;
};

void put_events(const aws::LogsClient& logs, const std::string& group, const std::string& stream,
                const json& events) {
  static const aws::Operation kPutLogEvents{.name = "PutLogEvents"};
  logs.client().call(kPutLogEvents, aws::Call{.input = {{"logGroupName", group},
                                                        {"logStreamName", stream},
                                                        {"logEvents", events}}});
}

void create_stream(const aws::LogsClient& logs, const std::string& group,
                   const std::string& stream) {
  static const aws::Operation kCreateLogStream{.name = "CreateLogStream"};
  logs.client().call(kCreateLogStream,
                     aws::Call{.input = {{"logGroupName", group}, {"logStreamName", stream}}});
}

TEST(MonitoringOps, LogGroupTagsByArnAndByName) {
  ld::test::TempDir logs_dir("monitoring-logs");
  ld::test::TempDir cw_dir("monitoring-cw");
  ServedLogs s(logs_dir.path(), cw_dir.path());
  s.logs.create_log_group({{"logGroupName", "/aws/lambda/digest"}});
  const std::string arn = "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/digest";
  s.logs.tag_resource({{"resourceArn", arn}, {"tags", {{"stage", "dev"}, {"team", "digest"}}}});
  EXPECT_EQ(s.logs.list_tags_for_resource({{"resourceArn", arn}})["tags"],
            json({{"stage", "dev"}, {"team", "digest"}}));
  s.logs.untag_resource({{"resourceArn", arn}, {"tagKeys", {"team"}}});
  EXPECT_EQ(s.logs.list_tags_log_group({{"logGroupName", "/aws/lambda/digest"}})["tags"],
            json({{"stage", "dev"}}));
  EXPECT_EQ(test::error_of([&] {
              s.logs.list_tags_for_resource(
                  {{"resourceArn", "arn:aws:logs:us-east-1:000000000000:log-group:nope"}});
            }),
            "ResourceNotFoundException");
  // A group deleted and created again starts without tags.
  s.logs.delete_log_group({{"logGroupName", "/aws/lambda/digest"}});
  s.logs.create_log_group({{"logGroupName", "/aws/lambda/digest"}});
  EXPECT_TRUE(s.logs.list_tags_for_resource({{"resourceArn", arn}})["tags"].empty());
  s.logs.tag_resource({{"resourceArn", arn}, {"tags", {{"stage", "dev"}}}});

  if (!ld::test::aws_cli_available()) GTEST_SKIP() << "/usr/bin/aws is not installed";
  auto run =
      s.served.aws({"logs", "list-tags-log-group", "--log-group-name", "/aws/lambda/digest"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.json()["tags"], json({{"stage", "dev"}}));
  run = s.served.aws({"logs", "list-tags-for-resource", "--resource-arn", arn});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.json()["tags"], json({{"stage", "dev"}}));
}

TEST(MonitoringOps, MetricFilterFeedsAMetricThatGetMetricDataReads) {
  ld::test::TempDir logs_dir("monitoring-logs");
  ld::test::TempDir cw_dir("monitoring-cw");
  ServedLogs s(logs_dir.path(), cw_dir.path());
  const std::string group = "/aws/lambda/digest";
  s.logs.create_log_group({{"logGroupName", group}});
  create_stream(s.logs, group, "s1");
  s.logs.put_metric_filter({{"logGroupName", group},
                            {"filterName", "timeouts"},
                            {"filterPattern", "\"Task timed out\""},
                            {"metricTransformations",
                             {{{"metricName", "Timeouts"},
                               {"metricNamespace", "Digest"},
                               {"metricValue", "1"},
                               {"unit", "Count"}}}}});
  json described = s.logs.describe_metric_filters({{"logGroupName", group}});
  ASSERT_EQ(described["metricFilters"].size(), 1u) << described.dump();
  EXPECT_EQ(described["metricFilters"][0]["filterName"], "timeouts");
  EXPECT_EQ(described["metricFilters"][0]["filterPattern"], "\"Task timed out\"");
  EXPECT_EQ(described["metricFilters"][0]["logGroupName"], group);
  EXPECT_EQ(described["metricFilters"][0]["metricTransformations"][0]["metricName"], "Timeouts");

  const std::int64_t base = (now_ms() / kMinute - 5) * kMinute;
  put_events(s.logs, group, "s1",
             {{{"timestamp", base + 1000}, {"message", "START RequestId: 1"}},
              {{"timestamp", base + 2000}, {"message", "Task timed out after 3.00 seconds"}},
              {{"timestamp", base + 3000}, {"message", "Task timed out after 3.00 seconds"}},
              {{"timestamp", base + kMinute + 10}, {"message", "Task timed out again"}}});
  json data = s.cw.cloudwatch.get_metric_data(
      {{"MetricDataQueries",
        {{{"Id", "timeouts"},
          {"MetricStat",
           {{"Metric", {{"Namespace", "Digest"}, {"MetricName", "Timeouts"}}},
            {"Period", 60},
            {"Stat", "Sum"}}}}}},
       {"StartTime", iso(base)},
       {"EndTime", iso(base + 5 * kMinute)}});
  ASSERT_EQ(data["MetricDataResults"].size(), 1u) << data.dump();
  EXPECT_EQ(data["MetricDataResults"][0]["Timestamps"], json({iso(base + kMinute), iso(base)}));
  EXPECT_EQ(data["MetricDataResults"][0]["Values"], json({1.0, 2.0}));

  // Lambda's own log lines (the executor's sink) are filtered too.
  s.service->append(group, "s2", {{base + 2 * kMinute + 5, "Task timed out after 1.00 seconds"}});
  data = s.cw.cloudwatch.get_metric_data(
      {{"MetricDataQueries",
        {{{"Id", "timeouts"},
          {"MetricStat",
           {{"Metric", {{"Namespace", "Digest"}, {"MetricName", "Timeouts"}}},
            {"Period", 300},
            {"Stat", "Sum"}}}}}},
       {"StartTime", iso(base)},
       {"EndTime", iso(base + 5 * kMinute)}});
  EXPECT_EQ(data["MetricDataResults"][0]["Values"], json({4.0}));

  EXPECT_EQ(test::error_of([&] {
              s.logs.delete_metric_filter({{"logGroupName", group}, {"filterName", "nope"}});
            }),
            "ResourceNotFoundException");
  s.logs.delete_metric_filter({{"logGroupName", group}, {"filterName", "timeouts"}});
  EXPECT_TRUE(s.logs.describe_metric_filters({{"logGroupName", group}})["metricFilters"].empty());

  if (!ld::test::aws_cli_available()) GTEST_SKIP() << "/usr/bin/aws is not installed";
  auto run = s.served.aws({"logs", "put-metric-filter", "--log-group-name", group, "--filter-name",
                           "errors", "--filter-pattern", "ERROR", "--metric-transformations",
                           "metricName=Errors,metricNamespace=Digest,metricValue=1"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  run = s.served.aws({"logs", "describe-metric-filters", "--metric-name", "Errors",
                      "--metric-namespace", "Digest"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_EQ(run.json()["metricFilters"].size(), 1u) << run.out;
  EXPECT_EQ(run.json()["metricFilters"][0]["filterName"], "errors");
  run = s.served.aws(
      {"logs", "delete-metric-filter", "--log-group-name", group, "--filter-name", "errors"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

TEST(MonitoringOps, SubscriptionFiltersAreStoredAndDescribed) {
  ld::test::TempDir logs_dir("monitoring-logs");
  ld::test::TempDir cw_dir("monitoring-cw");
  ServedLogs s(logs_dir.path(), cw_dir.path());
  const std::string group = "/aws/lambda/digest";
  s.logs.create_log_group({{"logGroupName", group}});
  const std::string destination = "arn:aws:lambda:us-east-1:000000000000:function:shipper";
  s.logs.put_subscription_filter({{"logGroupName", group},
                                  {"filterName", "ship"},
                                  {"filterPattern", ""},
                                  {"destinationArn", destination}});
  json described = s.logs.describe_subscription_filters({{"logGroupName", group}});
  ASSERT_EQ(described["subscriptionFilters"].size(), 1u) << described.dump();
  EXPECT_EQ(described["subscriptionFilters"][0]["destinationArn"], destination);
  EXPECT_EQ(described["subscriptionFilters"][0]["distribution"], "ByLogStream");
  EXPECT_EQ(test::error_of([&] {
              s.logs.put_subscription_filter({{"logGroupName", "/nope"},
                                              {"filterName", "ship"},
                                              {"filterPattern", ""},
                                              {"destinationArn", destination}});
            }),
            "ResourceNotFoundException");

  if (ld::test::aws_cli_available()) {
    auto run = s.served.aws({"logs", "describe-subscription-filters", "--log-group-name", group});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.json()["subscriptionFilters"][0]["filterName"], "ship");
    run = s.served.aws(
        {"logs", "delete-subscription-filter", "--log-group-name", group, "--filter-name", "ship"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
  } else {
    s.logs.delete_subscription_filter({{"logGroupName", group}, {"filterName", "ship"}});
  }
  EXPECT_TRUE(s.logs.describe_subscription_filters({{"logGroupName", group}})["subscriptionFilters"]
                  .empty());
  EXPECT_EQ(test::error_of([&] {
              s.logs.delete_subscription_filter({{"logGroupName", group}, {"filterName", "ship"}});
            }),
            "ResourceNotFoundException");
}

}  // namespace
}  // namespace ld::local
