// Traffic on alias LIVE end to end, through the CLI against the local endpoint and read back
// through the project's AWS clients: a canary's weights, promote, rollback to the recorded
// version and --to, a bake ending in promote and one ending in rollback when an alarm fires,
// a canary whose checks fail rolled back at once, pruning beyond keep_versions, and what
// `versions` and `status` show.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/files.hpp"
#include "deploy/live_record.hpp"
#include "support/deploy_harness.hpp"

namespace ld::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* const kFunction = "mgraph_ai_service_github_digest__dev";

class Traffic : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(dist_zip("github-digest.zip")))
      GTEST_SKIP() << "dist/github-digest.zip is made by the normal build; build first";
    v1_ = dist_zip("github-digest.zip");
    v2_ = zip_with_version(v1_, harness().dir() / "v2" / "github-digest.zip", "v0.1.1");
    v3_ = zip_with_version(v1_, harness().dir() / "v3" / "github-digest.zip", "v0.1.2");
  }
  virtual DeployHarness& harness() { return harness_; }

  CliRun deploy(const fs::path& zip, const std::vector<std::string>& more = {}) {
    std::vector<std::string> args = {"--json", "deploy",    "--stage",
                                     "dev",    "--package", zip.string()};
    args.insert(args.end(), more.begin(), more.end());
    return harness().cli(args);
  }

  // LIVE as AWS shows it: primary version and weights.
  json live() {
    const auto alias = harness().clients().lambda.find_alias(kFunction, "LIVE");
    if (!alias) return nullptr;
    json weights = json::object();
    if (alias->contains("RoutingConfig") && (*alias)["RoutingConfig"].is_object())
      weights = (*alias)["RoutingConfig"].value("AdditionalVersionWeights", json::object());
    return {{"version", alias->value("FunctionVersion", "")}, {"weights", weights}};
  }

  // deploy with another config file.
  CliRun deploy_with(const fs::path& config, const fs::path& zip,
                     const std::vector<std::string>& more = {}) {
    std::vector<std::string> args = {"--config", config.string(), "--json",    "deploy",
                                     "--stage",  "dev",           "--package", zip.string()};
    args.insert(args.end(), more.begin(), more.end());
    return harness().cli(args);
  }

  deploy::LiveRecord record() {
    return deploy::LiveRecord::parse(
        harness().clients().lambda.find_alias(kFunction, "LIVE")->value("Description", ""));
  }

  fs::path v1_, v2_, v3_;
  DeployHarness harness_;
};

TEST_F(Traffic, CanaryThenPromoteThenRollbackAndRollbackTo) {
  ASSERT_EQ(deploy(v1_).exit_code, 0);
  CliRun canary = deploy(v2_, {"--canary", "10"});
  ASSERT_EQ(canary.exit_code, 0) << canary.both();
  EXPECT_EQ(live(), json({{"version", "1"}, {"weights", {{"2", 0.1}}}}));
  EXPECT_EQ(record().canary, "2");
  // A second run with the same canary changes nothing.
  EXPECT_EQ(deploy(v2_, {"--canary", "10"}).json()["up_to_date"], true);

  CliRun promoted = harness().cli({"promote", "--stage", "dev"});
  ASSERT_EQ(promoted.exit_code, 0) << promoted.both();
  EXPECT_EQ(live(), json({{"version", "2"}, {"weights", json::object()}}));
  EXPECT_EQ(record().previous, "1");

  // Another runner (nothing shared but AWS) rolls back to the recorded version.
  CliRun back = harness().cli({"rollback", "--stage", "dev"});
  ASSERT_EQ(back.exit_code, 0) << back.both();
  EXPECT_EQ(live()["version"], "1");
  CliRun to = harness().cli({"rollback", "--stage", "dev", "--to", "2"});
  ASSERT_EQ(to.exit_code, 0) << to.both();
  EXPECT_EQ(live()["version"], "2");
  CliRun missing = harness().cli({"rollback", "--stage", "dev", "--to", "9"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("version 9"), std::string::npos) << missing.err;
}

TEST_F(Traffic, ARollbackDuringACanaryDropsTheWeights) {
  ASSERT_EQ(deploy(v1_).exit_code, 0);
  ASSERT_EQ(deploy(v2_, {"--canary", "20"}).exit_code, 0);
  ASSERT_EQ(harness().cli({"rollback", "--stage", "dev"}).exit_code, 0);
  EXPECT_EQ(live(), json({{"version", "1"}, {"weights", json::object()}}));
}

TEST_F(Traffic, ABakeThatStaysQuietPromotes) {
  ASSERT_EQ(deploy(v1_).exit_code, 0);
  CliRun baked = deploy(v2_, {"--canary", "10", "--bake", "2s"});
  ASSERT_EQ(baked.exit_code, 0) << baked.both();
  EXPECT_EQ(baked.json()["promoted"], true);
  EXPECT_GE(baked.json()["bake"]["rounds"].get<int>(), 2);
  EXPECT_EQ(live(), json({{"version", "2"}, {"weights", json::object()}}));
}

// Ctrl-C during a bake: the canary stays as it is, the command says how to promote or roll back
// and exits 130; promote then makes the canary LIVE.
TEST_F(Traffic, CtrlCDuringABakeLeavesTheCanaryAndSaysHowToFinish) {
  ASSERT_EQ(deploy(v1_).exit_code, 0);
  CliRun stopped = harness().cli_through(
      {"timeout", "--foreground", "--preserve-status", "-s", "INT", "3"},
      {"deploy", "--stage", "dev", "--package", v2_.string(), "--canary", "10", "--bake", "1m"});
  EXPECT_EQ(stopped.exit_code, 130) << stopped.both();
  EXPECT_NE(stopped.out.find("Baking"), std::string::npos) << stopped.both();
  EXPECT_NE(stopped.err.find("the bake was interrupted"), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.err.find("lambdeploy promote --stage dev"), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.err.find("lambdeploy rollback --stage dev"), std::string::npos) << stopped.err;
  EXPECT_EQ(live(), json({{"version", "1"}, {"weights", {{"2", 0.1}}}}));
  ASSERT_EQ(harness().cli({"promote", "--stage", "dev"}).exit_code, 0);
  EXPECT_EQ(live(), json({{"version", "2"}, {"weights", json::object()}}));
}

TEST_F(Traffic, ACanaryFailingItsChecksIsRolledBackAtOnce) {
  ASSERT_EQ(deploy(v1_).exit_code, 0);
  // A release whose /info/version says something else than the check expects.
  const fs::path config = harness().dir() / "failing.toml";
  std::string text = read_file(repo_root() / "lambdeploy.toml");
  text.replace(text.find("contains = \"{version}\""), 22, "contains = \"never-there\"");
  std::ofstream(config) << text;
  CliRun run = harness().cli({"--config", config.string(), "--json", "deploy", "--stage", "dev",
                              "--package", v2_.string(), "--canary", "10"});
  EXPECT_EQ(run.exit_code, 1) << run.both();
  EXPECT_EQ(run.json()["rolled_back"], true);
  EXPECT_NE(run.err.find("never-there"), std::string::npos) << run.err;
  EXPECT_EQ(live(), json({{"version", "1"}, {"weights", json::object()}}));
}

TEST_F(Traffic, PruningKeepsTheNewestAndEveryVersionAnAliasUses) {
  const fs::path config = harness().dir() / "keep2.toml";
  std::string text = read_file(repo_root() / "lambdeploy.toml");
  text.replace(text.find("keep_versions = 10"), 18, "keep_versions = 2");
  std::ofstream(config) << text;
  ASSERT_EQ(deploy_with(config, v1_).exit_code, 0);
  ASSERT_EQ(deploy_with(config, v2_).exit_code, 0);
  // An alias of the user's on version 1 keeps it.
  harness().clients().lambda.create_alias(
      {{"FunctionName", kFunction}, {"Name", "pinned"}, {"FunctionVersion", "1"}});
  const fs::path v4 = zip_with_version(v1_, harness().dir() / "v4" / "github-digest.zip", "v0.1.3");
  ASSERT_EQ(deploy_with(config, v3_).exit_code, 0);
  CliRun last = deploy_with(config, v4);
  ASSERT_EQ(last.exit_code, 0) << last.both();
  std::vector<std::string> versions;
  for (const auto& item : harness().clients().lambda.list_all_versions(kFunction))
    versions.push_back(item.value("Version", ""));
  EXPECT_EQ(versions, (std::vector<std::string>{"$LATEST", "1", "3", "4"}));
  CliRun listed = harness().cli({"--json", "versions", "--stage", "dev"});
  ASSERT_EQ(listed.exit_code, 0) << listed.both();
  EXPECT_EQ(listed.json()["versions"][0]["aliases"], json({"LIVE"}));
  EXPECT_EQ(listed.json()["versions"].back()["aliases"], json({"pinned"}));
}

// An endpoint whose alarm periods pass in a twentieth of the time.
class TrafficWithAlarms : public Traffic {
 protected:
  DeployHarness& harness() override { return fast_alarms_; }
  DeployHarness fast_alarms_{std::chrono::milliseconds(30), 0.05};
};

TEST_F(TrafficWithAlarms, ABakeThatTripsAnAlarmRollsBackAndSaysWhy) {
  // An alarm every invocation through LIVE trips (a 60 s period is 3 s here, so the bake's URL
  // checks, a second apart, keep it in ALARM): the bake must see it and roll back.
  const fs::path config = harness().dir() / "alarm.toml";
  std::string text = read_file(repo_root() / "lambdeploy.toml");
  text += R"(
[[alarms]]
name = "any-invocation"
metric = "Invocations"
statistic = "Sum"
period_s = 60
evaluation_periods = 1
threshold = 1
)";
  std::ofstream(config) << text;
  ASSERT_EQ(deploy_with(config, v1_).exit_code, 0);
  CliRun baked = deploy_with(config, v2_, {"--canary", "50", "--bake", "20s"});
  EXPECT_EQ(baked.exit_code, 1) << baked.both();
  EXPECT_EQ(baked.json()["rolled_back"], true) << baked.out;
  EXPECT_NE(baked.err.find("any-invocation"), std::string::npos) << baked.err;
  EXPECT_EQ(live(), json({{"version", "1"}, {"weights", json::object()}}));
}

TEST_F(Traffic, TheUrlSplitsACanarysRequestsByItsWeight) {
  ASSERT_EQ(deploy(v1_).exit_code, 0);
  ASSERT_EQ(deploy(v2_, {"--canary", "10"}).exit_code, 0);
  const auto clients = harness().clients();
  const auto key =
      clients.ssm.get_parameter_value("/mgraph_ai_service_github_digest/dev/api-key", true);
  const std::string url =
      clients.lambda.find_function_url_config(kFunction, "LIVE")->value("FunctionUrl", "");
  // 400 requests at 10%: the canary's count is binomial (mean 40, standard deviation 6); the
  // bound is more than four deviations wide on each side.
  int canary = 0;
  int primary = 0;
  for (int i = 0; i < 400; ++i) {
    const UrlAnswer answer = get_url(url, "/info/version", "x-api-key", *key);
    const std::string release = json::parse(answer.body, nullptr, false).value("version", "");
    if (release == "v0.1.1") ++canary;
    if (release == "v0.1.0") ++primary;
  }
  EXPECT_EQ(canary + primary, 400);
  EXPECT_GE(canary, 15);
  EXPECT_LE(canary, 70);
}

TEST_F(Traffic, ProvisionedConcurrencyIsPutOnLiveAndRemovedWithTheSetting) {
  const fs::path config = harness().dir() / "provisioned.toml";
  std::string text = read_file(repo_root() / "lambdeploy.toml");
  text.replace(text.find("[stages.dev]"), 12, "[stages.dev]\nprovisioned_concurrency = 2");
  std::ofstream(config) << text;
  CliRun deployed = deploy_with(config, v1_);
  ASSERT_EQ(deployed.exit_code, 0) << deployed.both();
  const auto provisioned =
      harness().clients().lambda.find_provisioned_concurrency_config(kFunction, "LIVE");
  ASSERT_TRUE(provisioned.has_value());
  EXPECT_EQ(provisioned->value("Status", ""), "READY");
  EXPECT_EQ(provisioned->value("RequestedProvisionedConcurrentExecutions", 0), 2);
  CliRun status =
      harness().cli({"--config", config.string(), "--json", "status", "--stage", "dev"});
  EXPECT_EQ(status.json()["provisioned_concurrency"]["requested"], 2) << status.out;
  // The same package without the setting: the config goes, nothing else changes.
  CliRun removed = deploy(v1_);
  ASSERT_EQ(removed.exit_code, 0) << removed.both();
  ASSERT_EQ(removed.json()["plan"].size(), 1u) << removed.out;
  EXPECT_EQ(removed.json()["plan"][0]["action"], "delete-provisioned-concurrency");
  EXPECT_FALSE(harness().clients().lambda.find_provisioned_concurrency_config(kFunction, "LIVE"));
}

}  // namespace
}  // namespace ld::test
