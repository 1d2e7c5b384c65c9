// web::App end to end through handle(): middleware order, request ids, errors, framework routes.
#include "web/app.hpp"
#include "web/request_id.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

namespace ld::web {
namespace {

using nlohmann::json;

Request make(std::string method, std::string target, std::string body = "") {
  Request r;
  r.method = std::move(method);
  auto q = target.find('?');
  r.raw_path = r.path = target.substr(0, q);
  if (q != std::string::npos) {
    r.raw_query = target.substr(q + 1);
    r.query = parse_query(r.raw_query);
  }
  r.body = std::move(body);
  return r;
}

AppConfig keyed() {
  return {.title = "GitHub Digest",
          .version = "v1.2.3",
          .api_key = {.name = "x-api-key", .value = "k3y"},
          .cors = {.enabled = true,
                   .allow_origins = {"https://ui.example"},
                   .allow_headers = {"x-api-key", "content-type"}}};
}

void add_sample_routes(App& app) {
  app.get("/info/version", {.summary = "Version", .tag = "info"}, [](Request&, const Params&) {
    return Response::json(200, {{"version", "v1.2.3"}});
  });
  app.get("/github-api/{name}",
          {.tag = "github-api",
           .query = {{.name = "owner", .required = true},
                     {.name = "max_files", .type = ParamType::Integer, .default_value = 10}}},
          [](Request&, const Params& p) {
            return Response::json(200, {{"name", p.path("name")},
                                        {"owner", p.string("owner")},
                                        {"max_files", p.integer("max_files")}});
          });
  app.get("/boom", {}, [](Request&, const Params&) -> Response {
    throw std::runtime_error("the digest builder fell over");
  });
  app.get("/boom-unknown", {}, [](Request&, const Params&) -> Response { throw 42; });
}

class AppTest : public ::testing::Test {
 protected:
  AppTest() : app(keyed()) { add_sample_routes(app); }
  Response call(Request r, bool with_key = true) {
    if (with_key) r.headers.set("X-API-KEY", "k3y");
    return app.handle(r);
  }
  App app;
};

TEST_F(AppTest, RouteAnswers) {
  Response r = call(make("GET", "/info/version"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), json({{"version", "v1.2.3"}}));
}

TEST_F(AppTest, ParamsReachTheHandler) {
  Response r = call(make("GET", "/github-api/rate-limit?owner=octocat"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body),
            json({{"name", "rate-limit"}, {"owner", "octocat"}, {"max_files", 10}}));
}

TEST_F(AppTest, ValidationErrorIs400WithDetail) {
  Response r = call(make("GET", "/github-api/repository?max_files=x"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  json d = json::parse(r.body);
  ASSERT_EQ(d["detail"].size(), 2u);
  EXPECT_EQ(d["detail"][0]["loc"], json({"query", "owner"}));
  EXPECT_EQ(d["detail"][1]["loc"], json({"query", "max_files"}));
}

TEST_F(AppTest, NotFoundAndMethodNotAllowed) {
  Response nf = call(make("GET", "/nope"));
  EXPECT_EQ(nf.status, 404);
  EXPECT_EQ(json::parse(nf.body), json({{"detail", "Not Found"}}));
  Response na = call(make("DELETE", "/info/version"));
  EXPECT_EQ(na.status, 405);
  EXPECT_EQ(na.headers.get("Allow"), "GET, HEAD");
  EXPECT_EQ(json::parse(na.body), json({{"detail", "Method Not Allowed"}}));
}

TEST_F(AppTest, KeyIsCheckedBeforeRouting) {
  Response r = call(make("GET", "/nope"), false);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["message"], kApiKeyMissing);
}

TEST_F(AppTest, RequestIdOnEveryResponse) {
  std::set<std::string> ids;
  for (auto [target, key, status] :
       std::vector<std::tuple<std::string, bool, int>>{{"/info/version", true, 200},
                                                       {"/info/version", false, 401},
                                                       {"/nope", true, 404},
                                                       {"/github-api/x", true, 400},
                                                       {"/boom", true, 500}}) {
    Response r = call(make("GET", target), key);
    EXPECT_EQ(r.status, status) << target;
    auto id = r.headers.get("x-request-id");
    ASSERT_TRUE(id) << target;
    EXPECT_EQ(id->size(), 36u) << *id;
    ids.insert(*id);
  }
  EXPECT_EQ(ids.size(), 5u);  // fresh for each request
}

TEST_F(AppTest, RequestIdFromTheAdapterIsKept) {
  Request r = make("GET", "/info/version");
  r.request_id = "lambda-req-123";
  Response resp = call(r, false);
  EXPECT_EQ(resp.status, 401);
  EXPECT_EQ(resp.headers.get("x-request-id"), "lambda-req-123");
}

TEST_F(AppTest, ExceptionIs500AndTheAppGoesOn) {
  Request boom = make("GET", "/boom");
  boom.request_id = "rid-500";
  boom.headers.set("x-api-key", "k3y");
  ::testing::internal::CaptureStderr();
  Response r = app.handle(boom);
  Response unknown = call(make("GET", "/boom-unknown"));
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json::parse(r.body), json({{"detail", "Internal Server Error"}}));
  EXPECT_EQ(unknown.status, 500);
  EXPECT_NE(log.find("GET /boom request_id=rid-500: the digest builder fell over"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("unknown exception"), std::string::npos) << log;
  EXPECT_EQ(call(make("GET", "/info/version")).status, 200);
}

TEST_F(AppTest, HeadHasNoBody) {
  Response r = call(make("HEAD", "/info/version"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
}

TEST_F(AppTest, CorsPreflightNeedsNoKeyAndCorsHeadersReachErrors) {
  Request pre = make("OPTIONS", "/info/version");
  pre.headers.set("Origin", "https://ui.example");
  pre.headers.set("Access-Control-Request-Method", "GET");
  pre.headers.set("Access-Control-Request-Headers", "x-api-key");
  Response p = app.handle(pre);
  EXPECT_EQ(p.status, 204);
  EXPECT_EQ(p.headers.get("Access-Control-Allow-Origin"), "https://ui.example");
  EXPECT_TRUE(p.headers.has("x-request-id"));

  Request denied = make("GET", "/info/version");
  denied.headers.set("Origin", "https://ui.example");
  Response d = app.handle(denied);
  EXPECT_EQ(d.status, 401);
  EXPECT_EQ(d.headers.get("Access-Control-Allow-Origin"), "https://ui.example");

  // A plain OPTIONS (not a preflight) still needs the key.
  EXPECT_EQ(call(make("OPTIONS", "/info/version"), false).status, 401);
}

TEST_F(AppTest, DocsAndOpenApiNeedNoKey) {
  Response docs = call(make("GET", "/docs"), false);
  EXPECT_EQ(docs.status, 200);
  EXPECT_EQ(docs.headers.get("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(docs.body.find("fetch(\"openapi.json\""), std::string::npos);
  EXPECT_EQ(docs.body.find("http://"), std::string::npos);  // nothing from a CDN
  EXPECT_EQ(docs.body.find("https://"), std::string::npos);
  Response spec = call(make("GET", "/openapi.json"), false);
  EXPECT_EQ(spec.status, 200);
  json doc = json::parse(spec.body);
  EXPECT_EQ(doc["info"]["title"], "GitHub Digest");
  EXPECT_TRUE(doc["paths"].contains("/github-api/{name}"));
  EXPECT_FALSE(doc["paths"].contains("/docs"));
  EXPECT_TRUE(doc["paths"].contains("/auth/set-auth-cookie"));
}

TEST_F(AppTest, OpenApiFollowsRoutesAddedLater) {
  json before = json::parse(app.openapi_json());
  app.get("/later", {}, [](Request&, const Params&) { return Response::text(200, "l"); });
  json after = json::parse(app.openapi_json());
  EXPECT_FALSE(before["paths"].contains("/later"));
  EXPECT_TRUE(after["paths"].contains("/later"));
}

TEST_F(AppTest, SetCookieFormNeedsNoKey) {
  Response r = call(make("GET", "/auth/set-cookie-form"), false);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("set-auth-cookie"), std::string::npos);
  EXPECT_NE(r.body.find("<form"), std::string::npos);
}

TEST_F(AppTest, SetAuthCookieFromJsonThenTheCookieOpensTheApi) {
  Request set = make("POST", "/auth/set-auth-cookie", R"({"cookie_value":"k3y"})");
  set.headers.set("Content-Type", "application/json");
  Response r = call(set, false);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["message"], "Cookie set successfully");
  EXPECT_EQ(json::parse(r.body)["cookie_name"], "x-api-key");
  ASSERT_EQ(r.cookies.size(), 1u);
  EXPECT_EQ(r.cookies[0], "x-api-key=k3y; Path=/; HttpOnly; Secure; SameSite=Strict");

  Request next = make("GET", "/info/version");
  next.cookies = {{"x-api-key", "k3y"}};
  EXPECT_EQ(call(next, false).status, 200);
}

TEST_F(AppTest, SetAuthCookieFromForm) {
  Request set = make("POST", "/auth/set-auth-cookie", "cookie_value=k3y");
  set.headers.set("Content-Type", "application/x-www-form-urlencoded");
  Response r = call(set, false);
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(r.cookies.size(), 1u);
  EXPECT_EQ(r.cookies[0].rfind("x-api-key=k3y;", 0), 0u);
}

TEST_F(AppTest, SetAuthCookieRejectsBadInput) {
  for (const char* body : {"", "{", "{}", R"({"cookie_value":5})", R"({"cookie_value":"a;b"})"}) {
    Request set = make("POST", "/auth/set-auth-cookie", body);
    set.headers.set("Content-Type", "application/json");
    Response r = call(set, false);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_TRUE(json::parse(r.body)["detail"].is_array()) << body;
    EXPECT_TRUE(r.cookies.empty());
  }
}

TEST(RequestIdTest, GeneratedIdsAreVersion4Uuids) {
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = generate_request_id();
    EXPECT_TRUE(std::regex_match(id, uuid)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST_F(AppTest, ServesManyThreadsAtOnce) {
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Request r = make("GET", i % 2 ? "/openapi.json" : "/github-api/x?owner=o");
        r.headers.set("x-api-key", "k3y");
        if (app.handle(r).status == 200) ++ok[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int n : ok) EXPECT_EQ(n, 200);
}

TEST(AppConfigTest, ServerWithoutKeyNameRefusesEverythingButExemptPaths) {
  App app({});
  add_sample_routes(app);
  Request r = make("GET", "/info/version");
  r.headers.set("x-api-key", "anything");
  Response resp = app.handle(r);
  EXPECT_EQ(resp.status, 401);
  EXPECT_EQ(json::parse(resp.body)["message"], kApiKeyNameMissing);
  Request docs = make("GET", "/docs");
  EXPECT_EQ(app.handle(docs).status, 200);
}

TEST(AppConfigTest, FrameworkRoutesCanBeTurnedOff) {
  App app({.api_key = {.enabled = false}, .docs = false, .auth_routes = false});
  add_sample_routes(app);
  Request docs = make("GET", "/docs");
  EXPECT_EQ(app.handle(docs).status, 404);
  Request version = make("GET", "/info/version");
  EXPECT_EQ(app.handle(version).status, 200);
}

TEST(AppConfigTest, HandlerIsHandle) {
  App app({.api_key = {.enabled = false}});
  add_sample_routes(app);
  Handler h = app.handler();
  Request r = make("GET", "/info/version");
  EXPECT_EQ(h(r).status, 200);
}

}  // namespace
}  // namespace ld::web
