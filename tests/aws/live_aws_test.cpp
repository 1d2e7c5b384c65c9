// Against real AWS: runs only when LAMBDEPLOY_LIVE_AWS=1 and credentials and a region are
// available in the environment or the shared files; otherwise each test says why it skipped.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

#include "aws/error.hpp"
#include "aws/services/lambda.hpp"
#include "aws/services/sts.hpp"
#include "aws/session.hpp"

namespace ld::aws {
namespace {

// A Session on real AWS, or the reason there is none.
std::optional<Session> live_session(std::string& why) {
  const char* flag = std::getenv("LAMBDEPLOY_LIVE_AWS");
  if (flag == nullptr || std::string(flag) != "1") {
    why = "real-AWS test: set LAMBDEPLOY_LIVE_AWS=1 with AWS credentials and a region to run it";
    return std::nullopt;
  }
  try {
    Session session(SessionOptions{});
    session.credentials()->credentials();
    return session;
  } catch (const std::exception& e) {
    why = std::string("real-AWS test: no usable credentials or region: ") + e.what();
    return std::nullopt;
  }
}

TEST(LiveAws, CallerIdentityAnswers) {
  std::string why;
  auto session = live_session(why);
  if (!session) GTEST_SKIP() << why;
  StsClient sts(session->client_config(kSts));
  auto id = sts.get_caller_identity();
  EXPECT_EQ(id.at("Account").get<std::string>().size(), 12u);
  EXPECT_NE(id.at("Arn").get<std::string>().find("arn:aws"), std::string::npos);
}

TEST(LiveAws, MissingFunctionIsResourceNotFound) {
  std::string why;
  auto session = live_session(why);
  if (!session) GTEST_SKIP() << why;
  LambdaClient lambda(session->client_config(kLambda));
  try {
    lambda.get_function({{"FunctionName", "lambdeploy-live-test-function-that-does-not-exist"}});
    FAIL() << "GetFunction of a missing function succeeded";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "ResourceNotFoundException");
    EXPECT_EQ(e.http_status(), 404);
    EXPECT_FALSE(e.request_id().empty());
  }
}

}  // namespace
}  // namespace ld::aws
