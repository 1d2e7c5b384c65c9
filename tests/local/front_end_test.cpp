// The local endpoint's front door, end to end on loopback: the real AWS CLI and the project's
// own STS client get answers as from AWS; bad signatures, unknown keys, skewed clocks and
// expired temporary credentials get AWS's errors; the health route answers.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "aws/credentials.hpp"
#include "aws/error.hpp"
#include "aws/services/iam.hpp"
#include "aws/services/sts.hpp"
#include "aws/sigv4.hpp"
#include "core/transport.hpp"
#include "local/endpoint.hpp"
#include "support/aws_cli.hpp"
#include "support/oidc_issuer.hpp"
#include "support/signed_request.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

// Fixed keys for the project's clients.
class Keys : public aws::CredentialsProvider {
 public:
  Keys(std::string access, std::string secret, std::string token = {})
      : access_(std::move(access)), secret_(std::move(secret)), token_(std::move(token)) {}
  aws::Credentials credentials() override {
    return {access_, secret_, token_, std::nullopt, "test"};
  }

 private:
  std::string access_, secret_, token_;
};

// An endpoint on a free port with its state in a temp dir; `skew` moves its clock.
class RunningEndpoint {
 public:
  explicit RunningEndpoint(std::chrono::milliseconds skew = {}) : dir_("local-endpoint") {
    EndpointOptions options;
    options.server.port = 0;
    options.data_dir = dir_.path() / "data";
    if (skew.count() != 0) options.now = [skew] { return system_now() + skew; };
    endpoint_ = std::make_unique<Endpoint>(options);
    endpoint_->start();
  }
  std::string url() const { return endpoint_->url(); }
  aws::StsClient sts(const std::shared_ptr<aws::CredentialsProvider>& keys) const {
    aws::ClientConfig config;
    config.region = "us-east-1";
    config.signing_region = "us-east-1";
    config.endpoint = aws::Endpoint::parse(url());
    config.custom_endpoint = true;
    config.credentials = keys;
    config.retry.max_attempts = 1;
    return aws::StsClient(config);
  }

 private:
  test::TempDir dir_;
  std::unique_ptr<Endpoint> endpoint_;
};

TEST(LocalFrontEnd, TheAwsCliGetsTheCallerIdentityOfTheDefaultKey) {
  if (!test::aws_cli_available()) GTEST_SKIP() << "/usr/bin/aws (Debian's awscli) is not installed";
  RunningEndpoint endpoint;
  auto run = test::run_aws_cli(endpoint.url(), {"sts", "get-caller-identity"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json identity = run.json();
  EXPECT_EQ(identity["Account"], "000000000000");
  EXPECT_EQ(identity["Arn"], "arn:aws:iam::000000000000:root");
}

TEST(LocalFrontEnd, TheAwsCliIsToldItsSignatureIsWrong) {
  if (!test::aws_cli_available()) GTEST_SKIP() << "/usr/bin/aws (Debian's awscli) is not installed";
  RunningEndpoint endpoint;
  auto wrong_secret = test::run_aws_cli(endpoint.url(), {"sts", "get-caller-identity"},
                                        {{"AWS_SECRET_ACCESS_KEY", "not-the-secret"}});
  EXPECT_EQ(wrong_secret.exit_code, 254);
  EXPECT_NE(wrong_secret.err.find("(SignatureDoesNotMatch)"), std::string::npos)
      << wrong_secret.err;
  auto unknown_key = test::run_aws_cli(endpoint.url(), {"sts", "get-caller-identity"},
                                       {{"AWS_ACCESS_KEY_ID", "AKIDUNKNOWN"}});
  EXPECT_EQ(unknown_key.exit_code, 254);
  EXPECT_NE(unknown_key.err.find("(InvalidClientTokenId)"), std::string::npos) << unknown_key.err;
}

TEST(LocalFrontEnd, AssumedRoleCredentialsWorkWithTheirTokenOnly) {
  RunningEndpoint endpoint;
  auto root = endpoint.sts(std::make_shared<Keys>("test", "test"));
  json assumed = root.assume_role({{"RoleArn", "arn:aws:iam::000000000000:role/deployer"},
                                   {"RoleSessionName", "ci-run-7"},
                                   {"DurationSeconds", 900}});
  const json& creds = assumed["Credentials"];
  ASSERT_TRUE(creds.contains("AccessKeyId")) << assumed.dump();
  EXPECT_TRUE(creds["AccessKeyId"].get<std::string>().starts_with("ASIA"));
  EXPECT_EQ(assumed["AssumedRoleUser"]["Arn"],
            "arn:aws:sts::000000000000:assumed-role/deployer/ci-run-7");

  auto as_role = endpoint.sts(std::make_shared<Keys>(creds["AccessKeyId"], creds["SecretAccessKey"],
                                                     creds["SessionToken"]));
  json identity = as_role.get_caller_identity();
  EXPECT_EQ(identity["Arn"], "arn:aws:sts::000000000000:assumed-role/deployer/ci-run-7");
  EXPECT_TRUE(identity["UserId"].get<std::string>().ends_with(":ci-run-7"));

  // The same key without its session token is not accepted.
  auto tokenless =
      endpoint.sts(std::make_shared<Keys>(creds["AccessKeyId"], creds["SecretAccessKey"]));
  try {
    tokenless.get_caller_identity();
    FAIL() << "expected InvalidClientTokenId";
  } catch (const aws::AwsError& e) {
    EXPECT_EQ(e.code(), "InvalidClientTokenId");
    EXPECT_EQ(e.http_status(), 403);
  }
}

TEST(LocalFrontEnd, AssumeRoleValidatesItsInputAsStsDoes) {
  RunningEndpoint endpoint;
  auto root = endpoint.sts(std::make_shared<Keys>("test", "test"));
  try {
    root.assume_role({{"RoleArn", "arn:aws:iam::000000000000:role/deployer"},
                      {"RoleSessionName", "session"},
                      {"DurationSeconds", 60}});
    FAIL() << "expected ValidationError";
  } catch (const aws::AwsError& e) {
    EXPECT_EQ(e.code(), "ValidationError");
    EXPECT_EQ(e.http_status(), 400);
    EXPECT_NE(e.message().find("durationSeconds"), std::string::npos) << e.message();
  }
  try {
    root.assume_role({{"RoleArn", "not-an-arn"}, {"RoleSessionName", "session"}});
    FAIL() << "expected ValidationError";
  } catch (const aws::AwsError& e) {
    EXPECT_EQ(e.code(), "ValidationError");
    EXPECT_NE(e.message().find("not-an-arn"), std::string::npos) << e.message();
  }
}

TEST(LocalFrontEnd, AClockMoreThanFifteenMinutesOffIsRefused) {
  RunningEndpoint endpoint(std::chrono::minutes(20));
  auto root = endpoint.sts(std::make_shared<Keys>("test", "test"));
  try {
    root.get_caller_identity();
    FAIL() << "expected a skew error";
  } catch (const aws::AwsError& e) {
    EXPECT_EQ(e.http_status(), 403);
    EXPECT_NE(e.message().find("Signature expired"), std::string::npos) << e.message();
  }
}

TEST(LocalFrontEnd, WebIdentityNeedsNoSignatureButASignedJwt) {
  RunningEndpoint endpoint;
  // The issuer's provider and a role trusting it, registered with the default key.
  test::OidcIssuer issuer;
  aws::ClientConfig config;
  config.region = "us-east-1";
  config.signing_region = "us-east-1";
  config.endpoint = aws::Endpoint::parse(endpoint.url());
  config.custom_endpoint = true;
  config.credentials = std::make_shared<Keys>("test", "test");
  config.retry.max_attempts = 1;
  const aws::Operation create_provider{.name = "CreateOpenIDConnectProvider"};
  aws::Client(aws::kIam, config)
      .call(create_provider,
            aws::Call{.input = {{"Url", issuer.url()}, {"ClientIDList", {"sts.amazonaws.com"}}}});
  const std::string provider = issuer.host();
  aws::IamClient(config).create_role(
      {{"RoleName", "gha"},
       {"AssumeRolePolicyDocument",
        {{"Version", "2012-10-17"},
         {"Statement",
          json::array({{{"Effect", "Allow"},
                        {"Principal",
                         {{"Federated", "arn:aws:iam::000000000000:oidc-provider/" + provider}}},
                        {"Action", "sts:AssumeRoleWithWebIdentity"},
                        {"Condition",
                         {{"StringEquals", {{provider + ":aud", "sts.amazonaws.com"}}}}}}})}}}});

  auto anonymous = endpoint.sts(nullptr);
  const std::string subject = "repo:octo/app:ref:refs/heads/main";
  json assumed = anonymous.assume_role_with_web_identity(
      {{"RoleArn", "arn:aws:iam::000000000000:role/gha"},
       {"RoleSessionName", "gha-1"},
       {"WebIdentityToken", issuer.token(issuer.claims("sts.amazonaws.com", subject))}});
  EXPECT_EQ(assumed["SubjectFromWebIdentityToken"], subject);
  EXPECT_EQ(assumed["Audience"], "sts.amazonaws.com");
  EXPECT_EQ(assumed["Provider"], issuer.url());
  EXPECT_TRUE(assumed["Credentials"]["AccessKeyId"].get<std::string>().starts_with("ASIA"));
  // The same claims unsigned ({"alg":"none"}), or no JWT at all: no credentials.
  for (const std::string& token :
       {issuer.sign({{"alg", "none"}}, issuer.claims("sts.amazonaws.com", subject)),
        std::string("not-a-jwt")}) {
    try {
      anonymous.assume_role_with_web_identity({{"RoleArn", "arn:aws:iam::000000000000:role/gha"},
                                               {"RoleSessionName", "gha-1"},
                                               {"WebIdentityToken", token}});
      FAIL() << "expected InvalidIdentityToken";
    } catch (const aws::AwsError& e) {
      EXPECT_EQ(e.code(), "InvalidIdentityToken");
    }
  }
}

TEST(LocalFrontEnd, AnUnsignedCallIsRefusedAndTheHealthRouteAnswers) {
  RunningEndpoint endpoint;
  auto transport = make_socket_transport();
  HttpRequest health;
  health.scheme = "http";
  health.host = "127.0.0.1";
  health.port = std::stoi(endpoint.url().substr(endpoint.url().rfind(':') + 1));
  health.path = "/_lambdeploy/health";
  HttpResponse answer = transport->send(health);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(json::parse(answer.body)["status"], "running");

  HttpRequest unsigned_call = health;
  unsigned_call.method = "POST";
  unsigned_call.path = "/";
  unsigned_call.headers.set("Content-Type", "application/x-amz-json-1.1");
  unsigned_call.headers.set("X-Amz-Target", "AmazonSSM.GetParameter");
  unsigned_call.body = R"({"Name":"/x"})";
  HttpResponse refused = transport->send(unsigned_call);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["__type"], "MissingAuthenticationTokenException");

  // A request that names no service at all says so.
  HttpRequest nameless = health;
  nameless.method = "POST";
  nameless.path = "/";
  HttpResponse unknown = transport->send(nameless);
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_NE(unknown.body.find("names no AWS service"), std::string::npos) << unknown.body;
}

// `request` signed with the default key for `service` and sent to the endpoint at `url`.
using ld::test::send_signed;

TEST(LocalFrontEnd, AnUnservedOperationAnswersAsAwsAndIsNamedOnStderr) {
  RunningEndpoint endpoint;
  testing::internal::CaptureStderr();
  // rest-json: no Lambda route matches.
  HttpRequest lambda;
  lambda.method = "GET";
  lambda.path = "/2015-03-31/no-such-route";
  HttpResponse rest = send_signed(endpoint.url(), lambda, "lambda");
  // json: SSM has no such target.
  HttpRequest ssm;
  ssm.method = "POST";
  ssm.path = "/";
  ssm.headers.set("Content-Type", "application/x-amz-json-1.1");
  ssm.headers.set("X-Amz-Target", "AmazonSSM.ListFrobs");
  ssm.body = "{}";
  HttpResponse json11 = send_signed(endpoint.url(), ssm, "ssm");
  // query: IAM has no such action.
  HttpRequest iam;
  iam.method = "POST";
  iam.path = "/";
  iam.headers.set("Content-Type", "application/x-www-form-urlencoded");
  iam.body = "Action=ListFrobs&Version=2010-05-08";
  HttpResponse query = send_signed(endpoint.url(), iam, "iam");
  const std::string printed = testing::internal::GetCapturedStderr();

  EXPECT_EQ(rest.headers.get("X-Amzn-ErrorType"), "UnknownOperationException") << rest.body;
  EXPECT_EQ(json::parse(json11.body)["__type"], "UnknownOperationException") << json11.body;
  EXPECT_EQ(json11.status, 400);
  EXPECT_EQ(query.status, 400);
  EXPECT_NE(query.body.find("<Code>InvalidAction</Code>"), std::string::npos) << query.body;
  EXPECT_NE(printed.find("lambdeploy local: Lambda GET /2015-03-31/no-such-route is not served\n"),
            std::string::npos)
      << printed;
  EXPECT_NE(printed.find("lambdeploy local: SSM ListFrobs is not served\n"), std::string::npos)
      << printed;
  EXPECT_NE(printed.find("lambdeploy local: IAM ListFrobs is not served\n"), std::string::npos)
      << printed;
}

}  // namespace
}  // namespace ld::local
