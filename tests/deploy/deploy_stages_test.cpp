// The deployer end to end, per stage, as the original pipeline's tests checked it: `lambdeploy
// deploy` run as a user runs it against the local endpoint, and everything read back through
// the project's AWS clients and the Function URL (what AWS would show, not the deployer's
// report). The GitHub Digest service and the example `hello` (which ships a dependency layer)
// are deployed to dev, qa and prod; prod's account guard is held.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "aws/error.hpp"
#include "core/encoding.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/strings.hpp"
#include "support/deploy_harness.hpp"

namespace ld::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string version_file(const fs::path& path) {
  return std::string(trim(read_file(path)));
}

class DeployStages : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!fs::exists(dist_zip("github-digest.zip")) || !fs::exists(dist_zip("hello.zip")) ||
        !fs::exists(dist_zip("hello-deps.zip")))
      GTEST_SKIP() << "dist/github-digest.zip, dist/hello.zip and dist/hello-deps.zip are made "
                      "by the normal build (not by a sanitizer build); build first";
  }
  bool prod() const { return GetParam() == "prod"; }
  DeployHarness harness_;
};

TEST_P(DeployStages, GithubDigestServesItsVersionBehindTheApiKey) {
  const std::string stage = GetParam();
  CliRun run = harness_.cli({"--json", "deploy", "--stage", stage, "--yes", "--package",
                             dist_zip("github-digest.zip").string()},
                            prod());
  ASSERT_EQ(run.exit_code, 0) << run.both();
  const json report = run.json();
  ASSERT_TRUE(report.is_object()) << run.out;
  EXPECT_EQ(report["stage"], stage);

  const std::string function = "mgraph_ai_service_github_digest__" + stage;
  const deploy::Clients clients = harness_.clients(prod());
  // The function is there, LIVE points at a published version.
  const auto alias = clients.lambda.find_alias(function, "LIVE");
  ASSERT_TRUE(alias.has_value());
  EXPECT_EQ(alias->value("FunctionVersion", ""), "1");

  // A direct invoke of {} is the service's not-an-HTTP-event error.
  const aws::Result invoked =
      clients.lambda.invoke({{"FunctionName", function}, {"Qualifier", "LIVE"}}, "{}");
  EXPECT_EQ(invoked.output.value("FunctionError", ""), "Unhandled");
  EXPECT_EQ(json::parse(invoked.body).value("errorType", ""), "Runtime.UnsupportedEvent");

  // /info/version through the Function URL, with the key the stage's SSM parameter holds.
  const auto key = clients.ssm.get_parameter_value(
      "/mgraph_ai_service_github_digest/" + stage + "/api-key", true);
  ASSERT_TRUE(key.has_value()) << "the local deploy generates the API key into SSM";
  const auto url = clients.lambda.find_function_url_config(function, "LIVE");
  ASSERT_TRUE(url.has_value());
  const UrlAnswer with_key =
      get_url(url->value("FunctionUrl", ""), "/info/version", "x-api-key", *key);
  EXPECT_EQ(with_key.status, 200) << with_key.body;
  EXPECT_EQ(json::parse(with_key.body, nullptr, false),
            json({{"version", version_file(repo_root() / "version")}}));
  const UrlAnswer without_key = get_url(url->value("FunctionUrl", ""), "/info/version");
  EXPECT_EQ(without_key.status, 401) << without_key.body;

  // The report says the same, and names the URL.
  EXPECT_EQ(report["url"], url->value("FunctionUrl", ""));
  EXPECT_EQ(report["live_version"], "1");

  // Run again: nothing to do.
  CliRun again = harness_.cli({"--json", "deploy", "--stage", stage, "--yes", "--package",
                               dist_zip("github-digest.zip").string()},
                              prod());
  ASSERT_EQ(again.exit_code, 0) << again.both();
  EXPECT_EQ(again.json()["up_to_date"], true);
  EXPECT_TRUE(again.json()["plan"].empty());
}

TEST_P(DeployStages, HelloShipsItsLibraryAsALayerFromTheStagesKey) {
  const std::string stage = GetParam();
  CliRun run =
      harness_.cli({"--config", "examples/hello/lambdeploy.toml", "--json", "deploy", "--stage",
                    stage, "--yes", "--package", dist_zip("hello.zip").string()},
                   prod());
  ASSERT_EQ(run.exit_code, 0) << run.both();
  const std::string account = prod() ? kProdAccount : "000000000000";
  const deploy::Clients clients = harness_.clients(prod());

  // The dependency zip under the configured key, with its SHA-256 in the metadata.
  const std::string bucket = account + "--lambdeploy--us-east-1";
  const std::string key = "lambda-dependencies/" + stage + "/runtime-libs.zip";
  EXPECT_TRUE(clients.s3.object_exists_with_sha256(
      bucket, key, hex_encode(as_chars(sha256_file(dist_zip("hello-deps.zip"))))));

  // The layer is on the version LIVE serves.
  const std::string function = "lambdeploy_hello__" + stage;
  const json live = clients.lambda.get_function_configuration(function, "LIVE");
  ASSERT_EQ(live.value("Layers", json::array()).size(), 1u) << live.dump();
  EXPECT_NE(live["Layers"][0].value("Arn", "").find(function + "--runtime-libs"),
            std::string::npos);

  // The bootstrap finds libz in /opt/lib and answers through its URL.
  const auto api_key =
      clients.ssm.get_parameter_value("/lambdeploy-hello/" + stage + "/api-key", true);
  ASSERT_TRUE(api_key.has_value());
  const auto url = clients.lambda.find_function_url_config(function, "LIVE");
  ASSERT_TRUE(url.has_value());
  const UrlAnswer answer = get_url(url->value("FunctionUrl", ""), "/", "x-api-key", *api_key);
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(json::parse(answer.body, nullptr, false).value("stage", ""), stage);
  EXPECT_EQ(get_url(url->value("FunctionUrl", ""), "/info/version").status, 401);
}

INSTANTIATE_TEST_SUITE_P(Stages, DeployStages, ::testing::Values("dev", "qa", "prod"),
                         [](const auto& param_info) { return param_info.param; });

class DeployGuards : public ::testing::Test {
 protected:
  DeployHarness harness_;
};

TEST_F(DeployGuards, ProdRefusesAnotherAccountBeforeAnyChange) {
  CliRun run = harness_.cli(
      {"deploy", "--stage", "prod", "--yes", "--package", dist_zip("github-digest.zip").string()});
  EXPECT_EQ(run.exit_code, 1) << run.both();
  EXPECT_NE(run.err.find("123456789012"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("000000000000"), std::string::npos) << run.err;
  // Nothing was made, in either account.
  for (bool prod_key : {false, true}) {
    const deploy::Clients clients = harness_.clients(prod_key);
    EXPECT_FALSE(clients.lambda.find_function("mgraph_ai_service_github_digest__prod"));
    EXPECT_FALSE(clients.s3.bucket_exists(std::string(prod_key ? kProdAccount : "000000000000") +
                                          "--lambdeploy--us-east-1"));
    EXPECT_FALSE(clients.iam.find_role("mgraph_ai_service_github_digest__prod-role"));
  }
}

TEST_F(DeployGuards, ProtectedStageNeedsYesWithoutATerminal) {
  CliRun run = harness_.cli(
      {"deploy", "--stage", "prod", "--package", dist_zip("github-digest.zip").string()}, true);
  EXPECT_EQ(run.exit_code, 1) << run.both();
  EXPECT_NE(run.err.find("--yes"), std::string::npos) << run.err;
  EXPECT_FALSE(
      harness_.clients(true).lambda.find_function("mgraph_ai_service_github_digest__prod"));
}

TEST_F(DeployGuards, ABadConfigIsRefusedWithItsPlaceAndNothingSent) {
  const fs::path config = harness_.dir() / "lambdeploy.toml";
  std::string text = read_file(repo_root() / "lambdeploy.toml");
  text.replace(text.find("memory_mb = 512"), 15, "memroy_mb = 512");
  { std::ofstream(config) << text; }
  // An endpoint that does not exist: any request would fail as a network error, not this one.
  std::vector<std::string> args = {LAMBDEPLOY_CLI, "--endpoint-url", "http://127.0.0.1:9",
                                   "--local",      "--config",       config.string(),
                                   "plan",         "--stage",        "dev"};
  const ProcessOutcome outcome = run_process(args, repo_root());
  EXPECT_EQ(outcome.exit_code(), 3) << outcome.out << outcome.err;
  EXPECT_NE(outcome.err.find(config.string() + ":"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("memroy_mb"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("memory_mb"), std::string::npos) << outcome.err;
}

TEST_F(DeployGuards, AnUnknownStageIsRefusedNamingTheStages) {
  CliRun run = harness_.cli({"plan", "--stage", "staging"});
  EXPECT_EQ(run.exit_code, 3) << run.both();
  EXPECT_NE(run.err.find("staging"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("dev, qa, prod"), std::string::npos) << run.err;
}

TEST_F(DeployGuards, PlanSaysChangesWithExitTwoAndNothingWithZero) {
  const std::string zip = dist_zip("github-digest.zip").string();
  EXPECT_EQ(harness_.cli({"plan", "--stage", "dev", "--package", zip}).exit_code, 2);
  ASSERT_EQ(harness_.cli({"deploy", "--stage", "dev", "--package", zip}).exit_code, 0);
  CliRun plan = harness_.cli({"plan", "--stage", "dev", "--package", zip});
  EXPECT_EQ(plan.exit_code, 0) << plan.both();
  EXPECT_NE(plan.out.find("up to date"), std::string::npos) << plan.out;
}

TEST_F(DeployGuards, SecretsAppearNowhereInThePlanOrTheReport) {
  const std::string secret = "s3cr3t-value-that-must-not-print";
  const std::string zip = dist_zip("github-digest.zip").string();
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"-v", "plan", "--stage", "dev", "--package", zip},
                                             {"--json", "plan", "--stage", "dev", "--package", zip},
                                             {"-v", "deploy", "--stage", "dev", "--package", zip},
                                             {"--json", "status", "--stage", "dev"}}) {
    CliRun run = harness_.cli(args, false, {{"FAST_API__AUTH__API_KEY__VALUE", secret}});
    EXPECT_EQ(run.both().find(secret), std::string::npos) << join(args, " ") << "\n" << run.both();
  }
  // And the function really has it.
  const json live = harness_.clients().lambda.get_function_configuration(
      "mgraph_ai_service_github_digest__dev", "LIVE");
  EXPECT_EQ(live["Environment"]["Variables"].value("FAST_API__AUTH__API_KEY__VALUE", ""), secret);
}

}  // namespace
}  // namespace ld::test
