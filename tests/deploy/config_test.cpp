// lambdeploy.toml → Config: the DESIGN.md example, stage overrides, the env forms, and every
// kind of mistake reported at its file, line and column.
#include "deploy/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "support/temp_dir.hpp"

namespace ld::deploy {
namespace {
namespace fs = std::filesystem;

// The example of DESIGN.md section 3, verbatim.
constexpr const char* kDesignExample = R"([service]
name = "mgraph_ai_service_github_digest"   # function name: {name}__{stage}, at most 64 chars
target = "github-digest"                   # the CMake target packaged as the function code
version_file = "version"                   # vX.Y.Z
runtime = "provided.al2023"
architecture = "x86_64"
memory_mb = 512
timeout_s = 60
ephemeral_storage_mb = 512
keep_versions = 10

[dependencies]
runtime-libs = { closure_of = "github-digest" }   # shared libraries the bootstrap needs, glibc excepted

[env]
FAST_API__AUTH__API_KEY__NAME  = { from_env = "FAST_API__AUTH__API_KEY__NAME", default = "x-api-key" }
FAST_API__AUTH__API_KEY__VALUE = { from_env = "FAST_API__AUTH__API_KEY__VALUE", ssm = "/api-keys/github-digest", secret = true }
IP_DATA__API_KEY               = { from_env = "IP_DATA__API_KEY", secret = true, optional = true }

[function_url]
auth = "NONE"
cors = { allow_origins = ["*"], allow_methods = ["GET", "POST", "PUT", "DELETE"], allow_headers = ["*"] }

[[alarms]]
name = "errors"
metric = "Errors"
statistic = "Sum"
period_s = 300
evaluation_periods = 1
threshold = 10

[[smoke]]
path = "/info/version"
status = 200

[stages.dev]
[stages.qa]
[stages.prod]
protected = true
memory_mb = 1024
canary = { percent = 10, bake = "5m" }
account = "123456789012"      # refuse to deploy this stage with credentials of another account
)";

// The smallest valid file: lines 1-5.
constexpr const char* kMinimal = R"([service]
name = "svc"
target = "app"

[stages.dev]
)";

Config parse(const std::string& text) {
  return parse_config(text, "lambdeploy.toml");
}

// The ConfigError that parsing `text` throws (a test failure when it parses).
ConfigError error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "parsed without an error:\n" << text;
  return ConfigError(Position{}, "no error");
}

// Asserts that `e` stands at line:column and its reason holds `text`.
void expect_at(const ConfigError& e, int line, int column, const std::string& text) {
  EXPECT_EQ(e.where().file, "lambdeploy.toml");
  EXPECT_EQ(e.where().line, line) << e.what();
  EXPECT_EQ(e.where().column, column) << e.what();
  EXPECT_NE(e.reason().find(text), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()), e.where().str() + ": " + e.reason());
}

TEST(Config, DesignExampleParses) {
  const Config c = parse(kDesignExample);
  EXPECT_TRUE(c.path.is_absolute());
  EXPECT_EQ(c.path, fs::current_path() / "lambdeploy.toml");
  EXPECT_EQ(c.dir, fs::current_path());
  EXPECT_EQ(c.project, fs::current_path());
  EXPECT_EQ(c.service, "mgraph_ai_service_github_digest");
  EXPECT_EQ(c.target, "github-digest");
  EXPECT_EQ(c.version_file, "version");
  EXPECT_EQ(c.service_where.str(), "lambdeploy.toml:1:1");

  ASSERT_EQ(c.dependencies.size(), 1u);
  EXPECT_EQ(c.dependencies[0].name, "runtime-libs");
  EXPECT_EQ(c.dependencies[0].kind, DependencySpec::Kind::ClosureOf);
  EXPECT_EQ(c.dependencies[0].value, "github-digest");
  EXPECT_EQ(c.dependencies[0].where.line, 13);

  EXPECT_EQ(c.function_url.auth, "NONE");
  EXPECT_TRUE(c.function_url.enabled);
  EXPECT_EQ(c.function_url.invoke_mode, "BUFFERED");
  ASSERT_TRUE(c.function_url.cors);
  EXPECT_EQ(c.function_url.cors->allow_origins, std::vector<std::string>{"*"});
  EXPECT_EQ(c.function_url.cors->allow_methods,
            (std::vector<std::string>{"GET", "POST", "PUT", "DELETE"}));
  EXPECT_EQ(c.function_url.cors->allow_headers, std::vector<std::string>{"*"});
  EXPECT_TRUE(c.function_url.cors->expose_headers.empty());
  EXPECT_FALSE(c.function_url.cors->max_age);
  EXPECT_FALSE(c.api_key);

  ASSERT_EQ(c.alarms.size(), 1u);
  EXPECT_EQ(c.alarms[0].name, "errors");
  EXPECT_EQ(c.alarms[0].metric, "Errors");
  EXPECT_EQ(c.alarms[0].statistic, "Sum");
  EXPECT_EQ(c.alarms[0].period_s, 300);
  EXPECT_EQ(c.alarms[0].evaluation_periods, 1);
  EXPECT_EQ(c.alarms[0].threshold, 10.0);
  EXPECT_EQ(c.alarms[0].comparison, "GreaterThanOrEqualToThreshold");
  EXPECT_EQ(c.alarms[0].treat_missing_data, "notBreaching");
  EXPECT_EQ(c.alarms[0].where.line, 24);

  ASSERT_EQ(c.smoke.size(), 1u);
  EXPECT_EQ(c.smoke[0].path, "/info/version");
  EXPECT_EQ(c.smoke[0].method, "GET");
  EXPECT_EQ(c.smoke[0].status, 200);
  EXPECT_TRUE(c.smoke[0].with_key);
  EXPECT_EQ(c.invoke_check.payload, "{}");
  EXPECT_EQ(c.invoke_check.error_type, "Runtime.UnsupportedEvent");

  ASSERT_EQ(c.stages.size(), 3u);
  const StageSpec& dev = c.stage("dev");
  EXPECT_FALSE(dev.is_protected);
  EXPECT_EQ(dev.settings.memory_mb, 512);
  EXPECT_EQ(dev.settings.timeout_s, 60);
  EXPECT_EQ(dev.settings.runtime, "provided.al2023");
  EXPECT_EQ(dev.settings.architecture, "x86_64");
  EXPECT_EQ(dev.settings.log_retention_days, 14);
  EXPECT_FALSE(dev.canary);
  EXPECT_EQ(dev.where.str(), "lambdeploy.toml:36:1");
  const StageSpec& prod = c.stage("prod");
  EXPECT_TRUE(prod.is_protected);
  EXPECT_EQ(prod.settings.memory_mb, 1024);
  EXPECT_EQ(prod.settings.timeout_s, 60);
  ASSERT_TRUE(prod.canary);
  EXPECT_EQ(prod.canary->percent, 10);
  EXPECT_EQ(prod.canary->bake, "5m");
  EXPECT_EQ(prod.account, "123456789012");
  EXPECT_FALSE(prod.region);
  EXPECT_EQ(prod.where.line, 38);
  EXPECT_EQ(c.function_name("prod"), "mgraph_ai_service_github_digest__prod");

  ASSERT_EQ(prod.env.size(), 3u);
  const EnvSpec& name = prod.env.at("FAST_API__AUTH__API_KEY__NAME");
  EXPECT_EQ(name.from_env, "FAST_API__AUTH__API_KEY__NAME");
  EXPECT_EQ(name.default_value, "x-api-key");
  EXPECT_FALSE(name.secret);
  const EnvSpec& value = prod.env.at("FAST_API__AUTH__API_KEY__VALUE");
  EXPECT_EQ(value.ssm, "/api-keys/github-digest");
  EXPECT_TRUE(value.secret);
  EXPECT_FALSE(value.optional);
  EXPECT_EQ(value.where.str(), "lambdeploy.toml:17:1");
  const EnvSpec& ip = prod.env.at("IP_DATA__API_KEY");
  EXPECT_TRUE(ip.secret);
  EXPECT_TRUE(ip.optional);
  EXPECT_FALSE(ip.value);
}

TEST(Config, DefaultsWhenOnlyTheRequiredKeysAreGiven) {
  const Config c = parse(kMinimal);
  const StageSpec& dev = c.stage("dev");
  EXPECT_EQ(dev.settings.memory_mb, 128);
  EXPECT_EQ(dev.settings.timeout_s, 3);
  EXPECT_EQ(dev.settings.keep_versions, 10);
  EXPECT_FALSE(dev.settings.role_arn);
  EXPECT_TRUE(dev.env.empty());
  EXPECT_TRUE(c.dependencies.empty());
  EXPECT_TRUE(c.alarms.empty());
  EXPECT_TRUE(c.smoke.empty());
  EXPECT_TRUE(c.function_url.enabled);
  EXPECT_FALSE(c.function_url.cors);
  EXPECT_EQ(c.function_url.where.line, 0);
}

TEST(Config, StageOverridesTheServiceSettingsAndEnv) {
  const Config c = parse(R"([service]
name = "svc"
target = "app"
project = "../src/./app"
memory_mb = 256
log_retention_days = 30
deps_bucket = "shared-bucket"

[env]
KEEP = "same"
KEY = "base"
KEY2 = { from_env = "K2", default = "d" }

[stages.dev]

[stages.prod]
runtime = "provided.al2"
architecture = "arm64"
memory_mb = 2048
timeout_s = 900
ephemeral_storage_mb = 10240
keep_versions = 3
log_retention_days = 3653
role_arn = "arn:aws:iam::123456789012:role/prod-lambda"
deps_bucket = "prod.bucket-1"
region = "eu-west-1"
provisioned_concurrency = 2
canary = { percent = 25, bake = "1h30m" }
env = { KEY = "other", KEY2 = { ssm = "/x/{stage}" }, NEW = { value = "v" } }
)");
  EXPECT_EQ(c.project, fs::current_path().parent_path() / "src" / "app");

  const StageSpec& dev = c.stage("dev");
  EXPECT_EQ(dev.settings.memory_mb, 256);
  EXPECT_EQ(dev.settings.log_retention_days, 30);
  EXPECT_EQ(dev.settings.deps_bucket, "shared-bucket");
  EXPECT_EQ(dev.settings.runtime, "provided.al2023");
  EXPECT_EQ(dev.env.at("KEY").value, "base");
  EXPECT_FALSE(dev.provisioned_concurrency);

  const StageSpec& prod = c.stage("prod");
  EXPECT_EQ(prod.settings.runtime, "provided.al2");
  EXPECT_EQ(prod.settings.architecture, "arm64");
  EXPECT_EQ(prod.settings.memory_mb, 2048);
  EXPECT_EQ(prod.settings.timeout_s, 900);
  EXPECT_EQ(prod.settings.ephemeral_storage_mb, 10240);
  EXPECT_EQ(prod.settings.keep_versions, 3);
  EXPECT_EQ(prod.settings.log_retention_days, 3653);
  EXPECT_EQ(prod.settings.role_arn, "arn:aws:iam::123456789012:role/prod-lambda");
  EXPECT_EQ(prod.settings.deps_bucket, "prod.bucket-1");
  EXPECT_EQ(prod.region, "eu-west-1");
  EXPECT_EQ(prod.provisioned_concurrency, 2);
  ASSERT_TRUE(prod.canary);
  EXPECT_EQ(prod.canary->percent, 25);
  EXPECT_EQ(prod.canary->bake, "1h30m");

  ASSERT_EQ(prod.env.size(), 4u);
  EXPECT_EQ(prod.env.at("KEEP").value, "same");
  EXPECT_EQ(prod.env.at("KEY").value, "other");
  const EnvSpec& key2 = prod.env.at("KEY2");  // the whole spec is replaced
  EXPECT_EQ(key2.ssm, "/x/{stage}");
  EXPECT_FALSE(key2.from_env);
  EXPECT_FALSE(key2.default_value);
  EXPECT_EQ(key2.where.line, 29);
  EXPECT_EQ(prod.env.at("NEW").value, "v");
}

TEST(Config, EnvForms) {
  const Config c = parse(R"([service]
name = "svc"
target = "app"

[env]
LITERAL = "text"
VALUE = { value = "v", secret = true }
FROM_ENV = { from_env = "HOME" }
SSM = { ssm = "/app/{service}/{stage}/key", secret = true }
DEFAULT = { default = "d" }
MAYBE = { optional = true }
ALL = { from_env = "X", ssm = "/k", default = "d", secret = true, optional = true }

[api_key]
header_from = "LITERAL"
value_from = "SSM"

[stages.dev]
)");
  const auto& env = c.stage("dev").env;
  ASSERT_EQ(env.size(), 7u);
  EXPECT_EQ(env.at("LITERAL").value, "text");
  EXPECT_FALSE(env.at("LITERAL").secret);
  EXPECT_EQ(env.at("LITERAL").where.str(), "lambdeploy.toml:6:1");
  EXPECT_EQ(env.at("VALUE").value, "v");
  EXPECT_TRUE(env.at("VALUE").secret);
  EXPECT_EQ(env.at("FROM_ENV").from_env, "HOME");
  EXPECT_EQ(env.at("SSM").ssm, "/app/{service}/{stage}/key");
  EXPECT_EQ(env.at("DEFAULT").default_value, "d");
  EXPECT_TRUE(env.at("MAYBE").optional);
  EXPECT_FALSE(env.at("MAYBE").value);
  const EnvSpec& all = env.at("ALL");
  EXPECT_EQ(all.name, "ALL");
  EXPECT_EQ(all.from_env, "X");
  EXPECT_EQ(all.ssm, "/k");
  EXPECT_EQ(all.default_value, "d");
  EXPECT_TRUE(all.secret);
  EXPECT_TRUE(all.optional);
  ASSERT_TRUE(c.api_key);
  EXPECT_EQ(c.api_key->header_from, "LITERAL");
  EXPECT_EQ(c.api_key->value_from, "SSM");
  EXPECT_EQ(c.api_key->where.line, 14);
}

TEST(Config, AllSectionsParse) {
  const Config c = parse(R"([service]
name = "svc"
target = "app"

[dependencies]
zlib = { path = "deps/zlib.zip" }
assets = { dir = "deps/assets" }

[function_url]
enabled = false
auth = "AWS_IAM"
invoke_mode = "RESPONSE_STREAM"
cors = { allow_origins = ["https://a.example"], expose_headers = ["x-id"], allow_credentials = true, max_age = 300 }

[invoke_check]
payload = '{"ping": true}'
error_type = ""

[[alarms]]
name = "slow"
metric = "Duration"
statistic = "Average"
period_s = 60
evaluation_periods = 3
datapoints_to_alarm = 2
threshold = 2500.5
comparison = "GreaterThanThreshold"
treat_missing_data = "missing"

[[smoke]]
path = "/echo"
method = "POST"
status = 201
body = "hi"
contains = "{version}"
with_key = false

[stages.dev]
)");
  ASSERT_EQ(c.dependencies.size(), 2u);  // in file order
  EXPECT_EQ(c.dependencies[0].name, "zlib");
  EXPECT_EQ(c.dependencies[0].kind, DependencySpec::Kind::Path);
  EXPECT_EQ(c.dependencies[0].value, "deps/zlib.zip");
  EXPECT_EQ(c.dependencies[1].kind, DependencySpec::Kind::Dir);
  EXPECT_FALSE(c.function_url.enabled);
  EXPECT_EQ(c.function_url.auth, "AWS_IAM");
  EXPECT_EQ(c.function_url.invoke_mode, "RESPONSE_STREAM");
  EXPECT_EQ(c.function_url.where.line, 9);
  ASSERT_TRUE(c.function_url.cors);
  EXPECT_TRUE(c.function_url.cors->allow_credentials);
  EXPECT_EQ(c.function_url.cors->max_age, 300);
  EXPECT_EQ(c.function_url.cors->expose_headers, std::vector<std::string>{"x-id"});
  EXPECT_EQ(c.invoke_check.payload, R"({"ping": true})");
  EXPECT_EQ(c.invoke_check.error_type, "");
  ASSERT_EQ(c.alarms.size(), 1u);
  EXPECT_EQ(c.alarms[0].datapoints_to_alarm, 2);
  EXPECT_EQ(c.alarms[0].threshold, 2500.5);
  EXPECT_EQ(c.alarms[0].treat_missing_data, "missing");
  ASSERT_EQ(c.smoke.size(), 1u);
  EXPECT_EQ(c.smoke[0].method, "POST");
  EXPECT_EQ(c.smoke[0].status, 201);
  EXPECT_EQ(c.smoke[0].body, "hi");
  EXPECT_EQ(c.smoke[0].contains, "{version}");
  EXPECT_FALSE(c.smoke[0].with_key);
}

TEST(ConfigError, UnknownKeySuggestsTheNearestKnownOne) {
  const ConfigError e = error_of(R"([service]
name = "svc"
target = "app"
memroy_mb = 512

[stages.dev]
)");
  expect_at(e, 4, 1, R"(unknown key "memroy_mb" in [service]; did you mean "memory_mb"?)");
}

TEST(ConfigError, UnknownKeyInAStageAndAnInlineTable) {
  expect_at(error_of(std::string(kMinimal) + "regoin = \"eu-west-1\"\n"), 6, 1,
            R"(unknown key "regoin" in [stages.dev]; did you mean "region"?)");
  expect_at(error_of(std::string(kMinimal) + "canary = { percent = 5, bkae = \"5m\" }\n"), 6, 25,
            R"(unknown key "bkae" in [stages.dev] canary; did you mean "bake"?)");
  expect_at(error_of(std::string(kMinimal) + "[env]\nK = { from_env = \"X\", secrte = true }\n"), 7,
            23, R"(unknown key "secrte" in [env] K; did you mean "secret"?)");
}

TEST(ConfigError, UnknownKeyFarFromAnyListsTheKnownOnes) {
  const ConfigError e = error_of(std::string(kMinimal) + "\n[telemetry]\nlevel = 1\n");
  expect_at(e, 7, 2, R"(unknown key "telemetry" in the file (known keys: service, dependencies)");
  expect_at(error_of("[servce]\nname = \"x\"\n"), 1, 2,
            R"(unknown key "servce" in the file; did you mean "service"?)");
}

TEST(ConfigError, WrongTypeSaysWhatWasExpectedAndFound) {
  const ConfigError e = error_of(R"([service]
name = "svc"
target = "app"
memory_mb = "512"

[stages.dev]
)");
  expect_at(e, 4, 13, "memory_mb must be an integer, got a string");
  EXPECT_EQ(e.reason(), "memory_mb must be an integer, got a string");
  EXPECT_STREQ(e.what(), "lambdeploy.toml:4:13: memory_mb must be an integer, got a string");

  expect_at(error_of(std::string(kMinimal) + "protected = \"yes\"\n"), 6, 13,
            "protected must be a boolean (true or false), got a string");
  expect_at(error_of(std::string(kMinimal) + "account = 123456789012\n"), 6, 11,
            "account must be a string, got an integer");
  expect_at(
      error_of(std::string(kMinimal) + "[function_url]\ncors = { allow_origins = [\"*\", 1] }\n"),
      7, 32, "allow_origins must hold only strings, got an integer");
  expect_at(error_of(std::string(kMinimal) + "[[alarms]]\nname = \"e\"\nmetric = \"Errors\"\n"
                                             "threshold = \"10\"\n"),
            9, 13, "threshold must be a number, got a string");
  expect_at(error_of("service = \"svc\"\n"), 1, 11, "service must be a table, got a string");
}

TEST(ConfigError, OutOfRangeSaysTheAllowedRange) {
  expect_at(error_of(std::string(kMinimal) + "memory_mb = 64\n"), 6, 13,
            "memory_mb must be between 128 and 10240, got 64");
  expect_at(error_of(std::string(kMinimal) + "timeout_s = 901\n"), 6, 13,
            "timeout_s must be between 1 and 900, got 901");
  expect_at(error_of(std::string(kMinimal) + "keep_versions = 0\n"), 6, 17,
            "keep_versions must be at least 1, got 0");
  expect_at(error_of(std::string(kMinimal) + "log_retention_days = 15\n"), 6, 22,
            "log_retention_days must be one of 1, 3, 5, 7, 14, 30");
  expect_at(error_of(std::string(kMinimal) + "canary = { percent = 100 }\n"), 6, 22,
            "percent must be between 1 and 99, got 100");
  expect_at(error_of(std::string(kMinimal) + "canary = { bake = \"5 minutes\" }\n"), 6, 19,
            "bake must be a duration like 90s, 5m, 1h or 1h30m");
  expect_at(error_of(std::string(kMinimal) + "runtime = \"provided\"\n"), 6, 11,
            R"(runtime must be one of provided.al2023, provided.al2, got "provided")");
  expect_at(error_of(std::string(kMinimal) + "account = \"1234\"\n"), 6, 11,
            "account must be 12 digits");
  expect_at(error_of(std::string(kMinimal) + "role_arn = \"arn:aws:iam::1:user/x\"\n"), 6, 12,
            "role_arn must be an IAM role ARN");
  expect_at(error_of(std::string(kMinimal) + "deps_bucket = \"My_Bucket\"\n"), 6, 15,
            "deps_bucket must be an S3 bucket name");
  expect_at(error_of(std::string(kMinimal) + "[[alarms]]\nname = \"e\"\nmetric = \"Errors\"\n"
                                             "period_s = 45\n"),
            9, 12, "period_s must be 10, 30 or a multiple of 60");
  expect_at(error_of(std::string(kMinimal) + "[[alarms]]\nname = \"e\"\nmetric = \"Errors\"\n"
                                             "evaluation_periods = 2\ndatapoints_to_alarm = 3\n"),
            10, 23, "datapoints_to_alarm must be between 1 and 2, got 3");
  expect_at(error_of(std::string(kMinimal) + "[[smoke]]\npath = \"info\"\n"), 7, 8,
            "path must start with '/'");
  expect_at(error_of(std::string(kMinimal) + "[[smoke]]\nstatus = 600\n"), 7, 10,
            "status must be between 100 and 599, got 600");
  expect_at(error_of(std::string(kMinimal) + "[invoke_check]\npayload = \"{nope\"\n"), 7, 11,
            "payload must be valid JSON");
}

TEST(ConfigError, UnknownStageListsTheStagesInFileOrder) {
  const Config c = parse(kDesignExample);
  try {
    c.stage("staging");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().line, 0);
    EXPECT_STREQ(e.what(),
                 "lambdeploy.toml: unknown stage \"staging\"; lambdeploy.toml has dev, qa, prod");
  }
}

TEST(ConfigError, FunctionNameOver64Characters) {
  const std::string service(59, 's');  // dev: 64 characters, prod: 65
  const ConfigError e =
      error_of("[service]\nname = \"" + service +
               "\"\ntarget = \"app\"\n\n[stages.dev]\n"
               "role_arn = \"arn:aws:iam::123456789012:role/r\"\n[stages.prod]\n");
  expect_at(e, 7, 1, "is 65 characters; Lambda allows at most 64");
  EXPECT_NE(e.reason().find(service + "__prod"), std::string::npos);
}

TEST(ConfigError, RoleNameOver64CharactersUnlessARoleIsGiven) {
  const std::string service(58, 's');  // function 63 characters, role 68
  const std::string text =
      "[service]\nname = \"" + service + "\"\ntarget = \"app\"\n\n[stages.dev]\n";
  expect_at(error_of(text), 5, 1, "role name \"" + service + "__dev-role\" is 68 characters");
  const Config c = parse(text + "role_arn = \"arn:aws:iam::123456789012:role/short\"\n");
  EXPECT_EQ(c.function_name("dev").size(), 63u);
}

TEST(ConfigError, MissingNameOrTarget) {
  expect_at(error_of("[service]\ntarget = \"app\"\n\n[stages.dev]\n"), 1, 1,
            R"(missing required key "name" in [service])");
  expect_at(error_of("\n[service]\nname = \"svc\"\n\n[stages.dev]\n"), 2, 1,
            R"(missing required key "target" in [service])");
  expect_at(error_of("[service]\nname = \"a b\"\ntarget = \"x\"\n[stages.dev]\n"), 2, 8,
            "name may hold only letters, digits, _ and -");
  const ConfigError none = error_of("[stages.dev]\n");
  EXPECT_EQ(none.where().line, 0);
  EXPECT_NE(none.reason().find("missing [service]"), std::string::npos);
}

TEST(ConfigError, StagesMissingOrBadlyNamed) {
  const ConfigError none = error_of("[service]\nname = \"svc\"\ntarget = \"app\"\n");
  EXPECT_NE(none.reason().find("no stages"), std::string::npos);
  expect_at(error_of("[service]\nname = \"svc\"\ntarget = \"app\"\n[stages.Prod]\n"), 4, 9,
            "stage name \"Prod\" must be lowercase");
  expect_at(error_of("[service]\nname = \"svc\"\ntarget = \"app\"\n[stages]\ndev = 1\n"), 5, 7,
            "dev must be a table, got an integer");
}

TEST(ConfigError, DependencyWithTwoKinds) {
  expect_at(error_of(std::string(kMinimal) +
                     "[dependencies]\nlibs = { path = \"a.zip\", dir = \"a\" }\n"),
            7, 1,
            "dependency libs gives both path and dir; give exactly one of closure_of, path, dir");
  expect_at(error_of(std::string(kMinimal) + "[dependencies]\nlibs = {}\n"), 7, 1,
            "dependency libs gives none of closure_of, path, dir");
  expect_at(error_of(std::string(kMinimal) + "[dependencies]\nlibs = \"x\"\n"), 7, 8,
            "libs must be a table like { closure_of = \"target\" }, got a string");
}

TEST(ConfigError, EnvWithNoSource) {
  expect_at(error_of(std::string(kMinimal) + "[env]\nTOKEN = { secret = true }\n"), 7, 1,
            "env TOKEN gives no value");
  expect_at(error_of(std::string(kMinimal) + "[env]\nTOKEN = { value = \"v\", ssm = \"/x\" }\n"), 7,
            30, "env TOKEN sets both value and ssm");
  expect_at(error_of(std::string(kMinimal) + "env = { NEW = {} }\n"), 6, 9,
            "env NEW gives no value");
}

TEST(ConfigError, ReservedOrInvalidEnvName) {
  expect_at(error_of(std::string(kMinimal) + "[env]\nOK = \"1\"\nAWS_REGION = \"eu-west-1\"\n"), 8,
            1, "env AWS_REGION is reserved by Lambda");
  expect_at(error_of(std::string(kMinimal) + "env = { _HANDLER = \"x\" }\n"), 6, 9,
            "env _HANDLER is reserved by Lambda");
  expect_at(error_of(std::string(kMinimal) + "[env]\n\"1ST\" = \"x\"\n"), 7, 1,
            "env name \"1ST\" must start with a letter");
}

TEST(ConfigError, ApiKeyNamingAMissingEnvKey) {
  const ConfigError e = error_of(std::string(kMinimal) + R"([env]
KEY_NAME = "x-api-key"

[api_key]
header_from = "KEY_NAME"
value_from = "KEY_VALUE"
)");
  expect_at(e, 11, 14, R"(value_from names "KEY_VALUE", which is not a key of [env])");
  expect_at(error_of(std::string(kMinimal) + "[api_key]\nvalue_from = \"X\"\n"), 6, 1,
            R"(missing required key "header_from" in [api_key])");
}

TEST(ConfigError, DuplicateAlarmName) {
  const ConfigError e = error_of(std::string(kMinimal) + R"([[alarms]]
name = "errors"
metric = "Errors"
[[alarms]]
name = "errors"
metric = "Throttles"
)");
  expect_at(e, 9, 1, "alarm name \"errors\" is used twice (first at lambdeploy.toml:6:1)");
}

TEST(ConfigError, BadTomlSyntaxGivesTheParsersPosition) {
  const ConfigError e = error_of("[service]\nname = \"svc\"\ntarget = = \"app\"\n");
  EXPECT_EQ(e.where().line, 3);
  EXPECT_EQ(e.where().column, 10);
  EXPECT_FALSE(e.reason().empty());
  EXPECT_EQ(std::string(e.what()).rfind("lambdeploy.toml:3:10: ", 0), 0u) << e.what();

  const ConfigError twice = error_of("[service]\nname = \"a\"\nname = \"b\"\n");
  EXPECT_EQ(twice.where().line, 3);
}

TEST(LoadConfig, KeepsThePathAsGivenForMessagesAndMakesItAbsolute) {
  test::TempDir dir("config");
  dir.write("svc/lambdeploy.toml", std::string(kMinimal) + "memory_mb = \"x\"\n");
  const fs::path good = dir.write("ok/lambdeploy.toml",
                                  "[service]\nname = \"svc\"\ntarget = "
                                  "\"app\"\nproject = \"..\"\n[stages.dev]\n");
  const Config c = load_config(good);
  EXPECT_EQ(c.path, good);
  EXPECT_EQ(c.dir, dir.path() / "ok");
  EXPECT_EQ(c.project, dir.path());
  EXPECT_EQ(c.service_where.file, good.string());

  const fs::path relative = fs::relative(dir.path() / "svc/lambdeploy.toml");
  try {
    load_config(relative);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().file, relative.string());
    EXPECT_EQ(std::string(e.what()).rfind(relative.string() + ":6:13: ", 0), 0u) << e.what();
  }
  EXPECT_THROW(load_config(dir.path() / "missing.toml"), ConfigError);
}

TEST(FindConfig, SearchesUpwardFromTheStartFolder) {
  test::TempDir dir("find-config");
  const fs::path file = dir.write("project/lambdeploy.toml", kMinimal);
  fs::create_directories(dir.path() / "project/src/deep");
  EXPECT_EQ(find_config(std::nullopt, dir.path() / "project/src/deep"), file);
  EXPECT_EQ(find_config(std::nullopt, dir.path() / "project"), file);

  const fs::path nearer = dir.write("project/src/lambdeploy.toml", kMinimal);
  EXPECT_EQ(find_config(std::nullopt, dir.path() / "project/src/deep"), nearer);
}

TEST(FindConfig, NoneFoundNamesWhereItLooked) {
  test::TempDir dir("find-none");
  fs::create_directories(dir.path() / "a");
  try {
    find_config(std::nullopt, dir.path() / "a");
    FAIL() << "found a config above " << dir.path();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "no lambdeploy.toml in " + (dir.path() / "a").string() +
                                         " or any folder above it (use --config FILE)");
  }
}

TEST(FindConfig, AnExplicitPathMustExist) {
  test::TempDir dir("find-explicit");
  const fs::path file = dir.write("other.toml", kMinimal);
  EXPECT_EQ(find_config(file, "/"), file);
  const fs::path missing = dir.path() / "nope.toml";
  try {
    find_config(missing, dir.path());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "config file " + missing.string() + " does not exist");
  }
}

TEST(Config, TheRepositorysOwnFileLoads) {
  const fs::path file =
      fs::path(__FILE__).parent_path().parent_path().parent_path() / "lambdeploy.toml";
  if (!fs::exists(file)) GTEST_SKIP() << file << " does not exist yet";
  const Config c = load_config(file);
  EXPECT_FALSE(c.service.empty());
  EXPECT_FALSE(c.target.empty());
  EXPECT_FALSE(c.stages.empty());
  for (const auto& [name, stage] : c.stages) EXPECT_LE(c.function_name(name).size(), 64u);
}

}  // namespace
}  // namespace ld::deploy
