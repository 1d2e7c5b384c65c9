// Provisioned concurrency on the whole local endpoint, set with the real AWS CLI: while a config
// exists its instances run, started ahead of any invocation, and serve the qualifier with no
// init (no Init Duration in REPORT); they go when the config is deleted and come back after a
// restart.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/services/lambda.hpp"
#include "core/encoding.hpp"
#include "deploy/package/zip_writer.hpp"
#include "local/endpoint.hpp"
#include "local_client.hpp"
#include "support/aws_cli.hpp"
#include "support/conformance.hpp"
#include "support/script_function.hpp"
#include "support/temp_dir.hpp"
#include "tutorial_runtime.hpp"

namespace ld::local {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Answers when its process started (ns since the epoch) and how Lambda says it was initialised.
const std::string kBootstrap = test::tutorial_bootstrap(
    "STARTED=$(date +%s%N)",
    R"SH(  respond "{\"started\":$STARTED,\"type\":\"$AWS_LAMBDA_INITIALIZATION_TYPE\",\"version\":\"$AWS_LAMBDA_FUNCTION_VERSION\"}")SH");

long long now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// True once `condition` holds, false when it still does not after `limit`.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

class ProvisionedConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ld::test::aws_cli_available()) GTEST_SKIP() << "/usr/bin/aws is not installed";
    start();
  }

  void start() {
    EndpointOptions options;
    options.server.port = 0;
    options.data_dir = dir_.path() / "data";
    options.settle_delay = 300ms;
    endpoint_ = std::make_unique<Endpoint>(options);
    endpoint_->start();
  }
  void restart() {
    endpoint_->stop();
    endpoint_.reset();
    start();
  }

  aws::LambdaClient lambda() const {
    return aws::LambdaClient(test::client_config(endpoint_->url()));
  }

  // `aws lambda ARGS...` against the endpoint; its JSON output.
  json cli(std::vector<std::string> args) const {
    args.insert(args.begin(), "lambda");
    const ld::test::AwsCliRun run = ld::test::run_aws_cli(endpoint_->url(), args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.json();
  }

  int health(const char* member) const { return endpoint_->health().value(member, -1); }

  // A function `name` running kBootstrap, Active, with version 1 and alias LIVE on it.
  void deploy(const std::string& name) {
    ld::test::create_script_function(lambda(), dir_.path(), name, kBootstrap, {{"Timeout", 10}});
    ASSERT_TRUE(eventually([&] {
      return lambda().get_function_configuration(name, "").value("State", "") == "Active";
    }));
    lambda().publish_version({{"FunctionName", name}});
    lambda().create_alias({{"FunctionName", name}, {"Name", "LIVE"}, {"FunctionVersion", "1"}});
  }

  test::TempDir dir_{"provisioned"};
  std::unique_ptr<Endpoint> endpoint_;
};

TEST_F(ProvisionedConcurrencyTest, InstancesAreWarmWhileTheConfigExists) {
  deploy("warm");
  const json put = cli({"put-provisioned-concurrency-config", "--function-name", "warm",
                        "--qualifier", "LIVE", "--provisioned-concurrent-executions", "2"});
  EXPECT_EQ(put["Status"], "IN_PROGRESS");
  EXPECT_EQ(put["RequestedProvisionedConcurrentExecutions"], 2);
  const std::vector<std::string> get = {"get-provisioned-concurrency-config", "--function-name",
                                        "warm", "--qualifier", "LIVE"};
  ASSERT_TRUE(eventually([&] { return cli(get)["Status"] == "READY"; }));
  EXPECT_EQ(cli(get)["AvailableProvisionedConcurrentExecutions"], 2);

  // Two instances run before anything is invoked.
  ASSERT_TRUE(eventually([&] { return health("provisioned_instances") == 2; }))
      << endpoint_->health().dump();
  EXPECT_EQ(health("instances"), 2);
  std::this_thread::sleep_for(200ms);  // their init (a shell and a curl) is well over by now

  const long long invoked_at = now_ns();
  for (int i = 0; i < 3; ++i) {
    const aws::Result result = lambda().invoke(
        {{"FunctionName", "warm"}, {"Qualifier", "LIVE"}, {"LogType", "Tail"}}, "{}");
    const json answer = json::parse(result.body);
    EXPECT_LT(answer["started"].get<long long>(), invoked_at) << "started for the invocation";
    EXPECT_EQ(answer["type"], "provisioned-concurrency");
    EXPECT_EQ(answer["version"], "1");
    const std::string tail = base64_decode(result.output.value("LogResult", "")).value_or("");
    EXPECT_NE(tail.find("REPORT RequestId: "), std::string::npos) << tail;
    EXPECT_EQ(tail.find("Init Duration"), std::string::npos) << tail;
  }
  EXPECT_EQ(health("instances"), 2) << "an invocation of LIVE started an instance of its own";

  // $LATEST has none: its first invocation starts one, on demand, and pays for the init.
  const aws::Result latest = lambda().invoke({{"FunctionName", "warm"}, {"LogType", "Tail"}}, "{}");
  EXPECT_EQ(json::parse(latest.body)["type"], "on-demand");
  EXPECT_NE(base64_decode(latest.output.value("LogResult", "")).value_or("").find("Init Duration"),
            std::string::npos);
  EXPECT_EQ(health("instances"), 3);
  EXPECT_EQ(health("provisioned_instances"), 2);

  // Deleted: the provisioned instances stop; the on-demand one stays warm.
  cli({"delete-provisioned-concurrency-config", "--function-name", "warm", "--qualifier", "LIVE"});
  EXPECT_TRUE(eventually([&] { return health("provisioned_instances") == 0; }));
  EXPECT_EQ(health("instances"), 1);
  const ld::test::AwsCliRun gone = ld::test::run_aws_cli(endpoint_->url(), [&] {
    std::vector<std::string> args = get;
    args.insert(args.begin(), "lambda");
    return args;
  }());
  EXPECT_EQ(gone.exit_code, 254);
  EXPECT_NE(gone.err.find("ProvisionedConcurrencyConfigNotFoundException"), std::string::npos)
      << gone.err;
}

TEST_F(ProvisionedConcurrencyTest, AKeptConfigWarmsItsInstancesAfterARestart) {
  deploy("kept");
  cli({"put-provisioned-concurrency-config", "--function-name", "kept", "--qualifier", "1",
       "--provisioned-concurrent-executions", "1"});
  ASSERT_TRUE(eventually([&] { return health("provisioned_instances") == 1; }));

  restart();
  EXPECT_TRUE(eventually([&] { return health("provisioned_instances") == 1; }))
      << endpoint_->health().dump();
  EXPECT_EQ(cli({"get-provisioned-concurrency-config", "--function-name", "kept", "--qualifier",
                 "1"})["Status"],
            "READY");

  // A dead one is started again.
  lambda().update_function_configuration({{"FunctionName", "kept"}, {"Timeout", 9}});
  EXPECT_TRUE(eventually([&] { return health("provisioned_instances") == 1; }));
  const aws::Result result =
      lambda().invoke({{"FunctionName", "kept"}, {"Qualifier", "1"}, {"LogType", "Tail"}}, "{}");
  EXPECT_EQ(json::parse(result.body)["type"], "provisioned-concurrency");

  // Deleting the function releases them.
  lambda().delete_function({{"FunctionName", "kept"}});
  EXPECT_TRUE(eventually([&] { return health("provisioned_instances") == 0; }));
}

}  // namespace
}  // namespace ld::local
