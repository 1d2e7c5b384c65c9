// Function URL / HTTP API v2.0 events to web::Request and web::Response to results, checked on
// every request fixture in the conformance folder.
#include "runtime/http_event.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "core/encoding.hpp"
#include "core/strings.hpp"
#include "support/conformance.hpp"

namespace ld::runtime {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path events_dir() {
  return ld::test::conformance_dir() / "events";
}

json load(const fs::path& path) {
  std::string text = ld::test::read_file(path);
  return json::parse(strip_bom(text));
}

json load_event(std::string_view relative) {
  return load(events_dir() / relative);
}

// The echo handler: every request part comes back somewhere in the response.
web::Response echo(web::Request& request) {
  web::Response response;
  response.status = 201;
  response.headers.add("Content-Type", "application/octet-stream");
  response.headers.add("X-Method", request.method);
  response.headers.add("X-Path", request.raw_path);
  response.headers.add("X-Query", request.raw_query);
  for (const auto& field : request.headers)
    response.headers.add("X-Echo-" + field.name, field.value);
  for (const auto& [name, value] : request.cookies) response.cookies.push_back(name + "=" + value);
  response.body = request.body;
  response.binary = true;
  return response;
}

std::vector<fs::path> request_fixtures() {
  std::vector<fs::path> files;
  for (const char* folder : {"function-url", "http-api-v2"}) {
    for (const auto& entry : fs::recursive_directory_iterator(events_dir() / folder)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json")
        files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Checks one parsed request against the event it came from, field by field.
void expect_matches_event(const web::Request& request, const json& event, const std::string& name) {
  SCOPED_TRACE(name);
  const json& context = event["requestContext"];
  EXPECT_EQ(request.method, to_upper(context["http"]["method"].get<std::string>()));
  EXPECT_EQ(request.raw_path, event["rawPath"].get<std::string>());
  EXPECT_EQ(request.path, uri_decode(request.raw_path));
  std::string raw_query = event.value("rawQueryString", "");
  EXPECT_EQ(request.raw_query, raw_query);
  EXPECT_EQ(request.query, web::parse_query(raw_query));
  std::size_t header_count =
      event.contains("headers") && event["headers"].is_object() ? event["headers"].size() : 0;
  EXPECT_EQ(request.headers.fields().size(), header_count);
  if (header_count) {
    for (auto it = event["headers"].begin(); it != event["headers"].end(); ++it)
      EXPECT_EQ(request.headers.get(it.key()), it.value().get<std::string>()) << it.key();
  }
  std::size_t cookie_count = event.contains("cookies") ? event["cookies"].size() : 0;
  ASSERT_EQ(request.cookies.size(), cookie_count);
  for (std::size_t i = 0; i < cookie_count; ++i) {
    std::string cookie = event["cookies"][i];
    auto eq = cookie.find('=');
    EXPECT_EQ(request.cookies[i].first, std::string(trim(cookie.substr(0, eq))));
  }
  std::string body = event.contains("body") && event["body"].is_string() ? event["body"] : "";
  if (event.value("isBase64Encoded", false) && base64_decode(body)) body = *base64_decode(body);
  EXPECT_EQ(request.body, body);
  EXPECT_EQ(request.source_ip, context["http"].value("sourceIp", ""));
  EXPECT_EQ(request.request_id, context.value("requestId", "invocation-id"));
}

TEST(HttpEventFixtures, EveryRequestFixtureParsesAndRoundTrips) {
  std::size_t parsed = 0, authorizers = 0, responses = 0, with_bom = 0;
  for (const auto& path : request_fixtures()) {
    std::string name = path.filename().string();
    std::string text = ld::test::read_file(path);
    if (text.starts_with("\xEF\xBB\xBF")) ++with_bom;
    json event = json::parse(strip_bom(text));
    if (name.find("custom-authorizer") != std::string::npos) {
      // Lambda authorizer events (events/NOTES.md) are not requests to serve.
      EXPECT_FALSE(is_http_event(event)) << name;
      EXPECT_NE(unsupported_event_message(event).find("authorizer"), std::string::npos);
      ++authorizers;
      continue;
    }
    if (name == "lambda-urls-response.json") {
      EXPECT_FALSE(is_http_event(event));
      ++responses;
      continue;
    }
    ASSERT_TRUE(is_http_event(event)) << name;
    web::Request request = request_from_event(event, "invocation-id");
    expect_matches_event(request, event, name);
    ++parsed;

    // Round trip through the echo handler, the result JSON, and back to what the client sees.
    web::Request copy = request;
    json result = json::parse(result_from_response(echo(copy)).dump());
    EXPECT_EQ(result["statusCode"], 201) << name;
    EXPECT_EQ(result["isBase64Encoded"], true) << name;
    std::string written;
    write_result(echo(copy), written);
    EXPECT_EQ(json::parse(written), result) << name;
    web::Response seen = response_from_result(result);
    EXPECT_EQ(seen.status, 201);
    EXPECT_EQ(seen.body, request.body) << name;
    EXPECT_EQ(seen.headers.get("X-Method"), request.method);
    EXPECT_EQ(seen.headers.get("X-Path"), request.raw_path);
    EXPECT_EQ(seen.headers.get("X-Query"), request.raw_query);
    for (const auto& field : request.headers)
      EXPECT_EQ(seen.headers.get("X-Echo-" + field.name), field.value) << name << " " << field.name;
    ASSERT_EQ(seen.cookies.size(), request.cookies.size()) << name;
    for (std::size_t i = 0; i < seen.cookies.size(); ++i)
      EXPECT_EQ(seen.cookies[i], request.cookies[i].first + "=" + request.cookies[i].second);

    // And the other way: the request as an event again, parsed again, is the same request.
    web::Request again = request_from_event(event_from_request(request), "x");
    EXPECT_EQ(again.method, request.method) << name;
    EXPECT_EQ(again.raw_path, request.raw_path);
    EXPECT_EQ(again.query, request.query);
    EXPECT_EQ(again.cookies, request.cookies) << name;
    EXPECT_EQ(again.body, request.body);
    EXPECT_EQ(again.headers.fields().size(), request.headers.fields().size());
  }
  EXPECT_EQ(parsed, 57u);
  EXPECT_EQ(authorizers, 5u);
  EXPECT_EQ(responses, 1u);
  EXPECT_EQ(with_bom, 23u);
}

TEST(HttpEvent, ValidBase64BodyIsDecoded) {
  json event = load_event(
      "function-url/aws-lambda-go/lambdaurl/"
      "function-url-domain-only-request-with-base64-encoded-body.json");
  EXPECT_EQ(event["body"], "PGlkay8+");
  EXPECT_EQ(request_from_event(event).body, "<idk/>");
}

TEST(HttpEvent, BodyMarkedBase64ButNotBase64IsKeptAsSent) {
  json event =
      load_event("http-api-v2/aws-lambda-dotnet/EventsTests.Shared/http-api-v2-request.json");
  EXPECT_EQ(event["isBase64Encoded"], true);
  EXPECT_EQ(request_from_event(event).body, "Hello from Lambda");
}

TEST(HttpEvent, RepeatedHeadersStayOneCommaJoinedValue) {
  json event = load_event("function-url/aws-lambda-go/lambda-urls-request.json");
  web::Request request = request_from_event(event);
  EXPECT_EQ(request.headers.get("header2"), "value1,value2");
  EXPECT_EQ(request.headers.get("HEADER2"), "value1,value2");
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.body, "Hello from client!");
  EXPECT_EQ(request.source_ip, "123.123.123.123");
  EXPECT_EQ(request.request_id, "id");
}

TEST(HttpEvent, MultiValueQueryComesFromRawQueryString) {
  json event = load_event("function-url/aws-lambda-go/lambda-urls-request.json");
  web::Request request = request_from_event(event);
  EXPECT_EQ(request.query_params("parameter1"), (std::vector<std::string>{"value1", "value2"}));
  EXPECT_EQ(request.query_param("parameter2"), "value");

  json mv = load_event(
      "http-api-v2/aws-lambda-rust-runtime/lambda-events/"
      "example-apigw-v2-request-multi-value-parameters.json");
  web::Request r2 = request_from_event(mv);
  EXPECT_EQ(r2.query_params("Parameter1"), (std::vector<std::string>{"value1", "value2"}));
  EXPECT_EQ(r2.headers.get("header2"), "value1,value2");
}

TEST(HttpEvent, CookiesComeFromTheCookiesArray) {
  json event = load_event(
      "function-url/aws-lambda-go/lambdaurl/"
      "function-url-request-with-headers-and-cookies-and-text-body.json");
  web::Request request = request_from_event(event);
  EXPECT_EQ(request.cookie("foo"), "bar");
  EXPECT_EQ(request.cookie("hello"), "hello");
  EXPECT_EQ(request.cookies.size(), 2u);
  EXPECT_EQ(request.headers.get("header2"), "h1,h2");
  EXPECT_EQ(request.query_param("hello"), "world");
  EXPECT_EQ(request.body, R"({"hello": "world"})");
}

TEST(HttpEvent, BomFilesParse) {
  json event = load_event(
      "http-api-v2/aws-lambda-dotnet/AspNetCoreServer.Test/"
      "values-get-querystring-httpapi-v2-mv-request.json");
  EXPECT_TRUE(is_http_event(event));
  EXPECT_EQ(strip_bom("\xEF\xBB\xBF{}"), "{}");
  EXPECT_EQ(strip_bom("{}"), "{}");
}

TEST(HttpEvent, EncodedPathIsDecoded) {
  json event = {{"version", "2.0"},
                {"rawPath", "/a%20b/c%2Fd"},
                {"rawQueryString", "q=x%20y&q=z+w&empty"},
                {"requestContext", {{"http", {{"method", "get"}}}}}};
  web::Request request = request_from_event(event, "inv-1");
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.path, "/a b/c/d");
  EXPECT_EQ(request.raw_path, "/a%20b/c%2Fd");
  EXPECT_EQ(request.query_params("q"), (std::vector<std::string>{"x y", "z w"}));
  EXPECT_EQ(request.query_param("empty"), "");
  EXPECT_EQ(request.request_id, "inv-1");
  EXPECT_TRUE(request.body.empty());
}

TEST(HttpEvent, NonHttpEventsAreRecognisedAndExplained) {
  EXPECT_FALSE(is_http_event(json::object()));
  std::string empty = unsupported_event_message(json::object());
  EXPECT_NE(empty.find("not an HTTP request event"), std::string::npos) << empty;
  EXPECT_NE(empty.find("no keys"), std::string::npos) << empty;

  json s3 = {{"Records", json::array()}};
  std::string s3_message = unsupported_event_message(s3);
  EXPECT_NE(s3_message.find("keys [Records]"), std::string::npos) << s3_message;
  EXPECT_NE(unsupported_event_message(json::array()).find("a JSON array"), std::string::npos);
  EXPECT_NE(unsupported_event_message("hello").find("a JSON string"), std::string::npos);
  // A REST API (payload 1.0) event has no rawPath nor requestContext.http.
  json v1 = {{"httpMethod", "GET"}, {"path", "/"}, {"requestContext", {{"stage", "prod"}}}};
  EXPECT_FALSE(is_http_event(v1));
  // rawPath without requestContext.http is not enough.
  EXPECT_FALSE(is_http_event(json{{"rawPath", "/"}}));
}

TEST(HttpResult, MapsStatusHeadersCookiesAndTextBody) {
  web::Response response = web::Response::json(202, {{"ok", true}});
  response.headers.add("Vary", "Origin");
  response.headers.add("vary", "Accept");
  response.headers.add("Set-Cookie", "c=3");
  response.cookies = {"a=1; Path=/", "b=2"};
  json result = result_from_response(response);
  EXPECT_EQ(result["statusCode"], 202);
  EXPECT_EQ(result["headers"]["Content-Type"], "application/json");
  EXPECT_EQ(result["headers"]["Vary"], "Origin,Accept");
  EXPECT_FALSE(result["headers"].contains("vary"));
  EXPECT_FALSE(result["headers"].contains("Set-Cookie"));
  EXPECT_EQ(result["cookies"], (json{"a=1; Path=/", "b=2", "c=3"}));
  EXPECT_EQ(result["body"], R"({"ok":true})");
  EXPECT_EQ(result["isBase64Encoded"], false);
}

TEST(HttpResult, BinaryAndNonUtf8BodiesAreBase64) {
  web::Response png = web::Response::bytes(200, std::string("\x89PNG\r\n", 6), "image/png");
  json result = result_from_response(png);
  EXPECT_EQ(result["isBase64Encoded"], true);
  EXPECT_EQ(result["body"], base64_encode(std::string("\x89PNG\r\n", 6)));

  web::Response text = web::Response::text(200, std::string("caf\xE9", 4));  // Latin-1, not UTF-8
  json r2 = result_from_response(text);
  EXPECT_EQ(r2["isBase64Encoded"], true);
  EXPECT_EQ(base64_decode(r2["body"].get<std::string>()), std::string("caf\xE9", 4));

  web::Response utf8 = web::Response::text(200, "caf\xC3\xA9");
  EXPECT_EQ(result_from_response(utf8)["isBase64Encoded"], false);
}

TEST(HttpResult, WrittenResultEqualsTheJsonValue) {
  web::Response response = web::Response::text(299, "line1\nline2\t\"quoted\" \\ \x01 caf\xC3\xA9");
  response.headers.add("X-Ctl", std::string("a\x7f\x1f", 3));
  response.headers.add("X-Latin1", std::string("caf\xE9", 4));  // not UTF-8: replaced, not broken
  response.headers.add("Vary", "Origin");
  response.headers.add("VARY", "Accept");
  response.headers.add("Set-Cookie", "z=26");
  response.cookies = {"a=\"1\"; Path=/"};
  std::string written = "stale contents";
  write_result(response, written);
  json parsed = json::parse(written);
  json expected = result_from_response(response);
  expected["headers"]["X-Latin1"] = "caf\xEF\xBF\xBD";
  EXPECT_EQ(parsed, expected);
  EXPECT_EQ(parsed["headers"]["Vary"], "Origin,Accept");
  EXPECT_EQ(parsed["cookies"], (json{"a=\"1\"; Path=/", "z=26"}));
  EXPECT_EQ(parsed["body"], response.body);

  web::Response binary = web::Response::bytes(200, std::string("\0\xFF", 2), "image/png");
  write_result(binary, written);
  EXPECT_EQ(json::parse(written), result_from_response(binary));
}

TEST(HttpResult, FunctionUrlReadsTheDocumentedResponseFixture) {
  web::Response response =
      response_from_result(load_event("function-url/aws-lambda-go/lambda-urls-response.json"));
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.headers.get("my-custom-header"), "Custom Value");
  EXPECT_EQ(response.cookies.size(), 2u);
  EXPECT_EQ(response.body, R"({ "message": "Hello, world!" })");
  // A value without statusCode is a 200 JSON answer with the value as body.
  web::Response plain = response_from_result("Hello, world!");
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, "\"Hello, world!\"");
  EXPECT_EQ(plain.headers.get("content-type"), "application/json");
}

TEST(Utf8, ValidatesWellFormedSequences) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

}  // namespace
}  // namespace ld::runtime
