// resolve_stage: where each variable's value comes from, what is asked of the environment and
// SSM (this stage's names only), the account guard, the names, the scoped role policy and the
// alarms; and check_limits on small real zips.
#include "deploy/stage.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "deploy/config.hpp"
#include "deploy/limits.hpp"
#include "support/temp_dir.hpp"

namespace ld::deploy {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kAccount = "111122223333";
constexpr const char* kRegion = "eu-west-2";

// Line numbers matter: REQUIRED is on line 15.
constexpr const char* kConfig = R"([service]
name = "svc"
target = "app"

[dependencies]
runtime-libs = { closure_of = "app" }
extras = { path = "extras.zip" }

[env]
LITERAL = "plain"
TABLE_LITERAL = { value = "tabled", secret = true }
FROM_ENV = { from_env = "DEPLOYER_VAR", ssm = "/{service}/{stage}/from-env", default = "fallback" }
FROM_SSM = { ssm = "/{service}/{stage}/from-ssm", default = "fallback" }
ONLY_DEFAULT = { default = "dflt" }
REQUIRED = { from_env = "REQ_VAR", ssm = "/{service}/{stage}/required", secret = true }
MAYBE = { from_env = "MAYBE_VAR", optional = true }

[[alarms]]
name = "errors"
metric = "Errors"
threshold = 1
evaluation_periods = 3
datapoints_to_alarm = 2

[stages.dev]
[stages.qa]
log_retention_days = 30
[stages.prod]
account = "999988887777"
)";

// Records every name a lookup is asked for and answers from a table.
struct Recorded {
  std::map<std::string, std::string> values;
  std::vector<std::string> asked;

  Lookup lookup() {
    return [this](const std::string& name) -> std::optional<std::string> {
      asked.push_back(name);
      auto found = values.find(name);
      if (found == values.end()) return std::nullopt;
      return found->second;
    };
  }
};

ZipFacts fake_zip(const std::string& name, char digit) {
  ZipFacts zip;
  zip.path = "/tmp/x/build/" + name + ".zip";
  zip.size = 1000;
  zip.sha256_hex = std::string(64, digit);
  zip.code_sha256 = std::string(43, digit) + "=";
  return zip;
}

class Stage : public ::testing::Test {
 protected:
  Config config = parse_config(kConfig, "/tmp/x/lambdeploy.toml");
  Recorded env{{{"REQ_VAR", "required-value"}}, {}};
  Recorded ssm;
  StageInputs inputs;

  void SetUp() override {
    inputs.account = kAccount;
    inputs.region = kRegion;
    inputs.version = "v1.2.3";
    inputs.commit = "0123abc";
    inputs.code = fake_zip("app", 'a');
    inputs.dependencies = {{"runtime-libs", fake_zip("runtime-libs", 'b')}};
    inputs.env = env.lookup();
    inputs.ssm = ssm.lookup();
  }

  Desired resolve(const std::string& stage = "dev") {
    return resolve_stage(config, config.stage(stage), inputs);
  }
};

TEST_F(Stage, LiteralValueIsUsedAsWritten) {
  const Desired desired = resolve();
  EXPECT_EQ(desired.env.at("LITERAL").value, "plain");
  EXPECT_EQ(desired.env.at("LITERAL").source, "literal");
  EXPECT_FALSE(desired.env.at("LITERAL").secret);
  EXPECT_EQ(desired.env.at("TABLE_LITERAL").value, "tabled");
  EXPECT_TRUE(desired.env.at("TABLE_LITERAL").secret);
}

TEST_F(Stage, EnvironmentComesBeforeSsmAndDefault) {
  env.values["DEPLOYER_VAR"] = "from-environment";
  ssm.values["/svc/dev/from-env"] = "from-ssm";
  const Desired desired = resolve();
  EXPECT_EQ(desired.env.at("FROM_ENV").value, "from-environment");
  EXPECT_EQ(desired.env.at("FROM_ENV").source, "$DEPLOYER_VAR");
}

TEST_F(Stage, SsmComesBeforeDefault) {
  ssm.values["/svc/dev/from-env"] = "from-ssm";
  const Desired desired = resolve();
  EXPECT_EQ(desired.env.at("FROM_ENV").value, "from-ssm");
  EXPECT_EQ(desired.env.at("FROM_ENV").source, "ssm:/svc/dev/from-env");
}

TEST_F(Stage, EmptyEnvironmentValueFallsThroughToSsm) {
  env.values["DEPLOYER_VAR"] = "";
  ssm.values["/svc/dev/from-env"] = "from-ssm";
  EXPECT_EQ(resolve().env.at("FROM_ENV").value, "from-ssm");
}

TEST_F(Stage, DefaultIsTheLastResort) {
  const Desired desired = resolve();
  EXPECT_EQ(desired.env.at("FROM_ENV").value, "fallback");
  EXPECT_EQ(desired.env.at("FROM_ENV").source, "default");
  EXPECT_EQ(desired.env.at("FROM_SSM").value, "fallback");
  EXPECT_EQ(desired.env.at("ONLY_DEFAULT").value, "dflt");
}

TEST_F(Stage, OptionalVariableWithoutValueIsLeftOut) {
  EXPECT_FALSE(resolve().env.contains("MAYBE"));
  env.values["MAYBE_VAR"] = "here";
  EXPECT_EQ(resolve().env.at("MAYBE").value, "here");
}

TEST_F(Stage, MissingValueNamesTheVariableTheEnvVarAndTheSsmName) {
  env.values.clear();
  try {
    resolve();
    FAIL() << "resolve_stage gave REQUIRED a value";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.reason(), AllOf(HasSubstr("REQUIRED"), HasSubstr("$REQ_VAR"),
                                  HasSubstr("/svc/dev/required"), HasSubstr("stage dev")));
    EXPECT_EQ(e.where().line, 15);
    EXPECT_THAT(std::string(e.what()), HasSubstr("lambdeploy.toml:15:"));
  }
}

TEST_F(Stage, PlaceholdersExpandInSsmNames) {
  EXPECT_EQ(expand_parameter_name("/{service}/{stage}/key/{stage}", config, "qa"),
            "/svc/qa/key/qa");
  EXPECT_EQ(expand_parameter_name("plain-name", config, "qa"), "plain-name");
  ssm.values["/svc/qa/from-ssm"] = "qa-value";
  EXPECT_EQ(resolve("qa").env.at("FROM_SSM").value, "qa-value");
}

TEST_F(Stage, OnlyThisStagesNamesAreAskedFor) {
  const Desired desired = resolve("qa");
  EXPECT_THAT(ssm.asked, ElementsAre("/svc/qa/from-env", "/svc/qa/from-ssm"));
  EXPECT_THAT(env.asked, ElementsAre("DEPLOYER_VAR", "MAYBE_VAR", "REQ_VAR"));
  EXPECT_THAT(desired.parameters_read,
              ElementsAre("/svc/qa/from-env", "/svc/qa/from-ssm", "/svc/qa/required"));
}

TEST_F(Stage, MissingSecretIsGeneratedOnlyWhenEnabledAndNamedInSsm) {
  env.values.clear();
  inputs.random_secret = [] { return std::string("generated-0123"); };
  EXPECT_THROW(resolve(), ConfigError);  // not enabled (AWS)

  inputs.generate_missing_secrets = true;
  const Desired desired = resolve();
  ASSERT_EQ(desired.parameters.size(), 1u);
  EXPECT_EQ(desired.parameters[0].name, "/svc/dev/required");
  EXPECT_EQ(desired.parameters[0].env, "REQUIRED");
  EXPECT_EQ(desired.env.at("REQUIRED").value, "generated-0123");
  EXPECT_EQ(desired.env.at("REQUIRED").source, "generated");
  EXPECT_TRUE(desired.env.at("REQUIRED").secret);
}

TEST_F(Stage, SecretsWithoutAnSsmNameOrNotSecretAreNeverGenerated) {
  inputs.generate_missing_secrets = true;
  inputs.random_secret = [] { return std::string("generated-0123"); };
  config = parse_config(R"([service]
name = "svc"
target = "app"
[env]
ENV_ONLY_SECRET = { from_env = "NOT_SET", secret = true }
[stages.dev]
)",
                        "/tmp/x/lambdeploy.toml");
  EXPECT_THROW(resolve(), ConfigError);
  config = parse_config(R"([service]
name = "svc"
target = "app"
[env]
PLAIN = { ssm = "/plain" }
[stages.dev]
)",
                        "/tmp/x/lambdeploy.toml");
  EXPECT_THROW(resolve(), ConfigError);
}

TEST_F(Stage, OtherAccountsCredentialsAreRefusedBeforeAnyLookup) {
  try {
    resolve("prod");
    FAIL() << "stage prod resolved with account " << kAccount;
  } catch (const ConfigError&) {
    FAIL() << "the account guard is not a config error";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()), AllOf(HasSubstr("999988887777"), HasSubstr(kAccount)));
  }
  EXPECT_THAT(env.asked, IsEmpty());
  EXPECT_THAT(ssm.asked, IsEmpty());

  inputs.account = "999988887777";
  EXPECT_EQ(resolve("prod").names.account, "999988887777");
}

TEST_F(Stage, ResourcesAreNamedForServiceStageAccountAndRegion) {
  const Desired desired = resolve();
  EXPECT_EQ(desired.names.function, "svc__dev");
  EXPECT_EQ(desired.names.role(), "svc__dev-role");
  EXPECT_EQ(desired.names.role_policy(), "svc__dev-policy");
  EXPECT_EQ(desired.role_arn, "arn:aws:iam::111122223333:role/svc__dev-role");
  EXPECT_TRUE(desired.role_is_ours);
  EXPECT_EQ(desired.bucket, "111122223333--lambdeploy--eu-west-2");
  EXPECT_TRUE(desired.bucket_is_default);
  EXPECT_EQ(desired.code_key, "lambda-code/svc__dev/" + std::string(64, 'a') + ".zip");
  ASSERT_EQ(desired.dependencies.size(), 1u);  // extras has no zip: nothing to ship
  EXPECT_EQ(desired.dependencies[0].key, "lambda-dependencies/dev/runtime-libs.zip");
  EXPECT_EQ(desired.dependencies[0].layer, "svc__dev--runtime-libs");
  EXPECT_EQ(desired.dependencies[0].layer_description(),
            "lambdeploy sha256:" + std::string(64, 'b'));
  EXPECT_EQ(desired.names.log_group(), "/aws/lambda/svc__dev");
  EXPECT_EQ(desired.version_description(), "svc v1.2.3 (0123abc)");
  EXPECT_EQ(resolve("qa").log_retention_days, 30);
}

TEST_F(Stage, ConfiguredRoleAndBucketReplaceTheDefaults) {
  config = parse_config(R"([service]
name = "svc"
target = "app"
role_arn = "arn:aws-cn:iam::111122223333:role/shared"
deps_bucket = "my-bucket"
[stages.dev]
)",
                        "/tmp/x/lambdeploy.toml");
  inputs.region = "cn-north-1";
  const Desired desired = resolve();
  EXPECT_EQ(desired.role_arn, "arn:aws-cn:iam::111122223333:role/shared");
  EXPECT_FALSE(desired.role_is_ours);
  EXPECT_EQ(desired.bucket, "my-bucket");
  EXPECT_FALSE(desired.bucket_is_default);
  EXPECT_EQ(desired.names.partition, "aws-cn");
}

TEST_F(Stage, RolePolicyGrantsOnlyThisStagesLogsObjectsAndParameters) {
  const json policy = resolve().role_policy();
  const json expected = {
      {"Version", "2012-10-17"},
      {"Statement",
       {{{"Sid", "OwnLogGroup"},
         {"Effect", "Allow"},
         {"Action", {"logs:CreateLogStream", "logs:PutLogEvents"}},
         {"Resource", "arn:aws:logs:eu-west-2:111122223333:log-group:/aws/lambda/svc__dev:*"}},
        {{"Sid", "OwnObjects"},
         {"Effect", "Allow"},
         {"Action", json::array({"s3:GetObject"})},
         {"Resource",
          {"arn:aws:s3:::111122223333--lambdeploy--eu-west-2/lambda-code/svc__dev/*",
           "arn:aws:s3:::111122223333--lambdeploy--eu-west-2/lambda-dependencies/dev/*"}}},
        {{"Sid", "OwnParameters"},
         {"Effect", "Allow"},
         {"Action", {"ssm:GetParameter", "ssm:GetParameters"}},
         {"Resource",
          {"arn:aws:ssm:eu-west-2:111122223333:parameter/svc/dev/from-env",
           "arn:aws:ssm:eu-west-2:111122223333:parameter/svc/dev/from-ssm",
           "arn:aws:ssm:eu-west-2:111122223333:parameter/svc/dev/required"}}}}}};
  EXPECT_EQ(policy, expected) << policy.dump(2);
}

TEST_F(Stage, TrustPolicyLetsOnlyLambdaAssumeTheRole) {
  const json statement = resolve().trust_policy()["Statement"][0];
  EXPECT_EQ(statement["Principal"], json({{"Service", "lambda.amazonaws.com"}}));
  EXPECT_EQ(statement["Action"], "sts:AssumeRole");
}

TEST_F(Stage, AlarmsWatchTheLiveAliasInTheLambdaNamespace) {
  const Desired desired = resolve();
  ASSERT_EQ(desired.alarms.size(), 1u);
  const json& alarm = desired.alarms[0];
  EXPECT_EQ(alarm["AlarmName"], "svc__dev-errors");
  EXPECT_EQ(alarm["Namespace"], "AWS/Lambda");
  EXPECT_EQ(alarm["MetricName"], "Errors");
  EXPECT_EQ(alarm["Statistic"], "Sum");
  EXPECT_EQ(alarm["Dimensions"], json::array({{{"Name", "FunctionName"}, {"Value", "svc__dev"}},
                                              {{"Name", "Resource"}, {"Value", "svc__dev:LIVE"}}}));
  EXPECT_EQ(alarm["Period"], 300);
  EXPECT_EQ(alarm["EvaluationPeriods"], 3);
  EXPECT_EQ(alarm["DatapointsToAlarm"], 2);
  EXPECT_EQ(alarm["Threshold"], 1.0);
  EXPECT_EQ(alarm["ComparisonOperator"], "GreaterThanOrEqualToThreshold");
  EXPECT_EQ(alarm["TreatMissingData"], "notBreaching");
}

TEST_F(Stage, ApiKeyIsReadFromTheNamedVariables) {
  config = parse_config(R"([service]
name = "svc"
target = "app"
[env]
KEY_NAME = "x-api-key"
KEY_VALUE = { ssm = "/{service}/{stage}/key", secret = true }
[api_key]
header_from = "KEY_NAME"
value_from = "KEY_VALUE"
[stages.dev]
)",
                        "/tmp/x/lambdeploy.toml");
  ssm.values["/svc/dev/key"] = "k3y";
  const Desired desired = resolve();
  ASSERT_TRUE(desired.api_key.has_value());
  EXPECT_EQ(desired.api_key->header, "x-api-key");
  EXPECT_EQ(desired.api_key->value, "k3y");
}

// check_limits reads the zips, so these use small real ones.
class Limits : public ::testing::Test {
 protected:
  test::TempDir dir{"limits"};
  Desired desired;

  void SetUp() override {
    desired.names.stage = "dev";
    desired.code = write_deterministic_zip(dir.path() / "app.zip",
                                           {{"bootstrap", std::string(1000, 'x'), true}});
  }
};

TEST_F(Limits, SmallStagePasses) {
  desired.env["A"] = {"1", false, "literal"};
  EXPECT_NO_THROW(check_limits(desired));
}

TEST_F(Limits, EnvironmentOver4KbNamesTheLargestVariable) {
  desired.env["SMALL"] = {std::string(100, 's'), false, "literal"};
  desired.env["BIG"] = {std::string(4000, 'b'), false, "literal"};
  EXPECT_EQ(environment_size(desired), 5u + 100u + 3u + 4000u);
  try {
    check_limits(desired);
    FAIL() << "a 4108-byte environment passed";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()),
                AllOf(HasSubstr("stage dev"), HasSubstr("4108 bytes"), HasSubstr("4096"),
                      HasSubstr("the largest is BIG, 4000 bytes")));
  }
}

TEST_F(Limits, UnzippedSizeCountsCodeAndEveryLayer) {
  DesiredDependency dependency;
  dependency.name = "libs";
  dependency.zip = write_deterministic_zip(dir.path() / "libs.zip",
                                           {{"lib/libx.so", std::string(3000, 'y'), false}});
  desired.dependencies.push_back(dependency);
  LambdaLimits limits;
  limits.unzipped_with_layers = 3500;
  try {
    check_limits(desired, limits);
    FAIL() << "4000 unzipped bytes passed a 3500-byte limit";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()), AllOf(HasSubstr("unzip"), HasSubstr("libs")));
  }
  limits.unzipped_with_layers = 4000;
  EXPECT_NO_THROW(check_limits(desired, limits));
}

TEST_F(Limits, MoreDependenciesThanLayersIsRefused) {
  for (int i = 0; i < 6; ++i) {
    DesiredDependency dependency;
    dependency.name = "dep" + std::to_string(i);
    dependency.zip = desired.code;
    desired.dependencies.push_back(dependency);
  }
  try {
    check_limits(desired);
    FAIL() << "6 layers passed";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("at most 5 layers"));
  }
}

}  // namespace
}  // namespace ld::deploy
