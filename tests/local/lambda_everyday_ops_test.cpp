// Lambda's everyday operations on the local endpoint (issue 12), driven through the project's
// own LambdaClient over a loopback socket: ListFunctions, tags, the code signing config, reserved
// concurrency, ListProvisionedConcurrencyConfigs, GetAccountSettings, ListFunctionUrlConfigs.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "aws/credentials_chain.hpp"
#include "aws/error.hpp"
#include "aws/services/lambda.hpp"
#include "core/encoding.hpp"
#include "local/front_end.hpp"
#include "local/key_ring.hpp"
#include "local/server.hpp"
#include "local/services/lambda.hpp"
#include "local/state.hpp"
#include "local_client.hpp"
#include "support/aws_error_of.hpp"
#include "support/served_lambda.hpp"
#include "support/stored_zip.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

const std::string kRole = "arn:aws:iam::000000000000:role/lambda-role";
const std::string kArn = "arn:aws:lambda:us-east-1:000000000000:function:";

using ld::test::bootstrap_zip;

using ld::test::error_of;

// One endpoint (front end + Lambda with no executor + listener) and a client pointed at it.
class LambdaEverydayOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LambdaOptions options;
    options.settle_delay = std::chrono::milliseconds(0);
    served_ =
        std::make_unique<test::ServedLambda>(State::open(dir_.path() / "data"), nullptr, options);
    aws::ClientConfig config = ld::test::client_config(served_->url());
    client_ = std::make_unique<aws::LambdaClient>(config);
  }
  void TearDown() override {
    client_.reset();
    served_.reset();
  }

  const aws::LambdaClient& lambda() { return *client_; }

  json create(const std::string& name, json extra = json::object()) {
    json input = {{"FunctionName", name},
                  {"Runtime", "provided.al2023"},
                  {"Handler", "bootstrap"},
                  {"Role", kRole},
                  {"Code", {{"ZipFile", base64_encode(zip_)}}}};
    input.update(extra);
    return lambda().create_function(input);
  }

  test::TempDir dir_{"lambda-everyday"};
  std::unique_ptr<test::ServedLambda> served_;
  std::unique_ptr<aws::LambdaClient> client_;
  std::string zip_ = bootstrap_zip();
};

std::vector<std::string> names_of(const json& functions, const char* member = "FunctionArn") {
  std::vector<std::string> names;
  for (const auto& function : functions) names.push_back(function.at(member));
  return names;
}

TEST_F(LambdaEverydayOpsTest, ListFunctionsPagesByMarkerAndListsVersionsWithAll) {
  EXPECT_EQ(lambda().list_functions(json::object()), json({{"Functions", json::array()}}));
  create("charlie");
  create("alpha", {{"Publish", true}});
  create("bravo");

  const json all = lambda().list_functions(json::object());
  EXPECT_FALSE(all.contains("NextMarker"));
  EXPECT_EQ(names_of(all["Functions"]),
            (std::vector<std::string>{kArn + "alpha", kArn + "bravo", kArn + "charlie"}));
  const json& first = all["Functions"][0];
  EXPECT_EQ(first["FunctionName"], "alpha");
  EXPECT_EQ(first["Version"], "$LATEST");
  EXPECT_EQ(first["Runtime"], "provided.al2023");
  EXPECT_EQ(first["CodeSize"], zip_.size());
  // As on AWS, list items carry no State or LastUpdateStatus.
  EXPECT_FALSE(first.contains("State"));
  EXPECT_FALSE(first.contains("LastUpdateStatus"));

  // One function a page, following NextMarker, gives the same list.
  const json pages = lambda().list_all_functions();
  EXPECT_EQ(pages, all["Functions"]);
  const json page = lambda().list_functions({{"MaxItems", 2}});
  EXPECT_EQ(page["Functions"].size(), 2u);
  ASSERT_TRUE(page.contains("NextMarker"));
  const json rest = lambda().list_functions({{"Marker", page["NextMarker"]}});
  EXPECT_EQ(names_of(rest["Functions"]), (std::vector<std::string>{kArn + "charlie"}));

  // ALL: each function's $LATEST, then its published versions.
  const json versions = lambda().list_all_functions("ALL");
  EXPECT_EQ(names_of(versions),
            (std::vector<std::string>{kArn + "alpha:$LATEST", kArn + "alpha:1",
                                      kArn + "bravo:$LATEST", kArn + "charlie:$LATEST"}));
  EXPECT_EQ(versions[1]["Version"], "1");

  const aws::AwsError bad = error_of([&] { lambda().list_functions({{"MaxItems", 0}}); });
  EXPECT_EQ(bad.code(), "ValidationException");
  EXPECT_EQ(bad.http_status(), 400);
  const aws::AwsError version = error_of([&] {
    lambda().list_functions({{"FunctionVersion", "LATEST"}});
  });
  EXPECT_EQ(version.code(), "ValidationException");
  const aws::AwsError marker = error_of([&] { lambda().list_functions({{"Marker", "zzz"}}); });
  EXPECT_EQ(marker.code(), "InvalidParameterValueException");
}

TEST_F(LambdaEverydayOpsTest, TagsFromCreateTagUntagAndGetFunction) {
  create("tagged", {{"Tags", {{"team", "core"}, {"stage", "dev"}}}});
  const std::string arn = kArn + "tagged";
  EXPECT_EQ(lambda().list_tags({{"Resource", arn}}),
            json({{"Tags", {{"team", "core"}, {"stage", "dev"}}}}));
  EXPECT_EQ(lambda().get_function({{"FunctionName", "tagged"}})["Tags"],
            json({{"team", "core"}, {"stage", "dev"}}));

  lambda().tag_resource({{"Resource", arn}, {"Tags", {{"stage", "qa"}, {"owner", "me"}}}});
  EXPECT_EQ(lambda().list_tags({{"Resource", arn}})["Tags"],
            json({{"team", "core"}, {"stage", "qa"}, {"owner", "me"}}));
  // Several keys (the query key repeated), one unknown: the known ones go.
  lambda().untag_resource({{"Resource", arn}, {"TagKeys", {"team", "owner", "nope"}}});
  EXPECT_EQ(lambda().list_tags({{"Resource", arn}})["Tags"], json({{"stage", "qa"}}));
  lambda().untag_resource({{"Resource", arn}, {"TagKeys", {"stage"}}});
  EXPECT_EQ(lambda().list_tags({{"Resource", arn}}), json({{"Tags", json::object()}}));
  EXPECT_FALSE(lambda().get_function({{"FunctionName", "tagged"}}).contains("Tags"));

  const aws::AwsError missing = error_of([&] {
    lambda().list_tags({{"Resource", kArn + "nope"}});
  });
  EXPECT_EQ(missing.code(), "ResourceNotFoundException");
  EXPECT_EQ(missing.http_status(), 404);
  EXPECT_EQ(missing.message(), "Function not found: " + kArn + "nope");
  const aws::AwsError alias = error_of([&] {
    lambda().tag_resource({{"Resource", arn + ":LIVE"}, {"Tags", {{"a", "b"}}}});
  });
  EXPECT_EQ(alias.code(), "InvalidParameterValueException");
  EXPECT_EQ(alias.message(),
            "Tags on function aliases and versions are not supported. Please specify a function "
            "ARN.");
  const aws::AwsError invalid = error_of([&] {
    lambda().list_tags({{"Resource", "arn:aws:lambda:us-east-1:000000000000:foo:x"}});
  });
  EXPECT_EQ(invalid.code(), "ValidationException");
  EXPECT_EQ(invalid.http_status(), 400);

  // A deleted function's tags go with it.
  lambda().tag_resource({{"Resource", arn}, {"Tags", {{"a", "b"}}}});
  lambda().delete_function({{"FunctionName", "tagged"}});
  create("tagged");
  EXPECT_EQ(lambda().list_tags({{"Resource", arn}})["Tags"], json::object());
}

TEST_F(LambdaEverydayOpsTest, CodeSigningConfigIsEmpty) {
  create("signed");
  EXPECT_EQ(lambda().get_function_code_signing_config({{"FunctionName", kArn + "signed"}}),
            json({{"CodeSigningConfigArn", ""}, {"FunctionName", "signed"}}));
  const aws::AwsError missing = error_of([&] {
    lambda().get_function_code_signing_config({{"FunctionName", "nope"}});
  });
  EXPECT_EQ(missing.code(), "ResourceNotFoundException");
  EXPECT_EQ(missing.message(), "Function not found: " + kArn + "nope");
}

TEST_F(LambdaEverydayOpsTest, ReservedConcurrencyLifecycle) {
  create("reserved");
  EXPECT_EQ(lambda().get_function_concurrency({{"FunctionName", "reserved"}}), json::object());
  EXPECT_FALSE(lambda().get_function({{"FunctionName", "reserved"}}).contains("Concurrency"));
  EXPECT_EQ(lambda().put_function_concurrency(
                {{"FunctionName", "reserved"}, {"ReservedConcurrentExecutions", 0}}),
            json({{"ReservedConcurrentExecutions", 0}}));
  EXPECT_EQ(lambda().put_function_concurrency(
                {{"FunctionName", "reserved"}, {"ReservedConcurrentExecutions", 5}}),
            json({{"ReservedConcurrentExecutions", 5}}));
  EXPECT_EQ(lambda().get_function_concurrency({{"FunctionName", "reserved"}}),
            json({{"ReservedConcurrentExecutions", 5}}));
  EXPECT_EQ(lambda().get_function({{"FunctionName", "reserved"}})["Concurrency"],
            json({{"ReservedConcurrentExecutions", 5}}));
  EXPECT_EQ(lambda().get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"], 995);
  lambda().delete_function_concurrency({{"FunctionName", "reserved"}});
  EXPECT_EQ(lambda().get_function_concurrency({{"FunctionName", "reserved"}}), json::object());

  const aws::AwsError missing = error_of([&] {
    lambda().put_function_concurrency(
        {{"FunctionName", "nope"}, {"ReservedConcurrentExecutions", 1}});
  });
  EXPECT_EQ(missing.code(), "ResourceNotFoundException");
  EXPECT_EQ(missing.http_status(), 404);
  const aws::AwsError qualified = error_of([&] {
    lambda().put_function_concurrency(
        {{"FunctionName", kArn + "reserved:1"}, {"ReservedConcurrentExecutions", 1}});
  });
  EXPECT_EQ(qualified.code(), "InvalidParameterValueException");
  EXPECT_EQ(qualified.message(),
            "This operation is permitted on Lambda functions only. Aliases and versions do not "
            "support this operation. Please specify either a function name or an unqualified "
            "function ARN.");
  const aws::AwsError too_many = error_of([&] {
    lambda().put_function_concurrency(
        {{"FunctionName", "reserved"}, {"ReservedConcurrentExecutions", 901}});
  });
  EXPECT_EQ(too_many.code(), "InvalidParameterValueException");
  EXPECT_EQ(too_many.message(),
            "Specified ReservedConcurrentExecutions for function decreases account's "
            "UnreservedConcurrentExecution below its minimum value of [100].");
}

TEST_F(LambdaEverydayOpsTest, ListProvisionedConcurrencyConfigs) {
  create("warm", {{"Publish", true}});
  lambda().update_function_configuration({{"FunctionName", "warm"}, {"Timeout", 9}});
  lambda().publish_version({{"FunctionName", "warm"}});
  lambda().create_alias({{"FunctionName", "warm"}, {"Name", "LIVE"}, {"FunctionVersion", "2"}});
  EXPECT_EQ(lambda().list_provisioned_concurrency_configs({{"FunctionName", "warm"}}),
            json({{"ProvisionedConcurrencyConfigs", json::array()}}));
  lambda().put_provisioned_concurrency_config(
      {{"FunctionName", "warm"}, {"Qualifier", "LIVE"}, {"ProvisionedConcurrentExecutions", 2}});
  lambda().put_provisioned_concurrency_config(
      {{"FunctionName", "warm"}, {"Qualifier", "1"}, {"ProvisionedConcurrentExecutions", 1}});
  const json listed = lambda().list_provisioned_concurrency_configs({{"FunctionName", "warm"}});
  ASSERT_EQ(listed["ProvisionedConcurrencyConfigs"].size(), 2u) << listed.dump();
  const json& first = listed["ProvisionedConcurrencyConfigs"][0];
  EXPECT_EQ(first["FunctionArn"], kArn + "warm:1");
  EXPECT_EQ(first["RequestedProvisionedConcurrentExecutions"], 1);
  EXPECT_EQ(first["Status"], "READY");
  EXPECT_TRUE(first.contains("LastModified"));
  EXPECT_EQ(listed["ProvisionedConcurrencyConfigs"][1]["FunctionArn"], kArn + "warm:LIVE");
  // The Get beside it is still Get (same path, no List=ALL).
  EXPECT_EQ(lambda().get_provisioned_concurrency_config(
                {{"FunctionName", "warm"}, {"Qualifier", "LIVE"}})["Status"],
            "READY");

  const json page =
      lambda().list_provisioned_concurrency_configs({{"FunctionName", "warm"}, {"MaxItems", 1}});
  ASSERT_EQ(page["ProvisionedConcurrencyConfigs"].size(), 1u);
  const json next = lambda().list_provisioned_concurrency_configs(
      {{"FunctionName", "warm"}, {"Marker", page["NextMarker"]}});
  EXPECT_EQ(next["ProvisionedConcurrencyConfigs"][0]["FunctionArn"], kArn + "warm:LIVE");
  EXPECT_FALSE(next.contains("NextMarker"));

  const aws::AwsError missing = error_of([&] {
    lambda().list_provisioned_concurrency_configs({{"FunctionName", "nope"}});
  });
  EXPECT_EQ(missing.code(), "ResourceNotFoundException");
  EXPECT_EQ(missing.http_status(), 404);
}

TEST_F(LambdaEverydayOpsTest, AccountSettingsCountTheEndpointsFunctionsAndCode) {
  json settings = lambda().get_account_settings();
  EXPECT_EQ(settings["AccountUsage"], json({{"TotalCodeSize", 0}, {"FunctionCount", 0}}));
  EXPECT_EQ(settings["AccountLimit"], json({{"TotalCodeSize", 80530636800LL},
                                            {"CodeSizeUnzipped", 262144000},
                                            {"CodeSizeZipped", 52428800},
                                            {"ConcurrentExecutions", 1000},
                                            {"UnreservedConcurrentExecutions", 1000}}));
  create("one", {{"Publish", true}});
  create("two");
  settings = lambda().get_account_settings();
  EXPECT_EQ(settings["AccountUsage"]["FunctionCount"], 2);
  // $LATEST of both and version 1 of "one".
  EXPECT_EQ(settings["AccountUsage"]["TotalCodeSize"], 3 * zip_.size());
}

TEST_F(LambdaEverydayOpsTest, ListFunctionUrlConfigs) {
  create("web", {{"Publish", true}});
  lambda().create_alias({{"FunctionName", "web"}, {"Name", "LIVE"}, {"FunctionVersion", "1"}});
  EXPECT_EQ(lambda().list_function_url_configs({{"FunctionName", "web"}}),
            json({{"FunctionUrlConfigs", json::array()}}));
  const json plain =
      lambda().create_function_url_config({{"FunctionName", "web"}, {"AuthType", "NONE"}});
  const json live = lambda().create_function_url_config(
      {{"FunctionName", "web"}, {"Qualifier", "LIVE"}, {"AuthType", "AWS_IAM"}});
  const json listed = lambda().list_function_url_configs({{"FunctionName", "web"}});
  ASSERT_EQ(listed["FunctionUrlConfigs"].size(), 2u) << listed.dump();
  const json& first = listed["FunctionUrlConfigs"][0];
  EXPECT_EQ(first["FunctionUrl"], plain["FunctionUrl"]);
  EXPECT_EQ(first["FunctionArn"], kArn + "web");
  EXPECT_EQ(first["AuthType"], "NONE");
  EXPECT_EQ(first["InvokeMode"], "BUFFERED");
  EXPECT_TRUE(first.contains("CreationTime"));
  EXPECT_TRUE(first.contains("LastModifiedTime"));
  EXPECT_EQ(listed["FunctionUrlConfigs"][1]["FunctionArn"], kArn + "web:LIVE");
  EXPECT_EQ(listed["FunctionUrlConfigs"][1]["FunctionUrl"], live["FunctionUrl"]);

  const json page = lambda().list_function_url_configs({{"FunctionName", "web"}, {"MaxItems", 1}});
  ASSERT_EQ(page["FunctionUrlConfigs"].size(), 1u);
  ASSERT_TRUE(page.contains("NextMarker"));
  const aws::AwsError missing = error_of([&] {
    lambda().list_function_url_configs({{"FunctionName", "nope"}});
  });
  EXPECT_EQ(missing.code(), "ResourceNotFoundException");
}

}  // namespace
}  // namespace ld::local
