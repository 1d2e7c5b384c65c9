#include "deploy/stage.hpp"

#include <openssl/rand.h>

#include <array>

#include "core/encoding.hpp"
#include "core/error.hpp"

namespace ld::deploy {

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The value of one variable, or nullopt when it is optional and nothing gives one.
std::optional<EnvValue> resolve_env(const EnvSpec& spec, const std::string& ssm_name,
                                    const StageInputs& inputs, Desired& desired) {
  if (spec.value) return EnvValue{*spec.value, spec.secret, "literal"};
  if (spec.from_env && inputs.env) {
    if (auto value = inputs.env(*spec.from_env); value && !value->empty())
      return EnvValue{*value, spec.secret, "$" + *spec.from_env};
  }
  if (!ssm_name.empty() && inputs.ssm) {
    if (auto value = inputs.ssm(ssm_name)) return EnvValue{*value, spec.secret, "ssm:" + ssm_name};
  }
  if (spec.default_value) return EnvValue{*spec.default_value, spec.secret, "default"};
  if (spec.optional) return std::nullopt;
  if (!ssm_name.empty() && spec.secret && inputs.generate_missing_secrets && inputs.random_secret) {
    desired.parameters.push_back({ssm_name, spec.name});
    return EnvValue{inputs.random_secret(), true, "generated"};
  }
  std::string how;
  if (spec.from_env) how = "set $" + *spec.from_env;
  if (!ssm_name.empty()) {
    if (!how.empty()) how += " or ";
    how += "create the SSM SecureString " + ssm_name;
  }
  if (how.empty()) how = "give it a value or a default";
  throw ConfigError(spec.where, "the variable " + spec.name + " has no value for stage " +
                                    desired.names.stage + ": " + how);
}

json cors_of(const CorsSpec& cors) {
  json out = json::object();
  auto put = [&](const char* key, const std::vector<std::string>& list) {
    if (!list.empty()) out[key] = list;
  };
  put("AllowOrigins", cors.allow_origins);
  put("AllowMethods", cors.allow_methods);
  put("AllowHeaders", cors.allow_headers);
  put("ExposeHeaders", cors.expose_headers);
  if (cors.allow_credentials) out["AllowCredentials"] = true;
  if (cors.max_age) out["MaxAge"] = *cors.max_age;
  return out;
}

json alarm_input(const AlarmSpec& alarm, const Names& names) {
  json input = {
      {"AlarmName", names.alarm(alarm.name)},
      {"AlarmDescription",
       "lambdeploy: " + alarm.metric + " of " + names.function + ":" + std::string(kLiveAlias)},
      {"ActionsEnabled", true},
      {"MetricName", alarm.metric},
      {"Namespace", "AWS/Lambda"},
      {"Statistic", alarm.statistic},
      {"Dimensions", json::array({{{"Name", "FunctionName"}, {"Value", names.function}},
                                  {{"Name", "Resource"},
                                   {"Value", names.function + ":" + std::string(kLiveAlias)}}})},
      {"Period", alarm.period_s},
      {"EvaluationPeriods", alarm.evaluation_periods},
      {"Threshold", alarm.threshold},
      {"ComparisonOperator", alarm.comparison},
      {"TreatMissingData", alarm.treat_missing_data}};
  if (alarm.datapoints_to_alarm) input["DatapointsToAlarm"] = *alarm.datapoints_to_alarm;
  return input;
}

}  // namespace

Names names_of(const Config& config, const StageSpec& stage, const std::string& account,
               const std::string& region) {
  Names names;
  names.function = config.function_name(stage.name);
  names.stage = stage.name;
  names.account = account;
  names.region = region;
  names.partition = partition_of(region);
  return names;
}

std::string expand_parameter_name(const std::string& name, const Config& config,
                                  const std::string& stage) {
  return replace_all(replace_all(name, "{stage}", stage), "{service}", config.service);
}

std::string random_hex_secret() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw Error("cannot read random bytes for a generated secret");
  return hex_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Desired resolve_stage(const Config& config, const StageSpec& stage, const StageInputs& inputs) {
  if (stage.account && *stage.account != inputs.account) {
    throw Error("stage " + stage.name + " is for account " + *stage.account +
                ", but the credentials are of account " + inputs.account + " (" +
                stage.where.str() + "); use credentials of account " + *stage.account);
  }
  Desired desired;
  desired.names = names_of(config, stage, inputs.account, inputs.region);
  desired.service = config.service;
  desired.version = inputs.version;
  desired.commit = inputs.commit;

  const FunctionSettings& settings = stage.settings;
  desired.bucket_is_default = !settings.deps_bucket.has_value();
  desired.bucket = settings.deps_bucket.value_or(desired.names.default_bucket());
  desired.code = inputs.code;
  desired.code_key = desired.names.code_key(inputs.code.sha256_hex);
  for (const auto& dependency : config.dependencies) {
    auto zip = inputs.dependencies.find(dependency.name);
    if (zip == inputs.dependencies.end()) continue;
    desired.dependencies.push_back({dependency.name, zip->second,
                                    desired.names.dependency_key(dependency.name),
                                    desired.names.layer(dependency.name)});
  }

  desired.runtime = settings.runtime;
  desired.architecture = settings.architecture;
  desired.memory_mb = settings.memory_mb;
  desired.timeout_s = settings.timeout_s;
  desired.ephemeral_storage_mb = settings.ephemeral_storage_mb;
  desired.keep_versions = settings.keep_versions;
  desired.log_retention_days = settings.log_retention_days;
  desired.role_is_ours = !settings.role_arn.has_value();
  desired.role_arn = settings.role_arn.value_or(desired.names.role_arn());
  desired.provisioned_concurrency = stage.provisioned_concurrency;

  for (const auto& [name, spec] : stage.env) {
    const std::string ssm_name =
        spec.ssm ? expand_parameter_name(*spec.ssm, config, stage.name) : std::string();
    if (!ssm_name.empty()) desired.parameters_read.push_back(ssm_name);
    if (auto value = resolve_env(spec, ssm_name, inputs, desired)) desired.env[name] = *value;
  }

  if (config.function_url.enabled) {
    DesiredUrl url;
    url.auth = config.function_url.auth;
    url.invoke_mode = config.function_url.invoke_mode;
    if (config.function_url.cors) url.cors = cors_of(*config.function_url.cors);
    desired.url = url;
  }
  for (const auto& alarm : config.alarms)
    desired.alarms.push_back(alarm_input(alarm, desired.names));

  if (config.api_key) {
    auto header = desired.env.find(config.api_key->header_from);
    auto value = desired.env.find(config.api_key->value_from);
    if (header != desired.env.end() && value != desired.env.end())
      desired.api_key = ApiKey{header->second.value, value->second.value};
  }
  desired.smoke = config.smoke;
  desired.invoke_check = config.invoke_check;
  return desired;
}

}  // namespace ld::deploy
