#pragma once
// Amazon CloudWatch (query, 2010-08-01, endpoint "monitoring"): the stage's alarms and metrics.
#include <vector>

#include "aws/client.hpp"

namespace ld::aws {

extern const ServiceInfo kCloudWatch;

namespace cloudwatch {
// Every operation this client sends, for tests that check them against the API model.
const std::vector<const Operation*>& operations();
}  // namespace cloudwatch

// CloudWatch's alarm and statistics operations as calls taking and returning JSON shaped as the
// API. Outputs come back typed so a desired alarm compares equal to an observed one: lists
// (MetricAlarms, Dimensions, AlarmActions, Datapoints, ...) always lists, Threshold / Period /
// EvaluationPeriods / DatapointsToAlarm and datapoint statistics numbers, ActionsEnabled a boolean.
class CloudWatchClient {
 public:
  explicit CloudWatchClient(ClientConfig config);

  void put_metric_alarm(const json& input) const;
  json describe_alarms(const json& input) const;
  void delete_alarms(const json& input) const;
  json get_metric_statistics(const json& input) const;
  // One page of GetMetricData (MetricDataResults' Values as numbers).
  json get_metric_data(const json& input) const;
  // {"AlarmHistoryItems": [...], "NextToken"?}, one page.
  json describe_alarm_history(const json& input) const;
  // {"MetricAlarms": [...]} typed as DescribeAlarms' alarms.
  json describe_alarms_for_metric(const json& input) const;
  void enable_alarm_actions(const json& input) const;
  void disable_alarm_actions(const json& input) const;
  // {"Tags": [{"Key", "Value"}, ...]} of an alarm ARN.
  json list_tags_for_resource(const json& input) const;
  void tag_resource(const json& input) const;
  void untag_resource(const json& input) const;

  // Every page of DescribeAlarms (NextToken → NextToken):
  // {"MetricAlarms": [...], "CompositeAlarms": [...]}.
  json describe_all_alarms(const json& input) const;

  const Client& client() const { return client_; }

 private:
  Client client_;
};

}  // namespace ld::aws
