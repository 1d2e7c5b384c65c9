// Debian's AWS CLI v2 (/usr/bin/aws) against the local endpoint's Lambda: it must parse every
// answer (exit code 0, JSON on stdout) and show what AWS would.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "local/front_end.hpp"
#include "local/key_ring.hpp"
#include "local/server.hpp"
#include "local/services/lambda.hpp"
#include "local/state.hpp"
#include "support/served_lambda.hpp"
#include "support/stored_zip.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

using ld::test::bootstrap_zip;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class LambdaCliTest : public ::testing::Test {
 protected:
  // How long created functions stay Pending and new provisioned concurrency IN_PROGRESS.
  virtual std::chrono::milliseconds settle_delay() const { return std::chrono::milliseconds(0); }

  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/aws")) GTEST_SKIP() << "/usr/bin/aws is not installed";
    LambdaOptions lambda_options;
    lambda_options.settle_delay = settle_delay();
    lambda_options.endpoint_port = 0;
    served_ = std::make_unique<test::ServedLambda>(State::open(dir_.path() / "data"), nullptr,
                                                   lambda_options);
  }
  void TearDown() override { served_.reset(); }

  // Runs /usr/bin/aws lambda <args> against the endpoint.
  CliResult aws(const std::string& args) {
    const auto err_file = dir_.path() / "stderr.txt";
    const std::string command = "env -i PATH=/usr/bin:/bin HOME=" + dir_.path().string() +
                                " AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_PAGER= "
                                "AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null "
                                "/usr/bin/aws --endpoint-url " +
                                served_->url() + " --region us-east-1 --output json lambda " +
                                args + " 2>" + err_file.string();
    CliResult result;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0)
      result.out.append(buffer.data(), n);
    const int status = pclose(pipe.release());
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.err = test_read(err_file);
    return result;
  }

  json aws_json(const std::string& args) {
    CliResult result = aws(args);
    EXPECT_EQ(result.exit_code, 0) << args << "\n" << result.err;
    json parsed = json::parse(result.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << result.out;
    return parsed;
  }

  static std::string test_read(const std::filesystem::path& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) return {};
    std::string text;
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), file)) > 0)
      text.append(buffer.data(), n);
    std::fclose(file);
    return text;
  }

  test::TempDir dir_{"lambda-cli"};
  std::unique_ptr<test::ServedLambda> served_;
};

TEST_F(LambdaCliTest, CliParsesTheControlPlane) {
  const auto zip = dir_.write("function.zip", bootstrap_zip());
  const json created = aws_json(
      "create-function --function-name cli-fn --runtime provided.al2023 --handler bootstrap "
      "--role arn:aws:iam::000000000000:role/r --zip-file fileb://" +
      zip.string());
  EXPECT_EQ(created["FunctionArn"], "arn:aws:lambda:us-east-1:000000000000:function:cli-fn");
  EXPECT_EQ(created["CodeSize"], 10 + 9 + 30 + 46 + 9 + 22);

  const json got = aws_json("get-function --function-name cli-fn");
  EXPECT_EQ(got["Configuration"]["State"], "Active");
  EXPECT_EQ(got["Code"]["RepositoryType"], "S3");

  const json url = aws_json("create-function-url-config --function-name cli-fn --auth-type NONE");
  EXPECT_TRUE(
      std::regex_match(url["FunctionUrl"].get<std::string>(),
                       std::regex(R"(http://[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:\d+/)")))
      << url.dump();

  const json permission = aws_json(
      "add-permission --function-name cli-fn --statement-id public --action "
      "lambda:InvokeFunctionUrl --principal '*' --function-url-auth-type NONE");
  EXPECT_EQ(json::parse(permission["Statement"].get<std::string>())["Principal"], "*");

  const json policy = aws_json("get-policy --function-name cli-fn");
  const json document = json::parse(policy["Policy"].get<std::string>());
  EXPECT_EQ(document["Statement"][0]["Condition"]["StringEquals"]["lambda:FunctionUrlAuthType"],
            "NONE");

  const json versions = aws_json("list-versions-by-function --function-name cli-fn");
  ASSERT_EQ(versions["Versions"].size(), 1u);
  EXPECT_EQ(versions["Versions"][0]["Version"], "$LATEST");

  const CliResult missing = aws("get-function --function-name nope");
  EXPECT_EQ(missing.exit_code, 254);
  EXPECT_NE(missing.err.find("ResourceNotFoundException"), std::string::npos) << missing.err;
  EXPECT_NE(
      missing.err.find("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"),
      std::string::npos)
      << missing.err;
}

TEST_F(LambdaCliTest, CliListsAliasesPageByPage) {
  const auto zip = dir_.write("function.zip", bootstrap_zip());
  aws_json(
      "create-function --function-name cli-al --runtime provided.al2023 --handler bootstrap "
      "--role arn:aws:iam::000000000000:role/r --zip-file fileb://" +
      zip.string());
  EXPECT_EQ(aws_json("publish-version --function-name cli-al")["Version"], "1");
  aws_json("update-function-configuration --function-name cli-al --timeout 9");
  EXPECT_EQ(aws_json("publish-version --function-name cli-al")["Version"], "2");
  aws_json(
      "create-alias --function-name cli-al --name LIVE --function-version 1 "
      "--routing-config 'AdditionalVersionWeights={2=0.5}'");
  aws_json("create-alias --function-name cli-al --name BETA --function-version 2 --description b");

  const json all = aws_json("list-aliases --function-name cli-al");
  ASSERT_EQ(all["Aliases"].size(), 2u) << all.dump();
  const json& beta = all["Aliases"][0];
  const json& live = all["Aliases"][1];
  EXPECT_EQ(beta["Name"], "BETA");
  EXPECT_EQ(beta["AliasArn"], "arn:aws:lambda:us-east-1:000000000000:function:cli-al:BETA");
  EXPECT_EQ(beta["FunctionVersion"], "2");
  EXPECT_EQ(beta["Description"], "b");
  EXPECT_FALSE(beta.contains("RoutingConfig"));
  EXPECT_EQ(live["Name"], "LIVE");
  EXPECT_EQ(live["RoutingConfig"]["AdditionalVersionWeights"]["2"], 0.5);
  EXPECT_EQ(live["RevisionId"],
            aws_json("get-alias --function-name cli-al --name LIVE")["RevisionId"]);

  // One alias a page: the CLI follows NextMarker to the end.
  EXPECT_EQ(aws_json("list-aliases --function-name cli-al --page-size 1")["Aliases"],
            all["Aliases"]);
  const json of_version = aws_json("list-aliases --function-name cli-al --function-version 2");
  ASSERT_EQ(of_version["Aliases"].size(), 1u);
  EXPECT_EQ(of_version["Aliases"][0]["Name"], "BETA");
}

TEST_F(LambdaCliTest, CliEverydayOperations) {
  const auto zip = dir_.write("function.zip", bootstrap_zip());
  const std::string arn = "arn:aws:lambda:us-east-1:000000000000:function:";
  for (const char* name : {"cli-b", "cli-a"}) {
    aws_json(std::string("create-function --function-name ") + name +
             " --runtime provided.al2023 --handler bootstrap --role "
             "arn:aws:iam::000000000000:role/r --tags team=core --zip-file fileb://" +
             zip.string());
  }
  aws_json("publish-version --function-name cli-a");

  // list-functions, page by page as the CLI follows NextMarker, and with versions.
  const json listed = aws_json("list-functions --page-size 1");
  ASSERT_EQ(listed["Functions"].size(), 2u) << listed.dump();
  EXPECT_EQ(listed["Functions"][0]["FunctionArn"], arn + "cli-a");
  EXPECT_EQ(listed["Functions"][1]["FunctionArn"], arn + "cli-b");
  const json all = aws_json("list-functions --function-version ALL");
  ASSERT_EQ(all["Functions"].size(), 3u) << all.dump();
  EXPECT_EQ(all["Functions"][1]["FunctionArn"], arn + "cli-a:1");

  // Tags.
  EXPECT_EQ(aws_json("list-tags --resource " + arn + "cli-a")["Tags"], json({{"team", "core"}}));
  const CliResult tagged = aws("tag-resource --resource " + arn + "cli-a --tags stage=dev,x=y");
  EXPECT_EQ(tagged.exit_code, 0) << tagged.err;
  EXPECT_EQ(aws_json("get-function --function-name cli-a")["Tags"],
            json({{"team", "core"}, {"stage", "dev"}, {"x", "y"}}));
  const CliResult untagged = aws("untag-resource --resource " + arn + "cli-a --tag-keys team x");
  EXPECT_EQ(untagged.exit_code, 0) << untagged.err;
  EXPECT_EQ(aws_json("list-tags --resource " + arn + "cli-a")["Tags"], json({{"stage", "dev"}}));
  const CliResult no_tags = aws("list-tags --resource " + arn + "nope");
  EXPECT_EQ(no_tags.exit_code, 254);
  EXPECT_NE(no_tags.err.find("(ResourceNotFoundException) when calling the ListTags operation: "
                             "Function not found: " +
                             arn + "nope"),
            std::string::npos)
      << no_tags.err;

  // The code signing config Terraform reads on every plan.
  EXPECT_EQ(aws_json("get-function-code-signing-config --function-name cli-a"),
            json({{"CodeSigningConfigArn", ""}, {"FunctionName", "cli-a"}}));

  // Reserved concurrency.
  EXPECT_EQ(aws_json("put-function-concurrency --function-name cli-a "
                     "--reserved-concurrent-executions 3"),
            json({{"ReservedConcurrentExecutions", 3}}));
  EXPECT_EQ(aws_json("get-function-concurrency --function-name cli-a"),
            json({{"ReservedConcurrentExecutions", 3}}));
  EXPECT_EQ(aws_json("get-function --function-name cli-a")["Concurrency"],
            json({{"ReservedConcurrentExecutions", 3}}));
  const CliResult removed = aws("delete-function-concurrency --function-name cli-a");
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(removed.out, "");
  const CliResult none = aws("get-function-concurrency --function-name cli-a");
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out.find("ReservedConcurrentExecutions"), std::string::npos) << none.out;

  // Provisioned concurrency configs and Function URL configs, listed.
  aws_json("create-alias --function-name cli-a --name LIVE --function-version 1");
  aws_json(
      "put-provisioned-concurrency-config --function-name cli-a --qualifier LIVE "
      "--provisioned-concurrent-executions 1");
  const json provisioned = aws_json("list-provisioned-concurrency-configs --function-name cli-a");
  ASSERT_EQ(provisioned["ProvisionedConcurrencyConfigs"].size(), 1u) << provisioned.dump();
  EXPECT_EQ(provisioned["ProvisionedConcurrencyConfigs"][0]["FunctionArn"], arn + "cli-a:LIVE");
  EXPECT_EQ(provisioned["ProvisionedConcurrencyConfigs"][0]["Status"], "READY");
  aws_json("create-function-url-config --function-name cli-a --auth-type NONE");
  const json urls = aws_json("list-function-url-configs --function-name cli-a");
  ASSERT_EQ(urls["FunctionUrlConfigs"].size(), 1u) << urls.dump();
  EXPECT_EQ(urls["FunctionUrlConfigs"][0]["FunctionArn"], arn + "cli-a");
  EXPECT_EQ(urls["FunctionUrlConfigs"][0]["AuthType"], "NONE");

  // Account settings: the endpoint's two functions and three copies of the zip.
  const json settings = aws_json("get-account-settings");
  EXPECT_EQ(settings["AccountUsage"]["FunctionCount"], 2);
  EXPECT_EQ(settings["AccountUsage"]["TotalCodeSize"], 3 * bootstrap_zip().size());
  EXPECT_EQ(settings["AccountLimit"]["ConcurrentExecutions"], 1000);
}

// The same, with a settle delay: new functions are Pending and new configs IN_PROGRESS for it.
class LambdaCliSettlingTest : public LambdaCliTest {
 protected:
  std::chrono::milliseconds settle_delay() const override { return std::chrono::milliseconds(300); }
};

TEST_F(LambdaCliSettlingTest, CliManagesProvisionedConcurrency) {
  const auto zip = dir_.write("function.zip", bootstrap_zip());
  aws_json(
      "create-function --function-name cli-pc --runtime provided.al2023 --handler bootstrap "
      "--role arn:aws:iam::000000000000:role/r --zip-file fileb://" +
      zip.string());
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  aws_json("publish-version --function-name cli-pc");
  aws_json("create-alias --function-name cli-pc --name LIVE --function-version 1");

  const json put = aws_json(
      "put-provisioned-concurrency-config --function-name cli-pc --qualifier LIVE "
      "--provisioned-concurrent-executions 2");
  EXPECT_EQ(put["Status"], "IN_PROGRESS");
  EXPECT_EQ(put["RequestedProvisionedConcurrentExecutions"], 2);
  EXPECT_EQ(put["AllocatedProvisionedConcurrentExecutions"], 0);
  EXPECT_EQ(put["AvailableProvisionedConcurrentExecutions"], 0);
  const std::string get = "get-provisioned-concurrency-config --function-name cli-pc --qualifier ";
  // READY once the settle delay is over (a CLI run alone takes about that long).
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  const json ready = aws_json(get + "LIVE");
  EXPECT_EQ(ready["Status"], "READY");
  EXPECT_EQ(ready["AllocatedProvisionedConcurrentExecutions"], 2);
  EXPECT_EQ(ready["AvailableProvisionedConcurrentExecutions"], 2);
  EXPECT_EQ(ready["LastModified"], put["LastModified"]);

  const CliResult latest =
      aws("put-provisioned-concurrency-config --function-name cli-pc --qualifier '$LATEST' "
          "--provisioned-concurrent-executions 1");
  EXPECT_EQ(latest.exit_code, 254);
  EXPECT_NE(latest.err.find("(InvalidParameterValueException) when calling the "
                            "PutProvisionedConcurrencyConfig operation: Provisioned Concurrency "
                            "Configs cannot be applied to unpublished function versions."),
            std::string::npos)
      << latest.err;

  const CliResult none = aws(get + "1");
  EXPECT_EQ(none.exit_code, 254);
  EXPECT_NE(none.err.find("(ProvisionedConcurrencyConfigNotFoundException) when calling the "
                          "GetProvisionedConcurrencyConfig operation: No Provisioned Concurrency "
                          "Config found for this function"),
            std::string::npos)
      << none.err;

  const CliResult deleted =
      aws("delete-provisioned-concurrency-config --function-name cli-pc --qualifier LIVE");
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(deleted.out, "");
  const CliResult gone = aws(get + "LIVE");
  EXPECT_EQ(gone.exit_code, 254);
  EXPECT_NE(gone.err.find("ProvisionedConcurrencyConfigNotFoundException"), std::string::npos)
      << gone.err;
}

}  // namespace
}  // namespace ld::local
