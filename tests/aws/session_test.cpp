// Session: the region, endpoints, retry policy, CA bundle and one credentials chain and transport
// shared by every client, built from options, an injected environment and written files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "aws/services/iam.hpp"
#include "aws/services/lambda.hpp"
#include "aws/services/s3.hpp"
#include "aws/session.hpp"
#include "support/loopback_server.hpp"
#include "support/temp_dir.hpp"

namespace ld::aws {
namespace {

namespace fs = std::filesystem;
using TempHome = test::TempDir;
using test::LoopbackServer;
using test::ReceivedRequest;
using test::Step;

SessionOptions options(const TempHome& home, std::map<std::string, std::string> env) {
  env.emplace("HOME", home.path().string());
  env.emplace("AWS_EC2_METADATA_DISABLED", "true");
  SessionOptions o;
  o.env = environment_from(std::move(env));
  return o;
}

std::string error_of(SessionOptions o) {
  try {
    Session s(std::move(o));
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Session, RegionIsRequired) {
  TempHome home;
  std::string e = error_of(options(home, {}));
  EXPECT_EQ(e.rfind("no AWS region is set. Set one with --region REGION, the AWS_REGION or "
                    "AWS_DEFAULT_REGION environment variable, or 'region = REGION' under "
                    "[default] in " +
                        (home.path() / ".aws/config").string(),
                    0),
            0u)
      << e;
  home.config("[default]\nregion = eu-west-3\n");
  Session s(options(home, {}));
  EXPECT_EQ(s.region(), "eu-west-3");
  EXPECT_EQ(s.region_source(),
            "profile 'default' (" + (home.path() / ".aws/config").string() + " line 2)");
  auto o = options(home, {{"AWS_REGION", "us-west-2"}});
  o.region = "ap-northeast-1";
  EXPECT_EQ(Session(o).region(), "ap-northeast-1");
}

TEST(Session, StandardEndpointsAndSharedParts) {
  TempHome home;
  Session s(options(home, {{"AWS_REGION", "eu-west-1"}}));
  ClientConfig lambda = s.client_config(kLambda);
  EXPECT_EQ(lambda.region, "eu-west-1");
  EXPECT_EQ(lambda.endpoint.to_string(), "https://lambda.eu-west-1.amazonaws.com");
  EXPECT_FALSE(lambda.custom_endpoint);
  EXPECT_EQ(lambda.signing_region, "eu-west-1");
  ClientConfig iam = s.client_config(kIam);
  EXPECT_EQ(iam.endpoint.to_string(), "https://iam.amazonaws.com");
  EXPECT_EQ(iam.signing_region, "us-east-1");
  ClientConfig s3 = s.client_config(kS3);
  EXPECT_FALSE(s3.custom_endpoint);  // virtual-hosted style on AWS
  EXPECT_FALSE(s3.s3_force_path_style);
  // One credentials chain and one transport for every client.
  ASSERT_NE(lambda.credentials, nullptr);
  EXPECT_EQ(lambda.credentials, iam.credentials);
  EXPECT_EQ(lambda.credentials, s.credentials());
  ASSERT_NE(lambda.transport, nullptr);
  EXPECT_EQ(lambda.transport, s3.transport);
  EXPECT_EQ(lambda.retry.max_attempts, 3);
}

TEST(Session, CustomEndpoints) {
  TempHome home;
  home.config("[default]\nregion = us-east-1\n");
  auto o = options(home, {{"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000"}});
  Session env_only(o);
  EXPECT_TRUE(env_only.client_config(kS3).custom_endpoint);  // path style on a custom endpoint
  EXPECT_EQ(env_only.client_config(kS3).endpoint.to_string(), "http://127.0.0.1:9000");
  EXPECT_FALSE(env_only.client_config(kLambda).custom_endpoint);
  EXPECT_EQ(env_only.endpoint(kS3).source, "AWS_ENDPOINT_URL_S3");

  o.endpoint_url = "http://127.0.0.1:4566";
  Session local(o);
  for (const ServiceInfo* service : {&kLambda, &kS3, &kIam}) {
    ClientConfig c = local.client_config(*service);
    EXPECT_TRUE(c.custom_endpoint) << service->id;
    EXPECT_EQ(c.endpoint.to_string(), "http://127.0.0.1:4566") << service->id;
    EXPECT_EQ(c.signing_region, "us-east-1") << service->id;
  }
  o.endpoint_url = "127.0.0.1:4566";
  EXPECT_EQ(error_of(o),
            "endpoint URL '127.0.0.1:4566' is not valid: it needs a scheme, as in "
            "http://127.0.0.1:4566");
}

TEST(Session, S3AddressingStyleFromTheProfile) {
  TempHome home;
  home.config(
      "[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n"
      "[profile odd]\nregion = us-east-1\ns3 =\n  addressing_style = sideways\n");
  EXPECT_TRUE(Session(options(home, {})).client_config(kS3).s3_force_path_style);
  EXPECT_EQ(error_of(options(home, {{"AWS_PROFILE", "odd"}})),
            "s3.addressing_style (" + (home.path() / ".aws/config").string() +
                " line 7) is 'sideways'; expected path, virtual or auto");
}

TEST(Session, RetryPolicyFromEnvironmentProfileAndOptions) {
  TempHome home;
  home.config(
      "[default]\nregion = us-east-1\nmax_attempts = 4\n"
      "[profile legacy]\nregion = us-east-1\nretry_mode = legacy\n"
      "[profile bad]\nregion = us-east-1\nmax_attempts = lots\n");
  EXPECT_EQ(Session(options(home, {})).retry_policy().max_attempts, 4);
  EXPECT_EQ(Session(options(home, {{"AWS_MAX_ATTEMPTS", "7"}})).retry_policy().max_attempts, 7);
  auto o = options(home, {{"AWS_MAX_ATTEMPTS", "7"}});
  o.max_attempts = 2;
  EXPECT_EQ(Session(o).retry_policy().max_attempts, 2);
  EXPECT_EQ(Session(o).client_config(kLambda).retry.max_attempts, 2);
  EXPECT_EQ(Session(options(home, {{"AWS_PROFILE", "legacy"}})).retry_policy().max_attempts, 5);
  EXPECT_EQ(Session(options(home, {{"AWS_RETRY_MODE", "standard"}, {"AWS_PROFILE", "legacy"}}))
                .retry_policy()
                .max_attempts,
            3);
  EXPECT_EQ(error_of(options(home, {{"AWS_MAX_ATTEMPTS", "0"}})),
            "AWS_MAX_ATTEMPTS is '0'; max attempts must be a whole number of at least 1");
  EXPECT_EQ(error_of(options(home, {{"AWS_PROFILE", "bad"}})),
            "max_attempts (" + (home.path() / ".aws/config").string() +
                " line 9) is 'lots'; max attempts must be a whole number of at least 1");
  EXPECT_EQ(error_of(options(home, {{"AWS_RETRY_MODE", "aggressive"}})),
            "AWS_RETRY_MODE is 'aggressive'; expected standard, legacy or adaptive");
}

TEST(Session, CaBundleFromEnvironmentOrProfile) {
  TempHome home;
  auto bundle = home.write("certs/corp.pem", "-----BEGIN CERTIFICATE-----\n");
  home.config(
      "[default]\nregion = us-east-1\nca_bundle = ~/certs/corp.pem\n"
      "[profile missing]\nregion = us-east-1\nca_bundle = /no/such.pem\n");
  EXPECT_EQ(Session(options(home, {})).transport_options().ca_file, bundle.string());
  auto other = home.write("other.pem", "x");
  EXPECT_EQ(Session(options(home, {{"AWS_CA_BUNDLE", other.string()}})).transport_options().ca_file,
            other.string());
  EXPECT_EQ(error_of(options(home, {{"AWS_PROFILE", "missing"}})),
            "ca_bundle (" + (home.path() / ".aws/config").string() +
                " line 6) names the CA bundle /no/such.pem, which is not a readable file");
}

TEST(Session, ProfileAskedForByNameMustExist) {
  TempHome home;
  home.config("[default]\nregion = us-east-1\n[profile dev]\nregion = us-east-1\n");
  auto o = options(home, {});
  o.profile = "prod";
  EXPECT_EQ(error_of(o), "profile 'prod' is in neither " + (home.path() / ".aws/config").string() +
                             " nor " + (home.path() / ".aws/credentials").string() +
                             "; the profiles there are: default, dev");
}

TEST(Session, MalformedConfigFileIsReported) {
  TempHome home;
  home.config("[default]\nregion us-east-1\n");
  EXPECT_EQ(error_of(options(home, {})),
            (home.path() / ".aws/config").string() +
                " line 2: expected 'key = value', a [section] header or a comment, got 'region "
                "us-east-1'");
}

TEST(Session, CredentialsThroughTheSessionsOwnTransport) {
  TempHome home;
  LoopbackServer sts([](const ReceivedRequest&) {
    return Step::respond(
        200,
        "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId>"
        "<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>"
        "2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>");
  });
  home.write(".aws/config",
             "[profile deploy]\nregion = eu-central-1\nrole_arn = arn:aws:iam::1:role/d\n"
             "source_profile = base\nservices = local\n[profile base]\naws_access_key_id = "
             "AKIDBASE\naws_secret_access_key = s\n[services local]\nsts =\n  endpoint_url = " +
                 sts.url() + "\n");
  auto o = options(home, {});
  o.profile = "deploy";
  Session s(o);
  Credentials c = s.client_config(kLambda).credentials->credentials();
  EXPECT_EQ(c.access_key_id, "ASIAROLE");
  ASSERT_EQ(sts.request_count(), 1u);
  auto authorization = sts.requests()[0].header("Authorization");
  ASSERT_TRUE(authorization.has_value());
  EXPECT_NE(authorization->find("Credential=AKIDBASE/"), std::string::npos);
  EXPECT_NE(authorization->find("/eu-central-1/sts/aws4_request"), std::string::npos);
  // The services section sends STS to the loopback server, and only STS.
  EXPECT_EQ(s.client_config(kLambda).endpoint.to_string(),
            "https://lambda.eu-central-1.amazonaws.com");
}

}  // namespace
}  // namespace ld::aws
