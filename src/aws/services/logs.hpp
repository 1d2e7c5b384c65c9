#pragma once
// Amazon CloudWatch Logs (json 1.1, 2014-03-28): the function's log group and reading its events.
#include <optional>
#include <string_view>
#include <vector>

#include "aws/client.hpp"

namespace ld::aws {

extern const ServiceInfo kLogs;

namespace logs {
// Every operation this client sends, for tests that check them against the API model.
const std::vector<const Operation*>& operations();
}  // namespace logs

// CloudWatch Logs' operations as calls taking and returning JSON shaped as the API.
class LogsClient {
 public:
  explicit LogsClient(ClientConfig config);

  void create_log_group(const json& input) const;
  void delete_log_group(const json& input) const;
  json describe_log_groups(const json& input) const;
  void put_retention_policy(const json& input) const;
  json describe_log_streams(const json& input) const;
  json get_log_events(const json& input) const;
  json filter_log_events(const json& input) const;
  // Tags of a log group by ARN ({"tags": {...}}), and the older by-name ListTagsLogGroup.
  void tag_resource(const json& input) const;
  void untag_resource(const json& input) const;
  json list_tags_for_resource(const json& input) const;
  json list_tags_log_group(const json& input) const;
  // Metric filters ({"metricFilters": [...]}) and subscription filters of a group.
  void put_metric_filter(const json& input) const;
  json describe_metric_filters(const json& input) const;
  void delete_metric_filter(const json& input) const;
  void put_subscription_filter(const json& input) const;
  json describe_subscription_filters(const json& input) const;
  void delete_subscription_filter(const json& input) const;

  // Conveniences that follow every page (nextToken → nextToken).
  // All log groups whose name starts with `prefix` (empty: all).
  json describe_all_log_groups(std::string_view prefix = {}) const;
  // The group named exactly `name`, or nullopt.
  std::optional<json> find_log_group(std::string_view name) const;
  json describe_all_log_streams(const json& input) const;
  // {"events": [...], "searchedLogStreams": [...]} over every page.
  json filter_all_log_events(const json& input) const;
  // All events of one stream, following nextForwardToken until it comes back unchanged (the
  // service's end-of-stream signal). Pass "startFromHead": true to read from the beginning.
  json get_all_log_events(const json& input) const;

  const Client& client() const { return client_; }

 private:
  Client client_;
};

}  // namespace ld::aws
