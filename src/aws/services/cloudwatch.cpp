#include "aws/services/cloudwatch.hpp"

#include <utility>

#include "aws/services/pages.hpp"
#include "aws/services/xml_values.hpp"

namespace ld::aws {

const ServiceInfo kCloudWatch{
    .id = "CloudWatch",
    .endpoint_prefix = "monitoring",
    .signing_name = "monitoring",
    .api_version = "2010-08-01",
    .protocol = Protocol::Query,
    .env_name = "CLOUDWATCH",
    .config_key = "cloudwatch",
};

namespace cloudwatch {
namespace {

const Operation kPutMetricAlarm{
    .name = "PutMetricAlarm",
};
const Operation kDescribeAlarms{
    .name = "DescribeAlarms",
};
const Operation kDeleteAlarms{
    .name = "DeleteAlarms",
};
const Operation kGetMetricStatistics{
    .name = "GetMetricStatistics",
};
const Operation kGetMetricData{
    .name = "GetMetricData",
};
const Operation kDescribeAlarmHistory{
    .name = "DescribeAlarmHistory",
};
const Operation kDescribeAlarmsForMetric{
    .name = "DescribeAlarmsForMetric",
};
const Operation kEnableAlarmActions{
    .name = "EnableAlarmActions",
};
const Operation kDisableAlarmActions{
    .name = "DisableAlarmActions",
};
const Operation kListTagsForResource{
    .name = "ListTagsForResource",
};
const Operation kTagResource{
    .name = "TagResource",
};
const Operation kUntagResource{
    .name = "UntagResource",
};

}  // namespace

const std::vector<const Operation*>& operations() {
  static const std::vector<const Operation*> all{
      &kPutMetricAlarm, &kDescribeAlarms, &kDeleteAlarms, &kGetMetricStatistics, &kGetMetricData,
  };
  return all;
}

}  // namespace cloudwatch

using namespace cloudwatch;

namespace {

void type_metric(json& metric) {
  normalize_lists(metric, {"Dimensions"});
}

void type_alarm(json& alarm) {
  normalize_lists(
      alarm, {"OKActions", "AlarmActions", "InsufficientDataActions", "Dimensions", "Metrics"});
  normalize_numbers(alarm, {"Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
                            "ActionsSuppressorWaitPeriod", "ActionsSuppressorExtensionPeriod"});
  normalize_booleans(alarm, {"ActionsEnabled"});
  if (auto metrics = alarm.find("Metrics"); metrics != alarm.end()) {
    for (json& query : *metrics) {
      normalize_numbers(query, {"Period"});
      normalize_booleans(query, {"ReturnData"});
      if (auto stat = query.find("MetricStat"); stat != query.end() && stat->is_object()) {
        normalize_numbers(*stat, {"Period"});
        if (auto metric = stat->find("Metric"); metric != stat->end()) type_metric(*metric);
      }
    }
  }
}

json typed_alarms_page(json output) {
  require_lists(output, {"MetricAlarms", "CompositeAlarms"});
  for (json& alarm : output["MetricAlarms"]) type_alarm(alarm);
  for (json& alarm : output["CompositeAlarms"]) type_alarm(alarm);
  return output;
}

json typed_statistics(json output) {
  require_lists(output, {"Datapoints"});
  for (json& point : output["Datapoints"])
    normalize_numbers(point, {"SampleCount", "Average", "Sum", "Minimum", "Maximum"});
  return output;
}

// GetMetricData's page with its lists as lists and its Values as numbers.
json typed_metric_data(json output) {
  require_lists(output, {"MetricDataResults", "Messages"});
  for (json& result : output["MetricDataResults"]) {
    require_lists(result, {"Timestamps", "Values", "Messages"});
    for (json& value : result["Values"]) {
      json holder = {{"v", value}};
      normalize_numbers(holder, {"v"});
      value = holder["v"];
    }
  }
  return output;
}

// DescribeAlarmHistory's page with its items as a list.
json typed_history(json output) {
  require_lists(output, {"AlarmHistoryItems"});
  return output;
}

}  // namespace

CloudWatchClient::CloudWatchClient(ClientConfig config) : client_(kCloudWatch, std::move(config)) {}

void CloudWatchClient::put_metric_alarm(const json& input) const {
  client_.call(kPutMetricAlarm, Call{.input = input});
}

json CloudWatchClient::describe_alarms(const json& input) const {
  return typed_alarms_page(client_.call(kDescribeAlarms, Call{.input = input}).output);
}

void CloudWatchClient::delete_alarms(const json& input) const {
  client_.call(kDeleteAlarms, Call{.input = input});
}

json CloudWatchClient::get_metric_statistics(const json& input) const {
  return typed_statistics(client_.call(kGetMetricStatistics, Call{.input = input}).output);
}

json CloudWatchClient::get_metric_data(const json& input) const {
  return typed_metric_data(client_.call(kGetMetricData, Call{.input = input}).output);
}

json CloudWatchClient::describe_alarm_history(const json& input) const {
  return typed_history(client_.call(kDescribeAlarmHistory, Call{.input = input}).output);
}

json CloudWatchClient::describe_alarms_for_metric(const json& input) const {
  json output = client_.call(kDescribeAlarmsForMetric, Call{.input = input}).output;
  require_lists(output, {"MetricAlarms"});
  for (json& alarm : output["MetricAlarms"]) type_alarm(alarm);
  return output;
}

void CloudWatchClient::enable_alarm_actions(const json& input) const {
  client_.call(kEnableAlarmActions, Call{.input = input});
}

void CloudWatchClient::disable_alarm_actions(const json& input) const {
  client_.call(kDisableAlarmActions, Call{.input = input});
}

json CloudWatchClient::list_tags_for_resource(const json& input) const {
  json output = client_.call(kListTagsForResource, Call{.input = input}).output;
  require_lists(output, {"Tags"});
  return output;
}

void CloudWatchClient::tag_resource(const json& input) const {
  client_.call(kTagResource, Call{.input = input});
}

void CloudWatchClient::untag_resource(const json& input) const {
  client_.call(kUntagResource, Call{.input = input});
}

json CloudWatchClient::describe_all_alarms(const json& input) const {
  return collect_pages(input, {"NextToken", "NextToken", {"MetricAlarms", "CompositeAlarms"}},
                       [this](const json& page) { return describe_alarms(page); });
}

}  // namespace ld::aws
