// The operations commands end to end against the local endpoint, each checked against what AWS
// shows: logs (a filter, and a follow that sees a new invocation and ends cleanly on Ctrl-C),
// delete (nothing named after the stage left in any service, and a rerun finishing the job),
// upload-deps alone, and the deployer policy iam-policy prints.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "support/deploy_harness.hpp"

namespace ld::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class Operations : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(dist_zip("github-digest.zip")) || !fs::exists(dist_zip("hello.zip")))
      GTEST_SKIP() << "dist/github-digest.zip and dist/hello.zip are made by the normal build";
  }
  CliRun hello(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", "examples/hello/lambdeploy.toml"});
    return harness_.cli(args);
  }
  DeployHarness harness_;
};

TEST_F(Operations, LogsFilterAndFollowANewInvocation) {
  ASSERT_EQ(
      harness_
          .cli({"deploy", "--stage", "dev", "--package", dist_zip("github-digest.zip").string()})
          .exit_code,
      0);
  for (int i = 0; i < 3; ++i) harness_.cli({"invoke", "--stage", "dev"});
  CliRun reports =
      harness_.cli({"--json", "logs", "--stage", "dev", "--since", "10m", "--filter", "REPORT"});
  ASSERT_EQ(reports.exit_code, 0) << reports.both();
  const json events = reports.json()["events"];
  EXPECT_GE(events.size(), 4u);  // the deploy's invoke check, its smoke requests, three invokes
  for (const auto& event : events)
    EXPECT_NE(event.value("message", "").find("REPORT"), std::string::npos) << event.dump();

  // Follow for 3 s; an invocation 1 s in must show up, and Ctrl-C ends it with exit 0.
  auto invoked = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    return harness_.clients()
        .lambda
        .invoke({{"FunctionName", "mgraph_ai_service_github_digest__dev"}, {"Qualifier", "LIVE"}},
                "{}")
        .request_id;
  });
  CliRun followed =
      harness_.cli_through({"timeout", "--foreground", "--preserve-status", "-s", "INT", "3"},
                           {"logs", "--stage", "dev", "--since", "1s", "--follow"});
  const std::string request_id = invoked.get();
  EXPECT_EQ(followed.exit_code, 0) << followed.both();
  EXPECT_NE(followed.out.find("START RequestId: " + request_id), std::string::npos)
      << "request " << request_id << "\n"
      << followed.out;
}

TEST_F(Operations, DeleteLeavesNothingNamedAfterTheStage) {
  ASSERT_EQ(
      hello({"deploy", "--stage", "dev", "--package", dist_zip("hello.zip").string()}).exit_code,
      0);
  CliRun deleted = hello({"--json", "delete", "--stage", "dev", "--purge"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.both();
  const deploy::Clients clients = harness_.clients();
  const std::string function = "lambdeploy_hello__dev";
  EXPECT_FALSE(clients.lambda.find_function(function));
  EXPECT_TRUE(clients.lambda.list_all_layer_versions(function + "--runtime-libs").empty());
  EXPECT_FALSE(clients.iam.find_role(function + "-role"));
  EXPECT_TRUE(clients.logs.describe_all_log_groups("/aws/lambda/" + function).empty());
  EXPECT_TRUE(clients.cloudwatch.describe_all_alarms({{"AlarmNamePrefix", function}})
                  .value("MetricAlarms", json::array())
                  .empty());
  const std::string bucket = "000000000000--lambdeploy--us-east-1";
  EXPECT_TRUE(clients.s3.list_all_objects(bucket, "lambda-code/" + function + "/")
                  .value("Contents", json::array())
                  .empty());
  EXPECT_TRUE(clients.s3.list_all_objects(bucket, "lambda-dependencies/dev/")
                  .value("Contents", json::array())
                  .empty());
  EXPECT_FALSE(clients.ssm.get_parameter_value("/lambdeploy-hello/dev/api-key"));
  // Run again: everything is already gone, and it says so.
  CliRun again = hello({"--json", "delete", "--stage", "dev", "--purge"});
  ASSERT_EQ(again.exit_code, 0) << again.both();
  for (const auto& removal : again.json()["removed"]) EXPECT_EQ(removal["removed"], false);
}

TEST_F(Operations, DeleteWithoutPurgeKeepsObjectsAndAProtectedStageNeedsYes) {
  ASSERT_EQ(
      hello({"deploy", "--stage", "prod", "--yes", "--package", dist_zip("hello.zip").string()})
          .exit_code,
      0);
  CliRun refused = hello({"delete", "--stage", "prod"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("--yes"), std::string::npos) << refused.err;
  EXPECT_TRUE(harness_.clients().lambda.find_function("lambdeploy_hello__prod"));
  ASSERT_EQ(hello({"delete", "--stage", "prod", "--yes"}).exit_code, 0);
  EXPECT_FALSE(harness_.clients().lambda.find_function("lambdeploy_hello__prod"));
  EXPECT_FALSE(harness_.clients()
                   .s3.list_all_objects("000000000000--lambdeploy--us-east-1", "lambda-code/")
                   .value("Contents", json::array())
                   .empty());
}

TEST_F(Operations, UploadDepsAloneThenUpToDate) {
  CliRun uploaded = hello(
      {"--json", "upload-deps", "--stage", "qa", "--package", dist_zip("hello.zip").string()});
  ASSERT_EQ(uploaded.exit_code, 0) << uploaded.both();
  const deploy::Clients clients = harness_.clients();
  EXPECT_EQ(clients.lambda.list_all_layer_versions("lambdeploy_hello__qa--runtime-libs").size(),
            1u);
  EXPECT_FALSE(clients.lambda.find_function("lambdeploy_hello__qa")) << "only the dependency step";
  CliRun again = hello(
      {"--json", "upload-deps", "--stage", "qa", "--package", dist_zip("hello.zip").string()});
  EXPECT_EQ(again.json()["up_to_date"], true) << again.both();
}

TEST_F(Operations, IamPolicyScopesEveryWriteToTheStage) {
  CliRun printed =
      harness_.cli({"--json", "iam-policy", "--stage", "qa", "--github-repo", "me/digest"});
  ASSERT_EQ(printed.exit_code, 0) << printed.both();
  const json policy = printed.json()["policy"];
  for (const auto& statement : policy["Statement"]) {
    const json resources = statement["Resource"].is_array() ? statement["Resource"]
                                                            : json::array({statement["Resource"]});
    for (const auto& resource : resources) {
      const std::string text = resource.get<std::string>();
      if (text == "*" || text.ends_with("log-group:*")) {
        for (const auto& action : statement["Action"]) {
          const std::string name = action.get<std::string>();
          EXPECT_TRUE(name.find(":Get") != std::string::npos ||
                      name.find(":Describe") != std::string::npos)
              << "a write on every resource: " << name;
        }
        continue;
      }
      EXPECT_TRUE(text.find("__qa") != std::string::npos ||
                  text.find("/qa/") != std::string::npos ||
                  text.find("--lambdeploy--") != std::string::npos)
          << "not the stage's: " << text;
    }
  }
  EXPECT_EQ(printed.json()["trust_policy"]["Statement"][0]["Condition"]["StringLike"]
                          ["token.actions.githubusercontent.com:sub"],
            "repo:me/digest:*");
}

}  // namespace
}  // namespace ld::test
