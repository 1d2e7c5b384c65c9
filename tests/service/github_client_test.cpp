// The GitHub client against a fake GitHub on loopback: paths, headers, redirects, failures.
#include "service/github_client.hpp"

#include "core/transport.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "support/fake_github.hpp"
#include "support/loopback_server.hpp"

namespace ld::service {
namespace {

using ld::test::FakeGitHub;

GitHubClient client_for(const FakeGitHub& github, std::string token = "",
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  ld::TransportOptions options;
  options.request_timeout = timeout;
  return GitHubClient({github.url(), std::move(token)}, ld::make_socket_transport(options));
}

TEST(GitHubClient, RateLimitReturnsHeadersContentAndDuration) {
  FakeGitHub github;
  const auto result = client_for(github).rate_limit();
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.headers.get("x-ratelimit-limit"), "60");
  const auto json = result.to_json();
  EXPECT_EQ(json["content"]["rate"]["remaining"], 59);
  EXPECT_EQ(json["headers"]["X-RateLimit-Limit"], "60");
  EXPECT_TRUE(json["duration"].is_number());
  EXPECT_GE(json["duration"].get<double>(), 0.0);
}

TEST(GitHubClient, SendsGitHubHeadersAndNoTokenWhenUnset) {
  FakeGitHub github;
  client_for(github).apis_available();
  const auto requests = github.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/");
  EXPECT_EQ(requests[0].header("accept"), "application/vnd.github+json");
  EXPECT_EQ(requests[0].header("user-agent"), "lambdeploy-github-digest");
  EXPECT_FALSE(requests[0].header("authorization").has_value());
}

TEST(GitHubClient, SendsTheTokenAsBearerWhenSet) {
  FakeGitHub github;
  client_for(github, "ghp_secret").repository({"octo", "hello", ""});
  const auto requests = github.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/repos/octo/hello");
  EXPECT_EQ(requests[0].header("authorization"), "Bearer ghp_secret");
}

TEST(GitHubClient, CommitsAndIssuesCarryRefAndPageSize) {
  FakeGitHub github;
  const auto client = client_for(github);
  const auto commits = client.commits({"octo", "hello", "dev"}, 5);
  EXPECT_EQ(commits.to_json()["content"][0]["commit"]["message"], "first on dev");
  client.issues({"octo", "hello", ""});
  const auto requests = github.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, "/repos/octo/hello/commits");
  EXPECT_EQ(requests[0].query, "sha=dev&per_page=5");
  EXPECT_EQ(requests[1].path, "/repos/octo/hello/issues");
}

TEST(GitHubClient, ZipballFollowsTheRedirectToCodeload) {
  FakeGitHub github;
  const std::string zip = ld::test::build_zip({{"octo-hello-1a2b/README.md", "hello\n"}});
  github.set_zipball("octo", "hello", "main", zip);
  const auto result = client_for(github, "t").zipball({"octo", "hello", "main"});
  EXPECT_EQ(result.body, zip);
  EXPECT_EQ(result.content_type(), "application/zip");
  const auto requests = github.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, "/repos/octo/hello/zipball/main");
  EXPECT_EQ(requests[1].path, "/codeload/octo/hello/legacy.zip/main");
  // Same host: the token goes along.
  EXPECT_EQ(requests[1].header("authorization"), "Bearer t");
}

TEST(GitHubClient, TokenIsNotSentToARedirectOnAnotherHost) {
  FakeGitHub codeload;
  codeload.set_zipball("octo", "hello", "main", "zip-bytes");
  ld::test::LoopbackServer api;
  api.script({ld::test::Step::respond(
      302, "", {{"Location", codeload.url() + "/codeload/octo/hello/legacy.zip/main"}})});
  GitHubClient client({api.url(), "ghp_secret"}, ld::make_socket_transport());
  const auto result = client.zipball({"octo", "hello", "main"});
  EXPECT_EQ(result.body, "zip-bytes");
  EXPECT_EQ(api.requests().at(0).header("authorization"), "Bearer ghp_secret");
  ASSERT_EQ(codeload.requests().size(), 1u);
  EXPECT_FALSE(codeload.requests()[0].header("authorization").has_value());
}

TEST(GitHubClient, UpstreamErrorsCarryTheUpstreamStatus) {
  FakeGitHub github;
  const auto client = client_for(github);
  github.set_mode(FakeGitHub::Mode::Error500);
  try {
    client.rate_limit();
    FAIL() << "no error";
  } catch (const UpstreamError& error) {
    EXPECT_EQ(error.status(), 500);
    EXPECT_NE(std::string(error.what()).find("answered 500"), std::string::npos);
  }
  github.set_mode(FakeGitHub::Mode::NotFound);
  try {
    client.repository({"octo", "missing", ""});
    FAIL() << "no error";
  } catch (const UpstreamError& error) {
    EXPECT_EQ(error.status(), 404);
    EXPECT_NE(error.body().find("Not Found"), std::string::npos);
  }
}

TEST(GitHubClient, MissingZipballIsA404FromCodeload) {
  FakeGitHub github;
  try {
    client_for(github).zipball({"octo", "hello", "nope"});
    FAIL() << "no error";
  } catch (const UpstreamError& error) {
    EXPECT_EQ(error.status(), 404);
  }
}

TEST(GitHubClient, SlowUpstreamIsATimeout) {
  FakeGitHub github;
  github.set_mode(FakeGitHub::Mode::Slow, std::chrono::milliseconds(1500));
  const auto client = client_for(github, "", std::chrono::milliseconds(200));
  EXPECT_THROW(client.rate_limit(), UpstreamTimeout);
}

TEST(GitHubClient, UnreachableUpstreamIsStatusZero) {
  int port;
  {
    FakeGitHub gone;
    port = gone.port();
  }
  GitHubClient client({"http://127.0.0.1:" + std::to_string(port), ""},
                      ld::make_socket_transport());
  try {
    client.rate_limit();
    FAIL() << "no error";
  } catch (const UpstreamError& error) {
    EXPECT_EQ(error.status(), 0);
  }
}

TEST(GitHubClient, BadNamesAreRefusedBeforeAnyRequest) {
  FakeGitHub github;
  const auto client = client_for(github);
  EXPECT_THROW(client.repository({"../etc", "hello", ""}), InvalidRepoRef);
  EXPECT_THROW(client.repository({"octo", "", ""}), InvalidRepoRef);
  EXPECT_THROW(client.zipball({"octo", "hello", "../../main"}), InvalidRepoRef);
  EXPECT_THROW(client.zipball({"octo", "hello", "a b"}), InvalidRepoRef);
  EXPECT_TRUE(github.requests().empty());
}

TEST(GitHubClient, RefsWithSlashesAreKept) {
  FakeGitHub github;
  github.set_zipball("octo", "hello", "feature/x", "zip");
  EXPECT_EQ(client_for(github).zipball({"octo", "hello", "feature/x"}).body, "zip");
  EXPECT_EQ(github.requests().at(0).path, "/repos/octo/hello/zipball/feature/x");
}

TEST(GitHubClient, EndlessRedirectsAreAnUpstreamError) {
  ld::test::LoopbackServer api([](const ld::test::ReceivedRequest& request) {
    return ld::test::Step::respond(302, "", {{"Location", request.path}});
  });
  GitHubClient client({api.url(), ""}, ld::make_socket_transport());
  try {
    client.zipball({"octo", "hello", "main"});
    FAIL() << "no error";
  } catch (const UpstreamError& error) {
    EXPECT_EQ(error.status(), 302);
    EXPECT_NE(std::string(error.what()).find("redirected more than 5 times"), std::string::npos);
  }
  EXPECT_EQ(api.request_count(), 6u);
}

TEST(GitHubSettings, FromEnvironmentWithDefaults) {
  ::unsetenv("GITHUB_API_URL");
  ::unsetenv("GITHUB_TOKEN");
  auto settings = GitHubSettings::from_env();
  EXPECT_EQ(settings.api_url, "https://api.github.com");
  EXPECT_EQ(settings.token, "");
  ::setenv("GITHUB_API_URL", "http://127.0.0.1:9", 1);
  ::setenv("GITHUB_TOKEN", "abc", 1);
  settings = GitHubSettings::from_env();
  EXPECT_EQ(settings.api_url, "http://127.0.0.1:9");
  EXPECT_EQ(settings.token, "abc");
  ::unsetenv("GITHUB_API_URL");
  ::unsetenv("GITHUB_TOKEN");
}

TEST(RequestForUrl, SplitsSchemeHostPortPathAndQuery) {
  const auto request = request_for_url("http://127.0.0.1:8080/api/v3?a=1&b=x%20y");
  EXPECT_EQ(request.scheme, "http");
  EXPECT_EQ(request.host, "127.0.0.1");
  EXPECT_EQ(request.port, 8080);
  EXPECT_EQ(request.path, "/api/v3");
  ASSERT_EQ(request.query.size(), 2u);
  EXPECT_EQ(request.query[1].second, "x y");
  EXPECT_THROW(request_for_url("ftp://x/"), ld::Error);
  EXPECT_THROW(request_for_url("nohost"), ld::Error);
}

}  // namespace
}  // namespace ld::service
