// The per-stage deployment tests against real AWS: they run only when LAMBDEPLOY_LIVE_AWS=1 and
// the SDKs' chain finds credentials and a region (as in CI with OIDC); otherwise each says why
// it skipped. They deploy the example `hello` (with its dependency layer) and the GitHub Digest
// service through the CLI, exactly as a user would, then check each stage as the local tests do.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "aws/services/sts.hpp"
#include "aws/session.hpp"
#include "core/files.hpp"
#include "core/process.hpp"
#include "core/strings.hpp"
#include "deploy/stage.hpp"
#include "support/deploy_harness.hpp"

namespace ld::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The caller's account on real AWS, or the reason the test cannot run.
std::optional<std::string> live_account(std::string& why) {
  const char* flag = std::getenv("LAMBDEPLOY_LIVE_AWS");
  if (flag == nullptr || std::string(flag) != "1") {
    why = "real-AWS test: set LAMBDEPLOY_LIVE_AWS=1 with AWS credentials and a region to run it";
    return std::nullopt;
  }
  try {
    aws::Session session(aws::SessionOptions{});
    aws::StsClient sts(session.client_config(aws::kSts));
    return sts.get_caller_identity().value("Account", "");
  } catch (const std::exception& e) {
    why = std::string("real-AWS test: no usable credentials or region: ") + e.what();
    return std::nullopt;
  }
}

// `lambdeploy ARGS...` against AWS, with the environment as it is plus `env`.
CliRun live_cli(const std::vector<std::string>& args, const EnvChanges& env) {
  std::vector<std::string> argv = {LAMBDEPLOY_CLI, "--no-color"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessOutcome outcome = run_process(argv, repo_root(), env);
  CliRun run;
  run.exit_code = outcome.exit_code();
  run.out = outcome.out;
  run.err = outcome.err;
  return run;
}

class LiveAwsDeploy : public ::testing::TestWithParam<std::string> {};

TEST_P(LiveAwsDeploy, HelloServesItsVersionBehindTheKeyWithItsLayer) {
  std::string why;
  const auto account = live_account(why);
  if (!account) GTEST_SKIP() << why;
  const std::string stage = GetParam();
  const EnvChanges env = {{"HELLO_API_KEY", "lambdeploy-live-test-key-" + stage}};
  const std::vector<std::string> config = {"--config", "examples/hello/lambdeploy.toml"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), config.begin(), config.end());
    return live_cli(args, env);
  };
  CliRun deployed = with(
      {"--json", "deploy", "--stage", stage, "--yes", "--package", dist_zip("hello.zip").string()});
  ASSERT_EQ(deployed.exit_code, 0) << deployed.both();
  const json report = deployed.json();
  EXPECT_FALSE(report.value("url", "").empty());

  CliRun invoked = with({"--json", "invoke", "--stage", stage});
  EXPECT_EQ(invoked.exit_code, 1) << invoked.both();
  EXPECT_EQ(invoked.json()["payload"].value("errorType", ""), "Runtime.UnsupportedEvent");

  CliRun version = with({"--json", "url", "--stage", stage, "/info/version"});
  EXPECT_EQ(version.exit_code, 0) << version.both();
  EXPECT_EQ(
      version.json()["body"],
      json({{"version", std::string(trim(read_file(repo_root() / "examples/hello/version")))}}));
  CliRun refused = with({"--json", "url", "--stage", stage, "--no-key", "/info/version"});
  EXPECT_EQ(refused.json()["status"], 401) << refused.both();

  CliRun again = with(
      {"--json", "deploy", "--stage", stage, "--yes", "--package", dist_zip("hello.zip").string()});
  EXPECT_EQ(again.json()["up_to_date"], true) << again.both();
}

TEST_P(LiveAwsDeploy, GithubDigestDeploysOrIsRefusedByTheAccountGuard) {
  std::string why;
  const auto account = live_account(why);
  if (!account) GTEST_SKIP() << why;
  const std::string stage = GetParam();
  const EnvChanges env = {{"FAST_API__AUTH__API_KEY__VALUE", "lambdeploy-live-test-key-" + stage}};
  CliRun deployed = live_cli({"--json", "deploy", "--stage", stage, "--yes", "--package",
                              dist_zip("github-digest.zip").string()},
                             env);
  if (stage == "prod" && *account != "123456789012") {
    EXPECT_EQ(deployed.exit_code, 1) << deployed.both();
    EXPECT_NE(deployed.err.find(*account), std::string::npos) << deployed.err;
    return;
  }
  ASSERT_EQ(deployed.exit_code, 0) << deployed.both();
  CliRun version = live_cli({"--json", "url", "--stage", stage, "/info/version"}, env);
  EXPECT_EQ(version.json()["body"],
            json({{"version", std::string(trim(read_file(repo_root() / "version")))}}));
}

INSTANTIATE_TEST_SUITE_P(Stages, LiveAwsDeploy, ::testing::Values("dev", "qa", "prod"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace ld::test
