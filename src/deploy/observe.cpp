#include "deploy/observed.hpp"

#include <algorithm>
#include <future>
#include <string_view>

#include "aws/error.hpp"

namespace ld::deploy {

namespace {

long long version_number(const json& configuration) {
  const std::string version = configuration.value("Version", "");
  try {
    return std::stoll(version);
  } catch (const std::exception&) {
    return -1;  // $LATEST
  }
}

// The newest layer version whose description names the dependency's bytes.
std::optional<ObservedLayer> matching_layer(const aws::LambdaClient& lambda,
                                            const DesiredDependency& dependency) {
  ObservedLayer best;
  for (const auto& item : lambda.list_all_layer_versions(dependency.layer)) {
    if (item.value("Description", "") != dependency.layer_description()) continue;
    const long long version = item.value("Version", 0LL);
    if (version > best.version) best = {item.value("LayerVersionArn", ""), version};
  }
  if (best.version == 0) return std::nullopt;
  return best;
}

// Lambda's state of the function: $LATEST, its versions, LIVE, its URL and policy.
void observe_function(const aws::LambdaClient& lambda, const Desired& desired, Observed& out) {
  const std::string& name = desired.names.function;
  auto function = lambda.find_function(name);
  if (!function) return;
  out.function = function->value("Configuration", json::object());
  for (const auto& version : lambda.list_all_versions(name))
    if (version_number(version) >= 0) out.versions.push_back(version);
  std::sort(out.versions.begin(), out.versions.end(),
            [](const json& a, const json& b) { return version_number(a) < version_number(b); });
  out.alias = lambda.find_alias(name, kLiveAlias);
  if (!out.alias) return;
  out.url = lambda.find_function_url_config(name, kLiveAlias);
  out.policy = lambda.find_policy(name, kLiveAlias);
  out.provisioned = lambda.find_provisioned_concurrency_config(name, kLiveAlias);
}

void observe_role(const aws::IamClient& iam, const Desired& desired, Observed& out) {
  if (!desired.role_is_ours) return;
  out.role = iam.find_role(desired.names.role());
  if (out.role)
    out.role_policy = iam.find_role_policy(desired.names.role(), desired.names.role_policy());
}

void observe_storage(const Clients& clients, const Desired& desired, Observed& out) {
  out.bucket_exists = clients.s3.bucket_exists(desired.bucket);
  if (!out.bucket_exists) return;
  out.code_object_current = clients.s3.object_exists_with_sha256(desired.bucket, desired.code_key,
                                                                 desired.code.sha256_hex);
  for (const auto& dependency : desired.dependencies) {
    out.dependency_objects_current[dependency.name] = clients.s3.object_exists_with_sha256(
        desired.bucket, dependency.key, dependency.zip.sha256_hex);
  }
}

void observe_telemetry(const Clients& clients, const Desired& desired, Observed& out) {
  out.log_group = clients.logs.find_log_group(desired.names.log_group());
  if (desired.alarms.empty()) return;
  json names = json::array();
  for (const auto& alarm : desired.alarms) names.push_back(alarm["AlarmName"]);
  const json found = clients.cloudwatch.describe_all_alarms({{"AlarmNames", names}});
  for (const auto& alarm : found.value("MetricAlarms", json::array()))
    out.alarms[alarm.value("AlarmName", "")] = alarm;
}

}  // namespace

std::string Observed::version_matching(const json& fingerprint) const {
  const auto newest = std::find_if(versions.rbegin(), versions.rend(), [&](const json& version) {
    return fingerprint_of(version) == fingerprint;
  });
  return newest == versions.rend() ? "" : newest->value("Version", "");
}

Observed observe(const Clients& clients, const Desired& desired) {
  // The groups read different services and write different members: they run at once, so a
  // plan costs the slowest group's round trips, not the sum.
  Observed out;
  auto function =
      std::async(std::launch::async, [&] { observe_function(clients.lambda, desired, out); });
  auto role = std::async(std::launch::async, [&] { observe_role(clients.iam, desired, out); });
  auto storage = std::async(std::launch::async, [&] { observe_storage(clients, desired, out); });
  auto telemetry =
      std::async(std::launch::async, [&] { observe_telemetry(clients, desired, out); });
  for (const auto& dependency : desired.dependencies) {
    if (auto layer = matching_layer(clients.lambda, dependency))
      out.layers[dependency.name] = *layer;
  }
  for (const auto& parameter : desired.parameters)
    out.parameters_exist[parameter.name] =
        clients.ssm.get_parameter_value(parameter.name, false).has_value();
  // get() rethrows a group's error; every group is waited for first.
  function.wait();
  role.wait();
  storage.wait();
  telemetry.wait();
  function.get();
  role.get();
  storage.get();
  telemetry.get();
  return out;
}

}  // namespace ld::deploy
