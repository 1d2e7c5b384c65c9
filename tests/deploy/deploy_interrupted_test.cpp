// A deploy killed after any step (the test switch LAMBDEPLOY_TEST_STOP_AFTER_STEP=1 makes the
// CLI SIGKILL itself right after its first step, as `kill -9` would) leaves alias LIVE on the
// version it served, and the next deploy converges: every step boundary of a first deploy and of
// an update is visited, one killed run at a time, and no version is published twice.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/strings.hpp"
#include "support/deploy_harness.hpp"

namespace ld::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* const kFunction = "mgraph_ai_service_github_digest__dev";

class DeployInterrupted : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(dist_zip("github-digest.zip")))
      GTEST_SKIP() << "dist/github-digest.zip is made by the normal build; build first";
  }

  // Runs deploy; with `stop_after` > 0 the CLI kills itself right after that step.
  CliRun deploy(const fs::path& zip, std::size_t stop_after = 0,
                const std::vector<std::string>& more = {}) {
    EnvChanges env;
    if (stop_after > 0) env["LAMBDEPLOY_TEST_STOP_AFTER_STEP"] = std::to_string(stop_after);
    std::vector<std::string> args = {"deploy", "--stage", "dev", "--package", zip.string()};
    args.insert(args.end(), more.begin(), more.end());
    return harness_.cli(args, false, env);
  }

  std::size_t planned_steps(const fs::path& zip, const std::vector<std::string>& more = {}) {
    std::vector<std::string> args = {"--json", "plan", "--stage", "dev", "--package", zip.string()};
    args.insert(args.end(), more.begin(), more.end());
    CliRun plan = harness_.cli(args);
    return plan.json()["plan"].size();
  }

  std::string live_version() {
    auto alias = harness_.clients().lambda.find_alias(kFunction, "LIVE");
    return alias ? alias->value("FunctionVersion", "") : "";
  }

  std::size_t published_versions() {
    std::size_t count = 0;
    for (const auto& version : harness_.clients().lambda.list_all_versions(kFunction))
      if (version.value("Version", "") != "$LATEST") ++count;
    return count;
  }

  // What /info/version answers through LIVE's URL with the stage's key.
  std::string served_release() {
    const auto clients = harness_.clients();
    const auto key =
        clients.ssm.get_parameter_value("/mgraph_ai_service_github_digest/dev/api-key", true);
    const auto url = clients.lambda.find_function_url_config(kFunction, "LIVE");
    if (!key || !url) return "";
    const UrlAnswer answer =
        get_url(url->value("FunctionUrl", ""), "/info/version", "x-api-key", *key);
    if (answer.status != 200) return "status " + std::to_string(answer.status);
    return json::parse(answer.body, nullptr, false).value("version", "");
  }

  // Deploys `zip` one killed step at a time until a run finishes; checks `after_each` after
  // every killed run and returns how many runs were killed. A run is killed after its first
  // step; when that step changed nothing (the invoke check), the next run goes one step further,
  // so every boundary between two steps is visited once.
  template <typename Check>
  std::size_t deploy_step_by_step(const fs::path& zip, Check after_each,
                                  const std::vector<std::string>& more = {}) {
    std::size_t steps = planned_steps(zip, more);
    EXPECT_GT(steps, 0u);
    std::size_t killed = 0;
    std::size_t stop_after = 1;
    const std::size_t most_runs = 2 * steps + 4;
    for (std::size_t run_number = 0; run_number < most_runs; ++run_number) {
      CliRun run = deploy(zip, stop_after, more);
      if (!run.killed) {
        EXPECT_EQ(run.exit_code, 0) << run.both();
        return killed;
      }
      ++killed;
      after_each(killed);
      const std::size_t left = planned_steps(zip, more);
      stop_after = left < steps ? 1 : stop_after + 1;
      steps = left;
    }
    ADD_FAILURE() << "the deploy did not converge";
    return killed;
  }

  DeployHarness harness_;
};

TEST_F(DeployInterrupted, AFirstDeployKilledAfterEveryStepConverges) {
  const fs::path zip = dist_zip("github-digest.zip");
  const std::size_t steps = planned_steps(zip);
  const std::size_t killed = deploy_step_by_step(zip, [&](std::size_t) {
    // LIVE appears only once it points at a checked version, and then serves it.
    const std::string live = live_version();
    if (!live.empty()) {
      EXPECT_EQ(live, "1");
    }
  });
  // Every step ran in a run of its own; the last killed run may have been the last step.
  EXPECT_GE(killed, steps - 1);
  EXPECT_EQ(live_version(), "1");
  EXPECT_EQ(published_versions(), 1u);
  EXPECT_EQ(served_release(), "v0.1.0");
  CliRun again = deploy(zip);
  EXPECT_EQ(again.exit_code, 0) << again.both();
  EXPECT_NE(again.out.find("up to date"), std::string::npos) << again.out;
}

TEST_F(DeployInterrupted, AnUpdateKilledAfterEveryStepKeepsServingTheOldVersion) {
  const fs::path v1 = dist_zip("github-digest.zip");
  ASSERT_EQ(deploy(v1).exit_code, 0);
  ASSERT_EQ(served_release(), "v0.1.0");
  const fs::path v2 = zip_with_version(v1, harness_.dir() / "v2" / "github-digest.zip", "v0.1.1");

  bool moved = false;
  const std::size_t killed = deploy_step_by_step(v2, [&](std::size_t) {
    const std::string live = live_version();
    if (!moved && live == "2") moved = true;  // the step just done was LIVE's move
    if (moved) {
      EXPECT_EQ(live, "2");
      EXPECT_EQ(served_release(), "v0.1.1");
    } else {
      EXPECT_EQ(live, "1");
      EXPECT_EQ(served_release(), "v0.1.0") << "LIVE must serve the old release until it moves";
    }
  });
  EXPECT_GE(killed, 4u);  // upload, update code, publish, check at least
  EXPECT_EQ(live_version(), "2");
  EXPECT_EQ(published_versions(), 2u) << "a rerun must not publish the same code again";
  EXPECT_EQ(served_release(), "v0.1.1");
  CliRun again = deploy(v2);
  EXPECT_NE(again.out.find("up to date"), std::string::npos) << again.both();
}

TEST_F(DeployInterrupted, ACanaryKilledAfterEveryStepNeverMovesThePrimary) {
  const fs::path v1 = dist_zip("github-digest.zip");
  ASSERT_EQ(deploy(v1).exit_code, 0);
  const fs::path v2 = zip_with_version(v1, harness_.dir() / "v2" / "github-digest.zip", "v0.1.1");
  const std::vector<std::string> canary = {"--canary", "10"};
  const std::size_t killed = deploy_step_by_step(
      v2,
      [&](std::size_t) {
        EXPECT_EQ(live_version(), "1") << "the primary stays on the old version through a canary";
      },
      canary);
  EXPECT_GE(killed, 4u);
  const auto alias = harness_.clients().lambda.find_alias(kFunction, "LIVE");
  EXPECT_EQ(alias->value("FunctionVersion", ""), "1");
  EXPECT_EQ(alias->at("RoutingConfig").at("AdditionalVersionWeights"), json({{"2", 0.1}}));
  EXPECT_EQ(published_versions(), 2u);
  EXPECT_NE(deploy(v2, 0, canary).out.find("up to date"), std::string::npos);
}

// Ctrl-C during a deploy: it stops between two calls, says where LIVE is and how to finish,
// exits 130, and the next deploy finishes the job.
TEST(DeployCancelled, CtrlCStopsBetweenCallsAndTheNextDeployFinishes) {
  if (!fs::exists(dist_zip("github-digest.zip")))
    GTEST_SKIP() << "dist/github-digest.zip is made by the normal build; build first";
  // The function stays Pending for 2 s after it is created: the interrupt lands in that wait.
  // One SIGINT, as a terminal's Ctrl-C sends (`timeout` without --foreground signals the CLI
  // and then its process group: a second signal, which ends the CLI at once).
  DeployHarness harness(std::chrono::milliseconds(2000));
  const std::vector<std::string> deploy = {"deploy", "--stage", "dev", "--package",
                                           dist_zip("github-digest.zip").string()};
  CliRun stopped = harness.cli_through(
      {"timeout", "--foreground", "--preserve-status", "-s", "INT", "0.8"}, deploy);
  EXPECT_EQ(stopped.exit_code, 130) << stopped.both();
  EXPECT_NE(stopped.err.find("cancelled"), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.err.find("LIVE does not exist yet"), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.err.find("again finishes the job"), std::string::npos) << stopped.err;
  EXPECT_FALSE(harness.clients().lambda.find_alias(kFunction, "LIVE").has_value());
  CliRun finished = harness.cli(deploy);
  EXPECT_EQ(finished.exit_code, 0) << finished.both();
  EXPECT_TRUE(harness.clients().lambda.find_alias(kFunction, "LIVE").has_value());
}

}  // namespace
}  // namespace ld::test
