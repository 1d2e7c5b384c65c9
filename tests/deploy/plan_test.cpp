// make_plan: a Desired resolved from a real config (fake environment, SSM and zips) against
// Observed values shaped like AWS's answers (GetFunctionConfiguration, ListVersionsByFunction,
// GetAlias, GetFunctionUrlConfig, GetPolicy, DescribeLogGroups, DescribeAlarms), each case
// asserting the ordered actions and their diffs; and json_diff on its own.
#include "deploy/plan.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "deploy/config.hpp"
#include "deploy/stage.hpp"

namespace ld::deploy {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kAccount = "111122223333";
constexpr const char* kRegion = "eu-west-2";
constexpr const char* kApiKey = "s3cr3t-ApiKey-9f8e7d";
constexpr const char* kIpDataKey = "ipdata-Secret-4c3b2a";

constexpr const char* kConfig = R"([service]
name = "svc"
target = "app"
memory_mb = 256
timeout_s = 10

[dependencies]
runtime-libs = { closure_of = "app" }

[env]
GREETING = "hello"
LOG_LEVEL = { from_env = "LOG_LEVEL", default = "info" }
API_KEY_NAME = { from_env = "API_KEY_NAME", default = "x-api-key" }
API_KEY_VALUE = { from_env = "API_KEY_VALUE", ssm = "/{service}/{stage}/api-key", secret = true }
IP_DATA_KEY = { from_env = "IP_DATA_KEY", secret = true, optional = true }

[api_key]
header_from = "API_KEY_NAME"
value_from = "API_KEY_VALUE"

[function_url]
cors = { allow_origins = ["*"], allow_methods = ["GET", "POST"] }

[[alarms]]
name = "errors"
metric = "Errors"
threshold = 5

[[alarms]]
name = "duration"
metric = "Duration"
statistic = "Average"
threshold = 2500
comparison = "GreaterThanThreshold"

[stages.dev]
)";

// A zip as package_function would describe it, without writing one (the plan reads no file).
ZipFacts fake_zip(const std::string& name, char digit) {
  ZipFacts zip;
  zip.path = "/tmp/x/build/" + name + ".zip";
  zip.size = 1'234'567;
  zip.sha256_hex = std::string(64, digit);
  zip.code_sha256 = std::string(43, digit) + "=";
  return zip;
}

// What stage dev resolves from: the deployer's environment, SSM, and the packaged zips.
struct World {
  std::map<std::string, std::string> env = {{"IP_DATA_KEY", kIpDataKey}};
  std::map<std::string, std::string> ssm = {{"/svc/dev/api-key", kApiKey}};
  ZipFacts code = fake_zip("app", 'a');
  std::map<std::string, ZipFacts> dependencies = {{"runtime-libs", fake_zip("runtime-libs", 'b')}};
  bool local_endpoint = false;
  std::string config = kConfig;

  Desired resolve() const {
    const Config parsed = parse_config(config, "/tmp/x/lambdeploy.toml");
    StageInputs inputs;
    inputs.account = kAccount;
    inputs.region = kRegion;
    inputs.version = "v1.2.3";
    inputs.commit = "0123abc";
    inputs.code = code;
    inputs.dependencies = dependencies;
    inputs.env = [env = env](const std::string& name) -> std::optional<std::string> {
      auto found = env.find(name);
      if (found == env.end()) return std::nullopt;
      return found->second;
    };
    inputs.ssm = [ssm = ssm](const std::string& name) -> std::optional<std::string> {
      auto found = ssm.find(name);
      if (found == ssm.end()) return std::nullopt;
      return found->second;
    };
    inputs.generate_missing_secrets = local_endpoint;
    inputs.random_secret = [] { return std::string("generated-Secret-77"); };
    return resolve_stage(parsed, parsed.stage("dev"), inputs);
  }
};

std::string layer_arn(const Desired& desired, const DesiredDependency& dependency, int version) {
  return desired.names.arn_prefix("lambda") + "layer:" + dependency.layer + ":" +
         std::to_string(version);
}

// A FunctionConfiguration as GetFunctionConfiguration ($LATEST) or ListVersionsByFunction (a
// published version) shows it after `desired` was deployed with `layers`.
json function_configuration(const Desired& desired, const std::vector<std::string>& layers,
                            const std::string& version, const std::string& description) {
  json configuration = {
      {"FunctionName", desired.names.function},
      {"FunctionArn", desired.names.function_arn() + (version == "$LATEST" ? "" : ":" + version)},
      {"Runtime", desired.runtime},
      {"Role", desired.role_arn},
      {"Handler", "bootstrap"},
      {"CodeSize", desired.code.size},
      {"Description", description},
      {"Timeout", desired.timeout_s},
      {"MemorySize", desired.memory_mb},
      {"LastModified", "2026-11-30T09:12:44.000+0000"},
      {"CodeSha256", desired.code.code_sha256},
      {"Version", version},
      {"Environment", {{"Variables", desired.environment()}}},
      {"TracingConfig", {{"Mode", "PassThrough"}}},
      {"RevisionId", "2f1c6e0a-5b7d-4c1e-9a3b-" + std::string(12, '0')},
      {"State", "Active"},
      {"LastUpdateStatus", "Successful"},
      {"PackageType", "Zip"},
      {"Architectures", json::array({desired.architecture})},
      {"EphemeralStorage", {{"Size", desired.ephemeral_storage_mb}}},
      {"SnapStart", {{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}}},
      {"LoggingConfig", {{"LogFormat", "Text"}, {"LogGroup", desired.names.log_group()}}}};
  if (!layers.empty()) {
    json list = json::array();
    for (const auto& arn : layers) list.push_back({{"Arn", arn}, {"CodeSize", 2'345'678}});
    configuration["Layers"] = list;
  }
  return configuration;
}

// GetAlias's answer for LIVE on `version`.
json live_alias(const Desired& desired, const std::string& version) {
  return {{"AliasArn", desired.names.function_arn() + ":LIVE"},
          {"Name", "LIVE"},
          {"FunctionVersion", version},
          {"Description", "lambdeploy: svc v1.2.3 (0123abc), before 1"},
          {"RevisionId", "8d0b2c55-1f3e-4a71-b1c2-" + std::string(12, '1')}};
}

// GetPolicy's document (already parsed from its string) with both URL statements.
json url_policy(const Desired& desired) {
  const std::string live_arn = desired.names.function_arn() + ":LIVE";
  return {
      {"Version", "2012-10-17"},
      {"Id", "default"},
      {"Statement",
       json::array({{{"Sid", kUrlInvokeStatement},
                     {"Effect", "Allow"},
                     {"Principal", "*"},
                     {"Action", "lambda:InvokeFunctionUrl"},
                     {"Resource", live_arn},
                     {"Condition", {{"StringEquals", {{"lambda:FunctionUrlAuthType", "NONE"}}}}}},
                    {{"Sid", kUrlFunctionStatement},
                     {"Effect", "Allow"},
                     {"Principal", "*"},
                     {"Action", "lambda:InvokeFunction"},
                     {"Resource", live_arn},
                     {"Condition", {{"Bool", {{"lambda:InvokedViaFunctionUrl", "true"}}}}}}})}};
}

// DescribeAlarms' MetricAlarm for an alarm made from `input` (PutMetricAlarm's), with the
// members AWS adds and the dimensions in another order than they were put.
json metric_alarm(const Desired& desired, const json& input) {
  json alarm = input;
  alarm["AlarmArn"] =
      desired.names.arn_prefix("cloudwatch") + "alarm:" + input["AlarmName"].get<std::string>();
  alarm["AlarmConfigurationUpdatedTimestamp"] = "2026-11-30T09:13:02.118Z";
  alarm["OKActions"] = json::array();
  alarm["AlarmActions"] = json::array();
  alarm["InsufficientDataActions"] = json::array();
  alarm["StateValue"] = "OK";
  alarm["StateReason"] = "Threshold Crossed: no datapoints were received for 1 period";
  alarm["StateUpdatedTimestamp"] = "2026-11-30T09:14:02.118Z";
  alarm["Threshold"] = input["Threshold"].get<double>();
  json& dimensions = alarm["Dimensions"];
  std::reverse(dimensions.begin(), dimensions.end());
  return alarm;
}

// What AWS shows once a deploy of `desired` has succeeded: LIVE on version 2, which matches,
// and an older version 1 with other code.
Observed deployed(const Desired& desired) {
  Observed observed;
  observed.bucket_exists = true;
  observed.code_object_current = true;
  std::vector<std::string> layers;
  for (const auto& dependency : desired.dependencies) {
    observed.dependency_objects_current[dependency.name] = true;
    observed.layers[dependency.name] = {layer_arn(desired, dependency, 3), 3};
    layers.push_back(layer_arn(desired, dependency, 3));
  }
  for (const auto& parameter : desired.parameters) observed.parameters_exist[parameter.name] = true;

  observed.role = json{{"Path", "/"},
                       {"RoleName", desired.names.role()},
                       {"RoleId", "AROAEXAMPLEROLEID0001"},
                       {"Arn", desired.names.role_arn()},
                       {"CreateDate", "2026-11-30T09:10:00Z"},
                       {"AssumeRolePolicyDocument", desired.trust_policy()},
                       {"MaxSessionDuration", 3600}};
  observed.role_policy = desired.role_policy();

  const auto description = desired.configuration_input(layers)["Description"].get<std::string>();
  observed.function = function_configuration(desired, layers, "$LATEST", description);
  json older = function_configuration(desired, layers, "1", "svc v1.2.2 (fedcba9)");
  older["CodeSha256"] = "b2xkZXItY29kZS1ieXRlcw==";
  observed.versions = {older,
                       function_configuration(desired, layers, "2", desired.version_description())};
  observed.alias = live_alias(desired, "2");
  observed.url =
      json{{"FunctionUrl", "https://abcdefghijklmnop.lambda-url.eu-west-2.on.aws/"},
           {"FunctionArn", desired.names.function_arn() + ":LIVE"},
           {"AuthType", "NONE"},
           {"Cors",
            {{"AllowOrigins", json::array({"*"})}, {"AllowMethods", json::array({"GET", "POST"})}}},
           {"CreationTime", "2026-11-30T09:12:50.000Z"},
           {"LastModifiedTime", "2026-11-30T09:12:50.000Z"},
           {"InvokeMode", "BUFFERED"}};
  observed.policy = url_policy(desired);

  observed.log_group = json{
      {"logGroupName", desired.names.log_group()},
      {"creationTime", 1796029920000},
      {"retentionInDays", desired.log_retention_days},
      {"metricFilterCount", 0},
      {"arn", desired.names.arn_prefix("logs") + "log-group:" + desired.names.log_group() + ":*"},
      {"storedBytes", 0},
      {"logGroupClass", "STANDARD"},
      {"logGroupArn", desired.names.arn_prefix("logs") + "log-group:" + desired.names.log_group()}};
  for (const auto& alarm : desired.alarms)
    observed.alarms[alarm["AlarmName"].get<std::string>()] = metric_alarm(desired, alarm);
  return observed;
}

std::vector<std::string> names_of(const Plan& plan) {
  std::vector<std::string> names;
  for (const auto& action : plan.actions) names.push_back(action_name(action.kind));
  return names;
}

// The one action of `kind` (a test failure when there is not exactly one).
Action only(const Plan& plan, ActionKind kind) {
  std::vector<Action> found;
  for (const auto& action : plan.actions)
    if (action.kind == kind) found.push_back(action);
  EXPECT_EQ(found.size(), 1u) << "actions of kind " << action_name(kind);
  return found.empty() ? Action{kind} : found.front();
}

// Every string the plan shows anyone.
std::vector<std::string> every_string(const Plan& plan) {
  std::vector<std::string> out = {plan.live_before, plan.live_after};
  for (const auto& action : plan.actions) {
    out.push_back(action.subject);
    out.push_back(action.summary);
    out.push_back(action.key);
    out.push_back(action.version);
    for (const auto& line : action.diff) out.push_back(line);
  }
  return out;
}

TEST(Plan, NothingThereCreatesEverythingInOrder) {
  const Desired desired = World{}.resolve();
  const Plan plan = make_plan(desired, Observed{});
  EXPECT_THAT(
      names_of(plan),
      ElementsAre("create-bucket", "upload-dependency", "publish-layer", "create-role",
                  "put-role-policy", "create-log-group", "put-retention", "upload-code",
                  "create-function", "publish-version", "check-version", "create-alias",
                  "create-url", "add-permission", "add-permission", "put-alarm", "put-alarm"));
  EXPECT_EQ(plan.actions[0].subject, "bucket 111122223333--lambdeploy--eu-west-2");
  EXPECT_EQ(plan.actions[1].subject,
            "s3://111122223333--lambdeploy--eu-west-2/lambda-dependencies/dev/runtime-libs.zip");
  EXPECT_EQ(plan.actions[2].key, "runtime-libs");
  EXPECT_EQ(plan.actions[13].key, kUrlInvokeStatement);
  EXPECT_EQ(plan.actions[14].key, kUrlFunctionStatement);
  EXPECT_EQ(plan.actions[15].key, "svc__dev-errors");
  EXPECT_EQ(plan.actions[16].key, "svc__dev-duration");
  EXPECT_FALSE(plan.actions[10].mutating);
  EXPECT_EQ(plan.mutating_count(), plan.actions.size() - 1);
  EXPECT_EQ(plan.live_before, "");
  EXPECT_EQ(plan.live_after, "new");

  const Action create = only(plan, ActionKind::CreateFunction);
  EXPECT_THAT(create.diff, Contains("+ MemorySize = 256"));
  EXPECT_THAT(create.diff, Contains("+ Timeout = 10"));
  EXPECT_THAT(create.diff, Contains("+ Layers = [\"(new svc__dev--runtime-libs version)\"]"));
  EXPECT_THAT(create.diff, Contains("+ Environment.GREETING = \"hello\""));
  EXPECT_THAT(create.diff, Contains("+ Environment.API_KEY_VALUE = (secret)"));
  EXPECT_THAT(create.diff, Contains("+ Environment.IP_DATA_KEY = (secret)"));
}

TEST(Plan, GeneratedSecretOnTheLocalEndpointIsCreatedFirstAndOnlyOnce) {
  World world;
  world.ssm.clear();
  world.local_endpoint = true;
  const Desired desired = world.resolve();

  const Plan fresh = make_plan(desired, Observed{});
  ASSERT_FALSE(fresh.actions.empty());
  EXPECT_EQ(fresh.actions[0].kind, ActionKind::CreateParameter);
  EXPECT_EQ(fresh.actions[0].key, "/svc/dev/api-key");
  EXPECT_EQ(fresh.actions[1].kind, ActionKind::CreateBucket);
  for (const auto& text : every_string(fresh))
    EXPECT_THAT(text, Not(HasSubstr("generated-Secret")));

  EXPECT_TRUE(make_plan(desired, deployed(desired)).empty());
}

TEST(Plan, WhatASuccessfulDeployLeftIsUpToDate) {
  const Desired desired = World{}.resolve();
  const Plan plan = make_plan(desired, deployed(desired));
  EXPECT_THAT(names_of(plan), IsEmpty());
  EXPECT_EQ(plan.live_before, "2");
  EXPECT_EQ(plan.live_after, "2");
}

TEST(Plan, NewCodeIsUploadedUpdatedPublishedCheckedAndServed) {
  const Desired before = World{}.resolve();
  World world;
  world.code = fake_zip("app", 'c');
  const Desired desired = world.resolve();
  Observed observed = deployed(before);
  observed.code_object_current = false;  // no object under the new digest yet

  const Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("upload-code", "update-code", "publish-version",
                                          "check-version", "update-alias"));
  EXPECT_EQ(plan.actions[0].subject,
            "s3://111122223333--lambdeploy--eu-west-2/lambda-code/svc__dev/" +
                std::string(64, 'c') + ".zip");
  EXPECT_THAT(plan.actions[1].diff, ElementsAre("CodeSha256: \"" + before.code.code_sha256 +
                                                "\" → \"" + desired.code.code_sha256 + "\""));
  EXPECT_THAT(plan.actions[4].diff, ElementsAre("FunctionVersion: 2 → (new)"));
  EXPECT_EQ(plan.live_after, "new");
}

TEST(Plan, CodeAlreadyUploadedIsNotUploadedAgain) {
  const Desired before = World{}.resolve();
  World world;
  world.code = fake_zip("app", 'c');
  Observed observed = deployed(before);  // code_object_current: the new object is there
  EXPECT_THAT(names_of(make_plan(world.resolve(), observed)),
              ElementsAre("update-code", "publish-version", "check-version", "update-alias"));
}

TEST(Plan, ChangedEnvValueUpdatesTheConfigurationNamingTheVariable) {
  const Desired before = World{}.resolve();
  World world;
  world.env["LOG_LEVEL"] = "debug";
  const Plan plan = make_plan(world.resolve(), deployed(before));
  EXPECT_THAT(names_of(plan), ElementsAre("update-configuration", "publish-version",
                                          "check-version", "update-alias"));
  EXPECT_THAT(plan.actions[0].diff, ElementsAre("Environment.LOG_LEVEL: \"info\" → \"debug\""));
}

TEST(Plan, ChangedSecretIsShownAsChangedAndItsValuesNowhere) {
  const Desired before = World{}.resolve();
  World world;
  world.ssm["/svc/dev/api-key"] = "an0ther-ApiKey-1a2b3c";
  const Plan plan = make_plan(world.resolve(), deployed(before));
  EXPECT_THAT(names_of(plan), ElementsAre("update-configuration", "publish-version",
                                          "check-version", "update-alias"));
  EXPECT_THAT(plan.actions[0].diff, ElementsAre("Environment.API_KEY_VALUE: (secret) changed"));
  for (const auto& text : every_string(plan)) {
    EXPECT_THAT(text, Not(HasSubstr(kApiKey)));
    EXPECT_THAT(text, Not(HasSubstr("an0ther-ApiKey")));
    EXPECT_THAT(text, Not(HasSubstr(kIpDataKey)));
  }
}

TEST(Plan, SecretNoLongerGivenIsRemovedWithoutShowingItsValue) {
  // IP_DATA_KEY is optional: when the deployer's environment stops giving it, the variable
  // goes, and the value AWS still holds must not be printed on its way out.
  const Desired before = World{}.resolve();
  World world;
  world.env.erase("IP_DATA_KEY");
  const Plan plan = make_plan(world.resolve(), deployed(before));
  EXPECT_THAT(names_of(plan), ElementsAre("update-configuration", "publish-version",
                                          "check-version", "update-alias"));
  EXPECT_THAT(plan.actions[0].diff, ElementsAre("- Environment.IP_DATA_KEY (was (secret))"));
  for (const auto& text : every_string(plan)) EXPECT_THAT(text, Not(HasSubstr(kIpDataKey)));
}

TEST(Plan, MissingUrlIsCreatedWithBothPermissions) {
  const Desired desired = World{}.resolve();
  Observed observed = deployed(desired);
  observed.url.reset();
  observed.policy.reset();
  const Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("create-url", "add-permission", "add-permission"));
  EXPECT_EQ(plan.actions[1].key, kUrlInvokeStatement);
  EXPECT_EQ(plan.actions[2].key, kUrlFunctionStatement);
}

TEST(Plan, OneMissingPermissionIsAddedAlone) {
  const Desired desired = World{}.resolve();
  Observed observed = deployed(desired);
  observed.policy->at("Statement").erase(1);  // the lambda:InvokeFunction statement
  const Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("add-permission"));
  EXPECT_EQ(plan.actions[0].key, kUrlFunctionStatement);

  observed = deployed(desired);
  observed.policy->at("Statement").erase(0);  // the lambda:InvokeFunctionUrl statement
  const Plan other = make_plan(desired, observed);
  EXPECT_THAT(names_of(other), ElementsAre("add-permission"));
  EXPECT_EQ(other.actions[0].key, kUrlInvokeStatement);
}

TEST(Plan, UrlStatementWithoutTheAuthTypeConditionDoesNotCount) {
  const Desired desired = World{}.resolve();
  Observed observed = deployed(desired);
  observed.policy->at("Statement").at(0).erase("Condition");
  const Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("add-permission"));
  EXPECT_EQ(plan.actions[0].key, kUrlInvokeStatement);
}

TEST(Plan, ChangedCorsUpdatesTheUrl) {
  const Desired desired = World{}.resolve();
  Observed observed = deployed(desired);
  observed.url->at("Cors")["AllowMethods"] = json::array({"GET"});
  const Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("update-url"));
  EXPECT_THAT(plan.actions[0].diff,
              ElementsAre("Cors.AllowMethods: [\"GET\"] → [\"GET\",\"POST\"]"));
}

TEST(Plan, DriftedAlarmThresholdIsPutAgain) {
  const Desired desired = World{}.resolve();
  Observed observed = deployed(desired);
  observed.alarms["svc__dev-errors"]["Threshold"] = 50.0;
  const Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("put-alarm"));
  EXPECT_EQ(plan.actions[0].key, "svc__dev-errors");
  EXPECT_EQ(plan.actions[0].summary, "update alarm svc__dev-errors");
  EXPECT_THAT(plan.actions[0].diff, ElementsAre("Threshold: 50.0 → 5.0"));
}

TEST(Plan, MissingAlarmIsCreated) {
  const Desired desired = World{}.resolve();
  Observed observed = deployed(desired);
  observed.alarms.erase("svc__dev-duration");
  const Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("put-alarm"));
  EXPECT_EQ(plan.actions[0].summary,
            "create alarm svc__dev-duration (Average of Duration GreaterThanThreshold 2500.0)");
}

TEST(Plan, ChangedRetentionIsPut) {
  const Desired desired = World{}.resolve();
  Observed observed = deployed(desired);
  observed.log_group->at("retentionInDays") = 7;
  Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("put-retention"));
  EXPECT_THAT(plan.actions[0].diff, ElementsAre("retentionInDays: 7 → 14"));

  observed.log_group->erase("retentionInDays");  // AWS leaves it out: never expire
  plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("put-retention"));
  EXPECT_THAT(plan.actions[0].diff, ElementsAre("retentionInDays: never expire → 14"));
}

TEST(Plan, DriftedRolePolicyIsPutBack) {
  const Desired desired = World{}.resolve();
  Observed observed = deployed(desired);
  observed.role_policy->at("Statement").at(1)["Resource"] = "arn:aws:s3:::*";
  const Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("put-role-policy"));
  EXPECT_THAT(plan.actions[0].summary, StartsWith("update inline policy svc__dev-policy"));
  ASSERT_EQ(plan.actions[0].diff.size(), 1u);
  EXPECT_THAT(plan.actions[0].diff[0], StartsWith("Statement: "));
  EXPECT_THAT(plan.actions[0].diff[0], HasSubstr("arn:aws:s3:::*"));
}

TEST(Plan, ConfiguredRoleIsNeitherCreatedNorGivenAPolicy) {
  World world;
  world.config = std::string(kConfig) + "role_arn = \"arn:aws:iam::111122223333:role/shared\"\n";
  const Desired desired = world.resolve();
  const Plan plan = make_plan(desired, Observed{});
  EXPECT_THAT(names_of(plan), Not(Contains("create-role")));
  EXPECT_THAT(names_of(plan), Not(Contains("put-role-policy")));
  EXPECT_TRUE(make_plan(desired, deployed(desired)).empty());
}

TEST(Plan, LiveOnAnOlderVersionMovesToTheMatchingOneWithoutPublishing) {
  const Desired desired = World{}.resolve();
  Observed observed = deployed(desired);
  observed.alias = live_alias(desired, "1");
  const Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("check-version", "update-alias"));
  EXPECT_EQ(plan.actions[0].version, "2");
  EXPECT_FALSE(plan.actions[0].mutating);
  EXPECT_EQ(plan.actions[1].version, "2");
  EXPECT_THAT(plan.actions[1].diff, ElementsAre("FunctionVersion: 1 → 2"));
  EXPECT_EQ(plan.live_before, "1");
  EXPECT_EQ(plan.live_after, "2");
}

TEST(Plan, DeployInterruptedAfterPublishingOnlyChecksAndMovesLive) {
  // The previous deploy left version 2 on LIVE; this one updated the code, published version 3
  // and stopped before moving LIVE.
  const Desired before = World{}.resolve();
  World world;
  world.code = fake_zip("app", 'c');
  const Desired desired = world.resolve();
  Observed observed = deployed(before);
  const std::vector<std::string> layers = planned_layers(desired, observed);
  observed.function =
      function_configuration(desired, layers, "$LATEST",
                             desired.configuration_input(layers)["Description"].get<std::string>());
  observed.versions.push_back(
      function_configuration(desired, layers, "3", desired.version_description()));

  const Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("check-version", "update-alias"));
  EXPECT_EQ(plan.actions[0].version, "3");
  EXPECT_EQ(plan.actions[1].version, "3");
  EXPECT_THAT(plan.actions[1].diff, ElementsAre("FunctionVersion: 2 → 3"));
  EXPECT_EQ(plan.live_after, "3");
}

TEST(Plan, LeftoverWeightsOnLiveAreDropped) {
  const Desired desired = World{}.resolve();
  Observed observed = deployed(desired);
  (*observed.alias)["RoutingConfig"] = {{"AdditionalVersionWeights", {{"1", 0.1}}}};
  const Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("check-version", "update-alias"));
  EXPECT_EQ(plan.actions[1].version, "2");
  EXPECT_THAT(plan.actions[1].diff, ElementsAre("- RoutingConfig (weights)"));
}

TEST(Plan, CanaryInProgressIsPromotedToTheMatchingVersionWithoutWeights) {
  // LIVE serves version 1 and routes 10% to version 2, which is what the stage should be.
  const Desired desired = World{}.resolve();
  Observed observed = deployed(desired);
  observed.alias = live_alias(desired, "1");
  (*observed.alias)["RoutingConfig"] = {{"AdditionalVersionWeights", {{"2", 0.1}}}};
  const Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan), ElementsAre("check-version", "update-alias"));
  EXPECT_EQ(plan.actions[1].version, "2");
  EXPECT_THAT(plan.actions[1].diff,
              ElementsAre("FunctionVersion: 1 → 2", "- RoutingConfig (weights)"));
}

TEST(Plan, ChangedDependencyIsUploadedPublishedAndAttached) {
  const Desired before = World{}.resolve();
  World world;
  world.dependencies["runtime-libs"] = fake_zip("runtime-libs", 'd');
  const Desired desired = world.resolve();
  Observed observed = deployed(before);
  observed.dependency_objects_current["runtime-libs"] = false;
  observed.layers.erase("runtime-libs");  // no layer version carries the new bytes

  const Plan plan = make_plan(desired, observed);
  EXPECT_THAT(names_of(plan),
              ElementsAre("upload-dependency", "publish-layer", "update-configuration",
                          "publish-version", "check-version", "update-alias"));
  EXPECT_EQ(plan.actions[0].key, "runtime-libs");
  EXPECT_EQ(plan.actions[1].subject, "layer svc__dev--runtime-libs");
  EXPECT_THAT(plan.actions[2].diff,
              ElementsAre("Layers: [\"" + layer_arn(before, before.dependencies[0], 3) +
                          "\"] → [\"(new svc__dev--runtime-libs version)\"]"));
}

TEST(Plan, UploadedDependencyWithoutItsLayerIsOnlyPublished) {
  const Desired before = World{}.resolve();
  World world;
  world.dependencies["runtime-libs"] = fake_zip("runtime-libs", 'd');
  Observed observed = deployed(before);  // the object under the new digest is there
  observed.layers.erase("runtime-libs");
  EXPECT_THAT(names_of(make_plan(world.resolve(), observed)),
              ElementsAre("publish-layer", "update-configuration", "publish-version",
                          "check-version", "update-alias"));
}

TEST(Plan, UnchangedDependencyHasNoLayerAction) {
  const Desired before = World{}.resolve();
  World world;
  world.env["LOG_LEVEL"] = "debug";
  const Plan plan = make_plan(world.resolve(), deployed(before));
  EXPECT_THAT(names_of(plan), Not(Contains("upload-dependency")));
  EXPECT_THAT(names_of(plan), Not(Contains("publish-layer")));
  for (const auto& line : only(plan, ActionKind::UpdateConfiguration).diff)
    EXPECT_THAT(line, Not(HasSubstr("Layers")));
}

TEST(JsonDiff, EqualValuesHaveNoDiff) {
  const json value = {{"a", {{"b", 1}, {"c", {1, 2}}}}, {"d", "x"}};
  EXPECT_THAT(json_diff(value, value), IsEmpty());
}

TEST(JsonDiff, ChangedNestedMemberIsNamedByItsDottedPath) {
  EXPECT_THAT(json_diff({{"a", {{"b", {{"c", 1}}}}}}, {{"a", {{"b", {{"c", 2}}}}}}),
              ElementsAre("a.b.c: 1 → 2"));
}

TEST(JsonDiff, AddedNestedObjectIsListedMemberByMember) {
  EXPECT_THAT(json_diff({{"a", {{"x", 1}}}}, {{"a", {{"x", 1}, {"b", {{"c", 2}, {"d", "e"}}}}}}),
              ElementsAre("+ a.b.c = 2", "+ a.b.d = \"e\""));
}

TEST(JsonDiff, RemovedMembersAreListedWithWhatTheyWere) {
  EXPECT_THAT(json_diff({{"a", {{"b", 1}, {"c", {{"d", true}}}}}}, {{"a", json::object()}}),
              ElementsAre("- a.b (was 1)", "- a.c.d (was true)"));
}

TEST(JsonDiff, ArraysAreComparedWhole) {
  EXPECT_THAT(
      json_diff({{"Layers", json::array({"x:1"})}}, {{"Layers", json::array({"x:2", "y:1"})}}),
      ElementsAre("Layers: [\"x:1\"] → [\"x:2\",\"y:1\"]"));
}

TEST(JsonDiff, SecretsAreMaskedWhenAddedChangedOrRemoved) {
  const std::vector<std::string> secrets = {"Environment.KEY"};
  EXPECT_THAT(json_diff({{"Environment", {{"A", "1"}}}},
                        {{"Environment", {{"A", "1"}, {"KEY", "hunter2"}}}}, secrets),
              ElementsAre("+ Environment.KEY = (secret)"));
  EXPECT_THAT(json_diff({{"Environment", {{"KEY", "hunter1"}}}},
                        {{"Environment", {{"KEY", "hunter2"}}}}, secrets),
              ElementsAre("Environment.KEY: (secret) changed"));
  EXPECT_THAT(json_diff({{"Environment", {{"KEY", "hunter1"}}}}, {{"Environment", json::object()}},
                        secrets),
              ElementsAre("- Environment.KEY (was (secret))"));
}

TEST(JsonDiff, SecretsAreMaskedInsideAWholeObjectAdded) {
  const json after = {{"Environment", {{"PLAIN", "shown"}, {"KEY", "hunter2"}}}, {"Timeout", 3}};
  EXPECT_THAT(json_diff(json::object(), after, {"Environment.KEY"}),
              ElementsAre("+ Environment.KEY = (secret)", "+ Environment.PLAIN = \"shown\"",
                          "+ Timeout = 3"));
}

TEST(JsonDiff, CreateFunctionShowsEachVariableWithSecretsMasked) {
  const Desired desired = World{}.resolve();
  const Action create = only(make_plan(desired, Observed{}), ActionKind::CreateFunction);
  std::vector<std::string> environment;
  for (const auto& line : create.diff)
    if (line.starts_with("+ Environment")) environment.push_back(line);
  EXPECT_THAT(
      environment,
      ElementsAre("+ Environment.API_KEY_NAME = \"x-api-key\"",
                  "+ Environment.API_KEY_VALUE = (secret)", "+ Environment.GREETING = \"hello\"",
                  "+ Environment.IP_DATA_KEY = (secret)", "+ Environment.LOG_LEVEL = \"info\""));
  for (const auto& line : create.diff) {
    EXPECT_THAT(line, Not(HasSubstr(kApiKey)));
    EXPECT_THAT(line, Not(HasSubstr(kIpDataKey)));
  }
}

}  // namespace
}  // namespace ld::deploy

namespace ld::deploy {
namespace {

TEST(JsonDiffTypes, AnObjectReplacingNullIsComparedMemberByMemberWithSecretsMasked) {
  const json before = {{"Environment", nullptr}};
  const json after = {{"Environment", {{"TOKEN", "hunter2"}, {"NAME", "x"}}}};
  const auto lines = json_diff(before, after, {"Environment.TOKEN"});
  for (const auto& line : lines) EXPECT_EQ(line.find("hunter2"), std::string::npos) << line;
  EXPECT_NE(std::find(lines.begin(), lines.end(), "+ Environment.TOKEN = (secret)"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "+ Environment.NAME = \"x\""), lines.end());
}

}  // namespace
}  // namespace ld::deploy
