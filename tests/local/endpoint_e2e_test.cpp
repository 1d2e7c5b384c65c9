// The whole local endpoint as the deployer and a user see it, through the project's own AWS
// clients and plain HTTP: the packaged GitHub Digest deployed as a function with a Function URL
// answering with the API key, the URL refused until the policy holds both grants, a direct
// invoke of `{}` coming back as the service's function error, a canary alias splitting traffic
// by its weights, logs and metrics of the invocations, and everything still there after a
// restart on the same data dir.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "aws/error.hpp"
#include "aws/services/cloudwatch.hpp"
#include "aws/services/lambda.hpp"
#include "aws/services/logs.hpp"
#include "core/encoding.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "core/transport.hpp"
#include "deploy/package/zip_writer.hpp"
#include "local/endpoint.hpp"
#include "local_client.hpp"
#include "support/conformance.hpp"
#include "support/loopback_endpoint.hpp"
#include "support/script_function.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path dist(const std::string& name) {
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "dist" / name;
}

// A bootstrap (AWS's custom-runtime tutorial loop) answering a Function URL with its version.
const char* kVersionBootstrap = R"SH(#!/bin/sh
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  curl -sS -D "$HEADERS" "$API/invocation/next" >/dev/null
  ID=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | cut -d' ' -f2 | tr -d '\r\n')
  rm -f "$HEADERS"
  echo "serving version $AWS_LAMBDA_FUNCTION_VERSION"
  curl -sS -X POST "$API/invocation/$ID/response" \
    --data-binary "{\"statusCode\":200,\"body\":\"$AWS_LAMBDA_FUNCTION_VERSION\"}" >/dev/null
done
)SH";

class LocalEndpointEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override { start(); }

  void start() {
    endpoint_ =
        std::make_unique<Endpoint>(ld::test::loopback_endpoint_options(dir_.path() / "data"));
    endpoint_->start();
  }
  void restart() {
    endpoint_->stop();
    endpoint_.reset();
    start();
  }

  aws::ClientConfig config() const { return test::client_config(endpoint_->url()); }
  aws::LambdaClient lambda() const { return aws::LambdaClient(config()); }

  // GET {path} on the Function URL whose address is `url` ("http://{id}.lambda-url.…/").
  HttpResponse get(const std::string& url, const std::string& path,
                   const std::map<std::string, std::string>& headers = {}) const {
    const std::string host = ld::test::function_url_host(url);
    HttpRequest request;
    request.scheme = "http";
    request.host = "127.0.0.1";
    request.port = endpoint_->port();
    request.path = path;
    request.headers.set("Host", host + ":" + std::to_string(endpoint_->port()));
    for (const auto& [name, value] : headers) request.headers.set(name, value);
    return transport_->send(request);
  }

  std::string create(const std::string& name, const std::string& zip_bytes,
                     const json& environment = json::object()) const {
    json created =
        lambda().create_function({{"FunctionName", name},
                                  {"Runtime", "provided.al2023"},
                                  {"Handler", "bootstrap"},
                                  {"Role", "arn:aws:iam::000000000000:role/" + name + "-role"},
                                  {"Code", {{"ZipFile", base64_encode(zip_bytes)}}},
                                  {"Timeout", 10},
                                  {"Environment", {{"Variables", environment}}}});
    return created["FunctionArn"];
  }

  void allow_public_url(const std::string& name, const std::string& qualifier = {}) const {
    json url_grant = {{"FunctionName", name},
                      {"StatementId", "url"},
                      {"Action", "lambda:InvokeFunctionUrl"},
                      {"Principal", "*"},
                      {"FunctionUrlAuthType", "NONE"}};
    json invoke_grant = {{"FunctionName", name},
                         {"StatementId", "invoke"},
                         {"Action", "lambda:InvokeFunction"},
                         {"Principal", "*"}};
    if (!qualifier.empty()) {
      url_grant["Qualifier"] = qualifier;
      invoke_grant["Qualifier"] = qualifier;
    }
    lambda().add_permission(url_grant);
    lambda().add_permission(invoke_grant);
  }

  test::TempDir dir_{"local-e2e"};
  std::unique_ptr<Endpoint> endpoint_;
  std::shared_ptr<Transport> transport_ = make_socket_transport();
};

TEST_F(LocalEndpointEndToEnd, ThePackagedServiceAnswersThroughItsFunctionUrl) {
  if (!fs::exists(dist("github-digest.zip")))
    GTEST_SKIP() << dist("github-digest.zip") << " is not built (target package-github-digest)";
  create("digest--dev", ld::test::read_file(dist("github-digest.zip")),
         {{"FAST_API__AUTH__API_KEY__NAME", "x-api-key"},
          {"FAST_API__AUTH__API_KEY__VALUE", "dev-key"}});
  json url =
      lambda().create_function_url_config({{"FunctionName", "digest--dev"}, {"AuthType", "NONE"}});
  const std::string function_url = url["FunctionUrl"];
  EXPECT_NE(function_url.find(".lambda-url.us-east-1.localhost:"), std::string::npos)
      << function_url;

  // Without both resource-policy statements the URL is closed, as on AWS since October 2025.
  EXPECT_EQ(get(function_url, "/info/version", {{"x-api-key", "dev-key"}}).status, 403);
  lambda().add_permission({{"FunctionName", "digest--dev"},
                           {"StatementId", "url"},
                           {"Action", "lambda:InvokeFunctionUrl"},
                           {"Principal", "*"},
                           {"FunctionUrlAuthType", "NONE"}});
  EXPECT_EQ(get(function_url, "/info/version", {{"x-api-key", "dev-key"}}).status, 403);
  lambda().add_permission({{"FunctionName", "digest--dev"},
                           {"StatementId", "invoke"},
                           {"Action", "lambda:InvokeFunction"},
                           {"Principal", "*"}});

  HttpResponse version = get(function_url, "/info/version", {{"x-api-key", "dev-key"}});
  ASSERT_EQ(version.status, 200) << version.body;
  const std::string expected =
      ld::test::read_file(fs::path(__FILE__).parent_path().parent_path().parent_path() / "version");
  EXPECT_EQ(json::parse(version.body)["version"], std::string(trim(expected)));
  HttpResponse no_key = get(function_url, "/info/version");
  EXPECT_EQ(no_key.status, 401) << no_key.body;

  // A direct invoke of `{}` is the service's "not an HTTP event" function error.
  aws::Result invoked = lambda().invoke({{"FunctionName", "digest--dev"}}, "{}");
  EXPECT_EQ(invoked.output.value("FunctionError", ""), "Unhandled");
  EXPECT_EQ(json::parse(invoked.body)["errorType"], "Runtime.UnsupportedEvent");

  // Its log group holds the invocations' START / REPORT lines.
  aws::LogsClient logs(config());
  json streams = logs.describe_log_streams({{"logGroupName", "/aws/lambda/digest--dev"}});
  ASSERT_FALSE(streams["logStreams"].empty()) << streams.dump();
  json events = logs.get_log_events({{"logGroupName", "/aws/lambda/digest--dev"},
                                     {"logStreamName", streams["logStreams"][0]["logStreamName"]},
                                     {"startFromHead", true}});
  std::string all;
  for (const auto& e : events["events"]) all += e["message"].get<std::string>() + "\n";
  EXPECT_NE(all.find("START RequestId: "), std::string::npos) << all;
  EXPECT_NE(all.find("REPORT RequestId: "), std::string::npos) << all;

  // And the AWS/Lambda metrics count them.
  aws::CloudWatchClient cloudwatch(config());
  const Timestamp now = system_now();
  json stats = cloudwatch.get_metric_statistics(
      {{"Namespace", "AWS/Lambda"},
       {"MetricName", "Invocations"},
       {"Dimensions", json::array({{{"Name", "FunctionName"}, {"Value", "digest--dev"}}})},
       {"StartTime", format_iso8601(now - std::chrono::minutes(5))},
       {"EndTime", format_iso8601(now + std::chrono::minutes(1))},
       {"Period", 60},
       {"Statistics", json::array({"Sum"})}});
  double sum = 0;
  for (const auto& point : stats["Datapoints"]) sum += point["Sum"].get<double>();
  EXPECT_GE(sum, 3.0) << stats.dump();

  // After a restart on the same data dir, the function, its URL and its policy are there.
  restart();
  json url_again = lambda().get_function_url_config({{"FunctionName", "digest--dev"}});
  const std::string url_after = url_again["FunctionUrl"];
  HttpResponse after = get(url_after, "/info/version", {{"x-api-key", "dev-key"}});
  EXPECT_EQ(after.status, 200) << after.body;
}

TEST_F(LocalEndpointEndToEnd, CodeLocationDownloadsTheDeployedZip) {
  const deploy::ZipFacts facts = deploy::write_deterministic_zip(
      dir_.path() / "downloadable.zip", {{"bootstrap", kVersionBootstrap, true}});
  const std::string zip = ld::test::read_file(facts.path);
  create("downloadable", zip);
  const json function = lambda().get_function({{"FunctionName", "downloadable"}});
  const std::string location = function["Code"]["Location"];
  ASSERT_EQ(location.rfind(endpoint_->url() + "/_lambdeploy/blobs/", 0), 0u) << location;
  HttpRequest request;
  request.scheme = "http";
  request.host = "127.0.0.1";
  request.port = endpoint_->port();
  request.path = location.substr(endpoint_->url().size());
  HttpResponse response = transport_->send(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.get("Content-Type"), "application/zip");
  EXPECT_EQ(response.body, zip);
  request.path = "/_lambdeploy/blobs/" + std::string(64, '0');
  EXPECT_EQ(transport_->send(request).status, 404);
}

TEST_F(LocalEndpointEndToEnd, ACanaryAliasSplitsTrafficByItsWeights) {
  deploy::ZipFacts zip = deploy::write_deterministic_zip(dir_.path() / "version.zip",
                                                         {{"bootstrap", kVersionBootstrap, true}});
  create("canary", ld::test::read_file(zip.path), {{"STEP", "1"}});
  json v1 = lambda().publish_version({{"FunctionName", "canary"}});
  lambda().update_function_configuration(
      {{"FunctionName", "canary"}, {"Environment", {{"Variables", {{"STEP", "2"}}}}}});
  json v2 = lambda().publish_version({{"FunctionName", "canary"}});
  ASSERT_NE(v1["Version"], v2["Version"]);
  lambda().create_alias(
      {{"FunctionName", "canary"},
       {"Name", "LIVE"},
       {"FunctionVersion", v1["Version"]},
       {"RoutingConfig", {{"AdditionalVersionWeights", {{v2["Version"], 0.3}}}}}});
  json url = lambda().create_function_url_config(
      {{"FunctionName", "canary"}, {"Qualifier", "LIVE"}, {"AuthType", "NONE"}});
  allow_public_url("canary", "LIVE");

  std::map<std::string, int> served;
  const int calls = 120;
  for (int i = 0; i < calls; ++i) {
    HttpResponse response = get(url["FunctionUrl"], "/");
    ASSERT_EQ(response.status, 200) << response.body;
    ++served[response.body];
  }
  const int canary = served[v2["Version"].get<std::string>()];
  // 30% of 120: a binomial with mean 36 and sd ~5; 4 sd either side.
  EXPECT_GT(canary, 16) << canary;
  EXPECT_LT(canary, 56) << canary;
  EXPECT_EQ(served[v1["Version"].get<std::string>()] + canary, calls);
}

}  // namespace
}  // namespace ld::local
