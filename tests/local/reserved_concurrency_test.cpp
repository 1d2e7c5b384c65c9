// Reserved concurrency (PutFunctionConcurrency) is a limit the executor keeps, as Lambda does:
// 0 throttles every invocation, through Invoke and the Function URL alike, N lets N run at once
// and throttles the next, and DeleteFunctionConcurrency lifts it.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "aws/error.hpp"
#include "aws/services/lambda.hpp"
#include "core/transport.hpp"
#include "local/endpoint.hpp"
#include "local_client.hpp"
#include "support/loopback_endpoint.hpp"
#include "support/script_function.hpp"
#include "support/temp_dir.hpp"
#include "tutorial_runtime.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

// Answers {"ok":true}, after a second when the event says "slow".
const std::string kWorker = test::tutorial_bootstrap("", R"SH(
  case "$EVENT" in *slow*) sleep 1 ;; esac
  respond '{"ok":true}')SH");

class ReservedConcurrency : public ::testing::Test {
 protected:
  void SetUp() override {
    endpoint_ = std::make_unique<Endpoint>(test::loopback_endpoint_options(dir_.path() / "data"));
    endpoint_->start();
    test::create_script_function(lambda(), dir_.path(), "worker", kWorker);
  }
  aws::LambdaClient lambda() const { return aws::LambdaClient(test::client_config(url())); }
  std::string url() const { return endpoint_->url(); }

  // The error code an invocation of `event` gets ("" when it runs).
  std::string invoke_error(const std::string& event) const {
    try {
      lambda().invoke({{"FunctionName", "worker"}}, event);
    } catch (const aws::AwsError& e) {
      return e.code();
    }
    return "";
  }

  ld::test::TempDir dir_;
  std::unique_ptr<Endpoint> endpoint_;
};

TEST_F(ReservedConcurrency, ZeroThrottlesInvokeAndTheFunctionUrlUntilDeleted) {
  const std::string function_url = test::public_function_url(lambda(), "worker");
  lambda().put_function_concurrency(
      {{"FunctionName", "worker"}, {"ReservedConcurrentExecutions", 0}});
  EXPECT_EQ(invoke_error("{}"), "TooManyRequestsException");

  HttpRequest get;
  get.scheme = "http";
  get.host = "127.0.0.1";
  get.port = endpoint_->port();
  get.path = "/";
  get.headers.set("Host",
                  test::function_url_host(function_url) + ":" + std::to_string(endpoint_->port()));
  const HttpResponse throttled = make_socket_transport()->send(get);
  EXPECT_EQ(throttled.status, 429) << throttled.body;

  lambda().delete_function_concurrency({{"FunctionName", "worker"}});
  EXPECT_EQ(invoke_error("{}"), "");
  EXPECT_EQ(make_socket_transport()->send(get).status, 200);
}

TEST_F(ReservedConcurrency, OneLetsOneRunAndThrottlesTheSecond) {
  lambda().put_function_concurrency(
      {{"FunctionName", "worker"}, {"ReservedConcurrentExecutions", 1}});
  EXPECT_EQ(invoke_error("{}"), "");  // warm, and free again
  std::vector<std::future<std::string>> calls;
  for (int i = 0; i < 3; ++i)
    calls.push_back(std::async(std::launch::async, [this] { return invoke_error("slow"); }));
  int ran = 0, throttled = 0;
  for (auto& call : calls) {
    const std::string code = call.get();
    if (code.empty()) ++ran;
    if (code == "TooManyRequestsException") ++throttled;
  }
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(throttled, 2);
}

}  // namespace
}  // namespace ld::local
