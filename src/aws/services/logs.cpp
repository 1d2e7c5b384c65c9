#include "aws/services/logs.hpp"

#include <utility>

#include "aws/services/pages.hpp"

namespace ld::aws {

const ServiceInfo kLogs{
    .id = "CloudWatch Logs",
    .endpoint_prefix = "logs",
    .signing_name = "logs",
    .api_version = "2014-03-28",
    .protocol = Protocol::Json,
    .target_prefix = "Logs_20140328",
    .json_version = "1.1",
    .env_name = "CLOUDWATCH_LOGS",
    .config_key = "cloudwatch_logs",
};

namespace logs {
namespace {

const Operation kCreateLogGroup{
    .name = "CreateLogGroup",
};
const Operation kDeleteLogGroup{
    .name = "DeleteLogGroup",
};
const Operation kDescribeLogGroups{
    .name = "DescribeLogGroups",
};
const Operation kPutRetentionPolicy{
    .name = "PutRetentionPolicy",
};
const Operation kDescribeLogStreams{
    .name = "DescribeLogStreams",
};
const Operation kGetLogEvents{
    .name = "GetLogEvents",
};
const Operation kFilterLogEvents{
    .name = "FilterLogEvents",
};
const Operation kTagResource{
    .name = "TagResource",
};
const Operation kUntagResource{
    .name = "UntagResource",
};
const Operation kListTagsForResource{
    .name = "ListTagsForResource",
};
const Operation kListTagsLogGroup{
    .name = "ListTagsLogGroup",
};
const Operation kPutMetricFilter{
    .name = "PutMetricFilter",
};
const Operation kDescribeMetricFilters{
    .name = "DescribeMetricFilters",
};
const Operation kDeleteMetricFilter{
    .name = "DeleteMetricFilter",
};
const Operation kPutSubscriptionFilter{
    .name = "PutSubscriptionFilter",
};
const Operation kDescribeSubscriptionFilters{
    .name = "DescribeSubscriptionFilters",
};
const Operation kDeleteSubscriptionFilter{
    .name = "DeleteSubscriptionFilter",
};

}  // namespace

const std::vector<const Operation*>& operations() {
  static const std::vector<const Operation*> all{
      &kCreateLogGroup,
      &kDeleteLogGroup,
      &kDescribeLogGroups,
      &kPutRetentionPolicy,
      &kDescribeLogStreams,
      &kGetLogEvents,
      &kFilterLogEvents,
      &kTagResource,
      &kUntagResource,
      &kListTagsForResource,
      &kListTagsLogGroup,
      &kPutMetricFilter,
      &kDescribeMetricFilters,
      &kDeleteMetricFilter,
      &kPutSubscriptionFilter,
      &kDescribeSubscriptionFilters,
      &kDeleteSubscriptionFilter,
  };
  return all;
}

}  // namespace logs

using namespace logs;

namespace {}  // namespace

LogsClient::LogsClient(ClientConfig config) : client_(kLogs, std::move(config)) {}

void LogsClient::create_log_group(const json& input) const {
  client_.call(kCreateLogGroup, Call{.input = input});
}
void LogsClient::delete_log_group(const json& input) const {
  client_.call(kDeleteLogGroup, Call{.input = input});
}
json LogsClient::describe_log_groups(const json& input) const {
  return client_.call(kDescribeLogGroups, Call{.input = input}).output;
}
void LogsClient::put_retention_policy(const json& input) const {
  client_.call(kPutRetentionPolicy, Call{.input = input});
}
json LogsClient::describe_log_streams(const json& input) const {
  return client_.call(kDescribeLogStreams, Call{.input = input}).output;
}
json LogsClient::get_log_events(const json& input) const {
  return client_.call(kGetLogEvents, Call{.input = input}).output;
}
json LogsClient::filter_log_events(const json& input) const {
  return client_.call(kFilterLogEvents, Call{.input = input}).output;
}

void LogsClient::tag_resource(const json& input) const {
  client_.call(kTagResource, Call{.input = input});
}

void LogsClient::untag_resource(const json& input) const {
  client_.call(kUntagResource, Call{.input = input});
}

json LogsClient::list_tags_for_resource(const json& input) const {
  return client_.call(kListTagsForResource, Call{.input = input}).output;
}

json LogsClient::list_tags_log_group(const json& input) const {
  return client_.call(kListTagsLogGroup, Call{.input = input}).output;
}

void LogsClient::put_metric_filter(const json& input) const {
  client_.call(kPutMetricFilter, Call{.input = input});
}

json LogsClient::describe_metric_filters(const json& input) const {
  return client_.call(kDescribeMetricFilters, Call{.input = input}).output;
}

void LogsClient::delete_metric_filter(const json& input) const {
  client_.call(kDeleteMetricFilter, Call{.input = input});
}

void LogsClient::put_subscription_filter(const json& input) const {
  client_.call(kPutSubscriptionFilter, Call{.input = input});
}

json LogsClient::describe_subscription_filters(const json& input) const {
  return client_.call(kDescribeSubscriptionFilters, Call{.input = input}).output;
}

void LogsClient::delete_subscription_filter(const json& input) const {
  client_.call(kDeleteSubscriptionFilter, Call{.input = input});
}

json LogsClient::describe_all_log_groups(std::string_view prefix) const {
  json input = json::object();
  if (!prefix.empty()) input["logGroupNamePrefix"] = prefix;
  return collect_pages(std::move(input), {"nextToken", "nextToken", {"logGroups"}},
                       [this](const json& page) { return describe_log_groups(page); })["logGroups"];
}

std::optional<json> LogsClient::find_log_group(std::string_view name) const {
  for (const json& group : describe_all_log_groups(name)) {
    if (group.value("logGroupName", "") == name) return group;
  }
  return std::nullopt;
}

json LogsClient::describe_all_log_streams(const json& input) const {
  return collect_pages(input, {"nextToken", "nextToken", {"logStreams"}}, [this](const json& page) {
    return describe_log_streams(page);
  })["logStreams"];
}

json LogsClient::filter_all_log_events(const json& input) const {
  return collect_pages(input, {"nextToken", "nextToken", {"events", "searchedLogStreams"}},
                       [this](const json& page) { return filter_log_events(page); });
}

json LogsClient::get_all_log_events(const json& input) const {
  return collect_pages(input, {"nextToken", "nextForwardToken", {"events"}},
                       [this](const json& page) { return get_log_events(page); })["events"];
}

}  // namespace ld::aws
