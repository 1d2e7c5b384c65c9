#include "deploy/teardown.hpp"

#include "aws/error.hpp"
#include "deploy/stage.hpp"

namespace ld::deploy {

using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

bool is_gone(const aws::AwsError& error) {
  return error.http_status() == 404 || error.code() == "ResourceNotFoundException" ||
         error.code() == "NoSuchEntity" || error.code() == "ParameterNotFound" ||
         error.code() == "NoSuchBucket";
}

// Runs one removal step; `step` returns whether it removed something (false: already gone).
class Steps {
 public:
  explicit Steps(const std::function<void(const Removal&)>& on_removal) : on_removal_(on_removal) {}

  void run(const std::string& what, const std::function<bool()>& step) {
    const auto start = Clock::now();
    Removal removal{what, false, {}};
    try {
      removal.removed = step();
    } catch (const aws::AwsError& error) {
      if (!is_gone(error)) throw;
    }
    removal.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (on_removal_) on_removal_(removal);
    done_.push_back(removal);
  }

  std::vector<Removal> done() { return std::move(done_); }

 private:
  const std::function<void(const Removal&)>& on_removal_;
  std::vector<Removal> done_;
};

}  // namespace

std::vector<Removal> tear_down(const Clients& clients, const Config& config, const StageSpec& stage,
                               const Names& names, bool purge,
                               const std::function<void(const Removal&)>& on_removal) {
  Steps steps(on_removal);
  const std::string bucket = stage.settings.deps_bucket.value_or(names.default_bucket());

  steps.run("alarms " + names.function + "-*", [&] {
    const json found =
        clients.cloudwatch.describe_all_alarms({{"AlarmNamePrefix", names.function + "-"}});
    json alarm_names = json::array();
    for (const auto& alarm : found.value("MetricAlarms", json::array()))
      alarm_names.push_back(alarm.value("AlarmName", ""));
    if (alarm_names.empty()) return false;
    clients.cloudwatch.delete_alarms({{"AlarmNames", alarm_names}});
    return true;
  });
  // Deleting the function deletes its versions, aliases, URLs and resource policy with it.
  steps.run("function " + names.function + " (versions, aliases, URL, permissions)", [&] {
    if (!clients.lambda.find_function(names.function)) return false;
    clients.lambda.delete_function({{"FunctionName", names.function}});
    return true;
  });
  steps.run("log group " + names.log_group(), [&] {
    if (!clients.logs.find_log_group(names.log_group())) return false;
    clients.logs.delete_log_group({{"logGroupName", names.log_group()}});
    return true;
  });
  if (!stage.settings.role_arn) {
    steps.run("role " + names.role() + " and its policy", [&] {
      if (!clients.iam.find_role(names.role())) return false;
      if (clients.iam.find_role_policy(names.role(), names.role_policy()))
        clients.iam.delete_role_policy(
            {{"RoleName", names.role()}, {"PolicyName", names.role_policy()}});
      clients.iam.delete_role({{"RoleName", names.role()}});
      return true;
    });
  }
  for (const auto& dependency : config.dependencies) {
    const std::string layer = names.layer(dependency.name);
    steps.run("layer " + layer + " (every version)", [&] {
      bool removed = false;
      for (const auto& version : clients.lambda.list_all_layer_versions(layer)) {
        clients.lambda.delete_layer_version(
            {{"LayerName", layer}, {"VersionNumber", version.value("Version", 0LL)}});
        removed = true;
      }
      return removed;
    });
  }
  if (!purge) return steps.done();

  for (const std::string& prefix :
       {"lambda-code/" + names.function + "/", "lambda-dependencies/" + names.stage + "/"}) {
    steps.run("objects s3://" + bucket + "/" + prefix + "*", [&] {
      if (!clients.s3.bucket_exists(bucket)) return false;
      return clients.s3.delete_all_objects(bucket, prefix) > 0;
    });
  }
  for (const auto& [variable, spec] : stage.env) {
    if (!spec.ssm) continue;
    const std::string name = expand_parameter_name(*spec.ssm, config, stage.name);
    steps.run("SSM parameter " + name + " (" + variable + ")", [&] {
      clients.ssm.delete_parameter({{"Name", name}});
      return true;
    });
  }
  return steps.done();
}

}  // namespace ld::deploy
