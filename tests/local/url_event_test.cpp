// Function URL requests as payload 2.0 events and results as HTTP answers, checked against the
// real events in conformance/events/function-url and AWS's recorded result mapping
// (TestLambdaURL::test_lambda_url_invocation[*] in the LocalStack snapshots).
#include <gtest/gtest.h>

#include <fstream>

#include "core/encoding.hpp"
#include "local/url_event.hpp"
#include "support/conformance.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

json fixture(const std::string& relative) {
  std::ifstream in(test::conformance_dir() / "events/function-url" / relative);
  return json::parse(in);
}

// The request the fixture's event was made from.
HttpRequest request_from_fixture(const json& event) {
  HttpRequest request;
  request.method = event["requestContext"]["http"]["method"];
  request.path = event["rawPath"];
  for (const auto& [name, value] : event["headers"].items()) {
    if (name.starts_with("x-forwarded-") || name == "x-amzn-trace-id") continue;
    request.headers.add(name, value.get<std::string>());
  }
  request.host = event["requestContext"]["domainName"];
  if (event.contains("queryStringParameters")) {
    for (const auto& [key, value] : event["queryStringParameters"].items())
      request.query.emplace_back(key, value.get<std::string>());
  }
  if (event.contains("body")) {
    std::string body = event["body"];
    request.body = event["isBase64Encoded"].get<bool>() ? *base64_decode(body) : body;
  }
  return request;
}

UrlEventContext context_from_fixture(const json& event) {
  UrlEventContext context;
  context.url_id = event["requestContext"]["domainPrefix"];
  context.account = event["requestContext"]["accountId"];
  context.source_ip = event["requestContext"]["http"]["sourceIp"];
  context.local_port = 443;
  context.request_id = event["requestContext"]["requestId"];
  context.trace_id =
      event["headers"].value("x-amzn-trace-id", "Root=1-00000000-000000000000000000000000");
  context.raw_path = event["rawPath"];
  context.raw_query = event["rawQueryString"];
  context.time =
      Timestamp(std::chrono::milliseconds(event["requestContext"]["timeEpoch"].get<long long>()));
  return context;
}

TEST(UrlEvent, RebuildsRealFunctionUrlEvents) {
  for (const char* name :
       {"aws-lambda-go/lambdaurl/function-url-request-with-headers-and-cookies-and-text-body.json",
        "aws-lambda-go/lambdaurl/function-url-domain-only-request-with-base64-encoded-body.json",
        "aws-lambda-go/lambdaurl/function-url-domain-only-get-request.json"}) {
    SCOPED_TRACE(name);
    json real = fixture(name);
    json built = url_event(request_from_fixture(real), context_from_fixture(real));
    EXPECT_EQ(built["version"], "2.0");
    EXPECT_EQ(built["routeKey"], "$default");
    EXPECT_EQ(built["rawPath"], real["rawPath"]);
    EXPECT_EQ(built["rawQueryString"], real["rawQueryString"]);
    EXPECT_EQ(built.value("cookies", json()), real.value("cookies", json()));
    EXPECT_EQ(built.value("queryStringParameters", json()),
              real.value("queryStringParameters", json()));
    EXPECT_EQ(built["isBase64Encoded"], real["isBase64Encoded"]);
    EXPECT_EQ(built.value("body", json()), real.value("body", json()));
    for (const auto& [header, value] : real["headers"].items()) {
      if (header.starts_with("x-forwarded-port") || header == "x-forwarded-proto") continue;
      EXPECT_EQ(built["headers"].value(header, json()), value) << header;
    }
    const json& context = built["requestContext"];
    const json& want = real["requestContext"];
    for (const char* key : {"accountId", "domainName", "domainPrefix", "requestId", "routeKey",
                            "stage", "time", "timeEpoch"})
      EXPECT_EQ(context[key], want[key]) << key;
    EXPECT_EQ(context["http"], want["http"]);
  }
}

TEST(UrlEvent, RepeatedHeadersAreCommaJoined) {
  HttpRequest request;
  request.method = "GET";
  request.headers.add("Header2", "h1");
  request.headers.add("header2", "h2");
  UrlEventContext context;
  context.raw_path = "/";
  json event = url_event(request, context);
  EXPECT_EQ(event["headers"]["header2"], "h1,h2");
  EXPECT_FALSE(event.contains("body"));
  EXPECT_FALSE(event.contains("cookies"));
}

// AWS's recorded answers for each kind of return value.
TEST(UrlResponse, MapsReturnValuesAsAwsDoes) {
  struct Case {
    std::string payload;
    std::string body;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"hello": "world"})", R"({"hello":"world"})"},
           {R"("hello")", "hello"},
           {"3", "3"},
           {"3.1", "3.1"},
           {"true", "true"},
           {R"(["hello", 3, true])", R"(["hello",3,true])"},
           {R"({"statusCode": 200, "body": "body123"})", "body123"},
           {R"({"statusCode": 200, "body": "{\"hello\": \"world\"}"})", R"({"hello": "world"})"}}) {
    SCOPED_TRACE(c.payload);
    HttpResponse response = url_response(c.payload);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, c.body);
    EXPECT_EQ(response.headers.get("Content-Type"), "application/json");
  }
}

// A function echoing a web client's JSON back, nested 100,000 deep: passed on as it is, never
// rebuilt or re-encoded (which would recurse once per level and crash the endpoint).
TEST(UrlResponse, AResultNestedDeeperThanAnyResponseIsPassedOnAsItIs) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  HttpResponse response = url_response(deep);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, deep);
  EXPECT_EQ(url_response(std::string(100000, '[')).status, 502);
}

TEST(UrlResponse, HttpResponsesKeepStatusHeadersCookiesAndBinaryBodies) {
  HttpResponse response = url_response(
      R"({"statusCode": 201, "headers": {"Content-Type": "image/png", "X-Id": "7"},
          "cookies": ["a=1", "b=2; Secure"], "body": "iVBORw==", "isBase64Encoded": true})");
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.headers.get("Content-Type"), "image/png");
  EXPECT_EQ(response.headers.get("X-Id"), "7");
  int cookies = 0;
  for (const auto& field : response.headers.fields()) cookies += field.name == "Set-Cookie";
  EXPECT_EQ(cookies, 2);
  EXPECT_EQ(response.body, *base64_decode("iVBORw=="));

  EXPECT_EQ(url_response("not json").status, 502);
  EXPECT_EQ(url_response(R"({"statusCode": "x"})").status, 502);
}

TEST(UrlEvent, TextContentTypesStayText) {
  EXPECT_TRUE(is_text_content("application/json; charset=utf-8"));
  EXPECT_TRUE(is_text_content("text/html"));
  EXPECT_TRUE(is_text_content("application/vnd.api+json"));
  EXPECT_FALSE(is_text_content("idk"));
  EXPECT_FALSE(is_text_content("multipart/form-data; boundary=x"));
  EXPECT_FALSE(is_text_content("image/png"));
}

}  // namespace
}  // namespace ld::local
