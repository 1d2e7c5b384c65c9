#include "deploy/plan.hpp"

#include <algorithm>
#include <cstdio>

namespace ld::deploy {

namespace {

bool is_secret(const std::string& path, const std::vector<std::string>& secret_paths) {
  return std::find(secret_paths.begin(), secret_paths.end(), path) != secret_paths.end();
}

std::string shown(const json& value, bool secret) {
  if (secret) return "(secret)";
  return value.dump();
}

void diff_into(const json& before, const json& after, const std::string& path,
               const std::vector<std::string>& secret_paths, std::vector<std::string>& out) {
  // An object on one side only (null or absent on the other) is compared member by member, so
  // a secret inside it is still masked.
  if (before.is_object() != after.is_object() && (before.is_object() || after.is_object())) {
    if (before.is_object() && !after.is_null()) {
      out.push_back(path + ": an object → " + after.dump());
    } else if (after.is_object() && !before.is_null()) {
      out.push_back(path + ": " + before.dump() + " → an object");
    }
    diff_into(before.is_object() ? before : json::object(),
              after.is_object() ? after : json::object(), path, secret_paths, out);
    return;
  }
  if (before.is_object() && after.is_object()) {
    for (const auto& [key, value] : after.items()) {
      // NOLINTNEXTLINE(performance-inefficient-string-concatenation): cold, one path per key
      const std::string sub = path.empty() ? key : path + "." + key;
      if (!before.contains(key)) {
        if (value.is_object() && !value.empty()) {
          diff_into(json::object(), value, sub, secret_paths, out);
        } else {
          out.push_back("+ " + sub + " = " + shown(value, is_secret(sub, secret_paths)));
        }
      } else {
        diff_into(before[key], value, sub, secret_paths, out);
      }
    }
    for (const auto& [key, value] : before.items()) {
      // NOLINTNEXTLINE(performance-inefficient-string-concatenation): cold, one path per key
      const std::string sub = path.empty() ? key : path + "." + key;
      if (after.contains(key)) continue;
      if (value.is_object() && !value.empty()) {
        diff_into(value, json::object(), sub, secret_paths, out);
      } else {
        out.push_back("- " + sub + " (was " + shown(value, is_secret(sub, secret_paths)) + ")");
      }
    }
    return;
  }
  if (before == after) return;
  if (is_secret(path, secret_paths)) {
    out.push_back(path + ": (secret) changed");
  } else {
    out.push_back(path + ": " + before.dump() + " → " + after.dump());
  }
}

// The configuration members UpdateFunctionConfiguration sets, as AWS shows them.
json configuration_view(const json& configuration) {
  json fingerprint = fingerprint_of(configuration);
  return {{"Role", fingerprint["Role"]},
          {"Handler", fingerprint["Handler"]},
          {"Runtime", fingerprint["Runtime"]},
          {"MemorySize", fingerprint["MemorySize"]},
          {"Timeout", fingerprint["Timeout"]},
          {"EphemeralStorage", fingerprint["EphemeralStorage"]},
          {"Environment", fingerprint["Environment"]},
          {"Layers", fingerprint["Layers"]},
          {"Description", configuration.value("Description", "")}};
}

// The paths a configuration diff never shows: the desired secrets, and every variable the
// function has that the stage no longer sets (nothing says whether it held a secret).
std::vector<std::string> masked_paths(const Desired& desired, const json& current_view) {
  std::vector<std::string> paths = desired.secret_paths();
  const json variables = current_view.value("Environment", json::object());
  for (const auto& [name, value] : variables.items())
    if (!desired.env.contains(name)) paths.push_back("Environment." + name);
  return paths;
}

json desired_configuration_view(const Desired& desired, const std::vector<std::string>& layers) {
  json input = desired.configuration_input(layers);
  return {{"Role", input["Role"]},
          {"Handler", input["Handler"]},
          {"Runtime", input["Runtime"]},
          {"MemorySize", input["MemorySize"]},
          {"Timeout", input["Timeout"]},
          {"EphemeralStorage", desired.ephemeral_storage_mb},
          {"Environment", desired.environment()},
          {"Layers", layers},
          {"Description", input["Description"]}};
}

// CORS as compared: every list present, defaults filled in.
json cors_view(const json& cors) {
  json out = {{"AllowOrigins", json::array()}, {"AllowMethods", json::array()},
              {"AllowHeaders", json::array()}, {"ExposeHeaders", json::array()},
              {"AllowCredentials", false},     {"MaxAge", 0}};
  if (!cors.is_object()) return out;
  for (auto& [key, value] : out.items())
    if (cors.contains(key) && !cors[key].is_null()) value = cors[key];
  return out;
}

json url_view(const json& url) {
  return {{"AuthType", url.value("AuthType", "")},
          {"InvokeMode", url.value("InvokeMode", "BUFFERED")},
          {"Cors", cors_view(url.value("Cors", json()))}};
}

json desired_url_view(const DesiredUrl& url) {
  return {{"AuthType", url.auth}, {"InvokeMode", url.invoke_mode}, {"Cors", cors_view(url.cors)}};
}

// An alarm as compared: the members the deploy sets, dimensions in name order.
json alarm_view(const json& alarm, const json& desired) {
  json out = json::object();
  for (const auto& [key, value] : desired.items()) {
    if (!alarm.contains(key)) continue;
    out[key] = alarm[key];
  }
  if (out.contains("Dimensions") && out["Dimensions"].is_array()) {
    auto& dimensions = out["Dimensions"];
    std::sort(dimensions.begin(), dimensions.end(), [](const json& a, const json& b) {
      return a.value("Name", "") < b.value("Name", "");
    });
  }
  return out;
}

json sorted_dimensions(json alarm) {
  if (alarm.contains("Dimensions")) {
    auto& dimensions = alarm["Dimensions"];
    std::sort(dimensions.begin(), dimensions.end(), [](const json& a, const json& b) {
      return a.value("Name", "") < b.value("Name", "");
    });
  }
  return alarm;
}

std::string megabytes(std::uint64_t bytes) {
  const double mb = static_cast<double>(bytes) / 1e6;
  char text[32];
  std::snprintf(text, sizeof text, "%.2f MB", mb);
  return text;
}

// The alias's AdditionalVersionWeights ({} when it has none).
json alias_weights(const json& alias) {
  const json routing = alias.value("RoutingConfig", json::object());
  const json weights = routing.is_object()
                           ? routing.value("AdditionalVersionWeights", json::object())
                           : json::object();
  return weights.is_object() ? weights : json::object();
}

bool alias_weighted(const json& alias) {
  return !alias_weights(alias).empty();
}

}  // namespace

const char* action_name(ActionKind kind) {
  switch (kind) {
    case ActionKind::CreateParameter:
      return "create-parameter";
    case ActionKind::CreateBucket:
      return "create-bucket";
    case ActionKind::UploadDependency:
      return "upload-dependency";
    case ActionKind::PublishLayer:
      return "publish-layer";
    case ActionKind::CreateRole:
      return "create-role";
    case ActionKind::PutRolePolicy:
      return "put-role-policy";
    case ActionKind::CreateLogGroup:
      return "create-log-group";
    case ActionKind::PutRetention:
      return "put-retention";
    case ActionKind::UploadCode:
      return "upload-code";
    case ActionKind::CreateFunction:
      return "create-function";
    case ActionKind::UpdateCode:
      return "update-code";
    case ActionKind::UpdateConfiguration:
      return "update-configuration";
    case ActionKind::PublishVersion:
      return "publish-version";
    case ActionKind::CheckVersion:
      return "check-version";
    case ActionKind::CreateAlias:
      return "create-alias";
    case ActionKind::UpdateAlias:
      return "update-alias";
    case ActionKind::CreateUrl:
      return "create-url";
    case ActionKind::UpdateUrl:
      return "update-url";
    case ActionKind::AddPermission:
      return "add-permission";
    case ActionKind::PutAlarm:
      return "put-alarm";
    case ActionKind::PutProvisioned:
      return "put-provisioned-concurrency";
    case ActionKind::DeleteProvisioned:
      return "delete-provisioned-concurrency";
  }
  return "unknown";
}

std::size_t Plan::mutating_count() const {
  return static_cast<std::size_t>(
      std::count_if(actions.begin(), actions.end(), [](const Action& a) { return a.mutating; }));
}

std::vector<std::string> json_diff(const json& before, const json& after,
                                   const std::vector<std::string>& secret_paths) {
  std::vector<std::string> out;
  diff_into(before, after, "", secret_paths, out);
  return out;
}

std::vector<std::string> planned_layers(const Desired& desired, const Observed& observed) {
  std::vector<std::string> layers;
  for (const auto& dependency : desired.dependencies) {
    auto found = observed.layers.find(dependency.name);
    layers.push_back(found != observed.layers.end() ? found->second.arn
                                                    : "(new " + dependency.layer + " version)");
  }
  return layers;
}

json url_permission_input(const Desired& desired, const std::string& statement) {
  json input = {{"FunctionName", desired.names.function},
                {"Qualifier", std::string(kLiveAlias)},
                {"StatementId", statement},
                {"Principal", "*"}};
  if (statement == kUrlInvokeStatement) {
    input["Action"] = "lambda:InvokeFunctionUrl";
    input["FunctionUrlAuthType"] = "NONE";
  } else {
    input["Action"] = "lambda:InvokeFunction";
    input["InvokedViaFunctionUrl"] = true;
  }
  return input;
}

bool policy_grants(const json& policy, const std::string& statement) {
  const bool url = statement == kUrlInvokeStatement;
  const std::string action = url ? "lambda:InvokeFunctionUrl" : "lambda:InvokeFunction";
  for (const auto& item : policy.value("Statement", json::array())) {
    if (item.value("Effect", "") != "Allow") continue;
    const json principal = item.value("Principal", json());
    const bool anyone =
        principal == "*" || (principal.is_object() && principal.value("AWS", "") == "*");
    if (!anyone) continue;
    const json actions = item.value("Action", json());
    const bool acts =
        actions == action || actions == "lambda:*" ||
        (actions.is_array() && std::find(actions.begin(), actions.end(), action) != actions.end());
    if (!acts) continue;
    if (url) {
      const json condition = item.value("Condition", json::object());
      const json equals =
          condition.is_object() ? condition.value("StringEquals", json::object()) : json::object();
      if (!equals.is_object() || equals.value("lambda:FunctionUrlAuthType", "") != "NONE") continue;
    }
    return true;
  }
  return false;
}

Plan make_plan(const Desired& desired, const Observed& observed) {
  Plan plan;
  auto add = [&plan](Action action) { plan.actions.push_back(std::move(action)); };
  const std::string& function = desired.names.function;

  for (const auto& parameter : desired.parameters) {
    auto found = observed.parameters_exist.find(parameter.name);
    if (found != observed.parameters_exist.end() && found->second) continue;
    add({ActionKind::CreateParameter,
         "parameter " + parameter.name,
         "create SSM SecureString " + parameter.name + " with a generated value for " +
             parameter.env,
         {},
         parameter.name});
  }
  if (!observed.bucket_exists)
    add({ActionKind::CreateBucket, "bucket " + desired.bucket, "create bucket " + desired.bucket});

  for (const auto& dependency : desired.dependencies) {
    auto current = observed.dependency_objects_current.find(dependency.name);
    if (current == observed.dependency_objects_current.end() || !current->second) {
      add({ActionKind::UploadDependency,
           "s3://" + desired.bucket + "/" + dependency.key,
           "upload dependency " + dependency.name + " (" + megabytes(dependency.zip.size) +
               ", sha256 " + dependency.zip.sha256_hex.substr(0, 12) + ")",
           {},
           dependency.name});
    }
    if (!observed.layers.contains(dependency.name)) {
      add({ActionKind::PublishLayer,
           "layer " + dependency.layer,
           "publish layer " + dependency.layer + " from " + dependency.key,
           {},
           dependency.name});
    }
  }

  if (desired.role_is_ours) {
    if (!observed.role)
      add({ActionKind::CreateRole, "role " + desired.names.role(),
           "create role " + desired.names.role() + " (assumed by lambda.amazonaws.com)"});
    const json policy = desired.role_policy();
    if (!observed.role_policy || *observed.role_policy != policy) {
      Action action{ActionKind::PutRolePolicy, "role policy " + desired.names.role_policy(),
                    (observed.role_policy ? "update" : "put") + std::string(" inline policy ") +
                        desired.names.role_policy() + " (this stage's logs, objects, parameters)"};
      if (observed.role_policy) action.diff = json_diff(*observed.role_policy, policy);
      add(std::move(action));
    }
  }

  const std::string log_group = desired.names.log_group();
  if (!observed.log_group)
    add({ActionKind::CreateLogGroup, "log group " + log_group, "create log group " + log_group});
  const int retention = observed.log_group ? observed.log_group->value("retentionInDays", 0) : 0;
  if (retention != desired.log_retention_days) {
    Action action{
        ActionKind::PutRetention, "log group " + log_group,
        "keep " + log_group + "'s events " + std::to_string(desired.log_retention_days) + " days"};
    if (observed.log_group)
      action.diff = {"retentionInDays: " +
                     (retention == 0 ? std::string("never expire") : std::to_string(retention)) +
                     " → " + std::to_string(desired.log_retention_days)};
    add(std::move(action));
  }

  const std::vector<std::string> layers = planned_layers(desired, observed);
  const json current_architectures =
      observed.function ? observed.function->value("Architectures", json::array({"x86_64"}))
                        : json();
  const bool code_changes =
      !observed.function ||
      observed.function->value("CodeSha256", "") != desired.code.code_sha256 ||
      current_architectures != json::array({desired.architecture});
  bool function_changes = false;
  if (code_changes && !observed.code_object_current) {
    add({ActionKind::UploadCode, "s3://" + desired.bucket + "/" + desired.code_key,
         "upload code " + desired.code.path.filename().string() + " (" +
             megabytes(desired.code.size) + ", sha256 " + desired.code.sha256_hex.substr(0, 12) +
             ")"});
  }
  if (!observed.function) {
    Action action{ActionKind::CreateFunction, "function " + function,
                  "create function " + function + " (" + desired.runtime + ", " +
                      desired.architecture + ", " + std::to_string(desired.memory_mb) + " MB, " +
                      std::to_string(desired.timeout_s) + " s)"};
    action.diff = json_diff(json::object(), desired_configuration_view(desired, layers),
                            desired.secret_paths());
    add(std::move(action));
    function_changes = true;
  } else {
    if (code_changes) {
      Action action{ActionKind::UpdateCode, "function " + function, "update code of " + function};
      action.diff = json_diff({{"CodeSha256", observed.function->value("CodeSha256", "")},
                               {"Architectures", current_architectures}},
                              {{"CodeSha256", desired.code.code_sha256},
                               {"Architectures", json::array({desired.architecture})}});
      add(std::move(action));
      function_changes = true;
    }
    const json current = configuration_view(*observed.function);
    auto diff = json_diff(current, desired_configuration_view(desired, layers),
                          masked_paths(desired, current));
    if (!diff.empty()) {
      Action action{ActionKind::UpdateConfiguration, "function " + function,
                    "update configuration of " + function};
      action.diff = std::move(diff);
      add(std::move(action));
      function_changes = true;
    }
  }

  plan.live_before = observed.alias ? observed.alias->value("FunctionVersion", "") : "";
  const std::string target =
      function_changes ? std::string() : observed.version_matching(desired.fingerprint(layers));
  const std::string live = std::string(kLiveAlias);
  // A canary needs a LIVE to keep serving; it is pointless when LIVE already serves the target.
  const bool canary =
      desired.canary_percent && observed.alias && (target.empty() || plan.live_before != target);
  plan.canary = canary;
  const double weight = canary ? *desired.canary_percent / 100.0 : 0.0;
  const std::string check_summary_tail =
      " with " + desired.invoke_check.payload + " (expect " +
      (desired.invoke_check.error_type.empty() ? std::string("success")
                                               : desired.invoke_check.error_type) +
      ")";
  auto move_alias = [&](const std::string& version) {
    const std::string shown =
        version.empty() ? std::string("the new version") : "version " + version;
    Action move{observed.alias ? ActionKind::UpdateAlias : ActionKind::CreateAlias,
                "alias " + live,
                (observed.alias ? "move " : "create ") + live + " → " + shown,
                {},
                "",
                version};
    if (canary) {
      move.weight = weight;
      move.summary = "route " + std::to_string(*desired.canary_percent) + "% of " + live + " to " +
                     shown + " (version " + plan.live_before + " keeps the rest)";
      move.diff = {"RoutingConfig.AdditionalVersionWeights: " + shown + " = " +
                   std::to_string(*desired.canary_percent) + "%"};
    } else if (observed.alias) {
      if (plan.live_before != version)
        move.diff.push_back("FunctionVersion: " + plan.live_before + " → " +
                            (version.empty() ? std::string("(new)") : version));
      if (alias_weighted(*observed.alias)) move.diff.emplace_back("- RoutingConfig (weights)");
    }
    add(std::move(move));
  };
  if (target.empty()) {
    add({ActionKind::PublishVersion, "function " + function,
         "publish a version of " + function + " (" + desired.version_description() + ")"});
    add({ActionKind::CheckVersion,
         "function " + function,
         "invoke the new version" + check_summary_tail,
         {},
         "",
         "",
         false});
    move_alias("");
    plan.live_after = canary ? plan.live_before : "new";
  } else {
    plan.live_after = canary ? plan.live_before : target;
    const bool serving =
        observed.alias && plan.live_before == target && !alias_weighted(*observed.alias);
    const bool canary_in_place =
        canary && alias_weights(*observed.alias) == json({{target, weight}});
    if (!serving && !canary_in_place) {
      add({ActionKind::CheckVersion,
           "function " + function + ":" + target,
           "invoke version " + target + check_summary_tail,
           {},
           "",
           target,
           false});
      move_alias(target);
    }
  }

  const int provisioned = observed.provisioned ? observed.provisioned->value(
                                                     "RequestedProvisionedConcurrentExecutions", 0)
                                               : 0;
  if (desired.provisioned_concurrency && *desired.provisioned_concurrency != provisioned) {
    Action action{ActionKind::PutProvisioned, "provisioned concurrency " + function + ":" + live,
                  "keep " + std::to_string(*desired.provisioned_concurrency) + " instances of " +
                      live + " initialised"};
    if (observed.provisioned)
      action.diff = {"RequestedProvisionedConcurrentExecutions: " + std::to_string(provisioned) +
                     " → " + std::to_string(*desired.provisioned_concurrency)};
    add(std::move(action));
  } else if (!desired.provisioned_concurrency && observed.provisioned) {
    add({ActionKind::DeleteProvisioned, "provisioned concurrency " + function + ":" + live,
         "stop keeping " + std::to_string(provisioned) + " instances of " + live + " initialised"});
  }

  if (desired.url) {
    const json wanted = desired_url_view(*desired.url);
    if (!observed.url) {
      add({ActionKind::CreateUrl, "function URL " + function + ":" + live,
           "create the Function URL on " + live + " (auth " + desired.url->auth + ")"});
    } else if (auto diff = json_diff(url_view(*observed.url), wanted); !diff.empty()) {
      Action action{ActionKind::UpdateUrl, "function URL " + function + ":" + live,
                    "update the Function URL on " + live};
      action.diff = std::move(diff);
      add(std::move(action));
    }
    if (desired.url->auth == "NONE") {
      const json policy = observed.policy.value_or(json::object());
      const std::string policy_target = "policy " + function + ":" + live;
      for (const char* statement : {kUrlInvokeStatement, kUrlFunctionStatement}) {
        if (policy_grants(policy, statement)) continue;
        const bool url_statement = std::string(statement) == kUrlInvokeStatement;
        add({ActionKind::AddPermission,
             policy_target,
             std::string("allow anyone to ") +
                 (url_statement ? "call the Function URL (lambda:InvokeFunctionUrl)"
                                : "invoke through the URL (lambda:InvokeFunction)"),
             {},
             statement});
      }
    }
  }

  for (const auto& alarm : desired.alarms) {
    const std::string name = alarm.value("AlarmName", "");
    auto found = observed.alarms.find(name);
    if (found == observed.alarms.end()) {
      add({ActionKind::PutAlarm,
           "alarm " + name,
           "create alarm " + name + " (" + alarm.value("Statistic", "") + " of " +
               alarm.value("MetricName", "") + " " + alarm.value("ComparisonOperator", "") + " " +
               alarm["Threshold"].dump() + ")",
           {},
           name});
      continue;
    }
    auto diff = json_diff(alarm_view(found->second, alarm), sorted_dimensions(alarm));
    if (diff.empty()) continue;
    Action action{ActionKind::PutAlarm, "alarm " + name, "update alarm " + name, {}, name};
    action.diff = std::move(diff);
    add(std::move(action));
  }
  return plan;
}

}  // namespace ld::deploy
