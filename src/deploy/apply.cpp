#include "deploy/apply.hpp"

#include "aws/error.hpp"
#include "deploy/live_record.hpp"

namespace ld::deploy {

namespace {

using Clock = std::chrono::steady_clock;

// What earlier actions produced that later ones need.
struct Applied {
  std::map<std::string, std::string> layers;  // dependency → layer version ARN
  std::string published;                      // the version PublishVersion made
  std::string live;
  std::string url;
};

std::vector<std::string> layer_arns(const Desired& desired, const Applied& applied) {
  std::vector<std::string> arns;
  for (const auto& dependency : desired.dependencies) {
    auto found = applied.layers.find(dependency.name);
    if (found == applied.layers.end())
      throw Error("no version of layer " + dependency.layer + " with these bytes was published");
    arns.push_back(found->second);
  }
  return arns;
}

bool is_code(const aws::AwsError& error, std::initializer_list<const char*> codes) {
  for (const char* code : codes)
    if (error.code() == code) return true;
  return false;
}

// Runs one action; returns what came of it.
class Runner {
 public:
  Runner(const Desired& desired, const Observed& observed, const Clients& clients,
         const ApplyOptions& options, Progress& progress, Applied& applied, ApplyResult& result)
      : d_(desired),
        o_(observed),
        c_(clients),
        options_(options),
        progress_(progress),
        applied_(applied),
        result_(result) {}

  std::string run(const Action& action) {
    switch (action.kind) {
      case ActionKind::CreateParameter:
        return create_parameter(action);
      case ActionKind::CreateBucket:
        return create_bucket();
      case ActionKind::UploadDependency:
        return upload_dependency(action);
      case ActionKind::PublishLayer:
        return publish_layer(action);
      case ActionKind::CreateRole:
        return create_role();
      case ActionKind::PutRolePolicy:
        return put_role_policy();
      case ActionKind::CreateLogGroup:
        return create_log_group();
      case ActionKind::PutRetention:
        return put_retention();
      case ActionKind::UploadCode:
        return upload_code();
      case ActionKind::CreateFunction:
        return create_function();
      case ActionKind::UpdateCode:
        return update_code();
      case ActionKind::UpdateConfiguration:
        return update_configuration();
      case ActionKind::PublishVersion:
        return publish_version();
      case ActionKind::CheckVersion:
        return check_version(action);
      case ActionKind::CreateAlias:
        return move_alias(action, true);
      case ActionKind::UpdateAlias:
        return move_alias(action, false);
      case ActionKind::CreateUrl:
        return put_url(true);
      case ActionKind::UpdateUrl:
        return put_url(false);
      case ActionKind::AddPermission:
        return add_permission(action);
      case ActionKind::PutAlarm:
        return put_alarm(action);
      case ActionKind::PutProvisioned:
        return put_provisioned();
      case ActionKind::DeleteProvisioned:
        return delete_provisioned();
    }
    throw Error("unknown action");
  }

 private:
  const std::string& function() const { return d_.names.function; }

  nlohmann::json settle(const std::string& qualifier = "") {
    return wait_until_settled(c_.lambda, function(), qualifier, options_.wait, progress_);
  }

  std::string create_parameter(const Action& action) {
    const DesiredParameter* parameter = nullptr;
    for (const auto& p : d_.parameters)
      if (p.name == action.key) parameter = &p;
    if (parameter == nullptr) throw Error("no parameter " + action.key + " in the stage");
    c_.ssm.put_parameter(
        {{"Name", parameter->name},
         {"Value", d_.env.at(parameter->env).value},
         {"Type", "SecureString"},
         {"Overwrite", false},
         {"Description", "lambdeploy: generated for " + parameter->env + " of " + function()}});
    return "SecureString " + parameter->name;
  }

  std::string create_bucket() {
    try {
      c_.s3.create_bucket({{"Bucket", d_.bucket}});
    } catch (const aws::AwsError& error) {
      if (!is_code(error, {"BucketAlreadyOwnedByYou"})) throw;
    }
    return "s3://" + d_.bucket;
  }

  const DesiredDependency& dependency(const std::string& name) const {
    for (const auto& dep : d_.dependencies)
      if (dep.name == name) return dep;
    throw Error("no dependency " + name + " in the stage");
  }

  std::string upload_dependency(const Action& action) {
    const DesiredDependency& dep = dependency(action.key);
    c_.s3.put_object_file(d_.bucket, dep.key, dep.zip.path);
    return "s3://" + d_.bucket + "/" + dep.key;
  }

  std::string publish_layer(const Action& action) {
    const DesiredDependency& dep = dependency(action.key);
    const nlohmann::json out =
        c_.lambda.publish_layer_version({{"LayerName", dep.layer},
                                         {"Description", dep.layer_description()},
                                         {"Content", {{"S3Bucket", d_.bucket}, {"S3Key", dep.key}}},
                                         {"CompatibleRuntimes", {d_.runtime}},
                                         {"CompatibleArchitectures", {d_.architecture}}});
    applied_.layers[dep.name] = out.value("LayerVersionArn", "");
    return "version " + std::to_string(out.value("Version", 0LL));
  }

  std::string create_role() {
    try {
      c_.iam.create_role({{"RoleName", d_.names.role()},
                          {"AssumeRolePolicyDocument", d_.trust_policy()},
                          {"Description", "lambdeploy: execution role of " + function()}});
    } catch (const aws::AwsError& error) {
      if (!is_code(error, {"EntityAlreadyExists"})) throw;
    }
    return d_.role_arn;
  }

  std::string put_role_policy() {
    c_.iam.put_role_policy({{"RoleName", d_.names.role()},
                            {"PolicyName", d_.names.role_policy()},
                            {"PolicyDocument", d_.role_policy()}});
    return d_.names.role_policy();
  }

  std::string create_log_group() {
    try {
      c_.logs.create_log_group({{"logGroupName", d_.names.log_group()}});
    } catch (const aws::AwsError& error) {
      if (!is_code(error, {"ResourceAlreadyExistsException"})) throw;
    }
    return d_.names.log_group();
  }

  std::string put_retention() {
    c_.logs.put_retention_policy(
        {{"logGroupName", d_.names.log_group()}, {"retentionInDays", d_.log_retention_days}});
    return std::to_string(d_.log_retention_days) + " days";
  }

  std::string upload_code() {
    c_.s3.put_object_file(d_.bucket, d_.code_key, d_.code.path);
    return "s3://" + d_.bucket + "/" + d_.code_key;
  }

  std::string create_function() {
    const nlohmann::json input = d_.create_function_input(layer_arns(d_, applied_));
    const auto give_up = Clock::now() + options_.role_propagation;
    auto delay = std::chrono::milliseconds(500);
    for (int attempt = 1;; ++attempt) {
      try {
        c_.lambda.create_function(input);
        break;
      } catch (const aws::AwsError& error) {
        // A role made a moment ago is not yet visible to Lambda: AWS says it "cannot be
        // assumed" until IAM has propagated it.
        const bool role_not_ready = error.code() == "InvalidParameterValueException" &&
                                    error.message().find("cannot be assumed") != std::string::npos;
        if (!role_not_ready || Clock::now() + delay > give_up) throw;
        progress_.retrying("CreateFunction", attempt + 1, "the new role is not assumable yet");
        pause(delay, options_.wait.cancelled);
        delay = std::min(std::chrono::milliseconds(5000), delay * 2);
      }
    }
    const nlohmann::json settled = settle();
    return "CodeSha256 " + settled.value("CodeSha256", "");
  }

  std::string update_code() {
    settle();
    retry_on_conflict(
        [&] {
          return c_.lambda.update_function_code({{"FunctionName", function()},
                                                 {"S3Bucket", d_.bucket},
                                                 {"S3Key", d_.code_key},
                                                 {"Architectures", {d_.architecture}},
                                                 {"Publish", false}});
        },
        c_.lambda, function(), options_.wait, progress_);
    const nlohmann::json settled = settle();
    return "CodeSha256 " + settled.value("CodeSha256", "");
  }

  std::string update_configuration() {
    settle();
    const nlohmann::json input = d_.configuration_input(layer_arns(d_, applied_));
    retry_on_conflict([&] { return c_.lambda.update_function_configuration(input); }, c_.lambda,
                      function(), options_.wait, progress_);
    settle();
    return "done";
  }

  std::string publish_version() {
    settle();
    const nlohmann::json out = retry_on_conflict(
        [&] {
          return c_.lambda.publish_version({{"FunctionName", function()},
                                            {"CodeSha256", d_.code.code_sha256},
                                            {"Description", d_.version_description()}});
        },
        c_.lambda, function(), options_.wait, progress_);
    applied_.published = out.value("Version", "");
    result_.published_version = applied_.published;
    settle(applied_.published);
    return "version " + applied_.published;
  }

  std::string target_version(const Action& action) const {
    std::string version = action.version.empty() ? applied_.published : action.version;
    if (version.empty()) throw Error("no version to act on: none was published");
    return version;
  }

  std::string check_version(const Action& action) {
    const std::string version = target_version(action);
    CheckResult check = check_invoke(c_.lambda, d_, version);
    result_.checks.push_back(check);
    if (!check.passed)
      throw Error("version " + version + " failed the invoke check, so " + std::string(kLiveAlias) +
                  " stays where it was: " + check.detail);
    return check.detail;
  }

  std::string move_alias(const Action& action, bool create) {
    const std::string version = target_version(action);
    const std::string primary = o_.alias ? o_.alias->value("FunctionVersion", "") : std::string();
    LiveRecord record =
        o_.alias ? LiveRecord::parse(o_.alias->value("Description", "")) : LiveRecord{};
    record.release = d_.version;
    record.commit = d_.commit;
    record.at = options_.now_iso8601;
    record.by = options_.caller;
    nlohmann::json weights = nlohmann::json::object();
    std::string serving = version;
    if (action.weight > 0) {
      // A canary: the primary keeps serving (and keeps its record of the version before it).
      serving = primary;
      weights[version] = action.weight;
      record.canary = version;
    } else {
      record.previous = primary;
      record.canary.clear();
    }
    nlohmann::json input = {{"FunctionName", function()},
                            {"Name", std::string(kLiveAlias)},
                            {"FunctionVersion", serving},
                            {"Description", record.format()}};
    if (create) {
      c_.lambda.create_alias(input);
    } else {
      input["RoutingConfig"] = {{"AdditionalVersionWeights", weights}};
      c_.lambda.update_alias(input);
    }
    applied_.live = serving;
    result_.live_version = serving;
    if (action.weight > 0) {
      result_.canary_version = version;
      return std::string(kLiveAlias) + " → " + serving + ", " +
             std::to_string(static_cast<int>(action.weight * 100 + 0.5)) + "% → " + version;
    }
    return std::string(kLiveAlias) + " → " + version;
  }

  nlohmann::json url_input() const {
    nlohmann::json input = {{"FunctionName", function()},
                            {"Qualifier", std::string(kLiveAlias)},
                            {"AuthType", d_.url->auth}};
    // BUFFERED is AWS's default; InvokeMode (April 2023) is sent only to ask for streaming, or
    // to change a URL whose mode is another.
    const std::string current =
        o_.url ? o_.url->value("InvokeMode", "BUFFERED") : std::string("BUFFERED");
    if (d_.url->invoke_mode != "BUFFERED" || current != d_.url->invoke_mode)
      input["InvokeMode"] = d_.url->invoke_mode;
    input["Cors"] = d_.url->cors.is_object() ? d_.url->cors : nlohmann::json::object();
    return input;
  }

  std::string put_url(bool create) {
    nlohmann::json out;
    if (create) {
      try {
        out = c_.lambda.create_function_url_config(url_input());
      } catch (const aws::AwsError& error) {
        if (error.code() != "ResourceConflictException") throw;
        out = c_.lambda.update_function_url_config(url_input());
      }
    } else {
      out = c_.lambda.update_function_url_config(url_input());
    }
    applied_.url = out.value("FunctionUrl", "");
    result_.function_url = applied_.url;
    return applied_.url;
  }

  std::string add_permission(const Action& action) {
    const nlohmann::json input = url_permission_input(d_, action.key);
    try {
      c_.lambda.add_permission(input);
    } catch (const aws::AwsError& error) {
      if (error.code() != "ResourceConflictException") throw;
      // A statement of that id that does not grant what it should: replace it.
      c_.lambda.remove_permission({{"FunctionName", function()},
                                   {"Qualifier", std::string(kLiveAlias)},
                                   {"StatementId", action.key}});
      c_.lambda.add_permission(input);
    }
    return action.key;
  }

  // Allocation takes a while on AWS (Status IN_PROGRESS, then READY or FAILED): waited for, so
  // the deploy ends with the instances there.
  std::string put_provisioned() {
    const int wanted = *d_.provisioned_concurrency;
    retry_on_conflict(
        [&] {
          return c_.lambda.put_provisioned_concurrency_config(
              {{"FunctionName", function()},
               {"Qualifier", std::string(kLiveAlias)},
               {"ProvisionedConcurrentExecutions", wanted}});
        },
        c_.lambda, function(), options_.wait, progress_);
    auto delay = options_.wait.first_poll;
    const auto deadline = std::chrono::steady_clock::now() + options_.wait.timeout;
    while (true) {
      const auto config = c_.lambda.find_provisioned_concurrency_config(function(), kLiveAlias);
      const std::string status = config ? config->value("Status", "") : "";
      if (status == "READY") return std::to_string(wanted) + " instances READY";
      if (status == "FAILED")
        throw Error("provisioned concurrency of " + function() + ":" + std::string(kLiveAlias) +
                    " FAILED: " + config->value("StatusReason", "(no reason given)"));
      if (std::chrono::steady_clock::now() > deadline)
        throw Error("provisioned concurrency of " + function() + " was not READY in time (" +
                    status + ")");
      progress_.waiting("provisioned concurrency " + status);
      pause(delay, options_.wait.cancelled);
      delay = std::min(options_.wait.max_poll, delay * 3 / 2);
    }
  }

  std::string delete_provisioned() {
    c_.lambda.delete_provisioned_concurrency_config(
        {{"FunctionName", function()}, {"Qualifier", std::string(kLiveAlias)}});
    return "deleted";
  }

  std::string put_alarm(const Action& action) {
    for (const auto& alarm : d_.alarms) {
      if (alarm.value("AlarmName", "") != action.key) continue;
      c_.cloudwatch.put_metric_alarm(alarm);
      return action.key;
    }
    throw Error("no alarm " + action.key + " in the stage");
  }

  const Desired& d_;
  const Observed& o_;
  const Clients& c_;
  const ApplyOptions& options_;
  Progress& progress_;
  Applied& applied_;
  ApplyResult& result_;
};

}  // namespace

ApplyError::ApplyError(std::size_t index, const Action& action, const std::string& cause,
                       std::string aws_code)
    : Error("step " + std::to_string(index + 1) + " (" + action.summary + ") failed: " + cause),
      index_(index),
      cause_(cause),
      action_(action_name(action.kind)),
      aws_code_(std::move(aws_code)) {}

ApplyResult apply(const Plan& plan, const Desired& desired, const Observed& observed,
                  const Clients& clients, const ApplyOptions& options, Progress& progress) {
  ApplyResult result;
  Applied applied;
  for (const auto& [name, layer] : observed.layers) applied.layers[name] = layer.arn;
  if (observed.alias)
    applied.live = result.live_version = observed.alias->value("FunctionVersion", "");
  if (observed.url) applied.url = result.function_url = observed.url->value("FunctionUrl", "");
  Runner runner(desired, observed, clients, options, progress, applied, result);
  for (std::size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& action = plan.actions[i];
    if (options.wait.cancelled != nullptr && options.wait.cancelled->load())
      throw Cancelled("cancelled before step " + std::to_string(i + 1) + " of " +
                      std::to_string(plan.actions.size()));
    progress.action_started(i, action);
    const auto start = Clock::now();
    std::string detail;
    try {
      detail = runner.run(action);
    } catch (const Cancelled&) {
      throw;
    } catch (const aws::AwsError& error) {
      throw ApplyError(i, action, error.operation() + ": " + error.code() + ": " + error.message(),
                       error.code());
    } catch (const std::exception& error) {
      throw ApplyError(i, action, error.what());
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    result.outcomes.push_back({detail, took});
    progress.action_finished(i, action, took, detail);
    if (options.after_action) options.after_action(i + 1);
  }
  return result;
}

}  // namespace ld::deploy
