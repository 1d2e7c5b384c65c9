// CORS: preflight answers and headers on simple responses.
#include "web/cors.hpp"

#include <gtest/gtest.h>

namespace ld::web {
namespace {

Request preflight(std::string origin, std::string method, std::string headers = "") {
  Request r;
  r.method = "OPTIONS";
  r.path = r.raw_path = "/github-digest/markdown/filter";
  r.headers.set("Origin", std::move(origin));
  r.headers.set("Access-Control-Request-Method", std::move(method));
  if (!headers.empty()) r.headers.set("Access-Control-Request-Headers", std::move(headers));
  return r;
}

CorsConfig listed() {
  return {.enabled = true,
          .allow_origins = {"https://app.example.com"},
          .allow_methods = {"GET", "POST"},
          .allow_headers = {"x-api-key", "content-type"},
          .expose_headers = {"x-request-id"},
          .max_age_s = 3600,
          .allow_credentials = true};
}

TEST(CorsTest, RecognisesPreflight) {
  EXPECT_TRUE(Cors::is_preflight(preflight("https://a", "POST")));
  Request plain;
  plain.method = "OPTIONS";
  EXPECT_FALSE(Cors::is_preflight(plain));
  Request get = preflight("https://a", "POST");
  get.method = "GET";
  EXPECT_FALSE(Cors::is_preflight(get));
}

TEST(CorsTest, AllowedPreflightIs204WithAllowHeaders) {
  Cors cors(listed());
  Response r =
      cors.preflight(preflight("https://app.example.com", "POST", "X-Api-Key, Content-Type"));
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.headers.get("Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(r.headers.get("Access-Control-Allow-Methods"), "GET, POST");
  EXPECT_EQ(r.headers.get("Access-Control-Allow-Headers"), "X-Api-Key, Content-Type");
  EXPECT_EQ(r.headers.get("Access-Control-Max-Age"), "3600");
  EXPECT_EQ(r.headers.get("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(r.headers.get("Vary"), "Origin");
}

TEST(CorsTest, DisallowedPreflightIs400NamingWhat) {
  Cors cors(listed());
  Response origin = cors.preflight(preflight("https://evil.example", "POST"));
  EXPECT_EQ(origin.status, 400);
  EXPECT_FALSE(origin.headers.has("Access-Control-Allow-Origin"));
  EXPECT_NE(origin.body.find("origin"), std::string::npos);
  Response method = cors.preflight(preflight("https://app.example.com", "DELETE"));
  EXPECT_EQ(method.status, 400);
  EXPECT_NE(method.body.find("method"), std::string::npos);
  Response headers = cors.preflight(preflight("https://app.example.com", "GET", "x-other"));
  EXPECT_EQ(headers.status, 400);
  EXPECT_NE(headers.body.find("headers"), std::string::npos);
}

TEST(CorsTest, WildcardsAllowAnything) {
  Cors cors(
      {.enabled = true, .allow_origins = {"*"}, .allow_methods = {"*"}, .allow_headers = {"*"}});
  Response r = cors.preflight(preflight("https://any.example", "PATCH", "x-custom"));
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.headers.get("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(r.headers.get("Access-Control-Allow-Methods"), "PATCH");
  EXPECT_EQ(r.headers.get("Access-Control-Allow-Headers"), "x-custom");
  EXPECT_FALSE(r.headers.has("Access-Control-Allow-Credentials"));
}

TEST(CorsTest, SimpleResponseGetsHeadersOnlyForAllowedOrigin) {
  Cors cors(listed());
  Request r;
  r.method = "GET";
  r.headers.set("Origin", "https://app.example.com");
  Response ok = Response::json(200, {{"ok", true}});
  cors.decorate(r, ok);
  EXPECT_EQ(ok.headers.get("Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(ok.headers.get("Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(ok.headers.get("Access-Control-Expose-Headers"), "x-request-id");
  EXPECT_EQ(ok.headers.get("Vary"), "Origin");

  r.headers.set("Origin", "https://evil.example");
  Response no = Response::json(200, {{"ok", true}});
  cors.decorate(r, no);
  EXPECT_FALSE(no.headers.has("Access-Control-Allow-Origin"));

  Request without;
  Response none = Response::json(200, {{"ok", true}});
  cors.decorate(without, none);
  EXPECT_FALSE(none.headers.has("Access-Control-Allow-Origin"));
}

TEST(CorsTest, DisabledDecoratesNothing) {
  Cors cors({.enabled = false, .allow_origins = {"*"}});
  Request r;
  r.headers.set("Origin", "https://a");
  Response resp;
  cors.decorate(r, resp);
  EXPECT_FALSE(resp.headers.has("Access-Control-Allow-Origin"));
}

}  // namespace
}  // namespace ld::web
