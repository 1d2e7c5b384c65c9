// The service's routes end to end through web::App, against a fake GitHub and loopback
// checkip / ipdata servers.
#include "service/app.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "support/fake_github.hpp"
#include "support/loopback_server.hpp"
#include "support/temp_dir.hpp"

namespace ld::service {
namespace {

using ld::test::FakeGitHub;
using ld::test::LoopbackServer;
using ld::test::Step;

const std::string kTop = "octo-hello-1a2b3c/";

// A running service app with its fakes.
struct Service {
  FakeGitHub github;
  LoopbackServer other;  // checkip and ipdata
  Settings settings;
  std::unique_ptr<web::App> app;

  explicit Service(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000),
                   std::string ip_key = "ipkey") {
    settings.api_key_name = "x-api-key";
    settings.api_key_value = "secret";
    settings.github_api_url = github.url();
    settings.checkip_url = other.url() + "/checkip";
    settings.ip_data_api_url = other.url();
    settings.ip_data_api_key = std::move(ip_key);
    settings.version = "v1.2.3";
    settings.upstream_timeout = timeout;
    app = make_app(settings);
    github.set_zipball("octo", "hello", "main",
                       ld::test::build_zip({{kTop + "src/main.cpp", "int main() {}\n"},
                                            {kTop + "README.md", "# Hello\n"},
                                            {kTop + "tool.py", "print(1)\n"},
                                            {kTop + "logo.png", std::string("\x89PNG\0", 5)}}));
  }

  web::Response call(const std::string& method, const std::string& target, std::string body = {},
                     bool with_key = true) {
    web::Request request;
    request.method = method;
    const auto q = target.find('?');
    request.raw_path = target.substr(0, q);
    request.path = request.raw_path;
    if (q != std::string::npos) {
      request.raw_query = target.substr(q + 1);
      request.query = web::parse_query(request.raw_query);
    }
    if (with_key) request.headers.set("X-API-Key", "secret");
    if (!body.empty()) request.headers.set("Content-Type", "application/json");
    request.body = std::move(body);
    web::Response response = app->handle(request);
    streamed = static_cast<bool>(response.stream);
    web::collect_body(response);
    return response;
  }
  bool streamed = false;  // the last response's body came as a stream

  nlohmann::json json(const std::string& target) {
    return nlohmann::json::parse(call("GET", target).body);
  }
};

TEST(ServiceApp, VersionNeedsTheApiKey) {
  Service service;
  auto response = service.call("GET", "/info/version");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body), nlohmann::json({{"version", "v1.2.3"}}));
  response = service.call("GET", "/info/version", "", false);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(service.call("GET", "/nope").status, 404);
}

TEST(ServiceApp, IpAddressFromCheckip) {
  Service service;
  service.other.script({Step::respond(200, "203.0.113.7\n", {{"Content-Type", "text/plain"}})});
  const auto response = service.call("GET", "/info/ip-address");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(nlohmann::json::parse(response.body)["ip_address"], "203.0.113.7");
  EXPECT_EQ(service.other.requests().at(0).path, "/checkip");
}

TEST(ServiceApp, GitHubApiPassesAnswersThrough) {
  Service service;
  auto json = service.json("/github-api/rate-limit");
  EXPECT_EQ(json["content"]["rate"]["limit"], 60);
  EXPECT_TRUE(json.contains("headers"));
  EXPECT_TRUE(json["duration"].is_number());
  json = service.json("/github-api/repository?owner=octo&name=hello");
  EXPECT_EQ(json["content"]["full_name"], "octo/hello");
  json = service.json("/github-api/repository-commits?owner=octo&name=hello");
  EXPECT_EQ(json["content"][0]["sha"], "1a2b3c");
  json = service.json("/github-api/repository-issues?owner=octo&name=hello");
  EXPECT_EQ(json["content"][0]["title"], "a bug");
  json = service.json("/github-api/apis-available");
  EXPECT_TRUE(json["content"].contains("rate_limit_url"));
}

TEST(ServiceApp, DefaultsAreTheOriginals) {
  Service service;
  service.json("/github-api/repository");
  EXPECT_EQ(service.github.requests().back().path, "/repos/owasp-sbot/OSBot-Utils");
}

TEST(ServiceApp, FilesNamesAndTextFiles) {
  Service service;
  auto json = service.json("/github-api/repository-files-names?owner=octo&name=hello&ref=main");
  EXPECT_EQ(json, nlohmann::json({"README.md", "logo.png", "src/main.cpp", "tool.py"}));
  json = service.json("/github-api/repository-text-files?owner=octo&name=hello&ref=main");
  EXPECT_EQ(json, nlohmann::json({{"README.md", "# Hello\n"},
                                  {"src/main.cpp", "int main() {}\n"},
                                  {"tool.py", "print(1)\n"}}));
  json = service.json(
      "/github-api/repository-text-files?owner=octo&name=hello&ref=main&filter_ends_with=.py");
  EXPECT_EQ(json, nlohmann::json({{"tool.py", "print(1)\n"}}));
}

TEST(ServiceApp, BadOwnerIs400WithDetail) {
  Service service;
  const auto response = service.call("GET", "/github-api/repository?owner=..%2Fetc&name=x");
  EXPECT_EQ(response.status, 400);
  const auto json = nlohmann::json::parse(response.body);
  EXPECT_EQ(json["detail"][0]["loc"], nlohmann::json({"query", "owner"}));
  EXPECT_TRUE(service.github.requests().empty());
}

TEST(ServiceApp, UpstreamFailuresAre502WithTheUpstreamStatus) {
  Service service;
  service.github.set_mode(FakeGitHub::Mode::Error500);
  auto response = service.call("GET", "/github-api/rate-limit");
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(nlohmann::json::parse(response.body)["detail"]["upstream_status"], 500);
  service.github.set_mode(FakeGitHub::Mode::NotFound);
  response = service.call("GET", "/github-digest/markdown?owner=octo&name=hello");
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(nlohmann::json::parse(response.body)["detail"]["upstream_status"], 404);
}

TEST(ServiceApp, SlowUpstreamIs504) {
  Service service(std::chrono::milliseconds(200));
  service.github.set_mode(FakeGitHub::Mode::Slow, std::chrono::milliseconds(1500));
  EXPECT_EQ(service.call("GET", "/github-api/rate-limit").status, 504);
}

TEST(ServiceApp, BrokenZipballIs502) {
  Service service;
  service.github.set_zipball("octo", "broken", "main", "not a zip");
  const auto response = service.call("GET", "/github-digest/markdown?owner=octo&name=broken");
  EXPECT_EQ(response.status, 502);
  EXPECT_NE(response.body.find("not a zip archive"), std::string::npos);
}

TEST(ServiceApp, MarkdownDigest) {
  Service service;
  const auto response =
      service.call("GET", "/github-digest/markdown?owner=octo&name=hello&ref=main");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_TRUE(service.streamed);  // never held whole by the route
  EXPECT_EQ(response.headers.get("content-type"), "text/markdown; charset=utf-8");
  EXPECT_EQ(response.body.rfind("# Files from Repo\n", 0), 0u);
  EXPECT_NE(response.body.find("### src/main.cpp\n\n```cpp\nint main() {}\n```\n"),
            std::string::npos);
  EXPECT_NE(response.body.find("Left out: 1 binary\n"), std::string::npos);
  const auto filtered = service.call(
      "GET",
      "/github-digest/markdown?owner=octo&name=hello&filter_ends_with=.py&max_content_length=3");
  EXPECT_NE(filtered.body.find("```python\npri\n```\n… truncated (3 of 9 bytes shown)\n"),
            std::string::npos)
      << filtered.body;
  EXPECT_EQ(filtered.body.find("### README.md"), std::string::npos);
  // The original's path answers the same document.
  const auto original =
      service.call("GET", "/github-digest/repo-files-in-markdown?owner=octo&name=hello");
  EXPECT_EQ(original.status, 200);
  EXPECT_NE(original.body.find("### tool.py\n"), std::string::npos);
}

TEST(ServiceApp, MarkdownDigestFromAJsonFilter) {
  Service service;
  auto response = service.call("POST", "/github-digest/markdown/filter",
                               R"({"owner":"octo","name":"hello","ref":"main",
                                   "filter_exclude_suffixes":[".md"],"hide_file_contents":true})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_NE(response.body.find("```text\nsrc/\n  main.cpp\ntool.py\n```\n"), std::string::npos)
      << response.body;
  EXPECT_EQ(response.body.find("### "), std::string::npos);
  response = service.call("POST", "/github-digest/markdown/filter", "{not json");
  EXPECT_EQ(response.status, 400);
  response = service.call("POST", "/github-digest/markdown/filter",
                          R"({"owner":"octo","name":"hello","max_total_bytes":"lots"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(response.body.find("max_total_bytes"), std::string::npos);
}

TEST(ServiceApp, IpAddressDetailsFromIpData) {
  Service service;
  service.other.script({Step::respond(200, R"({"ip":"8.8.4.4","country_code":"US"})",
                                      {{"Content-Type", "application/json"}})});
  auto response = service.call("GET", "/threat-intelligence/ip-address-details?ip_address=8.8.4.4");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(nlohmann::json::parse(response.body)["content"]["country_code"], "US");
  const auto seen = service.other.requests().at(0);
  EXPECT_EQ(seen.path, "/8.8.4.4");
  EXPECT_EQ(seen.query_param("api-key"), "ipkey");
  response = service.call("GET", "/threat-intelligence/ip-address-details?ip_address=..%2Fadmin");
  EXPECT_EQ(response.status, 400);
}

TEST(ServiceApp, IpAddressDetailsWithoutAKeyIs503) {
  Service service(std::chrono::milliseconds(5000), "");
  EXPECT_EQ(service.call("GET", "/threat-intelligence/ip-address-details").status, 503);
}

TEST(ServiceSettings, VersionFile) {
  ld::test::TempDir dir;
  EXPECT_EQ(read_version(dir.write("version", "v2.10.3\n")), "v2.10.3");
  EXPECT_THROW(read_version(dir.write("bad/version", "2.10\n")), ld::Error);
  EXPECT_TRUE(is_version("v0.0.1"));
  EXPECT_FALSE(is_version("v1.2"));
  EXPECT_FALSE(is_version("v1.2.x"));
  ::setenv("LAMBDA_TASK_ROOT", dir.path().c_str(), 1);
  ::setenv("GITHUB_API_URL", "http://127.0.0.1:1", 1);
  const auto settings = Settings::from_env();
  EXPECT_EQ(settings.version, "v2.10.3");
  EXPECT_EQ(settings.github_api_url, "http://127.0.0.1:1");
  EXPECT_EQ(settings.checkip_url, "https://checkip.amazonaws.com");
  EXPECT_EQ(settings.ip_data_api_url, "https://api.ipdata.co");
  ::unsetenv("LAMBDA_TASK_ROOT");
  ::unsetenv("GITHUB_API_URL");
}

}  // namespace
}  // namespace ld::service
