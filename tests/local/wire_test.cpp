// Reading requests and writing answers as AWS's front ends do: the query protocol's flattened
// parameters, rest-json URI templates (the client's own Lambda table), and each protocol's
// reply and error shapes.
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "aws/services/cloudwatch.hpp"
#include "aws/services/lambda.hpp"
#include "aws/services/s3.hpp"
#include "aws/services/ssm.hpp"
#include "aws/services/sts.hpp"
#include "local/wire_decode.hpp"
#include "local/wire_encode.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

HttpRequest lambda_request(std::string method, std::string path, QueryParams query = {},
                           std::string body = {}) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.query = std::move(query);
  request.body = std::move(body);
  return request;
}

TEST(WireDecode, QueryParametersBecomeNestedMembers) {
  QueryParams form = parse_form(
      "Action=PutMetricAlarm&Version=2010-08-01&AlarmName=f-errors&Threshold=1"
      "&Dimensions.member.1.Name=FunctionName&Dimensions.member.1.Value=digest%2Bdev"
      "&Dimensions.member.2.Name=Resource&Dimensions.member.2.Value=digest%3ALIVE"
      "&Tags.member.1.Key=stage&Tags.member.1.Value=dev&AlarmActions="
      "&Attributes.entry.1.key=a&Attributes.entry.1.value=1&Space=a+b");
  json input = unflatten_query(form);
  EXPECT_FALSE(input.contains("Action"));
  EXPECT_EQ(input["AlarmName"], "f-errors");
  EXPECT_EQ(input["Threshold"], "1");
  ASSERT_TRUE(input["Dimensions"].is_array());
  EXPECT_EQ(input["Dimensions"][0], (json{{"Name", "FunctionName"}, {"Value", "digest+dev"}}));
  EXPECT_EQ(input["Dimensions"][1]["Value"], "digest:LIVE");
  EXPECT_EQ(input["Tags"][0]["Key"], "stage");
  EXPECT_EQ(input["AlarmActions"], "");
  EXPECT_EQ(input["Attributes"], (json{{"a", "1"}}));
  EXPECT_EQ(input["Space"], "a b");
}

TEST(WireDecode, ListsAreOrderedByTheirIndexNotTheirArrival) {
  json input =
      unflatten_query({{"L.member.10", "ten"}, {"L.member.2", "two"}, {"L.member.1", "one"}});
  EXPECT_EQ(input["L"], (json{"one", "two", "ten"}));
  EXPECT_THROW(unflatten_query({{"L.member.x", "bad"}}), ApiError);
  EXPECT_THROW(unflatten_query({{"A", "scalar"}, {"A.B", "child"}}), ApiError);
}

TEST(WireDecode, LambdaRequestsMatchTheirOperationsWithLabelsQueryHeadersAndBody) {
  const auto& operations = aws::lambda::operations();
  auto get = match_rest(
      operations,
      lambda_request("GET", "/2015-03-31/functions/my-fn/configuration", {{"Qualifier", "LIVE"}}));
  ASSERT_TRUE(get);
  EXPECT_EQ(get->operation->name, "GetFunctionConfiguration");
  EXPECT_EQ(get->input["FunctionName"], "my-fn");
  EXPECT_EQ(get->input["Qualifier"], "LIVE");

  // An ARN as the label arrives percent-encoded.
  auto by_arn = match_rest(
      operations,
      lambda_request("GET",
                     "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000"
                     "%3Afunction%3Amy-fn/aliases/LIVE"));
  ASSERT_TRUE(by_arn);
  EXPECT_EQ(by_arn->operation->name, "GetAlias");
  EXPECT_EQ(by_arn->input["FunctionName"], "arn:aws:lambda:us-east-1:000000000000:function:my-fn");
  EXPECT_EQ(by_arn->input["Name"], "LIVE");

  auto create = match_rest(operations, lambda_request("POST", "/2015-03-31/functions", {},
                                                      R"({"FunctionName":"f","MemorySize":256})"));
  ASSERT_TRUE(create);
  EXPECT_EQ(create->operation->name, "CreateFunction");
  EXPECT_EQ(create->input["MemorySize"], 256);

  HttpRequest invoke =
      lambda_request("POST", "/2015-03-31/functions/f/invocations", {}, "{\"a\":1}");
  invoke.headers.set("X-Amz-Invocation-Type", "Event");
  auto invoked = match_rest(operations, invoke);
  ASSERT_TRUE(invoked);
  EXPECT_EQ(invoked->operation->name, "Invoke");
  EXPECT_EQ(invoked->input["InvocationType"], "Event");
  EXPECT_EQ(invoked->input["Payload"], "{\"a\":1}");  // the raw payload member

  EXPECT_FALSE(match_rest(operations, lambda_request("GET", "/2015-03-31/nothing")));
  EXPECT_FALSE(match_rest(operations, lambda_request("PATCH", "/2015-03-31/functions/f")));
  EXPECT_THROW(match_rest(operations, lambda_request("POST", "/2015-03-31/functions", {}, "[1]")),
               ApiError);
}

// `levels` JSON arrays, one inside the other, around `inner`.
std::string nested_arrays(std::size_t levels, const std::string& inner = "") {
  return std::string(levels, '[') + inner + std::string(levels, ']');
}

// `levels` XML elements, one inside the other, the innermost holding text.
std::string nested_elements(std::size_t levels) {
  std::string xml;
  for (std::size_t i = 0; i < levels; ++i) xml += "<a>";
  xml += "text";
  for (std::size_t i = 0; i < levels; ++i) xml += "</a>";
  return xml;
}

// A query key of `segments` dotted segments.
std::string nested_key(std::size_t segments) {
  std::string key = "a";
  for (std::size_t i = 1; i < segments; ++i) key += ".a";
  return key;
}

TEST(WireDecode, JsonNestedUpToTheLimitIsReadAndDeeperIsNot) {
  EXPECT_FALSE(parse_json_within_depth(nested_arrays(kMaxInputDepth, "1")).is_discarded());
  EXPECT_TRUE(parse_json_within_depth(nested_arrays(kMaxInputDepth + 1)).is_discarded());
  EXPECT_TRUE(parse_json_within_depth(nested_arrays(1000000)).is_discarded());
  EXPECT_TRUE(parse_json_within_depth("{").is_discarded());
  EXPECT_EQ(parse_json_within_depth(R"({"a":[{"b":2}]})"), (json{{"a", {{{"b", 2}}}}}));

  // The top-level object counts as one level.
  const std::string at_limit = R"({"Names":)" + nested_arrays(kMaxInputDepth - 1) + "}";
  EXPECT_TRUE(read_json_object(at_limit, "the body")["Names"].is_array());
  try {
    read_json_object(R"({"Names":)" + nested_arrays(kMaxInputDepth) + "}", "the body");
    FAIL() << "expected SerializationException";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "SerializationException");
    EXPECT_EQ(e.status(), 400);
    EXPECT_NE(std::string(e.what()).find("nests more than 100 levels"), std::string::npos)
        << e.what();
  }
  try {
    read_json_object("[1]", "the body");
    FAIL() << "expected SerializationException";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "SerializationException");
    EXPECT_STREQ(e.what(), "the body is not a JSON object");
  }
}

TEST(WireDecode, RestJsonBodiesNestedTooDeepAreASerializationException) {
  const std::string body = R"({"FunctionName":"f","Environment":)" + nested_arrays(100000) + "}";
  try {
    match_rest(aws::lambda::operations(),
               lambda_request("POST", "/2015-03-31/functions", {}, body));
    FAIL() << "expected SerializationException";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "SerializationException");
  }
}

TEST(WireDecode, QueryKeysOfMoreSegmentsThanTheLimitAreInvalid) {
  json input = unflatten_query({{nested_key(kMaxInputDepth), "1"}});
  EXPECT_TRUE(input.is_object());
  try {
    unflatten_query({{"Action", "ListRoles"}, {nested_key(10000), "1"}});
    FAIL() << "expected InvalidQueryParameter";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "InvalidQueryParameter");
    EXPECT_EQ(e.status(), 400);
    EXPECT_LT(std::string(e.what()).size(), 300u);  // the key is shortened in the message
  }
  EXPECT_THROW(unflatten_query({{nested_key(kMaxInputDepth + 1), "1"}}), ApiError);
}

TEST(WireDecode, XmlNestedUpToTheLimitPassesAndDeeperDoesNot) {
  EXPECT_TRUE(xml_within_depth(nested_elements(kMaxInputDepth)));
  EXPECT_FALSE(xml_within_depth(nested_elements(kMaxInputDepth + 1)));
  EXPECT_FALSE(
      xml_within_depth("<?xml version=\"1.0\"?><Delete>" + nested_elements(100000) + "</Delete>"));
  EXPECT_TRUE(xml_within_depth(
      "<Delete><Object><Key>a</Key></Object><Object><Key>b</Key></Object><Quiet>true</Quiet>"
      "</Delete>"));
  EXPECT_TRUE(xml_within_depth("not xml"));  // its reader refuses it
  EXPECT_TRUE(xml_within_depth(""));
}

TEST(WireEncode, QueryRepliesAreXmlWithResultAndRequestId) {
  ApiReply reply;
  reply.output = {
      {"MetricAlarms",
       json::array({{{"AlarmName", "a"}, {"Threshold", 1.5}, {"ActionsEnabled", true}}})}};
  HttpResponse response = encode_reply(aws::kCloudWatch, nullptr, "DescribeAlarms", reply, "req-1");
  EXPECT_EQ(response.status, 200);
  pugi::xml_document document;
  ASSERT_TRUE(document.load_string(response.body.c_str())) << response.body;
  auto root = document.child("DescribeAlarmsResponse");
  EXPECT_STREQ(root.attribute("xmlns").value(), "http://monitoring.amazonaws.com/doc/2010-08-01/");
  auto alarm = root.child("DescribeAlarmsResult").child("MetricAlarms").child("member");
  EXPECT_STREQ(alarm.child_value("AlarmName"), "a");
  EXPECT_STREQ(alarm.child_value("Threshold"), "1.5");
  EXPECT_STREQ(alarm.child_value("ActionsEnabled"), "true");
  EXPECT_STREQ(root.child("ResponseMetadata").child_value("RequestId"), "req-1");
}

TEST(WireEncode, RestJsonOutputMembersGoWhereTheOperationBindsThem) {
  const aws::Operation* invoke = nullptr;
  for (const auto* op : aws::lambda::operations())
    if (op->name == "Invoke") invoke = op;
  ASSERT_NE(invoke, nullptr);
  ApiReply reply;
  reply.output = {{"StatusCode", 200},
                  {"FunctionError", "Unhandled"},
                  {"ExecutedVersion", "$LATEST"},
                  {"Payload", R"({"errorMessage":"boom"})"}};
  HttpResponse response = encode_reply(aws::kLambda, invoke, "Invoke", reply, "req-2");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.get("X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(response.headers.get("X-Amz-Executed-Version"), "$LATEST");
  EXPECT_EQ(response.body, R"({"errorMessage":"boom"})");
  EXPECT_EQ(response.headers.get("x-amzn-RequestId"), "req-2");
}

TEST(WireEncode, ErrorsHaveEachProtocolsShape) {
  ApiError missing("ResourceNotFoundException", "Function not found: arn:aws:lambda:x", 404);
  HttpResponse rest_json = encode_error(aws::Protocol::RestJson, missing, "r");
  EXPECT_EQ(rest_json.status, 404);
  EXPECT_EQ(rest_json.headers.get("X-Amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(json::parse(rest_json.body),
            (json{{"Type", "User"}, {"Message", "Function not found: arn:aws:lambda:x"}}));

  ApiError conflict("ResourceConflictException", "An update is in progress", 409);
  EXPECT_EQ(json::parse(encode_error(aws::Protocol::RestJson, conflict, "r").body)["message"],
            "An update is in progress");

  ApiError not_found("ParameterNotFound", "", 400);
  EXPECT_EQ(json::parse(encode_error(aws::Protocol::Json, not_found, "r").body)["__type"],
            "ParameterNotFound");

  ApiError denied("AccessDenied", "no", 403);
  pugi::xml_document query;
  ASSERT_TRUE(query.load_string(encode_error(aws::Protocol::Query, denied, "r").body.c_str()));
  EXPECT_STREQ(query.child("ErrorResponse").child("Error").child_value("Type"), "Sender");
  EXPECT_STREQ(query.child("ErrorResponse").child("Error").child_value("Code"), "AccessDenied");

  ApiError no_bucket("NoSuchBucket", "The specified bucket does not exist", 404);
  no_bucket.extra["BucketName"] = "deps";
  pugi::xml_document s3;
  ASSERT_TRUE(s3.load_string(encode_error(aws::Protocol::RestXml, no_bucket, "r").body.c_str()));
  EXPECT_STREQ(s3.child("Error").child_value("BucketName"), "deps");
  EXPECT_STREQ(s3.child("Error").child_value("RequestId"), "r");
}

}  // namespace
}  // namespace ld::local
