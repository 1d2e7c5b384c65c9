// The API-key gate: the four 401s in order, header before cookie, exempt paths, compare.
#include "web/api_key.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ld::web {
namespace {

using nlohmann::json;

Request get(std::string path) {
  Request r;
  r.method = "GET";
  r.path = r.raw_path = std::move(path);
  return r;
}

ApiKeyConfig config() {
  return {.enabled = true, .name = "x-api-key", .value = "s3cret-KEY"};
}

// The message of the 401, or "pass" when the request may go on.
std::string outcome(const ApiKeyCheck& check, const Request& r) {
  auto denied = check.check(r);
  if (!denied) return "pass";
  EXPECT_EQ(denied->status, 401);
  EXPECT_EQ(denied->headers.get("Content-Type"), "application/json");
  json body = json::parse(denied->body);
  EXPECT_EQ(body.size(), 4u);
  EXPECT_TRUE(body["data"].is_null());
  EXPECT_TRUE(body["error"].is_null());
  EXPECT_EQ(body["status"], "error");
  return body["message"].get<std::string>();
}

TEST(ApiKeyTest, BodyIsTheOriginalsShape) {
  EXPECT_EQ(api_key_error(kApiKeyInvalid).body,
            R"({"data":null,"error":null,"message":"Invalid API key value","status":"error"})");
}

TEST(ApiKeyTest, FourFailuresCheckedInOrder) {
  Request r = get("/info/version");
  EXPECT_EQ(outcome(ApiKeyCheck({.name = "", .value = ""}), r), kApiKeyNameMissing);
  EXPECT_EQ(outcome(ApiKeyCheck({.name = "", .value = "v"}), r), kApiKeyNameMissing);
  EXPECT_EQ(outcome(ApiKeyCheck({.name = "x-api-key", .value = ""}), r), kApiKeyValueMissing);
  r.headers.set("x-api-key", "anything");
  EXPECT_EQ(outcome(ApiKeyCheck({.name = "x-api-key", .value = ""}), r), kApiKeyValueMissing);
  EXPECT_EQ(outcome(ApiKeyCheck(config()), get("/info/version")), kApiKeyMissing);
  EXPECT_EQ(outcome(ApiKeyCheck(config()), r), kApiKeyInvalid);
}

TEST(ApiKeyTest, MessagesAreTheOriginals) {
  EXPECT_EQ(kApiKeyNameMissing, "Server does not have API key name setup");
  EXPECT_EQ(kApiKeyValueMissing, "Server does not have API key value setup");
  EXPECT_EQ(kApiKeyMissing, "Client API key is missing, you need to set it on a header or cookie");
  EXPECT_EQ(kApiKeyInvalid, "Invalid API key value");
}

TEST(ApiKeyTest, HeaderNameIsCaseInsensitive) {
  ApiKeyCheck check({.name = "X-Api-Key", .value = "s3cret-KEY"});
  for (const char* name : {"x-api-key", "X-API-KEY", "X-Api-Key"}) {
    Request r = get("/info/version");
    r.headers.set(name, "s3cret-KEY");
    EXPECT_EQ(outcome(check, r), "pass") << name;
  }
}

TEST(ApiKeyTest, WrongKeysOfSameAndOtherLengthAreInvalid) {
  ApiKeyCheck check(config());
  for (const char* key :
       {"s3cret-KEX", "S3CRET-KEY", "s3cret-KEY ", "s3cret-KE", "x", "s3cret-KEYs3cret-KEY"}) {
    Request r = get("/info/version");
    r.headers.set("x-api-key", key);
    EXPECT_EQ(outcome(check, r), kApiKeyInvalid) << key;
  }
}

TEST(ApiKeyTest, CookieIsTheFallback) {
  ApiKeyCheck check(config());
  Request r = get("/info/version");
  r.cookies = {{"x-api-key", "s3cret-KEY"}};
  EXPECT_EQ(outcome(check, r), "pass");

  // An adapter that left the Cookie header unparsed.
  Request h = get("/info/version");
  h.headers.set("Cookie", "a=1; x-api-key=s3cret-KEY");
  EXPECT_EQ(outcome(check, h), "pass");
}

TEST(ApiKeyTest, HeaderWinsOverCookie) {
  ApiKeyCheck check(config());
  Request r = get("/info/version");
  r.headers.set("x-api-key", "wrong");
  r.cookies = {{"x-api-key", "s3cret-KEY"}};
  EXPECT_EQ(outcome(check, r), kApiKeyInvalid);

  Request ok = get("/info/version");
  ok.headers.set("x-api-key", "s3cret-KEY");
  ok.cookies = {{"x-api-key", "wrong"}};
  EXPECT_EQ(outcome(check, ok), "pass");
}

TEST(ApiKeyTest, EmptyHeaderFallsBackToCookie) {
  ApiKeyCheck check(config());
  Request r = get("/info/version");
  r.headers.set("x-api-key", "");
  r.cookies = {{"x-api-key", "s3cret-KEY"}};
  EXPECT_EQ(outcome(check, r), "pass");

  Request empty = get("/info/version");
  empty.headers.set("x-api-key", "");
  empty.cookies = {{"x-api-key", ""}};
  EXPECT_EQ(outcome(check, empty), kApiKeyMissing);
}

TEST(ApiKeyTest, CookieNameIsCaseSensitive) {
  ApiKeyCheck check(config());
  Request r = get("/info/version");
  r.cookies = {{"X-API-KEY", "s3cret-KEY"}};
  EXPECT_EQ(outcome(check, r), kApiKeyMissing);
}

TEST(ApiKeyTest, ExemptPathsAreExactMatches) {
  ApiKeyCheck check({.name = "", .value = ""});  // even a server with no key set up
  for (const char* p : {"/docs", "/openapi.json", "/auth/set-cookie-form", "/auth/set-auth-cookie"})
    EXPECT_EQ(outcome(check, get(p)), "pass") << p;
  ApiKeyCheck keyed(config());
  for (const char* p : {"/docs/", "/docs/x", "/openapi.json.bak", "/DOCS", "/auth/set-cookie",
                        "/auth", "/", "/x/docs"})
    EXPECT_EQ(outcome(keyed, get(p)), kApiKeyMissing) << p;
}

TEST(ApiKeyTest, DisabledCheckPassesEverything) {
  ApiKeyCheck check({.enabled = false});
  EXPECT_EQ(outcome(check, get("/info/version")), "pass");
}

TEST(ApiKeyTest, ConfigFromEnvironment) {
  ::setenv(ApiKeyConfig::kNameVariable, "x-key", 1);
  ::setenv(ApiKeyConfig::kValueVariable, "v", 1);
  ApiKeyConfig c = ApiKeyConfig::from_environment();
  EXPECT_EQ(c.name, "x-key");
  EXPECT_EQ(c.value, "v");
  ::unsetenv(ApiKeyConfig::kNameVariable);
  ::unsetenv(ApiKeyConfig::kValueVariable);
  ApiKeyConfig empty = ApiKeyConfig::from_environment();
  EXPECT_TRUE(empty.enabled);
  EXPECT_EQ(empty.name, "");
  EXPECT_EQ(empty.value, "");
}

}  // namespace
}  // namespace ld::web
