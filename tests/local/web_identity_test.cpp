// STS AssumeRoleWithWebIdentity on the local endpoint, as a client sees it: a token signed by an
// issuer registered with IAM CreateOpenIDConnectProvider, for the role's trusted audience and
// subject, gets working credentials; an unsigned (alg none) or HMAC token, a bad signature, the
// wrong audience, an expired token, an unknown issuer or a role that does not trust it get STS's
// errors and no credentials. Also the IAM provider operations and the project's credentials
// chain (AWS_WEB_IDENTITY_TOKEN_FILE) against the endpoint.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "aws/credentials_chain.hpp"
#include "aws/error.hpp"
#include "aws/services/iam.hpp"
#include "aws/services/sts.hpp"
#include "local/endpoint.hpp"
#include "local/trust_policy.hpp"
#include "local/web_identity.hpp"
#include "local_client.hpp"
#include "support/aws_cli.hpp"
#include "support/oidc_issuer.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

const aws::Operation kCreateProvider{.name = "CreateOpenIDConnectProvider"};
const aws::Operation kGetProvider{.name = "GetOpenIDConnectProvider"};
const aws::Operation kListProviders{.name = "ListOpenIDConnectProviders"};
const aws::Operation kDeleteProvider{.name = "DeleteOpenIDConnectProvider"};

constexpr const char* kRole = "arn:aws:iam::000000000000:role/deploy";
constexpr const char* kSubject = "repo:octo/app:ref:refs/heads/main";

// The code and message a call fails with ("" when it succeeds), and its status.
struct Failure {
  std::string code;
  std::string message;
  int status = 0;
};

template <typename F>
Failure failure_of(F&& f) {
  try {
    f();
  } catch (const aws::AwsError& e) {
    return {e.code(), e.message(), e.http_status()};
  }
  return {};
}

// Fixed keys for the project's clients.
class Keys : public aws::CredentialsProvider {
 public:
  Keys(std::string access, std::string secret, std::string token)
      : access_(std::move(access)), secret_(std::move(secret)), token_(std::move(token)) {}
  aws::Credentials credentials() override {
    return {access_, secret_, token_, std::nullopt, "test"};
  }

 private:
  std::string access_, secret_, token_;
};

// An endpoint with an issuer registered (audience sts.amazonaws.com) and a role "deploy" that
// trusts the issuer's tokens for main of octo/app, as GitHub Actions' OIDC setups do.
class WebIdentity : public ::testing::Test {
 protected:
  WebIdentity() : dir_("web-identity") {
    EndpointOptions options;
    options.server.port = 0;
    options.data_dir = dir_.path() / "data";
    endpoint_ = std::make_unique<Endpoint>(options);
    endpoint_->start();
    iam_.emplace(test::client_config(endpoint_->url()));
    iam_raw_.emplace(aws::kIam, test::client_config(endpoint_->url()));
    register_provider(issuer_, {"sts.amazonaws.com"});
    create_role("deploy", trust_policy(issuer_.host(), "repo:octo/app:*"));
  }

  void register_provider(const test::OidcIssuer& issuer,
                         const std::vector<std::string>& audiences) {
    iam_raw_->call(kCreateProvider,
                   aws::Call{.input = {{"Url", issuer.url()}, {"ClientIDList", audiences}}});
  }

  static json trust_policy(const std::string& provider, const std::string& subject) {
    return {{"Version", "2012-10-17"},
            {"Statement",
             json::array({{{"Effect", "Allow"},
                           {"Principal",
                            {{"Federated", "arn:aws:iam::000000000000:oidc-provider/" + provider}}},
                           {"Action", "sts:AssumeRoleWithWebIdentity"},
                           {"Condition",
                            {{"StringEquals", {{provider + ":aud", "sts.amazonaws.com"}}},
                             {"StringLike", {{provider + ":sub", subject}}}}}}})}};
  }

  void create_role(const std::string& name, const json& trust) {
    iam_->create_role({{"RoleName", name}, {"AssumeRolePolicyDocument", trust}});
  }

  // An unsigned STS client, as a web identity caller has no keys yet.
  aws::StsClient anonymous() const {
    aws::ClientConfig config = test::client_config(endpoint_->url());
    config.credentials = nullptr;
    return aws::StsClient(config);
  }

  json assume(const std::string& token, const std::string& role = kRole) const {
    return anonymous().assume_role_with_web_identity(
        {{"RoleArn", role}, {"RoleSessionName", "gha-1"}, {"WebIdentityToken", token}});
  }

  Failure refused(const std::string& token, const std::string& role = kRole) const {
    return failure_of([&] { assume(token, role); });
  }

  test::TempDir dir_;
  std::unique_ptr<Endpoint> endpoint_;
  std::optional<aws::IamClient> iam_;
  std::optional<aws::Client> iam_raw_;
  test::OidcIssuer issuer_;
};

TEST_F(WebIdentity, ASignedTokenForTheTrustedSubjectGetsWorkingCredentials) {
  for (const std::string alg : {"RS256", "ES256"}) {
    json assumed = assume(issuer_.token(issuer_.claims("sts.amazonaws.com", kSubject), alg));
    EXPECT_EQ(assumed["SubjectFromWebIdentityToken"], kSubject);
    EXPECT_EQ(assumed["Audience"], "sts.amazonaws.com");
    EXPECT_EQ(assumed["Provider"], issuer_.url());
    EXPECT_EQ(assumed["AssumedRoleUser"]["Arn"],
              "arn:aws:sts::000000000000:assumed-role/deploy/gha-1");
    const json& creds = assumed["Credentials"];
    aws::ClientConfig config = test::client_config(endpoint_->url());
    config.credentials = std::make_shared<Keys>(creds["AccessKeyId"], creds["SecretAccessKey"],
                                                creds["SessionToken"]);
    json identity = aws::StsClient(config).get_caller_identity();
    EXPECT_EQ(identity["Arn"], "arn:aws:sts::000000000000:assumed-role/deploy/gha-1") << alg;
  }
  EXPECT_GT(issuer_.fetches(), 0u);
}

TEST_F(WebIdentity, UnsignedAndHmacTokensAreRefused) {
  const json claims = issuer_.claims("sts.amazonaws.com", kSubject);
  // alg none: no signature at all.
  Failure none = refused(issuer_.sign({{"alg", "none"}, {"typ", "JWT"}}, claims));
  EXPECT_EQ(none.code, "InvalidIdentityToken");
  EXPECT_EQ(none.status, 400);
  // HS256 keyed with what the issuer publishes (the classic algorithm confusion).
  Failure hmac =
      refused(issuer_.sign({{"alg", "HS256"}, {"kid", "rsa-1"}}, claims, issuer_.jwks().dump()));
  EXPECT_EQ(hmac.code, "InvalidIdentityToken");
  // Not a JWT.
  EXPECT_EQ(refused("not-a-jwt").code, "InvalidIdentityToken");
}

TEST_F(WebIdentity, ABadSignatureIsRefused) {
  const std::string token = issuer_.token(issuer_.claims("sts.amazonaws.com", kSubject));
  // The claims changed after signing (another subject), the signature kept.
  json other = issuer_.claims("sts.amazonaws.com", "repo:octo/app:ref:refs/heads/evil");
  const std::string forged = token.substr(0, token.find('.')) + "." +
                             test::OidcIssuer::base64url(other.dump()) +
                             token.substr(token.rfind('.'));
  Failure tampered = refused(forged);
  EXPECT_EQ(tampered.code, "InvalidIdentityToken");
  EXPECT_NE(tampered.message.find("could not be validated"), std::string::npos) << tampered.message;
  // Signed by another key under the same kid and issuer.
  test::OidcIssuer impostor;
  json claims = issuer_.claims("sts.amazonaws.com", kSubject);
  EXPECT_EQ(refused(impostor.token(claims)).code, "InvalidIdentityToken");
  EXPECT_EQ(refused(impostor.token(claims, "ES256")).code, "InvalidIdentityToken");
}

TEST_F(WebIdentity, TheWrongAudienceAnExpiredTokenAndAFutureOneAreRefused) {
  Failure audience = refused(issuer_.token(issuer_.claims("someone-else", kSubject)));
  EXPECT_EQ(audience.code, "InvalidIdentityToken");
  EXPECT_EQ(audience.message, "Incorrect token audience");

  json expired = issuer_.claims("sts.amazonaws.com", kSubject);
  expired["iat"] = expired["iat"].get<long long>() - 600;
  expired["exp"] = expired["iat"].get<long long>() + 300;
  Failure late = refused(issuer_.token(expired));
  EXPECT_EQ(late.code, "ExpiredTokenException");
  EXPECT_EQ(late.status, 400);
  EXPECT_NE(late.message.find("Token expired: current date/time"), std::string::npos)
      << late.message;

  json early = issuer_.claims("sts.amazonaws.com", kSubject);
  early["nbf"] = early["iat"].get<long long>() + 3600;
  early["exp"] = early["iat"].get<long long>() + 7200;
  EXPECT_EQ(refused(issuer_.token(early)).code, "InvalidIdentityToken");

  json endless = issuer_.claims("sts.amazonaws.com", kSubject);
  endless.erase("exp");
  EXPECT_EQ(refused(issuer_.token(endless)).code, "InvalidIdentityToken");
}

TEST_F(WebIdentity, AnIssuerNotRegisteredOrUnreachableIsRefused) {
  test::OidcIssuer stranger;
  Failure unknown = refused(stranger.token(stranger.claims("sts.amazonaws.com", kSubject)));
  EXPECT_EQ(unknown.code, "InvalidIdentityToken");
  EXPECT_EQ(unknown.message,
            "No OpenIDConnect provider found in your account for " + stranger.url());

  // Registered, but its keys cannot be fetched.
  auto gone = std::make_unique<test::OidcIssuer>();
  register_provider(*gone, {"sts.amazonaws.com"});
  const std::string token = gone->token(gone->claims("sts.amazonaws.com", kSubject));
  gone->stop();
  Failure unreachable = refused(token);
  EXPECT_EQ(unreachable.code, "InvalidIdentityToken");
  EXPECT_NE(unreachable.message.find("Couldn't retrieve verification key"), std::string::npos)
      << unreachable.message;
}

TEST_F(WebIdentity, ARoleThatDoesNotTrustTheTokenIsNotAssumed) {
  const std::string token = issuer_.token(issuer_.claims("sts.amazonaws.com", kSubject));
  // Another repository's subject.
  create_role("other", trust_policy(issuer_.host(), "repo:someone/else:*"));
  Failure subject = refused(token, "arn:aws:iam::000000000000:role/other");
  EXPECT_EQ(subject.code, "AccessDenied");
  EXPECT_EQ(subject.status, 403);
  EXPECT_EQ(subject.message, "Not authorized to perform sts:AssumeRoleWithWebIdentity");
  // Another provider.
  create_role("elsewhere", trust_policy("token.actions.githubusercontent.com", "repo:octo/app:*"));
  EXPECT_EQ(refused(token, "arn:aws:iam::000000000000:role/elsewhere").code, "AccessDenied");
  // No such role.
  EXPECT_EQ(refused(token, "arn:aws:iam::000000000000:role/missing").code, "AccessDenied");
}

TEST_F(WebIdentity, TheAwsCliAssumesTheRoleWithASignedToken) {
  if (!test::aws_cli_available()) GTEST_SKIP() << "/usr/bin/aws (Debian's awscli) is not installed";
  const std::string token = issuer_.token(issuer_.claims("sts.amazonaws.com", kSubject));
  auto run = test::run_aws_cli(endpoint_->url(),
                               {"sts", "assume-role-with-web-identity", "--role-arn", kRole,
                                "--role-session-name", "cli", "--web-identity-token", token});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.json()["AssumedRoleUser"]["Arn"],
            "arn:aws:sts::000000000000:assumed-role/deploy/cli");
  json none = issuer_.claims("sts.amazonaws.com", kSubject);
  auto refused_run = test::run_aws_cli(
      endpoint_->url(),
      {"sts", "assume-role-with-web-identity", "--role-arn", kRole, "--role-session-name", "cli",
       "--web-identity-token", issuer_.sign({{"alg", "none"}}, none)});
  EXPECT_NE(refused_run.exit_code, 0);
  EXPECT_NE(refused_run.err.find("(InvalidIdentityToken)"), std::string::npos) << refused_run.err;
}

TEST_F(WebIdentity, TheCredentialsChainTradesATokenFileForTheRole) {
  const std::filesystem::path file = dir_.path() / "token";
  std::ofstream(file) << issuer_.token(issuer_.claims("sts.amazonaws.com", kSubject)) << "\n";
  const std::map<std::string, std::string> env = {{"AWS_WEB_IDENTITY_TOKEN_FILE", file.string()},
                                                  {"AWS_ROLE_ARN", kRole},
                                                  {"AWS_ROLE_SESSION_NAME", "chain"},
                                                  {"AWS_ENDPOINT_URL_STS", endpoint_->url()},
                                                  {"HOME", dir_.path().string()}};
  aws::ChainOptions options;
  options.env = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  options.config = std::make_shared<aws::SharedConfig>();
  options.region = "us-east-1";
  aws::Credentials creds = aws::make_credentials_chain(options)->credentials();
  EXPECT_TRUE(creds.access_key_id.starts_with("ASIA")) << creds.access_key_id;
  aws::ClientConfig config = test::client_config(endpoint_->url());
  config.credentials =
      std::make_shared<Keys>(creds.access_key_id, creds.secret_access_key, creds.session_token);
  EXPECT_EQ(aws::StsClient(config).get_caller_identity()["Arn"],
            "arn:aws:sts::000000000000:assumed-role/deploy/chain");

  // An unsigned token in the file gets no credentials.
  std::ofstream(file) << issuer_.sign({{"alg", "none"}},
                                      issuer_.claims("sts.amazonaws.com", kSubject));
  EXPECT_THROW(aws::make_credentials_chain(options)->credentials(), std::exception);
}

TEST_F(WebIdentity, IamKeepsOpenIdConnectProvidersAsIamDoes) {
  json list = iam_raw_->call(kListProviders, aws::Call{}).output;
  const std::string arn = "arn:aws:iam::000000000000:oidc-provider/" + issuer_.host();
  ASSERT_NE(list.dump().find(arn), std::string::npos) << list.dump();
  json got =
      iam_raw_->call(kGetProvider, aws::Call{.input = {{"OpenIDConnectProviderArn", arn}}}).output;
  EXPECT_EQ(got["Url"], issuer_.host());  // IAM gives the URL without its scheme
  EXPECT_NE(got.dump().find("sts.amazonaws.com"), std::string::npos) << got.dump();

  Failure again = failure_of([&] { register_provider(issuer_, {"sts.amazonaws.com"}); });
  EXPECT_EQ(again.code, "EntityAlreadyExists");
  EXPECT_EQ(again.status, 409);
  auto create = [&](const std::string& url) {
    return failure_of([&] { iam_raw_->call(kCreateProvider, aws::Call{.input = {{"Url", url}}}); });
  };
  EXPECT_EQ(create("http://issuer.example.com").code, "InvalidInput");
  EXPECT_EQ(create("https://issuer.example.com:8443").code, "InvalidInput");
  EXPECT_EQ(create("https://issuer.example.com?x=1").code, "InvalidInput");
  EXPECT_EQ(create("issuer.example.com").code, "ValidationError");

  iam_raw_->call(kDeleteProvider, aws::Call{.input = {{"OpenIDConnectProviderArn", arn}}});
  iam_raw_->call(kDeleteProvider, aws::Call{.input = {{"OpenIDConnectProviderArn", arn}}});
  Failure missing = failure_of([&] {
    iam_raw_->call(kGetProvider, aws::Call{.input = {{"OpenIDConnectProviderArn", arn}}});
  });
  EXPECT_EQ(missing.code, "NoSuchEntity");
  // And with it gone, its tokens get nothing.
  EXPECT_EQ(refused(issuer_.token(issuer_.claims("sts.amazonaws.com", kSubject))).code,
            "InvalidIdentityToken");
}

TEST(TrustPolicy, ConditionsAreEvaluatedAsIamDoes) {
  const std::string provider = "arn:aws:iam::1:oidc-provider/idp.example";
  FederatedCaller caller{provider,
                         {{"idp.example:aud", {"sts.amazonaws.com"}},
                          {"idp.example:sub", {"repo:octo/app:ref:refs/heads/main"}}}};
  auto policy = [&](const json& statement) {
    return json{{"Version", "2012-10-17"}, {"Statement", json::array({statement})}}.dump();
  };
  json allow = {{"Effect", "Allow"},
                {"Principal", {{"Federated", provider}}},
                {"Action", "sts:AssumeRoleWithWebIdentity"}};
  EXPECT_TRUE(trust_allows_web_identity(policy(allow), caller));
  json like = allow;
  like["Condition"] = {{"StringLike", {{"idp.example:sub", "repo:octo/*:ref:refs/heads/ma?n"}}}};
  EXPECT_TRUE(trust_allows_web_identity(policy(like), caller));
  like["Condition"]["StringLike"]["idp.example:sub"] = "repo:octo/other:*";
  EXPECT_FALSE(trust_allows_web_identity(policy(like), caller));
  json unknown = allow;
  unknown["Condition"] = {{"DateGreaterThan", {{"aws:CurrentTime", "2020-01-01T00:00:00Z"}}}};
  EXPECT_FALSE(trust_allows_web_identity(policy(unknown), caller));  // unsure means no
  json missing_key = allow;
  missing_key["Condition"] = {{"StringEquals", {{"idp.example:email", "a@b"}}}};
  EXPECT_FALSE(trust_allows_web_identity(policy(missing_key), caller));
  json other_action = allow;
  other_action["Action"] = "sts:AssumeRole";
  EXPECT_FALSE(trust_allows_web_identity(policy(other_action), caller));
  json wildcard = allow;
  wildcard["Action"] = json::array({"sts:Assume*"});
  EXPECT_TRUE(trust_allows_web_identity(policy(wildcard), caller));
  json deny = allow;
  deny["Effect"] = "Deny";
  EXPECT_FALSE(
      trust_allows_web_identity(json{{"Statement", json::array({allow, deny})}}.dump(), caller));
  EXPECT_TRUE(iam_like("a*b?d", "axxbcd"));
  EXPECT_TRUE(iam_like("*", "*a"));
  EXPECT_FALSE(iam_like("a*b", "axxc"));
}

TEST(WebIdentityToken, OnlyAsymmetricAlgorithmsAreAccepted) {
  EXPECT_EQ(signature_digest("RS256"), "SHA256");
  EXPECT_EQ(signature_digest("ES384"), "SHA384");
  EXPECT_FALSE(signature_digest("none"));
  EXPECT_FALSE(signature_digest("HS256"));
  EXPECT_FALSE(signature_digest("PS256"));
  EXPECT_FALSE(signature_digest("RS1"));
  EXPECT_TRUE(fetchable_url("https://token.actions.githubusercontent.com"));
  EXPECT_TRUE(fetchable_url("http://127.0.0.1:8080/issuer"));
  EXPECT_TRUE(fetchable_url("http://localhost:8080"));
  EXPECT_FALSE(fetchable_url("http://issuer.example.com"));
  EXPECT_FALSE(fetchable_url("http://127.0.0.1@evil.example.com"));
  EXPECT_FALSE(fetchable_url("file:///etc/passwd"));
}

}  // namespace
}  // namespace ld::local
