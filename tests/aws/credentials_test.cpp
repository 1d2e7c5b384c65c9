// The credentials chain: each provider against written files, an injected environment and real
// loopback servers standing in for STS, the container endpoint and IMDS.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "aws/credentials_chain.hpp"
#include "aws/error.hpp"
#include "core/encoding.hpp"
#include "core/strings.hpp"
#include "support/loopback_server.hpp"
#include "support/temp_dir.hpp"

namespace ld::aws {
namespace {

namespace fs = std::filesystem;
using TempHome = test::TempDir;
using namespace std::chrono_literals;
using test::LoopbackServer;
using test::ReceivedRequest;
using test::Step;

const Timestamp kNow = *parse_iso8601("2024-05-01T12:00:00Z");

// A clock the test moves.
struct TestClock {
  std::shared_ptr<Timestamp> now = std::make_shared<Timestamp>(kNow);
  NowFn fn() const {
    return [t = now] { return *t; };
  }
  void advance(std::chrono::milliseconds d) { *now += d; }
};

std::shared_ptr<Transport> shared_curl() {
  static auto transport = make_curl_transport();
  return transport;
}

// Options for a chain that sees only `home` and `env` (IMDS off unless the test sets it up).
ChainOptions chain_options(const TempHome& home, std::map<std::string, std::string> env,
                           const TestClock& clock = TestClock{}) {
  env.emplace("HOME", home.path().string());
  env.emplace("AWS_EC2_METADATA_DISABLED", "true");
  ChainOptions o;
  o.env = environment_from(std::move(env));
  o.transport = shared_curl();
  o.metadata_transport = shared_curl();
  o.now = clock.fn();
  o.region = "eu-west-1";
  return o;
}

Credentials resolve(ChainOptions options) {
  return make_credentials_chain(std::move(options))->credentials();
}

std::string error_of(ChainOptions options) {
  try {
    make_credentials_chain(std::move(options))->credentials();
  } catch (const CredentialsError& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Decoded fields of a form body.
std::map<std::string, std::string> form_fields(const std::string& body) {
  std::map<std::string, std::string> out;
  for (const auto& pair : split(body, '&')) {
    auto eq = pair.find('=');
    out[uri_decode(pair.substr(0, eq), true)] =
        eq == std::string::npos ? "" : uri_decode(pair.substr(eq + 1), true);
  }
  return out;
}

std::string sts_answer(const std::string& action, const std::string& key_id,
                       const std::string& expiration = "2024-05-01T13:00:00Z") {
  return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action +
         "Result><Credentials><AccessKeyId>" + key_id + "</AccessKeyId><SecretAccessKey>secret-" +
         key_id + "</SecretAccessKey><SessionToken>token-" + key_id +
         "</SessionToken><Expiration>" + expiration +
         "</Expiration></Credentials><AssumedRoleUser><Arn>arn:x</Arn>" +
         "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></" + action +
         "Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></" + action +
         "Response>";
}

// A fake STS: answers AssumeRole and AssumeRoleWithWebIdentity with keys "ASIA1", "ASIA2", ...
struct FakeSts {
  std::atomic<int> served{0};
  std::string expiration = "2024-05-01T13:00:00Z";
  LoopbackServer server{[this](const ReceivedRequest& r) {
    auto form = form_fields(r.body);
    return Step::respond(200,
                         sts_answer(form["Action"], "ASIA" + std::to_string(++served), expiration),
                         {{"Content-Type", "text/xml"}});
  }};
};

// ---- environment and explicit keys ----

TEST(EnvironmentProvider, ReadsKeysTokenAndExpiration) {
  EnvironmentProvider p(environment_from({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                          {"AWS_SECRET_ACCESS_KEY", "secretenv"},
                                          {"AWS_SESSION_TOKEN", "tokenenv"},
                                          {"AWS_CREDENTIAL_EXPIRATION", "2024-05-01T13:00:00Z"}}));
  Credentials c = p.credentials();
  EXPECT_EQ(c.access_key_id, "AKIDENV");
  EXPECT_EQ(c.secret_access_key, "secretenv");
  EXPECT_EQ(c.session_token, "tokenenv");
  EXPECT_EQ(c.expiration, kNow + 1h);
  EXPECT_EQ(c.source, "environment");
}

TEST(EnvironmentProvider, OneKeyWithoutTheOtherNamesTheMissingVariable) {
  try {
    EnvironmentProvider(environment_from({{"AWS_ACCESS_KEY_ID", "AKID"}})).credentials();
    FAIL();
  } catch (const CredentialsNotFound&) {
    FAIL() << "a half-set pair must stop the chain";
  } catch (const CredentialsError& e) {
    EXPECT_EQ(std::string(e.what()),
              "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or neither");
  }
  try {
    EnvironmentProvider(environment_from({{"AWS_SECRET_ACCESS_KEY", "s"}})).credentials();
    FAIL();
  } catch (const CredentialsError& e) {
    EXPECT_EQ(std::string(e.what()),
              "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both, or neither");
  }
  EXPECT_THROW(EnvironmentProvider(environment_from({})).credentials(), CredentialsNotFound);
}

TEST(Chain, ExplicitKeysComeFirst) {
  TempHome home;
  auto o = chain_options(home, {{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "s"}});
  o.explicit_credentials = Credentials{"AKIDEXPLICIT", "sx", "", std::nullopt, ""};
  Credentials c = resolve(o);
  EXPECT_EQ(c.access_key_id, "AKIDEXPLICIT");
  EXPECT_EQ(c.source, "explicit keys");
  o.explicit_credentials = Credentials{"AKIDEXPLICIT", "", "", std::nullopt, ""};
  EXPECT_EQ(error_of(o),
            "explicit credentials need both an access key id and a secret access key; the secret "
            "access key is missing");
}

TEST(Chain, EnvironmentBeatsTheProfileUnlessAProfileIsGivenOnTheCommandLine) {
  TempHome home;
  home.credentials(
      "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n"
      "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s2\n");
  std::map<std::string, std::string> env{{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                         {"AWS_SECRET_ACCESS_KEY", "senv"}};
  EXPECT_EQ(resolve(chain_options(home, env)).access_key_id, "AKIDENV");
  // AWS_PROFILE picks the profile, but the environment's keys still win (as in the AWS CLI).
  auto with_profile_var = env;
  with_profile_var["AWS_PROFILE"] = "dev";
  EXPECT_EQ(resolve(chain_options(home, with_profile_var)).access_key_id, "AKIDENV");
  // --profile takes the environment's keys out of the chain.
  auto o = chain_options(home, env);
  o.profile = "dev";
  Credentials c = resolve(o);
  EXPECT_EQ(c.access_key_id, "AKIDDEV");
  EXPECT_EQ(c.source, "profile 'dev' (" + (home.path() / ".aws/credentials").string() + ")");
  // Without environment keys, AWS_PROFILE chooses.
  EXPECT_EQ(resolve(chain_options(home, {{"AWS_PROFILE", "dev"}})).access_key_id, "AKIDDEV");
  EXPECT_EQ(resolve(chain_options(home, {})).access_key_id, "AKIDDEFAULT");
}

// ---- static keys in the shared files ----

TEST(ProfileProvider, CredentialsFileBeatsConfigFile) {
  TempHome home;
  home.config(
      "[default]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = sc\n"
      "[profile config-only]\naws_access_key_id = AKIDCO\naws_secret_access_key = sco\n"
      "aws_session_token = tco\n");
  home.credentials("[default]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = scr\n");
  Credentials c = resolve(chain_options(home, {}));
  EXPECT_EQ(c.access_key_id, "AKIDCREDS");
  EXPECT_EQ(c.secret_access_key, "scr");
  c = resolve(chain_options(home, {{"AWS_PROFILE", "config-only"}}));
  EXPECT_EQ(c.access_key_id, "AKIDCO");
  EXPECT_EQ(c.session_token, "tco");
  EXPECT_EQ(c.source, "profile 'config-only' (" + (home.path() / ".aws/config").string() + ")");
  EXPECT_FALSE(c.expiration.has_value());
}

TEST(ProfileProvider, HalfAKeyPairNamesTheFileAndLine) {
  TempHome home;
  home.credentials("[default]\n# no secret\naws_access_key_id = AKID\n");
  EXPECT_EQ(error_of(chain_options(home, {})),
            "profile 'default' has aws_access_key_id (" +
                (home.path() / ".aws/credentials").string() +
                " line 3) but no aws_secret_access_key; set both");
}

TEST(ProfileProvider, ProfileAskedForByNameMustExist) {
  TempHome home;
  home.credentials("[default]\naws_access_key_id = A\naws_secret_access_key = s\n[ci]\n");
  home.config("[profile dev]\nregion = eu-west-1\n");
  std::string e = error_of(chain_options(home, {{"AWS_PROFILE", "prod"}}));
  EXPECT_EQ(e, "profile 'prod' is not in " + (home.path() / ".aws/config").string() + ", " +
                   (home.path() / ".aws/credentials").string() +
                   "; the profiles there are: ci, default, dev");
}

TEST(ProfileProvider, ProfileFilesFromTheEnvironment) {
  TempHome home;
  auto creds =
      home.write("elsewhere/creds", "[x]\naws_access_key_id = AKIDX\naws_secret_access_key = s\n");
  auto config = home.write("elsewhere/config", "[profile y]\nsource_profile = x\n");
  auto o = chain_options(home, {{"AWS_SHARED_CREDENTIALS_FILE", creds.string()},
                                {"AWS_CONFIG_FILE", config.string()},
                                {"AWS_PROFILE", "x"}});
  EXPECT_EQ(resolve(o).access_key_id, "AKIDX");
}

// ---- credential_process ----

TEST(ProcessProvider, RunsTheCommandAndReadsItsJson) {
  TempHome home;
  home.config(
      "[default]\ncredential_process = printf '%s' '{\"Version\": 1, \"AccessKeyId\": "
      "\"AKIDPROC\", \"SecretAccessKey\": \"sproc\", \"SessionToken\": \"tproc\", "
      "\"Expiration\": \"2024-05-01T12:30:00Z\"}'\n");
  Credentials c = resolve(chain_options(home, {}));
  EXPECT_EQ(c.access_key_id, "AKIDPROC");
  EXPECT_EQ(c.secret_access_key, "sproc");
  EXPECT_EQ(c.session_token, "tproc");
  EXPECT_EQ(c.expiration, kNow + 30min);
  EXPECT_EQ(c.source, "credential_process (profile 'default')");
}

TEST(ProcessProvider, StaticKeysInTheCredentialsFileBeatItAndItBeatsTheConfigFile) {
  TempHome home;
  std::string process =
      "credential_process = echo '{\"Version\":1,\"AccessKeyId\":\"AKIDPROC\","
      "\"SecretAccessKey\":\"s\"}'\n";
  home.config("[default]\n" + process +
              "aws_access_key_id = AKIDCONFIG\naws_secret_access_key = s\n");
  EXPECT_EQ(resolve(chain_options(home, {})).access_key_id, "AKIDPROC");
  home.credentials("[default]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = s\n");
  EXPECT_EQ(resolve(chain_options(home, {})).access_key_id, "AKIDCREDS");
}

TEST(ProcessProvider, FailuresAreClearErrors) {
  auto error = [](const std::string& command) {
    try {
      ProcessProvider(command, "profile 'p'").credentials();
    } catch (const CredentialsError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("echo 'token expired, run aws sso login' >&2; exit 3"),
            "credential_process of profile 'p' (`echo 'token expired, run aws sso login' >&2; "
            "exit 3`) failed with exit status 3; it said: token expired, run aws sso login");
  EXPECT_EQ(error("echo not json"),
            "credential_process of profile 'p' (`echo not json`) printed something that is not a "
            "JSON object: 'not json'");
  EXPECT_EQ(error("echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}'"),
            "credential_process of profile 'p' (`echo '{\"Version\": 2, \"AccessKeyId\": \"A\", "
            "\"SecretAccessKey\": \"s\"}'`) printed Version 2; only Version 1 is supported");
  EXPECT_TRUE(contains(error("echo '{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}'"),
                       "printed JSON without \"Version\": 1"));
  EXPECT_TRUE(contains(error("echo '{\"Version\": 1, \"SecretAccessKey\": \"s\"}'"),
                       "gave no AccessKeyId"));
  EXPECT_TRUE(contains(error("echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": "
                             "\"s\", \"Expiration\": \"tomorrow\"}'"),
                       "gave an Expiration that is not an ISO 8601 time: 'tomorrow'"));
  EXPECT_TRUE(contains(error("/no/such/command-xyz"), "failed with exit status 127; it said:"));
  EXPECT_TRUE(contains(error("kill -9 $$"), "was killed by signal 9"));
}

// ---- assumed roles ----

TEST(AssumeRole, SignedRequestWithTheSourceProfilesKeys) {
  TempHome home;
  FakeSts sts;
  home.config(
      "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n"
      "source_profile = base\nrole_session_name = ci-run-7\nexternal_id = ext-42\n"
      "duration_seconds = 1800\n");
  home.credentials("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = sbase\n");
  TestClock clock;
  auto o = chain_options(
      home, {{"AWS_PROFILE", "deploy"}, {"AWS_ENDPOINT_URL_STS", sts.server.url()}}, clock);
  auto chain = make_credentials_chain(o);
  Credentials c = chain->credentials();
  EXPECT_EQ(c.access_key_id, "ASIA1");
  EXPECT_EQ(c.secret_access_key, "secret-ASIA1");
  EXPECT_EQ(c.session_token, "token-ASIA1");
  EXPECT_EQ(c.expiration, kNow + 1h);
  EXPECT_EQ(
      c.source,
      "profile 'deploy' (role arn:aws:iam::123456789012:role/deployer, from profile 'base' (" +
          (home.path() / ".aws/credentials").string() + "))");

  auto requests = sts.server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const ReceivedRequest& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/");
  EXPECT_EQ(r.header("Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  auto form = form_fields(r.body);
  EXPECT_EQ(form, (std::map<std::string, std::string>{
                      {"Action", "AssumeRole"},
                      {"Version", "2011-06-15"},
                      {"RoleArn", "arn:aws:iam::123456789012:role/deployer"},
                      {"RoleSessionName", "ci-run-7"},
                      {"ExternalId", "ext-42"},
                      {"DurationSeconds", "1800"}}));
  auto authorization = r.header("Authorization");
  ASSERT_TRUE(authorization.has_value());
  EXPECT_TRUE(contains(*authorization,
                       "AWS4-HMAC-SHA256 Credential=AKIDBASE/20240501/eu-west-1/sts/aws4_request"))
      << *authorization;
  EXPECT_EQ(r.header("X-Amz-Date"), "20240501T120000Z");

  // Cached: a second call within the hour does not ask STS again.
  clock.advance(50min);
  EXPECT_EQ(chain->credentials().access_key_id, "ASIA1");
  EXPECT_EQ(sts.server.request_count(), 1u);
  // Less than 5 minutes left: refreshed.
  clock.advance(6min);
  EXPECT_EQ(chain->credentials().access_key_id, "ASIA2");
  EXPECT_EQ(sts.server.request_count(), 2u);
}

TEST(AssumeRole, DefaultSessionNameAndNoOptionalFields) {
  TempHome home;
  FakeSts sts;
  home.config("[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n");
  home.credentials(
      "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n"
      "aws_session_token = tbase\n");
  resolve(chain_options(home, {{"AWS_ENDPOINT_URL_STS", sts.server.url()}}));
  auto r = sts.server.requests().at(0);
  auto form = form_fields(r.body);
  EXPECT_EQ(form["RoleSessionName"], "lambdeploy-session-1714564800");
  EXPECT_EQ(form.count("ExternalId"), 0u);
  EXPECT_EQ(form.count("DurationSeconds"), 0u);
  // The source's session token travels with the signed request.
  EXPECT_EQ(r.header("X-Amz-Security-Token"), "tbase");
}

TEST(AssumeRole, ChainedRolesUseEachStepsCredentials) {
  TempHome home;
  FakeSts sts;
  home.config(
      "[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = middle\n"
      "[profile middle]\nrole_arn = arn:aws:iam::1:role/middle\nsource_profile = base\n"
      "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n");
  Credentials c = resolve(
      chain_options(home, {{"AWS_PROFILE", "top"}, {"AWS_ENDPOINT_URL_STS", sts.server.url()}}));
  EXPECT_EQ(c.access_key_id, "ASIA2");
  auto requests = sts.server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(form_fields(requests[0].body)["RoleArn"], "arn:aws:iam::1:role/middle");
  EXPECT_TRUE(contains(*requests[0].header("Authorization"), "Credential=AKIDBASE/"));
  EXPECT_EQ(form_fields(requests[1].body)["RoleArn"], "arn:aws:iam::1:role/top");
  EXPECT_TRUE(contains(*requests[1].header("Authorization"), "Credential=ASIA1/"));
  EXPECT_EQ(requests[1].header("X-Amz-Security-Token"), "token-ASIA1");
}

TEST(AssumeRole, LoopsAreRefused) {
  TempHome home;
  home.config(
      "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
      "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n"
      "[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = a\n"
      "[profile self]\nrole_arn = arn:aws:iam::1:role/self\nsource_profile = self\n");
  EXPECT_EQ(error_of(chain_options(home, {{"AWS_PROFILE", "a"}})),
            "profiles name each other as source_profile in a loop: a -> b -> c -> a; the chain "
            "must end at a profile with credentials");
  EXPECT_EQ(error_of(chain_options(home, {{"AWS_PROFILE", "self"}})),
            "profiles name each other as source_profile in a loop: self -> self; the chain must "
            "end at a profile with credentials");
}

TEST(AssumeRole, AProfileMayAssumeItsOwnRoleWithItsOwnKeys) {
  TempHome home;
  FakeSts sts;
  home.config("[profile self]\nrole_arn = arn:aws:iam::1:role/self\nsource_profile = self\n");
  home.credentials("[self]\naws_access_key_id = AKIDSELF\naws_secret_access_key = s\n");
  Credentials c = resolve(
      chain_options(home, {{"AWS_PROFILE", "self"}, {"AWS_ENDPOINT_URL_STS", sts.server.url()}}));
  EXPECT_EQ(c.access_key_id, "ASIA1");
  EXPECT_TRUE(
      contains(*sts.server.requests().at(0).header("Authorization"), "Credential=AKIDSELF/"));
}

TEST(AssumeRole, StsErrorNamesProfileRoleCodeAndMessage) {
  TempHome home;
  LoopbackServer sts;
  sts.script({Step::respond(
      403,
      "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</"
      "Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::1:user/me is not authorized to "
      "perform: sts:AssumeRole</Message></Error><RequestId>r-9</RequestId></ErrorResponse>",
      {{"Content-Type", "text/xml"}})});
  home.config(
      "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
      "[profile base]\naws_access_key_id = A\naws_secret_access_key = s\n");
  EXPECT_EQ(error_of(chain_options(home, {{"AWS_ENDPOINT_URL_STS", sts.url()}})),
            "assuming role arn:aws:iam::1:role/r for profile 'default' failed: STS answered "
            "AccessDenied: User: arn:aws:iam::1:user/me is not authorized to perform: "
            "sts:AssumeRole (HTTP 403)");
  sts.script({Step::respond(503, "<html>busy</html>")});
  EXPECT_EQ(error_of(chain_options(home, {{"AWS_ENDPOINT_URL_STS", sts.url()}})),
            "assuming role arn:aws:iam::1:role/r for profile 'default' failed: STS at " +
                sts.url() + " answered HTTP 503: <html>busy</html>");
  sts.script({Step::respond(200, "<Other/>")});
  EXPECT_TRUE(contains(error_of(chain_options(home, {{"AWS_ENDPOINT_URL_STS", sts.url()}})),
                       "did not answer with an AssumeRoleResponse document: <Other/>"));
}

TEST(AssumeRole, UnreachableStsIsAnError) {
  TempHome home;
  int port;
  {
    LoopbackServer gone;
    port = gone.port();
  }
  home.config(
      "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
      "[profile base]\naws_access_key_id = A\naws_secret_access_key = s\n");
  std::string e = error_of(
      chain_options(home, {{"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:" + std::to_string(port)}}));
  EXPECT_TRUE(contains(e,
                       "assuming role arn:aws:iam::1:role/r for profile 'default' failed: "
                       "could not reach STS at http://127.0.0.1:" +
                           std::to_string(port) + ": "))
      << e;
}

TEST(AssumeRole, MisconfiguredRoleProfilesAreErrors) {
  TempHome home;
  home.config(
      "[profile nosource]\nrole_arn = arn:aws:iam::1:role/r\n"
      "[profile both]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = x\n"
      "credential_source = Environment\n"
      "[profile missing]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = ghost\n"
      "[profile badsource]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Laptop\n"
      "[profile empty-source]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = bare\n"
      "[profile bare]\nregion = eu-west-1\n"
      "[profile mfa]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = bare\nmfa_serial = m\n"
      "[profile duration]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n"
      "duration_seconds = 60\n");
  std::string config = (home.path() / ".aws/config").string();
  auto error = [&](const std::string& profile) {
    return error_of(chain_options(home, {{"AWS_PROFILE", profile}}));
  };
  EXPECT_EQ(error("nosource"), "profile 'nosource' has role_arn (" + config +
                                   " line 2) but no source_profile or credential_source to "
                                   "assume it with");
  EXPECT_EQ(error("both"), "profile 'both' sets both source_profile (" + config +
                               " line 5) and credential_source (" + config + " line 6); keep one");
  EXPECT_EQ(error("missing"), "profile 'missing' names source_profile 'ghost' (" + config +
                                  " line 9), which is in neither " + config + " nor " +
                                  (home.path() / ".aws/credentials").string());
  EXPECT_EQ(error("badsource"), "profile 'badsource' has credential_source 'Laptop' (" + config +
                                    " line 12); expected Environment, Ec2InstanceMetadata or "
                                    "EcsContainer");
  EXPECT_TRUE(contains(error("empty-source"),
                       "source profile 'bare' (of profile 'empty-source') has no credentials"));
  EXPECT_TRUE(contains(error("mfa"), "profile 'mfa' needs an MFA code (mfa_serial"));
  EXPECT_TRUE(
      contains(error("duration"), "has duration_seconds '60' (" + config +
                                      " line 25); expected a number of seconds from 900 to 43200"));
}

TEST(AssumeRole, CredentialSourceEnvironment) {
  TempHome home;
  FakeSts sts;
  home.config("[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\ncredential_source = Environment\n");
  auto o = chain_options(home, {{"AWS_ENDPOINT_URL_STS", sts.server.url()},
                                {"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                {"AWS_SECRET_ACCESS_KEY", "s"}});
  o.profile = "ci";  // --profile: the environment's keys are only the role's source
  Credentials c = resolve(o);
  EXPECT_EQ(c.access_key_id, "ASIA1");
  EXPECT_TRUE(
      contains(*sts.server.requests().at(0).header("Authorization"), "Credential=AKIDENV/"));
  // Without keys in the environment, the profile's source has none: an error, not a fall-through.
  auto without = chain_options(home, {{"AWS_ENDPOINT_URL_STS", sts.server.url()}});
  without.profile = "ci";
  EXPECT_EQ(error_of(without),
            "profile 'ci' takes its source credentials from Environment, which has none: "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
}

// ---- web identity ----

TEST(WebIdentity, FromTheEnvironmentUnsigned) {
  TempHome home;
  FakeSts sts;
  auto token = home.write("token", "eyJhbGciOiJSUzI1NiJ9.payload.sig\n");
  Credentials c = resolve(chain_options(home, {{"AWS_WEB_IDENTITY_TOKEN_FILE", token.string()},
                                               {"AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa"},
                                               {"AWS_ROLE_SESSION_NAME", "pod-1"},
                                               {"AWS_ENDPOINT_URL_STS", sts.server.url()}}));
  EXPECT_EQ(c.access_key_id, "ASIA1");
  EXPECT_EQ(c.source, "web identity (environment, role arn:aws:iam::1:role/irsa)");
  auto r = sts.server.requests().at(0);
  EXPECT_FALSE(r.header("Authorization").has_value());
  EXPECT_FALSE(r.header("X-Amz-Security-Token").has_value());
  EXPECT_EQ(form_fields(r.body), (std::map<std::string, std::string>{
                                     {"Action", "AssumeRoleWithWebIdentity"},
                                     {"Version", "2011-06-15"},
                                     {"RoleArn", "arn:aws:iam::1:role/irsa"},
                                     {"RoleSessionName", "pod-1"},
                                     {"WebIdentityToken", "eyJhbGciOiJSUzI1NiJ9.payload.sig"}}));
}

TEST(WebIdentity, ComesBeforeTheProfileButAfterEnvironmentKeys) {
  TempHome home;
  FakeSts sts;
  auto token = home.write("token", "tok");
  home.credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  std::map<std::string, std::string> env{{"AWS_WEB_IDENTITY_TOKEN_FILE", token.string()},
                                         {"AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa"},
                                         {"AWS_ENDPOINT_URL_STS", sts.server.url()}};
  EXPECT_EQ(resolve(chain_options(home, env)).access_key_id, "ASIA1");
  env["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  env["AWS_SECRET_ACCESS_KEY"] = "s";
  EXPECT_EQ(resolve(chain_options(home, env)).access_key_id, "AKIDENV");
}

TEST(WebIdentity, HalfConfigured) {
  TempHome home;
  home.credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  // A role without a token file: not web identity; the chain moves on.
  EXPECT_EQ(resolve(chain_options(home, {{"AWS_ROLE_ARN", "arn:aws:iam::1:role/x"}})).access_key_id,
            "AKIDFILE");
  // A token file without a role: an error.
  EXPECT_EQ(error_of(chain_options(home, {{"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"}})),
            "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; set the ARN of the role "
            "to assume with the token");
  // A token file that is not there.
  std::string missing = (home.path() / "nope").string();
  EXPECT_EQ(error_of(chain_options(home, {{"AWS_WEB_IDENTITY_TOKEN_FILE", missing},
                                          {"AWS_ROLE_ARN", "arn:aws:iam::1:role/x"}})),
            "cannot read web identity token file " + missing + ": No such file or directory");
}

TEST(WebIdentity, FromTheProfile) {
  TempHome home;
  FakeSts sts;
  auto token = home.write("token", "profile-token");
  home.config("[profile gha]\nweb_identity_token_file = " + token.string() +
              "\nrole_arn = arn:aws:iam::1:role/gha\nrole_session_name = run-5\n");
  Credentials c = resolve(
      chain_options(home, {{"AWS_PROFILE", "gha"}, {"AWS_ENDPOINT_URL_STS", sts.server.url()}}));
  EXPECT_EQ(c.source, "web identity (profile 'gha', role arn:aws:iam::1:role/gha)");
  auto form = form_fields(sts.server.requests().at(0).body);
  EXPECT_EQ(form["WebIdentityToken"], "profile-token");
  EXPECT_EQ(form["RoleSessionName"], "run-5");
  EXPECT_FALSE(sts.server.requests().at(0).header("Authorization").has_value());
}

// ---- container credentials ----

std::string container_json(const std::string& key_id, const std::string& expiration) {
  return R"({"AccessKeyId":")" + key_id + R"(","SecretAccessKey":"s-)" + key_id +
         R"(","Token":"t-)" + key_id + R"(","Expiration":")" + expiration +
         R"(","RoleArn":"arn:aws:iam::1:role/task"})";
}

TEST(Container, FullUriWithAuthorizationToken) {
  TempHome home;
  LoopbackServer agent([](const ReceivedRequest&) {
    return Step::respond(200, container_json("ASIACONTAINER", "2024-05-01T18:00:00Z"),
                         {{"Content-Type", "application/json"}});
  });
  std::string url = agent.url() + "/v1/credentials?id=7";
  Credentials c =
      resolve(chain_options(home, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", url},
                                   {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc"}}));
  EXPECT_EQ(c.access_key_id, "ASIACONTAINER");
  EXPECT_EQ(c.session_token, "t-ASIACONTAINER");
  EXPECT_EQ(c.expiration, kNow + 6h);
  EXPECT_EQ(c.source, "container credentials (" + url + ")");
  auto r = agent.requests().at(0);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/v1/credentials?id=7");
  EXPECT_EQ(r.header("Authorization"), "Basic abc");

  // The token file wins over the token (EKS Pod Identity).
  auto token_file = home.write("eks-token", "from-file\n");
  resolve(chain_options(home, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", url},
                               {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc"},
                               {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file.string()}}));
  EXPECT_EQ(agent.requests().at(1).header("Authorization"), "from-file");
}

// Records requests and answers with a fixed response, for hosts a test cannot listen on.
class RecordingTransport : public Transport {
 public:
  explicit RecordingTransport(HttpResponse answer) : answer_(std::move(answer)) {}
  HttpResponse send(const HttpRequest& request) override {
    requests.push_back(request);
    return answer_;
  }
  std::vector<HttpRequest> requests;

 private:
  HttpResponse answer_;
};

TEST(Container, RelativeUriGoesToTheEcsAgent) {
  TempHome home;
  auto transport = std::make_shared<RecordingTransport>(
      HttpResponse{200, {}, container_json("ASIAECS", "2024-05-01T18:00:00Z")});
  auto o = chain_options(home, {{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"}});
  o.metadata_transport = transport;
  EXPECT_EQ(resolve(o).access_key_id, "ASIAECS");
  ASSERT_EQ(transport->requests.size(), 1u);
  EXPECT_EQ(transport->requests[0].url(), "http://169.254.170.2/v2/credentials/abc");
  EXPECT_FALSE(transport->requests[0].headers.has("Authorization"));
}

TEST(Container, ErrorsStopTheChain) {
  TempHome empty;
  // Plain http to a host that is neither loopback nor an agent.
  EXPECT_EQ(error_of(chain_options(
                empty, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"}})),
            "AWS_CONTAINER_CREDENTIALS_FULL_URI http://example.com/creds uses plain http to host "
            "example.com; http is allowed only to loopback and the ECS / EKS agents "
            "(169.254.170.2, 169.254.170.23): use https");
  LoopbackServer agent;
  agent.script({Step::respond(401, R"({"code":"AccessDenied","message":"bad token"})")});
  auto o = chain_options(empty, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.url() + "/c"}});
  EXPECT_EQ(error_of(o), "the container credentials endpoint " + agent.url() +
                             "/c answered HTTP 401: bad token");
  EXPECT_EQ(error_of(chain_options(empty, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.url()},
                                           {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX: y"}})),
            "the container authorization token contains a line break");
}

// ---- instance metadata ----

// A fake IMDS: IMDSv2 token, one role, credentials that expire after `lifetime`.
struct FakeImds {
  std::atomic<int> issued{0};
  std::string expiration = "2024-05-01T18:00:00Z";
  int token_status = 200;
  LoopbackServer server{[this](const ReceivedRequest& r) {
    if (r.method == "PUT" && r.path == "/latest/api/token")
      return Step::respond(token_status, token_status == 200 ? "imds-token-1" : "");
    if (token_status == 200 && r.header("X-aws-ec2-metadata-token") != "imds-token-1")
      return Step::respond(401, "");
    if (r.path == "/latest/meta-data/iam/security-credentials/")
      return Step::respond(200, "lambdeploy-instance-role\n");
    if (r.path == "/latest/meta-data/iam/security-credentials/lambdeploy-instance-role")
      return Step::respond(200, R"({"Code":"Success","LastUpdated":"2024-05-01T11:00:00Z",)"
                                R"("Type":"AWS-HMAC","AccessKeyId":"ASIAIMDS)" +
                                    std::to_string(++issued) +
                                    R"(","SecretAccessKey":"s","Token":"t","Expiration":")" +
                                    expiration + "\"}");
    return Step::respond(404, "");
  }};
  std::map<std::string, std::string> env() const {
    return {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()},
            {"AWS_EC2_METADATA_DISABLED", "false"}};
  }
};

TEST(InstanceMetadata, TokenThenRoleThenCredentials) {
  TempHome home;
  FakeImds imds;
  Credentials c = resolve(chain_options(home, imds.env()));
  EXPECT_EQ(c.access_key_id, "ASIAIMDS1");
  EXPECT_EQ(c.expiration, kNow + 6h);
  EXPECT_EQ(c.source, "instance metadata (role lambdeploy-instance-role)");
  auto requests = imds.server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].path, "/latest/api/token");
  EXPECT_EQ(requests[0].header("X-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(requests[1].header("X-aws-ec2-metadata-token"), "imds-token-1");
  EXPECT_EQ(requests[2].path,
            "/latest/meta-data/iam/security-credentials/lambdeploy-instance-role");
  EXPECT_EQ(requests[2].header("X-aws-ec2-metadata-token"), "imds-token-1");
}

TEST(InstanceMetadata, FallsBackToV1WhenTheTokenCallIsRefused) {
  TempHome home;
  FakeImds imds;
  imds.token_status = 405;
  EXPECT_EQ(resolve(chain_options(home, imds.env())).access_key_id, "ASIAIMDS1");
  auto requests = imds.server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_FALSE(requests[1].header("X-aws-ec2-metadata-token").has_value());
  // Unless v1 is turned off.
  auto env = imds.env();
  env["AWS_EC2_METADATA_V1_DISABLED"] = "true";
  EXPECT_TRUE(contains(error_of(chain_options(home, env)),
                       "EC2 instance metadata: the IMDSv2 token request was refused (HTTP 405) and "
                       "AWS_EC2_METADATA_V1_DISABLED=true"));
}

TEST(InstanceMetadata, CredentialsAboutToExpireAreFetchedAgain) {
  TempHome home;
  FakeImds imds;
  imds.expiration = "2024-05-01T12:01:00Z";  // one minute left
  TestClock clock;
  auto chain = make_credentials_chain(chain_options(home, imds.env(), clock));
  EXPECT_EQ(chain->credentials().access_key_id, "ASIAIMDS1");
  EXPECT_EQ(chain->credentials().access_key_id, "ASIAIMDS2");
  EXPECT_EQ(imds.server.request_count(), 6u);
  imds.expiration = "2024-05-01T13:00:00Z";  // one hour left
  EXPECT_EQ(chain->credentials().access_key_id, "ASIAIMDS3");
  EXPECT_EQ(chain->credentials().access_key_id, "ASIAIMDS3");
  EXPECT_EQ(imds.server.request_count(), 9u);
}

TEST(InstanceMetadata, NoRoleAttached) {
  TempHome home;
  LoopbackServer imds([](const ReceivedRequest& r) {
    return r.method == "PUT" ? Step::respond(200, "tok") : Step::respond(404, "");
  });
  std::string e = error_of(chain_options(home, {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()},
                                                {"AWS_EC2_METADATA_DISABLED", "no"}}));
  EXPECT_TRUE(contains(
      e, "5. EC2 instance metadata: the instance at " + imds.url() + " has no IAM role attached"))
      << e;
}

// ---- nothing found ----

TEST(Chain, NothingFoundListsEveryPlaceInOrder) {
  TempHome home;
  int port;
  {
    LoopbackServer gone;
    port = gone.port();
  }
  std::string imds = "http://127.0.0.1:" + std::to_string(port);
  std::string e = error_of(chain_options(
      home, {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds}, {"AWS_EC2_METADATA_DISABLED", "false"}}));
  std::string config = (home.path() / ".aws/config").string();
  std::string credentials = (home.path() / ".aws/credentials").string();
  std::string expected_start =
      "no AWS credentials found. Looked at, in order:\n"
      "  1. environment variables: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set\n"
      "  2. web identity (environment): AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set\n"
      "  3. profile 'default' of the shared files: no such profile in " +
      config + " (no such file), " + credentials +
      " (no such file)\n"
      "  4. container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
      "AWS_CONTAINER_CREDENTIALS_FULL_URI are not set\n"
      "  5. EC2 instance metadata: no answer from " +
      imds + " (IMDSv2 token): ";
  EXPECT_EQ(e.substr(0, expected_start.size()), expected_start) << e;
  EXPECT_TRUE(contains(e,
                       "\nSet AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, add keys to a "
                       "profile with `aws configure`, or choose a profile with --profile or "
                       "AWS_PROFILE."));

  // A profile without keys, and IMDS turned off; --profile notes why the environment was skipped.
  home.config("[profile plain]\nregion = eu-west-1\n");
  auto o = chain_options(home, {});
  o.profile = "plain";
  e = error_of(o);
  EXPECT_TRUE(contains(e, "  1. environment variables: not used because --profile was given\n"));
  EXPECT_TRUE(contains(e,
                       "  3. profile 'plain' of the shared files: the profile has none of "
                       "aws_access_key_id, role_arn, web_identity_token_file or "
                       "credential_process\n"));
  EXPECT_TRUE(
      contains(e, "  5. EC2 instance metadata: turned off by AWS_EC2_METADATA_DISABLED=true"));
}

TEST(Chain, KeepsTheProviderThatAnswered) {
  TempHome home;
  home.credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  auto vars = std::make_shared<std::map<std::string, std::string>>(
      std::map<std::string, std::string>{{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                         {"AWS_SECRET_ACCESS_KEY", "s"},
                                         {"HOME", home.path().string()},
                                         {"AWS_EC2_METADATA_DISABLED", "true"}});
  ChainOptions o;
  o.env = [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars->find(name);
    if (it == vars->end()) return std::nullopt;
    return it->second;
  };
  o.transport = shared_curl();
  o.metadata_transport = shared_curl();
  o.region = "eu-west-1";
  auto chain = make_credentials_chain(o);
  EXPECT_EQ(chain->credentials().access_key_id, "AKIDENV");
  vars->erase("AWS_ACCESS_KEY_ID");
  EXPECT_EQ(chain->credentials().access_key_id, "AKIDENV");
}

// ---- caching ----

// Counts calls and hands out keys that live for `lifetime`.
class CountingProvider : public CredentialsProvider {
 public:
  CountingProvider(NowFn now, std::chrono::milliseconds lifetime)
      : now_(now), lifetime_(lifetime) {}
  Credentials credentials() override {
    int n = ++calls;
    if (fail) throw CredentialsError("refresh failed");
    std::this_thread::sleep_for(1ms);
    return Credentials{"ASIA" + std::to_string(n), "s", "t", now_() + lifetime_, "counting"};
  }
  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};

 private:
  NowFn now_;
  std::chrono::milliseconds lifetime_;
};

TEST(CachingProvider, OneMinuteLeftIsRefreshedOneHourIsNot) {
  TestClock clock;
  auto short_lived = std::make_shared<CountingProvider>(clock.fn(), 1min);
  CachingProvider a(short_lived, clock.fn());
  EXPECT_EQ(a.credentials().access_key_id, "ASIA1");
  EXPECT_EQ(a.credentials().access_key_id, "ASIA2");
  EXPECT_EQ(short_lived->calls, 2);

  auto long_lived = std::make_shared<CountingProvider>(clock.fn(), 1h);
  CachingProvider b(long_lived, clock.fn());
  EXPECT_EQ(b.credentials().access_key_id, "ASIA1");
  EXPECT_EQ(b.credentials().access_key_id, "ASIA1");
  clock.advance(54min);  // 6 minutes left
  EXPECT_EQ(b.credentials().access_key_id, "ASIA1");
  EXPECT_EQ(long_lived->calls, 1);
  clock.advance(2min);  // 4 minutes left
  EXPECT_EQ(b.credentials().access_key_id, "ASIA2");
  EXPECT_EQ(long_lived->calls, 2);
}

TEST(CachingProvider, FailedRefreshKeepsCredentialsThatStillWork) {
  TestClock clock;
  auto inner = std::make_shared<CountingProvider>(clock.fn(), 1h);
  CachingProvider p(inner, clock.fn());
  EXPECT_EQ(p.credentials().access_key_id, "ASIA1");
  clock.advance(57min);
  inner->fail = true;
  EXPECT_EQ(p.credentials().access_key_id, "ASIA1");  // 3 minutes left: still usable
  clock.advance(4min);                                // expired
  EXPECT_THROW(p.credentials(), CredentialsError);
}

TEST(CachingProvider, ManyThreadsOneFetch) {
  auto inner = std::make_shared<CountingProvider>(system_now, 1h);
  CachingProvider p(inner);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j)
        if (p.credentials().access_key_id == "ASIA1") ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 400);
  EXPECT_EQ(inner->calls, 1);
}

}  // namespace
}  // namespace ld::aws
