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

}  // namespace

const std::vector<const Operation*>& operations() {
  static const std::vector<const Operation*> all{
      &kPutMetricAlarm,
      &kDescribeAlarms,
      &kDeleteAlarms,
      &kGetMetricStatistics,
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

json CloudWatchClient::describe_all_alarms(const json& input) const {
  return collect_pages(input, {"NextToken", "NextToken", {"MetricAlarms", "CompositeAlarms"}},
                       [this](const json& page) { return describe_alarms(page); });
}

}  // namespace ld::aws
